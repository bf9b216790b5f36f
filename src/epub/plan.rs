//! Which content goes in which XHTML file: one file per top-level entry, split further at a
//! nested entry when a file would pass about 300 KB; and the names of images and fonts.

use std::collections::HashMap;
use std::path::PathBuf;

use crate::model::{Book, Division, EntryKind, ImageId, epub_files};

/// Files larger than this (estimated) are split at the next nested entry.
const SPLIT_BYTES: usize = 300 * 1024;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    Cover,
    TitlePage,
    Copyright,
    /// nav.xhtml, in the spine where `@contents` is.
    Nav,
    Index,
    Ordering,
    /// The list of illustrations.
    Figures,
    /// The bibliography (`@bibliography`).
    Bibliography,
    /// The book's notes (`@notes`).
    Notes,
    /// Entries of the outline (documents and groups).
    Text,
}

#[derive(Debug, Clone)]
pub struct PlannedFile {
    /// File name inside EPUB/, e.g. `chapter-1.xhtml`.
    pub name: String,
    pub kind: FileKind,
    pub division: Division,
    /// The outline entries written in this file, in order.
    pub entries: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct Plan {
    pub files: Vec<PlannedFile>,
    /// The file that holds each outline entry.
    pub file_of_entry: Vec<usize>,
    /// Image path (project-relative) → name inside EPUB/ (`images/…`).
    pub image_names: HashMap<PathBuf, String>,
    image_of_id: Vec<String>,
    /// The cover image's name inside EPUB/, if any.
    pub cover_image: Option<String>,
}

impl Plan {
    /// `cover`: the format of the cover picture, when the EPUB has one.
    pub fn new(book: &Book, cover: Option<crate::model::ImageFormat>) -> Plan {
        let has_cover = cover.is_some();
        let mut files: Vec<PlannedFile> = Vec::new();
        if has_cover {
            files.push(PlannedFile {
                name: epub_files::COVER.into(),
                kind: FileKind::Cover,
                division: Division::Front,
                entries: vec![],
            });
        }
        files.push(PlannedFile {
            name: epub_files::TITLE_PAGE.into(),
            kind: FileKind::TitlePage,
            division: Division::Front,
            entries: vec![],
        });
        files.push(PlannedFile {
            name: epub_files::COPYRIGHT.into(),
            kind: FileKind::Copyright,
            division: Division::Front,
            entries: vec![],
        });
        let mut file_of_entry = vec![usize::MAX; book.entries.len()];
        let mut size = 0usize;
        for (i, e) in book.entries.iter().enumerate() {
            let special = match e.kind {
                EntryKind::Contents => Some((FileKind::Nav, epub_files::NAV.to_string())),
                EntryKind::Index => Some((FileKind::Index, format!("{}.xhtml", e.anchor))),
                EntryKind::Figures => Some((FileKind::Figures, format!("{}.xhtml", e.anchor))),
                EntryKind::Bibliography => {
                    Some((FileKind::Bibliography, format!("{}.xhtml", e.anchor)))
                }
                EntryKind::Notes => Some((FileKind::Notes, format!("{}.xhtml", e.anchor))),
                EntryKind::Ordering => Some((FileKind::Ordering, format!("{}.xhtml", e.anchor))),
                _ => None,
            };
            let est = match &e.kind {
                EntryKind::Document(d) => book
                    .sources
                    .get(d.file as usize)
                    .map_or(0, |s| s.len() * 5 / 4),
                _ => 200,
            };
            let continue_current = special.is_none()
                && e.depth > 0
                && files.last().is_some_and(|f| f.kind == FileKind::Text)
                && size + est <= SPLIT_BYTES;
            if continue_current {
                size += est;
                let last = files.len() - 1;
                files[last].entries.push(i);
                file_of_entry[i] = last;
                continue;
            }
            let (kind, name) = special.unwrap_or((FileKind::Text, format!("{}.xhtml", e.anchor)));
            files.push(PlannedFile {
                name,
                kind,
                division: e.division,
                entries: vec![i],
            });
            file_of_entry[i] = files.len() - 1;
            size = est;
        }
        let mut image_names: HashMap<PathBuf, String> = HashMap::new();
        let mut taken: HashMap<String, usize> = HashMap::new();
        let mut image_of_id = Vec::with_capacity(book.images.len());
        for img in &book.images {
            let name = image_names
                .entry(img.path.clone())
                .or_insert_with(|| {
                    let stem = img
                        .path
                        .file_stem()
                        .map(|s| crate::model::slugify(&s.to_string_lossy()))
                        .unwrap_or_default();
                    let n = taken.entry(stem.clone()).or_insert(0);
                    *n += 1;
                    let stem = if *n == 1 { stem } else { format!("{stem}-{n}") };
                    format!("images/{stem}.{}", img.format.extension())
                })
                .clone();
            image_of_id.push(name);
        }
        let cover_image = cover.map(|f| format!("images/cover.{}", f.extension()));
        Plan {
            files,
            file_of_entry,
            image_names,
            image_of_id,
            cover_image,
        }
    }

    pub fn image_href(&self, id: ImageId) -> String {
        self.image_of_id
            .get(id as usize)
            .cloned()
            .unwrap_or_default()
    }

    /// The file that holds a heading id or entry anchor.
    pub fn file_of_id(&self, book: &Book, id: &str) -> Option<usize> {
        book.targets.get(id).map(|t| self.file_of_entry[t.entry])
    }

    pub fn file_of_kind(&self, kind: FileKind) -> Option<usize> {
        self.files.iter().position(|f| f.kind == kind)
    }
}
