//! Publishing crash harness: `recon publish` (the built binary, real encrypted workspaces whose keys
//! are in the real OS keyring, the database password there too) publishes to Debian's PostgreSQL
//! over TLS and to moto's S3, and is killed with SIGKILL at 50 or more points: right after it
//! announces staging, the database or the archive (plus a random few milliseconds, so kills land
//! inside the transaction and between puts), and at random times. After every kill the
//! workspace passes integrity_check and its audit chain verifies, and the database holds the
//! reconciliation whole or not at all, never twice; the next `recon publish` goes on. At the end of
//! every cycle the reconciliation is published exactly once to each destination and the archived
//! manifest verifies against its files. Runs under scripts/with-keyring.sh (scripts/test.sh).

#[path = "../../../tests/support/keyring.rs"]
mod keyring;
#[path = "../../../tests/support/pg.rs"]
mod pg;
#[path = "../../../tests/support/s3.rs"]
mod s3;
#[path = "../../../tests/support/servers.rs"]
mod servers;

use keyring::keyring_or_skip;
use pg::Pg;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use recon_api::publish::{self, ArchiveLocation};
use recon_auth::secrets::Secrets as _;
use recon_store::{OsKeyStore, Workspace};
use s3::fixture;
use servers::Server;
use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const KILLS_MIN: usize = 50;
const CYCLES_MAX: usize = 40;
const BUCKET: &str = "acme-recon";

struct Env<'a> {
    pg: &'a Pg,
    moto: &'a str,
    config_home: std::path::PathBuf,
}

fn recon(env: &Env<'_>, cycle: usize, args: &[&str]) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_recon"));
    c.args(args)
        .args(["--demo", "--user", "sam", "--roles", "supervisor"])
        .env("RECON_SYSTEM_CONFIG", env.config_home.join("none.toml"))
        .env("XDG_CONFIG_HOME", &env.config_home)
        .env_remove("RECON_CONFIG")
        .env("RECON_DATABASE_URL", database_url(env.pg, cycle))
        .env("RECON_DATABASE_CA_FILE", &env.pg.ca)
        .env("RECON_PUBLISH_ARCHIVE", format!("s3://{BUCKET}/c{cycle}/"))
        .env("AWS_ENDPOINT_URL", env.moto)
        .env("AWS_ACCESS_KEY_ID", "test")
        .env("AWS_SECRET_ACCESS_KEY", "test")
        .env("AWS_REGION", "us-east-1")
        .env_remove("AWS_PROFILE")
        .stdin(Stdio::null());
    c
}

fn database_url(pg: &Pg, cycle: usize) -> String {
    format!(
        "postgresql://{}@127.0.0.1:{}/db{cycle}",
        pg::APP_USER,
        pg.port
    )
}

/// (reconciliations, match items, match groups) in the cycle's database.
fn counts(pg: &Pg, cycle: usize) -> (i64, i64, i64) {
    let mut admin = pg.admin_for(&format!("db{cycle}"));
    let mut n = |sql: &str| -> i64 { admin.query_texts(sql).unwrap()[0].parse().unwrap() };
    (
        n("SELECT count(*) FROM reconciliations"),
        n("SELECT count(*) FROM match_items"),
        n("SELECT count(*) FROM match_groups"),
    )
}

fn check_workspace(dir: &Path) -> Workspace {
    let ws = Workspace::open(dir, &OsKeyStore).expect("the workspace opens (audit chain verified)");
    assert_eq!(ws.integrity_check().unwrap(), "ok");
    ws.verify_audit().unwrap();
    ws
}

#[test]
fn sigkill_anywhere_in_publishing_leaves_everything_whole_and_publishes_once() {
    if !keyring_or_skip("publish crash harness") {
        return;
    }
    let Some(pg) = Pg::start() else { return };
    let Some(moto) = Server::moto_plain() else {
        return;
    };
    fixture(&moto.url, None, &["bucket", BUCKET]);
    let base = tempfile::tempdir().unwrap();
    let env = Env {
        pg: &pg,
        moto: &moto.url,
        config_home: base.path().join("config"),
    };
    let mut rng = StdRng::seed_from_u64(0x9b1157);
    let (mut kills, mut kills_at_step) = (0usize, [0usize; 3]);
    let steps = ["staging approval", "PostgreSQL", "s3://"];
    let mut cycles = 0;
    for cycle in 0..CYCLES_MAX {
        if kills >= KILLS_MIN && kills_at_step.iter().all(|k| *k >= 8) {
            break;
        }
        cycles += 1;
        // This cycle's database (migrated by the administrator) and the app's password in the
        // OS keyring.
        pg.admin()
            .query_texts(&format!("CREATE DATABASE db{cycle}"))
            .unwrap();
        pg.admin_for(&format!("db{cycle}")).migrate().unwrap();
        let entry = recon_pg::password_entry(&database_url(&pg, cycle)).unwrap();
        recon_auth::secrets::OsSecrets
            .put(&entry, pg::APP_PASSWORD)
            .unwrap();
        // A laptop's approved reconciliation.
        let dir = base.path().join(format!("ws{cycle}"));
        recon_api::approved_demo_workspace(&dir, &OsKeyStore).unwrap();
        let (expected_items, account) = {
            let mut ws = check_workspace(&dir);
            let pack = recon_api::sign_off_pack(&mut ws).unwrap();
            (
                pack.groups.iter().map(|g| g.items.len()).sum::<usize>() as i64,
                pack.account.clone(),
            )
        };
        let dir_text = dir.display().to_string();
        // Kill publishes until one finishes by itself.
        loop {
            let mut child = recon(&env, cycle, &["publish", "--ws", &dir_text])
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap();
            let target = rng.random_range(0..4usize);
            let deadline = Instant::now() + Duration::from_millis(rng.random_range(20..250));
            let (tx, rx) = std::sync::mpsc::channel();
            let stderr = child.stderr.take().unwrap();
            std::thread::spawn(move || {
                for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                    let _ = tx.send(line);
                }
            });
            let mut finished = None;
            let mut killed_at = None;
            let mut lines = Vec::new();
            loop {
                if let Some(s) = child.try_wait().unwrap() {
                    finished = Some(s);
                    break;
                }
                let mut kill_now = target == 3 && Instant::now() >= deadline;
                while let Ok(line) = rx.try_recv() {
                    if target < 3 && line.contains(steps[target]) {
                        std::thread::sleep(Duration::from_millis(rng.random_range(0..25)));
                        kill_now = true;
                        killed_at = Some(target);
                    }
                    lines.push(line);
                }
                if kill_now {
                    break;
                }
                std::thread::sleep(Duration::from_millis(1));
            }
            match finished {
                Some(status) => {
                    while let Ok(line) = rx.recv_timeout(Duration::from_millis(200)) {
                        lines.push(line);
                    }
                    assert!(
                        status.success(),
                        "an uninterrupted publish fails: {lines:#?}"
                    );
                    break;
                }
                None => {
                    child.kill().unwrap(); // SIGKILL
                    child.wait().unwrap();
                    kills += 1;
                    if let Some(s) = killed_at {
                        kills_at_step[s] += 1;
                    }
                }
            }
            check_workspace(&dir);
            let (recs, items, groups) = counts(&pg, cycle);
            assert!(recs <= 1, "published twice: {recs}");
            assert_eq!(
                (items, groups > 0),
                if recs == 1 {
                    (expected_items, true)
                } else {
                    (0, false)
                },
                "half a publication in the database"
            );
        }
        // Exactly once, everywhere, and the archive verifies.
        let ws = check_workspace(&dir);
        let status = publish::status(&ws, vec![]).unwrap();
        assert_eq!(status.waiting, 0, "{status:?}");
        assert_eq!(counts(&pg, cycle), {
            let (_, _, g) = counts(&pg, cycle);
            (1, expected_items, g)
        });
        let mut s3 = recon_s3::S3Source::at_endpoint(
            &moto.url,
            "test",
            "test",
            recon_s3::S3Options::default(),
        )
        .unwrap();
        let location = ArchiveLocation::parse(&format!("s3://{BUCKET}/c{cycle}/")).unwrap();
        let v = publish::verify_archived(
            &mut s3,
            &location,
            &account,
            &ws.info().period_start,
            &ws.info().period_end,
            1,
        )
        .unwrap();
        assert_eq!(v.files, 7, "five pack files and the two statement files");
        // No temporary staging folder is left behind.
        let leftovers: Vec<_> = std::fs::read_dir(dir.join(publish::OUTBOX_DIR))
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().ends_with(".tmp"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
        let _ = recon_auth::secrets::OsSecrets.delete(&entry);
    }
    eprintln!(
        "publish crash harness: {kills} kills in {cycles} cycles (after staging began {}, at the database {}, at the archive {}, the rest at random times)",
        kills_at_step[0], kills_at_step[1], kills_at_step[2]
    );
    assert!(kills >= KILLS_MIN, "only {kills} kills");
    assert!(
        kills_at_step.iter().all(|k| *k >= 8),
        "kills per step: {kills_at_step:?}"
    );
}
