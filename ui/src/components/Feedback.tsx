import { useApp } from "../state/app";

/** The error banner: code and message exactly as the backend returned them. */
export function ErrorBanner() {
  const { error, clearError } = useApp();
  if (!error) return null;
  return (
    <div className="error-banner" role="alert" data-testid="error-banner" data-code={error.code}>
      <span className="error-code" data-testid="error-code">
        {error.code}
      </span>
      <span className="error-message" data-testid="error-message">
        {error.message}
      </span>
      <button className="btn ghost small" onClick={clearError} data-testid="error-dismiss" aria-label="Dismiss error">
        ✕
      </button>
    </div>
  );
}

export function Toasts() {
  const { toasts } = useApp();
  return (
    <div className="toasts" aria-live="polite">
      {toasts.map((t) => (
        <div key={t.id} className="toast" data-testid="toast">
          {t.text}
        </div>
      ))}
    </div>
  );
}

export function ProgressBar(props: { done: number; total: number; label: string; testid: string }) {
  const pct = props.total > 0 ? Math.min(100, Math.round((props.done * 100) / props.total)) : 0;
  return (
    <div className="progress" data-testid={props.testid} data-done={props.done} data-total={props.total}>
      <div className="progress-track" role="progressbar" aria-valuemin={0} aria-valuemax={props.total} aria-valuenow={props.done}>
        <div className="progress-fill" style={{ width: `${pct}%` }} />
      </div>
      <span className="progress-label">{props.label}</span>
    </div>
  );
}

export function Badge(props: { kind: string; children: React.ReactNode; testid?: string; title?: string }) {
  return (
    <span className={`badge badge-${props.kind}`} data-testid={props.testid} title={props.title}>
      {props.children}
    </span>
  );
}

export const STATE_LABEL: Record<string, string> = {
  open: "Open",
  in_review: "In review",
  prepared: "Prepared",
  approved: "Approved",
};
