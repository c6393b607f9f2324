import type { Attachment } from "./Attachment";
import type { AuditEntry } from "./AuditEntry";
import type { Comment } from "./Comment";

export type ItemDetail = { side: "bank" | "ledger", item_id: string, amount_minor: number, date: string, reference: string, description: string, counterparty: string, fields: Array<[string, string]>, status: string, group: number | null, assignee: string | null, comments: Array<Comment>, attachments: Array<Attachment>, history: Array<AuditEntry>, };
