//! CSV importer driven by a mapping profile (being written).

use crate::{ErrorKind, Limits, Location, ParseError, Parsed};
use recon_model::LedgerEntry;

/// How to read one bank's CSV layout.
#[derive(Clone, Debug, Default)]
pub struct CsvProfile {}

impl CsvProfile {
    pub fn canonical_bank_lines() -> CsvProfile {
        CsvProfile {}
    }
    pub fn canonical_ledger() -> CsvProfile {
        CsvProfile {}
    }
    /// Reads a profile from its TOML text.
    pub fn from_toml(_text: &str) -> Result<CsvProfile, ParseError> {
        Ok(CsvProfile {})
    }
    pub fn encoding(&self) -> Option<&'static encoding_rs::Encoding> {
        None
    }
}

pub fn parse_statements(
    _source: &str,
    _text: &str,
    _profile: &CsvProfile,
    _limits: &Limits,
) -> Result<Parsed, ParseError> {
    Err(ParseError::new(
        ErrorKind::Structure("csv importer not written yet".into()),
        Location::File,
        "",
    ))
}

pub fn parse_ledger(
    _source: &str,
    _text: &str,
    _profile: &CsvProfile,
    _limits: &Limits,
) -> Result<Vec<LedgerEntry>, ParseError> {
    Err(ParseError::new(
        ErrorKind::Structure("csv importer not written yet".into()),
        Location::File,
        "",
    ))
}
