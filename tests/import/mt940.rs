//! mt940 imports of the shared test data, compared with the published expected results.
//!
//! The `.json` files beside the `.sta` files are mt940-rs output. Differences by design, allowed
//! for below: mt940-rs sanitizes text to the SWIFT character set (ü -> u, * -> .), drops the
//! lines of a `:86:` beyond the sixth, strips the first letter of the transaction type, keeps the
//! entry date in the value date's year (we move it across a year end), and keeps the `:61:`
//! customer reference where we prefer an end-to-end reference (EREF) found in `:86:`.

use recon_formats::{ErrorKind, ImportError, ParseOptions, Parsed, ReadingMode, Severity, parse};
use recon_model::{Currency, Date, Format, Statement, StatementLine, parse_minor};
use recon_tests::{file_name, files_with_extensions, shared_testdata};
use serde_json::Value;
use std::collections::HashSet;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    shared_testdata().join("mt940/mt940-rs")
}

fn rel(path: &Path) -> String {
    path.strip_prefix(root())
        .unwrap()
        .to_string_lossy()
        .replace('\\', "/")
}

/// Files that are refused, and what the message must say (file, line, reason).
const MUST_FAIL: &[(&str, &str)] = &[
    (
        "mt940/full/betterplace/sepa_snippet_broken.sta",
        "sepa_snippet_broken.sta: line 6: :25: out of place in the statement that starts at line 1",
    ),
    // Ten lines of digits: not a statement file at all.
    (
        "mt940/special-cases/invalid_statement.sta",
        "invalid_statement.sta: line 1: unrecognised file format",
    ),
    // No :25: at all: detected as MT940 from :20: and :28C:, rejected at the line.
    (
        "mt940/special-cases/unexpected_tag.sta",
        "unexpected_tag.sta: line 3: missing :25: account identification",
    ),
    // An empty file.
    (
        "mt942/full/cmxl/mt942_1.sta",
        "mt942_1.sta: line 1: unrecognised file format",
    ),
];

/// Files refused in strict reading and read with recorded deviations in tolerant reading
/// (issue 15): the strict message, and the deviation codes of the tolerant reading.
const TOLERATED: &[(&str, &str, &[&str])] = &[
    (
        "mt940/full/jejik/knab_broken.sta",
        "knab_broken.sta: line 17: amount \"500\" has no decimal comma",
        &["mt940.amount_without_decimal_comma"],
    ),
    (
        "mt940/special-cases/february_30.sta",
        "february_30.sta: line 6: invalid date \"160230\": day 30 does not exist in 2016-02",
        &["mt940.date_past_month_end"],
    ),
];

/// Not UTF-8: the Hungarian file is in a DOS code page (0xA0 = á in CP852); it imports with a
/// declared single-byte encoding (windows-1252 keeps the structure; the accents come out wrong,
/// encoding_rs has no CP852). Undeclared, it is still refused even when reading tolerantly:
/// the detector's best guess (windows-1252) turns its byte 0x81 into a control character, so
/// no plausible encoding explains the bytes.
const NOT_UTF8: &str = "mt940/special-cases/invalid_utf8.sta";

/// Statements in Deutsche Mark, a withdrawn ISO 4217 code that `Currency` does not know (yet).
const DEM_FILES: &[&str] = &[
    "mt942/full/mBank/mt942.sta",
    "mt942/special-cases/raphaelm.sta",
];

fn import(path: &Path) -> Result<Parsed, ImportError> {
    let bytes = std::fs::read(path).unwrap();
    parse(&file_name(path), &bytes, &ParseOptions::default())
}

fn windows_1252() -> ParseOptions {
    ParseOptions {
        encoding: Some(encoding_rs::WINDOWS_1252),
        ..ParseOptions::default()
    }
}

fn all_sta() -> Vec<PathBuf> {
    let files = files_with_extensions(&root(), &[".sta"]);
    assert!(files.len() >= 38, "expected the 38 mt940-rs files");
    files
}

fn check_line_ids_unique(path: &Path, parsed: &Parsed) {
    let mut ids = HashSet::new();
    for s in &parsed.statements {
        assert_eq!(s.source, file_name(path));
        for l in &s.lines {
            assert!(
                ids.insert(l.line_id.clone()),
                "{}: line id {} repeats",
                rel(path),
                l.line_id
            );
        }
    }
}

#[test]
fn every_statement_file_imports_or_fails_clearly() {
    let dem_known = Currency::from_code("DEM").is_ok();
    let mut imported = 0;
    let mut lines = 0;
    for path in all_sta() {
        let name = rel(&path);
        let result = import(&path);
        if let Some((_, expected)) = MUST_FAIL.iter().find(|(f, _)| *f == name) {
            let e = result.expect_err(&name);
            let message = e.to_string();
            assert!(
                message.starts_with(expected),
                "{name}: expected {expected:?}, got {message:?}"
            );
            assert!(e.location.line().is_some(), "{name}: no line in {message}");
            continue;
        }
        if name == NOT_UTF8 {
            let e = result.expect_err(&name);
            assert!(
                matches!(e.kind, ErrorKind::Encoding { byte: 0xA0, .. }),
                "{name}: {e}"
            );
            assert!(
                e.to_string().starts_with(
                    "invalid_utf8.sta: line 7: invalid UTF-8 byte 0xA0 at byte offset"
                ),
                "{e}"
            );
            continue;
        }
        if let Some((_, strict_message, codes)) = TOLERATED.iter().find(|(f, _, _)| *f == name) {
            let parsed = result.unwrap_or_else(|e| panic!("{name}: {e}"));
            let found: Vec<&str> = parsed
                .statements
                .iter()
                .flat_map(|s| s.reading.deviations.iter().map(|d| d.code.as_str()))
                .collect();
            for code in *codes {
                assert!(found.contains(code), "{name}: {code} not in {found:?}");
            }
            let strict = ParseOptions {
                reading: ReadingMode::Strict,
                ..ParseOptions::default()
            };
            let bytes = std::fs::read(&path).unwrap();
            let e = parse(&file_name(&path), &bytes, &strict).expect_err(&name);
            assert!(
                e.to_string().starts_with(strict_message),
                "{name}: expected {strict_message:?}, got {e}"
            );
            imported += 1;
            continue;
        }
        if DEM_FILES.contains(&name.as_str()) && !dem_known {
            let e = result.expect_err(&name);
            assert_eq!(
                e.kind,
                ErrorKind::UnknownCurrency("DEM".into()),
                "{name}: {e}"
            );
            assert!(e.location.line().is_some());
            continue;
        }
        let parsed = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert!(!parsed.statements.is_empty(), "{name}");
        check_line_ids_unique(&path, &parsed);
        for f in &parsed.findings {
            assert!(f.location.line().is_some(), "{name}: {f:?}");
            assert_ne!(f.severity, Severity::Error, "{name}: {f:?}");
        }
        imported += 1;
        lines += parsed
            .statements
            .iter()
            .map(|s| s.lines.len())
            .sum::<usize>();
    }
    assert!(imported >= 29, "only {imported} files imported");
    assert!(lines >= 400, "only {lines} statement lines imported");
}

#[test]
fn statement_without_account_names_the_line() {
    let path = root().join("mt940/special-cases/unexpected_tag.sta");
    let bytes = std::fs::read(&path).unwrap();
    let options = ParseOptions {
        format: Some(Format::Mt940),
        ..ParseOptions::default()
    };
    let e = parse("unexpected_tag.sta", &bytes, &options).unwrap_err();
    assert_eq!(
        e.to_string(),
        "unexpected_tag.sta: line 3: missing :25: account identification in the statement that \
         starts at line 2 (found :28C: first)\n    | :28C:00000/001"
    );
}

#[test]
fn file_in_a_dos_code_page_imports_with_a_declared_encoding() {
    let path = root().join(NOT_UTF8);
    let bytes = std::fs::read(&path).unwrap();
    let parsed = parse("invalid_utf8.sta", &bytes, &windows_1252()).unwrap();
    assert_eq!(parsed.statements.len(), 1);
    let s = &parsed.statements[0];
    assert_eq!(s.account, "UBRTHUHB/123456789150ABCDEF002/HUF");
    assert_eq!(s.currency.code(), "HUF");
    assert_eq!(s.statement_id, "0072");
    assert_eq!(s.opening_balance.unwrap().amount_minor, 2_517_063_710);
    assert_eq!(s.closing_balance.unwrap().amount_minor, 2_528_168_760);
    assert_eq!(s.lines.len(), 7);
    let first = &s.lines[0];
    assert_eq!(first.amount_minor, 206_663_700);
    assert_eq!(
        first.reference, None,
        "this bank writes no customer reference"
    );
    assert_eq!(first.type_code.as_deref(), Some("N527"));
    // Supplementary details first, then :86:.
    assert!(
        first.description.starts_with("Csoportos "),
        "{}",
        first.description
    );
    assert!(
        first
            .description
            .contains("CAB18D1700041116 109876543210000012345678 HUNGARY KFT.")
    );
    assert!(parsed.findings.iter().any(
        |f| f.severity == Severity::Warning && f.message.contains("without customer reference")
    ));
    // with_binary_character.sta is valid UTF-8 (Ü and ß), so it needs no declared encoding.
    let path = root().join("mt940/full/betterplace/with_binary_character.sta");
    let parsed = import(&path).unwrap();
    assert_eq!(parsed.statements[0].statement_id, "00027");
    assert!(
        parsed.statements[1].lines[0]
            .description
            .contains("Überweisung")
    );
}

#[test]
fn interim_report_mt942() {
    let parsed = import(&root().join("mt942/special-cases/mt942.sta")).unwrap();
    let s = &parsed.statements[0];
    assert_eq!(s.format, Format::Mt942);
    assert_eq!(s.currency.code(), "EUR");
    assert_eq!((s.opening_balance, s.closing_balance), (None, None));
    assert_eq!(s.statement_id, "03917");
    assert_eq!(s.sequence.as_deref(), Some("00001"));
    let l = &s.lines[0];
    assert_eq!(l.line_id, "03917/00001/1");
    assert_eq!(l.amount_minor, -42);
    assert_eq!(l.booking_date, Date::from_ymd_opt(2016, 10, 31).unwrap());
    assert_eq!(l.value_date, Date::from_ymd_opt(2016, 10, 30));
    assert_eq!(l.reference, None);
    assert_eq!(l.bank_reference.as_deref(), Some("055001022000001"));
    assert_eq!(
        l.description,
        "YAY MT942 CHG REMIT:Costs to MT940 Parsing. This is Somuchfun."
    );
    let messages: Vec<_> = parsed
        .findings
        .iter()
        .map(|f| format!("{:?} {}: {}", f.severity, f.location, f.message))
        .collect();
    assert_eq!(
        messages,
        [
            "Warning line 7: :61: transaction type \"MCI0\" does not start with N, F or S; kept as written",
            "Warning line 11: :90D: states 1 debit entries totalling 2.30 EUR, the statement has 1 totalling 0.42 EUR",
        ]
    );
}

#[test]
fn tolerated_quirks_become_findings() {
    let cases: &[(&str, &str)] = &[
        (
            "mt940/special-cases/unknown_tag.sta",
            "Info line 9: non-standard tag :12: skipped",
        ),
        (
            "mt940/special-cases/incomplete_tag_61.sta",
            "Warning line 5: :61: without customer reference",
        ),
        (
            "mt940/special-cases/overly_long_details.sta",
            "Info line 6: :86: longer than the 6 lines SWIFT allows; kept whole",
        ),
        (
            "mt940/full/jejik/ing.sta",
            "Info line 1: 3 line(s) of text outside the statements skipped",
        ),
        (
            "mt942/full/sberbank/171011_01234945.sta",
            "Info line 4: non-standard tag :NS: skipped (4 times, first here)",
        ),
        (
            "mt942/full/jejik/rabobank.sta",
            "Info line 1: non-standard tag :940: skipped",
        ),
        (
            "mt940/full/jejik/rabobank-iban.sta",
            "Info line 14: statement number 0 of this account appears again; line ids of a repeat read 0#2/1",
        ),
    ];
    for (file, expected) in cases {
        let parsed = import(&root().join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
        let messages: Vec<_> = parsed
            .findings
            .iter()
            .map(|f| format!("{:?} {}: {}", f.severity, f.location, f.message))
            .collect();
        assert!(
            messages.iter().any(|m| m.starts_with(expected)),
            "{file}: {expected:?} not in {messages:#?}"
        );
    }
}

#[test]
fn rabobank_old_layout_keeps_name_beyond_the_reference() {
    let parsed = import(&root().join("mt942/full/jejik/rabobank.sta")).unwrap();
    assert_eq!(parsed.statements.len(), 4);
    let l = &parsed.statements[0].lines[0];
    assert_eq!(l.reference.as_deref(), Some("0121470966"));
    assert_eq!(l.type_code.as_deref(), Some("N044"));
    assert_eq!(
        l.description,
        "W.P. Jansen Terugboeking NIET AKKOORD MET AFSCHRIJVING KOSTEN KINDEROPVANG JUNI 20095731"
    );
}

// ---- comparison with the mt940-rs expected output ----

/// Transliterates what mt940-rs's sanitizer turns into ASCII letters.
fn transliterate(c: char, out: &mut String) {
    let s = match c {
        'ä' | 'á' | 'à' | 'â' | 'ã' | 'å' | 'ą' => "a",
        'Ä' | 'Á' | 'À' | 'Â' | 'Ã' | 'Å' | 'Ą' => "A",
        'ö' | 'ó' | 'ò' | 'ô' | 'õ' | 'ő' | 'ø' => "o",
        'Ö' | 'Ó' | 'Ò' | 'Ô' | 'Õ' | 'Ő' | 'Ø' => "O",
        'ü' | 'ú' | 'ù' | 'û' | 'ű' => "u",
        'Ü' | 'Ú' | 'Ù' | 'Û' | 'Ű' => "U",
        'é' | 'è' | 'ê' | 'ë' | 'ę' => "e",
        'É' | 'È' | 'Ê' | 'Ë' | 'Ę' => "E",
        'í' | 'ì' | 'î' | 'ï' => "i",
        'ß' => "ss",
        'ñ' | 'ń' => "n",
        'ç' | 'ć' => "c",
        'ł' => "l",
        'ś' => "s",
        'ź' | 'ż' => "z",
        _ => "",
    };
    out.push_str(s);
}

/// What two texts have in common after mt940-rs's sanitizing: no whitespace, no characters
/// outside letters, digits and SWIFT punctuation (mt940-rs replaced those with '.').
fn norm(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_ascii_alphanumeric() || "/-?:(),+{}".contains(c) {
            out.push(c);
        } else if !c.is_ascii() {
            transliterate(c, &mut out);
        }
    }
    out
}

fn json_str(v: &Value) -> Option<&str> {
    v.as_str()
}

fn json_date(v: &Value) -> Option<Date> {
    v.as_str().map(|s| s.parse().unwrap())
}

fn json_amount(v: &Value, currency: Currency) -> i64 {
    parse_minor(v.as_str().unwrap(), b'.', currency.exponent()).unwrap()
}

fn reference_text(text: &str) -> Option<String> {
    let t = text.trim();
    (!t.is_empty() && t != "NONREF").then(|| t.to_string())
}

/// The end-to-end reference inside `:86:` as mt940-rs gave it.
fn expected_eref(info: &Value) -> Option<String> {
    let text = match info {
        Value::Object(m) => m.get("purpose").and_then(json_str)?.to_string(),
        Value::String(s) if s.starts_with("/EREF/") => {
            let v = &s["/EREF/".len()..];
            return Some(v[..v.find('/').unwrap_or(v.len())].trim().to_string());
        }
        _ => return None,
    };
    let at = text.find("EREF+")?;
    let v = &text[at + 5..];
    let end = [
        "KREF+", "MREF+", "CRED+", "SVWZ+", "ABWA+", "ABWE+", "DEBT+",
    ]
    .iter()
    .filter_map(|k| v.find(k))
    .min()
    .unwrap_or(v.len());
    reference_text(&v[..end]).filter(|r| r != "NOTPROVIDED" && r != "NONREF")
}

#[derive(Default)]
struct Tally {
    compared: usize,
    entry_year_moved: usize,
    truncated_by_mt940_rs: usize,
}

impl Tally {
    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, ours: T, theirs: T) {
        assert_eq!(ours, theirs, "{what}");
        self.compared += 1;
    }
}

fn compare_balance(
    t: &mut Tally,
    what: &str,
    ours: Option<recon_model::Balance>,
    theirs: &Value,
    s: &Statement,
) {
    let ours = ours.unwrap_or_else(|| panic!("{what}: missing"));
    t.eq(
        &format!("{what} date"),
        Some(ours.date),
        json_date(&theirs["date"]),
    );
    t.eq(
        &format!("{what} currency"),
        s.currency.code(),
        theirs["iso_currency_code"].as_str().unwrap(),
    );
    let amount = json_amount(&theirs["amount"], s.currency);
    let signed = match theirs["debit_credit_indicator"].as_str().unwrap() {
        "Debit" => -amount,
        _ => amount,
    };
    t.eq(&format!("{what} amount"), ours.amount_minor, signed);
}

fn compare_line(
    t: &mut Tally,
    what: &str,
    ours: &StatementLine,
    theirs: &Value,
    currency: Currency,
) {
    t.eq(
        &format!("{what} value date"),
        ours.value_date,
        json_date(&theirs["value_date"]),
    );
    match json_date(&theirs["entry_date"]) {
        None => t.eq(
            &format!("{what} booking date"),
            Some(ours.booking_date),
            ours.value_date,
        ),
        Some(entry) if entry == ours.booking_date => t.compared += 1,
        Some(entry) => {
            use chrono::Datelike;
            // mt940-rs keeps the value date's year; we move it across the year end.
            assert_eq!(
                (ours.booking_date.month(), ours.booking_date.day()),
                (entry.month(), entry.day()),
                "{what} entry date"
            );
            assert_eq!((ours.booking_date.year() - entry.year()).abs(), 1, "{what}");
            t.entry_year_moved += 1;
        }
    }
    let amount = json_amount(&theirs["amount"], currency);
    let signed = match theirs["ext_debit_credit_indicator"].as_str().unwrap() {
        "Credit" => amount,
        "Debit" => -amount,
        // mt940-rs names RC (reversal of a credit: money out) ReverseDebit.
        "ReverseDebit" => -amount,
        "ReverseCredit" => amount,
        other => panic!("{other}"),
    };
    t.eq(&format!("{what} amount"), ours.amount_minor, signed);
    let code = &theirs["transaction_type_ident_code"];
    let code = code
        .as_str()
        .or_else(|| code["NonStandard"].as_str())
        .unwrap();
    let our_code = ours.type_code.as_deref().unwrap();
    t.eq(&format!("{what} type"), &our_code[1..], code);
    let info = &theirs["information_to_account_owner"];
    match expected_eref(info) {
        // mt940-rs's purpose text runs the subfields together, so the EREF value found in it
        // runs on to the next key; ours stops where the bank's EREF subfields stop.
        Some(eref) => {
            let ours_ref = norm(ours.reference.as_deref().unwrap_or(""));
            assert!(
                !ours_ref.is_empty() && norm(&eref).starts_with(&ours_ref),
                "{what} reference: {ours_ref} vs EREF {eref}"
            );
            t.compared += 1;
        }
        None => t.eq(
            &format!("{what} reference"),
            ours.reference.as_deref().map(norm),
            reference_text(theirs["customer_ref"].as_str().unwrap()).map(|r| norm(&r)),
        ),
    }
    t.eq(
        &format!("{what} bank reference"),
        ours.bank_reference.as_deref().map(norm),
        theirs["bank_ref"]
            .as_str()
            .and_then(reference_text)
            .map(|r| norm(&r)),
    );
    // Description: supplementary details first, then the :86: text.
    let supplementary = theirs["supplementary_details"].as_str().unwrap_or("");
    let ours_desc = norm(&ours.description);
    let supp = norm(supplementary);
    assert!(
        ours_desc.starts_with(&supp),
        "{what}: {ours_desc} vs supplementary {supp}"
    );
    if !supp.is_empty() {
        t.compared += 1;
    }
    let ours_info = &ours_desc[supp.len()..];
    match info {
        Value::Null => t.eq(&format!("{what} description"), ours_info, ""),
        Value::Object(m) => {
            let field = |k: &str| m.get(k).and_then(json_str).unwrap_or("");
            let expected = format!(
                "{}{}{}",
                field("posting_text"),
                field("purpose"),
                field("additional_purpose")
            );
            t.eq(&format!("{what} description"), ours_info, &norm(&expected));
            let name = Some(field("applicant_name")).filter(|n| !n.trim().is_empty());
            t.eq(
                &format!("{what} counterparty"),
                ours.counterparty.as_deref().map(norm),
                name.map(norm),
            );
            let account = Some(field("unknown38"))
                .filter(|a| !a.is_empty())
                .or(Some(field("applicant_iban")).filter(|a| !a.is_empty()));
            let ours_account = ours.counterparty_account.as_deref().map(norm);
            let account = account.map(norm);
            match (&ours_account, &account) {
                // mt940-rs dropped the 7th line of this :86:, the end of the IBAN in ?38.
                (Some(o), Some(a)) if o != a && o.starts_with(a.as_str()) && o.len() == 28 => {
                    t.truncated_by_mt940_rs += 1;
                }
                _ => t.eq(
                    &format!("{what} counterparty account"),
                    ours_account,
                    account,
                ),
            }
        }
        Value::String(raw) if raw.starts_with('/') => {
            // `/KEY/value` text: our fields are pieces of it.
            let raw = norm(raw);
            for (field, value) in [
                ("description", Some(ours_info.to_string())),
                ("counterparty", ours.counterparty.as_deref().map(norm)),
                ("reference", ours.reference.as_deref().map(norm)),
            ] {
                if let Some(v) = value {
                    assert!(raw.contains(&v), "{what} {field}: {v} not in {raw}");
                    t.compared += 1;
                }
            }
        }
        Value::String(raw) => {
            let theirs = norm(raw);
            if raw.lines().count() >= 6 && ours_info.len() > theirs.len() {
                // mt940-rs drops the lines of :86: beyond the sixth.
                assert!(
                    ours_info.starts_with(&theirs),
                    "{what}: {ours_info} vs {theirs}"
                );
                t.truncated_by_mt940_rs += 1;
            } else {
                t.eq(&format!("{what} description"), ours_info, theirs.as_str());
            }
        }
        other => panic!("{what}: {other}"),
    }
}

#[test]
fn statements_match_mt940_rs_field_by_field() {
    let mut t = Tally::default();
    let mut files = 0;
    for json_path in files_with_extensions(&root(), &[".json"]) {
        let sta = json_path.with_extension("sta");
        let name = rel(&sta);
        let parsed = import(&sta).unwrap_or_else(|e| panic!("{name}: {e}"));
        let expected: Value =
            serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
        let expected = expected.as_array().unwrap();
        t.eq(
            &format!("{name} statements"),
            parsed.statements.len(),
            expected.len(),
        );
        for (i, (s, e)) in parsed.statements.iter().zip(expected).enumerate() {
            let what = format!("{name} statement {}", i + 1);
            assert_eq!(s.format, Format::Mt940, "{what}");
            t.eq(
                &format!("{what} account"),
                norm(&s.account),
                norm(e["account_id"].as_str().unwrap()),
            );
            t.eq(
                &format!("{what} statement number"),
                s.statement_id.as_str(),
                e["statement_no"].as_str().unwrap(),
            );
            t.eq(
                &format!("{what} sequence"),
                s.sequence.as_deref(),
                e["sequence_no"].as_str(),
            );
            compare_balance(
                &mut t,
                &format!("{what} opening"),
                s.opening_balance,
                &e["opening_balance"],
                s,
            );
            compare_balance(
                &mut t,
                &format!("{what} closing"),
                s.closing_balance,
                &e["closing_balance"],
                s,
            );
            let lines = e["statement_lines"].as_array().unwrap();
            t.eq(&format!("{what} lines"), s.lines.len(), lines.len());
            for (n, (ours, theirs)) in s.lines.iter().zip(lines).enumerate() {
                compare_line(
                    &mut t,
                    &format!("{what} line {}", n + 1),
                    ours,
                    theirs,
                    s.currency,
                );
            }
        }
        files += 1;
    }
    assert_eq!(files, 20, "the 20 published expected results");
    assert!(t.compared >= 3000, "only {} fields compared", t.compared);
    println!(
        "{} fields compared; {} entry dates moved across a year end; {} :86: texts truncated by mt940-rs",
        t.compared, t.entry_year_moved, t.truncated_by_mt940_rs
    );
}
