//! The wrap cover as a display list: one sheet (back, spine and front with bleed) of fields,
//! text runs and pictures, each with a colour for print and for screen.

use super::run::Run;
use crate::model::ImageInfo;

/// A colour for screen (RGB, for the EPUB's cover picture) and for print (CMYK).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Paint {
    /// Red, green, blue for screens.
    pub rgb: [u8; 3],
    /// Cyan, magenta, yellow, black for print.
    pub cmyk: [u8; 4],
}

/// What is drawn on a cover, in points from the sheet's top-left corner.
#[derive(Debug, Clone)]
pub enum CoverItem {
    /// A filled rectangle.
    Rect {
        /// Left edge.
        x: f32,
        /// Top edge.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
        /// Its colour.
        paint: Paint,
    },
    /// A run on a baseline at (x, y); `rotated` turns it a quarter clockwise about (x, y), so
    /// it reads top to bottom (spine text).
    Text {
        /// The glyphs.
        run: Run,
        /// The run's origin.
        x: f32,
        /// The run's baseline.
        y: f32,
        /// Its colour.
        paint: Paint,
        /// Set along the spine.
        rotated: bool,
    },
    /// A picture that fills the rectangle, cropped (never stretched) to its proportions.
    Picture {
        /// The picture.
        image: ImageInfo,
        /// Left edge.
        x: f32,
        /// Top edge.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
    },
}

/// The print wrap cover: the sheet's size with bleed, and what is on it in drawing order.
#[derive(Debug, Clone)]
pub struct CoverSheet {
    /// Width and height of the sheet, bleed included (points).
    pub width: f64,
    /// Height of the sheet, bleed included.
    pub height: f64,
    /// How far the sheet runs past the trim on every side.
    pub bleed: f64,
    /// What is drawn, in order.
    pub items: Vec<CoverItem>,
}
