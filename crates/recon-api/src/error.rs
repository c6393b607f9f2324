//! Errors of the use cases, with a stable code for every kind (the UI and scripts match codes,
//! never message text).

use recon_formats::ImportError;
use std::path::PathBuf;

/// A stable, serializable error code: what crosses the IPC boundary and the CLI's exit status.
#[derive(Clone, Copy, PartialEq, Eq, Debug, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    FileUnreadable,
    FileRejected,
    InvalidArgument,
    OutputUnwritable,
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
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::Read { .. } => ErrorCode::FileUnreadable,
            ApiError::Write { .. } => ErrorCode::OutputUnwritable,
            ApiError::Import(_) => ErrorCode::FileRejected,
            ApiError::InvalidArgument(_) => ErrorCode::InvalidArgument,
        }
    }
}
