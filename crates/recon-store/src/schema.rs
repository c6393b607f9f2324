//! Versioned, forward-only migrations. `MIGRATIONS[n]` turns a version-n database into version
//! n+1; `PRAGMA user_version` records the version. A migration, once released, is frozen: changes
//! come as a new migration appended at the end. Money is INTEGER minor units, dates ISO text.

use crate::error::{Result, StoreError};
use rusqlite::Connection;
use std::path::Path;

/// The DDL of each version, in order. Never edit a released entry.
pub const MIGRATIONS: [&str; 12] = [
    V1_IMPORT_AND_AUDIT,
    V2_MATCHING_AND_REVIEW,
    V3_SIGN_OFF_AND_OUTBOX,
    V4_RULE_SET_HASH,
    V5_DASHBOARD_FIGURES,
    V6_VERIFIED_IDENTITY,
    V7_STATEMENT_READING,
    V8_INBOX,
    V9_IMPORT_SETTINGS,
    V10_PUBLISHING,
    V11_CARRY_FORWARD_AND_FILE_COPIES,
    V12_RUN_LIMITS,
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Version 1: the workspace, imported files, statements, lines, ledger entries, the audit log.
pub const V1_IMPORT_AND_AUDIT: &str = "
CREATE TABLE workspace (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    currency TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    ledger_opening_minor INTEGER,
    created_at TEXT NOT NULL,
    created_by TEXT NOT NULL
);
CREATE TABLE imported_files (
    sha256 TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('statement', 'ledger')),
    imported_at TEXT NOT NULL,
    imported_by TEXT NOT NULL
);
CREATE TABLE statements (
    id INTEGER PRIMARY KEY,
    file_sha256 TEXT NOT NULL REFERENCES imported_files(sha256),
    source TEXT NOT NULL,
    format TEXT NOT NULL,
    statement_id TEXT NOT NULL,
    sequence TEXT NOT NULL,
    first_date TEXT NOT NULL,
    last_date TEXT NOT NULL,
    opening_minor INTEGER,
    opening_date TEXT,
    closing_minor INTEGER,
    closing_date TEXT,
    line_count INTEGER NOT NULL,
    lines_total_minor INTEGER NOT NULL,
    version INTEGER NOT NULL,
    superseded_by INTEGER REFERENCES statements(id),
    UNIQUE (statement_id, sequence, first_date, last_date, version)
);
CREATE TABLE bank_lines (
    id INTEGER PRIMARY KEY,
    statement INTEGER NOT NULL REFERENCES statements(id),
    line_id TEXT NOT NULL UNIQUE,
    booking_date TEXT NOT NULL,
    value_date TEXT,
    amount_minor INTEGER NOT NULL,
    reference TEXT,
    bank_reference TEXT,
    counterparty TEXT,
    description TEXT NOT NULL,
    type_code TEXT
);
CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY,
    file_sha256 TEXT NOT NULL REFERENCES imported_files(sha256),
    entry_id TEXT NOT NULL UNIQUE,
    posting_date TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    reference TEXT,
    description TEXT NOT NULL
);
CREATE TABLE audit_log (
    seq INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    target TEXT NOT NULL,
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
);
CREATE TABLE audit_head (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash)
    VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
";

/// Version 2: match runs, confirmed groups, suggestions, exceptions, rejected pairs, decisions,
/// comments, attachments, assignments.
pub const V2_MATCHING_AND_REVIEW: &str = "
CREATE TABLE match_runs (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    rule_set TEXT NOT NULL,
    bank_items INTEGER NOT NULL,
    ledger_items INTEGER NOT NULL,
    auto_groups INTEGER NOT NULL,
    suggestions INTEGER NOT NULL,
    exceptions INTEGER NOT NULL
);
CREATE TABLE groups (
    id INTEGER PRIMARY KEY,
    origin TEXT NOT NULL CHECK (origin IN ('auto', 'accepted', 'manual')),
    run INTEGER REFERENCES match_runs(id),
    rule TEXT NOT NULL,
    difference_minor INTEGER NOT NULL,
    adjustment_reason TEXT,
    note TEXT NOT NULL DEFAULT '',
    created_by TEXT NOT NULL,
    created_at TEXT NOT NULL,
    removed_at TEXT,
    CHECK (difference_minor = 0 OR adjustment_reason IS NOT NULL OR origin = 'auto')
);
CREATE TABLE group_items (
    group_id INTEGER NOT NULL REFERENCES groups(id),
    side TEXT NOT NULL CHECK (side IN ('bank', 'ledger')),
    item INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (group_id, side, item)
) WITHOUT ROWID;
ALTER TABLE bank_lines ADD COLUMN group_id INTEGER REFERENCES groups(id);
ALTER TABLE ledger_entries ADD COLUMN group_id INTEGER REFERENCES groups(id);
CREATE TABLE suggestions (
    id INTEGER PRIMARY KEY,
    run INTEGER NOT NULL REFERENCES match_runs(id),
    match_id TEXT NOT NULL,
    rule TEXT NOT NULL,
    score INTEGER NOT NULL,
    explanation TEXT NOT NULL,
    difference_minor INTEGER NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('open', 'accepted', 'rejected', 'stale'))
);
CREATE INDEX suggestions_status ON suggestions(status);
CREATE TABLE suggestion_items (
    suggestion INTEGER NOT NULL REFERENCES suggestions(id),
    side TEXT NOT NULL CHECK (side IN ('bank', 'ledger')),
    item INTEGER NOT NULL,
    amount_minor INTEGER NOT NULL,
    PRIMARY KEY (suggestion, side, item)
) WITHOUT ROWID;
CREATE INDEX suggestion_items_item ON suggestion_items(side, item);
CREATE TABLE exceptions (
    side TEXT NOT NULL CHECK (side IN ('bank', 'ledger')),
    item INTEGER NOT NULL,
    item_id TEXT NOT NULL,
    reason TEXT NOT NULL,
    amount_minor INTEGER NOT NULL,
    item_date TEXT NOT NULL,
    reference TEXT NOT NULL,
    description TEXT NOT NULL,
    PRIMARY KEY (side, item)
) WITHOUT ROWID;
CREATE TABLE rejected_pairs (
    bank_item INTEGER NOT NULL,
    ledger_item INTEGER NOT NULL,
    decision INTEGER NOT NULL,
    PRIMARY KEY (bank_item, ledger_item)
) WITHOUT ROWID;
CREATE TABLE decisions (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    payload TEXT NOT NULL,
    undone_by INTEGER REFERENCES decisions(id)
);
CREATE INDEX decisions_actor ON decisions(actor, id);
CREATE TABLE comments (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    author TEXT NOT NULL,
    at TEXT NOT NULL,
    text TEXT NOT NULL,
    decision INTEGER NOT NULL REFERENCES decisions(id)
);
CREATE INDEX comments_target ON comments(target);
CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    target TEXT NOT NULL,
    name TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    bytes BLOB NOT NULL,
    added_by TEXT NOT NULL,
    at TEXT NOT NULL,
    decision INTEGER NOT NULL REFERENCES decisions(id)
);
CREATE TABLE assignments (
    target TEXT PRIMARY KEY,
    assignee TEXT NOT NULL,
    assigned_by TEXT NOT NULL,
    at TEXT NOT NULL
);
";

/// Version 3: sign-off, the outbox for publishing, indexes for paging exceptions.
pub const V3_SIGN_OFF_AND_OUTBOX: &str = "
CREATE TABLE sign_off (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    state TEXT NOT NULL CHECK (state IN ('open', 'in_review', 'prepared', 'approved')),
    preparer TEXT,
    prepared_at TEXT,
    approver TEXT,
    approved_at TEXT,
    content_hash TEXT,
    last_rejection TEXT
);
INSERT INTO sign_off (id, state) VALUES (1, 'open');
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    published_at TEXT
);
CREATE INDEX exceptions_date ON exceptions(item_date, side, item);
CREATE INDEX exceptions_amount ON exceptions(amount_minor, side, item);
CREATE INDEX exceptions_reason_date ON exceptions(reason, item_date);
CREATE INDEX bank_lines_group ON bank_lines(group_id) WHERE group_id IS NOT NULL;
CREATE INDEX ledger_entries_group ON ledger_entries(group_id) WHERE group_id IS NOT NULL;
";

/// Version 4: the SHA-256 of the rule set's text each match run used (evidence in the sign-off
/// pack); runs recorded before keep ''.
pub const V4_RULE_SET_HASH: &str = "
ALTER TABLE match_runs ADD COLUMN rule_set_sha256 TEXT NOT NULL DEFAULT '';
";

/// Version 5: the dashboard's figures without reading wide rows. Each group carries its item
/// count and bank-side total (written with the group, never changed after; backfilled here), and
/// narrow covering indexes answer the rule counts, the matched/open amounts and the
/// reconciliation statement's totals and adjustments, and the exceptions' aging (at 2M items: 5.3 s of full-row scans before, see
/// BENCHMARKS.md). The item indexes replace the partial `group_id` ones.
pub const V5_DASHBOARD_FIGURES: &str = "
ALTER TABLE groups ADD COLUMN items INTEGER NOT NULL DEFAULT 0;
ALTER TABLE groups ADD COLUMN bank_minor INTEGER NOT NULL DEFAULT 0;
UPDATE groups SET
    items = (SELECT count(*) FROM group_items WHERE group_id = groups.id),
    bank_minor = (SELECT coalesce(sum(amount_minor), 0) FROM group_items
                  WHERE group_id = groups.id AND side = 'bank');
CREATE INDEX groups_rule ON groups(removed_at, rule, origin, items, bank_minor);
CREATE INDEX groups_difference ON groups(removed_at, adjustment_reason, difference_minor)
    WHERE difference_minor <> 0;
DROP INDEX bank_lines_group;
DROP INDEX ledger_entries_group;
CREATE INDEX exceptions_date_amount ON exceptions(item_date, amount_minor);
CREATE INDEX bank_lines_group_amount ON bank_lines(group_id, amount_minor);
CREATE INDEX ledger_entries_group_amount ON ledger_entries(group_id, amount_minor);
";

/// Version 6: verified identities. `workspace.identity_mode` says whose actions the workspace
/// takes: `verified` (a person signed in through the identity provider; self-asserted users are
/// refused) or `demo` (self-asserted users, labelled as such everywhere). Workspaces made before
/// sign-in existed had only self-asserted users, so they become `demo`. `principals` records every
/// subject that acted, with its display name and assurance; the audit chain records each one the
/// first time it acts and whenever its display name changes (`principal_recorded`).
pub const V6_VERIFIED_IDENTITY: &str = "
ALTER TABLE workspace ADD COLUMN identity_mode TEXT NOT NULL DEFAULT 'demo'
    CHECK (identity_mode IN ('demo', 'verified'));
CREATE TABLE principals (
    subject TEXT PRIMARY KEY,
    display_name TEXT NOT NULL,
    assurance TEXT NOT NULL CHECK (assurance IN ('self_asserted', 'verified')),
    first_seen TEXT NOT NULL,
    last_seen TEXT NOT NULL
);
";

/// Version 7: how each statement was read (issue 15): the text encoding its file was decoded
/// with, every deviation from the format that was read anyway (code, line or element path,
/// excerpt as the file has it, message), and the transactions of batch bookings (one row per
/// transaction of a bank line that settles several). Statements imported before keep NULL and
/// no rows.
pub const V7_STATEMENT_READING: &str = "
ALTER TABLE statements ADD COLUMN encoding TEXT;
CREATE TABLE statement_deviations (
    statement INTEGER NOT NULL REFERENCES statements(id),
    seq INTEGER NOT NULL,
    code TEXT NOT NULL,
    line INTEGER,
    path TEXT,
    excerpt TEXT NOT NULL,
    message TEXT NOT NULL,
    PRIMARY KEY (statement, seq)
) WITHOUT ROWID;
CREATE TABLE bank_line_details (
    bank_line INTEGER NOT NULL REFERENCES bank_lines(id),
    seq INTEGER NOT NULL,
    reference TEXT,
    amount_minor INTEGER,
    counterparty TEXT,
    counterparty_account TEXT,
    description TEXT NOT NULL,
    PRIMARY KEY (bank_line, seq)
) WITHOUT ROWID;
";

/// Version 8 (issue 17): where an imported file came from when it came from an object store
/// (`file_sources`: bucket, key, version id, ETag, size, what verified it), and the inbox: every
/// object seen under the configured prefixes with its status (`inbox_objects`), and when each
/// prefix was last listed (`inbox_scans`). The inbox tables are a cache of what the bucket
/// holds, not decisions: they are written outside the audit chain; the imports themselves are
/// audited with their source.
pub const V8_INBOX: &str = "
CREATE TABLE file_sources (
    sha256 TEXT PRIMARY KEY REFERENCES imported_files(sha256),
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    version_id TEXT,
    etag TEXT NOT NULL,
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
    verified_by TEXT NOT NULL,
    fetched_at TEXT NOT NULL
) WITHOUT ROWID;
CREATE INDEX file_sources_object ON file_sources (bucket, key, etag);
CREATE TABLE inbox_objects (
    bucket TEXT NOT NULL,
    key TEXT NOT NULL,
    etag TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('statement', 'ledger')),
    version_id TEXT,
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
    last_modified TEXT,
    status TEXT NOT NULL CHECK (status IN ('new', 'imported', 'failed')),
    error_code TEXT,
    message TEXT,
    attempts INTEGER NOT NULL DEFAULT 0,
    first_seen_at TEXT NOT NULL,
    last_seen_at TEXT NOT NULL,
    imported_sha256 TEXT,
    PRIMARY KEY (bucket, key, etag)
) WITHOUT ROWID;
CREATE TABLE inbox_scans (
    location TEXT PRIMARY KEY,
    scanned_at TEXT NOT NULL,
    objects INTEGER NOT NULL,
    error TEXT
) WITHOUT ROWID;
";

/// Version 9 (issue 15): a workspace setting that reads every imported file strictly (deviations
/// from the formats refuse the file instead of being recorded as warnings), for teams that want
/// files refused.
pub const V9_IMPORT_SETTINGS: &str = "
ALTER TABLE workspace ADD COLUMN strict_import INTEGER NOT NULL DEFAULT 0
    CHECK (strict_import IN (0, 1));
";

/// Version 10 (issue 18): publishing. Each outbox entry carries its revision of the period, what
/// each destination acknowledged (the results database, the S3 archive), its attempts with the
/// last error and when it may be tried again, and a refusal (different content already published
/// for the period) that stops it until a supervisor reopens the period. `reopenings` records each
/// reopening: the revision it supersedes, who, when and why.
pub const V10_PUBLISHING: &str = "
ALTER TABLE outbox ADD COLUMN revision INTEGER NOT NULL DEFAULT 1 CHECK (revision >= 1);
ALTER TABLE outbox ADD COLUMN staged_at TEXT;
ALTER TABLE outbox ADD COLUMN database_at TEXT;
ALTER TABLE outbox ADD COLUMN archive_at TEXT;
ALTER TABLE outbox ADD COLUMN attempts INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN last_error TEXT;
ALTER TABLE outbox ADD COLUMN last_error_code TEXT;
ALTER TABLE outbox ADD COLUMN next_attempt_unix INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN refused TEXT;
CREATE TABLE reopenings (
    revision INTEGER PRIMARY KEY CHECK (revision >= 2),
    supersedes_hash TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(trim(reason)) > 0),
    reopened_by TEXT NOT NULL,
    reopened_at TEXT NOT NULL
);
";

/// Version 11 (issue 18): the bytes of every statement file imported from now on
/// (`file_contents`, so the publication archives the statements the reconciliation rests on),
/// and the previous period's open items brought in as this period's opening items: which
/// publication they came from (`carry_forwards`, one per workspace, since a workspace is one
/// period) and which bank lines and ledger entries they are (`carried` = 1). Carried items are
/// already in the previous period's balances, so the reconciliation statement leaves them out of
/// this period's movements while counting them among the open items.
pub const V11_CARRY_FORWARD_AND_FILE_COPIES: &str = "
CREATE TABLE file_contents (
    sha256 TEXT PRIMARY KEY REFERENCES imported_files(sha256),
    size_bytes INTEGER NOT NULL CHECK (size_bytes >= 0),
    bytes BLOB NOT NULL,
    CHECK (length(bytes) = size_bytes)
);
CREATE TABLE carry_forwards (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    account TEXT NOT NULL,
    period_start TEXT NOT NULL,
    period_end TEXT NOT NULL,
    revision INTEGER NOT NULL CHECK (revision >= 1),
    content_hash TEXT NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('database', 'archive')),
    bank_closing_minor INTEGER NOT NULL,
    ledger_balance_minor INTEGER NOT NULL,
    bank_items INTEGER NOT NULL,
    bank_minor INTEGER NOT NULL,
    ledger_items INTEGER NOT NULL,
    ledger_minor INTEGER NOT NULL,
    already_present INTEGER NOT NULL,
    carried_at TEXT NOT NULL,
    carried_by TEXT NOT NULL
);
ALTER TABLE bank_lines ADD COLUMN carried INTEGER NOT NULL DEFAULT 0 CHECK (carried IN (0, 1));
ALTER TABLE ledger_entries ADD COLUMN carried INTEGER NOT NULL DEFAULT 0
    CHECK (carried IN (0, 1));
";

/// Version 12 (issue 14): the limits each match run's passes reached (JSON: rule, limit, count,
/// message), so the app says what a run left out because of them; runs before keep '[]'.
pub const V12_RUN_LIMITS: &str = "
ALTER TABLE match_runs ADD COLUMN limits TEXT NOT NULL DEFAULT '[]';
";

/// Brings a database to [`SCHEMA_VERSION`], one migration per transaction.
pub fn migrate(conn: &mut Connection, path: &Path) -> Result<i64> {
    let found: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    if found > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            path: path.to_path_buf(),
            found,
            supported: SCHEMA_VERSION,
        });
    }
    for (n, ddl) in MIGRATIONS
        .iter()
        .enumerate()
        .skip(usize::try_from(found).unwrap_or(0))
    {
        let tx = conn.transaction()?;
        tx.execute_batch(ddl)?;
        tx.pragma_update(None, "user_version", n as i64 + 1)?;
        tx.commit()?;
    }
    Ok(found)
}
