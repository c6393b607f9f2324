//! The outbox's publishing state (schema v10): what each destination acknowledged, attempts and
//! their last error, refusals, and the audited reopening of a published period. The drainer in
//! `recon-api::publish` moves an entry along; every step here is one transaction, so a crash
//! between steps repeats a step (which the destinations make harmless) and never skips one.

use crate::error::{Result, StoreError};
use crate::workspace::{Actor, AuditNote, Workspace, read_sign_off};
use recon_review::{Role, SignOffState};
use rusqlite::{OptionalExtension, params};

/// At most this many outbox entries are read at once (a laptop approves a handful a month).
pub const OUTBOX_ENTRIES_MAX: usize = 1_000;

/// A destination that acknowledges an entry on its own.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Destination {
    /// The team's results database (PostgreSQL).
    Database,
    /// The S3 archive (`published/`).
    Archive,
}

impl Destination {
    fn column(self) -> &'static str {
        match self {
            Destination::Database => "database_at",
            Destination::Archive => "archive_at",
        }
    }
}

/// One outbox entry with its publishing state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OutboxEntry {
    pub id: i64,
    pub kind: String,
    /// The approval's JSON (content hash, preparer, approver, statement, audit head).
    pub payload: String,
    pub created_at: String,
    pub revision: i64,
    pub staged_at: Option<String>,
    pub database_at: Option<String>,
    pub archive_at: Option<String>,
    pub attempts: i64,
    pub last_error: Option<String>,
    pub last_error_code: Option<String>,
    pub next_attempt_unix: i64,
    /// Why the destinations refused it (different content published for the period); it waits
    /// for a reopening.
    pub refused: Option<String>,
    pub published_at: Option<String>,
}

/// A reopening of a published period.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Reopening {
    /// The revision the reopening allows (2 for the first).
    pub revision: i64,
    pub supersedes_hash: String,
    pub reason: String,
    pub reopened_by: String,
    pub reopened_at: String,
}

const ENTRY_COLUMNS: &str =
    "id, kind, payload, created_at, revision, staged_at, database_at, archive_at,
    attempts, last_error, last_error_code, next_attempt_unix, refused, published_at";

fn entry(r: &rusqlite::Row<'_>) -> rusqlite::Result<OutboxEntry> {
    Ok(OutboxEntry {
        id: r.get(0)?,
        kind: r.get(1)?,
        payload: r.get(2)?,
        created_at: r.get(3)?,
        revision: r.get(4)?,
        staged_at: r.get(5)?,
        database_at: r.get(6)?,
        archive_at: r.get(7)?,
        attempts: r.get(8)?,
        last_error: r.get(9)?,
        last_error_code: r.get(10)?,
        next_attempt_unix: r.get(11)?,
        refused: r.get(12)?,
        published_at: r.get(13)?,
    })
}

impl Workspace {
    /// Every outbox entry, published or not, oldest first (at most [`OUTBOX_ENTRIES_MAX`], the
    /// newest kept).
    pub fn outbox_entries(&self) -> Result<Vec<OutboxEntry>> {
        let mut stmt = self.conn.prepare(&format!(
            "SELECT {ENTRY_COLUMNS} FROM (SELECT * FROM outbox ORDER BY id DESC LIMIT ?1) ORDER BY id"
        ))?;
        let rows = stmt
            .query_map([OUTBOX_ENTRIES_MAX as i64], entry)?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// One outbox entry.
    pub fn outbox_entry(&self, id: i64) -> Result<OutboxEntry> {
        self.conn
            .query_row(
                &format!("SELECT {ENTRY_COLUMNS} FROM outbox WHERE id = ?1"),
                [id],
                entry,
            )
            .optional()?
            .ok_or_else(|| StoreError::NotFound(format!("outbox entry {id}")))
    }

    /// The entry's artifacts are staged (written and synced in its folder).
    pub fn outbox_staged(&mut self, id: i64, at: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET staged_at = coalesce(staged_at, ?2) WHERE id = ?1",
            params![id, at],
        )?;
        Ok(())
    }

    /// `destination` acknowledged the entry; when every destination in `required` has, the entry
    /// is published. Returns whether it is now published.
    pub fn outbox_acknowledged(
        &mut self,
        id: i64,
        destination: Destination,
        required: &[Destination],
        at: &str,
    ) -> Result<bool> {
        let tx = self.conn.transaction()?;
        tx.execute(
            &format!(
                "UPDATE outbox SET {col} = coalesce({col}, ?2), last_error = NULL, last_error_code = NULL
                 WHERE id = ?1",
                col = destination.column()
            ),
            params![id, at],
        )?;
        let (db, archive): (Option<String>, Option<String>) = tx.query_row(
            "SELECT database_at, archive_at FROM outbox WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let done = required.iter().all(|d| match d {
            Destination::Database => db.is_some(),
            Destination::Archive => archive.is_some(),
        });
        if done {
            tx.execute(
                "UPDATE outbox SET published_at = coalesce(published_at, ?2) WHERE id = ?1",
                params![id, at],
            )?;
        }
        tx.commit()?;
        Ok(done)
    }

    /// An attempt failed and may be retried at `next_attempt_unix`.
    pub fn outbox_failed(
        &mut self,
        id: i64,
        code: &str,
        message: &str,
        next_attempt_unix: i64,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, last_error = ?2, last_error_code = ?3,
                 next_attempt_unix = ?4 WHERE id = ?1",
            params![id, message, code, next_attempt_unix],
        )?;
        Ok(())
    }

    /// A destination refused the entry for good (different content is published for the period,
    /// or the entry is stale): it is not tried again until the period is reopened.
    pub fn outbox_refused(&mut self, id: i64, code: &str, message: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE outbox SET attempts = attempts + 1, refused = ?2, last_error = ?2,
                 last_error_code = ?3 WHERE id = ?1",
            params![id, message, code],
        )?;
        Ok(())
    }

    /// Every attempt may run now (the person asked to publish).
    pub fn outbox_retry_now(&mut self) -> Result<usize> {
        Ok(self.conn.execute(
            "UPDATE outbox SET next_attempt_unix = 0 WHERE published_at IS NULL",
            [],
        )?)
    }

    /// The reopenings of this workspace's period, oldest first.
    pub fn reopenings(&self) -> Result<Vec<Reopening>> {
        let mut stmt = self.conn.prepare(
            "SELECT revision, supersedes_hash, reason, reopened_by, reopened_at FROM reopenings
             ORDER BY revision",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(Reopening {
                    revision: r.get(0)?,
                    supersedes_hash: r.get(1)?,
                    reason: r.get(2)?,
                    reopened_by: r.get(3)?,
                    reopened_at: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// A supervisor reopens the published period so that different content may be published as
    /// the next revision: `supersedes_hash` is the content published now (as revision
    /// `revision - 1`). Audited (`period_reopened`). Refused outbox entries of an earlier revision
    /// are lifted to the new one and tried again (their content is published as the new
    /// revision); the sign-off itself is untouched.
    pub fn reopen_period(
        &mut self,
        actor: &Actor<'_>,
        revision: i64,
        supersedes_hash: &str,
        reason: &str,
    ) -> Result<Reopening> {
        if !actor.principal.has(Role::Supervisor) {
            return Err(StoreError::Invalid(format!(
                "{} lacks the supervisor role needed to reopen a published period",
                actor.principal.subject
            )));
        }
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(StoreError::Invalid(
                "a reopening needs a reason (it is audited and published)".into(),
            ));
        }
        let current: i64 = self
            .conn
            .query_row("SELECT 1 + count(*) FROM reopenings", [], |r| r.get(0))?;
        if revision <= current {
            return Err(StoreError::Conflict(format!(
                "revision {revision} is not after this workspace's current revision {current}"
            )));
        }
        let reopening = Reopening {
            revision,
            supersedes_hash: supersedes_hash.to_string(),
            reason: reason.to_string(),
            reopened_by: actor.principal.subject.clone(),
            reopened_at: actor.at.clone(),
        };
        let note = reopening.clone();
        self.write_sign_off(actor, move |tx| {
            tx.execute(
                "INSERT INTO reopenings (revision, supersedes_hash, reason, reopened_by, reopened_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![
                    note.revision,
                    note.supersedes_hash,
                    note.reason,
                    note.reopened_by,
                    note.reopened_at
                ],
            )?;
            tx.execute(
                "UPDATE outbox SET revision = ?1, refused = NULL, next_attempt_unix = 0,
                     database_at = NULL, archive_at = NULL
                 WHERE published_at IS NULL AND refused IS NOT NULL AND revision < ?1",
                [note.revision],
            )?;
            Ok((
                (),
                vec![AuditNote {
                    action: "period_reopened".into(),
                    target: format!("publication:revision:{}", note.revision),
                    before: serde_json::json!({ "published_content_hash": note.supersedes_hash })
                        .to_string(),
                    after: serde_json::to_string(&note).unwrap_or_default(),
                }],
            ))
        })?;
        Ok(reopening)
    }

    /// The revision the next approval is published as: 1 plus the reopenings.
    pub fn publication_revision(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("SELECT 1 + count(*) FROM reopenings", [], |r| r.get(0))?)
    }

    /// Whether the sign-off is approved and still covers the content, with the approved hash.
    pub fn approved_content(&self) -> Result<Option<(String, bool)>> {
        let s = read_sign_off(&self.conn)?;
        if s.state != SignOffState::Approved {
            return Ok(None);
        }
        let hash = s.content_hash.unwrap_or_default();
        let current = self.content_hash()? == hash;
        Ok(Some((hash, current)))
    }
}
