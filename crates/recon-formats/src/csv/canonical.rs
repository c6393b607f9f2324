//! A strict reader for files in exactly the canonical layouts, as `recon gen` and the exports
//! write them: values borrowed from the file's text, no `String` per field, no statement built.
//! `recon match` reads millions of lines this way.
//!
//! It accepts a subset of what [`super::parse_statements`] and [`super::parse_ledger`] accept with
//! the canonical profiles, and gives the same values for it (a test compares the two on every
//! case and on mutated files). Anything outside that subset (another header, a quote escape, a
//! blank row, a lower-case currency, a value the general reader would refuse, a limit reached)
//! makes it answer `None`, and the caller uses the general reader, which then imports the file or
//! names the error with its line, column and reason. This reader never reports an error itself.

use super::fields::parse_iso;
use super::trim;
use crate::Limits;
use chrono::NaiveDate;
use recon_model::{Currency, Format, parse_minor};
use std::collections::HashSet;

const BANK_HEADER: &str =
    "line_id,account,booking_date,value_date,amount,currency,reference,description";
const LEDGER_HEADER: &str = "entry_id,account,posting_date,amount,currency,reference,description";

/// A bank line of a canonical bank-lines file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct BankLineRef<'a> {
    pub line_id: &'a str,
    pub account: &'a str,
    pub booking_date: NaiveDate,
    pub value_date: Option<NaiveDate>,
    pub amount_minor: i64,
    pub currency: Currency,
    /// "" when the file has none.
    pub reference: &'a str,
    pub description: &'a str,
}

/// A ledger entry of a canonical ledger file.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct LedgerEntryRef<'a> {
    pub entry_id: &'a str,
    pub account: &'a str,
    pub posting_date: NaiveDate,
    pub amount_minor: i64,
    pub currency: Currency,
    /// "" when the file has none.
    pub reference: &'a str,
    pub description: &'a str,
}

/// Reads a canonical bank-lines file, handing each line to `line` in file order, and returns the
/// number of lines; `None` when the file is not strictly canonical (lines already handed over are
/// then to be discarded).
pub fn read_bank_lines<'a>(
    bytes: &'a [u8],
    limits: &Limits,
    mut line: impl FnMut(BankLineRef<'a>),
) -> Option<usize> {
    let mut records = Records::open(bytes, BANK_HEADER, limits)?;
    // (account, currency, lines) of each statement the general reader would build.
    let mut statements: Vec<(&str, Currency, usize)> = Vec::new();
    let mut last = usize::MAX;
    let mut ids = Ids::default();
    let mut currencies = Currencies::default();
    let mut count = 0usize;
    while let Some(
        [
            id,
            account,
            booking,
            value,
            amount,
            currency,
            reference,
            description,
        ],
    ) = records.next::<8>()?
    {
        let currency = currencies.get(currency)?;
        let row = BankLineRef {
            line_id: non_empty(id)?,
            account: non_empty(account)?,
            booking_date: parse_iso(non_empty(booking)?)?,
            value_date: if value.is_empty() {
                None
            } else {
                Some(parse_iso(value)?)
            },
            amount_minor: parse_minor(non_empty(amount)?, b'.', currency.exponent()).ok()?,
            currency,
            reference,
            description,
        };
        if statements
            .get(last)
            .is_none_or(|s| s.0 != row.account || s.1 != currency)
        {
            last = match statements
                .iter()
                .position(|s| s.0 == row.account && s.1 == currency)
            {
                Some(i) => i,
                None if statements.len() < limits.max_statements_per_file => {
                    statements.push((row.account, currency, 0));
                    statements.len() - 1
                }
                None => return None,
            };
        }
        // The account text of the statement's first line: lines of one account then share one
        // slice, which callers can compare by address.
        let row = BankLineRef {
            account: statements[last].0,
            ..row
        };
        statements[last].2 += 1;
        if statements[last].2 > limits.max_lines_per_statement {
            return None;
        }
        ids.push(row.line_id);
        count += 1;
        line(row);
    }
    // The general reader warns about a file without lines.
    if count == 0 || !ids.unique(bytes, BANK_HEADER, limits) {
        return None;
    }
    Some(count)
}

/// Reads a canonical ledger file, handing each entry to `entry` in file order, and returns the
/// number of entries; `None` when the file is not strictly canonical.
pub fn read_ledger_entries<'a>(
    bytes: &'a [u8],
    limits: &Limits,
    mut entry: impl FnMut(LedgerEntryRef<'a>),
) -> Option<usize> {
    let mut records = Records::open(bytes, LEDGER_HEADER, limits)?;
    // The first text of each account (up to a few dozen), handed on for every entry of that
    // account (see read_bank_lines); ledgers interleave their accounts.
    let mut accounts: Vec<&str> = Vec::new();
    let mut last = 0usize;
    let mut ids = Ids::default();
    let mut currencies = Currencies::default();
    let mut count = 0usize;
    while let Some(
        [
            id,
            account,
            posting,
            amount,
            currency,
            reference,
            description,
        ],
    ) = records.next::<7>()?
    {
        let currency = currencies.get(currency)?;
        let row = LedgerEntryRef {
            entry_id: non_empty(id)?,
            account: non_empty(account)?,
            posting_date: parse_iso(non_empty(posting)?)?,
            amount_minor: parse_minor(non_empty(amount)?, b'.', currency.exponent()).ok()?,
            currency,
            reference,
            description,
        };
        let account = match accounts.get(last) {
            Some(&a) if a == row.account => a,
            _ => match accounts.iter().position(|&a| a == row.account) {
                Some(i) => {
                    last = i;
                    accounts[i]
                }
                None if accounts.len() < 64 => {
                    accounts.push(row.account);
                    last = accounts.len() - 1;
                    row.account
                }
                None => row.account,
            },
        };
        let row = LedgerEntryRef { account, ..row };
        count += 1;
        if count > limits.max_lines_per_statement {
            return None;
        }
        ids.push(row.entry_id);
        entry(row);
    }
    if !ids.unique(bytes, LEDGER_HEADER, limits) {
        return None;
    }
    Some(count)
}

fn non_empty(field: &str) -> Option<&str> {
    (!field.is_empty()).then_some(field)
}

/// The last currency code seen and its currency. Only exact upper-case codes: the general reader
/// reports a lower-case one.
#[derive(Default)]
struct Currencies<'a> {
    last: Option<(&'a str, Currency)>,
}

impl<'a> Currencies<'a> {
    fn get(&mut self, code: &'a str) -> Option<Currency> {
        match self.last {
            Some((text, currency)) if text == code => Some(currency),
            _ => {
                let currency = Currency::from_code(code).ok()?;
                self.last = Some((code, currency));
                Some(currency)
            }
        }
    }
}

/// Checks that ids are unique: without hashing while they only grow (by length, then bytes, as
/// exports number their rows); otherwise by a second pass over the file with a set.
#[derive(Default)]
struct Ids<'a> {
    previous: Option<&'a str>,
    unordered: bool,
}

impl<'a> Ids<'a> {
    fn push(&mut self, id: &'a str) {
        if self.previous.is_some_and(|p| !grows(p, id)) {
            self.unordered = true;
        }
        self.previous = Some(id);
    }

    fn unique(&self, bytes: &[u8], header: &str, limits: &Limits) -> bool {
        if !self.unordered {
            return true;
        }
        let Some(mut records) = Records::open(bytes, header, limits) else {
            return false;
        };
        let mut seen = HashSet::new();
        // Only the first field matters here; the record width was checked by the first pass.
        loop {
            match records.next::<1>() {
                Some(Some([id])) => {
                    if !seen.insert(id) {
                        return false;
                    }
                }
                Some(None) => return true,
                None => return false,
            }
        }
    }
}

/// `b` comes after `a` by length, then bytes ("L9" before "L10"), deciding on the first eight
/// bytes without a call to `memcmp` when they differ.
fn grows(a: &str, b: &str) -> bool {
    if a.len() != b.len() {
        return a.len() < b.len();
    }
    if let (Some(x), Some(y)) = (a.as_bytes().get(..8), b.as_bytes().get(..8)) {
        let x = u64::from_be_bytes(x.try_into().unwrap_or_default());
        let y = u64::from_be_bytes(y.try_into().unwrap_or_default());
        if x != y {
            return x < y;
        }
    }
    a.as_bytes() < b.as_bytes()
}

/// The records of a file in a canonical layout, as trimmed fields.
struct Records<'a> {
    text: &'a str,
    /// Start of the next record.
    at: usize,
    max_field_bytes: usize,
}

impl<'a> Records<'a> {
    /// After the exact header line; `None` unless the text is UTF-8 without a byte order mark,
    /// detected as CSV, and without a lone carriage return (which the CSV reader takes as a
    /// line break).
    fn open(bytes: &'a [u8], header: &str, limits: &Limits) -> Option<Records<'a>> {
        if bytes.len() as u64 > limits.max_file_bytes {
            return None;
        }
        let text = std::str::from_utf8(bytes).ok()?;
        if crate::detect(text) != Some(Format::Csv) {
            return None;
        }
        let rest = text.strip_prefix(header)?;
        let at = header.len()
            + if rest.starts_with("\r\n") {
                2
            } else if rest.starts_with('\n') {
                1
            } else {
                return None;
            };
        if memchr::memchr_iter(b'\r', bytes).any(|i| bytes.get(i + 1) != Some(&b'\n')) {
            return None;
        }
        Some(Records {
            text,
            at,
            max_field_bytes: limits.max_field_bytes,
        })
    }

    /// The next record's first `N` fields (all of them when `N` is the layout's width, which the
    /// record must then have exactly): `Some(None)` at the end, `None` when the record is not
    /// strictly canonical.
    fn next<const N: usize>(&mut self) -> Option<Option<[&'a str; N]>> {
        let text = self.text;
        if self.at >= text.len() {
            return Some(None);
        }
        let rest = &text.as_bytes()[self.at..];
        let end = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
        let start = self.at;
        self.at += (end + 1).min(rest.len());
        let mut line = &text[start..start + end];
        if let Some(l) = line.strip_suffix('\r') {
            line = l;
        }
        // A blank row: the general reader reports it.
        if line.is_empty() {
            return None;
        }
        if N > 1
            && let Some(raw) = split_unquoted::<N>(line)
        {
            let mut fields = [""; N];
            for (field, raw) in fields.iter_mut().zip(raw) {
                if raw.len() > self.max_field_bytes {
                    return None;
                }
                *field = trim(raw);
            }
            return Some(Some(fields));
        }
        let bytes = line.as_bytes();
        let mut fields = [""; N];
        let mut p = 0;
        for (i, field) in fields.iter_mut().enumerate() {
            let last = i + 1 == N;
            let (raw, next) = if bytes.get(p) == Some(&b'"') {
                // A quoted field without escaped quotes, followed by a comma or the line's end.
                let close = p + 1 + memchr::memchr(b'"', &bytes[p + 1..])?;
                let after = close + 1;
                match bytes.get(after) {
                    None => (&line[p + 1..close], after + 1),
                    Some(b',') => (&line[p + 1..close], after + 1),
                    Some(_) => return None,
                }
            } else {
                // Fields are short: a plain scan beats a vectorized search's setup.
                match bytes[p..].iter().position(|&b| b == b',' || b == b'"') {
                    Some(d) if bytes[p + d] == b',' => (&line[p..p + d], p + d + 1),
                    Some(_) => return None,
                    None => (&line[p..], bytes.len() + 1),
                }
            };
            // Exactly N fields when reading the whole width; `next` past the end means the
            // line ended, so a missing field shows as p > len below.
            if raw.len() > self.max_field_bytes {
                return None;
            }
            *field = trim(raw);
            if !last && next > bytes.len() {
                return None;
            }
            p = next;
        }
        Some(Some(fields)).filter(|_| N == 1 || p > bytes.len())
    }
}

/// The `N` comma-separated fields of a line without quotes, found eight bytes at a time; `None`
/// when the line has a quote or another number of fields (the caller then reads it field by
/// field, which settles both cases).
fn split_unquoted<const N: usize>(line: &str) -> Option<[&str; N]> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    // High bit set in each byte of `word` equal to `byte` (exact: no false positives).
    let equal = |word: u64, byte: u8| {
        let x = word ^ (ONES * u64::from(byte));
        let low = 0x7F7F_7F7F_7F7F_7F7F;
        !(((x & low).wrapping_add(low)) | x | low)
    };
    let bytes = line.as_bytes();
    let mut fields = [""; N];
    let mut count = 0;
    let mut start = 0;
    let mut at = 0;
    while at < bytes.len() {
        let mut chunk = [0u8; 8];
        let end = (at + 8).min(bytes.len());
        chunk[..end - at].copy_from_slice(&bytes[at..end]);
        let word = u64::from_le_bytes(chunk);
        if equal(word, b'"') != 0 {
            return None;
        }
        let mut commas = equal(word, b',');
        while commas != 0 {
            let position = at + (commas.trailing_zeros() / 8) as usize;
            if count + 1 >= N {
                return None;
            }
            fields[count] = &line[start..position];
            count += 1;
            start = position + 1;
            commas &= commas - 1;
        }
        at = end;
    }
    if count + 1 != N {
        return None;
    }
    fields[count] = &line[start..];
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv::{CsvProfile, parse_ledger};

    /// The strict reader's bank lines, or None.
    fn strict_bank(text: &str) -> Option<Vec<BankLineRef<'_>>> {
        let mut out = Vec::new();
        read_bank_lines(text.as_bytes(), &Limits::default(), |l| out.push(l))?;
        Some(out)
    }

    fn strict_ledger(text: &str) -> Option<Vec<LedgerEntryRef<'_>>> {
        let mut out = Vec::new();
        read_ledger_entries(text.as_bytes(), &Limits::default(), |l| out.push(l))?;
        Some(out)
    }

    /// When the strict reader accepts a bank file, the general reader (through `crate::parse`,
    /// as imports do) imports it without a finding and gives the same lines; sorted by id
    /// because the general reader groups lines per statement.
    fn assert_bank_agrees(text: &str) -> bool {
        let general = crate::parse("bank.csv", text.as_bytes(), &crate::ParseOptions::default());
        let Some(mut strict) = strict_bank(text) else {
            return false;
        };
        let parsed =
            general.unwrap_or_else(|e| panic!("strict accepted, general refused: {e:?}\n{text}"));
        assert!(parsed.findings.is_empty(), "{:?}\n{text}", parsed.findings);
        let mut lines: Vec<BankLineRef<'_>> = parsed
            .statements
            .iter()
            .flat_map(|s| {
                s.lines.iter().map(|l| BankLineRef {
                    line_id: &l.line_id,
                    account: &s.account,
                    booking_date: l.booking_date,
                    value_date: l.value_date,
                    amount_minor: l.amount_minor,
                    currency: s.currency,
                    reference: l.reference.as_deref().unwrap_or(""),
                    description: &l.description,
                })
            })
            .collect();
        for s in &parsed.statements {
            assert!(s.opening_balance.is_none() && s.closing_balance.is_none());
            assert!(s.lines.iter().all(|l| l.counterparty.is_none()));
        }
        lines.sort_by_key(|l| l.line_id);
        strict.sort_by_key(|l| l.line_id);
        assert_eq!(strict, lines, "{text}");
        true
    }

    fn assert_ledger_agrees(text: &str) -> bool {
        let profile = CsvProfile::canonical_ledger();
        let general = parse_ledger("ledger.csv", text, &profile, &Limits::default());
        let Some(strict) = strict_ledger(text) else {
            return false;
        };
        let entries =
            general.unwrap_or_else(|e| panic!("strict accepted, general refused: {e:?}\n{text}"));
        let entries: Vec<LedgerEntryRef<'_>> = entries
            .iter()
            .map(|e| LedgerEntryRef {
                entry_id: &e.entry_id,
                account: &e.account,
                posting_date: e.posting_date,
                amount_minor: e.amount_minor,
                currency: e.currency,
                reference: e.reference.as_deref().unwrap_or(""),
                description: &e.description,
            })
            .collect();
        assert_eq!(strict, entries, "{text}");
        true
    }

    const BANK: &str = "line_id,account,booking_date,value_date,amount,currency,reference,description\n\
        B1,NL91ABNA0417164300,2026-01-02,2026-01-03,125.50,EUR,INV-1,Acme BV\n\
        B2,NL91ABNA0417164300,2026-01-02,,-7,EUR,, bank fee \n\
        B3,GB29NWBK60161331926819,2026-01-04,2026-01-04,1000,JPY,\"PMT/9, 8\",\"Batch, two invoices\"\n\
        B10,NL91ABNA0417164300,2026-01-05,2026-01-05,+0.10,EUR,REF 1,Café Noël\n";

    const LEDGER: &str = "entry_id,account,posting_date,amount,currency,reference,description\r\n\
        L1,NL91ABNA0417164300,2026-01-01,125.50,EUR,INV-1,Acme BV invoice 1\r\n\
        L2,NL91ABNA0417164300,2026-01-02,-7.00,EUR,,\r\n";

    #[test]
    fn ids_grow_by_length_then_bytes() {
        let ids = [
            "",
            "L9",
            "L10",
            "L00000009",
            "L00000010",
            "L0000001x",
            "M0000000",
            "é",
            "L",
        ];
        for a in ids {
            for b in ids {
                let expected = (a.len(), a.as_bytes()) < (b.len(), b.as_bytes());
                assert_eq!(grows(a, b), expected, "{a:?} then {b:?}");
            }
        }
    }

    #[test]
    fn unquoted_lines_split_like_the_field_reader() {
        for line in [
            "a,b,c",
            "a,,c",
            ",,",
            "abcdefgh,ijklmnop,qrstuvwxyz0123456789",
            "Café,Noël,x",
            "a,b",
            "a,b,c,d",
            "a,\"b\",c",
            "",
        ] {
            let expected: Vec<&str> = line.split(',').collect();
            match split_unquoted::<3>(line) {
                Some(fields) => assert_eq!(fields.to_vec(), expected, "{line:?}"),
                None => assert!(expected.len() != 3 || line.contains('"'), "{line:?}"),
            }
        }
    }

    #[test]
    fn canonical_files_read_like_the_general_reader() {
        assert!(assert_bank_agrees(BANK));
        assert!(assert_ledger_agrees(LEDGER));
        let lines = strict_bank(BANK).unwrap();
        assert_eq!(lines.len(), 4);
        assert_eq!(lines[1].description, "bank fee");
        assert_eq!(lines[1].value_date, None);
        assert_eq!(lines[2].reference, "PMT/9, 8");
        assert_eq!(lines[2].amount_minor, 1000);
        // Unordered but unique ids take the second pass, and pass.
        let swapped = BANK.replace("B10,", "B0,");
        assert!(assert_bank_agrees(&swapped));
    }

    #[test]
    fn anything_else_goes_to_the_general_reader() {
        let header = BANK.lines().next().unwrap();
        let row = "B1,NL91,2026-01-02,2026-01-03,125.50,EUR,INV-1,Acme";
        let refused = [
            format!("\u{FEFF}{header}\n{row}\n"),
            format!("{}\n{row}\n", header.replace("line_id", "Line_Id")),
            format!("{header}\n{row}\n\n{}\n", row.replace("B1", "B2")),
            format!("{header}\n{}\n", row.replace("Acme", "\"Ac\"\"me\"")),
            format!("{header}\n{}\n", row.replace("EUR", "eur")),
            format!("{header}\n{}\n", row.replace("EUR", "XXX")),
            format!("{header}\n{}\n", row.replace("125.50", "125.505")),
            format!("{header}\n{}\n", row.replace("125.50", "1,25")),
            format!("{header}\n{}\n", row.replace("2026-01-02", "02.01.2026")),
            format!("{header}\n{}\n", row.replace("2026-01-02", "2026-02-30")),
            format!("{header}\n{}\n", row.replace("B1,", ",")),
            format!("{header}\n{}\n", row.replace(",NL91,", ",,")),
            format!("{header}\n{row},extra\n"),
            format!("{header}\n{}\n", row.replace(",Acme", "")),
            format!("{header}\n{row}\n{row}\n"),
            format!("{header}\n{row}\rB2\n"),
            format!("{header}\n"),
            format!("{header}\n{}\n", row.replace("Acme", "\"Acme\nCorp\"")),
        ];
        for text in &refused {
            assert!(strict_bank(text).is_none(), "accepted: {text:?}");
        }
        let limits = Limits {
            max_field_bytes: 3,
            ..Limits::default()
        };
        assert!(read_bank_lines(BANK.as_bytes(), &limits, |_| ()).is_none());
    }

    /// Every single-byte change of the sample files (deleting, or replacing by one of the bytes
    /// that matter to CSV) is either refused by the strict reader or read exactly as the general
    /// reader reads it.
    #[test]
    fn mutated_files_agree_or_are_refused() {
        let specials = [b',', b'"', b'\n', b'\r', b' ', b'-', b'.', b'0', b'x', b'E'];
        let mut accepted = 0;
        for (base, is_bank) in [(BANK, true), (LEDGER, false)] {
            let bytes = base.as_bytes();
            for i in 0..bytes.len() {
                let mut variants = vec![[&bytes[..i], &bytes[i + 1..]].concat()];
                for &s in &specials {
                    let mut v = bytes.to_vec();
                    v[i] = s;
                    variants.push(v);
                }
                for v in variants {
                    let Ok(text) = std::str::from_utf8(&v) else {
                        continue;
                    };
                    let agreed = if is_bank {
                        assert_bank_agrees(text)
                    } else {
                        assert_ledger_agrees(text)
                    };
                    accepted += usize::from(agreed);
                }
            }
        }
        // The mutations are not all refused: many stay canonical (another digit, another id).
        assert!(accepted > 300, "{accepted}");
    }
}
