//! ISO 4217 currencies with their minor-unit exponent (EUR 2, JPY 0, BHD 3).

use std::fmt;

/// An ISO 4217 currency code with its minor-unit exponent.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Currency {
    code: [u8; 3],
    exponent: u8,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown ISO 4217 currency code {0:?}")]
pub struct UnknownCurrency(pub String);

/// Currencies whose exponent is not 2. Every other well-formed active ISO 4217 code in
/// `KNOWN_TWO` has exponent 2.
const EXPONENTS: &[(&str, u8)] = &[
    // Withdrawn currencies still found in historic statements (ISO 4217 list three).
    ("BEF", 0),
    ("ESP", 0),
    ("GRD", 0),
    ("ITL", 0),
    ("LUF", 0),
    ("PTE", 0),
    ("BHD", 3),
    ("BIF", 0),
    ("CLF", 4),
    ("CLP", 0),
    ("DJF", 0),
    ("GNF", 0),
    ("IQD", 3),
    ("ISK", 0),
    ("JOD", 3),
    ("JPY", 0),
    ("KMF", 0),
    ("KRW", 0),
    ("KWD", 3),
    ("LYD", 3),
    ("OMR", 3),
    ("PYG", 0),
    ("RWF", 0),
    ("TND", 3),
    ("UGX", 0),
    ("UYI", 0),
    ("UYW", 4),
    ("VND", 0),
    ("VUV", 0),
    ("XAF", 0),
    ("XOF", 0),
    ("XPF", 0),
];

/// Active ISO 4217 codes with exponent 2.
const KNOWN_TWO: &str = "AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV \
BRL BSD BTN BWP BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN \
ETB EUR FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HRK HTG HUF IDR ILS INR IRR JMD KES KGS KHR \
KPW KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN NAD \
NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD SHP SLE SLL \
SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU UZS VED VES WST XCD \
XCG YER ZAR ZMW ZWG ZWL \
ATS DEM FIM FRF IEP NLG";

/// Marks a code that is not a known currency in the lookup table.
const UNKNOWN: u8 = u8::MAX;

/// Position of an upper-case three-letter code in the lookup table (26³ entries).
fn table_index(code: [u8; 3]) -> usize {
    code.iter()
        .fold(0, |acc, b| acc * 26 + usize::from(b - b'A'))
}

/// Every code's exponent (or UNKNOWN), built once: importers look a currency up per line, and
/// a scan of the code lists per line showed in the profile at a million lines.
fn exponents() -> &'static [u8] {
    static TABLE: std::sync::OnceLock<Vec<u8>> = std::sync::OnceLock::new();
    TABLE.get_or_init(|| {
        let mut table = vec![UNKNOWN; 26 * 26 * 26];
        let index = |c: &str| {
            let b = c.as_bytes();
            table_index([b[0], b[1], b[2]])
        };
        for c in KNOWN_TWO.split_ascii_whitespace() {
            table[index(c)] = 2;
        }
        for (c, e) in EXPONENTS {
            table[index(c)] = *e;
        }
        table
    })
}

impl Currency {
    /// Looks a currency up by its three-letter code (case-sensitive, as ISO 4217 writes it).
    pub fn from_code(code: &str) -> Result<Currency, UnknownCurrency> {
        let bytes = code.as_bytes();
        if bytes.len() != 3 || !bytes.iter().all(u8::is_ascii_uppercase) {
            return Err(UnknownCurrency(code.to_string()));
        }
        let exponent = match exponents()[table_index([bytes[0], bytes[1], bytes[2]])] {
            UNKNOWN => return Err(UnknownCurrency(code.to_string())),
            e => e,
        };
        Ok(Currency {
            code: [bytes[0], bytes[1], bytes[2]],
            exponent,
        })
    }

    /// The three-letter code, e.g. "EUR".
    pub fn code(&self) -> &str {
        // The bytes were checked to be ASCII upper-case letters on construction.
        std::str::from_utf8(&self.code).expect("currency code is ASCII")
    }

    /// Number of decimal places of the minor unit (2 for EUR, 0 for JPY, 3 for BHD).
    pub fn exponent(&self) -> u32 {
        u32::from(self.exponent)
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl fmt::Debug for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl serde::Serialize for Currency {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

impl<'de> serde::Deserialize<'de> for Currency {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let code = String::deserialize(d)?;
        Currency::from_code(&code).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents() {
        assert_eq!(Currency::from_code("EUR").unwrap().exponent(), 2);
        assert_eq!(Currency::from_code("JPY").unwrap().exponent(), 0);
        assert_eq!(Currency::from_code("BHD").unwrap().exponent(), 3);
        assert!(Currency::from_code("eur").is_err());
        assert!(Currency::from_code("XXX").is_err());
        assert!(Currency::from_code("EURO").is_err());
    }

    #[test]
    fn every_listed_code_is_known_with_its_exponent() {
        for code in KNOWN_TWO.split_ascii_whitespace() {
            let want = EXPONENTS
                .iter()
                .find(|(c, _)| *c == code)
                .map_or(2, |(_, e)| *e);
            assert_eq!(
                Currency::from_code(code).unwrap().exponent(),
                u32::from(want),
                "{code}"
            );
        }
        for (code, e) in EXPONENTS {
            assert_eq!(
                Currency::from_code(code).unwrap().exponent(),
                u32::from(*e),
                "{code}"
            );
        }
    }
}
