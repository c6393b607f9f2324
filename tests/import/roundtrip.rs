//! Property: 10^6 random amounts round-trip exactly through every format (written the way a bank
//! writes them, read back by the importer), in currencies with 0, 2 and 3 decimals.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use recon_formats::{ParseOptions, parse};
use recon_gen::writers;
use recon_model::{Currency, Statement};

const AMOUNTS_TOTAL: usize = 1_000_000;
const CASES: u32 = 4;

fn amount() -> impl Strategy<Value = i64> {
    prop_oneof![
        1 => Just(0i64),
        1 => -1i64..=1,
        4 => -100_000i64..=100_000,
        4 => -999_999_999_999i64..=999_999_999_999,
    ]
}

fn check_format(name: &str, statement: &Statement, text: String) -> Result<(), TestCaseError> {
    let parsed = parse(name, text.as_bytes(), &ParseOptions::default())
        .map_err(|e| TestCaseError::fail(format!("{name}: {e}")))?;
    prop_assert_eq!(parsed.statements.len(), 1, "{}", name);
    let got = &parsed.statements[0];
    prop_assert_eq!(got.currency, statement.currency);
    prop_assert_eq!(got.lines.len(), statement.lines.len(), "{}", name);
    for (a, b) in got.lines.iter().zip(&statement.lines) {
        prop_assert_eq!(
            a.amount_minor,
            b.amount_minor,
            "{} line {}",
            name,
            b.line_id
        );
    }
    if name != "csv" {
        prop_assert_eq!(
            got.opening_balance.map(|b| b.amount_minor),
            statement.opening_balance.map(|b| b.amount_minor),
            "{}",
            name
        );
        prop_assert_eq!(
            got.closing_balance.map(|b| b.amount_minor),
            statement.closing_balance.map(|b| b.amount_minor),
            "{}",
            name
        );
    }
    Ok(())
}

#[test]
fn a_million_amounts_round_trip_through_every_format() {
    let per_case = AMOUNTS_TOTAL / CASES as usize;
    let mut runner = TestRunner::new(Config {
        cases: CASES,
        failure_persistence: None,
        ..Config::default()
    });
    let currencies = ["EUR", "JPY", "BHD", "USD"];
    let mut case = 0usize;
    runner
        .run(&proptest::collection::vec(amount(), per_case), |amounts| {
            let currency = Currency::from_code(currencies[case % currencies.len()]).unwrap();
            case += 1;
            let statement = writers::synthetic_statement(
                "NL91ABNA0417164300",
                currency,
                "RT1",
                &amounts,
                amounts.len(),
            );
            check_format("mt940", &statement, writers::mt940(&statement))?;
            check_format("bai2", &statement, writers::bai2(&statement))?;
            check_format("camt.053", &statement, writers::camt053(&statement))?;
            check_format(
                "csv",
                &statement,
                recon_api::dto::canonical_bank_csv(std::slice::from_ref(&statement)),
            )?;
            Ok(())
        })
        .unwrap();
    assert_eq!(case, CASES as usize);
}
