import type { ImportFileResult } from "./ImportFileResult";
import type { IssueRow } from "./IssueRow";

export type ImportResult = { files: Array<ImportFileResult>, issues: Array<IssueRow>, bank_lines: number, ledger_entries: number, };
