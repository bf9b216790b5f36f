//! The printed table of contents (entries to `toc_depth`, indented by depth) and list of
//! illustrations: dot leaders aligned down the page and the page numbers (roman in the front
//! matter) set flush right; every line links to what it lists.

use super::design::{Design, UNBOUNDED};
use super::flow::{Flow, FlowBuilder, VBox};
use super::pages::{Assembly, link_line};
use super::paragraph::{self, Align, Line, ParaStyle, Tools};
use crate::display::{Em, LineRole, Run, RunGlyphs};
use crate::fonts::Style;
use crate::model::{Book, LinkTarget, TocEntry};

/// How a contents line is set: the body size, and where the numbers and leaders go.
struct Columns {
    size: f64,
    /// Width of the widest page number: every number is set flush right in this column.
    num_w: f64,
    /// One leader dot, and the distance between dots.
    dot: Line,
    pitch: f64,
    probe: ParaStyle,
}

/// The flow of a generated list (the contents, the list of illustrations): the opening, then
/// a line (or lines) per entry.
pub(crate) fn contents_flow(
    book: &Book,
    top: usize,
    entries: &[TocEntry],
    tools: &mut Tools<'_>,
    design: Design,
    asm: &Assembly,
) -> Flow {
    let mut fb = FlowBuilder::new(tools, book, design);
    fb.opening(top);
    let cols = columns(entries, fb.tools(), design, asm);
    for (k, e) in entries.iter().enumerate() {
        if e.depth == 0 && k > 0 {
            fb.space(0.4, 0.2);
        }
        // Each level is indented by a step of one and a half ems.
        let indent = e.depth as f64 * (cols.size * 1.5);
        let lines = entry_lines(e, &cols, indent, fb.tools(), design, asm);
        let ascent = design.baseline(design.leading);
        for (i, l) in lines.into_iter().enumerate() {
            fb.push(VBox::line(
                l,
                LineRole::Generated,
                indent as f32,
                design.leading,
                ascent,
                i == 0,
            ));
        }
    }
    fb.finish()
}

/// The number column (as wide as the widest number) and the leader dot.
fn columns(entries: &[TocEntry], tools: &mut Tools<'_>, design: Design, asm: &Assembly) -> Columns {
    let size = design.size;
    let probe = ParaStyle::plain(size, UNBOUNDED, Align::Left, Style::Regular);
    let num_w = entries
        .iter()
        .map(|e| {
            asm.labels_of_anchors
                .get(&e.anchor)
                .cloned()
                .unwrap_or_else(|| "000".into())
        })
        .map(|l| {
            paragraph::layout_text(&l, &probe, tools)
                .first()
                .map_or(0.0, |x| f64::from(x.width))
        })
        .fold(size * 1.5, f64::max);
    let dot = paragraph::layout_text(".", &probe, tools)
        .into_iter()
        .next()
        .unwrap_or_default();
    Columns {
        size,
        num_w,
        dot,
        pitch: size * 0.55,
        probe,
    }
}

/// An entry's lines: the title (hanging when it wraps), every line a link to the entry, and
/// on the last, the leaders and the page number.
fn entry_lines(
    e: &TocEntry,
    cols: &Columns,
    indent: f64,
    tools: &mut Tools<'_>,
    design: Design,
    asm: &Assembly,
) -> Vec<Line> {
    let size = cols.size;
    let text_measure = design.measure - indent - cols.num_w - size * 2.0;
    let style = ParaStyle {
        hang: size,
        ..ParaStyle::plain(size, text_measure, Align::Left, Style::Regular)
    };
    let mut lines = paragraph::layout_text(&e.title, &style, tools);
    let label = asm
        .labels_of_anchors
        .get(&e.anchor)
        .cloned()
        .unwrap_or_default();
    let target = LinkTarget::Internal(e.anchor.clone());
    let n = lines.len();
    for (i, line) in lines.iter_mut().enumerate() {
        link_line(line, target.clone());
        if i + 1 == n {
            let num = paragraph::layout_text(&label, &cols.probe, tools)
                .into_iter()
                .next()
                .unwrap_or_default();
            let right = design.measure - indent;
            let num_x = right - f64::from(num.width);
            let text_end = f64::from(line.runs.last().map_or(0.0, |r| r.x + r.width()));
            if let Some(r) = leaders(cols, text_end + size * 0.6, num_x - size * 0.6, right) {
                line.runs.push(r);
            }
            for mut r in num.runs {
                r.x += num_x as f32;
                line.runs.push(r);
            }
            line.width = right as f32;
        }
    }
    lines
}

/// Leader dots between `from` and `to`, on a grid counted from the right edge `right` so
/// that the dots of every line align.
fn leaders(cols: &Columns, from: f64, to: f64, right: f64) -> Option<Run> {
    let d = cols.dot.runs.first()?;
    if to <= from {
        return None;
    }
    let pitch = cols.pitch;
    let first = ((right - to) / pitch).ceil();
    let mut x = right - first * pitch;
    let mut xs = Vec::new();
    while x >= from {
        xs.push(x);
        x -= pitch;
    }
    xs.reverse();
    let &x0 = xs.first()?;
    let glyph = d.glyphs.first()?;
    let count = xs.len();
    let mut glyphs = RunGlyphs::with_capacity(count);
    for j in 0..count {
        glyphs.push(glyph.id, Em((pitch as f32) / d.size), j as u32);
    }
    let (glyphs, extras) = glyphs.finish(Vec::new());
    Some(Run {
        face: d.face,
        size: d.size,
        x: x0 as f32,
        rise: 0.0,
        glyphs,
        text: ".".repeat(count).into(),
        extras,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::testing::{design, tools};

    #[test]
    fn leader_dots_stand_on_one_grid_counted_from_the_right() {
        let mut t = tools(&[]);
        let probe = ParaStyle::plain(10.5, UNBOUNDED, Align::Left, Style::Regular);
        let dot = paragraph::layout_text(".", &probe, &mut t).remove(0);
        let cols = Columns {
            size: 10.5,
            num_w: 20.0,
            dot,
            pitch: 10.5 * 0.55,
            probe,
        };
        let right = design().measure;
        let a = leaders(&cols, 40.0, 290.0, right).unwrap();
        let b = leaders(&cols, 123.4, 280.0, right).unwrap();
        let xs = |r: &Run| -> Vec<f32> {
            (0..r.glyphs.len())
                .map(|k| r.x + k as f32 * r.advance(0).at(r.size))
                .collect()
        };
        let (xa, xb) = (xs(&a), xs(&b));
        assert!(xa.len() > xb.len());
        // Every dot of the shorter row stands where a dot of the longer one does.
        for x in &xb {
            assert!(
                xa.iter().any(|y| (x - y).abs() < 0.01),
                "{x} is off the grid"
            );
        }
        assert!(xa[0] >= 40.0 && *xa.last().unwrap() <= 290.0);
        assert!(
            leaders(&cols, 100.0, 90.0, right).is_none(),
            "no room, no dots"
        );
    }
}
