//! Parsers for the fixed-layout MT940/MT942 field values: dates, balances, amounts, `:61:`.
//!
//! Every function works on the bytes of one field value and returns borrowed slices; errors
//! carry an [`ErrorKind`] only, the caller adds the location and excerpt.

use crate::ErrorKind;
use recon_model::{Currency, Date, parse_minor};

/// Calendar year of a two-digit SWIFT year: 2000+YY below 80, 1900+YY from 80 on.
pub(super) fn full_year(yy: u32) -> i32 {
    if yy < 80 {
        2000 + yy as i32
    } else {
        1900 + yy as i32
    }
}

fn two_digits(b: &[u8]) -> Option<u32> {
    match b {
        [a, c] if a.is_ascii_digit() && c.is_ascii_digit() => {
            Some(u32::from(a - b'0') * 10 + u32::from(c - b'0'))
        }
        _ => None,
    }
}

/// The six ASCII digits YYMMDD at the start of `bytes`, as a number (the date cache key).
pub(super) fn yymmdd_key(bytes: &[u8]) -> Option<u32> {
    let six = bytes.get(..6)?;
    let mut key = 0u32;
    for &b in six {
        if !b.is_ascii_digit() {
            return None;
        }
        key = key * 10 + u32::from(b - b'0');
    }
    Some(key)
}

/// Builds a date, or an `InvalidDate` error naming the text and why it is no calendar date.
pub(super) fn make_date(text: &str, year: i32, month: u32, day: u32) -> Result<Date, ErrorKind> {
    Date::from_ymd_opt(year, month, day).ok_or_else(|| ErrorKind::InvalidDate {
        text: text.to_string(),
        reason: if (1..=12).contains(&month) {
            format!("day {day} does not exist in {year:04}-{month:02}")
        } else {
            format!("month {month} does not exist")
        },
    })
}

/// A date on a day the month does not have, up to the 30th (German banks date value days on
/// 30-day months: 30 February), read as the month's last day. `None` when the date is not of
/// that kind (the caller keeps its error).
pub(super) fn month_end(year: i32, month: u32, day: u32) -> Option<Date> {
    if !(1..=12).contains(&month) || !(29..=30).contains(&day) {
        return None;
    }
    (28..day)
        .rev()
        .find_map(|d| Date::from_ymd_opt(year, month, d))
}

/// Parses YYMMDD like [`parse_yymmdd`]; when `tolerant`, a day past the month's end up to the
/// 30th is read as the month's last day, and `true` says so.
pub(super) fn parse_yymmdd_tolerant(text: &str, tolerant: bool) -> Result<(Date, bool), ErrorKind> {
    match parse_yymmdd(text) {
        Ok(d) => Ok((d, false)),
        Err(e) => {
            let b = text.as_bytes();
            let fields = (
                b.get(0..2).and_then(two_digits),
                b.get(2..4).and_then(two_digits),
                b.get(4..6).and_then(two_digits),
            );
            match fields {
                (Some(yy), Some(mm), Some(dd)) if tolerant => {
                    month_end(full_year(yy), mm, dd).map(|d| (d, true)).ok_or(e)
                }
                _ => Err(e),
            }
        }
    }
}

/// Parses YYMMDD from the first six bytes of `text`.
pub(super) fn parse_yymmdd(text: &str) -> Result<Date, ErrorKind> {
    let b = text.as_bytes();
    let shown = text.get(..6).unwrap_or(text);
    let invalid = || ErrorKind::InvalidDate {
        text: shown.to_string(),
        reason: "expected six digits YYMMDD".to_string(),
    };
    let (Some(yy), Some(mm), Some(dd)) = (
        b.get(0..2).and_then(two_digits),
        b.get(2..4).and_then(two_digits),
        b.get(4..6).and_then(two_digits),
    ) else {
        return Err(invalid());
    };
    make_date(shown, full_year(yy), mm, dd)
}

/// The entry date MMDD of a `:61:` line: in the value date's year, moved one year back or forth
/// when the two dates straddle a year end (value 0101 with entry 1231 is the previous year).
#[cfg(test)]
pub(super) fn entry_date(text: &str, value_date: Date) -> Result<Date, ErrorKind> {
    entry_date_tolerant(text, value_date, false).map(|(d, _)| d)
}

/// [`entry_date`]; when `tolerant`, a day past the month's end up to the 30th is the month's
/// last day, and `true` says so.
pub(super) fn entry_date_tolerant(
    text: &str,
    value_date: Date,
    tolerant: bool,
) -> Result<(Date, bool), ErrorKind> {
    use chrono::Datelike;
    let b = text.as_bytes();
    let (Some(mm), Some(dd)) = (
        b.get(0..2).and_then(two_digits),
        b.get(2..4).and_then(two_digits),
    ) else {
        return Err(ErrorKind::InvalidDate {
            text: text.to_string(),
            reason: "expected four digits MMDD".to_string(),
        });
    };
    let value_month = value_date.month() as i64;
    let mut year = value_date.year();
    if i64::from(mm) - value_month > 6 {
        year -= 1;
    } else if value_month - i64::from(mm) > 6 {
        year += 1;
    }
    match make_date(text, year, mm, dd) {
        Ok(d) => Ok((d, false)),
        Err(e) if tolerant => month_end(year, mm, dd).map(|d| (d, true)).ok_or(e),
        Err(e) => Err(e),
    }
}

/// Length of the leading run of amount characters (digits and the decimal comma).
fn amount_len(b: &[u8]) -> usize {
    b.iter()
        .position(|c| !(c.is_ascii_digit() || *c == b','))
        .unwrap_or(b.len())
}

/// Parses an unsigned SWIFT amount (`1234,56`, `25,`) into minor units. SWIFT always writes the
/// decimal comma; an amount without one is refused (it usually means a truncated or shifted field).
pub(super) fn parse_amount(text: &str, currency: Currency) -> Result<i64, ErrorKind> {
    parse_amount_tolerant(text, currency, false).map(|(a, _)| a)
}

/// [`parse_amount`]; when `tolerant`, digits without a decimal comma are whole units (`500` is
/// 500.00, as Knab writes it), and `true` says so.
pub(super) fn parse_amount_tolerant(
    text: &str,
    currency: Currency,
    tolerant: bool,
) -> Result<(i64, bool), ErrorKind> {
    if tolerant && !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) {
        return parse_minor(text, b',', currency.exponent())
            .map(|a| (a, true))
            .map_err(|reason| ErrorKind::InvalidAmount {
                text: text.to_string(),
                reason,
            });
    }
    if !text.as_bytes().contains(&b',') {
        return Err(no_decimal_comma(text));
    }
    parse_minor(text, b',', currency.exponent())
        .map(|a| (a, false))
        .map_err(|reason| ErrorKind::InvalidAmount {
            text: text.to_string(),
            reason,
        })
}

fn no_decimal_comma(text: &str) -> ErrorKind {
    ErrorKind::Structure(format!(
        "amount {text:?} has no decimal comma (SWIFT writes amounts like 500, or 500,00)"
    ))
}

/// A three-letter currency code, looked up.
pub(super) fn currency(code: &str) -> Result<Currency, ErrorKind> {
    Currency::from_code(code).map_err(|_| ErrorKind::UnknownCurrency(code.to_string()))
}

/// A balance field (`:60F:`, `:62F:`, `:64:`...): mark, date, currency, amount.
#[derive(Debug)]
pub(super) struct RawBalance {
    pub date: Date,
    /// `None` when the bank left the currency out (tolerated when the statement has one).
    pub currency: Option<Currency>,
    pub amount_minor: i64,
    /// The amount had no decimal comma (read as whole units in tolerant reading).
    pub without_comma: bool,
}

/// Parses `C160229EUR1200,00`. `fallback` is the statement currency, used (and reported by the
/// caller) when the field has no currency at all.
#[cfg(test)]
pub(super) fn parse_balance(
    value: &str,
    fallback: Option<Currency>,
) -> Result<RawBalance, ErrorKind> {
    parse_balance_tolerant(value, fallback, false)
}

/// [`parse_balance`]; `tolerant` accepts an amount without decimal comma.
pub(super) fn parse_balance_tolerant(
    value: &str,
    fallback: Option<Currency>,
    tolerant: bool,
) -> Result<RawBalance, ErrorKind> {
    let value = value.trim();
    let b = value.as_bytes();
    let negative = match b.first() {
        Some(b'C') => false,
        Some(b'D') => true,
        _ => {
            return Err(ErrorKind::Structure(format!(
                "balance must start with the mark C or D, found {:?}",
                value.get(..1).unwrap_or("")
            )));
        }
    };
    let date = parse_yymmdd(value.get(1..).unwrap_or(""))?;
    let rest = value.get(7..).unwrap_or("");
    let (currency, amount_text) = match rest.as_bytes().first() {
        Some(c) if c.is_ascii_alphabetic() => {
            let code = rest.get(..3).ok_or_else(|| {
                ErrorKind::Structure(format!("balance currency {rest:?} is not three letters"))
            })?;
            (Some(currency(code)?), rest.get(3..).unwrap_or(""))
        }
        _ => (None, rest),
    };
    let Some(amount_currency) = currency.or(fallback) else {
        return Err(ErrorKind::MissingField(
            "currency in the balance".to_string(),
        ));
    };
    if amount_text.is_empty() {
        return Err(ErrorKind::MissingField("amount in the balance".to_string()));
    }
    let (amount, without_comma) = parse_amount_tolerant(amount_text, amount_currency, tolerant)?;
    Ok(RawBalance {
        date,
        currency,
        amount_minor: if negative { -amount } else { amount },
        without_comma,
    })
}

/// Debit/credit mark of a `:61:` line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Mark {
    Credit,
    Debit,
    /// RC: reversal of a credit, a debit entry (money out).
    ReversalOfCredit,
    /// RD: reversal of a debit, a credit entry (money in).
    ReversalOfDebit,
}

impl Mark {
    /// Whether the entry takes money out of the account.
    pub fn is_debit(self) -> bool {
        matches!(self, Mark::Debit | Mark::ReversalOfCredit)
    }
}

/// The subfields of a `:61:` statement line (first line only; supplementary details follow).
#[derive(Debug)]
pub(super) struct RawLine<'a> {
    pub value_date: Date,
    pub entry_date: Option<Date>,
    pub mark: Mark,
    /// Unsigned, in minor units.
    pub amount_minor: i64,
    /// Transaction type, e.g. "NTRF" (trailing blanks removed).
    pub type_code: &'a str,
    /// Customer reference as written (trimmed; may be empty or NONREF).
    pub customer_ref: &'a str,
    /// Text after the 16 characters of the customer reference when there is no `//` (some banks
    /// put the counterparty there).
    pub overflow: &'a str,
    /// Bank reference after `//`, trimmed (may be empty).
    pub bank_ref: &'a str,
}

/// Why a `:61:` line is kept but worth a remark.
#[derive(Debug, Default)]
pub(super) struct LineQuirks {
    pub no_customer_ref: bool,
    pub odd_type: bool,
    /// Read only in tolerant reading (deviations, recorded on the statement):
    /// blanks between the amount and the transaction type;
    pub space_before_type: bool,
    /// an amount without decimal comma;
    pub amount_without_comma: bool,
    /// an entry date past the month's end (the four digits as written).
    pub entry_date_clamped: Option<String>,
}

/// Parses the first line of a `:61:` field:
/// `YYMMDD[MMDD](C|D|RC|RD|EC|ED)[funds code]amount(N|F|S)xxx customer-ref[//bank-ref]`.
/// `tolerant` reads the deviations recorded in `quirks` instead of refusing them.
pub(super) fn parse_line<'a>(
    value: &'a str,
    value_date: impl FnOnce(&str) -> Result<Date, ErrorKind>,
    currency: Currency,
    tolerant: bool,
    quirks: &mut LineQuirks,
) -> Result<RawLine<'a>, ErrorKind> {
    let b = value.as_bytes();
    let value_date = value_date(value)?;
    let mut i = 6;
    let entry_date = if b.len() >= i + 4 && b[i..i + 4].iter().all(u8::is_ascii_digit) {
        let (d, clamped) = entry_date_tolerant(&value[i..i + 4], value_date, tolerant)?;
        if clamped {
            quirks.entry_date_clamped = Some(value[i..i + 4].to_string());
        }
        i += 4;
        Some(d)
    } else {
        None
    };
    let mark = match (b.get(i), b.get(i + 1)) {
        (Some(b'R'), Some(b'C')) => (Mark::ReversalOfCredit, 2),
        (Some(b'R'), Some(b'D')) => (Mark::ReversalOfDebit, 2),
        (Some(b'E'), Some(b'C')) => (Mark::Credit, 2),
        (Some(b'E'), Some(b'D')) => (Mark::Debit, 2),
        (Some(b'C'), _) => (Mark::Credit, 1),
        (Some(b'D'), _) => (Mark::Debit, 1),
        _ => {
            return Err(ErrorKind::Structure(format!(
                "expected the debit/credit mark (C, D, RC or RD) after the date, found {:?}",
                value.get(i..).unwrap_or("")
            )));
        }
    };
    let (mark, mark_len) = mark;
    i += mark_len;
    let after_mark = i;
    // Optional funds code: one letter before the amount.
    if b.get(i).is_some_and(u8::is_ascii_alphabetic) {
        i += 1;
    }
    let amount_end = i + amount_len(&b[i.min(b.len())..]);
    let amount_text = &value[i.min(value.len())..amount_end.min(value.len())];
    if amount_text.is_empty() {
        return Err(ErrorKind::MissingField(format!(
            "amount in :61: (found {:?} after the debit/credit mark)",
            value.get(after_mark..).unwrap_or("")
        )));
    }
    // A SWIFT transaction type: N, F or S and three letters or digits. The tolerated deviations
    // around the amount are read only when such a type follows, so that a garbled amount
    // (`12X,00`) is never read as another one.
    let swift_type = |t: &str| {
        let b = t.as_bytes();
        b.len() >= 4
            && matches!(b[0], b'N' | b'F' | b'S')
            && b[1..4].iter().all(u8::is_ascii_alphanumeric)
    };
    let rest_after = value.get(amount_end..).unwrap_or("");
    let (amount_minor, without_comma) = match parse_amount_tolerant(amount_text, currency, tolerant)
    {
        Ok((_, true)) if !swift_type(rest_after.trim_start_matches(' ')) => {
            return Err(no_decimal_comma(amount_text));
        }
        other => other?,
    };
    quirks.amount_without_comma = without_comma;
    i = amount_end;
    // Transaction type: one letter (N, F or S) and three characters.
    let mut rest = value.get(i..).unwrap_or("");
    if tolerant && rest.starts_with(' ') {
        let after = rest.trim_start_matches(' ');
        if swift_type(after) {
            quirks.space_before_type = true;
            rest = after;
        }
    }
    let type_first = rest.as_bytes().first().copied();
    match type_first {
        None => {
            return Err(ErrorKind::MissingField(format!(
                "transaction type in :61: after the amount {amount_text}"
            )));
        }
        Some(c) if c.is_ascii_alphabetic() => {
            if !matches!(c, b'N' | b'F' | b'S') {
                quirks.odd_type = true;
            }
        }
        Some(_) => {
            return Err(ErrorKind::Structure(format!(
                "expected the transaction type (N, F or S and three characters) after the amount {amount_text}, found {rest:?}"
            )));
        }
    }
    let type_len = rest
        .char_indices()
        .nth(4)
        .map_or(rest.len(), |(pos, _)| pos);
    let type_code = rest[..type_len].trim_end();
    let refs = &rest[type_len..];
    let (customer_part, bank_ref) = match memchr::memmem::find(refs.as_bytes(), b"//") {
        Some(p) => (&refs[..p], refs[p + 2..].trim()),
        None => (refs, ""),
    };
    let (customer_ref, overflow) = match customer_part.char_indices().nth(16) {
        Some((pos, _)) if !customer_part[pos..].trim().is_empty() => {
            (&customer_part[..pos], customer_part[pos..].trim())
        }
        _ => (customer_part, ""),
    };
    let customer_ref = customer_ref.trim();
    if customer_ref.is_empty() {
        quirks.no_customer_ref = true;
    }
    Ok(RawLine {
        value_date,
        entry_date,
        mark,
        amount_minor,
        type_code,
        customer_ref,
        overflow,
        bank_ref,
    })
}

/// `:90D:` / `:90C:`: number of entries, currency, sum.
pub(super) fn parse_totals(value: &str) -> Result<(u64, Currency, i64), ErrorKind> {
    let value = value.trim();
    let digits = value.bytes().take_while(u8::is_ascii_digit).count();
    let count: u64 = value[..digits].parse().map_err(|_| {
        ErrorKind::Structure(format!(
            "expected the number of entries at the start of {value:?}"
        ))
    })?;
    let code = value.get(digits..digits + 3).ok_or_else(|| {
        ErrorKind::MissingField(format!("currency after the number of entries in {value:?}"))
    })?;
    let currency = currency(code)?;
    let amount = parse_amount(value.get(digits + 3..).unwrap_or(""), currency)?;
    Ok((count, currency, amount))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn eur() -> Currency {
        Currency::from_code("EUR").unwrap()
    }

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    fn line(v: &str) -> Result<RawLine<'_>, ErrorKind> {
        let mut q = LineQuirks::default();
        parse_line(v, parse_yymmdd, eur(), false, &mut q)
    }

    #[test]
    fn years_pivot_at_80() {
        assert_eq!(parse_yymmdd("791231").unwrap(), d(2079, 12, 31));
        assert_eq!(parse_yymmdd("800101").unwrap(), d(1980, 1, 1));
    }

    #[test]
    fn february_30_is_refused() {
        let e = parse_yymmdd("160230").unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid date \"160230\": day 30 does not exist in 2016-02"
        );
        assert!(parse_yymmdd("161301").is_err());
        assert!(parse_yymmdd("16x101").is_err());
    }

    #[test]
    fn entry_date_crosses_year_end() {
        assert_eq!(entry_date("1231", d(2020, 1, 1)).unwrap(), d(2019, 12, 31));
        assert_eq!(entry_date("0102", d(2019, 12, 31)).unwrap(), d(2020, 1, 2));
        assert_eq!(entry_date("0930", d(2009, 10, 1)).unwrap(), d(2009, 9, 30));
    }

    #[test]
    fn marks_and_funds_codes() {
        let l = line("0709070904CR50990,05NTRFNONREF//0724710333343453").unwrap();
        assert_eq!(l.mark, Mark::Credit);
        assert_eq!(l.amount_minor, 5_099_005);
        assert_eq!(l.entry_date, Some(d(2007, 9, 4)));
        assert_eq!(l.type_code, "NTRF");
        assert_eq!(l.customer_ref, "NONREF");
        assert_eq!(l.bank_ref, "0724710333343453");
        let l = line("0709040904RCR204,88NRTINONREF").unwrap();
        assert_eq!(l.mark, Mark::ReversalOfCredit);
        assert!(l.mark.is_debit());
        let l = line("100722RD1,NTRFX").unwrap();
        assert_eq!(l.mark, Mark::ReversalOfDebit);
        assert!(!l.mark.is_debit());
        assert_eq!(l.amount_minor, 100);
        assert_eq!(l.entry_date, None);
    }

    #[test]
    fn references() {
        let l = line("1407290729C500,NTRF29-07-2014 10:05//B4G29PGDCK1QFV3E").unwrap();
        assert_eq!(l.customer_ref, "29-07-2014 10:05");
        let l = line("110527D000000001213,28N0440121470966      W.P. Jansen      ").unwrap();
        assert_eq!(l.customer_ref, "0121470966");
        assert_eq!(l.overflow, "W.P. Jansen");
        let l = line("1710111011DF2402,00S   X").unwrap();
        assert_eq!(l.type_code, "S");
        assert_eq!(l.customer_ref, "X");
    }

    #[test]
    fn broken_lines() {
        assert!(matches!(
            line("170914DNMSC"),
            Err(ErrorKind::MissingField(_))
        ));
        assert!(matches!(
            line("1407290729C500NTRFX"),
            Err(ErrorKind::Structure(_))
        ));
        assert!(matches!(
            line("170914D1,005NTRF"),
            Err(ErrorKind::InvalidAmount { .. })
        ));
        assert!(matches!(
            line("170914D1,00"),
            Err(ErrorKind::MissingField(_))
        ));
        assert!(matches!(
            line("170914X1,00NTRF"),
            Err(ErrorKind::Structure(_))
        ));
        assert!(matches!(line("1709"), Err(ErrorKind::InvalidDate { .. })));
        let mut q = LineQuirks::default();
        parse_line("170914D1,00NMSC", parse_yymmdd, eur(), false, &mut q).unwrap();
        assert!(q.no_customer_ref);
    }

    #[test]
    fn tolerant_reading_of_bank_quirks() {
        let mut q = LineQuirks::default();
        let l = parse_line(
            "2006080608D12,35 NRTIKREF+//2016021783252833",
            parse_yymmdd,
            eur(),
            true,
            &mut q,
        )
        .unwrap();
        assert_eq!((l.amount_minor, l.type_code), (1235, "NRTI"));
        assert!(q.space_before_type);
        let mut q = LineQuirks::default();
        let l = parse_line("1407290729C500NTRFX", parse_yymmdd, eur(), true, &mut q).unwrap();
        assert_eq!(l.amount_minor, 50_000);
        assert!(q.amount_without_comma);
        let mut q = LineQuirks::default();
        let l = parse_line(
            "1603010230D6,00N024NONREF",
            parse_yymmdd,
            eur(),
            true,
            &mut q,
        )
        .unwrap();
        assert_eq!(l.entry_date, Some(d(2016, 2, 29)));
        assert_eq!(q.entry_date_clamped.as_deref(), Some("0230"));
        assert_eq!(
            parse_yymmdd_tolerant("170230", true).unwrap(),
            (d(2017, 2, 28), true)
        );
        assert!(parse_yymmdd_tolerant("170231", true).is_err());
        assert!(parse_yymmdd_tolerant("170230", false).is_err());
        assert!(parse_line("1407290729C500NTRFX", parse_yymmdd, eur(), false, &mut q).is_err());
        // A garbled amount is not read as another one.
        let mut q = LineQuirks::default();
        assert!(
            parse_line(
                "2401010101C12X,00NTRFNONREF",
                parse_yymmdd,
                eur(),
                true,
                &mut q
            )
            .is_err()
        );
        assert!(parse_line("2401010101C12,00 X1NTRF", parse_yymmdd, eur(), true, &mut q).is_err());
        assert!(
            !q.space_before_type,
            "a blank before a non-SWIFT type is not the deviation"
        );
    }

    #[test]
    fn balances() {
        let b = parse_balance("D070903EUR1970431,87", None).unwrap();
        assert_eq!(b.amount_minor, -197_043_187);
        assert_eq!(b.date, d(2007, 9, 3));
        let b = parse_balance("C02032495000,00", Some(eur())).unwrap();
        assert_eq!(b.currency, None);
        assert_eq!(b.amount_minor, 9_500_000);
        assert!(matches!(
            parse_balance("C020324XYZ1,00", None),
            Err(ErrorKind::UnknownCurrency(_))
        ));
        assert!(parse_balance("C02032495000,00", None).is_err());
        assert!(parse_balance("X160229EUR1,00", None).is_err());
    }

    #[test]
    fn totals() {
        let (n, c, a) = parse_totals("1EUR2,30").unwrap();
        assert_eq!((n, c.code(), a), (1, "EUR", 230));
    }
}
