import { useEffect, useState } from "react";
import type { Profile } from "../bindings/Profile";
import { useApp } from "../state/app";
import { Badge } from "../components/Feedback";
import { ErrorBanner } from "../components/Feedback";
import { markAfterPaint } from "../logic/perfMarks";

export function SignIn() {
  const { backend, signedIn, showError, run } = useApp();
  const [profiles, setProfiles] = useState<Profile[] | null>(null);
  const [chosen, setChosen] = useState<string>("");
  const [busy, setBusy] = useState(false);

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

  const submit = async (user = chosen) => {
    if (!user || busy) return;
    setBusy(true);
    const p = await run((b) => b.signIn(user));
    setBusy(false);
    if (p) signedIn(p);
  };

  return (
    <div className="signin" data-testid="screen-signin">
      <form
        className="signin-card"
        onSubmit={(e) => {
          e.preventDefault();
          void submit();
        }}
      >
        <div className="brand big">
          <span className="brand-mark">⇄</span> Recon Workbench
        </div>
        <p className="muted">Bank reconciliation — choose a local profile to sign in.</p>
        <ErrorBanner />
        <div className="profiles" role="radiogroup" aria-label="Local profiles">
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
        <button type="submit" className="btn primary wide" disabled={!chosen || busy} data-testid="signin-submit">
          {busy ? "Signing in…" : "Sign in"}
        </button>
        <p className="muted small">Profiles are local to this machine. Clerks prepare; supervisors approve.</p>
      </form>
    </div>
  );
}
