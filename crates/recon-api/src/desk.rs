//! The desktop workbench's use cases and the DTOs that cross its IPC boundary. `Desk` holds what
//! a running app holds (the local profile signed in, the workspace open); each method is one
//! command of src-tauri, which only wraps it. The TypeScript types of every DTO are generated
//! from these definitions by ts-rs (`cargo test -p recon-api` writes ui/src/bindings/).

use crate::identity::{Identity, Session, WhoAmI};
use crate::inbox::{self, InboxConfig, InboxProgress, InboxView, PullReport, StatementSource};
use crate::publish;
use crate::workspace::{self as w, today};
use crate::{ApiError, ErrorCode, ImportOptions, InputFile, PdfOptions, ReportFormat};
use recon_formats::Severity;
use recon_review::identity::Purpose;
use recon_review::{AdjustmentReason, Assurance, Principal, Role, SignOffState};
use recon_store::{ExceptionQuery, ExceptionSort, KeyStore, Workspace};
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use ts_rs::TS;

/// What a rejected command carries to the UI: a stable code and a message for people.
#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct IpcError {
    pub code: ErrorCode,
    pub message: String,
}

impl From<ApiError> for IpcError {
    fn from(e: ApiError) -> IpcError {
        IpcError {
            code: e.code(),
            message: e.to_string(),
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "Role")]
pub enum RoleName {
    Clerk,
    Supervisor,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "SignOffState")]
pub enum SignOffStateName {
    Open,
    InReview,
    Prepared,
    Approved,
}

impl From<SignOffState> for SignOffStateName {
    fn from(s: SignOffState) -> SignOffStateName {
        match s {
            SignOffState::Open => SignOffStateName::Open,
            SignOffState::InReview => SignOffStateName::InReview,
            SignOffState::Prepared => SignOffStateName::Prepared,
            SignOffState::Approved => SignOffStateName::Approved,
        }
    }
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "AdjustmentReason")]
pub enum AdjustmentReasonName {
    BankCharge,
    FxDifference,
    Rounding,
    Timing,
    WriteOff,
}

#[derive(Clone, Copy, Debug, Serialize, Deserialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    Pdf,
    Xlsx,
    Csv,
}

#[derive(Clone, Debug, Serialize, Deserialize, TS, PartialEq, Eq)]
#[ts(export)]
pub struct Profile {
    pub user: String,
    pub display_name: String,
    pub role: RoleName,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct WorkspaceSummary {
    pub id: String,
    pub name: String,
    pub account: String,
    pub currency: String,
    pub exponent: u32,
    pub period_start: Option<String>,
    pub period_end: Option<String>,
    pub state: SignOffStateName,
    pub bank_lines: i64,
    pub ledger_entries: i64,
    pub match_rate_permille: i64,
    pub open_exceptions: i64,
    pub oldest_exception_days: Option<i64>,
    /// A demo workspace: its users are self-asserted (labelled DEMO in the app).
    pub demo: bool,
}

/// The open workspace's import settings.
#[derive(Clone, Debug, Serialize, TS, PartialEq, Eq)]
#[ts(export)]
pub struct ImportSettings {
    /// Every import reads strictly: a file that deviates from its format is refused instead of read
    /// with its deviations recorded as warnings.
    pub strict_import: bool,
}

/// What the app is and where it keeps things: the About box (Help), and what support asks first.
#[derive(Clone, Debug, Serialize, TS, PartialEq, Eq)]
#[ts(export)]
pub struct About {
    pub product: String,
    /// The app's version (the shell's package version).
    pub version: String,
    /// Operating system and architecture, e.g. "linux x86_64".
    pub os: String,
    /// The workspace schema this build reads and writes.
    pub workspace_schema: i64,
    pub workspaces_folder: String,
    /// The identity provider, or that there is none (demo mode only).
    pub identity: String,
    /// The statement inbox's statement prefix template, or that none is configured.
    pub inbox: String,
}

/// Who is signed in, and how, for the app's sign-in screen and top bar.
#[derive(Clone, Debug, Serialize, TS, PartialEq, Eq)]
#[ts(export)]
pub struct AuthStatus {
    /// An identity provider is configured ("Sign in with Okta" is offered).
    pub provider_configured: bool,
    /// "OpenID provider https://... (client ...)", when configured.
    pub provider: Option<String>,
    /// Why the configuration could not be used, when it could not.
    pub config_error: Option<String>,
    /// The verified person, when signed in through the provider.
    pub verified: Option<WhoAmI>,
    /// The picked demo profile, when in demo mode.
    pub demo_profile: Option<Profile>,
    /// When the current sign-in stops being usable without the provider (Unix seconds): the
    /// ID token's expiry online (silently refreshed before), the end of the offline grace
    /// offline. The app shows a banner as it approaches.
    pub session_ends_at: Option<i64>,
}

/// The sign-in adapter, out of the desk for a browser round trip.
pub struct SignInTicket(Box<dyn Identity>);

/// A finished browser round trip, to hand back to [`Desk::complete_sign_in`].
pub struct SignInDone {
    identity: Box<dyn Identity>,
    result: Result<Session, ApiError>,
}

impl SignInTicket {
    pub fn run(mut self, fresh: bool) -> SignInDone {
        let purpose = if fresh {
            Purpose::Approve
        } else {
            Purpose::Review
        };
        let result = self.0.sign_in(purpose);
        SignInDone {
            identity: self.0,
            result,
        }
    }
}

/// What signing out did.
#[derive(Clone, Debug, Serialize, TS, PartialEq, Eq)]
#[ts(export)]
pub struct SignOutResult {
    pub revoked: bool,
    pub end_session_url: Option<String>,
    pub note: Option<String>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct IssueRow {
    pub file: String,
    pub line: Option<i64>,
    #[ts(type = "\"error\" | \"warning\"")]
    pub severity: String,
    pub message: String,
    pub excerpt: String,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct ImportFileResult {
    pub file: String,
    #[ts(type = "\"imported\" | \"skipped\" | \"rejected\"")]
    pub status: String,
    pub statements: i64,
    pub records: i64,
}

#[derive(Clone, Debug, Default, Serialize, TS)]
#[ts(export)]
pub struct ImportResult {
    pub files: Vec<ImportFileResult>,
    pub issues: Vec<IssueRow>,
    pub bank_lines: i64,
    pub ledger_entries: i64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct ImportProgress {
    pub file: String,
    pub files_done: i64,
    pub files_total: i64,
    pub records: i64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct MatchProgress {
    pub phase: String,
    pub done: i64,
    pub total: i64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct RuleStat {
    pub rule: String,
    #[ts(type = "\"auto\" | \"suggested\" | \"manual\"")]
    pub status: String,
    pub groups: i64,
    pub items: i64,
    pub amount_minor: i64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct AgingBucket {
    pub label: String,
    pub items: i64,
    pub amount_minor: i64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct StatementRow {
    pub label: String,
    pub amount_minor: i64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct ReconciliationStatement {
    pub bank_closing_minor: i64,
    pub rows: Vec<StatementRow>,
    pub ledger_balance_minor: i64,
    pub unexplained_difference_minor: i64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct Dashboard {
    pub workspace: WorkspaceSummary,
    pub rules: Vec<RuleStat>,
    pub matched_amount_minor: i64,
    pub open_amount_minor: i64,
    pub aging: Vec<AgingBucket>,
    pub statement: ReconciliationStatement,
    /// What the limits of the last match run's passes left out ("rule: message"); empty when
    /// none was reached.
    pub limits: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, TS)]
#[ts(export, rename = "ExceptionQuery")]
pub struct ExceptionQueryDto {
    #[ts(type = "\"bank\" | \"ledger\" | null")]
    pub side: Option<String>,
    pub reason: Option<String>,
    pub text: Option<String>,
    #[ts(type = "\"age-desc\" | \"age-asc\" | \"amount-asc\" | \"amount-desc\"")]
    pub sort: String,
    pub offset: i64,
    pub limit: i64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct ExceptionRow {
    #[ts(type = "\"bank\" | \"ledger\"")]
    pub side: String,
    pub item_id: String,
    pub reason: String,
    pub amount_minor: i64,
    pub date: String,
    pub days_open: i64,
    pub reference: String,
    pub description: String,
    pub assignee: Option<String>,
    pub suggestions: i64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct ExceptionPage {
    pub rows: Vec<ExceptionRow>,
    pub total: i64,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct Suggestion {
    pub id: i64,
    pub rule: String,
    pub score: i64,
    pub difference_minor: i64,
    pub explanation: String,
    pub bank: Vec<String>,
    pub ledger: Vec<String>,
}

#[derive(Clone, Debug, Deserialize, TS)]
#[ts(export)]
pub struct Adjustment {
    pub reason: AdjustmentReasonName,
    pub note: String,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct DecisionReceipt {
    pub decision: i64,
    pub kind: String,
    pub group: Option<i64>,
}

impl From<recon_store::DecisionReceipt> for DecisionReceipt {
    fn from(r: recon_store::DecisionReceipt) -> DecisionReceipt {
        DecisionReceipt {
            decision: r.decision,
            kind: r.kind,
            group: r.group,
        }
    }
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct Comment {
    pub author: String,
    pub at: String,
    pub text: String,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct Attachment {
    pub name: String,
    pub sha256: String,
    pub bytes: i64,
    pub added_by: String,
    pub at: String,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct AuditEntry {
    pub seq: i64,
    pub at: String,
    pub actor: String,
    pub action: String,
    pub detail: String,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct ItemDetail {
    #[ts(type = "\"bank\" | \"ledger\"")]
    pub side: String,
    pub item_id: String,
    pub amount_minor: i64,
    pub date: String,
    pub reference: String,
    pub description: String,
    pub counterparty: String,
    pub fields: Vec<(String, String)>,
    pub status: String,
    pub group: Option<i64>,
    pub assignee: Option<String>,
    pub comments: Vec<Comment>,
    pub attachments: Vec<Attachment>,
    pub history: Vec<AuditEntry>,
}

#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct SignOff {
    pub state: SignOffStateName,
    pub preparer: Option<String>,
    pub prepared_at: Option<String>,
    pub approver: Option<String>,
    pub approved_at: Option<String>,
    pub content_hash: Option<String>,
    pub rejection_reason: Option<String>,
    pub unexplained_difference_minor: i64,
}

/// The local profiles until the sign-in issue puts Okta here.
pub fn profiles() -> Vec<Profile> {
    vec![
        Profile {
            user: "clara".into(),
            display_name: "Clara (clerk)".into(),
            role: RoleName::Clerk,
        },
        Profile {
            user: "sam".into(),
            display_name: "Sam (supervisor)".into(),
            role: RoleName::Supervisor,
        },
    ]
}

/// The running app's state: where workspaces live, the key store, who is signed in, what is open.
pub struct Desk {
    root: PathBuf,
    keys: Box<dyn KeyStore + Send>,
    /// The sign-in adapter, when an identity provider is configured.
    identity: Option<Box<dyn Identity>>,
    /// Why the identity configuration could not be used.
    identity_error: Option<String>,
    /// The verified session of this run (signed in through the provider).
    session: Option<Session>,
    /// The picked demo profile (demo mode: self-asserted, demo workspaces only).
    profile: Option<Profile>,
    open: Option<(String, Workspace)>,
    /// The open workspace's dashboard figures, on their own connection.
    figures: Option<Figures>,
    /// The statement inbox: its configuration and how to reach the store.
    inbox: Option<InboxWiring>,
    /// The store connection of the acting person (subject), made on first use.
    source: Option<(String, Box<dyn StatementSource>)>,
    /// Publishing: its configuration and how to reach the destinations.
    publishing: Option<PublishWiring>,
}

/// The destinations of one person (the shell builds them from the configuration).
pub struct Publishers {
    pub database: Option<Box<dyn publish::ResultsDb>>,
    pub archive: Option<(Box<dyn publish::Archive>, publish::ArchiveLocation)>,
}

/// Connects to the publishing destinations as a principal.
pub type PublishConnector = Box<dyn Fn(&Principal) -> Result<Publishers, ApiError> + Send>;

/// Publishing as the shell wired it.
pub struct PublishWiring {
    pub config: publish::PublishConfig,
    pub connect: PublishConnector,
}

/// Publishing taken out of the desk ([`Desk::begin_publish`]).
pub struct PublishJob {
    workspace: Workspace,
    principal: Principal,
    publishers: Publishers,
}

impl PublishJob {
    /// Drains the outbox (network; no desk held).
    pub fn run(
        mut self,
        now: bool,
        progress: &mut dyn FnMut(&str),
    ) -> Result<publish::DrainReport, ApiError> {
        fn db(d: &mut Box<dyn publish::ResultsDb>) -> &mut dyn publish::ResultsDb {
            &mut **d
        }
        fn archive(a: &mut Box<dyn publish::Archive>) -> &mut dyn publish::Archive {
            &mut **a
        }
        let mut destinations = publish::Destinations {
            database: self.publishers.database.as_mut().map(db),
            archive: self
                .publishers
                .archive
                .as_mut()
                .map(|(a, l)| (archive(a), l.clone())),
        };
        publish::drain(
            &mut self.workspace,
            &mut destinations,
            &self.principal,
            &publish::DrainOptions {
                now_unix: crate::workspace::unix_now(),
                now,
            },
            progress,
        )
    }
}

/// The History view: the account's published periods, or why they cannot be read now.
#[derive(Clone, Debug, Serialize, TS)]
#[ts(export)]
pub struct HistoryView {
    pub account: String,
    pub periods: Vec<publish::PublishedPeriod>,
    /// "PostgreSQL user@host:port/db"; empty when no database is configured.
    pub source: String,
    /// Why the database could not be read (offline, ...): the view is empty, nothing else waits.
    pub error: Option<String>,
    /// The previous period's open items this workspace took as opening items, if it did.
    pub carried: Option<crate::carry::CarriedView>,
}

/// Connects to the statement store as a principal (the shell builds it at start-up from the
/// configuration: S3 with the sign-in's web-identity credentials, or the standard AWS chain).
pub type SourceConnector =
    Box<dyn Fn(&Principal) -> Result<Box<dyn StatementSource>, ApiError> + Send>;

/// A listing taken out of the desk ([`Desk::begin_inbox_refresh`]).
pub struct InboxRefresh {
    source: Box<dyn StatementSource>,
    subject: String,
    workspace: String,
    locations: Vec<inbox::Location>,
}

/// What [`InboxRefresh::run`] found, to hand back to [`Desk::complete_inbox_refresh`].
pub struct InboxListed {
    source: Box<dyn StatementSource>,
    subject: String,
    workspace: String,
    listing: inbox::Listing,
}

impl InboxRefresh {
    /// Lists the prefixes (network; no desk held).
    pub fn run(mut self) -> InboxListed {
        let listing = inbox::list(self.source.as_mut(), self.locations);
        InboxListed {
            source: self.source,
            subject: self.subject,
            workspace: self.workspace,
            listing,
        }
    }
}

/// The inbox as the shell wired it.
pub struct InboxWiring {
    pub config: InboxConfig,
    pub connect: SourceConnector,
}

/// The dashboard's figures of the open workspace, read on a second connection to it: at a
/// million items they take a while, and the desk (the grid's pages, review decisions) must not
/// wait behind them. Cloned out of the desk and used without holding it. The last figures are
/// kept until another connection commits a change (SQLite's `data_version`) or the day turns.
#[derive(Clone)]
pub struct Figures(Arc<Mutex<FiguresState>>);

struct FiguresState {
    name: String,
    ws: Workspace,
    last: Option<((i64, recon_model::Date), Dashboard)>,
    /// The reconciliation statement's unexplained difference, by `data_version`.
    unexplained: Option<(i64, i64)>,
}

impl Figures {
    fn open(dir: &Path, keys: &dyn KeyStore, name: String) -> Result<Figures, ApiError> {
        Ok(Figures(Arc::new(Mutex::new(FiguresState {
            name,
            ws: w::open_workspace(dir, keys)?,
            last: None,
            unexplained: None,
        }))))
    }

    /// The sign-off record and the statement's unexplained difference. The app asks after every
    /// change (any change withdraws a sign-off), so it is answered here, without the desk.
    pub fn sign_off_status(&self) -> Result<SignOff, ApiError> {
        let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let version = state.ws.data_version()?;
        let unexplained = match state.unexplained {
            Some((at, unexplained)) if at == version => unexplained,
            _ => {
                let unexplained = w::reconciliation_statement(&state.ws)?.unexplained_minor;
                state.unexplained = Some((version, unexplained));
                unexplained
            }
        };
        Ok(sign_off_dto(state.ws.sign_off()?, unexplained))
    }

    pub fn dashboard(&self) -> Result<Dashboard, ApiError> {
        // A panic while computing leaves nothing half-done here: carry on with the state.
        let mut state = self.0.lock().unwrap_or_else(|e| e.into_inner());
        let stamp = (state.ws.data_version()?, today());
        if let Some((at, figures)) = &state.last
            && *at == stamp
        {
            return Ok(figures.clone());
        }
        let figures = dashboard_of(&state.ws, &state.name)?;
        state.last = Some((stamp, figures.clone()));
        Ok(figures)
    }
}

fn dashboard_of(ws: &Workspace, name: &str) -> Result<Dashboard, ApiError> {
    let workspace = summary(ws, name)?;
    let rules = ws
        .rule_counts()?
        .into_iter()
        .map(|c| RuleStat {
            rule: c.rule,
            status: c.status,
            groups: c.groups,
            items: c.items,
            amount_minor: c.bank_minor,
        })
        .collect();
    let (matched, open) = ws.matched_and_open_minor()?;
    let aging = ws
        .aging(today())?
        .into_iter()
        .map(|(label, items, amount)| AgingBucket {
            label,
            items,
            amount_minor: amount,
        })
        .collect();
    Ok(Dashboard {
        workspace,
        rules,
        matched_amount_minor: matched,
        open_amount_minor: open,
        aging,
        statement: statement_dto(&w::reconciliation_statement(ws)?),
        limits: ws.last_run_limits()?,
    })
}

impl std::fmt::Debug for Desk {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Desk").field("root", &self.root).finish()
    }
}

/// The demo workspace's directory name under the root.
pub const DEMO_WORKSPACE: &str = "demo-nl91-eur-2026-11";

fn not_found(what: String) -> ApiError {
    ApiError::NotFound(what)
}

/// One page of the exception grid: the rows of a query, each with its count of open suggestions,
/// and how many rows the query has in all.
pub fn exception_page(ws: &Workspace, q: &ExceptionQueryDto) -> Result<ExceptionPage, ApiError> {
    let query = ExceptionQuery {
        side: q.side.clone(),
        reason: q.reason.clone().filter(|r| !r.is_empty()),
        assignee: None,
        min_abs_amount_minor: None,
        text: q.text.clone().filter(|t| !t.trim().is_empty()),
        sort: ExceptionSort::from_name(&q.sort).unwrap_or_default(),
        limit: usize::try_from(q.limit).unwrap_or(1000),
        offset: usize::try_from(q.offset).unwrap_or(0),
    };
    let total = ws.exception_count(&query)?;
    let rows = w::list_exceptions(ws, &query, None)?;
    let mut out = Vec::with_capacity(rows.len());
    for r in rows {
        out.push(ExceptionRow {
            side: r.side,
            item_id: r.item_id,
            reason: r.reason,
            amount_minor: r.amount_minor,
            date: r.date,
            days_open: r.days_open,
            reference: r.reference,
            description: r.description,
            assignee: r.assignee,
            suggestions: r.open_suggestions,
        });
    }
    Ok(ExceptionPage { rows: out, total })
}

fn not_allowed(what: &str) -> ApiError {
    ApiError::NotAllowed(what.to_string())
}

impl Desk {
    /// A desk over the workspaces under `root`; the demo workspace is created there when no
    /// workspace exists yet.
    pub fn new(root: &Path, keys: Box<dyn KeyStore + Send>) -> Result<Desk, ApiError> {
        std::fs::create_dir_all(root).map_err(|source| ApiError::Write {
            path: root.to_path_buf(),
            source,
        })?;
        let desk = Desk {
            root: root.to_path_buf(),
            keys,
            identity: None,
            identity_error: None,
            session: None,
            profile: None,
            open: None,
            figures: None,
            inbox: None,
            publishing: None,
            source: None,
        };
        if desk.workspace_dirs().is_empty() {
            let clara = Principal::new("clara", "Clara (clerk)", &[Role::Clerk]);
            w::create_workspace(
                &w::NewWorkspace {
                    dir: root.join(DEMO_WORKSPACE),
                    account: crate::DEMO_ACCOUNT.into(),
                    currency: "EUR".into(),
                    period_start: recon_model::Date::from_ymd_opt(2026, 11, 1).expect("date"),
                    period_end: recon_model::Date::from_ymd_opt(2026, 11, 30).expect("date"),
                    ledger_opening: None,
                },
                &clara,
                desk.keys.as_ref(),
            )?;
        }
        Ok(desk)
    }

    fn workspace_dirs(&self) -> Vec<PathBuf> {
        let mut dirs: Vec<PathBuf> = std::fs::read_dir(&self.root)
            .map(|rd| {
                rd.filter_map(|e| e.ok())
                    .map(|e| e.path())
                    .filter(|p| p.join(recon_store::ID_FILE).exists())
                    .collect()
            })
            .unwrap_or_default();
        dirs.sort();
        dirs
    }

    /// The sign-in adapter (constructed by the shell at start-up), or why there is none.
    pub fn with_identity(mut self, identity: Result<Option<Box<dyn Identity>>, String>) -> Desk {
        match identity {
            Ok(i) => self.identity = i,
            Err(e) => self.identity_error = Some(e),
        }
        self
    }

    /// Publishing (constructed by the shell at start-up from the configuration).
    pub fn with_publishing(mut self, publishing: PublishWiring) -> Desk {
        self.publishing = Some(publishing);
        self
    }

    fn publish_destinations(&self) -> Vec<String> {
        self.publishing
            .as_ref()
            .map(|p| p.config.describe())
            .unwrap_or_default()
    }

    /// The outbox of the open workspace: what waits to be published, each entry's last error
    /// (no network; works offline).
    pub fn publish_status(&mut self) -> Result<publish::PublishStatus, ApiError> {
        let destinations = self.publish_destinations();
        publish::status(self.ws()?, destinations)
    }

    /// Seconds between background attempts (0: none).
    pub fn publish_interval_seconds(&self) -> u32 {
        self.publishing
            .as_ref()
            .filter(|p| p.config.configured())
            .map(|p| p.config.interval_seconds)
            .unwrap_or(0)
    }

    /// Publishes what waits in the open workspace's outbox. `now`: every entry now (the person
    /// asked); otherwise only those whose backoff has passed (the background task). Holds the
    /// desk throughout; a shell that must stay responsive uses [`Desk::begin_publish`].
    pub fn publish_now(
        &mut self,
        now: bool,
        progress: &mut dyn FnMut(&str),
    ) -> Result<publish::DrainReport, ApiError> {
        self.begin_publish()?.run(now, progress)
    }

    /// Takes what publishing needs out of the desk: its own connection to the open workspace
    /// (SQLite in WAL mode; the outbox's writes are short transactions), the acting person and
    /// their destinations. [`PublishJob::run`] then stages and sends without the desk, so an
    /// unreachable server never freezes the app while it waits out its timeouts.
    pub fn begin_publish(&mut self) -> Result<PublishJob, ApiError> {
        let principal = self.principal()?;
        let publishers = self.publishers(
            &principal,
            "nothing to publish to: set publish.database_url and/or publish.archive in the configuration file; approvals wait in the outbox until then",
        )?;
        let dir = self.ws()?.dir().to_path_buf();
        let workspace = Workspace::open(&dir, &*self.keys)?;
        Ok(PublishJob {
            workspace,
            principal,
            publishers,
        })
    }

    /// The publishing destinations as `principal`, or `unconfigured` as a configuration error.
    fn publishers(
        &self,
        principal: &Principal,
        unconfigured: &str,
    ) -> Result<Publishers, ApiError> {
        let wiring = self
            .publishing
            .as_ref()
            .filter(|p| p.config.configured())
            .ok_or_else(|| ApiError::Identity {
                code: ErrorCode::ConfigInvalid,
                message: unconfigured.into(),
            })?;
        (wiring.connect)(principal)
    }

    /// A supervisor reopens the published period of the open workspace (audited).
    pub fn publish_reopen(&mut self, reason: &str) -> Result<publish::PublishStatus, ApiError> {
        let principal = self.principal_for(Purpose::Approve)?;
        publish::reopen(self.ws()?, &principal, reason)?;
        self.publish_status()
    }

    /// The open workspace's import settings.
    pub fn import_settings(&mut self) -> Result<ImportSettings, ApiError> {
        Ok(ImportSettings {
            strict_import: self.ws()?.info().strict_import,
        })
    }

    /// Turns strict reading of every import on or off (audited as `setting_changed`; the
    /// reconciliation and its sign-off are untouched).
    pub fn set_strict_import(&mut self, strict: bool) -> Result<ImportSettings, ApiError> {
        let principal = self.principal()?;
        crate::workspace::set_strict_import(self.ws()?, &principal, strict)?;
        self.import_settings()
    }

    /// Brings the previous period's open items into the open workspace as its opening items,
    /// from the results database or else the S3 archive (once per workspace; audited).
    pub fn carry_forward(&mut self) -> Result<crate::carry::CarryReport, ApiError> {
        let principal = self.principal()?;
        let mut publishers = self.publishers(
            &principal,
            "the previous period's open items come from where it was published: set publish.database_url and/or publish.archive in the configuration file",
        )?;
        let database = publishers
            .database
            .as_mut()
            .map(|d| &mut **d as &mut dyn publish::ResultsDb);
        let archive = publishers
            .archive
            .as_mut()
            .map(|(a, l)| (&mut **a as &mut dyn publish::Archive, &*l));
        crate::carry::carry_forward(self.ws()?, &principal, database, archive)
    }

    /// The open workspace's account's published periods: from the results database, and from
    /// the S3 archive's manifests for periods the database does not hold (older periods moved
    /// out of it, or a team without one). An error is shown only when nothing could be read.
    pub fn publish_history(&mut self) -> Result<HistoryView, ApiError> {
        let account = self.ws()?.info().account.clone();
        let principal = self.principal()?;
        let carried = self
            .ws()?
            .carried_forward()?
            .map(crate::carry::CarriedView::from);
        let empty = |source: String, error: String| HistoryView {
            account: account.clone(),
            periods: Vec::new(),
            source,
            error: Some(error),
            carried: carried.clone(),
        };
        let Some(wiring) = self.publishing.as_ref().filter(|p| p.config.configured()) else {
            return Ok(empty(
                String::new(),
                "nothing published is configured (publish.database_url, publish.archive): the history of published periods lives there".into(),
            ));
        };
        let publishers = match (wiring.connect)(&principal) {
            Ok(p) => p,
            Err(e) => return Ok(empty(String::new(), e.to_string())),
        };
        let mut periods: Vec<publish::PublishedPeriod> = Vec::new();
        let mut sources = Vec::new();
        let mut errors = Vec::new();
        if let Some(mut db) = publishers.database {
            sources.push(db.describe());
            match publish::history(db.as_mut(), &account) {
                Ok(p) => periods = p,
                Err(e) => errors.push(e.to_string()),
            }
        }
        if let Some((mut archive, location)) = publishers.archive {
            sources.push(format!("S3 archive {}", location.uri(&location.prefix)));
            match publish::history_from_archive(
                archive.as_mut(),
                &location,
                &account,
                publish::HISTORY_PERIODS_MAX,
            ) {
                Ok(found) => {
                    for p in found {
                        let known = periods.iter().any(|q| {
                            q.period_start == p.period_start
                                && q.period_end == p.period_end
                                && q.revision == p.revision
                        });
                        if !known {
                            periods.push(p);
                        }
                    }
                }
                Err(e) => errors.push(e.to_string()),
            }
        }
        periods.sort_by(|a, b| {
            b.period_end
                .cmp(&a.period_end)
                .then(b.revision.cmp(&a.revision))
        });
        periods.truncate(publish::HISTORY_PERIODS_MAX);
        let error = (periods.is_empty() && !errors.is_empty()).then(|| errors.join("; "));
        Ok(HistoryView {
            account,
            periods,
            source: sources.join(" + "),
            error,
            carried,
        })
    }

    /// The statement inbox (constructed by the shell at start-up from the configuration).
    pub fn with_inbox(mut self, inbox: InboxWiring) -> Desk {
        self.inbox = Some(inbox);
        self
    }

    fn inbox_config(&self) -> InboxConfig {
        self.inbox
            .as_ref()
            .map(|i| i.config.clone())
            .unwrap_or_default()
    }

    /// The inbox of the open workspace as last seen (no network; works offline).
    pub fn inbox_view(&mut self) -> Result<InboxView, ApiError> {
        let config = self.inbox_config();
        inbox::view(self.ws()?, &config)
    }

    fn source_for(&mut self, principal: &Principal) -> Result<Box<dyn StatementSource>, ApiError> {
        if let Some((subject, source)) = self.source.take()
            && subject == principal.subject
        {
            return Ok(source);
        }
        let wiring = self.inbox.as_ref().ok_or_else(|| ApiError::Identity {
            code: ErrorCode::ConfigInvalid,
            message: "no inbox configured: set inbox.statements in the configuration file".into(),
        })?;
        (wiring.connect)(principal)
    }

    /// Lists the configured prefixes (new-file detection) and returns the inbox. Listing errors
    /// are kept per prefix in the view. Holds the desk throughout; the app uses
    /// [`Desk::begin_inbox_refresh`] instead, which lists with the desk released.
    pub fn inbox_refresh(&mut self) -> Result<InboxView, ApiError> {
        match self.begin_inbox_refresh()? {
            Some(ticket) => {
                let listed = ticket.run();
                self.complete_inbox_refresh(listed)
            }
            None => self.inbox_view(),
        }
    }

    /// Takes what a listing needs out of the desk (the store connection, the prefixes of the open
    /// workspace): the network round trips then run without the desk, so a slow or dead network
    /// never freezes the app. None when no inbox is configured.
    pub fn begin_inbox_refresh(&mut self) -> Result<Option<InboxRefresh>, ApiError> {
        let config = self.inbox_config();
        if !config.configured() {
            return Ok(None);
        }
        let principal = self.principal()?;
        let locations = inbox::workspace_locations(self.ws()?, &config, None)?;
        let workspace = self
            .open
            .as_ref()
            .map(|(id, _)| id.clone())
            .unwrap_or_default();
        let source = self.source_for(&principal)?;
        Ok(Some(InboxRefresh {
            source,
            subject: principal.subject,
            workspace,
            locations,
        }))
    }

    /// Records a listing made with [`InboxRefresh::run`] (when the same workspace is still open)
    /// and returns the inbox.
    pub fn complete_inbox_refresh(&mut self, listed: InboxListed) -> Result<InboxView, ApiError> {
        // The person may have signed out, and another workspace may be open, meanwhile.
        let current = self.principal()?;
        let same = current.subject == listed.subject
            && self
                .open
                .as_ref()
                .is_some_and(|(id, _)| *id == listed.workspace);
        if same && self.source.is_none() {
            self.source = Some((listed.subject, listed.source));
        }
        if same {
            inbox::record(self.ws()?, listed.listing)?;
        }
        self.inbox_view()
    }

    /// Fetches and imports every new (or failed) file of the inbox.
    pub fn inbox_pull(
        &mut self,
        progress: &mut dyn FnMut(InboxProgress),
    ) -> Result<PullReport, ApiError> {
        let config = self.inbox_config();
        let principal = self.principal()?;
        let mut source = self.source_for(&principal)?;
        let result = inbox::pull(
            self.ws()?,
            &principal,
            source.as_mut(),
            &config,
            &inbox::PullOptions::default(),
            &mut |p| progress(p.clone()),
        );
        self.source = Some((principal.subject.clone(), source));
        result
    }

    /// Who acts for `purpose`: the verified session (refreshed silently, offline grace; approval
    /// asks the provider), else the picked demo profile.
    fn principal_for(&mut self, purpose: Purpose) -> Result<Principal, ApiError> {
        if self.session.is_some() {
            let identity = self
                .identity
                .as_mut()
                .ok_or_else(|| not_allowed("no identity provider is configured"))?;
            let session = identity.session(purpose)?;
            let principal = session.principal.clone();
            self.session = Some(session);
            return Ok(principal);
        }
        self.principal()
    }

    fn principal(&mut self) -> Result<Principal, ApiError> {
        if self.session.is_some() {
            return self.principal_for(Purpose::Review);
        }
        let p = self
            .profile
            .as_ref()
            .ok_or_else(|| not_allowed("sign in first"))?;
        let role = match p.role {
            RoleName::Supervisor => Role::Supervisor,
            RoleName::Clerk => Role::Clerk,
        };
        Ok(Principal::new(&p.user, &p.display_name, &[role]))
    }

    fn ws(&mut self) -> Result<&mut Workspace, ApiError> {
        self.open
            .as_mut()
            .map(|(_, ws)| ws)
            .ok_or_else(|| not_found("no workspace is open".into()))
    }

    pub fn current_profile(&self) -> Option<Profile> {
        self.profile.clone()
    }

    /// Demo mode: acts as a picked, self-asserted profile (demo workspaces only).
    pub fn sign_in(&mut self, user: &str) -> Result<Profile, ApiError> {
        let p = profiles()
            .into_iter()
            .find(|p| p.user == user)
            .ok_or_else(|| not_found(format!("profile {user:?}")))?;
        if let Some((_, ws)) = &self.open
            && ws.info().identity_mode == Assurance::Verified
        {
            self.open = None;
            self.figures = None;
        }
        self.session = None;
        self.profile = Some(p.clone());
        Ok(p)
    }

    /// Signs in through the identity provider in the system browser. `fresh`: a new
    /// authentication, as approval needs. Holds the desk for the whole browser round trip; the
    /// app uses [`Desk::begin_sign_in`] instead so that other commands are not kept waiting.
    pub fn sign_in_okta(&mut self, fresh: bool) -> Result<AuthStatus, ApiError> {
        let ticket = self.begin_sign_in()?;
        let done = ticket.run(fresh);
        self.complete_sign_in(done)
    }

    /// Takes the sign-in adapter out of the desk for a browser round trip.
    pub fn begin_sign_in(&mut self) -> Result<SignInTicket, ApiError> {
        match self.identity.take() {
            Some(identity) => Ok(SignInTicket(identity)),
            None => Err(ApiError::Identity {
                code: ErrorCode::ConfigInvalid,
                message: self.identity_error.clone().unwrap_or_else(|| {
                    "no identity provider is configured (or a sign-in is already under way): IT sets [oidc] issuer and client_id in the workbench's configuration file".into()
                }),
            }),
        }
    }

    /// Puts the adapter back and, when the sign-in succeeded, makes its session current.
    pub fn complete_sign_in(&mut self, done: SignInDone) -> Result<AuthStatus, ApiError> {
        self.identity = Some(done.identity);
        let session = done.result?;
        if let Some((_, ws)) = &self.open
            && ws.info().identity_mode == Assurance::SelfAsserted
            && self.profile.is_some()
        {
            self.open = None;
            self.figures = None;
        }
        self.session = Some(session);
        self.profile = None;
        Ok(self.auth_status())
    }

    /// Restores a sign-in from the keyring's refresh token (silently) when there is one, and
    /// renews an online session silently when it would end within ten minutes (so the app's
    /// banner shows only when the provider cannot renew it).
    pub fn resume_session(&mut self) -> AuthStatus {
        let now = w::unix_now();
        if let Some(s) = &self.session
            && s.online
            && s.ends_at - now < 600
            && let Some(identity) = self.identity.as_mut()
            && let Ok(renewed) = identity.renew()
        {
            self.session = Some(renewed);
        }
        if self.session.is_none()
            && self.profile.is_none()
            && let Some(identity) = self.identity.as_mut()
            && let Ok(session) = identity.session(Purpose::Review)
        {
            self.session = Some(session);
        }
        self.auth_status()
    }

    /// The About box: `version` is the shell's own package version.
    pub fn about(&self, version: &str) -> About {
        About {
            product: "Recon Workbench".into(),
            version: version.to_string(),
            os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
            workspace_schema: recon_store::schema::SCHEMA_VERSION,
            workspaces_folder: self.root.display().to_string(),
            identity: match (&self.identity, &self.identity_error) {
                (Some(identity), _) => identity.describe(),
                (None, Some(error)) => format!("not usable: {error}"),
                (None, None) => "none configured (demo mode only)".into(),
            },
            inbox: self
                .inbox
                .as_ref()
                .and_then(|i| i.config.statements.clone())
                .unwrap_or_else(|| "not configured".into()),
        }
    }

    pub fn auth_status(&self) -> AuthStatus {
        AuthStatus {
            provider_configured: self.identity.is_some(),
            provider: self.identity.as_ref().map(|i| i.describe()),
            config_error: self.identity_error.clone(),
            verified: self.session.as_ref().map(WhoAmI::from),
            demo_profile: self.profile.clone(),
            session_ends_at: self.session.as_ref().map(|s| s.ends_at),
        }
    }

    /// Signs out: the provider's refresh token revoked, every token forgotten, the workspace
    /// closed (nothing unsaved: every decision is committed when made).
    pub fn sign_out(&mut self) -> Result<SignOutResult, ApiError> {
        self.source = None;
        self.open = None;
        self.figures = None;
        self.profile = None;
        let was_verified = self.session.take().is_some();
        match self.identity.as_mut() {
            Some(identity) if was_verified => {
                let r = identity.sign_out()?;
                if let Some(url) = &r.end_session_url {
                    // Ends the provider's browser session too; the tokens are gone either way.
                    let _ = identity.end_browser_session(url);
                }
                Ok(SignOutResult {
                    revoked: r.revoked,
                    end_session_url: r.end_session_url,
                    note: r.note,
                })
            }
            _ => Ok(SignOutResult {
                revoked: false,
                end_session_url: None,
                note: None,
            }),
        }
    }

    pub fn list_workspaces(&mut self) -> Result<Vec<WorkspaceSummary>, ApiError> {
        let mut out = Vec::new();
        for dir in self.workspace_dirs() {
            let name = dir
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let id = Workspace::read_id(&dir)?;
            if let Some((open_id, ws)) = &self.open
                && *open_id == id
            {
                out.push(summary(ws, &name)?);
                continue;
            }
            let ws = w::open_workspace(&dir, self.keys.as_ref())?;
            out.push(summary(&ws, &name)?);
        }
        Ok(out)
    }

    /// Opens a workspace and returns its summary; the dashboard's figures come separately
    /// ([`Desk::figures`]), so opening stays quick on a big workspace.
    pub fn open_workspace(&mut self, id: &str) -> Result<WorkspaceSummary, ApiError> {
        for dir in self.workspace_dirs() {
            if Workspace::read_id(&dir)? == id {
                let ws = w::open_workspace(&dir, self.keys.as_ref())?;
                if ws.info().identity_mode == Assurance::Verified && self.session.is_none() {
                    return Err(not_allowed(
                        "this workspace takes only people signed in through the identity provider: use \"Sign in with Okta\" (demo profiles open demo workspaces only)",
                    ));
                }
                let name = dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default();
                let figures = Figures::open(&dir, self.keys.as_ref(), name.clone())?;
                let opened = summary(&ws, &name)?;
                self.open = Some((id.to_string(), ws));
                self.figures = Some(figures);
                return Ok(opened);
            }
        }
        Err(not_found(format!("workspace {id}")))
    }

    /// The dashboard of the open workspace (see [`Figures`]).
    pub fn dashboard(&mut self) -> Result<Dashboard, ApiError> {
        self.figures()?.dashboard()
    }

    /// The open workspace's figures, to compute without holding the desk.
    pub fn figures(&self) -> Result<Figures, ApiError> {
        self.figures
            .clone()
            .ok_or_else(|| not_found("no workspace is open".into()))
    }

    /// Imports the bundled demo statements and ledger.
    pub fn import_demo_samples(
        &mut self,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportResult, ApiError> {
        let statements: Vec<InputFile> = crate::demo::DEMO_STATEMENTS
            .iter()
            .map(|(name, bytes)| InputFile {
                name: (*name).to_string(),
                bytes: bytes.to_vec(),
            })
            .collect();
        let ledger = vec![InputFile {
            name: crate::demo::DEMO_LEDGER.0.to_string(),
            bytes: crate::demo::DEMO_LEDGER.1.to_vec(),
        }];
        self.import_inputs(statements, ledger, progress)
    }

    /// Imports files by path: ledger extracts are told apart by their canonical ledger header
    /// (`entry_id,...`); everything else is read as a bank statement.
    pub fn import_files(
        &mut self,
        paths: &[PathBuf],
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportResult, ApiError> {
        let limits = recon_formats::Limits::default();
        let mut statements = Vec::new();
        let mut ledger = Vec::new();
        for path in paths {
            let file = crate::read_input(path, &limits)?;
            let head = String::from_utf8_lossy(&file.bytes[..file.bytes.len().min(200)])
                .trim_start_matches('\u{feff}')
                .to_ascii_lowercase();
            if head.starts_with("entry_id") {
                ledger.push(file);
            } else {
                statements.push(file);
            }
        }
        self.import_inputs(statements, ledger, progress)
    }

    fn import_inputs(
        &mut self,
        statements: Vec<InputFile>,
        ledger: Vec<InputFile>,
        progress: &mut dyn FnMut(ImportProgress),
    ) -> Result<ImportResult, ApiError> {
        let principal = self.principal()?;
        let ws = self.ws()?;
        let total = (statements.len() + ledger.len()) as i64;
        let mut result = ImportResult::default();
        let mut done = 0i64;
        let mut imported_sources = std::collections::HashSet::new();
        for file in &statements {
            let options = w::with_known_closings(ws, &ImportOptions::default())?;
            let report = crate::import_statement_files(std::slice::from_ref(file), &options);
            // The series checks run once below, over the whole workspace.
            result.issues.extend(
                report
                    .issues
                    .iter()
                    .filter(|i| !w::is_series_issue(i))
                    .map(issue_row),
            );
            imported_sources.extend(report.statements.iter().map(|s| s.source.clone()));
            let rejected = report.statements.is_empty()
                && report.issues.iter().any(|i| i.severity == Severity::Error);
            let outcome = if rejected {
                None
            } else {
                Some(w::import_parsed_statements(
                    ws,
                    &principal,
                    file,
                    &report.statements,
                )?)
            };
            done += 1;
            let records = outcome.as_ref().map_or(0, |o| o.lines_imported as i64);
            result.bank_lines += records;
            result.files.push(ImportFileResult {
                file: file.name.clone(),
                status: match &outcome {
                    None => "rejected",
                    Some(o) if o.duplicate_file || o.statements_imported == 0 => "skipped",
                    Some(_) => "imported",
                }
                .into(),
                statements: outcome.as_ref().map_or(0, |o| o.statements_imported as i64),
                records,
            });
            progress(ImportProgress {
                file: file.name.clone(),
                files_done: done,
                files_total: total,
                records,
            });
        }
        result.issues.extend(
            w::series_issues(ws, &imported_sources)?
                .iter()
                .map(issue_row),
        );
        for file in &ledger {
            let limits = recon_formats::Limits::default();
            let parsed = crate::import_ledger_files(std::slice::from_ref(file), None, &limits);
            let (status, records) = match parsed {
                Err(e) => {
                    result.issues.push(IssueRow {
                        file: file.name.clone(),
                        line: None,
                        severity: "error".into(),
                        message: e.to_string(),
                        excerpt: String::new(),
                    });
                    ("rejected", 0)
                }
                Ok(entries) => {
                    let o = w::import_parsed_ledger(ws, &principal, file, &entries)?;
                    let status = if o.duplicate_file {
                        "skipped"
                    } else {
                        "imported"
                    };
                    (status, o.ledger_entries_imported as i64)
                }
            };
            done += 1;
            result.ledger_entries += records;
            result.files.push(ImportFileResult {
                file: file.name.clone(),
                status: status.into(),
                statements: 0,
                records,
            });
            progress(ImportProgress {
                file: file.name.clone(),
                files_done: done,
                files_total: total,
                records,
            });
        }
        Ok(result)
    }

    pub fn run_matching(
        &mut self,
        progress: &mut dyn FnMut(MatchProgress),
    ) -> Result<Dashboard, ApiError> {
        let principal = self.principal()?;
        let ws = self.ws()?;
        progress(MatchProgress {
            phase: "matching".into(),
            done: 0,
            total: 2,
        });
        w::match_workspace(ws, &principal, None)?;
        progress(MatchProgress {
            phase: "stored".into(),
            done: 2,
            total: 2,
        });
        self.dashboard()
    }

    pub fn list_exceptions(&mut self, q: &ExceptionQueryDto) -> Result<ExceptionPage, ApiError> {
        exception_page(self.ws()?, q)
    }

    pub fn list_suggestions(
        &mut self,
        side: Option<&str>,
        item_id: Option<&str>,
    ) -> Result<Vec<Suggestion>, ApiError> {
        let ws = self.ws()?;
        let rows = match (side, item_id) {
            (Some(s), Some(i)) => ws.item_suggestions(s, i)?,
            _ => w::list_suggestions(ws, 100_000)?,
        };
        Ok(rows
            .into_iter()
            .map(|s| Suggestion {
                id: s.id,
                rule: s.rule,
                score: s.score,
                difference_minor: s.difference_minor,
                explanation: s.explanation,
                bank: s.bank,
                ledger: s.ledger,
            })
            .collect())
    }

    pub fn accept_suggestions(&mut self, ids: &[i64]) -> Result<DecisionReceipt, ApiError> {
        let p = self.principal()?;
        Ok(w::accept_suggestions(self.ws()?, &p, ids, None)?.into())
    }

    pub fn reject_suggestions(&mut self, ids: &[i64]) -> Result<DecisionReceipt, ApiError> {
        let p = self.principal()?;
        Ok(w::reject_suggestions(self.ws()?, &p, ids, "rejected in the workbench")?.into())
    }

    pub fn manual_match(
        &mut self,
        bank: &[String],
        ledger: &[String],
        adjustment: Option<&Adjustment>,
    ) -> Result<DecisionReceipt, ApiError> {
        let p = self.principal()?;
        let adjustment = adjustment
            .map(|a| {
                let reason = match a.reason {
                    AdjustmentReasonName::BankCharge => AdjustmentReason::BankCharge,
                    AdjustmentReasonName::FxDifference => AdjustmentReason::FxDifference,
                    AdjustmentReasonName::Rounding => AdjustmentReason::Rounding,
                    AdjustmentReasonName::Timing => AdjustmentReason::Timing,
                    AdjustmentReasonName::WriteOff => AdjustmentReason::WriteOff,
                };
                Ok::<_, ApiError>(recon_store::Adjustment {
                    reason,
                    note: a.note.clone(),
                })
            })
            .transpose()?;
        Ok(w::manual_match(self.ws()?, &p, bank, ledger, adjustment.as_ref())?.into())
    }

    pub fn item_detail(&mut self, side: &str, item_id: &str) -> Result<ItemDetail, ApiError> {
        let r = self.ws()?.item_record(side, item_id)?;
        Ok(ItemDetail {
            status: match (&r.group, &r.exception_reason) {
                (Some(_), _) => "matched".into(),
                (None, Some(reason)) => format!("open ({reason})"),
                (None, None) => "open".into(),
            },
            side: r.side,
            item_id: r.item_id,
            amount_minor: r.amount_minor,
            date: r.date,
            reference: r.reference,
            description: r.description,
            counterparty: r.counterparty,
            fields: r.fields,
            group: r.group,
            assignee: r.assignee,
            comments: r
                .comments
                .into_iter()
                .map(|(author, at, text)| Comment { author, at, text })
                .collect(),
            attachments: r
                .attachments
                .into_iter()
                .map(|(name, sha256, bytes, added_by, at)| Attachment {
                    name,
                    sha256,
                    bytes,
                    added_by,
                    at,
                })
                .collect(),
            history: r
                .history
                .into_iter()
                .map(|(seq, at, actor, action, target)| AuditEntry {
                    seq,
                    at,
                    actor,
                    action,
                    detail: target,
                })
                .collect(),
        })
    }

    pub fn add_comment(
        &mut self,
        side: &str,
        item_id: &str,
        text: &str,
    ) -> Result<DecisionReceipt, ApiError> {
        let p = self.principal()?;
        let target = format!("{side}:{item_id}");
        Ok(w::comment(self.ws()?, &p, &[target], text)?.into())
    }

    pub fn assign_items(
        &mut self,
        items: &[(String, String)],
        assignee: Option<&str>,
    ) -> Result<DecisionReceipt, ApiError> {
        let p = self.principal()?;
        let targets: Vec<String> = items.iter().map(|(s, i)| format!("{s}:{i}")).collect();
        // No assignee (or a blank one, as the app's "Unassigned" choice sends) unassigns.
        match assignee.map(str::trim).filter(|a| !a.is_empty()) {
            Some(who) => Ok(w::assign(self.ws()?, &p, &targets, who)?.into()),
            None => Ok(w::unassign(self.ws()?, &p, &targets)?.into()),
        }
    }

    pub fn undo_last(&mut self) -> Result<DecisionReceipt, ApiError> {
        let p = self.principal()?;
        Ok(w::undo_last(self.ws()?, &p)?.into())
    }

    pub fn sign_off_status(&mut self) -> Result<SignOff, ApiError> {
        self.figures()?.sign_off_status()
    }

    pub fn prepare_sign_off(&mut self) -> Result<SignOff, ApiError> {
        let p = self.principal()?;
        let ws = self.ws()?;
        let record = w::prepare(ws, &p)?;
        let unexplained = w::reconciliation_statement(ws)?.unexplained_minor;
        Ok(sign_off_dto(record, unexplained))
    }

    pub fn approve_sign_off(&mut self) -> Result<SignOff, ApiError> {
        let p = self.principal_for(Purpose::Approve)?;
        let ws = self.ws()?;
        let record = w::approve(ws, &p)?;
        let unexplained = w::reconciliation_statement(ws)?.unexplained_minor;
        Ok(sign_off_dto(record, unexplained))
    }

    pub fn reject_sign_off(&mut self, reason: &str) -> Result<SignOff, ApiError> {
        let p = self.principal()?;
        let ws = self.ws()?;
        let record = w::reject_sign_off(ws, &p, reason)?;
        let unexplained = w::reconciliation_statement(ws)?.unexplained_minor;
        Ok(sign_off_dto(record, unexplained))
    }

    /// Writes the sign-off pack beside the workspace (exports/signoff-pack.<format>).
    pub fn export_sign_off(&mut self, format: ExportFormat) -> Result<String, ApiError> {
        let format = match format {
            ExportFormat::Pdf => ReportFormat::Pdf,
            ExportFormat::Xlsx => ReportFormat::Xlsx,
            ExportFormat::Csv => ReportFormat::Csv,
        };
        let ws = self.ws()?;
        let dir = ws.dir().join("exports");
        std::fs::create_dir_all(&dir).map_err(|source| ApiError::Write {
            path: dir.clone(),
            source,
        })?;
        let out = dir.join(format!("signoff-pack.{}", format.name()));
        let report = crate::export_sign_off(ws, format, &out, &PdfOptions::default())?;
        Ok(report.path.display().to_string())
    }
}

fn issue_row(i: &recon_formats::Issue) -> IssueRow {
    IssueRow {
        file: i.file.clone(),
        line: i.location.line().map(|l| l as i64),
        severity: if i.severity == Severity::Error {
            "error"
        } else {
            "warning"
        }
        .into(),
        message: i.message.clone(),
        excerpt: match &i.location {
            recon_formats::Location::Element { path, .. } => path.clone(),
            _ => String::new(),
        },
    }
}

fn statement_dto(s: &recon_review::ReconciliationStatement) -> ReconciliationStatement {
    ReconciliationStatement {
        bank_closing_minor: s.bank_closing_minor,
        rows: s
            .rows
            .iter()
            .map(|r| StatementRow {
                label: r.label.clone(),
                amount_minor: r.amount_minor,
            })
            .collect(),
        ledger_balance_minor: s.ledger_balance_minor,
        unexplained_difference_minor: s.unexplained_minor,
    }
}

fn sign_off_dto(r: recon_store::SignOffRecord, unexplained_minor: i64) -> SignOff {
    SignOff {
        state: r.state.into(),
        preparer: r.preparer,
        prepared_at: r.prepared_at,
        approver: r.approver,
        approved_at: r.approved_at,
        content_hash: r.content_hash,
        rejection_reason: r.last_rejection,
        unexplained_difference_minor: unexplained_minor,
    }
}

fn summary(ws: &Workspace, name: &str) -> Result<WorkspaceSummary, ApiError> {
    let info = ws.info();
    let status = w::status(ws)?;
    let matched: i64 = status.bank_lines - {
        let q = ExceptionQuery {
            side: Some("bank".into()),
            ..Default::default()
        };
        ws.exception_count(&q)?
    };
    let rate = if status.bank_lines > 0 {
        matched * 1000 / status.bank_lines
    } else {
        0
    };
    let oldest = ws
        .oldest_exception_date()?
        .and_then(|d| recon_model::Date::parse_from_str(&d, "%Y-%m-%d").ok())
        .map(|d| (today() - d).num_days());
    Ok(WorkspaceSummary {
        id: info.id.clone(),
        name: name.to_string(),
        account: info.account.clone(),
        currency: info.currency.clone(),
        exponent: recon_model::Currency::from_code(&info.currency).map_or(2, |c| c.exponent()),
        period_start: Some(info.period_start.clone()),
        period_end: Some(info.period_end.clone()),
        state: status.sign_off.state.into(),
        bank_lines: status.bank_lines,
        ledger_entries: status.ledger_entries,
        match_rate_permille: rate,
        demo: info.identity_mode != Assurance::Verified,
        open_exceptions: status.exceptions,
        oldest_exception_days: oldest,
    })
}
