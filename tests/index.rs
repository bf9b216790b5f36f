//! The index, read back from the outputs: page numbers in the PDF that really hold the term,
//! the same entries with links in the EPUB, collation in the book's language, ranges,
//! sub-entries and cross-references.

mod common;

use common::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;

fn build(project: &Path) -> (tempfile::TempDir, PathBuf, PathBuf) {
    let out = tempfile::tempdir().unwrap();
    let o = build_into(project, "build", out.path());
    assert!(o.status.success(), "build failed:\n{}", stderr(&o));
    let pdf = only(out.path(), "pdf");
    let epub = only(out.path(), "epub");
    (out, pdf, epub)
}

fn pages(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext");
    String::from_utf8_lossy(&out.stdout)
        .split('\u{c}')
        .map(str::to_string)
        .collect()
}

/// The index as printed: (term, locators), sub-entries as "Parent: Sub".
fn printed_index(pdf: &Path) -> Vec<(String, Vec<String>)> {
    let doc = lopdf::Document::load(pdf).unwrap();
    let toc = doc.get_toc().unwrap();
    let idx = toc
        .toc
        .iter()
        .position(|t| t.level == 1 && t.title == "Index")
        .expect("an Index entry");
    let first = toc.toc[idx].page - 1;
    let last = toc
        .toc
        .iter()
        .skip(idx + 1)
        .find(|t| t.level == 1)
        .map_or(usize::MAX, |t| t.page - 1);
    let texts = pages(pdf);
    let labels = page_labels(pdf);
    let title = book_title(pdf);
    let mut lines: Vec<String> = Vec::new();
    for (i, t) in texts
        .iter()
        .enumerate()
        .take(last.min(texts.len()))
        .skip(first)
    {
        // The running head and folio are the last lines drawn on a page.
        let head = |l: &str| l == labels[i] || l == "Index" || l == title;
        let mut page: Vec<&str> = t.lines().map(str::trim).filter(|l| !l.is_empty()).collect();
        while page.last().is_some_and(|l| head(l)) {
            page.pop();
        }
        for l in page {
            if l == "Index" || l.contains("(continued)") {
                continue;
            }
            lines.push(l.to_string());
        }
    }
    // Join wrapped lines: a line that starts with a page number or a dash continues.
    let mut entries: Vec<String> = Vec::new();
    for l in lines {
        let cont = l.starts_with(|c: char| c.is_ascii_digit() || c == '–')
            || entries.last().is_some_and(|e| {
                e.ends_with(',')
                    || e.ends_with('-')
                    || e.ends_with('–')
                    || e.ends_with(';')
                    || e.ends_with("See also")
                    || e.ends_with(" see")
            });
        if cont && let Some(last) = entries.last_mut() {
            if last.ends_with('-') {
                last.pop();
            } else if !last.ends_with('–') {
                last.push(' ');
            }
            last.push_str(&l);
        } else {
            entries.push(l);
        }
    }
    entries
        .into_iter()
        .filter(|e| e.chars().count() > 1)
        .map(|e| {
            let main = e
                .split(". See also")
                .next()
                .unwrap()
                .split(", see ")
                .next()
                .unwrap()
                .to_string();
            let mut parts = main.split(", ");
            let mut term = parts.next().unwrap().to_string();
            let mut locs = Vec::new();
            for p in parts {
                let is_loc = p.chars().next().is_some_and(|c| c.is_ascii_digit())
                    || p.chars().all(|c| "ivxlc–".contains(c));
                if is_loc {
                    locs.push(p.trim_end_matches('.').to_string());
                } else if locs.is_empty() {
                    term = format!("{term}, {p}");
                }
            }
            (term, locs)
        })
        .collect()
}

fn book_title(pdf: &Path) -> String {
    let out = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .find_map(|l| l.strip_prefix("Title:"))
        .unwrap_or("")
        .trim()
        .to_string()
}

/// Pages of a locator: "45" → [45], "45–47" → [45, 46, 47] (as page indexes).
fn locator_pages(loc: &str, labels: &[String]) -> Vec<usize> {
    let (a, b) = loc.split_once('–').unwrap_or((loc, loc));
    let start = labels
        .iter()
        .rposition(|l| l == a)
        .unwrap_or_else(|| panic!("no page {a}"));
    let end = labels
        .iter()
        .enumerate()
        .skip(start)
        .find(|(_, l)| *l == b)
        .map(|(i, _)| i)
        .unwrap_or_else(|| panic!("no page {b}"));
    (start..=end).collect()
}

fn dehyphen(s: &str) -> String {
    s.replace("-\n", "")
        .replace(['\n', '\u{a0}'], " ")
        .replace('\u{200a}', "")
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// The match phrases of each index term (and sub-entry as "Parent: Sub").
fn phrases(project: &Path) -> HashMap<String, (Vec<String>, bool)> {
    let (book, _) = bookbuild::project::load(project);
    let book = book.unwrap();
    let idx = &book.index;
    idx.entries
        .iter()
        .map(|e| {
            let name = match e.parent {
                Some(p) => format!("{}: {}", idx.entries[p as usize].term, e.term),
                None => e.term.clone(),
            };
            (
                name,
                (
                    e.matches.iter().map(|m| m.replace('\'', "’")).collect(),
                    e.case_insensitive,
                ),
            )
        })
        .collect()
}

#[test]
fn thirty_random_pdf_locators_cite_pages_with_the_term() {
    let project = corpus("war-and-peace");
    let (_keep, pdf, _) = build(&project);
    let texts = pages(&pdf);
    let labels = page_labels(&pdf);
    let index = printed_index(&pdf);
    let phrases = phrases(&project);
    assert!(index.len() > 100, "{} entries parsed", index.len());
    // Top-level terms only (sub-entry lines carry just the sub-term): deterministic picks.
    let mut candidates: Vec<(String, String)> = Vec::new();
    for (term, locs) in &index {
        if phrases.contains_key(term) {
            for l in locs {
                candidates.push((term.clone(), l.clone()));
            }
        }
    }
    assert!(candidates.len() > 1000, "{} locators", candidates.len());
    let mut seed: u64 = 0x5eed;
    let mut checked = 0;
    for _ in 0..30 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let (term, loc) = &candidates[(seed >> 33) as usize % candidates.len()];
        let (words, insensitive) = &phrases[term];
        for p in locator_pages(loc, &labels) {
            // A phrase may begin at the foot of the page and end on the next.
            let next_head: String = texts
                .get(p + 1)
                .map(|t| t.chars().take(200).collect())
                .unwrap_or_default();
            let mut text = dehyphen(&format!("{}\n{next_head}", texts[p]));
            if *insensitive {
                text = text.to_lowercase();
            }
            let found = words.iter().any(|w| {
                text.contains(&if *insensitive {
                    w.to_lowercase()
                } else {
                    w.clone()
                })
            });
            assert!(
                found,
                "\"{term}\" is indexed on page {} (locator {loc}) but none of {words:?} is there",
                labels[p]
            );
        }
        checked += 1;
    }
    assert_eq!(checked, 30);
    // Long entries break across columns and repeat their heading.
    assert!(texts.iter().any(|t| t.contains("(continued)")));
}

#[test]
fn the_sample_index_has_the_key_entries_with_true_pages() {
    let (_keep, pdf, epub) = build(&repo());
    let texts = pages(&pdf);
    let labels = page_labels(&pdf);
    let index = printed_index(&pdf);
    for (term, phrase) in [
        ("Genden, P.", "Genden"),
        ("Halhin-Gol", "Halhin-Gol"),
        ("Manchukuo", "Manchukuo"),
        ("Neutrality treaty", "neutrality treaty"),
    ] {
        let (_, locs) = index
            .iter()
            .find(|(t, _)| t == term)
            .unwrap_or_else(|| panic!("no index entry {term}: {index:?}"));
        assert!(!locs.is_empty(), "{term} has no pages");
        for loc in locs {
            for p in locator_pages(loc, &labels) {
                let text = dehyphen(&texts[p]).to_lowercase();
                assert!(
                    text.contains(&phrase.to_lowercase()),
                    "{term} on page {}",
                    labels[p]
                );
            }
        }
    }
    // The EPUB index cites the same print pages.
    let files: HashMap<String, String> = unzip(&epub)
        .into_iter()
        .map(|(n, _, d)| (n, String::from_utf8_lossy(&d).into_owned()))
        .collect();
    let xhtml = &files["EPUB/index.xhtml"];
    // The entry itself (not a "see also" that names it): the term followed by its locators.
    let genden = xhtml
        .split("<li epub:type=\"index-entry\"")
        .find(|li| li.contains("<span epub:type=\"index-term\">Genden, P.</span>, <a"))
        .unwrap()
        .split("</li>")
        .next()
        .unwrap();
    let epub_labels: Vec<&str> = genden
        .split("epub:type=\"index-locator\"")
        .skip(1)
        .map(|s| s.split('>').nth(1).unwrap().split('<').next().unwrap())
        .collect();
    let (_, pdf_locs) = index.iter().find(|(t, _)| t == "Genden, P.").unwrap();
    let pdf_pages: Vec<String> = pdf_locs
        .iter()
        .flat_map(|l| locator_pages(l, &labels))
        .map(|p| labels[p].clone())
        .collect();
    assert_eq!(
        epub_labels, pdf_pages,
        "EPUB and PDF cite different pages for Genden"
    );
}

fn small_book(dir: &Path, language: &str, chapter: &str, index: &str) {
    std::fs::create_dir_all(dir.join("manuscript")).unwrap();
    std::fs::write(
        dir.join("build.toml"),
        format!("[book]\ntitle = \"Index Test\"\nauthors = [\"Test\"]\nlanguage = \"{language}\"\n\n[pdf]\ntrim = \"A6\"\nmargins = {{ top = \"12mm\", bottom = \"14mm\", inner = \"12mm\", outer = \"10mm\" }}\n"),
    )
    .unwrap();
    std::fs::write(
        dir.join("manuscript/contents.md"),
        "# Body\n\n- [One](one.md)\n\n# Back matter\n\n- [Index](@index)\n",
    )
    .unwrap();
    std::fs::write(dir.join("manuscript/one.md"), chapter).unwrap();
    std::fs::write(dir.join("manuscript/index.toml"), index).unwrap();
}

#[test]
fn mongolian_terms_sort_in_mongolian_order() {
    let dir = tempfile::tempdir().unwrap();
    let text = "# Нэг\n\nӨлгий, Орхон, Улаанбаатар, Үнэн, Увс, Пүрэв, Алтай нар энд байна.\n";
    let index = [
        "Өлгий",
        "Орхон",
        "Улаанбаатар",
        "Үнэн",
        "Увс",
        "Пүрэв",
        "Алтай",
    ]
    .iter()
    .map(|t| format!("[[entry]]\nterm = \"{t}\"\n\n"))
    .collect::<String>();
    small_book(dir.path(), "mn", text, &index);
    let (_keep, pdf, epub) = build(dir.path());
    let want = [
        "Алтай",
        "Орхон",
        "Өлгий",
        "Пүрэв",
        "Увс",
        "Улаанбаатар",
        "Үнэн",
    ];
    let printed: Vec<String> = printed_index(&pdf)
        .into_iter()
        .map(|(t, _)| t)
        .filter(|t| want.contains(&t.as_str()))
        .collect();
    assert_eq!(printed, want);
    let files: HashMap<String, String> = unzip(&epub)
        .into_iter()
        .map(|(n, _, d)| (n, String::from_utf8_lossy(&d).into_owned()))
        .collect();
    let terms: Vec<&str> = files["EPUB/index.xhtml"]
        .split("<span epub:type=\"index-term\">")
        .skip(1)
        .map(|s| s.split('<').next().unwrap())
        .collect();
    assert_eq!(terms, want);
    // Letter headings: Ө and Ү are letters of their own.
    let groups: Vec<&str> = files["EPUB/index.xhtml"]
        .split("<h2 id=\"idx-group-")
        .skip(1)
        .map(|s| s.split('>').nth(1).unwrap().split('<').next().unwrap())
        .collect();
    assert_eq!(groups, ["А", "О", "Ө", "П", "У", "Ү"]);
}

#[test]
fn ranges_sub_entries_and_cross_references() {
    let dir = tempfile::tempdir().unwrap();
    // "anchor" in every paragraph of a text long enough for several pages; "buoy" twice on
    // one page; "cable" on the first page only.
    let mut text =
        String::from("# One\n\nThe cable and the buoy, and the buoy again, with the anchor.\n\n");
    for i in 0..60 {
        text.push_str(&format!("Paragraph {i} tells of the anchor of the ship and of the long voyage, of the sea and the wind that drove the small ship on across the water for many days and nights without rest.\n\n"));
    }
    let index = "[[entry]]\nterm = \"anchor\"\n  [[entry.sub]]\n  term = \"the ship's\"\n  match = [\"anchor of the ship\"]\n\n[[entry]]\nterm = \"buoy\"\nsee_also = [\"anchor\"]\n\n[[entry]]\nterm = \"cable\"\n\n[[entry]]\nterm = \"hawser\"\nsee = \"cable\"\n";
    small_book(dir.path(), "en", &text, index);
    let (_keep, pdf, _) = build(dir.path());
    let index = printed_index(&pdf);
    let get = |t: &str| {
        index
            .iter()
            .find(|(x, _)| x == t)
            .unwrap_or_else(|| panic!("no {t} in {index:?}"))
            .1
            .clone()
    };
    // The first paragraph's "anchor" is on page 1 only; the sub-entry runs over the pages.
    assert_eq!(get("anchor"), ["1"]);
    let sub = get("the ship’s");
    assert_eq!(sub.len(), 1, "consecutive pages are one range: {sub:?}");
    assert!(sub[0].starts_with("1–"), "{sub:?}");
    // Twice on one page is listed once.
    assert_eq!(get("buoy"), ["1"]);
    assert_eq!(get("cable"), ["1"]);
    let texts = pages(&pdf).join("\n");
    assert!(texts.contains("See also anchor"), "{texts}");
    assert!(texts.contains("hawser, see cable"), "{texts}");
}
