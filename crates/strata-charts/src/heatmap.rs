//! Heatmaps: a grid of coloured cells such as an RFM grid or a retention triangle.

use std::fmt::Write as _;

use crate::format::{Format, format_label, format_value};
use crate::svg::{
    self, AXIS_SIZE, Anchor, LABEL_SIZE, MUTED, SOFT_INK, Style, n, plan_categories, text_fit,
    text_on, widest,
};
use crate::text::text_width;
use crate::{Lang, escape};

/// A grid of values shown as colours: sequential blues, or red–blue around zero when values
/// have both signs.
#[derive(Clone, Debug)]
pub struct Heatmap {
    pub title: String,
    /// Column labels, drawn under the grid.
    pub x_labels: Vec<String>,
    /// Row labels, drawn left of the grid, top row first.
    pub y_labels: Vec<String>,
    /// Row-major: `values[row][column]`. `None` (or a missing or non-finite value) is a blank
    /// cell, as in the empty half of a retention triangle.
    pub values: Vec<Vec<Option<f64>>>,
    pub format: Format,
    pub x_title: Option<String>,
    pub y_title: Option<String>,
    /// Writes each value in its cell when it fits.
    pub cell_text: bool,
    /// The values mapped to the ends of the colour scale; `None` uses the data's range.
    pub color_range: Option<(f64, f64)>,
    pub width: f64,
    /// Row height; `None` derives it from the column width.
    pub cell_height: Option<f64>,
    pub lang: Lang,
}

impl Default for Heatmap {
    fn default() -> Self {
        Heatmap {
            title: String::new(),
            x_labels: Vec::new(),
            y_labels: Vec::new(),
            values: Vec::new(),
            format: Format::Integer,
            x_title: None,
            y_title: None,
            cell_text: true,
            color_range: None,
            width: 880.0,
            cell_height: None,
            lang: Lang::Zh,
        }
    }
}

/// Maps values to colours.
struct ColorScale {
    lo: f64,
    hi: f64,
    diverging: bool,
}

impl ColorScale {
    fn color(&self, v: f64) -> String {
        if self.diverging {
            let m = self.lo.abs().max(self.hi.abs());
            svg::diverging(if m > 0.0 { v / m } else { 0.0 })
        } else if self.hi > self.lo {
            svg::sequential((v - self.lo) / (self.hi - self.lo))
        } else {
            svg::sequential(0.5)
        }
    }
}

impl Heatmap {
    fn cell(&self, row: usize, col: usize) -> Option<f64> {
        self.values
            .get(row)
            .and_then(|r| r.get(col))
            .copied()
            .flatten()
            .filter(|v| v.is_finite())
    }

    /// The chart as an `<svg>` element.
    pub fn to_svg(&self) -> String {
        let width = self.width.max(240.0);
        let (nx, ny) = (self.x_labels.len(), self.y_labels.len());
        let finite: Vec<f64> = (0..ny)
            .flat_map(|r| (0..nx).filter_map(move |c| self.cell(r, c)))
            .collect();
        if finite.is_empty() {
            return svg::placeholder(&self.title, width, 280.0, self.lang);
        }
        let (lo, hi) = match self.color_range {
            Some((a, b)) if a.is_finite() && b.is_finite() => (a.min(b), a.max(b)),
            _ => finite
                .iter()
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| {
                    (lo.min(v), hi.max(v))
                }),
        };
        let scale = ColorScale {
            lo,
            hi,
            diverging: lo < 0.0 && hi > 0.0,
        };

        let max_abs = lo.abs().max(hi.abs());
        let label = |v: f64| format_label(v, self.format, max_abs, self.lang);
        let mut body = String::new();
        let lo_text = label(lo);
        let hi_text = label(hi);
        let key_w =
            120.0 + text_width(&lo_text, AXIS_SIZE) + text_width(&hi_text, AXIS_SIZE) + 12.0;
        let top = svg::title(&mut body, &self.title, width - key_w - 16.0);
        self.color_key(&mut body, &scale, width, &lo_text, &hi_text);

        let y_title_w = if self.y_title.is_some() { 20.0 } else { 0.0 };
        let label_w = widest(&self.y_labels, LABEL_SIZE).min(width * 0.3);
        let left = y_title_w + label_w + 10.0;
        let cw = (width - left - 4.0) / nx as f64;
        let ch = self
            .cell_height
            .unwrap_or((cw * 0.55).clamp(24.0, 44.0))
            .max(8.0);
        let plan = plan_categories(&self.x_labels, cw, false);
        let grid_top = top + 6.0;
        let grid_bottom = grid_top + ch * ny as f64;
        let x_title_h = if self.x_title.is_some() { 20.0 } else { 0.0 };
        let height = grid_bottom + plan.height + x_title_h + 4.0;

        let size = if ch >= 34.0 && cw >= 60.0 {
            LABEL_SIZE
        } else {
            AXIS_SIZE
        };
        let gap = if cw > 8.0 && ch > 8.0 { 1.0 } else { 0.0 };
        for r in 0..ny {
            for c in 0..nx {
                let (x, y) = (left + c as f64 * cw, grid_top + r as f64 * ch);
                let geometry = format!(
                    r#"x="{}" y="{}" width="{}" height="{}""#,
                    n(x + gap),
                    n(y + gap),
                    n(cw - 2.0 * gap),
                    n(ch - 2.0 * gap)
                );
                let Some(v) = self.cell(r, c) else {
                    let _ = write!(body, r#"<rect class="cell empty" {geometry} fill="none"/>"#);
                    continue;
                };
                let fill = scale.color(v);
                let _ = write!(
                    body,
                    r#"<rect class="cell" {geometry} rx="2" fill="{fill}"><title>{} · {}: {}</title></rect>"#,
                    escape(&self.y_labels[r]),
                    escape(&self.x_labels[c]),
                    escape(&format_value(v, self.format))
                );
                let value = label(v);
                if self.cell_text && text_width(&value, size) <= cw - 6.0 && ch >= size + 4.0 {
                    let _ = write!(
                        body,
                        r#"<text x="{}" y="{}" font-size="{}" fill="{}" text-anchor="middle" pointer-events="none">{}</text>"#,
                        n(x + cw / 2.0),
                        n(y + ch / 2.0 + size * 0.36),
                        n(size),
                        text_on(&fill),
                        escape(&value)
                    );
                }
            }
        }
        let label_size = if ch < 18.0 { AXIS_SIZE } else { LABEL_SIZE };
        for (r, label) in self.y_labels.iter().enumerate() {
            text_fit(
                &mut body,
                left - 8.0,
                grid_top + (r as f64 + 0.5) * ch + label_size * 0.36,
                Style::new(label_size, Anchor::End, SOFT_INK),
                label,
                label_w,
            );
        }
        svg::categories(
            &mut body,
            &plan,
            &self.x_labels,
            |c| left + (c as f64 + 0.5) * cw,
            grid_bottom,
        );
        if let Some(t) = &self.y_title {
            svg::vertical_title(
                &mut body,
                10.0,
                (grid_top + grid_bottom) / 2.0,
                t,
                grid_bottom - grid_top,
            );
        }
        if let Some(t) = &self.x_title {
            text_fit(
                &mut body,
                left + cw * nx as f64 / 2.0,
                height - 6.0,
                Style::new(LABEL_SIZE, Anchor::Middle, MUTED),
                t,
                width - left,
            );
        }
        svg::document(width, height, &self.title, &body)
    }

    /// A stepped colour strip with the low and high values, at the top right.
    fn color_key(&self, out: &mut String, scale: &ColorScale, width: f64, lo: &str, hi: &str) {
        const STEPS: usize = 12;
        const STEP_W: f64 = 10.0;
        let hi_w = text_width(hi, AXIS_SIZE);
        let strip_x = width - hi_w - 6.0 - STEPS as f64 * STEP_W;
        let y = 8.0;
        out.push_str(r#"<g class="key">"#);
        text(out, strip_x - 6.0, y + 9.0, Anchor::End, lo);
        for i in 0..STEPS {
            let t = i as f64 / (STEPS - 1) as f64;
            let v = scale.lo + t * (scale.hi - scale.lo);
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="10" fill="{}"/>"#,
                n(strip_x + i as f64 * STEP_W),
                n(y),
                n(STEP_W + 0.3),
                scale.color(v)
            );
        }
        text(out, width - hi_w, y + 9.0, Anchor::Start, hi);
        out.push_str("</g>");

        fn text(out: &mut String, x: f64, y: f64, anchor: Anchor, s: &str) {
            svg::text(out, x, y, Style::new(AXIS_SIZE, anchor, MUTED), s);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml_check::{assert_well_formed, count};

    fn rfm() -> Heatmap {
        Heatmap {
            title: "RFM 分布".into(),
            x_labels: (1..=5).map(|f| format!("F{f}")).collect(),
            y_labels: (1..=5).map(|r| format!("R{r}")).collect(),
            values: (0..5)
                .map(|r| (0..5).map(|f| Some(f64::from(r * 5 + f) * 37.0)).collect())
                .collect(),
            ..Heatmap::default()
        }
    }

    #[test]
    fn one_cell_per_row_and_column() {
        let svg = rfm().to_svg();
        assert_well_formed(&svg);
        assert_eq!(count(&svg, r#"<rect class="cell"#), 25);
        assert!(svg.contains("<title>R2 · F3: 259</title>"));
    }

    #[test]
    fn retention_triangle_leaves_missing_cells_blank() {
        let n = 6;
        let h = Heatmap {
            x_labels: (0..n).map(|m| format!("M{m}")).collect(),
            y_labels: (0..n).map(|c| format!("2025-{:02}", c + 1)).collect(),
            values: (0..n)
                .map(|c| {
                    (0..n - c)
                        .map(|m| Some(0.9f64.powi(m as i32 * 3)))
                        .collect()
                })
                .collect(),
            format: Format::Percent(0),
            ..Heatmap::default()
        };
        let svg = h.to_svg();
        assert_well_formed(&svg);
        assert_eq!(count(&svg, r#"<rect class="cell"#), n * n);
        assert_eq!(count(&svg, r#"class="cell empty""#), n * (n - 1) / 2);
        assert!(svg.contains(">100%<"));
    }

    #[test]
    fn text_colour_contrasts_with_the_cell() {
        let svg = rfm().to_svg();
        // The darkest cell (largest value) has white text, the lightest dark text.
        assert!(
            svg.contains(r##"fill="#ffffff" text-anchor="middle" pointer-events="none">888<"##)
        );
        assert!(svg.contains(r##"fill="#1f2937" text-anchor="middle" pointer-events="none">0<"##));
    }

    #[test]
    fn edge_cases() {
        assert!(Heatmap::default().to_svg().contains("无数据"));
        let all_none = Heatmap {
            x_labels: vec!["a".into()],
            y_labels: vec!["b".into()],
            values: vec![vec![None]],
            ..Heatmap::default()
        };
        assert!(all_none.to_svg().contains("无数据"));
        let mixed = Heatmap {
            x_labels: (0..40).map(|i| format!("第{i}周")).collect(),
            y_labels: vec!["<b>".into(), "y".into()],
            values: vec![vec![Some(-3.0), Some(f64::NAN)], vec![Some(5.0)]],
            ..Heatmap::default()
        };
        let svg = mixed.to_svg();
        assert_well_formed(&svg);
        assert_eq!(count(&svg, r#"<rect class="cell"#), 80);
        assert!(!svg.contains("<b>"));
    }
}
