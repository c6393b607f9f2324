//! Quality of a match run against ground truth (from `recon gen`): pair precision and recall,
//! and how many one-sided items were wrongly auto-matched. Counts only, no floats.

use std::collections::{HashMap, HashSet};

/// One row of truth.csv.
pub struct TruthRow<'a> {
    pub group_id: &'a str,
    pub side: &'a str,
    pub item_id: &'a str,
    pub kind: &'a str,
}

/// One row of matches.csv.
pub struct MatchRow<'a> {
    pub match_id: &'a str,
    pub status: &'a str,
    pub side: &'a str,
    pub item_id: &'a str,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Evaluation {
    pub true_pairs: u64,
    pub auto_pairs: u64,
    pub auto_pairs_correct: u64,
    pub true_pairs_found_with_suggestions: u64,
    pub one_sided_items: u64,
    pub one_sided_items_auto_matched: u64,
}

impl Evaluation {
    /// `numerator / denominator` as a percentage with two decimals, e.g. "99.97%".
    pub fn percent(numerator: u64, denominator: u64) -> String {
        if denominator == 0 {
            return "n/a".to_string();
        }
        let basis_points = (u128::from(numerator) * 10_000 / u128::from(denominator)) as i64;
        format!("{}%", recon_model::format_minor(basis_points, 2))
    }
    pub fn precision(&self) -> String {
        Self::percent(self.auto_pairs_correct, self.auto_pairs)
    }
    pub fn recall_auto(&self) -> String {
        Self::percent(self.auto_pairs_correct, self.true_pairs)
    }
    pub fn recall_with_suggestions(&self) -> String {
        Self::percent(self.true_pairs_found_with_suggestions, self.true_pairs)
    }
    pub fn one_sided_auto_matched(&self) -> String {
        Self::percent(self.one_sided_items_auto_matched, self.one_sided_items)
    }
}

/// Compares match groups with the truth. A pair is a (bank item, ledger item) in one group.
pub fn evaluate(truth: &[TruthRow<'_>], matches: &[MatchRow<'_>]) -> Evaluation {
    let mut group_of: HashMap<(&str, &str), &str> = HashMap::with_capacity(truth.len());
    let mut sides: HashMap<&str, (u64, u64)> = HashMap::new();
    let mut one_sided: HashSet<(&str, &str)> = HashSet::new();
    for t in truth {
        group_of.insert((t.side, t.item_id), t.group_id);
        let e = sides.entry(t.group_id).or_default();
        if t.side == "bank" {
            e.0 += 1;
        } else {
            e.1 += 1;
        }
        if t.kind == "bank_only" || t.kind == "ledger_only" {
            one_sided.insert((t.side, t.item_id));
        }
    }
    let mut eval = Evaluation {
        true_pairs: sides.values().map(|(b, l)| b * l).sum(),
        one_sided_items: one_sided.len() as u64,
        ..Evaluation::default()
    };
    // Groups in file order: rows of one match_id are adjacent.
    let mut groups: Vec<(&str, bool, Vec<&str>, Vec<&str>)> = Vec::new();
    for m in matches {
        if groups.last().is_none_or(|g| g.0 != m.match_id) {
            groups.push((m.match_id, m.status == "auto", Vec::new(), Vec::new()));
        }
        let Some(g) = groups.last_mut() else { continue };
        if m.side == "bank" {
            g.2.push(m.item_id);
        } else {
            g.3.push(m.item_id);
        }
    }
    let mut found: HashSet<(&str, &str)> = HashSet::new();
    let mut auto_one_sided: HashSet<(&str, &str)> = HashSet::new();
    for (_, auto, bank, ledger) in &groups {
        for b in bank {
            for l in ledger {
                let correct = match (group_of.get(&("bank", *b)), group_of.get(&("ledger", *l))) {
                    (Some(gb), Some(gl)) => gb == gl,
                    _ => false,
                };
                if *auto {
                    eval.auto_pairs += 1;
                    if correct {
                        eval.auto_pairs_correct += 1;
                    }
                }
                if correct {
                    found.insert((*b, *l));
                }
            }
        }
        if *auto {
            for b in bank {
                if one_sided.contains(&("bank", *b)) {
                    auto_one_sided.insert(("bank", *b));
                }
            }
            for l in ledger {
                if one_sided.contains(&("ledger", *l)) {
                    auto_one_sided.insert(("ledger", *l));
                }
            }
        }
    }
    eval.true_pairs_found_with_suggestions = found.len() as u64;
    eval.one_sided_items_auto_matched = auto_one_sided.len() as u64;
    eval
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_pairs() {
        let truth = [
            TruthRow {
                group_id: "G1",
                side: "bank",
                item_id: "B1",
                kind: "exact",
            },
            TruthRow {
                group_id: "G1",
                side: "ledger",
                item_id: "L1",
                kind: "exact",
            },
            TruthRow {
                group_id: "G2",
                side: "bank",
                item_id: "B2",
                kind: "batch",
            },
            TruthRow {
                group_id: "G2",
                side: "ledger",
                item_id: "L2",
                kind: "batch",
            },
            TruthRow {
                group_id: "G2",
                side: "ledger",
                item_id: "L3",
                kind: "batch",
            },
            TruthRow {
                group_id: "G3",
                side: "bank",
                item_id: "B3",
                kind: "bank_only",
            },
        ];
        let matches = [
            MatchRow {
                match_id: "M1",
                status: "auto",
                side: "bank",
                item_id: "B1",
            },
            MatchRow {
                match_id: "M1",
                status: "auto",
                side: "ledger",
                item_id: "L1",
            },
            MatchRow {
                match_id: "M2",
                status: "auto",
                side: "bank",
                item_id: "B3",
            },
            MatchRow {
                match_id: "M2",
                status: "auto",
                side: "ledger",
                item_id: "L2",
            },
            MatchRow {
                match_id: "M3",
                status: "suggested",
                side: "bank",
                item_id: "B2",
            },
            MatchRow {
                match_id: "M3",
                status: "suggested",
                side: "ledger",
                item_id: "L3",
            },
        ];
        let e = evaluate(&truth, &matches);
        assert_eq!(e.true_pairs, 3);
        assert_eq!(e.auto_pairs, 2);
        assert_eq!(e.auto_pairs_correct, 1);
        assert_eq!(e.true_pairs_found_with_suggestions, 2);
        assert_eq!(e.one_sided_items_auto_matched, 1);
        assert_eq!(e.precision(), "50.00%");
    }
}
