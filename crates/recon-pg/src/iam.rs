//! RDS IAM authentication tokens: instead of a password, the database takes a SigV4-presigned
//! `connect` request for the user, signed with the signed-in role's AWS credentials (service
//! `rds-db`, valid 15 minutes), as `aws rds generate-db-auth-token` makes it. The token is
//! made just before each connection and kept nowhere.

use aws_credential_types::Credentials;
use aws_sigv4::http_request::{SignableBody, SignableRequest, SignatureLocation, SigningSettings};
use aws_sigv4::sign::v4;
use std::time::{Duration, SystemTime};

/// A token is valid this long (RDS's maximum).
pub const TOKEN_LIFETIME: Duration = Duration::from_secs(900);

/// The token for `user` at `host:port` in `region`, signed at `now` with `credentials`.
pub fn auth_token(
    host: &str,
    port: u16,
    user: &str,
    region: &str,
    credentials: &Credentials,
    now: SystemTime,
) -> Result<String, String> {
    let mut settings = SigningSettings::default();
    settings.signature_location = SignatureLocation::QueryParams;
    settings.expires_in = Some(TOKEN_LIFETIME);
    let identity = credentials.clone().into();
    let params = v4::SigningParams::builder()
        .identity(&identity)
        .region(region)
        .name("rds-db")
        .time(now)
        .settings(settings)
        .build()
        .map_err(|e| format!("RDS IAM token: {e}"))?
        .into();
    let user_q: String = form_urlencoded::byte_serialize(user.as_bytes()).collect();
    let url = format!("https://{host}:{port}/?Action=connect&DBUser={user_q}");
    let request = SignableRequest::new(
        "GET",
        url.clone(),
        std::iter::empty(),
        SignableBody::Bytes(&[]),
    )
    .map_err(|e| format!("RDS IAM token: {e}"))?;
    let (instructions, _) = aws_sigv4::http_request::sign(request, &params)
        .map_err(|e| format!("RDS IAM token: {e}"))?
        .into_parts();
    let mut token = url.trim_start_matches("https://").to_string();
    for (name, value) in instructions.params() {
        let v: String = form_urlencoded::byte_serialize(value.as_bytes()).collect();
        token.push('&');
        token.push_str(name);
        token.push('=');
        token.push_str(&v);
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn param<'a>(token: &'a str, name: &str) -> &'a str {
        token
            .split(['?', '&'])
            .find_map(|p| p.strip_prefix(&format!("{name}=")))
            .unwrap_or_else(|| panic!("{name} missing from {token}"))
    }

    #[test]
    fn a_token_is_a_presigned_connect_request_for_the_user() {
        let creds = Credentials::new("AKIDEXAMPLE", "secret", None, None, "test");
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_796_299_200); // 2026-12-03T12:00:00Z
        let t = auth_token("db.example.com", 5432, "recon_app", "eu-west-1", &creds, at).unwrap();
        assert!(
            t.starts_with("db.example.com:5432/?Action=connect&DBUser=recon_app&"),
            "{t}"
        );
        assert_eq!(param(&t, "X-Amz-Algorithm"), "AWS4-HMAC-SHA256");
        assert_eq!(
            param(&t, "X-Amz-Credential"),
            "AKIDEXAMPLE%2F20261203%2Feu-west-1%2Frds-db%2Faws4_request"
        );
        assert_eq!(param(&t, "X-Amz-Date"), "20261203T120000Z");
        assert_eq!(param(&t, "X-Amz-Expires"), "900");
        assert_eq!(param(&t, "X-Amz-SignedHeaders"), "host");
        assert_eq!(param(&t, "X-Amz-Signature").len(), 64);
        // Another second, another signature; the same inputs, the same token.
        let later = auth_token(
            "db.example.com",
            5432,
            "recon_app",
            "eu-west-1",
            &creds,
            at + Duration::from_secs(1),
        )
        .unwrap();
        assert_ne!(
            param(&t, "X-Amz-Signature"),
            param(&later, "X-Amz-Signature")
        );
        assert_eq!(
            t,
            auth_token("db.example.com", 5432, "recon_app", "eu-west-1", &creds, at).unwrap()
        );
    }
}
