//! The pure rules of a verified identity: roles from the identity provider's groups, and when a
//! signed-in session may act (offline grace for review, a fresh online sign-in for approval).
//! Times come in as Unix seconds; nothing here reads a clock.

use crate::Role;
use std::fmt;

/// Which of the provider's groups give which role. Configured by IT; a person in none of them
/// gets no workspace.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RoleMapping {
    /// The ID token claim that lists the person's groups (default `groups`).
    pub claim: String,
    pub clerk_groups: Vec<String>,
    pub supervisor_groups: Vec<String>,
}

impl Default for RoleMapping {
    fn default() -> RoleMapping {
        RoleMapping {
            claim: "groups".into(),
            clerk_groups: vec!["recon-clerks".into()],
            supervisor_groups: vec!["recon-supervisors".into()],
        }
    }
}

/// A person in none of the mapped groups.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{who} is in none of the groups that give access to the workbench: {expected} (claim `{claim}` lists {found}); ask IT to add you to one"
)]
pub struct NoMappedGroup {
    pub who: String,
    pub claim: String,
    pub expected: String,
    pub found: String,
}

impl RoleMapping {
    /// The roles the groups give, in a fixed order (clerk, supervisor); an error naming the
    /// groups that would give access when there are none.
    pub fn roles(&self, who: &str, groups: &[String]) -> Result<Vec<Role>, NoMappedGroup> {
        let mut roles = Vec::new();
        if groups.iter().any(|g| self.clerk_groups.contains(g)) {
            roles.push(Role::Clerk);
        }
        if groups.iter().any(|g| self.supervisor_groups.contains(g)) {
            roles.push(Role::Supervisor);
        }
        if roles.is_empty() {
            let expected: Vec<String> = self
                .clerk_groups
                .iter()
                .map(|g| format!("{g} (clerk)"))
                .chain(
                    self.supervisor_groups
                        .iter()
                        .map(|g| format!("{g} (supervisor)")),
                )
                .collect();
            return Err(NoMappedGroup {
                who: who.to_string(),
                claim: self.claim.clone(),
                expected: expected.join(", "),
                found: if groups.is_empty() {
                    "no group".into()
                } else {
                    groups.join(", ")
                },
            });
        }
        Ok(roles)
    }
}

/// What a session is asked for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// Reading and working exceptions, preparing: allowed offline within the grace window.
    Review,
    /// Approving a reconciliation: needs an online sign-in no older than the approval window.
    Approve,
}

/// How long a verification lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SessionPolicy {
    /// A person verified online within this many seconds keeps reviewing offline (default 12 h).
    pub offline_grace_seconds: i64,
    /// Approval needs an authentication (`auth_time`) no older than this (default 15 min).
    pub approval_max_age_seconds: i64,
}

impl Default for SessionPolicy {
    fn default() -> SessionPolicy {
        SessionPolicy {
            offline_grace_seconds: 12 * 3600,
            approval_max_age_seconds: 15 * 60,
        }
    }
}

/// When a person was last verified, and how.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Verification {
    /// When the provider last vouched for the person (sign-in or refresh), Unix seconds.
    pub verified_at: i64,
    /// When the person last authenticated at the provider (`auth_time`), Unix seconds.
    pub auth_time: Option<i64>,
    /// Whether the provider answered just now.
    pub online: bool,
}

/// Why a session may not act.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// Offline, and the last verification is older than the grace window.
    GraceOver {
        age_seconds: i64,
        grace_seconds: i64,
    },
    /// Approval is attempted offline.
    ApprovalOffline,
    /// Approval with an authentication older than the approval window (or without `auth_time`).
    SignInTooOld {
        age_seconds: Option<i64>,
        max_age_seconds: i64,
    },
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            Refusal::GraceOver {
                age_seconds,
                grace_seconds,
            } => write!(
                f,
                "the identity provider cannot be reached and your last verified sign-in was {} ago, past the offline grace of {}: sign in again when online (your work is kept)",
                human(age_seconds),
                human(grace_seconds)
            ),
            Refusal::ApprovalOffline => f.write_str(
                "approval needs the identity provider online: connect and sign in again (nothing was changed)",
            ),
            Refusal::SignInTooOld {
                age_seconds: Some(age),
                max_age_seconds,
            } => write!(
                f,
                "approval needs a sign-in no older than {}; yours was {} ago: sign in again to approve",
                human(max_age_seconds),
                human(age)
            ),
            Refusal::SignInTooOld {
                age_seconds: None,
                max_age_seconds,
            } => write!(
                f,
                "approval needs a sign-in no older than {} and the provider did not say when you signed in (no auth_time): sign in again to approve",
                human(max_age_seconds)
            ),
        }
    }
}

/// "12 h", "15 min", "40 s".
pub fn human(seconds: i64) -> String {
    let s = seconds.max(0);
    if s >= 3600 && s % 3600 == 0 {
        format!("{} h", s / 3600)
    } else if s >= 3600 {
        format!("{} h {} min", s / 3600, (s % 3600) / 60)
    } else if s >= 60 {
        format!("{} min", s / 60)
    } else {
        format!("{s} s")
    }
}

/// Whether a session verified as `v` may act for `purpose` at `now` (Unix seconds).
pub fn admit(
    policy: &SessionPolicy,
    purpose: Purpose,
    v: &Verification,
    now: i64,
) -> Result<(), Refusal> {
    match purpose {
        Purpose::Review => {
            let age = now - v.verified_at;
            if v.online || age <= policy.offline_grace_seconds {
                Ok(())
            } else {
                Err(Refusal::GraceOver {
                    age_seconds: age,
                    grace_seconds: policy.offline_grace_seconds,
                })
            }
        }
        Purpose::Approve => {
            if !v.online {
                return Err(Refusal::ApprovalOffline);
            }
            match v.auth_time {
                Some(t) if now - t <= policy.approval_max_age_seconds => Ok(()),
                other => Err(Refusal::SignInTooOld {
                    age_seconds: other.map(|t| now - t),
                    max_age_seconds: policy.approval_max_age_seconds,
                }),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn groups(g: &[&str]) -> Vec<String> {
        g.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn roles_come_from_mapped_groups_only() {
        let m = RoleMapping::default();
        assert_eq!(
            m.roles("clara", &groups(&["recon-clerks", "staff"])),
            Ok(vec![Role::Clerk])
        );
        assert_eq!(
            m.roles("sam", &groups(&["recon-supervisors", "recon-clerks"])),
            Ok(vec![Role::Clerk, Role::Supervisor])
        );
        let err = m.roles("nora", &groups(&["staff"])).unwrap_err();
        let text = err.to_string();
        assert!(text.contains("recon-clerks (clerk)"), "{text}");
        assert!(text.contains("recon-supervisors (supervisor)"), "{text}");
        assert!(text.contains("lists staff"), "{text}");
        assert!(
            m.roles("nora", &[])
                .unwrap_err()
                .to_string()
                .contains("no group")
        );
    }

    #[test]
    fn review_is_allowed_offline_within_grace_only() {
        let p = SessionPolicy::default();
        let v = |verified_at, online| Verification {
            verified_at,
            auth_time: Some(verified_at),
            online,
        };
        let now = 100_000;
        assert_eq!(admit(&p, Purpose::Review, &v(now - 10, true), now), Ok(()));
        assert_eq!(
            admit(&p, Purpose::Review, &v(now - 12 * 3600, false), now),
            Ok(())
        );
        assert_eq!(
            admit(&p, Purpose::Review, &v(now - 12 * 3600 - 1, false), now),
            Err(Refusal::GraceOver {
                age_seconds: 12 * 3600 + 1,
                grace_seconds: 12 * 3600
            })
        );
        // Online, an old verification is renewed by the provider: allowed.
        assert_eq!(
            admit(&p, Purpose::Review, &v(now - 48 * 3600, true), now),
            Ok(())
        );
    }

    #[test]
    fn approval_needs_online_and_a_recent_authentication() {
        let p = SessionPolicy::default();
        let now = 100_000;
        let v = |auth_time, online| Verification {
            verified_at: now,
            auth_time,
            online,
        };
        assert_eq!(
            admit(&p, Purpose::Approve, &v(Some(now - 900), true), now),
            Ok(())
        );
        assert_eq!(
            admit(&p, Purpose::Approve, &v(Some(now - 901), true), now),
            Err(Refusal::SignInTooOld {
                age_seconds: Some(901),
                max_age_seconds: 900
            })
        );
        assert_eq!(
            admit(&p, Purpose::Approve, &v(None, true), now),
            Err(Refusal::SignInTooOld {
                age_seconds: None,
                max_age_seconds: 900
            })
        );
        assert_eq!(
            admit(&p, Purpose::Approve, &v(Some(now), false), now),
            Err(Refusal::ApprovalOffline)
        );
        assert!(
            Refusal::SignInTooOld {
                age_seconds: Some(901),
                max_age_seconds: 900
            }
            .to_string()
            .contains("15 min")
        );
    }
}
