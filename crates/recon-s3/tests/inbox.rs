//! The statement inbox against real components: moto's S3 server (PyPI moto[server]) on loopback,
//! with the repository's fault-injecting TCP proxy (scripts/faultproxy.py) between the adapter and
//! the server. Set-up calls go through tests/idp/s3_fixture.py (boto3). Each test starts its own
//! servers and workspace (key in memory: the process-level kill -9 harness with the OS keyring is
//! crates/recon-cli/tests/inbox_crash.rs).

#[path = "../../../tests/support/s3.rs"]
mod s3;
#[path = "../../../tests/support/servers.rs"]
mod servers;

use recon_api::inbox::{
    self, InboxConfig, InboxError, InboxStatus, PullOptions, PullReport, StatementSource,
};
use recon_api::workspace::{self as w, MemoryKeyStore, NewWorkspace};
use recon_review::{Principal, Role};
use recon_s3::{S3Options, S3Source};
use recon_store::Workspace;
use s3::{ACCOUNT, Proxy, fixture, mt940};
use servers::{Server, root};
use std::process::Command;
use std::time::{Duration, Instant};

const BUCKET: &str = "acme-bank-statements";
const PREFIX: &str = "abn/NL91ABNA0417164300/2026/11/";

struct Bench {
    _moto: Server,
    moto_url: String,
    dir: tempfile::TempDir,
}

impl Bench {
    fn start() -> Option<Bench> {
        let moto = Server::moto_plain()?;
        Some(Bench {
            moto_url: moto.url.clone(),
            _moto: moto,
            dir: tempfile::tempdir().unwrap(),
        })
    }

    fn file(&self, name: &str, bytes: &[u8]) -> String {
        let path = self.dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        path.display().to_string()
    }

    fn put(&self, key: &str, bytes: &[u8]) -> serde_json::Value {
        let f = self.file("upload", bytes);
        fixture(&self.moto_url, None, &["put", BUCKET, key, &f])
    }

    fn workspace(&self, name: &str) -> (Workspace, Principal, MemoryKeyStore) {
        let keys = MemoryKeyStore::default();
        let clara = Principal::new("clara", "Clara", &[Role::Clerk]);
        let ws = new_workspace(&self.dir.path().join(name), &clara, &keys);
        (ws, clara, keys)
    }
}

/// A November 2026 workspace of ACCOUNT in `dir`, created by `who`, opened.
fn new_workspace(dir: &std::path::Path, who: &Principal, keys: &MemoryKeyStore) -> Workspace {
    w::create_workspace(
        &NewWorkspace {
            dir: dir.to_path_buf(),
            account: ACCOUNT.into(),
            currency: "EUR".into(),
            period_start: "2026-11-01".parse().unwrap(),
            period_end: "2026-11-30".parse().unwrap(),
            ledger_opening: None,
        },
        who,
        keys,
    )
    .unwrap();
    w::open_workspace(dir, keys).unwrap()
}

fn config() -> InboxConfig {
    InboxConfig {
        statements: Some(format!(
            "s3://{BUCKET}/{{bank}}/{{account}}/{{yyyy}}/{{mm}}/"
        )),
        ledger: Some("s3://acme-ledger/{account}/{yyyy}/{mm}/".into()),
        banks: vec![(ACCOUNT.into(), "abn".into())],
        interval_minutes: 0,
    }
}

/// Any key signs on moto without IAM enforcement.
const TEST_KEYS: (&str, &str) = ("test", "test");

fn options(stall: Duration, max_requests: u32, sdk_attempts: u32) -> S3Options {
    S3Options {
        stall,
        max_requests,
        sdk_attempts,
    }
}

fn source(endpoint: &str, stall: Duration) -> S3Source {
    source_with(endpoint, TEST_KEYS, options(stall, 8, 2))
}

fn source_with(endpoint: &str, (id, secret): (&str, &str), options: S3Options) -> S3Source {
    S3Source::at_endpoint(endpoint, id, secret, options).unwrap()
}

fn pull(ws: &mut Workspace, who: &Principal, s3: &mut dyn StatementSource) -> PullReport {
    pull_with(ws, who, s3, &PullOptions::default())
}

fn pull_with(
    ws: &mut Workspace,
    who: &Principal,
    s3: &mut dyn StatementSource,
    options: &PullOptions,
) -> PullReport {
    inbox::pull(ws, who, s3, &config(), options, &mut |_| {}).unwrap()
}

fn sha256_hex(bytes: &[u8]) -> String {
    use sha2::Digest;
    recon_review::hex(&sha2::Sha256::digest(bytes))
}

/// No statement is half there: each one holds exactly its recorded line count.
fn statements_whole(ws: &mut Workspace) {
    let c = ws.connection_for_tests();
    let broken: i64 = c
        .query_row(
            "SELECT count(*) FROM statements s WHERE s.line_count <>
                (SELECT count(*) FROM bank_lines b WHERE b.statement = s.id)
                AND s.superseded_by IS NULL",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(broken, 0, "a statement is missing lines");
}

#[test]
fn new_files_come_in_once_with_their_provenance() {
    let Some(b) = Bench::start() else { return };
    fixture(&b.moto_url, None, &["bucket", BUCKET, "--versioned"]);
    fixture(&b.moto_url, None, &["bucket", "acme-ledger"]);
    let demo = root().join("assets/demo");
    let camt = std::fs::read(demo.join("statements/demo-2026-11-a.camt053.xml")).unwrap();
    let sta = std::fs::read(demo.join("statements/demo-2026-11-b.sta")).unwrap();
    let put_camt = b.put(&format!("{PREFIX}a.camt053.xml"), &camt);
    b.put(&format!("{PREFIX}b.sta"), &sta);
    // A ledger extract without a stored checksum: its single-part ETag (MD5) vouches for it.
    let ledger = b.file(
        "ledger.csv",
        &std::fs::read(demo.join("ledger.csv")).unwrap(),
    );
    fixture(
        &b.moto_url,
        None,
        &[
            "plain",
            "acme-ledger",
            &format!("{ACCOUNT}/2026/11/ledger.csv"),
            &ledger,
        ],
    );
    let (mut ws, clara, _keys) = b.workspace("ws");
    let mut s3 = source(&b.moto_url, Duration::from_secs(10));

    // Seen before pulled: the inbox lists three new files.
    let (found, errors) = inbox::scan(&mut ws, &mut s3, &config(), None).unwrap();
    assert_eq!((found.len(), errors.len()), (3, 0));
    let view = inbox::view(&ws, &config()).unwrap();
    assert_eq!((view.new_files, view.imported_files), (3, 0));

    let report = pull(&mut ws, &clara, &mut s3);
    assert_eq!(
        (report.imported, report.failed, report.left),
        (3, 0, 0),
        "{report:#?}"
    );
    assert_eq!(
        report.bytes_downloaded as usize,
        camt.len() + sta.len() + 1999
    );
    let files = ws.sourced_files().unwrap();
    assert_eq!(files.len(), 3);
    let a = files
        .iter()
        .find(|f| f.source.key.ends_with("a.camt053.xml"))
        .unwrap();
    assert_eq!(a.name, format!("s3://{BUCKET}/{PREFIX}a.camt053.xml"));
    assert_eq!(a.sha256_hex, sha256_hex(&camt));
    assert_eq!(a.source.size_bytes as usize, camt.len());
    assert_eq!(
        a.source.version_id.as_deref(),
        put_camt["VersionId"].as_str()
    );
    assert_eq!(
        a.source.etag,
        put_camt["ETag"].as_str().unwrap().trim_matches('"')
    );
    assert_eq!(a.source.verified_by, "sha256 checksum");
    let l = files.iter().find(|f| f.kind == "ledger").unwrap();
    assert_eq!(l.source.verified_by, "etag md5");
    assert_eq!(
        l.source.version_id, None,
        "an unversioned bucket has no version ids"
    );
    // The audit trail names where each statement came from.
    let (entries, _) = ws.audit_entries().unwrap();
    let imported: Vec<_> = entries
        .iter()
        .filter(|e| e.action == "statement_imported")
        .collect();
    assert!(!imported.is_empty());
    assert!(
        imported.iter().all(|e| e.after.contains(BUCKET)),
        "{imported:?}"
    );

    // The sign-off pack lists where every file came from, in all three renderings.
    let pack = recon_api::sign_off_pack(&mut ws).unwrap();
    let sourced: Vec<_> = pack
        .input_files
        .iter()
        .filter_map(|f| f.source.as_ref())
        .collect();
    assert_eq!(sourced.len(), 3);
    assert!(sourced.iter().any(|s| s.uri == a.name
        && s.version_id == a.source.version_id
        && s.verified_by == "sha256 checksum"));
    let csv =
        recon_report::render(&pack, recon_api::ReportFormat::Csv, &Default::default()).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert_eq!(
        csv.lines()
            .filter(|l| l.starts_with("input_source,"))
            .count(),
        3,
        "{csv}"
    );
    let pdf_path = b.dir.path().join("pack.pdf");
    recon_api::export_sign_off(
        &mut ws,
        recon_api::ReportFormat::Pdf,
        &pdf_path,
        &Default::default(),
    )
    .unwrap();
    let out = Command::new("pdftotext")
        .args([pdf_path.as_os_str(), "-".as_ref()])
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/setup.sh)");
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("Where the input files came from"), "{text}");
    assert!(text.contains("sha256 checksum"));

    // Nothing twice: the second pull fetches nothing, the view says all imported.
    let again = pull(&mut ws, &clara, &mut s3);
    assert_eq!(
        (again.imported, again.failed, again.bytes_downloaded),
        (0, 0, 0)
    );
    assert_eq!(again.view.imported_files, 3);
    assert!(
        again
            .view
            .files
            .iter()
            .all(|f| f.status == InboxStatus::Imported)
    );
    ws.verify_audit().unwrap();
    statements_whole(&mut ws);
    // No partial download is left behind.
    let left: Vec<_> = std::fs::read_dir(ws.dir().join(inbox::INBOX_DIR))
        .map(|d| d.flatten().map(|e| e.path()).collect())
        .unwrap_or_default();
    assert!(left.is_empty(), "{left:?}");
}

#[test]
fn a_new_version_of_an_imported_object_replaces_the_statement_through_the_audit() {
    let Some(b) = Bench::start() else { return };
    fixture(&b.moto_url, None, &["bucket", BUCKET, "--versioned"]);
    let key = format!("{PREFIX}daily.sta");
    let v1 = b.put(&key, &mt940("DAILY1", 40, 0));
    let (mut ws, clara, _keys) = b.workspace("ws");
    let mut s3 = source(&b.moto_url, Duration::from_secs(10));
    let first = pull(&mut ws, &clara, &mut s3);
    assert_eq!(first.imported, 1, "{first:#?}");
    let total = |ws: &mut Workspace| -> (i64, i64) {
        ws.connection_for_tests()
            .query_row(
                "SELECT count(*), sum(lines_total_minor) FROM statements WHERE superseded_by IS NULL",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap()
    };
    let before = total(&mut ws);

    // The bank corrects the file: same statement, one amount 5.00 higher.
    let v2 = b.put(&key, &mt940("DAILY1", 40, 500));
    assert_ne!(v1["VersionId"], v2["VersionId"]);
    let second = pull(&mut ws, &clara, &mut s3);
    assert_eq!(
        (second.imported, second.replaced, second.failed),
        (1, 1, 0),
        "{second:#?}"
    );
    let after = total(&mut ws);
    assert_eq!(after.0, before.0, "a replacement, not a duplicate");
    assert_eq!(after.1, before.1 + 500);
    let (entries, _) = ws.audit_entries().unwrap();
    let replaced = entries
        .iter()
        .find(|e| e.action == "statement_replaced")
        .expect("an audited replacement");
    assert!(
        replaced.after.contains("new version of s3://"),
        "{}",
        replaced.after
    );
    assert!(replaced.after.contains(v2["VersionId"].as_str().unwrap()));
    // Both versions are evidence.
    let sources = ws.sourced_files().unwrap();
    assert_eq!(sources.len(), 2);
    ws.verify_audit().unwrap();
    statements_whole(&mut ws);
}

#[test]
fn each_file_fails_on_its_own_and_a_failed_file_is_retried() {
    let Some(b) = Bench::start() else { return };
    let proxy = Proxy::start(&b.moto_url).expect("fault proxy");
    fixture(&b.moto_url, None, &["bucket", BUCKET, "--versioned"]);
    let good = mt940("GOOD1", 30, 0);
    b.put(&format!("{PREFIX}1-good.sta"), &good);
    // The store's checksum says other bytes.
    let bad = mt940("BAD1", 30, 0);
    let bad_file = b.file("bad.sta", &bad);
    fixture(
        &b.moto_url,
        None,
        &[
            "corrupt",
            BUCKET,
            &format!("{PREFIX}2-corrupt.sta"),
            &bad_file,
        ],
    );
    // Over the import limit: refused after HeadObject, before any byte.
    let big = mt940("BIG1", 2000, 0);
    b.put(&format!("{PREFIX}3-big.sta"), &big);
    // Not a statement at all.
    b.put(&format!("{PREFIX}4-scan.pdf"), b"%PDF-1.4 not a statement");
    let (mut ws, clara, _keys) = b.workspace("ws");
    let mut s3 = source(&proxy.url, Duration::from_secs(10));
    let mut options = PullOptions::default();
    options.import.parse.limits.max_file_bytes = 100_000;
    assert!(big.len() > 100_000);
    proxy.call("POST", "/reset-stats");
    let report = pull_with(&mut ws, &clara, &mut s3, &options);
    assert_eq!((report.imported, report.failed), (1, 3), "{report:#?}");
    let by_key = |r: &PullReport, k: &str| {
        r.view
            .files
            .iter()
            .find(|f| f.key.ends_with(k))
            .cloned()
            .unwrap()
    };
    let corrupt = by_key(&report, "2-corrupt.sta");
    assert_eq!(corrupt.status, InboxStatus::Failed);
    assert_eq!(corrupt.error, Some(InboxError::ChecksumMismatch));
    assert!(
        corrupt.message.as_deref().unwrap().contains("sha256"),
        "{corrupt:?}"
    );
    let too_large = by_key(&report, "3-big.sta");
    assert_eq!(too_large.error, Some(InboxError::TooLarge));
    assert!(
        too_large
            .message
            .as_deref()
            .unwrap()
            .contains("over the import limit")
    );
    let scan = by_key(&report, "4-scan.pdf");
    assert_eq!(scan.error, Some(InboxError::RejectedFormat));
    // Not one byte of the big object crossed the wire: everything downloaded is smaller.
    let down = proxy.stats()["bytes_down"].as_u64().unwrap();
    assert!(
        down < big.len() as u64,
        "{down} bytes down, the big object alone has {}",
        big.len()
    );
    // Nothing of the failed files is in the workspace.
    assert_eq!(ws.sourced_files().unwrap().len(), 1);
    statements_whole(&mut ws);

    // Fixed at the source (the same bytes with the right checksum): the next pull takes it, and
    // only it (the others still fail, with one more attempt counted).
    b.put(&format!("{PREFIX}2-corrupt.sta"), &bad);
    let again = pull_with(&mut ws, &clara, &mut s3, &options);
    assert_eq!((again.imported, again.failed), (1, 2), "{again:#?}");
    assert_eq!(
        by_key(&again, "2-corrupt.sta").status,
        InboxStatus::Imported
    );
    assert_eq!(by_key(&again, "3-big.sta").attempts, 2);
    ws.verify_audit().unwrap();
}

#[test]
fn a_download_cut_reset_or_stalled_midway_resumes_and_hashes_to_the_checksum() {
    let Some(b) = Bench::start() else { return };
    let proxy = Proxy::start(&b.moto_url).expect("fault proxy");
    fixture(&b.moto_url, None, &["bucket", BUCKET, "--versioned"]);
    let files: Vec<(String, Vec<u8>)> = ["CUT", "RESET", "STALL"]
        .iter()
        .map(|id| (format!("{PREFIX}{id}.sta"), mt940(id, 6000, 0)))
        .collect();
    for (key, bytes) in &files {
        assert!(bytes.len() > 600_000);
        b.put(key, bytes);
    }
    let (mut ws, clara, _keys) = b.workspace("ws");
    let mut s3 = source(&proxy.url, Duration::from_secs(2));
    let mut cfg = config();
    cfg.ledger = None;
    // Listing and HeadObject pass; each GET's connection is faulted once, 300 kB in.
    for (n, (key, bytes)) in files.iter().enumerate() {
        let object = s3.head(BUCKET, key).unwrap();
        let part = inbox::part_path(ws.dir(), &object);
        std::fs::create_dir_all(part.parent().unwrap()).unwrap();
        let fault = ["cut", "reset", "stall"][n];
        proxy.mode(&format!("mode={fault}&after=300000&conns=1"));
        let started = Instant::now();
        let mut seen = Vec::new();
        let fetched = s3
            .fetch(&object, &part, &mut |bytes| seen.push(bytes))
            .unwrap_or_else(|e| panic!("{fault}: {e:?}"));
        assert_eq!(fetched.requests, 2, "{fault}: one request cut, one resumed");
        assert_eq!(fetched.verified_by, "sha256 checksum");
        assert_eq!(std::fs::read(&part).unwrap(), *bytes, "{fault}");
        assert!(seen.windows(2).all(|w| w[0] <= w[1]), "progress only grows");
        if fault == "stall" {
            assert!(
                started.elapsed() >= Duration::from_secs(2),
                "waited for the stall"
            );
        }
        std::fs::remove_file(&part).unwrap();
    }
    let stats = proxy.stats();
    assert_eq!(
        (
            stats["cuts"].as_u64(),
            stats["resets"].as_u64(),
            stats["stalls"].as_u64()
        ),
        (Some(1), Some(1), Some(1)),
        "{stats}"
    );

    // The whole pull through a connection that is cut every 250 kB: every file resumes to
    // completion and what is imported hashes to what was uploaded.
    proxy.mode("mode=cut&after=250000");
    let report = inbox::pull(
        &mut ws,
        &clara,
        &mut s3,
        &cfg,
        &PullOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!((report.imported, report.failed), (3, 0), "{report:#?}");
    let statements: i64 = ws
        .connection_for_tests()
        .query_row("SELECT count(*) FROM statements", [], |r| r.get(0))
        .unwrap();
    assert_eq!(statements, 3);
    let sources = ws.sourced_files().unwrap();
    for (key, bytes) in &files {
        let f = sources.iter().find(|f| &f.source.key == key).unwrap();
        assert_eq!(f.sha256_hex, sha256_hex(bytes));
    }
    statements_whole(&mut ws);

    // A connection that never comes back: the download gives up after its request budget with
    // a clear status, keeps its bytes, and the next pull (network back) resumes from them.
    fixture(&b.moto_url, None, &["bucket", "acme-late"]);
    let late = mt940("LATE", 6000, 0);
    let late_file = b.file("late.sta", &late);
    fixture(
        &b.moto_url,
        None,
        &["put", "acme-late", "x/late.sta", &late_file],
    );
    let mut cfg_late = cfg.clone();
    cfg_late.statements = Some("s3://acme-late/x/".into());
    proxy.mode("mode=pass");
    let object = s3.head("acme-late", "x/late.sta").unwrap();
    proxy.mode("mode=cut&after=120000");
    let mut s3_short = source_with(&proxy.url, TEST_KEYS, options(Duration::from_secs(2), 2, 1));
    let failed = inbox::pull(
        &mut ws,
        &clara,
        &mut s3_short,
        &cfg_late,
        &PullOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(failed.failed, 1, "{failed:#?}");
    let status = failed
        .view
        .files
        .iter()
        .find(|f| f.key == "x/late.sta")
        .unwrap();
    assert_eq!(status.error, Some(InboxError::Interrupted), "{status:?}");
    let part = inbox::part_path(ws.dir(), &object);
    let kept = std::fs::metadata(&part).unwrap().len();
    assert!(kept > 0 && kept < late.len() as u64, "kept {kept} bytes");
    proxy.mode("mode=pass");
    proxy.call("POST", "/reset-stats");
    let done = inbox::pull(
        &mut ws,
        &clara,
        &mut s3,
        &cfg_late,
        &PullOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(done.imported, 1, "{done:#?}");
    assert_eq!(
        done.bytes_downloaded,
        late.len() as u64 - kept,
        "resumed, not restarted"
    );
    assert!(!part.exists());
    ws.verify_audit().unwrap();
}

#[test]
fn ten_thousand_objects_are_listed_through_pagination() {
    let Some(b) = Bench::start() else { return };
    fixture(&b.moto_url, None, &["bucket", BUCKET]);
    fixture(
        &b.moto_url,
        None,
        &[
            "bulk",
            BUCKET,
            PREFIX,
            "--count",
            "10000",
            "--size",
            "64",
            "--threads",
            "16",
        ],
    );
    let (mut ws, _clara, _keys) = b.workspace("ws");
    let mut s3 = source(&b.moto_url, Duration::from_secs(10));
    let mut cfg = config();
    cfg.ledger = None;
    let started = Instant::now();
    let (found, errors) = inbox::scan(&mut ws, &mut s3, &cfg, None).unwrap();
    eprintln!(
        "listed and recorded 10,000 objects in {:?}",
        started.elapsed()
    );
    assert!(errors.is_empty(), "{errors:?}");
    assert_eq!(found.len(), 10_000);
    let mut keys: Vec<&str> = found.iter().map(|(_, o)| o.key.as_str()).collect();
    keys.dedup();
    assert_eq!(keys.len(), 10_000, "no page twice");
    let view = inbox::view(&ws, &cfg).unwrap();
    assert_eq!(view.new_files, 10_000);
    assert_eq!(view.files.len(), inbox::VIEW_FILES_MAX);
    assert_eq!(view.locations[0].objects, 10_000);
}

#[test]
fn a_missing_bucket_a_denied_object_and_bad_keys_say_what_and_where() {
    let state = tempfile::tempdir().unwrap();
    let state_dir = state.path().display().to_string();
    // The IAM set-up (admin key) comes with the web-identity bootstrap, which only registers
    // the issuer (never fetched here).
    let Some(moto) = Server::moto_with(
        Some("https://idp.invalid"),
        &[("MOTO_IAM_AUTH", "1"), ("MOTO_STATE_DIR", &state_dir)],
    ) else {
        return;
    };
    let admin: serde_json::Value =
        serde_json::from_slice(&std::fs::read(state.path().join("admin.json")).unwrap()).unwrap();
    let admin = (
        admin["AccessKeyId"].as_str().unwrap().to_string(),
        admin["SecretAccessKey"].as_str().unwrap().to_string(),
    );
    let admin = Some((admin.0.as_str(), admin.1.as_str()));
    let dir = tempfile::tempdir().unwrap();
    let file = |name: &str, bytes: &[u8]| {
        let p = dir.path().join(name);
        std::fs::write(&p, bytes).unwrap();
        p.display().to_string()
    };
    fixture(&moto.url, admin, &["bucket", BUCKET, "--versioned"]);
    let open = file("open.sta", &mt940("OPEN1", 10, 0));
    let secret = file("secret.sta", &mt940("SECRET1", 10, 0));
    fixture(
        &moto.url,
        admin,
        &["put", BUCKET, &format!("{PREFIX}open.sta"), &open],
    );
    fixture(
        &moto.url,
        admin,
        &["put", BUCKET, &format!("{PREFIX}secret/x.sta"), &secret],
    );
    let policy = serde_json::json!({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": ["*"]},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
         "Resource": [format!("arn:aws:s3:::{BUCKET}"), format!("arn:aws:s3:::{BUCKET}/*")]},
        {"Effect": "Deny", "Action": ["s3:GetObject", "s3:GetObjectVersion"],
         "Resource": [format!("arn:aws:s3:::{BUCKET}/{PREFIX}secret/*")]}]});
    let clerk = fixture(&moto.url, admin, &["user", "clerk", &policy.to_string()]);
    let (id, key) = (
        clerk["AccessKeyId"].as_str().unwrap(),
        clerk["SecretAccessKey"].as_str().unwrap(),
    );
    let keys = MemoryKeyStore::default();
    let clara = Principal::new("clara", "Clara", &[Role::Clerk]);
    let ws_dir = dir.path().join("ws");
    let mut ws = new_workspace(&ws_dir, &clara, &keys);
    // The ledger prefix names a bucket that does not exist.
    let mut s3 = source_with(&moto.url, (id, key), options(Duration::from_secs(10), 8, 2));
    let report = pull(&mut ws, &clara, &mut s3);
    assert_eq!((report.imported, report.failed), (1, 1), "{report:#?}");
    let denied = report
        .view
        .files
        .iter()
        .find(|f| f.key.ends_with("secret/x.sta"))
        .unwrap();
    assert_eq!(denied.error, Some(InboxError::AccessDenied), "{denied:?}");
    assert!(denied.message.as_deref().unwrap().contains("secret/x.sta"));
    assert_eq!(report.listing_errors.len(), 1);
    assert!(
        report.listing_errors[0].contains("s3://acme-ledger/")
            && report.listing_errors[0].contains("NoSuchBucket"),
        "{:?}",
        report.listing_errors
    );
    let ledger = report
        .view
        .locations
        .iter()
        .find(|l| l.uri.starts_with("s3://acme-ledger"))
        .unwrap();
    assert!(ledger.error.is_some());

    // Keys the store does not know: the listing fails with a sign-in hint; what was imported
    // stays, and the inbox still shows what was last seen.
    let mut wrong = source_with(
        &moto.url,
        ("AKIAWRONGWRONGWRONG0", "nope"),
        options(Duration::from_secs(10), 8, 2),
    );
    let report = pull(&mut ws, &clara, &mut wrong);
    assert_eq!(report.imported, 0);
    assert!(
        report
            .listing_errors
            .iter()
            .all(|e| e.contains("sign in again")),
        "{:?}",
        report.listing_errors
    );
    assert_eq!(report.view.imported_files, 1);
}

/// The test browser (tests/idp/browser.mjs) as the system browser, signing in as `user`.
fn browser(user: &'static str) -> recon_auth::Opener {
    std::sync::Arc::new(move |url: &str| {
        let url = url.to_string();
        let bot = root().join("tests/idp/browser.mjs");
        std::thread::spawn(move || {
            let _ = Command::new("node")
                .arg(bot)
                .arg(&url)
                .args(["--user", user, "--password", &format!("{user}-pw")])
                .output();
        });
        Ok(())
    })
}

#[test]
fn a_signed_in_clerk_pulls_with_web_identity_credentials_and_a_refused_token_asks_for_a_new_sign_in()
 {
    use recon_api::identity::Identity;
    let Some(idp) = Server::idp() else { return };
    let Some(moto) = Server::moto(&idp.url) else {
        return;
    };
    let env: Vec<(String, String)> = vec![
        ("RECON_OIDC_ISSUER".into(), idp.url.clone()),
        ("RECON_OIDC_CLIENT_ID".into(), "recon-workbench".into()),
        ("RECON_SIGN_IN_TIMEOUT_SECONDS".into(), "30".into()),
        (
            "RECON_AWS_CLERK_ROLE_ARN".into(),
            "arn:aws:iam::123456789012:role/recon-clerk".into(),
        ),
        ("RECON_AWS_REGION".into(), "us-east-1".into()),
        ("RECON_AWS_ENDPOINT_URL".into(), moto.url.clone()),
    ];
    let cfg = recon_auth::config::Config::from_layers(&[], &move |k| {
        env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    })
    .unwrap();
    let secrets = std::sync::Arc::new(recon_auth::secrets::MemorySecrets::default());
    let mut identity = recon_auth::OidcIdentity::new(cfg.oidc.clone().unwrap(), Box::new(secrets))
        .unwrap()
        .with_opener(browser("clara"));
    let session = identity
        .sign_in(recon_review::identity::Purpose::Review)
        .unwrap();
    let clara = session.principal.clone();
    fixture(&moto.url, None, &["bucket", BUCKET, "--versioned"]);
    let dir = tempfile::tempdir().unwrap();
    let one = dir.path().join("one.sta");
    std::fs::write(&one, mt940("WEBID1", 5, 0)).unwrap();
    fixture(
        &moto.url,
        None,
        &[
            "put",
            BUCKET,
            &format!("{PREFIX}one.sta"),
            &one.display().to_string(),
        ],
    );
    let keys = MemoryKeyStore::default();
    let ws_dir = dir.path().join("ws");
    let mut ws = new_workspace(&ws_dir, &clara, &keys);
    let mut cfg_inbox = config();
    cfg_inbox.ledger = None;

    // A token STS refuses (here: not a JWT of the provider) gets no credentials: the listing
    // fails with the sign-in hint and nothing is imported.
    let cell = identity.id_token_cell();
    let good = cell.lock().unwrap().clone();
    *cell.lock().unwrap() = Some("not-a-token".into());
    let mut s3 = S3Source::new(
        &cfg.aws,
        Some((clara.clone(), cell.clone())),
        options(Duration::from_secs(10), 4, 2),
    )
    .unwrap();
    let refused = inbox::pull(
        &mut ws,
        &clara,
        &mut s3,
        &cfg_inbox,
        &PullOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(refused.imported, 0);
    assert!(
        refused
            .listing_errors
            .iter()
            .any(|e| e.contains("sign in again")),
        "{:?}",
        refused.listing_errors
    );
    assert!(good.is_some());

    // The sign-in renews the ID token (refresh token at the provider); the same source now gets
    // STS credentials for the clerk role and the pull goes through.
    identity.renew().unwrap();
    let report = inbox::pull(
        &mut ws,
        &clara,
        &mut s3,
        &cfg_inbox,
        &PullOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!((report.imported, report.failed), (1, 0), "{report:#?}");
    let files = ws.sourced_files().unwrap();
    assert_eq!(files.len(), 1);
    // The import is recorded as the verified person.
    let (entries, _) = ws.audit_entries().unwrap();
    assert!(
        entries
            .iter()
            .any(|e| e.action == "statement_imported" && e.actor.ends_with("#clara")),
        "{entries:?}"
    );
}

#[test]
fn throttling_is_retried_with_backoff_and_reported_when_it_persists() {
    let Some(b) = Bench::start() else { return };
    let proxy = Proxy::start(&b.moto_url).expect("fault proxy");
    fixture(&b.moto_url, None, &["bucket", BUCKET, "--versioned"]);
    b.put(&format!("{PREFIX}one.sta"), &mt940("THROTTLE1", 20, 0));
    let (mut ws, clara, _keys) = b.workspace("ws");
    let mut cfg = config();
    cfg.ledger = None;
    // Two answers "503 SlowDown", then the store answers: the SDK's retry carries the pull.
    proxy.mode("mode=slowdown&conns=2");
    let mut s3 = source_with(
        &proxy.url,
        TEST_KEYS,
        options(Duration::from_secs(10), 4, 4),
    );
    let report = inbox::pull(
        &mut ws,
        &clara,
        &mut s3,
        &cfg,
        &PullOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!((report.imported, report.failed), (1, 0), "{report:#?}");
    assert!(report.listing_errors.is_empty());
    assert_eq!(proxy.stats()["slowdowns"].as_u64(), Some(2));

    // Throttled beyond the retries: the listing says so, per prefix; nothing imported is lost.
    b.put(&format!("{PREFIX}two.sta"), &mt940("THROTTLE2", 20, 0));
    proxy.mode("mode=slowdown");
    let mut s3 = source_with(
        &proxy.url,
        TEST_KEYS,
        options(Duration::from_secs(10), 4, 2),
    );
    let report = inbox::pull(
        &mut ws,
        &clara,
        &mut s3,
        &cfg,
        &PullOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(report.imported, 0);
    assert!(
        report.listing_errors.len() == 1 && report.listing_errors[0].contains("SlowDown"),
        "{:?}",
        report.listing_errors
    );
    assert_eq!(report.view.imported_files, 1);
    proxy.mode("mode=pass");
    let report = inbox::pull(
        &mut ws,
        &clara,
        &mut s3,
        &cfg,
        &PullOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(report.imported, 1, "{report:#?}");
}
