//! What a query compares the vocabulary columns with. Import folds these columns to one
//! spelling (`交易成功` is stored as `paid`, `直播` as `live_stream`), so a filter written with a
//! shop's own spelling matches nothing; [`literal_notes`] finds such comparisons in a query's
//! plan and says what is stored instead. It reads the plan, never the SQL text.

use datafusion::common::tree_node::{TreeNode, TreeNodeRecursion};
use datafusion::logical_expr::{BinaryExpr, Expr, LogicalPlan, Operator};
use datafusion::scalar::ScalarValue;
use strata_store::{Kind, TABLES, Vocab};

use crate::error::Result;
use crate::session::{Session, block_on};

/// Notes on the comparisons of vocabulary columns with values import would have stored in
/// another spelling: "status = '交易成功' matches nothing: status is stored as `paid` …".
pub fn literal_notes(session: &Session, sql: &str) -> Result<Vec<String>> {
    let ctx = session.context()?;
    let plan = block_on(async { ctx.state().create_logical_plan(sql).await })??;
    Ok(notes_of_plan(&plan))
}

/// The notes of a planned query (see [`literal_notes`]).
pub fn notes_of_plan(plan: &LogicalPlan) -> Vec<String> {
    let mut notes: Vec<String> = Vec::new();
    let _ = plan.apply(|node| {
        for e in node.expressions() {
            let _ = e.apply(|x| {
                for (column, value) in comparisons(x) {
                    if let Some(n) = note(&column, &value)
                        && !notes.contains(&n)
                    {
                        notes.push(n);
                    }
                }
                Ok(TreeNodeRecursion::Continue)
            });
        }
        Ok(TreeNodeRecursion::Continue)
    });
    notes
}

/// (column, text literal) pairs an expression compares for equality.
fn comparisons(e: &Expr) -> Vec<((Option<String>, String), String)> {
    let column = |e: &Expr| match e.clone().unalias() {
        Expr::Column(c) => Some((c.relation.map(|r| r.table().to_string()), c.name)),
        Expr::Cast(c) => match *c.expr {
            Expr::Column(c) => Some((c.relation.map(|r| r.table().to_string()), c.name)),
            _ => None,
        },
        _ => None,
    };
    let text = |e: &Expr| match e {
        Expr::Literal(
            ScalarValue::Utf8(Some(s))
            | ScalarValue::Utf8View(Some(s))
            | ScalarValue::LargeUtf8(Some(s)),
            _,
        ) => Some(s.clone()),
        _ => None,
    };
    match e {
        Expr::BinaryExpr(BinaryExpr {
            left,
            op: Operator::Eq | Operator::NotEq,
            right,
        }) => match (column(left), text(right), column(right), text(left)) {
            (Some(c), Some(v), _, _) | (_, _, Some(c), Some(v)) => vec![(c, v)],
            _ => Vec::new(),
        },
        Expr::InList(l) => match column(&l.expr) {
            Some(c) => l
                .list
                .iter()
                .filter_map(text)
                .map(|v| (c.clone(), v))
                .collect(),
            None => Vec::new(),
        },
        _ => Vec::new(),
    }
}

/// The vocabulary of a column, from its table when the plan names one, else (no table, or an
/// alias) from any table with a vocabulary column of that name.
fn vocab_of(table: Option<&str>, name: &str) -> Option<Vocab> {
    let find = |table: Option<&str>| {
        TABLES
            .iter()
            .filter(|t| table.is_none_or(|n| n == t.name))
            .flat_map(|t| t.fields.iter())
            .find_map(|f| match f.kind {
                Kind::Vocab(v) if f.name == name => Some(v),
                _ => None,
            })
    };
    match table {
        Some(t) if TABLES.iter().any(|s| s.name == t) => find(Some(t)),
        _ => find(None),
    }
}

fn note((table, name): &(Option<String>, String), value: &str) -> Option<String> {
    let vocab = vocab_of(table.as_deref(), name)?;
    match strata_import::value::norm_vocab(vocab, value) {
        Ok(stored) if stored != value => Some(format!(
            "{name} = '{value}' matches nothing: import stores '{value}' as '{stored}' (the {name} column holds folded values); compare with '{stored}'"
        )),
        Ok(_) => None,
        Err(expected) => Some(format!(
            "{name} = '{value}' matches nothing: {name} is stored as {}",
            expected.trim_start_matches("expected ")
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn notes(sql: &str) -> Vec<String> {
        let ctx = datafusion::prelude::SessionContext::new();
        let rt = tokio::runtime::Runtime::new().unwrap();
        rt.block_on(async {
            ctx.sql(
                "CREATE TABLE orders (order_id VARCHAR, status VARCHAR, channel VARCHAR, paid_amount DOUBLE)",
            )
            .await
            .unwrap();
            let plan = ctx.state().create_logical_plan(sql).await.unwrap();
            notes_of_plan(&plan)
        })
    }

    #[test]
    fn chinese_spellings_of_stored_values_are_pointed_out() {
        let n = notes("SELECT count(*) FROM orders WHERE status = '交易成功'");
        assert_eq!(n.len(), 1, "{n:?}");
        assert!(
            n[0].contains("status = '交易成功' matches nothing")
                && n[0].contains("stores '交易成功' as 'paid'"),
            "{n:?}"
        );
        let n = notes("SELECT * FROM orders WHERE channel IN ('直播', 'app') OR '已退款' = status");
        assert_eq!(n.len(), 2, "{n:?}");
        assert!(
            n[0].contains("'live_stream'") && n[1].contains("'refunded'"),
            "{n:?}"
        );
        let n = notes("SELECT * FROM orders WHERE status = 'gone'");
        assert!(n[0].contains("pending, paid"), "{n:?}");
        assert!(
            notes("SELECT * FROM orders WHERE status = 'paid' AND order_id = '交易成功'")
                .is_empty()
        );
    }
}
