//! The statement inbox (issue 17): bank statement files and ledger extracts delivered into an
//! object store (S3) are found, fetched resumably, verified and imported with their provenance.
//!
//! [`StatementSource`] is the port: the S3 adapter (`recon-s3`) implements it with the AWS SDK;
//! this module owns what is done with it. A pull lists every configured prefix of the
//! workspace's account and period, remembers what it saw (the inbox shows it offline), and takes
//! each object that is not imported yet on its own: `HeadObject` (size checked against the
//! import limits before any byte is fetched), a download into `<workspace>/inbox/*.part`
//! (resumed after a cut or a kill with ranged requests pinned to the ETag, verified against the
//! object's checksum by the adapter), then one import transaction that also records the object's
//! bucket, key, version id, ETag, size and how it was verified. A new version of an object
//! already imported is a corrected statement and goes through the audited replacement. Failure is
//! per file: its status and error stay with it, the others proceed, and the next pull tries it
//! again.

use crate::workspace::{actor, now_rfc3339};
use crate::{ApiError, ErrorCode, ImportOptions, InputFile, import_statement_files};
use recon_formats::{Limits, Severity};
use recon_model::Date;
use recon_review::Principal;
use recon_store::{FileRecord, FileSource, SeenObject, StoreErrorKind, Workspace};
use serde::Serialize;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use ts_rs::TS;

/// At most this many objects are listed under one prefix (a bank's month of files is hundreds).
pub const LIST_OBJECTS_MAX: usize = 100_000;
/// At most this many files are fetched by one pull; the next pull takes the rest.
pub const PULL_FILES_MAX: usize = 5_000;
/// At most this many files are returned by [`view`] (the app's panel); the counts cover all.
pub const VIEW_FILES_MAX: usize = 2_000;
/// The inbox's folder inside the workspace directory: partial downloads.
pub const INBOX_DIR: &str = "inbox";

/// What an object is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ObjectKind {
    Statement,
    Ledger,
}

impl ObjectKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ObjectKind::Statement => "statement",
            ObjectKind::Ledger => "ledger",
        }
    }
}

/// Where the files are: `s3://bucket/prefix` templates with `{account}`, `{bank}`, `{yyyy}`,
/// `{mm}` (from the configuration file's `[inbox]` section).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InboxConfig {
    /// Statement files, e.g. `s3://acme-bank-statements/{bank}/{account}/{yyyy}/{mm}/`.
    pub statements: Option<String>,
    /// Ledger extracts, e.g. `s3://acme-ledger-extracts/{account}/{yyyy}/{mm}/`.
    pub ledger: Option<String>,
    /// `{bank}` per account: (account, bank).
    pub banks: Vec<(String, String)>,
    /// Minutes between automatic pulls in the app; 0 = only on opening and on demand.
    pub interval_minutes: u32,
}

impl InboxConfig {
    pub fn configured(&self) -> bool {
        self.statements.is_some() || self.ledger.is_some()
    }
}

/// One prefix to list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Location {
    pub kind: ObjectKind,
    pub bucket: String,
    pub prefix: String,
}

impl Location {
    pub fn uri(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.prefix)
    }
}

const PLACEHOLDERS: [&str; 4] = ["{account}", "{bank}", "{yyyy}", "{mm}"];

/// Checks a location template: `s3://bucket/...`, a valid bucket name, known placeholders only.
pub fn check_template(template: &str) -> Result<(), String> {
    let rest = template
        .strip_prefix("s3://")
        .ok_or_else(|| format!("{template:?} must start with s3://"))?;
    let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
    let bucket_ok = (3..=63).contains(&bucket.len())
        && bucket
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '.')
        && !bucket.starts_with(['-', '.'])
        && !bucket.ends_with(['-', '.']);
    if !bucket_ok {
        return Err(format!(
            "{template:?}: {bucket:?} is not an S3 bucket name (3 to 63 lowercase letters, digits, '-' and '.')"
        ));
    }
    let mut rest = prefix;
    while let Some(open) = rest.find('{') {
        let close = rest[open..]
            .find('}')
            .ok_or_else(|| format!("{template:?}: unclosed '{{'"))?;
        let name = &rest[open..open + close + 1];
        if !PLACEHOLDERS.contains(&name) {
            return Err(format!(
                "{template:?}: unknown placeholder {name}; known: {}",
                PLACEHOLDERS.join(" ")
            ));
        }
        rest = &rest[open + close + 1..];
    }
    Ok(())
}

/// The prefixes to list for a workspace's account and period (one per month of the period, or
/// from `since`'s month when it is earlier), statements first.
pub fn locations(
    config: &InboxConfig,
    account: &str,
    period_start: Date,
    period_end: Date,
    since: Option<Date>,
) -> Result<Vec<Location>, ApiError> {
    use chrono::Datelike;
    let invalid = |m: String| ApiError::Identity {
        code: ErrorCode::ConfigInvalid,
        message: m,
    };
    let mut out = Vec::new();
    let from = since.map_or(period_start, |s| s.min(period_start));
    for (kind, template) in [
        (ObjectKind::Statement, &config.statements),
        (ObjectKind::Ledger, &config.ledger),
    ] {
        let Some(template) = template else { continue };
        check_template(template).map_err(|m| invalid(format!("inbox.{}: {m}", kind.as_str())))?;
        let bank = config
            .banks
            .iter()
            .find(|(a, _)| a == account)
            .map(|(_, b)| b.as_str());
        if template.contains("{bank}") && bank.is_none() {
            return Err(invalid(format!(
                "inbox.{}: {template:?} names {{bank}}, but inbox.banks has no entry \"{account}=<bank>\" for this workspace's account",
                kind.as_str()
            )));
        }
        let mut month = (from.year(), from.month());
        let last = (period_end.year(), period_end.month());
        let monthly = template.contains("{yyyy}") || template.contains("{mm}");
        loop {
            let text = template
                .replace("{account}", account)
                .replace("{bank}", bank.unwrap_or(""))
                .replace("{yyyy}", &format!("{:04}", month.0))
                .replace("{mm}", &format!("{:02}", month.1));
            let rest = &text["s3://".len()..];
            let (bucket, prefix) = rest.split_once('/').unwrap_or((rest, ""));
            let location = Location {
                kind,
                bucket: bucket.to_string(),
                prefix: prefix.to_string(),
            };
            if !out.contains(&location) {
                out.push(location);
            }
            if !monthly || month >= last || out.len() > 240 {
                break;
            }
            month = if month.1 == 12 {
                (month.0 + 1, 1)
            } else {
                (month.0, month.1 + 1)
            };
        }
    }
    Ok(out)
}

/// A checksum the store keeps for an object (base64 of the digest, as S3 sends it).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ObjectChecksum {
    /// "sha256", "sha1", "crc32", "crc32c", "crc64nvme".
    pub algorithm: String,
    pub base64: String,
    /// False for a multipart upload's checksum of checksums, which the whole file cannot match.
    pub full_object: bool,
}

/// An object as the store describes it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RemoteObject {
    pub bucket: String,
    pub key: String,
    /// With its quotes stripped.
    pub etag: String,
    pub size_bytes: u64,
    /// Unix seconds.
    pub last_modified: Option<i64>,
    /// Known from `HeadObject` (a listing of current versions does not carry it).
    pub version_id: Option<String>,
    pub checksum: Option<ObjectChecksum>,
}

impl RemoteObject {
    pub fn uri(&self) -> String {
        format!("s3://{}/{}", self.bucket, self.key)
    }
}

/// Why a file could not be brought in (stable codes, shown per file).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InboxError {
    /// The signed-in role may not read it (IAM, bucket policy).
    AccessDenied,
    NoSuchBucket,
    /// Deleted since it was listed.
    NotFound,
    /// The AWS credentials expired or were refused; sign in again.
    CredentialsExpired,
    /// The store kept asking to slow down after the SDK's retries.
    Throttled,
    /// The store could not be reached (offline, DNS, TLS, timeouts).
    Unreachable,
    /// The connection broke or stalled more often than the download retries allow.
    Interrupted,
    /// The object changed while it was being fetched (ETag no longer matches).
    Changed,
    /// The bytes do not match the object's checksum (nothing imported; the next pull fetches
    /// them again).
    ChecksumMismatch,
    /// Over the import size limit: not fetched.
    TooLarge,
    /// Fetched, but the importer refused the file (the message says where).
    RejectedFormat,
    /// A new version of an imported statement whose lines are matched: unmatch, then pull again.
    ReplacementBlocked,
    /// Anything else (the message says what).
    Failed,
}

impl InboxError {
    pub fn as_str(self) -> &'static str {
        match self {
            InboxError::AccessDenied => "access_denied",
            InboxError::NoSuchBucket => "no_such_bucket",
            InboxError::NotFound => "not_found",
            InboxError::CredentialsExpired => "credentials_expired",
            InboxError::Throttled => "throttled",
            InboxError::Unreachable => "unreachable",
            InboxError::Interrupted => "interrupted",
            InboxError::Changed => "changed",
            InboxError::ChecksumMismatch => "checksum_mismatch",
            InboxError::TooLarge => "too_large",
            InboxError::RejectedFormat => "rejected_format",
            InboxError::ReplacementBlocked => "replacement_blocked",
            InboxError::Failed => "failed",
        }
    }

    pub fn parse(text: &str) -> InboxError {
        [
            InboxError::AccessDenied,
            InboxError::NoSuchBucket,
            InboxError::NotFound,
            InboxError::CredentialsExpired,
            InboxError::Throttled,
            InboxError::Unreachable,
            InboxError::Interrupted,
            InboxError::Changed,
            InboxError::ChecksumMismatch,
            InboxError::TooLarge,
            InboxError::RejectedFormat,
            InboxError::ReplacementBlocked,
        ]
        .into_iter()
        .find(|e| e.as_str() == text)
        .unwrap_or(InboxError::Failed)
    }
}

/// A failure of the store, with what and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourceError {
    pub code: InboxError,
    pub message: String,
}

impl SourceError {
    pub fn new(code: InboxError, message: impl Into<String>) -> SourceError {
        SourceError {
            code,
            message: message.into(),
        }
    }
}

/// What a completed fetch did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fetched {
    /// What vouched for the bytes: "sha256 checksum", "crc64nvme checksum", "etag md5", or
    /// "size only" (a multipart upload without a full-object checksum).
    pub verified_by: String,
    /// Bytes that were already in the partial file when this fetch began.
    pub resumed_from_bytes: u64,
    /// Requests made (1 without cuts).
    pub requests: u32,
}

/// The object-store port. Implementations are synchronous for the caller (the S3 adapter runs
/// its own tokio runtime) and put a limit on everything (listing size, retries, stall time).
pub trait StatementSource: Send {
    /// "S3 at https://s3.eu-west-1.amazonaws.com (role recon-clerk)".
    fn describe(&self) -> String;
    /// The current objects under `location`, paginated, at most `max_objects`.
    fn list(
        &mut self,
        location: &Location,
        max_objects: usize,
    ) -> Result<Vec<RemoteObject>, SourceError>;
    /// The object's current metadata: version id, ETag, size, checksum.
    fn head(&mut self, bucket: &str, key: &str) -> Result<RemoteObject, SourceError>;
    /// Brings the object's bytes into `part`: resumes from the bytes already there (ranged
    /// requests pinned to `object.etag` and version), retries cuts and stalls within bounds,
    /// and verifies the whole file against the object's checksum (else the ETag of a
    /// single-part upload). On a mismatch `part` is removed. `progress` gets the bytes so far.
    fn fetch(
        &mut self,
        object: &RemoteObject,
        part: &Path,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Fetched, SourceError>;
}

/// A file's status in the inbox.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InboxStatus {
    New,
    Imported,
    Failed,
}

/// One file of the inbox, as the CLI and the app show it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InboxFile {
    pub uri: String,
    pub bucket: String,
    pub key: String,
    pub kind: ObjectKind,
    pub status: InboxStatus,
    pub size_bytes: u64,
    pub etag: String,
    pub version_id: Option<String>,
    /// RFC 3339 UTC.
    pub last_modified: Option<String>,
    pub error: Option<InboxError>,
    pub message: Option<String>,
    pub attempts: u32,
    /// SHA-256 (hex) of the imported bytes.
    pub sha256: Option<String>,
    pub last_seen_at: String,
}

/// When a prefix was last listed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InboxLocation {
    pub uri: String,
    pub scanned_at: String,
    pub objects: u64,
    pub error: Option<String>,
}

/// The inbox as last seen (works offline: it is read from the workspace).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InboxView {
    /// Whether `[inbox]` is configured at all.
    pub configured: bool,
    pub locations: Vec<InboxLocation>,
    /// Failed first, then new, then imported; at most [`VIEW_FILES_MAX`].
    pub files: Vec<InboxFile>,
    pub new_files: u64,
    pub imported_files: u64,
    pub failed_files: u64,
    /// Minutes between automatic pulls in the app (0: none).
    pub interval_minutes: u32,
}

/// A pull's progress, for a progress bar.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct InboxProgress {
    pub phase: InboxPhase,
    /// 1-based index of the file being fetched, of `files`.
    pub file: u32,
    pub files: u32,
    pub uri: String,
    pub bytes: u64,
    pub size_bytes: u64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum InboxPhase {
    Listing,
    Downloading,
    Importing,
}

/// What one pull did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct PullReport {
    pub imported: u32,
    pub failed: u32,
    /// Imported files that replaced an earlier version of a statement.
    pub replaced: u32,
    /// Files not tried this time (over [`PULL_FILES_MAX`], or before `--since`).
    pub left: u32,
    pub bytes_downloaded: u64,
    /// The files tried, in order, with their status after the pull.
    pub tried: Vec<InboxFile>,
    /// Listing errors (per prefix); the other prefixes proceeded.
    pub listing_errors: Vec<String>,
    pub view: InboxView,
}

/// What a pull takes.
#[derive(Clone, Debug, Default)]
pub struct PullOptions {
    /// Only objects modified on or after this date.
    pub since: Option<Date>,
    pub import: ImportOptions,
}

fn period(ws: &Workspace) -> Result<(Date, Date), ApiError> {
    let info = ws.info();
    let parse = |t: &str| {
        t.parse::<Date>()
            .map_err(|_| ApiError::InvalidArgument(format!("workspace period date {t:?}")))
    };
    Ok((parse(&info.period_start)?, parse(&info.period_end)?))
}

fn rfc3339(unix: i64) -> String {
    crate::identity::rfc3339(unix)
}

/// The objects a listing found (with their kind) and its errors, one per prefix that failed.
pub type Found = (Vec<(ObjectKind, RemoteObject)>, Vec<String>);

/// What one listing of the configured prefixes found, before it is recorded: made without the
/// workspace, so a shell can list with its workspace free for other work.
#[derive(Debug)]
pub struct Listing {
    /// Per prefix: when it was listed, and the objects or the error.
    pub results: Vec<(Location, String, Result<Vec<RemoteObject>, SourceError>)>,
}

/// The prefixes of a workspace's account and period.
pub fn workspace_locations(
    ws: &Workspace,
    config: &InboxConfig,
    since: Option<Date>,
) -> Result<Vec<Location>, ApiError> {
    let (start, end) = period(ws)?;
    locations(config, &ws.info().account, start, end, since)
}

/// Lists `locations` (no workspace involved).
pub fn list(source: &mut dyn StatementSource, locations: Vec<Location>) -> Listing {
    Listing {
        results: locations
            .into_iter()
            .map(|location| {
                let at = now_rfc3339();
                let result = source.list(&location, LIST_OBJECTS_MAX);
                (location, at, result)
            })
            .collect(),
    }
}

/// Remembers what a listing saw; returns the objects found and the listing errors.
pub fn record(ws: &mut Workspace, listing: Listing) -> Result<Found, ApiError> {
    let mut found = Vec::new();
    let mut errors = Vec::new();
    for (location, at, result) in listing.results {
        match result {
            Ok(objects) => {
                let seen: Vec<SeenObject> = objects
                    .iter()
                    .map(|o| SeenObject {
                        bucket: o.bucket.clone(),
                        key: o.key.clone(),
                        etag: o.etag.clone(),
                        kind: location.kind.as_str(),
                        size_bytes: o.size_bytes,
                        last_modified: o.last_modified.map(rfc3339),
                    })
                    .collect();
                ws.inbox_seen(&location.uri(), &at, &seen, None)?;
                found.extend(objects.into_iter().map(|o| (location.kind, o)));
            }
            Err(e) => {
                let message = format!("{}: {}", location.uri(), e.message);
                ws.inbox_seen(&location.uri(), &at, &[], Some(&message))?;
                errors.push(message);
            }
        }
    }
    Ok((found, errors))
}

/// Lists every configured prefix and remembers what it saw. Listing errors are per prefix.
pub fn scan(
    ws: &mut Workspace,
    source: &mut dyn StatementSource,
    config: &InboxConfig,
    since: Option<Date>,
) -> Result<Found, ApiError> {
    let locations = workspace_locations(ws, config, since)?;
    let listing = list(source, locations);
    record(ws, listing)
}

/// The inbox as the workspace remembers it (no network).
pub fn view(ws: &Workspace, config: &InboxConfig) -> Result<InboxView, ApiError> {
    let mut rows = ws.inbox_objects()?;
    // One row per object: the latest ETag seen (older versions stay in the table as history).
    rows.sort_by(|a, b| {
        (&a.bucket, &a.key, &b.last_seen_at, &b.first_seen_at).cmp(&(
            &b.bucket,
            &b.key,
            &a.last_seen_at,
            &a.first_seen_at,
        ))
    });
    rows.dedup_by(|b, a| a.bucket == b.bucket && a.key == b.key);
    let mut files: Vec<InboxFile> = rows.into_iter().map(inbox_file).collect();
    let count = |s: InboxStatus| files.iter().filter(|f| f.status == s).count() as u64;
    let (new_files, imported_files, failed_files) = (
        count(InboxStatus::New),
        count(InboxStatus::Imported),
        count(InboxStatus::Failed),
    );
    let rank = |s: InboxStatus| match s {
        InboxStatus::Failed => 0,
        InboxStatus::New => 1,
        InboxStatus::Imported => 2,
    };
    files.sort_by(|a, b| {
        (rank(a.status), a.kind.as_str(), &a.key).cmp(&(rank(b.status), b.kind.as_str(), &b.key))
    });
    files.truncate(VIEW_FILES_MAX);
    Ok(InboxView {
        configured: config.configured(),
        locations: ws
            .inbox_scans()?
            .into_iter()
            .map(|s| InboxLocation {
                uri: s.location,
                scanned_at: s.scanned_at,
                objects: s.objects,
                error: s.error,
            })
            .collect(),
        files,
        new_files,
        imported_files,
        failed_files,
        interval_minutes: config.interval_minutes,
    })
}

fn inbox_file(r: recon_store::InboxObjectRow) -> InboxFile {
    InboxFile {
        uri: format!("s3://{}/{}", r.bucket, r.key),
        status: match r.status.as_str() {
            "imported" => InboxStatus::Imported,
            "failed" => InboxStatus::Failed,
            _ => InboxStatus::New,
        },
        kind: if r.kind == "ledger" {
            ObjectKind::Ledger
        } else {
            ObjectKind::Statement
        },
        bucket: r.bucket,
        key: r.key,
        size_bytes: r.size_bytes,
        etag: r.etag,
        version_id: r.version_id,
        last_modified: r.last_modified,
        error: r.error_code.as_deref().map(InboxError::parse),
        message: r.message,
        attempts: r.attempts,
        sha256: r.imported_sha256,
        last_seen_at: r.last_seen_at,
    }
}

/// Where an object's partial download lives: `<workspace>/inbox/<hash of bucket, key, ETag>.part`.
pub fn part_path(ws_dir: &Path, object: &RemoteObject) -> PathBuf {
    let mut h = Sha256::new();
    for part in [&object.bucket, &object.key, &object.etag] {
        h.update(part.as_bytes());
        h.update([0]);
    }
    let hex = recon_review::hex(&h.finalize());
    ws_dir.join(INBOX_DIR).join(format!("{}.part", &hex[..32]))
}

/// Lists, then fetches and imports every object not imported yet (statements first, in key
/// order), each on its own. `progress` is called as it goes.
pub fn pull(
    ws: &mut Workspace,
    principal: &Principal,
    source: &mut dyn StatementSource,
    config: &InboxConfig,
    options: &PullOptions,
    progress: &mut dyn FnMut(&InboxProgress),
) -> Result<PullReport, ApiError> {
    if !config.configured() {
        return Err(ApiError::Identity {
            code: ErrorCode::ConfigInvalid,
            message: "no inbox configured: set inbox.statements (and inbox.ledger) in the configuration file, e.g. statements = \"s3://acme-bank-statements/{account}/{yyyy}/{mm}/\"".into(),
        });
    }
    progress(&InboxProgress {
        phase: InboxPhase::Listing,
        file: 0,
        files: 0,
        uri: String::new(),
        bytes: 0,
        size_bytes: 0,
    });
    let (found, listing_errors) = scan(ws, source, config, options.since)?;
    let since = options.since.map(|d| {
        d.and_hms_opt(0, 0, 0)
            .map(|t| t.and_utc().timestamp())
            .unwrap_or(0)
    });
    let mut todo = Vec::new();
    let mut left = 0u32;
    for (kind, object) in found {
        if ws
            .imported_object(&object.bucket, &object.key, &object.etag)?
            .is_some()
        {
            remove_part(ws.dir(), &object);
            continue;
        }
        if since.is_some_and(|s| object.last_modified.is_some_and(|m| m < s)) {
            left += 1;
            continue;
        }
        todo.push((kind, object));
    }
    // Statements first (a ledger extract may settle nothing until its statements are in).
    todo.sort_by(|a, b| {
        (a.0 == ObjectKind::Ledger, &a.1.key).cmp(&(b.0 == ObjectKind::Ledger, &b.1.key))
    });
    if todo.len() > PULL_FILES_MAX {
        left += (todo.len() - PULL_FILES_MAX) as u32;
        todo.truncate(PULL_FILES_MAX);
    }
    let mut report = PullReport {
        imported: 0,
        failed: 0,
        replaced: 0,
        left,
        bytes_downloaded: 0,
        tried: Vec::new(),
        listing_errors,
        // Filled once the files are tried.
        view: InboxView::default(),
    };
    let files = todo.len() as u32;
    let limits = options.import.parse.limits.clone();
    let import = crate::workspace::with_known_closings(ws, &options.import)?;
    let ws_dir = ws.dir().to_path_buf();
    // Two stages, overlapped: a fetching thread brings file k+1 in (HeadObject, download, verify,
    // SHA-256, parse) while this thread imports file k into the workspace. The fetcher starts a
    // file only once the importer has taken the one before, so at most two files are in memory.
    // Everything the workspace records happens here, in listing order.
    std::thread::scope(|scope| -> Result<(), ApiError> {
        let (to_import, prepared) = std::sync::mpsc::channel::<Stage>();
        let (permit, permits) = std::sync::mpsc::sync_channel::<()>(1);
        let (limits, import, ws_dir) = (&limits, &import, &ws_dir);
        scope.spawn(move || {
            for (n, (kind, listed)) in todo.into_iter().enumerate() {
                if n > 0 && permits.recv().is_err() {
                    return; // the importer stopped
                }
                let file = n as u32 + 1;
                let events = to_import.clone();
                let mut progress = |phase, uri: &str, bytes, size_bytes| {
                    let _ = events.send(Stage::Progress(InboxProgress {
                        phase,
                        file,
                        files,
                        uri: uri.to_string(),
                        bytes,
                        size_bytes,
                    }));
                };
                let fetched = prepare(source, ws_dir, kind, &listed, limits, import, &mut progress);
                let stage = Stage::Prepared(Box::new((file, kind, listed, fetched)));
                if to_import.send(stage).is_err() {
                    return;
                }
            }
        });
        // Ends when the fetcher has sent its last file (its senders are gone).
        for stage in prepared {
            let (file, kind, listed, fetched) = match stage {
                Stage::Progress(p) => {
                    progress(&p);
                    continue;
                }
                Stage::Prepared(fetched) => *fetched,
            };
            // The fetcher may start the next file while this one is imported.
            let _ = permit.try_send(());
            let uri = listed.uri();
            progress(&InboxProgress {
                phase: InboxPhase::Importing,
                file,
                files,
                uri: uri.clone(),
                bytes: listed.size_bytes,
                size_bytes: listed.size_bytes,
            });
            match import_one(ws, principal, kind, &listed, fetched) {
                Ok(done) => {
                    report.imported += 1;
                    report.replaced += u32::from(done.replaced);
                    report.bytes_downloaded += done.bytes_downloaded;
                }
                Err(Failure::File(e, etag)) => {
                    report.failed += 1;
                    ws.inbox_mark(
                        &listed.bucket,
                        &listed.key,
                        &etag,
                        "failed",
                        Some((e.code.as_str(), &e.message)),
                        None,
                    )?;
                }
                Err(Failure::Workspace(e)) => return Err(e),
            }
            if let Some(row) = ws.inbox_object(&listed.bucket, &listed.key)? {
                report.tried.push(inbox_file(row));
            }
        }
        Ok(())
    })?;
    report.view = view(ws, config)?;
    Ok(report)
}

/// What the fetching thread sends the importing one: progress, or a file (its 1-based number,
/// kind and listing) with what fetching it gave.
enum Stage {
    Progress(InboxProgress),
    Prepared(Box<(u32, ObjectKind, RemoteObject, Result<Prepared, Failure>)>),
}

/// Why one file did not come in: its own failure (recorded, the pull goes on) or the
/// workspace's (the pull stops: nothing else can be stored either).
enum Failure {
    /// The error and the ETag it concerns.
    File(SourceError, String),
    Workspace(ApiError),
}

impl From<ApiError> for Failure {
    fn from(e: ApiError) -> Failure {
        Failure::Workspace(e)
    }
}

impl From<recon_store::StoreError> for Failure {
    fn from(e: recon_store::StoreError) -> Failure {
        Failure::Workspace(e.into())
    }
}

/// One file fetched, verified and read, ready for its import transaction.
struct Prepared {
    /// The object as `HeadObject` found it (its ETag may differ from the listing's).
    object: RemoteObject,
    /// The downloaded bytes read, or why not (the object is known, so its failure is recorded
    /// against this version).
    read: Result<Read, SourceError>,
}

struct Read {
    record: FileRecord,
    content: Content,
    resumed_from_bytes: u64,
}

enum Content {
    Statements(Vec<recon_model::Statement>),
    Ledger(Vec<recon_model::LedgerEntry>),
}

struct PulledFile {
    replaced: bool,
    bytes_downloaded: u64,
}

fn remove_part(ws_dir: &Path, object: &RemoteObject) {
    let _ = std::fs::remove_file(part_path(ws_dir, object));
}

/// The fetching stage (no workspace access): `HeadObject`, the size limit, the resumable
/// download and its verification (the adapter), the SHA-256 of the bytes and the parse.
fn prepare(
    source: &mut dyn StatementSource,
    ws_dir: &Path,
    kind: ObjectKind,
    listed: &RemoteObject,
    limits: &Limits,
    import: &ImportOptions,
    progress: &mut dyn FnMut(InboxPhase, &str, u64, u64),
) -> Result<Prepared, Failure> {
    let object = source
        .head(&listed.bucket, &listed.key)
        .map_err(|e| Failure::File(e, listed.etag.clone()))?;
    let read = read_object(source, ws_dir, kind, &object, limits, import, progress)?;
    Ok(Prepared { object, read })
}

fn read_object(
    source: &mut dyn StatementSource,
    ws_dir: &Path,
    kind: ObjectKind,
    object: &RemoteObject,
    limits: &Limits,
    import: &ImportOptions,
    progress: &mut dyn FnMut(InboxPhase, &str, u64, u64),
) -> Result<Result<Read, SourceError>, ApiError> {
    let uri = object.uri();
    if object.size_bytes > limits.max_file_bytes {
        return Ok(Err(SourceError::new(
            InboxError::TooLarge,
            format!(
                "{uri}: {} bytes, over the import limit of {} bytes; not fetched",
                object.size_bytes, limits.max_file_bytes
            ),
        )));
    }
    let part = part_path(ws_dir, object);
    if let Some(dir) = part.parent() {
        std::fs::create_dir_all(dir).map_err(|source| ApiError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
    }
    let size = object.size_bytes;
    progress(InboxPhase::Downloading, &uri, 0, size);
    let fetched = match source.fetch(object, &part, &mut |bytes| {
        progress(InboxPhase::Downloading, &uri, bytes, size)
    }) {
        Ok(fetched) => fetched,
        Err(e) => return Ok(Err(e)),
    };
    let bytes = std::fs::read(&part).map_err(|source| ApiError::Read {
        path: part.clone(),
        source,
    })?;
    if bytes.len() as u64 != object.size_bytes {
        remove_part(ws_dir, object);
        return Ok(Err(SourceError::new(
            InboxError::ChecksumMismatch,
            format!(
                "{uri}: {} bytes fetched, the object has {}",
                bytes.len(),
                object.size_bytes
            ),
        )));
    }
    let source = FileSource {
        bucket: object.bucket.clone(),
        key: object.key.clone(),
        version_id: object.version_id.clone(),
        etag: object.etag.clone(),
        size_bytes: object.size_bytes,
        verified_by: fetched.verified_by.clone(),
        fetched_at: now_rfc3339(),
    };
    let input = InputFile { name: uri, bytes };
    let (sha256_hex, content) = match kind {
        ObjectKind::Statement => {
            let report = import_statement_files(std::slice::from_ref(&input), import);
            if report.statements.is_empty()
                && let Some(e) = report.issues.iter().find(|i| i.severity == Severity::Error)
            {
                return Ok(Err(rejected(e.message.clone())));
            }
            // The parse hashed the bytes already.
            let sha256_hex = match report.files.first() {
                Some(digest) => digest.sha256_hex.clone(),
                None => recon_review::hex(&Sha256::digest(&input.bytes)),
            };
            (sha256_hex, Content::Statements(report.statements))
        }
        ObjectKind::Ledger => {
            match crate::import_ledger_files(std::slice::from_ref(&input), None, limits) {
                Ok(entries) => (
                    recon_review::hex(&Sha256::digest(&input.bytes)),
                    Content::Ledger(entries),
                ),
                Err(e) => return Ok(Err(rejected(e.to_string()))),
            }
        }
    };
    let record = FileRecord {
        contents: matches!(kind, ObjectKind::Statement).then(|| input.bytes.into()),
        name: input.name,
        sha256_hex,
        source: Some(source),
    };
    Ok(Ok(Read {
        record,
        content,
        resumed_from_bytes: fetched.resumed_from_bytes,
    }))
}

/// The importing stage: records what `HeadObject` found, then imports the file in one
/// transaction (a new version of an imported object through the audited replacement).
fn import_one(
    ws: &mut Workspace,
    principal: &Principal,
    kind: ObjectKind,
    listed: &RemoteObject,
    prepared: Result<Prepared, Failure>,
) -> Result<PulledFile, Failure> {
    let Prepared { object, read } = prepared?;
    let uri = listed.uri();
    if object.etag != listed.etag {
        // Replaced since the listing: remember this version too, and fetch it.
        ws.inbox_add(
            &SeenObject {
                bucket: object.bucket.clone(),
                key: object.key.clone(),
                etag: object.etag.clone(),
                kind: kind.as_str(),
                size_bytes: object.size_bytes,
                last_modified: object.last_modified.map(rfc3339),
            },
            &now_rfc3339(),
        )?;
    }
    let file_error = |e: SourceError| Failure::File(e, object.etag.clone());
    ws.inbox_mark(
        &object.bucket,
        &object.key,
        &object.etag,
        "new",
        None,
        object.version_id.as_deref(),
    )?;
    let Read {
        record,
        content,
        resumed_from_bytes,
    } = read.map_err(file_error)?;
    let previous = ws.latest_source(&object.bucket, &object.key)?;
    let mut replaced = false;
    let result = match content {
        Content::Statements(statements) => match (&previous, statements.as_slice()) {
            (Some(prev), [statement]) => {
                let reason = format!(
                    "new version of {uri} in the statement bucket (version {}, ETag {}; replaces version {}, ETag {})",
                    object.version_id.as_deref().unwrap_or("-"),
                    object.etag,
                    prev.version_id.as_deref().unwrap_or("-"),
                    prev.etag
                );
                match ws.replace_statement(&actor(principal), &record, statement, &reason) {
                    Ok(outcome) => {
                        replaced = true;
                        Ok(outcome)
                    }
                    Err(e) if e.kind() == StoreErrorKind::NotFound => {
                        ws.import_statements(&actor(principal), &record, &statements)
                    }
                    Err(e) if e.kind() == StoreErrorKind::Conflict => {
                        return Err(file_error(SourceError::new(
                            InboxError::ReplacementBlocked,
                            format!("{uri}: {e}"),
                        )));
                    }
                    Err(e) => Err(e),
                }
            }
            _ => ws.import_statements(&actor(principal), &record, &statements),
        },
        Content::Ledger(entries) => ws.import_ledger(&actor(principal), &record, &entries),
    };
    let outcome = result?;
    if !outcome.skipped.is_empty() {
        ws.inbox_note(
            &object.bucket,
            &object.key,
            &object.etag,
            &outcome.skipped.join("; "),
        )?;
    }
    remove_part(ws.dir(), &object);
    Ok(PulledFile {
        replaced,
        bytes_downloaded: object.size_bytes - resumed_from_bytes,
    })
}

fn rejected(message: String) -> SourceError {
    SourceError::new(InboxError::RejectedFormat, message)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(t: &str) -> Date {
        t.parse().unwrap()
    }

    #[test]
    fn templates_expand_per_month_of_the_period() {
        let config = InboxConfig {
            statements: Some("s3://acme-bank-statements/{bank}/{account}/{yyyy}/{mm}/".into()),
            ledger: Some("s3://acme-ledger/{account}/".into()),
            banks: vec![("NL91".into(), "abn".into())],
            interval_minutes: 0,
        };
        let l = locations(&config, "NL91", d("2026-11-01"), d("2026-11-30"), None).unwrap();
        let uris: Vec<String> = l.iter().map(Location::uri).collect();
        assert_eq!(
            uris,
            [
                "s3://acme-bank-statements/abn/NL91/2026/11/",
                "s3://acme-ledger/NL91/"
            ]
        );
        let l = locations(
            &config,
            "NL91",
            d("2026-11-01"),
            d("2026-11-30"),
            Some(d("2026-10-05")),
        )
        .unwrap();
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].prefix, "abn/NL91/2026/10/");
        let l = locations(&config, "NL91", d("2026-12-01"), d("2027-01-31"), None).unwrap();
        assert_eq!(l[1].prefix, "abn/NL91/2027/01/");
        let e = locations(&config, "DE89", d("2026-11-01"), d("2026-11-30"), None).unwrap_err();
        assert!(
            e.to_string()
                .contains("inbox.banks has no entry \"DE89=<bank>\""),
            "{e}"
        );
    }

    #[test]
    fn bad_templates_are_refused_with_what_is_wrong() {
        assert!(check_template("https://x/y").unwrap_err().contains("s3://"));
        assert!(
            check_template("s3://Acme/x")
                .unwrap_err()
                .contains("bucket name")
        );
        assert!(
            check_template("s3://acme/{year}/")
                .unwrap_err()
                .contains("unknown placeholder {year}")
        );
        assert!(
            check_template("s3://acme/{yyyy")
                .unwrap_err()
                .contains("unclosed")
        );
        check_template("s3://acme-1.b/{account}/{yyyy}/{mm}/").unwrap();
    }

    #[test]
    fn error_codes_round_trip() {
        for e in [
            InboxError::AccessDenied,
            InboxError::ChecksumMismatch,
            InboxError::TooLarge,
        ] {
            assert_eq!(InboxError::parse(e.as_str()), e);
        }
        assert_eq!(InboxError::parse("something new"), InboxError::Failed);
    }
}
