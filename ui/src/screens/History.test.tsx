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
      carried: null,
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

  it("opening items: the button brings in the previous period's open items, then the History shows them", async () => {
    const ctx = await open("usd-2026-10");
    renderWith(<History />, { ...ctx, screen: "history" });
    await waitFor(() => expect(rows()).toHaveLength(3));
    const panel = screen.getByTestId("history-carry");
    expect(panel.getAttribute("data-carried")).toBe("false");
    expect(panel.textContent).toContain("Items still open when the previous period was approved become this period's opening items.");
    const button = screen.getByTestId("history-carry-forward");
    expect(button.textContent).toBe("Bring in last period's open items");

    const carry = vi.spyOn(ctx.backend, "carryForward");
    const read = vi.spyOn(ctx.backend, "publishHistory");
    fireEvent.click(button);
    expect(screen.getByTestId("history-carry-forward").textContent).toBe("Bringing in…");
    expect((screen.getByTestId("history-carry-forward") as HTMLButtonElement).disabled).toBe(true);
    await waitFor(() => expect(screen.getByTestId("history-carry").getAttribute("data-carried")).toBe("true"));
    expect(carry).toHaveBeenCalledTimes(1);
    expect(read).toHaveBeenCalledTimes(1);
    const carried = screen.getByTestId("history-carry");
    // September, revision 2 (5 open items): 3 bank, 2 ledger.
    expect(carried.getAttribute("data-bank-items")).toBe("3");
    expect(carried.getAttribute("data-ledger-items")).toBe("2");
    expect(carried.getAttribute("data-source")).toBe("database");
    expect(carried.textContent).toContain("Opening items carried forward from 2026-09-01 – 2026-09-30, revision 2 (database) by clara at 2026-12-04 09:30 UTC");
    expect(carried.textContent).toContain(`3 bank items ${formatMinor(375_000, 2)} USD, 2 ledger items ${formatMinor(-166_000, 2)} USD`);
    expect(carried.textContent).not.toContain("already here");
    expect(screen.queryByTestId("history-carry-forward")).toBeNull();
    expect(screen.queryByTestId("history-carry-error")).toBeNull();
    expect(screen.queryByTestId("history-carry-note")).toBeNull();
    expect(screen.queryByTestId("history-carry-opening-differs")).toBeNull();
    expect(screen.queryByTestId("error-banner")).toBeNull();
    // The table is still there.
    expect(rows()).toHaveLength(3);
  });

  it("opening items already carried: shown with the currency's exponent, also when the periods cannot be read", async () => {
    const ctx = await open("jpy-2026-11");
    vi.spyOn(ctx.backend, "publishHistory").mockResolvedValue({
      account: "JP-0005-123-4567890",
      source: "PostgreSQL x",
      error: "PostgreSQL x: cannot connect (unreachable)",
      periods: [],
      carried: {
        from_period_start: "2026-10-01",
        from_period_end: "2026-10-31",
        from_revision: 1,
        from_content_hash: "e".repeat(64),
        source: "archive",
        bank_items: 1,
        bank_minor: 48_001_500,
        ledger_items: 4,
        ledger_minor: -1_500,
        already_present: 2,
        carried_at: "2026-11-02T10:05:09Z",
        carried_by: "nora@acme.test",
      },
    });
    renderWith(<History />, { ...ctx, screen: "history" });
    const panel = await screen.findByTestId("history-carry");
    expect(screen.getByTestId("history-error").textContent).toContain("unreachable");
    expect(panel.getAttribute("data-carried")).toBe("true");
    expect(panel.getAttribute("data-bank-items")).toBe("1");
    expect(panel.getAttribute("data-ledger-items")).toBe("4");
    expect(panel.getAttribute("data-source")).toBe("archive");
    expect(panel.textContent).toContain("from 2026-10-01 – 2026-10-31, revision 1 (archive) by nora@acme.test at 2026-11-02 10:05 UTC");
    expect(panel.textContent).toContain("1 bank item 48,001,500 JPY, 4 ledger items -1,500 JPY; 2 already here");
    expect(screen.queryByTestId("history-carry-forward")).toBeNull();
  });

  it("opening items: a refused carry-forward is shown in the panel, not in the banner", async () => {
    const ctx = await open("demo", { online: false });
    renderWith(<History />, { ...ctx, screen: "history" });
    await screen.findByTestId("history-error");
    // The periods cannot be read, yet the panel is there.
    expect(screen.getByTestId("history-carry").getAttribute("data-carried")).toBe("false");
    fireEvent.click(screen.getByTestId("history-carry-forward"));
    const err = await screen.findByTestId("history-carry-error");
    expect(err.getAttribute("role")).toBe("alert");
    expect(err.getAttribute("data-code")).toBe("not_found");
    expect(err.textContent).toContain("no published period of NL91ABNA0417164300 ends before 2026-11-01");
    expect(screen.queryByTestId("error-banner")).toBeNull();
    expect(screen.getByTestId("history-carry").getAttribute("data-carried")).toBe("false");
    await waitFor(() => expect((screen.getByTestId("history-carry-forward") as HTMLButtonElement).disabled).toBe(false));
    expect(screen.getByTestId("history-carry-forward").textContent).toBe("Bring in last period's open items");
  });

  it("opening items: the report's archive note, ledger opening set and roll-forward difference are shown", async () => {
    const ctx = await open("demo");
    vi.spyOn(ctx.backend, "carryForward").mockResolvedValue({
      from_period_start: "2026-10-01",
      from_period_end: "2026-10-31",
      from_revision: 2,
      from_content_hash: "a".repeat(64),
      source: "archive",
      database_note: "PostgreSQL x: cannot connect (unreachable)",
      bank_items: 2,
      bank_minor: 10_000,
      ledger_items: 1,
      ledger_minor: 5_000,
      already_present: 0,
      ledger_opening_set_minor: 15_240_000,
      ledger_opening_differs_minor: [15_240_000, 15_239_900],
    });
    renderWith(<History />, { ...ctx, screen: "history" });
    fireEvent.click(await screen.findByTestId("history-carry-forward"));
    expect((await screen.findByTestId("history-carry-note")).textContent).toContain("PostgreSQL x: cannot connect (unreachable)");
    expect(screen.getByTestId("history-carry").textContent).toContain("Ledger opening balance set to 152,400.00 EUR (the previous period's ledger balance)");
    const differs = screen.getByTestId("history-carry-opening-differs");
    expect(differs.textContent).toContain("152,400.00 EUR");
    expect(differs.textContent).toContain("152,399.00 EUR");
    expect(screen.queryByTestId("history-carry-error")).toBeNull();
  });
});
