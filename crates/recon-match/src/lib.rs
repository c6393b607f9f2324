//! The matching engine: pairs bank statement lines with the ledger entries they settle, in the
//! ordered passes of a [`RuleSet`]. Candidate search runs as Polars joins on hashed keys (sort/hash
//! joins, never a cross product); the ambiguity guard, subset-sum and scoring run in plain Rust.
//!
//! Pure: items and decisions in, groups and exceptions out. No IO, no clock (callers pass an
//! [`Observer`] to time phases), no randomness. The output is the same, byte for byte, whatever the
//! input order or the number of threads.

mod engine;
pub mod eval;
mod model;
pub mod normalize;
mod passes;
pub mod rules;

pub use engine::{Confirmed, ConfirmedGroup, ExceptionView, GroupView, Matched, run, run_borrowed};
pub use model::{
    Exception, ExceptionReason, Explanation, Item, ItemRef, Limit, LimitHit, LockedGroup,
    MatchError, MatchGroup, MatchInput, MatchOutcome, MatchStatus, Observer, PassStats,
    ReferenceAgreement, Side,
};
pub use rules::{Key, Outcome, Pass, PassKind, RuleError, RuleSet, SimilarityField};
