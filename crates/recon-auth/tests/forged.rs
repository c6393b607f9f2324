//! The ID token negative matrix: a forged provider on loopback (discovery, JWKS, a token
//! endpoint that answers with a crafted ID token) and the whole sign-in path of `OidcIdentity`
//! (loopback redirect, code exchange, validation, storage). Each forgery must be refused with
//! its own error and leave nothing stored. The provider here is a test double for the token's
//! contents only; the real protocol is tested against a real provider in `idp.rs`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD as B64;
use openidconnect::core::{CoreJwsSigningAlgorithm, CoreRsaPrivateSigningKey};
use openidconnect::{JsonWebKeyId, PrivateSigningKey};
use recon_api::ErrorCode;
use recon_api::identity::Identity;
use recon_auth::OidcIdentity;
use recon_auth::config::Config;
use recon_auth::secrets::MemorySecrets;
use recon_review::identity::Purpose;
use serde_json::{Value, json};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

const CLIENT: &str = "recon-workbench";

fn key(n: u8, kid: &str) -> CoreRsaPrivateSigningKey {
    let path = format!("{}/tests/data/key{n}.pem", env!("CARGO_MANIFEST_DIR"));
    let pem = std::fs::read_to_string(path).unwrap();
    CoreRsaPrivateSigningKey::from_pem(&pem, Some(JsonWebKeyId::new(kid.into()))).unwrap()
}

fn jwks(keys: &[&CoreRsaPrivateSigningKey]) -> String {
    json!({"keys": keys.iter().map(|k| serde_json::to_value(k.as_verification_key()).unwrap()).collect::<Vec<_>>()}).to_string()
}

fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .as_secs() as i64
}

/// The forged provider: the n-th JWKS fetch gets `jwks[min(n, len-1)]`; the token endpoint
/// answers with what `token` makes of the nonce it was given.
struct Forged {
    issuer: String,
    jwks_fetches: Arc<Mutex<usize>>,
}

type MakeToken = Arc<dyn Fn(&str) -> String + Send + Sync>;

impl Forged {
    fn start(jwks: Vec<String>, token: MakeToken, nonce: Arc<Mutex<String>>) -> Forged {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let issuer = format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port());
        let fetches = Arc::new(Mutex::new(0usize));
        let (iss, count) = (issuer.clone(), fetches.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (iss, jwks, count, token, nonce) = (
                    iss.clone(),
                    jwks.clone(),
                    count.clone(),
                    token.clone(),
                    nonce.clone(),
                );
                std::thread::spawn(move || serve(stream, &iss, &jwks, &count, &token, &nonce));
            }
        });
        Forged {
            issuer,
            jwks_fetches: fetches,
        }
    }
}

fn serve(
    stream: TcpStream,
    iss: &str,
    jwks: &[String],
    count: &Mutex<usize>,
    token: &MakeToken,
    nonce: &Mutex<String>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    reader.read_line(&mut line).unwrap();
    let path = line.split(' ').nth(1).unwrap_or("").to_string();
    let mut length = 0;
    loop {
        let mut h = String::new();
        reader.read_line(&mut h).unwrap();
        if h.trim().is_empty() {
            break;
        }
        if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
            length = v.trim().parse().unwrap_or(0);
        }
    }
    let mut body = vec![0; length];
    reader.read_exact(&mut body).unwrap();
    let reply = if path.starts_with("/.well-known/openid-configuration") {
        json!({
            "issuer": iss,
            "authorization_endpoint": format!("{iss}/auth"),
            "token_endpoint": format!("{iss}/token"),
            "jwks_uri": format!("{iss}/jwks"),
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        })
        .to_string()
    } else if path.starts_with("/jwks") {
        let mut n = count.lock().unwrap();
        let reply = jwks[(*n).min(jwks.len() - 1)].clone();
        *n += 1;
        reply
    } else if path.starts_with("/token") {
        let id_token = token(&nonce.lock().unwrap());
        json!({"access_token": "at", "token_type": "Bearer", "expires_in": 300,
               "refresh_token": "rt", "id_token": id_token})
        .to_string()
    } else {
        "{}".into()
    };
    let mut stream = stream;
    let _ = write!(
        stream,
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{reply}",
        reply.len()
    );
}

/// A compact JWS: header and claims as given, signed with `key` (RS256) or as `sig` says.
fn jws(header: &Value, claims: &Value, sign: &dyn Fn(&[u8]) -> Vec<u8>) -> String {
    let input = format!(
        "{}.{}",
        B64.encode(header.to_string()),
        B64.encode(claims.to_string())
    );
    let sig = sign(input.as_bytes());
    format!("{input}.{}", B64.encode(sig))
}

fn rs256(k: &CoreRsaPrivateSigningKey) -> impl Fn(&[u8]) -> Vec<u8> + '_ {
    move |m| {
        k.sign(&CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256, m)
            .unwrap()
    }
}

fn good_claims(iss: &str, nonce: &str) -> Value {
    let t = now();
    json!({"iss": iss, "aud": CLIENT, "sub": "clara", "exp": t + 300, "iat": t,
           "auth_time": t, "nonce": nonce, "name": "Clara Clerk", "groups": ["recon-clerks"]})
}

/// Runs the whole sign-in against a forged provider whose token endpoint answers with
/// `make(issuer, nonce)`; returns the result and the secrets left behind.
fn sign_in_with(
    jwks_seq: Vec<String>,
    make: impl Fn(&str, &str) -> String + Send + Sync + 'static,
    tamper_state: bool,
) -> (
    Result<recon_api::identity::Session, recon_api::ApiError>,
    Arc<MemorySecrets>,
    usize,
) {
    let nonce = Arc::new(Mutex::new(String::new()));
    let issuer_cell: Arc<Mutex<String>> = Arc::new(Mutex::new(String::new()));
    let ic = issuer_cell.clone();
    let forged = Forged::start(
        jwks_seq,
        Arc::new(move |n: &str| make(&ic.lock().unwrap(), n)),
        nonce.clone(),
    );
    *issuer_cell.lock().unwrap() = forged.issuer.clone();
    let env = [
        ("RECON_OIDC_ISSUER", forged.issuer.clone()),
        ("RECON_OIDC_CLIENT_ID", CLIENT.to_string()),
        ("RECON_SIGN_IN_TIMEOUT_SECONDS", "10".to_string()),
    ];
    let config = Config::from_layers(&[], &|k| {
        env.iter().find(|(n, _)| *n == k).map(|(_, v)| v.clone())
    })
    .unwrap();
    let secrets = Arc::new(MemorySecrets::default());
    // The "browser": takes the authorize URL, remembers its nonce for the forged token, and
    // delivers a code with the request's state (or another) to the loopback redirect.
    let nonce_for_browser = nonce.clone();
    let opener = Arc::new(move |url: &str| -> Result<(), String> {
        let url = url::Url::parse(url).unwrap();
        let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
        *nonce_for_browser.lock().unwrap() = q["nonce"].clone();
        let state = if tamper_state {
            "forged-state".to_string()
        } else {
            q["state"].clone()
        };
        let redirect = url::Url::parse(&q["redirect_uri"]).unwrap();
        let target = format!("/callback?code=c0de&state={state}");
        let port = redirect.port().unwrap();
        std::thread::spawn(move || {
            let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
            write!(s, "GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n").unwrap();
            let mut sink = String::new();
            let _ = s.read_to_string(&mut sink);
        });
        Ok(())
    });
    let mut identity = OidcIdentity::new(config.oidc.unwrap(), Box::new(secrets.clone()))
        .unwrap()
        .with_opener(opener);
    let result = identity.sign_in(Purpose::Review);
    let fetches = *forged.jwks_fetches.lock().unwrap();
    (result, secrets, fetches)
}

fn assert_refused(
    (result, secrets, _): &(
        Result<recon_api::identity::Session, recon_api::ApiError>,
        Arc<MemorySecrets>,
        usize,
    ),
    code: ErrorCode,
    fragment: &str,
) {
    let e = result.as_ref().expect_err("the forgery must be refused");
    let text = e.to_string();
    eprintln!("refused: {text}");
    assert_eq!(e.code(), code, "{text}");
    assert!(text.contains(fragment), "expected {fragment:?} in: {text}");
    assert_eq!(secrets.len(), 0, "something was stored: {text}");
}

fn k1() -> CoreRsaPrivateSigningKey {
    key(1, "k1")
}

#[test]
fn a_well_formed_token_is_accepted_and_stored() {
    let r = sign_in_with(
        vec![jwks(&[&k1()])],
        |iss, n| {
            jws(
                &json!({"alg":"RS256","kid":"k1"}),
                &good_claims(iss, n),
                &rs256(&k1()),
            )
        },
        false,
    );
    let session = r.0.as_ref().unwrap();
    assert_eq!(session.principal.display_name, "Clara Clerk");
    assert!(session.principal.subject.ends_with("#clara"));
    assert_eq!(
        r.1.len(),
        2,
        "the refresh token and the verification record"
    );
}

#[test]
fn wrong_issuer() {
    let r = sign_in_with(
        vec![jwks(&[&k1()])],
        |_, n| {
            jws(
                &json!({"alg":"RS256","kid":"k1"}),
                &good_claims("https://evil.example", n),
                &rs256(&k1()),
            )
        },
        false,
    );
    assert_refused(&r, ErrorCode::SignInFailed, "issuer");
}

fn with(iss: &str, n: &str, change: impl Fn(&mut serde_json::Map<String, Value>)) -> Value {
    let mut c = good_claims(iss, n);
    change(c.as_object_mut().unwrap());
    c
}

fn signed(claims: Value) -> String {
    jws(&json!({"alg":"RS256","kid":"k1"}), &claims, &rs256(&k1()))
}

#[test]
fn wrong_audience() {
    let r = sign_in_with(
        vec![jwks(&[&k1()])],
        |iss, n| {
            signed(with(iss, n, |c| {
                drop(c.insert("aud".into(), json!("other-app")))
            }))
        },
        false,
    );
    assert_refused(&r, ErrorCode::SignInFailed, "audience");
}

#[test]
fn expired() {
    let r = sign_in_with(
        vec![jwks(&[&k1()])],
        |iss, n| {
            signed(with(iss, n, |c| {
                drop(c.insert("exp".into(), json!(now() - 600)))
            }))
        },
        false,
    );
    assert_refused(&r, ErrorCode::SignInFailed, "expired");
}

#[test]
fn issued_in_the_future() {
    let r = sign_in_with(
        vec![jwks(&[&k1()])],
        |iss, n| {
            signed(with(iss, n, |c| {
                drop(c.insert("iat".into(), json!(now() + 600)))
            }))
        },
        false,
    );
    assert_refused(&r, ErrorCode::SignInFailed, "issued in the future");
}

#[test]
fn nonce_mismatch() {
    let r = sign_in_with(
        vec![jwks(&[&k1()])],
        |iss, _| signed(good_claims(iss, "another-nonce")),
        false,
    );
    assert_refused(&r, ErrorCode::SignInFailed, "nonce");
}

#[test]
fn state_mismatch() {
    let r = sign_in_with(
        vec![jwks(&[&k1()])],
        |iss, n| signed(good_claims(iss, n)),
        true,
    );
    assert_refused(&r, ErrorCode::SignInFailed, "different `state`");
}

#[test]
fn alg_none() {
    let r = sign_in_with(
        vec![jwks(&[&k1()])],
        |iss, n| {
            let t = jws(&json!({"alg":"none"}), &good_claims(iss, n), &|_| {
                Vec::new()
            });
            t.trim_end_matches('.').to_string() + "."
        },
        false,
    );
    assert_refused(&r, ErrorCode::SignInFailed, "");
    let text = r.0.as_ref().err().unwrap().to_string();
    assert!(
        text.contains("none") || text.contains("signature"),
        "{text}"
    );
}

#[test]
fn hs256_signed_with_the_public_key() {
    use hmac::{Hmac, Mac};
    let r = sign_in_with(
        vec![jwks(&[&k1()])],
        |iss, n| {
            let public = serde_json::to_string(&k1().as_verification_key()).unwrap();
            jws(
                &json!({"alg":"HS256","kid":"k1"}),
                &good_claims(iss, n),
                &|m| {
                    let mut mac = Hmac::<sha2::Sha256>::new_from_slice(public.as_bytes()).unwrap();
                    mac.update(m);
                    mac.finalize().into_bytes().to_vec()
                },
            )
        },
        false,
    );
    assert_refused(&r, ErrorCode::SignInFailed, "HS256");
}

#[test]
fn unknown_kid_is_fetched_once_more_then_refused() {
    let k2 = key(2, "k2");
    let r = sign_in_with(
        vec![jwks(&[&k1()])],
        move |iss, n| {
            jws(
                &json!({"alg":"RS256","kid":"k2"}),
                &good_claims(iss, n),
                &rs256(&k2),
            )
        },
        false,
    );
    assert_refused(&r, ErrorCode::SignInFailed, "");
    assert_eq!(r.2, 2, "discovery's JWKS fetch and exactly one more");
}

#[test]
fn a_rotated_key_is_found_by_the_second_jwks_fetch() {
    let k2 = key(2, "k2");
    let r = sign_in_with(
        vec![jwks(&[&k1()]), jwks(&[&k1(), &key(2, "k2")])],
        move |iss, n| {
            jws(
                &json!({"alg":"RS256","kid":"k2"}),
                &good_claims(iss, n),
                &rs256(&k2),
            )
        },
        false,
    );
    assert!(r.0.is_ok(), "{:?}", r.0.err());
    assert_eq!(r.2, 2);
}

#[test]
fn tampered_signature() {
    let r = sign_in_with(
        vec![jwks(&[&k1()])],
        |iss, n| {
            let t = signed(good_claims(iss, n));
            // Claims changed after signing: the signature no longer covers them.
            let parts: Vec<&str> = t.split('.').collect();
            let mut claims = good_claims(iss, n);
            claims["groups"] = json!(["recon-supervisors"]);
            format!(
                "{}.{}.{}",
                parts[0],
                B64.encode(claims.to_string()),
                parts[2]
            )
        },
        false,
    );
    assert_refused(&r, ErrorCode::SignInFailed, "signature");
}

#[test]
fn missing_sub() {
    let r = sign_in_with(
        vec![jwks(&[&k1()])],
        |iss, n| signed(with(iss, n, |c| drop(c.remove("sub")))),
        false,
    );
    assert_refused(&r, ErrorCode::SignInFailed, "sub");
}

#[test]
fn several_audiences_need_azp_naming_this_client() {
    let r = sign_in_with(
        vec![jwks(&[&k1()])],
        |iss, n| {
            signed(with(iss, n, |c| {
                c.insert("aud".into(), json!([CLIENT, "other-app"]));
            }))
        },
        false,
    );
    assert_refused(&r, ErrorCode::SignInFailed, "audience");
}
