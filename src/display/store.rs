//! Drawn pages waiting for the PDF writer, out of memory. A book is numbered only once every
//! chapter is laid out (the contents, at the front, prints every page number), and the PDF
//! writer takes pages in order, so a long book's drawn pages used to wait in memory until
//! the last chapter was set: a third of the peak of a 1,300-page novel, and more the longer
//! the book. As TeX ships a finished page out to its DVI file, a page drawn as soon as its
//! chapter is laid out sends what is drawn on it to an unnamed file here, and the writer
//! reads each back when its turn comes. What stays in memory is what numbering and the
//! running heads read (lines, marks, links, destinations, hits): a tenth of the page.
//!
//! The file is the process's own: it has no name in any folder, the system removes it when
//! the process ends however it ends, and it is made beside the outputs (the folder the user
//! gave them room in), not in a temporary folder that may be memory itself.

use std::io::{Read, Seek, SeekFrom, Write};
use std::path::Path;
use std::sync::Mutex;

use super::page::PItem;
use super::run::{Em, GlyphOffset, Run, RunExtras, RunGlyph};

/// Where a page's items are in the store, and how many there are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stored {
    at: u64,
    len: u32,
    /// How many items: the page's own follow them (its running head and folio).
    pub count: u32,
}

/// The unnamed file drawn items wait in.
#[derive(Debug)]
pub struct ItemStore {
    file: Mutex<(std::fs::File, u64)>,
}

impl ItemStore {
    /// A store in the nearest folder of `dir` that exists (the output folder, or the project
    /// folder it will be made in). `None` when no file can be made there: the pages then
    /// wait in memory as they did before.
    pub fn beside(dir: &Path) -> Option<ItemStore> {
        let file = tempfile::tempfile_in(nearest_folder(dir)?).ok()?;
        Some(ItemStore {
            file: Mutex::new((file, 0)),
        })
    }

    /// Sends `items` to the file. `None` when it cannot be written (a full disk): the
    /// caller keeps them.
    pub fn put(&self, items: &[PItem]) -> Option<Stored> {
        let mut bytes = Vec::with_capacity(items.len() * 48);
        encode(items, &mut bytes);
        let len = u32::try_from(bytes.len()).ok()?;
        let mut guard = self.file.lock().ok()?;
        let (file, end) = &mut *guard;
        let at = *end;
        file.seek(SeekFrom::Start(at)).ok()?;
        if file.write_all(&bytes).is_err() {
            return None;
        }
        *end += u64::from(len);
        Some(Stored {
            at,
            len,
            count: items.len() as u32,
        })
    }

    /// The items sent with [`ItemStore::put`].
    pub fn get(&self, s: &Stored) -> Result<Vec<PItem>, String> {
        let lost = |why: String| format!("a drawn page could not be read back ({why})");
        let mut bytes = vec![0; s.len as usize];
        {
            let mut guard = self.file.lock().map_err(|e| lost(e.to_string()))?;
            let (file, _) = &mut *guard;
            file.seek(SeekFrom::Start(s.at))
                .and_then(|_| file.read_exact(&mut bytes))
                .map_err(|e| lost(e.to_string()))?;
        }
        let items =
            decode(&bytes, s.count as usize).ok_or_else(|| lost("its bytes are damaged".into()))?;
        if items.len() != s.count as usize {
            return Err(lost("it holds fewer items than were sent".into()));
        }
        Ok(items)
    }
}

/// The nearest folder of `dir` that exists: itself, or the nearest above it (the current
/// folder above a relative path's first part).
fn nearest_folder(dir: &Path) -> Option<&Path> {
    dir.ancestors()
        .map(|d| match d.as_os_str().is_empty() {
            true => Path::new("."),
            false => d,
        })
        .find(|d| d.is_dir())
}

/// `items` as bytes: each item's kind, then its fields, little-endian; a run's glyphs as
/// they are held (4 bytes each) and its text as UTF-8.
pub fn encode(items: &[PItem], out: &mut Vec<u8>) {
    let f = |out: &mut Vec<u8>, v: f32| out.extend_from_slice(&v.to_le_bytes());
    let n = |out: &mut Vec<u8>, v: usize| out.extend_from_slice(&(v as u32).to_le_bytes());
    for item in items {
        match item {
            PItem::Text { run, x, y } => {
                out.push(0);
                f(out, *x);
                f(out, *y);
                out.extend_from_slice(&run.face.to_le_bytes());
                for v in [run.size, run.x, run.rise] {
                    f(out, v);
                }
                n(out, run.glyphs.len());
                for g in run.glyphs.iter() {
                    out.extend_from_slice(&g.to_bits().to_le_bytes());
                }
                n(out, run.text.len());
                out.extend_from_slice(run.text.as_bytes());
                match &run.extras {
                    None => out.push(0),
                    Some(e) => {
                        out.push(1);
                        n(out, e.offsets.len());
                        for o in e.offsets.iter() {
                            out.extend_from_slice(&o.glyph.to_le_bytes());
                            f(out, o.x.0);
                            f(out, o.y.0);
                        }
                        n(out, e.wide.len());
                        for w in e.wide.iter() {
                            f(out, w.0);
                        }
                        n(out, e.steps.len());
                        for s in e.steps.iter() {
                            out.extend_from_slice(&s.to_le_bytes());
                        }
                    }
                }
            }
            PItem::Rule {
                x0,
                x1,
                y,
                thickness,
            } => {
                out.push(1);
                for v in [*x0, *x1, *y, *thickness] {
                    f(out, v);
                }
            }
            PItem::Image { image, x, y, w, h } => {
                out.push(2);
                out.extend_from_slice(&image.to_le_bytes());
                for v in [*x, *y, *w, *h] {
                    f(out, v);
                }
            }
        }
    }
}

/// The items [`encode`] made of `bytes`, `expected` of them (the room made for them; the
/// caller checks the count); `None` when they are not such bytes.
pub fn decode(bytes: &[u8], expected: usize) -> Option<Vec<PItem>> {
    let mut r = Reader { bytes, at: 0 };
    // Room for the page's items at once (no item is shorter than a rule's 17 bytes, so
    // damaged bytes cannot ask for more than they could hold).
    let mut items = Vec::with_capacity(expected.min(bytes.len() / 17));
    while r.at < bytes.len() {
        items.push(match r.u8()? {
            0 => {
                let (x, y) = (r.f32()?, r.f32()?);
                let face = u16::from_le_bytes(r.take()?);
                let (size, rx, rise) = (r.f32()?, r.f32()?, r.f32()?);
                let count = r.len()?;
                // Straight into the run's shared slice: its length is known, so one
                // allocation, where collecting through `Option` grew a vector and copied it.
                let glyphs: std::sync::Arc<[RunGlyph]> = r
                    .slice(count.checked_mul(4)?)?
                    .chunks_exact(4)
                    .map(|b| RunGlyph::from_bits(u32::from_le_bytes([b[0], b[1], b[2], b[3]])))
                    .collect();
                let len = r.len()?;
                let text = std::str::from_utf8(r.slice(len)?).ok()?;
                let extras = match r.u8()? {
                    0 => None,
                    1 => {
                        let count = r.len()?;
                        let offsets: Vec<GlyphOffset> = (0..count)
                            .map(|_| {
                                Some(GlyphOffset {
                                    glyph: u32::from_le_bytes(r.take()?),
                                    x: Em(r.f32()?),
                                    y: Em(r.f32()?),
                                })
                            })
                            .collect::<Option<_>>()?;
                        let count = r.len()?;
                        let wide: Vec<Em> =
                            (0..count).map(|_| r.f32().map(Em)).collect::<Option<_>>()?;
                        let count = r.len()?;
                        let steps: Vec<u16> = (0..count)
                            .map(|_| Some(u16::from_le_bytes(r.take()?)))
                            .collect::<Option<_>>()?;
                        Some(std::sync::Arc::new(RunExtras {
                            offsets: offsets.into(),
                            wide: wide.into(),
                            steps: steps.into(),
                        }))
                    }
                    _ => return None,
                };
                PItem::Text {
                    run: Run {
                        face,
                        size,
                        x: rx,
                        rise,
                        glyphs,
                        text: text.into(),
                        extras,
                    },
                    x,
                    y,
                }
            }
            1 => PItem::Rule {
                x0: r.f32()?,
                x1: r.f32()?,
                y: r.f32()?,
                thickness: r.f32()?,
            },
            2 => PItem::Image {
                image: u32::from_le_bytes(r.take()?),
                x: r.f32()?,
                y: r.f32()?,
                w: r.f32()?,
                h: r.f32()?,
            },
            _ => return None,
        });
    }
    Some(items)
}

struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
}

impl<'a> Reader<'a> {
    fn slice(&mut self, n: usize) -> Option<&'a [u8]> {
        let bytes: &'a [u8] = self.bytes;
        let s = bytes.get(self.at..self.at.checked_add(n)?)?;
        self.at += n;
        Some(s)
    }

    fn take<const N: usize>(&mut self) -> Option<[u8; N]> {
        self.slice(N)?.try_into().ok()
    }

    fn u8(&mut self) -> Option<u8> {
        Some(self.take::<1>()?[0])
    }

    fn f32(&mut self) -> Option<f32> {
        Some(f32::from_le_bytes(self.take()?))
    }

    /// A count, no larger than what is left to read could hold (damaged bytes cannot ask
    /// for a huge allocation).
    fn len(&mut self) -> Option<usize> {
        let n = u32::from_le_bytes(self.take()?) as usize;
        (n <= self.bytes.len() - self.at).then_some(n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::display::RunGlyphs;

    fn run(text: &str, advances: &[f32], offsets: Vec<GlyphOffset>) -> Run {
        let mut g = RunGlyphs::with_capacity(advances.len());
        for (k, &a) in advances.iter().enumerate() {
            g.push(k as u16 + 3, Em(a), k as u32);
        }
        let (glyphs, extras) = g.finish(offsets);
        Run {
            face: 2,
            size: 10.5,
            x: 1.25,
            rise: -3.0,
            glyphs,
            text: text.into(),
            extras,
        }
    }

    fn items() -> Vec<PItem> {
        vec![
            PItem::Text {
                run: run("Žal", &[0.5, 0.25, -0.012], Vec::new()),
                x: 72.0,
                y: 100.5,
            },
            PItem::Rule {
                x0: 1.0,
                x1: 2.0,
                y: 3.0,
                thickness: 0.4,
            },
            // A leader's exact advances, a mark shifted onto its letter, a long step.
            PItem::Text {
                run: run(
                    &format!("a{}", "\u{301}".repeat(6)),
                    &[0.3333333, 0.0],
                    vec![GlyphOffset {
                        glyph: 1,
                        x: Em(-0.2),
                        y: Em(0.1),
                    }],
                ),
                x: 0.0,
                y: 0.0,
            },
            PItem::Image {
                image: 7,
                x: 10.0,
                y: 20.0,
                w: 30.0,
                h: 40.0,
            },
        ]
    }

    /// Every kind of item, with every kind of run, comes back as it was sent, through the
    /// file, beside other pages' items.
    #[test]
    fn items_come_back_as_they_were_sent() {
        let dir = tempfile::tempdir().unwrap();
        let store = ItemStore::beside(&dir.path().join("build/not/yet")).unwrap();
        let a = items();
        let b = vec![a[1].clone()];
        let (sa, sb) = (store.put(&a).unwrap(), store.put(&b).unwrap());
        assert_eq!(store.get(&sb).unwrap(), b);
        assert_eq!(store.get(&sa).unwrap(), a);
        assert_eq!(sa.count, 4);
        // The file has no name: nothing is left in the folder.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
        assert_eq!(store.put(&[]).map(|s| s.count), Some(0));
        // A relative output folder not made yet (`-o out`) has the current folder above it.
        assert_eq!(
            nearest_folder(Path::new("no-such-folder/build")),
            Some(Path::new("."))
        );
        assert_eq!(nearest_folder(dir.path()), Some(dir.path()));
    }

    /// A page whose items wait in the store marks what is drawn after them where it will be
    /// once they are back.
    #[test]
    fn marks_count_the_items_that_wait() {
        let dir = tempfile::tempdir().unwrap();
        let store = ItemStore::beside(dir.path()).unwrap();
        use crate::display::{Numbering, Page, PageKind};
        let mut page = Page::empty(Numbering::Arabic, 1, true, PageKind::Body);
        page.marks.push(crate::display::Mark {
            at: 0,
            node: Some(3),
        });
        page.stored = store.put(&items());
        page.mark(None);
        page.items.push(items()[1].clone());
        assert_eq!(page.marks[1], crate::display::Mark { at: 4, node: None });
        page.restore(Some(&store)).unwrap();
        assert_eq!(page.items.len(), 5);
        assert_eq!(page.items[4], items()[1]);
        assert_eq!(page.stored, None);
    }

    /// Damaged or cut bytes are refused, never read as something else or let ask for more
    /// memory than they hold.
    #[test]
    fn damaged_bytes_are_refused() {
        let mut bytes = Vec::new();
        encode(&items(), &mut bytes);
        assert_eq!(decode(&bytes, items().len()), Some(items()));
        for cut in [1, 9, 30, bytes.len() - 1] {
            assert_eq!(decode(&bytes[..cut], 3), None, "cut at {cut}");
        }
        let mut bad = bytes.clone();
        bad[0] = 9;
        assert_eq!(decode(&bad, 3), None);
        // A glyph count of four billion.
        let mut huge = bytes.clone();
        huge[23..27].copy_from_slice(&u32::MAX.to_le_bytes());
        assert_eq!(decode(&huge, usize::MAX), None);
    }
}
