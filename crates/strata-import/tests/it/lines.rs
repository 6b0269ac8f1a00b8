//! Reject line numbers are the lines an editor shows (and, for XLSX, the rows Excel shows),
//! whatever ends the lines.

use strata_import::ImportOptions;
use strata_store::schema::{ORDERS, REVIEWS};

use crate::fixture;

/// An orders file whose only bad row is the one holding `notadate`, with `header` before it.
fn orders(eol: &str, before: &[&str]) -> String {
    let mut lines: Vec<String> = before.iter().map(|s| s.to_string()).collect();
    lines.push("order_id,customer_id,order_time,paid_amount".into());
    lines.push("A1,C1,2026-01-01,10".into());
    lines.push("A2,C1,notadate,10".into());
    lines.push("A3,C2,2026-01-02,5".into());
    let mut text = lines.join(eol);
    text.push_str(eol);
    text
}

fn reject_line(name: &str, bytes: impl AsRef<[u8]>) -> u64 {
    let mut f = fixture();
    let path = f.file(name, bytes);
    let s = f.import(&ORDERS, &[path], &ImportOptions::default());
    assert_eq!(s.rejected, 1, "{name}");
    assert_eq!(s.sample_rejects[0].value, "notadate");
    s.sample_rejects[0].line
}

#[test]
fn csv_line_numbers_for_every_line_ending() {
    assert_eq!(reject_line("lf.csv", orders("\n", &[])), 3);
    // Excel and most Windows back-ends write CRLF; the csv crate alone says 2 here.
    assert_eq!(reject_line("crlf.csv", orders("\r\n", &[])), 3);
    // Old Mac exports end lines with a lone CR; the csv crate alone says 1.
    assert_eq!(reject_line("cr.csv", orders("\r", &[])), 3);
    // A title row and a blank line before the header.
    assert_eq!(
        reject_line("title.csv", orders("\r\n", &["店铺订单报表 2026年1月", ""])),
        5
    );
    // With a byte-order mark.
    assert_eq!(
        reject_line("bom.csv", format!("\u{feff}{}", orders("\r\n", &[]))),
        3
    );
}

#[test]
fn a_quoted_field_with_line_breaks_counts_its_lines() {
    // The bad row starts on line 5: the note of A1 spans lines 2 to 4 (one CRLF, one LF).
    let text = "order_id,customer_id,order_time,paid_amount,note\r\n\
                A1,C1,2026-01-01,10,\"first\r\nsecond\nthird\"\r\n\
                A2,C1,notadate,10,x\r\n";
    assert_eq!(reject_line("multi.csv", text), 5);
}

#[test]
fn utf16_crlf_line_numbers() {
    let text = orders("\r\n", &[]).replace(',', "\t");
    let mut bytes = vec![0xFF, 0xFE];
    for u in text.encode_utf16() {
        bytes.extend_from_slice(&u.to_le_bytes());
    }
    assert_eq!(reject_line("utf16.txt", bytes), 3);
}

#[test]
fn json_lines_count_blank_and_crlf_lines() {
    let mut f = fixture();
    let text = "{\"review_id\":\"R1\",\"customer_id\":\"C1\",\"review_time\":\"2026-03-01\",\"rating\":5}\r\n\
                \r\n\
                {\"review_id\":\"R2\",\"customer_id\":\"C1\",\"review_time\":\"2026-03-01\",\"rating\":9}\r\n";
    let path = f.file("r.jsonl", text);
    let s = f.import(&REVIEWS, &[path], &ImportOptions::default());
    assert_eq!(s.rejected, 1);
    assert_eq!(s.sample_rejects[0].line, 3);
}
