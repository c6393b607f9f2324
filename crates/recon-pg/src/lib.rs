//! The results database's adapter: recon-api's [`ResultsDb`] port over `tokio-postgres`.
//!
//! - **TLS always**, with the server's certificate verified against the configured CA bundle
//!   (RDS: `global-bundle.pem`) or the operating system's roots, and its name against the host.
//! - **Password** from the OS keyring (entry [`password_entry`], set with `recon db password`);
//!   never in a file or the configuration.
//! - **One transaction per publication**, serialised per period by an advisory lock: the same
//!   (account, period, revision, content hash) again changes nothing; other content for a
//!   published revision, or a revision that does not follow the published one, is refused.
//!   Items and open items go in with binary `COPY`.
//! - **Migrations** ([`MIGRATIONS`], `migrations/*.sql`) are applied by [`migrate`] (`recon db
//!   migrate`), each in its own transaction with its SHA-256 recorded; an applied migration whose
//!   text changed is refused. The app's role `recon_publisher` may INSERT and SELECT only.
//!
//! Every call runs on this adapter's own tokio runtime and is waited for over a channel, so a
//! caller inside another runtime (the desktop app's) is fine. Limits: connecting takes at most
//! [`CONNECT_TIMEOUT`], a publication at most [`PUBLISH_TIMEOUT`].

pub mod iam;

use recon_api::publish::{
    DatabaseAuth, DatabaseConfig, DbOutcome, OpenItemRecord, PeriodOpenItems, Publication,
    PublishError, PublishErrorCode, PublishedPeriod, PublishedRef, ResultsDb,
};
use recon_auth::secrets::Secrets;
use rustls_pki_types::CertificateDer;
use rustls_pki_types::pem::PemObject as _;
use sha2::{Digest, Sha256};
use std::future::Future;
use std::path::Path;
use std::sync::Arc;
use std::sync::mpsc;
use std::time::Duration;
use tokio_postgres::Client;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::error::SqlState;
use tokio_postgres::types::{ToSql, Type};

/// Connecting (TCP, TLS, authentication) gives up after this long.
pub const CONNECT_TIMEOUT: Duration = Duration::from_secs(15);
/// One publication's transaction gives up after this long (a 1M-item reconciliation takes
/// seconds).
pub const PUBLISH_TIMEOUT: Duration = Duration::from_secs(600);
/// Rows per binary COPY flush.
const COPY_BATCH_ROWS: usize = 8_192;

/// The schema migrations, in order: (version, name, SQL). Never edit a released one.
pub const MIGRATIONS: [(i32, &str, &str); 1] = [(
    1,
    "published reconciliations",
    include_str!("../migrations/0001_published.sql"),
)];

/// The schema version this build publishes to.
pub const SCHEMA_VERSION: i32 = MIGRATIONS.len() as i32;

/// The keyring entry of the password for `url`'s user, host, port and database.
pub fn password_entry(url: &str) -> Result<String, String> {
    let u = url::Url::parse(url).map_err(|e| format!("`publish.database_url` {url:?}: {e}"))?;
    if !matches!(u.scheme(), "postgresql" | "postgres") {
        return Err(format!(
            "`publish.database_url` {url:?} must start with postgresql://"
        ));
    }
    if u.password().is_some() {
        return Err(format!(
            "`publish.database_url` must not carry a password (it belongs in the OS keyring: `recon db password`); got {}",
            redact(url)
        ));
    }
    if u.username().is_empty() {
        return Err(format!(
            "`publish.database_url` {url:?} names no user (postgresql://USER@HOST:PORT/DATABASE)"
        ));
    }
    let host = u.host_str().unwrap_or_default();
    if host.is_empty() {
        return Err(format!("`publish.database_url` {url:?} names no host"));
    }
    Ok(format!(
        "db-password:{}@{}:{}/{}",
        u.username(),
        host,
        u.port().unwrap_or(5432),
        u.path().trim_start_matches('/')
    ))
}

fn redact(url: &str) -> String {
    match url::Url::parse(url) {
        Ok(mut u) => {
            if u.password().is_some() {
                let _ = u.set_password(Some("***"));
            }
            // Query parameters may name files; they are not secret.
            u.to_string()
        }
        Err(_) => "(unreadable URL)".into(),
    }
}

/// The adapter's runtime, shut down in the background when dropped (dropping a runtime on a
/// thread of another runtime would panic).
struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

impl OwnRuntime {
    fn new() -> Result<OwnRuntime, PublishError> {
        tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .thread_name("recon-pg")
            .enable_all()
            .build()
            .map(|rt| OwnRuntime(Some(rt)))
            .map_err(|e| {
                PublishError::new(
                    PublishErrorCode::Failed,
                    format!("cannot start the database adapter's runtime: {e}"),
                )
            })
    }

    /// Runs `future` and waits for it on this thread (never `block_on`).
    fn run<T: Send + 'static>(
        &self,
        future: impl Future<Output = Result<T, PublishError>> + Send + 'static,
    ) -> Result<T, PublishError> {
        let (tx, rx) = mpsc::channel();
        let Some(rt) = self.0.as_ref() else {
            return Err(PublishError::new(PublishErrorCode::Failed, "runtime gone"));
        };
        rt.spawn(async move {
            let _ = tx.send(future.await);
        });
        rx.recv().unwrap_or_else(|_| {
            Err(PublishError::new(
                PublishErrorCode::Failed,
                "the database task ended without an answer",
            ))
        })
    }
}

/// How to reach one database.
#[derive(Clone)]
struct Target {
    config: tokio_postgres::Config,
    tls: tokio_postgres_rustls::MakeRustlsConnect,
    describe: String,
}

impl std::fmt::Debug for Target {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.describe)
    }
}

fn tls_config(ca_file: Option<&Path>) -> Result<rustls::ClientConfig, PublishError> {
    let tls_err = |m: String| PublishError::new(PublishErrorCode::Tls, m);
    let mut roots = rustls::RootCertStore::empty();
    match ca_file {
        Some(path) => {
            let certs = CertificateDer::pem_file_iter(path)
                .map_err(|e| {
                    tls_err(format!(
                        "`publish.database_ca_file` {}: cannot read: {e}",
                        path.display()
                    ))
                })?
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| {
                    tls_err(format!(
                        "`publish.database_ca_file` {}: not PEM certificates: {e}",
                        path.display()
                    ))
                })?;
            if certs.is_empty() {
                return Err(tls_err(format!(
                    "`publish.database_ca_file` {}: holds no certificate",
                    path.display()
                )));
            }
            for cert in certs {
                roots.add(cert).map_err(|e| {
                    tls_err(format!(
                        "`publish.database_ca_file` {}: {e}",
                        path.display()
                    ))
                })?;
            }
        }
        None => {
            let found = rustls_native_certs::load_native_certs();
            for cert in found.certs {
                let _ = roots.add(cert);
            }
            if roots.is_empty() {
                return Err(tls_err(
                    "no CA certificates found on this system; set `publish.database_ca_file` (RDS: global-bundle.pem)".into(),
                ));
            }
        }
    }
    let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
    Ok(rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err(format!("TLS set-up: {e}")))?
        .with_root_certificates(roots)
        .with_no_client_auth())
}

/// `password`: None keeps the URL's own (tests and benches against a local server).
fn target(
    url: &str,
    ca_file: Option<&Path>,
    password: Option<&str>,
) -> Result<Target, PublishError> {
    let bad = |m: String| PublishError::new(PublishErrorCode::NotConfigured, m);
    // The URL's own query (sslmode, sslrootcert, ...) is not used: TLS is always required and
    // verified against `publish.database_ca_file`.
    let mut parsed = url::Url::parse(url).map_err(|e| bad(format!("{url:?}: {e}")))?;
    parsed.set_query(None);
    let mut config: tokio_postgres::Config = parsed
        .as_str()
        .parse()
        .map_err(|e| bad(format!("{}: {e}", redact(url))))?;
    if let Some(p) = password {
        config.password(p);
    }
    config
        .ssl_mode(tokio_postgres::config::SslMode::Require)
        .connect_timeout(CONNECT_TIMEOUT)
        .keepalives(true)
        .keepalives_idle(Duration::from_secs(30))
        .application_name("recon-workbench");
    let describe = format!(
        "PostgreSQL {}@{}:{}/{}",
        parsed.username(),
        parsed.host_str().unwrap_or_default(),
        parsed.port().unwrap_or(5432),
        parsed.path().trim_start_matches('/')
    );
    Ok(Target {
        config,
        tls: tokio_postgres_rustls::MakeRustlsConnect::new(tls_config(ca_file)?),
        describe,
    })
}

/// Names the failure: unreachable, TLS, authentication, privileges, missing schema.
fn classify(what: &str, e: &tokio_postgres::Error) -> PublishError {
    let mut chain = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        chain.push_str(": ");
        chain.push_str(&s.to_string());
        source = s.source();
    }
    let code = match e.code() {
        Some(c) if *c == SqlState::INSUFFICIENT_PRIVILEGE => PublishErrorCode::AccessDenied,
        Some(c)
            if *c == SqlState::INVALID_PASSWORD
                || *c == SqlState::INVALID_AUTHORIZATION_SPECIFICATION =>
        {
            PublishErrorCode::AuthFailed
        }
        Some(c) if *c == SqlState::UNDEFINED_TABLE => PublishErrorCode::SchemaMissing,
        Some(c) if *c == SqlState::UNIQUE_VIOLATION => PublishErrorCode::Refused,
        // The server is shutting down or restarting, or ended the session: try again later.
        Some(c)
            if *c == SqlState::ADMIN_SHUTDOWN
                || *c == SqlState::CRASH_SHUTDOWN
                || *c == SqlState::CANNOT_CONNECT_NOW =>
        {
            PublishErrorCode::Unreachable
        }
        Some(_) => PublishErrorCode::Failed,
        None if chain.contains("certificate") || chain.contains("TLS") || chain.contains("tls") => {
            PublishErrorCode::Tls
        }
        None => PublishErrorCode::Unreachable,
    };
    let hint = match code {
        PublishErrorCode::SchemaMissing => "; run `recon db migrate`",
        PublishErrorCode::AuthFailed => {
            "; check the user and the password in the OS keyring (`recon db password`)"
        }
        PublishErrorCode::Tls => {
            "; the server's certificate must chain to `publish.database_ca_file` and name the host"
        }
        _ => "",
    };
    PublishError::new(code, format!("{what}: {chain}{hint}"))
}

async fn connect(t: Target) -> Result<Client, PublishError> {
    let what = format!("{}: cannot connect", t.describe);
    let (client, connection) = tokio::time::timeout(
        CONNECT_TIMEOUT + Duration::from_secs(1),
        t.config.connect(t.tls.clone()),
    )
    .await
    .map_err(|_| {
        PublishError::new(
            PublishErrorCode::Unreachable,
            format!("{what}: no answer within {} s", CONNECT_TIMEOUT.as_secs()),
        )
    })?
    .map_err(|e| classify(&what, &e))?;
    tokio::spawn(async move {
        let _ = connection.await;
    });
    Ok(client)
}

/// The PostgreSQL results database.
pub struct PgResults {
    runtime: OwnRuntime,
    target: Target,
}

impl std::fmt::Debug for PgResults {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.target.describe)
    }
}

impl PgResults {
    /// The database of `config`, its password from `secrets` (the OS keyring).
    pub fn new(config: &DatabaseConfig, secrets: &dyn Secrets) -> Result<PgResults, PublishError> {
        let password = match config.auth {
            DatabaseAuth::Password => {
                let entry = password_entry(&config.url)
                    .map_err(|m| PublishError::new(PublishErrorCode::NotConfigured, m))?;
                secrets
                    .get(&entry)
                    .map_err(|e| PublishError::new(PublishErrorCode::AuthFailed, e))?
                    .ok_or_else(|| {
                        PublishError::new(
                            PublishErrorCode::AuthFailed,
                            format!(
                                "no password for {} in the OS keyring (entry {entry:?}): set it with `recon db password`",
                                redact(&config.url)
                            ),
                        )
                    })?
            }
            DatabaseAuth::Iam => {
                return Err(PublishError::new(
                    PublishErrorCode::NotConfigured,
                    "`publish.database_auth = \"iam\"` needs the AWS credentials of the signed-in role: the database is connected through PgResults::with_iam",
                ));
            }
        };
        PgResults::with_password(&config.url, config.ca_file.as_deref(), &password)
    }

    /// The database of `config` with an RDS IAM authentication token (`publish.database_auth =
    /// "iam"`) made now from `credentials` for `region`, valid 15 minutes (connections are made
    /// per publication, so each gets a fresh one).
    pub fn with_iam(
        config: &DatabaseConfig,
        credentials: &aws_credential_types::Credentials,
        region: &str,
    ) -> Result<PgResults, PublishError> {
        let u = url::Url::parse(&config.url).map_err(|e| {
            PublishError::new(
                PublishErrorCode::NotConfigured,
                format!("`publish.database_url`: {e}"),
            )
        })?;
        let token = iam::auth_token(
            u.host_str().unwrap_or_default(),
            u.port().unwrap_or(5432),
            u.username(),
            region,
            credentials,
            std::time::SystemTime::now(),
        )
        .map_err(|m| PublishError::new(PublishErrorCode::AuthFailed, m))?;
        PgResults::with_password(&config.url, config.ca_file.as_deref(), &token)
    }

    /// The database of `config` as its `database_auth` says: the password from the OS keyring,
    /// or an RDS IAM token from the AWS credentials of the signed-in person's role (STS web
    /// identity when `[aws]` names roles, else the standard AWS chain) and region.
    pub fn connect(
        config: &DatabaseConfig,
        secrets: &dyn Secrets,
        aws: &recon_auth::config::AwsConfig,
        signed_in: Option<(recon_review::Principal, recon_auth::IdTokenCell)>,
    ) -> Result<PgResults, PublishError> {
        if config.auth == DatabaseAuth::Password {
            return PgResults::new(config, secrets);
        }
        use aws_credential_types::provider::ProvideCredentials as _;
        let runtime = OwnRuntime::new()?;
        let aws = aws.clone();
        let (credentials, region) = runtime.run(async move {
            let sdk = match signed_in {
                Some((principal, token)) => {
                    recon_auth::aws::sdk_config(&aws, &principal, token).await
                }
                None => recon_auth::aws::config_loader(&aws).load().await,
            };
            let failed = |m: String| PublishError::new(PublishErrorCode::CredentialsExpired, m);
            let provider = sdk.credentials_provider().ok_or_else(|| {
                failed("no AWS credentials for the RDS IAM token (sign in, or set up the AWS configuration)".into())
            })?;
            let credentials = provider
                .provide_credentials()
                .await
                .map_err(|e| failed(format!("AWS credentials for the RDS IAM token: {e}")))?;
            let region = sdk.region().map(|r| r.to_string()).ok_or_else(|| {
                PublishError::new(
                    PublishErrorCode::NotConfigured,
                    "no AWS region for the RDS IAM token: set aws.region or AWS_REGION",
                )
            })?;
            Ok((credentials, region))
        })?;
        PgResults::with_iam(config, &credentials, &region)
    }

    /// The database at `url` with an explicit password (tests, `recon db migrate`).
    pub fn with_password(
        url: &str,
        ca_file: Option<&Path>,
        password: &str,
    ) -> Result<PgResults, PublishError> {
        Ok(PgResults {
            runtime: OwnRuntime::new()?,
            target: target(url, ca_file, Some(password))?,
        })
    }

    /// The database at `url` with the password the URL carries (a local test or bench server;
    /// the configuration refuses passwords in URLs).
    pub fn with_url_password(url: &str, ca_file: Option<&Path>) -> Result<PgResults, PublishError> {
        Ok(PgResults {
            runtime: OwnRuntime::new()?,
            target: target(url, ca_file, None)?,
        })
    }

    /// Applies the migrations not applied yet; returns the versions applied now.
    pub fn migrate(&mut self) -> Result<Vec<(i32, &'static str)>, PublishError> {
        let t = self.target.clone();
        self.runtime.run(async move {
            let mut client = connect(t.clone()).await?;
            migrate(&mut client, &t.describe).await
        })
    }

    /// The applied schema version (0 when none).
    pub fn schema_version(&mut self) -> Result<i32, PublishError> {
        let t = self.target.clone();
        self.runtime.run(async move {
            let client = connect(t.clone()).await?;
            schema_version(&client, &t.describe).await
        })
    }

    /// Runs `sql` (a test's or an administrator's statement) and returns the rows' first column
    /// as text.
    pub fn query_texts(&mut self, sql: &str) -> Result<Vec<String>, PublishError> {
        let t = self.target.clone();
        let sql = sql.to_string();
        self.runtime.run(async move {
            let client = connect(t.clone()).await?;
            let rows = client
                .simple_query(&sql)
                .await
                .map_err(|e| classify(&t.describe, &e))?;
            Ok(rows
                .into_iter()
                .filter_map(|m| match m {
                    tokio_postgres::SimpleQueryMessage::Row(r) => {
                        Some(r.get(0).unwrap_or_default().to_string())
                    }
                    _ => None,
                })
                .collect())
        })
    }
}

async fn schema_version(client: &Client, describe: &str) -> Result<i32, PublishError> {
    let exists: bool = client
        .query_one(
            "SELECT to_regclass('recon_schema_migrations') IS NOT NULL",
            &[],
        )
        .await
        .map_err(|e| classify(describe, &e))?
        .get(0);
    if !exists {
        return Ok(0);
    }
    let v: Option<i32> = client
        .query_one("SELECT max(version) FROM recon_schema_migrations", &[])
        .await
        .map_err(|e| classify(describe, &e))?
        .get(0);
    Ok(v.unwrap_or(0))
}

fn sha256_hex(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

async fn migrate(
    client: &mut Client,
    describe: &str,
) -> Result<Vec<(i32, &'static str)>, PublishError> {
    let err = |e: tokio_postgres::Error| classify(&format!("{describe}: migrating"), &e);
    // One migrator at a time (two administrators, or two laptops' first runs).
    client
        .batch_execute(
            "SELECT pg_advisory_lock(7264611); CREATE TABLE IF NOT EXISTS recon_schema_migrations (
                version integer PRIMARY KEY,
                name text NOT NULL,
                sha256 text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now(),
                applied_by text NOT NULL DEFAULT current_user)",
        )
        .await
        .map_err(err)?;
    let result = async {
        let applied = client
            .query("SELECT version, sha256 FROM recon_schema_migrations", &[])
            .await
            .map_err(err)?;
        let mut done = Vec::new();
        for (version, name, sql) in MIGRATIONS {
            let hash = sha256_hex(sql);
            if let Some(row) = applied.iter().find(|r| r.get::<_, i32>(0) == version) {
                let recorded: String = row.get(1);
                if recorded != hash {
                    return Err(PublishError::new(
                        PublishErrorCode::Failed,
                        format!(
                            "{describe}: migration {version} ({name}) was applied with other text (SHA-256 {recorded}, this build has {hash}); a released migration must never change"
                        ),
                    ));
                }
                continue;
            }
            let tx = client.transaction().await.map_err(err)?;
            tx.batch_execute(sql).await.map_err(err)?;
            tx.execute(
                "INSERT INTO recon_schema_migrations (version, name, sha256) VALUES ($1, $2, $3)",
                &[&version, &name, &hash],
            )
            .await
            .map_err(err)?;
            tx.commit().await.map_err(err)?;
            done.push((version, name));
        }
        Ok(done)
    }
    .await;
    let _ = client
        .batch_execute("SELECT pg_advisory_unlock(7264611)")
        .await;
    result
}

impl ResultsDb for PgResults {
    fn describe(&self) -> String {
        self.target.describe.clone()
    }

    fn publish(&mut self, publication: &Publication<'_>) -> Result<DbOutcome, PublishError> {
        let t = self.target.clone();
        let rows = Rows::of(publication)?;
        self.runtime.run(async move {
            let describe = t.describe.clone();
            tokio::time::timeout(PUBLISH_TIMEOUT, async move {
                let mut client = connect(t.clone()).await?;
                publish(&mut client, &t.describe, rows).await
            })
            .await
            .map_err(|_| {
                PublishError::new(
                    PublishErrorCode::Unreachable,
                    format!(
                        "{describe}: the publication did not complete within {} s (rolled back)",
                        PUBLISH_TIMEOUT.as_secs()
                    ),
                )
            })?
        })
    }

    fn history(
        &mut self,
        account: &str,
        limit: usize,
    ) -> Result<Vec<PublishedPeriod>, PublishError> {
        let t = self.target.clone();
        let account = account.to_string();
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        self.runtime.run(async move {
            let client = connect(t.clone()).await?;
            let rows = client
                .query(
                    &format!(
                        "{PERIOD_SELECT} WHERE r.account = $1
                         ORDER BY r.period_end DESC, r.revision DESC LIMIT $2"
                    ),
                    &[&account, &limit],
                )
                .await
                .map_err(|e| classify(&format!("{}: reading history", t.describe), &e))?;
            Ok(rows.iter().map(period_of).collect())
        })
    }

    fn open_items_before(
        &mut self,
        account: &str,
        period_start: &str,
        max_items: usize,
    ) -> Result<Option<PeriodOpenItems>, PublishError> {
        let t = self.target.clone();
        let account = account.to_string();
        let period_start = period_start.to_string();
        let limit = i64::try_from(max_items.saturating_add(1)).unwrap_or(i64::MAX);
        self.runtime.run(async move {
            let client = connect(t.clone()).await?;
            let err = |e: &tokio_postgres::Error| {
                classify(&format!("{}: reading open items", t.describe), e)
            };
            let Some(row) = client
                .query_opt(
                    &format!(
                        "{PERIOD_SELECT} WHERE r.account = $1 AND r.period_end < $2::text::date
                         ORDER BY r.period_end DESC, r.revision DESC LIMIT 1"
                    ),
                    &[&account, &period_start],
                )
                .await
                .map_err(|e| err(&e))?
            else {
                return Ok(None);
            };
            let period = period_of(&row);
            let id: i64 = row.get(17);
            let rows = client
                .query(
                    "SELECT side, item_id, item_date, amount_minor, reference, description
                     FROM open_items WHERE reconciliation_id = $1 ORDER BY side, item_id LIMIT $2",
                    &[&id, &limit],
                )
                .await
                .map_err(|e| err(&e))?;
            if rows.len() > max_items {
                return Err(PublishError::new(
                    PublishErrorCode::Failed,
                    format!(
                        "{}: {account} {}..{} has over {max_items} open items",
                        t.describe, period.period_start, period.period_end
                    ),
                ));
            }
            let items = rows
                .iter()
                .map(|r| OpenItemRecord {
                    content_hash: period.content_hash.clone(),
                    side: r.get(0),
                    item_id: r.get(1),
                    item_date: r.get(2),
                    amount_minor: r.get(3),
                    reference: r.get(4),
                    description: r.get(5),
                })
                .collect();
            Ok(Some(PeriodOpenItems { period, items }))
        })
    }
}

/// A published period's row: what History shows (columns 0 to 16) and its id (17).
const PERIOD_SELECT: &str =
    "SELECT r.account, r.period_start::text, r.period_end::text, r.revision,
        r.content_hash, r.currency, r.exponent, s.preparer, s.approver,
        s.approved_at, r.published_by,
        to_char(r.published_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'),
        r.bank_closing_minor, r.ledger_balance_minor, r.matched_items,
        r.open_items,
        EXISTS (SELECT 1 FROM reconciliations n
                WHERE n.account = r.account AND n.period_start = r.period_start
                  AND n.period_end = r.period_end AND n.revision > r.revision),
        r.id
    FROM reconciliations r JOIN sign_offs s ON s.reconciliation_id = r.id";

fn period_of(r: &tokio_postgres::Row) -> PublishedPeriod {
    PublishedPeriod {
        account: r.get(0),
        period_start: r.get(1),
        period_end: r.get(2),
        revision: i64::from(r.get::<_, i32>(3)),
        content_hash: r.get(4),
        currency: r.get(5),
        exponent: u32::try_from(r.get::<_, i32>(6)).unwrap_or(0),
        preparer: r.get(7),
        approver: r.get(8),
        approved_at: r.get(9),
        published_by: r.get(10),
        published_at: r.get(11),
        bank_closing_minor: r.get(12),
        ledger_balance_minor: r.get(13),
        matched_items: r.get(14),
        open_items: r.get(15),
        superseded: r.get(16),
    }
}

/// A publication flattened into owned rows (the transaction runs on the adapter's runtime).
struct Rows {
    account: String,
    period_start: String,
    period_end: String,
    revision: i32,
    content_hash: String,
    workspace_id: String,
    currency: String,
    exponent: i32,
    rule_set_sha256: String,
    bank_closing_minor: i64,
    ledger_balance_minor: i64,
    unexplained_minor: i64,
    match_groups: i64,
    matched_items: i64,
    open_items_count: i64,
    manifest_json: String,
    manifest_sha256: String,
    published_by: String,
    preparer: String,
    prepared_at: String,
    approver: String,
    approved_at: String,
    audit_seq: i64,
    audit_hash: String,
    supersedes: Option<recon_api::publish::Supersedes>,
    groups: Vec<(i64, String, String, String, i64)>,
    items: Vec<(i64, &'static str, String, String, i64, String)>,
    adjustments: Vec<recon_review::pack::AdjustmentEntry>,
    /// (side, item) of every open item.
    open_items: Vec<(&'static str, recon_review::pack::OpenItem)>,
}

fn side(text: &str) -> Result<&'static str, PublishError> {
    match text {
        "bank" => Ok("bank"),
        "ledger" => Ok("ledger"),
        other => Err(PublishError::new(
            PublishErrorCode::Failed,
            format!("an item's side is {other:?}, not bank or ledger"),
        )),
    }
}

impl Rows {
    fn of(p: &Publication<'_>) -> Result<Rows, PublishError> {
        let m = p.manifest;
        let pack = p.pack;
        let small = |v: i64, what: &str| {
            i32::try_from(v).map_err(|_| {
                PublishError::new(PublishErrorCode::Failed, format!("{what} {v} out of range"))
            })
        };
        let mut items = Vec::with_capacity(m.matched_items);
        let mut groups = Vec::with_capacity(pack.groups.len());
        for g in &pack.groups {
            groups.push((
                g.id,
                g.rule.clone(),
                g.origin.clone(),
                g.created_by.clone(),
                g.difference_minor,
            ));
            for i in &g.items {
                items.push((
                    g.id,
                    side(&i.side)?,
                    i.item_id.clone(),
                    i.date.clone(),
                    i.amount_minor,
                    i.reference.clone(),
                ));
            }
        }
        let open_items = pack
            .exceptions
            .iter()
            .map(|e| Ok((side(&e.side)?, e.clone())))
            .collect::<Result<Vec<_>, PublishError>>()?;
        Ok(Rows {
            account: m.account.clone(),
            period_start: m.period_start.clone(),
            period_end: m.period_end.clone(),
            revision: small(m.revision, "revision")?,
            content_hash: m.content_hash.clone(),
            workspace_id: m.workspace_id.clone(),
            currency: m.currency.clone(),
            exponent: small(i64::from(m.exponent), "exponent")?,
            rule_set_sha256: m.rule_set_sha256.clone(),
            bank_closing_minor: m.bank_closing_minor,
            ledger_balance_minor: m.ledger_balance_minor,
            unexplained_minor: m.unexplained_minor,
            match_groups: groups.len() as i64,
            matched_items: items.len() as i64,
            open_items_count: open_items.len() as i64,
            manifest_json: serde_json::to_string(m).unwrap_or_default(),
            manifest_sha256: p.manifest_sha256.to_string(),
            published_by: p.published_by.to_string(),
            preparer: m.preparer.clone(),
            prepared_at: m.prepared_at.clone(),
            approver: m.approver.clone(),
            approved_at: m.approved_at.clone(),
            audit_seq: m.audit_head_seq,
            audit_hash: m.audit_head_hash.clone(),
            supersedes: m.supersedes.clone(),
            groups,
            items,
            adjustments: pack.adjustments.clone(),
            open_items,
        })
    }
}

async fn publish(client: &mut Client, describe: &str, r: Rows) -> Result<DbOutcome, PublishError> {
    let what = format!(
        "{describe}: publishing {} {}..{} revision {}",
        r.account, r.period_start, r.period_end, r.revision
    );
    let err = |e: tokio_postgres::Error| classify(&what, &e);
    let version = schema_version(client, describe).await?;
    if version < SCHEMA_VERSION {
        return Err(PublishError::new(
            PublishErrorCode::SchemaMissing,
            format!(
                "{describe}: the database's schema is at version {version}, this build publishes to version {SCHEMA_VERSION}: run `recon db migrate`"
            ),
        ));
    }
    let tx = client.transaction().await.map_err(err)?;
    let key = format!("{}|{}|{}", r.account, r.period_start, r.period_end);
    tx.execute(
        "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))",
        &[&key],
    )
    .await
    .map_err(err)?;
    let published = tx
        .query(
            "SELECT r.id, r.revision, r.content_hash, s.approver, s.approved_at
             FROM reconciliations r JOIN sign_offs s ON s.reconciliation_id = r.id
             WHERE r.account = $1 AND r.period_start = $2::text::date AND r.period_end = $3::text::date
             ORDER BY r.revision DESC",
            &[&r.account, &r.period_start, &r.period_end],
        )
        .await
        .map_err(err)?;
    let as_ref = |row: &tokio_postgres::Row| PublishedRef {
        revision: i64::from(row.get::<_, i32>(1)),
        content_hash: row.get(2),
        approver: row.get(3),
        approved_at: row.get(4),
    };
    if let Some(same) = published
        .iter()
        .find(|row| row.get::<_, i32>(1) == r.revision)
    {
        let theirs = as_ref(same);
        if theirs.content_hash == r.content_hash {
            return Ok(DbOutcome::AlreadyPublished { id: same.get(0) });
        }
        return Err(PublishError::refused(
            theirs.clone(),
            format!(
                "{describe}: revision {} of {} {}..{} is already published with other content ({:.12}…, approved by {} at {}); a supervisor reopens the period (`recon publish reopen --reason ...`) to publish this content as revision {}",
                theirs.revision,
                r.account,
                r.period_start,
                r.period_end,
                theirs.content_hash,
                theirs.approver,
                theirs.approved_at,
                published
                    .first()
                    .map(|l| l.get::<_, i32>(1) + 1)
                    .unwrap_or(r.revision + 1)
            ),
        ));
    }
    let latest = published.first().map(as_ref);
    match (&latest, &r.supersedes) {
        (None, None) if r.revision == 1 => {}
        (Some(l), Some(s))
            if l.revision + 1 == i64::from(r.revision) && l.content_hash == s.content_hash => {}
        (Some(l), _) => {
            return Err(PublishError::refused(
                l.clone(),
                format!(
                    "{describe}: {} {}..{} is published as revision {} ({:.12}…, approved by {}); this approval is revision {}{}: reopen the period again to publish it as revision {}",
                    r.account,
                    r.period_start,
                    r.period_end,
                    l.revision,
                    l.content_hash,
                    l.approver,
                    r.revision,
                    r.supersedes
                        .as_ref()
                        .map(|s| format!(" superseding {:.12}…", s.content_hash))
                        .unwrap_or_default(),
                    l.revision + 1
                ),
            ));
        }
        (None, _) => {
            return Err(PublishError::new(
                PublishErrorCode::Refused,
                format!(
                    "{describe}: revision {} of {} {}..{} rests on revision {}, which is not published",
                    r.revision,
                    r.account,
                    r.period_start,
                    r.period_end,
                    r.revision - 1
                ),
            ));
        }
    }
    let id: i64 = tx
        .query_one(
            "INSERT INTO reconciliations (account, period_start, period_end, revision, content_hash,
                 workspace_id, currency, exponent, rule_set_sha256, bank_closing_minor,
                 ledger_balance_minor, unexplained_minor, match_groups, matched_items, open_items,
                 manifest, manifest_sha256, published_by)
             VALUES ($1, $2::text::date, $3::text::date, $4, $5, $6, $7, $8, $9, $10, $11, $12,
                 $13, $14, $15, CAST($16::text AS jsonb), $17, $18)
             RETURNING id",
            &[
                &r.account,
                &r.period_start,
                &r.period_end,
                &r.revision,
                &r.content_hash,
                &r.workspace_id,
                &r.currency,
                &r.exponent,
                &r.rule_set_sha256,
                &r.bank_closing_minor,
                &r.ledger_balance_minor,
                &r.unexplained_minor,
                &r.match_groups,
                &r.matched_items,
                &r.open_items_count,
                &r.manifest_json,
                &r.manifest_sha256,
                &r.published_by,
            ],
        )
        .await
        .map_err(err)?
        .get(0);
    {
        let sink = tx
            .copy_in(
                "COPY match_groups (reconciliation_id, group_no, rule, origin, created_by, difference_minor) FROM STDIN BINARY",
            )
            .await
            .map_err(err)?;
        let w = BinaryCopyInWriter::new(
            sink,
            &[
                Type::INT8,
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::INT8,
            ],
        );
        futures_util::pin_mut!(w);
        for (n, g) in r.groups.iter().enumerate() {
            let row: [&(dyn ToSql + Sync); 6] = [&id, &g.0, &g.1, &g.2, &g.3, &g.4];
            w.as_mut().write(&row).await.map_err(err)?;
            if n % COPY_BATCH_ROWS == COPY_BATCH_ROWS - 1 {
                tokio::task::yield_now().await;
            }
        }
        w.finish().await.map_err(err)?;
    }
    {
        let sink = tx
            .copy_in(
                "COPY match_items (reconciliation_id, group_no, side, item_id, item_date, amount_minor, reference) FROM STDIN BINARY",
            )
            .await
            .map_err(err)?;
        let w = BinaryCopyInWriter::new(
            sink,
            &[
                Type::INT8,
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::INT8,
                Type::TEXT,
            ],
        );
        futures_util::pin_mut!(w);
        for i in &r.items {
            let row: [&(dyn ToSql + Sync); 7] = [&id, &i.0, &i.1, &i.2, &i.3, &i.4, &i.5];
            w.as_mut().write(&row).await.map_err(err)?;
        }
        w.finish().await.map_err(err)?;
    }
    {
        let sink = tx
            .copy_in(
                "COPY open_items (reconciliation_id, side, item_id, item_date, days_open, amount_minor, reason, reference, description) FROM STDIN BINARY",
            )
            .await
            .map_err(err)?;
        let w = BinaryCopyInWriter::new(
            sink,
            &[
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::INT8,
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
            ],
        );
        futures_util::pin_mut!(w);
        for (side, o) in &r.open_items {
            let row: [&(dyn ToSql + Sync); 9] = [
                &id,
                side,
                &o.item_id,
                &o.date,
                &o.days_open,
                &o.amount_minor,
                &o.reason,
                &o.reference,
                &o.description,
            ];
            w.as_mut().write(&row).await.map_err(err)?;
        }
        w.finish().await.map_err(err)?;
    }
    let adjust = tx
        .prepare(
            "INSERT INTO adjustments (reconciliation_id, group_no, rule, reason, note,
                 difference_minor, created_by, created_at, items)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .await
        .map_err(err)?;
    for a in &r.adjustments {
        tx.execute(
            &adjust,
            &[
                &id,
                &a.group,
                &a.rule,
                &a.reason,
                &a.note,
                &a.difference_minor,
                &a.created_by,
                &a.created_at,
                &a.items,
            ],
        )
        .await
        .map_err(err)?;
    }
    tx.execute(
        "INSERT INTO sign_offs (reconciliation_id, preparer, prepared_at, approver, approved_at, content_hash)
         VALUES ($1, $2, $3, $4, $5, $6)",
        &[&id, &r.preparer, &r.prepared_at, &r.approver, &r.approved_at, &r.content_hash],
    )
    .await
    .map_err(err)?;
    tx.execute(
        "INSERT INTO audit_anchors (reconciliation_id, workspace_id, audit_seq, audit_hash)
         VALUES ($1, $2, $3, $4)",
        &[&id, &r.workspace_id, &r.audit_seq, &r.audit_hash],
    )
    .await
    .map_err(err)?;
    if let Some(s) = &r.supersedes {
        let superseded = i32::try_from(s.revision).unwrap_or(i32::MAX);
        tx.execute(
            "INSERT INTO reopenings (reconciliation_id, superseded_revision, superseded_hash, reason,
                 reopened_by, reopened_at)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[&id, &superseded, &s.content_hash, &s.reason, &s.reopened_by, &s.reopened_at],
        )
        .await
        .map_err(err)?;
    }
    tx.commit().await.map_err(err)?;
    Ok(DbOutcome::Inserted { id })
}
