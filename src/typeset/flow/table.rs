//! Tables: columns sized to their content, rows set line by line.

use super::{BoxTag, FlowBuilder, VBox, VKind};
use crate::display::{LineRole, StructKind};
use crate::fonts::Style;
use crate::model::{FlowPoint, Inline};
use crate::typeset::paragraph::{self, Align, Line, ParaStyle};

impl FlowBuilder<'_, '_> {
    /// A table: columns in proportion to their longest cell, within the measure; header
    /// cells in italics; each row a box (rows never break across pages).
    pub(super) fn table(
        &mut self,
        t: &crate::model::Table,
        indent: f64,
        measure: f64,
        point: Option<(usize, u32)>,
    ) {
        let cols = t
            .aligns
            .len()
            .max(t.rows.iter().map(Vec::len).max().unwrap_or(0))
            .max(1);
        let gap = self.design.size;
        // Column widths in proportion to their longest cell, within the measure.
        let mut natural = vec![0.0f64; cols];
        for row in t.header.iter().chain(t.rows.iter()) {
            for (c, cell) in row.iter().enumerate().take(cols) {
                let text = crate::model::plain_text(cell);
                let w = text.chars().count() as f64 * self.design.size * 0.5;
                natural[c] = natural[c].max(w);
            }
        }
        let avail = measure - gap * (cols as f64 - 1.0);
        let total: f64 = natural.iter().sum::<f64>().max(1.0);
        let widths: Vec<f64> = if total <= avail {
            natural.clone()
        } else {
            natural.iter().map(|w| w / total * avail).collect()
        };
        let used: f64 = widths.iter().sum::<f64>() + gap * (cols as f64 - 1.0);
        let left = indent + ((measure - used) / 2.0).max(0.0);
        self.space(0.5, 0.3);
        let rows: Vec<(&Vec<Vec<Inline>>, bool)> = t
            .header
            .iter()
            .map(|h| (h, true))
            .chain(t.rows.iter().map(|r| (r, false)))
            .collect();
        let table = self.node(StructKind::Table);
        self.open.push(table);
        for (row, header) in rows {
            let tr = self.node(StructKind::Row);
            self.open.push(tr);
            let cell_nodes: Vec<u32> = (0..row.len().min(cols))
                .map(|_| self.node(StructKind::Cell { header }))
                .collect();
            self.open.pop();
            let mut cells: Vec<Vec<Line>> = Vec::new();
            for (c, cell) in row.iter().enumerate().take(cols) {
                let align = match t.aligns.get(c) {
                    Some(crate::model::Align::Center) => Align::Center,
                    Some(crate::model::Align::Right) => Align::Right,
                    _ => Align::Left,
                };
                let base = if header {
                    Style::Italic
                } else {
                    Style::Regular
                };
                let style = ParaStyle {
                    align,
                    base,
                    protrusion: false,
                    ..self.body_style(widths[c].max(self.design.size * 2.0))
                };
                let lines = paragraph::layout(cell, &style, self.tools);
                self.collect_notes(&lines);
                cells.push(lines);
            }
            let height = cells.iter().map(Vec::len).max().unwrap_or(1);
            for r in 0..height {
                let mut x = left;
                let mut set = Vec::new();
                let mut nodes = Vec::new();
                for (c, lines) in cells.iter().enumerate() {
                    if let Some(l) = lines.get(r) {
                        set.push((l.clone(), x as f32));
                        nodes.push(cell_nodes[c]);
                    }
                    x += widths[c] + gap;
                }
                let p = point.map(|(entry, block)| FlowPoint {
                    entry,
                    block,
                    offset: 0,
                });
                self.tag(self.boxes.len(), BoxTag::Lines(nodes));
                self.boxes.push(VBox {
                    kind: VKind::Lines {
                        lines: set,
                        role: LineRole::Cell,
                        point: p,
                        anchors: Vec::new(),
                    },
                    height: self.design.leading,
                    ascent: self.design.baseline(self.design.leading),
                    break_before: r == 0,
                });
            }
        }
        self.open.pop();
        self.space(0.5, 0.3);
        self.no_indent = true;
    }
}
