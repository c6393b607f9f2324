//! `recon export signoff`: the sign-off pack of a workspace as PDF, XLSX or CSV.

use clap::{Args, Subcommand};
use recon_api::workspace as w;
use recon_api::{ApiError, PdfOptions, ReportFormat};
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct ExportArgs {
    #[command(subcommand)]
    command: ExportCommand,
}

#[derive(Subcommand, Debug)]
enum ExportCommand {
    /// The sign-off pack auditors file: cover with the reconciliation statement and sign-off
    /// block, statistics, open exceptions, adjustments, evidence, every matched group. A pack
    /// that is not approved is marked DRAFT. Set SOURCE_DATE_EPOCH for byte-identical re-exports.
    Signoff {
        /// Workspace directory (`--ws`, as in every other command; `--workspace` still works).
        #[arg(long = "ws", alias = "workspace", value_name = "WS", env = "RECON_WS")]
        workspace: PathBuf,
        /// pdf, xlsx or csv.
        #[arg(long, value_parser = parse_format)]
        format: ReportFormat,
        /// The file to write (replaced atomically).
        #[arg(long)]
        out: PathBuf,
        /// PDF only: leave out the appendix listing every matched group.
        #[arg(long)]
        no_appendix: bool,
    },
}

fn parse_format(s: &str) -> Result<ReportFormat, String> {
    ReportFormat::from_name(s).ok_or_else(|| format!("unknown format {s:?}: use pdf, xlsx or csv"))
}

pub fn export(args: ExportArgs) -> Result<ExitCode, ApiError> {
    match args.command {
        ExportCommand::Signoff {
            workspace,
            format,
            out,
            no_appendix,
        } => {
            let keys = w::os_key_store()?;
            let mut ws = w::open_workspace(&workspace, &keys)?;
            let report = recon_api::export_sign_off(
                &mut ws,
                format,
                &out,
                &PdfOptions {
                    appendix: !no_appendix,
                },
            )?;
            println!(
                "wrote {} ({} bytes, {}): {} open exceptions, {} matched items, content hash {}",
                report.path.display(),
                report.bytes,
                if report.draft { "DRAFT" } else { "approved" },
                report.exceptions,
                report.matched_items,
                report.content_hash
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
