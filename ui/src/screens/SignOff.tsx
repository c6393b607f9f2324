import { useState } from "react";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { SignOff as SignOffT } from "../bindings/SignOff";
import { STATE_LABEL } from "../components/Feedback";
import { PublishPanel } from "../components/PublishPanel";
import { signOffButtons } from "../logic/signoff";
import { approveOffered, signInErrorText } from "../logic/auth";
import { toBackendError, type BackendError } from "../backend/errors";
import { formatMinor } from "../money";
import { useApp, useLoad } from "../state/app";

const STEPS = ["open", "in_review", "prepared", "approved"] as const;

export function SignOff() {
  const { backend, profile, auth, workspace, run, setWorkspace, setAuth, showError, toast, bump } = useApp();
  const { data, loading } = useLoad((b) => b.signOffStatus(), []);
  const [rejecting, setRejecting] = useState(false);
  const [reason, setReason] = useState("");
  const [exported, setExported] = useState<{ format: ExportFormat; path: string } | null>(null);
  const [busy, setBusy] = useState(false);
  /** Approval was refused with sign_in_required: offer a fresh sign-in, then approve again. */
  const [reauth, setReauth] = useState<{ waiting: boolean; error: BackendError | null } | null>(null);
  const exp = workspace?.exponent ?? 2;
  const cur = workspace?.currency ?? "";

  const act = async (label: string, fn: Parameters<typeof run<SignOffT>>[0]) => {
    setBusy(true);
    const r = await run(fn, { ok: label, change: true });
    setBusy(false);
    if (r) {
      setRejecting(false);
      setReason("");
      const d = await run((b) => b.dashboard());
      if (d) setWorkspace(d.workspace);
    }
  };

  const refreshWorkspace = async () => {
    const d = await run((b) => b.dashboard());
    if (d) setWorkspace(d.workspace);
  };

  const approve = async () => {
    setBusy(true);
    try {
      await backend.approveSignOff();
      setReauth(null);
      toast("Approved");
      bump();
      setBusy(false);
      await refreshWorkspace();
    } catch (e) {
      setBusy(false);
      const be = toBackendError(e);
      if (be.code === "sign_in_required") setReauth({ waiting: false, error: null });
      else showError(be);
    }
  };

  /** A new authentication at the provider (fresh: approval needs a recent one), then approve. */
  const signInAgainToApprove = async () => {
    setReauth({ waiting: true, error: null });
    try {
      setAuth(await backend.signInOkta(true));
    } catch (e) {
      setReauth({ waiting: false, error: toBackendError(e) });
      return;
    }
    setReauth(null);
    await approve();
  };

  const doExport = async (format: ExportFormat) => {
    setBusy(true);
    const path = await run((b) => b.exportSignOff(format), { ok: `Exported ${format.toUpperCase()}` });
    setBusy(false);
    if (path) setExported({ format, path });
  };

  if (!data) {
    return (
      <section className="screen" data-testid="screen-signoff">
        <header className="screen-head">
          <h1>Sign-off</h1>
        </header>
        <div className="muted pad">{loading ? "Loading…" : "No sign-off status."}</div>
      </section>
    );
  }
  const s = data;
  const role = profile?.role ?? "clerk";
  const btn = signOffButtons(s.state, role, s.unexplained_difference_minor);
  const offered = approveOffered(auth);
  if (!offered) {
    btn.approve = { enabled: false, primary: false, hint: "Approving needs the supervisor role (your sign-in's groups do not give it)" };
    btn.reject = { enabled: false, primary: false, hint: "Rejecting needs the supervisor role (your sign-in's groups do not give it)" };
  }
  const stepIndex = STEPS.indexOf(s.state);

  return (
    <section className="screen" data-testid="screen-signoff">
      <header className="screen-head">
        <h1>Sign-off</h1>
        <span className={`badge badge-state-${s.state}`} data-testid="signoff-state" data-state={s.state}>
          {STATE_LABEL[s.state] ?? s.state}
        </span>
      </header>

      <ol className="stepper" aria-label="Sign-off progress">
        {STEPS.map((st, i) => (
          <li key={st} className={i < stepIndex ? "done" : i === stepIndex ? "current" : ""}>
            {STATE_LABEL[st]}
          </li>
        ))}
      </ol>

      <div className="signoff-grid">
        <div className="card">
          <div className="card-title">Status</div>
          <dl className="kv wide" data-testid="signoff-details" data-state={s.state}>
            <dt>State</dt>
            <dd data-testid="signoff-state-text" data-state={s.state}>
              {s.state}
            </dd>
            <dt>Preparer</dt>
            <dd data-testid="signoff-preparer">{s.preparer ?? <span className="muted">—</span>}</dd>
            <dt>Prepared at</dt>
            <dd data-testid="signoff-prepared-at">{s.prepared_at ?? <span className="muted">—</span>}</dd>
            <dt>Approver</dt>
            <dd data-testid="signoff-approver">{s.approver ?? <span className="muted">—</span>}</dd>
            <dt>Approved at</dt>
            <dd data-testid="signoff-approved-at">{s.approved_at ?? <span className="muted">—</span>}</dd>
            <dt>Content hash</dt>
            <dd className="mono hash" data-testid="signoff-hash">
              {s.content_hash ?? <span className="muted">—</span>}
            </dd>
            <dt>Unexplained difference</dt>
            <dd>
              <span
                className={`num strong ${s.unexplained_difference_minor !== 0 ? "bad-text" : "good-text"}`}
                data-testid="signoff-unexplained"
                data-minor={s.unexplained_difference_minor}
              >
                {formatMinor(s.unexplained_difference_minor, exp)}
              </span>{" "}
              <span className="muted">{cur}</span>
            </dd>
            {s.rejection_reason && (
              <>
                <dt>Last rejection</dt>
                <dd data-testid="signoff-rejection">{s.rejection_reason}</dd>
              </>
            )}
          </dl>
        </div>

        <div className="card">
          <div className="card-title">Actions</div>
          <p className="muted small">
            Signed in as <span className="strong">{profile?.display_name}</span>, role <span className="strong">{role}</span>. A clerk prepares; a supervisor who did
            not prepare approves or rejects.
          </p>
          <div className="row gap wrap">
            <button
              className={`btn ${btn.prepare.primary ? "primary" : ""}`}
              disabled={!btn.prepare.enabled || busy}
              title={btn.prepare.hint}
              onClick={() => void act("Prepared for approval", (b) => b.prepareSignOff())}
              data-testid="signoff-prepare"
              data-primary={btn.prepare.primary ? "true" : "false"}
            >
              Prepare
            </button>
            <button
              className={`btn ${btn.approve.primary ? "primary" : ""}`}
              disabled={!btn.approve.enabled || busy}
              title={btn.approve.hint}
              onClick={() => void approve()}
              data-testid="signoff-approve"
              data-primary={btn.approve.primary ? "true" : "false"}
              data-offered={offered ? "true" : "false"}
            >
              Approve
            </button>
            <button
              className="btn danger"
              disabled={!btn.reject.enabled || busy}
              title={btn.reject.hint}
              onClick={() => setRejecting((r) => !r)}
              data-testid="signoff-reject"
              data-primary="false"
            >
              Reject…
            </button>
          </div>
          {!offered && (
            <p className="muted small" data-testid="signoff-approve-unavailable">
              Approving or rejecting needs the supervisor role: your groups give {auth?.verified?.roles.join(", ") || "no role"}.
            </p>
          )}
          {reauth && (
            <div className="reauth" role="alert" data-testid="signoff-reauth">
              <div>
                <span className="strong">Approving needs a recent sign-in.</span> Sign in again in your browser; the approval is then retried.
              </div>
              {reauth.error && (
                <div className="bad-text small" data-testid="signoff-reauth-error" data-code={reauth.error.code}>
                  {signInErrorText(reauth.error.code)}
                </div>
              )}
              <div className="row gap">
                <button className="btn primary" disabled={reauth.waiting} onClick={() => void signInAgainToApprove()} data-testid="signoff-reauth-approve">
                  {reauth.waiting ? "Waiting for the browser…" : "Sign in again to approve"}
                </button>
                <button className="btn ghost" disabled={reauth.waiting} onClick={() => setReauth(null)} data-testid="signoff-reauth-cancel">
                  Cancel
                </button>
              </div>
            </div>
          )}
          {rejecting && (
            <div className="reject-form">
              <label className="field-label" htmlFor="reject-reason">
                Reason for rejection (required)
              </label>
              <textarea id="reject-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="signoff-reject-reason" autoFocus />
              <div className="row gap">
                <button className="btn danger" disabled={!reason.trim() || busy} onClick={() => void act("Rejected: back in review", (b) => b.rejectSignOff(reason.trim()))} data-testid="signoff-reject-confirm">
                  Reject with reason
                </button>
                <button className="btn ghost" onClick={() => setRejecting(false)} data-testid="signoff-reject-cancel">
                  Cancel
                </button>
              </div>
            </div>
          )}
          <div className="card-title sub">Export</div>
          <div className="row gap">
            {(["pdf", "xlsx", "csv"] as const).map((f) => (
              <button key={f} className="btn" disabled={busy} onClick={() => void doExport(f)} data-testid={`export-${f}`}>
                {f.toUpperCase()}
              </button>
            ))}
          </div>
          {exported && (
            <div className="export-path">
              <span className="muted small">{exported.format.toUpperCase()} written to </span>
              <code data-testid="export-path">{exported.path}</code>
            </div>
          )}
        </div>
      </div>

      <PublishPanel />
    </section>
  );
}
