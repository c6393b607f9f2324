import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { Exceptions } from "./Exceptions";
import type { ExceptionPage } from "../bindings/ExceptionPage";
import type { ExceptionQuery } from "../bindings/ExceptionQuery";
import { BLOCK_SIZE, buildExceptionQuery, DEFAULT_FILTERS } from "../logic/exceptions";
import { gridViewportSize } from "../test/layout";
import { demoBackend, renderWith } from "../test/render";

const count = () => screen.getByTestId("exceptions-count");
const settled = async () => waitFor(() => expect(count().getAttribute("data-loading")).toBe("false"));
const total = () => Number(count().getAttribute("data-total"));
/** A row of the grid by display index (the e2e tests find rows the same way). */
const gridRow = (i: number) => screen.getByTestId("exceptions-grid").querySelector<HTMLElement>(`.grid-row[row-index="${i}"]`);
const cell = (i: number, col: string) => screen.getByTestId("exceptions-grid").querySelector<HTMLElement>(`.grid-row[row-index="${i}"] [col-id="${col}"]`);
const marks = () => (window as unknown as { __reconMarks?: Record<string, number> }).__reconMarks ?? {};

gridViewportSize(600);

/** Makes list_exceptions wait until the returned function is called, to see what the grid shows
 * before the refresh that follows a decision. */
function holdList(ctx: Awaited<ReturnType<typeof demoBackend>>) {
  const list = ctx.backend.listExceptions.bind(ctx.backend);
  let release: () => void = () => {};
  const held = new Promise<void>((r) => (release = r));
  const spy = vi.spyOn(ctx.backend, "listExceptions").mockImplementation(async (q: ExceptionQuery): Promise<ExceptionPage> => {
    await held;
    return list(q);
  });
  return () => {
    release();
    spy.mockRestore();
  };
}

describe("Exceptions screen: the grid reads blocks from list_exceptions", () => {
  it("opens with the first block: the true row count, the first rows, badge classes, the opening marks", async () => {
    const ctx = await demoBackend("clara");
    const first = await ctx.backend.listExceptions(buildExceptionQuery(DEFAULT_FILTERS, 0, 2));
    const spy = vi.spyOn(ctx.backend, "listExceptions");
    renderWith(<Exceptions />, { ...ctx, screen: "exceptions" });
    await settled();
    expect(total()).toBe(ctx.workspace.open_exceptions);
    expect(count().textContent).toContain(ctx.workspace.open_exceptions.toLocaleString("en-US"));
    // One block, from the top, in the default sort.
    expect(spy.mock.calls[0]![0]).toEqual({ side: null, reason: null, text: null, sort: "age-desc", offset: 0, limit: BLOCK_SIZE });
    await waitFor(() => expect(cell(0, "item_id")?.textContent).toBe(first.rows[0]!.item_id));
    expect(cell(1, "item_id")?.textContent).toBe(first.rows[1]!.item_id);
    expect(gridRow(0)?.getAttribute("row-id")).toBe(`${first.rows[0]!.side}:${first.rows[0]!.item_id}`);
    // Side and reason are classes on the cell, not rendered components.
    const side = cell(0, "side")!;
    expect(side.classList.contains("cell-badge-side")).toBe(true);
    expect(side.classList.contains(`cell-badge-side-${first.rows[0]!.side}`)).toBe(true);
    expect(side.querySelector("span.side")).toBeNull();
    expect(cell(0, "reason")!.classList.contains(`cell-badge-reason-${first.rows[0]!.reason}`)).toBe(true);
    await waitFor(() => expect(marks()["exceptions-open"]).toBeGreaterThanOrEqual(marks()["exceptions-requested"]!));
    expect(marks()["exceptions-rows"]).toBe(ctx.workspace.open_exceptions);
    expect(marks()["exceptions-first-rows"]).toBeGreaterThanOrEqual(marks()["exceptions-requested"]!);
    // The first row has the focus, and the suggestions panel follows it.
    expect(gridRow(0)!.classList.contains("focused")).toBe(true);
    await waitFor(() => expect(screen.getByTestId("suggestions-panel").textContent).toContain(`Suggestions for ${first.rows[0]!.item_id}`));
  });

  it("rows whose block has not arrived are marked loading until it does", async () => {
    const ctx = await demoBackend("clara");
    const release = holdList(ctx);
    renderWith(<Exceptions />, { ...ctx, screen: "exceptions" });
    await waitFor(() => expect(gridRow(0)?.classList.contains("row-loading")).toBe(true));
    expect(count().getAttribute("data-loading")).toBe("true");
    release();
    await settled();
    await waitFor(() => expect(cell(0, "item_id")?.textContent).not.toBe(""));
    expect(screen.getByTestId("exceptions-grid").querySelectorAll(".row-loading")).toHaveLength(0);
  });

  it("sends side, reason, sort and debounced free text to list_exceptions, each from offset 0", async () => {
    const ctx = await demoBackend("clara");
    const spy = vi.spyOn(ctx.backend, "listExceptions");
    const lastQuery = () => spy.mock.calls[spy.mock.calls.length - 1]![0];
    renderWith(<Exceptions />, { ...ctx, screen: "exceptions" });
    await settled();
    const all = total();
    expect(all).toBe(ctx.workspace.open_exceptions);

    fireEvent.change(screen.getByTestId("exceptions-filter-side"), { target: { value: "ledger" } });
    await waitFor(() => expect(lastQuery()).toMatchObject({ side: "ledger", reason: null, offset: 0 }));
    await settled();
    const ledger = total();
    expect(ledger).toBeGreaterThan(0);
    expect(ledger).toBeLessThan(all);
    await waitFor(() => expect(cell(0, "side")?.textContent).toBe("ledger"));

    fireEvent.change(screen.getByTestId("exceptions-filter-reason"), { target: { value: "ambiguous" } });
    await waitFor(() => expect(lastQuery()).toMatchObject({ side: "ledger", reason: "ambiguous", offset: 0 }));
    await settled();

    fireEvent.change(screen.getByTestId("exceptions-filter-side"), { target: { value: "" } });
    fireEvent.change(screen.getByTestId("exceptions-filter-reason"), { target: { value: "" } });
    fireEvent.change(screen.getByTestId("exceptions-sort"), { target: { value: "amount-desc" } });
    await waitFor(() => expect(lastQuery()).toMatchObject({ side: null, reason: null, sort: "amount-desc", offset: 0 }));
    await settled();
    const byAmount = await ctx.backend.listExceptions({ ...buildExceptionQuery(DEFAULT_FILTERS, 0, 1), sort: "amount-desc" });
    await waitFor(() => expect(cell(0, "item_id")?.textContent).toBe(byAmount.rows[0]!.item_id));

    const calls = spy.mock.calls.length;
    fireEvent.change(screen.getByTestId("exceptions-search"), { target: { value: "  FEE " } });
    // Debounced: nothing is sent at once.
    expect(spy.mock.calls.length).toBe(calls);
    await waitFor(() => expect(lastQuery()).toMatchObject({ text: "FEE", offset: 0 }), { timeout: 10_000 });
    await settled();
    const fees = total();
    expect(fees).toBeGreaterThan(0);
    expect(fees).toBeLessThan(all);

    fireEvent.click(screen.getByTestId("exceptions-clear-filters"));
    await waitFor(() => expect(lastQuery()).toMatchObject({ side: null, reason: null, text: null, sort: "age-desc", offset: 0 }));
    await settled();
    expect(total()).toBe(all);
    expect((screen.getByTestId("exceptions-sort") as HTMLSelectElement).value).toBe("age-desc");
  });

  it("a header click sorts on the server where the server sorts by that column, and nowhere else", async () => {
    const ctx = await demoBackend("clara");
    const spy = vi.spyOn(ctx.backend, "listExceptions");
    const lastQuery = () => spy.mock.calls[spy.mock.calls.length - 1]![0];
    renderWith(<Exceptions />, { ...ctx, screen: "exceptions" });
    await settled();
    const header = (col: string) => screen.getByTestId("exceptions-grid").querySelector<HTMLElement>(`.grid-header-cell[col-id="${col}"]`)!;

    fireEvent.click(header("amount_minor"));
    await waitFor(() => expect(lastQuery()).toMatchObject({ sort: "amount-desc", offset: 0 }));
    await waitFor(() => expect((screen.getByTestId("exceptions-sort") as HTMLSelectElement).value).toBe("amount-desc"));
    fireEvent.click(header("amount_minor"));
    await waitFor(() => expect(lastQuery()).toMatchObject({ sort: "amount-asc", offset: 0 }));
    await settled();

    // Date ascending is the oldest first: the longest open.
    fireEvent.click(header("date"));
    await waitFor(() => expect(lastQuery()).toMatchObject({ sort: "age-desc", offset: 0 }));
    await waitFor(() => expect((screen.getByTestId("exceptions-sort") as HTMLSelectElement).value).toBe("age-desc"));
    await settled();

    const calls = spy.mock.calls.length;
    fireEvent.click(header("description"));
    fireEvent.click(header("reference"));
    await act(async () => new Promise((r) => setTimeout(r, 100)));
    expect(spy.mock.calls.length).toBe(calls);
  });

  it("bulk actions are disabled without a selection", async () => {
    const ctx = await demoBackend("clara");
    renderWith(<Exceptions />, { ...ctx, screen: "exceptions" });
    await settled();
    for (const id of ["bulk-assign-me", "bulk-unassign", "bulk-accept-best", "bulk-reject-suggestions", "bulk-manual-match"]) {
      expect((screen.getByTestId(id) as HTMLButtonElement).disabled).toBe(true);
    }
    expect(screen.getByTestId("selection-count").getAttribute("data-count")).toBe("0");
    await act(async () => {});
  });

  it("selecting rows enables bulk actions; assigning shows at once, then the refresh confirms it", async () => {
    const ctx = await demoBackend("clara");
    renderWith(<Exceptions />, { ...ctx, screen: "exceptions" });
    await settled();
    await waitFor(() => expect(cell(1, "item_id")).not.toBeNull());
    const checkbox = (i: number) => screen.getByTestId("exceptions-grid").querySelector<HTMLInputElement>(`.grid-row[row-index="${i}"] .grid-check`)!;
    // Shift selects a range of loaded rows.
    fireEvent.click(checkbox(0));
    fireEvent.click(checkbox(3), { shiftKey: true });
    await waitFor(() => expect(screen.getByTestId("selection-count").getAttribute("data-count")).toBe("4"));
    fireEvent.click(checkbox(2));
    fireEvent.click(checkbox(3));
    await waitFor(() => expect(screen.getByTestId("selection-count").getAttribute("data-count")).toBe("2"));
    expect((screen.getByTestId("bulk-assign-me") as HTMLButtonElement).disabled).toBe(false);

    const release = holdList(ctx);
    fireEvent.click(screen.getByTestId("bulk-assign-me"));
    await waitFor(() => expect(cell(0, "assignee")?.textContent).toBe("clara"));
    expect(cell(1, "assignee")?.textContent).toBe("clara");
    expect(cell(2, "assignee")?.textContent).not.toBe("clara");
    release();
    await waitFor(() => expect(marks()["exceptions-refreshed"]).toBeGreaterThanOrEqual(marks()["decision-grid-applied"]!));
    await settled();
    expect(cell(0, "assignee")?.textContent).toBe("clara");
    expect(screen.getByTestId("selection-count").getAttribute("data-count")).toBe("2");
  });

  it("accepting a suggestion marks its rows decided at once; the refresh then drops them", async () => {
    const ctx = await demoBackend("clara");
    const spy = vi.spyOn(ctx.backend, "listExceptions");
    renderWith(<Exceptions />, { ...ctx, screen: "exceptions" });
    await settled();
    fireEvent.change(screen.getByTestId("exceptions-filter-reason"), { target: { value: "suggested" } });
    await waitFor(() => expect(spy.mock.calls[spy.mock.calls.length - 1]![0]).toMatchObject({ reason: "suggested", offset: 0 }));
    await settled();
    const before = total();
    expect(before).toBeGreaterThan(0);

    await waitFor(() => expect(cell(0, "item_id")).not.toBeNull());
    const item = cell(0, "item_id")!.textContent!;
    fireEvent.click(cell(0, "item_id")!);
    const accept = await waitFor(() => {
      const b = screen.getByTestId("suggestions-panel").querySelector<HTMLButtonElement>('[data-testid^="suggestion-accept-"]');
      expect(b).not.toBeNull();
      return b!;
    });

    spy.mockRestore();
    const release = holdList(ctx);
    fireEvent.click(accept);
    await waitFor(() => expect(gridRow(0)?.classList.contains("row-decided")).toBe(true));
    expect(cell(0, "item_id")!.textContent).toBe(item);
    expect(cell(0, "suggestions")!.textContent).toBe("0");
    // The refresh is under way, and the rows on screen keep their data meanwhile.
    await waitFor(() => expect(count().getAttribute("data-loading")).toBe("true"));
    expect(screen.getByTestId("exceptions-grid").querySelectorAll(".row-loading")).toHaveLength(0);
    expect(marks()["decision-grid-updated"]).toBeGreaterThanOrEqual(marks()["decision-stored"]!);

    release();
    await settled();
    await waitFor(() => expect(cell(0, "item_id")?.textContent).not.toBe(item));
    expect(gridRow(0)!.classList.contains("row-decided")).toBe(false);
    expect(total()).toBeLessThan(before);
    // The focus went to the row that took the decided row's place, so a/r can go on down the list.
    const next = cell(0, "item_id")!.textContent!;
    await waitFor(() => expect(screen.getByTestId("suggestions-panel").textContent).toContain(`Suggestions for ${next}`));
    await waitFor(() => expect(marks()["exceptions-refreshed"]).toBeGreaterThanOrEqual(marks()["decision-grid-applied"]!));
  });

  it("the suggestions panel offers nothing from the previous row while the focused row's list loads", async () => {
    const ctx = await demoBackend("clara");
    renderWith(<Exceptions />, { ...ctx, screen: "exceptions" });
    await settled();
    fireEvent.change(screen.getByTestId("exceptions-filter-reason"), { target: { value: "suggested" } });
    await waitFor(() => expect(cell(1, "item_id")?.textContent).toBeTruthy());
    await settled();
    const buttons = () => screen.getByTestId("suggestions-panel").querySelectorAll('[data-testid^="suggestion-accept-"]');
    fireEvent.click(cell(0, "item_id")!);
    await waitFor(() => expect(buttons().length).toBeGreaterThan(0));
    const first = [...buttons()].map((b) => b.getAttribute("data-testid"));
    // The focus moves: at once, no button of row 0's list is offered.
    fireEvent.click(cell(1, "item_id")!);
    expect(screen.getByTestId("suggestions-panel").textContent).toContain(`Suggestions for ${cell(1, "item_id")!.textContent}`);
    expect([...buttons()].filter((b) => first.includes(b.getAttribute("data-testid")))).toHaveLength(0);
    // Then row 1's own list arrives.
    await waitFor(() => expect(buttons().length).toBeGreaterThan(0));
  });
});
