use super::*;
use crate::diag::{Diagnostics, SourceFile};

const BIB: &str = include_str!("../../../tests/fixtures/citations/references.bib");
const YAML: &str = include_str!("../../../tests/fixtures/citations/archives.yaml");

fn refs(style: &str) -> Refs {
    let mut diags = Diagnostics::new();
    let mut library = hayagriva::Library::new();
    let mut defined_at = HashMap::new();
    let bib = SourceFile::new("references.bib", BIB.to_string());
    let yaml = SourceFile::new("archives.yaml", YAML.to_string());
    library::read_file(&bib, 0, &mut library, &mut defined_at, &mut diags);
    library::read_file(&yaml, 1, &mut library, &mut defined_at, &mut diags);
    let style = library::style(style, None, None, &mut diags).unwrap();
    let (locale, locales) =
        library::locale(hayagriva::archive::locales(), None, "en", None, &mut diags);
    assert!(!diags.has_errors(), "{:?}", diags.into_sorted());
    let mut citation_style = style.clone();
    citation_style.bibliography = None;
    Refs {
        library,
        style,
        citation_style,
        locale,
        locales,
        defined_at,
    }
}

fn site(text: &str, note: Option<NoteId>) -> CiteSite {
    let f = syntax::bracketed(text, 0).unwrap();
    CiteSite {
        items: f.items,
        narrative: false,
        pos: Pos { file: 0, offset: 0 },
        entry: 1,
        in_note: None,
        note,
    }
}

fn notes(n: usize) -> Vec<Footnote> {
    (0..n)
        .map(|k| Footnote {
            label: String::new(),
            number: k as u32 + 1,
            entry: 1,
            blocks: Vec::new(),
            pos: Pos { file: 0, offset: 0 },
        })
        .collect()
}

fn text_of(out: &Resolved, i: usize) -> String {
    let t = out.note_text[i]
        .clone()
        .unwrap_or_else(|| out.text[i].clone());
    render::plain(&t)
}

#[test]
fn chicago_notes_full_then_short_and_a_bibliography_by_author() {
    let r = refs("chicago-notes");
    let sites = vec![
        site("[@knuth1981, 1119]", Some(0)),
        site("[@knuth1981, 1120]", Some(1)),
        site("[see @bringhurst2004, 45; @liang1983]", Some(2)),
        site("[@lindisfarne]", Some(3)),
    ];
    let out = resolve(&r, &sites, &notes(4), &|e| e, true, false);
    let first = text_of(&out, 0);
    assert!(
        first
            .starts_with("Donald E. Knuth and Michael F. Plass, “Breaking Paragraphs into Lines,”"),
        "{first}"
    );
    assert!(first.contains("(1981): 1119"), "{first}");
    // The second citation of a work is short (the bundled CMoS 18 style prefers the short
    // form to "Ibid.").
    assert_eq!(
        text_of(&out, 1),
        "Knuth and Plass, “Breaking Paragraphs into Lines,” 1120."
    );
    // The author's word starts the note with a capital; each work keeps its own place.
    let third = text_of(&out, 2);
    assert!(
        third.starts_with("See Robert Bringhurst, The Elements of Typographic Style"),
        "{third}"
    );
    assert!(third.contains("45; Franklin Mark Liang"), "{third}");
    assert!(
        third.contains("PhD diss., Stanford University, 1983"),
        "{third}"
    );
    // The bibliography: sorted by author, a work without one by its title.
    let keys: Vec<&str> = out.bibliography.iter().map(|b| b.key.as_str()).collect();
    assert_eq!(
        keys,
        ["bringhurst2004", "knuth1981", "liang1983", "lindisfarne"]
    );
    assert!(
        out.bibliography
            .iter()
            .all(|b| b.anchor.starts_with("bib-"))
    );
    // A work cited links to its entry (unless the citation holds a link of its own, a DOI).
    let linked = |t: &[Inline]| {
        t.iter().any(|i| matches!(i, Inline::Link(l) if l.target == crate::model::LinkTarget::Internal("bib-knuth1981".into())))
    };
    assert!(linked(out.note_text[1].as_ref().unwrap()));
    assert!(!linked(out.note_text[0].as_ref().unwrap()));
}

#[test]
fn citations_in_an_authors_note_stand_in_parentheses() {
    let r = refs("chicago-notes");
    let mut s = site("[@lindisfarne]", None);
    s.in_note = Some(0);
    let out = resolve(&r, &[s], &notes(1), &|e| e, false, false);
    let t = text_of(&out, 0);
    assert!(
        t.starts_with("(“Lindisfarne Gospels,”") && t.ends_with("British Library)"),
        "{t}"
    );
}

#[test]
fn author_date_in_the_text() {
    let r = refs("chicago-author-date");
    let mut narrative = site("[@bringhurst2004, 25]", None);
    narrative.narrative = true;
    let sites = vec![
        site("[@knuth1981, 1119]", None),
        site("[see @knuth1981; @liang1983]", None),
        site("[-@knuth1984, 96]", None),
        narrative,
    ];
    let out = resolve(&r, &sites, &[], &|e| e, true, false);
    assert_eq!(text_of(&out, 0), "(Knuth and Plass 1981, 1119)");
    assert_eq!(text_of(&out, 1), "(see Knuth and Plass 1981; Liang 1983)");
    assert_eq!(text_of(&out, 2), "(1984, 96)");
    assert_eq!(text_of(&out, 3), "Bringhurst (2004, 25)");
    assert!(out.note_text.iter().all(Option::is_none));
    let first = render::plain(&out.bibliography[0].content);
    assert!(first.starts_with("Bringhurst, Robert. 2004."), "{first}");
}

#[test]
fn uncited_entries_are_listed_when_asked() {
    let r = refs("chicago-notes");
    let sites = vec![site("[@knuth1981]", Some(0))];
    let out = resolve(&r, &sites, &notes(1), &|e| e, true, true);
    assert_eq!(out.bibliography.len(), r.library.len());
    let out = resolve(&r, &sites, &notes(1), &|e| e, true, false);
    assert_eq!(out.bibliography.len(), 1);
}

#[test]
fn a_repeated_author_is_replaced_when_the_style_asks() {
    // A Chicago 17th-edition style that asks for "———" in place of a repeated author.
    let mut r = refs("chicago-notes");
    if let Some(b) = r.style.bibliography.as_mut() {
        b.subsequent_author_substitute = Some("———".into());
    }
    let sites = vec![site("[@knuth1984]", Some(0)), site("[@knuth1999]", Some(1))];
    let out = resolve(&r, &sites, &notes(2), &|e| e, true, false);
    let texts: Vec<String> = out
        .bibliography
        .iter()
        .map(|b| render::plain(&b.content))
        .collect();
    assert!(texts[0].starts_with("Knuth, Donald E."), "{texts:?}");
    assert!(texts[1].starts_with("———."), "{texts:?}");
}

/// The quick path (each form formatted once) says exactly what one driver over all the
/// citations says, whatever the positions: firsts, ibids with the same and another locator,
/// near and far repeats, several works in one citation, narrative citations, no locator.
#[test]
fn the_quick_path_says_what_one_driver_says() {
    let texts = [
        "[@knuth1981, 1119]",
        "[@knuth1981, 1119]",
        "[@knuth1981, 1120–24]",
        "[@knuth1981]",
        "[@bringhurst2004, 25]",
        "[@knuth1981, 1124]",
        "[see @knuth1984, 97; @knuth1999, 25]",
        "[@knuth1999, 25]",
        "[@liang1983]",
        "[@uax14]",
        "[@tschichold1991, 85]",
        "[@lindisfarne]",
        "[@uax14]",
        "[@bringhurst2004, 27–29]",
        "[@liang1983, 37]",
        "[@knuth1984, 453]",
        "[-@knuth1981, 1150]",
        "[@tschichold1991, 86; @bringhurst2004, 39]",
    ];
    for style in [
        "chicago-notes",
        "chicago-author-date",
        "apa",
        "modern-language-association",
        "chicago-shortened-notes",
    ] {
        let r = refs(style);
        let note_style = r.note_style();
        let sites: Vec<CiteSite> = texts
            .iter()
            .enumerate()
            .map(|(k, t)| {
                let mut s = site(t, note_style.then_some(k as NoteId));
                // Two chapters: positions start again in the second.
                s.entry = if k < 10 { 1 } else { 2 };
                s.narrative = k == 8;
                s
            })
            .collect();
        let mut ns = notes(texts.len());
        for (k, n) in ns.iter_mut().enumerate() {
            n.entry = if k < 10 { 1 } else { 2 };
            n.number = if k < 10 { k as u32 + 1 } else { k as u32 - 9 };
        }
        let quick = resolve_with(&r, &sites, &ns, &|e| e, true, false, true);
        let slow = resolve_with(&r, &sites, &ns, &|e| e, true, false, false);
        for (i, t) in texts.iter().enumerate() {
            assert_eq!(
                text_of(&quick, i),
                text_of(&slow, i),
                "{style}: citation {i} {t}"
            );
        }
        let b = |o: &Resolved| {
            o.bibliography
                .iter()
                .map(|b| render::plain(&b.content))
                .collect::<Vec<_>>()
        };
        assert_eq!(b(&quick), b(&slow), "{style}");
    }
}
