//! PDF/X: `[pdf] standard = "pdf/x-4"` (and "pdf/x-1a") on the sample and War and Peace,
//! interior and cover, checked point by point with lopdf, then by qpdf and Ghostscript.

mod common;

use common::*;
use lopdf::{Dictionary, Document, Object};
use std::path::{Path, PathBuf};
use std::process::Command;

fn with_standard(dir: &Path, line: &str) {
    edit(&dir.join("build.toml"), |s| {
        s.replacen("[pdf]\n", &format!("[pdf]\n{line}\n"), 1)
    });
}

/// Builds the PDFs of `project` with `line` added to [pdf]; returns (interior, cover).
fn build_x(project: &Path, line: &str, out: &Path) -> (PathBuf, PathBuf) {
    with_standard(project, line);
    let o = build_into(project, "pdf", out);
    assert!(o.status.success(), "{}", stderr(&o));
    let mut pdfs: Vec<PathBuf> = files(out).into_iter().map(|f| out.join(f)).collect();
    pdfs.sort_by_key(|p| p.to_string_lossy().ends_with("-cover.pdf"));
    (pdfs[0].clone(), pdfs[1].clone())
}

fn resolve<'a>(doc: &'a Document, o: &'a Object) -> &'a Object {
    match o {
        Object::Reference(id) => doc.get_object(*id).expect("a reference resolves"),
        o => o,
    }
}

fn dict<'a>(doc: &'a Document, d: &'a Dictionary, key: &str) -> &'a Dictionary {
    resolve(
        doc,
        d.get(key.as_bytes()).unwrap_or_else(|_| panic!("/{key}")),
    )
    .as_dict()
    .unwrap_or_else(|_| panic!("/{key} is a dictionary"))
}

fn string(doc: &Document, d: &Dictionary, key: &str) -> String {
    let o = resolve(
        doc,
        d.get(key.as_bytes()).unwrap_or_else(|_| panic!("/{key}")),
    );
    String::from_utf8_lossy(o.as_str().unwrap_or_else(|_| panic!("/{key} is a string")))
        .into_owned()
}

fn rect(doc: &Document, page: &Dictionary, key: &str) -> Option<[f64; 4]> {
    let a = resolve(doc, page.get(key.as_bytes()).ok()?)
        .as_array()
        .ok()?;
    let v: Vec<f64> = a
        .iter()
        .map(|x| {
            x.as_float()
                .map(f64::from)
                .or_else(|_| x.as_i64().map(|i| i as f64))
                .unwrap()
        })
        .collect();
    Some([v[0], v[1], v[2], v[3]])
}

fn inside(inner: [f64; 4], outer: [f64; 4]) -> bool {
    let e = 0.01;
    inner[0] >= outer[0] - e
        && inner[1] >= outer[1] - e
        && inner[2] <= outer[2] + e
        && inner[3] <= outer[3] + e
}

/// Every point PDF/X asks of a file, at `version`.
fn assert_pdfx(pdf: &Path, version: &str, header: &str) {
    let doc = Document::load(pdf).expect("lopdf reads it");
    let name = pdf.display();
    assert_eq!(doc.version, header, "{name}: PDF version");
    assert!(
        doc.trailer.get(b"Encrypt").is_err(),
        "{name}: not encrypted"
    );
    let id = doc
        .trailer
        .get(b"ID")
        .and_then(Object::as_array)
        .expect("a file /ID");
    assert_eq!(id.len(), 2, "{name}: /ID has two strings");
    let catalog = doc.catalog().unwrap();

    // The output intent and its profile.
    let intents = resolve(&doc, catalog.get(b"OutputIntents").expect("/OutputIntents"))
        .as_array()
        .unwrap();
    assert_eq!(intents.len(), 1, "{name}: one output intent");
    let oi = resolve(&doc, &intents[0]).as_dict().unwrap();
    assert_eq!(oi.get(b"S").unwrap().as_name().unwrap(), b"GTS_PDFX");
    assert_eq!(string(&doc, oi, "OutputConditionIdentifier"), "FOGRA39");
    assert_eq!(string(&doc, oi, "RegistryName"), "http://www.color.org");
    let icc = resolve(&doc, oi.get(b"DestOutputProfile").unwrap())
        .as_stream()
        .unwrap();
    assert_eq!(icc.dict.get(b"N").unwrap().as_i64().unwrap(), 4);
    let bytes = icc
        .decompressed_content()
        .unwrap_or_else(|_| icc.content.clone());
    assert_eq!(&bytes[36..40], b"acsp", "{name}: an ICC profile");
    assert_eq!(&bytes[12..16], b"prtr", "{name}: an output device profile");
    assert_eq!(&bytes[16..20], b"CMYK", "{name}: for CMYK");
    assert_eq!(
        u32::from_be_bytes(bytes[0..4].try_into().unwrap()) as usize,
        bytes.len()
    );

    // Info and XMP.
    let info = dict(&doc, &doc.trailer, "Info");
    assert_eq!(info.get(b"Trapped").unwrap().as_name().unwrap(), b"False");
    assert_eq!(string(&doc, info, "GTS_PDFXVersion"), version);
    for key in ["Title", "CreationDate", "ModDate"] {
        assert!(!string(&doc, info, key).is_empty(), "{name}: Info /{key}");
    }
    let meta = resolve(&doc, catalog.get(b"Metadata").unwrap())
        .as_stream()
        .unwrap();
    let xmp = String::from_utf8(
        meta.decompressed_content()
            .unwrap_or_else(|_| meta.content.clone()),
    )
    .unwrap();
    for want in [
        format!("<pdfxid:GTS_PDFXVersion>{version}</pdfxid:GTS_PDFXVersion>"),
        "<pdf:Trapped>False</pdf:Trapped>".to_string(),
        "<xmpMM:DocumentID>".to_string(),
        "<xmpMM:VersionID>".to_string(),
        "<xmpMM:RenditionClass>default</xmpMM:RenditionClass>".to_string(),
        "<xmp:CreateDate>".to_string(),
        "<xmp:ModifyDate>".to_string(),
        "<xmp:MetadataDate>".to_string(),
        "<dc:title>".to_string(),
    ] {
        assert!(xmp.contains(&want), "{name}: XMP has {want}");
    }
    assert!(
        roxmltree::Document::parse(xmp.trim_start_matches('\u{feff}')).is_ok(),
        "{name}: XMP is XML"
    );

    // Pages: TrimBox ⊆ BleedBox ⊆ MediaBox, no annotations; fonts embedded.
    for (n, pid) in doc.get_pages() {
        let page = doc.get_dictionary(pid).unwrap();
        let media = rect(&doc, page, "MediaBox").expect("MediaBox");
        let trim =
            rect(&doc, page, "TrimBox").unwrap_or_else(|| panic!("{name}: page {n} has a TrimBox"));
        assert!(
            page.get(b"ArtBox").is_err(),
            "{name}: TrimBox, not ArtBox too"
        );
        let bleed = rect(&doc, page, "BleedBox").unwrap_or(media);
        assert!(
            inside(trim, bleed) && inside(bleed, media),
            "{name}: page {n} boxes nest"
        );
        assert!(
            page.get(b"Annots").is_err(),
            "{name}: page {n} has no annotations"
        );
    }
    for o in doc.objects.values() {
        let Ok(d) = o.as_dict() else { continue };
        if d.get(b"Type").and_then(Object::as_name).ok() == Some(b"FontDescriptor") {
            assert!(
                ["FontFile", "FontFile2", "FontFile3"]
                    .iter()
                    .any(|k| d.get(k.as_bytes()).is_ok()),
                "{name}: every font is embedded"
            );
        }
    }
    tools_pass(pdf);
}

fn tools_pass(pdf: &Path) {
    let q = Command::new("qpdf")
        .arg("--check")
        .arg(pdf)
        .output()
        .expect("qpdf is installed");
    assert!(
        q.status.success(),
        "qpdf --check: {}",
        String::from_utf8_lossy(&q.stdout)
    );
    let gs = Command::new("gs")
        .args([
            "-q",
            "-dNOPAUSE",
            "-dBATCH",
            "-o",
            "/dev/null",
            "-sDEVICE=nullpage",
        ])
        .arg(pdf)
        .output()
        .expect("ghostscript is installed");
    let err =
        String::from_utf8_lossy(&gs.stderr).into_owned() + &String::from_utf8_lossy(&gs.stdout);
    assert!(
        gs.status.success() && !err.contains("rror"),
        "gs renders every page: {err}"
    );
}

#[test]
fn the_sample_as_pdf_x4() {
    let dir = sample_copy();
    let out = tempfile::tempdir().unwrap();
    let (interior, cover) = build_x(dir.path(), "standard = \"pdf/x-4\"", out.path());
    assert_pdfx(&interior, "PDF/X-4", "1.6");
    assert_pdfx(&cover, "PDF/X-4", "1.6");
    // Text is 100% K in the printer's profile, not device grey: every page sets it.
    let doc = Document::load(&interior).unwrap();
    for (n, pid) in doc.get_pages() {
        let content = String::from_utf8_lossy(&doc.get_page_content(pid)).into_owned();
        let has_text = content.contains("Tj") || content.contains("TJ");
        assert!(
            !has_text || content.contains("cs 0 0 0 1 scn"),
            "page {n} sets 100% K"
        );
        assert!(
            !content.contains(" g\n") && !content.contains(" rg\n"),
            "page {n}: no device grey or RGB"
        );
    }
    let again = tempfile::tempdir().unwrap();
    let o = build_into(dir.path(), "pdf", again.path());
    assert!(o.status.success());
    for f in files(out.path()) {
        assert_eq!(
            std::fs::read(out.path().join(&f)).unwrap(),
            std::fs::read(again.path().join(&f)).unwrap(),
            "{f:?} is reproducible"
        );
    }
}

#[test]
fn war_and_peace_as_pdf_x4() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&corpus("war-and-peace"), dir.path());
    let out = tempfile::tempdir().unwrap();
    let (interior, cover) = build_x(dir.path(), "standard = \"pdf/x-4\"", out.path());
    assert_pdfx(&interior, "PDF/X-4", "1.6");
    assert_pdfx(&cover, "PDF/X-4", "1.6");
}

#[test]
fn pdf_x1a_takes_cmyk_and_grey_only() {
    let dir = sample_copy();
    let out = tempfile::tempdir().unwrap();
    let (interior, cover) = build_x(dir.path(), "standard = \"pdf/x-1a\"", out.path());
    for pdf in [&interior, &cover] {
        assert_pdfx(pdf, "PDF/X-1a:2003", "1.4");
        let doc = Document::load(pdf).unwrap();
        let info = dict(&doc, &doc.trailer, "Info");
        assert_eq!(string(&doc, info, "GTS_PDFXConformance"), "PDF/X-1a:2003");
        // Device CMYK and grey only: no ICC-based or RGB colour.
        for o in doc.objects.values() {
            if let Ok(a) = o.as_array() {
                assert!(
                    a.first().and_then(|n| n.as_name().ok()) != Some(b"ICCBased"),
                    "no ICCBased colour in X-1a"
                );
            }
            if let Ok(d) = o.as_dict() {
                assert!(d.get(b"SMask").is_err(), "no soft masks in X-1a");
            }
        }
    }
    // Alice's RGB pictures cannot go into X-1a: each is named.
    let alice = tempfile::tempdir().unwrap();
    copy_tree(&corpus("alices-adventures-in-wonderland"), alice.path());
    with_standard(alice.path(), "standard = \"pdf/x-1a\"");
    let o = run(alice.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains("PDF/X-1a allows only CMYK and grey; this picture is an RGB"),
        "{e}"
    );
    assert!(e.contains("pdf/x-4"), "{e}");
}

#[test]
fn the_printers_own_profile_or_a_located_error() {
    let dir = sample_copy();
    std::fs::create_dir_all(dir.path().join("profiles")).unwrap();
    let builtin = std::fs::read(repo().join("profiles/FOGRA39-bookbuild.icc")).unwrap();
    std::fs::write(dir.path().join("profiles/printer.icc"), &builtin).unwrap();
    let mut screen = builtin.clone();
    screen[12..16].copy_from_slice(b"mntr");
    std::fs::write(dir.path().join("profiles/screen.icc"), &screen).unwrap();
    with_standard(
        dir.path(),
        "standard = [\"pdf/x-4\"]\noutput_profile = \"profiles/screen.icc\"",
    );
    let o = run(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(e.contains("build.toml:29:18: error: profiles/screen.icc is not a printer's output profile: its device class is 'mntr'"), "{e}");
    edit(&dir.path().join("build.toml"), |s| {
        s.replace("screen.icc", "printer.icc")
    });
    let out = tempfile::tempdir().unwrap();
    let o = build_into(dir.path(), "pdf", out.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let doc = Document::load(out.path().join(&files(out.path())[1])).unwrap();
    let oi = resolve(
        &doc,
        &resolve(&doc, doc.catalog().unwrap().get(b"OutputIntents").unwrap())
            .as_array()
            .unwrap()[0],
    )
    .as_dict()
    .unwrap()
    .clone();
    assert_eq!(string(&doc, &oi, "OutputConditionIdentifier"), "Custom");
    assert_eq!(string(&doc, &oi, "OutputCondition"), "profiles/printer.icc");
}
