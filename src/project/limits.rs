//! The largest book the build accepts, in numbers. Beyond each, the loader reports an error
//! at the place that passes it, instead of running out of memory later. The README lists them.

/// A manuscript file (Markdown, contents.md, index.toml, build.toml) is at most this big.
pub(crate) const MAX_FILE_BYTES: u64 = 16 << 20;
/// All the text of a book together is at most this big (some 15,000 printed pages).
pub(crate) const MAX_BOOK_BYTES: u64 = 64 << 20;
/// A run of characters without a space is at most this long. Longer words are broken between
/// letters in print; past this, it is not a word but data pasted into the text.
pub(crate) const MAX_WORD_CHARS: usize = 10_000;
/// A picture has at most this many pixels (a 10,000 × 8,000 scan), and its file this size.
pub(crate) const MAX_PICTURE_PIXELS: u64 = 80_000_000;
pub(crate) const MAX_PICTURE_BYTES: u64 = 256 << 20;

/// "16 MiB" and the like, for messages.
pub(crate) fn mib(bytes: u64) -> String {
    format!("{} MiB", bytes >> 20)
}
