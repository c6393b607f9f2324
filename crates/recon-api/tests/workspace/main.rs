//! The workspace use cases end to end through recon-api: the demo flow (import, match, accept
//! and reject, manual match with a bank-charge adjustment, prepare by a clerk, approval by a
//! supervisor) on statements built from the bundled demo ledger, and principals from ID token
//! claims.

use recon_api::workspace as w;
use recon_model::{Balance, Currency, Date, Format, LedgerEntry, Statement, StatementLine};
use recon_review::{Role, SignOffState};
use recon_store::MemoryKeyStore;

const LEDGER: &str = include_str!("../../../../assets/demo/ledger.csv");

fn date(s: &str) -> Date {
    Date::parse_from_str(s, "%Y-%m-%d").unwrap()
}

/// The demo ledger (canonical CSV, no quoted fields) read in the test.
fn ledger() -> Vec<LedgerEntry> {
    LEDGER
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            let currency = Currency::from_code(f[4]).unwrap();
            LedgerEntry {
                entry_id: f[0].into(),
                account: f[1].into(),
                posting_date: date(f[2]),
                amount_minor: recon_model::parse_minor(f[3], b'.', currency.exponent()).unwrap(),
                currency,
                reference: Some(f[5].into()),
                description: f[6].into(),
            }
        })
        .collect()
}

/// A bank statement for the EUR ledger entries: everything but the outstanding cheque and the
/// deposit in transit went through the bank, plus an unbooked bank charge.
fn statement(ledger: &[LedgerEntry]) -> Statement {
    let mut lines: Vec<StatementLine> = ledger
        .iter()
        .filter(|e| {
            e.currency.code() == "EUR" && !["GL-1018", "GL-1019"].contains(&e.entry_id.as_str())
        })
        .enumerate()
        .map(|(n, e)| StatementLine {
            line_id: format!("DEMO/{}", n + 1),
            booking_date: e.posting_date,
            value_date: Some(e.posting_date),
            amount_minor: e.amount_minor,
            reference: e.reference.clone(),
            description: e.description.clone(),
            ..Default::default()
        })
        .collect();
    lines.push(StatementLine {
        line_id: "DEMO/FEE".into(),
        booking_date: date("2026-11-25"),
        value_date: Some(date("2026-11-25")),
        amount_minor: -875,
        reference: Some("NONREF".into()),
        description: "Bank charges foreign payment".into(),
        ..Default::default()
    });
    let total: i64 = lines.iter().map(|l| l.amount_minor).sum();
    Statement {
        source: "demo.sta".into(),
        format: Format::Mt940,
        account: recon_api::DEMO_ACCOUNT.into(),
        currency: Currency::from_code("EUR").unwrap(),
        statement_id: "DEMO".into(),
        sequence: Some("1".into()),
        opening_balance: Some(Balance {
            date: date("2026-11-01"),
            amount_minor: 1_000_000,
        }),
        closing_balance: Some(Balance {
            date: date("2026-11-27"),
            amount_minor: 1_000_000 + total,
        }),
        lines,
        reading: recon_model::Reading::default(),
    }
}

#[test]
fn demo_flow_reaches_an_approved_reconciliation() {
    let dir = std::env::temp_dir().join(format!("recon-api-demo-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let keys = MemoryKeyStore::default();
    let ledger = ledger();
    let files = vec![("demo.sta".to_string(), vec![statement(&ledger)])];
    let demo = recon_api::workspace_demo_flow(&dir, &keys, &files, &ledger, None).unwrap();
    let text = demo.steps.join("\n");
    eprintln!("{text}\n{}", demo.statement.render("EUR", 2));
    assert!(text.contains("bank-charge adjustment"), "{text}");
    assert!(
        text.contains("refused"),
        "maker-checker must refuse self-approval:\n{text}"
    );
    assert_eq!(demo.sign_off.state, SignOffState::Approved, "{text}");
    assert_eq!(
        demo.statement.unexplained_minor,
        0,
        "{}",
        demo.statement.render("EUR", 2)
    );
    // Outstanding cheque and deposit in transit are on the statement.
    assert!(
        demo.statement.rows.iter().any(|r| r.amount_minor == 31_500),
        "{}",
        demo.statement.render("EUR", 2)
    );
    assert!(
        demo.statement
            .rows
            .iter()
            .any(|r| r.amount_minor == -64_000)
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn local_profile_principals_are_self_asserted() {
    let p = w::local_principal("clara", "", &["clerk"]).unwrap();
    assert_eq!(p.assurance, recon_review::Assurance::SelfAsserted);
    assert_eq!(p.roles, vec![Role::Clerk]);
    assert!(w::local_principal("clara", "", &["clerk", "boss"]).is_err());
    assert_eq!(
        w::local_principal("clara", "", &["clerk"])
            .unwrap()
            .display_name,
        "clara"
    );
}

/// Issue 15 in the workspace: a file with a deviation is read, the deviation is a warning of
/// the import and stays with the statement; importing the next days' files checks the series
/// against what the workspace holds (a missing weekday is named, the chain holds).
#[test]
fn workspace_import_keeps_deviations_and_checks_the_series() {
    let dir = std::env::temp_dir().join(format!("recon-api-series-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let keys = MemoryKeyStore::default();
    let clara = w::local_principal("clara", "Clara", &["clerk"]).unwrap();
    let ws_dir = dir.join("ws");
    w::create_workspace(
        &w::NewWorkspace {
            dir: ws_dir.clone(),
            account: "NL91ABNA0417164300".into(),
            currency: "EUR".into(),
            period_start: date("2024-01-01"),
            period_end: date("2024-01-31"),
            ledger_opening: None,
        },
        &clara,
        &keys,
    )
    .unwrap();
    // Wed 3, Thu 4 and Mon 8 January 2024: Friday the 5th is missing. The Thursday file writes
    // its amount without a decimal comma (Knab).
    let day = |n: u32, open: &str, line: &str, close: &str| {
        format!(
            ":20:S{n}\n:25:NL91ABNA0417164300\n:28C:{n}\n:60F:C24010{}EUR{open}\n:61:24010{n}{line}NTRFREF{n}\n:62F:C24010{n}EUR{close}\n-\n",
            n - 1
        )
    };
    let files = [
        ("wed.sta", day(3, "100,00", "C10,00", "110,00")),
        ("thu.sta", day(4, "110,00", "D10", "100,00")),
        ("mon.sta", day(8, "100,00", "C5,00", "105,00")),
    ];
    let paths: Vec<_> = files
        .iter()
        .map(|(name, text)| {
            let p = dir.join(name);
            std::fs::write(&p, text).unwrap();
            p
        })
        .collect();
    let mut ws = w::open_workspace(&ws_dir, &keys).unwrap();
    let options = recon_api::ImportOptions::default();
    let first = w::import_statements(&mut ws, &clara, &paths[..2], &options).unwrap();
    let codes = |r: &w::WorkspaceImport| -> Vec<String> {
        r.issues
            .iter()
            .filter_map(|i| i.code.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(
        codes(&first),
        ["mt940.amount_without_decimal_comma"],
        "{:#?}",
        first.issues
    );
    let second = w::import_statements(&mut ws, &clara, &paths[2..], &options).unwrap();
    let gap: Vec<_> = second
        .issues
        .iter()
        .filter(|i| i.code.as_deref() == Some("series.gap"))
        .collect();
    assert_eq!(gap.len(), 1, "{:#?}", second.issues);
    assert!(
        gap[0].message.contains("from 2024-01-05 to 2024-01-07"),
        "{}",
        gap[0].message
    );
    assert!(!codes(&second).iter().any(|c| c == "series.chain"));
    let kept = ws.statement_deviations().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].statement_id, "4");
    assert_eq!(kept[0].encoding.as_deref(), Some("UTF-8"));
    assert_eq!(kept[0].deviation.code, "mt940.amount_without_decimal_comma");
    assert_eq!(kept[0].deviation.line, Some(5));
    // Strict reading refuses such a file.
    let strict = recon_api::ImportOptions {
        parse: recon_formats::ParseOptions {
            reading: recon_formats::ReadingMode::Strict,
            ..Default::default()
        },
    };
    let again = dir.join("thu-again.sta");
    std::fs::write(
        &again,
        day(4, "110,00", "D10", "100,00").replace(":20:S4", ":20:X4"),
    )
    .unwrap();
    let refused = w::import_statements(&mut ws, &clara, &[again], &strict).unwrap();
    assert!(
        refused
            .issues
            .iter()
            .any(|i| i.severity == recon_formats::Severity::Error
                && i.message.contains("has no decimal comma")),
        "{:#?}",
        refused.issues
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// Issue 15: a workspace setting reads every import strictly. The 30 February MT940 file is read
/// with a warning by default; with `strict_import` on it is refused and nothing is stored; the
/// change is audited and does not withdraw anything.
#[test]
fn the_strict_import_setting_refuses_files_that_deviate() {
    let root = std::env::temp_dir().join(format!("recon-api-strict-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    let keys = MemoryKeyStore::default();
    let clara = recon_review::Principal::new("clara", "Clara", &[Role::Clerk]);
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/deviations/mt940/february_30.sta");
    let mut lines_by_setting = Vec::new();
    for strict in [true, false] {
        let dir = root.join(if strict { "strict" } else { "tolerant" });
        w::create_workspace(
            &w::NewWorkspace {
                dir: dir.clone(),
                account: "12345678/1020304050".into(),
                currency: "EUR".into(),
                period_start: date("2016-02-01"),
                period_end: date("2016-03-31"),
                ledger_opening: None,
            },
            &clara,
            &keys,
        )
        .unwrap();
        let mut ws = w::open_workspace(&dir, &keys).unwrap();
        assert!(!ws.info().strict_import, "off by default");
        if strict {
            w::set_strict_import(&mut ws, &clara, true).unwrap();
            // Kept: a new connection reads it back.
            drop(ws);
            ws = w::open_workspace(&dir, &keys).unwrap();
            assert!(ws.info().strict_import);
            let (entries, _) = ws.audit_entries().unwrap();
            let last = entries.last().unwrap();
            assert_eq!(last.action, "setting_changed");
            assert!(
                last.after.contains("\"strict_import\":true"),
                "{}",
                last.after
            );
        }
        let result = w::import_statements(
            &mut ws,
            &clara,
            std::slice::from_ref(&file),
            &recon_api::ImportOptions::default(),
        )
        .unwrap();
        let lines: usize = result.files.iter().map(|f| f.lines_imported).sum();
        if strict {
            assert!(
                result
                    .issues
                    .iter()
                    .any(|i| i.severity == recon_formats::Severity::Error
                        && i.message.contains("160230")),
                "{:?}",
                result.issues
            );
        }
        lines_by_setting.push((strict, lines));
        ws.verify_audit().unwrap();
    }
    assert_eq!(lines_by_setting, vec![(true, 0), (false, 1)]);
    let _ = std::fs::remove_dir_all(&root);
}

#[test]
fn a_batch_booking_in_the_workspace_is_matched_to_the_entries_its_transactions_name() {
    // One camt entry booking a SEPA batch of three payments; the bank's own text names none of
    // the invoices, the transactions' end-to-end references do. Stored as one bank line with its
    // batch details, matched through the workspace's own data.
    let dir = std::env::temp_dir().join(format!("recon-api-batch-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let keys = MemoryKeyStore::default();
    let clara = recon_review::Principal::new("clara", "Clara", &[Role::Clerk]);
    w::create_workspace(
        &w::NewWorkspace {
            dir: dir.clone(),
            account: recon_api::DEMO_ACCOUNT.into(),
            currency: "EUR".into(),
            period_start: date("2026-11-01"),
            period_end: date("2026-11-30"),
            ledger_opening: None,
        },
        &clara,
        &keys,
    )
    .unwrap();
    let mut ws = w::open_workspace(&dir, &keys).unwrap();
    let eur = Currency::from_code("EUR").unwrap();
    let detail = |reference: &str, amount_minor: i64| recon_model::BatchDetail {
        reference: Some(reference.into()),
        amount_minor: Some(amount_minor),
        counterparty: Some("Supplier".into()),
        counterparty_account: None,
        description: String::new(),
    };
    let line = StatementLine {
        line_id: "S1/1".into(),
        booking_date: date("2026-11-20"),
        value_date: Some(date("2026-11-20")),
        amount_minor: -100_000,
        reference: Some("BATCH-0099".into()),
        description: "SEPA batch".into(),
        details: vec![
            detail("INV-2026-7001", -30_000),
            detail("INV-2026-7002", -45_000),
            detail("INV-2026-7003", -25_000),
        ],
        ..Default::default()
    };
    let statement = Statement {
        source: "batch.xml".into(),
        format: Format::Camt053,
        account: recon_api::DEMO_ACCOUNT.into(),
        currency: eur,
        statement_id: "S1".into(),
        sequence: Some("1".into()),
        opening_balance: Some(Balance {
            date: date("2026-11-01"),
            amount_minor: 500_000,
        }),
        closing_balance: Some(Balance {
            date: date("2026-11-20"),
            amount_minor: 400_000,
        }),
        lines: vec![line],
        reading: recon_model::Reading::default(),
    };
    let file = recon_api::InputFile {
        name: "batch.xml".into(),
        bytes: b"batch".to_vec(),
    };
    w::import_parsed_statements(&mut ws, &clara, &file, &[statement]).unwrap();
    let entry = |id: &str, amount_minor: i64, reference: &str| LedgerEntry {
        entry_id: id.into(),
        account: recon_api::DEMO_ACCOUNT.into(),
        posting_date: date("2026-11-19"),
        amount_minor,
        currency: eur,
        reference: Some(reference.into()),
        description: format!("Supplier invoice {reference}"),
    };
    let ledger = [
        entry("GL-1", -30_000, "INV-2026-7001"),
        entry("GL-2", -45_000, "INV-2026-7002"),
        entry("GL-3", -25_000, "INV-2026-7003"),
        entry("GL-4", -25_000, "INV-2026-7004"),
    ];
    let ledger_file = recon_api::InputFile {
        name: "ledger.csv".into(),
        bytes: b"ledger".to_vec(),
    };
    w::import_parsed_ledger(&mut ws, &clara, &ledger_file, &ledger).unwrap();
    w::match_workspace(&mut ws, &clara, None).unwrap();
    let group = ws
        .group_of("bank", "S1/1")
        .unwrap()
        .expect("the batch line is matched");
    for id in ["GL-1", "GL-2", "GL-3"] {
        assert_eq!(ws.group_of("ledger", id).unwrap(), Some(group), "{id}");
    }
    assert_eq!(ws.group_of("ledger", "GL-4").unwrap(), None);
    let _ = std::fs::remove_dir_all(&dir);
}
