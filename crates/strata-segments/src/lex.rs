//! Tokens of a rule, each with its place in the text.

use crate::ast::Span;
use crate::error::Problem;

#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// A bare word: letters (any script), digits, `_`; not starting with a digit unless it
    /// has a letter too (`8A12`).
    Word(String),
    /// A number as written: `12`, `0.6`, `-5`.
    Number(String),
    /// A date: `2026-10-01`, `2026/10/1`.
    Date(chrono::NaiveDate),
    /// Text in quotes, unescaped.
    Text(String),
    LParen,
    RParen,
    Comma,
    Op(&'static str),
    AndSym,
    OrSym,
    NotSym,
}

impl Tok {
    /// How the token reads in a message.
    pub fn describe(&self) -> String {
        match self {
            Tok::Word(w) => format!("`{w}`"),
            Tok::Number(n) => format!("`{n}`"),
            Tok::Date(d) => format!("`{d}`"),
            Tok::Text(t) => format!("\"{t}\""),
            Tok::LParen => "`(`".into(),
            Tok::RParen => "`)`".into(),
            Tok::Comma => "`,`".into(),
            Tok::Op(o) => format!("`{o}`"),
            Tok::AndSym => "`&&`".into(),
            Tok::OrSym => "`||`".into(),
            Tok::NotSym => "`!`".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Token {
    pub tok: Tok,
    pub span: Span,
}

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Splits `text` into tokens; characters that start no token are problems, skipped.
pub fn lex(text: &str) -> (Vec<Token>, Vec<Problem>) {
    let mut out = Vec::new();
    let mut problems = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let end_of = |i: usize| chars.get(i).map_or(text.len(), |&(b, _)| b);
    let mut i = 0;
    while i < chars.len() {
        let (start, c) = chars[i];
        if c.is_whitespace() {
            i += 1;
            continue;
        }
        let single = |tok: Tok, n: usize| (tok, n);
        let two = chars.get(i + 1).map(|&(_, c)| c);
        let (tok, n) = match (c, two) {
            ('(' | '（', _) => single(Tok::LParen, 1),
            (')' | '）', _) => single(Tok::RParen, 1),
            (',' | '，' | '、', _) => single(Tok::Comma, 1),
            ('&', Some('&')) => single(Tok::AndSym, 2),
            ('|', Some('|')) => single(Tok::OrSym, 2),
            ('!', Some('=')) => single(Tok::Op("!="), 2),
            ('<', Some('>')) => single(Tok::Op("!="), 2),
            ('<', Some('=')) => single(Tok::Op("<="), 2),
            ('>', Some('=')) => single(Tok::Op(">="), 2),
            ('=', Some('=')) => single(Tok::Op("="), 2),
            ('!', _) => single(Tok::NotSym, 1),
            ('<', _) => single(Tok::Op("<"), 1),
            ('>', _) => single(Tok::Op(">"), 1),
            ('=', _) => single(Tok::Op("="), 1),
            ('≥', _) => single(Tok::Op(">="), 1),
            ('≤', _) => single(Tok::Op("<="), 1),
            ('≠', _) => single(Tok::Op("!="), 1),
            ('"' | '\'' | '“' | '‘', _) => {
                let close = match c {
                    '“' => '”',
                    '‘' => '’',
                    q => q,
                };
                let mut j = i + 1;
                let mut s = String::new();
                let mut closed = false;
                while j < chars.len() {
                    let ch = chars[j].1;
                    if ch == '\\' && j + 1 < chars.len() {
                        s.push(chars[j + 1].1);
                        j += 2;
                        continue;
                    }
                    if ch == close {
                        closed = true;
                        j += 1;
                        break;
                    }
                    s.push(ch);
                    j += 1;
                }
                if !closed {
                    problems.push(Problem::at(
                        text,
                        Span::new(start, text.len()),
                        format!("text opened with {c} is not closed; expected a closing {close}"),
                    ));
                }
                (Tok::Text(s), j - i)
            }
            (c, next)
                if c.is_ascii_digit() || (c == '-' && next.is_some_and(|d| d.is_ascii_digit())) =>
            {
                // A number, a date, or a word that starts with digits (`8A12`).
                let mut j = i + 1;
                while j < chars.len()
                    && (is_word_char(chars[j].1) || matches!(chars[j].1, '.' | '-' | '/'))
                {
                    j += 1;
                }
                let raw = &text[start..end_of(j)];
                if let Some(d) = date(raw) {
                    (Tok::Date(d), j - i)
                } else if number(raw) {
                    (Tok::Number(raw.to_string()), j - i)
                } else {
                    // Digits then letters: a word (`8A12`, `7days`). Stop at punctuation.
                    let mut k = i + 1;
                    while k < chars.len() && is_word_char(chars[k].1) {
                        k += 1;
                    }
                    let raw = &text[start..end_of(k)];
                    if number(raw) {
                        (Tok::Number(raw.to_string()), k - i)
                    } else {
                        (Tok::Word(raw.to_string()), k - i)
                    }
                }
            }
            (c, _) if is_word_char(c) => {
                let mut j = i + 1;
                while j < chars.len() && is_word_char(chars[j].1) {
                    j += 1;
                }
                (Tok::Word(text[start..end_of(j)].to_string()), j - i)
            }
            (c, _) => {
                problems.push(Problem::at(
                    text,
                    Span::new(start, end_of(i + 1)),
                    format!("unexpected character `{c}`"),
                ));
                i += 1;
                continue;
            }
        };
        out.push(Token {
            tok,
            span: Span::new(start, end_of(i + n)),
        });
        i += n;
    }
    (out, problems)
}

fn number(s: &str) -> bool {
    let t = s.strip_prefix('-').unwrap_or(s);
    !t.is_empty()
        && t.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && t.bytes().filter(|&b| b == b'.').count() <= 1
        && t.bytes().next().is_some_and(|b| b.is_ascii_digit())
        && t.bytes().last().is_some_and(|b| b.is_ascii_digit())
}

fn date(s: &str) -> Option<chrono::NaiveDate> {
    let parts: Vec<&str> = s.split(['-', '/']).collect();
    let [y, m, d] = parts[..] else {
        return None;
    };
    if y.len() != 4 || m.is_empty() || m.len() > 2 || d.is_empty() || d.len() > 2 {
        return None;
    }
    chrono::NaiveDate::from_ymd_opt(y.parse().ok()?, m.parse().ok()?, d.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &str) -> Vec<Tok> {
        let (t, p) = lex(s);
        assert!(p.is_empty(), "{p:?}");
        t.into_iter().map(|t| t.tok).collect()
    }

    #[test]
    fn words_numbers_dates_text_and_operators() {
        assert_eq!(
            toks("clv_12m>=2000 and 上海 != \"At risk\""),
            vec![
                Tok::Word("clv_12m".into()),
                Tok::Op(">="),
                Tok::Number("2000".into()),
                Tok::Word("and".into()),
                Tok::Word("上海".into()),
                Tok::Op("!="),
                Tok::Text("At risk".into()),
            ]
        );
        assert_eq!(
            toks("(2026-10-01, -0.5, 8A12)"),
            vec![
                Tok::LParen,
                Tok::Date(chrono::NaiveDate::from_ymd_opt(2026, 10, 1).unwrap()),
                Tok::Comma,
                Tok::Number("-0.5".into()),
                Tok::Comma,
                Tok::Word("8A12".into()),
                Tok::RParen,
            ]
        );
        assert_eq!(
            toks("（钻石，金）"),
            vec![
                Tok::LParen,
                Tok::Word("钻石".into()),
                Tok::Comma,
                Tok::Word("金".into()),
                Tok::RParen
            ]
        );
    }

    #[test]
    fn bad_characters_and_open_quotes_are_problems_with_places() {
        let (_, p) = lex("a = 1 # b");
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].line, p[0].column), (1, 7));
        let (t, p) = lex("name = \"abc");
        assert_eq!(t.len(), 3);
        assert!(p[0].message.contains("not closed"), "{p:?}");
    }
}
