//! `manuscript/contents.md`: level-1 headings name the divisions, nested lists are the
//! entries in reading order. Produces a flat list of outline entries with their depth.

use pulldown_cmark::{Event, Options, Parser, Tag, TagEnd};

use crate::diag::{Diagnostics, SourceFile};
use crate::model::Division;

/// What an outline entry points at, before files are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawTarget {
    File(String),
    Group,
    Contents,
    Index,
    Ordering,
    Figures,
    Bibliography,
    Notes,
}

#[derive(Debug, Clone)]
pub struct RawEntry {
    pub division: Division,
    pub depth: u8,
    pub title: String,
    pub target: RawTarget,
    /// Byte offset of the entry in contents.md.
    pub offset: usize,
    /// Byte offset of the link destination (for messages about the path).
    pub target_offset: usize,
}

const MAX_DEPTH: usize = 8;

pub const GENERATED: &[&str] = &[
    "@contents",
    "@figures",
    "@bibliography",
    "@notes",
    "@index",
    "@ordering",
];

/// Parses contents.md, reporting every problem.
pub fn parse(file: &SourceFile, diags: &mut Diagnostics) -> Vec<RawEntry> {
    let text = &file.text;
    let parser = Parser::new_ext(text, Options::ENABLE_SMART_PUNCTUATION).into_offset_iter();
    let mut entries: Vec<RawEntry> = Vec::new();
    let mut division: Option<Division> = None;
    let mut seen_divisions: Vec<Division> = Vec::new();
    let mut list_depth: usize = 0;
    // The item being read: its title text, link and start offset.
    let mut item: Option<ItemState> = None;
    let mut in_heading: Option<(usize, String)> = None;
    let mut warned_depth = false;

    for (event, range) in parser {
        match event {
            Event::Start(Tag::Heading { level, .. }) => {
                flush(&mut item, &mut entries, file, diags);
                if level == pulldown_cmark::HeadingLevel::H1 {
                    in_heading = Some((range.start, String::new()));
                } else {
                    diags.error_hint(
                        Some(file.location(range.start)),
                        "contents.md only uses level-1 headings, for the divisions",
                        "write \"# Front matter\", \"# Body\" and \"# Back matter\"; the outline below each is a list",
                    );
                }
            }
            Event::End(TagEnd::Heading(_)) => {
                if let Some((at, name)) = in_heading.take()
                    && let Some(d) = division_heading(at, &name, &mut seen_divisions, file, diags)
                {
                    division = Some(d);
                }
            }
            Event::Start(Tag::List(_)) => {
                flush(&mut item, &mut entries, file, diags);
                list_depth += 1;
            }
            Event::End(TagEnd::List(_)) => {
                flush(&mut item, &mut entries, file, diags);
                list_depth = list_depth.saturating_sub(1);
            }
            Event::Start(Tag::Item) => {
                flush(&mut item, &mut entries, file, diags);
                let Some(div) = division else {
                    diags.error_hint(
                        Some(file.location(range.start)),
                        "an entry comes before any division heading",
                        "put \"# Front matter\", \"# Body\" or \"# Back matter\" above the list",
                    );
                    division = Some(Division::Body);
                    item = Some(ItemState::new(range.start, Division::Body, list_depth));
                    continue;
                };
                if list_depth > MAX_DEPTH && !warned_depth {
                    warned_depth = true;
                    diags.error_hint(
                        Some(file.location(range.start)),
                        format!("the outline nests deeper than {MAX_DEPTH} levels"),
                        "books, parts, chapters and sections need 4 levels at most; flatten the list",
                    );
                }
                item = Some(ItemState::new(range.start, div, list_depth));
            }
            Event::End(TagEnd::Item) => flush(&mut item, &mut entries, file, diags),
            Event::Start(Tag::Link { dest_url, .. }) => {
                if let Some(it) = item.as_mut() {
                    if it.link.is_some() || !it.title.trim().is_empty() {
                        it.extra = true;
                    }
                    it.link = Some((dest_url.to_string(), range.start));
                    it.in_link = true;
                }
            }
            Event::End(TagEnd::Link) => {
                if let Some(it) = item.as_mut() {
                    it.in_link = false;
                }
            }
            Event::Text(t) | Event::Code(t) => {
                if let Some((_, name)) = in_heading.as_mut() {
                    name.push_str(&t);
                } else if let Some(it) = item.as_mut() {
                    if it.link.is_some() && !it.in_link {
                        if !t.trim().is_empty() {
                            it.extra = true;
                        }
                    } else {
                        it.title.push_str(&t);
                    }
                } else if !t.trim().is_empty() {
                    diags.warning_hint(
                        Some(file.location(range.start)),
                        "text outside the outline lists is ignored",
                        "contents.md holds only division headings and lists of entries",
                    );
                }
            }
            Event::SoftBreak | Event::HardBreak => {
                if let Some(it) = item.as_mut() {
                    it.title.push(' ');
                }
            }
            _ => {}
        }
    }
    flush(&mut item, &mut entries, file, diags);
    entries
}

/// A `#` heading of contents.md: one of the three divisions, each once, in order.
fn division_heading(
    at: usize,
    name: &str,
    seen: &mut Vec<Division>,
    file: &SourceFile,
    diags: &mut Diagnostics,
) -> Option<Division> {
    let d = match name.trim().to_lowercase().as_str() {
        "front matter" | "frontmatter" | "front" => Division::Front,
        "body" | "main matter" | "mainmatter" => Division::Body,
        "back matter" | "backmatter" | "back" => Division::Back,
        _ => {
            diags.error_hint(
                Some(file.location(at)),
                format!("unknown division \"{}\"", name.trim()),
                "the divisions are \"# Front matter\", \"# Body\" and \"# Back matter\", in that order",
            );
            return None;
        }
    };
    if seen.contains(&d) {
        diags.error_hint(
            Some(file.location(at)),
            format!("the division \"{}\" appears twice", name.trim()),
            "list all its entries under one heading",
        );
    } else if seen.last().is_some_and(|last| order(*last) > order(d)) {
        diags.error_hint(
            Some(file.location(at)),
            format!("the division \"{}\" is out of order", name.trim()),
            "the divisions come in the order Front matter, Body, Back matter",
        );
    }
    seen.push(d);
    Some(d)
}

fn order(d: Division) -> u8 {
    match d {
        Division::Front => 0,
        Division::Body => 1,
        Division::Back => 2,
    }
}

struct ItemState {
    start: usize,
    division: Division,
    depth: usize,
    title: String,
    link: Option<(String, usize)>,
    in_link: bool,
    extra: bool,
}

impl ItemState {
    fn new(start: usize, division: Division, depth: usize) -> Self {
        ItemState {
            start,
            division,
            depth,
            title: String::new(),
            link: None,
            in_link: false,
            extra: false,
        }
    }
}

fn flush(
    item: &mut Option<ItemState>,
    entries: &mut Vec<RawEntry>,
    file: &SourceFile,
    diags: &mut Diagnostics,
) {
    let Some(it) = item.take() else { return };
    let title = it.title.split_whitespace().collect::<Vec<_>>().join(" ");
    if it.extra {
        diags.error_hint(
            Some(file.location(it.start)),
            "an outline entry holds more than one title or link",
            "write each entry as \"- [Title](file.md)\" or, for a grouping entry, \"- Title\"",
        );
    }
    if title.is_empty() {
        diags.error_hint(
            Some(file.location(it.start)),
            "an outline entry has no title",
            "write \"- [Title](file.md)\"; the link text is the title in the contents",
        );
    }
    let (target, target_offset) = match it.link {
        None => (RawTarget::Group, it.start),
        Some((dest, at)) => {
            let t = match dest.as_str() {
                "@contents" => RawTarget::Contents,
                "@index" => RawTarget::Index,
                "@figures" => RawTarget::Figures,
                "@bibliography" => RawTarget::Bibliography,
                "@notes" => RawTarget::Notes,
                "@ordering" => RawTarget::Ordering,
                d if d.starts_with('@') => {
                    diags.error_hint(
                        Some(file.location(at)),
                        format!("unknown generated entry \"{d}\""),
                        format!("the generated entries are {}", GENERATED.join(", ")),
                    );
                    return;
                }
                "" => {
                    diags.error_hint(
                        Some(file.location(at)),
                        "an outline entry links to nothing",
                        "write the file's path, relative to manuscript/, in the parentheses",
                    );
                    return;
                }
                d => RawTarget::File(d.to_string()),
            };
            (t, at)
        }
    };
    entries.push(RawEntry {
        division: it.division,
        depth: it.depth.saturating_sub(1).min(MAX_DEPTH) as u8,
        title,
        target,
        offset: it.start,
        target_offset,
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_str(s: &str) -> (Vec<RawEntry>, Diagnostics) {
        let f = SourceFile::new("manuscript/contents.md", s.to_string());
        let mut d = Diagnostics::new();
        let e = parse(&f, &mut d);
        (e, d)
    }

    #[test]
    fn divisions_nesting_and_groups() {
        let (e, d) = parse_str(
            "# Front matter\n- [Editor's word](editors-word.md)\n- [Contents](@contents)\n\n# Body\n- [Chapter One. (1900--1919)](chapter-1.md)\n  - [1. Division](chapter-1/1.md)\n- Part Two\n  - [Chapter Two](chapter-2.md)\n\n# Back matter\n- [Index](@index)\n",
        );
        assert!(d.is_empty(), "{d:?}");
        let got: Vec<(Division, u8, &str, RawTarget)> = e
            .iter()
            .map(|e| (e.division, e.depth, e.title.as_str(), e.target.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                (
                    Division::Front,
                    0,
                    "Editor’s word",
                    RawTarget::File("editors-word.md".into())
                ),
                (Division::Front, 0, "Contents", RawTarget::Contents),
                (
                    Division::Body,
                    0,
                    "Chapter One. (1900–1919)",
                    RawTarget::File("chapter-1.md".into())
                ),
                (
                    Division::Body,
                    1,
                    "1. Division",
                    RawTarget::File("chapter-1/1.md".into())
                ),
                (Division::Body, 0, "Part Two", RawTarget::Group),
                (
                    Division::Body,
                    1,
                    "Chapter Two",
                    RawTarget::File("chapter-2.md".into())
                ),
                (Division::Back, 0, "Index", RawTarget::Index),
            ]
        );
    }

    #[test]
    fn reports_bad_outline() {
        let (_, d) = parse_str(
            "- [A](a.md)\n# Middle\n- [B](@foo)\n# Body\n# Front matter\n- [C](c.md) and [D](d.md)\n",
        );
        let msgs: Vec<String> = d.into_sorted().iter().map(|d| d.render(false)).collect();
        assert!(
            msgs[0].starts_with(
                "manuscript/contents.md:1:1: error: an entry comes before any division heading"
            ),
            "{msgs:?}"
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains(":2:1: error: unknown division \"Middle\""))
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains(":3:3: error: unknown generated entry \"@foo\""))
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains(":5:1: error: the division \"Front matter\" is out of order"))
        );
        assert!(
            msgs.iter()
                .any(|m| m.contains(":6:1: error: an outline entry holds more than one"))
        );
    }
}
