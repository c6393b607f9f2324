//! Fuzz target: CSV (canonical bank-lines layout) and ledger imports never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use recon_formats::{Limits, ParseOptions, parse, parse_ledger};
use recon_model::Format;

fuzz_target!(|data: &[u8]| {
    let options = ParseOptions { format: Some(Format::Csv), ..ParseOptions::default() };
    let _ = parse("fuzz", data, &options);
    let _ = parse_ledger("fuzz", data, None, &Limits::default());
});
