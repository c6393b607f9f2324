import { useEffect, useState } from "react";
import type { Profile } from "../bindings/Profile";
import { useApp, profileFromAuth } from "../state/app";
import { Badge } from "../components/Feedback";
import { ErrorBanner } from "../components/Feedback";
import { markAfterPaint } from "../logic/perfMarks";
import { toBackendError, type BackendError } from "../backend/errors";
import { signInErrorText } from "../logic/auth";

/**
 * Sign-in: "Sign in with Okta" (the system browser) when an identity provider is configured,
 * the configuration error when there is one, and below, the demo mode's picked profiles
 * (self-asserted identities, demo workspaces only).
 */
export function SignIn() {
  const { backend, auth, setAuth, signedIn, showError, run } = useApp();
  const [profiles, setProfiles] = useState<Profile[] | null>(null);
  const [chosen, setChosen] = useState<string>("");
  const [busy, setBusy] = useState(false);
  const [waiting, setWaiting] = useState(false);
  const [oktaError, setOktaError] = useState<BackendError | null>(null);

  useEffect(() => {
    backend.listProfiles().then(
      (ps) => {
        setProfiles(ps);
        markAfterPaint("app-interactive");
        if (ps.length) setChosen((c) => c || ps[0]!.user);
      },
      (e) => showError(e),
    );
  }, [backend, showError]);

  // The sign-in status: is a provider configured; resumes a session the backend still has (a
  // webview reload, or a refresh token in the keyring).
  useEffect(() => {
    let live = true;
    backend.authStatus().then(
      (a) => {
        if (!live) return;
        const p = profileFromAuth(a);
        if (p) signedIn(p, a);
        else setAuth(a);
      },
      (e) => {
        if (live) showError(e);
      },
    );
    return () => {
      live = false;
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [backend]);

  const submit = async (user = chosen) => {
    if (!user || busy) return;
    setBusy(true);
    const p = await run((b) => b.signIn(user));
    setBusy(false);
    if (p) signedIn(p);
  };

  const okta = async () => {
    if (waiting) return;
    setWaiting(true);
    setOktaError(null);
    try {
      const a = await backend.signInOkta(false);
      const p = profileFromAuth(a);
      setWaiting(false);
      if (p) signedIn(p, a);
      else setAuth(a);
    } catch (e) {
      setWaiting(false);
      setOktaError(toBackendError(e));
    }
  };

  const configured = auth?.provider_configured ?? false;

  return (
    <div className="signin" data-testid="screen-signin">
      <div className="signin-card">
        <div className="brand big">
          <span className="brand-mark">⇄</span> Recon Workbench
        </div>
        <p className="muted">Bank reconciliation</p>

        <section className="signin-okta" data-testid="signin-okta" data-configured={auth ? String(configured) : "unknown"}>
          {auth === null && <div className="muted small">Checking sign-in…</div>}
          {configured && (
            <>
              <button type="button" className="btn primary wide" onClick={() => void okta()} disabled={waiting} data-testid="okta-sign-in">
                {waiting ? "Waiting for the browser…" : "Sign in with Okta"}
              </button>
              {waiting ? (
                <p className="muted small" data-testid="okta-waiting">
                  Waiting for the browser… Finish signing in on the page your browser opened; the workbench continues on its own.
                </p>
              ) : (
                <p className="muted small" data-testid="okta-provider">
                  Opens your browser. {auth?.provider}
                </p>
              )}
            </>
          )}
          {oktaError && (
            <div className="signin-error" role="alert" data-testid="okta-error" data-code={oktaError.code}>
              <div className="strong">{signInErrorText(oktaError.code)}</div>
              <div className="small muted" data-testid="okta-error-detail">
                <span className="mono">{oktaError.code}</span>: {oktaError.message}
              </div>
            </div>
          )}
          {auth?.config_error && (
            <div className="signin-error" role="alert" data-testid="okta-config-error">
              <div className="strong">Sign-in with Okta is not available: the configuration is wrong.</div>
              <div className="small muted">{auth.config_error}</div>
            </div>
          )}
          {auth && !configured && !auth.config_error && (
            <p className="muted small" data-testid="okta-not-configured">
              Sign-in with Okta is not set up on this machine (IT configures the identity provider). Demo mode below.
            </p>
          )}
        </section>

        <form
          className="signin-demo"
          data-testid="signin-demo"
          onSubmit={(e) => {
            e.preventDefault();
            void submit();
          }}
        >
          <div className="signin-demo-head">
            <span className="strong">Demo mode</span> <Badge kind="demo">DEMO</Badge>
          </div>
          <p className="muted small">Picked profiles: identities are not verified. They open the demo workspace only.</p>
          <ErrorBanner />
          <div className="profiles" role="radiogroup" aria-label="Demo profiles">
            {profiles === null && <div className="muted">Loading profiles…</div>}
            {profiles?.map((p) => (
              <label key={p.user} className={`profile ${chosen === p.user ? "chosen" : ""}`} data-testid={`signin-profile-${p.user}`} onDoubleClick={() => void submit(p.user)}>
                <input type="radio" name="profile" value={p.user} checked={chosen === p.user} onChange={() => setChosen(p.user)} data-testid={`signin-radio-${p.user}`} />
                <span className="avatar">{p.display_name.slice(0, 1).toUpperCase()}</span>
                <span className="grow">
                  <span className="strong">{p.display_name}</span>
                  <span className="muted small mono"> {p.user}</span>
                </span>
                <Badge kind={p.role === "supervisor" ? "accent" : "neutral"}>{p.role}</Badge>
              </label>
            ))}
          </div>
          <button type="submit" className={`btn wide ${configured ? "" : "primary"}`} disabled={!chosen || busy} data-testid="signin-submit">
            {busy ? "Signing in…" : "Sign in (demo)"}
          </button>
          <p className="muted small">Clerks prepare; supervisors approve.</p>
        </form>
      </div>
    </div>
  );
}
