//! Importers for the statement formats banks really send, and for ledger extracts.
//!
//! Bytes in, canonical values out: this crate does no IO, never reads the clock or the
//! environment. Each format parses in two stages (raw records that mirror the file, then validated
//! [`recon_model::Statement`]s); every error names the location (line, record or XML element path),
//! the reason and an excerpt. Entry point: [`parse`].

pub mod bai2;
pub mod camt;
pub mod csv;
mod detect;
mod error;
pub mod integrity;
pub mod mt940;
mod text;

pub use detect::detect;
pub use error::{ErrorKind, ImportError, Location, ParseError, excerpt};
pub use text::{Decoded, decode, decode_detecting};

use recon_model::{Deviation, Format, LedgerEntry, Statement};

/// How forgiving the importers are (issue 15's policy). `Tolerant` reads every deviation that
/// leaves no amount, sign, date or account in doubt and records it on the statement
/// ([`recon_model::Reading::deviations`]); `Strict` refuses the file at the first deviation, as
/// the importers did before (`recon convert --strict`, the workspace setting).
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum ReadingMode {
    #[default]
    Tolerant,
    Strict,
}

/// A closing balance known from an earlier statement of the account (another file of the
/// series, or the workspace): what settles the sign of a balance written without one.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KnownBalance {
    pub account: String,
    pub date: recon_model::Date,
    pub amount_minor: i64,
}

/// A deviation at a line of a text format, with the line's text as the excerpt.
pub(crate) fn deviation_at_line(
    code: &str,
    line: u64,
    text: &str,
    message: impl Into<String>,
) -> Deviation {
    Deviation {
        code: code.to_string(),
        line: Some(line),
        path: None,
        excerpt: excerpt(text),
        message: message.into(),
    }
}

/// Bounds on what one file may make the importer do. Every limit can be raised by a CLI flag.
#[derive(Clone, Debug)]
pub struct Limits {
    pub max_file_bytes: u64,
    pub max_lines_per_statement: usize,
    pub max_statements_per_file: usize,
    pub max_xml_depth: usize,
    /// Longest accepted text field (description, :86: block, XML text node), in bytes.
    pub max_field_bytes: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_bytes: 2 << 30,
            max_lines_per_statement: 10_000_000,
            max_statements_per_file: 1_000_000,
            max_xml_depth: 64,
            max_field_bytes: 64 << 10,
        }
    }
}

/// How bad a finding is. Errors reject the file; warnings and infos are reported beside the data.
#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Info,
    Warning,
    Error,
}

/// A non-fatal observation about a parsed file (quirk tolerated, integrity difference, ...).
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Finding {
    pub severity: Severity,
    pub location: Location,
    pub message: String,
}

/// A finding or error tied to its file: what `recon convert` lists under "issues".
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Issue {
    pub severity: Severity,
    pub file: String,
    pub location: Location,
    pub message: String,
    /// Stable code of a deviation or series finding (`mt940.date_past_month_end`, `series.gap`, ...).
    pub code: Option<String>,
}

impl Issue {
    pub fn from_finding(file: &str, finding: Finding) -> Issue {
        Issue {
            severity: finding.severity,
            file: file.to_string(),
            location: finding.location,
            message: finding.message,
            code: None,
        }
    }

    /// A deviation recorded on a statement read from `file`: a Warning with its code, the
    /// message and the excerpt as the file has it.
    pub fn from_deviation(file: &str, deviation: &Deviation) -> Issue {
        let location = match (&deviation.path, deviation.line) {
            (Some(path), Some(line)) => Location::Element {
                path: path.clone(),
                line,
            },
            (None, Some(line)) => Location::Line(line),
            _ => Location::File,
        };
        let message = if deviation.excerpt.is_empty() {
            format!("{} [{}]", deviation.message, deviation.code)
        } else {
            format!(
                "{} [{}] | {}",
                deviation.message, deviation.code, deviation.excerpt
            )
        };
        Issue {
            severity: Severity::Warning,
            file: file.to_string(),
            location,
            message,
            code: Some(deviation.code.clone()),
        }
    }

    pub fn from_error(error: &ImportError) -> Issue {
        let message = if error.excerpt.is_empty() {
            error.kind.to_string()
        } else {
            format!("{} | {}", error.kind, error.excerpt)
        };
        Issue {
            severity: Severity::Error,
            file: error.file.clone(),
            location: error.location.clone(),
            message,
            code: None,
        }
    }
}

/// What a parser returns for one file: its statements and what it noticed along the way.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    pub statements: Vec<Statement>,
    pub findings: Vec<Finding>,
}

/// What to parse a file as; `None` fields are auto-detected or defaulted.
#[derive(Clone, Debug, Default)]
pub struct ParseOptions {
    /// Overrides content detection.
    pub format: Option<Format>,
    /// Mapping for CSV files; without one, CSV must be in the canonical bank-lines layout.
    pub profile: Option<csv::CsvProfile>,
    /// Declared text encoding (e.g. windows-1252) for files that are not UTF-8 / UTF-16 with BOM.
    pub encoding: Option<&'static encoding_rs::Encoding>,
    /// BAI2 control totals and record counts in strict reading: reject a mismatch (default) or
    /// warn and import. Tolerant reading always warns.
    pub bai2_trailers: bai2::TrailerCheck,
    /// Tolerant (default) or strict reading of deviations from the formats.
    pub reading: ReadingMode,
    /// Closing balances of earlier statements (previous files of a series): they settle the
    /// sign of a camt balance written without `CdtDbtInd` when its own arithmetic cannot.
    pub known_closings: Vec<KnownBalance>,
    pub limits: Limits,
}

/// Parses one statement file. `source` is the file name used in statements and errors.
/// All or nothing: an error means no statement of this file is returned.
pub fn parse(source: &str, bytes: &[u8], options: &ParseOptions) -> Result<Parsed, ImportError> {
    let wrap = |e: ParseError| e.in_file(source);
    if bytes.len() as u64 > options.limits.max_file_bytes {
        return Err(wrap(ParseError::new(
            ErrorKind::TooLarge {
                size_bytes: bytes.len() as u64,
                limit_bytes: options.limits.max_file_bytes,
            },
            Location::File,
            "",
        )));
    }
    let encoding = options
        .encoding
        .or_else(|| options.profile.as_ref().and_then(|p| p.encoding()));
    let Decoded {
        text,
        encoding,
        detected,
    } = match options.reading {
        ReadingMode::Tolerant => decode_detecting(bytes, encoding).map_err(wrap)?,
        ReadingMode::Strict => Decoded {
            encoding: text::effective_encoding(bytes, encoding),
            text: decode(bytes, encoding).map_err(wrap)?,
            detected: None,
        },
    };
    let format = match options.format {
        Some(f) => f,
        None => detect(&text).ok_or_else(|| {
            wrap(ParseError::new(
                ErrorKind::UnknownFormat,
                Location::Line(1),
                excerpt(text.lines().next().unwrap_or("")),
            ))
        })?,
    };
    let limits = &options.limits;
    let mode = options.reading;
    let mut parsed = match format {
        Format::Camt052 | Format::Camt053 | Format::Camt054 => {
            camt::parse_knowing(source, &text, limits, mode, &options.known_closings)
        }
        Format::Mt940 | Format::Mt942 => mt940::parse_with(source, &text, limits, mode),
        Format::Bai2 => bai2::parse_with(
            source,
            &text,
            limits,
            &bai2::Bai2Options {
                trailer_check: match mode {
                    ReadingMode::Tolerant => bai2::TrailerCheck::Warn,
                    ReadingMode::Strict => options.bai2_trailers,
                },
                reading: mode,
            },
        ),
        Format::Csv => {
            let canonical;
            let profile = match &options.profile {
                Some(p) => p,
                None => {
                    canonical = csv::CsvProfile::canonical_bank_lines();
                    &canonical
                }
            };
            csv::parse_statements(source, &text, profile, limits)
        }
    }
    .map_err(wrap)?;
    if parsed.statements.len() > limits.max_statements_per_file {
        return Err(wrap(ParseError::new(
            ErrorKind::TooMany {
                what: "statements",
                limit: limits.max_statements_per_file,
            },
            Location::File,
            "",
        )));
    }
    for statement in &mut parsed.statements {
        statement.reading.encoding = Some(encoding.name().to_string());
        if let Some(detection) = &detected {
            statement.reading.deviations.insert(0, detection.clone());
        }
    }
    Ok(parsed)
}

/// Parses a ledger extract (CSV through a profile; the canonical ledger layout by default).
pub fn parse_ledger(
    source: &str,
    bytes: &[u8],
    profile: Option<&csv::CsvProfile>,
    limits: &Limits,
) -> Result<Vec<LedgerEntry>, ImportError> {
    let canonical;
    let profile = match profile {
        Some(p) => p,
        None => {
            canonical = csv::CsvProfile::canonical_ledger();
            &canonical
        }
    };
    let text = decode(bytes, profile.encoding()).map_err(|e| e.in_file(source))?;
    csv::parse_ledger(source, &text, profile, limits).map_err(|e| e.in_file(source))
}
