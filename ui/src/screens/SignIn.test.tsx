import { fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../App";
import { FakeBackend, type FakeOkta } from "../backend/fake";
import { renderWith } from "../test/render";
import { SignOff } from "./SignOff";
import { SessionBanner } from "../components/SessionBanner";

const enabled = (el: HTMLElement) => !(el as HTMLButtonElement).disabled;
const NOW = new Date("2026-12-04T09:30:00Z").getTime();

function app(okta?: FakeOkta, latencyMs = 0) {
  const backend = new FakeBackend({ stress: false, okta, latencyMs, now: () => new Date(NOW) });
  render(<App backend={backend} />);
  return backend;
}

describe("Sign-in screen", () => {
  it("without a provider: no Okta button, demo mode labelled, a demo profile signs in with a DEMO badge", async () => {
    app();
    await screen.findByTestId("okta-not-configured");
    expect(screen.queryByTestId("okta-sign-in")).toBeNull();
    const demo = screen.getByTestId("signin-demo");
    expect(demo.textContent).toContain("Demo mode");
    expect(demo.textContent).toContain("not verified");
    fireEvent.click(await screen.findByTestId("signin-profile-sam"));
    fireEvent.click(screen.getByTestId("signin-submit"));
    await screen.findByTestId("screen-workspaces");
    expect(screen.getByTestId("whoami").getAttribute("data-verified")).toBe("false");
    expect(screen.getByTestId("topbar-role").textContent).toBe("supervisor");
    expect(screen.getByTestId("demo-badge").textContent).toBe("DEMO");
    expect(screen.queryByTestId("session-banner")).toBeNull();
  });

  it("Sign in with Okta: waits for the browser, then shows the verified name and roles", async () => {
    const backend = app({ nextUser: "clara" }, 20);
    const button = await screen.findByTestId("okta-sign-in");
    expect(button.textContent).toBe("Sign in with Okta");
    // Demo mode stays offered below it.
    expect(screen.getByTestId("signin-profile-clara")).toBeTruthy();
    fireEvent.click(button);
    await waitFor(() => expect(screen.getByTestId("okta-sign-in").textContent).toBe("Waiting for the browser…"));
    expect(enabled(screen.getByTestId("okta-sign-in"))).toBe(false);
    expect(screen.getByTestId("okta-waiting").textContent).toContain("Waiting for the browser…");
    await screen.findByTestId("screen-workspaces");
    const who = screen.getByTestId("whoami");
    expect(who.getAttribute("data-verified")).toBe("true");
    expect(who.textContent).toContain("Clara Clerk");
    expect(screen.getByTestId("topbar-role").textContent).toBe("clerk");
    expect(screen.getByTestId("topbar-user").getAttribute("data-user")).toMatch(/#clara$/);
    expect(backend.oktaSignIns).toEqual([false]);
    // Verified, no workspace open: no DEMO badge; a demo workspace brings it.
    expect(screen.queryByTestId("demo-badge")).toBeNull();
    fireEvent.click(await screen.findByTestId("workspace-open-demo"));
    await waitFor(() => expect(screen.getByTestId("topbar-workspace").getAttribute("data-workspace-id")).toBe("demo"));
    expect(screen.getByTestId("demo-badge").textContent).toBe("DEMO");
  });

  it("shows a failed sign-in by its code, and the sign-in screen stays", async () => {
    app({ failWith: "provider_unreachable" });
    fireEvent.click(await screen.findByTestId("okta-sign-in"));
    const err = await screen.findByTestId("okta-error");
    expect(err.getAttribute("data-code")).toBe("provider_unreachable");
    expect(err.textContent).toContain("Okta cannot be reached");
    expect(screen.getByTestId("screen-signin")).toBeTruthy();
    expect(screen.getByTestId("okta-sign-in").textContent).toBe("Sign in with Okta");
  });

  it("a person in no mapped group is refused (not_allowed) with the backend's message", async () => {
    app({ nextUser: "nora" });
    fireEvent.click(await screen.findByTestId("okta-sign-in"));
    const err = await screen.findByTestId("okta-error");
    expect(err.getAttribute("data-code")).toBe("not_allowed");
    expect(err.textContent).toContain("none of the workbench's groups");
    expect(screen.getByTestId("okta-error-detail").textContent).toContain("recon-supervisors");
  });

  it("shows the configuration error, and demo mode still works", async () => {
    app({ configError: "unknown key `oidc.isuer` in /etc/recon-workbench/config.toml" });
    const err = await screen.findByTestId("okta-config-error");
    expect(err.textContent).toContain("unknown key `oidc.isuer`");
    expect(screen.queryByTestId("okta-sign-in")).toBeNull();
    fireEvent.click(screen.getByTestId("signin-submit"));
    await screen.findByTestId("screen-workspaces");
  });

  it("Sign out revokes at the backend and returns to the sign-in screen", async () => {
    const backend = app({ nextUser: "sam" });
    fireEvent.click(await screen.findByTestId("okta-sign-in"));
    await screen.findByTestId("screen-workspaces");
    expect(screen.getByTestId("topbar-role").textContent).toBe("supervisor · clerk");
    fireEvent.click(screen.getByTestId("sign-out"));
    await screen.findByTestId("screen-signin");
    expect((await backend.authStatus()).verified).toBeNull();
    expect((await screen.findByTestId("toast")).textContent).toContain("revoked");
    await screen.findByTestId("okta-sign-in");
  });

  it("resumes a verified session the backend still has", async () => {
    const backend = new FakeBackend({ stress: false, okta: { nextUser: "sam" } });
    await backend.signInOkta(false);
    render(<App backend={backend} />);
    await screen.findByTestId("screen-workspaces");
    expect(screen.getByTestId("whoami").textContent).toContain("Sam Supervisor");
  });
});

describe("Session banner", () => {
  async function verified(okta: FakeOkta) {
    const backend = new FakeBackend({ stress: false, okta, now: () => new Date(NOW) });
    const auth = await backend.signInOkta(false);
    const profile = { user: auth.verified!.subject, display_name: auth.verified!.display_name, role: "clerk" as const };
    return { backend, auth, profile, workspace: null };
  }

  it("none while the session has more than ten minutes", async () => {
    const ctx = await verified({ sessionEndsAt: NOW / 1000 + 11 * 60 });
    renderWith(<SessionBanner now={() => NOW} />, ctx);
    expect(screen.queryByTestId("session-banner")).toBeNull();
  });

  it("within ten minutes of the end: the time, and Sign in again", async () => {
    const ctx = await verified({ sessionEndsAt: NOW / 1000 + 9 * 60 });
    renderWith(<SessionBanner now={() => NOW} />, ctx);
    const b = screen.getByTestId("session-banner");
    expect(b.getAttribute("data-kind")).toBe("ending");
    expect(b.textContent).toContain("in 9 min");
    ctx.backend.okta!.sessionEndsAt = NOW / 1000 + 3600;
    fireEvent.click(within(b).getByTestId("session-sign-in"));
    await waitFor(() => expect(screen.queryByTestId("session-banner")).toBeNull());
    expect(ctx.backend.oktaSignIns).toEqual([false, false]);
  });

  it("offline: reviewing on the offline grace", async () => {
    const ctx = await verified({ online: false, sessionEndsAt: NOW / 1000 + 11 * 3600 });
    renderWith(<SessionBanner now={() => NOW} />, ctx);
    const b = screen.getByTestId("session-banner");
    expect(b.getAttribute("data-kind")).toBe("offline");
    expect(b.textContent).toContain("Offline");
    expect(within(b).queryByTestId("session-sign-in")).toBeNull();
  });

  it("none in demo mode", async () => {
    const backend = new FakeBackend({ stress: false, okta: {} });
    const profile = await backend.signIn("clara");
    renderWith(<SessionBanner now={() => NOW} />, { backend, profile, workspace: null, auth: await backend.authStatus() });
    expect(screen.queryByTestId("session-banner")).toBeNull();
  });
});

describe("Sign-off with verified identities", () => {
  /** clara (verified clerk) prepares the demo workspace; then `who` signs in. */
  async function prepared(who: "clara" | "sam", okta: FakeOkta = {}) {
    const backend = new FakeBackend({ stress: false, okta: { nextUser: "clara", ...okta } });
    await backend.signInOkta(false);
    await backend.openWorkspace("demo");
    await backend.importDemoSamples();
    await backend.runMatching();
    await backend.prepareSignOff();
    backend.okta!.nextUser = who;
    const auth = await backend.signInOkta(false);
    const d = await backend.dashboard();
    const v = auth.verified!;
    const profile = { user: v.subject, display_name: v.display_name, role: v.roles.includes("supervisor") ? ("supervisor" as const) : ("clerk" as const) };
    return { backend, auth, profile, workspace: d.workspace };
  }

  it("a verified clerk is not offered Approve (nor Reject)", async () => {
    const ctx = await prepared("clara");
    renderWith(<SignOff />, ctx);
    const approve = await screen.findByTestId("signoff-approve");
    expect(screen.getByTestId("signoff-state").getAttribute("data-state")).toBe("prepared");
    expect(enabled(approve)).toBe(false);
    expect(approve.getAttribute("data-offered")).toBe("false");
    expect(enabled(screen.getByTestId("signoff-reject"))).toBe(false);
    expect(screen.getByTestId("signoff-approve-unavailable").textContent).toContain("supervisor role");
    // The backend refuses it too.
    await expect(ctx.backend.approveSignOff()).rejects.toMatchObject({ code: "not_allowed" });
  });

  it("approval refused with sign_in_required offers Sign in again to approve, then approves", async () => {
    const ctx = await prepared("sam", { approvalNeedsFreshSignIn: true });
    renderWith(<SignOff />, ctx);
    const approve = await screen.findByTestId("signoff-approve");
    expect(approve.getAttribute("data-primary")).toBe("true");
    fireEvent.click(approve);
    const reauth = await screen.findByTestId("signoff-reauth");
    expect(screen.queryByTestId("error-banner")).toBeNull();
    expect(screen.getByTestId("signoff-state").getAttribute("data-state")).toBe("prepared");
    const again = within(reauth).getByTestId("signoff-reauth-approve");
    expect(again.textContent).toBe("Sign in again to approve");
    fireEvent.click(again);
    await waitFor(() => expect(screen.getByTestId("signoff-state").getAttribute("data-state")).toBe("approved"));
    expect(ctx.backend.oktaSignIns.slice(-1)).toEqual([true]);
    expect(screen.getByTestId("signoff-approver").textContent).toMatch(/#sam$/);
    expect(screen.queryByTestId("signoff-reauth")).toBeNull();
  });

  it("a failed re-authentication is shown by its code and approves nothing", async () => {
    const ctx = await prepared("sam", { approvalNeedsFreshSignIn: true });
    renderWith(<SignOff />, ctx);
    fireEvent.click(await screen.findByTestId("signoff-approve"));
    await screen.findByTestId("signoff-reauth");
    ctx.backend.okta!.failWith = "sign_in_failed";
    fireEvent.click(screen.getByTestId("signoff-reauth-approve"));
    const err = await screen.findByTestId("signoff-reauth-error");
    expect(err.getAttribute("data-code")).toBe("sign_in_failed");
    expect(screen.getByTestId("signoff-state").getAttribute("data-state")).toBe("prepared");
  });
});
