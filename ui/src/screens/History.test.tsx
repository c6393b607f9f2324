import { fireEvent, screen, waitFor, within } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeBackend, type FakePublish } from "../backend/fake";
import { formatMinor } from "../money";
import { renderWith } from "../test/render";
import { History } from "./History";

async function open(workspace: string, publish?: FakePublish | null) {
  const backend = new FakeBackend({ stress: false, publish });
  const profile = await backend.signIn("clara");
  const ws = await backend.openWorkspace(workspace);
  return { backend, profile, workspace: ws };
}

const rows = () => screen.queryAllByTestId("history-row");

afterEach(() => {
  vi.restoreAllMocks();
});

describe("History screen", () => {
  it("lists the account's published periods, newest first, with the superseded revision marked", async () => {
    const ctx = await open("usd-2026-10");
    renderWith(<History />, { ...ctx, screen: "history" });
    expect(screen.getByRole("heading").textContent).toBe("History");
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(screen.getByTestId("history-table").getAttribute("data-rows")).toBe("3");
    expect(rows().map((r) => [r.getAttribute("data-period-end"), r.getAttribute("data-revision"), r.getAttribute("data-superseded")])).toEqual([
      ["2026-10-31", "1", "false"],
      ["2026-09-30", "2", "false"],
      ["2026-09-30", "1", "true"],
    ]);
    expect(screen.getByTestId("history-source").textContent).toContain("PostgreSQL clara_app@recon-db.acme.test:5432/recon");
    expect(screen.queryByTestId("history-error")).toBeNull();

    const history = await ctx.backend.publishHistory();
    const october = history.periods[0]!;
    const first = within(rows()[0]!);
    expect(rows()[0]!.textContent).toContain("2026-10-01 – 2026-10-31");
    expect(first.queryByTestId("history-superseded")).toBeNull();
    expect(first.getByTestId("history-bank-closing").textContent).toBe(`${formatMinor(october.bank_closing_minor, 2)} USD`);
    expect(first.getByTestId("history-bank-closing").getAttribute("data-minor")).toBe(String(october.bank_closing_minor));
    expect(first.getByTestId("history-ledger-balance").textContent).toBe(`${formatMinor(october.ledger_balance_minor, 2)} USD`);
    expect(rows()[0]!.textContent).toContain(october.content_hash.slice(0, 12));
    expect(rows()[0]!.textContent).not.toContain(october.content_hash);
    expect(rows()[0]!.textContent).toContain("2026-11-04 08:45 UTC"); // approved at
    expect(rows()[0]!.textContent).toContain("2026-11-04 08:46 UTC"); // published at
    expect(rows()[0]!.textContent).toContain("by sam");
    expect(rows()[0]!.textContent).toContain(october.matched_items.toLocaleString("en-US"));

    const september1 = within(rows()[2]!);
    expect(september1.getByTestId("history-superseded").textContent).toBe("superseded");
    expect(september1.getByTestId("history-bank-closing").textContent).toBe("398,771.20 USD");
    expect(rows()[2]!.className).toContain("superseded");
  });

  it("shows what was published after approving and publishing, and reads again on Refresh", async () => {
    const ctx = await open("demo");
    renderWith(<History />, { ...ctx, screen: "history" });
    await screen.findByTestId("history-table");
    expect(rows()).toHaveLength(0);
    expect(screen.getByTestId("history-table").textContent).toContain("Nothing is published for this account yet");

    await ctx.backend.importDemoSamples();
    await ctx.backend.runMatching();
    await ctx.backend.prepareSignOff();
    await ctx.backend.signIn("sam");
    await ctx.backend.approveSignOff();
    await ctx.backend.publishNow();
    const read = vi.spyOn(ctx.backend, "publishHistory");
    fireEvent.click(screen.getByTestId("history-refresh"));
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(read).toHaveBeenCalledTimes(1);
    expect(rows()[0]!.getAttribute("data-revision")).toBe("1");
    expect(rows()[0]!.getAttribute("data-superseded")).toBe("false");
    expect(rows()[0]!.textContent).toContain("EUR");
  });

  it("the database cannot be read: says why instead of failing", async () => {
    const ctx = await open("usd-2026-10", { online: false });
    renderWith(<History />, { ...ctx, screen: "history" });
    const err = await screen.findByTestId("history-error");
    expect(err.textContent).toContain("cannot connect");
    expect(err.textContent).toContain("unreachable");
    expect(screen.queryByTestId("history-table")).toBeNull();
    expect(screen.queryByTestId("error-banner")).toBeNull();
    // Back online, Refresh shows the periods.
    ctx.backend.publish!.online = true;
    fireEvent.click(screen.getByTestId("history-refresh"));
    await waitFor(() => expect(rows()).toHaveLength(3));
    expect(screen.queryByTestId("history-error")).toBeNull();
  });

  it("no results database configured: says so", async () => {
    const ctx = await open("usd-2026-10", null);
    renderWith(<History />, { ...ctx, screen: "history" });
    const err = await screen.findByTestId("history-error");
    expect(err.textContent).toContain("no results database configured");
    expect(screen.queryByTestId("history-source")).toBeNull();
  });

  it("amounts of a currency without decimals are formatted with its exponent", async () => {
    const ctx = await open("jpy-2026-11");
    vi.spyOn(ctx.backend, "publishHistory").mockResolvedValue({
      account: "JP-0005-123-4567890",
      source: "PostgreSQL x",
      error: null,
      periods: [
        {
          account: "JP-0005-123-4567890",
          period_start: "2026-10-01",
          period_end: "2026-10-31",
          revision: 1,
          content_hash: "f".repeat(64),
          currency: "JPY",
          exponent: 0,
          preparer: "clara",
          approver: "sam",
          approved_at: "2026-11-02T10:00:00Z",
          published_by: "sam",
          published_at: "2026-11-02T10:01:00Z",
          bank_closing_minor: 48_001_500,
          ledger_balance_minor: -1_500,
          matched_items: 1234,
          open_items: 0,
          superseded: false,
        },
      ],
    });
    renderWith(<History />, { ...ctx, screen: "history" });
    await waitFor(() => expect(rows()).toHaveLength(1));
    expect(within(rows()[0]!).getByTestId("history-bank-closing").textContent).toBe("48,001,500 JPY");
    expect(within(rows()[0]!).getByTestId("history-ledger-balance").textContent).toBe("-1,500 JPY");
    expect(rows()[0]!.textContent).toContain("1,234");
  });
});
