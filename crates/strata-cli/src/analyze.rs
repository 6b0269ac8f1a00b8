//! `strata analyze`: the customer table.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use strata_features::{AnalyzeConfig, Profile};
use strata_store::Workspace;

use crate::UserError;
use crate::config::Config;
use crate::query::{self, OutputFormat};

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Analysis date (YYYY-MM-DD): later orders are ignored. Default: the day of the latest order.
    #[arg(long, env = "STRATA_AS_OF")]
    pub as_of: Option<chrono::NaiveDate>,
    /// Also write the customer table to this file: .csv (UTF-8 with BOM, opens in Excel) or .xlsx.
    #[arg(long, value_name = "FILE")]
    pub export: Vec<PathBuf>,
}

/// The analysis settings: `[analyze]` in strata.toml, then the flags.
pub fn settings(ws: &Path, as_of: Option<chrono::NaiveDate>) -> Result<(AnalyzeConfig, String)> {
    let config = Config::load(ws)?;
    let mut cfg = config.analyze;
    if as_of.is_some() {
        cfg.as_of = as_of;
    }
    // The same precedence as import: STRATA_TIMEZONE over the file.
    let tz = std::env::var("STRATA_TIMEZONE")
        .ok()
        .filter(|t| !t.is_empty())
        .or_else(|| cfg.timezone.clone())
        .or(config.import.timezone)
        .unwrap_or_else(|| "Asia/Shanghai".to_string());
    cfg.timezone = Some(tz.clone());
    Ok((cfg, tz))
}

/// Computes and stores the customer table; returns it.
pub fn analyze(ws: &Workspace, cfg: &AnalyzeConfig, tz: &str) -> Result<Profile> {
    let ctx = strata_store::session(ws)?;
    let profile = query::runtime()?.block_on(strata_features::compute(&ctx, cfg, tz))?;
    let profile = crate::churn::with_churn(ws, &ctx, profile, cfg)?;
    strata_features::write_profile(ws, &profile)?;
    Ok(profile)
}

pub fn run(ws_dir: &Path, args: &AnalyzeArgs) -> Result<()> {
    let ws = Workspace::open(ws_dir)?;
    let (cfg, tz) = settings(ws_dir, args.as_of)?;
    for path in &args.export {
        check_export_path(path)?;
    }
    let profile = analyze(&ws, &cfg, &tz)?;
    let m = &profile.meta;
    println!(
        "analysed {} customers ({} with paid orders, {} orders) as of {} in {:.2}s; table customer_profile",
        m.customers, m.buyers, m.orders_scanned, m.as_of, m.seconds
    );
    let ws = Workspace::open(ws_dir)?;
    let summary = query::sql(&ws, SEGMENTS_SQL)?;
    query::write_batches(&mut std::io::stdout(), &summary, OutputFormat::Table)?;
    export(&profile, &args.export, &tz)?;
    Ok(())
}

pub fn check_export_path(path: &Path) -> Result<()> {
    let ok = path
        .extension()
        .and_then(|e| e.to_str())
        .is_some_and(|e| e.eq_ignore_ascii_case("csv") || e.eq_ignore_ascii_case("xlsx"));
    if !ok {
        return Err(UserError(format!(
            "--export {}: expected a file name ending in .csv or .xlsx",
            path.display()
        ))
        .into());
    }
    Ok(())
}

pub fn export(profile: &Profile, paths: &[PathBuf], tz: &str) -> Result<()> {
    let tz: chrono_tz::Tz = tz
        .parse()
        .map_err(|_| UserError(format!("time zone `{tz}` is unknown")))?;
    for path in paths {
        let rows =
            crate::export::write(std::slice::from_ref(&profile.batch), path, tz, "customers")
                .with_context(|| format!("exporting to {}", path.display()))?;
        println!("wrote {rows} customers to {}", path.display());
    }
    Ok(())
}

const SEGMENTS_SQL: &str = "
SELECT rule_segment,
  count(*) AS customers,
  CAST(100.0 * count(*) / sum(count(*)) OVER () AS DECIMAL(5,1)) AS pct_customers,
  CAST(100.0 * sum(monetary) / sum(sum(monetary)) OVER () AS DECIMAL(5,1)) AS pct_revenue,
  CAST(avg(recency_days) AS DECIMAL(8,1)) AS avg_recency_days,
  CAST(avg(orders) AS DECIMAL(8,1)) AS avg_orders
FROM customer_profile WHERE orders > 0
GROUP BY rule_segment ORDER BY pct_revenue DESC";
