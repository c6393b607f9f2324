import { useCallback, useEffect, useRef, useState } from "react";
import { toBackendError, type BackendError } from "../backend/errors";
import type { InboxFile } from "../bindings/InboxFile";
import type { InboxProgress } from "../bindings/InboxProgress";
import type { InboxView } from "../bindings/InboxView";
import type { PullReport } from "../bindings/PullReport";
import { countsText, formatBytes, inboxErrorText, lastSeenAt, listingFailed, pullPermille, pullProgressText, shortTime } from "../logic/inbox";
import { useApp } from "../state/app";
import { Badge, ProgressBar } from "./Feedback";

/** Why the panel shows the inbox as last seen rather than as listed now. */
interface Stale {
  /** The refresh's error code, or "listing_failed" when it ran but no prefix could be listed. */
  code: string;
  message: string;
}

const STATUS_BADGE: Record<InboxFile["status"], string> = { failed: "bad", new: "accent", imported: "ok" };

/**
 * The statement inbox of the open workspace (Import screen). On opening: the inbox as last seen
 * (`inbox_view`, offline), then a listing (`inbox_refresh`, new-file detection), again every
 * `interval_minutes` when configured. "Pull new files" runs `inbox_pull` with its progress, then
 * shows what it did; `onImported` runs when it imported something (the figures follow).
 */
export function InboxPanel(props: { onImported: () => void | Promise<void> }) {
  const { backend, workspace, toast, setInboxNew } = useApp();
  const [view, setView] = useState<InboxView | null>(null);
  const [checking, setChecking] = useState(false);
  const [stale, setStale] = useState<Stale | null>(null);
  const [error, setError] = useState<BackendError | null>(null);
  const [pulling, setPulling] = useState(false);
  const [progress, setProgress] = useState<InboxProgress | null>(null);
  const [report, setReport] = useState<PullReport | null>(null);
  const alive = useRef(true);
  /** Bumped by every pull: a listing that started before it must not overwrite its view. */
  const epoch = useRef(0);
  const pullingRef = useRef(false);
  const checkingRef = useRef(false);
  const onImported = useRef(props.onImported);
  onImported.current = props.onImported;

  const refresh = useCallback(async () => {
    if (pullingRef.current || checkingRef.current) return;
    checkingRef.current = true;
    const mine = epoch.current;
    setChecking(true);
    try {
      const v = await backend.inboxRefresh();
      if (!alive.current || mine !== epoch.current) return;
      setView(v);
      setError(null);
      setStale(listingFailed(v) ? { code: "listing_failed", message: v.locations.find((l) => l.error)?.error ?? "" } : null);
    } catch (e) {
      if (!alive.current || mine !== epoch.current) return;
      const be = toBackendError(e);
      setStale({ code: be.code, message: be.message });
    } finally {
      checkingRef.current = false;
      if (alive.current) setChecking(false);
    }
  }, [backend]);

  // Opening (or another workspace): the inbox as last seen at once, then a listing.
  const workspaceId = workspace?.id ?? null;
  useEffect(() => {
    alive.current = true;
    setView(null);
    setStale(null);
    setError(null);
    setReport(null);
    let live = true;
    backend.inboxView().then(
      (v) => {
        if (!live) return;
        setView(v);
        if (v.configured) void refresh();
      },
      (e) => {
        if (live) setError(toBackendError(e));
      },
    );
    return () => {
      live = false;
      alive.current = false;
    };
  }, [backend, workspaceId, refresh]);

  // The navigation's "new files" badge follows what the panel shows.
  useEffect(() => {
    if (view) setInboxNew(view.configured ? view.new_files : null);
  }, [view, setInboxNew]);

  // Listing again every interval_minutes while the panel is shown.
  const interval = view?.configured ? view.interval_minutes : 0;
  useEffect(() => {
    if (!interval || interval <= 0) return;
    const id = setInterval(() => void refresh(), interval * 60_000);
    return () => clearInterval(id);
  }, [interval, refresh]);

  const pull = async () => {
    if (pullingRef.current) return;
    pullingRef.current = true;
    epoch.current++;
    setPulling(true);
    setProgress(null);
    setReport(null);
    setError(null);
    const off = backend.onInboxProgress((p) => {
      if (alive.current) setProgress(p);
    });
    try {
      const r = await backend.inboxPull();
      if (alive.current) {
        setReport(r);
        setView(r.view);
        setStale(r.listing_errors.length > 0 && listingFailed(r.view) ? { code: "listing_failed", message: r.listing_errors[0] ?? "" } : null);
      }
      if (r.imported > 0) {
        // What an import does next (the figures, the screens' reload), even if the panel is gone.
        toast(`Pulled ${r.imported} file${r.imported === 1 ? "" : "s"} from the inbox${r.failed ? `; ${r.failed} failed` : ""}`);
        await onImported.current();
      }
    } catch (e) {
      if (alive.current) setError(toBackendError(e));
    } finally {
      off();
      pullingRef.current = false;
      if (alive.current) {
        setPulling(false);
        setProgress(null);
      }
    }
  };

  const configured = view?.configured ?? false;
  const todo = view ? view.new_files + view.failed_files : 0;
  const seen = view ? lastSeenAt(view) : null;

  return (
    <section className="card inbox" data-testid="inbox-panel" data-configured={view ? String(view.configured) : "unknown"} aria-label="Inbox">
      <div className="inbox-head">
        <span className="card-title">Inbox</span>
        {view && configured && (
          <span className="muted" data-testid="inbox-counts" data-new={view.new_files} data-imported={view.imported_files} data-failed={view.failed_files}>
            {countsText(view)}
          </span>
        )}
        {checking && <span className="muted small">Checking for new files…</span>}
        <span className="spacer" />
        {configured && (
          <>
            <button className="btn small ghost" onClick={() => void refresh()} disabled={checking || pulling} data-testid="inbox-refresh" title="List the inbox's folders again">
              Check now
            </button>
            <button className="btn primary" onClick={() => void pull()} disabled={pulling || todo === 0} data-testid="inbox-pull" title={todo === 0 ? "Nothing new or failed to pull" : `Fetch, verify and import ${todo} file${todo === 1 ? "" : "s"}`}>
              {pulling ? "Pulling…" : "Pull new files"}
            </button>
          </>
        )}
      </div>

      {!view && !error && <div className="muted small">Loading the inbox…</div>}

      {view && !configured && (
        <p className="muted small inbox-note" data-testid="inbox-not-configured">
          No inbox is configured. To have statement files and ledger extracts fetched from S3, add an <code>[inbox]</code> section to the configuration file, e.g.{" "}
          <code>statements = "s3://bucket/{"{account}"}/{"{yyyy}"}/{"{mm}"}/"</code> (and <code>ledger = …</code> for ledger extracts).
        </p>
      )}

      {stale && !pulling && !error && (
        <div className="inbox-error stale" role="status" data-testid="inbox-error" data-kind="stale" data-code={stale.code}>
          <span className="strong">
            {stale.code === "sign_in_required" || stale.code === "credentials_expired" ? "Sign in again to check the inbox" : "Offline"}:{" "}
            {seen ? `showing what was seen at ${shortTime(seen)}` : "the inbox has not been listed yet"}
          </span>
          <span className="small">
            {stale.code !== "listing_failed" && <span className="error-code">{stale.code}</span>} <span className="muted">{stale.message}</span>
          </span>
        </div>
      )}

      {error && (
        <div className="inbox-error" role="alert" data-testid="inbox-error" data-kind="error" data-code={error.code}>
          <span className="row gap">
            <span className="error-code">{error.code}</span>
            <span className="error-message">{error.message}</span>
          </span>
        </div>
      )}

      {view && configured && view.locations.length > 0 && (
        <ul className="inbox-locations" data-testid="inbox-locations">
          {view.locations.map((l) => (
            <li key={l.uri} data-testid="inbox-location" data-error={l.error ? "true" : "false"}>
              <span className="mono">{l.uri}</span>
              <span className="muted">listed {shortTime(l.scanned_at)}</span>
              {l.error ? (
                <span className="bad-text small" title={l.error}>
                  {l.error}
                </span>
              ) : (
                <span className="muted">
                  {l.objects.toLocaleString("en-US")} object{l.objects === 1 ? "" : "s"}
                </span>
              )}
            </li>
          ))}
        </ul>
      )}
      {view && configured && view.locations.length === 0 && !checking && !stale && <div className="muted small">Not listed yet.</div>}

      {pulling && (
        <div className="inbox-progress" data-testid="inbox-progress" data-phase={progress?.phase ?? "listing"} data-file={progress?.file ?? 0} data-files={progress?.files ?? 0} data-bytes={progress?.bytes ?? 0} data-size-bytes={progress?.size_bytes ?? 0}>
          <ProgressBar testid="inbox-progress-bar" done={progress ? pullPermille(progress) : 0} total={progress && progress.files > 0 ? 1000 : 0} label={progress ? pullProgressText(progress) : "Starting…"} />
        </div>
      )}

      {report && !pulling && (
        <div
          className="summary-line wrap"
          data-testid="inbox-summary"
          data-imported={report.imported}
          data-replaced={report.replaced}
          data-failed={report.failed}
          data-left={report.left}
          data-bytes={report.bytes_downloaded}
        >
          {report.tried.length === 0 && report.listing_errors.length === 0 ? (
            <span className="muted">Nothing new to pull.</span>
          ) : (
            <>
              <span>
                <span className="strong">{report.imported}</span> imported
              </span>
              {report.replaced > 0 && (
                <span>
                  <span className="strong">{report.replaced}</span> replaced
                </span>
              )}
              <Badge kind={report.failed ? "bad" : "neutral"}>{report.failed} failed</Badge>
              {report.left > 0 && <Badge kind="warn">{report.left} left for the next pull</Badge>}
              <span className="muted">{formatBytes(report.bytes_downloaded)} downloaded</span>
              {report.listing_errors.length > 0 && (
                <Badge kind="warn" title={report.listing_errors.join("\n")}>
                  {report.listing_errors.length} folder{report.listing_errors.length === 1 ? "" : "s"} not listed
                </Badge>
              )}
            </>
          )}
        </div>
      )}

      {view && (configured || view.files.length > 0) && (
        <div className="inbox-files" data-testid="inbox-files">
          <table className="table compact">
            <thead>
              <tr>
                <th>Status</th>
                <th>Kind</th>
                <th>File</th>
                <th className="num">Size</th>
                <th>Version</th>
                <th>SHA-256</th>
              </tr>
            </thead>
            <tbody>
              {view.files.map((f) => (
                <tr key={f.uri} data-testid="inbox-file" data-status={f.status} data-uri={f.uri} className={f.status === "failed" ? "issue-error" : undefined}>
                  <td className="inbox-status">
                    <Badge kind={STATUS_BADGE[f.status]}>{f.status}</Badge>
                    {f.status === "failed" && (
                      <span className="inbox-failure" data-testid="inbox-file-error" data-code={f.error ?? ""}>
                        <span className="bad-text">{inboxErrorText(f.error) || "Failed"}</span>
                        {f.message && <span className="muted small"> {f.message}</span>}
                      </span>
                    )}
                  </td>
                  <td>{f.kind}</td>
                  <td className="mono small inbox-key" title={f.uri}>
                    {f.key}
                  </td>
                  <td className="num" title={`${f.size_bytes.toLocaleString("en-US")} bytes`}>
                    {formatBytes(f.size_bytes)}
                  </td>
                  <td className="mono small inbox-version" title={f.version_id ?? undefined}>
                    {f.version_id ?? <span className="muted">—</span>}
                  </td>
                  <td className="mono small" title={f.sha256 ?? undefined}>
                    {f.status === "imported" && f.sha256 ? f.sha256.slice(0, 12) : <span className="muted">—</span>}
                  </td>
                </tr>
              ))}
              {view.files.length === 0 && (
                <tr>
                  <td colSpan={6} className="muted">
                    No files seen yet.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
