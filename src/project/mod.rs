//! Loading: reads and checks everything the author wrote (and nothing outside the project),
//! and builds the [`Book`]. Every problem is reported, not only the first; a book is returned
//! only when there are no errors.

mod cite;
mod config;
mod contents;
mod html;
mod index_toml;
mod introspect;
mod kept;
mod limits;
mod markdown;
pub(crate) mod paths;
mod standard;
mod tomlcheck;

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use crate::diag::{Diagnostics, Location, SourceFile, line_col_bytes};
use crate::model::{
    Block, Book, Config, Division, Document, Entry, EntryKind, ImageFormat, ImageInfo, Index,
    Inline, LinkTarget, Pos, Target,
};
use contents::RawTarget;
pub use kept::KeptFiles;

/// The project's manuscript folder.
pub const MANUSCRIPT: &str = "manuscript";

/// Loads and checks a book project. The book is `None` when there are errors.
pub fn load(root: &Path) -> (Option<Book>, Diagnostics) {
    load_kept(root, None)
}

/// [`load`], taking from `kept` the files that have not changed since the last load with it
/// (see [`KeptFiles`]).
pub fn load_again(root: &Path, kept: &mut KeptFiles) -> (Option<Book>, Diagnostics) {
    load_kept(root, Some(kept))
}

fn load_kept(root: &Path, mut kept: Option<&mut KeptFiles>) -> (Option<Book>, Diagnostics) {
    let mut diags = Diagnostics::new();
    if let Some(k) = kept.as_deref_mut() {
        k.begin();
    }
    let book = Loader {
        root: root.to_path_buf(),
        sources: Vec::new(),
        diags: &mut diags,
        total: 0,
        reported_total: false,
        kept,
    }
    .run();
    if diags.has_errors() {
        (None, diags)
    } else {
        (book, diags)
    }
}

struct Loader<'d> {
    root: PathBuf,
    sources: Vec<SourceFile>,
    diags: &'d mut Diagnostics,
    /// Bytes of text read so far, against the book's limit.
    total: u64,
    reported_total: bool,
    /// The texts of the last load, in a loop that loads again after every change.
    kept: Option<&'d mut KeptFiles>,
}

impl Loader<'_> {
    /// Reads a project file as UTF-8 (a byte-order mark is dropped). Reports and returns
    /// `None` when it is missing, not a file, or not UTF-8.
    fn read(&mut self, rel: &Path, missing: Option<(Location, String, String)>) -> Option<u32> {
        let full = self.root.join(rel);
        let meta = std::fs::metadata(&full).ok();
        let size = meta.as_ref().map_or(0, |m| m.len());
        if size > limits::MAX_FILE_BYTES {
            let at = missing.map_or_else(|| Location::file(rel), |m| m.0);
            self.diags.error_hint(
                Some(at),
                format!(
                    "{} is {} MiB; a manuscript file may be at most {}",
                    crate::diag::display_path(rel),
                    size >> 20,
                    limits::mib(limits::MAX_FILE_BYTES)
                ),
                "split it into several files (one per chapter) and list them in contents.md",
            );
            return None;
        }
        self.total += size;
        if self.total > limits::MAX_BOOK_BYTES {
            if !self.reported_total {
                self.reported_total = true;
                let at = missing.map_or_else(|| Location::file(rel), |m| m.0);
                self.diags.error_hint(
                    Some(at),
                    format!(
                        "the book's text passes {} with {}",
                        limits::mib(limits::MAX_BOOK_BYTES),
                        crate::diag::display_path(rel)
                    ),
                    "a book of this size is several volumes: make a project for each",
                );
            }
            return None;
        }
        if let (Some(kept), Some(meta)) = (self.kept.as_deref_mut(), meta.as_ref())
            && let Some(text) = kept.take(&full, meta)
        {
            self.sources.push(SourceFile::new(rel, text));
            return Some((self.sources.len() - 1) as u32);
        }
        let bytes = match std::fs::read(&full) {
            Ok(b) => b,
            Err(e) => {
                let (at, msg, hint) = missing.unwrap_or_else(|| {
                    (
                        Location::file(rel),
                        format!("cannot read {}: {e}", crate::diag::display_path(rel)),
                        "check the file's permissions".to_string(),
                    )
                });
                if e.kind() == std::io::ErrorKind::NotFound || full.is_dir() {
                    self.diags.error_hint(Some(at), msg, hint);
                } else {
                    self.diags.error_hint(
                        Some(at),
                        format!("cannot read {}: {e}", crate::diag::display_path(rel)),
                        "check the file's permissions",
                    );
                }
                return None;
            }
        };
        let bytes = bytes
            .strip_prefix(b"\xef\xbb\xbf")
            .map(<[u8]>::to_vec)
            .unwrap_or(bytes);
        match String::from_utf8(bytes) {
            Ok(text) => {
                if let (Some(kept), Some(meta)) = (self.kept.as_deref_mut(), meta.as_ref()) {
                    kept.keep(&full, meta, &text);
                }
                self.sources.push(SourceFile::new(rel, text));
                Some((self.sources.len() - 1) as u32)
            }
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let (line, col) = line_col_bytes(e.as_bytes(), at);
                self.diags.error_hint(
                    Some(Location::new(rel, line, col)),
                    "the file is not valid UTF-8",
                    "save the file as UTF-8 (most editors have an \"encoding\" setting); the byte at this place is not UTF-8",
                );
                None
            }
        }
    }

    fn run(mut self) -> Option<Book> {
        if !self.root.is_dir() {
            self.diags.error_hint(
                None,
                format!("{} is not a directory", self.root.display()),
                "pass the book project's folder with -C DIR, or run `bookbuild init DIR` to start one",
            );
            return None;
        }
        if let Ok(real) = self.root.canonicalize() {
            self.root = real;
        }
        let config_id = self.read(
            Path::new("build.toml"),
            Some((
                Location::file("build.toml"),
                format!("no build.toml in {}", self.root.display()),
                "a book project has build.toml at its root: run `bookbuild init DIR` to create one, or pass the project with -C DIR".to_string(),
            )),
        );
        let config = config_id.and_then(|id| config::load(&self.sources[id as usize], self.diags));
        // The citation style's locales take a while to decode: meanwhile the files are read.
        let locales = config
            .as_ref()
            .is_some_and(|c| c.bibliography.is_some())
            .then(|| std::thread::spawn(hayagriva::archive::locales));
        self.check_fonts(config.as_ref());

        let contents_rel = Path::new(MANUSCRIPT).join("contents.md");
        let contents_id = self.read(
            &contents_rel,
            Some((
                Location::file(&contents_rel),
                "manuscript/contents.md is missing".to_string(),
                "it lists the book's files in reading order; `bookbuild init DIR` shows an example"
                    .to_string(),
            )),
        )?;
        let raw = contents::parse(&self.sources[contents_id as usize], self.diags);
        let mut entries = self.outline(raw, contents_id, config.as_ref());
        self.check_notes_place(config.as_ref(), config_id, &entries);

        // Index terms first: markers in the text are matched against them.
        let index_rel = Path::new(MANUSCRIPT).join("index.toml");
        let mut index = Index::default();
        let has_index_toml = self.root.join(&index_rel).exists();
        if has_index_toml && let Some(id) = self.read(&index_rel, None) {
            index.entries = index_toml::load(&self.sources[id as usize], id, self.diags);
        }

        let mut refs = self.references(config.as_ref(), config_id);
        let mut shared = self.documents(&mut entries, contents_id, config.as_ref(), refs.as_ref());
        if let (Some(r), Some(decoded), Some(c)) = (refs.as_mut(), locales, config.as_ref()) {
            self.locales(r, decoded, c, config_id);
        }
        let bibliography =
            self.citations(refs.as_ref(), config.as_ref(), &mut entries, &mut shared);
        self.unlisted_files(&entries);
        if config.as_ref().is_some_and(|c| c.book.numbering) {
            number_entries(&mut entries);
        }
        let numbered = config.as_ref().is_some_and(|c| c.book.figure_numbers);
        number_figures(&mut entries, &mut shared, numbered);

        let mut targets = self.cross_references(&mut entries, &mut shared);
        bibliography_targets(&mut targets, &entries, &bibliography);

        let images = self.images(&shared.image_refs);
        let covers = self.covers();

        let mut bibliography = bibliography;
        self.index_hits(
            &mut index,
            &mut entries,
            &mut shared,
            &mut bibliography,
            &contents_rel,
        );
        for e in &mut entries {
            if let EntryKind::Document(d) = &mut e.kind {
                crate::model::shrink_blocks(&mut d.blocks);
            }
        }

        let config = config?;
        let ordering_blocks = match (&config.ordering, config_id) {
            (Some(o), Some(cid)) => self.embedded_markdown(cid, &o.text, o.text_offset, "ordering"),
            _ => Vec::new(),
        };
        let back_cover_blocks = match (&config.cover.back_text, config_id) {
            (Some(t), Some(cid)) => {
                self.embedded_markdown(cid, t, config.cover.back_text_offset, "back-cover")
            }
            _ => Vec::new(),
        };
        let output_profile = config.pdf.standard.x.and_then(|_| {
            standard::output_profile(
                &self.root,
                &config,
                config_id.map(|id| &self.sources[id as usize]),
                self.diags,
            )
        });
        if config.pdf.standard.x == Some(crate::model::PdfX::X1a) {
            standard::check_x1a(&self.root, &images, &covers, self.diags);
        }
        if self.diags.has_errors() {
            return None;
        }
        Some(Book {
            root: self.root,
            config,
            sources: self.sources,
            entries,
            notes: shared.notes,
            images,
            targets,
            index,
            ordering_blocks,
            back_cover_blocks,
            covers,
            bibliography,
            output_profile,
        })
    }

    /// Parses every file of the outline into its entry; `Shared` holds what they share (notes,
    /// index markers, images, ids and links to check).
    fn documents(
        &mut self,
        entries: &mut [Entry],
        contents_id: u32,
        config: Option<&Config>,
        refs: Option<&cite::Refs>,
    ) -> markdown::Shared {
        let cite = config
            .and_then(|c| c.bibliography.as_ref())
            .map(|_| cite::CiteParse {
                keys: refs.map(|r| r.library.keys().map(str::to_string).collect()),
                closest: refs
                    .map(|r| r.library.keys().map(str::to_string).collect())
                    .unwrap_or_default(),
                note_style: refs.is_some_and(cite::Refs::note_style),
            });
        let book_numbering = config
            .is_some_and(|c| c.notes.numbering == crate::model::NoteNumbering::Book)
            .then_some(0);
        let mut shared = markdown::Shared {
            root: self.root.clone(),
            cite,
            book_numbering,
            ..Default::default()
        };
        for e in entries.iter() {
            if let EntryKind::Document(d) = &e.kind {
                shared.file_anchors.insert(d.path.clone(), e.anchor.clone());
            }
        }
        for (i, entry) in entries.iter_mut().enumerate() {
            let EntryKind::Document(doc) = &mut entry.kind else {
                continue;
            };
            let at = self.sources[contents_id as usize].location(entry.pos.offset as usize);
            let missing = (
                at,
                format!("{} does not exist", crate::diag::display_path(&doc.path)),
                "create the file, or fix the path in contents.md (paths are relative to manuscript/)".to_string(),
            );
            let Some(file_id) = self.read(&doc.path, Some(missing)) else {
                continue;
            };
            let ctx = markdown::FileCtx {
                file_id,
                source: &self.sources[file_id as usize],
                entry: i,
                anchor: &entry.anchor,
                dir: doc.path.parent().map(Path::to_path_buf).unwrap_or_default(),
            };
            let parsed = markdown::parse(&ctx, &mut shared, self.diags);
            if parsed.heading.is_none() && parsed.blocks.is_empty() {
                self.diags.warning_hint(
                    Some(Location::file(&doc.path)),
                    "the file is empty",
                    "its contents title is printed on a page of its own; add the text, or remove the entry from contents.md",
                );
            }
            doc.file = file_id;
            doc.heading = parsed.heading;
            doc.blocks = parsed.blocks;
        }
        shared
    }

    /// Notes gathered at the back need a place in contents.md.
    fn check_notes_place(
        &mut self,
        config: Option<&Config>,
        config_id: Option<u32>,
        entries: &[Entry],
    ) {
        if let Some(c) = config
            && c.notes.placement == crate::model::NotePlacement::Book
            && !entries.iter().any(|e| matches!(e.kind, EntryKind::Notes))
        {
            let at =
                config_id.map(|id| self.sources[id as usize].location(c.notes.placement_offset));
            self.diags.error_hint(
                at,
                "[notes] placement = \"book\" needs a place for the notes",
                "add - [Notes](@notes) to contents.md, in the back matter",
            );
        }
    }

    /// `[bibliography]`: the reference files read into one library, and the style and locale
    /// resolved. `None` when the book does not cite or something there is wrong (reported).
    fn references(
        &mut self,
        config: Option<&Config>,
        config_id: Option<u32>,
    ) -> Option<cite::Refs> {
        let bib = config?.bibliography.as_ref()?;
        let config_id = config_id?;
        let before = self.diags.error_count();
        let at = |loader: &Self, offset: usize| loader.sources[config_id as usize].location(offset);
        let mut library = hayagriva::Library::new();
        let mut defined_at = HashMap::new();
        for (path, offset) in &bib.files {
            let rel = match paths::resolve(&self.root, Path::new(""), path) {
                Ok(r) => r,
                Err(e) => {
                    let loc = at(self, *offset);
                    self.diags.error_hint(
                        Some(loc),
                        format!("[bibliography] files: {e}"),
                        "name the file by its path in the project, e.g. \"references.bib\"",
                    );
                    continue;
                }
            };
            let missing = (
                at(self, *offset),
                format!("the reference file {path} does not exist"),
                "put it in the project, or fix its path in [bibliography] files (paths are relative to the project)".to_string(),
            );
            if let Some(id) = self.read(&rel, Some(missing)) {
                cite::library::read_file(
                    &self.sources[id as usize],
                    id,
                    &mut library,
                    &mut defined_at,
                    self.diags,
                );
            }
        }
        let style_at = (bib.style_offset > 0).then(|| at(self, bib.style_offset));
        let csl = if bib.style.to_ascii_lowercase().ends_with(".csl") {
            let rel = paths::resolve(&self.root, Path::new(""), &bib.style).ok();
            let missing = (
                style_at
                    .clone()
                    .unwrap_or_else(|| Location::file("build.toml")),
                format!("the citation style {} does not exist", bib.style),
                "put the .csl file in the project, or name a bundled style".to_string(),
            );
            match rel.and_then(|r| self.read(&r, Some(missing))) {
                Some(id) => Some(id),
                None => return None,
            }
        } else {
            None
        };
        let style = {
            let csl_src = csl.map(|id| &self.sources[id as usize]);
            cite::library::style(
                &bib.style,
                csl_src.map(|s| (s, s.text.as_str())),
                style_at,
                self.diags,
            )
        };
        if self.diags.error_count() > before {
            return None;
        }
        let style = style?;
        let mut citation_style = style.clone();
        citation_style.bibliography = None;
        Some(cite::Refs {
            library,
            style,
            citation_style,
            // Set when the locales are decoded (see `locales`).
            locale: hayagriva::citationberg::LocaleCode("en-US".into()),
            locales: Vec::new(),
            defined_at,
        })
    }

    /// The locale of the citation style's terms, from the locales decoded meanwhile.
    fn locales(
        &mut self,
        refs: &mut cite::Refs,
        decoded: std::thread::JoinHandle<Vec<hayagriva::citationberg::Locale>>,
        config: &Config,
        config_id: Option<u32>,
    ) {
        let Some(bib) = config.bibliography.as_ref() else {
            return;
        };
        let all = decoded.join().unwrap_or_default();
        let at = config_id
            .filter(|_| bib.locale_offset > 0)
            .map(|id| self.sources[id as usize].location(bib.locale_offset));
        let (locale, locales) = cite::library::locale(
            all,
            bib.locale.as_deref(),
            &config.book.language,
            at,
            self.diags,
        );
        refs.locale = locale;
        refs.locales = locales;
    }

    /// Formats the citations found (in place of their placeholders, or as their notes) and
    /// returns the bibliography; the entries it lists get their anchors as link targets.
    fn citations(
        &mut self,
        refs: Option<&cite::Refs>,
        config: Option<&Config>,
        entries: &mut [Entry],
        shared: &mut markdown::Shared,
    ) -> Vec<crate::model::BibItem> {
        let bib_entry = entries
            .iter()
            .position(|e| matches!(e.kind, EntryKind::Bibliography));
        let settings = config.and_then(|c| c.bibliography.as_ref());
        let (Some(refs), Some(settings)) = (refs, settings) else {
            return Vec::new();
        };
        if bib_entry.is_none() {
            let at = self
                .sources
                .iter()
                .find(|s| s.path == Path::new("build.toml"))
                .map(|s| s.location(settings.offset));
            self.diags.warning_hint(
                at,
                "the book has references but no bibliography",
                "add - [Bibliography](@bibliography) to contents.md where it should be printed",
            );
        }
        let tops: Vec<usize> = {
            let mut top = 0;
            entries
                .iter()
                .enumerate()
                .map(|(i, e)| {
                    if e.depth == 0 {
                        top = i;
                    }
                    top
                })
                .collect()
        };
        let resolved = cite::resolve(
            refs,
            &shared.cites,
            &shared.notes,
            &|e| tops.get(e).copied().unwrap_or(e),
            bib_entry.is_some(),
            settings.uncited,
        );
        for e in entries.iter_mut() {
            if let EntryKind::Document(d) = &mut e.kind {
                cite::fill(&mut d.blocks, &resolved.text);
                if let Some(h) = &mut d.heading {
                    let mut one = vec![Block::Heading(h.clone())];
                    cite::fill(&mut one, &resolved.text);
                    if let Some(Block::Heading(filled)) = one.pop() {
                        *h = filled;
                    }
                }
            }
        }
        for n in &mut shared.notes {
            cite::fill(&mut n.blocks, &resolved.text);
        }
        for (site, text) in shared.cites.iter().zip(resolved.note_text) {
            if let (Some(note), Some(text)) = (site.note, text) {
                shared.notes[note as usize].blocks = vec![Block::Para(crate::model::Para {
                    inlines: text,
                    pos: site.pos,
                })];
            }
        }
        self.check_entries(refs, &resolved.bibliography);
        resolved.bibliography
    }

    /// An entry the style cannot format well (no title) is a warning at the entry.
    fn check_entries(&mut self, refs: &cite::Refs, listed: &[crate::model::BibItem]) {
        for item in listed {
            let Some(entry) = refs.get(&item.key) else {
                continue;
            };
            if entry.title().is_none() {
                let at = refs
                    .defined_at
                    .get(&item.key)
                    .map(|(f, o)| self.sources[*f as usize].location(*o));
                self.diags.warning_hint(
                    at,
                    format!(
                        "the reference \"{}\" has no title: the style prints it incompletely",
                        item.key
                    ),
                    "add a title field to the entry",
                );
            }
        }
    }

    /// The targets of cross-references (entry anchors and heading ids), every `#id` link
    /// checked against them, and `[](#id)` links given their target's title.
    fn cross_references(
        &mut self,
        entries: &mut [Entry],
        shared: &mut markdown::Shared,
    ) -> HashMap<String, Target> {
        let mut targets: HashMap<String, Target> = HashMap::new();
        for (i, e) in entries.iter().enumerate() {
            targets.insert(
                e.anchor.clone(),
                Target {
                    entry: i,
                    title: e.title.clone(),
                    pos: e.pos,
                },
            );
        }
        for (id, (entry, title, pos, _)) in &shared.ids {
            targets.insert(
                id.clone(),
                Target {
                    entry: *entry,
                    title: title.clone(),
                    pos: *pos,
                },
            );
        }
        for (id, pos) in &shared.internal_links {
            if !targets.contains_key(id) {
                let names: Vec<&str> = shared.ids.keys().map(String::as_str).collect();
                let hint = match tomlcheck::closest(id, &names) {
                    Some(c) => {
                        format!("did you mean #{c}? Give the heading an id with ## Title {{#{id}}}")
                    }
                    None => format!("give the heading you mean an id: ## Title {{#{id}}}"),
                };
                let at = self.sources[pos.file as usize].location(pos.offset as usize);
                self.diags.error_hint(
                    Some(at),
                    format!("broken cross-reference: no heading has the id #{id}"),
                    hint,
                );
            }
        }
        for e in entries.iter_mut() {
            if let EntryKind::Document(d) = &mut e.kind {
                fill_empty_links(&mut d.blocks, &targets);
            }
        }
        for n in &mut shared.notes {
            fill_empty_links(&mut n.blocks, &targets);
        }
        targets
    }

    /// The index: markers resolved to entries (warning about terms index.toml does not
    /// have), then every match phrase found in the text; terms that match nothing reported.
    fn index_hits(
        &mut self,
        index: &mut Index,
        entries: &mut [Entry],
        shared: &mut markdown::Shared,
        bibliography: &mut [crate::model::BibItem],
        contents_rel: &Path,
    ) {
        index.hits = std::mem::take(&mut shared.hits);
        let marker_refs: Vec<crate::index::hits::MarkerRef<'_>> = shared
            .markers
            .iter()
            .map(|m| crate::index::hits::MarkerRef {
                hit: m.hit,
                path: &m.path,
                pos: m.pos,
            })
            .collect();
        let toml_terms = !index.entries.is_empty();
        let unknown = crate::index::hits::resolve_markers(index, &marker_refs);
        if toml_terms {
            for pos in unknown {
                let at = self.sources[pos.file as usize].location(pos.offset as usize);
                self.diags.warning_hint(
                    Some(at),
                    "index marker names a term that is not in index.toml",
                    "it is indexed as a new entry; add the term to manuscript/index.toml (or fix its spelling) to silence this",
                );
            }
        }
        crate::index::hits::find(entries, &mut shared.notes, bibliography, index);
        self.unmatched_terms(index);
        let has_index_page = entries.iter().any(|e| matches!(e.kind, EntryKind::Index));
        if !index.entries.is_empty() && !has_index_page {
            self.diags.warning_hint(
                Some(Location::file(contents_rel)),
                "the book has index terms but contents.md has no [Index](@index) entry",
                "add \"- [Index](@index)\" under # Back matter, or the index is not printed",
            );
        }
    }

    /// contents.md entries → outline entries, with every file and generated entry checked.
    fn outline(
        &mut self,
        raw: Vec<contents::RawEntry>,
        contents_id: u32,
        config: Option<&Config>,
    ) -> Vec<Entry> {
        let src = contents_id as usize;
        let mut entries = Vec::new();
        let mut seen_files: HashMap<PathBuf, usize> = HashMap::new();
        let mut seen_generated: HashMap<&'static str, usize> = HashMap::new();
        // File names the EPUB uses for generated documents are not available as anchors.
        let mut anchors: HashSet<String> = crate::model::epub_files::ALL
            .iter()
            .map(|f| crate::model::epub_files::stem(f).to_string())
            .collect();
        for (i, r) in raw.iter().enumerate() {
            let pos = Pos {
                file: contents_id,
                offset: r.offset as u32,
            };
            let at = self.sources[src].location(r.target_offset);
            let mut generated =
                |name: &'static str, diags: &mut Diagnostics, sources: &[SourceFile]| {
                    if let Some(prev) = seen_generated.insert(name, r.offset) {
                        let (line, _) = sources[src].line_col(prev);
                        diags.error_hint(
                            Some(at.clone()),
                            format!("@{name} appears twice in contents.md (first on line {line})"),
                            "each generated entry may appear at most once",
                        );
                    }
                };
            let (kind, anchor_base) = match &r.target {
                RawTarget::Group => {
                    let has_children = raw.get(i + 1).is_some_and(|n| n.depth > r.depth);
                    if !has_children && !r.title.is_empty() {
                        self.diags.warning_hint(
                            Some(at.clone()),
                            format!("\"{}\" is a grouping entry with nothing under it", r.title),
                            "link it to a file, \"- [Title](file.md)\", or nest entries under it",
                        );
                    }
                    (
                        EntryKind::Group,
                        format!("part-{}", crate::model::slugify(&r.title)),
                    )
                }
                RawTarget::Contents => {
                    generated("contents", self.diags, &self.sources);
                    (EntryKind::Contents, "contents".to_string())
                }
                RawTarget::Figures => {
                    generated("figures", self.diags, &self.sources);
                    (EntryKind::Figures, "figures".to_string())
                }
                RawTarget::Bibliography => {
                    generated("bibliography", self.diags, &self.sources);
                    if config.is_some_and(|c| c.bibliography.is_none()) {
                        self.diags.error_hint(
                            Some(at.clone()),
                            "@bibliography needs the book's references",
                            "add [bibliography] with files = [\"references.bib\"] to build.toml",
                        );
                    }
                    (EntryKind::Bibliography, "bibliography".to_string())
                }
                RawTarget::Notes => {
                    generated("notes", self.diags, &self.sources);
                    if config
                        .is_some_and(|c| c.notes.placement != crate::model::NotePlacement::Book)
                    {
                        self.diags.error_hint(
                            Some(at.clone()),
                            "@notes gathers the notes only with [notes] placement = \"book\"",
                            "add [notes] placement = \"book\" to build.toml, or remove @notes",
                        );
                    }
                    (EntryKind::Notes, "notes".to_string())
                }
                RawTarget::Index => {
                    generated("index", self.diags, &self.sources);
                    (EntryKind::Index, "index".to_string())
                }
                RawTarget::Ordering => {
                    generated("ordering", self.diags, &self.sources);
                    if config.is_some_and(|c| c.ordering.is_none()) {
                        self.diags.error_hint(
                            Some(at.clone()),
                            "@ordering needs an [ordering] section in build.toml",
                            "add [ordering] with title = \"How to get the book\" and text = \"\"\"…\"\"\" (Markdown)",
                        );
                    }
                    (EntryKind::Ordering, "ordering".to_string())
                }
                RawTarget::File(dest) => {
                    match self.file_entry(dest, &at, r.offset, src, &mut seen_files) {
                        Some(k) => k,
                        None => continue,
                    }
                }
            };
            let mut anchor = anchor_base.clone();
            let mut n = 1;
            while !anchors.insert(anchor.clone()) {
                n += 1;
                anchor = format!("{anchor_base}-{n}");
            }
            entries.push(Entry {
                division: r.division,
                depth: r.depth,
                title: r.title.clone(),
                kind,
                anchor,
                pos,
            });
        }
        if config.is_some_and(|c| c.book.contents_auto) {
            Self::auto_contents(&mut entries, contents_id);
        }
        entries
    }

    /// A file entry of contents.md: the path checked (inside the project, listed once, an
    /// existing file) and its anchor made from its path. `None` after an error.
    fn file_entry(
        &mut self,
        dest: &str,
        at: &Location,
        offset: usize,
        src: usize,
        seen_files: &mut HashMap<PathBuf, usize>,
    ) -> Option<(EntryKind, String)> {
        match paths::resolve(&self.root, Path::new(MANUSCRIPT), dest) {
            Err(e) => {
                self.diags.error_hint(
                    Some(at.clone()),
                    e,
                    "paths in contents.md are relative to manuscript/ and stay inside the project",
                );
                None
            }
            Ok(rel) => {
                if let Some(prev) = seen_files.insert(rel.clone(), offset) {
                    let (line, _) = self.sources[src].line_col(prev);
                    self.diags.error_hint(
                        Some(at.clone()),
                        format!(
                            "{} is listed twice in contents.md (first on line {line})",
                            crate::diag::display_path(&rel)
                        ),
                        "each file appears once; split it if it belongs in two places",
                    );
                    return None;
                }
                if !self.root.join(&rel).is_file() {
                    let msg = if self.root.join(&rel).is_dir() {
                        format!(
                            "{} is a folder, not a Markdown file",
                            crate::diag::display_path(&rel)
                        )
                    } else {
                        format!("{} does not exist", crate::diag::display_path(&rel))
                    };
                    self.diags.error_hint(Some(at.clone()), msg, "create the file, or fix the path in contents.md (paths are relative to manuscript/)");
                    return None;
                }
                let stem = rel
                    .strip_prefix(MANUSCRIPT)
                    .unwrap_or(&rel)
                    .with_extension("");
                let anchor = crate::model::slugify(&stem.to_string_lossy());
                Some((
                    EntryKind::Document(Document {
                        path: rel,
                        file: 0,
                        heading: None,
                        blocks: Vec::new(),
                    }),
                    anchor,
                ))
            }
        }
    }

    /// `[book] contents = "auto"`: a contents page after the front matter, when contents.md
    /// lists none.
    fn auto_contents(entries: &mut Vec<Entry>, contents_id: u32) {
        if entries
            .iter()
            .any(|e| matches!(e.kind, EntryKind::Contents))
        {
            return;
        }
        let at = entries
            .iter()
            .position(|e| e.division != Division::Front)
            .unwrap_or(entries.len());
        entries.insert(
            at,
            Entry {
                division: Division::Front,
                depth: 0,
                title: "Contents".to_string(),
                kind: EntryKind::Contents,
                anchor: "contents".to_string(),
                pos: Pos {
                    file: contents_id,
                    offset: 0,
                },
            },
        );
    }

    fn check_fonts(&mut self, config: Option<&Config>) {
        let (faces, problems) = crate::fonts::discover(&self.root);
        for (path, problem) in problems {
            self.diags.error_hint(
                Some(Location::file(&path)),
                format!("{} {problem}", crate::diag::display_path(&path)),
                "put TrueType (.ttf) or OpenType (.otf) files in fonts/",
            );
        }
        let Some(config) = config else { return };
        let families = crate::fonts::families(&faces);
        let config_file = self
            .sources
            .iter()
            .find(|s| s.path == Path::new("build.toml"));
        let check = |name: &str, offset: usize, diags: &mut Diagnostics| {
            if !families.iter().any(|f| f.eq_ignore_ascii_case(name)) {
                let at = config_file.map(|f| f.location(offset));
                diags.error_hint(
                    at,
                    format!("font family \"{name}\" is not available"),
                    format!(
                        "the families available are: {} (add .ttf/.otf files to fonts/ for more)",
                        families.join(", ")
                    ),
                );
            }
        };
        check(&config.fonts.body, config.fonts.body_offset, self.diags);
        for f in &config.fonts.fallback {
            check(f, config.fonts.fallback_offset, self.diags);
        }
    }

    fn images(&mut self, refs: &[markdown::ImageRef]) -> Vec<ImageInfo> {
        let mut out = Vec::with_capacity(refs.len());
        let mut cache: HashMap<PathBuf, Option<ImageInfo>> = HashMap::new();
        for r in refs {
            let src = &self.sources[r.pos.file as usize];
            let at = src.location(r.pos.offset as usize);
            let dir = src.path.parent().map(Path::to_path_buf).unwrap_or_default();
            let placeholder = ImageInfo {
                path: PathBuf::new(),
                format: ImageFormat::Png,
                width: 1,
                height: 1,
            };
            if r.dest.contains("://") {
                self.diags.error_hint(Some(at), format!("image \"{}\" is on the web", r.dest), "books are built offline: download the picture into the project (e.g. manuscript/images/) and use its relative path");
                out.push(placeholder);
                continue;
            }
            let rel = match paths::resolve(&self.root, &dir, &r.dest) {
                Ok(rel) => rel,
                Err(e) => {
                    self.diags.error_hint(
                        Some(at),
                        format!("image {e}"),
                        "image paths are relative to the Markdown file and stay inside the project",
                    );
                    out.push(placeholder);
                    continue;
                }
            };
            let info = cache
                .entry(rel.clone())
                .or_insert_with(|| probe_image(&self.root, &rel).ok())
                .clone();
            match info {
                Some(i) => out.push(i),
                None => {
                    let why = probe_image(&self.root, &rel).err().unwrap_or_default();
                    self.diags.error_hint(Some(at), format!("image {}: {why}", crate::diag::display_path(&rel)), "use a JPEG or PNG file (GIF and WebP also work) inside the project; the path is relative to the Markdown file");
                    out.push(placeholder);
                }
            }
        }
        out
    }

    /// `covers/front.{jpg,jpeg,png}` and `covers/back.…`, checked like any image.
    fn covers(&mut self) -> crate::model::Covers {
        let mut found = [None, None];
        for (k, side) in ["front", "back"].iter().enumerate() {
            let candidates: Vec<PathBuf> = ["jpg", "jpeg", "png"]
                .iter()
                .map(|ext| PathBuf::from("covers").join(format!("{side}.{ext}")))
                .filter(|p| self.root.join(p).exists())
                .collect();
            if candidates.len() > 1 {
                self.diags.warning_hint(
                    Some(Location::file(&candidates[1])),
                    format!(
                        "more than one {side} cover; {} is used",
                        crate::diag::display_path(&candidates[0])
                    ),
                    "keep one file per side in covers/",
                );
            }
            let Some(rel) = candidates.into_iter().next() else {
                continue;
            };
            if let Err(e) = paths::resolve(&self.root, Path::new(""), &rel.to_string_lossy()) {
                self.diags.error_hint(
                    Some(Location::file(&rel)),
                    e,
                    "put the cover image itself in covers/",
                );
                continue;
            }
            match probe_image(&self.root, &rel) {
                Ok(info) if matches!(info.format, ImageFormat::Jpeg | ImageFormat::Png) => {
                    found[k] = Some(info)
                }
                Ok(_) => self.diags.error_hint(
                    Some(Location::file(&rel)),
                    "the cover is not a JPEG or PNG file",
                    "save the cover as JPEG or PNG",
                ),
                Err(e) => self.diags.error_hint(
                    Some(Location::file(&rel)),
                    format!("cover {}: {e}", crate::diag::display_path(&rel)),
                    "save the cover as JPEG or PNG",
                ),
            }
        }
        let [front, back] = found;
        crate::model::Covers { front, back }
    }

    fn unmatched_terms(&mut self, index: &Index) {
        let counts = crate::index::hits::counts(index);
        for (i, e) in index.entries.iter().enumerate() {
            if e.from_marker || e.see.is_some() || counts[i] > 0 {
                continue;
            }
            let sub_hits = index
                .entries
                .iter()
                .enumerate()
                .any(|(j, s)| s.parent == Some(i as u32) && counts[j] > 0);
            if sub_hits {
                continue;
            }
            let at = self.sources[e.pos.file as usize].location(e.pos.offset as usize);
            self.diags.warning_hint(
                Some(at),
                format!("index term \"{}\" matches nothing in the text", e.term),
                "check the spelling in `match` (matching is by whole words and case-sensitive unless case = \"insensitive\"); headings are not searched",
            );
        }
    }

    /// Markdown kept in build.toml (the ordering page, the back cover), parsed with
    /// positions that point into build.toml.
    fn embedded_markdown(
        &mut self,
        config_id: u32,
        text: &str,
        offset: usize,
        anchor: &str,
    ) -> Vec<Block> {
        let cfg = &self.sources[config_id as usize];
        let (line, col) = cfg.line_col(offset);
        let raw = &cfg.text[offset.min(cfg.text.len())..];
        // A multi-line string starts on the next line; a one-line string after its quote.
        let (pad_lines, pad_cols) = if raw.starts_with("\"\"\"\n") || raw.starts_with("'''\n") {
            (line, 0)
        } else {
            (line - 1, col as usize)
        };
        let padded = format!(
            "{}{}{}",
            "\n".repeat(pad_lines as usize),
            " ".repeat(pad_cols.min(3)),
            text
        );
        // Indentation of 4+ would make a code block, so column padding is capped (messages
        // stay on the right line).
        let src = SourceFile::new(cfg.path.clone(), padded);
        self.sources.push(src);
        let id = (self.sources.len() - 1) as u32;
        let ctx = markdown::FileCtx {
            file_id: id,
            source: &self.sources[id as usize],
            entry: usize::MAX,
            anchor,
            dir: PathBuf::new(),
        };
        let mut shared = markdown::Shared {
            root: self.root.clone(),
            ..Default::default()
        };
        let parsed = markdown::parse(&ctx, &mut shared, self.diags);
        if !shared.image_refs.is_empty()
            || !shared.notes.is_empty()
            || !shared.markers.is_empty()
            || !shared.internal_links.is_empty()
        {
            let at = self.sources[config_id as usize].location(offset);
            self.diags.error_hint(
                Some(at),
                format!("the {anchor} text may hold text and web links only"),
                "remove images, footnotes, index markers and cross-references from it",
            );
        }
        let mut blocks = parsed.blocks;
        if let Some(h) = parsed.heading {
            blocks.insert(0, Block::Heading(h));
        }
        blocks
    }

    fn unlisted_files(&mut self, entries: &[Entry]) {
        let listed: HashSet<PathBuf> = entries
            .iter()
            .filter_map(|e| match &e.kind {
                EntryKind::Document(d) => Some(d.path.clone()),
                _ => None,
            })
            .collect();
        let mut stack = vec![PathBuf::from(MANUSCRIPT)];
        let mut found = Vec::new();
        while let Some(dir) = stack.pop() {
            let Ok(rd) = std::fs::read_dir(self.root.join(&dir)) else {
                continue;
            };
            for e in rd.flatten() {
                let rel = dir.join(e.file_name());
                let Ok(ft) = e.file_type() else { continue };
                if ft.is_dir() {
                    stack.push(rel);
                } else if ft.is_symlink()
                    && paths::resolve(&self.root, Path::new(""), &rel.to_string_lossy()).is_err()
                {
                    // Refused where it is used; not a candidate for the contents.
                } else if rel.extension().is_some_and(|x| x == "md")
                    && rel != Path::new(MANUSCRIPT).join("contents.md")
                    && !listed.contains(&rel)
                {
                    found.push(rel);
                }
            }
        }
        found.sort();
        for rel in found {
            self.diags.warning_hint(
                Some(Location::file(&rel)),
                format!("{} is not listed in contents.md", crate::diag::display_path(&rel)),
                "add it to contents.md, or move it out of manuscript/ if it is not part of the book",
            );
        }
    }
}

/// Format and pixel size from the file's header, without decoding the picture.
fn probe_image(root: &Path, rel: &Path) -> Result<ImageInfo, String> {
    let full = root.join(rel);
    if !full.exists() {
        return Err("the file does not exist".to_string());
    }
    let size = std::fs::metadata(&full).map_or(0, |m| m.len());
    if size > limits::MAX_PICTURE_BYTES {
        return Err(format!(
            "is {} MiB; a picture may be at most {}",
            size >> 20,
            limits::mib(limits::MAX_PICTURE_BYTES)
        ));
    }
    let reader = image::ImageReader::open(&full)
        .map_err(|e| format!("cannot be read: {e}"))?
        .with_guessed_format()
        .map_err(|e| format!("cannot be read: {e}"))?;
    let format = match reader.format() {
        Some(image::ImageFormat::Jpeg) => ImageFormat::Jpeg,
        Some(image::ImageFormat::Png) => ImageFormat::Png,
        Some(image::ImageFormat::Gif) => ImageFormat::Gif,
        Some(image::ImageFormat::WebP) => ImageFormat::Webp,
        Some(other) => return Err(format!("is a {other:?} image, which books cannot use")),
        None => {
            return Err(
                "is not an image (its content is neither JPEG, PNG, GIF nor WebP)".to_string(),
            );
        }
    };
    let (width, height) = reader
        .into_dimensions()
        .map_err(|e| format!("is damaged: {e}"))?;
    if width == 0 || height == 0 {
        return Err("has no pixels".to_string());
    }
    if u64::from(width) * u64::from(height) > limits::MAX_PICTURE_PIXELS {
        return Err(format!(
            "has {width}×{height} pixels; a picture may have at most {} million (300 dpi on a 22 × 30 inch page)",
            limits::MAX_PICTURE_PIXELS / 1_000_000
        ));
    }
    Ok(ImageInfo {
        path: rel.to_path_buf(),
        format,
        width,
        height,
    })
}

/// `[book] numbering = true`: body entries are numbered by their place in the outline
/// ("2", "2.1" …), in the contents and on their pages.
fn number_entries(entries: &mut [Entry]) {
    let mut counters: Vec<u32> = Vec::new();
    for e in entries.iter_mut() {
        if e.division != Division::Body
            || !matches!(e.kind, EntryKind::Document(_) | EntryKind::Group)
        {
            continue;
        }
        let depth = e.depth as usize;
        counters.resize(depth + 1, 0);
        counters[depth] += 1;
        let number = counters
            .iter()
            .map(u32::to_string)
            .collect::<Vec<_>>()
            .join(".");
        e.title = format!("{number} {}", e.title);
        if let EntryKind::Document(doc) = &mut e.kind
            && let Some(h) = &mut doc.heading
        {
            h.inlines.insert(0, Inline::Text(format!("{number} ")));
        }
    }
}

/// Every figure gets an id (the author's, else `fig-N`) that links can name, and with
/// `[book] figure_numbers` its number, printed before its caption ("Figure 3.") and as the
/// text of cross-references to it.
fn number_figures(entries: &mut [Entry], shared: &mut markdown::Shared, numbered: bool) {
    fn walk(
        blocks: &mut [Block],
        entry: usize,
        n: &mut u32,
        shared: &mut markdown::Shared,
        numbered: bool,
    ) {
        for b in blocks {
            match b {
                Block::Figure(f) => {
                    *n += 1;
                    let label = format!("Figure {n}");
                    if f.id.is_empty() {
                        let mut id = format!("fig-{n}");
                        while shared.ids.contains_key(&id) {
                            id.push('x');
                        }
                        f.id = id;
                    }
                    let title = if numbered {
                        label.clone()
                    } else {
                        crate::model::plain_text(&f.caption)
                    };
                    let explicit = shared.ids.get(&f.id).is_some_and(|t| t.3);
                    shared
                        .ids
                        .insert(f.id.clone(), (entry, title, f.pos, explicit));
                    if numbered {
                        f.number = Some(*n);
                        f.caption.insert(0, Inline::Text(" ".into()));
                        f.caption
                            .insert(0, Inline::Strong(vec![Inline::Text(format!("{label}."))]));
                    }
                }
                Block::Quote(q) => walk(q, entry, n, shared, numbered),
                Block::List(l) => {
                    for item in &mut l.items {
                        walk(item, entry, n, shared, numbered);
                    }
                }
                _ => {}
            }
        }
    }
    let mut n = 0;
    for (i, e) in entries.iter_mut().enumerate() {
        if let EntryKind::Document(d) = &mut e.kind {
            walk(&mut d.blocks, i, &mut n, shared, numbered);
        }
    }
}

/// The bibliography's entries as link targets: citations link to them.
fn bibliography_targets(
    targets: &mut HashMap<String, Target>,
    entries: &[Entry],
    bibliography: &[crate::model::BibItem],
) {
    let Some(bib) = entries
        .iter()
        .position(|e| matches!(e.kind, EntryKind::Bibliography))
    else {
        return;
    };
    for item in bibliography.iter().filter(|i| !i.anchor.is_empty()) {
        targets.insert(
            item.anchor.clone(),
            Target {
                entry: bib,
                title: crate::model::plain_text(&item.content),
                pos: entries[bib].pos,
            },
        );
    }
}

/// `[](#id)` prints the target's title.
fn fill_empty_links(blocks: &mut [Block], targets: &HashMap<String, Target>) {
    for b in blocks {
        match b {
            Block::Para(p) => fill_inlines(&mut p.inlines, targets),
            Block::Heading(h) => fill_inlines(&mut h.inlines, targets),
            Block::Quote(bs) => fill_empty_links(bs, targets),
            Block::List(l) => {
                for item in &mut l.items {
                    fill_empty_links(item, targets);
                }
            }
            Block::Table(t) => {
                for row in t.rows.iter_mut().chain(t.header.iter_mut()) {
                    for cell in row {
                        fill_inlines(cell, targets);
                    }
                }
            }
            Block::Figure(f) => fill_inlines(&mut f.caption, targets),
            Block::Code(_) | Block::SceneBreak | Block::Html(..) => {}
        }
    }
}

fn fill_inlines(inlines: &mut [Inline], targets: &HashMap<String, Target>) {
    for i in inlines {
        match i {
            Inline::Link(l) => {
                if l.content.is_empty()
                    && let LinkTarget::Internal(id) = &l.target
                    && let Some(t) = targets.get(id)
                {
                    l.content.push(Inline::Text(t.title.clone()));
                }
                fill_inlines(&mut l.content, targets);
            }
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) | Inline::SmallCaps(c) => {
                fill_inlines(c, targets)
            }
            _ => {}
        }
    }
}
