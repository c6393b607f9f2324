// Manual match arithmetic: integer minor units only (BigInt), never floats.
import type { AdjustmentReason } from "../bindings/AdjustmentReason";
import { sumMinor } from "../money";

export const ADJUSTMENT_REASONS: { value: AdjustmentReason; label: string }[] = [
  { value: "bank_charge", label: "Bank charge" },
  { value: "fx_difference", label: "FX difference" },
  { value: "rounding", label: "Rounding" },
  { value: "timing", label: "Timing" },
  { value: "write_off", label: "Write-off" },
];

export interface Picked {
  item_id: string;
  amount_minor: number;
}

export interface MatchSelection {
  bank: readonly Picked[];
  ledger: readonly Picked[];
}

/** Bank total minus ledger total (+ is money into the bank account on both sides), the same
 * difference a confirmed group records. */
export function runningDifference(sel: MatchSelection): bigint {
  return sumMinor(sel.bank.map((p) => p.amount_minor)) - sumMinor(sel.ledger.map((p) => p.amount_minor));
}

export function selectionSize(sel: MatchSelection): number {
  return sel.bank.length + sel.ledger.length;
}

/** Confirm as a plain match: something selected and the difference is exactly zero. */
export function canConfirm(sel: MatchSelection): boolean {
  return selectionSize(sel) > 0 && runningDifference(sel) === 0n;
}

/** Book the difference as an adjustment: something selected, a non-zero difference, a reason
 * and a note that is not blank. */
export function canBookAdjustment(sel: MatchSelection, reason: AdjustmentReason | "", note: string): boolean {
  return selectionSize(sel) > 0 && runningDifference(sel) !== 0n && reason !== "" && note.trim() !== "";
}
