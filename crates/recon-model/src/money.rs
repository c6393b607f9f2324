//! Exact money: signed integer minor units plus a currency. Text and `Decimal` only at the edges.

use crate::Currency;
use rust_decimal::Decimal;
use std::fmt;

/// An exact amount of one currency, in its minor unit (cents for EUR, yen for JPY).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct Money {
    pub amount_minor: i64,
    pub currency: Currency,
}

/// Why a text or decimal amount could not be turned into exact minor units.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AmountError {
    #[error("empty amount")]
    Empty,
    #[error("invalid character {0:?} in amount")]
    InvalidCharacter(char),
    #[error("more than one decimal separator in amount")]
    SeveralSeparators,
    #[error(
        "amount has {digits} decimal places with non-zero digits beyond the currency's {exponent}"
    )]
    TooPrecise { digits: usize, exponent: u32 },
    #[error("amount does not fit in 64-bit minor units")]
    Overflow,
}

const POW10: [u64; 20] = [
    1,
    10,
    100,
    1_000,
    10_000,
    100_000,
    1_000_000,
    10_000_000,
    100_000_000,
    1_000_000_000,
    10_000_000_000,
    100_000_000_000,
    1_000_000_000_000,
    10_000_000_000_000,
    100_000_000_000_000,
    1_000_000_000_000_000,
    10_000_000_000_000_000,
    100_000_000_000_000_000,
    1_000_000_000_000_000_000,
    10_000_000_000_000_000_000,
];

/// Parses a plain decimal text (`-1234.5`, `+7`, `25,` with `decimal_separator` = b',') into
/// minor units of a currency with `exponent` decimals. Extra fraction digits are accepted only when
/// they are zero (`18.150` EUR is 1815); anything that would round is an error, never rounded.
/// No thousands separators, no spaces: callers strip those per their format.
pub fn parse_minor(text: &str, decimal_separator: u8, exponent: u32) -> Result<i64, AmountError> {
    let bytes = text.as_bytes();
    let (negative, digits) = match bytes.first() {
        None => return Err(AmountError::Empty),
        Some(b'-') => (true, &bytes[1..]),
        Some(b'+') => (false, &bytes[1..]),
        Some(_) => (false, bytes),
    };
    if digits.is_empty() {
        return Err(AmountError::Empty);
    }
    let mut value: u64 = 0;
    let mut fraction_digits: usize = 0;
    let mut seen_separator = false;
    let mut any_digit = false;
    for &b in digits {
        if b.is_ascii_digit() {
            any_digit = true;
            let d = u64::from(b - b'0');
            if seen_separator {
                fraction_digits += 1;
                if fraction_digits as u32 > exponent {
                    if d != 0 {
                        return Err(AmountError::TooPrecise {
                            digits: fraction_digits,
                            exponent,
                        });
                    }
                    continue;
                }
            }
            value = value
                .checked_mul(10)
                .and_then(|v| v.checked_add(d))
                .ok_or(AmountError::Overflow)?;
        } else if b == decimal_separator {
            if seen_separator {
                return Err(AmountError::SeveralSeparators);
            }
            seen_separator = true;
        } else {
            let c = text[text.len() - digits.len()..]
                .chars()
                .find(|c| !c.is_ascii_digit() && *c != char::from(decimal_separator))
                .unwrap_or('?');
            return Err(AmountError::InvalidCharacter(c));
        }
    }
    if !any_digit {
        return Err(AmountError::Empty);
    }
    let kept = (fraction_digits as u32).min(exponent);
    let scale = POW10
        .get((exponent - kept) as usize)
        .ok_or(AmountError::Overflow)?;
    let value = value.checked_mul(*scale).ok_or(AmountError::Overflow)?;
    if negative {
        0i64.checked_sub_unsigned(value)
            .ok_or(AmountError::Overflow)
    } else {
        i64::try_from(value).map_err(|_| AmountError::Overflow)
    }
}

/// Formats minor units as a plain signed decimal with exactly `exponent` decimals and '.' as the
/// separator: `format_minor(-534, 2) == "-5.34"`, `format_minor(100, 0) == "100"`.
pub fn format_minor(amount_minor: i64, exponent: u32) -> String {
    let mut out = String::with_capacity(24);
    write_minor(&mut out, amount_minor, exponent);
    out
}

/// [`format_minor`], appended to `out` without allocating (result files write millions).
pub fn write_minor(out: &mut String, amount_minor: i64, exponent: u32) {
    let exponent = exponent as usize;
    // The digits (at least exponent + 1 of them, at most 20 for a u64), the point and the sign.
    let len = exponent.max(20) + 3;
    let mut stack = [0u8; 32];
    let mut heap = Vec::new();
    let digits: &mut [u8] = if len <= stack.len() {
        &mut stack[..len]
    } else {
        heap.resize(len, 0);
        &mut heap
    };
    let mut pos = digits.len();
    let mut magnitude = amount_minor.unsigned_abs();
    let mut written = 0;
    loop {
        if exponent > 0 && written == exponent {
            pos -= 1;
            digits[pos] = b'.';
        }
        pos -= 1;
        digits[pos] = b'0' + (magnitude % 10) as u8;
        magnitude /= 10;
        written += 1;
        if magnitude == 0 && written > exponent {
            break;
        }
    }
    if amount_minor < 0 {
        pos -= 1;
        digits[pos] = b'-';
    }
    out.push_str(std::str::from_utf8(&digits[pos..]).expect("ASCII digits"));
}

impl Money {
    pub fn new(amount_minor: i64, currency: Currency) -> Money {
        Money {
            amount_minor,
            currency,
        }
    }

    /// Converts an exact decimal; fails rather than rounds when it has finer precision than the
    /// currency's minor unit, and when it does not fit.
    pub fn from_decimal(amount: Decimal, currency: Currency) -> Result<Money, AmountError> {
        let exponent = currency.exponent();
        let scaled = amount
            .checked_mul(Decimal::from(10i64.pow(exponent)))
            .ok_or(AmountError::Overflow)?;
        if !scaled.fract().is_zero() {
            return Err(AmountError::TooPrecise {
                digits: amount.scale() as usize,
                exponent,
            });
        }
        let amount_minor = i64::try_from(scaled.trunc()).map_err(|_| AmountError::Overflow)?;
        Ok(Money {
            amount_minor,
            currency,
        })
    }

    /// The amount as an exact decimal with the currency's scale.
    pub fn to_decimal(&self) -> Decimal {
        Decimal::new(self.amount_minor, self.currency.exponent())
    }
}

impl fmt::Display for Money {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut s = String::with_capacity(24);
        write_minor(&mut s, self.amount_minor, self.currency.exponent());
        write!(f, "{s} {}", self.currency)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn parses_exactly() {
        assert_eq!(parse_minor("-5.34", b'.', 2), Ok(-534));
        assert_eq!(parse_minor("25,", b',', 2), Ok(2500));
        assert_eq!(parse_minor("18.150", b'.', 2), Ok(1815));
        assert_eq!(parse_minor("100", b'.', 0), Ok(100));
        assert_eq!(parse_minor("1.234", b'.', 3), Ok(1234));
        assert_eq!(parse_minor("+0.5", b'.', 2), Ok(50));
        assert_eq!(
            parse_minor("1.005", b'.', 2),
            Err(AmountError::TooPrecise {
                digits: 3,
                exponent: 2
            })
        );
        assert_eq!(parse_minor("", b'.', 2), Err(AmountError::Empty));
        assert_eq!(parse_minor("-", b'.', 2), Err(AmountError::Empty));
        assert_eq!(
            parse_minor("1.2.3", b'.', 2),
            Err(AmountError::SeveralSeparators)
        );
        assert_eq!(
            parse_minor("1x", b'.', 2),
            Err(AmountError::InvalidCharacter('x'))
        );
        assert_eq!(
            parse_minor("99999999999999999999", b'.', 2),
            Err(AmountError::Overflow)
        );
    }

    #[test]
    fn formats() {
        assert_eq!(format_minor(-534, 2), "-5.34");
        assert_eq!(format_minor(5, 2), "0.05");
        assert_eq!(format_minor(-5, 3), "-0.005");
        assert_eq!(format_minor(100, 0), "100");
        assert_eq!(format_minor(i64::MIN, 2), "-92233720368547758.08");
        assert_eq!(format_minor(i64::MAX, 0), "9223372036854775807");
        assert_eq!(format_minor(7, 30), format!("0.{}7", "0".repeat(29)));
        // The same text as an exact decimal of that scale, over signs, magnitudes and exponents.
        let mut x: i64 = 1;
        for _ in 0..200 {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            for amount in [x, x >> 20, x >> 40, x % 1000, 0] {
                for exponent in 0..=4 {
                    assert_eq!(
                        format_minor(amount, exponent),
                        Decimal::new(amount, exponent).to_string(),
                        "{amount} at exponent {exponent}"
                    );
                }
            }
        }
    }

    #[test]
    fn decimal_edges() {
        let eur = Currency::from_code("EUR").unwrap();
        let m = Money::from_decimal(Decimal::new(-534, 2), eur).unwrap();
        assert_eq!(m.amount_minor, -534);
        assert_eq!(m.to_decimal().to_string(), "-5.34");
        assert!(Money::from_decimal(Decimal::new(1005, 3), eur).is_err());
        assert_eq!(m.to_string(), "-5.34 EUR");
    }

    proptest! {
        #[test]
        fn text_round_trip(amount in any::<i64>(), exponent in 0u32..=4) {
            let text = format_minor(amount, exponent);
            prop_assert_eq!(parse_minor(&text, b'.', exponent), Ok(amount));
        }
    }
}
