//! Fuzz target: auto-detection plus whichever importer it picks never panics.
#![no_main]

use libfuzzer_sys::fuzz_target;
use recon_formats::{ParseOptions, parse};

fuzz_target!(|data: &[u8]| {
    let _ = parse("fuzz", data, &ParseOptions::default());
});
