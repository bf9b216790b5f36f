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

/// A glyph in a run: 12 bytes, since a long novel has millions of them (its shift from the
/// pen, rarely there, is kept apart in [`Run::offsets`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RunGlyph {
    /// The glyph id in the run's face.
    pub id: u16,
    /// Bytes of the run's text the glyph stands for, from `start`.
    len: u16,
    start: u32,
    /// How far the pen moves after the glyph.
    pub advance: Em,
}

impl RunGlyph {
    /// A glyph standing for the bytes `range` of its run's text.
    pub fn new(id: u16, advance: Em, range: Range<u32>) -> RunGlyph {
        let len = range.end.saturating_sub(range.start);
        RunGlyph {
            id,
            // A glyph stands for one cluster, inside one word: the loader refuses a word of
            // more than 10,000 characters (40,000 bytes at most), and the line builder cuts
            // a longer cluster from elsewhere (a bibliography) at a character's end.
            len: u16::try_from(len).unwrap_or(u16::MAX),
            start: range.start,
            advance,
        }
    }

    /// Byte range of the glyph's text in the run's text.
    pub fn range(&self) -> Range<u32> {
        self.start..self.start + u32::from(self.len)
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
    /// The glyphs that are shifted from the pen, in glyph order (none in most runs).
    pub offsets: Option<std::sync::Arc<[GlyphOffset]>>,
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
            && self.offsets == o.offsets
    }
}

impl Run {
    /// Each glyph with its shift from the pen: (glyph, x, y up).
    pub fn placed(&self) -> impl Iterator<Item = (&RunGlyph, Em, Em)> + '_ {
        let offsets = self.offsets.as_deref().unwrap_or(&[]);
        let mut next = 0;
        self.glyphs
            .iter()
            .enumerate()
            .map(move |(i, g)| match offsets.get(next) {
                Some(o) if o.glyph as usize == i => {
                    next += 1;
                    (g, o.x, o.y)
                }
                _ => (g, Em(0.0), Em(0.0)),
            })
    }

    /// The run's width in points: the sum of its advances.
    pub fn width(&self) -> f32 {
        self.glyphs.iter().map(|g| g.advance.at(self.size)).sum()
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
            glyphs: vec![RunGlyph::new(id, Em(0.5), 0..1)].into(),
            text: text.into(),
            offsets: None,
        }
    }

    /// A glyph keeps its text range in 12 bytes.
    #[test]
    fn a_glyph_is_small_and_keeps_its_range() {
        assert_eq!(std::mem::size_of::<RunGlyph>(), 12);
        assert_eq!(
            RunGlyph::new(3, Em(0.2), 70_000..70_003).range(),
            70_000..70_003
        );
        assert_eq!(RunGlyph::new(3, Em(0.2), 5..5).range(), 5..5);
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
