//! `bookbuild watch`: build, serve a live preview on the loopback interface, and rebuild on
//! every change to the project. The preview draws the print edition's display list as SVG
//! (see [`svg`]) and shows the EPUB's chapters; a rebuild that fails keeps the last good
//! preview and outputs and shows its diagnostics. Builds are whole builds with the same
//! atomic writes as `build`.

mod server;
pub mod svg;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};
use std::time::{Duration, Instant};

use crate::diag::Diagnostic;
use crate::display::Document;
use crate::model::Timestamp;
use crate::pipeline::Targets;
use crate::progress::Progress;

/// How `watch` was asked to run.
pub struct Options {
    /// The project folder.
    pub root: PathBuf,
    /// Where the outputs are written.
    pub out: PathBuf,
    /// The port on 127.0.0.1 (0: any free one).
    pub port: u16,
    /// Open the preview in the browser.
    pub open: bool,
    /// Print only errors and warnings.
    pub quiet: bool,
}

/// What the preview shows: the last good build, and the last build's result.
#[derive(Default)]
pub(crate) struct State {
    /// Builds finished, successful or not.
    pub builds: u64,
    /// Whether the last build succeeded.
    pub ok: bool,
    /// From the change detected to the preview ready, for the last build.
    pub last_ms: f64,
    /// 1-based pages that differ from the previous successful build.
    pub changed_pages: Vec<usize>,
    /// The last build's diagnostics.
    pub diagnostics: Vec<Diagnostic>,
    /// Builds whose outputs have been written.
    pub written: u64,
    /// The last good build's print edition, its page size, and what its pages draw with.
    pub doc: Option<Arc<Document>>,
    /// Pages drawn as SVG so far (drawn when first asked for).
    pub svg: HashMap<usize, Arc<String>>,
    pub page_size: (f64, f64),
    pub fonts: Vec<&'static [u8]>,
    pub font_css: String,
    pub images: Vec<PathBuf>,
    /// The last good EPUB's files, by path inside the container.
    pub epub: HashMap<String, Vec<u8>>,
    /// For each page, the EPUB file that holds its chapter.
    pub page_chapter: Vec<Option<String>>,
}

/// The state and a signal for those waiting on the next build (live reload).
pub(crate) type Shared = Arc<(Mutex<State>, Condvar)>;

/// Runs the preview until the process is stopped.
pub fn run(opts: &Options) -> Result<(), String> {
    crate::memory::keep_freed_between_builds();
    let server = tiny_http::Server::http(("127.0.0.1", opts.port)).map_err(|e| {
        format!(
            "cannot serve the preview on 127.0.0.1:{}: {e}; is another `bookbuild watch` running? Choose another --port, or --port 0 for any free one",
            opts.port
        )
    })?;
    let port = server.server_addr().to_ip().map_or(opts.port, |a| a.port());
    let url = format!("http://127.0.0.1:{port}/");
    let shared: Shared = Arc::new((Mutex::new(State::default()), Condvar::new()));
    let progress = Progress::new(opts.quiet);
    let mut cache = crate::typeset::LayoutCache::default();
    let mut files = crate::project::KeptFiles::default();
    rebuild(
        opts,
        &shared,
        Instant::now(),
        &progress,
        &mut cache,
        &mut files,
    );
    eprintln!("bookbuild: preview at {url} (Ctrl-C stops it)");
    if opts.open {
        let _ =
            crate::memory::without_our_settings(std::process::Command::new("xdg-open").arg(&url))
                .spawn();
    }
    let s = shared.clone();
    std::thread::spawn(move || server::serve(server, s));
    watch(opts, &shared, &progress, &mut cache, &mut files)
}

/// Waits for changes and rebuilds after each burst of them (editors write a file in
/// several steps, or save by renaming a temporary over it).
fn watch(
    opts: &Options,
    shared: &Shared,
    progress: &Progress,
    cache: &mut crate::typeset::LayoutCache,
    files: &mut crate::project::KeptFiles,
) -> Result<(), String> {
    use notify::{RecursiveMode, Watcher};
    let (tx, rx) = std::sync::mpsc::channel();
    let mut watcher = notify::recommended_watcher(move |e: notify::Result<notify::Event>| {
        if let Ok(e) = e {
            let _ = tx.send(e);
        }
    })
    .map_err(|e| format!("cannot watch {}: {e}", opts.root.display()))?;
    watcher
        .watch(&opts.root, RecursiveMode::Recursive)
        .map_err(|e| format!("cannot watch {}: {e}", opts.root.display()))?;
    let out = std::fs::canonicalize(&opts.out).unwrap_or_else(|_| opts.out.clone());
    let root = std::fs::canonicalize(&opts.root).unwrap_or_else(|_| opts.root.clone());
    let ours = |e: &notify::Event| e.paths.iter().any(|p| counts(p, &root, &out));
    loop {
        let Ok(first) = rx.recv() else {
            return Ok(());
        };
        if matches!(first.kind, notify::EventKind::Access(_)) || !ours(&first) {
            continue;
        }
        let detected = Instant::now();
        let mut changed: Vec<PathBuf> = first.paths.clone();
        // The burst ends after a quiet spell: 20 ms after a change (an editor's save is a few
        // events within a millisecond or two), 5 ms after a save is complete (the file
        // closed after writing, or renamed into place).
        let mut quiet = settle_after(&first);
        while let Ok(e) = rx.recv_timeout(quiet) {
            if matches!(
                e.kind,
                notify::EventKind::Access(notify::event::AccessKind::Open(_))
            ) {
                continue;
            }
            if ours(&e) {
                quiet = settle_after(&e);
            }
            changed.extend(e.paths);
        }
        files.forget(&changed);
        rebuild(opts, shared, detected, progress, cache, files);
        cache.let_go();
    }
}

/// How long to wait for more events after `e` before building.
fn settle_after(e: &notify::Event) -> Duration {
    use notify::EventKind;
    use notify::event::{AccessKind, AccessMode, ModifyKind, RenameMode};
    match e.kind {
        EventKind::Access(AccessKind::Close(AccessMode::Write))
        | EventKind::Modify(ModifyKind::Name(RenameMode::To | RenameMode::Both)) => {
            Duration::from_millis(5)
        }
        _ => Duration::from_millis(20),
    }
}

/// Whether a changed path is part of the project (not the outputs, not an editor's swap file).
fn counts(p: &Path, root: &Path, out: &Path) -> bool {
    let p = std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    if p.starts_with(out) || !p.starts_with(root) {
        return false;
    }
    let rel = p.strip_prefix(root).unwrap_or(&p);
    let hidden = rel.components().any(|c| {
        let s = c.as_os_str().to_string_lossy();
        s.starts_with('.') || s == "target" || s == "build"
    });
    let name = p
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    !hidden && !name.ends_with('~') && !name.ends_with(".swp") && !name.ends_with(".tmp")
}

/// One build. The preview is replaced as soon as the print edition is set; then the PDF,
/// cover and EPUB are made and written as `build` writes them. A build that fails keeps the
/// last good preview and outputs and shows its diagnostics.
fn rebuild(
    opts: &Options,
    shared: &Shared,
    detected: Instant,
    progress: &Progress,
    cache: &mut crate::typeset::LayoutCache,
    files: &mut crate::project::KeptFiles,
) {
    let (lock, signal) = &**shared;
    let mut published = false;
    let result = build(opts, progress, cache, files, &mut |made, diagnostics| {
        if let Ok(mut st) = lock.lock() {
            publish(&mut st, made, diagnostics, detected);
            published = true;
        }
        signal.notify_all();
    });
    let Ok(mut st) = lock.lock() else { return };
    match result {
        Ok((epub, page_chapter, files, diagnostics)) if published => {
            st.epub = epub;
            st.page_chapter = page_chapter;
            st.diagnostics = diagnostics;
            drop(st);
            let written = crate::pipeline::write(&files, progress);
            if let Ok(mut st) = lock.lock() {
                match written {
                    Ok(()) => st.written = st.builds,
                    Err(e) => {
                        st.ok = false;
                        st.diagnostics.push(Diagnostic::error(None, e));
                    }
                }
            }
        }
        Ok((_, _, _, diagnostics)) | Err(diagnostics) => {
            for d in &diagnostics {
                eprintln!("{}", d.render(false));
            }
            if !published {
                st.builds += 1;
            }
            st.ok = false;
            st.changed_pages.clear();
            st.diagnostics = diagnostics;
            st.last_ms = detected.elapsed().as_secs_f64() * 1000.0;
        }
    }
    signal.notify_all();
}

/// Puts a newly set print edition in the preview: a finished build.
fn publish(st: &mut State, made: Made, diagnostics: Vec<Diagnostic>, detected: Instant) {
    st.builds += 1;
    let new = &made.doc.pages;
    let old: &[crate::display::Page] = st.doc.as_ref().map_or(&[], |d| &d.pages);
    st.changed_pages = (0..new.len())
        .filter(|&i| old.get(i).is_none_or(|o| o.items != new[i].items))
        .map(|i| i + 1)
        .collect();
    if new.len() < old.len() {
        st.changed_pages.push(new.len() + 1);
    }
    // Unchanged pages keep their SVG.
    let keep: std::collections::HashSet<usize> = st.changed_pages.iter().copied().collect();
    st.svg.retain(|i, _| !keep.contains(i) && *i <= new.len());
    st.ok = true;
    st.diagnostics = diagnostics;
    st.doc = Some(made.doc);
    st.page_size = made.page_size;
    st.fonts = made.fonts;
    st.font_css = made.font_css;
    st.images = made.images;
    st.last_ms = detected.elapsed().as_secs_f64() * 1000.0;
}

/// What the print edition gives the preview.
struct Made {
    doc: Arc<Document>,
    page_size: (f64, f64),
    fonts: Vec<&'static [u8]>,
    font_css: String,
    images: Vec<PathBuf>,
}

/// The EPUB's files, the EPUB file of each page, the outputs and the diagnostics.
type Built = (
    HashMap<String, Vec<u8>>,
    Vec<Option<String>>,
    crate::pipeline::Built,
    Vec<Diagnostic>,
);

fn build(
    opts: &Options,
    progress: &Progress,
    cache: &mut crate::typeset::LayoutCache,
    files: &mut crate::project::KeptFiles,
    preview: &mut dyn FnMut(Made, Vec<Diagnostic>),
) -> Result<Built, Vec<Diagnostic>> {
    let (book, diags) = progress.phase("load and check", || {
        crate::project::load_again(&opts.root, files)
    });
    let Some(book) = book.filter(|_| !diags.has_errors()) else {
        return Err(diags.into_sorted());
    };
    let time = Timestamp::from_env().map_err(|e| vec![Diagnostic::error(None, e)])?;
    let targets = Targets {
        pdf: true,
        epub: true,
    };
    let loaded = diags.into_sorted();
    let mut on_typeset = |ts: &crate::typeset::Typeset, found: &crate::diag::Diagnostics| {
        if found.has_errors() {
            return;
        }
        let mut all = loaded.clone();
        all.extend(found.iter().cloned());
        let made = Made {
            doc: ts.doc.clone(),
            page_size: (book.config.pdf.trim_width.0, book.config.pdf.trim_height.0),
            fonts: ts.doc.faces.iter().map(|f| f.data).collect(),
            font_css: svg::font_faces(&ts.doc),
            images: book
                .images
                .iter()
                .map(|i| book.root.join(&i.path))
                .collect(),
        };
        preview(made, all);
    };
    let mut built = crate::pipeline::build_with(
        &book,
        targets,
        &opts.out,
        time,
        progress,
        Some(cache),
        &mut on_typeset,
    )
    .map_err(|e| vec![Diagnostic::error(None, e)])?;
    let mut all = loaded.clone();
    all.extend(built.warnings.iter().cloned());
    if all
        .iter()
        .any(|d| d.severity == crate::diag::Severity::Error)
    {
        return Err(all);
    }
    let doc = built
        .doc
        .take()
        .ok_or_else(|| vec![Diagnostic::error(None, "no print edition was made")])?;
    let epub = built
        .files
        .iter()
        .find(|(p, _)| p.extension().is_some_and(|e| e == "epub"))
        .map(|(_, b)| unzip(b))
        .unwrap_or_default();
    let page_chapter = chapters(&book, &doc, &epub);
    Ok((epub, page_chapter, built, all))
}

/// Page `i` (from 1) of the last good build as a standalone SVG, drawn once.
pub(crate) fn page_svg(st: &mut State, i: usize) -> Option<Arc<String>> {
    if let Some(s) = st.svg.get(&i) {
        return Some(s.clone());
    }
    let doc = st.doc.clone()?;
    let page = doc.pages.get(i.checked_sub(1)?)?;
    let (w, h) = st.page_size;
    let s = Arc::new(svg::page(&doc, page, w, h, true));
    st.svg.insert(i, s.clone());
    Some(s)
}

/// The EPUB's files, by path.
fn unzip(bytes: &[u8]) -> HashMap<String, Vec<u8>> {
    use std::io::Read;
    let mut out = HashMap::new();
    let Ok(mut z) = zip::ZipArchive::new(std::io::Cursor::new(bytes)) else {
        return out;
    };
    for i in 0..z.len() {
        if let Ok(mut f) = z.by_index(i) {
            let name = f.name().map(|n| n.into_owned()).unwrap_or_default();
            let mut b = Vec::new();
            if f.read_to_end(&mut b).is_ok() {
                out.insert(name, b);
            }
        }
    }
    out
}

/// For each page, the EPUB file holding the anchor of its entry.
fn chapters(
    book: &crate::model::Book,
    doc: &Document,
    epub: &HashMap<String, Vec<u8>>,
) -> Vec<Option<String>> {
    let mut by_anchor: HashMap<usize, Option<String>> = HashMap::new();
    doc.pages
        .iter()
        .map(|p| {
            let e = p.entry?;
            by_anchor
                .entry(e)
                .or_insert_with(|| {
                    let needle = format!("id=\"{}\"", book.entries[e].anchor);
                    let mut names: Vec<&String> =
                        epub.keys().filter(|k| k.ends_with(".xhtml")).collect();
                    names.sort();
                    names
                        .into_iter()
                        .find(|k| std::str::from_utf8(&epub[*k]).is_ok_and(|t| t.contains(&needle)))
                        .cloned()
                })
                .clone()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify::event::{AccessKind, AccessMode, CreateKind, DataChange, ModifyKind, RenameMode};
    use notify::{Event, EventKind};

    #[test]
    fn a_finished_save_is_built_sooner_than_a_write_under_way() {
        let after = |k| settle_after(&Event::new(k));
        let done = [
            EventKind::Access(AccessKind::Close(AccessMode::Write)),
            EventKind::Modify(ModifyKind::Name(RenameMode::To)),
            EventKind::Modify(ModifyKind::Name(RenameMode::Both)),
        ];
        let going = [
            EventKind::Modify(ModifyKind::Data(DataChange::Any)),
            EventKind::Create(CreateKind::File),
            EventKind::Modify(ModifyKind::Name(RenameMode::From)),
        ];
        for k in done {
            assert_eq!(after(k), Duration::from_millis(5), "{k:?}");
        }
        for k in going {
            assert_eq!(after(k), Duration::from_millis(20), "{k:?}");
        }
    }
}
