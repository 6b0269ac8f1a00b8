//! Bar charts: vertical or horizontal, grouped or stacked, with a zero baseline.

use std::fmt::Write as _;

use crate::format::{Format, format_label, format_value};
use crate::scale::{Linear, Ticks, nice_ticks_min_step};
use crate::svg::{
    self, AXIS_SIZE, Anchor, BASELINE, LABEL_SIZE, LegendItem, SOFT_INK, Style, n, plan_categories,
    series_color, text_fit, tick_labels, widest,
};
use crate::text::text_width;
use crate::{Lang, Series, escape};

/// Bars for each category, one per series side by side, or stacked.
#[derive(Clone, Debug)]
pub struct BarChart {
    pub title: String,
    pub categories: Vec<String>,
    /// One value per category each; missing or non-finite values draw no bar.
    pub series: Vec<Series>,
    /// Bars run left to right with categories down the side: best for long labels and rankings.
    pub horizontal: bool,
    /// Series are stacked (positive values up from zero, negative ones down) instead of grouped.
    pub stacked: bool,
    pub format: Format,
    /// The title of the value axis.
    pub y_label: Option<String>,
    /// Values written at the bar ends; `None` shows them when there are few enough bars.
    pub value_labels: Option<bool>,
    /// Width of the viewBox in pixels.
    pub width: f64,
    /// Height of the viewBox; `None` picks one (horizontal charts grow with the categories).
    pub height: Option<f64>,
    pub lang: Lang,
}

impl Default for BarChart {
    fn default() -> Self {
        BarChart {
            title: String::new(),
            categories: Vec::new(),
            series: Vec::new(),
            horizontal: false,
            stacked: false,
            format: Format::Integer,
            y_label: None,
            value_labels: None,
            width: 880.0,
            height: None,
            lang: Lang::Zh,
        }
    }
}

/// One bar in data units: it runs from `from` to `to` along the value axis.
struct Bar {
    category: usize,
    series: usize,
    slot: usize,
    from: f64,
    to: f64,
    value: f64,
}

/// A value written at the end of a bar (or of a stack, as its net total).
struct ValueLabel {
    category: usize,
    slot: usize,
    at: f64,
    value: f64,
    text: String,
}

impl BarChart {
    fn value(&self, series: usize, category: usize) -> Option<f64> {
        self.series[series]
            .values
            .get(category)
            .copied()
            .filter(|v| v.is_finite())
    }

    fn bars(&self) -> (Vec<Bar>, Vec<ValueLabel>) {
        let mut bars = Vec::new();
        let mut labels = Vec::new();
        for c in 0..self.categories.len() {
            let (mut up, mut down) = (0.0, 0.0);
            let mut any = false;
            for s in 0..self.series.len() {
                let Some(v) = self.value(s, c) else { continue };
                any = true;
                let (from, slot) = if !self.stacked {
                    (0.0, s)
                } else if v >= 0.0 {
                    up += v;
                    (up - v, 0)
                } else {
                    down += v;
                    (down - v, 0)
                };
                bars.push(Bar {
                    category: c,
                    series: s,
                    slot,
                    from,
                    to: from + v,
                    value: v,
                });
                if !self.stacked {
                    labels.push(ValueLabel {
                        category: c,
                        slot: s,
                        at: v,
                        value: v,
                        text: String::new(),
                    });
                }
            }
            if self.stacked && any {
                let total = up + down;
                labels.push(ValueLabel {
                    category: c,
                    slot: 0,
                    at: if total >= 0.0 { up } else { down },
                    value: total,
                    text: String::new(),
                });
            }
        }
        let max_abs = labels.iter().map(|l| l.value.abs()).fold(0.0, f64::max);
        for l in &mut labels {
            l.text = format_label(l.value, self.format, max_abs, self.lang);
        }
        (bars, labels)
    }

    fn tooltip(&self, bar: &Bar) -> String {
        let value = format_value(bar.value, self.format);
        let category = &self.categories[bar.category];
        if self.series.len() > 1 {
            format!("{category} · {}: {value}", self.series[bar.series].name)
        } else {
            format!("{category}: {value}")
        }
    }

    fn ticks(&self, bars: &[Bar], target: usize) -> Ticks {
        let lo = bars.iter().map(|b| b.to.min(b.from)).fold(0.0, f64::min);
        let hi = bars.iter().map(|b| b.to.max(b.from)).fold(0.0, f64::max);
        let min_step = if self.format == Format::Integer {
            1.0
        } else {
            0.0
        };
        nice_ticks_min_step(lo, hi, target, min_step)
    }

    fn legend_items(&self) -> Vec<LegendItem<'_>> {
        if self.series.len() < 2 {
            return Vec::new();
        }
        self.series
            .iter()
            .enumerate()
            .map(|(i, s)| LegendItem {
                label: &s.name,
                color: series_color(i),
                dashed: false,
            })
            .collect()
    }

    /// The chart as an `<svg>` element.
    pub fn to_svg(&self) -> String {
        let width = self.width.max(240.0);
        let (bars, labels) = self.bars();
        if bars.is_empty() {
            let h = self
                .height
                .unwrap_or(if self.horizontal { 200.0 } else { 320.0 });
            return svg::placeholder(&self.title, width, h, self.lang);
        }
        let slots = if self.stacked {
            1
        } else {
            self.series.len().max(1)
        };
        let bar_count = if self.stacked {
            self.categories.len()
        } else {
            bars.len()
        };
        let show_labels = self
            .value_labels
            .unwrap_or(bar_count <= if self.horizontal { 30 } else { 16 });
        let labels = if show_labels { labels } else { Vec::new() };
        if self.horizontal {
            self.horizontal_svg(width, &bars, &labels, slots)
        } else {
            self.vertical_svg(width, &bars, labels, slots)
        }
    }

    fn vertical_svg(
        &self,
        width: f64,
        bars: &[Bar],
        mut labels: Vec<ValueLabel>,
        slots: usize,
    ) -> String {
        let mut body = String::new();
        let top = svg::title(&mut body, &self.title, width);
        let legend_h = svg::legend(&mut body, &self.legend_items(), 0.0, top, width);
        let height = self.height.unwrap_or(340.0 + legend_h).max(160.0);
        let n_cat = self.categories.len();

        let ticks = self.ticks(bars, 5);
        let tick_text = tick_labels(&ticks, self.format, self.lang);
        let y_title_w = if self.y_label.is_some() { 20.0 } else { 0.0 };
        let mut left = y_title_w + widest(&tick_text, AXIS_SIZE) + 10.0;
        let right = 8.0;
        let mut band = (width - left - right) / n_cat as f64;
        let plan = plan_categories(&self.categories, band, false);
        if plan.rotate && plan.reach_left > left + band / 2.0 - 4.0 {
            left = plan.reach_left - band / 2.0 + 4.0;
            band = (width - left - right) / n_cat as f64;
        }
        let group_w = if slots > 1 {
            band * 0.8
        } else {
            (band * 0.66).min(64.0)
        };
        let pitch = group_w / slots as f64;
        let bar_w = if slots > 1 { pitch * 0.9 } else { pitch };

        // Value labels show only if every one fits over its bar (in a smaller font if need
        // be), so they never overlap.
        let room = if slots > 1 { pitch } else { band } - 2.0;
        let widest_label = |size| {
            labels
                .iter()
                .map(|l| text_width(&l.text, size))
                .fold(0.0, f64::max)
        };
        let label_size = if widest_label(AXIS_SIZE) <= room {
            AXIS_SIZE
        } else {
            10.0
        };
        if widest_label(label_size) > room {
            labels.clear();
        }
        let has_neg = bars.iter().any(|b| b.to < 0.0);
        let label_room = if labels.is_empty() { 0.0 } else { 16.0 };
        let plot_top = top + legend_h + 6.0 + label_room;
        let plot_bottom = height - plan.height - 4.0;
        let neg_room = if has_neg { label_room } else { 0.0 };
        let y = Linear::new(
            ticks.min(),
            ticks.max(),
            (plot_bottom - neg_room).max(plot_top + 20.0),
            plot_top,
        );
        let x_left = |c: usize| left + c as f64 * band + (band - group_w) / 2.0;

        svg::y_grid(&mut body, &ticks, &tick_text, y, left, width - right);
        if let Some(label) = &self.y_label {
            let mid = (plot_top + plot_bottom) / 2.0;
            svg::vertical_title(&mut body, 10.0, mid, label, plot_bottom - plot_top);
        }
        let round = if bar_w > 6.0 && !self.stacked {
            r#" rx="2""#
        } else {
            ""
        };
        for bar in bars {
            let x = x_left(bar.category) + bar.slot as f64 * pitch + (pitch - bar_w) / 2.0;
            let (y0, y1) = (y.map(bar.from), y.map(bar.to));
            let color = series_color(if self.series.len() > 1 { bar.series } else { 0 });
            let _ = write!(
                body,
                r#"<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{color}"{round}><title>{}</title></rect>"#,
                n(x),
                n(y0.min(y1)),
                n(bar_w),
                n((y1 - y0).abs()),
                escape(&self.tooltip(bar))
            );
        }
        let zero = y.map(0.0);
        svg::line(&mut body, left, zero, width - right, zero, BASELINE);
        for label in &labels {
            let x = x_left(label.category) + label.slot as f64 * pitch + pitch / 2.0;
            let py = if label.at < 0.0 {
                y.map(label.at) + 13.0
            } else {
                y.map(label.at) - 5.0
            };
            svg::text(
                &mut body,
                x,
                py,
                Style::new(label_size, Anchor::Middle, SOFT_INK),
                &label.text,
            );
        }
        svg::categories(
            &mut body,
            &plan,
            &self.categories,
            |c| left + (c as f64 + 0.5) * band,
            plot_bottom,
        );
        svg::document(width, height, &self.title, &body)
    }

    fn horizontal_svg(
        &self,
        width: f64,
        bars: &[Bar],
        labels: &[ValueLabel],
        slots: usize,
    ) -> String {
        let mut body = String::new();
        let top = svg::title(&mut body, &self.title, width);
        let legend_h = svg::legend(&mut body, &self.legend_items(), 0.0, top, width);
        let plot_top = top + legend_h + 4.0;
        let n_cat = self.categories.len();

        let cat_w = widest(&self.categories, LABEL_SIZE).min(width * 0.32);
        let left = cat_w + 14.0;
        let label_w = labels
            .iter()
            .map(|l| text_width(&l.text, AXIS_SIZE))
            .fold(0.0, f64::max);
        let has_neg = bars.iter().any(|b| b.to < 0.0);
        let right = if labels.is_empty() {
            16.0
        } else {
            label_w + 12.0
        };
        let neg_room = if has_neg && !labels.is_empty() {
            label_w + 8.0
        } else {
            0.0
        };
        let axis_title_h = if self.y_label.is_some() { 20.0 } else { 0.0 };
        let bottom = 26.0 + axis_title_h;
        let band = match self.height {
            Some(h) => ((h - plot_top - bottom) / n_cat as f64).max(4.0),
            None if slots > 1 => slots as f64 * 15.0 + 12.0,
            None if n_cat > 20 => 22.0,
            None => 30.0,
        };
        let plot_h = band * n_cat as f64;
        let height = plot_top + plot_h + bottom;
        let x0 = left + neg_room;
        let x1 = (width - right).max(x0 + 40.0);

        // Fewer ticks when their labels would crowd each other.
        let mut target = ((x1 - x0) / 90.0).clamp(2.0, 8.0) as usize;
        let (ticks, tick_text) = loop {
            let ticks = self.ticks(bars, target);
            let text = tick_labels(&ticks, self.format, self.lang);
            let spacing = (x1 - x0) / (ticks.values.len().max(2) - 1) as f64;
            if widest(&text, AXIS_SIZE) + 14.0 <= spacing || target <= 2 {
                break (ticks, text);
            }
            target -= 1;
        };
        let x = Linear::new(ticks.min(), ticks.max(), x0, x1);
        svg::x_grid(
            &mut body,
            &ticks,
            &tick_text,
            x,
            plot_top,
            plot_top + plot_h,
        );
        if let Some(label) = &self.y_label {
            text_fit(
                &mut body,
                (x0 + x1) / 2.0,
                height - 6.0,
                Style::new(LABEL_SIZE, Anchor::Middle, svg::MUTED),
                label,
                x1 - x0,
            );
        }

        let group_h = if slots > 1 {
            band - 10.0
        } else {
            (band * 0.64).min(24.0)
        };
        let pitch = group_h / slots as f64;
        let bar_h = if slots > 1 { pitch * 0.88 } else { pitch };
        let y_top = |c: usize| plot_top + c as f64 * band + (band - group_h) / 2.0;
        let round = if bar_h > 6.0 && !self.stacked {
            r#" rx="2""#
        } else {
            ""
        };
        for bar in bars {
            let y = y_top(bar.category) + bar.slot as f64 * pitch + (pitch - bar_h) / 2.0;
            let (a, b) = (x.map(bar.from), x.map(bar.to));
            let color = series_color(if self.series.len() > 1 { bar.series } else { 0 });
            let _ = write!(
                body,
                r#"<rect class="bar" x="{}" y="{}" width="{}" height="{}" fill="{color}"{round}><title>{}</title></rect>"#,
                n(a.min(b)),
                n(y),
                n((b - a).abs()),
                n(bar_h),
                escape(&self.tooltip(bar))
            );
        }
        let zero = x.map(0.0);
        svg::line(&mut body, zero, plot_top, zero, plot_top + plot_h, BASELINE);
        let label_size = if pitch < 13.0 { 10.0 } else { AXIS_SIZE };
        for label in labels {
            let y = y_top(label.category) + (label.slot as f64 + 0.5) * pitch + label_size * 0.36;
            let (px, anchor) = if label.at < 0.0 {
                (x.map(label.at) - 5.0, Anchor::End)
            } else {
                (x.map(label.at) + 5.0, Anchor::Start)
            };
            svg::text(
                &mut body,
                px,
                y,
                Style::new(label_size, anchor, SOFT_INK),
                &label.text,
            );
        }
        let cat_size = if band < 18.0 { AXIS_SIZE } else { LABEL_SIZE };
        for (c, name) in self.categories.iter().enumerate() {
            text_fit(
                &mut body,
                left - 8.0,
                plot_top + (c as f64 + 0.5) * band + cat_size * 0.36,
                Style::new(cat_size, Anchor::End, SOFT_INK),
                name,
                cat_w,
            );
        }
        svg::document(width, height, &self.title, &body)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml_check::{assert_well_formed, attr_values, count};

    fn chart(values: Vec<f64>, horizontal: bool) -> BarChart {
        BarChart {
            title: "销售额".into(),
            categories: (0..values.len()).map(|i| format!("类目{i}")).collect(),
            series: vec![Series::new("GMV", values)],
            horizontal,
            ..BarChart::default()
        }
    }

    #[test]
    fn horizontal_bar_lengths_are_proportional_to_values() {
        let values = vec![100.0, 250.0, 50.0, 400.0];
        let svg = chart(values.clone(), true).to_svg();
        assert_well_formed(&svg);
        let widths = attr_values(&svg, "rect", "bar", "width");
        assert_eq!(widths.len(), 4);
        let per_unit = widths[3] / 400.0;
        for (w, v) in widths.iter().zip(&values) {
            assert!((w - v * per_unit).abs() < 0.25, "{widths:?}");
        }
    }

    #[test]
    fn vertical_bar_heights_are_proportional_to_values() {
        let values = vec![3.0, 12.0, 7.5, 0.0, 9.0];
        let svg = chart(values.clone(), false).to_svg();
        assert_well_formed(&svg);
        let heights = attr_values(&svg, "rect", "bar", "height");
        assert_eq!(heights.len(), 5);
        let per_unit = heights[1] / 12.0;
        for (h, v) in heights.iter().zip(&values) {
            assert!((h - v * per_unit).abs() < 0.25, "{heights:?}");
        }
    }

    #[test]
    fn negative_bars_hang_from_the_zero_baseline() {
        let svg = chart(vec![40.0, -20.0], false).to_svg();
        let ys = attr_values(&svg, "rect", "bar", "y");
        let hs = attr_values(&svg, "rect", "bar", "height");
        // The positive bar ends at the baseline where the negative one starts.
        assert!((ys[0] + hs[0] - ys[1]).abs() < 0.15, "{ys:?} {hs:?}");
        assert!((hs[0] - 2.0 * hs[1]).abs() < 0.25);
        assert!(svg.contains(">-20<"), "value label of the negative bar");
    }

    #[test]
    fn stacked_segments_add_up_and_show_totals() {
        let c = BarChart {
            categories: vec!["华东".into(), "华南".into()],
            series: vec![
                Series::new("新客", vec![10.0, 30.0]),
                Series::new("老客", vec![20.0, 10.0]),
            ],
            stacked: true,
            horizontal: true,
            ..BarChart::default()
        };
        let svg = c.to_svg();
        assert_well_formed(&svg);
        let xs = attr_values(&svg, "rect", "bar", "x");
        let ws = attr_values(&svg, "rect", "bar", "width");
        // 华东: the second segment starts where the first ends.
        assert!((xs[0] + ws[0] - xs[1]).abs() < 0.15);
        assert!(svg.contains(">30<") && svg.contains(">40<"), "stack totals");
        assert_eq!(count(&svg, "<rect x="), 2, "a legend swatch per series");
    }

    #[test]
    fn empty_nan_and_all_zero_data_do_not_panic() {
        let empty = BarChart {
            lang: Lang::En,
            ..BarChart::default()
        };
        assert!(empty.to_svg().contains("No data"));
        let nan = chart(vec![f64::NAN, f64::INFINITY], false).to_svg();
        assert!(nan.contains("无数据"));
        for horizontal in [false, true] {
            let zeros = chart(vec![0.0, 0.0, 0.0], horizontal).to_svg();
            assert_well_formed(&zeros);
            assert_eq!(count(&zeros, r#"class="bar""#), 3);
            let some_nan = chart(vec![1.0, f64::NAN, 3.0], horizontal).to_svg();
            assert_eq!(count(&some_nan, r#"class="bar""#), 2);
            assert!(!some_nan.contains("NaN"));
        }
    }

    #[test]
    fn single_and_fifty_categories_render() {
        for horizontal in [false, true] {
            let one = chart(vec![5.0], horizontal).to_svg();
            assert_well_formed(&one);
            assert_eq!(count(&one, r#"class="bar""#), 1);
            let fifty: Vec<f64> = (0..50).map(|i| f64::from(i * 37 % 101)).collect();
            let mut c = chart(fifty, horizontal);
            c.categories = (0..50)
                .map(|i| format!("非常长的商品类目名称用于测试标签截断是否正常第{i}号"))
                .collect();
            let svg = c.to_svg();
            assert_well_formed(&svg);
            assert_eq!(count(&svg, r#"class="bar""#), 50);
            // Long labels are cut and keep their full text as a tooltip.
            assert!(svg.contains("…"));
            assert!(
                svg.contains("<title>非常长的商品类目名称用于测试标签截断是否正常第0号</title>")
            );
        }
    }

    #[test]
    fn labels_are_escaped() {
        let mut c = chart(vec![1.0, 2.0], false);
        c.categories[0] = "<script>alert(1)</script>".into();
        c.series[0].name = "a&b".into();
        c.title = "\"quoted\" 'title'".into();
        let svg = c.to_svg();
        assert_well_formed(&svg);
        assert!(!svg.contains("<script"));
        assert!(svg.contains("&lt;script&gt;"));
    }
}
