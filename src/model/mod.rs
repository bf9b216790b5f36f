//! The book model: everything the author wrote, checked and resolved, as plain data. No I/O
//! and no layout: the PDF and EPUB back ends both read it.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::diag::{Location, SourceFile};

mod settings;
mod time;
pub mod xml;

pub use settings::*;
pub use time::{Timestamp, human_date};

// ------------------------------------------------------------------ positions

/// A place in a source file: which file (index into [`Book::sources`]) and byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Pos {
    /// The file's index in `Book::sources`.
    pub file: u32,
    /// Byte offset in the file.
    pub offset: u32,
}

// ------------------------------------------------------------------ the book

/// A loaded and checked book project: everything both outputs need.
#[derive(Debug)]
pub struct Book {
    /// The project directory.
    pub root: PathBuf,
    /// The settings from build.toml.
    pub config: Config,
    /// Every text file read, so positions can be shown as file:line:col.
    pub sources: Vec<SourceFile>,
    /// The outline in reading order (a pre-order walk of contents.md); `depth` gives nesting.
    pub entries: Vec<Entry>,
    /// Every footnote, by note id.
    pub notes: Vec<Footnote>,
    /// Every picture, by image id.
    pub images: Vec<ImageInfo>,
    /// Heading ids (explicit and generated) to the entry and anchor they name.
    pub targets: HashMap<String, Target>,
    /// The index terms and their occurrences.
    pub index: Index,
    /// The ordering page's text, parsed.
    pub ordering_blocks: Vec<Block>,
    /// The back cover text, parsed.
    pub back_cover_blocks: Vec<Block>,
    /// `covers/front.*` and `covers/back.*`, when present.
    pub covers: Covers,
    /// The bibliography's entries, formatted in the book's citation style and in its order
    /// (empty when the book does not cite).
    pub bibliography: Vec<BibItem>,
    /// The printer's output profile, read when the PDF is written to a PDF/X standard.
    pub output_profile: Option<OutputProfile>,
}

/// An ICC output profile and the printing condition it characterises, for PDF/X's output
/// intent.
#[derive(Debug, Clone)]
pub struct OutputProfile {
    /// The ICC profile.
    pub data: std::sync::Arc<Vec<u8>>,
    /// `OutputConditionIdentifier`: a registered condition ("FOGRA39") or "Custom".
    pub identifier: String,
    /// A readable name of the condition.
    pub condition: String,
}

/// An entry of the bibliography.
#[derive(Debug, Clone)]
pub struct BibItem {
    /// Its key in the reference file.
    pub key: String,
    /// Its anchor: citations link to it.
    pub anchor: String,
    /// The entry, formatted.
    pub content: Vec<Inline>,
}

/// The author's cover pictures.
#[derive(Debug, Clone, Default)]
pub struct Covers {
    /// `covers/front.*`.
    pub front: Option<ImageInfo>,
    /// `covers/back.*`.
    pub back: Option<ImageInfo>,
}

impl Book {
    /// The book without its text: what the print files need once its pages are set (the
    /// settings, pictures, covers, outline and link targets). A build that was given the
    /// book lets go of the text while its PDF is written (a long novel's is tens of MB).
    pub fn without_text(&self) -> Book {
        let entries = self
            .entries
            .iter()
            .map(|e| Entry {
                kind: match &e.kind {
                    EntryKind::Document(d) => EntryKind::Document(Document {
                        path: d.path.clone(),
                        file: d.file,
                        heading: d.heading.clone(),
                        blocks: Vec::new(),
                    }),
                    k => k.clone(),
                },
                division: e.division,
                depth: e.depth,
                title: e.title.clone(),
                anchor: e.anchor.clone(),
                pos: e.pos,
            })
            .collect();
        Book {
            root: self.root.clone(),
            config: self.config.clone(),
            // Where a place is, without the text: a warning made afterwards is still located.
            sources: self.sources.iter().map(SourceFile::without_text).collect(),
            entries,
            notes: Vec::new(),
            images: self.images.clone(),
            targets: self.targets.clone(),
            index: Index::default(),
            ordering_blocks: self.ordering_blocks.clone(),
            back_cover_blocks: self.back_cover_blocks.clone(),
            covers: self.covers.clone(),
            bibliography: Vec::new(),
            output_profile: self.output_profile.clone(),
        }
    }

    /// Lets go of the source files' text, once read into the book: what is left finds every
    /// place (line and column) as before. A long novel's text is a tenth of what a build of
    /// it holds at its peak.
    pub fn let_go_of_source_text(&mut self) {
        for s in &mut self.sources {
            s.let_go_of_text();
        }
    }

    /// The file, line and column of a position.
    pub fn location(&self, pos: Pos) -> Location {
        self.sources[pos.file as usize].location(pos.offset as usize)
    }

    /// The top-level entries with their index in `entries`.
    pub fn top_level(&self) -> impl Iterator<Item = (usize, &Entry)> {
        self.entries
            .iter()
            .enumerate()
            .filter(|(_, e)| e.depth == 0)
    }

    /// The notes of the entries `from..to` that the text refers to, by file (entry), each
    /// file's in the order of their numbers: what an endnotes section lists.
    pub fn notes_of(&self, from: usize, to: usize) -> Vec<(usize, Vec<NoteId>)> {
        let mut out: Vec<(usize, Vec<NoteId>)> = Vec::new();
        let mut ids: Vec<NoteId> = (0..self.notes.len() as NoteId)
            .filter(|&n| {
                let note = &self.notes[n as usize];
                (from..to).contains(&note.entry) && note.number > 0
            })
            .collect();
        ids.sort_by_key(|&n| (self.notes[n as usize].entry, self.notes[n as usize].number));
        for n in ids {
            let e = self.notes[n as usize].entry;
            match out.last_mut() {
                Some((last, v)) if *last == e => v.push(n),
                _ => out.push((e, vec![n])),
            }
        }
        out
    }

    /// The end (exclusive) of the top-level entry starting at `top`: the next top-level one.
    pub fn end_of(&self, top: usize) -> usize {
        (top + 1..self.entries.len())
            .find(|&i| self.entries[i].depth == 0)
            .unwrap_or(self.entries.len())
    }

    /// The index of the top-level entry that `i` belongs to.
    pub fn top_of(&self, i: usize) -> usize {
        let mut j = i;
        while self.entries[j].depth > 0 {
            j -= 1;
        }
        j
    }

    /// The table of contents both outputs print: outline entries and the headings inside
    /// files, to `toc_depth` (counted from the top-level entries).
    pub fn toc(&self) -> Vec<TocEntry> {
        let limit = self.config.book.toc_depth as usize;
        let mut out = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            let depth = e.depth as usize;
            if depth >= limit {
                continue;
            }
            let generated = matches!(
                e.kind,
                EntryKind::Contents | EntryKind::Index | EntryKind::Ordering | EntryKind::Figures
            );
            out.push(TocEntry {
                title: e.title.clone(),
                depth,
                anchor: e.anchor.clone(),
                entry: i,
                generated,
            });
            if let EntryKind::Document(d) = &e.kind {
                for b in &d.blocks {
                    if let Block::Heading(h) = b {
                        let hd = depth + h.level as usize - 1;
                        if hd < limit {
                            out.push(TocEntry {
                                title: plain_text(&h.inlines),
                                depth: hd,
                                anchor: h.id.clone(),
                                entry: i,
                                generated: false,
                            });
                        }
                    }
                }
            }
        }
        out
    }

    /// The list of illustrations: every figure in reading order, its caption (with its
    /// number when figures are numbered) and its id.
    pub fn figures(&self) -> Vec<TocEntry> {
        fn walk(blocks: &[Block], entry: usize, out: &mut Vec<TocEntry>) {
            for b in blocks {
                match b {
                    Block::Figure(f) => out.push(TocEntry {
                        title: plain_text(&f.caption),
                        depth: 0,
                        anchor: f.id.clone(),
                        entry,
                        generated: false,
                    }),
                    Block::Quote(q) => walk(q, entry, out),
                    Block::List(l) => l.items.iter().for_each(|i| walk(i, entry, out)),
                    _ => {}
                }
            }
        }
        let mut out = Vec::new();
        for (i, e) in self.entries.iter().enumerate() {
            if let EntryKind::Document(d) = &e.kind {
                walk(&d.blocks, i, &mut out);
            }
        }
        out
    }

    /// The slug used for output file names: lower-case ASCII words joined by `-`.
    pub fn slug(&self) -> String {
        slugify(&self.config.book.title)
    }
}

/// One line of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    /// The line's text.
    pub title: String,
    /// 0 for top-level entries.
    pub depth: usize,
    /// The id the line links to (an entry anchor or a heading id).
    pub anchor: String,
    /// The outline entry it belongs to.
    pub entry: usize,
    /// A generated page (contents, index, ordering): linked as a whole.
    pub generated: bool,
}

/// The three parts of a book.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Division {
    /// Title matter, preface, contents: numbered i, ii ….
    Front,
    /// The text, numbered from 1 on a recto.
    Body,
    /// Appendices, index, ordering page.
    Back,
}

/// One entry of the outline (contents.md).
#[derive(Debug, Clone, Hash)]
pub struct Entry {
    /// The division it is listed under.
    pub division: Division,
    /// 0 for top-level entries.
    pub depth: u8,
    /// The contents title (link text), as plain text after smart punctuation.
    pub title: String,
    /// What the entry is.
    pub kind: EntryKind,
    /// A stable id for links and anchors: the file's slug, or the generated entry's name.
    pub anchor: String,
    /// Its line in contents.md.
    pub pos: Pos,
}

/// What an outline entry holds.
#[derive(Debug, Clone, Hash)]
pub enum EntryKind {
    /// A Markdown file.
    Document(Document),
    /// A link-less entry that only groups its children.
    Group,
    /// The generated table of contents (`@contents`).
    Contents,
    /// The generated index (`@index`).
    Index,
    /// The ordering page from build.toml (`@ordering`).
    Ordering,
    /// The generated list of illustrations (`@figures`).
    Figures,
    /// The generated bibliography (`@bibliography`): [`Book::bibliography`].
    Bibliography,
    /// The book's notes, gathered at the back (`@notes`, with `[notes] placement = "book"`).
    Notes,
}

/// A Markdown file of the book.
#[derive(Debug, Clone, Hash)]
pub struct Document {
    /// Project-relative path of the file.
    pub path: PathBuf,
    /// The file's index in `Book::sources`.
    pub file: u32,
    /// The file's first `#` heading, printed as its title; `None` means the contents title.
    pub heading: Option<Heading>,
    /// The file's text after its title.
    pub blocks: Vec<Block>,
}

/// A heading.
#[derive(Debug, Clone, Hash)]
pub struct Heading {
    /// 1 for the file's own title; `##` is 2 and so on, relative to the file.
    pub level: u8,
    /// The id cross-references use (`{#id}`, or one made from the title).
    pub id: String,
    /// The heading's text.
    pub inlines: Vec<Inline>,
    /// Where it is.
    pub pos: Pos,
}

/// Gives back the room the lists of `blocks` grew into while they were read: a loaded book
/// is only read from then on (a long novel's inline lists had room for a third more).
pub fn shrink_blocks(blocks: &mut Vec<Block>) {
    blocks.shrink_to_fit();
    for b in blocks {
        match b {
            Block::Para(p) => shrink_inlines(&mut p.inlines),
            Block::Heading(h) => shrink_inlines(&mut h.inlines),
            Block::Quote(q) => shrink_blocks(q),
            Block::List(l) => l.items.iter_mut().for_each(shrink_blocks),
            Block::Table(t) => {
                for row in t.header.iter_mut().chain(t.rows.iter_mut()) {
                    row.iter_mut().for_each(shrink_inlines);
                }
            }
            Block::Figure(f) => shrink_inlines(&mut f.caption),
            Block::Html(h) => shrink_blocks(&mut h.print),
            Block::Code(_) | Block::SceneBreak => {}
        }
    }
}

fn shrink_inlines(inlines: &mut Vec<Inline>) {
    inlines.shrink_to_fit();
    for i in inlines {
        match i {
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) | Inline::SmallCaps(c) => {
                shrink_inlines(c)
            }
            Inline::Link(l) => shrink_inlines(&mut l.content),
            _ => {}
        }
    }
}

/// A block of text.
#[derive(Debug, Clone, Hash)]
pub enum Block {
    /// A paragraph.
    Para(Para),
    /// A heading inside a file.
    Heading(Heading),
    /// A block quotation.
    Quote(Vec<Block>),
    /// A bulleted or numbered list.
    List(List),
    /// A code block, set as written.
    Code(CodeBlock),
    /// A thematic break: a scene break in a novel.
    SceneBreak,
    /// A table.
    Table(Table),
    /// A picture alone in its paragraph, with its caption.
    Figure(Figure),
    /// Raw HTML, parsed and made safe: kept in the EPUB, its text printed in the PDF.
    Html(RawHtml),
}

/// A block of raw HTML as the book keeps it.
#[derive(Debug, Clone, Hash)]
pub struct RawHtml {
    /// The HTML, well-formed and with only what an EPUB may hold.
    pub nodes: Vec<HtmlNode>,
    /// Its text as the print edition sets it: paragraphs, lists, quotations, tables.
    pub print: Vec<Block>,
    /// Where it starts.
    pub pos: Pos,
}

/// A node of raw HTML.
#[derive(Debug, Clone, PartialEq, Hash)]
pub enum HtmlNode {
    /// An element and what it holds.
    Element(HtmlElement),
    /// Text (unescaped).
    Text(String),
}

/// An HTML element.
#[derive(Debug, Clone, PartialEq, Hash)]
pub struct HtmlElement {
    /// The element's name, lower case.
    pub name: String,
    /// Its attributes, as written (checked).
    pub attrs: Vec<(String, String)>,
    /// What it holds.
    pub children: Vec<HtmlNode>,
}

impl HtmlElement {
    /// The elements the loader keeps that have no end tag (written `<br/>` in XHTML).
    pub const VOID: [&'static str; 4] = ["br", "wbr", "hr", "col"];

    /// True for an element written without an end tag.
    pub fn is_void(&self) -> bool {
        Self::VOID.contains(&self.name.as_str())
    }
}

/// A paragraph.
#[derive(Debug, Clone, Hash)]
pub struct Para {
    /// Its text.
    pub inlines: Vec<Inline>,
    /// Where it starts.
    pub pos: Pos,
}

/// A list.
#[derive(Debug, Clone, Hash)]
pub struct List {
    /// `Some(start)` for a numbered list.
    pub start: Option<u64>,
    /// No space between the items (no blank lines between them in the Markdown).
    pub tight: bool,
    /// Each item's blocks.
    pub items: Vec<Vec<Block>>,
}

/// A code block.
#[derive(Debug, Clone, Hash)]
pub struct CodeBlock {
    /// The language after the opening fence, if any.
    pub lang: String,
    /// The code, as written.
    pub text: String,
    /// Where it starts.
    pub pos: Pos,
}

/// A GFM table.
#[derive(Debug, Clone, Hash)]
pub struct Table {
    /// Each column's alignment.
    pub aligns: Vec<Align>,
    /// `None` when every header cell is empty (a table without a header).
    pub header: Option<Vec<Vec<Inline>>>,
    /// The body rows: cells of inlines.
    pub rows: Vec<Vec<Vec<Inline>>>,
    /// Where it starts.
    pub pos: Pos,
}

/// A table column's alignment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Align {
    /// Not given (left in print).
    None,
    /// Flush left.
    Left,
    /// Centred.
    Center,
    /// Flush right.
    Right,
}

/// A figure: a picture alone in its paragraph, with its caption.
#[derive(Debug, Clone)]
pub struct Figure {
    /// The picture.
    pub image: ImageId,
    /// What the picture shows, for readers who cannot see it: the Markdown alt text.
    pub alt: String,
    /// The caption printed under it: the image's title (`![alt](path "Caption")`), else its
    /// alt text; with "Figure N." first when figures are numbered.
    pub caption: Vec<Inline>,
    /// Where it is.
    pub pos: Pos,
    /// Its id: the author's (`{#id}`), else `fig-N`.
    pub id: String,
    /// Its number, with `[book] figure_numbers`.
    pub number: Option<u32>,
    /// Its width as a share of the measure (`{width=60%}`); the measure when not given.
    pub width: Option<f64>,
    /// Where the print edition may put it.
    pub placement: Placement,
}

/// Hashed field by field, the width by its bits (the layout cache's fingerprints: a figure
/// that hashes the same prints the same).
impl std::hash::Hash for Figure {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let Figure {
            image,
            alt,
            caption,
            pos,
            id,
            number,
            width,
            placement,
        } = self;
        (image, alt, caption, pos, id, number).hash(h);
        width.map(f64::to_bits).hash(h);
        placement.hash(h);
    }
}

/// Where a figure may go in print.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub enum Placement {
    /// At its place when it fits there, else at the top of the next page.
    #[default]
    Float,
    /// At its place, the page broken before it when it does not fit (`{here}`).
    Here,
    /// On a page of its own (`{page}`).
    Page,
}

/// A picture, by its index in `Book::images`.
pub type ImageId = u32;
/// A footnote, by its index in `Book::notes`.
pub type NoteId = u32;
/// An index occurrence, by its index in `Index::hits`.
pub type HitId = u32;

/// Text and what runs in it.
#[derive(Debug, Clone, Hash)]
pub enum Inline {
    /// Plain text.
    Text(String),
    /// Italics.
    Emph(Vec<Inline>),
    /// Bold.
    Strong(Vec<Inline>),
    /// Struck through.
    Strike(Vec<Inline>),
    /// Inline code.
    Code(String),
    /// A link.
    Link(Link),
    /// A footnote reference.
    NoteRef(NoteId),
    /// A hard line break (verse).
    LineBreak,
    /// Raw inline HTML.
    Html(String),
    /// A zero-width mark where an index term occurs (a match or a marker).
    IndexHit(HitId),
    /// A picture inside running text (not alone in its paragraph).
    Image(ImageId, String),
    /// Small capitals (as a citation style asks for them).
    SmallCaps(Vec<Inline>),
    /// A citation while the book loads: the loader replaces each with its formatted text (or
    /// a note reference), so a loaded book has none.
    Cite(u32),
}

/// A link and its text.
#[derive(Debug, Clone, Hash)]
pub struct Link {
    /// Where it leads.
    pub target: LinkTarget,
    /// Its text.
    pub content: Vec<Inline>,
}

/// Where a link leads.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum LinkTarget {
    /// A web address.
    External(String),
    /// A heading id or the start of an entry (`targets` key).
    Internal(String),
    /// The top of a print page, by its index in the typeset book: the printed index's
    /// locators. Made only by typesetting; the EPUB never sees one.
    Page(usize),
}

/// What a cross-reference id points at.
#[derive(Debug, Clone)]
pub struct Target {
    /// Index into `entries` of the entry that holds the heading.
    pub entry: usize,
    /// The title to print for `[](#id)`.
    pub title: String,
    /// Where the heading is.
    pub pos: Pos,
}

/// A footnote.
#[derive(Debug, Clone)]
pub struct Footnote {
    /// Its label in the Markdown (`[^label]`).
    pub label: String,
    /// Printed number: 1, 2 … in each file.
    pub number: u32,
    /// The entry whose file cites it.
    pub entry: usize,
    /// The note's text.
    pub blocks: Vec<Block>,
    /// Where it is defined.
    pub pos: Pos,
}

/// A picture file, checked.
#[derive(Debug, Clone)]
pub struct ImageInfo {
    /// Project-relative path.
    pub path: PathBuf,
    /// Its format.
    pub format: ImageFormat,
    /// Width in pixels.
    pub width: u32,
    /// Height in pixels.
    pub height: u32,
}

/// The picture formats books accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// JPEG (passed through to the PDF as it is).
    Jpeg,
    /// PNG.
    Png,
    /// GIF.
    Gif,
    /// WebP.
    Webp,
}

impl ImageFormat {
    /// The MIME type.
    pub fn media_type(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
            ImageFormat::Gif => "image/gif",
            ImageFormat::Webp => "image/webp",
        }
    }
    /// The usual file extension.
    pub fn extension(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "jpg",
            ImageFormat::Png => "png",
            ImageFormat::Gif => "gif",
            ImageFormat::Webp => "webp",
        }
    }
}

// ------------------------------------------------------------------ EPUB file names

/// The names of the EPUB's own files, defined once: the EPUB writer uses them, and the
/// loader keeps their stems free, because an outline entry's anchor becomes the name of its
/// XHTML file (`chapter-1` → `chapter-1.xhtml`).
pub mod epub_files {
    /// The cover page.
    pub const COVER: &str = "cover.xhtml";
    /// The generated title page.
    pub const TITLE_PAGE: &str = "titlepage.xhtml";
    /// The generated copyright page.
    pub const COPYRIGHT: &str = "copyright.xhtml";
    /// The navigation document (table of contents, landmarks, page-list).
    pub const NAV: &str = "nav.xhtml";
    /// The EPUB 2 table of contents, for old readers.
    pub const NCX: &str = "toc.ncx";
    /// The package document.
    pub const PACKAGE: &str = "package.opf";
    /// The stylesheet.
    pub const CSS: &str = "css/book.css";
    /// Every file name above.
    pub const ALL: [&str; 7] = [COVER, TITLE_PAGE, COPYRIGHT, NAV, NCX, PACKAGE, CSS];

    /// The stem of a file name (`css/book.css` → `book`): what an anchor must not be.
    pub fn stem(name: &str) -> &str {
        let base = name.rsplit('/').next().unwrap_or(name);
        base.split('.').next().unwrap_or(base)
    }
}

// ------------------------------------------------------------------ print pages

/// A point in the reading flow, as the print edition and the EPUB both understand it.
///
/// Blocks are counted per entry: 0 is the entry's title, then every leaf block of its
/// document (paragraph, heading, code, table, figure, scene break, raw HTML) in pre-order,
/// from 1. `offset` is a byte offset into the block's text as [`crate::index::hits`] flattens
/// it: text verbatim, one byte for a line break and for each non-text inline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct FlowPoint {
    /// The outline entry.
    pub entry: usize,
    /// The leaf block within the entry (0 is its title).
    pub block: u32,
    /// The byte offset in the block's flattened text.
    pub offset: u32,
}

/// What the typeset print edition tells the EPUB: the print page of each index hit, and
/// where each print page begins. Absent when no PDF is built.
#[derive(Debug, Clone, Default)]
pub struct PageMap {
    /// The printed page label (e.g. "xii", "45") of each index hit, by hit id.
    pub hit_page: Vec<String>,
    /// Body pages in order: label and the point of the text where the page begins.
    /// Pages that begin inside generated matter (title page, contents, index) are left out.
    pub starts: Vec<(String, FlowPoint)>,
    /// The print edition's ISBN, for `pageBreakSource`.
    pub source: Option<String>,
    /// The printed page number of every anchor (headings, figures).
    pub anchor_page: HashMap<String, String>,
}

// ------------------------------------------------------------------ the index

/// The book's index: entries and occurrences.
#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Top-level and sub-entries alike; sub-entries name their parent.
    pub entries: Vec<IndexEntry>,
    /// Every occurrence, in reading order of the anchors in the text.
    pub hits: Vec<IndexHit>,
}

/// An index entry, by its index in `Index::entries`.
pub type IndexEntryId = u32;

/// An index entry (or sub-entry).
#[derive(Debug, Clone)]
pub struct IndexEntry {
    /// The term as printed.
    pub term: String,
    /// The entry it is a sub-entry of.
    pub parent: Option<IndexEntryId>,
    /// The phrases found in the text as occurrences.
    pub matches: Vec<String>,
    /// Match the phrases in any case.
    pub case_insensitive: bool,
    /// "See": the entry to look under instead.
    pub see: Option<IndexEntryId>,
    /// "See also": related entries.
    pub see_also: Vec<IndexEntryId>,
    /// Where it was defined: index.toml, or the first marker that created it.
    pub pos: Pos,
    /// Created by a marker, not by index.toml.
    pub from_marker: bool,
}

/// One occurrence of an index term.
#[derive(Debug, Clone)]
pub struct IndexHit {
    /// The entry it belongs to.
    pub entry: IndexEntryId,
    /// The entry (file) the hit is in.
    pub in_entry: usize,
    /// In the text of a note (which may be printed away from its entry, as an endnote).
    pub in_note: bool,
}

/// Lower-case ASCII words joined by `-`; letters outside ASCII are transliterated where simple
/// (accents dropped) and skipped otherwise.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    let mut dash = false;
    for c in s.chars() {
        let c = fold_accent(c);
        if c.is_ascii_alphanumeric() {
            if dash && !out.is_empty() {
                out.push('-');
            }
            dash = false;
            out.push(c.to_ascii_lowercase());
        } else if c == '\'' || c == '’' {
            // "Editor's" → "editors"
        } else {
            dash = true;
        }
    }
    if out.is_empty() {
        "book".to_string()
    } else {
        out
    }
}

fn fold_accent(c: char) -> char {
    const FROM: &str = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝ";
    const TO: &str = "aaaaaaceeeeiiiinooooouuuuyyAAAAAACEEEEIIIINOOOOOUUUUY";
    match FROM.chars().position(|f| f == c) {
        Some(i) => TO.chars().nth(i).unwrap_or(c),
        None => c,
    }
}

/// The plain text of inlines, as a reader sees it.
pub fn plain_text(inlines: &[Inline]) -> String {
    let mut s = String::new();
    push_plain(inlines, &mut s);
    s
}

/// Calls `f` with every list of inlines the blocks hold (paragraphs, headings, captions,
/// table cells, at any depth of quotes and lists; not the inlines nested inside those).
pub fn visit_inlines_mut(blocks: &mut [Block], f: &mut dyn FnMut(&mut Vec<Inline>)) {
    for b in blocks {
        match b {
            Block::Para(p) => f(&mut p.inlines),
            Block::Heading(h) => f(&mut h.inlines),
            Block::Quote(bs) => visit_inlines_mut(bs, f),
            Block::List(l) => {
                for item in &mut l.items {
                    visit_inlines_mut(item, f);
                }
            }
            Block::Table(t) => {
                for row in t.rows.iter_mut().chain(t.header.iter_mut()) {
                    for cell in row {
                        f(cell);
                    }
                }
            }
            Block::Figure(fig) => f(&mut fig.caption),
            Block::Html(h) => visit_inlines_mut(&mut h.print, f),
            Block::Code(_) | Block::SceneBreak => {}
        }
    }
}

/// "Notes" in the book's language.
pub fn notes_title(language: &str) -> &'static str {
    match language.split('-').next().unwrap_or("") {
        "de" => "Anmerkungen",
        "fr" => "Notes",
        "es" => "Notas",
        "it" => "Note",
        "ru" => "Примечания",
        "mn" => "Тайлбар",
        _ => "Notes",
    }
}

fn push_plain(inlines: &[Inline], s: &mut String) {
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => s.push_str(t),
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) | Inline::SmallCaps(c) => {
                push_plain(c, s)
            }
            Inline::Link(l) => push_plain(&l.content, s),
            Inline::LineBreak => s.push(' '),
            Inline::NoteRef(_)
            | Inline::Html(_)
            | Inline::IndexHit(_)
            | Inline::Image(..)
            | Inline::Cite(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hash(x: &impl std::hash::Hash) -> u64 {
        use std::hash::Hasher as _;
        let mut h = std::hash::DefaultHasher::new();
        x.hash(&mut h);
        h.finish()
    }

    /// The layout cache finds a chapter again by these hashes: each field a figure prints
    /// with must tell two figures apart.
    #[test]
    fn a_figure_hashes_every_field_it_prints_with() {
        let f = Figure {
            image: 0,
            alt: "A cat".into(),
            caption: vec![Inline::Text("The Cheshire Cat".into())],
            pos: Pos {
                file: 1,
                offset: 10,
            },
            id: "fig-1".into(),
            number: Some(1),
            width: Some(0.6),
            placement: Placement::Float,
        };
        assert_eq!(hash(&f), hash(&f.clone()));
        let changes: [fn(&mut Figure); 8] = [
            |f| f.image = 1,
            |f| f.alt.push('!'),
            |f| f.caption.push(Inline::LineBreak),
            |f| f.pos.offset += 1,
            |f| f.id.push('a'),
            |f| f.number = None,
            |f| f.width = Some(0.5),
            |f| f.placement = Placement::Here,
        ];
        for (k, change) in changes.iter().enumerate() {
            let mut g = f.clone();
            change(&mut g);
            assert_ne!(hash(&f), hash(&g), "change {k}");
        }
    }

    #[test]
    fn slugs() {
        assert_eq!(
            slugify("Mongolia and Japan in the First Half of the XX Century"),
            "mongolia-and-japan-in-the-first-half-of-the-xx-century"
        );
        assert_eq!(slugify("Editor's word"), "editors-word");
        assert_eq!(slugify("Borodinó — Part I"), "borodino-part-i");
        assert_eq!(slugify("Ордер"), "book");
    }

    /// A loaded book's lists hold no room beyond what they hold, down to emphasis, links
    /// and list items.
    #[test]
    fn a_loaded_book_keeps_no_spare_room() {
        let text = "# A\n\nSome *very **nested** words*, a [link](https://example.org), more \
                    words((index term)) and a note.[^n]\n\n- one *item*\n- two\n\n\
                    > A *quoted* line.\n\n[^n]: The note.\n";
        let b = crate::typeset::testing::book("", &[("a", text)]);
        fn tight(inlines: &Vec<Inline>) -> bool {
            inlines.capacity() == inlines.len()
                && inlines.iter().all(|i| match i {
                    Inline::Emph(c) | Inline::Strong(c) => tight(c),
                    Inline::Link(l) => tight(&l.content),
                    _ => true,
                })
        }
        fn all_tight(blocks: &Vec<Block>) -> bool {
            blocks.capacity() == blocks.len()
                && blocks.iter().all(|b| match b {
                    Block::Para(p) => tight(&p.inlines),
                    Block::Heading(h) => tight(&h.inlines),
                    Block::Quote(q) => all_tight(q),
                    Block::List(l) => l.items.iter().all(all_tight),
                    _ => true,
                })
        }
        let mut seen = 0;
        for e in &b.book.entries {
            if let EntryKind::Document(d) = &e.kind {
                assert!(all_tight(&d.blocks), "{:#?}", d.blocks);
                seen += d.blocks.len();
            }
        }
        assert!(seen >= 3, "the chapter's blocks were read");
    }
}
