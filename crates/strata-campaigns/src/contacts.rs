//! The `contacts` table: every contact a campaign made (or held back), the record caps count
//! and measurement reads. One row per customer, campaign and send; held-back customers have a
//! row with `holdout = true`, no channel and no cost, at the time they would have been sent to.

use std::sync::Arc;

use arrow::datatypes::{DataType, Field, Schema, SchemaRef, TimeUnit};

/// The table's name in the workspace.
pub const CONTACTS: &str = "contacts";

fn ts() -> DataType {
    DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
}

/// The columns of `contacts`, with what each holds.
pub const COLUMNS: &[(&str, &str)] = &[
    ("campaign", "the campaign's name"),
    ("version", "the campaign version planned or recorded"),
    ("customer_id", "who"),
    (
        "variant",
        "which message or offer variant (`main` when there is one)",
    ),
    (
        "holdout",
        "true for customers held back to measure the effect against",
    ),
    (
        "channel",
        "sms, email, wechat, ads or call; empty for the holdout",
    ),
    (
        "level",
        "pyramid level when planned: vip, core, tiered, all",
    ),
    (
        "tier",
        "spend tier when planned (or as the receipts give it)",
    ),
    ("customer_type", "customer type when planned"),
    ("offer", "the offer sent"),
    (
        "sent_at",
        "when it was sent (for the holdout: when it would have been)",
    ),
    ("cost", "what the contact cost"),
    ("opened", "opened, where the channel reports it"),
    ("clicked", "clicked, where the channel reports it"),
    ("receipt", "the key that makes recording idempotent"),
    ("recorded_at", "when Strata recorded it"),
];

/// The Arrow schema of `contacts`, in [`COLUMNS`] order.
pub fn schema() -> SchemaRef {
    let f = |name: &str, t: DataType, nullable: bool| Field::new(name, t, nullable);
    Arc::new(Schema::new(vec![
        f("campaign", DataType::Utf8, false),
        f("version", DataType::Int64, false),
        f("customer_id", DataType::Utf8, false),
        f("variant", DataType::Utf8, false),
        f("holdout", DataType::Boolean, false),
        f("channel", DataType::Utf8, true),
        f("level", DataType::Utf8, true),
        f("tier", DataType::Utf8, true),
        f("customer_type", DataType::Utf8, true),
        f("offer", DataType::Utf8, true),
        f("sent_at", ts(), false),
        f("cost", DataType::Float64, false),
        f("opened", DataType::Boolean, true),
        f("clicked", DataType::Boolean, true),
        f("receipt", DataType::Utf8, false),
        f("recorded_at", ts(), false),
    ]))
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_column_is_described() {
        let s = super::schema();
        let names: Vec<&str> = s.fields().iter().map(|f| f.name().as_str()).collect();
        let described: Vec<&str> = super::COLUMNS.iter().map(|(n, _)| *n).collect();
        assert_eq!(names, described);
    }
}
