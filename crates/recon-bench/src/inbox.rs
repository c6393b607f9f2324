//! `recon-bench inbox ENDPOINT`: the statement inbox against a local S3 server (scripts/bench.sh
//! starts moto): listing 10,000 objects (ListObjectsV2 pages + recording them in the workspace)
//! and download + import throughput per statement format. Set-up goes through
//! tests/idp/s3_fixture.py (boto3), which must be runnable as `$RECON_BENCH_PYTHON`.

use recon_api::inbox::{self, InboxConfig, PullOptions, StatementSource};
use recon_api::workspace::{self as w, MemoryKeyStore, NewWorkspace};
use recon_gen::writers;
use recon_model::Currency;
use recon_review::{Principal, Role};
use recon_s3::{S3Options, S3Source};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

const ACCOUNT: &str = "NL91ABNA0417164300";
const LIST_OBJECTS: usize = 10_000;
const REPEATS: usize = 3;

fn fixture(endpoint: &str, args: &[&str]) {
    let python = std::env::var("RECON_BENCH_PYTHON").unwrap_or_else(|_| "python3".into());
    let out = Command::new(python)
        .arg("tests/idp/s3_fixture.py")
        .args(["--endpoint", endpoint])
        .args(args)
        .output()
        .expect("python with boto3 (RECON_BENCH_PYTHON)");
    assert!(
        out.status.success(),
        "s3_fixture.py {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn source(endpoint: &str) -> S3Source {
    S3Source::at_endpoint(endpoint, "test", "test", S3Options::default()).expect("S3 source")
}

fn workspace(dir: &Path, keys: &MemoryKeyStore, who: &Principal) -> recon_store::Workspace {
    let _ = std::fs::remove_dir_all(dir);
    w::create_workspace(
        &NewWorkspace {
            dir: dir.to_path_buf(),
            account: ACCOUNT.into(),
            currency: "EUR".into(),
            period_start: "2026-11-01".parse().expect("date"),
            period_end: "2026-11-30".parse().expect("date"),
            ledger_opening: None,
        },
        who,
        keys,
    )
    .expect("workspace");
    w::open_workspace(dir, keys).expect("open")
}

fn config(bucket: &str) -> InboxConfig {
    InboxConfig {
        statements: Some(format!("s3://{bucket}/{{account}}/{{yyyy}}/{{mm}}/")),
        ..InboxConfig::default()
    }
}

pub fn bench_inbox(endpoint: &str, lines_per_file: usize, files: usize) {
    let tmp = std::env::temp_dir().join(format!("recon-bench-inbox-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).expect("temp dir");
    let keys = MemoryKeyStore::default();
    let clara = Principal::new("clara", "Clara", &[Role::Clerk]);
    let prefix = format!("{ACCOUNT}/2026/11/");

    // Listing: 10,000 small objects under one prefix (RECON_BENCH_SKIP_LIST=1 skips it).
    if std::env::var_os("RECON_BENCH_SKIP_LIST").is_none() {
        bench_listing(endpoint, &tmp, &keys, &clara, &prefix);
    }
    download_and_import(
        endpoint,
        &tmp,
        &keys,
        &clara,
        &prefix,
        lines_per_file,
        files,
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

fn bench_listing(
    endpoint: &str,
    tmp: &Path,
    keys: &MemoryKeyStore,
    clara: &Principal,
    prefix: &str,
) {
    fixture(endpoint, &["bucket", "bench-list"]);
    let seeded = Instant::now();
    fixture(
        endpoint,
        &[
            "bulk",
            "bench-list",
            prefix,
            "--count",
            &LIST_OBJECTS.to_string(),
            "--size",
            "64",
            "--threads",
            "16",
        ],
    );
    eprintln!("seeded {LIST_OBJECTS} objects in {:.1?}", seeded.elapsed());
    let mut s3 = source(endpoint);
    let mut best = Duration::MAX;
    for _ in 0..REPEATS {
        let mut ws = workspace(&tmp.join("list"), keys, clara);
        let started = Instant::now();
        let (found, errors) =
            inbox::scan(&mut ws, &mut s3, &config("bench-list"), None).expect("scan");
        best = best.min(started.elapsed());
        assert!(
            errors.is_empty() && found.len() == LIST_OBJECTS,
            "{errors:?}"
        );
    }
    println!(
        "| inbox: list + record (ListObjectsV2, 1,000 a page) | {LIST_OBJECTS} objects, moto on loopback | {best:.3?} | {} objects/s |",
        (LIST_OBJECTS as u128 * 1_000_000) / best.as_micros().max(1)
    );
}

/// Download + import, per format: `files` statements of `lines_per_file` lines each.
fn download_and_import(
    endpoint: &str,
    tmp: &Path,
    keys: &MemoryKeyStore,
    clara: &Principal,
    prefix: &str,
    lines_per_file: usize,
    files: usize,
) {
    let mut s3 = source(endpoint);
    let eur = Currency::from_code("EUR").expect("EUR");
    let amounts: Vec<i64> = (0..997)
        .map(|i| (i * 7919 % 2_000_001) - 1_000_000)
        .collect();
    // "MT940 SEPA": the same statements with :86: texts shaped like the real German SEPA files of
    // ../shared/testdata (structured ?20-?32 subfields over 65-character lines, ~280 bytes a line
    // in all, as betterplace/sepa_mt9401.sta); plain MT940's ~90-byte lines are the worst case.
    // "MT940 real": the 97 transactions of a real bank file (betterplace/sepa_mt9401.sta, German
    // SEPA returns and transfers), their :61:/:86: bytes as the bank wrote them, repeated.
    for (name, bucket) in [
        ("MT940", "bench-mt940"),
        ("MT940 SEPA", "bench-mt940-sepa"),
        ("MT940 real", "bench-mt940-real"),
        ("camt.053", "bench-camt"),
    ] {
        fixture(endpoint, &["bucket", bucket]);
        let mut total_bytes = 0usize;
        let mut texts = Vec::new();
        for n in 0..files {
            let mut statement = writers::synthetic_statement(
                ACCOUNT,
                eur,
                &format!("{}", 500 + n),
                &amounts,
                lines_per_file,
            );
            if name == "MT940 SEPA" {
                for (i, line) in statement.lines.iter_mut().enumerate() {
                    line.description = sepa_details(i);
                }
            }
            let text = match name {
                "MT940 real" => real_mt940(n, lines_per_file),
                "MT940" | "MT940 SEPA" => writers::mt940(&statement),
                _ => writers::camt053(&statement),
            };
            total_bytes += text.len();
            texts.push(text.clone());
            let path: PathBuf = tmp.join(format!("{bucket}-{n}"));
            std::fs::write(&path, text.as_bytes()).expect("write");
            fixture(
                endpoint,
                &[
                    "put",
                    bucket,
                    &format!("{prefix}st-{n}"),
                    &path.display().to_string(),
                ],
            );
            let _ = std::fs::remove_file(&path);
        }
        // The same files imported from memory (no S3): what the workspace import alone costs.
        let mut best_local = (Duration::MAX, Duration::ZERO, Duration::ZERO);
        for _ in 0..REPEATS {
            let mut ws = workspace(&tmp.join(format!("{bucket}-local")), keys, clara);
            let (mut parsing, mut storing) = (Duration::ZERO, Duration::ZERO);
            let started = Instant::now();
            for (n, text) in texts.iter().enumerate() {
                let file = recon_api::InputFile {
                    name: format!("st-{n}"),
                    bytes: text.as_bytes().to_vec(),
                };
                let parse = Instant::now();
                let report = recon_api::import_statement_files(
                    std::slice::from_ref(&file),
                    &recon_api::ImportOptions::default(),
                );
                let store = Instant::now();
                parsing += store - parse;
                w::import_parsed_statements(&mut ws, clara, &file, &report.statements)
                    .expect("import");
                storing += store.elapsed();
            }
            let took = started.elapsed();
            if took < best_local.0 {
                best_local = (took, parsing, storing);
            }
        }
        let (best_local, parsing, storing) = best_local;
        println!(
            "| local import from memory (parse + import, no S3), {name} | {files} files, {} MB | {best_local:.3?} (parse {parsing:.3?}, workspace {storing:.3?}) | {} MB/s |",
            total_bytes / 1_000_000,
            total_bytes as u128 / best_local.as_micros().max(1)
        );
        // The download alone (HeadObject, GET, checksum verification), for the breakdown.
        let mut best_fetch = Duration::MAX;
        for _ in 0..REPEATS {
            let started = Instant::now();
            for n in 0..files {
                let object = s3.head(bucket, &format!("{prefix}st-{n}")).expect("head");
                let part = tmp.join("fetch.part");
                let _ = std::fs::remove_file(&part);
                s3.fetch(&object, &part, &mut |_| {}).expect("fetch");
                let _ = std::fs::remove_file(&part);
            }
            best_fetch = best_fetch.min(started.elapsed());
        }
        println!(
            "| inbox: download only (HeadObject + GET + checksum), {name} | {files} files, {} MB | {best_fetch:.3?} | {} MB/s |",
            total_bytes / 1_000_000,
            total_bytes as u128 / best_fetch.as_micros().max(1)
        );
        let mut best = Duration::MAX;
        let mut imported = 0;
        for _ in 0..REPEATS {
            let mut ws = workspace(&tmp.join(bucket), keys, clara);
            let started = Instant::now();
            let report = inbox::pull(
                &mut ws,
                clara,
                &mut s3,
                &config(bucket),
                &PullOptions::default(),
                &mut |_| {},
            )
            .expect("pull");
            best = best.min(started.elapsed());
            assert_eq!(report.failed, 0, "{report:?}");
            imported = report.imported;
        }
        println!(
            "| inbox: pull = HeadObject + GET + verify + parse + import, {name} | {imported} files × {lines_per_file} lines, {} MB | {best:.3?} | {} MB/s |",
            total_bytes / 1_000_000,
            total_bytes as u128 / best.as_micros().max(1)
        );
    }
}

/// A German SEPA credit transfer's :86: details (GVC 166, structured subfields), wrapped at 65
/// characters a line as banks write them.
fn sepa_details(i: usize) -> String {
    let text = format!(
        "166?00SEPA-UEBERWEISUNG?100931?20EREF+INV-{i:07}?21SVWZ+RE INV-{i:07} vom 2026-11?22Lieferung November Auftrag {i}?30COBADEFFXXX?31DE89370400440532013000?32ACME TRADING GMBH"
    );
    let chars: Vec<char> = text.chars().collect();
    chars
        .chunks(65)
        .map(|c| c.iter().collect::<String>())
        .collect::<Vec<_>>()
        .join("\r\n")
}

/// The real SEPA MT940 file the "MT940 real" profile repeats.
const REAL_MT940: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../../../shared/testdata/mt940/mt940-rs/mt940/full/betterplace/sepa_mt9401.sta"
);

/// One statement of `lines` transactions of account ACCOUNT, made of the real file's :61:/:86:
/// blocks (bytes unchanged) repeated in order; opening 0.00 and the closing balance their sum, so
/// that the statement balances. Statement number 500 + `n`.
fn real_mt940(n: usize, lines: usize) -> String {
    let bytes = std::fs::read(REAL_MT940).expect("../shared/testdata (the real MT940 file)");
    let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
    // The transaction blocks: a :61: line, its :86: and their continuation lines.
    let mut blocks: Vec<String> = Vec::new();
    let mut current: Option<String> = None;
    for line in text.lines() {
        let continues =
            line.starts_with(":86:") || !(line.starts_with(':') || line.starts_with('-'));
        if line.starts_with(":61:") {
            blocks.extend(current.take());
            current = Some(String::new());
        } else if !continues {
            blocks.extend(current.take());
        }
        if let Some(block) = current.as_mut() {
            block.push_str(line);
            block.push_str("\r\n");
        }
    }
    blocks.extend(current);
    // Each block's signed amount, as the project's own parser reads the real file.
    let parsed = recon_api::import_statement_files(
        &[recon_api::InputFile {
            name: "sepa_mt9401.sta".into(),
            bytes,
        }],
        &recon_api::ImportOptions::default(),
    );
    let amounts: Vec<i64> = parsed
        .statements
        .iter()
        .flat_map(|s| s.lines.iter().map(|l| l.amount_minor))
        .collect();
    assert_eq!(
        amounts.len(),
        blocks.len(),
        "one parsed line per :61: block"
    );
    let mut out = format!(
        ":20:BENCH{n}\r\n:25:{ACCOUNT}\r\n:28C:{}/1\r\n:60F:C070903EUR0,00\r\n",
        500 + n
    );
    let mut total: i64 = 0;
    for i in 0..lines {
        out.push_str(&blocks[i % blocks.len()]);
        total += amounts[i % amounts.len()];
    }
    let mark = if total < 0 { 'D' } else { 'C' };
    let abs = total.unsigned_abs();
    out.push_str(&format!(
        ":62F:{mark}070904EUR{},{:02}\r\n-\r\n",
        abs / 100,
        abs % 100
    ));
    out
}
