import type { SignOffState } from "./SignOffState";

export type SignOff = { state: SignOffState, preparer: string | null, prepared_at: string | null, approver: string | null, approved_at: string | null, content_hash: string | null, rejection_reason: string | null, unexplained_difference_minor: number, };
