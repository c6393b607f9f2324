//! Named noise mixes (issue 14), written to break the matching engine rather than to flatter it:
//! each profile turns up one family of what real books do every day (repeated round amounts,
//! recurring payments, references lost or mangled, one bank line settling a batch of ledger
//! entries that share its reference, charges, long date lags, one-sided items, look-alikes),
//! and `harsh` turns up all of them at once. Built separately from [`crate::generate`] (the
//! `classic` profile, which the engine was tuned on), with the same files and truth layout.
//! Deterministic in (profile, config); no floating point.

use crate::{
    ACCOUNTS, GenConfig, Generated, Item, Kind, Rng, counterparty_name, garble, write_files,
};
use chrono::Days;
use recon_model::Date;

/// How often each kind of truth group is drawn (relative weights; 0 = never).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Weights {
    /// Same amount, same day, the reference on both sides.
    pub exact: u32,
    /// The ledger posted up to `max_lag_days` before or after the bank.
    pub date_lag: u32,
    /// The bank's reference missing, truncated, prefixed, or one character wrong.
    pub reference_noise: u32,
    /// No reference on the bank side at all: its text holds only the counterparty's name.
    pub name_only: u32,
    /// One bank line settles several ledger entries that all carry the bank line's reference
    /// (a payroll run, instalments paid at once); the bank text lists nothing.
    pub ledger_batch: u32,
    /// One bank line whose text lists the invoices it settles (SEPA batch remittance).
    pub listed_batch: u32,
    /// Several bank lines settle one ledger entry (partial payments, same reference).
    pub partial: u32,
    /// The bank deducted a charge from an incoming payment.
    pub bank_charge: u32,
    /// Two pairs with the same amount on the same day, told apart only by references.
    pub look_alike: u32,
    /// Fees and interest the ledger has not booked.
    pub bank_only: u32,
    /// Outstanding cheques and deposits in transit.
    pub ledger_only: u32,
}

/// A named noise mix and its knobs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Profile {
    pub name: &'static str,
    pub about: &'static str,
    pub weights: Weights,
    /// Percent of amounts drawn from a short list of round amounts (50.00, 2,500.00, ...).
    pub round_amount_pct: u32,
    /// Percent of groups that repeat an earlier group's counterparty and amount (subscriptions,
    /// rent, recurring supplier payments), a few days or weeks later.
    pub recurring_pct: u32,
    /// Largest distance between the bank's and the ledger's dates, in days (1 to 10).
    pub max_lag_days: u32,
    /// How many of the four accounts (and their currencies) are used, 1 to 4.
    pub accounts: u32,
}

/// Every profile `recon gen --profile` knows, `classic` first (the default).
pub const PROFILE_NAMES: [&str; 7] = [
    "classic",
    "clean",
    "retail",
    "payroll",
    "poor_references",
    "lagged_fees",
    "harsh",
];

impl Profile {
    /// The profile called `name`; `classic` is [`crate::generate`] itself and has no knobs here.
    pub fn named(name: &str) -> Option<Profile> {
        let w = Weights::default();
        Some(match name {
            "clean" => Profile {
                name: "clean",
                about: "mostly exact pairs with references on both sides, short lags",
                weights: Weights {
                    exact: 80,
                    date_lag: 15,
                    bank_only: 2,
                    ledger_only: 3,
                    ..w
                },
                round_amount_pct: 5,
                recurring_pct: 2,
                max_lag_days: 3,
                accounts: 2,
            },
            "retail" => Profile {
                name: "retail",
                about: "a shop's books: many equal round amounts and recurring payments, references often lost",
                weights: Weights {
                    exact: 35,
                    date_lag: 20,
                    reference_noise: 10,
                    name_only: 20,
                    look_alike: 5,
                    bank_charge: 4,
                    bank_only: 3,
                    ledger_only: 3,
                    ..w
                },
                round_amount_pct: 40,
                recurring_pct: 25,
                max_lag_days: 4,
                accounts: 1,
            },
            "payroll" => Profile {
                name: "payroll",
                about: "one bank line settling many ledger entries: payroll runs and supplier instalments under one reference, listed batches, partial payments",
                weights: Weights {
                    exact: 40,
                    date_lag: 10,
                    ledger_batch: 25,
                    listed_batch: 8,
                    partial: 8,
                    bank_only: 3,
                    ledger_only: 6,
                    ..w
                },
                round_amount_pct: 15,
                recurring_pct: 10,
                max_lag_days: 3,
                accounts: 2,
            },
            "poor_references" => Profile {
                name: "poor_references",
                about: "references missing, truncated, prefixed or mistyped; bank texts holding only the payer's name",
                weights: Weights {
                    exact: 25,
                    date_lag: 10,
                    reference_noise: 30,
                    name_only: 30,
                    bank_only: 2,
                    ledger_only: 3,
                    ..w
                },
                round_amount_pct: 10,
                recurring_pct: 5,
                max_lag_days: 5,
                accounts: 2,
            },
            "lagged_fees" => Profile {
                name: "lagged_fees",
                about: "charges deducted by the bank, ledger postings up to 10 days away, one-sided fees, cheques and deposits",
                weights: Weights {
                    exact: 30,
                    date_lag: 30,
                    bank_charge: 15,
                    reference_noise: 5,
                    bank_only: 10,
                    ledger_only: 10,
                    ..w
                },
                round_amount_pct: 10,
                recurring_pct: 5,
                max_lag_days: 10,
                accounts: 3,
            },
            "harsh" => Profile {
                name: "harsh",
                about: "all of it at once: repeated round amounts, recurring payments, poor references, ledger batches, charges, long lags, look-alikes, four accounts",
                weights: Weights {
                    exact: 15,
                    date_lag: 12,
                    reference_noise: 15,
                    name_only: 15,
                    ledger_batch: 12,
                    listed_batch: 4,
                    partial: 5,
                    bank_charge: 7,
                    look_alike: 5,
                    bank_only: 5,
                    ledger_only: 5,
                },
                round_amount_pct: 30,
                recurring_pct: 20,
                max_lag_days: 10,
                accounts: 4,
            },
            _ => return None,
        })
    }
}

/// Round amounts in minor units: what recurs in real books (fees, rent, subscriptions, payroll).
const ROUND_AMOUNTS: [i64; 16] = [
    5_000, 10_000, 2_500, 50_000, 250_000, 100_000, 1_999, 4_999, 12_000, 20_000, 7_500, 30_000,
    150_000, 500_000, 1_000, 25_000,
];

/// Where the kinds draw amounts, counterparties and dates from.
struct Draw<'p> {
    rng: Rng,
    profile: &'p Profile,
    /// Earlier groups' (counterparty, amount), for recurring payments.
    recent: Vec<(String, i64)>,
}

impl Draw<'_> {
    fn amount(&mut self) -> i64 {
        let p = self.profile;
        let magnitude = if self.rng.below(100) < u64::from(p.round_amount_pct) {
            ROUND_AMOUNTS[self.rng.below(ROUND_AMOUNTS.len() as u64) as usize]
        } else {
            match self.rng.below(10) {
                0..=3 => self.rng.range(100, 20_000),
                4..=7 => self.rng.range(20_000, 500_000),
                8 => self.rng.range(500_000, 5_000_000),
                _ => self.rng.range(5_000_000, 50_000_000),
            }
        };
        if self.rng.below(5) < 3 {
            -magnitude
        } else {
            magnitude
        }
    }

    /// A counterparty and an amount: an earlier group's again (recurring), or new ones.
    fn payment(&mut self) -> (String, i64) {
        if !self.recent.is_empty() && self.rng.below(100) < u64::from(self.profile.recurring_pct) {
            let k = self.rng.below(self.recent.len() as u64) as usize;
            return self.recent[k].clone();
        }
        let name = counterparty_name(&mut self.rng);
        let amount = self.amount();
        if self.recent.len() < 500 {
            self.recent.push((name.clone(), amount));
        } else {
            let k = self.rng.below(500) as usize;
            self.recent[k] = (name.clone(), amount);
        }
        (name, amount)
    }

    /// A lag of 1 to `max_lag_days`, either way.
    fn lagged(&mut self, date: Date) -> Date {
        let lag = self
            .rng
            .range(1, i64::from(self.profile.max_lag_days.clamp(1, 10))) as u64;
        if self.rng.below(3) == 0 {
            date + Days::new(lag)
        } else {
            date - Days::new(lag)
        }
    }
}

/// How a bank writes back a reference it received badly.
fn noisy_reference(rng: &mut Rng, reference: &str) -> String {
    match rng.below(5) {
        0 => String::new(),
        1 => reference.chars().take(7).collect(), // truncated: "INV-012"
        2 => format!("PMT/{}", reference.replace('-', " ").to_lowercase()),
        3 => garble(rng, reference),
        _ => format!("/RFB/{}", reference.replace('-', "")),
    }
}

/// Generates `config.bank_lines` bank lines with `profile`'s noise, the ledger and the truth.
pub fn generate_profile(config: &GenConfig, profile: &Profile) -> Generated {
    let mut d = Draw {
        rng: Rng(profile
            .name
            .bytes()
            .fold(config.seed ^ 0x0F11_E5ED, |h, b| {
                h.rotate_left(8) ^ u64::from(b)
            })),
        profile,
        recent: Vec::new(),
    };
    let w = &profile.weights;
    let table: [(u32, Kind); 11] = [
        (w.exact, Kind::Exact),
        (w.date_lag, Kind::DateLag),
        (w.reference_noise, Kind::ReferenceNoise),
        (w.name_only, Kind::NameOnly),
        (w.ledger_batch, Kind::LedgerBatch),
        (w.listed_batch, Kind::Batch),
        (w.partial, Kind::Partial),
        (w.bank_charge, Kind::BankCharge),
        (w.look_alike, Kind::LookAlike),
        (w.bank_only, Kind::BankOnly),
        (w.ledger_only, Kind::LedgerOnly),
    ];
    let total: u32 = table.iter().map(|(w, _)| w).sum::<u32>().max(1);
    let accounts = profile.accounts.clamp(1, ACCOUNTS.len() as u32) as u64;
    let period = u64::from(config.period_days.max(1));
    let mut bank: Vec<Item> = Vec::with_capacity(config.bank_lines);
    let mut ledger: Vec<Item> = Vec::with_capacity(config.bank_lines + config.bank_lines / 3);
    let mut group: u64 = 0;
    let mut invoice: u64 = 300_000;
    while bank.len() < config.bank_lines {
        group += 1;
        let remaining = config.bank_lines - bank.len();
        let account = d.rng.below(accounts) as usize;
        let date = config.start + Days::new(d.rng.below(period));
        invoice += 1 + d.rng.below(3);
        let reference = format!("INV-{invoice:07}");
        let mut pick = d.rng.below(u64::from(total)) as u32;
        let mut kind = Kind::Exact;
        for (weight, k) in table {
            if pick < weight {
                kind = k;
                break;
            }
            pick -= weight;
        }
        // Multi-line bank groups only when enough lines remain (truncation never cuts one).
        if matches!(kind, Kind::Partial | Kind::LookAlike) && remaining < 3 {
            kind = Kind::Exact;
        }
        let (name, amount) = d.payment();
        let item =
            move |date: Date, amount_minor: i64, reference: String, description: String| Item {
                account,
                date,
                value_date: date,
                amount_minor,
                reference,
                description,
                group,
                kind,
            };
        let ledger_text = format!("Invoice {reference} {name}");
        match kind {
            Kind::Exact | Kind::DateLag | Kind::ReferenceNoise | Kind::NameOnly => {
                let ledger_date = if kind == Kind::Exact {
                    date
                } else {
                    d.lagged(date)
                };
                let bank_ref = match kind {
                    Kind::ReferenceNoise => noisy_reference(&mut d.rng, &reference),
                    Kind::NameOnly => String::new(),
                    _ => reference.clone(),
                };
                let bank_text = match kind {
                    Kind::NameOnly => name.to_uppercase(),
                    _ => name.clone(),
                };
                bank.push(item(date, amount, bank_ref, bank_text));
                ledger.push(item(ledger_date, amount, reference, ledger_text));
            }
            Kind::LedgerBatch => {
                // Every part carries the bank line's reference (a payroll run "SAL-2026-03", a
                // supplier's instalments under one order number); the bank text names only the
                // payer.
                let batch_ref = format!("RUN-{invoice:07}");
                let parts = d.rng.range(2, 8) as usize;
                let sign = if amount < 0 { -1 } else { 1 };
                let mut sum = 0i64;
                for k in 0..parts {
                    let part = sign * d.amount().abs().clamp(100, 2_000_000);
                    sum += part;
                    let part_date = date - Days::new(d.rng.below(3));
                    ledger.push(item(
                        part_date,
                        part,
                        batch_ref.clone(),
                        format!("{name} part {}/{parts}", k + 1),
                    ));
                }
                bank.push(item(date, sum, batch_ref, name.to_uppercase()));
            }
            Kind::Batch => {
                let parts = d.rng.range(2, 5) as usize;
                let sign = if amount < 0 { -1 } else { 1 };
                let mut sum = 0i64;
                let mut listed = String::new();
                for _ in 0..parts {
                    invoice += 1;
                    let part = sign * d.amount().abs().clamp(100, 2_000_000);
                    sum += part;
                    listed.push_str(&format!(" INV-{invoice:07}"));
                    ledger.push(item(
                        date - Days::new(d.rng.below(3)),
                        part,
                        format!("INV-{invoice:07}"),
                        format!("Invoice INV-{invoice:07} {name}"),
                    ));
                }
                bank.push(item(
                    date,
                    sum,
                    format!("B-{group}"),
                    format!("{name}{listed}"),
                ));
            }
            Kind::Partial => {
                let parts = d.rng.range(2, 3) as usize;
                let sign = if amount < 0 { -1 } else { 1 };
                let magnitude = amount.abs().max(parts as i64 * 100);
                let mut left = magnitude;
                for k in 0..parts {
                    let part = if k + 1 == parts {
                        left
                    } else {
                        let p = left / (parts - k) as i64 + d.rng.range(-50, 50);
                        left -= p;
                        p
                    };
                    bank.push(item(
                        date + Days::new(k as u64 * 7),
                        sign * part,
                        reference.clone(),
                        format!("{name} instalment {}/{parts}", k + 1),
                    ));
                }
                ledger.push(item(date, sign * magnitude, reference, ledger_text));
            }
            Kind::BankCharge => {
                let gross = amount.abs().max(10_000);
                let fee = d.rng.range(50, 2_500).min(gross / 10);
                let bank_ref = if d.rng.below(4) == 0 {
                    noisy_reference(&mut d.rng, &reference)
                } else {
                    reference.clone()
                };
                bank.push(item(date, gross - fee, bank_ref, name.clone()));
                ledger.push(item(d.lagged(date), gross, reference, ledger_text));
            }
            Kind::LookAlike => {
                bank.push(item(date, amount, reference.clone(), name.clone()));
                ledger.push(item(date, amount, reference, ledger_text));
                group += 1;
                invoice += 1;
                let other = format!("INV-{invoice:07}");
                let other_name = counterparty_name(&mut d.rng);
                let mut b = item(date, amount, other.clone(), other_name.clone());
                let mut l = item(
                    date,
                    amount,
                    other.clone(),
                    format!("Invoice {other} {other_name}"),
                );
                b.group = group;
                l.group = group;
                bank.push(b);
                ledger.push(l);
            }
            Kind::BankOnly => {
                let (amount_minor, text) = match d.rng.below(3) {
                    0 => (-d.rng.range(100, 5_000), "Account maintenance fee"),
                    1 => (-ROUND_AMOUNTS[d.rng.below(4) as usize], "Card fee"),
                    _ => (d.rng.range(1, 20_000), "Credit interest"),
                };
                bank.push(item(date, amount_minor, String::new(), text.to_string()));
            }
            Kind::LedgerOnly => {
                // A cheque or deposit not yet through the bank; often a round or recurring
                // amount, so it looks like something the bank did show.
                let text = if amount < 0 { "cheque" } else { "deposit" };
                ledger.push(item(
                    d.lagged(date),
                    amount,
                    reference,
                    format!("{name} {text}"),
                ));
                // An exact pair beside it, so the bank line count keeps moving.
                group += 1;
                invoice += 1;
                let other = format!("INV-{invoice:07}");
                let (name2, amount2) = d.payment();
                let mut b = item(date, amount2, other.clone(), name2.clone());
                let mut l = item(
                    date,
                    amount2,
                    other.clone(),
                    format!("Invoice {other} {name2}"),
                );
                b.group = group;
                l.group = group;
                b.kind = Kind::Exact;
                l.kind = Kind::Exact;
                bank.push(b);
                ledger.push(l);
            }
        }
    }
    bank.truncate(config.bank_lines);
    write_files(bank, ledger)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn every_profile_is_deterministic_balanced_and_has_its_kinds() {
        for name in PROFILE_NAMES.iter().skip(1) {
            let p = Profile::named(name).unwrap();
            let a = generate_profile(&GenConfig::new(8_000, 5), &p);
            let b = generate_profile(&GenConfig::new(8_000, 5), &p);
            assert_eq!(a.bank_csv, b.bank_csv, "{name}");
            assert_eq!(a.bank_line_count, 8_000, "{name}");
            crate::tests::assert_balanced(&a, name);
            let mut kinds: Vec<String> = crate::tests::group_sums(&a)
                .into_values()
                .map(|s| s.2)
                .collect();
            kinds.sort_unstable();
            kinds.dedup();
            let w = p.weights;
            for (weight, kind) in [
                (w.ledger_batch, "ledger_batch"),
                (w.name_only, "name_only"),
                (w.reference_noise, "reference_noise"),
                (w.bank_charge, "bank_charge"),
            ] {
                assert_eq!(
                    weight > 0,
                    kinds.iter().any(|k| k == kind),
                    "{name}: {kind}"
                );
            }
        }
    }

    #[test]
    fn repeated_amounts_are_what_the_harsh_profile_is_made_of() {
        let p = Profile::named("harsh").unwrap();
        let g = generate_profile(&GenConfig::new(20_000, 9), &p);
        let mut counts: HashMap<&str, usize> = HashMap::new();
        for l in g.bank_csv.lines().skip(1) {
            *counts.entry(l.split(',').nth(4).unwrap()).or_default() += 1;
        }
        let repeated: usize = counts.values().filter(|&&n| n > 1).sum();
        assert!(
            repeated * 4 > 20_000,
            "only {repeated} of 20,000 bank amounts repeat"
        );
    }
}
