//! Endnotes: with `[notes] placement = "chapter"` a chapter's notes follow its text under
//! "Notes"; with `"book"` the `@notes` entry gathers every note, under the title of the
//! chapter it belongs to. Each note is set as a footnote would be (smaller type, its number
//! first), with no widow or orphan line.

use super::FlowBuilder;
use super::blocks::SPACE_BEFORE_HEADING;
use crate::display::LineRole;
use crate::model::{Inline, NoteId};

impl FlowBuilder<'_, '_> {
    /// The notes of the chapter at `top` (its own and those of the entries nested in it).
    pub fn chapter_notes(&mut self, top: usize) {
        let groups = self.book.notes_of(top, self.book.end_of(top));
        if groups.is_empty() {
            return;
        }
        let title = vec![Inline::Text(
            crate::model::notes_title(&self.book.config.book.language).into(),
        )];
        self.endnote_heading(&title, 2);
        let several = groups.len() > 1;
        for (entry, notes) in groups {
            if several {
                let t = super::title_inlines(self.book, entry);
                self.endnote_heading(&t, 3);
            }
            self.endnotes(&notes);
        }
    }

    /// Every note of the book, chapter by chapter (the `@notes` entry).
    pub fn book_notes(&mut self) {
        let tops: Vec<usize> = self.book.top_level().map(|(i, _)| i).collect();
        for top in tops {
            let groups = self.book.notes_of(top, self.book.end_of(top));
            if groups.is_empty() {
                continue;
            }
            let t = super::title_inlines(self.book, top);
            self.endnote_heading(&t, 2);
            let several = groups.len() > 1;
            for (entry, notes) in groups {
                if several && entry != top {
                    let t = super::title_inlines(self.book, entry);
                    self.endnote_heading(&t, 3);
                }
                self.endnotes(&notes);
            }
        }
    }

    fn endnote_heading(&mut self, inlines: &[Inline], level: u8) {
        let (size, italic) = self.heading_size(level);
        self.heading(
            inlines,
            level,
            LineRole::Heading { level },
            size,
            italic,
            Vec::new(),
            None,
            SPACE_BEFORE_HEADING,
        );
    }

    /// The notes, one after another; a page breaks inside a note only where two lines stay
    /// on each side.
    fn endnotes(&mut self, notes: &[NoteId]) {
        for &n in notes {
            let mut boxes = self.note(n);
            let count = boxes.len();
            for (i, b) in boxes.iter_mut().enumerate() {
                b.break_before = i == 0 || (i >= 2 && count - i >= 2);
            }
            if let Some(first) = boxes.first_mut()
                && let super::VKind::Lines { anchors, .. } = &mut first.kind
            {
                anchors.push(format!("note-{n}"));
            }
            let from = self.boxes.len();
            self.boxes.extend(boxes);
            self.apply_keep(from);
            self.no_indent = true;
        }
    }
}
