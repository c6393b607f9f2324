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
    /// The transactions of a batch booking (bank side; empty otherwise): the one-to-many pass
    /// reads their references as it reads the references the bank text lists.
    pub details: &'a [recon_model::BatchDetail],
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
    /// Which fields agreed and by how much (`Display` renders it for people).
    pub explanation: Explanation,
}

/// How the references of a group agree.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum ReferenceAgreement {
    /// Normalized references are equal.
    Equal,
    /// The bank line's text lists this many of the ledger entries' references.
    Listed(u32),
    /// Similar enough by the pass's threshold.
    Similar {
        field: crate::rules::SimilarityField,
        per_mille: u32,
    },
    /// The pass did not compare references.
    NotCompared,
}

/// Why a group was proposed: the fields that agreed and by how much. Kept structured so that a
/// million groups cost no text until someone reads one.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Explanation {
    pub bank_total_minor: i64,
    pub ledger_total_minor: i64,
    /// The pass's amount tolerance for this group, in minor units.
    pub tolerance_minor: i64,
    /// The currency's exponent, to render amounts.
    pub exponent: u32,
    pub reference: ReferenceAgreement,
    /// Largest distance between a bank date and a ledger date in the group.
    pub days_apart: u32,
    pub date_window_days: u32,
    pub bank_items: u32,
    pub ledger_items: u32,
    pub subset_sum: bool,
    /// Other candidates of the same pass share items with this one.
    pub not_unique: bool,
}

impl std::fmt::Display for Explanation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        use recon_model::format_minor;
        if self.subset_sum {
            f.write_str("subset sum: ")?;
        }
        f.write_str("account and currency equal; ")?;
        let difference = self.bank_total_minor - self.ledger_total_minor;
        if difference == 0 {
            write!(
                f,
                "amount equal ({})",
                format_minor(self.bank_total_minor, self.exponent)
            )?;
        } else {
            write!(
                f,
                "amount differs by {} (bank {} vs ledger {}, tolerance {})",
                format_minor(difference, self.exponent),
                format_minor(self.bank_total_minor, self.exponent),
                format_minor(self.ledger_total_minor, self.exponent),
                format_minor(self.tolerance_minor, self.exponent)
            )?;
        }
        match self.reference {
            ReferenceAgreement::Equal => f.write_str("; reference equal")?,
            ReferenceAgreement::Listed(n) => {
                write!(f, "; {n} ledger references listed in the bank line's text")?
            }
            ReferenceAgreement::Similar { field, per_mille } => {
                let field = match field {
                    crate::rules::SimilarityField::Reference => "reference",
                    crate::rules::SimilarityField::Description => "description",
                    crate::rules::SimilarityField::Words => "counterparty words",
                };
                write!(f, "; {field} similarity {per_mille}‰")?;
            }
            ReferenceAgreement::NotCompared => f.write_str("; reference not compared")?,
        }
        write!(
            f,
            "; dates {} day{} apart (window {})",
            self.days_apart,
            if self.days_apart == 1 { "" } else { "s" },
            self.date_window_days
        )?;
        if self.bank_items + self.ledger_items > 2 {
            write!(
                f,
                "; {} bank line{} with {} ledger entr{}",
                self.bank_items,
                if self.bank_items == 1 { "" } else { "s" },
                self.ledger_items,
                if self.ledger_items == 1 { "y" } else { "ies" }
            )?;
        }
        if self.not_unique {
            f.write_str("; not unique: other candidates share these items")?;
        }
        Ok(())
    }
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
    /// The limits this pass reached: what it left out because of them (never silently).
    pub limits: Vec<LimitHit>,
}

/// A limit a pass reached, and how often.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LimitHit {
    pub limit: Limit,
    pub count: usize,
}

/// The limits a pass can reach.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Limit {
    /// Reference halves shared by more items than a similarity join takes (left out of it).
    SimilarityKeyItems,
    /// Subset searches stopped at `subset_combinations_max` before trying every combination.
    SubsetCombinations,
    /// Subset targets whose nearest candidates were cut at `subset_candidates_max`.
    SubsetCandidates,
    /// Suggestions not offered because an item already had `suggestions_max`.
    Suggestions,
}

impl Limit {
    /// The rule option (or built-in limit) by name.
    pub fn name(self) -> &'static str {
        match self {
            Limit::SimilarityKeyItems => "similarity_key_items_max",
            Limit::SubsetCombinations => "subset_combinations_max",
            Limit::SubsetCandidates => "subset_candidates_max",
            Limit::Suggestions => "suggestions_max",
        }
    }

    /// What reaching it means, for `count` times.
    pub fn describe(self, count: usize) -> String {
        match self {
            Limit::SimilarityKeyItems => format!(
                "{count} reference halves shared by more than {} items on a side were left out of the similarity join",
                crate::passes::SIMILARITY_KEY_ITEMS_MAX
            ),
            Limit::SubsetCombinations => format!(
                "{count} subset searches stopped at subset_combinations_max before trying every combination"
            ),
            Limit::SubsetCandidates => format!(
                "{count} subset targets had more candidates in the window than subset_candidates_max (the nearest were tried)"
            ),
            Limit::Suggestions => format!(
                "{count} suggestions were not offered: their items already had suggestions_max"
            ),
        }
    }
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

/// Told when each phase starts, so a caller with a clock can time them; and, if it asks, handed
/// the groups each pass confirms as soon as their numbers are final, so that it can write them
/// while later passes run.
pub trait Observer {
    fn phase(&mut self, name: &str);

    /// Whether [`Observer::confirmed`] is wanted (handing groups out costs a copy of them).
    fn wants_confirmed(&self) -> bool {
        false
    }

    /// The groups a pass confirmed, in number order. Confirmed groups are numbered before
    /// suggested ones, pass after pass, so these numbers are final: the run's result numbers
    /// them the same.
    fn confirmed(&mut self, _groups: crate::Confirmed) {}
}

impl Observer for () {
    fn phase(&mut self, _name: &str) {}
}
