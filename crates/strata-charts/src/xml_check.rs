//! A small markup checker for tests: tags balance, attributes are quoted, entities are
//! well-formed. HTML mode also allows a doctype, void elements and raw `<style>` text.

use std::collections::HashSet;

/// A start tag: its name and attributes (values still escaped).
pub struct Tag {
    pub name: String,
    pub attrs: Vec<(String, String)>,
}

impl Tag {
    pub fn attr(&self, name: &str) -> Option<&str> {
        self.attrs
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

const VOID: [&str; 9] = [
    "meta", "link", "br", "hr", "img", "input", "col", "source", "wbr",
];

fn check_entity(s: &str, at: usize) -> Result<usize, String> {
    let rest = &s[at + 1..];
    let end = rest
        .find(';')
        .filter(|&e| e <= 10)
        .ok_or_else(|| format!("bare & at {at}: {:?}", &s[at..(at + 20).min(s.len())]))?;
    let name = &rest[..end];
    let ok = match name.strip_prefix('#') {
        Some(num) => match num.strip_prefix('x') {
            Some(hex) => !hex.is_empty() && hex.chars().all(|c| c.is_ascii_hexdigit()),
            None => !num.is_empty() && num.chars().all(|c| c.is_ascii_digit()),
        },
        None => !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric()),
    };
    if ok {
        Ok(at + end + 2)
    } else {
        Err(format!("bad entity &{name}; at {at}"))
    }
}

/// Parses `doc`, returning every start tag in order, or what is malformed.
pub fn parse(doc: &str, html: bool) -> Result<Vec<Tag>, String> {
    let b = doc.as_bytes();
    let mut stack: Vec<String> = Vec::new();
    let mut tags = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'&' => i = check_entity(doc, i)?,
            b'<' if doc[i..].starts_with("<!--") => {
                i += doc[i..].find("-->").ok_or("unclosed comment")? + 3;
            }
            b'<' if html && doc[i..].to_ascii_lowercase().starts_with("<!doctype") => {
                i += doc[i..].find('>').ok_or("unclosed doctype")? + 1;
            }
            b'<' if doc[i..].starts_with("</") => {
                let end = i + doc[i..].find('>').ok_or("unclosed end tag")?;
                let name = doc[i + 2..end].trim();
                match stack.pop() {
                    Some(open) if open == name => {}
                    other => return Err(format!("</{name}> at {i} closes {other:?}")),
                }
                i = end + 1;
            }
            b'<' => {
                i += 1;
                let start = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'-' || b[i] == b':')
                {
                    i += 1;
                }
                let name = doc[start..i].to_string();
                if name.is_empty() {
                    return Err(format!("raw < at {start}"));
                }
                let mut attrs: Vec<(String, String)> = Vec::new();
                let mut seen = HashSet::new();
                let self_closing = loop {
                    while i < b.len() && b[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    match b.get(i) {
                        None => return Err(format!("unclosed <{name}")),
                        Some(b'>') => {
                            i += 1;
                            break false;
                        }
                        Some(b'/') if b.get(i + 1) == Some(&b'>') => {
                            i += 2;
                            break true;
                        }
                        _ => {}
                    }
                    let a0 = i;
                    while i < b.len() && !matches!(b[i], b'=' | b'>' | b'/' | b' ' | b'\n') {
                        i += 1;
                    }
                    let key = doc[a0..i].to_string();
                    if key.is_empty() || b.get(i) != Some(&b'=') {
                        return Err(format!("attribute {key:?} of <{name}> without a value"));
                    }
                    i += 1;
                    let quote = *b.get(i).ok_or("eof")?;
                    if quote != b'"' && quote != b'\'' {
                        return Err(format!("unquoted attribute {key} of <{name}>"));
                    }
                    let v0 = i + 1;
                    let v1 = v0
                        + doc[v0..]
                            .find(quote as char)
                            .ok_or("unclosed attribute value")?;
                    let value = &doc[v0..v1];
                    if value.contains('<') {
                        return Err(format!("raw < in attribute {key} of <{name}>"));
                    }
                    let mut j = 0;
                    while let Some(amp) = value[j..].find('&') {
                        j = check_entity(value, j + amp)?;
                    }
                    if !seen.insert(key.clone()) {
                        return Err(format!("duplicate attribute {key} on <{name}>"));
                    }
                    attrs.push((key, value.to_string()));
                    i = v1 + 1;
                };
                let void = html && VOID.contains(&name.as_str());
                if html && (name == "style" || name == "script") {
                    let close = format!("</{name}>");
                    i += doc[i..].find(&close).ok_or("unclosed raw text element")? + close.len();
                } else if !self_closing && !void {
                    stack.push(name.clone());
                }
                tags.push(Tag { name, attrs });
            }
            _ => i += 1,
        }
    }
    match stack.last() {
        Some(open) => Err(format!("<{open}> never closed")),
        None => Ok(tags),
    }
}

#[track_caller]
pub fn assert_well_formed(svg: &str) {
    if let Err(e) = parse(svg, false) {
        panic!("malformed SVG: {e}\n{svg}");
    }
    assert!(svg.starts_with("<svg ") && svg.ends_with("</svg>"));
}

#[track_caller]
pub fn assert_well_formed_html(doc: &str) {
    if let Err(e) = parse(doc, true) {
        panic!("malformed HTML: {e}");
    }
}

/// The numeric `attr` of every `<tag>` whose class list holds `class`, in document order.
pub fn attr_values(doc: &str, tag: &str, class: &str, attr: &str) -> Vec<f64> {
    parse(doc, false)
        .expect("well-formed")
        .iter()
        .filter(|t| t.name == tag)
        .filter(|t| {
            t.attr("class")
                .is_some_and(|c| c.split(' ').any(|c| c == class))
        })
        .map(|t| t.attr(attr).expect("attribute").parse().expect("number"))
        .collect()
}

pub fn count(doc: &str, pattern: &str) -> usize {
    doc.matches(pattern).count()
}

#[test]
fn the_checker_catches_mistakes() {
    assert!(parse("<svg><g></svg>", false).is_err());
    assert!(parse("<svg><text>a < b</text></svg>", false).is_err());
    assert!(parse("<svg><text>a & b</text></svg>", false).is_err());
    assert!(parse(r#"<svg x=1></svg>"#, false).is_err());
    assert!(parse(r#"<svg x="1" x="2"></svg>"#, false).is_err());
    assert!(parse(r#"<svg><rect x="1"/><text>&amp;&#39;</text></svg>"#, false).is_ok());
    assert!(
        parse(
            "<!doctype html><html><meta charset=\"utf-8\"><style>a>b{}</style></html>",
            true
        )
        .is_ok()
    );
}
