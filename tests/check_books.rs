//! `bookbuild check` accepts the sample book, the `init` project and both corpus books.

mod common;

use common::*;

fn check_clean(p: &std::path::Path) {
    let out = run(p, &["check", "--deny-warnings"]);
    let err = stderr(&out);
    assert_eq!(
        out.status.code(),
        Some(0),
        "check failed on {}:\n{err}",
        p.display()
    );
    assert!(!err.contains("warning:"), "{err}");
}

#[test]
fn the_sample_book_is_clean() {
    check_clean(&repo());
}

#[test]
fn the_init_project_is_clean() {
    let dir = init_project();
    check_clean(&book(&dir));
}

#[test]
fn init_refuses_a_folder_with_files() {
    let dir = init_project();
    let out = std::process::Command::new(bin())
        .arg("init")
        .arg(book(&dir))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(stderr(&out).contains("already exists and is not empty"));
}

#[test]
fn war_and_peace_is_clean() {
    check_clean(&corpus("war-and-peace"));
}

#[test]
fn sherlock_holmes_is_clean() {
    check_clean(&corpus("sherlock-holmes"));
}
