//! The command line for CI and batch engines: `build --json` and `check --json` print one
//! JSON object whose outputs match the files written; completions and the man page come from
//! the clap definitions.

mod common;

use common::*;
use sha2::{Digest, Sha256};

fn json(o: &std::process::Output) -> serde_json::Value {
    serde_json::from_slice(&o.stdout).unwrap_or_else(|e| {
        panic!(
            "stdout is one JSON object ({e}): {}",
            String::from_utf8_lossy(&o.stdout)
        )
    })
}

#[test]
fn build_json_describes_every_output() {
    let dir = init_project();
    let out = tempfile::tempdir().unwrap();
    let o = run(
        &book(&dir),
        &["build", "--json", "-o", out.path().to_str().unwrap()],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let v = json(&o);
    assert_eq!(v["command"], "build");
    assert_eq!(v["exit_code"], 0);
    assert_eq!(v["ok"], true);
    let outputs = v["outputs"].as_array().unwrap();
    assert_eq!(outputs.len(), 3, "{v}");
    for o in outputs {
        let path = std::path::Path::new(o["path"].as_str().unwrap());
        assert!(path.is_absolute(), "{path:?}");
        let bytes = std::fs::read(path).unwrap();
        assert_eq!(o["bytes"].as_u64().unwrap() as usize, bytes.len());
        let hash: String = Sha256::digest(&bytes)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        assert_eq!(o["sha256"], hash, "{path:?}");
        let name = path.to_string_lossy();
        if name.ends_with("-cover.pdf") {
            assert_eq!(o["pages"], 1);
        } else if name.ends_with(".pdf") {
            assert_eq!(
                o["pages"].as_u64().unwrap() as usize,
                lopdf::Document::load(path).unwrap().get_pages().len()
            );
        } else {
            assert!(o["pages"].is_null());
        }
    }
    let phases: Vec<&str> = v["timings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["phase"].as_str().unwrap())
        .collect();
    for p in ["load and check", "typeset", "pdf", "cover", "epub"] {
        assert!(phases.contains(&p), "{phases:?}");
    }
    assert!(v["diagnostics"].is_array());
}

#[test]
fn check_json_reports_located_diagnostics_and_the_exit_code() {
    let dir = init_project();
    let chapter = files(&book(&dir).join("manuscript"))
        .into_iter()
        .find(|f| f.to_string_lossy() != "contents.md" && f.extension().is_some_and(|e| e == "md"))
        .unwrap();
    edit(&book(&dir).join("manuscript").join(&chapter), |s| {
        format!("{s}\nA dangling note.[^nowhere]\n")
    });
    let o = run(&book(&dir), &["check", "--json"]);
    assert_eq!(o.status.code(), Some(1));
    let v = json(&o);
    assert_eq!(v["command"], "check");
    assert_eq!(v["exit_code"], 1);
    assert_eq!(v["ok"], false);
    assert!(v["errors"].as_u64().unwrap() >= 1);
    let d = v["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["severity"] == "error")
        .unwrap();
    assert!(
        d["file"]
            .as_str()
            .unwrap()
            .ends_with(&*chapter.to_string_lossy()),
        "{d}"
    );
    assert!(d["line"].as_u64().unwrap() >= 1 && d["col"].as_u64().unwrap() >= 1);
    assert!(!d["message"].as_str().unwrap().is_empty());
    assert_eq!(v["outputs"].as_array().unwrap().len(), 0);
}

#[test]
fn completions_and_the_man_page() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish"] {
        let o = run(dir.path(), &["completions", shell]);
        assert!(o.status.success(), "{}", stderr(&o));
        let s = String::from_utf8_lossy(&o.stdout);
        assert!(
            s.contains("bookbuild") && s.contains("watch") && s.contains("deny-warnings"),
            "{shell}"
        );
    }
    let o = run(dir.path(), &["man"]);
    assert!(o.status.success());
    let man = String::from_utf8_lossy(&o.stdout);
    assert!(
        man.starts_with(".ie") || man.contains(".TH bookbuild"),
        "{}",
        &man[..200.min(man.len())]
    );
    assert!(
        man.contains("watch") && man.contains("\\-\\-json"),
        "the man page lists commands and options"
    );
}
