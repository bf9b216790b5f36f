//! Phase reporting: a spinner on a terminal, one plain line per phase with its time otherwise
//! (CI logs), nothing with `--quiet`.

use std::io::IsTerminal;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressStyle};

/// Reports the phases of a run on standard error.
pub struct Progress {
    mode: Mode,
    started: Instant,
    /// Each phase's name and seconds, in order (for `--json`).
    timings: std::sync::Mutex<Vec<(String, f64)>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Quiet,
    Plain,
    Terminal,
}

impl Progress {
    /// A reporter: silent with `quiet`.
    pub fn new(quiet: bool) -> Progress {
        let mode = if quiet {
            Mode::Quiet
        } else if std::io::stderr().is_terminal() && std::env::var_os("CI").is_none() {
            Mode::Terminal
        } else {
            Mode::Plain
        };
        Progress {
            mode,
            started: Instant::now(),
            timings: std::sync::Mutex::new(Vec::new()),
        }
    }

    /// Runs one phase of the build, showing it while it runs and its time when done.
    pub fn phase<T>(&self, name: &str, f: impl FnOnce() -> T) -> T {
        let start = Instant::now();
        let bar = (self.mode == Mode::Terminal).then(|| {
            let b = ProgressBar::new_spinner();
            b.set_style(
                ProgressStyle::with_template("{spinner} {msg} {elapsed}")
                    .unwrap_or_else(|_| ProgressStyle::default_spinner()),
            );
            b.set_message(name.to_string());
            b.enable_steady_tick(Duration::from_millis(80));
            b
        });
        let out = f();
        let took = start.elapsed();
        if let Ok(mut t) = self.timings.lock() {
            t.push((name.to_string(), took.as_secs_f64()));
        }
        match self.mode {
            Mode::Quiet => {}
            Mode::Plain => eprintln!("bookbuild: {name} {:.3}s", took.as_secs_f64()),
            Mode::Terminal => {
                if let Some(b) = bar {
                    b.finish_and_clear();
                }
                eprintln!(
                    "  \x1b[32m✓\x1b[0m {name} \x1b[2m{:.3}s\x1b[0m",
                    took.as_secs_f64()
                );
            }
        }
        out
    }

    /// A line about the result (an output written).
    pub fn note(&self, msg: &str) {
        if self.mode != Mode::Quiet {
            eprintln!("bookbuild: {msg}");
        }
    }

    /// The phases run so far with their times in seconds.
    pub fn timings(&self) -> Vec<(String, f64)> {
        self.timings.lock().map(|t| t.clone()).unwrap_or_default()
    }

    /// Time since the run started.
    pub fn elapsed(&self) -> Duration {
        self.started.elapsed()
    }
}
