//! The running text: an entry's opening, nested entries' titles, headings, paragraphs,
//! block quotations, lists, code and scene breaks.

use super::{FlowBuilder, Place, VBox, VKind, title_inlines, title_pos};
use crate::display::{LineRole, StructKind};
use crate::fonts::Style;
use crate::model::Pos;
use crate::model::{Block, EntryKind, FlowPoint, Heading, Inline, List, RawHtml};
use crate::typeset::paragraph::{self, Align, ParaStyle};
use crate::typeset::remarks::Remark;

/// Where the first leaf block among `blocks` is.
fn first_pos(blocks: &[Block]) -> Option<Pos> {
    blocks.iter().find_map(|b| match b {
        Block::Quote(inner) => first_pos(inner),
        Block::List(l) => l.items.iter().find_map(|i| first_pos(i)),
        other => super::block_pos(other),
    })
}

/// Vertical spaces, in lines.
pub(super) const SPACE_BEFORE_HEADING: f64 = 1.5;
const SPACE_AFTER_HEADING: f64 = 0.5;
const SPACE_AROUND_QUOTE: f64 = 0.5;
/// Space after an opening's title, in lines.
const SPACE_AFTER_TITLE: f64 = 2.0;

impl FlowBuilder<'_, '_> {
    /// The opening of a top-level entry: the title sunk a fifth of the way down the page.
    pub fn opening(&mut self, entry: usize) {
        let e = &self.book.entries[entry];
        self.tools.context = Some(title_pos(self.book, entry));
        let d = self.design;
        let sink = ((d.text_height * d.opening_sink) / d.leading).floor();
        let sink_at = self.boxes.len();
        self.boxes.push(VBox {
            kind: VKind::Space { stretch: 0.0 },
            height: sink * d.leading,
            ascent: 0.0,
            break_before: false,
        });
        let size = d.size * d.title_scale;
        let title = title_inlines(self.book, entry);
        let style = ParaStyle {
            size,
            measure: d.measure,
            align: Align::Center,
            hyphenate: false,
            ..self.body_style(d.measure)
        };
        let lines = paragraph::layout(&title, &style, self.tools);
        self.collect_notes(&lines);
        let leading = size * d.title_leading;
        let mut anchors = vec![e.anchor.clone()];
        if let EntryKind::Document(doc) = &e.kind
            && let Some(h) = &doc.heading
        {
            anchors.push(h.id.clone());
        }
        let start = self.boxes.len();
        let role = LineRole::Heading { level: 1 };
        self.push_lines(
            lines,
            role,
            0.0,
            leading,
            Some((entry, 0)),
            anchors,
            true,
            false,
        );
        if let Some(b) = self.boxes.get_mut(start) {
            b.break_before = false;
        }
        // The text starts on the page's baseline grid: the space after the title makes up
        // what the title's own leading left over.
        let opening: f64 = self.boxes[sink_at..].iter().map(|b| b.height).sum();
        let rest = opening % d.leading;
        let pad = if rest > 0.01 { d.leading - rest } else { 0.0 };
        self.boxes.push(VBox {
            kind: VKind::Space { stretch: 0.0 },
            height: SPACE_AFTER_TITLE * d.leading + pad,
            ascent: 0.0,
            break_before: false,
        });
        self.no_indent = true;
        self.keep_next = true;
        self.keep_level = 0;
    }

    /// The title of a nested entry, run on after what precedes it.
    pub fn nested_heading(&mut self, entry: usize) {
        let e = &self.book.entries[entry];
        self.tools.context = Some(title_pos(self.book, entry));
        let depth = e.depth;
        // Parts and sections a size up; chapters within them (and deeper) at the text size.
        let (size, italic) = self.heading_size(depth);
        let mut anchors = vec![e.anchor.clone()];
        if let EntryKind::Document(d) = &e.kind
            && let Some(h) = &d.heading
        {
            anchors.push(h.id.clone());
        }
        let title = title_inlines(self.book, entry);
        let role = LineRole::Heading { level: depth + 1 };
        self.heading(
            &title,
            depth,
            role,
            size,
            italic,
            anchors,
            Some((entry, 0)),
            2.0,
        );
    }

    /// Size and style of a heading of rank `level` (1 is the highest under a title).
    pub(super) fn heading_size(&self, level: u8) -> (f64, bool) {
        let d = &self.design;
        match level {
            0 | 1 => (d.size * d.heading_scale, false),
            2 => (d.size, false),
            _ => (d.size, true),
        }
    }

    /// A `##` … heading inside a document.
    pub(super) fn block_heading(
        &mut self,
        h: &Heading,
        depth_base: u8,
        point: Option<(usize, u32)>,
    ) {
        let level = depth_base + h.level - 1;
        let (size, italic) = self.heading_size(level);
        self.heading(
            &h.inlines,
            level,
            LineRole::Heading { level },
            size,
            italic,
            vec![h.id.clone()],
            point,
            SPACE_BEFORE_HEADING,
        );
    }

    #[allow(clippy::too_many_arguments)]
    pub(super) fn heading(
        &mut self,
        inlines: &[Inline],
        level: u8,
        role: LineRole,
        size: f64,
        italic: bool,
        anchors: Vec<String>,
        point: Option<(usize, u32)>,
        before: f64,
    ) {
        let from = self.boxes.len();
        // A heading right after a heading of the same or a higher rank ends an empty
        // section: the page may break between them.
        if self.keep_next && self.keep_level >= level {
            self.keep_next = false;
        }
        if !self.boxes.is_empty() {
            self.space(before, 1.0);
        }
        let base = if italic {
            Style::Italic
        } else {
            Style::Regular
        };
        let d = self.design;
        let style = ParaStyle {
            size,
            align: Align::Center,
            hyphenate: false,
            base,
            ..self.body_style(d.measure * d.heading_measure)
        };
        let lines = paragraph::layout(inlines, &style, self.tools);
        self.collect_notes(&lines);
        let leading = (size * d.title_leading).max(d.leading);
        let start = self.boxes.len();
        let x = (d.measure * d.heading_inset) as f32;
        self.push_lines(lines, role, x, leading, point, anchors, true, false);
        self.space(SPACE_AFTER_HEADING, 0.25);
        // A heading that follows a heading stays with it.
        self.apply_keep(from);
        // Nothing breaks between a heading and the first lines after it.
        let after = (start + 1).min(self.boxes.len());
        for b in &mut self.boxes[after..] {
            b.break_before = false;
        }
        self.no_indent = true;
        self.keep_next = true;
        self.keep_level = level;
    }

    /// A paragraph: justified and indented (not after a heading or a break), or, with hard
    /// line breaks, verse set flush left.
    pub(super) fn para(&mut self, inlines: &[Inline], place: Place, point: Option<(usize, u32)>) {
        let measure = place.measure;
        let verse = inlines.iter().any(|i| matches!(i, Inline::LineBreak));
        let mut style = self.body_style(measure);
        if !self.no_indent && !verse {
            style.indent = self.design.size * self.scale;
        }
        if verse {
            style.align = Align::Left;
            style.hyphenate = false;
        }
        let lines = paragraph::layout(inlines, &style, self.tools);
        self.collect_notes(&lines);
        // A one-line paragraph that fills the measure looks like the first line of a
        // longer one: at the foot of a page it would read as an orphan.
        // (Hanging punctuation lets a line that falls a little short still reach it.)
        let full_single = lines.len() == 1
            && style.indent > 0.0
            && f64::from(lines[0].runs.first().map_or(0.0, |r| r.x) + lines[0].width)
                >= measure - 0.3 * self.design.size;
        self.push_lines(
            lines,
            LineRole::Text,
            place.indent as f32,
            self.design.leading * self.scale,
            point,
            Vec::new(),
            false,
            full_single,
        );
        self.no_indent = false;
    }

    /// A block quotation: smaller type, indented on both sides, space around.
    pub(super) fn quote(&mut self, bs: &[Block], place: Place, depth_base: u8, ordinal: &mut u32) {
        self.space(SPACE_AROUND_QUOTE, 0.5);
        self.no_indent = true;
        let quote = self.node(StructKind::BlockQuote);
        self.open.push(quote);
        let inner = self.nest(self.design.size * 1.5, 2.0, place, bs);
        let saved = self.scale;
        self.scale = self.design.quote_scale;
        let clamp = u32::from(inner == 0.0);
        self.clamped += clamp;
        self.blocks(
            place.entry,
            bs,
            depth_base,
            ordinal,
            place.indent + inner,
            place.measure - 2.0 * inner,
        );
        self.clamped -= clamp;
        self.scale = saved;
        self.open.pop();
        self.space(SPACE_AROUND_QUOTE, 0.5);
        // The text after a quotation starts a new paragraph, indented.
        self.no_indent = false;
    }

    /// A list: each item's blocks indented, its number or bullet hung in the indent.
    pub(super) fn list(&mut self, l: &List, place: Place, depth_base: u8, ordinal: &mut u32) {
        let (indent, measure) = (place.indent, place.measure);
        self.space(0.3, 0.3);
        let label_w = self.design.size * if l.start.is_some() { 2.0 } else { 1.2 };
        let first = l.items.first().map_or(&[][..], Vec::as_slice);
        let inner = self.nest(self.design.size * 1.0 + label_w, 1.0, place, first);
        let list = self.node(StructKind::List {
            ordered: l.start.is_some(),
        });
        self.open.push(list);
        for (k, item) in l.items.iter().enumerate() {
            let li = self.node(StructKind::ListItem);
            self.open.push(li);
            let body = self.node(StructKind::ListBody);
            self.open.push(body);
            if k > 0 && !l.tight {
                self.space(0.3, 0.2);
            }
            let label = match l.start {
                Some(s) => format!("{}.", s + k as u64),
                None => "•".to_string(),
            };
            let first = self.boxes.len();
            self.no_indent = true;
            let clamp = u32::from(inner < label_w);
            self.clamped += clamp;
            self.blocks(
                place.entry,
                item,
                depth_base,
                ordinal,
                indent + inner,
                measure - inner,
            );
            self.clamped -= clamp;
            let x = (indent + inner - label_w).max(0.0);
            self.label(first, &label, x as f32, label_w);
            self.open.truncate(self.open.len() - 2);
        }
        self.open.pop();
        self.space(0.3, 0.3);
        self.no_indent = true;
    }

    /// How far a nested quotation or list is indented: `step` (taken `sides` times from the
    /// measure), unless that would leave less than the design's narrowest measure, in which
    /// case it is set at the width of its parent, with a warning.
    fn nest(&mut self, step: f64, sides: f64, place: Place, inside: &[Block]) -> f64 {
        if place.measure - sides * step >= self.design.measure * self.design.min_measure {
            return step;
        }
        if self.clamped == 0 {
            let at = first_pos(inside).or(self.tools.context);
            self.tools.sink.warn(Remark::DeepNesting { at });
        }
        0.0
    }

    /// Puts a list label on the first line set since box `first`.
    fn label(&mut self, first: usize, label: &str, x: f32, width: f64) {
        let style = ParaStyle {
            align: Align::Right,
            hyphenate: false,
            protrusion: false,
            ..self.body_style(width - self.design.size * 0.4)
        };
        let lines = paragraph::layout_text(label, &style, self.tools);
        let Some(line) = lines.into_iter().next() else {
            return;
        };
        if let Some(VKind::Lines { lines, .. }) = self.boxes[first..]
            .iter_mut()
            .map(|b| &mut b.kind)
            .find(|k| matches!(k, VKind::Lines { .. }))
        {
            // Drawn first, so copied text reads "1. The item…".
            lines.insert(0, (line, x));
        }
    }

    /// A code block: its lines as they are, spaces kept, never broken across a page inside a
    /// line.
    pub(super) fn code(&mut self, text: &str, place: Place, point: Option<(usize, u32)>) {
        let d = self.design;
        let size = d.size * d.code_scale;
        let style = ParaStyle {
            size,
            align: Align::Left,
            hyphenate: false,
            protrusion: false,
            ..self.body_style(place.measure)
        };
        self.space(0.5, 0.3);
        for line in text.trim_end_matches('\n').split('\n') {
            let text = line.replace(' ', "\u{a0}");
            let lines = paragraph::layout_text(
                if text.is_empty() { "\u{a0}" } else { &text },
                &style,
                self.tools,
            );
            self.push_lines(
                lines,
                LineRole::Code,
                place.indent as f32,
                d.leading * d.code_leading,
                point,
                Vec::new(),
                true,
                false,
            );
        }
        self.space(0.5, 0.3);
        self.no_indent = true;
    }

    /// Raw HTML: its text, as the loader turned it into blocks. They are one leaf of the
    /// reading flow (as the EPUB counts it), so their lines all point at its start.
    pub(super) fn html(
        &mut self,
        h: &RawHtml,
        place: Place,
        depth_base: u8,
        point: Option<(usize, u32)>,
    ) {
        let from = self.boxes.len();
        let mut inner = 0;
        let div = self.node(StructKind::Div);
        self.open.push(div);
        self.blocks(
            place.entry,
            &h.print,
            depth_base,
            &mut inner,
            place.indent,
            place.measure,
        );
        self.open.pop();
        let start = point.map(|(entry, block)| FlowPoint {
            entry,
            block,
            offset: 0,
        });
        for b in &mut self.boxes[from..] {
            if let VKind::Lines { point, .. } = &mut b.kind {
                *point = start;
            }
        }
    }

    /// A scene break: three spaced asterisks, kept with the text that follows.
    pub(super) fn scene_break(&mut self, place: Place) {
        self.space(0.5, 0.5);
        let style = ParaStyle {
            align: Align::Center,
            hyphenate: false,
            protrusion: false,
            ..self.body_style(place.measure)
        };
        let lines = paragraph::layout_text("*\u{2003}*\u{2003}*", &style, self.tools);
        self.push_lines(
            lines,
            LineRole::Text,
            place.indent as f32,
            self.design.leading,
            None,
            Vec::new(),
            true,
            false,
        );
        // A scene break alone at the foot of a page would be lost: keep it with the
        // next lines.
        self.space(0.5, 0.5);
        if let Some(b) = self.boxes.last_mut() {
            b.break_before = false;
        }
        self.no_indent = true;
        self.keep_next = true;
    }
}
