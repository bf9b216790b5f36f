//! The OCF container: `mimetype` first and stored, then the container file and the package
//! document, then every publication file in the order it was made; all with the same
//! timestamp and permissions, and no zip comment.
//!
//! The package document lists every file, so it is made last but stored near the front.
//! Each file is compressed as soon as it is made, into an archive of its own, and the
//! compressed entries are copied behind the package document at the end: a long book's
//! text is held compressed (a third of its size), not whole, while the rest is written.

use std::io::{Cursor, Write};

use zip::write::SimpleFileOptions;
use zip::{CompressionMethod, DateTime, ZipArchive, ZipWriter};

use crate::model::Timestamp;

/// The publication's files, compressed as they are added.
pub struct Container {
    parts: ZipWriter<Cursor<Vec<u8>>>,
    stored: SimpleFileOptions,
    deflated: SimpleFileOptions,
}

fn zip_error(e: zip::result::ZipError) -> String {
    format!("cannot write the EPUB container: {e}")
}

fn io_error(e: std::io::Error) -> String {
    format!("cannot write the EPUB container: {e}")
}

impl Container {
    /// An empty container whose entries carry `time`.
    pub fn new(time: Timestamp) -> Container {
        let (y, mo, d, h, mi, s) = time.civil();
        let dt = DateTime::from_date_and_time(
            y.clamp(1980, 2107) as u16,
            mo as u8,
            d as u8,
            h as u8,
            mi as u8,
            s as u8,
        )
        .unwrap_or_default();
        Container {
            parts: ZipWriter::new(Cursor::new(Vec::new())),
            stored: SimpleFileOptions::default()
                .compression_method(CompressionMethod::Stored)
                .last_modified_time(dt)
                .unix_permissions(0o644),
            deflated: SimpleFileOptions::default()
                .compression_method(CompressionMethod::Deflated)
                .compression_level(Some(6))
                .last_modified_time(dt)
                .unix_permissions(0o644),
        }
    }

    /// Adds `data` at `name`: deflated, unless it is a picture format that is compressed
    /// already.
    pub fn add(&mut self, name: &str, data: &[u8]) -> Result<(), String> {
        let already = [".jpg", ".png", ".gif", ".webp"]
            .iter()
            .any(|ext| name.ends_with(ext));
        let options = if already { self.stored } else { self.deflated };
        self.parts.start_file(name, options).map_err(zip_error)?;
        self.parts.write_all(data).map_err(io_error)
    }

    /// The container's bytes: `mimetype`, then `head` (in order), then the added files.
    pub fn finish(self, head: &[(String, Vec<u8>)]) -> Result<Vec<u8>, String> {
        let parts = self.parts.finish().map_err(zip_error)?.into_inner();
        let mut zip = ZipWriter::new(Cursor::new(Vec::with_capacity(parts.len() + (64 << 10))));
        zip.start_file("mimetype", self.stored).map_err(zip_error)?;
        zip.write_all(b"application/epub+zip").map_err(io_error)?;
        for (name, data) in head {
            zip.start_file(name.as_str(), self.deflated)
                .map_err(zip_error)?;
            zip.write_all(data).map_err(io_error)?;
        }
        let parts = ZipArchive::new(Cursor::new(parts)).map_err(zip_error)?;
        zip.merge_archive(parts).map_err(zip_error)?;
        Ok(zip.finish().map_err(zip_error)?.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Read;

    #[test]
    fn mimetype_first_then_head_then_files_in_order() {
        let mut c = Container::new(Timestamp::fixed(0));
        c.add("EPUB/a.xhtml", "<p>a</p>".repeat(100).as_bytes())
            .unwrap();
        c.add("EPUB/images/b.jpg", b"\xff\xd8 not really").unwrap();
        c.add("EPUB/c.css", b"p {}").unwrap();
        let bytes = c
            .finish(&[("META-INF/container.xml".into(), b"<container/>".to_vec())])
            .unwrap();
        // The OCF rule readers check first: `mimetype` stored, at offset 0, no extra field.
        assert_eq!(&bytes[30..38], b"mimetype");
        assert_eq!(&bytes[38..58], b"application/epub+zip");
        let mut zip = ZipArchive::new(Cursor::new(bytes)).unwrap();
        let names: Vec<String> = (0..zip.len())
            .map(|i| zip.by_index(i).unwrap().name().unwrap().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "mimetype",
                "META-INF/container.xml",
                "EPUB/a.xhtml",
                "EPUB/images/b.jpg",
                "EPUB/c.css"
            ]
        );
        let methods: Vec<CompressionMethod> = (0..zip.len())
            .map(|i| zip.by_index(i).unwrap().compression())
            .collect();
        use CompressionMethod::{Deflated, Stored};
        assert_eq!(methods, [Stored, Deflated, Deflated, Stored, Deflated]);
        let mut text = String::new();
        zip.by_name("EPUB/a.xhtml")
            .unwrap()
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "<p>a</p>".repeat(100));
    }
}
