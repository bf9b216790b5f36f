//! Page breaking for one chunk: fill each page, break only where the flow allows it (no
//! widows, no orphans, headings kept with what follows), set footnotes at the foot of the page
//! that cites them (a long note continues on the next page; a reference and the start of its
//! note are never on different pages), and keep facing pages level: when the rules force one
//! page of a spread short, its partner is shortened to match (within a line), and the spaces
//! of a page are stretched to fill it.
//!
//! Figures float: one that fits at its place is set there; one that does not waits, the text
//! running on, and goes to the top of the next page, in the order of the text (while one
//! waits, the figures after it wait too). A plate takes the next page of its own. Figures
//! still waiting at the chunk's end get pages of their own before the next chunk.

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
    /// A figure of the flow, its picture drawn at `scale` of its size (smaller when several
    /// figures waiting had to share a page, or when a little smaller fills the page). `moved`:
    /// set away from its place (at the top of a later page, or alone on a plate).
    Figure {
        index: usize,
        y: f64,
        scale: f64,
        moved: bool,
    },
}

#[derive(Debug, Clone, Default)]
pub struct PageContent {
    pub placed: Vec<Placed>,
    /// The y of the footnote rule, if the page has notes.
    pub rule_y: Option<f64>,
    /// A plate: a figure on a page of its own (no running head or folio).
    pub plate: bool,
}

type NoteSplit = (Vec<(NoteId, usize)>, Vec<(NoteId, usize)>);

/// The space between the text and the footnote rule, and between the rule and the notes.
fn note_separator(design: &Design) -> f64 {
    design.leading
}

/// Where pagination stands: the next box, note lines carried over, notes already set, and
/// the figures waiting for a page (box indices, in order).
#[derive(Clone, Default)]
struct State {
    next: usize,
    carry: Vec<(NoteId, usize)>,
    placed_notes: HashSet<NoteId>,
    pending: Vec<usize>,
}

impl State {
    fn done(&self, n: usize) -> bool {
        self.next >= n && self.carry.is_empty() && self.pending.is_empty()
    }
}

/// A filled page: its content, where pagination stands after it, and the height it uses.
#[derive(Clone)]
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
        let (v, r) = spread(flow, design, &state, full);
        pages.push(v.page);
        state = match r {
            Some(r) => {
                pages.push(r.page);
                r.after
            }
            None => v.after,
        };
    }
    pages
}

/// The depths tried for the verso of a spread: full, and one or two lines shorter.
const VERSO_TRIES: usize = 3;

/// A spread's cost past which the next spread is looked at before this one is settled.
const GOOD_SPREAD: f64 = 5.0;

/// How many of a spread's best ways are weighed against the spread after them.
const LOOKAHEAD: usize = 6;

/// A way to fill a spread: its cost, the verso, and the recto (none when the text ends on
/// the verso).
type SpreadFill = (f64, Filled, Option<Filled>);

/// Fills a spread (a verso and the recto facing it) from `state`. The rules (widows,
/// orphans, headings kept with their text, figures) may leave a page short of the full
/// depth, and how this spread ends decides what the next one can do; so when the best way
/// to fill this spread leaves the next one poor, the next few ways are weighed with the
/// best of the spread after each, and the pair with the least cost over both is kept.
fn spread(flow: &Flow, design: &Design, state: &State, full: f64) -> (Filled, Option<Filled>) {
    let n = flow.boxes.len();
    let next_cost = |c: &SpreadFill| match &c.2 {
        Some(r) if !r.after.done(n) => spread_ways(flow, design, &r.after, full, false)
            .into_iter()
            .map(|w| w.0)
            .fold(f64::INFINITY, f64::min),
        _ => 0.0,
    };
    let mut ways = spread_ways(flow, design, state, full, false);
    let best = pick(&mut ways);
    if next_cost(&best) <= GOOD_SPREAD {
        return (best.1, best.2);
    }
    let mut ways = spread_ways(flow, design, state, full, true);
    ways.sort_by(|a, b| a.0.total_cmp(&b.0));
    ways.truncate(LOOKAHEAD);
    let mut chosen: Option<(f64, SpreadFill)> = None;
    for w in ways {
        let total = w.0 + next_cost(&w);
        if chosen.as_ref().is_none_or(|(t, _)| total < *t - 1e-9) {
            chosen = Some((total, w));
        }
    }
    let (_, w) = chosen.unwrap_or((0.0, best));
    (w.1, w.2)
}

/// The way with the least cost (the first of equals), taken out of `ways`.
fn pick(ways: &mut Vec<SpreadFill>) -> SpreadFill {
    let mut k = 0;
    for (i, w) in ways.iter().enumerate() {
        if w.0 < ways[k].0 - 1e-9 {
            k = i;
        }
    }
    ways.swap_remove(k)
}

/// The ways to fill the spread from `state`: the verso at the full depth and a line or two
/// less, the recto at the full depth and around the verso's, each page with its figures a
/// little smaller where that helps; and the old way (both pages brought down to the shorter
/// one until they are level). Unless `all`, stops at the first perfect way.
fn spread_ways(
    flow: &Flow,
    design: &Design,
    state: &State,
    full: f64,
    all: bool,
) -> Vec<SpreadFill> {
    let n = flow.boxes.len();
    let line = design.leading;
    let mut ways: Vec<SpreadFill> = Vec::new();
    let mut seen_v: Vec<(usize, f64)> = Vec::new();
    let versos = (0..VERSO_TRIES)
        .map(|k| full - k as f64 * line)
        .flat_map(|cv| fills(flow, design, state, cv, false));
    for v in versos {
        if v.after.done(n) {
            // The text ends on this page: it needs no partner to match.
            if ways.is_empty() {
                return vec![(0.0, v, None)];
            }
            continue;
        }
        // A shorter depth that ends the verso at the same place gives nothing new.
        if seen_v
            .iter()
            .any(|&(e, u)| e == v.after.next && (u - v.used).abs() < 0.01)
        {
            continue;
        }
        seen_v.push((v.after.next, v.used));
        let mut caps: Vec<f64> = Vec::new();
        for c in [full, v.used + line, v.used, v.used - line] {
            if c <= full + 0.01 && c > line && !caps.iter().any(|x| (x - c).abs() < 0.01) {
                caps.push(c);
            }
        }
        for r in caps
            .into_iter()
            .flat_map(|cr| fills(flow, design, &v.after, cr, false))
        {
            let cost = spread_cost(&v, &r, flow, full, line);
            ways.push((cost, v.clone(), Some(r)));
            if cost == 0.0 && !all {
                return ways;
            }
        }
    }
    // Both pages brought down together until they end level.
    let mut cap = full;
    for _ in 0..4 {
        let v = fill(flow, design, state, cap, false);
        if v.after.done(n) {
            break;
        }
        let r = fill(flow, design, &v.after, cap, false);
        let tighter = v.used.min(r.used) + line;
        let level = (v.used - r.used).abs() <= line + 0.01;
        let cost = spread_cost(&v, &r, flow, full, line);
        ways.push((cost, v, Some(r)));
        if level || tighter >= cap - 0.01 {
            break;
        }
        cap = tighter;
    }
    ways
}

/// How far a spread is from the ideal: each page's shortness in lines (ten times as bad past
/// one line), and the pages ending a line apart (worse) or more (far worse: facing pages must
/// end level). The page where the text ends may stop anywhere.
fn spread_cost(v: &Filled, r: &Filled, flow: &Flow, full: f64, line: f64) -> f64 {
    let text_ends = r.after.next >= flow.boxes.len() && r.after.carry.is_empty();
    let short = |f: &Filled| ((full - f.used) / line).max(0.0);
    let heavy = |s: f64| s + 10.0 * (s - 1.0 - 1e-6).max(0.0);
    let sv = heavy(short(v));
    if text_ends {
        return sv;
    }
    let apart = (v.used - r.used).abs();
    let apart = if apart <= 0.01 {
        0.0
    } else if apart <= line + 0.5 {
        3.0
    } else {
        100.0 * apart / line
    };
    sv + heavy(short(r)) + apart
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
/// place it may end with the notes cited up to there, the notes cited, a note split at the
/// foot of the page, and the figures set at their place or left waiting.
struct Reach {
    j: usize,
    best: Option<(usize, usize)>,
    cited: Vec<NoteId>,
    split: Option<NoteSplit>,
    deferred: Vec<usize>,
    /// Figures set in the text a little smaller, with their scale.
    scaled: Vec<(usize, f64)>,
}

/// What a fill starts from: the page's first box, the space the carried notes and the
/// figures at its top already take, and whether figures are still waiting (then the ones met
/// in the text wait too, so they keep their order).
struct Start {
    i: usize,
    used: f64,
    notes_h: f64,
    waiting: bool,
    cited: Vec<NoteId>,
    /// Height a picture set in the text may give up.
    squeeze: f64,
}

/// A figure that ends its chunk and does not fit below the text is made smaller to stay on
/// the page, down to this share of its size (else it gets the next page).
const END_FIT_MIN: f64 = 0.6;

/// A picture gives up at most this many lines of its height to fill its page.
const SQUEEZE_LINES: usize = 2;
/// And keeps at least this share of its height.
const SQUEEZE_MIN: f64 = 0.85;

/// Fills one page of height `cap` from `from`. The opening page keeps its leading space.
/// When the rules leave a page with a figure short, the figure is made a line or two
/// smaller (as a designer scales a picture to fit) if that fills the page better.
fn fill(flow: &Flow, design: &Design, from: &State, cap: f64, opening: bool) -> Filled {
    let mut best: Option<Filled> = None;
    for f in fills(flow, design, from, cap, opening) {
        if best.as_ref().is_none_or(|b| f.used > b.used + 0.01) {
            best = Some(f);
        }
    }
    best.expect("fills gives at least the plain fill")
}

/// The ways to fill a page: as the rules give it, and, on a page with a figure, with the
/// picture a line or two smaller (each only when it fills the page differently).
fn fills(flow: &Flow, design: &Design, from: &State, cap: f64, opening: bool) -> Vec<Filled> {
    let plain = fill_with(flow, design, from, cap, opening, 0.0);
    let has_figure = plain
        .page
        .placed
        .iter()
        .any(|p| matches!(p, Placed::Figure { .. }))
        || from.pending.len() > plain.after.pending.len();
    if plain.page.plate || !has_figure || plain.after.done(flow.boxes.len()) {
        return vec![plain];
    }
    let mut out = vec![plain];
    for k in 1..=SQUEEZE_LINES {
        let f = fill_with(flow, design, from, cap, opening, k as f64 * design.leading);
        if !out
            .iter()
            .any(|o| o.after.next == f.after.next && (o.used - f.used).abs() < 0.01)
        {
            out.push(f);
        }
    }
    out
}

/// Fills one page, taking up to `squeeze` off the height of the first picture on it that
/// can spare it.
fn fill_with(
    flow: &Flow,
    design: &Design,
    from: &State,
    cap: f64,
    opening: bool,
    squeeze: f64,
) -> Filled {
    let boxes = &flow.boxes;
    let n = boxes.len();
    let h = cap + 0.01;
    let sep = note_separator(design);
    let gap = design.figure_gap * design.leading;
    let notes = Notes { flow };
    let mut i = from.next;
    if !opening {
        while i < n && boxes[i].is_space() {
            i += 1;
        }
    }
    let mut pending = from.pending.clone();
    // A plate waiting, or standing at the page's start with nothing waiting, is the page.
    let plate = match pending.first() {
        Some(&f) => is_plate(&boxes[f]).then_some((f, false)),
        None => (i < n && is_plate(&boxes[i])).then_some((i, true)),
    };
    if let Some((f, at_start)) = plate {
        if !at_start {
            pending.remove(0);
        }
        return plate_page(
            flow,
            from,
            f,
            if at_start { i + 1 } else { i },
            pending,
            cap,
            sep,
        );
    }
    let mut area = carried_notes(&notes, from, h, sep);
    // Figures waiting from earlier pages go first, at the top, in order: all of them, made
    // smaller when they would not share the page at full size, so that none is set more
    // than a page after its place.
    let mut start = Start {
        i,
        used: 0.0,
        notes_h: area.used,
        waiting: false,
        cited: Vec::new(),
        squeeze: 0.0,
    };
    let waiting: Vec<usize> = pending
        .iter()
        .copied()
        .take_while(|&f| !is_plate(&boxes[f]))
        .collect();
    let (top, top_cited, top_notes, top_h, squeeze) = top_figures(
        flow,
        &notes,
        from,
        &waiting,
        h - start.notes_h,
        Spacing {
            sep,
            gap,
            leading: design.leading,
            squeeze,
        },
    );
    start.used = top_h;
    start.squeeze = squeeze;
    start.notes_h += top_notes;
    start.cited = top_cited;
    pending.drain(..top.len());
    start.waiting = !pending.is_empty();
    let mut reach = reach(flow, &notes, from, &start, h, sep, gap);
    let end = match (&reach.split, reach.best) {
        (Some(_), _) => reach.j,
        _ if reach.j >= n => n,
        (None, Some((e, c))) => {
            reach.cited.truncate(c);
            e
        }
        // No legal break at all: with figures at the top, the text starts on the next page;
        // else end where the page is full (never loop forever).
        (None, None) if !top.is_empty() => i,
        (None, None) => reach.j.max(i + 1).min(n),
    };
    // Figures met past the end are met again on the next page.
    reach.deferred.retain(|&d| d < end);

    let mut cited = start.cited;
    cited.extend(std::mem::take(&mut reach.cited));
    let split = reach.split.take().filter(|_| end == reach.j);
    page_notes(&notes, &mut area, &cited, split);
    let mut placed_notes = from.placed_notes.clone();
    placed_notes.extend(cited.iter().copied());

    // Drop spaces at the foot of the page.
    let mut last = end;
    while last > i && boxes[last - 1].is_space() {
        last -= 1;
    }
    reach.scaled.retain(|&(d, _)| d < last);
    let layout = PageLayout {
        top: &top,
        body: i..last,
        deferred: &reach.deferred,
        scaled: &reach.scaled,
        gap,
    };
    let (page, used) = place(flow, &notes, &area.lines, &layout, end < n, cap, sep);
    pending.extend(reach.deferred);
    Filled {
        page,
        after: State {
            next: end,
            carry: area.carry,
            placed_notes,
            pending,
        },
        used,
    }
}

/// The notes of a page: the carried ones (already in `area`), then those cited here, whole
/// or, for the last, `split` between this page and the next.
fn page_notes(notes: &Notes<'_>, area: &mut NoteArea, cited: &[NoteId], split: Option<NoteSplit>) {
    let whole = |area: &mut NoteArea, id: &NoteId| {
        area.lines
            .extend((0..notes.lines(id).len()).map(|k| (*id, k)));
    };
    match split {
        Some((here, rest)) => {
            for id in cited {
                if !here.iter().chain(&rest).any(|(n, _)| n == id) {
                    whole(area, id);
                }
            }
            area.lines.extend(here);
            area.carry.extend(rest);
        }
        None => cited.iter().for_each(|id| whole(area, id)),
    }
}

/// Pictures waiting are made no smaller than this share of their size to share a page; past
/// that, the ones that do not fit wait another page.
const MIN_SCALE: f64 = 0.35;

/// The distances a page keeps: between text and notes, between figures and text, the
/// leading, and the height a picture may give up to fill the page.
#[derive(Clone, Copy)]
struct Spacing {
    sep: f64,
    gap: f64,
    leading: f64,
    squeeze: f64,
}

/// The picture height of a figure box.
fn picture(b: &VBox) -> f64 {
    f64::from(b.figure().map_or(0.0, |x| x.h))
}

/// The scale at which a picture gives up `squeeze`, if it can spare that much.
fn squeezed(b: &VBox, squeeze: f64) -> Option<f64> {
    let h = picture(b);
    (squeeze > 0.0 && h > 0.0 && h - squeeze >= SQUEEZE_MIN * h).then(|| (h - squeeze) / h)
}

type TopFigures = (Vec<(usize, f64)>, Vec<NoteId>, f64, f64, f64);

/// The figures to set at the top of a page, from those waiting, with the scale of each, the
/// notes their captions cite (and the room those take), the height they take, and what is
/// left of the squeeze.
fn top_figures(
    flow: &Flow,
    notes: &Notes<'_>,
    from: &State,
    waiting: &[usize],
    room: f64,
    sp: Spacing,
) -> TopFigures {
    let Spacing {
        sep,
        gap,
        leading,
        squeeze,
    } = sp;
    let boxes = &flow.boxes;
    let mut cited: Vec<NoteId> = Vec::new();
    let mut notes_h = 0.0;
    for &f in waiting {
        for id in foot_notes(flow, &boxes[f]) {
            if !from.placed_notes.contains(&id) && !cited.contains(&id) {
                if cited.is_empty() {
                    notes_h += sep;
                }
                notes_h += notes.height(&id);
                cited.push(id);
            }
        }
    }
    let picture = |f: usize| picture(&boxes[f]);
    let mut total: f64 = waiting.iter().map(|&f| boxes[f].height + gap).sum();
    let avail = room - notes_h;
    if total <= avail {
        let mut left = squeeze;
        let set = waiting
            .iter()
            .map(|&f| match squeezed(&boxes[f], left) {
                Some(k) => {
                    total -= left;
                    left = 0.0;
                    (f, k)
                }
                None => (f, 1.0),
            })
            .collect();
        return (set, cited, notes_h, total, left);
    }
    // Shrink the pictures (captions and distances stay) to fill whole lines of the room.
    let fixed: f64 = waiting
        .iter()
        .map(|&f| boxes[f].height - picture(f) + gap)
        .sum();
    let pictures: f64 = waiting.iter().map(|&f| picture(f)).sum();
    // Nothing follows them on this page: the last keeps no distance below.
    let lines = (avail / leading).floor() * leading;
    let k = (lines - (fixed - gap)) / pictures;
    if pictures > 0.0 && k >= MIN_SCALE {
        let used = fixed + pictures * k;
        return (
            waiting.iter().map(|&f| (f, k)).collect(),
            cited,
            notes_h,
            used,
            0.0,
        );
    }
    // Too many to share a page: those that fit go now, in order.
    let mut used = 0.0;
    let mut out = Vec::new();
    for &f in waiting {
        let need = boxes[f].height + gap;
        if used + need > avail {
            break;
        }
        used += need;
        out.push((f, 1.0));
    }
    let kept: Vec<NoteId> = out
        .iter()
        .flat_map(|(f, _)| foot_notes(flow, &boxes[*f]))
        .collect();
    cited.retain(|id| kept.contains(id));
    let notes_h = if cited.is_empty() {
        0.0
    } else {
        sep + cited.iter().map(|id| notes.height(id)).sum::<f64>()
    };
    (out, cited, notes_h, used, 0.0)
}

/// The notes a box cites that are set at the foot of the page (endnotes are not).
fn foot_notes<'b>(flow: &'b Flow, b: &'b VBox) -> impl Iterator<Item = NoteId> + 'b {
    b.notes().filter(|id| flow.notes.contains_key(id))
}

fn is_plate(b: &VBox) -> bool {
    b.figure().is_some_and(|f| f.plate)
}

/// A page holding one figure, centred, and the notes its caption cites.
fn plate_page(
    flow: &Flow,
    from: &State,
    figure: usize,
    next: usize,
    pending: Vec<usize>,
    cap: f64,
    sep: f64,
) -> Filled {
    let notes = Notes { flow };
    let b = &flow.boxes[figure];
    let mut placed_notes = from.placed_notes.clone();
    let mut lines: Vec<(NoteId, usize)> = Vec::new();
    for id in foot_notes(flow, b) {
        if placed_notes.insert(id) {
            lines.extend((0..notes.lines(&id).len()).map(|k| (id, k)));
        }
    }
    let notes_total: f64 = lines
        .iter()
        .map(|(id, k)| notes.lines(id)[*k].height)
        .sum::<f64>()
        + if lines.is_empty() { 0.0 } else { sep };
    let mut page = PageContent {
        plate: true,
        ..PageContent::default()
    };
    let room = cap - notes_total;
    page.placed.push(Placed::Figure {
        index: figure,
        y: ((room - b.height) / 2.0).max(0.0),
        scale: 1.0,
        moved: true,
    });
    place_notes(&mut page, &notes, &lines, cap, notes_total, sep);
    Filled {
        page,
        after: State {
            next,
            carry: from.carry.clone(),
            placed_notes,
            pending,
        },
        used: cap,
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

/// Adds boxes from the start while they fit with their notes, remembering the last place the
/// page may end; a box whose notes do not all fit may still end the page when the first
/// lines of its notes do (the rest continue on the next page). A floating figure that does
/// not fit (or must wait its turn) is left waiting and the text runs on.
fn reach(
    flow: &Flow,
    notes: &Notes<'_>,
    from: &State,
    start: &Start,
    h: f64,
    sep: f64,
    gap: f64,
) -> Reach {
    let boxes = &flow.boxes;
    let n = boxes.len();
    let mut used = start.used;
    let mut r = Reach {
        j: start.i,
        best: None,
        cited: Vec::new(),
        split: None,
        deferred: Vec::new(),
        scaled: Vec::new(),
    };
    let mut squeeze = start.squeeze;
    let mut notes_h = start.notes_h;
    // A figure was set just before: the next box keeps the figure's distance from it. (The
    // figures at the top bring their distance with them.)
    let mut after_figure = false;
    let mut body_started = false;
    while r.j < n {
        let b = &boxes[r.j];
        let new: Vec<NoteId> = foot_notes(flow, b)
            .filter(|id| {
                !from.placed_notes.contains(id)
                    && !r.cited.contains(id)
                    && !start.cited.contains(id)
            })
            .collect();
        let mut need: f64 = new.iter().map(|id| notes.height(id)).sum();
        if !new.is_empty() && notes_h == 0.0 {
            need += sep;
        }
        let figure = b.figure().is_some();
        let before = if figure {
            if body_started { gap } else { 0.0 }
        } else if after_figure && !b.is_space() {
            gap
        } else {
            0.0
        };
        let waits = b.floats() && (start.waiting || !r.deferred.is_empty() || is_plate(b));
        let scale = if figure && !is_plate(b) {
            squeezed(b, squeeze)
        } else {
            None
        };
        let height = match scale {
            Some(_) => b.height - squeeze,
            None => b.height,
        };
        if !waits && used + before + height + notes_h + need <= h {
            if let Some(k) = scale {
                r.scaled.push((r.j, k));
                squeeze = 0.0;
            }
            used += before + height;
            notes_h += need;
            r.cited.extend(new);
            after_figure = figure || (after_figure && b.is_space());
            body_started = true;
            r.j += 1;
            if (r.j == n || boxes[r.j].break_before) && !boxes[r.j - 1].is_space() {
                r.best = Some((r.j, r.cited.len() + start.cited.len()));
            }
            continue;
        }
        // The last thing of its chunk: smaller here rather than alone on a page of its own.
        if b.floats()
            && !start.waiting
            && r.deferred.is_empty()
            && !is_plate(b)
            && boxes[r.j + 1..].iter().all(VBox::is_space)
        {
            // (`h` has a hair of tolerance; the picture fills the exact room.)
            let room = h - 0.01 - used - before - notes_h - need;
            let k = (room - (b.height - picture(b))) / picture(b);
            if (END_FIT_MIN..1.0).contains(&k) {
                r.scaled.push((r.j, k));
                r.cited.extend(new);
                r.j += 1;
                r.best = Some((r.j, r.cited.len() + start.cited.len()));
                continue;
            }
        }
        if b.floats() {
            // The text runs on; the figure waits for the next page.
            r.deferred.push(r.j);
            r.j += 1;
            if (r.j == n || boxes[r.j].break_before) && used > 0.0 {
                r.best = Some((r.j, r.cited.len() + start.cited.len()));
            }
            continue;
        }
        // The box does not fit with all its notes: it may still end the page when the first
        // lines of its notes fit, the rest continuing on the next page.
        let may_end_after = r.j + 1 == n || boxes[r.j + 1].break_before;
        if !new.is_empty() && may_end_after && used + before + b.height + notes_h + sep <= h {
            let room =
                h - used - before - b.height - notes_h - if notes_h == 0.0 { sep } else { 0.0 };
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
    // The notes cited count from those of the figures at the top.
    if let Some((e, c)) = r.best {
        r.best = Some((e, c - start.cited.len()));
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

/// What goes on a page: the figures at its top, the body's boxes (less the figures that
/// wait), and the distance figures keep from the text.
struct PageLayout<'a> {
    top: &'a [(usize, f64)],
    body: std::ops::Range<usize>,
    deferred: &'a [usize],
    scaled: &'a [(usize, f64)],
    gap: f64,
}

/// Places the figures at the top, the boxes of the body and the note lines on a page of
/// depth `cap`. A page that does not end its chunk (`stretch`) is filled to its depth by
/// stretching its spaces. Returns the page and the height it uses.
fn place(
    flow: &Flow,
    notes: &Notes<'_>,
    note_lines: &[(NoteId, usize)],
    layout: &PageLayout<'_>,
    stretch: bool,
    cap: f64,
    sep: f64,
) -> (PageContent, f64) {
    let boxes = &flow.boxes;
    let body: Vec<usize> = layout
        .body
        .clone()
        .filter(|k| !layout.deferred.contains(k))
        .collect();
    // The figures keep their distance from the text: before a figure set below something,
    // and before the first line after a figure.
    let gaps: Vec<bool> = {
        let mut after_figure = false;
        let mut any = false;
        body.iter()
            .map(|&k| {
                let b = &boxes[k];
                let g = (b.figure().is_some() && any) || (after_figure && !b.is_space());
                after_figure = b.figure().is_some() || (after_figure && b.is_space());
                any = true;
                g
            })
            .collect()
    };
    let top_h: f64 = layout
        .top
        .iter()
        .map(|&(f, k)| scaled_height(&boxes[f], k) + layout.gap)
        .sum();
    let gaps_h = gaps.iter().filter(|g| **g).count() as f64 * layout.gap;
    let scale_of = |k: usize| {
        layout
            .scaled
            .iter()
            .find(|(d, _)| *d == k)
            .map_or(1.0, |(_, s)| *s)
    };
    let body_used: f64 = top_h
        + gaps_h
        + body
            .iter()
            .map(|&k| scaled_height(&boxes[k], scale_of(k)))
            .sum::<f64>();
    let notes_total: f64 = note_lines
        .iter()
        .map(|(id, k)| notes.lines(id)[*k].height)
        .sum::<f64>()
        + if note_lines.is_empty() { 0.0 } else { sep };
    let short = cap - body_used - notes_total;
    let stretchable: f64 = body
        .iter()
        .skip(1)
        .map(|&k| match boxes[k].kind {
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
    for &(f, scale) in layout.top {
        page.placed.push(Placed::Figure {
            index: f,
            y,
            scale,
            moved: true,
        });
        y += scaled_height(&boxes[f], scale) + layout.gap;
    }
    if body.is_empty() && !layout.top.is_empty() {
        // Figures alone: the last keeps no distance below.
        y -= layout.gap;
    }
    for (n, (&k, &g)) in body.iter().zip(&gaps).enumerate() {
        if g {
            y += layout.gap;
        }
        let b = &boxes[k];
        if b.figure().is_some() {
            let scale = scale_of(k);
            page.placed.push(Placed::Figure {
                index: k,
                y,
                scale,
                moved: false,
            });
            y += scaled_height(b, scale);
        } else {
            page.placed.push(Placed::Body {
                index: k,
                x: 0.0,
                y,
            });
            y += b.height;
        }
        if n > 0
            && let VKind::Space { stretch } = b.kind
        {
            y += stretch * grow;
        }
    }
    if note_lines.is_empty() {
        return (page, y);
    }
    place_notes(&mut page, notes, note_lines, cap, notes_total, sep);
    (page, cap)
}

/// A figure's height with its picture at `scale`.
fn scaled_height(b: &VBox, scale: f64) -> f64 {
    b.height - picture(b) * (1.0 - scale)
}

/// Sets the note lines at the foot of a page of depth `cap`, under a rule.
fn place_notes(
    page: &mut PageContent,
    notes: &Notes<'_>,
    note_lines: &[(NoteId, usize)],
    cap: f64,
    notes_total: f64,
    sep: f64,
) {
    if note_lines.is_empty() {
        return;
    }
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
            tagging: Default::default(),
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
                Placed::Body { y, .. }
                | Placed::Note { y, .. }
                | Placed::Continued { y, .. }
                | Placed::Figure { y, .. } => *y + 10.0,
            });
            assert!(bottom.fold(0.0, f64::max) <= 100.0 + 0.02);
        }
    }

    /// A figure: a picture `pic` high and a one-line caption.
    fn figure(pic: f32) -> VBox {
        VBox {
            kind: VKind::Figure(Box::new(crate::typeset::flow::FigureBox {
                image: 0,
                x: 0.0,
                w: 100.0,
                h: pic,
                caption: vec![(Line::default(), 0.0)],
                caption_top: f64::from(pic),
                leading: 10.0,
                ascent: 8.0,
                point: None,
                anchors: vec![],
                placement: crate::model::Placement::Float,
                plate: false,
            })),
            height: f64::from(pic) + 10.0,
            ascent: 0.0,
            break_before: true,
        }
    }

    fn figures_on(p: &PageContent) -> Vec<(usize, f64, f64, bool)> {
        p.placed
            .iter()
            .filter_map(|x| match *x {
                Placed::Figure {
                    index,
                    y,
                    scale,
                    moved,
                } => Some((index, y, scale, moved)),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_figure_that_does_not_fit_floats_and_the_text_runs_on() {
        // 8 lines, a figure 50 high (with its distance, 60): it waits; the text fills the page.
        let mut boxes = para(8);
        boxes.push(figure(40.0));
        boxes.extend(para(10));
        let pages = paginate(&flow(boxes, HashMap::new()), &design(10.0));
        assert_eq!(body_counts(&pages)[0], 10);
        assert!(figures_on(&pages[0]).is_empty());
        assert_eq!(figures_on(&pages[1]), vec![(8, 0.0, 1.0, true)]);
        // The text after it keeps the figure's distance: 50 + 10.
        let first_text = pages[1].placed.iter().find_map(|x| match x {
            Placed::Body { y, .. } => Some(*y),
            _ => None,
        });
        assert_eq!(first_text, Some(60.0));
    }

    #[test]
    fn a_picture_gives_up_a_line_to_fill_its_page() {
        // A 20-line page: the figure (100 + caption + distance = 120), 6 lines, then 3 lines
        // that cannot be parted: at full size the page stops 2 lines short; with the picture
        // a line smaller (90 %) all fits.
        let mut boxes = vec![figure(100.0)];
        boxes.extend(para(6));
        boxes.extend((0..3).map(|k| line(k == 0, vec![])));
        boxes.extend(para(30));
        let pages = paginate(&flow(boxes, HashMap::new()), &design(20.0));
        assert_eq!(figures_on(&pages[0]), vec![(0, 0.0, 0.9, false)]);
        assert_eq!(body_counts(&pages)[0], 9);
    }

    #[test]
    fn a_figure_ending_its_chunk_is_made_smaller_to_stay() {
        // 10 lines leave 100 of 200: the figure (100 + caption + distance) fits at 80 %.
        let mut boxes = para(10);
        boxes.push(figure(100.0));
        let pages = paginate(&flow(boxes.clone(), HashMap::new()), &design(20.0));
        assert_eq!(pages.len(), 1);
        let f = figures_on(&pages[0]);
        assert_eq!(f.len(), 1);
        assert!((f[0].2 - 0.8).abs() < 1e-9, "{f:?}");
        // Below 60 % it takes the next page instead.
        let mut boxes = para(14);
        boxes.push(figure(100.0));
        let pages = paginate(&flow(boxes, HashMap::new()), &design(20.0));
        assert_eq!(pages.len(), 2);
        assert_eq!(figures_on(&pages[1]), vec![(14, 0.0, 1.0, true)]);
    }
}
