//! Generate use case: writes `recon gen` data (bank.csv, ledger.csv, truth.csv) to a directory.

use crate::ApiError;
use crate::atomic::PartialFile;
use recon_gen::{GenConfig, generate_named, profiles::PROFILE_NAMES};
use std::path::{Path, PathBuf};

#[derive(Clone, Debug)]
pub struct GenerateReport {
    pub bank_lines: usize,
    pub ledger_entries: usize,
    pub files: Vec<PathBuf>,
}

/// Generates `bank_lines` synthetic bank lines with `seed` and writes the three files to `out_dir`
/// (created if missing). Each file is written to a temporary name and renamed, so a crash never
/// leaves a half-written file under the final name.
pub fn generate_files(
    bank_lines: usize,
    seed: u64,
    out_dir: &Path,
) -> Result<GenerateReport, ApiError> {
    generate_profile_files(bank_lines, seed, "classic", out_dir)
}

/// [`generate_files`] with the noise mix of the profile called `profile` (`recon gen --profile`;
/// `classic` is the default).
pub fn generate_profile_files(
    bank_lines: usize,
    seed: u64,
    profile: &str,
    out_dir: &Path,
) -> Result<GenerateReport, ApiError> {
    let config = GenConfig::new(bank_lines, seed);
    // Known before anything is written.
    if !PROFILE_NAMES.contains(&profile) {
        return Err(ApiError::InvalidArgument(format!(
            "unknown profile {profile:?}; expected one of {}",
            PROFILE_NAMES.join(", ")
        )));
    }
    std::fs::create_dir_all(out_dir).map_err(|source| ApiError::Write {
        path: out_dir.to_path_buf(),
        source,
    })?;
    let generated = generate_named(&config, profile)
        .ok_or_else(|| ApiError::InvalidArgument(format!("unknown profile {profile:?}")))?;
    let mut files = Vec::new();
    for (name, text) in [
        ("bank.csv", &generated.bank_csv),
        ("ledger.csv", &generated.ledger_csv),
        ("truth.csv", &generated.truth_csv),
    ] {
        let path = out_dir.join(name);
        write_atomically(&path, text.as_bytes())?;
        files.push(path);
    }
    Ok(GenerateReport {
        bank_lines: generated.bank_line_count,
        ledger_entries: generated.ledger_entry_count,
        files,
    })
}

/// Writes a whole file atomically, without syncing it (see [`crate::atomic`]).
pub(crate) fn write_atomically(path: &Path, bytes: &[u8]) -> Result<(), ApiError> {
    write_parts_atomically(path, &[bytes])
}

/// [`write_atomically`] of the parts one after another (no copy into one buffer first).
pub(crate) fn write_parts_atomically(path: &Path, parts: &[&[u8]]) -> Result<(), ApiError> {
    let mut file = PartialFile::create(path)?;
    for part in parts {
        file.write(part)?;
    }
    file.commit()
}
