//! mt940 importer (being written).

use crate::{ErrorKind, Limits, Location, ParseError, Parsed};

/// Parses a decoded mt940 file into statements.
pub fn parse(_source: &str, _text: &str, _limits: &Limits) -> Result<Parsed, ParseError> {
    Err(ParseError::new(
        ErrorKind::Structure("mt940 importer not written yet".into()),
        Location::File,
        "",
    ))
}
