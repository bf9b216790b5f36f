//! The book's page structure, from the top: every top-level entry laid out on its own pages
//! (in parallel: each opens on a fresh page), the generated contents and index set again until
//! the page numbers they print settle, then the pages drawn. The result is the display list
//! and what the EPUB needs from the print edition.

use rayon::prelude::*;
use std::sync::Arc;

use super::design::Design;
use super::flow::{Flow, FlowBuilder};
use super::fonts::FontBook;
use super::hyphenate::Hyphenator;
use super::pages::{Assembly, Chunk, Frame, assemble};
use super::paginate::paginate;
use super::paragraph::Tools;
use super::remarks::{Remark, Sink};
use crate::diag::Diagnostics;
use crate::display::{Document, ItemStore, OutlineItem, Page};
use crate::index::build::PrintedIndex;
use crate::model::{Book, EntryKind, PageMap};

/// The typeset book.
pub struct Typeset {
    /// The pages as a display list, for the PDF writer (shared: the preview keeps it while
    /// the files are made).
    pub doc: Arc<Document>,
    /// What the EPUB needs from the print edition (page-list, index page numbers).
    pub page_map: PageMap,
    /// The faces the book is set in (the cover and the EPUB use them too).
    pub(crate) fonts: FontBook,
    /// What typesetting found wanting (missing glyphs, overlong words, low-resolution
    /// pictures …), each at its place.
    pub warnings: Diagnostics,
}

/// The contents and index are set again until the page numbers they print stop changing;
/// this many passes is always enough in practice (a pass changes them only when a number
/// gains a digit and pushes a line to a new page).
const MAX_PASSES: usize = 5;

/// What every chunk is set with: the book, its fonts and hyphenation, and the design.
struct Setting<'a> {
    book: &'a Book,
    fonts: &'a FontBook,
    hyph: &'a Hyphenator,
    note_numbers: &'a [u32],
    design: Design,
    /// Paragraphs kept between builds (`watch`).
    paragraphs: Option<Arc<super::cache::ParagraphCache>>,
}

impl Setting<'_> {
    fn tools(&self) -> Tools<'_> {
        let mut t = Tools::new(
            self.fonts,
            &self.book.config.book.language,
            self.hyph.fork(),
            self.note_numbers,
        );
        t.paragraphs = self.paragraphs.as_deref();
        t
    }
}

/// Typesets the book: every page as a display list, with the page numbers the contents, the
/// index and the EPUB's page-list need. `index` is the book's printed index.
pub fn typeset(book: &Book, index: &PrintedIndex) -> Result<Typeset, String> {
    typeset_cached(book, index, None, None)
}

/// [`typeset`], keeping the laid-out chunks in `cache` and taking from it those whose input
/// has not changed (see [`super::cache`]). The result is the same as without it. Without a
/// cache, the items of pages drawn as soon as their chapter is laid out wait in `store`
/// (see [`crate::display::ItemStore`]), when one is given.
pub fn typeset_cached(
    book: &Book,
    index: &PrintedIndex,
    cache: Option<&mut super::cache::LayoutCache>,
    store: Option<Arc<ItemStore>>,
) -> Result<Typeset, String> {
    let cfg = &book.config;
    let fonts = FontBook::load(&book.root, &cfg.fonts.body, &cfg.fonts.fallback)?;
    let design = Design::new(&cfg.pdf);
    let frame = Frame::new(&cfg.pdf, design);
    let hyph = Hyphenator::new(&cfg.book.language, &cfg.hyphenation);
    let note_numbers: Vec<u32> = book.notes.iter().map(|n| n.number).collect();
    let mut sink = Sink::default();
    if cfg.hyphenation.enabled && !hyph.available() {
        sink.warn(Remark::NoHyphenation {
            language: cfg.book.language.clone(),
        });
    }
    let setting = Setting {
        book,
        fonts: &fonts,
        hyph: &hyph,
        note_numbers: &note_numbers,
        design,
        paragraphs: cache.as_ref().map(|c| c.paragraphs.clone()),
    };
    let tops: Vec<usize> = book.top_level().map(|(i, _)| i).collect();
    let paragraphs = setting.paragraphs.clone();
    if let Some(p) = &paragraphs {
        p.begin(book, &fonts.display_faces());
    }
    let store = store.filter(|_| cache.is_none());
    let mut chunks = lay_out_chunks(&setting, &tops, &frame, &mut sink, cache, store.as_deref());
    let mut tools = setting.tools();
    let assembly = settle_generated(book, &mut chunks, &tops, &frame, &mut tools, index);
    let (mut pages, structure) = super::render::render(book, chunks, &assembly, &frame, &mut tools);
    if store.is_some() {
        pages = compacted(pages);
    }
    sink.append(&mut tools.sink);
    let page_map = PageMap {
        hit_page: assembly.hit_labels.clone(),
        starts: pages
            .iter()
            .filter_map(|p| p.flow_start.map(|f| (p.label(), f)))
            .collect(),
        source: cfg.book.isbn_print.clone(),
        anchor_page: assembly.labels_of_anchors.clone(),
    };
    let outline = outline(book, &assembly);
    let faces = fonts.display_faces();
    let warnings = sink.into_diagnostics(book, design.min_dpi);
    if let Some(p) = paragraphs {
        p.sweep();
    }
    Ok(Typeset {
        doc: Arc::new(Document {
            pages,
            outline,
            faces,
            structure,
            store,
        }),
        page_map,
        fonts,
        warnings,
    })
}

/// The pages, copied into memory of their own and the originals let go. What a page keeps
/// once its items wait in the store (its lines, marks, links and running head) was made a
/// little at a time on the threads that set it, between the paragraphs' scratch, and kept
/// that memory from going back while the EPUB and the PDF were made: War and Peace's `build`
/// peaked at 73-83 MB (five runs), and at 72-76 MB with the pages copied together. The copy
/// takes about 5 ms of the typeset phase; asking rayon's threads to give back what they freed
/// as well brings four copies' peak down too, but costs 20 ms.
fn compacted(pages: Vec<Page>) -> Vec<Page> {
    let fresh = pages.to_vec();
    drop(pages);
    fresh
}

/// A value lent from a pool, given back when dropped.
struct Pooled<'p, T> {
    item: Option<T>,
    pool: &'p std::sync::Mutex<Vec<T>>,
}

impl<'p, T> Pooled<'p, T> {
    fn take(pool: &'p std::sync::Mutex<Vec<T>>, make: impl FnOnce() -> T) -> Pooled<'p, T> {
        let item = pool.lock().ok().and_then(|mut p| p.pop());
        Pooled {
            item: Some(item.unwrap_or_else(make)),
            pool,
        }
    }

    fn get(&mut self) -> &mut T {
        self.item
            .get_or_insert_with(|| unreachable!("taken only on drop"))
    }
}

impl<T> Drop for Pooled<'_, T> {
    fn drop(&mut self) {
        if let (Some(item), Ok(mut pool)) = (self.item.take(), self.pool.lock()) {
            pool.push(item);
        }
    }
}

/// Lays out every top-level entry but the contents and index (which need page numbers),
/// in parallel, and gathers their remarks in book order.
fn lay_out_chunks(
    setting: &Setting<'_>,
    tops: &[usize],
    frame: &Frame,
    sink: &mut Sink,
    mut cache: Option<&mut super::cache::LayoutCache>,
    store: Option<&ItemStore>,
) -> Vec<Option<Arc<Chunk>>> {
    // Without a cache to keep chunks for the next build, each is drawn as soon as it is laid
    // out when the side of each of its pages is already known (see `Chunk::draw_now`).
    let draw_now = cache.is_none()
        && setting.book.config.pdf.chapter_start == crate::model::ChapterStart::Recto;
    let keys: Vec<u64> = match cache {
        Some(_) => {
            let global = super::cache::book_fingerprint(setting.book);
            tops.par_iter()
                .map(|&top| super::cache::chunk_fingerprint(setting.book, top, global))
                .collect()
        }
        None => Vec::new(),
    };
    let found: Vec<Option<super::cache::Laid>> = (0..tops.len())
        .map(|k| cache.as_ref().and_then(|c| c.get(keys[k])))
        .collect();
    let reused = found.iter().filter(|f| f.is_some()).count();
    // Rayon starts many jobs; each takes a set of tools from the pool and gives it back, so
    // the shaping and hyphenation caches stay warm across chunks (about one set per thread).
    let pool: std::sync::Mutex<Vec<Tools<'_>>> = std::sync::Mutex::new(Vec::new());
    let laid: Vec<super::cache::Laid> = tops
        .par_iter()
        .zip(found)
        .map_init(
            || Pooled::take(&pool, || setting.tools()),
            |pooled, (&top, found)| {
                let tools = pooled.get();
                if let Some(f) = found {
                    return f;
                }
                let chunk = entry_flow(setting.book, top, tools, setting.design).map(|flow| {
                    let pages = paginate(&flow, &setting.design);
                    let mut chunk = Chunk {
                        flow,
                        pages,
                        generated: false,
                        drawn: None,
                    };
                    if draw_now {
                        chunk.draw_now(frame, store);
                    }
                    Arc::new(chunk)
                });
                (chunk, std::mem::take(&mut tools.sink).into_remarks())
            },
        )
        .collect();
    if let Some(c) = cache.as_mut() {
        c.reused = reused;
        c.laid_out = keys.len() - reused;
        c.replace(keys.iter().copied().zip(laid.iter().cloned()).collect());
    }
    laid.into_iter()
        .map(|(chunk, remarks)| {
            for r in remarks {
                sink.warn(r);
            }
            chunk
        })
        .collect()
}

/// The flow of a top-level entry: its opening, its blocks, then each nested entry run on.
/// `None` for the contents and the index, which are set once page numbers are known.
fn entry_flow(book: &Book, top: usize, tools: &mut Tools<'_>, design: Design) -> Option<Flow> {
    let kind = &book.entries[top].kind;
    if matches!(
        kind,
        EntryKind::Contents | EntryKind::Index | EntryKind::Figures
    ) {
        return None;
    }
    let mut fb = FlowBuilder::new(tools, book, design);
    fb.opening(top);
    match kind {
        EntryKind::Bibliography => {
            fb.bibliography(top, &book.bibliography);
            return Some(fb.finish());
        }
        EntryKind::Notes => {
            fb.book_notes();
            return Some(fb.finish());
        }
        _ => {}
    }
    if let EntryKind::Ordering = kind {
        fb.blocks(
            usize::MAX,
            &book.ordering_blocks,
            2,
            &mut 0,
            0.0,
            design.measure,
        );
        // The ordering text is not part of the reading flow the EPUB page-list follows.
        fb.forget_flow_points();
        return Some(fb.finish());
    }
    let mut i = top;
    loop {
        let e = &book.entries[i];
        if i != top {
            fb.nested_heading(i);
        }
        if let EntryKind::Document(d) = &e.kind {
            let mut ordinal = 0;
            fb.blocks(i, &d.blocks, e.depth + 1, &mut ordinal, 0.0, design.measure);
        }
        i += 1;
        if i >= book.entries.len() || book.entries[i].depth == 0 {
            break;
        }
    }
    if book.config.notes.placement == crate::model::NotePlacement::Chapter {
        fb.chapter_notes(top);
    }
    Some(fb.finish())
}

/// Sets the contents and the index with the page numbers of the book as it stands, numbers
/// the pages again, and repeats until neither their page counts nor the numbers they print
/// change. Returns the final numbering.
fn settle_generated(
    book: &Book,
    chunks: &mut [Option<Arc<Chunk>>],
    tops: &[usize],
    frame: &Frame,
    tools: &mut Tools<'_>,
    index: &PrintedIndex,
) -> Assembly {
    let design = frame.design;
    let mut assembly = assemble(book, chunks, tops, frame);
    for _ in 0..MAX_PASSES {
        let mut changed = false;
        for (k, &top) in tops.iter().enumerate() {
            let (flow, pages) = match book.entries[top].kind {
                EntryKind::Contents | EntryKind::Figures => {
                    let list = if matches!(book.entries[top].kind, EntryKind::Figures) {
                        book.figures()
                    } else {
                        book.toc()
                    };
                    let flow =
                        super::contents::contents_flow(book, top, &list, tools, design, &assembly);
                    let pages = paginate(&flow, &design);
                    (flow, pages)
                }
                EntryKind::Index => {
                    let flow =
                        super::indexpages::index_flow(book, top, tools, design, &assembly, index);
                    let pages = super::indexpages::paginate_columns(&flow, &design);
                    (flow, pages)
                }
                _ => continue,
            };
            if chunks[k]
                .as_ref()
                .is_none_or(|c| c.pages.len() != pages.len())
            {
                changed = true;
            }
            chunks[k] = Some(Arc::new(Chunk {
                flow,
                pages,
                generated: true,
                drawn: None,
            }));
        }
        let next = assemble(book, chunks, tops, frame);
        let same = next.same_numbers(&assembly);
        assembly = next;
        if !changed && same {
            break;
        }
    }
    assembly
}

/// The bookmarks: every outline entry at the page and height of its title.
fn outline(book: &Book, asm: &Assembly) -> Vec<OutlineItem> {
    book.entries
        .iter()
        .filter_map(|e| {
            let (page, y) = *asm.page_of_anchor.get(&e.anchor)?;
            Some(OutlineItem {
                title: e.title.clone(),
                depth: e.depth as usize,
                page,
                y,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::{LineRole, PageKind};
    use crate::typeset::testing::{self, prose};

    fn chapters(n: usize) -> Vec<(String, String)> {
        (0..n)
            .map(|k| {
                (
                    format!("c{k}"),
                    format!("# Chapter {k}\n\n{}\n", prose(40 + k * 17)),
                )
            })
            .collect()
    }

    fn typeset_book(toml: &str, n: usize) -> (testing::TestBook, Typeset) {
        let ch = chapters(n);
        let refs: Vec<(&str, &str)> = ch.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let b = testing::book(toml, &refs);
        let index = crate::index::build::build(&b.book);
        let ts = typeset(&b.book, &index).unwrap();
        (b, ts)
    }

    /// Pages whose items waited in a store come back as they were drawn, with the running
    /// heads and folios drawn after them and every mark where it was: the same pages as a
    /// book typeset without one.
    #[test]
    fn pages_that_wait_in_a_store_come_back_the_same() {
        let ch: Vec<(String, String)> = (0..5)
            .map(|k| {
                (
                    format!("c{k}"),
                    format!(
                        "# Chapter {k}\n\n{}[^n{k}]\n\n## Part {k}\n\n{}\n\n[^n{k}]: A *note*.\n",
                        prose(30 + k * 11),
                        prose(50)
                    ),
                )
            })
            .collect();
        let refs: Vec<(&str, &str)> = ch.iter().map(|(a, b)| (a.as_str(), b.as_str())).collect();
        let b = testing::book("[pdf]\nrunning_heads = true\n", &refs);
        let index = crate::index::build::build(&b.book);
        let plain = typeset(&b.book, &index).unwrap();
        let dir = tempfile::tempdir().unwrap();
        let store = Arc::new(ItemStore::beside(dir.path()).unwrap());
        let stored = typeset_cached(&b.book, &index, None, Some(store)).unwrap();
        let waiting = stored.doc.pages.iter().filter(|p| p.stored.is_some());
        assert!(waiting.count() > stored.doc.pages.len() / 2);
        assert_eq!(plain.doc.pages.len(), stored.doc.pages.len());
        for (i, (a, s)) in plain.doc.pages.iter().zip(&stored.doc.pages).enumerate() {
            let mut s = s.clone();
            if let Some(waited) = s.stored {
                // The page itself holds only what was drawn after (its head and folio).
                assert_eq!(s.items.len() + waited.count as usize, a.items.len());
                assert!(waited.count > 0, "page {i}");
                if s.kind == PageKind::Body {
                    assert!(!s.items.is_empty(), "page {i} has its running head");
                }
            }
            s.restore(stored.doc.store.as_deref()).unwrap();
            assert_eq!(a.items, s.items, "page {i}");
            assert_eq!(a.marks, s.marks, "page {i}");
            assert_eq!((&a.lines, &a.hits, a.stored), (&s.lines, &s.hits, s.stored));
        }
    }

    #[test]
    fn contents_and_index_get_no_flow_of_their_own() {
        let b = testing::book("", &[("a", "# A\n\nText.\n")]);
        let mut t = testing::tools(&[]);
        let contents = b
            .book
            .entries
            .iter()
            .position(|e| matches!(e.kind, EntryKind::Contents))
            .unwrap();
        assert!(entry_flow(&b.book, contents, &mut t, testing::design()).is_none());
        let doc = contents + 1;
        assert!(entry_flow(&b.book, doc, &mut t, testing::design()).is_some());
    }

    #[test]
    fn the_contents_print_the_pages_the_chapters_open_on() {
        let (b, ts) = typeset_book("", 12);
        let pages = &ts.doc.pages;
        for (k, e) in b.book.entries.iter().enumerate().skip(1) {
            let opening = pages
                .iter()
                .position(|p| p.entry == Some(k) && p.kind == PageKind::Opening)
                .expect("every chapter opens a page");
            // The outline points at the same page.
            let item = ts.doc.outline.iter().find(|o| o.title == e.title).unwrap();
            assert_eq!(item.page, opening, "{}", e.title);
        }
        // The contents lines end with those pages' numbers.
        let contents_pages: Vec<_> = pages.iter().filter(|p| p.entry == Some(0)).collect();
        let mut numbers = Vec::new();
        for p in contents_pages {
            for l in p.lines.iter().filter(|l| l.role == LineRole::Generated) {
                let last = p
                    .items
                    .iter()
                    .filter_map(|i| match i {
                        crate::display::PItem::Text { run, x, y }
                            if (*y - l.baseline).abs() < 0.01 =>
                        {
                            Some((*x, run.text.to_string()))
                        }
                        _ => None,
                    })
                    .max_by(|a, b| a.0.total_cmp(&b.0))
                    .unwrap();
                numbers.push(last.1);
            }
        }
        // The contents list themselves first.
        let want: Vec<String> = (0..=12)
            .map(|k| {
                pages
                    .iter()
                    .find(|p| p.entry == Some(k) && p.kind == PageKind::Opening)
                    .unwrap()
                    .label()
            })
            .collect();
        assert_eq!(numbers, want);
    }

    #[test]
    fn every_chapter_opens_on_a_recto_after_a_blank_verso_when_needed() {
        let (_, ts) = typeset_book("", 6);
        let pages = &ts.doc.pages;
        for (i, p) in pages.iter().enumerate() {
            if p.kind == PageKind::Opening {
                assert!(p.recto, "page {i}");
            }
            if p.kind == PageKind::Blank {
                assert!(!p.recto);
                assert_eq!(pages[i + 1].kind, PageKind::Opening);
            }
        }
        let (_, ts) = typeset_book("[pdf]\nchapter_start = \"any\"\n", 6);
        let body_blanks = ts
            .doc
            .pages
            .iter()
            .filter(|p| {
                p.kind == PageKind::Blank && p.numbering == crate::display::Numbering::Arabic
            })
            .count();
        assert_eq!(body_blanks, 0);
    }
}
