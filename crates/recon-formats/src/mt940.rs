//! SWIFT MT940 customer statements and MT942 interim transaction reports.
//!
//! Stage one walks the text line by line (memchr, no regex, no per-line allocation) and cuts it
//! into fields `:TAG:value` with their continuation lines, skipping what banks put around
//! messages: preambles (`0000 01INGBNL2AXXXX00001`, `940 00`, `ABNANL2A`), SWIFT block headers
//! (`{1:...}{2:...}{4:`), separators and trailers (`-`, `-}`, `-XXX`), blank lines. Stage two
//! feeds each field to the open statement, which checks the tag order and builds
//! [`Statement`]s. A message is MT942 when it has a floor limit `:34F:` and no opening balance.
//!
//! Mapping (see also `fields` and `info`):
//! - `:25:` account (trimmed, as written); `:28C:`/`:28:` number/sequence give `statement_id`
//!   and `sequence` (without `:28C:`, `statement_id` is the `:20:` reference).
//! - `:60F:`/`:60M:` opening and `:62F:`/`:62M:` closing balance, signed (D negative); the
//!   opening balance (MT942: the floor limit) gives the statement currency. `:64:`/`:65:` are
//!   not kept. `:90D:`/`:90C:` (MT942 totals) are checked against the lines: a Warning when off.
//! - `:61:` booking date = entry date (MMDD, year taken across a year end) or else the value
//!   date; amount signed by the mark (C and RD +, D and RC -); `type_code` = the four
//!   characters, e.g. NTRF; `reference` = customer reference (None for NONREF), replaced by an
//!   end-to-end reference (EREF) found in `:86:`; `bank_reference` = the part after `//`.
//! - line ids: `{statement_id}[/{sequence}]/{n}`; a statement number already used in the file
//!   (other accounts share numbers) gets `#2`, `#3`... after it, to keep ids unique.
//! - description = the `:61:` supplementary details (and any text beyond the 16-character
//!   customer reference), then the `:86:` text, joined with single spaces.
//!
//! Tolerated, with an Info or Warning finding: unknown tags (`:NS:`, `:12:`), text outside
//! messages, a `:61:` without customer reference, a transaction type not starting with N/F/S,
//! `:86:` over 6 lines, a closing balance without currency, repeated statement numbers.
//! Refused, with the line: bad dates and amounts, missing `:20:`/`:25:`/opening/closing
//! balance, tags out of order (a second `:25:` inside a statement), a file without statement.
//! Balance arithmetic (opening + lines = closing) is not checked here.

// `ParseError` is the crate's shared error type (about 130 bytes); an error ends the import, so
// its size costs nothing on the success path.
#![allow(clippy::result_large_err)]

mod fields;
mod info;

use crate::{
    ErrorKind, Finding, Limits, Location, ParseError, Parsed, ReadingMode, Severity,
    deviation_at_line, excerpt,
};
use fields::LineQuirks;
use recon_model::{
    Balance, Currency, Date, Deviation, Format, Statement, StatementLine, format_minor,
};
use std::collections::HashMap;
use std::fmt::Write as _;

/// Parses a decoded MT940 or MT942 file (several messages per file are fine) into statements,
/// reading tolerated deviations (see [`parse_with`]).
pub fn parse(source: &str, text: &str, limits: &Limits) -> Result<Parsed, ParseError> {
    parse_with(source, text, limits, ReadingMode::Tolerant)
}

/// Parses like [`parse`]; in [`ReadingMode::Tolerant`] these deviations are read and recorded on
/// the statement (code in brackets), in [`ReadingMode::Strict`] they reject the file:
/// blanks between the `:61:` amount and the transaction type (`mt940.space_before_type`), amounts
/// without decimal comma, read as whole units (`mt940.amount_without_decimal_comma`), a value
/// or entry date past the month's end up to the 30th, read as the month's last day
/// (`mt940.date_past_month_end`), a statement that runs on after its closing balance without a
/// new `:20:` (`mt940.statement_without_20`: a new statement with the same header; without an
/// opening balance, the previous closing balance opens it), a closing balance in another
/// currency than the opening one (`mt940.closing_balance_currency`: the lines are read, the
/// closing balance left out for a person to check) and a bare `-` line inside a statement's
/// text before its closing balance (`mt940.dash_line`: kept as text, not a message end).
pub fn parse_with(
    source: &str,
    text: &str,
    limits: &Limits,
    mode: ReadingMode,
) -> Result<Parsed, ParseError> {
    let mut parser = Parser {
        source,
        text,
        limits,
        mode,
        statements: Vec::new(),
        findings: Vec::new(),
        quirks: Vec::new(),
        open: None,
        pending: None,
        date_cache: None,
        prefixes: HashMap::new(),
        scratch: info::Scratch::default(),
    };
    let bytes = text.as_bytes();
    let mut pos = 0;
    let mut line_no = 0u64;
    let mut first_text = None;
    while pos < bytes.len() {
        let end = memchr::memchr(b'\n', &bytes[pos..]).map_or(bytes.len(), |p| pos + p);
        line_no += 1;
        let line = text[pos..end].trim_end_matches('\r');
        if first_text.is_none() && !line.trim().is_empty() {
            first_text = Some((line_no, line));
        }
        parser.on_line(line, line_no, end)?;
        pos = end + 1;
    }
    parser.flush()?;
    parser.close_statement()?;
    if parser.statements.is_empty() {
        let (line, shown) = first_text.unwrap_or((1, ""));
        return Err(ParseError::new(
            ErrorKind::Structure(
                "no MT940/MT942 statement in the file (no :20: transaction reference)".into(),
            ),
            Location::Line(line),
            excerpt(shown),
        ));
    }
    let mut findings = parser.findings;
    findings.extend(parser.quirks.into_iter().map(Quirk::into_finding));
    findings.sort_by_key(|f| f.location.line().unwrap_or(0));
    Ok(Parsed {
        statements: parser.statements,
        findings,
    })
}

/// A field being collected: its tag line, then continuation lines up to the next tag.
struct Pending<'a> {
    tag: &'a str,
    line: u64,
    /// The whole tag line, for excerpts.
    text: &'a str,
    /// Value on the tag line.
    first: &'a str,
    /// Byte offset of the newline that ends the tag line, and of the end of the last
    /// continuation line.
    rest_start: usize,
    rest_end: usize,
    rest_lines: u64,
}

/// One field: tag, value on the tag line, continuation text.
struct Field<'a> {
    tag: &'a str,
    line: u64,
    text: &'a str,
    first: &'a str,
    /// Empty, or from the newline ending the tag line to the end of the last continuation line.
    rest: &'a str,
    rest_lines: u64,
}

impl Field<'_> {
    fn error(&self, kind: ErrorKind) -> ParseError {
        ParseError::new(kind, Location::Line(self.line), excerpt(self.text))
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Phase {
    /// After `:20:`, before the opening balance or first line.
    Header,
    /// Opening balance or lines seen.
    Lines,
    /// Closing balance seen.
    Closed,
}

/// Control total of MT942 `:90D:`/`:90C:`.
struct Totals {
    count: u64,
    currency: Currency,
    amount_minor: i64,
    line: u64,
}

/// The statement being read, from its `:20:` on.
struct Open<'a> {
    start_line: u64,
    start_text: &'a str,
    last_line: u64,
    last_text: &'a str,
    transaction_ref: &'a str,
    account: Option<&'a str>,
    number: Option<&'a str>,
    sequence: Option<&'a str>,
    currency: Option<Currency>,
    floor_limit: bool,
    opening: Option<Balance>,
    closing: Option<Balance>,
    phase: Phase,
    lines: Vec<StatementLine>,
    /// Whether a `:86:` now belongs to the last `:61:`.
    attach_86: bool,
    debits: (u64, i128),
    credits: (u64, i128),
    debit_totals: Option<Totals>,
    credit_totals: Option<Totals>,
    /// Deviations read in tolerant reading, in file order.
    deviations: Vec<Deviation>,
    /// The closing balance was in another currency and is left out (tolerant reading).
    closing_dropped: bool,
}

impl<'a> Open<'a> {
    fn new(line: u64, text: &'a str, transaction_ref: &'a str) -> Self {
        Open {
            start_line: line,
            start_text: text,
            last_line: line,
            last_text: text,
            transaction_ref,
            account: None,
            number: None,
            sequence: None,
            currency: None,
            floor_limit: false,
            opening: None,
            closing: None,
            phase: Phase::Header,
            lines: Vec::new(),
            attach_86: false,
            debits: (0, 0),
            credits: (0, 0),
            debit_totals: None,
            credit_totals: None,
            deviations: Vec::new(),
            closing_dropped: false,
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum QuirkKind {
    UnknownTag,
    TagOutside,
    OutsideText,
    IgnoredContinuation,
    NoCustomerRef,
    OddType,
    Long86,
    BalanceWithoutCurrency,
    RepeatedNumber,
}

/// A tolerated oddity, counted: one finding per kind and detail, located at its first line.
struct Quirk {
    kind: QuirkKind,
    detail: String,
    line: u64,
    count: u64,
}

impl Quirk {
    fn into_finding(self) -> Finding {
        let times = if self.count > 1 {
            format!(" ({} times, first here)", self.count)
        } else {
            String::new()
        };
        let d = &self.detail;
        let (severity, message) = match self.kind {
            QuirkKind::UnknownTag => (
                Severity::Info,
                format!("non-standard tag :{d}: skipped{times}"),
            ),
            QuirkKind::TagOutside => (
                Severity::Info,
                format!(":{d}: outside a statement skipped{times}"),
            ),
            QuirkKind::OutsideText => (
                Severity::Info,
                format!(
                    "{} line(s) of text outside the statements skipped (bank preamble, header or trailer), first here",
                    self.count
                ),
            ),
            QuirkKind::IgnoredContinuation => (
                Severity::Info,
                format!("text on the lines after :{d}: ignored{times}"),
            ),
            QuirkKind::NoCustomerRef => (
                Severity::Warning,
                format!(
                    ":61: without customer reference (SWIFT asks for NONREF when there is none); reference left empty unless :86: has one{times}"
                ),
            ),
            QuirkKind::OddType => (
                Severity::Warning,
                format!(
                    ":61: transaction type {d:?} does not start with N, F or S; kept as written{times}"
                ),
            ),
            QuirkKind::Long86 => (
                Severity::Info,
                format!(":86: longer than the 6 lines SWIFT allows; kept whole{times}"),
            ),
            QuirkKind::BalanceWithoutCurrency => (
                Severity::Warning,
                format!(":{d}: balance without currency; the statement currency is assumed{times}"),
            ),
            QuirkKind::RepeatedNumber => (
                Severity::Info,
                format!(
                    "statement number {d} of this account appears again{times}; line ids of a repeat read {d}#2/1, {d}#3/1..."
                ),
            ),
        };
        Finding {
            severity,
            location: Location::Line(self.line),
            message,
        }
    }
}

struct Parser<'a, 'l> {
    source: &'l str,
    text: &'a str,
    limits: &'l Limits,
    mode: ReadingMode,
    statements: Vec<Statement>,
    findings: Vec<Finding>,
    quirks: Vec<Quirk>,
    open: Option<Open<'a>>,
    pending: Option<Pending<'a>>,
    /// Last YYMMDD parsed (statement lines mostly share dates).
    date_cache: Option<(u32, Date)>,
    scratch: info::Scratch,
    /// Line-id prefixes used so far, with the account of the first statement and the count.
    prefixes: HashMap<String, (String, u32)>,
}

fn quirk(quirks: &mut Vec<Quirk>, kind: QuirkKind, detail: &str, line: u64) {
    if let Some(q) = quirks
        .iter_mut()
        .find(|q| q.kind == kind && q.detail == detail)
    {
        q.count += 1;
    } else {
        quirks.push(Quirk {
            kind,
            detail: detail.to_string(),
            line,
            count: 1,
        });
    }
}

fn amount_without_comma(f: &Field<'_>) -> Deviation {
    deviation_at_line(
        "mt940.amount_without_decimal_comma",
        f.line,
        f.text,
        format!(
            ":{}: amount without decimal comma; read as whole units",
            f.tag
        ),
    )
}

/// Appends a decimal number without the formatting machinery (one per statement line).
fn push_number(out: &mut String, n: usize) {
    let mut digits = [0u8; 20];
    let mut i = digits.len();
    let mut n = n;
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &d in &digits[i..] {
        out.push(char::from(d));
    }
}

/// `:TAG:value` with a tag of 1 to 5 letters or digits.
fn split_tag(line: &str) -> Option<(&str, &str)> {
    let b = line.as_bytes();
    if b.first() != Some(&b':') {
        return None;
    }
    let n = b[1..]
        .iter()
        .take(6)
        .take_while(|c| c.is_ascii_alphanumeric())
        .count();
    if n == 0 || n > 5 || b.get(1 + n) != Some(&b':') {
        return None;
    }
    Some((&line[1..1 + n], &line[2 + n..]))
}

/// Tags this importer knows (everything else is skipped with an Info finding).
fn is_known_tag(tag: &str) -> bool {
    matches!(
        tag,
        "20" | "21"
            | "25"
            | "28"
            | "28C"
            | "34F"
            | "13"
            | "13D"
            | "60F"
            | "60M"
            | "61"
            | "86"
            | "62F"
            | "62M"
            | "64"
            | "65"
            | "90D"
            | "90C"
    )
}

fn is_swift_block_header(content: &str) -> bool {
    let b = content.as_bytes();
    b.len() >= 3 && b[0] == b'{' && (b'1'..=b'5').contains(&b[1]) && b[2] == b':'
}

impl<'a> Parser<'a, '_> {
    fn on_line(&mut self, line: &'a str, line_no: u64, end: usize) -> Result<(), ParseError> {
        // SOH/STX/ETX and a stray BOM around SWIFT messages are not content.
        let content = match line.as_bytes().first() {
            Some(b) if (0x20..0x80).contains(b) => line,
            _ => line.trim_start_matches(|c: char| {
                c == '\u{FEFF}' || (c.is_ascii_control() && c != '\t')
            }),
        };
        if let Some((tag, value)) = split_tag(content) {
            self.flush()?;
            self.pending = Some(Pending {
                tag,
                line: line_no,
                text: line,
                first: value,
                rest_start: end,
                rest_end: end,
                rest_lines: 0,
            });
            return Ok(());
        }
        if is_swift_block_header(content) {
            // `{1:...}{2:...}{4:` opens a message; the text after `{4:` may hold the first tag.
            self.flush()?;
            self.close_statement()?;
            if let Some(p) = content.find("{4:")
                && let Some((tag, value)) = split_tag(&content[p + 3..])
            {
                self.pending = Some(Pending {
                    tag,
                    line: line_no,
                    text: line,
                    first: value,
                    rest_start: end,
                    rest_end: end,
                    rest_lines: 0,
                });
            }
            return Ok(());
        }
        if content.starts_with('-') && self.is_separator(content) {
            if content.trim_end() == "-" && self.dash_inside_text() {
                if let (Some(p), Some(st)) = (&mut self.pending, &mut self.open) {
                    st.deviations.push(deviation_at_line(
                        "mt940.dash_line",
                        line_no,
                        line,
                        format!(
                            "a line \"-\" inside the :{}: text before the statement's closing balance; kept as text, not read as the end of the message",
                            p.tag
                        ),
                    ));
                    p.rest_end = end;
                    p.rest_lines += 1;
                }
                return Ok(());
            }
            self.flush()?;
            self.close_statement()?;
            return Ok(());
        }
        if let Some(p) = &mut self.pending {
            p.rest_end = end;
            p.rest_lines += 1;
            return Ok(());
        }
        if !content.trim().is_empty() {
            quirk(&mut self.quirks, QuirkKind::OutsideText, "", line_no);
        }
        Ok(())
    }

    /// A line starting with '-' ends a message when it is a bare `-` / `-}` or when the
    /// statement already has its closing balance (`-XXX`, `-` + ETX).
    fn is_separator(&self, content: &str) -> bool {
        let rest = content[1..].trim_matches(|c: char| c.is_whitespace() || c.is_ascii_control());
        if rest.is_empty() || rest.starts_with('}') {
            return true;
        }
        let pending_trailer = self
            .pending
            .as_ref()
            .is_some_and(|p| matches!(p.tag, "62F" | "62M" | "64" | "65"));
        match &self.open {
            None => true,
            Some(st) => st.phase == Phase::Closed || pending_trailer,
        }
    }

    /// Whether a bare `-` line is text of the pending `:61:` / `:86:` (tolerant reading: some
    /// Rabobank exports start text lines with a dash) rather than the end of the message: the
    /// statement has no closing balance yet, so ending the message here would reject it.
    fn dash_inside_text(&self) -> bool {
        self.mode == ReadingMode::Tolerant
            && self
                .pending
                .as_ref()
                .is_some_and(|p| matches!(p.tag, "61" | "86"))
            && self
                .open
                .as_ref()
                .is_some_and(|st| st.phase == Phase::Lines)
    }

    /// Hands the pending field (if any) to the statement.
    fn flush(&mut self) -> Result<(), ParseError> {
        let Some(p) = self.pending.take() else {
            return Ok(());
        };
        let rest = if p.rest_lines == 0 {
            ""
        } else {
            &self.text[p.rest_start..p.rest_end]
        };
        self.on_field(Field {
            tag: p.tag,
            line: p.line,
            text: p.text,
            first: p.first,
            rest,
            rest_lines: p.rest_lines,
        })
    }

    fn on_field(&mut self, f: Field<'a>) -> Result<(), ParseError> {
        if f.first.len() + f.rest.len() > self.limits.max_field_bytes {
            return Err(f.error(ErrorKind::FieldTooLong {
                limit: self.limits.max_field_bytes,
            }));
        }
        let tag = f.tag;
        if !is_known_tag(tag) {
            quirk(&mut self.quirks, QuirkKind::UnknownTag, tag, f.line);
            return Ok(());
        }
        let single_line = !matches!(tag, "61" | "86");
        if single_line && f.rest_lines > 0 && !f.rest.trim().is_empty() {
            quirk(
                &mut self.quirks,
                QuirkKind::IgnoredContinuation,
                tag,
                f.line,
            );
        }
        if tag == "20" {
            self.close_statement()?;
            let reference = f.first.trim();
            if reference.is_empty() {
                return Err(f.error(ErrorKind::MissingField(
                    ":20: transaction reference (it is empty)".into(),
                )));
            }
            if self.statements.len() >= self.limits.max_statements_per_file {
                return Err(f.error(ErrorKind::TooMany {
                    what: "statements",
                    limit: self.limits.max_statements_per_file,
                }));
            }
            self.open = Some(Open::new(f.line, f.text, reference));
            return Ok(());
        }
        let tolerant = self.mode == ReadingMode::Tolerant;
        if tolerant
            && matches!(tag, "60F" | "60M" | "61")
            && self
                .open
                .as_ref()
                .is_some_and(|st| st.phase == Phase::Closed && !st.closing_dropped)
        {
            self.run_on(&f)?;
        }
        let Some(st) = self.open.as_mut() else {
            if matches!(tag, "86" | "64" | "65") {
                quirk(&mut self.quirks, QuirkKind::TagOutside, tag, f.line);
                return Ok(());
            }
            return Err(f.error(ErrorKind::MissingField(format!(
                ":20: transaction reference before :{tag}: (every statement starts with :20:)"
            ))));
        };
        st.last_line = f.line;
        st.last_text = f.text;
        if st.account.is_none() && tag != "21" && tag != "25" {
            return Err(f.error(ErrorKind::MissingField(format!(
                ":25: account identification in the statement that starts at line {} (found :{tag}: first)",
                st.start_line
            ))));
        }
        let out_of_place = |st: &Open<'_>, what: &str| {
            f.error(ErrorKind::Structure(format!(
                ":{tag}: out of place in the statement that starts at line {}: {what}",
                st.start_line
            )))
        };
        match tag {
            "21" if st.account.is_some() || st.phase != Phase::Header => {
                return Err(out_of_place(st, "it belongs right after :20:"));
            }
            "25" => {
                if st.account.is_some() || st.phase != Phase::Header {
                    return Err(out_of_place(
                        st,
                        "a statement has one account, right after :20:; a new statement must start with :20:",
                    ));
                }
                let account = f.first.trim();
                if account.is_empty() {
                    return Err(f.error(ErrorKind::MissingField(
                        ":25: account identification (it is empty)".into(),
                    )));
                }
                st.account = Some(account);
            }
            "28" | "28C" => {
                if st.number.is_some() || st.phase != Phase::Header {
                    return Err(out_of_place(
                        st,
                        "the statement number comes once, before the opening balance",
                    ));
                }
                let value = f.first.trim();
                let (number, sequence) = match value.split_once('/') {
                    Some((n, s)) => (n.trim(), Some(s.trim()).filter(|s| !s.is_empty())),
                    None => (value, None),
                };
                if !number.is_empty() {
                    st.number = Some(number);
                    st.sequence = sequence;
                }
            }
            "34F" => {
                let value = f.first.trim();
                let code = value.get(..3).unwrap_or(value);
                let currency = fields::currency(code).map_err(|k| f.error(k))?;
                if st.currency.is_some_and(|c| c != currency) {
                    return Err(f.error(ErrorKind::Structure(format!(
                        "floor limit currency {currency} differs from the statement currency {}",
                        st.currency.map_or(String::new(), |c| c.to_string())
                    ))));
                }
                st.currency = Some(currency);
                st.floor_limit = true;
            }
            "13" | "13D" => {}
            "60F" | "60M" => {
                if st.opening.is_some() || st.phase != Phase::Header {
                    return Err(out_of_place(
                        st,
                        "a statement has one opening balance, before its lines",
                    ));
                }
                let b = fields::parse_balance_tolerant(f.first, st.currency, tolerant)
                    .map_err(|k| f.error(k))?;
                if b.without_comma {
                    st.deviations.push(amount_without_comma(&f));
                }
                match (b.currency, st.currency) {
                    (Some(c), Some(s)) if c != s => {
                        return Err(f.error(ErrorKind::Structure(format!(
                            "opening balance currency {c} differs from the floor limit currency {s}"
                        ))));
                    }
                    (Some(c), _) => st.currency = Some(c),
                    (None, _) => quirk(
                        &mut self.quirks,
                        QuirkKind::BalanceWithoutCurrency,
                        tag,
                        f.line,
                    ),
                }
                st.opening = Some(Balance {
                    date: b.date,
                    amount_minor: b.amount_minor,
                });
                st.phase = Phase::Lines;
            }
            "61" => {
                if st.phase == Phase::Closed {
                    return Err(out_of_place(
                        st,
                        "statement lines come before the closing balance",
                    ));
                }
                let currency = match st.currency {
                    Some(c) if st.opening.is_some() || st.floor_limit => c,
                    _ => {
                        return Err(f.error(ErrorKind::MissingField(format!(
                            "opening balance :60F:/:60M: (in MT942: floor limit :34F:) before the first :61: (statement at line {})",
                            st.start_line
                        ))));
                    }
                };
                if st.lines.len() >= self.limits.max_lines_per_statement {
                    return Err(f.error(ErrorKind::TooMany {
                        what: "lines in a statement",
                        limit: self.limits.max_lines_per_statement,
                    }));
                }
                let cache = &mut self.date_cache;
                let mut line_quirks = LineQuirks::default();
                let mut value_date_clamped = false;
                let raw = fields::parse_line(
                    f.first,
                    |v| {
                        let key = fields::yymmdd_key(v.as_bytes());
                        if let (Some(k), Some((ck, cd))) = (key, *cache)
                            && k == ck
                        {
                            return Ok(cd);
                        }
                        let (d, clamped) = fields::parse_yymmdd_tolerant(v, tolerant)?;
                        value_date_clamped = clamped;
                        if let Some(k) = key
                            && !clamped
                        {
                            *cache = Some((k, d));
                        }
                        Ok(d)
                    },
                    currency,
                    tolerant,
                    &mut line_quirks,
                )
                .map_err(|k| f.error(k))?;
                if value_date_clamped {
                    st.deviations.push(deviation_at_line(
                        "mt940.date_past_month_end",
                        f.line,
                        f.text,
                        format!(
                            ":61: value date {:?} is past the month's end; read as {} (the month's last day)",
                            f.first.get(..6).unwrap_or(""),
                            raw.value_date
                        ),
                    ));
                }
                if let (Some(written), Some(entry)) =
                    (&line_quirks.entry_date_clamped, raw.entry_date)
                {
                    st.deviations.push(deviation_at_line(
                        "mt940.date_past_month_end",
                        f.line,
                        f.text,
                        format!(
                            ":61: entry date {written:?} is past the month's end; read as {entry} (the month's last day)"
                        ),
                    ));
                }
                if line_quirks.space_before_type {
                    st.deviations.push(deviation_at_line(
                        "mt940.space_before_type",
                        f.line,
                        f.text,
                        format!(
                            ":61: blank between the amount and the transaction type {:?}; read as if adjacent",
                            raw.type_code
                        ),
                    ));
                }
                if line_quirks.amount_without_comma {
                    st.deviations.push(amount_without_comma(&f));
                }
                if line_quirks.no_customer_ref {
                    quirk(&mut self.quirks, QuirkKind::NoCustomerRef, "", f.line);
                }
                if line_quirks.odd_type {
                    quirk(&mut self.quirks, QuirkKind::OddType, raw.type_code, f.line);
                }
                let debit = raw.mark.is_debit();
                let amount_minor = if debit {
                    st.debits.0 += 1;
                    st.debits.1 += i128::from(raw.amount_minor);
                    -raw.amount_minor
                } else {
                    st.credits.0 += 1;
                    st.credits.1 += i128::from(raw.amount_minor);
                    raw.amount_minor
                };
                let mut description = String::new();
                if !raw.overflow.is_empty() {
                    description.push_str(raw.overflow);
                }
                if f.rest_lines > 0 {
                    for l in info::field_lines("", f.rest).skip(1) {
                        let t = l.trim();
                        if !t.is_empty() {
                            if !description.is_empty() {
                                description.push(' ');
                            }
                            info::push_clean(&mut description, t);
                        }
                    }
                }
                let text_ref = |r: &str| (!r.is_empty() && r != "NONREF").then(|| r.to_string());
                st.lines.push(StatementLine {
                    line_id: String::new(),
                    booking_date: raw.entry_date.unwrap_or(raw.value_date),
                    value_date: Some(raw.value_date),
                    amount_minor,
                    reference: text_ref(raw.customer_ref),
                    bank_reference: text_ref(raw.bank_ref),
                    servicer_reference: None,
                    counterparty: None,
                    counterparty_account: None,
                    description,
                    type_code: (!raw.type_code.is_empty()).then(|| raw.type_code.to_string()),
                    details: Vec::new(),
                });
                st.phase = Phase::Lines;
                st.attach_86 = true;
            }
            "86" => {
                if f.rest_lines >= 6 {
                    quirk(&mut self.quirks, QuirkKind::Long86, "", f.line);
                }
                if st.attach_86
                    && let Some(line) = st.lines.last_mut()
                {
                    info::apply(f.first, f.rest, line, &mut self.scratch);
                    if line.description.len() > self.limits.max_field_bytes {
                        return Err(f.error(ErrorKind::FieldTooLong {
                            limit: self.limits.max_field_bytes,
                        }));
                    }
                }
                // Otherwise information about the whole statement: not part of the model.
            }
            "62F" | "62M" => {
                if st.closing.is_some() {
                    return Err(out_of_place(st, "a statement has one closing balance"));
                }
                if st.opening.is_none() {
                    return Err(f.error(ErrorKind::MissingField(format!(
                        "opening balance :60F:/:60M: before the closing balance (statement at line {})",
                        st.start_line
                    ))));
                }
                let b = fields::parse_balance_tolerant(f.first, st.currency, tolerant)
                    .map_err(|k| f.error(k))?;
                if b.without_comma {
                    st.deviations.push(amount_without_comma(&f));
                }
                match (b.currency, st.currency) {
                    (Some(c), Some(s)) if c != s && tolerant => {
                        st.deviations.push(deviation_at_line(
                            "mt940.closing_balance_currency",
                            f.line,
                            f.text,
                            format!(
                                "closing balance is in {c} but the opening balance in {s}: the lines are read, the closing balance is left out for a person to check"
                            ),
                        ));
                        st.closing_dropped = true;
                        st.phase = Phase::Closed;
                        st.attach_86 = false;
                        return Ok(());
                    }
                    (Some(c), Some(s)) if c != s => {
                        return Err(f.error(ErrorKind::Structure(format!(
                            "closing balance currency {c} differs from the opening balance currency {s}"
                        ))));
                    }
                    (None, _) => quirk(
                        &mut self.quirks,
                        QuirkKind::BalanceWithoutCurrency,
                        tag,
                        f.line,
                    ),
                    _ => {}
                }
                st.closing = Some(Balance {
                    date: b.date,
                    amount_minor: b.amount_minor,
                });
                st.phase = Phase::Closed;
                st.attach_86 = false;
            }
            "64" | "65" => st.attach_86 = false,
            "90D" | "90C" => {
                let (count, currency, amount_minor) =
                    fields::parse_totals(f.first).map_err(|k| f.error(k))?;
                let totals = Some(Totals {
                    count,
                    currency,
                    amount_minor,
                    line: f.line,
                });
                if tag == "90D" {
                    st.debit_totals = totals;
                } else {
                    st.credit_totals = totals;
                }
                st.attach_86 = false;
            }
            _ => {}
        }
        Ok(())
    }

    /// A statement that runs on after its closing balance without a new `:20:` (tolerant
    /// reading): the closed one is stored and a new one opens with the same header; when the
    /// run-on starts with `:61:` instead of an opening balance, the previous closing balance
    /// opens it.
    fn run_on(&mut self, f: &Field<'a>) -> Result<(), ParseError> {
        let Some(previous) = self.open.as_ref() else {
            return Ok(());
        };
        let mut next = Open::new(f.line, f.text, previous.transaction_ref);
        next.account = previous.account;
        next.number = previous.number;
        next.sequence = previous.sequence;
        next.currency = previous.currency;
        let assumed = if f.tag == "61" {
            next.opening = previous.closing;
            next.phase = Phase::Lines;
            previous.closing.map(|b| {
                format!(
                    "; it has no opening balance, so the previous closing balance {} of {} opens it",
                    format_minor(
                        b.amount_minor,
                        previous.currency.map_or(2, |c| c.exponent())
                    ),
                    b.date
                )
            })
        } else {
            None
        };
        next.deviations.push(deviation_at_line(
            "mt940.statement_without_20",
            f.line,
            f.text,
            format!(
                "a new statement starts after the closing balance without its own :20:; read as a statement of account {} with the same :20: {}{}",
                previous.account.unwrap_or(""),
                previous.transaction_ref,
                assumed.unwrap_or_default()
            ),
        ));
        self.close_statement()?;
        self.open = Some(next);
        Ok(())
    }

    /// Validates and stores the open statement, if any.
    fn close_statement(&mut self) -> Result<(), ParseError> {
        let Some(st) = self.open.take() else {
            return Ok(());
        };
        let at_start =
            |kind| ParseError::new(kind, Location::Line(st.start_line), excerpt(st.start_text));
        let at_end =
            |kind| ParseError::new(kind, Location::Line(st.last_line), excerpt(st.last_text));
        let Some(account) = st.account else {
            return Err(at_start(ErrorKind::MissingField(
                ":25: account identification in the statement that starts here".into(),
            )));
        };
        let format = if st.floor_limit && st.opening.is_none() {
            Format::Mt942
        } else {
            if st.opening.is_none() {
                return Err(at_end(ErrorKind::MissingField(format!(
                    "opening balance :60F:/:60M: in the statement that starts at line {} (truncated file?)",
                    st.start_line
                ))));
            }
            if st.closing.is_none() && !st.closing_dropped {
                return Err(at_end(ErrorKind::MissingField(format!(
                    "closing balance :62F:/:62M: in the statement that starts at line {} (truncated file?)",
                    st.start_line
                ))));
            }
            Format::Mt940
        };
        let Some(currency) = st.currency else {
            return Err(at_start(ErrorKind::MissingField(
                "statement currency (no opening balance or floor limit)".into(),
            )));
        };
        let statement_id = st.number.unwrap_or(st.transaction_ref);
        let mut prefix = String::with_capacity(statement_id.len() + 8);
        prefix.push_str(statement_id);
        if let Some(seq) = st.sequence {
            prefix.push('/');
            prefix.push_str(seq);
        }
        // Statement numbers count per account, so several accounts in one file share them;
        // line ids must stay unique in the import: repeats get `#2`, `#3`... Reported when the
        // account is the same (a statement sent twice, or a bank that does not number).
        match self.prefixes.get_mut(&prefix) {
            Some((first_account, seen)) => {
                *seen += 1;
                if first_account == account {
                    quirk(
                        &mut self.quirks,
                        QuirkKind::RepeatedNumber,
                        &prefix,
                        st.start_line,
                    );
                }
                let _ = write!(prefix, "#{seen}");
            }
            None => {
                self.prefixes
                    .insert(prefix.clone(), (account.to_string(), 1));
            }
        }
        let mut lines = st.lines;
        let base_len = prefix.len();
        for (n, line) in lines.iter_mut().enumerate() {
            let mut id = String::with_capacity(base_len + 8);
            id.push_str(&prefix);
            id.push('/');
            push_number(&mut id, n + 1);
            line.line_id = id;
        }
        let exponent = currency.exponent();
        for (totals, counted, side) in [
            (&st.debit_totals, st.debits, "D"),
            (&st.credit_totals, st.credits, "C"),
        ] {
            let Some(t) = totals else { continue };
            let what = if side == "D" { "debit" } else { "credit" };
            let counted_sum = i64::try_from(counted.1)
                .map(|s| format_minor(s, exponent))
                .unwrap_or_else(|_| counted.1.to_string());
            if t.currency != currency {
                self.findings.push(Finding {
                    severity: Severity::Warning,
                    location: Location::Line(t.line),
                    message: format!(
                        ":90{side}: is in {} but the statement is in {currency}",
                        t.currency
                    ),
                });
            } else if t.count != counted.0 || i128::from(t.amount_minor) != counted.1 {
                self.findings.push(Finding {
                    severity: Severity::Warning,
                    location: Location::Line(t.line),
                    message: format!(
                        ":90{side}: states {} {what} entries totalling {} {currency}, the statement has {} totalling {counted_sum} {currency}",
                        t.count,
                        format_minor(t.amount_minor, exponent),
                        counted.0
                    ),
                });
            }
        }
        self.statements.push(Statement {
            source: self.source.to_string(),
            format,
            account: account.to_string(),
            currency,
            statement_id: statement_id.to_string(),
            sequence: st.sequence.map(str::to_string),
            opening_balance: st.opening,
            closing_balance: st.closing,
            lines,
            reading: recon_model::Reading {
                encoding: None,
                deviations: st.deviations,
            },
        });
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(text: &str) -> Result<Parsed, ParseError> {
        parse("t.sta", text, &Limits::default())
    }

    fn d(y: i32, m: u32, day: u32) -> Date {
        Date::from_ymd_opt(y, m, day).unwrap()
    }

    const ING: &str = "0000 01INGBNL2AXXXX00001\r\n0000 01INGBNL2AXXXX00001\r\n940 00\r\n\
:20:MPBZ\r\n:25:0001234567\r\n:28C:000\r\n:60F:C100722EUR0,00\r\n\
:61:100722D25,03NTRFNONREF\r\n:86: RC AFREKENING\r\nBETREFT REKENING\r\n\
:61:1007230722RC1,00NTRFREF1//BANK1\r\nSUPPL\r\n\
:62F:C100723EUR3,47\r\n:86:D000004C000002D25,24C28,71\r\n-XXX\r\n";

    #[test]
    fn ing_with_preamble_and_trailer() {
        let p = run(ING).unwrap();
        assert_eq!(p.statements.len(), 1);
        let s = &p.statements[0];
        assert_eq!(s.format, Format::Mt940);
        assert_eq!(s.account, "0001234567");
        assert_eq!(s.statement_id, "000");
        assert_eq!(s.sequence, None);
        assert_eq!(s.currency.code(), "EUR");
        assert_eq!(s.opening_balance.unwrap().amount_minor, 0);
        assert_eq!(s.closing_balance.unwrap().amount_minor, 347);
        let l = &s.lines[0];
        assert_eq!(l.line_id, "000/1");
        assert_eq!(l.amount_minor, -2503);
        assert_eq!(l.booking_date, d(2010, 7, 22));
        assert_eq!(l.reference, None);
        assert_eq!(l.type_code.as_deref(), Some("NTRF"));
        assert_eq!(l.description, "RC AFREKENING BETREFT REKENING");
        let l = &s.lines[1];
        assert_eq!(
            l.amount_minor, -100,
            "RC is a reversal of a credit: money out"
        );
        assert_eq!(l.value_date, Some(d(2010, 7, 23)));
        assert_eq!(l.booking_date, d(2010, 7, 22));
        assert_eq!(l.reference.as_deref(), Some("REF1"));
        assert_eq!(l.bank_reference.as_deref(), Some("BANK1"));
        assert_eq!(l.description, "SUPPL");
        let info = &p.findings[0];
        assert_eq!(info.severity, Severity::Info);
        assert_eq!(info.location, Location::Line(1));
    }

    #[test]
    fn swift_blocks_and_several_messages() {
        let text = "{1:F01BANKBEBBAXXX0000000000}{2:O9400000000000BANKBEBBAXXX00000000000000000000N}{4:\n\
:20:A\n:25:ACC\n:28C:5/2\n:60M:D200101EUR1,\n:61:2001020101RD2,5NTRFNONREF\n:62M:C200102EUR1,50\n-}\n\
{1:F01BANKBEBBAXXX0000000000}{4::20:B\n:25:ACC\n:28C:6\n:60F:C200102JPY100,\n:62F:C200102JPY100,\n-}\n";
        let p = run(text).unwrap();
        assert_eq!(p.statements.len(), 2);
        let a = &p.statements[0];
        assert_eq!(a.sequence.as_deref(), Some("2"));
        assert_eq!(a.opening_balance.unwrap().amount_minor, -100);
        assert_eq!(a.lines[0].line_id, "5/2/1");
        assert_eq!(
            a.lines[0].amount_minor, 250,
            "RD is a reversal of a debit: money in"
        );
        assert_eq!(a.lines[0].booking_date, d(2020, 1, 1));
        let b = &p.statements[1];
        assert_eq!(b.currency.code(), "JPY");
        assert_eq!(b.closing_balance.unwrap().amount_minor, 100);
        assert!(p.findings.is_empty(), "{:?}", p.findings);
    }

    #[test]
    fn mt942_with_totals() {
        let text = ":20:X\n:25:ACC\n:28C:1/1\n:34F:EURD0,00\n:34F:EURC0,00\n:13D:1610301730+0000\n\
:61:1610301031D0,42NMSCNONREF//B1\nYAY\n:86:REMIT\n:61:161030C1,NMSCR2\n:90D:1EUR2,30\n:90C:1EUR1,\n";
        let p = run(text).unwrap();
        let s = &p.statements[0];
        assert_eq!(s.format, Format::Mt942);
        assert_eq!(s.opening_balance, None);
        assert_eq!(s.lines.len(), 2);
        assert_eq!(s.lines[0].description, "YAY REMIT");
        assert_eq!(p.findings.len(), 1, "{:?}", p.findings);
        assert_eq!(p.findings[0].severity, Severity::Warning);
        assert_eq!(
            p.findings[0].message,
            ":90D: states 1 debit entries totalling 2.30 EUR, the statement has 1 totalling 0.42 EUR"
        );
    }

    #[test]
    fn no_statement_line_id_from_20() {
        let p = run(":20:REF\n:25:A\n:60F:C200101EUR1,\n:61:200101C1,NTRFX\n:62F:C200101EUR2,\n")
            .unwrap();
        assert_eq!(p.statements[0].statement_id, "REF");
        assert_eq!(p.statements[0].lines[0].line_id, "REF/1");
    }

    #[test]
    fn repeated_numbers_get_unique_line_ids() {
        let one =
            ":20:R\n:25:A\n:28C:0\n:60F:C200101EUR1,\n:61:200101C1,NTRFX\n:62F:C200101EUR2,\n";
        let p = run(&format!("{one}{one}{one}")).unwrap();
        assert_eq!(p.statements[1].lines[0].line_id, "0#2/1");
        assert_eq!(p.statements[2].lines[0].line_id, "0#3/1");
        assert_eq!(p.findings.len(), 1);
        assert_eq!(
            p.findings[0].message,
            "statement number 0 of this account appears again (2 times, first here); line ids of a repeat read 0#2/1, 0#3/1..."
        );
        let other = one.replace(":25:A", ":25:B");
        let p = run(&format!("{one}{other}")).unwrap();
        assert_eq!(p.statements[1].lines[0].line_id, "0#2/1");
        assert!(p.findings.is_empty(), "other account: no finding");
    }

    #[test]
    fn unknown_tags_are_info() {
        let p = run(
            ":940:\n:20:R\n:25:A\n:NS:22Name\n23More\n:60F:C200101EUR1,\n:12:11\n:62F:C200101EUR1,\n",
        )
        .unwrap();
        let messages: Vec<_> = p.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(
            messages,
            [
                "non-standard tag :940: skipped",
                "non-standard tag :NS: skipped",
                "non-standard tag :12: skipped"
            ]
        );
    }

    fn error(text: &str) -> String {
        let e = parse_with("t.sta", text, &Limits::default(), ReadingMode::Strict).unwrap_err();
        format!("{}: {}", e.location, e.kind)
    }

    #[test]
    fn run_on_statements_and_other_currencies_are_read_when_tolerant() {
        let text = ":20:R
:25:A
:60F:C200101EUR1,
:61:200101C1,NTRFX
:62F:C200101EUR2,
:61:200102D0,50NTRFY
:62F:C200102EUR1,50
:60F:C200102EUR1,50
:62F:C200103USD1,50
";
        let p = run(text).unwrap();
        assert_eq!(p.statements.len(), 3);
        let second = &p.statements[1];
        assert_eq!(second.opening_balance.unwrap().amount_minor, 200);
        assert_eq!(second.lines[0].amount_minor, -50);
        assert_eq!(
            second.reading.deviations[0].code,
            "mt940.statement_without_20"
        );
        assert_eq!(second.reading.deviations[0].line, Some(6));
        let third = &p.statements[2];
        assert_eq!(third.closing_balance, None);
        let codes: Vec<_> = third
            .reading
            .deviations
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(
            codes,
            [
                "mt940.statement_without_20",
                "mt940.closing_balance_currency"
            ]
        );
        assert!(error(text).contains("out of place"), "{}", error(text));
    }

    #[test]
    fn broken_structure_names_the_line() {
        assert_eq!(
            error(":20:R\n:28C:1\n:60F:C200101EUR1,\n"),
            "line 2: missing :25: account identification in the statement that starts at line 1 (found :28C: first)"
        );
        assert_eq!(
            error(":20:R\n:25:A\n:60F:C200101EUR1,\n:61:200101C1,NTRFX\n:25:B\n"),
            "line 5: :25: out of place in the statement that starts at line 1: a statement has one account, right after :20:; a new statement must start with :20:"
        );
        assert_eq!(
            error(":20:R\n:25:A\n:61:200101C1,NTRFX\n"),
            "line 3: missing opening balance :60F:/:60M: (in MT942: floor limit :34F:) before the first :61: (statement at line 1)"
        );
        assert_eq!(
            error(":20:R\n:25:A\n:60F:C200101EUR1,\n:61:200101C1,NTRFX\n"),
            "line 4: missing closing balance :62F:/:62M: in the statement that starts at line 1 (truncated file?)"
        );
        assert_eq!(
            error("1\n2\n"),
            "line 1: no MT940/MT942 statement in the file (no :20: transaction reference)"
        );
        assert_eq!(
            error(":25:A\n"),
            "line 1: missing :20: transaction reference before :25: (every statement starts with :20:)"
        );
        assert_eq!(
            error(":20:R\n:25:A\n:60F:C200101EUR1,\n:62F:C200101USD1,\n"),
            "line 4: closing balance currency USD differs from the opening balance currency EUR"
        );
    }

    #[test]
    fn limits_are_enforced() {
        let limits = Limits {
            max_lines_per_statement: 1,
            ..Limits::default()
        };
        let text = ":20:R\n:25:A\n:60F:C200101EUR1,\n:61:200101C1,NTRFX\n:61:200101C1,NTRFX\n:62F:C200101EUR3,\n";
        let e = parse("t", text, &limits).unwrap_err();
        assert_eq!(e.location, Location::Line(5));
        let limits = Limits {
            max_field_bytes: 10,
            ..Limits::default()
        };
        let text = ":20:R\n:25:A\n:60F:C200101EUR1,\n:61:200101C1,NTRFX\n:86:0123456789ABC\n:62F:C200101EUR2,\n";
        let e = parse("t", text, &limits).unwrap_err();
        assert_eq!(e.kind, ErrorKind::FieldTooLong { limit: 10 });
    }

    proptest::proptest! {
        #[test]
        fn never_panics_on_mutations(
            cuts in proptest::collection::vec((0usize..400, 0usize..6, "[ -~\r\n?/äÜ]{0,6}"), 0..6)
        ) {
            let mut text = ING.replace(":86: RC", ":86:166?00GUT?20EREF+X?2\n1Y?32N?31DE1\n:86:/EREF/A/NAME/B/REMI/C");
            for (at, remove, insert) in cuts {
                let mut at = at.min(text.len());
                while !text.is_char_boundary(at) {
                    at -= 1;
                }
                let mut end = (at + remove).min(text.len());
                while !text.is_char_boundary(end) {
                    end -= 1;
                }
                text.replace_range(at..end, &insert);
            }
            let _ = run(&text);
        }
    }

    #[test]
    fn never_panics_on_truncations() {
        let text = ING;
        for end in 0..text.len() {
            if text.is_char_boundary(end) {
                let _ = run(&text[..end]);
            }
        }
    }
}
