//! Errors of the use cases, with a stable code for every kind (the UI and scripts match codes,
//! never message text).

use recon_formats::ImportError;
use std::path::PathBuf;

/// A stable, serializable error code: what crosses the IPC boundary and the CLI's exit status.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    FileUnreadable,
    FileRejected,
    InvalidArgument,
    OutputUnwritable,
    /// No OS keyring answers; workspaces cannot be created or opened.
    KeyringUnavailable,
    /// The workspace's key is missing from the keyring, or does not open the database.
    WorkspaceLocked,
    /// Not a workspace, made by a newer version, or its database is damaged.
    WorkspaceUnusable,
    /// The audit chain does not verify.
    AuditBroken,
    /// The principal may not do this now (role, state, maker-checker, unexplained difference).
    NotAllowed,
    NotFound,
    /// The change conflicts with the workspace's state (item already matched, ...).
    Conflict,
    /// No verified session for this: never signed in, signed out, refresh refused, offline grace
    /// over, or approval without a recent sign-in. Work in progress is kept; sign in again.
    SignInRequired,
    /// The sign-in did not complete: the provider refused, the browser flow was cancelled or
    /// tampered with (state, PKCE), or the ID token failed validation.
    SignInFailed,
    /// The identity provider (or STS) could not be reached.
    ProviderUnreachable,
    /// The sign-in configuration is missing or wrong (the message names the key and the file).
    ConfigInvalid,
    /// Publishing could not reach or write a destination (the message says which and why); the
    /// approval waits in the outbox and is tried again.
    PublishFailed,
}

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Import(#[from] ImportError),
    #[error("{0}")]
    InvalidArgument(String),
    #[error("{0}")]
    Store(#[from] recon_store::StoreError),
    #[error("{0}")]
    Report(#[from] recon_report::ReportError),
    /// The app's own refusals (not signed in, ...).
    #[error("{0}")]
    NotAllowed(String),
    #[error("{0}")]
    NotFound(String),
    /// Sign-in and identity failures; `code` is one of the identity codes.
    #[error("{message}")]
    Identity { code: ErrorCode, message: String },
    /// A publishing destination's failure (issue 18).
    #[error("{0}")]
    Publish(crate::publish::PublishError),
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Read { .. } => ErrorCode::FileUnreadable,
            ApiError::Write { .. } => ErrorCode::OutputUnwritable,
            ApiError::Import(_) => ErrorCode::FileRejected,
            ApiError::InvalidArgument(_) => ErrorCode::InvalidArgument,
            ApiError::Report(_) => ErrorCode::OutputUnwritable,
            ApiError::NotAllowed(_) => ErrorCode::NotAllowed,
            ApiError::NotFound(_) => ErrorCode::NotFound,
            ApiError::Identity { code, .. } => *code,
            ApiError::Publish(e) if e.code.permanent() => ErrorCode::Conflict,
            ApiError::Publish(_) => ErrorCode::PublishFailed,
            ApiError::Store(e) => {
                use recon_store::StoreErrorKind as K;
                match e.kind() {
                    K::KeyringUnavailable => ErrorCode::KeyringUnavailable,
                    K::KeyMissing | K::WrongKey => ErrorCode::WorkspaceLocked,
                    K::NotAWorkspace | K::AlreadyExists | K::NewerSchema | K::Database => {
                        ErrorCode::WorkspaceUnusable
                    }
                    K::Io => ErrorCode::FileUnreadable,
                    K::AuditBroken => ErrorCode::AuditBroken,
                    K::NotAllowed => ErrorCode::NotAllowed,
                    K::NotFound => ErrorCode::NotFound,
                    K::Conflict => ErrorCode::Conflict,
                    K::Invalid => ErrorCode::InvalidArgument,
                }
            }
        }
    }
}
