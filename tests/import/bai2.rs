//! bai2 imports of the shared test data (moov-io samples). They publish no expected results, so
//! the checks are exact values read off the files, the trailers' arithmetic, and an independent
//! re-count of the 16 amounts from the raw text.
//!
//! sample4 and sample5 carry trailers that do not match their records (the files were edited
//! without updating them: an account trailer says -1260161341762 for an account whose amounts are
//! all positive), so the strict importer rejects them; they are read with
//! `TrailerCheck::Warn`, which reports each mismatch as a warning.

use recon_formats::bai2::{Bai2Options, TrailerCheck};
use recon_formats::{ErrorKind, Location, ParseOptions, Parsed, ReadingMode, Severity, parse};
use recon_model::{Date, Format, Statement};
use std::path::PathBuf;

fn dir() -> PathBuf {
    recon_tests::shared_testdata().join("bai2/moov-io")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Through the public entry point, with format auto-detection.
fn import(name: &str) -> Parsed {
    parse(name, &read(name), &ParseOptions::default()).unwrap_or_else(|e| panic!("{e}"))
}

/// Through the BAI2 importer with trailer mismatches as warnings.
fn import_lenient(name: &str) -> Parsed {
    let bytes = read(name);
    let text = std::str::from_utf8(&bytes).unwrap();
    let options = Bai2Options {
        trailer_check: TrailerCheck::Warn,
        ..Bai2Options::default()
    };
    recon_formats::bai2::parse_with(name, text, &Default::default(), &options)
        .unwrap_or_else(|e| panic!("{}", e.in_file(name)))
}

fn date(y: i32, m: u32, d: u32) -> Date {
    Date::from_ymd_opt(y, m, d).unwrap()
}

/// Independent of the importer: the raw records of a BAI2 text. A record starts at a line start
/// or after a `/` and blanks, with a two-digit record code and a comma.
fn raw_records(text: &str) -> Vec<String> {
    const CODES: [&str; 8] = ["01,", "02,", "03,", "16,", "49,", "88,", "98,", "99,"];
    let mut records = Vec::new();
    for line in text.lines() {
        let mut current = String::new();
        let mut rest = line.trim_start();
        if !CODES.iter().any(|c| rest.starts_with(c)) {
            // A wrapped line: part of the previous record.
            if let Some(last) = records.last_mut() {
                let last: &mut String = last;
                last.push(' ');
                last.push_str(rest);
            }
            continue;
        }
        while !rest.is_empty() {
            let split = rest.match_indices('/').find_map(|(i, _)| {
                let after = rest[i + 1..].trim_start();
                CODES
                    .iter()
                    .any(|c| after.starts_with(c))
                    .then_some((i, after))
            });
            match split {
                Some((i, after)) => {
                    current.push_str(&rest[..i]);
                    records.push(std::mem::take(&mut current));
                    rest = after;
                }
                None => {
                    current.push_str(rest);
                    records.push(std::mem::take(&mut current));
                    rest = "";
                }
            }
        }
    }
    records
}

/// Per 03 account: (sum of the 16 amounts as written, credits minus debits by type code range).
fn raw_detail_sums(text: &str) -> Vec<(i64, i64)> {
    let mut sums = Vec::new();
    for record in raw_records(text) {
        if record.starts_with("03,") {
            sums.push((0, 0));
        } else if let Some(detail) = record.strip_prefix("16,") {
            let mut fields = detail.split(',');
            let code: u32 = fields.next().unwrap().parse().unwrap();
            let amount: i64 = fields.next().unwrap().parse().unwrap();
            let (all, net) = sums.last_mut().expect("16 inside an account");
            *all += amount;
            match code {
                100..=399 | 920..=959 => *net += amount,
                400..=699 | 960..=999 => *net -= amount,
                _ => panic!("unexpected type code {code}"),
            }
        }
    }
    sums
}

/// The importer's lines agree with the raw re-count, account by account.
fn assert_details_match_raw(name: &str, statements: &[Statement]) {
    let text = String::from_utf8(read(name)).unwrap();
    let raw = raw_detail_sums(&text);
    let imported: Vec<(i64, i64)> = statements
        .iter()
        .map(|s| {
            let all = s.lines.iter().map(|l| l.amount_minor.abs()).sum();
            (all, s.lines_total_minor().unwrap())
        })
        .collect();
    assert_eq!(imported, raw, "{name}");
}

fn line_counts(p: &Parsed) -> Vec<usize> {
    p.statements.iter().map(|s| s.lines.len()).collect()
}

#[test]
fn every_sample_file_is_covered() {
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .map(|e| recon_tests::file_name(&e.unwrap().path()))
        .filter(|n| n != "LICENSE" && n != "errors")
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "sample1.txt",
            "sample2.txt",
            "sample3.txt",
            "sample4-continuations-newline-delimited.txt",
            "sample5-issue113.txt"
        ]
    );
    for name in &names {
        let text = String::from_utf8(read(name)).unwrap();
        assert_eq!(recon_formats::detect(&text), Some(Format::Bai2), "{name}");
    }
}

#[test]
fn sample1_two_accounts_in_cad() {
    let p = import("sample1.txt");
    assert_eq!(line_counts(&p), [11, 6]);
    for s in &p.statements {
        assert_eq!(s.source, "sample1.txt");
        assert_eq!(s.format, Format::Bai2);
        assert_eq!(s.account, "10200123456");
        assert_eq!(s.currency.code(), "CAD");
        // Only available balances (040/045): no ledger balances.
        assert_eq!((s.opening_balance, s.closing_balance), (None, None));
    }
    let s = &p.statements[0];
    assert_eq!(s.statement_id, "001/2006-03-17/1.1");
    assert_eq!(p.statements[1].statement_id, "001/2006-03-17/1.2");
    let l = &s.lines[0];
    assert_eq!(l.line_id, "001/2006-03-17/1.1/1");
    assert_eq!(l.amount_minor, -2500);
    assert_eq!(l.type_code.as_deref(), Some("409"));
    assert_eq!(l.booking_date, date(2006, 3, 17));
    assert_eq!(l.value_date, Some(date(2006, 3, 16)));
    assert_eq!(l.description, "RETURNED CHEQUE");
    assert_eq!(
        (l.reference.as_ref(), l.bank_reference.as_ref()),
        (None, None)
    );
    let l = &s.lines[3];
    assert_eq!(
        (l.amount_minor, l.description.as_str()),
        (203500, "TFR 1020 0345678")
    );
    // 49 control total 834000 = 03 summaries (100: 208500, 400: 208500) + the 16 amounts.
    let raw = raw_detail_sums(&String::from_utf8(read("sample1.txt")).unwrap());
    assert_eq!(raw, [(417000, 0), (223000, 0)]);
    assert_eq!(208500 + 208500 + raw[0].0, 834000);
    assert_eq!(111500 + 111500 + raw[1].0, 446000);
    assert_details_match_raw("sample1.txt", &p.statements);
}

#[test]
fn sample2_specification_example() {
    let p = import("sample2.txt");
    let accounts: Vec<&str> = p.statements.iter().map(|s| s.account.as_str()).collect();
    assert_eq!(
        accounts,
        [
            "0123456789",
            "9876543210",
            "4589761203",
            "0975312468",
            "7890654321"
        ]
    );
    assert_eq!(line_counts(&p), [1, 1, 2, 0, 0]);
    assert!(p.statements.iter().all(|s| s.currency.code() == "USD"));
    let openings: Vec<i64> = p
        .statements
        .iter()
        .map(|s| s.opening_balance.unwrap().amount_minor)
        .collect();
    assert_eq!(openings, [4350000, -500000, 10000000, 500000, 800000]);
    assert_eq!(
        p.statements[0].opening_balance.unwrap().date,
        date(2004, 6, 20)
    );
    // Group and account positions keep ids unique: all groups share file id and date.
    assert_eq!(p.statements[2].statement_id, "1/2004-06-20/2.1");
    let l = &p.statements[0].lines[0];
    assert_eq!((l.amount_minor, l.value_date), (450000, None));
    let l = &p.statements[1].lines[0];
    assert_eq!(
        (l.amount_minor, l.description.as_str()),
        (500000, "LOCK BOX NO.68751")
    );
    let l = &p.statements[2].lines[0];
    assert_eq!(l.amount_minor, 20000000);
    assert_eq!(l.type_code.as_deref(), Some("218"));
    assert_eq!(l.value_date, Some(date(2004, 6, 22)));
    assert_eq!(l.bank_reference.as_deref(), Some("SP4738"));
    assert_eq!(l.reference.as_deref(), Some("YRC065321"));
    assert_eq!(
        l.description,
        "PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO"
    );
    assert_eq!(p.statements[2].lines[1].amount_minor, 10000000);
    // No currency anywhere: USD by default, said once per group. Group 4 is a correction.
    let infos = p
        .findings
        .iter()
        .filter(|f| f.message.contains("default USD"))
        .count();
    assert_eq!(infos, 4);
    assert!(p.findings.iter().any(|f| f.severity == Severity::Warning
        && f.location == Location::Line(26)
        && f.message.contains("group status 3")));
    assert_details_match_raw("sample2.txt", &p.statements);
}

#[test]
fn sample3_records_sharing_lines_and_wrapped_text() {
    let p = import("sample3.txt");
    assert_eq!(
        line_counts(&p),
        [6, 0, 0, 2, 0, 0, 0, 6, 4, 8, 0, 0, 0, 0, 0]
    );
    assert_eq!(p.statements[0].account, "1111111");
    assert_eq!(p.statements[14].account, "11111111");
    // Every statement balances: opening ledger + signed lines = closing ledger.
    for s in &p.statements {
        assert_eq!(s.balance_difference_minor(), Some(0), "{}", s.statement_id);
    }
    let s = &p.statements[0];
    assert_eq!(s.opening_balance.unwrap().amount_minor, -3500);
    assert_eq!(s.closing_balance.unwrap().amount_minor, -3600);
    assert_eq!(s.lines[1].amount_minor, 500);
    assert_eq!(s.lines[1].description, "TRANSFER   MSPBNA BANK        PPD");
    assert_eq!(s.lines[3].amount_minor, -2500);
    assert_eq!(
        s.lines[3].description,
        "111111     ACH_SETL           1111111111                    111111111111111 1111111111"
    );
    // The 16 at line 18 runs on into line 19 without a record code, then an 88.
    let l = &p.statements[7].lines[0];
    assert_eq!(
        l.description,
        "111111     ACH_SETL           1111111111 111111111111111 1111111111"
    );
    assert_eq!(p.findings.len(), 1, "{:?}", p.findings);
    assert_eq!(p.findings[0].location, Location::Line(19));
    let l = &p.statements[9].lines[0];
    assert_eq!(
        (l.amount_minor, l.type_code.as_deref()),
        (13855, Some("195"))
    );
    assert!(
        l.description
            .ends_with("900 METRO CENTER BLVD FOSTER CITY       CA 94404")
    );
    assert_details_match_raw("sample3.txt", &p.statements);
}

/// sample4 and sample5 break their own trailers; the strict import says where and how.
#[test]
fn samples_4_and_5_have_wrong_trailers() {
    for name in [
        "sample4-continuations-newline-delimited.txt",
        "sample5-issue113.txt",
    ] {
        let strict = ParseOptions {
            reading: ReadingMode::Strict,
            ..ParseOptions::default()
        };
        let e = parse(name, &read(name), &strict).unwrap_err();
        assert_eq!(e.location, Location::Line(22), "{name}");
        assert_eq!(
            e.kind,
            ErrorKind::ControlTotal {
                record: "49 account trailer for account 107049932".into(),
                stated: "-1260161341762".into(),
                computed: "7999960".into(),
            }
        );
        assert_eq!(e.excerpt, "49,-1260161341762,26/");
        // Tolerant reading (the default) reads them, each mismatch a deviation naming the
        // trailer and both figures, on the statements the trailer covers.
        for p in [import_lenient(name), import(name)] {
            let warnings: Vec<&str> = p
                .statements
                .iter()
                .flat_map(|s| &s.reading.deviations)
                .filter(|d| d.code == "bai2.trailer_mismatch")
                .map(|d| d.message.as_str())
                .collect();
            assert!(warnings.contains(
                &"49 account trailer for account 107049932 record count is 26 but there are 18 records; every transaction record is well formed, so the file is read"
            ), "{warnings:#?}");
            assert!(
                warnings
                    .iter()
                    .any(|w| w.starts_with("99 file trailer control total is 13060195162"))
            );
        }
        let p = import_lenient(name);
        let warnings: Vec<&str> = p
            .statements
            .iter()
            .flat_map(|s| &s.reading.deviations)
            .map(|d| d.message.as_str())
            .collect();
        assert!(
            warnings
                .iter()
                .any(|w| w.starts_with("99 file trailer control total is 13060195162"))
        );
    }
}

#[test]
fn sample4_newline_delimited_continuations() {
    let name = "sample4-continuations-newline-delimited.txt";
    let p = import_lenient(name);
    let accounts: Vec<&str> = p.statements.iter().map(|s| s.account.as_str()).collect();
    assert_eq!(
        accounts,
        [
            "107049924",
            "107049932",
            "104108339",
            "260000033037",
            "280000010657"
        ]
    );
    assert_eq!(line_counts(&p), [0, 3, 14, 0, 0]);
    assert_eq!(p.statements[0].statement_id, "1/2023-09-06/1.1");
    let s = &p.statements[2];
    assert_eq!(s.opening_balance.unwrap().amount_minor, 159581194);
    assert_eq!(s.closing_balance.unwrap().amount_minor, 159381194);
    let l = &s.lines[0];
    assert_eq!(
        (l.amount_minor, l.type_code.as_deref()),
        (-200000, Some("557"))
    );
    assert_eq!(l.bank_reference.as_deref(), Some("SB2322600000214"));
    assert_eq!(l.reference.as_deref(), Some("021000080000030"));
    assert_eq!(l.value_date, None);
    assert_eq!(l.booking_date, date(2023, 9, 6));
    assert!(l.description.starts_with(
        "ACH Credit Receipt Return,Return To: Test, Remittance Info: \"SB2322300000052\", Entry"
    ));
    assert!(
        l.description.ends_with(
            "GS ID: SB2322600000214 CREF: 026015076104300 IDNM: 1114 EREF: \
                        021000080000030 CRNM: Test DBNM: SAMPLE INC. CABA: 021000089"
        ),
        "{}",
        l.description
    );
    let l = &s.lines[2];
    assert_eq!(
        (l.amount_minor, l.type_code.as_deref()),
        (1912, Some("266"))
    );
    assert!(
        l.description
            .starts_with("Outgoing Wire Return,- CREF: 20210706MMQFMPU8000001")
    );
    let l = &p.statements[1].lines[0];
    assert_eq!(
        (l.amount_minor, l.type_code.as_deref()),
        (-60000, Some("447"))
    );
    assert_details_match_raw(name, &p.statements);
}

#[test]
fn sample5_slashes_in_references_and_a_broken_continuation() {
    let name = "sample5-issue113.txt";
    let p = import_lenient(name);
    assert_eq!(line_counts(&p), [0, 3, 17, 0, 0]);
    let l = &p.statements[1].lines[2];
    assert_eq!(l.amount_minor, -928650);
    assert_eq!(l.reference.as_deref(), Some("AB/GS/RPFILERP0001/RPBA0001"));
    assert!(
        l.description
            .contains("Client Ref ID: AB/GS/TEST0001/RPBA0001, GS ID")
    );
    assert!(
        l.description.ends_with(
            "EREF: AB/GS/RPFILERP0001/RPBA0001 DBNM: SAMPLE INC CACT: ACHCONTROLOUTUSD01"
        )
    );
    let s = &p.statements[2];
    // "88:EREF: ..." (a colon for the comma) at line 63 is kept as text of the 16 before it.
    let l = &s.lines[6];
    assert_eq!((l.amount_minor, l.type_code.as_deref()), (931, Some("255")));
    assert!(l.description.ends_with(
        "SC213480000120999 88:EREF: 07370568132 CRNM: Test Inc. DBNM: Test2 Customer CABA: 12345 \
         CHKN: 0009000000"
    ));
    assert!(p.findings.iter().any(|f| f.severity == Severity::Warning
        && f.location == Location::Line(63)
        && f.message.contains("does not start with a record code")));
    let l = &s.lines[13];
    assert!(
        l.description
            .contains("Remittance Info: \"08/18/23 Invoice - Sample\"")
    );
    assert_eq!(s.lines[14].amount_minor, 3797999624);
    assert_eq!(
        (s.lines[15].amount_minor, s.lines[15].description.as_str()),
        (-463462, "Fees,Fees For Account: XXXXXXXX-0186")
    );
    assert_eq!(s.lines[16].amount_minor, 1764);
    assert_details_match_raw(name, &p.statements);
}

#[test]
fn parse_error_sample_is_rejected_at_line_1() {
    let name = "sample-parseError.txt";
    let bytes = read("errors/sample-parseError.txt");
    let forced = ParseOptions {
        format: Some(Format::Bai2),
        ..ParseOptions::default()
    };
    let e = parse(name, &bytes, &forced).unwrap_err();
    assert_eq!(e.location, Location::Line(1));
    assert_eq!(
        e.to_string(),
        "sample-parseError.txt: line 1: a BAI2 file starts with an 01 file header record \
         (\"01,\"); this line does not\n    | 00,0004,1/2/345,06/0321,0829,001,80,1,2/"
    );
    // Without "01," at its start the file is not detected as BAI2; it is rejected all the same.
    assert!(parse(name, &bytes, &ParseOptions::default()).is_err());
}

/// Throughput in the shape of the benchmark's files (`recon_gen::writers::bai2`); the target is
/// 1.5 million lines per second in release builds. Run it optimised:
/// `cargo test --release --test import bai2::throughput -- --ignored --nocapture`.
#[test]
#[ignore]
fn throughput() {
    let lines = 1_000_000usize;
    let mut text = String::with_capacity(lines * 80);
    text.push_str("01,SENDER,RECEIVER,260301,0000,RT1,,,2/\n02,RECEIVER,SENDER,1,260301,,EUR,2/\n");
    text.push_str("03,NL91ABNA0417164300,EUR,010,1000000,,,015,1000000,,/\n");
    let mut total: i128 = 2_000_000;
    for n in 0..lines {
        let amount = (n as i128 * 7919) % 1_000_000;
        total += amount;
        let code = if n & 1 == 0 { 195 } else { 495 };
        text.push_str(&format!(
            "16,{code},{amount},0,B{n:09},INV-{n:07},Payment invoice {n} Acme Trading/\n"
        ));
    }
    let records = lines as u64 + 2;
    text.push_str(&format!(
        "49,{total},{records}/\n98,{total},1,{}/\n99,{total},1,{}/\n",
        records + 2,
        records + 4
    ));
    let start = std::time::Instant::now();
    let p = parse("bench.bai2", text.as_bytes(), &ParseOptions::default()).unwrap();
    let elapsed = start.elapsed();
    assert_eq!(p.statements[0].lines.len(), lines);
    println!(
        "{lines} lines, {} MB in {elapsed:?}: {} lines/s",
        text.len() / 1_000_000,
        lines as u128 * 1_000_000 / elapsed.as_micros().max(1)
    );
}
