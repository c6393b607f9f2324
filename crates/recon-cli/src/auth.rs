//! `recon login`, `recon logout`, `recon whoami`, `recon config check`, and who acts in
//! `recon ws ...`: the verified person from the sign-in, or, in explicitly labelled demo mode
//! only, a self-asserted `--user`.

use clap::{Args, Subcommand};
use recon_api::identity::{Identity, WhoAmI};
use recon_api::{ApiError, ErrorCode};
use recon_auth::config::Config;
use recon_auth::secrets::OsSecrets;
use recon_review::identity::Purpose;
use std::process::ExitCode;

/// The configured sign-in adapter (constructed here, at start-up; used through recon-api's port).
pub fn identity() -> Result<Box<dyn Identity>, ApiError> {
    Ok(Box::new(oidc_identity()?))
}

/// The configured sign-in adapter as itself (the inbox needs its ID token for AWS credentials).
pub fn oidc_identity() -> Result<recon_auth::OidcIdentity, ApiError> {
    let config = Config::load().map_err(config_error)?;
    let oidc = config.oidc.ok_or_else(|| ApiError::Identity {
        code: ErrorCode::ConfigInvalid,
        message: "no identity provider is configured: set [oidc] issuer and client_id in the system configuration file (see `recon config check`), or use demo mode (--demo) on a demo workspace".into(),
    })?;
    recon_auth::OidcIdentity::new(oidc, Box::new(OsSecrets))
}

pub(crate) fn config_error(e: recon_auth::config::ConfigError) -> ApiError {
    ApiError::Identity {
        code: ErrorCode::ConfigInvalid,
        message: e.to_string(),
    }
}

#[derive(Args, Debug)]
pub struct LoginArgs {
    /// Sign in on another device (RFC 8628 device authorization) instead of this machine's
    /// browser.
    #[arg(long)]
    device: bool,
    /// Ask for a fresh authentication, as approval needs.
    #[arg(long)]
    fresh: bool,
}

pub fn login(args: &LoginArgs) -> Result<ExitCode, ApiError> {
    let mut id = identity()?;
    let session = if args.device {
        id.sign_in_device(&mut |p| {
            match &p.verification_uri_complete {
                Some(u) => eprintln!("To sign in, open {u}"),
                None => eprintln!("To sign in, open {}", p.verification_uri),
            }
            eprintln!(
                "and enter the code {} (valid for {} s).",
                p.user_code, p.expires_in_seconds
            );
        })?
    } else {
        eprintln!(
            "Opening the system browser to sign in at {} ...",
            id.describe()
        );
        let purpose = if args.fresh {
            Purpose::Approve
        } else {
            Purpose::Review
        };
        id.sign_in(purpose)?
    };
    print_whoami(&WhoAmI::from(&session));
    Ok(ExitCode::SUCCESS)
}

pub fn logout() -> Result<ExitCode, ApiError> {
    let mut id = identity()?;
    let report = id.sign_out()?;
    println!(
        "signed out: tokens removed from this laptop; refresh token {}",
        if report.revoked {
            "revoked at the provider"
        } else {
            "not revoked"
        }
    );
    if let Some(note) = report.note {
        eprintln!("note: {note}");
    }
    if let Some(url) = report.end_session_url {
        println!("end the provider's browser session: {url}");
        let _ = id.end_browser_session(&url);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn whoami() -> Result<ExitCode, ApiError> {
    let mut id = identity()?;
    let session = id.session(Purpose::Review)?;
    print_whoami(&WhoAmI::from(&session));
    Ok(ExitCode::SUCCESS)
}

fn print_whoami(w: &WhoAmI) {
    println!("signed in: {} <{}>", w.display_name, w.subject);
    let roles: Vec<&str> = w
        .roles
        .iter()
        .map(|r| match r {
            recon_api::desk::RoleName::Clerk => "clerk",
            recon_api::desk::RoleName::Supervisor => "supervisor",
        })
        .collect();
    println!("roles: {}", roles.join(", "));
    println!("groups: {}", w.groups.join(", "));
    if let Some(e) = &w.email {
        println!("email: {e}");
    }
    println!(
        "authenticated at: {}",
        w.authenticated_at.as_deref().unwrap_or("(not said)")
    );
    println!("verified at: {}", w.verified_at);
    println!("ID token expires: {}", w.expires_at);
    println!(
        "{}",
        if w.online {
            "online"
        } else {
            "offline (grace)"
        }
    );
}

#[derive(Args, Debug)]
pub struct ConfigArgs {
    #[command(subcommand)]
    command: ConfigCommand,
}

#[derive(Subcommand, Debug)]
enum ConfigCommand {
    /// Print the effective configuration and where each value came from.
    Check,
}

pub fn config(args: &ConfigArgs) -> Result<ExitCode, ApiError> {
    match args.command {
        ConfigCommand::Check => {
            let env = |k: &str| std::env::var(k).ok();
            println!(
                "system file: {}",
                recon_auth::config::system_path(&env).display()
            );
            if let Some(p) = recon_auth::config::user_path(&env) {
                println!("user file: {}", p.display());
            }
            if let Some(p) = env("RECON_CONFIG") {
                println!("RECON_CONFIG file: {p}");
            }
            let config = Config::load().map_err(config_error)?;
            for (key, value, source) in &config.provenance {
                println!("{key} = {value}    [{source}]");
            }
            match &config.oidc {
                Some(o) => println!("sign-in: {} (client {})", o.issuer, o.client_id),
                None => println!("sign-in: not configured (demo mode only)"),
            }
            Ok(ExitCode::SUCCESS)
        }
    }
}
