//! Citations: pandoc's syntax found while the files are parsed ([`syntax`]), the references
//! read with Hayagriva ([`library`]), and, once every file is read, each citation formatted
//! in the book's style in reading order — so "Ibid." and short forms fall where the style
//! puts them — and the bibliography generated from what was cited.
//!
//! With a note style (Chicago notes) a citation in running text becomes a note of its own,
//! numbered with the author's notes; one inside an author's note is set inside it. First
//! citations are full and later ones short, counted per chapter (top-level entry), as the
//! Chicago Manual asks. With an in-text style (author-date) the citation is printed where it
//! stands, and positions run through the book.

mod fast;
pub(crate) mod library;
mod render;
pub(crate) mod syntax;

use std::collections::HashMap;

use hayagriva::citationberg::taxonomy::Locator;
use hayagriva::{
    BibliographyDriver, BibliographyRequest, CitationItem, CitationRequest, CitePurpose,
    LocatorPayload, SpecificLocator,
};

pub(crate) use library::Refs;

use crate::model::{BibItem, Block, Footnote, Inline, NoteId, Pos};

/// What the parser needs to know to find citations: the keys that exist (`None` when the
/// reference files did not read: then no key is reported unknown) and whether citations in
/// running text become notes.
#[derive(Debug, Clone)]
pub(crate) struct CiteParse {
    pub keys: Option<std::collections::HashSet<String>>,
    pub closest: Vec<String>,
    pub note_style: bool,
}

/// A citation as the manuscript has it.
#[derive(Debug, Clone)]
pub(crate) struct CiteSite {
    pub items: Vec<syntax::CiteItem>,
    pub narrative: bool,
    /// Where it starts.
    pub pos: Pos,
    /// The outline entry whose file has it.
    pub entry: usize,
    /// It stands in this note of the author's.
    pub in_note: Option<NoteId>,
    /// The note made for it (a note style, a citation in running text).
    pub note: Option<NoteId>,
}

/// The formatted citations and the bibliography.
pub(crate) struct Resolved {
    /// What replaces `Inline::Cite(site)`: the citation (in-text styles, or inside an
    /// author's note), or the author's name (a narrative citation with a note style).
    pub text: Vec<Vec<Inline>>,
    /// The content of each site's own note, if it has one.
    pub note_text: Vec<Option<Vec<Inline>>>,
    pub bibliography: Vec<BibItem>,
}

/// Formats every citation and the bibliography. `top_of` gives an entry's top-level entry
/// (its chapter); `linked`: the book prints the bibliography, so citations link to it.
pub(crate) fn resolve(
    refs: &Refs,
    sites: &[CiteSite],
    notes: &[Footnote],
    top_of: &dyn Fn(usize) -> usize,
    linked: bool,
    uncited: bool,
) -> Resolved {
    resolve_with(refs, sites, notes, top_of, linked, uncited, true)
}

/// [`resolve`], with the quick path allowed or not (the tests compare the two).
fn resolve_with(
    refs: &Refs,
    sites: &[CiteSite],
    notes: &[Footnote],
    top_of: &dyn Fn(usize) -> usize,
    linked: bool,
    uncited: bool,
    quick: bool,
) -> Resolved {
    let anchors = anchors(refs);
    let anchor = |key: &str| linked.then(|| anchors.get(key).cloned()).flatten();
    let note_style = refs.note_style();
    let number_of = |s: &CiteSite| {
        s.note
            .or(s.in_note)
            .and_then(|n| notes.get(n as usize))
            .map_or(0, |n| n.number)
    };
    // Reading order: by chapter; within one, by note (with a note style), then as written.
    let mut order: Vec<usize> = (0..sites.len()).collect();
    order.sort_by_key(|&i| {
        let s = &sites[i];
        let within = if note_style { number_of(s) } else { 0 };
        (top_of(s.entry), s.entry, within, i)
    });
    let mut out = Resolved {
        text: vec![Vec::new(); sites.len()],
        note_text: vec![None; sites.len()],
        bibliography: Vec::new(),
    };
    // Groups of sites whose positions count together: per chapter with a note style, the
    // whole book with an in-text one.
    let mut groups: Vec<Vec<usize>> = Vec::new();
    for &i in &order {
        let g = top_of(sites[i].entry);
        match groups.last_mut() {
            Some(last) if note_style && top_of(sites[last[0]].entry) == g => last.push(i),
            Some(last) if !note_style => last.push(i),
            _ => groups.push(vec![i]),
        }
    }
    let mut cited: Vec<&str> = Vec::new();
    for &i in &order {
        for it in &sites[i].items {
            if !cited.contains(&it.key.as_str()) {
                cited.push(&it.key);
            }
        }
    }
    let mut cache = fast::FormCache::new();
    let tests = fast::Tests::of(refs);
    // The forms of every group's citations, formatted once each; a group whose forms
    // cannot be reproduced, or a book with works that read alike, takes the slow path.
    let mut forms: Vec<Option<Vec<Vec<fast::ItemForm>>>> = groups
        .iter()
        .map(|g| {
            (quick && fast::style_allows(refs))
                .then(|| {
                    fast::forms(refs, sites, g, note_style, tests, &|s| {
                        purposes(s, note_style)
                    })
                })
                .flatten()
        })
        .collect();
    // The bibliography is formatted meanwhile.
    let all: Vec<&[fast::ItemForm]> = forms
        .iter()
        .flatten()
        .flat_map(|g| g.iter().map(Vec::as_slice))
        .collect();
    let ((), listed) = rayon::join(
        || cache.fill(refs, &all, note_style),
        || bibliography(refs, &cited, uncited, &anchors),
    );
    drop(all);
    if cache.alike() {
        forms.iter_mut().for_each(|f| *f = None);
    }
    let mut slow_bibliography = None;
    for (group, group_forms) in groups.iter().zip(forms) {
        let was_quick = group_forms.is_some();
        let rendered: Vec<hayagriva::ElemChildren> = match group_forms {
            Some(forms) => forms
                .iter()
                .map(|f| cache.get(refs, f, note_style).unwrap_or_default())
                .collect(),
            None => {
                let (r, b) = one_driver(refs, sites, group, note_style, &cited, uncited);
                if b.is_some() {
                    slow_bibliography = b;
                }
                r
            }
        };
        for (&i, c) in group.iter().zip(&rendered) {
            let s = &sites[i];
            let dress: Vec<render::ItemDress> = s
                .items
                .iter()
                .map(|it| render::ItemDress {
                    prefix: it.prefix.clone(),
                    suffix: it.suffix.clone(),
                    anchor: anchor(&it.key),
                })
                .collect();
            let mut text = render::inlines(c, &dress);
            if was_quick {
                fast::put_locators(&mut text, s);
            }
            finish_citation(refs, s, &mut text);
            if s.note.is_some() {
                render::capitalize_first(&mut text);
                out.note_text[i] = Some(text);
            } else {
                out.text[i] = text;
            }
        }
    }
    out.bibliography = match slow_bibliography {
        // An in-text style told works apart (2000a, 2000b): its bibliography says the same.
        Some(b) if !note_style => bib_items(refs, b, &anchors),
        _ => listed,
    };
    if note_style {
        for (i, s) in sites.iter().enumerate().filter(|(_, s)| s.narrative) {
            out.text[i] = vec![Inline::Text(short_names(refs, s))];
        }
    }
    out
}

/// The forms the author asked for: with an in-text style, narrative citations for prose and
/// `-@key` without the author.
fn purposes(s: &CiteSite, note_style: bool) -> Vec<Option<CitePurpose>> {
    s.items
        .iter()
        .map(|it| match (note_style, s.narrative, it.suppress_author) {
            (false, true, _) => Some(CitePurpose::Prose),
            (false, false, true) => Some(CitePurpose::Year),
            _ => None,
        })
        .collect()
}

/// The slow path: the group's citations through one driver, as Hayagriva positions and
/// disambiguates them. With an in-text style it also gives the bibliography.
fn one_driver(
    refs: &Refs,
    sites: &[CiteSite],
    group: &[usize],
    note_style: bool,
    cited: &[&str],
    uncited: bool,
) -> (
    Vec<hayagriva::ElemChildren>,
    Option<hayagriva::RenderedBibliography>,
) {
    let mut driver = BibliographyDriver::new();
    // Notes numbered as hayagriva counts them: one after another in this group.
    let mut note_seq: HashMap<NoteId, usize> = HashMap::new();
    for &i in group {
        let s = &sites[i];
        let note = s.note.or(s.in_note).map(|n| {
            let next = note_seq.len() + 1;
            *note_seq.entry(n).or_insert(next)
        });
        driver.citation(request(refs, citation_items(refs, s, note_style), note));
    }
    if !note_style {
        hidden_citations(refs, cited, uncited, &mut driver);
    }
    let rendered = driver.finish(BibliographyRequest::new(
        &refs.style,
        Some(refs.locale.clone()),
        &refs.locales,
    ));
    let bib = if note_style {
        None
    } else {
        rendered.bibliography
    };
    (
        rendered
            .citations
            .into_iter()
            .take(group.len())
            .map(|c| c.citation)
            .collect(),
        bib,
    )
}

/// What the book adds to a formatted citation: `-@key` as a year in parentheses, a citation
/// inside the author's note in parentheses, American punctuation inside quotation marks.
fn finish_citation(refs: &Refs, s: &CiteSite, text: &mut Vec<Inline>) {
    let note_style = refs.note_style();
    if !note_style && s.items.iter().any(|it| it.suppress_author) {
        *text = year_only(std::mem::take(text), s);
    }
    if note_style && s.in_note.is_some() {
        // Inside a sentence of the author's note: in parentheses, as pandoc sets it.
        render::trim_final_period(text);
        text.insert(0, Inline::Text("(".into()));
        text.push(Inline::Text(")".into()));
    }
    if refs.quotes_take_punctuation() {
        render::punctuation_inside_quotes(text);
    }
}

/// A narrative citation's names in the text with a note style: the authors' family names
/// ("Knuth and Plass", "Knuth et al."), or the title of a work without author or editor.
fn short_names(refs: &Refs, s: &CiteSite) -> String {
    let english = refs.locale.0.starts_with("en");
    let and = if english { "and" } else { "&" };
    let one = |key: &str| -> String {
        let Some(e) = refs.get(key) else {
            return key.to_string();
        };
        let people = e.authors().or(e.editors()).unwrap_or(&[]);
        let names: Vec<String> = people
            .iter()
            .map(|p| match &p.prefix {
                Some(pre) => format!("{pre} {}", p.name),
                None => p.name.clone(),
            })
            .collect();
        match names.as_slice() {
            [] => e
                .title()
                .map(|t| t.value.to_string())
                .unwrap_or_else(|| key.to_string()),
            [a] => a.clone(),
            [a, b] => format!("{a} {and} {b}"),
            [a, b, c] => format!("{a}, {b}, {and} {c}"),
            [a, ..] => format!("{a} et al."),
        }
    };
    let all: Vec<String> = s.items.iter().map(|it| one(&it.key)).collect();
    all.join("; ")
}

/// A citation request in the book's style and locale.
fn request<'a>(
    refs: &'a Refs,
    items: Vec<CitationItem<'a, hayagriva::Entry>>,
    note: Option<usize>,
) -> CitationRequest<'a, hayagriva::Entry> {
    CitationRequest::new(
        items,
        &refs.style,
        Some(refs.locale.clone()),
        &refs.locales,
        note,
    )
}

/// The items of a citation request, with their locators; narrative citations are set for
/// prose and `-@key` without the author when the style is in-text.
fn citation_items<'a>(
    refs: &'a Refs,
    s: &'a CiteSite,
    note_style: bool,
) -> Vec<CitationItem<'a, hayagriva::Entry>> {
    s.items
        .iter()
        .filter_map(|it| {
            let entry = refs.get(&it.key)?;
            let locator = it
                .locator
                .as_ref()
                .map(|(l, v)| SpecificLocator(*l, LocatorPayload::Str(v)));
            let purpose = match (note_style, s.narrative, it.suppress_author) {
                (false, true, _) => Some(CitePurpose::Prose),
                (false, false, true) => Some(CitePurpose::Year),
                _ => None,
            };
            Some(CitationItem::new(entry, locator, None, false, purpose))
        })
        .collect()
}

/// `-@key` in an in-text style: the year (and locator) in parentheses.
fn year_only(mut year: Vec<Inline>, s: &CiteSite) -> Vec<Inline> {
    let mut out = vec![Inline::Text("(".into())];
    out.append(&mut year);
    if let Some((loc, v)) = s.items.first().and_then(|it| it.locator.as_ref()) {
        let term = match loc {
            Locator::Page => String::new(),
            other => format!("{} ", short_term(*other)),
        };
        out.push(Inline::Text(format!(", {term}{v}")));
    }
    out.push(Inline::Text(")".into()));
    out
}

fn short_term(l: Locator) -> &'static str {
    match l {
        Locator::Chapter => "chap.",
        Locator::Section => "sec.",
        Locator::Paragraph => "para.",
        Locator::Figure => "fig.",
        Locator::Volume => "vol.",
        Locator::Note => "n.",
        Locator::Line => "line",
        Locator::Verse => "v.",
        Locator::Book => "bk.",
        Locator::Part => "pt.",
        Locator::Column => "col.",
        Locator::Folio => "fol.",
        Locator::Issue => "no.",
        Locator::Table => "table",
        _ => "",
    }
}

/// Entries that are in the bibliography without a citation in the text: the cited ones
/// (with a note style, whose citations are formatted chapter by chapter) and, with
/// `uncited`, every other entry of the files.
fn hidden_citations<'a>(
    refs: &'a Refs,
    cited: &[&str],
    uncited: bool,
    driver: &mut BibliographyDriver<'a, hayagriva::Entry>,
) {
    let mut keys: Vec<&str> = cited.to_vec();
    if uncited {
        keys.extend(refs.library.keys().filter(|k| !cited.contains(k)));
    }
    for k in keys {
        if let Some(e) = refs.get(k) {
            driver.citation(request(
                refs,
                vec![CitationItem::new(e, None, None, true, None)],
                None,
            ));
        }
    }
}

/// The bibliography: every work cited anywhere (and the uncited ones when asked), formatted
/// together so the style can sort them.
fn bibliography(
    refs: &Refs,
    cited: &[&str],
    uncited: bool,
    anchors: &HashMap<String, String>,
) -> Vec<BibItem> {
    let locale = Some(refs.locale.clone());
    let mut driver = BibliographyDriver::new();
    hidden_citations(refs, cited, uncited, &mut driver);
    let rendered = driver.finish(BibliographyRequest::new(
        &refs.style,
        locale.clone(),
        &refs.locales,
    ));
    rendered
        .bibliography
        .map(|b| bib_items(refs, b, anchors))
        .unwrap_or_default()
}

/// The rendered bibliography as the book's entries: in the style's order (made right for
/// works without an author, which Hayagriva sorts by their opening quotation mark), with
/// the style's substitute (a 3-em dash) for an author repeated from the entry before.
fn bib_items(
    refs: &Refs,
    b: hayagriva::RenderedBibliography,
    anchors: &HashMap<String, String>,
) -> Vec<BibItem> {
    let mut items = b.items;
    if refs.sorts_by_name() {
        let collation = crate::index::build::Collation::new(&refs.locale.0);
        let english = refs.locale.0.starts_with("en");
        let key = |it: &hayagriva::BibliographyItem| {
            let text = crate::model::plain_text(&render::inlines(&it.content, &[]));
            let t = text.trim_start_matches(|c: char| !c.is_alphanumeric());
            // Titles sort without their article: "The TeXbook" under T for TeXbook.
            let t = match english {
                true => ["The ", "A ", "An "]
                    .iter()
                    .find_map(|a| t.strip_prefix(a))
                    .unwrap_or(t),
                false => t,
            };
            t.to_string()
        };
        let mut keyed: Vec<(String, hayagriva::BibliographyItem)> =
            items.into_iter().map(|it| (key(&it), it)).collect();
        keyed.sort_by(|a, b| collation.compare(&a.0, &b.0));
        items = keyed.into_iter().map(|(_, it)| it).collect();
    }
    let substitute = refs
        .style
        .bibliography
        .as_ref()
        .and_then(|b| b.subsequent_author_substitute.clone());
    let mut previous: Option<String> = None;
    items
        .into_iter()
        .map(|it| {
            let mut content = Vec::new();
            if let Some(first) = &it.first_field {
                content.extend(render::inlines(
                    &hayagriva::ElemChildren(vec![first.clone()]),
                    &[],
                ));
                content.push(Inline::Text(" ".into()));
            }
            let names = render::first_names(&it.content);
            let repeated = names.is_some() && names == previous;
            previous = names;
            match (&substitute, repeated) {
                (Some(s), true) => content.extend(render::inlines_names_as(&it.content, s)),
                _ => content.extend(render::inlines(&it.content, &[])),
            }
            if refs.quotes_take_punctuation() {
                render::punctuation_inside_quotes(&mut content);
            }
            BibItem {
                anchor: anchors.get(&it.key).cloned().unwrap_or_default(),
                key: it.key,
                content,
            }
        })
        .collect()
}

/// Each entry's anchor in the bibliography: `bib-` and its key made a valid XML id, kept
/// unique.
fn anchors(refs: &Refs) -> HashMap<String, String> {
    let mut out = HashMap::new();
    let mut used = std::collections::HashSet::new();
    for key in refs.library.keys() {
        let clean: String = key
            .chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '-'
                }
            })
            .collect();
        let mut a = format!("bib-{clean}");
        let mut n = 1;
        while !used.insert(a.clone()) {
            n += 1;
            a = format!("bib-{clean}-{n}");
        }
        out.insert(key.to_string(), a);
    }
    out
}

/// Puts the formatted citations in place of their placeholders.
pub(crate) fn fill(blocks: &mut [Block], text: &[Vec<Inline>]) {
    crate::model::visit_inlines_mut(blocks, &mut |inlines| fill_inlines(inlines, text));
}

fn fill_inlines(inlines: &mut Vec<Inline>, text: &[Vec<Inline>]) {
    if !inlines.iter().any(has_cite) {
        return;
    }
    let old = std::mem::take(inlines);
    for mut i in old {
        match &mut i {
            Inline::Cite(id) => {
                if let Some(t) = text.get(*id as usize) {
                    inlines.extend(t.iter().cloned());
                }
                continue;
            }
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) | Inline::SmallCaps(c) => {
                fill_inlines(c, text)
            }
            Inline::Link(l) => fill_inlines(&mut l.content, text),
            _ => {}
        }
        inlines.push(i);
    }
}

fn has_cite(i: &Inline) -> bool {
    match i {
        Inline::Cite(_) => true,
        Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) | Inline::SmallCaps(c) => {
            c.iter().any(has_cite)
        }
        Inline::Link(l) => l.content.iter().any(has_cite),
        _ => false,
    }
}

#[cfg(test)]
mod tests;
