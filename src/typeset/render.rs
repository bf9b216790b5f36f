//! Drawing: the laid-out chunks become pages of positioned items, with the title and
//! copyright pages, footnote rules, and running heads and folios.

use super::design::UNBOUNDED;
use super::flow::{BoxTag, FigureBox, VBox, VKind};
use super::pages::{Assembly, Chunk, Frame, PageSlot, place_line};
use super::paginate::{PageContent, Placed};
use super::paragraph::{self, Align, ParaStyle, Tools};
use crate::display::{LineRole, PItem, PLine, Page, PageKind, StructKind, Structure};
use crate::fonts::Style;
use rayon::prelude::*;
use std::collections::HashMap;

use crate::model::{Book, EntryKind, FlowPoint, NoteId};

/// Turns laid-out chunks into pages of positioned items, with running heads and folios,
/// and the book's logical structure the items belong to. Each chunk is let go once its pages
/// are drawn: a long novel's laid-out lines are freed while its pages are made, instead of
/// both being held (the cache of `watch` keeps its own).
pub(crate) fn render(
    book: &Book,
    chunks: Vec<Option<std::sync::Arc<Chunk>>>,
    asm: &Assembly,
    frame: &Frame,
    tools: &mut Tools<'_>,
) -> (Vec<Page>, Structure) {
    let mut out: Vec<Page> = asm.pages.iter().map(PageSlot::empty_page).collect();
    let mut structure = Structure::default();
    // The title and copyright pages: a paragraph each.
    let title = structure.push(StructKind::Paragraph, None);
    out[0].mark(Some(title));
    super::titlepages::title_page(book, &mut out[0], frame, tools);
    let copyright = structure.push(StructKind::Paragraph, None);
    out[1].mark(Some(copyright));
    super::titlepages::copyright_page(book, &mut out[1], frame, tools);
    // Each chunk with its pages (they follow one another in book order) and where its
    // structure nodes begin in the book's (appended in book order).
    let mut jobs = Vec::new();
    let (mut rest, mut at) = (&mut out[..], 0);
    for (k, chunk) in chunks.into_iter().enumerate() {
        let Some(c) = chunk else { continue };
        let off = structure.append(c.flow.tagging.structure.clone());
        let (_, tail) = std::mem::take(&mut rest).split_at_mut(asm.chunk_first[k] - at);
        let (pages, tail) = tail.split_at_mut(c.pages.len());
        (rest, at) = (tail, asm.chunk_first[k] + c.pages.len());
        if c.drawn.is_some() {
            let drawn = match std::sync::Arc::try_unwrap(c) {
                Ok(c) => c.drawn,
                Err(c) => c.drawn.clone(),
            };
            for (page, d) in pages.iter_mut().zip(drawn.into_iter().flatten()) {
                take_drawn(page, d, off);
            }
            continue;
        }
        jobs.push((c, pages, off));
    }
    // A page reads only its own chunk: the pages are drawn in parallel.
    jobs.into_par_iter().for_each(|(c, pages, off)| {
        pages
            .par_iter_mut()
            .enumerate()
            .for_each(|(pi, page)| draw_page(page, &c, pi, frame, off));
    });
    if book.config.pdf.running_heads {
        let heads = endnote_heads(book, &out);
        let base = &*tools;
        // Set in parallel; what they remark is kept in page order.
        let remarks: Vec<Vec<super::remarks::Remark>> = out
            .par_iter_mut()
            .zip(heads)
            .map_init(
                || base.fork(),
                |t, (page, head)| {
                    if page.kind == PageKind::Body {
                        page.mark(None);
                        running_head(book, page, frame, t, head);
                    }
                    std::mem::take(&mut t.sink).into_remarks()
                },
            )
            .collect();
        for r in remarks.into_iter().flatten() {
            tools.sink.warn(r);
        }
    }
    out.par_iter_mut().for_each(Page::shrink_to_fit);
    (out, structure)
}

/// Puts a page drawn before the book was numbered (see [`Chunk::draw_now`]) in its slot
/// `page`, its structure nodes moved to where its chunk's begin in the book's (`off`).
fn take_drawn(page: &mut Page, d: Page, off: u32) {
    debug_assert_eq!(
        page.recto, d.recto,
        "a page drawn early is on the side it was drawn for"
    );
    let shift = |n: Option<u32>| n.map(|n| n + off);
    page.items = d.items;
    page.stored = d.stored;
    page.lines = d.lines;
    page.links = d.links;
    for l in &mut page.links {
        l.node = shift(l.node);
    }
    page.dests = d.dests;
    page.hits = d.hits;
    page.note_refs = d.note_refs;
    page.flow_start = d.flow_start;
    page.marks = d.marks;
    for m in &mut page.marks {
        m.node = shift(m.node);
    }
}

/// The running heads of the `@notes` pages, as the Chicago Manual recommends: "Notes to
/// pages 45–67", the pages where the notes on the page are referred to.
fn endnote_heads(book: &Book, pages: &[Page]) -> Vec<Option<String>> {
    let notes_entry = |p: &Page| {
        p.entry
            .is_some_and(|e| matches!(book.entries[e].kind, EntryKind::Notes))
    };
    if !pages.iter().any(notes_entry) {
        return vec![None; pages.len()];
    }
    let mut ref_page: HashMap<NoteId, usize> = HashMap::new();
    for (i, p) in pages.iter().enumerate().filter(|(_, p)| !notes_entry(p)) {
        for n in &p.note_refs {
            ref_page.entry(*n).or_insert(i);
        }
    }
    pages
        .iter()
        .map(|p| {
            if !notes_entry(p) {
                return None;
            }
            let refs: Vec<usize> = p
                .lines
                .iter()
                .filter_map(|l| match l.role {
                    LineRole::Note { note, .. } => ref_page.get(&note).copied(),
                    _ => None,
                })
                .collect();
            let (lo, hi) = (refs.iter().min()?, refs.iter().max()?);
            let (a, b) = (pages[*lo].label(), pages[*hi].label());
            let english = book.config.book.language.starts_with("en");
            Some(match (english, lo == hi) {
                (true, true) => format!("Notes to page {a}"),
                (true, false) => format!("Notes to pages {a}–{b}"),
                (false, true) => format!(
                    "{} · {a}",
                    crate::model::notes_title(&book.config.book.language)
                ),
                (false, false) => format!(
                    "{} · {a}–{b}",
                    crate::model::notes_title(&book.config.book.language)
                ),
            })
        })
        .collect()
}

/// Draws page `pi` of a chunk: its boxes, its notes and their rule. The chunk is only read
/// (a chunk kept for the next build is drawn again as it is).
/// `off`: where the chunk's structure nodes begin in the book's.
pub(crate) fn draw_page(page: &mut Page, c: &Chunk, pi: usize, frame: &Frame, off: u32) {
    let pc: &PageContent = &c.pages[pi];
    let left = frame.left(page.recto);
    let mut flow_start: Option<FlowPoint> = None;
    // A page that holds only figures set away from their place begins where the first is.
    let mut float_start: Option<FlowPoint> = None;
    for pl in &pc.placed {
        let scale = match pl {
            Placed::Figure { scale, .. } => *scale,
            _ => 1.0,
        };
        let tag = match pl {
            Placed::Body { index, .. } | Placed::Figure { index, .. } => {
                c.flow.tagging.boxes.get(index).cloned()
            }
            Placed::Note { note, .. } => c.flow.tagging.notes.get(note).map(|n| BoxTag::Node(*n)),
            Placed::Continued { .. } => None,
        };
        let node = |k: usize| match &tag {
            Some(BoxTag::Node(n)) => Some(n + off),
            Some(BoxTag::Lines(ns)) => ns.get(k).map(|n| n + off),
            None => None,
        };
        let (b, x_shift, y): (&VBox, f64, f64) = match pl {
            Placed::Body { index, x, y } => (&c.flow.boxes[*index], *x, *y),
            Placed::Figure { index, y, .. } => (&c.flow.boxes[*index], 0.0, *y),
            Placed::Note { note, line, y } => {
                match c.flow.notes.get(note).and_then(|ls| ls.get(*line)) {
                    Some(b) => (b, 0.0, *y),
                    None => continue,
                }
            }
            Placed::Continued { index, x, y } => match c.flow.continued.get(index) {
                Some(b) => (b, *x, *y),
                None => continue,
            },
        };
        let left = left + x_shift;
        let top = frame.top + y;
        let (ascent, height) = (b.ascent, b.height);
        match &b.kind {
            VKind::Lines {
                lines,
                role,
                point,
                anchors,
            } => {
                if flow_start.is_none() && !c.generated && matches!(pl, Placed::Body { .. }) {
                    flow_start = *point;
                }
                for a in anchors.iter() {
                    page.dests.push((a.clone(), top as f32));
                }
                let base = top + ascent;
                page.lines.push(PLine {
                    baseline: base as f32,
                    bottom: (top + height) as f32,
                    role: *role,
                    point: *point,
                });
                for (k, (line, x)) in lines.iter().enumerate() {
                    page.mark(node(k));
                    place_line(page, line, left + f64::from(*x), base);
                }
            }
            VKind::Figure(f) => {
                let start = if matches!(pl, Placed::Figure { moved: true, .. }) {
                    &mut float_start
                } else {
                    &mut flow_start
                };
                if start.is_none() && !c.generated {
                    *start = f.point;
                }
                draw_figure(page, f, left, top, scale, node(0));
            }
            VKind::Space { .. } => {}
        }
    }
    page.mark(None);
    if let Some(ry) = pc.rule_y {
        let y = (frame.top + ry) as f32;
        page.items.push(PItem::Rule {
            x0: left as f32,
            x1: (left + frame.design.measure / 3.0) as f32,
            y,
            thickness: 0.4,
        });
    }
    page.flow_start = flow_start.or(float_start);
}

/// A figure whose block's top is at `top`, its picture drawn at `scale` of its size and
/// centred where it was: the picture, then its caption lines right under it.
/// `node`: the figure's structure node (its caption's is the next).
fn draw_figure(page: &mut Page, f: &FigureBox, left: f64, top: f64, scale: f64, node: Option<u32>) {
    for a in &f.anchors {
        page.dests.push((a.clone(), top as f32));
    }
    let (w, h) = (f64::from(f.w) * scale, f64::from(f.h) * scale);
    page.mark(node);
    page.items.push(PItem::Image {
        image: f.image,
        x: (left + f64::from(f.x) + (f64::from(f.w) - w) / 2.0) as f32,
        y: top as f32,
        w: w as f32,
        h: h as f32,
    });
    page.mark(node.map(|n| n + 1));
    let caption_top = f.caption_top - (f64::from(f.h) - h);
    for (k, (line, x)) in f.caption.iter().enumerate() {
        let line_top = top + caption_top + k as f64 * f.leading;
        let base = line_top + f.ascent;
        page.lines.push(PLine {
            baseline: base as f32,
            bottom: (line_top + f.leading) as f32,
            role: LineRole::Caption,
            point: f.point,
        });
        place_line(page, line, left + f64::from(*x), base);
    }
}

/// Verso: the book's title; recto: the current chapter's contents title. The folio is at the
/// outer edge of the same line.
fn running_head(
    book: &Book,
    page: &mut Page,
    frame: &Frame,
    tools: &mut Tools<'_>,
    head: Option<String>,
) {
    let d = &frame.design;
    let size = d.size * d.head_scale;
    let text = if let Some(h) = head {
        h
    } else if page.recto {
        page.entry
            .map(|e| book.entries[e].title.clone())
            .unwrap_or_default()
    } else {
        book.config.book.title.clone()
    };
    let measure = d.measure;
    let y = frame.top - (d.leading * 1.6).max(size * 1.5);
    let left = frame.left(page.recto);
    let folio = page.label();
    let style = ParaStyle::plain(size, UNBOUNDED, Align::Left, Style::Regular);
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
    place_line(page, &folio_line, fx, y);
    // The head, centred, shortened with an ellipsis when it would crowd the folio.
    let room = measure - 2.0 * (folio_w + size * 2.0);
    let italic = ParaStyle {
        base: Style::Italic,
        ..style
    };
    let mut head = text;
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
    place_line(page, &line, hx, y);
    page.lines.push(PLine {
        baseline: y as f32,
        bottom: y as f32,
        role: LineRole::Furniture,
        point: None,
    });
}
