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
}

impl Principal {
    pub fn new(subject: &str, display_name: &str, roles: &[Role]) -> Principal {
        Principal {
            subject: subject.to_string(),
            display_name: display_name.to_string(),
            roles: roles.to_vec(),
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
