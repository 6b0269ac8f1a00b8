//! What the command line shows: aligned tables or CSV/JSON on standard output, progress bars on
//! a terminal.

use std::io::{IsTerminal, Write};

use arrow::array::RecordBatch;
use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressStyle};
use strata_app::export::Stream;
use strata_app::{Error, Progress, Result};

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

impl OutputFormat {
    pub fn is_table(self) -> bool {
        matches!(self, OutputFormat::Table)
    }
}

fn stdout_error(e: std::io::Error) -> Error {
    Error::Io {
        path: "standard output".into(),
        source: e,
    }
}

/// Prints the batches to standard output, numbers rounded as people read them (money to
/// cents, rates to four decimals; see `strata_app::export::rounded`).
pub fn print_batches(batches: &[RecordBatch], format: OutputFormat) -> Result<()> {
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    let stream = match format {
        OutputFormat::Table => {
            let rounded = strata_app::export::rounded(batches)?;
            let text = arrow::util::pretty::pretty_format_batches(&rounded)?;
            return writeln!(out, "{text}").map_err(stdout_error);
        }
        OutputFormat::Csv => Stream::Csv,
        OutputFormat::Jsonl => Stream::Jsonl,
        OutputFormat::Json => Stream::Json,
    };
    strata_app::export::stream(&mut out, batches, stream)
}

/// A progress bar on a terminal (hidden when quiet or piped) fed by the layer's reports.
pub struct Bar {
    bar: ProgressBar,
}

impl Bar {
    pub fn new(quiet: bool) -> Bar {
        let bar = if quiet || !std::io::stderr().is_terminal() {
            ProgressBar::hidden()
        } else {
            ProgressBar::new(0)
        };
        Bar { bar }
    }

    pub fn update(&self, p: Progress) {
        let (template, what, done, total) = match p {
            Progress::Bytes { what, done, total } => (
                "{msg:>12} [{bar:30}] {bytes}/{total_bytes} {per_sec} {eta}",
                what,
                done,
                total,
            ),
            Progress::Items { what, done, total } => {
                ("{msg:>12} [{bar:30}] {pos}/{len} {eta}", what, done, total)
            }
        };
        if self.bar.is_hidden() {
            return;
        }
        if self.bar.message() != what {
            self.bar.set_style(
                ProgressStyle::with_template(template)
                    .expect("the template is valid")
                    .progress_chars("=> "),
            );
            self.bar.set_message(what);
        }
        self.bar.set_length(total);
        self.bar.set_position(done);
    }

    pub fn finish(&self) {
        self.bar.finish_and_clear();
    }
}
