export type Attachment = { name: string, sha256: string, bytes: number, added_by: string, at: string, };
