//! The pack as one RFC 4180 CSV (CRLF, quoted where needed), one uniform header for every record
//! kind so any tool reads it. The `record` column says what a row is: meta, control, balance,
//! reconciliation, statement, input_file, rule_stat, sign_off, exception, adjustment, match, audit.
//!
//! Formula injection: a text cell that begins with `=`, `+`, `-`, `@`, a tab or a carriage return
//! is prefixed with `'`, so no spreadsheet evaluates it. The `amount` and `days_open` columns are
//! numbers written by this module, never neutralized.

use crate::money::plain;
use recon_review::pack::SignOffPack;

pub const HEADER: [&str; 16] = [
    "record",
    "name",
    "value",
    "side",
    "item_id",
    "date",
    "days_open",
    "amount",
    "currency",
    "rule",
    "status",
    "reason",
    "reference",
    "description",
    "actor",
    "at",
];

/// Makes a text cell safe to open in a spreadsheet (OWASP's CSV injection advice).
pub fn neutralize(text: &str) -> std::borrow::Cow<'_, str> {
    match text.as_bytes().first() {
        Some(b'=' | b'+' | b'-' | b'@' | b'\t' | b'\r') => format!("'{text}").into(),
        _ => text.into(),
    }
}

fn push_text(out: &mut Vec<u8>, text: &str) {
    let text = neutralize(text);
    if text.contains(['"', ',', '\n', '\r']) {
        out.push(b'"');
        for b in text.bytes() {
            if b == b'"' {
                out.push(b'"');
            }
            out.push(b);
        }
        out.push(b'"');
    } else {
        out.extend_from_slice(text.as_bytes());
    }
}

/// One row being written: text cells by column name, numbers separately.
#[derive(Default)]
struct Row<'a> {
    cells: [&'a str; 16],
    amount: Option<i64>,
    days_open: Option<i64>,
}

impl<'a> Row<'a> {
    fn new(record: &'a str) -> Row<'a> {
        let mut row = Row::default();
        row.cells[0] = record;
        row
    }
    fn set(mut self, column: &str, value: &'a str) -> Row<'a> {
        let i = HEADER
            .iter()
            .position(|h| *h == column)
            .expect("a known column");
        self.cells[i] = value;
        self
    }
    fn amount(mut self, minor: i64) -> Row<'a> {
        self.amount = Some(minor);
        self
    }
    fn days(mut self, days: i64) -> Row<'a> {
        self.days_open = Some(days);
        self
    }
}

struct Writer<'p> {
    out: Vec<u8>,
    pack: &'p SignOffPack,
}

impl Writer<'_> {
    fn row(&mut self, row: Row<'_>) {
        for (i, cell) in row.cells.iter().enumerate() {
            if i > 0 {
                self.out.push(b',');
            }
            match HEADER[i] {
                "amount" => {
                    if let Some(a) = row.amount {
                        self.out
                            .extend_from_slice(plain(a, self.pack.exponent).as_bytes());
                    }
                }
                "days_open" => {
                    if let Some(d) = row.days_open {
                        self.out.extend_from_slice(d.to_string().as_bytes());
                    }
                }
                "currency" if row.amount.is_some() => {
                    self.out.extend_from_slice(self.pack.currency.as_bytes());
                }
                _ => push_text(&mut self.out, cell),
            }
        }
        self.out.extend_from_slice(b"\r\n");
    }
}

pub fn render(pack: &SignOffPack) -> Vec<u8> {
    let mut w = Writer {
        out: Vec::with_capacity(256 * (pack.exceptions.len() + 2 * pack.groups.len() + 100)),
        pack,
    };
    w.out.extend_from_slice(HEADER.join(",").as_bytes());
    w.out.extend_from_slice(b"\r\n");
    let approved_hash = pack.sign_off.content_hash.clone().unwrap_or_default();
    let runs = pack.rule_set.runs.to_string();
    let meta: [(&str, &str); 15] = [
        ("pack", "sign-off pack v1"),
        ("status", pack.status_label()),
        ("workspace_id", &pack.workspace_id),
        ("account", &pack.account),
        ("currency", &pack.currency),
        ("period_start", &pack.period_start),
        ("period_end", &pack.period_end),
        ("as_of", &pack.as_of),
        ("as_of_time_zone", &pack.as_of_time_zone),
        (
            "generated_at (timestamp of this export)",
            &pack.generated_at,
        ),
        ("content_hash", &pack.content_hash),
        ("approved_content_hash", &approved_hash),
        ("audit_head_hash", &pack.audit_head_hash),
        ("rule_set", &pack.rule_set.name),
        ("rule_set_sha256", &pack.rule_set.sha256),
    ];
    for (name, value) in meta {
        w.row(Row::new("meta").set("name", name).set("value", value));
    }
    w.row(
        Row::new("meta")
            .set("name", "match_runs")
            .set("value", &runs),
    );
    let c = &pack.controls;
    let controls: [(&str, i64, i64); 6] = [
        ("bank_lines", c.bank_lines, c.bank_total_minor),
        ("ledger_entries", c.ledger_entries, c.ledger_total_minor),
        (
            "matched_bank_lines",
            c.matched_bank_lines,
            c.matched_bank_minor,
        ),
        (
            "matched_ledger_entries",
            c.matched_ledger_entries,
            c.matched_ledger_minor,
        ),
        ("open_bank_lines", c.open_bank_lines, c.open_bank_minor),
        (
            "open_ledger_entries",
            c.open_ledger_entries,
            c.open_ledger_minor,
        ),
    ];
    for (name, count, total) in controls {
        let count = count.to_string();
        w.row(
            Row::new("control")
                .set("name", name)
                .set("value", &count)
                .amount(total),
        );
    }
    let r = &pack.reconciliation;
    let balances: [(&str, i64); 5] = [
        ("bank_closing_balance", r.bank_closing_minor),
        ("ledger_opening_balance", pack.ledger_opening_minor),
        ("adjusted_bank_balance", r.adjusted_bank_minor),
        ("ledger_balance", r.ledger_balance_minor),
        ("unexplained_difference", r.unexplained_minor),
    ];
    for (name, amount) in balances {
        w.row(Row::new("balance").set("name", name).amount(amount));
    }
    w.row(
        Row::new("reconciliation")
            .set("name", "bank closing balance")
            .amount(r.bank_closing_minor),
    );
    for row in &r.rows {
        w.row(
            Row::new("reconciliation")
                .set("name", &row.label)
                .amount(row.amount_minor),
        );
    }
    w.row(
        Row::new("reconciliation")
            .set("name", "ledger balance")
            .amount(r.ledger_balance_minor),
    );
    w.row(
        Row::new("reconciliation")
            .set("name", "unexplained difference")
            .amount(r.unexplained_minor),
    );
    for s in &pack.statements {
        let description = format!(
            "{} {}..{}; opening {}; {} lines totalling {}",
            s.format,
            s.first_date,
            s.last_date,
            s.opening_minor
                .map_or("-".to_string(), |a| plain(a, pack.exponent)),
            s.line_count,
            plain(s.lines_total_minor, pack.exponent)
        );
        let mut row = Row::new("statement")
            .set("name", &s.statement_id)
            .set("value", &s.sequence)
            .set("date", &s.last_date)
            .set("reference", &s.source)
            .set("description", &description);
        if let Some(closing) = s.closing_minor {
            row = row.amount(closing);
        }
        w.row(row);
    }
    for f in &pack.input_files {
        let records = f.records.to_string();
        w.row(
            Row::new("input_file")
                .set("name", &f.name)
                .set("value", &f.sha256)
                .set("status", &f.kind)
                .set("description", &records)
                .amount(f.total_minor),
        );
        if let Some(src) = &f.source {
            let description = format!(
                "version {}; ETag {}; {} bytes",
                src.version_id.as_deref().unwrap_or("none"),
                src.etag,
                src.size_bytes
            );
            w.row(
                Row::new("input_source")
                    .set("name", &f.name)
                    .set("value", &src.uri)
                    .set("status", &src.verified_by)
                    .set("description", &description),
            );
        }
    }
    for d in &pack.deviations {
        let statement = format!("{} {}", d.statement_id, d.sequence);
        let place = match (d.line, &d.path) {
            (Some(n), _) => format!("line {n}"),
            (None, Some(path)) => path.clone(),
            (None, None) => String::new(),
        };
        let description = format!(
            "{}{}: {} | as the file has it: {}",
            d.source,
            d.encoding
                .as_deref()
                .map(|e| format!(" ({e})"))
                .unwrap_or_default(),
            d.message,
            d.excerpt
        );
        w.row(
            Row::new("deviation")
                .set("name", &statement)
                .set("value", &d.code)
                .set("reference", &place)
                .set("description", &description),
        );
    }
    for s in &pack.rule_stats {
        let groups = s.groups.to_string();
        let description = format!(
            "{} bank items, {} ledger items",
            s.bank_items, s.ledger_items
        );
        w.row(
            Row::new("rule_stat")
                .set("rule", &s.rule)
                .set("status", &s.status)
                .set("value", &groups)
                .set("description", &description)
                .amount(s.bank_minor),
        );
    }
    let so = &pack.sign_off;
    let sign_off: [(&str, Option<&str>); 7] = [
        ("state", Some(so.state.name())),
        ("preparer", so.preparer.as_deref()),
        ("prepared_at", so.prepared_at.as_deref()),
        ("approver", so.approver.as_deref()),
        ("approved_at", so.approved_at.as_deref()),
        ("content_hash", so.content_hash.as_deref()),
        ("last_rejection", so.last_rejection.as_deref()),
    ];
    for (name, value) in sign_off {
        w.row(
            Row::new("sign_off")
                .set("name", name)
                .set("value", value.unwrap_or("")),
        );
    }
    for e in &pack.exceptions {
        w.row(
            Row::new("exception")
                .set("side", &e.side)
                .set("item_id", &e.item_id)
                .set("date", &e.date)
                .set("reason", &e.reason)
                .set("reference", &e.reference)
                .set("description", &e.description)
                .days(e.days_open)
                .amount(e.amount_minor),
        );
    }
    for a in &pack.adjustments {
        let group = a.group.to_string();
        w.row(
            Row::new("adjustment")
                .set("name", &group)
                .set("rule", &a.rule)
                .set("reason", &a.reason)
                .set("reference", &a.items)
                .set("description", &a.note)
                .set("actor", &a.created_by)
                .set("at", &a.created_at)
                .amount(a.difference_minor),
        );
    }
    for g in &pack.groups {
        let id = g.id.to_string();
        for item in &g.items {
            w.row(
                Row::new("match")
                    .set("name", &id)
                    .set("rule", &g.rule)
                    .set("status", &g.origin)
                    .set("side", &item.side)
                    .set("item_id", &item.item_id)
                    .set("date", &item.date)
                    .set("reference", &item.reference)
                    .set("actor", &g.created_by)
                    .amount(item.amount_minor),
            );
        }
    }
    for a in &pack.audit {
        let seq = a.seq.to_string();
        w.row(
            Row::new("audit")
                .set("name", &seq)
                .set("value", &a.hash)
                .set("status", &a.action)
                .set("reference", &a.target)
                .set("actor", &a.actor)
                .set("at", &a.at),
        );
    }
    w.out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_starts_are_neutralized_and_others_kept() {
        for payload in ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\tx", "\rx"] {
            assert_eq!(neutralize(payload), format!("'{payload}"));
        }
        for safe in ["", "INV 12", "a=b", "'quoted", "12.50"] {
            assert_eq!(neutralize(safe), safe);
        }
    }

    #[test]
    fn fields_are_quoted_per_rfc_4180() {
        let mut out = Vec::new();
        push_text(&mut out, "a \"b\", c");
        assert_eq!(out, b"\"a \"\"b\"\", c\"");
        let mut out = Vec::new();
        push_text(&mut out, "=HYPERLINK(\"x\")");
        assert_eq!(out, b"\"'=HYPERLINK(\"\"x\"\")\"");
    }
}
