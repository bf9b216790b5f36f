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
    /// The interior's display list, when the `typeset` callback kept it too (the preview
    /// draws it); otherwise its pages were let go as the PDF was written.
    pub doc: Option<std::sync::Arc<crate::display::Document>>,
}

/// Makes the requested outputs for `out` (not yet written).
pub fn build(
    book: &Book,
    targets: Targets,
    out: &Path,
    time: Timestamp,
    progress: &Progress,
) -> Result<Built, String> {
    build_alone(Given::Lent(book), targets, out, time, progress)
}

/// [`build`], given the book: its text is let go as soon as nothing needs it any more (once
/// the EPUB is made, or once the pages are set when there is no EPUB), while the PDF is
/// written.
pub fn build_owned(
    book: Book,
    targets: Targets,
    out: &Path,
    time: Timestamp,
    progress: &Progress,
) -> Result<Built, String> {
    build_alone(Given::Owned(Box::new(book)), targets, out, time, progress)
}

/// A build that nothing else reads the pages of: those drawn early wait out of memory.
fn build_alone(
    book: Given<'_>,
    targets: Targets,
    out: &Path,
    time: Timestamp,
    progress: &Progress,
) -> Result<Built, String> {
    let store = crate::display::ItemStore::beside(out).map(std::sync::Arc::new);
    build_impl(
        book,
        targets,
        out,
        time,
        progress,
        None,
        store,
        &mut |_, _| {},
    )
}

/// The book a build reads: lent (the preview keeps it for the next build), or given to the
/// build, which lets go of its text once nothing needs it.
enum Given<'a> {
    Lent(&'a Book),
    Owned(Box<Book>),
}

impl Given<'_> {
    fn get(&self) -> &Book {
        match self {
            Given::Lent(b) => b,
            Given::Owned(b) => b,
        }
    }
}

/// [`build`], with laid-out chunks kept in `cache` between builds, calling `typeset` with
/// the print edition as soon as it is set (and the diagnostics so far), before its files are
/// written: the preview shows it from there.
pub fn build_with(
    book: &Book,
    targets: Targets,
    out: &Path,
    time: Timestamp,
    progress: &Progress,
    cache: Option<&mut crate::typeset::LayoutCache>,
    typeset: &mut dyn FnMut(&crate::typeset::Typeset, &Diagnostics),
) -> Result<Built, String> {
    build_impl(
        Given::Lent(book),
        targets,
        out,
        time,
        progress,
        cache,
        None,
        typeset,
    )
}

/// [`build_with`], the items of pages drawn early waiting in `store` when one is given (see
/// [`crate::display::ItemStore`]): only where `typeset` keeps no page.
#[allow(clippy::too_many_arguments)]
fn build_impl(
    given: Given<'_>,
    targets: Targets,
    out: &Path,
    time: Timestamp,
    progress: &Progress,
    cache: Option<&mut crate::typeset::LayoutCache>,
    store: Option<std::sync::Arc<crate::display::ItemStore>>,
    typeset: &mut dyn FnMut(&crate::typeset::Typeset, &Diagnostics),
) -> Result<Built, String> {
    let book = given.get();
    let name = book.slug();
    let mut files = Vec::new();
    let mut warnings = Diagnostics::new();
    let mut pages = None;
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
        let ts = progress.phase("typeset", || {
            crate::typeset::typeset_cached(book, &index, cache, store)
        })?;
        for d in ts.warnings.iter() {
            warnings.push(d.clone());
        }
        // The printer's rules need the page count: checked before anything is written.
        warnings.extend(crate::printer::preflight(book, ts.doc.pages.len()));
        typeset(&ts, &warnings);
        let count = ts.doc.pages.len();
        let faces = ts.doc.faces.clone();
        // Unless the preview keeps the pages too, the PDF writer lets each go once it is
        // written; the preview's are handed back.
        let display = std::sync::Arc::try_unwrap(ts.doc);
        let owned = display.is_ok();
        let (page_map, fonts) = (ts.page_map, &ts.fonts);
        // The print files need the book without its text; a book given to the build is read
        // by the EPUB alone from here, and let go when it is made, with the index and the
        // print edition's page numbers, which only the EPUB reads.
        let light;
        let (book, whole) = match given {
            Given::Owned(b) => {
                light = b.without_text();
                (&light, Given::Owned(b))
            }
            Given::Lent(b) => (b, Given::Lent(b)),
        };
        // The print files and the EPUB are made side by side (the PDF writer is serial).
        let print = || -> Result<_, String> {
            let (pdf, kept) = progress.phase("pdf", || match display {
                Ok(doc) => crate::pdf::write_owned(book, doc, time).map(|pdf| (pdf, None)),
                Err(doc) => crate::pdf::write(book, &doc, time).map(|pdf| (pdf, Some(doc))),
            })?;
            let cover = progress.phase("cover", || {
                let (sheet, warnings, notes) = crate::cover::wrap(book, count, fonts);
                crate::pdf::write_cover(book, &sheet, &faces, time)
                    .map(|pdf| (pdf, warnings, notes))
            })?;
            Ok((pdf, cover, kept))
        };
        let ebook = move || {
            let made = epub(whole.get(), &index, Some(&page_map), fonts, time, progress);
            drop((whole, index, page_map));
            made
        };
        let (printed, ebook) = if !targets.epub {
            // The writer on one of rayon's threads, the other free for krilla's compression
            // once it has let go of the book's text.
            (rayon::join(print, move || drop(ebook)).0, Ok(None))
        } else if owned {
            // A build: the EPUB on a thread of its own, not one of rayon's. krilla compresses
            // each written page on rayon's threads, and while both were busy (the PDF on one,
            // the EPUB on the other) every page written meanwhile waited there uncompressed:
            // 30-40 MB at the peak of a 5,000-page book, 10-20 MB for War and Peace.
            std::thread::scope(|s| {
                let ebook = s.spawn(ebook);
                let printed = print();
                let ebook = ebook
                    .join()
                    .unwrap_or_else(|p| std::panic::resume_unwind(p));
                (printed, ebook.map(Some))
            })
        } else {
            // The preview keeps every page anyway; what counts is when the files are
            // rewritten, and the writer, which sets the pace, keeps a core to itself.
            let (printed, ebook) = rayon::join(print, ebook);
            (printed, ebook.map(Some))
        };
        let (pdf, (cover, cover_warnings, cover_notes), kept) = printed?;
        files.push((out.join(format!("{name}.pdf")), pdf));
        warnings.extend(cover_warnings);
        notes.extend(cover_notes);
        files.push((out.join(format!("{name}-cover.pdf")), cover));
        if let Some((bytes, why)) = ebook? {
            warnings.extend(why);
            files.push((out.join(format!("{name}.epub")), bytes));
        }
        pages = Some(count);
        doc = kept;
    } else if targets.epub {
        let fontbook = crate::typeset::fonts::FontBook::load(
            &book.root,
            &book.config.fonts.body,
            &book.config.fonts.fallback,
        )?;
        let (bytes, why) = epub(book, &index, None, &fontbook, time, progress)?;
        warnings.extend(why);
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

/// The EPUB, with the print edition's page numbers when it was set; and why it does not
/// declare accessibility conformance, if it does not.
fn epub(
    book: &Book,
    index: &crate::index::build::PrintedIndex,
    page_map: Option<&crate::model::PageMap>,
    fonts: &crate::typeset::fonts::FontBook,
    time: Timestamp,
    progress: &Progress,
) -> Result<(Vec<u8>, Diagnostics), String> {
    let cover = Some(crate::cover::epub_cover(book, fonts)?);
    let faces = if book.config.epub.embed_fonts {
        crate::fonts::faces_for(&book.root, &book.config.fonts.body)
    } else {
        Vec::new()
    };
    let (conforms, why) = crate::accessibility::epub_claim(book);
    let input = crate::epub::EpubInput {
        book,
        pages: page_map,
        cover,
        fonts: faces,
        time,
        index,
        conforms,
    };
    let bytes = progress.phase("epub", || crate::epub::build(&input))?;
    Ok((bytes, why))
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
