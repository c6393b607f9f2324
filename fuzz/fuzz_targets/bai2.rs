//! Fuzz target: the bai2 importer on arbitrary bytes must return Ok or a located error, never panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use recon_formats::{ParseOptions, parse};
use recon_model::Format;

fuzz_target!(|data: &[u8]| {
    let options = ParseOptions { format: Some(Format::Bai2), ..ParseOptions::default() };
    let _ = parse("fuzz", data, &options);
});
