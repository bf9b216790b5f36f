//! The EPUB 3 back end: the book model → XHTML, CSS, fonts, images, OPF, nav and NCX →
//! a deterministic zip container. Written by us on `zip` (see Cargo.toml for why).

mod container;
mod content;
mod package;
mod pictures;
mod plan;
mod xhtml;

use crate::fonts::{FaceInfo, Style};
use crate::index::build::PrintedIndex;
use crate::model::Timestamp;
use crate::model::{Book, EntryKind, ImageFormat, PageMap, epub_files};
use package::Item;
use plan::{FileKind, Plan};

/// The book's stylesheet (its colours are checked for contrast).
pub const CSS: &str = include_str!("book.css");

/// Everything the EPUB needs besides the book.
pub struct EpubInput<'a> {
    pub book: &'a Book,
    /// Print page numbers, when the PDF was typeset in the same run.
    pub pages: Option<&'a PageMap>,
    /// The cover picture (JPEG or PNG bytes) and its format; `None` for no cover page.
    pub cover: Option<(Vec<u8>, ImageFormat)>,
    /// The faces of the body family, embedded when `[epub] embed_fonts`.
    pub fonts: Vec<FaceInfo>,
    pub time: Timestamp,
    /// The book's printed index (the same the print edition sets).
    pub index: &'a PrintedIndex,
    /// Declare EPUB Accessibility 1.1 conformance (see [`crate::accessibility::epub_claim`]).
    pub conforms: bool,
}

/// The publication's unique identifier: the EPUB ISBN, the configured identifier, or a
/// UUID derived from title and authors (stable between builds).
pub fn identifier(book: &Book) -> String {
    let b = &book.config.book;
    if let Some(i) = &b.isbn_epub {
        return format!("urn:isbn:{i}");
    }
    if let Some(i) = &b.identifier {
        return i.clone();
    }
    let name = format!("bookbuild:{}\n{}", b.title, b.authors.join("\n"));
    format!(
        "urn:uuid:{}",
        uuid::Uuid::new_v5(&uuid::Uuid::NAMESPACE_URL, name.as_bytes())
    )
}

/// The publication's files as they are made: each with its manifest item, in order.
struct Manifest {
    items: Vec<Item>,
    /// The files themselves, under `EPUB/`, compressed as they come.
    files: container::Container,
    spine: Vec<String>,
}

impl Manifest {
    /// Adds a file at `href` (relative to the package document).
    fn add(
        &mut self,
        id: impl Into<String>,
        href: &str,
        media_type: &str,
        properties: Vec<&'static str>,
        bytes: &[u8],
    ) -> Result<(), String> {
        self.items.push(Item {
            id: id.into(),
            href: href.to_string(),
            media_type: media_type.to_string(),
            properties,
        });
        self.files.add(&format!("EPUB/{href}"), bytes)
    }
}

const XHTML: &str = "application/xhtml+xml";

/// Builds the EPUB and returns its bytes.
pub fn build(input: &EpubInput<'_>) -> Result<Vec<u8>, String> {
    let book = input.book;
    let pages = input.pages;
    let plan = Plan::new(book, input.cover.as_ref().map(|c| c.1));
    let id = identifier(book);
    let mut m = Manifest {
        items: Vec::new(),
        files: container::Container::new(input.time),
        spine: Vec::new(),
    };
    documents(input, &plan, &id, &mut m)?;
    // Without @contents the nav document is not in the spine.
    if plan.file_of_kind(FileKind::Nav).is_none() {
        let xhtml = package::nav(book, &plan, pages);
        m.add(
            "x-nav",
            epub_files::NAV,
            XHTML,
            vec!["nav"],
            xhtml.as_bytes(),
        )?;
    }
    pictures(input, &plan, &mut m)?;
    let css = stylesheet(input, &mut m)?;
    m.add("css", epub_files::CSS, "text/css", vec![], css.as_bytes())?;
    let ncx = package::ncx(book, &plan, &id, pages);
    m.add(
        "ncx",
        epub_files::NCX,
        "application/x-dtbncx+xml",
        vec![],
        ncx.as_bytes(),
    )?;

    let has_index = book
        .entries
        .iter()
        .any(|e| matches!(e.kind, EntryKind::Index))
        && !input.index.groups.is_empty();
    let meta = package::Metadata {
        identifier: &id,
        modified: input.time,
        has_images: !book.images.is_empty(),
        has_index,
        has_notes: package::has_notes(book),
        conforms: input.conforms,
    };
    let opf = package::opf(book, &m.items, &m.spine, &meta, pages);
    let mut head: Vec<(String, Vec<u8>)> = vec![
        (
            "META-INF/container.xml".into(),
            container_xml().into_bytes(),
        ),
        (format!("EPUB/{}", epub_files::PACKAGE), opf.into_bytes()),
    ];
    if book.config.epub.embed_fonts && !input.fonts.is_empty() {
        head.push((
            "META-INF/com.apple.ibooks.display-options.xml".into(),
            APPLE_OPTIONS.as_bytes().to_vec(),
        ));
    }
    m.files.finish(&head)
}

/// The content documents in reading order, each in the spine, with the print page breaks
/// placed as they are written.
fn documents(input: &EpubInput<'_>, plan: &Plan, id: &str, m: &mut Manifest) -> Result<(), String> {
    let (book, pages) = (input.book, input.pages);
    // Page breaks in reading order, placed as the text files are written.
    let breaks: Vec<(String, crate::model::FlowPoint)> =
        pages.map(|p| p.starts.clone()).unwrap_or_default();
    let mut next_break = 0;
    for (fi, f) in plan.files.iter().enumerate() {
        let xhtml = match f.kind {
            FileKind::Cover => content::cover(book, plan),
            FileKind::TitlePage => content::title_page(book),
            FileKind::Copyright => content::copyright_page(book, id),
            FileKind::Nav => package::nav(book, plan, pages),
            FileKind::Index => content::index_page(book, plan, fi, input.index, pages),
            FileKind::Ordering => content::ordering_page(book, plan, fi),
            FileKind::Figures => content::figures_page(book, plan, fi, pages),
            FileKind::Text => {
                let (x, n) = content::text_file(book, plan, fi, &breaks, next_break);
                next_break = n;
                x
            }
            FileKind::Bibliography => {
                let (x, n) = content::bibliography_page(book, plan, fi, &breaks, next_break);
                next_break = n;
                x
            }
            FileKind::Notes => {
                let (x, n) = content::notes_page(book, plan, fi, &breaks, next_break);
                next_break = n;
                x
            }
        };
        let item_id = format!("x-{}", f.name.trim_end_matches(".xhtml"));
        let mut props = Vec::new();
        match f.kind {
            FileKind::Nav => props.push("nav"),
            FileKind::Index => props.push("index"),
            _ => {}
        }
        if xhtml.contains("<svg") {
            props.push("svg");
        }
        m.add(item_id.clone(), &f.name, XHTML, props, xhtml.as_bytes())?;
        m.spine.push(item_id);
    }
    if breaks.len() > next_break {
        return Err(format!(
            "{} print page breaks could not be placed in the EPUB",
            breaks.len() - next_break
        ));
    }
    Ok(())
}

/// The book's pictures, each once, and the cover picture.
fn pictures(input: &EpubInput<'_>, plan: &Plan, m: &mut Manifest) -> Result<(), String> {
    let book = input.book;
    let mut written: Vec<&str> = Vec::new();
    for img in &book.images {
        let Some(name) = plan.image_names.get(&img.path) else {
            continue;
        };
        if written.contains(&name.as_str()) {
            continue;
        }
        written.push(name);
        let bytes = std::fs::read(book.root.join(&img.path))
            .map_err(|e| format!("cannot read {}: {e}", img.path.display()))?;
        let bytes = pictures::for_epub(bytes, img.format, img.width, img.height)
            .map_err(|e| format!("{}: {e}", img.path.display()))?;
        let id = format!("img-{}", written.len());
        m.add(id, name, img.format.media_type(), vec![], &bytes)?;
    }
    if let (Some((bytes, format)), Some(name)) = (&input.cover, &plan.cover_image) {
        m.add(
            "cover-image",
            name,
            format.media_type(),
            vec!["cover-image"],
            bytes,
        )?;
    }
    Ok(())
}

/// The stylesheet, with an `@font-face` for each embedded face (added to the manifest).
fn stylesheet(input: &EpubInput<'_>, m: &mut Manifest) -> Result<String, String> {
    let book = input.book;
    let mut css = CSS.replace("__BODY_FAMILY__", &book.config.fonts.body);
    if !book.config.epub.embed_fonts {
        return Ok(css);
    }
    for f in &input.fonts {
        let ext = if f.data.starts_with(b"OTTO") {
            "otf"
        } else {
            "ttf"
        };
        let style = match f.style {
            Style::Regular => "regular",
            Style::Italic => "italic",
            Style::Bold => "bold",
            Style::BoldItalic => "bold-italic",
        };
        let name = format!("fonts/{}-{style}.{ext}", crate::model::slugify(&f.family));
        css.push_str(&format!(
            "\n@font-face {{\n  font-family: \"{}\";\n  font-style: {};\n  font-weight: {};\n  src: url(\"../{name}\");\n}}\n",
            f.family,
            if f.style.is_italic() { "italic" } else { "normal" },
            if f.style.is_bold() { "bold" } else { "normal" },
        ));
        let media = if ext == "otf" { "font/otf" } else { "font/ttf" };
        m.add(format!("font-{style}"), &name, media, vec![], f.data)?;
    }
    Ok(css)
}

/// `META-INF/container.xml`: where the package document is.
fn container_xml() -> String {
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<container version=\"1.0\" xmlns=\"urn:oasis:names:tc:opendocument:xmlns:container\">\n  <rootfiles>\n    <rootfile full-path=\"EPUB/{}\" media-type=\"application/oebps-package+xml\"/>\n  </rootfiles>\n</container>\n",
        epub_files::PACKAGE
    )
}

const APPLE_OPTIONS: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<display_options>
  <platform name="*">
    <option name="specified-fonts">true</option>
  </platform>
</display_options>
"#;
