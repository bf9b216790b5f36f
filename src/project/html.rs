//! Raw HTML in the manuscript, parsed with a real HTML5 parser (html5ever) and made safe: what
//! an EPUB may hold is kept as a tree the EPUB writer serializes as well-formed XHTML; what it
//! may not (scripts, event handlers, `javascript:` links, foreign markup, forms) is dropped with
//! a warning at its place, or refused with an error where dropping it would lose text. The
//! text is also turned into blocks for the print edition, so no word is left out of the PDF.
//!
//! Inline HTML comes one tag at a time (that is how CommonMark delivers it): [`inline_tag`]
//! judges each, and the Markdown reader balances them within each inline container, so the
//! EPUB's markup always nests.

use crate::model::xml::escape;
use html5ever::tendril::TendrilSink;
use html5ever::{ParseOpts, QualName, ns};
use markup5ever_rcdom::{Handle, NodeData, RcDom};

use crate::model::{
    Block, CodeBlock, HtmlElement, HtmlNode, Inline, Link, LinkTarget, List, Para, Pos, Table,
};

/// Elements kept as they are. Phrasing elements hold text; the others hold blocks.
const PHRASING: &[&str] = &[
    "a", "abbr", "b", "bdi", "bdo", "br", "cite", "code", "data", "del", "dfn", "em", "i", "ins",
    "kbd", "mark", "q", "rp", "rt", "ruby", "s", "samp", "small", "span", "strong", "sub", "sup",
    "time", "u", "var", "wbr",
];
const FLOW: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "details",
    "div",
    "dl",
    "figure",
    "footer",
    "header",
    "hr",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "table",
    "ul",
];
/// Elements that only stand inside a particular parent (`li` in a list, `td` in a row …).
const CHILDREN: &[(&str, &[&str])] = &[
    ("li", &["ul", "ol"]),
    ("dt", &["dl"]),
    ("dd", &["dl"]),
    ("figcaption", &["figure"]),
    ("summary", &["details"]),
    ("caption", &["table"]),
    ("colgroup", &["table"]),
    ("col", &["colgroup"]),
    ("thead", &["table"]),
    ("tbody", &["table"]),
    ("tfoot", &["table"]),
    ("tr", &["thead", "tbody", "tfoot"]),
    ("th", &["tr"]),
    ("td", &["tr"]),
];
/// Dropped with their content, which is code or widgets, not the book's text.
const DROPPED: &[&str] = &[
    "script", "style", "template", "noscript", "iframe", "object", "embed", "applet", "form",
    "input", "button", "select", "option", "optgroup", "textarea", "label", "fieldset", "legend",
    "output", "progress", "meter", "canvas", "video", "audio", "source", "track", "picture", "img",
    "map", "area", "link", "meta", "base", "title", "head", "dialog", "slot", "portal", "frame",
    "frameset", "svg", "math",
];
/// Attributes kept on any element.
const GLOBAL_ATTRS: &[&str] = &["class", "lang", "dir", "title", "style"];
/// Attributes kept on particular elements.
const ELEMENT_ATTRS: &[(&str, &[&str])] = &[
    ("a", &["href"]),
    ("td", &["colspan", "rowspan"]),
    ("th", &["colspan", "rowspan", "scope"]),
    ("ol", &["start", "reversed", "type"]),
    ("li", &["value"]),
    ("time", &["datetime"]),
    ("data", &["value"]),
    ("q", &["cite"]),
    ("blockquote", &["cite"]),
    ("del", &["cite", "datetime"]),
    ("ins", &["cite", "datetime"]),
    ("col", &["span"]),
    ("colgroup", &["span"]),
    ("details", &["open"]),
];

/// A problem found in the HTML: where in the HTML text (a byte offset into it), whether it
/// is an error, what, and what to do.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finding {
    pub offset: usize,
    pub error: bool,
    pub message: String,
    pub hint: &'static str,
}

/// An `href` to an id of the book, to be checked like a Markdown cross-reference.
pub(crate) type InternalLink = (String, usize);

/// What parsing a block of HTML gives.
pub(crate) struct Sanitized {
    pub nodes: Vec<HtmlNode>,
    pub print: Vec<Block>,
    pub findings: Vec<Finding>,
    pub links: Vec<InternalLink>,
}

/// Parses a block of raw HTML (an HTML block of the Markdown) and makes it safe. `pos` is the
/// block's place, given to the print blocks.
pub(crate) fn block(text: &str, pos: Pos) -> Sanitized {
    let dom = parse(text, "div");
    let mut s = Cleaner {
        text,
        findings: Vec::new(),
        links: Vec::new(),
    };
    if depth(&dom.document) > super::markdown::MAX_NESTING {
        s.find(
            "<",
            true,
            format!(
                "the HTML nests deeper than {} levels",
                super::markdown::MAX_NESTING
            ),
            "flatten the nesting; no book layout can show it",
        );
        return Sanitized {
            nodes: Vec::new(),
            print: Vec::new(),
            findings: s.findings,
            links: s.links,
        };
    }
    let root = dom.document.children.borrow();
    // A fragment parse puts everything under one <html> element.
    let top: Vec<Handle> = match root.first() {
        Some(h) => h.children.borrow().clone(),
        None => Vec::new(),
    };
    let nodes = s.children(&top, Context::Flow);
    let print = print_blocks(&nodes, pos);
    Sanitized {
        nodes,
        print,
        findings: s.findings,
        links: s.links,
    }
}

/// How deep the tree goes (counted without recursion: the HTML may nest without limit).
fn depth(root: &Handle) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(root.clone(), 0usize)];
    while let Some((h, d)) = stack.pop() {
        deepest = deepest.max(d);
        for c in h.children.borrow().iter() {
            stack.push((c.clone(), d + 1));
        }
    }
    deepest
}

fn parse(text: &str, context: &str) -> RcDom {
    let name = QualName::new(None, ns!(html), context.into());
    html5ever::parse_fragment(RcDom::default(), ParseOpts::default(), name, vec![], false).one(text)
}

/// What an inline HTML tag becomes.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum InlineTag {
    /// An element that opens, with its safe start tag.
    Open { name: String, xhtml: String },
    /// An end tag.
    Close { name: String },
    /// A line break.
    LineBreak,
    /// A void element other than a line break (`<wbr/>`).
    Void(String),
    /// Nothing: a comment, or something dropped (with a finding).
    Nothing,
}

/// Judges one inline HTML tag (CommonMark's raw HTML: a start tag, an end tag, a comment …).
pub(crate) fn inline_tag(raw: &str) -> (InlineTag, Vec<Finding>, Vec<InternalLink>) {
    let t = raw.trim();
    let mut s = Cleaner {
        text: raw,
        findings: Vec::new(),
        links: Vec::new(),
    };
    if let Some(rest) = t.strip_prefix("</") {
        let name: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '-')
            .collect::<String>()
            .to_ascii_lowercase();
        let tag = if PHRASING.contains(&name.as_str()) {
            InlineTag::Close { name }
        } else {
            InlineTag::Nothing
        };
        return (tag, s.findings, s.links);
    }
    if !t.starts_with('<') || t.starts_with("<!") || t.starts_with("<?") {
        return (InlineTag::Nothing, s.findings, s.links);
    }
    let dom = parse(t, "p");
    let root = dom.document.children.borrow();
    let el = root
        .first()
        .and_then(|h| h.children.borrow().first().cloned());
    let Some(el) = el else {
        return (InlineTag::Nothing, s.findings, s.links);
    };
    let NodeData::Element { name, attrs, .. } = &el.data else {
        return (InlineTag::Nothing, s.findings, s.links);
    };
    let local = name.local.to_string();
    if name.ns != ns!(html) || !PHRASING.contains(&local.as_str()) {
        let why = if DROPPED.contains(&local.as_str()) {
            format!("the HTML element <{local}> cannot be kept in a book and is left out")
        } else {
            format!(
                "the HTML element <{local}> cannot stand inside a paragraph; its tag is left out"
            )
        };
        s.find(&format!("<{local}"), false, why, hint_for(&local));
        return (InlineTag::Nothing, s.findings, s.links);
    }
    if local == "br" {
        return (InlineTag::LineBreak, s.findings, s.links);
    }
    let kept = s.attributes(&local, &attrs.borrow());
    let mut xhtml = format!("<{local}");
    for (k, v) in &kept {
        xhtml.push_str(&format!(" {k}=\"{}\"", escape(v)));
    }
    let tag = if HtmlElement::VOID.contains(&local.as_str()) {
        xhtml.push_str("/>");
        InlineTag::Void(xhtml)
    } else {
        xhtml.push('>');
        InlineTag::Open { name: local, xhtml }
    };
    (tag, s.findings, s.links)
}

/// Where a child is: among blocks, or in a paragraph's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Context {
    Flow,
    Phrasing,
}

struct Cleaner<'t> {
    text: &'t str,
    findings: Vec<Finding>,
    links: Vec<InternalLink>,
}

impl Cleaner<'_> {
    /// Records a finding at the first place `needle` occurs in the HTML (case-insensitive).
    fn find(&mut self, needle: &str, error: bool, message: String, hint: &'static str) {
        let offset = self
            .text
            .to_ascii_lowercase()
            .find(&needle.to_ascii_lowercase())
            .unwrap_or(0);
        let f = Finding {
            offset,
            error,
            message,
            hint,
        };
        if !self.findings.contains(&f) {
            self.findings.push(f);
        }
    }

    fn children(&mut self, handles: &[Handle], ctx: Context) -> Vec<HtmlNode> {
        let mut out = Vec::new();
        for h in handles {
            self.node(h, ctx, None, &mut out);
        }
        out
    }

    fn node(&mut self, h: &Handle, ctx: Context, parent: Option<&str>, out: &mut Vec<HtmlNode>) {
        match &h.data {
            NodeData::Text { contents } => {
                let t = contents.borrow().to_string();
                push_text(out, &t);
            }
            NodeData::Element { name, attrs, .. } => {
                let local = name.local.to_string();
                let kids = h.children.borrow().clone();
                if name.ns != ns!(html) {
                    self.foreign(&local, h);
                    return;
                }
                if DROPPED.contains(&local.as_str()) {
                    self.dropped(&local, h);
                    return;
                }
                if let Some(heading) = heading_level(&local) {
                    self.find(&format!("<{local}"), false, format!("an HTML heading <{local}> is set as a paragraph"), "write headings in Markdown (## Title), so that the contents, the outline and the EPUB's navigation know them");
                    let _ = heading;
                    let children = self.children(&kids, Context::Phrasing);
                    let el = HtmlElement {
                        name: "p".into(),
                        attrs: vec![("class".into(), "heading".into())],
                        children,
                    };
                    self.place(el, ctx, out);
                    return;
                }
                let allowed_here = match CHILDREN.iter().find(|(c, _)| *c == local) {
                    Some((_, parents)) => parent.is_some_and(|p| parents.contains(&p)),
                    None => {
                        PHRASING.contains(&local.as_str())
                            || (FLOW.contains(&local.as_str()) && ctx == Context::Flow)
                    }
                };
                let known = PHRASING.contains(&local.as_str())
                    || FLOW.contains(&local.as_str())
                    || CHILDREN.iter().any(|(c, _)| *c == local);
                if !known || !allowed_here {
                    let message = if known {
                        format!(
                            "the HTML element <{local}> cannot stand here; its tag is left out and its text kept"
                        )
                    } else {
                        format!(
                            "<{local}> is not an HTML element an EPUB may hold; its tag is left out and its text kept"
                        )
                    };
                    self.find(&format!("<{local}"), false, message, "write the passage in Markdown, or in the HTML elements of a book (p, div, span, em, strong, blockquote, ul, ol, table …)");
                    // Its content goes where it stood.
                    for k in &kids {
                        self.node(k, ctx, parent, out);
                    }
                    return;
                }
                let inner = if PHRASING.contains(&local.as_str())
                    || matches!(
                        local.as_str(),
                        "p" | "pre" | "dt" | "summary" | "caption" | "figcaption" | "th" | "td"
                    ) {
                    Context::Phrasing
                } else {
                    Context::Flow
                };
                let attrs = self.attributes(&local, &attrs.borrow());
                let mut children = Vec::new();
                for k in &kids {
                    self.node(k, inner, Some(&local), &mut children);
                }
                if matches!(
                    local.as_str(),
                    "ul" | "ol" | "dl" | "table" | "thead" | "tbody" | "tfoot" | "tr" | "colgroup"
                ) {
                    // Containers of rows and items hold no text of their own.
                    children.retain(|c| !matches!(c, HtmlNode::Text(t) if t.trim().is_empty()));
                    if children.iter().any(|c| matches!(c, HtmlNode::Text(_))) {
                        self.find(
                            &format!("<{local}"),
                            false,
                            format!(
                                "text directly inside <{local}> is moved into an item of its own"
                            ),
                            "put the text inside an <li>, <dd> or <td>",
                        );
                        children = wrap_loose_text(&local, children);
                    }
                }
                let el = HtmlElement {
                    name: local,
                    attrs,
                    children,
                };
                self.place(el, ctx, out);
            }
            // Comments, doctypes and processing instructions are not content.
            _ => {}
        }
    }

    fn place(&mut self, el: HtmlElement, _ctx: Context, out: &mut Vec<HtmlNode>) {
        out.push(HtmlNode::Element(el));
    }

    /// An element that is left out: a warning, or an error when it holds text a reader would
    /// miss.
    fn dropped(&mut self, local: &str, h: &Handle) {
        let text = text_of(h);
        let code = matches!(
            local,
            "script"
                | "style"
                | "template"
                | "noscript"
                | "title"
                | "head"
                | "meta"
                | "link"
                | "base"
        );
        if !code && !text.trim().is_empty() {
            let words: String = text
                .split_whitespace()
                .take(6)
                .collect::<Vec<_>>()
                .join(" ");
            self.find(
                &format!("<{local}"),
                true,
                format!("the HTML element <{local}> cannot be kept in a book, and leaving it out would lose its text (\"{words}\")"),
                hint_for(local),
            );
        } else {
            self.find(
                &format!("<{local}"),
                false,
                format!("the HTML element <{local}> cannot be kept in a book and is left out"),
                hint_for(local),
            );
        }
    }

    /// SVG, MathML and other namespaces: left out (the EPUB would have to declare and validate
    /// them); an error when they hold text.
    fn foreign(&mut self, local: &str, h: &Handle) {
        let text = text_of(h);
        let error = !text.trim().is_empty();
        self.find(
            &format!("<{local}"),
            error,
            if error {
                format!("<{local}> (SVG or MathML) is not supported, and leaving it out would lose its text")
            } else {
                format!("<{local}> (SVG or MathML) is not supported and is left out")
            },
            "use a picture file (PNG or JPEG) in Markdown: ![description](images/file.png)",
        );
    }

    /// The attributes kept, in the order written. Event handlers, script links, unknown and
    /// unsafe attributes are left out with a warning.
    fn attributes(&mut self, el: &str, attrs: &[html5ever::Attribute]) -> Vec<(String, String)> {
        let own: &[&str] = ELEMENT_ATTRS
            .iter()
            .find(|(e, _)| *e == el)
            .map_or(&[], |(_, a)| a);
        let mut out = Vec::new();
        for a in attrs {
            let name = match &a.name.prefix {
                Some(p) => format!("{p}:{}", a.name.local),
                None => a.name.local.to_string(),
            };
            let value = a.value.to_string();
            if name.starts_with("on") {
                self.find(
                    &name,
                    false,
                    format!("the event handler {name}=\"…\" is left out"),
                    "an EPUB of bookbuild's runs no scripts; remove the attribute",
                );
                continue;
            }
            let data = name.starts_with("data-")
                && name.len() > 5
                && name[5..]
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '-' || c.is_ascii_digit());
            if !(GLOBAL_ATTRS.contains(&name.as_str()) || own.contains(&name.as_str()) || data) {
                let hint = if name == "id" {
                    "give the passage an id in Markdown instead (## Title {#id}); ids in raw HTML could clash with the book's own"
                } else {
                    "the attribute is not one a book's EPUB keeps"
                };
                self.find(
                    &name,
                    false,
                    format!("the attribute {name}=\"…\" on <{el}> is left out"),
                    hint,
                );
                continue;
            }
            match name.as_str() {
                "href" | "cite" => match self.url(&value, &name) {
                    Some(v) => out.push((name, v)),
                    None => continue,
                },
                "style" if unsafe_css(&value) => {
                    self.find(
                        "style",
                        false,
                        "a style=\"…\" that loads from elsewhere or runs script is left out"
                            .to_string(),
                        "keep styles to colours, fonts and spacing",
                    );
                }
                "colspan" | "rowspan" | "start" | "value" | "span" => {
                    if value.trim().parse::<i64>().is_ok_and(|n| {
                        (0..10_000).contains(&n) || name == "start" || name == "value"
                    }) {
                        out.push((name, value.trim().to_string()));
                    }
                }
                "dir" => {
                    if matches!(value.as_str(), "ltr" | "rtl" | "auto") {
                        out.push((name, value));
                    }
                }
                "lang" => {
                    if crate::project::config::valid_language_tag(&value) {
                        out.push(("lang".into(), value.clone()));
                        out.push(("xml:lang".into(), value));
                    }
                }
                "reversed" | "open" => out.push((name.clone(), name)),
                _ => out.push((name, value)),
            }
        }
        out
    }

    /// A link's target: web and mail addresses kept, `#id` checked against the book's ids
    /// later; `javascript:` and links to files the EPUB does not hold are left out.
    fn url(&mut self, value: &str, attr: &str) -> Option<String> {
        let v = value.trim();
        let lower = v.to_ascii_lowercase();
        if let Some(id) = v.strip_prefix('#') {
            let offset = self.text.find(v).unwrap_or(0);
            self.links.push((id.to_string(), offset));
            return Some(v.to_string());
        }
        if lower.starts_with("http://")
            || lower.starts_with("https://")
            || lower.starts_with("mailto:")
        {
            return Some(v.to_string());
        }
        if lower.starts_with("javascript:")
            || lower.starts_with("vbscript:")
            || lower.starts_with("data:")
        {
            self.find(
                v,
                false,
                format!(
                    "the {attr}=\"{}\" runs script or embeds data, and is left out",
                    first_chars(v, 30)
                ),
                "link to a web address (https://…) or to a heading of the book (#id)",
            );
        } else {
            self.find(v, false, format!("the {attr}=\"{v}\" points to something the book does not hold, and is left out"), "link to a web address (https://…) or to a heading of the book (#id); in Markdown, [text](chapter.md) links to another chapter");
        }
        None
    }
}

fn hint_for(local: &str) -> &'static str {
    match local {
        "img" | "picture" | "svg" | "canvas" => {
            "put pictures in with Markdown: ![description](images/file.png)"
        }
        "script" | "noscript" | "template" => "an EPUB of bookbuild's runs no scripts; remove it",
        "style" | "link" => "the book's stylesheet is bookbuild's own; remove it",
        "iframe" | "object" | "embed" | "video" | "audio" => {
            "embedded media are not supported; link to them with a web address instead"
        }
        _ => {
            "write the passage in Markdown, or in the HTML elements of a book (p, div, span, em, strong, blockquote, ul, ol, table …)"
        }
    }
}

fn heading_level(local: &str) -> Option<u8> {
    match local {
        "h1" => Some(1),
        "h2" => Some(2),
        "h3" => Some(3),
        "h4" => Some(4),
        "h5" => Some(5),
        "h6" => Some(6),
        _ => None,
    }
}

fn first_chars(s: &str, n: usize) -> String {
    let t: String = s.chars().take(n).collect();
    if t.len() < s.len() {
        format!("{t}…")
    } else {
        t
    }
}

fn unsafe_css(v: &str) -> bool {
    let l = v.to_ascii_lowercase();
    l.contains("url(")
        || l.contains("expression(")
        || l.contains("javascript:")
        || l.contains("@import")
}

/// All the text under a node.
fn text_of(h: &Handle) -> String {
    let mut s = String::new();
    fn walk(h: &Handle, s: &mut String) {
        if let NodeData::Text { contents } = &h.data {
            s.push_str(&contents.borrow());
        }
        for c in h.children.borrow().iter() {
            walk(c, s);
        }
    }
    walk(h, &mut s);
    s
}

fn push_text(out: &mut Vec<HtmlNode>, t: &str) {
    if let Some(HtmlNode::Text(prev)) = out.last_mut() {
        prev.push_str(t);
    } else if !t.is_empty() {
        out.push(HtmlNode::Text(t.to_string()));
    }
}

/// Text loose in a list or table goes into an item (or cell) of its own.
fn wrap_loose_text(container: &str, children: Vec<HtmlNode>) -> Vec<HtmlNode> {
    let item = match container {
        "ul" | "ol" => "li",
        "dl" => "dd",
        "tr" => "td",
        _ => {
            return children
                .into_iter()
                .filter(|c| !matches!(c, HtmlNode::Text(_)))
                .collect();
        }
    };
    children
        .into_iter()
        .map(|c| match c {
            HtmlNode::Text(t) => HtmlNode::Element(HtmlElement {
                name: item.into(),
                attrs: vec![],
                children: vec![HtmlNode::Text(t)],
            }),
            other => other,
        })
        .collect()
}

// ------------------------------------------------------------------ the print edition

/// The HTML's text as blocks for print: paragraphs for text, lists, quotations, tables and
/// code as they are, emphasis and links kept.
fn print_blocks(nodes: &[HtmlNode], pos: Pos) -> Vec<Block> {
    let mut p = Printer {
        pos,
        out: Vec::new(),
        para: Vec::new(),
    };
    p.flow(nodes);
    p.flush();
    p.out
}

struct Printer {
    pos: Pos,
    out: Vec<Block>,
    para: Vec<Inline>,
}

impl Printer {
    fn flush(&mut self) {
        let mut inlines = std::mem::take(&mut self.para);
        trim_inlines(&mut inlines);
        if !inlines.is_empty() {
            self.out.push(Block::Para(Para {
                inlines,
                pos: self.pos,
            }));
        }
    }

    fn flow(&mut self, nodes: &[HtmlNode]) {
        for n in nodes {
            match n {
                HtmlNode::Text(t) => push_inline_text(&mut self.para, t),
                HtmlNode::Element(e) => self.element(e),
            }
        }
    }

    fn sub(&self, nodes: &[HtmlNode]) -> Vec<Block> {
        let mut p = Printer {
            pos: self.pos,
            out: Vec::new(),
            para: Vec::new(),
        };
        p.flow(nodes);
        p.flush();
        p.out
    }

    fn element(&mut self, e: &HtmlElement) {
        let name = e.name.as_str();
        if PHRASING.contains(&name) {
            let mut v = std::mem::take(&mut self.para);
            v.extend(inlines(std::slice::from_ref(&HtmlNode::Element(e.clone()))));
            self.para = v;
            return;
        }
        self.flush();
        match name {
            "blockquote" => {
                let inner = self.sub(&e.children);
                self.out.push(Block::Quote(inner));
            }
            "ul" | "ol" => {
                let items: Vec<Vec<Block>> = e
                    .children
                    .iter()
                    .filter_map(|c| match c {
                        HtmlNode::Element(li) => Some(self.sub(&li.children)),
                        HtmlNode::Text(_) => None,
                    })
                    .collect();
                let start = (name == "ol").then(|| {
                    attr(e, "start")
                        .and_then(|s| s.parse::<u64>().ok())
                        .unwrap_or(1)
                });
                if !items.is_empty() {
                    self.out.push(Block::List(List {
                        start,
                        tight: true,
                        items,
                    }));
                }
            }
            "pre" => self.out.push(Block::Code(CodeBlock {
                lang: String::new(),
                text: plain(&e.children),
                pos: self.pos,
            })),
            "table" => {
                if let Some(t) = self.table(e) {
                    self.out.push(Block::Table(t));
                }
            }
            "hr" => self.out.push(Block::SceneBreak),
            _ => {
                // p, div, section, li, dt, dd, figure, figcaption, headings as paragraphs …:
                // their text in order, a paragraph for each run of text.
                let inner = self.sub(&e.children);
                self.out.extend(inner);
            }
        }
    }

    fn table(&self, e: &HtmlElement) -> Option<Table> {
        let mut rows: Vec<(bool, Vec<Vec<Inline>>)> = Vec::new();
        fn collect(nodes: &[HtmlNode], head: bool, rows: &mut Vec<(bool, Vec<Vec<Inline>>)>) {
            for n in nodes {
                let HtmlNode::Element(el) = n else { continue };
                match el.name.as_str() {
                    "thead" => collect(&el.children, true, rows),
                    "tbody" | "tfoot" => collect(&el.children, head, rows),
                    "tr" => {
                        let cells = el
                            .children
                            .iter()
                            .filter_map(|c| match c {
                                HtmlNode::Element(td) => {
                                    let mut v = inlines(&td.children);
                                    trim_inlines(&mut v);
                                    Some(v)
                                }
                                HtmlNode::Text(_) => None,
                            })
                            .collect();
                        rows.push((head, cells));
                    }
                    _ => {}
                }
            }
        }
        collect(&e.children, false, &mut rows);
        if rows.is_empty() {
            return None;
        }
        let header = rows.first().filter(|(h, _)| *h).map(|(_, c)| c.clone());
        let body: Vec<Vec<Vec<Inline>>> = rows
            .into_iter()
            .skip(usize::from(header.is_some()))
            .map(|(_, c)| c)
            .collect();
        let cols = header
            .iter()
            .chain(body.iter())
            .map(Vec::len)
            .max()
            .unwrap_or(0);
        Some(Table {
            aligns: vec![crate::model::Align::None; cols],
            header,
            rows: body,
            pos: self.pos,
        })
    }
}

fn attr<'a>(e: &'a HtmlElement, name: &str) -> Option<&'a str> {
    e.attrs
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// Phrasing content as model inlines.
fn inlines(nodes: &[HtmlNode]) -> Vec<Inline> {
    let mut out = Vec::new();
    for n in nodes {
        match n {
            HtmlNode::Text(t) => push_inline_text(&mut out, t),
            HtmlNode::Element(e) => {
                let inner = inlines(&e.children);
                match e.name.as_str() {
                    "em" | "i" | "cite" | "dfn" | "var" => out.push(Inline::Emph(inner)),
                    "strong" | "b" => out.push(Inline::Strong(inner)),
                    "s" | "del" => out.push(Inline::Strike(inner)),
                    "code" | "kbd" | "samp" => out.push(Inline::Code(plain(&e.children))),
                    "br" => out.push(Inline::LineBreak),
                    "a" => {
                        let target = attr(e, "href").map(|h| match h.strip_prefix('#') {
                            Some(id) => LinkTarget::Internal(id.to_string()),
                            None => LinkTarget::External(h.to_string()),
                        });
                        match target {
                            Some(target) => out.push(Inline::Link(Link {
                                target,
                                content: inner,
                            })),
                            None => out.extend(inner),
                        }
                    }
                    "rp" => {}
                    _ => out.extend(inner),
                }
            }
        }
    }
    out
}

/// HTML's white space: runs collapse to one space.
fn push_inline_text(out: &mut Vec<Inline>, t: &str) {
    let mut s = String::with_capacity(t.len());
    let mut space = false;
    for c in t.chars() {
        if c.is_whitespace() && c != '\u{a0}' {
            space = true;
        } else {
            if space {
                s.push(' ');
                space = false;
            }
            s.push(c);
        }
    }
    if space {
        s.push(' ');
    }
    if s.is_empty() {
        return;
    }
    if let Some(Inline::Text(prev)) = out.last_mut() {
        if prev.ends_with(' ') && s.starts_with(' ') {
            s.remove(0);
        }
        prev.push_str(&s);
    } else {
        out.push(Inline::Text(s));
    }
}

/// Drops the spaces at the start and end of a paragraph.
fn trim_inlines(v: &mut Vec<Inline>) {
    if let Some(Inline::Text(t)) = v.first_mut() {
        *t = t.trim_start().to_string();
    }
    if let Some(Inline::Text(t)) = v.last_mut() {
        *t = t.trim_end().to_string();
    }
    v.retain(|i| !matches!(i, Inline::Text(t) if t.is_empty()));
}

/// The text of nodes, white space as written (code).
fn plain(nodes: &[HtmlNode]) -> String {
    let mut s = String::new();
    for n in nodes {
        match n {
            HtmlNode::Text(t) => s.push_str(t),
            HtmlNode::Element(e) if e.name == "br" => s.push('\n'),
            HtmlNode::Element(e) => s.push_str(&plain(&e.children)),
        }
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::plain_text;

    fn names(nodes: &[HtmlNode]) -> Vec<String> {
        let mut v = Vec::new();
        for n in nodes {
            if let HtmlNode::Element(e) = n {
                v.push(e.name.clone());
                v.extend(names(&e.children));
            }
        }
        v
    }

    fn serialize(nodes: &[HtmlNode]) -> String {
        let mut s = String::new();
        for n in nodes {
            match n {
                HtmlNode::Text(t) => s.push_str(&escape(t)),
                HtmlNode::Element(e) => {
                    s.push('<');
                    s.push_str(&e.name);
                    for (k, v) in &e.attrs {
                        s.push_str(&format!(" {k}=\"{}\"", escape(v)));
                    }
                    if e.is_void() {
                        s.push_str("/>");
                    } else {
                        s.push('>');
                        s.push_str(&serialize(&e.children));
                        s.push_str(&format!("</{}>", e.name));
                    }
                }
            }
        }
        s
    }

    #[test]
    fn ill_formed_html_is_closed_and_nested() {
        let s = block("<div><p>unclosed <b>html", Pos::default());
        assert_eq!(
            serialize(&s.nodes),
            "<div><p>unclosed <b>html</b></p></div>"
        );
        assert!(s.findings.is_empty());
        let text: Vec<String> = s
            .print
            .iter()
            .map(|b| match b {
                Block::Para(p) => plain_text(&p.inlines),
                _ => String::new(),
            })
            .collect();
        assert_eq!(text, ["unclosed html"]);
    }

    #[test]
    fn scripts_and_handlers_are_left_out_with_warnings() {
        let s = block(
            "<p onclick=\"steal()\">Kept <a href=\"javascript:go()\">text</a>.</p>\n<script>alert(1)</script>",
            Pos::default(),
        );
        assert_eq!(serialize(&s.nodes).trim(), "<p>Kept <a>text</a>.</p>");
        let msgs: Vec<&str> = s.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(msgs.len(), 3, "{msgs:?}");
        assert!(s.findings.iter().all(|f| !f.error));
        assert!(msgs[0].contains("onclick"));
        assert_eq!(s.findings[0].offset, 3);
        assert!(msgs[2].contains("<script>"));
    }

    #[test]
    fn dropping_text_is_an_error() {
        let s = block("<button>Buy now</button>", Pos::default());
        assert!(s.findings[0].error, "{:?}", s.findings);
        assert!(s.findings[0].message.contains("Buy now"));
        let s = block("<svg><text>Map of Urga</text></svg>", Pos::default());
        assert!(s.findings[0].error);
        let s = block("<svg><rect/></svg>", Pos::default());
        assert!(!s.findings[0].error);
    }

    #[test]
    fn html_nested_ten_thousand_deep_is_an_error_not_a_crash() {
        let s = block(&"<div>".repeat(10_000), Pos::default());
        assert!(s.findings[0].error);
        assert!(s.nodes.is_empty());
    }

    #[test]
    fn unknown_elements_keep_their_text() {
        let s = block("<my-widget>Still <em>here</em></my-widget>", Pos::default());
        assert_eq!(serialize(&s.nodes), "Still <em>here</em>");
        assert_eq!(s.findings.len(), 1);
    }

    #[test]
    fn lists_tables_and_links_for_print() {
        let s = block(
            "<ul><li>One</li><li>Two <a href=\"#sec\">see</a></li></ul><table><tr><th>A</th></tr><tr><td>1</td></tr></table><pre>x  y</pre>",
            Pos::default(),
        );
        assert_eq!(s.links, vec![("sec".to_string(), 33)]);
        assert!(matches!(&s.print[0], Block::List(l) if l.items.len() == 2));
        assert!(matches!(&s.print[1], Block::Table(t) if t.rows.len() == 2));
        assert!(matches!(&s.print[2], Block::Code(c) if c.text == "x  y"));
        assert!(
            names(&s.nodes).contains(&"tbody".to_string()),
            "the parser adds tbody"
        );
    }

    #[test]
    fn inline_tags() {
        assert_eq!(
            inline_tag("<span lang=\"fr\" onclick=\"x\">").0,
            InlineTag::Open {
                name: "span".into(),
                xhtml: "<span lang=\"fr\" xml:lang=\"fr\">".into()
            }
        );
        assert_eq!(
            inline_tag("</span>").0,
            InlineTag::Close {
                name: "span".into()
            }
        );
        assert_eq!(inline_tag("<br>").0, InlineTag::LineBreak);
        assert_eq!(inline_tag("<!-- note -->").0, InlineTag::Nothing);
        let (t, f, _) = inline_tag("<script>");
        assert_eq!(t, InlineTag::Nothing);
        assert_eq!(f.len(), 1);
        let (t, f, _) = inline_tag("<div>");
        assert_eq!(t, InlineTag::Nothing);
        assert!(f[0].message.contains("inside a paragraph"));
    }
}
