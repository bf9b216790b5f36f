#!/usr/bin/env python3
"""Peak memory against the length of the book: War and Peace once, then N copies of its body
in one project (the ×4 book of issue 15: 5,029 pages), each built with `bookbuild build`.

  scripts/copies.py [N] [RUNS]        (default 4 copies, 3 runs each)

Prints each book's pages, median wall time and median peak resident memory (GNU time), and
the ratio of the peaks. The front and back matter are the book's own, once; the body entries
of contents.md are repeated with their files under copy1/ … copyN/. When Typst's Python
package is installed (pip install typst==0.15.2), Typst's PDF of the same two books is
measured the same way (one run each, as scripts/typst-peer.py converts them), as the peer.
"""
import os, re, shutil, statistics, subprocess, sys, tempfile

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
book = os.path.join(root, "..", "shared", "corpus", "war-and-peace")
copies = int(sys.argv[1]) if len(sys.argv) > 1 else 4
runs = int(sys.argv[2]) if len(sys.argv) > 2 else 3
exe = os.path.join(os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target")), "release", "bookbuild")


def make_copies(dst):
    """The book with its body N times over."""
    shutil.copytree(book, dst)
    man = os.path.join(dst, "manuscript")
    text = open(os.path.join(man, "contents.md"), encoding="utf-8").read()
    parts = re.split(r"(?m)^(# .*)$", text)
    out = [parts[0]]
    for head, body in zip(parts[1::2], parts[2::2]):
        out.append(head)
        if head.strip() != "# Body":
            out.append(body)
            continue
        for k in range(1, copies + 1):
            out.append(re.sub(r"\]\(([^)@][^)]*)\)", lambda m: f"](copy{k}/{m.group(1)})", body))
    for k in range(1, copies + 1):
        for name in os.listdir(man):
            if name.startswith(("book-", "epilogue")):
                src = os.path.join(man, name)
                (shutil.copytree if os.path.isdir(src) else shutil.copy)(src, os.path.join(man, f"copy{k}", name))
    for name in os.listdir(man):
        if name.startswith(("book-", "epilogue")):
            p = os.path.join(man, name)
            shutil.rmtree(p) if os.path.isdir(p) else os.remove(p)
    open(os.path.join(man, "contents.md"), "w", encoding="utf-8").write("".join(out))


def measure(project, out):
    walls, peaks, pages = [], [], None
    for _ in range(runs):
        r = subprocess.run(["/usr/bin/time", "-f", "%e %M", exe, "-v", "-C", project, "build", "-o", out],
                           stderr=subprocess.PIPE, text=True, env=dict(os.environ, SOURCE_DATE_EPOCH="0"))
        if r.returncode != 0:
            raise SystemExit(r.stderr)
        wall, kb = r.stderr.strip().splitlines()[-1].split()
        walls.append(float(wall))
        peaks.append(int(kb) / 1024)
        m = re.search(r"print interior: (\d+) pages", r.stderr)
        pages = m and int(m.group(1))
    return pages, statistics.median(walls), statistics.median(peaks)


def typst_peak(project, tmp):
    """Typst's wall time and peak memory for the book at `project`, or None without Typst."""
    if subprocess.run([sys.executable, "-c", "import typst"], capture_output=True).returncode:
        return None
    import importlib.util
    spec = importlib.util.spec_from_file_location("typst_peer", os.path.join(here, "typst-peer.py"))
    peer = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(peer)
    src = os.path.join(tmp, "book.typ")
    open(src, "w", encoding="utf-8").write(peer.typst_source(project))
    r = subprocess.run(["/usr/bin/time", "-f", "%e %M", sys.executable, "-c",
                        "import typst; typst.compile('book.typ', output='book.pdf')"],
                       cwd=tmp, stderr=subprocess.PIPE, text=True)
    if r.returncode != 0:
        raise SystemExit(r.stderr)
    wall, kb = r.stderr.strip().splitlines()[-1].split()
    return float(wall), int(kb) / 1024


with tempfile.TemporaryDirectory() as tmp:
    many = os.path.join(tmp, "many")
    make_copies(many)
    p1, w1, m1 = measure(book, os.path.join(tmp, "out1"))
    pn, wn, mn = measure(many, os.path.join(tmp, "outn"))
    print(f"war-and-peace ×1: {p1} pages, build {w1:.2f} s, peak {m1:.0f} MB")
    print(f"war-and-peace ×{copies}: {pn} pages, build {wn:.2f} s, peak {mn:.0f} MB")
    print(f"peak memory ratio ×{copies}/×1: {mn / m1:.2f}")
    t1 = typst_peak(book, tmp)
    if t1:
        tn = typst_peak(many, tmp)
        print(f"Typst 0.15.2 ×1: PDF {t1[0]:.2f} s, peak {t1[1]:.0f} MB; ×{copies}: {tn[0]:.2f} s, "
              f"peak {tn[1]:.0f} MB; ratio {tn[1] / t1[1]:.2f}")
        print(f"bookbuild's peak against Typst's: ×1 {m1 / t1[1]:.2f}, ×{copies} {mn / tn[1]:.2f}")
