//! The book's settings from `build.toml`, checked and resolved: metadata, page layout,
//! EPUB and cover options, fonts and hyphenation. Lengths are in points.

use crate::units::Length;

/// Everything build.toml sets.
#[derive(Debug, Clone)]
pub struct Config {
    /// `[book]`: metadata.
    pub book: BookMeta,
    /// `[ordering]`: the ordering page, if any.
    pub ordering: Option<OrderingPage>,
    /// `[pdf]`: the print interior.
    pub pdf: PdfSettings,
    /// `[epub]`.
    pub epub: EpubSettings,
    /// `[cover]`: the wrap cover.
    pub cover: CoverSettings,
    /// `[fonts]`.
    pub fonts: FontSettings,
    /// `[hyphenation]`.
    pub hyphenation: Hyphenation,
    /// `[bibliography]`: where the references are and how citations are styled, if the
    /// book cites.
    pub bibliography: Option<BibSettings>,
    /// `[notes]`: where the notes are printed and how they are numbered.
    pub notes: NoteSettings,
}

/// `[bibliography]`.
#[derive(Debug, Clone)]
pub struct BibSettings {
    /// The reference files (project paths) with the byte offset of each in build.toml.
    pub files: Vec<(String, usize)>,
    /// The citation style: a bundled style's name or a `.csl` file of the project.
    pub style: String,
    /// Byte offset of `style` in build.toml (0 when it is the default).
    pub style_offset: usize,
    /// The locale of the style's terms; `None`: the book's language.
    pub locale: Option<String>,
    /// Byte offset of `locale` in build.toml.
    pub locale_offset: usize,
    /// List every entry of the files in the bibliography, cited or not.
    pub uncited: bool,
    /// Byte offset of the `[bibliography]` table, for messages about it as a whole.
    pub offset: usize,
}

/// `[notes]`.
#[derive(Debug, Clone, Copy)]
pub struct NoteSettings {
    /// Where notes are printed.
    pub placement: NotePlacement,
    /// Byte offset of `placement` in build.toml (0 when it is the default).
    pub placement_offset: usize,
    /// Whether note numbers restart in each file or run through the book.
    pub numbering: NoteNumbering,
}

impl Default for NoteSettings {
    fn default() -> Self {
        NoteSettings {
            placement: NotePlacement::Foot,
            placement_offset: 0,
            numbering: NoteNumbering::Chapter,
        }
    }
}

/// Where notes are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NotePlacement {
    /// At the foot of the page that cites them.
    Foot,
    /// In a "Notes" section at the end of each top-level entry.
    Chapter,
    /// All together at the back, in the generated `@notes` entry.
    Book,
}

/// How notes are numbered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NoteNumbering {
    /// 1, 2 … in each file.
    Chapter,
    /// 1, 2 … through the whole book.
    Book,
}

/// `[book]`: what the book is.
#[derive(Debug, Clone)]
pub struct BookMeta {
    /// The title.
    pub title: String,
    /// The subtitle.
    pub subtitle: Option<String>,
    /// The authors, in order.
    pub authors: Vec<String>,
    /// The editor.
    pub editor: Option<String>,
    /// BCP 47 tag as written.
    pub language: String,
    /// A URN for the EPUB when it has no ISBN.
    pub identifier: Option<String>,
    /// 13 digits, no hyphens.
    pub isbn_print: Option<String>,
    /// The EPUB edition's ISBN: 13 digits, no hyphens.
    pub isbn_epub: Option<String>,
    /// The ISBNs as printed: as the author wrote them (hyphenation depends on registration
    /// ranges, which only the author knows), or the 13 digits.
    pub isbn_print_label: Option<String>,
    /// The EPUB ISBN as printed.
    pub isbn_epub_label: Option<String>,
    /// The publisher.
    pub publisher: Option<String>,
    /// Publication date: YYYY, YYYY-MM or YYYY-MM-DD.
    pub date: Option<String>,
    /// The rights statement.
    pub rights: Option<String>,
    /// A description for the EPUB's metadata.
    pub description: Option<String>,
    /// Number the body's entries ("2", "2.1" …).
    pub numbering: bool,
    /// How deep the contents go.
    pub toc_depth: u8,
    /// Add `@contents` after the front matter when contents.md has none.
    pub contents_auto: bool,
    /// Number the figures ("Figure 3.") in their captions, cross-references and the list of
    /// illustrations.
    pub figure_numbers: bool,
}

/// The ordering page ("How to get the book").
#[derive(Debug, Clone)]
pub struct OrderingPage {
    /// Its title.
    pub title: String,
    /// Markdown, as written in build.toml.
    pub text: String,
    /// Byte offset of the text in build.toml, for messages.
    pub text_offset: usize,
}

/// Where top-level entries open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChapterStart {
    /// On a right-hand page (a blank verso before when needed).
    Recto,
    /// On the next page.
    Any,
}

/// The page margins.
#[derive(Debug, Clone, Copy)]
pub struct Margins {
    /// Above the text block.
    pub top: Length,
    /// Below the text block.
    pub bottom: Length,
    /// At the binding.
    pub inner: Length,
    /// At the fore-edge.
    pub outer: Length,
}

/// `[pdf]`: the print interior's page and type.
#[derive(Debug, Clone)]
pub struct PdfSettings {
    /// Trim width.
    pub trim_width: Length,
    /// Trim height.
    pub trim_height: Length,
    /// The margins.
    pub margins: Margins,
    /// Bleed beyond the trim on every side.
    pub bleed: Length,
    /// Crop marks outside the bleed.
    pub crop_marks: bool,
    /// Body type size.
    pub font_size: Length,
    /// Baseline-to-baseline distance.
    pub leading: Length,
    /// Where chapters open.
    pub chapter_start: ChapterStart,
    /// Running heads and folios.
    pub running_heads: bool,
    /// Hanging punctuation in the margins.
    pub margin_kerning: bool,
    /// The standards the PDF conforms to (`[pdf] standard`).
    pub standard: PdfStandards,
    /// The printer's output profile (a project path), for PDF/X; `None`: the built-in one.
    pub output_profile: Option<String>,
    /// A structure tree for readers and assistive technology (tagged PDF).
    pub tagged: bool,
    /// The printer whose rules the book is checked against.
    pub printer: Option<Printer>,
    /// Where these settings are written in build.toml, for messages.
    pub spans: PdfSpans,
}

/// `[pdf] standard`: PDF/X for the printer and PDF/UA for readers (one of each at most).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PdfStandards {
    /// PDF/X-4 or PDF/X-1a (interior and cover).
    pub x: Option<PdfX>,
    /// PDF/UA-1 (the interior): tagged and validated.
    pub ua: bool,
}

/// A PDF/X conformance level.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PdfX {
    /// PDF/X-4 (ISO 15930-7): colour managed, transparency allowed.
    X4,
    /// PDF/X-1a:2003 (ISO 15930-4): CMYK and grey only, no transparency.
    X1a,
}

/// A print-on-demand printer with published file rules.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Printer {
    /// Amazon KDP Print.
    Kdp,
    /// IngramSpark / Lightning Source.
    IngramSpark,
    /// Lulu.
    Lulu,
}

impl Printer {
    /// The name as build.toml writes it.
    pub fn name(self) -> &'static str {
        match self {
            Printer::Kdp => "kdp",
            Printer::IngramSpark => "ingramspark",
            Printer::Lulu => "lulu",
        }
    }
}

/// Byte offsets in build.toml of the `[pdf]` settings the printer rules are about (0 when a
/// setting is left to its default).
#[derive(Debug, Clone, Copy, Default)]
pub struct PdfSpans {
    /// The `[pdf]` table.
    pub pdf: usize,
    /// `trim`.
    pub trim: usize,
    /// `bleed`.
    pub bleed: usize,
    /// `margins`.
    pub margins: usize,
    /// `margins.inner`.
    pub inner: usize,
    /// `margins.outer`.
    pub outer: usize,
    /// `margins.top`.
    pub top: usize,
    /// `margins.bottom`.
    pub bottom: usize,
    /// `printer`.
    pub printer: usize,
    /// `standard`.
    pub standard: usize,
    /// `output_profile`.
    pub output_profile: usize,
}

/// `[epub]`.
#[derive(Debug, Clone)]
pub struct EpubSettings {
    /// Embed the body fonts.
    pub embed_fonts: bool,
    /// Declare conformance to EPUB Accessibility 1.1 when the book meets what bookbuild
    /// can check.
    pub accessibility_claim: bool,
}

/// `[cover]`: the wrap cover.
#[derive(Debug, Clone)]
pub struct CoverSettings {
    /// The paper, by preset name (or the caliper given).
    pub paper: String,
    /// Thickness of one page.
    pub caliper: Length,
    /// Markdown for the back cover.
    pub back_text: Option<String>,
    /// Byte offset of the back text in build.toml, for messages.
    pub back_text_offset: usize,
    /// The printer whose cover rules apply (`[cover] printer`, else `[pdf] printer`).
    pub printer: Option<Printer>,
    /// Byte offset of `paper` (or `caliper`) in build.toml; 0 when left to the default.
    pub paper_offset: usize,
}

/// `[fonts]`.
#[derive(Debug, Clone)]
pub struct FontSettings {
    /// The body family.
    pub body: String,
    /// Byte offset of `body` in build.toml, for messages.
    pub body_offset: usize,
    /// Families tried for characters the body lacks.
    pub fallback: Vec<String>,
    /// Byte offset of `fallback` in build.toml, for messages.
    pub fallback_offset: usize,
}

/// `[hyphenation]`.
#[derive(Debug, Clone)]
pub struct Hyphenation {
    /// Hyphenate the print edition.
    pub enabled: bool,
    /// Shortest fragment before a hyphen.
    pub left_min: usize,
    /// Shortest fragment after a hyphen.
    pub right_min: usize,
    /// Shortest word that is hyphenated.
    pub min_word: usize,
    /// Words with their allowed break points marked by `-`.
    pub exceptions: Vec<String>,
}
