//! Which column of an input file feeds which canonical column: the built-in header names of
//! [`strata_store::schema`], overridden by a user mapping.

use std::collections::BTreeMap;
use std::path::Path;

use strata_store::{Kind, TABLES, TableSpec, Vocab};

use crate::error::{ImportError, Result};

/// User mappings: for each table, canonical column → header in the file, or → the column's
/// position (0-based) in the header row; and values to read as others (a status the built-in
/// synonyms do not know, a channel's local name).
#[derive(Debug, Clone, Default)]
pub struct Mapping {
    tables: BTreeMap<String, BTreeMap<String, String>>,
    positions: BTreeMap<String, BTreeMap<String, usize>>,
    /// (table, column) → folded value in the file → value to read instead.
    values: BTreeMap<(String, String), BTreeMap<String, String>>,
}

/// How values are matched: trimmed, ASCII case ignored.
pub(crate) fn value_key(s: &str) -> String {
    s.trim().to_ascii_lowercase()
}

impl Mapping {
    /// Reads a TOML mapping file:
    /// ```toml
    /// [orders]
    /// order_id = "单号"
    /// paid_amount = "成交金额(元)"
    ///
    /// [orders.values.status]
    /// "待评价" = "paid"
    /// ```
    pub fn from_toml(text: &str, origin: &Path) -> Result<Mapping> {
        let at = |detail: String| ImportError::Mapping {
            detail: format!("{}: {detail}", origin.display()),
        };
        let parsed: BTreeMap<String, BTreeMap<String, toml::Value>> =
            toml::from_str(text).map_err(|e| at(e.to_string()))?;
        let located = |e: ImportError| match e {
            ImportError::Mapping { detail } => at(detail),
            other => other,
        };
        let mut m = Mapping::default();
        for (table, cols) in parsed {
            for (field, value) in cols {
                match (field.as_str(), value) {
                    (_, toml::Value::String(header)) => {
                        m.add(&table, &field, &header).map_err(located)?
                    }
                    ("values", toml::Value::Table(columns)) => {
                        for (column, pairs) in columns {
                            let toml::Value::Table(pairs) = pairs else {
                                return Err(at(format!(
                                    "[{table}.values.{column}] must be a table of \"value in the \
                                     file\" = \"value to read\" pairs"
                                )));
                            };
                            for (from, to) in pairs {
                                let toml::Value::String(to) = to else {
                                    return Err(at(format!(
                                        "[{table}.values.{column}] \"{from}\": expected a text \
                                         value such as \"paid\""
                                    )));
                                };
                                m.add_value(&table, &column, &from, &to).map_err(located)?;
                            }
                        }
                    }
                    (_, other) => {
                        return Err(at(format!(
                            "[{table}] {field} = {other}: expected the header text that feeds \
                             the column, such as {field} = \"单号\" (value mappings go in \
                             [{table}.values.COLUMN])"
                        )));
                    }
                }
            }
        }
        Ok(m)
    }

    /// Adds a value mapping from `COLUMN:VALUE=CANONICAL` (`status:待评价=paid`) for `table`.
    pub fn add_value_spec(&mut self, table: &str, spec: &str) -> Result<()> {
        let parsed = spec
            .split_once(':')
            .and_then(|(col, rest)| rest.split_once('=').map(|(from, to)| (col, from, to)));
        match parsed {
            Some((col, from, to)) if !col.trim().is_empty() && !from.trim().is_empty() => {
                self.add_value(table, col.trim(), from, to.trim())
            }
            _ => Err(ImportError::Mapping {
                detail: format!(
                    "value mapping `{spec}`: expected COLUMN:VALUE=CANONICAL, such as \
                     status:待评价=paid"
                ),
            }),
        }
    }

    /// Reads `from` in `table.field` as `to`. A closed vocabulary's target must be one of its
    /// values (or a synonym of one).
    pub fn add_value(&mut self, table: &str, field: &str, from: &str, to: &str) -> Result<()> {
        let spec = self.check_column(table, field)?;
        let kind = spec.field(field).map(|f| f.kind);
        let check = match kind {
            Some(Kind::Vocab(Vocab::Status)) => crate::value::norm_status(to).map(|_| ()),
            Some(Kind::Vocab(Vocab::Gender)) => crate::value::norm_gender(to).map(|_| ()),
            _ => Ok(()),
        };
        check.map_err(|e| ImportError::Mapping {
            detail: format!("value mapping {field}: `{from}` = `{to}`: `{to}` is not valid, {e}"),
        })?;
        self.values
            .entry((spec.name.to_string(), field.to_string()))
            .or_default()
            .insert(value_key(from), to.to_string());
        Ok(())
    }

    /// The value mappings of `table`, per column index.
    pub(crate) fn value_maps(&self, table: &TableSpec) -> Vec<Option<BTreeMap<String, String>>> {
        table
            .fields
            .iter()
            .map(|f| {
                self.values
                    .get(&(table.name.to_string(), f.name.to_string()))
                    .cloned()
            })
            .collect()
    }

    fn check_column(&self, table: &str, field: &str) -> Result<&'static TableSpec> {
        let spec = strata_store::table(table).ok_or_else(|| ImportError::Mapping {
            detail: format!(
                "unknown table `{table}`; expected one of {}",
                TABLES.iter().map(|t| t.name).collect::<Vec<_>>().join(", ")
            ),
        })?;
        check_field(spec, field)?;
        Ok(spec)
    }

    /// Adds one `table.field = header` entry, checking that the column exists.
    pub fn add(&mut self, table: &str, field: &str, header: &str) -> Result<()> {
        let spec = self.check_column(table, field)?;
        self.add_to(spec, field, header)
    }

    /// Adds `field = header` for any table spec (one outside the workspace's tables, too).
    pub fn add_to(&mut self, spec: &TableSpec, field: &str, header: &str) -> Result<()> {
        check_field(spec, field)?;
        self.tables
            .entry(spec.name.to_string())
            .or_default()
            .insert(field.to_string(), header.to_string());
        Ok(())
    }

    /// Maps `field` to the column at `position` (0-based) of the header row, whatever its
    /// header says.
    pub fn add_position(&mut self, spec: &TableSpec, field: &str, position: usize) -> Result<()> {
        check_field(spec, field)?;
        self.positions
            .entry(spec.name.to_string())
            .or_default()
            .insert(field.to_string(), position);
        Ok(())
    }

    fn for_table(&self, table: &TableSpec) -> Option<&BTreeMap<String, String>> {
        self.tables.get(table.name)
    }

    fn positions_for(&self, table: &TableSpec) -> Option<&BTreeMap<String, usize>> {
        self.positions.get(table.name)
    }
}

fn check_field(spec: &TableSpec, field: &str) -> Result<()> {
    if spec.field(field).is_none() {
        return Err(ImportError::Mapping {
            detail: format!(
                "table `{}` has no column `{field}`; its columns are {}",
                spec.name,
                spec.fields
                    .iter()
                    .map(|f| f.name)
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        });
    }
    Ok(())
}

/// Compares header names loosely: case, spaces, `_`, `-`, a byte-order mark, full-width
/// brackets and a trailing unit in brackets such as `实付金额(元)` do not matter.
pub(crate) fn header_key(s: &str) -> String {
    let s = s.trim_start_matches('\u{feff}').trim();
    let s = match s.find(['(', '（']) {
        Some(at) if at > 0 && (s.ends_with(')') || s.ends_with('）')) => &s[..at],
        _ => s,
    };
    s.chars()
        .filter(|c| !matches!(c, ' ' | '_' | '-' | '\u{3000}'))
        .flat_map(char::to_lowercase)
        .collect()
}

/// The result of matching a file's headers: for each canonical field, the file column that
/// feeds it.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub field_to_col: Vec<Option<usize>>,
    /// Headers no field uses, reported so a user can spot a missed mapping.
    pub unused: Vec<String>,
}

/// The canonical column one header name feeds, if any: a user mapping first, then the
/// built-in names in column order.
pub(crate) fn field_for_header(
    table: &TableSpec,
    mapping: &Mapping,
    header: &str,
) -> Option<usize> {
    let k = header_key(header);
    if k.is_empty() {
        return None;
    }
    if let Some(user) = mapping.for_table(table)
        && let Some((field, _)) = user.iter().find(|(_, v)| header_key(v) == k)
    {
        return table.index_of(field);
    }
    table
        .fields
        .iter()
        .position(|f| f.aliases.iter().any(|a| header_key(a) == k))
}

/// How many of `headers` name a column of `table` (a column mapped by position counts when the
/// row has it); used to find the header row.
pub(crate) fn known_headers(table: &TableSpec, mapping: &Mapping, headers: &[String]) -> usize {
    let positional = mapping
        .positions_for(table)
        .map_or(0, |p| p.values().filter(|&&c| c < headers.len()).count());
    headers
        .iter()
        .filter(|h| field_for_header(table, mapping, h).is_some())
        .count()
        + positional
}

/// Refuses a file whose headers fit another table clearly better, and completely: the usual
/// mistake of importing an order export as customers would otherwise overwrite customer rows.
pub(crate) fn check_table(
    table: &'static TableSpec,
    mapping: &Mapping,
    headers: &[String],
    path: &Path,
) -> Result<()> {
    let count = known_headers(table, mapping, headers);
    for other in strata_store::TABLES {
        if other.name == table.name {
            continue;
        }
        let n = known_headers(other, &Mapping::default(), headers);
        if n > count + 1
            && n >= 2 * count
            && resolve(other, &Mapping::default(), headers, path).is_ok()
        {
            return Err(ImportError::WrongTable {
                path: path.to_path_buf(),
                table: table.name,
                count,
                better: other.name,
                better_cli: other.cli_name,
                better_count: n,
            });
        }
    }
    Ok(())
}

pub(crate) fn resolve(
    table: &'static TableSpec,
    mapping: &Mapping,
    headers: &[String],
    path: &Path,
) -> Result<Resolved> {
    let keys: Vec<String> = headers.iter().map(|h| header_key(h)).collect();
    let mut claimed = vec![false; headers.len()];
    let mut field_to_col = vec![None; table.fields.len()];
    let found = || headers.join(", ");

    if let Some(user) = mapping.positions_for(table) {
        for (field, &col) in user {
            let fi = table
                .index_of(field)
                .expect("mapping fields are checked on entry");
            if col >= headers.len() {
                return Err(ImportError::MappedColumnMissing {
                    path: path.to_path_buf(),
                    field: field.clone(),
                    header: format!("number {}", col + 1),
                    found: found(),
                });
            }
            field_to_col[fi] = Some(col);
            claimed[col] = true;
        }
    }
    if let Some(user) = mapping.for_table(table) {
        for (field, header) in user {
            let fi = table
                .index_of(field)
                .expect("mapping fields are checked on entry");
            let hk = header_key(header);
            let col = keys.iter().position(|k| *k == hk).ok_or_else(|| {
                ImportError::MappedColumnMissing {
                    path: path.to_path_buf(),
                    field: field.clone(),
                    header: header.clone(),
                    found: found(),
                }
            })?;
            field_to_col[fi] = Some(col);
            claimed[col] = true;
        }
    }
    for (fi, f) in table.fields.iter().enumerate() {
        if field_to_col[fi].is_some() {
            continue;
        }
        'aliases: for alias in f.aliases {
            let ak = header_key(alias);
            for (ci, k) in keys.iter().enumerate() {
                if !claimed[ci] && *k == ak {
                    field_to_col[fi] = Some(ci);
                    claimed[ci] = true;
                    break 'aliases;
                }
            }
        }
    }
    for (fi, f) in table.fields.iter().enumerate() {
        let fallback_present = f
            .fallback
            .and_then(|fb| table.index_of(fb))
            .is_some_and(|i| field_to_col[i].is_some());
        if f.required && field_to_col[fi].is_none() && !fallback_present {
            let mut expected: Vec<String> = f.aliases.iter().map(|a| format!("`{a}`")).collect();
            if let Some(fb) = f.fallback {
                expected.push(format!("(or a `{fb}` column)"));
            }
            return Err(ImportError::MissingColumn {
                path: path.to_path_buf(),
                table: table.name,
                field: f.name,
                expected: expected.join(", "),
                found: found(),
            });
        }
    }
    let unused = headers
        .iter()
        .zip(&claimed)
        .filter(|(h, c)| !**c && !h.trim().is_empty())
        .map(|(h, _)| h.clone())
        .collect();
    Ok(Resolved {
        field_to_col,
        unused,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use strata_store::schema::ORDERS;

    #[test]
    fn header_keys_ignore_case_spacing_and_units() {
        assert_eq!(header_key("\u{feff} Order_ID "), "orderid");
        assert_eq!(header_key("实付金额(元)"), "实付金额");
        assert_eq!(header_key("实付金额（元）"), "实付金额");
        assert_eq!(header_key("(元)"), "(元)");
    }

    #[test]
    fn chinese_headers_resolve_and_user_mapping_wins() {
        let headers: Vec<String> = ["订单编号", "买家ID", "付款时间", "实付金额", "备注"]
            .map(String::from)
            .to_vec();
        let r = resolve(&ORDERS, &Mapping::default(), &headers, Path::new("x.csv")).unwrap();
        assert_eq!(
            r.field_to_col[ORDERS.index_of("order_id").unwrap()],
            Some(0)
        );
        assert_eq!(r.field_to_col[ORDERS.index_of("paid_at").unwrap()], Some(2));
        // ordered_at is absent, but it falls back to paid_at, so the file is accepted.
        assert_eq!(r.field_to_col[ORDERS.index_of("ordered_at").unwrap()], None);
        assert_eq!(r.unused, vec!["备注".to_string()]);

        let mut m = Mapping::default();
        m.add("orders", "order_id", "备注").unwrap();
        let r = resolve(&ORDERS, &m, &headers, Path::new("x.csv")).unwrap();
        assert_eq!(r.field_to_col[0], Some(4));
    }

    #[test]
    fn missing_required_column_names_what_was_expected() {
        let headers: Vec<String> = ["订单编号", "下单时间"].map(String::from).to_vec();
        let e = resolve(&ORDERS, &Mapping::default(), &headers, Path::new("x.csv")).unwrap_err();
        let msg = e.to_string();
        assert!(msg.contains("orders.customer_id"), "{msg}");
        assert!(msg.contains("买家ID"), "{msg}");
        assert!(msg.contains("the file has: 订单编号, 下单时间"), "{msg}");
    }

    #[test]
    fn mapping_rejects_unknown_columns() {
        let e = Mapping::from_toml("[orders]\nnope = \"x\"\n", Path::new("m.toml")).unwrap_err();
        assert!(e.to_string().contains("has no column `nope`"), "{e}");
        let e = Mapping::from_toml("[nope]\nx = \"y\"\n", Path::new("m.toml")).unwrap_err();
        assert!(e.to_string().contains("unknown table `nope`"), "{e}");
    }
}
