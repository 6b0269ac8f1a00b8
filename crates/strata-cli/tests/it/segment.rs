//! `strata segment` as a user runs it: saving, live membership after imports, explanations,
//! entries and exits, undo, and audiences to files and to real local webhook receivers.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::{import_text, new_workspace, ok, query, run, stderr, stdout, user_error};

const CUSTOMERS: &str = "customer_id,name,phone,email,marketing_consent\n\
A,张三,138-0000-0001,a@example.com,是\n\
B,李四,13800000002,b@example.com,否\n\
C,王五,,c@example.com,yes\n\
D,赵六,13800000004,,\n";

fn shop(dir: &Path) -> PathBuf {
    let ws = new_workspace(dir);
    import_text(&ws, dir, "customers", "customers.csv", CUSTOMERS);
    import_orders(
        &ws,
        dir,
        "o1.csv",
        "O1,A,2026-10-01 10:00,300\nO2,B,2026-10-02 10:00,50\nO3,C,2026-10-03 10:00,120\nO4,D,2026-10-04 10:00,500\n",
    );
    ws
}

fn import_orders(ws: &Path, dir: &Path, name: &str, rows: &str) {
    let text = format!("order_id,customer_id,order_time,paid_amount\n{rows}");
    import_text(ws, dir, "orders", name, &text);
}

#[test]
fn segments_stay_current_explain_themselves_and_undo_as_one_change() {
    let dir = tempfile::tempdir().unwrap();
    let ws = shop(dir.path());
    let w = ws.to_str().unwrap();
    // No analysis yet: creating a segment computes the customer table first.
    let out = ok(&[
        "-w",
        w,
        "segment",
        "create",
        "big",
        "--rule",
        "MONETARY >= 100",
        "--description",
        "大客户",
    ]);
    assert!(
        out.contains("saved segment big (version 1): MONETARY >= 100"),
        "{out}"
    );
    assert!(
        out.contains("big: 3 members (+3 entered, -0 left)"),
        "{out}"
    );
    ok(&[
        "-w",
        w,
        "segment",
        "create",
        "big_consent",
        "--rule",
        "in segment big and marketing_consent",
    ]);
    assert_eq!(
        query(
            &ws,
            "SELECT segment, customer_id FROM segment_members ORDER BY 1, 2"
        ),
        "segment,customer_id\nbig,A\nbig,C\nbig,D\nbig_consent,A\nbig_consent,C\n"
    );

    // Every problem at once, with places; nothing saved.
    let e = user_error(&[
        "-w",
        w,
        "segment",
        "create",
        "bad",
        "--rule",
        "monetry >= 1 and did lgin",
    ]);
    assert!(
        e.contains("1:1: unknown column `monetry`; did you mean `monetary`?"),
        "{e}"
    );
    assert!(
        e.contains("1:22: unknown event `lgin`; did you mean `login`?"),
        "{e}"
    );
    let e = user_error(&[
        "-w",
        w,
        "segment",
        "edit",
        "big",
        "--rule",
        "in segment big_consent",
    ]);
    assert!(e.contains("big → big_consent → big"), "{e}");
    let e = user_error(&["-w", w, "segment", "create", "big", "--rule", "orders > 0"]);
    assert!(e.contains("segment `big` exists"), "{e}");

    // B buys more: membership follows the data without a manual refresh, and the change is
    // recorded as an entry.
    import_orders(&ws, dir.path(), "o2.csv", "O5,B,2026-10-20 10:00,80\n");
    let members = ok(&["-w", w, "segment", "members", "big", "-f", "csv"]);
    assert!(members.lines().any(|l| l.starts_with("B,")), "{members}");
    let diff = ok(&["-w", w, "segment", "diff", "big"]);
    assert!(diff.contains("1 entered, 0 left; 4 members"), "{diff}");
    assert!(diff.contains("entered: B"), "{diff}");
    // B has no consent: big_consent is unchanged.
    let diff = ok(&["-w", w, "segment", "diff", "big_consent"]);
    assert!(diff.contains("0 entered, 0 left; 2 members"), "{diff}");

    let x = ok(&["-w", w, "segment", "explain", "big_consent", "B"]);
    assert!(x.starts_with("B is not in big_consent"), "{x}");
    assert!(x.contains("✓ in segment big"), "{x}");
    assert!(x.contains("✓ MONETARY >= 100  (MONETARY: 130.00)"), "{x}");
    assert!(
        x.contains("✗ marketing_consent  (marketing_consent: false)"),
        "{x}"
    );

    let show = ok(&["-w", w, "segment", "show", "big"]);
    assert!(
        show.contains("members: 4 of 4 customers (100.0%)"),
        "{show}"
    );
    assert!(show.contains("大客户"), "{show}");
    let overlap = ok(&["-w", w, "segment", "overlap", "big", "big_consent"]);
    assert!(overlap.contains("2 (50.0%)"), "{overlap}");

    // An edit and its refresh are one generation: one undo takes both back.
    ok(&[
        "-w",
        w,
        "segment",
        "edit",
        "big",
        "--rule",
        "monetary >= 400",
    ]);
    assert_eq!(
        query(
            &ws,
            "SELECT count(*) AS n FROM segment_members WHERE segment = 'big'"
        ),
        "n\n1\n"
    );
    assert_eq!(
        query(
            &ws,
            "SELECT count(*) AS n FROM segment_members WHERE segment = 'big_consent'"
        ),
        "n\n0\n"
    );
    ok(&["-w", w, "undo"]);
    assert_eq!(
        query(
            &ws,
            "SELECT count(*) AS n FROM segment_members WHERE segment = 'big'"
        ),
        "n\n4\n"
    );
    let list = ok(&["-w", w, "segment", "list"]);
    assert!(list.contains("big  v1  4 members"), "{list}");

    let e = user_error(&["-w", w, "segment", "delete", "big"]);
    assert!(e.contains("used by `big_consent`"), "{e}");
    ok(&["-w", w, "segment", "delete", "big_consent"]);
    let list = ok(&["-w", w, "segment", "list"]);
    assert!(!list.contains("big_consent"), "{list}");
    let e = user_error(&["-w", w, "segment", "show", "bgi"]);
    assert!(e.contains("no segment `bgi`; did you mean `big`?"), "{e}");
    // The customer table is not made stale by segment work.
    let status = ok(&["-w", w, "status"]);
    assert!(
        status
            .lines()
            .any(|l| l.starts_with("customer_profile") && l.ends_with("current")),
        "{status}"
    );
}

#[test]
fn file_exports_honour_consent_and_contacts_and_are_logged() {
    let dir = tempfile::tempdir().unwrap();
    let ws = shop(dir.path());
    let w = ws.to_str().unwrap();
    ok(&["-w", w, "segment", "create", "all", "--rule", "bought"]);
    let sms = dir.path().join("sms.csv");
    let out = ok(&[
        "-w",
        w,
        "segment",
        "export",
        "all",
        "--channel",
        "sms",
        "-o",
        sms.to_str().unwrap(),
    ]);
    assert!(out.contains("1 of 4 members of all (version 1)"), "{out}");
    // B said no, D never said yes; C has no phone.
    assert!(out.contains("2 left out: no marketing consent"), "{out}");
    assert!(out.contains("1 left out: no phone"), "{out}");
    assert_eq!(
        std::fs::read_to_string(&sms).unwrap(),
        "\u{feff}customer_id,name,phone\nA,张三,138-0000-0001\n"
    );
    let ads = dir.path().join("ads.csv");
    ok(&[
        "-w",
        w,
        "segment",
        "export",
        "all",
        "--channel",
        "ads",
        "-o",
        ads.to_str().unwrap(),
    ]);
    let text = std::fs::read_to_string(&ads).unwrap();
    // SHA-256 of "+8613800000001" and of "a@example.com".
    assert!(
        text.contains("A,75b0b350d13fa7dacb9d1ffac898747465beeccb39f85b382f8a51521fb531ba,08168cd80dfd534ab0f10af10f1303fe00af2d43ab5c1432360d137f8197e17a\n"),
        "{text}"
    );
    assert!(
        text.lines().any(|l| l.starts_with("C,,")),
        "C has only an email: {text}"
    );
    let xlsx = dir.path().join("email.xlsx");
    let out = ok(&[
        "-w",
        w,
        "segment",
        "export",
        "all",
        "--channel",
        "email",
        "-o",
        xlsx.to_str().unwrap(),
    ]);
    assert!(out.contains("2 of 4 members"), "{out}");
    assert_eq!(
        query(
            &ws,
            "SELECT segment, version, channel, rows, no_consent, no_contact, columns FROM segment_exports ORDER BY exported_at"
        ),
        "segment,version,channel,rows,no_consent,no_contact,columns\n\
         all,1,sms,1,2,1,\"customer_id,name,phone\"\n\
         all,1,ads,2,2,0,\"customer_id,phone_sha256,email_sha256\"\n\
         all,1,email,2,2,0,\"customer_id,name,email\"\n"
    );
    let e = user_error(&[
        "-w",
        w,
        "segment",
        "export",
        "all",
        "--channel",
        "fax",
        "-o",
        "x.csv",
    ]);
    assert!(
        e.contains("channel `fax`: expected sms, email, wechat or ads"),
        "{e}"
    );
    let e = user_error(&[
        "-w",
        w,
        "segment",
        "export",
        "all",
        "--channel",
        "sms",
        "-o",
        "x.pdf",
    ]);
    assert!(
        e.contains("expected a file name ending in .csv or .xlsx"),
        "{e}"
    );
}

/// A local HTTP receiver: answers each request with the next status of `statuses` (then 200),
/// or never answers when `hang`; keeps what it received.
struct Receiver {
    url: String,
    got: Arc<Mutex<Vec<Request>>>,
}

/// A request as received: its headers (names in lower case) and its body.
type Request = (Vec<(String, String)>, String);

fn receiver(statuses: Vec<u16>, hang: bool) -> Receiver {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!(
        "http://{}/hook?token=secret-in-url",
        listener.local_addr().unwrap()
    );
    let got = Arc::new(Mutex::new(Vec::new()));
    let seen = got.clone();
    std::thread::spawn(move || {
        let mut held = Vec::new();
        for (i, stream) in listener.incoming().enumerate() {
            let Ok(stream) = stream else { return };
            if hang {
                held.push(stream);
                continue;
            }
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut headers = Vec::new();
            let mut line = String::new();
            let mut length = 0;
            loop {
                line.clear();
                if reader.read_line(&mut line).unwrap_or(0) == 0 {
                    break;
                }
                let l = line.trim_end();
                if l.is_empty() {
                    break;
                }
                if let Some((k, v)) = l.split_once(':') {
                    let (k, v) = (k.trim().to_ascii_lowercase(), v.trim().to_string());
                    if k == "content-length" {
                        length = v.parse().unwrap_or(0);
                    }
                    headers.push((k, v));
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            seen.lock()
                .unwrap()
                .push((headers, String::from_utf8(body).unwrap()));
            let status = statuses.get(i).copied().unwrap_or(200);
            let mut s = stream;
            let _ = write!(
                s,
                "HTTP/1.1 {status} X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
            );
        }
    });
    Receiver { url, got }
}

fn header<'a>(h: &'a [(String, String)], name: &str) -> &'a str {
    h.iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

fn export_to(ws: &Path, url: &str, extra: &[&str]) -> std::process::Output {
    let mut args = vec![
        "-w",
        ws.to_str().unwrap(),
        "segment",
        "export",
        "all",
        "--channel",
        "email",
        "--webhook",
        url,
    ];
    args.extend_from_slice(extra);
    crate::strata()
        .env("STRATA_WEBHOOK_SECRET", "s3cret")
        .args(&args)
        .output()
        .unwrap()
}

#[test]
fn webhooks_are_signed_batched_retried_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let ws = shop(dir.path());
    let w = ws.to_str().unwrap();
    ok(&["-w", w, "segment", "create", "all", "--rule", "bought"]);
    let e = user_error(&[
        "-w",
        w,
        "segment",
        "export",
        "all",
        "--channel",
        "email",
        "--webhook",
        "http://127.0.0.1:9/x",
    ]);
    assert!(e.contains("STRATA_WEBHOOK_SECRET"), "{e}");

    // Two batches of one member each, signed, with an idempotency key per batch.
    let r = receiver(vec![], false);
    let o = export_to(&ws, &r.url, &["--batch-size", "1"]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    assert!(
        stdout(&o).contains("2 of 2 batches delivered"),
        "{}",
        stdout(&o)
    );
    let got = r.got.lock().unwrap().clone();
    assert_eq!(got.len(), 2);
    let mut keys = Vec::new();
    for (h, body) in &got {
        assert_eq!(
            header(h, "x-strata-signature"),
            strata_app::segments::audience::signature("s3cret", body.as_bytes())
        );
        let v: serde_json::Value = serde_json::from_str(body).unwrap();
        assert_eq!(
            v["idempotency_key"].as_str().unwrap(),
            header(h, "idempotency-key")
        );
        assert_eq!(v["segment"], "all");
        assert_eq!(v["batches"], 2);
        assert_eq!(v["members"].as_array().unwrap().len(), 1);
        keys.push(header(h, "idempotency-key").to_string());
    }
    assert_ne!(keys[0], keys[1]);
    let members: Vec<String> = got
        .iter()
        .map(|(_, b)| {
            serde_json::from_str::<serde_json::Value>(b).unwrap()["members"][0]["email"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(members, ["a@example.com", "c@example.com"]);
    // The log keeps the address without its token.
    let logged = query(&ws, "SELECT target FROM segment_exports");
    assert!(
        logged.contains("/hook") && !logged.contains("secret-in-url"),
        "{logged}"
    );

    // Fails twice, then takes it: three attempts with the same key, delivered.
    let r = receiver(vec![503, 503], false);
    let o = export_to(&ws, &r.url, &[]);
    assert!(o.status.success(), "{}{}", stdout(&o), stderr(&o));
    let got = r.got.lock().unwrap().clone();
    assert_eq!(got.len(), 3);
    assert!(
        got.iter()
            .all(|(h, _)| header(h, "idempotency-key") == header(&got[0].0, "idempotency-key"))
    );

    // A refusal (4xx) is not retried; the run fails and says which batch.
    let r = receiver(vec![400], false);
    let o = export_to(&ws, &r.url, &[]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("batch 1 (2 members) failed after 1 attempt: HTTP 400"),
        "{}",
        stdout(&o)
    );
    assert_eq!(r.got.lock().unwrap().len(), 1);

    // One that never answers: timed out, retried, reported; no hang.
    let r = receiver(vec![], true);
    let o = export_to(&ws, &r.url, &["--timeout", "0.3"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        stdout(&o).contains("failed after 4 attempts"),
        "{}",
        stdout(&o)
    );
    assert!(
        stderr(&o).contains("1 of 1 batches were not delivered"),
        "{}",
        stderr(&o)
    );
    let n = query(
        &ws,
        "SELECT count(*) AS n, sum(failed_batches) AS f FROM segment_exports",
    );
    assert_eq!(n, "n,f\n4,2\n");
    let _ = run(&["-w", w, "status"]);
}
