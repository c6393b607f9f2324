//! What a period takes from the one before it and keeps for the one after: the previous period's
//! open items brought in as opening items (`carry_forwards`, `carried` items), and the copies of
//! the statement files a publication archives (`file_contents`).

use crate::error::{Result, StoreError};
use crate::workspace::{Actor, AuditNote, Workspace};
use recon_match::Side;
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};

/// Opening items a workspace takes at most in one carry-forward (a period's open items).
pub const CARRIED_ITEMS_MAX: usize = 1_000_000;

/// Where the previous period's publication was read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CarrySource {
    /// The results database (PostgreSQL `open_items`).
    Database,
    /// The S3 archive (its manifest and open-items Parquet).
    Archive,
}

impl CarrySource {
    pub fn name(self) -> &'static str {
        match self {
            CarrySource::Database => "database",
            CarrySource::Archive => "archive",
        }
    }
}

/// An item still open when the previous period was approved.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CarriedItem {
    pub side: Side,
    /// line_id or entry_id.
    pub item_id: String,
    /// Booking date (bank) or posting date (ledger), ISO.
    pub date: String,
    pub amount_minor: i64,
    pub reference: String,
    pub description: String,
}

/// The previous period's publication and its open items.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviousPeriod {
    pub account: String,
    pub currency: String,
    pub period_start: String,
    pub period_end: String,
    pub revision: i64,
    pub content_hash: String,
    pub source: CarrySource,
    pub bank_closing_minor: i64,
    pub ledger_balance_minor: i64,
    pub items: Vec<CarriedItem>,
}

/// What a carry-forward did.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize)]
pub struct CarryOutcome {
    pub bank_items: usize,
    pub bank_minor: i64,
    pub ledger_items: usize,
    pub ledger_minor: i64,
    /// Items this workspace already held (the same id and amount, e.g. an open-items ledger
    /// extract that lists them again): not added twice.
    pub already_present: usize,
    /// The ledger opening balance the workspace took from the previous period's ledger balance
    /// (it had none).
    pub ledger_opening_set_minor: Option<i64>,
    /// (this workspace's ledger opening, the previous period's ledger balance) when they differ.
    pub ledger_opening_differs_minor: Option<(i64, i64)>,
}

/// The carry-forward a workspace holds, as recorded.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct CarryRecord {
    pub account: String,
    pub period_start: String,
    pub period_end: String,
    pub revision: i64,
    pub content_hash: String,
    pub source: String,
    pub bank_closing_minor: i64,
    pub ledger_balance_minor: i64,
    pub bank_items: i64,
    pub bank_minor: i64,
    pub ledger_items: i64,
    pub ledger_minor: i64,
    pub already_present: i64,
    pub carried_at: String,
    pub carried_by: String,
}

/// A statement file's bytes as the workspace kept them.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KeptFile {
    pub name: String,
    pub sha256: String,
    pub bytes: Vec<u8>,
}

/// The format (and source) of the statement row that holds carried bank lines; balance queries
/// leave it out (its lines are in the previous period's balances).
pub const CARRIED_FORMAT: &str = "carried_forward";

fn hex(bytes: &[u8]) -> String {
    recon_review::hex(bytes)
}

impl Workspace {
    /// The statement files whose bytes the workspace kept, with the active statements they hold
    /// (imported before schema version 11, a file has no copy and is not listed).
    pub fn kept_statement_files(&self) -> Result<Vec<KeptFile>> {
        let mut stmt = self.conn.prepare(
            "SELECT f.name, f.sha256, c.bytes FROM imported_files f
             JOIN file_contents c ON c.sha256 = f.sha256
             WHERE f.kind = 'statement' AND EXISTS (SELECT 1 FROM statements s
                 WHERE s.file_sha256 = f.sha256 AND s.superseded_by IS NULL)
             ORDER BY f.name, f.sha256",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(KeptFile {
                name: r.get(0)?,
                sha256: r.get(1)?,
                bytes: r.get(2)?,
            })
        })?;
        let files = rows.collect::<rusqlite::Result<Vec<_>>>()?;
        for f in &files {
            if hex(&Sha256::digest(&f.bytes)) != f.sha256 {
                return Err(StoreError::Invalid(format!(
                    "the kept copy of {} does not match its SHA-256 {}",
                    f.name, f.sha256
                )));
            }
        }
        Ok(files)
    }

    /// The carry-forward this workspace holds, if any.
    pub fn carried_forward(&self) -> Result<Option<CarryRecord>> {
        Ok(self
            .conn
            .query_row(
                "SELECT account, period_start, period_end, revision, content_hash, source,
                        bank_closing_minor, ledger_balance_minor, bank_items, bank_minor,
                        ledger_items, ledger_minor, already_present, carried_at, carried_by
                 FROM carry_forwards WHERE id = 1",
                [],
                |r| {
                    Ok(CarryRecord {
                        account: r.get(0)?,
                        period_start: r.get(1)?,
                        period_end: r.get(2)?,
                        revision: r.get(3)?,
                        content_hash: r.get(4)?,
                        source: r.get(5)?,
                        bank_closing_minor: r.get(6)?,
                        ledger_balance_minor: r.get(7)?,
                        bank_items: r.get(8)?,
                        bank_minor: r.get(9)?,
                        ledger_items: r.get(10)?,
                        ledger_minor: r.get(11)?,
                        already_present: r.get(12)?,
                        carried_at: r.get(13)?,
                        carried_by: r.get(14)?,
                    })
                },
            )
            .optional()?)
    }

    /// Brings the previous period's open items in as this period's opening items, in one
    /// audited transaction: bank items as the lines of one `carried_forward` statement, ledger
    /// entries as entries of one carried-forward extract, both marked `carried`. Once per
    /// workspace. The caller has checked that `previous` is the period just before this one.
    pub fn carry_forward(
        &mut self,
        actor: &Actor<'_>,
        previous: &PreviousPeriod,
    ) -> Result<CarryOutcome> {
        if previous.account != self.info.account || previous.currency != self.info.currency {
            return Err(StoreError::Invalid(format!(
                "the previous period is for account {} {}; this workspace is for {} {}",
                previous.account, previous.currency, self.info.account, self.info.currency
            )));
        }
        if previous.period_end >= self.info.period_start {
            return Err(StoreError::Invalid(format!(
                "the period {}..{} does not come before this workspace's {}..{}",
                previous.period_start,
                previous.period_end,
                self.info.period_start,
                self.info.period_end
            )));
        }
        if previous.items.len() > CARRIED_ITEMS_MAX {
            return Err(StoreError::Invalid(format!(
                "{} open items in {}..{}: over the limit of {CARRIED_ITEMS_MAX}",
                previous.items.len(),
                previous.period_start,
                previous.period_end
            )));
        }
        if let Some(done) = self.carried_forward()? {
            return Err(StoreError::Invalid(format!(
                "this workspace already holds the open items of {}..{} revision {} (carried by {} at {})",
                done.period_start, done.period_end, done.revision, done.carried_by, done.carried_at
            )));
        }
        let ledger_opening = self.info.ledger_opening_minor;
        let mut outcome = CarryOutcome::default();
        match ledger_opening {
            None => outcome.ledger_opening_set_minor = Some(previous.ledger_balance_minor),
            Some(mine) if mine != previous.ledger_balance_minor => {
                outcome.ledger_opening_differs_minor = Some((mine, previous.ledger_balance_minor));
            }
            Some(_) => {}
        }
        let label = format!(
            "carried forward: {} {}..{} revision {}",
            previous.account, previous.period_start, previous.period_end, previous.revision
        );
        let outcome = self.write(actor, |tx| {
            let document = |side: Side| -> Result<Option<(String, Vec<&CarriedItem>)>> {
                let items: Vec<&CarriedItem> =
                    previous.items.iter().filter(|i| i.side == side).collect();
                if items.is_empty() {
                    return Ok(None);
                }
                let doc = serde_json::json!({
                    "carried_forward_from": {
                        "account": previous.account, "period_start": previous.period_start,
                        "period_end": previous.period_end, "revision": previous.revision,
                        "content_hash": previous.content_hash, "source": previous.source.name(),
                    },
                    "side": side.name(),
                    "items": items.iter().map(|i| serde_json::json!({
                        "id": i.item_id, "date": i.date, "amount_minor": i.amount_minor,
                        "reference": i.reference, "description": i.description,
                    })).collect::<Vec<_>>(),
                });
                let sha = hex(&Sha256::digest(doc.to_string().as_bytes()));
                tx.execute(
                    "INSERT INTO imported_files (sha256, name, kind, imported_at, imported_by)
                     VALUES (?1, ?2, ?3, ?4, ?5)",
                    params![
                        sha,
                        format!("{label} ({})", side.name()),
                        match side {
                            Side::Bank => "statement",
                            Side::Ledger => "ledger",
                        },
                        actor.at,
                        actor.principal.subject
                    ],
                )?;
                Ok(Some((sha, items)))
            };
            let bank = document(Side::Bank)?;
            let ledger = document(Side::Ledger)?;
            let present = |table: &str, column: &str, item: &CarriedItem| -> Result<bool> {
                let amount: Option<i64> = tx
                    .query_row(
                        &format!("SELECT amount_minor FROM {table} WHERE {column} = ?1"),
                        [&item.item_id],
                        |r| r.get(0),
                    )
                    .optional()?;
                match amount {
                    None => Ok(false),
                    Some(a) if a == item.amount_minor => Ok(true),
                    Some(a) => Err(StoreError::Invalid(format!(
                        "{} item {} of {}..{} is open for {} there, but this workspace holds it for {a}",
                        item.side.name(),
                        item.item_id,
                        previous.period_start,
                        previous.period_end,
                        item.amount_minor
                    ))),
                }
            };
            if let Some((sha, items)) = &bank {
                let mut kept: Vec<&CarriedItem> = Vec::with_capacity(items.len());
                for i in items {
                    if present("bank_lines", "line_id", i)? {
                        outcome.already_present += 1;
                    } else {
                        kept.push(i);
                    }
                }
                if !kept.is_empty() {
                    let first = kept.iter().map(|i| i.date.as_str()).min().unwrap_or("");
                    let last = kept.iter().map(|i| i.date.as_str()).max().unwrap_or("");
                    let total = kept
                        .iter()
                        .try_fold(0i64, |t, i| t.checked_add(i.amount_minor))
                        .ok_or_else(|| {
                            StoreError::Invalid("the carried bank items overflow".into())
                        })?;
                    tx.execute(
                        "INSERT INTO statements (file_sha256, source, format, statement_id,
                            sequence, first_date, last_date, line_count, lines_total_minor,
                            version)
                         VALUES (?1, ?2, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 1)",
                        params![
                            sha,
                            CARRIED_FORMAT,
                            label,
                            previous.revision.to_string(),
                            first,
                            last,
                            kept.len() as i64,
                            total
                        ],
                    )?;
                    let statement = tx.last_insert_rowid();
                    let mut insert = tx.prepare_cached(
                        "INSERT INTO bank_lines (statement, line_id, booking_date, amount_minor,
                            reference, description, carried) VALUES (?1,?2,?3,?4,?5,?6,1)",
                    )?;
                    for i in &kept {
                        insert.execute(params![
                            statement,
                            i.item_id,
                            i.date,
                            i.amount_minor,
                            (!i.reference.is_empty()).then_some(&i.reference),
                            i.description
                        ])?;
                    }
                    outcome.bank_items = kept.len();
                    outcome.bank_minor = total;
                }
            }
            if let Some((sha, items)) = &ledger {
                let mut insert = tx.prepare_cached(
                    "INSERT INTO ledger_entries (file_sha256, entry_id, posting_date,
                        amount_minor, reference, description, carried) VALUES (?1,?2,?3,?4,?5,?6,1)",
                )?;
                for i in items {
                    if present("ledger_entries", "entry_id", i)? {
                        outcome.already_present += 1;
                        continue;
                    }
                    insert.execute(params![
                        sha,
                        i.item_id,
                        i.date,
                        i.amount_minor,
                        (!i.reference.is_empty()).then_some(&i.reference),
                        i.description
                    ])?;
                    outcome.ledger_items += 1;
                    outcome.ledger_minor = outcome
                        .ledger_minor
                        .checked_add(i.amount_minor)
                        .ok_or_else(|| {
                            StoreError::Invalid("the carried ledger items overflow".into())
                        })?;
                }
            }
            if let Some(opening) = outcome.ledger_opening_set_minor {
                tx.execute(
                    "UPDATE workspace SET ledger_opening_minor = ?1 WHERE ledger_opening_minor IS NULL",
                    [opening],
                )?;
            }
            tx.execute(
                "INSERT INTO carry_forwards (id, account, period_start, period_end, revision,
                    content_hash, source, bank_closing_minor, ledger_balance_minor, bank_items,
                    bank_minor, ledger_items, ledger_minor, already_present, carried_at, carried_by)
                 VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)",
                params![
                    previous.account,
                    previous.period_start,
                    previous.period_end,
                    previous.revision,
                    previous.content_hash,
                    previous.source.name(),
                    previous.bank_closing_minor,
                    previous.ledger_balance_minor,
                    outcome.bank_items as i64,
                    outcome.bank_minor,
                    outcome.ledger_items as i64,
                    outcome.ledger_minor,
                    outcome.already_present as i64,
                    actor.at,
                    actor.principal.subject
                ],
            )?;
            let note = AuditNote {
                action: "opening_items_carried".into(),
                target: "carry_forward:1".into(),
                before: String::new(),
                after: serde_json::json!({
                    "from": {
                        "account": previous.account, "period_start": previous.period_start,
                        "period_end": previous.period_end, "revision": previous.revision,
                        "content_hash": previous.content_hash, "source": previous.source.name(),
                    },
                    "bank_items": outcome.bank_items, "bank_minor": outcome.bank_minor,
                    "ledger_items": outcome.ledger_items, "ledger_minor": outcome.ledger_minor,
                    "already_present": outcome.already_present,
                    "ledger_opening_set_minor": outcome.ledger_opening_set_minor,
                    "ledger_opening_differs_minor": outcome.ledger_opening_differs_minor,
                })
                .to_string(),
            };
            Ok((outcome, vec![note]))
        })?;
        if let Some(opening) = outcome.ledger_opening_set_minor {
            self.info.ledger_opening_minor = Some(opening);
        }
        Ok(outcome)
    }
}
