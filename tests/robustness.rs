//! Pathological inputs get an answer (a clear error or success), never a crash.

mod common;

use common::*;

fn outcome(p: &std::path::Path, cmd: &str) -> (Option<i32>, String) {
    let out = run(p, &[cmd]);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{cmd} panicked:\n{err}");
    assert!(
        !err.contains("stack overflow"),
        "{cmd} overflowed its stack:\n{err}"
    );
    (out.status.code(), err)
}

fn with_chapter(text: &str) -> tempfile::TempDir {
    let dir = init_project();
    std::fs::write(book(&dir).join("manuscript/chapter-2.md"), text).unwrap();
    dir
}

#[test]
fn ten_thousand_nested_block_quotes_are_a_clear_error() {
    let dir = with_chapter(&format!("# Deep\n\n{} too deep\n", ">".repeat(10_000)));
    let (code, err) = outcome(&book(&dir), "build");
    assert_eq!(code, Some(1), "{err}");
    assert!(!book(&dir).join("build").exists(), "nothing written");
    assert!(err.contains("manuscript/chapter-2.md:3:"), "{err}");
    assert!(err.contains("nests deeper than"), "{err}");
}

#[test]
fn ten_thousand_nested_list_items_are_a_clear_error() {
    let dir = with_chapter(&format!("# Deep\n\n{}item\n", "- ".repeat(10_000)));
    let (code, err) = outcome(&book(&dir), "check");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("nests deeper than"), "{err}");
}

#[test]
fn ten_thousand_nested_emphases_are_answered() {
    let dir = with_chapter(&format!(
        "# Deep\n\n{}x{}\n",
        "*a ".repeat(10_000),
        " a*".repeat(10_000)
    ));
    let (code, err) = outcome(&book(&dir), "check");
    assert!(code == Some(0) || code == Some(1), "{err}");
}

#[test]
fn a_five_megabyte_paragraph_is_accepted() {
    let words = [
        "typesetting",
        "is",
        "the",
        "craft",
        "of",
        "setting",
        "words",
        "on",
        "a",
        "page",
    ];
    let mut para = String::with_capacity(5_300_000);
    let mut i = 0;
    while para.len() < 5_000_000 {
        para.push_str(words[i % words.len()]);
        para.push(' ');
        i += 1;
    }
    let dir = with_chapter(&format!("# Long\n\n{para}\n"));
    let (code, err) = outcome(&book(&dir), "check");
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = outcome(&book(&dir), "build");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        book(&dir).join("build").read_dir().unwrap().count() == 3,
        "PDF, cover and EPUB written"
    );
}

#[test]
fn an_empty_chapter_is_a_warning() {
    let dir = with_chapter("");
    let (code, err) = outcome(&book(&dir), "check");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("manuscript/chapter-2.md:1:1: warning: the file is empty"),
        "{err}"
    );
}

/// A build that fails leaves the previous outputs as they were, and no temporary file.
#[test]
fn a_failed_build_leaves_earlier_outputs_untouched() {
    let dir = init_project();
    let p = book(&dir);
    let (code, err) = outcome(&p, "build");
    assert_eq!(code, Some(0), "{err}");
    let out = p.join("build");
    let before: Vec<(std::path::PathBuf, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(out.join(&f)).unwrap()))
        .collect();
    assert_eq!(before.len(), 3);
    std::fs::write(
        p.join("manuscript/chapter-2.md"),
        "# Two\n\nA reference to [nowhere](#missing).\n",
    )
    .unwrap();
    let (code, err) = outcome(&p, "build");
    assert_eq!(code, Some(1), "{err}");
    let after: Vec<(std::path::PathBuf, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(out.join(&f)).unwrap()))
        .collect();
    assert!(before == after, "the outputs changed after a failed build");
}
