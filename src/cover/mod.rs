//! Covers: the EPUB's cover picture (the author's, resized when needed, or a typographic one
//! generated from the book's fonts) and the print wrap cover — back, spine, front — with a
//! spine as wide as the typeset interior is thick.

pub(crate) mod design;
pub mod ean13;
mod raster;

use crate::diag::{Diagnostics, Location};
use crate::display::{CoverItem, CoverSheet};
use crate::model::{Book, ImageFormat};
use crate::typeset::fonts::FontBook;
use crate::typeset::paragraph::Tools;

/// E-reader shelves want covers at most this high.
pub const EPUB_COVER_HEIGHT: u32 = 1600;
/// Spine text needs at least this much room (points).
pub const MIN_SPINE_FOR_TEXT: f64 = 0.25 * 72.0;

fn tools<'a>(book: &Book, fonts: &'a FontBook) -> Tools<'a> {
    Tools::unhyphenated(fonts, &book.config.book.language)
}

/// The EPUB cover: the author's front picture (re-encoded only when it is over 1600 px high,
/// not JPEG or PNG, or a CMYK JPEG that screens show wrongly), else a generated one.
pub fn epub_cover(book: &Book, fonts: &FontBook) -> Result<(Vec<u8>, ImageFormat), String> {
    if let Some(front) = &book.covers.front {
        let bytes = std::fs::read(book.root.join(&front.path))
            .map_err(|e| format!("cannot read {}: {e}", front.path.display()))?;
        let cmyk = front.format == ImageFormat::Jpeg && jpeg_components(&bytes) == Some(4);
        let usable = matches!(front.format, ImageFormat::Jpeg | ImageFormat::Png)
            && front.height <= EPUB_COVER_HEIGHT
            && !cmyk;
        if usable {
            return Ok((bytes, front.format));
        }
        let img = image::load_from_memory(&bytes)
            .map_err(|e| format!("cannot decode {}: {e}", front.path.display()))?;
        let img = if img.height() > EPUB_COVER_HEIGHT {
            let w = (f64::from(img.width()) * f64::from(EPUB_COVER_HEIGHT)
                / f64::from(img.height()))
            .round() as u32;
            img.resize_exact(
                w.max(1),
                EPUB_COVER_HEIGHT,
                image::imageops::FilterType::Lanczos3,
            )
        } else {
            img
        };
        let mut out = Vec::new();
        let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90);
        img.to_rgb8()
            .write_with_encoder(enc)
            .map_err(|e| format!("cannot encode the cover: {e}"))?;
        return Ok((out, ImageFormat::Jpeg));
    }
    let (w, h) = (book.config.pdf.trim_width.0, book.config.pdf.trim_height.0);
    let mut tools = tools(book, fonts);
    let mut items = Vec::new();
    design::front(book, &mut tools, 0.0, 0.0, w, h, 0.0, &mut items);
    let png = raster::render_png(
        &items,
        (0.0, 0.0),
        w as f32,
        h as f32,
        EPUB_COVER_HEIGHT,
        fonts,
    )?;
    Ok((png, ImageFormat::Png))
}

/// The number of colour components of a JPEG (3 for RGB, 4 for CMYK), from its frame header.
pub fn jpeg_components(bytes: &[u8]) -> Option<u8> {
    let mut i = 2;
    while i + 9 < bytes.len() {
        if bytes[i] != 0xFF {
            return None;
        }
        let marker = bytes[i + 1];
        let len = usize::from(u16::from_be_bytes([bytes[i + 2], bytes[i + 3]]));
        if matches!(marker, 0xC0..=0xC3 | 0xC5..=0xC7 | 0xC9..=0xCB | 0xCD..=0xCF) {
            return bytes.get(i + 9).copied();
        }
        i += 2 + len;
    }
    None
}

/// The wrap cover's size: width = 2 × trim width + spine + 2 × bleed, height = trim height +
/// 2 × bleed. Points.
pub struct WrapGeometry {
    /// Trim width of one panel (front or back).
    pub trim_w: f64,
    /// Trim height.
    pub trim_h: f64,
    /// Bleed on every side of the sheet.
    pub bleed: f64,
    /// Spine width: page count × caliper.
    pub spine: f64,
}

impl WrapGeometry {
    /// The geometry for the book's settings and an interior of `pages` pages.
    pub fn new(book: &Book, pages: usize) -> WrapGeometry {
        let pdf = &book.config.pdf;
        WrapGeometry {
            trim_w: pdf.trim_width.0,
            trim_h: pdf.trim_height.0,
            bleed: pdf.bleed.0,
            spine: pages as f64 * book.config.cover.caliper.0,
        }
    }
    /// Width of the whole sheet, bleed included.
    pub fn width(&self) -> f64 {
        2.0 * self.trim_w + self.spine + 2.0 * self.bleed
    }
    /// Height of the sheet, bleed included.
    pub fn height(&self) -> f64 {
        self.trim_h + 2.0 * self.bleed
    }
}

/// The print wrap cover for an interior of `pages` pages, as a display list. Returns the sheet,
/// warnings, and notes for the user (what was left off or cropped).
pub fn wrap(book: &Book, pages: usize, fonts: &FontBook) -> (CoverSheet, Diagnostics, Vec<String>) {
    let g = WrapGeometry::new(book, pages);
    let mut tools = tools(book, fonts);
    let mut items: Vec<CoverItem> = Vec::new();
    let mut warnings = Diagnostics::new();
    let mut notes = Vec::new();
    let (b, tw, th) = (g.bleed, g.trim_w, g.trim_h);
    let back_x = b;
    let spine_x = b + tw;
    let front_x = b + tw + g.spine;

    // Back: the author's picture, or the field with the back text; the barcode either way.
    design::back(
        book,
        &mut tools,
        back_x,
        b,
        tw,
        th,
        b,
        book.covers.back.as_ref(),
        &mut items,
    );
    if book.covers.back.is_some() && !book.back_cover_blocks.is_empty() {
        notes.push(
            "covers/back.* is used as it is; [cover] back_text is not set over it".to_string(),
        );
    }
    // The spine's field (under the front's, which is drawn after).
    items.push(CoverItem::Rect {
        x: spine_x as f32,
        y: 0.0,
        w: g.spine as f32,
        h: g.height() as f32,
        paint: design::FIELD,
    });
    // Front.
    match &book.covers.front {
        Some(img) => items.push(CoverItem::Picture {
            image: img.clone(),
            x: front_x as f32,
            y: 0.0,
            w: (tw + b) as f32,
            h: g.height() as f32,
        }),
        None => design::front(book, &mut tools, front_x, b, tw, th, 0.0, &mut items),
    }
    if book.covers.front.is_none() {
        // The generated front's field runs into the bleed on the right, top and bottom.
        items.insert(
            0,
            CoverItem::Rect {
                x: front_x as f32,
                y: 0.0,
                w: (tw + b) as f32,
                h: g.height() as f32,
                paint: design::FIELD,
            },
        );
    }
    // A printer prints spine text only from its page threshold.
    let printer_allows = book
        .config
        .cover
        .printer
        .is_none_or(|p| pages >= crate::printer::rules(p).spine_text_pages);
    if g.spine >= MIN_SPINE_FOR_TEXT && printer_allows {
        design::spine(book, &mut tools, spine_x, b, g.spine, th, &mut items);
    } else {
        notes.push(format!(
            "the spine is {:.3}in wide ({} pages): too narrow for its text, which is left off ({})",
            g.spine / 72.0,
            pages,
            match book.config.cover.printer {
                Some(p) => format!(
                    "{} prints spine text from {} pages, and 0.25in is needed",
                    crate::printer::rules(p).name,
                    crate::printer::rules(p).spine_text_pages
                ),
                None => "0.25in is needed".to_string(),
            }
        ));
    }
    // Pictures: printed resolution and proportions.
    for (side, img, w, h) in [
        ("front", &book.covers.front, tw + b, g.height()),
        ("back", &book.covers.back, tw + b, g.height()),
    ] {
        let Some(img) = img else { continue };
        let dpi = f64::from(img.width) / (w / 72.0);
        let dpi_h = f64::from(img.height) / (h / 72.0);
        let dpi = dpi.min(dpi_h);
        if dpi < 300.0 {
            warnings.warning_hint(
                Some(Location::file(&img.path)),
                format!(
                    "the {side} cover prints at {dpi:.0} dpi, below the 300 dpi printers ask for"
                ),
                format!(
                    "supply at least {}×{} pixels",
                    (w / 72.0 * 300.0).ceil(),
                    (h / 72.0 * 300.0).ceil()
                ),
            );
        }
        let want = w / h;
        let have = f64::from(img.width) / f64::from(img.height);
        if (want - have).abs() / want > 0.01 {
            notes.push(format!(
                "{} has other proportions than the cover ({:.3} against {:.3}): it is cropped to fill, not stretched",
                crate::diag::display_path(&img.path),
                have,
                want
            ));
        }
    }

    let sheet = CoverSheet {
        width: g.width(),
        height: g.height(),
        bleed: g.bleed,
        items,
    };
    (sheet, warnings, notes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::CoverItem;
    use crate::typeset::testing;

    /// The lowest baseline of the back panel's text, in inches above the trim's bottom.
    fn back_text_clearance(toml: &str) -> f64 {
        let b = testing::book(toml, &[("a", "# A\n\nText.\n")]);
        let (sheet, _, _) = wrap(&b.book, 200, testing::fonts());
        let g = WrapGeometry::new(&b.book, 200);
        let lowest = sheet
            .items
            .iter()
            .filter_map(|i| match i {
                CoverItem::Text {
                    x,
                    y,
                    rotated: false,
                    ..
                } if f64::from(*x) < g.bleed + g.trim_w => Some(f64::from(*y)),
                _ => None,
            })
            .fold(0.0, f64::max);
        (g.bleed + g.trim_h - lowest) / 72.0
    }

    #[test]
    fn the_generated_back_keeps_kdps_barcode_zone_clear() {
        let long = "The back text of a long blurb, set again and again. ".repeat(60);
        let plain = back_text_clearance(&format!("[cover]\nback_text = \"{long}\"\n"));
        assert!(
            plain < 1.2,
            "without a printer the text runs to the margin ({plain:.2}in)"
        );
        let kdp = back_text_clearance(&format!(
            "[cover]\nprinter = \"kdp\"\nback_text = \"{long}\"\n"
        ));
        // KDP's zone: 1.2in high, 0.25in from the bottom trim.
        assert!(
            kdp > 1.45,
            "the text stops above the barcode zone ({kdp:.2}in)"
        );
    }
}
