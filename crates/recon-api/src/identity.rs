//! Who is acting, verified: the use cases' side of sign-in. [`Identity`] is the port the sign-in
//! adapter (`recon-auth`: OpenID Connect against the company's Okta, tokens in the OS keyring)
//! implements; the CLI and the desktop app construct the adapter at start-up and hand it here.
//! The rules (roles from groups, offline grace, approval freshness) are recon-review's
//! `identity`; the protocol is the adapter's.

use crate::ApiError;
use crate::desk::RoleName;
use recon_review::identity::Purpose;
use recon_review::{Assurance, Principal, Role};
use serde::Serialize;
use ts_rs::TS;

/// A verified session: the principal the workspace records, and what vouches for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Session {
    pub principal: Principal,
    /// The provider's issuer URL (exact `iss`).
    pub issuer: String,
    /// The ID token's `sub`.
    pub sub: String,
    pub email: Option<String>,
    /// The groups claim as the provider sent it.
    pub groups: Vec<String>,
    /// When the person authenticated at the provider (`auth_time`), Unix seconds.
    pub auth_time: Option<i64>,
    /// When the provider last vouched for the person (sign-in or refresh), Unix seconds.
    pub verified_at: i64,
    /// When the current ID token expires, Unix seconds (the session is refreshed before).
    pub expires_at: i64,
    /// False when the provider could not be reached and the offline grace applies.
    pub online: bool,
    /// When this session stops being usable without the provider, Unix seconds: online, the ID
    /// token's expiry (refreshed silently before); offline, the end of the offline grace.
    pub ends_at: i64,
}

/// What a device-authorization sign-in (RFC 8628) asks the person to do.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DevicePrompt {
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub user_code: String,
    pub expires_in_seconds: u64,
}

/// What signing out did.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub struct SignOutReport {
    /// The refresh token was revoked at the provider (RFC 7009).
    pub revoked: bool,
    /// The provider's end-session URL, opened to end the browser session.
    pub end_session_url: Option<String>,
    /// Why revocation did not happen (offline, no endpoint); the local tokens are gone anyway.
    pub note: Option<String>,
}

/// The sign-in port. Implementations keep the refresh token in the OS keyring and the access and
/// ID tokens in memory only; errors carry [`ApiError::Identity`] codes.
pub trait Identity: Send {
    /// "Okta at https://acme.okta.com (client recon-workbench)".
    fn describe(&self) -> String;
    /// Interactive sign-in: authorization code with PKCE in the system browser, loopback
    /// redirect. `Purpose::Approve` asks the provider for a fresh authentication (`max_age`).
    fn sign_in(&mut self, purpose: Purpose) -> Result<Session, ApiError>;
    /// Sign-in on a machine without a browser: the device authorization grant. `show` is called
    /// once with what to tell the person.
    fn sign_in_device(&mut self, show: &mut dyn FnMut(&DevicePrompt)) -> Result<Session, ApiError>;
    /// The current session for `purpose`: refreshed silently when the ID token is near expiry,
    /// restored from the keyring's refresh token in a new process, and within the offline grace
    /// when the provider cannot be reached. `SignInRequired` when none of that holds.
    fn session(&mut self, purpose: Purpose) -> Result<Session, ApiError>;
    /// Asks the provider for fresh tokens now (the refresh token), whatever their expiry.
    fn renew(&mut self) -> Result<Session, ApiError>;
    /// Revokes the refresh token, forgets every token, and returns the end-session URL.
    fn sign_out(&mut self) -> Result<SignOutReport, ApiError>;
    /// Opens the provider's end-session URL in the system browser (ends its browser session).
    fn end_browser_session(&self, url: &str) -> Result<(), ApiError>;
}

/// The principal to act as for `purpose`, from the signed-in session.
pub fn principal_for(identity: &mut dyn Identity, purpose: Purpose) -> Result<Principal, ApiError> {
    Ok(identity.session(purpose)?.principal)
}

/// What `recon whoami` and the app show.
#[derive(Clone, Debug, Serialize, TS, PartialEq, Eq)]
#[ts(export)]
pub struct WhoAmI {
    /// `{issuer}#{sub}`: what the audit trail records.
    pub subject: String,
    pub display_name: String,
    pub email: Option<String>,
    pub roles: Vec<RoleName>,
    pub groups: Vec<String>,
    pub issuer: String,
    /// RFC 3339, UTC.
    pub authenticated_at: Option<String>,
    pub verified_at: String,
    pub expires_at: String,
    pub online: bool,
    /// Verified here; self-asserted for demo profiles.
    pub assurance: AssuranceName,
}

/// How an identity was established, across IPC.
#[derive(Clone, Copy, Debug, Serialize, TS, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
#[ts(export, rename = "Assurance")]
pub enum AssuranceName {
    SelfAsserted,
    Verified,
}

impl From<Assurance> for AssuranceName {
    fn from(a: Assurance) -> AssuranceName {
        match a {
            Assurance::SelfAsserted => AssuranceName::SelfAsserted,
            Assurance::Verified => AssuranceName::Verified,
        }
    }
}

impl From<&Session> for WhoAmI {
    fn from(s: &Session) -> WhoAmI {
        WhoAmI {
            subject: s.principal.subject.clone(),
            display_name: s.principal.display_name.clone(),
            email: s.email.clone(),
            roles: s
                .principal
                .roles
                .iter()
                .map(|r: &Role| match r {
                    Role::Clerk => RoleName::Clerk,
                    Role::Supervisor => RoleName::Supervisor,
                })
                .collect(),
            groups: s.groups.clone(),
            issuer: s.issuer.clone(),
            authenticated_at: s.auth_time.map(rfc3339),
            verified_at: rfc3339(s.verified_at),
            expires_at: rfc3339(s.expires_at),
            online: s.online,
            assurance: s.principal.assurance.into(),
        }
    }
}

/// Unix seconds as RFC 3339 UTC.
pub fn rfc3339(unix: i64) -> String {
    chrono::DateTime::from_timestamp(unix, 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_else(|| unix.to_string())
}
