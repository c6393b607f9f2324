//! `recon publish` and `recon db`: the outbox drained to the results database (PostgreSQL) and
//! the S3 archive (recon-api's publish use case over the recon-pg and recon-s3 adapters,
//! constructed here at start-up), its status, reopening a published period, verifying an
//! archived publication, and the database's migrations and password.

use crate::ws::ProfileArgs;
use clap::{Args, Subcommand};
use recon_api::ApiError;
use recon_api::publish::{self, ArchiveLocation, Destinations, DrainOptions, PublishStatus};
use recon_api::workspace as w;
use recon_auth::config::Config;
use recon_auth::secrets::{OsSecrets, Secrets};
use recon_review::identity::Purpose;
use std::io::{BufRead, Write};
use std::process::ExitCode;

#[derive(Args, Debug)]
pub struct PublishArgs {
    #[command(flatten)]
    profile: ProfileArgs,
    /// Show what would be published and where; write nothing, contact nothing.
    #[arg(long)]
    dry_run: bool,
    /// Print the report as JSON.
    #[arg(long, global = true)]
    json: bool,
    #[command(subcommand)]
    command: Option<PublishCommand>,
}

#[derive(Subcommand, Debug)]
enum PublishCommand {
    /// The outbox: what waits to be published, what each destination acknowledged, last errors.
    Status,
    /// Reopen the published period (supervisor): the refused approval is published as the next
    /// revision, superseding what is published now. Audited.
    Reopen {
        /// Why (kept in the audit trail and published with the new revision).
        #[arg(long)]
        reason: String,
    },
    /// Check an archived revision of this workspace's period against its manifest (every
    /// file's SHA-256 and size).
    Verify {
        #[arg(long, default_value_t = 1)]
        revision: i64,
    },
    /// The account's published periods, from the results database.
    History,
    /// Bring the items still open when the previous period was approved into this workspace as
    /// its opening items (from the results database, else the S3 archive). Once per workspace;
    /// audited.
    CarryForward,
}

fn database(
    config: &Config,
    signed_in: Option<(recon_review::Principal, recon_auth::IdTokenCell)>,
) -> Result<Option<recon_pg::PgResults>, ApiError> {
    match &config.publish.database {
        None => Ok(None),
        Some(db) => Ok(Some(recon_pg::PgResults::connect(
            db,
            &OsSecrets,
            &config.aws,
            signed_in,
        )?)),
    }
}

fn archive(
    config: &Config,
    signed_in: Option<(recon_review::Principal, recon_auth::IdTokenCell)>,
) -> Result<Option<(recon_s3::S3Source, ArchiveLocation)>, ApiError> {
    let Some(uri) = &config.publish.archive else {
        return Ok(None);
    };
    let location = ArchiveLocation::parse(uri).map_err(ApiError::InvalidArgument)?;
    let s3 = recon_s3::S3Source::new(&config.aws, signed_in, recon_s3::S3Options::default())?;
    Ok(Some((s3, location)))
}

fn print_status(s: &PublishStatus) {
    if s.destinations.is_empty() {
        println!(
            "no destination configured ([publish] database_url / archive): approvals wait in the outbox"
        );
    } else {
        println!("destinations: {}", s.destinations.join("; "));
    }
    for i in &s.items {
        let state = match (&i.published_at, i.refused) {
            (Some(at), _) => format!("published {at}"),
            (None, true) => "REFUSED (waits for a reopening)".into(),
            (None, false) => "waiting".into(),
        };
        println!(
            "approval {} revision {} content {:.12}… by {}: {state}; database {} archive {}; {} attempt(s)",
            i.id,
            i.revision,
            i.content_hash,
            i.approver,
            i.database_at.as_deref().unwrap_or("-"),
            i.archive_at.as_deref().unwrap_or("-"),
            i.attempts
        );
        if i.published_at.is_none()
            && let Some(e) = &i.last_error
        {
            let code = i.last_error_code.map(|c| c.as_str()).unwrap_or("failed");
            println!("    last error ({code}): {e}");
        }
    }
    println!("{} waiting to publish ({} refused)", s.waiting, s.refused);
}

pub fn publish(args: PublishArgs) -> Result<ExitCode, ApiError> {
    let config = Config::load().map_err(crate::auth::config_error)?;
    let dir = args.profile.dir()?;
    let keys = w::os_key_store()?;
    match args.command {
        Some(PublishCommand::Status) => {
            let ws = w::open_workspace(&dir, &keys)?;
            let status = publish::status(&ws, config.publish.describe())?;
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&status).unwrap_or_default()
                );
            } else {
                print_status(&status);
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(PublishCommand::Reopen { reason }) => {
            let (principal, _identity) = args.profile.acting(Purpose::Approve)?;
            let mut ws = w::open_workspace(&dir, &keys)?;
            let r = publish::reopen(&mut ws, &principal, &reason)?;
            println!(
                "reopened: the next publication is revision {}, superseding {:.12}… ({})",
                r.revision, r.supersedes_hash, r.reason
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(PublishCommand::Verify { revision }) => {
            let (principal, identity) = args.profile.acting(Purpose::Review)?;
            let ws = w::open_workspace(&dir, &keys)?;
            let info = ws.info().clone();
            let (mut s3, location) = archive(
                &config,
                identity.as_ref().map(|i| (principal, i.id_token_cell())),
            )?
            .ok_or_else(|| {
                ApiError::InvalidArgument("`publish.archive` is not configured".into())
            })?;
            let v = publish::verify_archived(
                &mut s3,
                &location,
                &info.account,
                &info.period_start,
                &info.period_end,
                revision,
            )?;
            println!(
                "verified: revision {} of {} {}..{} (content {:.12}…): {} files, {} bytes match the manifest",
                v.manifest.revision,
                v.manifest.account,
                v.manifest.period_start,
                v.manifest.period_end,
                v.manifest.content_hash,
                v.files,
                v.bytes
            );
            Ok(ExitCode::SUCCESS)
        }
        Some(PublishCommand::History) => {
            let (principal, identity) = args.profile.acting(Purpose::Review)?;
            let ws = w::open_workspace(&dir, &keys)?;
            let signed_in = identity.as_ref().map(|i| (principal, i.id_token_cell()));
            let mut db = database(&config, signed_in)?.ok_or_else(|| {
                ApiError::InvalidArgument("`publish.database_url` is not configured".into())
            })?;
            let periods = publish::history(&mut db, &ws.info().account)?;
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&periods).unwrap_or_default()
                );
            } else {
                for p in &periods {
                    println!(
                        "{} {}..{} revision {}{}: content {:.12}…, prepared by {}, approved by {} at {}, published {} by {}; {} matched, {} open",
                        p.account,
                        p.period_start,
                        p.period_end,
                        p.revision,
                        if p.superseded { " (superseded)" } else { "" },
                        p.content_hash,
                        p.preparer,
                        p.approver,
                        p.approved_at,
                        p.published_at,
                        p.published_by,
                        p.matched_items,
                        p.open_items
                    );
                }
                println!("{} published period(s)", periods.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        Some(PublishCommand::CarryForward) => {
            let (principal, identity) = args.profile.acting(Purpose::Review)?;
            let mut ws = w::open_workspace(&dir, &keys)?;
            let signed_in = || {
                identity
                    .as_ref()
                    .map(|i| (principal.clone(), i.id_token_cell()))
            };
            let mut db = database(&config, signed_in())?;
            let mut archive = archive(&config, signed_in())?;
            let r = recon_api::carry::carry_forward(
                &mut ws,
                &principal,
                db.as_mut().map(|d| d as &mut dyn publish::ResultsDb),
                archive
                    .as_mut()
                    .map(|(s3, loc)| (s3 as &mut dyn publish::Archive, &*loc)),
            )?;
            if args.json {
                println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
            } else {
                let exponent = recon_model::Currency::from_code(&ws.info().currency)
                    .map(|c| c.exponent())
                    .unwrap_or(2);
                let money = |m: i64| recon_model::format_minor(m, exponent);
                if let Some(note) = &r.database_note {
                    println!("read from the archive: {note}");
                }
                println!(
                    "carried forward from {}..{} revision {} ({}, content {:.12}…): {} bank item(s) {}, {} ledger item(s) {}, {} already here",
                    r.from_period_start,
                    r.from_period_end,
                    r.from_revision,
                    r.source,
                    r.from_content_hash,
                    r.bank_items,
                    money(r.bank_minor),
                    r.ledger_items,
                    money(r.ledger_minor),
                    r.already_present
                );
                if let Some(o) = r.ledger_opening_set_minor {
                    println!(
                        "ledger opening balance set to {} (the previous period's ledger balance)",
                        money(o)
                    );
                }
                if let Some((mine, theirs)) = r.ledger_opening_differs_minor {
                    println!(
                        "WARNING: this workspace's ledger opening balance {} differs from the previous period's ledger balance {}",
                        money(mine),
                        money(theirs)
                    );
                }
            }
            Ok(ExitCode::SUCCESS)
        }
        None if args.dry_run => {
            let ws = w::open_workspace(&dir, &keys)?;
            let status = publish::status(&ws, config.publish.describe())?;
            print_status(&status);
            println!("dry run: nothing was staged, written or sent");
            Ok(ExitCode::SUCCESS)
        }
        None => {
            let (principal, identity) = args.profile.acting(Purpose::Review)?;
            let mut ws = w::open_workspace(&dir, &keys)?;
            let mut db = database(
                &config,
                identity
                    .as_ref()
                    .map(|i| (principal.clone(), i.id_token_cell())),
            )?;
            let mut archive = archive(
                &config,
                identity
                    .as_ref()
                    .map(|i| (principal.clone(), i.id_token_cell())),
            )?;
            let mut destinations = Destinations {
                database: db.as_mut().map(|d| d as &mut dyn publish::ResultsDb),
                archive: archive
                    .as_mut()
                    .map(|(s3, loc)| (s3 as &mut dyn publish::Archive, loc.clone())),
            };
            let mut stderr = std::io::stderr();
            let report = publish::drain(
                &mut ws,
                &mut destinations,
                &principal,
                &DrainOptions {
                    now_unix: w::unix_now(),
                    now: true,
                },
                &mut |line| {
                    if !crate::quiet() {
                        let _ = writeln!(stderr, "{line}");
                    }
                },
            )?;
            if args.json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&report).unwrap_or_default()
                );
            } else {
                for e in &report.entries {
                    match &e.error {
                        None => println!(
                            "approval {} revision {} content {:.12}…: {}{}",
                            e.id,
                            e.revision,
                            e.content_hash,
                            if e.published {
                                "published"
                            } else {
                                "partly published"
                            },
                            if e.database_already {
                                " (the database already had it)"
                            } else {
                                ""
                            }
                        ),
                        Some(m) => println!(
                            "approval {} revision {}: FAILED ({}) {m}",
                            e.id,
                            e.revision,
                            e.error_code.map(|c| c.as_str()).unwrap_or("failed")
                        ),
                    }
                }
                println!(
                    "{} published, {} failed, {} waiting for their retry time",
                    report.published, report.failed, report.deferred
                );
            }
            Ok(if report.failed == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

#[derive(Args, Debug)]
pub struct DbArgs {
    /// The database (default: `publish.database_url`); for migrations, an administrator's URL.
    #[arg(long, global = true)]
    url: Option<String>,
    /// The CA bundle (default: `publish.database_ca_file`).
    #[arg(long, global = true)]
    ca_file: Option<std::path::PathBuf>,
    #[command(subcommand)]
    command: DbCommand,
}

#[derive(Subcommand, Debug)]
enum DbCommand {
    /// Apply the schema migrations not applied yet (run by an administrator, never by the app).
    Migrate,
    /// The database's schema version.
    Status,
    /// Keep the database password in the OS keyring (read from standard input).
    Password,
}

fn db_url(
    args: &DbArgs,
    config: &Config,
) -> Result<(String, Option<std::path::PathBuf>), ApiError> {
    let url = args
        .url
        .clone()
        .or_else(|| config.publish.database.as_ref().map(|d| d.url.clone()))
        .ok_or_else(|| {
            ApiError::InvalidArgument(
                "no database: give --url postgresql://USER@HOST:PORT/DATABASE or set `publish.database_url`".into(),
            )
        })?;
    recon_auth::config::check_database_url(&url).map_err(ApiError::InvalidArgument)?;
    let ca = args.ca_file.clone().or_else(|| {
        config
            .publish
            .database
            .as_ref()
            .and_then(|d| d.ca_file.clone())
    });
    Ok((url, ca))
}

fn password(url: &str) -> Result<String, ApiError> {
    let entry = recon_pg::password_entry(url).map_err(ApiError::InvalidArgument)?;
    OsSecrets
        .get(&entry)
        .map_err(ApiError::InvalidArgument)?
        .ok_or_else(|| {
            ApiError::InvalidArgument(format!(
                "no password for {url} in the OS keyring: `recon db --url {url} password` first"
            ))
        })
}

pub fn db(args: DbArgs) -> Result<ExitCode, ApiError> {
    let config = Config::load().map_err(crate::auth::config_error)?;
    let (url, ca) = db_url(&args, &config)?;
    match args.command {
        DbCommand::Password => {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .map_err(|e| ApiError::InvalidArgument(format!("standard input: {e}")))?;
            let secret = line.trim_end_matches(['\n', '\r']);
            if secret.is_empty() {
                return Err(ApiError::InvalidArgument(
                    "no password on standard input".into(),
                ));
            }
            let entry = recon_pg::password_entry(&url).map_err(ApiError::InvalidArgument)?;
            OsSecrets
                .put(&entry, secret)
                .map_err(ApiError::InvalidArgument)?;
            println!("the password for {url} is in the OS keyring ({entry})");
            Ok(ExitCode::SUCCESS)
        }
        DbCommand::Migrate => {
            let mut pg = recon_pg::PgResults::with_password(&url, ca.as_deref(), &password(&url)?)?;
            let applied = pg.migrate()?;
            for (v, name) in &applied {
                println!("applied migration {v}: {name}");
            }
            println!(
                "{}: schema at version {} ({} applied now)",
                recon_api::publish::ResultsDb::describe(&pg),
                recon_pg::SCHEMA_VERSION,
                applied.len()
            );
            Ok(ExitCode::SUCCESS)
        }
        DbCommand::Status => {
            let mut pg = recon_pg::PgResults::with_password(&url, ca.as_deref(), &password(&url)?)?;
            let v = pg.schema_version()?;
            println!(
                "{}: schema version {v}; this build publishes to version {}{}",
                recon_api::publish::ResultsDb::describe(&pg),
                recon_pg::SCHEMA_VERSION,
                if v < recon_pg::SCHEMA_VERSION {
                    " (run `recon db migrate`)"
                } else {
                    ""
                }
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
