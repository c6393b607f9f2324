//! `recon-bench store N`: the workspace's speed figures on an encrypted workspace whose key is in
//! the OS keyring (run under scripts/with-keyring.sh): import N bank lines and the ~1.1 N ledger
//! entries of `recon gen` data, load a page of 1,000 exceptions (filtered, sorted), commit single
//! review decisions. The generated CSV is split here (it has no quoted fields) and every item is
//! moved to the workspace's one account, so the import row times the store alone; the CSV
//! importer's own throughput is in the Parsing section of BENCHMARKS.md.

use recon_api::{PdfOptions, ReportFormat};
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
        reading: recon_model::Reading::default(),
    };
    (statement, ledger)
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

/// A workspace built, imported and matched for a benchmark.
struct Built {
    dir: std::path::PathBuf,
    ws: Workspace,
    run: recon_store::RunSummary,
}

impl Built {
    fn remove(self) {
        let id = self.ws.info().id.clone();
        drop(self.ws);
        let _ = OsKeyStore.delete(&id);
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn actor_for(p: &Principal) -> Actor<'_> {
    Actor {
        principal: p,
        at: "2026-11-30T10:00:00Z".into(),
    }
}

/// `recon gen` data for `bank_lines`, plus `extra_open` ledger entries that match nothing (so the
/// exception count can be set independently of the matched count), imported into a new encrypted
/// workspace and matched with the default rules. Prints the setup rows.
fn build_workspace(bank_lines: usize, extra_open: usize) -> Option<Built> {
    let dir = std::env::temp_dir().join(format!("recon-bench-store-{}", std::process::id()));
    build_workspace_in(dir, bank_lines, extra_open)
}

fn build_workspace_in(
    dir: std::path::PathBuf,
    bank_lines: usize,
    extra_open: usize,
) -> Option<Built> {
    if let Err(e) = OsKeyStore::probe() {
        println!("| workspace | FAILED: {e} (run under scripts/with-keyring.sh) | | |");
        return None;
    }
    let started = Instant::now();
    let generated = recon_gen::generate(&recon_gen::GenConfig::new(bank_lines, 42));
    let gen_time = started.elapsed();
    let started = Instant::now();
    let (statement, mut ledger) = split_generated(&generated.bank_csv, &generated.ledger_csv);
    let eur = Currency::from_code("EUR").expect("EUR");
    ledger.extend((0..extra_open).map(|n| LedgerEntry {
        entry_id: format!("OPEN-{n:07}"),
        account: ACCOUNT.to_string(),
        posting_date: date(&format!("2026-0{}-{:02}", 1 + n % 3, 1 + n % 28)),
        // Far above any generated amount and all different: nothing can match them.
        amount_minor: 900_000_000_000 + n as i64 * 101,
        currency: eur,
        reference: None,
        description: "accrual not yet settled".into(),
    }));
    let split_time = started.elapsed();
    println!(
        "| generate + split (not the store) | {} bank lines, {} ledger entries | {gen_time:.2?} + {split_time:.2?} | |",
        statement.lines.len(),
        ledger.len()
    );
    let _ = std::fs::remove_dir_all(&dir);
    let keys = OsKeyStore;
    let clara = Principal::new("clara", "Clara", &[Role::Clerk]);
    let actor = || actor_for(&clara);
    let record = |name: &str| FileRecord {
        name: name.into(),
        sha256_hex: format!("{name}-{bank_lines}"),
        source: None,
        contents: None,
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
    Some(Built { dir, ws, run })
}

pub fn bench_store(bank_lines: usize) {
    let Some(Built { dir, mut ws, run }) = build_workspace(bank_lines, 0) else {
        return;
    };
    let clara = Principal::new("clara", "Clara", &[Role::Clerk]);
    let actor = || actor_for(&clara);
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
    // The desktop grid's load, as the app's list_exceptions command does it (recon-api's
    // exception_page): a first page of 1,000 rows, then 10,000-row pages until every row is read.
    let started = Instant::now();
    let mut offset = 0i64;
    let mut pages = 0;
    let mut first_page = Duration::ZERO;
    loop {
        let limit = if offset == 0 { 1_000 } else { 10_000 };
        let page = recon_api::desk::exception_page(
            &ws,
            &recon_api::desk::ExceptionQueryDto {
                side: None,
                reason: None,
                text: None,
                sort: "age-desc".into(),
                offset,
                limit,
            },
        )
        .expect("exception page");
        if pages == 0 {
            first_page = started.elapsed();
        }
        pages += 1;
        offset += page.rows.len() as i64;
        if (page.rows.len() as i64) < limit || offset >= page.total {
            break;
        }
    }
    println!(
        "| the app's exception grid load (list_exceptions pages, Rust side only) | {offset} rows in {pages} pages | first page {first_page:.2?}, all {:.2?} | |",
        started.elapsed()
    );
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
    let size: u64 = ["workspace.db", "workspace.db-wal"]
        .iter()
        .filter_map(|f| std::fs::metadata(dir.join(f)).ok())
        .map(|m| m.len())
        .sum();
    println!(
        "| workspace size on disk | db + WAL | {} MB | |",
        size / 1_000_000
    );
    Built { dir, ws, run }.remove();
}

/// `recon-bench signoff N OPEN`: the sign-off pack export end to end, through the same API call as
/// `recon export signoff` (read the pack from the encrypted workspace, render, write atomically),
/// on `recon gen` data for N bank lines plus OPEN ledger entries that match nothing. N = 500,000
/// and OPEN = 47,000 give the size: about 1M matched items and 100,000 exceptions.
pub fn bench_signoff(bank_lines: usize, extra_open: usize) {
    let Some(Built { dir, mut ws, run }) = build_workspace(bank_lines, extra_open) else {
        return;
    };
    let started = Instant::now();
    ws.content_hash().expect("content hash");
    println!(
        "| content hash alone (the scan without collecting) | {} exceptions | {:.2?} | |",
        run.exceptions,
        started.elapsed()
    );
    let started = Instant::now();
    let pack = ws
        .sign_off_pack(date("2026-04-30"), "2026-04-30T18:00:00Z")
        .expect("sign-off pack");
    let read_time = started.elapsed();
    let items: usize = pack.groups.iter().map(|g| g.items.len()).sum();
    println!(
        "| read the sign-off pack (one scan) | {} exceptions, {items} matched items, {} groups | {read_time:.2?} | |",
        pack.exceptions.len(),
        pack.groups.len()
    );
    drop(pack);
    for (name, format, appendix, file) in [
        ("XLSX (target ≤ 5 s)", ReportFormat::Xlsx, true, "pack.xlsx"),
        (
            "PDF summary + exception listing (target ≤ 5 s)",
            ReportFormat::Pdf,
            false,
            "pack.pdf",
        ),
        (
            "PDF with the matched-groups appendix",
            ReportFormat::Pdf,
            true,
            "pack-appendix.pdf",
        ),
        ("CSV", ReportFormat::Csv, true, "pack.csv"),
    ] {
        // Three runs each: the median and the worst, since one run on a busy machine says little.
        let mut times = Vec::new();
        let mut report = None;
        for _ in 0..3 {
            let started = Instant::now();
            report = Some(
                recon_api::export_sign_off(
                    &mut ws,
                    format,
                    &dir.join(file),
                    &PdfOptions { appendix },
                )
                .expect("export"),
            );
            times.push(started.elapsed());
        }
        let report = report.expect("three runs");
        println!(
            "| export the sign-off pack as {name}: read + render + write | {} exceptions, {} matched items | median {:.2?}, worst {:.2?} | {} MB |",
            report.exceptions,
            report.matched_items,
            median(times.clone()),
            times.iter().max().copied().unwrap_or_default(),
            report.bytes / 1_000_000
        );
    }
    Built { dir, ws, run }.remove();
}

/// `recon-bench desk N`: what the desktop app does when a clerk opens a big workspace, through
/// the same `Desk` calls as its commands: list the workspaces, open one (its dashboard), then the
/// exception grid's first page, then the dashboard again.
pub fn bench_desk(bank_lines: usize) {
    let root = std::env::temp_dir().join(format!("recon-bench-desk-{}", std::process::id()));
    let Some(built) = build_workspace_in(root.join("bench"), bank_lines, 0) else {
        return;
    };
    let id = built.ws.info().id.clone();
    let exceptions = built.run.exceptions;
    // The dashboard's parts, one by one, to show where its time goes: on a fresh connection
    // (cold page cache, as after another connection's change), then again (warm).
    let dir = built.ws.dir().to_path_buf();
    drop(built.ws);
    let ws = Workspace::open(&dir, &OsKeyStore).expect("reopen");
    for cache in ["cold", "warm"] {
        let part = |name: &str, f: &dyn Fn()| {
            let started = Instant::now();
            f();
            println!(
                "| dashboard part ({cache}): {name} | | {:.2?} | |",
                started.elapsed()
            );
        };
        part("status counts", &|| drop(ws.status().expect("status")));
        part("bank exceptions count", &|| {
            let q = ExceptionQuery {
                side: Some("bank".into()),
                ..Default::default()
            };
            ws.exception_count(&q).expect("count");
        });
        part("oldest exception", &|| {
            drop(ws.oldest_exception_date().expect("oldest"))
        });
        part("rule counts", &|| drop(ws.rule_counts().expect("rules")));
        part("matched and open amounts", &|| {
            ws.matched_and_open_minor().expect("amounts");
        });
        part("aging", &|| {
            drop(ws.aging(date("2026-04-30")).expect("aging"))
        });
        part("aging as of 2026-11-26", &|| {
            drop(ws.aging(date("2026-11-26")).expect("aging"))
        });
        part("reconciliation statement", &|| {
            drop(ws.reconciliation_statement().expect("statement"))
        });
    }
    drop(ws);
    let mut desk = recon_api::desk::Desk::new(&root, Box::new(OsKeyStore)).expect("desk");
    desk.sign_in("clara").expect("sign in");
    let timed = |name: &str, f: &mut dyn FnMut()| {
        let mut times = Vec::new();
        for _ in 0..3 {
            let started = Instant::now();
            f();
            times.push(started.elapsed());
        }
        println!(
            "| {name} | {exceptions} exceptions | median {:.2?}, first {:.2?} | |",
            median(times.clone()),
            times[0]
        );
    };
    timed("list workspaces (summaries)", &mut || {
        desk.list_workspaces().expect("list");
    });
    timed("open workspace (its summary)", &mut || {
        desk.open_workspace(&id).expect("open");
    });
    let query = recon_api::desk::ExceptionQueryDto {
        side: None,
        reason: None,
        text: None,
        sort: "age-desc".into(),
        offset: 0,
        limit: 300,
    };
    timed("first exception page (300 rows)", &mut || {
        desk.list_exceptions(&query).expect("page");
    });
    timed("dashboard (cached: nothing changed)", &mut || {
        desk.dashboard().expect("dashboard");
    });
    timed("sign-off status (asked after every decision)", &mut || {
        desk.sign_off_status().expect("sign-off status");
    });
    // A review decision as the grid makes it, then the refresh of its first block. Suggestions
    // are taken in order; one made stale by an earlier acceptance is skipped.
    let mut open: std::collections::VecDeque<i64> = desk
        .list_suggestions(None, None)
        .expect("suggestions")
        .iter()
        .map(|s| s.id)
        .collect();
    let mut accept_next = |desk: &mut recon_api::desk::Desk| {
        while let Some(id) = open.pop_front() {
            if desk.accept_suggestions(&[id]).is_ok() {
                return;
            }
        }
        panic!("no suggestion left to accept");
    };
    let suggested = recon_api::desk::ExceptionQueryDto {
        reason: Some("suggested".into()),
        limit: 500,
        ..query.clone()
    };
    let first = desk.list_exceptions(&suggested).expect("page").rows[0].clone();
    timed(
        "one item's suggestions (the focused row's panel)",
        &mut || {
            desk.list_suggestions(Some(&first.side), Some(&first.item_id))
                .expect("suggestions");
        },
    );
    timed(
        "accept one suggestion, then the first 500-row block again",
        &mut || {
            accept_next(&mut desk);
            desk.list_exceptions(&suggested).expect("page");
        },
    );
    timed("accept one suggestion, then the dashboard", &mut || {
        accept_next(&mut desk);
        desk.dashboard().expect("dashboard");
    });
    drop(desk);
    let _ = OsKeyStore.delete(&id);
    let _ = std::fs::remove_dir_all(&root);
}
