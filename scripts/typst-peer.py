#!/usr/bin/env python3
"""Typst's PDF time against bookbuild's on the same book, in one sitting.

  scripts/typst-peer.py [BOOK_DIR] [RUNS]      (default ../shared/corpus/war-and-peace, 5)

Needs `pip install typst==0.15.2`. The book is turned into one Typst file the way
../shared/notes/peer-timings.md describes (headings lowered by their depth in contents.md,
footnotes inline, generated entries left out, the same page, margins, type and
justification), by a small converter here instead of pandoc 3 (which Debian does not have).
Prints the median wall time of each (a fresh process per run, as a user runs them) and the
ratios: bookbuild's `pdf` (interior and cover, what Typst makes) and its `build` (those and the
EPUB beside them) against Typst's PDF.
"""
import os, re, statistics, subprocess, sys, tempfile, time

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
# The arguments, when run as a script (scripts/copies.py imports the converter).
script = __name__ == "__main__"
book = os.path.abspath(sys.argv[1] if script and len(sys.argv) > 1 else os.path.join(root, "..", "shared", "corpus", "war-and-peace"))
runs = int(sys.argv[2]) if script and len(sys.argv) > 2 else 5
exe = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target")), "release", "bookbuild")

SPECIAL = re.compile(r'([\\#$*_<>@\[\]`~=/+-])')

def inline(t, notes):
    t = re.sub(r"\(\(\((.*?)\)\)\)", "", t)          # silent index markers
    t = re.sub(r"\(\((.*?)\)\)", r"\1", t)           # printed index markers
    out, i = [], 0
    for m in re.finditer(r"\[\^([^\]]+)\]|\*\*(.+?)\*\*|\*(.+?)\*|_(.+?)_", t):
        out.append(SPECIAL.sub(r"\\\1", t[i:m.start()]))
        if m.group(1):
            out.append("#footnote[" + inline(notes.get(m.group(1), ""), {}) + "]")
        elif m.group(2):
            out.append("#strong[" + inline(m.group(2), notes) + "]")
        else:
            out.append("#emph[" + inline(m.group(3) or m.group(4), notes) + "]")
        i = m.end()
    out.append(SPECIAL.sub(r"\\\1", t[i:]))
    return "".join(out)

def convert(path, depth):
    text = open(path, encoding="utf-8").read()
    notes = {}
    def grab(m):
        notes[m.group(1)] = m.group(2).replace("\n    ", " ")
        return ""
    text = re.sub(r"(?m)^\[\^([^\]]+)\]:[ \t]*(.*(?:\n    .*)*)", grab, text)
    out = []
    for block in re.split(r"\n\s*\n", text):
        b = block.strip()
        if not b:
            continue
        h = re.match(r"^(#+)\s+(.*)", b)
        if h:
            out.append("=" * min(6, len(h.group(1)) + depth) + " " + inline(h.group(2), notes))
        elif re.fullmatch(r"(\*\s*){3,}|(-\s*){3,}", b):
            out.append("#horizontalrule")
        elif b.startswith(">"):
            body = "\n".join(l.lstrip(">").strip() for l in b.splitlines())
            out.append("#quote(block: true)[" + inline(body, notes).replace("\n", " \\\n") + "]")
        else:
            out.append(inline(b, notes).replace("\n", " "))
    return "\n\n".join(out)

def typst_source(book=book):
    """The book at `book` as one Typst file."""
    man = os.path.join(book, "manuscript")
    parts = []
    for line in open(os.path.join(man, "contents.md"), encoding="utf-8"):
        m = re.match(r"^(\s*)- (.*)", line)
        if not m:
            continue
        depth = len(m.group(1)) // 2
        link = re.match(r"\[(.*?)\]\((.*?)\)", m.group(2))
        if link and link.group(2).startswith("@"):
            continue
        if link:
            parts.append(convert(os.path.join(man, link.group(2)), depth))
        else:
            parts.append("=" * (depth + 1) + " " + inline(m.group(2).strip(), {}))
    toml = open(os.path.join(book, "build.toml"), encoding="utf-8").read()
    title = re.search(r'(?m)^title\s*=\s*"(.*)"', toml).group(1)
    author = re.search(r'(?m)^authors\s*=\s*\["(.*?)"', toml).group(1)
    pre = f'''#set document(title: "{title}", author: "{author}")
#set page(width: 6in, height: 9in, margin: (top: 0.7in, bottom: 0.8in, inside: 0.85in, outside: 0.6in), numbering: "1")
#set text(font: "Libertinus Serif", size: 10.5pt, lang: "en", hyphenate: true)
#set par(justify: true, first-line-indent: 1em, spacing: 0.65em)
#show heading.where(level: 1): it => {{ pagebreak(weak: true, to: "odd"); v(2in); align(center, text(size: 18pt, it.body)); v(1em) }}
#show heading.where(level: 2): it => {{ v(1.5em); align(center, text(size: 13pt, it.body)); v(0.8em) }}
#show heading.where(level: 3): it => {{ v(1.2em); align(center, text(size: 11pt, it.body)); v(0.6em) }}
#show quote.where(block: true): it => pad(left: 1.5em, right: 1em, it.body)
#let horizontalrule = align(center, block(spacing: 1em)[\\* \\* \\*])
#page(numbering: none)[#v(2.5in) #align(center)[#text(size: 24pt)[{title}] \\ #v(1em) #text(size: 14pt)[{author}]]]
#pagebreak(to: "odd")
#outline(depth: 2)
'''
    return pre + "\n\n".join(parts) + "\n"

def median_time(cmd, cwd):
    subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)   # warm-up
    times = []
    for _ in range(runs):
        t = time.time()
        subprocess.run(cmd, cwd=cwd, check=True, capture_output=True)
        times.append(time.time() - t)
    return statistics.median(times), times

def main():
    with tempfile.TemporaryDirectory() as tmp:
        open(os.path.join(tmp, "book.typ"), "w", encoding="utf-8").write(typst_source())
        # bookbuild first: each tool's runs follow its own warm-up. Right after Typst's runs
        # (a gigabyte each, given back at exit) this machine runs anything 10-30% slower
        # for a while; measured the other way round, that fell on bookbuild alone.
        ours, ot = median_time([exe, "-q", "-C", book, "pdf", "-o", os.path.join(tmp, "out")], tmp)
        whole, wt = median_time([exe, "-q", "-C", book, "build", "-o", os.path.join(tmp, "out")], tmp)
        typst, tt = median_time([sys.executable, "-c", "import typst; typst.compile('book.typ', output='book.pdf')"], tmp)
        pages = subprocess.run(["pdfinfo", os.path.join(tmp, "book.pdf")], capture_output=True, text=True).stdout
        pages = re.search(r"Pages:\s+(\d+)", pages)
        name = os.path.basename(os.path.normpath(book))
        print(f"{name}: Typst 0.15.2 PDF {typst:.2f} s ({pages.group(1) if pages else '?'} pages; runs {', '.join(f'{x:.2f}' for x in tt)})")
        print(f"{name}: bookbuild pdf (interior and cover) {ours:.2f} s (runs {', '.join(f'{x:.2f}' for x in ot)})")
        print(f"{name}: bookbuild build (and the EPUB) {whole:.2f} s (runs {', '.join(f'{x:.2f}' for x in wt)})")
        print(f"{name}: ratio {ours / typst:.2f} (pdf), {whole / typst:.2f} (build)")


if __name__ == "__main__":
    main()
