//! CSV importer driven by a mapping profile: bank lines into statements, ledger extracts into
//! ledger entries.
//!
//! Two stages: [`Rows`] reads physical records (header resolution, field counts, skip rules,
//! limits), then the statement or ledger builder turns each record into model values. Column
//! indexes are resolved once from the header; each record is read into one reused
//! [`::csv::StringRecord`] (UTF-8 checked once per record) and its fields are parsed in place.
//! All or nothing: the first bad row rejects the file, naming its physical line, the column and
//! the reason.

// `ParseError` is the crate's error type, shared by every importer; its size is not this module's
// to change (it trips clippy's result_large_err in every parser, the stubs included).
#![allow(clippy::result_large_err)]

pub mod canonical;
mod fields;
mod profile;

pub use profile::{
    ColumnRef, ColumnSpec, Columns, CsvProfile, Field, RowOrder, Sign, SkipRule, SkipTest,
};

use crate::{ErrorKind, Finding, Limits, Location, ParseError, Parsed, Severity};
use ::csv::StringRecord;
use fields::{AmountStyle, DateStyle, after_lines, physical_line};
use recon_model::{AmountError, Balance, Currency, Format, LedgerEntry, Statement, StatementLine};
use std::borrow::Cow;
use std::collections::HashMap;

/// Parses bank lines into statements: one per (account, currency), in order of first appearance.
pub fn parse_statements(
    source: &str,
    text: &str,
    profile: &CsvProfile,
    limits: &Limits,
) -> Result<Parsed, ParseError> {
    let cols = &profile.columns;
    let date_spec = cols
        .booking_date
        .as_ref()
        .ok_or_else(|| not_this_layout(profile, Field::BookingDate, "bank lines"))?;
    let mut rows = Rows::open(text, profile, limits)?;
    let common = Common::resolve(&mut rows, profile, date_spec, Field::BookingDate)?;
    let line_id = rows.resolve_opt(cols.line_id.as_ref(), Field::LineId)?;
    let value_date = rows.resolve_opt(cols.value_date.as_ref(), Field::ValueDate)?;
    let bank_reference = rows.resolve_opt(cols.bank_reference.as_ref(), Field::BankReference)?;
    let servicer_reference =
        rows.resolve_opt(cols.servicer_reference.as_ref(), Field::ServicerReference)?;
    let counterparty = rows.resolve_opt(cols.counterparty.as_ref(), Field::Counterparty)?;
    let counterparty_account = rows.resolve_opt(
        cols.counterparty_account.as_ref(),
        Field::CounterpartyAccount,
    )?;
    let type_code = rows.resolve_opt(cols.type_code.as_ref(), Field::TypeCode)?;
    let balance = rows.resolve_opt(cols.balance.as_ref(), Field::Balance)?;

    let amounts = AmountStyle::new(profile);
    let dates = DateStyle::new(profile);
    let mut scratch = String::new();
    let mut currencies = CurrencyCache::default();
    let mut groups: Vec<Group> = Vec::new();
    let mut by_account: HashMap<String, Vec<(Currency, usize)>> = HashMap::new();
    let mut last_group: Option<usize> = None;

    while let Some(offset) = rows.next()? {
        let booking_date = common.date(&rows, offset, &dates)?;
        let currency = currencies.get(&rows, offset, &common.currency, profile)?;
        let amount_minor = common.amount(&rows, offset, currency, &amounts, &mut scratch)?;
        let account = common.account(&rows, offset)?;

        let group_index = match last_group {
            Some(i) if groups[i].currency == currency && groups[i].account == account => i,
            _ => {
                let found = by_account
                    .get(account)
                    .and_then(|v| v.iter().find(|(c, _)| *c == currency).map(|(_, i)| *i));
                match found {
                    Some(i) => i,
                    None => {
                        if groups.len() >= limits.max_statements_per_file {
                            return Err(rows.error(
                                offset,
                                None,
                                ErrorKind::TooMany {
                                    what: "statements",
                                    limit: limits.max_statements_per_file,
                                },
                            ));
                        }
                        let i = groups.len();
                        let mut group = Group::new(account.to_string(), currency);
                        if i == 0 {
                            // Most files are one statement: size it from the line count. Only
                            // a hint: line breaks inside quotes inflate it, so it is capped and
                            // may fail quietly.
                            let estimate =
                                rows.remaining_lines().min(limits.max_lines_per_statement);
                            if group.lines.try_reserve(estimate).is_ok() {
                                let _ = group.offsets.try_reserve(estimate);
                            }
                        }
                        by_account
                            .entry(account.to_string())
                            .or_default()
                            .push((currency, i));
                        groups.push(group);
                        i
                    }
                }
            }
        };
        last_group = Some(group_index);

        let line_id = match &line_id {
            None => String::new(),
            Some(r) => {
                let (id, col) = rows.value(r);
                if id.is_empty() {
                    return Err(rows.error(
                        offset,
                        Some(col),
                        ErrorKind::MissingField("line_id".into()),
                    ));
                }
                id.into_owned()
            }
        };
        let value_date = match &value_date {
            None => None,
            Some(r) => {
                let (t, col) = rows.value(r);
                if t.is_empty() {
                    None
                } else {
                    Some(dates.parse(&t).map_err(|reason| {
                        rows.error(
                            offset,
                            Some(col),
                            ErrorKind::InvalidDate {
                                text: t.to_string(),
                                reason,
                            },
                        )
                    })?)
                }
            }
        };
        let balance_minor = match &balance {
            None => None,
            Some(r) => {
                let (t, col) = rows.value(r);
                if t.is_empty() {
                    None
                } else {
                    Some(
                        amounts
                            .parse(&t, currency.exponent(), &mut scratch)
                            .map_err(|reason| rows.invalid_amount(offset, col, &t, reason))?,
                    )
                }
            }
        };
        let line = StatementLine {
            line_id,
            booking_date,
            value_date,
            amount_minor,
            reference: common
                .reference
                .as_ref()
                .and_then(|r| rows.optional_text(r)),
            bank_reference: bank_reference.as_ref().and_then(|r| rows.optional_text(r)),
            servicer_reference: servicer_reference
                .as_ref()
                .and_then(|r| rows.optional_text(r)),
            counterparty: counterparty.as_ref().and_then(|r| rows.optional_text(r)),
            counterparty_account: counterparty_account
                .as_ref()
                .and_then(|r| rows.optional_text(r)),
            description: common
                .description
                .as_ref()
                .map(|r| rows.value(r).0.into_owned())
                .unwrap_or_default(),
            type_code: type_code.as_ref().and_then(|r| rows.optional_text(r)),
            details: Vec::new(),
        };
        let group = &mut groups[group_index];
        if group.lines.len() >= limits.max_lines_per_statement {
            return Err(rows.error(
                offset,
                None,
                ErrorKind::TooMany {
                    what: "lines in a statement",
                    limit: limits.max_lines_per_statement,
                },
            ));
        }
        group.lines.push(line);
        group.offsets.push(offset);
        if balance.is_some() {
            group.balances.push(balance_minor);
        }
    }

    let mut findings = rows.findings();
    findings.extend(currencies.finding);
    if groups.is_empty() {
        findings.push(Finding {
            severity: Severity::Warning,
            location: Location::File,
            message: "the file holds no bank lines".into(),
        });
    }

    // Statement ids: `<file>:<account>` (or the profile's), `:<currency>` when an account has
    // several currencies in the file.
    let file = file_name(source);
    let several = groups.len() > 1;
    let mut ids = Vec::with_capacity(groups.len());
    for g in &groups {
        let mut id = match &profile.statement_id {
            Some(s) if !several => s.clone(),
            Some(s) => format!("{s}:{}", g.account),
            None => format!("{file}:{}", g.account),
        };
        if by_account.get(&g.account).is_some_and(|v| v.len() > 1) {
            id.push(':');
            id.push_str(g.currency.code());
        }
        ids.push(id);
    }

    if line_id.is_none() {
        for (g, id) in groups.iter_mut().zip(&ids) {
            for (n, line) in g.lines.iter_mut().enumerate() {
                line.line_id = format!("{id}/{}", n + 1);
            }
        }
    } else {
        let total: usize = groups.iter().map(|g| g.lines.len()).sum();
        check_unique_ids(
            &rows,
            KnownLen::new(
                total,
                groups
                    .iter()
                    .flat_map(|g| g.lines.iter().map(|l| l.line_id.as_str()).zip(&g.offsets)),
            ),
            "line_id",
        )?;
    }

    let mut statements = Vec::with_capacity(groups.len());
    for (g, statement_id) in groups.into_iter().zip(ids) {
        let (opening_balance, closing_balance) = if balance.is_some() {
            derive_balances(&g, profile.row_order, &rows, &statement_id, &mut findings)
        } else {
            (None, None)
        };
        statements.push(Statement {
            source: source.to_string(),
            format: Format::Csv,
            account: g.account,
            currency: g.currency,
            statement_id,
            sequence: None,
            opening_balance,
            closing_balance,
            lines: g.lines,
            reading: recon_model::Reading::default(),
        });
    }
    Ok(Parsed {
        statements,
        findings,
    })
}

/// Parses a ledger extract into ledger entries, in file order.
pub fn parse_ledger(
    source: &str,
    text: &str,
    profile: &CsvProfile,
    limits: &Limits,
) -> Result<Vec<LedgerEntry>, ParseError> {
    let cols = &profile.columns;
    let date_spec = cols
        .posting_date
        .as_ref()
        .ok_or_else(|| not_this_layout(profile, Field::PostingDate, "ledger entries"))?;
    let mut rows = Rows::open(text, profile, limits)?;
    let common = Common::resolve(&mut rows, profile, date_spec, Field::PostingDate)?;
    let entry_id = rows.resolve_opt(cols.entry_id.as_ref(), Field::EntryId)?;

    let amounts = AmountStyle::new(profile);
    let dates = DateStyle::new(profile);
    let mut scratch = String::new();
    let mut currencies = CurrencyCache::default();
    let mut entries: Vec<LedgerEntry> = Vec::new();
    let mut offsets: Vec<usize> = Vec::new();
    // Sized from the line count: only a hint (quoted line breaks inflate it), capped, and
    // allowed to fail quietly.
    let estimate = rows.remaining_lines().min(limits.max_lines_per_statement);
    if entries.try_reserve(estimate).is_ok() {
        let _ = offsets.try_reserve(estimate);
    }

    while let Some(offset) = rows.next()? {
        let posting_date = common.date(&rows, offset, &dates)?;
        let currency = currencies.get(&rows, offset, &common.currency, profile)?;
        let amount_minor = common.amount(&rows, offset, currency, &amounts, &mut scratch)?;
        let account = common.account(&rows, offset)?.to_string();
        let entry_id = match &entry_id {
            None => String::new(),
            Some(r) => {
                let (id, col) = rows.value(r);
                if id.is_empty() {
                    return Err(rows.error(
                        offset,
                        Some(col),
                        ErrorKind::MissingField("entry_id".into()),
                    ));
                }
                id.into_owned()
            }
        };
        if entries.len() >= limits.max_lines_per_statement {
            return Err(rows.error(
                offset,
                None,
                ErrorKind::TooMany {
                    what: "ledger entries",
                    limit: limits.max_lines_per_statement,
                },
            ));
        }
        entries.push(LedgerEntry {
            entry_id,
            account,
            posting_date,
            amount_minor,
            currency,
            reference: common
                .reference
                .as_ref()
                .and_then(|r| rows.optional_text(r)),
            description: common
                .description
                .as_ref()
                .map(|r| rows.value(r).0.into_owned())
                .unwrap_or_default(),
        });
        offsets.push(offset);
    }

    if entry_id.is_none() {
        let base = profile
            .statement_id
            .clone()
            .unwrap_or_else(|| file_name(source).to_string());
        for (n, e) in entries.iter_mut().enumerate() {
            e.entry_id = format!("{base}/{}", n + 1);
        }
    } else {
        check_unique_ids(
            &rows,
            entries.iter().map(|e| e.entry_id.as_str()).zip(&offsets),
            "entry_id",
        )?;
    }
    Ok(entries)
}

fn not_this_layout(profile: &CsvProfile, field: Field, what: &str) -> ParseError {
    ParseError::new(
        ErrorKind::Profile(format!(
            "profile {:?} maps no {} column, so it cannot read {what}",
            profile.name,
            field.key()
        )),
        Location::File,
        "",
    )
}

/// The file name without its directory, for statement ids.
fn file_name(source: &str) -> &str {
    source.rsplit(['/', '\\']).next().unwrap_or(source)
}

/// Every id must be unique in the file; a repeat names both lines.
fn check_unique_ids<'a>(
    rows: &Rows<'_>,
    ids: impl Iterator<Item = (&'a str, &'a usize)> + Clone,
    what: &str,
) -> Result<(), ParseError> {
    // Fast path: ids that only grow (by length, then bytes: "L9" < "L10") are all distinct,
    // which is how most exports number their rows. No hashing then.
    let key = |id: &'a str| (id.len(), id.as_bytes());
    let mut previous: Option<&str> = None;
    let increasing = ids.clone().all(|(id, _)| {
        let ok = previous.is_none_or(|p| key(p) < key(id));
        previous = Some(id);
        ok
    });
    if increasing {
        return Ok(());
    }
    let mut seen: HashMap<&str, usize> = HashMap::with_capacity(ids.size_hint().0);
    for (id, &offset) in ids {
        if let Some(other) = seen.insert(id, offset) {
            let (first, second) = if other < offset {
                (other, offset)
            } else {
                (offset, other)
            };
            let (first_line, _) = physical_line(rows.text, first);
            return Err(rows.error(
                second,
                None,
                ErrorKind::Structure(format!(
                    "{what} {id:?} is used twice: already on line {first_line}"
                )),
            ));
        }
    }
    Ok(())
}

/// An iterator with a known length, for pre-sizing the id map.
#[derive(Clone)]
struct KnownLen<I> {
    remaining: usize,
    inner: I,
}

impl<I> KnownLen<I> {
    fn new(len: usize, inner: I) -> KnownLen<I> {
        KnownLen {
            remaining: len,
            inner,
        }
    }
}

impl<I: Iterator> Iterator for KnownLen<I> {
    type Item = I::Item;
    fn next(&mut self) -> Option<I::Item> {
        self.remaining = self.remaining.saturating_sub(1);
        self.inner.next()
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.remaining, Some(self.remaining))
    }
}

/// One statement being built: the lines of one (account, currency).
struct Group {
    account: String,
    currency: Currency,
    lines: Vec<StatementLine>,
    /// Byte offset of each line's record, for messages.
    offsets: Vec<usize>,
    /// Running balance of each line, when the profile maps one.
    balances: Vec<Option<i64>>,
}

impl Group {
    fn new(account: String, currency: Currency) -> Group {
        Group {
            account,
            currency,
            lines: Vec::new(),
            offsets: Vec::new(),
            balances: Vec::new(),
        }
    }
}

/// Opening and closing balances from a running-balance column (the balance after each row).
/// Rows written oldest first: opening = first balance - first amount, closing = last balance;
/// newest first: the other way round. `Auto` takes the order in which the balances follow the
/// amounts; when they fit neither order, or both and the dates do not tell, no balance is set.
fn derive_balances(
    g: &Group,
    order: RowOrder,
    rows: &Rows<'_>,
    statement_id: &str,
    findings: &mut Vec<Finding>,
) -> (Option<Balance>, Option<Balance>) {
    let n = g.lines.len();
    if n == 0 {
        return (None, None);
    }
    let Some(balances) = g.balances.iter().copied().collect::<Option<Vec<i64>>>() else {
        findings.push(Finding {
            severity: Severity::Info,
            location: Location::File,
            message: format!(
                "statement {statement_id}: some rows have no running balance, so no opening \
                 and closing balances are derived"
            ),
        });
        return (None, None);
    };
    let amount = |i: usize| g.lines[i].amount_minor;
    // First row index (in file order) at which the balance does not follow, if any.
    let forward_break =
        (1..n).find(|&i| balances[i - 1].checked_add(amount(i)) != Some(balances[i]));
    let backward_break =
        (1..n).find(|&i| balances[i].checked_add(amount(i - 1)) != Some(balances[i - 1]));
    let line_of = |i: usize| Location::Line(physical_line(rows.text, g.offsets[i]).0);
    let oldest_first = match order {
        RowOrder::OldestFirst => {
            if let Some(i) = forward_break {
                findings.push(balance_break(statement_id, line_of(i), "oldest first"));
            }
            true
        }
        RowOrder::NewestFirst => {
            if let Some(i) = backward_break {
                findings.push(balance_break(statement_id, line_of(i), "newest first"));
            }
            false
        }
        RowOrder::Auto => match (forward_break, backward_break) {
            (None, Some(_)) => true,
            (Some(_), None) => false,
            (Some(i), Some(_)) => {
                findings.push(Finding {
                    severity: Severity::Warning,
                    location: line_of(i),
                    message: format!(
                        "statement {statement_id}: the running balance does not follow the \
                         amounts in either row order; no opening and closing balances are derived"
                    ),
                });
                return (None, None);
            }
            (None, None) => {
                let first = g.lines[0].booking_date;
                let last = g.lines[n - 1].booking_date;
                let ascending = g
                    .lines
                    .windows(2)
                    .all(|w| w[0].booking_date <= w[1].booking_date);
                let descending = g
                    .lines
                    .windows(2)
                    .all(|w| w[0].booking_date >= w[1].booking_date);
                if n == 1 || (ascending && first < last) {
                    true
                } else if descending && first > last {
                    false
                } else {
                    findings.push(Finding {
                        severity: Severity::Warning,
                        location: line_of(0),
                        message: format!(
                            "statement {statement_id}: the running balance fits both row orders \
                             and the dates do not tell which; set row_order in the profile to \
                             derive opening and closing balances"
                        ),
                    });
                    return (None, None);
                }
            }
        },
    };
    let (first, last) = if oldest_first { (0, n - 1) } else { (n - 1, 0) };
    let opening = balances[first]
        .checked_sub(amount(first))
        .map(|amount_minor| Balance {
            date: g.lines[first].booking_date,
            amount_minor,
        });
    let closing = Balance {
        date: g.lines[last].booking_date,
        amount_minor: balances[last],
    };
    (opening, Some(closing))
}

fn balance_break(statement_id: &str, location: Location, order: &str) -> Finding {
    Finding {
        severity: Severity::Warning,
        location,
        message: format!(
            "statement {statement_id}: the running balance does not follow the amounts here \
             (rows read {order})"
        ),
    }
}

/// A column mapping resolved against the header: record indexes.
#[derive(Clone, Debug)]
enum Resolved {
    One(usize),
    Join(Vec<usize>),
    FirstOf(Vec<usize>),
}

/// How the signed amount is read.
enum Money {
    Single(Resolved),
    /// Credit minus debit; debit values are money out whatever their sign.
    Split {
        debit: Resolved,
        credit: Resolved,
    },
    /// An unsigned amount and a column saying debit or credit.
    Directed {
        amount: Resolved,
        direction: Resolved,
    },
}

/// The fields bank lines and ledger entries share.
struct Common<'p> {
    date: Resolved,
    date_key: &'static str,
    money: Money,
    account: Option<Resolved>,
    currency: Option<Resolved>,
    reference: Option<Resolved>,
    description: Option<Resolved>,
    profile: &'p CsvProfile,
}

impl<'p> Common<'p> {
    fn resolve(
        rows: &mut Rows<'_>,
        profile: &'p CsvProfile,
        date: &ColumnSpec,
        date_field: Field,
    ) -> Result<Common<'p>, ParseError> {
        let cols = &profile.columns;
        let mut required = |spec: Option<&ColumnSpec>, field: Field| match spec {
            Some(s) => rows.resolve(s, field),
            None => Err(ParseError::new(
                ErrorKind::Profile(format!(
                    "profile {:?} maps no {} column",
                    profile.name,
                    field.key()
                )),
                Location::File,
                "",
            )),
        };
        let money = if cols.amount.is_some() {
            let amount = required(cols.amount.as_ref(), Field::Amount)?;
            match cols.direction.as_ref() {
                Some(d) => Money::Directed {
                    amount,
                    direction: required(Some(d), Field::Direction)?,
                },
                None => Money::Single(amount),
            }
        } else {
            Money::Split {
                debit: required(cols.debit.as_ref(), Field::Debit)?,
                credit: required(cols.credit.as_ref(), Field::Credit)?,
            }
        };
        if cols.account.is_none() && profile.account.is_none() {
            return Err(ParseError::new(
                ErrorKind::Profile(format!(
                    "profile {:?} has neither an account column nor a fixed account",
                    profile.name
                )),
                Location::File,
                "",
            ));
        }
        if cols.currency.is_none() && profile.currency.is_none() {
            return Err(ParseError::new(
                ErrorKind::Profile(format!(
                    "profile {:?} has neither a currency column nor a fixed currency",
                    profile.name
                )),
                Location::File,
                "",
            ));
        }
        Ok(Common {
            date: rows.resolve(date, date_field)?,
            date_key: date_field.key(),
            money,
            account: rows.resolve_opt(cols.account.as_ref(), Field::Account)?,
            currency: rows.resolve_opt(cols.currency.as_ref(), Field::Currency)?,
            reference: rows.resolve_opt(cols.reference.as_ref(), Field::Reference)?,
            description: rows.resolve_opt(cols.description.as_ref(), Field::Description)?,
            profile,
        })
    }

    fn date(
        &self,
        rows: &Rows<'_>,
        offset: usize,
        dates: &DateStyle<'_>,
    ) -> Result<chrono::NaiveDate, ParseError> {
        let (t, col) = rows.value_str(&self.date);
        if t.is_empty() {
            return Err(rows.error(
                offset,
                Some(col),
                ErrorKind::MissingField(self.date_key.replace('_', " ")),
            ));
        }
        dates.parse(t).map_err(|reason| {
            rows.error(
                offset,
                Some(col),
                ErrorKind::InvalidDate {
                    text: t.to_string(),
                    reason,
                },
            )
        })
    }

    fn account<'r>(&'r self, rows: &'r Rows<'_>, offset: usize) -> Result<&'r str, ParseError>
    where
        'p: 'r,
    {
        match (&self.account, &self.profile.account) {
            (Some(r), _) => {
                let (t, col) = rows.value_str(r);
                if t.is_empty() {
                    Err(rows.error(offset, Some(col), ErrorKind::MissingField("account".into())))
                } else {
                    Ok(t)
                }
            }
            (None, Some(fixed)) => Ok(fixed.as_str()),
            (None, None) => Ok(""),
        }
    }

    fn amount(
        &self,
        rows: &Rows<'_>,
        offset: usize,
        currency: Currency,
        style: &AmountStyle<'_>,
        scratch: &mut String,
    ) -> Result<i64, ParseError> {
        let exponent = currency.exponent();
        // A field's amount (None when empty) and the column it came from.
        let parse =
            |r: &Resolved, scratch: &mut String| -> Result<(Option<i64>, usize), ParseError> {
                let (t, col) = rows.value_str(r);
                if t.is_empty() {
                    return Ok((None, col));
                }
                style
                    .parse(t, exponent, scratch)
                    .map(|v| (Some(v), col))
                    .map_err(|reason| rows.invalid_amount(offset, col, t, reason))
            };
        let missing = |col: usize, what: &str| {
            rows.error(offset, Some(col), ErrorKind::MissingField(what.into()))
        };
        let overflow =
            |col: usize| rows.invalid_amount(offset, col, rows.field(col), AmountError::Overflow);
        let (value, col) = match &self.money {
            Money::Single(r) => match parse(r, scratch)? {
                (Some(v), col) => (v, col),
                (None, col) => return Err(missing(col, "amount")),
            },
            Money::Split { debit, credit } => {
                let (d, debit_col) = parse(debit, scratch)?;
                let (c, credit_col) = parse(credit, scratch)?;
                let col = if d.is_some() { debit_col } else { credit_col };
                if d.is_none() && c.is_none() {
                    return Err(missing(debit_col, "amount (debit or credit)"));
                }
                let v = d
                    .unwrap_or(0)
                    .checked_abs()
                    .and_then(|out| c.unwrap_or(0).checked_sub(out));
                (v.ok_or_else(|| overflow(col))?, col)
            }
            Money::Directed { amount, direction } => {
                let (v, col) = parse(amount, scratch)?;
                let v = v.ok_or_else(|| missing(col, "amount"))?;
                let magnitude = v.checked_abs().ok_or_else(|| overflow(col))?;
                let (d, direction_col) = rows.value_str(direction);
                let is = |values: &[String]| values.iter().any(|v| v.eq_ignore_ascii_case(d));
                if is(&self.profile.debit_values) {
                    (-magnitude, col)
                } else if is(&self.profile.credit_values) {
                    (magnitude, col)
                } else {
                    return Err(rows.error(
                        offset,
                        Some(direction_col),
                        ErrorKind::Structure(format!(
                            "direction {d:?} is neither a debit value {:?} nor a credit value {:?}",
                            self.profile.debit_values, self.profile.credit_values
                        )),
                    ));
                }
            }
        };
        match self.profile.sign {
            Sign::AsIs => Ok(value),
            Sign::Inverted => value.checked_neg().ok_or_else(|| overflow(col)),
        }
    }
}

/// Turns currency text into a [`Currency`], remembering the last code seen.
#[derive(Default)]
struct CurrencyCache {
    text: String,
    currency: Option<Currency>,
    /// Reported once: codes written in lower case (Stripe's "cad").
    finding: Option<Finding>,
}

impl CurrencyCache {
    fn get(
        &mut self,
        rows: &Rows<'_>,
        offset: usize,
        column: &Option<Resolved>,
        profile: &CsvProfile,
    ) -> Result<Currency, ParseError> {
        let Some(r) = column else {
            return profile.currency.ok_or_else(|| {
                ParseError::new(ErrorKind::Profile("no currency".into()), Location::File, "")
            });
        };
        let (t, col) = rows.value_str(r);
        if let Some(c) = self.currency
            && self.text == t
        {
            return Ok(c);
        }
        if t.is_empty() {
            return Err(rows.error(
                offset,
                Some(col),
                ErrorKind::MissingField("currency".into()),
            ));
        }
        let currency = match Currency::from_code(t) {
            Ok(c) => c,
            Err(_) => {
                let upper = t.to_ascii_uppercase();
                match Currency::from_code(&upper) {
                    Ok(c) if upper != t => {
                        if self.finding.is_none() {
                            self.finding = Some(Finding {
                                severity: Severity::Info,
                                location: Location::Line(physical_line(rows.text, offset).0),
                                message: format!(
                                    "currency code {t:?} written in lower case, read as {upper}"
                                ),
                            });
                        }
                        c
                    }
                    _ => {
                        return Err(rows.error(
                            offset,
                            Some(col),
                            ErrorKind::UnknownCurrency(t.to_string()),
                        ));
                    }
                }
            }
        };
        self.text.clear();
        self.text.push_str(t);
        self.currency = Some(currency);
        Ok(currency)
    }
}

/// Trims white space, without Unicode tables when the field starts and ends with printable ASCII
/// (almost always).
fn trim(field: &str) -> &str {
    let bytes = field.as_bytes();
    match (bytes.first(), bytes.last()) {
        (None, _) => field,
        (Some(first), Some(last)) if first.is_ascii_graphic() && last.is_ascii_graphic() => field,
        _ => field.trim(),
    }
}

/// Physical records of a CSV file: header resolution, field counts, skip rules and limits.
struct Rows<'t> {
    /// The whole decoded text (without BOM), for line numbers and excerpts.
    text: &'t str,
    /// Byte offset where the CSV reader starts (after `skip_rows`).
    base: usize,
    reader: ::csv::Reader<&'t [u8]>,
    record: StringRecord,
    /// Header names (trimmed); empty for headerless layouts.
    headers: Vec<String>,
    header_offset: usize,
    /// Fields every record must have: the header's count, or the first record's.
    expected_fields: Option<usize>,
    /// Highest column index the mapping uses, checked against headerless records.
    max_index: usize,
    skip: Vec<(usize, SkipTest)>,
    skipped: usize,
    blank: usize,
    max_field_bytes: usize,
}

impl<'t> Rows<'t> {
    fn open(text: &'t str, profile: &CsvProfile, limits: &Limits) -> Result<Rows<'t>, ParseError> {
        let text = text.strip_prefix('\u{FEFF}').unwrap_or(text);
        let base = after_lines(text, profile.skip_rows);
        let input = text.as_bytes().get(base..).unwrap_or(b"");
        let reader = ::csv::ReaderBuilder::new()
            .has_headers(false)
            .flexible(true)
            .delimiter(profile.delimiter)
            .quote(profile.quote.unwrap_or(b'"'))
            .quoting(profile.quote.is_some())
            .buffer_capacity(64 << 10)
            .from_reader(input);
        let mut rows = Rows {
            text,
            base,
            reader,
            record: StringRecord::new(),
            headers: Vec::new(),
            header_offset: base,
            expected_fields: None,
            max_index: 0,
            skip: Vec::new(),
            skipped: 0,
            blank: 0,
            max_field_bytes: limits.max_field_bytes,
        };
        if profile.has_header {
            if !rows.read()? {
                return Err(ParseError::new(
                    ErrorKind::Structure(format!(
                        "no header row (profile {:?} expects one{})",
                        profile.name,
                        if profile.skip_rows > 0 {
                            format!(" after {} skipped lines", profile.skip_rows)
                        } else {
                            String::new()
                        }
                    )),
                    Location::File,
                    "",
                ));
            }
            rows.header_offset = rows.offset();
            rows.headers = rows
                .record
                .iter()
                .map(|f| {
                    f.trim_matches(|c: char| c.is_whitespace() || c == '\u{FEFF}')
                        .to_string()
                })
                .collect();
            rows.expected_fields = Some(rows.headers.len());
        }
        let mut skip = Vec::with_capacity(profile.skip.len());
        for rule in &profile.skip {
            let index = rows.index(&rule.column, "skip rule")?;
            skip.push((index, rule.test.clone()));
        }
        rows.skip = skip;
        Ok(rows)
    }

    /// Reads the next physical record; false at the end.
    fn read(&mut self) -> Result<bool, ParseError> {
        match self.reader.read_record(&mut self.record) {
            Ok(more) => Ok(more),
            Err(e) => {
                let offset = self.base + e.position().map_or(0, |p| p.byte() as usize);
                Err(self.error(offset, None, ErrorKind::Csv(e.to_string())))
            }
        }
    }

    /// Byte offset in `text` of the current record.
    fn offset(&self) -> usize {
        self.base + self.record.position().map_or(0, |p| p.byte() as usize)
    }

    /// Estimate of the data records left: the line breaks after the current record, at most one
    /// per 16 bytes (no real record is shorter).
    fn remaining_lines(&self) -> usize {
        let rest = self.text.as_bytes().get(self.offset()..).unwrap_or(b"");
        (memchr::memchr_iter(b'\n', rest).count() + 1).min(rest.len() / 16 + 1)
    }

    /// Advances to the next data record and returns its byte offset; `None` at the end.
    fn next(&mut self) -> Result<Option<usize>, ParseError> {
        loop {
            if !self.read()? {
                return Ok(None);
            }
            let offset = self.offset();
            let record = &self.record;
            if record.as_slice().bytes().all(|b| b.is_ascii_whitespace()) {
                self.blank += 1;
                continue;
            }
            match self.expected_fields {
                Some(n) if n != record.len() => {
                    // A quote left open swallows the following lines into one field.
                    let open_quote = record.len() < n
                        && record
                            .iter()
                            .next_back()
                            .is_some_and(|f| f.contains(['\n', '\r']));
                    return Err(self.error(
                        offset,
                        None,
                        ErrorKind::Csv(format!(
                            "{} fields where the {} has {n}{}",
                            record.len(),
                            if self.headers.is_empty() {
                                "first record"
                            } else {
                                "header"
                            },
                            if open_quote {
                                " (a quote opened here is not closed)"
                            } else {
                                ""
                            }
                        )),
                    ));
                }
                Some(_) => {}
                None => {
                    if record.len() <= self.max_index {
                        return Err(self.error(
                            offset,
                            None,
                            ErrorKind::MissingField(format!(
                                "column {} (the record has {} fields)",
                                self.max_index,
                                record.len()
                            )),
                        ));
                    }
                    self.expected_fields = Some(record.len());
                }
            }
            if record.as_slice().len() > self.max_field_bytes
                && let Some(col) = record.iter().position(|f| f.len() > self.max_field_bytes)
            {
                return Err(self.error(
                    offset,
                    Some(col),
                    ErrorKind::FieldTooLong {
                        limit: self.max_field_bytes,
                    },
                ));
            }
            if self.skip.iter().any(|(col, test)| {
                let v = self.field(*col);
                match test {
                    SkipTest::Equals(s) => v == s,
                    SkipTest::NotEquals(s) => v != s,
                    SkipTest::StartsWith(s) => v.starts_with(s.as_str()),
                    SkipTest::Empty => v.is_empty(),
                }
            }) {
                self.skipped += 1;
                continue;
            }
            return Ok(Some(offset));
        }
    }

    /// The trimmed text of a field of the current record ("" when absent).
    fn field(&self, index: usize) -> &str {
        trim(self.record.get(index).unwrap_or(""))
    }

    /// A field's value and the column it came from (for messages).
    fn value(&self, r: &Resolved) -> (Cow<'_, str>, usize) {
        match r {
            Resolved::One(i) => (Cow::Borrowed(self.field(*i)), *i),
            Resolved::FirstOf(v) => {
                for &i in v {
                    let t = self.field(i);
                    if !t.is_empty() {
                        return (Cow::Borrowed(t), i);
                    }
                }
                (Cow::Borrowed(""), v.first().copied().unwrap_or(0))
            }
            Resolved::Join(v) => {
                let mut out = String::new();
                for &i in v {
                    let t = self.field(i);
                    if !t.is_empty() {
                        if !out.is_empty() {
                            out.push(' ');
                        }
                        out.push_str(t);
                    }
                }
                (Cow::Owned(out), v.first().copied().unwrap_or(0))
            }
        }
    }

    /// Like [`Rows::value`] for single-valued fields (never joined), borrowed.
    fn value_str(&self, r: &Resolved) -> (&str, usize) {
        match r {
            Resolved::One(i) => (self.field(*i), *i),
            Resolved::FirstOf(v) | Resolved::Join(v) => {
                for &i in v {
                    let t = self.field(i);
                    if !t.is_empty() {
                        return (t, i);
                    }
                }
                ("", v.first().copied().unwrap_or(0))
            }
        }
    }

    fn optional_text(&self, r: &Resolved) -> Option<String> {
        let (t, _) = self.value(r);
        if t.is_empty() {
            None
        } else {
            Some(t.into_owned())
        }
    }

    /// The header name of a column, or `column N` in headerless layouts.
    fn label(&self, index: usize) -> String {
        match self.headers.get(index) {
            Some(name) if !name.is_empty() => name.clone(),
            _ => format!("column {index}"),
        }
    }

    fn index(&mut self, column: &ColumnRef, role: &str) -> Result<usize, ParseError> {
        let found = match column {
            ColumnRef::Index(i) => {
                if !self.headers.is_empty() && *i >= self.headers.len() {
                    None
                } else {
                    Some(*i)
                }
            }
            ColumnRef::Name(name) => {
                let name = name.trim();
                self.headers.iter().position(|h| h == name).or_else(|| {
                    self.headers
                        .iter()
                        .position(|h| h.eq_ignore_ascii_case(name))
                })
            }
        };
        match found {
            Some(i) => {
                self.max_index = self.max_index.max(i);
                Ok(i)
            }
            None => {
                let what = match column {
                    ColumnRef::Index(i) => format!("column {i} ({role})"),
                    ColumnRef::Name(n) if n == role => format!("column {n:?}"),
                    ColumnRef::Name(n) => format!("column {n:?} ({role})"),
                };
                Err(self.header_error(ErrorKind::MissingField(format!("{what} in the header"))))
            }
        }
    }

    fn header_error(&self, kind: ErrorKind) -> ParseError {
        if self.headers.is_empty() {
            ParseError::new(kind, Location::File, "")
        } else {
            self.error(self.header_offset, None, kind)
        }
    }

    fn resolve(&mut self, spec: &ColumnSpec, field: Field) -> Result<Resolved, ParseError> {
        let role = field.key();
        Ok(match spec {
            ColumnSpec::One(c) => Resolved::One(self.index(c, role)?),
            ColumnSpec::Join(v) => Resolved::Join(
                v.iter()
                    .map(|c| self.index(c, role))
                    .collect::<Result<_, _>>()?,
            ),
            ColumnSpec::FirstOf(v) => {
                // Columns the header lacks are ignored; at least one must be there.
                let found: Vec<usize> = v.iter().filter_map(|c| self.index(c, role).ok()).collect();
                if found.is_empty() {
                    let names: Vec<String> = v
                        .iter()
                        .map(|c| match c {
                            ColumnRef::Index(i) => i.to_string(),
                            ColumnRef::Name(n) => format!("{n:?}"),
                        })
                        .collect();
                    return Err(self.header_error(ErrorKind::MissingField(format!(
                        "any of the columns {} ({role}) in the header",
                        names.join(", ")
                    ))));
                }
                Resolved::FirstOf(found)
            }
        })
    }

    fn resolve_opt(
        &mut self,
        spec: Option<&ColumnSpec>,
        field: Field,
    ) -> Result<Option<Resolved>, ParseError> {
        spec.map(|s| self.resolve(s, field)).transpose()
    }

    /// An error on the record at `offset`, in `column` when given; the record's first physical
    /// line is the excerpt.
    fn error(&self, offset: usize, column: Option<usize>, kind: ErrorKind) -> ParseError {
        let (line, text) = physical_line(self.text, offset);
        let location = match column {
            Some(c) => Location::Element {
                path: self.label(c),
                line,
            },
            None => Location::Line(line),
        };
        ParseError::new(kind, location, crate::excerpt(text))
    }

    fn invalid_amount(
        &self,
        offset: usize,
        column: usize,
        text: &str,
        reason: AmountError,
    ) -> ParseError {
        self.error(
            offset,
            Some(column),
            ErrorKind::InvalidAmount {
                text: text.to_string(),
                reason,
            },
        )
    }

    /// What the reader tolerated, for the report.
    fn findings(&self) -> Vec<Finding> {
        let mut out = Vec::new();
        if self.skipped > 0 {
            out.push(Finding {
                severity: Severity::Info,
                location: Location::File,
                message: format!("{} rows skipped by the profile's skip rules", self.skipped),
            });
        }
        if self.blank > 0 {
            out.push(Finding {
                severity: Severity::Info,
                location: Location::File,
                message: format!("{} blank rows ignored", self.blank),
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn limits() -> Limits {
        Limits::default()
    }

    fn canonical(text: &str) -> Result<Parsed, ParseError> {
        parse_statements(
            "dir/bank.csv",
            text,
            &CsvProfile::canonical_bank_lines(),
            &limits(),
        )
    }

    const HEADER: &str =
        "line_id,account,booking_date,value_date,amount,currency,reference,description\n";

    #[test]
    fn canonical_groups_by_account_and_currency() {
        let text = format!(
            "{HEADER}a1,DE01,2024-01-02,,-5.34,EUR,,Coffee\n\
             a2,DE02,2024-01-02,2024-01-03,100,EUR,R1,\"Salary, January\"\n\
             a3,DE01,2024-01-03,,0.5,EUR,,\n\
             a4,DE01,2024-01-03,,7,JPY,,\n"
        );
        let parsed = canonical(&text).unwrap();
        let ids: Vec<_> = parsed
            .statements
            .iter()
            .map(|s| s.statement_id.as_str())
            .collect();
        assert_eq!(
            ids,
            ["bank.csv:DE01:EUR", "bank.csv:DE02", "bank.csv:DE01:JPY"]
        );
        let s = &parsed.statements[0];
        assert_eq!(s.lines.len(), 2);
        assert_eq!(s.lines[0].line_id, "a1");
        assert_eq!(s.lines[0].amount_minor, -534);
        assert_eq!(s.lines[1].amount_minor, 50);
        assert_eq!(s.lines[1].description, "");
        let l = &parsed.statements[1].lines[0];
        assert_eq!(l.reference.as_deref(), Some("R1"));
        assert_eq!(l.description, "Salary, January");
        assert_eq!(l.value_date, chrono::NaiveDate::from_ymd_opt(2024, 1, 3));
        assert_eq!(parsed.statements[2].lines[0].amount_minor, 7);
        assert!(s.opening_balance.is_none());
    }

    #[test]
    fn errors_name_line_column_and_reason() {
        let e = canonical(&format!(
            "{HEADER}a1,DE01,2024-01-02,,-5.34,EUR,,x\r\na2,DE01,2024-13-02,,1,EUR,,y\r\n"
        ))
        .unwrap_err();
        assert_eq!(
            e.location,
            Location::Element {
                path: "booking_date".into(),
                line: 3
            }
        );
        assert!(matches!(e.kind, ErrorKind::InvalidDate { .. }));
        assert_eq!(e.excerpt, "a2,DE01,2024-13-02,,1,EUR,,y");

        let e = canonical(&format!("{HEADER}a1,DE01,2024-01-02,,-5.345,EUR,,x\n")).unwrap_err();
        assert!(matches!(
            e.kind,
            ErrorKind::InvalidAmount {
                reason: AmountError::TooPrecise { .. },
                ..
            }
        ));
        let e = canonical(&format!("{HEADER}a1,DE01,2024-01-02,,1,EUR,x\n")).unwrap_err();
        assert_eq!(e.location, Location::Line(2));
        let e = canonical(&format!(
            "{HEADER}a1,DE01,2024-01-02,,1,EUR,\"x,\na2,DE01,2024-01-02,,1,EUR,,\n"
        ))
        .unwrap_err();
        assert!(
            matches!(e.kind, ErrorKind::Csv(ref m) if m.contains("not closed")),
            "{e:?}"
        );
        let e = canonical(&format!(
            "{HEADER}a1,DE01,2024-01-02,,1,EUR,,\na2,DE01,2024-01-02,,1,EUR,,\na1,DE01,2024-01-02,,1,EUR,,\n"
        ))
        .unwrap_err();
        assert_eq!(e.location, Location::Line(4));
        assert!(
            matches!(e.kind, ErrorKind::Structure(ref m) if m.contains("line 2")),
            "{e:?}"
        );
        let e = canonical("line_id,account,booking_date,amount,currency\n").unwrap_err();
        assert!(matches!(e.kind, ErrorKind::MissingField(ref m) if m.contains("in the header")));
        assert_eq!(e.location, Location::Line(1));
    }

    #[test]
    fn lone_cr_line_endings_count_lines() {
        let e = canonical(
            &format!("{HEADER}a1,DE01,2024-01-02,,1,EUR,,\ra2,DE01,2024-01-02,,x,EUR,,\r")
                .replace('\n', "\r"),
        )
        .unwrap_err();
        assert_eq!(e.location.line(), Some(3));
    }

    #[test]
    fn empty_file_and_blank_rows() {
        let parsed = canonical(HEADER).unwrap();
        assert!(parsed.statements.is_empty());
        assert_eq!(parsed.findings[0].severity, Severity::Warning);
        let parsed =
            canonical(&format!("{HEADER},,,,,,,\na1,DE01,2024-01-02,,1,EUR,,\n\n")).unwrap();
        assert_eq!(parsed.statements[0].lines.len(), 1);
        assert!(canonical("").is_err());
    }

    fn profile(toml: &str) -> CsvProfile {
        CsvProfile::from_toml(toml).unwrap()
    }

    #[test]
    fn debit_credit_direction_and_sign() {
        let p = profile(
            "account = \"A\"\ncurrency = \"USD\"\ndate_format = \"%m/%d/%Y\"\n\
             [columns]\nbooking_date = \"Date\"\ndebit = \"Out\"\ncredit = \"In\"\n",
        );
        let parsed = parse_statements(
            "x.csv",
            "Date,Out,In\n01/02/2024,5.00,\n01/03/2024,,7.00\n01/04/2024,-3.00,\n",
            &p,
            &limits(),
        )
        .unwrap();
        let amounts: Vec<_> = parsed.statements[0]
            .lines
            .iter()
            .map(|l| l.amount_minor)
            .collect();
        assert_eq!(amounts, [-500, 700, -300]);
        assert_eq!(parsed.statements[0].statement_id, "x.csv:A");
        assert_eq!(parsed.statements[0].lines[2].line_id, "x.csv:A/3");

        // A top-level option written under [columns] is an unknown column key.
        assert!(CsvProfile::from_toml("[columns]\namount = 1\nhas_header = false\n").is_err());
        let p = profile(
            "has_header = false\naccount = \"A\"\ncurrency = \"USD\"\ndebit_values = [\"debit\"]\n\
             credit_values = [\"credit\"]\nsign = \"inverted\"\n[columns]\nbooking_date = 0\n\
             amount = 1\ndirection = 2\ndescription = [3, 4]\ncounterparty = { first_of = [4, 3] }\n",
        );
        let parsed = parse_statements(
            "x.csv",
            "2024-01-02,5,Debit,a,b\n2024-01-02,6,credit,,c\n",
            &p,
            &limits(),
        )
        .unwrap();
        let l = &parsed.statements[0].lines;
        assert_eq!(l[0].amount_minor, 500);
        assert_eq!(l[1].amount_minor, -600);
        assert_eq!(l[0].description, "a b");
        assert_eq!(l[1].description, "c");
        assert_eq!(l[0].counterparty.as_deref(), Some("b"));
        let e = parse_statements("x.csv", "2024-01-02,5,other,a,b\n", &p, &limits()).unwrap_err();
        assert_eq!(
            e.location,
            Location::Element {
                path: "column 2".into(),
                line: 1
            }
        );
        let e = parse_statements("x.csv", "2024-01-02,5,debit\n", &p, &limits()).unwrap_err();
        assert!(matches!(e.kind, ErrorKind::MissingField(_)));
    }

    fn balances(text: &str, order: &str) -> (Option<i64>, Option<i64>, Vec<Finding>) {
        let p = profile(&format!(
            "account = \"A\"\ncurrency = \"USD\"\nrow_order = \"{order}\"\n\
             [columns]\nbooking_date = \"d\"\namount = \"a\"\nbalance = \"b\"\n"
        ));
        let parsed = parse_statements("x.csv", text, &p, &limits()).unwrap();
        let s = &parsed.statements[0];
        (
            s.opening_balance.map(|b| b.amount_minor),
            s.closing_balance.map(|b| b.amount_minor),
            parsed.findings,
        )
    }

    #[test]
    fn balances_from_a_running_balance() {
        let oldest = "d,a,b\n2024-01-01,10,110\n2024-01-02,-5,105\n";
        let newest = "d,a,b\n2024-01-02,-5,105\n2024-01-01,10,110\n";
        assert_eq!(balances(oldest, "auto"), (Some(10000), Some(10500), vec![]));
        assert_eq!(balances(newest, "auto"), (Some(10000), Some(10500), vec![]));
        assert_eq!(
            balances(oldest, "oldest_first"),
            (Some(10000), Some(10500), vec![])
        );
        let (o, c, f) = balances(newest, "oldest_first");
        assert_eq!((o, c), (Some(11000), Some(11000)));
        assert_eq!(f[0].location, Location::Line(3));
        // Fits both orders, same dates: ambiguous.
        let both = "d,a,b\n2024-01-01,-20,85847\n2024-01-01,20,87847\n";
        let (o, c, f) = balances(both, "auto");
        assert_eq!((o, c), (None, None));
        assert_eq!(f[0].severity, Severity::Warning);
        let broken = "d,a,b\n2024-01-01,10,110\n2024-01-02,-5,99\n2024-01-03,-5,94\n";
        assert_eq!(balances(broken, "auto").1, None);
        let one = "d,a,b\n2024-01-01,10,110\n";
        assert_eq!(balances(one, "auto"), (Some(10000), Some(11000), vec![]));
    }

    #[test]
    fn skip_rules_and_skip_rows() {
        let p = profile(
            "skip_rows = 2\naccount = \"A\"\ncurrency = \"EUR\"\n[columns]\nbooking_date = \"d\"\namount = \"a\"\n\
             [[skip]]\ncolumn = \"d\"\nequals = \"Total\"\n",
        );
        let parsed = parse_statements(
            "x.csv",
            "Bank export\r\nAccount A\r\nd,a\r\n2024-01-01,1\r\nTotal,1\r\n",
            &p,
            &limits(),
        )
        .unwrap();
        assert_eq!(parsed.statements[0].lines.len(), 1);
        assert!(parsed.findings.iter().any(|f| f.message.contains("skip")));
        let e = parse_statements(
            "x.csv",
            "Bank export\r\nAccount A\r\nd,a\r\n2024-01-01,x\r\n",
            &p,
            &limits(),
        )
        .unwrap_err();
        assert_eq!(
            e.location,
            Location::Element {
                path: "a".into(),
                line: 4
            }
        );
    }

    #[test]
    fn lower_case_currency_is_a_finding() {
        let p = profile(
            "account = \"A\"\n[columns]\nbooking_date = \"d\"\namount = \"a\"\ncurrency = \"c\"\n",
        );
        let parsed = parse_statements("x.csv", "d,a,c\n2024-01-01,1,cad\n", &p, &limits()).unwrap();
        assert_eq!(parsed.statements[0].currency.code(), "CAD");
        assert_eq!(parsed.findings[0].severity, Severity::Info);
        let e = parse_statements("x.csv", "d,a,c\n2024-01-01,1,xyz\n", &p, &limits()).unwrap_err();
        assert_eq!(e.kind, ErrorKind::UnknownCurrency("xyz".into()));
    }

    #[test]
    fn limits_are_respected() {
        let tight = Limits {
            max_lines_per_statement: 1,
            max_field_bytes: 12,
            ..Limits::default()
        };
        let text = format!("{HEADER}a1,DE01,2024-01-02,,1,EUR,,\na2,DE01,2024-01-02,,1,EUR,,\n");
        let e = parse_statements(
            "x",
            &text,
            &CsvProfile::canonical_bank_lines(),
            &Limits {
                max_field_bytes: 100,
                ..tight.clone()
            },
        )
        .unwrap_err();
        assert!(matches!(e.kind, ErrorKind::TooMany { .. }));
        let text = format!("{HEADER}a1,DE01,2024-01-02,,1,EUR,,a long description\n");
        let e =
            parse_statements("x", &text, &CsvProfile::canonical_bank_lines(), &tight).unwrap_err();
        assert_eq!(e.kind, ErrorKind::FieldTooLong { limit: 12 });
        assert_eq!(
            e.location,
            Location::Element {
                path: "description".into(),
                line: 2
            }
        );
    }

    #[test]
    fn ledger() {
        let text = "entry_id,account,posting_date,amount,currency,reference,description\n\
                    e1,1000,2024-01-02,-5.34,EUR,INV-1,Coffee\ne2,1000,2024-01-03,12,EUR,,\n";
        let entries =
            parse_ledger("gl.csv", text, &CsvProfile::canonical_ledger(), &limits()).unwrap();
        assert_eq!(entries.len(), 2);
        assert_eq!(entries[0].amount_minor, -534);
        assert_eq!(entries[0].reference.as_deref(), Some("INV-1"));
        assert_eq!(entries[1].reference, None);
        let e = parse_ledger(
            "gl.csv",
            text,
            &CsvProfile::canonical_bank_lines(),
            &limits(),
        )
        .unwrap_err();
        assert!(matches!(e.kind, ErrorKind::Profile(_)));
        let dup = format!("{text}e1,1000,2024-01-03,12,EUR,,\n");
        let e =
            parse_ledger("gl.csv", &dup, &CsvProfile::canonical_ledger(), &limits()).unwrap_err();
        assert_eq!(e.location, Location::Line(4));
    }

    #[test]
    fn never_panics_on_odd_input() {
        let inputs = [
            "\"",
            "line_id,account\n\"unterminated",
            "\u{FEFF}line_id,account,booking_date,value_date,amount,currency,reference,description\n1,A,2024-01-01,,99999999999999999999,EUR,,\n",
            "line_id,account,booking_date,value_date,amount,currency,reference,description\n1,A,2024-01-01,,-92233720368547758.08,EUR,,\n",
            "\r\r\n\n,,,",
        ];
        for input in inputs {
            let _ = canonical(input);
        }
    }

    proptest::proptest! {
        #[test]
        fn never_panics(body in "[a-zA-Z0-9,;\"'\r\n .$()€-]{0,300}") {
            let _ = canonical(&format!("{HEADER}{body}"));
            let p = profile(
                "delimiter = \";\"\ndecimal_separator = \",\"\nthousands_separator = \".\"\n\
                 currency_symbols = [\"$\", \"€\"]\nnegative_parentheses = true\nsign = \"inverted\"\n\
                 account = \"A\"\ncurrency = \"EUR\"\ndate_format = [\"%d.%m.%Y\", \"%m/%d/%y\"]\n\
                 [columns]\nbooking_date = \"d\"\ndebit = \"o\"\ncredit = \"i\"\nbalance = \"b\"\n\
                 description = [\"o\", \"i\"]\n",
            );
            let _ = parse_statements("x", &format!("d;o;i;b\n{body}"), &p, &limits());
            let _ = parse_ledger("x", &body, &CsvProfile::canonical_ledger(), &limits());
        }
    }
}
