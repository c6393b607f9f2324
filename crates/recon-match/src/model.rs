//! The engine's inputs and outputs.

use recon_model::{Currency, Date};

/// Which side of the reconciliation an item is on.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, PartialOrd, Ord)]
pub enum Side {
    Bank,
    Ledger,
}

impl Side {
    pub fn name(self) -> &'static str {
        match self {
            Side::Bank => "bank",
            Side::Ledger => "ledger",
        }
    }
}

/// A bank line or ledger entry as the matcher sees it (borrowed from the caller's data).
#[derive(Clone, Copy, Debug)]
pub struct Item<'a> {
    /// line_id or entry_id; unique per side.
    pub id: &'a str,
    pub account: &'a str,
    pub currency: Currency,
    /// Bank: value date (or booking date); ledger: posting date.
    pub date: Date,
    pub amount_minor: i64,
    pub reference: &'a str,
    /// Name of the other party, "" when unknown.
    pub counterparty: &'a str,
    pub description: &'a str,
}

/// A group people have already confirmed: never broken by a re-run.
#[derive(Clone, Debug, Default)]
pub struct LockedGroup {
    pub bank_ids: Vec<String>,
    pub ledger_ids: Vec<String>,
}

/// Everything one run needs besides the rules.
#[derive(Clone, Debug, Default)]
pub struct MatchInput<'a> {
    pub bank: Vec<Item<'a>>,
    pub ledger: Vec<Item<'a>>,
    /// Items in locked groups take no part in matching.
    pub locked: Vec<LockedGroup>,
    /// (bank id, ledger id) pairs a person rejected: never proposed again.
    pub rejected: Vec<(String, String)>,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug, PartialOrd, Ord, Hash)]
pub enum MatchStatus {
    /// Confirmed by a rule without a person (unique on both sides).
    Auto,
    /// Proposed; a person accepts or rejects it.
    Suggested,
}

impl MatchStatus {
    pub fn name(self) -> &'static str {
        match self {
            MatchStatus::Auto => "auto",
            MatchStatus::Suggested => "suggested",
        }
    }
}

/// An item inside a group.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct ItemRef {
    pub id: String,
    pub amount_minor: i64,
}

/// Bank lines and ledger entries that settle each other.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct MatchGroup {
    pub match_id: String,
    pub rule: String,
    pub status: MatchStatus,
    pub currency: Currency,
    pub bank: Vec<ItemRef>,
    pub ledger: Vec<ItemRef>,
    /// Bank total minus ledger total; zero unless the rule allows a tolerance.
    pub difference_minor: i64,
    /// 0 to 1000: how strongly the fields agree.
    pub score: u32,
    /// Which fields agreed and by how much.
    pub explanation: String,
}

impl MatchGroup {
    pub fn bank_total_minor(&self) -> i64 {
        self.bank.iter().map(|i| i.amount_minor).sum()
    }
    pub fn ledger_total_minor(&self) -> i64 {
        self.ledger.iter().map(|i| i.amount_minor).sum()
    }
}

/// Why an item is still open.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ExceptionReason {
    /// Several candidates fit; the best are suggested.
    Ambiguous,
    /// A single candidate was found by a rule that only suggests.
    Suggested,
    /// Nothing on the other side fits any rule.
    NoCandidate,
}

impl ExceptionReason {
    pub fn name(self) -> &'static str {
        match self {
            ExceptionReason::Ambiguous => "ambiguous",
            ExceptionReason::Suggested => "suggested",
            ExceptionReason::NoCandidate => "no_candidate",
        }
    }
}

/// An item no confirmed group settles.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Exception {
    pub side: Side,
    pub item_id: String,
    pub amount_minor: i64,
    pub currency: Currency,
    pub reason: ExceptionReason,
    /// match_ids of the suggested groups this item is in, best first.
    pub suggestions: Vec<String>,
}

/// Counts per pass.
#[derive(Clone, PartialEq, Eq, Debug, Default)]
pub struct PassStats {
    pub rule: String,
    pub auto_groups: usize,
    pub suggested_groups: usize,
    pub bank_items_auto: usize,
    pub ledger_items_auto: usize,
}

#[derive(Clone, Debug, Default)]
pub struct MatchOutcome {
    pub groups: Vec<MatchGroup>,
    pub exceptions: Vec<Exception>,
    pub passes: Vec<PassStats>,
}

#[derive(Debug, thiserror::Error)]
pub enum MatchError {
    #[error("duplicate {side} item id {id:?}")]
    DuplicateId { side: &'static str, id: String },
    #[error("locked group refers to unknown {side} item {id:?}")]
    UnknownLockedItem { side: &'static str, id: String },
    #[error("matching engine: {0}")]
    Engine(String),
}

/// Told when each phase starts, so a caller with a clock can time them.
pub trait Observer {
    fn phase(&mut self, name: &str);
}

impl Observer for () {
    fn phase(&mut self, _name: &str) {}
}
