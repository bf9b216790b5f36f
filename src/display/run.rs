//! Glyph runs: the text of a line in one face, size and baseline, as shaped glyphs.

use std::ops::Range;

/// A font face, by its index in [`super::Document::faces`].
pub type FaceId = u16;

/// A length in ems of the run's type size: glyph advances and offsets, as the PDF's text
/// space measures them. A separate type so that a length in points cannot be mixed in.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Default)]
pub struct Em(pub f32);

impl Em {
    /// The length in points at type size `size` (points).
    pub fn at(self, size: f32) -> f32 {
        self.0 * size
    }
}

/// A font file embedded in the output: the bytes and the face's index in a collection.
#[derive(Debug, Clone)]
pub struct Face {
    /// The family name, for messages.
    pub family: String,
    /// The font file (fonts are read once and live for the whole process).
    pub data: &'static [u8],
    /// The face's index in a font collection (0 for a single font).
    pub index: u32,
}

/// A glyph in a run: 4 bytes, since a long novel has millions of them (its shift from the
/// pen, rarely there, is kept apart in [`Run::offsets`]). Its text is not stored but found
/// from the run's: it starts `step` bytes after the previous glyph's and ends where the next
/// glyph that starts later begins (the glyphs of one cluster share its text); see
/// [`Run::ranges`]. Its advance is kept in thousandths of an em, the unit the line builder
/// rounds advances to (the PDF's text space unit).
///
/// Both share 16 bits: 13 for the advance (±4.095 em, wider than any letter or justified
/// space) and 3 for the step (a letter is at most 4 bytes of UTF-8, a ligature of three
/// letters 3). A run with an advance that does not fit (the contents' leader dots, which are
/// not whole thousandths) keeps them all exactly in [`RunExtras::wide`]; one with a longer
/// step (a cluster of many marks) keeps its steps in [`RunExtras::steps`]. See
/// [`Run::placed`] and [`Run::ranges`].
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunGlyph {
    /// The glyph id in the run's face.
    pub id: u16,
    /// The advance in thousandths of an em (high 13 bits, signed) and the step (low 3).
    packed: u16,
}

const STEP_BITS: u16 = 3;
const MAX_STEP: u16 = (1 << STEP_BITS) - 1;
/// The advances a glyph holds itself, in thousandths of an em.
const UNITS: std::ops::RangeInclusive<i64> = -(1 << 12)..=(1 << 12) - 1;

impl RunGlyph {
    fn new(id: u16, units: i16, step: u16) -> RunGlyph {
        RunGlyph {
            id,
            packed: ((units as u16) << STEP_BITS) | step.min(MAX_STEP),
        }
    }

    /// The advance in thousandths of an em (0 in a run with exact advances).
    fn units(self) -> i16 {
        // The arithmetic shift brings the sign back.
        (self.packed as i16) >> STEP_BITS
    }

    /// The step, up to [`MAX_STEP`] (exact in a run without [`RunExtras::steps`]).
    fn step(self) -> u16 {
        self.packed & MAX_STEP
    }

    /// The glyph as it is held, for the page store.
    pub(super) fn to_bits(self) -> u32 {
        (u32::from(self.id) << 16) | u32::from(self.packed)
    }

    /// A glyph [`RunGlyph::to_bits`] gave.
    pub(super) fn from_bits(bits: u32) -> RunGlyph {
        RunGlyph {
            id: (bits >> 16) as u16,
            packed: bits as u16,
        }
    }
}

/// A run's glyphs as they are gathered, each at the byte of the run's text where its text
/// starts.
#[derive(Debug, Default)]
pub struct RunGlyphs {
    glyphs: Vec<RunGlyph>,
    start: u32,
    /// Every advance so far, once one does not fit in a glyph.
    wide: Option<Vec<Em>>,
    /// Every step so far, once one does not fit in a glyph.
    steps: Option<Vec<u16>>,
}

/// An advance in thousandths of an em, when it is exactly one a glyph can hold.
fn units(advance: Em) -> Option<i16> {
    let u = (f64::from(advance.0) * 1000.0).round() as i64;
    let units = UNITS.contains(&u).then_some(u as i16)?;
    (em_of(units) == advance).then_some(units)
}

/// An advance kept in thousandths of an em, as the line builder made it.
fn em_of(units: i16) -> Em {
    Em((f64::from(units) / 1000.0) as f32)
}

impl RunGlyphs {
    /// Room for `n` glyphs.
    pub fn with_capacity(n: usize) -> RunGlyphs {
        RunGlyphs {
            glyphs: Vec::with_capacity(n),
            start: 0,
            wide: None,
            steps: None,
        }
    }

    /// Adds a glyph whose text starts at byte `start` of the run's text. A run is in text
    /// order: a start before the last one's is taken as the last one's. A start more than
    /// 64 KiB after the last one's is taken as 64 KiB after it: the line builder ends a run
    /// after a cluster that long (only a bibliography's text could hold one), so this is a
    /// guard, and the text is still all covered.
    pub fn push(&mut self, id: u16, advance: Em, start: u32) {
        let step = u16::try_from(start.saturating_sub(self.start)).unwrap_or(u16::MAX);
        self.start += u32::from(step);
        let fits = units(advance);
        if fits.is_none() && self.wide.is_none() {
            self.wide = Some(self.glyphs.iter().map(|g| em_of(g.units())).collect());
        }
        if let Some(wide) = &mut self.wide {
            wide.push(advance);
        }
        if step > MAX_STEP && self.steps.is_none() {
            self.steps = Some(self.glyphs.iter().map(|g| g.step()).collect());
        }
        if let Some(steps) = &mut self.steps {
            steps.push(step);
        }
        self.glyphs.push(RunGlyph::new(id, fits.unwrap_or(0), step));
    }

    /// How many glyphs there are so far.
    pub fn len(&self) -> usize {
        self.glyphs.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.glyphs.is_empty()
    }

    /// The glyphs, to be shared by a run, and the run's extras: the glyphs shifted from the
    /// pen (`offsets`), and the exact advances and steps when the glyphs cannot hold them.
    pub fn finish(
        self,
        offsets: Vec<GlyphOffset>,
    ) -> (
        std::sync::Arc<[RunGlyph]>,
        Option<std::sync::Arc<RunExtras>>,
    ) {
        let extras = RunExtras {
            offsets: offsets.into(),
            wide: self.wide.unwrap_or_default().into(),
            steps: self.steps.unwrap_or_default().into(),
        };
        let some =
            !(extras.offsets.is_empty() && extras.wide.is_empty() && extras.steps.is_empty());
        (
            self.glyphs.into(),
            some.then(|| std::sync::Arc::new(extras)),
        )
    }
}

/// A glyph drawn away from the pen (a mark placed on its base letter).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GlyphOffset {
    /// Which glyph of the run.
    pub glyph: u32,
    /// Horizontal shift from the pen.
    pub x: Em,
    /// Up is positive, as in the font.
    pub y: Em,
}

/// What few runs have, apart so that a run stays small.
#[derive(Debug, Default, PartialEq)]
pub struct RunExtras {
    /// The glyphs that are shifted from the pen, in glyph order.
    pub offsets: Box<[GlyphOffset]>,
    /// Every glyph's advance, exactly, when one does not fit in a glyph (see [`RunGlyph`]);
    /// empty otherwise.
    pub wide: Box<[Em]>,
    /// Every glyph's step, when one does not fit in a glyph (see [`RunGlyph`]); empty
    /// otherwise.
    pub steps: Box<[u16]>,
}

/// Glyphs of one face and size on one baseline, with the text they stand for (what a reader
/// copies from the PDF).
#[derive(Debug, Clone)]
pub struct Run {
    /// The face the glyphs are in.
    pub face: FaceId,
    /// Type size in points.
    pub size: f32,
    /// Start of the run from the line's origin, in points.
    pub x: f32,
    /// Baseline shift from the line's baseline in points (negative is up).
    pub rise: f32,
    /// The glyphs in order (shared: a laid-out line kept for the next build and the page it
    /// is drawn on hold the same glyphs).
    pub glyphs: std::sync::Arc<[RunGlyph]>,
    /// The text the glyphs stand for.
    pub text: std::sync::Arc<str>,
    /// Shifted glyphs and exact advances (none in most runs).
    pub extras: Option<std::sync::Arc<RunExtras>>,
}

/// Runs that share their glyphs are equal without reading them: the preview compares every
/// page of a rebuild with the last, and the pages of an unchanged chapter share the runs.
impl PartialEq for Run {
    fn eq(&self, o: &Run) -> bool {
        use std::sync::Arc;
        self.face == o.face
            && self.size == o.size
            && self.x == o.x
            && self.rise == o.rise
            && (Arc::ptr_eq(&self.glyphs, &o.glyphs) || self.glyphs == o.glyphs)
            && (Arc::ptr_eq(&self.text, &o.text) || self.text == o.text)
            && self.extras == o.extras
    }
}

impl Run {
    /// Each glyph with how far the pen moves after it and its shift from the pen:
    /// (glyph, advance, x, y up).
    pub fn placed(&self) -> impl Iterator<Item = (&RunGlyph, Em, Em, Em)> + '_ {
        let offsets = self.offsets();
        let mut next = 0;
        self.glyphs.iter().enumerate().map(move |(i, g)| {
            let advance = self.advance(i);
            match offsets.get(next) {
                Some(o) if o.glyph as usize == i => {
                    next += 1;
                    (g, advance, o.x, o.y)
                }
                _ => (g, advance, Em(0.0), Em(0.0)),
            }
        })
    }

    /// The glyphs that are shifted from the pen, in glyph order.
    pub fn offsets(&self) -> &[GlyphOffset] {
        self.extras.as_ref().map_or(&[], |e| &e.offsets)
    }

    /// How far the pen moves after glyph `i`.
    pub fn advance(&self, i: usize) -> Em {
        match &self.extras {
            Some(e) if !e.wide.is_empty() => e.wide.get(i).copied().unwrap_or_default(),
            _ => self.glyphs.get(i).map_or(Em(0.0), |g| em_of(g.units())),
        }
    }

    /// The bytes of the run's text each glyph stands for, in glyph order.
    pub fn ranges(&self) -> impl Iterator<Item = Range<u32>> + '_ {
        let total = self.text.len() as u32;
        let glyphs = &self.glyphs;
        let exact = self.extras.as_ref().map_or(&[][..], |e| &e.steps[..]);
        let step = move |i: usize| u32::from(exact.get(i).copied().unwrap_or(glyphs[i].step()));
        let mut start = 0u32;
        (0..glyphs.len()).map(move |i| {
            start += step(i);
            let end = (i + 1..glyphs.len())
                .map(step)
                .find(|&s| s > 0)
                .map_or(total, |s| start + s);
            start.min(total)..end.clamp(start.min(total), total)
        })
    }

    /// The run's width in points: the sum of its advances.
    pub fn width(&self) -> f32 {
        (0..self.glyphs.len())
            .map(|i| self.advance(i).at(self.size))
            .sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(id: u16, text: &str) -> Run {
        Run {
            face: 0,
            size: 10.0,
            x: 0.0,
            rise: 0.0,
            glyphs: glyphs(&[(id, 0)]).0,
            text: text.into(),
            extras: None,
        }
    }

    fn glyphs(
        starts: &[(u16, u32)],
    ) -> (
        std::sync::Arc<[RunGlyph]>,
        Option<std::sync::Arc<RunExtras>>,
    ) {
        let mut g = RunGlyphs::with_capacity(starts.len());
        for &(id, start) in starts {
            g.push(id, Em(0.5), start);
        }
        g.finish(Vec::new())
    }

    fn advances(of: &[f32]) -> Vec<Em> {
        let mut g = RunGlyphs::with_capacity(of.len());
        for (k, &a) in of.iter().enumerate() {
            g.push(1, Em(a), k as u32);
        }
        let (glyphs, extras) = g.finish(Vec::new());
        let r = Run {
            text: "x".repeat(of.len()).into(),
            glyphs,
            extras,
            ..run(0, "")
        };
        r.placed().map(|(_, a, _, _)| a).collect()
    }

    fn ranges(text: &str, starts: &[(u16, u32)]) -> Vec<Range<u32>> {
        let (glyphs, extras) = glyphs(starts);
        Run {
            text: text.into(),
            glyphs,
            extras,
            ..run(0, "")
        }
        .ranges()
        .collect()
    }

    /// A glyph is 4 bytes, and its text is found again from where each glyph starts: to the
    /// next start, shared within a cluster, the last to the end of the run's text.
    #[test]
    fn a_glyph_is_small_and_its_text_is_found_again() {
        assert_eq!(std::mem::size_of::<RunGlyph>(), 4);
        // A run too: a long novel has a hundred thousand of them, on its lines and pages.
        assert_eq!(std::mem::size_of::<Run>(), 56);
        assert_eq!(ranges("abc", &[(1, 0), (2, 1), (3, 2)]), [0..1, 1..2, 2..3]);
        // "e" and a combining acute as two glyphs of one cluster, then an "f" ligature of two
        // letters.
        let text = "e\u{301}fi";
        assert_eq!(ranges(text, &[(1, 0), (2, 0), (3, 3)]), [0..3, 0..3, 3..5]);
        // A start behind the last is taken as the last; nothing is lost at the end.
        assert_eq!(ranges("ab", &[(1, 1), (2, 0)]), [1..2, 1..2]);
        // A start more than 64 KiB on is taken as 64 KiB on: the text is still all covered.
        let long = "x".repeat(70_000);
        assert_eq!(
            ranges(&long, &[(1, 0), (2, 69_999)]),
            [0..65_535, 65_535..70_000]
        );
        assert_eq!(ranges("", &[(1, 0)]), vec![0..0]);
        // Steps a glyph cannot hold (over 7 bytes), before and after ones it can: the run
        // keeps them all, and the glyphs before the first long one keep their own.
        let marks = format!("ab{}c", "\u{301}".repeat(6));
        assert_eq!(
            ranges(&marks, &[(1, 0), (2, 1), (3, 14), (4, 14)]),
            [0..1, 1..14, 14..15, 14..15]
        );
        let (_, extras) = glyphs(&[(1, 0), (2, 7)]);
        assert!(extras.is_none(), "a step of 7 bytes is held by the glyph");
        let (_, extras) = glyphs(&[(1, 0), (2, 8)]);
        assert_eq!(extras.map(|e| e.steps.to_vec()), Some(vec![0, 8]));
    }

    /// Advances come back exactly as they were given: whole thousandths of an em within
    /// ±4.095 em from the glyph, any other (a leader dot's, one beyond) from the run's exact
    /// list.
    #[test]
    fn advances_come_back_exactly() {
        let thousandths: Vec<f32> = [0.0, 0.25, 0.333, -0.012, 4.095, -4.096]
            .iter()
            .map(|&a: &f64| (a * 1000.0).round() / 1000.0)
            .map(|a| a as f32)
            .collect();
        assert_eq!(
            advances(&thousandths),
            thousandths.iter().map(|&a| Em(a)).collect::<Vec<_>>()
        );
        for odd in [
            vec![0.5, 0.3333333, 0.25],
            vec![0.5, 4.096, 0.25],
            vec![-4.097],
            vec![0.5, 40.0, 0.25],
            vec![-33.0],
        ] {
            assert_eq!(
                advances(&odd),
                odd.iter().map(|&a| Em(a)).collect::<Vec<_>>()
            );
        }
        let mut g = RunGlyphs::with_capacity(2);
        g.push(1, Em(0.5), 0);
        g.push(2, Em(0.25), 1);
        g.push(3, Em(4.095), 2);
        g.push(4, Em(-4.096), 3);
        assert!(
            g.finish(Vec::new()).1.is_none(),
            "no exact list when none is needed"
        );
    }

    /// Shared glyphs are equal at once; glyphs held apart are compared by what they are.
    #[test]
    fn runs_compare_by_content() {
        let a = run(7, "a");
        assert_eq!(a, a.clone());
        assert_eq!(a, run(7, "a"));
        assert_ne!(a, run(8, "a"));
        assert_ne!(a, run(7, "b"));
        let moved = Run {
            x: 1.0,
            ..a.clone()
        };
        assert_ne!(a, moved);
    }
}
