//! Page layout, tested on the display list: books are loaded and typeset in process and the
//! pages asserted on as the typesetter left them. No PDF is written or read here.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use bookbuild::display::{LineRole, Numbering, PItem, Page, PageKind, Run};
use bookbuild::model::Book;
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
            .map(|r| r.1.text.as_str())
            .collect::<String>()
    }
}

fn typeset(dir: &Path) -> Laid {
    let (book, diags) = bookbuild::project::load(dir);
    let book = book.unwrap_or_else(|| {
        let msgs: Vec<String> = diags
            .into_sorted()
            .iter()
            .map(|d| d.render(false))
            .collect();
        panic!("{} does not load:\n{}", dir.display(), msgs.join("\n"))
    });
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
            .find(|(r, _)| r.text == p.label())
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
                .map(|(_, r)| r.text.clone());
            let text: String = runs
                .iter()
                .map(|(_, r)| r.text.as_str())
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
fn a_figure_is_scaled_to_the_measure() {
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
    assert!(
        (w - b.measure()).abs() < 0.01,
        "{w} against {}",
        b.measure()
    );
    assert!((x - b.left(page)).abs() < 0.01);
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
