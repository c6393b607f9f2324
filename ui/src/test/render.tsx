import { render } from "@testing-library/react";
import type { ReactNode } from "react";
import { FakeBackend } from "../backend/fake";
import type { AuthStatus } from "../bindings/AuthStatus";
import type { Profile } from "../bindings/Profile";
import type { WorkspaceSummary } from "../bindings/WorkspaceSummary";
import { ErrorBanner, Toasts } from "../components/Feedback";
import { AppProvider, type Screen } from "../state/app";

/** A fake backend signed in as `user`, demo workspace open, samples imported and matched. */
export async function demoBackend(user = "clara", opts: { match?: boolean } = {}) {
  const b = new FakeBackend({ stress: false });
  const profile = await b.signIn(user);
  await b.openWorkspace("demo");
  await b.importDemoSamples();
  const d = opts.match === false ? await b.dashboard() : await b.runMatching();
  return { backend: b, profile, workspace: d.workspace };
}

export function renderWith(ui: ReactNode, ctx: { backend: FakeBackend; profile: Profile; workspace: WorkspaceSummary | null; screen?: Screen; auth?: AuthStatus }) {
  return render(
    <AppProvider backend={ctx.backend} initialProfile={ctx.profile} initialAuth={ctx.auth ?? null} initialWorkspace={ctx.workspace} initialScreen={ctx.screen ?? "workspaces"}>
      <ErrorBanner />
      {ui}
      <Toasts />
    </AppProvider>,
  );
}
