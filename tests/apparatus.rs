//! The scholar's apparatus: citations formatted in the book's style (Chicago notes and
//! author-date), the bibliography generated from them, and endnotes at the end of chapters
//! or at the back of the book. Print is checked on the display list, the EPUB on its text;
//! both must say the same.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bookbuild::display::{LineRole, PItem, Page, PageKind};
use bookbuild::model::{Book, EntryKind};
use common::*;

/// The test book: three chapters citing eight real works 25 times, in 22 places.
fn citations_book() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&repo().join("tests/fixtures/citations"), dir.path());
    dir
}

struct Laid {
    book: Book,
    pages: Vec<Page>,
    hit_page: Vec<String>,
}

fn typeset(dir: &Path) -> Laid {
    let book = common::loaded(dir);
    let index = bookbuild::index::build::build(&book);
    let ts = bookbuild::typeset::typeset(&book, &index).expect("typesets");
    Laid {
        book,
        pages: ts.doc.pages.clone(),
        hit_page: ts.page_map.hit_page,
    }
}

/// The text on a baseline of a page.
fn line_text(p: &Page, y: f32) -> String {
    let mut runs: Vec<(f32, &str)> = p
        .items
        .iter()
        .filter_map(|i| match i {
            PItem::Text { run, x, y: ry } if (ry - run.rise - y).abs() < 0.01 => {
                Some((*x, &*run.text))
            }
            _ => None,
        })
        .collect();
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    runs.iter().map(|r| r.1).collect()
}

/// Where a line's text starts.
fn line_x(p: &Page, y: f32) -> f32 {
    p.items
        .iter()
        .filter_map(|i| match i {
            PItem::Text { run, x, y: ry } if (ry - run.rise - y).abs() < 0.01 => Some(*x),
            _ => None,
        })
        .fold(f32::MAX, f32::min)
}

/// Lines joined into running text, hyphenation at line ends undone.
fn join(lines: &[String]) -> String {
    let mut out = String::new();
    for l in lines {
        if out.ends_with('-') && l.chars().next().is_some_and(char::is_lowercase) {
            out.pop();
        } else if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(l.trim());
    }
    out
}

/// Each note's text as printed, by note id, and the pages its lines are on.
fn printed_notes(b: &Laid) -> HashMap<u32, (String, Vec<usize>)> {
    let mut lines: HashMap<u32, (Vec<String>, Vec<usize>)> = HashMap::new();
    for (pi, p) in b.pages.iter().enumerate() {
        for l in &p.lines {
            if let LineRole::Note { note, .. } = l.role {
                let e = lines.entry(note).or_default();
                e.0.push(line_text(p, l.baseline));
                e.1.push(pi);
            }
        }
    }
    lines
        .into_iter()
        .map(|(n, (ls, pages))| (n, (join(&ls), pages)))
        .collect()
}

/// The running text of the pages of entry `entry` (body lines only).
fn body_text(b: &Laid, entry: usize) -> String {
    let mut lines = Vec::new();
    for p in b.pages.iter().filter(|p| p.entry == Some(entry)) {
        for l in p.lines.iter().filter(|l| l.role == LineRole::Text) {
            lines.push(line_text(p, l.baseline));
        }
    }
    join(&lines)
}

fn entry_of(book: &Book, pred: impl Fn(&EntryKind) -> bool) -> usize {
    book.entries.iter().position(|e| pred(&e.kind)).unwrap()
}

fn chapter(book: &Book, title: &str) -> usize {
    book.entries.iter().position(|e| e.title == title).unwrap()
}

/// The note of a chapter with printed number `n`.
fn note_numbered(book: &Book, entry: usize, n: u32) -> u32 {
    book.notes
        .iter()
        .position(|x| x.entry == entry && x.number == n)
        .unwrap_or_else(|| panic!("no note {n} in entry {entry}")) as u32
}

#[test]
fn chicago_notes_full_first_then_short_and_a_bibliography_by_author() {
    let dir = citations_book();
    let b = typeset(dir.path());
    let notes = printed_notes(&b);
    let paragraphs = chapter(&b.book, "Breaking paragraphs");
    let words = chapter(&b.book, "Breaking words");
    let note = |entry, n| notes[&note_numbered(&b.book, entry, n)].0.clone();
    // 22 citations, 21 of them notes of their own, one inside a note of the author's.
    let cited = b.book.notes.iter().filter(|n| n.label.is_empty()).count();
    assert_eq!(cited, 21);
    // First citation in a chapter in full, later ones short.
    assert_eq!(
        note(paragraphs, 1),
        "1. Donald E. Knuth and Michael F. Plass, “Breaking Paragraphs into Lines,” Software: Practice and Experience 11, no. 11 (1981): 1119, https://doi.org/10.1002/spe.4380111102."
    );
    assert_eq!(
        note(paragraphs, 2),
        "2. Knuth and Plass, “Breaking Paragraphs into Lines,” 1120–24."
    );
    assert_eq!(
        note(paragraphs, 5),
        "5. Bringhurst, The Elements of Typographic Style, 27–29."
    );
    // A prefix and two works in one note.
    assert_eq!(
        note(paragraphs, 8),
        "8. See Knuth, The TeXbook, 97; Knuth, “Mathematical Typography,” 25."
    );
    // Positions count per chapter: the first citation in the next chapter is full again.
    assert!(
        note(words, 6).starts_with("6. Donald E. Knuth and Michael F. Plass, “Breaking Paragraphs"),
        "{}",
        note(words, 6)
    );
    // The author's own note keeps its text and its citation, in parentheses.
    let own = b
        .book
        .notes
        .iter()
        .position(|n| n.label == "margin")
        .unwrap() as u32;
    let own_text = &notes[&own].0;
    assert!(
        own_text.starts_with("11. The margins of the early manuscripts"),
        "{own_text}"
    );
    assert!(
        own_text.ends_with(
            "written (“Lindisfarne Gospels,” 720 AD, Cotton MS Nero D IV, British Library)."
        ),
        "{own_text}"
    );
    // In the text: note numbers after the punctuation, narrative citations by name.
    let text = body_text(&b, paragraphs);
    assert!(text.contains("was published in 1981.1 It treats"), "{text}");
    assert!(text.contains("As Knuth6 explains"), "{text}");
    // The bibliography: every work cited, by author (a work without one by its title).
    let bib = entry_of(&b.book, |k| matches!(k, EntryKind::Bibliography));
    let firsts: Vec<String> = b
        .pages
        .iter()
        .filter(|p| p.entry == Some(bib))
        .flat_map(|p| {
            p.lines
                .iter()
                .filter(|l| l.role == LineRole::Text)
                .filter(|l| l.point.is_some_and(|pt| pt.offset == 0))
                .map(|l| line_text(p, l.baseline))
                .collect::<Vec<_>>()
        })
        .collect();
    let heads: Vec<&str> = firsts
        .iter()
        .map(|l| l.split(['.', ',']).next().unwrap())
        .collect();
    assert_eq!(
        heads,
        [
            "Bringhurst",
            "Knuth",
            "Knuth",
            "Knuth",
            "Liang",
            "“Lindisfarne Gospels",
            "Tschichold",
            "Unicode Consortium"
        ],
        "{firsts:#?}"
    );
    // Every entry starts flush and runs on with a hanging indent.
    let mut hung = 0;
    for p in b.pages.iter().filter(|p| p.entry == Some(bib)) {
        let xs: Vec<(bool, f32)> = p
            .lines
            .iter()
            .filter(|l| l.role == LineRole::Text)
            .map(|l| {
                (
                    l.point.is_some_and(|pt| pt.offset == 0),
                    line_x(p, l.baseline),
                )
            })
            .collect();
        // (An opening quotation mark hangs into the margin.)
        let flush = xs.iter().filter(|x| x.0).map(|x| x.1).fold(0.0, f32::max);
        for (first, x) in &xs {
            if *first {
                assert!(*x <= flush + 0.01 && *x > flush - 3.0, "{xs:?}");
            } else {
                assert!(*x > flush + 15.0, "{xs:?}");
                hung += 1;
            }
        }
    }
    assert!(hung >= 5);
}

/// The index points into the notes and into the bibliography as into the text.
#[test]
fn the_index_finds_terms_in_notes_and_in_the_bibliography() {
    let dir = citations_book();
    let b = typeset(dir.path());
    let term = |t: &str| {
        b.book
            .index
            .entries
            .iter()
            .position(|e| e.term == t)
            .unwrap() as u32
    };
    let pages_of = |t: &str| -> Vec<String> {
        let id = term(t);
        b.book
            .index
            .hits
            .iter()
            .enumerate()
            .filter(|(_, h)| h.entry == id)
            .map(|(i, _)| b.hit_page[i].clone())
            .collect()
    };
    let bib = entry_of(&b.book, |k| matches!(k, EntryKind::Bibliography));
    let bib_pages: Vec<String> = b
        .pages
        .iter()
        .filter(|p| p.entry == Some(bib))
        .map(Page::label)
        .collect();
    let words = chapter(&b.book, "Breaking words");
    let words_pages: Vec<String> = b
        .pages
        .iter()
        .filter(|p| p.entry == Some(words))
        .map(Page::label)
        .collect();
    // "Stanford University" is printed only in the notes on Liang's thesis and in its entry.
    let stanford = pages_of("Stanford University");
    assert!(
        stanford.iter().any(|p| bib_pages.contains(p)),
        "{stanford:?} {bib_pages:?}"
    );
    assert!(
        stanford.iter().any(|p| words_pages.contains(p)),
        "{stanford:?} {words_pages:?}"
    );
    assert!(stanford.iter().all(|p| !p.is_empty()));
}

/// The EPUB of the test book: the same notes, the bibliography as a list, each citation
/// linked to its entry and each note both ways.
#[test]
fn the_epub_says_the_same_and_links_every_citation() {
    let dir = citations_book();
    let out = tempfile::tempdir().unwrap();
    let o = build_into(dir.path(), "build", out.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let epub = only(out.path(), "epub");
    let files: HashMap<String, String> = unzip(&epub)
        .into_iter()
        .map(|(n, _, d)| (n, String::from_utf8_lossy(&d).into_owned()))
        .collect();
    let ch = &files["EPUB/paragraphs.xhtml"];
    assert!(
        ch.contains("was published in 1981.<a epub:type=\"noteref\""),
        "{ch}"
    );
    assert!(ch.contains("<aside epub:type=\"footnote\" role=\"doc-footnote\" class=\"footnote\" id=\"fn-0\">\n<p><a href=\"#fnref-0\" role=\"doc-backlink\" class=\"backlink\">1.</a> Donald E. Knuth and Michael F. Plass, “Breaking Paragraphs into Lines,” <em>Software: Practice and Experience</em> 11, no. 11 (1981): 1119, <a href=\"https://doi.org/10.1002/spe.4380111102\">"), "{ch}");
    assert!(ch.contains("<a href=\"bibliography.xhtml#bib-knuth1981\">Knuth and Plass, “Breaking Paragraphs into Lines,” 1120–24</a>."), "{ch}");
    let bib = &files["EPUB/bibliography.xhtml"];
    assert!(
        bib.contains("<section epub:type=\"bibliography\" role=\"doc-bibliography\""),
        "{bib}"
    );
    let ids: Vec<&str> = bib
        .split("<li id=\"")
        .skip(1)
        .map(|s| s.split('"').next().unwrap())
        .collect();
    assert_eq!(
        ids,
        [
            "bib-bringhurst2004",
            "bib-knuth1999",
            "bib-knuth1984",
            "bib-knuth1981",
            "bib-liang1983",
            "bib-lindisfarne",
            "bib-tschichold1991",
            "bib-uax14"
        ]
    );
    // Every internal link resolves.
    for (name, text) in files.iter().filter(|(n, _)| n.ends_with(".xhtml")) {
        for href in text
            .split("href=\"")
            .skip(1)
            .map(|s| s.split('"').next().unwrap())
        {
            if href.starts_with("http") || href.ends_with(".css") {
                continue;
            }
            let (file, frag) = href.split_once('#').unwrap_or((href, ""));
            let target = if file.is_empty() {
                name.clone()
            } else {
                format!("EPUB/{file}")
            };
            let t = files
                .get(&target)
                .unwrap_or_else(|| panic!("{name}: {href}"));
            assert!(
                frag.is_empty() || t.contains(&format!("id=\"{frag}\"")),
                "{name}: {href}"
            );
        }
    }
    let (ok, report) = epubcheck(&epub);
    assert!(ok, "{report}");
}

#[test]
fn author_date_prints_citations_in_the_text() {
    let dir = citations_book();
    edit(&dir.path().join("build.toml"), |s| {
        s.replace(
            "style = \"chicago-notes\"",
            "style = \"chicago-author-date\"",
        )
    });
    let b = typeset(dir.path());
    let paragraphs = chapter(&b.book, "Breaking paragraphs");
    let text = body_text(&b, paragraphs);
    assert!(
        text.contains("published in 1981 (Knuth and Plass 1981, 1119)."),
        "{text}"
    );
    assert!(text.contains("As Knuth (1984, 96) explains"), "{text}");
    // Two works of one author: the name once (CMoS 15.29).
    assert!(text.contains("(see Knuth 1984, 97; 1999, 25)"), "{text}");
    // Only the author's own note is a note.
    assert_eq!(b.book.notes.len(), 1);
    let notes = printed_notes(&b);
    assert!(
        notes[&0]
            .0
            .ends_with("are written (“Lindisfarne Gospels” 720 AD)."),
        "{:?}",
        notes[&0]
    );
    let bib = entry_of(&b.book, |k| matches!(k, EntryKind::Bibliography));
    let first = b.book.bibliography.first().unwrap();
    assert_eq!(first.key, "bringhurst2004");
    assert!(
        bookbuild::model::plain_text(&first.content)
            .starts_with("Bringhurst, Robert. 2004. The Elements")
    );
    assert!(b.pages.iter().any(|p| p.entry == Some(bib)));
}

fn meditations_with(placement: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&corpus("meditations"), dir.path());
    let p = dir.path().to_path_buf();
    edit(&p.join("build.toml"), |s| {
        format!("{s}\n[notes]\nplacement = \"{placement}\"\n")
    });
    if placement == "book" {
        edit(&p.join("manuscript/contents.md"), |s| {
            s.replace(
                "- [Colophon](colophon.md)",
                "- [Notes](@notes)\n- [Colophon](colophon.md)",
            )
        });
    }
    (dir, p)
}

/// Meditations' 122 notes at the back: none at a page foot, all under their book's title,
/// running heads naming the pages they serve.
#[test]
fn endnotes_at_the_back_of_meditations() {
    let (_dir, p) = meditations_with("book");
    let b = typeset(&p);
    let notes_entry = entry_of(&b.book, |k| matches!(k, EntryKind::Notes));
    let printed = printed_notes(&b);
    assert_eq!(printed.len(), 122);
    for (n, (_, pages)) in &printed {
        assert!(
            pages
                .iter()
                .all(|&pi| b.pages[pi].entry == Some(notes_entry)),
            "note {n} is not at the back"
        );
    }
    // Under the title of each book of the Meditations that has notes, in order.
    let groups: Vec<String> = b
        .pages
        .iter()
        .filter(|p| p.entry == Some(notes_entry))
        .flat_map(|p| {
            p.lines
                .iter()
                .filter(|l| l.role == LineRole::Heading { level: 2 })
                .map(|l| line_text(p, l.baseline))
                .collect::<Vec<_>>()
        })
        .collect();
    assert_eq!(groups.first().map(String::as_str), Some("Book I"));
    assert!(groups.len() >= 10, "{groups:?}");
    // Where each note is referred to.
    let mut ref_page: HashMap<u32, usize> = HashMap::new();
    for (pi, pg) in b
        .pages
        .iter()
        .enumerate()
        .filter(|(_, p)| p.entry != Some(notes_entry))
    {
        for n in &pg.note_refs {
            ref_page.entry(*n).or_insert(pi);
        }
    }
    assert_eq!(ref_page.len(), 122);
    let mut headed = 0;
    for pg in b
        .pages
        .iter()
        .filter(|p| p.entry == Some(notes_entry) && p.kind == PageKind::Body)
    {
        let on: Vec<usize> = pg
            .lines
            .iter()
            .filter_map(|l| match l.role {
                LineRole::Note { note, .. } => ref_page.get(&note).copied(),
                _ => None,
            })
            .collect();
        let (lo, hi) = (on.iter().min().unwrap(), on.iter().max().unwrap());
        let (a, z) = (b.pages[*lo].label(), b.pages[*hi].label());
        let want = if lo == hi {
            format!("Notes to page {a}")
        } else {
            format!("Notes to pages {a}–{z}")
        };
        let head = pg
            .lines
            .iter()
            .filter(|l| l.role == LineRole::Furniture)
            .map(|l| line_text(pg, l.baseline))
            .next()
            .unwrap();
        assert!(
            head.contains(&want),
            "page {}: {head:?}, want {want:?}",
            pg.label()
        );
        headed += 1;
    }
    assert!(headed >= 5);
}

/// The same book's EPUB: every note reference leads to its note and every note back.
#[test]
fn endnotes_in_the_epub_are_linked_both_ways() {
    let (_dir, p) = meditations_with("book");
    let out = tempfile::tempdir().unwrap();
    let o = build_into(&p, "build", out.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let epub = only(out.path(), "epub");
    let files: HashMap<String, String> = unzip(&epub)
        .into_iter()
        .map(|(n, _, d)| (n, String::from_utf8_lossy(&d).into_owned()))
        .collect();
    let notes = &files["EPUB/notes.xhtml"];
    assert!(notes.contains("<section epub:type=\"endnotes\" role=\"doc-endnotes\""));
    assert_eq!(notes.matches("epub:type=\"endnote\"").count(), 122);
    let mut refs = 0;
    for (name, text) in files
        .iter()
        .filter(|(n, _)| n.ends_with(".xhtml") && !n.ends_with("notes.xhtml"))
    {
        assert!(
            !text.contains("epub:type=\"footnote\""),
            "{name} has a footnote"
        );
        for a in text.split("<a epub:type=\"noteref\"").skip(1) {
            let id = a.split("id=\"").nth(1).unwrap().split('"').next().unwrap();
            let href = a
                .split("href=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let frag = href
                .strip_prefix("notes.xhtml#")
                .unwrap_or_else(|| panic!("{name}: {href}"));
            assert!(notes.contains(&format!("id=\"{frag}\"")), "{href}");
            // The note links back to this reference.
            let file = name.trim_start_matches("EPUB/");
            if !id.contains("-2") {
                assert!(
                    notes.contains(&format!("href=\"{file}#{id}\"")),
                    "no backlink to {file}#{id}"
                );
            }
            refs += 1;
        }
    }
    assert!(refs >= 122, "{refs}");
    let (ok, report) = epubcheck(&epub);
    assert!(ok, "{report}");
}

/// Notes at the end of each chapter, numbered through the book.
#[test]
fn endnotes_at_the_end_of_each_chapter() {
    let (_dir, p) = meditations_with("chapter");
    edit(&p.join("build.toml"), |s| {
        format!("{s}numbering = \"book\"\n")
    });
    let b = typeset(&p);
    let printed = printed_notes(&b);
    assert_eq!(printed.len(), 122);
    let numbers: Vec<u32> = {
        let mut v: Vec<u32> = b.book.notes.iter().map(|n| n.number).collect();
        v.sort_unstable();
        v
    };
    assert_eq!(numbers, (1..=122).collect::<Vec<u32>>());
    for (n, (_, pages)) in &printed {
        let note = &b.book.notes[*n as usize];
        let top = b.book.top_of(note.entry);
        // On the chapter's own pages, after all of its text.
        let last_text = b
            .pages
            .iter()
            .enumerate()
            .filter(|(_, p)| {
                p.entry == Some(top) && p.lines.iter().any(|l| l.role == LineRole::Text)
            })
            .map(|(i, _)| i)
            .max()
            .unwrap();
        for &pi in pages {
            assert_eq!(b.pages[pi].entry, Some(top), "note {n}");
            assert!(
                pi >= last_text,
                "note {n} on page {pi}, before the chapter's text ends on {last_text}"
            );
        }
    }
}
