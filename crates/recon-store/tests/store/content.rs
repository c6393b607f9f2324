//! The one-pass content scan (reading on one thread, hashing on another, in batches) against the
//! plain definition of the content hash, one SQL query per table, on a workspace large enough to
//! span several batches; and the sign-off pack's control totals against plain SQL counts.

use crate::support::*;
use recon_review::ContentHasher;
use recon_store::{MemoryKeyStore, Workspace};
use rusqlite::Connection;

/// The content hash as first written: each table read on its own, in id order.
fn reference_hash(ws: &mut Workspace) -> String {
    let info = ws.info().clone();
    let statement = ws.reconciliation_statement().unwrap();
    let c: &Connection = ws.connection_for_tests();
    let mut h = ContentHasher::default();
    h.record("workspace")
        .text(&info.id)
        .text(&info.account)
        .text(&info.currency);
    let mut stmt = c
        .prepare(
            "SELECT id, statement_id, sequence, first_date, last_date, coalesce(opening_minor, 0),
                    coalesce(closing_minor, 0), line_count, lines_total_minor
             FROM statements WHERE superseded_by IS NULL ORDER BY id",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        h.record("statement")
            .int(r.get(0).unwrap())
            .text(&r.get::<_, String>(1).unwrap())
            .text(&r.get::<_, String>(2).unwrap())
            .text(&r.get::<_, String>(3).unwrap())
            .text(&r.get::<_, String>(4).unwrap())
            .int(r.get(5).unwrap())
            .int(r.get(6).unwrap())
            .int(r.get(7).unwrap())
            .int(r.get(8).unwrap());
    }
    for (kind, table) in [("bank", "bank_lines"), ("ledger", "ledger_entries")] {
        let mut stmt = c
            .prepare(&format!(
                "SELECT id, amount_minor, coalesce(group_id, 0) FROM {table} ORDER BY id"
            ))
            .unwrap();
        let mut rows = stmt.query([]).unwrap();
        while let Some(r) = rows.next().unwrap() {
            h.record(kind)
                .int(r.get(0).unwrap())
                .int(r.get(1).unwrap())
                .int(r.get(2).unwrap());
        }
    }
    let mut stmt = c
        .prepare(
            "SELECT id, origin, difference_minor, coalesce(adjustment_reason, ''), note
             FROM groups WHERE removed_at IS NULL ORDER BY id",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        h.record("group")
            .int(r.get(0).unwrap())
            .text(&r.get::<_, String>(1).unwrap())
            .int(r.get(2).unwrap())
            .text(&r.get::<_, String>(3).unwrap())
            .text(&r.get::<_, String>(4).unwrap());
    }
    let mut stmt = c
        .prepare(
            "SELECT id, kind, actor, payload, coalesce(undone_by, 0) FROM decisions ORDER BY id",
        )
        .unwrap();
    let mut rows = stmt.query([]).unwrap();
    while let Some(r) = rows.next().unwrap() {
        h.record("decision")
            .int(r.get(0).unwrap())
            .text(&r.get::<_, String>(1).unwrap())
            .text(&r.get::<_, String>(2).unwrap())
            .text(&r.get::<_, String>(3).unwrap())
            .int(r.get(4).unwrap());
    }
    h.record("totals")
        .int(statement.bank_closing_minor)
        .int(statement.ledger_balance_minor)
        .int(statement.unexplained_minor);
    for row in &statement.rows {
        h.text(&row.label).int(row.amount_minor);
    }
    h.finish_hex()
}

#[test]
fn one_pass_scan_equals_the_plain_definition_across_many_batches() {
    let keys = MemoryKeyStore::default();
    let mut ws = sample_workspace("content-scan", &keys);
    let p = clara();
    // 20,000 more pairs (several 8,192-row batches per side), a third of them left open.
    let lines: Vec<_> = (0..20_000)
        .map(|n| {
            line(
                &format!("B{n}"),
                1 + n % 27,
                1000 + n as i64,
                &format!("INV{n}"),
                "pay",
            )
        })
        .collect();
    let ledger: Vec<_> = (0..20_000)
        .filter(|n| n % 3 != 0)
        .map(|n| {
            entry(
                &format!("L{n}"),
                1 + n % 27,
                1000 + n as i64,
                &format!("INV{n}"),
            )
        })
        .collect();
    ws.import_statements(
        &actor(&p),
        &file("s2.sta", "s2"),
        &[statement("S2", 0, lines)],
    )
    .unwrap();
    ws.import_ledger(&actor(&p), &file("ledger2.csv", "ledger2"), &ledger)
        .unwrap();
    let before = ws.content_hash().unwrap();
    assert_eq!(before, reference_hash(&mut ws), "before matching");
    run_matcher(&mut ws, &p);
    let hash = ws.content_hash().unwrap();
    assert_ne!(hash, before, "matching changes the content");
    assert_eq!(hash, reference_hash(&mut ws), "after matching");

    let pack = ws.sign_off_pack(day(30), "2026-11-30T18:00:00Z").unwrap();
    assert_eq!(pack.content_hash, hash);
    assert_eq!(pack.reconciliation, ws.reconciliation_statement().unwrap());
    let c = ws.connection_for_tests();
    let count = |sql: &str| -> i64 { c.query_row(sql, [], |r| r.get(0)).unwrap() };
    let k = &pack.controls;
    assert_eq!(k.bank_lines, count("SELECT count(*) FROM bank_lines"));
    assert_eq!(
        k.ledger_entries,
        count("SELECT count(*) FROM ledger_entries")
    );
    assert_eq!(
        k.matched_ledger_minor,
        count(
            "SELECT coalesce(sum(amount_minor), 0) FROM ledger_entries WHERE group_id IS NOT NULL"
        )
    );
    assert_eq!(
        k.open_bank_minor,
        count("SELECT coalesce(sum(amount_minor), 0) FROM bank_lines WHERE group_id IS NULL")
    );
    let items: usize = pack.groups.iter().map(|g| g.items.len()).sum();
    assert_eq!(
        items as i64,
        count("SELECT count(group_id) FROM bank_lines")
            + count("SELECT count(group_id) FROM ledger_entries")
    );
    assert!(k.matched_bank_lines > 13_000, "{k:?}");
}
