//! Pandoc's citation syntax, found in a run of text: `[@key]`, `[@key, 45]`,
//! `[see @a, pp. 12–14; @b, chap. 3]`, `[-@key]` (without the author), and narrative `@key`
//! or `@key [45]` in running text. Anything that does not read as a citation is left to be
//! text (an e-mail address, a bracket without a key in each part).

use hayagriva::citationberg::taxonomy::Locator;

/// One work cited: its key and what the author wrote around it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct CiteItem {
    pub key: String,
    /// Byte offset of the key (after the `@`) in the text.
    pub key_at: usize,
    /// Text before the key ("see").
    pub prefix: String,
    /// Where in the work: a locator term and its value ("pp." → Page, "12–14").
    pub locator: Option<(Locator, String)>,
    /// Text after the locator (", and passim").
    pub suffix: String,
    /// `-@key`: the author's name is left out.
    pub suppress_author: bool,
}

/// A citation found: the byte range it covers, whether it is narrative (`@key` in the text
/// rather than in brackets), and its items.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Found {
    pub start: usize,
    pub end: usize,
    pub narrative: bool,
    pub items: Vec<CiteItem>,
}

/// Characters a key may have inside it (pandoc: alphanumerics and `_:.#$%&-+?<>~/`).
fn key_inner(c: char) -> bool {
    c.is_alphanumeric() || "_:.#$%&-+?<>~/".contains(c)
}

/// The key at `at` (just after an `@`): `{any text}` or a run of key characters without
/// trailing punctuation. Returns the key and the offset after it.
fn key(text: &str, at: usize) -> Option<(String, usize)> {
    let rest = &text[at..];
    if let Some(inner) = rest.strip_prefix('{') {
        let end = inner.find('}')?;
        let k = inner[..end].trim();
        return (!k.is_empty()).then(|| (k.to_string(), at + 1 + end + 1));
    }
    let first = rest.chars().next()?;
    if !(first.is_alphanumeric() || first == '_') {
        return None;
    }
    let mut end = 0;
    for (i, c) in rest.char_indices() {
        if key_inner(c) {
            end = i + c.len_utf8();
        } else {
            break;
        }
    }
    // Punctuation at the end belongs to the sentence, not the key.
    let k = rest[..end].trim_end_matches(|c: char| !(c.is_alphanumeric() || c == '_'));
    Some((k.to_string(), at + k.len()))
}

/// A bracketed citation starting at the `[` at `at`.
pub(crate) fn bracketed(text: &str, at: usize) -> Option<Found> {
    let body_start = at + 1;
    let close = text[body_start..].find(']')? + body_start;
    let body = &text[body_start..close];
    if body.contains('[') || !body.contains('@') || body.len() > 2000 {
        return None;
    }
    let mut items = Vec::new();
    let mut part_start = body_start;
    for part in body.split(';') {
        items.push(item(text, part_start, part)?);
        part_start += part.len() + 1;
    }
    Some(Found {
        start: at,
        end: close + 1,
        narrative: false,
        items,
    })
}

/// One `;`-separated part of a bracketed citation: `prefix -@key, locator suffix`.
fn item(text: &str, part_at: usize, part: &str) -> Option<CiteItem> {
    // The key's `@` is the first one at the start of a word.
    let mut at = None;
    for (i, c) in part.char_indices() {
        if c == '@' {
            let before = part[..i].chars().next_back();
            if before.is_none_or(|b| b.is_whitespace() || b == '-') {
                at = Some(i);
                break;
            }
        }
    }
    let at = at?;
    let suppress_author = part[..at].ends_with('-');
    let prefix_end = if suppress_author { at - 1 } else { at };
    let prefix = part[..prefix_end].trim().to_string();
    let (k, after) = key(text, part_at + at + 1)?;
    if part[after - part_at..].contains('@') {
        return None;
    }
    let rest = text[after..part_at + part.len()].trim();
    let rest = rest.strip_prefix(',').unwrap_or(rest).trim();
    let (locator, suffix) = locator(rest);
    Some(CiteItem {
        key: k,
        key_at: part_at + at + 1,
        prefix,
        locator,
        suffix,
        suppress_author,
    })
}

/// A narrative citation at the `@` at `at`: `@key`, or `@key [locator]`.
pub(crate) fn narrative(text: &str, at: usize) -> Option<Found> {
    let before = text[..at].chars().next_back();
    if before.is_some_and(|b| b.is_alphanumeric() || "_@.-+&/\\".contains(b)) {
        return None;
    }
    let (k, mut end) = key(text, at + 1)?;
    let mut locator_part = (None, String::new());
    // `@key [45]`: a bracket right after, without a key of its own, is the locator.
    let rest = &text[end..];
    if let Some(r) = rest.strip_prefix(" [").or_else(|| rest.strip_prefix('['))
        && let Some(close) = r.find(']')
        && !r[..close].contains('@')
        && !r[..close].contains('[')
    {
        locator_part = locator(r[..close].trim());
        end += rest.len() - r.len() + close + 1;
    }
    Some(Found {
        start: at,
        end,
        narrative: true,
        items: vec![CiteItem {
            key: k,
            key_at: at + 1,
            prefix: String::new(),
            locator: locator_part.0,
            suffix: locator_part.1,
            suppress_author: false,
        }],
    })
}

/// The locator terms and what they name, longest first where one begins another.
const TERMS: &[(&str, Locator)] = &[
    ("pages", Locator::Page),
    ("page", Locator::Page),
    ("pp.", Locator::Page),
    ("pp", Locator::Page),
    ("p.", Locator::Page),
    ("p", Locator::Page),
    ("chapters", Locator::Chapter),
    ("chapter", Locator::Chapter),
    ("chaps.", Locator::Chapter),
    ("chap.", Locator::Chapter),
    ("ch.", Locator::Chapter),
    ("sections", Locator::Section),
    ("section", Locator::Section),
    ("secs.", Locator::Section),
    ("sec.", Locator::Section),
    ("§§", Locator::Section),
    ("§", Locator::Section),
    ("paragraphs", Locator::Paragraph),
    ("paragraph", Locator::Paragraph),
    ("paras.", Locator::Paragraph),
    ("para.", Locator::Paragraph),
    ("¶¶", Locator::Paragraph),
    ("¶", Locator::Paragraph),
    ("figures", Locator::Figure),
    ("figure", Locator::Figure),
    ("figs.", Locator::Figure),
    ("fig.", Locator::Figure),
    ("volumes", Locator::Volume),
    ("volume", Locator::Volume),
    ("vols.", Locator::Volume),
    ("vol.", Locator::Volume),
    ("notes", Locator::Note),
    ("note", Locator::Note),
    ("nn.", Locator::Note),
    ("n.", Locator::Note),
    ("lines", Locator::Line),
    ("line", Locator::Line),
    ("ll.", Locator::Line),
    ("l.", Locator::Line),
    ("verses", Locator::Verse),
    ("verse", Locator::Verse),
    ("vv.", Locator::Verse),
    ("v.", Locator::Verse),
    ("books", Locator::Book),
    ("book", Locator::Book),
    ("bks.", Locator::Book),
    ("bk.", Locator::Book),
    ("parts", Locator::Part),
    ("part", Locator::Part),
    ("pts.", Locator::Part),
    ("pt.", Locator::Part),
    ("columns", Locator::Column),
    ("column", Locator::Column),
    ("cols.", Locator::Column),
    ("col.", Locator::Column),
    ("folios", Locator::Folio),
    ("folio", Locator::Folio),
    ("fols.", Locator::Folio),
    ("fol.", Locator::Folio),
    ("issues", Locator::Issue),
    ("issue", Locator::Issue),
    ("nos.", Locator::Issue),
    ("no.", Locator::Issue),
    ("opus", Locator::Opus),
    ("op.", Locator::Opus),
    ("s.vv.", Locator::SubVerbo),
    ("s.v.", Locator::SubVerbo),
    ("sub verbo", Locator::SubVerbo),
    ("appendix", Locator::Appendix),
    ("app.", Locator::Appendix),
    ("tables", Locator::Table),
    ("table", Locator::Table),
    ("tbl.", Locator::Table),
    ("scene", Locator::Scene),
    ("sc.", Locator::Scene),
    ("act", Locator::Act),
    ("equation", Locator::Equation),
    ("eq.", Locator::Equation),
];

/// A token that belongs to a locator's value: a number, a roman numeral or a range of them,
/// possibly with a trailing comma (a list: "12, 14").
fn value_token(t: &str) -> bool {
    let t = t.trim_end_matches(',');
    !t.is_empty()
        && t.split(['–', '—', '-']).all(|p| {
            !p.is_empty()
                && (p.chars().all(|c| c.is_ascii_digit())
                    || p.chars().all(|c| "ivxlcdmIVXLCDM".contains(c))
                    || (p.chars().next().is_some_and(|c| c.is_ascii_digit())
                        && p.chars().all(|c| c.is_ascii_alphanumeric())))
        })
}

/// Splits what follows a key into a locator (term and value) and the rest. A value without a
/// term is a page. No value: all of it is suffix.
pub(crate) fn locator(rest: &str) -> (Option<(Locator, String)>, String) {
    let lower = rest.to_lowercase();
    let mut kind = None;
    let mut after = rest;
    for (term, loc) in TERMS {
        if lower.starts_with(term) {
            let tail = &rest[term.len()..];
            // "p" must be a word of its own ("pp" in "ppm" is not a term).
            if tail.is_empty()
                || tail.starts_with(' ')
                || term.ends_with('.')
                || term.ends_with('§')
                || term.ends_with('¶')
            {
                kind = Some(*loc);
                after = tail.trim_start();
                break;
            }
        }
    }
    let mut value: Vec<&str> = Vec::new();
    let mut used = 0;
    for tok in after.split(' ') {
        if tok.is_empty() {
            used += 1;
            continue;
        }
        if !value_token(tok) {
            break;
        }
        let last_had_comma = value.last().is_some_and(|v| v.ends_with(','));
        if !value.is_empty() && !last_had_comma {
            break;
        }
        value.push(tok);
        used += tok.len() + 1;
    }
    if value.is_empty() {
        return (None, rest.to_string());
    }
    // A trailing comma ends the locator; what comes after it is the suffix.
    let mut v = value.join(" ");
    let mut trailing_comma = false;
    if v.ends_with(',') {
        v.pop();
        trailing_comma = true;
    }
    let rest = after.get(used.min(after.len())..).unwrap_or("").trim();
    let suffix = if trailing_comma && !rest.is_empty() {
        format!(", {rest}")
    } else if rest.is_empty() {
        String::new()
    } else {
        format!(" {rest}")
    };
    (Some((kind.unwrap_or(Locator::Page), v)), suffix)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(f: &Found) -> Vec<&str> {
        f.items.iter().map(|i| i.key.as_str()).collect()
    }

    #[test]
    fn bracketed_citations_with_locators_and_prefixes() {
        let t = "as shown [see @knuth1981, pp. 1119–1184; also @liang1983, chap. 3].";
        let f = bracketed(t, t.find('[').unwrap()).unwrap();
        assert_eq!(keys(&f), ["knuth1981", "liang1983"]);
        assert_eq!(
            &t[f.start..f.end],
            "[see @knuth1981, pp. 1119–1184; also @liang1983, chap. 3]"
        );
        assert_eq!(f.items[0].prefix, "see");
        assert_eq!(
            f.items[0].locator,
            Some((Locator::Page, "1119–1184".into()))
        );
        assert_eq!(f.items[1].prefix, "also");
        assert_eq!(f.items[1].locator, Some((Locator::Chapter, "3".into())));
        let t = "[@bringhurst2004, 45]";
        let f = bracketed(t, 0).unwrap();
        assert_eq!(f.items[0].locator, Some((Locator::Page, "45".into())));
        let t = "[-@knuth1981]";
        assert!(bracketed(t, 0).unwrap().items[0].suppress_author);
        let t = "[@knuth1981, 12, 14, and passim]";
        let f = bracketed(t, 0).unwrap();
        assert_eq!(f.items[0].locator, Some((Locator::Page, "12, 14".into())));
        assert_eq!(f.items[0].suffix, ", and passim");
        let t = "[@{a key with spaces}, sec. 2]";
        let f = bracketed(t, 0).unwrap();
        assert_eq!(keys(&f), ["a key with spaces"]);
        assert_eq!(f.items[0].locator, Some((Locator::Section, "2".into())));
    }

    #[test]
    fn brackets_that_are_not_citations() {
        for t in [
            "[see note 5]",
            "[mail me at amar@example.mn]",
            "[@a; and more]",
            "[x [@a]",
        ] {
            assert_eq!(bracketed(t, 0), None, "{t}");
        }
    }

    #[test]
    fn narrative_citations() {
        let t = "As @knuth1981 showed.";
        let f = narrative(t, t.find('@').unwrap()).unwrap();
        assert_eq!(keys(&f), ["knuth1981"]);
        assert_eq!(&t[f.start..f.end], "@knuth1981");
        let t = "@knuth1981 [1119] showed";
        let f = narrative(t, 0).unwrap();
        assert_eq!(&t[f.start..f.end], "@knuth1981 [1119]");
        assert_eq!(f.items[0].locator, Some((Locator::Page, "1119".into())));
        // An e-mail address is not a citation.
        let t = "write to amar@mdrc.mn";
        assert_eq!(narrative(t, t.find('@').unwrap()), None);
    }

    #[test]
    fn locators() {
        assert_eq!(
            locator("p. 7"),
            (Some((Locator::Page, "7".into())), String::new())
        );
        assert_eq!(
            locator("xiv–xvi"),
            (Some((Locator::Page, "xiv–xvi".into())), String::new())
        );
        assert_eq!(locator("emphasis added"), (None, "emphasis added".into()));
        assert_eq!(
            locator("fol. 12r, verso"),
            (Some((Locator::Folio, "12r".into())), ", verso".into())
        );
    }
}
