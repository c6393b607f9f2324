//! Integrity checks across parsed statements: balance arithmetic, series continuity, duplicates.
//! Differences are reported, never "fixed".

use crate::{Issue, Location, Severity};
use recon_model::{Currency, Date, Statement, format_minor};
use std::collections::{BTreeMap, HashSet};

/// The identity of a statement: the same key twice is the same statement sent twice.
/// Balance and line dates are part of it because many banks number every statement "1" or "000".
#[derive(Clone, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub struct StatementKey {
    pub account: String,
    pub currency: Currency,
    pub statement_id: String,
    pub sequence: Option<String>,
    pub first_date: Option<Date>,
    pub last_date: Option<Date>,
}

impl StatementKey {
    pub fn of(statement: &Statement) -> StatementKey {
        let first_date = statement
            .opening_balance
            .map(|b| b.date)
            .or_else(|| statement.lines.iter().map(|l| l.booking_date).min());
        let last_date = statement
            .closing_balance
            .map(|b| b.date)
            .or_else(|| statement.lines.iter().map(|l| l.booking_date).max());
        StatementKey {
            account: statement.account.clone(),
            currency: statement.currency,
            statement_id: statement.statement_id.clone(),
            sequence: statement.sequence.clone(),
            first_date,
            last_date,
        }
    }
}

/// Opening balance + sum of lines = closing balance, for each statement that has both balances.
pub fn check_balances(statements: &[Statement]) -> Vec<Issue> {
    let mut issues = Vec::new();
    for s in statements {
        let exponent = s.currency.exponent();
        if let (Some(opening), Some(closing)) = (s.opening_balance, s.closing_balance) {
            match s.balance_difference_minor() {
                Some(0) => {}
                Some(difference) => issues.push(Issue {
                    severity: Severity::Warning,
                    file: s.source.clone(),
                    location: Location::File,
                    message: format!(
                        "statement {} (account {}): opening {} + lines {} = {} but closing balance is {} (difference {} {})",
                        describe(s),
                        s.account,
                        format_minor(opening.amount_minor, exponent),
                        format_minor(s.lines_total_minor().unwrap_or(0), exponent),
                        format_minor(closing.amount_minor - difference, exponent),
                        format_minor(closing.amount_minor, exponent),
                        format_minor(difference, exponent),
                        s.currency,
                    ),
                }),
                None => issues.push(Issue {
                    severity: Severity::Error,
                    file: s.source.clone(),
                    location: Location::File,
                    message: format!("statement {}: line total overflows", describe(s)),
                }),
            }
        }
    }
    issues
}

/// For each account and currency, ordered by date, each closing balance must equal the next
/// statement's opening balance.
pub fn check_continuity(statements: &[Statement]) -> Vec<Issue> {
    let mut series: BTreeMap<(&str, Currency), Vec<&Statement>> = BTreeMap::new();
    for s in statements {
        if s.opening_balance.is_some() || s.closing_balance.is_some() {
            series.entry((&s.account, s.currency)).or_default().push(s);
        }
    }
    let mut issues = Vec::new();
    for ((account, currency), mut list) in series {
        list.sort_by(|a, b| {
            let key = |s: &Statement| {
                (
                    s.opening_balance
                        .map(|b| b.date)
                        .or(s.closing_balance.map(|b| b.date)),
                    s.closing_balance.map(|b| b.date),
                )
            };
            key(a).cmp(&key(b))
        });
        for pair in list.windows(2) {
            let (previous, next) = (pair[0], pair[1]);
            if let (Some(closing), Some(opening)) = (previous.closing_balance, next.opening_balance)
                && closing.amount_minor != opening.amount_minor
            {
                let exponent = currency.exponent();
                issues.push(Issue {
                    severity: Severity::Warning,
                    file: next.source.clone(),
                    location: Location::File,
                    message: format!(
                        "account {account}: statement {} closes at {} {currency} on {} but the next statement {} opens at {} {currency} (gap {} {currency})",
                        describe(previous),
                        format_minor(closing.amount_minor, exponent),
                        closing.date,
                        describe(next),
                        format_minor(opening.amount_minor, exponent),
                        format_minor(opening.amount_minor - closing.amount_minor, exponent),
                    ),
                });
            }
        }
    }
    issues
}

/// Keeps the first of every statement identity; later copies are dropped with a warning.
/// `seen` carries identities across calls (e.g. already in the workspace).
pub fn drop_duplicates(
    statements: Vec<Statement>,
    seen: &mut HashSet<StatementKey>,
) -> (Vec<Statement>, Vec<Issue>) {
    let mut kept = Vec::with_capacity(statements.len());
    let mut issues = Vec::new();
    for s in statements {
        if seen.insert(StatementKey::of(&s)) {
            kept.push(s);
        } else {
            issues.push(Issue {
                severity: Severity::Warning,
                file: s.source.clone(),
                location: Location::File,
                message: format!(
                    "duplicate statement {} for account {} {}: already imported, skipped",
                    describe(&s),
                    s.account,
                    s.currency
                ),
            });
        }
    }
    (kept, issues)
}

fn describe(s: &Statement) -> String {
    match &s.sequence {
        Some(seq) => format!("{}/{}", s.statement_id, seq),
        None => s.statement_id.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use recon_model::{Balance, Format, StatementLine};

    fn statement(id: &str, opening: (u32, i64), closing: (u32, i64), lines: &[i64]) -> Statement {
        let day = |d| Date::from_ymd_opt(2024, 1, d).unwrap();
        Statement {
            source: format!("{id}.sta"),
            format: Format::Mt940,
            account: "NL01BANK0123456789".into(),
            currency: Currency::from_code("EUR").unwrap(),
            statement_id: id.into(),
            sequence: None,
            opening_balance: Some(Balance {
                date: day(opening.0),
                amount_minor: opening.1,
            }),
            closing_balance: Some(Balance {
                date: day(closing.0),
                amount_minor: closing.1,
            }),
            lines: lines
                .iter()
                .map(|a| StatementLine {
                    amount_minor: *a,
                    booking_date: day(closing.0),
                    ..Default::default()
                })
                .collect(),
        }
    }

    #[test]
    fn balance_difference_is_reported_not_fixed() {
        let ok = statement("1", (1, 1000), (2, 1500), &[700, -200]);
        let off = statement("2", (2, 1500), (3, 1600), &[50]);
        let issues = check_balances(&[ok, off]);
        assert_eq!(issues.len(), 1);
        assert!(
            issues[0].message.contains("difference 0.50 EUR"),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn continuity_gap_is_reported() {
        let a = statement("1", (1, 1000), (2, 1500), &[500]);
        let b = statement("2", (3, 1400), (4, 1400), &[]);
        let issues = check_continuity(&[b, a]);
        assert_eq!(issues.len(), 1);
        assert!(
            issues[0].message.contains("gap -1.00 EUR"),
            "{}",
            issues[0].message
        );
    }

    #[test]
    fn duplicates_are_dropped_once() {
        let a = statement("1", (1, 1000), (2, 1500), &[500]);
        let mut seen = HashSet::new();
        let (kept, issues) = drop_duplicates(vec![a.clone(), a.clone()], &mut seen);
        assert_eq!(kept.len(), 1);
        assert_eq!(issues.len(), 1);
        let (kept, _) = drop_duplicates(vec![a], &mut seen);
        assert!(kept.is_empty());
    }
}
