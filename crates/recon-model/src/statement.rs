//! Bank statements, their lines, and general-ledger entries in one canonical shape.
//!
//! Sign convention everywhere: a positive amount is money into the bank account, a negative one
//! money out of it. Ledger entries use the same convention, so a matched bank line and ledger entry
//! carry equal amounts.

use crate::{Currency, Date};
use serde::Serialize;
use std::fmt;

/// The file format a statement was read from.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Default, Serialize)]
pub enum Format {
    #[serde(rename = "camt.052")]
    Camt052,
    #[serde(rename = "camt.053")]
    Camt053,
    #[serde(rename = "camt.054")]
    Camt054,
    #[serde(rename = "mt940")]
    Mt940,
    #[serde(rename = "mt942")]
    Mt942,
    #[serde(rename = "bai2")]
    Bai2,
    #[serde(rename = "csv")]
    #[default]
    Csv,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Camt052,
        Format::Camt053,
        Format::Camt054,
        Format::Mt940,
        Format::Mt942,
        Format::Bai2,
        Format::Csv,
    ];

    /// The name used in the canonical JSON and on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Format::Camt052 => "camt.052",
            Format::Camt053 => "camt.053",
            Format::Camt054 => "camt.054",
            Format::Mt940 => "mt940",
            Format::Mt942 => "mt942",
            Format::Bai2 => "bai2",
            Format::Csv => "csv",
        }
    }

    pub fn from_name(name: &str) -> Option<Format> {
        let lower = name.to_ascii_lowercase();
        let lower = lower.replace('_', ".");
        Format::ALL
            .into_iter()
            .find(|f| f.name() == lower || f.name().replace('.', "") == lower.replace('.', ""))
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A booked balance at the end of a day, in the statement's currency.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Balance {
    pub date: Date,
    pub amount_minor: i64,
}

/// One statement (or intraday report, or notification) for one account and currency.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Statement {
    /// File name (or S3 key) the statement came from.
    pub source: String,
    pub format: Format,
    /// IBAN or bank account number as the bank writes it.
    pub account: String,
    pub currency: Currency,
    pub statement_id: String,
    /// Statement / page sequence number where the format carries one (MT940 :28C:, camt ElctrncSeqNb).
    pub sequence: Option<String>,
    pub opening_balance: Option<Balance>,
    pub closing_balance: Option<Balance>,
    pub lines: Vec<StatementLine>,
}

/// One movement on a bank statement.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct StatementLine {
    /// Unique within the import: `<statement_id>/<1-based line number>` unless the format has ids.
    pub line_id: String,
    pub booking_date: Date,
    pub value_date: Option<Date>,
    /// Signed: + money into the account, - money out.
    pub amount_minor: i64,
    /// End-to-end / customer reference (MT940 customer reference, camt EndToEndId, BAI2 customer ref).
    pub reference: Option<String>,
    /// The bank's own reference for the movement (MT940 bank reference, BAI2 bank ref).
    pub bank_reference: Option<String>,
    /// Account-servicer reference (camt AcctSvcrRef).
    pub servicer_reference: Option<String>,
    pub counterparty: Option<String>,
    pub counterparty_account: Option<String>,
    /// Free text: remittance information, MT940 :86:, BAI2 text. Empty when the file has none.
    pub description: String,
    /// Bank transaction code as the format gives it (MT940 'NTRF', BAI2 type code, camt domain/proprietary).
    pub type_code: Option<String>,
}

/// One general-ledger posting on the cash account that a bank account reconciles against.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct LedgerEntry {
    pub entry_id: String,
    pub account: String,
    pub posting_date: Date,
    /// Signed with the bank's convention: + money into the bank account.
    pub amount_minor: i64,
    pub currency: Currency,
    pub reference: Option<String>,
    pub description: String,
}

impl Statement {
    /// Sum of all line amounts, in minor units; `None` when it overflows i64.
    pub fn lines_total_minor(&self) -> Option<i64> {
        self.lines
            .iter()
            .try_fold(0i64, |acc, l| acc.checked_add(l.amount_minor))
    }

    /// Closing minus (opening + lines), when both balances are present: zero when the statement
    /// is internally consistent. Reported, never "fixed".
    pub fn balance_difference_minor(&self) -> Option<i64> {
        let opening = self.opening_balance?;
        let closing = self.closing_balance?;
        let expected = opening
            .amount_minor
            .checked_add(self.lines_total_minor()?)?;
        closing.amount_minor.checked_sub(expected)
    }
}
