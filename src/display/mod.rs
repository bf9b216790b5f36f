//! The display list: what typesetting decided, page by page, as positioned glyph runs,
//! rules, pictures, link areas and destinations — for the interior ([`Document`]) and the
//! wrap cover ([`CoverSheet`]). It knows nothing about PDF: `pdf/` draws it as it is, and the
//! layout tests assert on it.
//!
//! Lengths are points (1/72 in) from the top-left corner of the trim box, y growing down,
//! except inside a [`Run`], whose glyph advances and offsets are [`Em`] of the run's size.

mod cover;
mod page;
mod run;
mod store;
mod structure;

pub use cover::{CoverItem, CoverSheet, Paint};
pub use page::{
    CROP_MARK, CROP_SLUG, LineRole, Mark, Numbering, OutlineItem, PItem, PLine, PLink, Page,
    PageKind, roman,
};
pub use run::{Em, Face, FaceId, GlyphOffset, Run, RunExtras, RunGlyph, RunGlyphs};
pub use store::{ItemStore, Stored};
pub use structure::{StructKind, StructNode, Structure};

/// The typeset interior, ready to draw.
#[derive(Debug, Clone)]
pub struct Document {
    /// Every page in order, blank ones included.
    pub pages: Vec<Page>,
    /// The bookmarks: outline entries with the page and height where each begins.
    pub outline: Vec<OutlineItem>,
    /// The font faces runs refer to, by [`FaceId`].
    pub faces: Vec<Face>,
    /// The logical structure the pages' items belong to (see [`Page::marks`]).
    pub structure: Structure,
    /// Where the items of pages drawn early wait (see [`Page::stored`]), when they do.
    pub store: Option<std::sync::Arc<ItemStore>>,
}
