//! Text folding for matching: normalized references, reference tokens in free text, and an
//! integer text similarity.

/// Prefixes that banks and ledgers put before the same reference. Longest first.
const PREFIXES: [&str; 9] = [
    "PAYMENT", "INVOICE", "RECHNUNG", "FACTUUR", "PMT", "PAY", "INV", "REF", "RE",
];

/// Folds case, whitespace and punctuation, then strips the common prefixes ("PMT/INV-0012" and
/// "inv 0012" both become "0012"). Returns an empty string for NONREF / NOTPROVIDED / no text.
pub fn reference(text: &str) -> String {
    let mut out = String::new();
    reference_into(text, &mut out);
    out
}

/// [`reference`], appended to `out` (the matcher keeps a column's references in one buffer).
pub fn reference_into(text: &str, out: &mut String) {
    // ASCII references (nearly all) are folded in a buffer on the stack and appended once.
    let mut folded = [0u8; 64];
    if text.len() <= folded.len() && text.is_ascii() {
        let mut n = 0;
        for b in text.bytes() {
            if b.is_ascii_alphanumeric() {
                folded[n] = b.to_ascii_uppercase();
                n += 1;
            }
        }
        let folded = &folded[..n];
        if folded == b"NONREF" || folded == b"NOTPROVIDED" {
            return;
        }
        let kept = &folded[prefix_length(folded)..];
        // Upper-case ASCII letters and digits only, so always UTF-8.
        out.push_str(std::str::from_utf8(kept).unwrap_or_default());
        return;
    }
    let start = out.len();
    out.extend(
        text.chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase),
    );
    let folded = &out[start..];
    if folded == "NONREF" || folded == "NOTPROVIDED" {
        out.truncate(start);
        return;
    }
    let skip = prefix_length(&out.as_bytes()[start..]);
    out.drain(start..start + skip);
}

/// How much of a folded reference is prefixes. Only stripped when something that starts with a
/// digit or is another prefix follows, so that "REFUND" or "PAYROLL" stay themselves.
fn prefix_length(folded: &[u8]) -> usize {
    let mut skip = 0;
    'strip: loop {
        let folded = &folded[skip..];
        // Every prefix starts with one of these letters; most references start with a digit.
        if !matches!(folded.first(), Some(b'P' | b'I' | b'R' | b'F')) {
            return skip;
        }
        for p in PREFIXES {
            if starts_with(folded, p) {
                let rest = &folded[p.len()..];
                if rest.first().is_some_and(u8::is_ascii_digit)
                    || PREFIXES.iter().any(|q| starts_with(rest, q))
                {
                    skip += p.len();
                    continue 'strip;
                }
            }
        }
        return skip;
    }
}

/// `text.starts_with(prefix)` for the short prefixes above, compared inline (a `memcmp` call per
/// prefix was a visible share of preparing a million references).
fn starts_with(text: &[u8], prefix: &str) -> bool {
    text.len() >= prefix.len() && text.iter().zip(prefix.as_bytes()).all(|(a, b)| a == b)
}

/// Reference-like tokens in free text (e.g. a batch payment's remittance listing invoices):
/// runs of letters/digits/punctuation containing at least 4 digits, each normalized like
/// [`reference`]. Sorted and deduplicated.
pub fn reference_tokens(text: &str) -> Vec<String> {
    let mut tokens = Tokens::default();
    tokens.read(&[text]);
    tokens.iter().map(str::to_string).collect()
}

/// [`reference_tokens`] of several texts together, kept in one reused buffer: no allocation per
/// token (the batch pass reads the text of every open bank line).
#[derive(Default)]
pub struct Tokens {
    text: String,
    /// (start, end) of each token in `text`, in token order once read.
    spans: Vec<(usize, usize)>,
}

impl Tokens {
    /// Replaces the tokens by those of `texts` (as if joined by spaces).
    pub fn read(&mut self, texts: &[&str]) {
        self.text.clear();
        self.spans.clear();
        for text in texts {
            for t in text.split(|c: char| c.is_whitespace() || c == ',' || c == ';') {
                if t.bytes().filter(u8::is_ascii_digit).count() < 4 {
                    continue;
                }
                let start = self.text.len();
                reference_into(t, &mut self.text);
                if self.text.len() > start {
                    self.spans.push((start, self.text.len()));
                }
            }
        }
        let text = &self.text;
        self.spans
            .sort_unstable_by(|a, b| text[a.0..a.1].cmp(&text[b.0..b.1]));
        self.spans.dedup_by(|a, b| text[a.0..a.1] == text[b.0..b.1]);
    }

    pub fn len(&self) -> usize {
        self.spans.len()
    }

    pub fn is_empty(&self) -> bool {
        self.spans.is_empty()
    }

    /// The distinct tokens, sorted.
    pub fn iter(&self) -> impl Iterator<Item = &str> {
        self.spans.iter().map(|&(s, e)| &self.text[s..e])
    }
}

/// The words of `text`: runs of two or more letters, ASCII case folded (digits and punctuation
/// split words and are not words).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphabetic())
        .filter(|w| w.chars().nth(1).is_some())
}

/// The share, in per mille, of `bank`'s distinct words that `ledger` has too (case folded): how
/// much of what the bank says about the counterparty the ledger says as well. 0 when `bank` has
/// no words.
pub fn word_overlap_per_mille(bank: &str, ledger: &str) -> u32 {
    let mut theirs: Vec<&str> = words(ledger).collect();
    let mut mine: Vec<&str> = words(bank).collect();
    mine.sort_unstable_by_key(|w| w.to_ascii_lowercase());
    mine.dedup_by(|a, b| a.eq_ignore_ascii_case(b));
    theirs.sort_unstable();
    if mine.is_empty() {
        return 0;
    }
    let shared = mine
        .iter()
        .filter(|w| theirs.iter().any(|t| t.eq_ignore_ascii_case(w)))
        .count();
    (shared * 1000 / mine.len()) as u32
}

/// The distinct words of `text` (as [`word_overlap_per_mille`] reads them) as hashes of their
/// ASCII-lower-cased bytes, sorted, appended to `out`.
pub fn push_word_hashes(text: &str, out: &mut Vec<u64>) {
    let start = out.len();
    for w in words(text) {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in w.bytes() {
            h = (h ^ u64::from(b.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3);
        }
        out.push(h);
    }
    out[start..].sort_unstable();
    let mut kept = start;
    for i in start..out.len() {
        if kept == start || out[kept - 1] != out[i] {
            out[kept] = out[i];
            kept += 1;
        }
    }
    out.truncate(kept);
}

/// [`word_overlap_per_mille`] over word sets from [`push_word_hashes`] (no text read, no
/// allocation: the pass computes each item's set once, not once per pair).
pub fn word_set_overlap_per_mille(bank: &[u64], ledger: &[u64]) -> u32 {
    if bank.is_empty() {
        return 0;
    }
    let (mut i, mut j, mut shared) = (0, 0, 0usize);
    while i < bank.len() && j < ledger.len() {
        match bank[i].cmp(&ledger[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                shared += 1;
                i += 1;
                j += 1;
            }
        }
    }
    (shared * 1000 / bank.len()) as u32
}

/// Normalized optimal-string-alignment similarity (Levenshtein plus transpositions) in per mille: 1000 for equal texts, 0 for nothing in common.
pub fn similarity_per_mille(a: &str, b: &str) -> u32 {
    let longest = a.chars().count().max(b.chars().count());
    if longest == 0 {
        return 0;
    }
    if a == b {
        return 1000;
    }
    let distance = strsim::osa_distance(a, b).min(longest);
    (1000 - distance * 1000 / longest) as u32
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_overlap_counts_the_bank_texts_words_the_ledger_has() {
        assert_eq!(
            word_overlap_per_mille("ACME TRADING GMBH", "Invoice INV-0300123 Acme Trading GmbH"),
            1000
        );
        assert_eq!(
            word_overlap_per_mille("Acme Trading BV", "Globex Trading BV invoice 12"),
            666
        );
        assert_eq!(word_overlap_per_mille("PMT/12345", "Acme"), 0);
        assert_eq!(word_overlap_per_mille("", "Acme"), 0);
        // Repeated words count once; one-letter runs are not words.
        assert_eq!(word_overlap_per_mille("Acme Acme A", "acme"), 1000);
    }

    #[test]
    fn word_sets_give_what_the_texts_give() {
        let texts = [
            "ACME TRADING GMBH",
            "Invoice INV-0300123 Acme Trading GmbH",
            "Globex Trading BV invoice 12",
            "Acme Acme A",
            "acme",
            "",
            "PMT/12345",
            "Straße Müller GmbH",
            "STRAßE müller gmbh",
        ];
        let set = |t: &str| {
            let mut v = Vec::new();
            push_word_hashes(t, &mut v);
            v
        };
        for a in texts {
            for b in texts {
                assert_eq!(
                    word_set_overlap_per_mille(&set(a), &set(b)),
                    word_overlap_per_mille(a, b),
                    "{a:?} {b:?}"
                );
            }
        }
    }

    /// The folding rule written plainly: chars, then prefixes.
    fn plain_reference(text: &str) -> String {
        let mut out: String = text
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase)
            .collect();
        if out == "NONREF" || out == "NOTPROVIDED" {
            return String::new();
        }
        let skip = prefix_length(out.as_bytes());
        out.drain(..skip);
        out
    }

    #[test]
    fn the_ascii_fast_path_folds_like_the_plain_rule() {
        let pieces = [
            "inv",
            "INV",
            "pmt/",
            "PMT",
            "Ref ",
            "re:",
            "-",
            "0012",
            "7",
            "payroll",
            "nonref",
            "NOTPROVIDED",
            " ",
            "/",
            "Rechnung",
            "x",
            "ä",
            "payment",
            "00",
        ];
        let mut seed = 7u64;
        for _ in 0..20_000 {
            let mut text = String::new();
            for _ in 0..(seed % 6) {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                text.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            assert_eq!(reference(&text), plain_reference(&text), "{text:?}");
        }
        let long = "inv ".repeat(20) + "0012";
        assert_eq!(reference(&long), plain_reference(&long));
    }

    #[test]
    fn references_fold() {
        assert_eq!(reference("PMT/INV-0100195"), "0100195");
        assert_eq!(reference("inv 0100195"), "0100195");
        assert_eq!(reference("INV0100195"), "0100195");
        assert_eq!(reference("Invoice 2026/1002"), "20261002");
        assert_eq!(reference("NONREF"), "");
        assert_eq!(reference("REFUND-22"), "REFUND22");
        assert_eq!(reference("PAYROLL"), "PAYROLL");
        assert_eq!(reference("BATCH-8841"), "BATCH8841");
        assert_eq!(reference("pmt/inv 0012"), "0012");
        assert_eq!(reference("Invoice"), "INVOICE");
        assert_eq!(reference("RE: Rechnung 77"), "77");
        assert_eq!(reference("Überweisung INV-5"), "ÜBERWEISUNGINV5");
        assert_eq!(reference("  "), "");
    }

    #[test]
    fn tokens_in_free_text() {
        assert_eq!(
            reference_tokens("Acme batch INV-0100001 INV-0100002, inv 0100001"),
            vec!["0100001", "0100002"]
        );
        assert!(reference_tokens("Rent November").is_empty());
    }

    #[test]
    fn similarity() {
        assert_eq!(similarity_per_mille("0100195", "0100195"), 1000);
        assert_eq!(similarity_per_mille("0100195", "0101195"), 858);
        assert_eq!(similarity_per_mille("", ""), 0);
    }
}
