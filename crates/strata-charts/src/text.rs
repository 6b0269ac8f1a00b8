//! Text width estimates for layout without a font engine.

/// Width of one character in em. CJK and full-width forms take a whole em in every Chinese
/// font; Latin widths vary by glyph, so a few classes keep the estimate close without erring
/// much on the narrow side (an overestimate wastes a little space, an underestimate overlaps).
fn char_em(c: char) -> f64 {
    match c {
        '\u{1100}'..='\u{115F}'
        | '\u{2E80}'..='\u{A4CF}'
        | '\u{AC00}'..='\u{D7A3}'
        | '\u{F900}'..='\u{FAFF}'
        | '\u{FE30}'..='\u{FE4F}'
        | '\u{FF00}'..='\u{FF60}'
        | '\u{FFE0}'..='\u{FFE6}'
        | '\u{20000}'..='\u{3FFFD}' => 1.0,
        '\u{1F000}'..='\u{1FAFF}' => 1.2,
        '…' | '→' | '←' | '—' | '¥' | '€' | '£' => 0.8,
        'i' | 'j' | 'l' | '.' | ',' | ':' | ';' | '\'' | '|' | '!' | ' ' | 'I' | '·' => 0.3,
        'f' | 't' | 'r' | '(' | ')' | '[' | ']' | '-' | '/' => 0.38,
        'm' | 'w' | 'M' | 'W' | '%' | '@' => 0.88,
        'A'..='Z' => 0.66,
        '0'..='9' | '$' | '#' | '+' | '=' | '<' | '>' | '~' | '_' => 0.56,
        c if c.is_ascii() => 0.55,
        _ => 0.62,
    }
}

/// Estimated width in pixels of `s` set in a font of `size` pixels: about 1.0 em per CJK
/// character and 0.55 em per Latin one.
pub fn text_width(s: &str, size: f64) -> f64 {
    s.chars().map(char_em).sum::<f64>() * size
}

/// `s` cut to fit `max_w` pixels with a trailing "…", or `None` when it already fits.
pub(crate) fn truncate(s: &str, max_w: f64, size: f64) -> Option<String> {
    if text_width(s, size) <= max_w {
        return None;
    }
    let budget = max_w - char_em('…') * size;
    let mut used = 0.0;
    let mut out = String::new();
    for c in s.chars() {
        used += char_em(c) * size;
        if used > budget {
            break;
        }
        out.push(c);
    }
    let kept = out.trim_end().len();
    out.truncate(kept);
    out.push('…');
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cjk_characters_are_one_em_and_latin_about_half() {
        assert_eq!(text_width("重要价值客户", 10.0), 60.0);
        let latin = text_width("customer", 10.0);
        assert!((35.0..=50.0).contains(&latin), "{latin}");
    }

    #[test]
    fn truncate_keeps_short_text_and_cuts_long_text_to_fit() {
        assert_eq!(truncate("华东", 100.0, 12.0), None);
        let cut = truncate("华东地区重要价值客户群体", 60.0, 12.0).unwrap();
        assert!(cut.ends_with('…'));
        assert!(text_width(&cut, 12.0) <= 60.0, "{cut}");
        assert!(cut.starts_with("华东"));
    }
}
