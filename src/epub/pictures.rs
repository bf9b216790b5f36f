//! Pictures as the EPUB carries them: as the author gave them, unless they are larger than
//! e-book stores accept (Apple Books: 4 million pixels a picture) or a CMYK JPEG (which
//! screens show with wrong colours). Those are scaled down and converted to RGB for the EPUB
//! only; the print edition keeps every pixel.

use image::ImageEncoder;

use crate::model::ImageFormat;

/// The most pixels a picture in the EPUB has.
pub(crate) const MAX_PIXELS: u64 = 4_000_000;

/// The bytes the EPUB carries for a picture of the book.
pub(crate) fn for_epub(
    bytes: Vec<u8>,
    format: ImageFormat,
    w: u32,
    h: u32,
) -> Result<Vec<u8>, String> {
    let pixels = u64::from(w) * u64::from(h);
    let cmyk = format == ImageFormat::Jpeg && crate::cover::jpeg_components(&bytes) == Some(4);
    if pixels <= MAX_PIXELS && !cmyk {
        return Ok(bytes);
    }
    let img =
        image::load_from_memory(&bytes).map_err(|e| format!("cannot decode a picture: {e}"))?;
    let img = if pixels > MAX_PIXELS {
        let k = (MAX_PIXELS as f64 / pixels as f64).sqrt();
        let nw = ((f64::from(w) * k).floor() as u32).max(1);
        let nh = ((f64::from(h) * k).floor() as u32).max(1);
        img.resize_exact(nw, nh, image::imageops::FilterType::Lanczos3)
    } else {
        img
    };
    let mut out = Vec::new();
    let err = |e: image::ImageError| format!("cannot encode a picture for the EPUB: {e}");
    match format {
        ImageFormat::Jpeg => {
            let rgb = img.to_rgb8();
            image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 88)
                .write_image(
                    rgb.as_raw(),
                    rgb.width(),
                    rgb.height(),
                    image::ExtendedColorType::Rgb8,
                )
                .map_err(err)?;
        }
        ImageFormat::Png => img
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .map_err(err)?,
        ImageFormat::Gif => img
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Gif)
            .map_err(err)?,
        ImageFormat::Webp => img
            .write_to(
                &mut std::io::Cursor::new(&mut out),
                image::ImageFormat::WebP,
            )
            .map_err(err)?,
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_picture_past_the_stores_limit_is_scaled_down_and_a_small_one_kept() {
        let big = image::RgbImage::from_pixel(2500, 2000, image::Rgb([200, 10, 10]));
        let mut png = Vec::new();
        image::DynamicImage::ImageRgb8(big)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let out = for_epub(png.clone(), ImageFormat::Png, 2500, 2000).unwrap();
        let img = image::load_from_memory(&out).unwrap();
        assert!(u64::from(img.width()) * u64::from(img.height()) <= MAX_PIXELS);
        assert_eq!(img.width(), 2236);
        let small = for_epub(b"small".to_vec(), ImageFormat::Png, 10, 10).unwrap();
        assert_eq!(small, b"small");
    }
}
