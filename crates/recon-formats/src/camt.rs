//! ISO 20022 camt importer: camt.052 account reports, camt.053 statements and camt.054
//! debit/credit notifications, message versions .001.01 to .001.14, any namespace prefix
//! (elements are matched by local name).
//!
//! Mapping, one [`Statement`] per `Stmt` / `Rpt` / `Ntfctn`:
//! - account: `Acct/Id/IBAN`, else `Acct/Id/Othr/Id` (also v1 `PrtryAcct/Id`, `BBAN`, `UPIC`);
//!   currency: `Acct/Ccy`, else the `Ccy` of the first balance or entry amount;
//!   statement id: `Id`; sequence: `ElctrncSeqNb`, else `LglSeqNb`.
//! - balances: `OPBD` (else `PRCD`) opens, `CLBD` closes; signed by `CdtDbtInd`, dated by
//!   `Dt/Dt` or the date part of `Dt/DtTm`. A balance in another currency than the statement is
//!   left out with a warning.
//! - lines, one per `Ntry`: `Amt` in its own `Ccy`'s minor units, + for CRDT and - for DBIT
//!   (reversals keep that sign, with an info finding); booking date `BookgDt`, else `ValDt`, else
//!   the statement's (or group header's) `CreDtTm` with a warning; value date `ValDt`;
//!   servicer reference `AcctSvcrRef`; type code `Domn/Cd/Fmly/Cd/SubFmlyCd`, else `Prtry/Cd`.
//!   From the first `NtryDtls/TxDtls`: reference `EndToEndId` unless NOTPROVIDED, else `InstrId`,
//!   else the entry's `NtryRef`; bank reference `Refs/AcctSvcrRef`, else `TxId`; counterparty the
//!   debtor of a credit, the creditor of a debit (`Nm`, `Pty/Nm` or `Agt/FinInstnId/Nm`) and its
//!   account; description `Ustrd`s, `Strd/CdtrRefInf/Ref`s, `AddtlTxInf`, `AddtlNtryInf`, joined
//!   by spaces. Entries in another currency are kept unconverted with a warning; entries whose
//!   status is not BOOK are imported, and counted in one info finding per statement.
//!
//! One streaming pass over quick-xml events. Each open element is a small `Frame` (its context
//! in the camt structure, its byte offset, its 1-based index when it repeats); element paths and
//! line numbers are rebuilt from those frames only when an error or a finding needs them. Only the
//! text of the elements that map to the model is captured, borrowed from the input when it holds
//! no entity reference.
//!
//! Stage one fills raw records that mirror the file (`RawStatement`, `RawEntry`, `RawBalance`);
//! amounts, dates and indicators are validated as soon as their element closes, so errors point at
//! the offending element. Stage two, when a statement element closes, decides the statement
//! currency, the balances, booking-date fallbacks and line ids.
//!
//! Security: a DOCTYPE anywhere is refused before anything else happens (no entity can be
//! declared, so none can expand); a reference to anything but the five predefined entities or a
//! character reference is an error; nesting depth, text length, statements and entries are
//! bounded by [`Limits`].

use crate::{
    ErrorKind, Finding, KnownBalance, Limits, Location, ParseError, Parsed, ReadingMode, Severity,
};
use quick_xml::encoding::Decoder;
use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::reader::Reader;
use recon_model::{
    AmountError, Balance, BatchDetail, Currency, Date, Deviation, Format, Reading, Statement,
    StatementLine, format_minor, parse_minor,
};
use std::borrow::Cow;
use std::fmt::Write as _;

/// Parses a decoded camt file into statements: one per `Stmt`, `Rpt` or `Ntfctn` element.
// The signature is shared by every importer; inside, errors travel boxed (`Fail`).
#[allow(clippy::result_large_err)]
pub fn parse(source: &str, text: &str, limits: &Limits) -> Result<Parsed, ParseError> {
    parse_with(source, text, limits, ReadingMode::Tolerant)
}

/// Parses like [`parse`]. In [`ReadingMode::Tolerant`] these deviations are read and recorded
/// on the statement, in [`ReadingMode::Strict`] they reject the file: balances without
/// `CdtDbtInd` (`camt.balance_without_indicator`: accepted only when exactly one choice of
/// signs makes opening + entries = closing, and the previous statement's closing in the file,
/// else rejected naming both readings), `Ccy="XXX"` (no currency) on a zero balance
/// (`camt.balance_without_currency`) and a statement without `Id` (`camt.statement_without_id`:
/// identified by its sequence number or its dates).
#[allow(clippy::result_large_err)]
pub fn parse_with(
    source: &str,
    text: &str,
    limits: &Limits,
    mode: ReadingMode,
) -> Result<Parsed, ParseError> {
    parse_knowing(source, text, limits, mode, &[])
}

/// [`parse_with`], knowing closing balances of earlier statements (other files of the series):
/// an unsigned opening balance must then equal the account's latest closing dated no later.
#[allow(clippy::result_large_err)]
pub fn parse_knowing(
    source: &str,
    text: &str,
    limits: &Limits,
    mode: ReadingMode,
    known: &[KnownBalance],
) -> Result<Parsed, ParseError> {
    let mut parser = Parser::new(source, text, limits);
    parser.mode = mode;
    parser.last_closing = known.to_vec();
    parser.run().map_err(|e| *e)
}

/// A rejection on its way out: boxed, so that the hot `Result`s stay small.
type Fail = Box<ParseError>;

/// Which related party (or its account) an element belongs to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Side {
    Debtor,
    Creditor,
}

/// Which entry date an element carries.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum DateOf {
    Booking,
    Value,
}

/// An element whose text maps to the model.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Leaf {
    GrpCreDtTm,
    StmtId,
    ElctrncSeqNb,
    LglSeqNb,
    StmtCreDtTm,
    AcctId,
    AcctCcy,
    BalCd,
    BalAmt,
    BalCdtDbtInd,
    BalDt,
    BalDtTm,
    NtryAmt,
    NtryCdtDbtInd,
    RvslInd,
    Sts,
    StsCd,
    Dt(DateOf),
    DtTm(DateOf),
    NtryAcctSvcrRef,
    NtryRef,
    AddtlNtryInf,
    DomnCd,
    FmlyCd,
    SubFmlyCd,
    PrtryCd,
    EndToEndId,
    InstrId,
    TxAcctSvcrRef,
    TxId,
    PartyNm(Side),
    PartyAcctId(Side),
    Ustrd,
    CdtrRef,
    AddtlTxInf,
    /// `TxDtls/Amt` or `TxDtls/AmtDtls/TxAmt/Amt`: a batch transaction's amount.
    TxAmt,
    TxCdtDbtInd,
}

/// Where an open element sits in the camt structure. `Skip` elements and all their descendants
/// are read past without any name matching.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Ctx {
    Skip,
    /// Above the message element (`Document`, or any envelope around it).
    Top,
    Msg,
    GrpHdr,
    Stmt,
    Acct,
    AcctId,
    AcctOthr,
    Bal,
    BalTp,
    BalCdOrPrtry,
    BalDt,
    Ntry,
    NtryDate(DateOf),
    BkTxCd,
    Domn,
    Fmly,
    BkPrtry,
    NtryDtls,
    Tx,
    Refs,
    RltdPties,
    Party(Side),
    PartyPty(Side),
    PartyAgt(Side),
    PartyFinInstnId(Side),
    PartyAcct(Side),
    PartyAcctIdChoice(Side),
    PartyAcctOthr(Side),
    RmtInf,
    Strd,
    CdtrRefInf,
    AmtDtls,
    TxAmtDtl,
    Field(Leaf),
}

/// The context of a child element named `name` (local name) under `parent`.
fn child(parent: Ctx, name: &[u8]) -> Ctx {
    use Ctx::*;
    use Leaf as F;
    match parent {
        Skip => Skip,
        Top => match message_format(name) {
            Some(_) => Msg,
            None => Top,
        },
        Msg => match name {
            b"GrpHdr" => GrpHdr,
            b"Stmt" | b"Rpt" | b"Ntfctn" => Stmt,
            _ => Skip,
        },
        GrpHdr => match name {
            b"CreDtTm" => Field(F::GrpCreDtTm),
            _ => Skip,
        },
        Stmt => match name {
            b"Ntry" => Ntry,
            b"Bal" => Bal,
            b"Id" => Field(F::StmtId),
            b"ElctrncSeqNb" => Field(F::ElctrncSeqNb),
            b"LglSeqNb" => Field(F::LglSeqNb),
            b"CreDtTm" => Field(F::StmtCreDtTm),
            b"Acct" => Acct,
            _ => Skip,
        },
        Acct => match name {
            b"Id" => AcctId,
            b"Ccy" => Field(F::AcctCcy),
            _ => Skip,
        },
        AcctId => match name {
            b"IBAN" | b"BBAN" | b"UPIC" => Field(F::AcctId),
            b"Othr" | b"PrtryAcct" => AcctOthr,
            _ => Skip,
        },
        AcctOthr => match name {
            b"Id" => Field(F::AcctId),
            _ => Skip,
        },
        Bal => match name {
            b"Tp" => BalTp,
            b"Amt" => Field(F::BalAmt),
            b"CdtDbtInd" => Field(F::BalCdtDbtInd),
            b"Dt" => BalDt,
            _ => Skip,
        },
        BalTp => match name {
            b"CdOrPrtry" => BalCdOrPrtry,
            b"Cd" => Field(F::BalCd),
            _ => Skip,
        },
        BalCdOrPrtry => match name {
            b"Cd" => Field(F::BalCd),
            _ => Skip,
        },
        BalDt => match name {
            b"Dt" => Field(F::BalDt),
            b"DtTm" => Field(F::BalDtTm),
            _ => Skip,
        },
        Ntry => match name {
            b"Amt" => Field(F::NtryAmt),
            b"CdtDbtInd" => Field(F::NtryCdtDbtInd),
            b"RvslInd" => Field(F::RvslInd),
            b"Sts" => Field(F::Sts),
            b"BookgDt" => NtryDate(DateOf::Booking),
            b"ValDt" => NtryDate(DateOf::Value),
            b"AcctSvcrRef" => Field(F::NtryAcctSvcrRef),
            b"NtryRef" => Field(F::NtryRef),
            b"BkTxCd" => BkTxCd,
            b"NtryDtls" => NtryDtls,
            b"AddtlNtryInf" => Field(F::AddtlNtryInf),
            _ => Skip,
        },
        NtryDate(of) => match name {
            b"Dt" => Field(F::Dt(of)),
            b"DtTm" => Field(F::DtTm(of)),
            _ => Skip,
        },
        BkTxCd => match name {
            b"Domn" => Domn,
            b"Prtry" => BkPrtry,
            _ => Skip,
        },
        Domn => match name {
            b"Cd" => Field(F::DomnCd),
            b"Fmly" => Fmly,
            _ => Skip,
        },
        Fmly => match name {
            b"Cd" => Field(F::FmlyCd),
            b"SubFmlyCd" => Field(F::SubFmlyCd),
            _ => Skip,
        },
        BkPrtry => match name {
            b"Cd" => Field(F::PrtryCd),
            _ => Skip,
        },
        NtryDtls => match name {
            b"TxDtls" => Tx,
            _ => Skip,
        },
        Tx => match name {
            b"Amt" => Field(F::TxAmt),
            b"AmtDtls" => AmtDtls,
            b"CdtDbtInd" => Field(F::TxCdtDbtInd),
            b"Refs" => Refs,
            b"RltdPties" => RltdPties,
            b"RmtInf" => RmtInf,
            b"AddtlTxInf" => Field(F::AddtlTxInf),
            _ => Skip,
        },
        Refs => match name {
            b"EndToEndId" => Field(F::EndToEndId),
            b"InstrId" => Field(F::InstrId),
            b"AcctSvcrRef" => Field(F::TxAcctSvcrRef),
            b"TxId" => Field(F::TxId),
            _ => Skip,
        },
        RltdPties => match name {
            b"Dbtr" => Party(Side::Debtor),
            b"Cdtr" => Party(Side::Creditor),
            b"DbtrAcct" => PartyAcct(Side::Debtor),
            b"CdtrAcct" => PartyAcct(Side::Creditor),
            _ => Skip,
        },
        Party(side) => match name {
            b"Nm" => Field(F::PartyNm(side)),
            b"Pty" => PartyPty(side),
            b"Agt" => PartyAgt(side),
            _ => Skip,
        },
        PartyPty(side) => match name {
            b"Nm" => Field(F::PartyNm(side)),
            _ => Skip,
        },
        PartyAgt(side) => match name {
            b"FinInstnId" => PartyFinInstnId(side),
            _ => Skip,
        },
        PartyFinInstnId(side) => match name {
            b"Nm" => Field(F::PartyNm(side)),
            _ => Skip,
        },
        PartyAcct(side) => match name {
            b"Id" => PartyAcctIdChoice(side),
            _ => Skip,
        },
        PartyAcctIdChoice(side) => match name {
            b"IBAN" | b"BBAN" | b"UPIC" => Field(F::PartyAcctId(side)),
            b"Othr" | b"PrtryAcct" => PartyAcctOthr(side),
            _ => Skip,
        },
        PartyAcctOthr(side) => match name {
            b"Id" => Field(F::PartyAcctId(side)),
            _ => Skip,
        },
        RmtInf => match name {
            b"Ustrd" => Field(F::Ustrd),
            b"Strd" => Strd,
            _ => Skip,
        },
        Strd => match name {
            b"CdtrRefInf" => CdtrRefInf,
            _ => Skip,
        },
        CdtrRefInf => match name {
            b"Ref" => Field(F::CdtrRef),
            _ => Skip,
        },
        AmtDtls => match name {
            b"TxAmt" => TxAmtDtl,
            _ => Skip,
        },
        TxAmtDtl => match name {
            b"Amt" => Field(F::TxAmt),
            _ => Skip,
        },
        // Newer versions wrap the status code: <Sts><Cd>BOOK</Cd></Sts>.
        Field(F::Sts) => match name {
            b"Cd" => Field(F::StsCd),
            _ => Skip,
        },
        Field(_) => Skip,
    }
}

/// The format of a camt message element (V01 messages carry the version in the name).
fn message_format(name: &[u8]) -> Option<Format> {
    match name {
        b"BkToCstmrStmt" | b"BkToCstmrStmtV01" => Some(Format::Camt053),
        b"BkToCstmrAcctRpt" | b"BkToCstmrAcctRptV01" => Some(Format::Camt052),
        b"BkToCstmrDbtCdtNtfctn" | b"BkToCstmrDbtCdtNtfctnV01" => Some(Format::Camt054),
        _ => None,
    }
}

/// The statement element's name for a message format.
fn statement_element(format: Format) -> &'static str {
    match format {
        Format::Camt052 => "Rpt",
        Format::Camt054 => "Ntfctn",
        _ => "Stmt",
    }
}

/// One open element.
#[derive(Clone, Copy, Debug)]
struct Frame {
    ctx: Ctx,
    /// Byte offset of the element's `<`.
    pos: usize,
    /// 1-based position among its repeated siblings (statements, balances, entries); 0 if none.
    index: u32,
}

/// A balance as the file states it; validated when its element closes.
#[derive(Default, Debug)]
struct RawBalance<'a> {
    code: Option<Cow<'a, str>>,
    /// Unsigned minor units in the amount's own currency (`None`: `Ccy="XXX"` on zero).
    amount: Option<(i64, Option<Currency>)>,
    credit: Option<bool>,
    date: Option<Date>,
}

/// A balance kept for the statement, with where it came from.
#[derive(Clone, Copy, Debug)]
struct KeptBalance {
    balance: Balance,
    /// `None` for a zero balance with `Ccy="XXX"` (tolerant reading).
    currency: Option<Currency>,
    /// No `CdtDbtInd`: the amount is unsigned, its sign to be settled by the arithmetic.
    unsigned: bool,
    index: u32,
    pos: usize,
}

/// An entry (`Ntry`) as the file states it, with the fields of its first `TxDtls`.
#[derive(Default, Debug)]
struct RawEntry<'a> {
    amount: Option<(i64, Currency)>,
    credit: Option<bool>,
    reversal: bool,
    status: Option<Cow<'a, str>>,
    booking_date: Option<Date>,
    value_date: Option<Date>,
    servicer_reference: Option<Cow<'a, str>>,
    entry_reference: Option<Cow<'a, str>>,
    domain: Option<Cow<'a, str>>,
    family: Option<Cow<'a, str>>,
    sub_family: Option<Cow<'a, str>>,
    proprietary: Option<Cow<'a, str>>,
    additional_entry_info: Option<Cow<'a, str>>,
    /// How many `TxDtls` have closed; the first fills the line's fields, every one a detail.
    tx_seen: u32,
    /// The `TxDtls` being read, the first one closed, and all of them once there are two (a
    /// batch), for batch details.
    tx: RawTx<'a>,
    first_tx: RawTx<'a>,
    details: Vec<RawTx<'a>>,
    end_to_end_id: Option<Cow<'a, str>>,
    instruction_id: Option<Cow<'a, str>>,
    tx_servicer_reference: Option<Cow<'a, str>>,
    tx_id: Option<Cow<'a, str>>,
    debtor: Option<Cow<'a, str>>,
    creditor: Option<Cow<'a, str>>,
    debtor_account: Option<Cow<'a, str>>,
    creditor_account: Option<Cow<'a, str>>,
    unstructured: Option<Cow<'a, str>>,
    creditor_references: Option<Cow<'a, str>>,
    additional_tx_info: Option<Cow<'a, str>>,
}

/// One `TxDtls` of an entry, for its batch detail.
#[derive(Default, Debug)]
struct RawTx<'a> {
    amount: Option<(i64, Currency)>,
    credit: Option<bool>,
    end_to_end_id: Option<Cow<'a, str>>,
    instruction_id: Option<Cow<'a, str>>,
    debtor: Option<Cow<'a, str>>,
    creditor: Option<Cow<'a, str>>,
    debtor_account: Option<Cow<'a, str>>,
    creditor_account: Option<Cow<'a, str>>,
    unstructured: Option<Cow<'a, str>>,
}

/// What stage two needs to know about a line beyond the line itself.
#[derive(Clone, Copy, Debug)]
struct LineExtra {
    booking_known: bool,
    currency: Currency,
    index: u32,
    pos: usize,
}

/// A statement (`Stmt` / `Rpt` / `Ntfctn`) as the file states it.
#[derive(Default, Debug)]
struct RawStatement<'a> {
    id: Option<Cow<'a, str>>,
    electronic_sequence: Option<Cow<'a, str>>,
    legal_sequence: Option<Cow<'a, str>>,
    created: Option<Date>,
    account: Option<Cow<'a, str>>,
    account_currency: Option<Currency>,
    /// Currency of the first balance or entry amount, in document order.
    first_currency: Option<Currency>,
    opening: Option<KeptBalance>,
    previously_closed: Option<KeptBalance>,
    closing: Option<KeptBalance>,
    balance_count: u32,
    entry_count: u32,
    lines: Vec<StatementLine>,
    extras: Vec<LineExtra>,
    not_booked: usize,
    statuses: Vec<String>,
    deviations: Vec<Deviation>,
}

struct Parser<'a, 'l> {
    source: &'a str,
    text: &'a str,
    limits: &'l Limits,
    frames: Vec<Frame>,
    /// Text of the innermost open field element.
    buf: Option<Cow<'a, str>>,
    /// Currency of the `Amt` element being read (its `Ccy` attribute).
    amount_currency: Option<Currency>,
    format: Option<Format>,
    /// The last currency looked up by code (files repeat one code thousands of times).
    last_currency: Option<Currency>,
    statement_count: u32,
    group_created: Option<Date>,
    stmt: RawStatement<'a>,
    entry: RawEntry<'a>,
    balance: RawBalance<'a>,
    statements: Vec<Statement>,
    findings: Vec<Finding>,
    /// (byte offset, 1-based line) of the last line-number lookup.
    line_cache: (usize, u64),
    mode: ReadingMode,
    /// The `Amt` being read has `Ccy="XXX"` (tolerated on a zero balance).
    amount_without_currency: bool,
    /// Closing balances known per account (given by the caller, then read in this file), for
    /// settling unsigned balances.
    last_closing: Vec<KnownBalance>,
}

impl<'a, 'l> Parser<'a, 'l> {
    fn new(source: &'a str, text: &'a str, limits: &'l Limits) -> Self {
        Parser {
            source,
            text,
            limits,
            frames: Vec::with_capacity(32),
            buf: None,
            amount_currency: None,
            format: None,
            last_currency: None,
            statement_count: 0,
            group_created: None,
            stmt: RawStatement::default(),
            entry: RawEntry::default(),
            balance: RawBalance::default(),
            statements: Vec::new(),
            findings: Vec::new(),
            line_cache: (0, 1),
            mode: ReadingMode::Tolerant,
            amount_without_currency: false,
            last_closing: Vec::new(),
        }
    }

    fn run(mut self) -> Result<Parsed, Fail> {
        let mut reader = Reader::from_str(self.text);
        loop {
            let pos = usize::try_from(reader.buffer_position()).unwrap_or(usize::MAX);
            let event = match reader.read_event() {
                Ok(event) => event,
                Err(e) => {
                    let at = usize::try_from(reader.error_position()).unwrap_or(usize::MAX);
                    let depth = self.frames.len();
                    return Err(self.error(ErrorKind::Xml(e.to_string()), depth, at));
                }
            };
            match event {
                Event::Start(e) => self.start(&e, pos, reader.decoder())?,
                Event::Empty(e) => {
                    self.start(&e, pos, reader.decoder())?;
                    self.end()?;
                }
                Event::End(_) => self.end()?,
                Event::Text(t) => {
                    if self.in_field() {
                        let s = match self.input_slice(&t) {
                            Some(s) => Cow::Borrowed(s),
                            None => t.decode().map_err(|e| self.xml_error(e.to_string(), pos))?,
                        };
                        self.push_text(s, pos)?;
                    } else if t.len() > self.limits.max_field_bytes {
                        return Err(self.too_long(pos));
                    }
                }
                Event::CData(t) => {
                    if self.in_field() {
                        let s = t.decode().map_err(|e| self.xml_error(e.to_string(), pos))?;
                        self.push_text(s, pos)?;
                    } else if t.len() > self.limits.max_field_bytes {
                        return Err(self.too_long(pos));
                    }
                }
                Event::GeneralRef(r) => {
                    let c = resolve_reference(&r).map_err(|m| self.xml_error(m, pos))?;
                    if self.in_field() {
                        let mut s = [0u8; 4];
                        let s: &str = c.encode_utf8(&mut s);
                        self.push_text(Cow::Owned(s.to_string()), pos)?;
                    }
                }
                Event::DocType(_) => {
                    let line = self.line_at(pos);
                    return Err(Box::new(ParseError::new(
                        ErrorKind::DoctypeForbidden,
                        Location::Line(line),
                        excerpt_at(self.text, pos),
                    )));
                }
                Event::Eof => break,
                Event::Comment(_) | Event::Decl(_) | Event::PI(_) => {}
            }
        }
        self.finish()
    }

    fn finish(mut self) -> Result<Parsed, Fail> {
        if let Some(innermost) = self.frames.last() {
            let name = element_name(self.text, innermost.pos).to_string();
            let depth = self.frames.len();
            let at = self.text.trim_end().len();
            return Err(self.error(
                ErrorKind::Xml(format!(
                    "unexpected end of file inside <{name}>: the file is truncated"
                )),
                depth,
                at,
            ));
        }
        if self.format.is_none() {
            return Err(Box::new(ParseError::new(
                ErrorKind::Structure(
                    "no camt message: expected a BkToCstmrStmt, BkToCstmrAcctRpt or \
                     BkToCstmrDbtCdtNtfctn element"
                        .into(),
                ),
                Location::Line(1),
                crate::excerpt(self.text.trim_start().lines().next().unwrap_or("")),
            )));
        }
        Ok(Parsed {
            statements: self.statements,
            findings: self.findings,
        })
    }

    /// `bytes` as a slice of the input text, when they are one (then they need no UTF-8
    /// validation: the input is a `str` and `get` checks the character boundaries).
    fn input_slice(&self, bytes: &[u8]) -> Option<&'a str> {
        let start = (bytes.as_ptr() as usize).checked_sub(self.text.as_ptr() as usize)?;
        self.text.get(start..start.checked_add(bytes.len())?)
    }

    fn in_field(&self) -> bool {
        matches!(
            self.frames.last(),
            Some(Frame {
                ctx: Ctx::Field(_),
                ..
            })
        )
    }

    fn push_text(&mut self, s: Cow<'a, str>, pos: usize) -> Result<(), Fail> {
        let len = self.buf.as_ref().map_or(0, |b| b.len());
        if len.saturating_add(s.len()) > self.limits.max_field_bytes {
            return Err(self.too_long(pos));
        }
        match &mut self.buf {
            None => self.buf = Some(s),
            Some(b) => b.to_mut().push_str(&s),
        }
        Ok(())
    }

    fn too_long(&mut self, pos: usize) -> Fail {
        let depth = self.frames.len();
        let at = self.frames.last().map_or(pos, |f| f.pos);
        self.error(
            ErrorKind::FieldTooLong {
                limit: self.limits.max_field_bytes,
            },
            depth,
            at,
        )
    }

    fn xml_error(&mut self, message: String, pos: usize) -> Fail {
        let depth = self.frames.len();
        self.error(ErrorKind::Xml(message), depth, pos)
    }

    fn start(&mut self, e: &BytesStart<'_>, pos: usize, decoder: Decoder) -> Result<(), Fail> {
        let parent = self.frames.last().map_or(Ctx::Top, |f| f.ctx);
        let ctx = match parent {
            Ctx::Skip => Ctx::Skip,
            _ => child(parent, e.local_name().as_ref()),
        };
        let mut index = 0;
        match ctx {
            Ctx::Msg => self.format = message_format(e.local_name().as_ref()),
            Ctx::Stmt => {
                self.statement_count = self.statement_count.saturating_add(1);
                index = self.statement_count;
                self.stmt = RawStatement::default();
            }
            Ctx::Bal => {
                self.stmt.balance_count = self.stmt.balance_count.saturating_add(1);
                index = self.stmt.balance_count;
                // `finish_balance` left `self.balance` empty.
            }
            Ctx::Ntry => {
                self.stmt.entry_count = self.stmt.entry_count.saturating_add(1);
                index = self.stmt.entry_count;
                // `finish_entry` left `self.entry` empty.
            }
            Ctx::Field(_) => self.buf = None,
            _ => {}
        }
        self.frames.push(Frame { ctx, pos, index });
        let depth = self.frames.len();
        if depth > self.limits.max_xml_depth {
            return Err(self.error(
                ErrorKind::TooDeep {
                    limit: self.limits.max_xml_depth,
                },
                depth,
                pos,
            ));
        }
        match ctx {
            Ctx::Stmt if self.statements.len() >= self.limits.max_statements_per_file => Err(self
                .error(
                    ErrorKind::TooMany {
                        what: "statements",
                        limit: self.limits.max_statements_per_file,
                    },
                    depth,
                    pos,
                )),
            Ctx::Ntry if self.stmt.lines.len() >= self.limits.max_lines_per_statement => Err(self
                .error(
                    ErrorKind::TooMany {
                        what: "entries in one statement",
                        limit: self.limits.max_lines_per_statement,
                    },
                    depth,
                    pos,
                )),
            Ctx::Field(Leaf::BalAmt) if self.mode == ReadingMode::Tolerant => {
                match self.currency_attribute(e, decoder, pos) {
                    Ok(c) => self.amount_currency = Some(c),
                    Err(err) if err.kind == ErrorKind::UnknownCurrency("XXX".into()) => {
                        self.amount_without_currency = true;
                    }
                    Err(err) => return Err(err),
                }
                Ok(())
            }
            Ctx::Field(Leaf::BalAmt | Leaf::NtryAmt) => {
                self.amount_currency = Some(self.currency_attribute(e, decoder, pos)?);
                Ok(())
            }
            Ctx::Field(Leaf::TxAmt) => {
                // A detail amount in an unknown currency is left out, not an error.
                self.amount_currency = self.currency_attribute(e, decoder, pos).ok();
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The `Ccy` attribute of an `Amt` element.
    fn currency_attribute(
        &mut self,
        e: &BytesStart<'_>,
        decoder: Decoder,
        pos: usize,
    ) -> Result<Currency, Fail> {
        let depth = self.frames.len();
        for attr in e.attributes() {
            let attr = attr.map_err(|err| self.xml_error(err.to_string(), pos))?;
            if attr.key.local_name().as_ref() != b"Ccy" {
                continue;
            }
            let code = attr
                .decode_and_unescape_value(decoder)
                .map_err(|err| self.xml_error(err.to_string(), pos))?;
            let code = code.trim();
            if let Some(cached) = self.last_currency
                && cached.code() == code
            {
                return Ok(cached);
            }
            let currency = Currency::from_code(code).map_err(|_| {
                self.error(ErrorKind::UnknownCurrency(code.to_string()), depth, pos)
            })?;
            self.last_currency = Some(currency);
            return Ok(currency);
        }
        Err(self.error(
            ErrorKind::MissingField("Ccy attribute (the amount's currency)".into()),
            depth,
            pos,
        ))
    }

    fn end(&mut self) -> Result<(), Fail> {
        let Some(frame) = self.frames.last().copied() else {
            return Ok(());
        };
        match frame.ctx {
            Ctx::Field(field) => {
                let text = self.buf.take();
                self.field(field, text, frame.pos)?;
            }
            Ctx::Ntry => self.finish_entry(frame)?,
            Ctx::Bal => self.finish_balance(frame)?,
            Ctx::Stmt => self.finish_statement(frame)?,
            Ctx::Tx => {
                // The first transaction waits beside the entry; a list (one allocation) is made
                // only for a batch, so that entries of one transaction cost nothing more.
                self.entry.tx_seen = self.entry.tx_seen.saturating_add(1);
                let tx = std::mem::take(&mut self.entry.tx);
                if self.entry.tx_seen == 1 {
                    self.entry.first_tx = tx;
                } else if self.entry.details.len() < self.limits.max_lines_per_statement {
                    if self.entry.details.is_empty() {
                        let first = std::mem::take(&mut self.entry.first_tx);
                        self.entry.details.push(first);
                    }
                    self.entry.details.push(tx);
                }
            }
            Ctx::Msg if self.statement_count == 0 => {
                let element = statement_element(self.format.unwrap_or(Format::Camt053));
                let depth = self.frames.len();
                return Err(self.error(
                    ErrorKind::MissingField(format!("{element} (the message holds no statement)")),
                    depth,
                    frame.pos,
                ));
            }
            _ => {}
        }
        self.frames.pop();
        Ok(())
    }

    /// Stores the text of a closed field element.
    fn field(&mut self, field: Leaf, text: Option<Cow<'a, str>>, pos: usize) -> Result<(), Fail> {
        let text = text.and_then(trimmed);
        match field {
            Leaf::GrpCreDtTm => self.group_created = Some(self.date(text, true, pos)?),
            Leaf::StmtId => set_first(&mut self.stmt.id, text),
            Leaf::ElctrncSeqNb => set_first(&mut self.stmt.electronic_sequence, text),
            Leaf::LglSeqNb => set_first(&mut self.stmt.legal_sequence, text),
            Leaf::StmtCreDtTm => self.stmt.created = Some(self.date(text, true, pos)?),
            Leaf::AcctId => set_first(&mut self.stmt.account, text),
            Leaf::AcctCcy => {
                if let Some(code) = text {
                    let currency = Currency::from_code(&code).map_err(|_| {
                        let depth = self.frames.len();
                        self.error(ErrorKind::UnknownCurrency(code.to_string()), depth, pos)
                    })?;
                    self.stmt.account_currency = Some(currency);
                }
            }
            Leaf::BalCd => set_first(&mut self.balance.code, text),
            Leaf::BalAmt if self.amount_without_currency => {
                self.amount_without_currency = false;
                let zero = text
                    .as_deref()
                    .is_some_and(|t| t.bytes().all(|b| b == b'0' || b == b'.') && t.contains('0'));
                if !zero {
                    let depth = self.frames.len();
                    return Err(self.error(ErrorKind::UnknownCurrency("XXX".into()), depth, pos));
                }
                self.balance.amount = Some((0, None));
            }
            Leaf::BalAmt => {
                let (minor, currency) = self.amount(text, pos)?;
                self.balance.amount = Some((minor, Some(currency)));
            }
            Leaf::BalCdtDbtInd => self.balance.credit = Some(self.indicator(text, pos)?),
            Leaf::BalDt => self.balance.date = Some(self.date(text, false, pos)?),
            Leaf::BalDtTm => self.balance.date = Some(self.date(text, true, pos)?),
            Leaf::NtryAmt => self.entry.amount = Some(self.amount(text, pos)?),
            Leaf::NtryCdtDbtInd => self.entry.credit = Some(self.indicator(text, pos)?),
            Leaf::RvslInd => {
                self.entry.reversal =
                    text.is_some_and(|t| t.as_ref() == "true" || t.as_ref() == "1");
            }
            Leaf::Sts | Leaf::StsCd => set_first(&mut self.entry.status, text),
            Leaf::Dt(of) => {
                let date = self.date(text, false, pos)?;
                self.set_entry_date(of, date);
            }
            Leaf::DtTm(of) => {
                let date = self.date(text, true, pos)?;
                self.set_entry_date(of, date);
            }
            Leaf::NtryAcctSvcrRef => set_first(&mut self.entry.servicer_reference, text),
            Leaf::NtryRef => set_first(&mut self.entry.entry_reference, text),
            Leaf::AddtlNtryInf => append(&mut self.entry.additional_entry_info, text),
            Leaf::DomnCd => set_first(&mut self.entry.domain, text),
            Leaf::FmlyCd => set_first(&mut self.entry.family, text),
            Leaf::SubFmlyCd => set_first(&mut self.entry.sub_family, text),
            Leaf::PrtryCd => set_first(&mut self.entry.proprietary, text),
            Leaf::EndToEndId => {
                set_first(&mut self.entry.tx.end_to_end_id, text.clone());
                if self.entry.tx_seen == 0 {
                    set_first(&mut self.entry.end_to_end_id, text);
                }
            }
            Leaf::InstrId => {
                set_first(&mut self.entry.tx.instruction_id, text.clone());
                if self.entry.tx_seen == 0 {
                    set_first(&mut self.entry.instruction_id, text);
                }
            }
            _ if self.entry.tx_seen > 0 => self.later_tx_field(field, text, pos)?,
            Leaf::TxAcctSvcrRef => set_first(&mut self.entry.tx_servicer_reference, text),
            Leaf::TxId => set_first(&mut self.entry.tx_id, text),
            Leaf::PartyNm(Side::Debtor) => {
                set_first(&mut self.entry.tx.debtor, text.clone());
                set_first(&mut self.entry.debtor, text);
            }
            Leaf::PartyNm(Side::Creditor) => {
                set_first(&mut self.entry.tx.creditor, text.clone());
                set_first(&mut self.entry.creditor, text);
            }
            Leaf::PartyAcctId(Side::Debtor) => {
                set_first(&mut self.entry.tx.debtor_account, text.clone());
                set_first(&mut self.entry.debtor_account, text);
            }
            Leaf::PartyAcctId(Side::Creditor) => {
                set_first(&mut self.entry.tx.creditor_account, text.clone());
                set_first(&mut self.entry.creditor_account, text);
            }
            Leaf::Ustrd => {
                append(&mut self.entry.tx.unstructured, text.clone());
                append(&mut self.entry.unstructured, text);
            }
            Leaf::CdtrRef => append(&mut self.entry.creditor_references, text),
            Leaf::AddtlTxInf => append(&mut self.entry.additional_tx_info, text),
            Leaf::TxAmt => self.tx_amount(text, pos)?,
            Leaf::TxCdtDbtInd => self.entry.tx.credit = Some(self.indicator(text, pos)?),
        }
        Ok(())
    }

    /// A field of the second or a later `TxDtls`: only its batch detail takes it.
    fn later_tx_field(
        &mut self,
        field: Leaf,
        text: Option<Cow<'a, str>>,
        pos: usize,
    ) -> Result<(), Fail> {
        let tx = &mut self.entry.tx;
        match field {
            Leaf::PartyNm(Side::Debtor) => set_first(&mut tx.debtor, text),
            Leaf::PartyNm(Side::Creditor) => set_first(&mut tx.creditor, text),
            Leaf::PartyAcctId(Side::Debtor) => set_first(&mut tx.debtor_account, text),
            Leaf::PartyAcctId(Side::Creditor) => set_first(&mut tx.creditor_account, text),
            Leaf::Ustrd => append(&mut tx.unstructured, text),
            Leaf::TxAmt => self.tx_amount(text, pos)?,
            Leaf::TxCdtDbtInd => self.entry.tx.credit = Some(self.indicator(text, pos)?),
            _ => {}
        }
        Ok(())
    }

    /// A batch transaction's amount: kept when its currency is known and it reads as an
    /// amount, else left out (the booking's own amount is what the statement states).
    fn tx_amount(&mut self, text: Option<Cow<'a, str>>, _pos: usize) -> Result<(), Fail> {
        let Some(currency) = self.amount_currency.take() else {
            return Ok(());
        };
        if self.entry.tx.amount.is_none()
            && let Some(text) = text
            && let Ok(minor) = parse_minor(&text, b'.', currency.exponent())
        {
            self.entry.tx.amount = Some((minor, currency));
        }
        Ok(())
    }

    fn set_entry_date(&mut self, of: DateOf, date: Date) {
        let slot = match of {
            DateOf::Booking => &mut self.entry.booking_date,
            DateOf::Value => &mut self.entry.value_date,
        };
        if slot.is_none() {
            *slot = Some(date);
        }
    }

    /// Unsigned minor units of a closed `Amt` element, in the currency of its `Ccy` attribute.
    fn amount(&mut self, text: Option<Cow<'a, str>>, pos: usize) -> Result<(i64, Currency), Fail> {
        let depth = self.frames.len();
        let Some(currency) = self.amount_currency.take() else {
            return Err(self.error(
                ErrorKind::MissingField("Ccy attribute (the amount's currency)".into()),
                depth,
                pos,
            ));
        };
        let text = text.unwrap_or_default();
        let result = match text.as_bytes().first() {
            // Amounts are unsigned in camt; the sign is CdtDbtInd's.
            Some(&b) if b == b'-' || b == b'+' => Err(AmountError::InvalidCharacter(char::from(b))),
            _ => parse_minor(&text, b'.', currency.exponent()),
        };
        match result {
            Ok(minor) => Ok((minor, currency)),
            Err(reason) => Err(self.error(
                ErrorKind::InvalidAmount {
                    text: text.into_owned(),
                    reason,
                },
                depth,
                pos,
            )),
        }
    }

    /// `true` for CRDT, `false` for DBIT.
    fn indicator(&mut self, text: Option<Cow<'a, str>>, pos: usize) -> Result<bool, Fail> {
        match text.as_deref() {
            Some("CRDT") => Ok(true),
            Some("DBIT") => Ok(false),
            other => {
                let depth = self.frames.len();
                Err(self.error(
                    ErrorKind::Structure(format!(
                        "CdtDbtInd must be CRDT or DBIT, not {:?}",
                        other.unwrap_or("")
                    )),
                    depth,
                    pos,
                ))
            }
        }
    }

    fn date(
        &mut self,
        text: Option<Cow<'a, str>>,
        with_time: bool,
        pos: usize,
    ) -> Result<Date, Fail> {
        let text = text.unwrap_or_default();
        parse_date(&text, with_time).map_err(|reason| {
            let depth = self.frames.len();
            self.error(
                ErrorKind::InvalidDate {
                    text: text.to_string(),
                    reason: reason.to_string(),
                },
                depth,
                pos,
            )
        })
    }

    fn finish_balance(&mut self, frame: Frame) -> Result<(), Fail> {
        let raw = std::mem::take(&mut self.balance);
        if let Some((_, Some(currency))) = raw.amount
            && self.stmt.first_currency.is_none()
        {
            self.stmt.first_currency = Some(currency);
        }
        let code = raw.code.as_deref().unwrap_or("");
        if !matches!(code, "OPBD" | "PRCD" | "CLBD") {
            return Ok(());
        }
        let depth = self.frames.len();
        let missing = |what: &str| ErrorKind::MissingField(format!("{what} of the {code} balance"));
        let Some((minor, currency)) = raw.amount else {
            return Err(self.error(missing("Amt"), depth, frame.pos));
        };
        let credit = match raw.credit {
            Some(credit) => credit,
            None if self.mode == ReadingMode::Tolerant => true,
            None => return Err(self.error(missing("CdtDbtInd"), depth, frame.pos)),
        };
        let Some(date) = raw.date else {
            return Err(self.error(missing("Dt"), depth, frame.pos));
        };
        let kept = KeptBalance {
            balance: Balance {
                date,
                amount_minor: signed(minor, credit),
            },
            currency,
            unsigned: raw.credit.is_none() && minor != 0,
            index: frame.index,
            pos: frame.pos,
        };
        let slot = match code {
            "OPBD" => &mut self.stmt.opening,
            "PRCD" => &mut self.stmt.previously_closed,
            _ => &mut self.stmt.closing,
        };
        if slot.is_none() {
            *slot = Some(kept);
        }
        Ok(())
    }

    fn finish_entry(&mut self, frame: Frame) -> Result<(), Fail> {
        let e = std::mem::take(&mut self.entry);
        let depth = self.frames.len();
        let Some((minor, currency)) = e.amount else {
            return Err(self.error(
                ErrorKind::MissingField("Amt (the entry amount)".into()),
                depth,
                frame.pos,
            ));
        };
        let Some(credit) = e.credit else {
            return Err(self.error(
                ErrorKind::MissingField("CdtDbtInd (credit or debit)".into()),
                depth,
                frame.pos,
            ));
        };
        if self.stmt.first_currency.is_none() {
            self.stmt.first_currency = Some(currency);
        }
        let amount_minor = signed(minor, credit);
        if e.reversal {
            let location = self.location(depth, frame.pos);
            self.findings.push(Finding {
                severity: Severity::Info,
                location,
                message: format!(
                    "reversal entry (RvslInd true): amount {} {} keeps the sign of its \
                     CdtDbtInd {}",
                    format_minor(amount_minor, currency.exponent()),
                    currency,
                    if credit { "CRDT" } else { "DBIT" }
                ),
            });
        }
        if let Some(status) = e.status.as_deref()
            && status != "BOOK"
        {
            self.stmt.not_booked += 1;
            if self.stmt.statuses.len() < 4 && !self.stmt.statuses.iter().any(|s| s == status) {
                self.stmt.statuses.push(status.to_string());
            }
        }
        let type_code = match (&e.domain, &e.family, &e.sub_family, &e.proprietary) {
            (Some(d), Some(f), Some(s), _) => Some(format!("{d}/{f}/{s}")),
            (_, _, _, Some(p)) => Some(p.clone().into_owned()),
            (Some(d), _, _, None) => Some(d.clone().into_owned()),
            _ => None,
        };
        let provided = |r: &Option<Cow<'a, str>>| r.clone().filter(|r| r != "NOTPROVIDED");
        let reference = provided(&e.end_to_end_id)
            .or_else(|| provided(&e.instruction_id))
            .or(e.entry_reference);
        let (counterparty, counterparty_account) = if credit {
            (e.debtor, e.debtor_account)
        } else {
            (e.creditor, e.creditor_account)
        };
        let mut description = String::new();
        for part in [
            e.unstructured,
            e.creditor_references,
            e.additional_tx_info,
            e.additional_entry_info,
        ]
        .into_iter()
        .flatten()
        {
            if !description.is_empty() {
                description.push(' ');
            }
            description.push_str(&part);
        }
        let details = if e.details.len() > 1 {
            e.details
                .into_iter()
                .map(|tx| {
                    let tx_credit = tx.credit.unwrap_or(credit);
                    let (party, party_account) = if credit {
                        (tx.debtor, tx.debtor_account)
                    } else {
                        (tx.creditor, tx.creditor_account)
                    };
                    BatchDetail {
                        reference: provided(&tx.end_to_end_id)
                            .or_else(|| provided(&tx.instruction_id))
                            .map(Cow::into_owned),
                        amount_minor: tx
                            .amount
                            .filter(|(_, c)| *c == currency)
                            .map(|(minor, _)| signed(minor, tx_credit)),
                        counterparty: party.map(Cow::into_owned),
                        counterparty_account: party_account.map(Cow::into_owned),
                        description: tx.unstructured.map(Cow::into_owned).unwrap_or_default(),
                    }
                })
                .collect()
        } else {
            Vec::new()
        };
        let booking = e.booking_date.or(e.value_date);
        self.stmt.lines.push(StatementLine {
            line_id: String::new(),
            booking_date: booking.unwrap_or_default(),
            value_date: e.value_date,
            amount_minor,
            reference: reference.map(Cow::into_owned),
            bank_reference: e.tx_servicer_reference.or(e.tx_id).map(Cow::into_owned),
            servicer_reference: e.servicer_reference.map(Cow::into_owned),
            counterparty: counterparty.map(Cow::into_owned),
            counterparty_account: counterparty_account.map(Cow::into_owned),
            description,
            type_code,
            details,
        });
        self.stmt.extras.push(LineExtra {
            booking_known: booking.is_some(),
            currency,
            index: frame.index,
            pos: frame.pos,
        });
        Ok(())
    }

    fn finish_statement(&mut self, frame: Frame) -> Result<(), Fail> {
        let raw = std::mem::take(&mut self.stmt);
        let depth = self.frames.len();
        let mut raw = raw;
        let statement_id = match raw.id.take() {
            Some(id) => id,
            None if self.mode == ReadingMode::Tolerant => {
                let id = self.substitute_id(&raw, frame.index);
                let deviation = self.deviation(
                    "camt.statement_without_id",
                    depth,
                    frame.pos,
                    format!(
                        "statement has no Id; identified as {id:?} (its sequence number, else its dates)"
                    ),
                );
                raw.deviations.push(deviation);
                Cow::Owned(id)
            }
            None => {
                return Err(self.error(
                    ErrorKind::MissingField("Id (the statement identification)".into()),
                    depth,
                    frame.pos,
                ));
            }
        };
        let Some(account) = raw.account else {
            return Err(self.error(
                ErrorKind::MissingField("Acct/Id/IBAN or Acct/Id/Othr/Id".into()),
                depth,
                frame.pos,
            ));
        };
        let Some(currency) = raw.account_currency.or(raw.first_currency) else {
            // No Acct/Ccy, no balance and no entry: nothing to import, nothing to reject.
            let location = self.location(depth, frame.pos);
            self.findings.push(Finding {
                severity: Severity::Warning,
                location,
                message: format!(
                    "statement {statement_id} has no entry, no balance and no Acct/Ccy: skipped"
                ),
            });
            return Ok(());
        };
        let statement_id = statement_id.into_owned();
        let sequence = raw
            .electronic_sequence
            .or(raw.legal_sequence)
            .map(Cow::into_owned);
        let opening = raw.opening.or(raw.previously_closed);
        let lines_total = raw
            .lines
            .iter()
            .zip(&raw.extras)
            .filter(|(_, x)| x.currency == currency)
            .try_fold(0i64, |acc, (l, _)| acc.checked_add(l.amount_minor));
        let (opening, closing) = self.settle_signs(
            opening,
            raw.closing,
            lines_total,
            &account,
            depth,
            frame.pos,
        )?;
        let mut deviations = std::mem::take(&mut raw.deviations);
        for (kept, which) in [(&opening, "opening"), (&closing, "closing")] {
            if let Some(k) = kept.filter(|k| k.unsigned) {
                let path = format!("{}/Bal[{}]", self.path(depth), k.index);
                let line = self.line_at(k.pos);
                deviations.push(Deviation {
                    code: "camt.balance_without_indicator".into(),
                    line: Some(line),
                    path: Some(path),
                    excerpt: excerpt_at(self.text, k.pos),
                    message: format!(
                        "{which} balance has no CdtDbtInd; read as {} because only that sign makes opening + entries = closing",
                        format_minor(k.balance.amount_minor, currency.exponent())
                    ),
                });
            }
        }
        let opening_balance = self.balance_in(opening, currency, depth, "opening", &mut deviations);
        let closing_balance = self.balance_in(closing, currency, depth, "closing", &mut deviations);
        if let Some(c) = closing_balance {
            self.last_closing.push(KnownBalance {
                account: account.to_string(),
                date: c.date,
                amount_minor: c.amount_minor,
            });
        }

        let prefix = match &sequence {
            Some(seq) => format!("{statement_id}/{seq}/"),
            None => format!("{statement_id}/"),
        };
        let fallback = raw.created.or(self.group_created);
        let mut lines = raw.lines;
        for (n, (line, extra)) in lines.iter_mut().zip(&raw.extras).enumerate() {
            let mut line_id = String::with_capacity(prefix.len() + 4);
            line_id.push_str(&prefix);
            let _ = write!(line_id, "{}", n + 1);
            line.line_id = line_id;
            if !extra.booking_known {
                let Some(date) = fallback else {
                    let path = format!("{}/Ntry[{}]", self.path(depth), extra.index);
                    let line = self.line_at(extra.pos);
                    return Err(Box::new(ParseError::new(
                        ErrorKind::MissingField("BookgDt or ValDt (the entry's dates)".into()),
                        Location::Element { path, line },
                        excerpt_at(self.text, extra.pos),
                    )));
                };
                line.booking_date = date;
                let location = self.entry_location(depth, extra);
                self.findings.push(Finding {
                    severity: Severity::Warning,
                    location,
                    message: format!(
                        "entry has neither BookgDt nor ValDt: booking date {date} taken from \
                         the statement's creation time (CreDtTm)"
                    ),
                });
            }
            if extra.currency != currency {
                let location = self.entry_location(depth, extra);
                self.findings.push(Finding {
                    severity: Severity::Warning,
                    location,
                    message: format!(
                        "entry is in {} but the statement is in {currency}: its amount {} {} is \
                         kept unconverted",
                        extra.currency,
                        format_minor(line.amount_minor, extra.currency.exponent()),
                        extra.currency
                    ),
                });
            }
        }
        if raw.not_booked > 0 {
            let location = self.location(depth, frame.pos);
            self.findings.push(Finding {
                severity: Severity::Info,
                location,
                message: format!(
                    "{} of {} entries are not booked (status {}); they are imported as given",
                    raw.not_booked,
                    lines.len(),
                    raw.statuses.join(", ")
                ),
            });
        }
        self.statements.push(Statement {
            source: self.source.to_string(),
            format: self.format.unwrap_or(Format::Camt053),
            account: account.into_owned(),
            currency,
            statement_id,
            sequence,
            opening_balance,
            closing_balance,
            lines,
            reading: Reading {
                encoding: None,
                deviations,
            },
        });
        Ok(())
    }

    /// The balance when it is in the statement currency; otherwise `None` and a warning.
    /// A zero balance without currency (`XXX`) is taken, with a deviation.
    fn balance_in(
        &mut self,
        kept: Option<KeptBalance>,
        currency: Currency,
        depth: usize,
        which: &str,
        deviations: &mut Vec<Deviation>,
    ) -> Option<Balance> {
        let kept = kept?;
        let Some(kept_currency) = kept.currency else {
            let path = format!("{}/Bal[{}]", self.path(depth), kept.index);
            let line = self.line_at(kept.pos);
            deviations.push(Deviation {
                code: "camt.balance_without_currency".into(),
                line: Some(line),
                path: Some(path),
                excerpt: excerpt_at(self.text, kept.pos),
                message: format!(
                    "{which} balance is zero with Ccy=\"XXX\" (no currency); read as 0 {currency}"
                ),
            });
            return Some(kept.balance);
        };
        if kept_currency == currency {
            return Some(kept.balance);
        }
        let path = format!("{}/Bal[{}]", self.path(depth), kept.index);
        let line = self.line_at(kept.pos);
        self.findings.push(Finding {
            severity: Severity::Warning,
            location: Location::Element { path, line },
            message: format!(
                "{which} balance {} {} is not in the statement currency {currency}; ignored",
                format_minor(kept.balance.amount_minor, kept_currency.exponent()),
                kept_currency
            ),
        });
        None
    }

    /// Settles the signs of balances without `CdtDbtInd`: of the readings (each unsigned balance
    /// positive or negative), keeps those where opening + entries = closing and the opening
    /// equals this account's previous closing in the file; exactly one must remain.
    fn settle_signs(
        &mut self,
        opening: Option<KeptBalance>,
        closing: Option<KeptBalance>,
        lines_total: Option<i64>,
        account: &str,
        depth: usize,
        pos: usize,
    ) -> Result<(Option<KeptBalance>, Option<KeptBalance>), Fail> {
        let unsigned = |b: &Option<KeptBalance>| b.is_some_and(|k| k.unsigned);
        if !unsigned(&opening) && !unsigned(&closing) {
            return Ok((opening, closing));
        }
        let flips = |b: Option<KeptBalance>| -> Vec<Option<KeptBalance>> {
            match b {
                Some(k) if k.unsigned => {
                    let mut negative = k;
                    negative.balance.amount_minor = -k.balance.amount_minor;
                    vec![Some(k), Some(negative)]
                }
                other => vec![other],
            }
        };
        // The previous closing: the latest known one of the account dated no later than the
        // opening balance (the last one read when several share that date).
        let previous = opening.and_then(|o| {
            self.last_closing
                .iter()
                .enumerate()
                .filter(|(_, k)| k.account == account && k.date <= o.balance.date)
                .max_by_key(|(i, k)| (k.date, *i))
                .map(|(_, k)| k.amount_minor)
        });
        let mut readings = Vec::new();
        let mut fitting = Vec::new();
        for o in flips(opening) {
            for c in flips(closing) {
                let adds_up = match (o, c, lines_total) {
                    (Some(o), Some(c), Some(total)) => {
                        o.balance.amount_minor.checked_add(total) == Some(c.balance.amount_minor)
                    }
                    _ => false,
                };
                let chains = match (o, previous) {
                    (Some(o), Some(p)) => o.balance.amount_minor == p,
                    _ => true,
                };
                readings.push((o, c));
                if adds_up && chains {
                    fitting.push((o, c));
                }
            }
        }
        if let [one] = fitting[..] {
            return Ok(one);
        }
        let exponent = opening
            .or(closing)
            .and_then(|k| k.currency)
            .map_or(2, |c| c.exponent());
        let show = |b: Option<KeptBalance>| {
            b.map_or("none".to_string(), |k| {
                format_minor(k.balance.amount_minor, exponent)
            })
        };
        let described = |list: &[(Option<KeptBalance>, Option<KeptBalance>)]| {
            list.iter()
                .map(|(o, c)| format!("opening {} and closing {}", show(*o), show(*c)))
                .collect::<Vec<_>>()
                .join(", or ")
        };
        let message = if fitting.is_empty() {
            format!(
                "balance without CdtDbtInd, and no choice of signs makes opening + entries ({}) = closing{}: {}",
                lines_total.map_or("overflow".to_string(), |t| format_minor(t, exponent)),
                if previous.is_some() {
                    " and the previous closing"
                } else {
                    ""
                },
                described(&readings)
            )
        } else {
            format!(
                "balance without CdtDbtInd, and the statement's arithmetic does not settle its sign: {} readings fit, {}",
                fitting.len(),
                described(&fitting)
            )
        };
        Err(self.error(ErrorKind::BalanceSign(message), depth, pos))
    }

    /// An identification for a statement without `Id`: its sequence number, else the dates of
    /// its balances (or creation), with its position in the file.
    fn substitute_id(&self, raw: &RawStatement<'_>, index: u32) -> String {
        if let Some(seq) = raw
            .electronic_sequence
            .as_ref()
            .or(raw.legal_sequence.as_ref())
        {
            return format!("SEQ-{seq}");
        }
        let from = raw
            .opening
            .or(raw.previously_closed)
            .map(|b| b.balance.date);
        let to = raw.closing.map(|b| b.balance.date);
        match (from.or(raw.created), to.or(raw.created)) {
            (Some(a), Some(b)) if a == b => format!("{a}#{index}"),
            (Some(a), Some(b)) => format!("{a}..{b}#{index}"),
            _ => format!("STMT#{index}"),
        }
    }

    /// A deviation at the element open at `depth`, starting at `pos`.
    fn deviation(&mut self, code: &str, depth: usize, pos: usize, message: String) -> Deviation {
        let line = self.line_at(pos);
        Deviation {
            code: code.to_string(),
            line: Some(line),
            path: Some(self.path(depth)),
            excerpt: excerpt_at(self.text, pos),
            message,
        }
    }

    fn entry_location(&mut self, depth: usize, extra: &LineExtra) -> Location {
        let path = format!("{}/Ntry[{}]", self.path(depth), extra.index);
        let line = self.line_at(extra.pos);
        Location::Element { path, line }
    }

    /// The path of the first `depth` open elements, e.g. `/Document/BkToCstmrStmt/Stmt[1]/Ntry[3]`.
    /// Paths deeper than any camt message shows them elide their middle.
    fn path(&self, depth: usize) -> String {
        const HEAD: usize = 12;
        const TAIL: usize = 4;
        let depth = depth.min(self.frames.len());
        let mut path = String::new();
        for (i, frame) in self.frames.iter().take(depth).enumerate() {
            if depth > HEAD + TAIL + 1 && i >= HEAD && i < depth - TAIL {
                if i == HEAD {
                    let _ = write!(path, "/…{} more…", depth - HEAD - TAIL);
                }
                continue;
            }
            path.push('/');
            path.push_str(element_name(self.text, frame.pos));
            if frame.index > 0 {
                let _ = write!(path, "[{}]", frame.index);
            }
        }
        path
    }

    fn location(&mut self, depth: usize, pos: usize) -> Location {
        let line = self.line_at(pos);
        if depth == 0 {
            Location::Line(line)
        } else {
            Location::Element {
                path: self.path(depth),
                line,
            }
        }
    }

    fn error(&mut self, kind: ErrorKind, depth: usize, pos: usize) -> Fail {
        let location = self.location(depth, pos);
        Box::new(ParseError::new(kind, location, excerpt_at(self.text, pos)))
    }

    /// 1-based line of a byte offset; counts newlines from the previous lookup, so lookups in
    /// document order cost linear time overall.
    fn line_at(&mut self, pos: usize) -> u64 {
        let bytes = self.text.as_bytes();
        let pos = pos.min(bytes.len());
        let (cached_pos, cached_line) = self.line_cache;
        let count = |a: usize, b: usize| {
            bytes
                .get(a..b)
                .map_or(0, |s| memchr::memchr_iter(b'\n', s).count() as u64)
        };
        let line = if pos >= cached_pos {
            cached_line.saturating_add(count(cached_pos, pos))
        } else {
            cached_line.saturating_sub(count(pos, cached_pos)).max(1)
        };
        self.line_cache = (pos, line);
        line
    }
}

/// Keeps the first non-empty value of an element that should occur once.
fn set_first<'a>(slot: &mut Option<Cow<'a, str>>, text: Option<Cow<'a, str>>) {
    if slot.is_none() {
        *slot = text;
    }
}

/// Joins the values of a repeated element with a space.
fn append<'a>(slot: &mut Option<Cow<'a, str>>, text: Option<Cow<'a, str>>) {
    let Some(text) = text else { return };
    match slot {
        None => *slot = Some(text),
        Some(s) => {
            let s = s.to_mut();
            s.push(' ');
            s.push_str(&text);
        }
    }
}

/// The text without surrounding XML whitespace; `None` when nothing is left.
fn trimmed(text: Cow<'_, str>) -> Option<Cow<'_, str>> {
    let is_ws = |c: char| matches!(c, ' ' | '\t' | '\r' | '\n');
    let t = match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim_matches(is_ws)),
        Cow::Owned(s) => {
            let t = s.trim_matches(is_ws);
            if t.len() == s.len() {
                Cow::Owned(s)
            } else {
                Cow::Owned(t.to_string())
            }
        }
    };
    (!t.is_empty()).then_some(t)
}

fn signed(minor: i64, credit: bool) -> i64 {
    // `minor` comes from an unsigned text, so it is >= 0 and its negation fits.
    if credit { minor } else { -minor }
}

/// An entity or character reference: the five predefined entities and `&#...;` only.
fn resolve_reference(r: &BytesRef<'_>) -> Result<char, String> {
    let name = String::from_utf8_lossy(r);
    if r.is_char_ref() {
        return match r.resolve_char_ref() {
            Ok(Some(c)) => Ok(c),
            _ => Err(format!("invalid character reference &{name};")),
        };
    }
    match name.as_ref() {
        "amp" => Ok('&'),
        "lt" => Ok('<'),
        "gt" => Ok('>'),
        "apos" => Ok('\''),
        "quot" => Ok('"'),
        _ => Err(format!(
            "undefined entity reference &{name}; (only the predefined XML entities and \
             character references are allowed)"
        )),
    }
}

/// An ISO date `YYYY-MM-DD` (optionally with a time zone), or with `with_time` an ISO date-time
/// `YYYY-MM-DDThh:mm:ss...`, whose date part is taken as written (no time-zone conversion).
fn parse_date(text: &str, with_time: bool) -> Result<Date, &'static str> {
    let bytes = text.as_bytes();
    let shape = if with_time {
        "expected an ISO date-time YYYY-MM-DDThh:mm:ss"
    } else {
        "expected an ISO date YYYY-MM-DD"
    };
    let head = bytes.get(..10).ok_or(shape)?;
    let digits_ok = head.iter().enumerate().all(|(i, b)| {
        if i == 4 || i == 7 {
            *b == b'-'
        } else {
            b.is_ascii_digit()
        }
    });
    if !digits_ok {
        return Err(shape);
    }
    let rest = bytes.get(10..).unwrap_or(&[]);
    let rest_ok = if with_time {
        rest.len() >= 9
            && rest.first() == Some(&b'T')
            && rest.get(1..9).is_some_and(|t| {
                t.iter().enumerate().all(|(i, b)| {
                    if i == 2 || i == 5 {
                        *b == b':'
                    } else {
                        b.is_ascii_digit()
                    }
                })
            })
    } else {
        // xs:date may carry a time zone: Z, +hh:mm or -hh:mm.
        rest.is_empty() || rest == b"Z" || (rest.len() == 6 && matches!(rest[0], b'+' | b'-'))
    };
    if !rest_ok {
        return Err(shape);
    }
    let num = |r: std::ops::Range<usize>| {
        head.get(r).map_or(0, |d| {
            d.iter().fold(0u32, |n, b| n * 10 + u32::from(b - b'0'))
        })
    };
    let year = i32::try_from(num(0..4)).map_err(|_| shape)?;
    Date::from_ymd_opt(year, num(5..7), num(8..10)).ok_or("no such calendar day")
}

/// The local name of the element whose `<` is at `pos`.
fn element_name(text: &str, pos: usize) -> &str {
    let rest = text
        .get(pos..)
        .and_then(|r| r.strip_prefix('<'))
        .unwrap_or("");
    let end = rest
        .find(|c: char| c.is_ascii_whitespace() || c == '>' || c == '/')
        .unwrap_or(rest.len());
    let qname = rest.get(..end).unwrap_or("");
    let local = qname.split_once(':').map_or(qname, |(_, local)| local);
    if local.is_empty() { "?" } else { local }
}

/// The trimmed line around a byte offset; a long line is shown from the offset on.
fn excerpt_at(text: &str, pos: usize) -> String {
    let mut pos = pos.min(text.len());
    while !text.is_char_boundary(pos) {
        pos -= 1;
    }
    let bytes = text.as_bytes();
    let start = memchr::memrchr(b'\n', bytes.get(..pos).unwrap_or(&[])).map_or(0, |p| p + 1);
    let end =
        memchr::memchr(b'\n', bytes.get(pos..).unwrap_or(&[])).map_or(text.len(), |p| pos + p);
    let line = text.get(start..end).unwrap_or("");
    let shown = if line.trim().chars().count() > 120 {
        text.get(pos..end).unwrap_or(line)
    } else {
        line
    };
    crate::excerpt(shown.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEAD: &str = r#"<?xml version="1.0" encoding="UTF-8"?>
<Document xmlns="urn:iso:std:iso:20022:tech:xsd:camt.053.001.02">
<BkToCstmrStmt>
<GrpHdr><MsgId>M1</MsgId><CreDtTm>2024-03-01T10:00:00+01:00</CreDtTm></GrpHdr>
<Stmt>
<Id>S1</Id>
<ElctrncSeqNb>7</ElctrncSeqNb>
<Acct><Id><IBAN>DE89370400440532013000</IBAN></Id><Ccy>EUR</Ccy></Acct>
"#;
    const TAIL: &str = "</Stmt>\n</BkToCstmrStmt>\n</Document>\n";

    fn doc(body: &str) -> String {
        format!("{HEAD}{body}{TAIL}")
    }

    fn ok(text: &str) -> Parsed {
        parse("t.xml", text, &Limits::default()).unwrap()
    }

    #[test]
    fn unsigned_balances_settle_by_the_previous_closing() {
        let balances = |open: &str, close: &str| {
            format!(
                r#"<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{open}</Amt><Dt><Dt>2024-03-02</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">{close}</Amt><Dt><Dt>2024-03-02</Dt></Dt></Bal>"#
            )
        };
        // No movement: +300/+300 and -300/-300 both add up; alone, the file is refused.
        let text = doc(&balances("300.00", "300.00"));
        let e = err(&text);
        assert!(
            e.kind.to_string().contains(
                "2 readings fit, opening 300.00 and closing 300.00, or opening -300.00 and closing -300.00"
            ),
            "{}",
            e.kind
        );
        // Knowing the previous day's closing (-300.00) settles it.
        let known = [KnownBalance {
            account: "DE89370400440532013000".into(),
            date: date("2024-03-01"),
            amount_minor: -30_000,
        }];
        let p = parse_knowing(
            "t.xml",
            &text,
            &Limits::default(),
            ReadingMode::Tolerant,
            &known,
        )
        .unwrap();
        let s = &p.statements[0];
        assert_eq!(s.opening_balance.unwrap().amount_minor, -30_000);
        assert_eq!(s.closing_balance.unwrap().amount_minor, -30_000);
        // A closing of another account, or dated after the opening, settles nothing.
        let later = [KnownBalance {
            date: date("2024-03-03"),
            ..known[0].clone()
        }];
        assert!(
            parse_knowing(
                "t.xml",
                &text,
                &Limits::default(),
                ReadingMode::Tolerant,
                &later
            )
            .is_err()
        );
    }

    #[test]
    fn batch_details_keep_every_transaction() {
        let entry = r#"<Ntry><Amt Ccy="EUR">30.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><BookgDt><Dt>2024-03-01</Dt></BookgDt>
<NtryDtls><TxDtls><Refs><EndToEndId>INV-1</EndToEndId></Refs><Amt Ccy="EUR">10.00</Amt><RltdPties><Dbtr><Nm>A</Nm></Dbtr></RltdPties><RmtInf><Ustrd>one</Ustrd></RmtInf></TxDtls>
<TxDtls><Refs><EndToEndId>NOTPROVIDED</EndToEndId><InstrId>I-2</InstrId></Refs><AmtDtls><TxAmt><Amt Ccy="EUR">20.00</Amt></TxAmt></AmtDtls><RltdPties><Dbtr><Pty><Nm>B</Nm></Pty></Dbtr><DbtrAcct><Id><IBAN>DE02</IBAN></Id></DbtrAcct></RltdPties></TxDtls></NtryDtls></Ntry>"#;
        let p = ok(&doc(entry));
        let l = &p.statements[0].lines[0];
        // The line's own fields still come from the first transaction only.
        assert_eq!(l.reference.as_deref(), Some("INV-1"));
        assert_eq!(l.counterparty.as_deref(), Some("A"));
        assert_eq!(l.counterparty_account, None);
        assert_eq!(l.description, "one");
        assert_eq!(
            l.details,
            [
                BatchDetail {
                    reference: Some("INV-1".into()),
                    amount_minor: Some(1000),
                    counterparty: Some("A".into()),
                    counterparty_account: None,
                    description: "one".into(),
                },
                BatchDetail {
                    reference: Some("I-2".into()),
                    amount_minor: Some(2000),
                    counterparty: Some("B".into()),
                    counterparty_account: Some("DE02".into()),
                    description: String::new(),
                },
            ]
        );
    }

    fn err(text: &str) -> ParseError {
        parse("t.xml", text, &Limits::default()).unwrap_err()
    }

    fn date(s: &str) -> Date {
        Date::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    const ENTRY: &str = r#"<Ntry><Amt Ccy="EUR">12.30</Amt><CdtDbtInd>DBIT</CdtDbtInd><Sts>BOOK</Sts>
<BookgDt><Dt>2024-03-01</Dt></BookgDt><ValDt><Dt>2024-03-02</Dt></ValDt><AcctSvcrRef>ASR1</AcctSvcrRef>
<BkTxCd><Domn><Cd>PMNT</Cd><Fmly><Cd>ICDT</Cd><SubFmlyCd>ESCT</SubFmlyCd></Fmly></Domn></BkTxCd>
<NtryDtls><TxDtls><Refs><EndToEndId>E2E-1</EndToEndId><TxId>TX1</TxId></Refs>
<RltdPties><Dbtr><Nm>Us</Nm></Dbtr><Cdtr><Nm>Smith &amp; Co &#x263A;</Nm></Cdtr>
<CdtrAcct><Id><IBAN>FR7630006000011234567890189</IBAN></Id></CdtrAcct></RltdPties>
<RmtInf><Ustrd>Invoice 1</Ustrd><Ustrd>and 2</Ustrd><Strd><CdtrRefInf><Ref>RF18</Ref></CdtrRefInf></Strd></RmtInf>
<AddtlTxInf>tx info</AddtlTxInf></TxDtls>
<TxDtls><Refs><EndToEndId>SECOND</EndToEndId></Refs></TxDtls></NtryDtls>
<AddtlNtryInf>entry info</AddtlNtryInf></Ntry>
"#;

    #[test]
    fn maps_a_statement() {
        let body = format!(
            r#"<Bal><Tp><CdOrPrtry><Cd>OPBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">100.00</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2024-02-29</Dt></Dt></Bal>
<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="EUR">87.7</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><DtTm>2024-03-01T23:59:59</DtTm></Dt></Bal>
{ENTRY}"#
        );
        let parsed = ok(&doc(&body));
        assert!(parsed.findings.is_empty(), "{:?}", parsed.findings);
        let s = &parsed.statements[0];
        assert_eq!(s.format, Format::Camt053);
        assert_eq!(s.account, "DE89370400440532013000");
        assert_eq!(s.currency.code(), "EUR");
        assert_eq!(s.statement_id, "S1");
        assert_eq!(s.sequence.as_deref(), Some("7"));
        assert_eq!(s.opening_balance.unwrap().amount_minor, 10000);
        assert_eq!(s.closing_balance.unwrap().amount_minor, 8770);
        assert_eq!(s.closing_balance.unwrap().date, date("2024-03-01"));
        assert_eq!(s.balance_difference_minor(), Some(0));
        let l = &s.lines[0];
        assert_eq!(l.line_id, "S1/7/1");
        assert_eq!(l.amount_minor, -1230);
        assert_eq!(l.booking_date, date("2024-03-01"));
        assert_eq!(l.value_date, Some(date("2024-03-02")));
        assert_eq!(l.reference.as_deref(), Some("E2E-1"));
        assert_eq!(l.bank_reference.as_deref(), Some("TX1"));
        assert_eq!(l.servicer_reference.as_deref(), Some("ASR1"));
        assert_eq!(l.counterparty.as_deref(), Some("Smith & Co ☺"));
        assert_eq!(
            l.counterparty_account.as_deref(),
            Some("FR7630006000011234567890189")
        );
        assert_eq!(l.type_code.as_deref(), Some("PMNT/ICDT/ESCT"));
        assert_eq!(l.description, "Invoice 1 and 2 RF18 tx info entry info");
    }

    #[test]
    fn prefixed_namespaces_and_v8_parties() {
        let text = r#"<?xml version="1.0"?>
<c:Document xmlns:c="urn:iso:std:iso:20022:tech:xsd:camt.054.001.08"><c:BkToCstmrDbtCdtNtfctn>
<c:GrpHdr><c:MsgId>M</c:MsgId><c:CreDtTm>2024-01-01T00:00:00</c:CreDtTm></c:GrpHdr>
<c:Ntfctn><c:Id>N1</c:Id><c:Acct><c:Id><c:Othr><c:Id>12345</c:Id></c:Othr></c:Id></c:Acct>
<c:Ntry><c:NtryRef>NR</c:NtryRef><c:Amt Ccy="JPY">1500</c:Amt><c:CdtDbtInd>CRDT</c:CdtDbtInd><c:Sts><c:Cd>PDNG</c:Cd></c:Sts>
<c:ValDt><c:DtTm>2024-01-02T08:00:00Z</c:DtTm></c:ValDt><c:BkTxCd><c:Prtry><c:Cd>NTRF+117</c:Cd></c:Prtry></c:BkTxCd>
<c:NtryDtls><c:TxDtls><c:Refs><c:EndToEndId>NOTPROVIDED</c:EndToEndId></c:Refs>
<c:RltdPties><c:Dbtr><c:Pty><c:Nm>Payer</c:Nm></c:Pty></c:Dbtr><c:DbtrAcct><c:Id><c:Othr><c:Id>999</c:Id></c:Othr></c:Id></c:DbtrAcct></c:RltdPties>
</c:TxDtls></c:NtryDtls></c:Ntry></c:Ntfctn></c:BkToCstmrDbtCdtNtfctn></c:Document>"#;
        let parsed = ok(text);
        let s = &parsed.statements[0];
        assert_eq!(s.format, Format::Camt054);
        assert_eq!(s.account, "12345");
        assert_eq!(s.currency.code(), "JPY");
        let l = &s.lines[0];
        assert_eq!(l.line_id, "N1/1");
        assert_eq!(l.amount_minor, 1500);
        assert_eq!(l.booking_date, date("2024-01-02"));
        assert_eq!(l.reference.as_deref(), Some("NR"));
        assert_eq!(l.counterparty.as_deref(), Some("Payer"));
        assert_eq!(l.counterparty_account.as_deref(), Some("999"));
        assert_eq!(l.type_code.as_deref(), Some("NTRF+117"));
        assert_eq!(parsed.findings.len(), 1);
        assert_eq!(parsed.findings[0].severity, Severity::Info);
        assert!(
            parsed.findings[0]
                .message
                .contains("1 of 1 entries are not booked (status PDNG)")
        );
    }

    #[test]
    fn error_paths_and_lines() {
        let body = format!("{ENTRY}{}", ENTRY.replace("12.30", "12,30"));
        let e = err(&doc(&body));
        assert!(matches!(e.kind, ErrorKind::InvalidAmount { .. }), "{e:?}");
        assert_eq!(
            e.location,
            Location::Element {
                path: "/Document/BkToCstmrStmt/Stmt[1]/Ntry[2]/Amt".into(),
                line: 19
            }
        );
        assert!(
            e.excerpt.starts_with("<Ntry><Amt Ccy=\"EUR\">12,30</Amt>"),
            "{}",
            e.excerpt
        );

        let e = err(&doc(&ENTRY.replace("2024-03-02", "2024-02-30")));
        assert_eq!(
            e.kind,
            ErrorKind::InvalidDate {
                text: "2024-02-30".into(),
                reason: "no such calendar day".into()
            }
        );
        let e = err(&doc(&ENTRY.replace("<Amt Ccy=\"EUR\">12.30</Amt>", "")));
        assert_eq!(
            e.kind,
            ErrorKind::MissingField("Amt (the entry amount)".into())
        );
        assert_eq!(
            e.location,
            Location::Element {
                path: "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]".into(),
                line: 9
            }
        );
        let e = err(&doc(&ENTRY.replace("Ccy=\"EUR\"", "Ccy=\"EUX\"")));
        assert_eq!(e.kind, ErrorKind::UnknownCurrency("EUX".into()));
        let e = err(&doc(&ENTRY.replace(">12.30<", ">-12.30<")));
        assert!(matches!(e.kind, ErrorKind::InvalidAmount { .. }));
        let e = err(&doc(&ENTRY.replace(">DBIT<", ">DEBIT<")));
        assert!(matches!(e.kind, ErrorKind::Structure(_)));
    }

    #[test]
    fn security() {
        let bomb = r#"<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>
<Document><BkToCstmrStmt>&lol2;</BkToCstmrStmt></Document>"#;
        let e = err(bomb);
        assert_eq!(e.kind, ErrorKind::DoctypeForbidden);
        assert_eq!(e.location, Location::Line(2));
        let e = err(&doc(&ENTRY.replace("&amp;", "&xxe;")));
        assert!(
            matches!(&e.kind, ErrorKind::Xml(m) if m.contains("&xxe;")),
            "{e:?}"
        );

        let limits = Limits {
            max_xml_depth: 8,
            ..Limits::default()
        };
        let e = parse("t.xml", &doc(ENTRY), &limits).unwrap_err();
        assert_eq!(e.kind, ErrorKind::TooDeep { limit: 8 });
        let limits = Limits {
            max_field_bytes: 8,
            ..Limits::default()
        };
        let e = parse("t.xml", &doc(ENTRY), &limits).unwrap_err();
        assert_eq!(e.kind, ErrorKind::FieldTooLong { limit: 8 });
        let limits = Limits {
            max_lines_per_statement: 1,
            ..Limits::default()
        };
        let e = parse("t.xml", &doc(&format!("{ENTRY}{ENTRY}")), &limits).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::TooMany { limit: 1, .. }));
    }

    #[test]
    fn truncated_and_empty() {
        let full = doc(ENTRY);
        let cut = &full[..full.find("<AddtlTxInf>").unwrap()];
        let e = err(cut);
        assert!(
            matches!(&e.kind, ErrorKind::Xml(m) if m.contains("truncated")),
            "{e:?}"
        );
        let e = err(
            "<Document><BkToCstmrStmt><GrpHdr><MsgId>M</MsgId></GrpHdr></BkToCstmrStmt></Document>",
        );
        assert_eq!(
            e.kind,
            ErrorKind::MissingField("Stmt (the message holds no statement)".into())
        );
        assert!(matches!(
            err("<Document><Foo/></Document>").kind,
            ErrorKind::Structure(_)
        ));
    }

    #[test]
    fn quirks_become_findings() {
        let entry = ENTRY
            .replace(
                "<BookgDt><Dt>2024-03-01</Dt></BookgDt><ValDt><Dt>2024-03-02</Dt></ValDt>",
                "",
            )
            .replace("Ccy=\"EUR\"", "Ccy=\"CHF\"")
            .replace("<Sts>BOOK</Sts>", "<RvslInd>true</RvslInd><Sts>BOOK</Sts>");
        let body = format!(
            r#"<Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy="SEK">1</Amt><CdtDbtInd>DBIT</CdtDbtInd><Dt><Dt>2024-02-29</Dt></Dt></Bal>
{entry}"#
        );
        let parsed = ok(&doc(&body));
        let s = &parsed.statements[0];
        assert_eq!(s.closing_balance, None);
        assert_eq!(s.lines[0].amount_minor, -1230);
        assert_eq!(s.lines[0].booking_date, date("2024-03-01"));
        let messages: Vec<_> = parsed.findings.iter().map(|f| f.message.as_str()).collect();
        assert_eq!(messages.len(), 4, "{messages:?}");
        assert!(messages[0].starts_with("reversal entry"));
        assert!(messages[1].starts_with("closing balance -1.00 SEK"));
        assert!(messages[2].contains("neither BookgDt nor ValDt"));
        assert!(messages[3].starts_with("entry is in CHF but the statement is in EUR"));
        assert_eq!(
            parsed.findings[3].location,
            Location::Element {
                path: "/Document/BkToCstmrStmt/Stmt[1]/Ntry[1]".into(),
                line: 10
            }
        );
    }

    #[test]
    fn an_empty_statement_without_currency_is_skipped() {
        let text = doc("").replace("<Ccy>EUR</Ccy>", "");
        let parsed = ok(&text);
        assert!(parsed.statements.is_empty());
        assert_eq!(parsed.findings[0].severity, Severity::Warning);
        assert!(parsed.findings[0].message.contains("S1 has no entry"));
        // With the account currency, an empty statement is a statement.
        assert_eq!(ok(&doc("")).statements[0].lines.len(), 0);
    }

    #[test]
    fn dates() {
        assert_eq!(parse_date("2024-02-29", false), Ok(date("2024-02-29")));
        assert_eq!(
            parse_date("2024-02-29+01:00", false),
            Ok(date("2024-02-29"))
        );
        assert_eq!(
            parse_date("2024-02-29T23:30:00-05:00", true),
            Ok(date("2024-02-29"))
        );
        assert_eq!(
            parse_date("2025-07-24T06:10:29.000000000", true),
            Ok(date("2025-07-24"))
        );
        assert!(parse_date("2024-02-29", true).is_err());
        assert!(parse_date("2024-2-29", false).is_err());
        assert!(parse_date("29.02.2024", false).is_err());
        assert_eq!(parse_date("2023-02-29", false), Err("no such calendar day"));
        assert!(parse_date("", false).is_err());
        assert!(parse_date("2024-02-29é", false).is_err());
    }

    #[test]
    fn never_panics_on_cut_input() {
        let full = doc(ENTRY);
        for (i, _) in full.char_indices() {
            let _ = parse("t.xml", &full[..i], &Limits::default());
        }
    }
}
