import { screen, waitFor } from "@testing-library/react";
import { describe, expect, it, vi } from "vitest";
import { FakeBackend } from "../backend/fake";
import { useApp } from "../state/app";
import { renderWith } from "../test/render";
import { HelpOverlay } from "./HelpOverlay";

function OpenHelp() {
  const { helpOpen, setHelpOpen } = useApp();
  if (!helpOpen) setHelpOpen(true);
  return null;
}

describe("Help overlay", () => {
  it("lists the shortcuts and, under About, the version, schema, folder, sign-in and inbox the backend reports", async () => {
    const backend = new FakeBackend({ stress: false });
    const profile = await backend.signIn("clara");
    const about = vi.spyOn(backend, "about");
    renderWith(
      <>
        <OpenHelp />
        <HelpOverlay />
      </>,
      { backend, profile, workspace: null },
    );
    await screen.findByTestId("help-overlay");
    const version = await screen.findByTestId("about-version");
    expect(about).toHaveBeenCalledTimes(1);
    const reported = await backend.about();
    expect(version.getAttribute("data-version")).toBe(reported.version);
    expect(version.textContent).toBe(`version ${reported.version}`);
    expect(screen.getByTestId("about-schema").textContent).toBe(`v${reported.workspace_schema}`);
    expect(screen.getByTestId("about-identity").textContent).toBe(reported.identity);
    await waitFor(() => expect(screen.getByTestId("about").textContent).toContain(reported.inbox));
  });
});
