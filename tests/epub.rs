//! The EPUB: valid for EPUBCheck 5.3.0 with --failonwarnings on every book we have,
//! byte-identical across builds, and with the structure readers rely on.

mod common;

use common::*;
use std::collections::{HashMap, HashSet};
use std::path::Path;

fn build_epub(project: &Path) -> (tempfile::TempDir, std::path::PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let o = build_into(project, "epub", out.path());
    assert!(
        o.status.success(),
        "epub build failed for {}:\n{}",
        project.display(),
        stderr(&o)
    );
    let p = only(out.path(), "epub");
    (out, p)
}

fn assert_valid(project: &Path) {
    let (_keep, epub) = build_epub(project);
    let (ok, report) = epubcheck(&epub);
    assert!(
        ok && report.contains("0 fatals / 0 errors / 0 warnings"),
        "EPUBCheck on {}:\n{report}",
        project.display()
    );
}

#[test]
fn sample_book_passes_epubcheck() {
    assert_valid(&repo());
}

#[test]
fn init_project_passes_epubcheck() {
    let dir = init_project();
    assert_valid(&book(&dir));
}

#[test]
fn war_and_peace_passes_epubcheck() {
    assert_valid(&corpus("war-and-peace"));
}

#[test]
fn sherlock_holmes_passes_epubcheck() {
    assert_valid(&corpus("sherlock-holmes"));
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
    let files = files_of(&epub);
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
    assert!(checked > 1000, "only {checked} locators");
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
