import { mark } from "../logic/perfMarks";
import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import type { Backend, Side } from "../backend/Backend";
import { BackendError, toBackendError } from "../backend/errors";
import type { AuthStatus } from "../bindings/AuthStatus";
import type { ExceptionRow } from "../bindings/ExceptionRow";
import type { ImportResult } from "../bindings/ImportResult";
import type { Profile } from "../bindings/Profile";
import type { WorkspaceSummary } from "../bindings/WorkspaceSummary";

export type Screen = "signin" | "workspaces" | "import" | "match" | "exceptions" | "manual" | "signoff" | "history";

export const SCREENS: { id: Exclude<Screen, "signin">; label: string; key: string; needsWorkspace: boolean }[] = [
  { id: "workspaces", label: "Workspaces", key: "w", needsWorkspace: false },
  { id: "import", label: "Import", key: "i", needsWorkspace: true },
  { id: "match", label: "Match", key: "m", needsWorkspace: true },
  { id: "exceptions", label: "Exceptions", key: "e", needsWorkspace: true },
  { id: "manual", label: "Manual match", key: "x", needsWorkspace: true },
  { id: "signoff", label: "Sign-off", key: "s", needsWorkspace: true },
  { id: "history", label: "History", key: "h", needsWorkspace: true },
];

export interface Toast {
  id: number;
  text: string;
}

export interface ItemRef {
  side: Side;
  itemId: string;
}

/** The acting person as a Profile: the verified person (user = the verified subject, role =
 * supervisor when they hold it), else the picked demo profile. */
export function profileFromAuth(a: AuthStatus | null): Profile | null {
  if (a?.verified) {
    const v = a.verified;
    return { user: v.subject, display_name: v.display_name, role: v.roles.includes("supervisor") ? "supervisor" : "clerk" };
  }
  return a?.demo_profile ?? null;
}

export interface AppState {
  backend: Backend;
  /** Who acts: the verified person or the demo profile (see `auth` for which). */
  profile: Profile | null;
  /** The backend's sign-in status: provider, verified person, demo profile, session end. */
  auth: AuthStatus | null;
  workspace: WorkspaceSummary | null;
  screen: Screen;
  /** Bumped after every change the backend made: screens reload their data on it. */
  version: number;
  error: BackendError | null;
  toasts: Toast[];
  detail: ItemRef | null;
  helpOpen: boolean;
  lastImport: ImportResult | null;
  /** Items handed from the Exceptions screen to Manual match, to start selected there. */
  manualPreselect: ExceptionRow[];
  /** Files the statement inbox lists as new for the open workspace (null: not known, or no inbox
   * configured). Set by the detection run on opening a workspace and by the Inbox panel. */
  inboxNew: number | null;
  /** Approvals of the open workspace waiting to be published (null: not known). Set on opening a
   * workspace, by the background publisher's "publish-status" events and by the Publishing panel. */
  publishWaiting: number | null;

  go(screen: Screen): void;
  /** Signed in: a demo profile (auth null), or the verified person of `auth`. */
  signedIn(p: Profile, auth?: AuthStatus): void;
  /** A fresh status from the backend (polls, re-authentication): the acting person follows it
   * when it names one; the workspace stays open. */
  setAuth(a: AuthStatus): void;
  /** Signs out at the backend (verified: the refresh token is revoked), then shows sign-in. */
  signOut(): Promise<void>;
  setWorkspace(w: WorkspaceSummary | null): void;
  bump(): void;
  showError(e: unknown): BackendError;
  clearError(): void;
  toast(text: string): void;
  openDetail(ref: ItemRef | null): void;
  setHelpOpen(open: boolean): void;
  setLastImport(r: ImportResult | null): void;
  setManualPreselect(items: ExceptionRow[]): void;
  setInboxNew(n: number | null): void;
  setPublishWaiting(n: number | null): void;
  /** Runs a backend call: errors go to the banner (and give undefined), `ok` becomes a toast,
   * `change` bumps the version so screens reload. */
  run<T>(fn: (b: Backend) => Promise<T>, opts?: { ok?: string | ((v: T) => string); change?: boolean }): Promise<T | undefined>;
}

const Ctx = createContext<AppState | null>(null);

export function useApp(): AppState {
  const s = useContext(Ctx);
  if (!s) throw new Error("useApp outside <AppProvider>");
  return s;
}

export function AppProvider(props: {
  backend: Backend;
  children: ReactNode;
  initialProfile?: Profile | null;
  initialAuth?: AuthStatus | null;
  initialWorkspace?: WorkspaceSummary | null;
  initialScreen?: Screen;
}) {
  const { backend } = props;
  const [profile, setProfile] = useState<Profile | null>(props.initialProfile ?? profileFromAuth(props.initialAuth ?? null));
  const [auth, setAuthState] = useState<AuthStatus | null>(props.initialAuth ?? null);
  const [workspace, setWorkspace] = useState<WorkspaceSummary | null>(props.initialWorkspace ?? null);
  const [screen, setScreen] = useState<Screen>(props.initialScreen ?? (props.initialProfile || props.initialAuth?.verified || props.initialAuth?.demo_profile ? "workspaces" : "signin"));
  const [version, setVersion] = useState(0);
  const [error, setError] = useState<BackendError | null>(null);
  const [toasts, setToasts] = useState<Toast[]>([]);
  const [detail, setDetail] = useState<ItemRef | null>(null);
  const [helpOpen, setHelpOpen] = useState(false);
  const [lastImport, setLastImport] = useState<ImportResult | null>(null);
  const [manualPreselect, setManualPreselect] = useState<ExceptionRow[]>([]);
  const [inboxNew, setInboxNew] = useState<number | null>(null);
  const [publishWaiting, setPublishWaiting] = useState<number | null>(null);
  const toastId = useRef(0);

  const toast = useCallback((text: string) => {
    const id = ++toastId.current;
    setToasts((t) => [...t.slice(-3), { id, text }]);
    setTimeout(() => setToasts((t) => t.filter((x) => x.id !== id)), 4000);
  }, []);

  const showError = useCallback((e: unknown) => {
    const be = toBackendError(e);
    setError(be);
    return be;
  }, []);

  const go = useCallback((s: Screen) => {
    setError(null);
    setScreen(s);
  }, []);

  const bump = useCallback(() => setVersion((v) => v + 1), []);

  const leave = useCallback(() => {
    setProfile(null);
    setWorkspace(null);
    setDetail(null);
    setLastImport(null);
    setError(null);
    setScreen("signin");
  }, []);

  const setAuth = useCallback((a: AuthStatus) => {
    setAuthState(a);
    const p = profileFromAuth(a);
    if (p) setProfile(p);
  }, []);

  const signOut = useCallback(async () => {
    try {
      const r = await backend.signOut();
      if (r.revoked) toast("Signed out: the sign-in was revoked at the identity provider");
      else if (r.note) toast(`Signed out (${r.note})`);
    } catch (e) {
      // Signed out locally whatever the provider said; the backend forgot the tokens.
      toast(`Signed out (${toBackendError(e).code})`);
    }
    setAuthState((a) => (a ? { ...a, verified: null, demo_profile: null, session_ends_at: null } : a));
    leave();
  }, [backend, toast, leave]);

  const run = useCallback(
    async <T,>(fn: (b: Backend) => Promise<T>, opts: { ok?: string | ((v: T) => string); change?: boolean } = {}) => {
      try {
        if (opts.change) mark("decision-start");
        const v = await fn(backend);
        if (opts.change) mark("decision-stored");
        if (opts.ok) toast(typeof opts.ok === "string" ? opts.ok : opts.ok(v));
        if (opts.change) setVersion((x) => x + 1);
        return v;
      } catch (e) {
        showError(e);
        return undefined;
      }
    },
    [backend, toast, showError],
  );

  const value = useMemo<AppState>(
    () => ({
      backend,
      profile,
      workspace,
      screen,
      version,
      error,
      toasts,
      detail,
      helpOpen,
      lastImport,
      manualPreselect,
      inboxNew,
      publishWaiting,
      go,
      auth,
      setAuth,
      signedIn: (p, a) => {
        setProfile(p);
        setAuthState((prev) => a ?? (prev ? { ...prev, verified: null, demo_profile: p, session_ends_at: null } : null));
        setWorkspace(null);
        setDetail(null);
        setLastImport(null);
        setError(null);
        setScreen("workspaces");
      },
      signOut,
      setWorkspace,
      bump,
      showError,
      clearError: () => setError(null),
      toast,
      openDetail: setDetail,
      setHelpOpen,
      setLastImport,
      setManualPreselect,
      setInboxNew,
      setPublishWaiting,
      run,
    }),
    [backend, profile, auth, workspace, screen, version, error, toasts, detail, helpOpen, lastImport, manualPreselect, inboxNew, publishWaiting, go, bump, showError, toast, run, setAuth, signOut],
  );
  return <Ctx.Provider value={value}>{props.children}</Ctx.Provider>;
}

/** Loads data with the backend; reloads when `deps` or the app's version change. Errors go
 * to the banner. */
export function useLoad<T>(fn: (b: Backend) => Promise<T>, deps: unknown[]): { data: T | undefined; loading: boolean; reload: () => void } {
  const { backend, version, showError } = useApp();
  const [data, setData] = useState<T | undefined>(undefined);
  const [loading, setLoading] = useState(true);
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    let live = true;
    setLoading(true);
    fn(backend).then(
      (v) => {
        if (live) {
          setData(v);
          setLoading(false);
        }
      },
      (e) => {
        if (live) {
          setLoading(false);
          showError(e);
        }
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [backend, version, nonce, ...deps]);
  return { data, loading, reload: () => setNonce((n) => n + 1) };
}
