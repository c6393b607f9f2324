//! camt importer (being written).

use crate::{ErrorKind, Limits, Location, ParseError, Parsed};

/// Parses a decoded camt file into statements.
pub fn parse(_source: &str, _text: &str, _limits: &Limits) -> Result<Parsed, ParseError> {
    Err(ParseError::new(
        ErrorKind::Structure("camt importer not written yet".into()),
        Location::File,
        "",
    ))
}
