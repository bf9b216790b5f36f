//! The interior: the display list's pages with their boxes (MediaBox = trim + bleed, TrimBox,
//! BleedBox), page labels, a nested outline, named destinations, links and metadata.

use std::collections::HashMap;
use std::num::NonZeroU32;

use krilla::action::{Action, LinkAction};
use krilla::annotation::{Annotation, LinkAnnotation, Target};
use krilla::color::cmyk;
use krilla::destination::{Destination, NamedDestination, XyzDestination};
use krilla::geom::{PathBuilder, Point, Rect, Size, Transform};
use krilla::image::Image;
use krilla::metadata::{DateTime, Metadata};
use krilla::outline::{Outline, OutlineNode};
use krilla::page::{NumberingStyle, PageLabel, PageSettings};
use krilla::paint::{Fill, Stroke};
use krilla::surface::Surface;

use super::shared::{self, Fonts, glyphs};
use super::tags::Tagger;
use crate::display::{CROP_MARK, CROP_SLUG, Document, Numbering, OutlineItem, PItem, Page};
use crate::model::{Book, LinkTarget, Timestamp};
use krilla::tagging::ArtifactType;

/// Where the trim box sits on the media: the bleed around it, and the slug for crop marks.
#[derive(Clone, Copy)]
struct Sheet {
    trim_w: f32,
    trim_h: f32,
    bleed: f32,
    slug: f32,
    /// From the media's corner to the trim's: bleed + slug.
    off: f32,
    crop_marks: bool,
}

impl Sheet {
    fn new(book: &Book) -> Sheet {
        let pdf = &book.config.pdf;
        let bleed = pdf.bleed.0 as f32;
        let slug = if pdf.crop_marks { CROP_SLUG } else { 0.0 };
        Sheet {
            trim_w: pdf.trim_width.0 as f32,
            trim_h: pdf.trim_height.0 as f32,
            bleed,
            slug,
            off: bleed + slug,
            crop_marks: pdf.crop_marks,
        }
    }

    /// MediaBox = trim + bleed (+ slug), TrimBox and BleedBox inside it, and the page label.
    fn settings(&self, page: &Page) -> Option<PageSettings> {
        let label = PageLabel::new(
            Some(match page.numbering {
                Numbering::Roman => NumberingStyle::LowerRoman,
                Numbering::Arabic => NumberingStyle::Arabic,
            }),
            None,
            NonZeroU32::new(page.number.max(1)),
        );
        let (off, slug, bleed) = (self.off, self.slug, self.bleed);
        Some(
            PageSettings::from_wh(self.trim_w + 2.0 * off, self.trim_h + 2.0 * off)?
                .with_trim_box(Rect::from_xywh(off, off, self.trim_w, self.trim_h))
                .with_bleed_box(Rect::from_xywh(
                    slug,
                    slug,
                    self.trim_w + 2.0 * bleed,
                    self.trim_h + 2.0 * bleed,
                ))
                .with_page_label(label),
        )
    }
}

/// What drawing the pages needs besides krilla's document: fonts and pictures made once,
/// and where every named destination is.
struct Interior<'a> {
    book: &'a Book,
    sheet: Sheet,
    fonts: Fonts<'a>,
    images: HashMap<u32, Image>,
    /// Named destinations: id → (page, y in media coordinates).
    dests: HashMap<String, (usize, f32)>,
    /// What is marked for each structure node (tagged PDF).
    tags: Tagger,
}

/// Writes the interior PDF of a typeset book.
pub fn write(book: &Book, doc: &Document, time: Timestamp) -> Result<Vec<u8>, String> {
    let dests = dests(&doc.pages, Sheet::new(book).off);
    let pages = doc.pages.iter().map(std::borrow::Cow::Borrowed);
    let pdf_doc = draw_pages(book, pages, dests, doc)?;
    finish(pdf_doc, book, time)
}

/// [`write`], letting each page go once it is written: the pages of a long book are freed
/// while krilla's document grows, instead of both being held, and the rest of the display
/// list (its structure, outline and store) before krilla puts the file together, its peak.
/// The same bytes.
pub fn write_owned(book: &Book, mut doc: Document, time: Timestamp) -> Result<Vec<u8>, String> {
    let dests = dests(&doc.pages, Sheet::new(book).off);
    let pages = std::mem::take(&mut doc.pages);
    let pages = pages.into_iter().map(std::borrow::Cow::Owned);
    let pdf_doc = draw_pages(book, pages, dests, &doc)?;
    drop(doc);
    finish(pdf_doc, book, time)
}

/// Every named destination: id → (page, y in media coordinates), the first if repeated.
fn dests(pages: &[Page], off: f32) -> HashMap<String, (usize, f32)> {
    let mut dests: HashMap<String, (usize, f32)> = HashMap::new();
    for (pi, p) in pages.iter().enumerate() {
        for (id, y) in &p.dests {
            dests.entry(id.clone()).or_insert((pi, y + off));
        }
    }
    dests
}

/// krilla's document of the interior: `pages` (in order), with `doc`'s outline, faces and
/// structure. What the drawing needed besides (fonts, pictures, destinations, the tags'
/// marks) is let go of when it returns.
fn draw_pages<'p>(
    book: &Book,
    pages: impl Iterator<Item = std::borrow::Cow<'p, Page>>,
    dests: HashMap<String, (usize, f32)>,
    doc: &Document,
) -> Result<krilla::Document, String> {
    let sheet = Sheet::new(book);
    let mut w = Interior {
        book,
        sheet,
        fonts: Fonts::new(&doc.faces),
        images: HashMap::new(),
        dests,
        tags: Tagger::new(book.config.pdf.tagged, &doc.structure),
    };
    let mut pdf_doc = if shared::for_press(book) || book.config.pdf.tagged {
        krilla::Document::new_with(shared::settings(book, false)?)
    } else {
        krilla::Document::new()
    };
    for mut page in pages {
        if page.stored.is_some() {
            // Its items wait in the store (what the page holds itself is its running head):
            // brought back into the page itself when it is the writer's own.
            page.to_mut().restore(doc.store.as_deref())?;
        }
        w.page(&mut pdf_doc, &page)?;
    }
    let mut names: Vec<(&String, &(usize, f32))> = w.dests.iter().collect();
    names.sort_by(|a, b| a.0.cmp(b.0));
    for (id, (page, y)) in names {
        let _ = pdf_doc.register_named_destination(NamedDestination::new(
            id.clone(),
            XyzDestination::new(*page, Point::from_xy(0.0, *y)),
        ));
    }
    pdf_doc.set_outline(outline(&doc.outline, sheet.off));
    if w.tags.on() {
        pdf_doc.set_tag_tree(w.tags.tree(&doc.structure, &book.config.book.language));
    }
    Ok(pdf_doc)
}

/// The file from krilla's document of the interior, completed for PDF/X.
fn finish(mut pdf_doc: krilla::Document, book: &Book, time: Timestamp) -> Result<Vec<u8>, String> {
    pdf_doc.set_metadata(metadata(book, time));
    crate::memory::give_back_freed();
    let bytes = pdf_doc.finish().map_err(|e| match e {
        krilla::error::KrillaError::Validation(errors) => {
            let list: Vec<String> = errors.iter().map(|(e, _)| format!("{e:?}")).collect();
            format!(
                "the PDF breaks a rule of the standard it is written to: {}",
                list.join("; ")
            )
        }
        e => format!("the PDF cannot be written: {e:?}"),
    })?;
    super::pdfx::complete(bytes, book, time, book.config.pdf.standard.ua)
}

fn black_fill(book: &Book) -> Fill {
    Fill {
        paint: shared::black(book),
        ..Default::default()
    }
}

impl Interior<'_> {
    /// One page: its items, crop marks, then its links.
    fn page(&mut self, pdf_doc: &mut krilla::Document, page: &Page) -> Result<(), String> {
        let settings = self.sheet.settings(page).ok_or("the page size is empty")?;
        let mut p = pdf_doc.start_page_with(settings);
        {
            let mut s = p.surface();
            s.set_fill(Some(black_fill(self.book)));
            let mut marks = page.marks.iter().peekable();
            let mut node = None;
            for (i, item) in page.items.iter().enumerate() {
                while let Some(m) = marks.next_if(|m| m.at as usize <= i) {
                    node = m.node;
                }
                self.tags
                    .enter(&mut s, node, matches!(item, PItem::Image { .. }));
                self.draw(&mut s, item)?;
            }
            if self.sheet.crop_marks {
                let sh = self.sheet;
                self.tags.artifact(&mut s, ArtifactType::Page);
                crop_marks(&mut s, sh.off, sh.trim_w, sh.trim_h, sh.bleed);
            }
            self.tags.leave(&mut s);
            s.finish();
        }
        let off = self.sheet.off;
        // A file for the press carries no links: PDF/X wants no annotations on the page.
        let links = if shared::for_press(self.book) {
            &[][..]
        } else {
            &page.links[..]
        };
        for l in links {
            let Some(rect) = Rect::from_xywh(l.x + off, l.y + off, l.w.max(1.0), l.h.max(1.0))
            else {
                continue;
            };
            let Some(target) = self.target(&l.target) else {
                continue;
            };
            if self.tags.on() {
                // In a tagged file every link is in the tree, with a description.
                let Some(node) = l.node else { continue };
                let alt = match &l.target {
                    LinkTarget::External(url) => format!("Link to {url}"),
                    LinkTarget::Page(n) => format!("Go to page {}", n + 1),
                    LinkTarget::Internal(_) => "Go to the place referred to".to_string(),
                };
                let id = p.add_tagged_annotation(Annotation::new_link(
                    LinkAnnotation::new(rect, target),
                    Some(alt),
                ));
                self.tags.link(node, id);
                continue;
            }
            p.add_annotation(Annotation::new_link(
                LinkAnnotation::new(rect, target),
                None,
            ));
        }
        p.finish();
        Ok(())
    }

    fn draw(&mut self, s: &mut Surface<'_>, item: &PItem) -> Result<(), String> {
        let off = self.sheet.off;
        match item {
            PItem::Text { run, x, y } => {
                let font = self.fonts.get(run.face)?;
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
                        paint: shared::black(self.book),
                        width: *thickness,
                        ..Default::default()
                    }));
                    s.draw_path(&path);
                    s.set_stroke(None);
                    s.set_fill(Some(black_fill(self.book)));
                }
            }
            PItem::Image { image, x, y, w, h } => {
                let img = match self.images.get(image) {
                    Some(i) => i.clone(),
                    None => {
                        let i = shared::image(self.book, &self.book.images[*image as usize])?;
                        self.images.insert(*image, i.clone());
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
        Ok(())
    }

    /// Where a link leads; `None` for an id that no page holds.
    fn target(&self, t: &LinkTarget) -> Option<Target> {
        Some(match t {
            LinkTarget::External(url) => Target::Action(Action::Link(LinkAction::new(url.clone()))),
            LinkTarget::Page(n) => Target::Destination(Destination::Xyz(XyzDestination::new(
                *n,
                Point::from_xy(0.0, 0.0),
            ))),
            LinkTarget::Internal(id) => {
                let (page, y) = self.dests.get(id)?;
                Target::Destination(Destination::Named(NamedDestination::new(
                    id.clone(),
                    XyzDestination::new(*page, Point::from_xy(0.0, *y)),
                )))
            }
        })
    }
}

/// Crop marks at the four corners, outside the bleed, in registration black.
fn crop_marks(s: &mut Surface<'_>, off: f32, w: f32, h: f32, bleed: f32) {
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
