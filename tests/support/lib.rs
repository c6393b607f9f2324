//! Shared helpers for the workspace-level integration tests: where the test data lives.

use std::path::{Path, PathBuf};

/// The repository root (this package's manifest directory).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// `../shared/testdata`, the real bank files published with expected results.
pub fn shared_testdata() -> PathBuf {
    let dir = repo_root().join("../shared/testdata");
    assert!(
        dir.is_dir(),
        "shared test data not found at {}: it is laid beside the project root",
        dir.display()
    );
    dir
}

/// Every file under `dir` (recursively) whose name ends with one of `extensions`, sorted.
pub fn files_with_extensions(dir: &Path, extensions: &[&str]) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else if let Some(name) = path.file_name().and_then(|n| n.to_str())
                && extensions.iter().any(|ext| name.ends_with(ext))
            {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}

/// The file name of a path, as importers are given it for `source`.
pub fn file_name(path: &Path) -> String {
    path.file_name().unwrap().to_string_lossy().into_owned()
}
