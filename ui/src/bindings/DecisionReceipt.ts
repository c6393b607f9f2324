export type DecisionReceipt = { decision: number, kind: string, group: number | null, };
