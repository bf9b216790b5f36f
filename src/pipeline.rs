//! The build after loading: which outputs to make, in which order, and where they go.

use std::path::{Path, PathBuf};

use crate::model::Book;
use crate::progress::Progress;
use crate::timestamp::Timestamp;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    pub pdf: bool,
    pub epub: bool,
}

/// Builds the requested outputs into `out`. Returns the files written.
pub fn build(
    book: &Book,
    targets: Targets,
    out: &Path,
    time: Timestamp,
    progress: &Progress,
) -> Result<Vec<PathBuf>, String> {
    let name = book.slug();
    let mut written = Vec::new();
    if targets.pdf {
        return Err("the PDF back end is not part of this version yet".to_string());
    }
    if targets.epub {
        let cover = match &book.covers.front {
            Some(c) => Some((
                std::fs::read(book.root.join(&c.path))
                    .map_err(|e| format!("cannot read {}: {e}", c.path.display()))?,
                c.format,
            )),
            None => None,
        };
        let fonts = if book.config.epub.embed_fonts {
            crate::fonts::faces_for(&book.root, &book.config.fonts.body)
        } else {
            Vec::new()
        };
        let input = crate::epub::EpubInput {
            book,
            pages: None,
            cover,
            fonts,
            time,
        };
        let bytes = progress.phase("epub", || crate::epub::build(&input))?;
        let path = out.join(format!("{name}.epub"));
        crate::output::write_atomic(&path, &bytes)?;
        progress.note(&format!(
            "wrote {} ({} KB)",
            path.display(),
            bytes.len() / 1024
        ));
        written.push(path);
    }
    Ok(written)
}
