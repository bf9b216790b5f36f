//! The printed index: two columns, letter headings, entries with a hanging indent, page
//! numbers from the final pagination joined into ranges (45–47), "see" and "see also" in
//! italics, and "(continued)" where an entry breaks across columns or pages.

use std::collections::HashMap;

use super::design::Design;
use super::flow::{Flow, FlowBuilder, VBox, VKind};
use super::pages::Assembly;
use super::paginate::{PageContent, Placed};
use super::paragraph::{self, Align, ParaStyle, Tools};
use crate::display::LineRole;
use crate::fonts::Style;
use crate::index::build::{PrintedEntry, PrintedIndex};
use crate::model::{Book, Inline, LinkTarget};

/// Space between the columns.
fn gutter(design: &Design) -> f64 {
    design.size * 1.5
}

fn column(design: &Design) -> f64 {
    (design.measure - gutter(design)) / 2.0
}

/// Page numbers of an entry's occurrences: one per page, consecutive pages joined with an
/// en dash. Returns (label, first absolute page) pairs.
pub(crate) fn locators(hits: &[u32], asm: &Assembly) -> Vec<(String, usize)> {
    let mut pages: Vec<usize> = hits
        .iter()
        .filter_map(|h| asm.hit_pages.get(*h as usize).copied().flatten())
        .collect();
    pages.sort_unstable();
    pages.dedup();
    let mut out = Vec::new();
    let mut k = 0;
    while k < pages.len() {
        let mut e = k;
        while e + 1 < pages.len()
            && pages[e + 1] == pages[e] + 1
            && asm.pages[pages[e + 1]].numbering == asm.pages[pages[k]].numbering
        {
            e += 1;
        }
        let label = if e > k {
            format!("{}–{}", asm.label(pages[k]), asm.label(pages[e]))
        } else {
            asm.label(pages[k])
        };
        out.push((label, pages[k]));
        k = e + 1;
    }
    out
}

/// The inlines of one index entry: term, locators (each a link to its page), see / see also.
fn entry_inlines(e: &PrintedEntry, asm: &Assembly) -> Vec<Inline> {
    let mut v = vec![Inline::Text(e.term.clone())];
    for (label, page) in locators(&e.hits, asm) {
        v.push(Inline::Text(", ".into()));
        v.push(Inline::Link(crate::model::Link {
            target: LinkTarget::Page(page),
            content: vec![Inline::Text(label)],
        }));
    }
    if let Some(see) = &e.see {
        v.push(Inline::Text(", ".into()));
        v.push(Inline::Emph(vec![Inline::Text("see".into())]));
        v.push(Inline::Text(format!(" {see}")));
    }
    if !e.see_also.is_empty() {
        v.push(Inline::Text(". ".into()));
        v.push(Inline::Emph(vec![Inline::Text("See also".into())]));
        v.push(Inline::Text(format!(" {}", e.see_also.join("; "))));
    }
    v
}

/// The index's flow: the opening, then letter groups of entries in one column's width.
pub(crate) fn index_flow(
    book: &Book,
    top: usize,
    tools: &mut Tools<'_>,
    design: Design,
    asm: &Assembly,
    printed: &PrintedIndex,
) -> Flow {
    let mut fb = FlowBuilder::new(tools, book, design);
    fb.opening(top);
    let title_boxes = fb.len();
    let col = column(&design);
    let size = design.size * design.index_scale;
    let leading = design.leading * design.index_scale;
    let hang = size * 1.5;
    let mut continued: HashMap<usize, VBox> = HashMap::new();
    let ascent = design.baseline(leading);
    let line_box = |l, x: f64, break_before: bool| {
        VBox::line(
            l,
            LineRole::Generated,
            x as f32,
            leading,
            ascent,
            break_before,
        )
    };
    for g in &printed.groups {
        // The letter heading, kept with the first entry.
        let hs = ParaStyle::plain(size * 1.15, col, Align::Left, Style::Bold);
        if fb.len() > title_boxes {
            fb.push(VBox {
                kind: VKind::Space { stretch: 0.0 },
                height: leading,
                ascent: 0.0,
                break_before: true,
            });
        }
        for l in paragraph::layout_text(&g.label, &hs, fb.tools()) {
            fb.push(VBox {
                break_before: true,
                ..line_box(l, 0.0, true)
            });
        }
        let mut first_in_group = true;
        for e in &g.entries {
            let items: Vec<(&PrintedEntry, f64, Option<&str>)> = std::iter::once((e, 0.0, None))
                .chain(e.subs.iter().map(|s| (s, size, Some(e.term.as_str()))))
                .collect();
            for (entry, indent, parent) in items {
                let style = ParaStyle {
                    hang,
                    ..ParaStyle::plain(size, col - indent, Align::Left, Style::Regular)
                };
                let lines = paragraph::layout(&entry_inlines(entry, asm), &style, fb.tools());
                for (i, l) in lines.into_iter().enumerate() {
                    let idx = fb.len();
                    // Not right after the letter heading; a sub-entry's lines may break
                    // anywhere after their first.
                    let break_before = !first_in_group;
                    first_in_group = false;
                    if i > 0 || parent.is_some() {
                        let term = parent.unwrap_or(&entry.term);
                        let cont = format!("{term} (continued)");
                        let cs = ParaStyle {
                            base: Style::Italic,
                            ..style.clone()
                        };
                        if let Some(cl) = paragraph::layout_text(&cont, &cs, fb.tools())
                            .into_iter()
                            .next()
                        {
                            continued.insert(idx, line_box(cl, 0.0, true));
                        }
                    }
                    fb.push(line_box(l, indent, break_before));
                }
            }
        }
    }
    let mut flow = fb.finish();
    flow.continued = continued;
    flow
}

/// Fills two columns per page; the first page starts below the index's title.
pub(crate) fn paginate_columns(flow: &Flow, design: &Design) -> Vec<PageContent> {
    let boxes = &flow.boxes;
    let n = boxes.len();
    // The title boxes: everything up to the first letter heading (the opening's lines and
    // spaces) spans both columns.
    let title_end = boxes
        .iter()
        .position(|b| matches!(&b.kind, VKind::Lines { anchors, .. } if anchors.is_empty()))
        .unwrap_or(n);
    let title_h: f64 = boxes[..title_end].iter().map(|b| b.height).sum();
    let col_x = [0.0, column(design) + gutter(design)];
    let mut pages: Vec<PageContent> = Vec::new();
    let mut page = PageContent::default();
    let mut y0 = 0.0;
    for (k, b) in boxes[..title_end].iter().enumerate() {
        page.placed.push(Placed::Body {
            index: k,
            x: 0.0,
            y: y0,
        });
        y0 += b.height;
    }
    let mut i = title_end;
    let mut col = 0;
    let mut top = title_h;
    while i < n {
        while i < n && boxes[i].is_space() && col_start(&page) {
            i += 1;
        }
        let mut y = top;
        let cap = design.text_height + 0.01;
        // A column that starts inside an entry repeats its term.
        if let Some(c) = flow.continued.get(&i) {
            page.placed.push(Placed::Continued {
                index: i,
                x: col_x[col],
                y,
            });
            y += c.height;
        }
        let mut j = i;
        let mut last_ok = None;
        while j < n && y + boxes[j].height <= cap {
            y += boxes[j].height;
            j += 1;
            if j == n || boxes[j].break_before {
                last_ok = Some(j);
            }
        }
        let end = if j >= n {
            n
        } else {
            last_ok.filter(|e| *e > i).unwrap_or(j.max(i + 1))
        };
        let mut yy = y - boxes[i..j].iter().map(|b| b.height).sum::<f64>();
        for (k, b) in boxes.iter().enumerate().take(end).skip(i) {
            page.placed.push(Placed::Body {
                index: k,
                x: col_x[col],
                y: yy,
            });
            yy += b.height;
        }
        i = end;
        if col == 0 && i < n {
            col = 1;
        } else if i < n {
            pages.push(std::mem::take(&mut page));
            col = 0;
            top = 0.0;
        }
    }
    pages.push(page);
    pages
}

/// Spaces are dropped at the top of a column, except before anything is on the page.
fn col_start(page: &PageContent) -> bool {
    !page.placed.is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::testing::design;

    fn line(break_before: bool) -> VBox {
        VBox::line(
            Default::default(),
            LineRole::Generated,
            0.0,
            13.5,
            10.5,
            break_before,
        )
    }

    /// A title, then `n` entry lines, every fifth one the start of an entry; a column may
    /// break before any line.
    fn flow(n: usize) -> Flow {
        let mut boxes = vec![VBox {
            kind: VKind::Lines {
                lines: vec![(Default::default(), 0.0)],
                role: LineRole::Heading { level: 1 },
                point: None,
                anchors: vec!["index".into()],
            },
            height: 30.0,
            ascent: 20.0,
            break_before: false,
        }];
        let mut continued = HashMap::new();
        for k in 0..n {
            if k % 5 != 0 {
                continued.insert(boxes.len(), line(true));
            }
            boxes.push(line(k > 0));
        }
        Flow {
            boxes,
            notes: HashMap::new(),
            continued,
            tagging: Default::default(),
        }
    }

    #[test]
    fn columns_fill_left_then_right_and_repeat_the_term_where_an_entry_breaks() {
        let d = design();
        let f = flow(200);
        let pages = paginate_columns(&f, &d);
        assert!(pages.len() >= 2, "{} pages", pages.len());
        let col2 = column(&d) + gutter(&d);
        let mut seen = vec![0usize; f.boxes.len()];
        for p in &pages {
            let mut xs = Vec::new();
            for pl in &p.placed {
                match pl {
                    Placed::Body { index, x, y } => {
                        seen[*index] += 1;
                        xs.push(*x);
                        assert!(*y + 13.5 <= d.text_height + 0.02, "inside the page");
                    }
                    Placed::Continued { index, .. } => {
                        assert!(
                            f.continued.contains_key(index),
                            "only where an entry breaks"
                        )
                    }
                    Placed::Note { .. } | Placed::Figure { .. } => {
                        panic!("no notes or figures in the index")
                    }
                }
            }
            // Left column first, then the right one.
            let first_right = xs.iter().position(|x| *x == col2).unwrap_or(xs.len());
            assert!(xs[..first_right].iter().all(|x| *x == 0.0));
            assert!(xs[first_right..].iter().all(|x| *x == col2));
        }
        assert!(seen.iter().all(|n| *n == 1), "every line once");
        // The first page's title spans both columns, at the top.
        assert!(
            matches!(pages[0].placed[0], Placed::Body { index: 0, x, y } if x == 0.0 && y == 0.0)
        );
        // A column that starts inside an entry repeats its term.
        let continued: usize = pages
            .iter()
            .flat_map(|p| &p.placed)
            .filter(|pl| matches!(pl, Placed::Continued { .. }))
            .count();
        assert!(continued >= 1);
    }
}
