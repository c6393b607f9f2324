export type IssueRow = { file: string, line: number | null, severity: "error" | "warning", message: string, excerpt: string, };
