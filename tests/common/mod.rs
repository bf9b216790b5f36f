//! Helpers shared by the integration tests: run the real binary on real project folders.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

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

pub fn edit(path: &Path, f: impl FnOnce(String) -> String) {
    let s = std::fs::read_to_string(path).expect("read");
    std::fs::write(path, f(s)).expect("write");
}
