//! Workspace use cases: create, import, match, list exceptions, every review decision, the
//! reconciliation statement, prepare / approve / reject, audit verification. Plain functions
//! taking a [`Principal`]; the clock is read here (the store and the rules never read it).
//!
//! A principal comes from the verified sign-in ([`crate::identity`]), or, in demo mode only, from
//! a self-asserted local profile ([`local_principal`]); verified workspaces refuse the latter.

use crate::{ApiError, ImportOptions, InputFile, import_statement_files, read_input};
use recon_formats::integrity::{self, SeriesItem};
use recon_formats::{Limits, Severity};
use recon_model::{Balance, Currency, Date, Statement, StatementLine, parse_minor};
use recon_review::{AdjustmentReason, Principal, ReconciliationStatement, Role};
use recon_store::{
    Actor, Adjustment, DecisionReceipt, ExceptionQuery, ExceptionRow, FileRecord, GroupRow,
    ImportOutcome, KeyStore, RunSummary, SignOffRecord, SuggestionRow, Workspace, WorkspaceInfo,
    WorkspaceStatus,
};
use std::collections::HashSet;
use std::path::{Path, PathBuf};

pub use recon_store::{ExceptionSort, MemoryKeyStore, OsKeyStore};

/// The current instant, Unix seconds.
pub fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

/// The current instant, UTC, RFC 3339 (seconds).
pub fn now_rfc3339() -> String {
    let since = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    chrono::DateTime::from_timestamp(since.as_secs() as i64, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

/// Today's date where the laptop is (its local time zone): exceptions age in the clerk's days,
/// not in UTC's, which is a day ahead in the evening west of Greenwich.
pub fn today() -> Date {
    local_date_at(utc_now()).0
}

/// The laptop's local date at `instant` and its time zone as a UTC offset ("UTC-08:00").
pub fn local_date_at(instant: chrono::DateTime<chrono::Utc>) -> (Date, String) {
    let local = instant.with_timezone(&chrono::Local);
    (
        local.date_naive(),
        utc_offset_label(local.offset().local_minus_utc()),
    )
}

/// "UTC", "UTC+01:00", "UTC-09:30".
pub fn utc_offset_label(seconds_east: i32) -> String {
    if seconds_east == 0 {
        return "UTC".into();
    }
    let sign = if seconds_east < 0 { '-' } else { '+' };
    let minutes = seconds_east.unsigned_abs() / 60;
    format!("UTC{sign}{:02}:{:02}", minutes / 60, minutes % 60)
}

fn utc_now() -> chrono::DateTime<chrono::Utc> {
    chrono::DateTime::from_timestamp(unix_now(), 0).unwrap_or_default()
}

pub(crate) fn actor(principal: &Principal) -> Actor<'_> {
    Actor {
        principal,
        at: now_rfc3339(),
    }
}

/// A self-asserted principal (demo mode): subject, display name, roles ("clerk", "supervisor").
pub fn local_principal(
    subject: &str,
    display_name: &str,
    roles: &[&str],
) -> Result<Principal, ApiError> {
    if subject.trim().is_empty() {
        return Err(ApiError::InvalidArgument(
            "a principal needs a subject (user id)".into(),
        ));
    }
    let mut parsed = Vec::new();
    for r in roles {
        parsed.push(Role::from_name(r).ok_or_else(|| {
            ApiError::InvalidArgument(format!("unknown role {r:?}; expected clerk or supervisor"))
        })?);
    }
    let name = if display_name.trim().is_empty() {
        subject
    } else {
        display_name
    };
    Ok(Principal::new(subject, name, &parsed))
}

/// The key store for real workspaces: the OS keyring, or a clear error when none answers.
pub fn os_key_store() -> Result<OsKeyStore, ApiError> {
    OsKeyStore::probe()?;
    Ok(OsKeyStore)
}

/// What `recon ws create` asks for.
#[derive(Clone, Debug)]
pub struct NewWorkspace {
    pub dir: PathBuf,
    pub account: String,
    pub currency: String,
    pub period_start: Date,
    pub period_end: Date,
    /// Ledger balance at the start of the period, decimal text; the bank's opening when None.
    pub ledger_opening: Option<String>,
}

pub fn create_workspace(
    new: &NewWorkspace,
    principal: &Principal,
    keys: &dyn KeyStore,
) -> Result<WorkspaceInfo, ApiError> {
    let currency =
        Currency::from_code(&new.currency).map_err(|e| ApiError::InvalidArgument(e.to_string()))?;
    if new.period_end < new.period_start {
        return Err(ApiError::InvalidArgument(format!(
            "period ends ({}) before it starts ({})",
            new.period_end, new.period_start
        )));
    }
    let opening = new
        .ledger_opening
        .as_deref()
        .map(|t| parse_minor(t, b'.', currency.exponent()))
        .transpose()
        .map_err(|e| ApiError::InvalidArgument(format!("ledger opening balance: {e}")))?;
    let ws = Workspace::create(
        &new.dir,
        &new.account,
        currency.code(),
        &new.period_start.to_string(),
        &new.period_end.to_string(),
        opening,
        keys,
        &actor(principal),
    )?;
    Ok(ws.info().clone())
}

/// Opens a workspace (key from `keys`, audit chain verified).
pub fn open_workspace(dir: &Path, keys: &dyn KeyStore) -> Result<Workspace, ApiError> {
    Ok(Workspace::open(dir, keys)?)
}

/// The result of importing files into a workspace.
#[derive(Clone, Debug, Default)]
pub struct WorkspaceImport {
    pub files: Vec<ImportOutcome>,
    /// Parse errors and warnings, per file.
    pub issues: Vec<recon_formats::Issue>,
}

/// The record of `file`; a statement file keeps a copy of its bytes (published with the
/// reconciliation), a ledger extract does not.
fn file_record(file: &InputFile, keep_bytes: bool) -> FileRecord {
    FileRecord {
        name: file.name.clone(),
        sha256_hex: crate::import::sha256_hex(&file.bytes),
        source: None,
        contents: keep_bytes.then(|| file.bytes.as_slice().into()),
    }
}

/// Imports statement files: any importable format, or a canonical JSON document (`recon convert
/// --to json`). Each file is one transaction; a file that does not parse contributes nothing.
pub fn import_statements(
    ws: &mut Workspace,
    principal: &Principal,
    paths: &[PathBuf],
    options: &ImportOptions,
) -> Result<WorkspaceImport, ApiError> {
    let mut result = WorkspaceImport::default();
    let mut imported_sources = HashSet::new();
    let options = &with_known_closings(ws, options)?;
    for path in paths {
        let file = read_input(path, &options.parse.limits)?;
        let statements = if file.bytes.first() == Some(&b'{') {
            canonical_json_statements(&file)?
        } else {
            let report = import_statement_files(std::slice::from_ref(&file), options);
            let failed = report
                .issues
                .iter()
                .any(|i| i.severity == Severity::Error && report.statements.is_empty());
            // The series checks run once below, over the whole workspace.
            result
                .issues
                .extend(report.issues.into_iter().filter(|i| !is_series_issue(i)));
            if failed {
                continue;
            }
            report.statements
        };
        result.files.push(ws.import_statements(
            &actor(principal),
            &file_record(&file, true),
            &statements,
        )?);
        imported_sources.extend(statements.iter().map(|s| s.source.clone()));
    }
    result.issues.extend(series_issues(ws, &imported_sources)?);
    Ok(result)
}

/// `options` as this workspace reads files: strictly when its `strict_import` setting is on, and
/// knowing the closing balances of its statements, so that a balance written without its sign in
/// the next day's file can be settled by the previous closing.
pub fn with_known_closings(
    ws: &Workspace,
    options: &ImportOptions,
) -> Result<ImportOptions, ApiError> {
    let mut options = options.clone();
    if ws.info().strict_import {
        options.parse.reading = recon_formats::ReadingMode::Strict;
    }
    let account = ws.info().account.clone();
    options
        .parse
        .known_closings
        .extend(ws.statement_periods()?.into_iter().filter_map(|p| {
            Some(recon_formats::KnownBalance {
                account: account.clone(),
                date: p.closing_date.as_deref()?.parse().ok()?,
                amount_minor: p.closing_minor?,
            })
        }));
    Ok(options)
}

/// Turns the workspace's strict-import setting on or off (audited).
pub fn set_strict_import(
    ws: &mut Workspace,
    principal: &Principal,
    strict: bool,
) -> Result<(), ApiError> {
    Ok(ws.set_strict_import(&actor(principal), strict)?)
}

/// Whether an issue is one of the series checks that [`series_issues`] makes for a workspace.
pub fn is_series_issue(issue: &recon_formats::Issue) -> bool {
    matches!(
        issue.code.as_deref(),
        Some("series.chain" | "series.gap" | "series.overlap")
    )
}

/// The series checks (chain, gaps, overlaps) over every active statement of the workspace, as
/// far as they concern the statements of `sources` (the files just imported).
pub fn series_issues(
    ws: &Workspace,
    sources: &HashSet<String>,
) -> Result<Vec<recon_formats::Issue>, ApiError> {
    if sources.is_empty() {
        return Ok(Vec::new());
    }
    let info = ws.info();
    let Ok(currency) = Currency::from_code(&info.currency) else {
        return Ok(Vec::new());
    };
    let date = |t: &str| t.parse::<Date>().ok();
    let items: Vec<SeriesItem> = ws
        .statement_periods()?
        .into_iter()
        .filter_map(|p| {
            let closing = p.closing_date.as_deref().and_then(date);
            let first_line = p.first_line_date.as_deref().and_then(date);
            let to = closing.or_else(|| date(&p.last_date))?;
            let from = match (first_line, closing) {
                (Some(a), Some(b)) => a.min(b),
                (a, b) => a.or(b).or_else(|| date(&p.first_date))?,
            };
            Some(SeriesItem {
                name: if p.sequence.is_empty() {
                    p.statement_id
                } else {
                    format!("{}/{}", p.statement_id, p.sequence)
                },
                source: p.source,
                account: info.account.clone(),
                currency,
                from,
                to: to.max(from),
                opening_minor: p.opening_minor,
                closing_minor: p.closing_minor,
            })
        })
        .collect();
    let mut issues = integrity::check_chain_items(&items);
    issues.extend(integrity::check_series_items(&items));
    issues.retain(|i| sources.contains(&i.file));
    Ok(issues)
}

/// Stores statements already parsed from `file` (one transaction).
pub fn import_parsed_statements(
    ws: &mut Workspace,
    principal: &Principal,
    file: &InputFile,
    statements: &[recon_model::Statement],
) -> Result<ImportOutcome, ApiError> {
    Ok(ws.import_statements(&actor(principal), &file_record(file, true), statements)?)
}

/// Stores ledger entries already parsed from `file` (one transaction).
pub fn import_parsed_ledger(
    ws: &mut Workspace,
    principal: &Principal,
    file: &InputFile,
    entries: &[recon_model::LedgerEntry],
) -> Result<ImportOutcome, ApiError> {
    Ok(ws.import_ledger(&actor(principal), &file_record(file, false), entries)?)
}

/// Imports ledger extracts (canonical ledger CSV), each file one transaction.
pub fn import_ledger(
    ws: &mut Workspace,
    principal: &Principal,
    paths: &[PathBuf],
    limits: &Limits,
) -> Result<WorkspaceImport, ApiError> {
    let mut result = WorkspaceImport::default();
    for path in paths {
        let file = read_input(path, limits)?;
        let entries = crate::import_ledger_files(std::slice::from_ref(&file), None, limits)?;
        result.files.push(ws.import_ledger(
            &actor(principal),
            &file_record(&file, false),
            &entries,
        )?);
    }
    Ok(result)
}

/// Replaces the imported statement with the same identity by the corrected one in `path`.
pub fn replace_statement(
    ws: &mut Workspace,
    principal: &Principal,
    path: &Path,
    reason: &str,
    options: &ImportOptions,
) -> Result<ImportOutcome, ApiError> {
    let file = read_input(path, &options.parse.limits)?;
    let statements = if file.bytes.first() == Some(&b'{') {
        canonical_json_statements(&file)?
    } else {
        let report = import_statement_files(std::slice::from_ref(&file), options);
        if let Some(e) = report.issues.iter().find(|i| i.severity == Severity::Error) {
            return Err(ApiError::InvalidArgument(format!(
                "{}: {}",
                e.file, e.message
            )));
        }
        report.statements
    };
    let [statement] = statements.as_slice() else {
        return Err(ApiError::InvalidArgument(format!(
            "{}: a replacement file must hold exactly one statement, not {}",
            file.name,
            statements.len()
        )));
    };
    Ok(ws.replace_statement(
        &actor(principal),
        &file_record(&file, true),
        statement,
        reason,
    )?)
}

/// Runs the matcher over the workspace: confirmed manual and accepted groups are locked,
/// rejected pairs never proposed again; the run is stored.
pub fn match_workspace(
    ws: &mut Workspace,
    principal: &Principal,
    rules_file: Option<&Path>,
) -> Result<RunSummary, ApiError> {
    let (rules, rules_sha256) = crate::load_rules_with_hash(rules_file)?;
    let data = ws.match_data()?;
    let outcome = recon_match::run(&data.input(), &rules, &mut ())
        .map_err(|e| ApiError::InvalidArgument(e.to_string()))?;
    Ok(ws.store_run(
        &actor(principal),
        &rules.name,
        &rules_sha256,
        &data,
        &outcome,
    )?)
}

pub fn list_exceptions(
    ws: &Workspace,
    query: &ExceptionQuery,
    as_of: Option<Date>,
) -> Result<Vec<ExceptionRow>, ApiError> {
    Ok(ws.exceptions(query, as_of.unwrap_or_else(today))?)
}

pub fn list_suggestions(ws: &Workspace, limit: usize) -> Result<Vec<SuggestionRow>, ApiError> {
    Ok(ws.suggestions(limit)?)
}

pub fn list_groups(ws: &Workspace) -> Result<Vec<GroupRow>, ApiError> {
    Ok(ws.reviewed_groups()?)
}

/// An adjustment from its reason code and note.
pub fn adjustment(reason: &str, note: &str) -> Result<Adjustment, ApiError> {
    let reason = AdjustmentReason::from_name(reason).ok_or_else(|| {
        ApiError::InvalidArgument(format!(
            "unknown adjustment reason {reason:?}; expected bank_charge, fx_difference, rounding, timing or write_off"
        ))
    })?;
    Ok(Adjustment {
        reason,
        note: note.to_string(),
    })
}

pub fn accept_suggestions(
    ws: &mut Workspace,
    principal: &Principal,
    ids: &[i64],
    adjustment: Option<&Adjustment>,
) -> Result<DecisionReceipt, ApiError> {
    Ok(ws.accept_suggestions(&actor(principal), ids, adjustment)?)
}

pub fn reject_suggestions(
    ws: &mut Workspace,
    principal: &Principal,
    ids: &[i64],
    reason: &str,
) -> Result<DecisionReceipt, ApiError> {
    Ok(ws.reject_suggestions(&actor(principal), ids, reason)?)
}

pub fn manual_match(
    ws: &mut Workspace,
    principal: &Principal,
    bank: &[String],
    ledger: &[String],
    adjustment: Option<&Adjustment>,
) -> Result<DecisionReceipt, ApiError> {
    Ok(ws.manual_match(&actor(principal), bank, ledger, adjustment)?)
}

pub fn unmatch(
    ws: &mut Workspace,
    principal: &Principal,
    groups: &[i64],
) -> Result<DecisionReceipt, ApiError> {
    Ok(ws.unmatch(&actor(principal), groups)?)
}

pub fn comment(
    ws: &mut Workspace,
    principal: &Principal,
    targets: &[String],
    text: &str,
) -> Result<DecisionReceipt, ApiError> {
    Ok(ws.comment(&actor(principal), targets, text)?)
}

pub fn attach(
    ws: &mut Workspace,
    principal: &Principal,
    targets: &[String],
    path: &Path,
) -> Result<DecisionReceipt, ApiError> {
    let size = std::fs::metadata(path)
        .map_err(|source| ApiError::Read {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    if size > recon_store::ATTACHMENT_BYTES_MAX as u64 {
        return Err(ApiError::InvalidArgument(format!(
            "{}: {size} bytes; attachments are limited to {} bytes",
            path.display(),
            recon_store::ATTACHMENT_BYTES_MAX
        )));
    }
    let bytes = std::fs::read(path).map_err(|source| ApiError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    Ok(ws.attach(&actor(principal), targets, &name, &bytes)?)
}

pub fn assign(
    ws: &mut Workspace,
    principal: &Principal,
    targets: &[String],
    assignee: &str,
) -> Result<DecisionReceipt, ApiError> {
    Ok(ws.assign(&actor(principal), targets, assignee)?)
}

/// Removes the targets' assignments (audited as `unassign`).
pub fn unassign(
    ws: &mut Workspace,
    principal: &Principal,
    targets: &[String],
) -> Result<DecisionReceipt, ApiError> {
    Ok(ws.unassign(&actor(principal), targets)?)
}

pub fn undo_last(ws: &mut Workspace, principal: &Principal) -> Result<DecisionReceipt, ApiError> {
    Ok(ws.undo_last(&actor(principal))?)
}

pub fn reconciliation_statement(ws: &Workspace) -> Result<ReconciliationStatement, ApiError> {
    Ok(ws.reconciliation_statement()?)
}

pub fn status(ws: &Workspace) -> Result<WorkspaceStatus, ApiError> {
    Ok(ws.status()?)
}

pub fn prepare(ws: &mut Workspace, principal: &Principal) -> Result<SignOffRecord, ApiError> {
    Ok(ws.prepare(&actor(principal))?)
}

pub fn approve(ws: &mut Workspace, principal: &Principal) -> Result<SignOffRecord, ApiError> {
    Ok(ws.approve(&actor(principal))?)
}

pub fn reject_sign_off(
    ws: &mut Workspace,
    principal: &Principal,
    reason: &str,
) -> Result<SignOffRecord, ApiError> {
    Ok(ws.reject(&actor(principal), reason)?)
}

/// What `recon audit verify` found.
#[derive(Clone, Debug, serde::Serialize)]
pub struct AuditReport {
    pub entries: usize,
    pub integrity: String,
    /// Some(false) when an approval's content hash no longer matches (must never happen).
    pub approval_current: Option<bool>,
}

/// Verifies the audit chain (opening already verified it; this reports), the database's
/// integrity and whether an approval still covers the content.
pub fn verify_audit(dir: &Path, keys: &dyn KeyStore) -> Result<AuditReport, ApiError> {
    let ws = open_workspace(dir, keys)?;
    Ok(AuditReport {
        entries: ws.verify_audit()?,
        integrity: ws.integrity_check()?,
        approval_current: ws.approval_current()?,
    })
}

#[derive(serde::Deserialize)]
struct JsonDocument {
    statements: Vec<JsonStatement>,
}

#[derive(serde::Deserialize)]
struct JsonStatement {
    source: String,
    format: String,
    account: String,
    currency: String,
    statement_id: String,
    sequence: Option<String>,
    opening_balance: Option<JsonBalance>,
    closing_balance: Option<JsonBalance>,
    lines: Vec<JsonLine>,
}

#[derive(serde::Deserialize)]
struct JsonBalance {
    date: String,
    amount: String,
}

#[derive(serde::Deserialize)]
struct JsonLine {
    line_id: String,
    booking_date: String,
    value_date: Option<String>,
    amount: String,
    reference: Option<String>,
    bank_reference: Option<String>,
    counterparty: Option<String>,
    description: String,
    type_code: Option<String>,
}

/// Reads a canonical JSON document (the contract of `recon convert --to json`) back into
/// statements.
fn canonical_json_statements(file: &InputFile) -> Result<Vec<Statement>, ApiError> {
    let bad =
        |what: String| ApiError::InvalidArgument(format!("{}: canonical JSON: {what}", file.name));
    let doc: JsonDocument = serde_json::from_slice(&file.bytes).map_err(|e| bad(e.to_string()))?;
    let date =
        |s: &str| Date::parse_from_str(s, "%Y-%m-%d").map_err(|e| bad(format!("date {s:?}: {e}")));
    let mut out = Vec::with_capacity(doc.statements.len());
    for s in doc.statements {
        let currency = Currency::from_code(&s.currency).map_err(|e| bad(e.to_string()))?;
        let amount = |a: &str| {
            parse_minor(a, b'.', currency.exponent()).map_err(|e| bad(format!("amount {a:?}: {e}")))
        };
        let balance = |b: Option<JsonBalance>| -> Result<Option<Balance>, ApiError> {
            b.map(|b| {
                Ok(Balance {
                    date: date(&b.date)?,
                    amount_minor: amount(&b.amount)?,
                })
            })
            .transpose()
        };
        let mut lines = Vec::with_capacity(s.lines.len());
        for l in s.lines {
            lines.push(StatementLine {
                booking_date: date(&l.booking_date)?,
                value_date: l.value_date.as_deref().map(date).transpose()?,
                amount_minor: amount(&l.amount)?,
                line_id: l.line_id,
                reference: l.reference,
                bank_reference: l.bank_reference,
                servicer_reference: None,
                counterparty: l.counterparty,
                counterparty_account: None,
                description: l.description,
                type_code: l.type_code,
                details: Vec::new(),
            });
        }
        out.push(Statement {
            source: s.source,
            format: recon_model::Format::from_name(&s.format).unwrap_or_default(),
            account: s.account,
            currency,
            statement_id: s.statement_id,
            sequence: s.sequence,
            opening_balance: balance(s.opening_balance)?,
            closing_balance: balance(s.closing_balance)?,
            lines,
            reading: recon_model::Reading::default(),
        });
    }
    Ok(out)
}
