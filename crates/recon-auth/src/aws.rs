//! AWS credentials from the sign-in: STS `AssumeRoleWithWebIdentity` with the current ID token
//! (the identity provider registered in IAM as an OIDC identity provider), the role per app
//! role from configuration, the session named after the person, a bounded duration. The
//! credentials live in memory, are reused until five minutes before they expire and then
//! fetched again with the (silently refreshed) ID token. With no role configured, the standard
//! AWS configuration chain (profiles, IAM Identity Center, environment, `AWS_ENDPOINT_URL`)
//! applies unchanged.

use crate::IdTokenCell;
use crate::config::AwsConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_credential_types::Credentials;
use aws_credential_types::provider::{self, ProvideCredentials, error::CredentialsError};
use recon_review::{Principal, Role};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

/// Credentials are fetched again this long before they expire.
const RENEW_BEFORE: Duration = Duration::from_secs(300);

/// The role to assume for a principal: the supervisor role for supervisors when configured,
/// else the clerk role; None when no role is configured (standard chain).
pub fn role_for<'a>(aws: &'a AwsConfig, principal: &Principal) -> Option<&'a str> {
    if principal.has(Role::Supervisor)
        && let Some(arn) = &aws.supervisor_role_arn
    {
        return Some(arn);
    }
    aws.clerk_role_arn.as_deref()
}

/// An STS role session name from a person's identifier: `[\w+=,.@-]`, 2 to 64 characters.
pub fn session_name(user: &str) -> String {
    let mut name: String = user
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "_+=,.@-".contains(c) {
                c
            } else {
                '-'
            }
        })
        .take(64)
        .collect();
    while name.len() < 2 {
        name.push('-');
    }
    name
}

/// The credentials provider handed to the AWS SDK.
#[derive(Debug)]
pub struct WebIdentityCredentials {
    sts: aws_sdk_sts::Client,
    role_arn: String,
    session_name: String,
    duration_seconds: i32,
    id_token: IdTokenCell,
    cached: Mutex<Option<Credentials>>,
}

impl WebIdentityCredentials {
    pub fn new(
        sts: aws_sdk_sts::Client,
        role_arn: &str,
        session_name: &str,
        duration_seconds: i32,
        id_token: IdTokenCell,
    ) -> WebIdentityCredentials {
        WebIdentityCredentials {
            sts,
            role_arn: role_arn.to_string(),
            session_name: session_name.to_string(),
            duration_seconds,
            id_token,
            cached: Mutex::new(None),
        }
    }

    async fn load(&self) -> provider::Result {
        if let Some(c) = self.cached.lock().ok().and_then(|c| c.clone())
            && c.expiry()
                .is_some_and(|e| e > SystemTime::now() + RENEW_BEFORE)
        {
            return Ok(c);
        }
        let token = self
            .id_token
            .lock()
            .ok()
            .and_then(|t| t.clone())
            .ok_or_else(|| {
                CredentialsError::not_loaded("not signed in: AWS credentials come from the sign-in")
            })?;
        let out = self
            .sts
            .assume_role_with_web_identity()
            .role_arn(&self.role_arn)
            .role_session_name(&self.session_name)
            .web_identity_token(token)
            .duration_seconds(self.duration_seconds)
            .send()
            .await
            .map_err(|e| {
                CredentialsError::provider_error(format!(
                    "STS AssumeRoleWithWebIdentity for {}: {}",
                    self.role_arn,
                    aws_sdk_sts::error::DisplayErrorContext(&e)
                ))
            })?;
        let c = out.credentials().ok_or_else(|| {
            CredentialsError::unhandled(
                "STS answered AssumeRoleWithWebIdentity without credentials",
            )
        })?;
        let expiry = SystemTime::try_from(*c.expiration()).ok();
        let creds = Credentials::new(
            c.access_key_id(),
            c.secret_access_key(),
            Some(c.session_token().to_string()),
            expiry,
            "recon-web-identity",
        );
        if let Ok(mut slot) = self.cached.lock() {
            *slot = Some(creds.clone());
        }
        Ok(creds)
    }
}

impl ProvideCredentials for WebIdentityCredentials {
    fn provide_credentials<'a>(&'a self) -> provider::future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        provider::future::ProvideCredentials::new(self.load())
    }
}

/// The standard AWS configuration chain (profiles, `AWS_*` variables) with the configuration
/// file's region and endpoint laid over it when set.
pub fn config_loader(aws: &AwsConfig) -> aws_config::ConfigLoader {
    let mut l = aws_config::defaults(BehaviorVersion::latest());
    if let Some(r) = &aws.region {
        l = l.region(Region::new(r.clone()));
    }
    if let Some(e) = &aws.endpoint_url {
        l = l.endpoint_url(e.clone());
    }
    l
}

/// The AWS SDK configuration for a signed-in principal: credentials from STS web identity when a
/// role is configured for the principal's role, else the standard chain. Region from the
/// configuration when set, else the standard chain's.
pub async fn sdk_config(
    aws: &AwsConfig,
    principal: &Principal,
    id_token: IdTokenCell,
) -> SdkConfig {
    let loader = || config_loader(aws);
    let Some(role) = role_for(aws, principal) else {
        return loader().load().await;
    };
    // AssumeRoleWithWebIdentity is unsigned: the STS client needs no credentials of its own.
    let base = loader().no_credentials().load().await;
    let sts = aws_sdk_sts::Client::new(&base);
    let user = principal
        .subject
        .rsplit('#')
        .next()
        .unwrap_or(&principal.subject)
        .to_string();
    let provider = WebIdentityCredentials::new(
        sts,
        role,
        &session_name(&user),
        aws.session_duration_seconds,
        id_token,
    );
    loader().credentials_provider(provider).load().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn session_names_are_what_sts_accepts() {
        assert_eq!(session_name("clara@acme.com"), "clara@acme.com");
        assert_eq!(session_name("00u1 äb/c"), "00u1--b-c");
        assert_eq!(session_name("x"), "x-");
        assert_eq!(session_name(&"a".repeat(100)).len(), 64);
    }

    #[test]
    fn supervisors_get_the_supervisor_role_when_configured() {
        let aws = AwsConfig {
            clerk_role_arn: Some("arn:aws:iam::1:role/clerk".into()),
            supervisor_role_arn: Some("arn:aws:iam::1:role/supervisor".into()),
            session_duration_seconds: 3600,
            region: None,
            endpoint_url: None,
        };
        let sam = Principal::verified("https://i", "sam", "Sam", &[Role::Clerk, Role::Supervisor]);
        let clara = Principal::verified("https://i", "clara", "Clara", &[Role::Clerk]);
        assert_eq!(role_for(&aws, &sam), Some("arn:aws:iam::1:role/supervisor"));
        assert_eq!(role_for(&aws, &clara), Some("arn:aws:iam::1:role/clerk"));
        let none = AwsConfig {
            clerk_role_arn: None,
            supervisor_role_arn: None,
            ..aws
        };
        assert_eq!(role_for(&none, &sam), None);
    }
}
