import type { ErrorCode } from "../bindings/ErrorCode";
import type { IpcError } from "../bindings/IpcError";

const CODES: readonly ErrorCode[] = [
  "file_unreadable",
  "file_rejected",
  "invalid_argument",
  "output_unwritable",
  "keyring_unavailable",
  "workspace_locked",
  "workspace_unusable",
  "audit_broken",
  "not_allowed",
  "not_found",
  "conflict",
  "sign_in_required",
  "sign_in_failed",
  "provider_unreachable",
  "config_invalid",
  "publish_failed",
];

/** "internal": the rejection was not an IpcError (a bug, a missing command, a JS exception). */
export type BackendErrorCode = ErrorCode | "internal";

/** Every failed backend call rejects with this. Code on `.code`; never match on `.message`. */
export class BackendError extends Error {
  readonly code: BackendErrorCode;
  constructor(code: BackendErrorCode, message: string) {
    super(message);
    this.name = "BackendError";
    this.code = code;
  }
}

export function isIpcError(v: unknown): v is IpcError {
  return (
    typeof v === "object" &&
    v !== null &&
    typeof (v as IpcError).code === "string" &&
    (CODES as readonly string[]).includes((v as IpcError).code) &&
    typeof (v as IpcError).message === "string"
  );
}

/** Whatever a rejected promise carried, as a BackendError. */
export function toBackendError(e: unknown): BackendError {
  if (e instanceof BackendError) return e;
  if (isIpcError(e)) return new BackendError(e.code, e.message);
  if (typeof e === "string") {
    // Tauri rejects with a plain string for e.g. an unknown command or bad arguments; a command
    // may also have serialized the IpcError as JSON text.
    try {
      const parsed: unknown = JSON.parse(e);
      if (isIpcError(parsed)) return new BackendError(parsed.code, parsed.message);
    } catch {
      /* not JSON */
    }
    return new BackendError("internal", e);
  }
  if (e instanceof Error) return new BackendError("internal", e.message);
  return new BackendError("internal", String(e));
}
