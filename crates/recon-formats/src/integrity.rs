//! Integrity checks across parsed statements: balance arithmetic, series continuity (the chain
//! of closing and opening balances), duplicates, gaps (missing days) and overlapping periods.
//! Differences are reported, never "fixed". Each issue carries a stable code
//! (`statement.balance_difference`, `series.chain`, `series.duplicate`, `series.gap`,
//! `series.overlap`).

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
                    code: Some("statement.balance_difference".into()),
                }),
                None => issues.push(Issue {
                    severity: Severity::Error,
                    file: s.source.clone(),
                    location: Location::File,
                    message: format!("statement {}: line total overflows", describe(s)),
                    code: Some("statement.balance_difference".into()),
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
                    code: Some("series.chain".into()),
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
                code: Some("series.duplicate".into()),
            });
        }
    }
    (kept, issues)
}

/// The days a statement covers: from its earliest line (or its closing date) to its closing
/// date (or its latest line). The opening balance's date is left out: MT940 dates it on the
/// previous statement's closing day.
pub fn period(s: &Statement) -> Option<(Date, Date)> {
    let first_line = s.lines.iter().map(|l| l.booking_date).min();
    let last_line = s.lines.iter().map(|l| l.booking_date).max();
    let closing = s.closing_balance.map(|b| b.date);
    let to = closing.or(last_line)?;
    let from = match (first_line, closing) {
        (Some(a), Some(b)) => a.min(b),
        (a, b) => a.or(b)?,
    };
    Some((from, to.max(from)))
}

/// A statement as the series checks see it: where it is from, its period and its balances.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeriesItem {
    pub source: String,
    pub account: String,
    pub currency: Currency,
    /// `statement_id[/sequence]`, as messages show it.
    pub name: String,
    pub from: Date,
    pub to: Date,
    pub opening_minor: Option<i64>,
    pub closing_minor: Option<i64>,
}

impl SeriesItem {
    /// The series view of a parsed statement; `None` when it has no date at all.
    pub fn of(s: &Statement) -> Option<SeriesItem> {
        let (from, to) = period(s)?;
        Some(SeriesItem {
            source: s.source.clone(),
            account: s.account.clone(),
            currency: s.currency,
            name: describe(s),
            from,
            to,
            opening_minor: s.opening_balance.map(|b| b.amount_minor),
            closing_minor: s.closing_balance.map(|b| b.amount_minor),
        })
    }
}

/// Each account's (and currency's) items, ordered by period.
fn by_account(items: &[SeriesItem]) -> BTreeMap<(&str, Currency), Vec<&SeriesItem>> {
    let mut series: BTreeMap<(&str, Currency), Vec<&SeriesItem>> = BTreeMap::new();
    for item in items {
        series
            .entry((&item.account, item.currency))
            .or_default()
            .push(item);
    }
    for list in series.values_mut() {
        list.sort_by_key(|a| (a.from, a.to));
    }
    series
}

/// Gaps and overlaps in each account's series of statements, ordered by period (see
/// [`check_series_items`]).
pub fn check_series(statements: &[Statement]) -> Vec<Issue> {
    let items: Vec<SeriesItem> = statements.iter().filter_map(SeriesItem::of).collect();
    check_series_items(&items)
}

/// Gaps and overlaps in each account's series, ordered by period. A gap is the days between
/// two statements that no statement covers: a Warning when a weekday is among them, an Info
/// when they are a weekend only. An overlap is two statements whose periods share days while
/// the second does not open at the first's closing balance (the same movements may be in
/// both): a Warning. Statements whose balances chain are consecutive pages or intraday
/// reports, not an overlap. Issues name the file of the later statement.
pub fn check_series_items(items: &[SeriesItem]) -> Vec<Issue> {
    use chrono::{Datelike, Weekday};
    let mut issues = Vec::new();
    for ((account, currency), list) in by_account(items) {
        let mut covered_to: Option<(Date, &SeriesItem)> = None;
        for &s in &list {
            let (from, to) = (s.from, s.to);
            if let Some((until, previous)) = covered_to {
                let chains = match (previous.closing_minor, s.opening_minor) {
                    (Some(c), Some(o)) => c == o,
                    _ => false,
                };
                if from <= until && !chains {
                    issues.push(Issue {
                        severity: Severity::Warning,
                        file: s.source.clone(),
                        location: Location::File,
                        message: format!(
                            "account {account} {currency}: statement {} ({from} to {to}) overlaps statement {} of {} (to {until}) and does not open at its closing balance; the same movements may be in both",
                            s.name, previous.name, previous.source,
                        ),
                        code: Some("series.overlap".into()),
                    });
                } else if let Some(first_missing) = until.succ_opt()
                    && from > first_missing
                {
                    let last_missing = from.pred_opt().unwrap_or(from);
                    let weekday_missing = first_missing
                        .iter_days()
                        .take_while(|d| *d <= last_missing)
                        .any(|d| !matches!(d.weekday(), Weekday::Sat | Weekday::Sun));
                    let days = (last_missing - first_missing).num_days() + 1;
                    issues.push(Issue {
                        severity: if weekday_missing {
                            Severity::Warning
                        } else {
                            Severity::Info
                        },
                        file: s.source.clone(),
                        location: Location::File,
                        message: format!(
                            "account {account} {currency}: no statement for {days} day(s) from {first_missing} to {last_missing}{}, between statement {} and statement {}",
                            if weekday_missing { "" } else { " (a weekend)" },
                            previous.name,
                            s.name,
                        ),
                        code: Some("series.gap".into()),
                    });
                }
            }
            if covered_to.is_none_or(|(until, _)| to >= until) {
                covered_to = Some((to, s));
            }
        }
    }
    issues
}

/// The chain over series items, as [`check_continuity`] checks it over statements: ordered by
/// period, each opening balance must equal the previous closing balance of the account.
pub fn check_chain_items(items: &[SeriesItem]) -> Vec<Issue> {
    let mut issues = Vec::new();
    for ((account, currency), list) in by_account(items) {
        let exponent = currency.exponent();
        for pair in list.windows(2) {
            let (previous, next) = (pair[0], pair[1]);
            if let (Some(closing), Some(opening)) = (previous.closing_minor, next.opening_minor)
                && closing != opening
            {
                issues.push(Issue {
                    severity: Severity::Warning,
                    file: next.source.clone(),
                    location: Location::File,
                    message: format!(
                        "account {account}: statement {} closes at {} {currency} on {} but the next statement {} opens at {} {currency} (gap {} {currency})",
                        previous.name,
                        format_minor(closing, exponent),
                        previous.to,
                        next.name,
                        format_minor(opening, exponent),
                        format_minor(opening - closing, exponent),
                    ),
                    code: Some("series.chain".into()),
                });
            }
        }
    }
    issues
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
            reading: recon_model::Reading::default(),
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
    fn series_names_gaps_and_overlaps() {
        // Daily statements on Wed 3, Thu 4, (Fri 5 missing), Mon 8 January 2024.
        let a = statement("1", (2, 1000), (3, 1500), &[500]);
        let b = statement("2", (3, 1500), (4, 1400), &[-100]);
        let c = statement("3", (4, 1400), (8, 1400), &[]);
        let issues = check_series(&[c.clone(), a.clone(), b.clone()]);
        let shown: Vec<_> = issues
            .iter()
            .map(|i| (i.severity, i.code.clone().unwrap(), i.message.clone()))
            .collect();
        assert_eq!(shown.len(), 1, "{shown:?}");
        assert_eq!(shown[0].0, Severity::Warning);
        assert!(
            shown[0]
                .2
                .contains("no statement for 3 day(s) from 2024-01-05 to 2024-01-07"),
            "{}",
            shown[0].2
        );
        // Fri 5 present: only the weekend is missing, an Info.
        let fri = statement("2b", (4, 1400), (5, 1400), &[]);
        let issues = check_series(&[a.clone(), b.clone(), fri, c]);
        assert_eq!(issues.len(), 1);
        assert_eq!(issues[0].severity, Severity::Info);
        assert!(issues[0].message.contains("(a weekend)"));
        // The same day again with other figures: an overlap.
        let again = statement("9", (3, 999), (4, 999), &[]);
        let issues = check_series(&[a, b, again]);
        assert_eq!(issues.len(), 1, "{issues:?}");
        assert_eq!(issues[0].code.as_deref(), Some("series.overlap"));
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
