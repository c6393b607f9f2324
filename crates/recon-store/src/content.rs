//! One ordered pass over a reconciliation's content. The content hash an approval records and the
//! statement totals come out of the same scan, and a caller may look at every item on the way (the
//! sign-off pack collects the matched items and per-file counts from it), so a large workspace is
//! read once rather than once per figure.
//!
//! The hash covers, in this order: the workspace's identity, the active statements, every bank
//! line and ledger entry (id, amount, group), every confirmed group with its difference and
//! adjustment, every decision, and the reconciliation statement's totals.

use crate::error::Result;
use crate::workspace::WorkspaceInfo;
use recon_review::pack::Controls;
use recon_review::{AdjustmentReason, ContentHasher, OpenItemTotals, ReconciliationStatement};
use rusqlite::Connection;

/// The sums over items that the reconciliation statement needs. The totals are this period's
/// movements: carried-forward items are in the previous period's balances and left out of them
/// (they count among the open items).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct ItemSums {
    pub bank_total_minor: i64,
    pub ledger_total_minor: i64,
    pub open_bank_in_minor: i64,
    pub open_bank_out_minor: i64,
    pub open_bank_items: i64,
    pub open_ledger_in_minor: i64,
    pub open_ledger_out_minor: i64,
    pub open_ledger_items: i64,
}

/// The reconciliation statement's totals from the item sums plus the (small) statement and group
/// tables: opening and closing balances, booked differences by reason.
pub(crate) fn open_item_totals_from(
    c: &Connection,
    info: &WorkspaceInfo,
    sums: &ItemSums,
) -> Result<OpenItemTotals> {
    let first_or_none = |sql: &str| -> Result<Option<i64>> {
        match c.query_row(sql, [], |r| r.get(0)) {
            Ok(v) => Ok(v),
            Err(rusqlite::Error::QueryReturnedNoRows) => Ok(None),
            Err(e) => Err(e.into()),
        }
    };
    let first_opening = first_or_none(
        "SELECT opening_minor FROM statements WHERE superseded_by IS NULL
           AND format <> 'carried_forward'
         ORDER BY first_date, sequence, id LIMIT 1",
    )?;
    let last_closing = first_or_none(
        "SELECT closing_minor FROM statements WHERE superseded_by IS NULL
           AND format <> 'carried_forward'
         ORDER BY last_date DESC, sequence DESC, id DESC LIMIT 1",
    )?;
    let bank_opening = first_opening.unwrap_or(0);
    // Without a closing balance on the statement, the bank's own arithmetic stands in.
    let bank_closing = last_closing.unwrap_or(bank_opening + sums.bank_total_minor);
    let ledger_opening = info.ledger_opening_minor.unwrap_or(bank_opening);
    let mut stmt = c.prepare(
        "SELECT coalesce(adjustment_reason, 'rounding'), sum(difference_minor) FROM groups
         WHERE removed_at IS NULL AND difference_minor <> 0 GROUP BY 1 ORDER BY 1",
    )?;
    let adjustments = stmt
        .query_map([], |r| {
            let reason: String = r.get(0)?;
            Ok((
                AdjustmentReason::from_name(&reason).unwrap_or(AdjustmentReason::Rounding),
                r.get(1)?,
            ))
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(OpenItemTotals {
        bank_closing_minor: bank_closing,
        ledger_balance_minor: ledger_opening.saturating_add(sums.ledger_total_minor),
        open_ledger_receipts_minor: sums.open_ledger_in_minor,
        open_ledger_payments_minor: sums.open_ledger_out_minor,
        open_bank_debits_minor: sums.open_bank_out_minor,
        open_bank_credits_minor: sums.open_bank_in_minor,
        adjustments_minor: adjustments,
        open_items: u64::try_from(sums.open_ledger_items + sums.open_bank_items).unwrap_or(0),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ItemSide {
    Bank,
    Ledger,
}

/// One bank line or ledger entry as the scan reads it.
pub(crate) struct ScannedItem<'a> {
    pub side: ItemSide,
    pub group_id: Option<i64>,
    pub amount_minor: i64,
    /// line_id or entry_id.
    pub item_id: &'a str,
    /// Booking date (bank) or posting date (ledger).
    pub date: &'a str,
    pub reference: &'a str,
    /// The ledger extract an entry came from; empty for bank lines (their statement says).
    pub file_sha256: &'a str,
}

/// A confirmed group as the scan reads it.
#[derive(Clone, Debug)]
pub(crate) struct ScannedGroup {
    pub id: i64,
    pub origin: String,
    pub rule: String,
    pub created_by: String,
    pub created_at: String,
    pub difference_minor: i64,
    /// Empty when none was booked.
    pub adjustment_reason: String,
    pub note: String,
}

/// What one pass yields.
pub(crate) struct ContentScan {
    pub hash: String,
    pub statement: ReconciliationStatement,
    pub controls: Controls,
}

fn text<'r>(r: &'r rusqlite::Row<'_>, i: usize) -> rusqlite::Result<&'r str> {
    match r.get_ref(i)? {
        rusqlite::types::ValueRef::Null => Ok(""),
        v => v.as_str().map_err(rusqlite::Error::from),
    }
}

/// What a caller sees during the scan: the confirmed groups first, then every item.
pub(crate) trait ContentVisitor {
    fn groups(&mut self, _groups: &[ScannedGroup]) {}
    fn item(&mut self, _item: &ScannedItem<'_>) {}
}

/// Looks at nothing (the content hash alone).
impl ContentVisitor for () {}

/// Reads the whole reconciliation once, in id order, inside whatever transaction `c` is in.
pub(crate) fn scan_content(
    c: &Connection,
    info: &WorkspaceInfo,
    visit: &mut (impl ContentVisitor + Send),
) -> Result<ContentScan> {
    let mut h = ContentHasher::default();
    h.record("workspace")
        .text(&info.id)
        .text(&info.account)
        .text(&info.currency);
    let mut stmt = c.prepare(
        "SELECT id, statement_id, sequence, first_date, last_date, coalesce(opening_minor, 0),
                coalesce(closing_minor, 0), line_count, lines_total_minor
         FROM statements WHERE superseded_by IS NULL ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        h.record("statement")
            .int(r.get(0)?)
            .text(text(r, 1)?)
            .text(text(r, 2)?)
            .text(text(r, 3)?)
            .text(text(r, 4)?)
            .int(r.get(5)?)
            .int(r.get(6)?)
            .int(r.get(7)?)
            .int(r.get(8)?);
    }
    let mut stmt = c.prepare(
        "SELECT id, origin, rule, created_by, created_at, difference_minor,
                coalesce(adjustment_reason, ''), note
         FROM groups WHERE removed_at IS NULL ORDER BY id",
    )?;
    let groups = stmt
        .query_map([], |r| {
            Ok(ScannedGroup {
                id: r.get(0)?,
                origin: r.get(1)?,
                rule: r.get(2)?,
                created_by: r.get(3)?,
                created_at: r.get(4)?,
                difference_minor: r.get(5)?,
                adjustment_reason: r.get(6)?,
                note: r.get(7)?,
            })
        })?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    visit.groups(&groups);
    // SQLite reads and decrypts rows on this thread while another hashes them and hands them to
    // the visitor, in order: the two halves take about as long as each other.
    let (full_tx, full_rx) = std::sync::mpsc::sync_channel::<Batch>(4);
    let (empty_tx, empty_rx) = std::sync::mpsc::channel::<Batch>();
    let (sums, controls, h) = std::thread::scope(|scope| -> Result<_> {
        let consumer = scope.spawn(move || {
            let mut tally = Tally::default();
            for batch in full_rx {
                tally.take(&batch, &mut h, visit);
                let _ = empty_tx.send(batch);
            }
            (tally, h)
        });
        let read = read_items(c, &full_tx, &empty_rx);
        drop(full_tx);
        let (tally, h) = consumer
            .join()
            .expect("the content scan's hashing thread panicked");
        read?;
        let (sums, controls) = tally.finish();
        Ok((sums, controls, h))
    })?;
    let mut h = h;
    for g in &groups {
        h.record("group")
            .int(g.id)
            .text(&g.origin)
            .int(g.difference_minor)
            .text(&g.adjustment_reason)
            .text(&g.note);
    }
    let mut stmt = c.prepare(
        "SELECT id, kind, actor, payload, coalesce(undone_by, 0) FROM decisions ORDER BY id",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        h.record("decision")
            .int(r.get(0)?)
            .text(text(r, 1)?)
            .text(text(r, 2)?)
            .text(text(r, 3)?)
            .int(r.get(4)?);
    }
    let statement = ReconciliationStatement::from_totals(&open_item_totals_from(c, info, &sums)?);
    h.record("totals")
        .int(statement.bank_closing_minor)
        .int(statement.ledger_balance_minor)
        .int(statement.unexplained_minor);
    for row in &statement.rows {
        h.text(&row.label).int(row.amount_minor);
    }
    Ok(ContentScan {
        hash: h.finish_hex(),
        statement,
        controls,
    })
}

/// Rows per batch handed from the reading thread to the hashing one.
const BATCH_ROWS: usize = 8192;

/// A batch of item rows: fixed fields plus their texts in one buffer.
#[derive(Default)]
struct Batch {
    side: Option<ItemSide>,
    rows: Vec<BatchRow>,
    /// item_id, date, reference and file_sha256 of every row, back to back.
    text: String,
}

struct BatchRow {
    id: i64,
    amount_minor: i64,
    group_id: Option<i64>,
    /// A carried-forward opening item.
    carried: bool,
    /// Ends of the four texts in `Batch::text` (each starts where the previous ended).
    ends: [u32; 4],
}

fn read_items(
    c: &Connection,
    full: &std::sync::mpsc::SyncSender<Batch>,
    empty: &std::sync::mpsc::Receiver<Batch>,
) -> Result<()> {
    for (side, sql) in [
        (
            ItemSide::Bank,
            "SELECT id, amount_minor, group_id, line_id, booking_date, reference, '', carried
             FROM bank_lines ORDER BY id",
        ),
        (
            ItemSide::Ledger,
            "SELECT id, amount_minor, group_id, entry_id, posting_date, reference, file_sha256,
                    carried
             FROM ledger_entries ORDER BY id",
        ),
    ] {
        let fresh = |empty: &std::sync::mpsc::Receiver<Batch>| {
            let mut b = empty.try_recv().unwrap_or_default();
            b.side = Some(side);
            b.rows.clear();
            b.text.clear();
            b
        };
        let mut batch = fresh(empty);
        let mut stmt = c.prepare(sql)?;
        let mut rows = stmt.query([])?;
        while let Some(r) = rows.next()? {
            let mut ends = [0u32; 4];
            for (k, end) in ends.iter_mut().enumerate() {
                batch.text.push_str(text(r, 3 + k)?);
                *end = u32::try_from(batch.text.len()).unwrap_or(u32::MAX);
            }
            batch.rows.push(BatchRow {
                id: r.get(0)?,
                amount_minor: r.get(1)?,
                group_id: r.get(2)?,
                carried: r.get::<_, i64>(7)? != 0,
                ends,
            });
            // A send fails only when the hashing thread is gone (it panicked; join reports it).
            if batch.rows.len() == BATCH_ROWS
                && full
                    .send(std::mem::replace(&mut batch, fresh(empty)))
                    .is_err()
            {
                return Ok(());
            }
        }
        if !batch.rows.is_empty() && full.send(batch).is_err() {
            return Ok(());
        }
    }
    Ok(())
}

/// Counts and sums per side, kept by the hashing thread; the open figures are derived at the end.
#[derive(Default)]
struct Tally {
    controls: Controls,
    /// Open items with a positive, and with a negative amount: bank, then ledger.
    open_in_out_minor: [(i64, i64); 2],
    /// The carried-forward items' totals: bank, then ledger.
    carried_minor: [i64; 2],
}

impl Tally {
    fn take(&mut self, batch: &Batch, h: &mut ContentHasher, visit: &mut impl ContentVisitor) {
        let Some(side) = batch.side else { return };
        let kind = match side {
            ItemSide::Bank => "bank",
            ItemSide::Ledger => "ledger",
        };
        let c = &mut self.controls;
        let ((count, total, matched, matched_minor), (open_in, open_out)) = match side {
            ItemSide::Bank => (
                (
                    &mut c.bank_lines,
                    &mut c.bank_total_minor,
                    &mut c.matched_bank_lines,
                    &mut c.matched_bank_minor,
                ),
                &mut self.open_in_out_minor[0],
            ),
            ItemSide::Ledger => (
                (
                    &mut c.ledger_entries,
                    &mut c.ledger_total_minor,
                    &mut c.matched_ledger_entries,
                    &mut c.matched_ledger_minor,
                ),
                &mut self.open_in_out_minor[1],
            ),
        };
        let mut start = 0usize;
        for row in &batch.rows {
            let [a, b, d, e] = row.ends.map(|x| x as usize);
            h.record(kind)
                .int(row.id)
                .int(row.amount_minor)
                .int(row.group_id.unwrap_or(0));
            if row.carried {
                // Only carried items add this, so the hashes of workspaces without any stay
                // what they were (approvals recorded before keep verifying).
                h.text("carried");
                let carried = &mut self.carried_minor[side as usize];
                *carried = carried.saturating_add(row.amount_minor);
            }
            *count += 1;
            *total = total.saturating_add(row.amount_minor);
            if row.group_id.is_some() {
                *matched += 1;
                *matched_minor = matched_minor.saturating_add(row.amount_minor);
            } else if row.amount_minor > 0 {
                *open_in = open_in.saturating_add(row.amount_minor);
            } else {
                *open_out = open_out.saturating_add(row.amount_minor);
            }
            visit.item(&ScannedItem {
                side,
                group_id: row.group_id,
                amount_minor: row.amount_minor,
                item_id: &batch.text[start..a],
                date: &batch.text[a..b],
                reference: &batch.text[b..d],
                file_sha256: &batch.text[d..e],
            });
            start = e;
        }
    }

    /// The control totals with their open figures, and the sums the statement needs.
    fn finish(self) -> (ItemSums, Controls) {
        let mut c = self.controls;
        c.open_bank_lines = c.bank_lines - c.matched_bank_lines;
        c.open_bank_minor = c.bank_total_minor.saturating_sub(c.matched_bank_minor);
        c.open_ledger_entries = c.ledger_entries - c.matched_ledger_entries;
        c.open_ledger_minor = c.ledger_total_minor.saturating_sub(c.matched_ledger_minor);
        let [(bank_in, bank_out), (ledger_in, ledger_out)] = self.open_in_out_minor;
        let [bank_carried, ledger_carried] = self.carried_minor;
        let sums = ItemSums {
            bank_total_minor: c.bank_total_minor.saturating_sub(bank_carried),
            ledger_total_minor: c.ledger_total_minor.saturating_sub(ledger_carried),
            open_bank_in_minor: bank_in,
            open_bank_out_minor: bank_out,
            open_bank_items: c.open_bank_lines,
            open_ledger_in_minor: ledger_in,
            open_ledger_out_minor: ledger_out,
            open_ledger_items: c.open_ledger_entries,
        };
        (sums, c)
    }
}
