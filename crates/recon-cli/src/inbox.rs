//! `recon inbox list` and `recon inbox pull`: statement files and ledger extracts from the
//! configured S3 prefixes into the workspace (recon-api's inbox use case over the S3 adapter,
//! constructed here at start-up).

use crate::ws::ProfileArgs;
use clap::{Args, Subcommand};
use recon_api::ApiError;
use recon_api::inbox::{self, InboxFile, InboxPhase, InboxStatus, InboxView, PullOptions};
use recon_api::workspace as w;
use recon_auth::config::Config;
use recon_review::identity::Purpose;
use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

#[derive(Args, Debug)]
pub struct InboxArgs {
    #[command(flatten)]
    profile: ProfileArgs,
    #[command(subcommand)]
    command: InboxCommand,
}

#[derive(Subcommand, Debug)]
enum InboxCommand {
    /// List the configured prefixes and show every file with its status (with --offline, what
    /// was last seen, without the network).
    List {
        /// Show what the workspace remembers; do not list the bucket.
        #[arg(long)]
        offline: bool,
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Fetch, verify and import every file not imported yet (failed ones again).
    Pull {
        /// Refuse unless the workspace is for this bank account.
        #[arg(long)]
        account: Option<String>,
        /// Only files modified on or after this date (YYYY-MM-DD); also lists the months from
        /// there.
        #[arg(long)]
        since: Option<recon_model::Date>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
}

fn source(
    config: &Config,
    signed_in: Option<(recon_review::Principal, recon_auth::IdTokenCell)>,
) -> Result<recon_s3::S3Source, ApiError> {
    recon_s3::S3Source::new(
        &config.aws,
        signed_in,
        recon_s3::S3Options {
            stall: Duration::from_secs(config.inbox_stall_seconds),
            ..recon_s3::S3Options::default()
        },
    )
}

fn size(bytes: u64) -> String {
    match bytes {
        b if b >= 10 << 20 => format!("{} MB", b >> 20),
        b if b >= 10 << 10 => format!("{} kB", b >> 10),
        b => format!("{b} B"),
    }
}

fn row(f: &InboxFile) -> String {
    let status = match f.status {
        InboxStatus::New => "new".to_string(),
        InboxStatus::Imported => "imported".to_string(),
        InboxStatus::Failed => {
            format!("FAILED {}", f.error.map(|e| e.as_str()).unwrap_or("failed"))
        }
    };
    let mut line = format!(
        "{status:<28} {:<9} {:>8}  {}",
        f.kind.as_str(),
        size(f.size_bytes),
        f.uri
    );
    if let Some(v) = &f.version_id {
        line.push_str(&format!("  (version {v})"));
    }
    if let Some(m) = &f.message {
        line.push_str(&format!("\n    {m}"));
    }
    line
}

fn print_view(view: &InboxView) {
    for l in &view.locations {
        match &l.error {
            Some(e) => println!("{}: listed {} — ERROR {e}", l.uri, l.scanned_at),
            None => println!("{}: {} objects, listed {}", l.uri, l.objects, l.scanned_at),
        }
    }
    for f in &view.files {
        println!("{}", row(f));
    }
    println!(
        "{} new, {} imported, {} failed",
        view.new_files, view.imported_files, view.failed_files
    );
}

pub fn inbox(args: InboxArgs) -> Result<ExitCode, ApiError> {
    let config = Config::load().map_err(crate::auth::config_error)?;
    let dir = args.profile.dir()?;
    let keys = w::os_key_store()?;
    match args.command {
        InboxCommand::List { offline, json } => {
            let mut ws = w::open_workspace(&dir, &keys)?;
            let mut errors = Vec::new();
            if !offline {
                let (principal, identity) = args.profile.acting(Purpose::Review)?;
                let mut s3 = source(
                    &config,
                    identity.as_ref().map(|i| (principal, i.id_token_cell())),
                )?;
                errors = inbox::scan(&mut ws, &mut s3, &config.inbox, None)?.1;
            }
            let view = inbox::view(&ws, &config.inbox)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&view).unwrap_or_default()
                );
            } else {
                print_view(&view);
            }
            for e in &errors {
                eprintln!("error: {e}");
            }
            Ok(if errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        InboxCommand::Pull {
            account,
            since,
            json,
        } => {
            let (principal, identity) = args.profile.acting(Purpose::Review)?;
            let mut ws = w::open_workspace(&dir, &keys)?;
            if let Some(a) = &account
                && *a != ws.info().account
            {
                return Err(ApiError::InvalidArgument(format!(
                    "{}: this workspace is for account {}, not {a}",
                    dir.display(),
                    ws.info().account
                )));
            }
            let mut s3 = source(
                &config,
                identity
                    .as_ref()
                    .map(|i| (principal.clone(), i.id_token_cell())),
            )?;
            let started = Instant::now();
            let mut last_print = Instant::now() - Duration::from_secs(1);
            let mut stderr = std::io::stderr();
            let report = inbox::pull(
                &mut ws,
                &principal,
                &mut s3,
                &config.inbox,
                &PullOptions {
                    since,
                    ..PullOptions::default()
                },
                &mut |p| {
                    if crate::quiet() {
                        return;
                    }
                    let done = p.bytes == p.size_bytes;
                    if p.phase == InboxPhase::Downloading
                        && !done
                        && last_print.elapsed() < Duration::from_millis(500)
                    {
                        return;
                    }
                    last_print = Instant::now();
                    let _ = match p.phase {
                        InboxPhase::Listing => writeln!(stderr, "listing the inbox..."),
                        InboxPhase::Downloading => writeln!(
                            stderr,
                            "[{}/{}] downloading {} {} of {}",
                            p.file,
                            p.files,
                            p.uri,
                            size(p.bytes),
                            size(p.size_bytes)
                        ),
                        InboxPhase::Importing => {
                            writeln!(stderr, "[{}/{}] importing {}", p.file, p.files, p.uri)
                        }
                    };
                },
            )?;
            let elapsed = started.elapsed();
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                for f in &report.tried {
                    println!("{}", row(f));
                }
                for e in &report.listing_errors {
                    println!("listing failed: {e}");
                }
                println!(
                    "pulled: {} imported ({} replacing an earlier version), {} failed, {} left; {} downloaded in {elapsed:.1?}",
                    report.imported,
                    report.replaced,
                    report.failed,
                    report.left,
                    size(report.bytes_downloaded)
                );
            }
            Ok(if report.failed == 0 && report.listing_errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}
