//! The faces a book is set in: the body family in four styles, then a fallback chain for
//! characters the body family lacks (the `[fonts] fallback` families, the built-in
//! Libertinus Serif, then every other face the project has).

use std::collections::HashMap;
use std::sync::Mutex;

use crate::fonts::{self, FaceInfo, Style};

pub use crate::display::FaceId;

pub struct LoadedFace {
    pub info: FaceInfo,
    pub rb: rustybuzz::Face<'static>,
    pub upem: f64,
    /// Ascender and descender in em.
    pub ascender: f64,
    pub descender: f64,
    pub cap_height: f64,
    pub x_height: f64,
    /// Which of U+0000–U+02FF the face has (Latin text asks for every letter it sets).
    latin: [u64; LATIN_WORDS],
}

const LATIN_WORDS: usize = 12;

impl LoadedFace {
    fn new(info: FaceInfo) -> Option<LoadedFace> {
        let rb = rustybuzz::Face::from_slice(info.data, info.index)?;
        let upem = f64::from(rb.units_per_em());
        let ascender = f64::from(rb.ascender()) / upem;
        let descender = f64::from(rb.descender()) / upem;
        let cap_height = rb.capital_height().map_or(0.68, |v| f64::from(v) / upem);
        let x_height = rb.x_height().map_or(0.45, |v| f64::from(v) / upem);
        let mut latin = [0u64; LATIN_WORDS];
        for (c, bit) in (0..LATIN_WORDS as u32 * 64).filter_map(|u| Some((char::from_u32(u)?, u))) {
            if rb.glyph_index(c).is_some() {
                latin[bit as usize / 64] |= 1 << (bit % 64);
            }
        }
        Some(LoadedFace {
            info,
            rb,
            upem,
            ascender,
            descender,
            cap_height,
            x_height,
            latin,
        })
    }

    pub fn has(&self, c: char) -> bool {
        let u = c as usize;
        match self.latin.get(u / 64) {
            Some(w) => w & (1 << (u % 64)) != 0,
            None => self.rb.glyph_index(c).is_some(),
        }
    }
}

pub struct FontBook {
    pub faces: Vec<LoadedFace>,
    /// For each style: the faces to try, in order.
    chains: [Vec<FaceId>; 4],
    /// Which face sets a character in a style (None: no face has it).
    coverage: Mutex<HashMap<(Style, char), Option<FaceId>>>,
}

fn style_index(s: Style) -> usize {
    match s {
        Style::Regular => 0,
        Style::Italic => 1,
        Style::Bold => 2,
        Style::BoldItalic => 3,
    }
}

impl FontBook {
    /// Loads the faces for the book. `body` and `fallback` are family names (already checked
    /// to exist by the loader).
    pub fn load(
        root: &std::path::Path,
        body: &str,
        fallback: &[String],
    ) -> Result<FontBook, String> {
        let (project, _) = fonts::discover(root);
        let mut all: Vec<FaceInfo> = project;
        all.extend(fonts::builtin_faces());
        let mut faces: Vec<LoadedFace> = Vec::new();
        for info in all {
            if let Some(f) = LoadedFace::new(info) {
                faces.push(f);
            }
        }
        let find = |family: &str, style: Style| -> Option<FaceId> {
            faces
                .iter()
                .position(|f| f.info.family.eq_ignore_ascii_case(family) && f.info.style == style)
                .map(|i| i as FaceId)
        };
        let mut chains: [Vec<FaceId>; 4] = Default::default();
        for style in Style::ALL {
            let chain = &mut chains[style_index(style)];
            let mut push = |id: Option<FaceId>| {
                if let Some(id) = id
                    && !chain.contains(&id)
                {
                    chain.push(id);
                }
            };
            // The body family in this style; a missing bold or italic falls back to the
            // nearest style the family has.
            push(find(body, style));
            push(find(body, Style::new(style.is_bold(), false)));
            push(find(body, Style::new(false, style.is_italic())));
            push(find(body, Style::Regular));
            for fam in fallback {
                push(find(fam, style));
                push(find(fam, Style::Regular));
            }
            push(find(fonts::DEFAULT_FAMILY, style));
            for i in 0..faces.len() {
                push(Some(i as FaceId));
            }
        }
        if chains[0].is_empty() {
            return Err(format!("no font of the family \"{body}\" can be read"));
        }
        Ok(FontBook {
            faces,
            chains,
            coverage: Mutex::new(HashMap::new()),
        })
    }

    /// The first face of the style's chain: the body face.
    pub fn primary(&self, style: Style) -> FaceId {
        self.chains[style_index(style)][0]
    }

    pub fn face(&self, id: FaceId) -> &LoadedFace {
        &self.faces[id as usize]
    }

    /// The faces as the display list names them, for embedding.
    pub fn display_faces(&self) -> Vec<crate::display::Face> {
        self.faces
            .iter()
            .map(|f| crate::display::Face {
                family: f.info.family.clone(),
                data: f.info.data,
                index: f.info.index,
            })
            .collect()
    }

    /// The face that sets `c` in `style`, or `None` when no face has it.
    pub fn face_for(&self, style: Style, c: char) -> Option<FaceId> {
        let primary = self.primary(style);
        if self.faces[primary as usize].has(c) {
            return Some(primary);
        }
        let key = (style, c);
        if let Some(v) = self.coverage.lock().ok().and_then(|m| m.get(&key).copied()) {
            return v;
        }
        let found = self.chains[style_index(style)]
            .iter()
            .copied()
            .find(|id| self.faces[*id as usize].has(c));
        if let Ok(mut m) = self.coverage.lock() {
            m.insert(key, found);
        }
        found
    }

    /// Characters that need no glyph: controls, joiners, variation selectors.
    pub fn is_invisible(c: char) -> bool {
        matches!(c, '\u{200b}'..='\u{200f}' | '\u{2060}'..='\u{2064}' | '\u{fe00}'..='\u{fe0f}' | '\u{ad}')
            || c.is_control()
    }
}

#[cfg(test)]
mod tests {
    /// The Latin bitmap answers as the cmap does, inside it and past its end.
    #[test]
    fn coverage_is_what_the_cmap_says() {
        let book = crate::typeset::testing::fonts();
        let mut checked = 0;
        for face in &book.faces {
            for u in (0..0x0400u32).chain([0x2014, 0x2019, 0x4e00, 0x1f600]) {
                let Some(c) = char::from_u32(u) else { continue };
                assert_eq!(
                    face.has(c),
                    face.rb.glyph_index(c).is_some(),
                    "{} U+{u:04X}",
                    face.info.family
                );
                checked += 1;
            }
        }
        assert!(checked > 1000, "the built-in faces were not loaded");
    }
}
