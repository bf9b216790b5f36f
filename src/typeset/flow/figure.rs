//! Figures: a picture and its caption, sized as a book designer would — to the measure (or
//! the author's share of it), never enlarged past what its pixels can print sharply, down so
//! that picture and caption fit a page with text, and as a plate (a page of its own) when
//! that would leave it too small. A figure set with text takes a whole number of lines, so the
//! text around it stays on the page's baseline grid.

use super::{BoxTag, FigureBox, FlowBuilder, Place, VBox, VKind};
use crate::display::StructKind;
use crate::fonts::Style;
use crate::model::{Figure, FlowPoint, Placement};
use crate::typeset::paragraph::{self, Align, ParaStyle};
use crate::typeset::remarks::Remark;
use crate::units::PT_PER_IN;

impl FlowBuilder<'_, '_> {
    /// A figure: one block for the page breaker to place.
    pub(super) fn figure(&mut self, f: &Figure, place: Place, point: Option<(usize, u32)>) {
        let d = self.design;
        let info = &self.book.images[f.image as usize];
        let (px_w, px_h) = (f64::from(info.width), f64::from(info.height));
        let ratio = px_h / px_w;
        let style = ParaStyle {
            size: d.size * d.caption_scale,
            align: Align::Center,
            base: Style::Italic,
            hyphenate: false,
            ..self.body_style(place.measure * 0.9)
        };
        let lines = paragraph::layout(&f.caption, &style, self.tools);
        self.collect_notes(&lines);
        let leading = d.leading;
        let caption_h = (d.caption_gap + lines.len() as f64) * leading;
        // The widest it may be: the measure (or its share), and no more than its pixels allow.
        let avail = place.measure * f.width.unwrap_or(1.0);
        let native = px_w / d.enlarge_dpi * PT_PER_IN;
        let widest = avail.min(native);
        let fit = |max_h: f64| {
            let (w, h) = (widest, widest * ratio);
            if h > max_h {
                (max_h / ratio, max_h)
            } else {
                (w, h)
            }
        };
        let in_text = (d.text_height * d.figure_max_height)
            .min(d.text_height - caption_h - d.figure_gap * leading);
        let (mut w, mut h) = fit(in_text.max(leading));
        let height_bound = h < widest * ratio - 0.01;
        let tiny = height_bound && w < d.plate_width * avail;
        let plate = f.placement == Placement::Page || (f.placement == Placement::Float && tiny);
        let mut pad = 0.0;
        if plate {
            (w, h) = fit((d.text_height - caption_h).max(leading));
        } else {
            // A whole number of lines: trim the picture by what is left over when that is
            // under half a line, else open the gap above the caption to the next line.
            let r = (h + caption_h) % leading;
            if r > 0.01 {
                if r <= leading / 2.0 && h - r > leading {
                    h -= r;
                    w = h / ratio;
                } else {
                    pad = leading - r;
                }
            }
        }
        let dpi = px_w / (w / PT_PER_IN);
        if dpi < d.min_dpi {
            self.tools.sink.warn(Remark::LowDpi {
                image: f.image,
                dpi,
                at: f.pos,
            });
        }
        let caption_top = h + d.caption_gap * leading + pad;
        let x = (place.indent + (place.measure - w) / 2.0) as f32;
        let cx = (place.indent + place.measure * 0.05) as f32;
        let height = caption_top + lines.len() as f64 * leading;
        let fig = FigureBox {
            image: f.image,
            x,
            w: w as f32,
            h: h as f32,
            caption: lines.into_iter().map(|l| (l, cx)).collect(),
            caption_top,
            leading,
            ascent: d.baseline(leading),
            point: point.map(|(entry, block)| FlowPoint {
                entry,
                block,
                offset: 0,
            }),
            anchors: vec![f.id.clone()],
            placement: f.placement,
            plate,
        };
        // The picture's node, then its caption's (drawn from the same box).
        let node = self.node(StructKind::Figure { alt: f.alt.clone() });
        self.open.push(node);
        self.node(StructKind::Caption);
        self.open.pop();
        self.tag(self.boxes.len(), BoxTag::Node(node));
        self.boxes.push(VBox {
            kind: VKind::Figure(Box::new(fig)),
            height,
            ascent: 0.0,
            break_before: true,
        });
    }
}
