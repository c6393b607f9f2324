//! The deviation catalogue (issue 15): tests/deviations/<format>/<case>.<ext> is a file that
//! deviates from its format the way real bank files do. Read tolerantly (the default) it must
//! import with exactly the figures and recorded deviations in <case>.expected; read with
//! `ReadingMode::Strict` it must be refused with exactly the message there. The files are
//! constructed (small, one deviation each, modelled on the bank exports issue 15 names), not
//! real bank files. Regenerate with UPDATE_EXPECT=1 and review the diff.

use recon_formats::{ParseOptions, ReadingMode, parse};
use recon_model::{Format, format_minor};
use recon_tests::{file_name, repo_root};
use std::fmt::Write as _;

/// What a file gives in both readings, as the .expected file spells it.
fn outcome(name: &str, bytes: &[u8], format: Format) -> String {
    let mut out = String::new();
    let tolerant = ParseOptions {
        format: Some(format),
        ..ParseOptions::default()
    };
    match parse(name, bytes, &tolerant) {
        Ok(parsed) => {
            for s in &parsed.statements {
                let e = s.currency.exponent();
                let balance = |b: Option<recon_model::Balance>| {
                    b.map_or("none".to_string(), |b| {
                        format!("{} on {}", format_minor(b.amount_minor, e), b.date)
                    })
                };
                let _ = writeln!(
                    out,
                    "tolerant: statement {} account {} {}, read as {}: {} line(s) totalling {}, opening {}, closing {}",
                    s.statement_id,
                    s.account,
                    s.currency,
                    s.reading.encoding.as_deref().unwrap_or("?"),
                    s.lines.len(),
                    format_minor(s.lines_total_minor().unwrap_or(0), e),
                    balance(s.opening_balance),
                    balance(s.closing_balance),
                );
                for l in &s.lines {
                    let _ = writeln!(
                        out,
                        "  line {} {} {} {}",
                        l.line_id,
                        l.booking_date,
                        l.value_date.map_or("-".to_string(), |d| d.to_string()),
                        format_minor(l.amount_minor, e),
                    );
                }
                for d in &s.reading.deviations {
                    let _ = writeln!(
                        out,
                        "  deviation {} at line {}{}: {}\n    | {}",
                        d.code,
                        d.line.map_or("-".to_string(), |l| l.to_string()),
                        d.path.as_deref().map_or(String::new(), |p| format!(" {p}")),
                        d.message,
                        d.excerpt
                    );
                }
            }
        }
        Err(e) => {
            let _ = writeln!(out, "tolerant: REJECTED {e}");
        }
    }
    let strict = ParseOptions {
        reading: ReadingMode::Strict,
        ..tolerant
    };
    match parse(name, bytes, &strict) {
        Ok(parsed) => {
            let _ = writeln!(
                out,
                "strict: ACCEPTED with {} statements",
                parsed.statements.len()
            );
        }
        Err(e) => {
            let _ = writeln!(out, "strict: {e}");
        }
    }
    out
}

#[test]
fn every_catalogued_deviation_is_read_and_recorded() {
    let root = repo_root().join("tests/deviations");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut checked = 0;
    let mut failures = Vec::new();
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_dir())
        .collect();
    dirs.sort();
    for format_dir in dirs {
        let format = Format::from_name(&file_name(&format_dir)).unwrap();
        let mut cases: Vec<_> = std::fs::read_dir(&format_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| !file_name(p).ends_with(".expected"))
            .collect();
        cases.sort();
        for case in cases {
            let name = file_name(&case);
            let stem = name.split('.').next().unwrap().to_string();
            let expected_path = format_dir.join(format!("{stem}.expected"));
            let got = outcome(&name, &std::fs::read(&case).unwrap(), format);
            if update {
                std::fs::write(&expected_path, &got).unwrap();
            }
            let expected = std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|_| panic!("{} has no .expected file", case.display()));
            if expected != got {
                failures.push(format!(
                    "{}:\n--- expected\n{expected}--- got\n{got}",
                    case.display()
                ));
            }
            // Every case is tolerated with a deviation and refused when strict.
            if !got.contains("  deviation ") || got.contains("strict: ACCEPTED") {
                failures.push(format!(
                    "{}: not a deviation case (no deviation, or strict accepts):\n{got}",
                    case.display()
                ));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked >= 20, "only {checked} deviation cases");
}

/// A camt series whose balances have no `CdtDbtInd` (camt.053.001.08 from a bank-export tool,
/// issue 15): a day with movements settles its own signs; a day without any (both readings add
/// up) is settled by the previous day's closing from the other file, in whatever order the
/// files come. Constructed files.
#[test]
fn unsigned_balances_of_a_series_settle_with_the_previous_day() {
    let day = |date: &str, open: &str, close: &str, entry: &str| {
        format!(
            r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.08"><BkToCstmrStmt>
<GrpHdr><MsgId>M-{date}</MsgId><CreDtTm>{date}T18:00:00</CreDtTm></GrpHdr>
<Stmt><Id>S-{date}</Id><Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{open}</Amt><Dt><Dt>{date}</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{close}</Amt><Dt><Dt>{date}</Dt></Dt></Bal>
{entry}</Stmt></BkToCstmrStmt></Document>
"#
        )
    };
    let entry = r#"<Ntry><Amt Ccy="EUR">200.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-03-04</Dt></BookgDt></Ntry>"#;
    let monday = recon_api::InputFile {
        name: "2024-03-04.xml".into(),
        bytes: day("2024-03-04", "500.00", "300.00", entry).into_bytes(),
    };
    let tuesday = recon_api::InputFile {
        name: "2024-03-05.xml".into(),
        bytes: day("2024-03-05", "300.00", "300.00", "").into_bytes(),
    };
    for files in [
        vec![monday.clone(), tuesday.clone()],
        vec![tuesday.clone(), monday.clone()],
    ] {
        let report = recon_api::import_statement_files(&files, &Default::default());
        let balances: Vec<_> = report
            .statements
            .iter()
            .map(|s| {
                (
                    s.statement_id.as_str(),
                    s.opening_balance.unwrap().amount_minor,
                    s.closing_balance.unwrap().amount_minor,
                )
            })
            .collect();
        assert!(
            balances.contains(&("S-2024-03-04", -50_000, -30_000)),
            "{balances:?}"
        );
        assert!(
            balances.contains(&("S-2024-03-05", -30_000, -30_000)),
            "{balances:?}"
        );
        assert!(
            !report
                .issues
                .iter()
                .any(|i| i.severity >= recon_formats::Severity::Warning
                    && i.code.as_deref() != Some("camt.balance_without_indicator")),
            "{:#?}",
            report.issues
        );
    }
    // Alone, Tuesday's file is refused naming both readings.
    let report = recon_api::import_statement_files(&[tuesday], &Default::default());
    assert!(report.statements.is_empty());
    assert!(
        report.issues[0].message.contains("2 readings fit"),
        "{:#?}",
        report.issues
    );
}
