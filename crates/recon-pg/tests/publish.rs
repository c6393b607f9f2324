//! Publishing against real components: Debian's PostgreSQL (tests/pg/pg_server.py, TLS with its
//! own CA) and moto's S3 server, each test with its own servers and workspaces (keys in memory;
//! the process-level kill -9 harness is crates/recon-cli/tests/publish_crash.rs).

#[path = "../../../tests/support/pg.rs"]
mod pg;
#[path = "../../../tests/support/s3.rs"]
mod s3;
#[path = "../../../tests/support/servers.rs"]
mod servers;

use pg::Pg;
use recon_api::publish::{
    self, Archive, ArchiveLocation, DbOutcome, Destinations, DrainOptions, DrainReport,
    PublishErrorCode, ResultsDb,
};
use recon_api::workspace::MemoryKeyStore;
use recon_review::{Principal, Role};
use recon_s3::{S3Options, S3Source};
use recon_store::Workspace;
use s3::fixture;
use servers::Server;

const BUCKET: &str = "acme-recon";

fn archive(endpoint: &str) -> S3Source {
    S3Source::at_endpoint(endpoint, "test", "test", S3Options::default()).unwrap()
}

fn location() -> ArchiveLocation {
    ArchiveLocation::parse(&format!("s3://{BUCKET}/published/")).unwrap()
}

fn sam() -> Principal {
    Principal::new("sam", "Sam (supervisor)", &[Role::Supervisor])
}

/// An approved demo reconciliation in `dir` (a laptop's workspace).
fn laptop(dir: &std::path::Path, keys: &MemoryKeyStore) -> Workspace {
    recon_api::approved_demo_workspace(dir, keys).unwrap();
    recon_api::workspace::open_workspace(dir, keys).unwrap()
}

fn drain<'a>(
    ws: &mut Workspace,
    db: Option<&'a mut dyn ResultsDb>,
    s3: Option<&'a mut S3Source>,
) -> DrainReport {
    let mut d = Destinations {
        database: db,
        archive: s3.map(|s| (s as &mut dyn Archive, location())),
    };
    publish::drain(
        ws,
        &mut d,
        &sam(),
        &DrainOptions {
            now_unix: 0,
            now: true,
        },
        &mut |_| {},
    )
    .unwrap()
}

struct Servers {
    pg: Pg,
    moto: Server,
    dir: tempfile::TempDir,
}

fn servers() -> Option<Servers> {
    let pg = Pg::start()?;
    let moto = Server::moto_plain()?;
    fixture(&moto.url, None, &["bucket", BUCKET]);
    Some(Servers {
        pg,
        moto,
        dir: tempfile::tempdir().unwrap(),
    })
}

#[test]
fn an_approval_is_published_once_to_postgres_and_s3_and_its_manifest_verifies() {
    let Some(s) = servers() else { return };
    let keys = MemoryKeyStore::default();
    let mut ws = laptop(&s.dir.path().join("a"), &keys);
    let pack = recon_api::sign_off_pack(&mut ws).unwrap();
    let matched: usize = pack.groups.iter().map(|g| g.items.len()).sum();
    assert!(matched > 0 && !pack.exceptions.is_empty());

    let mut db = s.pg.app();
    let mut s3 = archive(&s.moto.url);
    let report = drain(&mut ws, Some(&mut db), Some(&mut s3));
    assert_eq!(report.published, 1, "{report:?}");
    assert_eq!(report.failed, 0);
    assert!(!report.entries[0].database_already);
    // Five files (PDF, XLSX, CSV, two Parquet), the two EUR statement files the reconciliation
    // rests on, and the completion manifest (the claim is not counted).
    assert_eq!(report.entries[0].archive_objects_written, 8);

    let count = |table: &str| s.pg.one(&format!("SELECT count(*) FROM {table}"));
    assert_eq!(count("reconciliations"), "1");
    assert_eq!(count("match_items"), matched.to_string());
    assert_eq!(count("match_groups"), pack.groups.len().to_string());
    assert_eq!(count("open_items"), pack.exceptions.len().to_string());
    assert_eq!(count("adjustments"), pack.adjustments.len().to_string());
    assert_eq!(count("sign_offs"), "1");
    assert_eq!(
        s.pg.one("SELECT audit_hash FROM audit_anchors"),
        pack.audit_head_hash
    );
    assert_eq!(
        s.pg.one("SELECT content_hash FROM reconciliations"),
        pack.content_hash
    );
    // Money is exact: the published items sum to the pack's matched total.
    let bank_sum: i64 = pack
        .groups
        .iter()
        .flat_map(|g| &g.items)
        .filter(|i| i.side == "bank")
        .map(|i| i.amount_minor)
        .sum();
    assert_eq!(
        s.pg.one("SELECT sum(amount_minor) FROM match_items WHERE side = 'bank'"),
        bank_sum.to_string()
    );

    let v = publish::verify_archived(
        &mut s3,
        &location(),
        &pack.account,
        &pack.period_start,
        &pack.period_end,
        1,
    )
    .unwrap();
    assert_eq!(v.files, 7);
    assert_eq!(v.manifest.content_hash, pack.content_hash);
    // The statement files are archived byte for byte, and each statement input names its copy.
    let copies: Vec<_> = v
        .manifest
        .files
        .iter()
        .filter(|f| f.role == "statement_file")
        .collect();
    assert_eq!(copies.len(), 2, "{:?}", v.manifest.files);
    for input in v
        .manifest
        .inputs
        .iter()
        .filter(|i| i.records > 0 && i.kind == "statement")
    {
        let copy = input
            .copy
            .as_deref()
            .expect("a statement input names its copy");
        let f = copies
            .iter()
            .find(|f| f.name == copy)
            .expect("the copy is listed");
        let bytes = s3
            .get(BUCKET, &location().key_of(&v.manifest, f), 1 << 30)
            .unwrap()
            .expect("the copy is in the archive");
        let bundled = recon_api::DEMO_STATEMENTS
            .iter()
            .find(|(n, _)| *n == input.name)
            .expect("a bundled file")
            .1;
        assert_eq!(bytes, bundled, "{}", input.name);
        assert_eq!(f.sha256, input.sha256);
    }
    assert!(
        v.manifest
            .inputs
            .iter()
            .filter(|i| i.kind == "ledger")
            .all(|i| i.copy.is_none()),
        "ledger extracts are not copied"
    );
    // The results as Parquet under Hive partitions, beside the evidence.
    let parquet = s3
        .get(
            BUCKET,
            &format!(
                "published/{}",
                publish::results_key(
                    "matched_items",
                    &pack.account,
                    &pack.period_start,
                    1,
                    &pack.content_hash
                )
            ),
            1 << 30,
        )
        .unwrap()
        .expect("the matched items' Parquet");
    assert_eq!(&parquet[..4], b"PAR1");
    assert!(
        v.manifest.approver.contains("<sam>"),
        "{}",
        v.manifest.approver
    );

    // Nothing more to do, and the status says so.
    let again = drain(&mut ws, Some(&mut db), Some(&mut s3));
    assert!(again.entries.is_empty());
    let status = publish::status(&ws, vec![]).unwrap();
    assert_eq!(status.waiting, 0);
    assert!(status.items[0].published_at.is_some());

    // A retry after a crash that lost the acknowledgements: the database has it already and
    // the archive's objects are its own; nothing is written twice.
    let entry = ws.outbox_entries().unwrap().remove(0);
    let staged = publish::stage(&mut ws, &entry).unwrap();
    let data = publish::staged_pack(&staged).unwrap();
    let outcome = db
        .publish(&publish::Publication {
            manifest: &staged.manifest,
            manifest_sha256: &staged.manifest_sha256,
            pack: &data,
            published_by: "sam",
        })
        .unwrap();
    assert!(matches!(outcome, DbOutcome::AlreadyPublished { .. }));
    assert_eq!(
        publish::archive_staged(&mut s3, &location(), &staged).unwrap(),
        0
    );
    assert_eq!(count("reconciliations"), "1");
    assert_eq!(count("match_items"), matched.to_string());

    // The archive's own history (its manifests) agrees with the database's.
    let from_archive =
        publish::history_from_archive(&mut s3, &location(), &pack.account, 100).unwrap();
    assert_eq!(from_archive.len(), 1);
    assert_eq!(from_archive[0].revision, 1);
    assert_eq!(from_archive[0].content_hash, pack.content_hash);
    assert_eq!(from_archive[0].matched_items as usize, matched);
    assert!(!from_archive[0].published_at.is_empty());

    // The history.
    let h = publish::history(&mut db, &pack.account).unwrap();
    assert_eq!(h.len(), 1);
    assert_eq!(h[0].revision, 1);
    assert_eq!(h[0].matched_items as usize, matched);
    assert!(!h[0].superseded);
}

#[test]
fn a_second_laptop_with_other_content_is_refused_until_a_supervisor_reopens_the_period() {
    let Some(s) = servers() else { return };
    let keys = MemoryKeyStore::default();
    let mut a = laptop(&s.dir.path().join("a"), &keys);
    let mut b = laptop(&s.dir.path().join("b"), &keys);
    let mut db = s.pg.app();
    let mut s3 = archive(&s.moto.url);
    assert_eq!(drain(&mut a, Some(&mut db), Some(&mut s3)).published, 1);
    let a_hash = a.approved_content().unwrap().unwrap().0;
    let claim_before = s3
        .get(
            BUCKET,
            &format!(
                "published/{}/2026-11-01_2026-11-30/revision-1.json",
                a.info().account
            ),
            1 << 20,
        )
        .unwrap()
        .unwrap();

    // Laptop B, same account and period, other content: refused by the database...
    let r = drain(&mut b, Some(&mut db), Some(&mut s3));
    assert_eq!(r.published, 0);
    assert_eq!(r.entries[0].error_code, Some(PublishErrorCode::Refused));
    let message = r.entries[0].error.clone().unwrap();
    assert!(
        message.contains("already published with other content"),
        "{message}"
    );
    assert!(message.contains("reopen"), "{message}");
    // ... and by the archive alone (a team without the database).
    let mut b2 = laptop(&s.dir.path().join("b2"), &keys);
    let r = drain(&mut b2, None, Some(&mut s3));
    assert_eq!(r.entries[0].error_code, Some(PublishErrorCode::Refused));
    assert!(
        r.entries[0]
            .error
            .as_ref()
            .unwrap()
            .contains("revision-1.json")
    );
    // Nothing was overwritten or added.
    assert_eq!(s.pg.one("SELECT count(*) FROM reconciliations"), "1");
    assert_eq!(s.pg.one("SELECT content_hash FROM reconciliations"), a_hash);
    let claim_after = s3
        .get(
            BUCKET,
            &format!(
                "published/{}/2026-11-01_2026-11-30/revision-1.json",
                a.info().account
            ),
            1 << 20,
        )
        .unwrap()
        .unwrap();
    assert_eq!(claim_before, claim_after);
    // A refused entry is not retried by itself.
    let r = drain(&mut b, Some(&mut db), Some(&mut s3));
    assert!(r.entries.is_empty());
    let status = publish::status(&b, vec![]).unwrap();
    assert_eq!((status.waiting, status.refused), (1, 1));

    // A clerk may not reopen; a supervisor may, with a reason.
    let clara = Principal::new("clara", "Clara", &[Role::Clerk]);
    assert!(publish::reopen(&mut b, &clara, "recount").is_err());
    assert!(publish::reopen(&mut b, &sam(), "  ").is_err());
    let reopened = publish::reopen(&mut b, &sam(), "bank recalled a duplicate payment").unwrap();
    assert_eq!(reopened.revision, 2);
    assert_eq!(reopened.supersedes_hash, a_hash);
    b.verify_audit().unwrap();
    let r = drain(&mut b, Some(&mut db), Some(&mut s3));
    assert_eq!(r.published, 1, "{r:?}");
    assert_eq!(s.pg.one("SELECT count(*) FROM reconciliations"), "2");
    assert_eq!(
        s.pg.one("SELECT reason FROM reopenings"),
        "bank recalled a duplicate payment"
    );
    let h = publish::history(&mut db, &a.info().account).unwrap();
    assert_eq!(
        h.iter()
            .map(|p| (p.revision, p.superseded))
            .collect::<Vec<_>>(),
        vec![(2, false), (1, true)]
    );
    // The archive alone tells the same story (a period no longer in the database).
    let from_archive =
        publish::history_from_archive(&mut s3, &location(), &a.info().account, 100).unwrap();
    assert_eq!(
        from_archive
            .iter()
            .map(|p| (p.revision, p.superseded))
            .collect::<Vec<_>>(),
        vec![(2, false), (1, true)]
    );
    let v = publish::verify_archived(
        &mut s3,
        &location(),
        &b.info().account,
        "2026-11-01",
        "2026-11-30",
        2,
    )
    .unwrap();
    assert_eq!(v.manifest.supersedes.unwrap().content_hash, a_hash);
    // Laptop A's approval stays published as revision 1 (the archive keeps both).
    publish::verify_archived(
        &mut s3,
        &location(),
        &a.info().account,
        "2026-11-01",
        "2026-11-30",
        1,
    )
    .unwrap();
}

#[test]
fn the_app_role_inserts_and_reads_but_never_updates_or_deletes() {
    let Some(pg) = Pg::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let mut ws = laptop(&dir.path().join("a"), &keys);
    let mut db = pg.app();
    assert_eq!(drain(&mut ws, Some(&mut db), None).published, 1);
    for sql in [
        "UPDATE reconciliations SET account = 'x'",
        "DELETE FROM match_items",
        "DELETE FROM audit_anchors",
        "UPDATE sign_offs SET approver = 'mallory'",
        "TRUNCATE reopenings",
        "DROP TABLE match_items",
        "INSERT INTO recon_schema_migrations (version, name, sha256) VALUES (99, 'x', 'y')",
    ] {
        let e = db.query_texts(sql).unwrap_err();
        assert!(
            e.code == PublishErrorCode::AccessDenied || e.message.contains("must be owner"),
            "{sql}: {e}"
        );
    }
    assert_eq!(
        db.query_texts("SELECT count(*) FROM match_items")
            .unwrap()
            .len(),
        1
    );
    assert_eq!(pg.one("SELECT count(*) FROM reconciliations"), "1");
}

#[test]
fn tls_is_verified_credentials_and_schema_are_named_and_a_dead_server_is_retried() {
    let Some(pg) = Pg::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let mut ws = laptop(&dir.path().join("a"), &keys);
    let try_with = |ws: &mut Workspace, db: &mut recon_pg::PgResults| {
        let r = drain(ws, Some(db), None);
        (
            r.entries[0].error_code,
            r.entries[0].error.clone().unwrap_or_default(),
        )
    };
    // A server whose certificate does not chain to the configured CA.
    let mut wrong_ca =
        recon_pg::PgResults::with_password(&pg.app_url(), Some(&pg.other_ca), pg::APP_PASSWORD)
            .unwrap();
    let (code, message) = try_with(&mut ws, &mut wrong_ca);
    assert_eq!(code, Some(PublishErrorCode::Tls), "{message}");
    // The certificate names localhost and 127.0.0.1, not another host name.
    // A wrong password.
    let mut wrong_pw =
        recon_pg::PgResults::with_password(&pg.app_url(), Some(&pg.ca), "nope").unwrap();
    let (code, message) = try_with(&mut ws, &mut wrong_pw);
    assert_eq!(code, Some(PublishErrorCode::AuthFailed), "{message}");
    assert!(message.contains("recon db password"), "{message}");
    // A database without the schema.
    pg.admin()
        .query_texts(&format!("CREATE DATABASE empty OWNER {}", pg::APP_USER))
        .unwrap();
    let mut empty = recon_pg::PgResults::with_password(
        &format!("postgresql://{}@127.0.0.1:{}/empty", pg::APP_USER, pg.port),
        Some(&pg.ca),
        pg::APP_PASSWORD,
    )
    .unwrap();
    let (code, message) = try_with(&mut ws, &mut empty);
    assert_eq!(code, Some(PublishErrorCode::SchemaMissing), "{message}");
    assert!(message.contains("recon db migrate"), "{message}");
    // Nothing listens: unreachable, retried later; the entry keeps its error and attempts.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut dead = recon_pg::PgResults::with_password(
        &format!("postgresql://{}@127.0.0.1:{port}/postgres", pg::APP_USER),
        Some(&pg.ca),
        pg::APP_PASSWORD,
    )
    .unwrap();
    let (code, message) = try_with(&mut ws, &mut dead);
    assert_eq!(code, Some(PublishErrorCode::Unreachable), "{message}");
    let status = publish::status(&ws, vec![]).unwrap();
    assert_eq!(status.waiting, 1);
    assert_eq!(status.refused, 0);
    assert_eq!(status.items[0].attempts, 4);
    assert_eq!(
        status.items[0].last_error_code,
        Some(PublishErrorCode::Unreachable)
    );
    // Then the right database: published.
    let mut db = pg.app();
    assert_eq!(drain(&mut ws, Some(&mut db), None).published, 1);
    // A migration run twice applies nothing the second time.
    assert!(pg.admin().migrate().unwrap().is_empty());
}

#[test]
fn connections_cut_at_any_point_roll_back_and_the_retry_completes_once() {
    let Some(pg) = Pg::start() else { return };
    let Some(proxy) = s3::Proxy::start(&format!("http://127.0.0.1:{}", pg.port)) else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let mut ws = laptop(&dir.path().join("a"), &keys);
    let port = proxy.url.rsplit(':').next().unwrap().trim_end_matches('/');
    let mut via_proxy = recon_pg::PgResults::with_password(
        &format!("postgresql://{}@localhost:{port}/postgres", pg::APP_USER),
        Some(&pg.ca),
        pg::APP_PASSWORD,
    )
    .unwrap();
    // One connection per attempt, cut after more and more bytes from the server (in the TLS
    // handshake, in authentication, in the schema check, in the transaction) or reset.
    let mut failed = 0;
    let mut published = 0;
    for (n, (mode, after)) in [
        ("cut", 200),
        ("reset", 1_000),
        ("cut", 2_000),
        ("reset", 3_000),
        ("cut", 4_000),
        ("cut", 6_000),
        ("reset", 9_000),
        ("pass", 0),
    ]
    .into_iter()
    .enumerate()
    {
        proxy.mode(&format!("mode={mode}&after={after}&conns=1"));
        let r = drain(&mut ws, Some(&mut via_proxy), None);
        let recs: i64 = pg
            .one("SELECT count(*) FROM reconciliations")
            .parse()
            .unwrap();
        let items: i64 = pg.one("SELECT count(*) FROM match_items").parse().unwrap();
        let groups: i64 = pg.one("SELECT count(*) FROM match_groups").parse().unwrap();
        // Whole or nothing, never twice.
        assert!(recs <= 1, "attempt {n}: {recs} reconciliations");
        assert_eq!(recs == 0, items == 0, "attempt {n}: half a publication");
        assert_eq!(recs == 0, groups == 0, "attempt {n}: half a publication");
        if r.entries.is_empty() {
            break; // published by an earlier attempt
        }
        match &r.entries[0].error_code {
            None => published += 1,
            Some(code) => {
                assert!(
                    matches!(code, PublishErrorCode::Unreachable | PublishErrorCode::Tls),
                    "attempt {n} ({mode} after {after}): {:?}",
                    r.entries[0]
                );
                failed += 1;
            }
        }
    }
    assert_eq!(published, 1);
    assert!(failed >= 3, "only {failed} attempts were cut");
    assert_eq!(pg.one("SELECT count(*) FROM reconciliations"), "1");
    let stats = proxy.stats();
    assert!(
        stats["cuts"].as_i64().unwrap() + stats["resets"].as_i64().unwrap() >= 3,
        "{stats}"
    );
}

/// A publisher held inside its transaction: the administrator's own session (unix socket) holds
/// the period's advisory lock, so the publisher waits after BEGIN until something ends it.
struct HeldPublisher {
    runtime: tokio::runtime::Runtime,
    admin: tokio_postgres::Client,
    /// The period's lock key.
    key: String,
    /// The publisher's backend process id.
    pid: i32,
    publisher: std::thread::JoinHandle<(Workspace, DrainReport)>,
}

fn hold_publisher(pg: &Pg, ws: Workspace) -> HeldPublisher {
    let info = ws.info().clone();
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let admin = runtime.block_on(async {
        let (client, connection) = tokio_postgres::Config::new()
            .host_path(&pg.socket)
            .port(pg.port)
            .user("postgres")
            .dbname("postgres")
            .connect(tokio_postgres::NoTls)
            .await
            .unwrap();
        tokio::spawn(async move {
            let _ = connection.await;
        });
        client
    });
    let key = format!("{}|{}|{}", info.account, info.period_start, info.period_end);
    runtime
        .block_on(admin.execute("SELECT pg_advisory_lock(hashtextextended($1, 0))", &[&key]))
        .unwrap();
    let mut db = pg.app();
    let publisher = std::thread::spawn(move || {
        let mut ws = ws;
        let report = drain(&mut ws, Some(&mut db), None);
        (ws, report)
    });
    let started = std::time::Instant::now();
    let pid: i32 = loop {
        let rows = runtime
            .block_on(admin.query(
                "SELECT pid FROM pg_stat_activity WHERE usename = $1 AND wait_event_type = 'Lock'",
                &[&pg::APP_USER],
            ))
            .unwrap();
        if let Some(r) = rows.first() {
            break r.get(0);
        }
        assert!(
            started.elapsed() < std::time::Duration::from_secs(20),
            "the publisher never waited for the period's lock"
        );
        std::thread::sleep(std::time::Duration::from_millis(20));
    };
    HeldPublisher {
        runtime,
        admin,
        key,
        pid,
        publisher,
    }
}

/// The held publisher's attempt failed as unreachable and wrote nothing.
fn rolled_back(pg: &Pg, report: &DrainReport) {
    assert_eq!(report.published, 0, "{report:?}");
    assert_eq!(
        report.entries[0].error_code,
        Some(PublishErrorCode::Unreachable),
        "{report:?}"
    );
    assert_eq!(pg.one("SELECT count(*) FROM reconciliations"), "0");
    assert_eq!(pg.one("SELECT count(*) FROM match_items"), "0");
}

#[test]
fn a_session_the_server_ends_inside_the_transaction_rolls_back_and_the_retry_completes() {
    let Some(pg) = Pg::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let held = hold_publisher(&pg, laptop(&dir.path().join("a"), &keys));
    // What a restart's fast shutdown sends each session (SQLSTATE 57P01).
    held.runtime
        .block_on(
            held.admin
                .execute("SELECT pg_terminate_backend($1)", &[&held.pid]),
        )
        .unwrap();
    let (mut ws, report) = held.publisher.join().unwrap();
    rolled_back(&pg, &report);
    held.runtime
        .block_on(held.admin.execute(
            "SELECT pg_advisory_unlock(hashtextextended($1, 0))",
            &[&held.key],
        ))
        .unwrap();
    let mut db = pg.app();
    assert_eq!(drain(&mut ws, Some(&mut db), None).published, 1);
    assert_eq!(pg.one("SELECT count(*) FROM reconciliations"), "1");
}

#[test]
fn a_server_restart_inside_the_transaction_rolls_back_and_the_retry_completes() {
    let Some(pg) = Pg::start() else { return };
    let dir = tempfile::tempdir().unwrap();
    let keys = MemoryKeyStore::default();
    let held = hold_publisher(&pg, laptop(&dir.path().join("a"), &keys));
    // The whole server restarts (an RDS reboot or failover): every session ends, the open
    // transaction is rolled back, and the server accepts connections again.
    pg.server.signal("USR1");
    let (mut ws, report) = held.publisher.join().unwrap();
    // The server comes back (the administrator's session, and its lock, ended with it).
    let back = std::time::Instant::now();
    while pg.admin().query_texts("SELECT 1").is_err() {
        assert!(
            back.elapsed() < std::time::Duration::from_secs(60),
            "the server did not come back"
        );
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    rolled_back(&pg, &report);
    let mut db = pg.app();
    assert_eq!(drain(&mut ws, Some(&mut db), None).published, 1);
    assert_eq!(pg.one("SELECT count(*) FROM reconciliations"), "1");
    let status = publish::status(&ws, vec![]).unwrap();
    assert_eq!(status.waiting, 0);
}

/// A December workspace for the demo account (the approved demo is November 2026).
fn next_period(dir: &std::path::Path, keys: &MemoryKeyStore, start: (i32, u32)) -> Workspace {
    use recon_api::workspace as w;
    let clara = Principal::new("clara", "Clara (clerk)", &[Role::Clerk]);
    let first = chrono::NaiveDate::from_ymd_opt(start.0, start.1, 1).unwrap();
    let last = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap()
        .pred_opt()
        .unwrap();
    w::create_workspace(
        &w::NewWorkspace {
            dir: dir.to_path_buf(),
            account: recon_api::DEMO_ACCOUNT.into(),
            currency: "EUR".into(),
            period_start: first,
            period_end: last,
            ledger_opening: None,
        },
        &clara,
        keys,
    )
    .unwrap();
    w::open_workspace(dir, keys).unwrap()
}

#[test]
fn the_next_period_opens_with_the_previous_periods_open_items_from_the_database_or_the_archive() {
    let Some(s) = servers() else { return };
    let keys = MemoryKeyStore::default();
    let mut november = laptop(&s.dir.path().join("nov"), &keys);
    let pack = recon_api::sign_off_pack(&mut november).unwrap();
    let mut db = s.pg.app();
    let mut s3 = archive(&s.moto.url);
    assert_eq!(
        drain(&mut november, Some(&mut db), Some(&mut s3)).published,
        1
    );
    let open = |side: &str| -> (u64, i64) {
        let items: Vec<_> = pack.exceptions.iter().filter(|e| e.side == side).collect();
        (
            items.len() as u64,
            items.iter().map(|e| e.amount_minor).sum(),
        )
    };
    let (bank_n, bank_sum) = open("bank");
    let (ledger_n, ledger_sum) = open("ledger");
    assert!(
        bank_n > 0 && ledger_n > 0,
        "the demo leaves items open on both sides"
    );
    let clara = Principal::new("clara", "Clara (clerk)", &[Role::Clerk]);
    let loc = location();

    // From the database (the archive configured too, not needed).
    let mut dec = next_period(&s.dir.path().join("dec"), &keys, (2026, 12));
    let r = recon_api::carry::carry_forward(&mut dec, &clara, Some(&mut db), Some((&mut s3, &loc)))
        .unwrap();
    assert_eq!(r.source, "database");
    assert_eq!(
        (r.from_period_start.as_str(), r.from_revision),
        ("2026-11-01", 1)
    );
    assert_eq!(r.from_content_hash, pack.content_hash);
    assert_eq!((r.bank_items, r.bank_minor), (bank_n, bank_sum));
    assert_eq!((r.ledger_items, r.ledger_minor), (ledger_n, ledger_sum));
    assert_eq!(r.already_present, 0);
    assert_eq!(
        r.ledger_opening_set_minor,
        Some(pack.reconciliation.ledger_balance_minor)
    );
    // The carried items are open items of December, not December's movements: the ledger
    // balance is November's, and the open items are exactly what November left open.
    let totals = dec.open_item_totals().unwrap();
    assert_eq!(
        totals.ledger_balance_minor,
        pack.reconciliation.ledger_balance_minor
    );
    assert_eq!(totals.open_items, bank_n + ledger_n);
    let carried = dec.carried_forward().unwrap().expect("recorded");
    assert_eq!(carried.source, "database");
    assert!(
        dec.audit_entries()
            .unwrap()
            .0
            .iter()
            .any(|e| e.action == "opening_items_carried"),
        "the carry-forward is audited"
    );
    dec.verify_audit().unwrap();
    // Once per workspace.
    let again = recon_api::carry::carry_forward(&mut dec, &clara, Some(&mut db), None)
        .unwrap_err()
        .to_string();
    assert!(again.contains("already holds"), "{again}");

    // From the archive alone (a team without the database), and from the archive when the
    // database cannot be reached: the same items.
    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut dead = recon_pg::PgResults::with_password(
        &format!("postgresql://{}@127.0.0.1:{port}/postgres", pg::APP_USER),
        Some(&s.pg.ca),
        pg::APP_PASSWORD,
    )
    .unwrap();
    for (name, database) in [
        ("dec-archive", None),
        ("dec-offline-db", Some(&mut dead as &mut dyn ResultsDb)),
    ] {
        let mut other = next_period(&s.dir.path().join(name), &keys, (2026, 12));
        let r =
            recon_api::carry::carry_forward(&mut other, &clara, database, Some((&mut s3, &loc)))
                .unwrap();
        assert_eq!(r.source, "archive", "{name}");
        assert_eq!((r.bank_items, r.bank_minor), (bank_n, bank_sum), "{name}");
        assert_eq!(
            (r.ledger_items, r.ledger_minor),
            (ledger_n, ledger_sum),
            "{name}"
        );
        assert_eq!(
            other.open_item_totals().unwrap(),
            totals,
            "{name}: the archive's items are the database's"
        );
        if name == "dec-offline-db" {
            let note = r.database_note.expect("says why the archive was read");
            assert!(note.contains(&port.to_string()), "{note}");
        }
    }

    // A gap (January 2027 while December is not published) is refused, naming the gap.
    let mut jan = next_period(&s.dir.path().join("jan"), &keys, (2027, 1));
    let gap =
        recon_api::carry::carry_forward(&mut jan, &clara, Some(&mut db), Some((&mut s3, &loc)))
            .unwrap_err()
            .to_string();
    assert!(
        gap.contains("2026-12-31") && gap.contains("not published"),
        "{gap}"
    );
    assert!(jan.carried_forward().unwrap().is_none());
    // No destination at all: a clear error.
    let none = recon_api::carry::carry_forward(&mut jan, &clara, None, None)
        .unwrap_err()
        .to_string();
    assert!(none.contains("publish.database_url"), "{none}");
}
