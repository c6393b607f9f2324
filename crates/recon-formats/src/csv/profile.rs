//! CSV mapping profiles: which column holds what, and how one bank writes dates and amounts.
//!
//! A profile is written in TOML (see `assets/profiles/README.md` for every option) and checked
//! once when it is read, so that parsing a file only has to resolve header names to indexes.

use crate::{ErrorKind, Location, ParseError};
use encoding_rs::Encoding;
use recon_model::Currency;
use serde::Deserialize;

/// A reference to one column: its header name, or its 0-based index.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnRef {
    Name(String),
    Index(usize),
}

/// Where a field's text comes from in a record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ColumnSpec {
    /// One column.
    One(ColumnRef),
    /// Several columns; their non-empty values are joined with a space (text fields only).
    Join(Vec<ColumnRef>),
    /// The first non-empty value among several columns; columns the header lacks are ignored.
    FirstOf(Vec<ColumnRef>),
}

/// The model fields a column can be mapped to (the keys of the `[columns]` table).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    LineId,
    EntryId,
    Account,
    BookingDate,
    PostingDate,
    ValueDate,
    Amount,
    Debit,
    Credit,
    Direction,
    Currency,
    Reference,
    BankReference,
    ServicerReference,
    Counterparty,
    CounterpartyAccount,
    Description,
    TypeCode,
    Balance,
}

impl Field {
    /// The key of the field in the profile's `[columns]` table.
    pub fn key(self) -> &'static str {
        match self {
            Field::LineId => "line_id",
            Field::EntryId => "entry_id",
            Field::Account => "account",
            Field::BookingDate => "booking_date",
            Field::PostingDate => "posting_date",
            Field::ValueDate => "value_date",
            Field::Amount => "amount",
            Field::Debit => "debit",
            Field::Credit => "credit",
            Field::Direction => "direction",
            Field::Currency => "currency",
            Field::Reference => "reference",
            Field::BankReference => "bank_reference",
            Field::ServicerReference => "servicer_reference",
            Field::Counterparty => "counterparty",
            Field::CounterpartyAccount => "counterparty_account",
            Field::Description => "description",
            Field::TypeCode => "type_code",
            Field::Balance => "balance",
        }
    }

    /// Free-text fields, the only ones that may join several columns.
    fn is_text(self) -> bool {
        matches!(
            self,
            Field::Reference
                | Field::BankReference
                | Field::ServicerReference
                | Field::Counterparty
                | Field::CounterpartyAccount
                | Field::Description
                | Field::TypeCode
        )
    }
}

/// The column mapping of a profile; `None` when the field is not in the file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Columns {
    pub line_id: Option<ColumnSpec>,
    pub entry_id: Option<ColumnSpec>,
    pub account: Option<ColumnSpec>,
    pub booking_date: Option<ColumnSpec>,
    pub posting_date: Option<ColumnSpec>,
    pub value_date: Option<ColumnSpec>,
    pub amount: Option<ColumnSpec>,
    pub debit: Option<ColumnSpec>,
    pub credit: Option<ColumnSpec>,
    pub direction: Option<ColumnSpec>,
    pub currency: Option<ColumnSpec>,
    pub reference: Option<ColumnSpec>,
    pub bank_reference: Option<ColumnSpec>,
    pub servicer_reference: Option<ColumnSpec>,
    pub counterparty: Option<ColumnSpec>,
    pub counterparty_account: Option<ColumnSpec>,
    pub description: Option<ColumnSpec>,
    pub type_code: Option<ColumnSpec>,
    pub balance: Option<ColumnSpec>,
}

impl Columns {
    pub fn get(&self, field: Field) -> Option<&ColumnSpec> {
        match field {
            Field::LineId => self.line_id.as_ref(),
            Field::EntryId => self.entry_id.as_ref(),
            Field::Account => self.account.as_ref(),
            Field::BookingDate => self.booking_date.as_ref(),
            Field::PostingDate => self.posting_date.as_ref(),
            Field::ValueDate => self.value_date.as_ref(),
            Field::Amount => self.amount.as_ref(),
            Field::Debit => self.debit.as_ref(),
            Field::Credit => self.credit.as_ref(),
            Field::Direction => self.direction.as_ref(),
            Field::Currency => self.currency.as_ref(),
            Field::Reference => self.reference.as_ref(),
            Field::BankReference => self.bank_reference.as_ref(),
            Field::ServicerReference => self.servicer_reference.as_ref(),
            Field::Counterparty => self.counterparty.as_ref(),
            Field::CounterpartyAccount => self.counterparty_account.as_ref(),
            Field::Description => self.description.as_ref(),
            Field::TypeCode => self.type_code.as_ref(),
            Field::Balance => self.balance.as_ref(),
        }
    }

    pub const ALL: [Field; 19] = [
        Field::LineId,
        Field::EntryId,
        Field::Account,
        Field::BookingDate,
        Field::PostingDate,
        Field::ValueDate,
        Field::Amount,
        Field::Debit,
        Field::Credit,
        Field::Direction,
        Field::Currency,
        Field::Reference,
        Field::BankReference,
        Field::ServicerReference,
        Field::Counterparty,
        Field::CounterpartyAccount,
        Field::Description,
        Field::TypeCode,
        Field::Balance,
    ];
}

/// How the file's amounts relate to the model's sign (+ money into the account).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Sign {
    /// Positive amounts are money in (debit/credit columns: credit in, debit out).
    #[default]
    AsIs,
    /// Positive amounts are money out (card statements listing purchases as positive numbers).
    Inverted,
}

/// In which order the rows are written, for deriving balances from a running-balance column.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RowOrder {
    /// Decided from the running balance (and the dates when the balance fits both orders).
    #[default]
    Auto,
    OldestFirst,
    NewestFirst,
}

/// A rule that drops a data row (totals rows, pending orders, repeated headers).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SkipRule {
    pub column: ColumnRef,
    pub test: SkipTest,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SkipTest {
    /// The trimmed value equals this text.
    Equals(String),
    /// The trimmed value differs from this text.
    NotEquals(String),
    /// The trimmed value starts with this text.
    StartsWith(String),
    /// The trimmed value is empty.
    Empty,
}

/// How to read one bank's CSV layout. Built from TOML with [`CsvProfile::from_toml`], or one of
/// the canonical layouts. `Default` is the canonical bank-lines layout.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CsvProfile {
    pub name: String,
    pub(crate) encoding: Option<&'static Encoding>,
    pub(crate) delimiter: u8,
    /// `None`: quoting is off.
    pub(crate) quote: Option<u8>,
    pub(crate) has_header: bool,
    pub(crate) skip_rows: usize,
    pub(crate) columns: Columns,
    pub(crate) date_formats: Vec<String>,
    pub(crate) decimal_separator: u8,
    pub(crate) thousands_separator: Option<char>,
    pub(crate) currency_symbols: Vec<String>,
    pub(crate) negative_parentheses: bool,
    pub(crate) sign: Sign,
    pub(crate) debit_values: Vec<String>,
    pub(crate) credit_values: Vec<String>,
    pub(crate) account: Option<String>,
    pub(crate) currency: Option<Currency>,
    pub(crate) statement_id: Option<String>,
    pub(crate) row_order: RowOrder,
    pub(crate) skip: Vec<SkipRule>,
}

impl Default for CsvProfile {
    fn default() -> Self {
        CsvProfile::canonical_bank_lines()
    }
}

fn by_name(name: &str) -> Option<ColumnSpec> {
    Some(ColumnSpec::One(ColumnRef::Name(name.to_string())))
}

impl CsvProfile {
    fn canonical_base(name: &str, columns: Columns) -> CsvProfile {
        CsvProfile {
            name: name.to_string(),
            encoding: Some(encoding_rs::UTF_8),
            delimiter: b',',
            quote: Some(b'"'),
            has_header: true,
            skip_rows: 0,
            columns,
            date_formats: vec!["%Y-%m-%d".to_string()],
            decimal_separator: b'.',
            thousands_separator: None,
            currency_symbols: Vec::new(),
            negative_parentheses: false,
            sign: Sign::AsIs,
            debit_values: Vec::new(),
            credit_values: Vec::new(),
            account: None,
            currency: None,
            statement_id: None,
            row_order: RowOrder::Auto,
            skip: Vec::new(),
        }
    }

    /// `line_id,account,booking_date,value_date,amount,currency,reference,description`: comma,
    /// UTF-8, ISO dates, '.' decimal point, '-' for money out.
    pub fn canonical_bank_lines() -> CsvProfile {
        CsvProfile::canonical_base(
            "canonical-bank-lines",
            Columns {
                line_id: by_name("line_id"),
                account: by_name("account"),
                booking_date: by_name("booking_date"),
                value_date: by_name("value_date"),
                amount: by_name("amount"),
                currency: by_name("currency"),
                reference: by_name("reference"),
                description: by_name("description"),
                ..Columns::default()
            },
        )
    }

    /// `entry_id,account,posting_date,amount,currency,reference,description`, same conventions.
    pub fn canonical_ledger() -> CsvProfile {
        CsvProfile::canonical_base(
            "canonical-ledger",
            Columns {
                entry_id: by_name("entry_id"),
                account: by_name("account"),
                posting_date: by_name("posting_date"),
                amount: by_name("amount"),
                currency: by_name("currency"),
                reference: by_name("reference"),
                description: by_name("description"),
                ..Columns::default()
            },
        )
    }

    /// Reads a profile from its TOML text. Any problem (TOML syntax, unknown option, invalid
    /// value, contradictory mapping) is an [`ErrorKind::Profile`] naming the line of the TOML.
    pub fn from_toml(text: &str) -> Result<CsvProfile, ParseError> {
        let raw: RawProfile = toml::from_str(text).map_err(|e| {
            let location = e
                .span()
                .map_or(Location::File, |s| Location::Line(line_of(text, s.start)));
            let message = e.message().trim_end().replace('\n', " ");
            profile_error(text, location, message)
        })?;
        raw.into_profile(text)
    }

    /// The declared text encoding of files in this layout, if the profile names one.
    pub fn encoding(&self) -> Option<&'static encoding_rs::Encoding> {
        self.encoding
    }

    /// The column mapping.
    pub fn columns(&self) -> &Columns {
        &self.columns
    }
}

/// 1-based line of a byte offset in a text.
fn line_of(text: &str, offset: usize) -> u64 {
    let end = offset.min(text.len());
    1 + memchr::memchr_iter(b'\n', &text.as_bytes()[..end]).count() as u64
}

fn profile_error(text: &str, location: Location, message: impl Into<String>) -> ParseError {
    let excerpt = match location.line() {
        Some(l) => text
            .lines()
            .nth(usize::try_from(l.saturating_sub(1)).unwrap_or(usize::MAX))
            .map(crate::excerpt)
            .unwrap_or_default(),
        None => String::new(),
    };
    ParseError::new(ErrorKind::Profile(message.into()), location, excerpt)
}

/// The line where `key = ...` (or the table header `[key]`) is written (the first one), for
/// errors found after parsing.
fn key_location(text: &str, key: &str) -> Location {
    for (i, line) in text.lines().enumerate() {
        let t = line.trim_start();
        if key.starts_with('[') && t.starts_with(key) {
            return Location::Line(i as u64 + 1);
        }
        if let Some(rest) = t.strip_prefix(key)
            && rest.trim_start().starts_with('=')
        {
            return Location::Line(i as u64 + 1);
        }
    }
    Location::File
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawColumnRef {
    Index(usize),
    Name(String),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFirstOf {
    first_of: Vec<RawColumnRef>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum RawColumnSpec {
    One(RawColumnRef),
    Join(Vec<RawColumnRef>),
    FirstOf(RawFirstOf),
}

#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawColumns {
    line_id: Option<RawColumnSpec>,
    entry_id: Option<RawColumnSpec>,
    account: Option<RawColumnSpec>,
    booking_date: Option<RawColumnSpec>,
    posting_date: Option<RawColumnSpec>,
    value_date: Option<RawColumnSpec>,
    amount: Option<RawColumnSpec>,
    debit: Option<RawColumnSpec>,
    credit: Option<RawColumnSpec>,
    direction: Option<RawColumnSpec>,
    currency: Option<RawColumnSpec>,
    reference: Option<RawColumnSpec>,
    bank_reference: Option<RawColumnSpec>,
    servicer_reference: Option<RawColumnSpec>,
    counterparty: Option<RawColumnSpec>,
    counterparty_account: Option<RawColumnSpec>,
    description: Option<RawColumnSpec>,
    type_code: Option<RawColumnSpec>,
    balance: Option<RawColumnSpec>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSkip {
    column: RawColumnRef,
    equals: Option<String>,
    not_equals: Option<String>,
    starts_with: Option<String>,
    empty: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProfile {
    name: Option<String>,
    encoding: Option<String>,
    delimiter: Option<String>,
    quote: Option<String>,
    has_header: Option<bool>,
    skip_rows: Option<usize>,
    date_format: Option<OneOrMany>,
    decimal_separator: Option<String>,
    thousands_separator: Option<String>,
    currency_symbols: Option<Vec<String>>,
    negative_parentheses: Option<bool>,
    sign: Option<Sign>,
    debit_values: Option<Vec<String>>,
    credit_values: Option<Vec<String>>,
    account: Option<String>,
    currency: Option<String>,
    statement_id: Option<String>,
    row_order: Option<RowOrder>,
    #[serde(default)]
    columns: RawColumns,
    #[serde(default)]
    skip: Vec<RawSkip>,
}

fn column_ref(raw: RawColumnRef) -> ColumnRef {
    match raw {
        RawColumnRef::Index(i) => ColumnRef::Index(i),
        RawColumnRef::Name(n) => ColumnRef::Name(n),
    }
}

/// One ASCII character given as a one-character string.
fn single_byte(text: &str, key: &str, value: &str) -> Result<u8, ParseError> {
    let v = match value {
        "tab" | "\\t" => "\t",
        other => other,
    };
    match v.as_bytes() {
        [b] if b.is_ascii() && *b != b'\n' && *b != b'\r' => Ok(*b),
        _ => Err(profile_error(
            text,
            key_location(text, key),
            format!("{key} must be one ASCII character, not {value:?}"),
        )),
    }
}

impl RawProfile {
    fn into_profile(self, text: &str) -> Result<CsvProfile, ParseError> {
        let err =
            |key: &str, message: String| profile_error(text, key_location(text, key), message);

        let encoding = match &self.encoding {
            None => None,
            Some(label) => Some(
                Encoding::for_label(label.trim().as_bytes())
                    .ok_or_else(|| err("encoding", format!("unknown encoding label {label:?}")))?,
            ),
        };
        let delimiter = match &self.delimiter {
            None => b',',
            Some(d) => single_byte(text, "delimiter", d)?,
        };
        let quote = match self.quote.as_deref() {
            None => Some(b'"'),
            Some("") => None,
            Some(q) => Some(single_byte(text, "quote", q)?),
        };
        if quote == Some(delimiter) {
            return Err(err(
                "quote",
                "quote and delimiter are the same character".into(),
            ));
        }
        let decimal_separator = match &self.decimal_separator {
            None => b'.',
            Some(d) => single_byte(text, "decimal_separator", d)?,
        };
        if decimal_separator.is_ascii_digit() || matches!(decimal_separator, b'-' | b'+') {
            return Err(err(
                "decimal_separator",
                format!(
                    "{:?} cannot be a decimal separator",
                    char::from(decimal_separator)
                ),
            ));
        }
        let thousands_separator = match self.thousands_separator.as_deref() {
            None | Some("") => None,
            Some(t) => {
                let mut chars = t.chars();
                match (chars.next(), chars.next()) {
                    (Some(c), None)
                        if !c.is_ascii_digit()
                            && c != char::from(decimal_separator)
                            && c != '-'
                            && c != '+' =>
                    {
                        Some(c)
                    }
                    _ => {
                        return Err(err(
                            "thousands_separator",
                            format!(
                                "thousands_separator must be one character other than a digit, \
                                 a sign and the decimal separator, not {t:?}"
                            ),
                        ));
                    }
                }
            }
        };
        let currency_symbols = self.currency_symbols.unwrap_or_default();
        if let Some(bad) = currency_symbols
            .iter()
            .find(|s| s.trim().is_empty() || s.bytes().any(|b| b.is_ascii_digit()))
        {
            return Err(err(
                "currency_symbols",
                format!("currency symbol {bad:?} is empty or contains a digit"),
            ));
        }
        let date_formats = match self.date_format {
            None => vec!["%Y-%m-%d".to_string()],
            Some(OneOrMany::One(f)) => vec![f],
            Some(OneOrMany::Many(v)) => v,
        };
        if date_formats.is_empty() {
            return Err(err("date_format", "date_format lists no format".into()));
        }
        for f in &date_formats {
            check_date_format(f).map_err(|m| err("date_format", m))?;
        }
        let currency = match &self.currency {
            None => None,
            Some(code) => Some(
                Currency::from_code(code.trim())
                    .map_err(|_| err("currency", format!("unknown currency {code:?}")))?,
            ),
        };
        let account = match self.account {
            Some(a) if a.trim().is_empty() => {
                return Err(err("account", "account is empty".into()));
            }
            other => other,
        };

        let c = self.columns;
        let columns = Columns {
            line_id: c.line_id.map(spec),
            entry_id: c.entry_id.map(spec),
            account: c.account.map(spec),
            booking_date: c.booking_date.map(spec),
            posting_date: c.posting_date.map(spec),
            value_date: c.value_date.map(spec),
            amount: c.amount.map(spec),
            debit: c.debit.map(spec),
            credit: c.credit.map(spec),
            direction: c.direction.map(spec),
            currency: c.currency.map(spec),
            reference: c.reference.map(spec),
            bank_reference: c.bank_reference.map(spec),
            servicer_reference: c.servicer_reference.map(spec),
            counterparty: c.counterparty.map(spec),
            counterparty_account: c.counterparty_account.map(spec),
            description: c.description.map(spec),
            type_code: c.type_code.map(spec),
            balance: c.balance.map(spec),
        };
        let has_header = self.has_header.unwrap_or(true);
        for field in Columns::ALL {
            let Some(s) = columns.get(field) else {
                continue;
            };
            let refs = match s {
                ColumnSpec::One(r) => std::slice::from_ref(r),
                ColumnSpec::Join(v) | ColumnSpec::FirstOf(v) => v.as_slice(),
            };
            if refs.is_empty() {
                return Err(err(field.key(), format!("{} lists no column", field.key())));
            }
            if matches!(s, ColumnSpec::Join(v) if v.len() > 1) && !field.is_text() {
                return Err(err(
                    field.key(),
                    format!(
                        "{} cannot join several columns (only text fields can; use \
                         {{ first_of = [...] }} to take the first non-empty one)",
                        field.key()
                    ),
                ));
            }
            if !has_header && refs.iter().any(|r| matches!(r, ColumnRef::Name(_))) {
                return Err(err(
                    field.key(),
                    format!(
                        "{} names a column but the profile has has_header = false: use a \
                         0-based column index",
                        field.key()
                    ),
                ));
            }
        }
        let has_amount = columns.amount.is_some();
        let has_debit_credit = columns.debit.is_some() || columns.credit.is_some();
        if has_amount && has_debit_credit {
            return Err(err(
                "amount",
                "map either amount or debit + credit columns, not both".into(),
            ));
        }
        if has_debit_credit && (columns.debit.is_none() || columns.credit.is_none()) {
            return Err(err(
                if columns.debit.is_none() {
                    "credit"
                } else {
                    "debit"
                },
                "debit and credit columns go together: map both".into(),
            ));
        }
        if !has_amount && !has_debit_credit {
            return Err(err(
                "[columns]",
                "the profile maps no amount column (amount, or debit + credit)".into(),
            ));
        }
        let debit_values = self.debit_values.unwrap_or_default();
        let credit_values = self.credit_values.unwrap_or_default();
        if columns.direction.is_some() {
            if !has_amount {
                return Err(err(
                    "direction",
                    "a direction column goes with an amount column, not debit + credit".into(),
                ));
            }
            if debit_values.is_empty() || credit_values.is_empty() {
                return Err(err(
                    "direction",
                    "a direction column needs debit_values and credit_values".into(),
                ));
            }
        }
        if columns.account.is_some() && account.is_some() {
            return Err(err(
                "account",
                "set either a fixed account or an account column, not both".into(),
            ));
        }
        if columns.currency.is_some() && currency.is_some() {
            return Err(err(
                "currency",
                "set either a fixed currency or a currency column, not both".into(),
            ));
        }

        let mut skip = Vec::with_capacity(self.skip.len());
        for rule in self.skip {
            let column = column_ref(rule.column);
            if !has_header && matches!(column, ColumnRef::Name(_)) {
                return Err(err(
                    "column",
                    "a skip rule names a column but has_header = false".into(),
                ));
            }
            let mut tests = Vec::new();
            if let Some(v) = rule.equals {
                tests.push(SkipTest::Equals(v));
            }
            if let Some(v) = rule.not_equals {
                tests.push(SkipTest::NotEquals(v));
            }
            if let Some(v) = rule.starts_with {
                tests.push(SkipTest::StartsWith(v));
            }
            if rule.empty == Some(true) {
                tests.push(SkipTest::Empty);
            }
            if tests.len() != 1 {
                return Err(err(
                    "[[skip]]",
                    "each [[skip]] rule needs exactly one of equals, not_equals, starts_with, \
                     empty = true"
                        .into(),
                ));
            }
            for test in tests {
                skip.push(SkipRule {
                    column: column.clone(),
                    test,
                });
            }
        }

        Ok(CsvProfile {
            name: self.name.unwrap_or_else(|| "custom".to_string()),
            encoding,
            delimiter,
            quote,
            has_header,
            skip_rows: self.skip_rows.unwrap_or(0),
            columns,
            date_formats,
            decimal_separator,
            thousands_separator,
            currency_symbols,
            negative_parentheses: self.negative_parentheses.unwrap_or(false),
            sign: self.sign.unwrap_or_default(),
            debit_values,
            credit_values,
            account,
            currency,
            statement_id: self.statement_id.filter(|s| !s.trim().is_empty()),
            row_order: self.row_order.unwrap_or_default(),
            skip,
        })
    }
}

fn spec(raw: RawColumnSpec) -> ColumnSpec {
    match raw {
        RawColumnSpec::One(r) => ColumnSpec::One(column_ref(r)),
        RawColumnSpec::Join(v) => ColumnSpec::Join(v.into_iter().map(column_ref).collect()),
        RawColumnSpec::FirstOf(f) => {
            ColumnSpec::FirstOf(f.first_of.into_iter().map(column_ref).collect())
        }
    }
}

/// A date format must be valid strftime and contain a year, a month (or day of year) and a day.
fn check_date_format(format: &str) -> Result<(), String> {
    use chrono::format::{Item, StrftimeItems};
    let mut has_year = false;
    let mut has_month = false;
    let mut has_day = false;
    for item in StrftimeItems::new(format) {
        use chrono::format::{Fixed, Numeric};
        match item {
            Item::Error => return Err(format!("invalid date_format {format:?}")),
            Item::Numeric(Numeric::Year | Numeric::YearMod100, _) => has_year = true,
            Item::Numeric(Numeric::Month, _)
            | Item::Fixed(Fixed::ShortMonthName | Fixed::LongMonthName) => has_month = true,
            Item::Numeric(Numeric::Day, _) => has_day = true,
            Item::Numeric(Numeric::Ordinal, _) => {
                has_month = true;
                has_day = true;
            }
            _ => {}
        }
    }
    if has_year && has_month && has_day {
        Ok(())
    } else {
        Err(format!(
            "date_format {format:?} needs a year, a month and a day (e.g. \"%d.%m.%Y\")"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_is_default() {
        assert_eq!(CsvProfile::default(), CsvProfile::canonical_bank_lines());
    }

    #[test]
    fn reads_a_full_profile() {
        let p = CsvProfile::from_toml(
            r#"
name = "test"
encoding = "windows-1252"
delimiter = ";"
decimal_separator = ","
thousands_separator = "."
date_format = ["%d.%m.%Y", "%d.%m.%y"]
currency = "EUR"
account = "DE00"
sign = "inverted"
row_order = "newest_first"
[columns]
booking_date = "Buchungstag"
amount = 3
description = ["VWZ1", "VWZ2"]
counterparty = { first_of = ["a", "b"] }
[[skip]]
column = "Status"
not_equals = "Posted"
"#,
        )
        .unwrap();
        assert_eq!(p.delimiter, b';');
        assert_eq!(p.thousands_separator, Some('.'));
        assert_eq!(p.encoding().unwrap().name(), "windows-1252");
        assert_eq!(p.sign, Sign::Inverted);
        assert_eq!(p.row_order, RowOrder::NewestFirst);
        assert_eq!(p.columns.amount, Some(ColumnSpec::One(ColumnRef::Index(3))));
        assert!(matches!(p.columns.description, Some(ColumnSpec::Join(ref v)) if v.len() == 2));
        assert!(matches!(
            p.columns.counterparty,
            Some(ColumnSpec::FirstOf(_))
        ));
        assert_eq!(p.skip.len(), 1);
    }

    #[test]
    fn errors_name_the_toml_line() {
        let e =
            CsvProfile::from_toml("name = \"x\"\n[columns]\nbooking_dat = \"Date\"\n").unwrap_err();
        assert_eq!(e.location, Location::Line(3));
        assert!(
            matches!(e.kind, ErrorKind::Profile(ref m) if m.contains("booking_dat")),
            "{e:?}"
        );

        let e =
            CsvProfile::from_toml("delimiter = \";;\"\n[columns]\namount = \"A\"\n").unwrap_err();
        assert_eq!(e.location, Location::Line(1));

        let e =
            CsvProfile::from_toml("currency = \"EURO\"\n[columns]\namount = \"A\"\n").unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Profile(ref m) if m.contains("EURO")));

        let e = CsvProfile::from_toml("date_format = \"%d.%m\"\n[columns]\namount = \"A\"\n")
            .unwrap_err();
        assert_eq!(e.location, Location::Line(1));

        let e = CsvProfile::from_toml("[columns]\namount = [\"A\", \"B\"]\n").unwrap_err();
        assert_eq!(e.location, Location::Line(2));

        let e = CsvProfile::from_toml("[columns]\ndebit = \"A\"\n").unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Profile(ref m) if m.contains("both")));
    }
}
