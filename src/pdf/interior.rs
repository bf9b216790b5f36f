//! The interior: the display list's pages with their boxes (MediaBox = trim + bleed, TrimBox,
//! BleedBox), page labels, a nested outline, named destinations, links and metadata.

use std::collections::HashMap;
use std::num::NonZeroU32;

use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::{cmyk, luma};
use krilla::destination::{Destination, NamedDestination, XyzDestination};
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::{NumberingStyle, PageLabel, PageSettings};
use krilla::paint::{Fill, Stroke};

use super::shared::{self, Fonts, glyphs};
use crate::display::{CROP_MARK, CROP_SLUG, Document, Numbering, OutlineItem, PItem};
use crate::model::{Book, LinkTarget, Timestamp};

/// Writes the interior PDF of a typeset book.
pub fn write(book: &Book, doc: &Document, time: Timestamp) -> Result<Vec<u8>, String> {
    let pdf = &book.config.pdf;
    let trim_w = pdf.trim_width.0 as f32;
    let trim_h = pdf.trim_height.0 as f32;
    let bleed = pdf.bleed.0 as f32;
    let slug = if pdf.crop_marks { CROP_SLUG } else { 0.0 };
    let off = bleed + slug;
    let media_w = trim_w + 2.0 * off;
    let media_h = trim_h + 2.0 * off;

    let mut pdf_doc = krilla::Document::new();
    let mut fonts = Fonts::new(&doc.faces);
    let mut images: HashMap<u32, Image> = HashMap::new();

    // Where every named destination is: id → (page, y in media coordinates).
    let mut dests: HashMap<String, (usize, f32)> = HashMap::new();
    for (pi, p) in doc.pages.iter().enumerate() {
        for (id, y) in &p.dests {
            dests.entry(id.clone()).or_insert((pi, y + off));
        }
    }

    for page in &doc.pages {
        let label = PageLabel::new(
            Some(match page.numbering {
                Numbering::Roman => NumberingStyle::LowerRoman,
                Numbering::Arabic => NumberingStyle::Arabic,
            }),
            None,
            NonZeroU32::new(page.number.max(1)),
        );
        let settings = PageSettings::from_wh(media_w, media_h)
            .ok_or("the page size is empty")?
            .with_trim_box(Rect::from_xywh(off, off, trim_w, trim_h))
            .with_bleed_box(Rect::from_xywh(
                slug,
                slug,
                trim_w + 2.0 * bleed,
                trim_h + 2.0 * bleed,
            ))
            .with_page_label(label);
        let mut p = pdf_doc.start_page_with(settings);
        {
            let mut s = p.surface();
            s.set_fill(Some(Fill {
                paint: luma::Color::black().into(),
                ..Default::default()
            }));
            for item in &page.items {
                match item {
                    PItem::Text { run, x, y } => {
                        let font = fonts.get(run.face)?;
                        let glyphs = glyphs(run);
                        s.draw_glyphs(
                            Point::from_xy(x + off, y + off),
                            &glyphs,
                            font,
                            &run.text,
                            run.size,
                            false,
                        );
                    }
                    PItem::Rule {
                        x0,
                        x1,
                        y,
                        thickness,
                    } => {
                        let mut pb = PathBuilder::new();
                        pb.move_to(x0 + off, y + off);
                        pb.line_to(x1 + off, y + off);
                        if let Some(path) = pb.finish() {
                            s.set_fill(None);
                            s.set_stroke(Some(Stroke {
                                paint: luma::Color::black().into(),
                                width: *thickness,
                                ..Default::default()
                            }));
                            s.draw_path(&path);
                            s.set_stroke(None);
                            s.set_fill(Some(Fill {
                                paint: luma::Color::black().into(),
                                ..Default::default()
                            }));
                        }
                    }
                    PItem::Image { image, x, y, w, h } => {
                        let img = match images.get(image) {
                            Some(i) => i.clone(),
                            None => {
                                let i = shared::image(book, &book.images[*image as usize])?;
                                images.insert(*image, i.clone());
                                i
                            }
                        };
                        if let Some(size) = Size::from_wh(*w, *h) {
                            s.push_transform(&Transform::from_translate(x + off, y + off));
                            s.draw_image(img, size);
                            s.pop();
                        }
                    }
                }
            }
            if pdf.crop_marks {
                crop_marks(&mut s, off, trim_w, trim_h, bleed);
            }
            s.finish();
        }
        for l in &page.links {
            let Some(rect) = Rect::from_xywh(l.x + off, l.y + off, l.w.max(1.0), l.h.max(1.0))
            else {
                continue;
            };
            let target = match &l.target {
                LinkTarget::External(url) => {
                    Target::Action(Action::Link(LinkAction::new(url.clone())))
                }
                LinkTarget::Page(n) => Target::Destination(Destination::Xyz(XyzDestination::new(
                    *n,
                    Point::from_xy(0.0, 0.0),
                ))),
                LinkTarget::Internal(id) => match dests.get(id) {
                    Some((page, y)) => {
                        Target::Destination(Destination::Named(NamedDestination::new(
                            id.clone(),
                            XyzDestination::new(*page, Point::from_xy(0.0, *y)),
                        )))
                    }
                    None => continue,
                },
            };
            p.add_annotation(Annotation::new_link(
                LinkAnnotation::new(rect, target),
                None,
            ));
        }
        p.finish();
    }

    let mut names: Vec<(&String, &(usize, f32))> = dests.iter().collect();
    names.sort_by(|a, b| a.0.cmp(b.0));
    for (id, (page, y)) in names {
        let _ = pdf_doc.register_named_destination(NamedDestination::new(
            id.clone(),
            XyzDestination::new(*page, Point::from_xy(0.0, *y)),
        ));
    }
    pdf_doc.set_outline(outline(&doc.outline, off));
    pdf_doc.set_metadata(metadata(book, time));
    pdf_doc
        .finish()
        .map_err(|e| format!("the PDF cannot be written: {e:?}"))
}

/// Crop marks at the four corners, outside the bleed, in registration black.
fn crop_marks(s: &mut krilla::surface::Surface<'_>, off: f32, w: f32, h: f32, bleed: f32) {
    let mut pb = PathBuilder::new();
    let gap = bleed + 2.0;
    for (cx, cy, dx, dy) in [
        (off, off, -1.0, -1.0),
        (off + w, off, 1.0, -1.0),
        (off, off + h, -1.0, 1.0),
        (off + w, off + h, 1.0, 1.0),
    ] {
        // Horizontal mark on the trim line, vertical mark on the other trim line.
        pb.move_to(cx + dx * gap, cy);
        pb.line_to(cx + dx * (gap + CROP_MARK), cy);
        pb.move_to(cx, cy + dy * gap);
        pb.line_to(cx, cy + dy * (gap + CROP_MARK));
    }
    if let Some(path) = pb.finish() {
        s.set_fill(None);
        s.set_stroke(Some(Stroke {
            paint: cmyk::Color::new(255, 255, 255, 255).into(),
            width: 0.25,
            ..Default::default()
        }));
        s.draw_path(&path);
        s.set_stroke(None);
    }
}

fn outline(items: &[OutlineItem], off: f32) -> Outline {
    let mut outline = Outline::new();
    // Build nested nodes from the flat list with depths.
    fn take(items: &[OutlineItem], i: &mut usize, depth: usize, off: f32) -> Vec<OutlineNode> {
        let mut nodes = Vec::new();
        while *i < items.len() && items[*i].depth >= depth {
            if items[*i].depth > depth {
                // A deeper item without a parent at this depth: attach to the last node.
                let children = take(items, i, items[*i].depth, off);
                if let Some(last) = nodes.last_mut() {
                    for c in children {
                        OutlineNode::push_child(last, c);
                    }
                } else {
                    nodes.extend(children);
                }
                continue;
            }
            let it = &items[*i];
            let mut node = OutlineNode::new(
                it.title.clone(),
                XyzDestination::new(it.page, Point::from_xy(0.0, it.y + off)),
            );
            *i += 1;
            if *i < items.len() && items[*i].depth > depth {
                for c in take(items, i, depth + 1, off) {
                    node.push_child(c);
                }
            }
            nodes.push(node);
        }
        nodes
    }
    let mut i = 0;
    for n in take(items, &mut i, 0, off) {
        outline.push_child(n);
    }
    outline
}

fn metadata(book: &Book, time: Timestamp) -> Metadata {
    let b = &book.config.book;
    let (y, mo, d, h, mi, s) = time.civil();
    let date = DateTime::new(y.clamp(0, 9999) as u16)
        .month(mo as u8)
        .day(d as u8)
        .hour(h as u8)
        .minute(mi as u8)
        .second(s as u8)
        .utc_offset_hour(0)
        .utc_offset_minute(0);
    let mut m = Metadata::new()
        .title(b.title.clone())
        .authors(b.authors.clone())
        .language(b.language.clone())
        .creator("bookbuild".to_string())
        .producer(format!("bookbuild {}", env!("CARGO_PKG_VERSION")))
        .creation_date(date);
    if let Some(desc) = &b.description {
        m = m.description(desc.clone());
    }
    m
}
