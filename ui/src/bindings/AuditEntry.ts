export type AuditEntry = { seq: number, at: string, actor: string, action: string, detail: string, };
