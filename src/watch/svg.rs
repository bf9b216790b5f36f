//! A page of the display list as SVG for the preview: real text (searchable, copyable) in the
//! book's own fonts, each glyph cluster at the x the typesetter gave it, with the rules and
//! pictures. It reads only the display list, like the PDF writer.

use std::fmt::Write as _;

use crate::display::{Document, PItem, Page, Run};
use crate::model::xml::escape;

/// The CSS font family a face is served under.
pub fn family(face: u16) -> String {
    format!("bb-face-{face}")
}

/// `@font-face` rules for every face, loading from `/font/{i}`.
pub fn font_faces(doc: &Document) -> String {
    let mut s = String::new();
    for i in 0..doc.faces.len() {
        let _ = writeln!(
            s,
            "@font-face {{ font-family: '{}'; src: url('/font/{i}'); }}",
            family(i as u16)
        );
    }
    s
}

/// Page `page` as an SVG element `w` × `h` points (the trim). `standalone` adds the XML
/// namespace and the font rules, for `/page/{i}.svg`.
pub fn page(doc: &Document, page: &Page, w: f64, h: f64, standalone: bool) -> String {
    let mut s = String::with_capacity(page.items.len() * 120);
    let _ = write!(
        s,
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w:.2} {h:.2}\" width=\"{w:.2}\" height=\"{h:.2}\">"
    );
    if standalone {
        let _ = write!(s, "<style>{}</style>", font_faces(doc));
    }
    s.push_str("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>");
    for item in &page.items {
        match item {
            PItem::Text { run, x, y } => text(&mut s, run, *x, *y),
            PItem::Rule {
                x0,
                x1,
                y,
                thickness,
            } => {
                let _ = write!(
                    s,
                    "<line x1=\"{x0:.2}\" y1=\"{y:.2}\" x2=\"{x1:.2}\" y2=\"{y:.2}\" stroke=\"black\" stroke-width=\"{thickness:.2}\"/>"
                );
            }
            PItem::Image { image, x, y, w, h } => {
                let _ = write!(
                    s,
                    "<image href=\"/image/{image}\" x=\"{x:.2}\" y=\"{y:.2}\" width=\"{w:.2}\" height=\"{h:.2}\" preserveAspectRatio=\"none\"/>"
                );
            }
        }
    }
    s.push_str("</svg>");
    s
}

/// A run as one `<text>`: an x for every character, so each cluster stands where the
/// typesetter put it (the characters of a ligature share its advance).
fn text(s: &mut String, run: &Run, x: f32, y: f32) {
    if run.text.trim().is_empty() {
        return;
    }
    let mut xs: Vec<f32> = Vec::with_capacity(run.text.len());
    let mut pen = x;
    let mut done = 0usize;
    for ((_, advance, x_offset, _), range) in run.placed().zip(run.ranges()) {
        let (a, b) = (range.start as usize, range.end as usize);
        let advance = advance.at(run.size);
        if a >= done && b > a && b <= run.text.len() {
            let n = run.text[a..b].chars().count().max(1);
            for k in 0..n {
                xs.push(pen + x_offset.at(run.size) + advance * k as f32 / n as f32);
            }
            done = b;
        }
        pen += advance;
    }
    let chars = run.text.chars().count();
    while xs.len() < chars {
        xs.push(pen);
    }
    let list: Vec<String> = xs.iter().map(|v| format!("{v:.2}")).collect();
    let _ = write!(
        s,
        "<text x=\"{}\" y=\"{:.2}\" font-family=\"{}\" font-size=\"{:.2}\" xml:space=\"preserve\">{}</text>",
        list.join(" "),
        y,
        family(run.face),
        run.size,
        escape(&run.text)
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::{Em, RunGlyphs, Structure};

    #[test]
    fn a_run_is_real_text_with_each_cluster_in_place() {
        let run = Run {
            face: 1,
            size: 10.0,
            x: 0.0,
            rise: 0.0,
            glyphs: {
                let mut g = RunGlyphs::with_capacity(2);
                g.push(1, Em(0.5), 0);
                g.push(2, Em(0.3), 2);
                g.finish(Vec::new()).0
            },
            text: "fi<".into(),
            extras: None,
        };
        let doc = Document {
            pages: vec![],
            outline: vec![],
            faces: vec![],
            structure: Structure::default(),
            store: None,
        };
        use crate::display::{Numbering, Page, PageKind};
        let mut p = Page {
            items: vec![PItem::Text {
                run,
                x: 10.0,
                y: 20.0,
            }],
            ..Page::empty(Numbering::Arabic, 1, true, PageKind::Body)
        };
        let svg = page(&doc, &p, 100.0, 200.0, false);
        assert!(svg.contains("<text x=\"10.00 12.50 15.00\" y=\"20.00\" font-family=\"bb-face-1\" font-size=\"10.00\" xml:space=\"preserve\">fi&lt;</text>"), "{svg}");
        p.items.clear();
        assert!(!page(&doc, &p, 100.0, 200.0, false).contains("<text"));
    }
}
