//! What a PDF/X standard asks of the project before anything is typeset: the output profile
//! (the printer's, or the built-in FOGRA39 one), and for PDF/X-1a pictures in CMYK or grey.

use std::path::Path;
use std::sync::Arc;

use super::paths;
use crate::diag::{Diagnostics, Location, SourceFile};
use crate::model::{Config, Covers, ImageFormat, ImageInfo, OutputProfile};

/// bookbuild's default output profile: coated offset, FOGRA39 (see profiles/README.md).
const BUILT_IN: &[u8] = include_bytes!("../../profiles/FOGRA39-bookbuild.icc");

/// The output profile for `[pdf] output_profile`, checked to be a CMYK output profile; the
/// built-in one when none is named.
pub fn output_profile(
    root: &Path,
    config: &Config,
    build_toml: Option<&SourceFile>,
    diags: &mut Diagnostics,
) -> Option<OutputProfile> {
    let Some(rel) = &config.pdf.output_profile else {
        return Some(OutputProfile {
            data: Arc::new(BUILT_IN.to_vec()),
            identifier: "FOGRA39".to_string(),
            condition: "Offset printing, according to ISO 12647-2:2004/Amd 1, OFCOM, paper type 1 or 2 = coated art, 115 g/m2, screen ruling 60/cm".to_string(),
        });
    };
    let at = build_toml.map(|f| f.location(config.pdf.spans.output_profile));
    let fail = |diags: &mut Diagnostics, msg: String| {
        diags.error_hint(
            at.clone(),
            msg,
            "name the ICC profile your printer gives for its paper (a CMYK output profile, .icc), or leave output_profile out to use the built-in FOGRA39 coated profile",
        );
        None
    };
    let path = match paths::resolve(root, Path::new(""), rel) {
        Ok(p) => p,
        Err(e) => return fail(diags, e),
    };
    let data = match std::fs::read(root.join(&path)) {
        Ok(d) => d,
        Err(e) => return fail(diags, format!("cannot read the output profile {rel}: {e}")),
    };
    if let Err(what) = check_icc(&data) {
        return fail(
            diags,
            format!("{rel} is not a printer's output profile: {what}"),
        );
    }
    Some(OutputProfile {
        data: Arc::new(data),
        identifier: "Custom".to_string(),
        condition: crate::diag::display_path(&path),
    })
}

/// An ICC profile's header: signature, device class and colour space (ICC.1 §7.2).
pub fn check_icc(data: &[u8]) -> Result<(), String> {
    if data.len() < 132 || &data[36..40] != b"acsp" {
        return Err("it is not an ICC profile".to_string());
    }
    let class = String::from_utf8_lossy(&data[12..16]).into_owned();
    let space = String::from_utf8_lossy(&data[16..20]).into_owned();
    if class != "prtr" {
        return Err(format!(
            "its device class is '{class}', not 'prtr' (output)"
        ));
    }
    if space != "CMYK" {
        return Err(format!("its colour space is '{}', not CMYK", space.trim()));
    }
    Ok(())
}

/// PDF/X-1a takes only CMYK and grey: every picture (covers included) must be a CMYK or
/// greyscale JPEG, or a greyscale PNG without transparency.
pub fn check_x1a(root: &Path, images: &[ImageInfo], covers: &Covers, diags: &mut Diagnostics) {
    for info in images
        .iter()
        .chain(covers.front.iter())
        .chain(covers.back.iter())
    {
        let bytes = std::fs::read(root.join(&info.path)).unwrap_or_default();
        if let Some(what) = not_x1a(info.format, &bytes) {
            diags.error_hint(
                Some(Location::file(&info.path)),
                format!("PDF/X-1a allows only CMYK and grey; this picture is {what}"),
                "convert it to a CMYK (or greyscale) JPEG with the printer's profile, or write \"pdf/x-4\", which takes RGB pictures and manages their colour",
            );
        }
    }
}

/// Why a picture cannot go into PDF/X-1a, if it cannot.
fn not_x1a(format: ImageFormat, b: &[u8]) -> Option<&'static str> {
    match format {
        ImageFormat::Jpeg => match jpeg_components(b) {
            Some(1 | 4) => None,
            _ => Some("an RGB JPEG"),
        },
        // IHDR's colour type: 0 grey, 4 grey with alpha, others colour.
        ImageFormat::Png => match b.get(25) {
            Some(0) => None,
            Some(4) => Some("a PNG with transparency"),
            _ => Some("an RGB PNG"),
        },
        ImageFormat::Gif | ImageFormat::Webp => Some("an RGB GIF or WebP picture"),
    }
}

/// The number of colour components in a JPEG's frame header.
fn jpeg_components(b: &[u8]) -> Option<u8> {
    let mut i = 2;
    while i + 9 < b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        let len = usize::from(u16::from_be_bytes([b[i + 2], b[i + 3]]));
        // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
        if (0xC0..=0xCF).contains(&marker) && !matches!(marker, 0xC4 | 0xC8 | 0xCC) {
            return b.get(i + 9).copied();
        }
        i += 2 + len;
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_profile_is_a_cmyk_output_profile() {
        assert_eq!(check_icc(BUILT_IN), Ok(()));
        let mut rgb = BUILT_IN[..200].to_vec();
        rgb[16..20].copy_from_slice(b"RGB ");
        assert!(check_icc(&rgb).unwrap_err().contains("not CMYK"));
        rgb[12..16].copy_from_slice(b"mntr");
        assert!(check_icc(&rgb).unwrap_err().contains("'mntr'"));
        assert!(check_icc(b"hello").is_err());
    }

    #[test]
    fn jpeg_frames_say_how_many_components() {
        // SOI, APP0 (len 4), SOF0 with 3 components.
        let rgb = [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 17, 8, 0, 16, 0, 16, 3, 1, 0x11, 0,
        ];
        assert_eq!(jpeg_components(&rgb), Some(3));
        let mut cmyk = rgb;
        cmyk[17] = 4;
        assert_eq!(not_x1a(ImageFormat::Jpeg, &cmyk), None);
        assert_eq!(not_x1a(ImageFormat::Jpeg, &rgb), Some("an RGB JPEG"));
    }
}
