//! The OpenID Connect protocol, with the `openidconnect` crate: discovery, the authorization code
//! flow with PKCE (S256) through the system browser and a loopback redirect, the device
//! authorization grant, refresh (rotation honoured), revocation (RFC 7009) and the end-session
//! URL. ID tokens are validated per OIDC Core 3.1.3.7 by the crate's verifier, narrowed here:
//! algorithms RS256 and ES256 only; `exp` and `iat` against this laptop's clock with a bounded
//! skew; `azp` when there are several audiences; an unknown `kid` makes one fresh JWKS fetch.

use crate::AuthError;
use crate::config::{OidcConfig, is_loopback};
use crate::loopback::Loopback;
use openidconnect::core::{
    CoreAuthDisplay, CoreAuthPrompt, CoreAuthenticationFlow, CoreClaimName, CoreClaimType,
    CoreClient, CoreClientAuthMethod, CoreDeviceAuthorizationResponse, CoreGrantType, CoreIdToken,
    CoreJsonWebKey, CoreJweContentEncryptionAlgorithm, CoreJweKeyManagementAlgorithm,
    CoreJwsSigningAlgorithm, CoreResponseMode, CoreResponseType, CoreSubjectIdentifierType,
    CoreTokenResponse,
};
use openidconnect::{
    AdditionalProviderMetadata, AuthType, AuthorizationCode, ClaimsVerificationError, ClientId,
    CsrfToken, DeviceAuthorizationUrl, EndpointMaybeSet, EndpointNotSet, EndpointSet, IssuerUrl,
    JsonWebKeySet, Nonce, OAuth2TokenResponse, PkceCodeChallenge, PkceCodeVerifier,
    ProviderMetadata, RedirectUrl, RefreshToken, Scope, SignatureVerificationError, TokenResponse,
};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::time::Duration;

/// The provider metadata fields beyond OIDC Discovery's core that the workbench uses.
#[derive(Clone, Debug, Deserialize, Serialize)]
pub struct ExtraMetadata {
    pub revocation_endpoint: Option<String>,
    pub end_session_endpoint: Option<String>,
    pub device_authorization_endpoint: Option<String>,
}
impl AdditionalProviderMetadata for ExtraMetadata {}

pub type Metadata = ProviderMetadata<
    ExtraMetadata,
    CoreAuthDisplay,
    CoreClientAuthMethod,
    CoreClaimName,
    CoreClaimType,
    CoreGrantType,
    CoreJweContentEncryptionAlgorithm,
    CoreJweKeyManagementAlgorithm,
    CoreJsonWebKey,
    CoreResponseMode,
    CoreResponseType,
    CoreSubjectIdentifierType,
>;

type Client = CoreClient<
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointMaybeSet,
    EndpointMaybeSet,
>;

/// The signing algorithms accepted for ID tokens.
pub const ALLOWED_ALGS: [CoreJwsSigningAlgorithm; 2] = [
    CoreJwsSigningAlgorithm::RsaSsaPkcs1V15Sha256,
    CoreJwsSigningAlgorithm::EcdsaP256Sha256,
];

/// What a validated ID token says, read after its signature and claims were verified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Claims {
    pub issuer: String,
    pub sub: String,
    pub name: Option<String>,
    pub email: Option<String>,
    pub groups: Vec<String>,
    pub auth_time: Option<i64>,
    pub expires_at: i64,
}

/// Tokens of a sign-in or refresh, the ID token validated.
pub struct Tokens {
    pub claims: Claims,
    pub id_token: String,
    /// Kept in memory only; the S3/STS adapters get AWS credentials from the ID token instead.
    pub access_token: String,
    pub refresh_token: Option<String>,
}

/// One authorization request, kept until its answer comes back.
pub struct Authorization {
    /// The authorize URL the browser opens.
    pub url: String,
    pub redirect_uri: String,
    pub state: String,
    pub nonce: Nonce,
    pkce_verifier: String,
}

/// One configured provider, discovered.
pub struct Provider {
    pub cfg: OidcConfig,
    http: openidconnect::reqwest::Client,
    meta: Metadata,
}

fn http_client() -> Result<openidconnect::reqwest::Client, AuthError> {
    openidconnect::reqwest::ClientBuilder::new()
        // Following redirects would let a provider's answer bounce the token request elsewhere.
        .redirect(openidconnect::reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(30))
        // An idle pooled connection is dropped before a server's keep-alive ends it (Node, which
        // many providers and proxies run on, closes after 5 s): reusing one the server is closing
        // fails a token request with "connection closed before message completed", and a refresh
        // (its token rotated) is not safe to send twice.
        .pool_idle_timeout(Duration::from_secs(2))
        .build()
        .map_err(|e| AuthError::Unreachable(format!("HTTP client: {e}")))
}

fn unreachable_or<E: std::error::Error>(issuer: &str, what: &str, e: E) -> AuthError {
    AuthError::Unreachable(format!("{what} at {issuer}: {}", chain(&e)))
}

impl Provider {
    /// Fetches `{issuer}/.well-known/openid-configuration` and the JWKS it names. The metadata's
    /// `issuer` must equal the configured one exactly (checked by the crate).
    pub async fn discover(cfg: &OidcConfig) -> Result<Provider, AuthError> {
        let http = http_client()?;
        let issuer = IssuerUrl::new(cfg.issuer.clone())
            .map_err(|e| AuthError::Config(format!("`oidc.issuer` {:?}: {e}", cfg.issuer)))?;
        let meta = Metadata::discover_async(issuer, &http)
            .await
            .map_err(|e| match e {
                openidconnect::DiscoveryError::Request(_) => {
                    unreachable_or(&cfg.issuer, "OpenID discovery", e)
                }
                other => AuthError::Rejected(format!(
                    "OpenID discovery at {}: {}",
                    cfg.issuer,
                    chain(&other)
                )),
            })?;
        Ok(Provider {
            cfg: cfg.clone(),
            http,
            meta,
        })
    }

    fn client(&self) -> Client {
        // A public client: its id goes in the request body, no Authorization header.
        CoreClient::from_provider_metadata(
            self.meta.clone(),
            ClientId::new(self.cfg.client_id.clone()),
            None,
        )
        .set_auth_type(AuthType::RequestBody)
    }

    pub fn revocation_endpoint(&self) -> Option<&str> {
        self.meta
            .additional_metadata()
            .revocation_endpoint
            .as_deref()
    }

    /// The end-session URL that ends the provider's browser session for this ID token.
    pub fn end_session_url(&self, id_token: Option<&str>) -> Option<String> {
        let base = self
            .meta
            .additional_metadata()
            .end_session_endpoint
            .as_deref()?;
        let mut url = url::Url::parse(base).ok()?;
        {
            let mut q = url.query_pairs_mut();
            q.append_pair("client_id", &self.cfg.client_id);
            if let Some(t) = id_token {
                q.append_pair("id_token_hint", t);
            }
        }
        Some(url.to_string())
    }

    /// The authorization request for a redirect URI on the loopback interface: PKCE (S256),
    /// `state`, `nonce`, the configured scopes; `max_age_seconds` asks for a fresh
    /// authentication (approval).
    pub fn authorization(
        &self,
        redirect_uri: &str,
        max_age_seconds: Option<i64>,
    ) -> Result<Authorization, AuthError> {
        check_redirect_uri(redirect_uri)?;
        let client = self.client().set_redirect_uri(
            RedirectUrl::new(redirect_uri.to_string())
                .map_err(|e| AuthError::Rejected(e.to_string()))?,
        );
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut request = client
            .authorize_url(
                CoreAuthenticationFlow::AuthorizationCode,
                CsrfToken::new_random,
                Nonce::new_random,
            )
            .set_pkce_challenge(challenge);
        for s in self.cfg.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(s.clone()));
        }
        // OIDC Core 11: a refresh token for offline use is granted with prompt=consent.
        if self.cfg.scopes.iter().any(|s| s == "offline_access") {
            request = request.add_prompt(CoreAuthPrompt::Consent);
        }
        if let Some(age) = max_age_seconds {
            request = request
                .set_max_age(Duration::from_secs(u64::try_from(age).unwrap_or(0)))
                .add_prompt(CoreAuthPrompt::Login);
        }
        let (url, state, nonce) = request.url();
        Ok(Authorization {
            url: url.to_string(),
            redirect_uri: redirect_uri.to_string(),
            state: state.secret().clone(),
            nonce,
            pkce_verifier: verifier.secret().clone(),
        })
    }

    /// Checks the browser's answer against the request: no `error`, the same `state`, our
    /// issuer in `iss` when present (RFC 9207); returns the code.
    pub fn check_callback(
        &self,
        auth: &Authorization,
        params: &HashMap<String, String>,
    ) -> Result<String, AuthError> {
        if let Some(error) = params.get("error") {
            return Err(AuthError::Rejected(format!(
                "the provider refused the sign-in: {error}{}",
                params
                    .get("error_description")
                    .map(|d| format!(" ({d})"))
                    .unwrap_or_default()
            )));
        }
        if params.get("state") != Some(&auth.state) {
            return Err(AuthError::Rejected(
                "the browser's answer carries a different `state` than this sign-in sent: refused (possible cross-site request forgery)".into(),
            ));
        }
        if let Some(iss) = params.get("iss")
            && *iss != self.cfg.issuer
        {
            return Err(AuthError::Rejected(format!(
                "the authorization response comes from issuer {iss:?}, not {:?}: refused (mix-up)",
                self.cfg.issuer
            )));
        }
        params
            .get("code")
            .cloned()
            .ok_or_else(|| AuthError::Rejected("the browser's answer has no code".into()))
    }

    /// Exchanges the code (with the PKCE verifier) and validates the ID token against the nonce.
    pub async fn exchange(
        &mut self,
        auth: &Authorization,
        code: &str,
        now: i64,
    ) -> Result<Tokens, AuthError> {
        let client = self.client().set_redirect_uri(
            RedirectUrl::new(auth.redirect_uri.clone())
                .map_err(|e| AuthError::Rejected(e.to_string()))?,
        );
        let response = client
            .exchange_code(AuthorizationCode::new(code.to_string()))
            .map_err(|e| AuthError::Config(format!("the provider has no token endpoint: {e}")))?
            .set_pkce_verifier(PkceCodeVerifier::new(auth.pkce_verifier.clone()))
            .request_async(&self.http)
            .await
            .map_err(|e| token_error(&self.cfg.issuer, "exchanging the authorization code", e))?;
        self.tokens(&response, Some(&auth.nonce), now).await
    }

    /// The authorization code flow: `open` is handed the authorize URL (the system browser);
    /// the loopback listener receives the answer.
    pub async fn sign_in(
        &mut self,
        open: &(dyn Fn(&str) -> Result<(), String> + Sync),
        max_age_seconds: Option<i64>,
        now: &(dyn Fn() -> i64 + Sync),
    ) -> Result<Tokens, AuthError> {
        let loopback = Loopback::bind()
            .await
            .map_err(|e| AuthError::Rejected(format!("cannot listen on 127.0.0.1: {e}")))?;
        let auth = self.authorization(&loopback.redirect_uri(), max_age_seconds)?;
        open(&auth.url).map_err(|e| {
            AuthError::Rejected(format!(
                "could not open the system browser ({e}); open this address yourself: {}",
                auth.url
            ))
        })?;
        let params = loopback
            .receive(
                Duration::from_secs(self.cfg.sign_in_timeout_seconds),
                "Signed in. You can close this window and return to the workbench.",
            )
            .await
            .map_err(AuthError::Rejected)?;
        let code = self.check_callback(&auth, &params)?;
        self.exchange(&auth, &code, now()).await
    }

    /// The device authorization grant (RFC 8628).
    pub async fn sign_in_device(
        &mut self,
        show: &mut (dyn FnMut(&CoreDeviceAuthorizationResponse) + Send),
        now: &(dyn Fn() -> i64 + Sync),
    ) -> Result<Tokens, AuthError> {
        let endpoint = self
            .meta
            .additional_metadata()
            .device_authorization_endpoint
            .clone()
            .ok_or_else(|| {
                AuthError::Config(format!(
                    "{} offers no device authorization endpoint: sign in with the browser",
                    self.cfg.issuer
                ))
            })?;
        let client = self.client().set_device_authorization_url(
            DeviceAuthorizationUrl::new(endpoint)
                .map_err(|e| AuthError::Rejected(e.to_string()))?,
        );
        let mut request = client.exchange_device_code();
        for s in self.cfg.scopes.iter().filter(|s| *s != "openid") {
            request = request.add_scope(Scope::new(s.clone()));
        }
        let details: CoreDeviceAuthorizationResponse = request
            .request_async(&self.http)
            .await
            .map_err(|e| token_error(&self.cfg.issuer, "starting the device sign-in", e))?;
        show(&details);
        let response = client
            .exchange_device_access_token(&details)
            .map_err(|e| AuthError::Config(format!("the provider has no token endpoint: {e}")))?
            .request_async(
                &self.http,
                tokio::time::sleep,
                Some(Duration::from_secs(self.cfg.sign_in_timeout_seconds)),
            )
            .await
            .map_err(|e| token_error(&self.cfg.issuer, "the device sign-in", e))?;
        self.tokens(&response, None, now()).await
    }

    /// A refresh: new tokens (a rotated refresh token replaces the old one). The new ID token
    /// must name the same subject.
    pub async fn refresh(
        &mut self,
        refresh_token: &str,
        now: &(dyn Fn() -> i64 + Sync),
    ) -> Result<Tokens, AuthError> {
        let client = self.client();
        let rt = RefreshToken::new(refresh_token.to_string());
        let response = client
            .exchange_refresh_token(&rt)
            .map_err(|e| AuthError::Config(format!("the provider has no token endpoint: {e}")))?
            .request_async(&self.http)
            .await
            .map_err(|e| token_error(&self.cfg.issuer, "refreshing the session", e))?;
        let mut tokens = self.tokens(&response, None, now()).await?;
        if tokens.refresh_token.is_none() {
            tokens.refresh_token = Some(refresh_token.to_string());
        }
        Ok(tokens)
    }

    /// RFC 7009 revocation of a refresh token: a form POST of the token, its type hint and the
    /// client id. Sent directly rather than through the oauth2 crate, which refuses a revocation
    /// endpoint that is not https even on a loopback test provider; the issuer check of the
    /// configuration already allows plain http on loopback only.
    pub async fn revoke(&self, refresh_token: &str) -> Result<(), AuthError> {
        let endpoint = self.revocation_endpoint().ok_or_else(|| {
            AuthError::Config(format!("{} offers no revocation endpoint", self.cfg.issuer))
        })?;
        let url = url::Url::parse(endpoint)
            .map_err(|e| AuthError::Rejected(format!("revocation endpoint {endpoint}: {e}")))?;
        if url.scheme() != "https" && !is_loopback(&url) {
            return Err(AuthError::Rejected(format!(
                "revocation endpoint {endpoint} is not https"
            )));
        }
        let response = self
            .http
            .post(url)
            .form(&[
                ("token", refresh_token),
                ("token_type_hint", "refresh_token"),
                ("client_id", self.cfg.client_id.as_str()),
            ])
            .send()
            .await
            .map_err(|e| unreachable_or(&self.cfg.issuer, "revoking the refresh token", e))?;
        if response.status().is_success() {
            Ok(())
        } else {
            let status = response.status();
            let body = response.text().await.unwrap_or_default();
            Err(AuthError::Refused(format!(
                "revoking the refresh token: the provider answered {status}: {}",
                body.chars().take(300).collect::<String>()
            )))
        }
    }

    async fn tokens(
        &mut self,
        response: &CoreTokenResponse,
        nonce: Option<&Nonce>,
        now: i64,
    ) -> Result<Tokens, AuthError> {
        let id_token = response.id_token().ok_or_else(|| {
            AuthError::Rejected("the provider's token answer has no ID token".into())
        })?;
        let claims = self.validate(id_token, nonce, now).await?;
        Ok(Tokens {
            claims,
            id_token: id_token.to_string(),
            access_token: response.access_token().secret().clone(),
            refresh_token: response.refresh_token().map(|t| t.secret().clone()),
        })
    }

    /// Validates an ID token; on an unknown `kid` the JWKS is fetched once more (key rotation)
    /// and the validation repeated.
    pub async fn validate(
        &mut self,
        id_token: &CoreIdToken,
        nonce: Option<&Nonce>,
        now: i64,
    ) -> Result<Claims, AuthError> {
        match self.validate_with_current_keys(id_token, nonce, now) {
            Err(ClaimsVerificationError::SignatureVerification(
                SignatureVerificationError::NoMatchingKey,
            )) => {
                let jwks = JsonWebKeySet::fetch_async(self.meta.jwks_uri(), &self.http)
                    .await
                    .map_err(|e| unreachable_or(&self.cfg.issuer, "fetching the JWKS", e))?;
                self.meta = self.meta.clone().set_jwks(jwks);
                self.validate_with_current_keys(id_token, nonce, now)
                    .map_err(invalid_token)
            }
            other => other.map_err(invalid_token),
        }
    }

    fn validate_with_current_keys(
        &self,
        id_token: &CoreIdToken,
        nonce: Option<&Nonce>,
        now: i64,
    ) -> Result<Claims, ClaimsVerificationError> {
        let client = self.client();
        let skew = self.cfg.clock_skew_seconds;
        let exp_clock = chrono::DateTime::from_timestamp(now - skew, 0).unwrap_or_default();
        let verifier = client
            .id_token_verifier()
            .set_allowed_algs(ALLOWED_ALGS)
            .set_time_fn(move || exp_clock)
            .set_issue_time_verifier_fn(move |iat| {
                if iat.timestamp() > now + skew {
                    Err(format!(
                        "ID token issued in the future ({iat}), beyond the allowed clock skew of {skew} s"
                    ))
                } else {
                    Ok(())
                }
            });
        let no_nonce = |_: Option<&Nonce>| Ok(());
        let claims = match nonce {
            Some(n) => id_token.claims(&verifier, n)?,
            None => id_token.claims(&verifier, no_nonce)?,
        };
        let client_id = &self.cfg.client_id;
        if claims.audiences().len() > 1 && claims.authorized_party().is_none() {
            return Err(ClaimsVerificationError::InvalidAudience(
                "several audiences but no azp".into(),
            ));
        }
        if let Some(azp) = claims.authorized_party()
            && azp.as_str() != client_id
        {
            return Err(ClaimsVerificationError::InvalidAudience(format!(
                "azp is `{}`, not this client `{client_id}`",
                azp.as_str()
            )));
        }
        if claims.subject().is_empty() {
            return Err(ClaimsVerificationError::Other("empty sub".into()));
        }
        // The claim the groups come from is configurable, so it is read from the verified
        // payload rather than a fixed claims type.
        let payload = raw_payload(&id_token.to_string()).unwrap_or_default();
        let groups = match payload.get(&self.cfg.roles.claim) {
            Some(serde_json::Value::Array(items)) => items
                .iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            Some(serde_json::Value::String(one)) => vec![one.clone()],
            _ => Vec::new(),
        };
        let name = claims
            .name()
            .and_then(|n| n.get(None))
            .map(|n| n.as_str().to_string())
            .or_else(|| claims.preferred_username().map(|u| u.as_str().to_string()));
        Ok(Claims {
            issuer: claims.issuer().as_str().to_string(),
            sub: claims.subject().as_str().to_string(),
            name,
            email: claims.email().map(|e| e.as_str().to_string()),
            groups,
            auth_time: claims.auth_time().map(|t| t.timestamp()),
            expires_at: claims.expiration().timestamp(),
        })
    }
}

/// The redirect URI must be on the loopback interface (RFC 8252 §7.3); anything else could hand
/// the authorization code to another machine.
pub fn check_redirect_uri(uri: &str) -> Result<(), AuthError> {
    let url = url::Url::parse(uri).map_err(|e| AuthError::Rejected(format!("{uri}: {e}")))?;
    if url.scheme() == "http" && is_loopback(&url) && url.host_str() != Some("localhost") {
        Ok(())
    } else {
        Err(AuthError::Rejected(format!(
            "redirect URI {uri} is not a loopback address (http://127.0.0.1:PORT/...): refused"
        )))
    }
}

/// The JSON payload of a compact JWT (no verification: only called on verified tokens).
fn raw_payload(jwt: &str) -> Option<serde_json::Map<String, serde_json::Value>> {
    let part = jwt.split('.').nth(1)?;
    let bytes = base64url_decode(part)?;
    serde_json::from_slice(&bytes).ok()
}

fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in text.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'-' => 62,
            b'_' => 63,
            b'=' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push(u8::try_from((acc >> bits) & 0xff).ok()?);
        }
    }
    Some(out)
}

fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        text.push_str(": ");
        text.push_str(&s.to_string());
        source = s.source();
    }
    text
}

fn invalid_token(e: ClaimsVerificationError) -> AuthError {
    AuthError::InvalidToken(chain(&e))
}

fn token_error<RE, T>(
    issuer: &str,
    what: &str,
    e: openidconnect::RequestTokenError<RE, T>,
) -> AuthError
where
    RE: std::error::Error + 'static,
    T: openidconnect::ErrorResponse + 'static,
{
    match e {
        openidconnect::RequestTokenError::ServerResponse(r) => {
            AuthError::Refused(format!("{what}: the provider answered {r}"))
        }
        openidconnect::RequestTokenError::Request(r) => unreachable_or(issuer, what, r),
        openidconnect::RequestTokenError::Parse(p, _) => {
            AuthError::InvalidToken(format!("{what}: the provider's answer is not valid: {p}"))
        }
        other => AuthError::Rejected(format!("{what}: {}", chain(&other))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_loopback_ip_redirects_are_accepted() {
        assert!(check_redirect_uri("http://127.0.0.1:53121/callback").is_ok());
        assert!(check_redirect_uri("http://[::1]:53121/callback").is_ok());
        for bad in [
            "http://192.168.1.5:53121/callback",
            "https://evil.example/callback",
            "http://localhost:53121/callback",
            "http://127.0.0.1.evil.example/callback",
            "not a url",
        ] {
            assert!(check_redirect_uri(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn base64url_decodes_without_padding() {
        assert_eq!(base64url_decode("eyJhIjoxfQ").unwrap(), br#"{"a":1}"#);
        assert_eq!(base64url_decode("_-8").unwrap(), vec![0xff, 0xef]);
        assert!(base64url_decode("a+b").is_none());
    }
}
