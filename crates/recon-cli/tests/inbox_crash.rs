//! Inbox crash harness: `recon inbox pull` (the built binary, a real encrypted workspace whose key
//! is in the real OS keyring) pulls from moto's S3 through the fault-injecting proxy, slowed so
//! a pull takes seconds, and is killed with SIGKILL at 50 or more points: at random times and
//! right after it announces an import. After every kill the workspace passes integrity_check, its
//! audit chain verifies and no statement is half-imported; the next pull resumes the partial
//! download and completes; at the end every object is imported once and hashes to what was
//! uploaded. Runs under scripts/with-keyring.sh (scripts/test.sh does that).

#[path = "../../../tests/support/keyring.rs"]
mod keyring;
#[path = "../../../tests/support/s3.rs"]
mod s3;
#[path = "../../../tests/support/servers.rs"]
mod servers;

use keyring::keyring_or_skip;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use recon_store::{OsKeyStore, Workspace};
use s3::{ACCOUNT, Proxy, fixture, mt940};
use servers::Server;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KILLS_MIN: usize = 50;
const CYCLES_MAX: usize = 20;
const BUCKET: &str = "acme-bank-statements";
const FILES: usize = 8;
const LINES_PER_FILE: usize = 5000;

struct Env {
    endpoint: String,
    config_home: PathBuf,
}

fn recon(env: &Env, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_recon"));
    c.args(args)
        .args(["--demo", "--user", "clara", "--roles", "clerk"])
        .env("RECON_SYSTEM_CONFIG", env.config_home.join("none.toml"))
        .env("XDG_CONFIG_HOME", &env.config_home)
        .env_remove("RECON_CONFIG")
        .env(
            "RECON_INBOX_STATEMENTS",
            format!("s3://{BUCKET}/{{account}}/{{yyyy}}/{{mm}}/"),
        )
        .env("RECON_INBOX_STALL_SECONDS", "3")
        .env("AWS_ENDPOINT_URL", &env.endpoint)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null());
    c
}

fn check(dir: &Path) -> usize {
    let mut ws =
        Workspace::open(dir, &OsKeyStore).expect("the workspace opens (audit chain verified)");
    assert_eq!(ws.integrity_check().unwrap(), "ok");
    ws.verify_audit().unwrap();
    let c = ws.connection_for_tests();
    let broken: i64 = c
        .query_row(
            "SELECT count(*) FROM statements s WHERE s.line_count <>
                (SELECT count(*) FROM bank_lines b WHERE b.statement = s.id)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(broken, 0, "a statement is half-imported");
    // A file is imported with its provenance or not at all.
    let orphans: i64 = c
        .query_row(
            "SELECT count(*) FROM imported_files f WHERE NOT EXISTS
                (SELECT 1 FROM file_sources s WHERE s.sha256 = f.sha256)",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(orphans, 0, "an import without its provenance");
    c.query_row("SELECT count(*) FROM statements", [], |r| {
        r.get::<_, i64>(0)
    })
    .unwrap() as usize
}

#[test]
fn sigkill_during_download_and_import_leaves_the_workspace_whole_and_the_next_pull_completes() {
    if !keyring_or_skip("inbox crash harness") {
        return;
    }
    let Some(moto) = Server::moto_plain() else {
        return;
    };
    let Some(proxy) = Proxy::start(&moto.url) else {
        return;
    };
    let base = tempfile::tempdir().unwrap();
    fixture(&moto.url, None, &["bucket", BUCKET, "--versioned"]);
    let mut uploaded = Vec::new();
    for n in 0..FILES {
        let bytes = mt940(&format!("ST{n}"), LINES_PER_FILE, 0);
        let path = base.path().join(format!("st{n}.sta"));
        std::fs::write(&path, &bytes).unwrap();
        let key = format!("{ACCOUNT}/2026/11/st{n}.sta");
        fixture(
            &moto.url,
            None,
            &["put", BUCKET, &key, &path.display().to_string()],
        );
        uploaded.push((key, bytes));
    }
    let total_bytes: usize = uploaded.iter().map(|(_, b)| b.len()).sum();
    // About four seconds of downloading for a whole pull.
    proxy.mode(&format!("mode=pass&rate={}", total_bytes / 4));
    let env = Env {
        endpoint: proxy.url.clone(),
        config_home: base.path().join("config"),
    };
    let mut rng = StdRng::seed_from_u64(0x1b0c5);
    let (mut kills, mut kills_at_import, mut resumed_pulls) = (0usize, 0usize, 0usize);
    for cycle in 0..CYCLES_MAX {
        if kills >= KILLS_MIN && kills_at_import >= 10 {
            break;
        }
        let dir = base.path().join(format!("ws{cycle}"));
        let dir_text = dir.display().to_string();
        let status = recon(
            &env,
            &[
                "ws",
                "--ws",
                &dir_text,
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
        .stdout(Stdio::null())
        .status()
        .unwrap();
        assert!(status.success());
        // Kill pulls until one finishes by itself.
        loop {
            let mut child = recon(&env, &["inbox", "--ws", &dir_text, "pull"])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let at_import = rng.random_bool(0.4);
            let deadline = Instant::now() + Duration::from_millis(rng.random_range(200..2500));
            let (tx, rx) = std::sync::mpsc::channel();
            let stderr = child.stderr.take().unwrap();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
            let mut finished = None;
            let mut killed_at_import = false;
            let mut lines = Vec::new();
            while finished.is_none() {
                if let Some(s) = child.try_wait().unwrap() {
                    finished = Some(s);
                    break;
                }
                let mut kill_now = Instant::now() >= deadline && !at_import;
                while let Ok(line) = rx.try_recv() {
                    if at_import && line.contains("] importing ") {
                        std::thread::sleep(Duration::from_millis(rng.random_range(0..40)));
                        kill_now = true;
                        killed_at_import = true;
                    }
                    lines.push(line);
                }
                if kill_now {
                    break;
                }
                std::thread::sleep(Duration::from_millis(2));
            }
            match finished {
                Some(status) => {
                    assert!(status.success(), "an uninterrupted pull fails: {lines:#?}");
                    break;
                }
                None => {
                    child.kill().unwrap(); // SIGKILL
                    child.wait().unwrap();
                    kills += 1;
                    kills_at_import += usize::from(killed_at_import);
                }
            }
            let statements = check(&dir);
            assert!(statements <= FILES);
            let parts = std::fs::read_dir(dir.join("inbox"))
                .map(|d| d.flatten().count())
                .unwrap_or(0);
            resumed_pulls += usize::from(parts > 0);
        }
        // Complete: every object imported once, with the uploaded bytes.
        assert_eq!(check(&dir), FILES);
        let mut ws = Workspace::open(&dir, &OsKeyStore).unwrap();
        let sources = ws.sourced_files().unwrap();
        assert_eq!(sources.len(), FILES);
        for (key, bytes) in &uploaded {
            use sha2::Digest;
            let f = sources.iter().find(|f| &f.source.key == key).unwrap();
            assert_eq!(
                f.sha256_hex,
                recon_review::hex(&sha2::Sha256::digest(bytes))
            );
        }
        let lines: i64 = ws
            .connection_for_tests()
            .query_row("SELECT count(*) FROM bank_lines", [], |r| r.get(0))
            .unwrap();
        assert_eq!(lines as usize, FILES * LINES_PER_FILE);
    }
    eprintln!(
        "inbox crash harness: {kills} kills ({kills_at_import} right after an import began), {resumed_pulls} pulls began with a partial download on disk"
    );
    assert!(kills >= KILLS_MIN, "only {kills} kills");
    assert!(
        kills_at_import >= 10,
        "only {kills_at_import} kills at an import"
    );
    assert!(resumed_pulls > 0, "no pull resumed a partial download");
}
