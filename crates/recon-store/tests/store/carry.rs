//! Carry-forward: the previous period's open items as this period's opening items. They are
//! open items of the new period but not its movements, so a roll-forward reconciles to zero;
//! the matcher pairs them with the new period's items; nothing is taken twice or half.

use crate::support::*;
use recon_match::Side;
use recon_store::{CarriedItem, CarrySource, MemoryKeyStore, PreviousPeriod, Workspace};

fn december(name: &str, keys: &MemoryKeyStore) -> Workspace {
    empty_workspace(name, keys, ("2026-12-01", "2026-12-31"))
}

fn item(side: Side, id: &str, date: &str, amount_minor: i64, reference: &str) -> CarriedItem {
    CarriedItem {
        side,
        item_id: id.into(),
        date: date.into(),
        amount_minor,
        reference: reference.into(),
        description: format!("carried {reference}"),
    }
}

/// November as published: bank closing 1,365,600; open an unbooked fee on the bank side, an
/// outstanding cheque and a deposit in transit on the ledger side; ledger balance 1,333,975
/// (= bank closing + open ledger items − open bank items).
fn november() -> PreviousPeriod {
    PreviousPeriod {
        account: ACCOUNT.into(),
        currency: "EUR".into(),
        period_start: "2026-11-01".into(),
        period_end: "2026-11-30".into(),
        revision: 1,
        content_hash: "ab".repeat(32),
        source: CarrySource::Database,
        bank_closing_minor: 1_365_600,
        ledger_balance_minor: 1_333_975,
        items: vec![
            item(Side::Bank, "S1/6", "2026-11-29", -875, "NONREF"),
            item(Side::Ledger, "GL-6", "2026-11-27", -64_000, "CHQ-123"),
            item(Side::Ledger, "GL-7", "2026-11-27", 31_500, "DEP-47"),
        ],
    }
}

fn dec(d: u32) -> recon_model::Date {
    recon_model::Date::from_ymd_opt(2026, 12, d).unwrap()
}

#[test]
fn a_rolled_forward_period_reconciles_and_its_opening_items_match_the_new_statement() {
    let keys = MemoryKeyStore::default();
    let p = clara();
    let mut ws = december("carry-roll", &keys);
    let out = ws.carry_forward(&actor(&p), &november()).unwrap();
    assert_eq!((out.bank_items, out.bank_minor), (1, -875));
    assert_eq!((out.ledger_items, out.ledger_minor), (2, -32_500));
    assert_eq!(out.ledger_opening_set_minor, Some(1_333_975));
    assert_eq!(ws.info().ledger_opening_minor, Some(1_333_975));

    // December's statement opens at November's closing: the cheque and the deposit clear, a new
    // invoice is paid; the ledger books the November fee and the invoice.
    let mut s = statement(
        "D1",
        1_365_600,
        vec![
            line("D1/1", 3, -64_000, "CHQ-123", "Cheque 123"),
            line("D1/2", 4, 31_500, "DEP-47", "Deposit 47"),
            line("D1/3", 10, 50_000, "INV-2001", "Acme invoice 2001"),
        ],
    );
    for l in &mut s.lines {
        l.booking_date = dec(l.booking_date.format("%d").to_string().parse().unwrap());
        l.value_date = Some(l.booking_date);
    }
    s.opening_balance.as_mut().unwrap().date = dec(1);
    s.closing_balance.as_mut().unwrap().date = dec(10);
    ws.import_statements(&actor(&p), &file("d1.sta", "d1"), &[s])
        .unwrap();
    let mut fee = entry("GL-9", 2, -875, "NONREF");
    let mut invoice = entry("GL-8", 10, 50_000, "INV-2001");
    fee.posting_date = dec(2);
    invoice.posting_date = dec(10);
    ws.import_ledger(&actor(&p), &file("dec-ledger.csv", "dec"), &[fee, invoice])
        .unwrap();

    // Open, nothing matched yet: the statement reconciles (the carried items are in November's
    // balances, not December's movements).
    let st = ws.reconciliation_statement().unwrap();
    assert_eq!(st.bank_closing_minor, 1_383_100);
    assert_eq!(st.ledger_balance_minor, 1_383_100);
    assert_eq!(st.unexplained_minor, 0, "{st:?}");
    let totals = ws.open_item_totals().unwrap();
    assert_eq!(totals.open_items, 8);

    // The matcher pairs the carried items with December's.
    run_matcher(&mut ws, &p);
    for (side, id) in [("ledger", "GL-6"), ("ledger", "GL-7")] {
        assert!(ws.group_of(side, id).unwrap().is_some(), "{side} {id}");
    }
    // The November fee booked in December (three days apart, no reference) is at least offered.
    let fee_offered = ws
        .suggestions(100)
        .unwrap()
        .iter()
        .any(|s| s.bank.iter().any(|b| b == "S1/6"));
    assert!(
        ws.group_of("bank", "S1/6").unwrap().is_some() || fee_offered,
        "the carried fee is neither matched nor suggested"
    );
    assert_eq!(ws.reconciliation_statement().unwrap().unexplained_minor, 0);

    // The carried-forward statement is not one the bank sent: series checks do not see it.
    let periods = ws.statement_periods().unwrap();
    assert_eq!(periods.len(), 1);
    assert_eq!(periods[0].statement_id, "D1");
    // December's own statement file is kept for publishing; the carried lists are not files.
    let kept = ws.kept_statement_files().unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(
        (kept[0].name.as_str(), &kept[0].bytes[..]),
        ("d1.sta", &b"d1"[..])
    );
    ws.verify_audit().unwrap();
}

#[test]
fn items_already_here_are_not_taken_twice_and_a_conflict_writes_nothing() {
    let keys = MemoryKeyStore::default();
    let p = clara();
    // An open-items ledger extract that lists the outstanding cheque again, same amount.
    let mut ws = december("carry-twice", &keys);
    let mut cheque = entry("GL-6", 27, -64_000, "CHQ-123");
    cheque.posting_date = recon_model::Date::from_ymd_opt(2026, 11, 27).unwrap();
    ws.import_ledger(&actor(&p), &file("open.csv", "open"), &[cheque.clone()])
        .unwrap();
    let out = ws.carry_forward(&actor(&p), &november()).unwrap();
    assert_eq!(out.already_present, 1);
    assert_eq!((out.ledger_items, out.ledger_minor), (1, 31_500));
    // Once per workspace.
    let again = ws.carry_forward(&actor(&p), &november()).unwrap_err();
    assert!(again.to_string().contains("already holds"), "{again}");

    // The same id for another amount: refused, and nothing of the carry-forward is written.
    let mut other = december("carry-conflict", &keys);
    cheque.amount_minor = -64_500;
    other
        .import_ledger(&actor(&p), &file("open.csv", "open"), &[cheque])
        .unwrap();
    let before = other.status().unwrap();
    let err = other.carry_forward(&actor(&p), &november()).unwrap_err();
    assert!(err.to_string().contains("GL-6"), "{err}");
    let after = other.status().unwrap();
    assert_eq!(
        (after.bank_lines, after.ledger_entries, after.audit_entries),
        (
            before.bank_lines,
            before.ledger_entries,
            before.audit_entries
        )
    );
    assert!(other.carried_forward().unwrap().is_none());
    assert_eq!(other.info().ledger_opening_minor, None);

    // Another account, or a period that is not before this one: refused.
    let mut wrong = november();
    wrong.account = "DE89370400440532013000".into();
    assert!(other.carry_forward(&actor(&p), &wrong).is_err());
    let mut later = november();
    later.period_start = "2026-12-01".into();
    later.period_end = "2026-12-31".into();
    let err = other.carry_forward(&actor(&p), &later).unwrap_err();
    assert!(err.to_string().contains("does not come before"), "{err}");
}
