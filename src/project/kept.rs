//! The texts of a project's files as the last load read them, for a loop that loads the
//! project again after every change (`watch`): a file whose size and modification time are
//! unchanged, and that no change event named, is taken from here instead of read again.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::SystemTime;

/// Project files' texts by full path.
#[derive(Default)]
pub struct KeptFiles {
    /// What the load under way has read or taken so far.
    fresh: HashMap<PathBuf, Kept>,
    /// What the last load read and this one has not yet asked for.
    last: HashMap<PathBuf, Kept>,
}

struct Kept {
    len: u64,
    modified: Option<SystemTime>,
    text: String,
}

impl KeptFiles {
    /// Forgets the files named by change events, and those in folders they name: each is
    /// read again, whatever its time says (a file system that keeps times to the second would
    /// hide an edit of the same length made in the same second; a folder renamed over another
    /// brings files with times of their own).
    pub fn forget(&mut self, paths: &[PathBuf]) {
        for p in paths.iter().filter(|p| !p.as_os_str().is_empty()) {
            let real = std::fs::canonicalize(p).unwrap_or_else(|_| p.clone());
            self.fresh
                .retain(|k, _| !k.starts_with(&real) && !k.starts_with(p));
        }
    }

    /// Starts a load: what the last one read can be taken once; what this one does not ask
    /// for is let go when the next begins.
    pub(crate) fn begin(&mut self) {
        self.last = std::mem::take(&mut self.fresh);
    }

    /// The text kept for `full`, if the file is as it was when it was read.
    pub(crate) fn take(&mut self, full: &Path, meta: &std::fs::Metadata) -> Option<String> {
        let k = self.last.remove(full)?;
        let same =
            k.len == meta.len() && k.modified.is_some() && k.modified == meta.modified().ok();
        same.then(|| {
            let text = k.text.clone();
            self.fresh.insert(full.to_path_buf(), k);
            text
        })
    }

    /// Keeps a file's text as just read.
    pub(crate) fn keep(&mut self, full: &Path, meta: &std::fs::Metadata, text: &str) {
        self.fresh.insert(
            full.to_path_buf(),
            Kept {
                len: meta.len(),
                modified: meta.modified().ok(),
                text: text.to_string(),
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(root: &Path, kept: &mut KeptFiles) -> String {
        kept.begin();
        let full = root.join("a.md");
        let meta = std::fs::metadata(&full).unwrap();
        if let Some(t) = kept.take(&full, &meta) {
            return t;
        }
        let text = std::fs::read_to_string(&full).unwrap();
        kept.keep(&full, &meta, &text);
        text
    }

    /// Writes `text` and sets the file's modification time to `when`.
    fn write_at(file: &Path, text: &str, when: SystemTime) {
        std::fs::write(file, text).unwrap();
        let f = std::fs::File::options().write(true).open(file).unwrap();
        f.set_modified(when).unwrap();
    }

    #[test]
    fn an_unchanged_file_is_kept_and_a_changed_one_read_again() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path().canonicalize().unwrap();
        let file = root.join("a.md");
        std::fs::write(&file, "one").unwrap();
        let when = std::fs::metadata(&file).unwrap().modified().unwrap();
        let mut kept = KeptFiles::default();
        assert_eq!(load(&root, &mut kept), "one");
        // Same length, time set back: only an event tells.
        write_at(&file, "two", when);
        assert_eq!(
            load(&root, &mut kept),
            "one",
            "kept while size and time say so"
        );
        kept.forget(std::slice::from_ref(&file));
        assert_eq!(load(&root, &mut kept), "two", "an event names the file");
        // A new time is enough, and so is an event on the folder.
        let later = when + std::time::Duration::from_secs(5);
        write_at(&file, "six", later);
        assert_eq!(load(&root, &mut kept), "six");
        write_at(&file, "ten", later);
        kept.forget(std::slice::from_ref(&root));
        assert_eq!(load(&root, &mut kept), "ten");
        // A file no load asked for is let go.
        kept.begin();
        kept.begin();
        assert!(kept.fresh.is_empty() && kept.last.is_empty());
    }
}
