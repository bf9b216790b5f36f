//! Hostile book projects, generated: random CommonMark with deep nesting, tables, footnotes in
//! odd places, raw HTML, index markers, text in many scripts and extreme `build.toml` values;
//! and the check every one of them must pass when run through the whole pipeline in process:
//! no panic, every error located, and for every book that loads, an EPUB whose XML is
//! well-formed throughout and PDFs that parse.
//!
//! Shared by `tests/hostile.rs` (a few hundred cases in `cargo test`) and
//! `examples/fuzz.rs` (the long run).
#![allow(dead_code)]

use std::io::Read;
use std::path::Path;

use proptest::prelude::*;

/// A generated book project.
#[derive(Debug, Clone)]
pub struct Project {
    pub toml: String,
    pub chapters: Vec<String>,
    pub index: Option<String>,
    pub contents_extra: String,
    /// A mistake the loader must report at its place, added to the first chapter.
    pub mistake: Option<String>,
}

const WORDS: &[&str] = &[
    "the",
    "steppe",
    "Urga",
    "Халхын",
    "гол",
    "Өгөөмөр",
    "Үйлс",
    "мир",
    "война",
    "Ἀθῆναι",
    "λόγος",
    "日本",
    "蒙古",
    "مرحبا",
    "שלום",
    "naïve",
    "café",
    "Straße",
    "œuvre",
    "ﬁne",
    "e\u{301}",
    "a\u{00a0}b",
    "co\u{ad}op",
    "zero\u{200b}width",
    "—",
    "–",
    "…",
    "“quoted”",
    "‘single’",
    "Mr.",
    "1905",
    "½",
    "£20",
    "&amp;",
    "&",
    "<",
    ">",
    "\"",
    "'",
    "`x`",
    "*",
    "_",
    "\\",
    "|",
    "@",
    "#",
    "!",
    "[",
    "]",
    "(",
    ")",
    "😀",
    "⸺",
    "\u{fffd}",
    "x\u{0}y",
    "\t",
    "a-b",
    "self-made",
    "http://example.com/a_b",
    "x/y",
    "co-operation",
    "Genden",
    "antidisestablishmentarianism",
    "supercalifragilisticexpialidocious",
];

const HTML_BLOCKS: &[&str] = &[
    "<div><p>unclosed <b>html",
    "<table><tr><td>cell<td>two</table>",
    "<ul><li>one<li>two</ul>",
    "<script>alert(1)</script>",
    "<style>p { color: red }</style>",
    "<p onclick=\"x()\" id=\"fn-1\" style=\"color: red\">text</p>",
    "<a href=\"javascript:evil()\">link</a>",
    "<svg><rect width=\"1\" height=\"1\"/></svg>",
    "<math><mi>x</mi></math>",
    "<button>Buy</button>",
    "<img src=\"nothing.png\" alt=\"x\">",
    "<h1>Heading</h1>",
    "<!-- a comment -->",
    "<div><div><div><span>deep</span></div></div></div>",
    "<blockquote>quoted <i>text</blockquote>",
    "<pre>  code\n   kept</pre>",
    "<dl><dt>term<dd>definition</dl>",
    "<my-element>custom</my-element>",
    "<p>a<p>b<p>c",
    "</div></p></span>",
    "<details><summary>More</summary>Hidden text</details>",
    "<table>text in table<tr><th>h</th></tr></table>",
    "<a href=\"#nowhere\">a broken link</a>",
    "<a href=\"other.md\">a file</a>",
    "<ruby>漢<rt>kan</rt></ruby>",
    "<p lang=\"fr\" dir=\"rtl\" title=\"&quot;\">Bonjour</p>",
    "<object data=\"x\">fallback text</object>",
];

const HTML_INLINE: &[&str] = &[
    "<span lang=\"fr\">",
    "</span>",
    "<b>",
    "</b>",
    "<i>",
    "</i>",
    "<br>",
    "<br/>",
    "<wbr>",
    "<script>",
    "</script>",
    "<em onclick=\"x\">",
    "</em>",
    "<div>",
    "</div>",
    "<img src=x>",
    "<sup>",
    "</sup>",
    "<a href=\"#first\">",
    "</a>",
    "<!-- c -->",
    "<kbd>",
    "</kbd>",
];

fn word() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::sample::select(WORDS).prop_map(str::to_string),
        1 => "\\PC{1,12}".prop_map(|w: String| w.replace(['!', '[', ']'], "")),
        1 => "[a-z]{20,80}",
    ]
}

/// A word that can stand in an index marker.
fn marker_word() -> impl Strategy<Value = String> {
    word().prop_map(|w| {
        let w = w.replace(['!', '(', ')', '[', ']', '\n', '\\'], "");
        if w.trim().is_empty() {
            "term".to_string()
        } else {
            w
        }
    })
}

/// A TOML basic string holding `s`.
fn toml_string(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Inline Markdown: words, emphasis, code, links, note references, index markers, HTML.
fn inline() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        10 => word(),
        1 => (1u8..6).prop_map(|n| format!("[^{n}]")),
        1 => marker_word().prop_map(|w| format!("(({w}))")),
        1 => (marker_word(), marker_word()).prop_map(|(a, b)| format!("((({a}!{b})))")),
        1 => prop::sample::select(HTML_INLINE).prop_map(str::to_string),
        // A hard line break; the next line starts with a word, not a tag that would open an
        // HTML block.
        1 => Just("\\\nand".to_string()),
        1 => word().prop_map(|w| format!("`{w}`")),
        1 => prop::sample::select(&["[see](#first)", "[](#first)", "[web](https://example.com)", "<https://example.com>", "a@b.c", "![a picture](images/map.jpg \"A caption\")", "![](images/map.jpg)", "[a chapter](c0.md)"][..]).prop_map(str::to_string),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..5).prop_map(|v| format!("*{}*", v.join(" "))),
            prop::collection::vec(inner.clone(), 1..5).prop_map(|v| format!("**{}**", v.join(" "))),
            prop::collection::vec(inner.clone(), 1..5).prop_map(|v| format!("~~{}~~", v.join(" "))),
            prop::collection::vec(inner, 1..5)
                .prop_map(|v| format!("[{}](https://example.com)", v.join(" "))),
        ]
    })
}

/// A paragraph's text. It starts with a word: a line that starts with `<script>` would open
/// an HTML block that runs to the end of the file.
fn text() -> impl Strategy<Value = String> {
    ("[A-Za-z]{1,8}", prop::collection::vec(inline(), 0..40))
        .prop_map(|(first, v)| format!("{first} {}", v.join(" ")))
}

fn indent(s: &str, by: &str, first: &str) -> String {
    let mut out = String::new();
    for (i, line) in s.lines().enumerate() {
        out.push_str(if i == 0 { first } else { by });
        out.push_str(line);
        out.push('\n');
    }
    out
}

/// A Markdown block (ending with a blank line).
fn block() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        8 => text().prop_map(|t| format!("{t}\n\n")),
        2 => (1usize..7, text(), prop::option::of("[a-z]{1,8}"), any::<bool>()).prop_map(|(n, t, id, note)| {
            let id = id.map(|i| format!(" {{#{i}}}")).unwrap_or_default();
            let note = if note { "[^1]" } else { "" };
            format!("{} {t}{note}{id}\n\n", "#".repeat(n))
        }),
        1 => prop::sample::select(HTML_BLOCKS).prop_map(|h| format!("{h}\n\n")),
        1 => Just("***\n\n".to_string()),
        1 => (prop::collection::vec(word(), 0..20), prop::sample::select(&["", "rust", "a b"][..])).prop_map(|(w, l)| format!("```{l}\n{}\n```\n\n", w.join(" "))),
        1 => (1usize..5, 1usize..6, prop::collection::vec(inline(), 1..30)).prop_map(|(cols, rows, cells)| {
            let cell = |i: usize| cells[i % cells.len()].replace('|', "\\|").replace('\n', " ");
            let mut t = format!("|{}|\n|{}|\n", (0..cols).map(&cell).collect::<Vec<_>>().join("|"), vec!["---"; cols].join("|"));
            for r in 0..rows {
                t.push_str(&format!("|{}|\n", (0..cols).map(|c| cell(r * cols + c + 1)).collect::<Vec<_>>().join("|")));
            }
            t.push('\n');
            t
        }),
        1 => (0usize..40, text()).prop_map(|(n, t)| format!("{}{t}\n\n", "> ".repeat(n))),
        1 => (1usize..24, word()).prop_map(|(n, w)| {
            let mut s = String::new();
            for i in 0..n { s.push_str(&format!("{}- {w} {i}\n", "  ".repeat(i))); }
            s.push('\n');
            s
        }),
    ];
    leaf.prop_recursive(4, 40, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..4).prop_map(|v| indent(
                &v.concat(),
                "> ",
                "> "
            ) + "\n"),
            (prop::collection::vec(inner, 1..4), any::<bool>()).prop_map(|(v, ordered)| {
                let mut s = String::new();
                for (i, item) in v.iter().enumerate() {
                    let mark = if ordered {
                        format!("{}. ", i + 1)
                    } else {
                        "- ".to_string()
                    };
                    let pad = " ".repeat(mark.len());
                    s.push_str(&indent(item.trim_end(), &pad, &mark));
                }
                s + "\n"
            }),
        ]
    })
}

fn chapter() -> impl Strategy<Value = String> {
    (
        prop::option::of(text()),
        prop::collection::vec(block(), 0..12),
        prop::collection::vec(text(), 6),
        text(),
    )
        .prop_map(|(title, blocks, notes, quoted)| {
            let mut s = String::new();
            if let Some(t) = title {
                s.push_str(&format!("# {t}\n\n"));
            }
            s.push_str(&blocks.concat());
            // Notes 1–6 are defined in every chapter (those not cited are warnings); one
            // begins with a quotation.
            for (n, t) in notes.iter().enumerate() {
                s.push_str(&format!("[^{}]: {t}\n\n", n + 1));
            }
            s.push_str(&format!("[^q]: > {quoted}\n    >\n    > more\n\n"));
            s
        })
}

fn build_toml() -> impl Strategy<Value = String> {
    (
        (
            prop::sample::select(&["en", "en-GB", "ru", "mn", "de", "fr", "el", "zh", "ar", "xx", "en-US-x-private"][..]),
            1i64..7,
            any::<bool>(),
            prop::sample::select(&["A5", "A6", "6x9in", "A5", "6x9in", "A5", "6x9in", "2x3in", "60x60in", "148mm x 210mm", "5x8in", "A4", "1x1in"][..]),
            prop::sample::select(&[4.0, 10.5, 10.5, 12.0, 24.0, 72.0, 9.0][..]),
            prop::option::of(prop::sample::select(&[1.0, 1.3, 0.85, 3.9, 1.2, 1.25, 1.4, 2.0, 0.5][..])),
        ),
        (
            prop::sample::select(&["0", "5mm", "20mm", "15mm", "0.25in", "20mm", "12mm", "25mm", "2in"][..]),
            prop::sample::select(&["0", "5mm", "20mm", "15mm", "20mm", "12mm", "18mm", "2in"][..]),
            prop::sample::select(&["0", "3mm", "3mm", "1in"][..]),
            any::<bool>(),
            prop::sample::select(&["recto", "any"][..]),
            any::<bool>(),
        ),
        (
            any::<bool>(),
            any::<bool>(),
            any::<bool>(),
            prop::option::of(prop::collection::vec(word(), 1..40).prop_map(|w| w.join(" "))),
        ),
    )
        .prop_map(
            |((lang, toc, numbering, trim, size, leading), (m1, m2, bleed, crop, start, kerning), (hyph, heads, ordering, back))| {
                let mut s = format!(
                    "[book]\ntitle = \"A Hostile Book\"\nauthors = [\"Fuzz\"]\nlanguage = \"{lang}\"\ntoc_depth = {toc}\nnumbering = {numbering}\n"
                );
                if ordering {
                    s.push_str("[ordering]\ntitle = \"How to get it\"\ntext = \"\"\"\nWrite to *us*.\n\"\"\"\n");
                }
                s.push_str(&format!(
                    "[pdf]\ntrim = \"{trim}\"\nfont_size = \"{size}pt\"\nmargins = {{ top = \"{m1}\", bottom = \"{m2}\", inner = \"{m1}\", outer = \"{m2}\" }}\nbleed = \"{bleed}\"\ncrop_marks = {crop}\nchapter_start = \"{start}\"\nmargin_kerning = {kerning}\nrunning_heads = {heads}\n"
                ));
                if let Some(l) = leading {
                    s.push_str(&format!("leading = \"{:.2}pt\"\n", size * l));
                }
                s.push_str("[epub]\nembed_fonts = false\n");
                s.push_str(&format!("[hyphenation]\nenabled = {hyph}\n"));
                if let Some(b) = back {
                    s.push_str(&format!("[cover]\nback_text = {}\n", toml_string(&b)));
                }
                s
            },
        )
}

fn index_toml() -> impl Strategy<Value = Option<String>> {
    prop::option::of(
        prop::collection::vec(
            (word(), prop::collection::vec(word(), 0..3), any::<bool>()),
            1..6,
        )
        .prop_map(|entries| {
            let mut s = String::new();
            let q = |w: &str| {
                format!(
                    "\"{}\"",
                    w.replace('\\', "\\\\")
                        .replace('"', "\\\"")
                        .replace(|c: char| c.is_control(), "")
                )
            };
            for (k, (term, matches, ci)) in entries.iter().enumerate() {
                s.push_str(&format!("[[entry]]\nterm = {}\n", q(&format!("{term}{k}"))));
                if !matches.is_empty() {
                    s.push_str(&format!(
                        "match = [{}]\n",
                        matches.iter().map(|m| q(m)).collect::<Vec<_>>().join(", ")
                    ));
                }
                if *ci {
                    s.push_str("case = \"insensitive\"\n");
                }
            }
            s
        }),
    )
}

/// A whole project.
pub fn project() -> impl Strategy<Value = Project> {
    (
        build_toml(),
        prop::collection::vec(chapter(), 1..4),
        index_toml(),
        prop::sample::select(
            &[
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "",
                "- [Contents](@contents)\n",
            ][..],
        ),
        prop::option::weighted(
            0.2,
            prop::sample::select(
                &[
                    "[x](#missing)",
                    "[^undefined]",
                    "![](missing.png)",
                    "[y](nowhere.md)",
                    "((a!b!c))",
                    "## Twice {#first}",
                ][..],
            ),
        ),
    )
        .prop_map(|(toml, chapters, index, extra, mistake)| Project {
            toml,
            chapters,
            index,
            contents_extra: extra.to_string(),
            mistake: mistake.map(str::to_string),
        })
}

/// Writes the project into `dir`.
pub fn write(p: &Project, dir: &Path) {
    let m = dir.join("manuscript");
    std::fs::create_dir_all(m.join("images")).unwrap();
    std::fs::write(dir.join("build.toml"), &p.toml).unwrap();
    let mut contents = String::from("# Front matter\n\n- [Contents](@contents)\n\n# Body\n\n");
    for (i, c) in p.chapters.iter().enumerate() {
        contents.push_str(&format!("- [Chapter {i}](c{i}.md)\n"));
        // Every chapter can be linked to as #first.
        let text = if i == 0 {
            let mistake = p.mistake.as_deref().unwrap_or("");
            format!("{c}\n\n## First {{#first}}\n\nText. {mistake}\n")
        } else {
            c.clone()
        };
        std::fs::write(m.join(format!("c{i}.md")), text).unwrap();
    }
    contents.push_str("\n# Back matter\n\n- [Index](@index)\n");
    if p.toml.contains("[ordering]") {
        contents.push_str("- [How](@ordering)\n");
    }
    contents.push_str(&p.contents_extra);
    std::fs::write(m.join("contents.md"), contents).unwrap();
    if let Some(i) = &p.index {
        std::fs::write(m.join("index.toml"), i).unwrap();
    }
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/map.jpg"),
        m.join("images/map.jpg"),
    )
    .unwrap();
}

/// What became of a project that passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Refused with located errors.
    Refused,
    /// Built, and the outputs are sound.
    Built,
}

/// Runs the pipeline on the project in `dir` and checks what comes out.
pub fn check_dir(dir: &Path) -> Result<Outcome, String> {
    let (book, diags) = bookbuild::project::load(dir);
    for d in diags.iter() {
        if d.severity == bookbuild::diag::Severity::Error && d.location.is_none() {
            return Err(format!("an error without a place: {}", d.render(false)));
        }
    }
    let Some(book) = book else {
        if !diags.has_errors() {
            return Err("no book and no error".into());
        }
        if std::env::var_os("FUZZ_SHOW_ERRORS").is_some()
            && let Some(d) = diags
                .iter()
                .find(|d| d.severity == bookbuild::diag::Severity::Error)
        {
            eprintln!("refused: {}", d.render(false).lines().next().unwrap_or(""));
            if let Some(keep) = std::env::var_os("FUZZ_KEEP")
                && d.message.contains(keep.to_string_lossy().as_ref())
            {
                let to = std::env::temp_dir().join(format!("fuzz-kept-{}", std::process::id()));
                let _ = std::process::Command::new("cp")
                    .arg("-r")
                    .arg(dir)
                    .arg(&to)
                    .status();
                eprintln!("  kept in {}", to.display());
            }
            if let Some(loc) = &d.location {
                let text = std::fs::read_to_string(dir.join(&loc.path)).unwrap_or_default();
                let line = text.lines().nth(loc.line as usize - 1).unwrap_or("");
                eprintln!("  line: {}", line.chars().take(300).collect::<String>());
            }
        }
        return Ok(Outcome::Refused);
    };
    let progress = bookbuild::progress::Progress::new(true);
    let targets = bookbuild::pipeline::Targets {
        pdf: true,
        epub: true,
    };
    let built = bookbuild::pipeline::build(
        &book,
        targets,
        &dir.join("out"),
        bookbuild::model::Timestamp::fixed(0),
        &progress,
    )
    .map_err(|e| format!("a book that loads does not build: {e}"))?;
    for d in built.warnings.iter() {
        if d.location.is_none() && !d.message.contains("pictures print below") {
            return Err(format!("a warning without a place: {}", d.render(false)));
        }
    }
    for (path, bytes) in &built.files {
        let name = path.to_string_lossy();
        if name.ends_with(".pdf") {
            let doc = lopdf::Document::load_mem(bytes)
                .map_err(|e| format!("{name} does not parse: {e}"))?;
            if doc.get_pages().is_empty() {
                return Err(format!("{name} has no pages"));
            }
        } else if name.ends_with(".epub") {
            check_epub(bytes)?;
        }
    }
    Ok(Outcome::Built)
}

/// Every XML file of the EPUB is well-formed.
fn check_epub(bytes: &[u8]) -> Result<(), String> {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| format!("the EPUB is not a zip: {e}"))?;
    for i in 0..z.len() {
        let mut f = z.by_index(i).map_err(|e| e.to_string())?;
        let name = f.name().map_err(|e| e.to_string())?.to_string();
        if !(name.ends_with(".xhtml")
            || name.ends_with(".opf")
            || name.ends_with(".ncx")
            || name.ends_with(".xml"))
        {
            continue;
        }
        let mut text = String::new();
        f.read_to_string(&mut text)
            .map_err(|e| format!("{name} is not UTF-8: {e}"))?;
        let opts = roxmltree::ParsingOptions {
            allow_dtd: true,
            ..Default::default()
        };
        roxmltree::Document::parse_with_options(&text, opts)
            .map_err(|e| format!("{name} is not well-formed XML: {e}\n{text}"))?;
    }
    Ok(())
}

/// Writes and checks a project.
pub fn check(p: &Project) -> Result<Outcome, String> {
    let dir = tempfile::tempdir().unwrap();
    write(p, dir.path());
    check_dir(dir.path())
}
