//! Field-level parsing for CSV: amounts as banks write them, dates, and physical line lookup.

use super::profile::CsvProfile;
use chrono::NaiveDate;
use recon_model::{AmountError, parse_minor};

/// How a profile writes amounts, prepared once per file.
pub(crate) struct AmountStyle<'p> {
    decimal: u8,
    thousands: Option<char>,
    symbols: &'p [String],
    parentheses: bool,
    /// Nothing to strip: the trimmed field goes straight to `parse_minor`.
    simple: bool,
}

impl<'p> AmountStyle<'p> {
    pub(crate) fn new(profile: &'p CsvProfile) -> AmountStyle<'p> {
        let simple = profile.thousands_separator.is_none()
            && profile.currency_symbols.is_empty()
            && !profile.negative_parentheses;
        AmountStyle {
            decimal: profile.decimal_separator,
            thousands: profile.thousands_separator,
            symbols: &profile.currency_symbols,
            parentheses: profile.negative_parentheses,
            simple,
        }
    }

    /// Parses a (non-empty, trimmed) amount into minor units; `buf` is scratch space reused
    /// across rows.
    pub(crate) fn parse(
        &self,
        text: &str,
        exponent: u32,
        buf: &mut String,
    ) -> Result<i64, AmountError> {
        if self.simple {
            return parse_minor(text, self.decimal, exponent);
        }
        let mut s = text;
        let mut negative = false;
        let mut signed = false;
        if self.parentheses
            && let Some(inner) = s.strip_prefix('(').and_then(|x| x.strip_suffix(')'))
        {
            negative = true;
            signed = true;
            s = inner;
        }
        // Leading symbols, spaces and one sign, in any order: "-$5", "$-5", "€ 5", "USD -5".
        loop {
            let before = s.len();
            s = s.trim_start();
            for symbol in self.symbols {
                if let Some(rest) = s.strip_prefix(symbol.as_str()) {
                    s = rest;
                }
            }
            if !signed {
                if let Some(rest) = s.strip_prefix('-') {
                    negative = true;
                    signed = true;
                    s = rest;
                } else if let Some(rest) = s.strip_prefix('+') {
                    signed = true;
                    s = rest;
                }
            }
            if s.len() == before {
                break;
            }
        }
        // Trailing symbols and spaces: "5,00 €", "12.00 USD".
        loop {
            let before = s.len();
            s = s.trim_end();
            for symbol in self.symbols {
                if let Some(rest) = s.strip_suffix(symbol.as_str()) {
                    s = rest;
                }
            }
            if s.len() == before {
                break;
            }
        }
        buf.clear();
        if negative {
            buf.push('-');
        }
        match self.thousands {
            None => buf.push_str(s),
            Some(sep) => push_ungrouped(s, sep, self.decimal, buf)?,
        }
        parse_minor(buf, self.decimal, exponent)
    }
}

/// Copies `s` without its thousands separators, which must sit in the integer part and mark
/// groups of digits (the last one of exactly 3: `1,234`, `1,00,000`; `1,5` is refused).
fn push_ungrouped(s: &str, sep: char, decimal: u8, buf: &mut String) -> Result<(), AmountError> {
    let (int_part, fraction) = match memchr::memchr(decimal, s.as_bytes()) {
        Some(i) => s.split_at(i),
        None => (s, ""),
    };
    if fraction.contains(sep) {
        return Err(AmountError::InvalidCharacter(sep));
    }
    if int_part.contains(sep) {
        let mut groups = int_part.split(sep).peekable();
        let mut first = true;
        while let Some(group) = groups.next() {
            let len = group.len();
            let ok = if first {
                (1..=3).contains(&len)
            } else if groups.peek().is_none() {
                len == 3
            } else {
                (2..=3).contains(&len)
            };
            if !ok {
                return Err(AmountError::InvalidCharacter(sep));
            }
            first = false;
            buf.push_str(group);
        }
    } else {
        buf.push_str(int_part);
    }
    buf.push_str(fraction);
    Ok(())
}

/// How a profile writes dates, prepared once per file.
pub(crate) struct DateStyle<'p> {
    formats: &'p [String],
    /// The first format is `%Y-%m-%d`: try the byte-level fast path first.
    iso_first: bool,
}

impl<'p> DateStyle<'p> {
    pub(crate) fn new(profile: &'p CsvProfile) -> DateStyle<'p> {
        DateStyle {
            formats: &profile.date_formats,
            iso_first: profile
                .date_formats
                .first()
                .is_some_and(|f| f == "%Y-%m-%d"),
        }
    }

    /// Parses a non-empty, trimmed date; the error is the reason for the message.
    pub(crate) fn parse(&self, text: &str) -> Result<NaiveDate, String> {
        if self.iso_first
            && let Some(d) = parse_iso(text)
        {
            return Ok(d);
        }
        let mut first_error = None;
        for f in self.formats {
            match NaiveDate::parse_from_str(text, f) {
                Ok(d) => return Ok(d),
                Err(e) => {
                    if first_error.is_none() {
                        first_error = Some(e);
                    }
                }
            }
        }
        if self.formats.len() > 1 {
            return Err(format!(
                "matches none of the date formats {:?}",
                self.formats
            ));
        }
        let format = self.formats.first().map_or("", String::as_str);
        use chrono::format::ParseErrorKind;
        Err(match first_error.map(|e| e.kind()) {
            Some(ParseErrorKind::OutOfRange | ParseErrorKind::Impossible) => {
                format!("no such date (date format {format:?})")
            }
            Some(ParseErrorKind::TooLong) => {
                format!("text after the date (date format {format:?})")
            }
            Some(ParseErrorKind::TooShort) => format!("date cut short (date format {format:?})"),
            _ => format!("does not match the date format {format:?}"),
        })
    }
}

/// `YYYY-MM-DD` without chrono's format machinery.
pub(crate) fn parse_iso(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digit = |i: usize| -> Option<u32> {
        let c = b[i];
        c.is_ascii_digit().then(|| u32::from(c - b'0'))
    };
    let year = digit(0)? * 1000 + digit(1)? * 100 + digit(2)? * 10 + digit(3)?;
    let month = digit(5)? * 10 + digit(6)?;
    let day = digit(8)? * 10 + digit(9)?;
    NaiveDate::from_ymd_opt(i32::try_from(year).ok()?, month, day)
}

/// The 1-based physical line at which a record starting at byte `offset` begins, and the text of
/// that line. The csv reader's record positions may point at the line break ending the
/// previous record; that is skipped. `\n`, `\r\n` and a lone `\r` each end a line.
pub(crate) fn physical_line(text: &str, offset: usize) -> (u64, &str) {
    let bytes = text.as_bytes();
    let mut start = offset.min(bytes.len());
    while start < bytes.len() && matches!(bytes[start], b'\r' | b'\n') {
        start += 1;
    }
    let before = &bytes[..start];
    let mut line = 1u64;
    for i in memchr::memchr2_iter(b'\n', b'\r', before) {
        let lone_cr = before[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n');
        if before[i] == b'\n' || lone_cr {
            line += 1;
        }
    }
    let end = memchr::memchr2(b'\n', b'\r', &bytes[start..]).map_or(bytes.len(), |p| start + p);
    (line, text.get(start..end).unwrap_or(""))
}

/// Byte offset just after the first `n` physical lines (or the end of the text).
pub(crate) fn after_lines(text: &str, n: usize) -> usize {
    let bytes = text.as_bytes();
    let mut pos = 0;
    for _ in 0..n {
        match memchr::memchr2(b'\n', b'\r', &bytes[pos..]) {
            None => return bytes.len(),
            Some(p) => {
                pos += p;
                if bytes[pos] == b'\r' && bytes.get(pos + 1) == Some(&b'\n') {
                    pos += 1;
                }
                pos += 1;
            }
        }
    }
    pos
}

#[cfg(test)]
mod tests {
    use super::*;

    fn style(toml_extra: &str) -> CsvProfile {
        CsvProfile::from_toml(&format!("{toml_extra}\n[columns]\namount = \"a\"\n")).unwrap()
    }

    fn amount(profile: &CsvProfile, text: &str) -> Result<i64, AmountError> {
        AmountStyle::new(profile).parse(text, 2, &mut String::new())
    }

    #[test]
    fn amounts_as_banks_write_them() {
        let us = style(
            "thousands_separator = \",\"\ncurrency_symbols = [\"$\"]\nnegative_parentheses = true",
        );
        assert_eq!(amount(&us, "$1,036.47"), Ok(103_647));
        assert_eq!(amount(&us, "-$57.27"), Ok(-5727));
        assert_eq!(amount(&us, "$-57.27"), Ok(-5727));
        assert_eq!(amount(&us, "($1.00)"), Ok(-100));
        assert_eq!(amount(&us, "1,000.00"), Ok(100_000));
        assert_eq!(amount(&us, "1,00,000"), Ok(10_000_000));
        assert!(amount(&us, "1,5").is_err());
        assert!(amount(&us, "1.000,5").is_err());
        assert!(amount(&us, "-(1.00)").is_err());
        assert!(amount(&us, "--1").is_err());
        assert!(amount(&us, "$").is_err());

        let de = style(
            "decimal_separator = \",\"\nthousands_separator = \".\"\ncurrency_symbols = [\"€\", \"EUR\"]",
        );
        assert_eq!(amount(&de, "1.234,56"), Ok(123_456));
        assert_eq!(amount(&de, "-98,76"), Ok(-9876));
        assert_eq!(amount(&de, "5,00 €"), Ok(500));
        assert_eq!(amount(&de, "EUR -5,00"), Ok(-500));
        assert_eq!(
            amount(&de, "1,005"),
            Err(AmountError::TooPrecise {
                digits: 3,
                exponent: 2
            })
        );

        let ch = style("thousands_separator = \"'\"");
        assert_eq!(amount(&ch, "11'373.94"), Ok(1_137_394));

        let plain = style("");
        assert_eq!(amount(&plain, "-5.34"), Ok(-534));
        assert!(amount(&plain, "1,000.00").is_err());
        assert!(amount(&plain, "$5").is_err());
    }

    #[test]
    fn dates() {
        let iso = style("");
        let d = DateStyle::new(&iso);
        assert_eq!(
            d.parse("2024-02-29"),
            Ok(NaiveDate::from_ymd_opt(2024, 2, 29).unwrap())
        );
        assert_eq!(
            d.parse("2024-2-9"),
            Ok(NaiveDate::from_ymd_opt(2024, 2, 9).unwrap())
        );
        assert!(d.parse("2023-02-29").unwrap_err().contains("no such date"));
        assert!(d.parse("29.02.2024").is_err());

        let several = style("date_format = [\"%d.%m.%Y\", \"%m/%d/%y\"]");
        let d = DateStyle::new(&several);
        assert_eq!(
            d.parse("31.03.2019"),
            Ok(NaiveDate::from_ymd_opt(2019, 3, 31).unwrap())
        );
        assert_eq!(
            d.parse("2/8/15"),
            Ok(NaiveDate::from_ymd_opt(2015, 2, 8).unwrap())
        );
        assert!(d.parse("2015-02-08").unwrap_err().contains("none"));
    }

    #[test]
    fn physical_lines() {
        let text = "a\r\nb\rc\n\nd";
        assert_eq!(physical_line(text, 0), (1, "a"));
        assert_eq!(physical_line(text, 2), (2, "b"));
        assert_eq!(physical_line(text, 3), (2, "b"));
        assert_eq!(physical_line(text, 5), (3, "c"));
        assert_eq!(physical_line(text, 7), (5, "d"));
        assert_eq!(physical_line(text, 99), (5, ""));
        assert_eq!(after_lines(text, 0), 0);
        assert_eq!(after_lines(text, 1), 3);
        assert_eq!(after_lines(text, 2), 5);
        assert_eq!(after_lines(text, 9), text.len());
    }
}
