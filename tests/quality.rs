//! Paragraph and page quality of the War and Peace PDF, measured from the PDF alone with
//! ../shared/tools/typo-metrics.py (the same measure that judges Typst's output).

mod common;

use common::*;
use std::collections::HashMap;
use std::process::Command;

/// The 1-based page range of the book's body (from its first body entry to the page before
/// its back matter), read from the PDF's outline.
fn body_pages(project: &std::path::Path, pdf: &std::path::Path) -> (usize, usize) {
    let (book, _) = bookbuild::project::load(project);
    let book = book.expect("loads");
    let first_body = book
        .entries
        .iter()
        .find(|e| e.depth == 0 && e.division == bookbuild::model::Division::Body)
        .unwrap();
    let first_back = book
        .entries
        .iter()
        .find(|e| e.depth == 0 && e.division == bookbuild::model::Division::Back)
        .unwrap();
    let doc = lopdf::Document::load(pdf).unwrap();
    let toc = doc.get_toc().unwrap();
    let page_of = |title: &str| {
        toc.toc
            .iter()
            .find(|t| t.level == 1 && t.title == title)
            .map(|t| t.page)
            .unwrap()
    };
    (page_of(&first_body.title), page_of(&first_back.title) - 1)
}

#[test]
fn war_and_peace_body_meets_the_typographic_bar() {
    let project = corpus("war-and-peace");
    let out = tempfile::tempdir().unwrap();
    let o = build_into(&project, "pdf", out.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let pdf = only(out.path(), "pdf");
    let (first, last) = body_pages(&project, &pdf);
    let tool = repo()
        .join("..")
        .join("shared")
        .join("tools")
        .join("typo-metrics.py");
    let res = Command::new("python3")
        .arg(tool)
        .arg(&pdf)
        .arg("--pages")
        .arg(format!("{first}-{last}"))
        .arg("--json")
        .output()
        .expect("python3 runs");
    let text = String::from_utf8_lossy(&res.stdout);
    assert!(
        res.status.success(),
        "typo-metrics failed (pip install pdfplumber): {}",
        String::from_utf8_lossy(&res.stderr)
    );
    let m: HashMap<String, f64> = text
        .trim()
        .trim_matches(|c| c == '{' || c == '}')
        .split(", ")
        .filter_map(|kv| {
            let (k, v) = kv.split_once(": ")?;
            Some((k.trim_matches('"').to_string(), v.parse().ok()?))
        })
        .collect();
    eprintln!("typo-metrics over pages {first}-{last}: {text}");
    assert!(
        m["gap_em_stdev"] <= 0.055,
        "word spacing varies too much: {text}"
    );
    assert_eq!(m["overfull_lines"], 0.0, "{text}");
    assert_eq!(m["hyphen_runs_3plus"], 0.0, "{text}");
    assert_eq!(m["widows_est"], 0.0, "{text}");
    assert_eq!(m["orphans_est"], 0.0, "{text}");
}
