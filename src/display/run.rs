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

/// A glyph in a run.
#[derive(Debug, Clone, PartialEq)]
pub struct RunGlyph {
    /// The glyph id in the run's face.
    pub id: u16,
    /// How far the pen moves after the glyph.
    pub advance: Em,
    /// Horizontal shift of the glyph from the pen.
    pub x_offset: Em,
    /// Up is positive, as in the font.
    pub y_offset: Em,
    /// Byte range of the glyph's text in the run's text.
    pub range: Range<u32>,
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
    }
}

impl Run {
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
            glyphs: vec![RunGlyph {
                id,
                advance: Em(0.5),
                x_offset: Em(0.0),
                y_offset: Em(0.0),
                range: 0..1,
            }]
            .into(),
            text: text.into(),
        }
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
