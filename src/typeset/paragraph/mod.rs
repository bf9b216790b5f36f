//! One paragraph, in stages: `collect` walks the inlines into text and words; `items`
//! shapes each word and emits boxes, glue and hyphenation penalties (the horizontal list);
//! `linebreak` chooses the breaks (Knuth–Plass, or greedy for ragged text); `line` builds
//! each line of positioned glyph runs; `protrusion` lets punctuation hang in the margins.

mod collect;
mod items;
mod line;
pub(crate) mod linebreak;
mod protrusion;

use std::ops::Range;

use super::fonts::FontBook;
use super::hyphenate::Hyphenator;
use super::remarks::{Remark, Sink};
use super::shape::Shaper;
use crate::display::{FaceId, Run};
use crate::fonts::Style;
use crate::model::{HitId, Inline, LinkTarget, NoteId, Pos};
use collect::Builder;
use linebreak::Item;

/// How a paragraph's lines are aligned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
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

/// Hashed field by field, the lengths by their bits (the paragraph cache's keys).
impl std::hash::Hash for ParaStyle {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        let ParaStyle {
            size,
            measure,
            indent,
            hang,
            align,
            base,
            hyphenate,
            protrusion,
        } = self;
        for x in [size, measure, indent, hang] {
            x.to_bits().hash(h);
        }
        (align, base, hyphenate, protrusion).hash(h);
    }
}

impl ParaStyle {
    /// Justified, hyphenated body text without indents.
    pub fn justified(size: f64, measure: f64, protrusion: bool) -> ParaStyle {
        ParaStyle {
            size,
            measure,
            indent: 0.0,
            hang: 0.0,
            align: Align::Justify,
            base: Style::Regular,
            hyphenate: true,
            protrusion,
        }
    }

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
    /// Paragraphs set in an earlier build (`watch`), by content.
    pub paragraphs: Option<&'a crate::typeset::cache::ParagraphCache>,
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
            paragraphs: None,
        }
    }

    /// Tools for another thread: the same fonts, language, hyphenation and notes, with their
    /// own caches and an empty sink.
    pub fn fork(&self) -> Tools<'a> {
        Tools {
            fonts: self.fonts,
            shaper: self.shaper.fork(),
            hyph: self.hyph.fork(),
            sink: Sink::default(),
            context: None,
            note_numbers: self.note_numbers,
            paragraphs: self.paragraphs,
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

#[derive(Debug, Clone)]
enum Mark {
    Hit(HitId),
    Note(NoteId),
}

/// A paragraph ready to be broken: its text, shaped glyphs and horizontal list, with what
/// the lines need to find their marks, links and text offsets.
struct Prepared<'t> {
    style: &'t ParaStyle,
    text: String,
    glyphs: Vec<PGlyph>,
    items: Vec<Item>,
    /// What goes with each item when a line is built (parallel to `items`).
    extras: Vec<Extra>,
    /// Marks that fall before glyph index: (glyph index, what).
    marks: Vec<(usize, Mark)>,
    links: Vec<LinkTarget>,
    /// (paragraph text offset, flat offset) at every place the two drift apart.
    flat: Vec<(u32, u32)>,
}

/// Sets a paragraph into lines.
pub(crate) fn layout(inlines: &[Inline], style: &ParaStyle, tools: &mut Tools<'_>) -> Vec<Line> {
    let Some(cache) = tools.paragraphs else {
        return set(inlines, style, tools);
    };
    // The same text in the same style at the same place sets the same lines and remarks.
    let key = cache.key(inlines, style, tools.context, tools.note_numbers);
    if let Some((lines, remarks)) = cache.get(key) {
        for r in remarks {
            tools.sink.warn(r);
        }
        return lines;
    }
    let before = tools.sink.len();
    let lines = set(inlines, style, tools);
    cache.put(key, lines.clone(), tools.sink.since(before));
    lines
}

fn set(inlines: &[Inline], style: &ParaStyle, tools: &mut Tools<'_>) -> Vec<Line> {
    let mut b = Builder::new(tools, style);
    b.inlines(inlines);
    b.flush_word();
    let (lines, overfull) = b.finish().break_lines();
    if overfull {
        tools.sink.warn(Remark::Overfull { at: tools.context });
    }
    lines
}

/// Sets plain text (headings, running heads, contents lines).
pub(crate) fn layout_text(text: &str, style: &ParaStyle, tools: &mut Tools<'_>) -> Vec<Line> {
    layout(&[Inline::Text(text.to_string())], style, tools)
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Hyphenation;

    /// The paragraph cache keys a set paragraph by its style's hash: each field must tell
    /// two styles apart.
    #[test]
    fn a_style_hashes_every_field() {
        fn hash(s: &ParaStyle) -> u64 {
            use std::hash::{Hash as _, Hasher as _};
            let mut h = std::hash::DefaultHasher::new();
            s.hash(&mut h);
            h.finish()
        }
        let s = ParaStyle::justified(10.5, 300.0, true);
        assert_eq!(hash(&s), hash(&s.clone()));
        let changes: [fn(&mut ParaStyle); 8] = [
            |s| s.size = 10.0,
            |s| s.measure = 301.0,
            |s| s.indent = 12.0,
            |s| s.hang = 12.0,
            |s| s.align = Align::Left,
            |s| s.base = Style::Italic,
            |s| s.hyphenate = false,
            |s| s.protrusion = false,
        ];
        for (k, change) in changes.iter().enumerate() {
            let mut t = s.clone();
            change(&mut t);
            assert_ne!(hash(&s), hash(&t), "change {k}");
        }
    }

    fn tools(lang: &str) -> Tools<'static> {
        let mut t = crate::typeset::testing::tools(&[]);
        t.shaper = Shaper::new(lang);
        t.hyph = Hyphenator::new(
            lang,
            &Hyphenation {
                enabled: true,
                left_min: 2,
                right_min: 3,
                min_word: 5,
                exceptions: vec![],
            },
        );
        t
    }

    fn style(measure: f64) -> ParaStyle {
        ParaStyle::justified(10.5, measure, true)
    }

    fn line_text(l: &Line) -> String {
        l.runs
            .iter()
            .map(|r| &*r.text)
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

    #[test]
    fn small_capitals_use_the_fonts_own() {
        let mut t = tools("en");
        let glyphs = |inl: Vec<Inline>, t: &mut Tools<'_>| -> Vec<u16> {
            layout(&inl, &style(300.0), t)[0]
                .runs
                .iter()
                .flat_map(|r| r.glyphs.iter().map(|g| g.id))
                .collect()
        };
        let plain = glyphs(vec![Inline::Text("Knuth".into())], &mut t);
        let caps = glyphs(
            vec![Inline::SmallCaps(vec![Inline::Text("Knuth".into())])],
            &mut t,
        );
        assert_eq!(plain.len(), caps.len());
        // The capital stays, the lower-case letters become small capitals.
        assert_eq!(plain[0], caps[0]);
        assert!(
            plain[1..].iter().zip(&caps[1..]).all(|(a, b)| a != b),
            "{plain:?} {caps:?}"
        );
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
