//! Evaluate use case (`recon eval`): reads truth.csv and DIR/matches.csv and scores the run.

use crate::ApiError;
use recon_match::eval::{Evaluation, MatchRow, TruthRow, evaluate};
use std::path::Path;

fn read(path: &Path) -> Result<String, ApiError> {
    std::fs::read_to_string(path).map_err(|source| ApiError::Read {
        path: path.to_path_buf(),
        source,
    })
}

fn fields<'a>(
    path: &Path,
    n: usize,
    line: &'a str,
    expected: usize,
) -> Result<Vec<&'a str>, ApiError> {
    let f: Vec<&str> = line.split(',').collect();
    if f.len() < expected {
        return Err(ApiError::InvalidArgument(format!(
            "{}: line {}: expected {expected} fields, found {}",
            path.display(),
            n + 1,
            f.len()
        )));
    }
    Ok(f)
}

/// Scores `matches_dir/matches.csv` against `truth` (both as `recon gen` and `recon match` write them).
pub fn evaluate_files(truth: &Path, matches_dir: &Path) -> Result<Evaluation, ApiError> {
    let truth_text = read(truth)?;
    let matches_path = matches_dir.join("matches.csv");
    let matches_text = read(&matches_path)?;
    let mut truth_rows = Vec::new();
    for (n, line) in truth_text.lines().enumerate().skip(1) {
        let f = fields(truth, n, line, 4)?;
        truth_rows.push(TruthRow {
            group_id: f[0],
            side: f[1],
            item_id: f[2],
            kind: f[3],
        });
    }
    let mut match_rows = Vec::new();
    for (n, line) in matches_text.lines().enumerate().skip(1) {
        let f = fields(&matches_path, n, line, 6)?;
        match_rows.push(MatchRow {
            match_id: f[0],
            status: f[2],
            side: f[3],
            item_id: f[4],
        });
    }
    Ok(evaluate(&truth_rows, &match_rows))
}
