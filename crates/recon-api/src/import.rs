//! Import use case: files in, canonical statements and every issue found out. A rejected file
//! contributes nothing (all or nothing per file); duplicates are reported and skipped.

use crate::ApiError;
use recon_formats::integrity::{self, StatementKey};
use recon_formats::{Issue, Limits, Location, ParseOptions, Severity};
use recon_model::{LedgerEntry, Statement};
use sha2::{Digest, Sha256};
use std::collections::{HashMap, HashSet};
use std::path::Path;

/// A file's name (as shown in messages) and its bytes.
#[derive(Clone, Debug)]
pub struct InputFile {
    pub name: String,
    pub bytes: Vec<u8>,
}

/// Reads a file, refusing it before reading when it is over the size limit.
pub fn read_input(path: &Path, limits: &Limits) -> Result<InputFile, ApiError> {
    let read_error = |source| ApiError::Read {
        path: path.to_path_buf(),
        source,
    };
    let size = std::fs::metadata(path).map_err(read_error)?.len();
    let name = path.display().to_string();
    if size > limits.max_file_bytes {
        return Err(ApiError::Import(
            recon_formats::ParseError::new(
                recon_formats::ErrorKind::TooLarge {
                    size_bytes: size,
                    limit_bytes: limits.max_file_bytes,
                },
                Location::File,
                "",
            )
            .in_file(&name),
        ));
    }
    let bytes = std::fs::read(path).map_err(read_error)?;
    Ok(InputFile { name, bytes })
}

#[derive(Clone, Debug, Default)]
pub struct ImportOptions {
    pub parse: ParseOptions,
}

/// What one imported file was: its digest and what it contributed.
#[derive(Clone, Debug)]
pub struct FileDigest {
    pub name: String,
    pub sha256_hex: String,
    pub statements: usize,
    pub lines: usize,
    pub rejected: bool,
}

#[derive(Clone, Debug, Default)]
pub struct ImportReport {
    pub statements: Vec<Statement>,
    pub issues: Vec<Issue>,
    pub files: Vec<FileDigest>,
}

impl ImportReport {
    pub fn rejected_files(&self) -> usize {
        self.files.iter().filter(|f| f.rejected).count()
    }
    pub fn line_count(&self) -> usize {
        self.statements.iter().map(|s| s.lines.len()).sum()
    }
}

/// Imports statement files. Each file is parsed on its own (a bad file does not stop the others);
/// the same bytes twice, or the same statement identity twice, is imported once and reported.
///
/// A file refused only because a balance without its sign is not settled by its own arithmetic
/// is read again after the others, knowing their closing balances (the previous day's closing
/// settles it, issue 15).
pub fn import_statement_files(files: &[InputFile], options: &ImportOptions) -> ImportReport {
    let mut report = ImportReport::default();
    let mut seen_hashes: HashMap<String, String> = HashMap::new();
    let mut seen_statements: HashSet<StatementKey> = HashSet::new();
    let mut unsettled: Vec<&InputFile> = Vec::new();
    let mut retry_options = None;
    let mut pending: Vec<&InputFile> = files.iter().collect();
    loop {
        for file in pending {
            let parse_options = retry_options.as_ref().unwrap_or(&options.parse);
            import_one(
                file,
                parse_options,
                &mut report,
                &mut seen_hashes,
                &mut seen_statements,
                retry_options.is_none().then_some(&mut unsettled),
            );
        }
        if unsettled.is_empty() || retry_options.is_some() {
            break;
        }
        let mut again = options.parse.clone();
        again
            .known_closings
            .extend(report.statements.iter().filter_map(|s| {
                s.closing_balance.map(|b| recon_formats::KnownBalance {
                    account: s.account.clone(),
                    date: b.date,
                    amount_minor: b.amount_minor,
                })
            }));
        retry_options = Some(again);
        pending = std::mem::take(&mut unsettled);
    }
    report
        .issues
        .extend(integrity::check_balances(&report.statements));
    report
        .issues
        .extend(integrity::check_continuity(&report.statements));
    report
        .issues
        .extend(integrity::check_series(&report.statements));
    report
}

/// Parses one file into the report. With `unsettled`, a file refused only for an unsettled
/// balance sign is put there instead (to be read again knowing the other files' closings).
fn import_one<'f>(
    file: &'f InputFile,
    parse_options: &ParseOptions,
    report: &mut ImportReport,
    seen_hashes: &mut HashMap<String, String>,
    seen_statements: &mut HashSet<StatementKey>,
    unsettled: Option<&mut Vec<&'f InputFile>>,
) {
    let sha256_hex = sha256_hex(&file.bytes);
    if let Some(first) = seen_hashes.get(&sha256_hex) {
        report.issues.push(Issue {
            severity: Severity::Warning,
            file: file.name.clone(),
            location: Location::File,
            message: format!("duplicate file: same content as {first}, skipped"),
            code: Some("series.duplicate_file".into()),
        });
        return;
    }
    let result = recon_formats::parse(&file.name, &file.bytes, parse_options);
    if let (Err(e), Some(unsettled)) = (&result, unsettled)
        && matches!(e.kind, recon_formats::ErrorKind::BalanceSign(_))
    {
        unsettled.push(file);
        return;
    }
    seen_hashes.insert(sha256_hex.clone(), file.name.clone());
    match result {
        Ok(parsed) => {
            report.issues.extend(
                parsed
                    .findings
                    .into_iter()
                    .map(|f| Issue::from_finding(&file.name, f)),
            );
            let (kept, duplicates) = integrity::drop_duplicates(parsed.statements, seen_statements);
            report.issues.extend(duplicates);
            for s in &kept {
                report.issues.extend(
                    s.reading
                        .deviations
                        .iter()
                        .map(|d| Issue::from_deviation(&file.name, d)),
                );
            }
            report.files.push(FileDigest {
                name: file.name.clone(),
                sha256_hex,
                statements: kept.len(),
                lines: kept.iter().map(|s| s.lines.len()).sum(),
                rejected: false,
            });
            report.statements.extend(kept);
        }
        Err(error) => {
            report.issues.push(Issue::from_error(&error));
            report.files.push(FileDigest {
                name: file.name.clone(),
                sha256_hex,
                statements: 0,
                lines: 0,
                rejected: true,
            });
        }
    }
}

/// Imports ledger extracts (canonical layout unless a profile is given). All or nothing: the first
/// bad file is the error.
pub fn import_ledger_files(
    files: &[InputFile],
    profile: Option<&recon_formats::csv::CsvProfile>,
    limits: &Limits,
) -> Result<Vec<LedgerEntry>, ApiError> {
    let mut entries = Vec::new();
    for file in files {
        entries.extend(recon_formats::parse_ledger(
            &file.name,
            &file.bytes,
            profile,
            limits,
        )?);
    }
    Ok(entries)
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut out = String::with_capacity(64);
    for b in digest {
        out.push(char::from(b"0123456789abcdef"[usize::from(b >> 4)]));
        out.push(char::from(b"0123456789abcdef"[usize::from(b & 15)]));
    }
    out
}
