//! Finds every index match phrase in a text in one pass: Aho-Corasick over a normalised copy
//! of the text (no-break spaces as spaces, curly apostrophes and quotes as straight ones, and
//! lower case for case-insensitive entries), whole words only, longest match first.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::model::IndexEntryId;

/// A phrase found in the text: byte range in the original text, and the entries it counts for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    pub start: usize,
    pub end: usize,
    pub entries: Vec<IndexEntryId>,
}

struct Automaton {
    ac: AhoCorasick,
    /// Pattern index → the entries that phrase belongs to.
    entries: Vec<Vec<IndexEntryId>>,
    fold: bool,
}

pub struct Matcher {
    automata: Vec<Automaton>,
}

/// One entry's phrases, for building a matcher.
pub struct Phrases<'a> {
    pub entry: IndexEntryId,
    pub phrases: &'a [String],
    pub case_insensitive: bool,
}

impl Matcher {
    pub fn new<'a>(all: impl IntoIterator<Item = Phrases<'a>>) -> Matcher {
        let mut exact: Vec<(String, Vec<IndexEntryId>)> = Vec::new();
        let mut folded: Vec<(String, Vec<IndexEntryId>)> = Vec::new();
        let add = |list: &mut Vec<(String, Vec<IndexEntryId>)>, p: String, e: IndexEntryId| {
            if p.trim().is_empty() {
                return;
            }
            match list.iter_mut().find(|(q, _)| *q == p) {
                Some((_, es)) => {
                    if !es.contains(&e) {
                        es.push(e)
                    }
                }
                None => list.push((p, vec![e])),
            }
        };
        for ph in all {
            for p in ph.phrases {
                if ph.case_insensitive {
                    add(&mut folded, normalise(p, true).0, ph.entry);
                } else {
                    add(&mut exact, normalise(p, false).0, ph.entry);
                }
            }
        }
        let mut automata = Vec::new();
        for (list, fold) in [(exact, false), (folded, true)] {
            if list.is_empty() {
                continue;
            }
            // Building fails only past the automaton's size limits, which index.toml's file
            // size limit keeps far out of reach.
            // A DFA: more memory than the default, but the whole book is searched with it.
            let Ok(ac) = AhoCorasickBuilder::new()
                .match_kind(MatchKind::Standard)
                .kind(Some(aho_corasick::AhoCorasickKind::DFA))
                .build(list.iter().map(|(p, _)| p.as_str()))
            else {
                continue;
            };
            automata.push(Automaton {
                ac,
                entries: list.into_iter().map(|(_, e)| e).collect(),
                fold,
            });
        }
        Matcher { automata }
    }

    pub fn is_empty(&self) -> bool {
        self.automata.is_empty()
    }

    /// Every whole-word occurrence, leftmost first; where phrases overlap the longest wins.
    pub fn find(&self, text: &str) -> Vec<Found> {
        let mut cands: Vec<(usize, usize, usize, usize)> = Vec::new(); // start, end, automaton, pattern
        for (ai, a) in self.automata.iter().enumerate() {
            let (norm, map) = normalise(text, a.fold);
            for m in a.ac.find_overlapping_iter(&norm) {
                let start = map.to_original(m.start());
                let end = map.to_original(m.end());
                if is_word_boundary(text, start) && is_word_boundary_after(text, end) {
                    cands.push((start, end, ai, m.pattern().as_usize()));
                }
            }
        }
        cands.sort_by(|a, b| {
            a.0.cmp(&b.0)
                .then(b.1.cmp(&a.1))
                .then(a.2.cmp(&b.2))
                .then(a.3.cmp(&b.3))
        });
        let mut out: Vec<Found> = Vec::new();
        let mut last_end = 0;
        for (start, end, ai, pi) in cands {
            if let Some(prev) = out.last_mut()
                && prev.start == start
                && prev.end == end
            {
                // The same span matched by an exact and a folded phrase: both entries count.
                for e in &self.automata[ai].entries[pi] {
                    if !prev.entries.contains(e) {
                        prev.entries.push(*e);
                    }
                }
                continue;
            }
            if start < last_end {
                continue;
            }
            last_end = end;
            out.push(Found {
                start,
                end,
                entries: self.automata[ai].entries[pi].clone(),
            });
        }
        out
    }
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '\u{300}'..='\u{36f}')
}

fn is_word_boundary(text: &str, at: usize) -> bool {
    !text[..at].chars().next_back().is_some_and(is_word_char)
}

fn is_word_boundary_after(text: &str, at: usize) -> bool {
    !text[at..].chars().next().is_some_and(is_word_char)
}

/// Maps offsets in a normalised text back to the original.
pub struct OffsetMap {
    /// (normalised offset, original offset) at every point where the two drift apart.
    points: Vec<(usize, usize)>,
}

impl OffsetMap {
    pub fn to_original(&self, n: usize) -> usize {
        let k = self.points.partition_point(|(p, _)| *p <= n);
        if k == 0 {
            return n;
        }
        let (p, o) = self.points[k - 1];
        o + (n - p)
    }
}

/// What each ASCII byte becomes: a newline or tab a space.
const ASCII: [u8; 128] = ascii_table(false);
/// The same, capitals in lower case.
const ASCII_FOLDED: [u8; 128] = ascii_table(true);

const fn ascii_table(fold: bool) -> [u8; 128] {
    let mut t = [0u8; 128];
    let mut c = 0;
    while c < 128 {
        let b = c as u8;
        t[c] = match b {
            b'\n' | b'\t' => b' ',
            _ if fold => b.to_ascii_lowercase(),
            _ => b,
        };
        c += 1;
    }
    t
}

/// Spaces of every kind become ' ', curly quotes straight ones; with `fold`, lower case.
pub fn normalise(s: &str, fold: bool) -> (String, OffsetMap) {
    let mut out: Vec<u8> = Vec::with_capacity(s.len());
    let mut points = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    let table = if fold { &ASCII_FOLDED } else { &ASCII };
    while i < b.len() {
        // Most of a book's text is ASCII: one byte in, one byte out, no offset to record,
        // a whole run at a time.
        let run = b[i..]
            .iter()
            .position(|c| !c.is_ascii())
            .map_or(b.len(), |k| i + k);
        out.extend(b[i..run].iter().map(|&c| table[c as usize]));
        i = run;
        if i == b.len() {
            break;
        }
        let c = s[i..].chars().next().unwrap_or('\u{fffd}');
        let before = out.len();
        let mut buf = [0u8; 4];
        match c {
            '\u{a0}' | '\u{202f}' | '\u{2009}' | '\u{200a}' | '\u{2007}' => out.push(b' '),
            '’' | '‘' | 'ʼ' => out.push(b'\''),
            '“' | '”' => out.push(b'"'),
            '\u{ad}' => {}
            c if fold && !c.is_lowercase() && c.is_alphabetic() => {
                for l in c.to_lowercase() {
                    out.extend_from_slice(l.encode_utf8(&mut buf).as_bytes());
                }
            }
            c => out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes()),
        }
        let produced = out.len() - before;
        if produced != c.len_utf8() {
            points.push((out.len(), i + c.len_utf8()));
        }
        i += c.len_utf8();
    }
    // Only whole characters were written.
    let out = String::from_utf8(out).unwrap_or_default();
    (out, OffsetMap { points })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(entries: &[(u32, &[&str], bool)]) -> Matcher {
        let owned: Vec<(u32, Vec<String>, bool)> = entries
            .iter()
            .map(|(e, p, i)| (*e, p.iter().map(|s| s.to_string()).collect(), *i))
            .collect();
        Matcher::new(owned.iter().map(|(e, p, i)| Phrases {
            entry: *e,
            phrases: p,
            case_insensitive: *i,
        }))
    }

    #[test]
    fn longest_first_and_whole_words() {
        let mm = m(&[
            (0, &["Kwantung"], false),
            (1, &["Kwantung army", "Kuantung army"], false),
        ]);
        let text = "The Kwantung army and the Kuantung army, not Kwantungese; Kwantung alone.";
        let f = mm.find(text);
        let got: Vec<(&str, Vec<u32>)> = f
            .iter()
            .map(|x| (&text[x.start..x.end], x.entries.clone()))
            .collect();
        assert_eq!(
            got,
            vec![
                ("Kwantung army", vec![1]),
                ("Kuantung army", vec![1]),
                ("Kwantung", vec![0])
            ]
        );
    }

    #[test]
    fn nbsp_apostrophes_and_case() {
        let mm = m(&[
            (0, &["Mr. Holmes"], false),
            (1, &["Gentlemen's agreement"], false),
            (2, &["neutrality treaty"], true),
        ]);
        let text = "Mr.\u{a0}Holmes read the Gentlemen’s agreement and the Neutrality Treaty.";
        let f = mm.find(text);
        let got: Vec<&str> = f.iter().map(|x| &text[x.start..x.end]).collect();
        assert_eq!(
            got,
            vec![
                "Mr.\u{a0}Holmes",
                "Gentlemen’s agreement",
                "Neutrality Treaty"
            ]
        );
    }

    #[test]
    fn accented_words_are_whole() {
        let mm = m(&[(0, &["Andréy"], false)]);
        assert!(mm.find("Andréyevich").is_empty());
        assert_eq!(mm.find("Prince Andréy’s").len(), 1);
    }
}
