//! One paragraph: inlines → shaped glyphs and a box/glue/penalty list (words, interword
//! glue, hyphenation points) → Knuth–Plass breaks → lines of positioned glyph runs.

use std::ops::Range;

use super::fonts::FontBook;
use super::hyphenate::Hyphenator;
use super::linebreak::{self, INFINITY, Item, Params};
use super::remarks::{Remark, Sink};
use super::shape::{Shaper, UGlyph};
use crate::display::{Em, FaceId, Run, RunGlyph};
use crate::fonts::Style;
use crate::model::{HitId, Inline, LinkTarget, NoteId, Pos};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Align {
    Justify,
    Left,
    Center,
    Right,
}

/// How a paragraph is set.
#[derive(Debug, Clone)]
pub(crate) struct ParaStyle {
    pub size: f64,
    /// Width of the lines.
    pub measure: f64,
    /// Indent of the first line.
    pub indent: f64,
    /// Indent of every line after the first (index entries, contents lines).
    pub hang: f64,
    pub align: Align,
    pub base: Style,
    pub hyphenate: bool,
    /// Hanging punctuation in the margins.
    pub protrusion: bool,
}

impl ParaStyle {
    /// Unhyphenated text with no indents and no hanging punctuation: headings, running
    /// heads, contents and index lines, covers.
    pub fn plain(size: f64, measure: f64, align: Align, base: Style) -> ParaStyle {
        ParaStyle {
            size,
            measure,
            indent: 0.0,
            hang: 0.0,
            align,
            base,
            hyphenate: false,
            protrusion: false,
        }
    }
}

/// Shared tools for setting paragraphs (one per thread).
pub(crate) struct Tools<'a> {
    pub fonts: &'a FontBook,
    pub shaper: Shaper,
    pub hyph: Hyphenator,
    /// Where warnings go (characters no font has, overlong words, …).
    pub sink: Sink,
    /// Where the text being set comes from, for messages.
    pub context: Option<Pos>,
    /// Printed numbers of the book's footnotes, by note id.
    pub note_numbers: &'a [u32],
}

impl<'a> Tools<'a> {
    /// Tools for setting text in `language` with these fonts and hyphenation.
    pub fn new(
        fonts: &'a FontBook,
        language: &str,
        hyph: Hyphenator,
        note_numbers: &'a [u32],
    ) -> Tools<'a> {
        Tools {
            fonts,
            shaper: Shaper::new(language),
            hyph,
            sink: Sink::default(),
            context: None,
            note_numbers,
        }
    }

    /// Tools that never hyphenate, for text set outside the book's paragraphs (covers).
    pub fn unhyphenated(fonts: &'a FontBook, language: &str) -> Tools<'a> {
        Tools::new(fonts, language, Hyphenator::none(), &[])
    }
}

/// A glyph placed in a paragraph, before line breaking. Lengths in points.
#[derive(Debug, Clone, Copy)]
struct PGlyph {
    face: FaceId,
    size: f32,
    /// Baseline shift (negative is up), for note references set without superior figures.
    rise: f32,
    id: u16,
    advance: f32,
    x_offset: f32,
    y_offset: f32,
    /// Byte offset of the glyph's cluster in the paragraph text.
    cluster: u32,
    /// 1-based index into the paragraph's links, 0 for none.
    link: u16,
}

/// A set line. x = 0 is the left edge of the paragraph's measure.
#[derive(Debug, Clone, Default)]
pub(crate) struct Line {
    pub runs: Vec<Run>,
    /// Link areas: x from, x to, target.
    pub links: Vec<(f32, f32, LinkTarget)>,
    pub hits: Vec<HitId>,
    pub notes: Vec<NoteId>,
    /// The flat text offset (see `model::FlowPoint`) where the line starts.
    pub start: u32,
    /// Width of the line's content (after justification).
    pub width: f32,
}

/// What follows each item of the horizontal list, for building lines.
#[derive(Debug, Clone)]
enum Extra {
    /// A box: its glyphs.
    Glyphs(Range<usize>),
    /// Interword glue: the space glyph to draw (if the face has one) and its text offset.
    Space(Option<PGlyph>),
    /// A discretionary hyphen: the hyphen glyph to add when broken here.
    Hyphen(Option<PGlyph>),
    Nothing,
}

/// A piece of a word: text in one style.
struct Part {
    text: Range<usize>,
    style: Style,
    link: u16,
    note: bool,
}

struct Builder<'t, 'a> {
    tools: &'t mut Tools<'a>,
    style: &'t ParaStyle,
    text: String,
    glyphs: Vec<PGlyph>,
    items: Vec<Item>,
    extras: Vec<Extra>,
    /// Marks that fall before glyph index: (glyph index, what).
    marks: Vec<(usize, Mark)>,
    links: Vec<LinkTarget>,
    /// (paragraph text offset, flat offset) at every place the two drift apart.
    flat: Vec<(u32, u32)>,
    flat_pos: u32,
    word: Vec<Part>,
    /// Style stack state.
    bold: u32,
    italic: u32,
    link: u16,
    /// At the start of a line (paragraph start or after a hard break): spaces are fixed.
    line_start: bool,
}

#[derive(Debug, Clone)]
enum Mark {
    Hit(HitId),
    Note(NoteId),
}

/// Sets a paragraph into lines.
pub(crate) fn layout(inlines: &[Inline], style: &ParaStyle, tools: &mut Tools<'_>) -> Vec<Line> {
    let mut b = Builder {
        tools,
        style,
        text: String::new(),
        glyphs: Vec::new(),
        items: Vec::new(),
        extras: Vec::new(),
        marks: Vec::new(),
        links: Vec::new(),
        flat: vec![(0, 0)],
        flat_pos: 0,
        word: Vec::new(),
        bold: u32::from(style.base.is_bold()),
        italic: u32::from(style.base.is_italic()),
        link: 0,
        line_start: true,
    };
    if style.indent > 0.0 {
        b.items.push(Item::Box {
            width: style.indent,
            stretch: 0.0,
            shrink: 0.0,
        });
        b.extras.push(Extra::Nothing);
    }
    b.inlines(inlines);
    b.flush_word();
    b.finish()
}

/// Sets plain text (headings, running heads, contents lines).
pub(crate) fn layout_text(text: &str, style: &ParaStyle, tools: &mut Tools<'_>) -> Vec<Line> {
    layout(&[Inline::Text(text.to_string())], style, tools)
}

impl Builder<'_, '_> {
    fn cur_style(&self) -> Style {
        Style::new(self.bold > 0, self.italic % 2 == 1)
    }

    fn inlines(&mut self, inlines: &[Inline]) {
        for i in inlines {
            match i {
                Inline::Text(t) => self.text_run(t),
                Inline::Emph(c) => {
                    self.italic += 1;
                    self.inlines(c);
                    self.italic -= 1;
                }
                Inline::Strong(c) => {
                    self.bold += 1;
                    self.inlines(c);
                    self.bold -= 1;
                }
                Inline::Strike(c) => self.inlines(c),
                Inline::Code(t) => {
                    self.text_run(t);
                    self.flat_adjust(t.len() as u32, 1);
                }
                Inline::Link(l) => {
                    let saved = self.link;
                    self.links.push(l.target.clone());
                    self.link = self.links.len() as u16;
                    self.inlines(&l.content);
                    self.link = saved;
                }
                Inline::NoteRef(n) => {
                    self.marks.push((self.glyphs.len(), Mark::Note(*n)));
                    let num = self.tools_note_number(*n);
                    let start = self.text.len();
                    self.text.push_str(&num);
                    self.word.push(Part {
                        text: start..self.text.len(),
                        style: self.cur_style(),
                        link: self.link,
                        note: true,
                    });
                    self.flat_adjust(num.len() as u32, 1);
                }
                Inline::LineBreak => {
                    self.flush_word();
                    // \hfil\break: the line ends here, ragged.
                    self.items.push(Item::Penalty {
                        width: 0.0,
                        penalty: INFINITY,
                        flagged: false,
                    });
                    self.extras.push(Extra::Nothing);
                    self.items.push(Item::Glue {
                        width: 0.0,
                        stretch: 1e6,
                        shrink: 0.0,
                    });
                    self.extras.push(Extra::Nothing);
                    self.items.push(Item::Penalty {
                        width: 0.0,
                        penalty: -INFINITY,
                        flagged: false,
                    });
                    self.extras.push(Extra::Nothing);
                    self.text.push('\n');
                    self.flat_adjust(1, 1);
                    self.line_start = true;
                }
                Inline::Html(_) => self.flat_adjust(0, 1),
                Inline::IndexHit(h) => self.marks.push((self.glyphs.len(), Mark::Hit(*h))),
                Inline::Image(_, alt) => {
                    // A picture inside running text is not set in print; its text stands in.
                    self.text_run(alt);
                    self.flat_adjust(alt.len() as u32, 1);
                }
            }
        }
    }

    fn tools_note_number(&self, n: NoteId) -> String {
        self.tools
            .note_numbers
            .get(n as usize)
            .copied()
            .unwrap_or(0)
            .to_string()
    }

    /// Records that `produced` bytes of paragraph text stand for `consumed` flat bytes.
    fn flat_adjust(&mut self, produced: u32, consumed: u32) {
        // The text was already pushed: the flat position advances by `consumed` where the
        // paragraph text advanced by `produced`.
        self.flat_pos += consumed;
        if produced != consumed {
            self.flat.push((self.text.len() as u32, self.flat_pos));
        }
    }

    fn text_run(&mut self, t: &str) {
        for c in t.chars() {
            match c {
                ' ' | '\n' | '\t' | '\u{2003}' | '\u{2002}' | '\u{2009}' | '\u{205f}'
                | '\u{3000}' => {
                    self.flush_word();
                    if self.line_start {
                        // Spaces at the start of a line are dropped, as everywhere in print.
                        self.text.push(' ');
                    } else {
                        self.space(false);
                    }
                }
                '\u{a0}' | '\u{202f}' if !self.line_start => {
                    self.flush_word();
                    self.space(true);
                }
                c => {
                    let style = self.cur_style();
                    let link = self.link;
                    match self.word.last_mut() {
                        Some(p)
                            if p.style == style
                                && p.link == link
                                && !p.note
                                && p.text.end == self.text.len() =>
                        {
                            self.text.push(c);
                            p.text.end = self.text.len();
                        }
                        _ => {
                            let start = self.text.len();
                            self.text.push(c);
                            self.word.push(Part {
                                text: start..self.text.len(),
                                style,
                                link,
                                note: false,
                            });
                        }
                    }
                }
            }
            self.flat_pos += c.len_utf8() as u32;
        }
    }

    /// Interword glue. A no-break space is glue that cannot be broken.
    fn space(&mut self, nobreak: bool) {
        let style = self.cur_style();
        let face = self.tools.fonts.primary(style);
        let size = self.style.size;
        let offset = self.text.len() as u32;
        self.text.push(' ');
        let sp = self.tools.shaper.shape(self.tools.fonts, face, " ");
        let upem = self.tools.fonts.face(face).upem;
        let width = sp
            .first()
            .map_or(0.25 * size, |g| f64::from(g.advance) / upem * size);
        let glyph = sp.first().map(|g| PGlyph {
            face,
            size: size as f32,
            rise: 0.0,
            id: g.id,
            advance: width as f32,
            x_offset: 0.0,
            y_offset: 0.0,
            cluster: offset,
            link: self.link,
        });
        if nobreak {
            self.items.push(Item::Penalty {
                width: 0.0,
                penalty: INFINITY,
                flagged: false,
            });
            self.extras.push(Extra::Nothing);
        }
        let (stretch, shrink) = match self.style.align {
            Align::Justify => (width * STRETCH, width * SHRINK),
            _ => (0.0, 0.0),
        };
        self.items.push(Item::Glue {
            width,
            stretch,
            shrink,
        });
        self.extras.push(Extra::Space(glyph));
    }

    /// Shapes the word collected so far and emits its boxes and hyphenation penalties.
    fn flush_word(&mut self) {
        if self.word.is_empty() {
            return;
        }
        let parts = std::mem::take(&mut self.word);
        self.line_start = false;
        let word_start = parts[0].text.start;
        let word_end = parts.last().map_or(word_start, |p| p.text.end);
        let word = self.text[word_start..word_end].to_string();

        // Where the word may break: hyphenation points (with a hyphen) and after explicit
        // hyphens and dashes (without one). Offsets are into the paragraph text.
        let mut breaks: Vec<(usize, bool)> = Vec::new();
        let soft: Vec<usize> = word
            .match_indices('\u{ad}')
            .map(|(i, _)| word_start + i + 2)
            .collect();
        if !soft.is_empty() {
            breaks.extend(soft.iter().map(|b| (*b, true)));
        } else if self.style.hyphenate {
            for (start, letters) in letter_runs(&word) {
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
        let first_glyph = self.glyphs.len();
        for p in &parts {
            self.shape_part(p);
        }
        let glyph_end = self.glyphs.len();

        // Boxes between break points; a break inside a ligature is dropped.
        let mut seg_start = first_glyph;
        let mut bi = 0;
        let mut g = first_glyph;
        while g <= glyph_end {
            let cluster = if g < glyph_end {
                self.glyphs[g].cluster as usize
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
    }

    fn push_box(&mut self, glyphs: Range<usize>) {
        let width: f64 = self.glyphs[glyphs.clone()]
            .iter()
            .map(|g| f64::from(g.advance))
            .sum();
        if width > self.style.measure {
            self.split_overlong(glyphs);
            return;
        }
        let (stretch, shrink) = self.letter_spacing(glyphs.len());
        self.items.push(Item::Box {
            width,
            stretch,
            shrink,
        });
        self.extras.push(Extra::Glyphs(glyphs));
    }

    /// A word wider than the line (a URL, say) is broken between letters.
    fn split_overlong(&mut self, glyphs: Range<usize>) {
        let text: String = {
            let a = self.glyphs[glyphs.start].cluster as usize;
            let b = self
                .glyphs
                .get(glyphs.end)
                .map_or(self.text.len(), |g| g.cluster as usize)
                .min(self.text.len());
            self.text.get(a..b).unwrap_or("").to_string()
        };
        self.tools.sink.warn(Remark::Overlong {
            word: text,
            at: self.tools.context,
        });
        let mut start = glyphs.start;
        let mut width = 0.0;
        for g in glyphs.clone() {
            let w = f64::from(self.glyphs[g].advance);
            if width + w > self.style.measure * 0.95 && g > start {
                self.items.push(Item::Box {
                    width,
                    stretch: 0.0,
                    shrink: 0.0,
                });
                self.extras.push(Extra::Glyphs(start..g));
                self.items.push(Item::Penalty {
                    width: 0.0,
                    penalty: 0.0,
                    flagged: false,
                });
                self.extras.push(Extra::Nothing);
                start = g;
                width = 0.0;
            }
            width += w;
        }
        self.items.push(Item::Box {
            width,
            stretch: 0.0,
            shrink: 0.0,
        });
        self.extras.push(Extra::Glyphs(start..glyphs.end));
    }

    /// Letter-spacing stretch and shrink of a box of `glyphs` glyphs: the space between its
    /// letters may open or close by a hair, only in justified text.
    fn letter_spacing(&self, glyphs: usize) -> (f64, f64) {
        if self.style.align != Align::Justify || glyphs < 2 {
            return (0.0, 0.0);
        }
        let gaps = (glyphs - 1) as f64;
        (
            gaps * LETTER_STRETCH * self.style.size,
            gaps * LETTER_SHRINK * self.style.size,
        )
    }

    /// A break after glyph `last`: with a hyphen (discretionary) or without (after a dash).
    fn push_break(&mut self, last: usize, hyphen: bool) {
        if hyphen {
            let g = self.glyphs[last];
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
            self.items.push(Item::Penalty {
                width,
                penalty: HYPHEN_PENALTY,
                flagged: true,
            });
            self.extras.push(Extra::Hyphen(glyph));
        } else {
            self.items.push(Item::Penalty {
                width: 0.0,
                penalty: EXPLICIT_PENALTY,
                flagged: true,
            });
            self.extras.push(Extra::Nothing);
        }
    }

    fn shape_part(&mut self, p: &Part) {
        let size = self.style.size as f32;
        let text = self.text[p.text.clone()].to_string();
        // Split into runs by the face that has each character; a character no face has is
        // drawn from a substitute when there is a usual one (⸺ as two em dashes).
        let mut runs: Vec<(FaceId, Range<usize>, Option<&'static str>)> = Vec::new();
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
        for (face, r, sub) in runs {
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
                self.glyphs.push(g);
            }
        }
    }

    fn finish(mut self) -> Vec<Line> {
        // \parfillskip and the final forced break. A paragraph with nothing in it is one
        // empty line.
        self.items.push(Item::Penalty {
            width: 0.0,
            penalty: INFINITY,
            flagged: false,
        });
        self.extras.push(Extra::Nothing);
        let fill = if self.style.align == Align::Justify {
            1e6
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

        let widths = LineWidths { b: &self };
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
            ragged_breaks(&self.items, &widths)
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
        lines
    }

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
        // Collect glyphs with their widths.
        let mut placed: Vec<PGlyph> = Vec::new();
        let mut x0 = if li > 0 { self.style.hang } else { 0.0 };
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
                    let extra = if ratio >= 0.0 {
                        ratio * stretch
                    } else {
                        ratio * shrink
                    };
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
                    let w = if ratio >= 0.0 {
                        width + ratio * stretch
                    } else {
                        width + ratio * shrink
                    };
                    if *stretch >= 1e5 {
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
        let natural: f64 = placed.iter().map(|g| f64::from(g.advance)).sum();
        let avail = self.style.measure - x0;
        // Hanging punctuation: the line's first and last characters may stand out.
        let (left_out, right_out) = if self.style.protrusion && !placed.is_empty() {
            (
                self.protrusion_left(&placed),
                self.protrusion_right(&placed),
            )
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

        // Marks (index hits, note references) on this line.
        let first_glyph = self.first_glyph_index(start, end);
        let last_glyph = self.last_glyph_index(start, end);
        let mut line = Line {
            width: natural as f32,
            ..Default::default()
        };
        while *mark_i < self.marks.len() && self.marks[*mark_i].0 < last_glyph.max(first_glyph) {
            match &self.marks[*mark_i].1 {
                Mark::Hit(h) => line.hits.push(*h),
                Mark::Note(n) => line.notes.push(*n),
            }
            *mark_i += 1;
        }
        if last {
            while *mark_i < self.marks.len() {
                match &self.marks[*mark_i].1 {
                    Mark::Hit(h) => line.hits.push(*h),
                    Mark::Note(n) => line.notes.push(*n),
                }
                *mark_i += 1;
            }
        }
        let start_text = placed
            .iter()
            .find(|g| g.cluster != u32::MAX)
            .map_or(self.text.len() as u32, |g| g.cluster);
        line.start = self.flat_of(start_text);
        line.runs = self.runs(&placed, x as f32);
        // Link areas.
        let mut cx = x as f32;
        let mut open: Option<(u16, f32)> = None;
        for g in &placed {
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
        line
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

    fn char_at(&self, g: &PGlyph) -> Option<char> {
        if g.cluster == u32::MAX {
            return Some('-');
        }
        self.text
            .get(g.cluster as usize..)
            .and_then(|s| s.chars().next())
    }

    fn protrusion_right(&self, placed: &[PGlyph]) -> f64 {
        let Some(g) = placed.iter().rev().find(|g| self.char_at(g) != Some(' ')) else {
            return 0.0;
        };
        let f = self.char_at(g).map_or(0.0, right_factor);
        f * f64::from(g.advance)
    }

    fn protrusion_left(&self, placed: &[PGlyph]) -> f64 {
        let g = &placed[0];
        let f = self.char_at(g).map_or(0.0, left_factor);
        f * f64::from(g.advance)
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
            let mut glyphs = Vec::with_capacity(group.len());
            let size = g0.size;
            let (mut exact, mut placed_units) = (0.0f64, 0.0f64);
            for (k, g) in group.iter().enumerate() {
                let range = if g.cluster == u32::MAX {
                    let s = text.len() as u32;
                    text.push('-');
                    s..s + 1
                } else {
                    let s = g.cluster as usize - t0;
                    let e = group[k + 1..]
                        .iter()
                        .find(|n| n.cluster != u32::MAX && n.cluster > g.cluster)
                        .map_or(t1 - t0, |n| n.cluster as usize - t0);
                    s as u32..e.max(s) as u32
                };
                // Advances in whole thousandths of an em (the PDF's text space unit), the
                // rounding carried to the next glyph so the line still ends where it should:
                // the PDF then positions glyphs with short integers instead of long decimals.
                exact += f64::from(g.advance) / f64::from(size) * 1000.0;
                let q = exact.round() - placed_units;
                placed_units += q;
                glyphs.push(RunGlyph {
                    id: g.id,
                    advance: Em((q / 1000.0) as f32),
                    x_offset: Em(g.x_offset / size),
                    y_offset: Em(g.y_offset / size),
                    range,
                });
            }
            let width: f32 = group.iter().map(|g| g.advance).sum();
            runs.push(Run {
                face: g0.face,
                size,
                x,
                rise: g0.rise,
                glyphs,
                text,
            });
            x += width;
            i = j;
        }
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
fn letter_runs(word: &str) -> Vec<(usize, &str)> {
    let mut out = Vec::new();
    let mut start: Option<usize> = None;
    for (i, c) in word.char_indices() {
        let letter = c.is_alphabetic() || (start.is_some() && matches!(c, '\u{300}'..='\u{36f}'));
        match (letter, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push((s, &word[s..i]));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push((s, &word[s..]));
    }
    out
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

/// Interword glue stretch and shrink as fractions of the space width.
const STRETCH: f64 = 0.5;
const SHRINK: f64 = 0.33;
/// Letter spacing, in em per gap between letters: at most ±half a percent of an em, well
/// below what a reader sees, but on a line of sixty letters it evens out the word spaces.
const LETTER_STRETCH: f64 = 0.005;
const LETTER_SHRINK: f64 = 0.003;
/// \hyphenpenalty and \exhyphenpenalty.
const HYPHEN_PENALTY: f64 = 50.0;
const EXPLICIT_PENALTY: f64 = 50.0;

struct LineWidths<'b, 't, 'a> {
    b: &'b Builder<'t, 'a>,
}

impl linebreak::Widths for LineWidths<'_, '_, '_> {
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

/// Greedy breaks for ragged text: as many words as fit on each line.
fn ragged_breaks(items: &[Item], widths: &impl linebreak::Widths) -> Vec<linebreak::Break> {
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
                    breaks.push(linebreak::Break { at: i, ratio: 0.0 });
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
            breaks.push(linebreak::Break { at: b, ratio: 0.0 });
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
    use crate::model::Hyphenation;
    use std::sync::OnceLock;

    fn fonts() -> &'static FontBook {
        static F: OnceLock<FontBook> = OnceLock::new();
        F.get_or_init(|| {
            FontBook::load(
                std::path::Path::new("/nonexistent"),
                crate::fonts::DEFAULT_FAMILY,
                &[],
            )
            .unwrap()
        })
    }

    fn tools(lang: &str) -> Tools<'static> {
        let h = Hyphenation {
            enabled: true,
            left_min: 2,
            right_min: 3,
            min_word: 5,
            exceptions: vec![],
        };
        Tools::new(fonts(), lang, Hyphenator::new(lang, &h), &[])
    }

    fn style(measure: f64) -> ParaStyle {
        ParaStyle {
            size: 10.5,
            measure,
            indent: 0.0,
            hang: 0.0,
            align: Align::Justify,
            base: Style::Regular,
            hyphenate: true,
            protrusion: true,
        }
    }

    fn line_text(l: &Line) -> String {
        l.runs
            .iter()
            .map(|r| r.text.as_str())
            .collect::<String>()
            .trim()
            .to_string()
    }

    fn right_end(l: &Line) -> f32 {
        l.runs.last().map_or(0.0, |r| r.x + r.width())
    }

    /// The opening paragraph of War and Peace at the corpus measure (6×9in, 0.85in and 0.6in
    /// margins). A change here is a change in how the book is set: look at it before updating.
    #[test]
    fn golden_war_and_peace_opening() {
        let text = "“Well, Prince, so Genoa and Lucca are now just family estates of the Buonapartes. But I warn you, if you don’t tell me that this means war, if you still try to defend the infamies and horrors perpetrated by that Antichrist—I really believe he is Antichrist—I will have nothing more to do with you and you are no longer my friend, no longer my ‘faithful slave,’ as you call yourself! But how do you do? I see I have frightened you—sit down and tell me all the news.”";
        let mut t = tools("en-US");
        let lines = layout_text(text, &style(327.6), &mut t);
        let got: Vec<String> = lines.iter().map(line_text).collect();
        let want = [
            "“Well, Prince, so Genoa and Lucca are now just family estates of the Buona-",
            "partes. But I warn you, if you don’t tell me that this means war, if you still try",
            "to defend the infamies and horrors perpetrated by that Antichrist—I really",
            "believe he is Antichrist—I will have nothing more to do with you and you",
            "are no longer my friend, no longer my ‘faithful slave,’ as you call yourself!",
            "But how do you do? I see I have frightened you—sit down and tell me all the",
            "news.”",
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn golden_mongolian_summary_point() {
        let text = "The seizure of Halhin-sum situated in the northeastern part of Mongolia by Japanese-Manchukuoan forces in January 1935 was considered as the first evidence of active Japanese military actions toward the MPR.";
        let mut t = tools("en");
        let lines = layout_text(text, &style(340.0), &mut t);
        let got: Vec<String> = lines.iter().map(line_text).collect();
        let want = [
            "The seizure of Halhin-sum situated in the northeastern part of Mongolia by",
            "Japanese-Manchukuoan forces in January 1935 was considered as the first evi-",
            "dence of active Japanese military actions toward the MPR.",
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn notes_links_and_hits_land_on_their_lines() {
        let inlines = vec![
            Inline::Text("A short line ".into()),
            Inline::IndexHit(7),
            Inline::Text("Genden".into()),
            Inline::NoteRef(0),
            Inline::Text(" and more words to fill two lines of a narrow measure here.".into()),
        ];
        let mut t = tools("en");
        t.note_numbers = &[3];
        let lines = layout(&inlines, &style(120.0), &mut t);
        assert!(lines.len() >= 2);
        assert_eq!(lines[0].hits, vec![7]);
        assert_eq!(lines[0].notes, vec![0]);
        assert!(line_text(&lines[0]).contains("Genden3"));
    }

    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Every line fits its measure (hanging punctuation aside), and the words come out as
        /// they went in, once hyphens at line ends are undone.
        #[test]
        fn lines_fit_and_text_survives(
            words in prop::collection::vec("[a-z]{1,14}[,.;]?", 1..120),
            long in prop::option::of("[a-z]{40,60}"),
            measure in 90.0f64..420.0,
        ) {
            let mut words = words;
            if let Some(l) = long { words.insert(words.len() / 2, l); }
            let text = words.join(" ");
            let mut t = tools("en-US");
            let st = style(measure);
            let lines = layout_text(&text, &st, &mut t);
            let mut out = String::new();
            for (i, l) in lines.iter().enumerate() {
                prop_assert!(f64::from(right_end(l)) <= measure + 0.4 * st.size, "line {i} ends at {} > {measure}", right_end(l));
                let s = line_text(l);
                if !out.is_empty() && !out.ends_with('\u{0}') { out.push(' '); }
                out = out.trim_end_matches('\u{0}').to_string();
                match s.strip_suffix('-') {
                    Some(head) => { out.push_str(head); out.push('\u{0}'); }
                    None => out.push_str(&s),
                }
            }
            let out = out.replace('\u{0}', "");
            let norm = |s: &str| s.split_whitespace().collect::<String>();
            prop_assert_eq!(norm(&out), norm(&text));
        }
    }
}
