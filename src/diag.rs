//! Diagnostics: every problem found in a book project, with the file, line and column where
//! the author can fix it. Loading collects them all instead of stopping at the first.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// How bad a diagnostic is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    /// The outputs are made; the author should look (fails with `--deny-warnings`).
    Warning,
    /// Nothing is written.
    Error,
}

/// Where a problem is: a project-relative path and a 1-based line and column (in characters).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Location {
    /// Project-relative path.
    pub path: PathBuf,
    /// 1-based line.
    pub line: u32,
    /// 1-based column, in characters.
    pub col: u32,
}

impl Location {
    /// A location at `path:line:col`.
    pub fn new(path: impl Into<PathBuf>, line: u32, col: u32) -> Self {
        Location {
            path: path.into(),
            line,
            col,
        }
    }

    /// The start of a file, for problems that concern the file as a whole.
    pub fn file(path: impl Into<PathBuf>) -> Self {
        Location::new(path, 1, 1)
    }
}

/// A problem for the author: what, where, and what to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Diagnostic {
    /// Error or warning.
    pub severity: Severity,
    /// Where to fix it; `None` for problems of the project as a whole.
    pub location: Option<Location>,
    /// What is wrong, in one sentence.
    pub message: String,
    /// What to do about it.
    pub hint: Option<String>,
}

impl Diagnostic {
    /// An error at `location`.
    pub fn error(location: Option<Location>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            location,
            message: message.into(),
            hint: None,
        }
    }

    /// A warning at `location`.
    pub fn warning(location: Option<Location>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            location,
            message: message.into(),
            hint: None,
        }
    }

    /// The same diagnostic with a hint.
    pub fn with_hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }

    /// `path:line:col: error: message` and, on the next line, the hint.
    pub fn render(&self, colour: bool) -> String {
        let mut out = String::new();
        let (label, code) = match self.severity {
            Severity::Error => ("error", "\x1b[1;31m"),
            Severity::Warning => ("warning", "\x1b[1;33m"),
        };
        match &self.location {
            Some(loc) => {
                let _ = write!(
                    out,
                    "{}:{}:{}: ",
                    display_path(&loc.path),
                    loc.line,
                    loc.col
                );
            }
            None => out.push_str("bookbuild: "),
        }
        if colour {
            let _ = write!(out, "{code}{label}\x1b[0m: \x1b[1m{}\x1b[0m", self.message);
        } else {
            let _ = write!(out, "{label}: {}", self.message);
        }
        if let Some(hint) = &self.hint {
            if colour {
                let _ = write!(out, "\n  \x1b[36mhint\x1b[0m: {hint}");
            } else {
                let _ = write!(out, "\n  hint: {hint}");
            }
        }
        out
    }
}

/// Paths in messages use `/` on every platform, so messages are the same in CI logs everywhere.
pub fn display_path(p: &Path) -> String {
    p.components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect::<Vec<_>>()
        .join("/")
}

/// The problems found so far. Cheap to pass around by `&mut`.
#[derive(Default, Debug)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    /// No diagnostics.
    pub fn new() -> Self {
        Self::default()
    }

    /// These diagnostics.
    pub fn from_vec(items: Vec<Diagnostic>) -> Self {
        Diagnostics { items }
    }

    /// Adds one.
    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    /// Adds an error without a hint.
    pub fn error(&mut self, location: Option<Location>, message: impl Into<String>) {
        self.push(Diagnostic::error(location, message));
    }

    /// Adds a warning without a hint.
    pub fn warning(&mut self, location: Option<Location>, message: impl Into<String>) {
        self.push(Diagnostic::warning(location, message));
    }

    /// Adds an error with a hint.
    pub fn error_hint(
        &mut self,
        location: Option<Location>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(Diagnostic::error(location, message).with_hint(hint));
    }

    /// Adds a warning with a hint.
    pub fn warning_hint(
        &mut self,
        location: Option<Location>,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) {
        self.push(Diagnostic::warning(location, message).with_hint(hint));
    }

    /// Adds all of `other`'s.
    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    /// True when any is an error.
    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    /// How many errors.
    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// How many warnings.
    pub fn warning_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Warning)
            .count()
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// How many there are.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// All of them, in the order they were found.
    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }

    /// Sorted by file, line and column, so the report reads top to bottom; duplicates dropped.
    pub fn into_sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| {
            a.location
                .cmp(&b.location)
                .then_with(|| b.severity.cmp(&a.severity))
                .then_with(|| a.message.cmp(&b.message))
        });
        self.items.dedup();
        self.items
    }
}

/// A source text with a line index, to turn byte offsets into line and column. The index
/// finds a column without the text (see [`SourceFile::let_go_of_text`]): a long novel's
/// text is megabytes, its characters of more than one byte (quotes, dashes) a few thousand.
#[derive(Debug, Clone)]
pub struct SourceFile {
    /// Project-relative path, as shown to the user.
    pub path: PathBuf,
    /// The file's text (empty once let go of).
    pub text: String,
    /// The text's length in bytes.
    len: u32,
    /// Shared by the copies of a book that let go of its text (each build keeps two).
    index: std::sync::Arc<LineIndex>,
}

/// Where each line starts, and every character of more than one byte: where it starts, and
/// how many bytes after the first the characters up to it and itself have (so the
/// characters before a place are its bytes less those).
#[derive(Debug)]
struct LineIndex {
    line_starts: Vec<u32>,
    wide: Vec<(u32, u32)>,
}

impl SourceFile {
    /// A source file with its line index. Offsets are 32-bit: a manuscript file is at most
    /// 16 MiB (`project::limits`).
    pub fn new(path: impl Into<PathBuf>, text: String) -> Self {
        let mut line_starts = vec![0u32];
        let mut wide = Vec::new();
        let mut extra = 0u32;
        for (i, b) in text.bytes().enumerate() {
            if b == b'\n' {
                line_starts.push(i as u32 + 1);
            } else if b >= 0xC0 {
                // The first byte of a character of 2, 3 or 4 bytes.
                extra += if b >= 0xF0 {
                    3
                } else if b >= 0xE0 {
                    2
                } else {
                    1
                };
                wide.push((i as u32, extra));
            }
        }
        SourceFile {
            path: path.into(),
            len: text.len() as u32,
            text,
            index: std::sync::Arc::new(LineIndex { line_starts, wide }),
        }
    }

    /// The file's path and line index without its text (see [`SourceFile::line_col`]): what
    /// a book that has let go of its text keeps, so that a place in it is still found.
    pub fn without_text(&self) -> SourceFile {
        SourceFile {
            path: self.path.clone(),
            text: String::new(),
            len: self.len,
            index: self.index.clone(),
        }
    }

    /// Lets go of the text, keeping what finds a place in it.
    pub fn let_go_of_text(&mut self) {
        self.text = String::new();
    }

    /// The text's length in bytes (also once the text is let go of).
    pub fn len(&self) -> usize {
        self.len as usize
    }

    /// Whether the text is empty.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// 1-based line and column (in characters) of a byte offset. An offset inside a
    /// character is that character's place.
    pub fn line_col(&self, offset: usize) -> (u32, u32) {
        let offset = offset.min(self.len as usize) as u32;
        let line = match self.index.line_starts.binary_search(&offset) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let start = self.index.line_starts[line];
        let (end, extra_end) = self.extra_before(offset);
        let (_, extra_start) = self.extra_before(start);
        let col = (end - start) - (extra_end - extra_start) + 1;
        (line as u32 + 1, col)
    }

    /// The start of the character at `offset` (`offset` itself unless it is inside one), and
    /// how many bytes after the first the characters before it have.
    fn extra_before(&self, offset: u32) -> (u32, u32) {
        let wide = &self.index.wide;
        let j = wide.partition_point(|&(at, _)| at < offset);
        let Some(&(at, upto)) = j.checked_sub(1).and_then(|k| wide.get(k)) else {
            return (offset, 0);
        };
        let before = j
            .checked_sub(2)
            .and_then(|k| wide.get(k))
            .map_or(0, |w| w.1);
        if offset <= at + (upto - before) {
            (at, before)
        } else {
            (offset, upto)
        }
    }

    /// The location of a byte offset.
    pub fn location(&self, offset: usize) -> Location {
        let (line, col) = self.line_col(offset);
        Location::new(self.path.clone(), line, col)
    }
}

/// Line and column of a byte offset in text that is not valid UTF-8 beyond `offset`.
pub fn line_col_bytes(bytes: &[u8], offset: usize) -> (u32, u32) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() as u32 + 1;
    let line_start = before
        .iter()
        .rposition(|&b| b == b'\n')
        .map_or(0, |p| p + 1);
    let col = String::from_utf8_lossy(&before[line_start..])
        .chars()
        .count() as u32
        + 1;
    (line, col)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What the characters of `text` before `offset` (moved back to a character's start)
    /// on its line count, read from the text itself.
    fn counted(text: &str, offset: usize) -> (u32, u32) {
        let mut end = offset.min(text.len());
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        let before = &text[..end];
        let line = before.matches('\n').count() as u32 + 1;
        let start = before.rfind('\n').map_or(0, |p| p + 1);
        (line, before[start..].chars().count() as u32 + 1)
    }

    /// A file that has let go of its text still gives the line and column (in characters) of
    /// every place, inside a character or past the end included, as the text itself does.
    #[test]
    fn a_file_without_its_text_still_gives_line_and_column() {
        let text = "one «two» — three\n\nцд x 𝔸é\r\nend\u{301} ✓";
        let mut f = SourceFile::new("a.md", text.into());
        let bare = f.without_text();
        f.let_go_of_text();
        assert!(f.text.is_empty());
        assert_eq!(f.len(), text.len());
        for offset in 0..=text.len() + 2 {
            assert_eq!(f.line_col(offset), counted(text, offset), "at {offset}");
            assert_eq!(bare.line_col(offset), counted(text, offset), "at {offset}");
        }
        assert_eq!(bare.location(8).path, f.location(8).path);
    }

    #[test]
    fn line_and_column_count_characters() {
        let f = SourceFile::new("a.md", "ab\nцд x\n".to_string());
        assert_eq!(f.line_col(0), (1, 1));
        assert_eq!(f.line_col(3), (2, 1));
        // "цд " is 5 bytes; x is the fourth character of line 2
        assert_eq!(f.line_col(8), (2, 4));
    }

    #[test]
    fn render_plain() {
        let d = Diagnostic::error(Some(Location::new("m/a.md", 3, 7)), "bad").with_hint("fix it");
        assert_eq!(d.render(false), "m/a.md:3:7: error: bad\n  hint: fix it");
    }

    #[test]
    fn invalid_utf8_position() {
        let b = b"ok\nab\xffc";
        assert_eq!(line_col_bytes(b, 5), (2, 3));
    }
}
