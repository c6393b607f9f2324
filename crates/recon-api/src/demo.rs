//! The built-in demo: bundled sample statements (camt.053, MT940, BAI2) and a ledger extract,
//! embedded in the binary so `recon demo` runs anywhere with no configuration.

use crate::{
    ApiError, ImportOptions, ImportReport, InputFile, import_ledger_files, import_statement_files,
};
use recon_formats::Limits;
use recon_model::LedgerEntry;

/// The bundled demo files: (name, bytes).
pub const DEMO_STATEMENTS: [(&str, &[u8]); 3] = [
    (
        "demo-2026-11-a.camt053.xml",
        include_bytes!("../../../assets/demo/statements/demo-2026-11-a.camt053.xml"),
    ),
    (
        "demo-2026-11-b.sta",
        include_bytes!("../../../assets/demo/statements/demo-2026-11-b.sta"),
    ),
    (
        "demo-usd.bai",
        include_bytes!("../../../assets/demo/statements/demo-usd.bai"),
    ),
];
pub const DEMO_LEDGER: (&str, &[u8]) = (
    "ledger.csv",
    include_bytes!("../../../assets/demo/ledger.csv"),
);

#[derive(Debug)]
pub struct DemoReport {
    pub import: ImportReport,
    pub ledger: Vec<LedgerEntry>,
    pub outcome: recon_match::MatchOutcome,
}

/// Runs the headless main job on the bundled samples: import statements and the ledger.
pub fn run_demo() -> Result<DemoReport, ApiError> {
    let files: Vec<InputFile> = DEMO_STATEMENTS
        .iter()
        .map(|(name, bytes)| InputFile {
            name: (*name).to_string(),
            bytes: bytes.to_vec(),
        })
        .collect();
    let import = import_statement_files(&files, &ImportOptions::default());
    let ledger = import_ledger_files(
        &[InputFile {
            name: DEMO_LEDGER.0.to_string(),
            bytes: DEMO_LEDGER.1.to_vec(),
        }],
        None,
        &Limits::default(),
    )?;
    let (bank_items, ledger_items) = crate::match_items(&import.statements, &ledger);
    let input = recon_match::MatchInput {
        bank: bank_items,
        ledger: ledger_items,
        ..recon_match::MatchInput::default()
    };
    let outcome = recon_match::run(&input, &recon_match::RuleSet::default_rules(), &mut ())
        .map_err(|e| ApiError::InvalidArgument(e.to_string()))?;
    Ok(DemoReport {
        import,
        ledger,
        outcome,
    })
}
