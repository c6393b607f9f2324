//! Writers that render a canonical statement in each bank format: the synthetic inputs of the
//! round-trip property tests and the parsing benchmarks. They write what a well-behaved bank would.

use recon_model::{Statement, format_minor};
use std::fmt::Write;

fn unsigned(amount_minor: i64, exponent: u32, separator: char) -> String {
    let text = format_minor(amount_minor.unsigned_abs() as i64, exponent);
    if separator == '.' {
        text
    } else if exponent == 0 {
        // SWIFT amounts always carry the decimal comma: JPY 1000 is "1000,".
        format!("{text},")
    } else {
        text.replace('.', &separator.to_string())
    }
}

/// MT940 with one `:61:`/`:86:` pair per line. Statement must have both balances.
pub fn mt940(statement: &Statement) -> String {
    let e = statement.currency.exponent();
    let mut out = String::with_capacity(64 + statement.lines.len() * 90);
    let mark = |a: i64| if a < 0 { 'D' } else { 'C' };
    let ymd = |d: recon_model::Date| d.format("%y%m%d").to_string();
    let _ = write!(
        out,
        ":20:{}\r\n:25:{}\r\n:28C:{}",
        statement.statement_id, statement.account, statement.statement_id
    );
    if let Some(seq) = &statement.sequence {
        let _ = write!(out, "/{seq}");
    }
    out.push_str("\r\n");
    if let Some(b) = statement.opening_balance {
        let _ = writeln!(
            out,
            ":60F:{}{}{}{}\r",
            mark(b.amount_minor),
            ymd(b.date),
            statement.currency,
            unsigned(b.amount_minor, e, ',')
        );
    }
    for l in &statement.lines {
        let value = l.value_date.unwrap_or(l.booking_date);
        let _ = write!(
            out,
            ":61:{}{}{}{}NTRF{}",
            ymd(value),
            l.booking_date.format("%m%d"),
            mark(l.amount_minor),
            unsigned(l.amount_minor, e, ','),
            l.reference.as_deref().unwrap_or("NONREF"),
        );
        if let Some(bank_reference) = &l.bank_reference {
            let _ = write!(out, "//{bank_reference}");
        }
        out.push_str("\r\n");
        if !l.description.is_empty() {
            let _ = writeln!(out, ":86:{}\r", l.description);
        }
    }
    if let Some(b) = statement.closing_balance {
        let _ = writeln!(
            out,
            ":62F:{}{}{}{}\r",
            mark(b.amount_minor),
            ymd(b.date),
            statement.currency,
            unsigned(b.amount_minor, e, ',')
        );
    }
    out.push_str("-\r\n");
    out
}

/// BAI2 with one group and one account, control totals and record counts filled in.
/// Lines use type code 195 (incoming wire) for credits and 495 (outgoing wire) for debits.
pub fn bai2(statement: &Statement) -> String {
    let date = statement.lines.first().map_or_else(
        || {
            statement
                .closing_balance
                .map(|b| b.date)
                .unwrap_or_default()
        },
        |l| l.booking_date,
    );
    let d = date.format("%y%m%d");
    let mut out = String::with_capacity(128 + statement.lines.len() * 64);
    let _ = writeln!(
        out,
        "01,SENDER,RECEIVER,{d},0000,{},,,2/",
        statement.statement_id
    );
    let _ = writeln!(out, "02,RECEIVER,SENDER,1,{d},,{},2/", statement.currency);
    let mut account_total: i128 = 0;
    let mut records = 0u64;
    out.push_str("03,");
    out.push_str(&statement.account);
    out.push(',');
    out.push_str(statement.currency.code());
    for (code, balance) in [
        ("010", statement.opening_balance),
        ("015", statement.closing_balance),
    ] {
        if let Some(b) = balance {
            let _ = write!(out, ",{code},{},,", b.amount_minor);
            account_total += i128::from(b.amount_minor);
        }
    }
    out.push_str("/\n");
    records += 1;
    for l in &statement.lines {
        let code = if l.amount_minor < 0 { 495 } else { 195 };
        let magnitude = l.amount_minor.unsigned_abs();
        account_total += i128::from(magnitude);
        let _ = writeln!(
            out,
            "16,{code},{magnitude},0,{},{},{}/",
            l.bank_reference.as_deref().unwrap_or(""),
            l.reference.as_deref().unwrap_or(""),
            l.description
        );
        records += 1;
    }
    records += 1;
    let _ = writeln!(out, "49,{account_total},{records}/");
    let _ = writeln!(out, "98,{account_total},1,{}/", records + 2);
    let _ = writeln!(out, "99,{account_total},1,{}/", records + 4);
    out
}

/// camt.053.001.02 with one statement, OPBD/CLBD balances and one entry per line.
pub fn camt053(statement: &Statement) -> String {
    let e = statement.currency.exponent();
    let ccy = statement.currency.code();
    let mut out = String::with_capacity(1024 + statement.lines.len() * 420);
    out.push_str("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:camt.053.001.02\">\n<BkToCstmrStmt>\n<GrpHdr><MsgId>GEN</MsgId><CreDtTm>2026-01-01T00:00:00</CreDtTm></GrpHdr>\n<Stmt>\n");
    let _ = writeln!(out, "<Id>{}</Id>", xml_escape(&statement.statement_id));
    if let Some(seq) = &statement.sequence {
        let _ = writeln!(out, "<ElctrncSeqNb>{seq}</ElctrncSeqNb>");
    }
    let _ = writeln!(
        out,
        "<Acct><Id><IBAN>{}</IBAN></Id><Ccy>{ccy}</Ccy></Acct>",
        xml_escape(&statement.account)
    );
    for (code, balance) in [
        ("OPBD", statement.opening_balance),
        ("CLBD", statement.closing_balance),
    ] {
        if let Some(b) = balance {
            let _ = writeln!(
                out,
                "<Bal><Tp><CdOrPrtry><Cd>{code}</Cd></CdOrPrtry></Tp><Amt Ccy=\"{ccy}\">{}</Amt><CdtDbtInd>{}</CdtDbtInd><Dt><Dt>{}</Dt></Dt></Bal>",
                unsigned(b.amount_minor, e, '.'),
                if b.amount_minor < 0 { "DBIT" } else { "CRDT" },
                b.date
            );
        }
    }
    for l in &statement.lines {
        let _ = write!(
            out,
            "<Ntry><Amt Ccy=\"{ccy}\">{}</Amt><CdtDbtInd>{}</CdtDbtInd><Sts>BOOK</Sts><BookgDt><Dt>{}</Dt></BookgDt>",
            unsigned(l.amount_minor, e, '.'),
            if l.amount_minor < 0 { "DBIT" } else { "CRDT" },
            l.booking_date
        );
        if let Some(v) = l.value_date {
            let _ = write!(out, "<ValDt><Dt>{v}</Dt></ValDt>");
        }
        if let Some(r) = &l.servicer_reference {
            let _ = write!(out, "<AcctSvcrRef>{}</AcctSvcrRef>", xml_escape(r));
        }
        out.push_str("<NtryDtls><TxDtls>");
        if let Some(r) = &l.reference {
            let _ = write!(
                out,
                "<Refs><EndToEndId>{}</EndToEndId></Refs>",
                xml_escape(r)
            );
        }
        if !l.description.is_empty() {
            let _ = write!(
                out,
                "<RmtInf><Ustrd>{}</Ustrd></RmtInf>",
                xml_escape(&l.description)
            );
        }
        out.push_str("</TxDtls></NtryDtls></Ntry>\n");
    }
    out.push_str("</Stmt>\n</BkToCstmrStmt>\n</Document>\n");
    out
}

fn xml_escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// A statement of `lines` synthetic lines (amounts from `amounts`, cycled), with balances that add up.
pub fn synthetic_statement(
    account: &str,
    currency: recon_model::Currency,
    statement_id: &str,
    amounts_minor: &[i64],
    lines: usize,
) -> Statement {
    let start = recon_model::Date::from_ymd_opt(2026, 3, 1).expect("valid date");
    let mut statement_lines = Vec::with_capacity(lines);
    let mut total: i64 = 0;
    for n in 0..lines {
        let amount_minor = amounts_minor
            .get(n % amounts_minor.len().max(1))
            .copied()
            .unwrap_or(100);
        total = total.wrapping_add(amount_minor);
        let day = start + chrono::Days::new((n / 5000) as u64 % 28);
        statement_lines.push(recon_model::StatementLine {
            line_id: format!("{statement_id}/{}", n + 1),
            booking_date: day,
            value_date: Some(day),
            amount_minor,
            reference: Some(format!("INV-{:07}", n + 1)),
            bank_reference: Some(format!("B{:09}", n + 1)),
            description: format!("Payment invoice {} Acme Trading", n + 1),
            ..Default::default()
        });
    }
    let last = statement_lines.last().map_or(start, |l| l.booking_date);
    Statement {
        source: String::new(),
        format: recon_model::Format::Csv,
        account: account.to_string(),
        currency,
        statement_id: statement_id.to_string(),
        sequence: None,
        opening_balance: Some(recon_model::Balance {
            date: start,
            amount_minor: 1_000_000,
        }),
        closing_balance: Some(recon_model::Balance {
            date: last,
            amount_minor: 1_000_000i64.wrapping_add(total),
        }),
        lines: statement_lines,
        reading: recon_model::Reading::default(),
    }
}
