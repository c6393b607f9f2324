//! Match use case: statement files and ledger extracts in, match groups, exceptions and a summary
//! out (`recon match`), plus the evaluation against a generator's truth (`recon eval`).

use crate::atomic::PartialFile;
use crate::dto::{MatchSummary, PassSummary, push_field};
use crate::{
    ApiError, ImportOptions, InputFile, import_ledger_files, import_statement_files, read_input,
};
use recon_formats::{Issue, Limits};
use recon_match::{
    Confirmed, ConfirmedGroup, GroupView, Item, MatchInput, MatchStatus, Matched, Observer,
    RuleSet, Side,
};
use recon_model::{LedgerEntry, Statement, format_minor, write_minor};
use sha2::Digest as _;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Records how long each phase took.
#[derive(Default, Debug)]
pub struct PhaseClock {
    started: Option<(String, Instant)>,
    pub phases: Vec<(String, u128)>,
}

impl PhaseClock {
    pub fn finish(&mut self) {
        if let Some((name, at)) = self.started.take() {
            self.phases.push((name, at.elapsed().as_micros()));
        }
    }
}

impl Observer for PhaseClock {
    fn phase(&mut self, name: &str) {
        self.finish();
        self.started = Some((name.to_string(), Instant::now()));
    }
}

/// What `recon match` was asked to do.
#[derive(Clone, Debug)]
pub struct MatchRequest {
    pub bank_files: Vec<PathBuf>,
    pub ledger_files: Vec<PathBuf>,
    /// Rule set TOML; the shipped default when None.
    pub rules_file: Option<PathBuf>,
    pub out_dir: PathBuf,
    pub import: ImportOptions,
}

#[derive(Debug)]
pub struct MatchReport {
    pub summary: MatchSummary,
    pub issues: Vec<Issue>,
}

/// Loads a rule set file, or the default rules.
pub fn load_rules(path: Option<&Path>) -> Result<RuleSet, ApiError> {
    Ok(load_rules_with_hash(path)?.0)
}

/// Loads a rule set file, or the default rules, with the SHA-256 of its TOML text (recorded with
/// each workspace match run as evidence of the rules used).
pub fn load_rules_with_hash(path: Option<&Path>) -> Result<(RuleSet, String), ApiError> {
    let text = match path {
        None => recon_match::rules::DEFAULT_RULES.to_string(),
        Some(p) => std::fs::read_to_string(p).map_err(|source| ApiError::Read {
            path: p.to_path_buf(),
            source,
        })?,
    };
    let rules = RuleSet::from_toml(&text).map_err(|e| match path {
        Some(p) => ApiError::InvalidArgument(format!("{}: {e}", p.display())),
        None => ApiError::InvalidArgument(format!("the default rule set: {e}")),
    })?;
    let sha = recon_review::hex(&sha2::Sha256::digest(text.as_bytes()));
    Ok((rules, sha))
}

/// The items the matcher sees, borrowed from statements and ledger entries.
pub fn match_items<'a>(
    statements: &'a [Statement],
    ledger: &'a [LedgerEntry],
) -> (Vec<Item<'a>>, Vec<Item<'a>>) {
    (statement_items(statements), ledger_entry_items(ledger))
}

fn statement_items(statements: &[Statement]) -> Vec<Item<'_>> {
    let mut bank = Vec::with_capacity(statements.iter().map(|s| s.lines.len()).sum());
    for s in statements {
        for l in &s.lines {
            bank.push(Item {
                id: &l.line_id,
                account: &s.account,
                currency: s.currency,
                date: l.value_date.unwrap_or(l.booking_date),
                amount_minor: l.amount_minor,
                reference: l.reference.as_deref().unwrap_or(""),
                counterparty: l.counterparty.as_deref().unwrap_or(""),
                description: &l.description,
                details: &l.details,
            });
        }
    }
    bank
}

fn ledger_entry_items(ledger: &[LedgerEntry]) -> Vec<Item<'_>> {
    ledger
        .iter()
        .map(|e| Item {
            id: &e.entry_id,
            account: &e.account,
            currency: e.currency,
            date: e.posting_date,
            amount_minor: e.amount_minor,
            reference: e.reference.as_deref().unwrap_or(""),
            counterparty: "",
            description: &e.description,
            details: &[],
        })
        .collect()
}

/// Runs `recon match`: read the files (bank and ledger in parallel), import, match, write
/// DIR/matches.csv, DIR/exceptions.csv and DIR/summary.json.
///
/// Files in exactly the canonical layouts are read by the strict reader straight into the
/// matcher's items, borrowed from the file bytes; any other file (another format or layout, or a
/// canonical file with something the strict reader leaves to the importer) goes through the
/// importer, which gives the same items or names the error.
pub fn match_files(request: &MatchRequest) -> Result<MatchReport, ApiError> {
    let started = Instant::now();
    let mut clock = PhaseClock::default();
    clock.phase("read and parse");
    let rules = load_rules(request.rules_file.as_deref())?;
    let limits = request.import.parse.limits.clone();
    let (bank_files, ledger_files) = std::thread::scope(|scope| {
        let bank = scope.spawn(|| read_all(&request.bank_files, &limits));
        let ledger = read_all(&request.ledger_files, &limits);
        (join(bank), ledger)
    });
    let (bank_files, ledger_files) = (bank_files?, ledger_files?);
    let (bank, ledger) = std::thread::scope(|scope| {
        let bank = scope.spawn(|| -> Result<_, ApiError> {
            Ok(match strict_bank_items(&bank_files, &request.import) {
                Some(items) => Read::Strict(items),
                None => Read::Imported(import_statement_files(&bank_files, &request.import)),
            })
        });
        let ledger = match strict_ledger_items(&ledger_files, &limits) {
            Some(items) => Ok(Read::Strict(items)),
            None => import_ledger_files(&ledger_files, None, &limits).map(Read::Imported),
        };
        (join(bank), ledger)
    });
    let imported_statements;
    let (bank_items, issues) = match bank? {
        Read::Strict(items) => (items, Vec::new()),
        Read::Imported(import) => {
            if let Some(rejected) = import
                .issues
                .iter()
                .find(|i| i.severity == recon_formats::Severity::Error)
            {
                return Err(ApiError::InvalidArgument(format!(
                    "{}: {}: {}",
                    rejected.file, rejected.location, rejected.message
                )));
            }
            imported_statements = import.statements;
            (statement_items(&imported_statements), import.issues)
        }
    };
    let imported_ledger;
    let ledger_items = match ledger? {
        Read::Strict(items) => items,
        Read::Imported(entries) => {
            imported_ledger = entries;
            ledger_entry_items(&imported_ledger)
        }
    };
    let input = MatchInput {
        bank: bank_items,
        ledger: ledger_items,
        ..MatchInput::default()
    };
    let counts = (input.bank.len(), input.ledger.len());
    // matches.csv is written while the passes run: each pass's confirmed groups go to a writer
    // thread as soon as their numbers are final; the suggestions follow at the end. Opened
    // first, so that an unwritable output directory fails before the work.
    let dir = &request.out_dir;
    std::fs::create_dir_all(dir).map_err(|source| ApiError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let mut matches = PartialFile::create(&dir.join("matches.csv"))?;
    matches.write(MATCHES_HEADER)?;
    let (sender, batches) = std::sync::mpsc::channel::<Confirmed>();
    let (matched, written) = std::thread::scope(|scope| {
        let writer = scope.spawn(move || -> Result<(PartialFile, usize), ApiError> {
            let mut written = 0;
            let mut text = String::new();
            for batch in batches {
                // In slices, so that writing starts early and the text stays small.
                for start in (0..batch.len()).step_by(STREAM_GROUPS) {
                    let end = (start + STREAM_GROUPS).min(batch.len());
                    text.clear();
                    push_matches_rows(&mut text, (start..end).map(|k| batch.group(k)));
                    matches.write(text.as_bytes())?;
                }
                written += batch.len();
            }
            Ok((matches, written))
        });
        let mut observer = Streaming {
            clock: &mut clock,
            confirmed: sender,
        };
        let matched = recon_match::run_borrowed(input, &rules, &mut observer);
        drop(observer);
        (
            matched,
            writer
                .join()
                .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
        )
    });
    let matched = matched.map_err(|e| ApiError::InvalidArgument(e.to_string()))?;
    let (mut matches, written) = written?;
    clock.phase("write results");
    let auto: usize = matched.passes().iter().map(|p| p.auto_groups).sum();
    if written != auto {
        return Err(ApiError::InvalidArgument(format!(
            "matching engine: {written} confirmed groups handed out during the run, {auto} in its result"
        )));
    }
    // The rest (suggested groups) and exceptions.csv, on two threads.
    let count = matched.group_count();
    std::thread::scope(|scope| {
        let exceptions = scope.spawn(|| {
            crate::generate::write_parts_atomically(
                &dir.join("exceptions.csv"),
                &[exceptions_csv(&matched).as_bytes()],
            )
        });
        matches.write(matches_rows(matched.groups(written..count)).as_bytes())?;
        matches.commit()?;
        exceptions
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    })?;
    clock.finish();
    let mut summary = summarize(&rules, counts, &matched);
    summary.phases_micros = clock.phases.clone();
    summary.total_micros = started.elapsed().as_micros();
    let json = serde_json::to_string_pretty(&summary)
        .map_err(|e| ApiError::InvalidArgument(e.to_string()))?;
    crate::generate::write_atomically(&request.out_dir.join("summary.json"), json.as_bytes())?;
    Ok(MatchReport { summary, issues })
}

const MATCHES_HEADER: &[u8] = b"match_id,rule,status,side,item_id,amount\n";

/// Groups formatted and written at a time by the streaming writer.
const STREAM_GROUPS: usize = 1 << 16;

/// The observer of `recon match`: times the phases and sends each pass's confirmed groups to
/// the thread writing matches.csv.
struct Streaming<'c> {
    clock: &'c mut PhaseClock,
    confirmed: std::sync::mpsc::Sender<Confirmed>,
}

impl Observer for Streaming<'_> {
    fn phase(&mut self, name: &str) {
        self.clock.phase(name);
    }
    fn wants_confirmed(&self) -> bool {
        true
    }
    fn confirmed(&mut self, groups: Confirmed) {
        // A writer that stopped (its error is reported at the end) no longer listens.
        let _ = self.confirmed.send(groups);
    }
}

/// One side's items: read by the strict reader (borrowing the file bytes), or imported (and
/// then borrowed from the statements or entries).
enum Read<'f, T> {
    Strict(Vec<Item<'f>>),
    Imported(T),
}

/// The bank files' items when every file is strictly canonical and importing them would report
/// nothing: no format, profile or encoding asked for, no two files with the same bytes (the
/// importer skips a repeat) or the same name (statement ids are made from it).
fn strict_bank_items<'f>(files: &'f [InputFile], options: &ImportOptions) -> Option<Vec<Item<'f>>> {
    let parse = &options.parse;
    if parse.format.is_some() || parse.profile.is_some() || parse.encoding.is_some() {
        return None;
    }
    let base_name = |f: &InputFile| f.name.rsplit(['/', '\\']).next().unwrap_or("").to_string();
    for (i, a) in files.iter().enumerate() {
        if files[..i]
            .iter()
            .any(|b| b.bytes == a.bytes || base_name(b) == base_name(a))
        {
            return None;
        }
    }
    let mut items = Vec::with_capacity(line_estimate(files));
    for file in files {
        recon_formats::csv::canonical::read_bank_lines(&file.bytes, &parse.limits, |l| {
            items.push(Item {
                id: l.line_id,
                account: l.account,
                currency: l.currency,
                date: l.value_date.unwrap_or(l.booking_date),
                amount_minor: l.amount_minor,
                reference: l.reference,
                counterparty: "",
                description: l.description,
                details: &[],
            })
        })?;
    }
    Some(items)
}

/// The ledger files' items when every file is strictly canonical.
fn strict_ledger_items<'f>(files: &'f [InputFile], limits: &Limits) -> Option<Vec<Item<'f>>> {
    let mut items = Vec::with_capacity(line_estimate(files));
    for file in files {
        recon_formats::csv::canonical::read_ledger_entries(&file.bytes, limits, |e| {
            items.push(Item {
                id: e.entry_id,
                account: e.account,
                currency: e.currency,
                date: e.posting_date,
                amount_minor: e.amount_minor,
                reference: e.reference,
                counterparty: "",
                description: e.description,
                details: &[],
            })
        })?;
    }
    Some(items)
}

/// About the number of lines in the files, from the line breaks in their first 256 KiB, with a
/// tenth more: the size of their item lists, so that they are rarely moved (counting every line
/// break of a 100 MB file costs more than it saves).
fn line_estimate(files: &[InputFile]) -> usize {
    files
        .iter()
        .map(|f| {
            let sample = &f.bytes[..f.bytes.len().min(256 << 10)];
            let lines = memchr::memchr_iter(b'\n', sample).count() + 1;
            let estimate = f.bytes.len() as u128 * lines as u128 / sample.len().max(1) as u128;
            (estimate as usize).saturating_add(estimate as usize / 10)
        })
        .sum()
}

fn join<T>(handle: std::thread::ScopedJoinHandle<'_, Result<T, ApiError>>) -> Result<T, ApiError> {
    handle
        .join()
        .unwrap_or_else(|_| Err(ApiError::InvalidArgument("import thread panicked".into())))
}

fn read_all(paths: &[PathBuf], limits: &Limits) -> Result<Vec<InputFile>, ApiError> {
    paths.iter().map(|p| read_input(p, limits)).collect()
}

/// matches.csv and exceptions.csv, each written atomically. Two threads: this one formats the
/// first half of the groups and writes it while the other formats the second half and the
/// exceptions; then the second half is appended.
pub fn write_outcome(dir: &Path, matched: &Matched<'_>) -> Result<(), ApiError> {
    std::fs::create_dir_all(dir).map_err(|source| ApiError::Write {
        path: dir.to_path_buf(),
        source,
    })?;
    let count = matched.group_count();
    let half = count / 2;
    std::thread::scope(|scope| {
        let rest = scope.spawn(|| {
            let second = matches_rows(matched.groups(half..count));
            let exceptions = exceptions_csv(matched);
            let written = crate::generate::write_parts_atomically(
                &dir.join("exceptions.csv"),
                &[exceptions.as_bytes()],
            );
            (second, written)
        });
        let mut file = PartialFile::create(&dir.join("matches.csv"))?;
        file.write(MATCHES_HEADER)?;
        file.write(matches_rows(matched.groups(0..half)).as_bytes())?;
        let (second, exceptions_written) = rest
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        file.write(second.as_bytes())?;
        file.commit()?;
        exceptions_written
    })
}

/// What matches.csv shows of a group, whether it comes from the finished result or from a
/// batch handed out during the run.
trait ResultGroup<'m> {
    fn number(&self) -> usize;
    fn rule(&self) -> &'m str;
    fn status(&self) -> MatchStatus;
    fn currency(&self) -> recon_model::Currency;
    fn items(&self, side: Side) -> impl Iterator<Item = (&'m str, i64)>;
}

impl<'m, 'a> ResultGroup<'m> for GroupView<'m, 'a> {
    fn number(&self) -> usize {
        GroupView::number(self)
    }
    fn rule(&self) -> &'m str {
        GroupView::rule(self)
    }
    fn status(&self) -> MatchStatus {
        GroupView::status(self)
    }
    fn currency(&self) -> recon_model::Currency {
        GroupView::currency(self)
    }
    fn items(&self, side: Side) -> impl Iterator<Item = (&'m str, i64)> {
        GroupView::items(self, side)
    }
}

impl<'m> ResultGroup<'m> for ConfirmedGroup<'m> {
    fn number(&self) -> usize {
        ConfirmedGroup::number(self)
    }
    fn rule(&self) -> &'m str {
        ConfirmedGroup::rule(self)
    }
    fn status(&self) -> MatchStatus {
        ConfirmedGroup::status(self)
    }
    fn currency(&self) -> recon_model::Currency {
        ConfirmedGroup::currency(self)
    }
    fn items(&self, side: Side) -> impl Iterator<Item = (&'m str, i64)> {
        ConfirmedGroup::items(self, side)
    }
}

/// matches.csv rows of these groups, one per item.
fn matches_rows<'m, G: ResultGroup<'m>>(groups: impl ExactSizeIterator<Item = G>) -> String {
    let mut out = String::with_capacity(groups.len() * 2 * 48);
    push_matches_rows(&mut out, groups);
    out
}

fn push_matches_rows<'m, G: ResultGroup<'m>>(out: &mut String, groups: impl Iterator<Item = G>) {
    let mut prefix = String::new();
    for g in groups {
        let e = g.currency().exponent();
        // "M0000001,exact,auto," once per group.
        prefix.clear();
        push_match_id(&mut prefix, g.number());
        prefix.push(',');
        prefix.push_str(g.rule());
        prefix.push(',');
        prefix.push_str(g.status().name());
        prefix.push(',');
        for (side, name) in [(Side::Bank, "bank,"), (Side::Ledger, "ledger,")] {
            for (id, amount_minor) in g.items(side) {
                out.push_str(&prefix);
                out.push_str(name);
                push_field(out, id);
                out.push(',');
                write_minor(out, amount_minor, e);
                out.push('\n');
            }
        }
    }
}

/// `M` and the group number, at least 7 digits: M0000001.
fn push_match_id(out: &mut String, number: usize) {
    let mut digits = [b'0'; 20];
    let mut n = number;
    let mut at = digits.len();
    while n > 0 {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
    }
    let start = at.min(digits.len() - 7);
    out.push('M');
    out.push_str(std::str::from_utf8(&digits[start..]).unwrap_or_default());
}

fn exceptions_csv(matched: &Matched<'_>) -> String {
    let mut out = String::with_capacity(64 + matched.exception_count() * 40);
    out.push_str("side,item_id,amount,reason\n");
    for x in matched.exceptions() {
        out.push_str(x.side.name());
        out.push(',');
        push_field(&mut out, x.item_id);
        out.push(',');
        write_minor(&mut out, x.amount_minor, x.currency.exponent());
        out.push(',');
        out.push_str(x.reason.name());
        out.push('\n');
    }
    out
}

/// The summary of a run over `bank_lines` bank lines and `ledger_entries` ledger entries.
fn summarize(
    rules: &RuleSet,
    (bank_lines, ledger_entries): (usize, usize),
    matched: &Matched<'_>,
) -> MatchSummary {
    let passes = matched.passes();
    let bank_auto: usize = passes.iter().map(|p| p.bank_items_auto).sum();
    let ledger_auto: usize = passes.iter().map(|p| p.ledger_items_auto).sum();
    let mut amounts_matched: std::collections::BTreeMap<String, i64> = Default::default();
    let mut amounts_open: std::collections::BTreeMap<String, i64> = Default::default();
    // Per currency, summed in a small table first (a map lookup per group is measurable).
    let mut matched_by_currency: Vec<(recon_model::Currency, i64)> = Vec::new();
    for g in matched
        .groups(0..matched.group_count())
        .filter(|g| g.status() == MatchStatus::Auto)
    {
        let currency = g.currency();
        let total = g.bank().map(|(_, amount)| amount.abs()).sum::<i64>();
        match matched_by_currency.iter_mut().find(|(c, _)| *c == currency) {
            Some((_, sum)) => *sum += total,
            None => matched_by_currency.push((currency, total)),
        }
    }
    for (currency, sum) in matched_by_currency {
        *amounts_matched
            .entry(currency.code().to_string())
            .or_default() += sum;
    }
    for x in matched
        .exceptions()
        .filter(|x| x.side == recon_match::Side::Bank)
    {
        *amounts_open
            .entry(x.currency.code().to_string())
            .or_default() += x.amount_minor.abs();
    }
    let exponent = |code: &str| recon_model::Currency::from_code(code).map_or(2, |c| c.exponent());
    MatchSummary {
        rule_set: rules.name.clone(),
        bank_lines,
        ledger_entries,
        bank_lines_auto_matched: bank_auto,
        ledger_entries_auto_matched: ledger_auto,
        match_rate_per_mille: (bank_auto * 1000).checked_div(bank_lines).unwrap_or(0) as u32,
        match_rate: format_minor(
            if bank_lines == 0 {
                0
            } else {
                (bank_auto as i64 * 10_000) / bank_lines as i64
            },
            2,
        ) + "%",
        exceptions: matched.exception_count(),
        bank_amount_matched: amounts_matched
            .iter()
            .map(|(c, a)| (c.clone(), format_minor(*a, exponent(c))))
            .collect(),
        bank_amount_open: amounts_open
            .iter()
            .map(|(c, a)| (c.clone(), format_minor(*a, exponent(c))))
            .collect(),
        passes: passes
            .iter()
            .map(|p| PassSummary {
                rule: p.rule.clone(),
                auto_groups: p.auto_groups,
                suggested_groups: p.suggested_groups,
                bank_items_auto: p.bank_items_auto,
                ledger_items_auto: p.ledger_items_auto,
                limits: p
                    .limits
                    .iter()
                    .map(|l| crate::dto::LimitSummary {
                        limit: l.limit.name().into(),
                        count: l.count,
                        message: l.limit.describe(l.count),
                    })
                    .collect(),
            })
            .collect(),
        phases_micros: Vec::new(),
        total_micros: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An EUR item of 2 November 2026.
    fn item(id: &'static str, amount_minor: i64, reference: &'static str) -> Item<'static> {
        Item {
            id,
            account: "NL91",
            currency: recon_model::Currency::from_code("EUR").unwrap(),
            date: recon_model::Date::from_ymd_opt(2026, 11, 2).unwrap(),
            amount_minor,
            reference,
            counterparty: "",
            description: "",
            details: &[],
        }
    }

    /// matches.csv and exceptions.csv of a run of the default rules over these items.
    fn result_files(
        name: &str,
        bank: Vec<Item<'static>>,
        ledger: Vec<Item<'static>>,
    ) -> (String, String) {
        let input = MatchInput {
            bank,
            ledger,
            ..MatchInput::default()
        };
        let matched = recon_match::run_borrowed(input, &RuleSet::default_rules(), &mut ()).unwrap();
        let dir = std::env::temp_dir().join(format!("recon-{name}-{}", std::process::id()));
        write_outcome(&dir, &matched).unwrap();
        let matches = std::fs::read_to_string(dir.join("matches.csv")).unwrap();
        let exceptions = std::fs::read_to_string(dir.join("exceptions.csv")).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        (matches, exceptions)
    }

    #[test]
    fn ids_with_commas_are_quoted_in_the_result_files() {
        let (matches, exceptions) = result_files(
            "quoting",
            vec![item("B,1", 12_500, "INV-1"), item("B\"2", 12_500, "INV-1")],
            vec![item("L,1", 12_500, "INV-1")],
        );
        assert!(matches.contains(",bank,\"B,1\",125.00\n"), "{matches}");
        assert!(matches.contains(",ledger,\"L,1\",125.00\n"), "{matches}");
        assert!(
            exceptions.contains("bank,\"B\"\"2\",125.00,"),
            "{exceptions}"
        );
    }

    /// A bank-supplied id is never a live formula in matches.csv or exceptions.csv; signed
    /// amounts stay numbers.
    #[test]
    fn formula_ids_are_neutralized_in_the_result_files() {
        let (matches, exceptions) = result_files(
            "formulas",
            vec![
                item("=cmd|calc!A1", -12_500, "INV-1"),
                item("@B2", -700, "=HYPERLINK(\"x\")"),
            ],
            vec![item("-L1", -12_500, "INV-1")],
        );
        assert!(
            matches.contains(",bank,'=cmd|calc!A1,-125.00\n"),
            "{matches}"
        );
        assert!(matches.contains(",ledger,'-L1,-125.00\n"), "{matches}");
        assert!(exceptions.contains("bank,'@B2,-7.00,"), "{exceptions}");
        for text in [&matches, &exceptions] {
            assert!(
                text.lines()
                    .all(|l| l.split(',').all(|c| !c.starts_with(['=', '+', '@']))),
                "{text}"
            );
        }
    }

    /// `recon match` writes matches.csv while the passes run; the file is the one written from
    /// the finished result.
    #[test]
    fn streamed_results_equal_the_finished_results() {
        let dir = std::env::temp_dir().join(format!("recon-streamed-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        crate::generate_files(4_000, 3, &dir).unwrap();
        let request = MatchRequest {
            bank_files: vec![dir.join("bank.csv")],
            ledger_files: vec![dir.join("ledger.csv")],
            rules_file: None,
            out_dir: dir.join("streamed"),
            import: ImportOptions::default(),
        };
        match_files(&request).unwrap();
        let limits = Limits::default();
        let bank = read_all(&request.bank_files, &limits).unwrap();
        let ledger = read_all(&request.ledger_files, &limits).unwrap();
        let input = MatchInput {
            bank: strict_bank_items(&bank, &ImportOptions::default()).unwrap(),
            ledger: strict_ledger_items(&ledger, &limits).unwrap(),
            ..MatchInput::default()
        };
        let matched = recon_match::run_borrowed(input, &RuleSet::default_rules(), &mut ()).unwrap();
        write_outcome(&dir.join("finished"), &matched).unwrap();
        for name in ["matches.csv", "exceptions.csv"] {
            let streamed = std::fs::read_to_string(dir.join("streamed").join(name)).unwrap();
            let finished = std::fs::read_to_string(dir.join("finished").join(name)).unwrap();
            assert!(streamed.lines().count() > 100, "{name}");
            assert!(streamed == finished, "{name} differs");
        }
        let _ = std::fs::remove_dir_all(&dir);
    }

    /// Files the strict reader leaves to the importer (a lower-case currency code, a blank row)
    /// match exactly as their strictly canonical twins; a bad value is still named by line.
    #[test]
    fn files_outside_the_strict_layout_go_through_the_importer() {
        let dir = std::env::temp_dir().join(format!("recon-fallback-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        crate::generate_files(3_000, 9, &dir).unwrap();
        let bank = std::fs::read_to_string(dir.join("bank.csv")).unwrap();
        let ledger = std::fs::read_to_string(dir.join("ledger.csv")).unwrap();
        let lower = bank
            .replace(",EUR,", ",eur,")
            .replace(",GBP,", ",gbp,")
            .replace(",USD,", ",usd,");
        assert_ne!(lower, bank);
        std::fs::write(dir.join("bank-lower.csv"), &lower).unwrap();
        std::fs::write(dir.join("ledger-blank.csv"), format!("{ledger}\n")).unwrap();
        let limits = Limits::default();
        for name in ["bank-lower.csv", "ledger-blank.csv"] {
            let files = read_all(&[dir.join(name)], &limits).unwrap();
            let strict = if name.starts_with("bank") {
                strict_bank_items(&files, &ImportOptions::default()).is_some()
            } else {
                strict_ledger_items(&files, &limits).is_some()
            };
            assert!(!strict, "{name} should go through the importer");
        }
        let run = |bank: &str, ledger: &str, out: &str| {
            match_files(&MatchRequest {
                bank_files: vec![dir.join(bank)],
                ledger_files: vec![dir.join(ledger)],
                rules_file: None,
                out_dir: dir.join(out),
                import: ImportOptions::default(),
            })
        };
        run("bank.csv", "ledger.csv", "strict").unwrap();
        let imported = run("bank-lower.csv", "ledger-blank.csv", "imported").unwrap();
        assert!(
            imported
                .issues
                .iter()
                .any(|i| i.message.contains("lower case")),
            "{:?}",
            imported.issues
        );
        for name in ["matches.csv", "exceptions.csv"] {
            let a = std::fs::read(dir.join("strict").join(name)).unwrap();
            let b = std::fs::read(dir.join("imported").join(name)).unwrap();
            assert!(a == b, "{name} differs");
        }
        // An amount with two decimal points: refused, naming the line.
        let mut lines: Vec<String> = bank.lines().map(str::to_string).collect();
        let fields: Vec<&str> = lines[5].splitn(6, ',').collect();
        lines[5] = format!(
            "{},{},{},{},12.3.4,{}",
            fields[0], fields[1], fields[2], fields[3], fields[5]
        );
        std::fs::write(dir.join("bank-bad.csv"), lines.join("\n")).unwrap();
        let error = run("bank-bad.csv", "ledger.csv", "bad")
            .unwrap_err()
            .to_string();
        assert!(error.contains("line 6"), "{error}");
        assert!(!dir.join("bad").join("matches.csv").exists());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
