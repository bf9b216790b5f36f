//! Page breaking for one chunk: fill each page, break only where the flow allows it (no
//! widows, no orphans, headings kept with what follows), set footnotes at the foot of the page
//! that cites them (a long note continues on the next page; a reference and the start of its
//! note are never on different pages), and stretch the spaces of a short page so facing pages
//! end on the same line.

use super::flow::{Flow, Geometry, VBox};
use crate::model::NoteId;

/// A box placed on a page: index into the flow (or a note line) and the y of its top,
/// measured from the top of the text block.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Placed {
    /// A box of the flow; `x` shifts it (the second column of the index).
    Body {
        index: usize,
        x: f64,
        y: f64,
    },
    Note {
        note: NoteId,
        line: usize,
        y: f64,
    },
    /// A "(continued)" line of the index, from `Flow::continued`.
    Continued {
        index: usize,
        x: f64,
        y: f64,
    },
}

#[derive(Debug, Clone, Default)]
pub struct PageContent {
    pub placed: Vec<Placed>,
    /// The y of the footnote rule, if the page has notes.
    pub rule_y: Option<f64>,
}

type NoteSplit = (usize, Vec<(NoteId, usize)>, Vec<(NoteId, usize)>);

/// The space between the text and the footnote rule, and between the rule and the notes.
fn note_separator(geom: &Geometry) -> f64 {
    geom.leading
}

pub fn paginate(flow: &Flow, geom: &Geometry) -> Vec<PageContent> {
    let boxes = &flow.boxes;
    let n = boxes.len();
    let h = geom.text_height + 0.01;
    let sep = note_separator(geom);
    let note_h = |id: NoteId, from: usize| -> f64 {
        flow.notes.get(&id).map_or(0.0, |ls| {
            ls[from.min(ls.len())..].iter().map(|b| b.height).sum()
        })
    };
    let mut pages: Vec<PageContent> = Vec::new();
    let mut placed_notes: Vec<NoteId> = Vec::new();
    // Note lines carried from the previous page: (note, first line not yet set).
    let mut carry: Vec<(NoteId, usize)> = Vec::new();
    let mut i = 0;
    let mut first_page = true;
    while i < n || !carry.is_empty() {
        if !first_page {
            while i < n && boxes[i].is_space() {
                i += 1;
            }
        }
        first_page = false;
        // The notes continued from the last page come first in the note area; they may
        // themselves be too long for this page.
        let mut note_lines: Vec<(NoteId, usize)> = Vec::new();
        let mut notes_used = 0.0;
        let mut next_carry: Vec<(NoteId, usize)> = Vec::new();
        for (id, from) in carry.drain(..) {
            let lines = flow.notes.get(&id).map_or(&[][..], Vec::as_slice);
            for (k, l) in lines.iter().enumerate().skip(from) {
                let extra = if notes_used == 0.0 { sep } else { 0.0 };
                if notes_used + extra + l.height <= h * 0.6 || note_lines.is_empty() {
                    notes_used += extra + l.height;
                    note_lines.push((id, k));
                } else {
                    next_carry.push((id, k));
                    break;
                }
            }
        }
        let carried_notes = notes_used;

        // Fill: remember the last place where the page may end.
        let mut used = 0.0;
        let mut j = i;
        let mut best: Option<(usize, f64, usize)> = None; // (end, used, notes in page_notes)
        let mut page_notes: Vec<NoteId> = Vec::new();
        let mut notes_h = notes_used;
        // When a note is split: (end of the page, note lines set here, note lines carried).
        let mut split: Option<NoteSplit> = None;
        while j < n {
            let b = &boxes[j];
            let new: Vec<NoteId> = b
                .notes()
                .filter(|id| !placed_notes.contains(id) && !page_notes.contains(id))
                .collect();
            let mut need = 0.0;
            for id in &new {
                need += note_h(*id, 0);
            }
            if !new.is_empty() && notes_h == 0.0 {
                need += sep;
            }
            if used + b.height + notes_h + need <= h {
                used += b.height;
                notes_h += need;
                page_notes.extend(new);
                j += 1;
                if (j == n || boxes[j].break_before) && !boxes[j - 1].is_space() {
                    best = Some((j, used, page_notes.len()));
                }
                continue;
            }
            // The box does not fit with all its notes: it may still end the page if the first
            // lines of its notes fit, the rest continuing on the next page.
            let may_end_after = j + 1 == n || boxes.get(j + 1).is_some_and(|nb| nb.break_before);
            if !new.is_empty() && may_end_after && used + b.height + notes_h + sep <= h {
                let mut room =
                    h - used - b.height - notes_h - if notes_h == 0.0 { sep } else { 0.0 };
                let mut here: Vec<(NoteId, usize)> = Vec::new();
                let mut rest: Vec<(NoteId, usize)> = Vec::new();
                for id in &new {
                    let lines = flow.notes.get(id).map_or(&[][..], Vec::as_slice);
                    let mut k = 0;
                    while k < lines.len() && lines[k].height <= room && rest.is_empty() {
                        room -= lines[k].height;
                        here.push((*id, k));
                        k += 1;
                    }
                    if k < lines.len() {
                        rest.push((*id, k));
                    }
                }
                // At least the first line of the first note must be here with its reference.
                if here.first().is_some_and(|(id, k)| *id == new[0] && *k == 0) {
                    split = Some((j + 1, here, rest));
                    used += b.height;
                    page_notes.extend(new);
                    j += 1;
                }
            }
            break;
        }
        let (end, end_used, n_notes) = match (&split, best) {
            (Some((e, _, _)), _) => (*e, used, page_notes.len()),
            (None, Some(b)) if j < n => b,
            (None, _) if j >= n => (n, used, page_notes.len()),
            (None, None) => {
                // No legal break at all: end where the page is full (never loop forever).
                let e = if j > i { j } else { i + 1 };
                let u: f64 = boxes[i..e.min(n)].iter().map(|b| b.height).sum();
                (e.min(n), u, page_notes.len())
            }
            (None, Some(b)) => b,
        };
        page_notes.truncate(n_notes);
        let split_used = split.as_ref().is_some_and(|(e, _, _)| *e == end);

        // Drop spaces at the foot of the page.
        let mut last = end;
        while last > i && boxes[last - 1].is_space() {
            last -= 1;
        }
        let body_used: f64 = boxes[i..last].iter().map(|b| b.height).sum();
        let _ = end_used;

        // Notes of this page: carried ones, then those cited here (whole, or split).
        if split_used {
            let (_, here, rest) = split.clone().unwrap_or_default();
            for id in &page_notes {
                if here.iter().any(|(n, _)| n == id) {
                    continue;
                }
                if rest.iter().any(|(n, _)| n == id) {
                    continue;
                }
                let count = flow.notes.get(id).map_or(0, Vec::len);
                note_lines.extend((0..count).map(|k| (*id, k)));
            }
            note_lines.extend(here);
            next_carry.extend(rest);
        } else {
            for id in &page_notes {
                let count = flow.notes.get(id).map_or(0, Vec::len);
                note_lines.extend((0..count).map(|k| (*id, k)));
            }
        }
        placed_notes.extend(page_notes.iter().copied());
        let notes_total: f64 = note_lines
            .iter()
            .map(|(id, k)| flow.notes[id][*k].height)
            .sum::<f64>()
            + if note_lines.is_empty() { 0.0 } else { sep };
        let _ = carried_notes;

        // A short page (not the last of the chunk) is filled by stretching its spaces.
        let short = h - 0.01 - body_used - notes_total;
        let stretchable: f64 = boxes[i..last]
            .iter()
            .enumerate()
            .filter(|(k, _)| *k > 0)
            .map(|(_, b)| match b.kind {
                super::flow::VKind::Space { stretch } => stretch,
                _ => 0.0,
            })
            .sum();
        let fill = if end < n && short > 0.0 && stretchable > 0.0 {
            (short / stretchable).min(2.0)
        } else {
            0.0
        };

        let mut page = PageContent::default();
        let mut y = 0.0;
        for (k, idx) in (i..last).enumerate() {
            let b: &VBox = &boxes[idx];
            page.placed.push(Placed::Body {
                index: idx,
                x: 0.0,
                y,
            });
            y += b.height;
            if k > 0
                && let super::flow::VKind::Space { stretch } = b.kind
            {
                y += stretch * fill;
            }
        }
        if !note_lines.is_empty() {
            let top = geom.text_height - notes_total;
            page.rule_y = Some(top + sep * 0.45);
            let mut ny = top + sep;
            for (id, k) in &note_lines {
                page.placed.push(Placed::Note {
                    note: *id,
                    line: *k,
                    y: ny,
                });
                ny += flow.notes[id][*k].height;
            }
        }
        pages.push(page);
        carry = next_carry;
        i = end;
        if i >= n && carry.is_empty() {
            break;
        }
    }
    if pages.is_empty() {
        pages.push(PageContent::default());
    }
    pages
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::typeset::flow::VKind;
    use crate::typeset::paragraph::Line;
    use std::collections::HashMap;

    fn line(break_before: bool, notes: Vec<NoteId>) -> VBox {
        let l = Line {
            notes,
            ..Default::default()
        };
        VBox {
            kind: VKind::Lines {
                lines: vec![(l, 0.0)],
                point: None,
                anchors: vec![],
            },
            height: 10.0,
            ascent: 8.0,
            break_before,
        }
    }

    fn geom(lines: f64) -> Geometry {
        Geometry {
            measure: 100.0,
            text_height: lines * 10.0,
            size: 10.0,
            leading: 10.0,
            protrusion: false,
        }
    }

    /// A paragraph of n lines with the widow and orphan rules.
    fn para(n: usize) -> Vec<VBox> {
        (0..n)
            .map(|i| line(i == 0 || (i >= 2 && n - i >= 2), vec![]))
            .collect()
    }

    fn body_counts(pages: &[PageContent]) -> Vec<usize> {
        pages
            .iter()
            .map(|p| {
                p.placed
                    .iter()
                    .filter(|x| matches!(x, Placed::Body { .. }))
                    .count()
            })
            .collect()
    }

    #[test]
    fn no_widows_or_orphans() {
        // 9 lines on a 10-line page, then a 5-line paragraph: taking 1 line would leave an
        // orphan, so the page is one line short.
        let mut boxes = para(9);
        boxes.extend(para(5));
        let flow = Flow {
            boxes,
            notes: HashMap::new(),
            entry_starts: vec![],
            continued: HashMap::new(),
        };
        let pages = paginate(&flow, &geom(10.0));
        assert_eq!(body_counts(&pages), vec![9, 5]);
        // 8 + 5: taking 2 would leave... 3 at the head: allowed (2+3).
        let mut boxes = para(8);
        boxes.extend(para(5));
        let flow = Flow {
            boxes,
            notes: HashMap::new(),
            entry_starts: vec![],
            continued: HashMap::new(),
        };
        let pages = paginate(&flow, &geom(10.0));
        assert_eq!(body_counts(&pages), vec![10, 3]);
        // 7 + 5: taking 3 leaves 2 at the head: allowed; the widow rule would forbid 4.
        let mut boxes = para(7);
        boxes.extend(para(5));
        let flow = Flow {
            boxes,
            notes: HashMap::new(),
            entry_starts: vec![],
            continued: HashMap::new(),
        };
        let pages = paginate(&flow, &geom(10.0));
        assert_eq!(body_counts(&pages), vec![10, 2]);
    }

    #[test]
    fn notes_go_on_the_page_of_their_reference() {
        let mut boxes = para(6);
        boxes[4] = line(false, vec![7]);
        boxes.extend(para(6));
        let mut notes = HashMap::new();
        notes.insert(7u32, (0..3).map(|_| line(true, vec![])).collect::<Vec<_>>());
        let flow = Flow {
            boxes,
            notes,
            entry_starts: vec![],
            continued: HashMap::new(),
        };
        let pages = paginate(&flow, &geom(10.0));
        let has_note = |p: &PageContent| {
            p.placed
                .iter()
                .any(|x| matches!(x, Placed::Note { note: 7, .. }))
        };
        let has_ref = |p: &PageContent| {
            p.placed
                .iter()
                .any(|x| matches!(x, Placed::Body { index: 4, .. }))
        };
        let page = pages.iter().position(has_ref).unwrap();
        assert!(has_note(&pages[page]));
    }

    #[test]
    fn a_long_note_continues_on_the_next_page() {
        let mut boxes = para(8);
        boxes[5] = line(true, vec![1]);
        let mut notes = HashMap::new();
        notes.insert(
            1u32,
            (0..12).map(|_| line(true, vec![])).collect::<Vec<_>>(),
        );
        let flow = Flow {
            boxes,
            notes,
            entry_starts: vec![],
            continued: HashMap::new(),
        };
        let pages = paginate(&flow, &geom(10.0));
        let notes_on = |p: &PageContent| {
            p.placed
                .iter()
                .filter(|x| matches!(x, Placed::Note { .. }))
                .count()
        };
        assert!(pages.len() >= 2);
        let total: usize = pages.iter().map(notes_on).sum();
        assert_eq!(total, 12);
        // The reference's page has the note's first line.
        let page = pages
            .iter()
            .position(|p| {
                p.placed
                    .iter()
                    .any(|x| matches!(x, Placed::Body { index: 5, .. }))
            })
            .unwrap();
        assert!(pages[page].placed.iter().any(|x| matches!(
            x,
            Placed::Note {
                note: 1,
                line: 0,
                ..
            }
        )));
        for p in &pages {
            let bottom = p.placed.iter().map(|x| match x {
                Placed::Body { y, .. } | Placed::Note { y, .. } | Placed::Continued { y, .. } => {
                    *y + 10.0
                }
            });
            assert!(bottom.fold(0.0, f64::max) <= 100.0 + 0.02);
        }
    }
}
