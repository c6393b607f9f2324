//! The built-in demo: bundled sample statements (camt.053, MT940, BAI2) and a ledger extract,
//! embedded in the binary so `recon demo` runs anywhere with no configuration.

use crate::{
    ApiError, ImportOptions, ImportReport, InputFile, import_ledger_files, import_statement_files,
};
use recon_formats::Limits;
use recon_model::LedgerEntry;

/// The bundled demo files: (name, bytes).
pub const DEMO_STATEMENTS: [(&str, &[u8]); 3] = [
    (
        "demo-2026-11-a.camt053.xml",
        include_bytes!("../../../assets/demo/statements/demo-2026-11-a.camt053.xml"),
    ),
    (
        "demo-2026-11-b.sta",
        include_bytes!("../../../assets/demo/statements/demo-2026-11-b.sta"),
    ),
    (
        "demo-usd.bai",
        include_bytes!("../../../assets/demo/statements/demo-usd.bai"),
    ),
];
pub const DEMO_LEDGER: (&str, &[u8]) = (
    "ledger.csv",
    include_bytes!("../../../assets/demo/ledger.csv"),
);

#[derive(Debug)]
pub struct DemoReport {
    pub import: ImportReport,
    pub ledger: Vec<LedgerEntry>,
    pub outcome: recon_match::MatchOutcome,
}

/// Runs the headless main job on the bundled samples: import statements and the ledger.
pub fn run_demo() -> Result<DemoReport, ApiError> {
    let files: Vec<InputFile> = DEMO_STATEMENTS
        .iter()
        .map(|(name, bytes)| InputFile {
            name: (*name).to_string(),
            bytes: bytes.to_vec(),
        })
        .collect();
    let import = import_statement_files(&files, &ImportOptions::default());
    let ledger = import_ledger_files(
        &[InputFile {
            name: DEMO_LEDGER.0.to_string(),
            bytes: DEMO_LEDGER.1.to_vec(),
        }],
        None,
        &Limits::default(),
    )?;
    let (bank_items, ledger_items) = crate::match_items(&import.statements, &ledger);
    let input = recon_match::MatchInput {
        bank: bank_items,
        ledger: ledger_items,
        ..recon_match::MatchInput::default()
    };
    let outcome = recon_match::run(&input, &recon_match::RuleSet::default_rules(), &mut ())
        .map_err(|e| ApiError::InvalidArgument(e.to_string()))?;
    Ok(DemoReport {
        import,
        ledger,
        outcome,
    })
}

/// What the workspace part of the demo did.
#[derive(Debug)]
pub struct WorkspaceDemo {
    /// Where the key lived ("OS keyring", or the in-memory demo key store).
    pub key_store: String,
    /// One line per step, in order.
    pub steps: Vec<String>,
    pub currency: String,
    pub exponent: u32,
    pub statement: recon_review::ReconciliationStatement,
    pub sign_off: recon_store::SignOffRecord,
    pub audit_entries: usize,
}

/// The demo workspace's account and period (the EUR account of the bundled samples).
pub const DEMO_ACCOUNT: &str = "NL91ABNA0417164300";

/// The whole review flow on a throw-away workspace: import the bundled samples, match, accept
/// and reject a suggestion, book an unbooked bank charge by manual match with an adjustment,
/// prepare as clerk "clara", approve as supervisor "sam". Keys go to the OS keyring when one
/// answers; otherwise to an in-memory key store used for this demo workspace only (no real
/// workspace ever falls back to it). The workspace and its key are removed afterwards.
/// With `export_dir`, the approved reconciliation's sign-off pack is written there as
/// signoff-pack.pdf, .xlsx and .csv.
pub fn run_workspace_demo(export_dir: Option<&std::path::Path>) -> Result<WorkspaceDemo, ApiError> {
    let (files, report) = demo_files()?;
    let dir = std::env::temp_dir().join(format!("recon-demo-workspace-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    run_workspace_demo_rest(dir, files, report, export_dir)
}

/// Statements grouped by the file they came from.
type FileStatements = Vec<(String, Vec<recon_model::Statement>)>;

/// The bundled statements grouped by file, with the demo's report (its ledger).
fn demo_files() -> Result<(FileStatements, DemoReport), ApiError> {
    let mut report = run_demo()?;
    let mut files: Vec<(String, Vec<recon_model::Statement>)> = Vec::new();
    for s in std::mem::take(&mut report.import.statements) {
        match files.iter_mut().find(|(name, _)| *name == s.source) {
            Some((_, list)) => list.push(s),
            None => files.push((s.source.clone(), vec![s])),
        }
    }
    if files.is_empty() {
        let reasons: Vec<String> = report
            .import
            .issues
            .iter()
            .map(|i| format!("{}: {}", i.file, i.message))
            .collect();
        return Err(ApiError::InvalidArgument(format!(
            "the bundled statements could not be imported ({})",
            reasons.join("; ")
        )));
    }
    Ok((files, report))
}

/// The demo reconciliation, approved, as a workspace in `dir` that stays (tests and benches of
/// what follows an approval: publishing).
pub fn approved_demo_workspace(
    dir: &std::path::Path,
    keys: &dyn recon_store::KeyStore,
) -> Result<WorkspaceDemo, ApiError> {
    let (files, report) = demo_files()?;
    workspace_demo_flow(dir, keys, &files, &report.ledger, None)
}

fn run_workspace_demo_rest(
    dir: std::path::PathBuf,
    files: Vec<(String, Vec<recon_model::Statement>)>,
    report: DemoReport,
    export_dir: Option<&std::path::Path>,
) -> Result<WorkspaceDemo, ApiError> {
    let os = recon_store::OsKeyStore;
    let memory = recon_store::MemoryKeyStore::default();
    let (keys, key_store): (&dyn recon_store::KeyStore, String) =
        match recon_store::OsKeyStore::probe() {
            Ok(()) => (&os, "OS keyring (Secret Service)".to_string()),
            Err(e) => (
                &memory,
                format!(
                    "in-memory demo key store: {e}. The demo workspace's key lives in this process only and the workspace is deleted at the end; real workspaces (recon ws) refuse to run without the OS keyring"
                ),
            ),
        };
    let result = workspace_demo_flow(&dir, keys, &files, &report.ledger, export_dir);
    if let Ok(id) = recon_store::Workspace::read_id(&dir) {
        let _ = keys.delete(&id);
    }
    let _ = std::fs::remove_dir_all(&dir);
    let mut demo = result?;
    demo.key_store = key_store;
    Ok(demo)
}

/// The flow itself, on given statements (grouped by file) and ledger entries.
pub fn workspace_demo_flow(
    dir: &std::path::Path,
    keys: &dyn recon_store::KeyStore,
    files: &[(String, Vec<recon_model::Statement>)],
    ledger: &[LedgerEntry],
    export_dir: Option<&std::path::Path>,
) -> Result<WorkspaceDemo, ApiError> {
    use crate::workspace as w;
    use recon_review::{AdjustmentReason, Principal, Role};
    use sha2::Digest;
    let clara = Principal::new("clara", "Clara (clerk)", &[Role::Clerk]);
    let sam = Principal::new("sam", "Sam (supervisor)", &[Role::Supervisor]);
    let mut steps = Vec::new();
    let info = w::create_workspace(
        &w::NewWorkspace {
            dir: dir.to_path_buf(),
            account: DEMO_ACCOUNT.into(),
            currency: "EUR".into(),
            period_start: recon_model::Date::from_ymd_opt(2026, 11, 1).expect("date"),
            period_end: recon_model::Date::from_ymd_opt(2026, 11, 30).expect("date"),
            ledger_opening: None,
        },
        &clara,
        keys,
    )?;
    steps.push(format!(
        "clara created workspace {} for {} EUR, November 2026",
        info.id, info.account
    ));
    let mut ws = w::open_workspace(dir, keys)?;
    let at = || recon_store::Actor {
        principal: &clara,
        at: w::now_rfc3339(),
    };
    let record = |name: &str, bytes: &[u8], keep: bool| recon_store::FileRecord {
        name: name.to_string(),
        sha256_hex: recon_review::hex(&sha2::Sha256::digest(bytes)),
        source: None,
        contents: keep.then(|| bytes.into()),
    };
    for (name, statements) in files {
        // A bundled file is recorded with its bytes (kept, and published with the
        // reconciliation); statements from elsewhere with a digest of what they hold.
        let out = match DEMO_STATEMENTS.iter().find(|(n, _)| n == name) {
            Some((_, bytes)) => {
                ws.import_statements(&at(), &record(name, bytes, true), statements)?
            }
            None => {
                let key = statements
                    .iter()
                    .map(|s| format!("{}/{}", s.statement_id, s.lines.len()))
                    .collect::<String>();
                ws.import_statements(
                    &at(),
                    &record(name, format!("{name}{key}").as_bytes(), false),
                    statements,
                )?
            }
        };
        steps.push(format!(
            "imported {name}: {} statements, {} lines{}",
            out.statements_imported,
            out.lines_imported,
            if out.skipped.is_empty() {
                String::new()
            } else {
                format!(" (skipped: {})", out.skipped.join("; "))
            }
        ));
    }
    let out = ws.import_ledger(&at(), &record(DEMO_LEDGER.0, DEMO_LEDGER.1, false), ledger)?;
    steps.push(format!(
        "imported {}: {} ledger entries",
        DEMO_LEDGER.0, out.ledger_entries_imported
    ));
    let run = w::match_workspace(&mut ws, &clara, None)?;
    steps.push(format!(
        "matched: {} auto groups, {} suggestions, {} exceptions",
        run.auto_groups, run.suggestions, run.exceptions
    ));
    let suggestions = w::list_suggestions(&ws, 10)?;
    if let Some(s) = suggestions.first() {
        let r = w::accept_suggestions(&mut ws, &clara, &[s.id], None)?;
        steps.push(format!(
            "clara accepted suggestion {} ({} ~ {}): decision {}",
            s.id,
            s.bank.join(" "),
            s.ledger.join(" "),
            r.decision
        ));
    }
    if let Some(s) = suggestions.iter().skip(1).find(|s| {
        ws.suggestions(100)
            .map(|open| open.iter().any(|o| o.id == s.id))
            .unwrap_or(false)
    }) {
        let r = w::reject_suggestions(&mut ws, &clara, &[s.id], "different customer")?;
        steps.push(format!(
            "clara rejected suggestion {}: decision {}",
            s.id, r.decision
        ));
    }
    let exceptions = w::list_exceptions(
        &ws,
        &recon_store::ExceptionQuery {
            side: Some("bank".into()),
            ..Default::default()
        },
        None,
    )?;
    if let Some(fee) = exceptions
        .iter()
        .find(|e| e.amount_minor < 0 && e.description.to_lowercase().contains("charge"))
    {
        let adj = recon_store::Adjustment {
            reason: AdjustmentReason::BankCharge,
            note: "unbooked bank charge; journal to 6510 Bank charges".into(),
        };
        let r = w::manual_match(
            &mut ws,
            &clara,
            std::slice::from_ref(&fee.item_id),
            &[],
            Some(&adj),
        )?;
        steps.push(format!(
            "clara matched bank line {} ({}) by hand with a bank-charge adjustment: decision {}",
            fee.item_id,
            recon_model::format_minor(fee.amount_minor, 2),
            r.decision
        ));
        w::comment(
            &mut ws,
            &clara,
            &[format!("bank:{}", fee.item_id)],
            "charge confirmed on the bank's fee advice",
        )?;
    }
    let statement = w::reconciliation_statement(&ws)?;
    let prepared = w::prepare(&mut ws, &clara)?;
    steps.push(format!(
        "clara prepared the reconciliation (state {})",
        prepared.state.name()
    ));
    if let Err(e) = w::approve(
        &mut ws,
        &Principal::new("clara", "Clara", &[Role::Clerk, Role::Supervisor]),
    ) {
        steps.push(format!(
            "clara tried to approve her own work: refused ({e})"
        ));
    }
    let approved = w::approve(&mut ws, &sam)?;
    steps.push(format!(
        "sam approved (content hash {})",
        approved.content_hash.as_deref().unwrap_or("-")
    ));
    let audit_entries = ws.verify_audit()?;
    steps.push(format!("audit chain verified: {audit_entries} entries"));
    if let Some(out) = export_dir {
        std::fs::create_dir_all(out).map_err(|source| ApiError::Write {
            path: out.to_path_buf(),
            source,
        })?;
        for format in [
            crate::ReportFormat::Pdf,
            crate::ReportFormat::Xlsx,
            crate::ReportFormat::Csv,
        ] {
            let path = out.join(format!("signoff-pack.{}", format.name()));
            let report =
                crate::export_sign_off(&mut ws, format, &path, &crate::PdfOptions::default())?;
            steps.push(format!(
                "wrote the sign-off pack {} ({} bytes)",
                report.path.display(),
                report.bytes
            ));
        }
    }
    Ok(WorkspaceDemo {
        key_store: keys.describe().to_string(),
        steps,
        currency: "EUR".into(),
        exponent: 2,
        statement,
        sign_off: approved,
        audit_entries,
    })
}
