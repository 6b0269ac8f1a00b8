//! What `strata` prints for the demo shop, against golden files in `tests/it/golden/`: every
//! command a user meets first, on the same 300-customer shop (the demo is seeded, so the shop and
//! its numbers are the same on every run). Times, model ids and report sizes are masked; all else,
//! numbers included, must match. After a deliberate change, rewrite the files with
//! `STRATA_BLESS=1 cargo test -p strata-cli golden` and read the diff before committing it.

use std::path::Path;

use regex::Regex;

use crate::{manifest_dir, stderr, stdout, strata};

/// The commands, each with the golden file its output goes to; run in this order on one shop.
const COMMANDS: &[(&str, &[&str])] = &[
    ("demo", &["demo", "--customers", "300", "--out", "demo"]),
    ("status", &["status"]),
    ("analyze", &["analyze"]),
    ("churn-evaluate", &["churn", "evaluate"]),
    (
        "churn-score",
        &["churn", "score", "--top", "5", "--lang", "en"],
    ),
    ("funnel", &["funnel"]),
    (
        "funnel-by-channel",
        &[
            "funnel",
            "--steps",
            "page_view,add_to_cart,paid",
            "--by",
            "channel",
        ],
    ),
    ("retention", &["retention", "--counts"]),
    ("paths", &["paths", "--around", "add_to_cart", "--top", "4"]),
    ("channels", &["channels"]),
    (
        "query",
        &[
            "query",
            "SELECT rfm_segment, count(*) AS customers FROM customer_profile GROUP BY 1 ORDER BY 2 DESC, 1",
        ],
    ),
    ("report", &["report", "--lang", "en"]),
];

#[test]
fn cli_outputs_match_the_golden_files() {
    let dir = tempfile::tempdir().unwrap();
    let masks = Masks::new();
    for (name, args) in COMMANDS {
        let o = strata()
            .current_dir(dir.path())
            .env("STRATA_WORKSPACE", "demo/workspace")
            .args(*args)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "strata {args:?} failed:\n{}\n{}",
            stdout(&o),
            stderr(&o)
        );
        let text = format!("$ strata {}\n{}{}", args.join(" "), stdout(&o), stderr(&o));
        strata_testkit::snapshot::check(
            &golden(name),
            &masks.apply(&text),
            "STRATA_BLESS=1 cargo test -p strata-cli golden",
        );
    }
}

fn golden(name: &str) -> std::path::PathBuf {
    manifest_dir()
        .join("tests/it/golden")
        .join(Path::new(name).with_extension("txt"))
}

/// What changes from run to run: durations, model ids (from the training time), timestamps and
/// the report's size in bytes, and the byte sizes of the segment tables (they hold the run's
/// timestamps, which compress differently).
struct Masks(Vec<(Regex, &'static str)>);

impl Masks {
    fn new() -> Masks {
        Masks(
            [
                (r"(in |\()\d+(\.\d+)?s\b", "${1}<time>"),
                (r"churn-\d{8}T\d{6}Z", "churn-<id>"),
                (r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z", "<timestamp>"),
                (r"\(\d+ KB\)", "(<size>)"),
                (r"(?m)^(segment\w*\s+\d+\s+\d+\s+)\d+", "${1}<bytes>"),
            ]
            .into_iter()
            .map(|(re, to)| (Regex::new(re).unwrap(), to))
            .collect(),
        )
    }

    fn apply(&self, text: &str) -> String {
        self.0.iter().fold(text.to_string(), |t, (re, to)| {
            re.replace_all(&t, *to).into_owned()
        })
    }
}

#[test]
fn masks_hide_only_what_changes_between_runs() {
    let m = Masks::new();
    assert_eq!(
        m.apply("trained churn-20261204T211224Z in 0.3s: 3 rows (0.0s) at 2026-12-04T21:12:24Z"),
        "trained churn-<id> in <time>: 3 rows (<time>) at <timestamp>"
    );
    assert_eq!(
        m.apply("wrote the report (265 KB) to x"),
        "wrote the report (<size>) to x"
    );
    // Numbers that are data stay.
    assert_eq!(
        m.apply("in 2026-10-31 3.5 days 12s"),
        "in 2026-10-31 3.5 days 12s"
    );
}
