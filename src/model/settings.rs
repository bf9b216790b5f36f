//! The book's settings from `build.toml`, checked and resolved: metadata, page layout,
//! EPUB and cover options, fonts and hyphenation. Lengths are in points.

use crate::units::Length;

#[derive(Debug, Clone)]
pub struct Config {
    pub book: BookMeta,
    pub ordering: Option<OrderingPage>,
    pub pdf: PdfSettings,
    pub epub: EpubSettings,
    pub cover: CoverSettings,
    pub fonts: FontSettings,
    pub hyphenation: Hyphenation,
}

#[derive(Debug, Clone)]
pub struct BookMeta {
    pub title: String,
    pub subtitle: Option<String>,
    pub authors: Vec<String>,
    pub editor: Option<String>,
    /// BCP 47 tag as written.
    pub language: String,
    pub identifier: Option<String>,
    /// 13 digits, no hyphens.
    pub isbn_print: Option<String>,
    pub isbn_epub: Option<String>,
    /// The ISBNs as printed: as the author wrote them (hyphenation depends on registration
    /// ranges, which only the author knows), or the 13 digits.
    pub isbn_print_label: Option<String>,
    pub isbn_epub_label: Option<String>,
    pub publisher: Option<String>,
    pub date: Option<String>,
    pub rights: Option<String>,
    pub description: Option<String>,
    pub numbering: bool,
    pub toc_depth: u8,
    pub contents_auto: bool,
}

#[derive(Debug, Clone)]
pub struct OrderingPage {
    pub title: String,
    /// Markdown, as written in build.toml.
    pub text: String,
    /// Byte offset of the text in build.toml, for messages.
    pub text_offset: usize,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChapterStart {
    Recto,
    Any,
}

#[derive(Debug, Clone, Copy)]
pub struct Margins {
    pub top: Length,
    pub bottom: Length,
    pub inner: Length,
    pub outer: Length,
}

#[derive(Debug, Clone)]
pub struct PdfSettings {
    pub trim_width: Length,
    pub trim_height: Length,
    pub margins: Margins,
    pub bleed: Length,
    pub crop_marks: bool,
    pub font_size: Length,
    pub leading: Length,
    pub chapter_start: ChapterStart,
    pub running_heads: bool,
    pub margin_kerning: bool,
}

#[derive(Debug, Clone)]
pub struct EpubSettings {
    pub embed_fonts: bool,
}

#[derive(Debug, Clone)]
pub struct CoverSettings {
    pub paper: String,
    pub caliper: Length,
    pub back_text: Option<String>,
    pub back_text_offset: usize,
}

#[derive(Debug, Clone)]
pub struct FontSettings {
    pub body: String,
    pub body_offset: usize,
    pub fallback: Vec<String>,
    pub fallback_offset: usize,
}

#[derive(Debug, Clone)]
pub struct Hyphenation {
    pub enabled: bool,
    pub left_min: usize,
    pub right_min: usize,
    pub min_word: usize,
    /// Words with their allowed break points marked by `-`.
    pub exceptions: Vec<String>,
}
