//! Carry-forward use case (issue 18): the items still open when the previous period was approved
//! become this period's opening items. They come from where the previous period was published:
//! the results database (its `open_items`) or, when the database does not hold the period (moved
//! out, or a team without one) or cannot be reached, the S3 archive (the period's manifest and
//! its open-items Parquet, checked against the manifest's SHA-256).

use crate::ApiError;
use crate::publish::{
    ARCHIVE_KEYS_MAX, Archive, ArchiveLocation, MANIFEST_BYTES_MAX, Manifest, PeriodOpenItems,
    PublishError, PublishErrorCode, PublishedPeriod, ResultsDb, archive_claims, hex_sha256,
};
use crate::workspace::actor;
use recon_review::Principal;
use recon_store::Workspace;
use recon_store::{CARRIED_ITEMS_MAX, CarriedItem, CarryOutcome, CarrySource, PreviousPeriod};
use serde::Serialize;
use ts_rs::TS;

/// The open-items Parquet of one period is refused over this size.
pub const OPEN_ITEMS_BYTES_MAX: u64 = 1 << 30;

/// What a carry-forward brought in, and from where.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CarryReport {
    pub from_period_start: String,
    pub from_period_end: String,
    pub from_revision: i64,
    pub from_content_hash: String,
    /// "database" or "archive".
    pub source: String,
    /// Why the archive was read instead of the database, when it was.
    pub database_note: Option<String>,
    pub bank_items: u64,
    pub bank_minor: i64,
    pub ledger_items: u64,
    pub ledger_minor: i64,
    pub already_present: u64,
    pub ledger_opening_set_minor: Option<i64>,
    /// (this workspace's ledger opening, the previous period's ledger balance) when they differ:
    /// a roll-forward difference to explain.
    pub ledger_opening_differs_minor: Option<(i64, i64)>,
}

/// The carry-forward a workspace holds (the History view shows it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct CarriedView {
    pub from_period_start: String,
    pub from_period_end: String,
    pub from_revision: i64,
    pub from_content_hash: String,
    /// "database" or "archive".
    pub source: String,
    pub bank_items: i64,
    pub bank_minor: i64,
    pub ledger_items: i64,
    pub ledger_minor: i64,
    pub already_present: i64,
    pub carried_at: String,
    pub carried_by: String,
}

impl From<recon_store::CarryRecord> for CarriedView {
    fn from(r: recon_store::CarryRecord) -> CarriedView {
        CarriedView {
            from_period_start: r.period_start,
            from_period_end: r.period_end,
            from_revision: r.revision,
            from_content_hash: r.content_hash,
            source: r.source,
            bank_items: r.bank_items,
            bank_minor: r.bank_minor,
            ledger_items: r.ledger_items,
            ledger_minor: r.ledger_minor,
            already_present: r.already_present,
            carried_at: r.carried_at,
            carried_by: r.carried_by,
        }
    }
}

/// The archive's newest revision of the account's latest period ending before `period_start`,
/// with its open items (the Parquet verified against the manifest).
pub fn open_items_from_archive(
    archive: &mut dyn Archive,
    location: &ArchiveLocation,
    account: &str,
    period_start: &str,
) -> Result<Option<PeriodOpenItems>, PublishError> {
    let claims = archive_claims(archive, location, account, ARCHIVE_KEYS_MAX)?;
    // Folders are START_END; claims come newest period first, highest revision first.
    let Some((period, revision, modified)) = claims.into_iter().find(|(period, _, _)| {
        period
            .split_once('_')
            .is_some_and(|(_, end)| end < period_start)
    }) else {
        return Ok(None);
    };
    let claim = format!(
        "{}{}/{period}/revision-{revision}.json",
        location.prefix,
        crate::publish::key_part(account)
    );
    let bytes = archive
        .get(&location.bucket, &claim, MANIFEST_BYTES_MAX)?
        .ok_or_else(|| {
            PublishError::new(
                PublishErrorCode::Failed,
                format!("{}: listed but gone", location.uri(&claim)),
            )
        })?;
    let m: Manifest = serde_json::from_slice(&bytes).map_err(|e| {
        PublishError::new(
            PublishErrorCode::Failed,
            format!("{}: not a publication manifest: {e}", location.uri(&claim)),
        )
    })?;
    let file = m
        .files
        .iter()
        .find(|f| f.role == "open_items_parquet")
        .ok_or_else(|| {
            PublishError::new(
                PublishErrorCode::Failed,
                format!(
                    "{}: the manifest lists no open-items file",
                    location.uri(&claim)
                ),
            )
        })?;
    let key = location.key_of(&m, file);
    let parquet = archive
        .get(&location.bucket, &key, OPEN_ITEMS_BYTES_MAX)?
        .ok_or_else(|| {
            PublishError::new(
                PublishErrorCode::Failed,
                format!(
                    "{}: the manifest's open-items file is missing",
                    location.uri(&key)
                ),
            )
        })?;
    if hex_sha256(&parquet) != file.sha256 {
        return Err(PublishError::new(
            PublishErrorCode::Failed,
            format!(
                "{}: does not match the SHA-256 its manifest records ({})",
                location.uri(&key),
                file.sha256
            ),
        ));
    }
    let items = recon_report::parquet::read_open_items(&parquet).map_err(|e| {
        PublishError::new(
            PublishErrorCode::Failed,
            format!("{}: {e}", location.uri(&key)),
        )
    })?;
    if let Some(other) = items.iter().find(|i| i.content_hash != m.content_hash) {
        return Err(PublishError::new(
            PublishErrorCode::Failed,
            format!(
                "{}: holds items of content {:.12}…, not the manifest's {:.12}…",
                location.uri(&key),
                other.content_hash,
                m.content_hash
            ),
        ));
    }
    Ok(Some(PeriodOpenItems {
        period: crate::publish::published_period_of(&m, modified, false),
        items,
    }))
}

/// Brings the previous period's open items into `ws` as opening items (once per workspace).
/// The database is asked first; the archive when the database is not configured, does not hold
/// a period before this one, or cannot be reached. The period found must end the day before this
/// workspace's period starts.
pub fn carry_forward(
    ws: &mut Workspace,
    principal: &Principal,
    database: Option<&mut dyn ResultsDb>,
    archive: Option<(&mut dyn Archive, &ArchiveLocation)>,
) -> Result<CarryReport, ApiError> {
    if database.is_none() && archive.is_none() {
        return Err(ApiError::NotAllowed(
            "no published periods to carry forward from: set `publish.database_url` and/or `publish.archive` in the configuration file ([publish])".into(),
        ));
    }
    let info = ws.info().clone();
    let mut database_note = None;
    let mut found: Option<(PeriodOpenItems, CarrySource)> = None;
    if let Some(db) = database {
        match db.open_items_before(&info.account, &info.period_start, CARRIED_ITEMS_MAX) {
            Ok(Some(p)) => found = Some((p, CarrySource::Database)),
            Ok(None) => {
                database_note = Some(format!(
                    "{} holds no period of {} before {}",
                    db.describe(),
                    info.account,
                    info.period_start
                ));
            }
            Err(e) if archive.is_some() && e.code == PublishErrorCode::Unreachable => {
                database_note = Some(e.to_string());
            }
            Err(e) => return Err(e.into()),
        }
    }
    if found.is_none()
        && let Some((archive, location)) = archive
        && let Some(p) =
            open_items_from_archive(archive, location, &info.account, &info.period_start)?
    {
        found = Some((p, CarrySource::Archive));
    }
    let Some((p, source)) = found else {
        return Err(ApiError::NotFound(format!(
            "no published period of {} ends before {}{}",
            info.account,
            info.period_start,
            database_note.map(|n| format!(" ({n})")).unwrap_or_default()
        )));
    };
    check_adjacent(&p.period, &info.period_start)?;
    if p.items.len() > CARRIED_ITEMS_MAX {
        return Err(ApiError::NotAllowed(format!(
            "{}..{} has {} open items, over the limit of {CARRIED_ITEMS_MAX}",
            p.period.period_start,
            p.period.period_end,
            p.items.len()
        )));
    }
    let mut items = Vec::with_capacity(p.items.len());
    for i in &p.items {
        let side = match i.side.as_str() {
            "bank" => recon_match::Side::Bank,
            "ledger" => recon_match::Side::Ledger,
            other => {
                return Err(ApiError::NotAllowed(format!(
                    "open item {} of {}..{} is on side {other:?}, neither bank nor ledger",
                    i.item_id, p.period.period_start, p.period.period_end
                )));
            }
        };
        items.push(CarriedItem {
            side,
            item_id: i.item_id.clone(),
            date: i.item_date.clone(),
            amount_minor: i.amount_minor,
            reference: i.reference.clone(),
            description: i.description.clone(),
        });
    }
    let previous = PreviousPeriod {
        account: p.period.account.clone(),
        currency: p.period.currency.clone(),
        period_start: p.period.period_start.clone(),
        period_end: p.period.period_end.clone(),
        revision: p.period.revision,
        content_hash: p.period.content_hash.clone(),
        source,
        bank_closing_minor: p.period.bank_closing_minor,
        ledger_balance_minor: p.period.ledger_balance_minor,
        items,
    };
    let outcome: CarryOutcome = ws.carry_forward(&actor(principal), &previous)?;
    Ok(CarryReport {
        from_period_start: previous.period_start,
        from_period_end: previous.period_end,
        from_revision: previous.revision,
        from_content_hash: previous.content_hash,
        source: source.name().into(),
        database_note: (source == CarrySource::Archive)
            .then_some(database_note)
            .flatten(),
        bank_items: outcome.bank_items as u64,
        bank_minor: outcome.bank_minor,
        ledger_items: outcome.ledger_items as u64,
        ledger_minor: outcome.ledger_minor,
        already_present: outcome.already_present as u64,
        ledger_opening_set_minor: outcome.ledger_opening_set_minor,
        ledger_opening_differs_minor: outcome.ledger_opening_differs_minor,
    })
}

/// The previous period must end the day before this one starts: a gap means a period was
/// never published, and its open items would be lost.
fn check_adjacent(previous: &PublishedPeriod, period_start: &str) -> Result<(), ApiError> {
    let start = chrono::NaiveDate::parse_from_str(period_start, "%Y-%m-%d").map_err(|e| {
        ApiError::NotAllowed(format!(
            "this workspace's period start {period_start:?}: {e}"
        ))
    })?;
    let day_before = start.pred_opt().map(|d| d.to_string()).unwrap_or_default();
    if previous.period_end != day_before {
        return Err(ApiError::NotAllowed(format!(
            "the latest published period of {} before {period_start} is {}..{} (revision {}); the period ending {day_before} is not published, so its open items are not known: publish it first",
            previous.account, previous.period_start, previous.period_end, previous.revision
        )));
    }
    Ok(())
}
