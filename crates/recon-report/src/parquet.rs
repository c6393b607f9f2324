//! The reconciliation's results as Parquet (issue 18), for history queried in place (Athena,
//! Redshift Spectrum, DuckDB, Polars) instead of loaded into a database: one file of matched items
//! and one of open items per published revision. The publisher puts them under Hive-style keys
//! `.../account=A/period_start=D/revision=N/`, so the partition columns are not repeated inside.
//! Money is `amount_minor` (Int64) with the currency's `exponent`; dates are ISO text as in the
//! pack. Zstd-compressed; the bytes depend only on the pack (no timestamps are written).

use crate::ReportError;
use polars::prelude::*;
use recon_review::pack::SignOffPack;

fn write(mut df: DataFrame) -> Result<Vec<u8>, ReportError> {
    let mut out = Vec::new();
    ParquetWriter::new(&mut out)
        .with_compression(ParquetCompression::Zstd(None))
        .set_parallel(false)
        .finish(&mut df)
        .map_err(|e| ReportError::Parquet(e.to_string()))?;
    Ok(out)
}

fn frame(columns: Vec<Column>) -> Result<DataFrame, ReportError> {
    DataFrame::new_infer_height(columns).map_err(|e| ReportError::Parquet(e.to_string()))
}

/// Every matched item with its group: content_hash, group_no, rule, origin, created_by,
/// difference_minor (the group's), side, item_id, item_date, amount_minor, reference, currency,
/// exponent.
pub fn matched_items(pack: &SignOffPack) -> Result<Vec<u8>, ReportError> {
    let n: usize = pack.groups.iter().map(|g| g.items.len()).sum();
    let mut group_no = Vec::with_capacity(n);
    let mut rule = Vec::with_capacity(n);
    let mut origin = Vec::with_capacity(n);
    let mut created_by = Vec::with_capacity(n);
    let mut difference = Vec::with_capacity(n);
    let mut side = Vec::with_capacity(n);
    let mut item_id = Vec::with_capacity(n);
    let mut date = Vec::with_capacity(n);
    let mut amount = Vec::with_capacity(n);
    let mut reference = Vec::with_capacity(n);
    for g in &pack.groups {
        for i in &g.items {
            group_no.push(g.id);
            rule.push(g.rule.as_str());
            origin.push(g.origin.as_str());
            created_by.push(g.created_by.as_str());
            difference.push(g.difference_minor);
            side.push(i.side.as_str());
            item_id.push(i.item_id.as_str());
            date.push(i.date.as_str());
            amount.push(i.amount_minor);
            reference.push(i.reference.as_str());
        }
    }
    let df = frame(vec![
        Column::new("content_hash".into(), vec![pack.content_hash.as_str(); n]),
        Column::new("group_no".into(), group_no),
        Column::new("rule".into(), rule),
        Column::new("origin".into(), origin),
        Column::new("created_by".into(), created_by),
        Column::new("difference_minor".into(), difference),
        Column::new("side".into(), side),
        Column::new("item_id".into(), item_id),
        Column::new("item_date".into(), date),
        Column::new("amount_minor".into(), amount),
        Column::new("reference".into(), reference),
        Column::new("currency".into(), vec![pack.currency.as_str(); n]),
        Column::new("exponent".into(), vec![pack.exponent; n]),
    ])?;
    write(df)
}

/// Every item still open at approval (the next period's opening items): content_hash, side,
/// item_id, item_date, days_open, amount_minor, reason, reference, description, currency,
/// exponent.
pub fn open_items(pack: &SignOffPack) -> Result<Vec<u8>, ReportError> {
    let e = &pack.exceptions;
    let n = e.len();
    let df = frame(vec![
        Column::new("content_hash".into(), vec![pack.content_hash.as_str(); n]),
        Column::new(
            "side".into(),
            e.iter().map(|x| x.side.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "item_id".into(),
            e.iter().map(|x| x.item_id.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "item_date".into(),
            e.iter().map(|x| x.date.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "days_open".into(),
            e.iter().map(|x| x.days_open).collect::<Vec<_>>(),
        ),
        Column::new(
            "amount_minor".into(),
            e.iter().map(|x| x.amount_minor).collect::<Vec<_>>(),
        ),
        Column::new(
            "reason".into(),
            e.iter().map(|x| x.reason.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "reference".into(),
            e.iter().map(|x| x.reference.as_str()).collect::<Vec<_>>(),
        ),
        Column::new(
            "description".into(),
            e.iter().map(|x| x.description.as_str()).collect::<Vec<_>>(),
        ),
        Column::new("currency".into(), vec![pack.currency.as_str(); n]),
        Column::new("exponent".into(), vec![pack.exponent; n]),
    ])?;
    write(df)
}

/// An open item as [`open_items`] wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OpenItemRecord {
    pub content_hash: String,
    /// "bank" or "ledger".
    pub side: String,
    pub item_id: String,
    pub item_date: String,
    pub amount_minor: i64,
    pub reference: String,
    pub description: String,
}

/// Reads an open-items file that [`open_items`] wrote (the previous period's opening items,
/// from the archive). A column missing or of another type is an error naming it.
pub fn read_open_items(bytes: &[u8]) -> Result<Vec<OpenItemRecord>, ReportError> {
    let err = |e: PolarsError| ReportError::Parquet(format!("open items: {e}"));
    let df = ParquetReader::new(std::io::Cursor::new(bytes))
        .finish()
        .map_err(err)?;
    let text = |name: &str| -> Result<Vec<String>, ReportError> {
        let c = df.column(name).map_err(err)?.str().map_err(err)?;
        Ok(c.iter()
            .map(|v| v.unwrap_or_default().to_string())
            .collect())
    };
    let content_hash = text("content_hash")?;
    let side = text("side")?;
    let item_id = text("item_id")?;
    let item_date = text("item_date")?;
    let reference = text("reference")?;
    let description = text("description")?;
    let amount = df.column("amount_minor").map_err(err)?.i64().map_err(err)?;
    let mut out = Vec::with_capacity(df.height());
    for (k, a) in amount.iter().enumerate() {
        let Some(amount_minor) = a else {
            return Err(ReportError::Parquet(format!(
                "open items: row {} has no amount_minor",
                k + 1
            )));
        };
        out.push(OpenItemRecord {
            content_hash: content_hash[k].clone(),
            side: side[k].clone(),
            item_id: item_id[k].clone(),
            item_date: item_date[k].clone(),
            amount_minor,
            reference: reference[k].clone(),
            description: description[k].clone(),
        });
    }
    Ok(out)
}
