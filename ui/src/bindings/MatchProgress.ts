export type MatchProgress = { phase: string, done: number, total: number, };
