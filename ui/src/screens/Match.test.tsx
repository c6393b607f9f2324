import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { FakeBackend } from "../backend/fake";
import { renderWith } from "../test/render";
import { Match } from "./Match";

// ECharts draws on a canvas jsdom does not have; the charts are not what these tests look at.
vi.mock("../components/Chart", () => ({ Chart: (props: { testid: string }) => <div data-testid={props.testid} /> }));

afterEach(() => {
  vi.restoreAllMocks();
});

describe("Match screen", () => {
  it("says which limits the last run reached", async () => {
    const backend = new FakeBackend({ stress: false });
    const profile = await backend.signIn("clara");
    const workspace = await backend.openWorkspace("demo");
    const real = backend.dashboard.bind(backend);
    const limits = ["amount_date_review: 2 suggestions were not offered: their items already had suggestions_max"];
    vi.spyOn(backend, "dashboard").mockImplementation(async () => ({ ...(await real()), limits }));
    renderWith(<Match />, { backend, profile, workspace, screen: "match" });
    const box = await screen.findByTestId("match-limits");
    expect(box.getAttribute("data-count")).toBe("1");
    expect(screen.getAllByTestId("match-limit").map((l) => l.textContent)).toEqual(limits);

    vi.restoreAllMocks();
  });

  it("shows no limits box after a run that reached none", async () => {
    const backend = new FakeBackend({ stress: false });
    const profile = await backend.signIn("clara");
    const workspace = await backend.openWorkspace("demo");
    renderWith(<Match />, { backend, profile, workspace, screen: "match" });
    await waitFor(() => expect(screen.queryByTestId("kpi-match-rate")).not.toBeNull());
    expect(screen.queryByTestId("match-limits")).toBeNull();
  });
});
