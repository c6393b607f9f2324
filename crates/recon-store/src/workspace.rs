//! Opening and creating a workspace: a directory with `workspace.id` (the id, the only plaintext)
//! and `workspace.db` (SQLCipher; key from the [`KeyStore`]). Every change goes through
//! [`Workspace::write`], which runs it in one transaction, withdraws a sign-off the change
//! invalidates, and appends the hash-chained audit entry.

use crate::error::{Result, StoreError};
use crate::keys::{DatabaseKey, KeyStore};
use crate::schema;
use recon_review::audit::{self, AuditEntry, AuditHead, AuditRecord};
use recon_review::{Assurance, Principal, SignOffAction, SignOffState};
use rusqlite::{Connection, OpenFlags, OptionalExtension, Transaction, params};
use std::path::{Path, PathBuf};

pub const ID_FILE: &str = "workspace.id";
pub const DB_FILE: &str = "workspace.db";

/// Who acts, and when (UTC, RFC 3339): the clock is read by the caller.
#[derive(Clone, Debug)]
pub struct Actor<'a> {
    pub principal: &'a Principal,
    pub at: String,
}

/// What a workspace is for.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct WorkspaceInfo {
    pub id: String,
    pub account: String,
    pub currency: String,
    pub period_start: String,
    pub period_end: String,
    /// Ledger balance at the start of the period; the bank's opening balance when None.
    pub ledger_opening_minor: Option<i64>,
    /// `Verified`: only people signed in through the identity provider act here.
    /// `SelfAsserted`: a demo workspace, whose users are typed in or picked.
    pub identity_mode: Assurance,
    /// Every import reads strictly: a file that deviates from its format is refused (schema v9).
    pub strict_import: bool,
}

/// What the audit entry of a change says.
#[derive(Clone, Debug, Default)]
pub struct AuditNote {
    pub action: String,
    pub target: String,
    pub before: String,
    pub after: String,
}

/// An open workspace.
pub struct Workspace {
    pub(crate) conn: Connection,
    pub(crate) info: WorkspaceInfo,
    pub(crate) dir: PathBuf,
}

impl std::fmt::Debug for Workspace {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Workspace")
            .field("dir", &self.dir)
            .field("id", &self.info.id)
            .finish()
    }
}

fn io(path: &Path) -> impl FnOnce(std::io::Error) -> StoreError + '_ {
    move |source| StoreError::Io {
        path: path.to_path_buf(),
        source,
    }
}

/// A random workspace id: 16 bytes, hex.
fn new_workspace_id() -> Result<String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Invalid(format!("no random numbers for an id: {e}")))?;
    Ok(recon_review::hex(&bytes))
}

/// Opens the SQLCipher database with `key`, before anything else, and sets the pragmas: WAL,
/// synchronous=FULL, temp files in memory (so no plaintext temp file is ever written).
pub(crate) fn open_connection(path: &Path, key: &DatabaseKey, create: bool) -> Result<Connection> {
    let mut flags = OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_NO_MUTEX;
    if create {
        flags |= OpenFlags::SQLITE_OPEN_CREATE;
    }
    let conn = Connection::open_with_flags(path, flags)?;
    // SQLCipher logs a failed HMAC check to stderr on a wrong key; the error says it better.
    let _ = conn.execute_batch("PRAGMA cipher_log_level = NONE;");
    // The statement holds the key's hex digits: wiped once SQLCipher has read it.
    let pragma = zeroize::Zeroizing::new(format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()));
    conn.execute_batch(&pragma)?;
    // Verify the key before any other statement: a wrong key reads as "not a database".
    let check: rusqlite::Result<i64> =
        conn.query_row("SELECT count(*) FROM sqlite_master", [], |r| r.get(0));
    if let Err(e) = check {
        return Err(match e.sqlite_error_code() {
            Some(rusqlite::ErrorCode::NotADatabase) => StoreError::WrongKey {
                path: path.to_path_buf(),
            },
            _ => StoreError::Sqlite(e),
        });
    }
    conn.execute_batch(
        "PRAGMA temp_store = MEMORY;
         PRAGMA journal_mode = WAL;
         PRAGMA synchronous = FULL;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -65536;
         PRAGMA busy_timeout = 10000;",
    )?;
    Ok(conn)
}

impl Workspace {
    /// Creates a workspace in `dir` (created if missing): a fresh random key goes to the key store
    /// first; no key store, no workspace.
    #[allow(clippy::too_many_arguments)] // the workspace's defining fields, each needed once
    pub fn create(
        dir: &Path,
        account: &str,
        currency: &str,
        period_start: &str,
        period_end: &str,
        ledger_opening_minor: Option<i64>,
        keys: &dyn KeyStore,
        actor: &Actor<'_>,
    ) -> Result<Workspace> {
        let db_path = dir.join(DB_FILE);
        if db_path.exists() || dir.join(ID_FILE).exists() {
            return Err(StoreError::AlreadyExists {
                path: dir.to_path_buf(),
            });
        }
        std::fs::create_dir_all(dir).map_err(io(dir))?;
        let id = new_workspace_id()?;
        let key = DatabaseKey::random()?;
        keys.put(&id, &key)?;
        let mut conn = open_connection(&db_path, &key, true)?;
        schema::migrate(&mut conn, &db_path)?;
        let info = WorkspaceInfo {
            id: id.clone(),
            account: account.to_string(),
            currency: currency.to_string(),
            period_start: period_start.to_string(),
            period_end: period_end.to_string(),
            ledger_opening_minor,
            identity_mode: actor.principal.assurance,
            strict_import: false,
        };
        let mut ws = Workspace {
            conn,
            info,
            dir: dir.to_path_buf(),
        };
        let info = ws.info.clone();
        ws.write(actor, |tx| {
            tx.execute(
                "INSERT INTO workspace (id, account, currency, period_start, period_end,
                    ledger_opening_minor, created_at, created_by, identity_mode)
                    VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                params![
                    info.id,
                    info.account,
                    info.currency,
                    info.period_start,
                    info.period_end,
                    info.ledger_opening_minor,
                    actor.at,
                    actor.principal.subject,
                    mode_name(info.identity_mode),
                ],
            )?;
            Ok((
                (),
                vec![AuditNote {
                    action: "workspace_created".into(),
                    target: "workspace".into(),
                    before: String::new(),
                    after: serde_json::to_string(&info).unwrap_or_default(),
                }],
            ))
        })?;
        // The id file is written last: a directory without it is not a workspace yet.
        let tmp = dir.join(format!("{ID_FILE}.tmp"));
        std::fs::write(&tmp, format!("{id}\n")).map_err(io(&tmp))?;
        std::fs::rename(&tmp, dir.join(ID_FILE)).map_err(io(dir))?;
        Ok(ws)
    }

    /// Reads the id of the workspace in `dir` (no key needed).
    pub fn read_id(dir: &Path) -> Result<String> {
        let path = dir.join(ID_FILE);
        if !path.exists() || !dir.join(DB_FILE).exists() {
            return Err(StoreError::NotAWorkspace {
                path: dir.to_path_buf(),
            });
        }
        Ok(std::fs::read_to_string(&path)
            .map_err(io(&path))?
            .trim()
            .to_string())
    }

    /// Opens the workspace in `dir`: key from the key store, migrations forward, audit chain
    /// verified.
    pub fn open(dir: &Path, keys: &dyn KeyStore) -> Result<Workspace> {
        let id = Self::read_id(dir)?;
        let key = keys.get(&id)?;
        let db_path = dir.join(DB_FILE);
        let mut conn = open_connection(&db_path, &key, false)?;
        schema::migrate(&mut conn, &db_path)?;
        let info = conn
            .query_row(
                "SELECT id, account, currency, period_start, period_end, ledger_opening_minor,
                        identity_mode, strict_import
                 FROM workspace",
                [],
                |r| {
                    Ok(WorkspaceInfo {
                        id: r.get(0)?,
                        account: r.get(1)?,
                        currency: r.get(2)?,
                        period_start: r.get(3)?,
                        period_end: r.get(4)?,
                        ledger_opening_minor: r.get(5)?,
                        identity_mode: if r.get::<_, String>(6)? == "verified" {
                            Assurance::Verified
                        } else {
                            Assurance::SelfAsserted
                        },
                        strict_import: r.get::<_, i64>(7)? != 0,
                    })
                },
            )
            .optional()?
            .ok_or_else(|| StoreError::NotAWorkspace {
                path: dir.to_path_buf(),
            })?;
        if info.id != id {
            return Err(StoreError::Invalid(format!(
                "{}: workspace.id says {id} but the database belongs to {}",
                dir.display(),
                info.id
            )));
        }
        let ws = Workspace {
            conn,
            info,
            dir: dir.to_path_buf(),
        };
        ws.verify_audit()?;
        Ok(ws)
    }

    pub fn info(&self) -> &WorkspaceInfo {
        &self.info
    }
    pub fn dir(&self) -> &Path {
        &self.dir
    }
    pub fn db_path(&self) -> PathBuf {
        self.dir.join(DB_FILE)
    }

    /// `PRAGMA integrity_check`: "ok" or the problems found.
    pub fn integrity_check(&self) -> Result<String> {
        let mut stmt = self.conn.prepare("PRAGMA integrity_check")?;
        let rows: Vec<String> = stmt
            .query_map([], |r| r.get(0))?
            .collect::<rusqlite::Result<_>>()?;
        Ok(rows.join("\n"))
    }

    /// Runs `change` in one transaction: the sign-off is moved on by the change (an approval or
    /// preparation is withdrawn, audited), then the change's audit entries are chained.
    pub(crate) fn write<T>(
        &mut self,
        actor: &Actor<'_>,
        change: impl FnOnce(&Transaction<'_>) -> Result<(T, Vec<AuditNote>)>,
    ) -> Result<T> {
        let id = self.info.id.clone();
        let tx = self.conn.transaction()?;
        let mut notes = admit(&tx, &self.info, actor)?;
        let (value, changes) = change(&tx)?;
        // Creating the workspace, or recording a file whose statements were all there already,
        // changes no content (nor does recording who acted).
        if changes.iter().any(|n| {
            !matches!(
                n.action.as_str(),
                "workspace_created" | "file_imported" | "setting_changed"
            )
        }) {
            note_change(&tx, &id, actor)?;
        }
        notes.extend(changes);
        for note in &notes {
            append_audit(&tx, &id, actor, note)?;
        }
        tx.commit()?;
        Ok(value)
    }

    /// Runs a sign-off action (prepare, approve, reject) in one transaction.
    pub(crate) fn write_sign_off<T>(
        &mut self,
        actor: &Actor<'_>,
        change: impl FnOnce(&Transaction<'_>) -> Result<(T, Vec<AuditNote>)>,
    ) -> Result<T> {
        let id = self.info.id.clone();
        let tx = self.conn.transaction()?;
        let mut notes = admit(&tx, &self.info, actor)?;
        let (value, changes) = change(&tx)?;
        notes.extend(changes);
        for note in &notes {
            append_audit(&tx, &id, actor, note)?;
        }
        tx.commit()?;
        Ok(value)
    }

    /// Sets whether every import reads strictly (audited as `setting_changed`; the
    /// reconciliation's content, and so a sign-off, is not touched).
    pub fn set_strict_import(&mut self, actor: &Actor<'_>, strict: bool) -> Result<()> {
        let before = self.info.strict_import;
        self.write(actor, |tx| {
            tx.execute(
                "UPDATE workspace SET strict_import = ?1",
                [i64::from(strict)],
            )?;
            Ok((
                (),
                vec![AuditNote {
                    action: "setting_changed".into(),
                    target: "workspace:strict_import".into(),
                    before: serde_json::json!({ "strict_import": before }).to_string(),
                    after: serde_json::json!({ "strict_import": strict }).to_string(),
                }],
            ))
        })?;
        self.info.strict_import = strict;
        Ok(())
    }

    /// Every audit entry in stored order, and the recorded head.
    pub fn audit_entries(&self) -> Result<(Vec<AuditEntry>, AuditHead)> {
        read_audit(&self.conn)
    }

    /// Verifies the audit chain against the recorded head.
    pub fn verify_audit(&self) -> Result<usize> {
        let (entries, head) = self.audit_entries()?;
        audit::verify(&self.info.id, &entries, &head).map_err(|source| {
            StoreError::AuditBroken {
                workspace_id: self.info.id.clone(),
                source,
            }
        })?;
        Ok(entries.len())
    }

    /// Raw access for tests that tamper with the database on purpose.
    pub fn connection_for_tests(&mut self) -> &mut Connection {
        &mut self.conn
    }
}

fn mode_name(mode: Assurance) -> &'static str {
    match mode {
        Assurance::Verified => "verified",
        Assurance::SelfAsserted => "demo",
    }
}

/// Who may act here: a verified workspace refuses self-asserted principals. Records the principal
/// (subject, display name, assurance) and returns an audit note the first time a subject acts or
/// when its display name changed, so the chain names every person behind its entries.
fn admit(tx: &Transaction<'_>, info: &WorkspaceInfo, actor: &Actor<'_>) -> Result<Vec<AuditNote>> {
    let p = actor.principal;
    if info.identity_mode == Assurance::Verified && p.assurance != Assurance::Verified {
        return Err(StoreError::UnverifiedIdentity {
            workspace_id: info.id.clone(),
            who: p.to_string(),
        });
    }
    let known: Option<(String, String)> = tx
        .query_row(
            "SELECT display_name, assurance FROM principals WHERE subject = ?1",
            [&p.subject],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    let assurance = p.assurance.name();
    tx.execute(
        "INSERT INTO principals (subject, display_name, assurance, first_seen, last_seen)
         VALUES (?1, ?2, ?3, ?4, ?4)
         ON CONFLICT(subject) DO UPDATE SET display_name = ?2, assurance = ?3, last_seen = ?4",
        params![p.subject, p.display_name, assurance, actor.at],
    )?;
    if known
        .as_ref()
        .is_some_and(|(n, a)| *n == p.display_name && a == assurance)
    {
        return Ok(Vec::new());
    }
    let before = known
        .map(|(n, a)| serde_json::json!({"display_name": n, "assurance": a}).to_string())
        .unwrap_or_default();
    Ok(vec![AuditNote {
        action: "principal_recorded".into(),
        target: format!("principal:{}", p.subject),
        before,
        after: serde_json::json!({
            "subject": p.subject,
            "display_name": p.display_name,
            "assurance": assurance,
            "roles": p.roles.iter().map(|r| r.name()).collect::<Vec<_>>(),
        })
        .to_string(),
    }])
}

pub(crate) fn read_audit(conn: &Connection) -> Result<(Vec<AuditEntry>, AuditHead)> {
    let mut stmt = conn.prepare(
        "SELECT seq, at, actor, action, target, before, after, prev_hash, hash
         FROM audit_log ORDER BY rowid",
    )?;
    let entries = stmt
        .query_map([], |r| {
            Ok(AuditEntry {
                seq: r.get(0)?,
                at: r.get(1)?,
                actor: r.get(2)?,
                action: r.get(3)?,
                target: r.get(4)?,
                before: r.get(5)?,
                after: r.get(6)?,
                prev_hash: r.get(7)?,
                hash: r.get(8)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    let head = conn.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
        Ok(AuditHead {
            seq: r.get(0)?,
            hash: r.get(1)?,
        })
    })?;
    Ok((entries, head))
}

pub(crate) fn append_audit(
    tx: &Transaction<'_>,
    workspace_id: &str,
    actor: &Actor<'_>,
    note: &AuditNote,
) -> Result<()> {
    let head = tx.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| {
        Ok(AuditHead {
            seq: r.get(0)?,
            hash: r.get(1)?,
        })
    })?;
    let entry = audit::chain(
        workspace_id,
        &head,
        &AuditRecord {
            at: &actor.at,
            actor: &actor.principal.subject,
            action: &note.action,
            target: &note.target,
            before: &note.before,
            after: &note.after,
        },
    );
    tx.prepare_cached(
        "INSERT INTO audit_log (seq, at, actor, action, target, before, after, prev_hash, hash)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        entry.seq,
        entry.at,
        entry.actor,
        entry.action,
        entry.target,
        entry.before,
        entry.after,
        entry.prev_hash,
        entry.hash
    ])?;
    tx.execute(
        "UPDATE audit_head SET seq = ?1, hash = ?2 WHERE id = 1",
        params![entry.seq, entry.hash],
    )?;
    Ok(())
}

pub use recon_review::pack::SignOffRecord;

pub(crate) fn read_sign_off(conn: &Connection) -> Result<SignOffRecord> {
    Ok(conn.query_row(
        "SELECT state, preparer, prepared_at, approver, approved_at, content_hash, last_rejection
         FROM sign_off WHERE id = 1",
        [],
        |r| {
            let state: String = r.get(0)?;
            Ok(SignOffRecord {
                state: SignOffState::from_name(&state).unwrap_or(SignOffState::InReview),
                preparer: r.get(1)?,
                prepared_at: r.get(2)?,
                approver: r.get(3)?,
                approved_at: r.get(4)?,
                content_hash: r.get(5)?,
                last_rejection: r.get(6)?,
            })
        },
    )?)
}

/// A change happened: open becomes in review; a preparation or approval is withdrawn and the
/// withdrawal audited.
fn note_change(tx: &Transaction<'_>, workspace_id: &str, actor: &Actor<'_>) -> Result<()> {
    let before = read_sign_off(tx)?;
    let next = recon_review::transition(before.state, &SignOffAction::Change, actor.principal)?;
    if next == before.state {
        return Ok(());
    }
    tx.execute(
        "UPDATE sign_off SET state = ?1, preparer = NULL, prepared_at = NULL, approver = NULL,
            approved_at = NULL, content_hash = NULL WHERE id = 1",
        params![next.name()],
    )?;
    let action = match before.state {
        SignOffState::Approved => "approval_withdrawn",
        SignOffState::Prepared => "preparation_withdrawn",
        _ => "review_started",
    };
    append_audit(
        tx,
        workspace_id,
        actor,
        &AuditNote {
            action: action.into(),
            target: "sign_off".into(),
            before: serde_json::to_string(&before).unwrap_or_default(),
            after: format!("{{\"state\":\"{}\"}}", next.name()),
        },
    )
}
