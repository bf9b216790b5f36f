//! Display list → PDF with krilla: fonts subset with ToUnicode (copied text is the
//! manuscript's), deterministic output. All krilla code lives in this folder; it draws what
//! the display list says and makes no layout decisions.

mod cover;
mod interior;
mod pdfx;
mod shared;
mod tags;

pub use cover::write_cover;
pub use interior::{write, write_owned};
