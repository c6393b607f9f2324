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
