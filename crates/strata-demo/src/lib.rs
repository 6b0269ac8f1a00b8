//! A synthetic e-commerce shop written as import files: customers, orders (GBK, like a Taobao
//! export), order lines, behaviour events (JSON Lines) and reviews.
//!
//! The data is made for demos and tests of the whole product, so it hides the findings of the
//! industry reports for the analyses to rediscover: buy-till-you-die purchasing with three
//! customer types, concentrated revenue, seasonal peaks, a funnel that loses 45% between
//! product page and cart, slow pages and product videos that matter, refund reasons, and review
//! topics that shift from slow delivery (2025) to damaged parcels (2026). `customer.rs` has the
//! model.
//!
//! *Invariant:* output depends only on [`DemoConfig`]. Each customer is generated from its own
//! random stream `(seed, index)` and written at once, so any number of customers fits in
//! bounded memory, and the generator ([`rng`]) is our own so a seed's files never change.

mod calendar;
mod catalog;
mod customer;
mod data;
mod output;
mod rng;

use std::path::{Path, PathBuf};

use chrono::NaiveDate;

/// What to generate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoConfig {
    /// Number of customers (everyone who bought at least once).
    pub customers: u64,
    /// Same seed, same files, byte for byte.
    pub seed: u64,
    /// Last day of the data (inclusive), in Asia/Shanghai time.
    pub end: NaiveDate,
    /// Length of the window that ends on `end`.
    pub years: u32,
    /// Write behaviour events. Without them generation is several times faster and the files
    /// hold orders, items, customers and reviews only (for benchmarks of the order path); the
    /// orders are the same either way, registration times differ slightly.
    pub events: bool,
}

impl Default for DemoConfig {
    fn default() -> Self {
        Self {
            customers: 20_000,
            seed: 42,
            end: NaiveDate::from_ymd_opt(2026, 10, 31).expect("valid date"),
            years: 2,
            events: true,
        }
    }
}

/// Paths of the generated files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoFiles {
    pub customers: PathBuf,
    pub orders: PathBuf,
    pub order_items: PathBuf,
    pub events: PathBuf,
    pub reviews: PathBuf,
}

impl DemoFiles {
    fn in_dir(dir: &Path) -> Self {
        Self {
            customers: dir.join("customers.csv"),
            orders: dir.join("orders.csv"),
            order_items: dir.join("order_items.csv"),
            events: dir.join("events.jsonl"),
            reviews: dir.join("reviews.csv"),
        }
    }
}

/// What was written: the files and their row counts (without header lines).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DemoSummary {
    pub files: DemoFiles,
    pub customers: u64,
    pub orders: u64,
    pub order_items: u64,
    pub events: u64,
    pub reviews: u64,
}

#[derive(Debug, thiserror::Error)]
pub enum DemoError {
    #[error("invalid demo configuration: {0}")]
    InvalidConfig(String),
    #[error("cannot write {}: {source}", path.display())]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write csv file {}: {source}", path.display())]
    Csv {
        path: PathBuf,
        #[source]
        source: csv::Error,
    },
}

/// Customers are numbered into order ids with ten digits.
const MAX_CUSTOMERS: u64 = 10_000_000_000;
/// How often `progress` is called.
const PROGRESS_EVERY: u64 = 4096;

/// Writes the demo shop into `out_dir` (created if missing; existing files are replaced).
///
/// `progress` is called with the number of customers done so far, every few thousand customers
/// and once at the end.
pub fn generate(
    cfg: &DemoConfig,
    out_dir: &Path,
    progress: &mut dyn FnMut(u64),
) -> Result<DemoSummary, DemoError> {
    if cfg.customers > MAX_CUSTOMERS {
        return Err(DemoError::InvalidConfig(format!(
            "at most {MAX_CUSTOMERS} customers, got {}",
            cfg.customers
        )));
    }
    let cal = calendar::Calendar::new(cfg.end, cfg.years)?;
    std::fs::create_dir_all(out_dir).map_err(|source| DemoError::Io {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let files = DemoFiles::in_dir(out_dir);
    let catalog = catalog::Catalog::new(cfg.seed);
    let mut shop = customer::Shop::new(&cal, &catalog, cfg.seed);
    shop.browsing = cfg.events;
    let mut writers = output::Writers::create(&files, &cal, &catalog, cfg.events)?;
    let mut one = customer::CustomerOut::default();
    for index in 0..cfg.customers {
        shop.customer(index, &mut one);
        writers.write(&one)?;
        if (index + 1) % PROGRESS_EVERY == 0 {
            progress(index + 1);
        }
    }
    let counts = writers.finish()?;
    progress(cfg.customers);
    Ok(DemoSummary {
        files,
        customers: cfg.customers,
        orders: counts.orders,
        order_items: counts.order_items,
        events: counts.events,
        reviews: counts.reviews,
    })
}
