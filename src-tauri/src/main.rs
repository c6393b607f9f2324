//! The desktop workbench's shell. Every command locks the one `Desk` (recon-api) and calls one of
//! its methods: no logic lives here. Commands run on Tauri's async runtime threads (`async`
//! attribute), never on the UI thread; errors cross IPC as `IpcError { code, message }`.
//!
//! Where workspaces live: `$RECON_HOME` if set, else the platform's app data dir
//! (`~/.local/share/com.reconworkbench.desktop/workspaces` on Linux; a folder left by an earlier
//! build under `com.example.recon-workbench` is adopted on first start, recon_api::app_data). Workspace keys live in the
//! OS keyring; with no keyring answering, the app says so and runs on a throw-away demo
//! workspace whose key is kept in memory only.

#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

use recon_api::desk::{
    Adjustment, AuthStatus, Dashboard, DecisionReceipt, Desk, ExceptionPage, ExceptionQueryDto,
    ExportFormat, ImportResult, IpcError, ItemDetail, Profile, SignOff, SignOutResult, Suggestion,
    WorkspaceSummary,
};
use recon_api::inbox::{InboxView, PullReport};
use recon_api::publish::{DrainReport, PublishStatus};
use std::path::PathBuf;
use std::sync::Mutex;
use tauri::{Emitter, Manager, State};

struct App(Mutex<Desk>);

/// When `main` began, in milliseconds since the Unix epoch: the speed benchmark measures start
/// to interactive from here to the sign-in screen's first paint (tests/e2e/bench.mjs).
static STARTED_AT_MS: std::sync::OnceLock<u64> = std::sync::OnceLock::new();

fn epoch_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or(0)
}

/// Async: it waits for the desk, which a pull may hold for a while, off the UI thread.
#[tauri::command(async)]
fn about(state: State<'_, App>) -> recon_api::desk::About {
    desk(&state).about(env!("CARGO_PKG_VERSION"))
}

#[tauri::command]
fn app_started_at() -> u64 {
    STARTED_AT_MS.get().copied().unwrap_or(0)
}

type Reply<T> = Result<T, IpcError>;

fn desk<'a>(state: &'a State<'_, App>) -> std::sync::MutexGuard<'a, Desk> {
    // A panic inside a command poisons the lock; the desk itself is still consistent (every
    // change is one SQLite transaction), so carry on with it.
    state.0.lock().unwrap_or_else(|e| e.into_inner())
}

#[tauri::command]
fn list_profiles() -> Vec<Profile> {
    recon_api::desk::profiles()
}

#[tauri::command(async)]
fn sign_in(state: State<'_, App>, user: String) -> Reply<Profile> {
    Ok(desk(&state).sign_in(&user)?)
}

#[tauri::command(async)]
fn current_profile(state: State<'_, App>) -> Option<Profile> {
    desk(&state).current_profile()
}

#[tauri::command(async)]
fn auth_status(state: State<'_, App>) -> AuthStatus {
    desk(&state).resume_session()
}

/// The browser round trip runs with the desk released, so the app stays responsive.
#[tauri::command(async)]
fn sign_in_okta(state: State<'_, App>, fresh: bool) -> Reply<AuthStatus> {
    let ticket = desk(&state).begin_sign_in()?;
    let done = ticket.run(fresh);
    Ok(desk(&state).complete_sign_in(done)?)
}

#[tauri::command(async)]
fn sign_out(state: State<'_, App>) -> Reply<SignOutResult> {
    Ok(desk(&state).sign_out()?)
}

#[tauri::command(async)]
fn list_workspaces(state: State<'_, App>) -> Reply<Vec<WorkspaceSummary>> {
    Ok(desk(&state).list_workspaces()?)
}

#[tauri::command(async)]
fn open_workspace(state: State<'_, App>, id: String) -> Reply<WorkspaceSummary> {
    Ok(desk(&state).open_workspace(&id)?)
}

#[tauri::command(async)]
fn import_demo_samples(app: tauri::AppHandle, state: State<'_, App>) -> Reply<ImportResult> {
    Ok(desk(&state).import_demo_samples(&mut |p| {
        let _ = app.emit("import-progress", p);
    })?)
}

#[tauri::command(async)]
fn import_files(
    app: tauri::AppHandle,
    state: State<'_, App>,
    paths: Vec<PathBuf>,
) -> Reply<ImportResult> {
    Ok(desk(&state).import_files(&paths, &mut |p| {
        let _ = app.emit("import-progress", p);
    })?)
}

#[tauri::command(async)]
fn inbox_view(state: State<'_, App>) -> Reply<InboxView> {
    Ok(desk(&state).inbox_view()?)
}

/// The listing runs with the desk released: a slow or dead network never freezes the app.
#[tauri::command(async)]
fn inbox_refresh(state: State<'_, App>) -> Reply<InboxView> {
    let ticket = desk(&state).begin_inbox_refresh()?;
    match ticket {
        Some(ticket) => {
            let listed = ticket.run();
            Ok(desk(&state).complete_inbox_refresh(listed)?)
        }
        None => Ok(desk(&state).inbox_view()?),
    }
}

#[tauri::command(async)]
fn inbox_pull(app: tauri::AppHandle, state: State<'_, App>) -> Reply<PullReport> {
    Ok(desk(&state).inbox_pull(&mut |p| {
        let _ = app.emit("inbox-progress", p);
    })?)
}

#[tauri::command(async)]
fn publish_status(state: State<'_, App>) -> Reply<PublishStatus> {
    Ok(desk(&state).publish_status()?)
}

/// Publishes what waits in the outbox now (the person asked); "publish-progress" events on the way.
#[tauri::command(async)]
fn publish_now(app: tauri::AppHandle, state: State<'_, App>) -> Reply<DrainReport> {
    // The desk is held only to take the job out: the network runs without it.
    let job = desk(&state).begin_publish()?;
    Ok(job.run(true, &mut |line| {
        let _ = app.emit("publish-progress", line);
    })?)
}

#[tauri::command(async)]
fn publish_reopen(state: State<'_, App>, reason: String) -> Reply<PublishStatus> {
    Ok(desk(&state).publish_reopen(&reason)?)
}

#[tauri::command(async)]
fn publish_history(state: State<'_, App>) -> Reply<recon_api::desk::HistoryView> {
    Ok(desk(&state).publish_history()?)
}

#[tauri::command(async)]
fn import_settings(state: State<'_, App>) -> Reply<recon_api::desk::ImportSettings> {
    Ok(desk(&state).import_settings()?)
}

/// Strict reading of every import into the open workspace, on or off (audited).
#[tauri::command(async)]
fn set_strict_import(
    state: State<'_, App>,
    strict: bool,
) -> Reply<recon_api::desk::ImportSettings> {
    Ok(desk(&state).set_strict_import(strict)?)
}

/// Brings the previous period's open items in as this period's opening items.
#[tauri::command(async)]
fn carry_forward(state: State<'_, App>) -> Reply<recon_api::carry::CarryReport> {
    Ok(desk(&state).carry_forward()?)
}

/// The background publisher: every `publish.interval_seconds`, the open workspace's outbox
/// entries whose backoff has passed are published (offline they fail, keep their error and wait;
/// nothing else does). After each round the outbox's status goes to the window as
/// "publish-status".
fn start_background_publisher(app: tauri::AppHandle) {
    let interval = {
        let state = app.state::<App>();
        desk(&state).publish_interval_seconds()
    };
    if interval == 0 {
        return;
    }
    std::thread::Builder::new()
        .name("recon-publisher".into())
        .spawn(move || {
            loop {
                std::thread::sleep(std::time::Duration::from_secs(u64::from(interval)));
                let state = app.state::<App>();
                let job = {
                    let mut d = desk(&state);
                    let waiting = d.publish_status().map(|s| s.waiting).unwrap_or(0);
                    if waiting == 0 {
                        continue;
                    }
                    match d.begin_publish() {
                        Ok(job) => job,
                        Err(_) => continue,
                    }
                };
                // Offline, this waits out the destinations' timeouts without the desk: the
                // window stays responsive and nothing else waits.
                let _ = job.run(false, &mut |_| {});
                if let Ok(status) = desk(&state).publish_status() {
                    let _ = app.emit("publish-status", status);
                }
            }
        })
        .map(|_| ())
        .unwrap_or_else(|e| eprintln!("the background publisher could not start: {e}"));
}

#[tauri::command(async)]
fn run_matching(app: tauri::AppHandle, state: State<'_, App>) -> Reply<Dashboard> {
    Ok(desk(&state).run_matching(&mut |p| {
        let _ = app.emit("match-progress", p);
    })?)
}

#[tauri::command(async)]
fn dashboard(state: State<'_, App>) -> Reply<Dashboard> {
    // Computed on the figures' own connection, with the desk released: the grid and decisions
    // go on meanwhile.
    let figures = desk(&state).figures()?;
    Ok(figures.dashboard()?)
}

#[tauri::command(async)]
fn list_exceptions(state: State<'_, App>, query: ExceptionQueryDto) -> Reply<ExceptionPage> {
    Ok(desk(&state).list_exceptions(&query)?)
}

#[tauri::command(async)]
fn list_suggestions(
    state: State<'_, App>,
    side: Option<String>,
    item_id: Option<String>,
) -> Reply<Vec<Suggestion>> {
    Ok(desk(&state).list_suggestions(side.as_deref(), item_id.as_deref())?)
}

#[tauri::command(async)]
fn accept_suggestions(state: State<'_, App>, ids: Vec<i64>) -> Reply<DecisionReceipt> {
    Ok(desk(&state).accept_suggestions(&ids)?)
}

#[tauri::command(async)]
fn reject_suggestions(state: State<'_, App>, ids: Vec<i64>) -> Reply<DecisionReceipt> {
    Ok(desk(&state).reject_suggestions(&ids)?)
}

#[tauri::command(async)]
fn manual_match(
    state: State<'_, App>,
    bank: Vec<String>,
    ledger: Vec<String>,
    adjustment: Option<Adjustment>,
) -> Reply<DecisionReceipt> {
    Ok(desk(&state).manual_match(&bank, &ledger, adjustment.as_ref())?)
}

#[tauri::command(async)]
fn item_detail(state: State<'_, App>, side: String, item_id: String) -> Reply<ItemDetail> {
    Ok(desk(&state).item_detail(&side, &item_id)?)
}

#[tauri::command(async)]
fn add_comment(
    state: State<'_, App>,
    side: String,
    item_id: String,
    text: String,
) -> Reply<DecisionReceipt> {
    Ok(desk(&state).add_comment(&side, &item_id, &text)?)
}

#[tauri::command(async)]
fn assign_items(
    state: State<'_, App>,
    items: Vec<(String, String)>,
    assignee: Option<String>,
) -> Reply<DecisionReceipt> {
    Ok(desk(&state).assign_items(&items, assignee.as_deref())?)
}

#[tauri::command(async)]
fn undo_last(state: State<'_, App>) -> Reply<DecisionReceipt> {
    Ok(desk(&state).undo_last()?)
}

#[tauri::command(async)]
fn sign_off_status(state: State<'_, App>) -> Reply<SignOff> {
    // Like the dashboard: on the figures' connection, with the desk released.
    let figures = desk(&state).figures()?;
    Ok(figures.sign_off_status()?)
}

#[tauri::command(async)]
fn prepare_sign_off(state: State<'_, App>) -> Reply<SignOff> {
    Ok(desk(&state).prepare_sign_off()?)
}

#[tauri::command(async)]
fn approve_sign_off(state: State<'_, App>) -> Reply<SignOff> {
    Ok(desk(&state).approve_sign_off()?)
}

#[tauri::command(async)]
fn reject_sign_off(state: State<'_, App>, reason: String) -> Reply<SignOff> {
    Ok(desk(&state).reject_sign_off(&reason)?)
}

#[tauri::command(async)]
fn export_sign_off(state: State<'_, App>, format: ExportFormat) -> Reply<String> {
    Ok(desk(&state).export_sign_off(format)?)
}

fn open_desk(app: &tauri::App) -> Result<Desk, String> {
    let root = match std::env::var_os("RECON_HOME") {
        Some(home) => PathBuf::from(home).join("workspaces"),
        None => {
            let data = app
                .path()
                .app_data_dir()
                .map_err(|e| format!("no app data directory: {e}"))?;
            // Workspaces made under the identifier of earlier builds come along once.
            match recon_api::app_data::adopt_previous(
                &data,
                &recon_api::app_data::PREVIOUS_IDENTIFIERS,
            ) {
                Ok(recon_api::app_data::Adoption::Moved { from }) => {
                    eprintln!(
                        "moved the app data of an earlier build from {}",
                        from.display()
                    )
                }
                Ok(recon_api::app_data::Adoption::BothExist { earlier }) => eprintln!(
                    "an earlier build's app data is still at {} (left alone: {} exists)",
                    earlier.display(),
                    data.display()
                ),
                Ok(recon_api::app_data::Adoption::Nothing) => {}
                Err(e) => return Err(format!("adopting an earlier build's app data: {e}")),
            }
            data.join("workspaces")
        }
    };
    let desk = match recon_store::OsKeyStore::probe() {
        Ok(()) => Desk::new(&root, Box::new(recon_store::OsKeyStore)).map_err(|e| e.to_string()),
        Err(e) => {
            eprintln!(
                "no OS keyring answers ({e}); running on a throw-away demo workspace whose key lives in memory only"
            );
            let temp = std::env::temp_dir().join(format!("recon-workbench-{}", std::process::id()));
            Desk::new(&temp, Box::new(recon_store::MemoryKeyStore::default()))
                .map_err(|e| e.to_string())
        }
    }?;
    let (identity, inbox, publishing) = adapters();
    let mut desk = desk.with_identity(identity);
    if let Some(inbox) = inbox {
        desk = desk.with_inbox(inbox);
    }
    if let Some(publishing) = publishing {
        desk = desk.with_publishing(publishing);
    }
    Ok(desk)
}

type IdentityAdapter = Result<Option<Box<dyn recon_api::identity::Identity>>, String>;

/// The sign-in adapter and the statement inbox from the configuration (system file, user file,
/// environment): no identity adapter when no identity provider is configured (demo mode only), an
/// error text when the configuration is wrong (shown on the sign-in screen). The inbox reaches S3
/// with the sign-in's web-identity credentials for verified people, else the standard AWS chain.
fn adapters() -> (
    IdentityAdapter,
    Option<recon_api::desk::InboxWiring>,
    Option<recon_api::desk::PublishWiring>,
) {
    let config = match recon_auth::config::Config::load() {
        Ok(c) => c,
        Err(e) => return (Err(e.to_string()), None, None),
    };
    let (identity, token) = match config.oidc.clone() {
        None => (Ok(None), None),
        Some(oidc) => {
            match recon_auth::OidcIdentity::new(oidc, Box::new(recon_auth::secrets::OsSecrets)) {
                Ok(i) => {
                    let token = i.id_token_cell();
                    (
                        Ok(Some(Box::new(i) as Box<dyn recon_api::identity::Identity>)),
                        Some(token),
                    )
                }
                Err(e) => (Err(e.to_string()), None),
            }
        }
    };
    let publishing = publish_wiring(&config, token.clone());
    let aws = config.aws.clone();
    let options = recon_s3::S3Options {
        stall: std::time::Duration::from_secs(config.inbox_stall_seconds),
        ..recon_s3::S3Options::default()
    };
    let inbox = recon_api::desk::InboxWiring {
        config: config.inbox.clone(),
        connect: Box::new(move |principal: &recon_review::Principal| {
            let signed_in = match (&token, principal.assurance) {
                (Some(t), recon_review::Assurance::Verified) => {
                    Some((principal.clone(), t.clone()))
                }
                _ => None,
            };
            recon_s3::S3Source::new(&aws, signed_in, options.clone())
                .map(|s| Box::new(s) as Box<dyn recon_api::inbox::StatementSource>)
        }),
    };
    (identity, Some(inbox), Some(publishing))
}

/// The publishing destinations of the configuration: the results database (password from the OS
/// keyring, or an RDS IAM token from the person's AWS role) and the S3 archive (the sign-in's web-identity role for verified people, else the
/// standard AWS chain).
fn publish_wiring(
    config: &recon_auth::config::Config,
    token: Option<recon_auth::IdTokenCell>,
) -> recon_api::desk::PublishWiring {
    let aws = config.aws.clone();
    let publish = config.publish.clone();
    recon_api::desk::PublishWiring {
        config: config.publish.clone(),
        connect: Box::new(move |principal: &recon_review::Principal| {
            let signed_in = match (&token, principal.assurance) {
                (Some(t), recon_review::Assurance::Verified) => {
                    Some((principal.clone(), t.clone()))
                }
                _ => None,
            };
            let database = match &publish.database {
                Some(db) => Some(Box::new(recon_pg::PgResults::connect(
                    db,
                    &recon_auth::secrets::OsSecrets,
                    &aws,
                    signed_in.clone(),
                )?)
                    as Box<dyn recon_api::publish::ResultsDb>),
                None => None,
            };
            let archive = match &publish.archive {
                Some(uri) => {
                    let location = recon_api::publish::ArchiveLocation::parse(uri)
                        .map_err(recon_api::ApiError::InvalidArgument)?;
                    let s3 =
                        recon_s3::S3Source::new(&aws, signed_in, recon_s3::S3Options::default())?;
                    Some((
                        Box::new(s3) as Box<dyn recon_api::publish::Archive>,
                        location,
                    ))
                }
                None => None,
            };
            Ok(recon_api::desk::Publishers { database, archive })
        }),
    }
}

/// WebKitGTK composites pages with OpenGL. Without a GPU (no DRM render node: virtual desktops,
/// VMs, Xvfb) that GL is Mesa's software rasterizer, and a frame of the exception grid costs
/// several times what WebKit's own CPU painting takes (BENCHMARKS.md: a decision painted in 93 ms
/// against 16 ms). There the webview paints without compositing, unless the user has chosen
/// with WebKit's own WEBKIT_DISABLE_COMPOSITING_MODE, or RECON_WEBVIEW_GPU=1 keeps compositing.
#[cfg(target_os = "linux")]
fn paint_on_cpu_without_gpu(app: &tauri::App) {
    use webkit2gtk::{HardwareAccelerationPolicy, SettingsExt, WebViewExt};
    let chosen = ["WEBKIT_DISABLE_COMPOSITING_MODE", "RECON_WEBVIEW_GPU"]
        .iter()
        .any(|v| std::env::var_os(v).is_some());
    let render_node = std::fs::read_dir("/dev/dri").is_ok_and(|dir| {
        dir.flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    });
    if chosen || render_node {
        return;
    }
    eprintln!("no GPU render node in /dev/dri: the webview paints on the CPU, without compositing");
    if let Some(window) = app.get_webview_window("main") {
        let _ = window.with_webview(|webview| {
            if let Some(settings) = webview.inner().settings() {
                settings.set_hardware_acceleration_policy(HardwareAccelerationPolicy::Never);
            }
        });
    }
}

fn main() {
    STARTED_AT_MS.get_or_init(epoch_ms);
    tauri::Builder::default()
        .setup(|app| {
            #[cfg(target_os = "linux")]
            paint_on_cpu_without_gpu(app);
            let desk = open_desk(app)?;
            app.manage(App(Mutex::new(desk)));
            start_background_publisher(app.handle().clone());
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            about,
            app_started_at,
            list_profiles,
            sign_in,
            current_profile,
            auth_status,
            sign_in_okta,
            sign_out,
            list_workspaces,
            open_workspace,
            import_demo_samples,
            import_files,
            inbox_view,
            inbox_refresh,
            inbox_pull,
            publish_status,
            publish_now,
            publish_reopen,
            publish_history,
            carry_forward,
            import_settings,
            set_strict_import,
            run_matching,
            dashboard,
            list_exceptions,
            list_suggestions,
            accept_suggestions,
            reject_suggestions,
            manual_match,
            item_detail,
            add_comment,
            assign_items,
            undo_last,
            sign_off_status,
            prepare_sign_off,
            approve_sign_off,
            reject_sign_off,
            export_sign_off,
        ])
        .run(tauri::generate_context!())
        .unwrap_or_else(|e| {
            eprintln!("the workbench could not start: {e}");
            std::process::exit(1);
        });
}
