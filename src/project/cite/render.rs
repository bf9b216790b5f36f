//! Hayagriva's formatted output turned into the book's inlines: italics, bold and small caps
//! as the style asks, web addresses as links, and the author's own words ("see", ", and
//! passim") set around each work cited.

use hayagriva::citationberg::{FontStyle, FontVariant, FontWeight};
use hayagriva::{ElemChild, ElemChildren, ElemMeta, Formatted};

use crate::model::{Inline, Link, LinkTarget};

/// What surrounds each item of a citation: the author's prefix and suffix, and the anchor
/// of its bibliography entry (citations link to it when the book prints one).
pub(crate) struct ItemDress {
    pub prefix: String,
    pub suffix: String,
    pub anchor: Option<String>,
}

/// The inlines of a rendered citation or bibliography entry. `items` dresses each work
/// cited, by its index in the request.
pub(crate) fn inlines(children: &ElemChildren, items: &[ItemDress]) -> Vec<Inline> {
    let mut out = Vec::new();
    let mut dressed = vec![false; items.len()];
    walk(&children.0, items, &mut dressed, &mut out);
    // A style that does not mark its items: the words go around the whole citation.
    if let (false, [only]) = (dressed.iter().any(|d| *d), items) {
        if !only.prefix.is_empty() {
            out.insert(0, Inline::Text(format!("{} ", only.prefix)));
        }
        if !only.suffix.is_empty() {
            out.push(Inline::Text(only.suffix.clone()));
        }
    }
    merge_text(out)
}

fn walk(children: &[ElemChild], items: &[ItemDress], dressed: &mut [bool], out: &mut Vec<Inline>) {
    for c in children {
        match c {
            ElemChild::Text(f) => out.push(formatted(f)),
            ElemChild::Markup(m) => out.push(Inline::Text(m.clone())),
            ElemChild::Link { text, url } => out.push(Inline::Link(Link {
                target: LinkTarget::External(url.clone()),
                content: vec![formatted(text)],
            })),
            ElemChild::Transparent { .. } => {}
            ElemChild::Elem(e) => {
                let item = match e.meta {
                    Some(ElemMeta::Entry(i)) => items.get(i).map(|d| (i, d)),
                    _ => None,
                };
                let mut inner = Vec::new();
                walk(&e.children.0, items, dressed, &mut inner);
                match item {
                    Some((i, d)) => {
                        dressed[i] = true;
                        if !d.prefix.is_empty() {
                            out.push(Inline::Text(format!("{} ", d.prefix)));
                        }
                        match &d.anchor {
                            Some(a) if !contains_link(&inner) => out.push(Inline::Link(Link {
                                target: LinkTarget::Internal(a.clone()),
                                content: inner,
                            })),
                            _ => out.extend(inner),
                        }
                        if !d.suffix.is_empty() {
                            out.push(Inline::Text(d.suffix.clone()));
                        }
                    }
                    None => out.extend(inner),
                }
            }
        }
    }
}

fn contains_link(inlines: &[Inline]) -> bool {
    inlines.iter().any(|i| match i {
        Inline::Link(_) => true,
        Inline::Emph(c) | Inline::Strong(c) | Inline::SmallCaps(c) => contains_link(c),
        _ => false,
    })
}

/// A piece of text with its formatting.
fn formatted(f: &Formatted) -> Inline {
    let mut i = Inline::Text(f.text.clone());
    let fm = &f.formatting;
    if fm.font_variant == FontVariant::SmallCaps {
        i = Inline::SmallCaps(vec![i]);
    }
    if fm.font_style == FontStyle::Italic {
        i = Inline::Emph(vec![i]);
    }
    if fm.font_weight == FontWeight::Bold {
        i = Inline::Strong(vec![i]);
    }
    i
}

/// Adjacent plain text joined into one node.
fn merge_text(inlines: Vec<Inline>) -> Vec<Inline> {
    let mut out: Vec<Inline> = Vec::with_capacity(inlines.len());
    for i in inlines {
        if let (Some(Inline::Text(prev)), Inline::Text(t)) = (out.last_mut(), &i) {
            prev.push_str(t);
            continue;
        }
        out.push(i);
    }
    out
}

/// The plain text of the first names element (the authors or editors as printed), to see
/// whether an entry repeats the names of the one before it.
pub(crate) fn first_names(children: &ElemChildren) -> Option<String> {
    fn find(children: &[ElemChild]) -> Option<&hayagriva::Elem> {
        children.iter().find_map(|c| match c {
            ElemChild::Elem(e) if matches!(e.meta, Some(ElemMeta::Names(..))) => Some(e),
            ElemChild::Elem(e) => find(&e.children.0),
            _ => None,
        })
    }
    let e = find(&children.0)?;
    let text = crate::model::plain_text(&inlines(&e.children, &[]));
    (!text.trim().is_empty()).then_some(text)
}

/// The entry with its first names element replaced by `substitute` (the style's "———").
pub(crate) fn inlines_names_as(children: &ElemChildren, substitute: &str) -> Vec<Inline> {
    fn replace(children: &[ElemChild], substitute: &str, done: &mut bool) -> Vec<ElemChild> {
        children
            .iter()
            .map(|c| match c {
                ElemChild::Elem(e) if !*done && matches!(e.meta, Some(ElemMeta::Names(..))) => {
                    *done = true;
                    ElemChild::Markup(substitute.to_string())
                }
                ElemChild::Elem(e) if !*done => {
                    let mut e = e.clone();
                    e.children = ElemChildren(replace(&e.children.0, substitute, done));
                    ElemChild::Elem(e)
                }
                other => other.clone(),
            })
            .collect()
    }
    let mut done = false;
    inlines(
        &ElemChildren(replace(&children.0, substitute, &mut done)),
        &[],
    )
}

/// Drops the period a style ends a citation with (it stands inside a sentence).
pub(crate) fn trim_final_period(inlines: &mut Vec<Inline>) {
    match inlines.last_mut() {
        Some(Inline::Text(t)) => {
            if t.ends_with('.') && !t.ends_with("..") {
                t.pop();
            }
            if t.is_empty() {
                inlines.pop();
            }
        }
        Some(Inline::Emph(c) | Inline::Strong(c) | Inline::SmallCaps(c)) => trim_final_period(c),
        _ => {}
    }
}

/// American usage: a period or comma after a closing quotation mark goes inside it.
pub(crate) fn punctuation_inside_quotes(inlines: &mut [Inline]) {
    for i in inlines {
        match i {
            Inline::Text(t) if t.contains("”.") || t.contains("”,") => {
                *t = t.replace("”.", ".”").replace("”,", ",”");
            }
            Inline::Emph(c) | Inline::Strong(c) | Inline::SmallCaps(c) => {
                punctuation_inside_quotes(c)
            }
            Inline::Link(l) => punctuation_inside_quotes(&mut l.content),
            _ => {}
        }
    }
}

/// The text of inlines, for tests and messages.
#[cfg(test)]
pub(crate) fn plain(inlines: &[Inline]) -> String {
    crate::model::plain_text(inlines)
}

/// Upper-cases the first letter (a note starts with a capital: "See …").
pub(crate) fn capitalize_first(inlines: &mut [Inline]) {
    for i in inlines {
        match i {
            Inline::Text(t) => {
                if let Some(c) = t.chars().next() {
                    if c.is_lowercase() {
                        let upper: String = c.to_uppercase().collect();
                        t.replace_range(..c.len_utf8(), &upper);
                    }
                    return;
                }
            }
            Inline::Emph(c) | Inline::Strong(c) | Inline::SmallCaps(c) => {
                capitalize_first(c);
                return;
            }
            Inline::Link(l) => {
                capitalize_first(&mut l.content);
                return;
            }
            _ => return,
        }
    }
}
