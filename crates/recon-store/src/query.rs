//! Reading the workspace: pages of exceptions (filtered, sorted, with age in days), suggestions,
//! the totals of the reconciliation statement, the content hash an approval records; and the
//! sign-off actions that depend on them (prepare, approve, reject).

use crate::content::{ItemSums, open_item_totals_from, scan_content};
use crate::error::{Result, StoreError};
use crate::workspace::{Actor, AuditNote, SignOffRecord, Workspace, read_sign_off};
use recon_model::Date;
use recon_review::{OpenItemTotals, ReconciliationStatement, SignOffAction, SignOffState};
use rusqlite::{ToSql, params};
use serde_json::json;

/// Largest page of exceptions one query returns.
pub const EXCEPTION_PAGE_MAX: usize = 10_000;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum ExceptionSort {
    /// Oldest first (most days open).
    #[default]
    AgeDesc,
    AgeAsc,
    AmountAsc,
    AmountDesc,
}

impl ExceptionSort {
    pub fn from_name(s: &str) -> Option<ExceptionSort> {
        match s {
            "age" | "age-desc" | "oldest" => Some(ExceptionSort::AgeDesc),
            "age-asc" | "newest" => Some(ExceptionSort::AgeAsc),
            "amount" | "amount-asc" => Some(ExceptionSort::AmountAsc),
            "amount-desc" => Some(ExceptionSort::AmountDesc),
            _ => None,
        }
    }
}

/// Which exceptions, in what order.
#[derive(Clone, Debug, Default)]
pub struct ExceptionQuery {
    /// "bank" or "ledger".
    pub side: Option<String>,
    /// "ambiguous", "suggested", "no_candidate", "unmatched".
    pub reason: Option<String>,
    pub assignee: Option<String>,
    /// Only items with |amount| at least this.
    pub min_abs_amount_minor: Option<i64>,
    /// Substring of the reference or description.
    pub text: Option<String>,
    pub sort: ExceptionSort,
    pub limit: usize,
    pub offset: usize,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct ExceptionRow {
    pub side: String,
    pub item_id: String,
    pub reason: String,
    pub amount_minor: i64,
    pub date: String,
    pub days_open: i64,
    pub reference: String,
    pub description: String,
    pub assignee: Option<String>,
    /// Open suggestions that include this item.
    pub open_suggestions: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct SuggestionRow {
    pub id: i64,
    pub rule: String,
    pub score: i64,
    pub difference_minor: i64,
    pub explanation: String,
    pub bank: Vec<String>,
    pub ledger: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct GroupRow {
    pub id: i64,
    pub origin: String,
    pub rule: String,
    pub difference_minor: i64,
    pub adjustment_reason: Option<String>,
    pub note: String,
    pub bank: Vec<String>,
    pub ledger: Vec<String>,
}

/// Counts for `recon ws status`.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct WorkspaceStatus {
    pub statements: i64,
    pub bank_lines: i64,
    pub ledger_entries: i64,
    pub confirmed_groups: i64,
    pub open_suggestions: i64,
    pub exceptions: i64,
    pub decisions: i64,
    pub audit_entries: i64,
    pub sign_off: SignOffRecord,
}

/// Days from an ISO date (as stored) to `to`; 0 for a malformed date.
pub(crate) fn days_between(from: &str, to: Date) -> i64 {
    let b = from.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<u32> {
        let mut n = 0u32;
        for &d in b.get(r)? {
            n = n * 10 + u32::from(d.checked_sub(b'0').filter(|d| *d <= 9)?);
        }
        Some(n)
    };
    let parsed = (b.len() == 10 && b[4] == b'-' && b[7] == b'-')
        .then(|| Date::from_ymd_opt(digits(0..4)? as i32, digits(5..7)?, digits(8..10)?))
        .flatten();
    parsed.map(|d| (to - d).num_days()).unwrap_or(0)
}

impl ExceptionQuery {
    /// Appends this query's filter to `sql` (which selects `FROM exceptions e WHERE 1 = 1`) and
    /// returns its arguments. One filter for the page and for its count.
    pub(crate) fn filter(&self, sql: &mut String) -> Vec<Box<dyn ToSql>> {
        let mut args: Vec<Box<dyn ToSql>> = Vec::new();
        if let Some(side) = &self.side {
            sql.push_str(" AND e.side = ?");
            args.push(Box::new(side.clone()));
        }
        if let Some(reason) = &self.reason {
            sql.push_str(" AND e.reason = ?");
            args.push(Box::new(reason.clone()));
        }
        if let Some(who) = &self.assignee {
            sql.push_str(
                " AND (SELECT a.assignee FROM assignments a
                       WHERE a.target = e.side || ':' || e.item_id) = ?",
            );
            args.push(Box::new(who.clone()));
        }
        if let Some(min) = self.min_abs_amount_minor {
            sql.push_str(" AND (e.amount_minor >= ? OR e.amount_minor <= ?)");
            args.push(Box::new(min));
            args.push(Box::new(min.saturating_neg()));
        }
        if let Some(text) = &self.text {
            sql.push_str(" AND (instr(e.reference, ?) > 0 OR instr(e.description, ?) > 0)");
            args.push(Box::new(text.clone()));
            args.push(Box::new(text.clone()));
        }
        args
    }
}

impl Workspace {
    /// One page of exceptions, aged as of `as_of`.
    pub fn exceptions(&self, q: &ExceptionQuery, as_of: Date) -> Result<Vec<ExceptionRow>> {
        // The assignee and the suggestion count are subqueries of the result columns, so SQLite
        // works them out only for the rows of the page, not for every row an OFFSET skips.
        let mut sql = String::from(
            "SELECT e.side, e.item_id, e.reason, e.amount_minor, e.item_date, e.reference,
                    e.description,
                    (SELECT a.assignee FROM assignments a WHERE a.target = e.side || ':' || e.item_id),
                    (SELECT count(DISTINCT si.suggestion) FROM suggestion_items si
                       JOIN suggestions s ON s.id = si.suggestion AND s.status = 'open'
                     WHERE si.side = e.side AND si.item = e.item)
             FROM exceptions e WHERE 1 = 1",
        );
        let mut args = q.filter(&mut sql);
        sql.push_str(match q.sort {
            ExceptionSort::AgeDesc => " ORDER BY e.item_date ASC, e.side, e.item",
            ExceptionSort::AgeAsc => " ORDER BY e.item_date DESC, e.side DESC, e.item DESC",
            ExceptionSort::AmountAsc => " ORDER BY e.amount_minor ASC, e.side, e.item",
            ExceptionSort::AmountDesc => " ORDER BY e.amount_minor DESC, e.side DESC, e.item DESC",
        });
        let limit = if q.limit == 0 {
            1000
        } else {
            q.limit.min(EXCEPTION_PAGE_MAX)
        };
        sql.push_str(" LIMIT ? OFFSET ?");
        args.push(Box::new(limit as i64));
        args.push(Box::new(q.offset as i64));
        let mut stmt = self.conn.prepare_cached(&sql)?;
        let params: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        let rows = stmt
            .query_map(params.as_slice(), |r| {
                let date: String = r.get(4)?;
                Ok(ExceptionRow {
                    side: r.get(0)?,
                    item_id: r.get(1)?,
                    reason: r.get(2)?,
                    amount_minor: r.get(3)?,
                    days_open: days_between(&date, as_of),
                    date,
                    reference: r.get(5)?,
                    description: r.get(6)?,
                    assignee: r.get(7)?,
                    open_suggestions: r.get(8)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Open suggestions, best first.
    /// Open suggestions, best first.
    pub fn suggestions(&self, limit: usize) -> Result<Vec<SuggestionRow>> {
        self.suggestion_rows("", &[&(limit as i64)])
    }

    /// The open suggestions that include one item, best first, read for that item alone (not
    /// filtered out of every open suggestion: at 10,000 that took 1.1–1.4 s per focused row).
    pub fn item_suggestions(&self, side: &str, item_id: &str) -> Result<Vec<SuggestionRow>> {
        let filter = if side == "bank" {
            " AND s.id IN (SELECT si.suggestion FROM suggestion_items si
                           JOIN bank_lines b ON b.id = si.item
                           WHERE si.side = 'bank' AND b.line_id = ?2)"
        } else {
            " AND s.id IN (SELECT si.suggestion FROM suggestion_items si
                           JOIN ledger_entries l ON l.id = si.item
                           WHERE si.side = 'ledger' AND l.entry_id = ?2)"
        };
        self.suggestion_rows(filter, &[&-1i64, &item_id])
    }

    fn suggestion_rows(
        &self,
        filter: &str,
        args: &[&dyn rusqlite::ToSql],
    ) -> Result<Vec<SuggestionRow>> {
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT s.id, s.rule, s.score, s.difference_minor, s.explanation,
                    (SELECT group_concat(b.line_id, ' ') FROM suggestion_items si JOIN bank_lines b ON b.id = si.item
                      WHERE si.suggestion = s.id AND si.side = 'bank'),
                    (SELECT group_concat(l.entry_id, ' ') FROM suggestion_items si JOIN ledger_entries l ON l.id = si.item
                      WHERE si.suggestion = s.id AND si.side = 'ledger')
             FROM suggestions s WHERE s.status = 'open'{filter} ORDER BY s.score DESC, s.id LIMIT ?1"
        ))?;
        let split = |s: Option<String>| -> Vec<String> {
            s.map(|s| s.split(' ').map(str::to_string).collect())
                .unwrap_or_default()
        };
        let rows = stmt
            .query_map(args, |r| {
                Ok(SuggestionRow {
                    id: r.get(0)?,
                    rule: r.get(1)?,
                    score: r.get(2)?,
                    difference_minor: r.get(3)?,
                    explanation: r.get(4)?,
                    bank: split(r.get(5)?),
                    ledger: split(r.get(6)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// Confirmed groups made or accepted by people (auto groups are many; not listed).
    pub fn reviewed_groups(&self) -> Result<Vec<GroupRow>> {
        let mut stmt = self.conn.prepare(
            "SELECT g.id, g.origin, g.rule, g.difference_minor, g.adjustment_reason, g.note,
                    (SELECT group_concat(b.line_id, ' ') FROM group_items gi JOIN bank_lines b ON b.id = gi.item
                      WHERE gi.group_id = g.id AND gi.side = 'bank'),
                    (SELECT group_concat(l.entry_id, ' ') FROM group_items gi JOIN ledger_entries l ON l.id = gi.item
                      WHERE gi.group_id = g.id AND gi.side = 'ledger')
             FROM groups g WHERE g.removed_at IS NULL AND g.origin <> 'auto' ORDER BY g.id",
        )?;
        let split = |s: Option<String>| -> Vec<String> {
            s.map(|s| s.split(' ').map(str::to_string).collect())
                .unwrap_or_default()
        };
        let rows = stmt
            .query_map([], |r| {
                Ok(GroupRow {
                    id: r.get(0)?,
                    origin: r.get(1)?,
                    rule: r.get(2)?,
                    difference_minor: r.get(3)?,
                    adjustment_reason: r.get(4)?,
                    note: r.get(5)?,
                    bank: split(r.get(6)?),
                    ledger: split(r.get(7)?),
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }

    /// The group an item is in, if any.
    pub fn group_of(&self, side: &str, id: &str) -> Result<Option<i64>> {
        let sql = if side == "bank" {
            "SELECT group_id FROM bank_lines WHERE line_id = ?1"
        } else {
            "SELECT group_id FROM ledger_entries WHERE entry_id = ?1"
        };
        let g: Option<Option<i64>> =
            rusqlite::OptionalExtension::optional(self.conn.query_row(sql, [id], |r| r.get(0)))?;
        g.ok_or_else(|| StoreError::NotFound(format!("{side} item {id:?}")))
    }

    /// SQLite's `data_version`: changes whenever another connection commits to the database,
    /// so a reader can tell whether what it computed earlier still holds.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    pub fn status(&self) -> Result<WorkspaceStatus> {
        let count = |sql: &str| -> Result<i64> { Ok(self.conn.query_row(sql, [], |r| r.get(0))?) };
        Ok(WorkspaceStatus {
            statements: count("SELECT count(*) FROM statements WHERE superseded_by IS NULL")?,
            bank_lines: count("SELECT count(*) FROM bank_lines")?,
            ledger_entries: count("SELECT count(*) FROM ledger_entries")?,
            confirmed_groups: count("SELECT count(*) FROM groups WHERE removed_at IS NULL")?,
            open_suggestions: count("SELECT count(*) FROM suggestions WHERE status = 'open'")?,
            exceptions: count("SELECT count(*) FROM exceptions")?,
            decisions: count("SELECT count(*) FROM decisions")?,
            audit_entries: count("SELECT count(*) FROM audit_log")?,
            sign_off: read_sign_off(&self.conn)?,
        })
    }

    pub fn sign_off(&self) -> Result<SignOffRecord> {
        read_sign_off(&self.conn)
    }

    /// The totals of the reconciliation statement, from the active statements, every ledger
    /// entry, the open items and the confirmed groups' booked differences.
    pub fn open_item_totals(&self) -> Result<OpenItemTotals> {
        let c = &self.conn;
        let total = |table: &str| -> Result<i64> {
            Ok(c.query_row(
                &format!("SELECT coalesce(sum(amount_minor), 0) FROM {table} WHERE carried = 0"),
                [],
                |r| r.get(0),
            )?)
        };
        let open = |table: &str| -> Result<(i64, i64, i64)> {
            Ok(c.query_row(
                &format!(
                    "SELECT coalesce(sum(CASE WHEN amount_minor > 0 THEN amount_minor END), 0),
                            coalesce(sum(CASE WHEN amount_minor < 0 THEN amount_minor END), 0),
                            count(*)
                     FROM {table} WHERE group_id IS NULL"
                ),
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )?)
        };
        let (open_ledger_in_minor, open_ledger_out_minor, open_ledger_items) =
            open("ledger_entries")?;
        let (open_bank_in_minor, open_bank_out_minor, open_bank_items) = open("bank_lines")?;
        let sums = ItemSums {
            bank_total_minor: total("bank_lines")?,
            ledger_total_minor: total("ledger_entries")?,
            open_bank_in_minor,
            open_bank_out_minor,
            open_bank_items,
            open_ledger_in_minor,
            open_ledger_out_minor,
            open_ledger_items,
        };
        open_item_totals_from(c, &self.info, &sums)
    }

    pub fn reconciliation_statement(&self) -> Result<ReconciliationStatement> {
        Ok(ReconciliationStatement::from_totals(
            &self.open_item_totals()?,
        ))
    }

    /// SHA-256 over the reconciliation's content: statements, every item with its group, every
    /// confirmed group with its difference and adjustment, every decision, the totals.
    pub fn content_hash(&self) -> Result<String> {
        Ok(scan_content(&self.conn, &self.info, &mut ())?.hash)
    }

    /// A clerk prepares the reconciliation: the unexplained difference must be 0.00.
    pub fn prepare(&mut self, actor: &Actor<'_>) -> Result<SignOffRecord> {
        let statement = self.reconciliation_statement()?;
        self.write_sign_off(actor, |tx| {
            let before = read_sign_off(tx)?;
            let next = recon_review::transition(
                before.state,
                &SignOffAction::Prepare {
                    unexplained_minor: statement.unexplained_minor,
                },
                actor.principal,
            )?;
            tx.execute(
                "UPDATE sign_off SET state = ?1, preparer = ?2, prepared_at = ?3 WHERE id = 1",
                params![next.name(), actor.principal.subject, actor.at],
            )?;
            let after = read_sign_off(tx)?;
            let note = AuditNote {
                action: "prepared".into(),
                target: "sign_off".into(),
                before: serde_json::to_string(&before).unwrap_or_default(),
                after: serde_json::to_string(&after).unwrap_or_default(),
            };
            Ok((after, vec![note]))
        })
    }

    /// A supervisor (not the preparer) approves: the content hash is recorded and an outbox
    /// entry queued for publishing.
    pub fn approve(&mut self, actor: &Actor<'_>) -> Result<SignOffRecord> {
        let hash = self.content_hash()?;
        let statement = self.reconciliation_statement()?;
        let workspace = self.info.clone();
        self.write_sign_off(actor, |tx| {
            let before = read_sign_off(tx)?;
            let preparer = before.preparer.clone().unwrap_or_default();
            recon_review::transition(before.state, &SignOffAction::Approve { preparer: &preparer }, actor.principal)?;
            tx.execute(
                "UPDATE sign_off SET state = 'approved', approver = ?1, approved_at = ?2, content_hash = ?3 WHERE id = 1",
                params![actor.principal.subject, actor.at, hash],
            )?;
            let (audit_seq, audit_hash): (i64, String) =
                tx.query_row("SELECT seq, hash FROM audit_head WHERE id = 1", [], |r| Ok((r.get(0)?, r.get(1)?)))?;
            tx.execute(
                "INSERT INTO outbox (kind, payload, created_at, revision)
                 VALUES ('reconciliation_approved', ?1, ?2, (SELECT 1 + count(*) FROM reopenings))",
                params![
                    json!({"workspace": workspace, "content_hash": hash, "preparer": preparer,
                           "approver": actor.principal.subject, "statement": statement,
                           "audit_head": {"seq": audit_seq, "hash": audit_hash}})
                    .to_string(),
                    actor.at
                ],
            )?;
            let after = read_sign_off(tx)?;
            let note = AuditNote {
                action: "approved".into(),
                target: "sign_off".into(),
                before: serde_json::to_string(&before).unwrap_or_default(),
                after: serde_json::to_string(&after).unwrap_or_default(),
            };
            Ok((after, vec![note]))
        })
    }

    /// A supervisor sends the prepared reconciliation back to review with a reason.
    pub fn reject(&mut self, actor: &Actor<'_>, reason: &str) -> Result<SignOffRecord> {
        self.write_sign_off(actor, |tx| {
            let before = read_sign_off(tx)?;
            let preparer = before.preparer.clone().unwrap_or_default();
            let next = recon_review::transition(
                before.state,
                &SignOffAction::Reject { preparer: &preparer, reason },
                actor.principal,
            )?;
            tx.execute(
                "UPDATE sign_off SET state = ?1, preparer = NULL, prepared_at = NULL, last_rejection = ?2 WHERE id = 1",
                params![next.name(), reason],
            )?;
            let after = read_sign_off(tx)?;
            let note = AuditNote {
                action: "rejected".into(),
                target: "sign_off".into(),
                before: serde_json::to_string(&before).unwrap_or_default(),
                after: serde_json::to_string(&after).unwrap_or_default(),
            };
            Ok((after, vec![note]))
        })
    }

    /// Whether an approval still covers the content (its hash is unchanged).
    pub fn approval_current(&self) -> Result<Option<bool>> {
        let s = read_sign_off(&self.conn)?;
        if s.state != SignOffState::Approved {
            return Ok(None);
        }
        Ok(Some(
            s.content_hash.as_deref() == Some(self.content_hash()?.as_str()),
        ))
    }

    /// Entries waiting in the outbox (the publishing issue drains it).
    pub fn outbox(&self) -> Result<Vec<(i64, String, String)>> {
        let mut stmt = self.conn.prepare(
            "SELECT id, kind, payload FROM outbox WHERE published_at IS NULL ORDER BY id",
        )?;
        let rows = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

#[cfg(test)]
mod tests {
    use super::days_between;
    use recon_model::Date;

    #[test]
    fn days_between_reads_iso_dates_and_tolerates_garbage() {
        let to = Date::from_ymd_opt(2026, 3, 1).unwrap();
        assert_eq!(days_between("2026-02-27", to), 2);
        assert_eq!(days_between("2025-03-01", to), 365);
        assert_eq!(days_between("2026-03-02", to), -1);
        for bad in [
            "",
            "2026-2-27",
            "2026-02-30",
            "2026/02/27",
            "20x6-02-27",
            "2026-02-271",
        ] {
            assert_eq!(days_between(bad, to), 0, "{bad:?}");
        }
    }
}
