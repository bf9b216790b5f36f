//! PDF/X: what krilla 0.8 cannot write, added to its finished file. The output intent
//! (`/S /GTS_PDFX` with the printer's ICC profile as `DestOutputProfile`), the Info keys
//! (`GTS_PDFXVersion`, `Trapped`, both dates) and an XMP packet with the PDF/X version,
//! `pdf:Trapped` and the `xmpMM` identifiers. Page boxes, the file `/ID`, embedded fonts and
//! colour spaces are krilla's (see `shared::settings`). PDF/UA's XMP marker is kept when the
//! interior is also PDF/UA.

use lopdf::{Dictionary, Document, Object, ObjectId, Stream, StringFormat};
use xmp_writer::{DateTime, LangId, RenditionClass, Timezone, XmpWriter};

use crate::model::{Book, PdfX, Timestamp};

/// Completes a finished PDF as the book's PDF/X level asks (the bytes unchanged without one).
/// `ua`: the file is also PDF/UA-1 (the interior, not the cover).
pub fn complete(bytes: Vec<u8>, book: &Book, time: Timestamp, ua: bool) -> Result<Vec<u8>, String> {
    let Some(level) = book.config.pdf.standard.x else {
        return Ok(bytes);
    };
    let profile = book
        .output_profile
        .as_ref()
        .ok_or("PDF/X needs an output profile, and the project loaded none")?;
    let fail = |e: lopdf::Error| format!("the PDF/X output intent cannot be added: {e}");
    let mut doc = Document::load_mem(&bytes).map_err(fail)?;
    // Not held while the file is written again: a long book's PDF is tens of megabytes.
    let len = bytes.len();
    drop(bytes);
    let version = match level {
        PdfX::X4 => "PDF/X-4",
        PdfX::X1a => "PDF/X-1a:2003",
    };

    // The output intent, sharing the profile krilla embedded for CMYK colour when it did.
    let icc = existing_cmyk_profile(&doc).unwrap_or_else(|| {
        let mut dict = Dictionary::new();
        dict.set("N", 4);
        let mut s = Stream::new(dict, profile.data.to_vec());
        let _ = s.compress();
        doc.add_object(s)
    });
    let mut intent = Dictionary::new();
    intent.set("Type", Object::Name(b"OutputIntent".to_vec()));
    intent.set("S", Object::Name(b"GTS_PDFX".to_vec()));
    intent.set("OutputConditionIdentifier", text(&profile.identifier));
    intent.set("OutputCondition", text(&profile.condition));
    intent.set("Info", text(&profile.condition));
    intent.set("RegistryName", text("http://www.color.org"));
    intent.set("DestOutputProfile", Object::Reference(icc));
    let intent = doc.add_object(intent);
    doc.catalog_mut()
        .map_err(fail)?
        .set("OutputIntents", vec![Object::Reference(intent)]);

    // The Info dictionary.
    let date = pdf_date(time);
    let info_id = match doc.trailer.get(b"Info").and_then(Object::as_reference) {
        Ok(id) => id,
        Err(_) => {
            let id = doc.add_object(Dictionary::new());
            doc.trailer.set("Info", id);
            id
        }
    };
    let info = doc
        .get_object_mut(info_id)
        .and_then(Object::as_dict_mut)
        .map_err(fail)?;
    info.set("GTS_PDFXVersion", text(version));
    if level == PdfX::X1a {
        info.set("GTS_PDFXConformance", text(version));
    }
    info.set("Trapped", Object::Name(b"False".to_vec()));
    info.set("CreationDate", text(&date));
    info.set("ModDate", text(&date));
    let title = info
        .get(b"Title")
        .and_then(Object::as_str)
        .map(decode_text)
        .unwrap_or_default();

    // The XMP packet, replacing krilla's.
    let id = file_id(&doc);
    let xmp = xmp(book, &title, version, &id, time, ua);
    let mut dict = Dictionary::new();
    dict.set("Type", Object::Name(b"Metadata".to_vec()));
    dict.set("Subtype", Object::Name(b"XML".to_vec()));
    let meta = doc.add_object(Stream::new(dict, xmp.into_bytes()));
    doc.catalog_mut().map_err(fail)?.set("Metadata", meta);
    // krilla's packet is no longer referenced.
    doc.prune_objects();

    let mut out = Vec::with_capacity(len + profile.data.len());
    doc.save_to(&mut out)
        .map_err(|e| format!("the PDF/X file cannot be written: {e}"))?;
    Ok(out)
}

fn text(s: &str) -> Object {
    if s.is_ascii() {
        Object::String(s.as_bytes().to_vec(), StringFormat::Literal)
    } else {
        // UTF-16BE with a byte-order mark, as PDF text strings are.
        let mut b = vec![0xFE, 0xFF];
        for u in s.encode_utf16() {
            b.extend_from_slice(&u.to_be_bytes());
        }
        Object::String(b, StringFormat::Hexadecimal)
    }
}

/// A PDF text string: UTF-16BE after a byte-order mark, else (here) ASCII.
fn decode_text(b: &[u8]) -> String {
    match b.strip_prefix(&[0xFE, 0xFF]) {
        Some(rest) => {
            let units: Vec<u16> = rest
                .chunks_exact(2)
                .map(|c| u16::from_be_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        }
        None => String::from_utf8_lossy(b).into_owned(),
    }
}

/// The ICC stream of an `[/ICCBased …]` colour space with four components, if krilla wrote one.
fn existing_cmyk_profile(doc: &Document) -> Option<ObjectId> {
    doc.objects.values().find_map(|o| {
        let a = o.as_array().ok()?;
        if a.len() != 2 || a[0].as_name().ok()? != b"ICCBased" {
            return None;
        }
        let id = a[1].as_reference().ok()?;
        let s = doc.get_object(id).ok()?.as_stream().ok()?;
        (s.dict.get(b"N").ok()?.as_i64().ok()? == 4).then_some(id)
    })
}

/// The first half of the trailer's `/ID`, in hex.
fn file_id(doc: &Document) -> String {
    doc.trailer
        .get(b"ID")
        .and_then(Object::as_array)
        .ok()
        .and_then(|a| a.first())
        .and_then(|o| o.as_str().ok())
        .map(|b| b.iter().map(|x| format!("{x:02x}")).collect())
        .unwrap_or_default()
}

/// `D:YYYYMMDDHHmmSSZ`.
fn pdf_date(time: Timestamp) -> String {
    let (y, mo, d, h, mi, s) = time.civil();
    format!("D:{y:04}{mo:02}{d:02}{h:02}{mi:02}{s:02}Z")
}

fn xmp(book: &Book, title: &str, version: &str, id: &str, time: Timestamp, ua: bool) -> String {
    let b = &book.config.book;
    let (y, mo, d, h, mi, s) = time.civil();
    let date = DateTime {
        year: y.clamp(0, 9999) as u16,
        month: Some(mo as u8),
        day: Some(d as u8),
        hour: Some(h as u8),
        minute: Some(mi as u8),
        second: Some(s as u8),
        timezone: Some(Timezone::Utc),
    };
    let mut x = XmpWriter::new();
    x.title([(Some(LangId("x-default")), title)]);
    x.creator(b.authors.iter().map(String::as_str));
    x.language([LangId(&b.language)]);
    x.format("application/pdf");
    x.create_date(date);
    x.modify_date(date);
    x.metadata_date(date);
    x.creator_tool("bookbuild");
    x.producer(&format!("bookbuild {}", env!("CARGO_PKG_VERSION")));
    x.trapped(false);
    let did = format!("xmp.did:{id}");
    x.document_id(&did);
    x.instance_id(&did);
    x.version_id("1");
    x.rendition_class(RenditionClass::Default);
    x.pdfx_version(version);
    if ua {
        x.pdfua_part(1);
    }
    x.finish(None)
}
