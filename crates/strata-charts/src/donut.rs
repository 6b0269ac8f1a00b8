//! Donut charts: shares of a whole, with a legend of values and percentages.

use std::f64::consts::{PI, TAU};
use std::fmt::Write as _;

use crate::format::{Format, format_label, format_value};
use crate::svg::{
    self, Anchor, INK, LABEL_SIZE, MUTED, SOFT_INK, Style, n, series_color, text_fit, text_on,
};
use crate::text::text_width;
use crate::{Lang, escape};

/// Shares of a whole as a ring, largest first as given, with a legend.
#[derive(Clone, Debug)]
pub struct Donut {
    pub title: String,
    /// Names and values; zero, negative and non-finite values are left out.
    pub slices: Vec<(String, f64)>,
    pub format: Format,
    /// Slices beyond this many are merged into one "其他"/"Other" slice.
    pub max_slices: usize,
    pub width: f64,
    pub lang: Lang,
}

impl Default for Donut {
    fn default() -> Self {
        Donut {
            title: String::new(),
            slices: Vec::new(),
            format: Format::Integer,
            max_slices: 8,
            width: 640.0,
            lang: Lang::Zh,
        }
    }
}

fn polar(cx: f64, cy: f64, r: f64, angle: f64) -> (f64, f64) {
    (cx + r * angle.sin(), cy - r * angle.cos())
}

/// The ring segment from `a0` to `a1` (radians clockwise from twelve o'clock).
fn segment(cx: f64, cy: f64, r: f64, inner: f64, a0: f64, a1: f64) -> String {
    let p = |r, a| {
        let (x, y) = polar(cx, cy, r, a);
        format!("{},{}", n(x), n(y))
    };
    if a1 - a0 >= TAU - 1e-6 {
        // One slice is the whole ring: two half arcs per circle, the hole cut out by even-odd.
        return format!(
            "M{} A{r},{r} 0 1 1 {} A{r},{r} 0 1 1 {} Z M{} A{ri},{ri} 0 1 0 {} A{ri},{ri} 0 1 0 {} Z",
            p(r, 0.0),
            p(r, PI),
            p(r, 0.0),
            p(inner, 0.0),
            p(inner, PI),
            p(inner, 0.0),
            r = n(r),
            ri = n(inner)
        );
    }
    let large = if a1 - a0 > PI { 1 } else { 0 };
    format!(
        "M{} A{r},{r} 0 {large} 1 {} L{} A{ri},{ri} 0 {large} 0 {} Z",
        p(r, a0),
        p(r, a1),
        p(inner, a1),
        p(inner, a0),
        r = n(r),
        ri = n(inner)
    )
}

impl Donut {
    /// Slices kept for drawing: valid values, the tail merged into "other".
    fn slices(&self) -> Vec<(String, f64)> {
        let mut kept: Vec<(String, f64)> = self
            .slices
            .iter()
            .filter(|(_, v)| v.is_finite() && *v > 0.0)
            .cloned()
            .collect();
        let max = self.max_slices.max(2);
        if kept.len() > max {
            let rest: f64 = kept[max - 1..].iter().map(|(_, v)| v).sum();
            kept.truncate(max - 1);
            kept.push((self.lang.other().to_string(), rest));
        }
        kept
    }

    /// The chart as an `<svg>` element.
    pub fn to_svg(&self) -> String {
        let width = self.width.max(300.0);
        let slices = self.slices();
        let total: f64 = slices.iter().map(|(_, v)| v).sum();
        if slices.is_empty() || !total.is_finite() {
            return svg::placeholder(&self.title, width, 260.0, self.lang);
        }
        let mut body = String::new();
        let top = svg::title(&mut body, &self.title, width);
        const ROW: f64 = 26.0;
        let r: f64 = 104.0;
        let inner = r * 0.6;
        let ring_h = 2.0 * r + 16.0;
        let rows_h = slices.len() as f64 * ROW;
        let height = top + ring_h.max(rows_h + 12.0) + 4.0;
        let (cx, cy) = (r + 8.0, top + ring_h.max(rows_h + 12.0) / 2.0);

        let mut angle = 0.0;
        for (i, (name, v)) in slices.iter().enumerate() {
            let share = v / total;
            let a1 = angle + share * TAU;
            let color = series_color(i);
            let _ = write!(
                body,
                r##"<path class="slice" d="{}" fill="{color}" stroke="#fff" stroke-width="2" stroke-linejoin="round"><title>{}: {} ({})</title></path>"##,
                segment(cx, cy, r, inner, angle, a1),
                escape(name),
                escape(&format_value(*v, self.format)),
                format_value(share, Format::Percent(1))
            );
            if share >= 0.06 {
                let (lx, ly) = polar(cx, cy, (r + inner) / 2.0, (angle + a1) / 2.0);
                let _ = write!(
                    body,
                    r#"<text x="{}" y="{}" font-size="11" font-weight="600" fill="{}" text-anchor="middle" pointer-events="none">{}</text>"#,
                    n(lx),
                    n(ly + 4.0),
                    text_on(color),
                    format_value(share, Format::Percent(0))
                );
            }
            angle = a1;
        }

        // The total in the hole, shrunk to fit.
        let max_abs = total;
        let label = |v: f64| format_label(v, self.format, max_abs, self.lang);
        let total_text = label(total);
        let size = (2.0 * inner - 16.0) / (text_width(&total_text, 1.0).max(1.0));
        let size = size.clamp(11.0, 22.0);
        svg::text(
            &mut body,
            cx,
            cy + size * 0.2,
            Style::new(size, Anchor::Middle, INK).bold(),
            &total_text,
        );
        svg::text(
            &mut body,
            cx,
            cy + size * 0.2 + 18.0,
            Style::new(LABEL_SIZE, Anchor::Middle, MUTED),
            self.lang.total(),
        );

        // Legend rows: swatch, name, value and share in aligned columns.
        let lx = cx + r + 36.0;
        let pct_w = text_width("100.0%", LABEL_SIZE);
        let value_w = slices
            .iter()
            .map(|(_, v)| text_width(&label(*v), LABEL_SIZE))
            .fold(0.0, f64::max);
        let name_w = (width - lx - 18.0 - value_w - pct_w - 28.0).max(40.0);
        let ly0 = cy - rows_h / 2.0;
        for (i, (name, v)) in slices.iter().enumerate() {
            let y = ly0 + i as f64 * ROW;
            let _ = write!(
                body,
                r#"<rect x="{}" y="{}" width="12" height="12" rx="2" fill="{}"/>"#,
                n(lx),
                n(y + 6.0),
                series_color(i)
            );
            let base = y + 16.5;
            let style = Style::new(LABEL_SIZE, Anchor::Start, SOFT_INK);
            text_fit(&mut body, lx + 20.0, base, style, name, name_w);
            let end = Style::new(LABEL_SIZE, Anchor::End, SOFT_INK);
            svg::text(&mut body, width - pct_w - 18.0, base, end, &label(*v));
            svg::text(
                &mut body,
                width - 4.0,
                base,
                Style { fill: MUTED, ..end },
                &format_value(v / total, Format::Percent(1)),
            );
        }
        svg::document(width, height, &self.title, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml_check::{assert_well_formed, count};

    #[test]
    fn slices_legend_and_percentages() {
        let d = Donut {
            title: "客户分群占比".into(),
            slices: vec![
                ("重要价值客户".into(), 1200.0),
                ("重要发展客户".into(), 800.0),
                ("一般客户".into(), 0.0),
                ("流失客户".into(), f64::NAN),
            ],
            ..Donut::default()
        };
        let svg = d.to_svg();
        assert_well_formed(&svg);
        assert_eq!(count(&svg, r#"class="slice""#), 2);
        assert!(svg.contains(">60.0%<") && svg.contains(">40.0%<"));
        assert!(svg.contains(">2,000<"), "total in the hole");
    }

    #[test]
    fn the_tail_is_merged_and_a_single_slice_is_a_full_ring() {
        let d = Donut {
            slices: (0..12)
                .map(|i| (format!("s{i}"), 12.0 - f64::from(i)))
                .collect(),
            lang: Lang::En,
            ..Donut::default()
        };
        let svg = d.to_svg();
        assert_well_formed(&svg);
        assert_eq!(count(&svg, r#"class="slice""#), 8);
        assert!(svg.contains(">Other<"));

        let one = Donut {
            slices: vec![("all".into(), 5.0)],
            ..Donut::default()
        }
        .to_svg();
        assert_well_formed(&one);
        assert!(one.contains(">100.0%<"));
        assert!(!one.contains("NaN"));
        assert!(Donut::default().to_svg().contains("无数据"));
    }
}
