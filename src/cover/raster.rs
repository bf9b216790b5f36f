//! Cover designs as pictures, for the EPUB: glyph outlines and rectangles filled with
//! tiny-skia, encoded as PNG.

use rustybuzz::ttf_parser::{self, OutlineBuilder};
use tiny_skia::{FillRule, Paint, PathBuilder, Pixmap, Rect, Transform};

use crate::display::CoverItem as Item;
use crate::typeset::fonts::FontBook;

struct Outline {
    pb: PathBuilder,
    /// Glyph origin in pixels and font units → pixels.
    x: f32,
    y: f32,
    k: f32,
}

impl OutlineBuilder for Outline {
    fn move_to(&mut self, x: f32, y: f32) {
        self.pb.move_to(self.x + x * self.k, self.y - y * self.k);
    }
    fn line_to(&mut self, x: f32, y: f32) {
        self.pb.line_to(self.x + x * self.k, self.y - y * self.k);
    }
    fn quad_to(&mut self, x1: f32, y1: f32, x: f32, y: f32) {
        self.pb.quad_to(
            self.x + x1 * self.k,
            self.y - y1 * self.k,
            self.x + x * self.k,
            self.y - y * self.k,
        );
    }
    fn curve_to(&mut self, x1: f32, y1: f32, x2: f32, y2: f32, x: f32, y: f32) {
        self.pb.cubic_to(
            self.x + x1 * self.k,
            self.y - y1 * self.k,
            self.x + x2 * self.k,
            self.y - y2 * self.k,
            self.x + x * self.k,
            self.y - y * self.k,
        );
    }
    fn close(&mut self) {
        self.pb.close();
    }
}

/// Renders the items of a `w` × `h` point area (from `origin`) into a PNG `px_h` pixels high.
pub fn render_png(
    items: &[Item],
    origin: (f32, f32),
    w: f32,
    h: f32,
    px_h: u32,
    fonts: &FontBook,
) -> Result<Vec<u8>, String> {
    let scale = px_h as f32 / h;
    let px_w = (w * scale).round().max(1.0) as u32;
    let mut pix = Pixmap::new(px_w, px_h).ok_or("the cover picture has no size")?;
    pix.fill(tiny_skia::Color::WHITE);
    let to_px = |x: f32, y: f32| ((x - origin.0) * scale, (y - origin.1) * scale);
    for item in items {
        match item {
            Item::Rect { x, y, w, h, paint } => {
                let (px, py) = to_px(*x, *y);
                if let Some(r) = Rect::from_xywh(px, py, w * scale, h * scale) {
                    let mut p = Paint::default();
                    p.set_color_rgba8(paint.rgb[0], paint.rgb[1], paint.rgb[2], 255);
                    p.anti_alias = true;
                    pix.fill_rect(r, &p, Transform::identity(), None);
                }
            }
            Item::Text {
                run,
                x,
                y,
                paint,
                rotated,
            } => {
                if *rotated {
                    continue; // the EPUB cover is the front alone: no spine
                }
                let face = fonts.face(run.face);
                let k = run.size / face.upem as f32 * scale;
                let mut p = Paint::default();
                p.set_color_rgba8(paint.rgb[0], paint.rgb[1], paint.rgb[2], 255);
                p.anti_alias = true;
                let (mut gx, gy) = to_px(*x, *y);
                for (g, advance, x_offset, y_offset) in run.placed() {
                    let mut o = Outline {
                        pb: PathBuilder::new(),
                        x: gx + x_offset.0 * run.size * scale,
                        y: gy - y_offset.0 * run.size * scale,
                        k,
                    };
                    if face
                        .rb
                        .outline_glyph(ttf_parser::GlyphId(g.id), &mut o)
                        .is_some()
                        && let Some(path) = o.pb.finish()
                    {
                        pix.fill_path(&path, &p, FillRule::Winding, Transform::identity(), None);
                    }
                    gx += advance.0 * run.size * scale;
                }
            }
            Item::Picture { .. } => {}
        }
    }
    pix.encode_png()
        .map_err(|e| format!("cannot encode the cover picture: {e}"))
}
