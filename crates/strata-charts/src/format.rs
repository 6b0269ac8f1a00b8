//! Number formats for value labels, tooltips, tables and axis ticks.

use crate::Lang;

/// How a value is written.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Format {
    /// Rounded to a whole number with thousands separators: `1,234,567`.
    #[default]
    Integer,
    /// With this many decimals and thousands separators: `1,234.57`.
    Decimal(u8),
    /// A fraction written as a percentage with this many decimals: `0.123` → `12.3%`.
    Percent(u8),
    /// An amount with a currency symbol before it: `¥1,234.50`, `-$12`.
    Money { symbol: &'static str, decimals: u8 },
}

impl Format {
    /// Renminbi with this many decimals.
    pub const fn yuan(decimals: u8) -> Format {
        Format::Money {
            symbol: "¥",
            decimals,
        }
    }
}

/// Writes `v` in format `f`; non-finite values are written as "–".
pub fn format_value(v: f64, f: Format) -> String {
    if !v.is_finite() {
        return "–".to_string();
    }
    match f {
        Format::Integer => grouped(v, 0),
        Format::Decimal(d) => grouped(v, d),
        Format::Percent(d) => format!("{}%", grouped(v * 100.0, d)),
        Format::Money { symbol, decimals } => signed_money(grouped(v, decimals), symbol),
    }
}

/// Puts a currency symbol after the minus sign: `-¥12`, not `¥-12`.
fn signed_money(number: String, symbol: &str) -> String {
    match number.strip_prefix('-') {
        Some(rest) => format!("-{symbol}{rest}"),
        None => format!("{symbol}{number}"),
    }
}

/// `v` with `decimals` decimals and a comma every three integer digits. A value that rounds to
/// zero has no minus sign.
fn grouped(v: f64, decimals: u8) -> String {
    let digits = format!("{:.*}", usize::from(decimals.min(12)), v.abs());
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits.as_str(), None),
    };
    let mut out = String::with_capacity(digits.len() + int.len() / 3 + 1);
    if v < 0.0 && digits.bytes().any(|b| (b'1'..=b'9').contains(&b)) {
        out.push('-');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(frac) = frac {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// Decimals needed to tell apart multiples of `step`.
pub(crate) fn decimals_for(step: f64) -> u8 {
    if !step.is_finite() || step <= 0.0 || step >= 1.0 {
        return 0;
    }
    ((-step.log10()) - 1e-9).ceil().clamp(0.0, 12.0) as u8
}

/// The customary unit for numbers up to `max_abs`: 万 and 亿 in Chinese (from 100,000, so
/// that small ticks never read "0.5万"), K, M and B in English (from 10,000).
fn unit(max_abs: f64, lang: Lang) -> Option<(f64, &'static str)> {
    match lang {
        Lang::Zh if max_abs >= 1e8 => Some((1e8, "亿")),
        Lang::Zh if max_abs >= 1e5 => Some((1e4, "万")),
        Lang::En if max_abs >= 1e9 => Some((1e9, "B")),
        Lang::En if max_abs >= 1e6 => Some((1e6, "M")),
        Lang::En if max_abs >= 1e4 => Some((1e3, "K")),
        _ => None,
    }
}

/// `number` (already scaled) with its unit and, for money, the currency symbol.
fn with_unit(v: f64, decimals: u8, scale: f64, suffix: &str, f: Format) -> String {
    let number = if v == 0.0 {
        "0".to_string()
    } else {
        grouped(v / scale, decimals) + suffix
    };
    match f {
        Format::Money { symbol, .. } => signed_money(number, symbol),
        _ => number,
    }
}

/// An axis tick: as few decimals as the step needs, and large numbers shortened with the
/// customary unit so axes stay narrow.
pub(crate) fn format_tick(v: f64, step: f64, max_abs: f64, f: Format, lang: Lang) -> String {
    if let Format::Percent(_) = f {
        return format_value(v, Format::Percent(decimals_for(step * 100.0)));
    }
    let (scale, suffix) = unit(max_abs, lang).unwrap_or((1.0, ""));
    with_unit(v, decimals_for(step / scale), scale, suffix, f)
}

/// A value label on a chart whose largest value is `max_abs`: written in full below a million,
/// in units above (¥1,284万, $12.8M), with the same decimals on every label of the chart.
/// Tooltips keep the full value.
pub(crate) fn format_label(v: f64, f: Format, max_abs: f64, lang: Lang) -> String {
    if !v.is_finite() || matches!(f, Format::Percent(_)) || max_abs < 1e6 {
        return format_value(v, f);
    }
    let Some((scale, suffix)) = unit(max_abs, lang) else {
        return format_value(v, f);
    };
    let m = max_abs / scale;
    let decimals = if m >= 100.0 {
        0
    } else if m >= 10.0 {
        1
    } else {
        2
    };
    with_unit(v, decimals, scale, suffix, f)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_get_thousands_separators() {
        assert_eq!(format_value(1_234_567.0, Format::Integer), "1,234,567");
        assert_eq!(format_value(999.4, Format::Integer), "999");
        assert_eq!(format_value(1000.0, Format::Integer), "1,000");
        assert_eq!(format_value(-1234.0, Format::Integer), "-1,234");
        assert_eq!(format_value(0.0, Format::Integer), "0");
        assert_eq!(format_value(-0.2, Format::Integer), "0");
    }

    #[test]
    fn decimals_percent_and_money() {
        assert_eq!(format_value(1234.5678, Format::Decimal(2)), "1,234.57");
        assert_eq!(format_value(0.123, Format::Percent(1)), "12.3%");
        assert_eq!(format_value(0.5, Format::Percent(0)), "50%");
        assert_eq!(format_value(1234.5, Format::yuan(2)), "¥1,234.50");
        assert_eq!(format_value(1234.0, Format::yuan(0)), "¥1,234");
        assert_eq!(
            format_value(
                -12.0,
                Format::Money {
                    symbol: "$",
                    decimals: 0
                }
            ),
            "-$12"
        );
        assert_eq!(format_value(f64::NAN, Format::Integer), "–");
        assert_eq!(format_value(f64::INFINITY, Format::Percent(1)), "–");
    }

    #[test]
    fn ticks_use_units_for_large_numbers() {
        assert_eq!(
            format_tick(200_000.0, 200_000.0, 1e6, Format::Integer, Lang::Zh),
            "20万"
        );
        assert_eq!(
            format_tick(200_000.0, 200_000.0, 1e6, Format::Integer, Lang::En),
            "0.2M"
        );
        assert_eq!(
            format_tick(0.0, 5000.0, 15000.0, Format::Integer, Lang::Zh),
            "0"
        );
        assert_eq!(
            format_tick(5000.0, 5000.0, 15000.0, Format::Integer, Lang::Zh),
            "5,000"
        );
        assert_eq!(
            format_tick(5000.0, 5000.0, 15000.0, Format::Integer, Lang::En),
            "5K"
        );
        assert_eq!(
            format_tick(3e8, 1e8, 5e8, Format::yuan(2), Lang::Zh),
            "¥3亿"
        );
        assert_eq!(format_tick(0.0, 2e5, 1e6, Format::yuan(2), Lang::Zh), "¥0");
        assert_eq!(
            format_tick(0.4, 0.2, 1.0, Format::Percent(1), Lang::En),
            "40%"
        );
        assert_eq!(
            format_tick(0.5, 0.5, 3.0, Format::Decimal(2), Lang::En),
            "0.5"
        );
        assert_eq!(
            format_tick(800.0, 200.0, 1000.0, Format::Integer, Lang::En),
            "800"
        );
    }

    #[test]
    fn labels_of_large_values_use_units_with_even_decimals() {
        let max = 12_840_000.0;
        let zh = |v| format_label(v, Format::yuan(0), max, Lang::Zh);
        assert_eq!(zh(12_840_000.0), "¥1,284万");
        assert_eq!(zh(1_080_000.0), "¥108万");
        let en = |v| format_label(v, Format::Integer, max, Lang::En);
        assert_eq!(en(12_840_000.0), "12.8M");
        assert_eq!(en(1_080_000.0), "1.1M");
        assert_eq!(en(-2_500_000.0), "-2.5M");
        assert_eq!(
            format_label(48_216.0, Format::Integer, 48_216.0, Lang::Zh),
            "48,216"
        );
        assert_eq!(
            format_label(0.5, Format::Percent(1), 2e6, Lang::Zh),
            "50.0%"
        );
    }
}
