import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { MatchBar } from "./MatchBar";
import { SignOff } from "../screens/SignOff";
import { demoBackend, renderWith } from "../test/render";
import { render } from "@testing-library/react";

const enabled = (el: HTMLElement) => !(el as HTMLButtonElement).disabled;
const p = (item_id: string, amount_minor: number) => ({ item_id, amount_minor });

describe("MatchBar (manual match)", () => {
  it("enables Confirm only when the difference is zero", () => {
    const onSubmit = vi.fn();
    const { rerender } = render(<MatchBar selection={{ bank: [], ledger: [] }} exponent={2} currency="EUR" onSubmit={onSubmit} />);
    expect(enabled(screen.getByTestId("manual-confirm"))).toBe(false);
    expect(screen.getByTestId("manual-difference").textContent).toBe("0.00");

    rerender(<MatchBar selection={{ bank: [p("B1", 125000)], ledger: [p("L1", 100000), p("L2", 25000)] }} exponent={2} currency="EUR" onSubmit={onSubmit} />);
    expect(screen.getByTestId("manual-difference").textContent).toBe("0.00");
    expect(screen.getByTestId("manual-bank-total").textContent).toBe("1,250.00");
    const confirm = screen.getByTestId("manual-confirm");
    expect(enabled(confirm)).toBe(true);
    expect(screen.queryByTestId("manual-book-adjustment")).toBeNull();
    fireEvent.click(confirm);
    expect(onSubmit).toHaveBeenCalledWith(null);
  });

  it("with a difference: Confirm disabled, adjustment needs reason and note", () => {
    const onSubmit = vi.fn();
    render(<MatchBar selection={{ bank: [p("B1", 124500)], ledger: [p("L1", 125000)] }} exponent={2} currency="EUR" onSubmit={onSubmit} />);
    expect(screen.getByTestId("manual-difference").textContent).toBe("-5.00");
    expect(screen.getByTestId("manual-difference").getAttribute("data-minor")).toBe("-500");
    expect(enabled(screen.getByTestId("manual-confirm"))).toBe(false);
    const book = screen.getByTestId("manual-book-adjustment");
    expect(enabled(book)).toBe(false);
    fireEvent.change(screen.getByTestId("manual-adjust-reason"), { target: { value: "bank_charge" } });
    expect(enabled(book)).toBe(false);
    fireEvent.change(screen.getByTestId("manual-adjust-note"), { target: { value: "   " } });
    expect(enabled(book)).toBe(false);
    fireEvent.change(screen.getByTestId("manual-adjust-note"), { target: { value: "SWIFT fee per advice" } });
    expect(enabled(book)).toBe(true);
    fireEvent.click(book);
    expect(onSubmit).toHaveBeenCalledWith({ reason: "bank_charge", note: "SWIFT fee per advice" });
  });

  it("formats exponent 0 and positive differences with a plus", () => {
    render(<MatchBar selection={{ bank: [p("B1", 1500)], ledger: [] }} exponent={0} currency="JPY" onSubmit={() => {}} />);
    expect(screen.getByTestId("manual-difference").textContent).toBe("+1,500");
  });
});

describe("SignOff screen", () => {
  it("clerk: Prepare is primary; after preparing, Approve is refused with not_allowed", async () => {
    const ctx = await demoBackend("clara");
    renderWith(<SignOff />, ctx);
    const prepare = await screen.findByTestId("signoff-prepare");
    expect(screen.getByTestId("signoff-state").getAttribute("data-state")).toBe("in_review");
    expect(enabled(prepare)).toBe(true);
    expect(prepare.getAttribute("data-primary")).toBe("true");
    expect(enabled(screen.getByTestId("signoff-approve"))).toBe(false);
    expect(enabled(screen.getByTestId("signoff-reject"))).toBe(false);
    expect(screen.getByTestId("signoff-unexplained").textContent).toBe("0.00");

    fireEvent.click(prepare);
    await waitFor(() => expect(screen.getByTestId("signoff-state").getAttribute("data-state")).toBe("prepared"));
    expect(screen.getByTestId("signoff-preparer").textContent).toBe("clara");
    expect(screen.getByTestId("signoff-hash").textContent).toMatch(/^[0-9a-f]{64}$/);
    const approve = screen.getByTestId("signoff-approve");
    expect(enabled(approve)).toBe(true);
    expect(approve.getAttribute("data-primary")).toBe("false");
    expect(enabled(screen.getByTestId("signoff-prepare"))).toBe(false);

    fireEvent.click(approve);
    const banner = await screen.findByTestId("error-banner");
    expect(banner.getAttribute("data-code")).toBe("not_allowed");
    expect(screen.getByTestId("error-code").textContent).toBe("not_allowed");
    expect(screen.getByTestId("signoff-state").getAttribute("data-state")).toBe("prepared");
  });

  it("supervisor: Approve is primary on a prepared reconciliation and approves", async () => {
    const ctx = await demoBackend("clara");
    await ctx.backend.prepareSignOff();
    const sam = await ctx.backend.signIn("sam");
    renderWith(<SignOff />, { ...ctx, profile: sam });
    const approve = await screen.findByTestId("signoff-approve");
    expect(enabled(approve)).toBe(true);
    expect(approve.getAttribute("data-primary")).toBe("true");
    expect(screen.getByTestId("signoff-prepare").getAttribute("data-primary")).toBe("false");
    fireEvent.click(approve);
    await waitFor(() => expect(screen.getByTestId("signoff-state").getAttribute("data-state")).toBe("approved"));
    expect(screen.getByTestId("signoff-approver").textContent).toBe("sam");
    expect(enabled(screen.getByTestId("signoff-approve"))).toBe(false);
    expect(screen.queryByTestId("error-banner")).toBeNull();
  });

  it("supervisor rejects with a reason; export shows the written path", async () => {
    const ctx = await demoBackend("clara");
    await ctx.backend.prepareSignOff();
    const sam = await ctx.backend.signIn("sam");
    renderWith(<SignOff />, { ...ctx, profile: sam });
    fireEvent.click(await screen.findByTestId("signoff-reject"));
    const confirm = screen.getByTestId("signoff-reject-confirm");
    expect(enabled(confirm)).toBe(false);
    fireEvent.change(screen.getByTestId("signoff-reject-reason"), { target: { value: "attach the fee advice" } });
    fireEvent.click(confirm);
    await waitFor(() => expect(screen.getByTestId("signoff-state").getAttribute("data-state")).toBe("in_review"));
    expect(screen.getByTestId("signoff-rejection").textContent).toBe("attach the fee advice");
    fireEvent.click(screen.getByTestId("export-pdf"));
    expect((await screen.findByTestId("export-path")).textContent).toMatch(/^\/.*\.pdf$/);
  });
});
