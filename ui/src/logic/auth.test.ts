import { describe, expect, it } from "vitest";
import type { AuthStatus } from "../bindings/AuthStatus";
import type { Role } from "../bindings/Role";
import type { WhoAmI } from "../bindings/WhoAmI";
import { approveOffered, sessionBanner, signInErrorText } from "./auth";

const who = (roles: Role[], online = true): WhoAmI => ({
  subject: "https://idp#x",
  display_name: "X",
  email: null,
  roles,
  groups: [],
  issuer: "https://idp",
  authenticated_at: null,
  verified_at: "2026-12-04T09:00:00Z",
  expires_at: "2026-12-04T10:00:00Z",
  online,
  assurance: "verified",
});
const status = (over: Partial<AuthStatus>): AuthStatus => ({
  provider_configured: true,
  provider: "p",
  config_error: null,
  verified: null,
  demo_profile: null,
  session_ends_at: null,
  ...over,
});

describe("sessionBanner", () => {
  const now = 1_000_000;
  it("nothing for demo mode or a long session", () => {
    expect(sessionBanner(status({ demo_profile: { user: "clara", display_name: "C", role: "clerk" } }), now)).toBeNull();
    expect(sessionBanner(status({ verified: who(["clerk"]), session_ends_at: now + 601 }), now)).toBeNull();
  });
  it("ending within ten minutes, rounded up to minutes", () => {
    expect(sessionBanner(status({ verified: who(["clerk"]), session_ends_at: now + 600 }), now)).toEqual({ kind: "ending", endsAt: now + 600, minutesLeft: 10 });
    expect(sessionBanner(status({ verified: who(["clerk"]), session_ends_at: now + 61 }), now)?.minutesLeft).toBe(2);
  });
  it("ended", () => {
    expect(sessionBanner(status({ verified: who(["clerk"]), session_ends_at: now }), now)?.kind).toBe("ended");
  });
  it("offline, whatever the end", () => {
    expect(sessionBanner(status({ verified: who(["clerk"], false), session_ends_at: now + 3600 }), now)?.kind).toBe("offline");
  });
});

describe("approveOffered", () => {
  it("a verified person needs the supervisor role; demo profiles keep the button", () => {
    expect(approveOffered(status({ verified: who(["clerk"]) }))).toBe(false);
    expect(approveOffered(status({ verified: who(["supervisor", "clerk"]) }))).toBe(true);
    expect(approveOffered(status({ demo_profile: { user: "clara", display_name: "C", role: "clerk" } }))).toBe(true);
    expect(approveOffered(null)).toBe(true);
  });
});

describe("signInErrorText", () => {
  it("one text per code, a generic one otherwise", () => {
    const codes = ["sign_in_failed", "provider_unreachable", "config_invalid", "not_allowed", "sign_in_required", "keyring_unavailable"] as const;
    const texts = new Set(codes.map((c) => signInErrorText(c)));
    expect(texts.size).toBe(codes.length);
    expect(signInErrorText("internal")).toBe("The sign-in failed.");
  });
});
