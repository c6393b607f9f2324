export type RuleStat = { rule: string, status: "auto" | "suggested" | "manual", groups: number, items: number, amount_minor: number, };
