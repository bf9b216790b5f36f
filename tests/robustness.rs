//! Pathological inputs get an answer (a clear error or success), never a crash; legal but
//! extreme inputs build, with warnings where something was clamped or dropped; and a build
//! that is stopped leaves the previous outputs as they were.

mod common;

use common::*;

fn outcome(p: &std::path::Path, cmd: &str) -> (Option<i32>, String) {
    let out = run(p, &[cmd]);
    let err = stderr(&out);
    assert!(!err.contains("panicked"), "{cmd} panicked:\n{err}");
    assert!(
        !err.contains("stack overflow"),
        "{cmd} overflowed its stack:\n{err}"
    );
    (out.status.code(), err)
}

fn with_chapter(text: &str) -> tempfile::TempDir {
    let dir = init_project();
    std::fs::write(book(&dir).join("manuscript/chapter-2.md"), text).unwrap();
    dir
}

#[test]
fn ten_thousand_nested_block_quotes_are_a_clear_error() {
    let dir = with_chapter(&format!("# Deep\n\n{} too deep\n", ">".repeat(10_000)));
    let (code, err) = outcome(&book(&dir), "build");
    assert_eq!(code, Some(1), "{err}");
    assert!(!book(&dir).join("build").exists(), "nothing written");
    assert!(err.contains("manuscript/chapter-2.md:3:"), "{err}");
    assert!(err.contains("nests deeper than"), "{err}");
}

#[test]
fn ten_thousand_nested_list_items_are_a_clear_error() {
    let dir = with_chapter(&format!("# Deep\n\n{}item\n", "- ".repeat(10_000)));
    let (code, err) = outcome(&book(&dir), "check");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("nests deeper than"), "{err}");
}

#[test]
fn ten_thousand_nested_emphases_are_a_clear_error() {
    let dir = with_chapter(&format!(
        "# Deep\n\n{}x{}\n",
        "*a ".repeat(10_000),
        " a*".repeat(10_000)
    ));
    let (code, err) = outcome(&book(&dir), "check");
    assert_eq!(code, Some(1), "{err}");
    assert!(
        err.contains("manuscript/chapter-2.md:3:187: error: the text nests deeper than 64 levels"),
        "{err}"
    );
}

#[test]
fn a_five_megabyte_paragraph_is_accepted() {
    let words = [
        "typesetting",
        "is",
        "the",
        "craft",
        "of",
        "setting",
        "words",
        "on",
        "a",
        "page",
    ];
    let mut para = String::with_capacity(5_300_000);
    let mut i = 0;
    while para.len() < 5_000_000 {
        para.push_str(words[i % words.len()]);
        para.push(' ');
        i += 1;
    }
    let dir = with_chapter(&format!("# Long\n\n{para}\n"));
    let (code, err) = outcome(&book(&dir), "check");
    assert_eq!(code, Some(0), "{err}");
    let (code, err) = outcome(&book(&dir), "build");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        book(&dir).join("build").read_dir().unwrap().count() == 3,
        "PDF, cover and EPUB written"
    );
}

#[test]
fn an_empty_chapter_is_a_warning() {
    let dir = with_chapter("");
    let (code, err) = outcome(&book(&dir), "check");
    assert_eq!(code, Some(0), "{err}");
    assert!(
        err.contains("manuscript/chapter-2.md:1:1: warning: the file is empty"),
        "{err}"
    );
}

/// A build that fails leaves the previous outputs as they were, and no temporary file.
#[test]
fn a_failed_build_leaves_earlier_outputs_untouched() {
    let dir = init_project();
    let p = book(&dir);
    let (code, err) = outcome(&p, "build");
    assert_eq!(code, Some(0), "{err}");
    let out = p.join("build");
    let before: Vec<(std::path::PathBuf, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(out.join(&f)).unwrap()))
        .collect();
    assert_eq!(before.len(), 3);
    std::fs::write(
        p.join("manuscript/chapter-2.md"),
        "# Two\n\nA reference to [nowhere](#missing).\n",
    )
    .unwrap();
    let (code, err) = outcome(&p, "build");
    assert_eq!(code, Some(1), "{err}");
    let after: Vec<(std::path::PathBuf, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(out.join(&f)).unwrap()))
        .collect();
    assert!(before == after, "the outputs changed after a failed build");
}

/// Builds `dir` and checks the EPUB with EPUBCheck; returns the warnings printed.
fn builds_valid(dir: &std::path::Path) -> String {
    let out = tempfile::tempdir().unwrap();
    let o = build_into_verbose(dir, out.path());
    let err = stderr(&o);
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(o.status.code(), Some(0), "{err}");
    let (ok, report) = epubcheck(&only(out.path(), "epub"));
    assert!(ok, "{report}");
    err
}

fn build_into_verbose(project: &std::path::Path, out: &std::path::Path) -> std::process::Output {
    std::process::Command::new(bin())
        .arg("-C")
        .arg(project)
        .args(["-q", "build", "-o"])
        .arg(out)
        .env("SOURCE_DATE_EPOCH", "946684800")
        .env("NO_COLOR", "1")
        .output()
        .expect("bookbuild runs")
}

fn quotes(n: usize) -> String {
    format!(
        "# Quotes\n\nBefore.\n\n{} a quotation nested {n} deep, with enough words to fill a few lines of the narrowest measure the page allows.\n\nAfter.\n",
        "> ".repeat(n)
    )
}

#[test]
fn twelve_nested_quotes_build_with_a_warning() {
    let dir = with_chapter(&quotes(12));
    let err = builds_valid(&book(&dir));
    assert!(
        err.contains("manuscript/chapter-2.md:5:26: warning: block quotations or lists nest deeper than the page can indent"),
        "{err}"
    );
}

#[test]
fn forty_nested_quotes_build_with_a_warning() {
    let dir = with_chapter(&quotes(40));
    let err = builds_valid(&book(&dir));
    assert!(
        err.contains("nest deeper than the page can indent"),
        "{err}"
    );
    assert_eq!(err.matches("nest deeper").count(), 1, "one warning: {err}");
}

#[test]
fn fourteen_nested_list_levels_build_with_a_warning() {
    let mut text = String::from("# Lists\n\n");
    for i in 0..14 {
        text.push_str(&format!(
            "{}- level {i} of the list, in words\n",
            "  ".repeat(i)
        ));
    }
    let dir = with_chapter(&text);
    let err = builds_valid(&book(&dir));
    assert!(
        err.contains("nest deeper than the page can indent"),
        "{err}"
    );
}

#[test]
fn ill_formed_html_builds_into_a_valid_epub() {
    let dir = with_chapter(
        "# HTML\n\n<div><p>unclosed <b>html\n\nAnd <i>inline <b>tags</i> crossed</b> here.\n",
    );
    let p = book(&dir);
    let err = builds_valid(&p);
    assert!(err.contains("manuscript/chapter-2.md:5:"), "{err}");
    // The text is in the PDF.
    let out = tempfile::tempdir().unwrap();
    build_into(&p, "pdf", out.path());
    let text = std::process::Command::new("pdftotext")
        .arg(only(out.path(), "pdf"))
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("unclosed html"), "{text}");
}

#[test]
fn scripts_and_event_handlers_are_left_out_with_warnings() {
    let dir = with_chapter(
        "# HTML\n\n<p onclick=\"steal()\">Click <a href=\"javascript:go()\">here</a>.</p>\n\n<script>\ndocument.write(1);\n</script>\n\nText with <script>x()</script> inline.\n",
    );
    let err = builds_valid(&book(&dir));
    for want in [
        "manuscript/chapter-2.md:3:4: warning: the event handler onclick=\"…\" is left out",
        "manuscript/chapter-2.md:3:37: warning: the href=\"javascript:go()\" runs script",
        "manuscript/chapter-2.md:5:1: warning: the HTML element <script> cannot be kept in a book",
        "manuscript/chapter-2.md:9:11: warning: the HTML element <script> cannot be kept in a book",
    ] {
        assert!(err.contains(want), "{want}\n{err}");
    }
}

#[test]
fn html_that_would_lose_text_is_refused() {
    let dir = with_chapter("# HTML\n\n<form><button>Order the book</button></form>\n");
    let p = book(&dir);
    let (code, err) = outcome(&p, "build");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("manuscript/chapter-2.md:3:1: error: the HTML element <form> cannot be kept in a book, and leaving it out would lose its text (\"Order the book\")"), "{err}");
    assert!(!p.join("build").exists());
}

#[test]
fn a_footnote_in_a_heading_is_printed_and_linked() {
    let dir = with_chapter(
        "# A Title[^t]\n\nText.\n\n## A Section[^s]\n\nMore text.\n\n[^t]: The note on the title.\n\n[^s]: The note on the section.\n",
    );
    let p = book(&dir);
    let out = tempfile::tempdir().unwrap();
    let o = build_into(&p, "build", out.path());
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::process::Command::new("pdftotext")
        .arg(only(out.path(), "pdf"))
        .arg("-")
        .output()
        .expect("pdftotext");
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("The note on the title."), "{text}");
    assert!(text.contains("The note on the section."), "{text}");
    let files = unzip(&only(out.path(), "epub"));
    let ch = files
        .iter()
        .find(|(n, ..)| n == "EPUB/chapter-2.xhtml")
        .map(|(_, _, d)| String::from_utf8_lossy(d).into_owned())
        .unwrap();
    assert!(ch.contains("href=\"#fn-"), "{ch}");
    assert!(ch.contains("The note on the title."));
    let (ok, report) = epubcheck(&only(out.path(), "epub"));
    assert!(ok, "{report}");
}

#[test]
fn a_word_of_ten_thousand_characters_is_a_located_error() {
    let dir = with_chapter(&format!(
        "# Data\n\nText and {} after.\n",
        "x".repeat(10_001)
    ));
    let (code, err) = outcome(&book(&dir), "check");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("manuscript/chapter-2.md:3:10: error: a run of more than 10000 characters without a space"), "{err}");
}

#[test]
fn a_file_past_the_size_limit_is_a_located_error() {
    let dir = with_chapter(&format!("# Big\n\n{}", "word ".repeat(17 << 18)));
    let (code, err) = outcome(&book(&dir), "check");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("manuscript/contents.md:"), "{err}");
    assert!(
        err.contains("chapter-2.md is 21 MiB; a manuscript file may be at most 16 MiB"),
        "{err}"
    );
}

/// A PNG file that says it is `w` × `h` pixels (its header only: the loader reads no more).
fn png_header(w: u32, h: u32) -> Vec<u8> {
    fn crc(data: &[u8]) -> u32 {
        let mut c = 0xffff_ffffu32;
        for b in data {
            c ^= u32::from(*b);
            for _ in 0..8 {
                c = if c & 1 != 0 {
                    0xedb8_8320 ^ (c >> 1)
                } else {
                    c >> 1
                };
            }
        }
        !c
    }
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 0, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(13u32.to_be_bytes());
    png.extend(&ihdr);
    png.extend(crc(&ihdr).to_be_bytes());
    // An empty data chunk: the decoder wants one before it answers.
    png.extend(0u32.to_be_bytes());
    png.extend(b"IDAT");
    png.extend(crc(b"IDAT").to_be_bytes());
    png.extend(0u32.to_be_bytes());
    png.extend(b"IEND");
    png.extend(crc(b"IEND").to_be_bytes());
    png
}

#[test]
fn a_picture_past_the_pixel_limit_is_a_located_error() {
    let dir = with_chapter("# Pictures\n\n![A huge scan](images/huge.png)\n");
    let p = book(&dir);
    std::fs::write(
        p.join("manuscript/images/huge.png"),
        png_header(20_000, 20_000),
    )
    .unwrap();
    let (code, err) = outcome(&p, "check");
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("manuscript/chapter-2.md:3:1: error: image manuscript/images/huge.png: has 20000×20000 pixels; a picture may have at most 80 million"), "{err}");
}

/// A build stopped by SIGKILL at a quarter, half and three quarters of its run leaves the
/// previous outputs byte for byte, whatever it had got to.
#[cfg(unix)]
#[test]
fn a_killed_build_leaves_the_previous_outputs() {
    let p = corpus("war-and-peace");
    let dir = tempfile::tempdir().unwrap();
    let project = dir.path().join("book");
    copy_tree(&p, &project);
    let out = dir.path().join("out");
    let o = build_into(&project, "build", &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let before: Vec<(std::path::PathBuf, Vec<u8>)> = files(&out)
        .into_iter()
        .map(|f| (f.clone(), std::fs::read(out.join(&f)).unwrap()))
        .collect();
    assert_eq!(before.len(), 3);
    // A change, so that a finished build would write different files; the time a build of
    // it takes, measured on a scratch folder.
    edit(&project.join("build.toml"), |s| {
        s.replace("title = \"", "title = \"The New ")
    });
    // The shorter of two runs: other tests share the machine, and a kill must come before the
    // end of the build it stops.
    let full = (0..2)
        .map(|_| {
            let started = std::time::Instant::now();
            let o = build_into(&project, "build", &dir.path().join("scratch"));
            assert!(o.status.success(), "{}", stderr(&o));
            started.elapsed()
        })
        .min()
        .unwrap();
    for share in [0.25, 0.5, 0.75] {
        let mut child = std::process::Command::new(bin())
            .arg("-C")
            .arg(&project)
            .args(["-q", "build", "-o"])
            .arg(&out)
            .env("SOURCE_DATE_EPOCH", "946684800")
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(full.mul_f64(share));
        let _ = child.kill();
        let status = child.wait().unwrap();
        if status.success() {
            panic!("the build finished before {share} of its time: choose a bigger book");
        }
        let now: Vec<(std::path::PathBuf, Vec<u8>)> = files(&out)
            .into_iter()
            .filter(|f| !f.to_string_lossy().ends_with(".tmp"))
            .map(|f| (f.clone(), std::fs::read(out.join(&f)).unwrap()))
            .collect();
        assert!(now == before, "killed at {share}: the outputs changed");
    }
    // The next build clears what the killed ones left.
    let o = build_into(&project, "build", &out);
    assert!(o.status.success(), "{}", stderr(&o));
    let left: Vec<_> = files(&out)
        .into_iter()
        .filter(|f| f.to_string_lossy().ends_with(".tmp"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}
