//! Small books for the typesetting stages' unit tests: written to a temporary folder and
//! loaded as a user's project would be.

use std::sync::OnceLock;

use super::design::Design;
use super::fonts::FontBook;
use super::hyphenate::Hyphenator;
use super::paragraph::Tools;
use crate::model::{Book, Hyphenation};

/// A loaded book and the folder it lives in (kept alive as long as the book).
pub(crate) struct TestBook {
    pub book: Book,
    _dir: tempfile::TempDir,
}

/// A book whose body is `chapters` (file stem, Markdown), with `toml` added to build.toml.
pub(crate) fn book(toml: &str, chapters: &[(&str, &str)]) -> TestBook {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let p = dir.path();
    std::fs::create_dir_all(p.join("manuscript")).unwrap();
    std::fs::write(
        p.join("build.toml"),
        format!("[book]\ntitle = \"Test\"\nauthors = [\"A. Tester\"]\nlanguage = \"en\"\n{toml}"),
    )
    .unwrap();
    let mut contents = String::from("# Front matter\n\n- [Contents](@contents)\n\n# Body\n\n");
    for (stem, text) in chapters {
        contents.push_str(&format!("- [{stem}]({stem}.md)\n"));
        std::fs::write(p.join("manuscript").join(format!("{stem}.md")), text).unwrap();
    }
    std::fs::write(p.join("manuscript/contents.md"), contents).unwrap();
    let (book, diags) = crate::project::load(p);
    let msgs: Vec<String> = diags
        .into_sorted()
        .iter()
        .map(|d| d.render(false))
        .collect();
    let book = book.unwrap_or_else(|| panic!("the test book does not load: {msgs:?}"));
    TestBook { book, _dir: dir }
}

/// The built-in fonts, loaded once.
pub(crate) fn fonts() -> &'static FontBook {
    static F: OnceLock<FontBook> = OnceLock::new();
    F.get_or_init(|| {
        FontBook::load(
            std::path::Path::new("/nonexistent"),
            crate::fonts::DEFAULT_FAMILY,
            &[],
        )
        .expect("the built-in fonts load")
    })
}

/// Tools for English with the corpus's hyphenation settings.
pub(crate) fn tools(notes: &'static [u32]) -> Tools<'static> {
    let h = Hyphenation {
        enabled: true,
        left_min: 2,
        right_min: 3,
        min_word: 5,
        exceptions: vec![],
    };
    Tools::new(fonts(), "en", Hyphenator::new("en", &h), notes)
}

/// The design of an A5 book set 10.5/13.5.
pub(crate) fn design() -> Design {
    Design::block(320.0, 500.0, 10.5, 13.5)
}

/// Prose of `n` sentences.
pub(crate) fn prose(n: usize) -> String {
    (0..n)
        .map(|k| {
            format!(
                "Sentence {k} tells of riders on the steppe who waited for news of treaties signed far away."
            )
        })
        .collect::<Vec<_>>()
        .join(" ")
}
