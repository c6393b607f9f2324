//! Reading a whole reconciliation into a [`SignOffPack`] for export: statements, input files with
//! their SHA-256 and control totals, match statistics, open items with their age, adjustments,
//! every confirmed group, the audit trail and the sign-off. Read in one transaction, so the pack
//! is a consistent snapshot even while another process writes.

use crate::error::Result;
use crate::workspace::{Workspace, read_sign_off};
use recon_model::{Currency, Date};
use recon_review::pack::{
    AdjustmentEntry, AuditLine, Controls, MatchedGroup, MatchedItem, OpenItem, PackFile,
    PackStatement, RuleSetUsed, RuleStat, SignOffPack,
};
use rusqlite::{Connection, Row};

fn days_between(from: &str, to: Date) -> i64 {
    Date::parse_from_str(from, "%Y-%m-%d")
        .map(|d| (to - d).num_days())
        .unwrap_or(0)
}

fn rows<T>(
    conn: &Connection,
    sql: &str,
    map: impl FnMut(&Row<'_>) -> rusqlite::Result<T>,
) -> Result<Vec<T>> {
    let mut stmt = conn.prepare(sql)?;
    let out = stmt
        .query_map([], map)?
        .collect::<rusqlite::Result<Vec<T>>>()?;
    Ok(out)
}

impl Workspace {
    /// Everything the sign-off pack shows, aged as of `as_of`, stamped `generated_at`.
    pub fn sign_off_pack(&mut self, as_of: Date, generated_at: &str) -> Result<SignOffPack> {
        let statement = self.reconciliation_statement()?;
        let content_hash = self.content_hash()?;
        let info = self.info.clone();
        let tx = self.conn.transaction()?;
        let c: &Connection = &tx;
        let statements = rows(
            c,
            "SELECT source, format, statement_id, sequence, first_date, last_date, opening_minor,
                    closing_minor, line_count, lines_total_minor
             FROM statements WHERE superseded_by IS NULL ORDER BY first_date, sequence, id",
            |r| {
                Ok(PackStatement {
                    source: r.get(0)?,
                    format: r.get(1)?,
                    statement_id: r.get(2)?,
                    sequence: r.get(3)?,
                    first_date: r.get(4)?,
                    last_date: r.get(5)?,
                    opening_minor: r.get(6)?,
                    closing_minor: r.get(7)?,
                    line_count: r.get(8)?,
                    lines_total_minor: r.get(9)?,
                })
            },
        )?;
        let input_files = rows(
            c,
            "SELECT f.name, f.kind, f.sha256,
                CASE f.kind
                  WHEN 'statement' THEN (SELECT coalesce(sum(line_count), 0) FROM statements s
                                         WHERE s.file_sha256 = f.sha256 AND superseded_by IS NULL)
                  ELSE (SELECT count(*) FROM ledger_entries l WHERE l.file_sha256 = f.sha256) END,
                CASE f.kind
                  WHEN 'statement' THEN (SELECT coalesce(sum(lines_total_minor), 0) FROM statements s
                                         WHERE s.file_sha256 = f.sha256 AND superseded_by IS NULL)
                  ELSE (SELECT coalesce(sum(amount_minor), 0) FROM ledger_entries l
                        WHERE l.file_sha256 = f.sha256) END
             FROM imported_files f ORDER BY f.kind DESC, f.name, f.sha256",
            |r| {
                Ok(PackFile {
                    name: r.get(0)?,
                    kind: r.get(1)?,
                    sha256: r.get(2)?,
                    records: r.get(3)?,
                    total_minor: r.get(4)?,
                })
            },
        )?;
        let counts = |table: &str| -> Result<[i64; 6]> {
            Ok(c.query_row(
                &format!(
                    "SELECT count(*), coalesce(sum(amount_minor), 0),
                        count(group_id), coalesce(sum(CASE WHEN group_id IS NOT NULL
                                                  THEN amount_minor END), 0),
                        count(*) - count(group_id), coalesce(sum(CASE WHEN group_id IS NULL
                                                  THEN amount_minor END), 0)
                     FROM {table}"
                ),
                [],
                |r| {
                    Ok([
                        r.get(0)?,
                        r.get(1)?,
                        r.get(2)?,
                        r.get(3)?,
                        r.get(4)?,
                        r.get(5)?,
                    ])
                },
            )?)
        };
        let [
            bank_lines,
            bank_total,
            bank_matched,
            bank_matched_minor,
            bank_open,
            bank_open_minor,
        ] = counts("bank_lines")?;
        let [
            ledger_entries,
            ledger_total,
            ledger_matched,
            ledger_matched_minor,
            ledger_open,
            ledger_open_minor,
        ] = counts("ledger_entries")?;
        let controls = Controls {
            bank_lines,
            bank_total_minor: bank_total,
            ledger_entries,
            ledger_total_minor: ledger_total,
            matched_bank_lines: bank_matched,
            matched_bank_minor: bank_matched_minor,
            matched_ledger_entries: ledger_matched,
            matched_ledger_minor: ledger_matched_minor,
            open_bank_lines: bank_open,
            open_bank_minor: bank_open_minor,
            open_ledger_entries: ledger_open,
            open_ledger_minor: ledger_open_minor,
        };
        let groups = read_groups(c)?;
        let mut rule_stats = confirmed_rule_stats(&groups);
        rule_stats.extend(rows(
            c,
            "SELECT s.rule, 'suggested', count(DISTINCT s.id),
                    count(CASE WHEN i.side = 'bank' THEN 1 END),
                    count(CASE WHEN i.side = 'ledger' THEN 1 END),
                    coalesce(sum(CASE WHEN i.side = 'bank' THEN i.amount_minor END), 0)
             FROM suggestions s JOIN suggestion_items i ON i.suggestion = s.id
             WHERE s.status = 'open' GROUP BY s.rule ORDER BY s.rule",
            |r| {
                Ok(RuleStat {
                    rule: r.get(0)?,
                    status: r.get(1)?,
                    groups: r.get(2)?,
                    bank_items: r.get(3)?,
                    ledger_items: r.get(4)?,
                    bank_minor: r.get(5)?,
                })
            },
        )?);
        let rule_set = c
            .query_row(
                "SELECT rule_set, rule_set_sha256, (SELECT count(*) FROM match_runs)
                 FROM match_runs ORDER BY id DESC LIMIT 1",
                [],
                |r| {
                    Ok(RuleSetUsed {
                        name: r.get(0)?,
                        sha256: r.get(1)?,
                        runs: r.get(2)?,
                    })
                },
            )
            .or_else(|e| match e {
                rusqlite::Error::QueryReturnedNoRows => Ok(RuleSetUsed::default()),
                e => Err(e),
            })?;
        let exceptions = rows(
            c,
            "SELECT side, item_id, item_date, amount_minor, reason, reference, description
             FROM exceptions ORDER BY item_date, side, item_id",
            |r| {
                let date: String = r.get(2)?;
                Ok(OpenItem {
                    side: r.get(0)?,
                    item_id: r.get(1)?,
                    days_open: days_between(&date, as_of),
                    date,
                    amount_minor: r.get(3)?,
                    reason: r.get(4)?,
                    reference: r.get(5)?,
                    description: r.get(6)?,
                })
            },
        )?;
        let adjustments = rows(
            c,
            "SELECT g.id, g.rule, coalesce(g.adjustment_reason, ''), g.note, g.difference_minor,
                    g.created_by, g.created_at,
                    (SELECT group_concat(x.side || ' ' || x.item_id, '; ') FROM (
                        SELECT 'bank' AS side, b.line_id AS item_id FROM bank_lines b
                          WHERE b.group_id = g.id
                        UNION ALL SELECT 'ledger', l.entry_id FROM ledger_entries l
                          WHERE l.group_id = g.id ORDER BY 1, 2) x)
             FROM groups g WHERE g.removed_at IS NULL
               AND (g.difference_minor <> 0 OR g.adjustment_reason IS NOT NULL)
             ORDER BY g.id",
            |r| {
                Ok(AdjustmentEntry {
                    group: r.get(0)?,
                    rule: r.get(1)?,
                    reason: r.get(2)?,
                    note: r.get(3)?,
                    difference_minor: r.get(4)?,
                    created_by: r.get(5)?,
                    created_at: r.get(6)?,
                    items: r.get::<_, Option<String>>(7)?.unwrap_or_default(),
                })
            },
        )?;
        let audit = rows(
            c,
            "SELECT seq, at, actor, action, target, hash FROM audit_log ORDER BY seq",
            |r| {
                Ok(AuditLine {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    target: r.get(4)?,
                    hash: r.get(5)?,
                })
            },
        )?;
        let audit_head_hash: String =
            c.query_row("SELECT hash FROM audit_head WHERE id = 1", [], |r| r.get(0))?;
        let sign_off = read_sign_off(c)?;
        let ledger_opening_minor = info
            .ledger_opening_minor
            .or_else(|| statements.first().and_then(|s| s.opening_minor))
            .unwrap_or(0);
        drop(tx);
        Ok(SignOffPack {
            exponent: Currency::from_code(&info.currency)
                .map(|c| c.exponent())
                .unwrap_or(2),
            workspace_id: info.id,
            account: info.account,
            currency: info.currency,
            period_start: info.period_start,
            period_end: info.period_end,
            generated_at: generated_at.to_string(),
            as_of: as_of.format("%Y-%m-%d").to_string(),
            statements,
            input_files,
            ledger_opening_minor,
            reconciliation: statement,
            controls,
            rule_stats,
            rule_set,
            exceptions,
            adjustments,
            groups,
            audit,
            audit_head_hash,
            sign_off,
            content_hash,
        })
    }
}

/// Every confirmed group with its items, in group order, bank side first then by item id. Two
/// sequential table scans bucketed by group id (no sort of millions of rows in SQLite).
fn read_groups(c: &Connection) -> Result<Vec<MatchedGroup>> {
    let mut groups: Vec<MatchedGroup> = rows(
        c,
        "SELECT id, rule, origin, created_by, difference_minor FROM groups
         WHERE removed_at IS NULL ORDER BY id",
        |r| {
            Ok(MatchedGroup {
                id: r.get(0)?,
                rule: r.get(1)?,
                origin: r.get(2)?,
                created_by: r.get(3)?,
                difference_minor: r.get(4)?,
                items: Vec::new(),
            })
        },
    )?;
    for (side, sql) in [
        (
            "bank",
            "SELECT group_id, line_id, booking_date, amount_minor, coalesce(reference, '')
             FROM bank_lines WHERE group_id IS NOT NULL",
        ),
        (
            "ledger",
            "SELECT group_id, entry_id, posting_date, amount_minor, coalesce(reference, '')
             FROM ledger_entries WHERE group_id IS NOT NULL",
        ),
    ] {
        let mut stmt = c.prepare(sql)?;
        let mut items = stmt.query([])?;
        while let Some(r) = items.next()? {
            let group: i64 = r.get(0)?;
            if let Ok(i) = groups.binary_search_by_key(&group, |g| g.id) {
                groups[i].items.push(MatchedItem {
                    side: side.to_string(),
                    item_id: r.get(1)?,
                    date: r.get(2)?,
                    amount_minor: r.get(3)?,
                    reference: r.get(4)?,
                });
            }
        }
    }
    for g in &mut groups {
        // Bank before ledger ("bank" < "ledger"), then by id: the order does not depend on
        // the order rows were stored in.
        g.items
            .sort_unstable_by(|a, b| (&a.side, &a.item_id).cmp(&(&b.side, &b.item_id)));
    }
    Ok(groups)
}

/// Match statistics per rule and origin, from the groups already read.
fn confirmed_rule_stats(groups: &[MatchedGroup]) -> Vec<RuleStat> {
    let mut stats: std::collections::BTreeMap<(&str, &str), RuleStat> = Default::default();
    for g in groups {
        let s = stats
            .entry((g.rule.as_str(), g.origin.as_str()))
            .or_insert_with(|| RuleStat {
                rule: g.rule.clone(),
                status: g.origin.clone(),
                groups: 0,
                bank_items: 0,
                ledger_items: 0,
                bank_minor: 0,
            });
        s.groups += 1;
        for item in &g.items {
            if item.side == "bank" {
                s.bank_items += 1;
                s.bank_minor = s.bank_minor.saturating_add(item.amount_minor);
            } else {
                s.ledger_items += 1;
            }
        }
    }
    stats.into_values().collect()
}
