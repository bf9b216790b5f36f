//! What bookbuild can check itself of a book's accessibility: every picture described, the
//! language set, headings in order, no raw HTML it cannot vouch for, and enough contrast in
//! its own stylesheet. PDF/UA-1 refuses a picture without a description; the EPUB declares
//! EPUB Accessibility 1.1 (WCAG 2.2 AA) only when every check passes.

use crate::diag::{Diagnostics, Location};
use crate::model::{Block, Book, EntryKind, Inline, Pos};

/// The EPUB's conformance statement (EPUB Accessibility 1.1, §4.1).
pub const EPUB_CONFORMANCE: &str = "EPUB Accessibility 1.1 - WCAG 2.2 Level AA";

/// Something in the manuscript that an accessibility check looks at.
enum Found {
    /// A picture with no alternative text.
    NoAlt(Pos),
    /// Raw HTML, whose meaning bookbuild cannot check.
    Html(Pos),
    /// A heading more than one rank below the one before it.
    Skip { at: Pos, from: u8, to: u8 },
}

fn walk(blocks: &[Block], base: u8, prev: &mut u8, out: &mut Vec<Found>) {
    for b in blocks {
        match b {
            Block::Figure(f) if f.alt.trim().is_empty() => out.push(Found::NoAlt(f.pos)),
            Block::Html(h) => out.push(Found::Html(h.pos)),
            Block::Heading(h) => {
                let level = (base + h.level).saturating_sub(1).clamp(1, 6);
                if level > *prev + 1 {
                    out.push(Found::Skip {
                        at: h.pos,
                        from: *prev,
                        to: level,
                    });
                }
                *prev = level;
                inlines(&h.inlines, h.pos, out);
            }
            Block::Para(p) => inlines(&p.inlines, p.pos, out),
            Block::Quote(q) => walk(q, base, prev, out),
            Block::List(l) => l.items.iter().for_each(|i| walk(i, base, prev, out)),
            _ => {}
        }
    }
}

fn inlines(inl: &[Inline], pos: Pos, out: &mut Vec<Found>) {
    for i in inl {
        match i {
            Inline::Image(_, alt) if alt.trim().is_empty() => out.push(Found::NoAlt(pos)),
            Inline::Html(_) if !out.iter().any(|f| matches!(f, Found::Html(p) if *p == pos)) => {
                out.push(Found::Html(pos));
            }
            _ => {}
        }
    }
}

fn survey(book: &Book) -> Vec<Found> {
    let mut out = Vec::new();
    for e in &book.entries {
        if let EntryKind::Document(d) = &e.kind {
            let base = (e.depth + 1).min(6);
            let mut prev = base;
            walk(&d.blocks, base, &mut prev, &mut out);
        }
    }
    out
}

/// PDF/UA-1's rules bookbuild checks before writing: every picture has alternative text.
pub fn pdf_ua(book: &Book) -> Diagnostics {
    let mut d = Diagnostics::new();
    for f in survey(book) {
        if let Found::NoAlt(pos) = f {
            d.error_hint(
                Some(book.location(pos)),
                "this picture has no alternative text, which PDF/UA-1 requires",
                "say what it shows between the brackets: ![A white rabbit looking at his watch](pictures/rabbit.png)",
            );
        }
    }
    d
}

/// Whether the EPUB may declare EPUB Accessibility 1.1 conformance; when it may not, a
/// warning for each reason (none when `[epub] accessibility_claim = false`).
pub fn epub_claim(book: &Book) -> (bool, Diagnostics) {
    claim_with(book, crate::epub::CSS)
}

fn claim_with(book: &Book, css: &str) -> (bool, Diagnostics) {
    let mut d = Diagnostics::new();
    if !book.config.epub.accessibility_claim {
        return (false, d);
    }
    let why = "so the EPUB does not declare EPUB Accessibility 1.1 conformance";
    let off = "or set [epub] accessibility_claim = false to stop checking";
    if book.config.book.language.trim().is_empty() {
        d.warning_hint(
            Some(Location::file("build.toml")),
            format!("the book has no language, {why}"),
            format!("set [book] language; {off}"),
        );
    }
    let mut html_told = false;
    for f in survey(book) {
        match f {
            Found::NoAlt(pos) => d.warning_hint(
                Some(book.location(pos)),
                format!("a picture without alternative text, {why}"),
                format!("say what it shows between the brackets of ![…](…); {off}"),
            ),
            Found::Html(pos) if !html_told => {
                html_told = true;
                d.warning_hint(
                    Some(book.location(pos)),
                    format!("raw HTML, whose accessibility bookbuild cannot check, {why}"),
                    format!("write it in Markdown, or check it yourself and declare conformance by hand; {off}"),
                );
            }
            Found::Html(_) => {}
            Found::Skip { at, from, to } => d.warning_hint(
                Some(book.location(at)),
                format!("a heading of rank {to} after one of rank {from}: headings must not skip a rank, {why}"),
                format!("use one more # less (or add the missing level); {off}"),
            ),
        }
    }
    if let Err(e) = css_contrast(css) {
        d.warning(None, format!("the stylesheet {e}, {why}"));
    }
    (d.is_empty(), d)
}

/// Every explicit text colour of the stylesheet against white (the reading system's page):
/// WCAG 2.2 1.4.3 asks for 4.5:1.
pub fn css_contrast(css: &str) -> Result<(), String> {
    for decl in css.split([';', '{', '}']) {
        let Some((prop, value)) = decl.split_once(':') else {
            continue;
        };
        if prop.trim() != "color" {
            continue;
        }
        let v = value.trim().trim_end_matches("!important").trim();
        let Some(rgb) = hex_colour(v) else { continue };
        let ratio = contrast(rgb, [255, 255, 255]);
        if ratio < 4.5 {
            return Err(format!(
                "sets text in {v}, {ratio:.1}:1 against white (4.5:1 needed)"
            ));
        }
    }
    Ok(())
}

fn hex_colour(v: &str) -> Option<[u8; 3]> {
    let h = v.strip_prefix('#')?;
    let n = |s: &str| u8::from_str_radix(s, 16).ok();
    match h.len() {
        3 => {
            let d: Vec<u8> = h
                .chars()
                .map(|c| n(&format!("{c}{c}")))
                .collect::<Option<_>>()?;
            Some([d[0], d[1], d[2]])
        }
        6 => Some([n(&h[0..2])?, n(&h[2..4])?, n(&h[4..6])?]),
        _ => None,
    }
}

/// WCAG's contrast ratio of two sRGB colours.
fn contrast(a: [u8; 3], b: [u8; 3]) -> f64 {
    let lum = |c: [u8; 3]| {
        let ch = |x: u8| {
            let s = f64::from(x) / 255.0;
            if s <= 0.04045 {
                s / 12.92
            } else {
                ((s + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * ch(c[0]) + 0.7152 * ch(c[1]) + 0.0722 * ch(c[2])
    };
    let (la, lb) = (lum(a), lum(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::testing;

    #[test]
    fn contrast_is_wcags() {
        assert!((contrast([0, 0, 0], [255, 255, 255]) - 21.0).abs() < 0.01);
        assert!(css_contrast("p { color: #222; } a { color: inherit }").is_ok());
        let e = css_contrast("p.faint { color: #aaaaaa }").unwrap_err();
        assert!(e.contains("2.3:1"), "{e}");
    }

    #[test]
    fn the_claim_rests_on_alt_text_headings_and_html() {
        let good = testing::book("", &[("a", "# A\n\nText.\n\n## B\n\nMore.\n")]);
        let (claim, d) = claim_with(&good.book, "");
        assert!(claim && d.is_empty());
        let bad = testing::book("", &[("a", "# A\n\n#### Deep\n\nText <span>raw</span>.\n")]);
        let (claim, d) = claim_with(&bad.book, "");
        assert!(!claim);
        let m: Vec<String> = d.iter().map(|x| x.render(false)).collect();
        assert!(
            m.iter()
                .any(|x| x.contains("a.md:3:1: warning: a heading of rank 4 after one of rank 1")),
            "{m:?}"
        );
        assert!(m.iter().any(|x| x.contains("raw HTML")), "{m:?}");
        let off = testing::book(
            "[epub]\naccessibility_claim = false\n",
            &[("a", "# A\n\n#### Deep\n")],
        );
        assert_eq!(claim_with(&off.book, "").1.len(), 0);
    }
}
