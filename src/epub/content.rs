//! The XHTML documents of the EPUB: the outline's entries, and the generated pages (cover,
//! title page, copyright page, ordering page, index).

use std::fmt::Write as _;

use super::plan::{Plan, PlannedFile};
use super::xhtml::{Writer, esc, xml_id};
use crate::index::build::PrintedIndex;
use crate::model::{Book, Division, EntryKind, FlowPoint, NotePlacement, PageMap};

/// The start of every content document.
pub fn head(book: &Book, title: &str) -> String {
    let lang = esc(&book.config.book.language);
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" xmlns:epub=\"http://www.idpf.org/2007/ops\" lang=\"{lang}\" xml:lang=\"{lang}\">\n<head>\n<meta charset=\"UTF-8\"/>\n<title>{}</title>\n<link rel=\"stylesheet\" type=\"text/css\" href=\"css/book.css\"/>\n</head>\n",
        esc(title)
    )
}

pub fn division_type(d: Division) -> &'static str {
    match d {
        Division::Front => "frontmatter",
        Division::Body => "bodymatter",
        Division::Back => "backmatter",
    }
}

/// Title words that name a division, with its `epub:type` and DPUB-ARIA role.
const BY_TITLE: &[(&[&str], &str, &str)] = &[
    (
        &["conclusion", "conclusions"],
        "conclusion",
        "doc-conclusion",
    ),
    (&["bibliography"], "bibliography", "doc-bibliography"),
    (&["epilogue"], "epilogue", "doc-epilogue"),
    (&["prologue"], "prologue", "doc-prologue"),
    (&["afterword"], "afterword", "doc-afterword"),
    (
        &["acknowledgments", "acknowledgements"],
        "acknowledgments",
        "doc-acknowledgments",
    ),
    (&["appendix"], "appendix", "doc-appendix"),
    (&["colophon"], "colophon", "doc-colophon"),
    (&["glossary"], "glossary", "doc-glossary"),
];

/// The structural semantics of an entry: `epub:type` and the matching DPUB-ARIA role.
fn semantics(book: &Book, entry: usize) -> (&'static str, &'static str) {
    let e = &book.entries[entry];
    if matches!(e.kind, EntryKind::Group) {
        return ("part", "doc-part");
    }
    let has_children = book
        .entries
        .get(entry + 1)
        .is_some_and(|n| n.depth > e.depth);
    let t = e.title.to_lowercase();
    let kw = |w: &str| t.split(|c: char| !c.is_alphanumeric()).any(|x| x == w);
    if kw("preface") {
        return ("preface", "doc-preface");
    }
    if kw("foreword") || (kw("editor") && kw("word")) {
        return ("foreword", "doc-foreword");
    }
    if kw("introduction") || (kw("introductory") && e.division == Division::Front) {
        return ("introduction", "doc-introduction");
    }
    if let Some(&(_, kind, role)) = BY_TITLE
        .iter()
        .find(|(words, ..)| words.iter().any(|w| kw(w)))
    {
        return (kind, role);
    }
    if has_children && e.depth == 0 && e.division == Division::Body {
        ("part", "doc-part")
    } else {
        ("chapter", "doc-chapter")
    }
}

/// Writes one outline file. Returns the XHTML and the next unplaced page break.
pub fn text_file(
    book: &Book,
    plan: &Plan,
    file: usize,
    breaks: &[(String, FlowPoint)],
    next_break: usize,
) -> (String, usize) {
    let f: &PlannedFile = &plan.files[file];
    let first = f.entries[0];
    let title = &book.entries[first].title;
    let mut w = Writer::new(book, plan, file, breaks, next_break);
    w.out.push_str(&head(book, title));
    let _ = writeln!(w.out, "<body epub:type=\"{}\">", division_type(f.division));
    // The titles of the entries this one is nested in (in this file): a section is named by
    // them and its own, so that "I" of Part One and "I" of Part Two are different landmarks.
    let mut outer: Vec<(u8, String)> = Vec::new();
    for &i in &f.entries {
        let e = &book.entries[i];
        w.breaks_before_entry(i);
        let level = (e.depth + 1).min(6);
        let anchor = xml_id(&e.anchor);
        let (ty, role) = semantics(book, i);
        while outer.last().is_some_and(|(d, _)| *d >= e.depth) {
            outer.pop();
        }
        let named_by = |own: &str| {
            let mut ids: Vec<&str> = outer.iter().map(|(_, h)| h.as_str()).collect();
            ids.push(own);
            esc(&ids.join(" "))
        };
        match &e.kind {
            EntryKind::Group => {
                let hid = format!("{anchor}-title");
                let _ = writeln!(
                    w.out,
                    "<section epub:type=\"{ty}\" role=\"{role}\" id=\"{anchor}\" aria-labelledby=\"{}\">",
                    named_by(&hid)
                );
                w.title(i, level, &hid, None, &e.title);
                w.out.push_str("</section>\n");
                outer.push((e.depth, hid));
            }
            EntryKind::Document(doc) => {
                let hid = match &doc.heading {
                    Some(h) if h.id != e.anchor => h.id.clone(),
                    _ => format!("{anchor}-title"),
                };
                let _ = writeln!(
                    w.out,
                    "<section epub:type=\"{ty}\" role=\"{role}\" id=\"{anchor}\" aria-labelledby=\"{}\">",
                    named_by(&xml_id(&hid))
                );
                w.title(
                    i,
                    level,
                    &hid,
                    doc.heading.as_ref().map(|h| h.inlines.as_slice()),
                    &e.title,
                );
                let mut ordinal = 0;
                w.blocks(i, &doc.blocks, level, &mut ordinal, true);
                w.flush_notes(i, level);
                w.out.push_str("</section>\n");
                outer.push((e.depth, xml_id(&hid)));
            }
            EntryKind::Contents
            | EntryKind::Index
            | EntryKind::Ordering
            | EntryKind::Figures
            | EntryKind::Bibliography
            | EntryKind::Notes => {}
        }
    }
    let last = *f.entries.last().unwrap_or(&first);
    if book.config.notes.placement == NotePlacement::Chapter {
        chapter_endnotes(&mut w, first, last + 1);
    }
    w.breaks_until(last + 1);
    w.out.push_str("</body>\n</html>\n");
    let next = w.next_break();
    (w.out, next)
}

pub fn cover(book: &Book, plan: &Plan) -> String {
    let mut s = head(book, &book.config.book.title);
    let img = plan.cover_image.clone().unwrap_or_default();
    let _ = write!(
        s,
        "<body epub:type=\"frontmatter\" class=\"cover\">\n<section class=\"cover\" aria-label=\"Cover\">\n<img epub:type=\"cover\" role=\"doc-cover\" src=\"{}\" alt=\"{}\"/>\n</section>\n</body>\n</html>\n",
        esc(&img),
        esc(&format!("Cover: {}", cover_alt(book)))
    );
    s
}

fn cover_alt(book: &Book) -> String {
    let b = &book.config.book;
    format!("{}, by {}", b.title, b.authors.join(", "))
}

pub fn title_page(book: &Book) -> String {
    let b = &book.config.book;
    let mut s = head(book, &b.title);
    s.push_str("<body epub:type=\"frontmatter\">\n<section epub:type=\"titlepage\" class=\"titlepage\" aria-label=\"Title page\">\n");
    let _ = writeln!(s, "<h1 class=\"title\">{}</h1>", esc(&b.title));
    if let Some(sub) = &b.subtitle {
        let _ = writeln!(s, "<p class=\"subtitle\">{}</p>", esc(sub));
    }
    for a in &b.authors {
        let _ = writeln!(s, "<p class=\"author\">{}</p>", esc(a));
    }
    if let Some(ed) = &b.editor {
        let _ = writeln!(s, "<p class=\"editor\">Edited by {}</p>", esc(ed));
    }
    if let Some(p) = &b.publisher {
        let _ = writeln!(s, "<p class=\"publisher\">{}</p>", esc(p));
    }
    s.push_str("</section>\n</body>\n</html>\n");
    s
}

pub fn copyright_page(book: &Book, identifier: &str) -> String {
    let b = &book.config.book;
    let mut s = head(book, "Copyright");
    s.push_str("<body epub:type=\"frontmatter\">\n<section epub:type=\"copyright-page\" class=\"copyright\" aria-label=\"Copyright\">\n");
    let _ = writeln!(s, "<p class=\"book\"><em>{}</em>", esc(&b.title));
    if let Some(sub) = &b.subtitle {
        let _ = write!(s, "<br/>{}", esc(sub));
    }
    let _ = writeln!(s, "<br/>{}</p>", esc(&b.authors.join(", ")));
    if let Some(r) = &b.rights {
        let _ = writeln!(s, "<p>{}</p>", esc(r));
    }
    if let Some(p) = &b.publisher {
        let _ = writeln!(s, "<p>Published by {}</p>", esc(p));
    }
    if let Some(d) = &b.date {
        let _ = writeln!(
            s,
            "<p>First published {}</p>",
            esc(&crate::model::human_date(d))
        );
    }
    if let Some(i) = &b.isbn_epub_label {
        let _ = writeln!(s, "<p>ISBN {} (EPUB)</p>", esc(i));
    }
    if let Some(i) = &b.isbn_print_label {
        let _ = writeln!(s, "<p>ISBN {} (print)</p>", esc(i));
    }
    if b.isbn_epub.is_none() {
        let _ = writeln!(s, "<p class=\"identifier\">{}</p>", esc(identifier));
    }
    s.push_str("<p class=\"made\">Made with bookbuild.</p>\n</section>\n</body>\n</html>\n");
    s
}

pub fn ordering_page(book: &Book, plan: &Plan, file: usize) -> String {
    let title = book
        .config
        .ordering
        .as_ref()
        .map_or("How to get the book", |o| o.title.as_str());
    let entry = plan.files[file].entries[0];
    let anchor = xml_id(&book.entries[entry].anchor);
    let mut w = Writer::new(book, plan, file, &[], 0);
    w.out.push_str(&head(book, title));
    let _ = writeln!(
        w.out,
        "<body epub:type=\"{}\">\n<section class=\"ordering\" id=\"{anchor}\" aria-labelledby=\"{anchor}-title\">\n<h1 id=\"{anchor}-title\">{}</h1>",
        division_type(plan.files[file].division),
        esc(title)
    );
    let mut ordinal = 0;
    w.blocks(usize::MAX, &book.ordering_blocks, 1, &mut ordinal, false);
    w.out.push_str("</section>\n</body>\n</html>\n");
    w.out
}

/// The notes of the entries `from..to` at the end of their file, under "Notes".
fn chapter_endnotes(w: &mut Writer<'_>, from: usize, to: usize) {
    let groups = w.book.notes_of(from, to);
    if groups.is_empty() {
        return;
    }
    let id = format!("notes-{}", xml_id(&w.book.entries[from].anchor));
    let title = crate::model::notes_title(&w.book.config.book.language);
    let _ = writeln!(
        w.out,
        "<section epub:type=\"endnotes\" role=\"doc-endnotes\" class=\"endnotes\" aria-labelledby=\"{id}-title\">\n<h2 id=\"{id}-title\">{}</h2>",
        esc(title)
    );
    w.endnote_groups(&groups, 3, groups.len() > 1);
    w.out.push_str("</section>\n");
}

/// The opening of a generated page: its head, the body and the section (`epub:type` and
/// role `kind`) with the entry's title. Returns the writer, the entry and its anchor.
fn open_page<'a>(
    book: &'a Book,
    plan: &'a Plan,
    file: usize,
    breaks: &'a [(String, FlowPoint)],
    next_break: usize,
    (ty, role): (&str, &str),
) -> (Writer<'a>, usize, String) {
    let entry = plan.files[file].entries[0];
    let mut w = Writer::new(book, plan, file, breaks, next_break);
    w.out = head(book, &book.entries[entry].title);
    let anchor = xml_id(&book.entries[entry].anchor);
    let hid = format!("{anchor}-title");
    let _ = writeln!(
        w.out,
        "<body epub:type=\"{}\">\n<section epub:type=\"{ty}\" role=\"{role}\" id=\"{anchor}\" aria-labelledby=\"{hid}\">",
        division_type(plan.files[file].division)
    );
    w.title(entry, 1, &hid, None, &book.entries[entry].title);
    (w, entry, anchor)
}

/// The end of a generated page: the section closed, the print page breaks left, and where
/// the next file's breaks start.
fn close_page(mut w: Writer<'_>, entry: usize) -> (String, usize) {
    w.out.push_str("</section>\n");
    w.breaks_until(entry + 1);
    w.out.push_str("</body>\n</html>\n");
    let next = w.next_break();
    (w.out, next)
}

/// The bibliography: the entries as a list, each with its anchor (citations link to it),
/// the print page breaks placed among them.
pub fn bibliography_page(
    book: &Book,
    plan: &Plan,
    file: usize,
    breaks: &[(String, FlowPoint)],
    next_break: usize,
) -> (String, usize) {
    let kind = ("bibliography", "doc-bibliography");
    let (mut w, entry, _) = open_page(book, plan, file, breaks, next_break, kind);
    w.out.push_str("<ul class=\"bibliography\">\n");
    for (k, item) in book.bibliography.iter().enumerate() {
        let _ = write!(w.out, "<li id=\"{}\">", esc(&xml_id(&item.anchor)));
        w.start_leaf(entry, k as u32 + 1);
        w.inlines(&item.content);
        w.end_leaf();
        w.out.push_str("</li>\n");
    }
    w.out.push_str("</ul>\n");
    close_page(w, entry)
}

/// The book's notes (`@notes`): under each chapter's title, its notes, each linked back to
/// the text.
pub fn notes_page(
    book: &Book,
    plan: &Plan,
    file: usize,
    breaks: &[(String, FlowPoint)],
    next_break: usize,
) -> (String, usize) {
    let kind = ("endnotes", "doc-endnotes");
    let (mut w, entry, anchor) = open_page(book, plan, file, breaks, next_break, kind);
    for (top, _) in book.top_level() {
        let groups = book.notes_of(top, book.end_of(top));
        if groups.is_empty() {
            continue;
        }
        let gid = format!("{anchor}-{}", xml_id(&book.entries[top].anchor));
        let _ = writeln!(
            w.out,
            "<section aria-labelledby=\"{gid}\">\n<h2 id=\"{gid}\">{}</h2>",
            esc(&book.entries[top].title)
        );
        let several = groups.len() > 1;
        for g in &groups {
            w.endnote_groups(std::slice::from_ref(g), 3, several && g.0 != top);
        }
        w.out.push_str("</section>\n");
    }
    close_page(w, entry)
}

/// The list of illustrations: a link to every figure, with its print page when the print
/// edition was typeset in the same run.
pub fn figures_page(book: &Book, plan: &Plan, file: usize, pages: Option<&PageMap>) -> String {
    let entry = plan.files[file].entries[0];
    let title = &book.entries[entry].title;
    let anchor = xml_id(&book.entries[entry].anchor);
    let w = Writer::new(book, plan, file, &[], 0);
    let mut s = head(book, title);
    let _ = writeln!(
        s,
        "<body epub:type=\"{}\">\n<nav epub:type=\"loi\" id=\"{anchor}\" aria-labelledby=\"{anchor}-title\" class=\"figures\">\n<h1 id=\"{anchor}-title\">{}</h1>\n<ol>",
        division_type(plan.files[file].division),
        esc(title)
    );
    for f in book.figures() {
        let page = pages
            .and_then(|p| p.anchor_page.get(&f.anchor))
            .map(|l| format!(" <span class=\"page\">{}</span>", esc(l)))
            .unwrap_or_default();
        let _ = writeln!(
            s,
            "<li><a href=\"{}\">{}</a>{page}</li>",
            esc(&w.href(&f.anchor)),
            esc(&f.title)
        );
    }
    s.push_str("</ol>\n</nav>\n</body>\n</html>\n");
    s
}

/// The index: EPUB Indexes markup; every locator links to its occurrence and shows the print
/// page (or, without a print edition, the occurrence's running number).
pub fn index_page(
    book: &Book,
    plan: &Plan,
    file: usize,
    printed: &PrintedIndex,
    pages: Option<&PageMap>,
) -> String {
    let entry = plan.files[file].entries[0];
    let title = &book.entries[entry].title;
    let anchor = xml_id(&book.entries[entry].anchor);
    let w = Writer::new(book, plan, file, &[], 0);
    let mut s = head(book, title);
    let _ = writeln!(
        s,
        "<body epub:type=\"{}\">\n<h1 id=\"{anchor}-title\" class=\"index-title\">{}</h1>\n<section epub:type=\"index\" role=\"doc-index\" id=\"{anchor}\" aria-labelledby=\"{anchor}-title\" class=\"index\">",
        division_type(plan.files[file].division),
        esc(title)
    );
    for (gi, g) in printed.groups.iter().enumerate() {
        let _ = writeln!(
            s,
            "<section epub:type=\"index-group\" id=\"idx-group-{gi}\" aria-labelledby=\"idx-group-{gi}-h\">\n<h2 id=\"idx-group-{gi}-h\">{}</h2>\n<ul epub:type=\"index-entry-list\">",
            esc(&g.label)
        );
        for e in &g.entries {
            index_entry(&mut s, e, &w, book, pages);
        }
        s.push_str("</ul>\n</section>\n");
    }
    s.push_str("</section>\n</body>\n</html>\n");
    s
}

fn index_entry(
    s: &mut String,
    e: &crate::index::build::PrintedEntry,
    w: &Writer<'_>,
    book: &Book,
    pages: Option<&PageMap>,
) {
    let _ = write!(
        s,
        "<li epub:type=\"index-entry\" id=\"idx-{}\"><span epub:type=\"index-term\">{}</span>",
        e.id,
        esc(&e.term)
    );
    let mut last_label: Option<String> = None;
    let mut n = 0;
    for h in &e.hits {
        let label = match pages {
            Some(p) => p.hit_page.get(*h as usize).cloned().unwrap_or_default(),
            None => {
                n += 1;
                n.to_string()
            }
        };
        // One link per print page: the first occurrence on it. A hit the print edition did
        // not set has no page to show: it gets no link rather than an empty one (the layout
        // tests check that every hit has its page).
        if label.is_empty() || (pages.is_some() && last_label.as_deref() == Some(label.as_str())) {
            continue;
        }
        let href = hit_href(w, book, *h);
        let _ = write!(
            s,
            ", <a epub:type=\"index-locator\" href=\"{}\">{}</a>",
            esc(&href),
            esc(&label)
        );
        last_label = Some(label);
    }
    if let Some(see) = &e.see {
        let target = see_target(book, see);
        let _ = write!(
            s,
            ", <em>see</em> <a epub:type=\"index-xref-preferred\" href=\"#idx-{target}\"><span epub:type=\"index-term\">{}</span></a>",
            esc(see)
        );
    }
    if !e.see_also.is_empty() {
        s.push_str(". <em>See also</em> ");
        for (k, a) in e.see_also.iter().enumerate() {
            if k > 0 {
                s.push_str("; ");
            }
            let target = see_target(book, a);
            let _ = write!(
                s,
                "<a epub:type=\"index-xref-related\" href=\"#idx-{target}\"><span epub:type=\"index-term\">{}</span></a>",
                esc(a)
            );
        }
    }
    if !e.subs.is_empty() {
        s.push_str("\n<ul epub:type=\"index-entry-list\">\n");
        for sub in &e.subs {
            index_entry(s, sub, w, book, pages);
        }
        s.push_str("</ul>\n");
    }
    s.push_str("</li>\n");
}

fn hit_href(w: &Writer<'_>, book: &Book, hit: u32) -> String {
    let h = &book.index.hits[hit as usize];
    let notes_file = (h.in_note && book.config.notes.placement == NotePlacement::Book)
        .then(|| w.plan.file_of_kind(super::plan::FileKind::Notes))
        .flatten();
    let file = notes_file.unwrap_or_else(|| {
        w.plan
            .file_of_entry
            .get(h.in_entry)
            .copied()
            .unwrap_or(usize::MAX)
    });
    match w.plan.files.get(file) {
        Some(f) => format!("{}#ix-{hit}", f.name),
        None => format!("#ix-{hit}"),
    }
}

/// The index entry id a printed "see" name refers to.
fn see_target(book: &Book, printed: &str) -> u32 {
    let idx = &book.index;
    idx.entries
        .iter()
        .enumerate()
        .find(|(_, e)| match e.parent {
            None => e.term == printed,
            Some(p) => format!("{}: {}", idx.entries[p as usize].term, e.term) == printed,
        })
        .map_or(0, |(i, _)| i as u32)
}
