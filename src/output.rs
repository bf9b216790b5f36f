//! Writing outputs so that a failed or killed build never leaves a broken file: every output
//! is first written in full to a temporary file beside its target (and synced), and only when
//! all of them are written are they renamed over the targets, one after another. A build that
//! stops before that leaves the previous outputs as they were; its temporary files are removed
//! by the next build into the same folder.

use std::io::Write;
use std::path::{Path, PathBuf};

/// Writes every output atomically (see the module's documentation).
pub(crate) fn write_all(files: &[(PathBuf, Vec<u8>)]) -> Result<(), String> {
    write_all_with(files, |p| std::fs::File::create(p))
}

/// `write_all` with the temporary files opened by `open` (tests open /dev/full to see a
/// full disk).
fn write_all_with(
    files: &[(PathBuf, Vec<u8>)],
    open: impl Fn(&Path) -> std::io::Result<std::fs::File>,
) -> Result<(), String> {
    let mut written: Vec<(PathBuf, &Path)> = Vec::new();
    let result = (|| {
        for (path, bytes) in files {
            let dir = parent(path);
            std::fs::create_dir_all(dir)
                .map_err(|e| format!("cannot create the output folder {}: {e}", dir.display()))?;
            remove_stale(path);
            let tmp = temporary(path);
            let mut f = open(&tmp).map_err(|e| cannot(path, &e))?;
            written.push((tmp, path));
            f.write_all(bytes)
                .and_then(|()| f.sync_all())
                .map_err(|e| cannot(path, &e))?;
        }
        // What would stop a rename is found before any output is replaced.
        if let Some((_, path)) = written.iter().find(|(_, p)| p.is_dir()) {
            return Err(format!(
                "cannot write {}: a folder of that name is in the way",
                path.display()
            ));
        }
        for (tmp, path) in &written {
            std::fs::rename(tmp, path).map_err(|e| cannot(path, &e))?;
        }
        Ok(())
    })();
    if result.is_err() {
        for (tmp, _) in &written {
            let _ = std::fs::remove_file(tmp);
        }
    }
    result
}

fn cannot(path: &Path, e: &std::io::Error) -> String {
    let why = match e.raw_os_error() {
        Some(28) => "the disk is full".to_string(),
        _ => e.to_string(),
    };
    format!("cannot write {}: {why}", path.display())
}

fn parent(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

/// `.book.pdf.1234.tmp` beside `book.pdf`, 1234 being this process.
fn temporary(path: &Path) -> PathBuf {
    parent(path).join(format!(".{}.{}.tmp", file_name(path), std::process::id()))
}

/// Removes the temporary files an earlier build into this folder left when it was stopped.
fn remove_stale(path: &Path) {
    let prefix = format!(".{}.", file_name(path));
    let ours = temporary(path);
    let Ok(entries) = std::fs::read_dir(parent(path)) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(pid) = name
            .strip_prefix(&prefix)
            .and_then(|r| r.strip_suffix(".tmp"))
        else {
            continue;
        };
        if pid.chars().all(|c| c.is_ascii_digit()) && e.path() != ours && !running(pid) {
            let _ = std::fs::remove_file(e.path());
        }
    }
}

/// Whether a process with this id is running (a build writing into the same folder now).
fn running(pid: &str) -> bool {
    cfg!(target_os = "linux") && Path::new("/proc").join(pid).exists()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(dir: &Path) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        v.sort();
        v
    }

    #[test]
    fn a_failed_write_leaves_the_old_files_and_no_temporary() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("book.pdf");
        let b = dir.path().join("book.epub");
        write_all(&[(a.clone(), b"one".to_vec()), (b.clone(), b"two".to_vec())]).unwrap();
        assert_eq!(std::fs::read(&a).unwrap(), b"one");
        // A directory in the way of the second: the first is not replaced either.
        std::fs::remove_file(&b).unwrap();
        std::fs::create_dir(&b).unwrap();
        std::fs::write(b.join("keep"), b"x").unwrap();
        let err = write_all(&[(a.clone(), b"new".to_vec()), (b.clone(), b"new".to_vec())]);
        assert!(err.is_err());
        assert_eq!(std::fs::read(&a).unwrap(), b"one");
        assert_eq!(names(dir.path()), ["book.epub", "book.pdf"]);
    }

    #[test]
    fn a_full_disk_is_an_error_and_leaves_nothing_behind() {
        let full = Path::new("/dev/full");
        if !full.exists() {
            return;
        }
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("book.pdf");
        std::fs::write(&a, b"old").unwrap();
        let err = write_all_with(&[(a.clone(), vec![0; 4096])], |_| {
            std::fs::OpenOptions::new().write(true).open(full)
        })
        .unwrap_err();
        assert!(err.contains("the disk is full"), "{err}");
        assert_eq!(std::fs::read(&a).unwrap(), b"old");
    }

    #[test]
    fn temporary_files_of_a_stopped_build_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let a = dir.path().join("book.pdf");
        // A build that was killed (no such process) and an unrelated file.
        std::fs::write(dir.path().join(".book.pdf.999999999.tmp"), b"half").unwrap();
        std::fs::write(dir.path().join(".other.pdf.999999999.tmp"), b"x").unwrap();
        write_all(&[(a, b"pdf".to_vec())]).unwrap();
        assert_eq!(names(dir.path()), [".other.pdf.999999999.tmp", "book.pdf"]);
    }

    #[test]
    fn an_output_folder_that_cannot_be_made_is_an_error() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("not-a-folder");
        std::fs::write(&file, b"x").unwrap();
        let err = write_all(&[(file.join("book.pdf"), b"pdf".to_vec())]).unwrap_err();
        assert!(err.contains("cannot create the output folder"), "{err}");
    }
}
