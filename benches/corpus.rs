//! Benchmarks over the corpus books: `cargo bench` (release). Each phase is timed on its
//! own and end to end, median of several runs after a warm-up; the whole-process figures
//! (wall time, peak memory) are in scripts/bench.sh.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bookbuild::model::Timestamp;
use bookbuild::progress::Progress;

// The allocator the binary uses (see Cargo.toml), set as the binary sets it (see
// src/memory.rs), so that phase times match a real run.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join("corpus")
        .join(name)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let _ = f();
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

/// Sherlock Holmes with a citation at the end of each of its first 2,000 paragraphs (Chicago
/// notes, eight works from the citations test book) and the same book without them.
fn cited_books(dir: &Path) -> (PathBuf, PathBuf) {
    const KEYS: [&str; 8] = [
        "knuth1981",
        "liang1983",
        "bringhurst2004",
        "knuth1984",
        "knuth1999",
        "tschichold1991",
        "uax14",
        "lindisfarne",
    ];
    let src = corpus("sherlock-holmes");
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/citations");
    let (with, without) = (dir.join("with"), dir.join("without"));
    let mut n = 0usize;
    for (root, cite) in [(&with, true), (&without, false)] {
        copy_dir(&src, root);
        if !cite {
            continue;
        }
        for f in ["references.bib", "archives.yaml"] {
            std::fs::copy(fixtures.join(f), root.join(f)).unwrap();
        }
        let toml = std::fs::read_to_string(root.join("build.toml")).unwrap();
        std::fs::write(
            root.join("build.toml"),
            format!("{toml}\n[bibliography]\nfiles = [\"references.bib\", \"archives.yaml\"]\n"),
        )
        .unwrap();
        let contents = root.join("manuscript/contents.md");
        let c = std::fs::read_to_string(&contents).unwrap();
        std::fs::write(
            &contents,
            c.replace(
                "- [Index](@index)",
                "- [Bibliography](@bibliography)\n- [Index](@index)",
            ),
        )
        .unwrap();
        let mut files: Vec<PathBuf> = std::fs::read_dir(root.join("manuscript"))
            .unwrap()
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "md") && !p.ends_with("contents.md"))
            .collect();
        files.sort();
        for f in files {
            let text = std::fs::read_to_string(&f).unwrap();
            let lines: Vec<&str> = text.lines().collect();
            let mut out = String::new();
            for (i, l) in lines.iter().enumerate() {
                out.push_str(l);
                let ends_paragraph = lines.get(i + 1).is_none_or(|next| next.trim().is_empty());
                let prose = l
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_alphabetic() || c == '“');
                if n < 2000 && ends_paragraph && prose {
                    out.push_str(&format!(" [@{}, {}]", KEYS[n % KEYS.len()], 1 + n % 300));
                    n += 1;
                }
                out.push('\n');
            }
            std::fs::write(&f, out).unwrap();
        }
    }
    assert_eq!(
        n, 2000,
        "the book has fewer paragraphs than citations wanted"
    );
    (with, without)
}

fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(from).unwrap().flatten() {
        let p = e.path();
        if p.is_dir() {
            copy_dir(&p, &to.join(e.file_name()));
        } else {
            std::fs::copy(&p, to.join(e.file_name())).unwrap();
        }
    }
}

/// The cost of citing: the same book built with and without 2,000 citations.
fn citations_bench(runs: usize) {
    let dir = tempfile::tempdir().unwrap();
    let (with, without) = cited_books(dir.path());
    let t = Timestamp::fixed(0);
    let q = Progress::new(true);
    let build = |root: &Path| {
        time(runs, || {
            let (b, d) = bookbuild::project::load(root);
            let b = b.unwrap_or_else(|| panic!("{:?}", d.into_sorted()));
            bookbuild::pipeline::build(
                &b,
                bookbuild::pipeline::Targets {
                    pdf: true,
                    epub: true,
                },
                Path::new("/tmp"),
                t,
                &q,
            )
            .expect("build")
        })
    };
    let (a, b) = (build(&without), build(&with));
    let load = time(runs, || bookbuild::project::load(&with));
    println!(
        "citations        without {:.0} ms, with 2,000 (Chicago notes) {:.0} ms: {:.2}× (loading and formatting them: {:.0} ms)",
        a.as_secs_f64() * 1000.0,
        b.as_secs_f64() * 1000.0,
        b.as_secs_f64() / a.as_secs_f64(),
        load.as_secs_f64() * 1000.0
    );
}

/// The cost of the print and accessibility standards: War and Peace's PDF written plain,
/// tagged, as PDF/X-4, and as PDF/X-4 with PDF/UA-1 (typeset once each; the PDF phase timed).
fn standards_bench(runs: usize) {
    let dir = tempfile::tempdir().unwrap();
    let t = Timestamp::fixed(0);
    let mut base = None;
    for (name, line) in [
        ("plain", "tagged = false"),
        ("tagged", "tagged = true"),
        ("pdf/x-4", "tagged = false\nstandard = \"pdf/x-4\""),
        ("x-4 + ua-1", "standard = [\"pdf/x-4\", \"pdf/ua-1\"]"),
    ] {
        let root = dir.path().join(name.replace(['/', ' ', '+'], "_"));
        copy_dir(&corpus("war-and-peace"), &root);
        let toml = std::fs::read_to_string(root.join("build.toml")).unwrap();
        std::fs::write(
            root.join("build.toml"),
            toml.replacen("[pdf]\n", &format!("[pdf]\n{line}\n"), 1),
        )
        .unwrap();
        let (b, d) = bookbuild::project::load(&root);
        let book = b.unwrap_or_else(|| panic!("{:?}", d.into_sorted()));
        let index = bookbuild::index::build::build(&book);
        let ts = bookbuild::typeset::typeset(&book, &index).expect("typeset");
        let pdf = time(runs, || {
            bookbuild::pdf::write(&book, &ts.doc, t).expect("pdf")
        });
        let plain = *base.get_or_insert(pdf);
        println!(
            "standards        war-and-peace PDF {name:<11} {:>6.0} ms  {:+.1}%",
            pdf.as_secs_f64() * 1000.0,
            (pdf.as_secs_f64() / plain.as_secs_f64() - 1.0) * 100.0
        );
    }
}

fn main() {
    bookbuild::memory::configure();
    // `cargo bench -- NAME` runs only the books whose name contains NAME.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let books = [
        ("war-and-peace", corpus("war-and-peace")),
        ("sherlock-holmes", corpus("sherlock-holmes")),
        ("sample", PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
    ];
    let runs = 5;
    println!(
        "{:<16} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>12}",
        "book", "load", "index", "typeset", "pdf", "epub", "build", "pages"
    );
    if filter
        .as_ref()
        .is_none_or(|f| "citations".contains(f.as_str()))
    {
        citations_bench(runs);
    }
    if filter
        .as_ref()
        .is_none_or(|f| "standards".contains(f.as_str()))
    {
        standards_bench(runs);
    }
    for (name, root) in books {
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let load = time(runs, || bookbuild::project::load(&root));
        let (book, _) = bookbuild::project::load(&root);
        let book = book.expect("the corpus book loads");
        let index = time(runs, || {
            let mut idx = book.index.clone();
            let mut entries = book.entries.clone();
            let mut notes = book.notes.clone();
            let mut bib = book.bibliography.clone();
            bookbuild::index::hits::find(&mut entries, &mut notes, &mut bib, &mut idx);
            bookbuild::index::build::build(&book)
        });
        let printed = bookbuild::index::build::build(&book);
        let typeset = time(runs, || {
            bookbuild::typeset::typeset(&book, &printed).expect("typesets")
        });
        let ts = bookbuild::typeset::typeset(&book, &printed).expect("typesets");
        let t = Timestamp::fixed(0);
        let pdf = time(runs, || {
            bookbuild::pdf::write(&book, &ts.doc, t).expect("pdf")
        });
        let q = Progress::new(true);
        let epub = time(runs, || {
            bookbuild::pipeline::build(
                &book,
                bookbuild::pipeline::Targets {
                    pdf: false,
                    epub: true,
                },
                Path::new("/tmp"),
                t,
                &q,
            )
            .expect("epub")
        });
        let build = time(runs, || {
            let (b, _) = bookbuild::project::load(&root);
            bookbuild::pipeline::build(
                &b.expect("loads"),
                bookbuild::pipeline::Targets {
                    pdf: true,
                    epub: true,
                },
                Path::new("/tmp"),
                t,
                &q,
            )
            .expect("build")
        });
        let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
        println!(
            "{:<16} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>12}",
            name,
            ms(load),
            ms(index),
            ms(typeset),
            ms(pdf),
            ms(epub),
            ms(build),
            ts.doc.pages.len()
        );
    }
}
