//! The inbox's memory (schema v8): every object seen under the configured prefixes of the
//! statement bucket, with its status, and when each prefix was last listed. This is a cache of
//! what the bucket holds, so that the inbox can be shown offline; it is written outside the audit
//! chain. What is audited is the import of an object, with its provenance (`file_sources`, written
//! in the import's own transaction by `record_file`, which also marks the object imported).

use crate::error::Result;
use crate::import::FileSource;
use crate::workspace::Workspace;
use rusqlite::{OptionalExtension, params};

/// At most this many objects are remembered per listing (the API's listing limit is lower).
pub const INBOX_OBJECTS_MAX: usize = 1_000_000;

/// An object as a listing showed it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenObject {
    pub bucket: String,
    pub key: String,
    pub etag: String,
    /// "statement" or "ledger".
    pub kind: &'static str,
    pub size_bytes: u64,
    /// RFC 3339 UTC.
    pub last_modified: Option<String>,
}

/// An object the inbox remembers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxObjectRow {
    pub bucket: String,
    pub key: String,
    pub etag: String,
    pub kind: String,
    pub version_id: Option<String>,
    pub size_bytes: u64,
    pub last_modified: Option<String>,
    /// "new", "imported" or "failed".
    pub status: String,
    pub error_code: Option<String>,
    pub message: Option<String>,
    pub attempts: u32,
    pub first_seen_at: String,
    pub last_seen_at: String,
    pub imported_sha256: Option<String>,
}

/// When a prefix was last listed, and how that went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InboxScanRow {
    pub location: String,
    pub scanned_at: String,
    pub objects: u64,
    pub error: Option<String>,
}

/// An imported file with where it came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SourcedFile {
    pub sha256_hex: String,
    pub name: String,
    pub kind: String,
    pub imported_at: String,
    pub source: FileSource,
}

impl Workspace {
    /// Records one listing of `location`: the objects seen (new ones as "new", known ones get
    /// their `last_seen_at`), or the error that stopped it. One transaction.
    pub fn inbox_seen(
        &mut self,
        location: &str,
        at: &str,
        objects: &[SeenObject],
        error: Option<&str>,
    ) -> Result<()> {
        let tx = self.conn.transaction()?;
        {
            let mut upsert = tx.prepare_cached(
                "INSERT INTO inbox_objects (bucket, key, etag, kind, size_bytes, last_modified,
                    status, first_seen_at, last_seen_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'new', ?7, ?7)
                 ON CONFLICT (bucket, key, etag) DO UPDATE SET last_seen_at = excluded.last_seen_at,
                    size_bytes = excluded.size_bytes, last_modified = excluded.last_modified",
            )?;
            for o in objects.iter().take(INBOX_OBJECTS_MAX) {
                upsert.execute(params![
                    o.bucket,
                    o.key,
                    o.etag,
                    o.kind,
                    i64::try_from(o.size_bytes).unwrap_or(i64::MAX),
                    o.last_modified,
                    at
                ])?;
            }
        }
        tx.execute(
            "INSERT INTO inbox_scans (location, scanned_at, objects, error) VALUES (?1, ?2, ?3, ?4)
             ON CONFLICT (location) DO UPDATE SET scanned_at = excluded.scanned_at,
                objects = excluded.objects, error = excluded.error",
            params![location, at, objects.len() as i64, error],
        )?;
        tx.commit()?;
        Ok(())
    }

    /// Remembers one object seen outside a listing (replaced between the listing and its
    /// `HeadObject`).
    pub fn inbox_add(&mut self, object: &SeenObject, at: &str) -> Result<()> {
        self.conn.execute(
            "INSERT INTO inbox_objects (bucket, key, etag, kind, size_bytes, last_modified,
                status, first_seen_at, last_seen_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'new', ?7, ?7)
             ON CONFLICT (bucket, key, etag) DO UPDATE SET last_seen_at = excluded.last_seen_at",
            params![
                object.bucket,
                object.key,
                object.etag,
                object.kind,
                i64::try_from(object.size_bytes).unwrap_or(i64::MAX),
                object.last_modified,
                at
            ],
        )?;
        Ok(())
    }

    /// Keeps what an import of the object skipped (already there, other accounts) beside it.
    pub fn inbox_note(&mut self, bucket: &str, key: &str, etag: &str, message: &str) -> Result<()> {
        self.conn.execute(
            "UPDATE inbox_objects SET message = ?4 WHERE bucket = ?1 AND key = ?2 AND etag = ?3",
            params![bucket, key, etag, message],
        )?;
        Ok(())
    }

    /// Records that fetching or importing an object failed (its status becomes "failed", one
    /// more attempt counted), or that it is known again ("new") with its version id.
    pub fn inbox_mark(
        &mut self,
        bucket: &str,
        key: &str,
        etag: &str,
        status: &str,
        error: Option<(&str, &str)>,
        version_id: Option<&str>,
    ) -> Result<()> {
        self.conn.execute(
            "UPDATE inbox_objects SET status = ?4, error_code = ?5, message = ?6,
                attempts = attempts + (?4 = 'failed'), version_id = coalesce(?7, version_id)
             WHERE bucket = ?1 AND key = ?2 AND etag = ?3 AND status <> 'imported'",
            params![
                bucket,
                key,
                etag,
                status,
                error.map(|e| e.0),
                error.map(|e| e.1),
                version_id
            ],
        )?;
        Ok(())
    }

    /// Every object the inbox remembers, by kind and key, newest ETag last seen first.
    pub fn inbox_objects(&self) -> Result<Vec<InboxObjectRow>> {
        let mut stmt = self.conn.prepare(&format!(
            "{INBOX_COLUMNS} ORDER BY kind DESC, bucket, key, last_seen_at DESC, etag"
        ))?;
        let rows = stmt.query_map([], inbox_row)?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The object's latest version the inbox remembers (the ETag seen last).
    pub fn inbox_object(&self, bucket: &str, key: &str) -> Result<Option<InboxObjectRow>> {
        Ok(self
            .conn
            .query_row(
                &format!(
                    "{INBOX_COLUMNS} WHERE bucket = ?1 AND key = ?2
                     ORDER BY last_seen_at DESC, first_seen_at DESC LIMIT 1"
                ),
                params![bucket, key],
                inbox_row,
            )
            .optional()?)
    }

    /// When each prefix was last listed.
    pub fn inbox_scans(&self) -> Result<Vec<InboxScanRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT location, scanned_at, objects, error FROM inbox_scans ORDER BY location",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(InboxScanRow {
                location: r.get(0)?,
                scanned_at: r.get(1)?,
                objects: u64::try_from(r.get::<_, i64>(2)?).unwrap_or(0),
                error: r.get(3)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }

    /// The imported file that came from this exact object (bucket, key, ETag), if any.
    pub fn imported_object(&self, bucket: &str, key: &str, etag: &str) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row(
                "SELECT sha256 FROM file_sources WHERE bucket = ?1 AND key = ?2 AND etag = ?3",
                params![bucket, key, etag],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// The most recent import of any version of `bucket`/`key`: a new version of it is a
    /// corrected file.
    pub fn latest_source(&self, bucket: &str, key: &str) -> Result<Option<FileSource>> {
        Ok(self
            .conn
            .query_row(
                "SELECT s.bucket, s.key, s.version_id, s.etag, s.size_bytes, s.verified_by,
                    s.fetched_at
                 FROM file_sources s JOIN imported_files f ON f.sha256 = s.sha256
                 WHERE s.bucket = ?1 AND s.key = ?2
                 ORDER BY f.imported_at DESC, s.fetched_at DESC LIMIT 1",
                params![bucket, key],
                |r| file_source(r, 0),
            )
            .optional()?)
    }

    /// Every imported file that came from an object store, in import order: the evidence of
    /// where the statements and ledger extracts came from.
    pub fn sourced_files(&self) -> Result<Vec<SourcedFile>> {
        let mut stmt = self.conn.prepare(
            "SELECT f.sha256, f.name, f.kind, f.imported_at, s.bucket, s.key, s.version_id,
                s.etag, s.size_bytes, s.verified_by, s.fetched_at
             FROM imported_files f JOIN file_sources s ON s.sha256 = f.sha256
             ORDER BY f.imported_at, f.name",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(SourcedFile {
                sha256_hex: r.get(0)?,
                name: r.get(1)?,
                kind: r.get(2)?,
                imported_at: r.get(3)?,
                source: file_source(r, 4)?,
            })
        })?;
        Ok(rows.collect::<rusqlite::Result<_>>()?)
    }
}

/// A `file_sources` row's seven columns (bucket .. fetched_at) from column `at` on.
fn file_source(r: &rusqlite::Row<'_>, at: usize) -> rusqlite::Result<FileSource> {
    Ok(FileSource {
        bucket: r.get(at)?,
        key: r.get(at + 1)?,
        version_id: r.get(at + 2)?,
        etag: r.get(at + 3)?,
        size_bytes: u64::try_from(r.get::<_, i64>(at + 4)?).unwrap_or(0),
        verified_by: r.get(at + 5)?,
        fetched_at: r.get(at + 6)?,
    })
}

const INBOX_COLUMNS: &str = "SELECT bucket, key, etag, kind, version_id, size_bytes, last_modified,
    status, error_code, message, attempts, first_seen_at, last_seen_at, imported_sha256
    FROM inbox_objects";

fn inbox_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<InboxObjectRow> {
    Ok(InboxObjectRow {
        bucket: r.get(0)?,
        key: r.get(1)?,
        etag: r.get(2)?,
        kind: r.get(3)?,
        version_id: r.get(4)?,
        size_bytes: u64::try_from(r.get::<_, i64>(5)?).unwrap_or(0),
        last_modified: r.get(6)?,
        status: r.get(7)?,
        error_code: r.get(8)?,
        message: r.get(9)?,
        attempts: u32::try_from(r.get::<_, i64>(10)?).unwrap_or(u32::MAX),
        first_seen_at: r.get(11)?,
        last_seen_at: r.get(12)?,
        imported_sha256: r.get(13)?,
    })
}
