//! `strata import`.

use std::io::IsTerminal;
use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use strata_import::{Format, ImportOptions, ImportSummary, Mapping, ReadOptions, ValueOptions};
use strata_store::Workspace;

use crate::UserError;
use crate::config::Config;

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
    /// A TOML mapping file: [orders] order_id = "单号".
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
    /// Time zone of times without an offset, e.g. Asia/Shanghai.
    #[arg(long, env = "STRATA_TIMEZONE")]
    pub timezone: Option<String>,
    /// Currency of amounts without a symbol, e.g. CNY.
    #[arg(long, env = "STRATA_CURRENCY")]
    pub currency: Option<String>,
    /// Amounts use a decimal comma (1.299,00).
    #[arg(long, env = "STRATA_DECIMAL_COMMA", value_parser = clap::builder::BoolishValueParser::new())]
    pub decimal_comma: bool,
    /// Dates like 03/04/2026 are day first.
    #[arg(long, env = "STRATA_DAY_FIRST", value_parser = clap::builder::BoolishValueParser::new())]
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
}

fn currency_code(s: &str) -> Result<&'static str> {
    const KNOWN: &[&str] = &[
        "CNY", "USD", "EUR", "GBP", "JPY", "HKD", "TWD", "SGD", "KRW", "AUD", "CAD", "CHF", "MYR",
        "THB", "IDR", "VND", "PHP", "INR", "NZD",
    ];
    let up = s.trim().to_ascii_uppercase();
    KNOWN.iter().find(|k| **k == up).copied().ok_or_else(|| {
        UserError(format!(
            "unknown currency `{s}`; expected an ISO code such as {}",
            KNOWN.join(", ")
        ))
        .into()
    })
}

/// Builds import options from flags, environment and `strata.toml`, in that order of
/// precedence.
pub fn options(ws: &Path, args: &ImportArgs) -> Result<ImportOptions> {
    let config = Config::load(ws)?.import;
    let mut values = ValueOptions::default();
    if let Some(tz) = args.timezone.as_ref().or(config.timezone.as_ref()) {
        values.tz = tz.parse().map_err(|_| {
            UserError(format!(
                "unknown time zone `{tz}`; expected an IANA name such as Asia/Shanghai or UTC"
            ))
        })?;
    }
    if let Some(c) = args.currency.as_ref().or(config.currency.as_ref()) {
        values.default_currency = currency_code(c)?;
    }
    values.decimal_comma = args.decimal_comma || config.decimal_comma.unwrap_or(false);
    values.day_first = args.day_first || config.day_first.unwrap_or(false);

    let mut mapping = match &args.mapping {
        Some(p) => strata_import::read_mapping(p)?,
        None => Mapping::default(),
    };
    let table = table_arg(&args.table)?;
    for m in &args.map {
        let (col, header) = m.split_once('=').ok_or_else(|| {
            UserError(format!(
                "--map `{m}`: expected COLUMN=HEADER, such as order_id=单号"
            ))
        })?;
        mapping.add(table.name, col.trim(), header.trim())?;
    }
    let format = args
        .format
        .as_deref()
        .map(|f| {
            Format::parse(f).ok_or_else(|| {
                UserError(format!(
                    "unknown format `{f}`; expected csv, tsv, xlsx, jsonl or parquet"
                ))
            })
        })
        .transpose()?;
    let encoding = args
        .encoding
        .as_deref()
        .map(|e| {
            encoding_rs::Encoding::for_label(e.as_bytes()).ok_or_else(|| {
                UserError(format!(
                    "unknown encoding `{e}`; expected utf-8, gbk, gb18030 or utf-16le"
                ))
            })
        })
        .transpose()?;
    let delimiter = args
        .delimiter
        .as_deref()
        .map(|d| match d {
            "tab" | "\\t" | "\t" => Ok(b'\t'),
            d if d.len() == 1 => Ok(d.as_bytes()[0]),
            _ => Err(UserError(format!(
                "--delimiter `{d}`: expected one character such as , ; | or `tab`"
            ))),
        })
        .transpose()?;
    Ok(ImportOptions {
        values,
        read: ReadOptions {
            no_table_check: args.no_table_check,
            format,
            encoding,
            delimiter,
            sheet: args.sheet.clone(),
        },
        mapping,
        strict: args.strict,
        rejects_path: args.rejects.clone(),
    })
}

pub fn table_arg(name: &str) -> Result<&'static strata_store::TableSpec> {
    strata_store::table(name).ok_or_else(|| {
        UserError(format!(
            "unknown table `{name}`; expected customers, orders, order-items, events or reviews"
        ))
        .into()
    })
}

pub fn run(ws_dir: &Path, quiet: bool, args: &ImportArgs) -> Result<()> {
    let table = table_arg(&args.table)?;
    let ws = Workspace::open(ws_dir)?;
    let opts = options(ws_dir, args)?;
    let summary = run_one(&ws, table, &args.files, &opts, quiet)?;
    print_summary(&summary);
    Ok(())
}

/// Imports with a progress bar on a terminal.
pub fn run_one(
    ws: &Workspace,
    table: &'static strata_store::TableSpec,
    files: &[PathBuf],
    opts: &ImportOptions,
    quiet: bool,
) -> Result<ImportSummary> {
    let bar = if quiet || !std::io::stderr().is_terminal() {
        ProgressBar::hidden()
    } else {
        let b = ProgressBar::new(0);
        b.set_style(
            ProgressStyle::with_template(
                "{msg:>12} [{bar:30}] {bytes}/{total_bytes} {per_sec} {eta}",
            )
            .expect("the template is valid")
            .progress_chars("=> "),
        );
        b.set_message(table.name);
        b
    };
    let summary = strata_import::import(ws, table, files, opts, &mut |p| {
        bar.set_length(p.bytes_total);
        bar.set_position(p.bytes_done);
    })
    .with_context(|| {
        format!(
            "import into {} failed; the workspace is unchanged",
            table.name
        )
    })?;
    bar.finish_and_clear();
    Ok(summary)
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
    println!(
        "{}: {} read, {} imported, {} updated, {} duplicated, {} rejected; {} rows now ({:.1}s)",
        s.table, s.read, s.inserted, s.updated, s.duplicated, s.rejected, s.rows_after, s.seconds
    );
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
