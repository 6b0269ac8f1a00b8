//! The report page: one self-contained HTML document of sections with KPIs, charts, tables and
//! text, a sticky table of contents and print styles.

use std::collections::HashSet;
use std::fmt::Write as _;

use crate::table::Table;
use crate::{Lang, escape};

/// A whole report.
#[derive(Clone, Debug, Default)]
pub struct Report {
    pub title: String,
    pub subtitle: String,
    pub lang: Lang,
    /// The generated-at line, written as given: "生成于 2026-05-01 10:00 (UTC+8)".
    pub generated: String,
    pub sections: Vec<Section>,
    /// Small print at the bottom: data source, method notes.
    pub footer: Option<String>,
}

/// A section of the report, listed in the table of contents.
#[derive(Clone, Debug, Default)]
pub struct Section {
    /// The anchor, such as `rfm`; letters, digits, `-` and `_` are kept, and an empty or
    /// repeated id is replaced.
    pub id: String,
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Section {
    pub fn new(id: impl Into<String>, title: impl Into<String>) -> Self {
        Section {
            id: id.into(),
            title: title.into(),
            blocks: Vec::new(),
        }
    }

    /// Adds a block; returns the section for chaining.
    pub fn with(mut self, block: Block) -> Self {
        self.blocks.push(block);
        self
    }
}

/// A headline number.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Kpi {
    pub label: String,
    /// Already formatted: "¥1,234万", "68.9%".
    pub value: String,
    /// A short line under the value: "较上年 +12%".
    pub note: Option<String>,
}

impl Kpi {
    pub fn new(label: impl Into<String>, value: impl Into<String>) -> Self {
        Kpi {
            label: label.into(),
            value: value.into(),
            note: None,
        }
    }

    pub fn note(mut self, note: impl Into<String>) -> Self {
        self.note = Some(note.into());
        self
    }
}

/// One piece of a section. Every text is escaped except [`Block::Html`] and chart SVG.
#[derive(Clone, Debug)]
pub enum Block {
    /// A row of headline numbers.
    Kpis(Vec<Kpi>),
    /// A chart's `to_svg` output, with an optional caption under it.
    Chart {
        svg: String,
        caption: Option<String>,
    },
    Table(Table),
    /// Plain text.
    Paragraph(String),
    /// A sub-heading inside a section.
    Heading(String),
    /// Trusted markup, inserted as is. Scripts in it do not run: the page's content security
    /// policy forbids them.
    Html(String),
    /// Blocks side by side in two columns, one column on narrow screens. Charts here look best
    /// made about 480 pixels wide.
    Grid(Vec<Block>),
    /// A highlighted finding.
    Callout(String),
}

impl Block {
    pub fn chart(svg: String) -> Block {
        Block::Chart { svg, caption: None }
    }

    pub fn chart_with_caption(svg: String, caption: impl Into<String>) -> Block {
        Block::Chart {
            svg,
            caption: Some(caption.into()),
        }
    }

    fn write(&self, out: &mut String) {
        match self {
            Block::Kpis(kpis) => {
                out.push_str(r#"<div class="kpis">"#);
                for k in kpis {
                    let _ = write!(
                        out,
                        r#"<div class="kpi"><div class="kpi-label">{}</div><div class="kpi-value">{}</div>"#,
                        escape(&k.label),
                        escape(&k.value)
                    );
                    if let Some(note) = &k.note {
                        let _ = write!(out, r#"<div class="kpi-note">{}</div>"#, escape(note));
                    }
                    out.push_str("</div>");
                }
                out.push_str("</div>");
            }
            Block::Chart { svg, caption } => {
                out.push_str(r#"<figure class="figure">"#);
                out.push_str(svg);
                if let Some(c) = caption {
                    let _ = write!(out, "<figcaption>{}</figcaption>", escape(c));
                }
                out.push_str("</figure>");
            }
            Block::Table(t) => out.push_str(&t.to_html()),
            Block::Paragraph(p) => {
                let _ = write!(out, r#"<p class="para">{}</p>"#, escape(p));
            }
            Block::Heading(h) => {
                let _ = write!(out, "<h3>{}</h3>", escape(h));
            }
            Block::Html(html) => out.push_str(html),
            Block::Grid(blocks) => {
                out.push_str(r#"<div class="grid">"#);
                for b in blocks {
                    out.push_str(r#"<div class="cell">"#);
                    b.write(out);
                    out.push_str("</div>");
                }
                out.push_str("</div>");
            }
            Block::Callout(text) => {
                let _ = write!(out, r#"<div class="callout">{}</div>"#, escape(text));
            }
        }
    }
}

/// Anchors made safe and unique: letters, digits, `-` and `_` only.
fn anchors(sections: &[Section]) -> Vec<String> {
    let mut seen = HashSet::new();
    sections
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let clean: String =
                s.id.chars()
                    .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
                    .collect();
            let mut id = if clean.is_empty() {
                format!("section-{}", i + 1)
            } else {
                clean
            };
            while !seen.insert(id.clone()) {
                id = format!("{id}-{}", i + 1);
            }
            id
        })
        .collect()
}

/// The report's stylesheet, for pages that embed charts and tables some other way.
pub fn stylesheet() -> &'static str {
    CSS
}

impl Report {
    pub fn new(title: impl Into<String>, lang: Lang) -> Self {
        Report {
            title: title.into(),
            lang,
            ..Report::default()
        }
    }

    /// The whole document. It loads nothing: styles are inline, charts are inline SVG, and a
    /// content security policy blocks any request or script that trusted HTML might add.
    pub fn to_html(&self) -> String {
        let mut out = String::with_capacity(64 * 1024);
        let _ = write!(
            out,
            concat!(
                "<!doctype html>\n<html lang=\"{lang}\">\n<head>\n<meta charset=\"utf-8\">\n",
                "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n",
                "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; ",
                "style-src 'unsafe-inline'; img-src data:; font-src data:\">\n",
                "<title>{title}</title>\n<style>{css}</style>\n</head>\n<body>\n"
            ),
            lang = self.lang.code(),
            title = escape(&self.title),
            css = CSS
        );
        out.push_str(r#"<header class="masthead"><div class="masthead-inner">"#);
        let _ = write!(out, "<h1>{}</h1>", escape(&self.title));
        if !self.subtitle.is_empty() {
            let _ = write!(out, r#"<p class="subtitle">{}</p>"#, escape(&self.subtitle));
        }
        if !self.generated.is_empty() {
            let _ = write!(
                out,
                r#"<p class="generated">{}</p>"#,
                escape(&self.generated)
            );
        }
        out.push_str("</div></header>\n");

        let ids = anchors(&self.sections);
        out.push_str(r#"<div class="layout">"#);
        if !self.sections.is_empty() {
            let _ = write!(
                out,
                r#"<nav class="toc" aria-label="{0}"><div class="toc-title">{0}</div><ol>"#,
                self.lang.contents()
            );
            for (s, id) in self.sections.iter().zip(&ids) {
                let _ = write!(out, "<li><a href=\"#{id}\">{}</a></li>", escape(&s.title));
            }
            out.push_str("</ol></nav>\n");
        }
        out.push_str("<main>\n");
        for (s, id) in self.sections.iter().zip(&ids) {
            let _ = write!(
                out,
                r#"<section class="section" id="{id}"><h2>{}</h2>"#,
                escape(&s.title)
            );
            for b in &s.blocks {
                b.write(&mut out);
            }
            out.push_str("</section>\n");
        }
        out.push_str("</main></div>\n");
        if let Some(f) = &self.footer {
            let _ = write!(out, r#"<footer class="footer">{}</footer>"#, escape(f));
        }
        out.push_str("\n</body>\n</html>\n");
        out
    }
}

const CSS: &str = r#"
*,*::before,*::after{box-sizing:border-box}
html{-webkit-text-size-adjust:100%;scroll-behavior:smooth}
body{margin:0;background:#f4f6f8;color:#1f2937;font:15px/1.6 -apple-system,BlinkMacSystemFont,"Segoe UI","PingFang SC","Hiragino Sans GB","Microsoft YaHei","Noto Sans CJK SC","Noto Sans SC","Source Han Sans SC","WenQuanYi Micro Hei",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased}
.masthead{background:linear-gradient(120deg,#1e2b3c 0%,#2c4566 60%,#3a5f8c 100%);color:#fff}
.masthead-inner{max-width:1240px;margin:0 auto;padding:36px 24px 30px}
.masthead h1{margin:0;font-size:28px;font-weight:650;letter-spacing:.01em;line-height:1.3}
.subtitle{margin:8px 0 0;font-size:16px;color:#d7e1ee}
.generated{margin:14px 0 0;font-size:13px;color:#a9bbd1}
.layout{max-width:1240px;margin:0 auto;padding:24px;display:grid;grid-template-columns:196px minmax(0,1fr);gap:24px;align-items:start}
.toc{position:sticky;top:20px;max-height:calc(100vh - 40px);overflow-y:auto;font-size:14px}
.toc-title{font-size:12px;font-weight:600;color:#6b7280;letter-spacing:.08em;text-transform:uppercase;margin:4px 10px 8px}
.toc ol{list-style:none;margin:0;padding:0;counter-reset:toc}
.toc li{counter-increment:toc}
.toc a{display:flex;gap:8px;padding:6px 10px;border-radius:6px;color:#374151;text-decoration:none;line-height:1.4}
.toc a::before{content:counter(toc,decimal-leading-zero);color:#9ca3af;font-variant-numeric:tabular-nums}
.toc a:hover,.toc a:focus{background:#e8eef5;color:#1f2937}
main{min-width:0}
.section{background:#fff;border:1px solid #e5e8ec;border-radius:12px;box-shadow:0 1px 2px rgba(16,24,40,.04);padding:24px 28px 8px;margin:0 0 24px;scroll-margin-top:20px}
.section h2{margin:0 0 18px;font-size:20px;font-weight:650;line-height:1.35}
.section h3{margin:8px 0 12px;font-size:16px;font-weight:600;color:#374151}
.kpis{display:grid;grid-template-columns:repeat(auto-fit,minmax(172px,1fr));gap:12px;margin:0 0 22px}
.kpi{background:#f8fafc;border:1px solid #edf0f3;border-radius:10px;padding:14px 16px}
.kpi-label{font-size:13px;color:#6b7280;line-height:1.4}
.kpi-value{font-size:26px;font-weight:650;line-height:1.25;margin-top:6px;font-variant-numeric:tabular-nums;letter-spacing:-.01em;overflow-wrap:anywhere}
.kpi-note{font-size:12px;color:#6b7280;margin-top:4px;line-height:1.4}
.figure{margin:0 0 24px;overflow-x:auto}
.figure svg{max-width:100%}
figcaption{font-size:13px;color:#6b7280;margin-top:8px;line-height:1.5}
.grid{display:grid;grid-template-columns:repeat(2,minmax(0,1fr));gap:8px 32px;margin:0 0 8px}
.grid .cell{min-width:0}
.para{margin:0 0 16px;max-width:80ch;line-height:1.75;color:#374151}
.callout{border-left:4px solid #4e79a7;background:#eef4fa;color:#1f2937;padding:12px 16px;border-radius:0 8px 8px 0;margin:0 0 22px;line-height:1.6}
.table-wrap{overflow-x:auto;margin:0 0 24px}
table{border-collapse:collapse;width:100%;font-size:13.5px;line-height:1.45}
th{text-align:left;font-weight:600;color:#4b5563;border-bottom:2px solid #e5e7eb;padding:8px 12px;white-space:nowrap;background:#fafbfc}
td{border-bottom:1px solid #f0f2f4;padding:7px 12px;vertical-align:middle}
td:not(.num){min-width:8em}
tbody tr:hover{background:#f8fafc}
th.num,td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.cellbar{display:inline-block;vertical-align:middle;width:64px;height:8px;margin:-2px 10px 0 0;background:#edf1f6;border-radius:4px;overflow:hidden}
.cellbar span{display:block;height:100%;background:#4e79a7;border-radius:4px}
.table-note{font-size:12.5px;color:#6b7280;margin:8px 2px 0}
.footer{max-width:1240px;margin:0 auto;padding:8px 24px 40px;font-size:12.5px;color:#6b7280}
@media (max-width:980px){
.layout{grid-template-columns:minmax(0,1fr);padding:0 12px 12px;gap:12px}
.toc{top:0;z-index:5;margin:0 -12px;padding:8px 12px;max-height:none;background:rgba(244,246,248,.96);border-bottom:1px solid #e5e8ec}
.toc-title{display:none}
.toc ol{display:flex;gap:4px;overflow-x:auto;white-space:nowrap}
.section{padding:18px 16px 4px;scroll-margin-top:60px}
.grid{grid-template-columns:minmax(0,1fr)}
.figure svg.chart{min-width:calc(var(--w) * .7)}
.masthead-inner{padding:24px 16px 20px}
.masthead h1{font-size:23px}
}
@media print{
body{background:#fff;font-size:12pt}
.masthead{background:none;color:#111;border-bottom:2px solid #1f2937}
.masthead-inner{padding:0 0 12px}
.subtitle,.generated{color:#4b5563}
.toc{display:none}
.layout{display:block;padding:0;max-width:none}
.section{border:0;box-shadow:none;border-radius:0;padding:0;margin:18px 0 0}
.section h2,.section h3{break-after:avoid}
.figure,.kpis,.kpi,.callout,tr,.grid .cell{break-inside:avoid}
.table-wrap,.figure{overflow:visible}
.figure svg.chart{min-width:0}
tbody tr:hover{background:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
@page{margin:14mm}
"#;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::xml_check::{assert_well_formed_html, parse};
    use crate::{BarChart, Series};

    fn report() -> Report {
        let chart = BarChart {
            title: "<script>alert(1)</script>".into(),
            categories: vec!["华东".into(), "<script>".into()],
            series: vec![Series::new("GMV", vec![1.0, 2.0])],
            ..BarChart::default()
        };
        Report {
            title: "客户洞察报告 <beta>".into(),
            subtitle: "示例店铺 & 子品牌".into(),
            lang: Lang::Zh,
            generated: "生成于 2026-05-01 10:00".into(),
            sections: vec![
                Section::new("overview", "概览")
                    .with(Block::Kpis(vec![
                        Kpi::new("客户数", "12,345").note("较上年 +12%"),
                        Kpi::new("收入", "¥1,234万"),
                    ]))
                    .with(Block::Callout("前 20% 客户贡献 68.9% 收入".into()))
                    .with(Block::Paragraph("<img src=x onerror=alert(1)>".into())),
                Section::new("overview", "重复 id")
                    .with(Block::Grid(vec![
                        Block::chart(chart.to_svg()),
                        Block::chart_with_caption(chart.to_svg(), "说明"),
                    ]))
                    .with(Block::Table(Table::default())),
                Section::new("", "空 id"),
            ],
            footer: Some("数据来源: 示例".into()),
        }
    }

    #[test]
    fn the_page_is_well_formed_and_self_contained() {
        let html = report().to_html();
        assert!(html.starts_with("<!doctype html>"));
        assert!(html.contains(r#"<html lang="zh-CN">"#));
        assert!(html.contains(r#"<meta charset="utf-8">"#));
        assert_well_formed_html(&html);
        let without_ns = html.replace("http://www.w3.org/2000/svg", "");
        assert!(!without_ns.contains("http://") && !without_ns.contains("https://"));
        assert!(!without_ns.contains("//"), "no protocol-relative URLs");
        assert!(!html.contains("<script") && !html.contains("<link") && !html.contains("<img"));
        assert!(!html.contains("url("), "no CSS resources");
        assert!(!html.contains("@import"));
        assert!(html.contains("@media print"));
        assert!(html.contains("Content-Security-Policy"));
    }

    #[test]
    fn sections_get_unique_anchors_listed_in_the_contents() {
        let html = report().to_html();
        let tags = parse(&html, true).unwrap();
        let ids: Vec<&str> = tags
            .iter()
            .filter(|t| t.name == "section")
            .filter_map(|t| t.attr("id"))
            .collect();
        assert_eq!(ids, ["overview", "overview-2", "section-3"]);
        for id in ids {
            assert!(html.contains(&format!("href=\"#{id}\"")));
        }
        assert!(html.contains("<div class=\"toc-title\">目录</div>"));
        let en = Report {
            lang: Lang::En,
            ..report()
        }
        .to_html();
        assert!(en.contains(r#"<html lang="en">"#) && en.contains(">Contents<"));
    }

    #[test]
    fn caller_text_is_escaped_everywhere() {
        let html = report().to_html();
        assert!(html.contains("客户洞察报告 &lt;beta&gt;"));
        assert!(html.contains("示例店铺 &amp; 子品牌"));
        assert!(html.contains("&lt;img src=x onerror=alert(1)&gt;"));
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert_eq!(html.matches(r#"<div class="kpi">"#).count(), 2);
        assert_eq!(html.matches(r#"<figure class="figure">"#).count(), 2);
    }

    #[test]
    fn an_empty_report_still_renders() {
        let html = Report::default().to_html();
        assert_well_formed_html(&html);
        assert!(!html.contains("<nav"));
    }
}
