//! Index occurrences in the book: markers resolved to entries, match phrases found in body
//! text, footnotes and captions (not headings), and a zero-width [`Inline::IndexHit`]
//! anchor inserted at each occurrence so both back ends can cite it.

use super::matcher::{Matcher, Phrases};
use crate::model::{
    Block, Entry, EntryKind, Footnote, HitId, Index, IndexEntry, IndexEntryId, IndexHit, Inline,
    Pos,
};

/// Where an index marker was, and what it names (`["Japan", "Kwantung army"]`).
pub struct MarkerRef<'a> {
    /// The hit the marker made.
    pub hit: HitId,
    /// The marker's term and sub-entry.
    pub path: &'a [String],
    /// Where the marker is.
    pub pos: Pos,
}

/// Attaches each marker's hit to its entry, creating entries for terms index.toml lacks.
/// Returns the markers that named no index.toml entry (for a warning when index.toml exists).
pub fn resolve_markers(index: &mut Index, markers: &[MarkerRef<'_>]) -> Vec<Pos> {
    let mut unknown = Vec::new();
    for m in markers {
        let top = &m.path[0];
        let parent = index
            .entries
            .iter()
            .position(|e| e.parent.is_none() && e.term == *top)
            .or_else(|| {
                index.entries.iter().position(|e| {
                    e.parent.is_none() && !e.from_marker && e.matches.iter().any(|p| p == top)
                })
            });
        let parent = match parent {
            Some(p) => p as IndexEntryId,
            None => {
                unknown.push(m.pos);
                new_entry(index, top, None, m.pos)
            }
        };
        let id = match m.path.get(1) {
            None => parent,
            Some(sub) => match index
                .entries
                .iter()
                .position(|e| e.parent == Some(parent) && e.term == *sub)
            {
                Some(s) => s as IndexEntryId,
                None => {
                    if !index.entries[parent as usize].from_marker {
                        unknown.push(m.pos);
                    }
                    new_entry(index, sub, Some(parent), m.pos)
                }
            },
        };
        index.hits[m.hit as usize].entry = id;
    }
    unknown
}

fn new_entry(
    index: &mut Index,
    term: &str,
    parent: Option<IndexEntryId>,
    pos: Pos,
) -> IndexEntryId {
    index.entries.push(IndexEntry {
        term: term.to_string(),
        parent,
        matches: Vec::new(),
        case_insensitive: false,
        see: None,
        see_also: Vec::new(),
        pos,
        from_marker: true,
    });
    (index.entries.len() - 1) as IndexEntryId
}

/// Finds every match phrase in the book and inserts an anchor at each.
pub fn find(
    entries: &mut [Entry],
    notes: &mut [Footnote],
    bibliography: &mut [crate::model::BibItem],
    index: &mut Index,
) {
    let matcher = Matcher::new(index.entries.iter().enumerate().map(|(i, e)| Phrases {
        entry: i as IndexEntryId,
        phrases: &e.matches,
        case_insensitive: e.case_insensitive,
    }));
    if matcher.is_empty() {
        return;
    }
    // Every run of inlines the matcher reads, in book order: the body, the notes, then the
    // bibliography.
    let bib = entries
        .iter()
        .position(|e| matches!(e.kind, EntryKind::Bibliography));
    let mut sites: Vec<Site<'_>> = Vec::new();
    for (i, e) in entries.iter_mut().enumerate() {
        if let EntryKind::Document(doc) = &mut e.kind {
            sites_in(&mut doc.blocks, i, false, &mut sites);
        }
    }
    for n in notes.iter_mut() {
        sites_in(&mut n.blocks, n.entry, true, &mut sites);
    }
    if let Some(bib) = bib {
        for item in bibliography.iter_mut() {
            sites.push(Site {
                inlines: &mut item.content,
                in_entry: bib,
                in_note: false,
            });
        }
    }
    // Matching only reads the text, so it runs in parallel (it is half of loading a long
    // book); the hits are then numbered in book order, as one thread would number them.
    let hits = &index.hits;
    let found: Vec<Vec<(usize, IndexEntryId)>> = {
        use rayon::prelude::*;
        sites
            .par_iter()
            .map(|s| unmarked_matches(s.inlines, &matcher, hits))
            .collect()
    };
    for (site, found) in sites.into_iter().zip(found) {
        if found.is_empty() {
            continue;
        }
        let mut inserts: Vec<(usize, HitId)> = Vec::with_capacity(found.len());
        for (start, entry) in found {
            inserts.push((start, index.hits.len() as HitId));
            index.hits.push(IndexHit {
                entry,
                in_entry: site.in_entry,
                in_note: site.in_note,
            });
        }
        let mut cursor = 0;
        let mut next = 0;
        *site.inlines = insert(
            std::mem::take(site.inlines),
            &inserts,
            &mut next,
            &mut cursor,
        );
    }
}

/// A run of inlines the index reads (a paragraph, a cell, a caption) and where it is.
struct Site<'a> {
    inlines: &'a mut Vec<Inline>,
    in_entry: usize,
    in_note: bool,
}

/// The inline runs of `blocks`, in reading order.
fn sites_in<'a>(blocks: &'a mut [Block], in_entry: usize, in_note: bool, out: &mut Vec<Site<'a>>) {
    for b in blocks {
        let mut push = |inlines: &'a mut Vec<Inline>| {
            out.push(Site {
                inlines,
                in_entry,
                in_note,
            })
        };
        match b {
            Block::Para(p) => push(&mut p.inlines),
            Block::Figure(f) => push(&mut f.caption),
            Block::Table(t) => {
                for row in &mut t.rows {
                    for cell in row {
                        out.push(Site {
                            inlines: cell,
                            in_entry,
                            in_note,
                        });
                    }
                }
            }
            Block::Quote(bs) => sites_in(bs, in_entry, in_note, out),
            Block::List(l) => {
                for item in &mut l.items {
                    sites_in(item, in_entry, in_note, out);
                }
            }
            Block::Heading(_) | Block::Code(_) | Block::SceneBreak | Block::Html(..) => {}
        }
    }
}

/// Where the index's phrases occur in `inlines` (flat offset, entry), leaving out those a
/// marker there already indexes: `((Genden))` indexes the word it prints.
fn unmarked_matches(
    inlines: &[Inline],
    matcher: &Matcher,
    hits: &[IndexHit],
) -> Vec<(usize, IndexEntryId)> {
    let mut flat = String::new();
    let mut markers: Vec<(usize, HitId)> = Vec::new();
    flatten(inlines, &mut flat, &mut markers);
    let mut out = Vec::new();
    for f in matcher.find(&flat) {
        for e in f.entries {
            let marked = markers
                .iter()
                .any(|(at, h)| *at == f.start && hits[*h as usize].entry == e);
            if !marked {
                out.push((f.start, e));
            }
        }
    }
    out
}

/// Text of the inlines as the matcher sees it: text nodes verbatim, a line break as a newline,
/// and one non-word byte for anything that separates words without being text.
fn flatten(inlines: &[Inline], out: &mut String, markers: &mut Vec<(usize, HitId)>) {
    for i in inlines {
        match i {
            Inline::Text(t) => out.push_str(t),
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) | Inline::SmallCaps(c) => {
                flatten(c, out, markers)
            }
            Inline::Link(l) => flatten(&l.content, out, markers),
            Inline::LineBreak => out.push('\n'),
            Inline::IndexHit(h) => markers.push((out.len(), *h)),
            Inline::Code(_)
            | Inline::NoteRef(_)
            | Inline::Html(_)
            | Inline::Image(..)
            | Inline::Cite(_) => out.push('\u{1}'),
        }
    }
}

/// Rebuilds the inlines with anchors at the given flat offsets (sorted), walking in the same
/// order as [`flatten`].
fn insert(
    inlines: Vec<Inline>,
    inserts: &[(usize, HitId)],
    next: &mut usize,
    cursor: &mut usize,
) -> Vec<Inline> {
    let mut out = Vec::with_capacity(inlines.len() + 1);
    for i in inlines {
        match i {
            Inline::Text(t) => {
                let end = *cursor + t.len();
                let mut from = 0;
                while *next < inserts.len() && inserts[*next].0 < end {
                    let at = inserts[*next].0.saturating_sub(*cursor).max(from);
                    if at > from {
                        out.push(Inline::Text(t[from..at].to_string()));
                    }
                    out.push(Inline::IndexHit(inserts[*next].1));
                    from = at;
                    *next += 1;
                }
                if from == 0 {
                    out.push(Inline::Text(t));
                } else if from < t.len() {
                    out.push(Inline::Text(t[from..].to_string()));
                }
                *cursor = end;
            }
            Inline::Emph(c) => out.push(Inline::Emph(insert(c, inserts, next, cursor))),
            Inline::Strong(c) => out.push(Inline::Strong(insert(c, inserts, next, cursor))),
            Inline::Strike(c) => out.push(Inline::Strike(insert(c, inserts, next, cursor))),
            Inline::SmallCaps(c) => out.push(Inline::SmallCaps(insert(c, inserts, next, cursor))),
            Inline::Link(mut l) => {
                l.content = insert(l.content, inserts, next, cursor);
                out.push(Inline::Link(l));
            }
            Inline::LineBreak => {
                *cursor += 1;
                out.push(Inline::LineBreak);
            }
            Inline::IndexHit(h) => out.push(Inline::IndexHit(h)),
            other @ (Inline::Code(_)
            | Inline::NoteRef(_)
            | Inline::Html(_)
            | Inline::Image(..)
            | Inline::Cite(_)) => {
                *cursor += 1;
                out.push(other);
            }
        }
    }
    out
}

/// How many hits each entry got (sub-entries count for themselves only).
pub fn counts(index: &Index) -> Vec<usize> {
    let mut c = vec![0; index.entries.len()];
    for h in &index.hits {
        if let Some(n) = c.get_mut(h.entry as usize) {
            *n += 1;
        }
    }
    c
}

/// `rank[hit]`: each hit's position in reading order (a footnote is read where it is cited).
pub fn reading_order(book: &crate::model::Book) -> Vec<u32> {
    let mut rank = vec![u32::MAX; book.index.hits.len()];
    let mut next = 0u32;
    let mut seen_notes = vec![false; book.notes.len()];
    for e in &book.entries {
        match &e.kind {
            EntryKind::Document(doc) => {
                rank_blocks(&doc.blocks, book, &mut rank, &mut next, &mut seen_notes);
            }
            EntryKind::Bibliography => {
                for item in &book.bibliography {
                    rank_inlines(&item.content, book, &mut rank, &mut next, &mut seen_notes);
                }
            }
            _ => {}
        }
    }
    // Hits the walk does not reach (in notes never cited) stay at u32::MAX: they are not
    // printed anywhere, so no locator may point at them.
    rank
}

fn rank_blocks(
    blocks: &[Block],
    book: &crate::model::Book,
    rank: &mut [u32],
    next: &mut u32,
    seen: &mut [bool],
) {
    for b in blocks {
        match b {
            Block::Para(p) => rank_inlines(&p.inlines, book, rank, next, seen),
            Block::Heading(h) => rank_inlines(&h.inlines, book, rank, next, seen),
            Block::Quote(bs) => rank_blocks(bs, book, rank, next, seen),
            Block::List(l) => {
                for item in &l.items {
                    rank_blocks(item, book, rank, next, seen);
                }
            }
            Block::Table(t) => {
                for row in t.header.iter().chain(t.rows.iter()) {
                    for cell in row {
                        rank_inlines(cell, book, rank, next, seen);
                    }
                }
            }
            Block::Figure(f) => rank_inlines(&f.caption, book, rank, next, seen),
            Block::Code(_) | Block::SceneBreak | Block::Html(..) => {}
        }
    }
}

fn rank_inlines(
    inlines: &[Inline],
    book: &crate::model::Book,
    rank: &mut [u32],
    next: &mut u32,
    seen: &mut [bool],
) {
    for i in inlines {
        match i {
            Inline::IndexHit(h) => {
                if let Some(r) = rank.get_mut(*h as usize)
                    && *r == u32::MAX
                {
                    *r = *next;
                    *next += 1;
                }
            }
            Inline::Emph(c) | Inline::Strong(c) | Inline::Strike(c) | Inline::SmallCaps(c) => {
                rank_inlines(c, book, rank, next, seen)
            }
            Inline::Link(l) => rank_inlines(&l.content, book, rank, next, seen),
            Inline::NoteRef(n) => {
                if let Some(s) = seen.get_mut(*n as usize)
                    && !*s
                {
                    *s = true;
                    rank_blocks(&book.notes[*n as usize].blocks, book, rank, next, seen);
                }
            }
            Inline::Text(_)
            | Inline::Code(_)
            | Inline::LineBreak
            | Inline::Html(_)
            | Inline::Image(..)
            | Inline::Cite(_) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Para, plain_text};

    #[test]
    fn anchors_go_where_the_phrase_starts() {
        let mut index = Index {
            entries: vec![IndexEntry {
                term: "Prince Andréy".into(),
                parent: None,
                matches: vec!["Prince Andréy".into()],
                case_insensitive: false,
                see: None,
                see_also: vec![],
                pos: Pos::default(),
                from_marker: false,
            }],
            hits: vec![],
        };
        let para = vec![
            Inline::Text("Then ".into()),
            Inline::Emph(vec![Inline::Text("Prince".into())]),
            Inline::Text(" Andréy came; Prince Andréy left.".into()),
        ];
        let mut notes = vec![Footnote {
            label: "1".into(),
            number: 1,
            entry: 0,
            blocks: vec![Block::Para(Para {
                inlines: para,
                pos: Pos::default(),
            })],
            pos: Pos::default(),
        }];
        find(&mut [], &mut notes, &mut [], &mut index);
        assert_eq!(index.hits.len(), 2);
        let Block::Para(p) = &notes[0].blocks[0] else {
            panic!()
        };
        assert_eq!(
            plain_text(&p.inlines),
            "Then Prince Andréy came; Prince Andréy left."
        );
        assert!(matches!(&p.inlines[1], Inline::Emph(c) if matches!(c[0], Inline::IndexHit(0))));
        assert!(matches!(&p.inlines[3], Inline::IndexHit(1)));
        assert!(matches!(&p.inlines[4], Inline::Text(t) if t == "Prince Andréy left."));
    }
}
