import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { useInboxDetection } from "../App";
import { FakeBackend, type FakeInbox } from "../backend/fake";
import type { InboxView } from "../bindings/InboxView";
import { Import } from "../screens/Import";
import { useApp } from "../state/app";
import { renderWith } from "../test/render";
import { formatBytes, pullPermille, shortTime } from "../logic/inbox";

/** A clock the tests move: the inbox's "listed at" times come from it. */
let now = new Date("2026-12-04T08:00:00Z");

async function open(opts: { inbox?: FakeInbox | null; latencyMs?: number } = {}) {
  now = new Date("2026-12-04T08:00:00Z");
  const backend = new FakeBackend({ stress: false, latencyMs: opts.latencyMs ?? 0, now: () => now, inbox: opts.inbox });
  const profile = await backend.signIn("clara");
  const workspace = await backend.openWorkspace("demo");
  return { backend, profile, workspace };
}

/** What the rest of the app sees: the workspace's figures and the reload counter. */
function Probe() {
  const { workspace, version } = useApp();
  return <div data-testid="probe" data-bank-lines={workspace?.bank_lines ?? -1} data-ledger-entries={workspace?.ledger_entries ?? -1} data-version={version} />;
}

function show(ctx: Awaited<ReturnType<typeof open>>) {
  return renderWith(
    <>
      <Import />
      <Probe />
    </>,
    { ...ctx, screen: "import" },
  );
}

const counts = () => screen.getByTestId("inbox-counts").textContent;
const rows = () => screen.queryAllByTestId("inbox-file");
const statuses = () => rows().map((r) => r.getAttribute("data-status"));
const pullButton = () => screen.getByTestId("inbox-pull") as HTMLButtonElement;

function deferred<T>() {
  let resolve!: (v: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("Inbox panel (Import screen)", () => {
  it("shows the inbox as last seen at once, while the listing is still under way", async () => {
    const ctx = await open();
    await ctx.backend.inboxRefresh(); // seen at 08:00
    now = new Date("2026-12-04T09:30:00Z");
    const listing = deferred<InboxView>();
    const refresh = vi.spyOn(ctx.backend, "inboxRefresh").mockImplementation(() => listing.promise);
    show(ctx);
    await waitFor(() => expect(counts()).toBe("4 new · 0 imported · 0 failed"));
    expect(screen.getByTestId("inbox-panel").getAttribute("data-configured")).toBe("true");
    expect(statuses()).toEqual(["new", "new", "new", "new"]);
    expect(rows()[0]!.textContent).toContain("ledger-2026-11.csv");
    expect(screen.getByText("Checking for new files…")).toBeTruthy();
    const locations = screen.getAllByTestId("inbox-location");
    expect(locations.map((l) => l.textContent)).toEqual([
      "s3://acme-bank-statements/NL91ABNA0417164300/2026/11/listed 2026-12-04 08:00 UTC3 objects",
      "s3://acme-ledger-extracts/NL91ABNA0417164300/2026/11/listed 2026-12-04 08:00 UTC1 object",
    ]);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(pullButton().disabled).toBe(false);
    // The listing arrives: its times are shown.
    refresh.mockRestore();
    const fresh = await ctx.backend.inboxRefresh();
    await act(async () => listing.resolve(fresh));
    await waitFor(() => expect(screen.getAllByTestId("inbox-location")[0]!.textContent).toContain("listed 2026-12-04 09:30 UTC"));
    expect(screen.queryByText("Checking for new files…")).toBeNull();
    expect(screen.queryByTestId("inbox-error")).toBeNull();
  });

  it("lists the inbox on opening (new-file detection): a workspace never listed finds its new files", async () => {
    const ctx = await open();
    const view = vi.spyOn(ctx.backend, "inboxView");
    const refresh = vi.spyOn(ctx.backend, "inboxRefresh");
    show(ctx);
    await waitFor(() => expect(counts()).toBe("4 new · 0 imported · 0 failed"));
    expect(view).toHaveBeenCalledTimes(1);
    expect(refresh).toHaveBeenCalledTimes(1);
    expect(view.mock.invocationCallOrder[0]!).toBeLessThan(refresh.mock.invocationCallOrder[0]!);
    expect(statuses()).toEqual(["new", "new", "new", "new"]);
    const first = within(rows()[1]!);
    expect(first.getByText("statement")).toBeTruthy();
    expect(rows()[1]!.getAttribute("data-uri")).toBe("s3://acme-bank-statements/NL91ABNA0417164300/2026/11/NL91ABNA0417164300-202611-1.camt053.xml");
    // "Check now" lists again.
    fireEvent.click(screen.getByTestId("inbox-refresh"));
    await waitFor(() => expect(refresh).toHaveBeenCalledTimes(2));
  });

  it("not configured: explains the [inbox] section, offers no pull and lists nothing", async () => {
    const ctx = await open({ inbox: { configured: false } });
    const refresh = vi.spyOn(ctx.backend, "inboxRefresh");
    show(ctx);
    const note = await screen.findByTestId("inbox-not-configured");
    expect(note.textContent).toContain("[inbox]");
    expect(note.textContent).toContain('statements = "s3://bucket/{account}/{yyyy}/{mm}/"');
    expect(screen.getByTestId("inbox-panel").getAttribute("data-configured")).toBe("false");
    expect(screen.queryByTestId("inbox-pull")).toBeNull();
    expect(screen.queryByTestId("inbox-counts")).toBeNull();
    expect(rows()).toHaveLength(0);
    expect(refresh).not.toHaveBeenCalled();
  });

  it("pulls with progress; a checksum mismatch fails its file only; the figures follow; a retry brings it in", async () => {
    const ctx = await open({ latencyMs: 4 });
    show(ctx);
    await waitFor(() => expect(counts()).toBe("4 new · 0 imported · 0 failed"));
    expect(screen.getByTestId("probe").getAttribute("data-bank-lines")).toBe("0");
    fireEvent.click(pullButton());
    const progress = await screen.findByTestId("inbox-progress");
    await waitFor(() => expect(progress.textContent).toMatch(/File \d of 4 · (downloading|importing) · s3:\/\/acme-bank-statements\/.* of /));
    expect(progress.getAttribute("data-files")).toBe("4");
    expect(pullButton().disabled).toBe(true);
    expect(pullButton().textContent).toBe("Pulling…");

    const summary = await screen.findByTestId("inbox-summary");
    expect(summary.getAttribute("data-imported")).toBe("3");
    expect(summary.getAttribute("data-failed")).toBe("1");
    expect(summary.getAttribute("data-replaced")).toBe("0");
    expect(summary.getAttribute("data-left")).toBe("0");
    expect(Number(summary.getAttribute("data-bytes"))).toBeGreaterThan(0);
    expect(summary.textContent).toContain("3 imported");
    expect(summary.textContent).toContain("1 failed");
    expect(summary.textContent).toContain(`${formatBytes(Number(summary.getAttribute("data-bytes")))} downloaded`);
    expect(screen.queryByTestId("inbox-progress")).toBeNull();
    expect(counts()).toBe("0 new · 3 imported · 1 failed");
    expect(statuses()).toEqual(["failed", "imported", "imported", "imported"]);
    const failed = rows()[0]!;
    expect(failed.textContent).toContain("Checksum mismatch");
    expect(failed.textContent).toContain("nothing imported, the next pull fetches it again");
    expect(within(failed).getByTestId("inbox-file-error").getAttribute("data-code")).toBe("checksum_mismatch");
    expect(failed.textContent).toContain("-2.camt053.xml");
    // Imported files show their version and short SHA-256.
    expect(rows()[1]!.textContent).toMatch(/[0-9a-f]{32}[0-9a-f]{12}$/);
    // What an import does next: the figures are read again, the screens reload.
    await waitFor(() => expect(Number(screen.getByTestId("probe").getAttribute("data-bank-lines"))).toBeGreaterThan(0));
    expect(Number(screen.getByTestId("probe").getAttribute("data-ledger-entries"))).toBeGreaterThan(0);
    expect(Number(screen.getByTestId("probe").getAttribute("data-version"))).toBeGreaterThan(0);
    const bankLines = Number(screen.getByTestId("probe").getAttribute("data-bank-lines"));
    expect(screen.getByTestId("toast").textContent).toBe("Pulled 3 files from the inbox; 1 failed");

    // The failed file is there to pull again, and comes in.
    expect(pullButton().disabled).toBe(false);
    fireEvent.click(pullButton());
    await waitFor(() => expect(screen.getByTestId("inbox-summary").getAttribute("data-imported")).toBe("1"));
    expect(screen.getByTestId("inbox-summary").getAttribute("data-failed")).toBe("0");
    expect(counts()).toBe("0 new · 4 imported · 0 failed");
    expect(statuses()).toEqual(["imported", "imported", "imported", "imported"]);
    expect(screen.queryByTestId("inbox-file-error")).toBeNull();
    await waitFor(() => expect(Number(screen.getByTestId("probe").getAttribute("data-bank-lines"))).toBeGreaterThan(bankLines));
    // Nothing new or failed: nothing to pull.
    expect(pullButton().disabled).toBe(true);
  });

  it("offline: a listing that fails keeps the inbox as last seen, saying when that was", async () => {
    const ctx = await open();
    await ctx.backend.inboxRefresh(); // seen at 08:00
    now = new Date("2026-12-04T09:30:00Z");
    ctx.backend.inbox!.online = false;
    show(ctx);
    const err = await screen.findByTestId("inbox-error");
    expect(err.getAttribute("data-kind")).toBe("stale");
    expect(err.getAttribute("data-code")).toBe("listing_failed");
    expect(err.textContent).toContain("Offline: showing what was seen at 2026-12-04 08:00 UTC");
    expect(err.textContent).toContain("unreachable");
    expect(counts()).toBe("4 new · 0 imported · 0 failed");
    expect(statuses()).toEqual(["new", "new", "new", "new"]);
    expect(screen.getAllByTestId("inbox-location").map((l) => l.getAttribute("data-error"))).toEqual(["true", "true"]);

    // Back online: the message goes.
    ctx.backend.inbox!.online = true;
    fireEvent.click(screen.getByTestId("inbox-refresh"));
    await waitFor(() => expect(screen.queryByTestId("inbox-error")).toBeNull());
  });

  it("offline: a refresh that is refused keeps the last view too, with the code", async () => {
    const ctx = await open({ inbox: { failWith: "provider_unreachable" } });
    await ctx.backend.inboxRefresh().catch(() => undefined); // the failure is used up here...
    await ctx.backend.inboxRefresh(); // ...and this one lists, at 08:00
    ctx.backend.inbox!.failWith = "provider_unreachable";
    now = new Date("2026-12-04T09:30:00Z");
    show(ctx);
    const err = await screen.findByTestId("inbox-error");
    expect(err.getAttribute("data-code")).toBe("provider_unreachable");
    expect(err.textContent).toContain("Offline: showing what was seen at 2026-12-04 08:00 UTC");
    expect(within(err).getByText("provider_unreachable")).toBeTruthy();
    expect(counts()).toBe("4 new · 0 imported · 0 failed");
  });

  it("a refused pull is shown by its code; the view stays", async () => {
    const ctx = await open();
    show(ctx);
    await waitFor(() => expect(counts()).toBe("4 new · 0 imported · 0 failed"));
    ctx.backend.inbox!.failWith = "sign_in_required";
    fireEvent.click(pullButton());
    const err = await screen.findByTestId("inbox-error");
    expect(err.getAttribute("data-kind")).toBe("error");
    expect(err.getAttribute("data-code")).toBe("sign_in_required");
    expect(counts()).toBe("4 new · 0 imported · 0 failed");
    expect(screen.queryByTestId("inbox-summary")).toBeNull();
    expect(pullButton().disabled).toBe(false);
  });

  it("lists again every interval_minutes while shown", async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    const ctx = await open({ inbox: { intervalMinutes: 5 } });
    const refresh = vi.spyOn(ctx.backend, "inboxRefresh");
    const { unmount } = show(ctx);
    await waitFor(() => expect(counts()).toBe("4 new · 0 imported · 0 failed"));
    expect(refresh).toHaveBeenCalledTimes(1);
    await act(async () => {
      vi.advanceTimersByTime(5 * 60_000);
    });
    await waitFor(() => expect(refresh).toHaveBeenCalledTimes(2));
    // (a listing still under way is not started twice)
    await waitFor(() => expect(screen.queryByText("Checking for new files…")).toBeNull());
    await act(async () => {
      vi.advanceTimersByTime(5 * 60_000);
    });
    await waitFor(() => expect(refresh).toHaveBeenCalledTimes(3));
    unmount();
    await act(async () => {
      vi.advanceTimersByTime(15 * 60_000);
    });
    expect(refresh).toHaveBeenCalledTimes(3);
  });
});

describe("inbox texts", () => {
  it("sizes, times and the pull's progress", () => {
    expect(formatBytes(999)).toBe("999 B");
    expect(formatBytes(1536)).toBe("1.5 KB");
    expect(formatBytes(5 * 1024 * 1024)).toBe("5.0 MB");
    expect(formatBytes(300 * 1024)).toBe("300 KB");
    expect(shortTime("2026-12-04T09:30:12Z")).toBe("2026-12-04 09:30 UTC");
    expect(shortTime("yesterday")).toBe("yesterday");
    expect(pullPermille({ phase: "listing", file: 0, files: 0, uri: "", bytes: 0, size_bytes: 0 })).toBe(0);
    expect(pullPermille({ phase: "downloading", file: 2, files: 4, uri: "u", bytes: 50, size_bytes: 100 })).toBe(375);
    expect(pullPermille({ phase: "importing", file: 4, files: 4, uri: "u", bytes: 100, size_bytes: 100 })).toBe(1000);
  });
});

/** The app's on-open detection alone, on a screen that is not Import: what the nav badge reads. */
function Detection() {
  useInboxDetection();
  const { inboxNew } = useApp();
  return <div data-testid="inbox-new" data-count={inboxNew === null ? "none" : String(inboxNew)} />;
}

describe("New-file detection on opening a workspace", () => {
  it("lists the inbox when a workspace opens, without the Import screen, and counts the new files", async () => {
    const ctx = await open();
    const refresh = vi.spyOn(ctx.backend, "inboxRefresh");
    renderWith(<Detection />, { ...ctx, screen: "match" });
    await waitFor(() => expect(screen.getByTestId("inbox-new").getAttribute("data-count")).toBe("4"));
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it("no inbox configured: no listing, no count", async () => {
    const ctx = await open({ inbox: null });
    const refresh = vi.spyOn(ctx.backend, "inboxRefresh");
    const view = vi.spyOn(ctx.backend, "inboxView");
    renderWith(<Detection />, { ...ctx, screen: "match" });
    await waitFor(() => expect(view).toHaveBeenCalledTimes(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(refresh).not.toHaveBeenCalled();
    expect(screen.getByTestId("inbox-new").getAttribute("data-count")).toBe("none");
  });

  it("a listing refused (sign-in required) keeps the last-seen count", async () => {
    const ctx = await open();
    await ctx.backend.inboxRefresh(); // seen: 4 new
    ctx.backend.inbox!.failWith = "sign_in_required";
    const refresh = vi.spyOn(ctx.backend, "inboxRefresh");
    renderWith(<Detection />, { ...ctx, screen: "match" });
    await waitFor(() => expect(refresh).toHaveBeenCalledTimes(1));
    await new Promise((r) => setTimeout(r, 20));
    expect(screen.getByTestId("inbox-new").getAttribute("data-count")).toBe("4");
  });
});
