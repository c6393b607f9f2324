export type AgingBucket = { label: string, items: number, amount_minor: number, };
