//! The workbench's use cases as plain functions. The `recon` CLI, the desktop app's commands and
//! the tests call these and nothing deeper; each caller is a thin shell that parses its arguments
//! and renders the result. DTOs that cross a boundary (JSON contract, IPC) live in [`dto`].

pub mod app_data;
mod atomic;
pub mod carry;
mod demo;
pub mod desk;
pub mod dto;
mod error;
mod evaluation;
mod export;
mod generate;
pub mod identity;
mod import;
pub mod inbox;
mod matching;
pub mod publish;
pub mod simulate;
pub mod workspace;

pub use atomic::write_atomically;
pub use demo::{
    DEMO_ACCOUNT, DEMO_STATEMENTS, DemoReport, WorkspaceDemo, approved_demo_workspace, run_demo,
    run_workspace_demo, workspace_demo_flow,
};
pub use error::{ApiError, ErrorCode};
pub use evaluation::evaluate_files;
pub use export::{ExportReport, export_sign_off, sign_off_pack};
pub use generate::{GenerateReport, generate_files, generate_profile_files};
pub use import::{
    ImportOptions, ImportReport, InputFile, import_ledger_files, import_statement_files, read_input,
};
pub use matching::{
    MatchReport, MatchRequest, PhaseClock, load_rules, load_rules_with_hash, match_files,
    match_items, write_outcome,
};
pub use recon_report::{PdfOptions, ReportFormat};
