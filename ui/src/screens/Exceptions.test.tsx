import { act, fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { Exceptions } from "./Exceptions";
import { demoBackend, renderWith } from "../test/render";

const count = () => screen.getByTestId("exceptions-count");
const settled = async () => waitFor(() => expect(count().getAttribute("data-loading")).toBe("false"));

describe("Exceptions screen: search and filters", () => {
  it("sends side, reason, sort and debounced free text to list_exceptions", async () => {
    const ctx = await demoBackend("clara");
    const spy = vi.spyOn(ctx.backend, "listExceptions");
    const lastQuery = () => spy.mock.calls[spy.mock.calls.length - 1]![0];
    renderWith(<Exceptions />, { ...ctx, screen: "exceptions" });
    await settled();
    const all = Number(count().getAttribute("data-total"));
    expect(all).toBe(ctx.workspace.open_exceptions);
    expect(spy.mock.calls[0]![0]).toMatchObject({ side: null, reason: null, text: null, sort: "age-desc", offset: 0, limit: 1000 });

    fireEvent.change(screen.getByTestId("exceptions-filter-side"), { target: { value: "ledger" } });
    await waitFor(() => expect(lastQuery()).toMatchObject({ side: "ledger", reason: null }));
    await settled();
    const ledger = Number(count().getAttribute("data-total"));
    expect(ledger).toBeGreaterThan(0);
    expect(ledger).toBeLessThan(all);

    fireEvent.change(screen.getByTestId("exceptions-filter-reason"), { target: { value: "ambiguous" } });
    await waitFor(() => expect(lastQuery()).toMatchObject({ side: "ledger", reason: "ambiguous" }));
    await settled();

    fireEvent.change(screen.getByTestId("exceptions-filter-side"), { target: { value: "" } });
    fireEvent.change(screen.getByTestId("exceptions-filter-reason"), { target: { value: "" } });
    fireEvent.change(screen.getByTestId("exceptions-sort"), { target: { value: "amount-desc" } });
    await waitFor(() => expect(lastQuery()).toMatchObject({ side: null, reason: null, sort: "amount-desc" }));

    const calls = spy.mock.calls.length;
    fireEvent.change(screen.getByTestId("exceptions-search"), { target: { value: "  FEE " } });
    // Debounced: nothing is sent at once.
    expect(spy.mock.calls.length).toBe(calls);
    await waitFor(() => expect(lastQuery()).toMatchObject({ text: "FEE" }), { timeout: 10_000 });
    await settled();
    const fees = Number(count().getAttribute("data-total"));
    expect(fees).toBeGreaterThan(0);
    expect(fees).toBeLessThan(all);

    fireEvent.click(screen.getByTestId("exceptions-clear-filters"));
    await waitFor(() => expect(lastQuery()).toMatchObject({ side: null, reason: null, text: null, sort: "age-desc" }));
    await settled();
    expect(Number(count().getAttribute("data-total"))).toBe(all);
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
});
