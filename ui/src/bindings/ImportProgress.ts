export type ImportProgress = { file: string, files_done: number, files_total: number, records: number, };
