//! Figures: a picture and its caption.

use super::{FlowBuilder, VBox, VKind};
use crate::display::LineRole;
use crate::fonts::Style;
use crate::typeset::paragraph::{self, Align, ParaStyle};
use crate::typeset::remarks::Remark;
use crate::units::PT_PER_IN;

impl FlowBuilder<'_, '_> {
    /// A figure: the picture scaled to the measure (and to the text block's height), its
    /// caption under it.
    pub(super) fn figure(
        &mut self,
        f: &crate::model::Figure,
        indent: f64,
        measure: f64,
        point: Option<(usize, u32)>,
    ) {
        let info = &self.book.images[f.image as usize];
        let ratio = f64::from(info.height) / f64::from(info.width);
        let mut w = measure;
        let mut h = w * ratio;
        let max_h = self.design.text_height * self.design.figure_max_height;
        if h > max_h {
            h = max_h;
            w = h / ratio;
        }
        let dpi = f64::from(info.width) / (w / PT_PER_IN);
        if dpi < self.design.min_dpi {
            self.tools.sink.warn(Remark::LowDpi {
                image: f.image,
                dpi,
                at: f.pos,
            });
        }
        self.space(0.5, 0.5);
        let x = indent + (measure - w) / 2.0;
        self.boxes.push(VBox {
            kind: VKind::Picture {
                image: f.image,
                x: x as f32,
                w: w as f32,
                h: h as f32,
            },
            height: h + self.design.leading * 0.4,
            ascent: 0.0,
            break_before: true,
        });
        let style = ParaStyle {
            size: self.design.size * self.design.caption_scale,
            align: Align::Center,
            base: Style::Italic,
            hyphenate: false,
            ..self.body_style(measure * 0.9)
        };
        let lines = paragraph::layout(&f.caption, &style, self.tools);
        self.collect_notes(&lines);
        let first = self.boxes.len();
        self.push_lines(
            lines,
            LineRole::Caption,
            (indent + measure * 0.05) as f32,
            self.design.leading,
            point,
            Vec::new(),
            true,
            false,
        );
        if let Some(b) = self.boxes.get_mut(first) {
            b.break_before = false;
        }
        self.space(0.5, 0.5);
        self.no_indent = true;
    }
}
