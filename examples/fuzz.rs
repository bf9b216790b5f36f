//! The long run of the hostile-project generator (`tests/hostile_gen`):
//!
//!     cargo run --release --example fuzz -- --cases 100000 [--seed N] [--threads N]
//!
//! Runs the cases on all cores, each thread with its own seed, and prints each failure
//! proptest shrinks to. Exit code 1 when any case fails.

#[path = "../tests/hostile_gen/mod.rs"]
mod hostile_gen;
use hostile_gen as g;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};

fn arg(name: &str, default: u64) -> u64 {
    let args: Vec<String> = std::env::args().collect();
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let cases = arg("--cases", 10_000);
    let seed = arg("--seed", 1);
    let threads = arg(
        "--threads",
        std::thread::available_parallelism().map_or(2, |n| n.get() as u64),
    );
    let started = Instant::now();
    let done = AtomicUsize::new(0);
    let built = AtomicUsize::new(0);
    let failures = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for t in 0..threads {
            let (done, built, failures) = (&done, &built, &failures);
            s.spawn(move || {
                let share = cases / threads + u64::from(t < cases % threads);
                let mut bytes = [0u8; 32];
                bytes[..8].copy_from_slice(&(seed * 1_000 + t).to_le_bytes());
                let rng = TestRng::from_seed(RngAlgorithm::ChaCha, &bytes);
                let config = Config {
                    cases: share as u32,
                    failure_persistence: None,
                    max_shrink_iters: 1_000,
                    ..Config::default()
                };
                let mut runner = TestRunner::new_with_rng(config, rng);
                let result = runner.run(&g::project(), |p| {
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n % 1000 == 0 {
                        eprintln!("fuzz: {n} cases, {:.0} s", started.elapsed().as_secs_f64());
                    }
                    match g::check(&p) {
                        Ok(g::Outcome::Built) => {
                            built.fetch_add(1, Ordering::Relaxed);
                            Ok(())
                        }
                        Ok(g::Outcome::Refused) => Ok(()),
                        Err(e) => Err(proptest::test_runner::TestCaseError::fail(e)),
                    }
                });
                if let Err(e) = result {
                    failures.fetch_add(1, Ordering::Relaxed);
                    eprintln!(
                        "fuzz: thread {t} (seed {}) found a failure:\n{e}",
                        seed * 1_000 + t
                    );
                }
            });
        }
    });
    let f = failures.load(Ordering::Relaxed);
    println!(
        "fuzz: {} cases ({} built, the rest refused with located errors) in {:.1} s on {threads} threads, {f} failing thread(s)",
        done.load(Ordering::Relaxed),
        built.load(Ordering::Relaxed),
        started.elapsed().as_secs_f64()
    );
    if f > 0 {
        std::process::exit(1);
    }
}
