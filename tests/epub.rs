//! The EPUB: valid for EPUBCheck 5.3.0 with --failonwarnings on every book we have,
//! byte-identical across builds, and with the structure readers rely on.

mod common;

use common::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;

fn build_epub(project: &Path) -> (tempfile::TempDir, std::path::PathBuf) {
    build_with(project, "epub")
}

/// `epub` makes the EPUB alone; `build` also typesets the print edition, which gives the EPUB
/// its page-list and print page numbers in the index.
fn build_with(project: &Path, cmd: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let o = build_into(project, cmd, out.path());
    assert!(
        o.status.success(),
        "epub build failed for {}:\n{}",
        project.display(),
        stderr(&o)
    );
    let p = only(out.path(), "epub");
    (out, p)
}

fn assert_valid(project: &Path, cmd: &str) {
    let (_keep, epub) = build_with(project, cmd);
    let (ok, report) = epubcheck(&epub);
    assert!(
        ok && report.contains("0 fatals / 0 errors / 0 warnings"),
        "EPUBCheck on {}:\n{report}",
        project.display()
    );
}

#[test]
fn sample_book_passes_epubcheck() {
    assert_valid(&repo(), "build");
    assert_valid(&repo(), "epub");
}

#[test]
fn init_project_passes_epubcheck() {
    let dir = init_project();
    assert_valid(&book(&dir), "build");
}

#[test]
fn war_and_peace_passes_epubcheck() {
    assert_valid(&corpus("war-and-peace"), "build");
}

#[test]
fn sherlock_holmes_passes_epubcheck() {
    assert_valid(&corpus("sherlock-holmes"), "epub");
}

#[test]
fn two_builds_are_byte_identical() {
    let (_a, first) = build_epub(&repo());
    let (_b, second) = build_epub(&repo());
    assert_eq!(
        std::fs::read(first).unwrap(),
        std::fs::read(second).unwrap()
    );
}

fn files_of(epub: &Path) -> HashMap<String, String> {
    unzip(epub)
        .into_iter()
        .map(|(n, _, d)| (n, String::from_utf8_lossy(&d).into_owned()))
        .collect()
}

/// Every `id="…"` in a document.
fn ids(doc: &str) -> HashSet<String> {
    doc.split(" id=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn container_layout() {
    let (_keep, epub) = build_epub(&repo());
    let entries = unzip(&epub);
    assert_eq!(entries[0].0, "mimetype");
    assert!(entries[0].1, "mimetype must be stored");
    assert_eq!(entries[0].2, b"application/epub+zip");
    let files = files_of(&epub);
    let opf = &files["EPUB/package.opf"];
    assert!(
        opf.contains("<meta property=\"dcterms:modified\">2000-01-01T00:00:00Z</meta>"),
        "{opf}"
    );
    assert!(opf.contains("<dc:creator id=\"creator-0\">Ts. Batbayar</dc:creator>"));
    assert!(opf.contains("properties=\"index\""));
    assert!(opf.contains("schema:accessibilitySummary"));
    assert!(opf.contains("<meta property=\"schema:accessibilityFeature\">index</meta>"));
    // The identifier is stable: derived from title and authors.
    assert!(opf.contains("<dc:identifier id=\"pub-id\">urn:uuid:"));
    let nav = &files["EPUB/nav.xhtml"];
    assert!(nav.contains("epub:type=\"toc\""));
    assert!(nav.contains("epub:type=\"landmarks\""));
    // toc_depth = 2: chapters and their sections, nothing deeper.
    assert!(nav.contains(">1. Division of spheres of influence by Japan and Russia in the Northeast Asia (1907–1916)</a>"));
    // No page-list without the print edition (both or neither).
    assert!(!nav.contains("page-list"));
}

#[test]
fn every_index_locator_resolves_to_an_id_in_the_spine() {
    let (_keep, epub) = build_epub(&corpus("sherlock-holmes"));
    check_locators(&epub, 1000);
    // Built with the print edition, locators show print page numbers (one per page).
    let out = tempfile::tempdir().unwrap();
    assert!(
        build_into(&corpus("sherlock-holmes"), "build", out.path())
            .status
            .success()
    );
    check_locators(&only(out.path(), "epub"), 500);
}

fn check_locators(epub: &Path, at_least: usize) {
    let files = files_of(epub);
    let index = &files["EPUB/index.xhtml"];
    let mut checked = 0;
    for part in index.split("epub:type=\"index-locator\" href=\"").skip(1) {
        let href = part.split('"').next().unwrap();
        let (file, id) = href.split_once('#').expect("locators point at anchors");
        let doc = files
            .get(&format!("EPUB/{file}"))
            .unwrap_or_else(|| panic!("no file {file}"));
        assert!(ids(doc).contains(id), "{href} does not resolve");
        checked += 1;
    }
    assert!(checked > at_least, "only {checked} locators");
    // Entries sorted, with sub-entries and cross-references.
    assert!(index.contains("epub:type=\"index-xref-preferred\""));
    assert!(index.contains("epub:type=\"index-xref-related\""));
}

#[test]
fn footnotes_are_asides_in_the_citing_file_with_backlinks() {
    let (_keep, epub) = build_epub(&corpus("war-and-peace"));
    let files = files_of(&epub);
    let mut notes = 0;
    for (name, doc) in &files {
        if !name.ends_with(".xhtml") {
            continue;
        }
        let here = ids(doc);
        for part in doc.split("epub:type=\"noteref\"").skip(1) {
            let href = part
                .split("href=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let id = href.strip_prefix('#').expect("noterefs stay in their file");
            assert!(here.contains(id), "{name}: {href} is not in the same file");
            notes += 1;
        }
        for part in doc
            .split("<aside epub:type=\"footnote\" role=\"doc-footnote\"")
            .skip(1)
        {
            assert!(
                part.split("</aside>")
                    .next()
                    .unwrap()
                    .contains("role=\"doc-backlink\""),
                "{name}: a note without backlink"
            );
        }
    }
    assert_eq!(notes, 137);
}

/// With the print edition built in the same run, the EPUB has a page-list: every entry
/// points at a page-break marker with the same print page number, in reading order, and the
/// numbers are the PDF's page labels.
#[test]
fn the_page_list_follows_the_print_pages() {
    let out = tempfile::tempdir().unwrap();
    let o = build_into(&repo(), "build", out.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let files = files_of(&only(out.path(), "epub"));
    let nav = &files["EPUB/nav.xhtml"];
    let list = nav
        .split("epub:type=\"page-list\"")
        .nth(1)
        .expect("a page-list")
        .split("</nav>")
        .next()
        .unwrap();
    let entries: Vec<(String, String)> = list
        .split("<li><a href=\"")
        .skip(1)
        .map(|s| {
            let href = s.split('"').next().unwrap().to_string();
            let label = s
                .split('>')
                .nth(1)
                .unwrap()
                .split('<')
                .next()
                .unwrap()
                .to_string();
            (href, label)
        })
        .collect();
    assert!(entries.len() >= 25, "{} page-list entries", entries.len());
    for (href, label) in &entries {
        let (file, id) = href.split_once('#').unwrap();
        let doc = &files[&format!("EPUB/{file}")];
        let marker = format!(
            "epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"{id}\" aria-label=\"{label}\""
        );
        assert!(
            doc.contains(&marker),
            "{href} is not a page break for page {label}"
        );
    }
    // The labels run as the PDF's do: roman front matter, then 1, 2, 3 … with no page twice.
    let labels: Vec<&str> = entries.iter().map(|e| e.1.as_str()).collect();
    let first_arabic = labels
        .iter()
        .position(|l| l.parse::<u32>().is_ok())
        .unwrap();
    let arabic: Vec<u32> = labels[first_arabic..]
        .iter()
        .map(|l| l.parse().unwrap())
        .collect();
    assert!(arabic.windows(2).all(|w| w[0] < w[1]), "{arabic:?}");
    assert!(
        labels[..first_arabic]
            .iter()
            .all(|l| l.chars().all(|c| "ivxlc".contains(c)))
    );
    let opf = &files["EPUB/package.opf"];
    assert!(opf.contains("<meta property=\"pageBreakSource\">"));
    assert!(opf.contains("<meta property=\"schema:accessibilityFeature\">pageNavigation</meta>"));
}

/// `[book] numbering = true` numbers the body's entries in the contents and on their pages.
#[test]
fn numbering_numbers_the_body_entries() {
    let dir = init_project();
    let p = book(&dir);
    edit(&p.join("build.toml"), |s| {
        s.replace("language = \"en\"", "language = \"en\"\nnumbering = true")
    });
    let out = tempfile::tempdir().unwrap();
    let o = build_into(&p, "build", out.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let files = files_of(&only(out.path(), "epub"));
    assert!(files["EPUB/nav.xhtml"].contains(">1 The First Chapter</a>"));
    assert!(files["EPUB/nav.xhtml"].contains(">2 The Second Chapter</a>"));
    assert!(
        files["EPUB/nav.xhtml"].contains(">Preface</a>"),
        "front matter is not numbered"
    );
    assert!(files["EPUB/chapter-1.xhtml"].contains(">1 The First Chapter</h1>"));
    let pdf = only(out.path(), "pdf");
    let text = String::from_utf8_lossy(
        &std::process::Command::new("pdftotext")
            .arg(&pdf)
            .arg("-")
            .output()
            .unwrap()
            .stdout,
    )
    .into_owned();
    assert!(text.contains("1 The First Chapter") && text.contains("2 The Second Chapter"));
}
