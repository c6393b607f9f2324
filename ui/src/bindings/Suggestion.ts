export type Suggestion = { id: number, rule: string, score: number, difference_minor: number, explanation: string, bank: Array<string>, ledger: Array<string>, };
