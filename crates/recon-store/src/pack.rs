//! Reading a whole reconciliation into a [`SignOffPack`] for export: statements, input files with
//! their SHA-256 and control totals, match statistics, open items with their age, adjustments,
//! every confirmed group, the audit trail and the sign-off. Read in one transaction, so the pack
//! is a consistent snapshot even while another process writes, and the large tables are read once:
//! the content scan that yields the hash and the statement totals also hands over every item.

use crate::content::{ContentVisitor, ItemSide, ScannedGroup, ScannedItem, scan_content};
use crate::error::Result;
use crate::query::days_between;
use crate::workspace::{Workspace, read_sign_off};
use recon_model::{Currency, Date};
use recon_review::pack::{
    AdjustmentEntry, AuditLine, MatchedGroup, MatchedItem, OpenItem, PackDeviation, PackFile,
    PackSource, PackStatement, RuleSetUsed, RuleStat, SignOffPack,
};
use rusqlite::{Connection, OptionalExtension, Row};

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

/// What the pack keeps from the content scan: every confirmed group with its items, the groups
/// that carry an adjustment, and the record count and total of each ledger extract.
#[derive(Default)]
struct Collected {
    groups: Vec<MatchedGroup>,
    /// Group id to its place in `groups` when the ids are dense enough (they are: ids only grow
    /// by the groups each run creates); otherwise a binary search.
    place: Vec<u32>,
    /// (place in `groups`, reason, note, created_at) of groups with a difference or adjustment.
    adjusted: Vec<(usize, String, String, String)>,
    /// (sha256, records, total): a handful of files, so a short list beats a map.
    ledger_files: Vec<(String, i64, i64)>,
}

impl Collected {
    fn place_of(&self, group: i64) -> Option<usize> {
        if self.place.is_empty() {
            return self.groups.binary_search_by_key(&group, |g| g.id).ok();
        }
        let place = *self.place.get(usize::try_from(group).ok()?)?;
        (place != u32::MAX).then_some(place as usize)
    }
}

impl ContentVisitor for Collected {
    fn groups(&mut self, groups: &[ScannedGroup]) {
        self.groups = groups
            .iter()
            .map(|g| MatchedGroup {
                id: g.id,
                rule: g.rule.clone(),
                origin: g.origin.clone(),
                created_by: g.created_by.clone(),
                difference_minor: g.difference_minor,
                items: Vec::new(),
            })
            .collect();
        self.adjusted = groups
            .iter()
            .enumerate()
            .filter(|(_, g)| g.difference_minor != 0 || !g.adjustment_reason.is_empty())
            .map(|(i, g)| {
                (
                    i,
                    g.adjustment_reason.clone(),
                    g.note.clone(),
                    g.created_at.clone(),
                )
            })
            .collect();
        let max_id = groups.last().map_or(0, |g| g.id.max(0) as usize);
        if max_id <= 8 * groups.len() + 4096 && groups.len() < u32::MAX as usize {
            self.place = vec![u32::MAX; max_id + 1];
            for (i, g) in groups.iter().enumerate() {
                if let Ok(id) = usize::try_from(g.id) {
                    self.place[id] = i as u32;
                }
            }
        }
    }

    fn item(&mut self, item: &ScannedItem<'_>) {
        if item.side == ItemSide::Ledger {
            match self
                .ledger_files
                .iter_mut()
                .find(|f| f.0 == item.file_sha256)
            {
                Some(f) => {
                    f.1 += 1;
                    f.2 = f.2.saturating_add(item.amount_minor);
                }
                None => {
                    self.ledger_files
                        .push((item.file_sha256.to_string(), 1, item.amount_minor))
                }
            }
        }
        let Some(group) = item.group_id else { return };
        if let Some(i) = self.place_of(group) {
            self.groups[i].items.push(MatchedItem {
                side: match item.side {
                    ItemSide::Bank => "bank".to_string(),
                    ItemSide::Ledger => "ledger".to_string(),
                },
                item_id: item.item_id.to_string(),
                date: item.date.to_string(),
                amount_minor: item.amount_minor,
                reference: item.reference.to_string(),
            });
        }
    }
}

impl Workspace {
    /// Everything the sign-off pack shows, aged as of `as_of`, stamped `generated_at`.
    pub fn sign_off_pack(&mut self, as_of: Date, generated_at: &str) -> Result<SignOffPack> {
        let info = self.info.clone();
        let tx = self.conn.transaction()?;
        let c: &Connection = &tx;
        let mut collected = Collected::default();
        let scan = scan_content(c, &info, &mut collected)?;
        let Collected {
            mut groups,
            adjusted,
            ledger_files,
            ..
        } = collected;
        for g in &mut groups {
            // Bank before ledger ("bank" < "ledger"), then by id: the order does not depend on
            // the order rows were stored in.
            g.items
                .sort_unstable_by(|a, b| (&a.side, &a.item_id).cmp(&(&b.side, &b.item_id)));
        }
        let (statement, content_hash, controls) = (scan.statement, scan.hash, scan.controls);
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
        let deviations_total: i64 = c.query_row(
            "SELECT count(*) FROM statement_deviations d JOIN statements s ON s.id = d.statement
             WHERE s.superseded_by IS NULL",
            [],
            |r| r.get(0),
        )?;
        let deviations = rows(
            c,
            &format!(
                "SELECT s.statement_id, s.sequence, s.source, s.encoding, d.code, d.line, d.path,
                        d.excerpt, d.message
                 FROM statement_deviations d JOIN statements s ON s.id = d.statement
                 WHERE s.superseded_by IS NULL ORDER BY s.id, d.seq LIMIT {}",
                recon_review::pack::PACK_DEVIATIONS_MAX
            ),
            |r| {
                Ok(PackDeviation {
                    statement_id: r.get(0)?,
                    sequence: r.get(1)?,
                    source: r.get(2)?,
                    encoding: r.get(3)?,
                    code: r.get(4)?,
                    line: r
                        .get::<_, Option<i64>>(5)?
                        .and_then(|l| u64::try_from(l).ok()),
                    path: r.get(6)?,
                    excerpt: r.get(7)?,
                    message: r.get(8)?,
                })
            },
        )?;
        let mut input_files = rows(
            c,
            "SELECT f.name, f.kind, f.sha256,
                    coalesce(sum(s.line_count), 0), coalesce(sum(s.lines_total_minor), 0),
                    src.bucket, src.key, src.version_id, src.etag, src.size_bytes,
                    src.verified_by
             FROM imported_files f
             LEFT JOIN statements s ON s.file_sha256 = f.sha256 AND s.superseded_by IS NULL
             LEFT JOIN file_sources src ON src.sha256 = f.sha256
             GROUP BY f.sha256 ORDER BY f.kind DESC, f.name, f.sha256",
            |r| {
                let bucket: Option<String> = r.get(5)?;
                let source = match bucket {
                    Some(bucket) => Some(PackSource {
                        uri: format!("s3://{bucket}/{}", r.get::<_, String>(6)?),
                        version_id: r.get(7)?,
                        etag: r.get(8)?,
                        size_bytes: r.get(9)?,
                        verified_by: r.get(10)?,
                    }),
                    None => None,
                };
                Ok(PackFile {
                    name: r.get(0)?,
                    kind: r.get(1)?,
                    sha256: r.get(2)?,
                    records: r.get(3)?,
                    total_minor: r.get(4)?,
                    source,
                })
            },
        )?;
        for f in input_files.iter_mut().filter(|f| f.kind == "ledger") {
            (f.records, f.total_minor) = ledger_files
                .iter()
                .find(|(sha, _, _)| *sha == f.sha256)
                .map(|(_, n, total)| (*n, *total))
                .unwrap_or((0, 0));
        }
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
        let adjustments = adjusted
            .into_iter()
            .map(|(i, reason, note, created_at)| {
                let g = &groups[i];
                AdjustmentEntry {
                    group: g.id,
                    rule: g.rule.clone(),
                    reason,
                    note,
                    difference_minor: g.difference_minor,
                    created_by: g.created_by.clone(),
                    created_at,
                    items: g
                        .items
                        .iter()
                        .map(|i| format!("{} {}", i.side, i.item_id))
                        .collect::<Vec<_>>()
                        .join("; "),
                }
            })
            .collect();
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
        let mut sign_off = read_sign_off(c)?;
        // People are named in the pack as "Display Name <subject>" (the subject is what the
        // audit trail records: issuer#sub when verified).
        for who in [&mut sign_off.preparer, &mut sign_off.approver] {
            if let Some(subject) = who.clone() {
                let name: Option<String> = c
                    .query_row(
                        "SELECT display_name FROM principals WHERE subject = ?1",
                        [&subject],
                        |r| r.get(0),
                    )
                    .optional()?;
                if let Some(name) = name.filter(|n| *n != subject) {
                    *who = Some(format!("{name} <{subject}>"));
                }
            }
        }
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
            as_of_time_zone: String::new(),
            statements,
            deviations,
            deviations_total,
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
