import type { ExceptionRow } from "./ExceptionRow";

export type ExceptionPage = { rows: Array<ExceptionRow>, total: number, };
