//! Reads the desktop app needs beyond the CLI's: how many exceptions a filter matches, the open
//! suggestions that involve one item, everything about one item (fields, comments, attachments,
//! assignee, audit history), and aging buckets of the open items.

use crate::error::{Result, StoreError};
use crate::query::ExceptionQuery;
use crate::workspace::Workspace;
use recon_model::Date;
use rusqlite::{OptionalExtension, ToSql, params};

/// One item with what people said and did about it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ItemRecord {
    pub side: String,
    pub item_id: String,
    pub amount_minor: i64,
    pub date: String,
    pub reference: String,
    pub description: String,
    pub counterparty: String,
    pub fields: Vec<(String, String)>,
    pub group: Option<i64>,
    pub exception_reason: Option<String>,
    pub assignee: Option<String>,
    /// (author, at, text)
    pub comments: Vec<(String, String, String)>,
    /// (name, sha256, bytes, added_by, at)
    pub attachments: Vec<(String, String, i64, String, String)>,
    /// (seq, at, actor, action, target)
    pub history: Vec<(i64, String, String, String, String)>,
}

impl Workspace {
    /// How many exceptions the filter of `q` matches (its sort, limit and offset ignored).
    pub fn exception_count(&self, q: &ExceptionQuery) -> Result<i64> {
        let mut sql = String::from("SELECT count(*) FROM exceptions e WHERE 1 = 1");
        let args = q.filter(&mut sql);
        let params: Vec<&dyn ToSql> = args.iter().map(|a| a.as_ref()).collect();
        Ok(self.conn.query_row(&sql, params.as_slice(), |r| r.get(0))?)
    }

    /// Everything about one item.
    pub fn item_record(&self, side: &str, item_id: &str) -> Result<ItemRecord> {
        let c = &self.conn;
        let (amount, date, reference, description, counterparty, group, fields) = if side == "bank"
        {
            c.query_row(
                "SELECT b.amount_minor, b.booking_date, coalesce(b.reference, ''), b.description,
                        coalesce(b.counterparty, ''), b.group_id, coalesce(b.value_date, ''),
                        coalesce(b.bank_reference, ''), coalesce(b.type_code, ''), s.statement_id,
                        s.source
                 FROM bank_lines b JOIN statements s ON s.id = b.statement WHERE b.line_id = ?1",
                [item_id],
                |r| {
                    let fields = vec![
                        ("value date".to_string(), r.get::<_, String>(6)?),
                        ("bank reference".to_string(), r.get(7)?),
                        ("type code".to_string(), r.get(8)?),
                        ("statement".to_string(), r.get(9)?),
                        ("source file".to_string(), r.get(10)?),
                    ];
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<i64>>(5)?,
                        fields,
                    ))
                },
            )
            .optional()?
        } else {
            c.query_row(
                "SELECT l.amount_minor, l.posting_date, coalesce(l.reference, ''), l.description,
                        '', l.group_id, f.name
                 FROM ledger_entries l JOIN imported_files f ON f.sha256 = l.file_sha256
                 WHERE l.entry_id = ?1",
                [item_id],
                |r| {
                    let fields = vec![("source file".to_string(), r.get::<_, String>(6)?)];
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, String>(1)?,
                        r.get::<_, String>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, String>(4)?,
                        r.get::<_, Option<i64>>(5)?,
                        fields,
                    ))
                },
            )
            .optional()?
        }
        .ok_or_else(|| StoreError::NotFound(format!("{side} item {item_id:?}")))?;
        let target = format!("{side}:{item_id}");
        let exception_reason: Option<String> = c
            .query_row(
                "SELECT reason FROM exceptions WHERE side = ?1 AND item_id = ?2",
                params![side, item_id],
                |r| r.get(0),
            )
            .optional()?;
        let assignee: Option<String> = c
            .query_row(
                "SELECT assignee FROM assignments WHERE target = ?1",
                [&target],
                |r| r.get(0),
            )
            .optional()?;
        let mut stmt = c.prepare_cached(
            "SELECT author, at, text FROM comments WHERE target = ?1 ORDER BY id",
        )?;
        let comments = stmt
            .query_map([&target], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let mut stmt = c.prepare_cached(
            "SELECT name, sha256, length(bytes), added_by, at FROM attachments WHERE target = ?1
             ORDER BY id",
        )?;
        let attachments = stmt
            .query_map([&target], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let group_target = group.map(|g| format!("group:{g}")).unwrap_or_default();
        let mut stmt = c.prepare_cached(
            "SELECT seq, at, actor, action, target FROM audit_log
             WHERE target = ?1 OR (?2 <> '' AND target = ?2)
                OR instr(target, ?1) > 0 OR instr(after, ?3) > 0
                OR (?4 <> '' AND (instr(after, ?4 || ',') > 0 OR instr(after, ?4 || '}') > 0))
             ORDER BY seq LIMIT 200",
        )?;
        let quoted = format!("\"{item_id}\"");
        // Decisions that made the item's group name it in their JSON ("group":N).
        let group_json = group.map(|g| format!("\"group\":{g}")).unwrap_or_default();
        let history = stmt
            .query_map(params![target, group_target, quoted, group_json], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(ItemRecord {
            side: side.to_string(),
            item_id: item_id.to_string(),
            amount_minor: amount,
            date,
            reference,
            description,
            counterparty,
            fields,
            group,
            exception_reason,
            assignee,
            comments,
            attachments,
            history,
        })
    }

    /// Open items by age bucket as of a date: (label, items, amount). Items dated after
    /// `as_of` are in no bucket. One pass over the open items.
    pub fn aging(&self, as_of: Date) -> Result<Vec<(String, i64, i64)>> {
        let day = |n: i64| {
            (as_of - chrono::Duration::days(n))
                .format("%Y-%m-%d")
                .to_string()
        };
        const LABELS: [&str; 5] = ["0-7", "8-30", "31-60", "61-90", "90+"];
        let mut out: Vec<(String, i64, i64)> =
            LABELS.iter().map(|l| (l.to_string(), 0, 0)).collect();
        let mut stmt = self.conn.prepare(
            "SELECT CASE WHEN item_date >= ?1 THEN 0 WHEN item_date >= ?2 THEN 1
                         WHEN item_date >= ?3 THEN 2 WHEN item_date >= ?4 THEN 3 ELSE 4 END,
                    count(*), coalesce(sum(amount_minor), 0)
             FROM exceptions WHERE item_date <= ?5 GROUP BY 1",
        )?;
        let rows = stmt.query_map(params![day(7), day(30), day(60), day(90), day(0)], |r| {
            Ok((
                r.get::<_, usize>(0)?,
                r.get::<_, i64>(1)?,
                r.get::<_, i64>(2)?,
            ))
        })?;
        for row in rows {
            let (bucket, n, sum) = row?;
            out[bucket].1 = n;
            out[bucket].2 = sum;
        }
        Ok(out)
    }

    /// Absolute amounts of the matched bank lines and of the open items.
    pub fn matched_and_open_minor(&self) -> Result<(i64, i64)> {
        Ok(self.conn.query_row(
            "SELECT (SELECT coalesce(sum(abs(amount_minor)), 0) FROM bank_lines
                      WHERE group_id IS NOT NULL),
                    (SELECT coalesce(sum(abs(amount_minor)), 0) FROM exceptions)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?)
    }

    /// The oldest open item's date.
    pub fn oldest_exception_date(&self) -> Result<Option<String>> {
        Ok(self
            .conn
            .query_row("SELECT min(item_date) FROM exceptions", [], |r| r.get(0))?)
    }

    /// Rule statistics of confirmed groups (status auto or manual) and open suggestions.
    pub fn rule_counts(&self) -> Result<Vec<RuleCount>> {
        let mut stmt = self.conn.prepare(
            // Per rule and origin first, on the groups_rule covering index (no join, no sort),
            // then 'accepted' and 'manual' fold into one status.
            "SELECT rule, CASE origin WHEN 'auto' THEN 'auto' ELSE 'manual' END, sum(n), sum(i), sum(b)
             FROM (SELECT rule, origin, count(*) AS n, sum(items) AS i, sum(bank_minor) AS b
                   FROM groups WHERE removed_at IS NULL GROUP BY rule, origin)
             GROUP BY 1, 2
             UNION ALL
             SELECT s.rule, 'suggested', count(DISTINCT s.id), count(*),
                    coalesce(sum(CASE WHEN i.side = 'bank' THEN i.amount_minor END), 0)
             FROM suggestions s JOIN suggestion_items i ON i.suggestion = s.id
             WHERE s.status = 'open' GROUP BY 1, 2 ORDER BY 1, 2",
        )?;
        let rows = stmt
            .query_map([], |r| {
                Ok(RuleCount {
                    rule: r.get(0)?,
                    status: r.get(1)?,
                    groups: r.get(2)?,
                    items: r.get(3)?,
                    bank_minor: r.get(4)?,
                })
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(rows)
    }
}

/// Groups and items of one rule and status ("auto", "manual" or "suggested").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleCount {
    pub rule: String,
    pub status: String,
    pub groups: i64,
    pub items: i64,
    pub bank_minor: i64,
}
