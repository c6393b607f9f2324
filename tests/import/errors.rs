//! The error catalogue: tests/errors/<format>/<case>.<ext> must be rejected with exactly the message
//! in tests/errors/<format>/<case>.expected (the file is given to the importer by its name alone).
//! A CSV case may carry its mapping in <case>.profile.toml. Regenerate with UPDATE_EXPECT=1.

use recon_formats::{ParseOptions, parse};
use recon_model::Format;
use recon_tests::{file_name, repo_root};

#[test]
fn every_catalogued_error_gives_its_message() {
    let root = repo_root().join("tests/errors");
    let update = std::env::var_os("UPDATE_EXPECT").is_some();
    let mut checked = 0;
    let mut failures = Vec::new();
    for format_dir in std::fs::read_dir(&root).unwrap() {
        let format_dir = format_dir.unwrap().path();
        if !format_dir.is_dir() {
            continue;
        }
        let dir_name = file_name(&format_dir);
        let format = match dir_name.as_str() {
            "auto" => None,
            other => Some(
                Format::from_name(other).unwrap_or_else(|| panic!("unknown format dir {other}")),
            ),
        };
        let mut cases: Vec<_> = std::fs::read_dir(&format_dir)
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                let n = file_name(p);
                !n.ends_with(".expected") && !n.ends_with(".profile.toml")
            })
            .collect();
        cases.sort();
        for case in cases {
            let name = file_name(&case);
            let stem = name.split('.').next().unwrap().to_string();
            let expected_path = format_dir.join(format!("{stem}.expected"));
            let profile_path = format_dir.join(format!("{stem}.profile.toml"));
            let mut options = ParseOptions {
                format,
                ..ParseOptions::default()
            };
            if profile_path.exists() {
                let toml = std::fs::read_to_string(&profile_path).unwrap();
                options.profile = Some(recon_formats::csv::CsvProfile::from_toml(&toml).unwrap());
            }
            let bytes = std::fs::read(&case).unwrap();
            let message = match parse(&name, &bytes, &options) {
                Ok(parsed) => format!("ACCEPTED with {} statements", parsed.statements.len()),
                Err(e) => e.to_string(),
            };
            if update {
                std::fs::write(&expected_path, format!("{message}\n")).unwrap();
            }
            let expected = std::fs::read_to_string(&expected_path)
                .unwrap_or_else(|_| panic!("{} has no .expected file", case.display()));
            if expected.trim_end() != message {
                failures.push(format!(
                    "{}:\n  expected: {}\n  got:      {}",
                    case.display(),
                    expected.trim_end(),
                    message
                ));
            }
            checked += 1;
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(
        checked >= 4,
        "the catalogue should hold error cases, found {checked}"
    );
}
