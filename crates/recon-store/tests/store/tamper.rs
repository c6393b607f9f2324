//! 1,000 random tamperings of the audit log (edit any field, delete, reorder, move, truncate,
//! forge an append, edit the recorded head), each done with SQL on the real encrypted database
//! and rolled back afterwards: `verify_audit` detects every one.

use crate::support::*;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use recon_store::{MemoryKeyStore, StoreErrorKind};
use rusqlite::params;

const MUTATIONS: usize = 1000;
const TEXT_COLUMNS: [&str; 8] = [
    "at",
    "actor",
    "action",
    "target",
    "before",
    "after",
    "prev_hash",
    "hash",
];

#[test]
fn every_one_of_1000_random_tamperings_is_detected() {
    let keys = MemoryKeyStore::default();
    let mut ws = sample_workspace("tamper", &keys);
    let p = clara();
    run_matcher(&mut ws, &p);
    for n in 0..40 {
        ws.comment(&actor(&p), &["bank:S1/6".into()], &format!("note {n}"))
            .unwrap();
    }
    let entries = ws.verify_audit().unwrap() as i64;
    assert!(entries > 40);
    ws.connection_for_tests()
        .execute_batch("DROP TRIGGER audit_log_no_update; DROP TRIGGER audit_log_no_delete;")
        .unwrap();
    let mut rng = StdRng::seed_from_u64(0x5eed_a0d1);
    let mut kinds = [0usize; 7];
    for i in 0..MUTATIONS {
        let conn = ws.connection_for_tests();
        conn.execute_batch("BEGIN").unwrap();
        let seq = rng.random_range(1..=entries);
        let kind = rng.random_range(0..7);
        kinds[kind] += 1;
        let what = match kind {
            0 => {
                // Edit one field of one entry to a different value.
                let col = TEXT_COLUMNS[rng.random_range(0..TEXT_COLUMNS.len())];
                let old: String = conn
                    .query_row(
                        &format!("SELECT {col} FROM audit_log WHERE seq = ?1"),
                        [seq],
                        |r| r.get(0),
                    )
                    .unwrap();
                let mut bytes = old.clone().into_bytes();
                if bytes.is_empty() || rng.random_bool(0.2) {
                    bytes.push(b'0' + rng.random_range(0..10u8));
                } else {
                    let at = rng.random_range(0..bytes.len());
                    let c = bytes[at];
                    bytes[at] = if c == b'a' { b'b' } else { b'a' };
                }
                let new = String::from_utf8_lossy(&bytes).into_owned();
                assert_ne!(new, old);
                conn.execute(
                    &format!("UPDATE audit_log SET {col} = ?1 WHERE seq = ?2"),
                    params![new, seq],
                )
                .unwrap();
                format!("edit {col} of {seq}")
            }
            1 => {
                conn.execute("DELETE FROM audit_log WHERE seq = ?1", [seq])
                    .unwrap();
                format!("delete {seq}")
            }
            2 => {
                // Swap the contents of two entries (reorder), seq numbers left in place.
                let mut other = rng.random_range(1..=entries);
                if other == seq {
                    other = if seq == 1 { 2 } else { seq - 1 };
                }
                conn.execute_batch(&format!(
                    "UPDATE audit_log SET seq = -1 WHERE seq = {seq};
                     UPDATE audit_log SET seq = {seq} WHERE seq = {other};
                     UPDATE audit_log SET seq = {other} WHERE seq = -1;"
                ))
                .unwrap();
                format!("swap {seq} and {other}")
            }
            3 => {
                // Move an entry to the end.
                conn.execute(
                    "UPDATE audit_log SET seq = ?1 WHERE seq = ?2",
                    params![entries + 1, seq],
                )
                .unwrap();
                format!("move {seq} to the end")
            }
            4 => {
                let k = rng.random_range(1..=3.min(entries));
                conn.execute("DELETE FROM audit_log WHERE seq > ?1", [entries - k])
                    .unwrap();
                format!("truncate last {k}")
            }
            5 => {
                // Forge an append, correctly chained, without touching the head.
                let (prev, at): (String, String) = conn
                    .query_row(
                        "SELECT hash, at FROM audit_log WHERE seq = ?1",
                        [entries],
                        |r| Ok((r.get(0)?, r.get(1)?)),
                    )
                    .unwrap();
                let id = conn
                    .query_row("SELECT id FROM workspace", [], |r| r.get::<_, String>(0))
                    .unwrap();
                let forged = recon_review::audit::chain(
                    &id,
                    &recon_review::audit::AuditHead {
                        seq: entries,
                        hash: prev,
                    },
                    &recon_review::audit::AuditRecord {
                        at: &at,
                        actor: "mallory",
                        action: "approved",
                        target: "sign_off",
                        before: "",
                        after: "{}",
                    },
                );
                conn.execute(
                    "INSERT INTO audit_log VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9)",
                    params![
                        forged.seq,
                        forged.at,
                        forged.actor,
                        forged.action,
                        forged.target,
                        forged.before,
                        forged.after,
                        forged.prev_hash,
                        forged.hash
                    ],
                )
                .unwrap();
                "forged append".to_string()
            }
            _ => {
                let back = rng.random_range(1..entries);
                conn.execute("UPDATE audit_head SET seq = ?1 WHERE id = 1", [back])
                    .unwrap();
                format!("head moved to {back}")
            }
        };
        let result = ws.verify_audit();
        ws.connection_for_tests().execute_batch("ROLLBACK").unwrap();
        match result {
            Err(e) => assert_eq!(
                e.kind(),
                StoreErrorKind::AuditBroken,
                "mutation {i} ({what}): {e}"
            ),
            Ok(_) => panic!("mutation {i} ({what}) went undetected"),
        }
        if i % 100 == 0 {
            ws.verify_audit().unwrap();
        }
    }
    assert!(kinds.iter().all(|k| *k > 50), "{kinds:?}");
    ws.verify_audit().unwrap();
}
