//! Property: 10^6 random amounts round-trip exactly through every format (written the way a bank
//! writes them, read back by the importer), in currencies with 0, 2 and 3 decimals.

use proptest::prelude::*;
use proptest::test_runner::{Config, TestRunner};
use recon_formats::{ParseOptions, parse};
use recon_gen::writers;
use recon_model::{Currency, Statement};

const AMOUNTS_TOTAL: usize = 1_000_000;
const CASES: u32 = 4;

/// Amounts from a seed (SplitMix64), so that a failing case is reported as its seed rather than
/// a quarter of a million numbers: zeros, ±1, small and large amounts.
fn amounts(seed: u64, n: usize) -> Vec<i64> {
    let mut state = seed;
    let mut next = move || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    (0..n)
        .map(|_| {
            let r = next();
            let magnitude = match r % 10 {
                0 => 0,
                1 => 1,
                2..=5 => (r >> 8) % 100_001,
                _ => (r >> 8) % 1_000_000_000_000,
            } as i64;
            if (r >> 4) & 1 == 1 {
                -magnitude
            } else {
                magnitude
            }
        })
        .collect()
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
    let case = std::cell::Cell::new(0usize);
    runner
        .run(&any::<u64>(), |seed| {
            let amounts = amounts(seed, per_case);
            let currency = Currency::from_code(currencies[case.get() % currencies.len()]).unwrap();
            case.set(case.get() + 1);
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
    assert_eq!(case.get(), CASES as usize);
}
