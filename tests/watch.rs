//! `bookbuild watch` driven over HTTP on a copy of a corpus book: the first build, an edit
//! that changes a page, a broken edit that keeps the last good preview and shows a located
//! diagnostic, the fix, and a second instance on the same port.

mod common;

use common::*;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// Saves a file the way most editors do: written beside it, then renamed over it (one
/// event, so one rebuild however slow the machine is).
fn save(path: &Path, text: &str) {
    let tmp = path.with_file_name(".bookbuild-test-save");
    std::fs::write(&tmp, text).unwrap();
    std::fs::rename(&tmp, path).unwrap();
}

/// A GET on the preview: status and body.
fn get(port: u16, path: &str) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).expect("the preview answers");
    s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).unwrap();
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let code = head
        .split_whitespace()
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    // tiny_http sends small bodies whole; large ones chunked.
    let body = if head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(body)
    } else {
        body.to_string()
    };
    (code, body)
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

fn status(port: u16) -> serde_json::Value {
    serde_json::from_str(&get(port, "/status.json").1).expect("status.json is JSON")
}

/// Waits until the status's `field` reaches `n`, checking `meanwhile` on each status seen
/// before; returns the status.
fn until(
    port: u16,
    field: &str,
    n: u64,
    meanwhile: impl Fn(&serde_json::Value),
) -> serde_json::Value {
    let start = Instant::now();
    loop {
        let s = status(port);
        if s[field].as_u64().unwrap_or(0) >= n {
            return s;
        }
        meanwhile(&s);
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{field} never reached {n}: {s}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until `builds` reaches `n`; returns the status.
fn until_build(port: u16, n: u64) -> serde_json::Value {
    until(port, "builds", n, |_| {})
}

struct Watch(Child);

impl Drop for Watch {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// Starts `watch` and returns it with its port (read from what it prints).
fn start(project: &Path, out: &Path, port: u16) -> (Watch, Result<u16, String>) {
    let mut child = Command::new(bin())
        .arg("-C")
        .arg(project)
        .args(["-q", "watch", "--port", &port.to_string(), "-o"])
        .arg(out)
        .env("SOURCE_DATE_EPOCH", "946684800")
        .env("NO_COLOR", "1")
        .stderr(Stdio::piped())
        .spawn()
        .expect("bookbuild runs");
    let err = child.stderr.take().unwrap();
    let mut lines = BufReader::new(err).lines();
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap_or_default();
        seen.push_str(&line);
        seen.push('\n');
        if let Some(rest) = line.split("http://127.0.0.1:").nth(1) {
            let port: u16 = rest
                .trim_end_matches(|c: char| !c.is_ascii_digit())
                .split('/')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            std::thread::spawn(move || for _ in lines {});
            return (Watch(child), Ok(port));
        }
    }
    (Watch(child), Err(seen))
}

/// `watch` on a copy of Sherlock Holmes, on a free port: the project, the output folder, the
/// process (stopped when dropped) and the port.
fn watch_sherlock() -> (tempfile::TempDir, tempfile::TempDir, Watch, u16) {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(&corpus("sherlock-holmes"), dir.path());
    let out = tempfile::tempdir().unwrap();
    let (watch, port) = start(dir.path(), out.path(), 0);
    let port = port.expect("watch prints its address");
    (dir, out, watch, port)
}

#[test]
fn watch_rebuilds_on_edits_and_survives_broken_ones() {
    let (dir, out, watch, port) = watch_sherlock();

    let first = until_build(port, 1);
    assert_eq!(first["ok"], true, "{first}");
    // The binary sets up its allocator before anything else (src/memory.rs): no huge pages.
    if let Ok(status) = std::fs::read_to_string(format!("/proc/{}/status", watch.0.id())) {
        let thp = status.lines().find_map(|l| l.strip_prefix("THP_enabled:"));
        assert!(thp.is_none_or(|v| v.trim() == "0"), "{thp:?}");
    }
    let pages = first["pages"].as_u64().unwrap();
    assert!(pages > 200);
    // The printed folios: roman in the front matter, arabic from the body on.
    let labels: Vec<&str> = first["labels"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l.as_str().unwrap())
        .collect();
    assert_eq!(labels.len() as u64, pages);
    assert_eq!(labels[0], "i");
    assert!(labels.last().unwrap().parse::<u32>().is_ok(), "{labels:?}");
    assert!(
        files(out.path())
            .iter()
            .any(|f| f.to_string_lossy().ends_with(".pdf")),
        "the outputs are written"
    );
    let (code, html) = get(port, "/");
    assert_eq!(code, 200);
    assert!(html.contains("EventSource(\"/events\")"));
    // A long list of warnings scrolls in its own box and has a button to put it away.
    assert!(html.contains("max-height: 25vh") && html.contains("id=\"quiet\""));

    // An edit: one word in a paragraph of the first story.
    let chapter = files(&dir.path().join("manuscript"))
        .into_iter()
        .map(|f| dir.path().join("manuscript").join(f))
        .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("contents.md"))
        .find(|p| std::fs::read_to_string(p).unwrap().contains(" Bohemia"))
        .expect("A Scandal in Bohemia");
    let original = std::fs::read_to_string(&chapter).unwrap();
    let at = original.find("\n\n").unwrap() + 2;
    let at = at + original[at..].find("\n\n").unwrap() + 2;
    let before_pages: Vec<String> = (1..=pages)
        .map(|i| get(port, &format!("/page/{i}.svg")).1)
        .collect();
    let edited = format!("{}Zanzibarian {}", &original[..at], &original[at..]);
    save(&chapter, &edited);
    let s = until_build(port, 2);
    assert_eq!(s["ok"], true, "{s}");
    let changed: Vec<u64> = s["changed_pages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert!(
        !changed.is_empty() && changed.len() < pages as usize,
        "{changed:?}"
    );
    let page = changed
        .iter()
        .find(|&&i| {
            get(port, &format!("/page/{i}.svg"))
                .1
                .contains("Zanzibarian")
        })
        .copied()
        .expect("the edited page is among the changed ones");
    let svg = get(port, &format!("/page/{page}.svg")).1;
    assert_ne!(svg, before_pages[page as usize - 1], "its SVG changed");
    assert!(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assert!(s["last_ms"].as_f64().unwrap() > 0.0);

    // A broken edit: a note reference without its note.
    save(
        &chapter,
        &format!("{}Broken[^nowhere] {}", &original[..at], &original[at..]),
    );
    let s = until_build(port, 3);
    assert_eq!(s["ok"], false, "{s}");
    let d = s["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["severity"] == "error")
        .expect("an error")
        .clone();
    assert!(
        d["file"]
            .as_str()
            .unwrap()
            .ends_with(&*chapter.file_name().unwrap().to_string_lossy()),
        "{d}"
    );
    assert!(
        d["line"].as_u64().unwrap() > 1 && d["col"].as_u64().unwrap() >= 1,
        "{d}"
    );
    // The last good preview is still served.
    assert!(
        get(port, &format!("/page/{page}.svg"))
            .1
            .contains("Zanzibarian")
    );

    // The fix recovers, and the event stream says so (live reload).
    let (tx, rx) = std::sync::mpsc::channel();
    let mut events = TcpStream::connect(("127.0.0.1", port)).unwrap();
    // Having seen build 3: build 4 comes as soon as it is done, even if it is done before
    // the server has taken this connection.
    write!(
        events,
        "GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\nLast-Event-ID: 3\r\n\r\n"
    )
    .unwrap();
    std::thread::spawn(move || {
        let mut r = BufReader::new(events);
        let mut line = String::new();
        while r.read_line(&mut line).is_ok_and(|n| n > 0) {
            if line.contains("\"builds\":4") {
                let _ = tx.send(line.clone());
                return;
            }
            line.clear();
        }
    });
    std::thread::sleep(Duration::from_millis(200));
    save(&chapter, &original);
    let event = rx
        .recv_timeout(Duration::from_secs(60))
        .expect("a build event");
    assert!(event.contains("\"ok\":true"), "{event}");
    let s = until_build(port, 4);
    assert_eq!(s["ok"], true, "{s}");
    assert!(
        (1..=pages).any(|i| get(port, &format!("/page/{i}.svg")).1 == before_pages[i as usize - 1])
    );

    // A second instance on the same port says so.
    let (mut second, taken) = start(dir.path(), out.path(), port);
    assert!(taken.is_err());
    let code = second.0.wait().unwrap();
    assert_eq!(code.code(), Some(1));
    assert!(
        taken
            .unwrap_err()
            .contains(&format!("cannot serve the preview on 127.0.0.1:{port}"))
    );
}

/// Waits until the outputs of build `n` are written (a later build that failed would
/// never write them).
fn until_written(port: u16, n: u64) -> serde_json::Value {
    until(port, "written", n, |s| {
        assert!(
            s["builds"].as_u64().unwrap_or(0) <= n || s["ok"] == true,
            "{s}"
        );
    })
}

#[test]
fn after_a_series_of_edits_watch_writes_what_a_cold_build_writes() {
    let (dir, out, _watch, port) = watch_sherlock();
    until_written(port, 1);
    let stories: Vec<std::path::PathBuf> = {
        let mut v: Vec<_> = files(&dir.path().join("manuscript"))
            .into_iter()
            .map(|f| dir.path().join("manuscript").join(f))
            .filter(|p| p.extension().is_some_and(|e| e == "md") && !p.ends_with("contents.md"))
            .collect();
        v.sort();
        v
    };
    let paragraph = |p: &Path, k: usize| {
        let s = std::fs::read_to_string(p).unwrap();
        let mut at = 0;
        for _ in 0..k {
            at += s[at..].find("\n\n").unwrap() + 2;
        }
        (s, at)
    };
    // A word; a whole paragraph (every later page moves); a footnote (the notes renumber); a
    // setting (every chapter is laid out again).
    let edits: Vec<Box<dyn Fn()>> = vec![
        Box::new(|| {
            let (s, at) = paragraph(&stories[3], 4);
            save(&stories[3], &format!("{}Indeed, {}", &s[..at], &s[at..]));
        }),
        Box::new(|| {
            let (s, at) = paragraph(&stories[1], 3);
            let added = "A paragraph added to see every later page of the book move on, long enough to take a few lines of its own in the measure of this edition, and then a few more words.\n\n";
            save(&stories[1], &format!("{}{added}{}", &s[..at], &s[at..]));
        }),
        Box::new(|| {
            let (s, at) = paragraph(&stories[2], 5);
            save(
                &stories[2],
                &format!(
                    "{}Noted.[^added] {}\n\n[^added]: A note added while watching.\n",
                    &s[..at],
                    &s[at..]
                ),
            );
        }),
        Box::new(|| {
            edit(&dir.path().join("build.toml"), |s| {
                s.replacen("[pdf]\n", "[pdf]\nmargin_kerning = false\n", 1)
            });
        }),
    ];
    for (k, e) in edits.iter().enumerate() {
        e();
        let s = until_written(port, k as u64 + 2);
        assert_eq!(s["ok"], true, "edit {k}: {s}");
        assert_eq!(
            s["builds"].as_u64().unwrap(),
            k as u64 + 2,
            "one build per edit: {s}"
        );
        let cold = tempfile::tempdir().unwrap();
        let o = build_into(dir.path(), "build", cold.path());
        assert!(o.status.success(), "{}", stderr(&o));
        let made = files(cold.path());
        assert_eq!(made.len(), 3);
        for f in made {
            let a = std::fs::read(out.path().join(&f)).unwrap();
            let b = std::fs::read(cold.path().join(&f)).unwrap();
            assert!(
                a == b,
                "edit {k}, {f:?}: what watch wrote differs from a cold build"
            );
        }
    }
}
