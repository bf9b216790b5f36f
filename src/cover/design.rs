//! What goes on a cover, in points: backgrounds, text, pictures and the barcode. The same
//! design is drawn as vectors into the print cover and rasterized for the EPUB.

use crate::display::{CoverItem as Item, Paint};
use crate::fonts::Style;
use crate::model::{Block, Book, ImageInfo};
use crate::typeset::design::UNBOUNDED;
use crate::typeset::paragraph::{self, Align, Line, ParaStyle, Tools};

/// A deep blue-grey field.
pub(crate) const FIELD: Paint = Paint {
    rgb: [31, 45, 66],
    cmyk: [209, 145, 77, 115],
};
/// Warm off-white text.
pub(crate) const INK: Paint = Paint {
    rgb: [244, 237, 222],
    cmyk: [0, 8, 23, 10],
};
pub(crate) const WHITE: Paint = Paint {
    rgb: [255, 255, 255],
    cmyk: [0, 0, 0, 0],
};
pub(crate) const BLACK: Paint = Paint {
    rgb: [0, 0, 0],
    cmyk: [0, 0, 0, 255],
};

/// Lines of text in a box, one colour.
fn text_lines(
    out: &mut Vec<Item>,
    lines: Vec<Line>,
    x: f64,
    mut y: f64,
    leading: f64,
    paint: Paint,
) -> f64 {
    for l in lines {
        for r in l.runs {
            let rx = (x + f64::from(r.x)) as f32;
            out.push(Item::Text {
                run: r,
                x: rx,
                y: y as f32,
                paint,
                rotated: false,
            });
        }
        y += leading;
    }
    y
}

/// The generated front: the field to the edges of the bleed, then title, subtitle and authors.
/// (x, y) is the trim corner of the front panel, `bleed` how far the field runs past it.
#[allow(clippy::too_many_arguments)]
pub(crate) fn front(
    book: &Book,
    tools: &mut Tools<'_>,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    bleed: f64,
    out: &mut Vec<Item>,
) {
    let b = &book.config.book;
    out.push(Item::Rect {
        x: (x - bleed) as f32,
        y: (y - bleed) as f32,
        w: (w + 2.0 * bleed) as f32,
        h: (h + 2.0 * bleed) as f32,
        paint: FIELD,
    });
    let measure = w * 0.78;
    let left = x + (w - measure) / 2.0;
    let title_size = (w / 9.0).clamp(18.0, 60.0);
    let lines = paragraph::layout_text(
        &b.title,
        &ParaStyle::plain(title_size, measure, Align::Center, Style::Regular),
        tools,
    );
    let mut ty = y + h * 0.24;
    ty = text_lines(out, lines, left, ty, title_size * 1.2, INK);
    if let Some(sub) = &b.subtitle {
        let s = title_size * 0.5;
        let lines = paragraph::layout_text(
            sub,
            &ParaStyle::plain(s, measure, Align::Center, Style::Italic),
            tools,
        );
        ty = text_lines(out, lines, left, ty + s * 0.6, s * 1.25, INK);
    }
    // A short rule under the title.
    let rule_w = (w * 0.18) as f32;
    out.push(Item::Rect {
        x: (x + w / 2.0) as f32 - rule_w / 2.0,
        y: (ty + title_size * 0.3) as f32,
        w: rule_w,
        h: (title_size / 30.0).max(0.8) as f32,
        paint: INK,
    });
    let author_size = title_size * 0.55;
    let lines = paragraph::layout_text(
        &b.authors.join(", "),
        &ParaStyle::plain(author_size, measure, Align::Center, Style::Regular),
        tools,
    );
    text_lines(out, lines, left, y + h * 0.8, author_size * 1.25, INK);
}

/// The back: the field, the back text, and a white box with the ISBN barcode.
#[allow(clippy::too_many_arguments)]
pub(crate) fn back(
    book: &Book,
    tools: &mut Tools<'_>,
    x: f64,
    y: f64,
    w: f64,
    h: f64,
    bleed: f64,
    picture: Option<&ImageInfo>,
    out: &mut Vec<Item>,
) {
    match picture {
        Some(img) => out.push(Item::Picture {
            image: img.clone(),
            x: (x - bleed) as f32,
            y: (y - bleed) as f32,
            w: (w + bleed) as f32,
            h: (h + 2.0 * bleed) as f32,
        }),
        None => {
            out.push(Item::Rect {
                x: (x - bleed) as f32,
                y: (y - bleed) as f32,
                w: (w + bleed) as f32,
                h: (h + 2.0 * bleed) as f32,
                paint: FIELD,
            });
            let margin = (w * 0.12).max(36.0);
            // The barcode's place (the printer's or ours) stays clear: the text stops above it.
            let reserved = if book.config.cover.printer == Some(crate::model::Printer::Kdp)
                || book.config.book.isbn_print.is_some()
            {
                BARCODE_ZONE_HEIGHT
            } else {
                margin
            };
            back_text(
                book,
                tools,
                x + margin,
                y + margin,
                w - 2.0 * margin,
                h - margin - reserved,
                (w / 38.0).clamp(9.0, 13.0),
                out,
            );
        }
    }
    if let Some(isbn) = &book.config.book.isbn_print {
        let label = book.config.book.isbn_print_label.as_deref().unwrap_or(isbn);
        barcode(
            out,
            isbn,
            label,
            x + w - 0.5 * 72.0,
            y + h - 0.5 * 72.0,
            tools,
        );
    }
}

/// How far up from the trim the back's barcode zone reaches: KDP's 1.2in box 0.25in from the
/// bottom (our own ISBN box is about as high), and a quarter inch of air above it.
const BARCODE_ZONE_HEIGHT: f64 = 1.75 * 72.0;

/// The back text in a box `measure` wide and `room` high from (x, y): at `size`, or smaller
/// (down to 7pt) when it would not fit.
#[allow(clippy::too_many_arguments)]
fn back_text(
    book: &Book,
    tools: &mut Tools<'_>,
    x: f64,
    y: f64,
    measure: f64,
    room: f64,
    mut size: f64,
    out: &mut Vec<Item>,
) {
    loop {
        let set: Vec<Vec<Line>> = book
            .back_cover_blocks
            .iter()
            .filter_map(|blk| match blk {
                Block::Para(p) => Some(paragraph::layout(
                    &p.inlines,
                    &ParaStyle::plain(size, measure, Align::Justify, Style::Regular),
                    tools,
                )),
                _ => None,
            })
            .collect();
        let lines: usize = set.iter().map(Vec::len).sum();
        let height = lines as f64 * size * 1.35 + set.len() as f64 * size * 0.6;
        if height <= room || size <= 7.0 {
            let mut ty = y + size;
            for lines in set {
                ty = text_lines(out, lines, x, ty, size * 1.35, INK) + size * 0.6;
            }
            return;
        }
        size -= 0.5;
    }
}

/// The spine: title and author reading top to bottom, centred across the spine.
pub(crate) fn spine(
    book: &Book,
    tools: &mut Tools<'_>,
    x: f64,
    y: f64,
    spine_w: f64,
    h: f64,
    out: &mut Vec<Item>,
) {
    let size = (spine_w * 0.32).clamp(6.0, 22.0);
    let title = paragraph::layout_text(
        &book.config.book.title,
        &ParaStyle::plain(size, UNBOUNDED, Align::Left, Style::Regular),
        tools,
    );
    let author = paragraph::layout_text(
        &book.config.book.authors.join(", "),
        &ParaStyle::plain(size * 0.85, UNBOUNDED, Align::Left, Style::Italic),
        tools,
    );
    let (Some(title), Some(author)) = (title.into_iter().next(), author.into_iter().next()) else {
        return;
    };
    let gap = size * 2.0;
    let mut title = title;
    // A title too long for the spine is shortened.
    let room = h * 0.9 - f64::from(author.width) - gap;
    if f64::from(title.width) > room {
        let mut words: Vec<&str> = book.config.book.title.split_whitespace().collect();
        while words.len() > 1 {
            words.pop();
            let t = format!("{}…", words.join(" "));
            if let Some(l) = paragraph::layout_text(
                &t,
                &ParaStyle::plain(size, UNBOUNDED, Align::Left, Style::Regular),
                tools,
            )
            .into_iter()
            .next()
                && f64::from(l.width) <= room
            {
                title = l;
                break;
            }
        }
    }
    let total = f64::from(title.width) + gap + f64::from(author.width);
    // Rotated a quarter clockwise: x along the text runs down the spine; the baseline sits a
    // little right of the spine's centre so the letters are centred across it.
    let base_x = x + spine_w / 2.0 - size * 0.33;
    let mut along = y + (h - total) / 2.0;
    for (line, paint) in [(title, INK), (author, INK)] {
        let w = f64::from(line.width);
        for r in line.runs {
            let offset = f64::from(r.x);
            out.push(Item::Text {
                run: r,
                x: base_x as f32,
                y: (along + offset) as f32,
                paint,
                rotated: true,
            });
        }
        along += w + gap;
    }
}

/// The ISBN-13 as an EAN-13 symbol in a white box whose bottom-right corner is at
/// (right, bottom): bars drawn as rectangles, digits under them, "ISBN …" above.
fn barcode(
    out: &mut Vec<Item>,
    isbn: &str,
    printed: &str,
    right: f64,
    bottom: f64,
    tools: &mut Tools<'_>,
) {
    let Some((modules, guards)) = super::ean13::modules(isbn) else {
        return;
    };
    // 100% magnification: a module is 0.33 mm; the bars 22.85 mm high.
    let m = 0.33 * 72.0 / 25.4;
    let bar_h = 22.85 * 72.0 / 25.4 * 0.8;
    let quiet_l = 11.0 * m;
    let quiet_r = 7.0 * m;
    let digit_size = 8.0;
    let label_size = 8.0;
    let box_w = quiet_l + 95.0 * m + quiet_r;
    let box_h = label_size * 1.8 + bar_h + digit_size * 1.6;
    let bx = right - box_w;
    let by = bottom - box_h;
    out.push(Item::Rect {
        x: bx as f32,
        y: by as f32,
        w: box_w as f32,
        h: box_h as f32,
        paint: WHITE,
    });
    let label = format!("ISBN {printed}");
    let st = ParaStyle::plain(label_size, box_w, Align::Center, Style::Regular);
    text_lines(
        out,
        paragraph::layout_text(&label, &st, tools),
        bx,
        by + label_size * 1.25,
        label_size,
        BLACK,
    );
    let top = by + label_size * 1.8;
    let x0 = bx + quiet_l;
    let mut k = 0;
    while k < modules.len() {
        if modules[k] {
            let mut e = k;
            while e < modules.len() && modules[e] && guards[e] == guards[k] {
                e += 1;
            }
            let h = if guards[k] {
                bar_h + digit_size * 0.5
            } else {
                bar_h
            };
            out.push(Item::Rect {
                x: (x0 + k as f64 * m) as f32,
                y: top as f32,
                w: ((e - k) as f64 * m) as f32,
                h: h as f32,
                paint: BLACK,
            });
            k = e;
        } else {
            k += 1;
        }
    }
    // Human-readable digits: the first outside the symbol, then two groups of six.
    let dst = |w| ParaStyle::plain(digit_size, w, Align::Center, Style::Regular);
    let base = top + bar_h + digit_size * 1.05;
    let groups = [
        (&isbn[0..1], x0 - 8.0 * m, 7.0 * m),
        (&isbn[1..7], x0 + 3.0 * m, 42.0 * m),
        (&isbn[7..13], x0 + 50.0 * m, 42.0 * m),
    ];
    for (digits, gx, gw) in groups {
        text_lines(
            out,
            paragraph::layout_text(digits, &dst(gw), tools),
            gx,
            base,
            digit_size,
            BLACK,
        );
    }
}
