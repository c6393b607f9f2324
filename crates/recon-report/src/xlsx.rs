//! The pack as an XLSX workbook: Summary, Matched, Exceptions, Adjustments, Audit trail. Amounts
//! are numeric cells (written from rust_decimal values made from the exact minor units) with the
//! currency's number format; every table has a frozen header row and an autofilter. Text is
//! written as text cells, never as formulas. The workbook's creation time is the pack's
//! `generated_at`, so the same pack gives the same bytes.

use crate::ReportError;
use recon_review::pack::SignOffPack;
use rust_decimal::Decimal;
use rust_xlsxwriter::{
    ColNum, DocProperties, ExcelDateTime, Format, FormatAlign, RowNum, Workbook, Worksheet,
};

struct Formats {
    header: Format,
    title: Format,
    bold: Format,
    amount: Format,
    amount_bold: Format,
    text: Format,
}

impl Formats {
    fn new(pack: &SignOffPack) -> Formats {
        let decimals = if pack.exponent == 0 {
            String::new()
        } else {
            format!(".{}", "0".repeat(pack.exponent as usize))
        };
        let number = format!(
            "#,##0{decimals} \"{c}\";-#,##0{decimals} \"{c}\"",
            c = pack.currency
        );
        Formats {
            header: Format::new()
                .set_bold()
                .set_background_color("#DDE3EA")
                .set_border_bottom(rust_xlsxwriter::FormatBorder::Thin),
            title: Format::new().set_bold().set_font_size(14),
            bold: Format::new().set_bold(),
            amount: Format::new().set_num_format(&number),
            amount_bold: Format::new().set_num_format(&number).set_bold(),
            text: Format::new().set_align(FormatAlign::Left),
        }
    }
}

fn money(amount_minor: i64, exponent: u32) -> Decimal {
    Decimal::new(amount_minor, exponent)
}

fn creation_time(pack: &SignOffPack) -> Result<ExcelDateTime, ReportError> {
    // "2026-11-25T20:35:49Z" and the like; fractional seconds and offsets are cut off.
    let text = pack.generated_at.get(..19).unwrap_or(&pack.generated_at);
    ExcelDateTime::parse_from_str(text).map_err(|_| ReportError::Timestamp {
        field: "generated_at",
        value: pack.generated_at.clone(),
    })
}

/// Writes `names` as a header row at `row` (the Summary sheet's small tables).
fn header_cells(
    sheet: &mut Worksheet,
    f: &Formats,
    row: RowNum,
    names: &[&str],
) -> Result<(), ReportError> {
    for (i, name) in names.iter().enumerate() {
        sheet.write_string_with_format(row, i as ColNum, *name, &f.header)?;
    }
    Ok(())
}

/// Writes a header row, freezes it, and sets column widths.
fn table_header(
    sheet: &mut Worksheet,
    f: &Formats,
    columns: &[(&str, u16)],
) -> Result<(), ReportError> {
    for (i, (_, width)) in columns.iter().enumerate() {
        sheet.set_column_width(i as ColNum, *width)?;
    }
    for (i, (name, _)) in columns.iter().enumerate() {
        sheet.write_string_with_format(0, i as ColNum, *name, &f.header)?;
    }
    sheet.set_freeze_panes(1, 0)?;
    Ok(())
}

fn finish_table(sheet: &mut Worksheet, rows: usize, columns: usize) -> Result<(), ReportError> {
    let last_row = rows.max(1) as RowNum;
    sheet.autofilter(0, 0, last_row, (columns - 1) as ColNum)?;
    Ok(())
}

/// Data rows per sheet: Excel's 1,048,576 rows less the header. A longer table continues on
/// "Name (2)", "Name (3)", ... each with its own header, freeze and filter.
const MAX_DATA_ROWS: usize = 1_048_575;

/// Fills one sheet's data rows (the header is already written).
type Fill<'a> =
    Box<dyn FnOnce(&mut Worksheet) -> Result<(), rust_xlsxwriter::XlsxError> + Send + 'a>;

/// One sheet to fill: its place in the workbook, its weight (cells) and the filler.
struct Job<'a> {
    sheet: usize,
    cells: usize,
    fill: Fill<'a>,
}

/// Lays out one table over as many sheets as it needs: creates the sheets with their header,
/// widths, frozen row, filter and the amount column's format, and adds a job per sheet that
/// writes its rows. `big` tables stream to a temporary file (rust_xlsxwriter's constant-memory
/// mode) instead of holding every cell in memory. `write(sheet, row, i)` writes item `i` at `row`.
#[allow(clippy::too_many_arguments)]
fn table<'a>(
    book: &mut Workbook,
    jobs: &mut Vec<Job<'a>>,
    name: &str,
    f: &Formats,
    columns: &[(&str, u16)],
    amount_col: Option<ColNum>,
    total: usize,
    max_rows: usize,
    write: impl Fn(&mut Worksheet, RowNum, usize) -> Result<(), rust_xlsxwriter::XlsxError>
    + Send
    + Copy
    + 'a,
) -> Result<(), ReportError> {
    let big = total > 10_000;
    let sheets = total.div_ceil(max_rows).max(1);
    for n in 0..sheets {
        let sheet = if big {
            book.add_worksheet_with_constant_memory()?
        } else {
            book.add_worksheet()
        };
        if n == 0 {
            sheet.set_name(name)?;
        } else {
            sheet.set_name(format!("{name} ({})", n + 1))?;
        }
        table_header(sheet, f, columns)?;
        // Registers the amount format now, on this thread: the order formats are first seen in
        // fixes their numbering, and the bytes must not depend on which filler runs first.
        if let Some(col) = amount_col {
            sheet.set_column_format(col, &f.amount)?;
        }
        let first = n * max_rows;
        let rows = first..total.min(first + max_rows);
        finish_table(sheet, rows.len(), columns.len())?;
        jobs.push(Job {
            sheet: book.worksheets_mut().len() - 1,
            cells: rows.len() * columns.len(),
            fill: Box::new(move |sheet: &mut Worksheet| {
                for (k, i) in rows.enumerate() {
                    write(sheet, (k + 1) as RowNum, i)?;
                }
                Ok(())
            }),
        });
    }
    Ok(())
}

/// Fills the sheets on two threads (the machine class this runs on has two cores), each job onto
/// the lighter side, heaviest first. Each sheet is written by one thread only, rows in order.
fn fill_in_parallel(book: &mut Workbook, mut jobs: Vec<Job<'_>>) -> Result<(), ReportError> {
    jobs.sort_by(|a, b| b.cells.cmp(&a.cells).then(a.sheet.cmp(&b.sheet)));
    let mut sheets: Vec<Option<&mut Worksheet>> =
        book.worksheets_mut().iter_mut().map(Some).collect();
    let mut weight = [0usize; 2];
    let (mut here, mut there) = (Vec::new(), Vec::new());
    for job in jobs {
        let Some(sheet) = sheets.get_mut(job.sheet).and_then(Option::take) else {
            continue;
        };
        if weight[0] <= weight[1] {
            weight[0] += job.cells;
            here.push((sheet, job.fill));
        } else {
            weight[1] += job.cells;
            there.push((sheet, job.fill));
        }
    }
    fn run(jobs: Vec<(&mut Worksheet, Fill<'_>)>) -> Result<(), ReportError> {
        for (sheet, fill) in jobs {
            fill(sheet)?;
        }
        Ok(())
    }
    std::thread::scope(|scope| {
        let other = scope.spawn(|| run(there));
        let mine = run(here);
        let other = other.join().expect("an XLSX sheet filler panicked");
        mine.and(other)
    })
}

pub fn render(pack: &SignOffPack) -> Result<Vec<u8>, ReportError> {
    render_with_limit(pack, MAX_DATA_ROWS)
}

fn render_with_limit(pack: &SignOffPack, max_rows: usize) -> Result<Vec<u8>, ReportError> {
    let mut book = Workbook::new();
    book.set_properties(
        &DocProperties::new()
            .set_title(format!(
                "Sign-off pack {} {}..{}",
                pack.account, pack.period_start, pack.period_end
            ))
            .set_author("Reconciliation workbench")
            .set_comment(format!("generated_at {}", pack.generated_at))
            .set_creation_datetime(&creation_time(pack)?),
    );
    // Fast deflate: a million-row sheet compresses in a fraction of the time of the default
    // level, for a file about 20% larger.
    book.set_zip_compression_level(1);
    let f = Formats::new(pack);
    let x = pack.exponent;
    summary(book.add_worksheet(), pack, &f)?;

    let items: Vec<_> = pack
        .groups
        .iter()
        .flat_map(|g| g.items.iter().map(move |i| (g, i)))
        .collect();
    let (items, amount) = (&items, &f.amount);
    let mut jobs = Vec::new();
    table(
        &mut book,
        &mut jobs,
        "Matched",
        &f,
        &[
            ("Group", 9),
            ("Rule", 20),
            ("Origin", 10),
            ("Side", 8),
            ("Item id", 26),
            ("Date", 11),
            ("Amount", 18),
            ("Reference", 26),
            ("Confirmed by", 14),
        ],
        Some(6),
        items.len(),
        max_rows,
        move |sheet, row, i| {
            let (g, item) = items[i];
            sheet.write_number(row, 0, g.id as u32)?;
            sheet.write_string(row, 1, &g.rule)?;
            sheet.write_string(row, 2, &g.origin)?;
            sheet.write_string(row, 3, &item.side)?;
            sheet.write_string(row, 4, &item.item_id)?;
            sheet.write_string(row, 5, &item.date)?;
            sheet.write_with_format(row, 6, money(item.amount_minor, x), amount)?;
            sheet.write_string(row, 7, &item.reference)?;
            sheet.write_string(row, 8, &g.created_by)?;
            Ok(())
        },
    )?;

    table(
        &mut book,
        &mut jobs,
        "Exceptions",
        &f,
        &[
            ("Side", 8),
            ("Item id", 26),
            ("Date", 11),
            ("Days open", 10),
            ("Amount", 18),
            ("Reason", 14),
            ("Reference", 26),
            ("Description", 40),
        ],
        Some(4),
        pack.exceptions.len(),
        max_rows,
        move |sheet, row, i| {
            let e = &pack.exceptions[i];
            sheet.write_string(row, 0, &e.side)?;
            sheet.write_string(row, 1, &e.item_id)?;
            sheet.write_string(row, 2, &e.date)?;
            sheet.write_number(row, 3, e.days_open as i32)?;
            sheet.write_with_format(row, 4, money(e.amount_minor, x), amount)?;
            sheet.write_string(row, 5, &e.reason)?;
            sheet.write_string(row, 6, &e.reference)?;
            sheet.write_string(row, 7, &e.description)?;
            Ok(())
        },
    )?;

    table(
        &mut book,
        &mut jobs,
        "Adjustments",
        &f,
        &[
            ("Group", 9),
            ("Rule", 16),
            ("Reason", 14),
            ("Difference", 18),
            ("Note", 36),
            ("Items", 40),
            ("Made by", 14),
            ("At", 22),
        ],
        Some(3),
        pack.adjustments.len(),
        max_rows,
        move |sheet, row, i| {
            let a = &pack.adjustments[i];
            sheet.write_number(row, 0, a.group as u32)?;
            sheet.write_string(row, 1, &a.rule)?;
            sheet.write_string(row, 2, &a.reason)?;
            sheet.write_with_format(row, 3, money(a.difference_minor, x), amount)?;
            sheet.write_string(row, 4, &a.note)?;
            sheet.write_string(row, 5, &a.items)?;
            sheet.write_string(row, 6, &a.created_by)?;
            sheet.write_string(row, 7, &a.created_at)?;
            Ok(())
        },
    )?;

    table(
        &mut book,
        &mut jobs,
        "Audit trail",
        &f,
        &[
            ("Seq", 7),
            ("At", 22),
            ("Actor", 14),
            ("Action", 22),
            ("Target", 22),
            ("Hash", 66),
        ],
        None,
        pack.audit.len(),
        max_rows,
        move |sheet, row, i| {
            let a = &pack.audit[i];
            sheet.write_number(row, 0, a.seq as u32)?;
            sheet.write_string(row, 1, &a.at)?;
            sheet.write_string(row, 2, &a.actor)?;
            sheet.write_string(row, 3, &a.action)?;
            sheet.write_string(row, 4, &a.target)?;
            sheet.write_string(row, 5, &a.hash)?;
            Ok(())
        },
    )?;

    fill_in_parallel(&mut book, jobs)?;
    // Sized up front from the row counts (about 70 bytes a compressed row, measured), so a
    // million-row workbook is not copied over and over as the buffer doubles.
    let rows = items.len() + pack.exceptions.len() + pack.audit.len() + pack.adjustments.len();
    let mut out = Vec::with_capacity(rows.saturating_mul(80).saturating_add(1 << 16));
    book.save_to_writer(&mut out)?;
    Ok(out)
}

/// The workbook with a smaller rows-per-sheet limit, to test the continuation sheets.
#[doc(hidden)]
pub fn render_with_row_limit(pack: &SignOffPack, max_rows: usize) -> Result<Vec<u8>, ReportError> {
    render_with_limit(pack, max_rows)
}

/// The Summary sheet: a key/value cover, the reconciliation statement, the sign-off block,
/// evidence, control totals, match statistics, statements and input files.
fn summary(sheet: &mut Worksheet, pack: &SignOffPack, f: &Formats) -> Result<(), ReportError> {
    sheet.set_name("Summary")?;
    sheet.set_column_width(0, 40)?;
    sheet.set_column_width(1, 22)?;
    sheet.set_column_width(2, 20)?;
    sheet.set_column_width(3, 20)?;
    sheet.set_column_width(4, 70)?;
    let x = pack.exponent;
    if pack.is_draft() {
        sheet.set_header("&C&\"-,Bold\"DRAFT: not approved");
    }
    let mut row: RowNum = 0;
    sheet.write_string_with_format(
        row,
        0,
        format!(
            "Bank reconciliation sign-off pack ({})",
            pack.status_label()
        ),
        &f.title,
    )?;
    row += 2;
    let kv = |sheet: &mut Worksheet, row: &mut RowNum, k: &str, v: &str| {
        let r = sheet
            .write_string_with_format(*row, 0, k, &f.bold)
            .and_then(|s| s.write_string_with_format(*row, 1, v, &f.text))
            .map(|_| ());
        *row += 1;
        r
    };
    kv(sheet, &mut row, "Account", &pack.account)?;
    kv(sheet, &mut row, "Currency", &pack.currency)?;
    kv(
        sheet,
        &mut row,
        "Period",
        &format!("{} to {}", pack.period_start, pack.period_end),
    )?;
    kv(sheet, &mut row, "Status", pack.status_label())?;
    kv(
        sheet,
        &mut row,
        "Ages as of",
        &crate::pdf::as_of_label(pack),
    )?;
    kv(
        sheet,
        &mut row,
        "generated_at (timestamp of this export)",
        &pack.generated_at,
    )?;
    row += 1;

    sheet.write_string_with_format(row, 0, "Bank reconciliation statement", &f.title)?;
    row += 1;
    let r = &pack.reconciliation;
    sheet.write_string_with_format(row, 0, "Bank closing balance", &f.bold)?;
    sheet.write_with_format(row, 1, money(r.bank_closing_minor, x), &f.amount_bold)?;
    row += 1;
    for line in &r.rows {
        sheet.write_string(row, 0, &line.label)?;
        sheet.write_with_format(row, 1, money(line.amount_minor, x), &f.amount)?;
        row += 1;
    }
    for (label, amount) in [
        ("Adjusted bank balance", r.adjusted_bank_minor),
        ("Ledger balance", r.ledger_balance_minor),
        ("Unexplained difference", r.unexplained_minor),
    ] {
        sheet.write_string_with_format(row, 0, label, &f.bold)?;
        sheet.write_with_format(row, 1, money(amount, x), &f.amount_bold)?;
        row += 1;
    }
    row += 1;

    sheet.write_string_with_format(row, 0, "Sign-off", &f.title)?;
    row += 1;
    let so = &pack.sign_off;
    let none = "-".to_string();
    kv(sheet, &mut row, "State", so.state.name())?;
    kv(
        sheet,
        &mut row,
        "Preparer",
        so.preparer.as_ref().unwrap_or(&none),
    )?;
    kv(
        sheet,
        &mut row,
        "Prepared at",
        so.prepared_at.as_ref().unwrap_or(&none),
    )?;
    kv(
        sheet,
        &mut row,
        "Approver",
        so.approver.as_ref().unwrap_or(&none),
    )?;
    kv(
        sheet,
        &mut row,
        "Approved at",
        so.approved_at.as_ref().unwrap_or(&none),
    )?;
    kv(
        sheet,
        &mut row,
        "Content hash approved",
        so.content_hash.as_ref().unwrap_or(&none),
    )?;
    if let Some(reason) = &so.last_rejection {
        kv(sheet, &mut row, "Last rejection", reason)?;
    }
    row += 1;

    sheet.write_string_with_format(row, 0, "Evidence", &f.title)?;
    row += 1;
    kv(sheet, &mut row, "Content hash now", &pack.content_hash)?;
    kv(sheet, &mut row, "Audit chain head", &pack.audit_head_hash)?;
    kv(sheet, &mut row, "Rule set", &pack.rule_set.name)?;
    kv(sheet, &mut row, "Rule set SHA-256", &pack.rule_set.sha256)?;
    kv(sheet, &mut row, "Workspace id", &pack.workspace_id)?;
    row += 1;

    header_cells(sheet, f, row, &["Control totals", "Records", "Amount"])?;
    row += 1;
    let c = &pack.controls;
    for (label, count, total) in [
        ("Bank lines", c.bank_lines, c.bank_total_minor),
        ("Ledger entries", c.ledger_entries, c.ledger_total_minor),
        (
            "Matched bank lines",
            c.matched_bank_lines,
            c.matched_bank_minor,
        ),
        (
            "Matched ledger entries",
            c.matched_ledger_entries,
            c.matched_ledger_minor,
        ),
        ("Open bank lines", c.open_bank_lines, c.open_bank_minor),
        (
            "Open ledger entries",
            c.open_ledger_entries,
            c.open_ledger_minor,
        ),
    ] {
        sheet.write_string(row, 0, label)?;
        sheet.write_number(row, 1, count as u32)?;
        sheet.write_with_format(row, 2, money(total, x), &f.amount)?;
        row += 1;
    }
    row += 1;

    header_cells(
        sheet,
        f,
        row,
        &[
            "Rule",
            "Status",
            "Groups",
            "Bank items",
            "Ledger items",
            "Bank amount",
        ],
    )?;
    row += 1;
    for s in &pack.rule_stats {
        sheet.write_string(row, 0, &s.rule)?;
        sheet.write_string(row, 1, &s.status)?;
        sheet.write_number(row, 2, s.groups as u32)?;
        sheet.write_number(row, 3, s.bank_items as u32)?;
        sheet.write_number(row, 4, s.ledger_items as u32)?;
        sheet.write_with_format(row, 5, money(s.bank_minor, x), &f.amount)?;
        row += 1;
    }
    row += 1;

    header_cells(
        sheet,
        f,
        row,
        &[
            "Statement",
            "Source",
            "Opening",
            "Closing",
            "Lines",
            "Lines total",
            "Period",
        ],
    )?;
    row += 1;
    for s in &pack.statements {
        sheet.write_string(row, 0, format!("{} / {}", s.statement_id, s.sequence))?;
        sheet.write_string(row, 1, format!("{} ({})", s.source, s.format))?;
        if let Some(o) = s.opening_minor {
            sheet.write_with_format(row, 2, money(o, x), &f.amount)?;
        }
        if let Some(cl) = s.closing_minor {
            sheet.write_with_format(row, 3, money(cl, x), &f.amount)?;
        }
        sheet.write_number(row, 4, s.line_count as u32)?;
        sheet.write_with_format(row, 5, money(s.lines_total_minor, x), &f.amount)?;
        sheet.write_string(row, 6, format!("{} to {}", s.first_date, s.last_date))?;
        row += 1;
    }
    row += 1;

    header_cells(
        sheet,
        f,
        row,
        &[
            "Input file",
            "Kind",
            "Records",
            "Control total",
            "SHA-256",
            "Source",
            "Version",
            "ETag",
            "Bytes",
            "Verified by",
        ],
    )?;
    row += 1;
    for file in &pack.input_files {
        sheet.write_string(row, 0, &file.name)?;
        sheet.write_string(row, 1, &file.kind)?;
        sheet.write_number(row, 2, file.records as u32)?;
        sheet.write_with_format(row, 3, money(file.total_minor, x), &f.amount)?;
        sheet.write_string(row, 4, &file.sha256)?;
        if let Some(src) = &file.source {
            sheet.write_string(row, 5, &src.uri)?;
            sheet.write_string(row, 6, src.version_id.as_deref().unwrap_or(""))?;
            sheet.write_string(row, 7, &src.etag)?;
            sheet.write_number(row, 8, src.size_bytes as u32)?;
            sheet.write_string(row, 9, &src.verified_by)?;
        }
        row += 1;
    }
    if pack.deviations_total > 0 {
        row += 1;
        sheet.write_string_with_format(
            row,
            0,
            format!(
                "Statements read with deviations: {} recorded, {} listed",
                pack.deviations_total,
                pack.deviations.len()
            ),
            &f.header,
        )?;
        row += 1;
        header_cells(
            sheet,
            f,
            row,
            &[
                "Statement",
                "Source",
                "Encoding",
                "Code",
                "Line",
                "Path",
                "As the file has it",
                "What was read",
            ],
        )?;
        row += 1;
        for d in &pack.deviations {
            sheet.write_string(row, 0, format!("{} {}", d.statement_id, d.sequence))?;
            sheet.write_string(row, 1, &d.source)?;
            sheet.write_string(row, 2, d.encoding.as_deref().unwrap_or(""))?;
            sheet.write_string(row, 3, &d.code)?;
            if let Some(line) = d.line {
                sheet.write_number(row, 4, line as u32)?;
            }
            sheet.write_string(row, 5, d.path.as_deref().unwrap_or(""))?;
            sheet.write_string(row, 6, &d.excerpt)?;
            sheet.write_string(row, 7, &d.message)?;
            row += 1;
        }
    }
    Ok(())
}
