//! Printer profiles: `[pdf] printer` checks the book against KDP's, IngramSpark's or Lulu's
//! published rules in `check` and `build`, at the build.toml line that breaks each rule.

mod common;

use common::*;

fn with_printer(dir: &std::path::Path, printer: &str) {
    edit(&dir.join("build.toml"), |s| {
        s.replacen("[pdf]\n", &format!("[pdf]\nprinter = \"{printer}\"\n"), 1)
    });
}

/// The line:col of `needle` in build.toml, as a diagnostic prints it.
fn at(dir: &std::path::Path, needle: &str) -> String {
    let text = std::fs::read_to_string(dir.join("build.toml")).unwrap();
    let off = text
        .find(needle)
        .unwrap_or_else(|| panic!("{needle} in build.toml"));
    let line = text[..off].matches('\n').count() + 1;
    let col = off - text[..off].rfind('\n').map_or(0, |n| n + 1) + 1;
    format!("build.toml:{line}:{col}")
}

#[test]
fn the_sample_passes_kdp_with_the_printers_bleed() {
    let dir = sample_copy();
    with_printer(dir.path(), "kdp");
    edit(&dir.path().join("build.toml"), |s| {
        s.replace("bleed = \"3mm\"\n", "")
    });
    let o = run(dir.path(), &["--deny-warnings", "check"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let out = tempfile::tempdir().unwrap();
    let o = build_into(dir.path(), "pdf", out.path());
    assert!(o.status.success(), "{}", stderr(&o));
    // Its own 3mm bleed is not KDP's 0.125in: refused at the bleed line.
    let dir = sample_copy();
    with_printer(dir.path(), "kdp");
    let o = run(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains(&format!(
            "{}: error: KDP wants a bleed of 0.125in, not 0.118in",
            at(dir.path(), "\"3mm\"")
        )),
        "{e}"
    );
}

#[test]
fn war_and_peace_is_too_long_for_kdp() {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&corpus("war-and-peace"), dir.path());
    with_printer(dir.path(), "kdp");
    let out = tempfile::tempdir().unwrap();
    for o in [
        run(dir.path(), &["check"]),
        build_into(dir.path(), "pdf", out.path()),
    ] {
        assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
        let e = stderr(&o);
        let line = format!("{}: error: the interior has ", at(dir.path(), "\"kdp\""));
        assert!(
            e.contains(&line) && e.contains("pages; KDP prints at most 828"),
            "{e}"
        );
        assert!(
            e.contains("2 volumes") && e.contains("KDP's rule: page count"),
            "{e}"
        );
    }
    assert!(
        files(out.path()).is_empty(),
        "nothing is written when the printer would refuse it"
    );
}

#[test]
fn an_inside_margin_too_small_for_the_page_count_names_its_line() {
    let dir = sample_copy();
    with_printer(dir.path(), "kdp");
    edit(&dir.path().join("build.toml"), |s| {
        s.replace("bleed = \"3mm\"\n", "")
            .replace("inner = \"20mm\"", "inner = \"8mm\"")
    });
    let o = run(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    assert!(
        e.contains(&format!(
            "{}: error: the inside margin (0.315in) is below the 0.375in KDP asks for",
            at(dir.path(), "\"8mm\"")
        )),
        "{e}"
    );
    assert!(e.contains("minimum inside margin by page count"), "{e}");
}

#[test]
fn outside_margins_follow_the_printer_and_unknown_printers_are_refused() {
    let dir = sample_copy();
    with_printer(dir.path(), "ingramspark");
    edit(&dir.path().join("build.toml"), |s| {
        s.replace("bleed = \"3mm\"\n", "")
            .replace("outer = \"15mm\"", "outer = \"10mm\"")
    });
    let o = run(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    let e = stderr(&o);
    let want = format!(
        "{}: error: the outside margin (0.394in) is below the 0.5in IngramSpark asks for with bleed",
        at(dir.path(), "\"10mm\"")
    );
    assert!(e.contains(&want), "{e}");
    assert!(e.contains("1 error, 0 warnings"), "{e}");
    let dir = sample_copy();
    with_printer(dir.path(), "gutenberg-press");
    let o = run(dir.path(), &["check"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stderr(&o).contains("is not a printer bookbuild knows"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn the_spine_carries_text_only_from_the_printers_page_count() {
    let dir = sample_copy();
    edit(&dir.path().join("build.toml"), |s| {
        s.replace("bleed = \"3mm\"\n", "")
            .replace("[cover]\n", "[cover]\ncaliper = \"0.2mm\"\n")
    });
    let out = tempfile::tempdir().unwrap();
    // 45 pages on a thick paper make a spine wide enough for text ...
    let o = run(dir.path(), &["pdf", "-o", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        !stderr(&o).contains("too narrow for its text"),
        "{}",
        stderr(&o)
    );
    // ... but KDP prints spine text only from 79 pages.
    edit(&dir.path().join("build.toml"), |s| {
        s.replace("[cover]\n", "[cover]\nprinter = \"kdp\"\n")
    });
    let o = run(dir.path(), &["pdf", "-o", out.path().to_str().unwrap()]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("KDP prints spine text from 79 pages"),
        "{}",
        stderr(&o)
    );
}
