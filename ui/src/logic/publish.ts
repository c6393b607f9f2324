// The Publishing panel's and the History screen's texts (pure).
import type { DrainReport } from "../bindings/DrainReport";
import type { OutboxItem } from "../bindings/OutboxItem";
import type { PublishErrorCode } from "../bindings/PublishErrorCode";

/** An outbox entry's state as the panel shows it: published, refused (waits for a supervisor to
 * reopen the period), or waiting (for Publish now, or the next automatic attempt). */
export type OutboxState = "published" | "waiting" | "refused";

export function outboxState(item: OutboxItem): OutboxState {
  if (item.published_at !== null) return "published";
  return item.refused ? "refused" : "waiting";
}

/** A publishing error code, for people (the backend's message is shown beside it). */
export const PUBLISH_ERROR_TEXT: Record<PublishErrorCode, string> = {
  not_configured: "Nothing configured to publish to",
  unreachable: "Destination unreachable",
  tls: "The server's certificate is not trusted",
  auth_failed: "The database refused the credentials",
  access_denied: "Access denied",
  credentials_expired: "Credentials expired: sign in again",
  schema_missing: "The database lacks the published tables",
  refused: "Other content is published for this period",
  stale: "The workspace changed after the approval",
  failed: "Failed",
};

export function publishErrorText(code: PublishErrorCode | null): string {
  return code ? (PUBLISH_ERROR_TEXT[code] ?? code) : "";
}

/** "1 waiting to publish", or "Everything approved is published". */
export function waitingText(waiting: number): string {
  return waiting === 0 ? "Everything approved is published" : `${waiting.toLocaleString("en-US")} waiting to publish`;
}

/** The first 12 hex digits of a content hash. */
export function shortHash(hash: string): string {
  return hash.slice(0, 12);
}

/** What a Publish now did, for a toast: "Published 1 approval", "Published 0 approvals; 1 failed". */
export function drainText(r: DrainReport): string {
  if (r.entries.length === 0 && r.deferred === 0) return "Nothing waiting to publish";
  const n = (x: number, one: string) => `${x} ${one}${x === 1 ? "" : "s"}`;
  let text = `Published ${n(r.published, "approval")}`;
  if (r.failed) text += `; ${r.failed} failed`;
  if (r.deferred) text += `; ${r.deferred} waiting for a retry`;
  return text;
}
