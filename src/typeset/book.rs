//! The book's page structure: title and copyright pages, front matter numbered i, ii …, the
//! body from 1, top-level entries opening on a recto, running heads and folios, the contents
//! and index pages — with page numbers from a second pass over the typeset book.

use std::collections::HashMap;

use rayon::prelude::*;

use super::flow::{Flow, FlowBuilder, Geometry, VBox, VKind};
use super::fonts::FontBook;
use super::hyphenate::Hyphenator;
use super::paginate::{PageContent, Placed, paginate};
use super::paragraph::{self, Align, Line, ParaStyle, Tools};
use super::shape::Shaper;
use crate::diag::{Diagnostics, Location};
use crate::display::{Document, Numbering, OutlineItem, PItem, PLink, Page, PageKind};
use crate::fonts::Style;
use crate::index::build::PrintedIndex;
use crate::model::{Book, ChapterStart, Division, EntryKind, FlowPoint, LinkTarget, PageMap, Pos};

/// The typeset book.
pub struct Typeset {
    /// The pages as a display list, for the PDF writer.
    pub doc: Document,
    /// What the EPUB needs from the print edition (page-list, index page numbers).
    pub page_map: PageMap,
    /// The faces the book is set in (the cover and the EPUB use them too).
    pub fonts: FontBook,
    pub warnings: Diagnostics,
}

/// Where the text block is, per page side. Points from the trim box's top-left corner.
#[derive(Debug, Clone, Copy)]
pub struct Frame {
    pub trim_w: f64,
    pub trim_h: f64,
    pub top: f64,
    pub inner: f64,
    pub outer: f64,
    pub geom: Geometry,
}

impl Frame {
    pub fn left(&self, recto: bool) -> f64 {
        if recto { self.inner } else { self.outer }
    }
}

/// A laid-out chunk: a top-level entry with what is nested in it, or a generated entry.
struct Chunk {
    flow: Flow,
    pages: Vec<PageContent>,
    /// Set in the page's header: false for generated pages like the title page.
    generated: bool,
}

/// Typesets the book: every page as a display list, with the page numbers the contents, the
/// index and the EPUB's page-list need. `index` is the book's printed index.
pub fn typeset(book: &Book, index: &PrintedIndex) -> Result<Typeset, String> {
    let cfg = &book.config;
    let fonts = FontBook::load(&book.root, &cfg.fonts.body, &cfg.fonts.fallback)?;
    let pdf = &cfg.pdf;
    let measure = pdf.trim_width.0 - pdf.margins.inner.0 - pdf.margins.outer.0;
    let text_height = pdf.trim_height.0 - pdf.margins.top.0 - pdf.margins.bottom.0;
    let geom = Geometry {
        measure,
        text_height,
        size: pdf.font_size.0,
        leading: pdf.leading.0,
        protrusion: pdf.margin_kerning,
    };
    let frame = Frame {
        trim_w: pdf.trim_width.0,
        trim_h: pdf.trim_height.0,
        top: pdf.margins.top.0,
        inner: pdf.margins.inner.0,
        outer: pdf.margins.outer.0,
        geom,
    };
    let hyph = Hyphenator::new(&cfg.book.language, &cfg.hyphenation);
    let note_numbers: Vec<u32> = book.notes.iter().map(|n| n.number).collect();
    let mut warnings = Diagnostics::new();
    if cfg.hyphenation.enabled && !hyph.available() {
        warnings.warning_hint(
            Some(Location::file("build.toml")),
            format!("there are no hyphenation patterns for the language \"{}\"; the print edition is not hyphenated", cfg.book.language),
            "set [book] language to a supported tag (en, en-GB, ru, mn, de, fr, …) or [hyphenation] enabled = false",
        );
    }

    // Chunks: each top-level entry with the entries nested in it.
    let tops: Vec<usize> = book.top_level().map(|(i, _)| i).collect();
    let make_tools = || Tools {
        fonts: &fonts,
        shaper: Shaper::new(&cfg.book.language),
        hyph: hyph.fork(),
        missing: Vec::new(),
        overlong: Vec::new(),
        context: None,
        note_numbers: &note_numbers,
    };
    type Laid = (
        usize,
        Option<(Flow, Vec<PageContent>)>,
        Vec<(char, Option<Pos>)>,
        Vec<(String, Option<Pos>)>,
        Remarks,
    );
    let laid: Vec<Laid> = tops
        .par_iter()
        .map_init(make_tools, |tools, &top| {
            let flow = match book.entries[top].kind {
                EntryKind::Document(_) | EntryKind::Group => {
                    Some(document_flow(book, top, tools, geom))
                }
                EntryKind::Ordering => Some(ordering_flow(book, top, tools, geom)),
                EntryKind::Contents | EntryKind::Index => None,
            };
            let missing = std::mem::take(&mut tools.missing);
            let overlong = std::mem::take(&mut tools.overlong);
            match flow {
                Some((flow, html)) => {
                    let pages = paginate(&flow, &geom);
                    (top, Some((flow, pages)), missing, overlong, html)
                }
                None => (top, None, missing, overlong, Remarks::default()),
            }
        })
        .collect();

    let mut chunks: Vec<Option<Chunk>> = Vec::new();
    for (_top, laid, missing, overlong, html) in laid {
        report_missing(book, &missing, &mut warnings);
        for (word, pos) in overlong {
            warnings.warning_hint(
                pos.map(|p| book.location(p)),
                format!("\"{word}\" is wider than a line and is broken between letters"),
                "add break points (a space or a soft hyphen, U+00AD) or shorten it",
            );
        }
        for pos in html.html {
            warnings.warning_hint(
                Some(book.location(pos)),
                "raw HTML is left out of the PDF",
                "it is kept in the EPUB; write the content in Markdown to have it in print too",
            );
        }
        for (image, dpi, pos) in html.low_dpi {
            let info = &book.images[image as usize];
            warnings.warning_hint(
                Some(book.location(pos)),
                format!(
                    "{} prints at {dpi:.0} dpi, below 200 dpi",
                    crate::diag::display_path(&info.path)
                ),
                format!(
                    "use a picture of at least {} pixels across for print",
                    (f64::from(info.width) * 200.0 / dpi).ceil()
                ),
            );
        }
        chunks.push(laid.map(|(flow, pages)| Chunk {
            flow,
            pages,
            generated: false,
        }));
    }

    // The contents and index depend on page numbers: set them, assemble, and repeat until
    // the page numbers they print no longer change their length.
    let mut tools = make_tools();
    let mut assembly = assemble(book, &chunks, &tops, &frame);
    for _ in 0..5 {
        let mut changed = false;
        for (k, &top) in tops.iter().enumerate() {
            let flow = match book.entries[top].kind {
                EntryKind::Contents => Some(super::contents::contents_flow(
                    book, top, &mut tools, geom, &assembly,
                )),
                EntryKind::Index => Some(super::indexpages::index_flow(
                    book, top, &mut tools, geom, &assembly, index,
                )),
                _ => None,
            };
            if let Some(flow) = flow {
                let pages = if matches!(book.entries[top].kind, EntryKind::Index) {
                    super::indexpages::paginate_columns(&flow, &geom)
                } else {
                    paginate(&flow, &geom)
                };
                let count = pages.len();
                if chunks[k].as_ref().is_none_or(|c| c.pages.len() != count) {
                    changed = true;
                }
                chunks[k] = Some(Chunk {
                    flow,
                    pages,
                    generated: true,
                });
            }
        }
        let next = assemble(book, &chunks, &tops, &frame);
        let same = next.labels_of_anchors == assembly.labels_of_anchors
            && next.hit_labels == assembly.hit_labels;
        assembly = next;
        if !changed && same {
            break;
        }
    }
    report_missing(book, &tools.missing, &mut warnings);

    let pages = render(book, &mut chunks, &assembly, &frame, &mut tools);
    let page_map = PageMap {
        hit_page: assembly.hit_labels.clone(),
        starts: pages
            .iter()
            .filter_map(|p| p.flow_start.map(|f| (p.label(), f)))
            .collect(),
        source: book.config.book.isbn_print.clone(),
    };
    let outline = outline(book, &assembly);
    let faces = fonts.display_faces();
    Ok(Typeset {
        doc: Document {
            pages,
            outline,
            faces,
        },
        page_map,
        fonts,
        warnings,
    })
}

fn report_missing(book: &Book, missing: &[(char, Option<Pos>)], warnings: &mut Diagnostics) {
    let mut seen: Vec<char> = Vec::new();
    for (c, pos) in missing {
        if seen.contains(c) {
            continue;
        }
        seen.push(*c);
        warnings.warning_hint(
            pos.map(|p| book.location(p)),
            format!(
                "the character {c:?} (U+{:04X}) is in no font; it prints as a box",
                *c as u32
            ),
            "add a font that has it to fonts/ and name it in [fonts] fallback",
        );
    }
}

/// What a chunk's flow left out of print or found wanting, for warnings.
#[derive(Default)]
struct Remarks {
    html: Vec<Pos>,
    low_dpi: Vec<(crate::model::ImageId, f64, Pos)>,
}

/// The flow of a document chunk: the opening, the blocks, then each nested entry run on.
fn document_flow(
    book: &Book,
    top: usize,
    tools: &mut Tools<'_>,
    geom: Geometry,
) -> (Flow, Remarks) {
    let mut fb = FlowBuilder::new(tools, book, geom);
    fb.opening(top);
    let mut i = top;
    loop {
        let e = &book.entries[i];
        if i != top {
            fb.nested_heading(i);
        }
        if let EntryKind::Document(d) = &e.kind {
            let mut ordinal = 0;
            fb.blocks(i, &d.blocks, e.depth + 1, &mut ordinal, 0.0, geom.measure);
        }
        i += 1;
        if i >= book.entries.len() || book.entries[i].depth == 0 {
            break;
        }
    }
    let remarks = Remarks {
        html: std::mem::take(&mut fb.html_skipped),
        low_dpi: std::mem::take(&mut fb.low_dpi),
    };
    (fb.finish(), remarks)
}

fn ordering_flow(
    book: &Book,
    top: usize,
    tools: &mut Tools<'_>,
    geom: Geometry,
) -> (Flow, Remarks) {
    let mut fb = FlowBuilder::new(tools, book, geom);
    fb.opening(top);
    let mut ordinal = 0;
    fb.blocks(
        usize::MAX,
        &book.ordering_blocks,
        2,
        &mut ordinal,
        0.0,
        geom.measure,
    );
    // The ordering text is not part of the reading flow the EPUB page-list follows.
    for b in &mut fb.boxes {
        if let VKind::Lines { point, .. } = &mut b.kind {
            *point = None;
        }
    }
    (fb.finish(), Remarks::default())
}

/// Page numbers: for every page of every chunk, its absolute index, and labels of anchors
/// and index hits.
pub struct Assembly {
    /// For each chunk (by position in `tops`): the absolute index of its first page.
    pub chunk_first: Vec<usize>,
    /// Per absolute page: (numbering, number, recto, kind).
    pub pages: Vec<(Numbering, u32, bool, PageKind, Option<usize>)>,
    pub labels_of_anchors: HashMap<String, String>,
    /// Absolute page index of each anchor.
    pub page_of_anchor: HashMap<String, (usize, f32)>,
    pub hit_labels: Vec<String>,
    pub hit_pages: Vec<usize>,
}

impl Assembly {
    pub fn label(&self, page: usize) -> String {
        let (n, num, ..) = self.pages[page];
        match n {
            Numbering::Roman => crate::display::roman(num),
            Numbering::Arabic => num.to_string(),
        }
    }
}

fn assemble(book: &Book, chunks: &[Option<Chunk>], tops: &[usize], frame: &Frame) -> Assembly {
    let recto_starts = book.config.pdf.chapter_start == ChapterStart::Recto;
    let mut pages: Vec<(Numbering, u32, bool, PageKind, Option<usize>)> = Vec::new();
    // The title page (i, recto) and its verso, the copyright page (ii).
    pages.push((Numbering::Roman, 1, true, PageKind::Title, None));
    pages.push((Numbering::Roman, 2, false, PageKind::Title, None));
    let mut numbering = Numbering::Roman;
    let mut number = 2;
    let mut chunk_first = vec![0; tops.len()];
    let mut labels_of_anchors = HashMap::new();
    let mut page_of_anchor = HashMap::new();
    let mut hit_pages = vec![usize::MAX; book.index.hits.len()];
    for (k, &top) in tops.iter().enumerate() {
        let division = book.entries[top].division;
        let body_start = division != Division::Front && numbering == Numbering::Roman;
        let recto_next = pages.len().is_multiple_of(2);
        if (body_start || recto_starts) && !recto_next {
            number += 1;
            pages.push((numbering, number, false, PageKind::Blank, None));
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
            let kind = if p == 0 {
                PageKind::Opening
            } else {
                PageKind::Body
            };
            pages.push((numbering, number, recto, kind, Some(top)));
        }
        if let Some(c) = &chunks[k] {
            for (pi, pc) in c.pages.iter().enumerate() {
                let abs = chunk_first[k] + pi;
                for pl in &pc.placed {
                    let b = match pl {
                        Placed::Body { index, y, .. } => Some((&c.flow.boxes[*index], *y)),
                        Placed::Note { note, line, y } => c
                            .flow
                            .notes
                            .get(note)
                            .and_then(|ls| ls.get(*line))
                            .map(|b| (b, *y)),
                        Placed::Continued { .. } => None,
                    };
                    let Some((b, y)) = b else { continue };
                    if let VKind::Lines { lines, anchors, .. } = &b.kind {
                        for a in anchors {
                            page_of_anchor
                                .entry(a.clone())
                                .or_insert((abs, (frame.top + y) as f32));
                        }
                        for (l, _) in lines {
                            for h in &l.hits {
                                if let Some(slot) = hit_pages.get_mut(*h as usize)
                                    && *slot == usize::MAX
                                {
                                    *slot = abs;
                                }
                            }
                        }
                    }
                }
            }
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
    for (id, (p, _)) in &a.page_of_anchor {
        labels_of_anchors.insert(id.clone(), a.label(*p));
    }
    a.labels_of_anchors = labels_of_anchors;
    a.hit_labels = a
        .hit_pages
        .iter()
        .map(|p| {
            if *p == usize::MAX {
                String::new()
            } else {
                a.label(*p)
            }
        })
        .collect();
    a
}

/// Turns laid-out chunks into pages of positioned items, with running heads and folios.
fn render(
    book: &Book,
    chunks: &mut [Option<Chunk>],
    asm: &Assembly,
    frame: &Frame,
    tools: &mut Tools<'_>,
) -> Vec<Page> {
    let mut out: Vec<Page> = Vec::with_capacity(asm.pages.len());
    for (numbering, number, recto, kind, entry) in asm.pages.iter() {
        out.push(Page {
            items: Vec::new(),
            links: Vec::new(),
            dests: Vec::new(),
            numbering: *numbering,
            number: *number,
            recto: *recto,
            kind: *kind,
            hits: Vec::new(),
            flow_start: None,
            entry: *entry,
        });
    }
    super::titlepages::title_page(book, &mut out[0], frame, tools);
    super::titlepages::copyright_page(book, &mut out[1], frame, tools);
    for (k, chunk) in chunks.iter_mut().enumerate() {
        let Some(c) = chunk else { continue };
        let generated = c.generated;
        for (pi, pc) in c.pages.iter().enumerate() {
            let abs = asm.chunk_first[k] + pi;
            let page = &mut out[abs];
            let left = frame.left(page.recto);
            let mut flow_start: Option<FlowPoint> = None;
            for pl in &pc.placed {
                let (b, x_shift, y): (&mut VBox, f64, f64) = match pl {
                    Placed::Body { index, x, y } => (&mut c.flow.boxes[*index], *x, *y),
                    Placed::Note { note, line, y } => {
                        match c.flow.notes.get_mut(note).and_then(|ls| ls.get_mut(*line)) {
                            Some(b) => (b, 0.0, *y),
                            None => continue,
                        }
                    }
                    Placed::Continued { index, x, y } => match c.flow.continued.get_mut(index) {
                        Some(b) => (b, *x, *y),
                        None => continue,
                    },
                };
                let left = left + x_shift;
                let top = frame.top + y;
                let ascent = b.ascent;
                match &mut b.kind {
                    VKind::Lines {
                        lines,
                        point,
                        anchors,
                    } => {
                        if flow_start.is_none() && !generated && matches!(pl, Placed::Body { .. }) {
                            flow_start = *point;
                        }
                        for a in anchors.iter() {
                            page.dests.push((a.clone(), top as f32));
                        }
                        let base = top + ascent;
                        for (line, x) in lines.iter_mut() {
                            place_line(page, std::mem::take(line), left + f64::from(*x), base);
                        }
                    }
                    VKind::Picture { image, x, w, h } => {
                        page.items.push(PItem::Image {
                            image: *image,
                            x: (left + f64::from(*x)) as f32,
                            y: top as f32,
                            w: *w,
                            h: *h,
                        });
                    }
                    VKind::Space { .. } => {}
                }
            }
            if let Some(ry) = pc.rule_y {
                let y = (frame.top + ry) as f32;
                page.items.push(PItem::Rule {
                    x0: left as f32,
                    x1: (left + frame.geom.measure / 3.0) as f32,
                    y,
                    thickness: 0.4,
                });
            }
            page.flow_start = flow_start;
        }
    }
    // Running heads and folios.
    if book.config.pdf.running_heads {
        for page in out.iter_mut() {
            if page.kind != PageKind::Body {
                continue;
            }
            running_head(book, page, frame, tools);
        }
    }
    out
}

/// Places a set line's runs, links and hits at (x, baseline) on the page.
pub fn place_line(page: &mut Page, mut line: Line, x: f64, baseline: f64) {
    let size = line.runs.first().map_or(10.0, |r| r.size);
    for r in line.runs.drain(..) {
        let (rx, ry) = (
            (x + f64::from(r.x)) as f32,
            (baseline + f64::from(r.rise)) as f32,
        );
        page.items.push(PItem::Text {
            run: r,
            x: rx,
            y: ry,
        });
    }
    for (x0, x1, target) in &line.links {
        page.links.push(PLink {
            x: (x + f64::from(*x0)) as f32,
            y: (baseline - f64::from(size) * 0.8) as f32,
            w: x1 - x0,
            h: size * 1.05,
            target: target.clone(),
        });
    }
    page.hits.extend(line.hits.iter().copied());
}

/// Verso: the book's title; recto: the current chapter's contents title. The folio is at the
/// outer edge of the same line.
fn running_head(book: &Book, page: &mut Page, frame: &Frame, tools: &mut Tools<'_>) {
    let size = frame.geom.size * 0.9;
    let text = if page.recto {
        page.entry
            .map(|e| book.entries[e].title.clone())
            .unwrap_or_default()
    } else {
        book.config.book.title.clone()
    };
    let measure = frame.geom.measure;
    let y = frame.top - (frame.geom.leading * 1.6).max(size * 1.5);
    let left = frame.left(page.recto);
    let folio = page.label();
    let style = ParaStyle::plain(size, 1e6, Align::Left, Style::Regular);
    let folio_line = paragraph::layout_text(&folio, &style, tools)
        .into_iter()
        .next()
        .unwrap_or_default();
    let folio_w = f64::from(folio_line.width);
    let fx = if page.recto {
        left + measure - folio_w
    } else {
        left
    };
    place_line(page, folio_line, fx, y);
    // The head, centred, shortened with an ellipsis when it would crowd the folio.
    let room = measure - 2.0 * (folio_w + size * 2.0);
    let italic = ParaStyle {
        base: Style::Italic,
        ..style
    };
    let mut head = text.clone();
    let mut line = paragraph::layout_text(&head, &italic, tools)
        .into_iter()
        .next()
        .unwrap_or_default();
    while f64::from(line.width) > room && head.contains(' ') {
        let cut = head
            .trim_end_matches('…')
            .rsplit_once(' ')
            .map(|(a, _)| a.to_string())
            .unwrap_or_default();
        head = format!("{}…", cut.trim_end_matches([',', ';', ':', '.']));
        line = paragraph::layout_text(&head, &italic, tools)
            .into_iter()
            .next()
            .unwrap_or_default();
    }
    let hx = left + (measure - f64::from(line.width)) / 2.0;
    line.hits.clear();
    line.links.clear();
    place_line(page, line, hx, y);
}

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

/// A line with a target for the whole line (contents lines).
pub fn link_line(line: &mut Line, target: LinkTarget) {
    let w = line.width.max(1.0);
    let x0 = line.runs.first().map_or(0.0, |r| r.x);
    line.links.push((x0, x0 + w, target));
}

/// A generated box of text lines (title and copyright pages).
pub fn text_box(lines: Vec<Line>, leading: f64) -> Vec<VBox> {
    lines
        .into_iter()
        .map(|l| VBox {
            kind: VKind::Lines {
                lines: vec![(l, 0.0)],
                point: None,
                anchors: Vec::new(),
            },
            height: leading,
            ascent: leading * 0.78,
            break_before: true,
        })
        .collect()
}
