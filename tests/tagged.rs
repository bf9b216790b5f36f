//! Tagged PDF and PDF/UA-1: the structure tree read back with lopdf — headings in outline
//! order, every figure described, notes after the paragraph that refers to them, running
//! heads and folios outside the tree — and krilla's PDF/UA-1 validator on whole books.

mod common;

use common::*;
use lopdf::content::Content;
use lopdf::{Dictionary, Document, Object, ObjectId};
use std::path::{Path, PathBuf};
use std::process::Command;

fn with_pdf(dir: &Path, line: &str) {
    edit(&dir.join("build.toml"), |s| {
        s.replacen("[pdf]\n", &format!("[pdf]\n{line}\n"), 1)
    });
}

fn build_pdf(project: &Path, out: &Path) -> PathBuf {
    let o = build_into(project, "pdf", out);
    assert!(o.status.success(), "{}", stderr(&o));
    files(out)
        .into_iter()
        .map(|f| out.join(f))
        .find(|p| !p.to_string_lossy().ends_with("-cover.pdf"))
        .expect("an interior PDF")
}

/// A structure element as read back: its type, title, alt text, parent's index, and the
/// page of its first marked content.
#[derive(Debug, Clone)]
struct Elem {
    s: String,
    t: Option<String>,
    alt: Option<String>,
    parent: Option<usize>,
    mcids: usize,
}

fn text(o: &Object) -> Option<String> {
    let b = o.as_str().ok()?;
    Some(match b.strip_prefix(&[0xFE, 0xFF]) {
        Some(rest) => String::from_utf16_lossy(
            &rest
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect::<Vec<_>>(),
        ),
        None => String::from_utf8_lossy(b).into_owned(),
    })
}

/// The structure tree in pre-order (reading order).
fn tree(doc: &Document) -> Vec<Elem> {
    let root = doc
        .catalog()
        .unwrap()
        .get(b"StructTreeRoot")
        .unwrap()
        .as_reference()
        .unwrap();
    let root = doc.get_dictionary(root).unwrap();
    let mut out = Vec::new();
    fn kids(doc: &Document, k: &Object) -> Vec<Object> {
        match k {
            Object::Array(a) => a.clone(),
            o => vec![o.clone()],
        }
        .into_iter()
        .map(|o| match o {
            Object::Reference(id) => doc.get_object(id).cloned().unwrap_or(Object::Null),
            o => o,
        })
        .collect()
    }
    fn walk(doc: &Document, d: &Dictionary, parent: Option<usize>, out: &mut Vec<Elem>) {
        let me = out.len();
        out.push(Elem {
            s: d.get(b"S")
                .and_then(Object::as_name)
                .map(|n| String::from_utf8_lossy(n).into_owned())
                .unwrap_or_default(),
            t: d.get(b"T").ok().and_then(text),
            alt: d.get(b"Alt").ok().and_then(text),
            parent,
            mcids: 0,
        });
        let Ok(k) = d.get(b"K") else { return };
        for kid in kids(doc, k) {
            match kid {
                Object::Integer(_) => out[me].mcids += 1,
                Object::Dictionary(c) if c.get(b"S").is_ok() => walk(doc, &c, Some(me), out),
                Object::Dictionary(c) if c.get(b"MCID").is_ok() => out[me].mcids += 1,
                _ => {}
            }
        }
    }
    for kid in kids(doc, root.get(b"K").unwrap()) {
        if let Object::Dictionary(d) = kid {
            walk(doc, &d, None, &mut out);
        }
    }
    out
}

/// The outline's titles, depth first.
fn outline(doc: &Document) -> Vec<String> {
    let mut out = Vec::new();
    let Ok(o) = doc
        .catalog()
        .unwrap()
        .get(b"Outlines")
        .and_then(Object::as_reference)
    else {
        return out;
    };
    fn walk(doc: &Document, first: Option<ObjectId>, out: &mut Vec<String>) {
        let mut at = first;
        while let Some(id) = at {
            let d = doc.get_dictionary(id).unwrap();
            out.push(d.get(b"Title").ok().and_then(text).unwrap_or_default());
            walk(
                doc,
                d.get(b"First").and_then(Object::as_reference).ok(),
                out,
            );
            at = d.get(b"Next").and_then(Object::as_reference).ok();
        }
    }
    let first = doc
        .get_dictionary(o)
        .unwrap()
        .get(b"First")
        .and_then(Object::as_reference)
        .ok();
    walk(doc, first, &mut out);
    out
}

/// For each page, whether every text operator is inside marked content, and how many are
/// inside an artifact.
fn text_marking(doc: &Document, page: ObjectId) -> (bool, usize, usize) {
    let content = Content::decode(&doc.get_page_content(page)).unwrap();
    let mut stack: Vec<bool> = Vec::new(); // true: an artifact
    let (mut all_marked, mut in_artifact, mut tagged) = (true, 0, 0);
    for op in &content.operations {
        match op.operator.as_str() {
            "BDC" | "BMC" => {
                let art = op.operands.first().and_then(|o| o.as_name().ok()) == Some(b"Artifact");
                stack.push(art || stack.last().copied().unwrap_or(false));
            }
            "EMC" => {
                stack.pop();
            }
            "Tj" | "TJ" | "'" | "\"" => match stack.last() {
                None => all_marked = false,
                Some(true) => in_artifact += 1,
                Some(false) => tagged += 1,
            },
            _ => {}
        }
    }
    (all_marked, in_artifact, tagged)
}

fn assert_tagged(pdf: &Path) -> (Document, Vec<Elem>) {
    let info = Command::new("pdfinfo").arg(pdf).output().expect("pdfinfo");
    assert!(
        String::from_utf8_lossy(&info.stdout).contains("Tagged:          yes"),
        "pdfinfo says Tagged: yes"
    );
    let doc = Document::load(pdf).unwrap();
    let elems = tree(&doc);
    assert!(!elems.is_empty());
    // Headings carry their text, and the bookmarks follow them in order.
    let headings: Vec<String> = elems
        .iter()
        .filter(|e| e.s.len() == 2 && e.s.starts_with('H'))
        .map(|e| e.t.clone().expect("a heading's /T"))
        .collect();
    let marks = outline(&doc);
    assert!(!marks.is_empty());
    let mut h = headings.iter();
    for m in &marks {
        assert!(
            h.any(|x| x.split_whitespace().eq(m.split_whitespace())),
            "bookmark {m:?} is a heading, in order; headings: {headings:?}"
        );
    }
    // Running heads and folios are artifacts; all text is marked.
    for (n, pid) in doc.get_pages() {
        let (all, artifact, tagged) = text_marking(&doc, pid);
        assert!(all, "page {n}: every text operator is marked content");
        let _ = (artifact, tagged);
    }
    (doc, elems)
}

#[test]
fn the_sample_tagged_and_pdf_ua() {
    let dir = sample_copy();
    with_pdf(dir.path(), "standard = \"pdf/ua-1\"");
    let out = tempfile::tempdir().unwrap();
    let pdf = build_pdf(dir.path(), out.path());
    let (doc, elems) = assert_tagged(&pdf);
    assert!(elems.iter().filter(|e| e.s == "P").count() > 100);
    // A body page: the running head and folio are artifacts, the text is tagged.
    let pages = doc.get_pages();
    let (_, art, tagged) = text_marking(&doc, pages[&12]);
    assert!(
        art >= 2 && tagged > 10,
        "page 12: {art} artifact runs, {tagged} tagged"
    );
    // Lists are lists.
    assert!(
        elems.iter().any(|e| e.s == "L")
            && elems.iter().any(|e| e.s == "LI")
            && elems.iter().any(|e| e.s == "LBody")
    );
}

#[test]
fn meditations_tagged_with_notes_after_their_references() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&corpus("meditations"), dir.path());
    with_pdf(dir.path(), "standard = \"pdf/ua-1\"");
    let out = tempfile::tempdir().unwrap();
    let pdf = build_pdf(dir.path(), out.path());
    let (_, elems) = assert_tagged(&pdf);
    let notes: Vec<usize> = (0..elems.len()).filter(|&i| elems[i].s == "Note").collect();
    assert_eq!(notes.len(), 122, "every note is in the tree");
    for &i in &notes {
        // The element read just before a note (skipping earlier notes and their content)
        // is the block that refers to it, with the same parent.
        let before = (0..i)
            .rev()
            .find(|&j| elems[j].parent == elems[i].parent && elems[j].s != "Note")
            .expect("a block before the note");
        assert!(
            matches!(
                elems[before].s.as_str(),
                "P" | "H1" | "H2" | "H3" | "LBody" | "BlockQuote" | "TD"
            ),
            "note {i} follows a {}",
            elems[before].s
        );
        assert!(elems[i].mcids > 0, "the note has its text");
    }
    // PDF/UA-1: krilla's validator passed (the build succeeded); its identification is there.
    let doc = Document::load(&pdf).unwrap();
    let meta = doc
        .catalog()
        .unwrap()
        .get(b"Metadata")
        .unwrap()
        .as_reference()
        .unwrap();
    let xmp = doc.get_object(meta).unwrap().as_stream().unwrap();
    let xmp = String::from_utf8_lossy(
        &xmp.decompressed_content()
            .unwrap_or_else(|_| xmp.content.clone()),
    )
    .into_owned();
    assert!(
        xmp.contains("pdfuaid:part>1<") || xmp.contains("pdfuaid:part=\"1\""),
        "{xmp}"
    );
}

#[test]
fn alice_figures_carry_their_descriptions() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&corpus("alices-adventures-in-wonderland"), dir.path());
    with_pdf(dir.path(), "standard = [\"pdf/x-4\", \"pdf/ua-1\"]");
    let out = tempfile::tempdir().unwrap();
    let pdf = build_pdf(dir.path(), out.path());
    let (doc, elems) = assert_tagged(&pdf);
    let figures: Vec<&Elem> = elems.iter().filter(|e| e.s == "Figure").collect();
    assert_eq!(figures.len(), 42);
    for f in &figures {
        assert!(
            f.alt.as_deref().is_some_and(|a| a.len() > 3),
            "{f:?} has /Alt"
        );
        assert!(f.mcids > 0, "the picture is its content");
    }
    assert!(elems.iter().any(|e| e.s == "Caption"));
    // With PDF/X-4 too: the output intent is there, and the cover is X-4 only.
    assert!(doc.catalog().unwrap().get(b"OutputIntents").is_ok());
    let cover = files(out.path())
        .into_iter()
        .find(|f| f.to_string_lossy().ends_with("-cover.pdf"))
        .unwrap();
    let cover = Document::load(out.path().join(cover)).unwrap();
    assert!(cover.catalog().unwrap().get(b"OutputIntents").is_ok());
    assert!(
        cover.catalog().unwrap().get(b"StructTreeRoot").is_err(),
        "the cover is not tagged"
    );
}

#[test]
fn pdf_ua_refuses_a_picture_without_a_description() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&corpus("alices-adventures-in-wonderland"), dir.path());
    with_pdf(dir.path(), "standard = \"pdf/ua-1\"");
    let chapter = files(&dir.path().join("manuscript"))
        .into_iter()
        .map(|f| dir.path().join("manuscript").join(f))
        .find(|p| std::fs::read_to_string(p).is_ok_and(|s| s.contains("![")))
        .unwrap();
    let text = std::fs::read_to_string(&chapter).unwrap();
    let at = text.find("![").unwrap();
    let close = at + text[at..].find("](").unwrap();
    std::fs::write(
        &chapter,
        format!("{}![]{}", &text[..at], &text[close + 1..]),
    )
    .unwrap();
    let line = text[..at].matches('\n').count() + 1;
    let out = tempfile::tempdir().unwrap();
    let o = build_into(dir.path(), "pdf", out.path());
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    let name = chapter.file_name().unwrap().to_string_lossy().into_owned();
    assert!(
        e.contains(&format!("{name}:{line}:"))
            && e.contains("no alternative text, which PDF/UA-1 requires"),
        "{e}"
    );
    assert!(files(out.path()).is_empty());
}

#[test]
fn the_sample_epub_declares_epub_accessibility_and_says_why_when_it_cannot() {
    let opf = |dir: &Path| {
        let out = tempfile::tempdir().unwrap();
        let o = build_into(dir, "epub", out.path());
        assert!(o.status.success(), "{}", stderr(&o));
        let epub = only(out.path(), "epub");
        let opf = unzip(&epub)
            .into_iter()
            .find(|(n, _, _)| n.ends_with(".opf"))
            .unwrap()
            .2;
        (String::from_utf8(opf).unwrap(), stderr(&o))
    };
    let claim =
        "<meta property=\"dcterms:conformsTo\">EPUB Accessibility 1.1 - WCAG 2.2 Level AA</meta>";
    let dir = sample_copy();
    let (text, err) = opf(dir.path());
    assert!(text.contains(claim), "the sample earns the claim");
    assert!(!err.contains("warning"), "{err}");
    // Raw HTML: no claim, and a warning at its line.
    let chapter = dir.path().join("manuscript/chapter-1.md");
    edit(&chapter, |s| {
        format!("{s}\n<div class=\"box\">A boxed note.</div>\n")
    });
    let (text, err) = opf(dir.path());
    assert!(!text.contains("dcterms:conformsTo"));
    assert!(
        err.contains("chapter-1.md:")
            && err.contains("raw HTML, whose accessibility bookbuild cannot check"),
        "{err}"
    );
    edit(&dir.path().join("build.toml"), |s| {
        s.replacen("[epub]\n", "[epub]\naccessibility_claim = false\n", 1)
    });
    let (text, err) = opf(dir.path());
    assert!(
        !text.contains("dcterms:conformsTo") && !err.contains("raw HTML"),
        "{err}"
    );
}
