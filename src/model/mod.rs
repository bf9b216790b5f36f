//! The book model: everything the author wrote, checked and resolved, as plain data. No I/O
//! and no layout: the PDF and EPUB back ends both read it.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::diag::{Location, SourceFile};

mod settings;
mod time;

pub use settings::*;
pub use time::{Timestamp, human_date};

// ------------------------------------------------------------------ positions

/// A place in a source file: which file (index into [`Book::sources`]) and byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct Pos {
    pub file: u32,
    pub offset: u32,
}

// ------------------------------------------------------------------ the book

#[derive(Debug)]
pub struct Book {
    /// The project directory.
    pub root: PathBuf,
    pub config: Config,
    /// Every text file read, so positions can be shown as file:line:col.
    pub sources: Vec<SourceFile>,
    /// The outline in reading order (a pre-order walk of contents.md); `depth` gives nesting.
    pub entries: Vec<Entry>,
    pub notes: Vec<Footnote>,
    pub images: Vec<ImageInfo>,
    /// Heading ids (explicit and generated) to the entry and anchor they name.
    pub targets: HashMap<String, Target>,
    pub index: Index,
    /// The ordering page's text, parsed.
    pub ordering_blocks: Vec<Block>,
    /// The back cover text, parsed.
    pub back_cover_blocks: Vec<Block>,
    /// `covers/front.*` and `covers/back.*`, when present.
    pub covers: Covers,
}

#[derive(Debug, Clone, Default)]
pub struct Covers {
    pub front: Option<ImageInfo>,
    pub back: Option<ImageInfo>,
}

impl Book {
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
                EntryKind::Contents | EntryKind::Index | EntryKind::Ordering
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

    /// The slug used for output file names: lower-case ASCII words joined by `-`.
    pub fn slug(&self) -> String {
        slugify(&self.config.book.title)
    }
}

/// One line of the table of contents.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TocEntry {
    pub title: String,
    pub depth: usize,
    /// The id the line links to (an entry anchor or a heading id).
    pub anchor: String,
    /// The outline entry it belongs to.
    pub entry: usize,
    /// A generated page (contents, index, ordering): linked as a whole.
    pub generated: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Division {
    Front,
    Body,
    Back,
}

#[derive(Debug, Clone)]
pub struct Entry {
    pub division: Division,
    /// 0 for top-level entries.
    pub depth: u8,
    /// The contents title (link text), as plain text after smart punctuation.
    pub title: String,
    pub kind: EntryKind,
    /// A stable id for links and anchors: the file's slug, or the generated entry's name.
    pub anchor: String,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub enum EntryKind {
    /// A Markdown file.
    Document(Document),
    /// A link-less entry that only groups its children.
    Group,
    Contents,
    Index,
    Ordering,
}

#[derive(Debug, Clone)]
pub struct Document {
    /// Project-relative path of the file.
    pub path: PathBuf,
    pub file: u32,
    /// The file's first `#` heading, printed as its title; `None` means the contents title.
    pub heading: Option<Heading>,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub struct Heading {
    /// 1 for the file's own title; `##` is 2 and so on, relative to the file.
    pub level: u8,
    pub id: String,
    pub inlines: Vec<Inline>,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub enum Block {
    Para(Para),
    Heading(Heading),
    Quote(Vec<Block>),
    List(List),
    Code(CodeBlock),
    /// A thematic break: a scene break in a novel.
    SceneBreak,
    Table(Table),
    Figure(Figure),
    /// Raw HTML: kept in the EPUB, left out of the PDF.
    Html(String, Pos),
}

#[derive(Debug, Clone)]
pub struct Para {
    pub inlines: Vec<Inline>,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct List {
    /// `Some(start)` for a numbered list.
    pub start: Option<u64>,
    pub tight: bool,
    pub items: Vec<Vec<Block>>,
}

#[derive(Debug, Clone)]
pub struct CodeBlock {
    pub lang: String,
    pub text: String,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct Table {
    pub aligns: Vec<Align>,
    /// `None` when every header cell is empty (a table without a header).
    pub header: Option<Vec<Vec<Inline>>>,
    pub rows: Vec<Vec<Vec<Inline>>>,
    pub pos: Pos,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Align {
    None,
    Left,
    Center,
    Right,
}

#[derive(Debug, Clone)]
pub struct Figure {
    pub image: ImageId,
    /// The image's alt text, printed as the caption.
    pub caption: Vec<Inline>,
    pub pos: Pos,
}

pub type ImageId = u32;
pub type NoteId = u32;
pub type HitId = u32;

#[derive(Debug, Clone)]
pub enum Inline {
    Text(String),
    Emph(Vec<Inline>),
    Strong(Vec<Inline>),
    Strike(Vec<Inline>),
    Code(String),
    Link(Link),
    NoteRef(NoteId),
    LineBreak,
    Html(String),
    /// A zero-width mark where an index term occurs (a match or a marker).
    IndexHit(HitId),
    /// A picture inside running text (not alone in its paragraph).
    Image(ImageId, String),
}

#[derive(Debug, Clone)]
pub struct Link {
    pub target: LinkTarget,
    pub content: Vec<Inline>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkTarget {
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
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct Footnote {
    pub label: String,
    /// Printed number: 1, 2 … in each file.
    pub number: u32,
    /// The entry whose file cites it.
    pub entry: usize,
    pub blocks: Vec<Block>,
    pub pos: Pos,
}

#[derive(Debug, Clone)]
pub struct ImageInfo {
    /// Project-relative path.
    pub path: PathBuf,
    pub format: ImageFormat,
    pub width: u32,
    pub height: u32,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    Jpeg,
    Png,
    Gif,
    Webp,
}

impl ImageFormat {
    pub fn media_type(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
            ImageFormat::Gif => "image/gif",
            ImageFormat::Webp => "image/webp",
        }
    }
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
    pub entry: usize,
    pub block: u32,
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
}

// ------------------------------------------------------------------ the index

#[derive(Debug, Clone, Default)]
pub struct Index {
    /// Top-level and sub-entries alike; sub-entries name their parent.
    pub entries: Vec<IndexEntry>,
    /// Every occurrence, in reading order of the anchors in the text.
    pub hits: Vec<IndexHit>,
}

pub type IndexEntryId = u32;

#[derive(Debug, Clone)]
pub struct IndexEntry {
    pub term: String,
    pub parent: Option<IndexEntryId>,
    pub matches: Vec<String>,
    pub case_insensitive: bool,
    pub see: Option<IndexEntryId>,
    pub see_also: Vec<IndexEntryId>,
    /// Where it was defined: index.toml, or the first marker that created it.
    pub pos: Pos,
    /// Created by a marker, not by index.toml.
    pub from_marker: bool,
}

#[derive(Debug, Clone)]
pub struct IndexHit {
    pub entry: IndexEntryId,
    /// The entry (file) the hit is in.
    pub in_entry: usize,
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

fn push_plain(inlines: &[Inline], s: &mut String) {
    for i in inlines {
        match i {
            Inline::Text(t) | Inline::Code(t) => s.push_str(t),
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) => push_plain(c, s),
            Inline::Link(l) => push_plain(&l.content, s),
            Inline::LineBreak => s.push(' '),
            Inline::NoteRef(_) | Inline::Html(_) | Inline::IndexHit(_) | Inline::Image(..) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
