//! One sink for what typesetting has to tell the author: every stage records a [`Remark`]
//! where it notices something; the book's remarks are merged in reading order and turned
//! into diagnostics once, de-duplicated, at the end.

use crate::diag::{Diagnostics, Location, display_path};
use crate::model::{Book, ImageId, Pos};

/// Something worth a warning, with where it is.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Remark {
    /// A character no font of the book has: drawn as the font's missing-glyph box.
    NoGlyph { c: char, at: Option<Pos> },
    /// A word wider than its line, broken between letters.
    Overlong { word: String, at: Option<Pos> },
    /// A line wider than its measure: the measure is too narrow for the text.
    Overfull { at: Option<Pos> },
    /// Block quotations or lists nested deeper than the page can indent.
    DeepNesting { at: Option<Pos> },
    /// A picture below the design's minimum resolution at its printed size.
    LowDpi { image: ImageId, dpi: f64, at: Pos },
    /// The book's language has no hyphenation patterns.
    NoHyphenation { language: String },
}

/// From this many pictures below the resolution printers ask for, a summary line is added.
const LOW_DPI_SUMMARY: usize = 5;

/// Collects remarks. Typesetting keeps one per thread and appends them in book order.
#[derive(Debug, Default)]
pub(crate) struct Sink {
    remarks: Vec<Remark>,
}

impl Sink {
    pub fn warn(&mut self, r: Remark) {
        self.remarks.push(r);
    }

    /// Moves another sink's remarks after these.
    /// How many remarks there are.
    pub fn len(&self) -> usize {
        self.remarks.len()
    }

    /// Copies of the remarks made since there were `from`.
    pub fn since(&self, from: usize) -> Vec<Remark> {
        self.remarks
            .get(from..)
            .map(<[Remark]>::to_vec)
            .unwrap_or_default()
    }

    /// The remarks, in the order they were made.
    pub fn into_remarks(self) -> Vec<Remark> {
        self.remarks
    }

    pub fn append(&mut self, other: &mut Sink) {
        self.remarks.append(&mut other.remarks);
    }

    /// The remarks as warnings. A missing character is reported once, where it first
    /// occurs, with the count of other places; other repeats are dropped.
    pub fn into_diagnostics(self, book: &Book, min_dpi: f64) -> Diagnostics {
        let mut out = Diagnostics::new();
        let at = |p: Option<Pos>| p.map(|p| book.location(p));
        let mut missing: Vec<(char, Option<Pos>, usize)> = Vec::new();
        let mut overlong: Vec<(Option<Pos>, String, usize)> = Vec::new();
        let mut low: Vec<f64> = Vec::new();
        let mut seen: Vec<Remark> = Vec::new();
        for r in self.remarks {
            if let Remark::NoGlyph { c, at } = r {
                match missing.iter_mut().find(|(m, ..)| *m == c) {
                    Some(m) => m.2 += 1,
                    None => missing.push((c, at, 0)),
                }
                continue;
            }
            if let Remark::Overlong { word, at } = &r {
                match overlong.iter_mut().find(|(p, ..)| p == at) {
                    Some(o) => {
                        if o.1 != *word {
                            o.2 += 1;
                        }
                    }
                    None => overlong.push((*at, word.clone(), 0)),
                }
                continue;
            }
            if seen.contains(&r) {
                continue;
            }
            seen.push(r.clone());
            match r {
                Remark::NoGlyph { .. } | Remark::Overlong { .. } => {}
                Remark::Overfull { at: pos } => out.warning_hint(
                    at(pos),
                    "a line of this paragraph is wider than its measure and runs into the margin",
                    "the measure is too narrow for the type: use a smaller font_size or larger trim, or nest less deeply",
                ),
                Remark::DeepNesting { at: pos } => out.warning_hint(
                    at(pos),
                    "block quotations or lists nest deeper than the page can indent; the deeper levels are set at the same width",
                    "nest less deeply: a printed page shows three or four levels of indent",
                ),
                Remark::LowDpi {
                    image,
                    dpi,
                    at: pos,
                } => {
                    low.push(dpi);
                    let info = &book.images[image as usize];
                    out.warning_hint(
                        at(Some(pos)),
                        format!(
                            "{} prints at {dpi:.0} dpi, below {min_dpi:.0} dpi",
                            display_path(&info.path)
                        ),
                        format!(
                            "use a picture of at least {} pixels across for print",
                            (f64::from(info.width) * min_dpi / dpi).ceil()
                        ),
                    )
                }
                Remark::NoHyphenation { language } => out.warning_hint(
                    Some(Location::file("build.toml")),
                    format!("there are no hyphenation patterns for the language \"{language}\"; the print edition is not hyphenated"),
                    "set [book] language to a supported tag (en, en-GB, ru, mn, de, fr, …) or [hyphenation] enabled = false",
                ),
            }
        }
        // Many pictures below the mark: one line that says so, for the whole book.
        if low.len() >= LOW_DPI_SUMMARY {
            let lowest = low.iter().copied().fold(f64::INFINITY, f64::min);
            out.warning_hint(
                None,
                format!(
                    "{} pictures print below {min_dpi:.0} dpi (the lowest at {lowest:.0} dpi)",
                    low.len()
                ),
                "scan or export the pictures at a higher resolution; the warning at each picture gives the pixels it needs",
            );
        }
        for (pos, word, more) in overlong {
            let also = match more {
                0 => String::new(),
                1 => " (and 1 more word here)".to_string(),
                n => format!(" (and {n} more words here)"),
            };
            out.warning_hint(
                at(pos),
                format!("\"{word}\" is wider than a line and is broken between letters{also}"),
                "add break points (a space or a soft hyphen, U+00AD) or shorten it; a smaller font_size or a wider measure gives every word more room",
            );
        }
        for (c, pos, more) in missing {
            let also = match more {
                0 => String::new(),
                1 => " (and in 1 other place)".to_string(),
                n => format!(" (and in {n} other places)"),
            };
            out.warning_hint(
                at(pos),
                format!(
                    "the character {c:?} (U+{:04X}) is in no font; it prints as a box{also}",
                    c as u32
                ),
                "add a font that has it to fonts/ and name it in [fonts] fallback",
            );
        }
        out
    }
}
