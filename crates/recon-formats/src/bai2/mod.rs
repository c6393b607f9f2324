//! BAI2 importer (BAI Cash Management Balance Reporting Specifications, version 2).
//!
//! # Structure
//! `01` file header, then groups (`02` … `98`), each holding accounts (`03` … `49`) with their
//! transaction details (`16`). An `88` continues the record before it: its fields are read as if
//! they were on that record, so `…,190/` + `88,500000,,/` is type 190 with amount 500000, and the
//! lines of a 16 text continued on 88 records are joined with one space. Records end with `/` or
//! with their line (see [`records`] for how a `/` inside a text is told from a record end).
//!
//! # Integrity
//! Every trailer is verified, following the specification (and moov-io's reading of it, which
//! the sample files confirm):
//! - 49: control total = algebraic sum of every amount field of the account's 03 record (signed
//!   summary amounts) and 16 records (amounts as written, unsigned), continuations included;
//!   funds-type (availability) amounts and item counts are not part of it; a blank amount is 0.
//!   Record count = the account's records including its 03, 16, 88 and 49.
//! - 98: control total = sum of the group's account totals; number of accounts; record count
//!   including the 02, the 98 and every record between them.
//! - 99: control total = sum of the group totals; number of groups; record count including the
//!   01 and the 99.
//!
//! A mismatch rejects the file ([`ErrorKind::ControlTotal`], [`ErrorKind::RecordCount`], or
//! [`ErrorKind::Structure`] for the number of accounts or groups). [`parse_with`] and
//! [`TrailerCheck::Warn`] turn the mismatches into warnings instead, for files whose trailers are
//! known to be wrong (many production files have incorrect trailers).
//!
//! # Mapping
//! One [`Statement`] per 03 account section:
//! - `account` = customer account number; `currency` = the 03 currency, else the 02 group
//!   currency, else USD (the specification's default; an Info finding says so).
//! - `statement_id` = `<file id>/<as-of date YYYY-MM-DD>/<group>.<account>` with the 1-based
//!   position of the group in the file and of the account in its group: unique within the file
//!   (one group may list the same account twice) and stable across re-imports. `sequence` = None.
//! - `opening_balance` = summary type 010 (opening ledger), `closing_balance` = 015 (closing
//!   ledger), both dated the group's as-of date; None when absent. Available balances (040, 045)
//!   are not ledger balances and are never used for them (an Info finding notes them).
//! - Lines: one per 16 record. `amount_minor` = the amount in the currency's implied decimals,
//!   positive for credit type codes and negative for debit ones (see [`values::classify`]:
//!   100-399 and 920-959 credit, 400-699 and 960-999 debit). Codes to which BAI2 gives no
//!   direction (700-899) are imported as written, positive, with a Warning per statement and
//!   code; status codes (001-099, 900-919) in a 16 record reject the file.
//! - `type_code` = the three digits; `booking_date` = the group's as-of date; `value_date` = the
//!   date of a value-dated (`V`) funds type, else None; `bank_reference` = bank reference
//!   number, `reference` = customer reference number (None when blank); `description` = the
//!   text, trimmed, continuation lines joined with a space; `line_id` = `<statement_id>/<n>`, n
//!   the 1-based position of the line in its statement.
//!
//! Findings: group status 2 (deletion), 3 (correction) and 4 (test only) are imported with a
//! Warning; a summary total of credits (100) or debits (400) with an item count that the 16
//! records do not add up to is an Info.

// `ParseError` is the crate's error type and the signature of `parse` is fixed; boxing it would
// be a crate-wide decision.
#![allow(clippy::result_large_err)]

mod records;
mod values;

use crate::{
    ErrorKind, Finding, Limits, Location, ParseError, Parsed, ReadingMode, Severity,
    deviation_at_line, excerpt,
};
use recon_model::{
    AmountError, Balance, Currency, Date, Deviation, Format, Statement, StatementLine,
};
use records::{Code, Fields, Piece, RawRecord, Splitter, line_at};
use values::Class;

/// What to do when a trailer's control total, record count or number of accounts / groups does
/// not match the records.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Default)]
pub enum TrailerCheck {
    /// Reject the file (the default, and what [`parse`] does).
    #[default]
    Strict,
    /// Import it and report each mismatch as a Warning finding.
    Warn,
}

/// Options of the BAI2 importer beyond the common [`Limits`].
#[derive(Clone, Debug, Default)]
pub struct Bai2Options {
    pub trailer_check: TrailerCheck,
    /// Strict refuses the dialects that tolerant reading records as deviations: a time written
    /// `14:59:35` (`bai2.time_with_colons`), a blank control total in a 49 account trailer
    /// (`bai2.blank_control_total`), a summary amount without its type code in an 03 record
    /// (`bai2.summary_without_type_code`). Trailer mismatches under [`TrailerCheck::Warn`] are
    /// recorded as `bai2.trailer_mismatch` either way.
    pub reading: ReadingMode,
}

/// Parses a decoded BAI2 file into statements, verifying every trailer.
pub fn parse(source: &str, text: &str, limits: &Limits) -> Result<Parsed, ParseError> {
    parse_with(source, text, limits, &Bai2Options::default())
}

/// [`parse`] with BAI2-specific options.
pub fn parse_with(
    source: &str,
    text: &str,
    limits: &Limits,
    options: &Bai2Options,
) -> Result<Parsed, ParseError> {
    let mut parser = Parser {
        source,
        text,
        limits,
        options,
        out: Parsed::default(),
        code: None,
        pieces: Vec::with_capacity(8),
        physical: 0,
        logical_bytes: 0,
        last_terminated: true,
        file: None,
        group: None,
        account: None,
        closed: false,
        wrapped_lines: 0,
        deviations: Vec::new(),
        group_first_statement: 0,
    };
    let mut last: Option<(u64, usize)> = None;
    for raw in Splitter::new(text) {
        last = Some((raw.line, raw.line_start));
        parser.feed(raw)?;
    }
    parser.finish(last)?;
    let mut out = parser.out;
    for (range, deviation) in parser.deviations {
        let end = range.end.min(out.statements.len());
        for s in out
            .statements
            .get_mut(range.start.min(end)..end)
            .unwrap_or_default()
        {
            s.reading.deviations.push(deviation.clone());
        }
    }
    Ok(out)
}

/// At most this many "line without a record code" warnings per file; then one summary.
const WRAPPED_WARNINGS: u64 = 20;

struct Parser<'a, 'o> {
    source: &'a str,
    text: &'a str,
    limits: &'o Limits,
    options: &'o Bai2Options,
    out: Parsed,
    /// The logical record being assembled: its type, pieces and physical record count.
    code: Option<Code>,
    pieces: Vec<Piece<'a>>,
    physical: u64,
    logical_bytes: usize,
    last_terminated: bool,
    file: Option<FileState>,
    group: Option<GroupState>,
    account: Option<AccountState>,
    /// A 99 file trailer was read.
    closed: bool,
    wrapped_lines: u64,
    /// Deviations and the statements (by index) they are about.
    deviations: Vec<(std::ops::Range<usize>, Deviation)>,
    /// Index of the current group's first statement.
    group_first_statement: usize,
}

struct FileState {
    id: String,
    records: u64,
    groups: u64,
    total: i128,
}

struct GroupState {
    index: u64,
    line: u64,
    as_of: Date,
    currency: Option<Currency>,
    default_currency_noted: bool,
    records: u64,
    accounts: u64,
    total: i128,
}

struct AccountState {
    line: u64,
    currency: Currency,
    records: u64,
    total: i128,
    credits: (i128, u64),
    debits: (i128, u64),
    /// Summary 100 (total credits) and 400 (total debits): amount and item count.
    summary_credits: Option<(i128, Option<u64>, u64)>,
    summary_debits: Option<(i128, Option<u64>, u64)>,
    /// Type codes without a direction: code, first line, number of lines.
    unclassified: Vec<(u16, u64, u64)>,
}

fn code_name(code: Code) -> &'static str {
    match code {
        Code::FileHeader => "01 file header",
        Code::GroupHeader => "02 group header",
        Code::Account => "03 account identifier",
        Code::Detail => "16 transaction detail",
        Code::Continuation => "88 continuation",
        Code::AccountTrailer => "49 account trailer",
        Code::GroupTrailer => "98 group trailer",
        Code::FileTrailer => "99 file trailer",
        Code::Wrapped => "line without a record code",
    }
}

fn structure(message: impl Into<String>) -> ErrorKind {
    ErrorKind::Structure(message.into())
}

fn invalid_amount(text: &str, reason: AmountError) -> ErrorKind {
    ErrorKind::InvalidAmount {
        text: text.trim_matches(' ').to_string(),
        reason,
    }
}

fn invalid_date(text: &str, reason: String) -> ErrorKind {
    ErrorKind::InvalidDate {
        text: text.trim_matches(' ').to_string(),
        reason,
    }
}

/// `amount_minor` in the currency as `1234.56 USD`, or the raw number when it does not fit.
fn show(amount: i128, currency: Currency) -> String {
    match i64::try_from(amount) {
        Ok(a) => format!(
            "{} {currency}",
            recon_model::format_minor(a, currency.exponent())
        ),
        Err(_) => amount.to_string(),
    }
}

fn push_decimal(out: &mut String, mut n: u64) {
    let mut buf = [0u8; 20];
    let mut i = buf.len();
    loop {
        i -= 1;
        buf[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for &b in &buf[i..] {
        out.push(char::from(b));
    }
}

/// Blank fields are None; others are trimmed copies.
fn optional_text(field: &str) -> Option<String> {
    let t = field.trim();
    (!t.is_empty()).then(|| t.to_string())
}

impl<'a> Parser<'a, '_> {
    fn error_at(&self, kind: ErrorKind, piece: Piece<'_>) -> ParseError {
        ParseError::new(
            kind,
            Location::Line(piece.line),
            excerpt(line_at(self.text, piece.line_start)),
        )
    }

    fn finding(&mut self, severity: Severity, line: u64, message: String) {
        self.out.findings.push(Finding {
            severity,
            location: Location::Line(line),
            message,
        });
    }

    /// A trailer mismatch: an error, or a deviation (`bai2.trailer_mismatch`, naming the trailer
    /// and both figures) on the statements the trailer covers under [`TrailerCheck::Warn`].
    fn mismatch(
        &mut self,
        kind: ErrorKind,
        piece: Piece<'_>,
        statements: std::ops::Range<usize>,
    ) -> Result<(), ParseError> {
        match self.options.trailer_check {
            TrailerCheck::Strict => Err(self.error_at(kind, piece)),
            TrailerCheck::Warn => {
                let d = deviation_at_line(
                    "bai2.trailer_mismatch",
                    piece.line,
                    line_at(self.text, piece.line_start),
                    format!("{kind}; every transaction record is well formed, so the file is read"),
                );
                self.deviations.push((statements, d));
                Ok(())
            }
        }
    }

    fn tolerant(&self) -> bool {
        self.options.reading == ReadingMode::Tolerant
    }

    /// Records a deviation about the statements in `statements`.
    fn deviate(
        &mut self,
        code: &str,
        piece: Piece<'_>,
        statements: std::ops::Range<usize>,
        message: String,
    ) {
        let d = deviation_at_line(
            code,
            piece.line,
            line_at(self.text, piece.line_start),
            message,
        );
        self.deviations.push((statements, d));
    }

    fn feed(&mut self, raw: RawRecord<'a>) -> Result<(), ParseError> {
        let piece = Piece {
            content: raw.content,
            line: raw.line,
            line_start: raw.line_start,
        };
        match raw.code {
            Code::Continuation => {
                let Some(parent) = self.code else {
                    return Err(self.error_at(
                        structure("88 continuation record with no record before it to continue"),
                        piece,
                    ));
                };
                let _ = parent;
                self.physical += 1;
            }
            Code::Wrapped => {
                let continues_text = self.code == Some(Code::Detail) && !self.last_terminated;
                if !continues_text {
                    let kind = if self.file.is_none() && self.code.is_none() {
                        structure(
                            "a BAI2 file starts with an 01 file header record (\"01,\"); \
                             this line does not",
                        )
                    } else {
                        structure(
                            "line does not start with a BAI2 record code \
                             (01, 02, 03, 16, 49, 88, 98 or 99, then a comma)",
                        )
                    };
                    return Err(self.error_at(kind, piece));
                }
                self.wrapped_lines += 1;
                if self.wrapped_lines <= WRAPPED_WARNINGS {
                    let first = self.pieces.first().map_or(raw.line, |p| p.line);
                    self.finding(
                        Severity::Warning,
                        raw.line,
                        format!(
                            "line does not start with a record code; read as the continuation \
                             of the text of the 16 transaction detail at line {first}"
                        ),
                    );
                }
            }
            code => {
                self.flush()?;
                self.code = Some(code);
                self.pieces.clear();
                self.physical = 1;
                self.logical_bytes = 0;
            }
        }
        self.logical_bytes = self.logical_bytes.saturating_add(raw.content.len() + 1);
        if self.logical_bytes > self.limits.max_field_bytes {
            return Err(self.error_at(
                ErrorKind::FieldTooLong {
                    limit: self.limits.max_field_bytes,
                },
                piece,
            ));
        }
        self.pieces.push(piece);
        self.last_terminated = raw.terminated;
        Ok(())
    }

    /// Processes the logical record assembled so far.
    fn flush(&mut self) -> Result<(), ParseError> {
        let Some(code) = self.code.take() else {
            return Ok(());
        };
        let pieces = std::mem::take(&mut self.pieces);
        let physical = self.physical;
        let result = self.process(code, &pieces, physical);
        self.pieces = pieces;
        self.pieces.clear();
        result
    }

    fn process(
        &mut self,
        code: Code,
        pieces: &[Piece<'a>],
        physical: u64,
    ) -> Result<(), ParseError> {
        let Some(&first) = pieces.first() else {
            return Ok(());
        };
        if self.closed {
            return Err(self.error_at(
                structure(format!(
                    "{} record after the 99 file trailer",
                    code_name(code)
                )),
                first,
            ));
        }
        if self.file.is_none() && code != Code::FileHeader {
            return Err(self.error_at(
                structure(format!(
                    "a BAI2 file starts with an 01 file header record; found a {} record",
                    code_name(code)
                )),
                first,
            ));
        }
        match code {
            Code::FileHeader => self.file_header(pieces, physical),
            Code::GroupHeader => self.group_header(pieces, physical),
            Code::Account => self.account_header(pieces, physical),
            Code::Detail => self.detail(pieces, physical),
            Code::AccountTrailer => self.account_trailer(pieces, physical),
            Code::GroupTrailer => self.group_trailer(pieces, physical),
            Code::FileTrailer => self.file_trailer(pieces, physical),
            Code::Continuation | Code::Wrapped => Ok(()),
        }
    }

    /// Adds records to every open envelope.
    fn count(&mut self, n: u64) {
        if let Some(f) = &mut self.file {
            f.records = f.records.saturating_add(n);
        }
        if let Some(g) = &mut self.group {
            g.records = g.records.saturating_add(n);
        }
        if let Some(a) = &mut self.account {
            a.records = a.records.saturating_add(n);
        }
    }

    fn account_number(&self) -> &str {
        self.out
            .statements
            .last()
            .map_or("", |s| s.account.as_str())
    }

    /// `what` may not come while an account is open.
    fn no_open_account(&self, what: &str, at: Piece<'_>) -> Result<(), ParseError> {
        match &self.account {
            Some(a) => Err(self.error_at(
                structure(format!(
                    "{what}, but account {} (03 at line {}) has no 49 account trailer",
                    self.account_number(),
                    a.line
                )),
                at,
            )),
            None => Ok(()),
        }
    }

    /// `what` may not come while a group is open.
    fn no_open_group(&self, what: &str, at: Piece<'_>) -> Result<(), ParseError> {
        self.no_open_account(what, at)?;
        match &self.group {
            Some(g) => Err(self.error_at(
                structure(format!(
                    "{what}, but the group at line {} has no 98 group trailer",
                    g.line
                )),
                at,
            )),
            None => Ok(()),
        }
    }

    fn required_date(
        &self,
        fields: &Fields<'_, 'a>,
        field: &str,
        what: &str,
    ) -> Result<Date, ParseError> {
        if field.trim_matches(' ').is_empty() {
            return Err(self.error_at(ErrorKind::MissingField(what.to_string()), fields.piece()));
        }
        values::date(field)
            .map_err(|reason| self.error_at(invalid_date(field, reason), fields.piece()))
    }

    /// A time field; tolerant reading also takes `HH:MM:SS` / `HH:MM` (a deviation about the
    /// statements that follow: `range`).
    fn check_time(
        &mut self,
        fields: &Fields<'_, 'a>,
        field: &str,
        range: std::ops::Range<usize>,
    ) -> Result<(), ParseError> {
        match values::time(field) {
            Ok(()) => Ok(()),
            Err(reason) => {
                let compact: String = field.trim_matches(' ').replace(':', "");
                let colons = field.trim_matches(' ').len() - compact.len();
                let hhmm = compact.get(..4).unwrap_or("");
                let seconds_ok = compact
                    .get(4..)
                    .is_none_or(|s| s.is_empty() || (s.len() == 2 && s < "60"));
                if self.tolerant()
                    && (1..=2).contains(&colons)
                    && compact.bytes().all(|b| b.is_ascii_digit())
                    && seconds_ok
                    && values::time(hhmm).is_ok()
                {
                    self.deviate(
                        "bai2.time_with_colons",
                        fields.piece(),
                        range,
                        format!(
                            "time {:?} written with colons (BAI2: HHMM); read as {hhmm}",
                            field.trim_matches(' ')
                        ),
                    );
                    return Ok(());
                }
                Err(self.error_at(invalid_date(field, reason), fields.piece()))
            }
        }
    }

    fn file_header(&mut self, pieces: &[Piece<'a>], physical: u64) -> Result<(), ParseError> {
        if self.file.is_some() {
            return Err(self.error_at(
                structure("a second 01 file header inside the file (one file per import)"),
                pieces[0],
            ));
        }
        let mut f = Fields::new(pieces);
        let _sender = f.optional();
        let _receiver = f.optional();
        let created = f.optional();
        self.required_date(&f, created, "file creation date in the 01 file header")?;
        let time = f.optional();
        self.check_time(&f, time, 0..usize::MAX)?;
        let id = f.optional().trim();
        if id.is_empty() {
            return Err(self.error_at(
                ErrorKind::MissingField("file identification number in the 01 file header".into()),
                f.piece(),
            ));
        }
        let id = id.to_string();
        let _record_length = f.optional();
        let _block_size = f.optional();
        let version = f.optional().trim();
        match version {
            "2" => {}
            "3" => self.finding(
                Severity::Warning,
                f.piece().line,
                "the 01 file header says version 3 (BTRS); read as BAI2 version 2".into(),
            ),
            other => {
                return Err(self.error_at(
                    structure(format!(
                        "the 01 file header says version {other:?}; only BAI2 version 2 is read"
                    )),
                    f.piece(),
                ));
            }
        }
        self.file = Some(FileState {
            id,
            records: 0,
            groups: 0,
            total: 0,
        });
        self.count(physical);
        Ok(())
    }

    fn group_header(&mut self, pieces: &[Piece<'a>], physical: u64) -> Result<(), ParseError> {
        self.no_open_group("02 group header", pieces[0])?;
        let mut f = Fields::new(pieces);
        let _ultimate_receiver = f.optional();
        let _originator = f.optional();
        let status = f.optional().trim_matches(' ');
        let status_piece = f.piece();
        let as_of = f.optional();
        let as_of = self.required_date(&f, as_of, "as-of date in the 02 group header")?;
        let time = f.optional();
        let from = self.out.statements.len();
        self.check_time(&f, time, from..usize::MAX)?;
        let currency = f.optional().trim_matches(' ');
        let currency = if currency.is_empty() {
            None
        } else {
            Some(Currency::from_code(currency).map_err(|_| {
                self.error_at(ErrorKind::UnknownCurrency(currency.to_string()), f.piece())
            })?)
        };
        let _as_of_modifier = f.optional();
        match status {
            "" | "1" => {}
            "2" | "3" | "4" => {
                let meaning = match status {
                    "2" => "deletion: it withdraws data reported before",
                    "3" => "correction: it replaces data reported before",
                    _ => "test only",
                };
                self.finding(
                    Severity::Warning,
                    status_piece.line,
                    format!("group status {status} ({meaning}); imported as reported"),
                );
            }
            other => {
                return Err(self.error_at(
                    structure(format!(
                        "invalid group status {other:?} in the 02 group header \
                         (1 update, 2 deletion, 3 correction, 4 test only)"
                    )),
                    status_piece,
                ));
            }
        }
        let index = match &mut self.file {
            Some(file) => {
                file.groups += 1;
                file.groups
            }
            None => 1,
        };
        self.group_first_statement = self.out.statements.len();
        self.group = Some(GroupState {
            index,
            line: pieces[0].line,
            as_of,
            currency,
            default_currency_noted: false,
            records: 0,
            accounts: 0,
            total: 0,
        });
        self.count(physical);
        Ok(())
    }

    fn account_header(&mut self, pieces: &[Piece<'a>], physical: u64) -> Result<(), ParseError> {
        let first = pieces[0];
        self.no_open_account("03 account identifier", first)?;
        let Some(group) = &self.group else {
            return Err(self.error_at(
                structure("03 account identifier outside a group (no 02 group header before it)"),
                first,
            ));
        };
        let (group_index, group_line, as_of, group_currency) =
            (group.index, group.line, group.as_of, group.currency);
        let mut f = Fields::new(pieces);
        let number = f.optional().trim();
        if number.is_empty() {
            return Err(self.error_at(
                ErrorKind::MissingField(
                    "customer account number in the 03 account identifier".into(),
                ),
                f.piece(),
            ));
        }
        if number.len() > self.limits.max_field_bytes {
            return Err(self.error_at(
                ErrorKind::FieldTooLong {
                    limit: self.limits.max_field_bytes,
                },
                f.piece(),
            ));
        }
        let currency_text = f.optional().trim_matches(' ');
        let currency = if currency_text.is_empty() {
            match group_currency {
                Some(c) => c,
                None => {
                    let usd = Currency::from_code("USD").map_err(|_| {
                        self.error_at(ErrorKind::UnknownCurrency("USD".into()), first)
                    })?;
                    let first_time = match &mut self.group {
                        Some(g) => !std::mem::replace(&mut g.default_currency_noted, true),
                        None => false,
                    };
                    if first_time {
                        self.finding(
                            Severity::Info,
                            first.line,
                            format!(
                                "neither the 02 group header (line {group_line}) nor the 03 \
                                 account identifier names a currency; BAI2's default USD applies"
                            ),
                        );
                    }
                    usd
                }
            }
        } else {
            Currency::from_code(currency_text).map_err(|_| {
                self.error_at(
                    ErrorKind::UnknownCurrency(currency_text.to_string()),
                    f.piece(),
                )
            })?
        };

        let mut total: i128 = 0;
        let mut opening: Option<i64> = None;
        let mut closing: Option<i64> = None;
        let mut available: [Option<i128>; 2] = [None, None];
        let mut summary_credits = None;
        let mut summary_debits = None;
        while let Some(code_text) = f.next_field() {
            let code_piece = f.piece();
            let amount_text = f.optional();
            let count_text = f.optional();
            let funds_text = f.optional();
            if code_text.trim_matches(' ').is_empty() {
                if amount_text.trim_matches(' ').is_empty() {
                    // A wholly defaulted summary: nothing reported.
                    self.funds_extras(&mut f, funds_text, true)?;
                    continue;
                }
                if self.tolerant()
                    && let Ok(Some(amount)) = values::amount(amount_text, true)
                {
                    // Counted in the control total like any summary amount, used for nothing.
                    self.funds_extras(&mut f, funds_text, true)?;
                    total = total.saturating_add(amount);
                    let at = self.out.statements.len();
                    self.deviate(
                        "bai2.summary_without_type_code",
                        code_piece,
                        at..at + 1,
                        format!(
                            "summary amount {:?} without its type code in the 03 account identifier; not used as a balance",
                            amount_text.trim_matches(' ')
                        ),
                    );
                    continue;
                }
                return Err(self.error_at(
                    ErrorKind::MissingField(format!(
                        "type code for the summary amount {:?} in the 03 account identifier",
                        amount_text.trim_matches(' ')
                    )),
                    code_piece,
                ));
            }
            let Some(code) = values::type_code(code_text) else {
                return Err(self.error_at(
                    structure(format!(
                        "invalid type code {:?} in the 03 account identifier (three digits expected)",
                        code_text.trim_matches(' ')
                    )),
                    code_piece,
                ));
            };
            let amount = values::amount(amount_text, true)
                .map_err(|reason| self.error_at(invalid_amount(amount_text, reason), f.piece()))?;
            let items = if count_text.trim_matches(' ').is_empty() {
                None
            } else {
                Some(values::count(count_text).ok_or_else(|| {
                    self.error_at(
                        structure(format!(
                            "invalid item count {:?} for type {code_text} in the 03 account identifier",
                            count_text.trim_matches(' ')
                        )),
                        f.piece(),
                    )
                })?)
            };
            self.funds_extras(&mut f, funds_text, true)?;
            let Some(amount) = amount else {
                continue;
            };
            total = total.checked_add(amount).ok_or_else(|| {
                self.error_at(
                    invalid_amount(amount_text, AmountError::Overflow),
                    code_piece,
                )
            })?;
            let fits = |a: i128| {
                i64::try_from(a).map_err(|_| {
                    self.error_at(
                        invalid_amount(amount_text, AmountError::Overflow),
                        code_piece,
                    )
                })
            };
            match code {
                10 if opening.is_none() => opening = Some(fits(amount)?),
                15 if closing.is_none() => closing = Some(fits(amount)?),
                40 => available[0] = available[0].or(Some(amount)),
                45 => available[1] = available[1].or(Some(amount)),
                100 => summary_credits = Some((amount, items, code_piece.line)),
                400 => summary_debits = Some((amount, items, code_piece.line)),
                _ => {}
            }
        }

        for (balance, code, avail, avail_code, what) in [
            (opening, "010", available[0], "040", "opening"),
            (closing, "015", available[1], "045", "closing"),
        ] {
            if balance.is_none()
                && let Some(a) = avail
            {
                self.finding(
                    Severity::Info,
                    first.line,
                    format!(
                        "account {number}: no {what} ledger balance (type {code}); the {what} \
                         available balance (type {avail_code}) {} is not a ledger balance and is \
                         not used as the {what} balance",
                        show(a, currency)
                    ),
                );
            }
        }

        let (statement_index, file_id_len) = match (&mut self.group, &self.file) {
            (Some(g), Some(file)) => {
                g.accounts += 1;
                (g.accounts, file.id.len())
            }
            _ => (1, 0),
        };
        if self.out.statements.len() >= self.limits.max_statements_per_file {
            return Err(self.error_at(
                ErrorKind::TooMany {
                    what: "statements",
                    limit: self.limits.max_statements_per_file,
                },
                first,
            ));
        }
        let mut statement_id = String::with_capacity(file_id_len + 24);
        if let Some(file) = &self.file {
            statement_id.push_str(&file.id);
        }
        statement_id.push('/');
        statement_id.push_str(&as_of.to_string());
        statement_id.push('/');
        push_decimal(&mut statement_id, group_index);
        statement_id.push('.');
        push_decimal(&mut statement_id, statement_index);

        self.out.statements.push(Statement {
            source: self.source.to_string(),
            format: Format::Bai2,
            account: number.to_string(),
            currency,
            statement_id,
            sequence: None,
            opening_balance: opening.map(|amount_minor| Balance {
                date: as_of,
                amount_minor,
            }),
            closing_balance: closing.map(|amount_minor| Balance {
                date: as_of,
                amount_minor,
            }),
            lines: Vec::new(),
            reading: recon_model::Reading::default(),
        });
        self.account = Some(AccountState {
            line: first.line,
            currency,
            records: 0,
            total,
            credits: (0, 0),
            debits: (0, 0),
            summary_credits,
            summary_debits,
            unclassified: Vec::new(),
        });
        self.count(physical);
        Ok(())
    }

    /// Reads the fields that follow a funds type, validating them. Their amounts are
    /// availability, not part of any control total. Returns the value date of a `V` funds type.
    fn funds_extras(
        &self,
        f: &mut Fields<'_, 'a>,
        funds: &str,
        signed: bool,
    ) -> Result<Option<Date>, ParseError> {
        let funds = funds.trim_matches(' ');
        let amount = |f: &Fields<'_, 'a>, text: &str| {
            values::amount(text, signed)
                .map(|_| ())
                .map_err(|reason| self.error_at(invalid_amount(text, reason), f.piece()))
        };
        match funds.as_bytes() {
            [] | [b'0' | b'1' | b'2' | b'Z' | b'z'] => Ok(None),
            [b'V' | b'v'] => {
                let date = f.optional();
                let date =
                    self.required_date(f, date, "value date of the V (value dated) funds type")?;
                let time = f.optional();
                values::time(time)
                    .map_err(|reason| self.error_at(invalid_date(time, reason), f.piece()))?;
                Ok(Some(date))
            }
            [b'S' | b's'] => {
                for _ in 0..3 {
                    let text = f.optional();
                    amount(f, text)?;
                }
                Ok(None)
            }
            [b'D' | b'd'] => {
                let n_text = f.optional();
                let n = values::count(n_text).ok_or_else(|| {
                    self.error_at(
                        structure(format!(
                            "invalid number of distributions {:?} after funds type D",
                            n_text.trim_matches(' ')
                        )),
                        f.piece(),
                    )
                })?;
                for _ in 0..n {
                    let (Some(days), Some(text)) = (f.next_field(), f.next_field()) else {
                        return Err(self.error_at(
                            ErrorKind::MissingField(format!(
                                "availability distribution: funds type D announces {n} \
                                 (days, amount) pairs"
                            )),
                            f.piece(),
                        ));
                    };
                    if values::count(days).is_none() {
                        return Err(self.error_at(
                            structure(format!(
                                "invalid availability days {:?} in a D funds type",
                                days.trim_matches(' ')
                            )),
                            f.piece(),
                        ));
                    }
                    amount(f, text)?;
                }
                Ok(None)
            }
            _ => Err(self.error_at(
                structure(format!(
                    "unknown funds type {funds:?} (expected 0, 1, 2, S, V, D, Z or blank)"
                )),
                f.piece(),
            )),
        }
    }

    fn detail(&mut self, pieces: &[Piece<'a>], physical: u64) -> Result<(), ParseError> {
        let first = pieces[0];
        if self.account.is_none() {
            return Err(self.error_at(
                structure(
                    "16 transaction detail outside an account (no 03 account identifier before it)",
                ),
                first,
            ));
        }
        let mut f = Fields::new(pieces);
        let code_text = f.optional();
        let code_piece = f.piece();
        if code_text.trim_matches(' ').is_empty() {
            return Err(self.error_at(
                ErrorKind::MissingField("type code in the 16 transaction detail".into()),
                code_piece,
            ));
        }
        let Some(code) = values::type_code(code_text) else {
            return Err(self.error_at(
                structure(format!(
                    "invalid type code {:?} in the 16 transaction detail (three digits expected)",
                    code_text.trim_matches(' ')
                )),
                code_piece,
            ));
        };
        let class = values::classify(code);
        if class == Class::Status {
            return Err(self.error_at(
                structure(format!(
                    "type code {code:03} is an account status (balance) code, not a transaction; \
                     a 16 transaction detail needs a credit (100-399, 920-959) or debit \
                     (400-699, 960-999) code"
                )),
                code_piece,
            ));
        }
        let amount_text = f.optional();
        let amount = match values::amount_i64(amount_text, false) {
            Ok(Some(a)) => a,
            Ok(None) => {
                return Err(self.error_at(
                    ErrorKind::MissingField("amount in the 16 transaction detail".into()),
                    f.piece(),
                ));
            }
            Err(reason) => {
                return Err(self.error_at(invalid_amount(amount_text, reason), f.piece()));
            }
        };
        let funds = f.optional();
        let value_date = self.funds_extras(&mut f, funds, false)?;
        let bank_reference = f.optional();
        let reference = f.optional();
        let limit = self.limits.max_field_bytes;
        let mut description = String::new();
        for part in f.rest_parts() {
            let part_text = part.content.trim();
            if part_text.is_empty() {
                continue;
            }
            if !description.is_empty() {
                description.push(' ');
            }
            description.push_str(part_text);
            if description.len() > limit {
                return Err(self.error_at(ErrorKind::FieldTooLong { limit }, part));
            }
        }
        if bank_reference.len() > limit || reference.len() > limit {
            return Err(self.error_at(ErrorKind::FieldTooLong { limit }, first));
        }

        let Some(account) = &mut self.account else {
            return Ok(());
        };
        let signed = match class {
            Class::Debit => {
                account.debits.0 += i128::from(amount);
                account.debits.1 += 1;
                -amount
            }
            Class::Credit => {
                account.credits.0 += i128::from(amount);
                account.credits.1 += 1;
                amount
            }
            Class::Status | Class::Unclassified => {
                match account.unclassified.iter_mut().find(|u| u.0 == code) {
                    Some(u) => u.2 += 1,
                    None => account.unclassified.push((code, first.line, 1)),
                }
                amount
            }
        };
        account.total = account.total.saturating_add(i128::from(amount));
        let Some(statement) = self.out.statements.last_mut() else {
            return Ok(());
        };
        if statement.lines.len() >= self.limits.max_lines_per_statement {
            let limit = self.limits.max_lines_per_statement;
            return Err(self.error_at(
                ErrorKind::TooMany {
                    what: "lines in one statement",
                    limit,
                },
                first,
            ));
        }
        let mut line_id = String::with_capacity(statement.statement_id.len() + 8);
        line_id.push_str(&statement.statement_id);
        line_id.push('/');
        push_decimal(&mut line_id, statement.lines.len() as u64 + 1);
        let booking_date = self.group.as_ref().map_or(Date::MIN, |g| g.as_of);
        let mut type_code = String::with_capacity(3);
        type_code.push_str(code_text.trim_matches(' '));
        statement.lines.push(StatementLine {
            line_id,
            booking_date,
            value_date,
            amount_minor: signed,
            reference: optional_text(reference),
            bank_reference: optional_text(bank_reference),
            servicer_reference: None,
            counterparty: None,
            counterparty_account: None,
            description,
            type_code: Some(type_code),
            details: Vec::new(),
        });
        self.count(physical);
        Ok(())
    }

    fn account_trailer(&mut self, pieces: &[Piece<'a>], physical: u64) -> Result<(), ParseError> {
        let first = pieces[0];
        if self.account.is_none() {
            return Err(self.error_at(
                structure("49 account trailer without an 03 account identifier before it"),
                first,
            ));
        }
        self.count(physical);
        let mut f = Fields::new(pieces);
        let total_text = f.optional();
        let total_piece = f.piece();
        let this = self.out.statements.len().saturating_sub(1)..self.out.statements.len();
        let stated_total = if self.tolerant() && total_text.trim_matches(' ').is_empty() {
            self.deviate(
                "bai2.blank_control_total",
                total_piece,
                this.clone(),
                "blank account control total in the 49 account trailer; not checked".into(),
            );
            None
        } else {
            Some(self.stated_total(
                total_text,
                total_piece,
                "account control total in the 49 account trailer",
            )?)
        };
        let records_text = f.optional();
        let stated_records = self.stated_count(
            records_text,
            f.piece(),
            "number of records in the 49 account trailer",
        )?;
        let Some(account) = self.account.take() else {
            return Ok(());
        };
        let number = self.account_number().to_string();
        let record = format!("49 account trailer for account {number}");
        if let Some(stated_total) = stated_total
            && stated_total != account.total
        {
            self.mismatch(
                ErrorKind::ControlTotal {
                    record: record.clone(),
                    stated: stated_total.to_string(),
                    computed: account.total.to_string(),
                },
                total_piece,
                this.clone(),
            )?;
        }
        if stated_records != account.records {
            self.mismatch(
                ErrorKind::RecordCount {
                    record,
                    stated: stated_records,
                    counted: account.records,
                },
                first,
                this,
            )?;
        }
        self.account_findings(&account, &number);
        if let Some(g) = &mut self.group {
            g.total = g.total.saturating_add(account.total);
        }
        Ok(())
    }

    /// Statement-level findings: unclassified type codes, summary totals (with an item count)
    /// that differ from the detail records.
    fn account_findings(&mut self, account: &AccountState, number: &str) {
        for &(code, line, n) in &account.unclassified {
            let kind = if (700..=799).contains(&code) {
                "a loan code (700-799), whose direction BAI2 does not fix by range"
            } else {
                "not assigned by BAI2, neither a credit nor a debit code"
            };
            self.finding(
                Severity::Warning,
                line,
                format!(
                    "account {number}: type code {code:03} ({n} line(s), first here) is {kind}; \
                     amounts imported as written, as credits (+)"
                ),
            );
        }
        let currency = account.currency;
        for (summary, detail, code, what) in [
            (account.summary_credits, account.credits, "100", "credits"),
            (account.summary_debits, account.debits, "400", "debits"),
        ] {
            // Only a summary with an item count claims to cover the details: without one,
            // totals routinely include items that are not detailed.
            let Some((amount, Some(items), line)) = summary else {
                continue;
            };
            if amount != detail.0 || items != detail.1 {
                self.finding(
                    Severity::Info,
                    line,
                    format!(
                        "account {number}: total {what} (type {code}) are {} in {items} \
                         item(s), but the 16 transaction details add up to {} in {} item(s)",
                        show(amount, currency),
                        show(detail.0, currency),
                        detail.1
                    ),
                );
            }
        }
    }

    fn stated_total(&self, text: &str, piece: Piece<'_>, what: &str) -> Result<i128, ParseError> {
        match values::amount(text, true) {
            Ok(Some(v)) => Ok(v),
            Ok(None) => Err(self.error_at(ErrorKind::MissingField(what.to_string()), piece)),
            Err(reason) => Err(self.error_at(invalid_amount(text, reason), piece)),
        }
    }

    fn stated_count(&self, text: &str, piece: Piece<'_>, what: &str) -> Result<u64, ParseError> {
        if text.trim_matches(' ').is_empty() {
            return Err(self.error_at(ErrorKind::MissingField(what.to_string()), piece));
        }
        values::count(text).ok_or_else(|| {
            self.error_at(
                structure(format!("invalid {what}: {:?}", text.trim_matches(' '))),
                piece,
            )
        })
    }

    fn group_trailer(&mut self, pieces: &[Piece<'a>], physical: u64) -> Result<(), ParseError> {
        let first = pieces[0];
        self.no_open_account("98 group trailer", first)?;
        if self.group.is_none() {
            return Err(self.error_at(
                structure("98 group trailer without an 02 group header before it"),
                first,
            ));
        }
        self.count(physical);
        let mut f = Fields::new(pieces);
        let total_text = f.optional();
        let total_piece = f.piece();
        let stated_total = self.stated_total(
            total_text,
            total_piece,
            "group control total in the 98 group trailer",
        )?;
        let accounts_text = f.optional();
        let accounts_piece = f.piece();
        let stated_accounts = self.stated_count(
            accounts_text,
            accounts_piece,
            "number of accounts in the 98 group trailer",
        )?;
        let records_text = f.optional();
        let stated_records = self.stated_count(
            records_text,
            f.piece(),
            "number of records in the 98 group trailer",
        )?;
        let Some(group) = self.group.take() else {
            return Ok(());
        };
        let group_range = self.group_first_statement..self.out.statements.len();
        let record = format!(
            "98 group trailer for group {} (02 at line {})",
            group.index, group.line
        );
        if stated_total != group.total {
            self.mismatch(
                ErrorKind::ControlTotal {
                    record: record.clone(),
                    stated: stated_total.to_string(),
                    computed: group.total.to_string(),
                },
                total_piece,
                group_range.clone(),
            )?;
        }
        if stated_accounts != group.accounts {
            self.mismatch(
                structure(format!(
                    "{record} says {stated_accounts} account(s) but the group has {}",
                    group.accounts
                )),
                accounts_piece,
                group_range.clone(),
            )?;
        }
        if stated_records != group.records {
            self.mismatch(
                ErrorKind::RecordCount {
                    record,
                    stated: stated_records,
                    counted: group.records,
                },
                first,
                group_range,
            )?;
        }
        if let Some(file) = &mut self.file {
            file.total = file.total.saturating_add(group.total);
        }
        Ok(())
    }

    fn file_trailer(&mut self, pieces: &[Piece<'a>], physical: u64) -> Result<(), ParseError> {
        let first = pieces[0];
        self.no_open_group("99 file trailer", first)?;
        self.count(physical);
        let mut f = Fields::new(pieces);
        let total_text = f.optional();
        let total_piece = f.piece();
        let stated_total = self.stated_total(
            total_text,
            total_piece,
            "file control total in the 99 file trailer",
        )?;
        let groups_text = f.optional();
        let groups_piece = f.piece();
        let stated_groups = self.stated_count(
            groups_text,
            groups_piece,
            "number of groups in the 99 file trailer",
        )?;
        let records_text = f.optional();
        let stated_records = self.stated_count(
            records_text,
            f.piece(),
            "number of records in the 99 file trailer",
        )?;
        self.closed = true;
        let Some(file) = self.file.take() else {
            return Ok(());
        };
        let record = "99 file trailer".to_string();
        if stated_total != file.total {
            self.mismatch(
                ErrorKind::ControlTotal {
                    record: record.clone(),
                    stated: stated_total.to_string(),
                    computed: file.total.to_string(),
                },
                total_piece,
                0..usize::MAX,
            )?;
        }
        if stated_groups != file.groups {
            self.mismatch(
                structure(format!(
                    "{record} says {stated_groups} group(s) but the file has {}",
                    file.groups
                )),
                groups_piece,
                0..usize::MAX,
            )?;
        }
        if stated_records != file.records {
            self.mismatch(
                ErrorKind::RecordCount {
                    record,
                    stated: stated_records,
                    counted: file.records,
                },
                first,
                0..usize::MAX,
            )?;
        }
        Ok(())
    }

    fn finish(&mut self, last: Option<(u64, usize)>) -> Result<(), ParseError> {
        self.flush()?;
        if self.wrapped_lines > WRAPPED_WARNINGS {
            let more = self.wrapped_lines - WRAPPED_WARNINGS;
            let line = last.map_or(1, |(l, _)| l);
            self.finding(
                Severity::Warning,
                line,
                format!(
                    "{more} more line(s) without a record code read as continuations of 16 texts"
                ),
            );
        }
        if self.closed {
            return Ok(());
        }
        let (line, line_start) = last.unwrap_or((1, 0));
        let at = Piece {
            content: "",
            line,
            line_start,
        };
        let message = if let Some(a) = &self.account {
            format!(
                "the file ends without the 49 account trailer of account {} (03 at line {})",
                self.account_number(),
                a.line
            )
        } else if let Some(g) = &self.group {
            format!(
                "the file ends without the 98 group trailer of the group at line {}",
                g.line
            )
        } else if self.file.is_some() {
            "the file ends without a 99 file trailer".to_string()
        } else {
            "empty file: no 01 file header".to_string()
        };
        Err(self.error_at(structure(message), at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ok(text: &str) -> Parsed {
        parse("t.bai", text, &Limits::default()).unwrap_or_else(|e| panic!("{}", e.in_file("t")))
    }

    fn err(text: &str) -> ParseError {
        match parse("t.bai", text, &Limits::default()) {
            Ok(p) => panic!("accepted: {:?}", p.statements),
            Err(e) => e,
        }
    }

    /// A file of one group and one account: `account` (03 and its 88s), then `details`, then
    /// trailers carrying `total` and the right record counts.
    fn file(currency: &str, account: &str, details: &[&str], total: i128) -> String {
        let mut text = format!("01,S,R,240131,1200,F1,,,2/\n02,R,S,1,240131,,{currency},2/\n");
        text.push_str(account);
        text.push('\n');
        for d in details {
            text.push_str(d);
            text.push('\n');
        }
        let records = (account.lines().count() + details.len()) as u64 + 1;
        text.push_str(&format!(
            "49,{total},{records}/\n98,{total},1,{}/\n99,{total},1,{}/\n",
            records + 2,
            records + 4
        ));
        text
    }

    #[test]
    fn maps_a_statement() {
        let p = ok(&file(
            "EUR",
            "03,NL91,,010,+100000,,,015,-50,,/",
            &[
                "16,195,150000,0,B1,C1,INVOICE 7, PAID / THANKS/",
                "16,495,300050,V,240130,1300,B2,,RENT/",
                "16,475,1,Z,,,/",
            ],
            550001,
        ));
        assert_eq!(p.statements.len(), 1);
        let s = &p.statements[0];
        assert_eq!((s.account.as_str(), s.currency.code()), ("NL91", "EUR"));
        assert_eq!(s.statement_id, "F1/2024-01-31/1.1");
        assert_eq!(s.format, Format::Bai2);
        let d = Date::from_ymd_opt(2024, 1, 31).unwrap();
        assert_eq!(
            s.opening_balance,
            Some(Balance {
                date: d,
                amount_minor: 100000
            })
        );
        assert_eq!(
            s.closing_balance,
            Some(Balance {
                date: d,
                amount_minor: -50
            })
        );
        let l = &s.lines;
        assert_eq!(l.len(), 3);
        assert_eq!(l[0].line_id, "F1/2024-01-31/1.1/1");
        assert_eq!(l[0].amount_minor, 150000);
        assert_eq!(l[0].bank_reference.as_deref(), Some("B1"));
        assert_eq!(l[0].reference.as_deref(), Some("C1"));
        assert_eq!(l[0].description, "INVOICE 7, PAID / THANKS");
        assert_eq!(l[0].type_code.as_deref(), Some("195"));
        assert_eq!(l[0].booking_date, d);
        assert_eq!(l[0].value_date, None);
        assert_eq!(l[1].amount_minor, -300050);
        assert_eq!(l[1].value_date, Date::from_ymd_opt(2024, 1, 30));
        assert_eq!(l[1].reference, None);
        assert_eq!(l[2].amount_minor, -1);
        assert_eq!(
            (l[2].bank_reference.as_ref(), l[2].description.as_str()),
            (None, "")
        );
    }

    #[test]
    fn implied_decimals_follow_the_currency() {
        let p = ok(&file(
            "JPY",
            "03,A1,,010,1500,,/",
            &["16,195,700,0,,,X/"],
            2200,
        ));
        assert_eq!(p.statements[0].currency.exponent(), 0);
        assert_eq!(p.statements[0].lines[0].amount_minor, 700);
        // The 03 currency wins over the group's.
        let p = ok(&file("JPY", "03,A1,BHD,010,1500,,/", &[], 1500));
        assert_eq!(p.statements[0].currency.code(), "BHD");
    }

    #[test]
    fn usd_is_the_default_currency() {
        let p = ok(&file("", "03,A1,,010,1500,,/", &[], 1500));
        assert_eq!(p.statements[0].currency.code(), "USD");
        assert!(p.findings.iter().any(|f| f.message.contains("default USD")));
    }

    #[test]
    fn continuations_continue_fields_and_texts() {
        // From the specification's example: the type code ends the 03, its amount is on the 88.
        let p = ok(&file(
            "USD",
            "03,9876543210,,010,-500000,,,100,1000000,,,400,2000000,,,190/\n\
             88,500000,,,110,1000000,,,072,500000,,,074,500000,,,040/\n88,-1500000,,/",
            &[
                "16,218,20000000,V,040622,,SP4738,YRC065321/",
                "88,PROCEEDS OF LETTER OF CREDIT/",
                "88,FROM THE ARAMCO OIL CO",
                "16,447,60000,,SPB1,1111,ACH Credit Payment,Entry Description: EXP; -",
                "88,EREF: 1111",
                "88,CREF: ",
                "88,DBNM: TEST INC",
            ],
            23560000,
        ));
        let s = &p.statements[0];
        assert_eq!(s.opening_balance.map(|b| b.amount_minor), Some(-500000));
        assert_eq!(s.lines[0].reference.as_deref(), Some("YRC065321"));
        assert_eq!(
            s.lines[0].description,
            "PROCEEDS OF LETTER OF CREDIT FROM THE ARAMCO OIL CO"
        );
        assert_eq!(
            s.lines[1].description,
            "ACH Credit Payment,Entry Description: EXP; - EREF: 1111 CREF: DBNM: TEST INC"
        );
        assert_eq!(s.lines[1].amount_minor, -60000);
    }

    #[test]
    fn funds_types() {
        let p = ok(&file(
            "USD",
            "03,A,,190,70000000,4,D,3,0,20000000,1,30000000,3,20000000,110,5,,S,1,2,3/",
            &[
                "16,115,450000,S,100000,200000,150000,,,/",
                "16,115,5,D,2,0,3,1,2,BR,CR,TEXT/",
                "16,115,6,V,240101,,BR2,,T2/",
            ],
            70450016,
        ));
        let l = &p.statements[0].lines;
        assert_eq!(l[1].bank_reference.as_deref(), Some("BR"));
        assert_eq!(l[1].description, "TEXT");
        assert_eq!(l[2].value_date, Date::from_ymd_opt(2024, 1, 1));
        assert_eq!(l[2].description, "T2");
        let e = err(&file("USD", "03,A,,010,1,,/", &["16,115,5,X,,,T/"], 0));
        assert_eq!(e.location, Location::Line(4));
        assert!(
            e.kind.to_string().contains("unknown funds type \"X\""),
            "{e:?}"
        );
        let e = err(&file("USD", "03,A,,010,1,,/", &["16,115,5,D,3,0,1/"], 0));
        assert!(matches!(e.kind, ErrorKind::MissingField(_)), "{e:?}");
    }

    #[test]
    fn type_code_directions() {
        let p = ok(&file(
            "USD",
            "03,A,,010,1,,/",
            &[
                "16,920,5,0,,,/",
                "16,960,7,0,,,/",
                "16,721,9,0,,,/",
                "16,721,1,0,,,/",
            ],
            23,
        ));
        let amounts: Vec<i64> = p.statements[0]
            .lines
            .iter()
            .map(|l| l.amount_minor)
            .collect();
        assert_eq!(amounts, vec![5, -7, 9, 1]);
        let warnings: Vec<_> = p
            .findings
            .iter()
            .filter(|f| f.severity == Severity::Warning)
            .collect();
        assert_eq!(warnings.len(), 1, "{warnings:?}");
        assert!(warnings[0].message.contains("type code 721 (2 line(s)"));
        assert_eq!(warnings[0].location, Location::Line(6));
        let e = err(&file("USD", "03,A,,010,1,,/", &["16,010,5,0,,,/"], 0));
        assert!(e.kind.to_string().contains("account status"), "{e:?}");
        let e = err(&file("USD", "03,A,,010,1,,/", &["16,19,5,0,,,/"], 0));
        assert!(
            e.kind.to_string().contains("invalid type code \"19\""),
            "{e:?}"
        );
    }

    #[test]
    fn trailers_are_verified() {
        let good = file("USD", "03,A,,010,100,,/", &["16,195,5,0,,,/"], 105);
        assert!(good.contains("49,105,3/"));
        let e = err(&good.replace("49,105,3/", "49,106,3/"));
        assert_eq!(e.location, Location::Line(5));
        assert_eq!(
            e.kind,
            ErrorKind::ControlTotal {
                record: "49 account trailer for account A".into(),
                stated: "106".into(),
                computed: "105".into()
            }
        );
        assert_eq!(e.excerpt, "49,106,3/");
        let e = err(&good.replace("49,105,3/", "49,105,4/"));
        assert!(matches!(
            e.kind,
            ErrorKind::RecordCount {
                stated: 4,
                counted: 3,
                ..
            }
        ));
        let e = err(&good.replace("98,105,1,5/", "98,105,2,5/"));
        assert!(
            e.kind
                .to_string()
                .contains("says 2 account(s) but the group has 1")
        );
        let e = err(&good.replace("99,105,1,7/", "99,-105,1,7/"));
        assert!(
            matches!(e.kind, ErrorKind::ControlTotal { ref record, .. } if record == "99 file trailer")
        );
        // Warn mode imports and reports.
        let warn = Bai2Options {
            trailer_check: TrailerCheck::Warn,
            ..Bai2Options::default()
        };
        let p = parse_with(
            "t",
            &good.replace("49,105,3/", "49,106,4/"),
            &Limits::default(),
            &warn,
        )
        .unwrap();
        assert_eq!(p.statements[0].lines.len(), 1);
        let codes: Vec<_> = p.statements[0]
            .reading
            .deviations
            .iter()
            .map(|d| (d.code.as_str(), d.line))
            .collect();
        assert_eq!(
            codes,
            [
                ("bai2.trailer_mismatch", Some(5)),
                ("bai2.trailer_mismatch", Some(5))
            ]
        );
    }

    #[test]
    fn structure_errors_name_the_line() {
        let good = file("USD", "03,A,,010,100,,/", &["16,195,5,0,,,/"], 105);
        let cases: &[(String, u64, &str)] = &[
            (
                good.replace("49,105,3/\n", ""),
                5,
                "account A (03 at line 3) has no 49",
            ),
            (
                good.replace("98,105,1,5/\n", ""),
                6,
                "group at line 2 has no 98",
            ),
            (
                good.replace("99,105,1,7/\n", ""),
                6,
                "ends without a 99 file trailer",
            ),
            (
                good.replace("03,A,,010,100,,/\n", ""),
                3,
                "16 transaction detail outside an account",
            ),
            (format!("{good}03,B/\n"), 8, "after the 99 file trailer"),
            (good.replace("01,", "88,"), 1, "no record before it"),
            (
                good.replace("02,R", "JUNK\n02,R"),
                2,
                "does not start with a BAI2 record code",
            ),
            (String::new(), 1, "empty file"),
            (
                good.replace("240131,,USD", "240231,,USD"),
                2,
                "no day 2024-02-31",
            ),
            (
                good.replace(",USD,", ",XYZ,"),
                2,
                "unknown currency \"XYZ\"",
            ),
            (
                good.replace("16,195,5,", "16,195,5.0,"),
                4,
                "invalid character '.'",
            ),
            (good.replace("16,195,5,", "16,195,,"), 4, "missing amount"),
            (good.replace(",2/\n02", ",1/\n02"), 1, "version \"1\""),
        ];
        for (text, line, message) in cases {
            let e = err(text);
            assert_eq!(e.location, Location::Line(*line), "{message}: {e:?}");
            assert!(e.kind.to_string().contains(message), "{message}: {e:?}");
        }
    }

    #[test]
    fn records_sharing_lines_and_wrapped_texts() {
        let text = "01,S,R,220919,2112,4,,,2/   02,S,R,1,220919,2400,USD,2/\n\
                    03,1,,010,-35,,,100,30,2,/\n\
                    16,142,25,Z,,,TRANSFER  PPD/ 16,142,5,Z,,,ACH 1111\n\
                    2222   /\n\
                    88,  3333/     49,25,5/  03,2,,010,00,,/ 49,00,2/\n\
                    98,25,2,9/\n99,25,1,11/";
        let p = ok(text);
        assert_eq!(p.statements.len(), 2);
        let l = &p.statements[0].lines;
        assert_eq!(l[0].description, "TRANSFER  PPD");
        assert_eq!(l[1].description, "ACH 1111 2222 3333");
        assert_eq!(p.findings.len(), 1, "{:?}", p.findings);
        assert_eq!(p.findings[0].location, Location::Line(4));
    }

    #[test]
    fn dos_line_endings_and_newline_delimited_records() {
        let text = file("USD", "03,A,,010,100,,", &["16,195,5,0,B/1,C/2,a/b c"], 105)
            .replace("/\n", "\n")
            .replace('\n', "\r\n");
        let p = ok(&text);
        let l = &p.statements[0].lines[0];
        assert_eq!(l.bank_reference.as_deref(), Some("B/1"));
        assert_eq!(l.reference.as_deref(), Some("C/2"));
        assert_eq!(l.description, "a/b c");
    }

    #[test]
    fn limits() {
        let text = file(
            "USD",
            "03,A,,010,100,,/",
            &["16,195,5,0,,,/", "16,195,5,0,,,/"],
            110,
        );
        let limits = Limits {
            max_lines_per_statement: 1,
            ..Limits::default()
        };
        let e = parse("t", &text, &limits).unwrap_err();
        assert_eq!(e.location, Location::Line(5));
        assert!(matches!(e.kind, ErrorKind::TooMany { limit: 1, .. }));
        let text = file(
            "USD",
            "03,A,,010,100,,/",
            &["16,195,5,0,,,0123456789012345678901234"],
            105,
        );
        let limits = Limits {
            max_field_bytes: 20,
            ..Limits::default()
        };
        let e = parse("t", &text, &limits).unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::FieldTooLong { limit: 20 }),
            "{e:?}"
        );
    }

    /// The shape `recon_gen::writers::bai2` writes for round trips and benchmarks.
    #[test]
    fn generated_files_read_back() {
        let text = "01,SENDER,RECEIVER,260301,0000,RT1,,,2/\n\
                    02,RECEIVER,SENDER,1,260301,,BHD,2/\n\
                    03,NL91ABNA0417164300,BHD,010,1000000,,,015,-999999999999,,/\n\
                    16,195,999999999999,0,B000000001,INV-0000001,Payment invoice 1 Acme Trading/\n\
                    16,495,5,0,B000000002,INV-0000002,Payment invoice 2 Acme Trading/\n\
                    16,195,0,0,,,/\n\
                    49,1000005,5/\n98,1000005,1,7/\n99,1000005,1,9/\n";
        let p = ok(text);
        let s = &p.statements[0];
        assert_eq!(
            s.closing_balance.map(|b| b.amount_minor),
            Some(-999_999_999_999)
        );
        let amounts: Vec<i64> = s.lines.iter().map(|l| l.amount_minor).collect();
        assert_eq!(amounts, vec![999_999_999_999, -5, 0]);
    }

    const EDITED: &str = "01,S,R,240131,1200,F1,,,2/\n02,R,S,1,240131,2400,,2/\n\
        03,A,CAD,010,-5,,,190,7,4,D,2,0,1,1,2,110,5/\n88,4,S,1,2,3,040/\n88,+9,,/\n\
        16,218,20,V,240130,,SP/47,YRC/\n88,PROCEEDS, OF/\n16,721,3,,,,T\nwrapped\n\
        49,39,7/ 03,B,,010,1,,/ 49,1,2/\n98,40,2,11/\n99,40,1,13/\n";

    #[test]
    fn the_edited_base_file() {
        let p = ok(EDITED);
        assert_eq!(p.statements.len(), 2);
        let s = &p.statements[0];
        assert_eq!(s.opening_balance.map(|b| b.amount_minor), Some(-5));
        let l = &s.lines;
        assert_eq!(l[0].bank_reference.as_deref(), Some("SP/47"));
        assert_eq!(l[0].reference.as_deref(), Some("YRC"));
        assert_eq!(l[0].description, "PROCEEDS, OF");
        assert_eq!(l[0].value_date, Date::from_ymd_opt(2024, 1, 30));
        assert_eq!(
            (l[1].amount_minor, l[1].description.as_str()),
            (3, "T wrapped")
        );
    }

    proptest::proptest! {
        #[test]
        fn edited_files_never_panic(
            at in 0usize..EDITED.len(),
            cut in 0usize..6,
            insert in "[0-9,/ 8V+\\-\n]{0,6}",
        ) {
            let _ = ok(EDITED);
            let end = (at + cut).min(EDITED.len());
            let text = format!("{}{insert}{}", &EDITED[..at], &EDITED[end..]);
            let _ = parse("fuzz", &text, &Limits::default());
        }

        #[test]
        fn never_panics(text in "[0-9,/ \\-+A-Z\r\n]{0,200}") {
            let _ = parse("fuzz", &text, &Limits::default());
            let prefixed = format!("01,S,R,240131,1200,F1,,,2/\n02,R,S,1,240131,,USD,2/\n03,A,,{text}");
            let _ = parse("fuzz", &prefixed, &Limits::default());
        }
    }
}
