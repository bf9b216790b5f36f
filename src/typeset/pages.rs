//! The pieces every page-making stage shares: where the text block sits on a page
//! ([`Frame`]), the laid-out chunks, the book's page numbering computed from them
//! ([`Assembly`]), and placing set lines on a page. The book's orchestration (`book.rs`) and
//! the generated pages (contents, index, title pages) all build on this module.

use std::collections::HashMap;
use std::sync::Arc;

use super::design::Design;
use super::flow::{Flow, VKind};
use super::paginate::{PageContent, Placed};
use super::paragraph::Line;
use crate::display::{Numbering, PItem, PLink, Page, PageKind, roman};
use crate::model::{Book, ChapterStart, Division, LinkTarget, PdfSettings};

/// Where the text block is, per page side. Points from the trim box's top-left corner.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Frame {
    pub top: f64,
    pub inner: f64,
    pub outer: f64,
    pub design: Design,
}

impl Frame {
    pub fn new(pdf: &PdfSettings, design: Design) -> Frame {
        Frame {
            top: pdf.margins.top.0,
            inner: pdf.margins.inner.0,
            outer: pdf.margins.outer.0,
            design,
        }
    }

    /// The left edge of the text block: the inner margin on a recto, the outer on a verso.
    pub fn left(&self, recto: bool) -> f64 {
        if recto { self.inner } else { self.outer }
    }
}

/// A laid-out chunk: a top-level entry with what is nested in it, or a generated entry.
#[derive(Clone)]
pub(crate) struct Chunk {
    pub flow: Flow,
    pub pages: Vec<PageContent>,
    /// A generated page (contents, index): not part of the reading flow the EPUB's page-list
    /// follows.
    pub generated: bool,
    /// Its pages, when they were drawn as soon as it was laid out (see
    /// [`Chunk::draw_now`]): the flow's boxes and the placements are let go then.
    pub drawn: Option<Vec<Page>>,
}

impl Chunk {
    /// Draws the pages at once and lets go of what only drawing reads, keeping the structure
    /// and each page's plate flag (which numbering reads). Only where every chunk opens on a
    /// recto, so each page's side, and with it its margins, is known before the book is
    /// numbered; the structure numbers start at 0 and are moved when the book's are known.
    /// A long book is then never held both laid out and drawn. With a `store`, what is drawn
    /// waits there until the PDF writer reads it back, and the book is not held drawn either.
    pub fn draw_now(&mut self, frame: &Frame, store: Option<&crate::display::ItemStore>) {
        let drawn: Vec<Page> = (0..self.pages.len())
            .map(|pi| {
                let mut page = PageSlot {
                    numbering: Numbering::Arabic,
                    number: 0,
                    recto: pi % 2 == 0,
                    kind: PageKind::Body,
                    entry: None,
                }
                .empty_page();
                super::render::draw_page(&mut page, self, pi, frame, 0);
                // Held until every chapter is laid out: without the room its lists grew into
                // (render shrinks them again once the running heads are on).
                page.shrink_to_fit();
                if let Some(stored) = store.and_then(|s| s.put(&page.items)) {
                    page.items = Vec::new();
                    page.stored = Some(stored);
                }
                page
            })
            .collect();
        self.flow = Flow {
            boxes: Vec::new(),
            notes: HashMap::new(),
            continued: HashMap::new(),
            tagging: super::flow::Tagging {
                structure: std::mem::take(&mut self.flow.tagging.structure),
                ..Default::default()
            },
        };
        for p in &mut self.pages {
            p.placed = Vec::new();
        }
        // What is kept, copied now that the layout's scratch is free: it then fills that
        // room instead of holding on to it, between the chapters this thread sets next (four
        // copies of War and Peace peak at 137-140 MB while they are set instead of 141-145).
        self.pages = self.pages.to_vec();
        self.flow.tagging.structure = self.flow.tagging.structure.clone();
        self.drawn = Some(drawn.to_vec());
    }
}

/// What a page of the book is, before anything is drawn on it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct PageSlot {
    pub numbering: Numbering,
    pub number: u32,
    pub recto: bool,
    pub kind: PageKind,
    /// The top-level entry the page belongs to (none for title and blank pages).
    pub entry: Option<usize>,
}

impl PageSlot {
    /// A page with nothing on it yet, numbered as the slot says.
    pub fn empty_page(&self) -> Page {
        Page {
            entry: self.entry,
            ..Page::empty(self.numbering, self.number, self.recto, self.kind)
        }
    }
}

/// The book's pages numbered: where every chunk starts, and the page (and label) of every
/// anchor and index hit. Recomputed on each pass of the contents/index fixed point.
pub(crate) struct Assembly {
    /// For each chunk (by position among the top-level entries): its first page's index.
    pub chunk_first: Vec<usize>,
    pub pages: Vec<PageSlot>,
    /// Printed page number of every anchor.
    pub labels_of_anchors: HashMap<String, String>,
    /// Page index and height of every anchor.
    pub page_of_anchor: HashMap<String, (usize, f32)>,
    /// Printed page number of each index hit ("" for a hit that is not set).
    pub hit_labels: Vec<String>,
    /// Page index of each index hit.
    pub hit_pages: Vec<Option<usize>>,
}

impl Assembly {
    /// The printed number of page `page`.
    pub fn label(&self, page: usize) -> String {
        let p = self.pages[page];
        match p.numbering {
            Numbering::Roman => roman(p.number),
            Numbering::Arabic => p.number.to_string(),
        }
    }

    /// True when the page labels of every anchor and hit are the same in both.
    pub fn same_numbers(&self, other: &Assembly) -> bool {
        self.labels_of_anchors == other.labels_of_anchors && self.hit_labels == other.hit_labels
    }
}

/// Numbers the pages of the chunks: a title page and its verso, roman front matter, the
/// body from 1 on a recto, blank versos before rectos where chapters must open on one.
pub(crate) fn assemble(
    book: &Book,
    chunks: &[Option<Arc<Chunk>>],
    tops: &[usize],
    frame: &Frame,
) -> Assembly {
    let (pages, chunk_first) = number_pages(book, chunks, tops);
    let mut page_of_anchor = HashMap::new();
    let mut hit_pages = vec![None; book.index.hits.len()];
    for (k, chunk) in chunks.iter().enumerate() {
        if let Some(c) = chunk {
            find_marks(
                c,
                chunk_first[k],
                frame,
                &mut page_of_anchor,
                &mut hit_pages,
            );
        }
    }
    let mut a = Assembly {
        chunk_first,
        pages,
        labels_of_anchors: HashMap::new(),
        page_of_anchor,
        hit_labels: Vec::new(),
        hit_pages,
    };
    a.labels_of_anchors = a
        .page_of_anchor
        .iter()
        .map(|(id, (p, _))| (id.clone(), a.label(*p)))
        .collect();
    a.hit_labels = a
        .hit_pages
        .iter()
        .map(|p| p.map_or_else(String::new, |p| a.label(p)))
        .collect();
    a
}

/// The page slots of the whole book, in order, and the index of each chunk's first page.
fn number_pages(
    book: &Book,
    chunks: &[Option<Arc<Chunk>>],
    tops: &[usize],
) -> (Vec<PageSlot>, Vec<usize>) {
    let recto_starts = book.config.pdf.chapter_start == ChapterStart::Recto;
    let slot = |numbering, number, recto, kind, entry| PageSlot {
        numbering,
        number,
        recto,
        kind,
        entry,
    };
    // The title page (i, recto) and its verso, the copyright page (ii).
    let mut pages = vec![
        slot(Numbering::Roman, 1, true, PageKind::Title, None),
        slot(Numbering::Roman, 2, false, PageKind::Title, None),
    ];
    let mut numbering = Numbering::Roman;
    let mut number = 2;
    let mut chunk_first = vec![0; tops.len()];
    for (k, &top) in tops.iter().enumerate() {
        let division = book.entries[top].division;
        let body_start = division != Division::Front && numbering == Numbering::Roman;
        let recto_next = pages.len().is_multiple_of(2);
        if (body_start || recto_starts) && !recto_next {
            number += 1;
            pages.push(slot(numbering, number, false, PageKind::Blank, None));
        }
        if body_start {
            numbering = Numbering::Arabic;
            number = 0;
        }
        chunk_first[k] = pages.len();
        let count = chunks[k].as_ref().map_or(0, |c| c.pages.len());
        for p in 0..count {
            number += 1;
            let recto = pages.len().is_multiple_of(2);
            let plate = chunks[k].as_ref().is_some_and(|c| c.pages[p].plate);
            let kind = if p == 0 {
                PageKind::Opening
            } else if plate {
                PageKind::Plate
            } else {
                PageKind::Body
            };
            pages.push(slot(numbering, number, recto, kind, Some(top)));
        }
    }
    (pages, chunk_first)
}

/// Records the page of every anchor and index hit of a chunk whose first page is `first`.
fn find_marks(
    c: &Chunk,
    first: usize,
    frame: &Frame,
    page_of_anchor: &mut HashMap<String, (usize, f32)>,
    hit_pages: &mut [Option<usize>],
) {
    // Drawn pages hold the same marks in the same order, at the same heights.
    if let Some(drawn) = &c.drawn {
        for (pi, p) in drawn.iter().enumerate() {
            for (a, y) in &p.dests {
                page_of_anchor.entry(a.clone()).or_insert((first + pi, *y));
            }
            for h in &p.hits {
                hit_on(hit_pages, *h, first + pi);
            }
        }
        return;
    }
    for (pi, pc) in c.pages.iter().enumerate() {
        let abs = first + pi;
        for pl in &pc.placed {
            let b = match pl {
                Placed::Body { index, y, .. } | Placed::Figure { index, y, .. } => {
                    Some((&c.flow.boxes[*index], *y))
                }
                Placed::Note { note, line, y } => c
                    .flow
                    .notes
                    .get(note)
                    .and_then(|ls| ls.get(*line))
                    .map(|b| (b, *y)),
                Placed::Continued { .. } => None,
            };
            let Some((b, y)) = b else { continue };
            let anchors: &[String] = match &b.kind {
                VKind::Lines { anchors, .. } => anchors,
                VKind::Figure(f) => &f.anchors,
                VKind::Space { .. } => &[],
            };
            for a in anchors {
                page_of_anchor
                    .entry(a.clone())
                    .or_insert((abs, (frame.top + y) as f32));
            }
            for (l, _) in b.lines() {
                for h in &l.hits {
                    hit_on(hit_pages, *h, abs);
                }
            }
        }
    }
}

/// Index hit `h` is on page `page`, unless it was found on an earlier one.
fn hit_on(hit_pages: &mut [Option<usize>], h: crate::model::HitId, page: usize) {
    if let Some(slot) = hit_pages.get_mut(h as usize)
        && slot.is_none()
    {
        *slot = Some(page);
    }
}

/// Places a set line's runs, links and hits at (x, baseline) on the page.
pub(crate) fn place_line(page: &mut Page, line: &Line, x: f64, baseline: f64) {
    let size = line.runs.first().map_or(10.0, |r| r.size);
    for r in &line.runs {
        let (rx, ry) = (
            (x + f64::from(r.x)) as f32,
            (baseline + f64::from(r.rise)) as f32,
        );
        page.items.push(PItem::Text {
            run: r.clone(),
            x: rx,
            y: ry,
        });
    }
    // Link areas reach from above the ascenders to below the descenders.
    for (x0, x1, target) in &line.links {
        page.links.push(PLink {
            x: (x + f64::from(*x0)) as f32,
            y: (baseline - f64::from(size) * 0.8) as f32,
            w: x1 - x0,
            h: size * 1.05,
            target: target.clone(),
            node: page.marks.last().and_then(|m| m.node),
        });
    }
    page.hits.extend(line.hits.iter().copied());
    page.note_refs.extend(line.notes.iter().copied());
}

/// Makes the whole line a link (contents lines).
pub(crate) fn link_line(line: &mut Line, target: LinkTarget) {
    let w = line.width.max(1.0);
    let x0 = line.runs.first().map_or(0.0, |r| r.x);
    line.links.push((x0, x0 + w, target));
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::testing;

    #[test]
    fn pages_are_numbered_roman_then_from_one_on_a_recto() {
        let b = testing::book("", &[("a", "# A\n\nText.\n"), ("b", "# B\n\nText.\n")]);
        let one_page = || Chunk {
            flow: Flow {
                boxes: vec![],
                notes: HashMap::new(),
                continued: HashMap::new(),
                tagging: Default::default(),
            },
            pages: vec![PageContent::default()],
            generated: false,
            drawn: None,
        };
        let tops: Vec<usize> = b.book.top_level().map(|(i, _)| i).collect();
        assert_eq!(tops.len(), 3, "contents, a, b");
        let chunks: Vec<Option<Arc<Chunk>>> =
            tops.iter().map(|_| Some(Arc::new(one_page()))).collect();
        let frame = Frame::new(&b.book.config.pdf, testing::design());
        let a = assemble(&b.book, &chunks, &tops, &frame);
        let labels: Vec<String> = (0..a.pages.len()).map(|p| a.label(p)).collect();
        // Title, copyright, contents (iii), blank (iv), a (1), blank (2), b (3).
        assert_eq!(labels, ["i", "ii", "iii", "iv", "1", "2", "3"]);
        let kinds: Vec<PageKind> = a.pages.iter().map(|p| p.kind).collect();
        assert_eq!(
            kinds,
            [
                PageKind::Title,
                PageKind::Title,
                PageKind::Opening,
                PageKind::Blank,
                PageKind::Opening,
                PageKind::Blank,
                PageKind::Opening
            ]
        );
        assert_eq!(a.chunk_first, vec![2, 4, 6]);
        assert!(a.pages[4].recto && a.pages[6].recto);
    }
}
