//! The book's logical structure for readers and assistive technology (tagged PDF): headings,
//! paragraphs, lists, quotations, tables, figures and notes as a tree in reading order. Pages
//! say which node each drawn item belongs to ([`Page::marks`](super::Page)); what belongs to
//! none (running heads, folios, rules, crop marks) is page furniture.

/// What a structure node is.
#[derive(Debug, Clone, PartialEq)]
pub enum StructKind {
    /// A heading of rank 1–6 (deeper ranks are written as 6), and its text.
    Heading {
        /// Its rank.
        level: u8,
        /// What it says (assistive technology lists headings by it).
        title: String,
    },
    /// A paragraph, a line of verse, a code block, a generated line (contents, index).
    Paragraph,
    /// A list.
    List {
        /// Numbered, or bulleted.
        ordered: bool,
    },
    /// An item of a list.
    ListItem,
    /// The body of a list item.
    ListBody,
    /// A block quotation.
    BlockQuote,
    /// A table.
    Table,
    /// A row of a table.
    Row,
    /// A cell; `header` for the header row's.
    Cell {
        /// A header cell.
        header: bool,
    },
    /// A picture, with what it shows for readers who cannot see it.
    Figure {
        /// The alternative text.
        alt: String,
    },
    /// A figure's caption.
    Caption,
    /// A footnote or endnote.
    Note,
    /// A group of blocks with no other meaning (raw HTML's printed text).
    Div,
}

/// A node: its kind and parent, and for a note the node whose text refers to it (a note is
/// read right after that node).
#[derive(Debug, Clone, PartialEq)]
pub struct StructNode {
    /// What it is.
    pub kind: StructKind,
    /// The node it is inside; `None` at the top.
    pub parent: Option<u32>,
    /// The sibling it is read after, out of creation order (notes after their reference).
    pub follows: Option<u32>,
}

/// The nodes of a document (or of one chunk of it while it is set), in creation order.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Structure {
    /// Every node; an id is an index.
    pub nodes: Vec<StructNode>,
}

impl Structure {
    /// Adds a node and returns its id.
    pub fn push(&mut self, kind: StructKind, parent: Option<u32>) -> u32 {
        self.nodes.push(StructNode {
            kind,
            parent,
            follows: None,
        });
        (self.nodes.len() - 1) as u32
    }

    /// Appends another structure's nodes (a chunk's); returns the offset its ids moved by.
    pub fn append(&mut self, other: Structure) -> u32 {
        let off = self.nodes.len() as u32;
        self.nodes
            .extend(other.nodes.into_iter().map(|n| StructNode {
                kind: n.kind,
                parent: n.parent.map(|p| p + off),
                follows: n.follows.map(|f| f + off),
            }));
        off
    }

    /// The children of every node and the top-level nodes, in reading order: creation
    /// order, except that a node that follows another comes right after it (and after
    /// whatever else followed it before).
    pub fn reading_order(&self) -> (Vec<u32>, Vec<Vec<u32>>) {
        let mut children: Vec<Vec<u32>> = vec![Vec::new(); self.nodes.len()];
        let mut top = Vec::new();
        let mut trailing: Vec<Vec<u32>> = vec![Vec::new(); self.nodes.len()];
        for (i, n) in self.nodes.iter().enumerate() {
            let i = i as u32;
            match n.follows {
                Some(f) if (f as usize) < self.nodes.len() && f != i => {
                    trailing[f as usize].push(i)
                }
                _ => match n.parent {
                    Some(p) if (p as usize) < self.nodes.len() && p != i => {
                        children[p as usize].push(i)
                    }
                    _ => top.push(i),
                },
            }
        }
        let splice = |list: &[u32]| -> Vec<u32> {
            let mut out = Vec::with_capacity(list.len());
            let mut stack: Vec<u32> = list.iter().rev().copied().collect();
            while let Some(x) = stack.pop() {
                out.push(x);
                for t in trailing[x as usize].iter().rev() {
                    stack.push(*t);
                }
            }
            out
        };
        let top = splice(&top);
        let children = children.iter().map(|c| splice(c)).collect();
        (top, children)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_note_is_read_after_the_paragraph_that_refers_to_it() {
        let mut s = Structure::default();
        let quote = s.push(StructKind::BlockQuote, None);
        let p1 = s.push(StructKind::Paragraph, Some(quote));
        let p2 = s.push(StructKind::Paragraph, Some(quote));
        let after = s.push(StructKind::Paragraph, None);
        let note = s.push(StructKind::Note, Some(quote));
        s.nodes[note as usize].follows = Some(p1);
        let (top, children) = s.reading_order();
        assert_eq!(top, vec![quote, after]);
        assert_eq!(children[quote as usize], vec![p1, note, p2]);
        let mut t = Structure::default();
        t.push(
            StructKind::Heading {
                level: 1,
                title: "One".into(),
            },
            None,
        );
        assert_eq!(t.append(s.clone()), 1);
        assert_eq!(t.nodes[(note + 1) as usize].follows, Some(p1 + 1));
        assert_eq!(t.nodes[(p1 + 1) as usize].parent, Some(quote + 1));
    }
}
