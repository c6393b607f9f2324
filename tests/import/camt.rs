//! camt imports of the shared test data, compared with the published expected results.
//!
//! - every camt file under `../shared/testdata/camt` imports through the auto-detecting entry
//!   point, except `camt053.v2.wrong.xml` (a message without a statement);
//! - for each genkgo file with a `.json` beside it (a dump of the PHP objects genkgo/camt builds),
//!   every field the dump supports is compared with what we import;
//! - DOCTYPE documents (entity bombs, XXE) are refused at once.

use recon_formats::{ErrorKind, Finding, Location, ParseOptions, Parsed, Severity, parse};
use recon_model::{Date, Format, Statement, StatementLine};
use recon_tests::{file_name, files_with_extensions, repo_root, shared_testdata};
use serde_json::Value;
use std::path::Path;
use std::time::{Duration, Instant};

fn camt_dir() -> std::path::PathBuf {
    shared_testdata().join("camt")
}

fn import(path: &Path) -> Result<Parsed, recon_formats::ImportError> {
    let bytes = std::fs::read(path).unwrap();
    parse(&file_name(path), &bytes, &ParseOptions::default())
}

#[test]
fn every_shared_camt_file_imports() {
    let files = files_with_extensions(&camt_dir(), &[".xml"]);
    assert!(
        files.len() >= 30,
        "expected the camt test data, found {}",
        files.len()
    );
    let mut imported = 0;
    for path in &files {
        let name = file_name(path);
        let result = import(path);
        if name == "camt053.v2.wrong.xml" {
            let e = result.expect_err("camt053.v2.wrong.xml must be rejected");
            assert_eq!(
                e.to_string(),
                "camt053.v2.wrong.xml: line 3, element /Document/BkToCstmrStmt: missing Stmt \
                 (the message holds no statement)\n    | <BkToCstmrStmt>"
            );
            continue;
        }
        let parsed = result.unwrap_or_else(|e| panic!("{name} should import:\n{e}"));
        assert!(!parsed.statements.is_empty(), "{name}: no statement");
        let expected_format = if name.contains("052") {
            Format::Camt052
        } else if name.contains("054") {
            Format::Camt054
        } else {
            Format::Camt053
        };
        for s in &parsed.statements {
            assert_eq!(s.format, expected_format, "{name}");
            assert_eq!(s.source, name);
            assert!(
                !s.account.is_empty() && !s.statement_id.is_empty(),
                "{name}"
            );
            for (n, line) in s.lines.iter().enumerate() {
                assert!(line.line_id.ends_with(&format!("/{}", n + 1)), "{name}");
            }
        }
        for f in &parsed.findings {
            assert!(f.severity < Severity::Error, "{name}: {f:?}");
            assert!(
                matches!(f.location, Location::Element { .. }),
                "{name}: {f:?}"
            );
        }
        imported += 1;
    }
    assert_eq!(imported, files.len() - 1);
}

#[test]
fn iso_business_samples_carry_their_numbers() {
    let dir = camt_dir().join("iso20022-business-samples");
    let parsed = import(&dir.join("business_sample_camt.053.001.04.xml")).unwrap();
    let s = &parsed.statements[0];
    assert_eq!(s.account, "50000000054910000003");
    assert_eq!(s.currency.code(), "SEK");
    assert_eq!(s.statement_id, "AAAASESS-FP-STAT001");
    assert_eq!(s.sequence, None);
    assert_eq!(s.opening_balance.unwrap().amount_minor, 50_000_000);
    assert_eq!(s.closing_balance.unwrap().amount_minor, 43_567_850);
    let amounts: Vec<i64> = s.lines.iter().map(|l| l.amount_minor).collect();
    assert_eq!(amounts, [10_567_850, -20_000_000, 3_000_000]);
    assert_eq!(s.balance_difference_minor(), Some(0));
    let first = &s.lines[0];
    assert_eq!(first.line_id, "AAAASESS-FP-STAT001/1");
    assert_eq!(first.booking_date, date("2010-10-18"));
    assert_eq!(first.reference.as_deref(), Some("MUELL/FINP/RA12345"));
    assert_eq!(first.counterparty.as_deref(), Some("MUELLER"));
    assert_eq!(first.type_code.as_deref(), Some("PAYM/0001/0005"));
    assert_eq!(
        first.servicer_reference.as_deref(),
        Some("AAAASESS-FP-CN_98765/01")
    );
    // A batch booking without transaction details.
    assert_eq!(s.lines[1].reference, None);
    assert_eq!(s.lines[1].counterparty, None);
    assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);

    // An intraday report with a pending entry that has only a value date.
    let parsed = import(&dir.join("business_sample_camt.052.001.04.xml")).unwrap();
    let s = &parsed.statements[0];
    assert_eq!(s.format, Format::Camt052);
    assert_eq!(s.lines[1].amount_minor, 3_000_000);
    assert_eq!(s.lines[1].booking_date, date("2010-10-18"));
    assert_eq!(s.lines[1].reference.as_deref(), Some("AAAASS1085FINPSS"));
    assert_eq!(parsed.findings.len(), 1);
    assert_eq!(parsed.findings[0].severity, Severity::Info);
    assert!(
        parsed.findings[0]
            .message
            .starts_with("1 of 2 entries are not booked (status PDNG)"),
        "{:?}",
        parsed.findings
    );

    // camt.053.001.14 with an entry that has no date at all: the statement's CreDtTm is used.
    let parsed = import(&dir.join("statement_ac04.xml")).unwrap();
    let s = &parsed.statements[0];
    assert_eq!(s.sequence.as_deref(), Some("1"));
    assert_eq!(s.lines[0].line_id, "STMT-0001/1/1");
    assert_eq!(s.lines[0].bank_reference.as_deref(), Some("TX-0001"));
    assert_eq!(
        s.lines[0].counterparty_account.as_deref(),
        Some("DE89370400440532013000")
    );
    assert_eq!(s.lines[1].value_date, None);
    assert_eq!(s.lines[2].reference.as_deref(), Some("NTRY-0003"));
    assert_eq!(s.lines[2].amount_minor, -4200);
    assert_eq!(s.lines[2].booking_date, date("2026-06-15"));
    assert_eq!(parsed.findings.len(), 1);
    assert_eq!(parsed.findings[0].severity, Severity::Warning);
    assert_eq!(
        parsed.findings[0].location,
        Location::Element {
            path: "/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]".into(),
            line: 53
        }
    );
}

fn date(text: &str) -> Date {
    Date::parse_from_str(text, "%Y-%m-%d").unwrap()
}

/// The `__CLASS__` of a dumped PHP object, last namespace segment only.
fn class(v: &Value) -> &str {
    v.get("__CLASS__")
        .and_then(Value::as_str)
        .map_or("", |c| c.rsplit('\\').next().unwrap_or(c))
}

/// A dumped PHP object (`None` for null, missing, and `__RECURSIVITY__` markers).
fn obj<'v>(v: &'v Value, key: &str) -> Option<&'v Value> {
    v.get(key).filter(|v| v.is_object())
}

fn string<'v>(v: &'v Value, key: &str) -> Option<&'v str> {
    v.get(key).and_then(Value::as_str)
}

/// The account identifier genkgo shows: the IBAN of an IbanAccount, else its identification.
fn genkgo_account(account: &Value) -> Option<String> {
    obj(account, "getIban")
        .and_then(|iban| string(iban, "getIban"))
        .or_else(|| string(account, "getIdentification"))
        .map(str::to_string)
}

/// The date part of a dumped DateTimeImmutable.
fn genkgo_date(v: &Value, key: &str) -> Option<Date> {
    obj(v, key)
        .and_then(|d| string(d, "0"))
        .map(|s| date(s.get(..10).unwrap()))
}

fn genkgo_minor(money: &Value) -> (i64, &str) {
    let amount: i64 = string(money, "getAmount").unwrap().parse().unwrap();
    let currency = string(obj(money, "getCurrency").unwrap(), "getCode").unwrap();
    (amount, currency)
}

/// Every record (statement / report / notification) and entry object in the dump; entries
/// with the record object they belong to (their own `getRecord`, or the record listing them).
fn collect<'v>(
    v: &'v Value,
    record: Option<&'v Value>,
    records: &mut Vec<&'v Value>,
    entries: &mut Vec<(&'v Value, Option<&'v Value>)>,
) {
    match v {
        Value::Object(map) => {
            let c = class(v);
            let is_record = matches!(c, "Statement" | "Report" | "Notification")
                && string(v, "__CLASS__").is_some_and(|full| full.starts_with("Genkgo\\Camt\\"));
            if is_record {
                records.push(v);
            }
            if c == "Entry" {
                entries.push((v, obj(v, "getRecord").or(record)));
            }
            let record = if is_record { Some(v) } else { record };
            for value in map.values() {
                collect(value, record, records, entries);
            }
        }
        Value::Array(items) => {
            for item in items {
                collect(item, record, records, entries);
            }
        }
        _ => {}
    }
}

/// Counts the comparisons made and names what failed.
struct Check<'n> {
    name: &'n str,
    compared: usize,
    failures: Vec<String>,
}

impl Check<'_> {
    fn eq<T: PartialEq + std::fmt::Debug>(&mut self, what: &str, ours: T, theirs: T) {
        self.compared += 1;
        if ours != theirs {
            self.failures.push(format!(
                "{}: {what}: we have {ours:?}, genkgo has {theirs:?}",
                self.name
            ));
        }
    }

    fn holds(&mut self, what: &str, ok: bool) {
        self.compared += 1;
        if !ok {
            self.failures.push(format!("{}: {what}", self.name));
        }
    }
}

fn has_finding(parsed: &Parsed, severity: Severity, path_suffix: &str, text: &str) -> bool {
    parsed.findings.iter().any(|f: &Finding| {
        f.severity == severity
            && f.message.contains(text)
            && matches!(&f.location, Location::Element { path, .. } if path.ends_with(path_suffix))
    })
}

fn compare_record(check: &mut Check, parsed: &Parsed, ours: &Statement, record: &Value) {
    let account = obj(record, "getAccount").and_then(genkgo_account);
    check.eq("account", Some(ours.account.clone()), account);
    let sequence = string(record, "getElectronicSequenceNumber")
        .or_else(|| string(record, "getLegalSequenceNumber"));
    check.eq("sequence", ours.sequence.as_deref(), sequence);
    if let Some(Value::Array(entries)) = record.get("getEntries") {
        check.eq("number of entries", ours.lines.len(), entries.len());
    }
    let balances: Vec<&Value> = match record.get("getBalances") {
        Some(Value::Array(b)) => b.iter().filter(|b| b.is_object()).collect(),
        _ => Vec::new(),
    };
    // genkgo types OPBD and PRCD both "opening"; we take OPBD, which comes first in these files.
    for (kind, ours_balance) in [
        ("opening", ours.opening_balance),
        ("closing", ours.closing_balance),
    ] {
        let theirs = balances.iter().find(|b| string(b, "getType") == Some(kind));
        let Some(theirs) = theirs else {
            check.eq(&format!("{kind} balance"), ours_balance, None);
            continue;
        };
        let (amount, currency) = genkgo_minor(obj(theirs, "getAmount").unwrap());
        if currency == ours.currency.code() {
            check.eq(
                &format!("{kind} balance amount"),
                ours_balance.map(|b| b.amount_minor),
                Some(amount),
            );
            check.eq(
                &format!("{kind} balance date"),
                ours_balance.map(|b| b.date),
                genkgo_date(theirs, "getDate"),
            );
        } else {
            // A balance in another currency than the statement is reported and left out.
            check.eq(&format!("{kind} balance in {currency}"), ours_balance, None);
            check.holds(
                &format!("{kind} balance in {currency} has a warning"),
                has_finding(parsed, Severity::Warning, "]", &format!("{kind} balance")),
            );
        }
    }
}

/// The bank transaction code as we render it: domain/family/sub-family, else proprietary.
fn genkgo_type_code(entry: &Value) -> Option<String> {
    let code = obj(entry, "getBankTransactionCode")?;
    let domain = obj(code, "getDomain");
    let family = domain.and_then(|d| obj(d, "getFamily"));
    if let (Some(d), Some(f)) = (domain, family)
        && let (Some(dc), Some(fc), Some(sc)) = (
            string(d, "getCode"),
            string(f, "getCode"),
            string(f, "getSubFamilyCode"),
        )
    {
        return Some(format!("{dc}/{fc}/{sc}"));
    }
    if let Some(p) = obj(code, "getProprietary").and_then(|p| string(p, "getCode")) {
        return Some(p.to_string());
    }
    domain
        .and_then(|d| string(d, "getCode"))
        .map(str::to_string)
}

fn compare_entry(
    check: &mut Check,
    parsed: &Parsed,
    statement: &Statement,
    line: &StatementLine,
    entry: &Value,
) {
    let ntry = format!("Ntry[{}]", entry["getIndex"].as_u64().unwrap() + 1);
    let (amount, currency) = genkgo_minor(obj(entry, "getAmount").unwrap());
    // genkgo's Money is signed like ours: DBIT entries are negative.
    check.eq("amount", line.amount_minor, amount);
    let credit = string(entry, "getCreditDebitIndicator") == Some("CRDT");
    check.holds(
        "the sign follows CdtDbtInd",
        if credit {
            line.amount_minor >= 0
        } else {
            line.amount_minor <= 0
        },
    );
    if currency == statement.currency.code() {
        check.holds(
            "no currency warning for an entry in the statement currency",
            !has_finding(parsed, Severity::Warning, &ntry, "but the statement is in"),
        );
    } else {
        check.holds(
            &format!("{ntry} in {currency} has a currency warning"),
            has_finding(
                parsed,
                Severity::Warning,
                &ntry,
                &format!("entry is in {currency}"),
            ),
        );
    }
    match genkgo_date(entry, "getBookingDate") {
        Some(d) => check.eq("booking date", line.booking_date, d),
        None => check.eq(
            "booking date from value date or CreDtTm",
            Some(line.booking_date),
            genkgo_date(entry, "getValueDate").or_else(|| {
                has_finding(
                    parsed,
                    Severity::Warning,
                    &ntry,
                    "neither BookgDt nor ValDt",
                )
                .then_some(line.booking_date)
            }),
        ),
    }
    check.eq(
        "value date",
        line.value_date,
        genkgo_date(entry, "getValueDate"),
    );
    check.eq(
        "servicer reference",
        line.servicer_reference.as_deref(),
        string(entry, "getAccountServicerReference"),
    );
    let reversal = entry["getReversalIndicator"].as_bool() == Some(true);
    check.eq(
        "reversal finding",
        has_finding(parsed, Severity::Info, &ntry, "reversal entry"),
        reversal,
    );
    let booked = string(entry, "getStatus").is_none_or(|s| s == "BOOK");
    if !booked {
        check.holds(
            "a not-booked entry is reported",
            has_finding(parsed, Severity::Info, "]", "not booked"),
        );
    }
    check.eq("type code", line.type_code.clone(), genkgo_type_code(entry));

    let mut description_parts: Vec<String> = Vec::new();
    let detail = obj(entry, "getTransactionDetail");
    let refs = detail.and_then(|d| obj(d, "getReference"));
    let provided = |key| {
        refs.and_then(|r| string(r, key))
            .filter(|r| *r != "NOTPROVIDED")
    };
    let reference = provided("getEndToEndId")
        .or_else(|| provided("getInstructionId"))
        .or_else(|| string(entry, "getReference"));
    check.eq("reference", line.reference.as_deref(), reference);
    let bank_reference = refs.and_then(|r| {
        string(r, "getAccountServicerReference").or_else(|| string(r, "getTransactionId"))
    });
    check.eq(
        "bank reference",
        line.bank_reference.as_deref(),
        bank_reference,
    );
    let wanted_party = if credit { "Debtor" } else { "Creditor" };
    let party = detail
        .and_then(|d| d.get("getRelatedParties"))
        .and_then(Value::as_array)
        .and_then(|parties| {
            parties
                .iter()
                .find(|p| obj(p, "getRelatedPartyType").is_some_and(|t| class(t) == wanted_party))
        });
    check.eq(
        "counterparty",
        line.counterparty.as_deref(),
        party
            .and_then(|p| obj(p, "getRelatedPartyType"))
            .and_then(|t| string(t, "getName")),
    );
    check.eq(
        "counterparty account",
        line.counterparty_account.clone(),
        party
            .and_then(|p| obj(p, "getAccount"))
            .and_then(genkgo_account),
    );
    if let Some(info) = detail.and_then(|d| obj(d, "getRemittanceInformation")) {
        let mut blocks: Vec<&Value> = Vec::new();
        if let Some(Value::Array(list)) = info.get("getUnstructuredBlocks") {
            blocks.extend(list.iter().filter(|b| b.is_object()));
        }
        blocks.extend(obj(info, "getUnstructuredBlock"));
        for block in blocks {
            description_parts.extend(string(block, "getMessage").map(str::to_string));
        }
        let mut references: Vec<&Value> = Vec::new();
        references.extend(obj(info, "getCreditorReferenceInformation"));
        if let Some(Value::Array(list)) = info.get("getStructuredBlocks") {
            references.extend(
                list.iter()
                    .filter_map(|b| obj(b, "getCreditorReferenceInformation")),
            );
        }
        for r in references {
            description_parts.extend(string(r, "getRef").map(str::to_string));
        }
    }
    description_parts.extend(
        detail
            .and_then(|d| string(d, "getAdditionalTransactionInformation"))
            .map(str::to_string),
    );
    let additional = string(entry, "getAdditionalInfo").filter(|s| !s.is_empty());
    for part in description_parts
        .iter()
        .map(String::as_str)
        .chain(additional)
    {
        check.holds(
            &format!("description {:?} holds {part:?}", line.description),
            line.description.contains(part),
        );
    }
    if let Some(additional) = additional {
        check.holds(
            "description ends with AddtlNtryInf",
            line.description.ends_with(additional),
        );
    }
    if description_parts.is_empty() && additional.is_none() {
        check.eq("empty description", line.description.as_str(), "");
    }
}

#[test]
fn genkgo_files_match_their_published_objects() {
    let dir = camt_dir().join("genkgo");
    let dumps = files_with_extensions(&dir, &[".json"]);
    assert!(dumps.len() >= 25, "found {} genkgo dumps", dumps.len());
    let mut total = 0;
    let mut failures = Vec::new();
    for json_path in &dumps {
        let xml_path = json_path.with_extension("xml");
        let name = file_name(&xml_path);
        let parsed = import(&xml_path).unwrap_or_else(|e| panic!("{e}"));
        let dump: Value = serde_json::from_slice(&std::fs::read(json_path).unwrap()).unwrap();
        let (mut records, mut entries) = (Vec::new(), Vec::new());
        collect(&dump, None, &mut records, &mut entries);
        assert!(!records.is_empty(), "{name}: no record in the dump");
        let mut check = Check {
            name: &name,
            compared: 0,
            failures: Vec::new(),
        };
        let find = |record: &Value| {
            let id = string(record, "getId").unwrap();
            parsed
                .statements
                .iter()
                .find(|s| s.statement_id == id)
                .unwrap_or_else(|| panic!("{name}: no statement {id}"))
        };
        let mut seen = std::collections::HashSet::new();
        for record in &records {
            if seen.insert(std::ptr::from_ref::<Value>(record)) {
                check.compared += 1; // the statement id
                compare_record(&mut check, &parsed, find(record), record);
            }
        }
        for (entry, record) in &entries {
            let record = record.unwrap_or_else(|| panic!("{name}: entry without record"));
            let statement = find(record);
            let index = entry["getIndex"].as_u64().unwrap() as usize;
            let line = statement
                .lines
                .get(index)
                .unwrap_or_else(|| panic!("{name}: no line {index}"));
            compare_entry(&mut check, &parsed, statement, line, entry);
        }
        total += check.compared;
        failures.extend(check.failures);
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(total >= 400, "only {total} fields compared");
    println!("compared {total} fields with genkgo's objects");
}

#[test]
fn doctype_documents_are_refused_at_once() {
    let dir = repo_root().join("tests/errors/camt.053");
    for case in ["doctype-billion-laughs.xml", "doctype-xxe.xml"] {
        let path = dir.join(case);
        let started = Instant::now();
        let e = import(&path).expect_err(case);
        assert!(
            started.elapsed() < Duration::from_secs(1),
            "{case} took too long"
        );
        assert_eq!(e.kind, ErrorKind::DoctypeForbidden, "{case}");
        assert!(matches!(e.location, Location::Line(2)), "{case}: {e}");
    }

    // A DOCTYPE with a huge internal subset is still refused in linear time.
    let mut bomb = String::from("<?xml version=\"1.0\"?>\n<!DOCTYPE d [\n");
    bomb.push_str("<!ENTITY a0 \"lol\">\n");
    for i in 1..20_000 {
        bomb.push_str(&format!(
            "<!ENTITY a{i} \"&a{p};&a{p};&a{p};&a{p};&a{p};&a{p};&a{p};&a{p};\">\n",
            p = i - 1
        ));
    }
    bomb.push_str(
        "]>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\
                   <BkToCstmrStmt>&a19999;</BkToCstmrStmt></Document>\n",
    );
    // Too long a prolog for content detection (UnknownFormat), so the format is given.
    let options = ParseOptions {
        format: Some(Format::Camt053),
        ..ParseOptions::default()
    };
    let started = Instant::now();
    let e = parse("bomb.xml", bomb.as_bytes(), &options).unwrap_err();
    assert_eq!(e.kind, ErrorKind::DoctypeForbidden);
    let elapsed = started.elapsed();
    assert!(elapsed < Duration::from_secs(1), "{elapsed:?}");
}

#[test]
fn undefined_entities_are_errors() {
    let text = "<?xml version=\"1.0\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n\
                <BkToCstmrStmt><GrpHdr><MsgId>&xxe;</MsgId></GrpHdr></BkToCstmrStmt></Document>\n";
    let e = parse("entity.xml", text.as_bytes(), &ParseOptions::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "entity.xml: line 3, element /Document/BkToCstmrStmt/GrpHdr/MsgId: malformed XML: \
         undefined entity reference &xxe; (only the predefined XML entities and character \
         references are allowed)\n    | <BkToCstmrStmt><GrpHdr><MsgId>&xxe;</MsgId></GrpHdr></BkToCstmrStmt></Document>"
    );
}

/// Batch bookings keep every transaction (issue 15): for each genkgo entry with several
/// transaction details, our line carries one `BatchDetail` per `TxDtls`, with the end-to-end
/// reference genkgo/camt reads, and stays one line (the bank's booking); entries with one
/// transaction carry no details.
#[test]
fn batch_bookings_keep_every_transaction_like_genkgo() {
    let mut batches = 0;
    for json_path in files_with_extensions(&camt_dir().join("genkgo"), &[".json"]) {
        let xml_path = json_path.with_extension("xml");
        let name = file_name(&xml_path);
        let parsed = import(&xml_path).unwrap_or_else(|e| panic!("{e}"));
        let dump: Value = serde_json::from_slice(&std::fs::read(&json_path).unwrap()).unwrap();
        let (mut records, mut entries) = (Vec::new(), Vec::new());
        collect(&dump, None, &mut records, &mut entries);
        let mut seen = std::collections::HashSet::new();
        for (entry, record) in &entries {
            if !seen.insert(std::ptr::from_ref::<Value>(entry)) {
                continue;
            }
            let id = string(record.unwrap(), "getId").unwrap();
            let statement = parsed
                .statements
                .iter()
                .find(|s| s.statement_id == id)
                .unwrap();
            let index = entry["getIndex"].as_u64().unwrap() as usize;
            let line = &statement.lines[index];
            let details = match entry.get("getTransactionDetails") {
                Some(Value::Array(d)) if d.len() > 1 => d,
                _ => {
                    assert!(line.details.is_empty(), "{name} {}", line.line_id);
                    continue;
                }
            };
            assert_eq!(line.details.len(), details.len(), "{name} {}", line.line_id);
            for (i, (d, t)) in line.details.iter().zip(details).enumerate() {
                // genkgo's dump writes an object it already dumped as a recursion marker: the
                // first transaction, dumped before as the entry's `getTransactionDetail`.
                let t = match t {
                    Value::String(_) if i == 0 => &entry["getTransactionDetail"],
                    other => other,
                };
                assert!(t["getReference"].is_object(), "{name} {}", line.line_id);
                assert_eq!(
                    d.reference.as_deref(),
                    t["getReference"]["getEndToEndId"].as_str(),
                    "{name} {}",
                    line.line_id
                );
                let currency = t["getAmount"]["getCurrency"]["getCode"].as_str();
                if currency == Some(statement.currency.code()) {
                    assert_eq!(d.amount_minor, t["getAmount"]["getAmount"].as_i64());
                } else {
                    // The transactions are in another currency than the booking.
                    assert_eq!(d.amount_minor, None, "{name} {}", line.line_id);
                }
            }
            batches += 1;
        }
    }
    assert!(batches >= 3, "only {batches} batch bookings compared");
}
