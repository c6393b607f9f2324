//! The sign-off pack: everything an auditor files as evidence of one reconciliation, as plain
//! data. The store fills it from the workspace; recon-report renders it (PDF, XLSX, CSV). Nothing
//! here is computed from the clock: `generated_at` is the only timestamp the exporter adds, and it
//! is named as such in every format, so two exports of the same reconciliation differ only there.

use crate::{ReconciliationStatement, SignOffState};
use serde::{Deserialize, Serialize};

/// One reconciliation, complete.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOffPack {
    pub workspace_id: String,
    pub account: String,
    pub currency: String,
    /// Decimal places of the currency's minor unit.
    pub exponent: u32,
    pub period_start: String,
    pub period_end: String,
    /// The export's own timestamp (RFC 3339): the one field that differs between two exports.
    pub generated_at: String,
    /// Ages of open items are counted in days up to this date: the laptop's local date.
    pub as_of: String,
    /// The time zone `as_of` is a date in, as a UTC offset ("UTC+01:00"); empty when the caller
    /// gave none (tests, benches).
    pub as_of_time_zone: String,
    pub statements: Vec<PackStatement>,
    /// What reading the statements assumed or tolerated (issue 15's deviations, in import
    /// order): the files were accepted with these warnings. At most [`PACK_DEVIATIONS_MAX`].
    pub deviations: Vec<PackDeviation>,
    /// All deviations of the active statements, listed or not.
    pub deviations_total: i64,
    pub input_files: Vec<PackFile>,
    pub ledger_opening_minor: i64,
    pub reconciliation: ReconciliationStatement,
    pub controls: Controls,
    pub rule_stats: Vec<RuleStat>,
    pub rule_set: RuleSetUsed,
    pub exceptions: Vec<OpenItem>,
    pub adjustments: Vec<AdjustmentEntry>,
    pub groups: Vec<MatchedGroup>,
    pub audit: Vec<AuditLine>,
    pub audit_head_hash: String,
    pub sign_off: SignOffRecord,
    /// The reconciliation's content hash now (compare with the one the approval recorded).
    pub content_hash: String,
}

impl SignOffPack {
    /// A pack is a draft (and is watermarked) unless it is approved and nothing has changed
    /// since: the approval's recorded hash equals the content hash now.
    pub fn is_draft(&self) -> bool {
        !(self.sign_off.state == SignOffState::Approved
            && self.sign_off.content_hash.as_deref() == Some(self.content_hash.as_str()))
    }

    /// "DRAFT" or "APPROVED", as printed on the cover.
    pub fn status_label(&self) -> &'static str {
        if self.is_draft() { "DRAFT" } else { "APPROVED" }
    }
}

/// A bank statement in the reconciliation, as imported.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackStatement {
    pub source: String,
    pub format: String,
    pub statement_id: String,
    pub sequence: String,
    pub first_date: String,
    pub last_date: String,
    pub opening_minor: Option<i64>,
    pub closing_minor: Option<i64>,
    pub line_count: i64,
    pub lines_total_minor: i64,
}

/// At most this many deviations are listed in a pack (the total is always given).
pub const PACK_DEVIATIONS_MAX: usize = 1_000;

/// A reading deviation of an imported statement, as the workspace kept it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackDeviation {
    pub statement_id: String,
    pub sequence: String,
    /// The file the statement came from.
    pub source: String,
    /// The encoding the file was read with, when recorded.
    pub encoding: Option<String>,
    /// Stable code, e.g. `mt940.date_past_month_end`.
    pub code: String,
    /// 1-based line of the decoded text, when the deviation has one.
    pub line: Option<u64>,
    /// XML element path, for the XML formats.
    pub path: Option<String>,
    /// The text as the file has it.
    pub excerpt: String,
    /// What was read and what was assumed.
    pub message: String,
}

/// An input file with its SHA-256, record count and control total.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackFile {
    pub name: String,
    /// "statement" or "ledger".
    pub kind: String,
    pub sha256: String,
    pub records: i64,
    pub total_minor: i64,
    /// Where the file came from when the inbox fetched it; None for a file imported from disk.
    pub source: Option<PackSource>,
}

/// An input file's object-store provenance (the statement inbox).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackSource {
    /// `s3://bucket/key`.
    pub uri: String,
    pub version_id: Option<String>,
    pub etag: String,
    pub size_bytes: i64,
    /// "sha256 checksum", "crc64nvme checksum", "etag md5", "size only".
    pub verified_by: String,
}

/// Record counts and control totals over the whole reconciliation.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Controls {
    pub bank_lines: i64,
    pub bank_total_minor: i64,
    pub ledger_entries: i64,
    pub ledger_total_minor: i64,
    pub matched_bank_lines: i64,
    pub matched_bank_minor: i64,
    pub matched_ledger_entries: i64,
    pub matched_ledger_minor: i64,
    pub open_bank_lines: i64,
    pub open_bank_minor: i64,
    pub open_ledger_entries: i64,
    pub open_ledger_minor: i64,
}

/// Match statistics for one rule and status.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleStat {
    pub rule: String,
    /// "auto", "accepted", "manual" (confirmed groups) or "suggested" (open suggestions).
    pub status: String,
    pub groups: i64,
    pub bank_items: i64,
    pub ledger_items: i64,
    /// Sum of the bank side's amounts.
    pub bank_minor: i64,
}

/// The rule set of the latest match run.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RuleSetUsed {
    pub name: String,
    /// SHA-256 of the rule set's TOML text ("" for runs recorded before it was kept).
    pub sha256: String,
    pub runs: i64,
}

/// An open item (exception) with its age.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OpenItem {
    pub side: String,
    pub item_id: String,
    pub date: String,
    pub days_open: i64,
    pub amount_minor: i64,
    pub reason: String,
    pub reference: String,
    pub description: String,
}

/// A confirmed group carrying a booked difference (adjustment or write-off).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdjustmentEntry {
    pub group: i64,
    pub rule: String,
    pub reason: String,
    pub note: String,
    pub difference_minor: i64,
    pub created_by: String,
    pub created_at: String,
    pub items: String,
}

/// A confirmed match group, both sides.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedGroup {
    pub id: i64,
    pub rule: String,
    /// "auto", "accepted" or "manual".
    pub origin: String,
    pub created_by: String,
    pub difference_minor: i64,
    pub items: Vec<MatchedItem>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MatchedItem {
    pub side: String,
    pub item_id: String,
    pub date: String,
    pub amount_minor: i64,
    pub reference: String,
}

/// One audit log entry, without its before/after payloads (they stay in the workspace).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub target: String,
    pub hash: String,
}

/// The sign-off row: who prepared and approved, when, and the content hash the approval recorded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignOffRecord {
    pub state: SignOffState,
    pub preparer: Option<String>,
    pub prepared_at: Option<String>,
    pub approver: Option<String>,
    pub approved_at: Option<String>,
    pub content_hash: Option<String>,
    pub last_rejection: Option<String>,
}
