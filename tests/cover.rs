//! Covers: the wrap cover's size from the interior's real page count, the ISBN barcode as a
//! scanner reads it, and the EPUB cover picture (given, resized, converted or generated).

mod common;

use common::*;
use std::path::Path;
use std::process::Command;

fn media_box(pdf: &Path) -> (f64, f64) {
    let out = Command::new("pdfinfo")
        .arg("-box")
        .arg(pdf)
        .output()
        .expect("pdfinfo");
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("MediaBox"))
        .expect("a MediaBox");
    let v: Vec<f64> = line
        .split(':')
        .nth(1)
        .unwrap()
        .split_whitespace()
        .map(|x| x.parse().unwrap())
        .collect();
    (v[2] - v[0], v[3] - v[1])
}

fn page_count(pdf: &Path) -> usize {
    lopdf::Document::load(pdf).unwrap().get_pages().len()
}

fn check_wrap(project: &Path, trim: (f64, f64), bleed: f64, caliper_in: f64) {
    let out = tempfile::tempdir().unwrap();
    let o = build_into(project, "pdf", out.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let interior = only(out.path(), "pdf");
    let cover = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("-cover.pdf"))
        .expect("a cover PDF");
    let pages = page_count(&interior) as f64;
    let (w, h) = media_box(&cover);
    let spine = pages * caliper_in * 72.0;
    let want_w = 2.0 * trim.0 + spine + 2.0 * bleed;
    let want_h = trim.1 + 2.0 * bleed;
    assert!(
        (w - want_w).abs() <= 0.72,
        "cover width {w} pt, want {want_w} pt ({pages} pages)"
    );
    assert!(
        (h - want_h).abs() <= 0.72,
        "cover height {h} pt, want {want_h} pt"
    );
}

#[test]
fn the_wrap_cover_fits_the_interior() {
    let mm = 72.0 / 25.4;
    check_wrap(&repo(), (148.0 * mm, 210.0 * mm), 3.0 * mm, 0.002252);
    check_wrap(&corpus("war-and-peace"), (432.0, 648.0), 9.0, 0.002252);
}

fn with_isbn() -> tempfile::TempDir {
    let dir = init_project();
    edit(&book(&dir).join("build.toml"), |s| {
        s.replace(
            "language = \"en\"",
            "language = \"en\"\nisbn_print = \"978-0-306-40615-7\"",
        )
    });
    dir
}

#[test]
fn the_isbn_barcode_scans() {
    let dir = with_isbn();
    let out = tempfile::tempdir().unwrap();
    let o = build_into(&book(&dir), "pdf", out.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let cover = std::fs::read_dir(out.path())
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| p.to_string_lossy().ends_with("-cover.pdf"))
        .unwrap();
    let png = out.path().join("cover");
    let r = Command::new("pdftoppm")
        .args(["-r", "400", "-png", "-singlefile"])
        .arg(&cover)
        .arg(&png)
        .status()
        .expect("pdftoppm");
    assert!(r.success());
    let scan = Command::new("zbarimg")
        .args(["--raw", "-q", "-Sean13.enable"])
        .arg(png.with_extension("png"))
        .output()
        .expect("zbarimg is installed (zbar-tools)");
    let text = String::from_utf8_lossy(&scan.stdout);
    assert_eq!(
        text.trim(),
        "9780306406157",
        "zbarimg read: {text:?} {}",
        String::from_utf8_lossy(&scan.stderr)
    );
}

fn epub_cover(project: &Path) -> (Vec<u8>, String, tempfile::TempDir) {
    let out = tempfile::tempdir().unwrap();
    let o = build_into(project, "build", out.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let epub = only(out.path(), "epub");
    let (ok, report) = epubcheck(&epub);
    assert!(ok, "EPUBCheck with the cover:\n{report}");
    let entries = unzip(&epub);
    let opf = entries
        .iter()
        .find(|e| e.0 == "EPUB/package.opf")
        .map(|e| String::from_utf8_lossy(&e.2).into_owned())
        .unwrap();
    assert!(opf.contains("properties=\"cover-image\""));
    assert!(opf.contains("<meta name=\"cover\" content=\"cover-image\"/>"));
    let (name, _, bytes) = entries
        .into_iter()
        .find(|e| e.0.starts_with("EPUB/images/cover."))
        .expect("a cover picture");
    (bytes, name, out)
}

#[test]
fn a_book_without_a_front_cover_gets_a_generated_one() {
    let (bytes, name, _) = epub_cover(&repo());
    assert_eq!(name, "EPUB/images/cover.png");
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!(img.height(), 1600);
    // Not blank: the field and the lettering differ.
    let rgb = img.to_rgb8();
    let field = rgb.get_pixel(5, 5);
    assert!(
        rgb.pixels().any(|p| p != field),
        "the generated cover is one flat colour"
    );
}

#[test]
fn a_tall_front_cover_is_resized_for_the_epub() {
    let dir = init_project();
    std::fs::copy(
        repo().join("tests/fixtures/tall.png"),
        book(&dir).join("covers/front.png"),
    )
    .unwrap();
    let (bytes, name, _) = epub_cover(&book(&dir));
    assert_eq!(name, "EPUB/images/cover.jpg");
    let img = image::load_from_memory(&bytes).unwrap();
    assert_eq!((img.width(), img.height()), (800, 1600));
}

#[test]
fn a_cmyk_jpeg_front_cover_is_accepted_and_cropped_to_fill() {
    let dir = init_project();
    std::fs::copy(
        repo().join("tests/fixtures/front-cmyk.jpg"),
        book(&dir).join("covers/front.jpg"),
    )
    .unwrap();
    let out = tempfile::tempdir().unwrap();
    let o = build_into(&book(&dir), "build", out.path());
    let err = stderr(&o);
    assert!(o.status.success(), "{err}");
    // 600×900 is not the proportion of an A5 front with bleed: cropped, not stretched.
    let o = Command::new(bin())
        .arg("-C")
        .arg(book(&dir))
        .args(["pdf", "-o"])
        .arg(out.path())
        .env("SOURCE_DATE_EPOCH", "0")
        .output()
        .unwrap();
    let err = stderr(&o);
    assert!(err.contains("cropped to fill"), "{err}");
    assert!(err.contains("below the 300 dpi"), "{err}");
    // The EPUB gets an RGB JPEG: screens show CMYK JPEGs wrongly.
    let (bytes, name, _) = epub_cover(&book(&dir));
    assert_eq!(name, "EPUB/images/cover.jpg");
    assert_eq!(bookbuild::cover::jpeg_components(&bytes), Some(3));
}

#[test]
fn ean13_symbols_have_the_right_check_digit() {
    assert!(bookbuild::cover::ean13::modules("9780306406157").is_some());
    assert!(bookbuild::cover::ean13::modules("9780306406150").is_none());
}
