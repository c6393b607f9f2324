import { act, fireEvent, render, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { App, usePublishDetection } from "../App";
import { BackendError } from "../backend/errors";
import { FakeBackend, type FakePublish } from "../backend/fake";
import { drainText, outboxState, publishErrorText, waitingText } from "../logic/publish";
import { SignOff } from "../screens/SignOff";
import { useApp } from "../state/app";
import { renderWith } from "../test/render";

// The dashboard the app opens a workspace on draws ECharts canvases, which jsdom has not.
vi.mock("./Chart", () => ({ Chart: (props: { testid: string }) => <div data-testid={props.testid} /> }));

const enabled = (el: HTMLElement) => !(el as HTMLButtonElement).disabled;

/** The demo workspace, imported, matched and prepared by clara; `who` acts. */
async function prepared(who: "clara" | "sam" = "sam", opts: { publish?: FakePublish | null; latencyMs?: number } = {}) {
  const backend = new FakeBackend({ stress: false, publish: opts.publish, latencyMs: 0 });
  await backend.signIn("clara");
  await backend.openWorkspace("demo");
  await backend.importDemoSamples();
  await backend.runMatching();
  await backend.prepareSignOff();
  const profile = await backend.signIn(who);
  const d = await backend.dashboard();
  return { backend, profile, workspace: d.workspace };
}

/** Approved by sam and published; then a change, clara prepares again, sam approves again. */
async function approvedTwice(who: "clara" | "sam") {
  const ctx = await prepared("sam");
  await ctx.backend.approveSignOff();
  await ctx.backend.publishNow();
  await ctx.backend.signIn("clara");
  const s = (await ctx.backend.listSuggestions(null, null))[0]!;
  await ctx.backend.acceptSuggestions([s.id]);
  await ctx.backend.prepareSignOff();
  await ctx.backend.signIn("sam");
  await ctx.backend.approveSignOff();
  const profile = await ctx.backend.signIn(who);
  return { ...ctx, profile, workspace: (await ctx.backend.dashboard()).workspace };
}

/** What the navigation's badge reads. */
function Probe() {
  const { publishWaiting } = useApp();
  return <div data-testid="probe" data-waiting={publishWaiting === null ? "none" : String(publishWaiting)} />;
}

function show(ctx: Awaited<ReturnType<typeof prepared>>) {
  return renderWith(
    <>
      <SignOff />
      <Probe />
    </>,
    { ...ctx, screen: "signoff" },
  );
}

const waiting = () => screen.getByTestId("publish-waiting");
const items = () => screen.queryAllByTestId("publish-item");
const states = () => items().map((r) => r.getAttribute("data-state"));

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Publishing panel (Sign-off screen)", () => {
  it("approving queues the reconciliation; Publish now publishes it with progress, then the outbox is empty", async () => {
    const ctx = await prepared("sam", { latencyMs: 0 });
    show(ctx);
    await waitFor(() => expect(waiting().getAttribute("data-count")).toBe("0"));
    expect(waiting().textContent).toBe("Everything approved is published");
    const dest = screen.getByTestId("publish-destinations");
    expect(dest.getAttribute("data-configured")).toBe("true");
    expect(dest.textContent).toContain("results database postgresql://clara_app@recon-db.acme.test:5432/recon");
    expect(dest.textContent).toContain("archive s3://acme-recon/published/");
    expect(items()).toHaveLength(0);
    expect(enabled(screen.getByTestId("publish-now"))).toBe(false);

    // The approval button of the screen: the panel reads the outbox again.
    fireEvent.click(screen.getByTestId("signoff-approve"));
    await waitFor(() => expect(waiting().getAttribute("data-count")).toBe("1"));
    expect(waiting().textContent).toBe("1 waiting to publish");
    expect(screen.getByTestId("probe").getAttribute("data-waiting")).toBe("1");
    expect(states()).toEqual(["waiting"]);
    const row = items()[0]!;
    const hash = screen.getByTestId("signoff-hash").textContent!;
    expect(row.getAttribute("data-revision")).toBe("1");
    expect(row.textContent).toContain(hash.slice(0, 12));
    expect(row.textContent).not.toContain(hash);
    expect(row.textContent).toContain("sam");
    expect(within(row).getByTestId("publish-database-at").textContent).toBe("—");
    expect(within(row).getByTestId("publish-archive-at").textContent).toBe("—");
    expect(within(row).queryByTestId("publish-error")).toBeNull();

    // Publish now: progress lines while it runs.
    const lines: string[] = [];
    ctx.backend.onPublishProgress((l) => lines.push(l));
    const original = ctx.backend.publishNow.bind(ctx.backend);
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const publishNow = vi.spyOn(ctx.backend, "publishNow");
    publishNow.mockImplementation(async () => {
      const r = await original();
      await gate;
      return r;
    });
    const button = screen.getByTestId("publish-now");
    expect(enabled(button)).toBe(true);
    fireEvent.click(button);
    const progress = await screen.findByTestId("publish-progress");
    await waitFor(() => expect(progress.textContent).toContain("published approval 1 (revision 1"));
    expect(progress.textContent).toContain("staging approval 1");
    expect(progress.getAttribute("data-lines")).toBe(String(lines.length));
    expect(screen.getByTestId("publish-now").textContent).toBe("Publishing…");
    expect(enabled(screen.getByTestId("publish-now"))).toBe(false);
    release();

    await waitFor(() => expect(states()).toEqual(["published"]));
    expect(screen.queryByTestId("publish-progress")).toBeNull();
    expect(publishNow).toHaveBeenCalledTimes(1);
    const published = items()[0]!;
    expect(within(published).getByTestId("publish-database-at").textContent).toBe("2026-12-04 09:30 UTC");
    expect(within(published).getByTestId("publish-archive-at").textContent).toBe("2026-12-04 09:30 UTC");
    expect(waiting().getAttribute("data-count")).toBe("0");
    expect(waiting().textContent).toBe("Everything approved is published");
    expect(screen.getByTestId("probe").getAttribute("data-waiting")).toBe("0");
    const summary = screen.getByTestId("publish-summary");
    expect(summary.getAttribute("data-published")).toBe("1");
    expect(summary.getAttribute("data-failed")).toBe("0");
    expect(screen.getAllByTestId("toast").map((t) => t.textContent)).toEqual(["Approved", "Published 1 approval"]);
    expect(screen.queryByTestId("error-banner")).toBeNull();
    expect(enabled(screen.getByTestId("publish-now"))).toBe(false);
  });

  it("a second approval of the period is refused: its error and code are shown; a clerk is told a supervisor must reopen", async () => {
    const ctx = await approvedTwice("clara");
    show(ctx);
    await waitFor(() => expect(states()).toEqual(["waiting", "published"]));
    fireEvent.click(screen.getByTestId("publish-now"));
    await waitFor(() => expect(states()).toEqual(["refused", "published"]));
    const refused = items()[0]!;
    expect(refused.getAttribute("data-id")).toBe("2");
    const err = within(refused).getByTestId("publish-error");
    expect(err.getAttribute("data-code")).toBe("refused");
    expect(err.textContent).toContain("refused");
    expect(err.textContent).toContain("already published with other content");
    expect(waiting().getAttribute("data-count")).toBe("1");
    expect(waiting().getAttribute("data-refused")).toBe("1");
    expect(waiting().textContent).toBe("1 waiting to publish (1 refused)");
    // An entry's refusal is data, not an error of the call.
    expect(screen.queryByTestId("error-banner")).toBeNull();
    expect(screen.getByTestId("publish-summary").getAttribute("data-failed")).toBe("1");
    // Nothing left to try until the period is reopened.
    expect(enabled(screen.getByTestId("publish-now"))).toBe(false);
    expect(screen.getByTestId("publish-reopen-supervisor").textContent).toContain("a supervisor must reopen the period");
    expect(screen.queryByTestId("publish-reopen")).toBeNull();
    expect(screen.queryByTestId("publish-reopen-reason")).toBeNull();
  });

  it("a supervisor reopens the period with a reason; Publish now then publishes the approval as revision 2", async () => {
    const ctx = await approvedTwice("sam");
    await ctx.backend.publishNow(); // refused
    show(ctx);
    await waitFor(() => expect(states()).toEqual(["refused", "published"]));
    expect(screen.queryByTestId("publish-reopen-supervisor")).toBeNull();
    const reopen = screen.getByTestId("publish-reopen");
    expect(enabled(reopen)).toBe(false);
    expect(screen.getByTestId("publish-reopen-form").textContent).toContain("as revision 2");
    fireEvent.change(screen.getByTestId("publish-reopen-reason"), { target: { value: "   " } });
    expect(enabled(reopen)).toBe(false);
    const spy = vi.spyOn(ctx.backend, "publishReopen");
    fireEvent.change(screen.getByTestId("publish-reopen-reason"), { target: { value: "bank charges corrected after approval" } });
    fireEvent.click(reopen);
    await waitFor(() => expect(states()).toEqual(["waiting", "published"]));
    expect(spy).toHaveBeenCalledWith("bank charges corrected after approval");
    expect(items()[0]!.getAttribute("data-revision")).toBe("2");
    expect(screen.queryByTestId("publish-reopen")).toBeNull();
    expect(screen.getByTestId("toast").textContent).toContain("Period reopened");

    fireEvent.click(screen.getByTestId("publish-now"));
    await waitFor(() => expect(states()).toEqual(["published", "published"]));
    expect(items()[0]!.getAttribute("data-revision")).toBe("2");
    expect(within(items()[0]!).queryByTestId("publish-error")).toBeNull();
    expect(waiting().getAttribute("data-count")).toBe("0");
    const history = await ctx.backend.publishHistory();
    expect(history.periods.map((p) => [p.revision, p.superseded])).toEqual([
      [2, false],
      [1, true],
    ]);
  });

  it("reopening asks for a fresh sign-in as approving does, then reopens", async () => {
    const backend = new FakeBackend({ stress: false, okta: { nextUser: "clara" } });
    const as = async (who: "clara" | "sam") => {
      backend.okta!.nextUser = who;
      return backend.signInOkta(false);
    };
    await as("clara");
    await backend.openWorkspace("demo");
    await backend.importDemoSamples();
    await backend.runMatching();
    await backend.prepareSignOff();
    await as("sam");
    await backend.approveSignOff();
    await backend.publishNow();
    await as("clara");
    await backend.acceptSuggestions([(await backend.listSuggestions(null, null))[0]!.id]);
    await backend.prepareSignOff();
    const auth = await as("sam");
    await backend.approveSignOff();
    await backend.publishNow(); // refused
    backend.okta!.approvalNeedsFreshSignIn = true;
    const v = auth.verified!;
    const profile = { user: v.subject, display_name: v.display_name, role: "supervisor" as const };
    renderWith(<SignOff />, { backend, profile, auth, workspace: (await backend.dashboard()).workspace, screen: "signoff" });
    fireEvent.change(await screen.findByTestId("publish-reopen-reason"), { target: { value: "corrected" } });
    const reopen = vi.spyOn(backend, "publishReopen");
    fireEvent.click(screen.getByTestId("publish-reopen"));
    const reauth = await screen.findByTestId("publish-reopen-reauth");
    expect(screen.queryByTestId("error-banner")).toBeNull();
    expect(states()).toEqual(["refused", "published"]);
    expect(within(reauth).getByTestId("publish-reopen-reauth-confirm").textContent).toBe("Sign in again to reopen");
    fireEvent.click(within(reauth).getByTestId("publish-reopen-reauth-confirm"));
    await waitFor(() => expect(states()).toEqual(["waiting", "published"]));
    expect(reopen).toHaveBeenCalledTimes(2);
    expect(backend.oktaSignIns.slice(-1)).toEqual([true]);
    expect(screen.queryByTestId("publish-reopen-reauth")).toBeNull();
    expect(screen.queryByTestId("error-banner")).toBeNull();
  });

  it("unreachable destinations: the entry keeps its error and code and stays waiting; no error banner", async () => {
    const ctx = await prepared("sam", { publish: { online: false } });
    await ctx.backend.approveSignOff();
    show(ctx);
    await waitFor(() => expect(states()).toEqual(["waiting"]));
    fireEvent.click(screen.getByTestId("publish-now"));
    await waitFor(() => expect(items()[0]!.textContent).toContain("cannot connect"));
    const err = within(items()[0]!).getByTestId("publish-error");
    expect(err.getAttribute("data-code")).toBe("unreachable");
    expect(err.textContent).toContain("Destination unreachable");
    expect(states()).toEqual(["waiting"]);
    expect(items()[0]!.querySelector("tr")!.lastElementChild!.textContent).toBe("1"); // attempts
    expect(screen.queryByTestId("error-banner")).toBeNull();
    expect(screen.getByTestId("toast").textContent).toBe("Published 0 approvals; 1 failed");
    // Back online, the next try publishes it.
    ctx.backend.publish!.online = true;
    fireEvent.click(screen.getByTestId("publish-now"));
    await waitFor(() => expect(states()).toEqual(["published"]));
  });

  it("a refused Publish now goes to the error banner by its code; the status is read again", async () => {
    const ctx = await prepared("sam");
    await ctx.backend.approveSignOff();
    show(ctx);
    await waitFor(() => expect(states()).toEqual(["waiting"]));
    vi.spyOn(ctx.backend, "publishNow").mockRejectedValue(new BackendError("publish_failed", "PostgreSQL clara_app@recon-db.acme.test:5432/recon: the password is not in the keyring"));
    const status = vi.spyOn(ctx.backend, "publishStatus");
    fireEvent.click(screen.getByTestId("publish-now"));
    const banner = await screen.findByTestId("error-banner");
    expect(banner.getAttribute("data-code")).toBe("publish_failed");
    expect(screen.getByTestId("error-message").textContent).toContain("the password is not in the keyring");
    await waitFor(() => expect(status).toHaveBeenCalled());
    expect(enabled(screen.getByTestId("publish-now"))).toBe(true);
    expect(states()).toEqual(["waiting"]);
  });

  it("nothing configured: says so, offers no Publish now; the approval waits in the outbox", async () => {
    const ctx = await prepared("sam", { publish: null });
    await ctx.backend.approveSignOff();
    show(ctx);
    await waitFor(() => expect(states()).toEqual(["waiting"]));
    const dest = screen.getByTestId("publish-destinations");
    expect(dest.getAttribute("data-configured")).toBe("false");
    expect(dest.textContent).toContain("Nothing is configured to publish to");
    expect(dest.textContent).toContain("[publish]");
    expect(screen.getByTestId("publish-panel").getAttribute("data-configured")).toBe("false");
    expect(enabled(screen.getByTestId("publish-now"))).toBe(false);
    expect(waiting().textContent).toBe("1 waiting to publish");
  });

  it("follows the background publisher's publish-status events", async () => {
    const ctx = await prepared("sam");
    await ctx.backend.approveSignOff();
    show(ctx);
    await waitFor(() => expect(states()).toEqual(["waiting"]));
    const status = vi.spyOn(ctx.backend, "publishStatus");
    await act(async () => {
      await ctx.backend.publishInBackground();
    });
    await waitFor(() => expect(states()).toEqual(["published"]));
    expect(status).not.toHaveBeenCalled();
    expect(waiting().getAttribute("data-count")).toBe("0");
    expect(screen.getByTestId("probe").getAttribute("data-waiting")).toBe("0");
  });
});

/** The app's on-open read of the outbox alone, on a screen that is not Sign-off. */
function Detection() {
  usePublishDetection();
  const { publishWaiting } = useApp();
  return <div data-testid="publish-waiting-count" data-count={publishWaiting === null ? "none" : String(publishWaiting)} />;
}

describe("Waiting approvals on the navigation", () => {
  it("counts the waiting approvals when a workspace opens, and follows publish-status events", async () => {
    const ctx = await prepared("sam");
    await ctx.backend.approveSignOff();
    renderWith(<Detection />, { ...ctx, screen: "match" });
    await waitFor(() => expect(screen.getByTestId("publish-waiting-count").getAttribute("data-count")).toBe("1"));
    await act(async () => {
      await ctx.backend.publishInBackground();
    });
    await waitFor(() => expect(screen.getByTestId("publish-waiting-count").getAttribute("data-count")).toBe("0"));
  });

  it("the Sign-off button shows the count while approvals wait; History is on the navigation", async () => {
    const ctx = await prepared("sam");
    await ctx.backend.approveSignOff();
    render(<App backend={ctx.backend} />);
    fireEvent.click(await screen.findByTestId("workspace-open-demo"));
    const badge = await screen.findByTestId("nav-signoff-waiting");
    expect(badge.getAttribute("data-count")).toBe("1");
    expect(badge.textContent).toBe("1 waiting");
    expect(badge.closest("[data-testid='nav-signoff']")).not.toBeNull();
    fireEvent.click(screen.getByTestId("nav-signoff"));
    const publish = await screen.findByTestId("publish-now");
    await waitFor(() => expect(enabled(publish)).toBe(true));
    fireEvent.click(publish);
    await waitFor(() => expect(screen.queryByTestId("nav-signoff-waiting")).toBeNull());
    fireEvent.click(screen.getByTestId("nav-history"));
    const row = await screen.findByTestId("history-row");
    expect(row.getAttribute("data-revision")).toBe("1");
    expect(row.getAttribute("data-superseded")).toBe("false");
  });
});

describe("publishing texts", () => {
  it("states, waiting counts, error codes and what a run did", () => {
    const item = { id: 1, content_hash: "ab", revision: 1, approver: "sam", created_at: "", staged: false, database_at: null, archive_at: null, attempts: 0, last_error: null, last_error_code: null, next_attempt_unix: 0, refused: false, published_at: null };
    expect(outboxState(item)).toBe("waiting");
    expect(outboxState({ ...item, refused: true })).toBe("refused");
    expect(outboxState({ ...item, published_at: "2026-12-04T09:30:00Z" })).toBe("published");
    expect(waitingText(0)).toBe("Everything approved is published");
    expect(waitingText(1)).toBe("1 waiting to publish");
    expect(waitingText(1200)).toBe("1,200 waiting to publish");
    expect(publishErrorText("schema_missing")).toBe("The database lacks the published tables");
    expect(publishErrorText(null)).toBe("");
    expect(drainText({ entries: [], published: 0, failed: 0, deferred: 0 })).toBe("Nothing waiting to publish");
    expect(drainText({ entries: [], published: 0, failed: 0, deferred: 2 })).toBe("Published 0 approvals; 2 waiting for a retry");
  });
});
