//! The sign-in adapter: implements recon-api's [`Identity`] port with OpenID Connect against the
//! company's identity provider (Okta in production, any standards-compliant provider in tests).
//!
//! - The protocol is [`oidc`] (the `openidconnect` crate); the browser's answer comes back to a
//!   [`loopback`] listener on 127.0.0.1.
//! - The refresh token and the last verification record live in the OS keyring ([`secrets`]);
//!   the access and ID tokens only in memory.
//! - Roles come from the groups claim through the configured mapping; a person in no mapped
//!   group gets nothing stored and no workspace.
//! - Offline, the last verification stands for the configured grace window (review only);
//!   approval needs the provider online and an authentication within the approval window.
//! - [`aws`] turns the ID token into AWS credentials (STS AssumeRoleWithWebIdentity).
//!
//! Async (tokio) stays inside: the port is synchronous, each call runs its future to completion
//! on this adapter's own runtime (on a scoped thread, so callers may be inside another runtime).

pub mod aws;
pub mod config;
pub mod loopback;
pub mod oidc;
pub mod secrets;

use config::OidcConfig;
use oidc::{Provider, Tokens};
use recon_api::identity::{DevicePrompt, Identity, Session, SignOutReport};
use recon_api::{ApiError, ErrorCode};
use recon_review::Principal;
use recon_review::identity::{Purpose, Refusal, Verification, admit};
use secrets::Secrets;
use serde::{Deserialize, Serialize};
use std::sync::{Arc, Mutex};

/// What went wrong, by kind; converted to the API's codes at the port.
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("{0}")]
    Config(String),
    #[error("{0}")]
    Unreachable(String),
    /// The flow failed on our side (state, browser, redirect).
    #[error("sign-in failed: {0}")]
    Rejected(String),
    /// The provider answered with an OAuth error (invalid_grant, ...).
    #[error("{0}")]
    Refused(String),
    #[error("the ID token does not validate: {0}")]
    InvalidToken(String),
    #[error("{0}")]
    NotSignedIn(String),
    #[error("{0}")]
    NoAccess(String),
    #[error("OS keyring: {0}")]
    Keyring(String),
}

impl From<AuthError> for ApiError {
    fn from(e: AuthError) -> ApiError {
        let code = match &e {
            AuthError::Config(_) => ErrorCode::ConfigInvalid,
            AuthError::Unreachable(_) => ErrorCode::ProviderUnreachable,
            AuthError::Rejected(_) | AuthError::Refused(_) | AuthError::InvalidToken(_) => {
                ErrorCode::SignInFailed
            }
            AuthError::NotSignedIn(_) => ErrorCode::SignInRequired,
            AuthError::NoAccess(_) => ErrorCode::NotAllowed,
            AuthError::Keyring(_) => ErrorCode::KeyringUnavailable,
        };
        ApiError::Identity {
            code,
            message: e.to_string(),
        }
    }
}

/// The last verification, kept in the keyring so that a new process offline knows who was
/// verified and when (the offline grace).
#[derive(Clone, Debug, Serialize, Deserialize, PartialEq, Eq)]
struct Record {
    issuer: String,
    sub: String,
    name: Option<String>,
    email: Option<String>,
    groups: Vec<String>,
    auth_time: Option<i64>,
    verified_at: i64,
    expires_at: i64,
}

/// Opens a URL in the system browser (never an embedded webview): `$BROWSER` when set (the
/// convention of Unix tools, and how tests hand the flow to their browser program), else the
/// platform's opener.
pub fn system_browser(url: &str) -> Result<(), String> {
    let mut command = if let Some(browser) = std::env::var("BROWSER")
        .ok()
        .and_then(|b| b.split(':').next().map(str::to_string))
        .filter(|b| !b.trim().is_empty())
    {
        let mut c = std::process::Command::new(browser);
        c.arg(url);
        c
    } else if cfg!(target_os = "macos") {
        let mut c = std::process::Command::new("open");
        c.arg(url);
        c
    } else if cfg!(windows) {
        let mut c = std::process::Command::new("rundll32");
        c.args(["url.dll,FileProtocolHandler", url]);
        c
    } else {
        let mut c = std::process::Command::new("xdg-open");
        c.arg(url);
        c
    };
    command
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null());
    let mut child = command
        .spawn()
        .map_err(|e| format!("{:?}: {e}", command.get_program()))?;
    // Reap it whenever it ends; the sign-in does not wait for the browser to exit.
    std::thread::spawn(move || child.wait());
    Ok(())
}

fn unix_now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

pub type Opener = Arc<dyn Fn(&str) -> Result<(), String> + Send + Sync>;
pub type Clock = Arc<dyn Fn() -> i64 + Send + Sync>;

/// The current ID token, shared with the AWS credentials provider (memory only).
pub type IdTokenCell = Arc<Mutex<Option<String>>>;

/// The [`Identity`] port over OpenID Connect.
pub struct OidcIdentity {
    cfg: OidcConfig,
    secrets: Box<dyn Secrets>,
    /// Always Some until dropped (taken in `Drop` to shut it down without blocking).
    runtime: Option<tokio::runtime::Runtime>,
    provider: Option<Provider>,
    live: Option<Session>,
    id_token: IdTokenCell,
    opener: Opener,
    clock: Clock,
}

impl OidcIdentity {
    /// The adapter for a configured provider, its secrets in `secrets` (the OS keyring in the
    /// product), the system browser as opener.
    pub fn new(cfg: OidcConfig, secrets: Box<dyn Secrets>) -> Result<OidcIdentity, ApiError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .map_err(|e| AuthError::Config(format!("async runtime: {e}")))?;
        Ok(OidcIdentity {
            cfg,
            secrets,
            runtime: Some(runtime),
            provider: None,
            live: None,
            id_token: Arc::new(Mutex::new(None)),
            opener: Arc::new(system_browser),
            clock: Arc::new(unix_now),
        })
    }

    /// Another way to open the authorize URL (tests: their browser program).
    pub fn with_opener(mut self, opener: Opener) -> OidcIdentity {
        self.opener = opener;
        self
    }

    /// Another clock (tests of expiry and grace).
    pub fn with_clock(mut self, clock: Clock) -> OidcIdentity {
        self.clock = clock;
        self
    }

    pub fn config(&self) -> &OidcConfig {
        &self.cfg
    }

    /// The ID token cell the AWS credentials provider reads.
    pub fn id_token_cell(&self) -> IdTokenCell {
        self.id_token.clone()
    }

    /// The current ID token (memory only), if signed in in this process.
    pub fn id_token(&self) -> Option<String> {
        self.id_token.lock().ok().and_then(|t| t.clone())
    }

    /// Runs a future to completion on this adapter's runtime, from any thread.
    fn block<T: Send>(runtime: &tokio::runtime::Runtime, f: impl Future<Output = T> + Send) -> T {
        std::thread::scope(|s| {
            s.spawn(|| runtime.block_on(f))
                .join()
                .unwrap_or_else(|p| std::panic::resume_unwind(p))
        })
    }

    fn refresh_name(&self) -> String {
        secrets::refresh_entry(&self.cfg.issuer, &self.cfg.client_id)
    }

    fn record_name(&self) -> String {
        secrets::identity_entry(&self.cfg.issuer, &self.cfg.client_id)
    }

    fn load_record(&self) -> Result<Option<Record>, AuthError> {
        let text = self
            .secrets
            .get(&self.record_name())
            .map_err(AuthError::Keyring)?;
        Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Accepts validated tokens: roles from groups (no mapped group: nothing stored), the
    /// refresh token and the record to the keyring, the ID token to memory.
    fn accept(&mut self, tokens: Tokens, previous: Option<&Record>) -> Result<Session, AuthError> {
        let c = &tokens.claims;
        if let Some(prev) = previous
            && (prev.sub != c.sub || prev.issuer != c.issuer)
        {
            return Err(AuthError::InvalidToken(format!(
                "the refreshed ID token names {}#{}, not {}#{}",
                c.issuer, c.sub, prev.issuer, prev.sub
            )));
        }
        let now = (self.clock)();
        let record = Record {
            issuer: c.issuer.clone(),
            sub: c.sub.clone(),
            name: c.name.clone(),
            email: c.email.clone(),
            groups: c.groups.clone(),
            // A refreshed ID token may omit auth_time: the authentication is the earlier one.
            auth_time: c.auth_time.or(previous.and_then(|p| p.auth_time)),
            verified_at: now,
            expires_at: c.expires_at,
        };
        // Roles first: a person in no mapped group gets nothing stored.
        let session = self.session_of(record.clone(), true)?;
        if let Some(rt) = &tokens.refresh_token {
            self.secrets
                .put(&self.refresh_name(), rt)
                .map_err(AuthError::Keyring)?;
        }
        self.secrets
            .put(
                &self.record_name(),
                &serde_json::to_string(&record).unwrap_or_default(),
            )
            .map_err(AuthError::Keyring)?;
        if let Ok(mut cell) = self.id_token.lock() {
            *cell = Some(tokens.id_token.clone());
        }
        self.live = Some(session.clone());
        Ok(session)
    }

    /// The refresh token exchanged for new tokens.
    fn refresh(&mut self) -> Result<Session, AuthError> {
        let rt = self
            .secrets
            .get(&self.refresh_name())
            .map_err(AuthError::Keyring)?
            .ok_or_else(|| {
                AuthError::NotSignedIn(format!(
                    "not signed in to {}: run `recon login` or use \"Sign in with Okta\"",
                    self.cfg.issuer
                ))
            })?;
        let previous = self.load_record()?;
        let clock = self.clock.clone();
        let runtime = self.runtime.as_ref().expect("runtime until drop");
        let provider = discovered(&mut self.provider, runtime, &self.cfg)?;
        let now = move || clock();
        match Self::block(runtime, provider.refresh(&rt, &now)) {
            Ok(tokens) => self.accept(tokens, previous.as_ref()),
            Err(AuthError::Refused(why)) => {
                // The provider ended the session (revoked, expired, rotated away): the tokens
                // are useless now; the person signs in again and loses no work.
                self.forget();
                Err(AuthError::NotSignedIn(format!(
                    "your session at {} has ended ({why}): sign in again; your work is kept",
                    self.cfg.issuer
                )))
            }
            Err(e) => Err(e),
        }
    }

    fn forget(&mut self) {
        let _ = self.secrets.delete(&self.refresh_name());
        let _ = self.secrets.delete(&self.record_name());
        self.live = None;
        if let Ok(mut cell) = self.id_token.lock() {
            *cell = None;
        }
    }

    fn offline_session(&self, purpose: Purpose, why: String) -> Result<Session, ApiError> {
        let now = (self.clock)();
        let record = self.load_record()?.ok_or_else(|| {
            AuthError::Unreachable(format!(
                "{why}; and nobody was verified on this laptop before"
            ))
        })?;
        let v = Verification {
            verified_at: record.verified_at,
            auth_time: record.auth_time,
            online: false,
        };
        admit(&self.cfg.policy, purpose, &v, now).map_err(|r| refusal(r, &why))?;
        Ok(self.session_of(record, false)?)
    }

    /// The session a verification record stands for: roles from its groups (an error naming the
    /// groups that give access when none does).
    fn session_of(&self, record: Record, online: bool) -> Result<Session, AuthError> {
        let display = record
            .name
            .clone()
            .or_else(|| record.email.clone())
            .unwrap_or_else(|| record.sub.clone());
        let roles = self
            .cfg
            .roles
            .roles(&display, &record.groups)
            .map_err(|e| AuthError::NoAccess(e.to_string()))?;
        let ends_at = if online {
            record.expires_at
        } else {
            record.verified_at + self.cfg.policy.offline_grace_seconds
        };
        Ok(Session {
            principal: Principal::verified(&record.issuer, &record.sub, &display, &roles),
            issuer: record.issuer,
            sub: record.sub,
            email: record.email,
            groups: record.groups,
            auth_time: record.auth_time,
            verified_at: record.verified_at,
            expires_at: record.expires_at,
            online,
            ends_at,
        })
    }

    fn interactive(&mut self, purpose: Purpose) -> Result<Session, AuthError> {
        let max_age =
            (purpose == Purpose::Approve).then_some(self.cfg.policy.approval_max_age_seconds);
        let opener = self.opener.clone();
        let clock = self.clock.clone();
        let runtime = self.runtime.as_ref().expect("runtime until drop");
        let provider = discovered(&mut self.provider, runtime, &self.cfg)?;
        let open = move |u: &str| opener(u);
        let now = move || clock();
        let tokens = Self::block(runtime, provider.sign_in(&open, max_age, &now))?;
        self.accept(tokens, None)
    }
}

impl Drop for OidcIdentity {
    /// The runtime may be dropped inside another runtime (Tauri's, a test's): shut it down
    /// without blocking.
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

/// The provider, discovered on first use and kept (fields borrowed apart, so callers may hold
/// the runtime at the same time).
fn discovered<'a>(
    slot: &'a mut Option<Provider>,
    runtime: &tokio::runtime::Runtime,
    cfg: &OidcConfig,
) -> Result<&'a mut Provider, AuthError> {
    if slot.is_none() {
        *slot = Some(OidcIdentity::block(runtime, Provider::discover(cfg))?);
    }
    Ok(slot.as_mut().expect("discovered above"))
}

fn refusal(r: Refusal, why: &str) -> ApiError {
    ApiError::Identity {
        code: ErrorCode::SignInRequired,
        message: if matches!(r, Refusal::SignInTooOld { .. }) {
            r.to_string()
        } else {
            format!("{r} ({why})")
        },
    }
}

impl Identity for OidcIdentity {
    fn describe(&self) -> String {
        format!(
            "OpenID provider {} (client {})",
            self.cfg.issuer, self.cfg.client_id
        )
    }

    fn sign_in(&mut self, purpose: Purpose) -> Result<Session, ApiError> {
        Ok(self.interactive(purpose)?)
    }

    fn sign_in_device(&mut self, show: &mut dyn FnMut(&DevicePrompt)) -> Result<Session, ApiError> {
        let clock = self.clock.clone();
        let runtime = self.runtime.as_ref().expect("runtime until drop");
        let provider = discovered(&mut self.provider, runtime, &self.cfg)?;
        let prompt: Mutex<Option<DevicePrompt>> = Mutex::new(None);
        let mut capture = |d: &openidconnect::core::CoreDeviceAuthorizationResponse| {
            let p = DevicePrompt {
                verification_uri: d.verification_uri().to_string(),
                verification_uri_complete: d
                    .verification_uri_complete()
                    .map(|u| u.secret().to_string()),
                user_code: d.user_code().secret().to_string(),
                expires_in_seconds: d.expires_in().as_secs(),
            };
            if let Ok(mut slot) = prompt.lock() {
                *slot = Some(p);
            }
        };
        let now = move || clock();
        // The prompt is shown from this thread while the device grant polls on the runtime.
        let tokens = std::thread::scope(|s| {
            let poll = s.spawn(|| runtime.block_on(provider.sign_in_device(&mut capture, &now)));
            let mut shown = false;
            while !poll.is_finished() {
                if !shown && let Some(p) = prompt.lock().ok().and_then(|g| g.clone()) {
                    show(&p);
                    shown = true;
                }
                std::thread::sleep(std::time::Duration::from_millis(50));
            }
            poll.join().unwrap_or_else(|p| std::panic::resume_unwind(p))
        })?;
        Ok(self.accept(tokens, None)?)
    }

    fn session(&mut self, purpose: Purpose) -> Result<Session, ApiError> {
        let now = (self.clock)();
        let fresh = self
            .live
            .as_ref()
            .is_some_and(|s| now < s.expires_at - self.cfg.refresh_ahead_seconds);
        // Approval always asks the provider (it must be online, and the account still active).
        if !fresh || purpose == Purpose::Approve {
            match self.refresh() {
                Ok(_) => {}
                Err(AuthError::Unreachable(why)) => return self.offline_session(purpose, why),
                Err(e) => return Err(e.into()),
            }
        }
        let session = self
            .live
            .clone()
            .ok_or_else(|| AuthError::NotSignedIn("not signed in: run `recon login`".into()))?;
        let v = Verification {
            verified_at: session.verified_at,
            auth_time: session.auth_time,
            online: true,
        };
        admit(&self.cfg.policy, purpose, &v, now).map_err(|r| refusal(r, "online"))?;
        Ok(session)
    }

    fn renew(&mut self) -> Result<Session, ApiError> {
        Ok(self.refresh()?)
    }

    fn end_browser_session(&self, url: &str) -> Result<(), ApiError> {
        (self.opener)(url).map_err(|e| {
            ApiError::from(AuthError::Rejected(format!(
                "could not open the system browser to end the provider's session ({e}): {url}"
            )))
        })
    }

    fn sign_out(&mut self) -> Result<SignOutReport, ApiError> {
        let rt = self
            .secrets
            .get(&self.refresh_name())
            .map_err(AuthError::Keyring)?;
        let id_token = self.id_token();
        let mut report = SignOutReport::default();
        let runtime = self.runtime.as_ref().expect("runtime until drop");
        match (rt, discovered(&mut self.provider, runtime, &self.cfg)) {
            (Some(rt), Ok(provider)) => {
                report.end_session_url = provider.end_session_url(id_token.as_deref());
                match Self::block(runtime, provider.revoke(&rt)) {
                    Ok(()) => report.revoked = true,
                    Err(e) => report.note = Some(format!("not revoked at the provider: {e}")),
                }
            }
            (None, _) => report.note = Some("no refresh token was stored".into()),
            (Some(_), Err(e)) => report.note = Some(format!("not revoked at the provider: {e}")),
        }
        self.forget();
        Ok(report)
    }
}
