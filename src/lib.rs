//! bookbuild: a book project (build.toml, Markdown, index.toml) → a print-ready PDF and a
//! reflowable EPUB 3.
//!
//! The pipeline runs one way: [`project`] loads and checks everything into the [`model`];
//! the back ends read the model and write outputs.

// Functions stay short enough to hold in one's head (the limit is in clippy.toml).
#![warn(clippy::too_many_lines)]
#![warn(missing_docs)]

pub mod accessibility;
pub mod cover;
pub mod diag;
pub mod display;
pub(crate) mod epub;
pub(crate) mod fonts;
pub mod index;
pub mod init;
pub mod memory;
pub mod model;
pub(crate) mod output;
pub mod pdf;
pub mod pipeline;
pub mod printer;
pub mod progress;
pub mod project;
pub mod summary;
pub mod typeset;
pub mod units;
pub mod watch;
