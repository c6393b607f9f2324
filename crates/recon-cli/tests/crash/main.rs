//! Crash harness: the built `recon` binary is killed with SIGKILL at 50 or more random points
//! during imports, match runs and review decisions on a real encrypted workspace (key in the real
//! OS keyring). Afterwards the database passes integrity_check and its audit chain verifies, no
//! statement is half-imported, and every decision whose confirmation line was printed before the
//! kill is there. Runs under scripts/with-keyring.sh (scripts/test.sh does that).

#[path = "../../../../tests/support/keyring.rs"]
mod keyring;

use keyring::keyring_or_skip;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use recon_store::{OsKeyStore, Workspace};
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KILLS_MIN: usize = 50;
const ATTEMPTS_MAX: usize = 400;
const ACCOUNT: &str = "NL91ABNA0417164300";
const FILES: usize = 12;
const LINES_PER_FILE: usize = 4000;

fn recon(dir: &Path, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_recon"));
    c.arg("ws")
        .arg("--ws")
        .arg(dir)
        .args(["--demo", "--user", "clara", "--roles", "clerk"])
        .args(args);
    c.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    c
}

/// A canonical JSON document with one statement of `LINES_PER_FILE` lines.
fn statement_file(dir: &Path, n: usize) -> PathBuf {
    let mut lines = Vec::with_capacity(LINES_PER_FILE);
    let mut total: i64 = 0;
    for i in 0..LINES_PER_FILE {
        let amount = ((i as i64 * 7919 + n as i64 * 104_729) % 200_000) - 100_000;
        total += amount;
        lines.push(serde_json::json!({
            "line_id": format!("ST{n}/{i}"), "booking_date": "2026-11-10", "value_date": "2026-11-10",
            "amount": recon_model::format_minor(amount, 2), "currency": "EUR",
            "reference": format!("REF-{n}-{i}"), "bank_reference": null, "counterparty": "Acme",
            "description": format!("payment {n} {i}"), "type_code": null,
        }));
    }
    let doc = serde_json::json!({"statements": [{
        "source": format!("st{n}.json"), "format": "camt.053", "account": ACCOUNT, "currency": "EUR",
        "statement_id": format!("ST{n}"), "sequence": "1",
        "opening_balance": {"date": "2026-11-01", "amount": "1000.00"},
        "closing_balance": {"date": "2026-11-30", "amount": recon_model::format_minor(100_000 + total, 2)},
        "lines": lines,
    }], "issues": []});
    let path = dir.join(format!("st{n}.json"));
    std::fs::write(&path, serde_json::to_vec(&doc).unwrap()).unwrap();
    path
}

#[test]
fn sigkill_at_random_points_loses_nothing_acknowledged() {
    if !keyring_or_skip("crash harness") {
        return;
    }
    let base = std::env::temp_dir().join(format!("recon-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&base);
    std::fs::create_dir_all(&base).unwrap();
    let ws_dir = base.join("ws");
    let status = recon(
        &ws_dir,
        &[
            "create",
            "--account",
            ACCOUNT,
            "--currency",
            "EUR",
            "--from",
            "2026-11-01",
            "--to",
            "2026-11-30",
        ],
    )
    .status()
    .unwrap();
    assert!(status.success());
    let files: Vec<PathBuf> = (0..FILES).map(|n| statement_file(&base, n)).collect();
    let mut rng = StdRng::seed_from_u64(0xdead_beef);
    let mut acknowledged_decisions: Vec<i64> = Vec::new();
    let mut acknowledged_imports: Vec<String> = Vec::new();
    let mut kills = 0usize;
    let mut kills_by_op = [0usize; 3];
    // Upper bound of the random delay, adapted so about half the attempts kill a running
    // process and half run to their confirmation.
    let mut delay_ms = [300u64, 600, 120];
    for attempt in 0..ATTEMPTS_MAX {
        if kills >= KILLS_MIN
            && kills_by_op.iter().all(|k| *k >= 10)
            && acknowledged_decisions.len() >= 10
        {
            break;
        }
        let op = attempt % 3;
        let mut cmd = match op {
            0 => {
                let f = &files[rng.random_range(0..files.len())];
                let mut c = recon(&ws_dir, &["import", "--bank"]);
                c.arg(f);
                c
            }
            1 => recon(&ws_dir, &["match"]),
            _ => {
                let n = rng.random_range(0..FILES);
                let i = rng.random_range(0..LINES_PER_FILE);
                let id = format!("ST{n}/{i}");
                if rng.random_bool(0.5) {
                    recon(
                        &ws_dir,
                        &[
                            "manual-match",
                            "--bank",
                            &id,
                            "--adjust",
                            "write_off",
                            "--note",
                            "crash test",
                        ],
                    )
                } else {
                    recon(
                        &ws_dir,
                        &["comment", &format!("bank:{id}"), "--text", "crash test"],
                    )
                }
            }
        };
        let mut child = cmd.spawn().unwrap();
        let wait = Duration::from_millis(rng.random_range(0..=delay_ms[op]));
        let started = Instant::now();
        let mut finished = false;
        while started.elapsed() < wait {
            if child.try_wait().unwrap().is_some() {
                finished = true;
                break;
            }
            std::thread::sleep(Duration::from_millis(1));
        }
        if !finished {
            child.kill().unwrap(); // SIGKILL on Unix
            kills += 1;
            kills_by_op[op] += 1;
            delay_ms[op] = delay_ms[op] * 5 / 4 + 1;
        } else {
            delay_ms[op] = (delay_ms[op] * 3 / 4).max(5);
        }
        child.wait().unwrap();
        let mut out = String::new();
        child
            .stdout
            .take()
            .unwrap()
            .read_to_string(&mut out)
            .unwrap();
        for line in out.lines() {
            if let Some(id) = line
                .strip_prefix("decision ")
                .and_then(|rest| rest.split_whitespace().next())
                .and_then(|t| t.parse().ok())
            {
                acknowledged_decisions.push(id);
            }
            if let Some(rest) = line.strip_prefix("imported ") {
                acknowledged_imports.push(rest.split(": ").next().unwrap_or_default().to_string());
            }
        }
    }
    assert!(kills >= KILLS_MIN, "only {kills} kills");
    let ws = Workspace::open(&ws_dir, &OsKeyStore)
        .expect("workspace opens after the crashes (audit chain verified)");
    assert_eq!(ws.integrity_check().unwrap(), "ok");
    ws.verify_audit().unwrap();
    // No statement is half-imported: every statement has exactly its lines.
    let mut ws = ws;
    let conn = ws.connection_for_tests();
    let half: i64 = conn
        .query_row(
            "SELECT count(*) FROM statements s WHERE s.superseded_by IS NULL AND s.line_count <>
                (SELECT count(*) FROM bank_lines b WHERE b.statement = s.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(half, 0, "half-imported statements");
    for name in &acknowledged_imports {
        let n: i64 = conn
            .query_row(
                "SELECT count(*) FROM imported_files WHERE name = ?1",
                [name],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(n, 1, "acknowledged import of {name} is missing");
    }
    for id in &acknowledged_decisions {
        assert!(
            ws.decision_exists(*id).unwrap(),
            "acknowledged decision {id} is missing"
        );
    }
    eprintln!(
        "{kills} SIGKILLs (import {}, match {}, decisions {}); {} acknowledged decisions and {} acknowledged imports all present",
        kills_by_op[0],
        kills_by_op[1],
        kills_by_op[2],
        acknowledged_decisions.len(),
        acknowledged_imports.len()
    );
    let id = ws.info().id.clone();
    let _ = recon_store::KeyStore::delete(&OsKeyStore, &id);
    drop(ws);
    let _ = std::fs::remove_dir_all(&base);
}
