//! Rule dry-run (issue 14): a candidate rule set run over a workspace's items without changing
//! anything, compared with what the workspace holds. The run ignores people's decisions (no
//! locked groups, no rejected pairs), so it shows what the rules would do on their own and, above
//! all, every auto-match that contradicts a decision people already made: the precision that
//! matters to a team.

use crate::ApiError;
use recon_match::{LockedGroup, MatchStatus, RuleSet};
use recon_store::Workspace;
use serde::Serialize;
use std::collections::{BTreeSet, HashMap, HashSet};
use std::path::Path;

/// Examples listed per kind of change (the counts are always whole).
pub const SIMULATION_EXAMPLES_MAX: usize = 50;

/// A group as item ids.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
pub struct GroupIds {
    pub bank: Vec<String>,
    pub ledger: Vec<String>,
}

impl GroupIds {
    fn of(bank: &[String], ledger: &[String]) -> GroupIds {
        let mut g = GroupIds {
            bank: bank.to_vec(),
            ledger: ledger.to_vec(),
        };
        g.bank.sort();
        g.ledger.sort();
        g
    }

    fn describe(&self) -> String {
        format!(
            "bank {} ~ ledger {}",
            self.bank.join("+"),
            self.ledger.join("+")
        )
    }
}

/// Why a simulated auto-match contradicts people.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Contradiction {
    pub rule: String,
    pub group: GroupIds,
    /// "rejected pair bank B ~ ledger L" or "manual group bank ... ~ ledger ...".
    pub decision: String,
}

/// What a candidate rule set would change.
#[derive(Clone, Debug, Default, Serialize)]
pub struct SimulationReport {
    pub rule_set: String,
    pub rule_set_sha256: String,
    /// Auto groups the candidate makes.
    pub auto_groups: usize,
    /// Its auto groups the workspace holds already (as auto groups).
    pub unchanged: usize,
    /// Its auto groups equal to a group people confirmed (the rules would have found it).
    pub agree_with_people: usize,
    /// Its auto groups the workspace does not hold.
    pub gained: usize,
    /// The workspace's auto groups it would not make.
    pub lost: usize,
    /// Its auto groups that contradict a rejected pair or a group people confirmed.
    pub contradictions: usize,
    pub gained_examples: Vec<GroupIds>,
    pub lost_examples: Vec<GroupIds>,
    pub contradiction_examples: Vec<Contradiction>,
}

/// Runs `rules_file` (the default rules when None) over `ws`'s items and compares. Changes
/// nothing: no run is recorded, nothing is audited.
pub fn simulate_rules(
    ws: &Workspace,
    rules_file: Option<&Path>,
) -> Result<SimulationReport, ApiError> {
    let (rules, sha256): (RuleSet, String) = crate::load_rules_with_hash(rules_file)?;
    let data = ws.match_data()?;
    let people: Vec<GroupIds> = data
        .locked
        .iter()
        .map(|g: &LockedGroup| GroupIds::of(&g.bank_ids, &g.ledger_ids))
        .collect();
    let rejected: HashSet<(String, String)> = data.rejected.iter().cloned().collect();
    let current: BTreeSet<GroupIds> = ws
        .confirmed_groups(true)?
        .iter()
        .map(|g| GroupIds::of(&g.bank_ids, &g.ledger_ids))
        .collect();
    // The candidate on its own: decisions left out, so contradictions can show.
    let mut input = data.input();
    input.locked.clear();
    input.rejected.clear();
    let outcome = recon_match::run(&input, &rules, &mut ())
        .map_err(|e| ApiError::InvalidArgument(e.to_string()))?;
    let mut in_people: HashMap<(&str, &str), usize> = HashMap::new();
    for (k, g) in people.iter().enumerate() {
        for b in &g.bank {
            in_people.insert(("bank", b), k);
        }
        for l in &g.ledger {
            in_people.insert(("ledger", l), k);
        }
    }
    let people_set: HashSet<&GroupIds> = people.iter().collect();
    let mut report = SimulationReport {
        rule_set: rules.name.clone(),
        rule_set_sha256: sha256,
        ..SimulationReport::default()
    };
    let mut simulated: BTreeSet<GroupIds> = BTreeSet::new();
    for g in outcome
        .groups
        .iter()
        .filter(|g| g.status == MatchStatus::Auto)
    {
        let bank: Vec<String> = g.bank.iter().map(|i| i.id.clone()).collect();
        let ledger: Vec<String> = g.ledger.iter().map(|i| i.id.clone()).collect();
        let ids = GroupIds::of(&bank, &ledger);
        report.auto_groups += 1;
        let rejected_pair = ids.bank.iter().find_map(|b| {
            ids.ledger
                .iter()
                .find(|l| rejected.contains(&(b.clone(), (*l).clone())))
                .map(|l| format!("rejected pair bank {b} ~ ledger {l}"))
        });
        let against_people = if people_set.contains(&ids) {
            None
        } else {
            ids.bank
                .iter()
                .map(|b| ("bank", b.as_str()))
                .chain(ids.ledger.iter().map(|l| ("ledger", l.as_str())))
                .find_map(|key| in_people.get(&key))
                .map(|&k| format!("confirmed group {}", people[k].describe()))
        };
        if let Some(decision) = rejected_pair.or(against_people) {
            report.contradictions += 1;
            if report.contradiction_examples.len() < SIMULATION_EXAMPLES_MAX {
                report.contradiction_examples.push(Contradiction {
                    rule: g.rule.clone(),
                    group: ids.clone(),
                    decision,
                });
            }
        } else if people_set.contains(&ids) {
            report.agree_with_people += 1;
        } else if current.contains(&ids) {
            report.unchanged += 1;
        } else {
            report.gained += 1;
            if report.gained_examples.len() < SIMULATION_EXAMPLES_MAX {
                report.gained_examples.push(ids.clone());
            }
        }
        simulated.insert(ids);
    }
    for g in &current {
        if !simulated.contains(g) {
            report.lost += 1;
            if report.lost_examples.len() < SIMULATION_EXAMPLES_MAX {
                report.lost_examples.push(g.clone());
            }
        }
    }
    Ok(report)
}
