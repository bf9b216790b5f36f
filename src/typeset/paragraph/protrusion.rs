//! Hanging punctuation: how far the first and last characters of a line may stand out into
//! the margins, and the line widths the breaker sees with it.

use super::linebreak::{self, Item};
use super::{Extra, PGlyph, Prepared};

impl Prepared<'_> {
    pub(super) fn char_at(&self, g: &PGlyph) -> Option<char> {
        if g.cluster == u32::MAX {
            return Some('-');
        }
        self.text
            .get(g.cluster as usize..)
            .and_then(|s| s.chars().next())
    }

    pub(super) fn protrusion_right(&self, placed: &[PGlyph]) -> f64 {
        let Some(g) = placed.iter().rev().find(|g| self.char_at(g) != Some(' ')) else {
            return 0.0;
        };
        let f = self.char_at(g).map_or(0.0, right_factor);
        f * f64::from(g.advance)
    }

    pub(super) fn protrusion_left(&self, placed: &[PGlyph]) -> f64 {
        let g = &placed[0];
        let f = self.char_at(g).map_or(0.0, left_factor);
        f * f64::from(g.advance)
    }
}

/// How far (as a fraction of its width) a character may hang into the right margin.
fn right_factor(c: char) -> f64 {
    match c {
        '.' | ',' | '-' | '\u{2010}' => 0.6,
        '’' | '”' | '\'' | '"' => 0.5,
        ':' | ';' => 0.4,
        '–' => 0.4,
        '—' => 0.2,
        '!' | '?' => 0.15,
        ')' | ']' => 0.1,
        '…' => 0.2,
        _ => 0.0,
    }
}

fn left_factor(c: char) -> f64 {
    match c {
        '“' | '‘' | '"' | '\'' => 0.5,
        '(' | '[' => 0.1,
        '—' => 0.2,
        _ => 0.0,
    }
}

/// The width of each line, widened by what may hang out at its ends.
pub(super) struct LineWidths<'b, 't> {
    pub(super) b: &'b Prepared<'t>,
}

impl linebreak::Widths for LineWidths<'_, '_> {
    fn width(&self, line: usize, from: Option<usize>, to: usize) -> f64 {
        let s = self.b.style;
        let base = s.measure - if line > 0 { s.hang } else { 0.0 };
        if !s.protrusion {
            return base;
        }
        // Hanging punctuation widens the line by what may stand out at either end.
        let mut extra = 0.0;
        // Right: the character before the break (or the hyphen).
        match (&self.b.items[to], &self.b.extras[to]) {
            (Item::Penalty { .. }, Extra::Hyphen(Some(h))) => {
                extra += right_factor('-') * f64::from(h.advance)
            }
            _ => {
                if let Some(Extra::Glyphs(r)) = to.checked_sub(1).map(|i| &self.b.extras[i])
                    && !r.is_empty()
                {
                    let g = self.b.glyphs[r.end - 1];
                    extra += self.b.char_at(&g).map_or(0.0, right_factor) * f64::from(g.advance);
                }
            }
        }
        // Left: the first glyph after the previous break.
        let first = from.map_or(0, |f| f + 1);
        if let Some(g) = (first..to).find_map(|i| match &self.b.extras[i] {
            Extra::Glyphs(r) if !r.is_empty() => Some(self.b.glyphs[r.start]),
            _ => None,
        }) {
            extra += self.b.char_at(&g).map_or(0.0, left_factor) * f64::from(g.advance);
        }
        base + extra
    }
}
