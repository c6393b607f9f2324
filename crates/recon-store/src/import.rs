//! Imports into the workspace. Idempotent: a file already imported (same SHA-256) is skipped, and
//! so is a statement whose identity (statement id, sequence, first and last date) is already
//! there. A statement with the same identity but different content is a corrected version: it
//! replaces the old one only through [`Workspace::replace_statement`], which is audited. Each
//! file is one transaction, so a statement is never half-imported.

use crate::error::{Result, StoreError};
use crate::workspace::{Actor, AuditNote, Workspace};
use recon_model::{BatchDetail, Deviation, LedgerEntry, Statement};
use rusqlite::{OptionalExtension, Transaction, params};

/// A file as the store records it.
#[derive(Clone, Debug)]
pub struct FileRecord {
    pub name: String,
    pub sha256_hex: String,
    /// Where the file came from when it came from an object store (the inbox).
    pub source: Option<FileSource>,
    /// The file's bytes, kept in the workspace (`file_contents`) for a statement file, so its
    /// publication archives the statements it rests on. `None` keeps no copy.
    pub contents: Option<std::sync::Arc<[u8]>>,
}

/// An object-store file's provenance, recorded with its import in the same transaction.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct FileSource {
    pub bucket: String,
    pub key: String,
    pub version_id: Option<String>,
    pub etag: String,
    pub size_bytes: u64,
    /// What vouched for the bytes: "sha256 checksum", "crc64nvme checksum", "etag md5".
    pub verified_by: String,
    /// When the bytes were fetched, RFC 3339 UTC.
    pub fetched_at: String,
}

/// What one file import did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct ImportOutcome {
    pub file: String,
    /// The file had been imported before (same bytes): nothing done.
    pub duplicate_file: bool,
    pub statements_imported: usize,
    pub lines_imported: usize,
    pub ledger_entries_imported: usize,
    /// Human-readable reasons for what was skipped.
    pub skipped: Vec<String>,
}

fn first_last_dates(s: &Statement) -> (String, String) {
    let first = s
        .lines
        .iter()
        .map(|l| l.booking_date)
        .min()
        .or(s.opening_balance.map(|b| b.date))
        .or(s.closing_balance.map(|b| b.date));
    let last = s
        .lines
        .iter()
        .map(|l| l.booking_date)
        .max()
        .or(s.closing_balance.map(|b| b.date))
        .or(s.opening_balance.map(|b| b.date));
    let f = |d: Option<recon_model::Date>| d.map(|d| d.to_string()).unwrap_or_default();
    (f(first), f(last))
}

struct Identity {
    statement_id: String,
    sequence: String,
    first: String,
    last: String,
}

fn identity(s: &Statement) -> Identity {
    let (first, last) = first_last_dates(s);
    Identity {
        statement_id: s.statement_id.clone(),
        sequence: s.sequence.clone().unwrap_or_default(),
        first,
        last,
    }
}

/// The active statement with an identity: (row id, line count, lines total, closing, version).
type ActiveStatement = (i64, i64, i64, Option<i64>, i64);

fn active_statement(tx: &Transaction<'_>, id: &Identity) -> Result<Option<ActiveStatement>> {
    Ok(tx
        .query_row(
            "SELECT id, line_count, lines_total_minor, closing_minor, version FROM statements
             WHERE statement_id = ?1 AND sequence = ?2 AND first_date = ?3 AND last_date = ?4
               AND superseded_by IS NULL",
            params![id.statement_id, id.sequence, id.first, id.last],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
        )
        .optional()?)
}

/// The provenance an audit entry carries: bucket, key, version id, ETag (null for local files).
fn source_json(file: &FileRecord) -> serde_json::Value {
    match &file.source {
        Some(s) => serde_json::json!({"bucket": s.bucket, "key": s.key,
            "version_id": s.version_id, "etag": s.etag, "size_bytes": s.size_bytes,
            "verified_by": s.verified_by}),
        None => serde_json::Value::Null,
    }
}

fn record_file(
    tx: &Transaction<'_>,
    file: &FileRecord,
    kind: &str,
    actor: &Actor<'_>,
) -> Result<bool> {
    let known: Option<String> = tx
        .query_row(
            "SELECT name FROM imported_files WHERE sha256 = ?1",
            [&file.sha256_hex],
            |r| r.get(0),
        )
        .optional()?;
    if known.is_none() {
        tx.execute(
            "INSERT INTO imported_files (sha256, name, kind, imported_at, imported_by)
             VALUES (?1, ?2, ?3, ?4, ?5)",
            params![
                file.sha256_hex,
                file.name,
                kind,
                actor.at,
                actor.principal.subject
            ],
        )?;
        if kind == "statement"
            && let Some(bytes) = &file.contents
        {
            tx.execute(
                "INSERT INTO file_contents (sha256, size_bytes, bytes) VALUES (?1, ?2, ?3)",
                params![file.sha256_hex, bytes.len() as i64, &bytes[..]],
            )?;
        }
    }
    if let Some(src) = &file.source {
        // The same bytes brought in by hand before keep their first record; the object is
        // still marked imported, so the inbox does not offer it again.
        tx.execute(
            "INSERT OR IGNORE INTO file_sources
                (sha256, bucket, key, version_id, etag, size_bytes, verified_by, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![
                file.sha256_hex,
                src.bucket,
                src.key,
                src.version_id,
                src.etag,
                i64::try_from(src.size_bytes).unwrap_or(i64::MAX),
                src.verified_by,
                src.fetched_at
            ],
        )?;
        tx.execute(
            "UPDATE inbox_objects SET status = 'imported', imported_sha256 = ?4,
                error_code = NULL, message = NULL, version_id = coalesce(?5, version_id)
             WHERE bucket = ?1 AND key = ?2 AND etag = ?3",
            params![
                src.bucket,
                src.key,
                src.etag,
                file.sha256_hex,
                src.version_id
            ],
        )?;
    }
    Ok(known.is_none())
}

fn insert_statement(
    tx: &Transaction<'_>,
    file: &FileRecord,
    s: &Statement,
    id: &Identity,
    version: i64,
) -> Result<i64> {
    let total = s.lines_total_minor().ok_or_else(|| {
        StoreError::Invalid(format!(
            "{}: statement {}: line total overflows",
            file.name, s.statement_id
        ))
    })?;
    tx.execute(
        "INSERT INTO statements (file_sha256, source, format, statement_id, sequence, first_date,
            last_date, opening_minor, opening_date, closing_minor, closing_date, line_count,
            lines_total_minor, version)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10,?11,?12,?13,?14)",
        params![
            file.sha256_hex,
            s.source,
            s.format.name(),
            id.statement_id,
            id.sequence,
            id.first,
            id.last,
            s.opening_balance.map(|b| b.amount_minor),
            s.opening_balance.map(|b| b.date.to_string()),
            s.closing_balance.map(|b| b.amount_minor),
            s.closing_balance.map(|b| b.date.to_string()),
            s.lines.len() as i64,
            total,
            version
        ],
    )?;
    let statement_row = tx.last_insert_rowid();
    insert_reading(tx, statement_row, s)?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO bank_lines (statement, line_id, booking_date, value_date, amount_minor,
            reference, bank_reference, counterparty, description, type_code)
         VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
    )?;
    let (mut booking, mut value) = ([0u8; 10], [0u8; 10]);
    for l in &s.lines {
        let value_date = l.value_date.map(|d| iso_date(d, &mut value));
        insert
            .execute(params![
                statement_row,
                l.line_id,
                iso_date(l.booking_date, &mut booking),
                value_date,
                l.amount_minor,
                l.reference,
                l.bank_reference,
                l.counterparty,
                l.description,
                l.type_code
            ])
            .map_err(|e| match e.sqlite_error_code() {
                Some(rusqlite::ErrorCode::ConstraintViolation) => StoreError::Conflict(format!(
                    "{}: statement {}: line id {:?} is already in the workspace",
                    file.name, s.statement_id, l.line_id
                )),
                _ => StoreError::Sqlite(e),
            })?;
        if !l.details.is_empty() {
            let line_row = tx.last_insert_rowid();
            let mut detail = tx.prepare_cached(
                "INSERT INTO bank_line_details (bank_line, seq, reference, amount_minor,
                    counterparty, counterparty_account, description)
                 VALUES (?1,?2,?3,?4,?5,?6,?7)",
            )?;
            for (seq, d) in l.details.iter().enumerate() {
                detail.execute(params![
                    line_row,
                    seq as i64 + 1,
                    d.reference,
                    d.amount_minor,
                    d.counterparty,
                    d.counterparty_account,
                    d.description
                ])?;
            }
        }
    }
    Ok(statement_row)
}

/// `YYYY-MM-DD`, as chrono's `Display` writes it, without its formatter (which showed in the
/// import's profile: two dates per line). Years outside 0..=9999 take chrono's own form.
pub(crate) fn iso_date(d: recon_model::Date, buf: &mut [u8; 10]) -> std::borrow::Cow<'_, str> {
    use chrono::Datelike as _;
    let (y, m, day) = (d.year(), d.month(), d.day());
    let Ok(y @ 0..=9999) = u32::try_from(y) else {
        return std::borrow::Cow::Owned(d.to_string());
    };
    let digits = [
        y / 1000,
        y / 100 % 10,
        y / 10 % 10,
        y % 10,
        0,
        m / 10,
        m % 10,
        0,
        day / 10,
        day % 10,
    ];
    for (slot, digit) in buf.iter_mut().zip(digits) {
        // Each digit is 0..=9.
        *slot = b'0' + (digit % 10) as u8;
    }
    buf[4] = b'-';
    buf[7] = b'-';
    match std::str::from_utf8(buf) {
        Ok(text) => std::borrow::Cow::Borrowed(text),
        Err(_) => std::borrow::Cow::Owned(d.to_string()),
    }
}

/// The statement's encoding and deviations (schema v7).
fn insert_reading(tx: &Transaction<'_>, statement_row: i64, s: &Statement) -> Result<()> {
    tx.execute(
        "UPDATE statements SET encoding = ?1 WHERE id = ?2",
        params![s.reading.encoding, statement_row],
    )?;
    let mut insert = tx.prepare_cached(
        "INSERT INTO statement_deviations (statement, seq, code, line, path, excerpt, message)
         VALUES (?1,?2,?3,?4,?5,?6,?7)",
    )?;
    for (seq, d) in s.reading.deviations.iter().enumerate() {
        insert.execute(params![
            statement_row,
            seq as i64 + 1,
            d.code,
            d.line.map(|l| l as i64),
            d.path,
            d.excerpt,
            d.message
        ])?;
    }
    Ok(())
}

impl Workspace {
    fn check_account(&self, what: &str, account: &str, currency: &str) -> Option<String> {
        if account != self.info.account || currency != self.info.currency {
            Some(format!(
                "{what} is for account {account} {currency}; this workspace is for {} {}",
                self.info.account, self.info.currency
            ))
        } else {
            None
        }
    }

    /// Imports the statements of one file, all or nothing.
    pub fn import_statements(
        &mut self,
        actor: &Actor<'_>,
        file: &FileRecord,
        statements: &[Statement],
    ) -> Result<ImportOutcome> {
        let mut outcome = ImportOutcome {
            file: file.name.clone(),
            ..ImportOutcome::default()
        };
        let mut wanted = Vec::new();
        for s in statements {
            match self.check_account(
                &format!("{}: statement {}", file.name, s.statement_id),
                &s.account,
                s.currency.code(),
            ) {
                Some(reason) => outcome.skipped.push(reason),
                None => wanted.push(s),
            }
        }
        self.write(actor, |tx| {
            if !record_file(tx, file, "statement", actor)? {
                outcome.duplicate_file = true;
                outcome
                    .skipped
                    .push(format!("{}: already imported (same SHA-256)", file.name));
                return Ok((outcome, Vec::new()));
            }
            let mut notes = Vec::new();
            for s in wanted {
                let id = identity(s);
                if let Some((_, count, total, closing, _)) = active_statement(tx, &id)? {
                    let same = count == s.lines.len() as i64
                        && Some(total) == s.lines_total_minor()
                        && closing == s.closing_balance.map(|b| b.amount_minor);
                    outcome.skipped.push(if same {
                        format!(
                            "{}: statement {} (sequence {}, {} to {}) already imported",
                            file.name, id.statement_id, id.sequence, id.first, id.last
                        )
                    } else {
                        format!(
                            "{}: statement {} (sequence {}, {} to {}) differs from the imported one; replace it explicitly (recon ws replace-statement)",
                            file.name, id.statement_id, id.sequence, id.first, id.last
                        )
                    });
                    continue;
                }
                let row = insert_statement(tx, file, s, &id, 1)?;
                outcome.statements_imported += 1;
                outcome.lines_imported += s.lines.len();
                notes.push(AuditNote {
                    action: "statement_imported".into(),
                    target: format!("statement:{row}"),
                    before: String::new(),
                    after: serde_json::json!({
                        "file": file.name, "sha256": file.sha256_hex,
                        "statement_id": id.statement_id, "sequence": id.sequence,
                        "first_date": id.first, "last_date": id.last,
                        "lines": s.lines.len(),
                        "lines_total_minor": s.lines_total_minor(),
                        "closing_minor": s.closing_balance.map(|b| b.amount_minor),
                        "source": source_json(file),
                    })
                    .to_string(),
                });
            }
            if notes.is_empty() {
                notes.push(AuditNote {
                    action: "file_imported".into(),
                    target: format!("file:{}", file.sha256_hex),
                    before: String::new(),
                    after: serde_json::json!({"file": file.name, "statements": 0}).to_string(),
                });
            }
            Ok((outcome, notes))
        })
    }

    /// Replaces the imported statement with `statement`'s identity by this corrected version.
    /// Refused while any line of the old version is in a confirmed group (unmatch first).
    pub fn replace_statement(
        &mut self,
        actor: &Actor<'_>,
        file: &FileRecord,
        statement: &Statement,
        reason: &str,
    ) -> Result<ImportOutcome> {
        if reason.trim().is_empty() {
            return Err(StoreError::Invalid(
                "replacing a statement needs a reason".into(),
            ));
        }
        if let Some(problem) = self.check_account(
            &format!("{}: statement {}", file.name, statement.statement_id),
            &statement.account,
            statement.currency.code(),
        ) {
            return Err(StoreError::Invalid(problem));
        }
        let name = file.name.clone();
        self.write(actor, |tx| {
            let id = identity(statement);
            let (old, count, total, closing, version) = active_statement(tx, &id)?.ok_or_else(|| {
                StoreError::NotFound(format!(
                    "statement {} (sequence {}, {} to {})",
                    id.statement_id, id.sequence, id.first, id.last
                ))
            })?;
            let matched: i64 = tx.query_row(
                "SELECT count(*) FROM bank_lines WHERE statement = ?1 AND group_id IS NOT NULL",
                [old],
                |r| r.get(0),
            )?;
            if matched > 0 {
                return Err(StoreError::Conflict(format!(
                    "statement {}: {matched} of its lines are in confirmed groups; unmatch them before replacing the statement",
                    id.statement_id
                )));
            }
            record_file(tx, file, "statement", actor)?;
            tx.execute(
                "DELETE FROM exceptions WHERE side = 'bank' AND item IN
                    (SELECT id FROM bank_lines WHERE statement = ?1)",
                [old],
            )?;
            tx.execute(
                "DELETE FROM suggestion_items WHERE suggestion IN (
                    SELECT DISTINCT suggestion FROM suggestion_items WHERE side = 'bank'
                    AND item IN (SELECT id FROM bank_lines WHERE statement = ?1))",
                [old],
            )?;
            tx.execute(
                "UPDATE suggestions SET status = 'stale' WHERE status = 'open' AND id NOT IN
                    (SELECT suggestion FROM suggestion_items)",
                [],
            )?;
            tx.execute(
                "DELETE FROM rejected_pairs WHERE bank_item IN
                    (SELECT id FROM bank_lines WHERE statement = ?1)",
                [old],
            )?;
            tx.execute("DELETE FROM bank_lines WHERE statement = ?1", [old])?;
            let new = insert_statement(tx, file, statement, &id, version + 1)?;
            tx.execute(
                "UPDATE statements SET superseded_by = ?1 WHERE id = ?2",
                params![new, old],
            )?;
            let outcome = ImportOutcome {
                file: name,
                statements_imported: 1,
                lines_imported: statement.lines.len(),
                ..ImportOutcome::default()
            };
            let note = AuditNote {
                action: "statement_replaced".into(),
                target: format!("statement:{old}"),
                before: serde_json::json!({"statement": old, "version": version, "lines": count,
                    "lines_total_minor": total, "closing_minor": closing})
                .to_string(),
                after: serde_json::json!({"statement": new, "version": version + 1,
                    "lines": statement.lines.len(), "lines_total_minor": statement.lines_total_minor(),
                    "closing_minor": statement.closing_balance.map(|b| b.amount_minor),
                    "file": file.name, "sha256": file.sha256_hex, "reason": reason,
                    "source": source_json(file)})
                .to_string(),
            };
            Ok((outcome, vec![note]))
        })
    }

    /// Imports the ledger entries of one file for this workspace's account, all or nothing.
    /// Entries of other accounts are skipped (a ledger extract may cover several).
    pub fn import_ledger(
        &mut self,
        actor: &Actor<'_>,
        file: &FileRecord,
        entries: &[LedgerEntry],
    ) -> Result<ImportOutcome> {
        let mut outcome = ImportOutcome {
            file: file.name.clone(),
            ..ImportOutcome::default()
        };
        let account = self.info.account.clone();
        let currency = self.info.currency.clone();
        self.write(actor, |tx| {
            if !record_file(tx, file, "ledger", actor)? {
                outcome.duplicate_file = true;
                outcome
                    .skipped
                    .push(format!("{}: already imported (same SHA-256)", file.name));
                return Ok((outcome, Vec::new()));
            }
            let mut other_accounts = 0usize;
            let mut duplicates = 0usize;
            let mut total: i64 = 0;
            {
                let mut insert = tx.prepare_cached(
                    "INSERT OR IGNORE INTO ledger_entries (file_sha256, entry_id, posting_date,
                        amount_minor, reference, description) VALUES (?1,?2,?3,?4,?5,?6)",
                )?;
                let mut posted = [0u8; 10];
                for e in entries {
                    if e.account != account || e.currency.code() != currency {
                        other_accounts += 1;
                        continue;
                    }
                    let n = insert.execute(params![
                        file.sha256_hex,
                        e.entry_id,
                        iso_date(e.posting_date, &mut posted),
                        e.amount_minor,
                        e.reference,
                        e.description
                    ])?;
                    if n == 0 {
                        duplicates += 1;
                    } else {
                        outcome.ledger_entries_imported += 1;
                        total = total.saturating_add(e.amount_minor);
                    }
                }
            }
            if other_accounts > 0 {
                outcome.skipped.push(format!(
                    "{}: {other_accounts} entries for other accounts skipped",
                    file.name
                ));
            }
            if duplicates > 0 {
                outcome.skipped.push(format!(
                    "{}: {duplicates} entries already in the workspace (same entry id) skipped",
                    file.name
                ));
            }
            let note = AuditNote {
                action: "ledger_imported".into(),
                target: format!("file:{}", file.sha256_hex),
                before: String::new(),
                after: serde_json::json!({"file": file.name, "source": source_json(file),
                    "entries": outcome.ledger_entries_imported,
                    "total_minor": total, "skipped_other_accounts": other_accounts,
                    "skipped_duplicates": duplicates})
                .to_string(),
            };
            Ok((outcome, vec![note]))
        })
    }
}

/// A deviation kept with an imported statement (schema v7).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredDeviation {
    pub statement_id: String,
    pub sequence: String,
    /// The file the statement came from.
    pub source: String,
    /// The encoding the file was read with, when recorded.
    pub encoding: Option<String>,
    pub deviation: Deviation,
}

impl Workspace {
    /// Every deviation of the active (not superseded) statements, in import order.
    pub fn statement_deviations(&self) -> Result<Vec<StoredDeviation>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.statement_id, s.sequence, s.source, s.encoding, d.code, d.line, d.path,
                    d.excerpt, d.message
             FROM statement_deviations d JOIN statements s ON s.id = d.statement
             WHERE s.superseded_by IS NULL
             ORDER BY s.id, d.seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredDeviation {
                statement_id: r.get(0)?,
                sequence: r.get(1)?,
                source: r.get(2)?,
                encoding: r.get(3)?,
                deviation: Deviation {
                    code: r.get(4)?,
                    line: r.get::<_, Option<i64>>(5)?.map(|l| l as u64),
                    path: r.get(6)?,
                    excerpt: r.get(7)?,
                    message: r.get(8)?,
                },
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The transactions of a batch booking, by the bank line's id; empty for other lines.
    pub fn batch_details(&self, line_id: &str) -> Result<Vec<BatchDetail>> {
        let mut stmt = self.conn.prepare(
            "SELECT d.reference, d.amount_minor, d.counterparty, d.counterparty_account,
                    d.description
             FROM bank_line_details d JOIN bank_lines l ON l.id = d.bank_line
             WHERE l.line_id = ?1 ORDER BY d.seq",
        )?;
        let rows = stmt.query_map([line_id], |r| {
            Ok(BatchDetail {
                reference: r.get(0)?,
                amount_minor: r.get(1)?,
                counterparty: r.get(2)?,
                counterparty_account: r.get(3)?,
                description: r.get(4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// What the series checks need of an imported statement (schema v1 columns, plus the earliest
/// line date): the active statements, in import order.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredPeriod {
    pub source: String,
    pub statement_id: String,
    pub sequence: String,
    pub first_date: String,
    pub last_date: String,
    pub first_line_date: Option<String>,
    pub closing_date: Option<String>,
    pub opening_minor: Option<i64>,
    pub closing_minor: Option<i64>,
}

impl Workspace {
    /// The periods and balances of the active statements, for series checks across imports (the
    /// carried-forward items' statement is not one the bank sent, and is left out).
    pub fn statement_periods(&self) -> Result<Vec<StoredPeriod>> {
        let mut stmt = self.conn.prepare(
            "SELECT s.source, s.statement_id, s.sequence, s.first_date, s.last_date,
                    (SELECT min(booking_date) FROM bank_lines WHERE statement = s.id),
                    s.closing_date, s.opening_minor, s.closing_minor
             FROM statements s WHERE s.superseded_by IS NULL AND s.format <> 'carried_forward'
             ORDER BY s.id",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(StoredPeriod {
                source: r.get(0)?,
                statement_id: r.get(1)?,
                sequence: r.get(2)?,
                first_date: r.get(3)?,
                last_date: r.get(4)?,
                first_line_date: r.get(5)?,
                closing_date: r.get(6)?,
                opening_minor: r.get(7)?,
                closing_minor: r.get(8)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

#[cfg(test)]
mod tests {
    use super::iso_date;

    #[test]
    fn iso_date_writes_what_chrono_writes() {
        let mut buf = [0u8; 10];
        for text in [
            "2026-11-30",
            "0001-01-01",
            "1999-12-31",
            "2024-02-29",
            "9999-12-31",
        ] {
            let d: recon_model::Date = text.parse().unwrap();
            assert_eq!(iso_date(d, &mut buf), d.to_string());
        }
        let mut d: recon_model::Date = "1900-01-01".parse().unwrap();
        while d < "2101-01-01".parse().unwrap() {
            assert_eq!(iso_date(d, &mut buf), d.to_string());
            d = d.succ_opt().unwrap();
        }
        let far = recon_model::Date::from_ymd_opt(12_345, 6, 7).unwrap();
        assert_eq!(iso_date(far, &mut buf), far.to_string());
    }
}
