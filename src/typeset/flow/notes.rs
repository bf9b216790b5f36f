//! Footnotes: set in smaller type, the number first, once per note.

use super::{FlowBuilder, VBox};
use crate::display::LineRole;
use crate::model::{Block, Inline, NoteId, NotePlacement};
use crate::typeset::paragraph::{self, Align, Line, ParaStyle};

impl FlowBuilder<'_, '_> {
    /// Sets every footnote cited in these lines (once).
    pub(super) fn collect_notes(&mut self, lines: &[Line]) {
        // Endnotes are set where they are gathered, not at the foot of the page.
        if self.book.config.notes.placement != NotePlacement::Foot {
            return;
        }
        for l in lines {
            for n in &l.notes {
                if self.notes.contains_key(n) {
                    continue;
                }
                let boxes = self.note(*n);
                self.notes.insert(*n, boxes);
            }
        }
    }

    /// A footnote: smaller type, the number first.
    pub(super) fn note(&mut self, n: NoteId) -> Vec<VBox> {
        let note = &self.book.notes[n as usize];
        let saved = self.tools.context.replace(note.pos);
        let d = self.design;
        let size = d.size * d.note_scale;
        let leading = d.leading * d.note_leading;
        let mut out: Vec<VBox> = Vec::new();
        let style = ParaStyle {
            size,
            ..self.body_style(self.design.measure)
        };
        let mut first = true;
        for b in &note.blocks {
            let (inlines, indent, verse) = match b {
                Block::Para(p) => (
                    p.inlines.clone(),
                    0.0,
                    p.inlines.iter().any(|i| matches!(i, Inline::LineBreak)),
                ),
                Block::Quote(inner) => {
                    let mut v = Vec::new();
                    for (k, ib) in inner.iter().enumerate() {
                        if let Block::Para(p) = ib {
                            if k > 0 {
                                v.push(Inline::LineBreak);
                            }
                            v.extend(p.inlines.iter().cloned());
                        }
                    }
                    let verse = v.iter().any(|i| matches!(i, Inline::LineBreak));
                    (v, size * 1.5, verse)
                }
                other => (
                    vec![Inline::Text(crate::model::plain_text(&block_inlines(
                        other,
                    )))],
                    0.0,
                    false,
                ),
            };
            let mut inl = Vec::new();
            if first {
                inl.push(Inline::Text(format!("{}.\u{2002}", note.number)));
            }
            inl.extend(inlines);
            let mut st = style.clone();
            st.measure = self.design.measure - indent;
            if verse {
                st.align = Align::Left;
            }
            let lines = paragraph::layout(&inl, &st, self.tools);
            for line in lines {
                let role = LineRole::Note {
                    note: n,
                    first: out.is_empty(),
                };
                out.push(VBox::line(
                    line,
                    role,
                    indent as f32,
                    leading,
                    d.baseline(leading),
                    true,
                ));
            }
            first = false;
        }
        self.tools.context = saved;
        out
    }
}

/// The inlines a block shows, for blocks that footnotes set as plain text.
fn block_inlines(b: &Block) -> Vec<Inline> {
    match b {
        Block::Para(p) => p.inlines.clone(),
        Block::Heading(h) => h.inlines.clone(),
        Block::Code(c) => vec![Inline::Text(c.text.clone())],
        Block::List(l) => l
            .items
            .iter()
            .flat_map(|i| i.iter().flat_map(block_inlines))
            .collect(),
        Block::Quote(bs) => bs.iter().flat_map(block_inlines).collect(),
        _ => Vec::new(),
    }
}
