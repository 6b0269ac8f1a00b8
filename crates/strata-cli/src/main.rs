//! The `strata` command line: parse, call the application layer (`strata-app`), print. Only
//! this crate knows clap, terminals and exit codes.

mod analyze;
mod behaviour;
mod churn;
mod clv;
mod demo;
mod history;
mod import;
mod output;
mod query;
mod report;
mod segment;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use strata_app::{Error, ErrorKind, Missing};

/// Strata: customer intelligence for e-commerce shops.
///
/// Import a shop's orders, customers, events and reviews into a workspace folder and query
/// them with SQL. Start with `strata demo`.
#[derive(Debug, Parser)]
#[command(name = "strata", version, max_term_width = 100)]
struct Cli {
    /// Workspace folder.
    #[arg(
        long,
        short = 'w',
        global = true,
        env = "STRATA_WORKSPACE",
        default_value = "strata-workspace"
    )]
    workspace: PathBuf,
    /// No progress bars.
    #[arg(long, short = 'q', global = true, env = "STRATA_QUIET", value_parser = clap::builder::BoolishValueParser::new())]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Create an empty workspace (default: the --workspace folder).
    Init {
        /// Folder to create; must be missing or empty.
        dir: Option<PathBuf>,
    },
    /// Import files into a table, all or nothing.
    Import(Box<import::ImportArgs>),
    /// Run SQL over every table of the workspace.
    #[command(after_help = query::help())]
    Query(query::QueryArgs),
    /// Compute the customer table: value, RFM scores, segments, tiers, types and lifecycle.
    Analyze(analyze::AnalyzeArgs),
    /// Lifetime-value models on a transaction file or summary: summarize, fit, predict.
    #[command(subcommand)]
    Clv(clv::ClvCommand),
    /// Churn early warning: train and evaluate the model, score customers, the win-back list.
    #[command(subcommand)]
    Churn(churn::ChurnCommand),
    /// Segments: named groups of customers by rules, kept current, explained and exported.
    #[command(subcommand)]
    Segment(segment::SegmentCommand),
    /// Conversion funnel: who reaches each step, drop-off, time between steps, breakdowns.
    Funnel(behaviour::FunnelArgs),
    /// Cohort retention triangle and repurchase rates.
    Retention(behaviour::RetentionArgs),
    /// The most common steps just before and after an event, within sessions.
    Paths(behaviour::PathsArgs),
    /// Channels, page speed, and the behaviours that go with buying.
    Channels(behaviour::ChannelsArgs),
    /// Write the insight report: one HTML file with charts, in Chinese or English.
    Report(report::ReportArgs),
    /// Tables, row counts, whether derived tables and models are current, recent changes.
    Status,
    /// What each generation of the workspace changed, newest first.
    History(history::HistoryArgs),
    /// Take back the latest change (or go back to a kept generation), atomically.
    Undo(history::UndoArgs),
    /// Delete the rows of a table where a condition holds (try --dry-run first).
    Delete(history::DeleteArgs),
    /// The canonical tables: columns, types and the header names recognised.
    Schema(query::SchemaArgs),
    /// Generate a synthetic shop and run the pipeline on it end to end.
    Demo(demo::DemoArgs),
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("STRATA_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .with_writer(std::io::stderr)
        .init();
    // `strata status | head` closes the pipe early: stop quietly, as other tools do, instead of
    // reporting the failed print as a crash.
    let default_hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        let text = info
            .payload()
            .downcast_ref::<String>()
            .map(String::as_str)
            .or_else(|| info.payload().downcast_ref::<&str>().copied())
            .unwrap_or("");
        if text.contains("failed printing to stdout") && text.contains("Broken pipe") {
            std::process::exit(0);
        }
        default_hook(info);
    }));
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            // Help and version are not errors; a bad command line is the user's to fix.
            return if e.use_stderr() {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            };
        }
    };
    let ws = &cli.workspace;
    let result = match cli.command {
        Command::Init { dir } => {
            let dir = dir.unwrap_or(cli.workspace);
            strata_app::init(&dir).map(|()| println!("created workspace {}", dir.display()))
        }
        Command::Import(args) => import::run(ws, cli.quiet, &args),
        Command::Query(args) => query::run(ws, &args),
        Command::Analyze(args) => analyze::run(ws, &args),
        Command::Clv(cmd) => clv::run(&cmd),
        Command::Churn(cmd) => churn::run(ws, &cmd),
        Command::Segment(cmd) => segment::run(ws, &cmd),
        Command::Funnel(args) => behaviour::funnel(ws, &args),
        Command::Retention(args) => behaviour::retention(ws, &args),
        Command::Paths(args) => behaviour::paths(ws, &args),
        Command::Channels(args) => behaviour::channels(ws, &args),
        Command::Report(args) => report::run(ws, &args),
        Command::Status => query::status(ws),
        Command::History(args) => history::history(ws, &args),
        Command::Undo(args) => history::undo(ws, &args),
        Command::Delete(args) => history::delete(ws, &args),
        Command::Schema(args) => query::schema(&args),
        Command::Demo(args) => demo::run(cli.quiet, &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        // The reader went away (`| head`): not an error.
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {}", message(&e));
            if let Some(h) = hint(&e) {
                eprintln!("hint: {h}");
            }
            match e.kind() {
                ErrorKind::Internal => ExitCode::from(2),
                _ => ExitCode::from(1),
            }
        }
    }
}

/// The error and its causes on one line, leaving out a cause whose text the message before it
/// already contains (DataFusion errors repeat their sources in their own text).
fn message(e: &Error) -> String {
    let mut out = String::new();
    let mut cur: Option<&(dyn std::error::Error + 'static)> = Some(e);
    while let Some(cause) = cur {
        let text = cause.to_string();
        if !out.contains(&text) {
            if !out.is_empty() {
                out.push_str(": ");
            }
            out.push_str(&text);
        }
        cur = cause.source();
    }
    out
}

/// The command-line way to fix an error whose message says it in general terms.
fn hint(e: &Error) -> Option<String> {
    use strata_import::ImportError as I;
    Some(match e.root() {
        Error::Import(I::Encoding { .. }) => {
            "pass --encoding utf-8, gbk, gb18030 or utf-16le".into()
        }
        Error::Import(I::UnknownFormat { .. }) => {
            "pass --format csv, tsv, xlsx, jsonl or parquet".into()
        }
        Error::Import(I::NoHeader { .. }) => {
            "map columns with --map COLUMN=HEADER or a mapping file (--mapping FILE)".into()
        }
        Error::Import(I::MissingColumn { field, .. }) => {
            format!("map one with --map {field}=HEADER")
        }
        Error::Import(I::WrongTable {
            table, better_cli, ..
        }) => format!(
            "import it with `strata import {better_cli}`, or pass --no-table-check if `{table}` is meant"
        ),
        Error::Import(I::Strict { .. }) => {
            "--strict was given; leave it out to import the good rows".into()
        }
        Error::Missing(m) => match m {
            Missing::ChurnModel => "run `strata churn train`".into(),
            Missing::Events => "run `strata import events FILE`".into(),
            Missing::CustomerTable => "run `strata analyze`".into(),
        },
        _ => return None,
    })
}

/// A day on the command line (YYYY-MM-DD, YYYY/MM/DD …), as the layer reads days.
fn date(text: &str) -> std::result::Result<chrono::NaiveDate, String> {
    strata_app::dates::parse_date(text)
}

/// An error of the command line itself (a flag that does not fit), the user's to fix.
fn usage(message: impl Into<String>) -> Error {
    Error::invalid(message)
}
