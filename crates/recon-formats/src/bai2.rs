//! bai2 importer (being written).

use crate::{ErrorKind, Limits, Location, ParseError, Parsed};

/// Parses a decoded bai2 file into statements.
pub fn parse(_source: &str, _text: &str, _limits: &Limits) -> Result<Parsed, ParseError> {
    Err(ParseError::new(
        ErrorKind::Structure("bai2 importer not written yet".into()),
        Location::File,
        "",
    ))
}
