//! `:86:` information to the account owner: free text, German `?NN` subfields (also Triodos'
//! `>NN`), and Dutch `/KEY/value` blocks, turned into description, reference and counterparty.
//!
//! Line joining. A `:86:` holds up to 6 lines of 65 characters; banks that fill lines to the
//! brim split words anywhere, banks that write line by line do not. Free text and `/KEY/` text
//! are therefore joined with a single space, except after a full line (65 characters; 64 in
//! `/KEY/` text, which Rabobank wraps at 64) not ending in a blank, which is glued to the next.
//! (ABN AMRO's old layout fills 64-character lines with two 32-character columns: kept apart.) `?NN` text is always
//! glued (its subfields are cut at fixed widths mid-word, even mid-tag: `?2` / `2MTLG`).

use recon_model::StatementLine;

/// The lines of a field: the value on the tag line, then each continuation line.
/// `rest` is empty or starts with the newline that ends the tag line.
pub(super) fn field_lines<'a>(first: &'a str, rest: &'a str) -> impl Iterator<Item = &'a str> {
    std::iter::once(first)
        .chain(rest.split('\n').skip(1))
        .map(|l| l.trim_end_matches('\r'))
}

/// Appends `text` with ASCII control characters (tabs, stray SOH...) turned into spaces: the
/// description is one line of printable text.
pub(super) fn push_clean(out: &mut String, text: &str) {
    if text.bytes().all(|b| b >= 0x20 && b != 0x7F) {
        out.push_str(text);
    } else {
        out.extend(
            text.chars()
                .map(|c| if c.is_ascii_control() { ' ' } else { c }),
        );
    }
}

/// Whether a line was wrapped at `width` characters (and so continues mid-word on the next).
fn is_wrapped(line: &str, width: usize) -> bool {
    line.len() >= width
        && !line.ends_with([' ', '\t'])
        && (line.is_ascii() || line.chars().count() >= width)
}

/// Line width from which free text is taken as wrapped: the SWIFT 65.
const TEXT_WIDTH: usize = 65;
/// `/KEY/` blocks are wrapped a character earlier by some banks (Rabobank: 64).
const SLASH_WIDTH: usize = 64;

/// Joins lines into one line of text (see the module doc for the rule) onto `out`.
pub(super) fn push_joined<'a>(
    out: &mut String,
    lines: impl Iterator<Item = &'a str>,
    width: usize,
) {
    let start = out.len();
    let mut glue = false;
    for line in lines {
        let trimmed = line.trim_end();
        if trimmed.trim_start().is_empty() {
            glue = false;
            continue;
        }
        if out.len() == start {
            push_clean(out, trimmed.trim_start());
        } else if glue && !line.starts_with([' ', '\t']) {
            push_clean(out, trimmed);
        } else {
            out.push(' ');
            push_clean(out, trimmed.trim_start());
        }
        glue = is_wrapped(line, width);
    }
}

/// Appends one piece to a line's description, separated by a space.
fn append_description(line: &mut StatementLine, piece: &str) {
    let piece = piece.trim();
    if piece.is_empty() {
        return;
    }
    if !line.description.is_empty() {
        line.description.push(' ');
    }
    push_clean(&mut line.description, piece);
}

fn non_empty(text: &str) -> Option<&str> {
    let t = text.trim();
    (!t.is_empty()).then_some(t)
}

/// An account number as a string without blanks (IBANs are written without spaces in data).
fn account_text(text: &str) -> Option<String> {
    let t = text.trim();
    if t.is_empty() {
        None
    } else if t.bytes().any(|b| b.is_ascii_whitespace() || b >= 0x80)
        && t.contains(char::is_whitespace)
    {
        Some(t.chars().filter(|c| !c.is_whitespace()).collect())
    } else {
        Some(t.to_string())
    }
}

/// The subfield separator when the text is in the German `NNN?00...` layout (`?`, or Triodos' `>`).
fn separated_style(head: &str) -> Option<u8> {
    let b = head.as_bytes();
    if b.len() >= 6
        && b[..3].iter().all(u8::is_ascii_digit)
        && matches!(b[3], b'?' | b'>')
        && b[4].is_ascii_digit()
        && b[5].is_ascii_digit()
    {
        Some(b[3])
    } else {
        None
    }
}

/// Keys of the Dutch `/KEY/value/` layout (ABN AMRO, ING, Rabobank, Triodos...).
const SLASH_KEYS: &[&str] = &[
    "ACCW",
    "ADDR",
    "ATTN",
    "BENM",
    "BIC",
    "CDTRREF",
    "CDTRREFTP",
    "CNTP",
    "CSID",
    "CUR",
    "EREF",
    "IBAN",
    "ID",
    "ISDT",
    "ISSR",
    "MARF",
    "NAME",
    "ORDP",
    "PREF",
    "PURP",
    "REMI",
    "RTRN",
    "STRD",
    "SVCL",
    "TRTP",
    "ULTB",
    "ULTC",
    "ULTD",
    "USTD",
];

/// Length of the known key in `/KEY/` starting at `b[at] == b'/'`.
fn slash_key_at(b: &[u8], at: usize) -> Option<usize> {
    let letters = b
        .get(at + 1..)?
        .iter()
        .take(10)
        .take_while(|c| c.is_ascii_uppercase())
        .count();
    if letters < 2 || b.get(at + 1 + letters) != Some(&b'/') {
        return None;
    }
    let key = std::str::from_utf8(&b[at + 1..at + 1 + letters]).ok()?;
    SLASH_KEYS.contains(&key).then_some(letters)
}

fn slash_style(head: &str) -> bool {
    head.starts_with('/') && slash_key_at(head.as_bytes(), 0).is_some()
}

/// Buffers reused from one `:86:` to the next: the importer allocates only the strings it keeps.
#[derive(Default)]
pub(super) struct Scratch {
    joined: String,
    remittance: SubfieldText,
    name: SubfieldText,
    eref: String,
}

/// Applies one `:86:` field to its statement line: appends to the description and fills
/// reference (an EREF wins over the `:61:` customer reference), counterparty and its account.
pub(super) fn apply(first: &str, rest: &str, line: &mut StatementLine, scratch: &mut Scratch) {
    let head = first.trim_start();
    if let Some(sep) = separated_style(head) {
        if rest.is_empty() {
            apply_separated(head, sep, line, scratch);
        } else {
            let mut joined = std::mem::take(&mut scratch.joined);
            joined.clear();
            joined.push_str(head);
            for l in rest.split('\n').skip(1) {
                joined.push_str(l.trim_end_matches('\r'));
            }
            apply_separated(&joined, sep, line, scratch);
            scratch.joined = joined;
        }
    } else if slash_style(head) {
        if rest.is_empty() {
            apply_slashed(head, line);
        } else {
            let joined = &mut scratch.joined;
            joined.clear();
            push_joined(joined, field_lines(first, rest), SLASH_WIDTH);
            apply_slashed(joined, line);
        }
    } else {
        let piece_start = line.description.len();
        if piece_start > 0 {
            line.description.push(' ');
        }
        let after_space = line.description.len();
        line.description.reserve(first.len() + rest.len());
        push_joined(&mut line.description, field_lines(first, rest), TEXT_WIDTH);
        if line.description.len() == after_space {
            line.description.truncate(piece_start);
        }
    }
}

/// `166?00GUTSCHRIFT?100399?20EREF+...?21...?30BLZ?31ACCOUNT?32NAME?33NAME2?60...`
fn apply_separated(s: &str, sep: u8, line: &mut StatementLine, scratch: &mut Scratch) {
    let b = s.as_bytes();
    let mut posting = "";
    let remittance = &mut scratch.remittance;
    let name = &mut scratch.name;
    remittance.clear();
    name.clear();
    let mut account_31 = "";
    let mut account_38 = "";
    // The EREF value: from the subfield that starts with EREF+, continued into the next
    // subfield while the previous one was full (27 characters) and the next one opens no key.
    let eref = &mut scratch.eref;
    eref.clear();
    let mut eref_found = false;
    let mut eref_open = false;
    let mut last_code = 0u8;
    let mut current: Option<(u8, usize)> = None;
    let mut i = 3;
    loop {
        let next = memchr::memchr_iter(sep, &b[i.min(b.len())..])
            .map(|p| i + p)
            .find(|&p| {
                b.get(p + 1).is_some_and(u8::is_ascii_digit)
                    && b.get(p + 2).is_some_and(u8::is_ascii_digit)
            });
        if let Some((code, start)) = current {
            let value = &s[start..next.unwrap_or(s.len())];
            match code {
                0 => posting = value,
                20..=29 | 60..=63 => {
                    let follows = code == last_code + 1 || (code == 60 && last_code == 29);
                    if let Some(v) = value.strip_prefix("EREF+") {
                        eref.clear();
                        eref.push_str(v);
                        eref_found = true;
                        eref_open = is_full_subfield(value);
                    } else if eref_open && follows && !starts_with_sepa_key(value) {
                        eref.push_str(value);
                        eref_open = is_full_subfield(value);
                    } else {
                        eref_open = false;
                    }
                    remittance.push(value);
                }
                31 => account_31 = value,
                32 | 33 => name.push(value),
                38 => account_38 = value,
                _ => {}
            }
            last_code = code;
        }
        let Some(p) = next else { break };
        let code = (b[p + 1] - b'0') * 10 + (b[p + 2] - b'0');
        current = Some((code, p + 3));
        i = p + 3;
    }
    let remittance = remittance.text.trim();
    let posting = posting.trim();
    if !posting.is_empty() || !remittance.is_empty() {
        let description = &mut line.description;
        description.reserve(posting.len() + remittance.len() + 2);
        if !description.is_empty() {
            description.push(' ');
        }
        push_clean(description, posting);
        if !remittance.is_empty() {
            if !posting.is_empty() {
                description.push(' ');
            }
            push_clean(description, remittance);
        }
    }
    let eref = if eref_found {
        let e = eref.trim();
        is_reference(e).then(|| e.to_string())
    } else {
        // EREF+ in the middle of a subfield: up to the next key, at most 35 characters.
        sepa_value(remittance, "EREF+").map(|e| {
            let end = e.char_indices().nth(35).map_or(e.len(), |(p, _)| p);
            e[..end].trim().to_string()
        })
    };
    if let Some(e) = eref {
        line.reference = Some(e);
    }
    if line.counterparty.is_none() {
        // Names are padded inside their subfields ("KARL" / "        KAUFMANN").
        line.counterparty = non_empty(&scratch.name.text).map(|n| {
            if n.contains("  ") {
                n.split_whitespace().collect::<Vec<_>>().join(" ")
            } else {
                n.to_string()
            }
        });
    }
    if line.counterparty_account.is_none() {
        line.counterparty_account = account_text(account_38).or_else(|| account_text(account_31));
    }
}

/// Subfield texts run together: glued to a full previous subfield (27 characters, cut
/// mid-word), else after a space.
#[derive(Default)]
struct SubfieldText {
    text: String,
    last_full: bool,
}

impl SubfieldText {
    fn clear(&mut self) {
        self.text.clear();
        self.last_full = false;
    }

    fn push(&mut self, value: &str) {
        if !self.text.is_empty()
            && !self.last_full
            && !self.text.ends_with(' ')
            && !value.starts_with(' ')
        {
            self.text.push(' ');
        }
        self.text.push_str(value);
        self.last_full = is_full_subfield(value);
    }
}

/// German subfields hold 27 characters; a full one may continue in the next.
fn is_full_subfield(value: &str) -> bool {
    value.len() >= 27 && (value.is_ascii() || value.chars().count() >= 27)
}

fn starts_with_sepa_key(value: &str) -> bool {
    let b = value.as_bytes();
    SEPA_KEYS
        .iter()
        .any(|k| b.len() > k.len() && b.starts_with(k) && b[k.len()] == b'+')
}

/// Whether an end-to-end reference says something (NOTPROVIDED and NONREF say nothing).
fn is_reference(text: &str) -> bool {
    !text.is_empty() && text != "NOTPROVIDED" && text != "NONREF"
}

/// SEPA keys inside German remittance text (`EREF+...SVWZ+...`).
const SEPA_KEYS: &[&[u8]] = &[
    b"EREF", b"KREF", b"MREF", b"CRED", b"DEBT", b"SVWZ", b"ABWA", b"ABWE", b"IBAN", b"COAM",
    b"OAMT", b"PURP", b"BIC",
];

/// The value of a SEPA key up to the next key; `None` when absent or saying nothing.
fn sepa_value<'a>(text: &'a str, key: &str) -> Option<&'a str> {
    let at = memchr::memmem::find(text.as_bytes(), key.as_bytes())?;
    let value = &text[at + key.len()..];
    let vb = value.as_bytes();
    let end = memchr::memchr_iter(b'+', vb)
        .find_map(|p| {
            SEPA_KEYS
                .iter()
                .find(|k| p >= k.len() && &vb[p - k.len()..p] == **k)
                .map(|k| p - k.len())
        })
        .unwrap_or(vb.len());
    let v = value[..end].trim();
    is_reference(v).then_some(v)
}

/// `/EREF/x/BENM//NAME/y/REMI/z` and ING's `/CNTP/account/bic/name/city/`.
fn apply_slashed<'a>(s: &'a str, line: &mut StatementLine) {
    let b = s.as_bytes();
    let mut eref = None;
    let mut name = None;
    let mut account = None;
    let mut remi = None;
    let mut remi_alt = None;
    let mut current: Option<(&'a str, usize)> = None;
    let mut handle = |key: &str, value: &'a str| {
        let value = value.trim().trim_matches('/').trim();
        match key {
            "EREF" if is_reference(value) => {
                eref.get_or_insert(value);
            }
            "NAME" if !value.is_empty() => {
                name.get_or_insert(value);
            }
            "IBAN" if !value.is_empty() => {
                account.get_or_insert(value);
            }
            "CNTP" => {
                let mut parts = value.split('/');
                if let Some(a) = parts.next().and_then(non_empty) {
                    account.get_or_insert(a);
                }
                if let Some(n) = parts.nth(1).and_then(non_empty) {
                    name.get_or_insert(n);
                }
            }
            "REMI" if !value.is_empty() => {
                remi.get_or_insert(value);
            }
            "USTD" | "CDTRREF" if !value.is_empty() => {
                remi_alt.get_or_insert(value);
            }
            _ => {}
        }
    };
    let mut i = 0;
    while let Some(off) = memchr::memchr(b'/', &b[i.min(b.len())..]) {
        let at = i + off;
        if let Some(len) = slash_key_at(b, at) {
            if let Some((key, start)) = current {
                // A key's closing '/' may open the next key (`/REMI/USTD//...`).
                handle(key, &s[start.min(at)..at]);
            }
            current = Some((&s[at + 1..at + 1 + len], at + 2 + len));
            i = at + 1 + len;
        } else {
            i = at + 1;
        }
    }
    if let Some((key, start)) = current {
        handle(key, &s[start.min(s.len())..]);
    }
    append_description(line, remi.or(remi_alt).unwrap_or(s));
    if let Some(e) = eref {
        line.reference = Some(e.to_string());
    }
    if line.counterparty.is_none() {
        line.counterparty = name.map(str::to_string);
    }
    if line.counterparty_account.is_none() {
        line.counterparty_account = account.and_then(account_text);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn info(text: &str) -> StatementLine {
        let mut line = StatementLine::default();
        let (first, rest) = match text.find('\n') {
            Some(p) => (&text[..p], &text[p..]),
            None => (text, ""),
        };
        apply(first, rest, &mut line, &mut Scratch::default());
        line
    }

    #[test]
    fn plain_text_is_joined_with_spaces() {
        let l = info("HIER EEN MOOIE OMSCHRIJVING\r\nWANT DAT IS ZO  \r\n\r\n");
        assert_eq!(l.description, "HIER EEN MOOIE OMSCHRIJVING WANT DAT IS ZO");
        assert_eq!(l.reference, None);
    }

    #[test]
    fn wrapped_lines_are_glued() {
        let l = info(
            "GIRO AUS ONLINE-SIC 80701 AUFTRAGGEBER: XXXXXXXXX XXX XXXXXXXXSTR\nASSE 111\n 10 X",
        );
        assert_eq!(
            l.description,
            "GIRO AUS ONLINE-SIC 80701 AUFTRAGGEBER: XXXXXXXXX XXX XXXXXXXXSTRASSE 111 10 X"
        );
        let l = info("a\tb");
        assert_eq!(l.description, "a b");
    }

    #[test]
    fn german_subfields() {
        let l = info(
            "166?00GUTSCHRIFT?100399?20EREF+EndToEndId TFNR 22 004?21 00001?22\n\
             SVWZ+Verw CTSc-01 BC-PPP TF?23Nr 22 004?30DRESDEFF508?31DE1450880\n\
             0500194785000?32KARL?33        KAUFMANN?70Empfaenger Marta Metzge\nr",
        );
        assert_eq!(
            l.description,
            "GUTSCHRIFT EREF+EndToEndId TFNR 22 004 00001 SVWZ+Verw CTSc-01 BC-PPP TFNr 22 004"
        );
        assert_eq!(l.reference.as_deref(), Some("EndToEndId TFNR 22 004 00001"));
        assert_eq!(l.counterparty.as_deref(), Some("KARL KAUFMANN"));
        assert_eq!(
            l.counterparty_account.as_deref(),
            Some("DE14508800500194785000")
        );
        // A short EREF subfield ends the reference, whatever text follows.
        let l = info("159?00RETOURE?20EREF+TFNR 40001 00005?21MTLG:Grund nicht s?22pezifiziert");
        assert_eq!(l.reference.as_deref(), Some("TFNR 40001 00005"));
        let l = info("105?20EREF+123/123/12345-----L110?30BYLADEMM?60000000012345 BIC");
        assert_eq!(l.reference.as_deref(), Some("123/123/12345-----L110"));
        let l = info("116?20EREF+NONREF?21KREF+X");
        assert_eq!(l.reference, None);
    }

    #[test]
    fn german_subfield_tag_split_over_lines() {
        let l = info("191?00SEPA-UEBERW?20KREF+TFNr 01022?2\n2MTLG:SEPA?32X?38PL08 1234 \n567");
        assert_eq!(l.description, "SEPA-UEBERW KREF+TFNr 01022 MTLG:SEPA");
        assert_eq!(l.reference, None);
        assert_eq!(l.counterparty_account.as_deref(), Some("PL081234567"));
    }

    #[test]
    fn triodos_angle_subfields() {
        let l = info("000>100987654321\n>20ALGEMENE KOS>21TEN\n>310390123456");
        assert_eq!(l.description, "ALGEMENE KOS TEN");
        assert_eq!(l.counterparty_account.as_deref(), Some("0390123456"));
    }

    #[test]
    fn dutch_slash_keys() {
        let l = info(
            "/EREF/01-01-2013 12:00 0030000987654321/BENM//NAME/CONTRA ACCOUN\n\
             T HOLDER/REMI//ISDT/2013-07-11",
        );
        assert_eq!(
            l.reference.as_deref(),
            Some("01-01-2013 12:00 0030000987654321")
        );
        assert_eq!(l.counterparty.as_deref(), Some("CONTRA ACCOUNT HOLDER"));
        assert!(l.description.starts_with("/EREF/01-01-2013"));
        let l = info("/BENM//NAME/JOHN DOE/REMI/Reference 2013/01/ISDT/2013-01-02");
        assert_eq!(l.description, "Reference 2013/01");
        assert_eq!(l.counterparty.as_deref(), Some("JOHN DOE"));
        let l = info(
            "/TRTP/SEPA OVERBOEKING/IBAN/NL44RABO0123456789/BIC/RABONL2U/NAME/J DOE/REMI/Invoice 7/EREF/NOTPROVIDED",
        );
        assert_eq!(l.reference, None);
        assert_eq!(
            l.counterparty_account.as_deref(),
            Some("NL44RABO0123456789")
        );
        assert_eq!(l.description, "Invoice 7");
        let l = info(
            "/EREF/E2E-1//CNTP/NL69INGB0123456789/INGBNL2A/J. Doe/AMSTERDAM///REMI/USTD//Thanks/",
        );
        assert_eq!(l.reference.as_deref(), Some("E2E-1"));
        assert_eq!(l.counterparty.as_deref(), Some("J. Doe"));
        assert_eq!(
            l.counterparty_account.as_deref(),
            Some("NL69INGB0123456789")
        );
        assert_eq!(l.description, "Thanks");
    }
}
