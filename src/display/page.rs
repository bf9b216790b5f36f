//! Pages of the interior: positioned runs, rules and pictures, link areas, destinations, and
//! what each page is (its number, side and kind) — plus the bookmarks.

use super::run::Run;
use crate::model::{FlowPoint, HitId, ImageId, LinkTarget, NoteId};

/// Crop marks stand this far outside the bleed; the media grows to hold them.
pub const CROP_SLUG: f32 = (0.5 * crate::units::PT_PER_IN) as f32;
/// The length of a crop mark.
pub const CROP_MARK: f32 = (0.25 * crate::units::PT_PER_IN) as f32;

/// Everything on a page is positioned in points from the top-left corner of the trim box.
#[derive(Debug, Clone, PartialEq)]
pub enum PItem {
    /// A glyph run; `y` is its baseline.
    Text {
        /// The glyphs.
        run: Run,
        /// The run's origin.
        x: f32,
        /// The run's baseline.
        y: f32,
    },
    /// A straight line from (x0, y) to (x1, y).
    Rule {
        /// Start.
        x0: f32,
        /// End.
        x1: f32,
        /// Height of the line's centre.
        y: f32,
        /// Line width.
        thickness: f32,
    },
    /// A picture scaled into the rectangle.
    Image {
        /// The picture.
        image: ImageId,
        /// Left edge.
        x: f32,
        /// Top edge.
        y: f32,
        /// Width.
        w: f32,
        /// Height.
        h: f32,
    },
}

/// What a set line is, to a reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineRole {
    /// An entry's title (level 1) or a heading under it (2 and down).
    Heading {
        /// The heading's rank: 1 for a top-level entry's title.
        level: u8,
    },
    /// Running text: a paragraph, a list item, a quotation, verse, a scene break.
    Text,
    /// A line of a code block.
    Code,
    /// A table row.
    Cell,
    /// A figure's caption.
    Caption,
    /// A line of a footnote.
    Note {
        /// The note.
        note: NoteId,
        /// True for the note's first line (the one with its number).
        first: bool,
    },
    /// Generated matter: the title and copyright pages, the contents, the index.
    Generated,
    /// Running heads and folios: page furniture, not content.
    Furniture,
}

/// A line set on a page.
#[derive(Debug, Clone, PartialEq)]
pub struct PLine {
    /// Its baseline, from the top of the trim box.
    pub baseline: f32,
    /// The bottom of its line box: how deep the page is filled down to this line.
    pub bottom: f32,
    /// What it is.
    pub role: LineRole,
    /// Where its text begins in the reading flow (running text only).
    pub point: Option<FlowPoint>,
}

/// A link area: a rectangle (top-left corner, size) and where it leads.
#[derive(Debug, Clone)]
pub struct PLink {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Width.
    pub w: f32,
    /// Height.
    pub h: f32,
    /// Where the link leads.
    pub target: LinkTarget,
    /// The structure node of the text it is on.
    pub node: Option<u32>,
}

/// How a page's number is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Numbering {
    /// i, ii, iii … (front matter).
    Roman,
    /// 1, 2, 3 … (the body and back matter).
    Arabic,
}

/// What a page is, for running heads and folios.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PageKind {
    /// Title page, copyright page.
    Title,
    /// The first page of a top-level entry.
    Opening,
    /// A page that continues an entry.
    Body,
    /// A blank page inserted so the next entry opens on a recto.
    Blank,
    /// A figure on a page of its own: no running head or folio, as on an opening.
    Plate,
}

/// One page of the interior.
#[derive(Debug, Clone)]
pub struct Page {
    /// What is drawn, in order.
    pub items: Vec<PItem>,
    /// The lines set on the page, in the order they were placed, with what each is.
    pub lines: Vec<PLine>,
    /// Link areas.
    pub links: Vec<PLink>,
    /// Named destinations on this page: id and y.
    pub dests: Vec<(String, f32)>,
    /// How its number is printed.
    pub numbering: Numbering,
    /// The page's number in its numbering (i = 1).
    pub number: u32,
    /// True for a right-hand page.
    pub recto: bool,
    /// What the page is.
    pub kind: PageKind,
    /// Index hits set on this page.
    pub hits: Vec<HitId>,
    /// Footnotes referred to from this page's lines, in order.
    pub note_refs: Vec<NoteId>,
    /// Where the page's text begins, for the EPUB page-list (body text pages only).
    pub flow_start: Option<FlowPoint>,
    /// The outline entry that is current on this page (index into `Book::entries`).
    pub entry: Option<usize>,
    /// Which structure node the items belong to: from `items[at]` on, `node` (`None`: page
    /// furniture), until the next mark. Items before the first mark are furniture.
    pub marks: Vec<Mark>,
    /// The items drawn first, when they wait in the document's [`super::ItemStore`]
    /// instead of in `items`, which then holds only those drawn after them (the running head
    /// and folio). [`Page::restore`] brings them back.
    pub stored: Option<super::Stored>,
}

/// Where the items of one structure node (or of furniture) begin on a page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mark {
    /// The index of the first item.
    pub at: u32,
    /// The node, or `None` for furniture.
    pub node: Option<u32>,
}

impl Page {
    /// A page with nothing on it yet.
    pub fn empty(numbering: Numbering, number: u32, recto: bool, kind: PageKind) -> Page {
        Page {
            items: Vec::new(),
            lines: Vec::new(),
            links: Vec::new(),
            dests: Vec::new(),
            numbering,
            number,
            recto,
            kind,
            hits: Vec::new(),
            note_refs: Vec::new(),
            flow_start: None,
            entry: None,
            marks: Vec::new(),
            stored: None,
        }
    }

    /// Starts the items that follow as belonging to `node` (`None`: furniture).
    pub fn mark(&mut self, node: Option<u32>) {
        let at = self.items.len() as u32 + self.stored.map_or(0, |s| s.count);
        if let Some(last) = self.marks.last_mut()
            && last.at == at
        {
            last.node = node;
            return;
        }
        if self.marks.last().map(|m| m.node) != Some(node) {
            self.marks.push(Mark { at, node });
        }
    }
}

impl Page {
    /// Gives back the room its lists grew into: a drawn page is kept until the PDF is
    /// written (and by the preview), and the slack was a tenth of a long novel's pages.
    pub fn shrink_to_fit(&mut self) {
        self.items.shrink_to_fit();
        self.lines.shrink_to_fit();
        self.marks.shrink_to_fit();
        self.hits.shrink_to_fit();
        self.note_refs.shrink_to_fit();
    }

    /// Brings back the items that wait in `store` (see [`Page::stored`]), before those the
    /// page holds.
    pub fn restore(&mut self, store: Option<&super::ItemStore>) -> Result<(), String> {
        let Some(s) = self.stored else {
            return Ok(());
        };
        let store = store.ok_or("a drawn page's items are in a store the document lacks")?;
        let mut items = store.get(&s)?;
        items.append(&mut self.items);
        self.items = items;
        self.stored = None;
        Ok(())
    }

    /// The printed page number ("xii", "45").
    pub fn label(&self) -> String {
        match self.numbering {
            Numbering::Roman => roman(self.number),
            Numbering::Arabic => self.number.to_string(),
        }
    }
}

/// A bookmark: an outline entry and where it begins.
#[derive(Debug, Clone)]
pub struct OutlineItem {
    /// The entry's title.
    pub title: String,
    /// 0 for top-level entries.
    pub depth: usize,
    /// Index of the page in [`super::Document::pages`].
    pub page: usize,
    /// Height of the entry's start on its page, from the top of the trim box.
    pub y: f32,
}

/// Lower-case roman numerals.
pub fn roman(mut n: u32) -> String {
    const TABLE: [(u32, &str); 13] = [
        (1000, "m"),
        (900, "cm"),
        (500, "d"),
        (400, "cd"),
        (100, "c"),
        (90, "xc"),
        (50, "l"),
        (40, "xl"),
        (10, "x"),
        (9, "ix"),
        (5, "v"),
        (4, "iv"),
        (1, "i"),
    ];
    let mut s = String::new();
    for (v, r) in TABLE {
        while n >= v {
            s.push_str(r);
            n -= v;
        }
    }
    s
}

#[cfg(test)]
mod tests {
    #[test]
    fn roman_numerals() {
        assert_eq!(super::roman(1), "i");
        assert_eq!(super::roman(4), "iv");
        assert_eq!(super::roman(14), "xiv");
        assert_eq!(super::roman(1999), "mcmxcix");
    }
}
