//! `recon-bench store N`: the workspace's speed figures on an encrypted workspace whose key is in
//! the OS keyring (run under scripts/with-keyring.sh): import N bank lines and the ~1.1 N ledger
//! entries of `recon gen` data, load a page of 1,000 exceptions (filtered, sorted), commit single
//! review decisions. The generated CSV is split here (it has no quoted fields) and every item is
//! moved to the workspace's one account, so the import row times the store alone; the CSV
//! importer's own throughput is in the Parsing section of BENCHMARKS.md.

use recon_model::{Balance, Currency, Date, Format, LedgerEntry, Statement, StatementLine};
use recon_review::{Principal, Role};
use recon_store::{
    Actor, ExceptionQuery, ExceptionSort, FileRecord, KeyStore, OsKeyStore, Workspace,
};
use std::time::{Duration, Instant};

const ACCOUNT: &str = "NL91ABNA0417164300";
const DECISIONS: usize = 50;
const PAGES: usize = 20;

fn date(s: &str) -> Date {
    Date::parse_from_str(s, "%Y-%m-%d").expect("generated date")
}

fn amount(s: &str) -> i64 {
    recon_model::parse_minor(s, b'.', 2).expect("generated amount")
}

fn opt(s: &str) -> Option<String> {
    if s.is_empty() {
        None
    } else {
        Some(s.to_string())
    }
}

fn split_generated(bank_csv: &str, ledger_csv: &str) -> (Statement, Vec<LedgerEntry>) {
    assert!(
        !bank_csv.contains('"') && !ledger_csv.contains('"'),
        "generated CSV has quoted fields"
    );
    let eur = Currency::from_code("EUR").expect("EUR");
    let mut lines = Vec::new();
    for row in bank_csv.lines().skip(1) {
        let f: Vec<&str> = row.splitn(8, ',').collect();
        lines.push(StatementLine {
            line_id: f[0].to_string(),
            booking_date: date(f[2]),
            value_date: Some(date(f[3])),
            amount_minor: amount(f[4]),
            reference: opt(f[6]),
            description: f[7].to_string(),
            ..StatementLine::default()
        });
    }
    let ledger = ledger_csv
        .lines()
        .skip(1)
        .map(|row| {
            let f: Vec<&str> = row.splitn(7, ',').collect();
            LedgerEntry {
                entry_id: f[0].to_string(),
                account: ACCOUNT.to_string(),
                posting_date: date(f[2]),
                amount_minor: amount(f[3]),
                currency: eur,
                reference: opt(f[5]),
                description: f[6].to_string(),
            }
        })
        .collect();
    let total: i64 = lines.iter().map(|l| l.amount_minor).sum();
    let first = lines
        .iter()
        .map(|l| l.booking_date)
        .min()
        .unwrap_or_default();
    let last = lines
        .iter()
        .map(|l| l.booking_date)
        .max()
        .unwrap_or_default();
    let statement = Statement {
        source: "bank.csv".into(),
        format: Format::Csv,
        account: ACCOUNT.into(),
        currency: eur,
        statement_id: "BENCH".into(),
        sequence: Some("1".into()),
        opening_balance: Some(Balance {
            date: first,
            amount_minor: 0,
        }),
        closing_balance: Some(Balance {
            date: last,
            amount_minor: total,
        }),
        lines,
    };
    (statement, ledger)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

pub fn bench_store(bank_lines: usize) {
    if let Err(e) = OsKeyStore::probe() {
        println!("| workspace | FAILED: {e} (run under scripts/with-keyring.sh) | | |");
        return;
    }
    let started = Instant::now();
    let generated = recon_gen::generate(&recon_gen::GenConfig::new(bank_lines, 42));
    let gen_time = started.elapsed();
    let started = Instant::now();
    let (statement, ledger) = split_generated(&generated.bank_csv, &generated.ledger_csv);
    let split_time = started.elapsed();
    println!(
        "| generate + split (not the store) | {} bank lines, {} ledger entries | {gen_time:.2?} + {split_time:.2?} | |",
        statement.lines.len(),
        ledger.len()
    );
    let dir = std::env::temp_dir().join(format!("recon-bench-store-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let keys = OsKeyStore;
    let clara = Principal::new("clara", "Clara", &[Role::Clerk]);
    let actor = || Actor {
        principal: &clara,
        at: "2026-11-30T10:00:00Z".into(),
    };
    let record = |name: &str| FileRecord {
        name: name.into(),
        sha256_hex: format!("{name}-{bank_lines}"),
    };
    let mut ws = Workspace::create(
        &dir,
        ACCOUNT,
        "EUR",
        "2026-01-01",
        "2026-03-31",
        None,
        &keys,
        &actor(),
    )
    .expect("create workspace");
    let started = Instant::now();
    ws.import_statements(
        &actor(),
        &record("bank.csv"),
        std::slice::from_ref(&statement),
    )
    .expect("import bank");
    let bank_time = started.elapsed();
    let started = Instant::now();
    ws.import_ledger(&actor(), &record("ledger.csv"), &ledger)
        .expect("import ledger");
    let ledger_time = started.elapsed();
    let items = statement.lines.len() + ledger.len();
    println!(
        "| import into encrypted workspace (target ≤ 10 s) | {} bank lines + {} ledger entries | {:.2?} ({bank_time:.2?} + {ledger_time:.2?}) | {} items/s |",
        statement.lines.len(),
        ledger.len(),
        bank_time + ledger_time,
        crate::rate(items, bank_time + ledger_time)
    );
    drop(statement);
    drop(ledger);
    drop(generated);
    let started = Instant::now();
    let data = ws.match_data().expect("load");
    let rules = recon_match::RuleSet::default_rules();
    let outcome = recon_match::run(&data.input(), &rules, &mut ()).expect("match");
    let match_time = started.elapsed();
    let started = Instant::now();
    let run = ws
        .store_run(&actor(), &rules.name, "", &data, &outcome)
        .expect("store run");
    let store_time = started.elapsed();
    println!(
        "| match run in the workspace (load + match, store) | {} auto groups, {} suggestions, {} exceptions | {match_time:.2?} + {store_time:.2?} | |",
        run.auto_groups, run.suggestions, run.exceptions
    );
    drop(outcome);
    drop(data);
    let as_of = date("2026-04-30");
    let queries = [
        (
            "bank side, oldest first",
            ExceptionQuery {
                side: Some("bank".into()),
                sort: ExceptionSort::AgeDesc,
                limit: 1000,
                ..Default::default()
            },
        ),
        (
            "|amount| ≥ 1000.00, largest first",
            ExceptionQuery {
                min_abs_amount_minor: Some(100_000),
                sort: ExceptionSort::AmountDesc,
                limit: 1000,
                ..Default::default()
            },
        ),
        (
            "reason no_candidate, page 5, oldest first",
            ExceptionQuery {
                reason: Some("no_candidate".into()),
                sort: ExceptionSort::AgeDesc,
                limit: 1000,
                offset: 4000,
                ..Default::default()
            },
        ),
    ];
    for (name, q) in &queries {
        let mut times = Vec::new();
        let mut rows = 0;
        for _ in 0..PAGES {
            let started = Instant::now();
            rows = ws.exceptions(q, as_of).expect("page").len();
            times.push(started.elapsed());
        }
        println!(
            "| page of exceptions: {name} (target ≤ 50 ms) | {rows} rows of {} | median {:.2?}, worst {:.2?} | |",
            run.exceptions,
            median(times.clone()),
            times.iter().max().copied().unwrap_or_default()
        );
    }
    let open = ws
        .exceptions(
            &ExceptionQuery {
                side: Some("bank".into()),
                limit: DECISIONS * 2,
                ..Default::default()
            },
            as_of,
        )
        .expect("open items");
    let mut comment_times = Vec::new();
    let mut match_times = Vec::new();
    for (n, item) in open.iter().take(DECISIONS).enumerate() {
        let target = format!("bank:{}", item.item_id);
        let started = Instant::now();
        ws.comment(
            &actor(),
            std::slice::from_ref(&target),
            "checked with the bank",
        )
        .expect("comment");
        comment_times.push(started.elapsed());
        let adj = recon_store::Adjustment {
            reason: recon_review::AdjustmentReason::WriteOff,
            note: format!("bench {n}"),
        };
        let started = Instant::now();
        ws.manual_match(
            &actor(),
            std::slice::from_ref(&item.item_id),
            &[],
            Some(&adj),
        )
        .expect("manual match");
        match_times.push(started.elapsed());
    }
    println!(
        "| single review decision, synchronous=FULL (target ≤ 20 ms) | comment / manual match with adjustment, {DECISIONS} each | median {:.2?} / {:.2?}, worst {:.2?} / {:.2?} | |",
        median(comment_times.clone()),
        median(match_times.clone()),
        comment_times.iter().max().copied().unwrap_or_default(),
        match_times.iter().max().copied().unwrap_or_default()
    );
    let started = Instant::now();
    let pack = ws
        .sign_off_pack(as_of, "2026-04-30T18:00:00Z")
        .expect("sign-off pack");
    let read_time = started.elapsed();
    let items: usize = pack.groups.iter().map(|g| g.items.len()).sum();
    println!(
        "| read the sign-off pack from the workspace | {} exceptions, {items} matched items | {read_time:.2?} | |",
        pack.exceptions.len()
    );
    for (name, format, appendix) in [
        (
            "XLSX (target ≤ 5 s)",
            recon_report::ReportFormat::Xlsx,
            true,
        ),
        (
            "PDF summary + exceptions (target ≤ 5 s)",
            recon_report::ReportFormat::Pdf,
            false,
        ),
        (
            "PDF with the matched-groups appendix",
            recon_report::ReportFormat::Pdf,
            true,
        ),
    ] {
        let started = Instant::now();
        let bytes = recon_report::render(&pack, format, &recon_report::PdfOptions { appendix })
            .expect("render");
        println!(
            "| export the sign-off pack as {name}: read + render | {} MB | {:.2?} + {:.2?} | |",
            bytes.len() / 1_000_000,
            read_time,
            started.elapsed()
        );
    }
    drop(pack);
    let size: u64 = ["workspace.db", "workspace.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "| workspace size on disk | db + WAL | {} MB | |",
        size / 1_000_000
    );
    let id = ws.info().id.clone();
    drop(ws);
    let _ = keys.delete(&id);
    let _ = std::fs::remove_dir_all(&dir);
}
