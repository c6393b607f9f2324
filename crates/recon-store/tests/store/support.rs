//! Test data and helpers: small statements and ledgers built in code, temp dirs, principals.

use recon_model::{Balance, Currency, Date, Format, LedgerEntry, Statement, StatementLine};
use recon_review::{Principal, Role};
use recon_store::{Actor, FileRecord, MemoryKeyStore, Workspace};
use std::path::PathBuf;

pub const ACCOUNT: &str = "NL91ABNA0417164300";

pub fn clara() -> Principal {
    Principal::new("clara", "Clara Clerk", &[Role::Clerk])
}
pub fn sam() -> Principal {
    Principal::new("sam", "Sam Supervisor", &[Role::Supervisor])
}
pub fn actor(p: &Principal) -> Actor<'_> {
    Actor {
        principal: p,
        at: "2026-11-30T10:00:00Z".into(),
    }
}

pub fn day(d: u32) -> Date {
    Date::from_ymd_opt(2026, 11, d).unwrap()
}

/// A fresh temporary directory under the target dir (kept on failure for inspection).
pub fn temp_dir(name: &str) -> PathBuf {
    let base = std::env::temp_dir().join(format!("recon-store-tests-{}", std::process::id()));
    let dir = base.join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn line(
    id: &str,
    d: u32,
    amount_minor: i64,
    reference: &str,
    description: &str,
) -> StatementLine {
    StatementLine {
        line_id: id.into(),
        booking_date: day(d),
        value_date: Some(day(d)),
        amount_minor,
        reference: Some(reference.into()),
        description: description.into(),
        ..Default::default()
    }
}

pub fn entry(id: &str, d: u32, amount_minor: i64, reference: &str) -> LedgerEntry {
    LedgerEntry {
        entry_id: id.into(),
        account: ACCOUNT.into(),
        posting_date: day(d),
        amount_minor,
        currency: Currency::from_code("EUR").unwrap(),
        reference: Some(reference.into()),
        description: format!("ledger {reference}"),
    }
}

pub fn statement(id: &str, opening: i64, lines: Vec<StatementLine>) -> Statement {
    let total: i64 = lines.iter().map(|l| l.amount_minor).sum();
    Statement {
        source: format!("{id}.sta"),
        format: Format::Mt940,
        account: ACCOUNT.into(),
        currency: Currency::from_code("EUR").unwrap(),
        statement_id: id.into(),
        sequence: Some("1".into()),
        opening_balance: Some(Balance {
            date: day(1),
            amount_minor: opening,
        }),
        closing_balance: Some(Balance {
            date: day(27),
            amount_minor: opening + total,
        }),
        lines,
        reading: recon_model::Reading::default(),
    }
}

/// The small reconciliation used across tests: exact pairs, a bank charge, a deposit in transit,
/// an outstanding cheque, an unbooked fee.
pub fn sample() -> (Statement, Vec<LedgerEntry>) {
    let lines = vec![
        line(
            "S1/1",
            2,
            125_000,
            "INV-1001",
            "Northwind Traders invoice 1001",
        ),
        line("S1/2", 3, -48_025, "PO-77812", "Globex chairs"),
        line("S1/3", 4, 320_000, "INV-1002", "Initech invoice 1002"),
        line("S1/4", 9, -230_000, "SAL-11", "Payroll advance"),
        line(
            "S1/5",
            10,
            199_500,
            "INV-1008",
            "Wayne invoice 1008 less charges",
        ),
        line("S1/6", 25, -875, "NONREF", "Bank charges foreign payment"),
    ];
    let ledger = vec![
        entry("GL-1", 2, 125_000, "INV-1001"),
        entry("GL-2", 1, -48_025, "PO-77812"),
        entry("GL-3", 4, 320_000, "INV-1002"),
        entry("GL-4", 9, -230_000, "SAL-11"),
        entry("GL-5", 10, 200_000, "INV-1008"),
        entry("GL-6", 27, -64_000, "CHQ-123"),
        entry("GL-7", 27, 31_500, "DEP-47"),
    ];
    (statement("S1", 1_000_000, lines), ledger)
}

pub fn file(name: &str, content: &str) -> FileRecord {
    use sha2::Digest;
    FileRecord {
        name: name.into(),
        sha256_hex: recon_review::hex(&sha2::Sha256::digest(content.as_bytes())),
        source: None,
        contents: Some(content.as_bytes().into()),
    }
}

/// An empty workspace of [`ACCOUNT`] in EUR for `period` (first and last day), in a temp dir,
/// created by clara.
pub fn empty_workspace(name: &str, keys: &MemoryKeyStore, period: (&str, &str)) -> Workspace {
    Workspace::create(
        &temp_dir(name),
        ACCOUNT,
        "EUR",
        period.0,
        period.1,
        None,
        keys,
        &actor(&clara()),
    )
    .unwrap()
}

/// A workspace in a temp dir with an in-memory key store, holding [`sample`].
pub fn sample_workspace(name: &str, keys: &MemoryKeyStore) -> Workspace {
    let p = clara();
    let mut ws = empty_workspace(name, keys, ("2026-11-01", "2026-11-30"));
    let (s, ledger) = sample();
    ws.import_statements(&actor(&p), &file("s1.sta", "s1"), &[s])
        .unwrap();
    ws.import_ledger(&actor(&p), &file("ledger.csv", "ledger"), &ledger)
        .unwrap();
    ws
}

/// Runs the matcher with the default rules over the workspace and stores the run.
pub fn run_matcher(ws: &mut Workspace, p: &Principal) -> recon_store::RunSummary {
    let data = ws.match_data().unwrap();
    let rules = recon_match::RuleSet::default_rules();
    let outcome = recon_match::run(&data.input(), &rules, &mut ()).unwrap();
    ws.store_run(&actor(p), &rules.name, "", &data, &outcome)
        .unwrap()
}
