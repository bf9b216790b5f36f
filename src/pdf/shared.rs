//! What the interior and the cover share: krilla fonts made once per face, runs as krilla
//! glyphs, and pictures read from the project.

use std::collections::HashMap;

use krilla::SerializeSettings;
use krilla::configure::{Accessibility, ConfigurationBuilder, PdfVersion};
use krilla::icc::ICCProfile;
use krilla::image::Image;
use krilla::text::{Font, GlyphId, KrillaGlyph};

use crate::display::{Face, FaceId, Run};
use crate::model::{Book, ImageFormat, ImageInfo, PdfX};

/// A picture for krilla: JPEG (CMYK included) goes in as it is, without re-encoding; the
/// other formats are decoded.
pub fn image(book: &Book, info: &ImageInfo) -> Result<Image, String> {
    let bytes = std::fs::read(book.root.join(&info.path))
        .map_err(|e| format!("cannot read {}: {e}", info.path.display()))?;
    let data = krilla::Data::from(bytes);
    let img = match info.format {
        ImageFormat::Jpeg => Image::from_jpeg(data, true),
        ImageFormat::Png => Image::from_png(data, true),
        ImageFormat::Gif => Image::from_gif(data, true),
        ImageFormat::Webp => Image::from_webp(data, true),
    };
    img.map_err(|e| format!("cannot use the image {}: {e}", info.path.display()))
}

/// krilla fonts for the book's faces, each made once.
pub struct Fonts<'a> {
    faces: &'a [Face],
    made: HashMap<FaceId, Font>,
}

impl<'a> Fonts<'a> {
    pub fn new(faces: &'a [Face]) -> Self {
        Fonts {
            faces,
            made: HashMap::new(),
        }
    }

    pub fn get(&mut self, face: FaceId) -> Result<Font, String> {
        if let Some(f) = self.made.get(&face) {
            return Ok(f.clone());
        }
        let info = self.faces.get(usize::from(face)).ok_or_else(|| {
            format!("the display list names a font face ({face}) it does not have")
        })?;
        let f = Font::new(info.data.into(), info.index)
            .ok_or_else(|| format!("the font {} cannot be embedded", info.family))?;
        self.made.insert(face, f.clone());
        Ok(f)
    }
}

/// A run's glyphs as krilla wants them (advances and offsets in em; y up is negative).
pub fn glyphs(run: &Run) -> Vec<KrillaGlyph> {
    run.placed()
        .zip(run.ranges())
        .map(|((g, advance, x, y), range)| {
            KrillaGlyph::new(
                GlyphId::new(u32::from(g.id)),
                advance.0,
                x.0,
                -y.0,
                0.0,
                range.start as usize..range.end as usize,
                None,
            )
        })
        .collect()
}

/// krilla's settings for the book's standards: PDF/X-4 manages colour against the output
/// profile (no device colour spaces; CMYK in the printer's profile), PDF/X-1a keeps device
/// CMYK and grey at PDF 1.4, PDF/UA-1 (interior only) validates the tagged document.
pub fn settings(book: &Book, cover: bool) -> Result<SerializeSettings, String> {
    let std = book.config.pdf.standard;
    let mut s = SerializeSettings::default();
    let mut config = ConfigurationBuilder::new();
    match std.x {
        Some(PdfX::X4) => {
            config = config.with_version(PdfVersion::Pdf16);
            s.no_device_cs = true;
            s.cmyk_profile = book
                .output_profile
                .as_ref()
                .and_then(|p| ICCProfile::new(&p.data));
        }
        Some(PdfX::X1a) => config = config.with_version(PdfVersion::Pdf14),
        None => {}
    }
    if std.ua && !cover {
        config = config.with_accessibility_validator(Accessibility::UA1);
    }
    s.configuration = config
        .finish()
        .map_err(|e| format!("the PDF standards cannot be combined: {e:?}"))?;
    s.enable_tagging = book.config.pdf.tagged && !cover;
    Ok(s)
}

/// Whether the book's PDF is written to a PDF/X standard.
pub fn for_press(book: &Book) -> bool {
    book.config.pdf.standard.x.is_some()
}

/// The text's black: grey 0 on screen, 100% K (and nothing else) for the press.
pub fn black(book: &Book) -> krilla::paint::Paint {
    if for_press(book) {
        krilla::color::cmyk::Color::new(0, 0, 0, 255).into()
    } else {
        krilla::color::luma::Color::black().into()
    }
}
