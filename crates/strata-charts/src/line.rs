//! Line charts over categories (months, weeks) and over a numeric x axis (Lorenz, ROC and
//! calibration curves).

use std::fmt::Write as _;

use crate::format::{Format, format_value};
use crate::scale::{Linear, Ticks, nice_ticks, nice_ticks_min_step};
use crate::svg::{
    self, AXIS_SIZE, Anchor, BASELINE, INK, LABEL_SIZE, LegendItem, MUTED, Style, n,
    plan_categories, series_color, text_fit, tick_labels, widest,
};
use crate::text::text_width;
use crate::{Lang, Series, escape};

/// Lines over evenly spaced categories such as months.
#[derive(Clone, Debug)]
pub struct LineChart {
    pub title: String,
    pub x_labels: Vec<String>,
    /// One value per x label each; a non-finite value breaks the line.
    pub series: Vec<Series>,
    pub format: Format,
    /// The value axis starts at zero (or below, for negative values).
    pub y_min_zero: bool,
    pub x_label: Option<String>,
    pub y_label: Option<String>,
    /// A dot on every point; without them the points still have hover tooltips.
    pub markers: bool,
    pub width: f64,
    pub height: f64,
    pub lang: Lang,
}

impl Default for LineChart {
    fn default() -> Self {
        LineChart {
            title: String::new(),
            x_labels: Vec::new(),
            series: Vec::new(),
            format: Format::Integer,
            y_min_zero: true,
            x_label: None,
            y_label: None,
            markers: true,
            width: 880.0,
            height: 340.0,
            lang: Lang::Zh,
        }
    }
}

/// A named curve of `(x, y)` points, drawn in the given order.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct XYSeries {
    pub name: String,
    pub points: Vec<(f64, f64)>,
}

impl XYSeries {
    pub fn new(name: impl Into<String>, points: Vec<(f64, f64)>) -> Self {
        XYSeries {
            name: name.into(),
            points,
        }
    }
}

/// A marked point with a note, such as "前 20% 客户 → 68.9% 收入".
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Annotation {
    pub x: f64,
    pub y: f64,
    pub text: String,
}

impl Annotation {
    pub fn new(x: f64, y: f64, text: impl Into<String>) -> Self {
        Annotation {
            x,
            y,
            text: text.into(),
        }
    }
}

/// Curves over a numeric x axis: Lorenz (concentration) curves, ROC curves, calibration plots.
#[derive(Clone, Debug)]
pub struct XYChart {
    pub title: String,
    pub series: Vec<XYSeries>,
    pub x_format: Format,
    pub y_format: Format,
    pub x_label: Option<String>,
    pub y_label: Option<String>,
    /// Fixed axis ranges, such as `(0.0, 1.0)` for shares; `None` fits the data.
    pub x_range: Option<(f64, f64)>,
    pub y_range: Option<(f64, f64)>,
    /// Draws the reference line y = x, named in the legend by this text (none if empty):
    /// equality for a Lorenz curve, chance for ROC, perfect calibration.
    pub diagonal: Option<String>,
    /// Shades the area under the first series, or between it and the diagonal if one is drawn.
    pub area: bool,
    pub markers: bool,
    pub annotations: Vec<Annotation>,
    pub width: f64,
    pub height: f64,
    pub lang: Lang,
}

impl Default for XYChart {
    fn default() -> Self {
        XYChart {
            title: String::new(),
            series: Vec::new(),
            x_format: Format::Decimal(1),
            y_format: Format::Decimal(1),
            x_label: None,
            y_label: None,
            x_range: None,
            y_range: None,
            diagonal: None,
            area: false,
            markers: false,
            annotations: Vec::new(),
            width: 640.0,
            height: 440.0,
            lang: Lang::Zh,
        }
    }
}

/// Splits points into runs of finite ones, so a gap in the data is a gap in the line.
fn runs(points: &[(f64, f64)]) -> Vec<Vec<(f64, f64)>> {
    let mut runs = vec![Vec::new()];
    for &(x, y) in points {
        if x.is_finite() && y.is_finite() {
            runs.last_mut().expect("never empty").push((x, y));
        } else if !runs.last().expect("never empty").is_empty() {
            runs.push(Vec::new());
        }
    }
    runs.retain(|r| !r.is_empty());
    runs
}

fn path(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        let _ = write!(d, "{}{},{}", if i == 0 { "M" } else { "L" }, n(*x), n(*y));
    }
    d
}

fn polyline(out: &mut String, points: &[(f64, f64)], color: &str) {
    let _ = write!(
        out,
        r#"<path class="line" d="{}" fill="none" stroke="{color}" stroke-width="2.2" stroke-linejoin="round" stroke-linecap="round"/>"#,
        path(points)
    );
}

/// A point with a tooltip: a visible dot, or an invisible larger hover target.
fn point(out: &mut String, x: f64, y: f64, color: &str, visible: bool, tip: &str) {
    if visible {
        let _ = write!(
            out,
            r##"<circle class="point" cx="{}" cy="{}" r="3.5" fill="{color}" stroke="#fff" stroke-width="1.5"><title>{}</title></circle>"##,
            n(x),
            n(y),
            escape(tip)
        );
    } else {
        let _ = write!(
            out,
            r#"<circle class="hover" cx="{}" cy="{}" r="6" fill="{color}" fill-opacity="0"><title>{}</title></circle>"#,
            n(x),
            n(y),
            escape(tip)
        );
    }
}

fn legend_items<'a>(names: impl Iterator<Item = &'a str>) -> Vec<LegendItem<'a>> {
    names
        .enumerate()
        .map(|(i, label)| LegendItem {
            label,
            color: series_color(i),
            dashed: false,
        })
        .collect()
}

impl LineChart {
    /// The chart as an `<svg>` element.
    pub fn to_svg(&self) -> String {
        let width = self.width.max(240.0);
        let height = self.height.max(160.0);
        let n_x = self.x_labels.len();
        let value = |s: &Series, i: usize| s.values.get(i).copied().filter(|v| v.is_finite());
        let finite: Vec<f64> = self
            .series
            .iter()
            .flat_map(|s| (0..n_x).filter_map(move |i| value(s, i)))
            .collect();
        if finite.is_empty() {
            return svg::placeholder(&self.title, width, height, self.lang);
        }
        let mut lo = finite.iter().copied().fold(f64::INFINITY, f64::min);
        let mut hi = finite.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        if self.y_min_zero {
            lo = lo.min(0.0);
            hi = hi.max(0.0);
        }

        let mut body = String::new();
        let top = svg::title(&mut body, &self.title, width);
        let legend_h = if self.series.len() > 1 {
            svg::legend(
                &mut body,
                &legend_items(self.series.iter().map(|s| s.name.as_str())),
                0.0,
                top,
                width,
            )
        } else {
            0.0
        };
        let plot_top = top + legend_h + 8.0;
        let x_title_h = if self.x_label.is_some() { 20.0 } else { 0.0 };
        let y_title_w = if self.y_label.is_some() { 20.0 } else { 0.0 };

        let target = ((height - plot_top) / 60.0).clamp(3.0, 7.0) as usize;
        let min_step = if self.format == Format::Integer {
            1.0
        } else {
            0.0
        };
        let ticks = nice_ticks_min_step(lo, hi, target, min_step);
        let tick_text = tick_labels(&ticks, self.format, self.lang);
        let left = y_title_w + widest(&tick_text, AXIS_SIZE) + 10.0;
        let last_w = self
            .x_labels
            .last()
            .map_or(0.0, |l| text_width(l, AXIS_SIZE).min(120.0));
        let right = (last_w / 2.0 + 4.0).max(14.0);
        let inset = 8.0;
        let span = width - left - right - 2.0 * inset;
        let step = if n_x > 1 {
            span / (n_x - 1) as f64
        } else {
            span
        };
        let px = |i: usize| {
            if n_x > 1 {
                left + inset + i as f64 * step
            } else {
                left + inset + span / 2.0
            }
        };
        let plan = plan_categories(&self.x_labels, step, true);
        let plot_bottom = height - plan.height - x_title_h - 2.0;
        let y = Linear::new(ticks.min(), ticks.max(), plot_bottom, plot_top);

        svg::y_grid(&mut body, &ticks, &tick_text, y, left, width - right);
        let base = if ticks.min() <= 0.0 && ticks.max() >= 0.0 {
            0.0
        } else {
            ticks.min()
        };
        svg::line(
            &mut body,
            left,
            y.map(base),
            width - right,
            y.map(base),
            BASELINE,
        );
        if let Some(label) = &self.y_label {
            let mid = (plot_top + plot_bottom) / 2.0;
            svg::vertical_title(&mut body, 10.0, mid, label, plot_bottom - plot_top);
        }
        if let Some(label) = &self.x_label {
            text_fit(
                &mut body,
                (left + width - right) / 2.0,
                height - 5.0,
                Style::new(LABEL_SIZE, Anchor::Middle, MUTED),
                label,
                width - left - right,
            );
        }
        svg::categories(&mut body, &plan, &self.x_labels, px, plot_bottom);

        for (s, series) in self.series.iter().enumerate() {
            let color = series_color(s);
            let points: Vec<(f64, f64)> = (0..n_x)
                .map(|i| (px(i), value(series, i).map_or(f64::NAN, |v| y.map(v))))
                .collect();
            for run in runs(&points) {
                polyline(&mut body, &run, color);
            }
            for i in 0..n_x {
                let Some(v) = value(series, i) else { continue };
                let isolated =
                    (i == 0 || value(series, i - 1).is_none()) && value(series, i + 1).is_none();
                let tip = if self.series.len() > 1 {
                    format!(
                        "{} · {}: {}",
                        series.name,
                        self.x_labels[i],
                        format_value(v, self.format)
                    )
                } else {
                    format!("{}: {}", self.x_labels[i], format_value(v, self.format))
                };
                point(
                    &mut body,
                    px(i),
                    y.map(v),
                    color,
                    self.markers || isolated,
                    &tip,
                );
            }
        }
        svg::document(width, height, &self.title, &body)
    }
}

/// At most about `max` points, keeping the first and last: a curve over a million customers
/// looks the same with two thousand points, at a thousandth of the markup.
fn thin(points: &[(f64, f64)], max: usize) -> Vec<(f64, f64)> {
    if points.len() <= max {
        return points.to_vec();
    }
    let stride = points.len().div_ceil(max);
    let mut out: Vec<(f64, f64)> = points.iter().step_by(stride).copied().collect();
    if !(points.len() - 1).is_multiple_of(stride) {
        out.push(points[points.len() - 1]);
    }
    out
}

fn axis_ticks(
    range: Option<(f64, f64)>,
    values: impl Iterator<Item = f64>,
    target: usize,
) -> Ticks {
    match range {
        Some((a, b)) if a.is_finite() && b.is_finite() && a != b => {
            let mut t = nice_ticks(a, b, target);
            // A fixed range bounds the axis exactly; ticks outside it are dropped.
            t.values
                .retain(|v| *v >= a.min(b) - 1e-9 && *v <= a.max(b) + 1e-9);
            if t.values.first() != Some(&a.min(b)) {
                t.values.insert(0, a.min(b));
            }
            if t.values.last() != Some(&a.max(b)) {
                t.values.push(a.max(b));
            }
            t
        }
        _ => {
            let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            });
            nice_ticks(lo, hi, target)
        }
    }
}

impl XYChart {
    /// The chart as an `<svg>` element.
    pub fn to_svg(&self) -> String {
        let width = self.width.max(240.0);
        let height = self.height.max(180.0);
        let series: Vec<Vec<(f64, f64)>> =
            self.series.iter().map(|s| thin(&s.points, 2000)).collect();
        let finite = || {
            series
                .iter()
                .flatten()
                .copied()
                .filter(|(x, y)| x.is_finite() && y.is_finite())
        };
        if finite().next().is_none() {
            return svg::placeholder(&self.title, width, height, self.lang);
        }
        let notes = || {
            self.annotations
                .iter()
                .filter(|a| a.x.is_finite() && a.y.is_finite())
        };

        let mut body = String::new();
        let top = svg::title(&mut body, &self.title, width);
        let mut items = legend_items(self.series.iter().map(|s| s.name.as_str()));
        if self.series.len() < 2 {
            items.clear();
        }
        if let Some(label) = self.diagonal.as_deref().filter(|l| !l.is_empty()) {
            items.push(LegendItem {
                label,
                color: BASELINE,
                dashed: true,
            });
        }
        let legend_h = svg::legend(&mut body, &items, 0.0, top, width);
        let plot_top = top + legend_h + 8.0;

        let xt = axis_ticks(
            self.x_range,
            finite().map(|p| p.0).chain(notes().map(|a| a.x)),
            ((width - 120.0) / 90.0).clamp(2.0, 8.0) as usize,
        );
        let yt = axis_ticks(
            self.y_range,
            finite().map(|p| p.1).chain(notes().map(|a| a.y)),
            ((height - plot_top - 40.0) / 60.0).clamp(2.0, 8.0) as usize,
        );
        let x_text = tick_labels(&xt, self.x_format, self.lang);
        let y_text = tick_labels(&yt, self.y_format, self.lang);
        let y_title_w = if self.y_label.is_some() { 20.0 } else { 0.0 };
        let x_title_h = if self.x_label.is_some() { 20.0 } else { 0.0 };
        let left = y_title_w + widest(&y_text, AXIS_SIZE) + 10.0;
        let right = (x_text.last().map_or(0.0, |t| text_width(t, AXIS_SIZE)) / 2.0).max(12.0);
        let plot_bottom = height - 22.0 - x_title_h;
        let x = Linear::new(xt.min(), xt.max(), left, width - right);
        let y = Linear::new(yt.min(), yt.max(), plot_bottom, plot_top);
        let to_px = |(a, b): (f64, f64)| (x.map(a), y.map(b));

        svg::y_grid(&mut body, &yt, &y_text, y, left, width - right);
        svg::x_grid(&mut body, &xt, &x_text, x, plot_top, plot_bottom);
        svg::line(
            &mut body,
            left,
            plot_bottom,
            width - right,
            plot_bottom,
            BASELINE,
        );
        svg::line(&mut body, left, plot_top, left, plot_bottom, BASELINE);
        if let Some(label) = &self.y_label {
            let mid = (plot_top + plot_bottom) / 2.0;
            svg::vertical_title(&mut body, 10.0, mid, label, plot_bottom - plot_top);
        }
        if let Some(label) = &self.x_label {
            text_fit(
                &mut body,
                (left + width - right) / 2.0,
                height - 5.0,
                Style::new(LABEL_SIZE, Anchor::Middle, MUTED),
                label,
                width - left - right,
            );
        }

        // The diagonal y = x, clipped to where both axes overlap.
        let diagonal = self.diagonal.is_some().then(|| {
            let a = xt.min().max(yt.min());
            let b = xt.max().min(yt.max());
            (a, b)
        });
        let diagonal = diagonal.filter(|(a, b)| a < b);

        if self.area
            && let Some(first) = series.first()
        {
            for run in runs(first) {
                let mut poly: Vec<(f64, f64)> = run.iter().map(|&p| to_px(p)).collect();
                let (x_first, x_last) = (run[0].0, run[run.len() - 1].0);
                match diagonal {
                    Some(_) => {
                        poly.push(to_px((x_last, x_last.clamp(yt.min(), yt.max()))));
                        poly.push(to_px((x_first, x_first.clamp(yt.min(), yt.max()))));
                    }
                    None => {
                        poly.push((x.map(x_last), plot_bottom));
                        poly.push((x.map(x_first), plot_bottom));
                    }
                }
                let _ = write!(
                    body,
                    r#"<path class="area" d="{}Z" fill="{}" fill-opacity="0.14" stroke="none"/>"#,
                    path(&poly),
                    series_color(0)
                );
            }
        }
        if let Some((a, b)) = diagonal {
            let (x1, y1) = to_px((a, a));
            let (x2, y2) = to_px((b, b));
            svg::dashed(&mut body, x1, y1, x2, y2, BASELINE);
        }

        for (s, points) in series.iter().enumerate() {
            let color = series_color(s);
            let name = &self.series[s].name;
            for run in runs(points) {
                let px: Vec<(f64, f64)> = run.iter().map(|&p| to_px(p)).collect();
                polyline(&mut body, &px, color);
                // Tooltips on every point would bloat long curves; a hover target every few
                // points is enough to read the curve.
                let every = run.len().div_ceil(120).max(1);
                for (i, &(a, b)) in run.iter().enumerate() {
                    if i % every != 0 && i + 1 != run.len() && !self.markers {
                        continue;
                    }
                    let tip = format!(
                        "{}({}, {})",
                        if name.is_empty() {
                            String::new()
                        } else {
                            format!("{name} ")
                        },
                        format_value(a, self.x_format),
                        format_value(b, self.y_format)
                    );
                    let (cx, cy) = to_px((a, b));
                    point(
                        &mut body,
                        cx,
                        cy,
                        color,
                        self.markers || run.len() == 1,
                        &tip,
                    );
                }
            }
        }

        for note in notes() {
            let (cx, cy) = to_px((note.x, note.y));
            svg::dashed(&mut body, cx, cy, cx, plot_bottom, "#9ca3af");
            svg::dashed(&mut body, left, cy, cx, cy, "#9ca3af");
            let _ = write!(
                body,
                r##"<circle class="annotation" cx="{}" cy="{}" r="4.5" fill="{INK}" stroke="#fff" stroke-width="1.5"/>"##,
                n(cx),
                n(cy)
            );
            let w = text_width(&note.text, LABEL_SIZE);
            let (tx, anchor) = if cx + 10.0 + w <= width - right {
                (cx + 10.0, Anchor::Start)
            } else {
                (cx - 10.0, Anchor::End)
            };
            let ty = if cy + 20.0 <= plot_bottom - 4.0 {
                cy + 20.0
            } else {
                cy - 10.0
            };
            let _ = write!(
                body,
                r##"<text class="note" x="{}" y="{}" font-size="{}" font-weight="600" fill="{INK}"{} paint-order="stroke" stroke="#fff" stroke-width="4" stroke-linejoin="round">{}</text>"##,
                n(tx),
                n(ty),
                n(LABEL_SIZE),
                if anchor == Anchor::End {
                    r#" text-anchor="end""#
                } else {
                    ""
                },
                escape(&note.text)
            );
        }
        svg::document(width, height, &self.title, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml_check::{assert_well_formed, count, parse};

    fn months(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("2025-{:02}", i % 12 + 1)).collect()
    }

    #[test]
    fn line_chart_draws_one_path_per_run_and_breaks_at_nan() {
        let c = LineChart {
            title: "月度 GMV".into(),
            x_labels: months(6),
            series: vec![
                Series::new("2025", vec![1.0, 2.0, f64::NAN, 4.0, 5.0, 6.0]),
                Series::new("2024", vec![2.0, 2.5, 3.0, 3.5, 4.0, 4.5]),
            ],
            ..LineChart::default()
        };
        let svg = c.to_svg();
        assert_well_formed(&svg);
        assert_eq!(count(&svg, r#"class="line""#), 3);
        assert_eq!(count(&svg, r#"class="point""#), 11);
        assert!(svg.contains("<title>2025 · 2025-04: 4</title>"));
    }

    #[test]
    fn line_chart_edge_cases() {
        let empty = LineChart::default().to_svg();
        assert!(empty.contains("无数据"));
        let one = LineChart {
            x_labels: months(1),
            series: vec![Series::new("a", vec![3.0])],
            markers: false,
            ..LineChart::default()
        }
        .to_svg();
        assert_well_formed(&one);
        assert_eq!(
            count(&one, r#"class="point""#),
            1,
            "an isolated point is shown"
        );
        let many = LineChart {
            x_labels: months(365),
            series: vec![Series::new("a", (0..365).map(f64::from).collect())],
            markers: false,
            ..LineChart::default()
        }
        .to_svg();
        assert_well_formed(&many);
        let labels = parse(&many, false)
            .unwrap()
            .iter()
            .filter(|t| t.name == "text")
            .count();
        assert!(labels < 40, "crowded x labels are thinned: {labels}");
    }

    #[test]
    fn xy_chart_draws_diagonal_area_and_annotation() {
        let lorenz: Vec<(f64, f64)> = (0..=100)
            .map(|i| {
                let x = f64::from(i) / 100.0;
                (x, 1.0 - (1.0 - x).powi(4))
            })
            .collect();
        let c = XYChart {
            title: "收入集中度".into(),
            series: vec![XYSeries::new("洛伦兹曲线", lorenz)],
            x_format: Format::Percent(0),
            y_format: Format::Percent(0),
            x_range: Some((0.0, 1.0)),
            y_range: Some((0.0, 1.0)),
            diagonal: Some("完全平均".into()),
            area: true,
            annotations: vec![Annotation::new(0.2, 0.5904, "前 20% → 59.0%")],
            ..XYChart::default()
        };
        let svg = c.to_svg();
        assert_well_formed(&svg);
        assert_eq!(count(&svg, r#"class="area""#), 1);
        assert_eq!(
            count(&svg, "stroke-dasharray"),
            4,
            "diagonal, its legend entry and two guides"
        );
        assert!(svg.contains("前 20% → 59.0%"));
        assert!(svg.contains(">100%<") && svg.contains(">0%<"));
    }

    #[test]
    fn xy_chart_thins_long_curves_and_survives_bad_points() {
        let points: Vec<(f64, f64)> = (0..100_000)
            .map(|i| (f64::from(i), f64::from(i).sqrt()))
            .collect();
        let svg = XYChart {
            series: vec![XYSeries::new("", points)],
            ..XYChart::default()
        }
        .to_svg();
        assert_well_formed(&svg);
        assert!(svg.len() < 200_000, "{}", svg.len());
        let bad = XYChart {
            series: vec![XYSeries::new(
                "x",
                vec![(f64::NAN, 1.0), (1.0, f64::INFINITY)],
            )],
            lang: Lang::En,
            ..XYChart::default()
        }
        .to_svg();
        assert!(bad.contains("No data"));
    }
}
