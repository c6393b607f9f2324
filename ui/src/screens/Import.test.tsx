import { fireEvent, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeBackend } from "../backend/fake";
import type { ImportSettings } from "../bindings/ImportSettings";
import { renderWith } from "../test/render";
import { Import } from "./Import";

async function open() {
  const backend = new FakeBackend({ stress: false, latencyMs: 0 });
  const profile = await backend.signIn("clara");
  const workspace = await backend.openWorkspace("demo");
  return { backend, profile, workspace };
}

const setting = () => screen.getByTestId("import-strict");
const toggle = () => screen.getByTestId("import-strict-toggle") as HTMLInputElement;

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Import screen: strict reading", () => {
  it("shows the workspace's setting as loaded", async () => {
    const ctx = await open();
    await ctx.backend.setStrictImport(true);
    renderWith(<Import />, { ...ctx, screen: "import" });
    await screen.findByTestId("import-strict");
    expect(setting().getAttribute("data-strict")).toBe("true");
    expect(toggle().checked).toBe(true);
    expect(setting().textContent).toContain("Refuse files that deviate from their format (strict reading)");
  });

  it("toggling turns it on through the backend, disabled while the call runs, and off again", async () => {
    const ctx = await open();
    renderWith(<Import />, { ...ctx, screen: "import" });
    await screen.findByTestId("import-strict");
    expect(setting().getAttribute("data-strict")).toBe("false");
    expect(toggle().checked).toBe(false);

    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    const real = ctx.backend.setStrictImport.bind(ctx.backend);
    const set = vi.spyOn(ctx.backend, "setStrictImport").mockImplementation(async (strict: boolean): Promise<ImportSettings> => {
      await gate;
      return real(strict);
    });
    fireEvent.click(toggle());
    await waitFor(() => expect(toggle().disabled).toBe(true));
    expect(set).toHaveBeenCalledWith(true);
    release();
    await waitFor(() => expect(setting().getAttribute("data-strict")).toBe("true"));
    expect(toggle().checked).toBe(true);
    expect(toggle().disabled).toBe(false);
    expect(await screen.findByText("Strict reading on")).toBeTruthy();
    expect((await ctx.backend.importSettings()).strict_import).toBe(true);

    fireEvent.click(toggle());
    await waitFor(() => expect(setting().getAttribute("data-strict")).toBe("false"));
    expect(set).toHaveBeenLastCalledWith(false);
    expect(await screen.findByText("Strict reading off")).toBeTruthy();
    expect((await ctx.backend.importSettings()).strict_import).toBe(false);
  });
});
