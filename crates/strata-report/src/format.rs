//! Number formats the chapters share: money, shares, and headline money in 万/亿 or M/B.

use strata_charts::{Format, Lang, format_value};

pub(crate) const YUAN: Format = Format::Money {
    symbol: "¥",
    decimals: 0,
};
pub(crate) const PCT: Format = Format::Percent(1);

pub(crate) fn pct(v: f64) -> String {
    format_value(v, PCT)
}

/// Money for a headline: ¥6,155.4万 / ¥61.6M from a million up, exact below.
pub(crate) fn compact_money(lang: Lang, v: f64) -> String {
    if v.abs() < 1e6 {
        return format_value(v, YUAN);
    }
    match lang {
        Lang::Zh if v.abs() >= 1e8 => format!("¥{}亿", format_value(v / 1e8, Format::Decimal(2))),
        Lang::Zh => format!("¥{}万", format_value(v / 1e4, Format::Decimal(1))),
        Lang::En if v.abs() >= 1e9 => format!("¥{}B", format_value(v / 1e9, Format::Decimal(2))),
        Lang::En => format!("¥{}M", format_value(v / 1e6, Format::Decimal(1))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headline_money_is_compact() {
        assert_eq!(compact_money(Lang::Zh, 61_554_117.0), "¥6,155.4万");
        assert_eq!(compact_money(Lang::En, 61_554_117.0), "¥61.6M");
        assert_eq!(compact_money(Lang::Zh, 3.2e8), "¥3.20亿");
        assert_eq!(compact_money(Lang::En, 999_999.0), "¥999,999");
    }
}
