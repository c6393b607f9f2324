//! The sign-off state machine (maker-checker): open → in review → prepared (by a clerk) →
//! approved (by a supervisor who is not the preparer) or rejected (back to in review, with a
//! reason). Any change to a prepared or approved reconciliation withdraws the sign-off.

use crate::{Principal, Role};
use serde::{Deserialize, Serialize};

#[derive(Clone, Copy, PartialEq, Eq, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignOffState {
    Open,
    InReview,
    Prepared,
    Approved,
}

impl SignOffState {
    pub fn name(self) -> &'static str {
        match self {
            SignOffState::Open => "open",
            SignOffState::InReview => "in_review",
            SignOffState::Prepared => "prepared",
            SignOffState::Approved => "approved",
        }
    }
    pub fn from_name(name: &str) -> Option<SignOffState> {
        [
            SignOffState::Open,
            SignOffState::InReview,
            SignOffState::Prepared,
            SignOffState::Approved,
        ]
        .into_iter()
        .find(|s| s.name() == name)
    }
}

/// What someone does to the sign-off.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SignOffAction<'a> {
    /// Any review decision, import or match run: the content changed.
    Change,
    /// A clerk says the reconciliation is ready; `unexplained_minor` must be zero.
    Prepare { unexplained_minor: i64 },
    /// A supervisor approves; `preparer` is who prepared it.
    Approve { preparer: &'a str },
    /// A supervisor sends it back with a reason.
    Reject { preparer: &'a str, reason: &'a str },
}

#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum SignOffError {
    #[error("{subject} lacks the {role} role needed to {action}")]
    MissingRole {
        subject: String,
        role: &'static str,
        action: &'static str,
    },
    #[error("cannot {action} a reconciliation that is {state}")]
    WrongState {
        action: &'static str,
        state: &'static str,
    },
    #[error(
        "the unexplained difference is {unexplained_minor} minor units; it must be 0.00 before the reconciliation can be prepared"
    )]
    UnexplainedDifference { unexplained_minor: i64 },
    #[error("{subject} prepared this reconciliation and may not approve it (maker-checker)")]
    ApproverIsPreparer { subject: String },
    #[error("a rejection needs a reason")]
    ReasonMissing,
}

/// The next state, or why the action is not allowed. `Change` never fails: it moves open to in
/// review and withdraws a preparation or an approval (the caller audits the withdrawal when the
/// state was prepared or approved).
pub fn transition(
    state: SignOffState,
    action: &SignOffAction<'_>,
    principal: &Principal,
) -> Result<SignOffState, SignOffError> {
    let need = |role: Role, action: &'static str| {
        if principal.has(role) {
            Ok(())
        } else {
            Err(SignOffError::MissingRole {
                subject: principal.subject.clone(),
                role: role.name(),
                action,
            })
        }
    };
    match action {
        SignOffAction::Change => Ok(SignOffState::InReview),
        SignOffAction::Prepare { unexplained_minor } => {
            need(Role::Clerk, "prepare")?;
            if !matches!(state, SignOffState::Open | SignOffState::InReview) {
                return Err(SignOffError::WrongState {
                    action: "prepare",
                    state: state.name(),
                });
            }
            if *unexplained_minor != 0 {
                return Err(SignOffError::UnexplainedDifference {
                    unexplained_minor: *unexplained_minor,
                });
            }
            Ok(SignOffState::Prepared)
        }
        SignOffAction::Approve { preparer } => {
            need(Role::Supervisor, "approve")?;
            if state != SignOffState::Prepared {
                return Err(SignOffError::WrongState {
                    action: "approve",
                    state: state.name(),
                });
            }
            if *preparer == principal.subject {
                return Err(SignOffError::ApproverIsPreparer {
                    subject: principal.subject.clone(),
                });
            }
            Ok(SignOffState::Approved)
        }
        SignOffAction::Reject { preparer, reason } => {
            need(Role::Supervisor, "reject")?;
            if state != SignOffState::Prepared {
                return Err(SignOffError::WrongState {
                    action: "reject",
                    state: state.name(),
                });
            }
            if *preparer == principal.subject {
                return Err(SignOffError::ApproverIsPreparer {
                    subject: principal.subject.clone(),
                });
            }
            if reason.trim().is_empty() {
                return Err(SignOffError::ReasonMissing);
            }
            Ok(SignOffState::InReview)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clara() -> Principal {
        Principal::new("clara", "Clara Clerk", &[Role::Clerk])
    }
    fn sam() -> Principal {
        Principal::new("sam", "Sam Supervisor", &[Role::Supervisor])
    }
    fn both() -> Principal {
        Principal::new("bo", "Bo Both", &[Role::Clerk, Role::Supervisor])
    }

    #[test]
    fn maker_checker() {
        let prepared = transition(
            SignOffState::InReview,
            &SignOffAction::Prepare {
                unexplained_minor: 0,
            },
            &both(),
        )
        .unwrap();
        assert_eq!(prepared, SignOffState::Prepared);
        let err = transition(
            prepared,
            &SignOffAction::Approve { preparer: "bo" },
            &both(),
        );
        assert!(matches!(err, Err(SignOffError::ApproverIsPreparer { .. })));
        assert_eq!(
            transition(prepared, &SignOffAction::Approve { preparer: "bo" }, &sam()),
            Ok(SignOffState::Approved)
        );
        assert!(matches!(
            transition(
                prepared,
                &SignOffAction::Approve { preparer: "x" },
                &clara()
            ),
            Err(SignOffError::MissingRole { .. })
        ));
    }

    #[test]
    fn prepare_needs_zero_difference_and_reject_needs_reason() {
        assert_eq!(
            transition(
                SignOffState::Open,
                &SignOffAction::Prepare {
                    unexplained_minor: 1
                },
                &clara()
            ),
            Err(SignOffError::UnexplainedDifference {
                unexplained_minor: 1
            })
        );
        assert_eq!(
            transition(
                SignOffState::Prepared,
                &SignOffAction::Reject {
                    preparer: "clara",
                    reason: " "
                },
                &sam()
            ),
            Err(SignOffError::ReasonMissing)
        );
        assert_eq!(
            transition(SignOffState::Approved, &SignOffAction::Change, &clara()),
            Ok(SignOffState::InReview)
        );
    }
}
