//! Candidate search per pass kind. Joins run on Polars over hashed keys; the hash is only a
//! bucket, so every candidate is verified on the real fields afterwards.

use crate::engine::{Table, Tables};
use crate::model::{Explanation, Limit, LimitHit, ReferenceAgreement};
use crate::normalize;
use crate::rules::{Key, Pass, PassKind, SimilarityField};
use polars::prelude::*;
use std::collections::HashMap;

/// Item positions of one side of a group: most groups have one item a side, kept inline (a
/// million one-to-one candidates would otherwise be two million tiny allocations).
pub(crate) type Ids = smallvec::SmallVec<[u32; 2]>;

/// A candidate group from one pass: item indexes on each side and a score. Its explanation is
/// derived again from these when someone reads it ([`explain`]): a million candidates carry no
/// explanation they will mostly never need.
pub(crate) struct Candidate {
    pub bank: Ids,
    pub ledger: Ids,
    pub score: u32,
    /// The text similarity found, per mille (0 when not compared).
    pub similarity: u32,
}

/// The keys every pass shares: the same account, the same currency.
const ACCOUNT_AND_CURRENCY: [Key; 2] = [Key::Account, Key::Currency];

const MIX: u64 = 0x9E37_79B9_7F4A_7C15;

fn mix(h: u64, x: u64) -> u64 {
    (h ^ x).wrapping_mul(MIX).rotate_left(29) ^ (x >> 17)
}

fn finish(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xFF51_AFD7_ED55_8CCD);
    h ^= h >> 33;
    h
}

const FNV_OFFSET: u64 = 0xCBF2_9CE4_8422_2325;

fn fnv(h: u64, bytes: &[u8]) -> u64 {
    bytes.iter().fold(h, |h, b| {
        (h ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01B3)
    })
}

/// FNV-1a over the bytes, then avalanched: stable across runs and machines.
pub(crate) fn hash_str(s: &str) -> u64 {
    finish(fnv(FNV_OFFSET, s.as_bytes()))
}

/// [`hash_str`] of the text folded to its upper-case letters and digits (0 when there are
/// none), without building the folded string.
pub(crate) fn hash_folded(s: &str) -> u64 {
    let mut h = FNV_OFFSET;
    let mut any = false;
    let mut buf = [0u8; 4];
    for c in s.chars().filter(|c| c.is_alphanumeric()) {
        any = true;
        if c.is_ascii() {
            h = fnv(h, &[c.to_ascii_uppercase() as u8]);
        } else {
            for u in c.to_uppercase() {
                h = fnv(h, u.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    if any { finish(h) } else { 0 }
}

/// The key of item `i` of `t` under the pass's keys (amount optional).
fn key(t: &Table<'_>, i: usize, keys: &[Key], with_amount: bool, extra: u64) -> u64 {
    let mut h = mix(u64::from(t.account[i]), u64::from(currency_code(t, i)));
    if with_amount && keys.contains(&Key::Amount) {
        h = mix(h, t.amount[i] as u64);
    }
    if keys.contains(&Key::Reference) {
        h = mix(h, t.reference_hash[i]);
    }
    if keys.contains(&Key::Counterparty) {
        h = mix(h, t.counterparty_hash[i]);
    }
    finish(mix(h, extra))
}

fn currency_code(t: &Table<'_>, i: usize) -> u32 {
    t.currency[i]
        .code()
        .bytes()
        .fold(0u32, |acc, b| acc << 8 | u32::from(b))
}

fn same_keys(tables: &Tables<'_>, b: usize, l: usize, keys: &[Key]) -> bool {
    let (bt, lt) = (&tables.bank, &tables.ledger);
    bt.account[b] == lt.account[l]
        && bt.currency[b] == lt.currency[l]
        && (!keys.contains(&Key::Amount) || bt.amount[b] == lt.amount[l])
        && (!keys.contains(&Key::Reference)
            || (!bt.reference[b].is_empty() && bt.reference[b] == lt.reference[l]))
        && (!keys.contains(&Key::Counterparty)
            || (bt.counterparty_hash[b] != 0 && bt.counterparty_hash[b] == lt.counterparty_hash[l]))
}

fn u32_column(name: &str, v: Vec<u32>) -> Column {
    UInt32Chunked::from_vec(name.into(), v)
        .into_series()
        .into_column()
}
fn u64_column(name: &str, v: Vec<u64>) -> Column {
    UInt64Chunked::from_vec(name.into(), v)
        .into_series()
        .into_column()
}
fn i32_column(name: &str, v: Vec<i32>) -> Column {
    Int32Chunked::from_vec(name.into(), v)
        .into_series()
        .into_column()
}
fn i64_column(name: &str, v: Vec<i64>) -> Column {
    Int64Chunked::from_vec(name.into(), v)
        .into_series()
        .into_column()
}

fn u32_values(df: &DataFrame, name: &str) -> PolarsResult<Vec<u32>> {
    Ok(df.column(name)?.u32()?.into_no_null_iter().collect())
}
fn u64_values(df: &DataFrame, name: &str) -> PolarsResult<Vec<u64>> {
    Ok(df.column(name)?.u64()?.into_no_null_iter().collect())
}

/// `a()` and `b()`, the second on another thread.
pub(crate) fn both<A: Send, B: Send>(
    a: impl FnOnce() -> A + Send,
    b: impl FnOnce() -> B + Send,
) -> (A, B) {
    std::thread::scope(|scope| {
        let b = scope.spawn(b);
        let a = a();
        (
            a,
            b.join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    })
}

/// All candidates of one pass over the items still open.
/// The pass's candidates; the limits it reached are added to `limits`.
pub(crate) fn candidates(
    tables: &Tables<'_>,
    pass: &Pass,
    limits: &mut Vec<LimitHit>,
) -> PolarsResult<Vec<Candidate>> {
    match pass.kind {
        PassKind::OneToOne => one_to_one(tables, pass, limits),
        PassKind::ManyToOne => grouped(tables, pass, false),
        PassKind::ManyToMany => grouped(tables, pass, true),
        PassKind::OneToMany => one_to_many(tables, pass),
        PassKind::SubsetSum => Ok(crate::passes::subset_sum(tables, pass, limits)),
    }
}

fn open_indexes(t: &Table<'_>, needs_reference: bool) -> Vec<usize> {
    (0..t.len())
        .filter(|&i| t.open[i] && (!needs_reference || !t.reference[i].is_empty()))
        .collect()
}

pub(crate) fn tolerance_minor(pass: &Pass, ledger_amount: i64) -> i64 {
    let relative = (i128::from(ledger_amount).abs()
        * i128::from(pass.amount_tolerance_basis_points)
        / 10_000) as i64;
    pass.amount_tolerance_minor.max(relative)
}

/// Blocking keys for reference similarity without an equality key: the first and second half of
/// the normalized reference. One typo leaves at least one half intact.
fn halves(reference: &str) -> Option<(u64, u64)> {
    if reference.len() < 4 || !reference.is_ascii() {
        return None;
    }
    let mid = reference.len() / 2;
    Some((hash_str(&reference[..mid]), hash_str(&reference[mid..])))
}

fn one_to_one(
    tables: &Tables<'_>,
    pass: &Pass,
    limits: &mut Vec<LimitHit>,
) -> PolarsResult<Vec<Candidate>> {
    let (bt, lt) = (&tables.bank, &tables.ledger);
    let by_similarity = !pass.keys.contains(&Key::Amount) && !pass.keys.contains(&Key::Reference);
    let needs_reference = pass.keys.contains(&Key::Reference) || by_similarity;
    let window = i32::try_from(pass.date_window_days).unwrap_or(i32::MAX);
    // The join key carries a date bucket one window wide: a ledger entry's own bucket, a bank
    // line's bucket and its two neighbours (every pair within the window shares one). Equal
    // amounts (round amounts, recurring payments) then meet only the items near them in time,
    // instead of every item of the same amount in the period.
    let span = i64::from(window) + 1;
    let rows = |t: &Table<'_>, ledger_side: bool| {
        let mut idx = Vec::new();
        let mut keys = Vec::new();
        let mut dates = Vec::new();
        let mut amounts = Vec::new();
        let mut tolerances = Vec::new();
        let buckets: &[i64] = if ledger_side { &[0] } else { &[-1, 0, 1] };
        for i in open_indexes(t, needs_reference) {
            let bucket = i64::from(t.date[i]).div_euclid(span);
            let mut push = |k: u64| {
                for d in buckets {
                    idx.push(i as u32);
                    keys.push(finish(mix(k, (bucket + d) as u64)));
                    dates.push(t.date[i]);
                    amounts.push(t.amount[i]);
                    if ledger_side {
                        tolerances.push(tolerance_minor(pass, t.amount[i]));
                    }
                }
            };
            if by_similarity {
                if let Some((first, second)) = halves(&t.reference[i]) {
                    push(key(t, i, &pass.keys, true, mix(1, first)));
                    push(key(t, i, &pass.keys, true, mix(2, second)));
                }
            } else {
                push(key(t, i, &pass.keys, true, 0));
            }
        }
        (idx, keys, dates, amounts, tolerances)
    };
    // The two sides' keys on two threads.
    let ((b_idx, b_keys, b_dates, b_amounts, _), (l_idx, l_keys, l_dates, l_amounts, l_tol)) =
        both(|| rows(bt, false), || rows(lt, true));
    let (b_idx, b_keys, b_dates, b_amounts, l_idx, l_keys, l_dates, l_amounts, l_tol) =
        if by_similarity {
            // A reference half that many items share says little about which one: its key is
            // left out (the item's other half still joins), so the join never grows with the
            // square of a crowd (a run of references sharing a prefix, a reused order number).
            let crowded = crowded_keys(&b_keys, &l_keys);
            if !crowded.is_empty() {
                limits.push(LimitHit {
                    limit: Limit::SimilarityKeyItems,
                    count: crowded.len(),
                });
            }
            let keep =
                |keys: &[u64]| -> Vec<bool> { keys.iter().map(|k| !crowded.contains(k)).collect() };
            let (bk, lk) = (keep(&b_keys), keep(&l_keys));
            (
                filtered(b_idx, &bk),
                filtered(b_keys, &bk),
                filtered(b_dates, &bk),
                filtered(b_amounts, &bk),
                filtered(l_idx, &lk),
                filtered(l_keys, &lk),
                filtered(l_dates, &lk),
                filtered(l_amounts, &lk),
                filtered(l_tol, &lk),
            )
        } else {
            (
                b_idx, b_keys, b_dates, b_amounts, l_idx, l_keys, l_dates, l_amounts, l_tol,
            )
        };
    if b_idx.is_empty() || l_idx.is_empty() {
        return Ok(Vec::new());
    }
    let bank = DataFrame::new(
        b_idx.len(),
        vec![
            u32_column("b", b_idx),
            u64_column("k", b_keys),
            i32_column("bd", b_dates),
            i64_column("ba", b_amounts),
        ],
    )?;
    let ledger = DataFrame::new(
        l_idx.len(),
        vec![
            u32_column("l", l_idx),
            u64_column("k", l_keys),
            i32_column("ld", l_dates),
            i64_column("la", l_amounts),
            i64_column("lt", l_tol),
        ],
    )?;
    let joined = bank
        .lazy()
        .join(
            ledger.lazy(),
            [col("k")],
            [col("k")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            (col("bd") - col("ld"))
                .lt_eq(lit(window))
                .and((col("ld") - col("bd")).lt_eq(lit(window)))
                .and((col("ba") - col("la")).lt_eq(col("lt")))
                .and((col("la") - col("ba")).lt_eq(col("lt"))),
        )
        .select([col("b"), col("l")])
        .collect()?;
    // Pairs as one integer each (bank position high): sorted and deduplicated as plain u64s.
    let mut packed: Vec<u64> = u32_values(&joined, "b")?
        .into_iter()
        .zip(u32_values(&joined, "l")?)
        .map(|(b, l)| u64::from(b) << 32 | u64::from(l))
        .collect();
    packed.sort_unstable();
    packed.dedup();
    let pairs: Vec<(u32, u32)> = packed
        .into_iter()
        .map(|p| ((p >> 32) as u32, p as u32))
        .collect();
    // Word overlap reads each item's word set, made once here for the items the pairs name
    // (a pair list can name one item thousands of times in a crowd of equal amounts).
    let word_sets = (pass.similarity_field == SimilarityField::Words
        && pass.similarity_min_per_mille > 0)
        .then(|| {
            both(
                || WordSets::of(bt, pairs.iter().map(|p| p.0)),
                || WordSets::of(lt, pairs.iter().map(|p| p.1)),
            )
        });
    // Each pair checked on the real fields; the two halves on two threads, in order.
    let check = |pairs: &[(u32, u32)]| {
        let mut out = Vec::with_capacity(pairs.len());
        for &(b, l) in pairs {
            let (bi, li) = (b as usize, l as usize);
            if !same_keys(tables, bi, li, &pass.keys) {
                continue;
            }
            // A tolerance never turns money in into money out.
            if (bt.amount[bi] < 0) != (lt.amount[li] < 0) && bt.amount[bi] != lt.amount[li] {
                continue;
            }
            // Without a threshold the similarity plays no part in the candidate or its score.
            let similarity = match pass.similarity_field {
                _ if pass.similarity_min_per_mille == 0 => 0,
                SimilarityField::Reference => {
                    normalize::similarity_per_mille(&bt.reference[bi], &lt.reference[li])
                }
                SimilarityField::Description => {
                    normalize::similarity_per_mille(bt.description[bi], lt.description[li])
                }
                SimilarityField::Words => match &word_sets {
                    Some((bw, lw)) => {
                        normalize::word_set_overlap_per_mille(bw.of_item(bi), lw.of_item(li))
                    }
                    None => {
                        normalize::word_overlap_per_mille(bt.description[bi], lt.description[li])
                    }
                },
            };
            if similarity < pass.similarity_min_per_mille {
                continue;
            }
            out.push(Candidate {
                bank: smallvec::smallvec![b],
                ledger: smallvec::smallvec![l],
                score: score(tables, pass, &[b], &[l], similarity),
                similarity,
            });
        }
        out
    };
    let (first, second) = pairs.split_at(pairs.len() / 2);
    let (mut out, rest) = both(|| check(first), || check(second));
    out.extend(rest);
    Ok(out)
}

/// The word sets of some items of a side, by position: one buffer, a span per item.
struct WordSets {
    /// (start, end) in `words` by item position; empty for items not asked for.
    spans: Vec<(u32, u32)>,
    words: Vec<u64>,
}

impl WordSets {
    fn of(t: &Table<'_>, wanted: impl Iterator<Item = u32>) -> WordSets {
        let mut spans = vec![(0u32, 0u32); t.description.len()];
        let mut done = vec![false; t.description.len()];
        let mut words = Vec::new();
        for i in wanted {
            let i = i as usize;
            if std::mem::replace(&mut done[i], true) {
                continue;
            }
            let start = words.len() as u32;
            normalize::push_word_hashes(t.description[i], &mut words);
            spans[i] = (start, words.len() as u32);
        }
        WordSets { spans, words }
    }

    fn of_item(&self, i: usize) -> &[u64] {
        let (s, e) = self.spans[i];
        &self.words[s as usize..e as usize]
    }
}

/// Items a similarity key may be shared by, on either side, before it is left out of the join.
pub(crate) const SIMILARITY_KEY_ITEMS_MAX: usize = 64;

/// The keys more than [`SIMILARITY_KEY_ITEMS_MAX`] rows of either side share.
fn crowded_keys(bank: &[u64], ledger: &[u64]) -> std::collections::HashSet<u64> {
    let mut out = std::collections::HashSet::new();
    for keys in [bank, ledger] {
        let mut counts: HashMap<u64, usize> = HashMap::with_capacity(keys.len());
        for &k in keys {
            let n = counts.entry(k).or_default();
            *n += 1;
            if *n == SIMILARITY_KEY_ITEMS_MAX + 1 {
                out.insert(k);
            }
        }
    }
    out
}

/// The values of `v` whose `keep` is true, in order.
fn filtered<T>(v: Vec<T>, keep: &[bool]) -> Vec<T> {
    v.into_iter()
        .zip(keep)
        .filter_map(|(x, &k)| k.then_some(x))
        .collect()
}

/// Score (0..1000) of a candidate group: see [`explain`].
fn score(tables: &Tables<'_>, pass: &Pass, bank: &[u32], ledger: &[u32], similarity: u32) -> u32 {
    explain(tables, pass, bank, ledger, similarity).0
}

/// Score (0..1000) and explanation of a candidate group. Subset-sum groups score 100 less: a
/// sum of several items is weaker evidence than one amount.
pub(crate) fn explain(
    tables: &Tables<'_>,
    pass: &Pass,
    bank: &[u32],
    ledger: &[u32],
    similarity: u32,
) -> (u32, Explanation) {
    let (bt, lt) = (&tables.bank, &tables.ledger);
    let bank_total: i64 = bank.iter().map(|&b| bt.amount[b as usize]).sum();
    let ledger_total: i64 = ledger.iter().map(|&l| lt.amount[l as usize]).sum();
    let days_apart = bank
        .iter()
        .flat_map(|&b| {
            ledger
                .iter()
                .map(move |&l| (bt.date[b as usize] - lt.date[l as usize]).unsigned_abs())
        })
        .max()
        .unwrap_or(0);
    let mut score: i64 = 1000;
    if bank_total != ledger_total {
        score -= 150;
    }
    let b0 = bank[0] as usize;
    let l0 = ledger[0] as usize;
    let reference = if pass.kind == PassKind::OneToMany {
        ReferenceAgreement::Listed(ledger.len() as u32)
    } else if pass.keys.contains(&Key::Reference)
        || (!bt.reference[b0].is_empty() && bt.reference[b0] == lt.reference[l0])
    {
        ReferenceAgreement::Equal
    } else if similarity > 0 && pass.similarity_min_per_mille > 0 {
        score -= i64::from(1000 - similarity) / 2;
        ReferenceAgreement::Similar {
            field: pass.similarity_field,
            per_mille: similarity,
        }
    } else {
        score -= 200;
        ReferenceAgreement::NotCompared
    };
    score -= i64::from(days_apart.min(20)) * 15;
    if bank.len() + ledger.len() > 2 {
        score -= 50;
    }
    let explanation = Explanation {
        bank_total_minor: bank_total,
        ledger_total_minor: ledger_total,
        tolerance_minor: tolerance_minor(pass, ledger_total),
        exponent: bt.currency[b0].exponent(),
        reference,
        days_apart,
        date_window_days: pass.date_window_days,
        bank_items: bank.len() as u32,
        ledger_items: ledger.len() as u32,
        subset_sum: pass.kind == PassKind::SubsetSum,
        not_unique: false,
    };
    let score = score.clamp(1, 1000) as u32;
    if pass.kind == PassKind::SubsetSum {
        (score.saturating_sub(100), explanation)
    } else {
        (score, explanation)
    }
}

/// The items of each group key: (key, position) pairs sorted, found by binary search (no list
/// allocated per group: most keys have one item).
#[derive(Default)]
struct Members(Vec<(u64, u32)>);

impl Members {
    fn new(keys: &[u64], positions: &[usize]) -> Members {
        let mut pairs: Vec<(u64, u32)> = keys
            .iter()
            .zip(positions)
            .map(|(&k, &i)| (k, i as u32))
            .collect();
        pairs.sort_unstable();
        Members(pairs)
    }

    /// The positions with group key `key`, in position order.
    fn of(&self, key: u64) -> impl Iterator<Item = u32> + '_ {
        let start = self.0.partition_point(|&(k, _)| k < key);
        self.0[start..]
            .iter()
            .take_while(move |&&(k, _)| k == key)
            .map(|&(_, i)| i)
    }
}

/// many_to_one (bank side grouped) and many_to_many (both sides grouped) by the pass keys.
fn grouped(tables: &Tables<'_>, pass: &Pass, both_sides: bool) -> PolarsResult<Vec<Candidate>> {
    let (bt, lt) = (&tables.bank, &tables.ledger);
    let needs_reference = pass.keys.contains(&Key::Reference);
    // Each side's frame, and its members by group key when the side is grouped.
    let side_frame =
        |t: &Table<'_>, id: &str, grouped: bool| -> PolarsResult<(DataFrame, Members)> {
            let idx = open_indexes(t, needs_reference);
            let keys: Vec<u64> = idx
                .iter()
                .map(|&i| key(t, i, &pass.keys, false, 0))
                .collect();
            let members = if grouped {
                Members::new(&keys, &idx)
            } else {
                Members::default()
            };
            let df = DataFrame::new(
                idx.len(),
                vec![
                    u32_column(id, idx.iter().map(|&i| i as u32).collect()),
                    u64_column("g", keys),
                    i32_column("d", idx.iter().map(|&i| t.date[i]).collect()),
                    i64_column("a", idx.iter().map(|&i| t.amount[i]).collect()),
                ],
            )?;
            Ok((df, members))
        };
    let (bank, ledger) = both(
        || side_frame(bt, "b", true),
        || side_frame(lt, "l", both_sides),
    );
    let ((bank, bank_members), (ledger, ledger_members)) = (bank?, ledger?);
    if bank.height() == 0 || ledger.height() == 0 {
        return Ok(Vec::new());
    }
    let summed = |df: DataFrame, prefix: &str| {
        df.lazy().group_by([col("g")]).agg([
            col("a").sum().alias(format!("{prefix}s")),
            col("d").min().alias(format!("{prefix}min")),
            col("d").max().alias(format!("{prefix}max")),
            len().alias(format!("{prefix}n")),
        ])
    };
    let bank_groups = summed(bank, "b");
    let ledger_side = if both_sides {
        summed(ledger, "l")
    } else {
        ledger.lazy().select([
            col("g"),
            col("l"),
            col("a").alias("ls"),
            col("d").alias("lmin"),
            col("d").alias("lmax"),
        ])
    };
    let window = i32::try_from(pass.date_window_days).unwrap_or(i32::MAX);
    let joined = bank_groups
        .join(
            ledger_side,
            [col("g"), col("bs")],
            [col("g"), col("ls")],
            JoinArgs::new(JoinType::Inner),
        )
        .filter(
            (col("bmax") - col("lmin"))
                .lt_eq(lit(window))
                .and((col("lmax") - col("bmin")).lt_eq(lit(window))),
        )
        .collect()?;
    let groups = u64_values(&joined, "g")?;
    let ledgers: Vec<Option<u32>> = if both_sides {
        vec![None; groups.len()]
    } else {
        u32_values(&joined, "l")?.into_iter().map(Some).collect()
    };
    let mut found: Vec<(u64, Option<u32>)> = groups.into_iter().zip(ledgers).collect();
    found.sort_unstable();
    let mut out = Vec::new();
    for (g, l) in found {
        let bank_items: Ids = bank_members.of(g).collect();
        let ledger_items: Ids = match l {
            Some(l) => smallvec::smallvec![l],
            None => ledger_members.of(g).collect(),
        };
        if bank_items.is_empty() || ledger_items.is_empty() {
            continue;
        }
        if !bank_items.iter().all(|&b| {
            ledger_items
                .iter()
                .all(|&l| same_keys(tables, b as usize, l as usize, &pass.keys))
        }) {
            continue;
        }
        out.push(Candidate {
            score: score(tables, pass, &bank_items, &ledger_items, 0),
            bank: bank_items,
            ledger: ledger_items,
            similarity: 0,
        });
    }
    Ok(out)
}

/// One bank line settled by several ledger entries that sum to it: entries whose references its
/// text lists or its batch transactions carry, or that all carry its own reference.
fn one_to_many(tables: &Tables<'_>, pass: &Pass) -> PolarsResult<Vec<Candidate>> {
    let (bt, lt) = (&tables.bank, &tables.ledger);
    // The reference tokens in each open bank line's text, two halves on two threads.
    let token_keys = |banks: &[usize]| {
        let mut tb = Vec::new();
        let mut tk = Vec::new();
        let mut tokens = normalize::Tokens::default();
        let mut texts: Vec<&str> = Vec::new();
        for &i in banks {
            // The bank line's own reference, its text, and its batch transactions' references.
            texts.clear();
            texts.extend([bt.raw_reference[i], bt.description[i]]);
            texts.extend(bt.details[i].iter().filter_map(|d| d.reference.as_deref()));
            tokens.read(&texts);
            // One token is enough: a bank line whose own reference several ledger entries
            // carry (a payroll run, instalments paid at once) is settled by their sum.
            if tokens.is_empty() {
                continue;
            }
            for token in tokens.iter() {
                tb.push(i as u32);
                tk.push(key(bt, i, &ACCOUNT_AND_CURRENCY, false, hash_str(token)));
            }
        }
        (tb, tk)
    };
    let banks = open_indexes(bt, false);
    let (first, second) = banks.split_at(banks.len() / 2);
    let ((mut tb, mut tk), (tb2, tk2)) = both(|| token_keys(first), || token_keys(second));
    tb.extend(tb2);
    tk.extend(tk2);
    let ledger_idx = open_indexes(lt, true);
    if tb.is_empty() || ledger_idx.is_empty() {
        return Ok(Vec::new());
    }
    let lk: Vec<u64> = ledger_idx
        .iter()
        .map(|&i| key(lt, i, &ACCOUNT_AND_CURRENCY, false, lt.reference_hash[i]))
        .collect();
    let tokens = DataFrame::new(tb.len(), vec![u32_column("b", tb), u64_column("k", tk)])?;
    let ledger = DataFrame::new(
        ledger_idx.len(),
        vec![
            u32_column("l", ledger_idx.iter().map(|&i| i as u32).collect()),
            u64_column("k", lk),
        ],
    )?;
    let pairs = tokens
        .lazy()
        .join(
            ledger.lazy(),
            [col("k")],
            [col("k")],
            JoinArgs::new(JoinType::Inner),
        )
        .select([col("b"), col("l")])
        .collect()?;
    let mut by_bank: HashMap<u32, Vec<u32>> = HashMap::new();
    for (b, l) in u32_values(&pairs, "b")?
        .into_iter()
        .zip(u32_values(&pairs, "l")?)
    {
        if same_keys(
            tables,
            b as usize,
            l as usize,
            &[Key::Account, Key::Currency],
        ) {
            by_bank.entry(b).or_default().push(l);
        }
    }
    let mut banks: Vec<u32> = by_bank.keys().copied().collect();
    banks.sort_unstable();
    let window = pass.date_window_days;
    let mut out = Vec::new();
    for b in banks {
        let mut ledgers = by_bank.remove(&b).unwrap_or_default();
        ledgers.sort_unstable();
        ledgers.dedup();
        if ledgers.len() < 2 {
            continue;
        }
        let total: i64 = ledgers.iter().map(|&l| lt.amount[l as usize]).sum();
        let within = ledgers
            .iter()
            .all(|&l| (bt.date[b as usize] - lt.date[l as usize]).unsigned_abs() <= window);
        if total != bt.amount[b as usize] || !within {
            continue;
        }
        out.push(Candidate {
            score: score(tables, pass, &[b], &ledgers, 0),
            bank: smallvec::smallvec![b],
            ledger: Ids::from_vec(ledgers),
            similarity: 0,
        });
    }
    Ok(out)
}

/// Bounded subset-sum in both directions: a bank line settled by up to K ledger entries, and a
/// ledger entry settled by up to K bank lines, among the nearest candidates in the date window.
pub(crate) fn subset_sum(
    tables: &Tables<'_>,
    pass: &Pass,
    limits: &mut Vec<LimitHit>,
) -> Vec<Candidate> {
    // The two directions are independent: on two threads, bank targets first in the result.
    let ((mut out, cut_a, crowded_a), (rest, cut_b, crowded_b)) = both(
        || subset_sum_towards(tables, pass, true),
        || subset_sum_towards(tables, pass, false),
    );
    out.extend(rest);
    for (limit, count) in [
        (Limit::SubsetCombinations, cut_a + cut_b),
        (Limit::SubsetCandidates, crowded_a + crowded_b),
    ] {
        if count > 0 {
            limits.push(LimitHit { limit, count });
        }
    }
    out
}

/// [`subset_sum`] in one direction: bank lines as targets (ledger entries as parts) or the other
/// way round. Also returns how many searches stopped at the combinations cap and how many
/// targets had more candidates than the candidates cap.
fn subset_sum_towards(
    tables: &Tables<'_>,
    pass: &Pass,
    bank_is_target: bool,
) -> (Vec<Candidate>, usize, usize) {
    let mut out = Vec::new();
    let (mut cut, mut crowded) = (0usize, 0usize);
    {
        let (targets, parts) = if bank_is_target {
            (&tables.bank, &tables.ledger)
        } else {
            (&tables.ledger, &tables.bank)
        };
        // Parts by (account, currency, sign), sorted by date.
        let mut index: HashMap<(u32, u32, bool), Vec<(i32, u32)>> = HashMap::new();
        for i in open_indexes(parts, false) {
            if parts.amount[i] != 0 {
                index
                    .entry((
                        parts.account[i],
                        currency_code(parts, i),
                        parts.amount[i] < 0,
                    ))
                    .or_default()
                    .push((parts.date[i], i as u32));
            }
        }
        for list in index.values_mut() {
            list.sort_unstable();
        }
        let window = i32::try_from(pass.date_window_days).unwrap_or(i32::MAX);
        for t in open_indexes(targets, false) {
            let target = targets.amount[t];
            if target == 0 {
                continue;
            }
            let Some(list) =
                index.get(&(targets.account[t], currency_code(targets, t), target < 0))
            else {
                continue;
            };
            let date = targets.date[t];
            let start = list.partition_point(|(d, _)| *d < date.saturating_sub(window));
            let end = list.partition_point(|(d, _)| *d <= date.saturating_add(window));
            // Walk outwards from the target's date, nearest first, so the work per target is
            // bounded by the candidate cap however dense the window is.
            let middle = list.partition_point(|(d, _)| *d < date).clamp(start, end);
            let (mut left, mut right) = (middle, middle);
            let mut near: Vec<(u32, u32)> = Vec::with_capacity(pass.subset_candidates_max);
            let mut examined = 0usize;
            let examine_max = pass.subset_candidates_max.saturating_mul(16);
            while near.len() < pass.subset_candidates_max
                && examined < examine_max
                && (left > start || right < end)
            {
                let take_left = match (left > start, right < end) {
                    (true, true) => {
                        (date - list[left - 1].0).unsigned_abs()
                            <= (list[right].0 - date).unsigned_abs()
                    }
                    (true, false) => true,
                    _ => false,
                };
                let (d, i) = if take_left {
                    left -= 1;
                    list[left]
                } else {
                    right += 1;
                    list[right - 1]
                };
                examined += 1;
                if parts.amount[i as usize].unsigned_abs() < target.unsigned_abs() {
                    near.push(((d - date).unsigned_abs(), i));
                }
            }
            if near.len() >= pass.subset_candidates_max && (left > start || right < end) {
                crowded += 1;
            }
            near.sort_unstable();
            near.truncate(pass.subset_candidates_max);
            let mut amounts: Vec<(i64, u32)> = near
                .iter()
                .map(|(_, i)| (parts.amount[*i as usize].abs(), *i))
                .collect();
            amounts.sort_unstable_by(|a, b| b.cmp(a));
            let (solutions, stopped) = find_subsets(
                &amounts,
                target.abs(),
                pass.subset_size_max,
                pass.subset_combinations_max,
            );
            cut += usize::from(stopped);
            for mut chosen in solutions {
                chosen.sort_unstable();
                let (bank, ledger): (Ids, Ids) = if bank_is_target {
                    (smallvec::smallvec![t as u32], Ids::from_vec(chosen))
                } else {
                    (Ids::from_vec(chosen), smallvec::smallvec![t as u32])
                };
                out.push(Candidate {
                    score: score(tables, pass, &bank, &ledger, 0),
                    bank,
                    ledger,
                    similarity: 0,
                });
            }
        }
    }
    (out, cut, crowded)
}

/// Depth-first search for subsets of 2..=size_max values (sorted descending) summing to target,
/// trying at most `combinations_max` partial combinations; returns at most two solutions, and
/// whether the search stopped at `combinations_max` before it was done.
fn find_subsets(
    values: &[(i64, u32)],
    target: i64,
    size_max: usize,
    combinations_max: usize,
) -> (Vec<Vec<u32>>, bool) {
    // suffix[i] = sum of values[i..], to prune branches that cannot reach the target.
    let mut suffix = vec![0i64; values.len() + 1];
    for i in (0..values.len()).rev() {
        suffix[i] = suffix[i + 1].saturating_add(values[i].0);
    }
    let mut solutions = Vec::new();
    let mut tried = 0usize;
    let mut stack: Vec<u32> = Vec::with_capacity(size_max);
    #[allow(clippy::too_many_arguments)]
    fn dfs(
        values: &[(i64, u32)],
        suffix: &[i64],
        start: usize,
        remaining: i64,
        size_max: usize,
        combinations_max: usize,
        tried: &mut usize,
        stack: &mut Vec<u32>,
        solutions: &mut Vec<Vec<u32>>,
    ) {
        for i in start..values.len() {
            if solutions.len() >= 2 || *tried >= combinations_max {
                return;
            }
            if suffix[i] < remaining {
                return;
            }
            let v = values[i].0;
            if v > remaining {
                continue;
            }
            *tried += 1;
            stack.push(values[i].1);
            if v == remaining {
                if stack.len() >= 2 {
                    solutions.push(stack.clone());
                }
            } else if stack.len() < size_max {
                dfs(
                    values,
                    suffix,
                    i + 1,
                    remaining - v,
                    size_max,
                    combinations_max,
                    tried,
                    stack,
                    solutions,
                );
            }
            stack.pop();
        }
    }
    dfs(
        values,
        &suffix,
        0,
        target,
        size_max,
        combinations_max,
        &mut tried,
        &mut stack,
        &mut solutions,
    );
    let stopped = tried >= combinations_max && solutions.len() < 2;
    (solutions, stopped)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folded_hash_is_the_hash_of_the_folded_text() {
        assert_eq!(hash_folded("Acme GmbH."), hash_str("ACMEGMBH"));
        assert_eq!(hash_folded("straße 7"), hash_str("STRASSE7"));
        assert_eq!(hash_folded(" -/- "), 0);
        assert_eq!(hash_folded(""), 0);
    }

    #[test]
    fn subsets() {
        let values = vec![(500, 1), (300, 2), (200, 3), (100, 4)];
        let (found, stopped) = find_subsets(&values, 600, 3, 1000);
        assert_eq!(found.len(), 2);
        assert_eq!(found[0], vec![1, 4]);
        assert!(!stopped);
        let (none, stopped) = find_subsets(&values, 2000, 5, 1000);
        assert!(none.is_empty() && !stopped);
        // One combination allowed: the search stops before it finds 500 + 100, and says so.
        let (few, stopped) = find_subsets(&values, 600, 3, 1);
        assert!(few.is_empty() && stopped, "{few:?}");
    }
}
