//! Lines: for each chosen break, the line's glyphs placed with the justification spread
//! over its glue (and a hair over its letters), aligned, its marks and link areas found,
//! and the glyphs grouped into runs of one face and size.

use super::linebreak::{self, INFINITY, Item, Params};
use super::protrusion::LineWidths;
use super::{Align, Extra, Line, Mark, PGlyph, Prepared};
use crate::display::{Em, GlyphOffset, Run, RunGlyphs};

impl Prepared<'_> {
    /// Ends the horizontal list (\\parfillskip and the final break), chooses the breaks and
    /// builds the lines. Also says whether a line is overfull (wider than its measure by more
    /// than hanging punctuation explains).
    pub(super) fn break_lines(mut self) -> (Vec<Line>, bool) {
        // \parfillskip and the final forced break. A paragraph with nothing in it is one
        // empty line.
        self.items.push(Item::Penalty {
            width: 0.0,
            penalty: INFINITY,
            flagged: false,
        });
        self.extras.push(Extra::Nothing);
        let fill = if self.style.align == Align::Justify {
            linebreak::FILL
        } else {
            0.0
        };
        self.items.push(Item::Glue {
            width: 0.0,
            stretch: fill,
            shrink: 0.0,
        });
        self.extras.push(Extra::Nothing);
        self.items.push(Item::Penalty {
            width: 0.0,
            penalty: -INFINITY,
            flagged: false,
        });
        self.extras.push(Extra::Nothing);

        let widths = LineWidths::new(&self);
        let mut params = Params {
            short_last_line: self.style.size * 2.5,
            ..Params::default()
        };
        if self.style.align != Align::Justify {
            // Ragged lines: every line may fall short by up to a few ems at no great cost.
            params.emergency_stretch = 0.0;
        }
        let breaks = if self.style.align == Align::Justify {
            linebreak::break_lines(&self.items, &widths, &params)
        } else {
            linebreak::greedy_breaks(&self.items, &widths)
        };
        let starts = linebreak::line_starts(&self.items, &breaks);
        let mut lines = Vec::with_capacity(breaks.len());
        let mut mark_i = 0;
        for (li, (b, start)) in breaks.iter().zip(starts).enumerate() {
            let line = self.build_line(
                li,
                start,
                b.at,
                b.ratio,
                &mut mark_i,
                li + 1 == breaks.len(),
            );
            lines.push(line);
        }
        let slack = self.style.size * 0.5;
        let overfull = lines.iter().enumerate().any(|(i, l)| {
            let hang = if i > 0 { self.style.hang } else { 0.0 };
            f64::from(l.width) > self.style.measure - hang + slack
        });
        (lines, overfull)
    }

    /// Line `li`, from item `start` to the break at `end` with adjustment `ratio`. `mark_i`
    /// is the first mark not yet given to a line; the last line takes all that remain.
    fn build_line(
        &self,
        li: usize,
        start: usize,
        end: usize,
        ratio: f64,
        mark_i: &mut usize,
        last: bool,
    ) -> Line {
        let forced_end =
            matches!(self.items[end], Item::Penalty { penalty, .. } if penalty <= -INFINITY);
        let justify = self.style.align == Align::Justify && !forced_end;
        let ratio = if justify || ratio < 0.0 { ratio } else { 0.0 };
        let (placed, x0) = self.place_glyphs(li, start, end, ratio);
        let natural: f64 = placed.iter().map(|g| f64::from(g.advance)).sum();
        let x = self.align(&placed, x0, natural);
        let mut line = Line {
            width: natural as f32,
            ..Default::default()
        };
        self.take_marks(&mut line, start, end, mark_i, last);
        let start_text = placed
            .iter()
            .find(|g| g.cluster != u32::MAX)
            .map_or(self.text.len() as u32, |g| g.cluster);
        line.start = self.flat_of(start_text);
        line.runs = self.runs(&placed, x as f32);
        self.link_areas(&mut line, &placed, x as f32);
        line
    }

    /// The line's glyphs with their advances after justification, and the x where the first
    /// stands (the hang of a line after the first, the paragraph indent).
    fn place_glyphs(&self, li: usize, start: usize, end: usize, ratio: f64) -> (Vec<PGlyph>, f64) {
        let mut placed: Vec<PGlyph> = Vec::new();
        let mut x0 = if li > 0 { self.style.hang } else { 0.0 };
        let adjust = |stretch: f64, shrink: f64| {
            if ratio >= 0.0 {
                ratio * stretch
            } else {
                ratio * shrink
            }
        };
        for i in start..end {
            match (&self.items[i], &self.extras[i]) {
                (
                    Item::Box {
                        stretch, shrink, ..
                    },
                    Extra::Glyphs(r),
                ) => {
                    // Letter spacing: the box's share of the justification, spread over the
                    // gaps between its glyphs.
                    let extra = adjust(*stretch, *shrink);
                    let gaps = r.len().saturating_sub(1);
                    let each = if gaps > 0 {
                        (extra / gaps as f64) as f32
                    } else {
                        0.0
                    };
                    let from = placed.len();
                    placed.extend(self.glyphs[r.clone()].iter().copied());
                    if each != 0.0 {
                        let n = placed.len();
                        for g in &mut placed[from..n - 1] {
                            g.advance += each;
                        }
                    }
                }
                (Item::Box { width, .. }, _) => {
                    // The paragraph indent.
                    if placed.is_empty() {
                        x0 += width;
                    } else if let Some(last) = placed.last_mut() {
                        last.advance += *width as f32;
                    }
                }
                (
                    Item::Glue {
                        width,
                        stretch,
                        shrink,
                    },
                    extra,
                ) => {
                    let w = width + adjust(*stretch, *shrink);
                    if linebreak::is_fill(*stretch) {
                        continue; // \parfillskip or a hard break's fill: nothing drawn
                    }
                    match extra {
                        Extra::Space(Some(g)) => placed.push(PGlyph {
                            advance: w as f32,
                            ..*g
                        }),
                        _ => {
                            if let Some(last) = placed.last_mut() {
                                last.advance += w as f32;
                            } else {
                                x0 += w;
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        if let (Item::Penalty { .. }, Extra::Hyphen(Some(h))) =
            (&self.items[end], &self.extras[end])
        {
            let mut h = *h;
            h.cluster = u32::MAX; // the inserted hyphen stands for no text of the paragraph
            placed.push(h);
        }
        (placed, x0)
    }

    /// Where the line starts: moved left by what hangs into the margin, and over for
    /// centred and flush-right lines.
    fn align(&self, placed: &[PGlyph], x0: f64, natural: f64) -> f64 {
        let avail = self.style.measure - x0;
        // Hanging punctuation: the line's first and last characters may stand out.
        let (left_out, right_out) = if self.style.protrusion && !placed.is_empty() {
            (self.protrusion_left(placed), self.protrusion_right(placed))
        } else {
            (0.0, 0.0)
        };
        let mut x = x0 - left_out;
        match self.style.align {
            Align::Justify => {}
            Align::Left => {}
            Align::Center => x += ((avail - natural) / 2.0).max(0.0),
            Align::Right => x += (avail - natural + right_out).max(0.0),
        }
        x
    }

    /// Gives the line the marks (index hits, note references) that fall before its last
    /// glyph, or all that remain when it is the last line.
    fn take_marks(
        &self,
        line: &mut Line,
        start: usize,
        end: usize,
        mark_i: &mut usize,
        last: bool,
    ) {
        let first_glyph = self.first_glyph_index(start, end);
        let last_glyph = self.last_glyph_index(start, end);
        let upto = if last {
            usize::MAX
        } else {
            last_glyph.max(first_glyph)
        };
        while *mark_i < self.marks.len() && self.marks[*mark_i].0 < upto {
            match &self.marks[*mark_i].1 {
                Mark::Hit(h) => line.hits.push(*h),
                Mark::Note(n) => line.notes.push(*n),
            }
            *mark_i += 1;
        }
    }

    /// Link areas: one per run of glyphs with the same link, from x.
    fn link_areas(&self, line: &mut Line, placed: &[PGlyph], x: f32) {
        let mut cx = x;
        let mut open: Option<(u16, f32)> = None;
        for g in placed {
            match open {
                Some((l, _)) if l == g.link => {}
                Some((l, from)) => {
                    line.links
                        .push((from, cx, self.links[l as usize - 1].clone()));
                    open = (g.link > 0).then_some((g.link, cx));
                }
                None if g.link > 0 => open = Some((g.link, cx)),
                None => {}
            }
            cx += g.advance;
        }
        if let Some((l, from)) = open {
            line.links
                .push((from, cx, self.links[l as usize - 1].clone()));
        }
    }

    fn first_glyph_index(&self, start: usize, end: usize) -> usize {
        (start..end)
            .find_map(|i| match &self.extras[i] {
                Extra::Glyphs(r) => Some(r.start),
                _ => None,
            })
            .unwrap_or(self.glyphs.len())
    }

    /// One past the last glyph of the line (the first glyph of the next line).
    fn last_glyph_index(&self, start: usize, end: usize) -> usize {
        (start..end)
            .rev()
            .find_map(|i| match &self.extras[i] {
                Extra::Glyphs(r) => Some(r.end),
                _ => None,
            })
            .unwrap_or(0)
    }

    fn flat_of(&self, text_offset: u32) -> u32 {
        let k = self.flat.partition_point(|(t, _)| *t <= text_offset);
        let (t, f) = self.flat[k.saturating_sub(1)];
        f + (text_offset - t)
    }

    /// Groups placed glyphs into runs of one face, size and baseline.
    fn runs(&self, placed: &[PGlyph], x0: f32) -> Vec<Run> {
        let mut runs: Vec<Run> = Vec::new();
        let mut x = x0;
        let mut i = 0;
        while i < placed.len() {
            let g0 = placed[i];
            let mut j = i + 1;
            while j < placed.len()
                && placed[j].face == g0.face
                && placed[j].size == g0.size
                && placed[j].rise == g0.rise
                && !far_apart(&placed[j - 1], &placed[j])
            {
                j += 1;
            }
            let group = &placed[i..j];
            // The run's text: from its first cluster to the end of its last.
            let t0 = group
                .iter()
                .find(|g| g.cluster != u32::MAX)
                .map_or(0, |g| g.cluster as usize);
            let t1 = self.text_end_after(placed, j, group);
            let mut text = self.text.get(t0..t1.max(t0)).unwrap_or("").to_string();
            let mut glyphs = RunGlyphs::with_capacity(group.len());
            let mut offsets = Vec::new();
            let size = g0.size;
            let (mut exact, mut placed_units) = (0.0f64, 0.0f64);
            for g in group {
                // Where the glyph's text starts (it ends where the next cluster begins).
                let start = if g.cluster == u32::MAX {
                    let s = text.len() as u32;
                    text.push('-');
                    s
                } else {
                    (g.cluster as usize - t0) as u32
                };
                // Advances in whole thousandths of an em (the PDF's text space unit), the
                // rounding carried to the next glyph so the line still ends where it should:
                // the PDF then positions glyphs with short integers instead of long decimals.
                exact += f64::from(g.advance) / f64::from(size) * 1000.0;
                let q = exact.round() - placed_units;
                placed_units += q;
                if g.x_offset != 0.0 || g.y_offset != 0.0 {
                    offsets.push(GlyphOffset {
                        glyph: glyphs.len() as u32,
                        x: Em(g.x_offset / size),
                        y: Em(g.y_offset / size),
                    });
                }
                glyphs.push(g.id, Em((q / 1000.0) as f32), start);
            }
            let width: f32 = group.iter().map(|g| g.advance).sum();
            let (glyphs, extras) = glyphs.finish(offsets);
            runs.push(Run {
                face: g0.face,
                size,
                x,
                rise: g0.rise,
                glyphs,
                text: text.into(),
                extras,
            });
            x += width;
            i = j;
        }
        // Most lines are one run, and a line is kept until its page is drawn: the room a
        // growing vector leaves (four runs) was an eighth of a long novel's laid-out pages.
        runs.shrink_to_fit();
        runs
    }

    /// The end of the text covered by `group` (which ends before `placed[j]`).
    fn text_end_after(&self, placed: &[PGlyph], j: usize, group: &[PGlyph]) -> usize {
        let last = group
            .iter()
            .rev()
            .find(|g| g.cluster != u32::MAX)
            .map_or(0, |g| g.cluster as usize);
        if let Some(next) = placed[j..]
            .iter()
            .find(|g| g.cluster != u32::MAX && g.cluster as usize > last)
        {
            return next.cluster as usize;
        }
        // The last run of the line: to the end of the last character.
        let c = self
            .text
            .get(last..)
            .and_then(|s| s.chars().next())
            .map_or(0, char::len_utf8);
        let mut end = last + c;
        // A ligature or a multi-character cluster covers more text: up to the next space.
        while let Some(ch) = self.text.get(end..).and_then(|s| s.chars().next()) {
            if ch == ' ' || ch == '\n' || self.glyph_starting_at(end) {
                break;
            }
            end += ch.len_utf8();
        }
        end
    }

    fn glyph_starting_at(&self, offset: usize) -> bool {
        self.glyphs.iter().any(|g| g.cluster as usize == offset)
    }
}

/// Whether glyph `b` starts more than 64 KiB of text after glyph `a`: a run ends between them,
/// since a glyph keeps where its text starts as a 16-bit step from the last (see `RunGlyph`).
/// Only text that no word limit guards (a bibliography's) could make a cluster that long.
fn far_apart(a: &PGlyph, b: &PGlyph) -> bool {
    a.cluster != u32::MAX
        && b.cluster != u32::MAX
        && b.cluster.saturating_sub(a.cluster) > u32::from(u16::MAX)
}

#[cfg(test)]
mod tests {
    use super::super::{Align, ParaStyle, layout_text};
    use crate::fonts::Style;
    use crate::typeset::testing::tools;

    /// A cluster of more than 64 KiB (a letter with 40,000 marks) ends its run, so the text
    /// of every glyph is found again whole: the runs of the lines give back all the text.
    #[test]
    fn a_cluster_longer_than_64_kib_keeps_all_its_text() {
        let marks = format!("a{}", "\u{301}".repeat(40_000));
        let text = format!("{marks}b c");
        let style = ParaStyle::plain(10.0, 300.0, Align::Left, Style::Regular);
        let lines = layout_text(&text, &style, &mut tools(&[]));
        let mut seen = String::new();
        for run in lines.iter().flat_map(|l| &l.runs) {
            let ranges: Vec<_> = run.ranges().collect();
            assert_eq!(ranges.len(), run.glyphs.len());
            // Each glyph's text follows the last one's (or shares its cluster), and the last
            // reaches the end of the run's text.
            let mut end = 0;
            for r in &ranges {
                assert!(r.start <= end, "{r:?} after {end}");
                end = end.max(r.end);
            }
            assert_eq!(end as usize, run.text.len());
            // The letter's glyphs stand for the whole cluster, the next letter for itself.
            for r in &ranges {
                let t = &run.text[r.start as usize..r.end as usize];
                if t.contains('a') {
                    assert_eq!(t, marks);
                }
                if t.contains('b') {
                    assert_eq!(t, "b");
                }
            }
            seen.push_str(&run.text);
        }
        assert_eq!(seen.replace(' ', ""), text.replace(' ', ""));
    }
}
