//! Model blocks and inlines → XHTML for EPUB content documents: semantic HTML5 with
//! `epub:type` and ARIA roles, footnotes as asides after the block that cites them, index
//! anchors at each occurrence, and print page-break markers where the print pages begin.

use std::collections::HashSet;
use std::fmt::Write as _;

use super::plan::{FileKind, Plan};
use crate::model::{
    Align, Block, Book, FlowPoint, HtmlNode, Inline, LinkTarget, NoteId, NotePlacement,
};

pub use crate::model::xml::{escape as esc, escape_into as esc_into};

/// An author's id made a valid XML id (NCName): kept when it is one, prefixed otherwise.
pub fn xml_id(id: &str) -> String {
    let ok_start = id
        .chars()
        .next()
        .is_some_and(|c| c.is_alphabetic() || c == '_');
    let ok_rest = id
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_' | '.'));
    if ok_start && ok_rest {
        return id.to_string();
    }
    let mut s = String::from("id-");
    for c in id.chars() {
        s.push(if c.is_alphanumeric() || matches!(c, '-' | '_' | '.') {
            c
        } else {
            '_'
        });
    }
    s
}

/// Writes the content of one XHTML file.
pub struct Writer<'a> {
    pub book: &'a Book,
    pub plan: &'a Plan,
    /// The file being written (index into plan.files).
    pub file: usize,
    pub out: String,
    pending_notes: Vec<NoteId>,
    emitted_notes: HashSet<NoteId>,
    noteref_counts: Vec<u32>,
    /// Page breaks still to place, in reading order.
    breaks: &'a [(String, FlowPoint)],
    next_break: usize,
    /// The leaf block being written and the flat text offset within it.
    at: FlowPoint,
    in_note: bool,
}

impl<'a> Writer<'a> {
    pub fn new(
        book: &'a Book,
        plan: &'a Plan,
        file: usize,
        breaks: &'a [(String, FlowPoint)],
        next_break: usize,
    ) -> Self {
        Writer {
            book,
            plan,
            file,
            out: String::with_capacity(64 * 1024),
            pending_notes: Vec::new(),
            emitted_notes: HashSet::new(),
            noteref_counts: vec![0; book.notes.len()],
            breaks,
            next_break,
            at: FlowPoint {
                entry: 0,
                block: 0,
                offset: 0,
            },
            in_note: false,
        }
    }

    pub fn next_break(&self) -> usize {
        self.next_break
    }

    /// The href of a target id, relative to the current file.
    pub fn href(&self, id: &str) -> String {
        let fid = xml_id(id);
        match self.plan.file_of_id(self.book, id) {
            Some(f) if f == self.file => format!("#{fid}"),
            Some(f) => format!("{}#{fid}", self.plan.files[f].name),
            None => format!("#{fid}"),
        }
    }

    // ------------------------------------------------------------------ page breaks

    /// Starts a leaf block: places the page breaks that fall before it.
    pub(super) fn start_leaf(&mut self, entry: usize, block: u32) {
        if self.in_note {
            return;
        }
        self.at = FlowPoint {
            entry,
            block,
            offset: 0,
        };
        self.place_breaks_upto(self.at, true);
    }

    /// Places every break at or before `p` (`inclusive`) at the current output position.
    fn place_breaks_upto(&mut self, p: FlowPoint, inclusive: bool) {
        while let Some((label, point)) = self.breaks.get(self.next_break) {
            let due = if inclusive { *point <= p } else { *point < p };
            if !due {
                break;
            }
            let _ = write!(
                self.out,
                "<span epub:type=\"pagebreak\" role=\"doc-pagebreak\" id=\"page-{}\" aria-label=\"{}\"></span>",
                esc(label),
                esc(label)
            );
            self.next_break += 1;
        }
    }

    /// Places the breaks that fall inside the current block before the end (at the end).
    pub(super) fn end_leaf(&mut self) {
        if self.in_note {
            return;
        }
        let end = FlowPoint {
            entry: self.at.entry,
            block: self.at.block,
            offset: u32::MAX,
        };
        self.place_breaks_upto(end, true);
    }

    /// Places breaks that fall inside `text` (which starts at the current offset).
    fn text_with_breaks(&mut self, t: &str) {
        if self.in_note {
            esc_into(&mut self.out, t);
            return;
        }
        let start = self.at.offset;
        let mut from = 0usize;
        while let Some((_, point)) = self.breaks.get(self.next_break) {
            if point.entry != self.at.entry || point.block != self.at.block {
                break;
            }
            let rel = point.offset.saturating_sub(start) as usize;
            if rel >= t.len() {
                break;
            }
            let mut cut = rel.max(from);
            while !t.is_char_boundary(cut) {
                cut += 1;
            }
            esc_into(&mut self.out, &t[from..cut]);
            from = cut;
            self.place_breaks_upto(
                FlowPoint {
                    entry: self.at.entry,
                    block: self.at.block,
                    offset: start + cut as u32,
                },
                true,
            );
        }
        esc_into(&mut self.out, &t[from..]);
        self.at.offset = start + t.len() as u32;
    }

    fn advance(&mut self, n: u32) {
        if !self.in_note {
            self.at.offset += n;
        }
    }

    // ------------------------------------------------------------------ blocks

    /// Writes an entry's blocks; `base` is the heading level of the entry's title.
    /// `ordinal` counts leaf blocks (the title is 0).
    pub fn blocks(
        &mut self,
        entry: usize,
        blocks: &[Block],
        base: u8,
        ordinal: &mut u32,
        top: bool,
    ) {
        for b in blocks {
            self.block(entry, b, base, ordinal);
            if top {
                self.flush_notes(entry, base);
            }
        }
    }

    fn block(&mut self, entry: usize, b: &Block, base: u8, ordinal: &mut u32) {
        let leaf = !matches!(b, Block::Quote(_) | Block::List(_));
        if leaf {
            *ordinal += 1;
            self.start_leaf(entry, *ordinal);
        }
        match b {
            Block::Para(p) => {
                let verse = p.inlines.iter().any(|i| matches!(i, Inline::LineBreak));
                self.out
                    .push_str(if verse { "<p class=\"verse\">" } else { "<p>" });
                self.inlines(&p.inlines);
                self.out.push_str("</p>\n");
            }
            Block::Heading(h) => {
                let level = (base + h.level - 1).clamp(1, 6);
                let _ = write!(self.out, "<h{level} id=\"{}\">", esc(&xml_id(&h.id)));
                self.inlines(&h.inlines);
                let _ = writeln!(self.out, "</h{level}>");
            }
            Block::Quote(bs) => {
                self.out.push_str("<blockquote>\n");
                self.blocks(entry, bs, base, ordinal, false);
                self.out.push_str("</blockquote>\n");
            }
            Block::List(l) => {
                match l.start {
                    Some(1) => self.out.push_str("<ol>\n"),
                    Some(n) => {
                        let _ = writeln!(self.out, "<ol start=\"{n}\">");
                    }
                    None => self.out.push_str("<ul>\n"),
                }
                for item in &l.items {
                    self.out.push_str("<li>");
                    match item.as_slice() {
                        [Block::Para(p)] if l.tight => {
                            *ordinal += 1;
                            self.start_leaf(entry, *ordinal);
                            self.inlines(&p.inlines);
                            self.end_leaf();
                        }
                        _ => {
                            self.out.push('\n');
                            self.blocks(entry, item, base, ordinal, false);
                        }
                    }
                    self.out.push_str("</li>\n");
                }
                self.out.push_str(if l.start.is_some() {
                    "</ol>\n"
                } else {
                    "</ul>\n"
                });
            }
            Block::Code(c) => {
                self.out.push_str("<pre><code>");
                esc_into(&mut self.out, &c.text);
                self.out.push_str("</code></pre>\n");
            }
            Block::SceneBreak => self.out.push_str("<hr class=\"scene\"/>\n"),
            Block::Table(t) => {
                self.out.push_str("<table>\n");
                let align = |i: usize| match t.aligns.get(i) {
                    Some(Align::Left) => " class=\"left\"",
                    Some(Align::Center) => " class=\"center\"",
                    Some(Align::Right) => " class=\"right\"",
                    _ => "",
                };
                if let Some(h) = &t.header {
                    self.out.push_str("<thead><tr>");
                    for (i, cell) in h.iter().enumerate() {
                        let _ = write!(self.out, "<th scope=\"col\"{}>", align(i));
                        self.inlines(cell);
                        self.out.push_str("</th>");
                    }
                    self.out.push_str("</tr></thead>\n");
                }
                self.out.push_str("<tbody>\n");
                for row in &t.rows {
                    self.out.push_str("<tr>");
                    for (i, cell) in row.iter().enumerate() {
                        let _ = write!(self.out, "<td{}>", align(i));
                        self.inlines(cell);
                        self.out.push_str("</td>");
                    }
                    self.out.push_str("</tr>\n");
                }
                self.out.push_str("</tbody>\n</table>\n");
            }
            Block::Figure(f) => {
                let width = f
                    .width
                    .map(|w| format!(" style=\"width: {:.0}%\"", w * 100.0))
                    .unwrap_or_default();
                let _ = write!(
                    self.out,
                    "<figure id=\"{}\">\n<img src=\"{}\" alt=\"{}\"{width}/>\n<figcaption>",
                    esc(&xml_id(&f.id)),
                    esc(&self.plan.image_href(f.image)),
                    esc(&f.alt)
                );
                self.inlines(&f.caption);
                self.out.push_str("</figcaption>\n</figure>\n");
            }
            Block::Html(h) => {
                self.html(&h.nodes);
                self.out.push('\n');
            }
        }
        if leaf {
            self.end_leaf();
        }
    }

    // ------------------------------------------------------------------ inlines

    pub fn inlines(&mut self, inlines: &[Inline]) {
        let mut after_noteref = false;
        for i in inlines {
            // Two references side by side: "3,4", not "34".
            if after_noteref && matches!(i, Inline::NoteRef(_)) {
                self.out.push_str("<span class=\"noteref-sep\">,</span>");
            }
            after_noteref = matches!(i, Inline::NoteRef(_));
            match i {
                Inline::Text(t) => self.text_with_breaks(t),
                Inline::Emph(c) => self.wrap("em", c),
                Inline::Strong(c) => self.wrap("strong", c),
                Inline::Strike(c) => self.wrap("s", c),
                Inline::SmallCaps(c) => {
                    self.out.push_str("<span class=\"smallcaps\">");
                    self.inlines(c);
                    self.out.push_str("</span>");
                }
                // Resolved by the loader: a loaded book has none.
                Inline::Cite(_) => {}
                Inline::Code(c) => {
                    self.out.push_str("<code>");
                    esc_into(&mut self.out, c);
                    self.out.push_str("</code>");
                    self.advance(1);
                }
                Inline::Link(l) => {
                    let href = match &l.target {
                        LinkTarget::External(u) => u.clone(),
                        LinkTarget::Internal(id) => self.href(id),
                        // Print pages do not exist in the EPUB: the text stands alone.
                        LinkTarget::Page(_) => {
                            self.inlines(&l.content);
                            continue;
                        }
                    };
                    let _ = write!(self.out, "<a href=\"{}\">", esc(&href));
                    self.inlines(&l.content);
                    self.out.push_str("</a>");
                }
                Inline::NoteRef(n) => {
                    let note = &self.book.notes[*n as usize];
                    let k = &mut self.noteref_counts[*n as usize];
                    *k += 1;
                    let id = if *k == 1 {
                        format!("fnref-{n}")
                    } else {
                        format!("fnref-{n}-{k}")
                    };
                    let _ = write!(
                        self.out,
                        "<a epub:type=\"noteref\" role=\"doc-noteref\" class=\"noteref\" id=\"{id}\" href=\"{}\">{}</a>",
                        esc(&self.note_href(*n)),
                        note.number
                    );
                    if !self.emitted_notes.contains(n) && !self.pending_notes.contains(n) {
                        self.pending_notes.push(*n);
                    }
                    self.advance(1);
                }
                Inline::LineBreak => {
                    self.out.push_str("<br/>\n");
                    self.advance(1);
                }
                Inline::Html(h) => {
                    self.out.push_str(h);
                    self.advance(1);
                }
                Inline::IndexHit(h) => {
                    let _ = write!(self.out, "<span id=\"ix-{h}\"></span>");
                }
                Inline::Image(img, alt) => {
                    let _ = write!(
                        self.out,
                        "<img src=\"{}\" alt=\"{}\"/>",
                        esc(&self.plan.image_href(*img)),
                        esc(alt)
                    );
                    self.advance(1);
                }
            }
        }
    }

    /// Raw HTML, already made safe, as XHTML; links to the book's ids point into its files.
    fn html(&mut self, nodes: &[HtmlNode]) {
        for n in nodes {
            match n {
                HtmlNode::Text(t) => esc_into(&mut self.out, t),
                HtmlNode::Element(e) => {
                    let _ = write!(self.out, "<{}", e.name);
                    for (k, v) in &e.attrs {
                        let v = match v.strip_prefix('#') {
                            Some(id) if k == "href" => self.href(id),
                            _ => v.clone(),
                        };
                        let _ = write!(self.out, " {k}=\"{}\"", esc(&v));
                    }
                    if e.is_void() {
                        self.out.push_str("/>");
                    } else {
                        self.out.push('>');
                        self.html(&e.children);
                        let _ = write!(self.out, "</{}>", e.name);
                    }
                }
            }
        }
    }

    fn wrap(&mut self, tag: &str, c: &[Inline]) {
        let _ = write!(self.out, "<{tag}>");
        self.inlines(c);
        let _ = write!(self.out, "</{tag}>");
    }

    // ------------------------------------------------------------------ footnotes

    /// Writes the asides of the notes cited since the last call, after the block that cites
    /// them (notes cited inside notes follow).
    pub fn flush_notes(&mut self, entry: usize, base: u8) {
        if self.book.config.notes.placement != NotePlacement::Foot {
            // Endnotes are written where they are gathered.
            self.pending_notes.clear();
            return;
        }
        while !self.pending_notes.is_empty() {
            let notes = std::mem::take(&mut self.pending_notes);
            for n in notes {
                if !self.emitted_notes.insert(n) {
                    continue;
                }
                let _ = writeln!(
                    self.out,
                    "<aside epub:type=\"footnote\" role=\"doc-footnote\" class=\"footnote\" id=\"fn-{n}\">"
                );
                self.note_body(n, entry, base);
                self.out.push_str("</aside>\n");
            }
        }
    }

    /// Where a note reference leads: the note in this file (a footnote, or the chapter's
    /// endnotes), or in the notes file.
    fn note_href(&self, n: NoteId) -> String {
        if self.book.config.notes.placement == NotePlacement::Book
            && let Some(f) = self.plan.file_of_kind(FileKind::Notes)
            && f != self.file
        {
            return format!("{}#fn-{n}", self.plan.files[f].name);
        }
        format!("#fn-{n}")
    }

    /// A note's text, its number first as a link back to where the text refers to it.
    fn note_body(&mut self, n: NoteId, entry: usize, base: u8) {
        let note = &self.book.notes[n as usize];
        let back = match self.plan.file_of_entry.get(note.entry) {
            Some(&f) if f != self.file => format!("{}#fnref-{n}", self.plan.files[f].name),
            _ => format!("#fnref-{n}"),
        };
        let backlink = format!(
            "<a href=\"{}\" role=\"doc-backlink\" class=\"backlink\">{}.</a> ",
            esc(&back),
            note.number
        );
        let was = self.in_note;
        self.in_note = true;
        let mut ordinal = 0;
        match note.blocks.split_first() {
            Some((Block::Para(p), rest)) => {
                self.out.push_str("<p>");
                self.out.push_str(&backlink);
                self.inlines(&p.inlines);
                self.out.push_str("</p>\n");
                self.blocks(entry, rest, base, &mut ordinal, false);
            }
            _ => {
                let _ = writeln!(self.out, "<p>{backlink}</p>");
                self.blocks(entry, &note.blocks, base, &mut ordinal, false);
            }
        }
        self.in_note = was;
    }

    /// Endnotes: each group (one file's notes) under its title when `titles`, as a list.
    pub fn endnote_groups(&mut self, groups: &[(usize, Vec<NoteId>)], level: u8, titles: bool) {
        for (entry, notes) in groups {
            if titles {
                let _ = writeln!(
                    self.out,
                    "<h{level}>{}</h{level}>",
                    esc(&self.book.entries[*entry].title)
                );
            }
            self.out.push_str("<ol class=\"endnotes\">\n");
            for &n in notes {
                let _ = writeln!(
                    self.out,
                    "<li epub:type=\"endnote\" class=\"endnote\" id=\"fn-{n}\">"
                );
                self.note_body(n, *entry, level);
                self.out.push_str("</li>\n");
            }
            self.out.push_str("</ol>\n");
        }
    }
}

impl Writer<'_> {
    /// An entry's title heading (leaf block 0 of the entry).
    pub fn title(
        &mut self,
        entry: usize,
        level: u8,
        id: &str,
        inlines: Option<&[Inline]>,
        text: &str,
    ) {
        self.start_leaf(entry, 0);
        let _ = write!(self.out, "<h{level} id=\"{}\">", esc(&xml_id(id)));
        match inlines {
            Some(i) => self.inlines(i),
            None => self.text_with_breaks(text),
        }
        let _ = writeln!(self.out, "</h{level}>");
        self.end_leaf();
    }

    /// Places the breaks that belong before `entry` (pages that begin with it).
    pub fn breaks_before_entry(&mut self, entry: usize) {
        self.place_breaks_upto(
            FlowPoint {
                entry,
                block: 0,
                offset: 0,
            },
            false,
        );
    }

    /// Places every remaining break of entries before `entry_end` (exclusive).
    pub fn breaks_until(&mut self, entry_end: usize) {
        self.place_breaks_upto(
            FlowPoint {
                entry: entry_end,
                block: 0,
                offset: 0,
            },
            false,
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_and_ids() {
        assert_eq!(esc("a < b & \"c\"\u{1}"), "a &lt; b &amp; &quot;c&quot;");
        assert_eq!(xml_id("sec-1"), "sec-1");
        assert_eq!(xml_id("1st part"), "id-1st_part");
    }
}
