//! Shared SVG pieces: the document wrapper, text, legends, axes, colours and the placeholder.

use std::fmt::Write as _;

use crate::format::{Format, format_tick};
use crate::scale::{Linear, Ticks};
use crate::text::{text_width, truncate};
use crate::{Lang, escape};

/// Fonts for Latin and Chinese text on every platform, then the generic family. Nothing is
/// downloaded: a reader without one font falls through to the next.
pub(crate) const FONT_STACK: &str = "-apple-system, BlinkMacSystemFont, 'Segoe UI', \
     'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei', 'Noto Sans CJK SC', 'Noto Sans SC', \
     'Source Han Sans SC', 'WenQuanYi Micro Hei', Roboto, 'Helvetica Neue', Arial, sans-serif";

/// Tableau 10: a calm categorical palette that stays distinguishable for most colour-blind
/// readers. Series take the colours in order.
pub const PALETTE: [&str; 10] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac",
];

pub(crate) const INK: &str = "#1f2937";
pub(crate) const SOFT_INK: &str = "#374151";
pub(crate) const MUTED: &str = "#6b7280";
pub(crate) const GRID: &str = "#e5e7eb";
pub(crate) const BASELINE: &str = "#9ca3af";

pub(crate) const TITLE_SIZE: f64 = 15.0;
pub(crate) const AXIS_SIZE: f64 = 11.0;
pub(crate) const LABEL_SIZE: f64 = 12.0;

pub(crate) fn series_color(i: usize) -> &'static str {
    PALETTE[i % PALETTE.len()]
}

/// A coordinate with at most one decimal, so the markup stays short.
pub(crate) fn n(v: f64) -> String {
    if !v.is_finite() {
        return "0".to_string();
    }
    let r = (v * 10.0).round() / 10.0;
    if r.fract() == 0.0 {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

/// The `<svg>` element around `body`: it scales down with its container (never up, so text
/// keeps its size on wide screens) and is named for screen readers. `--w` lets the report's
/// stylesheet stop a chart shrinking past legibility on phones (it scrolls instead).
pub(crate) fn document(width: f64, height: f64, label: &str, body: &str) -> String {
    let (w, h) = (n(width), n(height));
    format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {w} {h}" width="100%" style="max-width:{w}px;--w:{w}px;height:auto;display:block" font-family="{FONT_STACK}" role="img" aria-label="{label}">{body}</svg>"#,
        label = escape(label),
    )
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Anchor {
    Start,
    Middle,
    End,
}

/// The look of one piece of text.
#[derive(Clone, Copy)]
pub(crate) struct Style {
    pub size: f64,
    pub anchor: Anchor,
    pub fill: &'static str,
    pub bold: bool,
}

impl Style {
    pub fn new(size: f64, anchor: Anchor, fill: &'static str) -> Self {
        Style {
            size,
            anchor,
            fill,
            bold: false,
        }
    }

    pub fn bold(mut self) -> Self {
        self.bold = true;
        self
    }

    fn attrs(&self) -> String {
        let mut a = format!(r#" font-size="{}" fill="{}""#, n(self.size), self.fill);
        match self.anchor {
            Anchor::Start => {}
            Anchor::Middle => a.push_str(r#" text-anchor="middle""#),
            Anchor::End => a.push_str(r#" text-anchor="end""#),
        }
        if self.bold {
            a.push_str(r#" font-weight="600""#);
        }
        a
    }
}

/// Text with its baseline at `y`.
pub(crate) fn text(out: &mut String, x: f64, y: f64, style: Style, s: &str) {
    let _ = write!(
        out,
        r#"<text x="{}" y="{}"{}>{}</text>"#,
        n(x),
        n(y),
        style.attrs(),
        escape(s)
    );
}

/// Text cut to `max_w` pixels; a cut label keeps its full text as a tooltip.
pub(crate) fn text_fit(out: &mut String, x: f64, y: f64, style: Style, s: &str, max_w: f64) {
    match truncate(s, max_w, style.size) {
        None => text(out, x, y, style, s),
        Some(cut) => {
            let _ = write!(out, "<g><title>{}</title>", escape(s));
            text(out, x, y, style, &cut);
            out.push_str("</g>");
        }
    }
}

/// Text turned by `angle` degrees around its anchor point `(x, y)`, vertically centred on it,
/// cut to `max_w` pixels.
pub(crate) fn text_rotated(
    out: &mut String,
    x: f64,
    y: f64,
    angle: f64,
    style: Style,
    s: &str,
    max_w: f64,
) {
    let cut = truncate(s, max_w, style.size);
    if cut.is_some() {
        let _ = write!(out, "<g><title>{}</title>", escape(s));
    }
    let _ = write!(
        out,
        r#"<text transform="translate({},{}) rotate({})" dy="0.35em"{}>{}</text>"#,
        n(x),
        n(y),
        n(angle),
        style.attrs(),
        escape(cut.as_deref().unwrap_or(s))
    );
    if cut.is_some() {
        out.push_str("</g>");
    }
}

pub(crate) fn line(out: &mut String, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str) {
    let _ = write!(
        out,
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{stroke}" stroke-width="1" shape-rendering="crispEdges"/>"#,
        n(x1),
        n(y1),
        n(x2),
        n(y2)
    );
}

pub(crate) fn dashed(out: &mut String, x1: f64, y1: f64, x2: f64, y2: f64, stroke: &str) {
    let _ = write!(
        out,
        r#"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{stroke}" stroke-width="1.2" stroke-dasharray="4 3"/>"#,
        n(x1),
        n(y1),
        n(x2),
        n(y2)
    );
}

/// The chart title at the top left; returns the y where the content below it starts.
pub(crate) fn title(out: &mut String, title: &str, max_w: f64) -> f64 {
    if title.trim().is_empty() {
        return 10.0;
    }
    text_fit(
        out,
        0.0,
        17.0,
        Style::new(TITLE_SIZE, Anchor::Start, INK).bold(),
        title,
        max_w,
    );
    34.0
}

/// One legend entry: a colour swatch (or a dashed line) and a name.
pub(crate) struct LegendItem<'a> {
    pub label: &'a str,
    pub color: &'a str,
    pub dashed: bool,
}

/// A legend flowing left to right from `(x, y)`, wrapping at `max_w`; returns its height.
pub(crate) fn legend(out: &mut String, items: &[LegendItem], x: f64, y: f64, max_w: f64) -> f64 {
    if items.is_empty() {
        return 0.0;
    }
    const ROW: f64 = 20.0;
    let (mut cx, mut cy) = (x, y);
    for item in items {
        let label_w = text_width(item.label, LABEL_SIZE).min(180.0);
        let item_w = 16.0 + label_w + 18.0;
        if cx > x && cx + item_w > x + max_w {
            cx = x;
            cy += ROW;
        }
        if item.dashed {
            dashed(out, cx, cy + 7.0, cx + 12.0, cy + 7.0, item.color);
        } else {
            let _ = write!(
                out,
                r#"<rect x="{}" y="{}" width="11" height="11" rx="2" fill="{}"/>"#,
                n(cx),
                n(cy + 1.5),
                item.color
            );
        }
        text_fit(
            out,
            cx + 16.0,
            cy + 11.0,
            Style::new(LABEL_SIZE, Anchor::Start, SOFT_INK),
            item.label,
            180.0,
        );
        cx += item_w;
    }
    cy + ROW - y + 4.0
}

/// The "no data" picture: the title and a dashed frame with the placeholder text.
pub(crate) fn placeholder(chart_title: &str, width: f64, height: f64, lang: Lang) -> String {
    let mut body = String::new();
    let top = title(&mut body, chart_title, width);
    let h = (height - top - 8.0).max(40.0);
    let _ = write!(
        body,
        r##"<rect class="no-data" x="1" y="{}" width="{}" height="{}" rx="8" fill="#f9fafb" stroke="#d1d5db" stroke-dasharray="5 4"/>"##,
        n(top),
        n(width - 2.0),
        n(h)
    );
    text(
        &mut body,
        width / 2.0,
        top + h / 2.0 + 5.0,
        Style::new(14.0, Anchor::Middle, MUTED),
        lang.no_data(),
    );
    document(width, top + h + 8.0, chart_title, &body)
}

/// Formatted tick labels for a value axis.
pub(crate) fn tick_labels(ticks: &Ticks, format: Format, lang: Lang) -> Vec<String> {
    let max_abs = ticks.max_abs();
    ticks
        .values
        .iter()
        .map(|&t| format_tick(t, ticks.step, max_abs, format, lang))
        .collect()
}

pub(crate) fn widest(labels: &[String], size: f64) -> f64 {
    labels
        .iter()
        .map(|l| text_width(l, size))
        .fold(0.0, f64::max)
}

/// Horizontal gridlines with their labels left of `x0`, for a vertical value axis.
pub(crate) fn y_grid(
    out: &mut String,
    ticks: &Ticks,
    labels: &[String],
    y: Linear,
    x0: f64,
    x1: f64,
) {
    for (t, label) in ticks.values.iter().zip(labels) {
        let py = y.map(*t);
        line(out, x0, py, x1, py, GRID);
        text(
            out,
            x0 - 6.0,
            py + 4.0,
            Style::new(AXIS_SIZE, Anchor::End, MUTED),
            label,
        );
    }
}

/// Vertical gridlines with their labels below `y1`, for a horizontal value axis.
pub(crate) fn x_grid(
    out: &mut String,
    ticks: &Ticks,
    labels: &[String],
    x: Linear,
    y0: f64,
    y1: f64,
) {
    for (t, label) in ticks.values.iter().zip(labels) {
        let px = x.map(*t);
        line(out, px, y0, px, y1, GRID);
        text(
            out,
            px,
            y1 + 15.0,
            Style::new(AXIS_SIZE, Anchor::Middle, MUTED),
            label,
        );
    }
}

/// An axis title turned to read bottom to top, centred on `y`.
pub(crate) fn vertical_title(out: &mut String, x: f64, y: f64, s: &str, max_w: f64) {
    text_rotated(
        out,
        x,
        y,
        -90.0,
        Style::new(LABEL_SIZE, Anchor::Middle, MUTED),
        s,
        max_w,
    );
}

/// How category labels fit under a category axis.
pub(crate) struct CategoryAxis {
    /// Labels are turned 45° when they do not fit side by side.
    pub rotate: bool,
    /// Only every `every`-th label is drawn when even that is too crowded.
    pub every: usize,
    /// Labels are cut to this width.
    pub max_w: f64,
    /// The height the labels need below the axis.
    pub height: f64,
    /// How far a turned label reaches left of its category centre.
    pub reach_left: f64,
}

const ROTATED_MAX_W: f64 = 110.0;
const SIN45: f64 = std::f64::consts::FRAC_1_SQRT_2;

/// Chooses how to draw `labels` at a spacing of `pitch` pixels: side by side if they fit,
/// otherwise every k-th label side by side (`prefer_skip`, for time axes) or turned 45°.
pub(crate) fn plan_categories(labels: &[String], pitch: f64, prefer_skip: bool) -> CategoryAxis {
    let size = AXIS_SIZE;
    let wide = widest(labels, size);
    if wide <= pitch - 4.0 {
        return CategoryAxis {
            rotate: false,
            every: 1,
            max_w: pitch - 4.0,
            height: size + 10.0,
            reach_left: 0.0,
        };
    }
    if prefer_skip {
        let max_w = wide.min(120.0);
        let every = ((max_w + 12.0) / pitch.max(0.1)).ceil().max(1.0) as usize;
        return CategoryAxis {
            rotate: false,
            every,
            max_w,
            height: size + 10.0,
            reach_left: 0.0,
        };
    }
    let max_w = wide.min(ROTATED_MAX_W);
    let every = ((size * 1.25) / (pitch.max(0.1) * SIN45)).ceil().max(1.0) as usize;
    CategoryAxis {
        rotate: true,
        every,
        max_w,
        height: (max_w + size) * SIN45 + 10.0,
        reach_left: max_w * SIN45,
    }
}

/// Draws category labels planned by [`plan_categories`] under the axis at `y`.
pub(crate) fn categories(
    out: &mut String,
    plan: &CategoryAxis,
    labels: &[String],
    centre: impl Fn(usize) -> f64,
    y: f64,
) {
    let style = Style::new(AXIS_SIZE, Anchor::Middle, MUTED);
    for (i, label) in labels.iter().enumerate() {
        if i % plan.every != 0 {
            continue;
        }
        let x = centre(i);
        if plan.rotate {
            let style = Style {
                anchor: Anchor::End,
                ..style
            };
            text_rotated(out, x, y + 8.0, -45.0, style, label, plan.max_w);
        } else {
            text_fit(out, x, y + AXIS_SIZE + 5.0, style, label, plan.max_w);
        }
    }
}

fn rgb(hex: &str) -> [f64; 3] {
    let h = hex.trim_start_matches('#');
    let part = |i: usize| {
        h.get(i..i + 2)
            .and_then(|p| u8::from_str_radix(p, 16).ok())
            .map_or(0.0, f64::from)
    };
    [part(0), part(2), part(4)]
}

fn to_hex(c: [f64; 3]) -> String {
    let b = |v: f64| v.round().clamp(0.0, 255.0) as u8;
    format!("#{:02x}{:02x}{:02x}", b(c[0]), b(c[1]), b(c[2]))
}

/// The colour at `t` (0..=1) along evenly spaced `stops`.
fn ramp(stops: &[&str], t: f64) -> String {
    let t = if t.is_finite() {
        t.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let pos = t * (stops.len() - 1) as f64;
    let i = (pos.floor() as usize).min(stops.len() - 2);
    let f = pos - i as f64;
    let (a, b) = (rgb(stops[i]), rgb(stops[i + 1]));
    to_hex([
        a[0] + (b[0] - a[0]) * f,
        a[1] + (b[1] - a[1]) * f,
        a[2] + (b[2] - a[2]) * f,
    ])
}

/// Sequential blues (ColorBrewer "Blues", its near-white end left out so that the smallest
/// value still reads as a filled cell).
pub(crate) fn sequential(t: f64) -> String {
    const BLUES: [&str; 8] = [
        "#e3eef9", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#08519c", "#08306b",
    ];
    ramp(&BLUES, t)
}

/// Diverging red–grey–blue (ColorBrewer "RdBu") for `t` in -1..=1, negative red.
pub(crate) fn diverging(t: f64) -> String {
    const RDBU: [&str; 9] = [
        "#b2182b", "#d6604d", "#f4a582", "#fddbc7", "#f2f2f2", "#d1e5f0", "#92c5de", "#4393c3",
        "#2166ac",
    ];
    ramp(&RDBU, (t + 1.0) / 2.0)
}

fn luminance(hex: &str) -> f64 {
    let lin = |c: f64| {
        let c = c / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let [r, g, b] = rgb(hex);
    0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b)
}

/// Dark or white text, whichever contrasts more with a `fill` background (WCAG contrast).
pub(crate) fn text_on(fill: &str) -> &'static str {
    let l = luminance(fill);
    let dark = (l + 0.05) / (luminance(INK) + 0.05);
    let light = 1.05 / (l + 0.05);
    if dark >= light { INK } else { "#ffffff" }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn coordinates_are_short() {
        assert_eq!(n(12.0), "12");
        assert_eq!(n(12.345), "12.3");
        assert_eq!(n(-0.01), "0");
        assert_eq!(n(f64::NAN), "0");
    }

    #[test]
    fn text_colour_follows_background_luminance() {
        assert_eq!(text_on("#08306b"), "#ffffff");
        assert_eq!(text_on("#e3eef9"), INK);
        assert_eq!(text_on("#edc948"), INK);
        assert_eq!(text_on(&sequential(1.0)), "#ffffff");
        assert_eq!(text_on(&sequential(0.0)), INK);
    }

    #[test]
    fn ramps_hit_their_ends() {
        assert_eq!(sequential(0.0), "#e3eef9");
        assert_eq!(sequential(1.0), "#08306b");
        assert_eq!(diverging(-1.0), "#b2182b");
        assert_eq!(diverging(1.0), "#2166ac");
        assert_eq!(sequential(f64::NAN), "#e3eef9");
    }
}
