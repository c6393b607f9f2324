//! Engine behaviour on small hand-made books: each rule kind, the ambiguity guard, decisions
//! (locked groups, rejected pairs) and determinism. Each case renders the whole outcome as text
//! and compares it, so a change in any group, status or exception shows in the diff.

use recon_match::{Item, LockedGroup, MatchInput, MatchOutcome, RuleSet, run};
use recon_model::{Currency, Date};

struct Row(&'static str, &'static str, i64, &'static str, &'static str);

fn items(rows: &[Row]) -> Vec<Item<'static>> {
    let eur = Currency::from_code("EUR").unwrap();
    rows.iter()
        .map(|r| Item {
            id: r.0,
            account: "NL91",
            currency: eur,
            date: Date::parse_from_str(r.1, "%Y-%m-%d").unwrap(),
            amount_minor: r.2,
            reference: r.3,
            counterparty: "",
            description: r.4,
            details: &[],
        })
        .collect()
}

fn render(outcome: &MatchOutcome) -> String {
    let mut out = String::new();
    for g in &outcome.groups {
        let ids = |v: &[recon_match::ItemRef]| {
            v.iter()
                .map(|i| i.id.as_str())
                .collect::<Vec<_>>()
                .join("+")
        };
        out.push_str(&format!(
            "{} {} {} bank={} ledger={} diff={}\n",
            g.match_id,
            g.rule,
            g.status.name(),
            ids(&g.bank),
            ids(&g.ledger),
            g.difference_minor
        ));
    }
    for x in &outcome.exceptions {
        out.push_str(&format!(
            "open {} {} {} [{}]\n",
            x.side.name(),
            x.item_id,
            x.reason.name(),
            x.suggestions.join(",")
        ));
    }
    out
}

fn check(bank: &[Row], ledger: &[Row], expected: &str) {
    let input = MatchInput {
        bank: items(bank),
        ledger: items(ledger),
        ..MatchInput::default()
    };
    let outcome = run(&input, &RuleSet::default_rules(), &mut ()).unwrap();
    assert_eq!(render(&outcome), expected, "\n{}", render(&outcome));
}

#[test]
fn exact_reference_and_amount() {
    check(
        &[Row(
            "B1",
            "2026-11-02",
            125_000,
            "PMT/INV-2026-1001",
            "Northwind",
        )],
        &[Row(
            "L1",
            "2026-11-01",
            125_000,
            "INV-2026-1001",
            "Northwind invoice",
        )],
        "M0000001 exact auto bank=B1 ledger=L1 diff=0\n",
    );
}

#[test]
fn look_alikes_told_apart_by_their_words_are_confirmed() {
    check(
        &[
            Row("B1", "2026-11-02", 41_040, "", "Soylent Foods"),
            Row("B2", "2026-11-02", 41_040, "", "Tyrell Systems"),
        ],
        &[
            Row(
                "L1",
                "2026-11-02",
                41_040,
                "INV-1011",
                "Soylent Foods invoice 1011",
            ),
            Row(
                "L2",
                "2026-11-02",
                41_040,
                "INV-1012",
                "Tyrell Systems invoice 1012",
            ),
        ],
        "M0000001 amount_date auto bank=B1 ledger=L1 diff=0\n\
         M0000002 amount_date auto bank=B2 ledger=L2 diff=0\n",
    );
}

#[test]
fn look_alikes_with_nothing_to_tell_them_apart_are_only_suggested() {
    check(
        &[
            Row("B1", "2026-11-02", 41_040, "", "Transfer"),
            Row("B2", "2026-11-02", 41_040, "", "Transfer"),
        ],
        &[
            Row("L1", "2026-11-02", 41_040, "INV-1011", "Soylent"),
            Row("L2", "2026-11-02", 41_040, "INV-1012", "Tyrell"),
        ],
        "M0000001 amount_date_review suggested bank=B1 ledger=L1 diff=0\n\
         M0000002 amount_date_review suggested bank=B1 ledger=L2 diff=0\n\
         M0000003 amount_date_review suggested bank=B2 ledger=L1 diff=0\n\
         M0000004 amount_date_review suggested bank=B2 ledger=L2 diff=0\n\
         open bank B1 ambiguous [M0000001,M0000002]\n\
         open bank B2 ambiguous [M0000003,M0000004]\n\
         open ledger L1 ambiguous [M0000001,M0000003]\n\
         open ledger L2 ambiguous [M0000002,M0000004]\n",
    );
}

#[test]
fn partial_payments_batch_and_charges() {
    check(
        &[
            Row("B1", "2026-11-03", 60_000, "INV-1013", "instalment 1"),
            Row("B2", "2026-11-10", 60_000, "INV-1013", "instalment 2"),
            Row(
                "B3",
                "2026-11-10",
                500_000,
                "BATCH-8841",
                "Stark INV-0001005 INV-0001006 INV-0001007",
            ),
            Row(
                "B4",
                "2026-11-12",
                198_750,
                "INV-1008",
                "Wayne less charges",
            ),
            Row("B5", "2026-11-13", -1_250, "", "Account fee"),
        ],
        &[
            Row("L1", "2026-11-01", 120_000, "INV-1013", "Wonka"),
            Row("L2", "2026-11-08", 150_000, "INV-0001005", "Stark"),
            Row("L3", "2026-11-08", 200_000, "INV-0001006", "Stark"),
            Row("L4", "2026-11-09", 150_000, "INV-0001007", "Stark"),
            Row("L5", "2026-11-10", 200_000, "INV-1008", "Wayne"),
        ],
        "M0000001 partial_payments auto bank=B1+B2 ledger=L1 diff=0\n\
         M0000002 batch_payments auto bank=B3 ledger=L2+L3+L4 diff=0\n\
         M0000003 bank_charges auto bank=B4 ledger=L5 diff=-1250\n\
         open bank B5 no_candidate []\n",
    );
}

#[test]
fn fuzzy_reference_is_suggested_and_rejections_are_remembered() {
    let bank = [Row("B1", "2026-11-05", 99_000, "INV-0100915", "Acme")];
    let ledger = [Row("L1", "2026-11-01", 99_500, "INV-0100195", "Acme")];
    check(
        &bank,
        &ledger,
        "M0000001 fuzzy_reference suggested bank=B1 ledger=L1 diff=-500\nopen bank B1 suggested [M0000001]\nopen ledger L1 suggested [M0000001]\n",
    );
    let input = MatchInput {
        bank: items(&bank),
        ledger: items(&ledger),
        rejected: vec![("B1".into(), "L1".into())],
        ..MatchInput::default()
    };
    let outcome = run(&input, &RuleSet::default_rules(), &mut ()).unwrap();
    assert_eq!(
        render(&outcome),
        "open bank B1 no_candidate []\nopen ledger L1 no_candidate []\n"
    );
}

#[test]
fn locked_groups_are_never_broken() {
    let bank = [
        Row("B1", "2026-11-02", 125_000, "INV-1", "x"),
        Row("B2", "2026-11-02", 125_000, "INV-1", "y"),
    ];
    let ledger = [Row("L1", "2026-11-02", 125_000, "INV-1", "x")];
    let input = MatchInput {
        bank: items(&bank),
        ledger: items(&ledger),
        locked: vec![LockedGroup {
            bank_ids: vec!["B2".into()],
            ledger_ids: vec!["L1".into()],
        }],
        ..MatchInput::default()
    };
    let outcome = run(&input, &RuleSet::default_rules(), &mut ()).unwrap();
    assert_eq!(render(&outcome), "open bank B1 no_candidate []\n");
}

/// `recon gen` books of `bank_lines` lines as items (the generated CSV has no quoted fields).
fn generated_items(bank_lines: usize, seed: u64) -> (Vec<Item<'static>>, Vec<Item<'static>>) {
    let generated = recon_gen::generate(&recon_gen::GenConfig::new(bank_lines, seed));
    let parse = |csv: &'static str, bank: bool| -> Vec<Item<'static>> {
        csv.lines()
            .skip(1)
            .map(|l| {
                let f: Vec<&'static str> = l.split(',').collect();
                let (date, amount, ccy, reference, description) = if bank {
                    (f[3], f[4], f[5], f[6], f[7])
                } else {
                    (f[2], f[3], f[4], f[5], f[6])
                };
                let currency = Currency::from_code(ccy).unwrap();
                Item {
                    id: f[0],
                    account: f[1],
                    currency,
                    date: Date::parse_from_str(date, "%Y-%m-%d").unwrap(),
                    amount_minor: recon_model::parse_minor(amount, b'.', currency.exponent())
                        .unwrap(),
                    reference,
                    counterparty: "",
                    description,
                    details: &[],
                }
            })
            .collect()
    };
    let bank_csv: &'static str = Box::leak(generated.bank_csv.into_boxed_str());
    let ledger_csv: &'static str = Box::leak(generated.ledger_csv.into_boxed_str());
    (parse(bank_csv, true), parse(ledger_csv, false))
}

#[test]
fn output_does_not_depend_on_input_order() {
    let (bank, ledger) = generated_items(3_000, 11);
    let forward = MatchInput {
        bank: bank.clone(),
        ledger: ledger.clone(),
        ..MatchInput::default()
    };
    let mut reversed = MatchInput {
        bank,
        ledger,
        ..MatchInput::default()
    };
    reversed.bank.reverse();
    reversed.ledger.reverse();
    let rules = RuleSet::default_rules();
    let a = render(&run(&forward, &rules, &mut ()).unwrap());
    let b = render(&run(&reversed, &rules, &mut ()).unwrap());
    assert!(a.lines().count() > 3_000);
    assert_eq!(a, b);
    // The same run, freeing the item lists early, gives the same outcome.
    let c = render(
        &recon_match::run_borrowed(reversed, &rules, &mut ())
            .unwrap()
            .into_outcome(),
    );
    assert_eq!(a, c);
}

/// A group as one line: number, rule, status, currency, then each side's `id:amount`s.
fn group_line<'i>(
    (number, rule, status, currency): (usize, &str, recon_match::MatchStatus, Currency),
    bank: impl Iterator<Item = (&'i str, i64)>,
    ledger: impl Iterator<Item = (&'i str, i64)>,
) -> String {
    let side = |items: &mut dyn Iterator<Item = (&'i str, i64)>| {
        items
            .map(|(id, amount)| format!("{id}:{amount}"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let (mut bank, mut ledger) = (bank, ledger);
    format!(
        "{number} {rule} {} {} | {} | {}",
        status.name(),
        currency.code(),
        side(&mut bank),
        side(&mut ledger)
    )
}

/// Collects what the run hands out as each pass confirms its groups.
#[derive(Default)]
struct Collector {
    rows: Vec<String>,
}

impl recon_match::Observer for Collector {
    fn phase(&mut self, _name: &str) {}
    fn wants_confirmed(&self) -> bool {
        true
    }
    fn confirmed(&mut self, groups: recon_match::Confirmed) {
        for k in 0..groups.len() {
            let g = groups.group(k);
            self.rows.push(group_line(
                (g.number(), g.rule(), g.status(), g.currency()),
                g.items(recon_match::Side::Bank),
                g.items(recon_match::Side::Ledger),
            ));
        }
    }
}

#[test]
fn confirmed_groups_handed_out_during_the_run_keep_their_numbers() {
    let (bank, ledger) = generated_items(3_000, 5);
    let input = MatchInput {
        bank,
        ledger,
        ..MatchInput::default()
    };
    let rules = RuleSet::default_rules();
    let mut collector = Collector::default();
    let matched = recon_match::run_borrowed(input, &rules, &mut collector).unwrap();
    let auto = matched
        .passes()
        .iter()
        .map(|p| p.auto_groups)
        .sum::<usize>();
    assert!(auto > 2_000, "{auto}");
    assert_eq!(collector.rows.len(), auto);
    for (n, row) in collector.rows.iter().enumerate() {
        let g = matched.group(n);
        let expected = group_line(
            (g.number(), g.rule(), g.status(), g.currency()),
            g.items(recon_match::Side::Bank),
            g.items(recon_match::Side::Ledger),
        );
        assert_eq!(row, &expected);
    }
    // More than one pass confirmed groups, so the batches' numbering is exercised.
    assert!(
        collector.rows.iter().any(|r| !r.contains(" exact ")),
        "only the exact pass confirmed"
    );
}

#[test]
fn a_bank_line_is_settled_by_the_ledger_entries_that_carry_its_reference() {
    // A payroll run: the bank names only the payer; every ledger part carries the run's
    // reference. An instalment of the same amount as one part must not be closed as a
    // tolerance pair with a "charge" difference.
    check(
        &[Row(
            "B1",
            "2026-11-25",
            -600_000,
            "RUN-2026-11",
            "ACME PAYROLL",
        )],
        &[
            Row("L1", "2026-11-24", -250_000, "RUN-2026-11", "Salary Ann"),
            Row("L2", "2026-11-24", -200_000, "RUN-2026-11", "Salary Bob"),
            Row("L3", "2026-11-24", -150_000, "RUN-2026-11", "Salary Cem"),
        ],
        "M0000001 batch_payments auto bank=B1 ledger=L1+L2+L3 diff=0\n",
    );
}

#[test]
fn a_reference_less_pair_is_confirmed_on_the_payers_words() {
    // The bank lost the reference and writes the payer in capitals, eight days after the
    // ledger: unique amount in the window, the payer's words in the ledger text.
    check(
        &[Row("B1", "2026-11-10", 73_312, "", "GLOBEX RETAIL GMBH")],
        &[
            Row(
                "L1",
                "2026-11-02",
                73_312,
                "INV-0312345",
                "Invoice INV-0312345 Globex Retail GmbH",
            ),
            Row(
                "L2",
                "2026-11-03",
                51_000,
                "INV-0312346",
                "Invoice INV-0312346 Initech Foods BV",
            ),
        ],
        "M0000001 amount_date auto bank=B1 ledger=L1 diff=0\n\
         open ledger L2 no_candidate []\n",
    );
}

#[test]
fn an_item_is_offered_at_most_three_suggestions_and_the_cap_is_reported() {
    let input = MatchInput {
        bank: items(&[Row("B1", "2026-11-02", 5_000, "", "Card payment")]),
        ledger: items(&[
            Row("L1", "2026-11-01", 5_000, "", "Coffee"),
            Row("L2", "2026-11-02", 5_000, "", "Parking"),
            Row("L3", "2026-11-03", 5_000, "", "Taxi"),
            Row("L4", "2026-11-04", 5_000, "", "Lunch"),
            Row("L5", "2026-11-05", 5_000, "", "Books"),
        ]),
        ..MatchInput::default()
    };
    let outcome = run(&input, &RuleSet::default_rules(), &mut ()).unwrap();
    let suggested = outcome
        .groups
        .iter()
        .filter(|g| g.status.name() == "suggested")
        .count();
    assert_eq!(suggested, 3, "\n{}", render(&outcome));
    let limits: Vec<_> = outcome
        .passes
        .iter()
        .flat_map(|p| {
            p.limits
                .iter()
                .map(move |l| (p.rule.as_str(), l.limit.name(), l.count))
        })
        .collect();
    assert!(
        limits.contains(&("amount_date_review", "suggestions_max", 2)),
        "{limits:?}"
    );
}

#[test]
fn a_batch_booking_is_matched_to_the_ledger_entries_its_transactions_name() {
    // A SEPA batch of three payments booked as one line: the bank's text names none of them;
    // the transactions' end-to-end references name the three invoices.
    let detail = |reference: &str, amount_minor: i64| recon_model::BatchDetail {
        reference: Some(reference.into()),
        amount_minor: Some(amount_minor),
        counterparty: None,
        counterparty_account: None,
        description: String::new(),
    };
    let details = vec![
        detail("INV-7001", -30_000),
        detail("INV-7002", -45_000),
        detail("INV-7003", -25_000),
    ];
    let mut bank = items(&[Row("B1", "2026-11-20", -100_000, "BATCH-99", "SEPA batch")]);
    bank[0].details = &details;
    let input = MatchInput {
        bank,
        ledger: items(&[
            Row("L1", "2026-11-19", -30_000, "INV-7001", "Acme"),
            Row("L2", "2026-11-19", -45_000, "INV-7002", "Globex"),
            Row("L3", "2026-11-19", -25_000, "INV-7003", "Initech"),
            Row("L4", "2026-11-19", -25_000, "INV-7004", "Hooli"),
        ]),
        ..MatchInput::default()
    };
    let outcome = run(&input, &RuleSet::default_rules(), &mut ()).unwrap();
    let text = render(&outcome);
    assert!(
        text.starts_with("M0000001 batch_payments auto bank=B1 ledger=L1+L2+L3 diff=0\n"),
        "\n{text}"
    );
}
