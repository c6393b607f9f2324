//! Errors of the workspace store. Each says what failed and where (workspace path or id, table,
//! item); `code()` gives the stable kind the API maps to its `ErrorCode`.

use recon_review::SignOffError;
use recon_review::audit::AuditBreak;
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "no OS keyring reachable ({detail}); the workspace key is kept only in the OS keyring (Secret Service on Linux), so the workspace cannot be created or opened without one"
    )]
    KeyringUnavailable { detail: String },
    #[error(
        "the database key of workspace {workspace_id} is not in the OS keyring (service \"recon-workbench\", user \"workspace:{workspace_id}\"); without it the workspace cannot be opened"
    )]
    KeyMissing { workspace_id: String },
    #[error(
        "{path}: the key from the OS keyring does not open this database (wrong key, or not a workspace database)"
    )]
    WrongKey { path: PathBuf },
    #[error("{path}: not a workspace (no workspace.id and workspace.db inside)")]
    NotAWorkspace { path: PathBuf },
    #[error("{path}: a workspace already exists there")]
    AlreadyExists { path: PathBuf },
    #[error(
        "{path}: schema version {found} was made by a newer recon (this one knows up to {supported}); migrations only go forward"
    )]
    NewerSchema {
        path: PathBuf,
        found: i64,
        supported: i64,
    },
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("workspace database: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("audit log of workspace {workspace_id} does not verify: {source}")]
    AuditBroken {
        workspace_id: String,
        source: AuditBreak,
    },
    #[error("{0}")]
    SignOff(#[from] SignOffError),
    #[error(
        "workspace {workspace_id} takes only people signed in through the identity provider; {who} is self-asserted (demo mode): sign in with `recon login` or the app's \"Sign in with Okta\""
    )]
    UnverifiedIdentity { workspace_id: String, who: String },
    #[error("{0} not found in this workspace")]
    NotFound(String),
    #[error("{0}")]
    Conflict(String),
    #[error("{0}")]
    Invalid(String),
}

/// Stable kinds of store errors.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum StoreErrorKind {
    KeyringUnavailable,
    KeyMissing,
    WrongKey,
    NotAWorkspace,
    AlreadyExists,
    NewerSchema,
    Io,
    Database,
    AuditBroken,
    NotAllowed,
    NotFound,
    Conflict,
    Invalid,
}

impl StoreError {
    pub fn kind(&self) -> StoreErrorKind {
        match self {
            StoreError::KeyringUnavailable { .. } => StoreErrorKind::KeyringUnavailable,
            StoreError::KeyMissing { .. } => StoreErrorKind::KeyMissing,
            StoreError::WrongKey { .. } => StoreErrorKind::WrongKey,
            StoreError::NotAWorkspace { .. } => StoreErrorKind::NotAWorkspace,
            StoreError::AlreadyExists { .. } => StoreErrorKind::AlreadyExists,
            StoreError::NewerSchema { .. } => StoreErrorKind::NewerSchema,
            StoreError::Io { .. } => StoreErrorKind::Io,
            StoreError::Sqlite(_) => StoreErrorKind::Database,
            StoreError::AuditBroken { .. } => StoreErrorKind::AuditBroken,
            StoreError::SignOff(_) | StoreError::UnverifiedIdentity { .. } => {
                StoreErrorKind::NotAllowed
            }
            StoreError::NotFound(_) => StoreErrorKind::NotFound,
            StoreError::Conflict(_) => StoreErrorKind::Conflict,
            StoreError::Invalid(_) => StoreErrorKind::Invalid,
        }
    }
}

impl From<rusqlite::types::FromSqlError> for StoreError {
    fn from(e: rusqlite::types::FromSqlError) -> StoreError {
        StoreError::Sqlite(rusqlite::Error::FromSqlConversionFailure(
            0,
            rusqlite::types::Type::Text,
            Box::new(e),
        ))
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;
