//! Amounts as text, from integer minor units: never through floating point.

use recon_model::format_minor;

/// "-1234.56": the plain decimal form (CSV cells, machine-readable fields).
pub fn plain(amount_minor: i64, exponent: u32) -> String {
    format_minor(amount_minor, exponent)
}

/// "-1,234.56": with thousands separators, for people.
pub fn grouped(amount_minor: i64, exponent: u32) -> String {
    let text = format_minor(amount_minor, exponent);
    let (sign, digits) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text.as_str()),
    };
    let (int, frac) = match digits.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (digits, None),
    };
    let mut out = String::with_capacity(text.len() + int.len() / 3);
    out.push_str(sign);
    for (n, ch) in int.chars().enumerate() {
        if n > 0 && (int.len() - n) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if let Some(f) = frac {
        out.push('.');
        out.push_str(f);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups_thousands_from_minor_units() {
        assert_eq!(grouped(0, 2), "0.00");
        assert_eq!(grouped(-5, 2), "-0.05");
        assert_eq!(grouped(123456, 2), "1,234.56");
        assert_eq!(grouped(-123456789, 2), "-1,234,567.89");
        assert_eq!(grouped(1000, 0), "1,000");
        assert_eq!(grouped(1234567, 3), "1,234.567");
        assert_eq!(grouped(i64::MIN, 2), "-92,233,720,368,547,758.08");
    }
}
