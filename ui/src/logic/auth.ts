// Sign-in rules the screens share: what a failed sign-in tells the person (by ErrorCode, never
// by the message's text), when the session banner shows, and whether the approve action is
// offered to the verified person.
import type { BackendErrorCode } from "../backend/errors";
import type { AuthStatus } from "../bindings/AuthStatus";

/** What a failed sign-in (or re-authentication) tells the person, by its code. */
export function signInErrorText(code: BackendErrorCode): string {
  switch (code) {
    case "sign_in_failed":
      return "The sign-in did not complete (cancelled in the browser, or refused by Okta). Try again.";
    case "provider_unreachable":
      return "Okta cannot be reached. Check the network or VPN, then try again.";
    case "config_invalid":
      return "Sign-in is not set up correctly on this machine: IT must fix the workbench's configuration.";
    case "not_allowed":
      return "Okta knows you, but you are in none of the workbench's groups: ask IT for access.";
    case "sign_in_required":
      return "Your sign-in has ended: sign in again.";
    case "keyring_unavailable":
      return "The system keyring did not answer, so the sign-in cannot be kept. Unlock the keyring and try again.";
    default:
      return "The sign-in failed.";
  }
}

/** The session banner's reason: none, offline (grace), ending within `warnSeconds`, or ended. */
export type SessionBanner = null | { kind: "offline" | "ending" | "ended"; endsAt: number | null; minutesLeft: number | null };

/** Ten minutes: the banner shows when the session ends sooner than this. */
export const SESSION_WARN_SECONDS = 600;

export function sessionBanner(auth: AuthStatus | null, nowSeconds: number, warnSeconds = SESSION_WARN_SECONDS): SessionBanner {
  const v = auth?.verified;
  if (!v) return null;
  const endsAt = auth?.session_ends_at ?? null;
  const left = endsAt === null ? null : endsAt - nowSeconds;
  const minutesLeft = left === null ? null : Math.max(0, Math.ceil(left / 60));
  if (left !== null && left <= 0) return { kind: "ended", endsAt, minutesLeft: 0 };
  if (!v.online) return { kind: "offline", endsAt, minutesLeft };
  if (left !== null && left <= warnSeconds) return { kind: "ending", endsAt, minutesLeft };
  return null;
}

/** "14:05" in the local time zone. */
export function clockTime(unixSeconds: number): string {
  const d = new Date(unixSeconds * 1000);
  return `${String(d.getHours()).padStart(2, "0")}:${String(d.getMinutes()).padStart(2, "0")}`;
}

/**
 * Whether the supervisor's actions (approve, reject) are offered. A verified person without the
 * supervisor role is never offered them (the backend refuses them anyway); demo profiles keep
 * the buttons, and the backend's refusal is shown as returned.
 */
export function approveOffered(auth: AuthStatus | null): boolean {
  const v = auth?.verified;
  return !v || v.roles.includes("supervisor");
}
