export type StatementRow = { label: string, amount_minor: number, };
