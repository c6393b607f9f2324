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
    /// How the file was read: its text encoding and every deviation from the format tolerated.
    pub reading: Reading,
}

/// How a statement's file was read: what a person needs to judge the reading (issue 15's policy:
/// a bank's file is evidence; whatever the importer had to assume is written down here).
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct Reading {
    /// The text encoding the file was decoded with (`UTF-8`, `windows-1252`, ...), as
    /// encoding_rs names it; `None` when the statement was not read from a file.
    pub encoding: Option<String>,
    /// Deviations from the format that were read anyway, in file order.
    pub deviations: Vec<Deviation>,
}

/// One tolerated deviation from a format: a warning kept with the statement.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Deviation {
    /// Stable code, e.g. `mt940.date_past_month_end`; a workspace stores it, people and tools filter on it.
    pub code: String,
    /// 1-based line of the decoded text, when the deviation has one.
    pub line: Option<u64>,
    /// XML element path, for the XML formats.
    pub path: Option<String>,
    /// The text as the file has it (kept so the original is never lost, e.g. `160230`).
    pub excerpt: String,
    /// What was read and what was assumed, for people.
    pub message: String,
}

/// One transaction inside a batch booking (camt `TxDtls`, MT940 `:86:` lists, BAI2 detail
/// records): the bank line is the booking, the details are what it settles.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct BatchDetail {
    /// End-to-end or other reference of the transaction.
    pub reference: Option<String>,
    /// Signed like the line, in the statement's minor units; `None` when the bank gave none
    /// (or gave it in another currency).
    pub amount_minor: Option<i64>,
    pub counterparty: Option<String>,
    pub counterparty_account: Option<String>,
    /// Remittance text of the transaction.
    pub description: String,
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
    /// The transactions of a batch booking, when the bank lists more than one; empty otherwise.
    pub details: Vec<BatchDetail>,
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
