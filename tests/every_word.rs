//! No word lost: for every corpus book, the sample and the `init` project, every word of the
//! manuscript appears in the PDF's text (hyphenation undone) and in the EPUB's text, in
//! order — the running text, the notes, the captions, the text of raw HTML — and both outputs
//! pass EPUBCheck.

mod common;

use std::path::{Path, PathBuf};

use bookbuild::model::{Block, Book, EntryKind, Inline, NoteId};
use common::*;

/// The words of a book as the manuscript has them: the running text in reading order (with
/// and without the captions), the captions, and the notes in the order they are first
/// referred to.
struct Words {
    body: Vec<String>,
    with_captions: Vec<String>,
    captions: Vec<String>,
    notes: Vec<String>,
}

/// Marks around a caption's words while the manuscript is read.
const CAPTION: &str = "\u{1}caption";
const CAPTION_END: &str = "\u{1}/caption";

/// Takes the captions out of the running text. In print a figure may float to the top of the
/// next page, so its caption is checked on its own: the captions in order, any text between.
fn captions_apart(w: &mut Words) {
    let mut inside = false;
    for word in std::mem::take(&mut w.body) {
        match word.as_str() {
            CAPTION => {
                inside = true;
                w.captions.push(ANYWHERE.to_string());
            }
            CAPTION_END => inside = false,
            _ => {
                w.with_captions.push(word.clone());
                if inside {
                    w.captions.push(word);
                } else {
                    w.body.push(word);
                }
            }
        }
    }
}

fn split(s: &str) -> Vec<String> {
    s.replace(['\u{200a}', '\u{ad}'], "")
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

fn manuscript(book: &Book) -> Words {
    let mut w = Words {
        body: Vec::new(),
        with_captions: Vec::new(),
        captions: Vec::new(),
        notes: Vec::new(),
    };
    let mut refs: Vec<NoteId> = Vec::new();
    for e in &book.entries {
        match &e.kind {
            EntryKind::Document(d) => {
                match &d.heading {
                    Some(h) => {
                        w.body
                            .extend(split(&bookbuild::model::plain_text(&h.inlines)));
                        note_refs(&h.inlines, &mut refs);
                    }
                    None => w.body.extend(split(&e.title)),
                }
                blocks(&d.blocks, &mut w.body, &mut refs);
            }
            EntryKind::Group => w.body.extend(split(&e.title)),
            EntryKind::Ordering => blocks(&book.ordering_blocks, &mut w.body, &mut refs),
            // The contents and the index stand between the texts around them: any number of
            // words may come before the next word of the text.
            EntryKind::Contents | EntryKind::Index | EntryKind::Figures => {
                w.body.push(ANYWHERE.to_string())
            }
            EntryKind::Bibliography => {
                w.body.extend(split(&e.title));
                for item in &book.bibliography {
                    w.body
                        .extend(split(&bookbuild::model::plain_text(&item.content)));
                }
            }
            // The notes gathered at the back: checked with the notes, below.
            EntryKind::Notes => {
                w.body.extend(split(&e.title));
                w.body.push(ANYWHERE.to_string());
            }
        }
    }
    let mut done = vec![false; book.notes.len()];
    let mut k = 0;
    while k < refs.len() {
        let n = refs[k] as usize;
        k += 1;
        if std::mem::replace(&mut done[n], true) {
            continue;
        }
        let mut inner = Vec::new();
        // Notes stand where their references are: pages of text may come between two.
        w.notes.push(ANYWHERE.to_string());
        blocks(&book.notes[n].blocks, &mut w.notes, &mut inner);
        refs.extend(inner);
    }
    captions_apart(&mut w);
    w
}

fn note_refs(inlines: &[Inline], out: &mut Vec<NoteId>) {
    for i in inlines {
        match i {
            Inline::NoteRef(n) => out.push(*n),
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) | Inline::SmallCaps(c) => {
                note_refs(c, out)
            }
            Inline::Link(l) => note_refs(&l.content, out),
            _ => {}
        }
    }
}

fn text(inl: &[Inline], out: &mut Vec<String>, refs: &mut Vec<NoteId>) {
    out.extend(split(&bookbuild::model::plain_text(inl)));
    note_refs(inl, refs);
}

fn blocks(bs: &[Block], out: &mut Vec<String>, refs: &mut Vec<NoteId>) {
    for b in bs {
        match b {
            Block::Para(p) => text(&p.inlines, out, refs),
            Block::Heading(h) => text(&h.inlines, out, refs),
            Block::Figure(f) => {
                out.push(CAPTION.to_string());
                text(&f.caption, out, refs);
                out.push(CAPTION_END.to_string());
            }
            Block::Table(t) => {
                for row in t.header.iter().chain(t.rows.iter()) {
                    for c in row {
                        text(c, out, refs);
                    }
                }
            }
            Block::Code(c) => out.extend(split(&c.text)),
            Block::SceneBreak => {}
            Block::Quote(q) => blocks(q, out, refs),
            Block::List(l) => l.items.iter().for_each(|i| blocks(i, out, refs)),
            Block::Html(h) => blocks(&h.print, out, refs),
        }
    }
}

/// The word with one run of digits taken out, for each run it has ("estates.1" → "estates.").
fn without_one_number(w: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b: Vec<(usize, char)> = w.char_indices().collect();
    let mut k = 0;
    while k < b.len() {
        if b[k].1.is_ascii_digit() {
            let start = b[k].0;
            let mut e = k;
            while e < b.len() && b[e].1.is_ascii_digit() {
                e += 1;
            }
            let end = b.get(e).map_or(w.len(), |x| x.0);
            out.push(format!("{}{}", &w[..start], &w[end..]));
            k = e;
        } else {
            k += 1;
        }
    }
    out
}

/// How many words of other text (notes, running heads, folios, generated pages) may stand
/// between two words of the text: more than a page's worth of notes, far fewer than a
/// chapter. A word missing from the output makes the search run past this.
const MAX_GAP: usize = 2500;

/// In the words expected: the next word may come after any number of others.
const ANYWHERE: &str = "\u{0}";

/// Finds `want` in order in `got`, undoing line-end hyphenation and note numbers. Panics with
/// the first word that is not found.
fn in_order(what: &str, want: &[String], got: &[&str]) {
    let same = |c: &str, w: &str| c == w || without_one_number(c).iter().any(|x| x == w);
    let mut g = 0;
    let mut far = false;
    for (i, w) in want.iter().enumerate() {
        if w == ANYWHERE {
            far = true;
            continue;
        }
        let limit = (g + MAX_GAP).min(got.len());
        if std::mem::take(&mut far) {
            // After a gap, the text resumes where the next few words stand together.
            let run: Vec<&String> = want[i..]
                .iter()
                .take_while(|x| *x != ANYWHERE)
                .take(4)
                .collect();
            if let Some(k) = (g..got.len().saturating_sub(run.len() - 1))
                .find(|&k| run.iter().enumerate().all(|(j, x)| same(got[k + j], x)))
            {
                g = k;
            }
        }
        let limit = limit.max((g + MAX_GAP).min(got.len()));
        let mut found = None;
        let mut k = g;
        while k < limit {
            let t = got[k];
            if same(t, w) {
                found = Some(k + 1);
                break;
            }
            // A word broken at a line end: "hy-" + "phenation", "well-" + "known",
            // "Antichrist—" + "I"; the second half may come after notes and a running head.
            let prefix = |p: &str| w.starts_with(p.trim_end_matches('-'));
            if t.ends_with(['-', '—', '–', '/'])
                && (prefix(t) || without_one_number(t).iter().any(|v| prefix(v)))
            {
                let end = (k + 400).min(got.len());
                if let Some(j) = (k + 1..end).find(|&j| {
                    same(&format!("{}{}", t.trim_end_matches('-'), got[j]), w)
                        || same(&format!("{t}{}", got[j]), w)
                }) {
                    found = Some(j + 1);
                    break;
                }
            }
            k += 1;
        }
        match found {
            Some(next) => g = next,
            None => {
                let context: Vec<&String> = want[i.saturating_sub(8)..(i + 8).min(want.len())]
                    .iter()
                    .collect();
                let near: Vec<&&str> = got[g.saturating_sub(10)..(g + 30).min(got.len())]
                    .iter()
                    .collect();
                panic!(
                    "{what}: word {i} of {} ({w:?}) is not found in order.\nmanuscript: {context:?}\noutput near it: {near:?}",
                    want.len()
                );
            }
        }
    }
}

fn pdf_words(pdf: &Path) -> String {
    let out = std::process::Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext is installed (.ci/run and scripts/test install poppler-utils)");
    String::from_utf8_lossy(&out.stdout).replace('\u{200a}', "")
}

/// The text of the EPUB's content documents in spine order, tags removed (note references
/// taken out whole, so their numbers do not stick to words).
fn epub_words(epub: &Path) -> String {
    let files = unzip(epub);
    let get = |name: &str| {
        files
            .iter()
            .find(|(n, ..)| n == name)
            .map(|(_, _, d)| String::from_utf8_lossy(d).into_owned())
    };
    let opf = get("EPUB/package.opf").expect("a package document");
    let mut text = String::new();
    for item in opf.split("<itemref idref=\"").skip(1) {
        let id = item.split('"').next().unwrap();
        let href = opf
            .split("<item ")
            .find(|i| i.contains(&format!("id=\"{id}\"")))
            .and_then(|i| i.split("href=\"").nth(1))
            .and_then(|h| h.split('"').next())
            .unwrap();
        let doc = get(&format!("EPUB/{href}")).unwrap();
        let body = doc.split("<body").nth(1).unwrap_or("");
        text.push_str(&strip_tags(body));
        text.push(' ');
    }
    text.replace('\u{200a}', "")
}

fn strip_tags(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('<') {
        out.push_str(&unescape(&rest[..i]));
        let tag_end = rest[i..].find('>').map_or(rest.len(), |e| i + e + 1);
        let tag = &rest[i..tag_end];
        rest = &rest[tag_end..];
        if tag.contains("epub:type=\"noteref\"") {
            // Skip the reference's number and its end tag.
            let close = rest.find("</a>").map_or(rest.len(), |e| e + 4);
            rest = &rest[close..];
        } else if block_tag(tag) {
            out.push(' ');
        }
    }
    out.push_str(&unescape(rest));
    out
}

/// A tag that ends a line of text (a block's start or end, a line break); inline tags such as
/// `<em>` or the empty page-break and index spans join the text on either side.
fn block_tag(tag: &str) -> bool {
    let name: String = tag
        .trim_start_matches(['<', '/'])
        .chars()
        .take_while(char::is_ascii_alphanumeric)
        .collect();
    matches!(
        name.as_str(),
        "br" | "p"
            | "div"
            | "li"
            | "ul"
            | "ol"
            | "dl"
            | "dt"
            | "dd"
            | "h1"
            | "h2"
            | "h3"
            | "h4"
            | "h5"
            | "h6"
            | "blockquote"
            | "section"
            | "aside"
            | "figure"
            | "figcaption"
            | "table"
            | "tr"
            | "td"
            | "th"
            | "pre"
            | "hr"
            | "nav"
            | "header"
            | "footer"
            | "img"
    )
}

fn unescape(s: &str) -> String {
    s.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

fn check(name: &str, project: &Path) {
    let (book, diags) = bookbuild::project::load(project);
    let book = book.unwrap_or_else(|| panic!("{name} loads: {:?}", diags.into_sorted()));
    let words = manuscript(&book);
    assert!(words.body.len() > 50, "{name}: {} words", words.body.len());
    let out = tempfile::tempdir().unwrap();
    let o = build_into(project, "build", out.path());
    assert!(o.status.success(), "{name}: {}", stderr(&o));
    let pdf = pdf_words(&only(out.path(), "pdf"));
    // Leader dots are not words.
    let pdf: Vec<&str> = pdf
        .split_whitespace()
        .filter(|t| !t.chars().all(|c| c == '.'))
        .collect();
    in_order(&format!("{name} PDF, text"), &words.body, &pdf);
    in_order(&format!("{name} PDF, captions"), &words.captions, &pdf);
    in_order(&format!("{name} PDF, notes"), &words.notes, &pdf);
    let epub_path = only(out.path(), "epub");
    let epub = epub_words(&epub_path);
    let epub: Vec<&str> = epub.split_whitespace().collect();
    in_order(&format!("{name} EPUB, text"), &words.with_captions, &epub);
    in_order(&format!("{name} EPUB, notes"), &words.notes, &epub);
    let (ok, report) = epubcheck(&epub_path);
    assert!(ok, "{name}: {report}");
}

fn corpus_book(name: &str) -> PathBuf {
    corpus(name)
}

#[test]
fn war_and_peace() {
    check("war-and-peace", &corpus_book("war-and-peace"));
}

#[test]
fn sherlock_holmes() {
    check("sherlock-holmes", &corpus_book("sherlock-holmes"));
}

#[test]
fn alice() {
    check("alice", &corpus_book("alices-adventures-in-wonderland"));
}

#[test]
fn meditations() {
    check("meditations", &corpus_book("meditations"));
}

#[test]
fn eliot_poetry() {
    check("eliot-poetry", &corpus_book("eliot-poetry"));
}

#[test]
fn the_sample_book() {
    check("sample", &repo());
}

#[test]
fn the_init_project() {
    let dir = init_project();
    check("init", &book(&dir));
}

/// The search finds a word that is there and misses one that is not.
#[test]
fn the_search_misses_a_lost_word() {
    let want: Vec<String> = ["A", "rare", "word", "here"].map(String::from).to_vec();
    in_order("present", &want, &["A", "ra-", "3", "re", "word1", "here"]);
    let lost = std::panic::catch_unwind(|| in_order("lost", &want, &["A", "word", "here"]));
    assert!(lost.is_err());
}
