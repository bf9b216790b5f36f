//! The print PDF, read back from the file with the tools a printer or reader would use:
//! pdffonts, qpdf, pdftotext, pdfinfo, and lopdf for the outline and page labels.

mod common;

use common::*;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;

/// Builds a book (PDF and EPUB) once per test process; returns (out dir, pdf path).
fn built(name: &str) -> &'static (PathBuf, PathBuf) {
    static BUILT: OnceLock<std::sync::Mutex<HashMap<String, &'static (PathBuf, PathBuf)>>> =
        OnceLock::new();
    let map = BUILT.get_or_init(Default::default);
    let mut m = map.lock().unwrap();
    if let Some(v) = m.get(name) {
        return v;
    }
    let project = match name {
        "sample" => repo(),
        "init" => {
            let dir = init_project();
            let p = book(&dir);
            let keep = tempfile::tempdir().unwrap().keep();
            copy_tree(&p, &keep);
            keep
        }
        other => corpus(other),
    };
    let out = tempfile::tempdir().unwrap().keep();
    let o = build_into(&project, "build", &out);
    assert!(
        o.status.success(),
        "build of {name} failed:\n{}",
        stderr(&o)
    );
    let pdf = only(&out, "pdf");
    let v: &'static (PathBuf, PathBuf) = Box::leak(Box::new((out, pdf)));
    m.insert(name.to_string(), v);
    v
}

fn tool(cmd: &str, args: &[&str], pdf: &Path) -> String {
    let out = Command::new(cmd)
        .args(args)
        .arg(pdf)
        .output()
        .unwrap_or_else(|e| {
            panic!("{cmd} is not installed ({e}); .ci/run installs poppler-utils and qpdf")
        });
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn fonts_ok(name: &str) {
    let (_, pdf) = built(name);
    let report = tool("pdffonts", &[], pdf);
    let rows: Vec<&str> = report.lines().skip(2).collect();
    assert!(!rows.is_empty(), "{report}");
    for row in rows {
        let cols: Vec<&str> = row.split_whitespace().collect();
        // name type [type] encoding emb sub uni object ID
        let n = cols.len();
        assert_eq!(
            &cols[n - 5..n - 2],
            &["yes", "yes", "yes"],
            "not embedded, subset and mapped: {row}"
        );
        assert!(
            cols[0].as_bytes()[6] == b'+',
            "subset fonts have a tag prefix: {row}"
        );
    }
}

fn qpdf_ok(name: &str) {
    let (_, pdf) = built(name);
    let out = Command::new("qpdf")
        .arg("--check")
        .arg(pdf)
        .output()
        .expect("qpdf is installed");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success() && text.contains("No syntax or stream encoding errors"),
        "{text}"
    );
}

#[test]
fn fonts_are_embedded_and_subset() {
    for b in ["sample", "war-and-peace", "sherlock-holmes", "init"] {
        fonts_ok(b);
    }
}

#[test]
fn qpdf_finds_no_errors() {
    for b in ["sample", "war-and-peace", "sherlock-holmes", "init"] {
        qpdf_ok(b);
    }
}

/// Page boxes: MediaBox = trim + bleed on every side; TrimBox and BleedBox on every page.
#[test]
fn page_boxes_follow_the_settings() {
    for (b, trim_w, trim_h, bleed) in [
        (
            "sample",
            148.0 / 25.4 * 72.0,
            210.0 / 25.4 * 72.0,
            3.0 / 25.4 * 72.0,
        ),
        ("war-and-peace", 432.0, 648.0, 9.0),
    ] {
        let (_, pdf) = built(b);
        let info = tool("pdfinfo", &["-box", "-f", "1", "-l", "100000"], pdf);
        let boxes: Vec<Vec<f64>> = info
            .lines()
            .filter(|l| l.contains("MediaBox") || l.contains("TrimBox") || l.contains("BleedBox"))
            .map(|l| {
                l.split(':')
                    .nth(1)
                    .unwrap()
                    .split_whitespace()
                    .map(|v| v.parse().unwrap())
                    .collect()
            })
            .collect();
        assert!(
            boxes.len() >= 3 * 20,
            "{b}: {}",
            &info[..info.len().min(2000)]
        );
        for chunk in boxes.chunks(3) {
            let (media, trim) = (&chunk[0], &chunk[2]);
            let bleed_box = &chunk[1];
            let close = |a: f64, b: f64| (a - b).abs() < 0.02;
            assert!(
                close(media[2] - media[0], trim_w + 2.0 * bleed)
                    && close(media[3] - media[1], trim_h + 2.0 * bleed),
                "{b}: media {media:?}"
            );
            assert!(
                close(trim[2] - trim[0], trim_w) && close(trim[3] - trim[1], trim_h),
                "{b}: trim {trim:?}"
            );
            assert!(
                close(trim[0] - media[0], bleed),
                "{b}: trim offset {trim:?} in {media:?}"
            );
            assert!(
                close(bleed_box[2] - bleed_box[0], trim_w + 2.0 * bleed),
                "{b}: bleed {bleed_box:?}"
            );
        }
    }
}

/// The text of each page (pdftotext, in content order).
fn page_texts(pdf: &Path) -> Vec<String> {
    let out = Command::new("pdftotext")
        .args(["-raw", "-enc", "UTF-8"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext is installed");
    String::from_utf8_lossy(&out.stdout)
        .split('\u{c}')
        .map(str::to_string)
        .collect()
}

fn norm(s: &str) -> String {
    s.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The contents lines as printed: (title, page label).
fn contents_lines(texts: &[String], contents_page: usize) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut pending = String::new();
    for page in &texts[contents_page..] {
        let mut any = false;
        for line in page.lines() {
            let l = line.trim();
            if l.is_empty() || l == "Contents" {
                continue;
            }
            // A contents line ends with leaders and the page label.
            let (head, label) = l.rsplit_once(' ').unwrap_or(("", l));
            let is_label = !label.is_empty()
                && (label.chars().all(|c| c.is_ascii_digit())
                    || label.chars().all(|c| "ivxlc".contains(c)));
            let title = head.trim_end_matches(['.', ' ']).trim();
            let leaders = head[title.len().min(head.len())..].matches('.').count() >= 3;
            if is_label && leaders {
                any = true;
                out.push((norm(&format!("{pending} {title}")), label.to_string()));
                pending.clear();
            } else {
                pending = format!("{pending} {l}");
            }
        }
        if !any && !out.is_empty() {
            break;
        }
        pending.clear();
    }
    out
}

fn check_structure(name: &str) {
    let (_, pdf) = built(name);
    let labels = page_labels(pdf);
    let texts = page_texts(pdf);
    let doc = lopdf::Document::load(pdf).unwrap();
    let toc = doc.get_toc().expect("the PDF has an outline");
    let outline: Vec<(usize, String, usize)> = toc
        .toc
        .iter()
        .map(|t| (t.level, t.title.clone(), t.page - 1))
        .collect();
    assert!(!outline.is_empty());
    // Every top-level entry opens on a recto (odd page number, even index) with no running head.
    for (level, title, page) in &outline {
        if *level == 1 {
            assert_eq!(
                page % 2,
                0,
                "{name}: \"{title}\" opens on a verso (page {})",
                labels[*page]
            );
            let first_line = texts[*page]
                .lines()
                .map(str::trim)
                .find(|l| !l.is_empty())
                .unwrap_or("");
            assert!(
                first_line != labels[*page]
                    && !first_line.starts_with(&format!("{} ", labels[*page])),
                "{name}: \"{title}\" has a folio or head on its opening page: {first_line}"
            );
        }
    }
    // The contents: every line's number is the label of the page where the heading is
    // printed, and the outline entry of the same title points at that page.
    let contents = outline
        .iter()
        .find(|(_, t, _)| t == "Contents")
        .map(|o| o.2)
        .expect("a Contents entry in the outline");
    let lines = contents_lines(&texts, contents);
    assert!(lines.len() >= 5, "{name}: contents lines {lines:?}");
    let mut from = 0;
    for (title, label) in &lines {
        let page = labels
            .iter()
            .enumerate()
            .skip(from)
            .find(|(_, l)| *l == label)
            .map(|(i, _)| i)
            .unwrap_or_else(|| panic!("{name}: no page is labelled {label} (for \"{title}\")"));
        // Headings are not hyphenated, but may break after a hyphen of their own.
        let text = norm(&texts[page]).replace("- ", "-");
        let title = &title.replace("- ", "-");
        assert!(
            text.contains(title.as_str()),
            "{name}: \"{title}\" is not printed on page {label}:\n{text}"
        );
        if let Some((_, _, op)) = outline
            .iter()
            .find(|(_, t, p)| norm(t) == **title && *p >= from)
        {
            assert_eq!(
                *op, page,
                "{name}: the outline entry \"{title}\" points at page {} instead of {label}",
                labels[*op]
            );
        }
        from = page;
    }
}

#[test]
fn contents_outline_and_openings_agree_with_the_pages() {
    for b in ["sample", "sherlock-holmes", "war-and-peace", "init"] {
        check_structure(b);
    }
}

#[test]
fn front_matter_is_roman_and_the_body_starts_at_one_on_a_recto() {
    let (_, pdf) = built("sample");
    let labels = page_labels(pdf);
    assert_eq!(&labels[..3], &["i", "ii", "iii"]);
    let one = labels.iter().position(|l| l == "1").expect("a page 1");
    assert_eq!(one % 2, 0, "page 1 is a recto");
    assert!(
        labels[..one]
            .iter()
            .all(|l| l.chars().all(|c| "ivxlc".contains(c)))
    );
}

#[test]
fn two_builds_are_byte_identical() {
    let out_a = tempfile::tempdir().unwrap();
    let out_b = tempfile::tempdir().unwrap();
    assert!(build_into(&repo(), "pdf", out_a.path()).status.success());
    assert!(build_into(&repo(), "pdf", out_b.path()).status.success());
    let a = std::fs::read(only(out_a.path(), "pdf")).unwrap();
    let b = std::fs::read(only(out_b.path(), "pdf")).unwrap();
    assert!(a == b, "the PDFs differ");
}

/// `build` lets each page go as it is written, `watch` keeps them for the preview: the two
/// writers give the same bytes (the sample is tagged, linked and PDF/X; Meditations has notes
/// and an index).
#[test]
fn writing_pages_as_they_go_gives_the_same_file() {
    for project in [repo(), corpus("meditations")] {
        let book = loaded(&project);
        let index = bookbuild::index::build::build(&book);
        let ts = bookbuild::typeset::typeset(&book, &index).expect("typeset");
        let t = bookbuild::model::Timestamp::fixed(0);
        let kept = bookbuild::pdf::write(&book, &ts.doc, t).expect("pdf");
        let owned = bookbuild::pdf::write_owned(&book, (*ts.doc).clone(), t).expect("pdf");
        assert!(kept == owned, "{}: the PDFs differ", project.display());
    }
}

/// The words of the body text, in reading order, as the manuscript has them.
fn manuscript_words(project: &Path) -> (Vec<String>, std::collections::HashSet<String>) {
    let (book, _) = bookbuild::project::load(project);
    let book = book.expect("loads");
    let mut words = Vec::new();
    let mut extras: std::collections::HashSet<String> = std::collections::HashSet::new();
    for w in book.config.book.title.split_whitespace() {
        extras.insert(w.to_string());
    }
    fn blocks(bs: &[bookbuild::model::Block], out: &mut Vec<String>) {
        use bookbuild::model::Block;
        for b in bs {
            match b {
                Block::Para(p) => out.extend(
                    bookbuild::model::plain_text(&p.inlines)
                        .replace('\u{200a}', "")
                        .split_whitespace()
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                ),
                Block::Heading(h) => out.extend(
                    bookbuild::model::plain_text(&h.inlines)
                        .replace('\u{200a}', "")
                        .split_whitespace()
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                ),
                Block::Quote(q) => blocks(q, out),
                Block::List(l) => l.items.iter().for_each(|i| blocks(i, out)),
                Block::Table(t) => {
                    for row in t.header.iter().chain(t.rows.iter()) {
                        for c in row {
                            out.extend(
                                bookbuild::model::plain_text(c)
                                    .replace('\u{200a}', "")
                                    .split_whitespace()
                                    .map(str::to_string)
                                    .collect::<Vec<_>>(),
                            );
                        }
                    }
                }
                Block::Figure(f) => out.extend(
                    bookbuild::model::plain_text(&f.caption)
                        .replace('\u{200a}', "")
                        .split_whitespace()
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                ),
                Block::SceneBreak => out.extend(["*", "*", "*"].map(str::to_string)),
                Block::Code(c) => out.extend(
                    c.text
                        .replace('\u{200a}', "")
                        .split_whitespace()
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                ),
                Block::Html(..) => {}
            }
        }
    }
    for e in &book.entries {
        for w in e.title.split_whitespace() {
            extras.insert(w.to_string());
        }
        match &e.kind {
            bookbuild::model::EntryKind::Document(d) => {
                let title = d
                    .heading
                    .as_ref()
                    .map(|h| bookbuild::model::plain_text(&h.inlines))
                    .unwrap_or_else(|| e.title.clone());
                words.extend(
                    title
                        .replace('\u{200a}', "")
                        .split_whitespace()
                        .map(str::to_string)
                        .collect::<Vec<_>>(),
                );
                blocks(&d.blocks, &mut words);
            }
            bookbuild::model::EntryKind::Group => words.extend(
                e.title
                    .replace('\u{200a}', "")
                    .split_whitespace()
                    .map(str::to_string)
                    .collect::<Vec<_>>(),
            ),
            _ => {}
        }
    }
    for n in &book.notes {
        let mut v = Vec::new();
        blocks(&n.blocks, &mut v);
        extras.extend(v);
    }
    (words, extras)
}

/// pdftotext's words equal the manuscript's, in order: hyphenation is undone, and the only
/// other words are running heads, folios, note numbers and the notes themselves.
#[test]
fn copied_text_is_the_manuscript_text() {
    let project = corpus("war-and-peace");
    let (expected, extras) = manuscript_words(&project);
    let (_, pdf) = built("war-and-peace");
    // Running heads and folios are set apart from the text: drop those lines first, so a word
    // broken across two pages joins up again.
    let labels = page_labels(pdf);
    let pages: Vec<String> = page_texts(pdf)
        .iter()
        .zip(labels.iter().chain(std::iter::repeat(&String::new())))
        .map(|(t, label)| {
            t.lines()
                .filter(|l| {
                    let l = l.trim();
                    !(l == label
                        || l.starts_with(&format!("{label} "))
                        || l.ends_with(&format!(" {label}")))
                })
                .collect::<Vec<_>>()
                .join("\n")
        })
        .collect();
    let text = pages.join("\n").replace('\u{200a}', "");
    let got: Vec<&str> = text.split_whitespace().collect();
    let is_folio = |w: &str| {
        w.chars().all(|c| c.is_ascii_digit())
            || (!w.is_empty() && w.chars().all(|c| "ivxlcdm".contains(c)))
    };
    // Words that may stand between the words of the text: folios, list labels, leaders,
    // running heads (entry and book titles) and the notes (with their numbers), whole or
    // broken at a line end.
    let skippable = |w: &str| {
        let list_label = w == "•"
            || (w.ends_with('.')
                && w.len() > 1
                && w[..w.len() - 1].chars().all(|c| c.is_ascii_digit()));
        is_folio(w)
            || list_label
            || extras.contains(w)
            || w.chars().all(|c| c == '.')
            || w.trim_end_matches('-').is_empty()
            || extras
                .iter()
                .any(|e| e.starts_with(w.trim_end_matches('-')) || e.ends_with(w))
    };
    let first = expected.first().unwrap();
    let mut g = got
        .iter()
        .position(|w| w == first)
        .expect("the first word of the text is in the PDF");
    let mut i = 0;
    let mut skipped_unknown = Vec::new();
    while i < expected.len() && g < got.len() {
        let want = expected[i].as_str();
        let w = got[g];
        if w == want {
            i += 1;
            g += 1;
            continue;
        }
        // A word broken at the end of a line: "hy-" + "phenation", "well-" + "known", "Antichrist—" + "I".
        // Between the two halves there may be notes, a folio and a running head.
        if w.ends_with(['-', '—', '–', '/']) {
            let mut k = g + 1;
            let mut found = false;
            while k < got.len() && k < g + 80 {
                let next = got[k];
                let joined_hyphen = format!("{}{}", w.trim_end_matches('-'), next);
                let joined = format!("{w}{next}");
                let same = |c: &str| c == want || without_one_number(c).iter().any(|x| x == want);
                let hit = (w.ends_with('-') && (same(&joined_hyphen) || same(&joined)))
                    || (!w.ends_with('-') && same(&joined));
                if hit {
                    i += 1;
                    g = k + 1;
                    found = true;
                    break;
                }
                if !skippable(next) {
                    break;
                }
                k += 1;
            }
            if found {
                continue;
            }
        }
        // A note reference: the word with the note's number in it ("reviendra.”1").
        if without_one_number(w).iter().any(|x| x == want) {
            i += 1;
            g += 1;
            continue;
        }
        if skippable(w) {
            g += 1;
            continue;
        }
        skipped_unknown.push(format!("{w} (expected {want})"));
        assert!(
            skipped_unknown.len() < 5,
            "the PDF text departs from the manuscript: {skipped_unknown:?}"
        );
        g += 1;
    }
    assert_eq!(
        i,
        expected.len(),
        "only {i} of {} words were found in order; next expected {:?}",
        expected.len(),
        expected.get(i)
    );
    assert!(skipped_unknown.is_empty(), "{skipped_unknown:?}");
}

/// The word with one run of digits taken out, for each run it has.
fn without_one_number(w: &str) -> Vec<String> {
    let mut out = Vec::new();
    let b: Vec<(usize, char)> = w.char_indices().collect();
    let mut k = 0;
    while k < b.len() {
        if b[k].1.is_ascii_digit() {
            let start = b[k].0;
            let mut e = k;
            while e < b.len() && b[e].1.is_ascii_digit() {
                e += 1;
            }
            let end = b.get(e).map_or(w.len(), |x| x.0);
            out.push(format!("{}{}", &w[..start], &w[end..]));
            k = e;
        } else {
            k += 1;
        }
    }
    out
}

/// A picture alone in its paragraph is a figure: scaled to the measure, kept whole with its
/// caption, the JPEG passed through unchanged, a warning when it prints below 200 dpi; in the
/// EPUB a figure with the caption as alt text.
#[test]
fn figures_in_print_and_epub() {
    let dir = init_project();
    let p = book(&dir);
    std::fs::copy(
        repo().join("tests/fixtures/map.jpg"),
        p.join("manuscript/images/map.jpg"),
    )
    .unwrap();
    edit(&p.join("manuscript/chapter-2.md"), |s| {
        s + "\n![A map of the *steppe*](images/map.jpg)\n\nAfter the map.\n\n\
             ![Grassland with a river, seen from a hill](images/map.jpg \"The valley in 1921\")\n"
    });
    let out = tempfile::tempdir().unwrap();
    let o = build_into(&p, "build", out.path());
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    // 300 px printed at 150 dpi (no larger: never enlarged past that) is under the 300 dpi
    // printers ask for: one warning at the picture's line, with the pixels needed.
    assert!(
        err.contains(
            "manuscript/chapter-2.md:12:1: warning: manuscript/images/map.jpg prints at 150 dpi"
        ),
        "{err}"
    );
    let pdf = only(out.path(), "pdf");
    let list = Command::new("pdfimages")
        .arg("-list")
        .arg(&pdf)
        .output()
        .expect("pdfimages");
    let list = String::from_utf8_lossy(&list.stdout);
    let row = list
        .lines()
        .nth(2)
        .unwrap_or_else(|| panic!("no image in the PDF:\n{list}"));
    assert!(
        row.contains(" jpeg ") && row.contains(" 300 ") && row.contains(" 200 "),
        "the JPEG is passed through: {row}"
    );
    // At 150 dpi, or a little sharper when made smaller to fill its page; never enlarged.
    let ppi: Vec<f64> = row
        .split_whitespace()
        .skip(12)
        .take(2)
        .map(|v| v.parse().unwrap())
        .collect();
    assert!(
        ppi.len() == 2 && ppi.iter().all(|p| (150.0..=180.0).contains(p)),
        "{row}"
    );
    let text = page_texts(&pdf).join("\n");
    assert!(
        text.contains("A map of the steppe"),
        "the alt text is the caption when there is no title"
    );
    assert!(
        text.contains("The valley in 1921"),
        "the title is the caption"
    );
    assert!(
        !text.contains("Grassland with a river"),
        "the alt text is not printed"
    );
    let files: HashMap<String, String> = unzip(&only(out.path(), "epub"))
        .into_iter()
        .map(|(n, _, d)| (n, String::from_utf8_lossy(&d).into_owned()))
        .collect();
    let ch = &files["EPUB/chapter-2.xhtml"];
    assert!(ch.contains("<figure id=\"fig-1\">\n<img src=\"images/map.jpg\" alt=\"A map of the steppe\"/>\n<figcaption>A map of the <em>steppe</em></figcaption>"), "{ch}");
    // Alt text and caption differ where the author gave both.
    assert!(ch.contains("<figure id=\"fig-2\">\n<img src=\"images/map.jpg\" alt=\"Grassland with a river, seen from a hill\"/>\n<figcaption>The valley in 1921</figcaption>"), "{ch}");
    let (ok, report) = epubcheck(&only(out.path(), "epub"));
    assert!(ok, "{report}");
}

/// With crop marks, the media grows to hold them around the bleed; the trim stays.
#[test]
fn crop_marks_grow_the_media() {
    let dir = init_project();
    let p = book(&dir);
    edit(&p.join("build.toml"), |s| {
        s.replace("bleed = \"3mm\"", "bleed = \"3mm\"\ncrop_marks = true")
    });
    let out = tempfile::tempdir().unwrap();
    assert!(build_into(&p, "pdf", out.path()).status.success());
    let info = tool("pdfinfo", &["-box"], &only(out.path(), "pdf"));
    let get = |name: &str| -> Vec<f64> {
        info.lines()
            .find(|l| l.starts_with(name))
            .unwrap()
            .split(':')
            .nth(1)
            .unwrap()
            .split_whitespace()
            .map(|v| v.parse().unwrap())
            .collect()
    };
    let (media, trim) = (get("MediaBox"), get("TrimBox"));
    let mm = 72.0 / 25.4;
    assert!(
        (media[2] - media[0] - (148.0 * mm + 2.0 * (3.0 * mm + 36.0))).abs() < 0.02,
        "{media:?}"
    );
    assert!((trim[2] - trim[0] - 148.0 * mm).abs() < 0.02, "{trim:?}");
}

/// Alice in the PDF itself: every one of the 42 pictures is embedded once, in manuscript
/// order, undistorted (the same resolution across and down) and never enlarged past 150 dpi,
/// with its caption printed on its page; the qpdf check passes.
#[test]
fn alice_pictures_in_the_pdf() {
    let (_, pdf) = built("alices-adventures-in-wonderland");
    qpdf_ok("alices-adventures-in-wonderland");
    let project = corpus("alices-adventures-in-wonderland");
    let (book, _) = bookbuild::project::load(&project);
    let book = book.unwrap();
    let mut figures = Vec::new();
    for e in &book.entries {
        if let bookbuild::model::EntryKind::Document(d) = &e.kind {
            figures.extend(d.blocks.iter().filter_map(|b| match b {
                bookbuild::model::Block::Figure(f) => Some(f),
                _ => None,
            }));
        }
    }
    let list = tool("pdfimages", &["-list"], pdf);
    let rows: Vec<Vec<&str>> = list
        .lines()
        .skip(2)
        .map(|l| l.split_whitespace().collect())
        .collect();
    assert_eq!(rows.len(), figures.len(), "{list}");
    assert_eq!(rows.len(), 42);
    let texts: Vec<String> = page_texts(pdf).iter().map(|t| norm(t)).collect();
    for (f, row) in figures.iter().zip(&rows) {
        let info = &book.images[f.image as usize];
        let (w, h): (u32, u32) = (row[3].parse().unwrap(), row[4].parse().unwrap());
        let caption = bookbuild::model::plain_text(&f.caption);
        assert_eq!(
            (w, h),
            (info.width, info.height),
            "{caption}: out of manuscript order"
        );
        let (xppi, yppi): (f64, f64) = (row[12].parse().unwrap(), row[13].parse().unwrap());
        assert!((xppi - yppi).abs() <= 1.0, "{caption}: distorted: {row:?}");
        assert!(xppi >= 149.0, "{caption}: enlarged past 150 dpi: {row:?}");
        let page: usize = row[0].parse().unwrap();
        let start: String = norm(&caption)
            .split(' ')
            .take(6)
            .collect::<Vec<_>>()
            .join(" ");
        assert!(
            texts[page - 1].contains(&start),
            "the caption \"{start}\" is not on page {page} with its picture"
        );
    }
}

/// A build that is given the book lets go of its text while the PDF is written, and sends
/// the pages it draws early to a file until the writer takes them (what the command line
/// does); the preview's build keeps both in memory. They write the same files, byte for
/// byte: on a book with pictures, one with notes, with and without the EPUB.
#[test]
fn a_build_that_lets_go_of_its_text_writes_the_same_files() {
    use bookbuild::pipeline::{Targets, build_owned, build_with};
    let progress = bookbuild::progress::Progress::new(true);
    let time = bookbuild::model::Timestamp::fixed(0);
    for name in ["alices-adventures-in-wonderland", "meditations"] {
        for epub in [true, false] {
            let targets = Targets { pdf: true, epub };
            let out = tempfile::tempdir().unwrap();
            let book = loaded(&corpus(name));
            let kept = build_with(
                &book,
                targets,
                out.path(),
                time,
                &progress,
                None,
                &mut |_, _| {},
            )
            .unwrap();
            let given = build_owned(book, targets, out.path(), time, &progress).unwrap();
            assert_eq!(kept.files.len(), if epub { 3 } else { 2 });
            assert_eq!(kept.files.len(), given.files.len());
            for ((path, a), (again, b)) in kept.files.iter().zip(&given.files) {
                assert_eq!(path, again);
                assert!(a == b, "{name}: {} differs", path.display());
            }
        }
    }
}
