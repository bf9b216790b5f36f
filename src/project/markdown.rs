//! One Markdown file → model blocks, with the spec's extensions: footnotes, tables,
//! strikethrough, smart punctuation, heading ids, figures, and index markers `((…))`.
//!
//! Events from pulldown-cmark are folded with explicit stacks, never recursion, so a
//! pathological nesting depth cannot overflow the stack; past `MAX_NESTING` the extra levels
//! are flattened and reported.

use std::collections::HashMap;

use pulldown_cmark::{Alignment, CodeBlockKind, Event, HeadingLevel, Options, Parser, Tag, TagEnd};

use super::cite::{self, CiteParse, CiteSite};
use super::html::{self, InlineTag};
use crate::diag::{Diagnostics, SourceFile};
use crate::model::{
    Align, Block, CodeBlock, Figure, Footnote, Heading, HitId, IndexHit, Inline, Link, LinkTarget,
    List, NoteId, Para, Placement, Pos, RawHtml, Table,
};

/// Deeper block or inline nesting than this is an error (and flattened).
pub const MAX_NESTING: usize = 64;

pub fn options() -> Options {
    Options::ENABLE_FOOTNOTES
        | Options::ENABLE_TABLES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_SMART_PUNCTUATION
        | Options::ENABLE_HEADING_ATTRIBUTES
}

/// An index marker seen in the text, resolved to an index entry once every file is read.
#[derive(Debug, Clone)]
pub struct Marker {
    pub hit: HitId,
    /// `Japan!Kwantung army` is `["Japan", "Kwantung army"]`.
    pub path: Vec<String>,
    pub pos: Pos,
}

/// An image reference, checked once every file is read.
#[derive(Debug, Clone)]
pub struct ImageRef {
    pub dest: String,
    pub pos: Pos,
}

/// State shared by all files of a book while they are parsed.
#[derive(Default)]
pub struct Shared {
    pub notes: Vec<Footnote>,
    pub note_defined: Vec<bool>,
    pub hits: Vec<IndexHit>,
    pub markers: Vec<Marker>,
    pub image_refs: Vec<ImageRef>,
    /// Internal link targets to check: (id, where).
    pub internal_links: Vec<(String, Pos)>,
    /// The project directory (for resolving links to other files).
    pub root: std::path::PathBuf,
    /// Project-relative path of each file in the contents → its entry anchor.
    pub file_anchors: HashMap<std::path::PathBuf, String>,
    /// Heading ids: explicit ones from `{#id}` (true) and generated ones (false).
    pub ids: HashMap<String, (usize, String, Pos, bool)>,
    /// Citations are found (the book has a bibliography), and how.
    pub cite: Option<CiteParse>,
    /// The citations found, by site id (`Inline::Cite`).
    pub cites: Vec<CiteSite>,
    /// Note numbers run through the book (`[notes] numbering = "book"`): the last one given.
    pub book_numbering: Option<u32>,
}

/// What a file gives: its title heading (if its first block is a `#` heading) and its blocks.
pub struct Parsed {
    pub heading: Option<Heading>,
    pub blocks: Vec<Block>,
}

/// The context of one file being parsed.
pub struct FileCtx<'a> {
    pub file_id: u32,
    pub source: &'a SourceFile,
    /// Index of the outline entry the file belongs to.
    pub entry: usize,
    /// The entry's anchor: prefix for generated heading ids.
    pub anchor: &'a str,
    /// The file's directory, project-relative, for relative links and images.
    pub dir: std::path::PathBuf,
}

enum BlockKind {
    Root,
    Quote,
    List {
        start: Option<u64>,
        items: Vec<Vec<Block>>,
        tight: bool,
    },
    Item,
    Note {
        label: String,
    },
    Table {
        aligns: Vec<Align>,
        header: Option<Vec<Vec<Inline>>>,
        rows: Vec<Vec<Vec<Inline>>>,
        row: Vec<Vec<Inline>>,
    },
    /// A container past the nesting limit: its content goes to the parent.
    Flattened,
}

struct BlockFrame {
    kind: BlockKind,
    blocks: Vec<Block>,
    pos: Pos,
}

enum InlineKind {
    Para,
    Heading { level: u8, id: Option<String> },
    Cell,
    Emph,
    Strong,
    Strike,
    Link(LinkTarget),
    Image { dest: String, title: String },
    Flattened,
}

struct InlineFrame {
    kind: InlineKind,
    children: Vec<Inline>,
    pos: Pos,
    /// Inline HTML elements opened in this frame and not yet closed: name and offset.
    open_html: Vec<(String, usize)>,
}

/// Where pieces of a text gathered from several events begin: (offset in the text, offset
/// in the file).
type SourceMap = Vec<(usize, usize)>;

struct Builder<'a, 'd> {
    ctx: &'a FileCtx<'a>,
    shared: &'a mut Shared,
    diags: &'d mut Diagnostics,
    blocks: Vec<BlockFrame>,
    inlines: Vec<InlineFrame>,
    /// Text events not yet turned into inlines, merged so markers split by smart punctuation
    /// are still found: (text, source offset).
    run: Vec<(String, usize)>,
    heading: Option<Heading>,
    seen_block: bool,
    /// Label → note id, for this file.
    notes: HashMap<String, NoteId>,
    next_number: u32,
    code: Option<(String, String, Pos)>,
    /// An HTML block being read: its text, its start, and where each of its pieces begins
    /// (offset in the text, offset in the file).
    html: Option<(String, Pos, SourceMap)>,
    /// Inside an inline `<script>` or `<style>`: its text is left out until the end tag.
    dropping: Option<String>,
    /// The last picture's alt inlines and title, for the figure it may be.
    image_caption: Option<(Vec<Inline>, String)>,
    nesting_reported: bool,
    /// For headings without an explicit id.
    heading_slugs: HashMap<String, u32>,
}

pub fn parse(ctx: &FileCtx<'_>, shared: &mut Shared, diags: &mut Diagnostics) -> Parsed {
    let text = &ctx.source.text;
    let mut b = Builder {
        ctx,
        shared,
        diags,
        blocks: vec![BlockFrame {
            kind: BlockKind::Root,
            blocks: Vec::new(),
            pos: Pos {
                file: ctx.file_id,
                offset: 0,
            },
        }],
        inlines: Vec::new(),
        run: Vec::new(),
        heading: None,
        seen_block: false,
        notes: HashMap::new(),
        next_number: 0,
        code: None,
        html: None,
        dropping: None,
        image_caption: None,
        nesting_reported: false,
        heading_slugs: HashMap::new(),
    };
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        b.event(event, range.start);
    }
    b.close_implicit_para();
    b.finish_notes();
    let root = b.blocks.pop().map(|f| f.blocks).unwrap_or_default();
    Parsed {
        heading: b.heading,
        blocks: root,
    }
}

impl Builder<'_, '_> {
    fn pos(&self, offset: usize) -> Pos {
        Pos {
            file: self.ctx.file_id,
            offset: offset as u32,
        }
    }

    fn depth(&self) -> usize {
        self.blocks.len() + self.inlines.len()
    }

    fn too_deep(&mut self, offset: usize) -> bool {
        if self.depth() < MAX_NESTING {
            return false;
        }
        if !self.nesting_reported {
            self.nesting_reported = true;
            self.diags.error_hint(
                Some(self.ctx.source.location(offset)),
                format!("the text nests deeper than {MAX_NESTING} levels (block quotes, lists or emphasis)"),
                "flatten the nesting; no book layout can show it",
            );
        }
        true
    }

    fn event(&mut self, event: Event<'_>, offset: usize) {
        if let Some((code, _, _)) = self.code.as_mut() {
            match event {
                Event::Text(t) => {
                    code.push_str(&t);
                    return;
                }
                Event::End(TagEnd::CodeBlock) => {
                    let (text, lang, pos) = self.code.take().expect("in code block");
                    self.push_block(Block::Code(CodeBlock { lang, text, pos }));
                    return;
                }
                _ => return,
            }
        }
        if let Some((html, _, map)) = self.html.as_mut() {
            match event {
                Event::Html(t) | Event::Text(t) => {
                    map.push((html.len(), offset));
                    html.push_str(&t);
                    return;
                }
                Event::End(TagEnd::HtmlBlock) => {
                    if let Some((text, pos, map)) = self.html.take() {
                        self.html_block(&text, pos, &map);
                    }
                    return;
                }
                _ => return,
            }
        }
        if self.dropping.is_some() {
            match &event {
                Event::Text(_) | Event::Code(_) | Event::SoftBreak | Event::HardBreak => return,
                Event::InlineHtml(t) => {
                    let close = self.dropping.as_ref().map(|n| format!("</{n}"));
                    if close.is_some_and(|c| t.to_ascii_lowercase().starts_with(&c)) {
                        self.dropping = None;
                    }
                    return;
                }
                _ => self.dropping = None,
            }
        }
        match event {
            Event::Start(tag) => self.start(tag, offset),
            Event::End(tag) => self.end(tag, offset),
            Event::Text(t) => {
                self.ensure_inline(offset);
                self.run.push((t.into_string(), offset));
            }
            Event::Code(t) => {
                self.ensure_inline(offset);
                self.push_inline(Inline::Code(t.into_string()));
            }
            Event::InlineMath(t) | Event::DisplayMath(t) => {
                self.ensure_inline(offset);
                self.run.push((t.into_string(), offset));
            }
            Event::Html(t) => {
                // An HTML event outside an HTML block (after a paragraph in a list item, say).
                self.close_implicit_para();
                let pos = self.pos(offset);
                self.html_block(&t, pos, &[(0, offset)]);
            }
            Event::InlineHtml(t) => {
                self.ensure_inline(offset);
                self.inline_html(&t, offset);
            }
            Event::FootnoteReference(label) => {
                self.ensure_inline(offset);
                // Citations in the text before it take their note numbers first.
                self.flush_run();
                let id = self.note_ref(&label, offset);
                self.push_inline(Inline::NoteRef(id));
            }
            Event::SoftBreak => {
                self.ensure_inline(offset);
                self.run.push((" ".to_string(), offset));
            }
            Event::HardBreak => {
                self.ensure_inline(offset);
                self.push_inline(Inline::LineBreak);
            }
            Event::Rule => {
                self.close_implicit_para();
                self.push_block(Block::SceneBreak);
            }
            Event::TaskListMarker(done) => {
                self.ensure_inline(offset);
                self.run
                    .push((if done { "☒ " } else { "☐ " }.to_string(), offset));
            }
        }
    }

    // A dispatcher with one short arm per tag, as pulldown-cmark's own HTML writer has.
    #[allow(clippy::too_many_lines)]
    fn start(&mut self, tag: Tag<'_>, offset: usize) {
        let pos = self.pos(offset);
        match tag {
            Tag::Paragraph => {
                self.close_implicit_para();
                // pulldown-cmark only wraps list items in paragraphs when the list is loose.
                let n = self.blocks.len();
                if n >= 2
                    && matches!(self.blocks[n - 1].kind, BlockKind::Item)
                    && let BlockKind::List { tight, .. } = &mut self.blocks[n - 2].kind
                {
                    *tight = false;
                }
                self.inlines.push(InlineFrame {
                    kind: InlineKind::Para,
                    children: Vec::new(),
                    pos,
                    open_html: Vec::new(),
                });
            }
            Tag::Heading { level, id, .. } => {
                self.close_implicit_para();
                let level = match level {
                    HeadingLevel::H1 => 1,
                    HeadingLevel::H2 => 2,
                    HeadingLevel::H3 => 3,
                    HeadingLevel::H4 => 4,
                    HeadingLevel::H5 => 5,
                    HeadingLevel::H6 => 6,
                };
                self.inlines.push(InlineFrame {
                    kind: InlineKind::Heading {
                        level,
                        id: id.map(|s| s.into_string()),
                    },
                    children: Vec::new(),
                    pos,
                    open_html: Vec::new(),
                });
            }
            Tag::BlockQuote(_) => self.open_block(BlockKind::Quote, offset),
            Tag::List(start) => self.open_block(
                BlockKind::List {
                    start,
                    items: Vec::new(),
                    tight: true,
                },
                offset,
            ),
            Tag::Item => self.open_block(BlockKind::Item, offset),
            Tag::FootnoteDefinition(label) => {
                self.close_implicit_para();
                self.blocks.push(BlockFrame {
                    kind: BlockKind::Note {
                        label: label.into_string(),
                    },
                    blocks: Vec::new(),
                    pos,
                });
            }
            Tag::CodeBlock(kind) => {
                self.close_implicit_para();
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => {
                        l.split_whitespace().next().unwrap_or("").to_string()
                    }
                    CodeBlockKind::Indented => String::new(),
                };
                self.code = Some((String::new(), lang, pos));
            }
            Tag::HtmlBlock => {
                self.close_implicit_para();
                self.html = Some((String::new(), pos, Vec::new()));
            }
            Tag::Table(aligns) => {
                self.close_implicit_para();
                let aligns = aligns
                    .iter()
                    .map(|a| match a {
                        Alignment::None => Align::None,
                        Alignment::Left => Align::Left,
                        Alignment::Center => Align::Center,
                        Alignment::Right => Align::Right,
                    })
                    .collect();
                self.blocks.push(BlockFrame {
                    kind: BlockKind::Table {
                        aligns,
                        header: None,
                        rows: Vec::new(),
                        row: Vec::new(),
                    },
                    blocks: Vec::new(),
                    pos,
                });
            }
            Tag::TableHead | Tag::TableRow => {
                if let Some(BlockKind::Table { row, .. }) =
                    self.blocks.last_mut().map(|f| &mut f.kind)
                {
                    row.clear();
                }
            }
            Tag::TableCell => self.inlines.push(InlineFrame {
                kind: InlineKind::Cell,
                children: Vec::new(),
                pos,
                open_html: Vec::new(),
            }),
            Tag::Emphasis => self.open_inline(InlineKind::Emph, offset),
            Tag::Strong => self.open_inline(InlineKind::Strong, offset),
            Tag::Strikethrough | Tag::Subscript | Tag::Superscript => {
                self.open_inline(InlineKind::Strike, offset)
            }
            Tag::Link { dest_url, .. } => {
                let target = self.link_target(&dest_url, offset);
                self.open_inline(InlineKind::Link(target), offset);
            }
            Tag::Image {
                dest_url, title, ..
            } => self.open_inline(
                InlineKind::Image {
                    dest: dest_url.into_string(),
                    title: title.into_string(),
                },
                offset,
            ),
            Tag::DefinitionList
            | Tag::DefinitionListTitle
            | Tag::DefinitionListDefinition
            | Tag::MetadataBlock(_) => {}
        }
    }

    // A dispatcher with one short arm per tag, as pulldown-cmark's own HTML writer has.
    #[allow(clippy::too_many_lines)]
    fn end(&mut self, tag: TagEnd, offset: usize) {
        match tag {
            TagEnd::Paragraph => {
                self.flush_run();
                if let Some(frame) = self.pop_inline() {
                    if let Some(figure) = self.figure(&frame) {
                        self.push_block(Block::Figure(figure));
                    } else {
                        self.push_block(Block::Para(Para {
                            inlines: frame.children,
                            pos: frame.pos,
                        }));
                    }
                }
            }
            TagEnd::Heading(_) => {
                self.flush_run();
                if let Some(frame) = self.pop_inline()
                    && let InlineKind::Heading { level, id } = frame.kind
                {
                    self.finish_heading(level, id, frame.children, frame.pos);
                }
            }
            TagEnd::BlockQuote(_) => {
                self.close_implicit_para();
                if let Some(frame) = self.blocks.pop() {
                    match frame.kind {
                        BlockKind::Flattened => self.append_blocks(frame.blocks),
                        _ => self.push_block(Block::Quote(frame.blocks)),
                    }
                }
            }
            TagEnd::Item => {
                self.close_implicit_para();
                if let Some(frame) = self.blocks.pop() {
                    if let BlockKind::Flattened = frame.kind {
                        self.append_blocks(frame.blocks);
                    } else if let Some(BlockKind::List { items, .. }) =
                        self.blocks.last_mut().map(|f| &mut f.kind)
                    {
                        items.push(frame.blocks);
                    } else {
                        self.append_blocks(frame.blocks);
                    }
                }
            }
            TagEnd::List(_) => {
                self.close_implicit_para();
                if let Some(frame) = self.blocks.pop() {
                    match frame.kind {
                        BlockKind::List {
                            start,
                            items,
                            tight,
                        } => self.push_block(Block::List(List {
                            start,
                            tight,
                            items,
                        })),
                        _ => self.append_blocks(frame.blocks),
                    }
                }
            }
            TagEnd::FootnoteDefinition => {
                self.close_implicit_para();
                if let Some(frame) = self.blocks.pop()
                    && let BlockKind::Note { label } = frame.kind
                {
                    self.note_def(&label, frame.blocks, frame.pos);
                }
            }
            TagEnd::TableCell => {
                self.flush_run();
                if let Some(frame) = self.pop_inline()
                    && let Some(BlockKind::Table { row, .. }) =
                        self.blocks.last_mut().map(|f| &mut f.kind)
                {
                    row.push(frame.children);
                }
            }
            TagEnd::TableHead => {
                if let Some(BlockKind::Table { row, header, .. }) =
                    self.blocks.last_mut().map(|f| &mut f.kind)
                {
                    let cells = std::mem::take(row);
                    let empty = cells
                        .iter()
                        .all(|c| crate::model::plain_text(c).trim().is_empty());
                    *header = if empty { None } else { Some(cells) };
                }
            }
            TagEnd::TableRow => {
                if let Some(BlockKind::Table { row, rows, .. }) =
                    self.blocks.last_mut().map(|f| &mut f.kind)
                {
                    rows.push(std::mem::take(row));
                }
            }
            TagEnd::Table => {
                if let Some(frame) = self.blocks.pop()
                    && let BlockKind::Table {
                        aligns,
                        header,
                        rows,
                        ..
                    } = frame.kind
                {
                    self.push_block(Block::Table(Table {
                        aligns,
                        header,
                        rows,
                        pos: frame.pos,
                    }));
                }
            }
            TagEnd::Emphasis
            | TagEnd::Strong
            | TagEnd::Strikethrough
            | TagEnd::Subscript
            | TagEnd::Superscript
            | TagEnd::Link => self.close_inline(offset),
            TagEnd::Image => self.close_inline(offset),
            TagEnd::CodeBlock | TagEnd::HtmlBlock => {}
            TagEnd::DefinitionList
            | TagEnd::DefinitionListTitle
            | TagEnd::DefinitionListDefinition
            | TagEnd::MetadataBlock(_) => {}
        }
    }

    fn open_block(&mut self, kind: BlockKind, offset: usize) {
        self.close_implicit_para();
        let pos = self.pos(offset);
        if self.too_deep(offset) {
            self.blocks.push(BlockFrame {
                kind: BlockKind::Flattened,
                blocks: Vec::new(),
                pos,
            });
        } else {
            self.blocks.push(BlockFrame {
                kind,
                blocks: Vec::new(),
                pos,
            });
        }
    }

    fn open_inline(&mut self, kind: InlineKind, offset: usize) {
        self.ensure_inline(offset);
        self.flush_run();
        let pos = self.pos(offset);
        if self.too_deep(offset) {
            self.inlines.push(InlineFrame {
                kind: InlineKind::Flattened,
                children: Vec::new(),
                pos,
                open_html: Vec::new(),
            });
        } else {
            self.inlines.push(InlineFrame {
                kind,
                children: Vec::new(),
                pos,
                open_html: Vec::new(),
            });
        }
    }

    fn close_inline(&mut self, _offset: usize) {
        self.flush_run();
        let Some(frame) = self.pop_inline() else {
            return;
        };
        let node = match frame.kind {
            InlineKind::Emph => Inline::Emph(frame.children),
            InlineKind::Strong => Inline::Strong(frame.children),
            InlineKind::Strike => Inline::Strike(frame.children),
            InlineKind::Link(target) => Inline::Link(Link {
                target,
                content: frame.children,
            }),
            InlineKind::Image { dest, title } => {
                let alt = crate::model::plain_text(&frame.children);
                let slot = self.shared.image_refs.len() as u32;
                self.shared.image_refs.push(ImageRef {
                    dest,
                    pos: frame.pos,
                });
                self.image_caption = Some((frame.children, title));
                // The id is the reference's place in `image_refs`: the loader resolves the
                // references in that order, so it is the picture's `Book::images` index.
                Inline::Image(slot, alt)
            }
            InlineKind::Flattened
            | InlineKind::Para
            | InlineKind::Heading { .. }
            | InlineKind::Cell => {
                for c in frame.children {
                    self.push_inline(c);
                }
                return;
            }
        };
        self.push_inline(node);
    }

    /// Inline content directly in a list item (a tight list) or a note gets a paragraph.
    fn ensure_inline(&mut self, offset: usize) {
        if self.inlines.is_empty() {
            let pos = self.pos(offset);
            self.inlines.push(InlineFrame {
                kind: InlineKind::Para,
                children: Vec::new(),
                pos,
                open_html: Vec::new(),
            });
        }
    }

    fn close_implicit_para(&mut self) {
        if self.inlines.is_empty() {
            return;
        }
        self.flush_run();
        // Close dangling inline frames (only possible in malformed event streams) into the
        // paragraph, then the paragraph itself.
        while self.inlines.len() > 1 {
            self.close_inline(0);
        }
        if let Some(frame) = self.pop_inline() {
            match frame.kind {
                InlineKind::Para => {
                    if !frame.children.is_empty() {
                        self.push_block(Block::Para(Para {
                            inlines: frame.children,
                            pos: frame.pos,
                        }))
                    }
                }
                _ => self.push_block(Block::Para(Para {
                    inlines: frame.children,
                    pos: frame.pos,
                })),
            }
        }
    }

    /// A paragraph that holds only a picture (and, after it, an attribute block) is a figure.
    fn figure(&mut self, frame: &InlineFrame) -> Option<Figure> {
        let (image, alt, attrs) = match frame.children.as_slice() {
            [Inline::Image(image, alt)] => (*image, alt.clone(), None),
            [Inline::Image(image, alt), Inline::Text(t)]
                if t.trim().starts_with('{') && t.trim().ends_with('}') =>
            {
                (*image, alt.clone(), Some(t.trim().to_string()))
            }
            _ => return None,
        };
        let (alt_inlines, title) = self
            .image_caption
            .take()
            .unwrap_or_else(|| (vec![Inline::Text(alt.clone())], String::new()));
        let caption = if title.trim().is_empty() {
            alt_inlines
        } else {
            vec![Inline::Text(title.trim().to_string())]
        };
        let mut f = Figure {
            image,
            alt,
            caption,
            pos: frame.pos,
            id: String::new(),
            number: None,
            width: None,
            placement: Placement::Float,
        };
        if let Some(a) = attrs {
            self.figure_attributes(&a, &mut f);
        }
        Some(f)
    }

    /// `{width=60% page here #id}` after a figure's picture.
    fn figure_attributes(&mut self, attrs: &str, f: &mut Figure) {
        let source = &self.ctx.source.text;
        let start = f.pos.offset as usize;
        let at = source
            .get(start..)
            .and_then(|s| s.find(attrs))
            .map_or(start, |i| start + i);
        for token in attrs.trim_matches(['{', '}']).split_whitespace() {
            let here = Some(
                self.ctx
                    .source
                    .location(at + attrs.find(token).unwrap_or(0)),
            );
            if let Some(w) = token.strip_prefix("width=") {
                match w.strip_suffix('%').and_then(|n| n.parse::<f64>().ok()) {
                    Some(n) if n > 0.0 && n <= 100.0 => f.width = Some(n / 100.0),
                    _ => self.diags.warning_hint(
                        here,
                        format!("figure width \"{w}\" is not a share of the measure"),
                        "write width=NN% with NN from 1 to 100",
                    ),
                }
            } else if token == "page" {
                f.placement = Placement::Page;
            } else if token == "here" {
                f.placement = Placement::Here;
            } else if let Some(id) = token.strip_prefix('#').filter(|i| !i.is_empty()) {
                f.id = id.to_string();
                let title = crate::model::plain_text(&f.caption);
                self.register_id(id, &title, f.pos, true);
            } else {
                self.diags.warning_hint(
                    here,
                    format!("unknown figure attribute `{token}`; it is ignored"),
                    "a figure's attributes are width=NN% (a share of the measure), page (a page of its own), here (never moved) and #id",
                );
            }
        }
    }

    /// Ends the innermost inline frame: HTML elements opened in it and not closed are closed
    /// at its end (with a warning), so the EPUB's markup nests.
    fn pop_inline(&mut self) -> Option<InlineFrame> {
        let mut frame = self.inlines.pop()?;
        while let Some((name, at)) = frame.open_html.pop() {
            self.diags.warning_hint(
                Some(self.ctx.source.location(at)),
                format!("the HTML element <{name}> is not closed; it is closed here"),
                format!("close it with </{name}> before the end of the paragraph or emphasis it opens in"),
            );
            frame.children.push(Inline::Html(format!("</{name}>")));
        }
        Some(frame)
    }

    /// One inline HTML tag: kept (made safe), turned into a line break, or left out.
    fn inline_html(&mut self, raw: &str, offset: usize) {
        let (tag, findings, links) = html::inline_tag(raw);
        for f in findings {
            self.report_html(&f, offset + f.offset);
        }
        for (id, at) in links {
            let pos = self.pos(offset + at);
            self.shared.internal_links.push((id, pos));
        }
        let lower = raw.trim_start().to_ascii_lowercase();
        for code in ["script", "style"] {
            if lower.starts_with(&format!("<{code}")) && !lower.contains(&format!("</{code}")) {
                self.dropping = Some(code.to_string());
            }
        }
        match tag {
            InlineTag::Open { name, xhtml } => {
                self.push_inline(Inline::Html(xhtml));
                if let Some(top) = self.inlines.last_mut() {
                    top.open_html.push((name, offset));
                }
            }
            InlineTag::Close { name } => self.close_html(&name, offset),
            InlineTag::LineBreak => self.push_inline(Inline::LineBreak),
            InlineTag::Void(xhtml) => self.push_inline(Inline::Html(xhtml)),
            InlineTag::Nothing => {}
        }
    }

    /// An inline end tag: closes its element (and any opened after it), or is left out when
    /// it closes nothing open here.
    fn close_html(&mut self, name: &str, offset: usize) {
        self.flush_run();
        let at = self.ctx.source.location(offset);
        let Some(top) = self.inlines.last_mut() else {
            return;
        };
        let Some(k) = top.open_html.iter().rposition(|(n, _)| n == name) else {
            self.diags.warning_hint(
                Some(at),
                format!("</{name}> closes no <{name}> opened in the same paragraph or emphasis; it is left out"),
                "open and close inline HTML within one paragraph, and inside or outside *emphasis*, not across it",
            );
            return;
        };
        let mut closers = Vec::new();
        while top.open_html.len() > k {
            if let Some((n, _)) = top.open_html.pop() {
                closers.push(n);
            }
        }
        if closers.len() > 1 {
            self.diags.warning_hint(
                Some(at),
                format!("</{name}> closes <{}> that is still open", closers[0]),
                "close inline HTML elements in the order they were opened",
            );
        }
        for n in closers {
            self.push_inline(Inline::Html(format!("</{n}>")));
        }
    }

    /// A block of raw HTML, parsed and made safe; its findings reported at their places.
    fn html_block(&mut self, text: &str, pos: Pos, map: &[(usize, usize)]) {
        let s = html::block(text, pos);
        let source_at = |i: usize| -> usize {
            let k = map.partition_point(|(t, _)| *t <= i).saturating_sub(1);
            map.get(k).map_or(pos.offset as usize, |(t, o)| o + (i - t))
        };
        for f in &s.findings {
            self.report_html(f, source_at(f.offset));
        }
        for (id, at) in s.links {
            let p = self.pos(source_at(at));
            self.shared.internal_links.push((id, p));
        }
        if !s.nodes.is_empty() {
            self.push_block(Block::Html(RawHtml {
                nodes: s.nodes,
                print: s.print,
                pos,
            }));
        }
    }

    fn report_html(&mut self, f: &html::Finding, offset: usize) {
        let at = Some(self.ctx.source.location(offset));
        if f.error {
            self.diags.error_hint(at, f.message.clone(), f.hint);
        } else {
            self.diags.warning_hint(at, f.message.clone(), f.hint);
        }
    }

    fn push_inline(&mut self, inline: Inline) {
        self.flush_run();
        if let Some(top) = self.inlines.last_mut() {
            top.children.push(inline);
        }
    }

    fn push_block(&mut self, block: Block) {
        if !matches!(block, Block::Heading(_)) {
            self.seen_block = true;
        }
        if let Some(top) = self.blocks.last_mut() {
            top.blocks.push(block);
        }
    }

    fn append_blocks(&mut self, blocks: Vec<Block>) {
        for b in blocks {
            self.push_block(b);
        }
    }

    fn finish_heading(
        &mut self,
        level: u8,
        id: Option<String>,
        mut inlines: Vec<Inline>,
        pos: Pos,
    ) {
        // Index markers do not belong in headings: the index does not list headings.
        let mut had_marker = false;
        inlines.retain(|i| {
            if let Inline::IndexHit(h) = i {
                had_marker = true;
                self.shared.markers.retain(|m| m.hit != *h);
                false
            } else {
                true
            }
        });
        if had_marker {
            self.diags.warning_hint(
                Some(self.ctx.source.location(pos.offset as usize)),
                "an index marker inside a heading is ignored",
                "headings are not indexed; put the marker in the first sentence under the heading",
            );
        }
        let title = crate::model::plain_text(&inlines);
        let is_title = level == 1 && self.heading.is_none() && !self.seen_block;
        let explicit = id.is_some();
        let id = match id {
            Some(id) => id,
            None if is_title => self.ctx.anchor.to_string(),
            None => {
                let base = format!("{}-{}", self.ctx.anchor, crate::model::slugify(&title));
                let n = self.heading_slugs.entry(base.clone()).or_insert(0);
                *n += 1;
                if *n == 1 { base } else { format!("{base}-{n}") }
            }
        };
        self.register_id(&id, &title, pos, explicit);
        let h = Heading {
            level,
            id,
            inlines,
            pos,
        };
        if is_title {
            self.heading = Some(h);
        } else {
            if level == 1 {
                self.diags.warning_hint(
                    Some(self.ctx.source.location(pos.offset as usize)),
                    "a second level-1 heading in one file",
                    "a file's first `#` heading is its title; mark its sections with `##`",
                );
            }
            self.push_block(Block::Heading(h));
        }
    }

    fn register_id(&mut self, id: &str, title: &str, pos: Pos, explicit: bool) {
        match self.shared.ids.get(id) {
            Some((_, _, _, prev_explicit)) if explicit && *prev_explicit => {
                self.diags.error_hint(
                    Some(self.ctx.source.location(pos.offset as usize)),
                    format!("the heading id #{id} is used twice"),
                    "each {#id} must be unique in the whole book; rename one of them",
                );
            }
            Some((_, _, _, prev_explicit)) if !explicit || *prev_explicit => {}
            _ => {
                self.shared.ids.insert(
                    id.to_string(),
                    (self.ctx.entry, title.to_string(), pos, explicit),
                );
            }
        }
    }

    fn link_target(&mut self, dest: &str, offset: usize) -> LinkTarget {
        let pos = self.pos(offset);
        if let Some(id) = dest.strip_prefix('#') {
            self.shared.internal_links.push((id.to_string(), pos));
            return LinkTarget::Internal(id.to_string());
        }
        let scheme_end = dest.find(':');
        let is_url = scheme_end.is_some_and(|i| {
            i > 1
                && dest[..i]
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '+' || c == '-' || c == '.')
        });
        if is_url || dest.starts_with("//") {
            return LinkTarget::External(dest.to_string());
        }
        // A link to another file of the book (`chapter-2.md` or `chapter-2.md#id`).
        let (path, frag) = match dest.split_once('#') {
            Some((p, f)) => (p, Some(f)),
            None => (dest, None),
        };
        let at = Some(self.ctx.source.location(offset));
        match super::paths::resolve(&self.shared.root, &self.ctx.dir, path) {
            Err(e) => self.diags.error_hint(at, format!("link target {e}"), "link to a heading with #id, to a book file with chapter.md, or to a web address"),
            Ok(rel) => match self.shared.file_anchors.get(&rel) {
                Some(anchor) => {
                    let id = frag.map_or_else(|| anchor.clone(), str::to_string);
                    if frag.is_some() {
                        self.shared.internal_links.push((id.clone(), pos));
                    }
                    return LinkTarget::Internal(id);
                }
                None => self.diags.error_hint(
                    at,
                    format!("link to \"{dest}\", which is not a file of the book's contents"),
                    "link to a heading with #id, to a file listed in contents.md, or to a web address (https://…)",
                ),
            },
        }
        LinkTarget::External(dest.to_string())
    }

    fn note_slot(&mut self, label: &str, pos: Pos) -> NoteId {
        let key = label.to_lowercase();
        if let Some(id) = self.notes.get(&key) {
            return *id;
        }
        let id = self.shared.notes.len() as NoteId;
        self.shared.notes.push(Footnote {
            label: label.to_string(),
            number: 0,
            entry: self.ctx.entry,
            blocks: Vec::new(),
            pos,
        });
        self.shared.note_defined.push(false);
        self.notes.insert(key, id);
        id
    }

    fn note_ref(&mut self, label: &str, offset: usize) -> NoteId {
        let pos = self.pos(offset);
        let id = self.note_slot(label, pos);
        self.number_note(id);
        id
    }

    /// Gives a note its number when it is first referred to: the next in the file, or in
    /// the book.
    fn number_note(&mut self, id: NoteId) {
        if self.shared.notes[id as usize].number != 0 {
            return;
        }
        let n = match &mut self.shared.book_numbering {
            Some(last) => {
                *last += 1;
                *last
            }
            None => {
                self.next_number += 1;
                self.next_number
            }
        };
        self.shared.notes[id as usize].number = n;
    }

    /// A note made for a citation (a note style): numbered in the series of the author's.
    fn citation_note(&mut self, pos: Pos) -> NoteId {
        let id = self.shared.notes.len() as NoteId;
        self.shared.notes.push(Footnote {
            label: String::new(),
            number: 0,
            entry: self.ctx.entry,
            blocks: Vec::new(),
            pos,
        });
        self.shared.note_defined.push(true);
        self.number_note(id);
        id
    }

    /// The author's note being read, if the text is inside one.
    fn current_note(&self) -> Option<NoteId> {
        self.blocks.iter().rev().find_map(|f| match &f.kind {
            BlockKind::Note { label } => self.notes.get(&label.to_lowercase()).copied(),
            _ => None,
        })
    }

    /// A citation found in the run `text`: its keys checked, recorded, and its placeholder
    /// (or, with a note style, its note's reference) put in `out`. Returns where the text
    /// goes on, or `None` when it stays text (a narrative `@word` that is no key).
    fn citation(
        &mut self,
        f: cite::syntax::Found,
        text: &str,
        source_at: &dyn Fn(usize) -> usize,
        out: &mut Vec<Inline>,
        plain: &mut String,
    ) -> Option<usize> {
        let cp = self.shared.cite.as_ref()?;
        let note_style = cp.note_style;
        let unknown: Vec<(String, usize)> = f
            .items
            .iter()
            .filter(|it| cp.keys.as_ref().is_some_and(|k| !k.contains(&it.key)))
            .map(|it| (it.key.clone(), source_at(it.key_at)))
            .collect();
        if let Some((key, at)) = unknown.first() {
            let near = {
                let names: Vec<&str> = cp.closest.iter().map(String::as_str).collect();
                super::tomlcheck::closest(key, &names).map(str::to_string)
            };
            let loc = Some(self.ctx.source.location(at.saturating_sub(1)));
            if f.narrative {
                self.diags.warning_hint(
                    loc,
                    format!("@{key} is not a key of the bibliography; it is printed as written"),
                    match near {
                        Some(n) => format!(
                            "did you mean @{n}? To print an @ that is not a citation, write \\@"
                        ),
                        None => "to print an @ that is not a citation, write \\@".to_string(),
                    },
                );
                return None;
            }
            for (key, at) in &unknown {
                let near = {
                    let names: Vec<&str> = cp.closest.iter().map(String::as_str).collect();
                    super::tomlcheck::closest(key, &names).map(str::to_string)
                };
                self.diags.error_hint(
                    Some(self.ctx.source.location(at.saturating_sub(1))),
                    format!("unknown citation key @{key}: no entry of the bibliography has it"),
                    match near {
                        Some(n) => format!("did you mean @{n}?"),
                        None => "add the entry to the reference file, or fix the key".to_string(),
                    },
                );
            }
            return Some(f.end);
        }
        let pos = self.pos(source_at(f.start));
        let in_note = self.current_note();
        let site = self.shared.cites.len() as u32;
        let mut items = f.items;
        for it in &mut items {
            it.key_at = source_at(it.key_at);
        }
        let narrative = f.narrative;
        let mut end = f.end;
        let note = if note_style && in_note.is_none() {
            if narrative {
                plain_to(out, plain);
                out.push(Inline::Cite(site));
            } else {
                // The note's number stands after the word and after punctuation that follows
                // ("… as shown.¹").
                let kept = plain.trim_end().len();
                plain.truncate(kept);
                if let Some(p) = text[end..].chars().next().filter(|c| ".,;:!?".contains(*c)) {
                    plain.push(p);
                    end += p.len_utf8();
                }
            }
            plain_to(out, plain);
            let id = self.citation_note(pos);
            out.push(Inline::NoteRef(id));
            Some(id)
        } else {
            plain_to(out, plain);
            out.push(Inline::Cite(site));
            None
        };
        self.shared.cites.push(CiteSite {
            items,
            narrative,
            pos,
            entry: self.ctx.entry,
            in_note,
            note,
        });
        Some(end)
    }

    fn note_def(&mut self, label: &str, blocks: Vec<Block>, pos: Pos) {
        let id = self.note_slot(label, pos);
        if self.shared.note_defined[id as usize] {
            self.diags.error_hint(
                Some(self.ctx.source.location(pos.offset as usize)),
                format!("footnote [^{label}] is defined twice in this file"),
                "give each footnote its own label",
            );
            return;
        }
        self.shared.note_defined[id as usize] = true;
        let note = &mut self.shared.notes[id as usize];
        note.blocks = blocks;
        note.pos = pos;
    }

    fn finish_notes(&mut self) {
        let mut ids: Vec<NoteId> = self.notes.values().copied().collect();
        ids.sort_unstable();
        for id in ids {
            let note = &self.shared.notes[id as usize];
            let defined = self.shared.note_defined[id as usize];
            let at = self.ctx.source.location(note.pos.offset as usize);
            if !defined {
                self.diags.error_hint(
                    Some(at),
                    format!("footnote reference [^{}] has no definition", note.label),
                    format!(
                        "add a line \"[^{}]: the note's text\" to this file",
                        note.label
                    ),
                );
            } else if note.number == 0 {
                self.diags.warning_hint(
                    Some(at),
                    format!("footnote [^{}] is defined but never referenced", note.label),
                    format!(
                        "cite it with [^{}] in the text, or delete the definition",
                        note.label
                    ),
                );
            }
        }
    }

    /// Turns the pending text run into inlines: index markers become hits, and an undefined
    /// footnote reference (which pulldown-cmark leaves as text) is reported.
    fn flush_run(&mut self) {
        if self.run.is_empty() {
            return;
        }
        let run = std::mem::take(&mut self.run);
        let mut text = String::new();
        let mut starts = Vec::with_capacity(run.len());
        for (t, off) in &run {
            starts.push((text.len(), *off));
            text.push_str(t);
        }
        let source_at = |i: usize| -> usize {
            let k = starts.partition_point(|(s, _)| *s <= i).saturating_sub(1);
            let (s, off) = starts[k];
            off + (i - s)
        };
        if let Some(at) = overlong_word(&text) {
            self.diags.error_hint(
                Some(self.ctx.source.location(source_at(at))),
                format!(
                    "a run of more than {} characters without a space is not text a book can set",
                    super::limits::MAX_WORD_CHARS
                ),
                "break it with spaces, or leave the data out of the manuscript",
            );
            return;
        }
        let mut out: Vec<Inline> = Vec::new();
        let mut plain = String::new();
        let mut i = 0;
        let bytes = text.as_bytes();
        while i < bytes.len() {
            if bytes[i] == b'(' && text[i..].starts_with("((") {
                let invisible = text[i..].starts_with("(((");
                let (open, close) = if invisible { (3, ")))") } else { (2, "))") };
                if let Some(end) = text[i + open..].find(close) {
                    let inner = &text[i + open..i + open + end];
                    if !inner.trim().is_empty()
                        && !inner.contains('\n')
                        && inner.len() <= 300
                        && !inner.contains("((")
                    {
                        if !plain.is_empty() {
                            out.push(Inline::Text(std::mem::take(&mut plain)));
                        }
                        let pos = self.pos(source_at(i));
                        let path: Vec<String> =
                            inner.split('!').map(|s| s.trim().to_string()).collect();
                        if path.iter().any(String::is_empty) || path.len() > 2 {
                            self.diags.error_hint(
                                Some(self.ctx.source.location(pos.offset as usize)),
                                format!("index marker \"{inner}\" is malformed"),
                                "write ((Term)), (((Term))) or (((Term!Sub-entry)))",
                            );
                        } else {
                            let hit = self.shared.hits.len() as HitId;
                            let in_note = self.current_note().is_some();
                            self.shared.hits.push(IndexHit {
                                entry: u32::MAX,
                                in_entry: self.ctx.entry,
                                in_note,
                            });
                            self.shared.markers.push(Marker { hit, path, pos });
                            out.push(Inline::IndexHit(hit));
                        }
                        if !invisible {
                            plain.push_str(inner.split('!').next_back().unwrap_or(inner).trim());
                        }
                        i += open + end + close.len();
                        continue;
                    }
                }
            }
            if matches!(bytes[i], b'[' | b'@')
                && self.shared.cite.is_some()
                && !(bytes[i] == b'@' && escaped(&self.ctx.source.text, source_at(i)))
            {
                let found = if bytes[i] == b'[' {
                    cite::syntax::bracketed(&text, i)
                } else {
                    cite::syntax::narrative(&text, i)
                };
                if let Some(f) = found
                    && let Some(next) = self.citation(f, &text, &source_at, &mut out, &mut plain)
                {
                    i = next;
                    continue;
                }
            }
            if bytes[i] == b'['
                && text[i..].starts_with("[^")
                && let Some(end) = text[i + 2..].find(']')
            {
                let label = &text[i + 2..i + 2 + end];
                if !label.is_empty() && label.len() < 100 && !label.contains(char::is_whitespace) {
                    self.diags.error_hint(
                        Some(self.ctx.source.location(source_at(i))),
                        format!("footnote reference [^{label}] has no definition"),
                        format!("add a line \"[^{label}]: the note's text\" to this file"),
                    );
                }
            }
            let next = plain_until(&text, i);
            plain.push_str(&text[i..next]);
            i = next;
        }
        if !plain.is_empty() {
            out.push(Inline::Text(plain));
        }
        if let Some(top) = self.inlines.last_mut() {
            for node in out {
                // Merge with a preceding text node so runs stay whole.
                if let (Some(Inline::Text(prev)), Inline::Text(t)) =
                    (top.children.last_mut(), &node)
                {
                    prev.push_str(t);
                    continue;
                }
                top.children.push(node);
            }
        }
    }
}

/// Whether the character at `at` in the source was written with a backslash before it.
fn escaped(source: &str, at: usize) -> bool {
    at > 0 && source.as_bytes().get(at - 1) == Some(&b'\\')
}

/// Moves pending plain text into the inlines.
fn plain_to(out: &mut Vec<Inline>, plain: &mut String) {
    if !plain.is_empty() {
        out.push(Inline::Text(std::mem::take(plain)));
    }
}

/// Where a run of more characters than a word may have, without a space, starts.
/// Where, after `i`, the next byte is that may start a marker, a citation or a note
/// reference (all ASCII, so the cut is on a character boundary).
fn plain_until(text: &str, i: usize) -> usize {
    let bytes = text.as_bytes();
    let next = bytes[i + 1..]
        .iter()
        .position(|b| matches!(b, b'(' | b'[' | b'@'))
        .map_or(bytes.len(), |p| i + 1 + p);
    (next..=bytes.len())
        .find(|&k| text.is_char_boundary(k))
        .unwrap_or(bytes.len())
}

fn overlong_word(text: &str) -> Option<usize> {
    // No run of characters can be longer than the text's bytes.
    if text.len() <= super::limits::MAX_WORD_CHARS {
        return None;
    }
    let mut start = 0;
    let mut count = 0;
    for (i, c) in text.char_indices() {
        if c.is_whitespace() {
            count = 0;
            start = i + c.len_utf8();
        } else {
            count += 1;
            if count > super::limits::MAX_WORD_CHARS {
                return Some(start);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plain_text;

    fn parse_str(s: &str) -> (Parsed, Shared, Diagnostics) {
        let src = SourceFile::new("manuscript/a.md", s.to_string());
        let ctx = FileCtx {
            file_id: 0,
            source: &src,
            entry: 0,
            anchor: "a",
            dir: "manuscript".into(),
        };
        let mut shared = Shared::default();
        let mut d = Diagnostics::new();
        let p = parse(&ctx, &mut shared, &mut d);
        (p, shared, d)
    }

    #[test]
    fn title_blocks_and_smart_punctuation() {
        let (p, _, d) =
            parse_str("# Title\n\nIt's \"quoted\" -- and --- more...\n\n## Sub {#sub}\n\ntext\n");
        assert!(d.is_empty());
        assert_eq!(plain_text(&p.heading.unwrap().inlines), "Title");
        let Block::Para(para) = &p.blocks[0] else {
            panic!()
        };
        assert_eq!(plain_text(&para.inlines), "It’s “quoted” – and — more…");
        let Block::Heading(h) = &p.blocks[1] else {
            panic!()
        };
        assert_eq!((h.level, h.id.as_str()), (2, "sub"));
    }

    #[test]
    fn markers_and_notes() {
        let (p, shared, d) = parse_str(
            "Premier ((Genden)) met (((Stalin!Policy)))Stalin.[^1] Also [^2].\n\n[^1]: A note.\n\n[^3]: Unused.\n",
        );
        let msgs: Vec<String> = d.into_sorted().iter().map(|d| d.render(false)).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(
            msgs[0].starts_with(
                "manuscript/a.md:1:60: error: footnote reference [^2] has no definition"
            ),
            "{msgs:?}"
        );
        assert!(msgs[1].starts_with(
            "manuscript/a.md:5:1: warning: footnote [^3] is defined but never referenced"
        ));
        let Block::Para(para) = &p.blocks[0] else {
            panic!()
        };
        assert_eq!(
            plain_text(&para.inlines),
            "Premier Genden met Stalin. Also [^2]."
        );
        assert_eq!(shared.markers.len(), 2);
        assert_eq!(
            shared.markers[1].path,
            vec!["Stalin".to_string(), "Policy".to_string()]
        );
        assert_eq!(shared.notes[0].number, 1);
    }

    #[test]
    fn figure_and_lists() {
        let (p, shared, _) =
            parse_str("![A *map*](images/map.png)\n\n5. one\n6. two\n\n- a\n\n  more\n- b\n");
        assert!(matches!(&p.blocks[0], Block::Figure(f) if plain_text(&f.caption) == "A map"));
        assert_eq!(shared.image_refs[0].dest, "images/map.png");
        let Block::List(l) = &p.blocks[1] else {
            panic!()
        };
        assert_eq!((l.start, l.tight, l.items.len()), (Some(5), true, 2));
        let Block::List(l) = &p.blocks[2] else {
            panic!()
        };
        assert!(!l.tight);
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = ">".repeat(10_000) + " deep\n";
        let (p, _, d) = parse_str(&deep);
        assert!(d.has_errors());
        assert!(!p.blocks.is_empty());
        let list = "- ".repeat(10_000) + "x\n";
        let (_, _, d) = parse_str(&list);
        assert!(d.has_errors());
    }
}
