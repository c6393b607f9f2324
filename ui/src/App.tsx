import { useEffect, useRef } from "react";
import type { Backend } from "./backend/Backend";
import { ErrorBanner, Toasts, Badge, STATE_LABEL } from "./components/Feedback";
import { HelpOverlay } from "./components/HelpOverlay";
import { ItemDetailPanel } from "./components/ItemDetailPanel";
import { SessionBanner } from "./components/SessionBanner";
import { useColorScheme, useOnline } from "./hooks/env";
import { isTyping, shortcutFor } from "./logic/shortcuts";
import { AppProvider, SCREENS, useApp, type Screen } from "./state/app";
import { Exceptions } from "./screens/Exceptions";
import { History } from "./screens/History";
import { Import } from "./screens/Import";
import { ManualMatch } from "./screens/ManualMatch";
import { Match } from "./screens/Match";
import { SignIn } from "./screens/SignIn";
import { SignOff } from "./screens/SignOff";
import { Workspaces } from "./screens/Workspaces";

export function App(props: { backend: Backend }) {
  return (
    <AppProvider backend={props.backend}>
      <Shell />
    </AppProvider>
  );
}

/**
 * New-file detection on opening a workspace: the inbox as last seen at once (offline), then a
 * listing (`inbox_refresh`), whatever screen the workspace opens on. The count of new files shows
 * on the Import screen's navigation button; the Inbox panel keeps it current from then on. A
 * listing that fails leaves the last-seen count (the panel says why).
 */
export function useInboxDetection() {
  const { backend, workspace, setInboxNew } = useApp();
  const workspaceId = workspace?.id ?? null;
  useEffect(() => {
    setInboxNew(null);
    if (workspaceId === null) return;
    let live = true;
    void (async () => {
      try {
        const seen = await backend.inboxView();
        if (!live || !seen.configured) return;
        setInboxNew(seen.new_files);
        const listed = await backend.inboxRefresh();
        if (live) setInboxNew(listed.new_files);
      } catch {
        // Offline or not signed in for the store: the Inbox panel shows the reason.
      }
    })();
    return () => {
      live = false;
    };
  }, [backend, workspaceId, setInboxNew]);
}

/**
 * The outbox on opening a workspace: the count of approvals waiting to be published shows on the
 * Sign-off screen's navigation button, whatever screen the workspace opens on. The background
 * publisher's "publish-status" events and the Publishing panel keep it current from then on.
 */
export function usePublishDetection() {
  const { backend, workspace, setPublishWaiting } = useApp();
  const workspaceId = workspace?.id ?? null;
  useEffect(() => {
    setPublishWaiting(null);
    if (workspaceId === null) return;
    let live = true;
    backend.publishStatus().then(
      (s) => {
        if (live) setPublishWaiting(s.waiting);
      },
      () => {
        // Shown on the Sign-off screen's Publishing panel.
      },
    );
    const off = backend.onPublishStatus((s) => {
      if (live) setPublishWaiting(s.waiting);
    });
    return () => {
      live = false;
      off();
    };
  }, [backend, workspaceId, setPublishWaiting]);
}

function useGlobalShortcuts() {
  const app = useApp();
  const appRef = useRef(app);
  appRef.current = app;
  useEffect(() => {
    let gUntil = 0;
    const onKey = (e: KeyboardEvent) => {
      const a = appRef.current;
      if (!a.profile) return;
      const action = shortcutFor(e, isTyping(e.target), Date.now() < gUntil);
      gUntil = 0;
      if (!action) return;
      switch (action.type) {
        case "g-pending":
          gUntil = Date.now() + 1200;
          return;
        case "help":
          e.preventDefault();
          a.setHelpOpen(!a.helpOpen);
          return;
        case "escape":
          if (a.helpOpen) a.setHelpOpen(false);
          else if (a.detail) a.openDetail(null);
          return;
        case "undo":
          e.preventDefault();
          if (!a.workspace) return;
          void a.run((b) => b.undoLast(), { ok: (r) => `Undone: your last decision (recorded as decision ${r.decision})`, change: true });
          return;
        case "go": {
          e.preventDefault();
          const def = SCREENS.find((s) => s.id === action.screen);
          if (def?.needsWorkspace && !a.workspace) return;
          a.go(action.screen);
          return;
        }
      }
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, []);
}

function Shell() {
  const app = useApp();
  const { backend, auth, profile, workspace, screen } = app;
  const online = useOnline();
  const scheme = useColorScheme();
  useGlobalShortcuts();
  useInboxDetection();
  usePublishDetection();
  useEffect(() => {
    document.documentElement.dataset.theme = scheme;
  }, [scheme]);

  // Keep the top bar's sign-off state current after changes (any change withdraws a sign-off).
  const { version, setWorkspace } = app;
  useEffect(() => {
    if (!workspace || version === 0) return;
    let live = true;
    backend.signOffStatus().then(
      (s) => {
        if (live && s.state !== workspace.state) setWorkspace({ ...workspace, state: s.state });
      },
      () => {
        /* shown where it matters */
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [version]);

  // Resuming a session the backend still has (a webview reload, a refresh token in the
  // keyring) is the sign-in screen's first call (auth_status).
  const verified = auth?.verified ?? null;
  const demo = !verified || (workspace?.demo ?? false);

  if (!profile) {
    return (
      <div className="app-signin">
        <SignIn />
        <Toasts />
      </div>
    );
  }

  return (
    <div className="app">
      <header className="topbar" data-testid="topbar">
        <div className="brand">
          <span className="brand-mark">⇄</span> Recon Workbench
        </div>
        <div className="topbar-ws" data-testid="topbar-workspace" data-workspace-id={workspace?.id ?? ""}>
          {workspace ? (
            <>
              <span className="strong">{workspace.name}</span>
              <span className="muted mono wide-only">{workspace.account}</span>
              <span className="muted wide-only">
                {workspace.period_start ?? "…"} – {workspace.period_end ?? "…"}
              </span>
              <Badge kind={`state-${workspace.state}`}>{STATE_LABEL[workspace.state] ?? workspace.state}</Badge>
            </>
          ) : (
            <span className="muted">No workspace open</span>
          )}
        </div>
        <span className="spacer" />
        <span className={`online ${online ? "on" : "off"}`} data-testid="online-indicator" data-online={online ? "true" : "false"} title={online ? "Network available" : "Offline: local work continues"}>
          <span className="dot" /> {online ? "Online" : "Offline"}
        </span>
        {demo && (
          <Badge
            kind="demo"
            testid="demo-badge"
            title={verified ? "A demo workspace: its users are self-asserted, not verified" : "Demo mode: a picked profile, not a verified identity (demo workspace only)"}
          >
            DEMO
          </Badge>
        )}
        <span
          className="whoami"
          data-testid="whoami"
          data-verified={verified ? "true" : "false"}
          data-roles={verified ? verified.roles.join(",") : profile.role}
          title={verified ? `${verified.subject}${verified.email ? ` <${verified.email}>` : ""}\nverified ${verified.verified_at}` : "Demo profile (self-asserted)"}
        >
          <span className="user" data-testid="topbar-user" data-user={profile.user}>
            {profile.display_name}
          </span>
          <Badge kind={profile.role === "supervisor" ? "accent" : "neutral"} testid="topbar-role">
            {verified ? verified.roles.join(" · ") : profile.role}
          </Badge>
        </span>
        <button className="btn ghost small" onClick={() => app.setHelpOpen(true)} data-testid="help-button" title="Keyboard shortcuts (?)">
          ?
        </button>
        <button className="btn ghost small" onClick={() => void app.signOut()} data-testid="sign-out">
          Sign out
        </button>
      </header>

      <nav className="sidenav" aria-label="Screens">
        {SCREENS.map((s, i) => {
          const disabled = s.needsWorkspace && !workspace;
          return (
            <button
              key={s.id}
              className={`navlink ${screen === s.id ? "active" : ""}`}
              disabled={disabled}
              aria-current={screen === s.id ? "page" : undefined}
              onClick={() => app.go(s.id)}
              data-testid={`nav-${s.id}`}
              title={disabled ? "Open a workspace first" : `Alt+${i + 1} · g ${s.key}`}
            >
              <span className="navlabel">{s.label}</span>
              {s.id === "import" && workspace && app.inboxNew !== null && app.inboxNew > 0 && (
                <span className="navbadge" data-testid="nav-import-inbox-new" data-count={app.inboxNew} title={`${app.inboxNew} new file${app.inboxNew === 1 ? "" : "s"} in the statement inbox`}>
                  {app.inboxNew} new
                </span>
              )}
              {s.id === "signoff" && workspace && app.publishWaiting !== null && app.publishWaiting > 0 && (
                <span
                  className="navbadge"
                  data-testid="nav-signoff-waiting"
                  data-count={app.publishWaiting}
                  title={`${app.publishWaiting} approval${app.publishWaiting === 1 ? "" : "s"} waiting to be published`}
                >
                  {app.publishWaiting} waiting
                </span>
              )}
              <kbd className="navkey">{i + 1}</kbd>
            </button>
          );
        })}
        <span className="spacer" />
        <div className="nav-foot muted small">
          <div>
            <kbd>?</kbd> shortcuts · <kbd>Ctrl</kbd>+<kbd>Z</kbd> undo
          </div>
          <div data-testid="backend-kind">backend: {backend.kind}</div>
        </div>
      </nav>

      <main className="main">
        <SessionBanner />
        <ErrorBanner />
        <ScreenView screen={screen} />
      </main>
      <ItemDetailPanel />
      <HelpOverlay />
      <Toasts />
    </div>
  );
}

function ScreenView({ screen }: { screen: Screen }) {
  const { workspace } = useApp();
  if (screen !== "workspaces" && screen !== "signin" && !workspace) return <Workspaces />;
  switch (screen) {
    case "workspaces":
    case "signin":
      return <Workspaces />;
    case "import":
      return <Import />;
    case "match":
      return <Match />;
    case "exceptions":
      return <Exceptions />;
    case "manual":
      return <ManualMatch />;
    case "signoff":
      return <SignOff />;
    case "history":
      return <History />;
  }
}

