//! The book's typographic design in one place: the page geometry from `build.toml`, and the
//! proportions bookbuild sets everything else in (title and note sizes, spaces, the line
//! box). Computed once per build; every stage reads it instead of writing its own numbers.
//!
//! Lengths are points. Scales are multiples of the body size (or of the leading, where the
//! field says so).

use crate::model::PdfSettings;

/// How the book is set. Copied freely: it is a handful of numbers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Design {
    /// Width of the text block.
    pub measure: f64,
    /// Height of the text block.
    pub text_height: f64,
    /// Body type size.
    pub size: f64,
    /// Baseline-to-baseline distance of body text.
    pub leading: f64,
    /// Hanging punctuation in the margins (`[pdf] margin_kerning`).
    pub protrusion: bool,

    /// Where a line's baseline sits in its box, as a share of the box's height from the top.
    /// 0.78 puts Libertinus's ascenders at the top of the box and its descenders inside it.
    pub ascent: f64,
    /// A chapter's title on its opening page.
    pub title_scale: f64,
    /// Leading of multi-line titles and headings, as a multiple of their size.
    pub title_leading: f64,
    /// How far down the text block an opening's title is sunk.
    pub opening_sink: f64,
    /// Parts, sections and `##` headings (smaller ranks are set at the body size).
    pub heading_scale: f64,
    /// Nested quotations and lists stop indenting where the measure would fall below this
    /// share of the text block's.
    pub min_measure: f64,
    /// Headings are set in this share of the measure, centred: inset by `heading_inset` of
    /// the measure on each side.
    pub heading_measure: f64,
    pub heading_inset: f64,
    /// Block quotations.
    pub quote_scale: f64,
    /// Code blocks, and their leading as a share of the body leading.
    pub code_scale: f64,
    pub code_leading: f64,
    /// Footnotes, and their leading as a share of the body leading.
    pub note_scale: f64,
    pub note_leading: f64,
    /// Figure captions.
    pub caption_scale: f64,
    /// A figure set with text is at most this share of the text block high.
    pub figure_max_height: f64,
    /// Lines between a figure and the text above and below it (fixed: not stretched).
    pub figure_gap: f64,
    /// Lines between a picture and its caption (more, up to half a line, to keep the grid).
    pub caption_gap: f64,
    /// A picture is never enlarged past this resolution (dots per inch): it would print soft.
    pub enlarge_dpi: f64,
    /// A picture that fitting the page's height would leave narrower than this share of the
    /// measure is set on a page of its own instead, larger.
    pub plate_width: f64,
    /// Below this resolution at its printed size a picture gets a warning (printers ask for
    /// 300 dpi).
    pub min_dpi: f64,
    /// Running heads and folios.
    pub head_scale: f64,
    /// The index's entries (size and leading).
    pub index_scale: f64,
    /// The copyright page (size and leading).
    pub copyright_scale: f64,
}

impl Design {
    /// The design for a book's `[pdf]` settings.
    pub fn new(pdf: &PdfSettings) -> Design {
        Design {
            protrusion: pdf.margin_kerning,
            ..Design::block(
                pdf.trim_width.0 - pdf.margins.inner.0 - pdf.margins.outer.0,
                pdf.trim_height.0 - pdf.margins.top.0 - pdf.margins.bottom.0,
                pdf.font_size.0,
                pdf.leading.0,
            )
        }
    }

    /// bookbuild's design for a text block of `measure` × `text_height` set in `size` on
    /// `leading`, without hanging punctuation.
    pub fn block(measure: f64, text_height: f64, size: f64, leading: f64) -> Design {
        Design {
            measure,
            text_height,
            size,
            leading,
            protrusion: false,
            ascent: 0.78,
            title_scale: 1.75,
            title_leading: 1.25,
            opening_sink: 0.22,
            heading_scale: 1.25,
            min_measure: 0.6,
            heading_measure: 0.85,
            heading_inset: 0.075,
            quote_scale: 0.9,
            code_scale: 0.88,
            code_leading: 0.92,
            note_scale: 0.82,
            note_leading: 0.8,
            caption_scale: 0.9,
            figure_max_height: 0.7,
            figure_gap: 1.0,
            caption_gap: 0.4,
            enlarge_dpi: 150.0,
            plate_width: 0.4,
            min_dpi: 300.0,
            head_scale: 0.9,
            index_scale: 0.92,
            copyright_scale: 0.85,
        }
    }

    /// The baseline of a line box of height `leading`, from its top.
    pub fn baseline(&self, leading: f64) -> f64 {
        leading * self.ascent
    }
}

/// A measure wider than any line: text set on it never breaks (running heads, page numbers,
/// spine text).
pub(crate) const UNBOUNDED: f64 = 1e6;
