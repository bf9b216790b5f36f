//! The wrap cover: the cover's display list drawn on one page in CMYK.

use std::num::NonZeroU32;

use krilla::Document;
use krilla::color::cmyk;
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::page::{NumberingStyle, PageLabel, PageSettings};
use krilla::paint::{Fill, FillRule};

use super::shared::{Fonts, glyphs, image};
use crate::display::{CoverItem, CoverSheet, Face, Paint};
use crate::model::Book;

fn fill(p: Paint) -> Fill {
    Fill {
        paint: cmyk::Color::new(p.cmyk[0], p.cmyk[1], p.cmyk[2], p.cmyk[3]).into(),
        ..Default::default()
    }
}

/// Writes the wrap cover: one page, its TrimBox inside the bleed.
pub fn write_cover(
    book: &Book,
    sheet: &CoverSheet,
    faces: &[Face],
    time: crate::model::Timestamp,
) -> Result<Vec<u8>, String> {
    let (w, h, b) = (sheet.width as f32, sheet.height as f32, sheet.bleed as f32);
    let mut doc = if super::shared::for_press(book) {
        Document::new_with(super::shared::settings(book, true)?)
    } else {
        Document::new()
    };
    let settings = PageSettings::from_wh(w, h)
        .ok_or("the cover has no size")?
        .with_trim_box(Rect::from_xywh(b, b, w - 2.0 * b, h - 2.0 * b))
        .with_bleed_box(Rect::from_xywh(0.0, 0.0, w, h))
        .with_page_label(PageLabel::new(
            Some(NumberingStyle::Arabic),
            Some("Cover ".into()),
            NonZeroU32::new(1),
        ));
    let mut page = doc.start_page_with(settings);
    let mut s = page.surface();
    let mut fonts_used = Fonts::new(faces);
    for item in &sheet.items {
        match item {
            CoverItem::Rect { x, y, w, h, paint } => {
                let mut pb = PathBuilder::new();
                if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                    pb.push_rect(r);
                }
                if let Some(path) = pb.finish() {
                    s.set_fill(Some(fill(*paint)));
                    s.draw_path(&path);
                }
            }
            CoverItem::Text {
                run,
                x,
                y,
                paint,
                rotated,
            } => {
                let font = fonts_used.get(run.face)?;
                let glyphs = glyphs(run);
                s.set_fill(Some(fill(*paint)));
                // Spine text turns a quarter clockwise about its origin.
                if *rotated {
                    s.push_transform(&Transform::from_rotate_at(90.0, *x, *y));
                }
                s.draw_glyphs(
                    Point::from_xy(*x, *y),
                    &glyphs,
                    font,
                    &run.text,
                    run.size,
                    false,
                );
                if *rotated {
                    s.pop();
                }
            }
            CoverItem::Picture { image, x, y, w, h } => {
                let img = self::image(book, image)?;
                // Scale to cover the area, centred, and clip: cropped to fill, never stretched.
                let k = (*w / image.width as f32).max(*h / image.height as f32);
                let (dw, dh) = (image.width as f32 * k, image.height as f32 * k);
                let mut clip = PathBuilder::new();
                if let Some(r) = Rect::from_xywh(*x, *y, *w, *h) {
                    clip.push_rect(r);
                }
                if let (Some(path), Some(size)) = (clip.finish(), Size::from_wh(dw, dh)) {
                    s.push_clip_path(&path, &FillRule::NonZero);
                    s.push_transform(&Transform::from_translate(
                        x + (w - dw) / 2.0,
                        y + (h - dh) / 2.0,
                    ));
                    s.draw_image(img, size);
                    s.pop();
                    s.pop();
                }
            }
        }
    }
    s.finish();
    page.finish();
    let b = &book.config.book;
    doc.set_metadata(
        krilla::metadata::Metadata::new()
            .title(format!("{} — cover", b.title))
            .authors(b.authors.clone())
            .creator("bookbuild".to_string())
            .producer(format!("bookbuild {}", env!("CARGO_PKG_VERSION"))),
    );
    let bytes = doc
        .finish()
        .map_err(|e| format!("the cover PDF cannot be written: {e:?}"))?;
    super::pdfx::complete(bytes, book, time, false)
}
