//! `strata query`, `strata status` and `strata schema`.

use std::io::Write;
use std::path::Path;

use anyhow::{Context, Result};
use arrow::record_batch::RecordBatch;
use clap::{Args, ValueEnum};
use datafusion::error::DataFusionError;
use strata_store::{Kind, TABLES, Vocab, Workspace};

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum OutputFormat {
    /// An aligned text table.
    Table,
    /// CSV with a header row.
    Csv,
    /// One JSON object per line.
    Jsonl,
    /// A JSON array of objects.
    Json,
}

#[derive(Debug, Args)]
pub struct QueryArgs {
    /// SQL to run; the tables are customers, orders, order_items, events and reviews.
    pub sql: String,
    /// Output format.
    #[arg(long, short = 'f', value_enum, default_value = "table")]
    pub format: OutputFormat,
}

#[derive(Debug, Args)]
pub struct SchemaArgs {
    /// Show one table only.
    pub table: Option<String>,
    /// Print the data-model reference as Markdown (docs/data-model.md is made this way).
    #[arg(long)]
    pub markdown: bool,
}

pub fn is_user_sql_error(e: &DataFusionError) -> bool {
    match e {
        DataFusionError::SQL(..)
        | DataFusionError::Plan(_)
        | DataFusionError::SchemaError(..)
        | DataFusionError::NotImplemented(_) => true,
        DataFusionError::Context(_, inner) => is_user_sql_error(inner),
        DataFusionError::Diagnostic(_, inner) => is_user_sql_error(inner),
        _ => false,
    }
}

pub fn runtime() -> Result<tokio::runtime::Runtime> {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the query runtime")
}

/// Runs SQL over the workspace and returns the result batches.
pub fn sql(ws: &Workspace, sql: &str) -> Result<Vec<RecordBatch>> {
    let ctx = strata_store::session(ws)?;
    // The behaviour analyses as table functions: funnel(…), retention(…), paths(…) ….
    let tz = crate::analyze::settings(ws.root(), None)
        .map(|(_, tz)| tz)
        .unwrap_or_else(|_| "Asia/Shanghai".into());
    strata_behaviour::sql::register(&ctx, &tz);
    runtime()?
        .block_on(async {
            let df = ctx.sql(sql).await?;
            df.collect().await
        })
        .map_err(anyhow::Error::from)
}

pub fn run(ws_dir: &Path, args: &QueryArgs) -> Result<()> {
    let ws = Workspace::open(ws_dir)?;
    let batches = sql(&ws, &args.sql)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write_batches(&mut out, &batches, args.format)?;
    Ok(())
}

pub fn write_batches(
    out: &mut dyn Write,
    batches: &[RecordBatch],
    format: OutputFormat,
) -> Result<()> {
    match format {
        OutputFormat::Table => {
            writeln!(
                out,
                "{}",
                arrow::util::pretty::pretty_format_batches(batches)?
            )?;
        }
        OutputFormat::Csv => {
            let mut w = arrow::csv::WriterBuilder::new()
                .with_header(true)
                .build(out);
            for b in batches {
                w.write(b)?;
            }
        }
        OutputFormat::Jsonl => {
            let mut w = arrow::json::LineDelimitedWriter::new(out);
            for b in batches {
                w.write(b)?;
            }
            w.finish()?;
        }
        OutputFormat::Json => {
            let mut w = arrow::json::ArrayWriter::new(out);
            for b in batches {
                w.write(b)?;
            }
            w.finish()?;
        }
    }
    Ok(())
}

pub fn status(ws_dir: &Path) -> Result<()> {
    let ws = Workspace::open(ws_dir)?;
    let m = ws.manifest();
    println!(
        "workspace {} (generation {}, updated {})",
        ws_dir.display(),
        m.generation,
        m.updated_at
    );
    println!(
        "{:<12} {:>12} {:>6} {:>12}",
        "table", "rows", "parts", "bytes"
    );
    for t in TABLES {
        let state = m.tables.get(t.name).cloned().unwrap_or_default();
        println!(
            "{:<12} {:>12} {:>6} {:>12}",
            t.name,
            state.rows(),
            state.parts.len(),
            state.bytes()
        );
    }
    if !m.history.is_empty() {
        println!("\nrecent changes:");
        for h in m.history.iter().rev().take(10) {
            let counts: Vec<String> = h.counts.iter().map(|(k, v)| format!("{k} {v}")).collect();
            println!(
                "  #{} {} {} {} ({})",
                h.generation,
                h.at,
                h.operation,
                h.table,
                counts.join(", ")
            );
        }
    }
    Ok(())
}

fn vocabulary(v: Vocab) -> Option<&'static [(&'static str, &'static [&'static str])]> {
    use strata_import::value as val;
    Some(match v {
        Vocab::Channel => val::CHANNELS,
        Vocab::Device => val::DEVICES,
        Vocab::Payment => val::PAYMENTS,
        Vocab::Status => val::STATUSES,
        Vocab::Gender => val::GENDERS,
        Vocab::EventType => val::EVENT_TYPES,
        Vocab::Page => val::PAGES,
        Vocab::Province | Vocab::City | Vocab::Currency => return None,
    })
}

/// The data-model reference as Markdown, generated from the schema so it cannot drift.
pub fn markdown(only: Option<&str>) -> Result<String> {
    let mut s = String::new();
    if only.is_none() {
        s.push_str(MARKDOWN_INTRO);
    }
    let mut vocabs = Vec::new();
    for t in TABLES {
        if only.is_some_and(|o| o != t.name && o != t.cli_name) {
            continue;
        }
        let key = match t.key {
            strata_store::RowKey::Columns(c) => format!("key: {}", c.join(" + ")),
            strata_store::RowKey::ColumnsOrContent(c) => {
                format!("key: {}, else the whole row", c.join(" + "))
            }
        };
        s.push_str(&format!("\n## `{}` ({key})\n\n{}\n\n", t.name, t.doc));
        s.push_str(
            "| column | type | required | recognised headers | meaning |\n|---|---|---|---|---|\n",
        );
        for f in t.fields {
            let req = if f.required { "yes" } else { "" };
            let aliases: Vec<String> = f.aliases.iter().map(|a| format!("`{a}`")).collect();
            s.push_str(&format!(
                "| `{}` | {} | {} | {} | {} |\n",
                f.name,
                f.kind.label(),
                req,
                aliases.join(" "),
                f.doc
            ));
            if let Kind::Vocab(v) = f.kind
                && !vocabs.contains(&v)
            {
                vocabs.push(v);
            }
        }
    }
    if only.is_none() {
        s.push_str("\n## Vocabularies\n\nValues are folded to these canonical spellings on import; \
            matching ignores case. Open vocabularies keep unknown values (lower-cased, spaces as `_`); \
            `status` and `gender` are closed and reject anything else.\n");
        for v in vocabs {
            let Some(list) = vocabulary(v) else { continue };
            s.push_str(&format!(
                "\n### {v:?}\n\n| value | accepted spellings |\n|---|---|\n"
            ));
            for (canon, syn) in list {
                s.push_str(&format!("| `{canon}` | {} |\n", syn.join(", ")));
            }
        }
    }
    if only.is_none_or(|o| o == strata_features::PROFILE_TABLE) {
        s.push_str(&format!(
            "\n## `{}` (derived, key: customer_id)\n\n\
             The customer table that `strata analyze` writes: one row per customer known from the \
             customers or orders tables, as of the analysis date. Every run replaces it whole. \
             Thresholds are in `strata.toml` under `[analyze]`; the report's methods appendix \
             prints the values a run used.\n\n| column | type | meaning |\n|---|---|---|\n",
            strata_features::PROFILE_TABLE
        ));
        for c in strata_features::COLUMNS.iter() {
            s.push_str(&format!("| `{}` | {} | {} |\n", c.name, c.data_type, c.doc));
        }
        s.push_str(
            "\nWhen the workspace has a churn model (`strata churn train`), `strata analyze` adds:\n\n\
             | column | type | meaning |\n|---|---|---|\n",
        );
        for (name, ty, doc) in strata_churn::score::column_docs() {
            s.push_str(&format!("| `{name}` | {ty} | {doc} |\n"));
        }
    }
    Ok(s)
}

const MARKDOWN_INTRO: &str = "# Data model\n\n\
Generated by `strata schema --markdown`; do not edit by hand.\n\n\
Strata keeps five canonical tables as Parquet under the workspace folder. Times are UTC instants \
(`timestamp(µs, UTC)`); times in input files without an offset are read in the configured time \
zone (default Asia/Shanghai). Money is `decimal(18,2)`. Headers are matched ignoring case, spaces, \
`_`, `-` and a trailing unit in brackets (`实付金额(元)`); the first recognised header in the \
order listed wins, and `--map COLUMN=HEADER` or a mapping file overrides them. Every table is \
queryable by name with `strata query`; for local wall-clock times write \
`ordered_at AT TIME ZONE 'Asia/Shanghai'`.\n";

pub fn schema(args: &SchemaArgs) -> Result<()> {
    if let Some(t) = &args.table
        && t != strata_features::PROFILE_TABLE
    {
        crate::import::table_arg(t)?;
    }
    if args.markdown {
        print!("{}", markdown(args.table.as_deref())?);
        return Ok(());
    }
    for t in TABLES {
        if args
            .table
            .as_deref()
            .is_some_and(|o| o != t.name && o != t.cli_name)
        {
            continue;
        }
        println!("{} — {}", t.name, t.doc);
        for f in t.fields {
            println!(
                "  {:<20} {:<20} {:<9} {}",
                f.name,
                f.kind.label(),
                if f.required { "required" } else { "" },
                f.aliases.join(", ")
            );
        }
        println!();
    }
    if args
        .table
        .as_deref()
        .is_none_or(|o| o == strata_features::PROFILE_TABLE)
    {
        println!(
            "{} — the customer table `strata analyze` writes",
            strata_features::PROFILE_TABLE
        );
        for c in strata_features::COLUMNS.iter() {
            println!("  {:<20} {:<20} {}", c.name, c.data_type.to_string(), c.doc);
        }
    }
    Ok(())
}
