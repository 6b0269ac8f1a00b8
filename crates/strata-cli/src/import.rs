//! `strata import`.

use std::path::{Path, PathBuf};

use clap::Args;
use strata_app::import::ImportRequest;
use strata_app::{Overrides, Result, Session};
use strata_import::ImportSummary;

use crate::output::Bar;

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Table to import into: customers, orders, order-items, events or reviews.
    pub table: String,
    /// Files to import (CSV, TSV, XLSX, JSON Lines, Parquet), committed together.
    #[arg(required = true)]
    pub files: Vec<PathBuf>,
    /// Map a column: canonical=HEADER, for example order_id=单号. Repeatable.
    #[arg(long = "map", value_name = "COLUMN=HEADER")]
    pub map: Vec<String>,
    /// Read a value as another: COLUMN:VALUE=CANONICAL, for example status:待评价=paid.
    /// Repeatable.
    #[arg(long = "map-value", value_name = "COLUMN:VALUE=CANONICAL")]
    pub map_values: Vec<String>,
    /// A TOML mapping file: [orders] order_id = "单号"; [orders.values.status] "待评价" = "paid".
    #[arg(long, env = "STRATA_MAPPING")]
    pub mapping: Option<PathBuf>,
    /// File format, when the extension does not say: csv, tsv, xlsx, jsonl, parquet.
    #[arg(long)]
    pub format: Option<String>,
    /// Text encoding of CSV/TSV: utf-8, gbk, gb18030, utf-16le. Detected when not given.
    #[arg(long)]
    pub encoding: Option<String>,
    /// Field delimiter of CSV files (one character, or `tab`). Detected when not given.
    #[arg(long)]
    pub delimiter: Option<String>,
    /// XLSX sheet to read (default: the first).
    #[arg(long)]
    pub sheet: Option<String>,
    /// Time zone of times without an offset, e.g. Asia/Shanghai [env: STRATA_TIMEZONE].
    #[arg(long)]
    pub timezone: Option<String>,
    /// Currency of amounts without a symbol, e.g. CNY [env: STRATA_CURRENCY].
    #[arg(long)]
    pub currency: Option<String>,
    /// Amounts use a decimal comma (1.299,00) [env: STRATA_DECIMAL_COMMA].
    #[arg(long)]
    pub decimal_comma: bool,
    /// Dates like 03/04/2026 are day first [env: STRATA_DAY_FIRST].
    #[arg(long)]
    pub day_first: bool,
    /// Import even if the file's headers fit another table better.
    #[arg(long)]
    pub no_table_check: bool,
    /// Import nothing if any row is rejected.
    #[arg(long)]
    pub strict: bool,
    /// Where to write rejected rows (default: the workspace's rejects folder).
    #[arg(long)]
    pub rejects: Option<PathBuf>,
    /// Replace updated rows whole, emptying the columns the file lacks (by default they keep
    /// their stored values).
    #[arg(long)]
    pub replace_rows: bool,
}

pub fn run(ws: &Path, quiet: bool, a: &ImportArgs) -> Result<()> {
    strata_app::import::table(&a.table)?;
    let overrides = Overrides {
        timezone: a.timezone.clone(),
        currency: a.currency.clone(),
        decimal_comma: a.decimal_comma.then_some(true),
        day_first: a.day_first.then_some(true),
        as_of: None,
    };
    let session = Session::open(ws, &overrides)?;
    let req = ImportRequest {
        table: a.table.clone(),
        files: a.files.clone(),
        map: a.map.clone(),
        map_values: a.map_values.clone(),
        mapping_file: a.mapping.clone(),
        format: a.format.clone(),
        encoding: a.encoding.clone(),
        delimiter: a.delimiter.clone(),
        sheet: a.sheet.clone(),
        no_table_check: a.no_table_check,
        strict: a.strict,
        rejects: a.rejects.clone(),
        replace_rows: a.replace_rows,
    };
    let bar = Bar::new(quiet);
    let summary = strata_app::import::import(&session, &req, &mut |p| bar.update(p));
    bar.finish();
    print_summary(&summary?);
    Ok(())
}

pub fn print_summary(s: &ImportSummary) {
    for f in &s.files {
        let mut notes = vec![f.info.format.to_string()];
        if let Some(enc) = f.info.encoding {
            notes.push(enc.to_string());
        }
        if f.info.preamble_rows > 0 {
            notes.push(format!(
                "skipped {} rows above the header",
                f.info.preamble_rows
            ));
        }
        println!(
            "  {}: {} rows read, {} rejected ({})",
            f.path.display(),
            f.read,
            f.rejected,
            notes.join(", ")
        );
        if !f.info.unused_columns.is_empty() {
            println!("    columns not used: {}", f.info.unused_columns.join(", "));
        }
    }
    let superseded = if s.superseded > 0 {
        format!(", {} superseded by a later row", s.superseded)
    } else {
        String::new()
    };
    println!(
        "{}: {} read, {} imported, {} updated, {} duplicated{superseded}, {} rejected; {} rows now ({:.1}s)",
        s.table, s.read, s.inserted, s.updated, s.duplicated, s.rejected, s.rows_after, s.seconds
    );
    if !s.committed {
        println!(
            "  nothing changed: the workspace stays at generation {}",
            s.generation
        );
    }
    if s.superseded > 0 {
        println!(
            "  {} rows had the key of a later row in the same import: the last one of each key counts",
            s.superseded
        );
    }
    if s.patched > 0 {
        println!(
            "  {} updated rows kept their stored {} (not in the file; --replace-rows empties them)",
            s.patched,
            s.kept_columns.join(", ")
        );
    }
    if !s.customer_changes.is_empty() {
        println!(
            "  {} orders now belong to another customer:",
            s.customer_changes.len()
        );
        for c in s.customer_changes.iter().take(5) {
            println!("    {}: {} → {}", c.order_id, c.from, c.to);
        }
        if s.customer_changes.len() > 5 {
            println!("    … and {} more", s.customer_changes.len() - 5);
        }
        if let Some(p) = &s.changes_file {
            println!("  all of them: {}", p.display());
        }
    }
    if !s.stripped_ids.is_empty() {
        println!(
            "  {} ids look like others with their leading zeros stripped (as Excel does to an id \
             column read as numbers); imported, but check them:",
            s.stripped_ids.len()
        );
        for z in s.stripped_ids.iter().take(5) {
            println!("    {} {} = {}?", z.column, z.id, z.with_zeros);
        }
        if let Some(p) = &s.zeros_file {
            println!("  all of them: {}", p.display());
        }
    }
    if s.negative_refunds > 0 {
        println!(
            "  {} refunds written with a negative amount: stored as refunded orders for the amount paid",
            s.negative_refunds
        );
    }
    if s.zero_amount_paid > 0 {
        println!(
            "  {} paid orders have a zero amount (gifts, full-discount coupons, or a missing amount): \
             they count as orders but add nothing to spend",
            s.zero_amount_paid
        );
    }
    if let Some(path) = &s.rejects_file {
        for r in &s.sample_rejects {
            println!(
                "  rejected {}:{} {}: {:?}: {}",
                r.file, r.line, r.column, r.value, r.reason
            );
        }
        if s.rejected > s.sample_rejects.len() as u64 {
            println!(
                "  … and {} more",
                s.rejected - s.sample_rejects.len() as u64
            );
        }
        println!("  all rejected rows: {}", path.display());
    }
}
