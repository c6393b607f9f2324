import type { StatementRow } from "./StatementRow";

export type ReconciliationStatement = { bank_closing_minor: number, rows: Array<StatementRow>, ledger_balance_minor: number, unexplained_difference_minor: number, };
