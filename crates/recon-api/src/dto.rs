//! Serializable counterparts of the model for the boundaries: the canonical JSON contract of
//! `recon convert --to json` (other tools rely on its layout) and the canonical CSV layouts.
//! Amounts are signed decimal strings ("-5.34"), dates YYYY-MM-DD.

use recon_formats::{Issue, Severity};
use recon_model::{Balance, Currency, Statement, StatementLine, format_minor};
use serde::Serialize;

#[derive(Serialize, Debug)]
pub struct CanonicalDocument {
    pub statements: Vec<StatementDto>,
    pub issues: Vec<IssueDto>,
}

#[derive(Serialize, Debug)]
pub struct StatementDto {
    pub source: String,
    pub format: &'static str,
    pub account: String,
    pub currency: String,
    pub statement_id: String,
    pub sequence: Option<String>,
    pub opening_balance: Option<BalanceDto>,
    pub closing_balance: Option<BalanceDto>,
    pub lines: Vec<LineDto>,
    /// The text encoding the file was read with (absent when not from a file).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub encoding: Option<String>,
}

#[derive(Serialize, Debug)]
pub struct BalanceDto {
    pub date: String,
    pub amount: String,
}

#[derive(Serialize, Debug)]
pub struct LineDto {
    pub line_id: String,
    pub booking_date: String,
    pub value_date: Option<String>,
    pub amount: String,
    pub currency: String,
    pub reference: Option<String>,
    pub bank_reference: Option<String>,
    pub counterparty: Option<String>,
    pub description: String,
    pub type_code: Option<String>,
    /// The transactions of a batch booking (absent for other lines).
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub details: Vec<DetailDto>,
}

/// One transaction of a batch booking.
#[derive(Serialize, Debug)]
pub struct DetailDto {
    pub reference: Option<String>,
    /// Signed decimal in the statement's currency; null when the bank gave none.
    pub amount: Option<String>,
    pub counterparty: Option<String>,
    pub counterparty_account: Option<String>,
    pub description: String,
}

#[derive(Serialize, Debug)]
pub struct IssueDto {
    pub severity: Severity,
    pub file: String,
    /// Line number, or null when the issue is about the whole file.
    pub line: Option<u64>,
    pub message: String,
    /// Stable code of a deviation read anyway or of a series check (absent otherwise).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
}

impl CanonicalDocument {
    pub fn new(statements: &[Statement], issues: &[Issue]) -> CanonicalDocument {
        CanonicalDocument {
            statements: statements.iter().map(StatementDto::from).collect(),
            issues: issues.iter().map(IssueDto::from).collect(),
        }
    }
}

impl From<&Statement> for StatementDto {
    fn from(s: &Statement) -> StatementDto {
        let balance = |b: &Balance| BalanceDto {
            date: b.date.to_string(),
            amount: format_minor(b.amount_minor, s.currency.exponent()),
        };
        StatementDto {
            source: s.source.clone(),
            format: s.format.name(),
            account: s.account.clone(),
            currency: s.currency.code().to_string(),
            statement_id: s.statement_id.clone(),
            sequence: s.sequence.clone(),
            opening_balance: s.opening_balance.as_ref().map(balance),
            closing_balance: s.closing_balance.as_ref().map(balance),
            lines: s
                .lines
                .iter()
                .map(|l| LineDto::new(l, s.currency))
                .collect(),
            encoding: s.reading.encoding.clone(),
        }
    }
}

impl LineDto {
    fn new(l: &StatementLine, currency: Currency) -> LineDto {
        LineDto {
            line_id: l.line_id.clone(),
            booking_date: l.booking_date.to_string(),
            value_date: l.value_date.map(|d| d.to_string()),
            amount: format_minor(l.amount_minor, currency.exponent()),
            currency: currency.code().to_string(),
            reference: l.reference.clone(),
            bank_reference: l.bank_reference.clone(),
            counterparty: l.counterparty.clone(),
            description: l.description.clone(),
            type_code: l.type_code.clone(),
            details: l
                .details
                .iter()
                .map(|d| DetailDto {
                    reference: d.reference.clone(),
                    amount: d.amount_minor.map(|a| format_minor(a, currency.exponent())),
                    counterparty: d.counterparty.clone(),
                    counterparty_account: d.counterparty_account.clone(),
                    description: d.description.clone(),
                })
                .collect(),
        }
    }
}

impl From<&Issue> for IssueDto {
    fn from(i: &Issue) -> IssueDto {
        let message = match &i.location {
            recon_formats::Location::Element { path, .. } => format!("{path}: {}", i.message),
            _ => i.message.clone(),
        };
        IssueDto {
            severity: i.severity,
            file: i.file.clone(),
            line: i.location.line(),
            message,
            code: i.code.clone(),
        }
    }
}

/// The canonical bank-lines CSV (`line_id,account,booking_date,value_date,amount,currency,
/// reference,description`), RFC 4180 quoting, text cells guarded against formulas (`push_field`).
/// Reads back through the canonical profile unchanged unless a text cell was guarded; the
/// canonical JSON (`recon convert --to json`) is the lossless form for machines.
pub fn canonical_bank_csv(statements: &[Statement]) -> String {
    let lines: usize = statements.iter().map(|s| s.lines.len()).sum();
    let mut out = String::with_capacity(64 + lines * 96);
    out.push_str("line_id,account,booking_date,value_date,amount,currency,reference,description\n");
    for s in statements {
        for l in &s.lines {
            push_field(&mut out, &l.line_id);
            out.push(',');
            push_field(&mut out, &s.account);
            out.push(',');
            out.push_str(&l.booking_date.to_string());
            out.push(',');
            if let Some(v) = l.value_date {
                out.push_str(&v.to_string());
            }
            out.push(',');
            out.push_str(&format_minor(l.amount_minor, s.currency.exponent()));
            out.push(',');
            out.push_str(s.currency.code());
            out.push(',');
            push_field(&mut out, l.reference.as_deref().unwrap_or(""));
            out.push(',');
            push_field(&mut out, &l.description);
            out.push('\n');
        }
    }
    out
}

/// Appends one RFC 4180 text field, quoted only when it must be. These files are for people: a
/// text that begins with `=`, `+`, `-`, `@`, a tab or a carriage return gets a leading `'` (the
/// sign-off CSV's guard, `recon_report::neutralize`), so no spreadsheet evaluates it. Amounts
/// are written by the callers as numbers, never through here.
pub(crate) fn push_field(out: &mut String, value: &str) {
    let value = recon_report::neutralize(value);
    let value = value.as_ref();
    // Bytes, not chars: the four are ASCII, and a char search costs a share of writing a
    // million result rows.
    if value
        .bytes()
        .any(|b| matches!(b, b',' | b'"' | b'\n' | b'\r'))
    {
        out.push('"');
        out.push_str(&value.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(value);
    }
}

/// `summary.json` of `recon match`.
#[derive(Serialize, Debug, Clone)]
pub struct MatchSummary {
    pub rule_set: String,
    pub bank_lines: usize,
    pub ledger_entries: usize,
    pub bank_lines_auto_matched: usize,
    pub ledger_entries_auto_matched: usize,
    pub match_rate_per_mille: u32,
    /// Auto-matched bank lines over all bank lines, e.g. "97.12%".
    pub match_rate: String,
    pub exceptions: usize,
    /// Absolute bank amounts in confirmed groups, per currency.
    pub bank_amount_matched: Vec<(String, String)>,
    /// Absolute bank amounts still open, per currency.
    pub bank_amount_open: Vec<(String, String)>,
    pub passes: Vec<PassSummary>,
    /// Wall time per phase, in microseconds, in order.
    pub phases_micros: Vec<(String, u128)>,
    pub total_micros: u128,
}

#[derive(Serialize, Debug, Clone)]
pub struct PassSummary {
    pub rule: String,
    pub auto_groups: usize,
    pub suggested_groups: usize,
    pub bank_items_auto: usize,
    pub ledger_items_auto: usize,
    /// The limits the pass reached, and what they left out (empty when none).
    pub limits: Vec<LimitSummary>,
}

/// A limit a pass reached (summary.json).
#[derive(Serialize, Debug, Clone)]
pub struct LimitSummary {
    /// The rule option or built-in limit, e.g. "suggestions_max".
    pub limit: String,
    pub count: usize,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Bank-supplied text never reaches a spreadsheet as a live formula; amounts stay numbers.
    #[test]
    fn canonical_bank_csv_neutralizes_formulas_but_not_amounts() {
        let eur = Currency::from_code("EUR").unwrap();
        let line = |id: &str, amount_minor, reference: &str, description: &str| StatementLine {
            line_id: id.into(),
            booking_date: recon_model::Date::from_ymd_opt(2026, 11, 2).unwrap(),
            amount_minor,
            reference: Some(reference.into()),
            description: description.into(),
            ..StatementLine::default()
        };
        let statement = Statement {
            source: "x.csv".into(),
            format: recon_model::Format::Mt940,
            account: "NL91ABNA0417164300".into(),
            currency: eur,
            statement_id: "S1".into(),
            sequence: None,
            opening_balance: None,
            closing_balance: None,
            lines: vec![
                line("=cmd|calc!A1", -1250, "=HYPERLINK(\"x\")", "@SUM(A1)"),
                line("L2", 500, "+1", "-fee"),
            ],
            reading: Default::default(),
        };
        let csv = canonical_bank_csv(&[statement]);
        let rows: Vec<&str> = csv.lines().collect();
        assert_eq!(
            rows[1],
            "'=cmd|calc!A1,NL91ABNA0417164300,2026-11-02,,-12.50,EUR,\"'=HYPERLINK(\"\"x\"\")\",'@SUM(A1)",
            "{csv}"
        );
        assert_eq!(
            rows[2],
            "L2,NL91ABNA0417164300,2026-11-02,,5.00,EUR,'+1,'-fee"
        );
    }
}
