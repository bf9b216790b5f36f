//! The title page and its verso, the copyright page, generated from build.toml.

use super::pages::{Frame, place_line};
use super::paragraph::{self, Align, Line, ParaStyle, Tools};
use crate::display::Page;
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
        place_line(page, line, left, y);
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
            place_line(page, line, left, y);
            y += leading;
        }
        y += leading * 0.5;
    }
}
