//! The bibliography (`@bibliography`): each entry a paragraph with a hanging indent, ragged
//! right (long titles and web addresses would open wide spaces on a justified line), the
//! entry's anchor on its first line so citations link to it.

use super::FlowBuilder;
use crate::display::LineRole;
use crate::model::BibItem;
use crate::typeset::paragraph::{self, Align};

/// The hanging indent, in ems of the body size.
const HANG: f64 = 2.0;

impl FlowBuilder<'_, '_> {
    /// The entries, in the style's order.
    pub fn bibliography(&mut self, entry: usize, items: &[BibItem]) {
        let d = self.design;
        for (k, item) in items.iter().enumerate() {
            let mut style = self.body_style(d.measure);
            style.hang = HANG * d.size;
            style.align = Align::Left;
            let lines = paragraph::layout(&item.content, &style, self.tools);
            let anchors = if item.anchor.is_empty() {
                Vec::new()
            } else {
                vec![item.anchor.clone()]
            };
            let from = self.boxes.len();
            self.push_lines(
                lines,
                LineRole::Text,
                0.0,
                d.leading,
                Some((entry, k as u32 + 1)),
                anchors,
                false,
                false,
            );
            self.apply_keep(from);
        }
        self.no_indent = true;
    }
}
