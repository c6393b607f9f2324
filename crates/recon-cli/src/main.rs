//! `recon`: the workbench's command line. Each subcommand parses its arguments, calls one
//! recon-api function, and renders the result; no logic of its own.

/// Many small allocations (one String per text field of a million lines): mimalloc is markedly
/// faster at them than the system allocator. Built without transparent huge pages (`no_thp`):
/// on the reference machine the kernel's zeroing of fresh 2 MB pages was 43% of a 1M-line
/// `recon match` (perf), and the run took 3.7 s instead of 4.2–5.1 s without them.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

use clap::{Parser, Subcommand, ValueEnum};
use recon_api::dto::{CanonicalDocument, canonical_bank_csv};
use recon_api::{ApiError, ImportOptions};
use recon_formats::{Limits, ParseOptions, Severity};
use recon_model::Format;
use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

mod auth;
mod export;
mod inbox;
mod publish;
mod ws;

#[derive(Parser, Debug)]
#[command(name = "recon", version, about = "Bank reconciliation workbench")]
struct Cli {
    /// No progress or informational lines on stderr (errors and warnings still go there).
    #[arg(long, short, global = true)]
    quiet: bool,
    #[command(subcommand)]
    command: Command,
}

static QUIET: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// `--quiet`: progress and informational lines are left out.
pub(crate) fn quiet() -> bool {
    QUIET.load(std::sync::atomic::Ordering::Relaxed)
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Import statement files and print their canonical form.
    Convert(ConvertArgs),
    /// Write deterministic synthetic bank.csv, ledger.csv and truth.csv.
    Gen(GenArgs),
    /// Match bank lines with ledger entries by the passes of a rule set.
    Match(MatchArgs),
    /// Score a match run against the truth written by `recon gen`.
    Eval(EvalArgs),
    /// Run the headless main job on the bundled sample files.
    Demo(DemoArgs),
    /// The encrypted local workspace: import, match, review, sign-off.
    Ws(ws::WsArgs),
    /// The workspace's audit trail.
    Audit(ws::AuditArgs),
    /// Export reports: the sign-off pack (PDF, XLSX, CSV).
    Export(export::ExportArgs),
    /// Sign in through the company's identity provider (system browser, or --device).
    Login(auth::LoginArgs),
    /// Sign out: revoke the refresh token and forget every token on this laptop.
    Logout,
    /// Who is signed in, with roles and groups.
    Whoami,
    /// The sign-in configuration.
    Config(auth::ConfigArgs),
    /// Statement files and ledger extracts from the configured S3 prefixes: list, pull.
    Inbox(inbox::InboxArgs),
    /// Publish approved reconciliations (results database, S3 archive); status, reopen, verify,
    /// history.
    Publish(publish::PublishArgs),
    /// The results database: migrations, schema status, the password in the OS keyring.
    Db(publish::DbArgs),
    /// Print a shell completion script, e.g. `recon completions bash > ~/.local/share/bash-completion/completions/recon`.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
}

#[derive(clap::Args, Debug)]
struct DemoArgs {
    /// Where the demo reconciliation's sign-off pack (PDF, XLSX, CSV) is written.
    #[arg(long, default_value = "recon-demo-out")]
    out: PathBuf,
}

#[derive(clap::Args, Debug)]
struct MatchArgs {
    /// Bank statement files (any importable format).
    #[arg(long, required = true, num_args = 1..)]
    bank: Vec<PathBuf>,
    /// Ledger extracts (canonical ledger CSV).
    #[arg(long, required = true, num_args = 1..)]
    ledger: Vec<PathBuf>,
    /// Rule set (TOML); the shipped default (assets/rules/default.toml) when absent.
    #[arg(long)]
    rules: Option<PathBuf>,
    /// Output directory: matches.csv, exceptions.csv, summary.json.
    #[arg(long)]
    out: PathBuf,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(clap::Args, Debug)]
struct EvalArgs {
    /// truth.csv from `recon gen`.
    #[arg(long)]
    truth: PathBuf,
    /// The directory `recon match --out` wrote.
    #[arg(long)]
    matches: PathBuf,
}

#[derive(clap::Args, Debug)]
struct ConvertArgs {
    /// Statement files (camt.052/053/054, MT940/MT942, BAI2, CSV); the format is detected.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Force a format: camt.052, camt.053, camt.054, mt940, mt942, bai2, csv.
    #[arg(long, value_parser = parse_format)]
    format: Option<Format>,
    /// CSV mapping profile (TOML); without one, CSV must be in the canonical layout.
    #[arg(long)]
    profile: Option<PathBuf>,
    /// Text encoding of files without a BOM (e.g. windows-1252, iso-8859-1, utf-16le).
    #[arg(long, value_parser = parse_encoding)]
    encoding: Option<&'static encoding_rs::Encoding>,
    /// Refuse files that deviate from their format (today's rejections before issue 15) instead
    /// of reading them with each deviation recorded as a warning.
    #[arg(long)]
    strict: bool,
    /// With --strict: still import BAI2 files whose trailer control totals or record counts do
    /// not add up, reporting each mismatch as a warning (tolerant reading always does).
    #[arg(long)]
    lenient_bai2_trailers: bool,
    /// Output form.
    #[arg(long, value_enum, default_value_t = OutputForm::Json)]
    to: OutputForm,
    #[command(flatten)]
    limits: LimitArgs,
}

#[derive(clap::Args, Debug)]
struct LimitArgs {
    /// Largest accepted file, in bytes.
    #[arg(long, default_value_t = Limits::default().max_file_bytes)]
    max_file_bytes: u64,
    /// Most lines accepted in one statement.
    #[arg(long, default_value_t = Limits::default().max_lines_per_statement)]
    max_lines_per_statement: usize,
    /// Deepest accepted XML nesting.
    #[arg(long, default_value_t = Limits::default().max_xml_depth)]
    max_xml_depth: usize,
    /// Longest accepted text field, in bytes.
    #[arg(long, default_value_t = Limits::default().max_field_bytes)]
    max_field_bytes: usize,
}

impl LimitArgs {
    fn limits(&self) -> Limits {
        Limits {
            max_file_bytes: self.max_file_bytes,
            max_lines_per_statement: self.max_lines_per_statement,
            max_xml_depth: self.max_xml_depth,
            max_field_bytes: self.max_field_bytes,
            ..Limits::default()
        }
    }
}

#[derive(Clone, Copy, Debug, ValueEnum)]
enum OutputForm {
    Json,
    Csv,
}

#[derive(clap::Args, Debug)]
struct GenArgs {
    /// Number of bank lines to generate (ledger entries are about 1.1 times as many).
    #[arg(long)]
    bank_lines: usize,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The noise mix: classic (the default), clean, retail, payroll, poor_references,
    /// lagged_fees, harsh (see BENCHMARKS.md for what each holds and how the rules do on it).
    #[arg(long, default_value = "classic")]
    profile: String,
    /// Output directory (created if missing).
    #[arg(long)]
    out: PathBuf,
}

fn parse_format(s: &str) -> Result<Format, String> {
    Format::from_name(s).ok_or_else(|| {
        format!("unknown format {s:?}; expected one of camt.052, camt.053, camt.054, mt940, mt942, bai2, csv")
    })
}

fn parse_encoding(s: &str) -> Result<&'static encoding_rs::Encoding, String> {
    encoding_rs::Encoding::for_label(s.as_bytes()).ok_or_else(|| format!("unknown encoding {s:?}"))
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    QUIET.store(cli.quiet, std::sync::atomic::Ordering::Relaxed);
    let result = match cli.command {
        Command::Convert(args) => convert(args),
        Command::Gen(args) => gen_data(args),
        Command::Match(args) => match_command(args),
        Command::Eval(args) => eval_command(args),
        Command::Demo(args) => demo(&args),
        Command::Ws(args) => ws::ws(args),
        Command::Audit(args) => ws::audit(args),
        Command::Export(args) => export::export(args),
        Command::Login(args) => auth::login(&args),
        Command::Logout => auth::logout(),
        Command::Whoami => auth::whoami(),
        Command::Config(args) => auth::config(&args),
        Command::Inbox(args) => inbox::inbox(args),
        Command::Publish(args) => publish::publish(args),
        Command::Db(args) => publish::db(args),
        Command::Completions { shell } => {
            use clap::CommandFactory as _;
            clap_complete::generate(shell, &mut Cli::command(), "recon", &mut std::io::stdout());
            Ok(ExitCode::SUCCESS)
        }
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn convert(args: ConvertArgs) -> Result<ExitCode, ApiError> {
    let limits = args.limits.limits();
    let profile = match &args.profile {
        Some(path) => {
            let text = std::fs::read_to_string(path).map_err(|source| ApiError::Read {
                path: path.clone(),
                source,
            })?;
            Some(
                recon_formats::csv::CsvProfile::from_toml(&text)
                    .map_err(|e| ApiError::Import(e.in_file(&path.display().to_string())))?,
            )
        }
        None => None,
    };
    let mut files = Vec::with_capacity(args.files.len());
    let mut unreadable = Vec::new();
    for path in &args.files {
        match recon_api::read_input(path, &limits) {
            Ok(f) => files.push(f),
            Err(e) => unreadable.push(e),
        }
    }
    let options = ImportOptions {
        parse: ParseOptions {
            format: args.format,
            profile,
            encoding: args.encoding,
            bai2_trailers: if args.lenient_bai2_trailers {
                recon_formats::bai2::TrailerCheck::Warn
            } else {
                recon_formats::bai2::TrailerCheck::Strict
            },
            reading: if args.strict {
                recon_formats::ReadingMode::Strict
            } else {
                recon_formats::ReadingMode::Tolerant
            },
            known_closings: Vec::new(),
            limits,
        },
    };
    let mut report = recon_api::import_statement_files(&files, &options);
    for e in &unreadable {
        if let ApiError::Import(ie) = e {
            report
                .issues
                .insert(0, recon_formats::Issue::from_error(ie));
        }
    }
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    let written = match args.to {
        OutputForm::Json => {
            let doc = CanonicalDocument::new(&report.statements, &report.issues);
            serde_json::to_writer_pretty(&mut out, &doc)
                .map_err(std::io::Error::from)
                .and_then(|()| writeln!(out))
        }
        OutputForm::Csv => out.write_all(canonical_bank_csv(&report.statements).as_bytes()),
    };
    let flushed = written.and_then(|()| out.flush());
    if let Err(source) = flushed {
        // A closed pipe (e.g. `| head`) is not an import failure.
        if source.kind() != std::io::ErrorKind::BrokenPipe {
            return Err(ApiError::Write {
                path: PathBuf::from("<stdout>"),
                source,
            });
        }
    }
    // Errors always go to stderr as well, in the FILE: LOCATION: REASON | excerpt form.
    let mut failed = false;
    for e in &unreadable {
        if !matches!(e, ApiError::Import(_)) {
            eprintln!("error: {e}");
        }
        failed = true;
    }
    for issue in &report.issues {
        if issue.severity == Severity::Error {
            failed = true;
        }
        if issue.severity >= Severity::Warning || matches!(args.to, OutputForm::Csv) {
            let location = issue.location.to_string();
            let at = if location.is_empty() {
                String::new()
            } else {
                format!(" {location}:")
            };
            let level = match issue.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
                Severity::Info => "info",
            };
            eprintln!("{level}: {}:{at} {}", issue.file, issue.message);
        }
    }
    Ok(if failed {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}

fn match_command(args: MatchArgs) -> Result<ExitCode, ApiError> {
    let request = recon_api::MatchRequest {
        bank_files: args.bank,
        ledger_files: args.ledger,
        rules_file: args.rules,
        out_dir: args.out.clone(),
        import: ImportOptions {
            parse: ParseOptions {
                limits: args.limits.limits(),
                ..ParseOptions::default()
            },
        },
    };
    let report = recon_api::match_files(&request)?;
    for issue in report
        .issues
        .iter()
        .filter(|i| i.severity >= Severity::Warning)
    {
        eprintln!("warning: {}: {}", issue.file, issue.message);
    }
    let s = &report.summary;
    println!(
        "{} bank lines, {} ledger entries: {} bank lines auto-matched ({}), {} exceptions",
        s.bank_lines, s.ledger_entries, s.bank_lines_auto_matched, s.match_rate, s.exceptions
    );
    for p in &s.passes {
        println!(
            "  {:<18} {:>9} auto groups {:>9} suggested",
            p.rule, p.auto_groups, p.suggested_groups
        );
        for l in &p.limits {
            println!("  {:<18} limit {}: {}", "", l.limit, l.message);
        }
    }
    for (phase, micros) in &s.phases_micros {
        println!("  {:<28} {:>8} ms", phase, micros / 1000);
    }
    println!("  {:<28} {:>8} ms", "total", s.total_micros / 1000);
    println!("results in {}", args.out.display());
    // The process ends here: returning the million small allocations of the outcome one by one
    // would only cost time.
    std::mem::forget(report);
    Ok(ExitCode::SUCCESS)
}

fn eval_command(args: EvalArgs) -> Result<ExitCode, ApiError> {
    let e = recon_api::evaluate_files(&args.truth, &args.matches)?;
    println!("true pairs                          {}", e.true_pairs);
    println!("auto-confirmed pairs                {}", e.auto_pairs);
    println!("precision of auto-confirmed pairs   {}", e.precision());
    println!("recall, auto-confirmed              {}", e.recall_auto());
    println!(
        "recall, counting suggestions        {}",
        e.recall_with_suggestions()
    );
    println!(
        "one-sided items auto-matched        {} of {} ({})",
        e.one_sided_items_auto_matched,
        e.one_sided_items,
        e.one_sided_auto_matched()
    );
    Ok(ExitCode::SUCCESS)
}

fn gen_data(args: GenArgs) -> Result<ExitCode, ApiError> {
    let started = std::time::Instant::now();
    let report =
        recon_api::generate_profile_files(args.bank_lines, args.seed, &args.profile, &args.out)?;
    if quiet() {
        return Ok(ExitCode::SUCCESS);
    }
    eprintln!(
        "wrote {} bank lines and {} ledger entries to {} in {:.2?}",
        report.bank_lines,
        report.ledger_entries,
        args.out.display(),
        started.elapsed()
    );
    Ok(ExitCode::SUCCESS)
}

fn demo(args: &DemoArgs) -> Result<ExitCode, ApiError> {
    let report = recon_api::run_demo()?;
    let import = &report.import;
    println!("Reconciliation workbench demo (bundled sample files)");
    println!();
    println!("Statements imported:");
    for s in &import.statements {
        let exponent = s.currency.exponent();
        let balance = |b: Option<recon_model::Balance>| {
            b.map_or("-".to_string(), |b| {
                format!(
                    "{} on {}",
                    recon_model::format_minor(b.amount_minor, exponent),
                    b.date
                )
            })
        };
        println!(
            "  {:<28} {:<9} {:<22} {} {:>3} lines  opening {}  closing {}",
            s.source,
            s.format.name(),
            s.account,
            s.currency,
            s.lines.len(),
            balance(s.opening_balance),
            balance(s.closing_balance)
        );
    }
    println!("Ledger entries imported: {}", report.ledger.len());
    println!("Issues: {}", import.issues.len());
    for issue in &import.issues {
        println!("  {:?} {}: {}", issue.severity, issue.file, issue.message);
    }
    println!();
    println!("Matching (default rules):");
    for p in &report.outcome.passes {
        println!(
            "  {:<18} {:>3} auto groups {:>3} suggested",
            p.rule, p.auto_groups, p.suggested_groups
        );
    }
    for g in &report.outcome.groups {
        let ids = |v: &[recon_match::ItemRef]| {
            v.iter()
                .map(|i| i.id.as_str())
                .collect::<Vec<_>>()
                .join("+")
        };
        println!(
            "  {} {:<9} {:<16} bank {} = ledger {}  ({})",
            g.match_id,
            g.status.name(),
            g.rule,
            ids(&g.bank),
            ids(&g.ledger),
            g.explanation
        );
    }
    println!("Open items:");
    for x in &report.outcome.exceptions {
        println!(
            "  {:<6} {:<34} {:>12} {}  {}",
            x.side.name(),
            x.item_id,
            recon_model::format_minor(x.amount_minor, x.currency.exponent()),
            x.currency,
            x.reason.name()
        );
    }
    let workspace_ok = ws::demo_workspace(&args.out);
    Ok(if import.rejected_files() > 0 || !workspace_ok {
        ExitCode::from(1)
    } else {
        ExitCode::SUCCESS
    })
}
