//! Blocks → a vertical list: lines, spaces and pictures, each marked with whether a page
//! may break before it (no widows or orphans, headings kept with what follows), and the
//! footnotes each line cites, set.
//!
//! `blocks` sets the running text (openings, headings, paragraphs, quotations, lists, code,
//! scene breaks); `table`, `figure` and `notes` the rest.

mod bibliography;
mod blocks;
mod endnotes;
mod figure;
mod notes;
mod table;

use std::collections::HashMap;

use super::design::Design;
use super::paragraph::{Line, ParaStyle, Tools};
use crate::display::{LineRole, StructKind, Structure};
use crate::model::{Block, Book, EntryKind, FlowPoint, ImageId, Inline, NoteId, Placement, Pos};

#[derive(Debug, Clone)]
pub(crate) enum VKind {
    /// One or more lines on one baseline (table rows have several), each at its x.
    Lines {
        lines: Vec<(Line, f32)>,
        /// What the lines are.
        role: LineRole,
        point: Option<FlowPoint>,
        anchors: Vec<String>,
    },
    /// Vertical space: dropped at the top and bottom of a page; `stretch` fills short pages.
    Space { stretch: f64 },
    /// A figure: its picture and caption, one block the page breaker places at its point,
    /// floats to the top of a later page, or sets on a page of its own.
    Figure(Box<FigureBox>),
}

/// A figure set for print.
#[derive(Debug, Clone)]
pub(crate) struct FigureBox {
    pub image: ImageId,
    /// The picture: x from the left of the text block, size (its top is the block's top).
    pub x: f32,
    pub w: f32,
    pub h: f32,
    /// The caption's lines with their x; the first line's box starts `caption_top` below
    /// the block's top, each `leading` apart, baselines `ascent` into their boxes.
    pub caption: Vec<(Line, f32)>,
    pub caption_top: f64,
    pub leading: f64,
    pub ascent: f64,
    /// Where the caption starts in the reading flow.
    pub point: Option<FlowPoint>,
    /// The figure's id, a destination for links.
    pub anchors: Vec<String>,
    pub placement: Placement,
    /// Set on a page of its own (a plate).
    pub plate: bool,
}

/// An item of the vertical list.
#[derive(Debug, Clone)]
pub(crate) struct VBox {
    pub kind: VKind,
    pub height: f64,
    /// Distance from the top of the box to the baseline (lines).
    pub ascent: f64,
    /// A page may end before this box.
    pub break_before: bool,
}

impl VBox {
    /// A box holding one line at `x`, `height` high, with its baseline at `ascent`.
    pub fn line(
        line: Line,
        role: LineRole,
        x: f32,
        height: f64,
        ascent: f64,
        break_before: bool,
    ) -> VBox {
        VBox {
            kind: VKind::Lines {
                lines: vec![(line, x)],
                role,
                point: None,
                anchors: Vec::new(),
            },
            height,
            ascent,
            break_before,
        }
    }

    pub fn is_space(&self) -> bool {
        matches!(self.kind, VKind::Space { .. })
    }

    /// The figure the box holds, if it is one.
    pub fn figure(&self) -> Option<&FigureBox> {
        match &self.kind {
            VKind::Figure(f) => Some(f),
            _ => None,
        }
    }

    /// A figure the page breaker may move (not one the author pinned with `{here}`).
    pub fn floats(&self) -> bool {
        self.figure()
            .is_some_and(|f| f.placement != Placement::Here)
    }

    /// The set lines the box holds (a figure's: its caption's).
    pub fn lines(&self) -> &[(Line, f32)] {
        match &self.kind {
            VKind::Lines { lines, .. } => lines,
            VKind::Figure(f) => &f.caption,
            VKind::Space { .. } => &[],
        }
    }

    /// The footnotes the box's lines cite.
    pub fn notes(&self) -> impl Iterator<Item = NoteId> + '_ {
        self.lines()
            .iter()
            .flat_map(|(l, _)| l.notes.iter().copied())
    }
}

/// The vertical list of one chunk (a top-level entry and everything nested in it), and its
/// footnotes, set.
#[derive(Clone)]
pub(crate) struct Flow {
    pub boxes: Vec<VBox>,
    pub notes: HashMap<NoteId, Vec<VBox>>,
    /// Lines to set at the top of a column that starts at this box (the index's
    /// "Term (continued)").
    pub continued: HashMap<usize, VBox>,
    /// Which structure node each box belongs to (tagged PDF).
    pub tagging: Tagging,
}

/// A chunk's logical structure, and what of it each box shows. Boxes without a tag are
/// not content (space, scene breaks) or are furniture.
#[derive(Debug, Clone, Default)]
pub(crate) struct Tagging {
    pub structure: Structure,
    /// Box index → its node, or one node per line (table rows).
    pub boxes: HashMap<usize, BoxTag>,
    /// Each footnote's node.
    pub notes: HashMap<NoteId, u32>,
}

/// The structure node(s) of a box.
#[derive(Debug, Clone)]
pub(crate) enum BoxTag {
    /// The whole box (for a figure: the picture; its caption is the next node).
    Node(u32),
    /// Line k of the box belongs to node k (cells of a table row).
    Lines(Vec<u32>),
}

/// Builds a [`Flow`] block by block.
pub(crate) struct FlowBuilder<'t, 'a> {
    tools: &'t mut Tools<'a>,
    book: &'t Book,
    design: Design,
    boxes: Vec<VBox>,
    notes: HashMap<NoteId, Vec<VBox>>,
    /// The next paragraph starts without an indent.
    no_indent: bool,
    /// The next block must not be separated from what precedes it (after a heading).
    keep_next: bool,
    /// The level of the last heading (0 for an entry's opening), while `keep_next` holds.
    keep_level: u8,
    /// Type size relative to the body (block quotations are set smaller).
    scale: f64,
    /// Quotations and lists open inside one that could not be indented (warned about once).
    clamped: u32,
    /// The structure so far and each box's node.
    tagging: Tagging,
    /// The containers open around the block being set (quotation, list, list item).
    open: Vec<u32>,
}

/// Where a block is and what it is set as: the entry, the leaf-block ordinal (as the EPUB
/// counts them), the indent from the left of the text block and the measure.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place {
    pub entry: usize,
    pub indent: f64,
    pub measure: f64,
}

impl<'t, 'a> FlowBuilder<'t, 'a> {
    pub fn new(tools: &'t mut Tools<'a>, book: &'t Book, design: Design) -> Self {
        FlowBuilder {
            tools,
            book,
            design,
            boxes: Vec::new(),
            notes: HashMap::new(),
            no_indent: true,
            keep_next: false,
            keep_level: 0,
            scale: 1.0,
            clamped: 0,
            tagging: Tagging::default(),
            open: Vec::new(),
        }
    }

    pub fn finish(mut self) -> Flow {
        // A footnote is read after the first block that refers to it.
        let mut referred: Vec<(NoteId, u32)> = Vec::new();
        for (i, b) in self.boxes.iter().enumerate() {
            if let Some(BoxTag::Node(node)) = self.tagging.boxes.get(&i) {
                for n in b.notes() {
                    if self.notes.contains_key(&n) && !referred.iter().any(|(m, _)| *m == n) {
                        referred.push((n, *node));
                    }
                }
            }
        }
        for (n, after) in referred {
            let parent = self.tagging.structure.nodes[after as usize].parent;
            let id = self.tagging.structure.push(StructKind::Note, parent);
            self.tagging.structure.nodes[id as usize].follows = Some(after);
            self.tagging.notes.insert(n, id);
        }
        Flow {
            boxes: self.boxes,
            notes: self.notes,
            continued: HashMap::new(),
            tagging: self.tagging,
        }
    }

    /// A new structure node inside the open container.
    pub(super) fn node(&mut self, kind: StructKind) -> u32 {
        let parent = self.open.last().copied();
        self.tagging.structure.push(kind, parent)
    }

    /// Tags box `index` as `tag`.
    pub(super) fn tag(&mut self, index: usize, tag: BoxTag) {
        self.tagging.boxes.insert(index, tag);
    }

    /// The tools text is set with (for generated pages that set their own lines).
    pub fn tools(&mut self) -> &mut Tools<'a> {
        self.tools
    }

    /// How many boxes the flow has so far.
    pub fn len(&self) -> usize {
        self.boxes.len()
    }

    /// Adds a box as it is (a generated line: a paragraph of its own).
    pub fn push(&mut self, b: VBox) {
        if matches!(b.kind, VKind::Lines { .. }) {
            let node = self.node(StructKind::Paragraph);
            self.tag(self.boxes.len(), BoxTag::Node(node));
        }
        self.boxes.push(b);
    }

    /// Takes every box out of the EPUB's reading flow (the ordering page's text).
    pub fn forget_flow_points(&mut self) {
        for b in &mut self.boxes {
            if let VKind::Lines { point, .. } = &mut b.kind {
                *point = None;
            }
        }
    }

    fn body_style(&self, measure: f64) -> ParaStyle {
        ParaStyle::justified(
            self.design.size * self.scale,
            measure,
            self.design.protrusion,
        )
    }

    /// Vertical space of `lines` lines that may grow by `stretch` lines on a short page.
    pub fn space(&mut self, lines: f64, stretch: f64) {
        let height = lines * self.design.leading;
        if height <= 0.0 {
            return;
        }
        self.boxes.push(VBox {
            kind: VKind::Space {
                stretch: stretch * self.design.leading,
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
        role: LineRole,
        x: f32,
        leading: f64,
        point: Option<(usize, u32)>,
        mut anchors: Vec<String>,
        keep: bool,
        keep_with_next: bool,
    ) {
        let n = lines.len();
        let ascent = self.design.baseline(leading);
        let node = self.node(match role {
            LineRole::Heading { level } => StructKind::Heading {
                level: level.clamp(1, 6),
                title: text_of(&lines),
            },
            LineRole::Caption => StructKind::Caption,
            LineRole::Note { .. } => StructKind::Note,
            LineRole::Cell => StructKind::Cell { header: false },
            _ => StructKind::Paragraph,
        });
        for (i, line) in lines.into_iter().enumerate() {
            self.tag(self.boxes.len(), BoxTag::Node(node));
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
                    role,
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

    /// No page break before the boxes from `from` up to the first line (spaces and floating
    /// figures, which may move away, do not count).
    fn keep_boxes(&mut self, from: usize) {
        for b in self.boxes.iter_mut().skip(from) {
            b.break_before = false;
            if !b.is_space() && !b.floats() {
                break;
            }
        }
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
        self.tools.context = block_pos(b).or(self.tools.context);
        let place = Place {
            entry,
            indent,
            measure,
        };
        match b {
            Block::Para(p) => self.para(&p.inlines, place, point),
            Block::Heading(h) => self.block_heading(h, depth_base, point),
            Block::Quote(bs) => self.quote(bs, place, depth_base, ordinal),
            Block::List(l) => self.list(l, place, depth_base, ordinal),
            Block::Code(c) => self.code(&c.text, place, point),
            Block::SceneBreak => self.scene_break(place),
            Block::Table(t) => self.table(t, indent, measure, point),
            Block::Figure(f) => self.figure(f, place, point),
            Block::Html(h) => self.html(h, place, depth_base, point),
        }
    }
}

/// The text of set lines, as one line: a space between lines except after a hyphen.
fn text_of(lines: &[Line]) -> String {
    let mut out = String::new();
    for l in lines {
        let t: String = l.runs.iter().map(|r| &*r.text).collect();
        let t = t.trim();
        if !out.is_empty() && !out.ends_with(['-', '\u{2010}', '\u{ad}']) {
            out.push(' ');
        }
        out = out.trim_end_matches('\u{ad}').to_string();
        out.push_str(t);
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Where a leaf block starts in the manuscript (containers have no position of their own).
fn block_pos(b: &Block) -> Option<Pos> {
    match b {
        Block::Para(p) => Some(p.pos),
        Block::Heading(h) => Some(h.pos),
        Block::Code(c) => Some(c.pos),
        Block::Table(t) => Some(t.pos),
        Block::Figure(f) => Some(f.pos),
        Block::Html(h) => Some(h.pos),
        Block::Quote(_) | Block::List(_) | Block::SceneBreak => None,
    }
}

/// Where an entry's printed title comes from: its heading, else its line in contents.md.
fn title_pos(book: &Book, entry: usize) -> Pos {
    let e = &book.entries[entry];
    match &e.kind {
        EntryKind::Document(d) => d.heading.as_ref().map_or(e.pos, |h| h.pos),
        _ => e.pos,
    }
}

/// The title of an entry as inlines: the file's own heading (with its note references, whose
/// notes go to the foot of the page), else the contents title.
pub(crate) fn title_inlines(book: &Book, entry: usize) -> Vec<Inline> {
    let e = &book.entries[entry];
    match &e.kind {
        EntryKind::Document(d) => match &d.heading {
            Some(h) => h
                .inlines
                .iter()
                .filter(|i| !matches!(i, Inline::IndexHit(_)))
                .cloned()
                .collect(),
            None => vec![Inline::Text(e.title.clone())],
        },
        _ => vec![Inline::Text(e.title.clone())],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::testing::{self, design, prose, tools};

    fn flow_of(text: &str) -> (Flow, Vec<VBox>) {
        let b = testing::book("", &[("one", text)]);
        let mut t = tools(&[1, 2]);
        let doc = b
            .book
            .entries
            .iter()
            .position(|e| matches!(e.kind, EntryKind::Document(_)))
            .unwrap();
        let blocks = match &b.book.entries[doc].kind {
            EntryKind::Document(d) => d.blocks.clone(),
            _ => unreachable!(),
        };
        let mut fb = FlowBuilder::new(&mut t, &b.book, design());
        fb.blocks(doc, &blocks, 1, &mut 0, 0.0, design().measure);
        let boxes = fb.boxes.clone();
        (fb.finish(), boxes)
    }

    fn lines(boxes: &[VBox]) -> Vec<&VBox> {
        boxes.iter().filter(|b| !b.is_space()).collect()
    }

    #[test]
    fn a_paragraph_breaks_only_where_no_widow_or_orphan_is_left() {
        let (_, boxes) = flow_of(&format!("# One\n\n{}\n", prose(8)));
        let l = lines(&boxes);
        let n = l.len();
        assert!(n >= 6, "{n} lines");
        let allowed: Vec<bool> = l.iter().map(|b| b.break_before).collect();
        // Before the first line, and then not before the second or the last.
        assert!(allowed[0]);
        assert!(!allowed[1]);
        assert!(!allowed[n - 1]);
        assert!(allowed[2..n - 1].iter().all(|a| *a));
    }

    #[test]
    fn a_heading_is_kept_with_the_first_lines_after_it() {
        let (_, boxes) = flow_of(&format!(
            "# One\n\n{}\n\n## Two\n\n{}\n",
            prose(4),
            prose(8)
        ));
        let k = boxes
            .iter()
            .position(|b| {
                matches!(
                    &b.kind,
                    VKind::Lines {
                        role: LineRole::Heading { level: 2 },
                        ..
                    }
                )
            })
            .expect("the heading is set");
        // Nothing after the heading may be broken before until two lines of text are set.
        let after: Vec<&VBox> = boxes[k + 1..].iter().collect();
        let text: Vec<usize> = after
            .iter()
            .enumerate()
            .filter(|(_, b)| !b.is_space())
            .map(|(i, _)| i)
            .take(2)
            .collect();
        assert!(after[..=text[1]].iter().all(|b| !b.break_before));
        // The space before the heading may be broken at.
        assert!(
            boxes[..k]
                .iter()
                .rev()
                .find(|b| b.is_space())
                .unwrap()
                .break_before
        );
    }

    #[test]
    fn quotations_are_set_narrower_and_smaller() {
        let (_, boxes) = flow_of(&format!("# One\n\n{}\n\n> {}\n", prose(3), prose(3)));
        let xs: Vec<(LineRole, f32, f32)> = boxes
            .iter()
            .filter_map(|b| match &b.kind {
                VKind::Lines { lines, role, .. } => Some((*role, lines[0].1, lines[0].0.width)),
                _ => None,
            })
            .collect();
        let body_x = xs[0].1;
        let quote_x = xs.last().unwrap().1;
        assert!(quote_x > body_x + 10.0, "indented: {body_x} → {quote_x}");
        let widest_quote = xs
            .iter()
            .filter(|x| x.1 == quote_x)
            .map(|x| x.2)
            .fold(0.0, f32::max);
        let d = design();
        assert!(f64::from(widest_quote) <= d.measure - 2.0 * d.size * 1.5 + d.size * 0.5);
    }

    #[test]
    fn a_note_cited_twice_is_set_once() {
        let (flow, boxes) = flow_of("# One\n\nA claim.[^a] And again.[^a]\n\n[^a]: The note.\n");
        assert_eq!(flow.notes.len(), 1);
        let note = flow.notes.values().next().unwrap();
        assert!(matches!(
            &note[0].kind,
            VKind::Lines {
                role: LineRole::Note { first: true, .. },
                ..
            }
        ));
        let refs: usize = boxes.iter().map(|b| b.notes().count()).sum();
        assert_eq!(refs, 2, "both references are on their lines");
    }

    #[test]
    fn the_text_of_raw_html_is_printed() {
        let (_, boxes) = flow_of(
            "# One\n\n<div><p>Kept <b>in print</b></p><ul><li>and listed</li></ul></div>\n\nText.\n",
        );
        let text: String = boxes
            .iter()
            .filter_map(|b| match &b.kind {
                VKind::Lines { lines, .. } => Some(
                    lines
                        .iter()
                        .flat_map(|(l, _)| l.runs.iter().map(|r| &*r.text))
                        .collect::<String>(),
                ),
                _ => None,
            })
            .collect::<Vec<_>>()
            .join("|");
        assert!(text.contains("Kept in print"), "{text}");
        assert!(text.contains("and listed"), "{text}");
        // All its lines point at the HTML block (leaf 1 of the entry), not past it.
        let points: Vec<FlowPoint> = boxes
            .iter()
            .filter_map(|b| match &b.kind {
                VKind::Lines { point, .. } => *point,
                _ => None,
            })
            .collect();
        assert!(
            points[..points.len() - 1]
                .iter()
                .all(|p| p.block == 1 && p.offset == 0),
            "{points:?}"
        );
        assert_eq!(points.last().unwrap().block, 2);
    }
}
