//! Tidy is a test: house rules checked over the source tree.
//! - every Rust module starts with a `//!` line saying what it is for;
//! - no `dbg!`, no `todo!`, no floating point in library code (money is never f64);
//! - the core crates (model, formats, gen, match, review, report) depend on nothing that does IO, and do no IO themselves.

use recon_tests::{files_with_extensions, repo_root};

const CORE_CRATES: [&str; 6] = [
    "recon-model",
    "recon-formats",
    "recon-gen",
    "recon-match",
    "recon-review",
    "recon-report",
];
const FORBIDDEN_CORE_DEPENDENCIES: [&str; 12] = [
    "tokio",
    "rusqlite",
    "tauri",
    "aws-sdk-s3",
    "aws-config",
    "reqwest",
    "keyring",
    "oauth2",
    "openidconnect",
    "postgres",
    "tokio-postgres",
    "sqlx",
];
const FORBIDDEN_CORE_CALLS: [&str; 8] = [
    "std::fs",
    "std::env",
    "std::net",
    "File::open",
    "SystemTime::now",
    "Instant::now",
    "Utc::now",
    "Local::now",
];

fn rust_sources() -> Vec<std::path::PathBuf> {
    let root = repo_root();
    let mut files = files_with_extensions(&root.join("crates"), &[".rs"]);
    files.extend(files_with_extensions(&root.join("tests"), &[".rs"]));
    files
}

#[test]
fn every_module_says_what_it_is_for() {
    let missing: Vec<String> = rust_sources()
        .into_iter()
        .filter(|p| {
            let text = std::fs::read_to_string(p).unwrap();
            !text.trim_start().starts_with("//!")
        })
        .map(|p| p.display().to_string())
        .collect();
    assert!(
        missing.is_empty(),
        "modules without a leading //! line:\n{}",
        missing.join("\n")
    );
}

#[test]
fn no_debugging_leftovers_and_no_floats_in_libraries() {
    let mut offences = Vec::new();
    for path in rust_sources() {
        let text = std::fs::read_to_string(&path).unwrap();
        // A module that draws (PDF page geometry) may use floats; it says so in its docs, and
        // clippy's float_arithmetic lint is allowed there only.
        let in_library = path.components().any(|c| c.as_os_str() == "crates")
            && !text
                .contains("//! tidy: floating point here is page geometry (points), never money.");
        for (n, line) in text.lines().enumerate() {
            let code = line.split("//").next().unwrap_or("");
            let mut bad = Vec::new();
            if code.contains(concat!("dbg", "!(")) {
                bad.push("dbg!");
            }
            if code.contains(concat!("todo", "!(")) {
                bad.push("todo!");
            }
            if in_library && (code.contains("f64") || code.contains("f32")) {
                bad.push("floating point");
            }
            for b in bad {
                offences.push(format!(
                    "{}:{}: {b}: {}",
                    path.display(),
                    n + 1,
                    line.trim()
                ));
            }
        }
    }
    assert!(offences.is_empty(), "{}", offences.join("\n"));
}

#[test]
fn core_crates_do_no_io() {
    let root = repo_root();
    let mut offences = Vec::new();
    for krate in CORE_CRATES {
        let dir = root.join("crates").join(krate);
        let manifest = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        for dep in FORBIDDEN_CORE_DEPENDENCIES {
            if manifest.lines().any(|l| {
                l.trim_start().starts_with(&format!("{dep} "))
                    || l.trim_start().starts_with(&format!("{dep}."))
                    || l.trim_start().starts_with(&format!("{dep}="))
            }) {
                offences.push(format!("{krate} depends on {dep}"));
            }
        }
        for path in files_with_extensions(&dir.join("src"), &[".rs"]) {
            let text = std::fs::read_to_string(&path).unwrap();
            for call in FORBIDDEN_CORE_CALLS {
                if text.contains(call) {
                    offences.push(format!("{} uses {call}", path.display()));
                }
            }
        }
    }
    assert!(
        offences.is_empty(),
        "core crates must do no IO:\n{}",
        offences.join("\n")
    );
}
