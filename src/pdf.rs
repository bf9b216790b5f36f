//! Display list → PDF with krilla: subset fonts with ToUnicode (copied text is the
//! manuscript's), page boxes (MediaBox = trim + bleed, TrimBox, BleedBox), page labels, a
//! nested outline, named destinations, links and metadata. No layout decisions here.

use std::collections::HashMap;
use std::num::NonZeroU32;

use krilla::Document;
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
use krilla::text::{Font, GlyphId, KrillaGlyph};

use crate::model::{Book, ImageFormat, ImageInfo, LinkTarget};
use crate::timestamp::Timestamp;
use crate::typeset::Typeset;
use crate::typeset::display::{Numbering, PItem};
use crate::typeset::fonts::{FaceId, FontBook};
use crate::typeset::paragraph::Run;

/// Crop marks stand this far outside the bleed; the media grows to hold them.
const SLUG: f32 = 0.5 * 72.0;
const MARK_LEN: f32 = 0.25 * 72.0;

pub fn write(book: &Book, ts: &Typeset, time: Timestamp) -> Result<Vec<u8>, String> {
    let pdf = &book.config.pdf;
    let trim_w = pdf.trim_width.0 as f32;
    let trim_h = pdf.trim_height.0 as f32;
    let bleed = pdf.bleed.0 as f32;
    let slug = if pdf.crop_marks { SLUG } else { 0.0 };
    let off = bleed + slug;
    let media_w = trim_w + 2.0 * off;
    let media_h = trim_h + 2.0 * off;

    let mut doc = Document::new();
    let mut fonts = Fonts::new(&ts.fonts);
    let mut images: HashMap<u32, Image> = HashMap::new();

    // Where every named destination is: id → (page, y in media coordinates).
    let mut dests: HashMap<String, (usize, f32)> = HashMap::new();
    for (pi, p) in ts.pages.iter().enumerate() {
        for (id, y) in &p.dests {
            dests.entry(id.clone()).or_insert((pi, y + off));
        }
    }

    for page in &ts.pages {
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
        let mut p = doc.start_page_with(settings);
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
                                let i = self::image(book, &book.images[*image as usize])?;
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
                LinkTarget::Internal(id) => {
                    if let Some(n) = id
                        .strip_prefix("\u{0}page:")
                        .and_then(|n| n.parse::<usize>().ok())
                    {
                        Target::Destination(Destination::Xyz(XyzDestination::new(
                            n,
                            Point::from_xy(0.0, 0.0),
                        )))
                    } else if let Some((page, y)) = dests.get(id) {
                        Target::Destination(Destination::Named(NamedDestination::new(
                            id.clone(),
                            XyzDestination::new(*page, Point::from_xy(0.0, *y)),
                        )))
                    } else {
                        continue;
                    }
                }
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
        let _ = doc.register_named_destination(NamedDestination::new(
            id.clone(),
            XyzDestination::new(*page, Point::from_xy(0.0, *y)),
        ));
    }
    doc.set_outline(outline(ts, off));
    doc.set_metadata(metadata(book, time));
    doc.finish()
        .map_err(|e| format!("the PDF cannot be written: {e:?}"))
}

/// A picture for krilla: JPEG (CMYK included) goes in as it is, without re-encoding; the
/// other formats are decoded.
pub fn image(book: &Book, info: &ImageInfo) -> Result<Image, String> {
    let bytes = std::fs::read(book.root.join(&info.path))
        .map_err(|e| format!("cannot read {}: {e}", info.path.display()))?;
    let data = krilla::Data::from(bytes);
    let img = match info.format {
        ImageFormat::Jpeg => Image::from_jpeg(data, true),
        ImageFormat::Png => Image::from_png(data, true),
        ImageFormat::Gif => Image::from_gif(data, true),
        ImageFormat::Webp => Image::from_webp(data, true),
    };
    img.map_err(|e| format!("cannot use the image {}: {e}", info.path.display()))
}

/// krilla fonts for the book's faces, each made once.
pub struct Fonts<'a> {
    book: &'a FontBook,
    made: HashMap<FaceId, Font>,
}

impl<'a> Fonts<'a> {
    pub fn new(book: &'a FontBook) -> Self {
        Fonts {
            book,
            made: HashMap::new(),
        }
    }

    pub fn get(&mut self, face: FaceId) -> Result<Font, String> {
        if let Some(f) = self.made.get(&face) {
            return Ok(f.clone());
        }
        let info = &self.book.face(face).info;
        let f = Font::new(info.data.into(), info.index)
            .ok_or_else(|| format!("the font {} cannot be embedded", info.family))?;
        self.made.insert(face, f.clone());
        Ok(f)
    }
}

/// A run's glyphs as krilla wants them (advances and offsets in em; y up is negative).
pub fn glyphs(run: &Run) -> Vec<KrillaGlyph> {
    run.glyphs
        .iter()
        .map(|g| {
            KrillaGlyph::new(
                GlyphId::new(u32::from(g.id)),
                g.advance,
                g.x_offset,
                -g.y_offset,
                0.0,
                g.range.start as usize..g.range.end as usize,
                None,
            )
        })
        .collect()
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
        pb.line_to(cx + dx * (gap + MARK_LEN), cy);
        pb.move_to(cx, cy + dy * gap);
        pb.line_to(cx, cy + dy * (gap + MARK_LEN));
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

fn outline(ts: &Typeset, off: f32) -> Outline {
    let mut outline = Outline::new();
    // Build nested nodes from the flat list with depths.
    fn take(
        items: &[crate::typeset::book::OutlineItem],
        i: &mut usize,
        depth: usize,
        off: f32,
    ) -> Vec<OutlineNode> {
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
    for n in take(&ts.outline, &mut i, 0, off) {
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
