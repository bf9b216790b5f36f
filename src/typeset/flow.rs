//! Blocks → a vertical list: lines, spaces and pictures, each marked with whether a page
//! may break before it (no widows or orphans, headings kept with what follows).

use std::collections::HashMap;

use super::paragraph::{self, Align, Line, ParaStyle, Tools};
use crate::fonts::Style;
use crate::model::{Block, Book, EntryKind, FlowPoint, ImageId, Inline, NoteId};

/// The page geometry the flow is set for. Points.
#[derive(Debug, Clone, Copy)]
pub struct Geometry {
    pub measure: f64,
    pub text_height: f64,
    pub size: f64,
    pub leading: f64,
    pub protrusion: bool,
}

#[derive(Debug, Clone)]
pub enum VKind {
    /// One or more lines on one baseline (table rows have several), each at its x.
    Lines {
        lines: Vec<(Line, f32)>,
        point: Option<FlowPoint>,
        anchors: Vec<String>,
    },
    /// Vertical space: dropped at the top and bottom of a page; `stretch` fills short pages.
    Space { stretch: f64 },
    Picture {
        image: ImageId,
        x: f32,
        w: f32,
        h: f32,
    },
}

#[derive(Debug, Clone)]
pub struct VBox {
    pub kind: VKind,
    pub height: f64,
    /// Distance from the top of the box to the baseline (lines).
    pub ascent: f64,
    /// A page may end before this box.
    pub break_before: bool,
}

impl VBox {
    pub fn is_space(&self) -> bool {
        matches!(self.kind, VKind::Space { .. })
    }

    pub fn notes(&self) -> impl Iterator<Item = NoteId> + '_ {
        let lines: &[(Line, f32)] = match &self.kind {
            VKind::Lines { lines, .. } => lines,
            _ => &[],
        };
        lines.iter().flat_map(|(l, _)| l.notes.iter().copied())
    }
}

/// The vertical list of one chunk (a top-level entry and everything nested in it), and its
/// footnotes, set.
pub struct Flow {
    pub boxes: Vec<VBox>,
    pub notes: HashMap<NoteId, Vec<VBox>>,
    /// Outline entries whose title starts at box index.
    pub entry_starts: Vec<(usize, usize)>,
    /// Lines to set at the top of a column that starts at this box (the index's
    /// "Term (continued)").
    pub continued: HashMap<usize, VBox>,
}

pub struct FlowBuilder<'t, 'a> {
    pub tools: &'t mut Tools<'a>,
    pub book: &'t Book,
    pub geom: Geometry,
    pub boxes: Vec<VBox>,
    pub notes: HashMap<NoteId, Vec<VBox>>,
    pub entry_starts: Vec<(usize, usize)>,
    /// The next paragraph starts without an indent.
    no_indent: bool,
    /// Raw HTML left out, for warnings: (entry, position).
    pub html_skipped: Vec<crate::model::Pos>,
    /// Pictures that print below 200 dpi: (image, dpi, where).
    pub low_dpi: Vec<(ImageId, f64, crate::model::Pos)>,
    /// The next block must not be separated from what precedes it (after a heading).
    keep_next: bool,
    /// The level of the last heading (0 for an entry's opening), while `keep_next` holds.
    keep_level: u8,
    /// Type size relative to the body (block quotations are set smaller).
    scale: f64,
}

/// Vertical spaces, in lines.
const SPACE_BEFORE_HEADING: f64 = 1.5;
const SPACE_AFTER_HEADING: f64 = 0.5;
const SPACE_AROUND_QUOTE: f64 = 0.5;
/// Block quotations are set at this fraction of the body size.
const QUOTE_SCALE: f64 = 0.9;

impl<'t, 'a> FlowBuilder<'t, 'a> {
    pub fn new(tools: &'t mut Tools<'a>, book: &'t Book, geom: Geometry) -> Self {
        FlowBuilder {
            tools,
            book,
            geom,
            boxes: Vec::new(),
            notes: HashMap::new(),
            entry_starts: Vec::new(),
            no_indent: true,
            html_skipped: Vec::new(),
            low_dpi: Vec::new(),
            keep_next: false,
            keep_level: 0,
            scale: 1.0,
        }
    }

    pub fn finish(self) -> Flow {
        Flow {
            boxes: self.boxes,
            notes: self.notes,
            entry_starts: self.entry_starts,
            continued: HashMap::new(),
        }
    }

    fn body_style(&self, measure: f64) -> ParaStyle {
        ParaStyle {
            size: self.geom.size * self.scale,
            measure,
            indent: 0.0,
            hang: 0.0,
            align: Align::Justify,
            base: Style::Regular,
            hyphenate: true,
            protrusion: self.geom.protrusion,
        }
    }

    pub fn space(&mut self, lines: f64, stretch: f64) {
        let height = lines * self.geom.leading;
        if height <= 0.0 {
            return;
        }
        self.boxes.push(VBox {
            kind: VKind::Space {
                stretch: stretch * self.geom.leading,
            },
            height,
            ascent: 0.0,
            break_before: true,
        });
    }

    /// Adds set lines as boxes. `keep` forbids breaks inside; otherwise the widow and orphan
    /// rules apply (two lines at least on each side of a break).
    #[allow(clippy::too_many_arguments)]
    fn push_lines(
        &mut self,
        lines: Vec<Line>,
        x: f32,
        leading: f64,
        point: Option<(usize, u32)>,
        mut anchors: Vec<String>,
        keep: bool,
        keep_with_next: bool,
    ) {
        let n = lines.len();
        let ascent = leading * 0.78;
        for (i, line) in lines.into_iter().enumerate() {
            let break_before = if i == 0 {
                true
            } else if keep {
                false
            } else {
                i >= 2 && n - i >= 2
            };
            let point = point.map(|(entry, block)| FlowPoint {
                entry,
                block,
                offset: line.start,
            });
            self.boxes.push(VBox {
                kind: VKind::Lines {
                    lines: vec![(line, x)],
                    point,
                    anchors: std::mem::take(&mut anchors),
                },
                height: leading,
                ascent,
                break_before,
            });
        }
        if keep_with_next {
            self.keep_next = true;
        }
    }

    /// Marks the box that will come next as not breakable before (after a heading).
    fn apply_keep(&mut self, from: usize) {
        if self.keep_next {
            self.keep_boxes(from);
            self.keep_next = false;
        }
    }

    /// No page break before the boxes from `from` up to the first that is not a space.
    fn keep_boxes(&mut self, from: usize) {
        for b in self.boxes.iter_mut().skip(from) {
            b.break_before = false;
            if !b.is_space() {
                break;
            }
        }
    }
}

impl<'t, 'a> FlowBuilder<'t, 'a> {
    /// The opening of a top-level entry: the title sunk a quarter down the page.
    pub fn opening(&mut self, entry: usize) {
        let e = &self.book.entries[entry];
        self.tools.context = Some(title_pos(self.book, entry));
        self.entry_starts.push((entry, self.boxes.len()));
        let sink = ((self.geom.text_height * 0.22) / self.geom.leading).floor();
        self.boxes.push(VBox {
            kind: VKind::Space { stretch: 0.0 },
            height: sink * self.geom.leading,
            ascent: 0.0,
            break_before: false,
        });
        let size = self.geom.size * 1.75;
        let title = title_inlines(self.book, entry);
        let style = ParaStyle {
            size,
            measure: self.geom.measure,
            align: Align::Center,
            hyphenate: false,
            ..self.body_style(self.geom.measure)
        };
        let lines = paragraph::layout(&title, &style, self.tools);
        let leading = size * 1.25;
        let mut anchors = vec![e.anchor.clone()];
        if let EntryKind::Document(d) = &e.kind
            && let Some(h) = &d.heading
        {
            anchors.push(h.id.clone());
        }
        let start = self.boxes.len();
        self.push_lines(lines, 0.0, leading, Some((entry, 0)), anchors, true, false);
        if let Some(b) = self.boxes.get_mut(start) {
            b.break_before = false;
        }
        self.boxes.push(VBox {
            kind: VKind::Space { stretch: 0.0 },
            height: 2.0 * self.geom.leading,
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
        self.entry_starts.push((entry, self.boxes.len()));
        let depth = e.depth;
        // Parts and sections a size up; chapters within them (and deeper) at the text size.
        let (size, italic) = match depth {
            1 => (self.geom.size * 1.25, false),
            2 => (self.geom.size, false),
            _ => (self.geom.size, true),
        };
        let mut anchors = vec![e.anchor.clone()];
        if let EntryKind::Document(d) = &e.kind
            && let Some(h) = &d.heading
        {
            anchors.push(h.id.clone());
        }
        let title = title_inlines(self.book, entry);
        self.heading(&title, depth, size, italic, anchors, Some((entry, 0)), 2.0);
    }

    #[allow(clippy::too_many_arguments)]
    fn heading(
        &mut self,
        inlines: &[Inline],
        level: u8,
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
        let style = ParaStyle {
            size,
            align: Align::Center,
            hyphenate: false,
            base,
            ..self.body_style(self.geom.measure * 0.85)
        };
        let lines = paragraph::layout(inlines, &style, self.tools);
        let leading = (size * 1.25).max(self.geom.leading);
        let start = self.boxes.len();
        let x = (self.geom.measure * 0.075) as f32;
        self.push_lines(lines, x, leading, point, anchors, true, false);
        self.space(SPACE_AFTER_HEADING, 0.25);
        // A heading that follows a heading stays with it.
        self.apply_keep(from);
        // Nothing breaks between a heading and the first lines after it.
        for b in &mut self.boxes[start + 1..] {
            b.break_before = false;
        }
        self.no_indent = true;
        self.keep_next = true;
        self.keep_level = level;
    }

    /// The blocks of a document. `ordinal` counts leaf blocks as the EPUB does.
    pub fn blocks(
        &mut self,
        entry: usize,
        blocks: &[Block],
        depth_base: u8,
        ordinal: &mut u32,
        indent: f64,
        measure: f64,
    ) {
        for b in blocks {
            let from = self.boxes.len();
            // What the previous block asked to keep with it applies to this one. (A heading
            // decides for itself: one that ends an empty section may be broken from.)
            let heading = matches!(b, Block::Heading(_));
            let keep = self.keep_next && !heading;
            if !heading {
                self.keep_next = false;
            }
            self.block(entry, b, depth_base, ordinal, indent, measure);
            if keep {
                self.keep_boxes(from);
            }
        }
    }

    fn block(
        &mut self,
        entry: usize,
        b: &Block,
        depth_base: u8,
        ordinal: &mut u32,
        indent: f64,
        measure: f64,
    ) {
        if !matches!(b, Block::Quote(_) | Block::List(_)) {
            *ordinal += 1;
        }
        let point = Some((entry, *ordinal));
        self.tools.context = match b {
            Block::Para(p) => Some(p.pos),
            Block::Heading(h) => Some(h.pos),
            Block::Code(c) => Some(c.pos),
            Block::Table(t) => Some(t.pos),
            Block::Figure(f) => Some(f.pos),
            Block::Html(_, pos) => Some(*pos),
            Block::Quote(_) | Block::List(_) | Block::SceneBreak => self.tools.context,
        };
        match b {
            Block::Para(p) => {
                let verse = p.inlines.iter().any(|i| matches!(i, Inline::LineBreak));
                let mut style = self.body_style(measure);
                if !self.no_indent && !verse {
                    style.indent = self.geom.size * self.scale;
                }
                if verse {
                    style.align = Align::Left;
                    style.hyphenate = false;
                }
                let lines = paragraph::layout(&p.inlines, &style, self.tools);
                self.collect_notes(&lines);
                // A one-line paragraph that fills the measure looks like the first line of a
                // longer one: at the foot of a page it would read as an orphan.
                // (Hanging punctuation lets a line that falls a little short still reach it.)
                let full_single = lines.len() == 1
                    && style.indent > 0.0
                    && f64::from(lines[0].runs.first().map_or(0.0, |r| r.x) + lines[0].width)
                        >= measure - 0.3 * self.geom.size;
                self.push_lines(
                    lines,
                    indent as f32,
                    self.geom.leading * self.scale,
                    point,
                    Vec::new(),
                    false,
                    full_single,
                );
                self.no_indent = false;
            }
            Block::Heading(h) => {
                let level = depth_base + h.level - 1;
                let (size, italic) = match level {
                    0 | 1 => (self.geom.size * 1.25, false),
                    2 => (self.geom.size, false),
                    _ => (self.geom.size, true),
                };
                self.heading(
                    &h.inlines,
                    level,
                    size,
                    italic,
                    vec![h.id.clone()],
                    point,
                    SPACE_BEFORE_HEADING,
                );
            }
            Block::Quote(bs) => {
                // Block quotations: smaller type, indented on both sides, space around.
                self.space(SPACE_AROUND_QUOTE, 0.5);
                self.no_indent = true;
                let inner = self.geom.size * 1.5;
                let saved = self.scale;
                self.scale = QUOTE_SCALE;
                self.blocks(
                    entry,
                    bs,
                    depth_base,
                    ordinal,
                    indent + inner,
                    measure - 2.0 * inner,
                );
                self.scale = saved;
                self.space(SPACE_AROUND_QUOTE, 0.5);
                // The text after a quotation starts a new paragraph, indented.
                self.no_indent = false;
            }
            Block::List(l) => {
                self.space(0.3, 0.3);
                let label_w = self.geom.size * if l.start.is_some() { 2.0 } else { 1.2 };
                let inner = self.geom.size * 1.0 + label_w;
                for (k, item) in l.items.iter().enumerate() {
                    if k > 0 && !l.tight {
                        self.space(0.3, 0.2);
                    }
                    let label = match l.start {
                        Some(s) => format!("{}.", s + k as u64),
                        None => "•".to_string(),
                    };
                    let first = self.boxes.len();
                    self.no_indent = true;
                    self.blocks(
                        entry,
                        item,
                        depth_base,
                        ordinal,
                        indent + inner,
                        measure - inner,
                    );
                    self.label(first, &label, (indent + inner - label_w) as f32, label_w);
                }
                self.space(0.3, 0.3);
                self.no_indent = true;
            }
            Block::Code(c) => {
                let size = self.geom.size * 0.88;
                let style = ParaStyle {
                    size,
                    align: Align::Left,
                    hyphenate: false,
                    protrusion: false,
                    ..self.body_style(measure)
                };
                self.space(0.5, 0.3);
                for line in c.text.trim_end_matches('\n').split('\n') {
                    let text = line.replace(' ', "\u{a0}");
                    let lines = paragraph::layout_text(
                        if text.is_empty() { "\u{a0}" } else { &text },
                        &style,
                        self.tools,
                    );
                    self.push_lines(
                        lines,
                        indent as f32,
                        self.geom.leading * 0.92,
                        point,
                        Vec::new(),
                        true,
                        false,
                    );
                }
                self.space(0.5, 0.3);
                self.no_indent = true;
            }
            Block::SceneBreak => {
                self.space(0.5, 0.5);
                let style = ParaStyle {
                    align: Align::Center,
                    hyphenate: false,
                    protrusion: false,
                    ..self.body_style(measure)
                };
                let lines = paragraph::layout_text("*\u{2003}*\u{2003}*", &style, self.tools);
                self.push_lines(
                    lines,
                    indent as f32,
                    self.geom.leading,
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
            Block::Table(t) => self.table(t, indent, measure, point),
            Block::Figure(f) => self.figure(f, indent, measure, point),
            Block::Html(_, pos) => self.html_skipped.push(*pos),
        }
    }

    /// Puts a list label on the first line set since box `first`.
    fn label(&mut self, first: usize, label: &str, x: f32, width: f64) {
        let style = ParaStyle {
            align: Align::Right,
            hyphenate: false,
            protrusion: false,
            ..self.body_style(width - self.geom.size * 0.4)
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

    fn table(
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
        let gap = self.geom.size;
        // Column widths in proportion to their longest cell, within the measure.
        let mut natural = vec![0.0f64; cols];
        for row in t.header.iter().chain(t.rows.iter()) {
            for (c, cell) in row.iter().enumerate().take(cols) {
                let text = crate::model::plain_text(cell);
                let w = text.chars().count() as f64 * self.geom.size * 0.5;
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
        for (row, header) in rows {
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
                    ..self.body_style(widths[c].max(self.geom.size * 2.0))
                };
                let lines = paragraph::layout(cell, &style, self.tools);
                self.collect_notes(&lines);
                cells.push(lines);
            }
            let height = cells.iter().map(Vec::len).max().unwrap_or(1);
            for r in 0..height {
                let mut x = left;
                let mut set = Vec::new();
                for (c, lines) in cells.iter().enumerate() {
                    if let Some(l) = lines.get(r) {
                        set.push((l.clone(), x as f32));
                    }
                    x += widths[c] + gap;
                }
                let p = point.map(|(entry, block)| FlowPoint {
                    entry,
                    block,
                    offset: 0,
                });
                self.boxes.push(VBox {
                    kind: VKind::Lines {
                        lines: set,
                        point: p,
                        anchors: Vec::new(),
                    },
                    height: self.geom.leading,
                    ascent: self.geom.leading * 0.78,
                    break_before: r == 0,
                });
            }
        }
        self.space(0.5, 0.3);
        self.no_indent = true;
    }

    fn figure(
        &mut self,
        f: &crate::model::Figure,
        indent: f64,
        measure: f64,
        point: Option<(usize, u32)>,
    ) {
        let info = &self.book.images[f.image as usize];
        let ratio = f64::from(info.height) / f64::from(info.width);
        let mut w = measure;
        let mut h = w * ratio;
        let max_h = self.geom.text_height * 0.7;
        if h > max_h {
            h = max_h;
            w = h / ratio;
        }
        let dpi = f64::from(info.width) / (w / 72.0);
        if dpi < 200.0 {
            self.low_dpi.push((f.image, dpi, f.pos));
        }
        self.space(0.5, 0.5);
        let x = indent + (measure - w) / 2.0;
        self.boxes.push(VBox {
            kind: VKind::Picture {
                image: f.image,
                x: x as f32,
                w: w as f32,
                h: h as f32,
            },
            height: h + self.geom.leading * 0.4,
            ascent: 0.0,
            break_before: true,
        });
        let style = ParaStyle {
            size: self.geom.size * 0.9,
            align: Align::Center,
            base: Style::Italic,
            hyphenate: false,
            ..self.body_style(measure * 0.9)
        };
        let lines = paragraph::layout(&f.caption, &style, self.tools);
        self.collect_notes(&lines);
        let first = self.boxes.len();
        self.push_lines(
            lines,
            (indent + measure * 0.05) as f32,
            self.geom.leading,
            point,
            Vec::new(),
            true,
            false,
        );
        if let Some(b) = self.boxes.get_mut(first) {
            b.break_before = false;
        }
        self.space(0.5, 0.5);
        self.no_indent = true;
    }

    /// Sets every footnote cited in these lines (once).
    fn collect_notes(&mut self, lines: &[Line]) {
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
    fn note(&mut self, n: NoteId) -> Vec<VBox> {
        let note = &self.book.notes[n as usize];
        let saved = self.tools.context.replace(note.pos);
        let size = self.geom.size * 0.82;
        let leading = self.geom.leading * 0.8;
        let mut out: Vec<VBox> = Vec::new();
        let style = ParaStyle {
            size,
            ..self.body_style(self.geom.measure)
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
            st.measure = self.geom.measure - indent;
            if verse {
                st.align = Align::Left;
            }
            let lines = paragraph::layout(&inl, &st, self.tools);
            for line in lines {
                out.push(VBox {
                    kind: VKind::Lines {
                        lines: vec![(line, indent as f32)],
                        point: None,
                        anchors: Vec::new(),
                    },
                    height: leading,
                    ascent: leading * 0.78,
                    break_before: true,
                });
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

/// Where an entry's printed title comes from: its heading, else its line in contents.md.
fn title_pos(book: &Book, entry: usize) -> crate::model::Pos {
    let e = &book.entries[entry];
    match &e.kind {
        EntryKind::Document(d) => d.heading.as_ref().map_or(e.pos, |h| h.pos),
        _ => e.pos,
    }
}

/// The title of an entry as inlines: the file's own heading, else the contents title.
pub fn title_inlines(book: &Book, entry: usize) -> Vec<Inline> {
    let e = &book.entries[entry];
    match &e.kind {
        EntryKind::Document(d) => match &d.heading {
            Some(h) => h
                .inlines
                .iter()
                .filter(|i| !matches!(i, Inline::NoteRef(_) | Inline::IndexHit(_)))
                .cloned()
                .collect(),
            None => vec![Inline::Text(e.title.clone())],
        },
        _ => vec![Inline::Text(e.title.clone())],
    }
}
