//! The run: intern and sort the items, apply each pass to what is still open, resolve candidates
//! through the ambiguity guard, then number groups and list exceptions deterministically.

use crate::model::Explanation;
use crate::model::*;
use crate::normalize;
use crate::passes::{self, Candidate, Ids};
use crate::rules::{Outcome, RuleSet};
use recon_model::Currency;
use std::collections::{HashMap, HashSet};
use std::sync::Arc;

/// One side's items in columns, sorted by id. Index = position in these vectors.
pub(crate) struct Table<'a> {
    /// Copied into one buffer: results read them in group order, which for one side is random;
    /// a compact column is far kinder to caches than slices spread over a 100 MB file.
    /// Shared with [`Confirmed`] groups handed out during the run.
    pub ids: Arc<Texts>,
    pub account: Vec<u32>,
    pub currency: Arc<[Currency]>,
    /// Days since 1970-01-01.
    pub date: Vec<i32>,
    pub amount: Arc<[i64]>,
    /// Normalized reference ("" when none).
    pub reference: Texts,
    pub reference_hash: Vec<u64>,
    pub description: Vec<&'a str>,
    /// Hash of the folded counterparty name (0 when none).
    pub counterparty_hash: Vec<u64>,
    pub raw_reference: Vec<&'a str>,
    /// A batch booking's transactions (empty for most items).
    pub details: Vec<&'a [recon_model::BatchDetail]>,
    /// Still available to later passes (not locked, not auto-confirmed).
    pub open: Vec<bool>,
}

impl<'a> Table<'a> {
    fn new(
        items: &[Item<'a>],
        side: &'static str,
    ) -> Result<(Table<'a>, Vec<&'a str>), MatchError> {
        // Positions in id order (most inputs already are: then no sort at all). Stable, so a
        // duplicate id is found next to its twin.
        // Strictly increasing ids (the usual case) are also distinct: no sort, no second look.
        let mut order: Vec<u32> = (0..items.len() as u32).collect();
        if !items.is_sorted_by(|a, b| less(a.id, b.id)) {
            order.sort_by(|&a, &b| items[a as usize].id.cmp(items[b as usize].id));
            if let Some(w) = order
                .windows(2)
                .find(|w| items[w[0] as usize].id == items[w[1] as usize].id)
            {
                return Err(MatchError::DuplicateId {
                    side,
                    id: items[w[0] as usize].id.to_string(),
                });
            }
        }
        let n = items.len();
        let mut ids = Texts::with_capacity(n, items.iter().map(|i| i.id.len()).sum());
        let mut currency = Vec::with_capacity(n);
        let mut amount = Vec::with_capacity(n);
        let mut t = Table {
            ids: Arc::new(Texts::with_capacity(0, 0)),
            account: Vec::with_capacity(n),
            currency: Arc::new([]),
            date: Vec::with_capacity(n),
            amount: Arc::new([]),
            reference: Texts::with_capacity(n, items.iter().map(|i| i.reference.len()).sum()),
            reference_hash: Vec::with_capacity(n),
            description: Vec::with_capacity(n),
            counterparty_hash: Vec::with_capacity(n),
            raw_reference: Vec::with_capacity(n),
            details: Vec::with_capacity(n),
            open: vec![true; n],
        };
        // Days since 1970-01-01, from chrono's day count since the common era (cheaper than
        // subtracting dates).
        use chrono::Datelike as _;
        let epoch = recon_model::Date::from_ymd_opt(1970, 1, 1)
            .expect("valid date")
            .num_days_from_ce();
        // Accounts by address: readers hand on one slice per account, so a handful of recent
        // slices answers almost every item without hashing its text.
        // Numbered here in order of appearance (`names`), renumbered in name order across both
        // sides by `prepare`.
        let mut recent: Vec<(&str, u32)> = Vec::new();
        let mut names: Vec<&'a str> = Vec::new();
        let mut numbers: HashMap<&'a str, u32> = HashMap::new();
        for &i in &order {
            let item = &items[i as usize];
            let reference = t
                .reference
                .push_with(|out| normalize::reference_into(item.reference, out));
            t.reference_hash.push(if reference.is_empty() {
                0
            } else {
                passes::hash_str(reference)
            });
            ids.push_with(|out| out.push_str(item.id));
            let account = match recent
                .iter()
                .find(|(name, _)| same_slice(name, item.account))
            {
                Some(&(_, n)) => n,
                None => {
                    let n = *numbers.entry(item.account).or_insert_with(|| {
                        names.push(item.account);
                        names.len() as u32 - 1
                    });
                    if recent.len() < 16 {
                        recent.push((item.account, n));
                    }
                    n
                }
            };
            t.account.push(account);
            currency.push(item.currency);
            t.date.push(item.date.num_days_from_ce() - epoch);
            amount.push(item.amount_minor);
            t.description.push(item.description);
            t.counterparty_hash
                .push(passes::hash_folded(item.counterparty));
            t.raw_reference.push(item.reference);
            t.details.push(item.details);
        }
        t.ids = Arc::new(ids);
        t.currency = currency.into();
        t.amount = amount.into();
        Ok((t, names))
    }

    pub fn len(&self) -> usize {
        self.amount.len()
    }

    fn index_of(&self, id: &str) -> Option<usize> {
        let (mut low, mut high) = (0, self.len());
        while low < high {
            let mid = (low + high) / 2;
            match self.ids[mid].cmp(id) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }
}

/// `a < b`, deciding on the first eight bytes without a call to `memcmp` when they differ (ids
/// of consecutive items usually do).
fn less(a: &str, b: &str) -> bool {
    if let (Some(x), Some(y)) = (a.as_bytes().get(..8), b.as_bytes().get(..8)) {
        let x = u64::from_be_bytes(x.try_into().unwrap_or_default());
        let y = u64::from_be_bytes(y.try_into().unwrap_or_default());
        if x != y {
            return x < y;
        }
    }
    a < b
}

/// The very same slice (not just equal text): readers hand on one slice per account.
fn same_slice(a: &str, b: &str) -> bool {
    a.as_ptr() == b.as_ptr() && a.len() == b.len()
}

/// A column of strings in one buffer: one allocation for the column, not one per item.
pub(crate) struct Texts {
    text: String,
    /// End of item i's text in `text` (its start is the previous end).
    ends: Vec<usize>,
}

impl Texts {
    fn with_capacity(items: usize, bytes: usize) -> Texts {
        Texts {
            text: String::with_capacity(bytes),
            ends: Vec::with_capacity(items),
        }
    }

    /// Appends the next item's text, written by `write`, and returns it.
    fn push_with(&mut self, write: impl FnOnce(&mut String)) -> &str {
        let start = self.text.len();
        write(&mut self.text);
        self.ends.push(self.text.len());
        &self.text[start..]
    }
}

impl std::ops::Index<usize> for Texts {
    type Output = str;

    fn index(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }
}

pub(crate) struct Tables<'a> {
    pub bank: Table<'a>,
    pub ledger: Table<'a>,
    pub rejected: HashSet<(u32, u32)>,
}

/// A group found by a pass, before numbering.
pub(crate) struct Found {
    pass: usize,
    status: MatchStatus,
    bank: Ids,
    ledger: Ids,
    score: u32,
    similarity: u32,
    /// Other candidates of the same pass share items with this one.
    not_unique: bool,
}

/// Runs the rule set over the input.
pub fn run(
    input: &MatchInput<'_>,
    rules: &RuleSet,
    observer: &mut dyn Observer,
) -> Result<MatchOutcome, MatchError> {
    let tables = prepare(input, observer)?;
    Ok(match_tables(tables, rules, observer)?.into_outcome())
}

/// [`run`] without building owned groups: the result borrows the items' text, and is read group
/// by group (or turned into a [`MatchOutcome`]). The input's item lists are freed as soon as they
/// are copied into columns (about 200 MB less at the peak for a million bank lines and their
/// ledger entries). `recon match` writes its result files this way.
pub fn run_borrowed<'a>(
    input: MatchInput<'a>,
    rules: &RuleSet,
    observer: &mut dyn Observer,
) -> Result<Matched<'a>, MatchError> {
    let tables = prepare(&input, observer)?;
    drop(input);
    match_tables(tables, rules, observer)
}

/// The items in columns, with locked items closed and rejected pairs noted.
fn prepare<'a>(
    input: &MatchInput<'a>,
    observer: &mut dyn Observer,
) -> Result<Tables<'a>, MatchError> {
    observer.phase("prepare");
    // The two sides are independent: build them on two threads.
    let (bank, ledger) = std::thread::scope(|scope| {
        let ledger = scope.spawn(|| Table::new(&input.ledger, "ledger"));
        let bank = Table::new(&input.bank, "bank");
        (bank, ledger.join())
    });
    let ledger =
        ledger.map_err(|_| MatchError::Engine("preparing the ledger side panicked".into()))?;
    let ((mut bank, bank_names), (mut ledger, ledger_names)) = (bank?, ledger?);
    // Accounts numbered in name order across both sides.
    let mut names: Vec<&str> = bank_names.iter().chain(&ledger_names).copied().collect();
    names.sort_unstable();
    names.dedup();
    let number = |name: &str| names.binary_search(&name).unwrap_or_default() as u32;
    for (table, local) in [(&mut bank, &bank_names), (&mut ledger, &ledger_names)] {
        let global: Vec<u32> = local.iter().map(|name| number(name)).collect();
        if global.iter().enumerate().any(|(i, &g)| g != i as u32) {
            for a in &mut table.account {
                *a = global[*a as usize];
            }
        }
    }
    let mut tables = Tables {
        bank,
        ledger,
        rejected: HashSet::new(),
    };
    for group in &input.locked {
        for id in &group.bank_ids {
            let i = tables
                .bank
                .index_of(id)
                .ok_or_else(|| MatchError::UnknownLockedItem {
                    side: "bank",
                    id: id.clone(),
                })?;
            tables.bank.open[i] = false;
        }
        for id in &group.ledger_ids {
            let i = tables
                .ledger
                .index_of(id)
                .ok_or_else(|| MatchError::UnknownLockedItem {
                    side: "ledger",
                    id: id.clone(),
                })?;
            tables.ledger.open[i] = false;
        }
    }
    for (b, l) in &input.rejected {
        if let (Some(b), Some(l)) = (tables.bank.index_of(b), tables.ledger.index_of(l)) {
            tables.rejected.insert((b as u32, l as u32));
        }
    }
    Ok(tables)
}

/// Every pass over what earlier passes left open, then the numbered result.
fn match_tables<'a>(
    mut tables: Tables<'a>,
    rules: &RuleSet,
    observer: &mut dyn Observer,
) -> Result<Matched<'a>, MatchError> {
    let mut found: Vec<Found> = Vec::with_capacity(tables.bank.len());
    let mut confirmed_so_far = 0;
    // Suggestions per item over the whole run: an item already offered `suggestions_max` times
    // (by this or an earlier, stronger pass) is offered no more.
    let mut suggested = [
        vec![0usize; tables.bank.len()],
        vec![0usize; tables.ledger.len()],
    ];
    // The limits each pass reached (reported with its counts, never silently).
    let mut limits: Vec<Vec<LimitHit>> = vec![Vec::new(); rules.passes.len()];
    for (pass_index, pass) in rules.passes.iter().enumerate() {
        observer.phase(&format!("pass {}", pass.name));
        let candidates = passes::candidates(&tables, pass, &mut limits[pass_index])
            .map_err(|e| MatchError::Engine(e.to_string()))?;
        let candidates: Vec<Candidate> = if tables.rejected.is_empty() {
            candidates
        } else {
            candidates
                .into_iter()
                .filter(|c| {
                    !(c.bank.len() == 1
                        && c.ledger.len() == 1
                        && tables.rejected.contains(&(c.bank[0], c.ledger[0])))
                })
                .collect()
        };
        let start = found.len();
        let dropped = resolve(
            &mut tables,
            pass_index,
            pass,
            candidates,
            &mut found,
            &mut suggested,
        );
        if dropped > 0 {
            limits[pass_index].push(LimitHit {
                limit: Limit::Suggestions,
                count: dropped,
            });
        }
        if observer.wants_confirmed() {
            let mut groups: Vec<(Ids, Ids)> = found[start..]
                .iter()
                .take_while(|f| f.status == MatchStatus::Auto)
                .map(|f| (f.bank.clone(), f.ledger.clone()))
                .collect();
            if !groups.is_empty() {
                // The order `number` gives them (items are sorted within groups by `resolve`).
                groups.sort();
                let count = groups.len();
                observer.confirmed(Confirmed {
                    rule: pass.name.clone(),
                    first: confirmed_so_far,
                    groups,
                    columns: [Columns::of(&tables.bank), Columns::of(&tables.ledger)],
                });
                confirmed_so_far += count;
            }
        }
    }

    observer.phase("output");
    Ok(number(tables, rules, found, limits))
}

/// The ambiguity guard: a candidate whose items appear in no other candidate of this pass is
/// confirmed (when the pass auto-confirms); the others become ranked suggestions.
fn resolve(
    tables: &mut Tables<'_>,
    pass_index: usize,
    pass: &crate::rules::Pass,
    mut candidates: Vec<Candidate>,
    found: &mut Vec<Found>,
    suggested: &mut [Vec<usize>; 2],
) -> usize {
    // Per-item counters indexed by position: no hashing on the hot path.
    let mut bank_count = vec![0u32; tables.bank.len()];
    let mut ledger_count = vec![0u32; tables.ledger.len()];
    for c in &candidates {
        for &b in &c.bank {
            bank_count[b as usize] += 1;
        }
        for &l in &c.ledger {
            ledger_count[l as usize] += 1;
        }
    }
    let unique = |c: &Candidate| {
        c.bank.iter().all(|&b| bank_count[b as usize] == 1)
            && c.ledger.iter().all(|&l| ledger_count[l as usize] == 1)
    };
    if pass.outcome == Outcome::Auto {
        // Confirmed candidates go straight to the groups; the rest (usually few) stay.
        let mut rest = Vec::new();
        for mut c in candidates {
            if !unique(&c) {
                rest.push(c);
                continue;
            }
            // Items in id order, as the result shows them.
            c.bank.sort_unstable();
            c.ledger.sort_unstable();
            for &b in &c.bank {
                debug_assert!(tables.bank.open[b as usize], "item in two confirmed groups");
                tables.bank.open[b as usize] = false;
            }
            for &l in &c.ledger {
                debug_assert!(
                    tables.ledger.open[l as usize],
                    "item in two confirmed groups"
                );
                tables.ledger.open[l as usize] = false;
            }
            found.push(Found {
                pass: pass_index,
                status: MatchStatus::Auto,
                bank: c.bank,
                ledger: c.ledger,
                score: c.score,
                similarity: c.similarity,
                not_unique: false,
            });
        }
        candidates = rest;
    }
    // Best first, ties broken by item indexes (which follow the ids): deterministic.
    candidates.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then_with(|| a.bank.cmp(&b.bank))
            .then_with(|| a.ledger.cmp(&b.ledger))
    });
    let [suggestions_per_bank, suggestions_per_ledger] = suggested;
    let mut dropped = 0usize;
    for c in candidates {
        // Every item of the group has room left: at most `suggestions_max` per item, the best
        // ranked first, so the suggestions never outnumber what people can look at.
        let within_limit = c
            .bank
            .iter()
            .all(|&b| suggestions_per_bank[b as usize] < pass.suggestions_max)
            && c.ledger
                .iter()
                .all(|&l| suggestions_per_ledger[l as usize] < pass.suggestions_max);
        if !within_limit {
            dropped += 1;
            continue;
        }
        for &b in &c.bank {
            suggestions_per_bank[b as usize] += 1;
        }
        for &l in &c.ledger {
            suggestions_per_ledger[l as usize] += 1;
        }
        let not_unique = !unique(&c);
        found.push(Found {
            pass: pass_index,
            status: MatchStatus::Suggested,
            bank: c.bank,
            ledger: c.ledger,
            score: c.score,
            similarity: c.similarity,
            not_unique,
        });
    }
    dropped
}

/// The result of a run, numbered, borrowing the items' text: groups are read one by one without
/// an owned copy of each (a million groups as [`MatchGroup`]s cost about a second of allocation).
pub struct Matched<'a> {
    tables: Tables<'a>,
    /// The groups as found; group n is `found[order[n]]`.
    found: Vec<Found>,
    order: Vec<u32>,
    /// The rule set's passes: groups' rule names and explanations.
    rules: Vec<crate::rules::Pass>,
    passes: Vec<PassStats>,
    exceptions: Vec<OpenItem>,
}

/// An item no confirmed group settles, by position.
struct OpenItem {
    side: Side,
    index: u32,
    reason: ExceptionReason,
    /// Numbers of the suggested groups it is in, best first.
    suggestions: Vec<u32>,
}

/// A numbered group of a [`Matched`] result.
#[derive(Clone, Copy)]
pub struct GroupView<'m, 'a> {
    matched: &'m Matched<'a>,
    number: usize,
    found: &'m Found,
}

impl<'m, 'a> GroupView<'m, 'a> {
    /// 1, 2, …: the number in the match id.
    pub fn number(&self) -> usize {
        self.number + 1
    }
    pub fn match_id(&self) -> String {
        match_id(self.number)
    }
    pub fn rule(&self) -> &'m str {
        &self.matched.rules[self.found.pass].name
    }
    pub fn status(&self) -> MatchStatus {
        self.found.status
    }
    pub fn currency(&self) -> Currency {
        self.matched.tables.bank.currency[self.found.bank[0] as usize]
    }
    /// The bank lines: (line_id, amount in minor units), in id order.
    pub fn bank(&self) -> impl Iterator<Item = (&'m str, i64)> + 'm {
        self.items(Side::Bank)
    }
    /// The ledger entries: (entry_id, amount in minor units), in id order.
    pub fn ledger(&self) -> impl Iterator<Item = (&'m str, i64)> + 'm {
        self.items(Side::Ledger)
    }
    /// One side's items: (id, amount in minor units), in id order.
    pub fn items(&self, side: Side) -> impl Iterator<Item = (&'m str, i64)> + 'm {
        let t = self.matched.tables.side(side);
        let items = match side {
            Side::Bank => &self.found.bank,
            Side::Ledger => &self.found.ledger,
        };
        items
            .iter()
            .map(move |&i| (&t.ids[i as usize], t.amount[i as usize]))
    }
    pub fn score(&self) -> u32 {
        self.found.score
    }
    /// Which fields agreed and by how much (derived from the group's items on each call).
    pub fn explanation(&self) -> Explanation {
        let f = self.found;
        let (_, mut explanation) = passes::explain(
            &self.matched.tables,
            &self.matched.rules[f.pass],
            &f.bank,
            &f.ledger,
            f.similarity,
        );
        explanation.not_unique = f.not_unique;
        explanation
    }
}

/// The output columns of one side, shared between the run and what it hands out.
#[derive(Clone)]
struct Columns {
    ids: Arc<Texts>,
    amount: Arc<[i64]>,
    currency: Arc<[Currency]>,
}

impl Columns {
    fn of(t: &Table<'_>) -> Columns {
        Columns {
            ids: t.ids.clone(),
            amount: t.amount.clone(),
            currency: t.currency.clone(),
        }
    }
}

/// The groups one pass confirmed, with their final numbers (see [`Observer::confirmed`]). Owns
/// what it shows, so it can be sent to another thread.
pub struct Confirmed {
    rule: String,
    /// Number (from 0) of the first group.
    first: usize,
    /// Bank and ledger positions of each group, in number order.
    groups: Vec<(Ids, Ids)>,
    columns: [Columns; 2],
}

impl Confirmed {
    pub fn len(&self) -> usize {
        self.groups.len()
    }

    pub fn is_empty(&self) -> bool {
        self.groups.is_empty()
    }

    /// The `k`th group (from 0) of these.
    pub fn group(&self, k: usize) -> ConfirmedGroup<'_> {
        ConfirmedGroup { confirmed: self, k }
    }
}

/// A group of a [`Confirmed`] batch: what the result files show of it.
#[derive(Clone, Copy)]
pub struct ConfirmedGroup<'c> {
    confirmed: &'c Confirmed,
    k: usize,
}

impl<'c> ConfirmedGroup<'c> {
    /// 1, 2, …: the number in the match id, as [`GroupView::number`].
    pub fn number(&self) -> usize {
        self.confirmed.first + self.k + 1
    }
    pub fn rule(&self) -> &'c str {
        &self.confirmed.rule
    }
    pub fn status(&self) -> MatchStatus {
        MatchStatus::Auto
    }
    pub fn currency(&self) -> Currency {
        let (bank, _) = &self.confirmed.groups[self.k];
        self.confirmed.columns[0].currency[bank[0] as usize]
    }
    /// One side's items: (id, amount in minor units), in id order.
    pub fn items(&self, side: Side) -> impl Iterator<Item = (&'c str, i64)> + 'c {
        let (bank, ledger) = &self.confirmed.groups[self.k];
        let (items, columns) = match side {
            Side::Bank => (bank, &self.confirmed.columns[0]),
            Side::Ledger => (ledger, &self.confirmed.columns[1]),
        };
        items
            .iter()
            .map(move |&i| (&columns.ids[i as usize], columns.amount[i as usize]))
    }
}

/// An exception of a [`Matched`] result.
#[derive(Clone, Copy, Debug)]
pub struct ExceptionView<'m> {
    pub side: Side,
    pub item_id: &'m str,
    pub amount_minor: i64,
    pub currency: Currency,
    pub reason: ExceptionReason,
}

impl<'a> Matched<'a> {
    /// Counts per pass, in rule order.
    pub fn passes(&self) -> &[PassStats] {
        &self.passes
    }

    pub fn group_count(&self) -> usize {
        self.order.len()
    }

    /// Group `n` (from 0) in number order.
    pub fn group(&self, n: usize) -> GroupView<'_, 'a> {
        GroupView {
            matched: self,
            number: n,
            found: &self.found[self.order[n] as usize],
        }
    }

    /// The groups numbered `range`, in order.
    pub fn groups(
        &self,
        range: std::ops::Range<usize>,
    ) -> impl ExactSizeIterator<Item = GroupView<'_, 'a>> {
        range.map(|n| self.group(n))
    }

    pub fn exception_count(&self) -> usize {
        self.exceptions.len()
    }

    /// The exceptions: bank lines in id order, then ledger entries in id order.
    pub fn exceptions(&self) -> impl ExactSizeIterator<Item = ExceptionView<'_>> + '_ {
        self.exceptions.iter().map(|x| {
            let t = self.tables.side(x.side);
            let i = x.index as usize;
            ExceptionView {
                side: x.side,
                item_id: &t.ids[i],
                amount_minor: t.amount[i],
                currency: t.currency[i],
                reason: x.reason,
            }
        })
    }

    /// Owned groups and exceptions, for callers that keep or store them.
    pub fn into_outcome(self) -> MatchOutcome {
        // The groups in two halves, on two threads.
        let count = self.group_count();
        let half = count / 2;
        let this = &self;
        let groups = std::thread::scope(|scope| {
            let second =
                scope.spawn(move || this.groups(half..count).map(to_group).collect::<Vec<_>>());
            let mut groups: Vec<MatchGroup> = Vec::with_capacity(count);
            groups.extend(this.groups(0..half).map(to_group));
            groups.extend(
                second
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
            );
            groups
        });
        let exceptions = self
            .exceptions
            .iter()
            .zip(self.exceptions())
            .map(|(x, view)| Exception {
                side: view.side,
                item_id: view.item_id.to_string(),
                amount_minor: view.amount_minor,
                currency: view.currency,
                reason: view.reason,
                suggestions: x
                    .suggestions
                    .iter()
                    .map(|&n| match_id(n as usize))
                    .collect(),
            })
            .collect();
        MatchOutcome {
            groups,
            exceptions,
            passes: self.passes,
        }
    }
}

impl<'a> Tables<'a> {
    fn side<'t>(&'t self, side: Side) -> &'t Table<'a> {
        match side {
            Side::Bank => &self.bank,
            Side::Ledger => &self.ledger,
        }
    }
}

fn to_group(g: GroupView<'_, '_>) -> MatchGroup {
    let item = |(id, amount_minor): (&str, i64)| ItemRef {
        id: id.to_string(),
        amount_minor,
    };
    let explanation = g.explanation();
    MatchGroup {
        match_id: g.match_id(),
        rule: g.rule().to_string(),
        status: g.status(),
        currency: g.currency(),
        difference_minor: explanation.bank_total_minor - explanation.ledger_total_minor,
        bank: g.bank().map(item).collect(),
        ledger: g.ledger().map(item).collect(),
        score: g.score(),
        explanation,
    }
}

/// Drops stale suggestions, checks the invariants, numbers the groups and lists the exceptions.
fn number<'a>(
    tables: Tables<'a>,
    rules: &RuleSet,
    mut found: Vec<Found>,
    limits: Vec<Vec<LimitHit>>,
) -> Matched<'a> {
    // Suggestions whose items were confirmed by a later pass are stale.
    found.retain(|f| {
        f.status == MatchStatus::Auto
            || (f.bank.iter().all(|b| tables.bank.open[*b as usize])
                && f.ledger.iter().all(|l| tables.ledger.open[*l as usize]))
    });
    for f in &mut found {
        f.bank.sort_unstable();
        f.ledger.sort_unstable();
    }
    // Numbered in (status, pass, items) order. The passes leave long sorted runs, and moving
    // positions is cheaper than moving the groups themselves. The invariants are checked
    // meanwhile, on another thread.
    let ((), order) = passes::both(
        || check_invariants(&tables, rules, &found),
        || {
            let mut order: Vec<u32> = (0..found.len() as u32).collect();
            order.sort_by(|&a, &b| {
                let (a, b) = (&found[a as usize], &found[b as usize]);
                (a.status, a.pass, &a.bank, &a.ledger).cmp(&(b.status, b.pass, &b.bank, &b.ledger))
            });
            order
        },
    );
    // Counts per pass, and each item's suggested groups (by group number), in one sweep.
    let mut passes: Vec<PassStats> = rules
        .passes
        .iter()
        .zip(limits)
        .map(|(p, limits)| PassStats {
            rule: p.name.clone(),
            limits,
            ..PassStats::default()
        })
        .collect();
    let mut suggestions_of: HashMap<(Side, u32), Vec<(u32, u32)>> = HashMap::new();
    for (n, f) in order.iter().map(|&i| &found[i as usize]).enumerate() {
        let s = &mut passes[f.pass];
        match f.status {
            MatchStatus::Auto => {
                s.auto_groups += 1;
                s.bank_items_auto += f.bank.len();
                s.ledger_items_auto += f.ledger.len();
            }
            MatchStatus::Suggested => {
                s.suggested_groups += 1;
                let sides = [(Side::Bank, &f.bank), (Side::Ledger, &f.ledger)];
                for (side, items) in sides {
                    for &i in items {
                        suggestions_of
                            .entry((side, i))
                            .or_default()
                            .push((1000 - f.score, n as u32));
                    }
                }
            }
        }
    }
    let mut exceptions = Vec::new();
    for (side, table) in [(Side::Bank, &tables.bank), (Side::Ledger, &tables.ledger)] {
        for i in 0..table.len() {
            if !table.open[i] {
                continue;
            }
            let mut suggestions = suggestions_of.remove(&(side, i as u32)).unwrap_or_default();
            suggestions.sort_unstable();
            let reason = match suggestions.len() {
                0 => ExceptionReason::NoCandidate,
                1 => ExceptionReason::Suggested,
                _ => ExceptionReason::Ambiguous,
            };
            exceptions.push(OpenItem {
                side,
                index: i as u32,
                reason,
                suggestions: suggestions.into_iter().map(|(_, n)| n).collect(),
            });
        }
    }
    Matched {
        tables,
        found,
        order,
        rules: rules.passes.clone(),
        passes,
        exceptions,
    }
}

/// Group number n (from 0) as its id: M0000001, M0000002, …
fn match_id(n: usize) -> String {
    format!("M{:07}", n + 1)
}

/// No item is in two confirmed groups; a group's difference (bank total minus ledger total,
/// recorded on it) is within its rule's tolerance; a group never mixes accounts or currencies. A violation is a bug in the engine, not bad input.
fn check_invariants(tables: &Tables<'_>, rules: &RuleSet, found: &[Found]) {
    let mut bank_seen = vec![false; tables.bank.len()];
    let mut ledger_seen = vec![false; tables.ledger.len()];
    for f in found {
        assert!(
            !f.bank.is_empty() && !f.ledger.is_empty(),
            "a group has both sides"
        );
        let currency = tables.bank.currency[f.bank[0] as usize];
        let account = tables.bank.account[f.bank[0] as usize];
        for (items, table, seen, side) in [
            (&f.bank, &tables.bank, &mut bank_seen, "bank"),
            (&f.ledger, &tables.ledger, &mut ledger_seen, "ledger"),
        ] {
            for &i in items {
                let i = i as usize;
                assert!(
                    table.currency[i] == currency && table.account[i] == account,
                    "{side} item {} is grouped across accounts or currencies",
                    &table.ids[i]
                );
                if f.status == MatchStatus::Auto {
                    assert!(
                        !seen[i],
                        "{side} item {} is in two confirmed groups",
                        &table.ids[i]
                    );
                    seen[i] = true;
                }
            }
        }
        let bank_total: i64 = f.bank.iter().map(|&b| tables.bank.amount[b as usize]).sum();
        let ledger_total: i64 = f
            .ledger
            .iter()
            .map(|&l| tables.ledger.amount[l as usize])
            .sum();
        // A difference only within the tolerance of the pass that made the group.
        let tolerance = passes::tolerance_minor(&rules.passes[f.pass], ledger_total);
        assert!(
            (bank_total - ledger_total).abs() <= tolerance,
            "group of {} differs by {} beyond its rule's tolerance {tolerance}",
            &tables.bank.ids[f.bank[0] as usize],
            bank_total - ledger_total
        );
    }
}

#[cfg(test)]
mod tests {
    use super::less;

    #[test]
    fn less_orders_like_str() {
        let ids = [
            "",
            "B",
            "B0000001",
            "B00000010",
            "B00000009",
            "B0000001x",
            "L00000001",
            "é",
            "B000000",
            "B0000002",
            "b0000001",
            "B0000001\u{0}",
        ];
        for a in ids {
            for b in ids {
                assert_eq!(less(a, b), a < b, "{a:?} < {b:?}");
            }
        }
    }
}
