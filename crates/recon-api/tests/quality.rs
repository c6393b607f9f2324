//! Matching quality on generated data, through the same use cases as `recon gen`, `recon match`
//! and `recon eval`: the targets (auto precision ≥ 99.95%, auto recall ≥ 96%, recall with
//! suggestions ≥ 99%, one-sided items auto-matched ≤ 0.05%) on 100,000 bank lines. The 1M-line
//! figures are in BENCHMARKS.md (scripts/bench.sh).

use recon_api::{ImportOptions, MatchRequest, evaluate_files, generate_files, match_files};

/// `recon match` over DIR's bank.csv and ledger.csv with the default rules, then `recon eval`.
fn match_and_evaluate(
    dir: &std::path::Path,
) -> (recon_api::MatchReport, recon_match::eval::Evaluation) {
    let request = MatchRequest {
        bank_files: vec![dir.join("bank.csv")],
        ledger_files: vec![dir.join("ledger.csv")],
        rules_file: None,
        out_dir: dir.join("out"),
        import: ImportOptions::default(),
    };
    let report = match_files(&request).unwrap();
    let e = evaluate_files(&dir.join("truth.csv"), &dir.join("out")).unwrap();
    (report, e)
}

#[test]
fn generated_books_match_within_the_quality_targets() {
    let dir = std::env::temp_dir().join(format!("recon-quality-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    generate_files(100_000, 7, &dir).unwrap();
    let (report, e) = match_and_evaluate(&dir);
    assert_eq!(report.summary.bank_lines, 100_000);
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

/// What a profile must reach, in basis points: auto precision, auto recall, recall counting
/// suggestions; one-sided items auto-matched at most `one_sided_max`; suggested groups at most
/// the open items.
struct Floor {
    precision: u64,
    recall_auto: u64,
    recall_with_suggestions: u64,
    one_sided_max: u64,
}

/// The targets (issue 14).
const TARGET: Floor = Floor {
    precision: 9_995,
    recall_auto: 9_700,
    recall_with_suggestions: 9_900,
    one_sided_max: 5,
};

#[test]
fn every_generator_profile_matches_within_its_floor() {
    // Profiles that meet the targets are held to them. `retail` (repeated round amounts and
    // recurring payments) and `lagged_fees` (charges with lost references, lags up to 10 days)
    // do not yet: they are held to what they reach now (BENCHMARKS.md), so they cannot slip
    // back unnoticed, until the rules meet the targets there too.
    let profiles: [(&str, Floor); 7] = [
        ("classic", TARGET),
        ("clean", TARGET),
        (
            "retail",
            Floor {
                recall_auto: 9_600,
                ..TARGET
            },
        ),
        ("payroll", TARGET),
        ("poor_references", TARGET),
        (
            "lagged_fees",
            Floor {
                recall_auto: 9_650,
                recall_with_suggestions: 9_730,
                ..TARGET
            },
        ),
        ("harsh", TARGET),
    ];
    for (profile, floor) in profiles {
        let dir =
            std::env::temp_dir().join(format!("recon-quality-{profile}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        recon_api::generate_profile_files(100_000, 11, profile, &dir).unwrap();
        let (report, e) = match_and_evaluate(&dir);
        let _ = std::fs::remove_dir_all(&dir);
        let suggested: usize = report
            .summary
            .passes
            .iter()
            .map(|p| p.suggested_groups)
            .sum();
        let summary = format!(
            "{profile}: precision {} recall {} with suggestions {} one-sided {} suggested groups {suggested} open items {} ({e:?})",
            e.precision(),
            e.recall_auto(),
            e.recall_with_suggestions(),
            e.one_sided_auto_matched(),
            report.summary.exceptions
        );
        let at_least = |num: u64, den: u64, basis_points: u64| num * 10_000 >= den * basis_points;
        assert!(
            at_least(e.auto_pairs_correct, e.auto_pairs, floor.precision),
            "{summary}"
        );
        assert!(
            at_least(e.auto_pairs_correct, e.true_pairs, floor.recall_auto),
            "{summary}"
        );
        assert!(
            at_least(
                e.true_pairs_found_with_suggestions,
                e.true_pairs,
                floor.recall_with_suggestions
            ),
            "{summary}"
        );
        assert!(
            e.one_sided_items_auto_matched * 10_000 <= e.one_sided_items * floor.one_sided_max,
            "{summary}"
        );
        assert!(suggested <= report.summary.exceptions, "{summary}");
        assert!(e.true_pairs > 90_000, "{summary}");
    }
}
