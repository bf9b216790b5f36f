//! What the interior and the cover share: krilla fonts made once per face, runs as krilla
//! glyphs, and pictures read from the project.

use std::collections::HashMap;

use krilla::image::Image;
use krilla::text::{Font, GlyphId, KrillaGlyph};

use crate::display::{Face, FaceId, Run};
use crate::model::{Book, ImageFormat, ImageInfo};

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
    run.glyphs
        .iter()
        .map(|g| {
            KrillaGlyph::new(
                GlyphId::new(u32::from(g.id)),
                g.advance.0,
                g.x_offset.0,
                -g.y_offset.0,
                0.0,
                g.range.start as usize..g.range.end as usize,
                None,
            )
        })
        .collect()
}
