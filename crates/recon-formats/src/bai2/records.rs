//! Stage 1 of the BAI2 importer: physical records as the file writes them, and a field cursor
//! over one logical record (a record plus its 88 continuations).
//!
//! Record boundaries. A record starts with a two-digit record code and a comma (`16,`). It ends
//! at the end of its line, or earlier at a `/` that is followed (after optional blanks) by the
//! end of the line or by the start of a record (for a 16, which carries free text, only a record
//! that may follow it: 16, 88 or 49). Any other `/` is data: banks put slashes in references
//! and texts (`AB/GS/RP0001`, `08/18/23`). A text containing `/ 16,` would be cut there; no
//! reading of the format can tell that apart.
//! Several records may share a line (`49,00,2/  03,1111111,...`). A line that does not start with
//! a record code is yielded as [`Code::Wrapped`]: the importer accepts it only as the wrapped
//! rest of a transaction text.

use memchr::{memchr, memchr2};

/// The record types of BAI2, plus a line without a record code.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(super) enum Code {
    FileHeader,
    GroupHeader,
    Account,
    Detail,
    Continuation,
    AccountTrailer,
    GroupTrailer,
    FileTrailer,
    /// A line that does not start with a record code (a wrapped text, or garbage).
    Wrapped,
}

/// `NN,` at the start of `bytes`, with NN a BAI2 record code.
fn record_code(bytes: &[u8]) -> Option<Code> {
    match bytes {
        [a, b, b',', ..] => Some(match (a, b) {
            (b'0', b'1') => Code::FileHeader,
            (b'0', b'2') => Code::GroupHeader,
            (b'0', b'3') => Code::Account,
            (b'1', b'6') => Code::Detail,
            (b'8', b'8') => Code::Continuation,
            (b'4', b'9') => Code::AccountTrailer,
            (b'9', b'8') => Code::GroupTrailer,
            (b'9', b'9') => Code::FileTrailer,
            _ => return None,
        }),
        _ => None,
    }
}

/// One physical record.
#[derive(Clone, Copy, Debug)]
pub(super) struct RawRecord<'a> {
    pub(super) code: Code,
    /// The fields after `NN,` (the whole line's text for [`Code::Wrapped`]), without the
    /// terminating `/`; trailing blanks and `\r` are removed when the record ends with its line.
    pub(super) content: &'a str,
    /// 1-based line number.
    pub(super) line: u64,
    /// Byte offset where that line starts, for excerpts.
    pub(super) line_start: usize,
    /// Whether the record ended with a `/`.
    pub(super) terminated: bool,
}

/// Splits decoded text into physical records.
pub(super) struct Splitter<'a> {
    text: &'a str,
    pos: usize,
    line: u64,
    line_start: usize,
    previous: Code,
}

impl<'a> Splitter<'a> {
    pub(super) fn new(text: &'a str) -> Splitter<'a> {
        Splitter {
            text,
            pos: 0,
            line: 1,
            line_start: 0,
            previous: Code::Wrapped,
        }
    }
}

impl<'a> Iterator for Splitter<'a> {
    type Item = RawRecord<'a>;

    fn next(&mut self) -> Option<RawRecord<'a>> {
        let bytes = self.text.as_bytes();
        let mut pos = self.pos;
        loop {
            match bytes.get(pos) {
                Some(b'\n') => {
                    pos += 1;
                    self.line += 1;
                    self.line_start = pos;
                }
                Some(b' ' | b'\t' | b'\r') => pos += 1,
                Some(_) => break,
                None => {
                    self.pos = pos;
                    return None;
                }
            }
        }
        let rest = &bytes[pos..];
        let (code, content_start) = match record_code(rest) {
            Some(code) => (code, pos + 3),
            // Mid-line the splitter only stops before a record code, so this is a line start.
            None => (Code::Wrapped, pos),
        };
        let mut search = content_start;
        let (content_end, next_pos, terminated) = loop {
            match memchr2(b'/', b'\n', &bytes[search..]) {
                None => {
                    break (
                        trim_end(bytes, content_start, bytes.len()),
                        bytes.len(),
                        false,
                    );
                }
                Some(i) => {
                    let at = search + i;
                    if bytes[at] == b'\n' {
                        break (trim_end(bytes, content_start, at), at, false);
                    }
                    let mut after = at + 1;
                    while matches!(bytes.get(after), Some(b' ' | b'\t' | b'\r')) {
                        after += 1;
                    }
                    let ends = match bytes.get(after) {
                        None | Some(b'\n') => true,
                        Some(_) => record_code(&bytes[after..]).is_some_and(|next| {
                            // A continuation (or wrapped line) goes on its parent record. Only a
                            // 16 has free text; after it, only a 16, 88 or 49 may follow.
                            let parent = match code {
                                Code::Continuation | Code::Wrapped => self.previous,
                                other => other,
                            };
                            parent != Code::Detail
                                || matches!(
                                    next,
                                    Code::Detail | Code::Continuation | Code::AccountTrailer
                                )
                        }),
                    };
                    if ends {
                        break (at, after, true);
                    }
                    search = at + 1;
                }
            }
        };
        self.pos = next_pos;
        if code != Code::Continuation && code != Code::Wrapped {
            self.previous = code;
        }
        Some(RawRecord {
            code,
            content: &self.text[content_start..content_end],
            line: self.line,
            line_start: self.line_start,
            terminated,
        })
    }
}

fn trim_end(bytes: &[u8], start: usize, mut end: usize) -> usize {
    while end > start && matches!(bytes[end - 1], b' ' | b'\t' | b'\r') {
        end -= 1;
    }
    end
}

/// The text of the line that starts at `line_start`, without its line break.
pub(super) fn line_at(text: &str, line_start: usize) -> &str {
    let rest = text.get(line_start..).unwrap_or("");
    match memchr(b'\n', rest.as_bytes()) {
        Some(i) => &rest[..i],
        None => rest,
    }
}

/// One physical piece of a logical record.
#[derive(Clone, Copy, Debug)]
pub(super) struct Piece<'a> {
    pub(super) content: &'a str,
    pub(super) line: u64,
    pub(super) line_start: usize,
}

/// Reads the comma-separated fields of a logical record across its pieces. A continuation
/// record starts a new field: `...,110,5000000/` + `88,4,/` reads `110`, `5000000`, `4`, ``.
pub(super) struct Fields<'p, 'a> {
    pieces: &'p [Piece<'a>],
    index: usize,
    rest: Option<&'a str>,
}

impl<'p, 'a> Fields<'p, 'a> {
    pub(super) fn new(pieces: &'p [Piece<'a>]) -> Fields<'p, 'a> {
        Fields {
            pieces,
            index: 0,
            rest: pieces.first().map(|p| p.content),
        }
    }

    /// The next field, or `None` when the record and its continuations are exhausted.
    pub(super) fn next_field(&mut self) -> Option<&'a str> {
        loop {
            if let Some(rest) = self.rest {
                return Some(match memchr(b',', rest.as_bytes()) {
                    Some(i) => {
                        self.rest = Some(&rest[i + 1..]);
                        &rest[..i]
                    }
                    None => {
                        self.rest = None;
                        rest
                    }
                });
            }
            let piece = self.pieces.get(self.index + 1)?;
            self.index += 1;
            self.rest = Some(piece.content);
        }
    }

    /// The next field, empty when there is none (an omitted trailing field).
    pub(super) fn optional(&mut self) -> &'a str {
        self.next_field().unwrap_or("")
    }

    /// The piece the last field came from, for error locations.
    pub(super) fn piece(&self) -> Piece<'a> {
        let last = self.pieces.len().saturating_sub(1);
        self.pieces
            .get(self.index.min(last))
            .copied()
            .unwrap_or(Piece {
                content: "",
                line: 1,
                line_start: 0,
            })
    }

    /// Everything after the fields read so far, commas included, piece by piece: the rest of
    /// the current piece, then each later piece. This is how the 16 text is read.
    pub(super) fn rest_parts(&self) -> impl Iterator<Item = Piece<'a>> + '_ {
        let current = self.rest.map(|content| Piece {
            content,
            ..self.piece()
        });
        let later = self.pieces.get(self.index + 1..).unwrap_or(&[]);
        current.into_iter().chain(later.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(text: &str) -> Vec<(Code, &str, u64, bool)> {
        Splitter::new(text)
            .map(|r| (r.code, r.content, r.line, r.terminated))
            .collect()
    }

    #[test]
    fn slash_and_newline_delimited() {
        let got = split("01,A,B/\r\n02,X,Y\r\n\r\n88,4,/ \n16,1,2,,ab/cd,e,f/g/");
        assert_eq!(
            got,
            vec![
                (Code::FileHeader, "A,B", 1, true),
                (Code::GroupHeader, "X,Y", 2, false),
                (Code::Continuation, "4,", 4, true),
                (Code::Detail, "1,2,,ab/cd,e,f/g", 5, true),
            ]
        );
    }

    #[test]
    fn several_records_on_a_line() {
        let got = split("03,1,,010,00/  49,00,2/ 03,2/\n16,142,5,Z,,,PAYPAL PPD/ 16,142,6,Z,,,X/");
        assert_eq!(
            got,
            vec![
                (Code::Account, "1,,010,00", 1, true),
                (Code::AccountTrailer, "00,2", 1, true),
                (Code::Account, "2", 1, true),
                (Code::Detail, "142,5,Z,,,PAYPAL PPD", 2, true),
                (Code::Detail, "142,6,Z,,,X", 2, true),
            ]
        );
    }

    #[test]
    fn slash_before_a_code_that_cannot_follow_is_data() {
        // An 03 cannot follow a 16 directly, so "/03," inside a text is data.
        let got = split("16,142,5,Z,,,DUE 12/03,2024 OK/\n");
        assert_eq!(
            got,
            vec![(Code::Detail, "142,5,Z,,,DUE 12/03,2024 OK", 1, true)]
        );
        // Records without free text end at any record code, in or out of order.
        let got = split("49,00,2/ 16,1/");
        assert_eq!(
            got,
            vec![
                (Code::AccountTrailer, "00,2", 1, true),
                (Code::Detail, "1", 1, true)
            ]
        );
    }

    #[test]
    fn wrapped_lines_and_unknown_codes() {
        let got = split("16,142,5,Z,,,ACH 1111\n   2222  /\n88:EREF: 1\n00,1/");
        assert_eq!(
            got,
            vec![
                (Code::Detail, "142,5,Z,,,ACH 1111", 1, false),
                (Code::Wrapped, "2222  ", 2, true),
                (Code::Wrapped, "88:EREF: 1", 3, false),
                (Code::Wrapped, "00,1", 4, true),
            ]
        );
    }

    #[test]
    fn fields_cross_continuations() {
        let pieces = [
            Piece {
                content: "acct,,110,5000000",
                line: 1,
                line_start: 0,
            },
            Piece {
                content: "4,",
                line: 2,
                line_start: 10,
            },
        ];
        let mut f = Fields::new(&pieces);
        let mut got = Vec::new();
        while let Some(x) = f.next_field() {
            got.push((x, f.piece().line));
        }
        assert_eq!(
            got,
            vec![
                ("acct", 1),
                ("", 1),
                ("110", 1),
                ("5000000", 1),
                ("4", 2),
                ("", 2)
            ]
        );
        let mut f = Fields::new(&pieces);
        f.next_field();
        let rest: Vec<_> = f.rest_parts().map(|p| p.content).collect();
        assert_eq!(rest, vec![",110,5000000", "4,"]);
    }
}
