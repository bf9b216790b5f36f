//! `bookbuild init DIR`: a small project that passes `check` and builds, to start from.

use std::path::Path;

const FILES: &[(&str, &str)] = &[
    (
        "build.toml",
        r#"# The book's settings. Every key is documented in the bookbuild README.
[book]
title = "A Small Book"
subtitle = "Made with bookbuild"
authors = ["Your Name"]
language = "en"
date = "2026"
rights = "© 2026 Your Name. All rights reserved."
description = "A two-chapter book to start from."

[ordering]
title = "How to get the book"
text = """
Write here how readers can buy or borrow the book: addresses, prices, web sites.
"""

[pdf]
trim = "A5"
margins = { top = "18mm", bottom = "20mm", inner = "20mm", outer = "15mm" }
bleed = "3mm"
font_size = "10.5pt"
leading = "13.5pt"

[epub]
embed_fonts = true

[cover]
paper = "white-50lb"
back_text = """
A short description of the book for its back cover.
"""

# The works the book cites, and how citations look: Chicago notes (each citation a
# footnote) or "chicago-author-date", "apa", "mla" … (in the text).
[bibliography]
files = ["references.bib"]
style = "chicago-notes"
"#,
    ),
    (
        "manuscript/contents.md",
        r#"# Front matter

- [Preface](preface.md)
- [Contents](@contents)

# Body

- [The First Chapter](chapter-1.md)
- [The Second Chapter](chapter-2.md)

# Back matter

- [Bibliography](@bibliography)
- [Index](@index)
- [How to get the book](@ordering)
"#,
    ),
    (
        "manuscript/preface.md",
        r#"# Preface

This book was started with `bookbuild init`. Replace this preface with your own.

A citation names a work of `references.bib` by its key, with the page cited: the setting of
a page of text is a matter of rhythm and proportion [@bringhurst2004, 25]. Each becomes a
note, and the works cited are listed in the bibliography.
"#,
    ),
    (
        "references.bib",
        r#"% The works the book cites (BibLaTeX, as Zotero or JabRef export it).

@book{bringhurst2004,
  author    = {Bringhurst, Robert},
  title     = {The Elements of Typographic Style},
  edition   = {3},
  publisher = {Hartley \& Marks},
  address   = {Point Roberts, WA},
  year      = {2004},
}
"#,
    ),
    (
        "manuscript/chapter-1.md",
        r#"# The First Chapter

Every chapter is a Markdown file listed in `contents.md`. Paragraphs are separated by a
blank line; *italics* and **bold** work as usual, and so do footnotes.[^1]

Terms listed in `index.toml` are found in the text and indexed, such as the word
typesetting. A single place can also be marked by hand: ((hyphenation)).

## A section {#first-section}

Headings inside a file nest under its title. A heading with an id can be cited from any
chapter.

[^1]: Footnotes are set at the foot of the page in print and pop up in the EPUB.
"#,
    ),
    (
        "manuscript/chapter-2.md",
        r#"# The Second Chapter

A cross-reference prints the title of its target: see [](#first-section).

> A block quote is set narrower than the text around it.

***

After a scene break the text starts again without an indent, as typesetting tradition
asks.
"#,
    ),
    (
        "manuscript/index.toml",
        r#"# Each entry is a term printed in the index and the phrases found for it in the text.
[[entry]]
term = "typesetting"

[[entry]]
term = "hyphenation"
see_also = ["typesetting"]
"#,
    ),
];

/// Creates the project. Refuses to write into a folder that already holds files.
pub fn init(dir: &Path) -> Result<(), String> {
    if dir.exists() {
        let non_empty = std::fs::read_dir(dir)
            .map_err(|e| format!("cannot read {}: {e}", dir.display()))?
            .next()
            .is_some();
        if non_empty {
            return Err(format!(
                "{} already exists and is not empty; choose a new folder",
                dir.display()
            ));
        }
    }
    for (rel, text) in FILES {
        let path = dir.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))?;
    }
    for sub in ["covers", "fonts", "manuscript/images"] {
        std::fs::create_dir_all(dir.join(sub)).map_err(|e| format!("cannot create {sub}: {e}"))?;
    }
    Ok(())
}
