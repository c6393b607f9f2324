//! Deterministic synthetic reconciliation data: bank lines, ledger entries and the ground truth of
//! which items belong together, with the noise real data has. Pure: returns the three canonical CSV
//! texts; the caller writes them. The same seed gives the same bytes on every machine and version
//! of this crate's dependencies (own PRNG, no floating point).

pub mod profiles;
pub mod writers;

use chrono::Days;
use recon_model::{Currency, Date, format_minor};
use std::fmt::Write;

/// What to generate.
#[derive(Clone, Debug)]
pub struct GenConfig {
    pub bank_lines: usize,
    pub seed: u64,
    /// First booking date; items spread over `period_days` from it.
    pub start: Date,
    pub period_days: u32,
}

impl GenConfig {
    pub fn new(bank_lines: usize, seed: u64) -> GenConfig {
        GenConfig {
            bank_lines,
            seed,
            start: Date::from_ymd_opt(2026, 1, 1).expect("valid date"),
            period_days: 90,
        }
    }
}

/// The generated canonical CSV files.
#[derive(Clone, Debug, Default)]
pub struct Generated {
    /// `line_id,account,booking_date,value_date,amount,currency,reference,description`
    pub bank_csv: String,
    /// `entry_id,account,posting_date,amount,currency,reference,description`
    pub ledger_csv: String,
    /// `group_id,side,item_id,kind`
    pub truth_csv: String,
    pub bank_line_count: usize,
    pub ledger_entry_count: usize,
}

/// The kinds of truth groups, as written in truth.csv.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// Same amount, same day, same reference.
    Exact,
    /// Ledger posted 1 to 5 days before or after the bank's value date.
    DateLag,
    /// Reference missing on one side, garbled, or written with another prefix.
    ReferenceNoise,
    /// One bank line settles several ledger entries (sum exact).
    Batch,
    /// Several bank lines settle one ledger entry (partial payments).
    Partial,
    /// The bank deducted a charge: bank amount = ledger amount - fee.
    BankCharge,
    /// Two true pairs with equal amounts on the same day; only references tell them apart.
    LookAlike,
    /// Fees and interest the ledger has not booked yet.
    BankOnly,
    /// Outstanding cheques and deposits in transit.
    LedgerOnly,
    /// One bank line settles several ledger entries that carry its reference (profiles only).
    LedgerBatch,
    /// The bank line has no reference; its text is only the counterparty's name (profiles only).
    NameOnly,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Exact => "exact",
            Kind::DateLag => "date_lag",
            Kind::ReferenceNoise => "reference_noise",
            Kind::Batch => "batch",
            Kind::Partial => "partial",
            Kind::BankCharge => "bank_charge",
            Kind::LookAlike => "look_alike",
            Kind::BankOnly => "bank_only",
            Kind::LedgerOnly => "ledger_only",
            Kind::LedgerBatch => "ledger_batch",
            Kind::NameOnly => "name_only",
        }
    }
}

/// SplitMix64: tiny, fast, and stable forever (unlike a library's default generator).
pub(crate) struct Rng(pub(crate) u64);

impl Rng {
    pub(crate) fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in 0..n (n > 0).
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next()) * u128::from(n)) >> 64) as u64
    }
    pub(crate) fn range(&mut self, lo: i64, hi_inclusive: i64) -> i64 {
        lo + self.below((hi_inclusive - lo + 1) as u64) as i64
    }
    fn percent(&mut self) -> u64 {
        self.below(100)
    }
}

pub(crate) struct Account {
    id: &'static str,
    currency: &'static str,
}

pub(crate) const ACCOUNTS: [Account; 4] = [
    Account {
        id: "NL91ABNA0417164300",
        currency: "EUR",
    },
    Account {
        id: "DE89370400440532013000",
        currency: "EUR",
    },
    Account {
        id: "GB29NWBK60161331926819",
        currency: "GBP",
    },
    Account {
        id: "US-CHASE-000123456789",
        currency: "USD",
    },
];

const NAME_FIRST: [&str; 16] = [
    "Acme",
    "Northwind",
    "Globex",
    "Initech",
    "Umbrella",
    "Stark",
    "Wayne",
    "Hooli",
    "Vandelay",
    "Soylent",
    "Tyrell",
    "Cyberdyne",
    "Wonka",
    "Gringotts",
    "Oceanic",
    "Pied Piper",
];
const NAME_SECOND: [&str; 8] = [
    "Trading",
    "Logistics",
    "Foods",
    "Industries",
    "Systems",
    "Retail",
    "Energy",
    "Holdings",
];
const NAME_LEGAL: [&str; 6] = ["BV", "GmbH", "Ltd", "Inc", "SA", "AG"];

/// A side of one generated item before it is written.
pub(crate) struct Item {
    pub(crate) account: usize,
    pub(crate) date: Date,
    pub(crate) value_date: Date,
    pub(crate) amount_minor: i64,
    pub(crate) reference: String,
    pub(crate) description: String,
    pub(crate) group: u64,
    pub(crate) kind: Kind,
}

/// The data of the profile called `name` (`classic`: [`generate`]), or None for an unknown name.
pub fn generate_named(config: &GenConfig, name: &str) -> Option<Generated> {
    if name == "classic" {
        return Some(generate(config));
    }
    profiles::Profile::named(name).map(|p| profiles::generate_profile(config, &p))
}

/// Generates `config.bank_lines` bank lines (exactly), about 1.1 times as many ledger entries, and
/// the truth. Deterministic in `config`.
pub fn generate(config: &GenConfig) -> Generated {
    let mut rng = Rng(config.seed ^ 0x005E_ED0F_BA4C);
    let mut bank: Vec<Item> = Vec::with_capacity(config.bank_lines);
    let mut ledger: Vec<Item> = Vec::with_capacity(config.bank_lines + config.bank_lines / 5);
    let mut group: u64 = 0;
    let mut invoice: u64 = 100_000;
    let period = u64::from(config.period_days.max(1));

    while bank.len() < config.bank_lines {
        group += 1;
        let remaining = config.bank_lines - bank.len();
        let account = rng.below(ACCOUNTS.len() as u64) as usize;
        let date = config.start + Days::new(rng.below(period));
        let counterparty = counterparty_name(&mut rng);
        invoice += 1 + rng.below(3);
        let reference = format!("INV-{invoice:07}");
        let amount = random_amount(&mut rng);
        let roll = rng.percent();
        let (pair_group, pair_invoice, pair_counterparty) = (group, invoice, &counterparty);
        let pair = move |kind: Kind,
                         bank_amount: i64,
                         ledger_amount: i64,
                         ledger_date: Date,
                         bank_ref: String,
                         ledger_ref: String| {
            (
                Item {
                    account,
                    date,
                    value_date: date,
                    amount_minor: bank_amount,
                    reference: bank_ref,
                    description: pair_counterparty.clone(),
                    group: pair_group,
                    kind,
                },
                Item {
                    account,
                    date: ledger_date,
                    value_date: ledger_date,
                    amount_minor: ledger_amount,
                    reference: ledger_ref,
                    description: format!("{pair_counterparty} invoice {pair_invoice}"),
                    group: pair_group,
                    kind,
                },
            )
        };
        match roll {
            0..=51 => {
                let bank_ref = bank_style_reference(&mut rng, &reference);
                let (b, l) = pair(Kind::Exact, amount, amount, date, bank_ref, reference);
                bank.push(b);
                ledger.push(l);
            }
            52..=63 => {
                let lag = rng.range(1, 5);
                let ledger_date = if rng.below(3) == 0 {
                    date + Days::new(lag as u64)
                } else {
                    date - Days::new(lag as u64)
                };
                let (mut b, l) = pair(
                    Kind::DateLag,
                    amount,
                    amount,
                    ledger_date,
                    reference.clone(),
                    reference,
                );
                // Value date may differ from booking date on the bank side too.
                b.value_date = date + Days::new(rng.below(2));
                bank.push(b);
                ledger.push(l);
            }
            64..=71 => {
                let noisy = match rng.below(3) {
                    0 => String::new(),
                    1 => garble(&mut rng, &reference),
                    _ => format!("PMT/{}", reference.replace('-', " ").to_lowercase()),
                };
                let lag = rng.below(3);
                let (b, l) = pair(
                    Kind::ReferenceNoise,
                    amount,
                    amount,
                    date - Days::new(lag),
                    noisy,
                    reference,
                );
                bank.push(b);
                ledger.push(l);
            }
            72..=76 if remaining >= 1 => {
                // The remittance information lists the invoices it settles, as SEPA batch
                // payments do.
                let parts = rng.range(2, 5) as usize;
                let sign = if amount < 0 { -1 } else { 1 };
                let mut total = 0i64;
                let mut listed = String::new();
                for _ in 0..parts {
                    invoice += 1;
                    let part = sign * random_amount(&mut rng).abs().clamp(100, 2_000_000);
                    total += part;
                    let _ = write!(listed, " INV-{invoice:07}");
                    ledger.push(Item {
                        account,
                        date: date - Days::new(rng.below(3)),
                        value_date: date,
                        amount_minor: part,
                        reference: format!("INV-{invoice:07}"),
                        description: format!("{counterparty} invoice {invoice}"),
                        group,
                        kind: Kind::Batch,
                    });
                }
                bank.push(Item {
                    account,
                    date,
                    value_date: date,
                    amount_minor: total,
                    reference: format!("BATCH-{group}"),
                    description: format!("{counterparty} batch payment{listed}"),
                    group,
                    kind: Kind::Batch,
                });
            }
            77..=79 if remaining >= 3 => {
                let parts = rng.range(2, 3) as usize;
                let sign = if amount < 0 { -1 } else { 1 };
                let magnitude = amount.abs().max(parts as i64 * 100);
                let mut left = magnitude;
                for i in 0..parts {
                    let part = if i + 1 == parts {
                        left
                    } else {
                        let p = left / (parts - i) as i64 + rng.range(-50, 50);
                        left -= p;
                        p
                    };
                    bank.push(Item {
                        account,
                        date: date + Days::new(i as u64 * 7),
                        value_date: date + Days::new(i as u64 * 7),
                        amount_minor: sign * part,
                        reference: reference.clone(),
                        description: format!("{counterparty} instalment {}/{parts}", i + 1),
                        group,
                        kind: Kind::Partial,
                    });
                }
                let (_, l) = pair(
                    Kind::Partial,
                    0,
                    sign * magnitude,
                    date,
                    String::new(),
                    reference,
                );
                ledger.push(l);
            }
            80..=83 => {
                // Incoming payment with a charge deducted by the bank.
                let gross = amount.abs().max(10_000);
                let fee = rng.range(50, 2_500).min(gross / 10);
                let (b, l) = pair(
                    Kind::BankCharge,
                    gross - fee,
                    gross,
                    date,
                    reference.clone(),
                    reference,
                );
                bank.push(b);
                ledger.push(l);
            }
            84..=88 if remaining >= 2 => {
                // Two payments, same amount, same day, same account: references tell them apart.
                let (b1, l1) = pair(
                    Kind::LookAlike,
                    amount,
                    amount,
                    date,
                    reference.clone(),
                    reference,
                );
                bank.push(b1);
                ledger.push(l1);
                group += 1;
                invoice += 1;
                let other = format!("INV-{invoice:07}");
                let (mut b2, mut l2) =
                    pair(Kind::LookAlike, amount, amount, date, other.clone(), other);
                b2.group = group;
                l2.group = group;
                let name = counterparty_name(&mut rng);
                b2.description = name.clone();
                l2.description = format!("{name} invoice {invoice}");
                bank.push(b2);
                ledger.push(l2);
            }
            89..=91 => {
                let (amount_minor, text) = if rng.below(2) == 0 {
                    (-rng.range(100, 5_000), "Account maintenance fee")
                } else {
                    (rng.range(1, 20_000), "Credit interest")
                };
                bank.push(Item {
                    account,
                    date,
                    value_date: date,
                    amount_minor,
                    reference: String::new(),
                    description: text.to_string(),
                    group,
                    kind: Kind::BankOnly,
                });
            }
            _ => {
                // Ledger-only items: an outstanding cheque or a deposit in transit, then an exact pair
                // so the bank line count keeps moving.
                let late = config.start + Days::new(period.saturating_sub(1 + rng.below(5)));
                ledger.push(Item {
                    account,
                    date: late,
                    value_date: late,
                    amount_minor: amount,
                    reference: reference.clone(),
                    description: format!(
                        "{counterparty} {}",
                        if amount < 0 { "cheque" } else { "deposit" }
                    ),
                    group,
                    kind: Kind::LedgerOnly,
                });
                group += 1;
                invoice += 1;
                let other = format!("INV-{invoice:07}");
                let amount = random_amount(&mut rng);
                let (mut b, mut l) = pair(Kind::Exact, amount, amount, date, other.clone(), other);
                b.group = group;
                l.group = group;
                bank.push(b);
                ledger.push(l);
            }
        }
    }
    bank.truncate(config.bank_lines);
    // A truncated partial group would leave its ledger entry unbalanced: the generator only starts
    // multi-line groups when enough lines remain, so truncation never cuts one.
    write_files(bank, ledger)
}

/// The three files of generated items: both sides in date order (ties keep generation order),
/// ids in file order, the truth by group.
pub(crate) fn write_files(mut bank: Vec<Item>, mut ledger: Vec<Item>) -> Generated {
    // Files are in date order, as banks and ledgers export them; ties keep generation order.
    bank.sort_by_key(|i| i.date);
    ledger.sort_by_key(|i| i.date);

    let mut out = Generated {
        bank_line_count: bank.len(),
        ledger_entry_count: ledger.len(),
        ..Generated::default()
    };
    let mut truth: Vec<(u64, &'static str, String, Kind)> =
        Vec::with_capacity(bank.len() + ledger.len());
    out.bank_csv.reserve(bank.len() * 96);
    out.bank_csv.push_str(
        "line_id,account,booking_date,value_date,amount,currency,reference,description\n",
    );
    for (n, item) in bank.iter().enumerate() {
        let id = format!("B{:08}", n + 1);
        let account = &ACCOUNTS[item.account];
        let exponent = currency_exponent(account.currency);
        let _ = writeln!(
            out.bank_csv,
            "{id},{},{},{},{},{},{},{}",
            account.id,
            item.date,
            item.value_date,
            format_minor(item.amount_minor, exponent),
            account.currency,
            item.reference,
            item.description
        );
        truth.push((item.group, "bank", id, item.kind));
    }
    out.ledger_csv.reserve(ledger.len() * 96);
    out.ledger_csv
        .push_str("entry_id,account,posting_date,amount,currency,reference,description\n");
    for (n, item) in ledger.iter().enumerate() {
        let id = format!("L{:08}", n + 1);
        let account = &ACCOUNTS[item.account];
        let exponent = currency_exponent(account.currency);
        let _ = writeln!(
            out.ledger_csv,
            "{id},{},{},{},{},{},{}",
            account.id,
            item.date,
            format_minor(item.amount_minor, exponent),
            account.currency,
            item.reference,
            item.description
        );
        truth.push((item.group, "ledger", id, item.kind));
    }
    truth.sort_by(|a, b| (a.0, a.1, &a.2).cmp(&(b.0, b.1, &b.2)));
    out.truth_csv.reserve(truth.len() * 40);
    out.truth_csv.push_str("group_id,side,item_id,kind\n");
    for (group, side, id, kind) in &truth {
        let _ = writeln!(out.truth_csv, "G{group:08},{side},{id},{}", kind.name());
    }
    out
}

fn currency_exponent(code: &str) -> u32 {
    Currency::from_code(code).map_or(2, |c| c.exponent())
}

/// Amounts spread over five orders of magnitude, 60% outgoing.
fn random_amount(rng: &mut Rng) -> i64 {
    let magnitude = match rng.below(10) {
        0..=3 => rng.range(100, 20_000),
        4..=7 => rng.range(20_000, 500_000),
        8 => rng.range(500_000, 5_000_000),
        _ => rng.range(5_000_000, 50_000_000),
    };
    if rng.below(5) < 3 {
        -magnitude
    } else {
        magnitude
    }
}

pub(crate) fn counterparty_name(rng: &mut Rng) -> String {
    format!(
        "{} {} {}",
        NAME_FIRST[rng.below(NAME_FIRST.len() as u64) as usize],
        NAME_SECOND[rng.below(NAME_SECOND.len() as u64) as usize],
        NAME_LEGAL[rng.below(NAME_LEGAL.len() as u64) as usize]
    )
}

/// How banks echo a ledger reference: as is, with a payment prefix, or with other punctuation.
fn bank_style_reference(rng: &mut Rng, reference: &str) -> String {
    match rng.below(6) {
        0 => format!("PMT/{reference}"),
        1 => reference.replace('-', ""),
        2 => reference.to_lowercase(),
        _ => reference.to_string(),
    }
}

/// One typo: a digit changed or two neighbours swapped.
pub(crate) fn garble(rng: &mut Rng, reference: &str) -> String {
    let mut bytes = reference.as_bytes().to_vec();
    let digits: Vec<usize> = (0..bytes.len())
        .filter(|&i| bytes[i].is_ascii_digit())
        .collect();
    if digits.len() < 2 {
        return reference.to_string();
    }
    let i = digits[rng.below(digits.len() as u64 - 1) as usize];
    if rng.below(2) == 0 && bytes[i] != bytes[i + 1] && bytes[i + 1].is_ascii_digit() {
        bytes.swap(i, i + 1);
    } else {
        bytes[i] = b'0' + ((bytes[i] - b'0' + 1 + rng.below(8) as u8) % 10);
    }
    String::from_utf8(bytes).unwrap_or_else(|_| reference.to_string())
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use std::collections::HashMap;

    #[test]
    fn deterministic_and_exact_count() {
        let a = generate(&GenConfig::new(5_000, 7));
        let b = generate(&GenConfig::new(5_000, 7));
        assert_eq!(a.bank_csv, b.bank_csv);
        assert_eq!(a.truth_csv, b.truth_csv);
        assert_eq!(a.bank_line_count, 5_000);
        assert_eq!(a.bank_csv.lines().count(), 5_001);
        assert!(a.ledger_entry_count > 5_000, "{}", a.ledger_entry_count);
        let c = generate(&GenConfig::new(5_000, 8));
        assert_ne!(a.bank_csv, c.bank_csv);
    }

    #[test]
    fn every_kind_appears() {
        let g = generate(&GenConfig::new(20_000, 1));
        for kind in [
            Kind::Exact,
            Kind::DateLag,
            Kind::ReferenceNoise,
            Kind::Batch,
            Kind::Partial,
            Kind::BankCharge,
            Kind::LookAlike,
            Kind::BankOnly,
            Kind::LedgerOnly,
        ] {
            assert!(
                g.truth_csv.contains(&format!(",{}\n", kind.name())),
                "{}",
                kind.name()
            );
        }
    }

    /// Each truth group's (bank total, ledger total, kind), from the files' amounts.
    pub(crate) fn group_sums(g: &Generated) -> HashMap<String, (i64, i64, String)> {
        let amount = |csv: &str, col: usize| -> HashMap<String, i64> {
            csv.lines()
                .skip(1)
                .map(|l| {
                    let f: Vec<&str> = l.split(',').collect();
                    (
                        f[0].to_string(),
                        recon_model::parse_minor(f[col], b'.', currency_exponent(f[col + 1]))
                            .unwrap(),
                    )
                })
                .collect()
        };
        let bank = amount(&g.bank_csv, 4);
        let ledger = amount(&g.ledger_csv, 3);
        let mut sums: HashMap<String, (i64, i64, String)> = HashMap::new();
        for l in g.truth_csv.lines().skip(1) {
            let f: Vec<&str> = l.split(',').collect();
            let e = sums
                .entry(f[0].to_string())
                .or_insert((0, 0, f[3].to_string()));
            if f[1] == "bank" {
                e.0 += bank[f[2]];
            } else {
                e.1 += ledger[f[2]];
            }
        }
        sums
    }

    /// Every group balances, except a charge (bank less than ledger) and one-sided items.
    pub(crate) fn assert_balanced(g: &Generated, what: &str) {
        for (group, (b, l, kind)) in group_sums(g) {
            match kind.as_str() {
                "bank_charge" => assert!(b < l, "{what} {group}"),
                "bank_only" => assert_eq!(l, 0, "{what} {group}"),
                "ledger_only" => assert_eq!(b, 0, "{what} {group}"),
                _ => assert_eq!(b, l, "{what} {group} {kind}"),
            }
        }
    }

    #[test]
    fn groups_balance_except_charges_and_one_sided() {
        assert_balanced(&generate(&GenConfig::new(20_000, 3)), "classic");
    }
}
