//! Content sniffing: which format a file is, from its first bytes, never from its name.

use recon_model::Format;

/// Guesses the format from decoded text. `None` when nothing fits.
pub fn detect(text: &str) -> Option<Format> {
    let trimmed = text.trim_start_matches(['\u{FEFF}', ' ', '\t', '\r', '\n']);
    if trimmed.starts_with('<') {
        let head = &trimmed[..floor_char_boundary(trimmed, 4096)];
        return if head.contains("camt.052") || head.contains("BkToCstmrAcctRpt") {
            Some(Format::Camt052)
        } else if head.contains("camt.054") || head.contains("BkToCstmrDbtCdtNtfctn") {
            Some(Format::Camt054)
        } else if head.contains("camt.053") || head.contains("BkToCstmrStmt") {
            Some(Format::Camt053)
        } else {
            None
        };
    }
    if trimmed.starts_with("01,") {
        return Some(Format::Bai2);
    }
    let head = &trimmed[..floor_char_boundary(trimmed, 8192)];
    if head.contains(":20:")
        && [":25:", ":28C:", ":60F:", ":61:"]
            .iter()
            .any(|t| head.contains(t))
    {
        // MT942 carries a floor limit (:34F:) and no opening balance (:60F:/:60M:).
        let is_942 = head.contains(":34F:") && !head.contains(":60F:") && !head.contains(":60M:");
        return Some(if is_942 { Format::Mt942 } else { Format::Mt940 });
    }
    let first_line = trimmed.lines().next().unwrap_or("");
    if first_line.contains(',') || first_line.contains(';') || first_line.contains('\t') {
        return Some(Format::Csv);
    }
    None
}

fn floor_char_boundary(s: &str, max: usize) -> usize {
    if s.len() <= max {
        return s.len();
    }
    let mut i = max;
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs() {
        assert_eq!(detect("01,ABC,DEF/"), Some(Format::Bai2));
        assert_eq!(detect(":20:X\n:25:Y\n:60F:C1\n"), Some(Format::Mt940));
        assert_eq!(detect(":20:X\n:25:Y\n:34F:EUR0,\n"), Some(Format::Mt942));
        assert_eq!(
            detect("<?xml?><Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">"),
            Some(Format::Camt053)
        );
        assert_eq!(detect("a,b,c\n1,2,3"), Some(Format::Csv));
        assert_eq!(detect("hello"), None);
    }
}
