export type ExportFormat = "pdf" | "xlsx" | "csv";
