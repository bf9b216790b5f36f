#!/usr/bin/env python3
"""The author's loop, measured: `bookbuild watch` on a copy of War and Peace, then edits.

  scripts/bench-watch.py [BOOK_DIR]      (default ../shared/corpus/war-and-peace)

Prints, as medians: a word changed in a paragraph -> preview ready (status.json's last_ms,
from the change detected); the same -> outputs rewritten (from the file write, as the author
saves); a paragraph added (every later page of its Book moves) -> preview ready.
"""
import json, os, re, shutil, statistics, subprocess, sys, tempfile, time, urllib.request

here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
book = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "..", "shared", "corpus", "war-and-peace")
target = os.environ.get("CARGO_TARGET_DIR", os.path.join(root, "target"))
exe = os.path.join(target, "release", "bookbuild")

def status(port):
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/status.json") as r:
        return json.load(r)

def wait(port, key, n, limit=60):
    t = time.time()
    while time.time() - t < limit:
        s = status(port)
        if s[key] >= n:
            return s
        time.sleep(0.005)
    raise SystemExit(f"no {key} {n}: {s}")

with tempfile.TemporaryDirectory() as tmp:
    proj = os.path.join(tmp, "book")
    shutil.copytree(book, proj)
    env = dict(os.environ, SOURCE_DATE_EPOCH="946684800")
    w = subprocess.Popen([exe, "-q", "-C", proj, "watch", "--port", "0", "-o", os.path.join(tmp, "out")],
                         stderr=subprocess.PIPE, text=True, env=env)
    try:
        port = None
        for line in w.stderr:
            m = re.search(r"127\.0\.0\.1:(\d+)", line)
            if m:
                port = int(m.group(1))
                break
        s = wait(port, "written", 1)
        builds = s["builds"]
        chapters = sorted(os.path.join(d, f) for d, _, fs in os.walk(os.path.join(proj, "manuscript"))
                          for f in fs if f.startswith("chapter-") and f.endswith(".md"))
        chapter = chapters[len(chapters) // 3]
        word, written, para = [], [], []
        for k in range(9):
            text = open(chapter).read()
            text = text.replace(" the ", f" the{k} ", 1)
            t = time.time()
            open(chapter, "w").write(text)
            builds += 1
            s = wait(port, "builds", builds)
            word.append(s["last_ms"])
            wait(port, "written", builds)
            written.append((time.time() - t) * 1000)
        for k in range(7):
            text = open(chapter).read()
            i = text.index("\n\n", len(text) // 3) + 2
            text = text[:i] + f"A paragraph added, number {k}, long enough to take a few lines of the page and to push every later page of this Book on by a line or more.\n\n" + text[i:]
            open(chapter, "w").write(text)
            builds += 1
            s = wait(port, "builds", builds)
            para.append(s["last_ms"])
            wait(port, "written", builds)
        med = statistics.median
        print(f"book: {os.path.basename(os.path.normpath(book))}, {s['pages']} pages")
        print(f"word changed -> preview ready: median {med(word):.0f} ms (runs {', '.join(f'{x:.0f}' for x in word)})")
        print(f"word changed -> outputs rewritten: median {med(written):.0f} ms")
        print(f"paragraph added -> preview ready: median {med(para):.0f} ms (runs {', '.join(f'{x:.0f}' for x in para)})")
    finally:
        w.kill()
