//! `strata.toml`: settings kept with a workspace. Precedence is file < environment < flag;
//! clap handles the last two, this file the first.

use std::path::Path;

use anyhow::{Context, Result};
use serde::Deserialize;

/// The file `strata init` writes, with every setting and its default.
pub const TEMPLATE: &str = r#"# Strata workspace settings. Command-line flags and STRATA_* environment variables override
# these.

[import]
# Time zone of times written without an offset (most shop exports).
timezone = "Asia/Shanghai"
# Currency of amounts written without a symbol or code.
currency = "CNY"
# true when amounts are written like 1.299,00 (European locales).
decimal_comma = false
# true when dates like 03/04/2026 mean 3 April.
day_first = false
"#;

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    #[serde(default)]
    pub import: ImportConfig,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ImportConfig {
    pub timezone: Option<String>,
    pub currency: Option<String>,
    pub decimal_comma: Option<bool>,
    pub day_first: Option<bool>,
}

impl Config {
    /// Reads `strata.toml` from the workspace, or the defaults when there is none.
    pub fn load(workspace: &Path) -> Result<Config> {
        let path = workspace.join("strata.toml");
        match std::fs::read_to_string(&path) {
            Ok(text) => toml::from_str(&text)
                .with_context(|| format!("{}: invalid settings", path.display())),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Config::default()),
            Err(e) => Err(e).with_context(|| format!("cannot read {}", path.display())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_template_is_valid_and_complete() {
        let c: Config = toml::from_str(TEMPLATE).unwrap();
        assert_eq!(c.import.timezone.as_deref(), Some("Asia/Shanghai"));
        assert_eq!(c.import.decimal_comma, Some(false));
    }
}
