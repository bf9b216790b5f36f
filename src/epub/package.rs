//! The package document (OPF), the navigation document (nav.xhtml: toc, landmarks,
//! page-list) and the EPUB 2 NCX.

use std::fmt::Write as _;

use super::content::{division_type, head};
use super::plan::{FileKind, Plan};
use super::xhtml::{esc, xml_id};
use crate::model::Timestamp;
use crate::model::{Book, EntryKind, PageMap};

/// One item of the table of contents.
#[derive(Debug, Clone)]
pub struct TocItem {
    pub title: String,
    pub href: String,
    pub depth: usize,
}

/// The table of contents to `toc_depth`: entries of the outline, and headings inside files.
pub fn toc_items(book: &Book, plan: &Plan) -> Vec<TocItem> {
    book.toc()
        .into_iter()
        .map(|t| {
            let file = &plan.files[plan.file_of_entry[t.entry]].name;
            let href = if t.generated {
                file.clone()
            } else {
                format!("{file}#{}", xml_id(&t.anchor))
            };
            TocItem {
                title: t.title,
                href,
                depth: t.depth,
            }
        })
        .collect()
}

/// Nested `<ol>` lists from a flat list with depths.
fn nested_ol(out: &mut String, items: &[TocItem], indent: &str) {
    let mut open = 0usize; // open <ol> levels beyond the first
    let mut prev: Option<usize> = None;
    out.push_str(indent);
    out.push_str("<ol>\n");
    for it in items {
        let d = it.depth.min(prev.map_or(0, |p| p + 1));
        match prev {
            None => {}
            Some(p) if d > p => {
                out.push_str("\n<ol>\n");
                open += 1;
            }
            Some(p) => {
                out.push_str("</li>\n");
                for _ in d..p {
                    out.push_str("</ol>\n</li>\n");
                    open -= 1;
                }
            }
        }
        let _ = write!(
            out,
            "<li><a href=\"{}\">{}</a>",
            esc(&it.href),
            esc(&it.title)
        );
        prev = Some(d);
    }
    if prev.is_some() {
        out.push_str("</li>\n");
    }
    for _ in 0..open {
        out.push_str("</ol>\n</li>\n");
    }
    out.push_str(indent);
    out.push_str("</ol>\n");
}

pub fn nav(book: &Book, plan: &Plan, pages: Option<&PageMap>) -> String {
    let title = book
        .entries
        .iter()
        .find(|e| matches!(e.kind, EntryKind::Contents))
        .map_or("Contents", |e| e.title.as_str());
    let mut s = head(book, title);
    let nav_file = plan.file_of_kind(FileKind::Nav);
    let division = nav_file.map_or(crate::model::Division::Front, |f| plan.files[f].division);
    let _ = writeln!(s, "<body epub:type=\"{}\">", division_type(division));
    let _ = writeln!(
        s,
        "<nav epub:type=\"toc\" role=\"doc-toc\" id=\"toc\" aria-labelledby=\"toc-title\">\n<h1 id=\"toc-title\">{}</h1>",
        esc(title)
    );
    nested_ol(&mut s, &toc_items(book, plan), "");
    s.push_str("</nav>\n");

    s.push_str("<nav epub:type=\"landmarks\" aria-label=\"Landmarks\" hidden=\"hidden\">\n<ol>\n");
    for (ty, label, href) in landmarks(book, plan) {
        let _ = writeln!(
            s,
            "<li><a epub:type=\"{ty}\" href=\"{}\">{}</a></li>",
            esc(&href),
            esc(label)
        );
    }
    s.push_str("</ol>\n</nav>\n");

    if let Some(p) = pages.filter(|p| !p.starts.is_empty()) {
        s.push_str("<nav epub:type=\"page-list\" role=\"doc-pagelist\" aria-label=\"Print page list\" hidden=\"hidden\">\n<ol>\n");
        for (label, point) in &p.starts {
            let file = plan
                .file_of_entry
                .get(point.entry)
                .map(|f| plan.files[*f].name.as_str())
                .unwrap_or("");
            let _ = writeln!(
                s,
                "<li><a href=\"{}#page-{}\">{}</a></li>",
                esc(file),
                esc(label),
                esc(label)
            );
        }
        s.push_str("</ol>\n</nav>\n");
    }
    s.push_str("</body>\n</html>\n");
    s
}

/// (epub:type, label, href) of the landmarks; every target is a spine item.
pub fn landmarks(book: &Book, plan: &Plan) -> Vec<(&'static str, &'static str, String)> {
    let mut l = Vec::new();
    if let Some(f) = plan.file_of_kind(FileKind::Cover) {
        l.push(("cover", "Cover", plan.files[f].name.clone()));
    }
    if let Some(f) = plan.file_of_kind(FileKind::TitlePage) {
        l.push(("titlepage", "Title page", plan.files[f].name.clone()));
    }
    if plan.file_of_kind(FileKind::Nav).is_some() {
        l.push((
            "toc",
            "Contents",
            format!("{}#toc", crate::model::epub_files::NAV),
        ));
    }
    let body = book
        .entries
        .iter()
        .position(|e| e.division == crate::model::Division::Body);
    if let Some(i) = body {
        let f = &plan.files[plan.file_of_entry[i]];
        l.push((
            "bodymatter",
            "Start of the text",
            format!("{}#{}", f.name, xml_id(&book.entries[i].anchor)),
        ));
    }
    if let Some(f) = plan.file_of_kind(FileKind::Figures) {
        l.push(("loi", "List of illustrations", plan.files[f].name.clone()));
    }
    if let Some(f) = plan.file_of_kind(FileKind::Index) {
        l.push(("index", "Index", plan.files[f].name.clone()));
    }
    l
}

/// A manifest item.
pub struct Item {
    pub id: String,
    pub href: String,
    pub media_type: String,
    pub properties: Vec<&'static str>,
}

pub struct Metadata<'a> {
    pub identifier: &'a str,
    pub modified: Timestamp,
    pub has_images: bool,
    pub has_index: bool,
    pub has_notes: bool,
    /// The book passed every accessibility check bookbuild can make.
    pub conforms: bool,
}

pub fn opf(
    book: &Book,
    items: &[Item],
    spine: &[String],
    m: &Metadata<'_>,
    pages: Option<&PageMap>,
) -> String {
    let b = &book.config.book;
    let lang = esc(&b.language);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<package xmlns=\"http://www.idpf.org/2007/opf\" version=\"3.0\" unique-identifier=\"pub-id\" xml:lang=\"{lang}\" prefix=\"a11y: http://www.idpf.org/epub/vocab/package/a11y/#\">\n<metadata xmlns:dc=\"http://purl.org/dc/elements/1.1/\">"
    );
    let _ = writeln!(
        s,
        "<dc:identifier id=\"pub-id\">{}</dc:identifier>",
        esc(m.identifier)
    );
    let _ = writeln!(s, "<dc:title id=\"title\">{}</dc:title>", esc(&b.title));
    s.push_str("<meta refines=\"#title\" property=\"title-type\">main</meta>\n");
    if let Some(sub) = &b.subtitle {
        let _ = writeln!(s, "<dc:title id=\"subtitle\">{}</dc:title>", esc(sub));
        s.push_str("<meta refines=\"#subtitle\" property=\"title-type\">subtitle</meta>\n");
    }
    for (i, a) in b.authors.iter().enumerate() {
        let _ = writeln!(s, "<dc:creator id=\"creator-{i}\">{}</dc:creator>", esc(a));
        let _ = writeln!(
            s,
            "<meta refines=\"#creator-{i}\" property=\"role\" scheme=\"marc:relators\">aut</meta>"
        );
        let _ = writeln!(
            s,
            "<meta refines=\"#creator-{i}\" property=\"file-as\">{}</meta>",
            esc(&file_as(a))
        );
    }
    if let Some(ed) = &b.editor {
        let _ = writeln!(
            s,
            "<dc:contributor id=\"editor\">{}</dc:contributor>",
            esc(ed)
        );
        s.push_str(
            "<meta refines=\"#editor\" property=\"role\" scheme=\"marc:relators\">edt</meta>\n",
        );
    }
    let _ = writeln!(s, "<dc:language>{lang}</dc:language>");
    if let Some(d) = &b.date {
        let _ = writeln!(s, "<dc:date>{}</dc:date>", esc(d));
    }
    if let Some(p) = &b.publisher {
        let _ = writeln!(s, "<dc:publisher>{}</dc:publisher>", esc(p));
    }
    if let Some(r) = &b.rights {
        let _ = writeln!(s, "<dc:rights>{}</dc:rights>", esc(r));
    }
    if let Some(d) = &b.description {
        let _ = writeln!(s, "<dc:description>{}</dc:description>", esc(d));
    }
    if let Some(isbn) = &b.isbn_print {
        let _ = writeln!(s, "<dc:source>urn:isbn:{isbn}</dc:source>");
    }
    let _ = writeln!(
        s,
        "<meta property=\"dcterms:modified\">{}</meta>",
        m.modified.iso()
    );
    if let Some(src) = pages
        .filter(|p| !p.starts.is_empty())
        .map(|p| p.source.clone())
    {
        let value = src
            .map(|i| format!("urn:isbn:{i}"))
            .unwrap_or_else(|| format!("{} (print edition)", b.title));
        let _ = writeln!(
            s,
            "<meta property=\"pageBreakSource\">{}</meta>",
            esc(&value)
        );
    }
    if items.iter().any(|i| i.properties.contains(&"cover-image")) {
        s.push_str("<meta name=\"cover\" content=\"cover-image\"/>\n");
    }
    accessibility(&mut s, m, pages);
    s.push_str("</metadata>\n<manifest>\n");
    for it in items {
        let props = if it.properties.is_empty() {
            String::new()
        } else {
            format!(" properties=\"{}\"", it.properties.join(" "))
        };
        let _ = writeln!(
            s,
            "<item id=\"{}\" href=\"{}\" media-type=\"{}\"{props}/>",
            esc(&it.id),
            esc(&it.href),
            esc(&it.media_type)
        );
    }
    s.push_str("</manifest>\n<spine toc=\"ncx\">\n");
    for id in spine {
        let _ = writeln!(s, "<itemref idref=\"{}\"/>", esc(id));
    }
    s.push_str("</spine>\n</package>\n");
    s
}

/// schema.org accessibility metadata that states what the book really has.
fn accessibility(s: &mut String, m: &Metadata<'_>, pages: Option<&PageMap>) {
    let has_pages = pages.is_some_and(|p| !p.starts.is_empty());
    s.push_str("<meta property=\"schema:accessMode\">textual</meta>\n");
    if m.has_images {
        s.push_str("<meta property=\"schema:accessMode\">visual</meta>\n");
        s.push_str("<meta property=\"schema:accessModeSufficient\">textual,visual</meta>\n");
    }
    // Every picture carries its caption as alternative text, so text alone suffices.
    s.push_str("<meta property=\"schema:accessModeSufficient\">textual</meta>\n");
    let mut features = vec![
        "structuralNavigation",
        "tableOfContents",
        "readingOrder",
        "displayTransformability",
    ];
    if m.has_images {
        features.push("alternativeText");
    }
    if m.has_index {
        features.push("index");
    }
    if has_pages {
        features.push("pageBreakMarkers");
        features.push("pageNavigation");
    }
    for f in features {
        let _ = writeln!(
            s,
            "<meta property=\"schema:accessibilityFeature\">{f}</meta>"
        );
    }
    s.push_str("<meta property=\"schema:accessibilityHazard\">none</meta>\n");
    let mut summary = String::from(
        "This publication has a structured table of contents, headings in a logical order and a reading order that follows the print edition. Text can be resized and restyled by the reader.",
    );
    if m.has_notes {
        summary.push_str(" Footnotes are linked to and from their references.");
    }
    if m.has_images {
        summary.push_str(" Each image has its caption as alternative text.");
    }
    if m.has_index {
        summary.push_str(
            " The index links every entry to the places in the text where the term occurs.",
        );
    }
    if has_pages {
        summary.push_str(
            " Page-break markers and a page list give the page numbers of the print edition.",
        );
    }
    let _ = writeln!(
        s,
        "<meta property=\"schema:accessibilitySummary\">{}</meta>",
        esc(&summary)
    );
    if m.conforms {
        let _ = writeln!(
            s,
            "<meta property=\"dcterms:conformsTo\">{}</meta>",
            crate::accessibility::EPUB_CONFORMANCE
        );
    }
}

/// "Ts. Batbayar" → "Batbayar, Ts."
pub fn file_as(name: &str) -> String {
    let words: Vec<&str> = name.split_whitespace().collect();
    match words.split_last() {
        Some((last, rest)) if !rest.is_empty() => format!("{last}, {}", rest.join(" ")),
        _ => name.to_string(),
    }
}

pub fn ncx(book: &Book, plan: &Plan, identifier: &str, pages: Option<&PageMap>) -> String {
    let items = toc_items(book, plan);
    let depth = items.iter().map(|i| i.depth + 1).max().unwrap_or(1);
    let page_count = pages.map_or(0, |p| p.starts.len());
    let max_page = pages
        .and_then(|p| {
            p.starts
                .iter()
                .filter_map(|(l, _)| l.parse::<u32>().ok())
                .max()
        })
        .unwrap_or(0);
    let mut s = String::new();
    let _ = writeln!(
        s,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ncx xmlns=\"http://www.daisy.org/z3986/2005/ncx/\" version=\"2005-1\" xml:lang=\"{}\">\n<head>\n<meta name=\"dtb:uid\" content=\"{}\"/>\n<meta name=\"dtb:depth\" content=\"{depth}\"/>\n<meta name=\"dtb:totalPageCount\" content=\"{page_count}\"/>\n<meta name=\"dtb:maxPageNumber\" content=\"{max_page}\"/>\n</head>\n<docTitle><text>{}</text></docTitle>\n<navMap>",
        esc(&book.config.book.language),
        esc(identifier),
        esc(&book.config.book.title)
    );
    let mut order = 0;
    let mut stack: Vec<usize> = Vec::new();
    for it in &items {
        while stack.last().is_some_and(|d| *d >= it.depth) {
            stack.pop();
            s.push_str("</navPoint>\n");
        }
        order += 1;
        let _ = writeln!(
            s,
            "<navPoint id=\"nav-{order}\" playOrder=\"{order}\"><navLabel><text>{}</text></navLabel><content src=\"{}\"/>",
            esc(&it.title),
            esc(&it.href)
        );
        stack.push(it.depth);
    }
    for _ in stack {
        s.push_str("</navPoint>\n");
    }
    s.push_str("</navMap>\n");
    if let Some(p) = pages.filter(|p| !p.starts.is_empty()) {
        s.push_str("<pageList>\n<navLabel><text>Pages</text></navLabel>\n");
        for (k, (label, point)) in p.starts.iter().enumerate() {
            let file = plan
                .file_of_entry
                .get(point.entry)
                .map(|f| plan.files[*f].name.as_str())
                .unwrap_or("");
            let ty = if label.chars().all(|c| c.is_ascii_digit()) {
                "normal"
            } else {
                "front"
            };
            let _ = writeln!(
                s,
                "<pageTarget id=\"pt-{}\" type=\"{ty}\" value=\"{}\" playOrder=\"{}\"><navLabel><text>{}</text></navLabel><content src=\"{}#page-{}\"/></pageTarget>",
                k + 1,
                k + 1,
                order + k + 1,
                esc(label),
                esc(file),
                esc(label)
            );
        }
        s.push_str("</pageList>\n");
    }
    s.push_str("</ncx>\n");
    s
}

/// True when any inline of the book is an index hit with a printed entry.
pub fn has_notes(book: &Book) -> bool {
    book.notes.iter().any(|n| n.number > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(depth: usize, t: &str) -> TocItem {
        TocItem {
            title: t.into(),
            href: format!("{t}.xhtml"),
            depth,
        }
    }

    #[test]
    fn nested_lists_close_properly() {
        let mut s = String::new();
        nested_ol(
            &mut s,
            &[
                item(0, "a"),
                item(1, "b"),
                item(2, "c"),
                item(0, "d"),
                item(1, "e"),
            ],
            "",
        );
        let opens = s.matches("<ol>").count();
        let closes = s.matches("</ol>").count();
        assert_eq!(opens, closes, "{s}");
        assert_eq!(s.matches("<li>").count(), s.matches("</li>").count(), "{s}");
        assert!(
            s.contains("<li><a href=\"a.xhtml\">a</a>\n<ol>\n<li><a href=\"b.xhtml\">b</a>"),
            "{s}"
        );
    }

    #[test]
    fn file_as_names() {
        assert_eq!(file_as("Ts. Batbayar"), "Batbayar, Ts.");
        assert_eq!(file_as("Plato"), "Plato");
    }
}
