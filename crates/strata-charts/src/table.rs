//! HTML tables with formatted numbers and inline share bars.

use std::fmt::Write as _;

use crate::escape;
use crate::format::{Format, format_value};

/// One table cell.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Number(f64, Format),
    /// A number with a small bar behind it, its length relative to the largest bar in the
    /// column: a share or a rank at a glance.
    Bar(f64, Format),
    Empty,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        Cell::Text(s.into())
    }

    fn is_numeric(&self) -> bool {
        matches!(self, Cell::Number(..) | Cell::Bar(..))
    }
}

/// A table; columns whose cells are all numbers are right-aligned with tabular digits. Its
/// classes are styled by the report's stylesheet.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Table {
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// A line under the table: source, definitions, "top 20 of 1,204".
    pub caption: Option<String>,
}

impl Table {
    fn columns(&self) -> usize {
        self.rows
            .iter()
            .map(Vec::len)
            .chain([self.headers.len()])
            .max()
            .unwrap_or(0)
    }

    /// The table as an HTML fragment.
    pub fn to_html(&self) -> String {
        let cols = self.columns();
        fn cell(row: &[Cell], c: usize) -> &Cell {
            row.get(c).unwrap_or(&Cell::Empty)
        }
        let numeric: Vec<bool> = (0..cols)
            .map(|c| {
                let mut cells = self.rows.iter().map(|r| cell(r, c));
                cells.clone().any(Cell::is_numeric)
                    && cells.all(|x| x.is_numeric() || *x == Cell::Empty)
            })
            .collect();
        let bar_max: Vec<f64> = (0..cols)
            .map(|c| {
                self.rows
                    .iter()
                    .filter_map(|r| match cell(r, c) {
                        Cell::Bar(v, _) if v.is_finite() => Some(v.abs()),
                        _ => None,
                    })
                    .fold(0.0, f64::max)
            })
            .collect();
        let class = |c: usize| if numeric[c] { r#" class="num""# } else { "" };

        let mut out = String::from(r#"<div class="table-wrap"><table>"#);
        if !self.headers.is_empty() {
            out.push_str("<thead><tr>");
            for c in 0..cols {
                let h = self.headers.get(c).map_or("", String::as_str);
                let _ = write!(out, r#"<th scope="col"{}>{}</th>"#, class(c), escape(h));
            }
            out.push_str("</tr></thead>");
        }
        out.push_str("<tbody>");
        for row in &self.rows {
            out.push_str("<tr>");
            for (c, max) in bar_max.iter().enumerate() {
                let _ = write!(out, "<td{}>", class(c));
                match cell(row, c) {
                    Cell::Text(s) => out.push_str(&escape(s)),
                    Cell::Number(v, f) => out.push_str(&escape(&format_value(*v, *f))),
                    Cell::Bar(v, f) => {
                        let share = if *max > 0.0 && v.is_finite() {
                            v.abs() / max * 100.0
                        } else {
                            0.0
                        };
                        let _ = write!(
                            out,
                            r#"<span class="cellbar"><span style="width:{share:.1}%"></span></span>{}"#,
                            escape(&format_value(*v, *f))
                        );
                    }
                    Cell::Empty => {}
                }
                out.push_str("</td>");
            }
            out.push_str("</tr>");
        }
        out.push_str("</tbody></table>");
        if let Some(caption) = &self.caption {
            let _ = write!(out, r#"<p class="table-note">{}</p>"#, escape(caption));
        }
        out.push_str("</div>");
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml_check::assert_well_formed_html;

    #[test]
    fn numbers_are_formatted_right_aligned_and_bars_scaled_to_the_column() {
        let t = Table {
            headers: vec!["分群".into(), "客户数".into(), "收入占比".into()],
            rows: vec![
                vec![
                    Cell::text("重要价值客户"),
                    Cell::Number(12345.0, Format::Integer),
                    Cell::Bar(0.5, Format::Percent(1)),
                ],
                vec![
                    Cell::text("<script>"),
                    Cell::Number(99.0, Format::Integer),
                    Cell::Bar(0.25, Format::Percent(1)),
                ],
                vec![Cell::text("short row")],
            ],
            caption: Some("口径 & 说明".into()),
        };
        let html = t.to_html();
        assert_well_formed_html(&html);
        assert!(html.contains(r#"<th scope="col" class="num">客户数</th>"#));
        assert!(html.contains(r#"<td class="num">12,345</td>"#));
        assert!(html.contains(r#"style="width:100.0%""#));
        assert!(html.contains(r#"style="width:50.0%""#));
        assert!(html.contains("50.0%</td>"));
        assert!(html.contains("&lt;script&gt;") && !html.contains("<script>"));
        assert!(html.contains("口径 &amp; 说明"));
        assert_eq!(html.matches("<td").count(), 9, "short rows are padded");
    }
}
