//! The preview's HTTP side: the page, `status.json`, each page's SVG, the fonts and
//! pictures they use, the EPUB's files, and a Server-Sent Events stream that says when a
//! build has finished. Each request is answered on its own thread (an event stream stays
//! open).

use std::io::Write;

use serde_json::json;
use tiny_http::{Header, Request, Response, Server};

use super::Shared;

const SHELL: &str = include_str!("shell.html");

pub(super) fn serve(server: Server, shared: Shared) {
    for request in server.incoming_requests() {
        let shared = shared.clone();
        std::thread::spawn(move || answer(request, &shared));
    }
}

fn header(name: &str, value: &str) -> Header {
    Header::from_bytes(name.as_bytes(), value.as_bytes()).expect("a valid header")
}

fn bytes(request: Request, status: u16, kind: &str, body: Vec<u8>) {
    let r = Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", kind))
        .with_header(header("Cache-Control", "no-store"));
    let _ = request.respond(r);
}

fn not_found(request: Request) {
    bytes(
        request,
        404,
        "text/plain; charset=utf-8",
        b"not found".to_vec(),
    );
}

fn answer(request: Request, shared: &Shared) {
    let url = request.url().split('?').next().unwrap_or("/").to_string();
    let (lock, _) = &**shared;
    match url.as_str() {
        "/" => bytes(
            request,
            200,
            "text/html; charset=utf-8",
            SHELL.as_bytes().to_vec(),
        ),
        "/status.json" => {
            let body = lock.lock().map(|st| status(&st)).unwrap_or_default();
            bytes(request, 200, "application/json", body.into_bytes());
        }
        "/fonts.css" => {
            let css = lock
                .lock()
                .map(|st| st.font_css.clone())
                .unwrap_or_default();
            bytes(request, 200, "text/css", css.into_bytes());
        }
        "/events" => events(request, shared),
        _ => files(request, &url, shared),
    }
}

/// `/page/{i}.svg`, `/font/{i}`, `/image/{i}`, `/chapter/{i}` and `/epub/…`.
fn files(request: Request, url: &str, shared: &Shared) {
    let (lock, _) = &**shared;
    let Ok(st) = lock.lock() else {
        return not_found(request);
    };
    let number = |prefix: &str, suffix: &str| -> Option<usize> {
        url.strip_prefix(prefix)?.strip_suffix(suffix)?.parse().ok()
    };
    if let Some(i) = number("/page/", ".svg") {
        let mut st = st;
        let Some(svg) = super::page_svg(&mut st, i) else {
            drop(st);
            return not_found(request);
        };
        drop(st);
        return bytes(request, 200, "image/svg+xml", svg.as_bytes().to_vec());
    }
    if let Some(i) = number("/font/", "") {
        let Some(f) = st.fonts.get(i).copied() else {
            drop(st);
            return not_found(request);
        };
        drop(st);
        return bytes(request, 200, "font/otf", f.to_vec());
    }
    if let Some(i) = number("/image/", "") {
        let path = st.images.get(i).cloned();
        drop(st);
        return match path.and_then(|p| std::fs::read(p).ok()) {
            Some(b) => bytes(request, 200, "application/octet-stream", b),
            None => not_found(request),
        };
    }
    if let Some(i) = number("/chapter/", "") {
        let target = i
            .checked_sub(1)
            .and_then(|k| st.page_chapter.get(k).cloned().flatten())
            .or_else(|| st.epub.keys().find(|k| k.ends_with("nav.xhtml")).cloned());
        drop(st);
        let Some(t) = target else {
            return not_found(request);
        };
        let r = Response::empty(302).with_header(header("Location", &format!("/epub/{t}")));
        let _ = request.respond(r);
        return;
    }
    if let Some(name) = url.strip_prefix("/epub/") {
        let name = crate::project::paths::percent_decode(name);
        let Some(b) = st.epub.get(&name).cloned() else {
            drop(st);
            return not_found(request);
        };
        drop(st);
        return bytes(request, 200, media_type(&name), b);
    }
    drop(st);
    not_found(request)
}

fn media_type(name: &str) -> &'static str {
    match name.rsplit('.').next().unwrap_or("") {
        "xhtml" => "application/xhtml+xml",
        "css" => "text/css",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "otf" | "ttf" => "font/otf",
        "ncx" | "opf" | "xml" => "application/xml",
        _ => "application/octet-stream",
    }
}

/// `status.json`.
fn status(st: &super::State) -> String {
    let diags: Vec<serde_json::Value> = st
        .diagnostics
        .iter()
        .map(crate::summary::diagnostic)
        .collect();
    json!({
        "builds": st.builds,
        "ok": st.ok,
        "last_ms": st.last_ms,
        "written": st.written,
        "changed_pages": st.changed_pages,
        "diagnostics": diags,
        "pages": st.doc.as_ref().map_or(0, |d| d.pages.len()),
        // The printed folios ("xii", "45"), as the PDF's page labels give them.
        "labels": st.doc.as_ref().map_or_else(Vec::new, |d| d.pages.iter().map(crate::display::Page::label).collect()),
        "page_size": [st.page_size.0, st.page_size.1],
    })
    .to_string()
}

/// Server-Sent Events: one `build` event after every finished build, with the status. The
/// stream is written and flushed by hand (tiny_http would buffer a chunked body), so the
/// response is handed over as the server's "upgrade" of the connection: no length, the body
/// runs until the reader goes away.
fn events(request: Request, shared: &Shared) {
    // A reader that comes back says which build it saw last (each event's id is its build):
    // it gets what it missed at once.
    let last: Option<u64> = request
        .headers()
        .iter()
        .find(|h| h.field.equiv("Last-Event-ID"))
        .and_then(|h| h.value.as_str().trim().parse().ok());
    let now = shared.0.lock().map(|st| st.builds).unwrap_or(0);
    let mut seen = last.map_or(now, |l| l.min(now));
    let head = Response::new(
        200.into(),
        vec![
            header("Content-Type", "text/event-stream"),
            header("Cache-Control", "no-store"),
        ],
        std::io::empty(),
        None,
        None,
    );
    let mut stream = request.upgrade("sse", head);
    if stream
        .write_all(b"retry: 1000\n\n")
        .and_then(|()| stream.flush())
        .is_err()
    {
        return;
    }
    loop {
        let (lock, signal) = &**shared;
        let Ok(st) = lock.lock() else { return };
        let Ok((st, _)) =
            signal.wait_timeout_while(st, std::time::Duration::from_secs(15), |s| s.builds == seen)
        else {
            return;
        };
        // A comment keeps the connection open and tells us when the reader has gone.
        let msg = if st.builds == seen {
            ": waiting\n\n".to_string()
        } else {
            seen = st.builds;
            format!("id: {seen}\nevent: build\ndata: {}\n\n", status(&st))
        };
        drop(st);
        if stream
            .write_all(msg.as_bytes())
            .and_then(|()| stream.flush())
            .is_err()
        {
            return;
        }
    }
}
