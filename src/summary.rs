//! `--json`: one JSON object that says what a run made and found, for CI and batch engines —
//! each output's absolute path, size, SHA-256 and page count, every diagnostic with its place,
//! the phases' times, and the exit code.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};
use sha2::{Digest, Sha256};

use crate::diag::{Diagnostic, Severity, display_path};

/// An output as the summary describes it.
#[derive(Debug, Clone)]
pub struct Output {
    /// Absolute path.
    pub path: PathBuf,
    /// Size in bytes.
    pub bytes: usize,
    /// SHA-256 of the bytes, in hex.
    pub sha256: String,
    /// Pages (the interior's, 1 for the cover; none for the EPUB).
    pub pages: Option<usize>,
}

impl Output {
    /// Describes an output about to be written at `path`.
    pub fn of(path: &Path, bytes: &[u8], pages: Option<usize>) -> Output {
        let hash = Sha256::digest(bytes);
        Output {
            path: std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()),
            bytes: bytes.len(),
            sha256: hash.iter().map(|b| format!("{b:02x}")).collect(),
            pages,
        }
    }
}

/// A diagnostic as JSON: file, line, col (null for the project as a whole), severity,
/// message, hint.
pub fn diagnostic(d: &Diagnostic) -> Value {
    json!({
        "file": d.location.as_ref().map(|l| display_path(&l.path)),
        "line": d.location.as_ref().map(|l| l.line),
        "col": d.location.as_ref().map(|l| l.col),
        "severity": match d.severity { Severity::Error => "error", Severity::Warning => "warning" },
        "message": d.message,
        "hint": d.hint,
    })
}

/// The whole summary of a run.
pub fn report(
    command: &str,
    exit_code: u8,
    outputs: &[Output],
    diagnostics: &[Diagnostic],
    timings: &[(String, f64)],
) -> String {
    let outputs: Vec<Value> = outputs
        .iter()
        .map(|o| {
            json!({
                "path": o.path.to_string_lossy(),
                "bytes": o.bytes,
                "sha256": o.sha256,
                "pages": o.pages,
            })
        })
        .collect();
    let phases: Vec<Value> = timings
        .iter()
        .map(|(name, s)| json!({ "phase": name, "seconds": s }))
        .collect();
    let errors = diagnostics
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let v = json!({
        "command": command,
        "version": env!("CARGO_PKG_VERSION"),
        "exit_code": exit_code,
        "ok": exit_code == 0,
        "outputs": outputs,
        "errors": errors,
        "warnings": diagnostics.len() - errors,
        "diagnostics": diagnostics.iter().map(diagnostic).collect::<Vec<_>>(),
        "timings": phases,
    });
    v.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Location;

    #[test]
    fn a_summary_says_what_was_made_and_found() {
        let o = Output::of(Path::new("/tmp/x.pdf"), b"abc", Some(3));
        assert_eq!(
            o.sha256,
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        let d = Diagnostic::warning(Some(Location::new("manuscript/a.md", 3, 7)), "odd")
            .with_hint("fix it");
        let s = report("build", 0, &[o], &[d], &[("typeset".into(), 0.25)]);
        let v: Value = serde_json::from_str(&s).unwrap();
        assert_eq!(v["outputs"][0]["pages"], 3);
        assert_eq!(v["diagnostics"][0]["line"], 3);
        assert_eq!(v["diagnostics"][0]["file"], "manuscript/a.md");
        assert_eq!(v["warnings"], 1);
        assert_eq!(v["timings"][0]["phase"], "typeset");
    }
}
