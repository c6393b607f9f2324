//! The matcher inside the workspace: every item is loaded with the groups people confirmed
//! (locked: the matcher leaves them alone) and the pairs people rejected (never proposed again);
//! a run's auto groups, suggestions and exceptions replace the previous run's. Manual and
//! accepted groups, rejections, comments and assignments survive every re-run.

use crate::error::{Result, StoreError};
use crate::workspace::{Actor, AuditNote, Workspace};
use recon_match::{LockedGroup, MatchOutcome, MatchStatus, Side};
use recon_model::{Currency, Date};
use rusqlite::{OptionalExtension, params};
use std::collections::HashMap;

/// An item as loaded from the workspace (owned; the matcher borrows from it).
#[derive(Clone, Debug)]
pub struct StoredItem {
    pub row: i64,
    pub id: String,
    pub date: Date,
    pub amount_minor: i64,
    pub reference: String,
    pub counterparty: String,
    pub description: String,
    /// A batch booking's transactions (bank lines; empty otherwise).
    pub details: Vec<recon_model::BatchDetail>,
}

/// Everything a match run needs from the workspace.
#[derive(Clone, Debug)]
pub struct MatchData {
    pub account: String,
    pub currency: Currency,
    pub bank: Vec<StoredItem>,
    pub ledger: Vec<StoredItem>,
    pub locked: Vec<LockedGroup>,
    pub rejected: Vec<(String, String)>,
}

impl MatchData {
    /// The matcher's view, borrowing from `self`.
    pub fn input(&self) -> recon_match::MatchInput<'_> {
        fn item<'a>(data: &'a MatchData, i: &'a StoredItem) -> recon_match::Item<'a> {
            recon_match::Item {
                id: &i.id,
                account: &data.account,
                currency: data.currency,
                date: i.date,
                amount_minor: i.amount_minor,
                reference: &i.reference,
                counterparty: &i.counterparty,
                description: &i.description,
                details: &i.details,
            }
        }
        recon_match::MatchInput {
            bank: self.bank.iter().map(|i| item(self, i)).collect(),
            ledger: self.ledger.iter().map(|i| item(self, i)).collect(),
            locked: self.locked.clone(),
            rejected: self.rejected.clone(),
        }
    }
}

/// What a stored run contained.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct RunSummary {
    pub run: i64,
    pub bank_items: usize,
    pub ledger_items: usize,
    pub locked_groups: usize,
    pub auto_groups: usize,
    pub suggestions: usize,
    pub exceptions: usize,
}

fn parse_date(text: &str) -> rusqlite::Result<Date> {
    Date::parse_from_str(text, "%Y-%m-%d").map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(0, rusqlite::types::Type::Text, Box::new(e))
    })
}

/// The adjustment a rule's tolerance books: a rule about charges books bank charges, any other
/// tolerance books rounding. None when the group balances.
pub(crate) fn rule_adjustment(rule: &str, difference_minor: i64) -> (Option<&'static str>, String) {
    if difference_minor == 0 {
        return (None, String::new());
    }
    let reason = if rule.contains("charge") {
        recon_review::AdjustmentReason::BankCharge
    } else {
        recon_review::AdjustmentReason::Rounding
    };
    (
        Some(reason.name()),
        format!("within the tolerance of rule {rule}"),
    )
}

impl Workspace {
    /// Loads every bank line and ledger entry, the confirmed manual and accepted groups, and
    /// the rejected pairs.
    pub fn match_data(&self) -> Result<MatchData> {
        let currency = Currency::from_code(&self.info.currency)
            .map_err(|e| StoreError::Invalid(e.to_string()))?;
        let mut bank = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT id, line_id, coalesce(value_date, booking_date), amount_minor,
                    coalesce(reference, ''), coalesce(counterparty, ''), description
             FROM bank_lines ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            bank.push(StoredItem {
                row: r.get(0)?,
                id: r.get(1)?,
                date: parse_date(r.get_ref(2)?.as_str()?)?,
                amount_minor: r.get(3)?,
                reference: r.get(4)?,
                counterparty: r.get(5)?,
                description: r.get(6)?,
                details: Vec::new(),
            });
        }
        // Batch bookings' transactions, in one pass over the details table (both in id order).
        let mut stmt = self.conn.prepare(
            "SELECT bank_line, reference, amount_minor, counterparty, counterparty_account,
                    description
             FROM bank_line_details ORDER BY bank_line, seq",
        )?;
        let mut rows = stmt.query([])?;
        let mut k = 0usize;
        while let Some(r) = rows.next()? {
            let line: i64 = r.get(0)?;
            while k < bank.len() && bank[k].row < line {
                k += 1;
            }
            if let Some(item) = bank.get_mut(k).filter(|i| i.row == line) {
                item.details.push(recon_model::BatchDetail {
                    reference: r.get(1)?,
                    amount_minor: r.get(2)?,
                    counterparty: r.get(3)?,
                    counterparty_account: r.get(4)?,
                    description: r.get(5)?,
                });
            }
        }
        let mut ledger = Vec::new();
        let mut stmt = self.conn.prepare(
            "SELECT id, entry_id, posting_date, amount_minor, coalesce(reference, ''), description
             FROM ledger_entries ORDER BY id",
        )?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            ledger.push(StoredItem {
                row: r.get(0)?,
                id: r.get(1)?,
                date: parse_date(r.get_ref(2)?.as_str()?)?,
                amount_minor: r.get(3)?,
                reference: r.get(4)?,
                counterparty: String::new(),
                description: r.get(5)?,
                details: Vec::new(),
            });
        }
        let locked = self.confirmed_groups(false)?;
        let mut stmt = self.conn.prepare(
            "SELECT b.line_id, l.entry_id FROM rejected_pairs r
             JOIN bank_lines b ON b.id = r.bank_item JOIN ledger_entries l ON l.id = r.ledger_item",
        )?;
        let rejected = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(MatchData {
            account: self.info.account.clone(),
            currency,
            bank,
            ledger,
            locked,
            rejected,
        })
    }

    /// What the limits of the last match run's passes left out, as "rule: message" lines (empty
    /// when no pass reached one, or no run was made).
    pub fn last_run_limits(&self) -> Result<Vec<String>> {
        let text: Option<String> = self
            .conn
            .query_row(
                "SELECT limits FROM match_runs ORDER BY id DESC LIMIT 1",
                [],
                |r| r.get(0),
            )
            .optional()?;
        let Some(text) = text else {
            return Ok(Vec::new());
        };
        let parsed: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap_or_default();
        Ok(parsed
            .iter()
            .map(|l| {
                format!(
                    "{}: {}",
                    l["rule"].as_str().unwrap_or(""),
                    l["message"].as_str().unwrap_or("")
                )
            })
            .collect())
    }

    /// The confirmed groups people made (`auto` false: accepted and manual) or the matcher made
    /// (`auto` true), as item ids, in group order.
    pub fn confirmed_groups(&self, auto: bool) -> Result<Vec<LockedGroup>> {
        let mut groups: HashMap<i64, LockedGroup> = HashMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT g.id, gi.side, coalesce(b.line_id, l.entry_id)
             FROM groups g JOIN group_items gi ON gi.group_id = g.id
             LEFT JOIN bank_lines b ON gi.side = 'bank' AND b.id = gi.item
             LEFT JOIN ledger_entries l ON gi.side = 'ledger' AND l.id = gi.item
             WHERE (g.origin = 'auto') = ?1 AND g.removed_at IS NULL",
        )?;
        let mut rows = stmt.query([auto])?;
        while let Some(r) = rows.next()? {
            let group: i64 = r.get(0)?;
            let side: String = r.get(1)?;
            let id: String = r.get(2)?;
            let entry = groups.entry(group).or_default();
            if side == "bank" {
                entry.bank_ids.push(id);
            } else {
                entry.ledger_ids.push(id);
            }
        }
        let mut groups: Vec<(i64, LockedGroup)> = groups.into_iter().collect();
        groups.sort_by_key(|(id, _)| *id);
        Ok(groups.into_iter().map(|(_, g)| g).collect())
    }

    /// Stores a run over `data`: the previous run's auto groups and open suggestions are
    /// replaced, the exceptions are the run's.
    pub fn store_run(
        &mut self,
        actor: &Actor<'_>,
        rule_set: &str,
        rule_set_sha256: &str,
        data: &MatchData,
        outcome: &MatchOutcome,
    ) -> Result<RunSummary> {
        let bank_rows: HashMap<&str, &StoredItem> =
            data.bank.iter().map(|i| (i.id.as_str(), i)).collect();
        let ledger_rows: HashMap<&str, &StoredItem> =
            data.ledger.iter().map(|i| (i.id.as_str(), i)).collect();
        let lookup = |side: Side, id: &str| -> Result<&StoredItem> {
            let found = match side {
                Side::Bank => bank_rows.get(id),
                Side::Ledger => ledger_rows.get(id),
            };
            found.copied().ok_or_else(|| {
                StoreError::Invalid(format!(
                    "match run refers to unknown {} item {id}",
                    side.name()
                ))
            })
        };
        self.write(actor, |tx| {
            let auto = outcome
                .groups
                .iter()
                .filter(|g| g.status == MatchStatus::Auto)
                .count();
            let suggested = outcome.groups.len() - auto;
            let limits: Vec<serde_json::Value> = outcome
                .passes
                .iter()
                .flat_map(|p| {
                    p.limits.iter().map(move |l| {
                        serde_json::json!({"rule": p.rule, "limit": l.limit.name(),
                            "count": l.count, "message": l.limit.describe(l.count)})
                    })
                })
                .collect();
            tx.execute(
                "INSERT INTO match_runs (at, actor, rule_set, bank_items, ledger_items, auto_groups,
                    suggestions, exceptions, rule_set_sha256, limits)
                 VALUES (?1,?2,?3,?4,?5,?6,?7,?8,?9,?10)",
                params![
                    actor.at,
                    actor.principal.subject,
                    rule_set,
                    data.bank.len() as i64,
                    data.ledger.len() as i64,
                    auto as i64,
                    suggested as i64,
                    outcome.exceptions.len() as i64,
                    rule_set_sha256,
                    serde_json::Value::from(limits).to_string()
                ],
            )?;
            let run = tx.last_insert_rowid();
            // The previous run's auto groups and open suggestions go.
            tx.execute_batch(
                "UPDATE bank_lines SET group_id = NULL WHERE group_id IN
                    (SELECT id FROM groups WHERE origin = 'auto');
                 UPDATE ledger_entries SET group_id = NULL WHERE group_id IN
                    (SELECT id FROM groups WHERE origin = 'auto');
                 DELETE FROM group_items WHERE group_id IN (SELECT id FROM groups WHERE origin = 'auto');
                 DELETE FROM groups WHERE origin = 'auto';
                 DELETE FROM suggestion_items WHERE suggestion IN
                    (SELECT id FROM suggestions WHERE status IN ('open', 'stale'));
                 DELETE FROM suggestions WHERE status IN ('open', 'stale');
                 DELETE FROM exceptions;",
            )?;
            {
                let mut group = tx.prepare_cached(
                    "INSERT INTO groups (origin, run, rule, difference_minor, adjustment_reason, note,
                        created_by, created_at, items, bank_minor)
                     VALUES ('auto', ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?;
                let mut group_item = tx.prepare_cached(
                    "INSERT INTO group_items (group_id, side, item, amount_minor) VALUES (?1,?2,?3,?4)",
                )?;
                let mut bank_set =
                    tx.prepare_cached("UPDATE bank_lines SET group_id = ?1 WHERE id = ?2 AND group_id IS NULL")?;
                let mut ledger_set = tx.prepare_cached(
                    "UPDATE ledger_entries SET group_id = ?1 WHERE id = ?2 AND group_id IS NULL",
                )?;
                let mut suggestion = tx.prepare_cached(
                    "INSERT INTO suggestions (run, match_id, rule, score, explanation, difference_minor, status)
                     VALUES (?1,?2,?3,?4,?5,?6,'open')",
                )?;
                let mut suggestion_item = tx.prepare_cached(
                    "INSERT OR IGNORE INTO suggestion_items (suggestion, side, item, amount_minor)
                     VALUES (?1,?2,?3,?4)",
                )?;
                for g in &outcome.groups {
                    match g.status {
                        MatchStatus::Auto => {
                            let (reason, note) = rule_adjustment(&g.rule, g.difference_minor);
                            group.execute(params![
                                run,
                                g.rule,
                                g.difference_minor,
                                reason,
                                note,
                                actor.principal.subject,
                                actor.at,
                                (g.bank.len() + g.ledger.len()) as i64,
                                g.bank.iter().map(|i| i.amount_minor).sum::<i64>()
                            ])?;
                            let gid = tx.last_insert_rowid();
                            for (side, items, set) in [
                                (Side::Bank, &g.bank, &mut bank_set),
                                (Side::Ledger, &g.ledger, &mut ledger_set),
                            ] {
                                for i in items {
                                    let item = lookup(side, &i.id)?;
                                    group_item.execute(params![gid, side.name(), item.row, i.amount_minor])?;
                                    // Invariant: an item belongs to at most one confirmed group.
                                    if set.execute(params![gid, item.row])? != 1 {
                                        return Err(StoreError::Conflict(format!(
                                            "match run put {} item {} in a second confirmed group",
                                            side.name(),
                                            i.id
                                        )));
                                    }
                                }
                            }
                        }
                        MatchStatus::Suggested => {
                            suggestion.execute(params![
                                run,
                                g.match_id,
                                g.rule,
                                i64::from(g.score),
                                g.explanation.to_string(),
                                g.difference_minor
                            ])?;
                            let sid = tx.last_insert_rowid();
                            for (side, items) in [(Side::Bank, &g.bank), (Side::Ledger, &g.ledger)] {
                                for i in items {
                                    let item = lookup(side, &i.id)?;
                                    suggestion_item.execute(params![sid, side.name(), item.row, i.amount_minor])?;
                                }
                            }
                        }
                    }
                }
                let mut exception = tx.prepare_cached(
                    "INSERT INTO exceptions (side, item, item_id, reason, amount_minor, item_date,
                        reference, description) VALUES (?1,?2,?3,?4,?5,?6,?7,?8)",
                )?;
                let mut dated = [0u8; 10];
                for x in &outcome.exceptions {
                    let item = lookup(x.side, &x.item_id)?;
                    exception.execute(params![
                        x.side.name(),
                        item.row,
                        item.id,
                        x.reason.name(),
                        item.amount_minor,
                        crate::import::iso_date(item.date, &mut dated),
                        item.reference,
                        item.description
                    ])?;
                }
            }
            let summary = RunSummary {
                run,
                bank_items: data.bank.len(),
                ledger_items: data.ledger.len(),
                locked_groups: data.locked.len(),
                auto_groups: auto,
                suggestions: suggested,
                exceptions: outcome.exceptions.len(),
            };
            let note = AuditNote {
                action: "match_run".into(),
                target: format!("run:{run}"),
                before: String::new(),
                after: serde_json::to_string(&summary).unwrap_or_default(),
            };
            Ok((summary, vec![note]))
        })
    }
}
