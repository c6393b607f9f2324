//! Review decisions: accept or reject suggestions, manual match (a difference only as a booked
//! adjustment with a reason and a note), unmatch, comment, attach, assign (each also in bulk: one
//! decision, one transaction), and undo of one's own last decision. Every decision is a row in
//! `decisions` with what undo needs, and an audit entry with before and after.

use crate::error::{Result, StoreError};
use crate::workspace::{Actor, AuditNote, Workspace};
use recon_review::AdjustmentReason;
use rusqlite::{OptionalExtension, Transaction, params};
use serde_json::json;
use sha2::{Digest, Sha256};

/// Largest selection one manual match may hold, and most pairs one rejection records.
pub const MANUAL_MATCH_ITEMS_MAX: usize = 1000;
pub const REJECTED_PAIRS_PER_GROUP_MAX: usize = 10_000;
/// Largest attachment stored in the workspace.
pub const ATTACHMENT_BYTES_MAX: usize = 32 * 1024 * 1024;

/// A booked difference of a group.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Adjustment {
    pub reason: AdjustmentReason,
    pub note: String,
}

/// A recorded decision.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct DecisionReceipt {
    pub decision: i64,
    pub kind: String,
    /// The group a match created, when it created one.
    pub group: Option<i64>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub(crate) enum ItemSide {
    Bank,
    Ledger,
}

impl ItemSide {
    fn name(self) -> &'static str {
        match self {
            ItemSide::Bank => "bank",
            ItemSide::Ledger => "ledger",
        }
    }
    fn table(self) -> &'static str {
        match self {
            ItemSide::Bank => "bank_lines",
            ItemSide::Ledger => "ledger_entries",
        }
    }
    fn from_name(s: &str) -> Option<ItemSide> {
        match s {
            "bank" => Some(ItemSide::Bank),
            "ledger" => Some(ItemSide::Ledger),
            _ => None,
        }
    }
}

/// (side, row, amount, group_id) of an item by its line/entry id.
fn item_by_id(tx: &Transaction<'_>, side: ItemSide, id: &str) -> Result<(i64, i64, Option<i64>)> {
    let sql = match side {
        ItemSide::Bank => "SELECT id, amount_minor, group_id FROM bank_lines WHERE line_id = ?1",
        ItemSide::Ledger => {
            "SELECT id, amount_minor, group_id FROM ledger_entries WHERE entry_id = ?1"
        }
    };
    tx.prepare_cached(sql)?
        .query_row([id], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("{} item {id:?}", side.name())))
}

fn record_decision(
    tx: &Transaction<'_>,
    actor: &Actor<'_>,
    kind: &str,
    payload: &serde_json::Value,
) -> Result<i64> {
    tx.prepare_cached("INSERT INTO decisions (kind, actor, at, payload) VALUES (?1, ?2, ?3, ?4)")?
        .execute(params![
            kind,
            actor.principal.subject,
            actor.at,
            payload.to_string()
        ])?;
    Ok(tx.last_insert_rowid())
}

/// Puts items into a new confirmed group. Invariants checked here: every item is open (in no
/// confirmed group), and the group balances or carries an adjustment.
#[allow(clippy::too_many_arguments)]
fn confirm_group(
    tx: &Transaction<'_>,
    actor: &Actor<'_>,
    origin: &str,
    rule: &str,
    items: &[(ItemSide, i64, i64)],
    adjustment: Option<&Adjustment>,
) -> Result<i64> {
    let difference: i64 = items
        .iter()
        .map(|(s, _, a)| if *s == ItemSide::Bank { *a } else { -*a })
        .fold(0i64, i64::saturating_add);
    if difference != 0 && adjustment.is_none() {
        return Err(StoreError::Invalid(format!(
            "the selection does not balance (bank minus ledger = {difference} minor units); book the difference as an adjustment with a reason (bank_charge, fx_difference, rounding, timing, write_off) and a note"
        )));
    }
    if adjustment.is_some_and(|a| a.note.trim().is_empty()) {
        return Err(StoreError::Invalid("an adjustment needs a note".into()));
    }
    tx.prepare_cached(
        "INSERT INTO groups (origin, rule, difference_minor, adjustment_reason, note, created_by,
             created_at, items, bank_minor)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        origin,
        rule,
        difference,
        adjustment.map(|a| a.reason.name()),
        adjustment.map(|a| a.note.as_str()).unwrap_or(""),
        actor.principal.subject,
        actor.at,
        items.len() as i64,
        items
            .iter()
            .filter(|(s, _, _)| *s == ItemSide::Bank)
            .map(|(_, _, a)| *a)
            .fold(0i64, i64::saturating_add)
    ])?;
    let gid = tx.last_insert_rowid();
    attach_items(tx, gid, items, true)?;
    // Open suggestions that share an item with the new group can no longer be accepted: they
    // leave the list, whoever confirmed the group and however (accepted, manual).
    tx.prepare_cached(
        "UPDATE suggestions SET status = 'stale' WHERE status = 'open' AND id IN (
            SELECT si.suggestion FROM suggestion_items si JOIN group_items gi
            ON gi.side = si.side AND gi.item = si.item WHERE gi.group_id = ?1)",
    )?
    .execute([gid])?;
    Ok(gid)
}

/// Points items at group `gid` (inserting group_items when `new`), removing their exceptions.
fn attach_items(
    tx: &Transaction<'_>,
    gid: i64,
    items: &[(ItemSide, i64, i64)],
    new: bool,
) -> Result<()> {
    for (side, row, amount) in items {
        if new {
            tx.prepare_cached(
                "INSERT INTO group_items (group_id, side, item, amount_minor) VALUES (?1,?2,?3,?4)",
            )?
            .execute(params![gid, side.name(), row, amount])?;
        }
        let n = tx
            .prepare_cached(&format!(
                "UPDATE {} SET group_id = ?1 WHERE id = ?2 AND group_id IS NULL",
                side.table()
            ))?
            .execute(params![gid, row])?;
        if n != 1 {
            return Err(StoreError::Conflict(format!(
                "{} item (row {row}) is already in a confirmed group; unmatch it first",
                side.name()
            )));
        }
        tx.prepare_cached("DELETE FROM exceptions WHERE side = ?1 AND item = ?2")?
            .execute(params![side.name(), row])?;
    }
    Ok(())
}

fn group_items(tx: &Transaction<'_>, gid: i64) -> Result<Vec<(ItemSide, i64, i64)>> {
    let mut stmt =
        tx.prepare_cached("SELECT side, item, amount_minor FROM group_items WHERE group_id = ?1")?;
    let rows = stmt
        .query_map([gid], |r| {
            let side: String = r.get(0)?;
            Ok((
                ItemSide::from_name(&side).unwrap_or(ItemSide::Bank),
                r.get(1)?,
                r.get(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Takes a confirmed group apart: its items are open again (exceptions with `reason`).
fn release_group(
    tx: &Transaction<'_>,
    actor: &Actor<'_>,
    gid: i64,
    reason: &str,
) -> Result<Vec<(ItemSide, i64, i64)>> {
    let removed: Option<Option<String>> = tx
        .query_row("SELECT removed_at FROM groups WHERE id = ?1", [gid], |r| {
            r.get(0)
        })
        .optional()?;
    match removed {
        None => return Err(StoreError::NotFound(format!("group {gid}"))),
        Some(Some(_)) => {
            return Err(StoreError::Conflict(format!(
                "group {gid} is already unmatched"
            )));
        }
        Some(None) => {}
    }
    tx.execute(
        "UPDATE groups SET removed_at = ?1 WHERE id = ?2",
        params![actor.at, gid],
    )?;
    let items = group_items(tx, gid)?;
    for (side, row, _) in &items {
        tx.prepare_cached(&format!(
            "UPDATE {} SET group_id = NULL WHERE id = ?1 AND group_id = ?2",
            side.table()
        ))?
        .execute(params![row, gid])?;
        reopen(tx, *side, *row, reason)?;
    }
    Ok(items)
}

/// Adds an open item to the exceptions.
fn reopen(tx: &Transaction<'_>, side: ItemSide, row: i64, reason: &str) -> Result<()> {
    let sql = match side {
        ItemSide::Bank => {
            "INSERT OR REPLACE INTO exceptions (side, item, item_id, reason, amount_minor, item_date, reference, description)
             SELECT 'bank', id, line_id, ?2, amount_minor, coalesce(value_date, booking_date), coalesce(reference, ''), description
             FROM bank_lines WHERE id = ?1"
        }
        ItemSide::Ledger => {
            "INSERT OR REPLACE INTO exceptions (side, item, item_id, reason, amount_minor, item_date, reference, description)
             SELECT 'ledger', id, entry_id, ?2, amount_minor, posting_date, coalesce(reference, ''), description
             FROM ledger_entries WHERE id = ?1"
        }
    };
    tx.prepare_cached(sql)?.execute(params![row, reason])?;
    Ok(())
}

/// Rejected pairs of a set of items: every bank × ledger combination (bounded).
fn pairs_of(items: &[(ItemSide, i64, i64)]) -> Vec<(i64, i64)> {
    let bank: Vec<i64> = items
        .iter()
        .filter(|i| i.0 == ItemSide::Bank)
        .map(|i| i.1)
        .collect();
    let ledger: Vec<i64> = items
        .iter()
        .filter(|i| i.0 == ItemSide::Ledger)
        .map(|i| i.1)
        .collect();
    let mut pairs = Vec::new();
    for b in &bank {
        for l in &ledger {
            if pairs.len() >= REJECTED_PAIRS_PER_GROUP_MAX {
                return pairs;
            }
            pairs.push((*b, *l));
        }
    }
    pairs
}

fn insert_rejected(
    tx: &Transaction<'_>,
    pairs: &[(i64, i64)],
    decision: i64,
) -> Result<Vec<(i64, i64)>> {
    let mut added = Vec::new();
    let mut stmt = tx.prepare_cached(
        "INSERT OR IGNORE INTO rejected_pairs (bank_item, ledger_item, decision) VALUES (?1, ?2, ?3)",
    )?;
    for (b, l) in pairs {
        if stmt.execute(params![b, l, decision])? == 1 {
            added.push((*b, *l));
        }
    }
    Ok(added)
}

/// Items of a group or suggestion: (side, row, amount).
type Items = Vec<(ItemSide, i64, i64)>;

/// An open suggestion's rule, difference and items.
fn suggestion_items(tx: &Transaction<'_>, sid: i64) -> Result<(String, i64, Items)> {
    let (status, rule, difference): (String, String, i64) = tx
        .query_row(
            "SELECT status, rule, difference_minor FROM suggestions WHERE id = ?1",
            [sid],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
        )
        .optional()?
        .ok_or_else(|| StoreError::NotFound(format!("suggestion {sid}")))?;
    if status != "open" {
        return Err(StoreError::Conflict(format!(
            "suggestion {sid} is {status}, not open"
        )));
    }
    let mut stmt = tx.prepare_cached(
        "SELECT side, item, amount_minor FROM suggestion_items WHERE suggestion = ?1",
    )?;
    let items = stmt
        .query_map([sid], |r| {
            let side: String = r.get(0)?;
            Ok((
                ItemSide::from_name(&side).unwrap_or(ItemSide::Bank),
                r.get(1)?,
                r.get(2)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok((rule, difference, items))
}

/// Validates a target: "bank:<line id>", "ledger:<entry id>", "group:<n>", "suggestion:<n>".
fn check_target(tx: &Transaction<'_>, target: &str) -> Result<()> {
    let (kind, id) = target.split_once(':').ok_or_else(|| {
        StoreError::Invalid(format!(
            "target {target:?}: expected bank:ID, ledger:ID, group:N or suggestion:N"
        ))
    })?;
    let found: Option<i64> = match kind {
        "bank" => tx
            .query_row("SELECT 1 FROM bank_lines WHERE line_id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?,
        "ledger" => tx
            .query_row(
                "SELECT 1 FROM ledger_entries WHERE entry_id = ?1",
                [id],
                |r| r.get(0),
            )
            .optional()?,
        "group" => tx
            .query_row("SELECT 1 FROM groups WHERE id = ?1", [id], |r| r.get(0))
            .optional()?,
        "suggestion" => tx
            .query_row("SELECT 1 FROM suggestions WHERE id = ?1", [id], |r| {
                r.get(0)
            })
            .optional()?,
        _ => {
            return Err(StoreError::Invalid(format!(
                "target {target:?}: expected bank:ID, ledger:ID, group:N or suggestion:N"
            )));
        }
    };
    found
        .map(|_| ())
        .ok_or_else(|| StoreError::NotFound(target.to_string()))
}

fn note(
    action: &str,
    target: String,
    before: serde_json::Value,
    after: serde_json::Value,
) -> AuditNote {
    AuditNote {
        action: action.into(),
        target,
        before: if before.is_null() {
            String::new()
        } else {
            before.to_string()
        },
        after: after.to_string(),
    }
}

impl Workspace {
    /// Accepts suggestions (one decision). A suggestion with a difference needs an adjustment.
    pub fn accept_suggestions(
        &mut self,
        actor: &Actor<'_>,
        ids: &[i64],
        adjustment: Option<&Adjustment>,
    ) -> Result<DecisionReceipt> {
        if ids.is_empty() {
            return Err(StoreError::Invalid("no suggestion given".into()));
        }
        self.write(actor, |tx| {
            let mut accepted = Vec::new();
            for &sid in ids {
                let (rule, difference, items) = suggestion_items(tx, sid)?;
                // Without an explicit adjustment, the rule's tolerance books the difference.
                let by_rule = match crate::matching::rule_adjustment(&rule, difference) {
                    (Some(reason), note) => Some(Adjustment {
                        reason: AdjustmentReason::from_name(reason).unwrap_or(AdjustmentReason::Rounding),
                        note,
                    }),
                    (None, _) => None,
                };
                let gid = confirm_group(tx, actor, "accepted", &rule, &items, adjustment.or(by_rule.as_ref()))?;
                // (confirm_group made every open suggestion sharing an item stale, this one too.)
                tx.execute("UPDATE suggestions SET status = 'accepted' WHERE id = ?1", [sid])?;
                accepted.push(json!({"suggestion": sid, "group": gid}));
            }
            let payload = json!({"accepted": accepted});
            let decision = record_decision(tx, actor, "accept", &payload)?;
            let group = accepted.first().and_then(|a| a["group"].as_i64());
            let notes = vec![note(
                "suggestion_accepted",
                format!("suggestion:{}", ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")),
                json!({"status": "open"}),
                json!({"decision": decision, "accepted": payload["accepted"],
                       "adjustment": adjustment.map(|a| json!({"reason": a.reason.name(), "note": a.note}))}),
            )];
            Ok((DecisionReceipt { decision, kind: "accept".into(), group }, notes))
        })
    }

    /// Rejects suggestions (one decision): their pairs are remembered and never proposed again.
    pub fn reject_suggestions(
        &mut self,
        actor: &Actor<'_>,
        ids: &[i64],
        reason: &str,
    ) -> Result<DecisionReceipt> {
        if ids.is_empty() {
            return Err(StoreError::Invalid("no suggestion given".into()));
        }
        self.write(actor, |tx| {
            let decision = record_decision(tx, actor, "reject", &json!({}))?;
            let mut rejected = Vec::new();
            for &sid in ids {
                let (_, _, items) = suggestion_items(tx, sid)?;
                let added = insert_rejected(tx, &pairs_of(&items), decision)?;
                tx.execute(
                    "UPDATE suggestions SET status = 'rejected' WHERE id = ?1",
                    [sid],
                )?;
                rejected.push(json!({"suggestion": sid, "pairs": added}));
            }
            let payload = json!({"rejected": rejected, "reason": reason});
            tx.execute(
                "UPDATE decisions SET payload = ?1 WHERE id = ?2",
                params![payload.to_string(), decision],
            )?;
            let notes = vec![note(
                "suggestion_rejected",
                format!(
                    "suggestion:{}",
                    ids.iter().map(i64::to_string).collect::<Vec<_>>().join(",")
                ),
                json!({"status": "open"}),
                json!({"decision": decision, "status": "rejected", "reason": reason}),
            )];
            Ok((
                DecisionReceipt {
                    decision,
                    kind: "reject".into(),
                    group: None,
                },
                notes,
            ))
        })
    }

    /// Matches any selection of bank lines and ledger entries by hand.
    pub fn manual_match(
        &mut self,
        actor: &Actor<'_>,
        bank_ids: &[String],
        ledger_ids: &[String],
        adjustment: Option<&Adjustment>,
    ) -> Result<DecisionReceipt> {
        let count = bank_ids.len() + ledger_ids.len();
        if count == 0 || count > MANUAL_MATCH_ITEMS_MAX {
            return Err(StoreError::Invalid(format!(
                "a manual match takes 1 to {MANUAL_MATCH_ITEMS_MAX} items, not {count}"
            )));
        }
        self.write(actor, |tx| {
            let mut items = Vec::with_capacity(count);
            for (side, ids) in [(ItemSide::Bank, bank_ids), (ItemSide::Ledger, ledger_ids)] {
                for id in ids {
                    let (row, amount, group) = item_by_id(tx, side, id)?;
                    if let Some(g) = group {
                        return Err(StoreError::Conflict(format!(
                            "{} item {id} is already in group {g}; unmatch it first",
                            side.name()
                        )));
                    }
                    items.push((side, row, amount));
                }
            }
            let gid = confirm_group(tx, actor, "manual", "manual", &items, adjustment)?;
            let payload = json!({"group": gid});
            let decision = record_decision(tx, actor, "manual_match", &payload)?;
            let notes = vec![note(
                "manual_match",
                format!("group:{gid}"),
                serde_json::Value::Null,
                json!({"decision": decision, "bank": bank_ids, "ledger": ledger_ids,
                       "adjustment": adjustment.map(|a| json!({"reason": a.reason.name(), "note": a.note}))}),
            )];
            Ok((DecisionReceipt { decision, kind: "manual_match".into(), group: Some(gid) }, notes))
        })
    }

    /// Takes confirmed groups apart (one decision). The matcher will not pair their items again.
    pub fn unmatch(&mut self, actor: &Actor<'_>, groups: &[i64]) -> Result<DecisionReceipt> {
        if groups.is_empty() {
            return Err(StoreError::Invalid("no group given".into()));
        }
        self.write(actor, |tx| {
            let decision = record_decision(tx, actor, "unmatch", &json!({}))?;
            let mut released = Vec::new();
            for &gid in groups {
                let items = release_group(tx, actor, gid, "unmatched")?;
                let added = insert_rejected(tx, &pairs_of(&items), decision)?;
                released.push(json!({"group": gid, "pairs": added}));
            }
            let payload = json!({"groups": released});
            tx.execute(
                "UPDATE decisions SET payload = ?1 WHERE id = ?2",
                params![payload.to_string(), decision],
            )?;
            let notes = vec![note(
                "unmatch",
                format!(
                    "group:{}",
                    groups
                        .iter()
                        .map(i64::to_string)
                        .collect::<Vec<_>>()
                        .join(",")
                ),
                json!({"state": "confirmed"}),
                json!({"decision": decision, "state": "removed"}),
            )];
            Ok((
                DecisionReceipt {
                    decision,
                    kind: "unmatch".into(),
                    group: None,
                },
                notes,
            ))
        })
    }

    /// Comments on targets (one decision).
    pub fn comment(
        &mut self,
        actor: &Actor<'_>,
        targets: &[String],
        text: &str,
    ) -> Result<DecisionReceipt> {
        if targets.is_empty() || text.trim().is_empty() {
            return Err(StoreError::Invalid(
                "a comment needs a target and some text".into(),
            ));
        }
        self.write(actor, |tx| {
            let decision = record_decision(tx, actor, "comment", &json!({"targets": targets}))?;
            for t in targets {
                check_target(tx, t)?;
                tx.prepare_cached("INSERT INTO comments (target, author, at, text, decision) VALUES (?1,?2,?3,?4,?5)")?
                    .execute(params![t, actor.principal.subject, actor.at, text, decision])?;
            }
            let notes = vec![note("comment", targets.join(","), serde_json::Value::Null, json!({"decision": decision, "text": text}))];
            Ok((DecisionReceipt { decision, kind: "comment".into(), group: None }, notes))
        })
    }

    /// Attaches a file to targets (stored inside the encrypted database).
    pub fn attach(
        &mut self,
        actor: &Actor<'_>,
        targets: &[String],
        name: &str,
        bytes: &[u8],
    ) -> Result<DecisionReceipt> {
        if targets.is_empty() {
            return Err(StoreError::Invalid("an attachment needs a target".into()));
        }
        if bytes.len() > ATTACHMENT_BYTES_MAX {
            return Err(StoreError::Invalid(format!(
                "{name}: {} bytes; attachments are limited to {ATTACHMENT_BYTES_MAX} bytes",
                bytes.len()
            )));
        }
        let sha = recon_review::hex(&Sha256::digest(bytes));
        self.write(actor, |tx| {
            let decision = record_decision(tx, actor, "attach", &json!({"targets": targets, "name": name}))?;
            for t in targets {
                check_target(tx, t)?;
                tx.prepare_cached(
                    "INSERT INTO attachments (target, name, sha256, bytes, added_by, at, decision) VALUES (?1,?2,?3,?4,?5,?6,?7)",
                )?
                .execute(params![t, name, sha, bytes, actor.principal.subject, actor.at, decision])?;
            }
            let notes = vec![note(
                "attach",
                targets.join(","),
                serde_json::Value::Null,
                json!({"decision": decision, "name": name, "sha256": sha, "bytes": bytes.len()}),
            )];
            Ok((DecisionReceipt { decision, kind: "attach".into(), group: None }, notes))
        })
    }

    /// Assigns targets to a user (one decision).
    pub fn assign(
        &mut self,
        actor: &Actor<'_>,
        targets: &[String],
        assignee: &str,
    ) -> Result<DecisionReceipt> {
        if targets.is_empty() || assignee.trim().is_empty() {
            return Err(StoreError::Invalid(
                "an assignment needs targets and an assignee".into(),
            ));
        }
        self.write(actor, |tx| {
            let mut previous = Vec::new();
            for t in targets {
                check_target(tx, t)?;
                let before: Option<String> = tx
                    .query_row("SELECT assignee FROM assignments WHERE target = ?1", [t], |r| r.get(0))
                    .optional()?;
                previous.push(json!({"target": t, "assignee": before}));
                tx.prepare_cached(
                    "INSERT OR REPLACE INTO assignments (target, assignee, assigned_by, at) VALUES (?1,?2,?3,?4)",
                )?
                .execute(params![t, assignee, actor.principal.subject, actor.at])?;
            }
            let payload = json!({"assignee": assignee, "previous": previous});
            let decision = record_decision(tx, actor, "assign", &payload)?;
            let notes = vec![note(
                "assign",
                targets.join(","),
                json!({"previous": previous}),
                json!({"decision": decision, "assignee": assignee}),
            )];
            Ok((DecisionReceipt { decision, kind: "assign".into(), group: None }, notes))
        })
    }

    /// Removes the targets' assignments (one decision, audited as `unassign`; undo restores the
    /// assignees it removed). A target with no assignment is accepted and left as it is.
    pub fn unassign(&mut self, actor: &Actor<'_>, targets: &[String]) -> Result<DecisionReceipt> {
        if targets.is_empty() {
            return Err(StoreError::Invalid("an unassignment needs targets".into()));
        }
        self.write(actor, |tx| {
            let mut previous = Vec::new();
            for t in targets {
                check_target(tx, t)?;
                let before: Option<String> = tx
                    .query_row(
                        "SELECT assignee FROM assignments WHERE target = ?1",
                        [t],
                        |r| r.get(0),
                    )
                    .optional()?;
                previous.push(json!({"target": t, "assignee": before}));
                tx.prepare_cached("DELETE FROM assignments WHERE target = ?1")?
                    .execute([t])?;
            }
            let payload = json!({"previous": previous});
            let decision = record_decision(tx, actor, "unassign", &payload)?;
            let notes = vec![note(
                "unassign",
                targets.join(","),
                json!({"previous": previous}),
                json!({"decision": decision}),
            )];
            Ok((
                DecisionReceipt {
                    decision,
                    kind: "unassign".into(),
                    group: None,
                },
                notes,
            ))
        })
    }

    /// Undoes the principal's own last decision (not yet undone).
    pub fn undo_last(&mut self, actor: &Actor<'_>) -> Result<DecisionReceipt> {
        self.write(actor, |tx| {
            let (id, kind, payload): (i64, String, String) = tx
                .query_row(
                    "SELECT id, kind, payload FROM decisions WHERE actor = ?1 AND undone_by IS NULL
                     AND kind <> 'undo' ORDER BY id DESC LIMIT 1",
                    [&actor.principal.subject],
                    |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
                )
                .optional()?
                .ok_or_else(|| StoreError::NotFound(format!("a decision by {} to undo", actor.principal.subject)))?;
            let p: serde_json::Value = serde_json::from_str(&payload)
                .map_err(|e| StoreError::Invalid(format!("decision {id}: payload: {e}")))?;
            match kind.as_str() {
                "accept" => {
                    for a in p["accepted"].as_array().into_iter().flatten() {
                        let gid = a["group"].as_i64().unwrap_or(-1);
                        release_group(tx, actor, gid, "suggested")?;
                        tx.execute("UPDATE suggestions SET status = 'open' WHERE id = ?1", [a["suggestion"].as_i64()])?;
                    }
                }
                "manual_match" => {
                    release_group(tx, actor, p["group"].as_i64().unwrap_or(-1), "unmatched")?;
                }
                "reject" => {
                    tx.execute("DELETE FROM rejected_pairs WHERE decision = ?1", [id])?;
                    for r in p["rejected"].as_array().into_iter().flatten() {
                        tx.execute(
                            "UPDATE suggestions SET status = 'open' WHERE id = ?1 AND status = 'rejected'",
                            [r["suggestion"].as_i64()],
                        )?;
                    }
                }
                "unmatch" => {
                    tx.execute("DELETE FROM rejected_pairs WHERE decision = ?1", [id])?;
                    for g in p["groups"].as_array().into_iter().flatten() {
                        let gid = g["group"].as_i64().unwrap_or(-1);
                        let items = group_items(tx, gid)?;
                        attach_items(tx, gid, &items, false)?;
                        tx.execute("UPDATE groups SET removed_at = NULL WHERE id = ?1", [gid])?;
                    }
                }
                "comment" => {
                    tx.execute("DELETE FROM comments WHERE decision = ?1", [id])?;
                }
                "attach" => {
                    tx.execute("DELETE FROM attachments WHERE decision = ?1", [id])?;
                }
                "assign" | "unassign" => {
                    for prev in p["previous"].as_array().into_iter().flatten() {
                        let target = prev["target"].as_str().unwrap_or_default();
                        match prev["assignee"].as_str() {
                            Some(who) => tx.execute(
                                "INSERT OR REPLACE INTO assignments (target, assignee, assigned_by, at) VALUES (?1,?2,?3,?4)",
                                params![target, who, actor.principal.subject, actor.at],
                            )?,
                            None => tx.execute("DELETE FROM assignments WHERE target = ?1", [target])?,
                        };
                    }
                }
                other => return Err(StoreError::Invalid(format!("decision {id} of kind {other} cannot be undone"))),
            }
            let undo = record_decision(tx, actor, "undo", &json!({"undoes": id, "kind": kind}))?;
            tx.execute("UPDATE decisions SET undone_by = ?1 WHERE id = ?2", params![undo, id])?;
            let notes = vec![note(
                "undo",
                format!("decision:{id}"),
                json!({"decision": id, "kind": kind, "payload": p}),
                json!({"decision": undo, "undone": id}),
            )];
            Ok((DecisionReceipt { decision: undo, kind: "undo".into(), group: None }, notes))
        })
    }

    /// Whether a decision is recorded (and not undone, when `live`).
    pub fn decision_exists(&self, id: i64) -> Result<bool> {
        Ok(self
            .conn
            .query_row("SELECT 1 FROM decisions WHERE id = ?1", [id], |r| {
                r.get::<_, i64>(0)
            })
            .optional()?
            .is_some())
    }
}
