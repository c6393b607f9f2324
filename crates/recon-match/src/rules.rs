//! Rule sets: ordered passes read from TOML. Each pass sees only what earlier passes left.
//! Percentages and similarity thresholds are exact (basis points, per mille), never floats.

use serde::Deserialize;

/// What a pass pairs.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassKind {
    /// One bank line with one ledger entry.
    OneToOne,
    /// One bank line with several ledger entries whose references appear in the bank line's
    /// reference or description (a batch payment listing its invoices).
    OneToMany,
    /// Several bank lines with one ledger entry: bank lines grouped by the pass keys (e.g. the
    /// same reference: partial payments) whose sum settles the entry.
    ManyToOne,
    /// Groups on both sides by the pass keys whose sums are equal.
    ManyToMany,
    /// Up to `subset_size_max` items within the date window whose sum equals a counterpart,
    /// searched with at most `subset_combinations_max` combinations per item.
    SubsetSum,
}

/// Fields that must agree for two sides to be candidates.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Key {
    Account,
    Currency,
    Amount,
    /// The normalized reference (case, whitespace, punctuation and prefixes such as PMT/, INV folded).
    Reference,
    Counterparty,
}

/// What happens to a unique candidate.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    /// Confirmed without a person, when the candidate is unique on both sides.
    Auto,
    /// Proposed for a person to accept or reject.
    Suggest,
}

/// Which text a similarity threshold compares.
#[derive(Clone, Copy, PartialEq, Eq, Debug, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum SimilarityField {
    #[default]
    Reference,
    Description,
    /// The share of the bank text's words (letters only, two or more, case folded) that the
    /// ledger text has too: a bank's "ACME GMBH" against a ledger's "Invoice INV-123 Acme GmbH"
    /// is 1000, where the edit similarity of the whole texts is low.
    Words,
}

/// One pass of a rule set.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Pass {
    pub name: String,
    pub kind: PassKind,
    #[serde(default = "default_keys")]
    pub keys: Vec<Key>,
    /// Largest allowed distance between the bank line's value date and the ledger posting date.
    #[serde(default)]
    pub date_window_days: u32,
    /// Absolute amount tolerance, in minor units of the currency.
    #[serde(default)]
    pub amount_tolerance_minor: i64,
    /// Relative amount tolerance, in basis points of the ledger amount (100 = 1%). When both
    /// tolerances are set, the larger one applies.
    #[serde(default)]
    pub amount_tolerance_basis_points: i64,
    /// Minimal text similarity between the sides, 0 to 1000 per mille: the normalized edit
    /// similarity (transpositions count once) of the normalized references, or of the
    /// descriptions as written.
    #[serde(default)]
    pub similarity_min_per_mille: u32,
    #[serde(default)]
    pub similarity_field: SimilarityField,
    pub outcome: Outcome,
    /// Subset-sum: most items combined on one side.
    #[serde(default = "default_subset_size")]
    pub subset_size_max: usize,
    /// Subset-sum: most combinations tried per target item.
    #[serde(default = "default_subset_combinations")]
    pub subset_combinations_max: usize,
    /// Subset-sum: most candidates considered per target item (nearest in date first).
    #[serde(default = "default_subset_candidates")]
    pub subset_candidates_max: usize,
    /// Suggestions kept per item when the candidate is not unique.
    #[serde(default = "default_suggestions")]
    pub suggestions_max: usize,
}

fn default_keys() -> Vec<Key> {
    vec![Key::Account, Key::Currency]
}
fn default_subset_size() -> usize {
    5
}
fn default_subset_combinations() -> usize {
    20_000
}
fn default_subset_candidates() -> usize {
    24
}
fn default_suggestions() -> usize {
    3
}

/// An ordered list of passes.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RuleSet {
    pub name: String,
    #[serde(rename = "pass")]
    pub passes: Vec<Pass>,
}

#[derive(Debug, thiserror::Error)]
pub enum RuleError {
    #[error("rule set: {0}")]
    Toml(String),
    #[error("rule set: pass {pass:?}: {reason}")]
    Invalid { pass: String, reason: String },
}

impl RuleSet {
    /// Reads and validates a rule set.
    pub fn from_toml(text: &str) -> Result<RuleSet, RuleError> {
        let rules: RuleSet = toml::from_str(text).map_err(|e| RuleError::Toml(e.to_string()))?;
        rules.validate()?;
        Ok(rules)
    }

    /// The default rule set shipped in assets/rules/default.toml.
    pub fn default_rules() -> RuleSet {
        RuleSet::from_toml(DEFAULT_RULES).expect("the shipped default rule set is valid")
    }

    fn validate(&self) -> Result<(), RuleError> {
        if self.passes.is_empty() {
            return Err(RuleError::Invalid {
                pass: String::new(),
                reason: "a rule set needs at least one [[pass]]".into(),
            });
        }
        if self.passes.len() > PASSES_MAX {
            return Err(RuleError::Invalid {
                pass: String::new(),
                reason: format!("at most {PASSES_MAX} passes"),
            });
        }
        let mut names = std::collections::HashSet::new();
        for p in &self.passes {
            let invalid = |reason: &str| RuleError::Invalid {
                pass: p.name.clone(),
                reason: reason.to_string(),
            };
            if !names.insert(p.name.as_str()) {
                return Err(invalid("pass names must be unique"));
            }
            if !p.keys.contains(&Key::Account) || !p.keys.contains(&Key::Currency) {
                return Err(invalid(
                    "keys must include account and currency (items of different accounts or currencies never match)",
                ));
            }
            if p.amount_tolerance_minor < 0 || p.amount_tolerance_basis_points < 0 {
                return Err(invalid("amount tolerances cannot be negative"));
            }
            if p.similarity_min_per_mille > 1000 {
                return Err(invalid("similarity_min_per_mille is at most 1000"));
            }
            if p.date_window_days > 366 {
                return Err(invalid("date_window_days is at most 366"));
            }
            // Bounds that keep every pass's work bounded per item (issue 14).
            for (option, value, max) in [
                (
                    "subset_combinations_max",
                    p.subset_combinations_max,
                    SUBSET_COMBINATIONS_MAX,
                ),
                (
                    "subset_candidates_max",
                    p.subset_candidates_max,
                    SUBSET_CANDIDATES_MAX,
                ),
                ("suggestions_max", p.suggestions_max, SUGGESTIONS_MAX),
            ] {
                if value == 0 || value > max {
                    return Err(invalid(&format!(
                        "{option} is {value}; it must be between 1 and {max} (the work per item grows with it)"
                    )));
                }
            }
            let tolerant = p.amount_tolerance_minor > 0 || p.amount_tolerance_basis_points > 0;
            if tolerant && p.keys.contains(&Key::Amount) {
                return Err(invalid(
                    "an amount tolerance cannot be combined with the amount key",
                ));
            }
            match p.kind {
                PassKind::ManyToOne | PassKind::ManyToMany if p.keys.len() < 3 => {
                    return Err(invalid(
                        "grouping passes need a group key besides account and currency (e.g. reference)",
                    ));
                }
                PassKind::SubsetSum if !(2..=8).contains(&p.subset_size_max) => {
                    return Err(invalid("subset_size_max must be between 2 and 8"));
                }
                _ => {}
            }
            if p.kind != PassKind::OneToOne && p.keys.contains(&Key::Amount) {
                return Err(invalid("only one_to_one passes can key on the amount"));
            }
        }
        Ok(())
    }
}

/// Passes a rule set may have.
pub const PASSES_MAX: usize = 32;
/// Most combinations a subset search may try per target.
pub const SUBSET_COMBINATIONS_MAX: usize = 100_000;
/// Most candidates a subset search may consider per target.
pub const SUBSET_CANDIDATES_MAX: usize = 64;
/// Most suggestions an item may be offered.
pub const SUGGESTIONS_MAX: usize = 10;

/// The shipped default rule set (also at assets/rules/default.toml).
pub const DEFAULT_RULES: &str = include_str!("../../../assets/rules/default.toml");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_rules_parse() {
        let rules = RuleSet::default_rules();
        assert!(rules.passes.len() >= 5);
    }

    #[test]
    fn unbounded_work_is_refused_naming_the_option() {
        for (option, value) in [
            ("subset_combinations_max", "1000000"),
            ("subset_candidates_max", "65"),
            ("suggestions_max", "0"),
            ("suggestions_max", "11"),
        ] {
            let e = RuleSet::from_toml(&format!(
                "name = \"x\"\n[[pass]]\nname = \"s\"\nkind = \"subset_sum\"\noutcome = \"suggest\"\n{option} = {value}\n"
            ))
            .unwrap_err()
            .to_string();
            assert!(e.contains(option) && e.contains("\"s\""), "{e}");
        }
        let many: String = (0..33)
            .map(|k| {
                format!("[[pass]]\nname = \"p{k}\"\nkind = \"one_to_one\"\noutcome = \"auto\"\n")
            })
            .collect();
        let e = RuleSet::from_toml(&format!("name = \"x\"\n{many}"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("at most 32 passes"), "{e}");
    }

    #[test]
    fn invalid_rules_are_explained() {
        let e = RuleSet::from_toml("name = \"x\"\n[[pass]]\nname = \"a\"\nkind = \"one_to_one\"\nkeys = [\"amount\"]\noutcome = \"auto\"\n")
            .unwrap_err();
        assert!(e.to_string().contains("account and currency"), "{e}");
        let e = RuleSet::from_toml(
            "name = \"x\"\n[[pass]]\nname = \"a\"\nkind = \"sideways\"\noutcome = \"auto\"\n",
        )
        .unwrap_err();
        assert!(e.to_string().contains("sideways"), "{e}");
    }
}
