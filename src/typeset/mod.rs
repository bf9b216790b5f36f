//! Typesetting: fonts, shaping, hyphenation, line breaking, page breaking, and the pages of
//! the book as a display list that knows nothing about PDF.
//!
//! Data flows: `fonts` → `shape` → `hyphenate` → `paragraph` (items → `linebreak` → lines)
//! → `flow` (blocks → vertical list) → `paginate` (pages, footnotes) → `book` (page
//! structure, `contents`, `indexpages`, `titlepages`, the second pass) → `render` → the
//! [`crate::display`] list. `design` holds the numbers they all share; `pages` the page
//! numbering and line placing the page-making stages share; `remarks` the warning sink.

mod book;
mod cache;
mod contents;
pub(crate) mod design;
mod flow;
pub(crate) mod fonts;
mod hyphenate;
mod indexpages;
mod pages;
mod paginate;
pub(crate) mod paragraph;
mod remarks;
mod render;
mod shape;
#[cfg(test)]
pub(crate) mod testing;
mod titlepages;

pub use book::{Typeset, typeset, typeset_cached};
pub use cache::LayoutCache;
