//! The classic bank reconciliation statement: the bank's closing balance, plus or minus the open
//! items by category, equals the ledger balance. Whatever is left is the unexplained difference,
//! which must be 0.00 before the reconciliation can be prepared.
//!
//! Signs follow the model: + is money into the bank account on both sides. An open ledger item
//! (booked, not yet on the bank statement) moves the bank balance towards the ledger's: it is
//! added. An open bank item (on the statement, not yet booked) is taken away. A confirmed group's
//! recorded difference (bank total − ledger total, booked as an adjustment) is taken away too.

use recon_model::format_minor;
use serde::{Deserialize, Serialize};

/// Why a confirmed group may carry a difference between its bank and ledger totals.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Debug, Serialize, Deserialize, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum AdjustmentReason {
    BankCharge,
    FxDifference,
    Rounding,
    Timing,
    WriteOff,
}

impl AdjustmentReason {
    pub const ALL: [AdjustmentReason; 5] = [
        AdjustmentReason::BankCharge,
        AdjustmentReason::FxDifference,
        AdjustmentReason::Rounding,
        AdjustmentReason::Timing,
        AdjustmentReason::WriteOff,
    ];
    pub fn name(self) -> &'static str {
        match self {
            AdjustmentReason::BankCharge => "bank_charge",
            AdjustmentReason::FxDifference => "fx_difference",
            AdjustmentReason::Rounding => "rounding",
            AdjustmentReason::Timing => "timing",
            AdjustmentReason::WriteOff => "write_off",
        }
    }
    pub fn from_name(name: &str) -> Option<AdjustmentReason> {
        let n = name.trim().to_ascii_lowercase().replace('-', "_");
        AdjustmentReason::ALL.into_iter().find(|r| r.name() == n)
    }
}

/// Sums the store computes over the workspace (all in the account's minor units).
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct OpenItemTotals {
    /// The bank's closing balance as the latest statement reports it.
    pub bank_closing_minor: i64,
    /// Ledger opening balance plus every ledger entry of the period.
    pub ledger_balance_minor: i64,
    /// Open ledger items with a positive amount (booked receipts the bank has not shown yet).
    pub open_ledger_receipts_minor: i64,
    /// Open ledger items with a negative amount (cheques and transfers not yet through the bank).
    pub open_ledger_payments_minor: i64,
    /// Open bank items with a negative amount (charges the ledger has not booked).
    pub open_bank_debits_minor: i64,
    /// Open bank items with a positive amount (interest and credits the ledger has not booked).
    pub open_bank_credits_minor: i64,
    /// Recorded differences of confirmed groups, by adjustment reason.
    pub adjustments_minor: Vec<(AdjustmentReason, i64)>,
    /// Open items counted in the sums above.
    pub open_items: u64,
}

/// One line of the statement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StatementRow {
    pub label: String,
    /// Signed effect on the way from the bank balance to the ledger balance.
    pub amount_minor: i64,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReconciliationStatement {
    pub bank_closing_minor: i64,
    pub rows: Vec<StatementRow>,
    /// Bank closing balance plus every row.
    pub adjusted_bank_minor: i64,
    pub ledger_balance_minor: i64,
    /// Ledger balance minus adjusted bank balance: must be zero to prepare.
    pub unexplained_minor: i64,
}

impl ReconciliationStatement {
    /// Builds the statement. Sums use i128 so no realistic total overflows; a result outside i64
    /// saturates (and is then certainly not zero).
    pub fn from_totals(t: &OpenItemTotals) -> ReconciliationStatement {
        let mut rows = vec![
            StatementRow {
                label: "add: deposits in transit".into(),
                amount_minor: t.open_ledger_receipts_minor,
            },
            StatementRow {
                label: "less: outstanding payments".into(),
                amount_minor: t.open_ledger_payments_minor,
            },
            StatementRow {
                label: "add back: unbooked bank charges".into(),
                amount_minor: t.open_bank_debits_minor.saturating_neg(),
            },
            StatementRow {
                label: "less: unbooked bank interest and credits".into(),
                amount_minor: t.open_bank_credits_minor.saturating_neg(),
            },
        ];
        for reason in AdjustmentReason::ALL {
            let total: i64 = t
                .adjustments_minor
                .iter()
                .filter(|(r, _)| *r == reason)
                .map(|(_, a)| *a)
                .fold(0i64, i64::saturating_add);
            if total != 0 {
                let label = match reason {
                    AdjustmentReason::BankCharge => "adjustments: bank charges booked",
                    AdjustmentReason::FxDifference => "errors: FX differences",
                    AdjustmentReason::Rounding => "errors: rounding",
                    AdjustmentReason::Timing => "adjustments: timing",
                    AdjustmentReason::WriteOff => "errors: written off",
                };
                rows.push(StatementRow {
                    label: label.into(),
                    amount_minor: total.saturating_neg(),
                });
            }
        }
        let adjusted = rows
            .iter()
            .fold(i128::from(t.bank_closing_minor), |acc, r| {
                acc + i128::from(r.amount_minor)
            });
        let unexplained = i128::from(t.ledger_balance_minor) - adjusted;
        let clamp = |v: i128| i64::try_from(v).unwrap_or(if v < 0 { i64::MIN } else { i64::MAX });
        ReconciliationStatement {
            bank_closing_minor: t.bank_closing_minor,
            rows,
            adjusted_bank_minor: clamp(adjusted),
            ledger_balance_minor: t.ledger_balance_minor,
            unexplained_minor: clamp(unexplained),
        }
    }

    /// The statement as text, amounts with `exponent` decimals.
    pub fn render(&self, currency: &str, exponent: u32) -> String {
        let f = |a: i64| format!("{:>18} {currency}", format_minor(a, exponent));
        let mut out = String::new();
        out.push_str(&format!(
            "{:<44}{}\n",
            "bank closing balance",
            f(self.bank_closing_minor)
        ));
        for r in &self.rows {
            out.push_str(&format!("  {:<42}{}\n", r.label, f(r.amount_minor)));
        }
        out.push_str(&format!(
            "{:<44}{}\n",
            "adjusted bank balance",
            f(self.adjusted_bank_minor)
        ));
        out.push_str(&format!(
            "{:<44}{}\n",
            "ledger balance",
            f(self.ledger_balance_minor)
        ));
        out.push_str(&format!(
            "{:<44}{}\n",
            "unexplained difference",
            f(self.unexplained_minor)
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_items_explain_the_difference() {
        // Bank 1000.00; a cheque of 640.00 outstanding, a deposit of 315.00 in transit, a bank
        // charge of 8.75 unbooked, a group with a 5.00 bank charge booked as an adjustment.
        // Ledger: 1000.00 - 640.00 + 315.00 + 8.75 + 5.00 = 688.75.
        let t = OpenItemTotals {
            bank_closing_minor: 100_000,
            ledger_balance_minor: 68_875,
            open_ledger_receipts_minor: 31_500,
            open_ledger_payments_minor: -64_000,
            open_bank_debits_minor: -875,
            open_bank_credits_minor: 0,
            adjustments_minor: vec![(AdjustmentReason::BankCharge, -500)],
            open_items: 3,
        };
        let s = ReconciliationStatement::from_totals(&t);
        assert_eq!(s.unexplained_minor, 0, "{}", s.render("EUR", 2));
        let off = OpenItemTotals {
            ledger_balance_minor: 68_874,
            ..t
        };
        assert_eq!(
            ReconciliationStatement::from_totals(&off).unexplained_minor,
            -1
        );
    }
}
