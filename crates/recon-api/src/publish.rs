//! Publishing (issue 18): an approved reconciliation leaves the laptop, exactly once per
//! destination, through the workspace's outbox.
//!
//! An approval queues an outbox entry (in the same transaction). The drainer takes each entry
//! through three steps, each recorded in the workspace when done, so a crash or a dead network
//! between steps repeats a step and never skips one:
//! 1. **Stage** (local, works offline): the sign-off pack as of the approval (its time stamp is
//!    the approval's, so every retry writes the same bytes), rendered to PDF, XLSX and CSV, the
//!    pack's data as JSON (what the database gets) and a [`Manifest`] naming every file's SHA-256,
//!    written into `<workspace>/outbox/<id>/` through a temporary folder renamed when complete.
//! 2. **Database** ([`ResultsDb`], PostgreSQL): one transaction keyed by (account, period,
//!    revision) and the content hash. The same content again changes nothing; different content
//!    for a published revision is refused ([`PublishErrorCode::Refused`]) until a supervisor
//!    reopens the period, which makes the next revision.
//! 3. **Archive** ([`Archive`], S3 `published/`): the manifest first, as the period's revision
//!    claim `ACCOUNT/PERIOD/revision-N.json` written with `If-None-Match: *` (a second laptop
//!    with other content finds it and is refused), then every file under the content hash, each
//!    written only if absent (a retry finds its own object and checks its SHA-256), then the
//!    manifest beside them as the completion mark.
//!
//! Failures are per entry: the error and its code stay with the entry, which is tried again
//! after a backoff (15 s doubling to 15 min); a refusal stops the entry until a reopening.

use crate::ApiError;
use crate::workspace::{actor, local_date_at, now_rfc3339};
use recon_report::{PdfOptions, ReportFormat};
use recon_review::Principal;
use recon_review::pack::SignOffPack;
use recon_store::{Destination, KeptFile, OutboxEntry, Workspace};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::io::Write as _;
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// The outbox's folder inside the workspace directory: staged publications, one folder each.
pub const OUTBOX_DIR: &str = "outbox";
/// The manifest's format name.
pub const MANIFEST_FORMAT: &str = "recon-publication/1";
/// The manifest's file name (in the staged folder and in the archive).
pub const MANIFEST_FILE: &str = "manifest.json";
/// The pack's data as staged for the database (local only, not archived), and its SHA-256.
pub const PACK_DATA_FILE: &str = "pack.json";
pub const PACK_DATA_SHA256_FILE: &str = "pack.json.sha256";
/// The Parquet results as staged.
pub const MATCHED_PARQUET: &str = "matched_items.parquet";
pub const OPEN_PARQUET: &str = "open_items.parquet";
/// First retry after this long; doubled per attempt up to [`BACKOFF_MAX_SECONDS`].
pub const BACKOFF_FIRST_SECONDS: i64 = 15;
pub const BACKOFF_MAX_SECONDS: i64 = 900;
/// A manifest read back from the archive is at most this large.
pub const MANIFEST_BYTES_MAX: u64 = 16 << 20;
/// A published file read back to verify it is at most this large.
pub const VERIFY_BYTES_MAX: u64 = 4 << 30;
/// At most this many periods are returned by [`history`].
pub const HISTORY_PERIODS_MAX: usize = 500;

/// Where published reconciliations go (the configuration file's `[publish]` section).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PublishConfig {
    /// `s3://bucket/prefix/`, e.g. `s3://acme-recon/published/`.
    pub archive: Option<String>,
    /// The team's PostgreSQL database.
    pub database: Option<DatabaseConfig>,
    /// Seconds between the app's background attempts (0: only on approval and on demand).
    pub interval_seconds: u32,
}

impl PublishConfig {
    pub fn configured(&self) -> bool {
        self.archive.is_some() || self.database.is_some()
    }

    /// The configured destinations, as the status shows them.
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(db) = &self.database {
            out.push(format!("results database {}", db.url));
        }
        if let Some(a) = &self.archive {
            out.push(format!("archive {a}"));
        }
        out
    }
}

/// How the results database is reached.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DatabaseConfig {
    /// `postgresql://USER@HOST:PORT/DBNAME` (no password: it comes from the OS keyring or IAM).
    pub url: String,
    /// The CA bundle the server's certificate must chain to (RDS: `global-bundle.pem`); without
    /// it, the operating system's roots.
    pub ca_file: Option<PathBuf>,
    pub auth: DatabaseAuth,
}

/// Where the database password comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DatabaseAuth {
    /// A password kept in the OS keyring (`recon db password`).
    Password,
    /// An RDS IAM authentication token signed with the signed-in role's AWS credentials.
    Iam,
}

/// The archive's bucket and key prefix.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ArchiveLocation {
    pub bucket: String,
    /// Empty or ending in '/'.
    pub prefix: String,
}

impl ArchiveLocation {
    /// Reads `s3://bucket/prefix`.
    pub fn parse(uri: &str) -> Result<ArchiveLocation, String> {
        crate::inbox::check_template(uri)?;
        if uri.contains('{') {
            return Err(format!(
                "{uri:?}: the publishing archive takes no placeholders (keys are made from account, period and content hash)"
            ));
        }
        let rest = &uri["s3://".len()..];
        let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
        let mut prefix = prefix.trim_start_matches('/').to_string();
        if !prefix.is_empty() && !prefix.ends_with('/') {
            prefix.push('/');
        }
        Ok(ArchiveLocation {
            bucket: bucket.to_string(),
            prefix,
        })
    }

    fn period_folder(&self, account: &str, period_start: &str, period_end: &str) -> String {
        format!(
            "{}{}/{}_{}/",
            self.prefix,
            key_part(account),
            period_start,
            period_end
        )
    }

    /// The revision claim: the manifest of the content published as `revision`.
    pub fn claim_key(&self, m: &Manifest) -> String {
        format!(
            "{}revision-{}.json",
            self.period_folder(&m.account, &m.period_start, &m.period_end),
            m.revision
        )
    }

    /// Where a manifest's file goes: its own key under the prefix, else beside the manifest.
    pub fn key_of(&self, m: &Manifest, f: &ManifestFile) -> String {
        match &f.key {
            Some(k) => format!("{}{k}", self.prefix),
            None => self.file_key(m, &f.name),
        }
    }

    /// A published file, under the content hash.
    pub fn file_key(&self, m: &Manifest, name: &str) -> String {
        format!(
            "{}{}/{}",
            self.period_folder(&m.account, &m.period_start, &m.period_end),
            m.content_hash,
            name
        )
    }

    pub fn uri(&self, key: &str) -> String {
        format!("s3://{}/{}", self.bucket, key)
    }
}

/// The Parquet results' key under the archive's prefix: `results/<table>/account=A/
/// period_start=D/revision=N/part-<content hash>.parquet` (Hive partitions; a query takes the
/// highest revision of each period).
pub fn results_key(
    table: &str,
    account: &str,
    period_start: &str,
    revision: i64,
    content_hash: &str,
) -> String {
    format!(
        "results/{table}/account={}/period_start={period_start}/revision={revision}/part-{content_hash}.parquet",
        key_part(account)
    )
}

/// An account number as a key segment: letters, digits, '-', '_' and '.' kept, anything else
/// as '_' (IBANs and account numbers pass unchanged).
pub(crate) fn key_part(text: &str) -> String {
    text.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// Why publishing an entry did not complete (stable codes, shown per entry).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PublishErrorCode {
    /// No destination is configured (`[publish]` in the configuration file).
    NotConfigured,
    /// The destination could not be reached (offline, DNS, refused, timed out, cut).
    Unreachable,
    /// The server's certificate did not verify against the configured CA bundle.
    Tls,
    /// The database refused the credentials, or the password is not in the OS keyring.
    AuthFailed,
    /// The signed-in role may not write there (IAM, bucket policy, database grants).
    AccessDenied,
    /// The AWS credentials expired; sign in again.
    CredentialsExpired,
    /// The database lacks the published tables: run `recon db migrate`.
    SchemaMissing,
    /// Different content is already published for this period and revision: a supervisor
    /// reopens the period to publish it as the next revision.
    Refused,
    /// The workspace changed after the approval before the entry was staged: approve again.
    Stale,
    /// Anything else (the message says what).
    Failed,
}

impl PublishErrorCode {
    pub fn as_str(self) -> &'static str {
        match self {
            PublishErrorCode::NotConfigured => "not_configured",
            PublishErrorCode::Unreachable => "unreachable",
            PublishErrorCode::Tls => "tls",
            PublishErrorCode::AuthFailed => "auth_failed",
            PublishErrorCode::AccessDenied => "access_denied",
            PublishErrorCode::CredentialsExpired => "credentials_expired",
            PublishErrorCode::SchemaMissing => "schema_missing",
            PublishErrorCode::Refused => "refused",
            PublishErrorCode::Stale => "stale",
            PublishErrorCode::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> PublishErrorCode {
        [
            PublishErrorCode::NotConfigured,
            PublishErrorCode::Unreachable,
            PublishErrorCode::Tls,
            PublishErrorCode::AuthFailed,
            PublishErrorCode::AccessDenied,
            PublishErrorCode::CredentialsExpired,
            PublishErrorCode::SchemaMissing,
            PublishErrorCode::Refused,
            PublishErrorCode::Stale,
        ]
        .into_iter()
        .find(|e| e.as_str() == text)
        .unwrap_or(PublishErrorCode::Failed)
    }

    /// Refusals wait for a person; everything else is retried.
    pub fn permanent(self) -> bool {
        matches!(self, PublishErrorCode::Refused | PublishErrorCode::Stale)
    }
}

/// What is published for a period now, as a refusal reports it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublishedRef {
    pub revision: i64,
    pub content_hash: String,
    pub approver: String,
    pub approved_at: String,
}

/// A destination's failure, with what and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PublishError {
    pub code: PublishErrorCode,
    pub message: String,
    /// With [`PublishErrorCode::Refused`]: what is published instead.
    pub published: Option<PublishedRef>,
}

impl PublishError {
    pub fn new(code: PublishErrorCode, message: impl Into<String>) -> PublishError {
        PublishError {
            code,
            message: message.into(),
            published: None,
        }
    }

    pub fn refused(published: PublishedRef, message: impl Into<String>) -> PublishError {
        PublishError {
            code: PublishErrorCode::Refused,
            message: message.into(),
            published: Some(published),
        }
    }
}

impl std::fmt::Display for PublishError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} ({})", self.message, self.code.as_str())
    }
}

/// What a conditional put found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Put {
    /// The object was written.
    Created,
    /// An object was already there (a retry's own, or someone else's); its SHA-256 (hex) when
    /// the store keeps a checksum.
    Exists { sha256_hex: Option<String> },
}

/// The archive port (S3 `published/`). Synchronous for the caller; the adapter bounds its work.
pub trait Archive: Send {
    /// "S3 at https://... (role recon-supervisor)".
    fn describe(&self) -> String;
    /// Writes `file` at `key` only if no object is there (`If-None-Match: *`), with its SHA-256
    /// as the object's checksum.
    fn put_new(
        &mut self,
        bucket: &str,
        key: &str,
        file: &Path,
        sha256_hex: &str,
    ) -> Result<Put, PublishError>;
    /// The keys under `prefix` with their last-modified time (Unix seconds), at most
    /// `max_keys` (more is an error).
    fn list(
        &mut self,
        bucket: &str,
        prefix: &str,
        max_keys: usize,
    ) -> Result<Vec<(String, Option<i64>)>, PublishError>;
    /// The object's bytes, None when there is none; refused over `max_bytes`.
    fn get(
        &mut self,
        bucket: &str,
        key: &str,
        max_bytes: u64,
    ) -> Result<Option<Vec<u8>>, PublishError>;
}

/// What the database did with a publication.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DbOutcome {
    /// Written now, as the reconciliation row `id`.
    Inserted { id: i64 },
    /// The same content was published before (a retry): nothing changed.
    AlreadyPublished { id: i64 },
}

/// One reconciliation for the database.
#[derive(Debug)]
pub struct Publication<'a> {
    pub manifest: &'a Manifest,
    /// The SHA-256 of the manifest's bytes.
    pub manifest_sha256: &'a str,
    pub pack: &'a SignOffPack,
    /// Who published (the signed-in person draining the outbox).
    pub published_by: &'a str,
}

/// The results-database port (PostgreSQL). Synchronous for the caller.
pub trait ResultsDb: Send {
    fn describe(&self) -> String;
    /// One transaction: the reconciliation, its groups and items, adjustments, open items carried
    /// forward, the sign-off, the audit anchor, and the reopening it rests on. The same content
    /// again changes nothing; different content for a published revision is refused.
    fn publish(&mut self, publication: &Publication<'_>) -> Result<DbOutcome, PublishError>;
    /// The account's published periods, newest first.
    fn history(
        &mut self,
        account: &str,
        limit: usize,
    ) -> Result<Vec<PublishedPeriod>, PublishError>;
    /// The newest revision of the account's latest period that ends before `period_start`, with
    /// the items open at its approval (at most `max_items`; more is an error), or None.
    fn open_items_before(
        &mut self,
        account: &str,
        period_start: &str,
        max_items: usize,
    ) -> Result<Option<PeriodOpenItems>, PublishError>;
}

/// A published period's open items (the next period's opening items).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodOpenItems {
    pub period: PublishedPeriod,
    pub items: Vec<OpenItemRecord>,
}

pub use recon_report::parquet::OpenItemRecord;

/// One published file in a manifest.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestFile {
    pub name: String,
    /// "signoff_pdf", "signoff_xlsx", "signoff_csv", "matched_items_parquet",
    /// "open_items_parquet", "statement_file".
    pub role: String,
    pub sha256: String,
    pub size_bytes: u64,
    /// Its key under the archive's prefix when it is not beside the manifest (the Parquet
    /// results, Hive-partitioned by account, period start and revision).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

/// An input file of the reconciliation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ManifestInput {
    pub name: String,
    pub kind: String,
    pub sha256: String,
    pub records: i64,
    pub total_minor: i64,
    /// `s3://bucket/key` when the inbox fetched it.
    pub source_uri: Option<String>,
    pub source_version_id: Option<String>,
    /// The published copy of the file (a name in `files`, beside the manifest); None when the
    /// workspace kept no copy (a ledger extract, a carried-forward list, or a statement imported
    /// before copies were kept).
    #[serde(default)]
    pub copy: Option<String>,
}

/// The reopening a revision after the first rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Supersedes {
    pub revision: i64,
    pub content_hash: String,
    pub reason: String,
    pub reopened_by: String,
    pub reopened_at: String,
}

/// What one publication is: every file with its SHA-256, and what the reconciliation rests on.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Manifest {
    pub format: String,
    pub workspace_id: String,
    pub account: String,
    pub currency: String,
    pub exponent: u32,
    pub period_start: String,
    pub period_end: String,
    pub revision: i64,
    pub content_hash: String,
    pub rule_set_sha256: String,
    pub audit_head_seq: i64,
    pub audit_head_hash: String,
    pub preparer: String,
    pub prepared_at: String,
    pub approver: String,
    pub approved_at: String,
    pub bank_closing_minor: i64,
    pub ledger_balance_minor: i64,
    pub unexplained_minor: i64,
    pub groups: usize,
    pub matched_items: usize,
    pub open_items: usize,
    pub supersedes: Option<Supersedes>,
    pub files: Vec<ManifestFile>,
    pub inputs: Vec<ManifestInput>,
}

/// A period as published (the History view).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PublishedPeriod {
    pub account: String,
    pub period_start: String,
    pub period_end: String,
    pub revision: i64,
    pub content_hash: String,
    pub currency: String,
    pub exponent: u32,
    pub preparer: String,
    pub approver: String,
    pub approved_at: String,
    pub published_by: String,
    pub published_at: String,
    #[ts(type = "number")]
    pub bank_closing_minor: i64,
    #[ts(type = "number")]
    pub ledger_balance_minor: i64,
    #[ts(type = "number")]
    pub matched_items: i64,
    #[ts(type = "number")]
    pub open_items: i64,
    /// Superseded by a later revision.
    pub superseded: bool,
}

/// An outbox entry as the app and `recon publish status` show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct OutboxItem {
    #[ts(type = "number")]
    pub id: i64,
    pub content_hash: String,
    #[ts(type = "number")]
    pub revision: i64,
    pub approver: String,
    pub created_at: String,
    pub staged: bool,
    pub database_at: Option<String>,
    pub archive_at: Option<String>,
    #[ts(type = "number")]
    pub attempts: i64,
    pub last_error: Option<String>,
    pub last_error_code: Option<PublishErrorCode>,
    /// Unix seconds; 0 = now.
    #[ts(type = "number")]
    pub next_attempt_unix: i64,
    /// Waits for a supervisor to reopen the period.
    pub refused: bool,
    pub published_at: Option<String>,
}

/// The outbox at a glance.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PublishStatus {
    /// Entries not yet published (refused ones included).
    pub waiting: usize,
    pub refused: usize,
    pub items: Vec<OutboxItem>,
    /// "PostgreSQL at ...", "S3 s3://..."; empty when nothing is configured.
    pub destinations: Vec<String>,
}

#[derive(Deserialize)]
struct ApprovalPayload {
    content_hash: String,
    #[serde(default)]
    approver: String,
}

fn payload(entry: &OutboxEntry) -> ApprovalPayload {
    serde_json::from_str(&entry.payload).unwrap_or(ApprovalPayload {
        content_hash: String::new(),
        approver: String::new(),
    })
}

fn refusal_text(entry: &OutboxEntry) -> Option<RefusalRecord> {
    entry.refused.as_deref().map(|r| {
        serde_json::from_str(r).unwrap_or_else(|_| RefusalRecord {
            message: r.to_string(),
            published: None,
        })
    })
}

#[derive(Serialize, Deserialize)]
struct RefusalRecord {
    message: String,
    published: Option<PublishedRef>,
}

/// The outbox's entries and the configured destinations.
pub fn status(ws: &Workspace, destinations: Vec<String>) -> Result<PublishStatus, ApiError> {
    let entries = ws.outbox_entries()?;
    let items: Vec<OutboxItem> = entries
        .iter()
        .map(|e| {
            let p = payload(e);
            OutboxItem {
                id: e.id,
                content_hash: p.content_hash,
                revision: e.revision,
                approver: p.approver,
                created_at: e.created_at.clone(),
                staged: e.staged_at.is_some(),
                database_at: e.database_at.clone(),
                archive_at: e.archive_at.clone(),
                attempts: e.attempts,
                last_error: refusal_text(e)
                    .map(|r| r.message)
                    .or_else(|| e.last_error.clone()),
                last_error_code: e.last_error_code.as_deref().map(PublishErrorCode::parse),
                next_attempt_unix: e.next_attempt_unix,
                refused: e.refused.is_some(),
                published_at: e.published_at.clone(),
            }
        })
        .collect();
    Ok(PublishStatus {
        waiting: items.iter().filter(|i| i.published_at.is_none()).count(),
        refused: items
            .iter()
            .filter(|i| i.published_at.is_none() && i.refused)
            .count(),
        items,
        destinations,
    })
}

/// Where an entry's files are staged.
pub fn staged_dir(ws_dir: &Path, id: i64) -> PathBuf {
    ws_dir.join(OUTBOX_DIR).join(id.to_string())
}

/// A staged publication, read back.
#[derive(Debug)]
pub struct Staged {
    pub dir: PathBuf,
    pub manifest: Manifest,
    pub manifest_bytes: Vec<u8>,
    pub manifest_sha256: String,
    /// The pack, when it was staged by this process (else [`staged_pack`] reads it back).
    pub pack: Option<SignOffPack>,
}

pub(crate) fn hex_sha256(bytes: &[u8]) -> String {
    hex_lower(&Sha256::digest(bytes))
}

fn hex_lower(bytes: &[u8]) -> String {
    use std::fmt::Write as _;
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn io_err(what: &str, path: &Path, e: std::io::Error) -> PublishError {
    PublishError::new(
        PublishErrorCode::Failed,
        format!("{what} {}: {e}", path.display()),
    )
}

fn read_staged(dir: &Path) -> Result<Option<Staged>, PublishError> {
    let path = dir.join(MANIFEST_FILE);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_err("cannot read", &path, e)),
    };
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        PublishError::new(
            PublishErrorCode::Failed,
            format!("{}: not a publication manifest: {e}", path.display()),
        )
    })?;
    Ok(Some(Staged {
        dir: dir.to_path_buf(),
        manifest_sha256: hex_sha256(&bytes),
        manifest,
        manifest_bytes: bytes,
        pack: None,
    }))
}

fn write_synced(path: &Path, bytes: &[u8]) -> Result<(), PublishError> {
    let mut f = std::fs::File::create(path).map_err(|e| io_err("cannot create", path, e))?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| io_err("cannot write", path, e))
}

fn sync_dir(dir: &Path) -> Result<(), PublishError> {
    #[cfg(unix)]
    {
        std::fs::File::open(dir)
            .and_then(|f| f.sync_all())
            .map_err(|e| io_err("cannot sync", dir, e))?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Stages the entry (once): the pack as of the approval, rendered, with its manifest.
pub fn stage(ws: &mut Workspace, entry: &OutboxEntry) -> Result<Staged, PublishError> {
    let dir = staged_dir(ws.dir(), entry.id);
    // Reopened since it was staged (after a refusal), it is staged again as the new revision,
    // which the manifest names with the reopening it rests on.
    if let Some(staged) = read_staged(&dir)?
        && staged.manifest.revision == entry.revision
    {
        return Ok(staged);
    }
    let failed = |e: ApiError| PublishError::new(PublishErrorCode::Failed, e.to_string());
    let wanted = payload(entry).content_hash;
    match ws.approved_content().map_err(|e| failed(e.into()))? {
        Some((hash, true)) if hash == wanted => {}
        _ => {
            return Err(PublishError::new(
                PublishErrorCode::Stale,
                format!(
                    "the workspace changed after approval {wanted:.12}… before it was staged for publishing: prepare and approve it again"
                ),
            ));
        }
    }
    let sign_off = ws.sign_off().map_err(|e| failed(e.into()))?;
    let approved_at = sign_off.approved_at.clone().unwrap_or_default();
    let instant = chrono::DateTime::parse_from_rfc3339(&approved_at)
        .map(|t| t.with_timezone(&chrono::Utc))
        .unwrap_or_default();
    let (as_of, time_zone) = local_date_at(instant);
    let mut pack = ws
        .sign_off_pack(as_of, &approved_at)
        .map_err(|e| failed(e.into()))?;
    pack.as_of_time_zone = time_zone;
    if pack.content_hash != wanted {
        return Err(PublishError::new(
            PublishErrorCode::Stale,
            format!(
                "the pack's content hash {} is not the approved {wanted}",
                pack.content_hash
            ),
        ));
    }
    let supersedes = if entry.revision > 1 {
        let reopenings = ws.reopenings().map_err(|e| failed(e.into()))?;
        reopenings
            .into_iter()
            .find(|r| r.revision == entry.revision)
            .map(|r| Supersedes {
                revision: r.revision - 1,
                content_hash: r.supersedes_hash,
                reason: r.reason,
                reopened_by: r.reopened_by,
                reopened_at: r.reopened_at,
            })
    } else {
        None
    };
    let statement_files = ws.kept_statement_files().map_err(|e| failed(e.into()))?;
    let staged = stage_pack(&dir, pack, entry.revision, supersedes, &statement_files)?;
    ws.outbox_staged(entry.id, &now_rfc3339())
        .map_err(|e| failed(e.into()))?;
    Ok(staged)
}

/// Renders `pack` and writes it, with its manifest, into `dir` (replaced whole: written into a
/// temporary folder beside it, every file synced, then renamed; temporary folders left by killed
/// attempts are removed first).
pub fn stage_pack(
    dir: &Path,
    pack: SignOffPack,
    revision: i64,
    supersedes: Option<Supersedes>,
    statement_files: &[KeptFile],
) -> Result<Staged, PublishError> {
    let parent = dir.parent().unwrap_or(dir);
    std::fs::create_dir_all(parent).map_err(|e| io_err("cannot create", parent, e))?;
    let name = dir
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let rendered = render_all(&pack)?;
    if let Ok(listing) = std::fs::read_dir(parent) {
        let prefix = format!(".{name}.");
        for e in listing.flatten() {
            let n = e.file_name().to_string_lossy().to_string();
            if n.starts_with(&prefix) && n.ends_with(".tmp") {
                let _ = std::fs::remove_dir_all(e.path());
            }
        }
    }
    let tmp = parent.join(format!(".{name}.{}.tmp", std::process::id()));
    std::fs::create_dir_all(&tmp).map_err(|e| io_err("cannot create", &tmp, e))?;
    let mut files = Vec::new();
    for (name, role, bytes) in &rendered {
        write_synced(&tmp.join(name), bytes)?;
        if *name == PACK_DATA_FILE {
            // The database's input stays on the laptop (the archive has the evidence and the
            // Parquet results); its SHA-256 beside it catches a damaged staging.
            write_synced(
                &tmp.join(PACK_DATA_SHA256_FILE),
                hex_sha256(bytes).as_bytes(),
            )?;
            continue;
        }
        let table = match *name {
            MATCHED_PARQUET => Some("matched_items"),
            OPEN_PARQUET => Some("open_items"),
            _ => None,
        };
        files.push(ManifestFile {
            name: name.to_string(),
            role: role.to_string(),
            sha256: hex_sha256(bytes),
            size_bytes: bytes.len() as u64,
            key: table.map(|t| {
                results_key(
                    t,
                    &pack.account,
                    &pack.period_start,
                    revision,
                    &pack.content_hash,
                )
            }),
        });
    }
    let mut copies = Vec::new();
    for f in statement_files {
        if hex_sha256(&f.bytes) != f.sha256 {
            return Err(PublishError::new(
                PublishErrorCode::Failed,
                format!(
                    "the workspace's copy of {} does not match its SHA-256",
                    f.name
                ),
            ));
        }
        let name = statement_copy_name(f);
        write_synced(&tmp.join(&name), &f.bytes)?;
        files.push(ManifestFile {
            name: name.clone(),
            role: "statement_file".into(),
            sha256: f.sha256.clone(),
            size_bytes: f.bytes.len() as u64,
            key: None,
        });
        copies.push((f.sha256.clone(), name));
    }
    let mut manifest = manifest_of(&pack, revision, supersedes, files);
    for input in &mut manifest.inputs {
        input.copy = copies
            .iter()
            .find(|(sha, _)| *sha == input.sha256)
            .map(|(_, name)| name.clone());
    }
    let bytes = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| PublishError::new(PublishErrorCode::Failed, format!("manifest: {e}")))?;
    write_synced(&tmp.join(MANIFEST_FILE), &bytes)?;
    sync_dir(&tmp)?;
    let _ = std::fs::remove_dir_all(dir);
    std::fs::rename(&tmp, dir).map_err(|e| io_err("cannot rename into", dir, e))?;
    sync_dir(dir.parent().unwrap_or(dir))?;
    Ok(Staged {
        dir: dir.to_path_buf(),
        manifest_sha256: hex_sha256(&bytes),
        manifest,
        manifest_bytes: bytes,
        pack: Some(pack),
    })
}

/// A statement file's published name: `statement-<first 12 of its SHA-256>-<its base name>`
/// (letters, digits, '.', '-' and '_' kept; at most 80 characters of the name).
fn statement_copy_name(f: &KeptFile) -> String {
    let base = f.name.rsplit(['/', '\\']).next().unwrap_or("");
    let clean: String = base
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_') {
                c
            } else {
                '_'
            }
        })
        .take(80)
        .collect();
    format!("statement-{}-{clean}", &f.sha256[..f.sha256.len().min(12)])
}

/// The published files: PDF (summary and exceptions; the items are in the XLSX, CSV and data),
/// XLSX, CSV and the pack's data, rendered on two threads.
/// A rendered file: (name, role, bytes).
type Rendered = (&'static str, &'static str, Vec<u8>);

fn render_all(pack: &SignOffPack) -> Result<Vec<Rendered>, PublishError> {
    let render = |format: ReportFormat| {
        recon_report::render(pack, format, &PdfOptions { appendix: false }).map_err(|e| {
            PublishError::new(
                PublishErrorCode::Failed,
                format!("cannot render the sign-off pack: {e}"),
            )
        })
    };
    let (xlsx, rest) = std::thread::scope(|s| {
        let xlsx = s.spawn(|| render(ReportFormat::Xlsx));
        let rest = (|| {
            let pdf = render(ReportFormat::Pdf)?;
            let csv = render(ReportFormat::Csv)?;
            let data = serde_json::to_vec(pack).map_err(|e| {
                PublishError::new(PublishErrorCode::Failed, format!("pack data: {e}"))
            })?;
            let parquet = |r: Result<Vec<u8>, recon_report::ReportError>| {
                r.map_err(|e| PublishError::new(PublishErrorCode::Failed, e.to_string()))
            };
            let matched = parquet(recon_report::parquet::matched_items(pack))?;
            let open = parquet(recon_report::parquet::open_items(pack))?;
            Ok::<_, PublishError>((pdf, csv, data, matched, open))
        })();
        (
            xlsx.join().unwrap_or_else(|_| {
                Err(PublishError::new(
                    PublishErrorCode::Failed,
                    "the XLSX renderer panicked",
                ))
            }),
            rest,
        )
    });
    let xlsx = xlsx?;
    let (pdf, csv, data, matched, open) = rest?;
    Ok(vec![
        ("signoff.pdf", "signoff_pdf", pdf),
        ("signoff.xlsx", "signoff_xlsx", xlsx),
        ("signoff.csv", "signoff_csv", csv),
        (PACK_DATA_FILE, "pack_data", data),
        (MATCHED_PARQUET, "matched_items_parquet", matched),
        (OPEN_PARQUET, "open_items_parquet", open),
    ])
}

fn manifest_of(
    pack: &SignOffPack,
    revision: i64,
    supersedes: Option<Supersedes>,
    files: Vec<ManifestFile>,
) -> Manifest {
    Manifest {
        format: MANIFEST_FORMAT.into(),
        workspace_id: pack.workspace_id.clone(),
        account: pack.account.clone(),
        currency: pack.currency.clone(),
        exponent: pack.exponent,
        period_start: pack.period_start.clone(),
        period_end: pack.period_end.clone(),
        revision,
        content_hash: pack.content_hash.clone(),
        rule_set_sha256: pack.rule_set.sha256.clone(),
        audit_head_seq: pack.audit.last().map(|a| a.seq).unwrap_or(0),
        audit_head_hash: pack.audit_head_hash.clone(),
        preparer: pack.sign_off.preparer.clone().unwrap_or_default(),
        prepared_at: pack.sign_off.prepared_at.clone().unwrap_or_default(),
        approver: pack.sign_off.approver.clone().unwrap_or_default(),
        approved_at: pack.sign_off.approved_at.clone().unwrap_or_default(),
        bank_closing_minor: pack.reconciliation.bank_closing_minor,
        ledger_balance_minor: pack.reconciliation.ledger_balance_minor,
        unexplained_minor: pack.reconciliation.unexplained_minor,
        groups: pack.groups.len(),
        matched_items: pack.groups.iter().map(|g| g.items.len()).sum(),
        open_items: pack.exceptions.len(),
        supersedes,
        files,
        inputs: pack
            .input_files
            .iter()
            .map(|f| ManifestInput {
                name: f.name.clone(),
                kind: f.kind.clone(),
                sha256: f.sha256.clone(),
                records: f.records,
                total_minor: f.total_minor,
                source_uri: f.source.as_ref().map(|s| s.uri.clone()),
                source_version_id: f.source.as_ref().and_then(|s| s.version_id.clone()),
                copy: None,
            })
            .collect(),
    }
}

/// Reads the staged pack data (what the database gets).
pub fn staged_pack(staged: &Staged) -> Result<SignOffPack, PublishError> {
    let path = staged.dir.join(PACK_DATA_FILE);
    let bytes = std::fs::read(&path).map_err(|e| io_err("cannot read", &path, e))?;
    let sum_path = staged.dir.join(PACK_DATA_SHA256_FILE);
    let expected =
        std::fs::read_to_string(&sum_path).map_err(|e| io_err("cannot read", &sum_path, e))?;
    if hex_sha256(&bytes) != expected.trim() {
        return Err(PublishError::new(
            PublishErrorCode::Failed,
            format!(
                "{}: does not match its SHA-256 ({}); the staged publication is damaged",
                path.display(),
                sum_path.display()
            ),
        ));
    }
    serde_json::from_slice(&bytes).map_err(|e| {
        PublishError::new(PublishErrorCode::Failed, format!("{}: {e}", path.display()))
    })
}

/// Writes the staged publication to the archive: the revision claim, every file, the manifest.
pub fn archive_staged(
    archive: &mut dyn Archive,
    location: &ArchiveLocation,
    staged: &Staged,
) -> Result<usize, PublishError> {
    let m = &staged.manifest;
    let bucket = &location.bucket;
    let claim = location.claim_key(m);
    let manifest_path = staged.dir.join(MANIFEST_FILE);
    match archive.put_new(bucket, &claim, &manifest_path, &staged.manifest_sha256)? {
        Put::Created => {}
        Put::Exists { .. } => {
            let there = archive
                .get(bucket, &claim, MANIFEST_BYTES_MAX)?
                .unwrap_or_default();
            let theirs: Option<Manifest> = serde_json::from_slice(&there).ok();
            match theirs {
                Some(t) if t.content_hash == m.content_hash => {}
                Some(t) => {
                    return Err(PublishError::refused(
                        PublishedRef {
                            revision: t.revision,
                            content_hash: t.content_hash.clone(),
                            approver: t.approver.clone(),
                            approved_at: t.approved_at.clone(),
                        },
                        format!(
                            "{}: revision {} of {} {}..{} is already published with other content ({:.12}…, approved by {} at {}); a supervisor reopens the period to publish this one as revision {}",
                            location.uri(&claim),
                            t.revision,
                            m.account,
                            m.period_start,
                            m.period_end,
                            t.content_hash,
                            t.approver,
                            t.approved_at,
                            t.revision + 1
                        ),
                    ));
                }
                None => {
                    return Err(PublishError::new(
                        PublishErrorCode::Refused,
                        format!(
                            "{}: an object that is not a publication manifest holds this period's revision {} claim; nothing was overwritten",
                            location.uri(&claim),
                            m.revision
                        ),
                    ));
                }
            }
        }
    }
    let mut written = 0;
    for f in &m.files {
        let key = location.key_of(m, f);
        let path = staged.dir.join(&f.name);
        match archive.put_new(bucket, &key, &path, &f.sha256)? {
            Put::Created => written += 1,
            Put::Exists { sha256_hex } => {
                let there = match sha256_hex {
                    Some(h) => h,
                    None => hex_sha256(
                        &archive
                            .get(bucket, &key, VERIFY_BYTES_MAX)?
                            .unwrap_or_default(),
                    ),
                };
                if there != f.sha256 {
                    return Err(PublishError::new(
                        PublishErrorCode::Failed,
                        format!(
                            "{}: an object with other bytes (SHA-256 {there}) is already there; nothing was overwritten",
                            location.uri(&key)
                        ),
                    ));
                }
            }
        }
    }
    let key = location.file_key(m, MANIFEST_FILE);
    if let Put::Created = archive.put_new(bucket, &key, &manifest_path, &staged.manifest_sha256)? {
        written += 1;
    }
    Ok(written)
}

/// What checking a published revision against its manifest found.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Verified {
    pub manifest: Manifest,
    pub files: usize,
    pub bytes: u64,
}

/// Reads the revision claim of `account`'s period and checks every file it names against its
/// SHA-256 and size.
pub fn verify_archived(
    archive: &mut dyn Archive,
    location: &ArchiveLocation,
    account: &str,
    period_start: &str,
    period_end: &str,
    revision: i64,
) -> Result<Verified, PublishError> {
    let folder = location.period_folder(account, period_start, period_end);
    let claim = format!("{folder}revision-{revision}.json");
    let bytes = archive
        .get(&location.bucket, &claim, MANIFEST_BYTES_MAX)?
        .ok_or_else(|| {
            PublishError::new(
                PublishErrorCode::Failed,
                format!("{}: no such publication", location.uri(&claim)),
            )
        })?;
    let manifest: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        PublishError::new(
            PublishErrorCode::Failed,
            format!("{}: not a manifest: {e}", location.uri(&claim)),
        )
    })?;
    let mut total = 0;
    for f in &manifest.files {
        let key = location.key_of(&manifest, f);
        let body = archive
            .get(&location.bucket, &key, VERIFY_BYTES_MAX)?
            .ok_or_else(|| {
                PublishError::new(
                    PublishErrorCode::Failed,
                    format!("{}: missing", location.uri(&key)),
                )
            })?;
        let got = hex_sha256(&body);
        if got != f.sha256 || body.len() as u64 != f.size_bytes {
            return Err(PublishError::new(
                PublishErrorCode::Failed,
                format!(
                    "{}: SHA-256 {got} ({} bytes), the manifest says {} ({} bytes)",
                    location.uri(&key),
                    body.len(),
                    f.sha256,
                    f.size_bytes
                ),
            ));
        }
        total += body.len() as u64;
    }
    let mark = location.file_key(&manifest, MANIFEST_FILE);
    let marked = archive.get(&location.bucket, &mark, MANIFEST_BYTES_MAX)?;
    if marked.as_deref() != Some(bytes.as_slice()) {
        return Err(PublishError::new(
            PublishErrorCode::Failed,
            format!(
                "{}: the completion manifest is missing or differs from the claim",
                location.uri(&mark)
            ),
        ));
    }
    Ok(Verified {
        files: manifest.files.len(),
        manifest,
        bytes: total,
    })
}

/// The destinations one drain writes to.
pub struct Destinations<'a> {
    pub database: Option<&'a mut dyn ResultsDb>,
    pub archive: Option<(&'a mut dyn Archive, ArchiveLocation)>,
}

impl std::fmt::Debug for Destinations<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe().join(", "))
    }
}

impl Destinations<'_> {
    pub fn describe(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(db) = &self.database {
            out.push(db.describe());
        }
        if let Some((a, loc)) = &self.archive {
            out.push(format!("{} {}", a.describe(), loc.uri(&loc.prefix)));
        }
        out
    }

    fn required(&self) -> Vec<Destination> {
        let mut out = Vec::new();
        if self.database.is_some() {
            out.push(Destination::Database);
        }
        if self.archive.is_some() {
            out.push(Destination::Archive);
        }
        out
    }
}

/// How one drain runs.
#[derive(Clone, Debug, Default)]
pub struct DrainOptions {
    /// Unix seconds now (entries whose backoff runs past it wait).
    pub now_unix: i64,
    /// Try every waiting entry now, backoffs ignored (the person asked).
    pub now: bool,
}

/// What happened to one entry.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct EntryOutcome {
    #[ts(type = "number")]
    pub id: i64,
    #[ts(type = "number")]
    pub revision: i64,
    pub content_hash: String,
    pub published: bool,
    /// The database already had it (a retry).
    pub database_already: bool,
    /// Objects written to the archive by this attempt.
    pub archive_objects_written: usize,
    pub error: Option<String>,
    pub error_code: Option<PublishErrorCode>,
}

/// What a drain did.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct DrainReport {
    pub entries: Vec<EntryOutcome>,
    pub published: usize,
    pub failed: usize,
    /// Entries left waiting for their backoff.
    pub deferred: usize,
}

fn backoff_seconds(attempts: i64) -> i64 {
    let shift = u32::try_from(attempts.clamp(0, 10)).unwrap_or(10);
    (BACKOFF_FIRST_SECONDS << shift).min(BACKOFF_MAX_SECONDS)
}

/// Drains the outbox: every waiting entry whose backoff has passed goes through staging, the
/// database and the archive. `published_by` is who drains (recorded with the database rows).
pub fn drain(
    ws: &mut Workspace,
    destinations: &mut Destinations<'_>,
    published_by: &Principal,
    options: &DrainOptions,
    progress: &mut dyn FnMut(&str),
) -> Result<DrainReport, ApiError> {
    let required = destinations.required();
    if required.is_empty() {
        return Err(ApiError::NotAllowed(
            "nothing to publish to: set `publish.database_url` and/or `publish.archive` in the configuration file ([publish]); the outbox keeps every approval until then".into(),
        ));
    }
    if options.now {
        ws.outbox_retry_now()?;
    }
    let mut report = DrainReport::default();
    for entry in ws.outbox_entries()? {
        if entry.published_at.is_some() || entry.refused.is_some() {
            continue;
        }
        if entry.next_attempt_unix > options.now_unix {
            report.deferred += 1;
            continue;
        }
        let hash = payload(&entry).content_hash;
        let mut outcome = EntryOutcome {
            id: entry.id,
            revision: entry.revision,
            content_hash: hash.clone(),
            published: false,
            database_already: false,
            archive_objects_written: 0,
            error: None,
            error_code: None,
        };
        let result = publish_entry(
            ws,
            destinations,
            &required,
            &entry,
            published_by,
            &mut outcome,
            progress,
        );
        match result {
            Ok(published) => {
                outcome.published = published;
                if published {
                    report.published += 1;
                    progress(&format!(
                        "published approval {} (revision {}, content {:.12}…)",
                        entry.id, entry.revision, hash
                    ));
                }
            }
            Err(e) => {
                report.failed += 1;
                progress(&format!("approval {}: {e}", entry.id));
                if e.code.permanent() {
                    let record = RefusalRecord {
                        message: e.message.clone(),
                        published: e.published.clone(),
                    };
                    ws.outbox_refused(
                        entry.id,
                        e.code.as_str(),
                        &serde_json::to_string(&record).unwrap_or_default(),
                    )?;
                } else {
                    let next = options.now_unix + backoff_seconds(entry.attempts);
                    ws.outbox_failed(entry.id, e.code.as_str(), &e.message, next)?;
                }
                outcome.error = Some(e.message);
                outcome.error_code = Some(e.code);
            }
        }
        report.entries.push(outcome);
    }
    Ok(report)
}

fn publish_entry(
    ws: &mut Workspace,
    destinations: &mut Destinations<'_>,
    required: &[Destination],
    entry: &OutboxEntry,
    published_by: &Principal,
    outcome: &mut EntryOutcome,
    progress: &mut dyn FnMut(&str),
) -> Result<bool, PublishError> {
    let failed =
        |e: recon_store::StoreError| PublishError::new(PublishErrorCode::Failed, e.to_string());
    progress(&format!("staging approval {}", entry.id));
    let mut staged = stage(ws, entry)?;
    let mut published = entry.published_at.is_some();
    if let Some(db) = destinations.database.as_deref_mut()
        && entry.database_at.is_none()
    {
        progress(&format!("approval {}: {}", entry.id, db.describe()));
        let pack = match staged.pack.take() {
            Some(p) => p,
            None => staged_pack(&staged)?,
        };
        let done = db.publish(&Publication {
            manifest: &staged.manifest,
            manifest_sha256: &staged.manifest_sha256,
            pack: &pack,
            published_by: &published_by.subject,
        })?;
        outcome.database_already = matches!(done, DbOutcome::AlreadyPublished { .. });
        published = ws
            .outbox_acknowledged(entry.id, Destination::Database, required, &now_rfc3339())
            .map_err(failed)?;
    }
    if let Some((archive, location)) = destinations.archive.as_mut()
        && entry.archive_at.is_none()
    {
        progress(&format!(
            "approval {}: {}",
            entry.id,
            location.uri(&location.prefix)
        ));
        outcome.archive_objects_written = archive_staged(&mut **archive, location, &staged)?;
        published = ws
            .outbox_acknowledged(entry.id, Destination::Archive, required, &now_rfc3339())
            .map_err(failed)?;
    }
    Ok(published)
}

/// A supervisor reopens the published period: the refused approval (or the next one) is
/// published as the next revision, superseding what is published now. Audited.
pub fn reopen(
    ws: &mut Workspace,
    principal: &Principal,
    reason: &str,
) -> Result<recon_store::Reopening, ApiError> {
    let entries = ws.outbox_entries()?;
    let refused = entries
        .iter()
        .rev()
        .filter(|e| e.published_at.is_none())
        .find_map(|e| refusal_text(e).and_then(|r| r.published));
    let (revision, supersedes) = match refused {
        Some(p) => (p.revision + 1, p.content_hash),
        None => {
            let last = entries
                .iter()
                .rev()
                .find(|e| e.published_at.is_some())
                .ok_or_else(|| {
                    ApiError::NotAllowed(
                        "nothing to reopen: no approval of this period was published or refused"
                            .into(),
                    )
                })?;
            (last.revision + 1, payload(last).content_hash)
        }
    };
    Ok(ws.reopen_period(&actor(principal), revision, &supersedes, reason)?)
}

/// At most this many objects are listed under an account's archive folder.
pub const ARCHIVE_KEYS_MAX: usize = 100_000;

/// The account's revision claims in the archive: (period folder `START_END`, revision, claim's
/// last-modified Unix time), newest period first and its highest revision first.
pub(crate) fn archive_claims(
    archive: &mut dyn Archive,
    location: &ArchiveLocation,
    account: &str,
    max_keys: usize,
) -> Result<Vec<(String, i64, Option<i64>)>, PublishError> {
    let folder = format!("{}{}/", location.prefix, key_part(account));
    let keys = archive.list(&location.bucket, &folder, max_keys)?;
    let mut claims: Vec<(String, i64, Option<i64>)> = keys
        .into_iter()
        .filter_map(|(key, modified)| {
            let rest = key.strip_prefix(&folder)?;
            let (period, file) = rest.split_once('/')?;
            let n = file.strip_prefix("revision-")?.strip_suffix(".json")?;
            let revision = n.parse::<i64>().ok()?;
            Some((period.to_string(), revision, modified))
        })
        .collect();
    claims.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.cmp(&a.1)));
    Ok(claims)
}

/// A manifest as a History row; the archive does not record who published, and `published_at`
/// is the claim's time.
pub(crate) fn published_period_of(
    m: &Manifest,
    claimed_unix: Option<i64>,
    superseded: bool,
) -> PublishedPeriod {
    PublishedPeriod {
        account: m.account.clone(),
        period_start: m.period_start.clone(),
        period_end: m.period_end.clone(),
        revision: m.revision,
        content_hash: m.content_hash.clone(),
        currency: m.currency.clone(),
        exponent: m.exponent,
        preparer: m.preparer.clone(),
        approver: m.approver.clone(),
        approved_at: m.approved_at.clone(),
        published_by: String::new(),
        published_at: claimed_unix
            .and_then(|t| chrono::DateTime::from_timestamp(t, 0))
            .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
            .unwrap_or_default(),
        bank_closing_minor: m.bank_closing_minor,
        ledger_balance_minor: m.ledger_balance_minor,
        matched_items: i64::try_from(m.matched_items).unwrap_or(i64::MAX),
        open_items: i64::try_from(m.open_items).unwrap_or(i64::MAX),
        superseded,
    }
}

/// The account's published periods as the archive knows them (every revision claim's manifest),
/// newest first: the History of periods no longer in the database, or of a team without one.
pub fn history_from_archive(
    archive: &mut dyn Archive,
    location: &ArchiveLocation,
    account: &str,
    limit: usize,
) -> Result<Vec<PublishedPeriod>, PublishError> {
    let folder = format!("{}{}/", location.prefix, key_part(account));
    let claims = archive_claims(archive, location, account, ARCHIVE_KEYS_MAX)?;
    let mut out = Vec::new();
    for (period, revision, modified) in claims.iter().take(limit) {
        let key = format!("{folder}{period}/revision-{revision}.json");
        let Some(bytes) = archive.get(&location.bucket, &key, MANIFEST_BYTES_MAX)? else {
            continue;
        };
        let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
            PublishError::new(
                PublishErrorCode::Failed,
                format!("{}: not a publication manifest: {e}", location.uri(&key)),
            )
        })?;
        let superseded = claims.iter().any(|(p, r, _)| p == period && r > revision);
        out.push(published_period_of(&m, *modified, superseded));
    }
    Ok(out)
}

/// The account's published periods from the results database, newest first.
pub fn history(
    db: &mut dyn ResultsDb,
    account: &str,
) -> Result<Vec<PublishedPeriod>, PublishError> {
    db.history(account, HISTORY_PERIODS_MAX)
}

impl From<PublishError> for ApiError {
    fn from(e: PublishError) -> ApiError {
        ApiError::Publish(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_locations_read_bucket_and_prefix_and_refuse_placeholders() {
        let l = ArchiveLocation::parse("s3://acme-recon/published").unwrap();
        assert_eq!(l.bucket, "acme-recon");
        assert_eq!(l.prefix, "published/");
        assert_eq!(
            ArchiveLocation::parse("s3://acme-recon").unwrap().prefix,
            ""
        );
        assert!(ArchiveLocation::parse("s3://acme-recon/{account}/").is_err());
        assert!(ArchiveLocation::parse("https://acme-recon/").is_err());
        assert!(ArchiveLocation::parse("s3://Acme/").is_err());
    }

    #[test]
    fn backoff_doubles_to_its_ceiling() {
        assert_eq!(backoff_seconds(0), 15);
        assert_eq!(backoff_seconds(1), 30);
        assert_eq!(backoff_seconds(5), 480);
        assert_eq!(backoff_seconds(6), 900);
        assert_eq!(backoff_seconds(1_000), 900);
        assert_eq!(backoff_seconds(-3), 15);
    }

    #[test]
    fn account_numbers_become_key_segments() {
        assert_eq!(key_part("NL91ABNA0417164300"), "NL91ABNA0417164300");
        assert_eq!(key_part("12 34/56"), "12_34_56");
    }

    #[test]
    fn error_codes_round_trip_and_refusals_are_permanent() {
        for c in [
            PublishErrorCode::NotConfigured,
            PublishErrorCode::Unreachable,
            PublishErrorCode::Tls,
            PublishErrorCode::AuthFailed,
            PublishErrorCode::AccessDenied,
            PublishErrorCode::CredentialsExpired,
            PublishErrorCode::SchemaMissing,
            PublishErrorCode::Refused,
            PublishErrorCode::Stale,
            PublishErrorCode::Failed,
        ] {
            assert_eq!(PublishErrorCode::parse(c.as_str()), c);
        }
        assert!(PublishErrorCode::Refused.permanent());
        assert!(!PublishErrorCode::Unreachable.permanent());
    }
}
