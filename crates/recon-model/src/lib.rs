//! Canonical domain model of the workbench: exact money, statements, statement lines and ledger
//! entries. Pure values: this crate does no IO and never reads the clock.

mod currency;
mod money;
mod statement;

pub use currency::{Currency, UnknownCurrency};
pub use money::{AmountError, Money, format_minor, parse_minor, write_minor};
pub use statement::{
    Balance, BatchDetail, Deviation, Format, LedgerEntry, Reading, Statement, StatementLine,
};

/// Calendar date without time zone; statements and ledgers carry dates, never instants.
pub type Date = chrono::NaiveDate;
