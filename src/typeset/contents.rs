//! The printed table of contents: entries to `toc_depth`, indented by depth, with dot
//! leaders aligned down the page and the page numbers (roman in the front matter) set
//! flush right; every line links to its entry.

use super::book::Assembly;
use super::flow::{Flow, FlowBuilder, Geometry, VBox, VKind};
use super::paragraph::{self, Align, Line, ParaStyle, Tools};
use crate::display::{Em, Run, RunGlyph};
use crate::fonts::Style;
use crate::model::{Book, LinkTarget};

pub fn contents_flow(
    book: &Book,
    top: usize,
    tools: &mut Tools<'_>,
    geom: Geometry,
    asm: &Assembly,
) -> Flow {
    let entries = book.toc();
    let mut fb = FlowBuilder::new(tools, book, geom);
    fb.opening(top);
    let size = geom.size;
    let indent_step = size * 1.5;
    // The widest page number sets the column for all of them.
    let probe = ParaStyle::plain(size, 1e6, Align::Left, Style::Regular);
    let num_w = entries
        .iter()
        .map(|e| {
            asm.labels_of_anchors
                .get(&e.anchor)
                .cloned()
                .unwrap_or_else(|| "000".into())
        })
        .map(|l| {
            paragraph::layout_text(&l, &probe, fb.tools)
                .first()
                .map_or(0.0, |x| f64::from(x.width))
        })
        .fold(size * 1.5, f64::max);
    let dot = paragraph::layout_text(".", &probe, fb.tools)
        .into_iter()
        .next()
        .unwrap_or_default();
    let pitch = size * 0.55;
    for (k, e) in entries.iter().enumerate() {
        if e.depth == 0 && k > 0 {
            fb.space(0.4, 0.2);
        }
        let indent = e.depth as f64 * indent_step;
        let text_measure = geom.measure - indent - num_w - size * 2.0;
        let style = ParaStyle {
            hang: size,
            ..ParaStyle::plain(size, text_measure, Align::Left, Style::Regular)
        };
        let mut lines = paragraph::layout_text(&e.title, &style, fb.tools);
        let label = asm
            .labels_of_anchors
            .get(&e.anchor)
            .cloned()
            .unwrap_or_default();
        let target = LinkTarget::Internal(e.anchor.clone());
        let n = lines.len();
        for (i, line) in lines.iter_mut().enumerate() {
            super::book::link_line(line, target.clone());
            if i + 1 == n {
                let num = paragraph::layout_text(&label, &probe, fb.tools)
                    .into_iter()
                    .next()
                    .unwrap_or_default();
                let num_x = geom.measure - indent - f64::from(num.width);
                // Leaders: dots on a grid counted from the right edge, so they align.
                let text_end = f64::from(line.runs.last().map_or(0.0, |r| r.x + r.width()));
                let from = text_end + size * 0.6;
                let to = num_x - size * 0.6;
                if let Some(d) = dot.runs.first()
                    && to > from
                {
                    let right = geom.measure - indent;
                    let first = ((right - to) / pitch).ceil();
                    let mut x = right - first * pitch;
                    let mut xs = Vec::new();
                    while x >= from {
                        xs.push(x);
                        x -= pitch;
                    }
                    xs.reverse();
                    if let Some(&x0) = xs.first() {
                        let glyph = &d.glyphs[0];
                        let count = xs.len();
                        let glyphs: Vec<RunGlyph> = (0..count)
                            .map(|j| RunGlyph {
                                id: glyph.id,
                                advance: Em((pitch as f32) / d.size),
                                x_offset: Em(0.0),
                                y_offset: Em(0.0),
                                range: j as u32..j as u32 + 1,
                            })
                            .collect();
                        line.runs.push(Run {
                            face: d.face,
                            size: d.size,
                            x: x0 as f32,
                            rise: 0.0,
                            glyphs,
                            text: ".".repeat(count),
                        });
                    }
                }
                for mut r in num.runs {
                    r.x += num_x as f32;
                    line.runs.push(r);
                }
                line.width = (geom.measure - indent) as f32;
            }
        }
        let boxes: Vec<VBox> = lines
            .into_iter()
            .enumerate()
            .map(|(i, l): (usize, Line)| VBox {
                kind: VKind::Lines {
                    lines: vec![(l, indent as f32)],
                    point: None,
                    anchors: Vec::new(),
                },
                height: geom.leading,
                ascent: geom.leading * 0.78,
                break_before: i == 0,
            })
            .collect();
        fb.boxes.extend(boxes);
    }
    fb.finish()
}
