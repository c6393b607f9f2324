//! The sign-off pack end to end: a workspace reconciled and approved by the demo flow (with
//! formula payloads in its text fields), exported as CSV, XLSX and PDF, and each file read back
//! the way an auditor's tools read it: the CSV by a CSV reader, the XLSX by calamine, the PDF by
//! poppler's pdftotext and pdftoppm. Totals must tie out to the workspace to the cent.

use calamine::{Data, Reader, Xlsx};
use recon_api::{PdfOptions, ReportFormat};
use recon_model::{Date, LedgerEntry, format_minor, parse_minor};
use recon_review::pack::SignOffPack;
use recon_store::{MemoryKeyStore, Workspace};
use std::path::{Path, PathBuf};
use std::process::Command;

const PAYLOADS: [&str; 6] = [
    "=HYPERLINK(\"http://evil.example\",\"x\")",
    "+SUM(1,2)",
    "-2+3",
    "@SUM(A1)",
    "\t=1+1",
    "\r=1+1",
];

struct Fixture {
    dir: PathBuf,
    keys: MemoryKeyStore,
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The bundled demo reconciliation, approved, with payload ledger entries left open.
fn approved_workspace(name: &str) -> Fixture {
    let dir = std::env::temp_dir().join(format!("recon-export-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let keys = MemoryKeyStore::default();
    let report = recon_api::run_demo().unwrap();
    let mut files: Vec<(String, Vec<recon_model::Statement>)> = Vec::new();
    for s in report.import.statements {
        match files.iter_mut().find(|(n, _)| *n == s.source) {
            Some((_, list)) => list.push(s),
            None => files.push((s.source.clone(), vec![s])),
        }
    }
    let mut ledger = report.ledger;
    let currency = recon_model::Currency::from_code("EUR").unwrap();
    for (n, payload) in PAYLOADS.iter().enumerate() {
        ledger.push(LedgerEntry {
            entry_id: format!("PAYLOAD-{n}"),
            account: recon_api::DEMO_ACCOUNT.into(),
            posting_date: Date::from_ymd_opt(2026, 11, 20).unwrap(),
            amount_minor: 1_000 + n as i64,
            currency,
            reference: Some((*payload).to_string()),
            description: (*payload).to_string(),
        });
    }
    let demo = recon_api::workspace_demo_flow(&dir, &keys, &files, &ledger, None).unwrap();
    assert_eq!(
        demo.sign_off.state,
        recon_review::SignOffState::Approved,
        "{}",
        demo.steps.join("\n")
    );
    Fixture { dir, keys }
}

fn pack(f: &Fixture, generated_at: &str) -> (Workspace, SignOffPack) {
    let mut ws = recon_api::workspace::open_workspace(&f.dir, &f.keys).unwrap();
    let pack = ws
        .sign_off_pack(Date::from_ymd_opt(2026, 12, 31).unwrap(), generated_at)
        .unwrap();
    (ws, pack)
}

fn minor(text: &str, exponent: u32) -> i64 {
    parse_minor(text, b'.', exponent).unwrap_or_else(|e| panic!("{text:?} is not an amount: {e:?}"))
}

#[test]
fn csv_ties_out_and_neutralizes_formulas() {
    let f = approved_workspace("csv");
    let (ws, pack) = pack(&f, "2026-12-31T10:00:00Z");
    assert!(!pack.is_draft());
    let bytes = recon_report::render(&pack, ReportFormat::Csv, &PdfOptions::default()).unwrap();
    let mut reader = csv::ReaderBuilder::new().from_reader(bytes.as_slice());
    let header: Vec<String> = reader.headers().unwrap().iter().map(String::from).collect();
    let column = |name: &str| header.iter().position(|h| h == name).unwrap();
    let (record, name, amount, days) = (
        column("record"),
        column("name"),
        column("amount"),
        column("days_open"),
    );
    let mut open_sum = 0i64;
    let mut open_count = 0;
    let mut unexplained = None;
    let mut matched_bank = 0i64;
    for row in reader.records() {
        let row = row.unwrap();
        for (i, cell) in row.iter().enumerate() {
            if i == amount || i == days {
                continue;
            }
            assert!(
                !cell.starts_with(['=', '+', '-', '@', '\t', '\r']),
                "a formula survived in column {}: {cell:?} ({row:?})",
                header[i]
            );
        }
        if !row[amount].is_empty() {
            minor(&row[amount], pack.exponent);
        }
        match &row[record] {
            "exception" => {
                open_sum += minor(&row[amount], pack.exponent);
                open_count += 1;
                row[days].parse::<i64>().unwrap();
            }
            "balance" if &row[name] == "unexplained_difference" => {
                unexplained = Some(row[amount].to_string());
            }
            "match" if &row[column("side")] == "bank" => {
                matched_bank += minor(&row[amount], pack.exponent);
            }
            _ => {}
        }
    }
    for payload in PAYLOADS {
        let text = String::from_utf8_lossy(&bytes);
        assert!(
            text.contains(&format!("'{}", payload.replace('"', "\"\""))),
            "payload {payload:?} not kept as neutralized text"
        );
    }
    assert_eq!(unexplained.as_deref(), Some("0.00"));
    let c = &pack.controls;
    assert_eq!(open_count as i64, c.open_bank_lines + c.open_ledger_entries);
    assert_eq!(open_sum, c.open_bank_minor + c.open_ledger_minor);
    assert_eq!(matched_bank, c.matched_bank_minor);
    // The controls themselves tie out to the workspace's own statement.
    let statement = ws.reconciliation_statement().unwrap();
    assert_eq!(statement, pack.reconciliation);
    // The per-file control totals add up to the item totals (ledger files counted in the scan,
    // statement files from their statements).
    for (kind, records, total) in [
        ("ledger", c.ledger_entries, c.ledger_total_minor),
        ("statement", c.bank_lines, c.bank_total_minor),
    ] {
        let files: Vec<_> = pack.input_files.iter().filter(|f| f.kind == kind).collect();
        assert!(!files.is_empty(), "no {kind} files in the pack");
        assert_eq!(
            files.iter().map(|f| f.records).sum::<i64>(),
            records,
            "{kind}"
        );
        assert_eq!(
            files.iter().map(|f| f.total_minor).sum::<i64>(),
            total,
            "{kind}"
        );
    }
    assert_eq!(
        pack.content_hash,
        ws.sign_off().unwrap().content_hash.unwrap()
    );
}

#[test]
fn same_reconciliation_same_bytes_except_the_named_timestamp() {
    let f = approved_workspace("repro");
    let (_ws, first) = pack(&f, "2026-12-31T10:00:00Z");
    let (_ws, second) = pack(&f, "2026-12-31T10:00:00Z");
    let (_ws, later) = pack(&f, "2027-01-02T09:30:00Z");
    for format in [ReportFormat::Csv, ReportFormat::Xlsx, ReportFormat::Pdf] {
        let o = PdfOptions::default();
        let a = recon_report::render(&first, format, &o).unwrap();
        let b = recon_report::render(&second, format, &o).unwrap();
        assert!(a == b, "{} export is not reproducible", format.name());
        let c = recon_report::render(&later, format, &o).unwrap();
        assert!(a != c, "{} ignores generated_at", format.name());
    }
    let a = recon_report::render(&first, ReportFormat::Csv, &PdfOptions::default()).unwrap();
    let c = recon_report::render(&later, ReportFormat::Csv, &PdfOptions::default()).unwrap();
    let a = String::from_utf8(a).unwrap();
    let c = String::from_utf8(c).unwrap();
    let differing: Vec<(&str, &str)> = a.lines().zip(c.lines()).filter(|(x, y)| x != y).collect();
    assert_eq!(differing.len(), 1, "{differing:?}");
    assert!(differing[0].0.contains("generated_at"), "{differing:?}");
}

fn cell_minor(cell: &Data, exponent: u32) -> i64 {
    match cell {
        Data::Float(v) => minor(&format!("{v:.*}", exponent as usize), exponent),
        Data::Int(v) => v * 10i64.pow(exponent),
        other => panic!("not a number: {other:?}"),
    }
}

#[test]
fn xlsx_sheets_tie_out_and_hold_no_formulas() {
    let f = approved_workspace("xlsx");
    let (_ws, pack) = pack(&f, "2026-12-31T10:00:00Z");
    let bytes = recon_report::render(&pack, ReportFormat::Xlsx, &PdfOptions::default()).unwrap();
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    assert_eq!(
        book.sheet_names(),
        [
            "Summary",
            "Matched",
            "Exceptions",
            "Adjustments",
            "Audit trail"
        ]
    );
    for sheet in book.sheet_names() {
        let formulas = book.worksheet_formula(&sheet).unwrap();
        assert!(
            formulas.used_cells().all(|(_, _, f)| f.is_empty()),
            "sheet {sheet} holds formulas"
        );
    }
    let x = pack.exponent;
    let exceptions = book.worksheet_range("Exceptions").unwrap();
    let header: Vec<String> = exceptions
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(header[4], "Amount");
    let rows: Vec<&[Data]> = exceptions.rows().skip(1).collect();
    assert_eq!(rows.len(), pack.exceptions.len());
    let total: i64 = rows.iter().map(|r| cell_minor(&r[4], x)).sum();
    assert_eq!(
        total,
        pack.controls.open_bank_minor + pack.controls.open_ledger_minor
    );
    for payload in PAYLOADS {
        assert!(
            rows.iter()
                .any(|r| r[7] == Data::String(payload.to_string())),
            "payload {payload:?} should be kept verbatim as text"
        );
    }
    let matched = book.worksheet_range("Matched").unwrap();
    let bank: i64 = matched
        .rows()
        .skip(1)
        .filter(|r| r[3] == Data::String("bank".into()))
        .map(|r| cell_minor(&r[6], x))
        .sum();
    assert_eq!(bank, pack.controls.matched_bank_minor);
    let summary = book.worksheet_range("Summary").unwrap();
    let find = |label: &str| -> i64 {
        let row = summary
            .rows()
            .find(|r| r[0] == Data::String(label.into()))
            .unwrap_or_else(|| panic!("no {label} row on Summary"));
        cell_minor(&row[1], x)
    };
    assert_eq!(find("Unexplained difference"), 0);
    assert_eq!(
        find("Ledger balance"),
        pack.reconciliation.ledger_balance_minor
    );
    assert_eq!(
        find("Bank closing balance"),
        pack.reconciliation.bank_closing_minor
    );
    let audit = book.worksheet_range("Audit trail").unwrap();
    assert_eq!(audit.rows().count() - 1, pack.audit.len());
    let adjustments = book.worksheet_range("Adjustments").unwrap();
    assert_eq!(adjustments.rows().count() - 1, pack.adjustments.len());
    assert!(!pack.adjustments.is_empty());
    // Each adjustment names the items of its group, bank side first, and who booked it.
    for a in &pack.adjustments {
        let group = pack.groups.iter().find(|g| g.id == a.group).unwrap();
        let named: Vec<String> = group
            .items
            .iter()
            .map(|i| format!("{} {}", i.side, i.item_id))
            .collect();
        assert_eq!(a.items, named.join("; "));
        assert_eq!(a.difference_minor, group.difference_minor);
        assert!(
            !a.created_by.is_empty() && !a.created_at.is_empty(),
            "{a:?}"
        );
        assert!(!a.reason.is_empty() || a.difference_minor != 0, "{a:?}");
    }
    assert!(
        pack.adjustments
            .iter()
            .any(|a| a.items.starts_with("bank "))
    );
}

fn tool(name: &str) -> bool {
    Command::new(name).arg("-v").output().is_ok()
}

fn render_dir() -> PathBuf {
    let dir = recon_tests::repo_root().join("target/signoff-render");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn pdf_text(pdf: &Path) -> String {
    let out = Command::new("pdftotext")
        .args(["-layout"])
        .arg(pdf)
        .arg("-")
        .output()
        .expect("pdftotext (poppler-utils, installed by scripts/setup.sh)");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

#[test]
fn pdf_reads_back_with_totals_sign_off_and_page_numbers() {
    assert!(
        tool("pdftotext") && tool("pdftoppm"),
        "poppler-utils is required (scripts/setup.sh installs it)"
    );
    let f = approved_workspace("pdf");
    let (mut ws, pack) = pack(&f, "2026-12-31T10:00:00Z");
    let dir = render_dir();
    let approved = dir.join("approved.pdf");
    let bytes = recon_report::render(&pack, ReportFormat::Pdf, &PdfOptions::default()).unwrap();
    std::fs::write(&approved, &bytes).unwrap();
    let text = pdf_text(&approved);
    let pages = text.matches('\u{c}').count().max(1);
    assert!(text.contains("Bank reconciliation sign-off pack"), "{text}");
    assert!(
        text.contains("APPROVED") && !text.contains("DRAFT"),
        "{text}"
    );
    let line = |label: &str| -> String {
        text.lines()
            .find(|l| l.trim_start().starts_with(label))
            .unwrap_or_else(|| panic!("no line {label:?} in\n{text}"))
            .to_string()
    };
    let x = pack.exponent;
    assert!(line("Unexplained difference").trim_end().ends_with("0.00"));
    let grouped = recon_report::grouped(pack.reconciliation.ledger_balance_minor, x);
    assert!(
        line("Ledger balance").contains(&grouped),
        "{}",
        line("Ledger balance")
    );
    let so = &pack.sign_off;
    assert!(line("Preparer").contains(so.preparer.as_deref().unwrap()));
    assert!(line("Approver").contains(so.approver.as_deref().unwrap()));
    assert!(line("Approved at").contains(so.approved_at.as_deref().unwrap()));
    assert!(text.contains(&pack.content_hash), "content hash missing");
    for file in &pack.input_files {
        assert!(text.contains(&file.sha256), "sha of {} missing", file.name);
    }
    assert!(text.contains(&format!("Page 1 of {pages}")), "{text}");
    assert!(text.contains(&format!("Page {pages} of {pages}")), "{text}");
    let open: i64 = pack.exceptions.iter().map(|e| e.amount_minor).sum();
    assert!(
        text.lines()
            .any(|l| l.contains("Total") && l.contains(&recon_report::grouped(open, x))),
        "open items total {} missing",
        format_minor(open, x)
    );
    assert!(text.contains("Appendix: matched groups"));
    // Render the pages to PNG, as a reviewer looks at them.
    let status = Command::new("pdftoppm")
        .args(["-r", "60", "-png"])
        .arg(&approved)
        .arg(dir.join("approved"))
        .status()
        .unwrap();
    assert!(status.success());
    assert!(std::fs::read_dir(&dir).unwrap().any(|e| {
        e.unwrap()
            .file_name()
            .to_string_lossy()
            .starts_with("approved-")
    }));

    // A change withdraws the approval: the pack is a draft, watermarked on every page.
    let clara = recon_review::Principal::new("clara", "Clara", &[recon_review::Role::Clerk]);
    recon_api::workspace::manual_match(
        &mut ws,
        &clara,
        &[],
        &["PAYLOAD-0".to_string()],
        Some(&recon_store::Adjustment {
            reason: recon_review::AdjustmentReason::WriteOff,
            note: "=cmd|' /C calc'!A0".into(),
        }),
    )
    .unwrap();
    let draft_pack = ws
        .sign_off_pack(
            Date::from_ymd_opt(2026, 12, 31).unwrap(),
            "2026-12-31T11:00:00Z",
        )
        .unwrap();
    assert!(draft_pack.is_draft());
    let draft = dir.join("draft.pdf");
    std::fs::write(
        &draft,
        recon_report::render(&draft_pack, ReportFormat::Pdf, &PdfOptions::default()).unwrap(),
    )
    .unwrap();
    let text = pdf_text(&draft);
    let pages = text.matches('\u{c}').count().max(1);
    assert!(text.matches("DRAFT").count() >= pages, "{text}");
    assert!(text.contains("write_off"), "{text}");
}

#[test]
fn export_to_an_unwritable_place_says_where_and_leaves_nothing() {
    let f = approved_workspace("unwritable");
    let mut ws = recon_api::workspace::open_workspace(&f.dir, &f.keys).unwrap();
    let out = f.dir.join("no-such-dir").join("pack.pdf");
    let err = recon_api::export_sign_off(&mut ws, ReportFormat::Pdf, &out, &PdfOptions::default())
        .unwrap_err();
    assert_eq!(err.code(), recon_api::ErrorCode::OutputUnwritable);
    assert!(err.to_string().contains("pack.pdf"), "{err}");
    assert!(!out.exists());
    // An existing pack is replaced whole.
    let out = f.dir.join("pack.csv");
    std::fs::write(&out, "old").unwrap();
    let report =
        recon_api::export_sign_off(&mut ws, ReportFormat::Csv, &out, &PdfOptions::default())
            .unwrap();
    assert_eq!(
        std::fs::metadata(&out).unwrap().len() as usize,
        report.bytes
    );
    let leftovers: Vec<_> = std::fs::read_dir(&f.dir)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(leftovers.is_empty());
}

#[test]
fn a_table_longer_than_a_sheet_continues_on_numbered_sheets() {
    let f = approved_workspace("split");
    let (_ws, pack) = pack(&f, "2026-12-31T10:00:00Z");
    let items: usize = pack.groups.iter().map(|g| g.items.len()).sum();
    let limit = 10;
    let bytes = recon_report::xlsx_with_row_limit(&pack, limit).unwrap();
    let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
    let names = book.sheet_names();
    let matched: Vec<&String> = names.iter().filter(|n| n.starts_with("Matched")).collect();
    assert_eq!(matched.len(), items.div_ceil(limit), "{names:?}");
    assert_eq!(matched[1], "Matched (2)");
    let mut rows = 0;
    for name in matched {
        let range = book.worksheet_range(name).unwrap();
        assert_eq!(
            range.rows().next().unwrap()[0],
            Data::String("Group".into())
        );
        rows += range.rows().count() - 1;
    }
    assert_eq!(rows, items);
}

#[test]
fn a_large_workbook_filled_on_two_threads_is_the_same_bytes_every_time() {
    // Past 10,000 rows the Matched and Exceptions tables stream (constant-memory sheets) and are
    // filled on two threads; the bytes must not depend on which thread gets where first.
    let f = approved_workspace("xlsx-threads");
    let (_ws, mut pack) = pack(&f, "2026-12-31T10:00:00Z");
    let (groups, exceptions) = (pack.groups.clone(), pack.exceptions.clone());
    for n in 0..3_000 {
        pack.groups.extend(groups.iter().cloned().map(|mut g| {
            g.id += 1_000 * (n + 1);
            g
        }));
        pack.exceptions.extend(exceptions.iter().cloned());
    }
    let items: usize = pack.groups.iter().map(|g| g.items.len()).sum();
    assert!(items > 10_000 && pack.exceptions.len() > 10_000);
    let first = recon_report::render(&pack, ReportFormat::Xlsx, &PdfOptions::default()).unwrap();
    for _ in 0..3 {
        let again =
            recon_report::render(&pack, ReportFormat::Xlsx, &PdfOptions::default()).unwrap();
        assert!(first == again, "the XLSX bytes differ between renders");
    }
    let mut book: calamine::Xlsx<_> =
        calamine::open_workbook_from_rs(std::io::Cursor::new(first)).unwrap();
    let matched = book.worksheet_range("Matched").unwrap();
    assert_eq!(matched.rows().count() - 1, items);
    let open = book.worksheet_range("Exceptions").unwrap();
    assert_eq!(open.rows().count() - 1, pack.exceptions.len());
}

#[test]
fn the_pack_ages_by_the_local_date_and_every_format_names_its_time_zone() {
    let f = approved_workspace("tz");
    let mut ws = recon_api::workspace::open_workspace(&f.dir, &f.keys).unwrap();
    let before = chrono::Utc::now();
    let pack = recon_api::sign_off_pack(&mut ws).unwrap();
    let after = chrono::Utc::now();
    // What the laptop's clock and zone say (the date may turn between the readings).
    let (first, zone) = recon_api::workspace::local_date_at(before);
    let (last, _) = recon_api::workspace::local_date_at(after);
    assert!(
        pack.as_of == first.to_string() || pack.as_of == last.to_string(),
        "the pack ages as of {}, the local date is {first}",
        pack.as_of
    );
    assert_eq!(pack.as_of_time_zone, zone);
    assert!(
        pack.as_of_time_zone.starts_with("UTC"),
        "{}",
        pack.as_of_time_zone
    );
    let label = format!("{} ({})", pack.as_of, pack.as_of_time_zone);
    // The CSV row, the XLSX summary and the PDF's cover all say it.
    let csv = recon_report::render(&pack, ReportFormat::Csv, &PdfOptions::default()).unwrap();
    let csv = String::from_utf8(csv).unwrap();
    assert!(
        csv.lines()
            .any(|l| l.contains("as_of_time_zone") && l.contains(&pack.as_of_time_zone)),
        "no as_of_time_zone row in the CSV"
    );
    let xlsx = recon_report::render(&pack, ReportFormat::Xlsx, &PdfOptions::default()).unwrap();
    let mut book = Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let summary = book.worksheet_range("Summary").unwrap();
    assert!(
        summary
            .rows()
            .any(|r| r.iter().any(|c| c.to_string() == label)),
        "the XLSX summary does not say {label}"
    );
    if tool("pdftotext") {
        let path = render_dir().join("time-zone.pdf");
        let pdf = recon_report::render(&pack, ReportFormat::Pdf, &PdfOptions::default()).unwrap();
        std::fs::write(&path, pdf).unwrap();
        let text = pdf_text(&path);
        assert!(
            text.lines()
                .any(|l| l.contains("Ages as of") && l.contains(&label)),
            "the PDF does not say {label}"
        );
    }
}

#[test]
fn deviations_the_statements_were_read_with_are_listed_in_every_format() {
    let dir = std::env::temp_dir().join(format!("recon-export-deviations-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    let keys = MemoryKeyStore::default();
    let clara = recon_review::Principal::new("clara", "Clara", &[recon_review::Role::Clerk]);
    recon_api::workspace::create_workspace(
        &recon_api::workspace::NewWorkspace {
            dir: dir.clone(),
            account: "12345678/1020304050".into(),
            currency: "EUR".into(),
            period_start: Date::from_ymd_opt(2016, 2, 1).unwrap(),
            period_end: Date::from_ymd_opt(2016, 3, 31).unwrap(),
            ledger_opening: None,
        },
        &clara,
        &keys,
    )
    .unwrap();
    let mut ws = recon_api::workspace::open_workspace(&dir, &keys).unwrap();
    // A German bank's 30 February: read as the 29th with a warning that keeps "160230".
    let file = recon_tests::repo_root().join("tests/deviations/mt940/february_30.sta");
    recon_api::workspace::import_statements(
        &mut ws,
        &clara,
        std::slice::from_ref(&file),
        &recon_api::ImportOptions::default(),
    )
    .unwrap();
    let pack = recon_api::sign_off_pack(&mut ws).unwrap();
    drop(ws);
    let _ = std::fs::remove_dir_all(&dir);
    assert_eq!(pack.deviations_total, 1, "{:?}", pack.deviations);
    let d = &pack.deviations[0];
    assert_eq!(d.code, "mt940.date_past_month_end");
    assert_eq!((d.statement_id.as_str(), d.line), ("00042", Some(5)));
    assert!(d.excerpt.contains("160230"), "{}", d.excerpt);

    let csv = recon_report::render(&pack, ReportFormat::Csv, &PdfOptions::default()).unwrap();
    let mut reader = csv::Reader::from_reader(csv.as_slice());
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let deviation: Vec<_> = rows.iter().filter(|r| &r[0] == "deviation").collect();
    assert_eq!(deviation.len(), 1);
    assert_eq!(&deviation[0][2], "mt940.date_past_month_end");
    assert!(deviation[0][13].contains("160230"), "{:?}", deviation[0]);

    let xlsx = recon_report::render(&pack, ReportFormat::Xlsx, &PdfOptions::default()).unwrap();
    let mut book = Xlsx::new(std::io::Cursor::new(xlsx)).unwrap();
    let summary = book.worksheet_range("Summary").unwrap();
    assert!(
        summary.rows().any(|r| r
            .iter()
            .any(|c| matches!(c, Data::String(s) if s == "mt940.date_past_month_end"))
            && r.iter().any(|c| c.to_string().contains("160230"))),
        "the XLSX summary does not list the deviation"
    );

    if tool("pdftotext") {
        let path = render_dir().join("deviations.pdf");
        let pdf = recon_report::render(&pack, ReportFormat::Pdf, &PdfOptions::default()).unwrap();
        std::fs::write(&path, pdf).unwrap();
        let text = pdf_text(&path);
        assert!(
            text.contains("Statements read with deviations (1 recorded)"),
            "{text}"
        );
        assert!(
            text.lines()
                .any(|l| l.contains("mt940.date_past_month_end") && l.contains("160230")),
            "{text}"
        );
    }
}

#[test]
fn parquet_results_hold_every_item_tie_out_and_are_the_same_bytes_every_time() {
    use polars::prelude::*;
    let f = approved_workspace("parquet");
    let (_ws, pack) = pack(&f, "2026-12-01T10:00:00Z");
    let matched = recon_report::parquet::matched_items(&pack).unwrap();
    let open = recon_report::parquet::open_items(&pack).unwrap();
    assert_eq!(
        matched,
        recon_report::parquet::matched_items(&pack).unwrap()
    );
    assert_eq!(&matched[..4], b"PAR1");
    let read = |bytes: &[u8]| {
        ParquetReader::new(std::io::Cursor::new(bytes.to_vec()))
            .finish()
            .unwrap()
    };
    let m = read(&matched);
    let items: Vec<_> = pack.groups.iter().flat_map(|g| &g.items).collect();
    assert_eq!(m.height(), items.len());
    let amounts = m.column("amount_minor").unwrap().i64().unwrap();
    let sides = m.column("side").unwrap().str().unwrap();
    for side in ["bank", "ledger"] {
        let want: i64 = items
            .iter()
            .filter(|i| i.side == side)
            .map(|i| i.amount_minor)
            .sum();
        let got: i64 = amounts
            .iter()
            .zip(sides.iter())
            .filter(|(_, s)| *s == Some(side))
            .map(|(a, _)| a.unwrap())
            .sum();
        assert_eq!(got, want, "{side}");
    }
    let hashes = m.column("content_hash").unwrap().str().unwrap();
    assert!(hashes.iter().all(|h| h == Some(pack.content_hash.as_str())));
    let o = read(&open);
    assert_eq!(o.height(), pack.exceptions.len());
    let open_sum: i64 = o
        .column("amount_minor")
        .unwrap()
        .i64()
        .unwrap()
        .iter()
        .map(|a| a.unwrap())
        .sum();
    assert_eq!(
        open_sum,
        pack.exceptions.iter().map(|e| e.amount_minor).sum::<i64>()
    );
    let first_id = o.column("item_id").unwrap().str().unwrap().get(0).unwrap();
    assert_eq!(first_id, pack.exceptions[0].item_id);
    // Read back as the next period's carry-forward reads it: every open item, field for field.
    let back = recon_report::parquet::read_open_items(&open).unwrap();
    assert_eq!(back.len(), pack.exceptions.len());
    for (r, e) in back.iter().zip(&pack.exceptions) {
        assert_eq!(
            (
                r.side.as_str(),
                r.item_id.as_str(),
                r.item_date.as_str(),
                r.amount_minor,
                r.reference.as_str(),
                r.description.as_str(),
                r.content_hash.as_str()
            ),
            (
                e.side.as_str(),
                e.item_id.as_str(),
                e.date.as_str(),
                e.amount_minor,
                e.reference.as_str(),
                e.description.as_str(),
                pack.content_hash.as_str()
            )
        );
    }
    assert!(
        recon_report::parquet::read_open_items(&matched[..matched.len() / 2]).is_err(),
        "a cut file is an error"
    );
    let err = recon_report::parquet::read_open_items(&matched).unwrap_err();
    assert!(err.to_string().contains("description"), "{err}");
}
