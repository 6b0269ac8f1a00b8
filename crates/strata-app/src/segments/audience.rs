//! Audiences out: a segment's members as a channel's tools take them, to a file (CSV with a
//! byte-order mark, XLSX) or a webhook (signed JSON batches, retried with backoff, with an
//! idempotency key each). Customers without marketing consent, or without the contact the
//! channel needs, are left out and counted. Every export is logged in `segment_exports`.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use arrow::array::{ArrayRef, Int64Array, RecordBatch, StringArray, TimestampMicrosecondArray};
use arrow::datatypes::{DataType, Field, Schema};
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};
use strata_store::HistoryEntry;

use super::{current, ensure_fresh, not_found, sql_text, strings, write_part};
use crate::error::{Error, Result};
use crate::export::{Export, TABLE_FORMATS};
use crate::session::Session;

pub const EXPORTS: &str = "segment_exports";

/// Where an audience goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Channel {
    Sms,
    Email,
    Wechat,
    Ads,
}

impl Channel {
    pub const ALL: [Channel; 4] = [Channel::Sms, Channel::Email, Channel::Wechat, Channel::Ads];

    pub fn name(self) -> &'static str {
        match self {
            Channel::Sms => "sms",
            Channel::Email => "email",
            Channel::Wechat => "wechat",
            Channel::Ads => "ads",
        }
    }

    pub fn parse(s: &str) -> Result<Channel> {
        Channel::ALL
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(s.trim()))
            .ok_or_else(|| {
                Error::invalid(format!("channel `{s}`: expected sms, email, wechat or ads"))
            })
    }

    /// The columns this channel's tools need.
    pub fn columns(self) -> &'static [&'static str] {
        match self {
            Channel::Sms => &["customer_id", "name", "phone"],
            Channel::Email => &["customer_id", "name", "email"],
            Channel::Wechat => &["customer_id", "name"],
            Channel::Ads => &["customer_id", "phone_sha256", "email_sha256"],
        }
    }

    /// What a member must have to be reached, in words (for "left out: no …").
    pub fn contact(self) -> Option<&'static str> {
        match self {
            Channel::Sms => Some("phone"),
            Channel::Email => Some("email"),
            Channel::Wechat => None,
            Channel::Ads => Some("phone or email"),
        }
    }
}

/// A webhook and how to deliver to it.
#[derive(Debug, Clone)]
pub struct Webhook {
    pub url: String,
    pub batch_size: usize,
    /// Per request.
    pub timeout: Duration,
    /// Waits before the second, third … attempt of a batch.
    pub backoff: Vec<Duration>,
}

impl Webhook {
    pub fn new(url: &str) -> Webhook {
        Webhook {
            url: url.to_string(),
            batch_size: 500,
            timeout: Duration::from_secs(10),
            backoff: vec![
                Duration::from_millis(500),
                Duration::from_secs(1),
                Duration::from_secs(2),
            ],
        }
    }
}

#[derive(Debug, Clone)]
pub enum Target {
    File(PathBuf),
    Webhook(Webhook),
}

/// A batch the webhook did not take.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FailedBatch {
    pub batch: usize,
    pub rows: usize,
    pub attempts: usize,
    pub error: String,
}

/// What an export did.
#[derive(Debug, Clone)]
pub struct Exported {
    pub segment: String,
    pub version: i64,
    pub channel: Channel,
    /// Members in the segment.
    pub members: u64,
    /// Rows handed out (to the file, or accepted by the webhook).
    pub rows: u64,
    pub no_consent: u64,
    pub no_contact: u64,
    pub columns: Vec<&'static str>,
    /// The file or the webhook (without its query string).
    pub target: String,
    pub batches: usize,
    pub delivered_batches: usize,
    pub failed: Vec<FailedBatch>,
}

/// A phone number as ad platforms match it: E.164 (`+8613800000001`), digits only.
fn e164(phone: &str) -> Option<String> {
    let digits: String = phone.chars().filter(char::is_ascii_digit).collect();
    if digits.len() < 7 {
        return None;
    }
    Some(if digits.len() == 11 && digits.starts_with('1') {
        format!("+86{digits}")
    } else if let Some(rest) = digits.strip_prefix("00") {
        format!("+{rest}")
    } else {
        format!("+{digits}")
    })
}

fn sha256_hex(s: &str) -> String {
    let mut h = Sha256::new();
    h.update(s.as_bytes());
    hex(&h.finalize())
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// `sha256=<hex HMAC-SHA256 of body>`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes keys of any length");
    mac.update(body);
    format!("sha256={}", hex(&mac.finalize().into_bytes()))
}

/// A URL without its query string, fragment or password, for logs.
fn loggable(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            u.set_query(None);
            u.set_fragment(None);
            let _ = u.set_password(None);
            u.to_string()
        }
        Err(_) => url.split(['?', '#']).next().unwrap_or(url).to_string(),
    }
}

/// Exports the members of `name` reachable on `channel` to `target`.
pub fn export(
    session: &mut Session,
    name: &str,
    channel: Channel,
    target: &Target,
) -> Result<Exported> {
    // Check what can be checked before any work.
    let secret = match target {
        Target::File(path) => {
            crate::export::Format::of_path(path, TABLE_FORMATS)?;
            None
        }
        Target::Webhook(w) => {
            let u = url::Url::parse(&w.url).map_err(|e| {
                Error::invalid(format!(
                    "--webhook `{}`: {e}; expected an http:// or https:// address",
                    w.url
                ))
            })?;
            if !matches!(u.scheme(), "http" | "https") {
                return Err(Error::invalid(format!(
                    "--webhook `{}`: expected an http:// or https:// address",
                    w.url
                )));
            }
            if w.batch_size == 0 {
                return Err(Error::invalid("--batch-size: expected at least 1"));
            }
            Some(session.settings.webhook_secret.clone().ok_or_else(|| {
                Error::invalid(
                    "a webhook export is signed: set STRATA_WEBHOOK_SECRET or [segments] webhook_secret in strata.toml",
                )
            })?)
        }
    };
    ensure_fresh(session)?;
    let defs = current(&session.ws)?;
    let Some(def) = defs.get(name).cloned() else {
        return Err(not_found(name, &defs));
    };
    let refresh_generation = super::refreshes(&session.ws)?
        .iter()
        .rev()
        .find(|r| r.segment == name)
        .map_or(0, |r| r.generation);
    let sql = format!(
        "SELECT m.customer_id, c.name, c.phone, c.email, c.marketing_consent
         FROM segment_members m LEFT JOIN customers c ON c.customer_id = m.customer_id
         WHERE m.segment = {} ORDER BY m.customer_id",
        sql_text(name)
    );
    let batches = if session.is_empty(super::MEMBERS) {
        Vec::new()
    } else {
        session.sql(&sql)?
    };
    let mut rows: Vec<BTreeMap<&'static str, Option<String>>> = Vec::new();
    let (mut members, mut no_consent, mut no_contact) = (0u64, 0u64, 0u64);
    for b in &batches {
        let ids = strings(b, "customer_id");
        let names = strings(b, "name");
        let phones = strings(b, "phone");
        let emails = strings(b, "email");
        let consent = b
            .column_by_name("marketing_consent")
            .map(|c| strata_store::columns::texts(c).unwrap_or_default())
            .unwrap_or_default();
        for i in 0..b.num_rows() {
            members += 1;
            if consent.get(i).cloned().flatten().as_deref() != Some("true") {
                no_consent += 1;
                continue;
            }
            let nonempty = |v: &Option<String>| v.clone().filter(|s| !s.trim().is_empty());
            let phone = nonempty(&phones[i]);
            let email = nonempty(&emails[i]);
            let mut row = BTreeMap::new();
            row.insert("customer_id", ids[i].clone());
            match channel {
                Channel::Sms if phone.is_none() => {
                    no_contact += 1;
                    continue;
                }
                Channel::Email if email.is_none() => {
                    no_contact += 1;
                    continue;
                }
                Channel::Ads => {
                    let p = phone.as_deref().and_then(e164).map(|p| sha256_hex(&p));
                    let e = email.map(|e| sha256_hex(&e.trim().to_lowercase()));
                    if p.is_none() && e.is_none() {
                        no_contact += 1;
                        continue;
                    }
                    row.insert("phone_sha256", p);
                    row.insert("email_sha256", e);
                }
                _ => {}
            }
            row.insert("name", names[i].clone());
            row.insert("phone", phone);
            row.insert("email", emails[i].clone());
            rows.push(row);
        }
    }
    let columns = channel.columns().to_vec();
    let mut out = Exported {
        segment: name.to_string(),
        version: def.version,
        channel,
        members,
        rows: 0,
        no_consent,
        no_contact,
        columns: columns.clone(),
        target: String::new(),
        batches: 0,
        delivered_batches: 0,
        failed: Vec::new(),
    };
    match target {
        Target::File(path) => {
            let schema = Arc::new(Schema::new(
                columns
                    .iter()
                    .map(|c| Field::new(*c, DataType::Utf8, true))
                    .collect::<Vec<_>>(),
            ));
            let arrays: Vec<ArrayRef> = columns
                .iter()
                .map(|c| {
                    Arc::new(StringArray::from(
                        rows.iter()
                            .map(|r| r.get(c).cloned().flatten())
                            .collect::<Vec<_>>(),
                    )) as ArrayRef
                })
                .collect();
            let batch = RecordBatch::try_new(schema, arrays)?;
            let written = crate::export::to_path(
                path,
                TABLE_FORMATS,
                &Export::table(std::slice::from_ref(&batch), name),
                session.settings.timezone(),
            )?;
            out.rows = written;
            out.target = path.display().to_string();
            out.batches = 1;
            out.delivered_batches = 1;
        }
        Target::Webhook(w) => {
            let secret = secret.unwrap_or_default();
            out.target = loggable(&w.url);
            let chunks: Vec<&[BTreeMap<&str, Option<String>>]> =
                rows.chunks(w.batch_size).collect();
            out.batches = chunks.len();
            let agent: ureq::Agent = ureq::Agent::config_builder()
                .timeout_global(Some(w.timeout))
                .http_status_as_error(false)
                .build()
                .into();
            for (i, chunk) in chunks.iter().enumerate() {
                let key = format!(
                    "{}-{}-{}-{refresh_generation}-{}",
                    name,
                    def.version,
                    channel.name(),
                    i + 1
                );
                let members: Vec<serde_json::Value> = chunk
                    .iter()
                    .map(|r| {
                        let mut m = serde_json::Map::new();
                        for c in &columns {
                            m.insert(
                                (*c).to_string(),
                                r.get(c)
                                    .cloned()
                                    .flatten()
                                    .map_or(serde_json::Value::Null, serde_json::Value::String),
                            );
                        }
                        serde_json::Value::Object(m)
                    })
                    .collect();
                let body = serde_json::json!({
                    "segment": name,
                    "version": def.version,
                    "channel": channel.name(),
                    "batch": i + 1,
                    "batches": chunks.len(),
                    "idempotency_key": key,
                    "members": members,
                });
                let body = serde_json::to_vec(&body).map_err(|e| Error::Internal(e.to_string()))?;
                match deliver(&agent, w, &secret, &key, &body) {
                    Ok(()) => {
                        out.delivered_batches += 1;
                        out.rows += chunk.len() as u64;
                    }
                    Err((attempts, error)) => out.failed.push(FailedBatch {
                        batch: i + 1,
                        rows: chunk.len(),
                        attempts,
                        error,
                    }),
                }
            }
        }
    }
    log(session, &out)?;
    Ok(out)
}

/// Posts one batch, retrying connection errors, timeouts, 5xx and 429 with backoff; `Err`
/// carries the attempts made and the last error.
fn deliver(
    agent: &ureq::Agent,
    w: &Webhook,
    secret: &str,
    key: &str,
    body: &[u8],
) -> std::result::Result<(), (usize, String)> {
    let mut attempts = 0;
    loop {
        attempts += 1;
        let result = agent
            .post(&w.url)
            .header("Content-Type", "application/json")
            .header("Idempotency-Key", key)
            .header("X-Strata-Signature", signature(secret, body))
            .send(body);
        let (retry, error) = match result {
            Ok(resp) => {
                let status = resp.status().as_u16();
                if (200..300).contains(&status) {
                    return Ok(());
                }
                (status >= 500 || status == 429, format!("HTTP {status}"))
            }
            Err(e) => (true, e.to_string()),
        };
        match w.backoff.get(attempts - 1) {
            Some(wait) if retry => std::thread::sleep(*wait),
            _ => return Err((attempts, error)),
        }
    }
}

fn log(session: &mut Session, e: &Exported) -> Result<()> {
    let user = std::env::var("USER")
        .or_else(|_| std::env::var("USERNAME"))
        .unwrap_or_else(|_| "unknown".into());
    let schema = Arc::new(Schema::new(vec![
        Field::new(
            "exported_at",
            DataType::Timestamp(arrow::datatypes::TimeUnit::Microsecond, Some("UTC".into())),
            false,
        ),
        Field::new("user", DataType::Utf8, false),
        Field::new("segment", DataType::Utf8, false),
        Field::new("version", DataType::Int64, false),
        Field::new("channel", DataType::Utf8, false),
        Field::new("target", DataType::Utf8, false),
        Field::new("members", DataType::Int64, false),
        Field::new("rows", DataType::Int64, false),
        Field::new("no_consent", DataType::Int64, false),
        Field::new("no_contact", DataType::Int64, false),
        Field::new("columns", DataType::Utf8, false),
        Field::new("batches", DataType::Int64, false),
        Field::new("failed_batches", DataType::Int64, false),
    ]));
    let n = |v: u64| Arc::new(Int64Array::from(vec![v as i64])) as ArrayRef;
    let s = |v: &str| Arc::new(StringArray::from(vec![v.to_string()])) as ArrayRef;
    let batch = RecordBatch::try_new(
        schema,
        vec![
            Arc::new(
                TimestampMicrosecondArray::from(vec![chrono::Utc::now().timestamp_micros()])
                    .with_timezone("UTC"),
            ),
            s(&user),
            s(&e.segment),
            Arc::new(Int64Array::from(vec![e.version])),
            s(e.channel.name()),
            s(&e.target),
            n(e.members),
            n(e.rows),
            n(e.no_consent),
            n(e.no_contact),
            s(&e.columns.join(",")),
            n(e.batches as u64),
            n(e.failed.len() as u64),
        ],
    )?;
    let mut txn = session.ws.begin()?;
    let part = write_part(&mut txn, EXPORTS, &batch)?;
    txn.add_part(EXPORTS, part);
    let mut counts = BTreeMap::new();
    counts.insert("rows".to_string(), e.rows);
    counts.insert("no_consent".to_string(), e.no_consent);
    counts.insert("no_contact".to_string(), e.no_contact);
    txn.record(HistoryEntry {
        generation: txn.generation(),
        at: chrono::Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Secs, true),
        operation: "segment export".into(),
        table: EXPORTS.into(),
        sources: vec![format!(
            "{} v{} → {} ({})",
            e.segment,
            e.version,
            e.target,
            e.channel.name()
        )],
        counts,
    });
    txn.commit()?;
    session.reopen()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phones_normalise_to_e164_and_signatures_are_hmac_sha256() {
        assert_eq!(e164("138-0000-0001").as_deref(), Some("+8613800000001"));
        assert_eq!(e164("+86 138 0000 0001").as_deref(), Some("+8613800000001"));
        assert_eq!(e164("0044 20 7946 0958").as_deref(), Some("+442079460958"));
        assert_eq!(e164("12"), None);
        // RFC 4231 test case 2.
        assert_eq!(
            signature("Jefe", b"what do ya want for nothing?"),
            "sha256=5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        assert_eq!(
            sha256_hex("abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(
            loggable("https://u:pw@hooks.example.com/x?token=s#f"),
            "https://u@hooks.example.com/x"
        );
    }
}
