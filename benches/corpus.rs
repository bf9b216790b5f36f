//! Benchmarks over the corpus books: `cargo bench` (release). Each phase is timed on its
//! own and end to end, median of several runs after a warm-up; the whole-process figures
//! (wall time, peak memory) are in scripts/bench.sh.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use bookbuild::model::Timestamp;
use bookbuild::progress::Progress;

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("..")
        .join("shared")
        .join("corpus")
        .join(name)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

fn time<T>(runs: usize, mut f: impl FnMut() -> T) -> Duration {
    let _ = f();
    median(
        (0..runs)
            .map(|_| {
                let t = Instant::now();
                std::hint::black_box(f());
                t.elapsed()
            })
            .collect(),
    )
}

fn main() {
    // `cargo bench -- NAME` runs only the books whose name contains NAME.
    let filter: Option<String> = std::env::args().skip(1).find(|a| !a.starts_with('-'));
    let books = [
        ("war-and-peace", corpus("war-and-peace")),
        ("sherlock-holmes", corpus("sherlock-holmes")),
        ("sample", PathBuf::from(env!("CARGO_MANIFEST_DIR"))),
    ];
    let runs = 5;
    println!(
        "{:<16} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>12}",
        "book", "load", "index", "typeset", "pdf", "epub", "build", "pages"
    );
    for (name, root) in books {
        if filter.as_ref().is_some_and(|f| !name.contains(f.as_str())) {
            continue;
        }
        let load = time(runs, || bookbuild::project::load(&root));
        let (book, _) = bookbuild::project::load(&root);
        let book = book.expect("the corpus book loads");
        let index = time(runs, || {
            let mut idx = book.index.clone();
            let mut entries = book.entries.clone();
            let mut notes = book.notes.clone();
            bookbuild::index::hits::find(&mut entries, &mut notes, &mut idx);
            bookbuild::index::build::build(&book)
        });
        let printed = bookbuild::index::build::build(&book);
        let typeset = time(runs, || {
            bookbuild::typeset::typeset(&book, &printed).expect("typesets")
        });
        let ts = bookbuild::typeset::typeset(&book, &printed).expect("typesets");
        let t = Timestamp::fixed(0);
        let pdf = time(runs, || {
            bookbuild::pdf::write(&book, &ts.doc, t).expect("pdf")
        });
        let q = Progress::new(true);
        let epub = time(runs, || {
            bookbuild::pipeline::build(
                &book,
                bookbuild::pipeline::Targets {
                    pdf: false,
                    epub: true,
                },
                Path::new("/tmp"),
                t,
                &q,
            )
            .expect("epub")
        });
        let build = time(runs, || {
            let (b, _) = bookbuild::project::load(&root);
            bookbuild::pipeline::build(
                &b.expect("loads"),
                bookbuild::pipeline::Targets {
                    pdf: true,
                    epub: true,
                },
                Path::new("/tmp"),
                t,
                &q,
            )
            .expect("build")
        });
        let ms = |d: Duration| format!("{:.0} ms", d.as_secs_f64() * 1000.0);
        println!(
            "{:<16} {:>10} {:>10} {:>10} {:>10} {:>10} {:>10} {:>12}",
            name,
            ms(load),
            ms(index),
            ms(typeset),
            ms(pdf),
            ms(epub),
            ms(build),
            ts.doc.pages.len()
        );
    }
}
