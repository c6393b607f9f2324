//! Matching quality on generated data, through the same use cases as `recon gen`, `recon match`
//! and `recon eval`: the targets (auto precision ≥ 99.95%, auto recall ≥ 96%, recall with
//! suggestions ≥ 99%, one-sided items auto-matched ≤ 0.05%) on 100,000 bank lines. The 1M-line
//! figures are in BENCHMARKS.md (scripts/bench.sh).

use recon_api::{ImportOptions, MatchRequest, evaluate_files, generate_files, match_files};

#[test]
fn generated_books_match_within_the_quality_targets() {
    let dir = std::env::temp_dir().join(format!("recon-quality-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    generate_files(100_000, 7, &dir).unwrap();
    let request = MatchRequest {
        bank_files: vec![dir.join("bank.csv")],
        ledger_files: vec![dir.join("ledger.csv")],
        rules_file: None,
        out_dir: dir.join("out"),
        import: ImportOptions::default(),
    };
    let report = match_files(&request).unwrap();
    assert_eq!(report.summary.bank_lines, 100_000);
    let e = evaluate_files(&dir.join("truth.csv"), &dir.join("out")).unwrap();
    let _ = std::fs::remove_dir_all(&dir);
    let summary = format!(
        "precision {} recall {} with suggestions {} one-sided {} ({:?})",
        e.precision(),
        e.recall_auto(),
        e.recall_with_suggestions(),
        e.one_sided_auto_matched(),
        e
    );
    // Compare as integer ratios: a * 10_000 >= b * target_basis_points.
    let at_least = |num: u64, den: u64, basis_points: u64| num * 10_000 >= den * basis_points;
    assert!(
        at_least(e.auto_pairs_correct, e.auto_pairs, 9_995),
        "{summary}"
    );
    assert!(
        at_least(e.auto_pairs_correct, e.true_pairs, 9_600),
        "{summary}"
    );
    assert!(
        at_least(e.true_pairs_found_with_suggestions, e.true_pairs, 9_900),
        "{summary}"
    );
    assert!(
        e.one_sided_items_auto_matched * 10_000 <= e.one_sided_items * 5,
        "{summary}"
    );
    assert!(e.true_pairs > 100_000, "{summary}");
}
