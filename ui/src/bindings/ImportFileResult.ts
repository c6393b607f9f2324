export type ImportFileResult = { file: string, status: "imported" | "skipped" | "rejected", statements: number, records: number, };
