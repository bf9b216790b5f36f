//! The `bookbuild` command: parses the command line, runs the pipeline, prints diagnostics,
//! and sets the exit code. Everything else lives in the library.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand};

use bookbuild::diag::{Diagnostic, Diagnostics, Severity};
use bookbuild::model::Book;
use bookbuild::model::Timestamp;
use bookbuild::pipeline::Targets;
use bookbuild::progress::Progress;

const ABOUT: &str =
    "Builds a print-ready PDF and a reflowable EPUB 3 from a book written in Markdown.

A book project is a folder with build.toml (title, authors, layout), manuscript/contents.md
(the outline) and the chapters as Markdown files. Start one with `bookbuild init my-book`,
check it with `bookbuild check`, and build it with `bookbuild build`.";

const AFTER: &str = "Exit codes: 0 success; 1 the project has errors (or warnings, with --deny-warnings), or an output could not be made or written; 2 wrong command line.

Examples:
  bookbuild init my-book             create a small project to start from
  bookbuild -C my-book check         report every problem in the project
  bookbuild -C my-book build         write build/<title>.pdf, -cover.pdf and .epub
  bookbuild build --deny-warnings    for CI: any warning fails the build";

#[derive(Parser)]
#[command(name = "bookbuild", version, about = ABOUT, after_help = AFTER, propagate_version = true)]
struct Cli {
    /// The book project folder (default: the current folder)
    #[arg(short = 'C', long = "book", value_name = "DIR", global = true)]
    book: Option<PathBuf>,

    /// Where outputs are written (default: build/ inside the project)
    #[arg(short = 'o', long = "out", value_name = "DIR", global = true)]
    out: Option<PathBuf>,

    /// Treat warnings as errors: exit 1 and write nothing if there are any (for CI)
    #[arg(long, global = true)]
    deny_warnings: bool,

    /// Print only errors and warnings
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,

    /// Print more about each step
    #[arg(short, long, global = true)]
    verbose: bool,

    /// Print one JSON object on standard output: outputs (path, bytes, sha256, pages),
    /// diagnostics, phase timings, exit code (build, pdf, epub, check)
    #[arg(long, global = true)]
    json: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build everything: the print PDF, its wrap cover and the EPUB
    Build,
    /// Build the print PDF (interior) and the wrap cover PDF
    Pdf,
    /// Build the EPUB 3
    Epub,
    /// Check the project and report every problem; writes nothing
    Check,
    /// Create a new book project in DIR (which must not exist or be empty)
    Init {
        /// The folder to create
        dir: PathBuf,
    },
    /// Build, serve a live preview on http://127.0.0.1:PORT/ and rebuild on every change
    Watch {
        /// The port (0 picks a free one and prints it)
        #[arg(long, default_value_t = 3535)]
        port: u16,
        /// Open the preview in the browser
        #[arg(long)]
        open: bool,
    },
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell)
    Completions {
        /// The shell
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff)
    Man,
}

/// See the reason in Cargo.toml.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    bookbuild::memory::configure();
    let cli = Cli::parse();
    let colour = std::io::stderr().is_terminal() && std::env::var_os("NO_COLOR").is_none();
    let progress = Progress::new(cli.quiet || cli.json);
    match &cli.command {
        Command::Init { dir } => init(&cli, dir, colour, &progress),
        Command::Completions { shell } => {
            clap_complete::generate(
                *shell,
                &mut Cli::command(),
                "bookbuild",
                &mut std::io::stdout(),
            );
            ExitCode::SUCCESS
        }
        Command::Man => {
            match clap_mangen::Man::new(Cli::command()).render(&mut std::io::stdout()) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!(
                        "{}",
                        Diagnostic::error(None, format!("cannot write the man page: {e}"))
                            .render(colour)
                    );
                    ExitCode::from(1)
                }
            }
        }
        Command::Watch { port, open } => {
            let root = project_root(&cli);
            let out = cli.out.clone().unwrap_or_else(|| root.join("build"));
            let opts = bookbuild::watch::Options {
                root,
                out,
                port: *port,
                open: *open,
                quiet: cli.quiet,
            };
            match bookbuild::watch::run(&opts) {
                Ok(()) => ExitCode::SUCCESS,
                Err(e) => {
                    eprintln!("{}", Diagnostic::error(None, e).render(colour));
                    ExitCode::from(1)
                }
            }
        }
        Command::Check | Command::Build | Command::Pdf | Command::Epub => {
            let run = if matches!(cli.command, Command::Check) {
                check(&cli, &progress)
            } else {
                build(&cli, &progress)
            };
            let code = finish(&cli, run, colour, &progress);
            ExitCode::from(code)
        }
    }
}

/// What a check or build found and made.
struct Run {
    diagnostics: Vec<Diagnostic>,
    outputs: Vec<bookbuild::summary::Output>,
    /// An error that stopped the run (exit 1), besides the diagnostics.
    failed: bool,
}

fn init(cli: &Cli, dir: &Path, colour: bool, progress: &Progress) -> ExitCode {
    let dir = match &cli.book {
        Some(base) if dir.is_relative() => base.join(dir),
        _ => dir.to_path_buf(),
    };
    match bookbuild::init::init(&dir) {
        Ok(()) => {
            progress.note(&format!(
                "created a book project in {}; build it with `bookbuild -C {} build`",
                dir.display(),
                dir.display()
            ));
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}", Diagnostic::error(None, e).render(colour));
            ExitCode::from(1)
        }
    }
}

/// Prints the diagnostics (and the JSON summary); returns the exit code.
fn finish(cli: &Cli, run: Run, colour: bool, progress: &Progress) -> u8 {
    let diags = Diagnostics::from_vec(run.diagnostics.clone());
    let failed = report(diags, cli, colour) || run.failed;
    let code = u8::from(failed);
    if cli.json {
        let name = match cli.command {
            Command::Check => "check",
            Command::Pdf => "pdf",
            Command::Epub => "epub",
            _ => "build",
        };
        let outputs = if failed { &[][..] } else { &run.outputs[..] };
        println!(
            "{}",
            bookbuild::summary::report(name, code, outputs, &run.diagnostics, &progress.timings())
        );
    }
    code
}

fn check(cli: &Cli, progress: &Progress) -> Run {
    let root = project_root(cli);
    let (book, mut diags) = progress.phase("load and check", || bookbuild::project::load(&root));
    if let Some(b) = &book {
        if b.config.pdf.standard.ua {
            diags.extend(bookbuild::accessibility::pdf_ua(b));
        }
        diags.extend(bookbuild::accessibility::epub_claim(b).1);
    }
    // A printer's rules depend on the page count: typeset to know it.
    if let Some(b) = &book
        && b.config.pdf.printer.is_some()
        && !diags.has_errors()
    {
        let index = bookbuild::index::build::build(b);
        match progress.phase("typeset", || bookbuild::typeset::typeset(b, &index)) {
            Ok(ts) => {
                diags.extend(ts.warnings);
                diags.extend(bookbuild::printer::preflight(b, ts.doc.pages.len()));
            }
            Err(e) => diags.push(Diagnostic::error(None, e)),
        }
    }
    let warnings = diags.warning_count();
    let ok = !(diags.has_errors() || cli.deny_warnings && warnings > 0);
    if let Some(book) = &book
        && ok
        && !cli.quiet
        && !cli.json
    {
        summary(book, warnings, progress);
    }
    Run {
        diagnostics: diags.into_sorted(),
        outputs: Vec::new(),
        failed: book.is_none(),
    }
}

fn build(cli: &Cli, progress: &Progress) -> Run {
    let stop = |diagnostics: Vec<Diagnostic>| Run {
        diagnostics,
        outputs: Vec::new(),
        failed: true,
    };
    let root = project_root(cli);
    let time = match Timestamp::from_env() {
        Ok(t) => t,
        Err(e) => {
            return stop(vec![Diagnostic::error(None, e).with_hint(
                "unset it, or set it to the commit time: SOURCE_DATE_EPOCH=$(git log -1 --format=%ct)",
            )]);
        }
    };
    let (book, diags) = progress.phase("load and check", || bookbuild::project::load(&root));
    let Some(mut book) = book.filter(|_| !diags.has_errors()) else {
        return stop(diags.into_sorted());
    };
    let mut diagnostics = diags.into_sorted();
    if cli.verbose {
        summary(&book, 0, progress);
    }
    // Read into the book: nothing after this reads the files' text again.
    book.let_go_of_source_text();
    let targets = Targets {
        pdf: matches!(cli.command, Command::Build | Command::Pdf),
        epub: matches!(cli.command, Command::Build | Command::Epub),
    };
    let out = cli.out.clone().unwrap_or_else(|| root.join("build"));
    // The build is given the book, and lets go of its text while the PDF is written; what is
    // read here afterwards is kept apart.
    let kept = book.without_text();
    let built = match bookbuild::pipeline::build_owned(book, targets, &out, time, progress) {
        Ok(b) => b,
        Err(e) => {
            diagnostics.push(Diagnostic::error(None, e));
            return stop(diagnostics);
        }
    };
    diagnostics.extend(built.warnings.iter().cloned());
    let warnings = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Warning)
        .count();
    let errors = diagnostics.len() - warnings;
    if errors > 0 || (cli.deny_warnings && warnings > 0) {
        return Run {
            diagnostics,
            outputs: Vec::new(),
            failed: false,
        };
    }
    if cli.verbose
        && let Some(pages) = built.pages
    {
        let spine = bookbuild::cover::WrapGeometry::new(&kept, pages).spine / 72.0;
        progress.note(&format!(
            "print interior: {pages} pages; spine {spine:.3}in on {}",
            kept.config.cover.paper
        ));
    }
    if let Err(e) = bookbuild::pipeline::write(&built, progress) {
        diagnostics.push(Diagnostic::error(None, e));
        return stop(diagnostics);
    }
    // Hashing the outputs takes a while on a long book: only for the JSON summary.
    let listed = if cli.json { &built.files[..] } else { &[] };
    let outputs = listed
        .iter()
        .map(|(path, bytes)| {
            let name = path.to_string_lossy();
            let pages = if name.ends_with("-cover.pdf") {
                Some(1)
            } else if name.ends_with(".pdf") {
                built.pages
            } else {
                None
            };
            bookbuild::summary::Output::of(path, bytes, pages)
        })
        .collect();
    // The process ends next: freeing the book and its pages one allocation at a time would
    // only delay the exit (tens of milliseconds on a long novel).
    std::mem::forget(built);
    std::mem::forget(kept);
    Run {
        diagnostics,
        outputs,
        failed: false,
    }
}

fn project_root(cli: &Cli) -> PathBuf {
    cli.book.clone().unwrap_or_else(|| PathBuf::from("."))
}

/// Prints the diagnostics; true when the run must fail.
fn report(diags: Diagnostics, cli: &Cli, colour: bool) -> bool {
    let errors = diags.error_count();
    let warnings = diags.warning_count();
    for d in diags.into_sorted() {
        eprintln!("{}", d.render(colour));
    }
    let failed = errors > 0 || (cli.deny_warnings && warnings > 0);
    if errors + warnings > 0 {
        let denied = if cli.deny_warnings && warnings > 0 && errors == 0 {
            " (denied by --deny-warnings)"
        } else {
            ""
        };
        eprintln!(
            "bookbuild: {errors} error{}, {warnings} warning{}{denied}",
            plural(errors),
            plural(warnings)
        );
    }
    failed
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
}

fn summary(book: &Book, warnings: usize, progress: &Progress) {
    let files = book
        .entries
        .iter()
        .filter(|e| matches!(e.kind, bookbuild::model::EntryKind::Document(_)))
        .count();
    let words: usize = book
        .entries
        .iter()
        .filter_map(|e| match &e.kind {
            bookbuild::model::EntryKind::Document(d) => book.sources.get(d.file as usize),
            _ => None,
        })
        .map(|s| s.text.split_whitespace().count())
        .sum();
    progress.note(&format!(
        "{}: {files} files, about {words} words, {} footnotes, {} images, {} index entries with {} occurrences; {} ({:.2}s)",
        display(&book.root),
        book.notes.len(),
        book.images.len(),
        book.index.entries.len(),
        book.index.hits.len(),
        if warnings == 0 { "no problems".to_string() } else { format!("no errors, {warnings} warning{}", plural(warnings)) },
        progress.elapsed().as_secs_f64()
    ));
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
