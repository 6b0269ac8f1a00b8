//! The `strata` command line: thin glue over the library crates. Only this crate knows clap.

mod analyze;
mod behaviour;
mod churn;
mod clv;
mod config;
mod demo;
mod export;
mod import;
mod query;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

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
    Query(query::QueryArgs),
    /// Compute the customer table: value, RFM scores, segments, tiers, types and lifecycle.
    Analyze(analyze::AnalyzeArgs),
    /// Lifetime-value models on a transaction file or summary: summarize, fit, predict.
    #[command(subcommand)]
    Clv(clv::ClvCommand),
    /// Churn early warning: train and evaluate the model, score customers, the win-back list.
    #[command(subcommand)]
    Churn(churn::ChurnCommand),
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
    /// Tables, row counts and the history of imports.
    Status,
    /// The canonical tables: columns, types and the header names recognised.
    Schema(query::SchemaArgs),
    /// Generate a synthetic shop and run the pipeline on it end to end.
    Demo(demo::DemoArgs),
}

/// An error the user can fix; printed as is, exit code 1.
#[derive(Debug)]
pub struct UserError(pub String);

impl std::fmt::Display for UserError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for UserError {}

fn is_user_error(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.is::<UserError>()
            || c.downcast_ref::<strata_import::ImportError>()
                .is_some_and(|e| e.is_user_error())
            || c.downcast_ref::<strata_store::StoreError>()
                .is_some_and(|e| e.is_user_error())
            || c.downcast_ref::<datafusion::error::DataFusionError>()
                .is_some_and(query::is_user_sql_error)
            || c.downcast_ref::<strata_features::FeatureError>()
                .is_some_and(|e| e.is_user_error())
            || c.downcast_ref::<strata_churn::ChurnError>()
                .is_some_and(|e| e.is_user_error())
            || c.downcast_ref::<strata_behaviour::BehaviourError>()
                .is_some_and(|e| e.is_user_error())
            || c.downcast_ref::<toml::de::Error>().is_some()
    })
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
    let result = match cli.command {
        Command::Init { dir } => {
            let dir = dir.unwrap_or(cli.workspace);
            init(&dir).map(|()| {
                println!("created workspace {}", dir.display());
            })
        }
        Command::Import(args) => import::run(&cli.workspace, cli.quiet, &args),
        Command::Query(args) => query::run(&cli.workspace, &args),
        Command::Analyze(args) => analyze::run(&cli.workspace, &args),
        Command::Clv(cmd) => clv::run(&cmd),
        Command::Churn(cmd) => churn::run(&cli.workspace, &cmd),
        Command::Funnel(args) => behaviour::funnel(&cli.workspace, &args),
        Command::Retention(args) => behaviour::retention(&cli.workspace, &args),
        Command::Paths(args) => behaviour::paths(&cli.workspace, &args),
        Command::Channels(args) => behaviour::channels(&cli.workspace, &args),
        Command::Report(args) => report::run(&cli.workspace, &args),
        Command::Status => query::status(&cli.workspace),
        Command::Schema(args) => query::schema(&args),
        Command::Demo(args) => demo::run(cli.quiet, &args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e)
            if e.chain().any(|c| {
                c.downcast_ref::<std::io::Error>()
                    .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
                    || c.downcast_ref::<csv::Error>().is_some_and(|c| {
                        matches!(c.kind(), csv::ErrorKind::Io(io) if io.kind() == std::io::ErrorKind::BrokenPipe)
                    })
            }) =>
        {
            // The reader went away (`| head`): not an error.
            ExitCode::SUCCESS
        }
        Err(e) => {
            let user = is_user_error(&e);
            eprintln!("error: {}", message(&e));
            if user {
                ExitCode::from(1)
            } else {
                ExitCode::from(2)
            }
        }
    }
}

/// The error and its causes on one line, leaving out a cause whose text the message before it
/// already contains (DataFusion errors repeat their sources in their own text).
fn message(e: &anyhow::Error) -> String {
    let mut out = String::new();
    for cause in e.chain() {
        let text = cause.to_string();
        if out.contains(&text) {
            continue;
        }
        if !out.is_empty() {
            out.push_str(": ");
        }
        out.push_str(&text);
    }
    out
}

/// Creates a workspace with its settings file.
pub fn init(dir: &std::path::Path) -> anyhow::Result<()> {
    strata_store::Workspace::init(dir)?;
    let settings = dir.join("strata.toml");
    std::fs::write(&settings, config::TEMPLATE)
        .map_err(|e| anyhow::anyhow!("cannot write {}: {e}", settings.display()))?;
    Ok(())
}
