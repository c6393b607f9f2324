//! `recon-bench export [xlsx|pdf|pdf-appendix|csv|all] [EXCEPTIONS] [MATCHED_ITEMS]`: renders a
//! synthetic sign-off pack of the size the sign-off issue names (100,000 open exceptions and
//! 1,000,000 matched items by default) and prints the time of each format. Run one format per
//! process under `/usr/bin/time -v` for its peak memory (scripts/bench.sh does).

use recon_report::{PdfOptions, ReportFormat};
use recon_review::pack::{
    AdjustmentEntry, AuditLine, Controls, MatchedGroup, MatchedItem, OpenItem, PackFile,
    PackStatement, RuleSetUsed, RuleStat, SignOffPack, SignOffRecord,
};
use recon_review::{OpenItemTotals, ReconciliationStatement, SignOffState};
use std::time::Instant;

fn day(n: usize) -> String {
    format!("2026-11-{:02}", 1 + n % 30)
}

pub fn synthetic_pack(exceptions: usize, matched_items: usize) -> SignOffPack {
    let groups: Vec<MatchedGroup> = (0..matched_items / 2)
        .map(|g| {
            let amount = ((g * 7919) % 2_000_000) as i64 - 1_000_000;
            MatchedGroup {
                id: g as i64 + 1,
                rule: if g % 10 == 0 { "amount_date" } else { "exact" }.to_string(),
                origin: "auto".into(),
                created_by: "clara".into(),
                difference_minor: 0,
                items: vec![
                    MatchedItem {
                        side: "bank".into(),
                        item_id: format!("B{g:08}"),
                        date: day(g),
                        amount_minor: amount,
                        reference: format!("INV-{g:08}"),
                    },
                    MatchedItem {
                        side: "ledger".into(),
                        item_id: format!("L{g:08}"),
                        date: day(g + 1),
                        amount_minor: amount,
                        reference: format!("INV-{g:08}"),
                    },
                ],
            }
        })
        .collect();
    let open: Vec<OpenItem> = (0..exceptions)
        .map(|i| OpenItem {
            side: if i % 3 == 0 { "bank" } else { "ledger" }.into(),
            item_id: format!("X{i:08}"),
            date: day(i),
            days_open: (i % 90) as i64,
            amount_minor: ((i * 104_729) % 500_000) as i64 - 250_000,
            reason: "no_candidate".into(),
            reference: format!("REF-{i:08}"),
            description: format!("Payment to supplier {} for invoice {i}", i % 977),
        })
        .collect();
    let statement = ReconciliationStatement::from_totals(&OpenItemTotals {
        bank_closing_minor: 123_456_789,
        ledger_balance_minor: 123_456_789,
        ..OpenItemTotals::default()
    });
    SignOffPack {
        workspace_id: "bench".into(),
        account: "NL91ABNA0417164300".into(),
        currency: "EUR".into(),
        exponent: 2,
        period_start: "2026-11-01".into(),
        period_end: "2026-11-30".into(),
        generated_at: "2026-11-30T18:00:00Z".into(),
        as_of: "2026-11-30".into(),
        as_of_time_zone: "UTC+01:00".into(),
        deviations: Vec::new(),
        deviations_total: 0,
        statements: vec![PackStatement {
            source: "bank.csv".into(),
            format: "csv".into(),
            statement_id: "BENCH".into(),
            sequence: "1".into(),
            first_date: "2026-11-01".into(),
            last_date: "2026-11-30".into(),
            opening_minor: Some(0),
            closing_minor: Some(123_456_789),
            line_count: matched_items as i64 / 2,
            lines_total_minor: 123_456_789,
        }],
        input_files: vec![PackFile {
            name: "bank.csv".into(),
            kind: "statement".into(),
            sha256: "0".repeat(64),
            records: matched_items as i64 / 2,
            total_minor: 123_456_789,
            source: None,
        }],
        ledger_opening_minor: 0,
        reconciliation: statement,
        controls: Controls::default(),
        rule_stats: vec![RuleStat {
            rule: "exact".into(),
            status: "auto".into(),
            groups: groups.len() as i64,
            bank_items: groups.len() as i64,
            ledger_items: groups.len() as i64,
            bank_minor: 0,
        }],
        rule_set: RuleSetUsed {
            name: "default".into(),
            sha256: "1".repeat(64),
            runs: 1,
        },
        exceptions: open,
        adjustments: vec![AdjustmentEntry {
            group: 1,
            rule: "manual".into(),
            reason: "bank_charge".into(),
            note: "fee".into(),
            difference_minor: -875,
            created_by: "clara".into(),
            created_at: "2026-11-30T17:00:00Z".into(),
            items: "bank B00000001".into(),
        }],
        groups,
        audit: (1..=1000)
            .map(|seq| AuditLine {
                seq,
                at: "2026-11-30T17:00:00Z".into(),
                actor: "clara".into(),
                action: "decision".into(),
                target: format!("group:{seq}"),
                hash: "2".repeat(64),
            })
            .collect(),
        audit_head_hash: "2".repeat(64),
        sign_off: SignOffRecord {
            state: SignOffState::Prepared,
            preparer: Some("clara".into()),
            prepared_at: Some("2026-11-30T17:30:00Z".into()),
            approver: None,
            approved_at: None,
            content_hash: None,
            last_rejection: None,
        },
        content_hash: "3".repeat(64),
    }
}

pub fn bench_export(what: &str, exceptions: usize, matched_items: usize) {
    let started = Instant::now();
    let pack = synthetic_pack(exceptions, matched_items);
    let build = started.elapsed();
    println!(
        "| build the synthetic pack | {exceptions} exceptions, {matched_items} matched items | {build:.2?} | |"
    );
    let cases: [(&str, ReportFormat, bool); 4] = [
        ("xlsx", ReportFormat::Xlsx, true),
        ("pdf", ReportFormat::Pdf, false),
        ("pdf-appendix", ReportFormat::Pdf, true),
        ("csv", ReportFormat::Csv, true),
    ];
    for (name, format, appendix) in cases {
        if what != "all" && what != name {
            continue;
        }
        let started = Instant::now();
        let bytes = recon_report::render(&pack, format, &PdfOptions { appendix }).expect("render");
        let elapsed = started.elapsed();
        let what = match name {
            "pdf" => "PDF: summary and exception listing".to_string(),
            "pdf-appendix" => "PDF with the appendix of every matched item".to_string(),
            other => other.to_ascii_uppercase(),
        };
        println!(
            "| export {what} | {exceptions} exceptions, {matched_items} matched items | {elapsed:.2?} | {} MB |",
            bytes.len() / 1_000_000
        );
    }
}
