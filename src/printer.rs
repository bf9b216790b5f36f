//! Printers' published rules for a book's files, and the preflight that checks a book
//! against them before it is uploaded: trim size, bleed, margins (the inside one by page
//! count), page count for the paper, cover and spine. Each rule broken is a diagnostic at
//! the build.toml line that causes it — an error when the printer would reject the file, a
//! warning when it would only print worse — with the rule and its source in the hint.
//! Sources: `../shared/notes/printers-and-stores.md`.

use crate::diag::{Diagnostics, Location};
use crate::model::{Book, Printer};
use crate::units::Length;

/// A printer's rules.
pub struct Rules {
    /// The printer's name as authors know it.
    pub name: &'static str,
    /// The bleed it asks for, when the book bleeds.
    pub bleed: Length,
    /// The thickness of a page of its default paper.
    pub caliper: Length,
    /// That paper, as the cover's note names it.
    pub paper: &'static str,
    /// Standard trims, width × height in inches.
    pub trims: &'static [(f64, f64)],
    /// Custom trims it accepts: width range, height range (inches).
    pub custom: Option<((f64, f64), (f64, f64))>,
    /// The inside margin by page count: (up to pages, at least inches).
    pub gutter: &'static [(usize, f64)],
    /// Outside, top and bottom margins at least (inches): without bleed, with bleed.
    pub edges: (f64, f64),
    /// Page count for its default paper: least, most.
    pub pages: (usize, usize),
    /// The page count from which it prints text on the spine.
    pub spine_text_pages: usize,
    /// Where the rules are published.
    pub source: &'static str,
}

/// KDP's standard trims (inches).
const KDP_TRIMS: &[(f64, f64)] = &[
    (5.0, 8.0),
    (5.06, 7.81),
    (5.25, 8.0),
    (5.5, 8.5),
    (5.83, 8.27),
    (6.0, 9.0),
    (6.14, 9.21),
    (6.69, 9.61),
    (7.0, 10.0),
    (7.44, 9.69),
    (7.5, 9.25),
    (8.0, 10.0),
    (8.25, 6.0),
    (8.25, 8.25),
    (8.5, 8.5),
    (8.5, 11.0),
    (8.27, 11.69),
];

/// IngramSpark's and Lulu's common trims (inches); both take more.
const POD_TRIMS: &[(f64, f64)] = &[
    (4.25, 6.87),
    (5.0, 8.0),
    (5.06, 7.81),
    (5.25, 8.0),
    (5.5, 8.5),
    (5.83, 8.27),
    (6.0, 9.0),
    (6.14, 9.21),
    (6.69, 9.61),
    (7.0, 10.0),
    (7.5, 9.25),
    (8.0, 10.0),
    (8.25, 11.0),
    (8.5, 8.5),
    (8.5, 11.0),
    (8.27, 11.69),
];

/// The rules of a printer.
pub fn rules(p: Printer) -> Rules {
    match p {
        Printer::Kdp => Rules {
            name: "KDP",
            bleed: Length::from_in(0.125),
            caliper: Length::from_in(0.002252),
            paper: "KDP white paper",
            trims: KDP_TRIMS,
            custom: Some(((4.0, 8.5), (6.0, 11.69))),
            gutter: &[
                (150, 0.375),
                (300, 0.5),
                (500, 0.625),
                (700, 0.75),
                (828, 0.875),
            ],
            edges: (0.25, 0.375),
            pages: (24, 828),
            spine_text_pages: 79,
            source: "KDP Help: Paperback submission guidelines (G201834180, G201953020)",
        },
        Printer::IngramSpark => Rules {
            name: "IngramSpark",
            bleed: Length::from_in(0.125),
            caliper: Length::from_in(0.00211),
            paper: "IngramSpark 50lb white",
            trims: POD_TRIMS,
            custom: None,
            gutter: &[(usize::MAX, 0.5)],
            edges: (0.5, 0.5),
            pages: (18, 1200),
            spine_text_pages: 48,
            source: "IngramSpark: File requirements for print books (ingramspark.com/blog/file-requirements-for-print-books)",
        },
        Printer::Lulu => Rules {
            name: "Lulu",
            bleed: Length::from_in(0.125),
            caliper: Length::from_in(0.002252),
            paper: "Lulu 60# white",
            trims: POD_TRIMS,
            custom: None,
            gutter: &[(usize::MAX, 0.5)],
            edges: (0.5, 0.5),
            pages: (32, 800),
            spine_text_pages: 80,
            source: "Lulu Help: Book creation guide (help.lulu.com)",
        },
    }
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 0.011
}

/// Checks the book against its printer's rules; `pages` is the interior's page count.
pub fn preflight(book: &Book, pages: usize) -> Diagnostics {
    let mut d = Diagnostics::new();
    let Some(p) = book.config.pdf.printer else {
        return d;
    };
    let r = rules(p);
    let pdf = &book.config.pdf;
    let file = book
        .sources
        .iter()
        .find(|s| s.path == std::path::Path::new("build.toml"));
    let at = |offset: usize| -> Option<Location> {
        let o = if offset == 0 {
            pdf.spans.printer
        } else {
            offset
        };
        file.map(|f| f.location(o))
    };
    let rule = |what: &str| format!("{}'s rule: {what} ({})", r.name, r.source);

    // Trim size.
    let (w, h) = (pdf.trim_width.inches(), pdf.trim_height.inches());
    let standard = r
        .trims
        .iter()
        .any(|(tw, th)| close(*tw, w) && close(*th, h));
    let custom = r
        .custom
        .is_some_and(|((w0, w1), (h0, h1))| (w0..=w1).contains(&w) && (h0..=h1).contains(&h));
    if !standard && !custom {
        let list: Vec<String> = r.trims.iter().map(|(a, b)| format!("{a}x{b}in")).collect();
        d.error_hint(
            at(pdf.spans.trim),
            format!("{} does not print a {w:.2}x{h:.2}in trim", r.name),
            format!("choose one of {}; {}", list.join(", "), rule("trim sizes")),
        );
    } else if !standard {
        d.warning_hint(
            at(pdf.spans.trim),
            format!("{w:.2}x{h:.2}in is a custom trim for {}: paperback only, and not in every sales channel", r.name),
            rule("custom trims"),
        );
    }

    // Bleed: none, or the printer's.
    let bleed = pdf.bleed.inches();
    if bleed > 0.001 && (bleed - r.bleed.inches()).abs() > 0.002 {
        d.error_hint(
            at(pdf.spans.bleed),
            format!(
                "{} wants a bleed of {}in, not {bleed:.3}in",
                r.name,
                r.bleed.inches()
            ),
            format!(
                "set bleed = \"{}in\", or \"0\" if no picture runs off the page; {}",
                r.bleed.inches(),
                rule("bleed")
            ),
        );
    }

    // The inside margin by page count, the other margins by bleed.
    let m = &pdf.margins;
    if let Some(&(_, need)) = r.gutter.iter().find(|(upto, _)| pages <= *upto)
        && m.inner.inches() + 1e-6 < need
    {
        d.error_hint(
                at(pdf.spans.inner.max(pdf.spans.margins)),
                format!(
                    "the inside margin ({:.3}in) is below the {need}in {} asks for a book of {pages} pages",
                    m.inner.inches(),
                    r.name
                ),
                format!("set margins.inner to at least \"{need}in\"; {}", rule("minimum inside margin by page count")),
            );
    }
    let edge = if bleed > 0.001 { r.edges.1 } else { r.edges.0 };
    for (name, len, span) in [
        ("outside", m.outer, pdf.spans.outer),
        ("top", m.top, pdf.spans.top),
        ("bottom", m.bottom, pdf.spans.bottom),
    ] {
        if len.inches() + 1e-6 < edge {
            d.error_hint(
                at(span.max(pdf.spans.margins)),
                format!(
                    "the {name} margin ({:.3}in) is below the {edge}in {} asks for{}",
                    len.inches(),
                    r.name,
                    if bleed > 0.001 { " with bleed" } else { "" }
                ),
                format!(
                    "set margins.{} to at least \"{edge}in\"; {}",
                    if name == "outside" { "outer" } else { name },
                    rule("minimum margins")
                ),
            );
        }
    }

    // Page count.
    let (least, most) = r.pages;
    if pages > most {
        d.error_hint(
            at(pdf.spans.printer),
            format!("the interior has {pages} pages; {} prints at most {most} on this paper", r.name),
            format!(
                "choose a larger trim, a smaller font_size or narrower margins, or publish the book in {} volumes; {}",
                pages.div_ceil(most),
                rule("page count")
            ),
        );
    } else if pages < least {
        d.error_hint(
            at(pdf.spans.printer),
            format!("the interior has {pages} pages; {} prints at least {least}", r.name),
            format!("add pages (a larger type size or a smaller trim), or choose a printer for short books; {}", rule("page count")),
        );
    }

    // The back cover's barcode zone: the generated cover keeps it clear; an author's back
    // cover must too.
    if p == Printer::Kdp && book.config.book.isbn_print.is_none() && book.covers.back.is_some() {
        d.warning_hint(
            Some(Location::file("covers/back.jpg")),
            "KDP prints its barcode on the back cover, at the lower right, 2 x 1.2in, 0.25in from the spine and the trim",
            format!("keep that area of the back cover free, or give [book] isbn_print so the cover carries the barcode; {}", rule("barcode")),
        );
    }
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::testing;

    fn messages(d: &Diagnostics) -> Vec<String> {
        d.iter().map(|x| x.render(false)).collect()
    }

    #[test]
    fn the_inside_margin_grows_with_the_page_count() {
        let b = testing::book(
            "[pdf]\ntrim = \"6x9in\"\nbleed = \"0\"\nmargins = { inner = \"0.55in\", outer = \"0.5in\", top = \"0.6in\", bottom = \"0.6in\" }\nprinter = \"kdp\"\n",
            &[("a", "# A\n\nText.\n")],
        );
        assert!(
            preflight(&b.book, 200).is_empty(),
            "{:?}",
            messages(&preflight(&b.book, 200))
        );
        let d = preflight(&b.book, 320);
        let m = messages(&d);
        assert_eq!(d.error_count(), 1, "{m:?}");
        assert!(m[0].contains("build.toml:8:21: error: the inside margin (0.550in) is below the 0.625in KDP asks for a book of 320 pages"), "{m:?}");
        assert!(
            m[0].contains("minimum inside margin by page count"),
            "{m:?}"
        );
    }

    #[test]
    fn page_count_trim_and_bleed() {
        let b = testing::book(
            "[pdf]\ntrim = \"6x9in\"\nprinter = \"kdp\"\n",
            &[("a", "# A\n\nText.\n")],
        );
        // No bleed given: the printer's.
        assert!((b.book.config.pdf.bleed.inches() - 0.125).abs() < 1e-9);
        let m = messages(&preflight(&b.book, 1265));
        assert!(
            m.iter().any(|x| x.contains(
                "build.toml:7:11: error: the interior has 1265 pages; KDP prints at most 828"
            )),
            "{m:?}"
        );
        assert!(m.iter().any(|x| x.contains("2 volumes")), "{m:?}");
        let b = testing::book(
            "[pdf]\ntrim = \"4x5in\"\nbleed = \"3mm\"\nprinter = \"kdp\"\n",
            &[("a", "# A\n\nText.\n")],
        );
        let m = messages(&preflight(&b.book, 100));
        assert!(m.iter().any(|x| x.contains("build.toml:6:8: error: KDP does not print a 4.00x5.00in trim")), "{m:?}");
        assert!(
            m.iter()
                .any(|x| x
                    .contains("build.toml:7:9: error: KDP wants a bleed of 0.125in, not 0.118in")),
            "{m:?}"
        );
    }

    #[test]
    fn ingramspark_asks_for_half_an_inch_all_round() {
        let b = testing::book(
            "[pdf]\ntrim = \"6x9in\"\nmargins = { inner = \"0.75in\", outer = \"0.4in\", top = \"0.6in\", bottom = \"0.6in\" }\nprinter = \"ingramspark\"\n",
            &[("a", "# A\n\nText.\n")],
        );
        let m = messages(&preflight(&b.book, 200));
        assert_eq!(m.len(), 1, "{m:?}");
        assert!(m[0].contains("error: the outside margin (0.400in) is below the 0.5in IngramSpark asks for with bleed"), "{m:?}");
    }

    #[test]
    fn a_printer_picks_its_paper_for_the_spine() {
        let b = testing::book(
            "[pdf]\nprinter = \"ingramspark\"\n",
            &[("a", "# A\n\nText.\n")],
        );
        assert_eq!(b.book.config.cover.printer, Some(Printer::IngramSpark));
        assert!((b.book.config.cover.caliper.inches() - 0.00211).abs() < 1e-9);
        let b = testing::book(
            "[pdf]\nprinter = \"ingramspark\"\n[cover]\npaper = \"cream-50lb\"\n",
            &[("a", "# A\n\nText.\n")],
        );
        assert!((b.book.config.cover.caliper.inches() - 0.0025).abs() < 1e-9);
    }
}
