//! `recon ws ...` and `recon audit verify`: the workspace subcommands. Each parses its arguments,
//! calls one recon-api function and prints the result; decisions print a confirmation line
//! ("decision N recorded: KIND") only after the transaction has committed.

use clap::{Args, Subcommand};
use recon_api::workspace::{self as w, ExceptionSort};
use recon_api::{ApiError, ImportOptions};
use recon_formats::{Limits, ParseOptions};
use recon_review::Principal;
use recon_review::identity::Purpose;
use recon_store::{DecisionReceipt, ExceptionQuery, Workspace};
use std::path::PathBuf;
use std::process::ExitCode;

/// `--reason` values: why an item is open (the store's exception reasons).
const EXCEPTION_REASONS: [&str; 4] = ["ambiguous", "suggested", "no_candidate", "unmatched"];
/// `--sort` values, aliases included (ExceptionSort::from_name).
const EXCEPTION_SORTS: [&str; 8] = [
    "age",
    "age-desc",
    "oldest",
    "age-asc",
    "newest",
    "amount",
    "amount-asc",
    "amount-desc",
];
/// `--adjust` values (AdjustmentReason::name).
const ADJUSTMENT_REASONS: [&str; 5] = [
    "bank_charge",
    "fx_difference",
    "rounding",
    "timing",
    "write_off",
];

/// Who acts: the person signed in (`recon login`), or in demo mode a self-asserted user.
#[derive(Args, Debug)]
pub struct ProfileArgs {
    /// Workspace directory.
    #[arg(long, env = "RECON_WS", global = true)]
    ws: Option<PathBuf>,
    /// Demo mode: act as the self-asserted --user/--roles. Only demo workspaces accept it;
    /// workspaces created by a signed-in person refuse it.
    #[arg(long, env = "RECON_DEMO", global = true)]
    demo: bool,
    /// Demo mode only: the acting user's id.
    #[arg(long = "user", env = "RECON_USER", global = true)]
    user: Option<String>,
    /// Demo mode only: the acting user's display name.
    #[arg(long = "name", env = "RECON_USER_NAME", global = true)]
    name: Option<String>,
    /// Demo mode only: the acting user's roles, comma-separated: clerk, supervisor.
    #[arg(long, env = "RECON_ROLES", global = true, default_value = "clerk")]
    roles: String,
}

#[derive(Args, Debug)]
pub struct WsArgs {
    #[command(flatten)]
    profile: ProfileArgs,
    #[command(subcommand)]
    command: WsCommand,
}

#[derive(Subcommand, Debug)]
enum WsCommand {
    /// Create an encrypted workspace for one bank account and period.
    Create {
        #[arg(long)]
        account: String,
        #[arg(long)]
        currency: String,
        /// First day of the period (YYYY-MM-DD).
        #[arg(long)]
        from: recon_model::Date,
        /// Last day of the period (YYYY-MM-DD).
        #[arg(long)]
        to: recon_model::Date,
        /// Ledger balance at the start of the period (default: the bank's opening balance).
        #[arg(long)]
        ledger_opening: Option<String>,
    },
    /// Import statement files (any format, or canonical JSON) and ledger extracts.
    Import {
        #[arg(long, num_args = 1..)]
        bank: Vec<PathBuf>,
        #[arg(long, num_args = 1..)]
        ledger: Vec<PathBuf>,
        /// Refuse statement files that deviate from their format instead of reading them with
        /// recorded warnings.
        #[arg(long)]
        strict: bool,
    },
    /// Replace an imported statement by its corrected version (audited).
    ReplaceStatement {
        file: PathBuf,
        #[arg(long)]
        reason: String,
    },
    /// Run the matcher (manual decisions and rejections are kept).
    Match {
        #[arg(long)]
        rules: Option<PathBuf>,
    },
    /// Dry-run a candidate rule set on this workspace: what it would gain and lose, and every
    /// auto-match that contradicts a decision people made. Changes nothing.
    Simulate {
        /// The candidate rule set (TOML); the shipped default when absent.
        #[arg(long)]
        rules: Option<PathBuf>,
        /// Print the report as JSON.
        #[arg(long)]
        json: bool,
    },
    /// List exceptions (open items), filtered and sorted, with days open.
    Exceptions {
        /// Only items of one side.
        #[arg(long, value_parser = ["bank", "ledger"])]
        side: Option<String>,
        /// Only items left open for this reason.
        #[arg(long, value_parser = EXCEPTION_REASONS)]
        reason: Option<String>,
        #[arg(long)]
        assignee: Option<String>,
        /// Only items of at least this absolute amount (decimal).
        #[arg(long)]
        min_amount: Option<String>,
        #[arg(long)]
        text: Option<String>,
        /// age (oldest first; also age-desc, oldest), age-asc (also newest), amount (also
        /// amount-asc), amount-desc.
        #[arg(long, default_value = "age", value_parser = EXCEPTION_SORTS)]
        sort: String,
        #[arg(long, default_value_t = 50)]
        limit: usize,
        #[arg(long, default_value_t = 0)]
        offset: usize,
        /// Age as of this date (default today).
        #[arg(long)]
        as_of: Option<recon_model::Date>,
        #[arg(long)]
        json: bool,
    },
    /// List open suggestions, best first.
    Suggestions {
        #[arg(long, default_value_t = 50)]
        limit: usize,
    },
    /// List groups people confirmed (manual and accepted).
    Groups,
    /// Show the workspace's settings, or change one (audited).
    Settings {
        /// Read every imported file strictly: a file that deviates from its format is refused
        /// instead of imported with the deviation recorded as a warning.
        #[arg(long, value_parser = ["on", "off"])]
        strict_import: Option<String>,
    },
    /// Accept suggestions (bulk: several ids, one decision).
    Accept {
        #[arg(required = true)]
        ids: Vec<i64>,
        /// Adjustment reason for a difference.
        #[arg(long, value_parser = ADJUSTMENT_REASONS)]
        adjust: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Reject suggestions (the matcher will not propose them again).
    Reject {
        #[arg(required = true)]
        ids: Vec<i64>,
        #[arg(long, default_value = "")]
        reason: String,
    },
    /// Match bank lines and ledger entries by hand.
    ManualMatch {
        #[arg(long, num_args = 1..)]
        bank: Vec<String>,
        #[arg(long, num_args = 1..)]
        ledger: Vec<String>,
        /// Adjustment reason for a difference.
        #[arg(long, value_parser = ADJUSTMENT_REASONS)]
        adjust: Option<String>,
        #[arg(long, default_value = "")]
        note: String,
    },
    /// Take confirmed groups apart.
    Unmatch {
        #[arg(required = true)]
        groups: Vec<i64>,
    },
    /// Comment on targets (bank:ID, ledger:ID, group:N, suggestion:N).
    Comment {
        #[arg(required = true)]
        targets: Vec<String>,
        #[arg(long)]
        text: String,
    },
    /// Attach a file to targets (stored encrypted in the workspace).
    Attach {
        #[arg(required = true)]
        targets: Vec<String>,
        #[arg(long)]
        file: PathBuf,
    },
    /// Assign targets to a user.
    Assign {
        #[arg(required = true)]
        targets: Vec<String>,
        #[arg(long)]
        to: String,
    },
    /// Undo your own last decision.
    Undo,
    /// Print the bank reconciliation statement.
    Statement,
    /// Counts and sign-off state.
    Status,
    /// Prepare the reconciliation (clerk; unexplained difference must be 0.00).
    Prepare,
    /// Approve the prepared reconciliation (supervisor, not the preparer).
    Approve,
    /// Send the prepared reconciliation back to review.
    RejectSignOff {
        #[arg(long)]
        reason: String,
    },
}

#[derive(Args, Debug)]
pub struct AuditArgs {
    #[command(subcommand)]
    command: AuditCommand,
}

#[derive(Subcommand, Debug)]
enum AuditCommand {
    /// Verify the hash chain of the audit log (edits, deletions, reordering) and the database.
    Verify {
        #[arg(long, env = "RECON_WS")]
        ws: PathBuf,
    },
}

impl ProfileArgs {
    /// Who acts, and in a signed-in session the adapter with the ID token the AWS credentials
    /// come from (kept alive by the caller while the token is used).
    pub(crate) fn acting(
        &self,
        purpose: Purpose,
    ) -> Result<(Principal, Option<recon_auth::OidcIdentity>), ApiError> {
        if self.demo {
            return Ok((self.demo_principal()?, None));
        }
        if let Some(user) = &self.user {
            return Err(ApiError::NotAllowed(format!(
                "--user {user:?} is a self-asserted identity, accepted only in demo mode (--demo) on a demo workspace; sign in with `recon login` instead"
            )));
        }
        let mut identity = crate::auth::oidc_identity()?;
        let principal = recon_api::identity::principal_for(&mut identity, purpose)?;
        Ok((principal, Some(identity)))
    }

    /// Who acts (see [`ProfileArgs::acting`]).
    pub(crate) fn principal(&self, purpose: Purpose) -> Result<Principal, ApiError> {
        Ok(self.acting(purpose)?.0)
    }

    fn demo_principal(&self) -> Result<Principal, ApiError> {
        eprintln!("DEMO MODE: acting as a self-asserted user; verified workspaces refuse this");
        let user = self
            .user
            .clone()
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "local".into());
        let roles: Vec<&str> = self
            .roles
            .split(',')
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .collect();
        w::local_principal(&user, self.name.as_deref().unwrap_or(""), &roles)
    }

    pub(crate) fn dir(&self) -> Result<PathBuf, ApiError> {
        self.ws.clone().ok_or_else(|| {
            ApiError::InvalidArgument("which workspace? give --ws DIR or set RECON_WS".into())
        })
    }
}

fn ack(r: &DecisionReceipt) {
    match r.group {
        Some(g) => println!("decision {} recorded: {} (group {g})", r.decision, r.kind),
        None => println!("decision {} recorded: {}", r.decision, r.kind),
    }
}

fn adjustment(
    reason: &Option<String>,
    note: &str,
) -> Result<Option<recon_store::Adjustment>, ApiError> {
    reason
        .as_deref()
        .map(|r| w::adjustment(r, note))
        .transpose()
}

pub fn audit(args: AuditArgs) -> Result<ExitCode, ApiError> {
    match args.command {
        AuditCommand::Verify { ws } => {
            let keys = w::os_key_store()?;
            let report = w::verify_audit(&ws, &keys)?;
            println!("audit chain ok: {} entries", report.entries);
            println!("database integrity: {}", report.integrity);
            if report.approval_current == Some(false) {
                println!("approval does not cover the current content");
                return Ok(ExitCode::from(1));
            }
            Ok(if report.integrity == "ok" {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
    }
}

pub fn ws(args: WsArgs) -> Result<ExitCode, ApiError> {
    let purpose = match args.command {
        WsCommand::Approve => Purpose::Approve,
        _ => Purpose::Review,
    };
    let principal = args.profile.principal(purpose)?;
    let dir = args.profile.dir()?;
    let keys = w::os_key_store()?;
    if let WsCommand::Create {
        account,
        currency,
        from,
        to,
        ledger_opening,
    } = &args.command
    {
        let info = w::create_workspace(
            &w::NewWorkspace {
                dir: dir.clone(),
                account: account.clone(),
                currency: currency.clone(),
                period_start: *from,
                period_end: *to,
                ledger_opening: ledger_opening.clone(),
            },
            &principal,
            &keys,
        )?;
        println!(
            "workspace {} created in {} ({} {}, {} to {})",
            info.id,
            dir.display(),
            info.account,
            info.currency,
            info.period_start,
            info.period_end
        );
        return Ok(ExitCode::SUCCESS);
    }
    let mut ws = w::open_workspace(&dir, &keys)?;
    run(&mut ws, &principal, args.command)
}

fn exponent(ws: &Workspace) -> u32 {
    recon_model::Currency::from_code(&ws.info().currency).map_or(2, |c| c.exponent())
}

fn run(ws: &mut Workspace, p: &Principal, command: WsCommand) -> Result<ExitCode, ApiError> {
    let e = exponent(ws);
    let money = |a: i64| recon_model::format_minor(a, e);
    match command {
        WsCommand::Create { .. } => unreachable!("handled before opening"),
        WsCommand::Import {
            bank,
            ledger,
            strict,
        } => {
            let options = ImportOptions {
                parse: ParseOptions {
                    limits: Limits::default(),
                    reading: if strict {
                        recon_formats::ReadingMode::Strict
                    } else {
                        recon_formats::ReadingMode::Tolerant
                    },
                    ..ParseOptions::default()
                },
            };
            let mut failed = false;
            let report = w::import_statements(ws, p, &bank, &options)?;
            for issue in &report.issues {
                failed |= issue.severity == recon_formats::Severity::Error;
                eprintln!("{:?}: {}: {}", issue.severity, issue.file, issue.message);
            }
            let ledger = w::import_ledger(ws, p, &ledger, &Limits::default())?;
            for f in report.files.iter().chain(&ledger.files) {
                for s in &f.skipped {
                    eprintln!("skipped: {s}");
                }
                println!(
                    "imported {}: {} statements, {} lines, {} ledger entries",
                    f.file, f.statements_imported, f.lines_imported, f.ledger_entries_imported
                );
            }
            Ok(if failed {
                ExitCode::from(1)
            } else {
                ExitCode::SUCCESS
            })
        }
        WsCommand::ReplaceStatement { file, reason } => {
            let out = w::replace_statement(ws, p, &file, &reason, &ImportOptions::default())?;
            println!(
                "replaced statement from {}: {} lines",
                out.file, out.lines_imported
            );
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Simulate { rules, json } => {
            let r = recon_api::simulate::simulate_rules(ws, rules.as_deref())?;
            if json {
                println!("{}", serde_json::to_string_pretty(&r).unwrap_or_default());
                return Ok(ExitCode::SUCCESS);
            }
            println!(
                "rule set {:?} ({:.12}…): {} auto groups; {} as now, {} confirmed by people too, {} gained, {} lost, {} contradict a decision people made",
                r.rule_set,
                r.rule_set_sha256,
                r.auto_groups,
                r.unchanged,
                r.agree_with_people,
                r.gained,
                r.lost,
                r.contradictions
            );
            for c in &r.contradiction_examples {
                println!(
                    "  CONTRADICTS {}: {} bank {} ~ ledger {}",
                    c.decision,
                    c.rule,
                    c.group.bank.join("+"),
                    c.group.ledger.join("+")
                );
            }
            for g in &r.gained_examples {
                println!(
                    "  gained bank {} ~ ledger {}",
                    g.bank.join("+"),
                    g.ledger.join("+")
                );
            }
            for g in &r.lost_examples {
                println!(
                    "  lost   bank {} ~ ledger {}",
                    g.bank.join("+"),
                    g.ledger.join("+")
                );
            }
            println!("nothing was changed (a dry run)");
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Match { rules } => {
            let run = w::match_workspace(ws, p, rules.as_deref())?;
            println!(
                "match run {} recorded: {} bank lines, {} ledger entries, {} locked groups kept, {} auto groups, {} suggestions, {} exceptions",
                run.run,
                run.bank_items,
                run.ledger_items,
                run.locked_groups,
                run.auto_groups,
                run.suggestions,
                run.exceptions
            );
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Exceptions {
            side,
            reason,
            assignee,
            min_amount,
            text,
            sort,
            limit,
            offset,
            as_of,
            json,
        } => {
            let min_abs_amount_minor = min_amount
                .as_deref()
                .map(|a| recon_model::parse_minor(a, b'.', e))
                .transpose()
                .map_err(|err| ApiError::InvalidArgument(format!("--min-amount: {err}")))?;
            let sort = ExceptionSort::from_name(&sort).ok_or_else(|| {
                ApiError::InvalidArgument(format!(
                    "--sort {sort:?}: expected age, age-asc, amount, amount-desc"
                ))
            })?;
            let q = ExceptionQuery {
                side,
                reason,
                assignee,
                min_abs_amount_minor,
                text,
                sort,
                limit,
                offset,
            };
            let rows = w::list_exceptions(ws, &q, as_of)?;
            if json {
                println!(
                    "{}",
                    serde_json::to_string_pretty(&rows).unwrap_or_default()
                );
            } else {
                println!(
                    "{:<6} {:<24} {:<13} {:>14} {:<10} {:>5}  {:<10} reference / description",
                    "side", "item", "reason", "amount", "date", "days", "assignee"
                );
                for r in &rows {
                    println!(
                        "{:<6} {:<24} {:<13} {:>14} {:<10} {:>5}  {:<10} {} / {}",
                        r.side,
                        r.item_id,
                        r.reason,
                        money(r.amount_minor),
                        r.date,
                        r.days_open,
                        r.assignee.as_deref().unwrap_or("-"),
                        r.reference,
                        r.description
                    );
                }
                println!("{} exceptions shown", rows.len());
            }
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Suggestions { limit } => {
            for s in w::list_suggestions(ws, limit)? {
                println!(
                    "suggestion {:<6} {:<16} score {:>4} difference {:>10}  bank {}  ledger {}  ({})",
                    s.id,
                    s.rule,
                    s.score,
                    money(s.difference_minor),
                    s.bank.join(" "),
                    s.ledger.join(" "),
                    s.explanation
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Settings { strict_import } => {
            if let Some(value) = strict_import {
                w::set_strict_import(ws, p, value == "on")?;
            }
            println!(
                "strict_import: {}",
                if ws.info().strict_import { "on" } else { "off" }
            );
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Groups => {
            for g in w::list_groups(ws)? {
                println!(
                    "group {:<6} {:<9} difference {:>10} {:<14} bank {}  ledger {}  {}",
                    g.id,
                    g.origin,
                    money(g.difference_minor),
                    g.adjustment_reason.as_deref().unwrap_or("-"),
                    g.bank.join(" "),
                    g.ledger.join(" "),
                    g.note
                );
            }
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Accept { ids, adjust, note } => {
            ack(&w::accept_suggestions(
                ws,
                p,
                &ids,
                adjustment(&adjust, &note)?.as_ref(),
            )?);
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Reject { ids, reason } => {
            ack(&w::reject_suggestions(ws, p, &ids, &reason)?);
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::ManualMatch {
            bank,
            ledger,
            adjust,
            note,
        } => {
            ack(&w::manual_match(
                ws,
                p,
                &bank,
                &ledger,
                adjustment(&adjust, &note)?.as_ref(),
            )?);
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Unmatch { groups } => {
            ack(&w::unmatch(ws, p, &groups)?);
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Comment { targets, text } => {
            ack(&w::comment(ws, p, &targets, &text)?);
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Attach { targets, file } => {
            ack(&w::attach(ws, p, &targets, &file)?);
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Assign { targets, to } => {
            ack(&w::assign(ws, p, &targets, &to)?);
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Undo => {
            ack(&w::undo_last(ws, p)?);
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Statement => {
            let s = w::reconciliation_statement(ws)?;
            print!("{}", s.render(&ws.info().currency, e));
            Ok(if s.unexplained_minor == 0 {
                ExitCode::SUCCESS
            } else {
                ExitCode::from(1)
            })
        }
        WsCommand::Status => {
            let s = w::status(ws)?;
            println!("{}", serde_json::to_string_pretty(&s).unwrap_or_default());
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Prepare => {
            let s = w::prepare(ws, p)?;
            println!(
                "sign-off: {} by {}",
                s.state.name(),
                s.preparer.unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::Approve => {
            let s = w::approve(ws, p)?;
            println!(
                "sign-off: {} by {} (content hash {})",
                s.state.name(),
                s.approver.unwrap_or_default(),
                s.content_hash.unwrap_or_default()
            );
            Ok(ExitCode::SUCCESS)
        }
        WsCommand::RejectSignOff { reason } => {
            let s = w::reject_sign_off(ws, p, &reason)?;
            println!("sign-off: back to {} ({reason})", s.state.name());
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// The workspace part of `recon demo`: prints every step and the reconciliation statement;
/// false when it could not run.
pub fn demo_workspace(export_dir: &std::path::Path) -> bool {
    println!();
    println!("Workspace demo (clara prepares, sam approves):");
    match recon_api::run_workspace_demo(Some(export_dir)) {
        Ok(demo) => {
            println!("  key store: {}", demo.key_store);
            for step in &demo.steps {
                println!("  {step}");
            }
            println!();
            println!("Bank reconciliation statement:");
            print!("{}", demo.statement.render(&demo.currency, demo.exponent));
            println!("sign-off: {}", demo.sign_off.state.name());
            true
        }
        Err(e) => {
            println!("  workspace demo stopped: {e}");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_value_lists_in_help_are_what_the_workspace_accepts() {
        let names: Vec<&str> = recon_review::AdjustmentReason::ALL
            .iter()
            .map(|r| r.name())
            .collect();
        assert_eq!(names, ADJUSTMENT_REASONS);
        for sort in EXCEPTION_SORTS {
            assert!(ExceptionSort::from_name(sort).is_some(), "{sort}");
        }
        for reason in ["ambiguous", "suggested", "no_candidate"] {
            assert!(EXCEPTION_REASONS.contains(&reason), "{reason}");
        }
    }
}
