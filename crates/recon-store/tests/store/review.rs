//! Review and sign-off through the store: idempotent imports, re-runs keep manual decisions,
//! adjustments, undo, maker-checker, zero unexplained difference before prepare, approval
//! withdrawn (and audited) by any later change.

use crate::support::*;
use recon_review::{AdjustmentReason, SignOffState};
use recon_store::{Adjustment, ExceptionQuery, MemoryKeyStore, StoreErrorKind, Workspace};

#[test]
fn imports_are_idempotent_and_corrections_are_explicit() {
    let keys = MemoryKeyStore::default();
    let mut ws = sample_workspace("idempotent", &keys);
    let p = clara();
    let (s, ledger) = sample();
    let again = ws
        .import_statements(&actor(&p), &file("s1.sta", "s1"), std::slice::from_ref(&s))
        .unwrap();
    assert!(again.duplicate_file);
    let same_statement_other_file = ws
        .import_statements(
            &actor(&p),
            &file("s1-copy.sta", "copy"),
            std::slice::from_ref(&s),
        )
        .unwrap();
    assert_eq!(same_statement_other_file.statements_imported, 0);
    assert!(
        same_statement_other_file.skipped[0].contains("already imported"),
        "{:?}",
        same_statement_other_file.skipped
    );
    let mut corrected = s.clone();
    corrected.lines[5].amount_minor = -900;
    corrected.closing_balance.as_mut().unwrap().amount_minor -= 25;
    let refused = ws
        .import_statements(&actor(&p), &file("s1-v2.sta", "v2"), &[corrected.clone()])
        .unwrap();
    assert!(
        refused.skipped[0].contains("replace it explicitly"),
        "{:?}",
        refused.skipped
    );
    ws.replace_statement(
        &actor(&p),
        &file("s1-v2.sta", "v2"),
        &corrected,
        "bank corrected the fee",
    )
    .unwrap();
    assert_eq!(ws.status().unwrap().bank_lines, 6);
    let ledger_again = ws
        .import_ledger(&actor(&p), &file("ledger2.csv", "l2"), &ledger)
        .unwrap();
    assert_eq!(ledger_again.ledger_entries_imported, 0);
    let (entries, _) = ws.audit_entries().unwrap();
    assert!(entries.iter().any(|e| e.action == "statement_replaced" && e.after.contains("bank corrected the fee")));
    ws.verify_audit().unwrap();
}

/// The dashboard's rule counts (read from each group's stored item count and bank total) agree
/// with the same figures computed from the group's items.
fn assert_rule_counts_follow_the_items(ws: &mut Workspace) {
    let stored: Vec<_> = ws
        .rule_counts()
        .unwrap()
        .into_iter()
        .filter(|c| c.status != "suggested")
        .map(|c| (c.rule, c.status, c.groups, c.items, c.bank_minor))
        .collect();
    let mut stmt = ws
        .connection_for_tests()
        .prepare(
            "SELECT g.rule, CASE g.origin WHEN 'auto' THEN 'auto' ELSE 'manual' END, count(DISTINCT g.id),
                    count(*), coalesce(sum(CASE WHEN i.side = 'bank' THEN i.amount_minor END), 0)
             FROM groups g JOIN group_items i ON i.group_id = g.id WHERE g.removed_at IS NULL
             GROUP BY 1, 2 ORDER BY 1, 2",
        )
        .unwrap();
    let from_items: Vec<(String, String, i64, i64, i64)> = stmt
        .query_map([], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
        })
        .unwrap()
        .collect::<rusqlite::Result<_>>()
        .unwrap();
    assert!(!from_items.is_empty());
    assert_eq!(stored, from_items);
}

#[test]
fn rerunning_the_matcher_keeps_manual_decisions_and_rejections() {
    let keys = MemoryKeyStore::default();
    let mut ws = sample_workspace("rerun", &keys);
    let p = clara();
    let run = run_matcher(&mut ws, &p);
    assert!(run.auto_groups >= 3, "{run:?}");
    assert_rule_counts_follow_the_items(&mut ws);
    // S1/5 (1995.00) settles GL-5 (2000.00) less a 5.00 bank charge: the bank_charges rule
    // books it; a clerk takes it apart and matches it by hand with an adjustment instead.
    let charged = ws
        .group_of("bank", "S1/5")
        .unwrap()
        .expect("bank_charges rule matched S1/5");
    let statement = ws.reconciliation_statement().unwrap();
    assert_eq!(
        statement.unexplained_minor,
        0,
        "{}",
        statement.render("EUR", 2)
    );
    ws.unmatch(&actor(&p), &[charged]).unwrap();
    let unbalanced = ws.manual_match(&actor(&p), &["S1/5".into()], &["GL-5".into()], None);
    assert_eq!(unbalanced.unwrap_err().kind(), StoreErrorKind::Invalid);
    let adj = Adjustment {
        reason: AdjustmentReason::BankCharge,
        note: "fee on incoming wire".into(),
    };
    let receipt = ws
        .manual_match(&actor(&p), &["S1/5".into()], &["GL-5".into()], Some(&adj))
        .unwrap();
    let group = receipt.group.unwrap();
    assert_rule_counts_follow_the_items(&mut ws);
    // Unmatch an auto group: the matcher must not pair those items again.
    let auto_group = ws.group_of("bank", "S1/1").unwrap().unwrap();
    ws.unmatch(&actor(&p), &[auto_group]).unwrap();
    run_matcher(&mut ws, &p);
    assert_eq!(ws.group_of("bank", "S1/5").unwrap(), Some(group));
    assert_eq!(ws.group_of("bank", "S1/1").unwrap(), None);
    assert_eq!(ws.group_of("ledger", "GL-1").unwrap(), None);
    // Twice the same item in a confirmed group is refused.
    let again = ws.manual_match(&actor(&p), &["S1/5".into()], &[], None);
    assert_eq!(again.unwrap_err().kind(), StoreErrorKind::Conflict);
    // Undo of one's own last decision (the manual match of S1/1 below), then of the unmatch.
    ws.manual_match(&actor(&p), &["S1/1".into()], &["GL-1".into()], None)
        .unwrap();
    assert_rule_counts_follow_the_items(&mut ws);
    ws.undo_last(&actor(&p)).unwrap();
    assert_rule_counts_follow_the_items(&mut ws);
    assert_eq!(ws.group_of("bank", "S1/1").unwrap(), None);
    let page = ws
        .exceptions(
            &ExceptionQuery {
                side: Some("bank".into()),
                ..Default::default()
            },
            day(30),
        )
        .unwrap();
    assert!(
        page.iter()
            .any(|e| e.item_id == "S1/1" && e.days_open == 28),
        "{page:?}"
    );
    ws.verify_audit().unwrap();
}

#[test]
fn comments_attachments_assignments_and_their_undo() {
    let keys = MemoryKeyStore::default();
    let mut ws = sample_workspace("annotate", &keys);
    let p = clara();
    run_matcher(&mut ws, &p);
    let targets = vec!["bank:S1/6".to_string(), "ledger:GL-6".to_string()];
    ws.comment(&actor(&p), &targets, "ask the bank").unwrap();
    ws.attach(
        &actor(&p),
        &targets[..1],
        "advice.pdf",
        b"%PDF-1.7 fee advice",
    )
    .unwrap();
    ws.assign(&actor(&p), &targets, "clara").unwrap();
    let mine = ws
        .exceptions(
            &ExceptionQuery {
                assignee: Some("clara".into()),
                ..Default::default()
            },
            day(30),
        )
        .unwrap();
    assert_eq!(mine.len(), 2, "{mine:?}");
    ws.undo_last(&actor(&p)).unwrap();
    let mine = ws
        .exceptions(
            &ExceptionQuery {
                assignee: Some("clara".into()),
                ..Default::default()
            },
            day(30),
        )
        .unwrap();
    assert!(mine.is_empty());
    assert_eq!(
        ws.comment(&actor(&p), &["bank:NOPE".into()], "x")
            .unwrap_err()
            .kind(),
        StoreErrorKind::NotFound
    );
}

#[test]
fn maker_checker_and_withdrawal_of_approval() {
    let keys = MemoryKeyStore::default();
    let mut ws = sample_workspace("signoff", &keys);
    let clerk = clara();
    let sup = sam();
    run_matcher(&mut ws, &clerk);
    // The sample reconciles: every difference is an open item, so the unexplained difference is 0.
    let statement = ws.reconciliation_statement().unwrap();
    assert_eq!(
        statement.unexplained_minor,
        0,
        "{}",
        statement.render("EUR", 2)
    );
    assert_eq!(
        ws.approve(&actor(&sup)).unwrap_err().kind(),
        StoreErrorKind::NotAllowed
    );
    assert_eq!(
        ws.prepare(&actor(&sup)).unwrap_err().kind(),
        StoreErrorKind::NotAllowed,
        "supervisor lacks clerk role"
    );
    ws.prepare(&actor(&clerk)).unwrap();
    let both = recon_review::Principal::new(
        "clara",
        "Clara",
        &[recon_review::Role::Clerk, recon_review::Role::Supervisor],
    );
    assert!(
        ws.approve(&actor(&both))
            .unwrap_err()
            .to_string()
            .contains("may not approve")
    );
    let approved = ws.approve(&actor(&sup)).unwrap();
    assert_eq!(approved.state, SignOffState::Approved);
    assert_eq!(ws.approval_current().unwrap(), Some(true));
    assert_eq!(ws.outbox().unwrap().len(), 1);
    // A change after approval withdraws it, and the withdrawal is audited.
    ws.comment(&actor(&clerk), &["bank:S1/6".into()], "one more note")
        .unwrap();
    assert_eq!(ws.sign_off().unwrap().state, SignOffState::InReview);
    let (entries, _) = ws.audit_entries().unwrap();
    assert!(entries.iter().any(|e| e.action == "approval_withdrawn"));
    // Rejection sends it back with a reason.
    ws.prepare(&actor(&clerk)).unwrap();
    assert!(ws.reject(&actor(&sup), "").is_err());
    let back = ws.reject(&actor(&sup), "explain the fee").unwrap();
    assert_eq!(back.state, SignOffState::InReview);
    assert_eq!(back.last_rejection.as_deref(), Some("explain the fee"));
    ws.verify_audit().unwrap();
}

#[test]
fn prepare_needs_zero_unexplained_difference() {
    let keys = MemoryKeyStore::default();
    let dir = temp_dir("unexplained");
    let p = clara();
    // The ledger opened 0.01 higher than the bank: nothing explains that cent.
    let mut ws = recon_store::Workspace::create(
        &dir,
        ACCOUNT,
        "EUR",
        "2026-11-01",
        "2026-11-30",
        Some(1_000_001),
        &keys,
        &actor(&p),
    )
    .unwrap();
    let (s, ledger) = sample();
    ws.import_statements(&actor(&p), &file("s1.sta", "s1"), &[s])
        .unwrap();
    ws.import_ledger(&actor(&p), &file("ledger.csv", "ledger"), &ledger)
        .unwrap();
    assert_eq!(ws.reconciliation_statement().unwrap().unexplained_minor, 1);
    let err = ws.prepare(&actor(&p)).unwrap_err();
    assert!(err.to_string().contains("must be 0.00"), "{err}");
}

#[test]
fn the_count_of_a_query_is_the_number_of_rows_it_pages_through() {
    let keys = MemoryKeyStore::default();
    let mut ws = sample_workspace("exception-count", &keys);
    let p = clara();
    run_matcher(&mut ws, &p);
    let all = ws.exceptions(&ExceptionQuery::default(), day(30)).unwrap();
    assert!(all.len() >= 3, "{all:?}");
    let first = &all[0];
    ws.assign(
        &actor(&p),
        &[format!("{}:{}", first.side, first.item_id)],
        "sam",
    )
    .unwrap();
    let largest = all.iter().map(|r| r.amount_minor.abs()).max().unwrap();
    for q in [
        ExceptionQuery::default(),
        ExceptionQuery {
            side: Some("bank".into()),
            ..Default::default()
        },
        ExceptionQuery {
            assignee: Some("sam".into()),
            ..Default::default()
        },
        ExceptionQuery {
            min_abs_amount_minor: Some(largest),
            ..Default::default()
        },
    ] {
        let rows = ws
            .exceptions(
                &ExceptionQuery {
                    limit: 10_000,
                    ..q.clone()
                },
                day(30),
            )
            .unwrap();
        assert_eq!(ws.exception_count(&q).unwrap(), rows.len() as i64, "{q:?}");
        assert!(!rows.is_empty(), "{q:?}");
        assert!(
            rows.len() < all.len()
                || q.side.is_none() && q.assignee.is_none() && q.min_abs_amount_minor.is_none(),
            "{q:?}"
        );
    }
    let mine = ws
        .exceptions(
            &ExceptionQuery {
                assignee: Some("sam".into()),
                ..Default::default()
            },
            day(30),
        )
        .unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].assignee.as_deref(), Some("sam"));
}

#[test]
fn aging_buckets_follow_the_days_open_of_the_exception_list() {
    let keys = MemoryKeyStore::default();
    let mut ws = sample_workspace("aging", &keys);
    run_matcher(&mut ws, &clara());
    let bucket = |days: i64| match days {
        ..0 => None,
        0..=7 => Some(0),
        8..=30 => Some(1),
        31..=60 => Some(2),
        61..=90 => Some(3),
        _ => Some(4),
    };
    // As of dates before, inside and long after the sample's month: every boundary is crossed.
    let dates = (0..=400).map(|n| day(1) + chrono::Duration::days(n));
    let mut seen = [false; 5];
    for as_of in dates {
        let mut expected = vec![(0i64, 0i64); 5];
        let rows = ws.exceptions(&ExceptionQuery::default(), as_of).unwrap();
        assert!(!rows.is_empty());
        for row in &rows {
            if let Some(b) = bucket(row.days_open) {
                expected[b].0 += 1;
                expected[b].1 += row.amount_minor;
                seen[b] = true;
            }
        }
        let aging: Vec<(i64, i64)> = ws
            .aging(as_of)
            .unwrap()
            .into_iter()
            .map(|(_, n, sum)| (n, sum))
            .collect();
        assert_eq!(aging, expected, "as of {as_of}");
    }
    assert!(
        seen.iter().all(|s| *s),
        "every bucket was filled at some date: {seen:?}"
    );
}

#[test]
fn a_manual_match_takes_the_suggestions_that_share_its_items_off_the_list() {
    // Two bank lines of 50.00 and two ledger entries of 50.00, nothing else in common: four
    // suggestions. A clerk matches one pair by hand; every suggestion with either item leaves
    // the list (accepting one would fail: its item is in a group now).
    let keys = MemoryKeyStore::default();
    let p = clara();
    let mut ws = empty_workspace("manual-stale", &keys, ("2026-11-01", "2026-11-30"));
    let s = statement(
        "S9",
        0,
        vec![
            line("S9/1", 3, 5_000, "", "Transfer"),
            line("S9/2", 3, 5_000, "", "Transfer"),
        ],
    );
    ws.import_statements(&actor(&p), &file("s9.sta", "s9"), &[s])
        .unwrap();
    let mut a = entry("GL-A", 3, 5_000, "");
    let mut b = entry("GL-B", 3, 5_000, "");
    a.reference = None;
    b.reference = None;
    a.description = "Soylent".into();
    b.description = "Tyrell".into();
    ws.import_ledger(&actor(&p), &file("l9.csv", "l9"), &[a, b])
        .unwrap();
    run_matcher(&mut ws, &p);
    assert_eq!(ws.suggestions(100).unwrap().len(), 4);
    ws.manual_match(&actor(&p), &["S9/1".into()], &["GL-A".into()], None)
        .unwrap();
    let left = ws.suggestions(100).unwrap();
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(
        (left[0].bank.as_slice(), left[0].ledger.as_slice()),
        (&["S9/2".to_string()][..], &["GL-B".to_string()][..])
    );
    // The one left can be accepted.
    ws.accept_suggestions(&actor(&p), &[left[0].id], None)
        .unwrap();
    assert!(ws.suggestions(100).unwrap().is_empty());
    ws.verify_audit().unwrap();
}

#[test]
fn a_run_records_the_limits_its_passes_reached() {
    // One card payment of 50.00 and five ledger entries of 50.00 with nothing in common: the
    // bank line is offered three suggestions, and the run says two more were not offered.
    let keys = MemoryKeyStore::default();
    let p = clara();
    let mut ws = empty_workspace("run-limits", &keys, ("2026-11-01", "2026-11-30"));
    assert!(ws.last_run_limits().unwrap().is_empty(), "no run yet");
    let s = statement("S7", 0, vec![line("S7/1", 3, -5_000, "", "Card payment")]);
    ws.import_statements(&actor(&p), &file("s7.sta", "s7"), &[s])
        .unwrap();
    let entries: Vec<_> = ["Coffee", "Parking", "Taxi", "Lunch", "Books"]
        .iter()
        .enumerate()
        .map(|(k, text)| {
            let mut e = entry(&format!("GL-{k}"), 1 + k as u32, -5_000, "");
            e.reference = None;
            e.description = (*text).into();
            e
        })
        .collect();
    ws.import_ledger(&actor(&p), &file("l7.csv", "l7"), &entries)
        .unwrap();
    run_matcher(&mut ws, &p);
    assert_eq!(ws.suggestions(100).unwrap().len(), 3);
    let limits = ws.last_run_limits().unwrap();
    assert!(
        limits
            .iter()
            .any(|l| l.starts_with("amount_date_review: 2 suggestions were not offered")),
        "{limits:?}"
    );
}
