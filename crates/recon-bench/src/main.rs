//! `recon-bench`: measures what the issues promise (parsing throughput per format, generation
//! speed) on this machine and prints a Markdown table for BENCHMARKS.md. Run it in release mode:
//! `cargo run --release -p recon-bench -- all`.

mod export;
mod inbox;
mod publish;
mod store;

/// Many small allocations (one String per text field of a million lines): mimalloc is markedly
/// faster at them than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use recon_formats::{ParseOptions, parse};
use recon_gen::writers;
use recon_model::Currency;
use std::time::{Duration, Instant};

const REPEATS: usize = 5;

fn main() {
    let what = std::env::args().nth(1).unwrap_or_else(|| "all".to_string());
    let lines: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(1_000_000);
    println!("| benchmark | input | best of {REPEATS} | throughput |");
    println!("|---|---|---|---|");
    if what == "all" || what == "parse" {
        bench_parse(lines);
    }
    if what == "all" || what == "gen" {
        bench_gen(lines);
    }
    if what == "store" {
        store::bench_store(lines);
    }
    if what == "desk" {
        store::bench_desk(lines);
    }
    if what == "signoff" {
        let open = std::env::args()
            .nth(3)
            .and_then(|s| s.parse().ok())
            .unwrap_or(47_000);
        store::bench_signoff(lines, open);
    }
    if what == "inbox" {
        let endpoint = std::env::args()
            .nth(2)
            .expect("recon-bench inbox ENDPOINT [LINES_PER_FILE] [FILES]");
        let arg = |n: usize, default: usize| {
            std::env::args()
                .nth(n)
                .and_then(|s| s.parse().ok())
                .unwrap_or(default)
        };
        inbox::bench_inbox(&endpoint, arg(3, 200_000), arg(4, 4));
    }
    if what == "publish" {
        let arg = |n: usize| {
            std::env::args().nth(n).expect(
                "recon-bench publish PG_URL CA_FILE S3_ENDPOINT [EXCEPTIONS] [MATCHED_ITEMS]",
            )
        };
        let num = |n: usize, default: usize| {
            std::env::args()
                .nth(n)
                .and_then(|s| s.parse().ok())
                .unwrap_or(default)
        };
        publish::bench_publish(
            &arg(2),
            std::path::Path::new(&arg(3)),
            &arg(4),
            num(5, 100_000),
            num(6, 1_000_000),
        );
    }
    if what == "export" {
        let format = std::env::args().nth(2).unwrap_or_else(|| "all".to_string());
        let arg = |n: usize, default: usize| {
            std::env::args()
                .nth(n)
                .and_then(|s| s.parse().ok())
                .unwrap_or(default)
        };
        export::bench_export(&format, arg(3, 100_000), arg(4, 1_000_000));
    }
}

fn best_of<T>(mut f: impl FnMut() -> T) -> (Duration, T) {
    let mut best = Duration::MAX;
    let mut last = None;
    for _ in 0..REPEATS {
        let started = Instant::now();
        let out = f();
        best = best.min(started.elapsed());
        last = Some(out);
    }
    (best, last.expect("REPEATS > 0"))
}

fn rate(count: usize, elapsed: Duration) -> u128 {
    (count as u128 * 1_000_000) / elapsed.as_micros().max(1)
}

fn bench_parse(lines: usize) {
    let eur = Currency::from_code("EUR").expect("EUR");
    let amounts: Vec<i64> = (0..997)
        .map(|i| (i * 7919 % 2_000_001) - 1_000_000)
        .collect();
    let statement =
        writers::synthetic_statement("NL91ABNA0417164300", eur, "BENCH", &amounts, lines);
    let inputs = [
        ("MT940", writers::mt940(&statement)),
        ("BAI2", writers::bai2(&statement)),
        ("camt.053", writers::camt053(&statement)),
        (
            "canonical CSV",
            recon_api::dto::canonical_bank_csv(std::slice::from_ref(&statement)),
        ),
    ];
    for (name, text) in inputs {
        let (elapsed, result) =
            best_of(|| parse("bench", text.as_bytes(), &ParseOptions::default()));
        let parsed = match result {
            Ok(p) => p,
            Err(e) => {
                println!("| parse {name} | FAILED: {e} | | |");
                continue;
            }
        };
        let count: usize = parsed.statements.iter().map(|s| s.lines.len()).sum();
        assert_eq!(count, lines, "{name}: every line parsed");
        // Bytes per microsecond is megabytes per second.
        println!(
            "| parse {name} | {count} lines, {} MB | {elapsed:.3?} | {} lines/s, {} MB/s |",
            text.len() / 1_000_000,
            rate(count, elapsed),
            text.len() as u128 / elapsed.as_micros().max(1)
        );
    }
}

fn bench_gen(lines: usize) {
    let dir = std::env::temp_dir().join(format!("recon-bench-gen-{}", std::process::id()));
    let (elapsed, report) = best_of(|| recon_api::generate_files(lines, 42, &dir));
    match report {
        Ok(r) => println!(
            "| recon gen (write files) | {} bank lines, {} ledger entries | {elapsed:.3?} | {} bank lines/s |",
            r.bank_lines,
            r.ledger_entries,
            rate(r.bank_lines, elapsed)
        ),
        Err(e) => println!("| recon gen | FAILED: {e} | | |"),
    }
    let _ = std::fs::remove_dir_all(&dir);
}
