import type { SignOffState } from "./SignOffState";

export type WorkspaceSummary = { id: string, name: string, account: string, currency: string, exponent: number, period_start: string | null, period_end: string | null, state: SignOffState, bank_lines: number, ledger_entries: number, match_rate_permille: number, open_exceptions: number, oldest_exception_days: number | null, };
