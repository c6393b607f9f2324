//! The statement inbox's S3 adapter: recon-api's [`StatementSource`] port over `aws-sdk-s3`.
//!
//! Configuration is the standard AWS chain (profiles, IAM Identity Center, environment,
//! `AWS_ENDPOINT_URL`, region), or, when roles are configured, STS web-identity credentials from
//! the sign-in (`recon_auth::aws`). With an endpoint other than AWS's, requests use path-style
//! addressing (S3-compatible stores and moto want it).
//!
//! Every call runs on this adapter's own multi-thread tokio runtime and hands its result back over
//! a channel, so callers on any thread, inside another runtime or not, wait safely. Limits: a
//! listing stops at the caller's maximum; a download makes at most `max_requests` requests
//! (resuming with `Range: bytes=N-` pinned to the ETag and version id after a cut or a stall);
//! a stall is no byte for `stall` seconds; the SDK's standard retry (with backoff) handles
//! throttling and transient errors within each request.

use aws_config::SdkConfig;
use aws_sdk_s3::Client;
use aws_sdk_s3::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_s3::types::{ChecksumMode, ChecksumType};
use base64::Engine;
use recon_api::ApiError;
use recon_api::inbox::{
    Fetched, InboxError, Location, ObjectChecksum, RemoteObject, SourceError, StatementSource,
};
use recon_api::publish::{Archive, PublishError, PublishErrorCode, Put};
use recon_auth::IdTokenCell;
use recon_auth::config::AwsConfig;
use recon_review::Principal;
use std::future::Future;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::time::Duration;

/// How the adapter bounds its work.
#[derive(Clone, Debug)]
pub struct S3Options {
    /// No byte for this long is a stall: the request is abandoned and resumed.
    pub stall: Duration,
    /// Requests per download, first one included (cuts and stalls each cost one).
    pub max_requests: u32,
    /// Attempts per request in the SDK's standard retry (throttling, 5xx, timeouts).
    pub sdk_attempts: u32,
}

impl Default for S3Options {
    fn default() -> S3Options {
        S3Options {
            stall: Duration::from_secs(30),
            max_requests: 8,
            sdk_attempts: 4,
        }
    }
}

enum Credentials {
    /// Web identity from the sign-in when roles are configured, else the standard chain.
    SignedIn(Option<(Principal, IdTokenCell)>),
    Keys(aws_sdk_s3::config::Credentials),
}

/// The S3 statement source.
pub struct S3Source {
    runtime: OwnRuntime,
    client: Client,
    describe: String,
    options: S3Options,
}

impl std::fmt::Debug for S3Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Source")
            .field("describe", &self.describe)
            .finish()
    }
}

/// The adapter's runtime, shut down in the background when dropped: dropping a runtime blocks,
/// which panics on a thread of another runtime (the desktop app drops the source at sign-out,
/// from one of Tauri's async command threads).
struct OwnRuntime(Option<tokio::runtime::Runtime>);

impl OwnRuntime {
    fn get(&self) -> &tokio::runtime::Runtime {
        self.0.as_ref().expect("present until dropped")
    }
}

impl Drop for OwnRuntime {
    fn drop(&mut self) {
        if let Some(rt) = self.0.take() {
            rt.shutdown_background();
        }
    }
}

/// Runs `future` on `runtime` and waits for it on this thread (never `block_on`, so a caller
/// inside another runtime is fine).
fn run<T: Send + 'static>(
    runtime: &tokio::runtime::Runtime,
    future: impl Future<Output = T> + Send + 'static,
) -> Option<T> {
    let (tx, rx) = mpsc::channel();
    runtime.spawn(async move {
        let _ = tx.send(future.await);
    });
    rx.recv().ok()
}

impl S3Source {
    /// An S3 source from the AWS settings: with `signed_in`, STS web-identity credentials for the
    /// principal's role when one is configured; otherwise (and without roles) the standard chain.
    pub fn new(
        aws: &AwsConfig,
        signed_in: Option<(Principal, IdTokenCell)>,
        options: S3Options,
    ) -> Result<S3Source, ApiError> {
        S3Source::build(aws, Credentials::SignedIn(signed_in), options)
    }

    /// An S3 source signing with the given keys (tests against a local store, or a process handed
    /// keys explicitly); endpoint and region from `aws`.
    pub fn with_keys(
        aws: &AwsConfig,
        access_key_id: &str,
        secret_access_key: &str,
        options: S3Options,
    ) -> Result<S3Source, ApiError> {
        let keys = aws_sdk_s3::config::Credentials::new(
            access_key_id,
            secret_access_key,
            None,
            None,
            "recon-static-keys",
        );
        S3Source::build(aws, Credentials::Keys(keys), options)
    }

    /// An S3 source for an S3-compatible server at `endpoint` (us-east-1) signing with the given
    /// keys: local servers in tests and benches.
    pub fn at_endpoint(
        endpoint: &str,
        access_key_id: &str,
        secret_access_key: &str,
        options: S3Options,
    ) -> Result<S3Source, ApiError> {
        let aws = AwsConfig {
            clerk_role_arn: None,
            supervisor_role_arn: None,
            session_duration_seconds: 3600,
            region: Some("us-east-1".into()),
            endpoint_url: Some(endpoint.to_string()),
        };
        S3Source::with_keys(&aws, access_key_id, secret_access_key, options)
    }

    fn build(
        aws: &AwsConfig,
        credentials: Credentials,
        options: S3Options,
    ) -> Result<S3Source, ApiError> {
        let unusable = |m: String| ApiError::Identity {
            code: recon_api::ErrorCode::ConfigInvalid,
            message: m,
        };
        let runtime = OwnRuntime(Some(
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .thread_name("recon-s3")
                .enable_all()
                .build()
                .map_err(|e| unusable(format!("cannot start the S3 adapter's runtime: {e}")))?,
        ));
        let aws = aws.clone();
        let sdk: SdkConfig = run(runtime.get(), async move {
            let loader = || recon_auth::aws::config_loader(&aws);
            match credentials {
                Credentials::SignedIn(Some((principal, token))) => {
                    recon_auth::aws::sdk_config(&aws, &principal, token).await
                }
                Credentials::SignedIn(None) => loader().load().await,
                Credentials::Keys(keys) => loader().credentials_provider(keys).load().await,
            }
        })
        .ok_or_else(|| unusable("the AWS configuration could not be loaded".into()))?;
        Ok(S3Source::from_sdk_config(runtime, &sdk, options))
    }

    fn from_sdk_config(runtime: OwnRuntime, sdk: &SdkConfig, options: S3Options) -> S3Source {
        let endpoint = sdk.endpoint_url().map(str::to_string);
        let region = sdk
            .region()
            .map(|r| r.to_string())
            .unwrap_or_else(|| "no region".into());
        let config = aws_sdk_s3::config::Builder::from(sdk)
            .force_path_style(endpoint.is_some())
            .retry_config(
                aws_config::retry::RetryConfig::standard()
                    .with_max_attempts(options.sdk_attempts.max(1)),
            )
            .timeout_config(
                aws_config::timeout::TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(10))
                    .build(),
            )
            .build();
        let describe = format!("S3 at {} ({region})", endpoint.as_deref().unwrap_or("AWS"));
        S3Source {
            runtime,
            client: Client::from_conf(config),
            describe,
            options,
        }
    }
}

fn strip_quotes(etag: &str) -> String {
    etag.trim_matches('"').to_string()
}

/// An SDK error as an inbox error: the S3 error code or HTTP status decides.
fn classify<E>(what: &str, e: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> SourceError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
{
    let status = e.raw_response().map(|r| r.status().as_u16());
    let code = e.code();
    // A service error in one line (code, message, status); other failures with their causes.
    let text = match (e, code) {
        (SdkError::ServiceError(_), Some(code)) => format!(
            "{code}: {} (HTTP {})",
            e.message().unwrap_or("no message"),
            status.unwrap_or(0)
        ),
        (SdkError::ServiceError(_), None) => format!("HTTP {}", status.unwrap_or(0)),
        _ => DisplayErrorContext(e).to_string(),
    };
    let creds = |t: &str| {
        let t = t.to_ascii_lowercase();
        t.contains("credential") || t.contains("sts ") || t.contains("not signed in")
    };
    let kind = match (code, status) {
        (
            Some(
                "ExpiredToken"
                | "InvalidToken"
                | "TokenRefreshRequired"
                | "InvalidAccessKeyId"
                | "SignatureDoesNotMatch",
            ),
            _,
        ) => InboxError::CredentialsExpired,
        (Some("AccessDenied" | "AllAccessDisabled"), _) | (None, Some(403)) => {
            InboxError::AccessDenied
        }
        (Some("NoSuchBucket"), _) => InboxError::NoSuchBucket,
        (Some("NoSuchKey" | "NotFound" | "NoSuchVersion"), _) | (None, Some(404)) => {
            InboxError::NotFound
        }
        (Some("PreconditionFailed"), _) | (_, Some(412)) => InboxError::Changed,
        (Some("SlowDown" | "Throttling" | "ThrottlingException" | "RequestLimitExceeded"), _)
        | (_, Some(429 | 503)) => InboxError::Throttled,
        (_, Some(500..=599)) => InboxError::Unreachable,
        _ => match e {
            SdkError::TimeoutError(_)
            | SdkError::DispatchFailure(_)
            | SdkError::ResponseError(_)
                if !creds(&text) =>
            {
                InboxError::Unreachable
            }
            _ if creds(&text) => InboxError::CredentialsExpired,
            _ => InboxError::Failed,
        },
    };
    let hint = match kind {
        InboxError::AccessDenied => " (the signed-in role may not read it: IAM or bucket policy)",
        InboxError::CredentialsExpired => " (sign in again: AWS credentials come from the sign-in)",
        InboxError::NoSuchBucket => " (check inbox.statements / inbox.ledger in the configuration)",
        _ => "",
    };
    SourceError::new(kind, format!("{what}: {text}{hint}"))
}

fn remote_object(
    bucket: &str,
    key: &str,
    etag: Option<&str>,
    size: Option<i64>,
    last_modified: Option<&aws_sdk_s3::primitives::DateTime>,
) -> RemoteObject {
    RemoteObject {
        bucket: bucket.to_string(),
        key: key.to_string(),
        etag: etag.map(strip_quotes).unwrap_or_default(),
        size_bytes: size.and_then(|s| u64::try_from(s).ok()).unwrap_or(0),
        last_modified: last_modified.map(|t| t.secs()),
        version_id: None,
        checksum: None,
    }
}

async fn list(
    client: Client,
    location: Location,
    max_objects: usize,
) -> Result<Vec<RemoteObject>, SourceError> {
    let mut out = Vec::new();
    let mut token: Option<String> = None;
    loop {
        let page = client
            .list_objects_v2()
            .bucket(&location.bucket)
            .prefix(&location.prefix)
            .set_continuation_token(token.take())
            .send()
            .await
            .map_err(|e| classify(&format!("listing {}", location.uri()), &e))?;
        for o in page.contents() {
            let Some(key) = o.key() else { continue };
            if key.ends_with('/') {
                continue; // a "folder" marker
            }
            if out.len() >= max_objects {
                return Err(SourceError::new(
                    InboxError::Failed,
                    format!(
                        "listing {}: more than {max_objects} objects; narrow the prefix (inbox.statements / inbox.ledger with {{yyyy}}/{{mm}})",
                        location.uri()
                    ),
                ));
            }
            out.push(remote_object(
                &location.bucket,
                key,
                o.e_tag(),
                o.size(),
                o.last_modified(),
            ));
        }
        match page.next_continuation_token() {
            Some(t) if page.is_truncated() == Some(true) => token = Some(t.to_string()),
            _ => break,
        }
    }
    Ok(out)
}

async fn head(client: Client, bucket: String, key: String) -> Result<RemoteObject, SourceError> {
    let out = client
        .head_object()
        .bucket(&bucket)
        .key(&key)
        .checksum_mode(ChecksumMode::Enabled)
        .send()
        .await
        .map_err(|e| classify(&format!("s3://{bucket}/{key}"), &e))?;
    let mut object = remote_object(
        &bucket,
        &key,
        out.e_tag(),
        out.content_length(),
        out.last_modified(),
    );
    object.version_id = out
        .version_id()
        .filter(|v| *v != "null")
        .map(str::to_string);
    let composite = out.checksum_type() == Some(&ChecksumType::Composite);
    object.checksum = [
        ("sha256", out.checksum_sha256()),
        ("crc64nvme", out.checksum_crc64_nvme()),
        ("crc32c", out.checksum_crc32_c()),
        ("crc32", out.checksum_crc32()),
        ("sha1", out.checksum_sha1()),
    ]
    .into_iter()
    .find_map(|(algorithm, value)| {
        value.map(|v| ObjectChecksum {
            algorithm: algorithm.to_string(),
            base64: v.to_string(),
            // A multipart upload's checksum of part checksums ends in "-<parts>".
            full_object: !composite && !v.contains('-'),
        })
    });
    Ok(object)
}

enum Event {
    Bytes(u64),
    Done(Result<(u64, u32), SourceError>),
}

async fn download(
    client: Client,
    object: RemoteObject,
    part: PathBuf,
    options: S3Options,
    events: mpsc::Sender<Event>,
) -> Result<(u64, u32), SourceError> {
    use tokio::io::AsyncWriteExt;
    let uri = object.uri();
    let io = |what: &str, e: std::io::Error| {
        SourceError::new(
            InboxError::Failed,
            format!("{uri}: {what} {}: {e}", part.display()),
        )
    };
    let size = object.size_bytes;
    let mut have = tokio::fs::metadata(&part)
        .await
        .map(|m| m.len())
        .unwrap_or(0);
    let mut file = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&part)
        .await
        .map_err(|e| io("cannot open", e))?;
    if have > size {
        file.set_len(0)
            .await
            .map_err(|e| io("cannot truncate", e))?;
        have = 0;
    }
    let resumed = have;
    let _ = events.send(Event::Bytes(have));
    let mut requests = 0u32;
    let mut last_error = String::new();
    while have < size {
        if requests >= options.max_requests {
            return Err(SourceError::new(
                InboxError::Interrupted,
                format!(
                    "{uri}: {have} of {size} bytes after {requests} requests; last: {last_error}. The bytes so far are kept; the next pull resumes"
                ),
            ));
        }
        if requests > 0 {
            let backoff =
                Duration::from_millis(200u64 << requests.min(5)).min(Duration::from_secs(5));
            tokio::time::sleep(backoff).await;
        }
        requests += 1;
        let mut request = client
            .get_object()
            .bucket(&object.bucket)
            .key(&object.key)
            .if_match(format!("\"{}\"", object.etag))
            .set_version_id(object.version_id.clone());
        if have > 0 {
            request = request.range(format!("bytes={have}-"));
        }
        let answer = match tokio::time::timeout(options.stall, request.send()).await {
            Err(_) => {
                last_error = format!("no answer within {} s", options.stall.as_secs());
                continue;
            }
            Ok(Err(e)) => {
                let e = classify(&uri, &e);
                match e.code {
                    InboxError::Unreachable | InboxError::Throttled => {
                        last_error = e.message;
                        continue;
                    }
                    _ => return Err(e),
                }
            }
            Ok(Ok(answer)) => answer,
        };
        if have > 0 && answer.content_range().is_none() {
            // The whole object came back instead of the range: start again.
            file.set_len(0)
                .await
                .map_err(|e| io("cannot truncate", e))?;
            have = 0;
        }
        let mut body = answer.body;
        loop {
            match tokio::time::timeout(options.stall, body.next()).await {
                Err(_) => {
                    last_error = format!(
                        "stalled at {have} bytes (nothing for {} s)",
                        options.stall.as_secs()
                    );
                    break;
                }
                Ok(None) => break,
                Ok(Some(Err(e))) => {
                    last_error = format!("cut at {have} bytes: {e}");
                    break;
                }
                Ok(Some(Ok(bytes))) => {
                    file.write_all(&bytes)
                        .await
                        .map_err(|e| io("cannot write", e))?;
                    have += bytes.len() as u64;
                    let _ = events.send(Event::Bytes(have));
                }
            }
        }
        file.flush().await.map_err(|e| io("cannot write", e))?;
        if have > size {
            break; // verification says what is wrong
        }
    }
    file.sync_data().await.map_err(|e| io("cannot sync", e))?;
    Ok((resumed, requests))
}

/// Checks a downloaded file against the object: its full-object checksum when the store keeps
/// one, else the ETag of a single-part upload (the MD5 of the bytes), else its size only.
/// Returns what vouched for the bytes.
pub fn verify_file(path: &Path, object: &RemoteObject) -> Result<String, SourceError> {
    let uri = object.uri();
    let mut file = std::fs::File::open(path).map_err(|e| {
        SourceError::new(
            InboxError::Failed,
            format!("{uri}: {}: {e}", path.display()),
        )
    })?;
    let checksum = object.checksum.as_ref().filter(|c| c.full_object);
    let mut sum = checksum.and_then(|c| {
        c.algorithm
            .parse::<aws_smithy_checksums::ChecksumAlgorithm>()
            .ok()
            .map(|a| a.into_impl())
    });
    let etag_md5 = object.etag.len() == 32 && object.etag.bytes().all(|b| b.is_ascii_hexdigit());
    let mut md5 = <md5::Md5 as md5::Digest>::new();
    let mut size = 0u64;
    let mut buf = vec![0u8; 1 << 20];
    loop {
        let n = file.read(&mut buf).map_err(|e| {
            SourceError::new(
                InboxError::Failed,
                format!("{uri}: {}: {e}", path.display()),
            )
        })?;
        if n == 0 {
            break;
        }
        size += n as u64;
        match sum.as_mut() {
            Some(s) => s.update(&buf[..n]),
            None if etag_md5 => md5::Digest::update(&mut md5, &buf[..n]),
            None => {}
        }
    }
    let mismatch = |what: String| {
        SourceError::new(
            InboxError::ChecksumMismatch,
            format!("{uri}: {what}; nothing imported, the next pull fetches it again"),
        )
    };
    if size != object.size_bytes {
        return Err(mismatch(format!(
            "{size} bytes fetched, the object has {}",
            object.size_bytes
        )));
    }
    if let (Some(c), Some(s)) = (checksum, sum) {
        let got = base64::engine::general_purpose::STANDARD.encode(s.finalize());
        return if got == c.base64 {
            Ok(format!("{} checksum", c.algorithm))
        } else {
            Err(mismatch(format!(
                "the bytes' {} is {got}, the object's checksum says {}",
                c.algorithm, c.base64
            )))
        };
    }
    if etag_md5 {
        let got = hex::encode(md5::Digest::finalize(md5));
        return if got.eq_ignore_ascii_case(&object.etag) {
            Ok("etag md5".into())
        } else {
            Err(mismatch(format!(
                "the bytes' MD5 is {got}, the ETag of the single-part upload says {}",
                object.etag
            )))
        };
    }
    Ok("size only".into())
}

impl StatementSource for S3Source {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn list(
        &mut self,
        location: &Location,
        max_objects: usize,
    ) -> Result<Vec<RemoteObject>, SourceError> {
        run(
            self.runtime.get(),
            list(self.client.clone(), location.clone(), max_objects),
        )
        .unwrap_or_else(|| {
            Err(SourceError::new(
                InboxError::Failed,
                "the S3 adapter stopped",
            ))
        })
    }

    fn head(&mut self, bucket: &str, key: &str) -> Result<RemoteObject, SourceError> {
        run(
            self.runtime.get(),
            head(self.client.clone(), bucket.to_string(), key.to_string()),
        )
        .unwrap_or_else(|| {
            Err(SourceError::new(
                InboxError::Failed,
                "the S3 adapter stopped",
            ))
        })
    }

    fn fetch(
        &mut self,
        object: &RemoteObject,
        part: &Path,
        progress: &mut dyn FnMut(u64),
    ) -> Result<Fetched, SourceError> {
        let (tx, rx) = mpsc::channel();
        let done = tx.clone();
        let future = download(
            self.client.clone(),
            object.clone(),
            part.to_path_buf(),
            self.options.clone(),
            tx,
        );
        self.runtime.get().spawn(async move {
            let _ = done.send(Event::Done(future.await));
        });
        let (resumed, requests) = loop {
            match rx.recv() {
                Ok(Event::Bytes(n)) => progress(n),
                Ok(Event::Done(result)) => break result?,
                Err(_) => {
                    return Err(SourceError::new(
                        InboxError::Failed,
                        "the S3 adapter stopped",
                    ));
                }
            }
        };
        match verify_file(part, object) {
            Ok(verified_by) => Ok(Fetched {
                verified_by,
                resumed_from_bytes: resumed,
                requests,
            }),
            Err(e) => {
                let _ = std::fs::remove_file(part);
                Err(e)
            }
        }
    }
}

/// An inbox-classified error as a publishing one.
fn publish_error(e: SourceError) -> PublishError {
    let code = match e.code {
        InboxError::AccessDenied => PublishErrorCode::AccessDenied,
        InboxError::CredentialsExpired => PublishErrorCode::CredentialsExpired,
        InboxError::NoSuchBucket => PublishErrorCode::NotConfigured,
        InboxError::Unreachable | InboxError::Throttled | InboxError::Interrupted => {
            PublishErrorCode::Unreachable
        }
        _ => PublishErrorCode::Failed,
    };
    let message = if e.code == InboxError::NoSuchBucket {
        format!("{} (check publish.archive in the configuration)", e.message)
    } else {
        e.message
    };
    PublishError::new(code, message)
}

fn hex_of_base64(b64: &str) -> Option<String> {
    base64::engine::general_purpose::STANDARD
        .decode(b64)
        .ok()
        .map(hex::encode)
}

async fn put_new(
    client: Client,
    bucket: String,
    key: String,
    file: PathBuf,
    sha256_hex: String,
) -> Result<Put, PublishError> {
    let uri = format!("s3://{bucket}/{key}");
    let digest = hex::decode(&sha256_hex).map_err(|_| {
        PublishError::new(
            PublishErrorCode::Failed,
            format!("{uri}: {sha256_hex:?} is not a SHA-256"),
        )
    })?;
    let body = aws_sdk_s3::primitives::ByteStream::from_path(&file)
        .await
        .map_err(|e| {
            PublishError::new(
                PublishErrorCode::Failed,
                format!("{}: cannot read: {e}", file.display()),
            )
        })?;
    let sent = client
        .put_object()
        .bucket(&bucket)
        .key(&key)
        .if_none_match("*")
        .checksum_sha256(base64::engine::general_purpose::STANDARD.encode(digest))
        .body(body)
        .send()
        .await;
    match sent {
        Ok(_) => Ok(Put::Created),
        Err(e) => {
            let status = e.raw_response().map(|r| r.status().as_u16());
            if e.code() == Some("PreconditionFailed") || status == Some(412) {
                let there = client
                    .head_object()
                    .bucket(&bucket)
                    .key(&key)
                    .checksum_mode(ChecksumMode::Enabled)
                    .send()
                    .await
                    .map_err(|e| publish_error(classify(&uri, &e)))?;
                let sha256_hex = there
                    .checksum_sha256()
                    .filter(|_| there.checksum_type() != Some(&ChecksumType::Composite))
                    .and_then(hex_of_base64);
                return Ok(Put::Exists { sha256_hex });
            }
            Err(publish_error(classify(&format!("{uri}: cannot write"), &e)))
        }
    }
}

async fn get_bytes(
    client: Client,
    bucket: String,
    key: String,
    max_bytes: u64,
) -> Result<Option<Vec<u8>>, PublishError> {
    let uri = format!("s3://{bucket}/{key}");
    let answer = match client.get_object().bucket(&bucket).key(&key).send().await {
        Ok(a) => a,
        Err(e) => {
            let e = classify(&uri, &e);
            if e.code == InboxError::NotFound {
                return Ok(None);
            }
            return Err(publish_error(e));
        }
    };
    if answer.content_length().unwrap_or(0) as u64 > max_bytes {
        return Err(PublishError::new(
            PublishErrorCode::Failed,
            format!("{uri}: larger than {max_bytes} bytes"),
        ));
    }
    let bytes = answer.body.collect().await.map_err(|e| {
        PublishError::new(
            PublishErrorCode::Unreachable,
            format!("{uri}: cut while reading: {e}"),
        )
    })?;
    Ok(Some(bytes.into_bytes().to_vec()))
}

impl Archive for S3Source {
    fn describe(&self) -> String {
        self.describe.clone()
    }

    fn list(
        &mut self,
        bucket: &str,
        prefix: &str,
        max_keys: usize,
    ) -> Result<Vec<(String, Option<i64>)>, PublishError> {
        let location = Location {
            kind: recon_api::inbox::ObjectKind::Statement,
            bucket: bucket.to_string(),
            prefix: prefix.to_string(),
        };
        run(
            self.runtime.get(),
            list(self.client.clone(), location, max_keys),
        )
        .unwrap_or_else(|| {
            Err(SourceError::new(
                InboxError::Failed,
                "the S3 adapter stopped",
            ))
        })
        .map(|objects| {
            objects
                .into_iter()
                .map(|o| (o.key, o.last_modified))
                .collect()
        })
        .map_err(publish_error)
    }

    fn put_new(
        &mut self,
        bucket: &str,
        key: &str,
        file: &Path,
        sha256_hex: &str,
    ) -> Result<Put, PublishError> {
        run(
            self.runtime.get(),
            put_new(
                self.client.clone(),
                bucket.to_string(),
                key.to_string(),
                file.to_path_buf(),
                sha256_hex.to_string(),
            ),
        )
        .unwrap_or_else(|| {
            Err(PublishError::new(
                PublishErrorCode::Failed,
                "the S3 adapter stopped",
            ))
        })
    }

    fn get(
        &mut self,
        bucket: &str,
        key: &str,
        max_bytes: u64,
    ) -> Result<Option<Vec<u8>>, PublishError> {
        run(
            self.runtime.get(),
            get_bytes(
                self.client.clone(),
                bucket.to_string(),
                key.to_string(),
                max_bytes,
            ),
        )
        .unwrap_or_else(|| {
            Err(PublishError::new(
                PublishErrorCode::Failed,
                "the S3 adapter stopped",
            ))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(bytes: &[u8], etag: &str, checksum: Option<(&str, String, bool)>) -> RemoteObject {
        RemoteObject {
            bucket: "b".into(),
            key: "k".into(),
            etag: etag.into(),
            size_bytes: bytes.len() as u64,
            last_modified: None,
            version_id: None,
            checksum: checksum.map(|(a, v, full)| ObjectChecksum {
                algorithm: a.into(),
                base64: v,
                full_object: full,
            }),
        }
    }

    fn written(bytes: &[u8]) -> (tempfile::TempDir, PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("f.part");
        std::fs::write(&path, bytes).unwrap();
        (dir, path)
    }

    #[test]
    fn a_source_can_be_dropped_on_a_thread_of_another_runtime() {
        // The desktop app drops the cached source at sign-out from a Tauri async command.
        let aws = AwsConfig {
            clerk_role_arn: None,
            supervisor_role_arn: None,
            session_duration_seconds: 3600,
            region: Some("us-east-1".into()),
            endpoint_url: Some("http://127.0.0.1:9".into()),
        };
        let source = S3Source::with_keys(&aws, "k", "s", S3Options::default()).unwrap();
        let outer = tokio::runtime::Runtime::new().unwrap();
        outer.block_on(async move { drop(source) });
    }

    #[test]
    fn checksums_etags_and_sizes_vouch_for_the_bytes_or_refuse_them() {
        let bytes = b"hello statement";
        let (_d, path) = written(bytes);
        let b64 = |a: &str| {
            let mut s = a
                .parse::<aws_smithy_checksums::ChecksumAlgorithm>()
                .unwrap()
                .into_impl();
            s.update(bytes);
            base64::engine::general_purpose::STANDARD.encode(s.finalize())
        };
        for a in ["sha256", "crc32", "crc32c", "crc64nvme", "sha1"] {
            let o = object(bytes, "x-1", Some((a, b64(a), true)));
            assert_eq!(verify_file(&path, &o).unwrap(), format!("{a} checksum"));
            let wrong = object(
                bytes,
                "x-1",
                Some((a, b64("sha256").replace('A', "B") + "x", true)),
            );
            let e = verify_file(&path, &wrong).unwrap_err();
            assert_eq!(e.code, InboxError::ChecksumMismatch, "{a}");
        }
        let md5 = hex::encode(md5::Digest::finalize({
            let mut m = <md5::Md5 as md5::Digest>::new();
            md5::Digest::update(&mut m, bytes);
            m
        }));
        assert_eq!(
            verify_file(&path, &object(bytes, &md5, None)).unwrap(),
            "etag md5"
        );
        let e = verify_file(&path, &object(bytes, &"0".repeat(32), None)).unwrap_err();
        assert!(e.message.contains("MD5"), "{}", e.message);
        // A multipart ETag and a composite checksum cannot vouch for the whole file.
        let composite = object(bytes, "abc-2", Some(("sha256", "xyz-2".into(), false)));
        assert_eq!(verify_file(&path, &composite).unwrap(), "size only");
        let mut short = object(bytes, "abc-2", None);
        short.size_bytes += 1;
        assert_eq!(
            verify_file(&path, &short).unwrap_err().code,
            InboxError::ChecksumMismatch
        );
    }
}
