//! The report's HTML structure against checked-in snapshots: chapters, headings, blocks,
//! charts and table headers, with no number that a tiny change in the data would move. A
//! change to the report's layout or words shows here as a readable diff; bless it with
//! `STRATA_BLESS=1 cargo test -p strata-report report_structure`.

use strata_charts::Lang;

use crate::{demo_shop, report};

#[test]
fn report_structure_matches_the_snapshots() {
    let shop = demo_shop(300);
    for (lang, file) in [(Lang::Zh, "report-zh.txt"), (Lang::En, "report-en.txt")] {
        check(file, &structure(&report(&shop, lang)));
    }
}

/// Compares `actual` with the snapshot `file`, or writes it when `STRATA_BLESS` is set.
fn check(file: &str, actual: &str) {
    let path = strata_testkit::manifest_dir()
        .join("tests/it/snapshots")
        .join(file);
    strata_testkit::snapshot::check(
        &path,
        actual,
        "STRATA_BLESS=1 cargo test -p strata-report report_structure",
    );
}

/// Elements whose text is structure (fixed words), not data.
const TEXT_OF: [&str; 6] = ["h1", "h2", "h3", "th", "a", "kpi-label"];

/// Elements without a closing tag.
const VOID: [&str; 4] = ["meta", "br", "img", "link"];

/// The document as one line per element, indented by depth: the tag, `#id`, `.class`es, and
/// the text of headings, table header cells, contents links and KPI labels. A chart is one
/// line with its accessible name; table bodies, the style sheet and body text are left out, as
/// they hold the data.
fn structure(html: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    let mut rest = html;
    // Depth at which skipping began (inside <svg>, <tbody>, <style>, <title>).
    let mut skip: Option<usize> = None;
    while let Some(open) = rest.find('<') {
        let Some(close) = rest[open..].find('>') else {
            break;
        };
        let tag = &rest[open + 1..open + close];
        let after = &rest[open + close + 1..];
        rest = after;
        if tag.starts_with('!') {
            continue;
        }
        if let Some(name) = tag.strip_prefix('/') {
            depth = depth.saturating_sub(1);
            if skip == Some(depth) && matches!(name.trim(), "svg" | "tbody" | "style" | "title") {
                skip = None;
            }
            continue;
        }
        let self_closing = tag.ends_with('/');
        let name = tag
            .split(|c: char| c.is_whitespace() || c == '/')
            .next()
            .unwrap_or_default();
        if skip.is_none() {
            let mut line = format!("{}{name}", "  ".repeat(depth));
            if let Some(id) = attr(tag, "id") {
                line.push('#');
                line.push_str(&id);
            }
            let classes = attr(tag, "class").unwrap_or_default();
            for c in classes.split_whitespace() {
                line.push('.');
                line.push_str(c);
            }
            if name == "svg" {
                line.push_str(&format!(
                    " \"{}\"",
                    attr(tag, "aria-label").unwrap_or_default()
                ));
            }
            if TEXT_OF.contains(&name) || classes.split_whitespace().any(|c| TEXT_OF.contains(&c)) {
                line.push_str(": ");
                line.push_str(&text(after, name));
            }
            out.push_str(&line);
            out.push('\n');
            if matches!(name, "svg" | "tbody" | "style" | "title") {
                skip = Some(depth);
            }
        }
        if !self_closing && !VOID.contains(&name) {
            depth += 1;
        }
    }
    out
}

/// The value of attribute `name` in a start tag.
fn attr(tag: &str, name: &str) -> Option<String> {
    let key = format!(" {name}=\"");
    let start = tag.find(&key)? + key.len();
    let end = tag[start..].find('"')?;
    Some(tag[start..start + end].to_string())
}

/// The text of the element that starts `html`, up to its closing `</name>`, without tags.
fn text(html: &str, name: &str) -> String {
    let end = html.find(&format!("</{name}>")).unwrap_or(html.len());
    let mut s = String::new();
    let mut in_tag = false;
    for c in html[..end].chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => s.push(c),
            _ => {}
        }
    }
    s
}
