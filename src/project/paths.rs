//! Paths the author writes, resolved inside the project and never outside it: no absolute
//! paths, no `..` past the project root, no symlink that points out.

use std::path::{Component, Path, PathBuf};

/// A project-relative path that exists or not; errors say why it is refused.
pub fn resolve(root: &Path, base: &Path, target: &str) -> Result<PathBuf, String> {
    let decoded = percent_decode(target);
    let t = Path::new(&decoded);
    if t.is_absolute() || decoded.starts_with('/') || decoded.starts_with('\\') || t.has_root() {
        return Err(format!(
            "\"{target}\" is an absolute path; paths must be relative and stay inside the project"
        ));
    }
    if decoded.len() > 1 && decoded.as_bytes()[1] == b':' {
        return Err(format!(
            "\"{target}\" is an absolute path; paths must be relative and stay inside the project"
        ));
    }
    let mut out: Vec<std::ffi::OsString> = Vec::new();
    for c in base.join(t).components() {
        match c {
            Component::Normal(p) => out.push(p.to_os_string()),
            Component::CurDir => {}
            Component::ParentDir => {
                if out.pop().is_none() {
                    return Err(format!("\"{target}\" leaves the project directory"));
                }
            }
            Component::RootDir | Component::Prefix(_) => {
                return Err(format!(
                    "\"{target}\" is an absolute path; paths must be relative and stay inside the project"
                ));
            }
        }
    }
    let rel: PathBuf = out.iter().collect();
    // A symlink anywhere along the way may point out of the project: compare real paths.
    let full = root.join(&rel);
    if let Ok(real) = full.canonicalize() {
        let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
        if !real.starts_with(&real_root) {
            return Err(format!(
                "\"{target}\" is a symbolic link (or goes through one) that points outside the project"
            ));
        }
    }
    Ok(rel)
}

/// `%XX` escapes decoded (a URL's path as a file path).
pub(crate) fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            let hex = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            if let Some(v) = hex {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| s.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stays_inside() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        assert_eq!(
            resolve(root, Path::new("manuscript"), "a/b.md").unwrap(),
            PathBuf::from("manuscript/a/b.md")
        );
        assert_eq!(
            resolve(root, Path::new("manuscript"), "../covers/x.png").unwrap(),
            PathBuf::from("covers/x.png")
        );
        assert_eq!(
            resolve(root, Path::new("manuscript"), "my%20file.md").unwrap(),
            PathBuf::from("manuscript/my file.md")
        );
        assert!(resolve(root, Path::new("manuscript"), "../../etc/passwd").is_err());
        assert!(resolve(root, Path::new("manuscript"), "/etc/passwd").is_err());
    }

    #[cfg(unix)]
    #[test]
    fn refuses_symlinks_out() {
        let dir = tempfile::tempdir().unwrap();
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.md"), "x").unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.md"), dir.path().join("link.md"))
            .unwrap();
        let e = resolve(dir.path(), Path::new(""), "link.md").unwrap_err();
        assert!(e.contains("symbolic link"), "{e}");
    }
}
