//! Import errors that a person can act on: file, location, reason, excerpt.

use recon_model::AmountError;
use std::fmt;

/// Where in a file something was found.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum Location {
    /// The file as a whole (size, encoding before any line, ...).
    File,
    /// 1-based line number in the decoded text.
    Line(u64),
    /// XML element path, e.g. `/Document/BkToCstmrStmt/Stmt[2]/Ntry[5]/Amt`, with its line.
    Element { path: String, line: u64 },
}

impl Location {
    /// The line number, when the location has one.
    pub fn line(&self) -> Option<u64> {
        match self {
            Location::File => None,
            Location::Line(l) => Some(*l),
            Location::Element { line, .. } => Some(*line),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Location::File => Ok(()),
            Location::Line(l) => write!(f, "line {l}"),
            Location::Element { path, line } => write!(f, "line {line}, element {path}"),
        }
    }
}

/// Why a file was rejected. The variant is the stable code; the text is for people.
#[derive(Clone, PartialEq, Eq, Debug, thiserror::Error)]
pub enum ErrorKind {
    #[error(
        "file is {size_bytes} bytes, over the limit of {limit_bytes} (raise it with --max-file-bytes)"
    )]
    TooLarge { size_bytes: u64, limit_bytes: u64 },
    #[error("more than {limit} {what} (raise the limit to import it)")]
    TooMany { what: &'static str, limit: usize },
    #[error(
        "invalid {encoding} byte 0x{byte:02X} at byte offset {offset} (declare the file's encoding, e.g. --encoding windows-1252)"
    )]
    Encoding {
        encoding: &'static str,
        byte: u8,
        offset: u64,
    },
    #[error(
        "unrecognised file format (expected camt.052/053/054 XML, MT940/MT942, BAI2 or CSV; pass --format to force one)"
    )]
    UnknownFormat,
    #[error(
        "XML documents with a DOCTYPE or entity declarations are refused (XXE / entity expansion)"
    )]
    DoctypeForbidden,
    #[error("malformed XML: {0}")]
    Xml(String),
    #[error("XML nesting deeper than {limit} elements")]
    TooDeep { limit: usize },
    #[error("missing {0}")]
    MissingField(String),
    #[error("invalid amount {text:?}: {reason}")]
    InvalidAmount { text: String, reason: AmountError },
    #[error("invalid date {text:?}: {reason}")]
    InvalidDate { text: String, reason: String },
    #[error("unknown currency {0:?}")]
    UnknownCurrency(String),
    #[error("{record} control total is {stated} but the records add up to {computed}")]
    ControlTotal {
        record: String,
        stated: String,
        computed: String,
    },
    #[error("{record} record count is {stated} but there are {counted} records")]
    RecordCount {
        record: String,
        stated: u64,
        counted: u64,
    },
    #[error("{0}")]
    Structure(String),
    /// A balance without its sign that the statement's arithmetic does not settle (tolerant
    /// reading); the message names the readings. Known closing balances may settle it.
    #[error("{0}")]
    BalanceSign(String),
    #[error("field longer than {limit} bytes")]
    FieldTooLong { limit: usize },
    #[error("CSV: {0}")]
    Csv(String),
    #[error("CSV profile: {0}")]
    Profile(String),
}

/// A parser's error before it knows which file it is in.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ParseError {
    pub kind: ErrorKind,
    pub location: Location,
    pub excerpt: String,
}

impl ParseError {
    pub fn new(kind: ErrorKind, location: Location, excerpt: impl Into<String>) -> ParseError {
        ParseError {
            kind,
            location,
            excerpt: excerpt.into(),
        }
    }

    pub fn in_file(self, file: &str) -> ImportError {
        ImportError {
            file: file.to_string(),
            kind: self.kind,
            location: self.location,
            excerpt: self.excerpt,
        }
    }
}

/// A rejected file: which file, where, why, and the offending text.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ImportError {
    pub file: String,
    pub location: Location,
    pub kind: ErrorKind,
    pub excerpt: String,
}

impl std::error::Error for ImportError {}

impl fmt::Display for ImportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location {
            Location::File => write!(f, "{}: {}", self.file, self.kind)?,
            _ => write!(f, "{}: {}: {}", self.file, self.location, self.kind)?,
        }
        if !self.excerpt.is_empty() {
            write!(f, "\n    | {}", self.excerpt)?;
        }
        Ok(())
    }
}

/// Shortens a line of input to a printable excerpt of at most 120 characters.
pub fn excerpt(text: &str) -> String {
    const MAX_CHARS: usize = 120;
    let mut out: String = text
        .trim_end_matches(['\r', '\n'])
        .chars()
        .take(MAX_CHARS)
        .map(|c| if c.is_control() { '\u{FFFD}' } else { c })
        .collect();
    if text.chars().count() > MAX_CHARS {
        out.push('…');
    }
    out
}
