//! Who is acting: a subject with roles. Today filled from a local profile; the sign-in issue fills
//! it from the OIDC ID token (`sub`, `name`, and a roles/groups claim).

use serde::{Deserialize, Serialize};
use std::fmt;

#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Works exceptions and prepares the reconciliation.
    Clerk,
    /// Approves or rejects a prepared reconciliation.
    Supervisor,
}

impl Role {
    pub fn name(self) -> &'static str {
        match self {
            Role::Clerk => "clerk",
            Role::Supervisor => "supervisor",
        }
    }
    pub fn from_name(name: &str) -> Option<Role> {
        match name.trim().to_ascii_lowercase().as_str() {
            "clerk" => Some(Role::Clerk),
            "supervisor" => Some(Role::Supervisor),
            _ => None,
        }
    }
}

/// The person (or service) behind an operation. `subject` is the stable identifier (the ID
/// token's `sub`); `display_name` is only for people to read.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Principal {
    pub subject: String,
    pub display_name: String,
    pub roles: Vec<Role>,
    /// How the identity was established. Verified workspaces refuse self-asserted principals.
    pub assurance: Assurance,
}

/// How a principal's identity was established.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assurance {
    /// Typed in or picked (`--user`, the demo profiles): only for demo workspaces.
    SelfAsserted,
    /// From an ID token validated against the configured OpenID provider.
    Verified,
}

impl Assurance {
    pub fn name(self) -> &'static str {
        match self {
            Assurance::SelfAsserted => "self_asserted",
            Assurance::Verified => "verified",
        }
    }
}

impl Principal {
    /// A self-asserted principal (demo mode).
    pub fn new(subject: &str, display_name: &str, roles: &[Role]) -> Principal {
        Principal {
            subject: subject.to_string(),
            display_name: display_name.to_string(),
            roles: roles.to_vec(),
            assurance: Assurance::SelfAsserted,
        }
    }
    /// A principal from a validated ID token: the subject is the issuer and `sub` together
    /// (`{issuer}#{sub}`), globally unique, which is what every audit entry records.
    pub fn verified(issuer: &str, sub: &str, display_name: &str, roles: &[Role]) -> Principal {
        Principal {
            subject: format!("{issuer}#{sub}"),
            display_name: display_name.to_string(),
            roles: roles.to_vec(),
            assurance: Assurance::Verified,
        }
    }
    pub fn has(&self, role: Role) -> bool {
        self.roles.contains(&role)
    }
}

impl fmt::Display for Principal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} ({})", self.display_name, self.subject)
    }
}
