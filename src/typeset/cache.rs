//! Laid-out chunks kept between builds (`watch`), by content: a chunk is found again when
//! everything it is made from — its entries with their blocks, and the settings, notes,
//! pictures and bibliography every chunk may use — prints the same. A changed paragraph
//! lays out its own top-level entry again; the contents, the index, page numbers and running
//! heads are always redone, so the result is what a cold build makes.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::hash::{Hash as _, Hasher as _};

use std::sync::{Arc, Mutex};

use super::pages::Chunk;
use super::paragraph::{Line, ParaStyle};
use super::remarks::Remark;
use crate::model::{Book, Inline, Pos};

/// A top-level entry laid out (none for the contents and index, set later), with what laying
/// it out remarked.
pub(crate) type Laid = (Option<Arc<Chunk>>, Vec<Remark>);

/// Chunks by fingerprint, with what laying each out remarked.
#[derive(Default)]
pub struct LayoutCache {
    chunks: HashMap<u64, Laid>,
    /// Paragraphs, for the chunks laid out again.
    pub(crate) paragraphs: Arc<ParagraphCache>,
    /// Chunks found in the last build.
    pub reused: usize,
    /// Chunks laid out again in the last build.
    pub laid_out: usize,
    /// The chunks the last build replaced, let go when the loop is idle (see
    /// [`LayoutCache::let_go`]).
    retired: Vec<HashMap<u64, Laid>>,
}

impl LayoutCache {
    /// A chunk laid out before from the same input (shared: rendering only reads it).
    pub(crate) fn get(&self, key: u64) -> Option<Laid> {
        self.chunks.get(&key).cloned()
    }

    /// Keeps this build's chunks (and only them: an edited chapter's old layout goes). The
    /// old ones are kept until [`LayoutCache::let_go`]: freeing a long chapter's layout takes
    /// longer than a tenth of laying it out again from set paragraphs, and the preview waits.
    pub(crate) fn replace(&mut self, fresh: HashMap<u64, Laid>) {
        let old = std::mem::replace(&mut self.chunks, fresh);
        self.retired.push(old);
    }

    /// Frees the chunks earlier builds replaced (once the outputs are written).
    pub fn let_go(&mut self) {
        self.retired.clear();
    }
}

type SetParagraph = (Vec<Line>, Vec<Remark>);

/// Set paragraphs by a fingerprint of their text, style, place and the note numbers they
/// print; shared by the threads that lay out chunks. Entries not used by a build are
/// dropped after it.
#[derive(Default)]
pub struct ParagraphCache {
    map: Mutex<HashMap<u64, (SetParagraph, bool)>>,
    /// The settings and fonts every paragraph is set with, this build.
    salt: std::sync::atomic::AtomicU64,
}

impl ParagraphCache {
    pub(crate) fn key(
        &self,
        inlines: &[Inline],
        style: &ParaStyle,
        at: Option<Pos>,
        notes: &[u32],
    ) -> u64 {
        let mut h = std::hash::DefaultHasher::new();
        h.write_u64(self.salt.load(std::sync::atomic::Ordering::Relaxed));
        (inlines, style, at).hash(&mut h);
        // Note references print their numbers.
        for i in inlines {
            if let Inline::NoteRef(n) = i {
                h.write_u32(notes.get(*n as usize).copied().unwrap_or(0));
            }
        }
        h.finish()
    }

    pub(crate) fn get(&self, key: u64) -> Option<SetParagraph> {
        let mut m = self.map.lock().ok()?;
        let (set, used) = m.get_mut(&key)?;
        *used = true;
        Some(set.clone())
    }

    pub(crate) fn put(&self, key: u64, lines: Vec<Line>, remarks: Vec<Remark>) {
        if let Ok(mut m) = self.map.lock() {
            m.insert(key, ((lines, remarks), true));
        }
    }

    /// Starts a build with these settings (language, hyphenation, …) and font files: a
    /// paragraph set with others is not found.
    pub(crate) fn begin(&self, book: &Book, faces: &[crate::display::Face]) {
        let mut h = HashWriter(std::hash::DefaultHasher::new());
        let _ = write!(h, "{:?}", book.config);
        for f in faces {
            h.0.write(f.data);
            h.0.write_u32(f.index);
        }
        self.salt
            .store(h.0.finish(), std::sync::atomic::Ordering::Relaxed);
    }

    /// Drops what the last build did not use, and starts counting use again.
    pub(crate) fn sweep(&self) {
        if let Ok(mut m) = self.map.lock() {
            m.retain(|_, (_, used)| std::mem::take(used));
        }
    }
}

/// A hasher fed by `Debug` formatting, without building the string.
struct HashWriter(std::hash::DefaultHasher);

impl std::fmt::Write for HashWriter {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.0.write(s.as_bytes());
        Ok(())
    }
}

/// What every chunk may depend on besides its own entries.
pub(crate) fn book_fingerprint(book: &Book) -> u64 {
    let mut h = HashWriter(std::hash::DefaultHasher::new());
    let _ = write!(
        h,
        "{:?}{:?}{:?}{:?}{:?}{}",
        book.config,
        book.notes,
        book.images,
        book.bibliography,
        book.ordering_blocks,
        book.entries.len()
    );
    h.0.finish()
}

/// The fingerprint of top-level entry `top`'s chunk: the book's, its index, and its entries
/// (it and those nested in it) as the model holds them.
pub(crate) fn chunk_fingerprint(book: &Book, top: usize, global: u64) -> u64 {
    let end = (top + 1..book.entries.len())
        .find(|&i| book.entries[i].depth == 0)
        .unwrap_or(book.entries.len());
    let mut h = std::hash::DefaultHasher::new();
    (global, top, &book.entries[top..end]).hash(&mut h);
    h.finish()
}
