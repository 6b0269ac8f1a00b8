//! `strata analyze`: the customer table.

use std::path::{Path, PathBuf};

use clap::Args;
use strata_app::export::{self, Export, TABLE_FORMATS};
use strata_app::{Overrides, Result, Session};

use crate::output::{OutputFormat, print_batches};

#[derive(Debug, Args)]
pub struct AnalyzeArgs {
    /// Analysis date (YYYY-MM-DD): later orders are ignored. Default: the day of the latest order.
    #[arg(long, env = "STRATA_AS_OF", value_parser = crate::date)]
    pub as_of: Option<chrono::NaiveDate>,
    /// Also write the customer table to this file: .csv (UTF-8 with BOM, opens in Excel) or .xlsx.
    #[arg(long, value_name = "FILE")]
    pub export: Vec<PathBuf>,
}

pub fn run(ws: &Path, a: &AnalyzeArgs) -> Result<()> {
    let mut session = open_as_of(ws, a.as_of)?;
    for path in &a.export {
        export::Format::of_path(path, TABLE_FORMATS)?;
    }
    let analysis = strata_app::analyze::analyze(&mut session)?;
    print_analysis(&analysis);
    print_batches(
        &strata_app::analyze::segment_summary(&session)?,
        OutputFormat::Table,
    )?;
    let batches = std::slice::from_ref(&analysis.profile.batch);
    for path in &a.export {
        let rows = export::to_path(
            path,
            TABLE_FORMATS,
            &Export::table(batches, "customers"),
            session.settings.timezone(),
        )?;
        println!("wrote {rows} customers to {}", path.display());
    }
    Ok(())
}

/// What an analysis says first: its warnings, what it counted and its date.
pub fn print_analysis(analysis: &strata_app::analyze::Analysis) {
    warn(&analysis.warnings);
    let m = &analysis.profile.meta;
    println!(
        "analysed {} customers ({} with paid orders, {} orders) {} in {:.2}s; table customer_profile",
        m.customers,
        m.buyers,
        m.orders_used.unwrap_or(m.orders_scanned),
        analysis.as_of.describe(),
        m.seconds
    );
    if let Some(r) = &analysis.segments {
        for (name, why) in &r.skipped {
            eprintln!("warning: segment {name} was not refreshed: {why}");
        }
        let changed: u64 = r.segments.iter().map(|s| s.entered + s.left).sum();
        println!(
            "refreshed {} segments in {:.2}s ({changed} customers entered or left); `strata segment list`",
            r.segments.len(),
            r.seconds
        );
    }
}

/// The workspace with the analysis date a flag gave, if any.
pub fn open_as_of(ws: &Path, as_of: Option<chrono::NaiveDate>) -> Result<Session> {
    Session::open(
        ws,
        &Overrides {
            as_of,
            ..Overrides::default()
        },
    )
}

/// Prints what the layer said without failing.
pub fn warn(warnings: &[String]) {
    for w in warnings {
        eprintln!("warning: {w}");
    }
}
