//! Tagged PDF: the display list's structure nodes become krilla's tag tree. Content drawn for
//! a node is marked as a span (text) or as other content (a picture) and its identifier
//! kept under the node; what belongs to no node is an artifact. The tree is built at the end
//! in reading order ([`Structure::reading_order`]).

use std::num::NonZeroU16;

use krilla::surface::Surface;
use krilla::tagging::{
    Artifact, ArtifactType, ContentTag, Identifier, ListNumbering, Node, SpanTag, TableHeaderScope,
    Tag, TagGroup, TagKind, TagTree,
};

use crate::display::{StructKind, Structure};

/// What content has been marked for each node while the pages are drawn.
pub struct Tagger {
    on: bool,
    leaves: Vec<Vec<Node>>,
    /// The marked-content sequence open now: its node (`None`: an artifact) and whether it
    /// holds a picture.
    current: Option<(Option<u32>, bool)>,
}

impl Tagger {
    /// A tagger for `structure`; `on` false makes every call a no-op.
    pub fn new(on: bool, structure: &Structure) -> Self {
        Tagger {
            on,
            leaves: if on {
                vec![Vec::new(); structure.nodes.len()]
            } else {
                Vec::new()
            },
            current: None,
        }
    }

    /// Whether the document is tagged.
    pub fn on(&self) -> bool {
        self.on
    }

    /// Marks what is drawn next as `node`'s (`None`: furniture), a picture or text.
    pub fn enter(&mut self, s: &mut Surface<'_>, node: Option<u32>, picture: bool) {
        if !self.on || self.current == Some((node, picture)) {
            return;
        }
        self.leave(s);
        let node = node.filter(|n| (*n as usize) < self.leaves.len());
        match node {
            Some(n) => {
                let tag = if picture {
                    ContentTag::Other
                } else {
                    ContentTag::Span(SpanTag::empty())
                };
                let id = s.start_tagged(tag);
                self.leaves[n as usize].push(id.into());
            }
            None => {
                s.start_tagged(ContentTag::Artifact(Artifact::new(
                    ArtifactType::PaginationOther,
                    None,
                )));
            }
        }
        self.current = Some((node, picture));
    }

    /// Marks page furniture of a kind (crop marks are `Page`).
    pub fn artifact(&mut self, s: &mut Surface<'_>, kind: ArtifactType) {
        if !self.on {
            return;
        }
        self.leave(s);
        s.start_tagged(ContentTag::Artifact(Artifact::new(kind, None)));
        self.current = Some((None, true));
    }

    /// Ends the open sequence (before a page ends).
    pub fn leave(&mut self, s: &mut Surface<'_>) {
        if self.current.take().is_some() {
            s.end_tagged();
        }
    }

    /// A link annotation on `node`'s text.
    pub fn link(&mut self, node: u32, annotation: Identifier) {
        if let Some(l) = self.leaves.get_mut(node as usize) {
            l.push(TagGroup::with_children(Tag::Link, vec![annotation.into()]).into());
        }
    }

    /// The tag tree, in reading order, in the document's language.
    pub fn tree(mut self, structure: &Structure, lang: &str) -> TagTree {
        let (top, children) = structure.reading_order();
        let mut tree = TagTree::new().with_lang(Some(lang.to_string()));
        // Depth-first without recursion: nesting is bounded, but deep lists should not
        // cost the stack.
        for t in top {
            if let Some(n) = self.group(t, structure, &children) {
                tree.push(n);
            }
        }
        tree
    }

    fn group(&mut self, root: u32, st: &Structure, children: &[Vec<u32>]) -> Option<Node> {
        // Post-order: a node's group is made when its children's are.
        let mut stack: Vec<(u32, usize)> = vec![(root, 0)];
        let mut made: Vec<Vec<Node>> = vec![Vec::new()];
        while let Some((n, k)) = stack.pop() {
            let kids = &children[n as usize];
            if k < kids.len() {
                stack.push((n, k + 1));
                stack.push((kids[k], 0));
                made.push(Vec::new());
                continue;
            }
            let child_groups = made.pop().unwrap_or_default();
            let mut content = std::mem::take(&mut self.leaves[n as usize]);
            content.extend(child_groups);
            let node = (!content.is_empty()).then(|| {
                Node::from(TagGroup::with_children(
                    kind(&st.nodes[n as usize].kind),
                    content,
                ))
            });
            match made.last_mut() {
                Some(parent) => parent.extend(node),
                None => return node,
            }
        }
        None
    }
}

fn kind(k: &StructKind) -> TagKind {
    match k {
        StructKind::Heading { level, title } => Tag::Hn(
            NonZeroU16::new(u16::from((*level).clamp(1, 6))).unwrap_or(NonZeroU16::MIN),
            Some(title.clone()),
        )
        .into(),
        StructKind::Paragraph => Tag::P.into(),
        StructKind::List { ordered } => Tag::L(if *ordered {
            ListNumbering::Decimal
        } else {
            ListNumbering::Disc
        })
        .into(),
        StructKind::ListItem => Tag::LI.into(),
        StructKind::ListBody => Tag::LBody.into(),
        StructKind::BlockQuote => Tag::BlockQuote.into(),
        StructKind::Table => Tag::Table.into(),
        StructKind::Row => Tag::TR.into(),
        StructKind::Cell { header: true } => Tag::TH(TableHeaderScope::Column).into(),
        StructKind::Cell { header: false } => Tag::TD.into(),
        StructKind::Figure { alt } => {
            Tag::Figure((!alt.trim().is_empty()).then(|| alt.clone())).into()
        }
        StructKind::Caption => Tag::Caption.into(),
        StructKind::Note => Tag::Note.into(),
        StructKind::Div => Tag::Div.into(),
    }
}
