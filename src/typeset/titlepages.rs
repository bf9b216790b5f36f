//! The title page and its verso, the copyright page, generated from build.toml.

use super::pages::{Frame, place_line};
use super::paragraph::{self, Align, Line, ParaStyle, Tools};
use crate::display::{LineRole, PLine, Page};
use crate::fonts::Style;
use crate::model::Book;

fn centred(
    page: &mut Page,
    frame: &Frame,
    tools: &mut Tools<'_>,
    text: &str,
    size: f64,
    base: Style,
    y: f64,
) -> f64 {
    let style = ParaStyle::plain(size, frame.design.measure, Align::Center, base);
    let mut y = y;
    let left = frame.left(page.recto);
    for line in paragraph::layout_text(text, &style, tools) {
        place_line(page, &line, left, y);
        generated_line(page, y);
        y += size * 1.3;
    }
    y
}

/// The title page: the title a fifth down, subtitle, authors, editor, and the publisher at
/// the foot.
pub(crate) fn title_page(book: &Book, page: &mut Page, frame: &Frame, tools: &mut Tools<'_>) {
    let b = &book.config.book;
    let s = frame.design.size;
    let mut y = frame.top + frame.design.text_height * frame.design.opening_sink;
    y = centred(page, frame, tools, &b.title, s * 2.2, Style::Regular, y);
    if let Some(sub) = &b.subtitle {
        y = centred(page, frame, tools, sub, s * 1.3, Style::Italic, y + s * 0.8);
    }
    y += s * 3.0;
    for a in &b.authors {
        y = centred(page, frame, tools, a, s * 1.4, Style::Regular, y);
    }
    if let Some(ed) = &b.editor {
        centred(
            page,
            frame,
            tools,
            &format!("Edited by {ed}"),
            s * 1.1,
            Style::Italic,
            y + s,
        );
    }
    if let Some(p) = &b.publisher {
        centred(
            page,
            frame,
            tools,
            p,
            s * 1.1,
            Style::Regular,
            frame.top + frame.design.text_height - s,
        );
    }
    page.dests.push(("titlepage".into(), frame.top as f32));
}

/// The copyright page: the book's particulars in small type at the foot of the verso.
pub(crate) fn copyright_page(book: &Book, page: &mut Page, frame: &Frame, tools: &mut Tools<'_>) {
    let b = &book.config.book;
    let d = &frame.design;
    let size = d.size * d.copyright_scale;
    let leading = d.leading * d.copyright_scale;
    let mut paras: Vec<Vec<crate::model::Inline>> = Vec::new();
    use crate::model::Inline::{Emph, Text};
    let mut first = vec![Emph(vec![Text(b.title.clone())])];
    if let Some(sub) = &b.subtitle {
        first.push(Text(format!(": {sub}")));
    }
    paras.push(first);
    paras.push(vec![Text(b.authors.join(", "))]);
    if let Some(r) = &b.rights {
        paras.push(vec![Text(r.clone())]);
    }
    if let Some(p) = &b.publisher {
        paras.push(vec![Text(format!("Published by {p}"))]);
    }
    if let Some(d) = &b.date {
        paras.push(vec![Text(format!(
            "First published {}",
            crate::model::human_date(d)
        ))]);
    }
    if let Some(i) = &b.isbn_print_label {
        paras.push(vec![Text(format!("ISBN {} (print)", i))]);
    }
    if let Some(i) = &b.isbn_epub_label {
        paras.push(vec![Text(format!("ISBN {} (EPUB)", i))]);
    }
    paras.push(vec![Text(format!(
        "Set in {} with bookbuild.",
        book.config.fonts.body
    ))]);
    let style = ParaStyle::plain(size, frame.design.measure, Align::Left, Style::Regular);
    let mut set: Vec<Vec<Line>> = paras
        .iter()
        .map(|p| paragraph::layout(p, &style, tools))
        .collect();
    let lines: usize = set.iter().map(Vec::len).sum();
    let total = lines as f64 * leading + (set.len() as f64 - 1.0) * leading * 0.5;
    let mut y = frame.top + d.text_height - total + d.baseline(leading);
    let left = frame.left(page.recto);
    for p in set.drain(..) {
        for line in p {
            place_line(page, &line, left, y);
            generated_line(page, y);
            y += leading;
        }
        y += leading * 0.5;
    }
}

/// Records a generated line set at baseline `y`.
fn generated_line(page: &mut Page, y: f64) {
    page.lines.push(PLine {
        baseline: y as f32,
        bottom: y as f32,
        role: LineRole::Generated,
        point: None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::{PItem, PageKind};
    use crate::typeset::testing;

    fn page(recto: bool) -> Page {
        Page::empty(crate::display::Numbering::Roman, 1, recto, PageKind::Title)
    }

    fn frame() -> Frame {
        Frame {
            top: 50.0,
            inner: 60.0,
            outer: 40.0,
            design: testing::design(),
        }
    }

    #[test]
    fn the_title_is_centred_a_fifth_down_the_page() {
        let b = testing::book("publisher = \"The Press\"\n", &[("a", "# A\n\nText.\n")]);
        let mut t = testing::tools(&[]);
        let mut p = page(true);
        let f = frame();
        title_page(&b.book, &mut p, &f, &mut t);
        let PItem::Text { run, x, y } = &p.items[0] else {
            panic!("the title comes first")
        };
        assert_eq!(&*run.text, "Test");
        let centre = x + run.width() / 2.0;
        let mid = (f.inner + f.design.measure / 2.0) as f32;
        assert!((centre - mid).abs() < 0.5, "{centre} against {mid}");
        let depth = (*y as f64 - f.top) / f.design.text_height;
        assert!((0.15..0.3).contains(&depth), "{depth}");
        // The publisher stands at the foot.
        let last = p.lines.last().unwrap();
        assert!(f64::from(last.baseline) > f.top + f.design.text_height * 0.9);
        assert!(p.dests.iter().any(|(id, _)| id == "titlepage"));
    }

    #[test]
    fn the_copyright_lines_sit_at_the_foot_of_the_verso() {
        let b = testing::book(
            "rights = \"© 2026 A. Tester\"\ndate = \"2026-03\"\n",
            &[("a", "# A\n\nText.\n")],
        );
        let mut t = testing::tools(&[]);
        let mut p = page(false);
        let f = frame();
        copyright_page(&b.book, &mut p, &f, &mut t);
        let texts: Vec<&str> = p
            .items
            .iter()
            .filter_map(|i| match i {
                PItem::Text { run, .. } => Some(&*run.text),
                _ => None,
            })
            .collect();
        let all = texts.join("");
        assert!(all.contains("First published March 2026"), "{all}");
        assert!(all.contains("© 2026 A. Tester"));
        let bottom = p.lines.iter().map(|l| l.baseline).fold(0.0f32, f32::max);
        let foot = (f.top + f.design.text_height) as f32;
        assert!(
            foot - bottom < f.design.leading as f32,
            "{bottom} against {foot}"
        );
        // Flush left at the verso's outer margin.
        for i in &p.items {
            if let PItem::Text { x, .. } = i {
                assert!(*x >= f.outer as f32 - 0.01);
            }
        }
    }
}
