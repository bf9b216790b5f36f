//! Typesetting: fonts, shaping, hyphenation, line breaking, page breaking, and the pages of
//! the book as a display list that knows nothing about PDF.
//!
//! Data flows: `fonts` → `shape` → `hyphenate` → `paragraph` (items → `linebreak` → lines)
//! → `flow` (blocks → vertical list) → `paginate` (pages, footnotes) → `book` (page
//! structure, contents, index, running heads, second pass) → `display` pages.

pub mod book;
pub mod contents;
pub mod flow;
pub mod fonts;
pub mod hyphenate;
pub mod indexpages;
pub mod linebreak;
pub mod paginate;
pub mod paragraph;
pub mod shape;
pub mod titlepages;

pub use book::{Typeset, typeset};
