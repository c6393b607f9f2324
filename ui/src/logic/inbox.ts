// The statement inbox panel's texts and figures (pure).
import type { InboxError } from "../bindings/InboxError";
import type { InboxProgress } from "../bindings/InboxProgress";
import type { InboxView } from "../bindings/InboxView";

/** A failed file's error code, for people (the backend's message is shown beside it). */
export const INBOX_ERROR_TEXT: Record<InboxError, string> = {
  access_denied: "Access denied",
  no_such_bucket: "No such bucket",
  not_found: "Deleted since it was listed",
  credentials_expired: "Credentials expired: sign in again",
  throttled: "Throttled by the store",
  unreachable: "Store unreachable",
  interrupted: "Download interrupted",
  changed: "Changed while it was fetched",
  checksum_mismatch: "Checksum mismatch",
  too_large: "Too large to import",
  rejected_format: "Rejected by the importer",
  replacement_blocked: "Replacement blocked: its lines are matched",
  failed: "Failed",
};

export function inboxErrorText(code: InboxError | null): string {
  return code ? (INBOX_ERROR_TEXT[code] ?? code) : "";
}

/** 999 B, 1.5 KB, 12.3 MB (1,024 bytes a KB). */
export function formatBytes(n: number): string {
  if (n < 1024) return `${n.toLocaleString("en-US")} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let v = n / 1024;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${v >= 100 ? Math.round(v).toLocaleString("en-US") : v.toFixed(1)} ${units[u]}`;
}

/** "2026-12-04T09:30:12Z" -> "2026-12-04 09:30 UTC" (other text as it is). */
export function shortTime(rfc3339: string): string {
  const m = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]00:?00)$/.exec(rfc3339);
  return m ? `${m[1]} ${m[2]} UTC` : rfc3339;
}

/** When the inbox was last seen for sure: the latest successful listing, or the latest time a
 * file was seen in one (a failed listing overwrites its prefix's time). Null: never. */
export function lastSeenAt(view: InboxView): string | null {
  let best: string | null = null;
  for (const l of view.locations) if (l.error === null && (best === null || l.scanned_at > best)) best = l.scanned_at;
  for (const f of view.files) if (best === null || f.last_seen_at > best) best = f.last_seen_at;
  return best;
}

/** Every prefix's last listing failed (the store could not be reached). */
export function listingFailed(view: InboxView): boolean {
  return view.locations.length > 0 && view.locations.every((l) => l.error !== null);
}

/** "3 new · 12 imported · 1 failed" */
export function countsText(view: InboxView): string {
  const n = (x: number) => x.toLocaleString("en-US");
  return `${n(view.new_files)} new · ${n(view.imported_files)} imported · ${n(view.failed_files)} failed`;
}

/** How far a pull is, 0 to 1000 (files done plus the current file's bytes). */
export function pullPermille(p: InboxProgress): number {
  if (p.files === 0 || p.file === 0) return 0;
  const part = p.phase === "importing" ? 1 : p.size_bytes > 0 ? Math.min(1, p.bytes / p.size_bytes) : 0;
  return Math.min(1000, Math.floor(((p.file - 1 + part) * 1000) / p.files));
}

/** The progress line: "File 2 of 4 · downloading · s3://… · 1.5 KB of 6.0 KB". */
export function pullProgressText(p: InboxProgress): string {
  if (p.phase === "listing" || p.files === 0) return "Listing the inbox…";
  return `File ${p.file} of ${p.files} · ${p.phase} · ${p.uri} · ${formatBytes(p.bytes)} of ${formatBytes(p.size_bytes)}`;
}
