//! The pack as a PDF, written with pdf-writer (the PDF layer of typst): A4 portrait, the standard
//! Helvetica fonts (WinAnsi encoding, no font files to embed), compressed page streams, a page
//! number "Page n of N" on every page, table headers repeated after each page break, and a
//! diagonal DRAFT watermark on every page of a pack that is not approved (or changed since).
//!
//! Layout is a simple cursor that moves down the page; text that does not fit its column is
//! shortened with "...". Nothing depends on the clock, so the same pack gives the same bytes.
//!
//! tidy: floating point here is page geometry (points), never money.
#![allow(clippy::float_arithmetic)]

use crate::money::grouped;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};
use recon_review::pack::SignOffPack;

/// What goes into the PDF.
#[derive(Clone, Copy, Debug)]
pub struct PdfOptions {
    /// The appendix listing every matched group, item by item.
    pub appendix: bool,
}

impl Default for PdfOptions {
    fn default() -> PdfOptions {
        PdfOptions { appendix: true }
    }
}

const PAGE_W: f32 = 595.0;
const PAGE_H: f32 = 842.0;
const MARGIN_X: f32 = 40.0;
const TOP: f32 = 800.0;
const BOTTOM: f32 = 56.0;
const ROW_H: f32 = 10.5;
const BODY: f32 = 7.5;
const REGULAR: Name<'static> = Name(b"F1");
const BOLD: Name<'static> = Name(b"F2");

/// Helvetica advance widths (1/1000 em) for ASCII 32..=126, from the standard AFM metrics.
const HELVETICA: [u16; 95] = [
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556,
    556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667,
    611, 778, 722, 278, 500, 667, 556, 833, 722, 778, 667, 778, 722, 667, 611, 722, 667, 944, 667,
    667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500,
    222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/// WinAnsi bytes of a string: Latin-1 and the common typographic marks; anything else is "?".
fn win_ansi(text: &str) -> Vec<u8> {
    text.chars()
        .map(|c| match c {
            ' '..='~' => c as u8,
            '\u{a0}'..='\u{ff}' => c as u32 as u8,
            '€' => 0x80,
            '‘' => 0x91,
            '’' => 0x92,
            '“' => 0x93,
            '”' => 0x94,
            '•' => 0x95,
            '–' => 0x96,
            '—' => 0x97,
            '\t' | '\n' | '\r' => b' ',
            _ => b'?',
        })
        .collect()
}

/// Width in points of WinAnsi bytes at a size (bold is about 5% wider than regular).
fn width(bytes: &[u8], size: f32, bold: bool) -> f32 {
    let units: u32 = bytes
        .iter()
        .map(|b| match b {
            32..=126 => u32::from(HELVETICA[usize::from(b - 32)]),
            _ => 556,
        })
        .sum();
    let w = units as f32 * size / 1000.0;
    if bold { w * 1.05 } else { w }
}

/// Shortens text with "..." to fit a width.
fn fit(text: &str, max: f32, size: f32, bold: bool) -> Vec<u8> {
    let bytes = win_ansi(text);
    if width(&bytes, size, bold) <= max {
        return bytes;
    }
    let dots = width(b"...", size, bold);
    let mut out = Vec::with_capacity(bytes.len());
    let mut used = 0.0;
    for b in bytes {
        let w = width(&[b], size, bold);
        if used + w + dots > max {
            break;
        }
        used += w;
        out.push(b);
    }
    out.extend_from_slice(b"...");
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Align {
    Left,
    Right,
}

#[derive(Clone)]
struct Column {
    title: &'static str,
    width: f32,
    align: Align,
    /// Font size of the column's cells (hashes are set smaller to fit whole).
    size: f32,
}

fn col(title: &'static str, width: f32, align: Align) -> Column {
    Column {
        title,
        width,
        align,
        size: BODY,
    }
}

struct Layout<'p> {
    pack: &'p SignOffPack,
    pages: Vec<Vec<u8>>,
    page: Content,
    y: f32,
    /// The table being written: its header is repeated on every new page.
    table: Option<Vec<Column>>,
    section: String,
}

impl<'p> Layout<'p> {
    fn new(pack: &'p SignOffPack) -> Layout<'p> {
        let mut layout = Layout {
            pack,
            pages: Vec::new(),
            page: Content::new(),
            y: TOP,
            table: None,
            section: String::new(),
        };
        layout.start_page();
        layout
    }

    fn start_page(&mut self) {
        if self.pack.is_draft() {
            let c = &mut self.page;
            c.save_state();
            c.set_fill_gray(0.88);
            c.begin_text();
            c.set_font(BOLD, 110.0);
            let r = std::f32::consts::FRAC_1_SQRT_2;
            c.set_text_matrix([r, r, -r, r, 150.0, 250.0]);
            c.show(Str(b"DRAFT"));
            c.end_text();
            c.restore_state();
        }
        self.y = TOP;
        let running = format!(
            "Sign-off pack  {}  {}  {} to {}",
            self.pack.account, self.pack.currency, self.pack.period_start, self.pack.period_end
        );
        self.text(MARGIN_X, self.y, 7.0, false, &running);
        let status = self.pack.status_label();
        self.text_right(PAGE_W - MARGIN_X, self.y, 7.0, true, status);
        self.y -= 6.0;
        self.rule(0.5);
        self.y -= 14.0;
        if !self.section.is_empty() && self.table.is_some() {
            let section = format!("{} (continued)", self.section);
            self.text(MARGIN_X, self.y, 10.0, true, &section);
            self.y -= 16.0;
        }
        if let Some(columns) = self.table.clone() {
            self.header_row(&columns);
        }
    }

    fn finish_page(&mut self) {
        let page = std::mem::replace(&mut self.page, Content::new());
        self.pages.push(page.finish().to_vec());
    }

    fn new_page(&mut self) {
        self.finish_page();
        self.start_page();
    }

    fn ensure(&mut self, height: f32) {
        if self.y - height < BOTTOM {
            self.new_page();
        }
    }

    fn text(&mut self, x: f32, y: f32, size: f32, bold: bool, text: &str) {
        let bytes = win_ansi(text);
        self.show(x, y, size, bold, &bytes);
    }

    fn show(&mut self, x: f32, y: f32, size: f32, bold: bool, bytes: &[u8]) {
        let c = &mut self.page;
        c.begin_text();
        c.set_font(if bold { BOLD } else { REGULAR }, size);
        c.next_line(x, y);
        c.show(Str(bytes));
        c.end_text();
    }

    fn text_right(&mut self, right: f32, y: f32, size: f32, bold: bool, text: &str) {
        let bytes = win_ansi(text);
        let w = width(&bytes, size, bold);
        self.show(right - w, y, size, bold, &bytes);
    }

    fn rule(&mut self, line_width: f32) {
        let y = self.y;
        let c = &mut self.page;
        c.set_line_width(line_width);
        c.move_to(MARGIN_X, y);
        c.line_to(PAGE_W - MARGIN_X, y);
        c.stroke();
    }

    fn heading(&mut self, text: &str) {
        self.ensure(40.0);
        self.y -= 6.0;
        self.text(MARGIN_X, self.y, 11.0, true, text);
        self.y -= 16.0;
    }

    fn section(&mut self, title: &str, new_page: bool) {
        self.table = None;
        if new_page {
            self.new_page();
        }
        self.section = title.to_string();
        self.heading(title);
    }

    fn key_values(&mut self, rows: &[(&str, String)]) {
        for (k, v) in rows {
            self.ensure(ROW_H);
            self.text(MARGIN_X, self.y, 8.0, true, k);
            let bytes = fit(v, PAGE_W - 2.0 * MARGIN_X - 150.0, 8.0, false);
            self.show(MARGIN_X + 150.0, self.y, 8.0, false, &bytes);
            self.y -= ROW_H + 1.0;
        }
    }

    fn begin_table(&mut self, columns: Vec<Column>) {
        self.ensure(3.0 * ROW_H);
        self.header_row(&columns);
        self.table = Some(columns);
    }

    fn header_row(&mut self, columns: &[Column]) {
        let y = self.y;
        self.page.save_state();
        self.page.set_fill_gray(0.9);
        self.page
            .rect(MARGIN_X, y - 3.0, PAGE_W - 2.0 * MARGIN_X, ROW_H + 1.0);
        self.page.fill_nonzero();
        self.page.restore_state();
        self.cells(
            columns,
            &columns.iter().map(|c| c.title).collect::<Vec<_>>(),
            true,
        );
    }

    fn cells(&mut self, columns: &[Column], values: &[&str], bold: bool) {
        let mut x = MARGIN_X + 2.0;
        for (column, value) in columns.iter().zip(values) {
            let size = if bold { BODY } else { column.size };
            let bytes = fit(value, column.width - 4.0, size, bold);
            match column.align {
                Align::Left => self.show(x, self.y, size, bold, &bytes),
                Align::Right => {
                    let w = width(&bytes, size, bold);
                    self.show(x + column.width - 4.0 - w, self.y, size, bold, &bytes);
                }
            }
            x += column.width;
        }
        self.y -= ROW_H;
    }

    fn row(&mut self, values: &[&str], bold: bool) {
        self.ensure(ROW_H);
        let columns = self.table.clone().unwrap_or_default();
        self.cells(&columns, values, bold);
    }

    fn end_table(&mut self) {
        self.table = None;
        self.y -= 8.0;
    }
}

pub fn render(pack: &SignOffPack, options: &PdfOptions) -> Vec<u8> {
    let x = pack.exponent;
    let money = |a: i64| grouped(a, x);
    let mut l = Layout::new(pack);

    // Cover.
    l.text(
        MARGIN_X,
        l.y,
        16.0,
        true,
        "Bank reconciliation sign-off pack",
    );
    l.y -= 20.0;
    let status = if pack.is_draft() {
        "DRAFT: not approved, or changed since approval"
    } else {
        "APPROVED"
    };
    l.text(MARGIN_X, l.y, 10.0, true, status);
    l.y -= 18.0;
    let opening = pack
        .statements
        .first()
        .and_then(|s| s.opening_minor)
        .map_or("-".to_string(), money);
    let closing = pack
        .statements
        .last()
        .and_then(|s| s.closing_minor)
        .map_or("-".to_string(), money);
    let banks: Vec<String> = pack
        .statements
        .iter()
        .map(|s| format!("{} {}", s.format, s.statement_id))
        .collect();
    l.key_values(&[
        ("Account", pack.account.clone()),
        ("Bank statements", banks.join(", ")),
        ("Currency", pack.currency.clone()),
        (
            "Period",
            format!("{} to {}", pack.period_start, pack.period_end),
        ),
        ("Statement opening balance", opening),
        ("Statement closing balance", closing),
        (
            "Ledger balance",
            money(pack.reconciliation.ledger_balance_minor),
        ),
        ("Ages as of", as_of_label(pack)),
        ("generated_at (export timestamp)", pack.generated_at.clone()),
    ]);

    l.heading("Bank reconciliation statement");
    l.begin_table(vec![
        col("", 355.0, Align::Left),
        col("Amount", 160.0, Align::Right),
    ]);
    let r = &pack.reconciliation;
    l.row(
        &["Bank closing balance", &money(r.bank_closing_minor)],
        true,
    );
    for row in &r.rows {
        l.row(&[&row.label, &money(row.amount_minor)], false);
    }
    l.row(
        &["Adjusted bank balance", &money(r.adjusted_bank_minor)],
        true,
    );
    l.row(&["Ledger balance", &money(r.ledger_balance_minor)], true);
    l.row(
        &["Unexplained difference", &money(r.unexplained_minor)],
        true,
    );
    l.end_table();

    l.heading("Sign-off");
    let so = &pack.sign_off;
    let or_dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".to_string());
    let mut block = vec![
        ("State", so.state.name().to_string()),
        ("Preparer", or_dash(&so.preparer)),
        ("Prepared at", or_dash(&so.prepared_at)),
        ("Approver", or_dash(&so.approver)),
        ("Approved at", or_dash(&so.approved_at)),
        ("Content hash approved", or_dash(&so.content_hash)),
    ];
    if let Some(reason) = &so.last_rejection {
        block.push(("Last rejection", reason.clone()));
    }
    l.key_values(&block);

    l.heading("Evidence");
    l.key_values(&[
        ("Content hash now", pack.content_hash.clone()),
        ("Audit chain head", pack.audit_head_hash.clone()),
        (
            "Rule set",
            format!("{} ({} match runs)", pack.rule_set.name, pack.rule_set.runs),
        ),
        ("Rule set SHA-256", pack.rule_set.sha256.clone()),
        ("Workspace", pack.workspace_id.clone()),
    ]);

    l.heading("Record counts and control totals");
    l.begin_table(vec![
        col("", 255.0, Align::Left),
        col("Records", 100.0, Align::Right),
        col("Amount", 160.0, Align::Right),
    ]);
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
        l.row(&[label, &count.to_string(), &money(total)], false);
    }
    l.end_table();

    // Statements and input files.
    l.section("Statements and input files", true);
    l.begin_table(vec![
        col("Statement", 95.0, Align::Left),
        col("Source", 120.0, Align::Left),
        col("Period", 100.0, Align::Left),
        col("Lines", 35.0, Align::Right),
        col("Opening", 82.0, Align::Right),
        col("Closing", 83.0, Align::Right),
    ]);
    for s in &pack.statements {
        l.row(
            &[
                &format!("{} / {}", s.statement_id, s.sequence),
                &format!("{} ({})", s.source, s.format),
                &format!("{} to {}", s.first_date, s.last_date),
                &s.line_count.to_string(),
                &s.opening_minor.map_or("-".to_string(), money),
                &s.closing_minor.map_or("-".to_string(), money),
            ],
            false,
        );
    }
    l.end_table();
    l.begin_table(vec![
        col("Input file", 117.0, Align::Left),
        col("Kind", 38.0, Align::Left),
        col("Records", 36.0, Align::Right),
        col("Control total", 62.0, Align::Right),
        Column {
            size: 6.2,
            ..col("SHA-256", 262.0, Align::Left)
        },
    ]);
    for f in &pack.input_files {
        l.row(
            &[
                &f.name,
                &f.kind,
                &f.records.to_string(),
                &money(f.total_minor),
                &f.sha256,
            ],
            false,
        );
    }
    l.end_table();
    if pack.input_files.iter().any(|f| f.source.is_some()) {
        l.section("Where the input files came from (statement inbox)", false);
        l.begin_table(vec![
            col("Object", 215.0, Align::Left),
            col("Version", 130.0, Align::Left),
            col("Bytes", 50.0, Align::Right),
            col("Verified by", 120.0, Align::Left),
        ]);
        for src in pack.input_files.iter().filter_map(|f| f.source.as_ref()) {
            l.row(
                &[
                    &src.uri,
                    src.version_id.as_deref().unwrap_or("none"),
                    &src.size_bytes.to_string(),
                    &src.verified_by,
                ],
                false,
            );
        }
        l.end_table();
    }
    if pack.deviations_total > 0 {
        l.section(
            &format!(
                "Statements read with deviations ({} recorded{})",
                pack.deviations_total,
                if (pack.deviations.len() as i64) < pack.deviations_total {
                    format!(", the first {} listed", pack.deviations.len())
                } else {
                    String::new()
                }
            ),
            false,
        );
        l.begin_table(vec![
            col("Statement", 90.0, Align::Left),
            col("Code", 130.0, Align::Left),
            col("Line", 35.0, Align::Right),
            col("As the file has it", 260.0, Align::Left),
        ]);
        for d in &pack.deviations {
            let line = d.line.map(|n| n.to_string()).unwrap_or_default();
            let excerpt = d
                .path
                .as_deref()
                .map_or(d.excerpt.clone(), |p| format!("{p}: {}", d.excerpt));
            l.row(
                &[
                    &format!("{} {}", d.statement_id, d.sequence),
                    &d.code,
                    &line,
                    &excerpt,
                ],
                false,
            );
        }
        l.end_table();
    }

    l.section("Match statistics per rule and status", false);
    l.begin_table(vec![
        col("Rule", 150.0, Align::Left),
        col("Status", 70.0, Align::Left),
        col("Groups", 60.0, Align::Right),
        col("Bank items", 60.0, Align::Right),
        col("Ledger items", 60.0, Align::Right),
        col("Bank amount", 115.0, Align::Right),
    ]);
    for s in &pack.rule_stats {
        l.row(
            &[
                &s.rule,
                &s.status,
                &s.groups.to_string(),
                &s.bank_items.to_string(),
                &s.ledger_items.to_string(),
                &money(s.bank_minor),
            ],
            false,
        );
    }
    l.end_table();

    l.section("Adjustments and write-offs", false);
    if pack.adjustments.is_empty() {
        l.text(MARGIN_X, l.y, 8.0, false, "None.");
        l.y -= 14.0;
    } else {
        l.begin_table(vec![
            col("Group", 35.0, Align::Right),
            col("Reason", 65.0, Align::Left),
            col("Difference", 70.0, Align::Right),
            col("Note", 125.0, Align::Left),
            col("Items", 90.0, Align::Left),
            col("Made by", 45.0, Align::Left),
            col("At", 85.0, Align::Left),
        ]);
        for a in &pack.adjustments {
            l.row(
                &[
                    &a.group.to_string(),
                    &a.reason,
                    &money(a.difference_minor),
                    &a.note,
                    &a.items,
                    &a.created_by,
                    &a.created_at,
                ],
                false,
            );
        }
        l.end_table();
    }

    l.section(
        &format!("Open exceptions ({})", pack.exceptions.len()),
        true,
    );
    l.begin_table(vec![
        col("Side", 30.0, Align::Left),
        col("Item id", 85.0, Align::Left),
        col("Date", 45.0, Align::Left),
        col("Days", 25.0, Align::Right),
        col("Amount", 65.0, Align::Right),
        col("Reason", 55.0, Align::Left),
        col("Reference", 80.0, Align::Left),
        col("Description", 130.0, Align::Left),
    ]);
    let mut open_total: i64 = 0;
    for e in &pack.exceptions {
        open_total = open_total.saturating_add(e.amount_minor);
        l.row(
            &[
                &e.side,
                &e.item_id,
                &e.date,
                &e.days_open.to_string(),
                &money(e.amount_minor),
                &e.reason,
                &e.reference,
                &e.description,
            ],
            false,
        );
    }
    l.row(&["", "Total", "", "", &money(open_total), "", "", ""], true);
    l.end_table();

    if options.appendix {
        let items: usize = pack.groups.iter().map(|g| g.items.len()).sum();
        l.section(
            &format!(
                "Appendix: matched groups ({} groups, {items} items)",
                pack.groups.len()
            ),
            true,
        );
        l.begin_table(vec![
            col("Group", 40.0, Align::Right),
            col("Rule", 85.0, Align::Left),
            col("Origin", 45.0, Align::Left),
            col("Side", 35.0, Align::Left),
            col("Item id", 110.0, Align::Left),
            col("Date", 50.0, Align::Left),
            col("Amount", 70.0, Align::Right),
            col("Reference", 80.0, Align::Left),
        ]);
        for g in &pack.groups {
            let id = g.id.to_string();
            for item in &g.items {
                l.row(
                    &[
                        &id,
                        &g.rule,
                        &g.origin,
                        &item.side,
                        &item.item_id,
                        &item.date,
                        &money(item.amount_minor),
                        &item.reference,
                    ],
                    false,
                );
            }
        }
        l.end_table();
    }
    l.finish_page();
    write_pdf(pack, l.pages)
}

/// Adds the footers (page n of N) and writes the document.
fn write_pdf(pack: &SignOffPack, pages: Vec<Vec<u8>>) -> Vec<u8> {
    let total = pages.len();
    let mut pdf = Pdf::new();
    let catalog = Ref::new(1);
    let tree = Ref::new(2);
    let regular = Ref::new(3);
    let bold = Ref::new(4);
    let info = Ref::new(5);
    let first_page = 6;
    let page_ids: Vec<Ref> = (0..total)
        .map(|n| Ref::new(first_page + 2 * n as i32))
        .collect();
    pdf.catalog(catalog).pages(tree);
    pdf.pages(tree)
        .kids(page_ids.iter().copied())
        .count(total as i32);
    pdf.type1_font(regular)
        .base_font(Name(b"Helvetica"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.type1_font(bold)
        .base_font(Name(b"Helvetica-Bold"))
        .encoding_predefined(Name(b"WinAnsiEncoding"));
    pdf.document_info(info)
        .title(pdf_writer::TextStr(&format!(
            "Sign-off pack {} {} to {}",
            pack.account, pack.period_start, pack.period_end
        )))
        .producer(pdf_writer::TextStr("Reconciliation workbench (pdf-writer)"));
    let footer_left = format!(
        "Content hash {}   generated_at {}",
        &pack.content_hash.get(..16).unwrap_or(&pack.content_hash),
        pack.generated_at
    );
    for (n, (mut body, id)) in pages.into_iter().zip(page_ids.iter().copied()).enumerate() {
        let mut footer = Content::new();
        let label = format!("Page {} of {}", n + 1, total);
        let label_bytes = win_ansi(&label);
        footer.set_line_width(0.5);
        footer.move_to(MARGIN_X, 44.0);
        footer.line_to(PAGE_W - MARGIN_X, 44.0);
        footer.stroke();
        footer.begin_text();
        footer.set_font(REGULAR, 7.0);
        footer.next_line(MARGIN_X, 32.0);
        footer.show(Str(&win_ansi(&footer_left)));
        footer.end_text();
        footer.begin_text();
        footer.set_font(REGULAR, 7.0);
        footer.next_line(PAGE_W - MARGIN_X - width(&label_bytes, 7.0, false), 32.0);
        footer.show(Str(&label_bytes));
        footer.end_text();
        body.push(b'\n');
        body.extend_from_slice(&footer.finish());
        let compressed = miniz_oxide::deflate::compress_to_vec_zlib(&body, 1);
        let content_id = Ref::new(id.get() + 1);
        pdf.stream(content_id, &compressed)
            .filter(Filter::FlateDecode);
        let mut page = pdf.page(id);
        page.media_box(Rect::new(0.0, 0.0, PAGE_W, PAGE_H));
        page.parent(tree);
        page.contents(content_id);
        let mut resources = page.resources();
        let mut fonts = resources.fonts();
        fonts.pair(REGULAR, regular);
        fonts.pair(BOLD, bold);
        fonts.finish();
        resources.finish();
        page.finish();
    }
    pdf.finish()
}

/// "2026-12-03 (UTC-08:00)": the ages' date with the time zone it is a date in, when known.
pub(crate) fn as_of_label(pack: &SignOffPack) -> String {
    if pack.as_of_time_zone.is_empty() {
        pack.as_of.clone()
    } else {
        format!("{} ({})", pack.as_of, pack.as_of_time_zone)
    }
}
