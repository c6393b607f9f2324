//! Renders a [`SignOffPack`] as the evidence auditors file: a PDF (cover with the bank
//! reconciliation statement and sign-off block, statistics, adjustments, open items, evidence, an
//! appendix of every matched group), an XLSX workbook (Summary, Matched, Exceptions, Adjustments,
//! Audit trail) and one RFC 4180 CSV.
//!
//! No IO, no clock: a pack in, bytes out. The same pack gives the same bytes; the only timestamp
//! an export adds is the pack's `generated_at`, printed under that name in every format.
//! Text cells of the CSV that a spreadsheet would read as a formula are neutralized; amounts
//! stay numbers.

mod csv;
mod money;
pub mod parquet;
mod pdf;
mod xlsx;

pub use csv::neutralize;
pub use money::{grouped, plain};
pub use pdf::PdfOptions;
use recon_review::pack::SignOffPack;
pub use xlsx::render_with_row_limit as xlsx_with_row_limit;

/// The formats a sign-off pack exports to.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReportFormat {
    Pdf,
    Xlsx,
    Csv,
}

impl ReportFormat {
    pub fn from_name(name: &str) -> Option<ReportFormat> {
        match name.trim().to_ascii_lowercase().as_str() {
            "pdf" => Some(ReportFormat::Pdf),
            "xlsx" => Some(ReportFormat::Xlsx),
            "csv" => Some(ReportFormat::Csv),
            _ => None,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            ReportFormat::Pdf => "pdf",
            ReportFormat::Xlsx => "xlsx",
            ReportFormat::Csv => "csv",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ReportError {
    #[error("the XLSX workbook could not be written: {0}")]
    Xlsx(#[from] rust_xlsxwriter::XlsxError),
    #[error("the Parquet results could not be written: {0}")]
    Parquet(String),
    #[error("the pack's {field} is not a valid timestamp: {value:?}")]
    Timestamp { field: &'static str, value: String },
}

/// Renders the pack in one format.
pub fn render(
    pack: &SignOffPack,
    format: ReportFormat,
    pdf_options: &PdfOptions,
) -> Result<Vec<u8>, ReportError> {
    match format {
        ReportFormat::Pdf => Ok(pdf::render(pack, pdf_options)),
        ReportFormat::Xlsx => xlsx::render(pack),
        ReportFormat::Csv => Ok(csv::render(pack)),
    }
}
