//! `manuscript/index.toml`: the terms to find, how to print them, and their cross-references.

use serde::Deserialize;
use toml::Spanned;

use super::introspect::fields_of;
use super::tomlcheck;
use crate::diag::{Diagnostics, SourceFile};
use crate::model::{IndexEntry, IndexEntryId, Pos};

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawIndex {
    entry: Option<Vec<RawEntry>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawEntry {
    term: Spanned<String>,
    #[serde(rename = "match")]
    matches: Option<Spanned<Vec<String>>>,
    see: Option<Spanned<String>>,
    see_also: Option<Spanned<Vec<String>>>,
    case: Option<Spanned<String>>,
    sub: Option<Vec<RawEntry>>,
}

/// Reads index.toml into entries (parents before their sub-entries).
pub fn load(file: &SourceFile, file_id: u32, diags: &mut Diagnostics) -> Vec<IndexEntry> {
    let before = diags.error_count();
    let Some(table) = tomlcheck::parse(file, diags) else {
        return Vec::new();
    };
    tomlcheck::unknown_keys(
        table.get_ref(),
        fields_of::<RawIndex>(),
        "index.toml",
        file,
        diags,
    );
    let allowed = fields_of::<RawEntry>();
    let mut stack: Vec<(&toml::de::DeTable<'_>, &str)> =
        tomlcheck::sub_tables(table.get_ref(), "entry")
            .into_iter()
            .map(|t| (t, "[[entry]]"))
            .collect();
    while let Some((t, name)) = stack.pop() {
        tomlcheck::unknown_keys(t, allowed, name, file, diags);
        stack.extend(
            tomlcheck::sub_tables(t, "sub")
                .into_iter()
                .map(|t| (t, "[[entry.sub]]")),
        );
    }
    if diags.error_count() > before {
        return Vec::new();
    }
    let raw: RawIndex = match toml::from_str(&file.text) {
        Ok(r) => r,
        Err(e) => {
            tomlcheck::report_de_error(&e, file, diags);
            return Vec::new();
        }
    };
    let mut entries = Vec::new();
    // (raw entry, its parent) — references are resolved once every term is known.
    let mut pending: Vec<(&RawEntry, IndexEntryId)> = Vec::new();
    let raws = raw.entry.as_deref().unwrap_or(&[]);
    for r in raws {
        let id = add(&mut entries, &mut pending, r, None, file, file_id, diags);
        for s in r.sub.as_deref().unwrap_or(&[]) {
            if s.sub.as_ref().is_some_and(|v| !v.is_empty()) {
                diags.error_hint(
                    Some(file.location(s.term.span().start)),
                    "sub-entries nest one level only",
                    "make the deeper entry a sub-entry of the top-level entry, or a top-level entry with see_also",
                );
            }
            add(
                &mut entries,
                &mut pending,
                s,
                Some(id),
                file,
                file_id,
                diags,
            );
        }
    }
    // Duplicate terms among siblings.
    for i in 0..entries.len() {
        for j in 0..i {
            if entries[i].parent == entries[j].parent && entries[i].term == entries[j].term {
                diags.error_hint(
                    Some(file.location(entries[i].pos.offset as usize)),
                    format!("index term \"{}\" is defined twice", entries[i].term),
                    "merge the two entries: list every spelling in one `match`",
                );
            }
        }
    }
    for (r, id) in pending {
        if let Some(see) = &r.see {
            entries[id as usize].see =
                resolve_ref(&entries, see.get_ref(), see.span().start, file, diags);
        }
        if let Some(also) = &r.see_also {
            let ids: Vec<IndexEntryId> = also
                .get_ref()
                .iter()
                .filter_map(|t| resolve_ref(&entries, t, also.span().start, file, diags))
                .collect();
            entries[id as usize].see_also = ids;
        }
    }
    entries
}

fn add<'r>(
    entries: &mut Vec<IndexEntry>,
    pending: &mut Vec<(&'r RawEntry, IndexEntryId)>,
    r: &'r RawEntry,
    parent: Option<IndexEntryId>,
    file: &SourceFile,
    file_id: u32,
    diags: &mut Diagnostics,
) -> IndexEntryId {
    let term = typographic(r.term.get_ref().trim());
    if term.is_empty() {
        diags.error_hint(
            Some(file.location(r.term.span().start)),
            "index term is empty",
            "give the heading to print in the index",
        );
    }
    let case_insensitive = match &r.case {
        None => false,
        Some(c) if c.get_ref() == "insensitive" => true,
        Some(c) if c.get_ref() == "sensitive" => false,
        Some(c) => {
            diags.error_hint(
                Some(file.location(c.span().start)),
                format!("case = \"{}\" is not allowed", c.get_ref()),
                "use case = \"insensitive\" (or leave it out for case-sensitive matching)",
            );
            false
        }
    };
    let matches = match (&r.matches, &r.see) {
        (Some(m), _) => {
            if m.get_ref().iter().any(|p| p.trim().is_empty()) {
                diags.error_hint(
                    Some(file.location(m.span().start)),
                    "a match phrase is empty",
                    "remove the empty string from `match`",
                );
            }
            m.get_ref()
                .iter()
                .map(|p| p.trim().to_string())
                .filter(|p| !p.is_empty())
                .collect()
        }
        // A `see` entry is a cross-reference only: it has no pages of its own.
        (None, Some(_)) => Vec::new(),
        (None, None) => vec![term.clone()],
    };
    if r.see.is_some() && r.matches.is_some() {
        diags.warning_hint(
            Some(file.location(r.term.span().start)),
            format!("index entry \"{term}\" has both `see` and `match`"),
            "a `see` entry prints no page numbers; use see_also to keep the pages",
        );
    }
    let id = entries.len() as IndexEntryId;
    entries.push(IndexEntry {
        term,
        parent,
        matches,
        case_insensitive,
        see: None,
        see_also: Vec::new(),
        pos: Pos {
            file: file_id,
            offset: r.term.span().start as u32,
        },
        from_marker: false,
    });
    pending.push((r, id));
    id
}

/// A `see`/`see_also` target: a top-level term, `Parent!Sub`, or a unique sub-entry term.
fn resolve_ref(
    entries: &[IndexEntry],
    target: &str,
    at: usize,
    file: &SourceFile,
    diags: &mut Diagnostics,
) -> Option<IndexEntryId> {
    let target = typographic(target.trim());
    let target = target.as_str();
    let found = if let Some((p, s)) = target.split_once('!') {
        let parent = entries
            .iter()
            .position(|e| e.parent.is_none() && e.term == p.trim());
        parent.and_then(|pi| {
            entries
                .iter()
                .position(|e| e.parent == Some(pi as u32) && e.term == s.trim())
        })
    } else {
        entries
            .iter()
            .position(|e| e.parent.is_none() && e.term == target)
            .or_else(|| {
                let subs: Vec<usize> = entries
                    .iter()
                    .enumerate()
                    .filter(|(_, e)| e.term == target)
                    .map(|(i, _)| i)
                    .collect();
                (subs.len() == 1).then(|| subs[0])
            })
    };
    if found.is_none() {
        let terms: Vec<&str> = entries
            .iter()
            .filter(|e| e.parent.is_none())
            .map(|e| e.term.as_str())
            .collect();
        let hint = match tomlcheck::closest(target, &terms) {
            Some(c) => format!("did you mean \"{c}\"? A see/see_also names the `term` of another entry"),
            None => "a see/see_also names the `term` of another entry (or \"Entry!Sub-entry\"); add that entry or fix the spelling".to_string(),
        };
        diags.error_hint(
            Some(file.location(at)),
            format!("\"{target}\" is not an index entry"),
            hint,
        );
    }
    found.map(|i| i as IndexEntryId)
}

/// Terms are printed, so their apostrophes and quotation marks are made typographic, as
/// smart punctuation does for the text: "Gentlemen's" → "Gentlemen’s".
pub fn typographic(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut open = true;
    let mut prev: Option<char> = None;
    for c in s.chars() {
        match c {
            '\'' => out.push(if prev.is_some_and(char::is_alphanumeric) {
                '’'
            } else {
                '‘'
            }),
            '"' => {
                out.push(if open { '“' } else { '”' });
                open = !open;
            }
            c => out.push(c),
        }
        prev = Some(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_subs_and_references() {
        let f = SourceFile::new(
            "manuscript/index.toml",
            "[[entry]]\nterm = \"Genden, P.\"\nmatch = [\"Genden\"]\nsee_also = [\"Demid\"]\n\n[[entry]]\nterm = \"Demid\"\n\n[[entry]]\nterm = \"Japan\"\n  [[entry.sub]]\n  term = \"Kwantung army\"\n  match = [\"Kwantung army\", \"Kuantung army\"]\n\n[[entry]]\nterm = \"Khalkhin Gol\"\nsee = \"Halhin-Gol\"\n".to_string(),
        );
        let mut d = Diagnostics::new();
        let e = load(&f, 0, &mut d);
        let msgs: Vec<String> = d.into_sorted().iter().map(|d| d.render(false)).collect();
        assert_eq!(msgs.len(), 1, "{msgs:?}");
        assert!(
            msgs[0].starts_with(
                "manuscript/index.toml:17:7: error: \"Halhin-Gol\" is not an index entry"
            ),
            "{msgs:?}"
        );
        assert_eq!(e.len(), 5);
        assert_eq!(e[0].see_also, vec![1]);
        assert_eq!(e[3].parent, Some(2));
        assert!(e[4].matches.is_empty());
    }
}
