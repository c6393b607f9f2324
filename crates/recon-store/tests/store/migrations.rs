//! Forward-only migrations: a database made by every earlier schema version (from the frozen DDL
//! of `schema::MIGRATIONS`, filled with that version's data) opens with this build, is migrated,
//! keeps its data, verifies its audit chain, and works. A database from a newer version is refused.

use crate::support::*;
use recon_review::audit::{self, AuditHead, AuditRecord};
use recon_store::schema::{MIGRATIONS, SCHEMA_VERSION};
use recon_store::{DatabaseKey, KeyStore, MemoryKeyStore, StoreErrorKind, Workspace};
use rusqlite::{Connection, params};
use std::path::Path;

const WORKSPACE_ID: &str = "0123456789abcdef0123456789abcdef";

/// Makes a version-`version` workspace in `dir` with the frozen DDL and data of that version.
fn make_old_workspace(dir: &Path, version: usize, keys: &MemoryKeyStore) {
    let key = DatabaseKey::random().unwrap();
    keys.put(WORKSPACE_ID, &key).unwrap();
    let conn = Connection::open(dir.join("workspace.db")).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{}'\"; PRAGMA journal_mode = WAL;",
        key.to_hex().as_str()
    ))
    .unwrap();
    for ddl in &MIGRATIONS[..version] {
        conn.execute_batch(ddl).unwrap();
    }
    conn.pragma_update(None, "user_version", version as i64)
        .unwrap();
    // Version 1 data: workspace, a file, a statement of two lines, two ledger entries, audit.
    conn.execute_batch(&format!(
        "INSERT INTO workspace (id, account, currency, period_start, period_end, ledger_opening_minor,
             created_at, created_by) VALUES ('{WORKSPACE_ID}', '{ACCOUNT}', 'EUR', '2026-11-01', '2026-11-30', NULL, '2026-11-02T09:00:00Z', 'clara');
         INSERT INTO imported_files VALUES ('aa', 's1.sta', 'statement', '2026-11-02T09:00:00Z', 'clara');
         INSERT INTO imported_files VALUES ('bb', 'ledger.csv', 'ledger', '2026-11-02T09:00:00Z', 'clara');
         INSERT INTO statements (id, file_sha256, source, format, statement_id, sequence, first_date, last_date,
             opening_minor, opening_date, closing_minor, closing_date, line_count, lines_total_minor, version)
             VALUES (1, 'aa', 's1.sta', 'mt940', 'S1', '1', '2026-11-02', '2026-11-03', 100000, '2026-11-01', 105000, '2026-11-03', 2, 5000, 1);
         INSERT INTO bank_lines (id, statement, line_id, booking_date, value_date, amount_minor, reference, description)
             VALUES (1, 1, 'S1/1', '2026-11-02', '2026-11-02', 12500, 'INV-1', 'invoice 1'),
                    (2, 1, 'S1/2', '2026-11-03', '2026-11-03', -7500, 'PO-2', 'chairs');
         INSERT INTO ledger_entries (id, file_sha256, entry_id, posting_date, amount_minor, reference, description)
             VALUES (1, 'bb', 'GL-1', '2026-11-02', 12500, 'INV-1', 'invoice 1'),
                    (2, 'bb', 'GL-2', '2026-11-03', -7500, 'PO-2', 'chairs');"
    ))
    .unwrap();
    let mut head = AuditHead::genesis();
    let mut records = vec![
        ("workspace_created", "workspace"),
        ("statement_imported", "statement:1"),
        ("ledger_imported", "file:bb"),
    ];
    if version >= 2 {
        conn.execute_batch(
            "INSERT INTO groups (id, origin, rule, difference_minor, created_by, created_at)
                 VALUES (1, 'manual', 'manual', 0, 'clara', '2026-11-02T10:00:00Z');
             INSERT INTO group_items VALUES (1, 'bank', 1, 12500), (1, 'ledger', 1, 12500);
             UPDATE bank_lines SET group_id = 1 WHERE id = 1;
             UPDATE ledger_entries SET group_id = 1 WHERE id = 1;
             INSERT INTO decisions (id, kind, actor, at, payload) VALUES (1, 'manual_match', 'clara', '2026-11-02T10:00:00Z', '{\"group\":1}');
             INSERT INTO exceptions VALUES ('bank', 2, 'S1/2', 'no_candidate', -7500, '2026-11-03', 'PO-2', 'chairs');",
        )
        .unwrap();
        if version >= 5 {
            // Version 5 writes a group's item count and bank total with the group.
            conn.execute_batch("UPDATE groups SET items = 2, bank_minor = 12500 WHERE id = 1;")
                .unwrap();
        }
        records.push(("manual_match", "group:1"));
    }
    for (action, target) in records {
        let e = audit::chain(
            WORKSPACE_ID,
            &head,
            &AuditRecord {
                at: "2026-11-02T09:00:00Z",
                actor: "clara",
                action,
                target,
                before: "",
                after: "{}",
            },
        );
        conn.execute(
            "INSERT INTO audit_log VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
            params![
                e.seq,
                e.at,
                e.actor,
                e.action,
                e.target,
                e.before,
                e.after,
                e.prev_hash,
                e.hash
            ],
        )
        .unwrap();
        head = AuditHead {
            seq: e.seq,
            hash: e.hash,
        };
    }
    conn.execute(
        "UPDATE audit_head SET seq = ?1, hash = ?2",
        params![head.seq, head.hash],
    )
    .unwrap();
    drop(conn);
    std::fs::write(dir.join("workspace.id"), WORKSPACE_ID).unwrap();
}

#[test]
fn databases_of_every_earlier_version_open_and_migrate() {
    for version in 1..SCHEMA_VERSION as usize {
        let keys = MemoryKeyStore::default();
        let dir = temp_dir(&format!("migrate-v{version}"));
        make_old_workspace(&dir, version, &keys);
        let mut ws = Workspace::open(&dir, &keys).unwrap_or_else(|e| panic!("v{version}: {e}"));
        // Made before sign-in existed, by self-asserted users: a demo workspace (version 6).
        assert_eq!(
            ws.info().identity_mode,
            recon_review::Assurance::SelfAsserted,
            "v{version}"
        );
        let status = ws.status().unwrap();
        assert_eq!(
            (status.bank_lines, status.ledger_entries, status.statements),
            (2, 2, 1),
            "v{version}"
        );
        assert_eq!(
            status.confirmed_groups,
            i64::from(version >= 2),
            "v{version}"
        );
        // Version 5 backfilled each group's item count and bank total from its items.
        let rules: Vec<_> = ws
            .rule_counts()
            .unwrap()
            .into_iter()
            .map(|c| (c.rule, c.status, c.groups, c.items, c.bank_minor))
            .collect();
        let expected = if version >= 2 {
            vec![("manual".to_string(), "manual".to_string(), 1, 2, 12500)]
        } else {
            vec![]
        };
        assert_eq!(rules, expected, "v{version}");
        ws.verify_audit().unwrap();
        assert_eq!(ws.integrity_check().unwrap(), "ok");
        // The migrated workspace works: match, then a decision.
        let p = clara();
        run_matcher(&mut ws, &p);
        ws.comment(&actor(&p), &["bank:S1/2".into()], "after migration")
            .unwrap();
        let user_version: i64 = ws
            .connection_for_tests()
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .unwrap();
        assert_eq!(user_version, SCHEMA_VERSION);
        ws.verify_audit().unwrap();
    }
}

#[test]
fn a_database_from_a_newer_version_is_refused() {
    let keys = MemoryKeyStore::default();
    let dir = temp_dir("migrate-newer");
    make_old_workspace(&dir, SCHEMA_VERSION as usize, &keys);
    {
        let key = keys.get(WORKSPACE_ID).unwrap();
        let conn = Connection::open(dir.join("workspace.db")).unwrap();
        conn.execute_batch(&format!("PRAGMA key = \"x'{}'\";", key.to_hex().as_str()))
            .unwrap();
        conn.pragma_update(None, "user_version", SCHEMA_VERSION + 1)
            .unwrap();
    }
    let err = Workspace::open(&dir, &keys).unwrap_err();
    assert_eq!(err.kind(), StoreErrorKind::NewerSchema, "{err}");
}
