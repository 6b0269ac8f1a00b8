//! Charts as inline SVG strings, and one self-contained HTML page that holds them.
//!
//! Every chart type ([`BarChart`], [`LineChart`], [`XYChart`], [`Heatmap`], [`Donut`]) is a
//! plain struct with public fields and a `to_svg` method; [`Table`] renders an HTML table and
//! [`Report`] a whole document of sections, KPIs, charts, tables and text. The crate has no
//! dependencies and does no IO: callers write the string wherever they like.
//!
//! *Invariant:* the output opens offline. No mark, style or script refers to anything outside
//! the string (the only URL is the SVG namespace), and every piece of caller text goes through
//! [`escape`], so a label such as `<script>` is shown, never run. The report also carries a
//! Content-Security-Policy that forbids network requests and scripts.
//!
//! Layout needs text widths without a font engine, so [`text_width`] estimates them: a full em
//! for CJK characters, about half an em for Latin ones. Labels that would not fit are cut with
//! "…" and keep their full text in a `<title>` tooltip.
//!
//! Charts never panic on data: empty input draws a "no data" placeholder in the chart's
//! [`Lang`], non-finite values are skipped, and negative values get a zero baseline.

mod bar;
mod donut;
mod format;
mod heatmap;
mod line;
mod report;
mod scale;
mod svg;
mod table;
mod text;
#[cfg(test)]
mod xml_check;

pub use bar::BarChart;
pub use donut::Donut;
pub use format::{Format, format_value};
pub use heatmap::Heatmap;
pub use line::{Annotation, LineChart, XYChart, XYSeries};
pub use report::{Block, Kpi, Report, Section, stylesheet};
pub use scale::{Ticks, nice_ticks};
pub use svg::PALETTE;
pub use table::{Cell, Table};
pub use text::text_width;

/// The language of the words the crate writes itself: placeholders, "total", "other" and the
/// report's navigation.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub enum Lang {
    /// 简体中文, the default.
    #[default]
    Zh,
    /// English.
    En,
}

impl Lang {
    /// The BCP 47 code for the `lang` attribute: `zh-CN` or `en`.
    pub fn code(self) -> &'static str {
        match self {
            Lang::Zh => "zh-CN",
            Lang::En => "en",
        }
    }

    pub(crate) fn no_data(self) -> &'static str {
        match self {
            Lang::Zh => "无数据",
            Lang::En => "No data",
        }
    }

    pub(crate) fn total(self) -> &'static str {
        match self {
            Lang::Zh => "合计",
            Lang::En => "Total",
        }
    }

    pub(crate) fn other(self) -> &'static str {
        match self {
            Lang::Zh => "其他",
            Lang::En => "Other",
        }
    }

    pub(crate) fn contents(self) -> &'static str {
        match self {
            Lang::Zh => "目录",
            Lang::En => "Contents",
        }
    }
}

/// One named row of numbers: a bar colour or a line. Non-finite values are skipped when drawn.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Series {
    pub name: String,
    pub values: Vec<f64>,
}

impl Series {
    pub fn new(name: impl Into<String>, values: Vec<f64>) -> Self {
        Series {
            name: name.into(),
            values,
        }
    }
}

/// Escapes text for HTML and SVG, in element content and in quoted attributes alike: `& < > " '`
/// become entities, and control characters that XML forbids are dropped.
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_replaces_markup_characters() {
        assert_eq!(
            escape(r#"<script>alert("x") & 'y'</script>"#),
            "&lt;script&gt;alert(&quot;x&quot;) &amp; &#39;y&#39;&lt;/script&gt;"
        );
        assert_eq!(escape("华东 a\u{0}b\u{7}"), "华东 ab");
        assert_eq!(escape("line\nbreak"), "line\nbreak");
    }
}
