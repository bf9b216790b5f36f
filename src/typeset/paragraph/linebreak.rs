//! Knuth–Plass line breaking over boxes, glue and penalties ("Breaking Paragraphs into
//! Lines", 1981): the whole paragraph is optimised at once, so one loose line does not force
//! a run of bad ones.
//!
//! Passes: a first pass with the normal tolerance; when it finds no feasible breaks, a looser
//! pass with emergency stretch; and a last pass that accepts any line that is not overfull.
//! The paragraph builder splits words wider than the line beforehand, so the last pass
//! succeeds on any measure a book has; when even it finds nothing (a measure narrower than
//! one letter), lines are ended first-fit and the ones that still do not fit are overfull, as
//! TeX and Typst set them. Breaking never fails.

/// An item of the horizontal list. Widths are in points.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Item {
    /// A word or part of one. Its stretch and shrink come from letter spacing, a small
    /// share of the justification that keeps word spaces even.
    Box {
        width: f64,
        stretch: f64,
        shrink: f64,
    },
    Glue {
        width: f64,
        stretch: f64,
        shrink: f64,
    },
    Penalty {
        width: f64,
        penalty: f64,
        flagged: bool,
    },
}

/// A penalty this high forbids a break; its negative forces one.
pub const INFINITY: f64 = 10_000.0;

/// The stretch of fill glue (\parfillskip, the fill before a hard line break): more than
/// any line's other glue together, so it takes up all the slack of a line.
pub(crate) const FILL: f64 = 1e6;

/// True for fill glue, which is never drawn.
pub(crate) fn is_fill(stretch: f64) -> bool {
    stretch >= FILL / 10.0
}

/// The costs, with TeX's names and plain TeX's values unless noted.
#[derive(Debug, Clone, Copy)]
pub struct Params {
    /// \tolerance: the worst badness accepted in the first pass. Plain TeX uses 200; we
    /// allow a little more because hyphenation is on from the first pass.
    pub tolerance: f64,
    /// \linepenalty: a cost per line, so fewer lines are preferred.
    pub line_penalty: f64,
    /// \adjdemerits: for adjacent lines whose looseness differs by more than one class.
    pub adj_demerits: f64,
    /// \doublehyphendemerits: for two hyphenated lines in a row.
    pub double_hyphen_demerits: f64,
    /// \finalhyphendemerits: for a hyphen on the last full line. We make it prohibitive:
    /// the spec asks for no hyphen there at all.
    pub final_hyphen_demerits: f64,
    /// Extra stretch per line in the emergency pass (\emergencystretch), in points.
    pub emergency_stretch: f64,
    /// A last line shorter than this (points) — one short word alone — costs
    /// `short_last_demerits`: a typesetter would rather respace the lines above.
    pub short_last_line: f64,
    pub short_last_demerits: f64,
}

impl Default for Params {
    fn default() -> Self {
        Params {
            tolerance: 300.0,
            line_penalty: 10.0,
            adj_demerits: 10_000.0,
            double_hyphen_demerits: 10_000.0,
            final_hyphen_demerits: 1_000_000.0,
            emergency_stretch: 0.0,
            short_last_line: 0.0,
            short_last_demerits: 3_000.0,
        }
    }
}

/// A chosen break: the index of the item broken at, and the line's adjustment ratio.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Break {
    pub at: usize,
    pub ratio: f64,
}

#[derive(Clone, Copy)]
struct Node {
    /// Item index of the break (usize::MAX for the start of the paragraph).
    at: usize,
    line: usize,
    fitness: u8,
    hyphenated: bool,
    /// How many lines in a row, up to this one, end with a hyphen.
    hyphen_run: u8,
    demerits: f64,
    prev: usize,
}

/// Line widths: the first line may differ (an indent is a box, but hanging punctuation
/// changes the available width per break).
pub trait Widths {
    /// The width available for line `line` (0-based) from the break `from` (None: the
    /// paragraph start) to the break `to`.
    fn width(&self, line: usize, from: Option<usize>, to: usize) -> f64;
}

impl Widths for f64 {
    fn width(&self, _: usize, _: Option<usize>, _: usize) -> f64 {
        *self
    }
}

/// Finds the best breaks. The last item must be a forced break (penalty -INFINITY).
pub fn break_lines(items: &[Item], widths: &impl Widths, params: &Params) -> Vec<Break> {
    if let Some(b) = run(items, widths, params, false) {
        return b;
    }
    let emergency = Params {
        tolerance: 2_000.0,
        emergency_stretch: params.emergency_stretch.max(1.0),
        ..*params
    };
    if let Some(b) = run(items, widths, &emergency, false) {
        return b;
    }
    run(items, widths, params, true).unwrap_or_else(|| first_fit(items, widths))
}

/// Breaks that always exist: each line ends at the last break where it fits, or, where
/// nothing fits, at the first break it reaches (an overfull line).
fn first_fit(items: &[Item], widths: &impl Widths) -> Vec<Break> {
    let sums = Sums::new(items);
    let mut breaks: Vec<usize> = Vec::new();
    let mut start = 0;
    let mut last_ok: Option<usize> = None;
    let mut b = 0;
    while b < items.len() {
        let Some(c) = Candidate::at(items, b) else {
            b += 1;
            continue;
        };
        let (natural, _, shrink) = sums.line(items, start, b);
        let width = widths.width(breaks.len(), breaks.last().copied(), b);
        let fits = natural - shrink <= width;
        let end = match (fits, last_ok) {
            (false, Some(ok)) => Some(ok),
            (false, None) => Some(b),
            (true, _) if c.forced => Some(b),
            (true, _) => {
                last_ok = Some(b);
                None
            }
        };
        match end {
            Some(e) => {
                breaks.push(e);
                last_ok = None;
                start = start_after(items, e);
                b = e + 1;
            }
            None => b += 1,
        }
    }
    final_ratios(items, &sums, widths, &breaks)
}

/// Prefix sums of width, stretch and shrink over the items (penalties add nothing), so the
/// natural width of any line is two lookups.
struct Sums {
    width: Vec<f64>,
    stretch: Vec<f64>,
    shrink: Vec<f64>,
}

impl Sums {
    fn new(items: &[Item]) -> Sums {
        let n = items.len();
        let mut s = Sums {
            width: vec![0.0; n + 1],
            stretch: vec![0.0; n + 1],
            shrink: vec![0.0; n + 1],
        };
        for (i, it) in items.iter().enumerate() {
            let (w, y, z) = match *it {
                Item::Box {
                    width,
                    stretch,
                    shrink,
                }
                | Item::Glue {
                    width,
                    stretch,
                    shrink,
                } => (width, stretch, shrink),
                Item::Penalty { .. } => (0.0, 0.0, 0.0),
            };
            s.width[i + 1] = s.width[i] + w;
            s.stretch[i + 1] = s.stretch[i] + y;
            s.shrink[i + 1] = s.shrink[i] + z;
        }
        s
    }

    /// Natural width, stretch and shrink of the items from `start` up to the break at `b`
    /// (the break's own width — a hyphen — included).
    fn line(&self, items: &[Item], start: usize, b: usize) -> (f64, f64, f64) {
        let pwidth = match items[b] {
            Item::Penalty { width, .. } => width,
            _ => 0.0,
        };
        (
            self.width[b] - self.width[start] + pwidth,
            self.stretch[b] - self.stretch[start],
            self.shrink[b] - self.shrink[start],
        )
    }
}

/// The adjustment ratio that brings a line of `natural` width to `width`: the share of its
/// stretch (positive) or shrink (negative) it must use. `None` when the line is short or
/// long and has no glue to make up for it.
fn ratio(natural: f64, width: f64, stretch: f64, shrink: f64) -> Option<f64> {
    if natural < width {
        (stretch > 0.0).then(|| (width - natural) / stretch)
    } else if natural > width {
        (shrink > 0.0).then(|| (width - natural) / shrink)
    } else {
        Some(0.0)
    }
}

/// A break the search may take: its penalty, whether it is flagged (a hyphen), and whether it
/// is forced (the paragraph's end, a hard line break).
#[derive(Clone, Copy)]
struct Candidate {
    penalty: f64,
    flagged: bool,
    forced: bool,
}

impl Candidate {
    /// The break at item `b`, if a line may end there: a penalty below INFINITY, or glue
    /// after a box.
    fn at(items: &[Item], b: usize) -> Option<Candidate> {
        match items[b] {
            Item::Penalty {
                penalty, flagged, ..
            } if penalty < INFINITY => Some(Candidate {
                penalty,
                flagged,
                forced: penalty <= -INFINITY,
            }),
            Item::Glue { .. } if b > 0 && matches!(items[b - 1], Item::Box { .. }) => {
                Some(Candidate {
                    penalty: 0.0,
                    flagged: false,
                    forced: false,
                })
            }
            _ => None,
        }
    }
}

/// The demerits of a line that follows `node` and ends at `c` with `ratio` (TeX's formula,
/// with its \adjdemerits, \doublehyphendemerits and \finalhyphendemerits, and a cost for a
/// short last line), and the length of the hyphen run it makes. `None` when the line would
/// make three hyphens in a row, which only the last pass accepts (at a high cost).
fn demerits(
    params: &Params,
    node: &Node,
    c: Candidate,
    bad: f64,
    ratio: f64,
    natural: f64,
    any: bool,
) -> Option<(f64, u8)> {
    let mut d = (params.line_penalty + bad).powi(2);
    if c.penalty >= 0.0 {
        d += c.penalty * c.penalty;
    } else if c.penalty > -INFINITY {
        d -= c.penalty * c.penalty;
    }
    let fitness = fitness_class(ratio);
    let first = node.at == usize::MAX;
    if !first && (i32::from(fitness) - i32::from(node.fitness)).abs() > 1 {
        d += params.adj_demerits;
    }
    if c.flagged && node.hyphenated {
        d += params.double_hyphen_demerits;
    }
    if c.forced && node.hyphenated {
        d += params.final_hyphen_demerits;
    }
    if c.forced && !first && natural < params.short_last_line {
        d += params.short_last_demerits;
    }
    let run = if c.flagged { node.hyphen_run + 1 } else { 0 };
    if run >= 3 {
        if !any {
            return None;
        }
        d += 100.0 * params.double_hyphen_demerits;
    }
    Some((d, run))
}

/// Where a line that follows a break at `i` starts: glue and penalties after a break are
/// discarded, up to the next box (or forced break).
fn start_after(items: &[Item], i: usize) -> usize {
    let mut j = i + 1;
    while j < items.len() {
        match items[j] {
            Item::Box { .. } => break,
            Item::Penalty { penalty, .. } if penalty <= -INFINITY => break,
            _ => j += 1,
        }
    }
    j
}

/// One pass of the search. `any` accepts every line that is not overfull (the last pass).
/// `None` when no sequence of feasible lines reaches the end.
fn run(items: &[Item], widths: &impl Widths, params: &Params, any: bool) -> Option<Vec<Break>> {
    let sums = Sums::new(items);
    let mut nodes: Vec<Node> = vec![Node {
        at: usize::MAX,
        line: 0,
        fitness: 1,
        hyphenated: false,
        hyphen_run: 0,
        demerits: 0.0,
        prev: usize::MAX,
    }];
    // Active nodes and where the line after each starts.
    let mut active: Vec<(usize, usize)> = vec![(0, 0)];
    for b in 0..items.len() {
        let Some(c) = Candidate::at(items, b) else {
            continue;
        };
        // Best new node per fitness class and length of the hyphen run it ends.
        let mut best: [[Option<(f64, usize)>; 3]; 4] = [[None; 3]; 4];
        let mut k = 0;
        while k < active.len() {
            let (a, start) = active[k];
            let node = nodes[a];
            let (natural, stretch, shrink) = sums.line(items, start, b);
            let from = (node.at != usize::MAX).then_some(node.at);
            let line_width = widths.width(node.line, from, b);
            let stretch = stretch + params.emergency_stretch;
            let r =
                ratio(natural, line_width, stretch, shrink).unwrap_or(if natural < line_width {
                    INFINITY
                } else {
                    -INFINITY
                });
            if r < -1.0 || c.forced {
                // This active node cannot reach any later break either (or a forced break
                // ends every line): retire it.
                active.remove(k);
            } else {
                k += 1;
            }
            let feasible = r >= -1.0 && (any || badness(r) <= params.tolerance);
            // At a forced break, a line too loose for the tolerance is still a candidate when
            // nothing else is (TeX's "artificial demerits").
            let artificial = c.forced
                && r >= -1.0
                && !feasible
                && active.is_empty()
                && best.iter().flatten().all(Option::is_none);
            if !(feasible || artificial) {
                continue;
            }
            let bad = if artificial { 0.0 } else { badness(r) };
            let Some((d, run)) = demerits(params, &node, c, bad, r, natural, any) else {
                continue;
            };
            let total = node.demerits + d;
            let slot = &mut best[fitness_class(r) as usize][usize::from(run.min(2))];
            if slot.is_none_or(|(t, _)| total < t) {
                *slot = Some((total, a));
            }
        }
        for (fitness, slots) in best.iter().enumerate() {
            for (run, slot) in slots.iter().enumerate() {
                if let Some((total, prev)) = *slot {
                    nodes.push(Node {
                        at: b,
                        line: nodes[prev].line + 1,
                        fitness: fitness as u8,
                        hyphenated: c.flagged,
                        hyphen_run: run as u8,
                        demerits: total,
                        prev,
                    });
                    active.push((nodes.len() - 1, start_after(items, b)));
                }
            }
        }
        if active.is_empty() {
            return None;
        }
    }
    let breaks = trace_back(&nodes, items.len() - 1)?;
    Some(final_ratios(items, &sums, widths, &breaks))
}

/// The breaks of the best node at the final (forced) break, in order.
fn trace_back(nodes: &[Node], last: usize) -> Option<Vec<usize>> {
    let end = nodes
        .iter()
        .enumerate()
        .filter(|(_, nd)| nd.at == last)
        .min_by(|a, b| a.1.demerits.total_cmp(&b.1.demerits))?
        .0;
    let mut breaks = Vec::new();
    let mut i = end;
    while nodes[i].at != usize::MAX {
        breaks.push(nodes[i].at);
        i = nodes[i].prev;
    }
    breaks.reverse();
    Some(breaks)
}

/// Each line's ratio, computed again without emergency stretch (that only made breaks
/// feasible) and never below -1 (no line is set tighter than its glue allows).
fn final_ratios(items: &[Item], sums: &Sums, widths: &impl Widths, breaks: &[usize]) -> Vec<Break> {
    let mut out = Vec::with_capacity(breaks.len());
    let mut from: Option<usize> = None;
    for (line, &b) in breaks.iter().enumerate() {
        let start = from.map_or(0, |f| start_after(items, f));
        let (natural, stretch, shrink) = sums.line(items, start, b);
        let line_width = widths.width(line, from, b);
        let ratio = ratio(natural, line_width, stretch, shrink).map_or(0.0, |r| r.max(-1.0));
        out.push(Break { at: b, ratio });
        from = Some(b);
    }
    out
}

/// TeX's badness: 100 r³, capped.
pub fn badness(ratio: f64) -> f64 {
    if ratio < -1.0 {
        return INFINITY + 1.0;
    }
    (100.0 * ratio.abs().powi(3)).min(INFINITY)
}

/// 0 very loose, 1 loose, 2 decent, 3 tight — in TeX's order reversed so that adjacent
/// classes differ by one.
fn fitness_class(ratio: f64) -> u8 {
    if ratio > 1.0 {
        0
    } else if ratio > 0.5 {
        1
    } else if ratio >= -0.5 {
        2
    } else {
        3
    }
}

/// Where each line starts, given the breaks: the first item after the previous break that
/// is kept at the start of a line.
pub fn line_starts(items: &[Item], breaks: &[Break]) -> Vec<usize> {
    let mut starts = Vec::with_capacity(breaks.len());
    let mut prev: Option<usize> = None;
    for b in breaks {
        let mut j = prev.map_or(0, |p| p + 1);
        if prev.is_some() {
            while j < b.at {
                match items[j] {
                    Item::Box { .. } => break,
                    _ => j += 1,
                }
            }
        }
        starts.push(j);
        prev = Some(b.at);
    }
    starts
}

/// Greedy breaks for ragged text: as many words as fit on each line.
pub(crate) fn greedy_breaks(items: &[Item], widths: &impl Widths) -> Vec<Break> {
    let mut breaks = Vec::new();
    let mut line = 0;
    let mut from: Option<usize> = None;
    let mut width = 0.0;
    let mut last_ok: Option<(usize, f64)> = None;
    let mut i = 0;
    while i < items.len() {
        match items[i] {
            Item::Box { width: w, .. } => width += w,
            Item::Glue { width: w, .. } => {
                if i > 0 && matches!(items[i - 1], Item::Box { .. }) {
                    last_ok = Some((i, width));
                }
                width += w;
            }
            Item::Penalty {
                penalty, width: pw, ..
            } => {
                if penalty <= -INFINITY {
                    breaks.push(Break { at: i, ratio: 0.0 });
                    from = Some(i);
                    line += 1;
                    width = 0.0;
                    last_ok = None;
                    i += 1;
                    continue;
                }
                if penalty < INFINITY && width + pw <= widths.width(line, from, i) {
                    last_ok = Some((i, width));
                }
            }
        }
        if width > widths.width(line, from, i)
            && let Some((b, _)) = last_ok.take()
        {
            breaks.push(Break { at: b, ratio: 0.0 });
            from = Some(b);
            line += 1;
            // Restart after the break, skipping discardable items.
            i = b + 1;
            while i < items.len()
                && !matches!(items[i], Item::Box { .. })
                && !matches!(items[i], Item::Penalty { penalty, .. } if penalty <= -INFINITY)
            {
                i += 1;
            }
            width = 0.0;
            continue;
        }
        i += 1;
    }
    breaks
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Words of given widths separated by glue, ending with \parfillskip and a forced break.
    fn para(words: &[f64]) -> Vec<Item> {
        let mut v = Vec::new();
        for (i, w) in words.iter().enumerate() {
            if i > 0 {
                v.push(Item::Glue {
                    width: 3.0,
                    stretch: 1.5,
                    shrink: 1.0,
                });
            }
            v.push(Item::Box {
                width: *w,
                stretch: 0.0,
                shrink: 0.0,
            });
        }
        v.push(Item::Penalty {
            width: 0.0,
            penalty: INFINITY,
            flagged: false,
        });
        v.push(Item::Glue {
            width: 0.0,
            stretch: FILL,
            shrink: 0.0,
        });
        v.push(Item::Penalty {
            width: 0.0,
            penalty: -INFINITY,
            flagged: false,
        });
        v
    }

    #[test]
    fn every_line_fits() {
        let words: Vec<f64> = (0..200).map(|i| 10.0 + (i * 37 % 23) as f64).collect();
        let items = para(&words);
        let breaks = break_lines(&items, &100.0, &Params::default());
        let starts = line_starts(&items, &breaks);
        for (b, s) in breaks.iter().zip(&starts) {
            assert!(b.ratio >= -1.0 - 1e-9, "overfull line");
            let natural: f64 = items[*s..b.at]
                .iter()
                .map(|i| match i {
                    Item::Box { width, .. } => *width,
                    Item::Glue { width, .. } => *width,
                    _ => 0.0,
                })
                .sum();
            let shrink: f64 = items[*s..b.at]
                .iter()
                .map(|i| {
                    if let Item::Glue { shrink, .. } = i {
                        *shrink
                    } else {
                        0.0
                    }
                })
                .sum();
            assert!(natural - shrink <= 100.0 + 1e-6);
        }
    }

    #[test]
    fn boxes_wider_than_the_line_give_overfull_lines_not_a_failure() {
        // Every word is wider than the measure: no pass can find a feasible line.
        let items = para(&[150.0, 20.0, 30.0, 160.0, 10.0]);
        let breaks = break_lines(&items, &100.0, &Params::default());
        let starts = line_starts(&items, &breaks);
        assert_eq!(breaks.last().map(|b| b.at), Some(items.len() - 1));
        // The narrow words share a line; each wide one is alone on its own.
        assert_eq!(breaks.len(), 4, "{breaks:?}");
        assert!(breaks.iter().all(|b| b.ratio >= -1.0));
        assert!(starts.windows(2).all(|w| w[0] < w[1]));
        // A measure of nothing still gives lines.
        let breaks = break_lines(&items, &0.0, &Params::default());
        assert!(!breaks.is_empty());
    }

    #[test]
    fn a_word_too_long_for_any_tolerance_still_gets_lines() {
        let items = para(&[99.0, 99.0, 5.0, 99.0]);
        let breaks = break_lines(&items, &100.0, &Params::default());
        assert_eq!(breaks.len(), 4);
    }

    #[test]
    fn spacing_is_more_even_than_greedy() {
        let words: Vec<f64> = (0..300).map(|i| 8.0 + (i * 53 % 29) as f64).collect();
        let items = para(&words);
        let kp = run(&items, &300.0, &Params::default(), false)
            .expect("the first pass succeeds on ordinary text");
        // Greedy: as many words as fit at natural width.
        let mut greedy = Vec::new();
        let (mut w, mut count) = (0.0, 0);
        for x in &words {
            let add = if count == 0 { *x } else { 3.0 + x };
            if w + add > 300.0 {
                greedy.push((300.0 - w) / (1.5 * (count as f64 - 1.0)).max(1.0));
                w = *x;
                count = 1;
            } else {
                w += add;
                count += 1;
            }
        }
        let spread = |r: &[f64]| {
            let m = r.iter().sum::<f64>() / r.len() as f64;
            (r.iter().map(|x| (x - m).powi(2)).sum::<f64>() / r.len() as f64).sqrt()
        };
        let kp_r: Vec<f64> = kp[..kp.len() - 1].iter().map(|b| b.ratio).collect();
        assert!(
            spread(&kp_r) < spread(&greedy),
            "{} vs {}: {kp_r:?}",
            spread(&kp_r),
            spread(&greedy)
        );
        assert!(kp_r.iter().all(|r| *r >= -1.0));
    }
}
