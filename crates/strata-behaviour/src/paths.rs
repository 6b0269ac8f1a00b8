//! Paths: the most common steps just before and just after an event, within sessions.
//!
//! Events are labelled by page type for page views (home, product …), `paid` for paid orders,
//! else by event type. For each occurrence of the chosen step the label of the event before it
//! in the same session (or "(start)") and the one after it (or "(end)") are counted. The pass
//! keeps one small state per session and a log of the chosen step's occurrences (far fewer
//! than events); sessions whose events were not stored in time order are replayed sorted.

use arrow::array::Array;
use arrow::datatypes::DataType;
use datafusion::logical_expr::when;
use datafusion::prelude::{SessionContext, cast, col, lit};
use serde::Serialize;

use crate::Result;
use crate::steps::Step;
use crate::stream::{Interner, OrderCheck, Strs, UnitIndex, for_each_batch, i64s, ordered_context};

pub const START: &str = "(start)";
pub const END: &str = "(end)";

#[derive(Debug, Clone, Serialize)]
pub struct Neighbour {
    pub step: String,
    pub count: u64,
    pub share: f64,
}

#[derive(Debug, Clone, Serialize)]
pub struct Paths {
    pub around: String,
    /// Occurrences of the step.
    pub occurrences: u64,
    pub previous: Vec<Neighbour>,
    pub next: Vec<Neighbour>,
}

const NONE: u32 = u32::MAX;

/// Per session: the label of the latest event, and the occurrence waiting for its next step.
#[derive(Default)]
struct Walk {
    last: Vec<u32>,
    pending: Vec<u32>,
    /// (session, previous label, next label) per occurrence; next is NONE until seen.
    log: Vec<(u32, u32, u32)>,
}

impl Walk {
    fn push(&mut self, s: usize, label: u32, is_target: bool) {
        if s >= self.last.len() {
            self.last.resize(s + 1, NONE);
            self.pending.resize(s + 1, NONE);
        }
        if self.pending[s] != NONE {
            self.log[self.pending[s] as usize].2 = label;
            self.pending[s] = NONE;
        }
        if is_target {
            self.pending[s] = self.log.len() as u32;
            self.log.push((s as u32, self.last[s], NONE));
        }
        self.last[s] = label;
    }

    fn reset(&mut self, s: usize) {
        if s < self.last.len() {
            self.last[s] = NONE;
            self.pending[s] = NONE;
        }
    }
}

/// Counts the steps before and after `around` in every session of `events`.
pub async fn paths(ctx: &SessionContext, around: &Step, top: usize) -> Result<Paths> {
    crate::steps::check_known(ctx, std::slice::from_ref(around)).await?;
    let label = when(
        col("event_type")
            .eq(lit("page_view"))
            .and(col("page").is_not_null()),
        col("page"),
    )
    .when(col("event_type").eq(lit("order_paid")), lit("paid"))
    .otherwise(col("event_type"))?;
    let scan = || async {
        let df = ordered_context(ctx)
            .table("events")
            .await?
            .filter(col("session_id").is_not_null())?
            .select(vec![
                cast(col("session_id"), DataType::Utf8View).alias("s"),
                cast(col("event_time"), DataType::Int64).alias("t"),
                cast(label.clone(), DataType::Utf8View).alias("l"),
                cast(
                    when(around.predicate(), lit(1i64)).otherwise(lit(0i64))?,
                    DataType::Int64,
                )
                .alias("x"),
            ])?;
        Ok::<_, crate::BehaviourError>(df)
    };
    let mut sessions = UnitIndex::default();
    let mut labels = Interner::default();
    let mut walk = Walk::default();
    let mut order = OrderCheck::default();
    for_each_batch(scan().await?, |b| {
        let s = Strs::new(b.column(0))?;
        let t = i64s(b.column(1))?;
        let l = Strs::new(b.column(2))?;
        let x = i64s(b.column(3))?;
        for i in 0..b.num_rows() {
            let (Some(sid), false) = (s.get(i), t.is_null(i)) else {
                continue;
            };
            let u = sessions.index(sid);
            if !order.accept(u, t.value(i)) {
                continue;
            }
            let label = labels.intern(l.get(i).unwrap_or("(unknown)"));
            walk.push(u as usize, label, x.value(i) == 1);
        }
        Ok(())
    })
    .await?;
    if order.count > 0 {
        walk.log.retain(|e| !order.disordered[e.0 as usize]);
        let mut held: Vec<(u32, i64, u64, u32, bool)> = Vec::new();
        let mut seq = 0u64;
        for_each_batch(scan().await?, |b| {
            let s = Strs::new(b.column(0))?;
            let t = i64s(b.column(1))?;
            let l = Strs::new(b.column(2))?;
            let x = i64s(b.column(3))?;
            for i in 0..b.num_rows() {
                seq += 1;
                let (Some(sid), false) = (s.get(i), t.is_null(i)) else {
                    continue;
                };
                let Some(u) = sessions.units.get(sid) else {
                    continue;
                };
                if order.disordered[u as usize] {
                    let label = labels.intern(l.get(i).unwrap_or("(unknown)"));
                    held.push((u, t.value(i), seq, label, x.value(i) == 1));
                }
            }
            Ok(())
        })
        .await?;
        held.sort_unstable_by_key(|&(u, t, seq, _, _)| (u, t, seq));
        let mut last = u32::MAX;
        for (u, _, _, label, target) in held {
            if u != last {
                walk.reset(u as usize);
                last = u;
            }
            walk.push(u as usize, label, target);
        }
    }
    let n = walk.log.len() as u64;
    let count = |pick: fn(&(u32, u32, u32)) -> u32, none: &str| {
        let mut c: hashbrown::HashMap<u32, u64> = hashbrown::HashMap::new();
        for e in &walk.log {
            *c.entry(pick(e)).or_default() += 1;
        }
        let mut v: Vec<Neighbour> = c
            .into_iter()
            .map(|(l, count)| Neighbour {
                step: if l == NONE {
                    none.to_string()
                } else {
                    labels.name(l).to_string()
                },
                count,
                share: count as f64 / n.max(1) as f64,
            })
            .collect();
        v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.step.cmp(&b.step)));
        v.truncate(top);
        v
    };
    Ok(Paths {
        around: around.label(),
        occurrences: n,
        previous: count(|e| e.1, START),
        next: count(|e| e.2, END),
    })
}

impl Paths {
    /// One row per neighbour: `previous` or `next`, the step, its count and share.
    pub fn to_batch(&self) -> Result<arrow::array::RecordBatch> {
        use arrow::array::{ArrayRef, Float64Builder, StringBuilder, UInt64Builder};
        use arrow::datatypes::{Field, Schema};
        use std::sync::Arc;
        let mut dir = StringBuilder::new();
        let mut step = StringBuilder::new();
        let mut count = UInt64Builder::new();
        let mut share = Float64Builder::new();
        for (d, list) in [("previous", &self.previous), ("next", &self.next)] {
            for n in list {
                dir.append_value(d);
                step.append_value(&n.step);
                count.append_value(n.count);
                share.append_value(n.share);
            }
        }
        let schema = Schema::new(vec![
            Field::new("direction", DataType::Utf8, false),
            Field::new("step", DataType::Utf8, false),
            Field::new("count", DataType::UInt64, false),
            Field::new("share", DataType::Float64, false),
        ]);
        let cols: Vec<ArrayRef> = vec![
            Arc::new(dir.finish()),
            Arc::new(step.finish()),
            Arc::new(count.finish()),
            Arc::new(share.finish()),
        ];
        Ok(arrow::array::RecordBatch::try_new(Arc::new(schema), cols)?)
    }
}
