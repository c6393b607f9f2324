import type { AdjustmentReason } from "./AdjustmentReason";

export type Adjustment = { reason: AdjustmentReason, note: string, };
