//! Page layout, tested on the display list: books are loaded and typeset in process and the
//! pages asserted on as the typesetter left them. No PDF is written or read here.

mod common;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use bookbuild::display::{LineRole, Numbering, PItem, Page, PageKind, Run};
use bookbuild::model::{Book, Placement};
use bookbuild::typeset::Typeset;

/// A book loaded and typeset.
struct Laid {
    book: Book,
    ts: Typeset,
}

impl Laid {
    fn pages(&self) -> &[Page] {
        &self.ts.doc.pages
    }

    /// The left edge of the text block on a page.
    fn left(&self, p: &Page) -> f32 {
        let m = &self.book.config.pdf.margins;
        (if p.recto { m.inner.0 } else { m.outer.0 }) as f32
    }

    fn top(&self) -> f32 {
        self.book.config.pdf.margins.top.0 as f32
    }

    fn measure(&self) -> f32 {
        let pdf = &self.book.config.pdf;
        (pdf.trim_width.0 - pdf.margins.inner.0 - pdf.margins.outer.0) as f32
    }

    fn text_height(&self) -> f32 {
        let pdf = &self.book.config.pdf;
        (pdf.trim_height.0 - pdf.margins.top.0 - pdf.margins.bottom.0) as f32
    }

    fn leading(&self) -> f32 {
        self.book.config.pdf.leading.0 as f32
    }

    /// The runs on baseline `y` of a page, left to right, with their x.
    fn line_runs<'p>(&self, p: &'p Page, y: f32) -> Vec<(f32, &'p Run)> {
        let mut runs: Vec<(f32, &Run)> = p
            .items
            .iter()
            .filter_map(|i| match i {
                PItem::Text { run, x, y: ry } if (ry - run.rise - y).abs() < 0.01 => {
                    Some((*x, run))
                }
                _ => None,
            })
            .collect();
        runs.sort_by(|a, b| a.0.total_cmp(&b.0));
        runs
    }

    /// The text of the line on baseline `y` of a page.
    fn line_text(&self, p: &Page, y: f32) -> String {
        self.line_runs(p, y)
            .iter()
            .map(|r| &*r.1.text)
            .collect::<String>()
    }
}

fn typeset(dir: &Path) -> Laid {
    let book = common::loaded(dir);
    let index = bookbuild::index::build::build(&book);
    let ts = bookbuild::typeset::typeset(&book, &index).expect("typesets");
    Laid { book, ts }
}

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../shared/corpus")
        .join(name)
}

/// Each book is typeset once per test process.
fn book(name: &str) -> &'static Laid {
    static BOOKS: OnceLock<std::sync::Mutex<HashMap<String, &'static Laid>>> = OnceLock::new();
    let map = BOOKS.get_or_init(Default::default);
    if let Some(b) = map.lock().unwrap().get(name) {
        return b;
    }
    let dir = match name {
        "sample" => PathBuf::from(env!("CARGO_MANIFEST_DIR")),
        other => corpus(other),
    };
    let laid: &'static Laid = Box::leak(Box::new(typeset(&dir)));
    map.lock().unwrap().insert(name.to_string(), laid);
    laid
}

/// A small project in a temporary folder: `chapters` are (file stem, Markdown) in the body.
fn project(extra_toml: &str, chapters: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    std::fs::create_dir_all(p.join("manuscript")).unwrap();
    std::fs::write(
        p.join("build.toml"),
        format!(
            "[book]\ntitle = \"Layout\"\nauthors = [\"A. Tester\"]\nlanguage = \"en\"\n{extra_toml}"
        ),
    )
    .unwrap();
    let mut contents = String::from("# Body\n\n");
    for (stem, text) in chapters {
        contents.push_str(&format!("- [{stem}]({stem}.md)\n"));
        std::fs::write(p.join("manuscript").join(format!("{stem}.md")), text).unwrap();
    }
    std::fs::write(p.join("manuscript/contents.md"), contents).unwrap();
    dir
}

/// Prose of `n` paragraphs of varied length.
fn prose(n: usize) -> String {
    let words = [
        "the", "steppe", "ran", "on", "toward", "horizon", "where", "riders", "waited", "for",
        "news", "of", "treaties", "signed", "far", "away", "in", "cities", "nobody", "had", "seen",
    ];
    let mut out = String::new();
    for k in 0..n {
        let len = 30 + (k * 37) % 90;
        let para: Vec<&str> = (0..len)
            .map(|i| words[(i * 7 + k * 3) % words.len()])
            .collect();
        out.push_str(&para.join(" "));
        out.push_str(".\n\n");
    }
    out
}

/// How deep a page's content goes (its running head aside): the lowest line box's bottom.
fn bottom(p: &Page) -> Option<f32> {
    p.lines
        .iter()
        .filter(|l| l.role != LineRole::Furniture)
        .map(|l| l.bottom)
        .fold(None, |m: Option<f32>, b| Some(m.map_or(b, |m| m.max(b))))
}

/// Whether page `i` is the last page of its chunk (the next opens another, or is blank).
fn ends_chunk(pages: &[Page], i: usize) -> bool {
    pages.get(i + 1).is_none_or(|n| {
        matches!(
            n.kind,
            PageKind::Opening | PageKind::Blank | PageKind::Title
        )
    })
}

#[test]
fn chapters_open_on_rectos_without_running_heads() {
    for name in ["sample", "meditations"] {
        let b = book(name);
        let openings: Vec<&Page> = b
            .pages()
            .iter()
            .filter(|p| p.kind == PageKind::Opening)
            .collect();
        assert!(openings.len() > 5, "{name}");
        for p in openings {
            assert!(
                p.recto,
                "{name}: page {} opens a chapter on a verso",
                p.label()
            );
            assert!(
                p.lines.iter().all(|l| l.role != LineRole::Furniture),
                "{name}: page {} has a running head",
                p.label()
            );
            let first = p.lines.first().expect("an opening has lines");
            assert_eq!(
                first.role,
                LineRole::Heading { level: 1 },
                "{name}: {}",
                p.label()
            );
            // The title is sunk below the top of the text block.
            assert!(first.baseline > b.top() + b.text_height() * 0.15);
        }
    }
}

#[test]
fn body_pages_carry_a_running_head_and_an_outer_folio() {
    let b = book("meditations");
    let title = &b.book.config.book.title;
    let mut checked = 0;
    for p in b.pages().iter().filter(|p| p.kind == PageKind::Body) {
        let head = p
            .lines
            .iter()
            .find(|l| l.role == LineRole::Furniture)
            .unwrap_or_else(|| panic!("page {} has no running head", p.label()));
        assert!(head.baseline < b.top(), "the head is above the text block");
        let text = b.line_text(p, head.baseline);
        let chapter = &b.book.entries[p.entry.expect("a body page belongs to an entry")].title;
        let (folio, rest) = if p.recto {
            let f = text
                .strip_suffix(&p.label())
                .expect("the folio ends a recto's head");
            (p.label(), f.to_string())
        } else {
            let f = text
                .strip_prefix(&p.label())
                .expect("the folio starts a verso's head");
            (p.label(), f.to_string())
        };
        assert!(!folio.is_empty());
        let want = if p.recto { chapter } else { title };
        let shown = rest.trim_end_matches('…');
        assert!(
            want.starts_with(shown.trim()),
            "page {}: head {rest:?}, expected {want:?}",
            p.label()
        );
        // The folio sits at the outer edge: the right end of a recto, the left of a verso.
        let folio_run = p
            .items
            .iter()
            .filter_map(|i| match i {
                PItem::Text { run, x, y } if (*y - head.baseline).abs() < 0.01 => Some((run, *x)),
                _ => None,
            })
            .find(|(r, _)| *r.text == *p.label())
            .expect("the folio is a run of its own");
        let left = b.left(p);
        if p.recto {
            let end = folio_run.1 + folio_run.0.width();
            assert!(
                (end - (left + b.measure())).abs() < 0.05,
                "page {}",
                p.label()
            );
        } else {
            assert!((folio_run.1 - left).abs() < 0.05, "page {}", p.label());
        }
        checked += 1;
    }
    assert!(checked > 50, "{checked}");
}

#[test]
fn blank_pages_hold_nothing() {
    for name in ["sample", "meditations"] {
        let b = book(name);
        let blanks: Vec<&Page> = b
            .pages()
            .iter()
            .filter(|p| p.kind == PageKind::Blank)
            .collect();
        assert!(
            !blanks.is_empty(),
            "{name} has blank versos before its rectos"
        );
        for p in blanks {
            assert!(!p.recto);
            assert!(p.items.is_empty() && p.lines.is_empty() && p.links.is_empty());
        }
    }
}

#[test]
fn front_matter_is_roman_and_the_body_starts_at_one_on_a_recto() {
    let b = book("sample");
    let pages = b.pages();
    let first = pages
        .iter()
        .position(|p| p.numbering == Numbering::Arabic)
        .expect("a body");
    assert!(
        pages[..first]
            .iter()
            .all(|p| p.numbering == Numbering::Roman)
    );
    assert_eq!(pages[first].number, 1);
    assert!(pages[first].recto);
    assert_eq!(pages[0].kind, PageKind::Title);
    assert!(pages[0].recto);
    // Numbers run on without gaps.
    for w in pages.windows(2) {
        if w[0].numbering == w[1].numbering {
            assert_eq!(w[1].number, w[0].number + 1);
        }
    }
}

/// Every footnote starts on the page that refers to it (a long one may continue later).
#[test]
fn footnotes_start_on_the_page_of_their_reference() {
    let b = book("war-and-peace");
    let mut seen = 0;
    for p in b.pages() {
        for n in &p.note_refs {
            let starts_here = p.lines.iter().any(|l| {
                l.role
                    == (LineRole::Note {
                        note: *n,
                        first: true,
                    })
            });
            assert!(
                starts_here,
                "note {} is referred to on page {} but does not start there",
                b.book.notes[*n as usize].number,
                p.label()
            );
            seen += 1;
        }
    }
    assert_eq!(seen, b.book.notes.len(), "every note is referred to once");
    // And every note is printed.
    let mut printed = vec![false; b.book.notes.len()];
    for p in b.pages() {
        for l in &p.lines {
            if let LineRole::Note { note, first: true } = l.role {
                printed[note as usize] = true;
            }
        }
    }
    assert!(printed.iter().all(|x| *x));
}

#[test]
fn a_long_note_continues_on_the_next_page() {
    let long = "A very long note that goes on and on about the matter at hand. ".repeat(120);
    let text = format!(
        "# One\n\n{}The reference.[^1]\n\n{}\n[^1]: {long}\n",
        prose(6),
        prose(6)
    );
    let dir = project("", &[("one", &text)]);
    let b = typeset(dir.path());
    let with_ref = b
        .pages()
        .iter()
        .position(|p| p.note_refs.contains(&0))
        .expect("the reference is set");
    let count = |p: &Page| {
        p.lines
            .iter()
            .filter(|l| matches!(l.role, LineRole::Note { note: 0, .. }))
            .count()
    };
    let here = count(&b.pages()[with_ref]);
    let next = count(&b.pages()[with_ref + 1]);
    assert!(
        here >= 1 && next >= 1,
        "{here} lines here, {next} on the next page"
    );
    let total: usize = b.pages().iter().map(count).sum();
    assert!(total > here + next - 1, "{total}");
    // Notes never run below the text block.
    for p in b.pages() {
        if let Some(bt) = bottom(p) {
            assert!(bt <= b.top() + b.text_height() + 0.1, "page {}", p.label());
        }
    }
}

/// Facing pages end on the same line (within one line) inside a chunk.
#[test]
fn facing_pages_end_level() {
    let b = book("war-and-peace");
    let pages = b.pages();
    let mut checked = 0;
    for v in (1..pages.len().saturating_sub(1)).filter(|i| !pages[*i].recto) {
        let r = v + 1;
        let (pv, pr) = (&pages[v], &pages[r]);
        if pv.kind != PageKind::Body || pr.kind != PageKind::Body || ends_chunk(pages, r) {
            continue;
        }
        let (Some(bv), Some(br)) = (bottom(pv), bottom(pr)) else {
            continue;
        };
        assert!(
            (bv - br).abs() <= b.leading() + 0.5,
            "pages {} and {} end {:.1}pt apart",
            pv.label(),
            pr.label(),
            (bv - br).abs()
        );
        checked += 1;
    }
    assert!(checked > 500, "{checked} spreads");
}

#[test]
fn no_widows_or_orphans() {
    for name in ["meditations", "sherlock-holmes"] {
        let b = book(name);
        // Lines of running text per paragraph (entry, block), by page.
        let mut per: HashMap<(usize, u32), Vec<(usize, usize)>> = HashMap::new();
        for (pi, p) in b.pages().iter().enumerate() {
            for l in p.lines.iter().filter(|l| l.role == LineRole::Text) {
                let Some(pt) = l.point else { continue };
                let v = per.entry((pt.entry, pt.block)).or_default();
                match v.last_mut() {
                    Some((page, n)) if *page == pi => *n += 1,
                    _ => v.push((pi, 1)),
                }
            }
        }
        let mut split = 0;
        for (key, parts) in &per {
            if parts.len() < 2 {
                continue;
            }
            split += 1;
            let first = parts[0].1;
            let last = parts[parts.len() - 1].1;
            assert!(first >= 2, "{name}: an orphan: {key:?} {parts:?}");
            assert!(last >= 2, "{name}: a widow: {key:?} {parts:?}");
        }
        assert!(split > 50, "{name}: {split} paragraphs cross a page");
    }
}

#[test]
fn headings_are_kept_with_two_lines_of_what_follows() {
    let text = {
        let mut s = String::from("# Sections\n\n");
        for k in 0..30 {
            s.push_str(&format!("## Section {k}\n\n{}", prose(1 + k % 3)));
        }
        s
    };
    let dir = project("", &[("sections", &text)]);
    let laid = typeset(dir.path());
    for b in [&laid, book("sherlock-holmes")] {
        let mut checked = 0;
        for p in b.pages() {
            let body: Vec<_> = p
                .lines
                .iter()
                .filter(|l| !matches!(l.role, LineRole::Furniture | LineRole::Note { .. }))
                .collect();
            for (k, l) in body.iter().enumerate() {
                if !matches!(l.role, LineRole::Heading { level } if level > 1) {
                    continue;
                }
                checked += 1;
                let after = body[k + 1..]
                    .iter()
                    .take_while(|x| x.role == LineRole::Text)
                    .count();
                let next_is_heading = body
                    .get(k + 1)
                    .is_some_and(|x| matches!(x.role, LineRole::Heading { .. }));
                assert!(
                    after >= 2
                        || next_is_heading
                        || (after == 1
                            && k + 2 == body.len()
                            && ends_chunk(
                                b.pages(),
                                b.pages().iter().position(|q| std::ptr::eq(q, p)).unwrap()
                            )),
                    "page {}: a heading followed by {after} lines",
                    p.label()
                );
            }
        }
        assert!(checked >= 3, "{checked} headings");
    }
}

#[test]
fn contents_numbers_are_the_pages_of_the_headings() {
    let b = book("sample");
    let pages = b.pages();
    // Where each anchor is.
    let mut label_of: HashMap<&str, String> = HashMap::new();
    for p in pages {
        for (id, _) in &p.dests {
            label_of.entry(id.as_str()).or_insert_with(|| p.label());
        }
    }
    let contents = b
        .book
        .entries
        .iter()
        .position(|e| matches!(e.kind, bookbuild::model::EntryKind::Contents))
        .unwrap();
    // The contents' lines: the text, and the page number when the line ends with one set
    // flush right.
    let mut lines: Vec<(String, Option<String>)> = Vec::new();
    for p in pages.iter().filter(|p| p.entry == Some(contents)) {
        let right = b.left(p) + b.measure();
        for l in p.lines.iter().filter(|l| l.role == LineRole::Generated) {
            let runs = b.line_runs(p, l.baseline);
            let number = runs
                .last()
                .filter(|(x, r)| (x + r.width() - right).abs() < 0.05)
                .map(|(_, r)| r.text.to_string());
            let text: String = runs
                .iter()
                .map(|(_, r)| &*r.text)
                .filter(|t| !t.chars().all(|c| c == '.'))
                .collect();
            lines.push((text, number));
        }
    }
    let toc = b.book.toc();
    assert!(toc.len() > 20);
    let norm = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut k = 0;
    for e in &toc {
        let want = &label_of[e.anchor.as_str()];
        // The entry's lines, down to the one with its page number at the right edge.
        let mut joined = String::new();
        let number = loop {
            let (line, number) = lines
                .get(k)
                .unwrap_or_else(|| panic!("no contents line for {:?}", e.title));
            k += 1;
            joined.push(' ');
            joined.push_str(line);
            if let Some(n) = number {
                break n.clone();
            }
        };
        assert_eq!(&number, want, "the page of {:?}", e.title);
        // A line broken after a hyphen keeps it: the next line runs on without a space.
        let title =
            norm(joined.trim_end().strip_suffix(number.as_str()).unwrap()).replace("- ", "-");
        assert_eq!(title, norm(&e.title), "the contents line");
    }
}

#[test]
fn every_index_hit_has_a_page() {
    for name in ["sample", "meditations"] {
        let b = book(name);
        let map = &b.ts.page_map;
        assert_eq!(map.hit_page.len(), b.book.index.hits.len());
        for (h, label) in map.hit_page.iter().enumerate() {
            assert!(!label.is_empty(), "{name}: index hit {h} has no page");
        }
        // The page each hit names holds it.
        for p in b.pages() {
            for h in &p.hits {
                assert_eq!(map.hit_page[*h as usize], p.label());
            }
        }
    }
}

#[test]
fn a_figure_is_never_enlarged_past_its_pixels() {
    let dir = project(
        "",
        &[(
            "pictures",
            "# Pictures\n\nBefore.\n\n![A map](map.jpg)\n\nAfter.\n",
        )],
    );
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/map.jpg"),
        dir.path().join("manuscript/map.jpg"),
    )
    .unwrap();
    let b = typeset(dir.path());
    let (page, (x, w, h)) = b
        .pages()
        .iter()
        .find_map(|p| {
            p.items.iter().find_map(|i| match i {
                PItem::Image { x, w, h, .. } => Some((p, (*x, *w, *h))),
                _ => None,
            })
        })
        .expect("the picture is placed");
    // 300 pixels across print 2in wide at most (150 dpi): never enlarged to the measure.
    assert!((w - 144.0).abs() < 0.01, "{w}");
    assert!(
        (x + w / 2.0 - (b.left(page) + b.measure() / 2.0)).abs() < 0.01,
        "centred"
    );
    assert!(
        (h / w - 200.0 / 300.0).abs() < 1e-4,
        "not distorted: {w}×{h}"
    );
    let caption = page
        .lines
        .iter()
        .find(|l| l.role == LineRole::Caption)
        .expect("the caption is on the picture's page");
    assert_eq!(b.line_text(page, caption.baseline), "A map");
}

#[test]
fn text_stays_inside_the_text_block() {
    for name in ["sample", "meditations"] {
        let b = book(name);
        let em = b.book.config.pdf.font_size.0 as f32;
        for p in b.pages().iter().filter(|p| p.kind != PageKind::Title) {
            let left = b.left(p);
            for i in &p.items {
                let PItem::Text { run, x, y } = i else {
                    continue;
                };
                if *y < b.top() {
                    continue; // the running head
                }
                assert!(
                    *y <= b.top() + b.text_height() + 0.1,
                    "{name} page {}",
                    p.label()
                );
                // Hanging punctuation may stand out by half an em at most.
                assert!(
                    *x >= left - em * 0.5,
                    "{name} page {}: {:?} at {x}",
                    p.label(),
                    run.text
                );
                assert!(
                    x + run.width() <= left + b.measure() + em * 0.5,
                    "{name} page {}: {:?} ends at {}",
                    p.label(),
                    run.text,
                    x + run.width()
                );
            }
        }
    }
}

#[test]
fn the_page_list_follows_the_text() {
    let b = book("meditations");
    let starts = &b.ts.page_map.starts;
    assert!(starts.len() > 50);
    for w in starts.windows(2) {
        assert!(w[0].1 < w[1].1, "{:?} then {:?}", w[0], w[1]);
        assert_ne!(w[0].0, w[1].0);
    }
}

/// A scene break as set: three asterisks (the em spaces between them are glue).
const SCENE_BREAK: &str = "* * *";

#[test]
fn a_scene_break_never_ends_a_page() {
    let mut text = String::from("# Scenes\n\n");
    for k in 0..40 {
        text.push_str(&prose(1 + k % 2));
        text.push_str("***\n\n");
    }
    text.push_str(&prose(2));
    let dir = project("", &[("scenes", &text)]);
    let b = typeset(dir.path());
    let mut breaks = 0;
    for p in b.pages() {
        let body: Vec<_> = p
            .lines
            .iter()
            .filter(|l| l.role == LineRole::Text)
            .collect();
        for l in &body {
            if b.line_text(p, l.baseline) == SCENE_BREAK {
                breaks += 1;
            }
        }
        if let Some(last) = body.last() {
            assert_ne!(
                b.line_text(p, last.baseline),
                SCENE_BREAK,
                "page {} ends with a scene break",
                p.label()
            );
        }
    }
    assert_eq!(breaks, 40);
}

#[test]
fn chapter_start_any_runs_chapters_on_without_blank_pages() {
    let dir = project(
        "[pdf]\nchapter_start = \"any\"\n",
        &[
            ("a", &format!("# A\n\n{}", prose(3))),
            ("b", &format!("# B\n\n{}", prose(3))),
            ("c", &format!("# C\n\n{}", prose(3))),
        ],
    );
    let b = typeset(dir.path());
    let openings: Vec<&Page> = b
        .pages()
        .iter()
        .filter(|p| p.kind == PageKind::Opening && p.numbering == Numbering::Arabic)
        .collect();
    assert_eq!(openings.len(), 3);
    // Only the blank before the body's first page (it opens on a recto).
    assert!(
        b.pages()
            .iter()
            .filter(|p| p.kind == PageKind::Blank)
            .count()
            <= 1
    );
    assert!(
        openings.iter().any(|p| !p.recto),
        "some chapter opens on a verso"
    );
}

#[test]
fn typesetting_is_deterministic() {
    let dir = corpus("eliot-poetry");
    let a = typeset(&dir);
    let b = typeset(&dir);
    assert_eq!(a.pages().len(), b.pages().len());
    for (x, y) in a.pages().iter().zip(b.pages()) {
        assert_eq!(format!("{x:?}"), format!("{y:?}"));
    }
}

// ------------------------------------------------------------------ figures

/// The figures of a book in reading order.
fn figures(book: &Book) -> Vec<bookbuild::model::Figure> {
    fn walk(bs: &[bookbuild::model::Block], out: &mut Vec<bookbuild::model::Figure>) {
        use bookbuild::model::Block;
        for b in bs {
            match b {
                Block::Figure(f) => out.push(f.clone()),
                Block::Quote(q) => walk(q, out),
                Block::List(l) => l.items.iter().for_each(|i| walk(i, out)),
                _ => {}
            }
        }
    }
    let mut out = Vec::new();
    for e in &book.entries {
        if let bookbuild::model::EntryKind::Document(d) = &e.kind {
            walk(&d.blocks, &mut out);
        }
    }
    out
}

/// The pictures as placed: page index and rectangle, in page order, top to bottom.
fn placed_pictures(b: &Laid) -> Vec<(usize, u32, f32, f32, f32, f32)> {
    let mut out = Vec::new();
    for (pi, p) in b.pages().iter().enumerate() {
        for i in &p.items {
            if let PItem::Image { image, x, y, w, h } = i {
                out.push((pi, *image, *x, *y, *w, *h));
            }
        }
    }
    out
}

/// Every figure as a designer would place it: in order, whole, on the text block, its caption
/// right under it on the same page, at most one page after the text before it, never before.
fn check_figures(name: &str, b: &Laid) {
    let figs = figures(&b.book);
    let placed = placed_pictures(b);
    assert_eq!(
        placed.len(),
        figs.len(),
        "{name}: every figure is placed once"
    );
    let pages = b.pages();
    for (f, &(pi, image, x, y, w, h)) in figs.iter().zip(&placed) {
        let what = format!("{name}: {}", f.alt);
        assert_eq!(image, f.image, "{what}: out of manuscript order");
        let info = &b.book.images[image as usize];
        let want = info.height as f32 / info.width as f32;
        assert!(
            ((h / w) - want).abs() / want < 0.005,
            "{what}: distorted ({w}×{h})"
        );
        let p = &pages[pi];
        let left = b.left(p);
        assert!(
            x >= left - 0.01 && x + w <= left + b.measure() + 0.01,
            "{what}: off the measure"
        );
        assert!(
            y >= b.top() - 0.01 && y + h <= b.top() + b.text_height() + 0.01,
            "{what}: off the text block"
        );
        // The caption, on the same page, directly under the picture.
        let under: Vec<_> = p
            .lines
            .iter()
            .filter(|l| l.role == LineRole::Caption && l.baseline > y + h)
            .collect();
        let first = under
            .iter()
            .min_by(|a, c| a.baseline.total_cmp(&c.baseline))
            .unwrap_or_else(|| {
                panic!(
                    "{what}: the caption is not on the picture's page ({})",
                    p.label()
                )
            });
        assert!(
            first.baseline - (y + h) < 2.0 * b.leading(),
            "{what}: the caption is not right under the picture"
        );
        // At most a page after the text before it, never before that text begins.
        let pt = first.point.expect("a caption has its place in the text");
        let before: Vec<usize> = (1..=pt.block)
            .rev()
            .map(|k| {
                pages
                    .iter()
                    .enumerate()
                    .filter(|(_, q)| {
                        q.lines.iter().any(|l| {
                            l.point
                                .is_some_and(|x| x.entry == pt.entry && x.block == k - 1)
                        })
                    })
                    .map(|(i, _)| i)
                    .collect::<Vec<usize>>()
            })
            .find(|v| !v.is_empty())
            .unwrap_or_default();
        if let (Some(&first_page), Some(&last_page)) = (before.first(), before.last()) {
            assert!(pi >= first_page, "{what}: set before the text it follows");
            assert!(
                pi <= last_page + 1,
                "{what}: set more than a page after its place (page {} for page {})",
                p.label(),
                pages[last_page].label()
            );
        }
    }
    // Pages of running text are full, but at a chapter's end; facing pages end level.
    let cap = b.top() + b.text_height();
    // A figure the author pinned with {here} that did not fit starts the next page.
    let pinned_at_top: Vec<usize> = figs
        .iter()
        .zip(&placed)
        .filter(|(f, p)| f.placement == Placement::Here && (p.3 - b.top()).abs() < 0.01)
        .map(|(_, p)| p.0)
        .collect();
    let mut short = Vec::new();
    for (i, p) in pages.iter().enumerate() {
        if !matches!(p.kind, PageKind::Body | PageKind::Opening) || ends_chunk(pages, i) {
            continue;
        }
        if text_ends_on(pages, i) || pinned_at_top.contains(&(i + 1)) {
            continue;
        }
        let bt = bottom(p).unwrap_or(0.0);
        if bt < cap - b.leading() - 0.6 {
            short.push(format!("{} ({:.1}pt)", p.label(), cap - bt));
        }
    }
    assert!(
        short.is_empty(),
        "{name}: pages stop short: {}",
        short.join(", ")
    );
    for v in (1..pages.len().saturating_sub(1)).filter(|i| !pages[*i].recto) {
        let r = v + 1;
        if pages[v].kind != PageKind::Body
            || pages[r].kind != PageKind::Body
            || text_ends_on(pages, r)
        {
            continue;
        }
        if let (Some(bv), Some(br)) = (bottom(&pages[v]), bottom(&pages[r])) {
            assert!(
                (bv - br).abs() <= b.leading() + 0.5,
                "{name}: pages {} and {} end {:.1}pt apart",
                pages[v].label(),
                pages[r].label(),
                (bv - br).abs()
            );
        }
    }
}

/// Whether the text of page `i`'s chunk ends on it: the pages after it, to the chunk's end,
/// hold only figures flushed at the chapter's end.
fn text_ends_on(pages: &[Page], i: usize) -> bool {
    let mut k = i;
    while !ends_chunk(pages, k) {
        k += 1;
        let only_figures = pages[k]
            .lines
            .iter()
            .all(|l| matches!(l.role, LineRole::Caption | LineRole::Furniture));
        if !only_figures {
            return false;
        }
    }
    true
}

#[test]
fn alice_is_illustrated_as_a_designer_would() {
    check_figures("alice", book("alices-adventures-in-wonderland"));
}

fn every_shape() -> &'static (tempfile::TempDir, Laid) {
    static B: OnceLock<(tempfile::TempDir, Laid)> = OnceLock::new();
    B.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        common::pictures::every_shape_book(dir.path(), &corpus(""));
        let laid = typeset(dir.path());
        (dir, laid)
    })
}

#[test]
fn pictures_of_every_shape_are_placed_as_a_designer_would() {
    check_figures("every shape", &every_shape().1);
}

#[test]
fn figure_attributes_and_plates() {
    let b = &every_shape().1;
    let figs = figures(&b.book);
    let placed = placed_pictures(b);
    let by_file = |file: &str| {
        let k = figs
            .iter()
            .position(|f| b.book.images[f.image as usize].path.ends_with(file))
            .unwrap();
        (&figs[k], placed[k])
    };
    // {width=50%}: half the measure (less what keeping the text on its grid takes: under half
    // a line of the picture's height).
    let (_, (_, _, _, _, w, _)) = by_file("grey.jpg");
    let half = b.measure() / 2.0;
    assert!(
        w <= half + 0.01 && w >= half - b.leading() / 2.0 * 1.5,
        "{w}"
    );
    // {page}: a plate, without running head or folio.
    let (_, (pi, ..)) = by_file("plate.png");
    let plate = &b.pages()[pi];
    assert_eq!(plate.kind, PageKind::Plate);
    assert!(
        plate.lines.iter().all(|l| l.role == LineRole::Caption),
        "only the caption"
    );
    // Taller than the text block: scaled down to fit with its caption, or set as a plate.
    let (_, (pi, _, _, _, _, h)) = by_file("tall.png");
    assert!(h < b.text_height(), "{h}");
    let _ = pi;
    // Tiny: never enlarged past what its pixels print sharply (150 dpi).
    let (_, (_, _, _, _, w, _)) = by_file("tiny.png");
    assert!(w <= 24.0 / 150.0 * 72.0 + 0.01, "{w}");
    // Huge: scaled to the measure.
    let (_, (_, _, _, _, w, _)) = by_file("huge.jpg");
    assert!((w - b.measure()).abs() < 0.01 || w < b.measure(), "{w}");
    // {here}: at its place, right after the text before it.
    let (f, _) = by_file("alpha.png");
    assert_eq!(f.placement, Placement::Here);
}

#[test]
fn figures_are_numbered_listed_and_cross_referenced() {
    let b = &every_shape().1;
    let figs = figures(&b.book);
    for (k, f) in figs.iter().enumerate() {
        assert_eq!(f.number, Some(k as u32 + 1));
        let caption = bookbuild::model::plain_text(&f.caption);
        assert!(
            caption.starts_with(&format!("Figure {}. ", k + 1)),
            "{caption}"
        );
    }
    // A title is the caption, the alt text stays alt text.
    assert_eq!(figs[0].alt, "A wide field of wheat under a low sky");
    assert!(bookbuild::model::plain_text(&figs[0].caption).ends_with("The fields at harvest"));
    // The list of illustrations: a line for every figure, with the page it is on.
    let list = b
        .book
        .entries
        .iter()
        .position(|e| matches!(e.kind, bookbuild::model::EntryKind::Figures))
        .unwrap();
    let mut page_of: HashMap<&str, String> = HashMap::new();
    for p in b.pages() {
        for (id, _) in &p.dests {
            page_of.entry(id.as_str()).or_insert_with(|| p.label());
        }
    }
    let mut numbers = Vec::new();
    for p in b.pages().iter().filter(|p| p.entry == Some(list)) {
        let right = b.left(p) + b.measure();
        for l in p.lines.iter().filter(|l| l.role == LineRole::Generated) {
            if let Some((x, r)) = b.line_runs(p, l.baseline).last()
                && (x + r.width() - right).abs() < 0.05
            {
                numbers.push(r.text.to_string());
            }
        }
    }
    let want: Vec<String> = figs
        .iter()
        .map(|f| page_of[f.id.as_str()].clone())
        .collect();
    assert_eq!(numbers, want);
    // "See [](#fig-square)" prints the figure's number.
    let text: String = b
        .pages()
        .iter()
        .flat_map(|p| p.items.iter())
        .filter_map(|i| match i {
            PItem::Text { run, .. } => Some(&*run.text),
            _ => None,
        })
        .collect();
    assert!(
        text.contains("Figure 4 for the engraving"),
        "the cross-reference prints the number"
    );
}

/// A combining mark with no precomposed letter is placed on its base by the font: the glyph
/// keeps its shift from the pen (the run's offsets), and the PDF and the preview get it.
#[test]
fn a_mark_keeps_its_place_on_its_letter() {
    let dir = project(
        "",
        &[(
            "one",
            "# One\n\nThe q\u{301} and the x\u{323} stand apart.\n",
        )],
    );
    let laid = typeset(dir.path());
    let run = laid
        .ts
        .doc
        .pages
        .iter()
        .flat_map(|p| &p.items)
        .find_map(|i| match i {
            PItem::Text { run, .. } if run.text.contains('\u{301}') => Some(run),
            _ => None,
        })
        .expect("the line with the mark");
    let shifted: Vec<(f32, f32)> = run
        .placed()
        .filter(|(_, _, x, y)| x.0 != 0.0 || y.0 != 0.0)
        .map(|(_, _, x, y)| (x.0, y.0))
        .collect();
    assert!(!shifted.is_empty(), "no glyph of {:?} is shifted", run.text);
    let offsets = run.offsets();
    assert_eq!(offsets.len(), shifted.len());
    assert!(offsets.windows(2).all(|w| w[0].glyph < w[1].glyph));
}
