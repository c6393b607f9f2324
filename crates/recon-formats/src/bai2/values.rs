//! BAI2 field values: implied-decimal amounts, YYMMDD dates, HHMM times and type codes.

use recon_model::{AmountError, Date};

/// Parses an amount as BAI2 writes it: digits only, the decimals implied by the currency
/// (`000000000208500` CAD is 2085.00), an optional sign where `signed`. Blank is `None`
/// (a defaulted field). Returns the value in the file's implied minor units.
pub(super) fn amount(field: &str, signed: bool) -> Result<Option<i128>, AmountError> {
    let field = field.trim_matches(' ');
    let bytes = field.as_bytes();
    let (negative, digits) = match bytes.first() {
        None => return Ok(None),
        Some(b'+') => (false, &bytes[1..]),
        Some(b'-') if signed => (true, &bytes[1..]),
        Some(_) => (false, bytes),
    };
    if digits.is_empty() {
        return Err(AmountError::Empty);
    }
    let mut value: u64 = 0;
    let mut wide: Option<i128> = None;
    for &b in digits {
        if !b.is_ascii_digit() {
            let c = field[field.len() - digits.len()..]
                .chars()
                .find(|c| !c.is_ascii_digit())
                .unwrap_or('?');
            return Err(AmountError::InvalidCharacter(c));
        }
        let d = u64::from(b - b'0');
        // Fast path in u64; control totals of big files may need more, so widen on overflow.
        match wide {
            None => match value.checked_mul(10).and_then(|v| v.checked_add(d)) {
                Some(v) => value = v,
                None => {
                    wide = i128::from(value)
                        .checked_mul(10)
                        .and_then(|v| v.checked_add(i128::from(d)));
                    if wide.is_none() {
                        return Err(AmountError::Overflow);
                    }
                }
            },
            Some(w) => {
                wide = Some(
                    w.checked_mul(10)
                        .and_then(|v| v.checked_add(i128::from(d)))
                        .ok_or(AmountError::Overflow)?,
                );
            }
        }
    }
    let magnitude = wide.unwrap_or(i128::from(value));
    Ok(Some(if negative { -magnitude } else { magnitude }))
}

/// An amount that must fit the model's 64-bit minor units.
pub(super) fn amount_i64(field: &str, signed: bool) -> Result<Option<i64>, AmountError> {
    match amount(field, signed)? {
        None => Ok(None),
        Some(v) => i64::try_from(v)
            .map(Some)
            .map_err(|_| AmountError::Overflow),
    }
}

/// A count (item count, record count, number of accounts or groups): digits only.
pub(super) fn count(field: &str) -> Option<u64> {
    let field = field.trim_matches(' ');
    if field.is_empty() || !field.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    field.parse().ok()
}

/// A YYMMDD date. BAI2 years have two digits; 00-69 are read as 2000-2069 and 70-99 as
/// 1970-1999 (the POSIX pivot): the specification does not name a century.
pub(super) fn date(field: &str) -> Result<Date, String> {
    let field = field.trim_matches(' ');
    let b = field.as_bytes();
    if b.len() != 6 || !b.iter().all(u8::is_ascii_digit) {
        return Err("expected a date YYMMDD".into());
    }
    let two = |i: usize| u32::from(b[i] - b'0') * 10 + u32::from(b[i + 1] - b'0');
    let yy = two(0) as i32;
    let year = if yy < 70 { 2000 + yy } else { 1900 + yy };
    Date::from_ymd_opt(year, two(2), two(4))
        .ok_or_else(|| format!("there is no day {}-{:02}-{:02}", year, two(2), two(4)))
}

/// An HHMM time: 0000-2359, or 2400 / 9999 (end of day, as BAI2 allows). Blank is fine where the
/// field is optional; callers check presence.
pub(super) fn time(field: &str) -> Result<(), String> {
    let field = field.trim_matches(' ');
    let b = field.as_bytes();
    if field.is_empty() || field == "2400" || field == "9999" {
        return Ok(());
    }
    if b.len() == 4 && b.iter().all(u8::is_ascii_digit) {
        let hh = (b[0] - b'0') * 10 + (b[1] - b'0');
        let mm = (b[2] - b'0') * 10 + (b[3] - b'0');
        if hh < 24 && mm < 60 {
            return Ok(());
        }
    }
    Err("expected a time HHMM (0000-2359, 2400 or 9999)".into())
}

/// A three-digit type code, 001-999.
pub(super) fn type_code(field: &str) -> Option<u16> {
    let field = field.trim_matches(' ');
    let b = field.as_bytes();
    if b.len() != 3 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    let code = u16::from(b[0] - b'0') * 100 + u16::from(b[1] - b'0') * 10 + u16::from(b[2] - b'0');
    (code != 0).then_some(code)
}

/// What a type code says about the direction of money.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Class {
    /// Money into the account.
    Credit,
    /// Money out of the account.
    Debit,
    /// An account status (balance) code, never a movement.
    Status,
    /// A code whose direction BAI2 does not fix by range.
    Unclassified,
}

/// Classifies a type code by the ranges of the BAI2 specification (version 2, "Type Codes"):
///
/// | codes   | meaning                                   | class          |
/// |---------|-------------------------------------------|----------------|
/// | 001-099 | account status (balances)                 | status         |
/// | 100-399 | credits: 100 total credits, summary, detail | credit       |
/// | 400-699 | debits: 400 total debits, summary, detail | debit          |
/// | 700-799 | loan summary and detail (mixed directions)| unclassified   |
/// | 800-899 | not used by BAI                           | unclassified   |
/// | 900-919 | customized account status codes           | status         |
/// | 920-959 | customized credit summary and detail codes| credit         |
/// | 960-999 | customized debit summary and detail codes | debit          |
pub(super) fn classify(code: u16) -> Class {
    match code {
        1..=99 | 900..=919 => Class::Status,
        100..=399 | 920..=959 => Class::Credit,
        400..=699 | 960..=999 => Class::Debit,
        _ => Class::Unclassified,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn amounts() {
        assert_eq!(amount("000000000208500", false), Ok(Some(208500)));
        assert_eq!(amount("+00000000000834000", true), Ok(Some(834000)));
        assert_eq!(amount("-1600", true), Ok(Some(-1600)));
        assert_eq!(amount("", true), Ok(None));
        assert_eq!(amount(" 12 ", false), Ok(Some(12)));
        assert_eq!(amount("-5", false), Err(AmountError::InvalidCharacter('-')));
        assert_eq!(
            amount("12.50", true),
            Err(AmountError::InvalidCharacter('.'))
        );
        assert_eq!(amount("1A", true), Err(AmountError::InvalidCharacter('A')));
        assert_eq!(amount("+", true), Err(AmountError::Empty));
        assert_eq!(
            amount("99999999999999999999", true),
            Ok(Some(99_999_999_999_999_999_999))
        );
        assert_eq!(
            amount_i64("99999999999999999999", true),
            Err(AmountError::Overflow)
        );
        assert_eq!(amount(&"9".repeat(40), true), Err(AmountError::Overflow));
    }

    #[test]
    fn dates_and_times() {
        assert_eq!(date("060321"), Ok(Date::from_ymd_opt(2006, 3, 21).unwrap()));
        assert_eq!(
            date("991231"),
            Ok(Date::from_ymd_opt(1999, 12, 31).unwrap())
        );
        assert!(date("060230").is_err());
        assert!(date("06032").is_err());
        assert!(date("0603x1").is_err());
        assert!(time("2400").is_ok() && time("9999").is_ok() && time("0829").is_ok());
        assert!(time("2460").is_err() && time("1").is_err());
    }

    #[test]
    fn classes() {
        assert_eq!(classify(10), Class::Status);
        assert_eq!(classify(108), Class::Credit);
        assert_eq!(classify(409), Class::Debit);
        assert_eq!(classify(721), Class::Unclassified);
        assert_eq!(classify(850), Class::Unclassified);
        assert_eq!(classify(910), Class::Status);
        assert_eq!(classify(920), Class::Credit);
        assert_eq!(classify(959), Class::Credit);
        assert_eq!(classify(960), Class::Debit);
        assert_eq!(type_code("000"), None);
        assert_eq!(type_code("16"), None);
        assert_eq!(type_code("195"), Some(195));
    }
}
