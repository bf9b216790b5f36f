//! Shaping with rustybuzz (kerning, standard ligatures, the book's language), cached by
//! content: each distinct piece of text is shaped once per face, in font units, and scaled
//! when used.

use std::collections::HashMap;
use std::sync::Arc;

use super::fonts::{FaceId, FontBook};

/// Offset of the superior-figure caches in `Shaper::cache`.
const SUPS: usize = 1 << 12;
/// Offset of the small-capital caches.
const SMCP: usize = 2 << 12;

/// An OpenType feature a piece of text is shaped with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Feature {
    None,
    /// Superior figures (note references).
    Sups,
    /// Small capitals.
    Smcp,
}

impl Feature {
    fn offset(self) -> usize {
        match self {
            Feature::None => 0,
            Feature::Sups => SUPS,
            Feature::Smcp => SMCP,
        }
    }

    fn tag(self) -> Option<&'static [u8; 4]> {
        match self {
            Feature::None => None,
            Feature::Sups => Some(b"sups"),
            Feature::Smcp => Some(b"smcp"),
        }
    }
}

/// A shaped glyph in font units; `cluster` is a byte offset into the shaped text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UGlyph {
    pub id: u16,
    pub advance: i32,
    pub x_offset: i32,
    pub y_offset: i32,
    pub cluster: u32,
}

pub struct Shaper {
    /// Per face (and per feature set: superior figures live at `face + SUPS`): text → glyphs.
    cache: Vec<rustc_hash::FxHashMap<Box<str>, Arc<[UGlyph]>>>,
    language: Option<rustybuzz::Language>,
    /// Shaping plans per (face key, script): building a plan parses the font's layout
    /// tables, which costs more than shaping a word.
    plans: HashMap<(usize, rustybuzz::Script), rustybuzz::ShapePlan>,
    /// The last shaping's buffer, emptied, for the next: its two lists are allocated once,
    /// not for every word.
    spare: Option<rustybuzz::UnicodeBuffer>,
}

impl Shaper {
    pub fn new(language: &str) -> Shaper {
        Shaper {
            cache: Vec::new(),
            language: language.parse().ok(),
            plans: HashMap::new(),
            spare: None,
        }
    }

    /// A shaper for another thread: the same language, its own caches.
    pub fn fork(&self) -> Shaper {
        Shaper {
            cache: Vec::new(),
            language: self.language.clone(),
            plans: HashMap::new(),
            spare: None,
        }
    }

    pub fn shape(&mut self, fonts: &FontBook, face: FaceId, text: &str) -> Arc<[UGlyph]> {
        self.shape_with(fonts, face, text, Feature::None)
    }

    /// With the `sups` feature (superior figures, for note references).
    pub fn shape_sups(&mut self, fonts: &FontBook, face: FaceId, text: &str) -> Arc<[UGlyph]> {
        self.shape_with(fonts, face, text, Feature::Sups)
    }

    /// With the `smcp` feature (small capitals, as citation styles ask for them).
    pub fn shape_smcp(&mut self, fonts: &FontBook, face: FaceId, text: &str) -> Arc<[UGlyph]> {
        self.shape_with(fonts, face, text, Feature::Smcp)
    }

    fn shape_with(
        &mut self,
        fonts: &FontBook,
        face: FaceId,
        text: &str,
        feature: Feature,
    ) -> Arc<[UGlyph]> {
        let f = face as usize + feature.offset();
        if self.cache.len() <= f {
            self.cache.resize_with(f + 1, Default::default);
        }
        if let Some(g) = self.cache[f].get(text) {
            return g.clone();
        }
        let glyphs = self.shape_uncached(fonts, face, f, text, feature);
        self.cache[f].insert(Box::from(text), glyphs.clone());
        glyphs
    }

    fn shape_uncached(
        &mut self,
        fonts: &FontBook,
        face: FaceId,
        key: usize,
        text: &str,
        feature: Feature,
    ) -> Arc<[UGlyph]> {
        let mut buf = self.spare.take().unwrap_or_default();
        buf.push_str(text);
        buf.set_direction(rustybuzz::Direction::LeftToRight);
        if let Some(l) = &self.language {
            buf.set_language(l.clone());
        }
        buf.guess_segment_properties();
        let script = buf.script();
        let rb = &fonts.face(face).rb;
        let language = self.language.clone();
        let plan = self.plans.entry((key, script)).or_insert_with(|| {
            let features: Vec<rustybuzz::Feature> = feature
                .tag()
                .map(|t| rustybuzz::Feature {
                    tag: rustybuzz::ttf_parser::Tag::from_bytes(t),
                    value: 1,
                    start: 0,
                    end: u32::MAX,
                })
                .into_iter()
                .collect();
            rustybuzz::ShapePlan::new(
                rb,
                rustybuzz::Direction::LeftToRight,
                Some(script),
                language.as_ref(),
                &features,
            )
        });
        let out = rustybuzz::shape_with_plan(rb, plan, buf);
        // Straight into the shared slice (the iterator knows its length: one allocation).
        let glyphs = out
            .glyph_infos()
            .iter()
            .zip(out.glyph_positions())
            .map(|(i, p)| UGlyph {
                id: i.glyph_id as u16,
                advance: p.x_advance,
                x_offset: p.x_offset,
                y_offset: p.y_offset,
                cluster: i.cluster,
            })
            .collect();
        self.spare = Some(out.clear());
        glyphs
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kerning_and_ligatures_and_cache() {
        let fonts = FontBook::load(
            std::path::Path::new("/nonexistent"),
            crate::fonts::DEFAULT_FAMILY,
            &[],
        )
        .unwrap();
        let face = fonts.primary(crate::fonts::Style::Regular);
        let mut s = Shaper::new("en");
        let fi = s.shape(&fonts, face, "office");
        // "ffi" becomes one ligature glyph: fewer glyphs than characters.
        assert!(fi.len() < 6, "{fi:?}");
        let again = s.shape(&fonts, face, "office");
        assert!(Arc::ptr_eq(&fi, &again));
        let av = s.shape(&fonts, face, "AV");
        let a = s.shape(&fonts, face, "A");
        assert!(av[0].advance < a[0].advance, "A and V are kerned");
    }
}
