//! Bytes to text: BOM handling, declared encodings, detection of undeclared legacy encodings,
//! and a hard error on bytes that no plausible encoding explains.

use crate::{ErrorKind, Location, ParseError};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use recon_model::Deviation;
use std::borrow::Cow;

/// A file's text and how it was obtained.
#[derive(Debug)]
pub struct Decoded<'a> {
    pub text: Cow<'a, str>,
    /// The encoding the text was decoded with.
    pub encoding: &'static Encoding,
    /// Set when the encoding was neither marked (BOM), declared nor UTF-8 but detected: the
    /// deviation to record on every statement of the file.
    pub detected: Option<Deviation>,
}

/// The encoding [`decode`] uses for these bytes (BOM, declared, XML prolog, else UTF-8).
pub fn effective_encoding(bytes: &[u8], declared: Option<&'static Encoding>) -> &'static Encoding {
    if let Some((encoding, _)) = Encoding::for_bom(bytes) {
        return encoding;
    }
    declared
        .or_else(|| xml_declared_encoding(bytes))
        .unwrap_or(UTF_8)
}

/// Like [`decode`], but bytes that are not UTF-8 in a file that declares no encoding are
/// decoded with the encoding a detector (chardetng) finds most likely, hinted by the country of
/// the account's IBAN when the file shows one. The detected text must be plausible (no control
/// characters beyond tab, line breaks and the SWIFT SOH/STX/ETX); otherwise the UTF-8 error
/// stands, so bytes that no plausible encoding explains are still refused.
pub fn decode_detecting<'a>(
    bytes: &'a [u8],
    declared: Option<&'static Encoding>,
) -> Result<Decoded<'a>, ParseError> {
    let encoding = effective_encoding(bytes, declared);
    let utf8_error = match decode(bytes, declared) {
        Ok(text) => {
            return Ok(Decoded {
                text,
                encoding,
                detected: None,
            });
        }
        Err(e) if encoding == UTF_8 && Encoding::for_bom(bytes).is_none() => e,
        Err(e) => return Err(e),
    };
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    // Lower-case ASCII letters only: chardetng panics on anything else.
    let hint = country_hint(bytes);
    let guess = detector.guess(
        hint.as_ref().map(|h| &h[..]),
        chardetng::Utf8Detection::Deny,
    );
    let Some(text) = guess.decode_without_bom_handling_and_without_replacement(bytes) else {
        return Err(utf8_error);
    };
    if !plausible(&text) {
        return Err(utf8_error);
    }
    let first = bytes.iter().position(|b| !b.is_ascii()).unwrap_or(0);
    let line = 1 + memchr::memchr_iter(b'\n', &bytes[..first]).count() as u64;
    let shown = text.lines().nth((line - 1) as usize).unwrap_or("");
    let detected = crate::deviation_at_line(
        "encoding.detected",
        line,
        shown,
        format!(
            "the file is not UTF-8 and declares no encoding; read as {} (detected{}), first \
             non-ASCII byte 0x{:02X} on this line",
            guess.name(),
            match &hint {
                Some(h) => format!(
                    ", hinted by the account's country {}",
                    String::from_utf8_lossy(h).to_uppercase()
                ),
                None => String::new(),
            },
            bytes.get(first).copied().unwrap_or(0),
        ),
    );
    Ok(Decoded {
        text,
        encoding: guess,
        detected: Some(detected),
    })
}

/// No control characters but tab, line breaks, form feed and the SWIFT SOH/STX/ETX; no C1
/// controls (what single-byte decoders give for bytes the encoding leaves undefined).
fn plausible(text: &str) -> bool {
    !text.chars().any(|c| {
        c.is_control() && !matches!(c, '\t' | '\n' | '\r' | '\x0C' | '\x01' | '\x02' | '\x03')
    })
}

/// The two-letter country of the first IBAN-looking account (`:25:DE89...`, `<IBAN>PL61...`),
/// lower-cased as chardetng's top-level-domain hint.
fn country_hint(bytes: &[u8]) -> Option<[u8; 2]> {
    let head = &bytes[..bytes.len().min(64 << 10)];
    let looks_like_iban = |c: &[u8]| {
        c.len() == 4
            && c[0].is_ascii_uppercase()
            && c[1].is_ascii_uppercase()
            && c[2].is_ascii_digit()
            && c[3].is_ascii_digit()
    };
    for marker in [&b":25:"[..], b"IBAN>"] {
        let Some(at) = memchr::memmem::find(head, marker) else {
            continue;
        };
        let rest = &head[at + marker.len()..];
        let rest = &rest[..rest.len().min(40)];
        // MT940 accounts may carry a bank code first: `:25:BANKDEFF/DE89...`.
        let starts = std::iter::once(0).chain(memchr::memchr_iter(b'/', rest).map(|p| p + 1));
        for start in starts {
            if let Some(c) = rest.get(start..start + 4)
                && looks_like_iban(c)
            {
                return Some([c[0].to_ascii_lowercase(), c[1].to_ascii_lowercase()]);
            }
        }
    }
    None
}

/// Decodes a file's bytes. A BOM (UTF-8, UTF-16LE/BE) wins; otherwise the `declared` encoding is
/// used, then an XML prolog's `encoding="..."`, then UTF-8. Invalid bytes are an error naming the
/// line and byte offset; nothing is ever silently replaced.
pub fn decode<'a>(
    bytes: &'a [u8],
    declared: Option<&'static Encoding>,
) -> Result<Cow<'a, str>, ParseError> {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_with(&bytes[bom_len..], encoding, bom_len);
    }
    let encoding = declared
        .or_else(|| xml_declared_encoding(bytes))
        .unwrap_or(UTF_8);
    decode_with(bytes, encoding, 0)
}

fn decode_with<'a>(
    bytes: &'a [u8],
    encoding: &'static Encoding,
    offset_base: usize,
) -> Result<Cow<'a, str>, ParseError> {
    if encoding == UTF_8 {
        return match std::str::from_utf8(bytes) {
            Ok(s) => Ok(Cow::Borrowed(s)),
            Err(e) => Err(invalid_byte(bytes, e.valid_up_to(), encoding, offset_base)),
        };
    }
    if (encoding == UTF_16LE || encoding == UTF_16BE) && !bytes.len().is_multiple_of(2) {
        return Err(invalid_byte(bytes, bytes.len() - 1, encoding, offset_base));
    }
    match encoding.decode_without_bom_handling_and_without_replacement(bytes) {
        Some(text) => Ok(text),
        None => {
            // Find the first undecodable byte for the message.
            let mut decoder = encoding.new_decoder_without_bom_handling();
            let mut out = String::with_capacity(bytes.len() * 3 + 16);
            let (result, read) =
                decoder.decode_to_string_without_replacement(bytes, &mut out, true);
            let at = match result {
                encoding_rs::DecoderResult::Malformed(bad, _) => {
                    read.saturating_sub(usize::from(bad))
                }
                _ => read,
            };
            Err(invalid_byte(bytes, at, encoding, offset_base))
        }
    }
}

fn invalid_byte(
    bytes: &[u8],
    at: usize,
    encoding: &'static Encoding,
    offset_base: usize,
) -> ParseError {
    let at = at.min(bytes.len().saturating_sub(1));
    let line = 1 + memchr::memchr_iter(b'\n', &bytes[..at]).count() as u64;
    let line_start = memchr::memrchr(b'\n', &bytes[..at]).map_or(0, |p| p + 1);
    let line_end = memchr::memchr(b'\n', &bytes[at..]).map_or(bytes.len(), |p| at + p);
    let shown = String::from_utf8_lossy(&bytes[line_start..line_end]);
    ParseError::new(
        ErrorKind::Encoding {
            encoding: encoding.name(),
            byte: bytes.get(at).copied().unwrap_or(0),
            offset: (offset_base + at) as u64,
        },
        Location::Line(line),
        crate::excerpt(&shown),
    )
}

/// Reads `encoding="..."` from an XML declaration at the very start of the file.
fn xml_declared_encoding(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = bytes.get(..bytes.len().min(200))?;
    if !head.starts_with(b"<?xml") {
        return None;
    }
    let end = memchr::memmem::find(head, b"?>")?;
    let decl = std::str::from_utf8(&head[..end]).ok()?;
    let pos = decl.find("encoding")?;
    let rest = decl[pos + "encoding".len()..]
        .trim_start()
        .strip_prefix('=')?;
    let rest = rest.trim_start();
    let quote = rest.chars().next()?;
    if quote != '"' && quote != '\'' {
        return None;
    }
    let label = rest[1..].split(quote).next()?;
    Encoding::for_label(label.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn utf8_bom_is_stripped() {
        assert_eq!(decode(b"\xEF\xBB\xBFabc", None).unwrap(), "abc");
    }

    #[test]
    fn utf16le_with_bom() {
        assert_eq!(decode(b"\xFF\xFEa\0b\0", None).unwrap(), "ab");
    }

    #[test]
    fn invalid_utf8_names_line_and_offset() {
        let e = decode(b"ok\nbad \xE9 byte\n", None).unwrap_err();
        assert_eq!(e.location, Location::Line(2));
        assert!(matches!(
            e.kind,
            ErrorKind::Encoding {
                byte: 0xE9,
                offset: 7,
                ..
            }
        ));
    }

    #[test]
    fn declared_latin1() {
        let windows_1252 = Encoding::for_label(b"windows-1252").unwrap();
        assert_eq!(decode(b"caf\xE9", Some(windows_1252)).unwrap(), "café");
    }

    #[test]
    fn xml_prolog_encoding() {
        let text = decode(
            b"<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>\xE9</a>",
            None,
        );
        assert_eq!(
            text.unwrap(),
            "<?xml version=\"1.0\" encoding=\"ISO-8859-1\"?><a>é</a>"
        );
    }
}
