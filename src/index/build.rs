//! The index as printed: entries sorted with the book language's collation, grouped under
//! letter headings, sub-entries under their entry, and see / see also references. Both back
//! ends lay out this same structure; only locators differ (page ranges or links).

use std::cmp::Ordering;

use icu_collator::options::{CollatorOptions, Strength};
use icu_collator::{CollatorBorrowed, CollatorPreferences};

use crate::model::{Book, HitId, Index, IndexEntryId};

/// The index in the order it is printed.
#[derive(Debug, Clone)]
pub struct PrintedIndex {
    /// Letter groups, in collation order.
    pub groups: Vec<Group>,
}

/// The entries under one letter heading.
#[derive(Debug, Clone)]
pub struct Group {
    /// The letter heading ("A", "Ө", "0–9").
    pub label: String,
    /// The group's entries, sorted.
    pub entries: Vec<PrintedEntry>,
}

/// One entry (or sub-entry) as printed.
#[derive(Debug, Clone)]
pub struct PrintedEntry {
    /// The entry's id in `Index::entries`.
    pub id: IndexEntryId,
    /// The term as printed.
    pub term: String,
    /// Occurrences in reading order.
    pub hits: Vec<HitId>,
    /// "see" target, as printed.
    pub see: Option<String>,
    /// "See also" targets, as printed.
    pub see_also: Vec<String>,
    /// Sub-entries, sorted.
    pub subs: Vec<PrintedEntry>,
}

/// Collators for the book's language: full strength for sorting, primary strength for
/// deciding which letter heading a term belongs under.
pub struct Collation {
    full: CollatorBorrowed<'static>,
    primary: CollatorBorrowed<'static>,
}

impl Collation {
    /// The collators for a BCP 47 language tag (the root collation when it has none).
    pub fn new(language: &str) -> Collation {
        let prefs = icu_locale_core::Locale::try_from_str(language)
            .map(|l| CollatorPreferences::from(&l))
            .unwrap_or_default();
        let full = CollatorBorrowed::try_new(prefs, CollatorOptions::default())
            .or_else(|_| {
                CollatorBorrowed::try_new(
                    CollatorPreferences::default(),
                    CollatorOptions::default(),
                )
            })
            .expect("the root collation is compiled in");
        let mut o = CollatorOptions::default();
        o.strength = Some(Strength::Primary);
        let primary = CollatorBorrowed::try_new(prefs, o)
            .or_else(|_| CollatorBorrowed::try_new(CollatorPreferences::default(), o))
            .expect("the root collation is compiled in");
        Collation { full, primary }
    }

    /// Orders two terms: full strength, then by code point so the order is total.
    pub fn compare(&self, a: &str, b: &str) -> Ordering {
        self.full.compare(a, b).then_with(|| a.cmp(b))
    }

    /// True when two letters belong under the same letter heading.
    pub fn same_letter(&self, a: &str, b: &str) -> bool {
        self.primary.compare(a, b) == Ordering::Equal
    }
}

/// Builds the printed index of a book.
pub fn build(book: &Book) -> PrintedIndex {
    let order = crate::index::hits::reading_order(book);
    build_from(&book.index, &order, &book.config.book.language)
}

/// `rank[hit]` is the hit's position in reading order.
pub fn build_from(index: &Index, rank: &[u32], language: &str) -> PrintedIndex {
    let coll = Collation::new(language);
    let mut hits_of: Vec<Vec<HitId>> = vec![Vec::new(); index.entries.len()];
    for (h, hit) in index.hits.iter().enumerate() {
        if rank.get(h).is_none_or(|r| *r == u32::MAX) {
            continue;
        }
        if let Some(v) = hits_of.get_mut(hit.entry as usize) {
            v.push(h as HitId);
        }
    }
    for v in &mut hits_of {
        v.sort_by_key(|h| rank.get(*h as usize).copied().unwrap_or(u32::MAX));
    }
    let name_of = |id: IndexEntryId| {
        let e = &index.entries[id as usize];
        match e.parent {
            Some(p) => format!("{}: {}", index.entries[p as usize].term, e.term),
            None => e.term.clone(),
        }
    };
    let printed = |id: usize, subs: Vec<PrintedEntry>| {
        let e = &index.entries[id];
        PrintedEntry {
            id: id as IndexEntryId,
            term: e.term.clone(),
            hits: hits_of[id].clone(),
            see: e.see.map(name_of),
            see_also: e.see_also.iter().map(|s| name_of(*s)).collect(),
            subs,
        }
    };
    let mut tops: Vec<PrintedEntry> = Vec::new();
    for (i, e) in index.entries.iter().enumerate() {
        if e.parent.is_some() {
            continue;
        }
        let mut subs: Vec<PrintedEntry> = index
            .entries
            .iter()
            .enumerate()
            .filter(|(_, s)| s.parent == Some(i as IndexEntryId))
            .map(|(j, _)| printed(j, Vec::new()))
            .filter(has_content)
            .collect();
        subs.sort_by(|a, b| coll.compare(&sort_key(&a.term), &sort_key(&b.term)));
        let entry = printed(i, subs);
        if has_content(&entry) {
            tops.push(entry);
        }
    }
    tops.sort_by(|a, b| coll.compare(&sort_key(&a.term), &sort_key(&b.term)));

    let mut groups: Vec<Group> = Vec::new();
    let mut current_first: Option<String> = None;
    for e in tops {
        let first = first_letter(&e.term);
        let same = current_first.as_ref().is_some_and(|f| {
            match (f.chars().next(), first.chars().next()) {
                (Some(a), Some(b)) if a.is_alphabetic() && b.is_alphabetic() => {
                    coll.same_letter(f, &first)
                }
                (Some(a), Some(b)) => !a.is_alphabetic() && !b.is_alphabetic(),
                _ => false,
            }
        });
        if !same {
            groups.push(Group {
                label: group_label(&first),
                entries: Vec::new(),
            });
            current_first = Some(first);
        }
        if let Some(g) = groups.last_mut() {
            g.entries.push(e);
        }
    }
    PrintedIndex { groups }
}

fn has_content(e: &PrintedEntry) -> bool {
    !e.hits.is_empty() || e.see.is_some() || !e.see_also.is_empty() || !e.subs.is_empty()
}

/// Leading punctuation ("‘Tis", "(The) City") does not decide the place of a term.
fn sort_key(term: &str) -> String {
    term.trim_start_matches(|c: char| !c.is_alphanumeric())
        .to_string()
}

fn first_letter(term: &str) -> String {
    sort_key(term)
        .chars()
        .next()
        .map(|c| c.to_uppercase().collect())
        .unwrap_or_default()
}

fn group_label(first: &str) -> String {
    match first.chars().next() {
        Some(c) if c.is_numeric() => "0–9".to_string(),
        Some(c) if c.is_alphabetic() => {
            // A group headed by "É" is the E group.
            let base = crate::model::slugify(&c.to_string());
            if base.len() == 1 && base != "book" {
                base.to_uppercase()
            } else {
                first.to_string()
            }
        }
        _ => "Symbols".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{IndexEntry, IndexHit, Pos};

    fn entry(term: &str, parent: Option<u32>) -> IndexEntry {
        IndexEntry {
            term: term.into(),
            parent,
            matches: vec![],
            case_insensitive: false,
            see: None,
            see_also: vec![],
            pos: Pos::default(),
            from_marker: false,
        }
    }

    fn index_of(terms: &[&str]) -> Index {
        Index {
            entries: terms.iter().map(|t| entry(t, None)).collect(),
            hits: (0..terms.len())
                .map(|i| IndexHit {
                    entry: i as u32,
                    in_entry: 0,
                    in_note: false,
                })
                .collect(),
        }
    }

    fn order(p: &PrintedIndex) -> Vec<(String, Vec<String>)> {
        p.groups
            .iter()
            .map(|g| {
                (
                    g.label.clone(),
                    g.entries.iter().map(|e| e.term.clone()).collect(),
                )
            })
            .collect()
    }

    #[test]
    fn english_accents_sort_with_their_base_letter() {
        let idx = index_of(&["Elèn", "Bezúkhov", "Émile", "Eagle", "Zola", "1812"]);
        let p = build_from(&idx, &[0, 1, 2, 3, 4, 5], "en");
        assert_eq!(
            order(&p),
            vec![
                ("0–9".into(), vec!["1812".into()]),
                ("B".into(), vec!["Bezúkhov".into()]),
                (
                    "E".into(),
                    vec!["Eagle".into(), "Elèn".into(), "Émile".into()]
                ),
                ("Z".into(), vec!["Zola".into()]),
            ]
        );
    }

    #[test]
    fn mongolian_barred_o_and_straight_u_are_letters_of_their_own() {
        let idx = index_of(&["Өлгий", "Улаанбаатар", "Орхон", "Үнэн", "Увс", "Пүрэв"]);
        let p = build_from(&idx, &[0, 1, 2, 3, 4, 5], "mn");
        assert_eq!(
            order(&p),
            vec![
                ("О".into(), vec!["Орхон".into()]),
                ("Ө".into(), vec!["Өлгий".into()]),
                ("П".into(), vec!["Пүрэв".into()]),
                ("У".into(), vec!["Увс".into(), "Улаанбаатар".into()]),
                ("Ү".into(), vec!["Үнэн".into()]),
            ]
        );
    }
}
