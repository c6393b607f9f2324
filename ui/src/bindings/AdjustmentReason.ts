export type AdjustmentReason = "bank_charge" | "fx_difference" | "rounding" | "timing" | "write_off";
