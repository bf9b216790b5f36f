//! Page breaking for one chunk: fill each page, break only where the flow allows it (no
//! widows, no orphans, headings kept with what follows), set footnotes at the foot of the page
//! that cites them (a long note continues on the next page; a reference and the start of its
//! note are never on different pages), and keep facing pages level: when the rules force one
//! page of a spread short, its partner is shortened to match (within a line), and the spaces
//! of a page are stretched to fill it.

use std::collections::HashSet;

use super::design::Design;
use super::flow::{Flow, VBox, VKind};
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

type NoteSplit = (Vec<(NoteId, usize)>, Vec<(NoteId, usize)>);

/// The space between the text and the footnote rule, and between the rule and the notes.
fn note_separator(design: &Design) -> f64 {
    design.leading
}

/// Where pagination stands: the next box, note lines carried over, notes already set.
#[derive(Clone, Default)]
struct State {
    next: usize,
    carry: Vec<(NoteId, usize)>,
    placed_notes: HashSet<NoteId>,
}

impl State {
    fn done(&self, n: usize) -> bool {
        self.next >= n && self.carry.is_empty()
    }
}

/// A filled page: its content, where pagination stands after it, and the height it uses.
struct Filled {
    page: PageContent,
    after: State,
    used: f64,
}

/// Paginates a chunk whose first page is a recto (so pages 1–2, 3–4 … face each other).
pub fn paginate(flow: &Flow, design: &Design) -> Vec<PageContent> {
    let n = flow.boxes.len();
    let full = design.text_height;
    let mut pages: Vec<PageContent> = Vec::new();
    let first = fill(flow, design, &State::default(), full, true);
    let mut state = first.after;
    pages.push(first.page);
    while !state.done(n) {
        // A spread: fill both pages to a common depth; if the rules leave one short, bring the
        // other up to it (a line apart at most), moving the rest on.
        let mut cap = full;
        let mut spread = None;
        for _ in 0..4 {
            let v = fill(flow, design, &state, cap, false);
            if v.after.done(n) {
                spread = Some((v, None));
                break;
            }
            let r = fill(flow, design, &v.after, cap, false);
            let last = r.after.done(n);
            let level = (v.used - r.used).abs() <= design.leading + 0.01;
            let tighter = v.used.min(r.used) + design.leading;
            if level || last || tighter >= cap - 0.01 {
                spread = Some((v, Some(r)));
                break;
            }
            cap = tighter;
            spread = Some((v, Some(r)));
        }
        let Some((v, r)) = spread else { break };
        state = match r {
            Some(r) => {
                pages.push(v.page);
                pages.push(r.page);
                r.after
            }
            None => {
                pages.push(v.page);
                v.after
            }
        };
    }
    pages
}

/// A flow's footnotes, by note: their line boxes and heights.
struct Notes<'f> {
    flow: &'f Flow,
}

impl Notes<'_> {
    fn lines(&self, id: &NoteId) -> &[VBox] {
        self.flow.notes.get(id).map_or(&[][..], Vec::as_slice)
    }

    fn height(&self, id: &NoteId) -> f64 {
        self.lines(id).iter().map(|b| b.height).sum::<f64>()
    }
}

/// The note lines a page sets, and those it carries to the next page.
#[derive(Default)]
struct NoteArea {
    lines: Vec<(NoteId, usize)>,
    carry: Vec<(NoteId, usize)>,
    /// Height used so far, the separator included.
    used: f64,
}

/// How far the body of a page reaches: the box after the last that fits (`j`), the last
/// place it may end with the notes cited up to there, the notes cited, and a note split at
/// the foot of the page.
struct Reach {
    j: usize,
    best: Option<(usize, usize)>,
    cited: Vec<NoteId>,
    split: Option<NoteSplit>,
}

/// Fills one page of height `cap` from `from`. The opening page keeps its leading space.
fn fill(flow: &Flow, design: &Design, from: &State, cap: f64, opening: bool) -> Filled {
    let boxes = &flow.boxes;
    let n = boxes.len();
    let h = cap + 0.01;
    let sep = note_separator(design);
    let notes = Notes { flow };
    let mut i = from.next;
    if !opening {
        while i < n && boxes[i].is_space() {
            i += 1;
        }
    }
    let mut area = carried_notes(&notes, from, h, sep);
    let mut reach = reach(flow, &notes, from, i, h, sep, area.used);
    let end = match (&reach.split, reach.best) {
        (Some(_), _) => reach.j,
        _ if reach.j >= n => n,
        (None, Some((e, c))) => {
            reach.cited.truncate(c);
            e
        }
        // No legal break at all: end where the page is full (never loop forever).
        (None, None) => reach.j.max(i + 1).min(n),
    };

    // Notes of this page: the carried ones, then those cited here (whole, or split).
    let mut placed_notes = from.placed_notes.clone();
    let cited = std::mem::take(&mut reach.cited);
    match reach.split.take() {
        Some((here, rest)) if end == reach.j => {
            for id in &cited {
                if here.iter().any(|(n, _)| n == id) || rest.iter().any(|(n, _)| n == id) {
                    continue;
                }
                area.lines
                    .extend((0..notes.lines(id).len()).map(|k| (*id, k)));
            }
            area.lines.extend(here);
            area.carry.extend(rest);
        }
        _ => {
            for id in &cited {
                area.lines
                    .extend((0..notes.lines(id).len()).map(|k| (*id, k)));
            }
        }
    }
    placed_notes.extend(cited.iter().copied());

    // Drop spaces at the foot of the page.
    let mut last = end;
    while last > i && boxes[last - 1].is_space() {
        last -= 1;
    }
    let (page, used) = place(flow, &notes, &area.lines, i..last, end < n, cap, sep);
    Filled {
        page,
        after: State {
            next: end,
            carry: area.carry,
            placed_notes,
        },
        used,
    }
}

/// Notes continued from the last page come first in the note area (and may themselves run
/// on to the next page).
fn carried_notes(notes: &Notes<'_>, from: &State, h: f64, sep: f64) -> NoteArea {
    let mut area = NoteArea::default();
    for (id, start) in &from.carry {
        for (k, l) in notes.lines(id).iter().enumerate().skip(*start) {
            let extra = if area.used == 0.0 { sep } else { 0.0 };
            if !area.carry.is_empty()
                || (area.used + extra + l.height > h * 0.6 && !area.lines.is_empty())
            {
                area.carry.push((*id, k));
                break;
            }
            area.used += extra + l.height;
            area.lines.push((*id, k));
        }
    }
    area
}

/// Adds boxes from `i` while they fit with their notes, remembering the last place the page
/// may end; a box whose notes do not all fit may still end the page when the first lines of
/// its notes do (the rest continue on the next page).
#[allow(clippy::too_many_arguments)]
fn reach(
    flow: &Flow,
    notes: &Notes<'_>,
    from: &State,
    i: usize,
    h: f64,
    sep: f64,
    notes_used: f64,
) -> Reach {
    let boxes = &flow.boxes;
    let n = boxes.len();
    let mut used = 0.0;
    let mut r = Reach {
        j: i,
        best: None,
        cited: Vec::new(),
        split: None,
    };
    let mut notes_h = notes_used;
    while r.j < n {
        let b = &boxes[r.j];
        let new: Vec<NoteId> = b
            .notes()
            .filter(|id| !from.placed_notes.contains(id) && !r.cited.contains(id))
            .collect();
        let mut need: f64 = new.iter().map(|id| notes.height(id)).sum();
        if !new.is_empty() && notes_h == 0.0 {
            need += sep;
        }
        if used + b.height + notes_h + need <= h {
            used += b.height;
            notes_h += need;
            r.cited.extend(new);
            r.j += 1;
            if (r.j == n || boxes[r.j].break_before) && !boxes[r.j - 1].is_space() {
                r.best = Some((r.j, r.cited.len()));
            }
            continue;
        }
        let may_end_after = r.j + 1 == n || boxes[r.j + 1].break_before;
        if !new.is_empty() && may_end_after && used + b.height + notes_h + sep <= h {
            let room = h - used - b.height - notes_h - if notes_h == 0.0 { sep } else { 0.0 };
            let (here, rest) = split_notes(notes, &new, room);
            // At least the first line of the first note must be here with its reference.
            if here.first().is_some_and(|(id, k)| *id == new[0] && *k == 0) {
                r.cited.extend(new);
                r.j += 1;
                r.split = Some((here, rest));
            }
        }
        break;
    }
    r
}

/// The lines of `new` notes that fit in `room`, and where the rest continue.
fn split_notes(notes: &Notes<'_>, new: &[NoteId], mut room: f64) -> NoteSplit {
    let mut here: Vec<(NoteId, usize)> = Vec::new();
    let mut rest: Vec<(NoteId, usize)> = Vec::new();
    for id in new {
        let lines = notes.lines(id);
        let mut k = 0;
        while k < lines.len() && rest.is_empty() && lines[k].height <= room {
            room -= lines[k].height;
            here.push((*id, k));
            k += 1;
        }
        if k < lines.len() {
            rest.push((*id, k));
        }
    }
    (here, rest)
}

/// Places the boxes of `body` and the note lines on a page of depth `cap`. A page that does
/// not end its chunk (`stretch`) is filled to its depth by stretching its spaces. Returns the
/// page and the height it uses.
fn place(
    flow: &Flow,
    notes: &Notes<'_>,
    note_lines: &[(NoteId, usize)],
    body: std::ops::Range<usize>,
    stretch: bool,
    cap: f64,
    sep: f64,
) -> (PageContent, f64) {
    let boxes = &flow.boxes[body.clone()];
    let body_used: f64 = boxes.iter().map(|b| b.height).sum();
    let notes_total: f64 = note_lines
        .iter()
        .map(|(id, k)| notes.lines(id)[*k].height)
        .sum::<f64>()
        + if note_lines.is_empty() { 0.0 } else { sep };
    let short = cap - body_used - notes_total;
    let stretchable: f64 = boxes
        .iter()
        .skip(1)
        .map(|b| match b.kind {
            VKind::Space { stretch } => stretch,
            _ => 0.0,
        })
        .sum();
    let grow = if stretch && short > 0.0 && stretchable > 0.0 {
        (short / stretchable).min(2.0)
    } else {
        0.0
    };
    let mut page = PageContent::default();
    let mut y = 0.0;
    for (k, (idx, b)) in body.zip(boxes).enumerate() {
        page.placed.push(Placed::Body {
            index: idx,
            x: 0.0,
            y,
        });
        y += b.height;
        if k > 0
            && let VKind::Space { stretch } = b.kind
        {
            y += stretch * grow;
        }
    }
    let body_bottom = y;
    if note_lines.is_empty() {
        return (page, body_bottom);
    }
    // Notes sit at the foot of the page's depth.
    let top = cap - notes_total;
    page.rule_y = Some(top + sep * 0.45);
    let mut ny = top + sep;
    for (id, k) in note_lines {
        page.placed.push(Placed::Note {
            note: *id,
            line: *k,
            y: ny,
        });
        ny += notes.lines(id)[*k].height;
    }
    (page, cap)
}

#[cfg(test)]
mod tests {
    use super::*;
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
                role: crate::display::LineRole::Text,
                point: None,
                anchors: vec![],
            },
            height: 10.0,
            ascent: 8.0,
            break_before,
        }
    }

    fn design(lines: f64) -> Design {
        Design::block(100.0, lines * 10.0, 10.0, 10.0)
    }

    /// A paragraph of n lines with the widow and orphan rules.
    fn para(n: usize) -> Vec<VBox> {
        (0..n)
            .map(|i| line(i == 0 || (i >= 2 && n - i >= 2), vec![]))
            .collect()
    }

    fn flow(boxes: Vec<VBox>, notes: HashMap<NoteId, Vec<VBox>>) -> Flow {
        Flow {
            boxes,
            notes,
            continued: HashMap::new(),
        }
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
        assert_eq!(
            body_counts(&paginate(&flow(boxes, HashMap::new()), &design(10.0))),
            vec![9, 5]
        );
        let mut boxes = para(8);
        boxes.extend(para(5));
        assert_eq!(
            body_counts(&paginate(&flow(boxes, HashMap::new()), &design(10.0))),
            vec![10, 3]
        );
        // 7 + 5: taking 3 leaves 2 at the head: allowed; the widow rule would forbid 4.
        let mut boxes = para(7);
        boxes.extend(para(5));
        assert_eq!(
            body_counts(&paginate(&flow(boxes, HashMap::new()), &design(10.0))),
            vec![10, 2]
        );
    }

    #[test]
    fn facing_pages_end_level() {
        // Page 1 (recto, alone), then a spread. The verso can take only 7 lines (an
        // unbreakable block of 6 follows 7 lines); the recto would take 10: it is brought to 8.
        let mut boxes = para(10);
        boxes.extend(para(7));
        let mut block: Vec<VBox> = (0..6).map(|k| line(k == 0, vec![])).collect();
        boxes.append(&mut block);
        boxes.extend(para(20));
        let pages = paginate(&flow(boxes, HashMap::new()), &design(10.0));
        let counts = body_counts(&pages);
        assert_eq!(counts[0], 10);
        assert_eq!(counts[1], 7);
        assert!(
            (counts[2] as i64 - counts[1] as i64).abs() <= 1,
            "{counts:?}"
        );
    }

    #[test]
    fn notes_go_on_the_page_of_their_reference() {
        let mut boxes = para(6);
        boxes[4] = line(false, vec![7]);
        boxes.extend(para(6));
        let mut notes = HashMap::new();
        notes.insert(7u32, (0..3).map(|_| line(true, vec![])).collect::<Vec<_>>());
        let pages = paginate(&flow(boxes, notes), &design(10.0));
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
        let pages = paginate(&flow(boxes, notes), &design(10.0));
        let notes_on = |p: &PageContent| {
            p.placed
                .iter()
                .filter(|x| matches!(x, Placed::Note { .. }))
                .count()
        };
        assert!(pages.len() >= 2);
        assert_eq!(pages.iter().map(notes_on).sum::<usize>(), 12);
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
