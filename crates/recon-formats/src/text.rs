//! Bytes to text: BOM handling, declared encodings, and a hard error on invalid bytes.

use crate::{ErrorKind, Location, ParseError};
use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE};
use std::borrow::Cow;

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
