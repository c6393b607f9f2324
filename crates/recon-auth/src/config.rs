//! The sign-in configuration of a managed laptop: one TOML file deployed by IT at the OS's
//! system-wide location, overridden by the user's file, by the file `RECON_CONFIG` names, and by
//! environment variables, in that order. Unknown keys, wrong types, out-of-range values and
//! non-https issuers (loopback excepted) are refused with the key and the file named.
//! [`Config::provenance`] tells where every effective value came from (`recon config check`).

use recon_api::inbox::InboxConfig;
use recon_api::publish::{ArchiveLocation, DatabaseAuth, DatabaseConfig, PublishConfig};
use recon_review::identity::{RoleMapping, SessionPolicy};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// Where a value came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Default,
    File(PathBuf),
    Env(String),
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Source::Default => f.write_str("default"),
            Source::File(p) => write!(f, "{}", p.display()),
            Source::Env(v) => write!(f, "environment {v}"),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("configuration: {message} ({source_name})")]
pub struct ConfigError {
    pub message: String,
    pub source_name: String,
}

fn err(message: String, source: &Source) -> ConfigError {
    ConfigError {
        message,
        source_name: source.to_string(),
    }
}

/// The OpenID provider and how its answers are read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OidcConfig {
    pub issuer: String,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub roles: RoleMapping,
    pub policy: SessionPolicy,
    /// Tolerance for `exp` and `iat` against this laptop's clock.
    pub clock_skew_seconds: i64,
    /// How long the browser sign-in may take before it is abandoned.
    pub sign_in_timeout_seconds: u64,
    /// Refresh the ID token this long before it expires.
    pub refresh_ahead_seconds: i64,
}

/// AWS credentials from the sign-in (STS AssumeRoleWithWebIdentity); absent: the standard AWS
/// configuration chain applies unchanged.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AwsConfig {
    pub clerk_role_arn: Option<String>,
    pub supervisor_role_arn: Option<String>,
    pub session_duration_seconds: i32,
    pub region: Option<String>,
    /// An S3/STS-compatible endpoint instead of AWS's (the standard `AWS_ENDPOINT_URL` works
    /// too).
    pub endpoint_url: Option<String>,
}

/// The effective configuration.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Config {
    /// None: no identity provider configured (demo mode only).
    pub oidc: Option<OidcConfig>,
    pub aws: AwsConfig,
    /// Where statement files and ledger extracts are delivered (the inbox).
    pub inbox: InboxConfig,
    /// No byte for this long is a stalled download (resumed).
    pub inbox_stall_seconds: u64,
    /// Where approved reconciliations are published (S3 archive, results database).
    pub publish: PublishConfig,
    /// Every key with its effective value (as text) and source, sorted by key.
    pub provenance: Vec<(String, String, Source)>,
}

/// The recognised keys: `section.key`, their kind, and the environment variable that overrides
/// them.
const KEYS: &[(&str, Kind, &str)] = &[
    ("oidc.issuer", Kind::Text, "RECON_OIDC_ISSUER"),
    ("oidc.client_id", Kind::Text, "RECON_OIDC_CLIENT_ID"),
    ("oidc.scopes", Kind::List, "RECON_OIDC_SCOPES"),
    ("oidc.groups_claim", Kind::Text, "RECON_OIDC_GROUPS_CLAIM"),
    ("oidc.clerk_groups", Kind::List, "RECON_OIDC_CLERK_GROUPS"),
    (
        "oidc.supervisor_groups",
        Kind::List,
        "RECON_OIDC_SUPERVISOR_GROUPS",
    ),
    (
        "oidc.offline_grace_hours",
        Kind::Int(0, 168),
        "RECON_OFFLINE_GRACE_HOURS",
    ),
    (
        "oidc.approval_max_age_minutes",
        Kind::Int(1, 60),
        "RECON_APPROVAL_MAX_AGE_MINUTES",
    ),
    (
        "oidc.clock_skew_seconds",
        Kind::Int(0, 300),
        "RECON_OIDC_CLOCK_SKEW_SECONDS",
    ),
    (
        "oidc.sign_in_timeout_seconds",
        Kind::Int(10, 3600),
        "RECON_SIGN_IN_TIMEOUT_SECONDS",
    ),
    (
        "oidc.refresh_ahead_seconds",
        Kind::Int(0, 3600),
        "RECON_OIDC_REFRESH_AHEAD_SECONDS",
    ),
    ("aws.clerk_role_arn", Kind::Text, "RECON_AWS_CLERK_ROLE_ARN"),
    (
        "aws.supervisor_role_arn",
        Kind::Text,
        "RECON_AWS_SUPERVISOR_ROLE_ARN",
    ),
    (
        "aws.session_duration_seconds",
        Kind::Int(900, 43_200),
        "RECON_AWS_SESSION_DURATION_SECONDS",
    ),
    ("aws.region", Kind::Text, "RECON_AWS_REGION"),
    ("aws.endpoint_url", Kind::Text, "RECON_AWS_ENDPOINT_URL"),
    ("inbox.statements", Kind::Text, "RECON_INBOX_STATEMENTS"),
    ("inbox.ledger", Kind::Text, "RECON_INBOX_LEDGER"),
    ("inbox.banks", Kind::List, "RECON_INBOX_BANKS"),
    (
        "inbox.interval_minutes",
        Kind::Int(0, 1440),
        "RECON_INBOX_INTERVAL_MINUTES",
    ),
    (
        "inbox.stall_seconds",
        Kind::Int(1, 600),
        "RECON_INBOX_STALL_SECONDS",
    ),
    ("publish.archive", Kind::Text, "RECON_PUBLISH_ARCHIVE"),
    ("publish.database_url", Kind::Text, "RECON_DATABASE_URL"),
    (
        "publish.database_ca_file",
        Kind::Text,
        "RECON_DATABASE_CA_FILE",
    ),
    ("publish.database_auth", Kind::Text, "RECON_DATABASE_AUTH"),
    (
        "publish.interval_seconds",
        Kind::Int(0, 86_400),
        "RECON_PUBLISH_INTERVAL_SECONDS",
    ),
];

#[derive(Clone, Copy, Debug)]
enum Kind {
    Text,
    List,
    Int(i64, i64),
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Value {
    Text(String),
    List(Vec<String>),
    Int(i64),
}

impl Value {
    fn show(&self) -> String {
        match self {
            Value::Text(t) => t.clone(),
            Value::List(l) => l.join(" "),
            Value::Int(i) => i.to_string(),
        }
    }
}

/// The system-wide file IT deploys (`RECON_SYSTEM_CONFIG` overrides the path, for tests).
pub fn system_path(env: &dyn Fn(&str) -> Option<String>) -> PathBuf {
    if let Some(p) = env("RECON_SYSTEM_CONFIG") {
        return PathBuf::from(p);
    }
    if cfg!(windows) {
        PathBuf::from(env("ProgramData").unwrap_or_else(|| r"C:\ProgramData".into()))
            .join("recon-workbench")
            .join("config.toml")
    } else if cfg!(target_os = "macos") {
        PathBuf::from("/Library/Application Support/recon-workbench/config.toml")
    } else {
        PathBuf::from("/etc/recon-workbench/config.toml")
    }
}

/// The user's own file.
pub fn user_path(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    let base = if cfg!(windows) {
        env("APPDATA").map(PathBuf::from)
    } else if cfg!(target_os = "macos") {
        env("HOME").map(|h| PathBuf::from(h).join("Library/Application Support"))
    } else {
        env("XDG_CONFIG_HOME")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
            .or_else(|| env("HOME").map(|h| PathBuf::from(h).join(".config")))
    };
    base.map(|b| b.join("recon-workbench").join("config.toml"))
}

impl Config {
    /// The effective configuration from the standard places and the process environment.
    pub fn load() -> Result<Config, ConfigError> {
        let env = |k: &str| std::env::var(k).ok();
        let mut files = vec![system_path(&env)];
        files.extend(user_path(&env));
        files.extend(env("RECON_CONFIG").map(PathBuf::from));
        let mut texts = Vec::new();
        for path in files {
            match std::fs::read_to_string(&path) {
                Ok(text) => texts.push((path, text)),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if env("RECON_CONFIG").is_some_and(|c| Path::new(&c) == path) {
                        return Err(err(
                            "RECON_CONFIG names a file that does not exist".into(),
                            &Source::File(path),
                        ));
                    }
                }
                Err(e) => {
                    return Err(err(format!("cannot read: {e}"), &Source::File(path)));
                }
            }
        }
        Config::from_layers(&texts, &env)
    }

    /// The effective configuration from file texts (lowest precedence first) and an environment.
    pub fn from_layers(
        files: &[(PathBuf, String)],
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Config, ConfigError> {
        let mut values: BTreeMap<&'static str, (Value, Source)> = BTreeMap::new();
        for (path, text) in files {
            let source = Source::File(path.clone());
            let table: toml::Table = text
                .parse()
                .map_err(|e: toml::de::Error| err(format!("not valid TOML: {e}"), &source))?;
            for (section, body) in &table {
                let toml::Value::Table(body) = body else {
                    return Err(err(
                        format!("`{section}` must be a section ([{section}])"),
                        &source,
                    ));
                };
                for (key, value) in body {
                    let full = format!("{section}.{key}");
                    let (name, kind, _) =
                        KEYS.iter().find(|(k, _, _)| *k == full).ok_or_else(|| {
                            err(
                                format!(
                                    "unknown key `{full}`; known keys: {}",
                                    KEYS.iter().map(|k| k.0).collect::<Vec<_>>().join(", ")
                                ),
                                &source,
                            )
                        })?;
                    let v = from_toml(name, *kind, value).map_err(|m| err(m, &source))?;
                    values.insert(name, (v, source.clone()));
                }
            }
        }
        for (name, kind, var) in KEYS {
            if let Some(text) = env(var).filter(|t| !t.trim().is_empty()) {
                let source = Source::Env((*var).to_string());
                let v = from_text(name, *kind, &text).map_err(|m| err(m, &source))?;
                values.insert(name, (v, source));
            }
        }
        build(values)
    }
}

fn from_toml(name: &str, kind: Kind, value: &toml::Value) -> Result<Value, String> {
    match (kind, value) {
        (Kind::Text, toml::Value::String(s)) => Ok(Value::Text(s.trim().to_string())),
        (Kind::List, toml::Value::Array(items)) => items
            .iter()
            .map(|i| {
                i.as_str()
                    .map(|s| s.trim().to_string())
                    .ok_or_else(|| format!("`{name}` must be a list of strings"))
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Value::List),
        (Kind::Int(lo, hi), toml::Value::Integer(i)) => in_range(name, *i, lo, hi),
        (Kind::Text, _) => Err(format!("`{name}` must be a string")),
        (Kind::List, _) => Err(format!("`{name}` must be a list of strings")),
        (Kind::Int(..), _) => Err(format!("`{name}` must be a whole number")),
    }
}

fn from_text(name: &str, kind: Kind, text: &str) -> Result<Value, String> {
    match kind {
        Kind::Text => Ok(Value::Text(text.trim().to_string())),
        Kind::List => Ok(Value::List(
            text.split([' ', ','])
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        )),
        Kind::Int(lo, hi) => {
            let i = text
                .trim()
                .parse::<i64>()
                .map_err(|_| format!("`{name}` must be a whole number, not {text:?}"))?;
            in_range(name, i, lo, hi)
        }
    }
}

fn in_range(name: &str, i: i64, lo: i64, hi: i64) -> Result<Value, String> {
    if (lo..=hi).contains(&i) {
        Ok(Value::Int(i))
    } else {
        Err(format!("`{name}` = {i} is outside {lo}..={hi}"))
    }
}

/// Whether an issuer URL may be used: https, or http on a loopback address (tests, local
/// providers).
pub fn check_issuer(issuer: &str) -> Result<(), String> {
    let url = url::Url::parse(issuer).map_err(|e| format!("`oidc.issuer` {issuer:?}: {e}"))?;
    match url.scheme() {
        "https" => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        _ => Err(format!(
            "`oidc.issuer` {issuer:?} must use https (plain http only on a loopback address)"
        )),
    }
}

/// A results database URL: `postgresql://USER@HOST[:PORT]/DATABASE`, without a password (it
/// lives in the OS keyring).
pub fn check_database_url(text: &str) -> Result<(), String> {
    let url = url::Url::parse(text).map_err(|e| format!("`publish.database_url` {text:?}: {e}"))?;
    if !matches!(url.scheme(), "postgresql" | "postgres") {
        return Err(format!(
            "`publish.database_url` {text:?} must start with postgresql://"
        ));
    }
    if url.password().is_some() {
        return Err(
            "`publish.database_url` must not carry a password: it belongs in the OS keyring (`recon db password`)"
                .into(),
        );
    }
    if url.username().is_empty() || url.host_str().unwrap_or_default().is_empty() {
        return Err(format!(
            "`publish.database_url` {text:?} must name a user and a host (postgresql://USER@HOST:PORT/DATABASE)"
        ));
    }
    if url.path().trim_start_matches('/').is_empty() {
        return Err(format!(
            "`publish.database_url` {text:?} must name a database (postgresql://USER@HOST:PORT/DATABASE)"
        ));
    }
    Ok(())
}

/// 127.0.0.0/8, ::1 or localhost.
pub fn is_loopback(url: &url::Url) -> bool {
    match url.host() {
        Some(url::Host::Ipv4(a)) => a.is_loopback(),
        Some(url::Host::Ipv6(a)) => a.is_loopback(),
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

fn build(values: BTreeMap<&'static str, (Value, Source)>) -> Result<Config, ConfigError> {
    let text = |k: &str| match values.get(k) {
        Some((Value::Text(t), _)) if !t.is_empty() => Some(t.clone()),
        _ => None,
    };
    let list = |k: &str, default: &[&str]| match values.get(k) {
        Some((Value::List(l), _)) => l.clone(),
        _ => default.iter().map(|s| s.to_string()).collect(),
    };
    let int = |k: &str, default: i64| match values.get(k) {
        Some((Value::Int(i), _)) => *i,
        _ => default,
    };
    let source = |k: &str| {
        values
            .get(k)
            .map(|(_, s)| s.clone())
            .unwrap_or(Source::Default)
    };
    let oidc = match (text("oidc.issuer"), text("oidc.client_id")) {
        (None, None) => None,
        (Some(_), None) => {
            return Err(err(
                "`oidc.issuer` is set but `oidc.client_id` is not".into(),
                &source("oidc.issuer"),
            ));
        }
        (None, Some(_)) => {
            return Err(err(
                "`oidc.client_id` is set but `oidc.issuer` is not".into(),
                &source("oidc.client_id"),
            ));
        }
        (Some(issuer), Some(client_id)) => {
            check_issuer(&issuer).map_err(|m| err(m, &source("oidc.issuer")))?;
            let scopes = list(
                "oidc.scopes",
                &["openid", "profile", "email", "groups", "offline_access"],
            );
            if !scopes.iter().any(|s| s == "openid") {
                return Err(err(
                    "`oidc.scopes` must include openid".into(),
                    &source("oidc.scopes"),
                ));
            }
            let roles = RoleMapping {
                claim: text("oidc.groups_claim").unwrap_or_else(|| "groups".into()),
                clerk_groups: list("oidc.clerk_groups", &["recon-clerks"]),
                supervisor_groups: list("oidc.supervisor_groups", &["recon-supervisors"]),
            };
            Some(OidcConfig {
                issuer,
                client_id,
                scopes,
                roles,
                policy: SessionPolicy {
                    offline_grace_seconds: int("oidc.offline_grace_hours", 12) * 3600,
                    approval_max_age_seconds: int("oidc.approval_max_age_minutes", 15) * 60,
                },
                clock_skew_seconds: int("oidc.clock_skew_seconds", 120),
                sign_in_timeout_seconds: u64::try_from(int("oidc.sign_in_timeout_seconds", 300))
                    .unwrap_or(300),
                refresh_ahead_seconds: int("oidc.refresh_ahead_seconds", 60),
            })
        }
    };
    for k in ["aws.clerk_role_arn", "aws.supervisor_role_arn"] {
        if let Some(arn) = text(k)
            && !(arn.starts_with("arn:") && arn.contains(":role/"))
        {
            return Err(err(
                format!("`{k}` {arn:?} is not an IAM role ARN (arn:aws:iam::ACCOUNT:role/NAME)"),
                &source(k),
            ));
        }
    }
    let aws = AwsConfig {
        clerk_role_arn: text("aws.clerk_role_arn"),
        supervisor_role_arn: text("aws.supervisor_role_arn"),
        session_duration_seconds: i32::try_from(int("aws.session_duration_seconds", 3600))
            .unwrap_or(3600),
        region: text("aws.region"),
        endpoint_url: text("aws.endpoint_url"),
    };
    for k in ["inbox.statements", "inbox.ledger"] {
        if let Some(t) = text(k) {
            recon_api::inbox::check_template(&t)
                .map_err(|m| err(format!("`{k}`: {m}"), &source(k)))?;
        }
    }
    let mut banks = Vec::new();
    for entry in list("inbox.banks", &[]) {
        let Some((account, bank)) = entry
            .split_once('=')
            .filter(|(a, b)| !a.is_empty() && !b.is_empty())
        else {
            return Err(err(
                format!(
                    "`inbox.banks`: {entry:?} is not ACCOUNT=BANK (e.g. \"NL91ABNA0417164300=abn-amro\")"
                ),
                &source("inbox.banks"),
            ));
        };
        banks.push((account.trim().to_string(), bank.trim().to_string()));
    }
    let inbox = InboxConfig {
        statements: text("inbox.statements"),
        ledger: text("inbox.ledger"),
        banks,
        interval_minutes: u32::try_from(int("inbox.interval_minutes", 0)).unwrap_or(0),
    };
    if let Some(a) = text("publish.archive") {
        ArchiveLocation::parse(&a).map_err(|m| {
            err(
                format!("`publish.archive`: {m}"),
                &source("publish.archive"),
            )
        })?;
    }
    let auth = match text("publish.database_auth").as_deref() {
        None | Some("password") => DatabaseAuth::Password,
        Some("iam") => DatabaseAuth::Iam,
        Some(other) => {
            return Err(err(
                format!("`publish.database_auth` = {other:?}: must be \"password\" or \"iam\""),
                &source("publish.database_auth"),
            ));
        }
    };
    let database = match text("publish.database_url") {
        None => {
            for k in ["publish.database_ca_file", "publish.database_auth"] {
                if text(k).is_some() {
                    return Err(err(
                        format!("`{k}` is set but `publish.database_url` is not"),
                        &source(k),
                    ));
                }
            }
            None
        }
        Some(url) => {
            check_database_url(&url).map_err(|m| err(m, &source("publish.database_url")))?;
            Some(DatabaseConfig {
                url,
                ca_file: text("publish.database_ca_file").map(PathBuf::from),
                auth,
            })
        }
    };
    let publish = PublishConfig {
        archive: text("publish.archive"),
        database,
        interval_seconds: u32::try_from(int("publish.interval_seconds", 300)).unwrap_or(300),
    };
    let provenance = KEYS
        .iter()
        .map(|(k, _, _)| {
            let shown = match values.get(k) {
                Some((v, _)) => v.show(),
                None => "(default)".into(),
            };
            ((*k).to_string(), shown, source(k))
        })
        .collect();
    Ok(Config {
        oidc,
        aws,
        inbox,
        inbox_stall_seconds: u64::try_from(int("inbox.stall_seconds", 30)).unwrap_or(30),
        publish,
        provenance,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn layers(files: &[(&str, &str)], env: &[(&str, &str)]) -> Result<Config, ConfigError> {
        let files: Vec<(PathBuf, String)> = files
            .iter()
            .map(|(p, t)| (PathBuf::from(p), t.to_string()))
            .collect();
        let env: Vec<(String, String)> = env
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        Config::from_layers(&files, &move |k: &str| {
            env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
        })
    }

    const SYSTEM: &str = r#"
[oidc]
issuer = "https://acme.okta.com/oauth2/default"
client_id = "0oa-recon"
supervisor_groups = ["Finance-Supervisors"]
"#;

    #[test]
    fn user_file_and_environment_override_the_system_file_with_provenance() {
        let c = layers(
            &[
                ("/etc/recon-workbench/config.toml", SYSTEM),
                (
                    "/home/c/.config/recon-workbench/config.toml",
                    "[oidc]\noffline_grace_hours = 4\n",
                ),
            ],
            &[("RECON_OIDC_CLIENT_ID", "0oa-other")],
        )
        .unwrap();
        let o = c.oidc.unwrap();
        assert_eq!(o.client_id, "0oa-other");
        assert_eq!(o.policy.offline_grace_seconds, 4 * 3600);
        assert_eq!(o.roles.supervisor_groups, vec!["Finance-Supervisors"]);
        assert_eq!(o.roles.clerk_groups, vec!["recon-clerks"]);
        let find = |k: &str| c.provenance.iter().find(|p| p.0 == k).unwrap().clone();
        assert_eq!(
            find("oidc.client_id").2,
            Source::Env("RECON_OIDC_CLIENT_ID".into())
        );
        assert_eq!(
            find("oidc.issuer").2,
            Source::File("/etc/recon-workbench/config.toml".into())
        );
        assert_eq!(find("oidc.clock_skew_seconds").2, Source::Default);
    }

    #[test]
    fn unknown_keys_wrong_types_and_ranges_are_refused_with_key_and_file() {
        let e = layers(
            &[("/etc/x.toml", "[oidc]\nissuer_url = \"https://a\"\n")],
            &[],
        )
        .unwrap_err();
        assert!(e.message.contains("unknown key `oidc.issuer_url`"), "{e}");
        assert_eq!(e.source_name, "/etc/x.toml");
        let e = layers(
            &[("/etc/x.toml", "[oidc]\noffline_grace_hours = \"12\"\n")],
            &[],
        )
        .unwrap_err();
        assert!(e.message.contains("whole number"), "{e}");
        let e = layers(&[], &[("RECON_OFFLINE_GRACE_HOURS", "1000")]).unwrap_err();
        assert!(e.message.contains("outside 0..=168"), "{e}");
        assert_eq!(e.source_name, "environment RECON_OFFLINE_GRACE_HOURS");
        let e = layers(&[("/etc/x.toml", "[okta]\nissuer = \"https://a\"\n")], &[]).unwrap_err();
        assert!(e.message.contains("unknown key `okta.issuer`"), "{e}");
        let e = layers(&[("/etc/x.toml", "[oidc\n")], &[]).unwrap_err();
        assert!(e.message.contains("not valid TOML"), "{e}");
    }

    #[test]
    fn publishing_settings_are_read_and_wrong_ones_named() {
        let c = layers(
            &[(
                "/etc/recon-workbench/config.toml",
                "[publish]\narchive = \"s3://acme-recon/published\"\ndatabase_url = \"postgresql://recon_app@db.example.com:5432/recon\"\ndatabase_ca_file = \"/etc/ssl/rds/global-bundle.pem\"\n",
            )],
            &[("RECON_PUBLISH_INTERVAL_SECONDS", "60")],
        )
        .unwrap();
        assert_eq!(
            c.publish.archive.as_deref(),
            Some("s3://acme-recon/published")
        );
        let db = c.publish.database.unwrap();
        assert_eq!(db.auth, DatabaseAuth::Password);
        assert_eq!(
            db.ca_file.as_deref(),
            Some(Path::new("/etc/ssl/rds/global-bundle.pem"))
        );
        assert_eq!(c.publish.interval_seconds, 60);
        for (file, wanted) in [
            (
                "[publish]\ndatabase_url = \"postgresql://u:secret@h/db\"\n",
                "must not carry a password",
            ),
            (
                "[publish]\ndatabase_url = \"mysql://u@h/db\"\n",
                "must start with postgresql://",
            ),
            (
                "[publish]\ndatabase_url = \"postgresql://h/db\"\n",
                "must name a user and a host",
            ),
            (
                "[publish]\ndatabase_url = \"postgresql://u@h\"\n",
                "must name a database",
            ),
            (
                "[publish]\ndatabase_ca_file = \"/x.pem\"\n",
                "`publish.database_url` is not",
            ),
            (
                "[publish]\ndatabase_url = \"postgresql://u@h/db\"\ndatabase_auth = \"kerberos\"\n",
                "must be \"password\" or \"iam\"",
            ),
            (
                "[publish]\narchive = \"s3://acme/{account}/\"\n",
                "takes no placeholders",
            ),
        ] {
            let e = layers(
                &[("/home/u/.config/recon-workbench/config.toml", file)],
                &[],
            )
            .unwrap_err();
            assert!(e.message.contains(wanted), "{file}: {}", e.message);
            assert!(e.source_name.contains("config.toml"), "{}", e.source_name);
        }
    }

    #[test]
    fn issuers_must_be_https_except_on_loopback() {
        let with = |issuer: &str| {
            layers(
                &[],
                &[("RECON_OIDC_ISSUER", issuer), ("RECON_OIDC_CLIENT_ID", "c")],
            )
        };
        assert!(with("https://acme.okta.com").is_ok());
        assert!(with("http://127.0.0.1:4000").is_ok());
        assert!(with("http://localhost:4000").is_ok());
        assert!(with("http://[::1]:4000").is_ok());
        let e = with("http://acme.okta.com").unwrap_err();
        assert!(e.message.contains("must use https"), "{e}");
        assert!(e.source_name.contains("RECON_OIDC_ISSUER"));
        assert!(with("ftp://127.0.0.1").is_err());
    }

    #[test]
    fn no_issuer_means_demo_only_and_half_a_provider_is_an_error() {
        assert_eq!(layers(&[], &[]).unwrap().oidc, None);
        assert!(layers(&[], &[("RECON_OIDC_ISSUER", "https://a")]).is_err());
        let e = layers(
            &[],
            &[
                ("RECON_OIDC_ISSUER", "https://a"),
                ("RECON_OIDC_CLIENT_ID", "c"),
                ("RECON_OIDC_SCOPES", "profile email"),
            ],
        )
        .unwrap_err();
        assert!(e.message.contains("must include openid"));
        let e = layers(&[], &[("RECON_AWS_CLERK_ROLE_ARN", "recon-clerk")]).unwrap_err();
        assert!(e.message.contains("not an IAM role ARN"), "{e}");
    }
}
