//! Sign-in against a real, standards-compliant OpenID provider (npm `oidc-provider`,
//! tests/idp/server.mjs) started on loopback by each test, with the test "browser"
//! (tests/idp/browser.mjs) following the authorize URL, signing in on the provider's form and
//! letting the redirect reach the adapter's loopback listener. AWS credentials come from moto's
//! STS (tests/idp/moto_server.py, which checks web identity tokens as AWS does) and sign a real
//! S3 call.
//!
//! Needs node with tests/idp/node_modules (scripts/idp.sh installs them) and, for the AWS test,
//! the moto virtualenv (scripts/moto.sh). Without them a test prints SKIPPED, unless `CI` or
//! `RECON_IDP_TESTS` is set, where it fails.

use aws_credential_types::provider::ProvideCredentials;
use recon_api::ErrorCode;
use recon_api::identity::Identity;
use recon_auth::OidcIdentity;
use recon_auth::config::Config;
use recon_auth::oidc::Provider;
use recon_auth::secrets::{MemorySecrets, Secrets};
use recon_review::Role;
use recon_review::identity::Purpose;
use std::io::{Read, Write};
use std::net::TcpListener;
use std::process::Command;
use std::sync::Arc;

#[path = "../../../tests/support/servers.rs"]
mod servers;
use servers::{Server, root};

fn config(issuer: &str, extra: &[(&str, &str)]) -> Config {
    let mut env: Vec<(String, String)> = vec![
        ("RECON_OIDC_ISSUER".into(), issuer.into()),
        ("RECON_OIDC_CLIENT_ID".into(), "recon-workbench".into()),
        ("RECON_SIGN_IN_TIMEOUT_SECONDS".into(), "30".into()),
    ];
    env.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
    Config::from_layers(&[], &move |k| {
        env.iter().find(|(n, _)| n == k).map(|(_, v)| v.clone())
    })
    .unwrap()
}

/// The test browser as the system browser, signing in as `user`.
fn browser(user: &'static str) -> recon_auth::Opener {
    Arc::new(move |url: &str| {
        let url = url.to_string();
        let bot = root().join("tests/idp/browser.mjs");
        std::thread::spawn(move || {
            let out = Command::new("node")
                .arg(bot)
                .arg(&url)
                .args(["--user", user, "--password", &format!("{user}-pw")])
                .output()
                .unwrap();
            eprintln!(
                "browser: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        });
        Ok(())
    })
}

fn identity(cfg: &Config, secrets: &Arc<MemorySecrets>, user: &'static str) -> OidcIdentity {
    OidcIdentity::new(cfg.oidc.clone().unwrap(), Box::new(secrets.clone()))
        .unwrap()
        .with_opener(browser(user))
}

fn refresh_token(cfg: &Config, secrets: &MemorySecrets) -> Option<String> {
    let o = cfg.oidc.as_ref().unwrap();
    secrets
        .get(&recon_auth::secrets::refresh_entry(&o.issuer, &o.client_id))
        .unwrap()
}

#[test]
fn a_clerk_signs_in_in_the_system_browser_and_a_new_process_refreshes_silently() {
    let Some(idp) = Server::idp() else { return };
    let cfg = config(&idp.url, &[]);
    let secrets = Arc::new(MemorySecrets::default());
    let mut id = identity(&cfg, &secrets, "clara");
    let s = id.sign_in(Purpose::Review).unwrap();
    assert_eq!(s.principal.subject, format!("{}#clara", idp.url));
    assert_eq!(s.principal.display_name, "Clara Clerk");
    assert_eq!(s.principal.roles, vec![Role::Clerk]);
    assert_eq!(s.principal.assurance, recon_review::Assurance::Verified);
    assert_eq!(s.groups, vec!["recon-clerks"]);
    assert!(s.online && s.auth_time.is_some());
    let first = refresh_token(&cfg, &secrets).expect("the refresh token is kept in the keyring");
    assert!(id.id_token().is_some(), "the ID token stays in memory");

    // A new process: nothing in memory, the refresh token from the keyring.
    let mut again = identity(&cfg, &secrets, "clara");
    let s2 = again.session(Purpose::Review).unwrap();
    assert_eq!(s2.principal.subject, s.principal.subject);
    let second = refresh_token(&cfg, &secrets).unwrap();
    assert_ne!(
        first, second,
        "the provider rotates refresh tokens; the new one is kept"
    );
    // The rotated-away token is dead at the provider: a third process holding it must sign in.
    secrets
        .put(
            &recon_auth::secrets::refresh_entry(&idp.url, "recon-workbench"),
            &first,
        )
        .unwrap();
    let e = identity(&cfg, &secrets, "clara")
        .session(Purpose::Review)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignInRequired, "{e}");
    assert!(e.to_string().contains("your work is kept"), "{e}");
    assert_eq!(secrets.len(), 0, "a refused refresh token is forgotten");
}

#[test]
fn approval_needs_a_recent_online_sign_in_and_the_supervisor_group() {
    let Some(idp) = Server::idp() else { return };
    let cfg = config(&idp.url, &[]);
    let secrets = Arc::new(MemorySecrets::default());
    let mut sam = identity(&cfg, &secrets, "sam");
    let s = sam.sign_in(Purpose::Approve).unwrap();
    assert_eq!(s.principal.roles, vec![Role::Clerk, Role::Supervisor]);
    assert!(sam.session(Purpose::Approve).is_ok());

    // Sixteen minutes later (the same tokens, a later clock): review yes, approval no.
    let later = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 16 * 60;
    let mut sam_later = identity(&cfg, &secrets, "sam").with_clock(Arc::new(move || later));
    assert!(sam_later.session(Purpose::Review).is_ok());
    let e = sam_later.session(Purpose::Approve).unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignInRequired);
    assert!(e.to_string().contains("no older than 15 min"), "{e}");

    // Clara is verified too, but her groups give no supervisor role.
    let secrets2 = Arc::new(MemorySecrets::default());
    let clara = identity(&cfg, &secrets2, "clara")
        .sign_in(Purpose::Approve)
        .unwrap();
    assert!(!clara.principal.has(Role::Supervisor));
}

#[test]
fn a_person_in_no_mapped_group_gets_nothing_stored() {
    let Some(idp) = Server::idp() else { return };
    let cfg = config(&idp.url, &[]);
    let secrets = Arc::new(MemorySecrets::default());
    let e = identity(&cfg, &secrets, "nora")
        .sign_in(Purpose::Review)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::NotAllowed);
    let text = e.to_string();
    assert!(text.contains("Nora Nogroup"), "{text}");
    assert!(text.contains("recon-clerks (clerk)"), "{text}");
    assert!(text.contains("recon-supervisors (supervisor)"), "{text}");
    assert_eq!(secrets.len(), 0);
}

#[test]
fn offline_the_last_verification_stands_for_the_grace_window_and_never_for_approval() {
    let Some(idp) = Server::idp() else { return };
    let cfg = config(&idp.url, &[("RECON_OFFLINE_GRACE_HOURS", "12")]);
    let secrets = Arc::new(MemorySecrets::default());
    identity(&cfg, &secrets, "clara")
        .sign_in(Purpose::Review)
        .unwrap();
    drop(idp); // the provider is gone (process killed): the laptop is offline

    let s = identity(&cfg, &secrets, "clara")
        .session(Purpose::Review)
        .unwrap();
    assert!(!s.online);
    assert_eq!(s.principal.display_name, "Clara Clerk");
    let e = identity(&cfg, &secrets, "clara")
        .session(Purpose::Approve)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignInRequired);
    assert!(
        e.to_string()
            .contains("approval needs the identity provider online"),
        "{e}"
    );

    let much_later = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
        + 13 * 3600;
    let e = identity(&cfg, &secrets, "clara")
        .with_clock(Arc::new(move || much_later))
        .session(Purpose::Review)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignInRequired);
    assert!(
        e.to_string().contains("past the offline grace of 12 h"),
        "{e}"
    );
}

#[test]
fn sign_out_revokes_the_refresh_token_at_the_provider() {
    let Some(idp) = Server::idp() else { return };
    let cfg = config(&idp.url, &[]);
    let secrets = Arc::new(MemorySecrets::default());
    let mut id = identity(&cfg, &secrets, "clara");
    id.sign_in(Purpose::Review).unwrap();
    let rt = refresh_token(&cfg, &secrets).unwrap();
    let report = id.sign_out().unwrap();
    assert!(report.revoked, "{report:?}");
    let end = report.end_session_url.expect("end-session URL");
    assert!(end.contains("id_token_hint="), "{end}");
    assert_eq!(secrets.len(), 0);
    // Put the revoked token back: the provider refuses it.
    secrets
        .put(
            &recon_auth::secrets::refresh_entry(&idp.url, "recon-workbench"),
            &rt,
        )
        .unwrap();
    let e = identity(&cfg, &secrets, "clara")
        .session(Purpose::Review)
        .unwrap_err();
    assert_eq!(e.code(), ErrorCode::SignInRequired, "{e}");
}

#[test]
fn the_device_grant_signs_in_a_machine_without_a_browser() {
    let Some(idp) = Server::idp() else { return };
    let cfg = config(&idp.url, &[]);
    let secrets = Arc::new(MemorySecrets::default());
    let mut id = identity(&cfg, &secrets, "sam");
    let bot = root().join("tests/idp/browser.mjs");
    let s = id
        .sign_in_device(&mut |p| {
            let uri = p.verification_uri_complete.clone().unwrap();
            let bot = bot.clone();
            std::thread::spawn(move || {
                Command::new("node")
                    .arg(bot)
                    .args(["--device", &uri, "--user", "sam", "--password", "sam-pw"])
                    .status()
                    .unwrap()
            });
        })
        .unwrap();
    assert!(s.principal.has(Role::Supervisor));
    assert!(refresh_token(&cfg, &secrets).is_some());
}

/// A listener standing in for the app's loopback redirect that only captures the code.
fn capture_code(provider: &Provider, user: &str) -> (recon_auth::oidc::Authorization, String) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let redirect = format!(
        "http://127.0.0.1:{}/callback",
        listener.local_addr().unwrap().port()
    );
    let auth = provider.authorization(&redirect, None).unwrap();
    let url = auth.url.clone();
    let user = user.to_string();
    let bot = root().join("tests/idp/browser.mjs");
    std::thread::spawn(move || {
        Command::new("node")
            .arg(bot)
            .arg(&url)
            .args(["--user", &user, "--password", &format!("{user}-pw")])
            .output()
            .unwrap()
    });
    let (mut stream, _) = listener.accept().unwrap();
    let mut head = [0u8; 4096];
    let n = stream.read(&mut head).unwrap();
    let line = String::from_utf8_lossy(&head[..n])
        .lines()
        .next()
        .unwrap()
        .to_string();
    let _ = stream.write_all(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
    let target = line.split(' ').nth(1).unwrap();
    let parsed = url::Url::parse(&format!("http://127.0.0.1{target}")).unwrap();
    let params: std::collections::HashMap<String, String> =
        parsed.query_pairs().into_owned().collect();
    let code = provider.check_callback(&auth, &params).unwrap();
    (auth, code)
}

#[test]
fn a_reused_code_and_a_wrong_pkce_verifier_are_refused_by_the_provider() {
    let Some(idp) = Server::idp() else { return };
    let cfg = config(&idp.url, &[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let mut provider = rt
        .block_on(Provider::discover(cfg.oidc.as_ref().unwrap()))
        .unwrap();
    let now = || {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64
    };
    let (auth, code) = capture_code(&provider, "clara");
    rt.block_on(provider.exchange(&auth, &code, now())).unwrap();
    let e = rt
        .block_on(provider.exchange(&auth, &code, now()))
        .err()
        .expect("a reused code is refused");
    assert!(e.to_string().contains("invalid_grant"), "{e}");

    let (_, code2) = capture_code(&provider, "clara");
    let (other, _) = capture_code(&provider, "clara");
    let e = rt
        .block_on(provider.exchange(&other, &code2, now()))
        .err()
        .expect("a code with another request's PKCE verifier is refused");
    assert!(e.to_string().contains("invalid_grant"), "{e}");
}

#[test]
fn a_redirect_off_the_loopback_interface_is_refused() {
    let Some(idp) = Server::idp() else { return };
    let cfg = config(&idp.url, &[]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let provider = rt
        .block_on(Provider::discover(cfg.oidc.as_ref().unwrap()))
        .unwrap();
    // The adapter never sends one...
    let e = provider
        .authorization("https://evil.example/callback", None)
        .err()
        .unwrap();
    assert!(e.to_string().contains("not a loopback address"), "{e}");
    // ...and the provider refuses one for this client: the browser ends on its error page.
    let good = provider
        .authorization("http://127.0.0.1:9/callback", None)
        .unwrap();
    let evil = good.url.replace(
        "redirect_uri=http%3A%2F%2F127.0.0.1%3A9%2Fcallback",
        "redirect_uri=https%3A%2F%2Fevil.example%2Fcallback",
    );
    assert_ne!(evil, good.url);
    let out = Command::new("node")
        .arg(root().join("tests/idp/browser.mjs"))
        .arg(&evil)
        .output()
        .unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
}

#[tokio::test(flavor = "multi_thread")]
async fn aws_credentials_from_the_sign_in_sign_a_real_s3_call() {
    let Some(idp) = Server::idp() else { return };
    let Some(moto) = Server::moto(&idp.url) else {
        return;
    };
    let cfg = config(
        &idp.url,
        &[
            (
                "RECON_AWS_CLERK_ROLE_ARN",
                "arn:aws:iam::123456789012:role/recon-clerk",
            ),
            (
                "RECON_AWS_SUPERVISOR_ROLE_ARN",
                "arn:aws:iam::123456789012:role/recon-supervisor",
            ),
            ("RECON_AWS_REGION", "us-east-1"),
            ("RECON_AWS_ENDPOINT_URL", &moto.url),
        ],
    );
    let secrets = Arc::new(MemorySecrets::default());
    let (id, session) = tokio::task::spawn_blocking({
        let cfg = cfg.clone();
        move || {
            let mut id = identity(&cfg, &secrets, "sam");
            let s = id.sign_in(Purpose::Review).unwrap();
            (id, s)
        }
    })
    .await
    .unwrap();
    let sdk = recon_auth::aws::sdk_config(&cfg.aws, &session.principal, id.id_token_cell()).await;
    let creds = sdk
        .credentials_provider()
        .unwrap()
        .provide_credentials()
        .await
        .unwrap();
    assert!(creds.session_token().is_some(), "temporary STS credentials");
    assert!(creds.expiry().is_some());
    let s3 = aws_sdk_s3::Client::from_conf(
        aws_sdk_s3::config::Builder::from(&sdk)
            .force_path_style(true)
            .build(),
    );
    s3.create_bucket()
        .bucket("recon-signin-test")
        .send()
        .await
        .unwrap();
    s3.put_object()
        .bucket("recon-signin-test")
        .key("hello.txt")
        .body(aws_sdk_s3::primitives::ByteStream::from_static(b"hi"))
        .send()
        .await
        .unwrap();
    let listed = s3
        .list_objects_v2()
        .bucket("recon-signin-test")
        .send()
        .await
        .unwrap();
    assert_eq!(listed.contents().len(), 1);

    // Without a signed-in ID token there are no credentials.
    let nobody = recon_auth::aws::sdk_config(
        &cfg.aws,
        &session.principal,
        Arc::new(std::sync::Mutex::new(None)),
    )
    .await;
    assert!(
        nobody
            .credentials_provider()
            .unwrap()
            .provide_credentials()
            .await
            .is_err()
    );
    drop(moto);
}
