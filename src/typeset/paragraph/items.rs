//! Items: each word shaped (split where the font changes for fallback), then emitted as
//! boxes with the places it may break between them — hyphenation points with a hyphen,
//! explicit hyphens and dashes without.

use std::ops::Range;

use super::collect::Builder;
use super::linebreak::Item;
use super::{
    Align, EXPLICIT_PENALTY, Extra, HYPHEN_PENALTY, LETTER_SHRINK, LETTER_STRETCH, PGlyph,
};
use crate::display::FaceId;
use crate::fonts::Style;
use crate::typeset::fonts::FontBook;
use crate::typeset::remarks::Remark;
use crate::typeset::shape::UGlyph;

/// A piece of a word: text in one style.
pub(super) struct Part {
    pub(super) text: Range<usize>,
    pub(super) style: Style,
    pub(super) link: u16,
    pub(super) note: bool,
    /// Small capitals.
    pub(super) caps: bool,
}

impl Builder<'_, '_> {
    /// Shapes the word collected so far and emits its boxes and hyphenation penalties.
    pub(super) fn flush_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let mut parts = std::mem::take(&mut self.word);
        self.line_start = false;
        let word_start = parts[0].text.start;
        let word_end = parts.last().map_or(word_start, |p| p.text.end);
        let word = &self.p.text[word_start..word_end];

        // Where the word may break: hyphenation points (with a hyphen) and after explicit
        // hyphens and dashes (without one). Offsets are into the paragraph text.
        let mut breaks = std::mem::take(&mut self.breaks);
        breaks.clear();
        breaks.extend(
            word.match_indices('\u{ad}')
                .map(|(i, _)| (word_start + i + 2, true)),
        );
        if breaks.is_empty() && self.p.style.hyphenate {
            for (start, letters) in letter_runs(word) {
                for b in self.tools.hyph.breaks(letters).iter() {
                    breaks.push((word_start + start + *b as usize, true));
                }
            }
        }
        for (i, c) in word.char_indices() {
            let after = i + c.len_utf8();
            let next = word[after..].chars().next();
            let prev = word[..i].chars().next_back();
            let explicit = match c {
                '-' | '\u{2010}' => {
                    prev.is_some_and(char::is_alphabetic) && next.is_some_and(char::is_alphabetic)
                }
                '—' | '–' => {
                    next.is_some_and(|n| n.is_alphanumeric() || n == '“' || n == '‘')
                        && prev.is_some()
                }
                '/' => {
                    prev.is_some_and(char::is_alphanumeric)
                        && next.is_some_and(char::is_alphanumeric)
                }
                _ => false,
            };
            if explicit {
                breaks.push((word_start + after, false));
            }
        }
        breaks.sort_unstable();
        breaks.dedup_by_key(|b| b.0);

        // Shape each part (split further where the font changes for fallback).
        let first_glyph = self.p.glyphs.len();
        for p in &parts {
            self.shape_part(p);
        }
        let glyph_end = self.p.glyphs.len();

        // Boxes between break points; a break inside a ligature is dropped.
        let mut seg_start = first_glyph;
        let mut bi = 0;
        let mut g = first_glyph;
        while g <= glyph_end {
            let cluster = if g < glyph_end {
                self.p.glyphs[g].cluster as usize
            } else {
                word_end
            };
            while bi < breaks.len() && breaks[bi].0 < cluster {
                bi += 1; // falls inside a cluster
            }
            let at_break =
                bi < breaks.len() && breaks[bi].0 == cluster && g > seg_start && g < glyph_end;
            if at_break {
                let (_, hyphen) = breaks[bi];
                self.push_box(seg_start..g);
                self.push_break(g - 1, hyphen);
                seg_start = g;
                bi += 1;
            }
            g += 1;
        }
        if seg_start < glyph_end {
            self.push_box(seg_start..glyph_end);
        }
        parts.clear();
        self.word = parts;
        self.breaks = breaks;
    }

    fn push_box(&mut self, glyphs: Range<usize>) {
        let width: f64 = self.p.glyphs[glyphs.clone()]
            .iter()
            .map(|g| f64::from(g.advance))
            .sum();
        if width > self.p.style.measure {
            self.split_overlong(glyphs);
            return;
        }
        let (stretch, shrink) = self.letter_spacing(glyphs.len());
        self.p.items.push(Item::Box {
            width,
            stretch,
            shrink,
        });
        self.p.extras.push(Extra::Glyphs(glyphs));
    }

    /// A word wider than the line (a URL, say) is broken between letters.
    fn split_overlong(&mut self, glyphs: Range<usize>) {
        let text: String = {
            let a = self.p.glyphs[glyphs.start].cluster as usize;
            let b = self
                .p
                .glyphs
                .get(glyphs.end)
                .map_or(self.p.text.len(), |g| g.cluster as usize)
                .min(self.p.text.len());
            self.p.text.get(a..b).unwrap_or("").to_string()
        };
        self.tools.sink.warn(Remark::Overlong {
            word: text,
            at: self.tools.context,
        });
        let mut start = glyphs.start;
        let mut width = 0.0;
        for g in glyphs.clone() {
            let w = f64::from(self.p.glyphs[g].advance);
            if width + w > self.p.style.measure * 0.95 && g > start {
                self.p.items.push(Item::Box {
                    width,
                    stretch: 0.0,
                    shrink: 0.0,
                });
                self.p.extras.push(Extra::Glyphs(start..g));
                self.p.items.push(Item::Penalty {
                    width: 0.0,
                    penalty: 0.0,
                    flagged: false,
                });
                self.p.extras.push(Extra::Nothing);
                start = g;
                width = 0.0;
            }
            width += w;
        }
        self.p.items.push(Item::Box {
            width,
            stretch: 0.0,
            shrink: 0.0,
        });
        self.p.extras.push(Extra::Glyphs(start..glyphs.end));
    }

    /// Letter-spacing stretch and shrink of a box of `glyphs` glyphs: the space between its
    /// letters may open or close by a hair, only in justified text.
    fn letter_spacing(&self, glyphs: usize) -> (f64, f64) {
        if self.p.style.align != Align::Justify || glyphs < 2 {
            return (0.0, 0.0);
        }
        let gaps = (glyphs - 1) as f64;
        (
            gaps * LETTER_STRETCH * self.p.style.size,
            gaps * LETTER_SHRINK * self.p.style.size,
        )
    }

    /// A break after glyph `last`: with a hyphen (discretionary) or without (after a dash).
    fn push_break(&mut self, last: usize, hyphen: bool) {
        if hyphen {
            let g = self.p.glyphs[last];
            let hy = self.tools.shaper.shape(self.tools.fonts, g.face, "-");
            let upem = self.tools.fonts.face(g.face).upem;
            let glyph = hy.first().map(|h| PGlyph {
                advance: (f64::from(h.advance) / upem * f64::from(g.size)) as f32,
                id: h.id,
                x_offset: 0.0,
                y_offset: 0.0,
                ..g
            });
            let width = glyph.map_or(0.0, |h| f64::from(h.advance));
            self.p.items.push(Item::Penalty {
                width,
                penalty: HYPHEN_PENALTY,
                flagged: true,
            });
            self.p.extras.push(Extra::Hyphen(glyph));
        } else {
            self.p.items.push(Item::Penalty {
                width: 0.0,
                penalty: EXPLICIT_PENALTY,
                flagged: true,
            });
            self.p.extras.push(Extra::Nothing);
        }
    }

    fn shape_part(&mut self, p: &Part) {
        let size = self.p.style.size as f32;
        let text = &self.p.text[p.text.clone()];
        // Split into runs by the face that has each character; a character no face has is
        // drawn from a substitute when there is a usual one (⸺ as two em dashes).
        let mut runs = std::mem::take(&mut self.runs);
        runs.clear();
        for (i, c) in text.char_indices() {
            if FontBook::is_invisible(c) {
                continue;
            }
            let r = i..i + c.len_utf8();
            match self.tools.fonts.face_for(p.style, c) {
                Some(face) => match runs.last_mut() {
                    Some((f, last, None)) if *f == face && last.end == i => last.end = r.end,
                    _ => runs.push((face, r, None)),
                },
                None => {
                    let primary = self.tools.fonts.primary(p.style);
                    match substitute(c) {
                        Some(sub) => runs.push((primary, r, Some(sub))),
                        None => {
                            self.tools.sink.warn(Remark::NoGlyph {
                                c,
                                at: self.tools.context,
                            });
                            runs.push((primary, r, None));
                        }
                    }
                }
            }
        }
        for (face, r, sub) in runs.drain(..) {
            let piece = sub.unwrap_or(&text[r.clone()]);
            let upem = self.tools.fonts.face(face).upem as f32;
            let (shaped, scale, rise) = if p.note {
                let sups = self.tools.shaper.shape_sups(self.tools.fonts, face, piece);
                let plain = self.tools.shaper.shape(self.tools.fonts, face, piece);
                if sups.iter().zip(plain.iter()).any(|(a, b)| a.id != b.id) {
                    (sups, 1.0, 0.0)
                } else {
                    (plain, 0.62, -0.36 * size)
                }
            } else if p.caps {
                let smcp = self.tools.shaper.shape_smcp(self.tools.fonts, face, piece);
                let plain = self.tools.shaper.shape(self.tools.fonts, face, piece);
                if smcp.iter().zip(plain.iter()).any(|(a, b)| a.id != b.id) {
                    (smcp, 1.0, 0.0)
                } else {
                    // A face without small capitals: capitals a size smaller stand in
                    // (ASCII letters only, so every glyph keeps its place in the text).
                    let upper = piece.to_ascii_uppercase();
                    (
                        self.tools.shaper.shape(self.tools.fonts, face, &upper),
                        0.8,
                        0.0,
                    )
                }
            } else {
                (
                    self.tools.shaper.shape(self.tools.fonts, face, piece),
                    1.0,
                    0.0,
                )
            };
            let gsize = size * scale;
            let base = (p.text.start + r.start) as u32;
            for u in shaped.iter() {
                let mut g = scaled(u, face, gsize, upem, rise, base, p.link);
                if sub.is_some() {
                    // Every glyph of a substitute stands for the one character.
                    g.cluster = base;
                }
                self.p.glyphs.push(g);
            }
        }
        self.runs = runs;
    }
}

/// Scales a glyph from font units to points.
fn scaled(
    u: &UGlyph,
    face: FaceId,
    size: f32,
    upem: f32,
    rise: f32,
    base: u32,
    link: u16,
) -> PGlyph {
    let k = size / upem;
    PGlyph {
        face,
        size,
        rise,
        id: u.id,
        advance: u.advance as f32 * k,
        x_offset: u.x_offset as f32 * k,
        y_offset: u.y_offset as f32 * k,
        cluster: base + u.cluster,
        link,
    }
}

/// The runs of letters in a word, with their byte offsets: "“Well,”" → [(3, "Well")].
fn letter_runs(word: &str) -> impl Iterator<Item = (usize, &str)> {
    let mut chars = word.char_indices().peekable();
    std::iter::from_fn(move || {
        // The next letter starts a run; marks after a letter belong to it.
        let (start, _) = chars.find(|(_, c)| c.is_alphabetic())?;
        let mut end = word.len();
        while let Some(&(i, c)) = chars.peek() {
            if !(c.is_alphabetic() || matches!(c, '\u{300}'..='\u{36f}')) {
                end = i;
                break;
            }
            chars.next();
        }
        Some((start, &word[start..end]))
    })
}

/// What to draw for a character that no font has, when there is a usual stand-in.
fn substitute(c: char) -> Option<&'static str> {
    Some(match c {
        '\u{2e3a}' => "——",
        '\u{2e3b}' => "———",
        '\u{2010}' | '\u{2011}' | '\u{2212}' => "-",
        '\u{2012}' => "–",
        '\u{2015}' => "—",
        '\u{2007}' | '\u{2008}' => " ",
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::letter_runs;

    fn runs(word: &str) -> Vec<(usize, &str)> {
        letter_runs(word).collect()
    }

    /// What is hyphenated in a word: its runs of letters, with the marks that follow a letter
    /// (not one that starts the word), and none of the punctuation around them.
    #[test]
    fn a_words_letters_are_found_between_its_punctuation() {
        assert_eq!(runs("“Well,”"), [(3, "Well")]);
        assert_eq!(runs("Well"), [(0, "Well")]);
        assert_eq!(runs("twenty-five"), [(0, "twenty"), (7, "five")]);
        assert_eq!(runs("e\u{301}clair"), [(0, "e\u{301}clair")]);
        assert_eq!(runs("\u{301}ab"), [(2, "ab")]);
        assert_eq!(runs("(a)b—c."), [(1, "a"), (3, "b"), (7, "c")]);
        assert_eq!(runs("1805,"), []);
        assert_eq!(runs(""), []);
    }
}
