//! Export use case: the sign-off pack of a workspace as PDF, XLSX or CSV, written atomically (a
//! temporary file beside the target, synced, then renamed), so a failed or interrupted export
//! never leaves a half-written pack where a finished one was expected.

use crate::ApiError;
use crate::workspace::{local_date_at, now_rfc3339, unix_now};
use recon_report::{PdfOptions, ReportFormat};
use recon_review::pack::SignOffPack;
use recon_store::Workspace;
use std::path::{Path, PathBuf};

/// What an export wrote.
#[derive(Clone, Debug)]
pub struct ExportReport {
    pub path: PathBuf,
    pub format: ReportFormat,
    pub bytes: usize,
    /// Watermarked: not approved, or changed since the approval.
    pub draft: bool,
    pub content_hash: String,
    pub exceptions: usize,
    pub matched_items: usize,
}

/// The pack of the workspace now, aged as of the laptop's local date (its time zone recorded in
/// the pack), stamped with the current time; or, when `SOURCE_DATE_EPOCH` is set (the
/// reproducible-builds convention), as of that instant, so a re-export gives byte-identical files.
pub fn sign_off_pack(ws: &mut Workspace) -> Result<SignOffPack, ApiError> {
    let fixed = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.trim().parse::<i64>().ok())
        .and_then(|secs| chrono::DateTime::from_timestamp(secs, 0));
    let now = fixed
        .unwrap_or_else(|| chrono::DateTime::from_timestamp(unix_now(), 0).unwrap_or_default());
    let (as_of, time_zone) = local_date_at(now);
    let generated_at = match fixed {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => now_rfc3339(),
    };
    let mut pack = ws.sign_off_pack(as_of, &generated_at)?;
    pack.as_of_time_zone = time_zone;
    Ok(pack)
}

/// Renders the workspace's sign-off pack and writes it to `out`.
pub fn export_sign_off(
    ws: &mut Workspace,
    format: ReportFormat,
    out: &Path,
    options: &PdfOptions,
) -> Result<ExportReport, ApiError> {
    let pack = sign_off_pack(ws)?;
    let bytes = recon_report::render(&pack, format, options)?;
    crate::atomic::write_atomically(out, &bytes)?;
    Ok(ExportReport {
        path: out.to_path_buf(),
        format,
        bytes: bytes.len(),
        draft: pack.is_draft(),
        content_hash: pack.content_hash.clone(),
        exceptions: pack.exceptions.len(),
        matched_items: pack.groups.iter().map(|g| g.items.len()).sum(),
    })
}
