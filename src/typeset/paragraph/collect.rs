//! Collecting: the paragraph's inlines walked into one text, words gathered in their
//! styles, spaces turned into glue, and the marks (index hits, note references) and links
//! recorded where they fall.

use super::items::Part;
use super::linebreak::{FILL, INFINITY, Item};
use super::{Align, Extra, Mark, PGlyph, ParaStyle, Prepared, SHRINK, STRETCH, Tools};
use crate::fonts::Style;
use crate::model::{Inline, NoteId};

/// Walks a paragraph's inlines and builds its [`Prepared`] form.
pub(super) struct Builder<'t, 'a> {
    pub(super) tools: &'t mut Tools<'a>,
    pub(super) p: Prepared<'t>,
    flat_pos: u32,
    pub(super) word: Vec<Part>,
    /// Room for each word's break points and each part's font runs, used again word after
    /// word instead of allocated for each (a long novel has half a million words).
    pub(super) breaks: Vec<(usize, bool)>,
    pub(super) runs: Vec<(
        crate::display::FaceId,
        std::ops::Range<usize>,
        Option<&'static str>,
    )>,
    /// Style stack state.
    bold: u32,
    italic: u32,
    /// Inside small capitals.
    caps: u32,
    link: u16,
    /// At the start of a line (paragraph start or after a hard break): spaces are fixed.
    pub(super) line_start: bool,
}

impl<'t, 'a> Builder<'t, 'a> {
    pub(super) fn new(tools: &'t mut Tools<'a>, style: &'t ParaStyle) -> Self {
        let mut b = Builder {
            tools,
            p: Prepared {
                style,
                text: String::new(),
                glyphs: Vec::new(),
                items: Vec::new(),
                extras: Vec::new(),
                marks: Vec::new(),
                links: Vec::new(),
                flat: vec![(0, 0)],
            },
            flat_pos: 0,
            word: Vec::new(),
            breaks: Vec::new(),
            runs: Vec::new(),
            bold: u32::from(style.base.is_bold()),
            italic: u32::from(style.base.is_italic()),
            caps: 0,
            link: 0,
            line_start: true,
        };
        if style.indent > 0.0 {
            b.p.items.push(Item::Box {
                width: style.indent,
                stretch: 0.0,
                shrink: 0.0,
            });
            b.p.extras.push(Extra::Nothing);
        }
        b
    }

    /// The paragraph, collected and shaped.
    pub(super) fn finish(self) -> Prepared<'t> {
        self.p
    }
}

impl Builder<'_, '_> {
    fn cur_style(&self) -> Style {
        Style::new(self.bold > 0, self.italic % 2 == 1)
    }

    pub(super) fn inlines(&mut self, inlines: &[Inline]) {
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
                Inline::SmallCaps(c) => {
                    self.caps += 1;
                    self.inlines(c);
                    self.caps -= 1;
                }
                // Resolved by the loader: a loaded book has none.
                Inline::Cite(_) => {}
                Inline::Code(t) => {
                    self.text_run(t);
                    self.flat_adjust(t.len() as u32, 1);
                }
                Inline::Link(l) => {
                    let saved = self.link;
                    // Link numbers are 16 bits: a paragraph with more links than that keeps
                    // the text of the rest, unlinked in print.
                    if let Ok(n) = u16::try_from(self.p.links.len() + 1) {
                        self.p.links.push(l.target.clone());
                        self.link = n;
                    }
                    self.inlines(&l.content);
                    self.link = saved;
                }
                Inline::NoteRef(n) => {
                    self.p.marks.push((self.p.glyphs.len(), Mark::Note(*n)));
                    let mut num = self.tools_note_number(*n);
                    // Two references side by side: "3,4", not "34".
                    if self.word.last().is_some_and(|p| p.note) {
                        num.insert(0, ',');
                    }
                    let start = self.p.text.len();
                    self.p.text.push_str(&num);
                    self.word.push(Part {
                        text: start..self.p.text.len(),
                        style: self.cur_style(),
                        link: self.link,
                        note: true,
                        caps: false,
                    });
                    self.flat_adjust(num.len() as u32, 1);
                }
                Inline::LineBreak => {
                    self.flush_word();
                    // \hfil\break: the line ends here, ragged.
                    self.p.items.push(Item::Penalty {
                        width: 0.0,
                        penalty: INFINITY,
                        flagged: false,
                    });
                    self.p.extras.push(Extra::Nothing);
                    self.p.items.push(Item::Glue {
                        width: 0.0,
                        stretch: FILL,
                        shrink: 0.0,
                    });
                    self.p.extras.push(Extra::Nothing);
                    self.p.items.push(Item::Penalty {
                        width: 0.0,
                        penalty: -INFINITY,
                        flagged: false,
                    });
                    self.p.extras.push(Extra::Nothing);
                    self.p.text.push('\n');
                    self.flat_adjust(1, 1);
                    self.line_start = true;
                }
                Inline::Html(_) => self.flat_adjust(0, 1),
                Inline::IndexHit(h) => self.p.marks.push((self.p.glyphs.len(), Mark::Hit(*h))),
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
            self.p.flat.push((self.p.text.len() as u32, self.flat_pos));
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
                        self.p.text.push(' ');
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
                    let caps = self.caps > 0;
                    match self.word.last_mut() {
                        Some(p)
                            if p.style == style
                                && p.link == link
                                && !p.note
                                && p.caps == caps
                                && p.text.end == self.p.text.len() =>
                        {
                            self.p.text.push(c);
                            p.text.end = self.p.text.len();
                        }
                        _ => {
                            let start = self.p.text.len();
                            self.p.text.push(c);
                            self.word.push(Part {
                                text: start..self.p.text.len(),
                                style,
                                link,
                                note: false,
                                caps,
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
        let size = self.p.style.size;
        let offset = self.p.text.len() as u32;
        self.p.text.push(' ');
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
            self.p.items.push(Item::Penalty {
                width: 0.0,
                penalty: INFINITY,
                flagged: false,
            });
            self.p.extras.push(Extra::Nothing);
        }
        let (stretch, shrink) = match self.p.style.align {
            Align::Justify => (width * STRETCH, width * SHRINK),
            _ => (0.0, 0.0),
        };
        self.p.items.push(Item::Glue {
            width,
            stretch,
            shrink,
        });
        self.p.extras.push(Extra::Space(glyph));
    }
}
