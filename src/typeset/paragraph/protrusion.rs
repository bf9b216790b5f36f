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

/// The width of each line, widened by what may hang out at its ends. What may hang out is
/// found once per item, not for every pair of breaks the breaker weighs (it weighs each
/// possible break against every active one: that was 2% of a long novel's build).
pub(super) struct LineWidths {
    measure: f64,
    hang: f64,
    protrusion: bool,
    /// What may hang into the right margin at a break at each item (0 where nothing can).
    right: Vec<f64>,
    /// For each item, the first item from it on that holds glyphs (the item count if none
    /// does), and what its first glyph may hang into the left margin.
    first_glyphs: Vec<(u32, f64)>,
}

impl LineWidths {
    pub(super) fn new(b: &Prepared<'_>) -> LineWidths {
        let s = b.style;
        let mut w = LineWidths {
            measure: s.measure,
            hang: s.hang,
            protrusion: s.protrusion,
            right: Vec::new(),
            first_glyphs: Vec::new(),
        };
        if !s.protrusion {
            return w;
        }
        let n = b.items.len();
        let hangs = |g: &PGlyph, factor: fn(char) -> f64| {
            b.char_at(g).map_or(0.0, factor) * f64::from(g.advance)
        };
        w.right = (0..n)
            .map(|to| match (&b.items[to], &b.extras[to]) {
                // The hyphen.
                (Item::Penalty { .. }, Extra::Hyphen(Some(h))) => {
                    right_factor('-') * f64::from(h.advance)
                }
                // The character before the break.
                _ => match to.checked_sub(1).map(|i| &b.extras[i]) {
                    Some(Extra::Glyphs(r)) if !r.is_empty() => {
                        hangs(&b.glyphs[r.end - 1], right_factor)
                    }
                    _ => 0.0,
                },
            })
            .collect();
        w.first_glyphs = vec![(n as u32, 0.0); n + 1];
        for i in (0..n).rev() {
            w.first_glyphs[i] = match &b.extras[i] {
                Extra::Glyphs(r) if !r.is_empty() => {
                    (i as u32, hangs(&b.glyphs[r.start], left_factor))
                }
                _ => w.first_glyphs[i + 1],
            };
        }
        w
    }
}

impl linebreak::Widths for LineWidths {
    fn width(&self, line: usize, from: Option<usize>, to: usize) -> f64 {
        let base = self.measure - if line > 0 { self.hang } else { 0.0 };
        if !self.protrusion {
            return base;
        }
        // Hanging punctuation widens the line by what may stand out at either end: the
        // character before the break (or the hyphen), and the first glyph after the
        // previous break.
        let mut extra = self.right[to];
        let (first, left) = self.first_glyphs[from.map_or(0, |f| f + 1)];
        if (first as usize) < to {
            extra += left;
        }
        base + extra
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Inline;
    use crate::typeset::paragraph::collect::Builder;
    use crate::typeset::paragraph::linebreak::Widths as _;
    use crate::typeset::paragraph::{ParaStyle, Tools};

    /// What may hang out of a line from `from` to `to` at its right and left ends, found the
    /// direct way: the character before the break (or the hyphen), and the first glyph
    /// after the previous break.
    fn direct(b: &Prepared<'_>, from: Option<usize>, to: usize) -> (f64, f64) {
        let right = match (&b.items[to], &b.extras[to]) {
            (Item::Penalty { .. }, Extra::Hyphen(Some(h))) => {
                right_factor('-') * f64::from(h.advance)
            }
            _ => match to.checked_sub(1).map(|i| &b.extras[i]) {
                Some(Extra::Glyphs(r)) if !r.is_empty() => {
                    let g = b.glyphs[r.end - 1];
                    b.char_at(&g).map_or(0.0, right_factor) * f64::from(g.advance)
                }
                _ => 0.0,
            },
        };
        let first = from.map_or(0, |f| f + 1);
        let left = (first..to)
            .find_map(|i| match &b.extras[i] {
                Extra::Glyphs(r) if !r.is_empty() => Some(b.glyphs[r.start]),
                _ => None,
            })
            .map_or(0.0, |g| {
                b.char_at(&g).map_or(0.0, left_factor) * f64::from(g.advance)
            });
        (right, left)
    }

    fn prepared<'t>(
        tools: &'t mut Tools<'static>,
        style: &'t ParaStyle,
        text: &str,
    ) -> Prepared<'t> {
        let mut b = Builder::new(tools, style);
        b.inlines(&[Inline::Text(text.to_string())]);
        b.flush_word();
        b.finish()
    }

    /// The widths found once per item are the widths found for each pair of breaks, for
    /// every pair, on text with quotation marks, dashes, stops and hyphenation points at
    /// either end of its words.
    #[test]
    fn widths_found_once_are_the_widths_of_every_pair_of_breaks() {
        let text = "“Well, Prince—so Genoa and Lucca are now just family estates of the \
                    Buonapartes.” (But I warn you: if you don’t tell me that this means war, \
                    ‘faithful slave,’ as you call yourself!) [Twenty-five] ones—and “more”.";
        let mut tools = crate::typeset::testing::tools(&[]);
        let style = ParaStyle::justified(10.5, 327.6, true);
        let p = prepared(&mut tools, &style, text);
        let w = LineWidths::new(&p);
        let n = p.items.len();
        let (mut rights, mut lefts) = (0, 0);
        for to in 0..n {
            for from in std::iter::once(None).chain((0..to).map(Some)) {
                let (right, left) = direct(&p, from, to);
                rights += usize::from(right > 0.0);
                lefts += usize::from(left > 0.0);
                for line in [0, 1] {
                    let base = 327.6 - if line > 0 { style.hang } else { 0.0 };
                    assert_eq!(
                        w.width(line, from, to),
                        base + (right + left),
                        "{from:?} to {to}"
                    );
                }
            }
        }
        // The text has characters that hang at either end.
        assert!(rights > n && lefts > n, "{rights} {lefts} of {n} items");
    }

    /// Without hanging punctuation a line is the measure (less the hang after the first).
    #[test]
    fn without_protrusion_a_line_is_the_measure() {
        let mut tools = crate::typeset::testing::tools(&[]);
        let mut style = ParaStyle::justified(10.5, 300.0, false);
        style.hang = 12.0;
        let p = prepared(&mut tools, &style, "“Quoted,” she said.");
        let w = LineWidths::new(&p);
        let last = p.items.len() - 1;
        assert_eq!(w.width(0, None, last), 300.0);
        assert_eq!(w.width(1, Some(0), last), 288.0);
    }
}
