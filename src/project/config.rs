//! `build.toml`: read with serde into raw structs that keep source spans, then checked and
//! turned into the typed [`Config`] the rest of the pipeline uses.

use serde::Deserialize;
use toml::Spanned;

use super::introspect::fields_of;
use super::tomlcheck;
use crate::diag::{Diagnostics, SourceFile};
use crate::model::{
    BibSettings, BookMeta, FontSettings, NoteNumbering, NotePlacement, NoteSettings, OrderingPage,
    PdfSpans, PdfStandards, PdfX, Printer,
};
use crate::model::{
    ChapterStart, Config, CoverSettings, EpubSettings, Hyphenation, Margins, PdfSettings,
};
use crate::units::{self, Length};

type S<T> = Spanned<T>;

/// Margins when `[pdf] margins` leaves one out, in millimetres: a generous inner margin for
/// the binding, a narrower outer one.
struct MarginsMm {
    top: f64,
    bottom: f64,
    inner: f64,
    outer: f64,
}
const DEFAULT_MARGINS_MM: MarginsMm = MarginsMm {
    top: 18.0,
    bottom: 20.0,
    inner: 20.0,
    outer: 15.0,
};
/// The smallest text block a book can be set in: 1.5in wide, 2in high (points).
const MIN_TEXT_WIDTH: f64 = 1.5 * units::PT_PER_IN;
const MIN_TEXT_HEIGHT: f64 = 2.0 * units::PT_PER_IN;
/// The bleed printers ask for.
const DEFAULT_BLEED_MM: f64 = 3.0;
/// Body type size (points) and leading as a ratio of it (9/7: 10.5pt on 13.5pt).
const DEFAULT_FONT_SIZE: f64 = 10.5;
const DEFAULT_LEADING_RATIO: (f64, f64) = (9.0, 7.0);
/// Tagged PDF by default: it adds 2% to War and Peace's PDF time (`cargo bench -- standards`).
const DEFAULT_TAGGED: bool = true;

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    book: Option<RawBook>,
    ordering: Option<RawOrdering>,
    pdf: Option<RawPdf>,
    epub: Option<RawEpub>,
    cover: Option<RawCover>,
    fonts: Option<RawFonts>,
    hyphenation: Option<RawHyphenation>,
    bibliography: Option<S<RawBibliography>>,
    notes: Option<RawNotes>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawBibliography {
    files: Option<S<Vec<S<String>>>>,
    style: Option<S<String>>,
    locale: Option<S<String>>,
    uncited: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawNotes {
    placement: Option<S<String>>,
    numbering: Option<S<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawBook {
    title: Option<S<String>>,
    subtitle: Option<String>,
    authors: Option<S<Vec<String>>>,
    editor: Option<String>,
    language: Option<S<String>>,
    identifier: Option<S<String>>,
    isbn_print: Option<S<String>>,
    isbn_epub: Option<S<String>>,
    publisher: Option<String>,
    date: Option<S<String>>,
    rights: Option<String>,
    description: Option<String>,
    numbering: Option<bool>,
    figure_numbers: Option<bool>,
    toc_depth: Option<S<i64>>,
    contents: Option<S<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawOrdering {
    title: Option<String>,
    text: Option<S<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMargins {
    top: Option<S<String>>,
    bottom: Option<S<String>>,
    inner: Option<S<String>>,
    outer: Option<S<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawPdf {
    trim: Option<S<String>>,
    margins: Option<S<RawMargins>>,
    bleed: Option<S<String>>,
    crop_marks: Option<bool>,
    font_size: Option<S<String>>,
    leading: Option<S<String>>,
    chapter_start: Option<S<String>>,
    running_heads: Option<bool>,
    margin_kerning: Option<bool>,
    standard: Option<S<StringOrList>>,
    output_profile: Option<S<String>>,
    tagged: Option<bool>,
    printer: Option<S<String>>,
}

/// A value written as one string or a list of them.
#[derive(Deserialize)]
#[serde(untagged)]
enum StringOrList {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawEpub {
    embed_fonts: Option<bool>,
    accessibility_claim: Option<bool>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCover {
    paper: Option<S<String>>,
    caliper: Option<S<String>>,
    back_text: Option<S<String>>,
    printer: Option<S<String>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawFonts {
    body: Option<S<String>>,
    fallback: Option<S<Vec<String>>>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawHyphenation {
    enabled: Option<bool>,
    left_min: Option<S<i64>>,
    right_min: Option<S<i64>>,
    min_word: Option<S<i64>>,
    exceptions: Option<S<Vec<String>>>,
}

/// Reads build.toml. Returns `None` when it has errors (all of them reported).
pub fn load(file: &SourceFile, diags: &mut Diagnostics) -> Option<Config> {
    let before = diags.error_count();
    let table = tomlcheck::parse(file, diags)?;
    check_keys(table.get_ref(), file, diags);
    if diags.error_count() > before {
        return None;
    }
    let raw: RawConfig = match toml::from_str(&file.text) {
        Ok(r) => r,
        Err(e) => {
            tomlcheck::report_de_error(&e, file, diags);
            return None;
        }
    };
    let config = resolve(raw, file, diags);
    if diags.error_count() > before {
        None
    } else {
        Some(config)
    }
}

fn check_keys(root: &toml::de::DeTable<'_>, file: &SourceFile, diags: &mut Diagnostics) {
    tomlcheck::unknown_keys(root, fields_of::<RawConfig>(), "build.toml", file, diags);
    let sections: [(&str, &[&str]); 9] = [
        ("book", fields_of::<RawBook>()),
        ("ordering", fields_of::<RawOrdering>()),
        ("pdf", fields_of::<RawPdf>()),
        ("epub", fields_of::<RawEpub>()),
        ("cover", fields_of::<RawCover>()),
        ("fonts", fields_of::<RawFonts>()),
        ("hyphenation", fields_of::<RawHyphenation>()),
        ("bibliography", fields_of::<RawBibliography>()),
        ("notes", fields_of::<RawNotes>()),
    ];
    for (name, allowed) in sections {
        if let Some(t) = tomlcheck::sub_table(root, name) {
            tomlcheck::unknown_keys(t, allowed, &format!("[{name}]"), file, diags);
        }
    }
    if let Some(m) =
        tomlcheck::sub_table(root, "pdf").and_then(|p| tomlcheck::sub_table(p, "margins"))
    {
        tomlcheck::unknown_keys(m, fields_of::<RawMargins>(), "[pdf] margins", file, diags);
    }
}

/// The book's identifiers, resolved.
struct Identifiers {
    isbn_print: Option<String>,
    isbn_epub: Option<String>,
    isbn_print_label: Option<String>,
    isbn_epub_label: Option<String>,
    identifier: Option<String>,
}

struct Resolver<'a> {
    file: &'a SourceFile,
    diags: &'a mut Diagnostics,
}

impl Resolver<'_> {
    fn err(&mut self, at: usize, msg: impl Into<String>, hint: impl Into<String>) {
        self.diags
            .error_hint(Some(self.file.location(at)), msg, hint);
    }

    fn length(&mut self, v: &Option<S<String>>, key: &str, default: Length) -> Length {
        match v {
            None => default,
            Some(s) => match units::parse_length(s.get_ref()) {
                Ok(l) => l,
                Err(e) => {
                    self.err(s.span().start, format!("{key}: {e}"), units::UNIT_HINT);
                    default
                }
            },
        }
    }

    fn small_int(
        &mut self,
        v: &Option<S<i64>>,
        key: &str,
        range: std::ops::RangeInclusive<i64>,
        default: u32,
    ) -> u32 {
        match v {
            None => default,
            Some(s) if range.contains(s.get_ref()) => *s.get_ref() as u32,
            Some(s) => {
                self.err(
                    s.span().start,
                    format!("{key} = {} is out of range", s.get_ref()),
                    format!(
                        "use a whole number from {} to {}",
                        range.start(),
                        range.end()
                    ),
                );
                default
            }
        }
    }

    fn isbn(&mut self, v: &Option<S<String>>, key: &str) -> Option<String> {
        let s = v.as_ref()?;
        match normalise_isbn(s.get_ref()) {
            Some(isbn) => Some(isbn),
            None => {
                self.err(
                    s.span().start,
                    format!("{key} \"{}\" is not a valid ISBN (wrong length or check digit)", s.get_ref()),
                    "write the 13-digit ISBN as printed, e.g. \"978-0-306-40615-7\"; hyphens are optional",
                );
                None
            }
        }
    }
}

fn resolve(raw: RawConfig, file: &SourceFile, diags: &mut Diagnostics) -> Config {
    let mut r = Resolver { file, diags };
    let book = r.book(raw.book.unwrap_or_default());
    let ordering = Resolver::ordering(raw.ordering);
    let pdf = r.pdf(raw.pdf.unwrap_or_default());
    let epub = EpubSettings {
        embed_fonts: raw
            .epub
            .as_ref()
            .and_then(|e| e.embed_fonts)
            .unwrap_or(true),
        accessibility_claim: raw
            .epub
            .as_ref()
            .and_then(|e| e.accessibility_claim)
            .unwrap_or(true),
    };

    let mut cover = r.cover(raw.cover.unwrap_or_default());
    // The cover follows the interior's printer, and takes its paper when none is given.
    if cover.printer.is_none() {
        cover.printer = pdf.printer;
    }
    if let (Some(p), 0) = (cover.printer, cover.paper_offset) {
        let rules = crate::printer::rules(p);
        cover.caliper = rules.caliper;
        cover.paper = rules.paper.to_string();
    }
    let fonts = Resolver::fonts(raw.fonts.unwrap_or_default());
    let hyphenation = r.hyphenation(raw.hyphenation.unwrap_or_default());
    let bibliography = raw.bibliography.and_then(|b| r.bibliography(b));
    let notes = r.notes(raw.notes.unwrap_or_default());
    Config {
        book,
        ordering,
        pdf,
        epub,
        cover,
        fonts,
        hyphenation,
        bibliography,
        notes,
    }
}

impl Resolver<'_> {
    /// `[bibliography]`: at least one reference file; the style and locale are checked when
    /// the files are read (the style may be a file of the project).
    fn bibliography(&mut self, raw: S<RawBibliography>) -> Option<BibSettings> {
        let offset = raw.span().start;
        let b = raw.into_inner();
        let files: Vec<(String, usize)> = b
            .files
            .as_ref()
            .map(|f| {
                f.get_ref()
                    .iter()
                    .map(|s| (s.get_ref().trim().to_string(), s.span().start))
                    .collect()
            })
            .unwrap_or_default();
        if files.is_empty() || files.iter().any(|(f, _)| f.is_empty()) {
            let at = b.files.as_ref().map_or(offset, |f| f.span().start);
            self.err(
                at,
                "[bibliography] names no reference file",
                "list the files: files = [\"references.bib\"] (BibLaTeX or BibTeX .bib, or Hayagriva .yaml)",
            );
            return None;
        }
        let (style, style_offset) = match &b.style {
            Some(s) => (s.get_ref().trim().to_string(), s.span().start),
            None => ("chicago-notes".to_string(), 0),
        };
        let (locale, locale_offset) = match &b.locale {
            Some(l) => (Some(l.get_ref().trim().to_string()), l.span().start),
            None => (None, 0),
        };
        Some(BibSettings {
            files,
            style,
            style_offset,
            locale,
            locale_offset,
            uncited: b.uncited.unwrap_or(false),
            offset,
        })
    }

    /// `[notes]`: placement and numbering.
    fn notes(&mut self, raw: RawNotes) -> NoteSettings {
        let mut n = NoteSettings::default();
        if let Some(p) = &raw.placement {
            n.placement_offset = p.span().start;
            n.placement = match p.get_ref().as_str() {
                "foot" => NotePlacement::Foot,
                "chapter" => NotePlacement::Chapter,
                "book" => NotePlacement::Book,
                other => {
                    self.err(
                        p.span().start,
                        format!("[notes] placement = \"{other}\" is not allowed"),
                        "use \"foot\" (at the foot of the page), \"chapter\" (at the end of each chapter) or \"book\" (at the back, in @notes)",
                    );
                    NotePlacement::Foot
                }
            };
        }
        if let Some(k) = &raw.numbering {
            n.numbering = match k.get_ref().as_str() {
                "chapter" => NoteNumbering::Chapter,
                "book" => NoteNumbering::Book,
                other => {
                    self.err(
                        k.span().start,
                        format!("[notes] numbering = \"{other}\" is not allowed"),
                        "use \"chapter\" (1, 2 … in each file) or \"book\" (1, 2 … through the book)",
                    );
                    NoteNumbering::Chapter
                }
            };
        }
        n
    }
}

impl Resolver<'_> {
    /// `[book]`: metadata; title, authors and language are required.
    fn book(&mut self, book: RawBook) -> BookMeta {
        let r = self;
        let missing = |r: &mut Resolver<'_>, key: &str, example: &str| {
            r.diags.error_hint(
                Some(r.file.location(0)),
                format!("[book] {key} is required"),
                format!("add it under [book], for example: {example}"),
            )
        };
        let title = match &book.title {
            Some(t) if !t.get_ref().trim().is_empty() => t.get_ref().trim().to_string(),
            Some(t) => {
                r.err(
                    t.span().start,
                    "[book] title is empty",
                    "give the book's title",
                );
                String::new()
            }
            None => {
                missing(r, "title", "title = \"My Book\"");
                String::new()
            }
        };
        let authors = match &book.authors {
            Some(a)
                if !a.get_ref().is_empty() && a.get_ref().iter().all(|s| !s.trim().is_empty()) =>
            {
                a.get_ref().iter().map(|s| s.trim().to_string()).collect()
            }
            Some(a) => {
                r.err(
                    a.span().start,
                    "[book] authors is empty or has an empty name",
                    "list at least one author: authors = [\"Jane Doe\"]",
                );
                Vec::new()
            }
            None => {
                missing(r, "authors", "authors = [\"Jane Doe\"]");
                Vec::new()
            }
        };
        let language = match &book.language {
            Some(l) if valid_language_tag(l.get_ref()) => l.get_ref().trim().to_string(),
            Some(l) => {
                r.err(
                    l.span().start,
                    format!(
                        "[book] language \"{}\" is not a BCP 47 language tag",
                        l.get_ref()
                    ),
                    "use a tag such as \"en\", \"en-GB\", \"ru\", \"mn\" or \"de\"",
                );
                "en".to_string()
            }
            None => {
                missing(r, "language", "language = \"en\"");
                "en".to_string()
            }
        };
        let date = match &book.date {
            Some(d) if valid_date(d.get_ref()) => Some(d.get_ref().clone()),
            Some(d) => {
                r.err(
                    d.span().start,
                    format!("[book] date \"{}\" is not a date", d.get_ref()),
                    "write YYYY, YYYY-MM or YYYY-MM-DD",
                );
                None
            }
            None => None,
        };
        let toc_depth = r.small_int(&book.toc_depth, "[book] toc_depth", 1..=6, 2) as u8;
        let contents_auto = match &book.contents {
            None => true,
            Some(c) if c.get_ref() == "auto" => true,
            Some(c) if c.get_ref() == "manual" => false,
            Some(c) => {
                r.err(c.span().start, format!("[book] contents = \"{}\" is not allowed", c.get_ref()), "use \"auto\" (add the contents after the front matter when contents.md has no @contents) or \"manual\"");
                true
            }
        };
        let ids = r.identifiers(&book);

        BookMeta {
            title,
            subtitle: book.subtitle.filter(|s| !s.trim().is_empty()),
            authors,
            editor: book.editor.filter(|s| !s.trim().is_empty()),
            language,
            identifier: ids.identifier,
            isbn_print: ids.isbn_print,
            isbn_epub: ids.isbn_epub,
            isbn_print_label: ids.isbn_print_label,
            isbn_epub_label: ids.isbn_epub_label,
            publisher: book.publisher.filter(|s| !s.trim().is_empty()),
            date,
            rights: book.rights.filter(|s| !s.trim().is_empty()),
            description: book.description.filter(|s| !s.trim().is_empty()),
            numbering: book.numbering.unwrap_or(false),
            toc_depth,
            contents_auto,
            figure_numbers: book.figure_numbers.unwrap_or(false),
        }
    }

    /// The ISBNs (checked, as digits and as the author wrote them) and the identifier.
    fn identifiers(&mut self, book: &RawBook) -> Identifiers {
        let r = self;
        let isbn_print = r.isbn(&book.isbn_print, "[book] isbn_print");
        let isbn_epub = r.isbn(&book.isbn_epub, "[book] isbn_epub");
        let label = |raw: &Option<S<String>>, digits: &Option<String>| {
            digits.as_ref().map(|d| {
                let written = raw
                    .as_ref()
                    .map(|s| {
                        s.get_ref()
                            .trim()
                            .trim_start_matches("ISBN")
                            .trim()
                            .to_string()
                    })
                    .unwrap_or_default();
                if written.len() == 17 && written.matches('-').count() == 4 {
                    written
                } else {
                    d.clone()
                }
            })
        };
        let isbn_print_label = label(&book.isbn_print, &isbn_print);
        let isbn_epub_label = label(&book.isbn_epub, &isbn_epub);
        let identifier = book
            .identifier
            .as_ref()
            .map(|s| s.get_ref().trim().to_string());
        if let Some(id) = &book.identifier
            && id.get_ref().trim().is_empty()
        {
            r.err(
                id.span().start,
                "[book] identifier is empty",
                "remove it, or give a URN such as \"urn:isbn:978...\"",
            );
        }

        Identifiers {
            isbn_print,
            isbn_epub,
            isbn_print_label,
            isbn_epub_label,
            identifier,
        }
    }

    /// `[ordering]`: the "How to get the book" page.
    fn ordering(o: Option<RawOrdering>) -> Option<OrderingPage> {
        o.map(|o| OrderingPage {
            title: o
                .title
                .filter(|t| !t.trim().is_empty())
                .unwrap_or_else(|| "How to get the book".to_string()),
            text: o
                .text
                .as_ref()
                .map(|t| t.get_ref().clone())
                .unwrap_or_default(),
            text_offset: o.text.as_ref().map_or(0, |t| t.span().start),
        })
    }

    /// `[pdf]`: trim, margins, bleed, type size and leading, chapter openings.
    fn pdf(&mut self, pdf_raw: RawPdf) -> PdfSettings {
        let r = self;
        let (trim_w, trim_h, margins) = r.page_geometry(&pdf_raw);
        let bleed = r.length(
            &pdf_raw.bleed,
            "[pdf] bleed",
            Length::from_mm(DEFAULT_BLEED_MM),
        );
        if bleed.0 > units::PT_PER_IN {
            r.err(
                pdf_raw.bleed.as_ref().map_or(0, |b| b.span().start),
                "[pdf] bleed is larger than 1in",
                "printers ask for 0.125in (3mm); use 0 for none",
            );
        }
        let (font_size, leading) = r.type_size(&pdf_raw);
        let chapter_start = match pdf_raw
            .chapter_start
            .as_ref()
            .map(|s| (s.get_ref().as_str(), s.span().start))
        {
            None | Some(("recto", _)) => ChapterStart::Recto,
            Some(("any", _)) => ChapterStart::Any,
            Some((other, at)) => {
                r.err(
                    at,
                    format!("[pdf] chapter_start = \"{other}\" is not allowed"),
                    "use \"recto\" (chapters open on a right-hand page) or \"any\"",
                );
                ChapterStart::Recto
            }
        };
        let printer = r.printer(&pdf_raw.printer, "[pdf] printer");
        let standard = r.standards(&pdf_raw.standard);
        let at = |v: &Option<S<String>>| v.as_ref().map_or(0, |s| s.span().start);
        let m = pdf_raw.margins.as_ref().map(|m| m.get_ref());
        let spans = PdfSpans {
            pdf: 0,
            trim: at(&pdf_raw.trim),
            bleed: at(&pdf_raw.bleed),
            margins: pdf_raw.margins.as_ref().map_or(0, |m| m.span().start),
            inner: m.map_or(0, |m| at(&m.inner)),
            outer: m.map_or(0, |m| at(&m.outer)),
            top: m.map_or(0, |m| at(&m.top)),
            bottom: m.map_or(0, |m| at(&m.bottom)),
            printer: at(&pdf_raw.printer),
            standard: pdf_raw.standard.as_ref().map_or(0, |s| s.span().start),
            output_profile: at(&pdf_raw.output_profile),
        };
        // A printer's bleed when none is given.
        let bleed = match (printer, pdf_raw.bleed.is_none()) {
            (Some(p), true) => crate::printer::rules(p).bleed,
            _ => bleed,
        };
        PdfSettings {
            trim_width: trim_w,
            trim_height: trim_h,
            margins,
            bleed,
            crop_marks: pdf_raw.crop_marks.unwrap_or(false),
            font_size,
            leading,
            chapter_start,
            running_heads: pdf_raw.running_heads.unwrap_or(true),
            margin_kerning: pdf_raw.margin_kerning.unwrap_or(true),
            // PDF/UA is tagged PDF.
            tagged: pdf_raw.tagged.unwrap_or(DEFAULT_TAGGED) || standard.ua,
            standard,
            output_profile: pdf_raw
                .output_profile
                .as_ref()
                .map(|p| p.get_ref().trim().to_string()),
            printer,
            spans,
        }
    }

    /// A printer's name.
    fn printer(&mut self, v: &Option<S<String>>, key: &str) -> Option<Printer> {
        let s = v.as_ref()?;
        match s.get_ref().to_ascii_lowercase().as_str() {
            "kdp" | "amazon" | "amazon-kdp" => Some(Printer::Kdp),
            "ingramspark" | "ingram" | "lightning-source" => Some(Printer::IngramSpark),
            "lulu" => Some(Printer::Lulu),
            other => {
                self.err(
                    s.span().start,
                    format!("{key} = \"{other}\" is not a printer bookbuild knows"),
                    "use \"kdp\", \"ingramspark\" or \"lulu\" (or leave it out to check no printer's rules)",
                );
                None
            }
        }
    }

    /// `[pdf] standard`: one name or a list, at most one PDF/X and PDF/UA-1.
    fn standards(&mut self, v: &Option<S<StringOrList>>) -> PdfStandards {
        let mut out = PdfStandards::default();
        let Some(s) = v else { return out };
        let at = s.span().start;
        let names = match s.get_ref() {
            StringOrList::One(n) => vec![n.clone()],
            StringOrList::Many(ns) => ns.clone(),
        };
        for n in names {
            match n.to_ascii_lowercase().replace(' ', "").as_str() {
                "pdf/x-4" | "pdfx-4" | "x-4" => {
                    if out.x.replace(PdfX::X4).is_some_and(|x| x != PdfX::X4) {
                        self.err(at, "[pdf] standard names two PDF/X levels", "choose one: \"pdf/x-4\" or \"pdf/x-1a\"");
                    }
                }
                "pdf/x-1a" | "pdfx-1a" | "x-1a" | "pdf/x-1a:2003" => {
                    if out.x.replace(PdfX::X1a).is_some_and(|x| x != PdfX::X1a) {
                        self.err(at, "[pdf] standard names two PDF/X levels", "choose one: \"pdf/x-4\" or \"pdf/x-1a\"");
                    }
                }
                "pdf/ua-1" | "pdfua-1" | "ua-1" | "pdf/ua" => out.ua = true,
                other => self.err(
                    at,
                    format!("[pdf] standard \"{other}\" is not one bookbuild writes"),
                    "use \"pdf/x-4\" or \"pdf/x-1a\" for printers, \"pdf/ua-1\" for accessibility, or a list of them: [\"pdf/x-4\", \"pdf/ua-1\"]",
                ),
            }
        }
        out
    }

    /// The trim size and margins, checked to leave a text block a book can be set in.
    fn page_geometry(&mut self, pdf_raw: &RawPdf) -> (Length, Length, Margins) {
        let r = self;
        let (trim_w, trim_h) = match &pdf_raw.trim {
            None => units::parse_trim("A5").expect("A5 is a known trim"),
            Some(t) => match units::parse_trim(t.get_ref()) {
                Ok(v) => v,
                Err(e) => {
                    r.err(t.span().start, format!("[pdf] trim: {e}"), units::TRIM_HINT);
                    units::parse_trim("A5").expect("A5 is a known trim")
                }
            },
        };
        let m = pdf_raw.margins.as_ref().map(|m| m.get_ref());
        let none = None;
        let margins = Margins {
            top: r.length(
                m.map_or(&none, |m| &m.top),
                "[pdf] margins.top",
                Length::from_mm(DEFAULT_MARGINS_MM.top),
            ),
            bottom: r.length(
                m.map_or(&none, |m| &m.bottom),
                "[pdf] margins.bottom",
                Length::from_mm(DEFAULT_MARGINS_MM.bottom),
            ),
            inner: r.length(
                m.map_or(&none, |m| &m.inner),
                "[pdf] margins.inner",
                Length::from_mm(DEFAULT_MARGINS_MM.inner),
            ),
            outer: r.length(
                m.map_or(&none, |m| &m.outer),
                "[pdf] margins.outer",
                Length::from_mm(DEFAULT_MARGINS_MM.outer),
            ),
        };
        let text_w = trim_w.0 - margins.inner.0 - margins.outer.0;
        let text_h = trim_h.0 - margins.top.0 - margins.bottom.0;
        if text_w < MIN_TEXT_WIDTH || text_h < MIN_TEXT_HEIGHT {
            let at = pdf_raw.margins.as_ref().map_or(0, |m| m.span().start);
            r.err(
                at,
                format!(
                    "[pdf] the margins leave a text block of {:.0}mm x {:.0}mm, too small to set a book in",
                    text_w.max(0.0) / units::PT_PER_MM,
                    text_h.max(0.0) / units::PT_PER_MM
                ),
                "the text block must be at least 1.5in (38mm) wide and 2in (51mm) high: reduce the margins or choose a larger trim",
            );
        }
        (trim_w, trim_h, margins)
    }

    /// The body's type size and leading, each within what a book can be read in.
    fn type_size(&mut self, pdf_raw: &RawPdf) -> (Length, Length) {
        let r = self;
        let font_size = r.length(
            &pdf_raw.font_size,
            "[pdf] font_size",
            Length(DEFAULT_FONT_SIZE),
        );
        if !(4.0..=72.0).contains(&font_size.0) {
            r.err(
                pdf_raw.font_size.as_ref().map_or(0, |b| b.span().start),
                "[pdf] font_size must be between 4pt and 72pt",
                "body text is usually 9.5pt to 12pt",
            );
        }
        let leading = r.length(
            &pdf_raw.leading,
            "[pdf] leading",
            Length(font_size.0 * DEFAULT_LEADING_RATIO.0 / DEFAULT_LEADING_RATIO.1),
        );
        if leading.0 < font_size.0 * 0.8 || leading.0 > font_size.0 * 4.0 {
            r.err(
                pdf_raw.leading.as_ref().map_or(0, |b| b.span().start),
                "[pdf] leading must be between 0.8 and 4 times the font size",
                "leading is the baseline-to-baseline distance, usually 1.2 to 1.35 times the font size",
            );
        }
        (font_size, leading)
    }

    /// `[cover]`: paper (or caliper) and the back text.
    fn cover(&mut self, cover_raw: RawCover) -> CoverSettings {
        let r = self;
        let mut paper_name = "white-50lb".to_string();
        let mut caliper = units::paper_caliper("white-50lb").expect("preset exists");
        if let Some(p) = &cover_raw.paper {
            match units::paper_caliper(p.get_ref()) {
                Some(c) => {
                    paper_name = p.get_ref().clone();
                    caliper = c;
                }
                None => r.err(
                    p.span().start,
                    format!("[cover] paper \"{}\" is not a known paper", p.get_ref()),
                    format!(
                        "use one of {}, or give caliper = \"0.0025in\" (thickness per page)",
                        units::PAPER_NAMES.join(", ")
                    ),
                ),
            }
        }
        if let Some(c) = &cover_raw.caliper {
            let l = r.length(&cover_raw.caliper, "[cover] caliper", caliper);
            if l.0 <= 0.0 || l.inches() > 0.01 {
                r.err(
                    c.span().start,
                    "[cover] caliper must be above 0 and at most 0.01in per page",
                    "printers quote about 0.002in to 0.003in per page",
                );
            } else {
                caliper = l;
                paper_name = format!("caliper {}", c.get_ref());
            }
        }
        let printer = r.printer(&cover_raw.printer, "[cover] printer");
        let paper_offset = cover_raw
            .caliper
            .as_ref()
            .or(cover_raw.paper.as_ref())
            .map_or(0, |p| p.span().start);
        CoverSettings {
            paper: paper_name,
            caliper,
            back_text: cover_raw.back_text.as_ref().map(|t| t.get_ref().clone()),
            back_text_offset: cover_raw.back_text.as_ref().map_or(0, |t| t.span().start),
            printer,
            paper_offset,
        }
    }

    /// `[fonts]`: the body family and its fallbacks (checked against the fonts later).
    fn fonts(fonts_raw: RawFonts) -> FontSettings {
        FontSettings {
            body: fonts_raw
                .body
                .as_ref()
                .map(|b| b.get_ref().trim().to_string())
                .unwrap_or_else(|| crate::fonts::DEFAULT_FAMILY.to_string()),
            body_offset: fonts_raw.body.as_ref().map_or(0, |b| b.span().start),
            fallback: fonts_raw
                .fallback
                .as_ref()
                .map(|f| f.get_ref().clone())
                .unwrap_or_default(),
            fallback_offset: fonts_raw.fallback.as_ref().map_or(0, |b| b.span().start),
        }
    }

    /// `[hyphenation]`: on or off, fragment minima and exception words.
    fn hyphenation(&mut self, h: RawHyphenation) -> Hyphenation {
        let r = self;
        let mut exceptions = Vec::new();
        if let Some(ex) = &h.exceptions {
            for w in ex.get_ref() {
                if w.trim().is_empty() || w.chars().any(char::is_whitespace) {
                    r.err(
                        ex.span().start,
                        format!("[hyphenation] exception \"{w}\" is not a single word"),
                        "write each word with hyphens where it may break, e.g. \"Ulaan-baa-tar\"",
                    );
                } else {
                    exceptions.push(w.clone());
                }
            }
        }
        Hyphenation {
            enabled: h.enabled.unwrap_or(true),
            left_min: r.small_int(&h.left_min, "[hyphenation] left_min", 1..=10, 2) as usize,
            right_min: r.small_int(&h.right_min, "[hyphenation] right_min", 1..=10, 3) as usize,
            min_word: r.small_int(&h.min_word, "[hyphenation] min_word", 2..=30, 5) as usize,
            exceptions,
        }
    }
}

/// A loose BCP 47 check: a 2–3 letter primary subtag and alphanumeric subtags of 1–8.
pub fn valid_language_tag(tag: &str) -> bool {
    let mut parts = tag.trim().split('-');
    let first = parts.next().unwrap_or("");
    (2..=3).contains(&first.len())
        && first.chars().all(|c| c.is_ascii_alphabetic())
        && parts.all(|p| (1..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()))
}

fn valid_date(d: &str) -> bool {
    let parts: Vec<&str> = d.split('-').collect();
    let num = |s: &str, len: usize| s.len() == len && s.chars().all(|c| c.is_ascii_digit());
    match parts.as_slice() {
        [y] => num(y, 4),
        [y, m] => num(y, 4) && num(m, 2) && (1..=12).contains(&m.parse::<u32>().unwrap_or(0)),
        [y, m, dd] => {
            num(y, 4)
                && num(m, 2)
                && num(dd, 2)
                && (1..=12).contains(&m.parse::<u32>().unwrap_or(0))
                && (1..=31).contains(&dd.parse::<u32>().unwrap_or(0))
        }
        _ => false,
    }
}

/// The ISBN as 13 digits (ISBN-10 converted), or `None` when the check digit is wrong.
pub fn normalise_isbn(s: &str) -> Option<String> {
    let s = s
        .trim()
        .trim_start_matches("urn:isbn:")
        .trim_start_matches("ISBN")
        .trim();
    let chars: Vec<char> = s.chars().filter(|c| *c != '-' && *c != ' ').collect();
    match chars.len() {
        13 if chars.iter().all(char::is_ascii_digit) => {
            let digits: Vec<u32> = chars.iter().map(|c| c.to_digit(10).unwrap_or(0)).collect();
            let sum: u32 = digits[..12]
                .iter()
                .enumerate()
                .map(|(i, d)| if i % 2 == 0 { *d } else { d * 3 })
                .sum();
            let check = (10 - sum % 10) % 10;
            (check == digits[12]).then(|| chars.iter().collect())
        }
        10 => {
            let mut sum = 0;
            for (i, c) in chars.iter().enumerate() {
                let v = match c {
                    '0'..='9' => c.to_digit(10)?,
                    'X' | 'x' if i == 9 => 10,
                    _ => return None,
                };
                sum += v * (10 - i as u32);
            }
            if sum % 11 != 0 {
                return None;
            }
            let mut d: Vec<u32> = vec![9, 7, 8];
            d.extend(chars[..9].iter().map(|c| c.to_digit(10).unwrap_or(0)));
            let sum: u32 = d
                .iter()
                .enumerate()
                .map(|(i, v)| if i % 2 == 0 { *v } else { v * 3 })
                .sum();
            d.push((10 - sum % 10) % 10);
            Some(
                d.iter()
                    .map(|v| char::from_digit(*v, 10).unwrap_or('0'))
                    .collect(),
            )
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isbns() {
        assert_eq!(
            normalise_isbn("978-0-306-40615-7").as_deref(),
            Some("9780306406157")
        );
        assert_eq!(
            normalise_isbn("0-306-40615-2").as_deref(),
            Some("9780306406157")
        );
        assert!(normalise_isbn("978-0-306-40615-8").is_none());
        assert!(normalise_isbn("12345").is_none());
    }

    #[test]
    fn languages_and_dates() {
        assert!(valid_language_tag("en-GB"));
        assert!(valid_language_tag("mn"));
        assert!(!valid_language_tag("english"));
        assert!(valid_date("2000-09"));
        assert!(!valid_date("2000-13"));
        assert!(!valid_date("Sept 2000"));
    }

    fn load_str(text: &str) -> (Option<Config>, Diagnostics) {
        let f = SourceFile::new("build.toml", text.to_string());
        let mut d = Diagnostics::new();
        (load(&f, &mut d), d)
    }

    #[test]
    fn reports_every_unknown_key() {
        let (c, d) = load_str(
            "[book]\ntitel = \"x\"\nauthors=[\"a\"]\nlanguage=\"en\"\n[pdf]\ntrimm = \"A5\"\n",
        );
        assert!(c.is_none());
        let msgs: Vec<String> = d.into_sorted().iter().map(|d| d.render(false)).collect();
        assert_eq!(msgs.len(), 2, "{msgs:?}");
        assert!(msgs[0].starts_with("build.toml:2:1: error: unknown key `titel` in [book]"));
        assert!(msgs[0].contains("did you mean `title`"));
        assert!(msgs[1].starts_with("build.toml:6:1: error: unknown key `trimm` in [pdf]"));
        assert!(msgs[1].contains("allowed keys in [pdf]: trim, margins"));
    }

    #[test]
    fn reports_every_bad_value() {
        let (c, d) = load_str(
            "[book]\ntitle = \"T\"\nauthors=[\"a\"]\nlanguage=\"en\"\n[pdf]\ntrim = \"A9\"\nbleed = \"3px\"\nmargins = { top = \"1\" }\n",
        );
        assert!(c.is_none());
        let msgs: Vec<String> = d.into_sorted().iter().map(|d| d.render(false)).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(msgs[0].starts_with("build.toml:6:8: error: [pdf] trim: unknown trim size"));
        assert!(msgs[1].contains("build.toml:7:9: error: [pdf] bleed: unknown unit"));
        assert!(msgs[2].contains("margins.top: length \"1\" has no unit"));
    }

    #[test]
    fn defaults() {
        let (c, d) = load_str("[book]\ntitle = \"T\"\nauthors=[\"a\"]\nlanguage=\"en\"\n");
        assert!(d.is_empty());
        let c = c.unwrap();
        assert_eq!(c.book.toc_depth, 2);
        assert!((c.pdf.font_size.0 - 10.5).abs() < 1e-9);
        assert!(c.book.contents_auto);
    }
}
