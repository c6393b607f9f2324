import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { Exceptions } from "./Exceptions";
import { ManualMatch } from "./ManualMatch";
import { useApp } from "../state/app";
import { buildExceptionQuery, DEFAULT_FILTERS } from "../logic/exceptions";
import { gridViewportSize } from "../test/layout";
import { demoBackend, renderWith } from "../test/render";

gridViewportSize(600);

const cell = (side: string, i: number, col = "item_id") => screen.getByTestId(`manual-${side}-grid`).querySelector<HTMLElement>(`.grid-row[row-index="${i}"] [col-id="${col}"]`);
const count = (side: string) => Number(screen.getByTestId(`manual-${side}-count`).getAttribute("data-count"));

describe("Manual match screen", () => {
  it("reads each side's open items from the server; a click selects; the difference follows", async () => {
    const ctx = await demoBackend("clara");
    const spy = vi.spyOn(ctx.backend, "listExceptions");
    renderWith(<ManualMatch />, { ...ctx, screen: "manual" });
    const bank = await ctx.backend.listExceptions(buildExceptionQuery({ ...DEFAULT_FILTERS, side: "bank" }, 0, 500));
    const ledger = await ctx.backend.listExceptions(buildExceptionQuery({ ...DEFAULT_FILTERS, side: "ledger" }, 0, 500));
    await waitFor(() => expect(count("bank")).toBe(bank.total));
    await waitFor(() => expect(count("ledger")).toBe(ledger.total));
    expect(spy.mock.calls.some(([q]) => q.side === "bank" && q.offset === 0 && q.limit === 500)).toBe(true);
    await waitFor(() => expect(cell("bank", 0)?.textContent).toBe(bank.rows[0]!.item_id));

    fireEvent.click(cell("bank", 0)!);
    await waitFor(() => expect(screen.getByTestId("manual-bank-total").getAttribute("data-count")).toBe("1"));
    await waitFor(() => expect(cell("ledger", 0)?.textContent).toBe(ledger.rows[0]!.item_id));
    fireEvent.click(cell("ledger", 0)!);
    await waitFor(() => expect(screen.getByTestId("manual-ledger-total").getAttribute("data-count")).toBe("1"));
    const diff = BigInt(bank.rows[0]!.amount_minor) - BigInt(ledger.rows[0]!.amount_minor);
    expect(screen.getByTestId("manual-difference").getAttribute("data-minor")).toBe(diff.toString());
    // A second click deselects.
    fireEvent.click(cell("ledger", 0)!);
    await waitFor(() => expect(screen.getByTestId("manual-ledger-total").getAttribute("data-count")).toBe("0"));
    expect(screen.getByTestId("manual-difference").getAttribute("data-minor")).toBe(String(bank.rows[0]!.amount_minor));
  });

  it("the filter goes to the server, and the selection survives it; Clear empties both sides", async () => {
    const ctx = await demoBackend("clara");
    const spy = vi.spyOn(ctx.backend, "listExceptions");
    renderWith(<ManualMatch />, { ...ctx, screen: "manual" });
    const ledger = await ctx.backend.listExceptions(buildExceptionQuery({ ...DEFAULT_FILTERS, side: "ledger" }, 0, 500));
    await waitFor(() => expect(cell("ledger", 1)?.textContent).toBe(ledger.rows[1]!.item_id));
    fireEvent.click(cell("ledger", 1)!);
    const target = ledger.rows[3]!;
    fireEvent.change(screen.getByTestId("manual-ledger-filter"), { target: { value: target.item_id } });
    await waitFor(() => expect(spy.mock.calls[spy.mock.calls.length - 1]![0]).toMatchObject({ side: "ledger", text: target.item_id, offset: 0 }));
    await waitFor(() => expect(count("ledger")).toBeLessThan(ledger.total));
    await waitFor(() => expect(cell("ledger", 0)?.textContent).toBe(target.item_id));
    fireEvent.click(cell("ledger", 0)!);
    await waitFor(() => expect(screen.getByTestId("manual-ledger-total").getAttribute("data-count")).toBe("2"));
    fireEvent.click(screen.getByTestId("manual-clear"));
    await waitFor(() => expect(screen.getByTestId("manual-ledger-total").getAttribute("data-count")).toBe("0"));
  });

  it("Ctrl+A selects every item the filter matches", async () => {
    const ctx = await demoBackend("clara");
    renderWith(<ManualMatch />, { ...ctx, screen: "manual" });
    await waitFor(() => expect(count("ledger")).toBeGreaterThan(1));
    const all = count("ledger");
    const viewport = screen.getByTestId("manual-ledger-grid").querySelector<HTMLElement>(".grid-viewport")!;
    fireEvent.keyDown(viewport, { key: "a", ctrlKey: true });
    await waitFor(() => expect(screen.getByTestId("manual-ledger-total").getAttribute("data-count")).toBe(String(all)));
    expect(screen.getByTestId("manual-bank-total").getAttribute("data-count")).toBe("0");
  });

  it("items handed over from the Exceptions screen start selected", async () => {
    const ctx = await demoBackend("clara");
    function Screens() {
      const { screen: at } = useApp();
      return at === "manual" ? <ManualMatch /> : <Exceptions />;
    }
    renderWith(<Screens />, { ...ctx, screen: "exceptions" });
    const check = (i: number) => screen.getByTestId("exceptions-grid").querySelector<HTMLInputElement>(`.grid-row[row-index="${i}"] .grid-check`);
    await waitFor(() => expect(check(1)?.disabled).toBe(false));
    const picked = [0, 1].map((i) => screen.getByTestId("exceptions-grid").querySelector(`.grid-row[row-index="${i}"]`)!.getAttribute("row-id")!);
    fireEvent.click(check(0)!);
    fireEvent.click(check(1)!);
    await waitFor(() => expect(screen.getByTestId("selection-count").getAttribute("data-count")).toBe("2"));
    fireEvent.click(screen.getByTestId("bulk-manual-match"));
    await waitFor(() => expect(screen.getByTestId("screen-manual")).toBeTruthy());
    const selectedCount = () => ["bank", "ledger"].reduce((n, s) => n + Number(screen.getByTestId(`manual-${s}-total`).getAttribute("data-count")), 0);
    await waitFor(() => expect(selectedCount()).toBe(2));
    // The same rows show selected in their side's grid.
    for (const key of picked) {
      const side = key.split(":")[0]!;
      await waitFor(() => expect(screen.getByTestId(`manual-${side}-grid`).querySelector(`.grid-row[row-id="${key}"]`)?.classList.contains("selected")).toBe(true));
    }
  });
});
