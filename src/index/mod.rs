//! The index: one list of terms and occurrences, printed with page ranges in the PDF and as
//! links in the EPUB.

pub mod build;
pub mod hits;
mod matcher;
