//! Generated hostile book projects through the whole pipeline, in process: no panic, every
//! error located, every EPUB well-formed XML, every PDF parseable. Seeded, so a failure
//! replays; `PROPTEST_CASES` sets how many (the long run is `examples/fuzz.rs`). Each failure
//! the generator has found is kept below as a named test.

mod hostile_gen;
use hostile_gen as g;

use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};

fn config() -> Config {
    Config {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(300),
        rng_seed: RngSeed::Fixed(0x00b0_0c5b),
        failure_persistence: None,
        max_shrink_iters: 2_000,
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config())]
    #[test]
    fn hostile_projects_build_or_fail_cleanly(p in g::project()) {
        if let Err(e) = g::check(&p) {
            prop_assert!(false, "{e}\n{p:#?}");
        }
    }
}

/// A project from its files, checked.
fn regression(toml: &str, chapter: &str) {
    let p = g::Project {
        toml: format!("[book]\ntitle = \"T\"\nauthors = [\"A\"]\nlanguage = \"en\"\n{toml}"),
        chapters: vec![chapter.to_string()],
        index: None,
        contents_extra: String::new(),
        mistake: None,
    };
    if let Err(e) = g::check(&p) {
        panic!("{e}");
    }
}

#[test]
fn twelve_quotes_on_a_narrow_page() {
    regression(
        "[pdf]\ntrim = \"2x3in\"\nmargins = { top = \"5mm\", bottom = \"5mm\", inner = \"5mm\", outer = \"5mm\" }\n",
        &format!("# Q\n\n{} deep\n", "> ".repeat(12)),
    );
}

#[test]
fn a_huge_type_size_on_a_small_page() {
    regression(
        "[pdf]\ntrim = \"2x3in\"\nfont_size = \"72pt\"\nmargins = { top = \"5mm\", bottom = \"5mm\", inner = \"5mm\", outer = \"5mm\" }\n",
        "# Wide Words Everywhere\n\nSupercalifragilistic words on a tiny page.[^1]\n\n[^1]: A note.\n",
    );
}
