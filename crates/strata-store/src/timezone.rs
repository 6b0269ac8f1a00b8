//! The shop's time zone: stored times are UTC instants, the zone is configuration. One default
//! and one parser for every crate.

use chrono_tz::Tz;

use crate::error::StoreError;

/// The zone of times written without an offset when nothing else is configured: most shops
/// Strata serves are in mainland China.
pub const DEFAULT_TIMEZONE: &str = "Asia/Shanghai";

/// An IANA time-zone name (`Asia/Shanghai`, `UTC`), or an error naming it.
pub fn parse_timezone(name: &str) -> Result<Tz, StoreError> {
    name.trim()
        .parse()
        .map_err(|_| StoreError::UnknownTimezone(name.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_parse_and_unknown_ones_are_named() {
        assert_eq!(
            parse_timezone(DEFAULT_TIMEZONE).unwrap(),
            chrono_tz::Asia::Shanghai
        );
        assert_eq!(parse_timezone(" UTC ").unwrap(), chrono_tz::UTC);
        let e = parse_timezone("Mars/Base").unwrap_err();
        assert!(e.to_string().contains("`Mars/Base`"), "{e}");
        assert!(!e.is_user_error() || e.kind() == crate::ErrorKind::Invalid);
    }
}
