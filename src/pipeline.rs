//! The build after loading: which outputs to make, in which order. Outputs are made in
//! memory first, so nothing is written when a later step fails or a warning is denied.

use std::path::{Path, PathBuf};

use crate::diag::Diagnostics;
use crate::model::Book;
use crate::model::Timestamp;
use crate::progress::Progress;

/// Which outputs to make.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Targets {
    /// The print interior and its wrap cover.
    pub pdf: bool,
    /// The EPUB.
    pub epub: bool,
}

/// Outputs ready to be written, and the warnings found while making them.
pub struct Built {
    /// Each output's path and bytes.
    pub files: Vec<(PathBuf, Vec<u8>)>,
    /// Warnings from typesetting and the covers.
    pub warnings: Diagnostics,
    /// Pages of the print interior, when it was made.
    pub pages: Option<usize>,
    /// The interior's display list, when it was made (the preview draws it).
    pub doc: Option<crate::display::Document>,
}

/// Makes the requested outputs for `out` (not yet written).
pub fn build(
    book: &Book,
    targets: Targets,
    out: &Path,
    time: Timestamp,
    progress: &Progress,
) -> Result<Built, String> {
    build_with(book, targets, out, time, progress, &mut |_, _| {})
}

/// [`build`], calling `typeset` with the print edition as soon as it is set (and the
/// diagnostics so far), before its files are written: the preview shows it from there.
pub fn build_with(
    book: &Book,
    targets: Targets,
    out: &Path,
    time: Timestamp,
    progress: &Progress,
    typeset: &mut dyn FnMut(&crate::typeset::Typeset, &Diagnostics),
) -> Result<Built, String> {
    let name = book.slug();
    let mut files = Vec::new();
    let mut warnings = Diagnostics::new();
    let mut page_map = None;
    let mut pages = None;
    let mut fonts = None;
    let mut doc = None;
    let mut notes = Vec::new();
    // The index's entries and order do not depend on pages: built once for both outputs.
    let index = crate::index::build::build(book);
    if targets.pdf && book.config.pdf.standard.ua {
        // PDF/UA's rules on the manuscript are checked before anything is set.
        let ua = crate::accessibility::pdf_ua(book);
        if ua.has_errors() {
            warnings.extend(ua);
            return Ok(Built {
                files,
                warnings,
                pages,
                doc: None,
            });
        }
    }
    if targets.pdf {
        let ts = progress.phase("typeset", || crate::typeset::typeset(book, &index))?;
        for d in ts.warnings.iter() {
            warnings.push(d.clone());
        }
        // The printer's rules need the page count: checked before anything is written.
        warnings.extend(crate::printer::preflight(book, ts.doc.pages.len()));
        typeset(&ts, &warnings);
        let bytes = progress.phase("pdf", || crate::pdf::write(book, &ts.doc, time))?;
        files.push((out.join(format!("{name}.pdf")), bytes));
        let (cover, cover_warnings, cover_notes) = progress.phase("cover", || {
            let (sheet, warnings, notes) = crate::cover::wrap(book, ts.doc.pages.len(), &ts.fonts);
            crate::pdf::write_cover(book, &sheet, &ts.doc.faces, time)
                .map(|pdf| (pdf, warnings, notes))
        })?;
        for d in cover_warnings.iter() {
            warnings.push(d.clone());
        }
        notes.extend(cover_notes);
        files.push((out.join(format!("{name}-cover.pdf")), cover));
        pages = Some(ts.doc.pages.len());
        page_map = Some(ts.page_map);
        fonts = Some(ts.fonts);
        doc = Some(ts.doc);
    }
    if targets.epub {
        let fontbook = match fonts.take() {
            Some(f) => f,
            None => crate::typeset::fonts::FontBook::load(
                &book.root,
                &book.config.fonts.body,
                &book.config.fonts.fallback,
            )?,
        };
        let cover = Some(crate::cover::epub_cover(book, &fontbook)?);
        let faces = if book.config.epub.embed_fonts {
            crate::fonts::faces_for(&book.root, &book.config.fonts.body)
        } else {
            Vec::new()
        };
        let (conforms, why) = crate::accessibility::epub_claim(book);
        warnings.extend(why);
        let input = crate::epub::EpubInput {
            book,
            pages: page_map.as_ref(),
            cover,
            fonts: faces,
            time,
            index: &index,
            conforms,
        };
        let bytes = progress.phase("epub", || crate::epub::build(&input))?;
        files.push((out.join(format!("{name}.epub")), bytes));
    }
    for n in &notes {
        progress.note(&format!("note: {n}"));
    }
    Ok(Built {
        files,
        warnings,
        pages,
        doc,
    })
}

/// Writes the outputs: all or none of them replace the previous ones (see [`crate::output`]).
pub fn write(built: &Built, progress: &Progress) -> Result<(), String> {
    crate::output::write_all(&built.files)?;
    for (path, bytes) in &built.files {
        progress.note(&format!(
            "wrote {} ({} KB)",
            path.display(),
            bytes.len() / 1024
        ));
    }
    Ok(())
}
