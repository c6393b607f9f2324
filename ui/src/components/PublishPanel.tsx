import { useCallback, useEffect, useRef, useState } from "react";
import { toBackendError, type BackendError } from "../backend/errors";
import type { DrainReport } from "../bindings/DrainReport";
import type { OutboxItem } from "../bindings/OutboxItem";
import type { PublishStatus } from "../bindings/PublishStatus";
import { signInErrorText } from "../logic/auth";
import { shortTime } from "../logic/inbox";
import { drainText, outboxState, publishErrorText, shortHash, waitingText, type OutboxState } from "../logic/publish";
import { useApp } from "../state/app";
import { Badge } from "./Feedback";

const STATE_BADGE: Record<OutboxState, string> = { published: "ok", waiting: "accent", refused: "bad" };

/** An acknowledgement time, or a dash. */
function At(props: { at: string | null; testid: string }) {
  return props.at ? (
    <span data-testid={props.testid} title={props.at}>
      {shortTime(props.at)}
    </span>
  ) : (
    <span className="muted" data-testid={props.testid}>
      —
    </span>
  );
}

/**
 * Publishing (Sign-off screen): the open workspace's outbox. Every approval queues an entry; it
 * is published to the configured destinations (the team's results database, the S3 archive) by
 * "Publish now" (`publish_now`, with its "publish-progress" lines) or by the background publisher
 * (whose "publish-status" events the panel follows). The status is read on opening, after every
 * change (an approval), after publishing and on those events. An entry refused because other
 * content is published for the period waits for a supervisor to reopen the period
 * (`publish_reopen`, with a reason), which publishes it as the next revision.
 */
export function PublishPanel() {
  const { backend, workspace, profile, version, showError, toast, setAuth, setPublishWaiting } = useApp();
  const [status, setStatus] = useState<PublishStatus | null>(null);
  const [publishing, setPublishing] = useState(false);
  const [lines, setLines] = useState<string[]>([]);
  const [report, setReport] = useState<DrainReport | null>(null);
  const [reason, setReason] = useState("");
  const [reopening, setReopening] = useState(false);
  /** Reopening was refused with sign_in_required: offer a fresh sign-in, then reopen again. */
  const [reauth, setReauth] = useState<{ waiting: boolean; error: BackendError | null } | null>(null);
  const alive = useRef(true);
  const publishingRef = useRef(false);
  /** Bumped by every read of the status: an older read that answers late is dropped. */
  const seq = useRef(0);

  const apply = useCallback(
    (s: PublishStatus) => {
      setStatus(s);
      setPublishWaiting(s.waiting);
    },
    [setPublishWaiting],
  );

  const refresh = useCallback(async () => {
    const mine = ++seq.current;
    try {
      const s = await backend.publishStatus();
      if (alive.current && mine === seq.current) apply(s);
    } catch (e) {
      if (alive.current && mine === seq.current) showError(e);
    }
  }, [backend, apply, showError]);

  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);

  // Opening, another workspace, and every change (an approval queues an entry).
  const workspaceId = workspace?.id ?? null;
  useEffect(() => {
    void refresh();
  }, [refresh, workspaceId, version]);

  // The background publisher's rounds.
  useEffect(
    () =>
      backend.onPublishStatus((s) => {
        if (!alive.current) return;
        seq.current++;
        apply(s);
      }),
    [backend, apply],
  );

  const publishNow = async () => {
    if (publishingRef.current) return;
    publishingRef.current = true;
    setPublishing(true);
    setLines([]);
    setReport(null);
    const off = backend.onPublishProgress((line) => {
      if (alive.current) setLines((l) => [...l.slice(-199), line]);
    });
    try {
      const r = await backend.publishNow();
      if (alive.current) setReport(r);
      toast(drainText(r));
    } catch (e) {
      showError(e);
    } finally {
      off();
      publishingRef.current = false;
      if (alive.current) setPublishing(false);
      await refresh();
    }
  };

  const reopen = async () => {
    setReopening(true);
    try {
      const s = await backend.publishReopen(reason.trim());
      seq.current++;
      if (alive.current) {
        apply(s);
        setReason("");
        setReauth(null);
      }
      toast("Period reopened: Publish now publishes the approval as the next revision");
    } catch (e) {
      const be = toBackendError(e);
      if (be.code === "sign_in_required") {
        if (alive.current) setReauth({ waiting: false, error: null });
      } else showError(be);
    } finally {
      if (alive.current) setReopening(false);
    }
  };

  /** A new authentication at the provider (reopening needs a recent one, as approving does). */
  const signInAgainToReopen = async () => {
    setReauth({ waiting: true, error: null });
    try {
      setAuth(await backend.signInOkta(true));
    } catch (e) {
      setReauth({ waiting: false, error: toBackendError(e) });
      return;
    }
    setReauth(null);
    await reopen();
  };

  const configured = (status?.destinations.length ?? 0) > 0;
  const triable = status ? status.waiting - status.refused : 0;
  const refusedItems = status?.items.filter((i) => outboxState(i) === "refused") ?? [];
  const supervisor = profile?.role === "supervisor";

  return (
    <section className="card publish" data-testid="publish-panel" data-configured={status ? String(configured) : "unknown"} aria-label="Publishing">
      <div className="publish-head">
        <span className="card-title">Publishing</span>
        {status && (
          <span className={status.waiting ? "strong" : "muted"} data-testid="publish-waiting" data-count={status.waiting} data-refused={status.refused}>
            {waitingText(status.waiting)}
            {status.refused > 0 && <span className="bad-text"> ({status.refused} refused)</span>}
          </span>
        )}
        <span className="spacer" />
        <button
          className={`btn ${triable > 0 ? "primary" : ""}`}
          onClick={() => void publishNow()}
          disabled={publishing || !status || !configured || triable === 0}
          data-testid="publish-now"
          title={!configured ? "Nothing is configured to publish to" : triable === 0 ? "Nothing waiting to publish" : "Publish every waiting approval now"}
        >
          {publishing ? "Publishing…" : "Publish now"}
        </button>
      </div>

      {!status && <div className="muted small">Loading the outbox…</div>}

      {status && (
        <div className="publish-destinations small" data-testid="publish-destinations" data-configured={String(configured)}>
          {configured ? (
            <>
              <span className="muted">Published to </span>
              {status.destinations.map((d, i) => (
                <span key={d}>
                  {i > 0 && <span className="muted"> and </span>}
                  <span className="mono">{d}</span>
                </span>
              ))}
            </>
          ) : (
            <span className="muted">
              Nothing is configured to publish to: approvals wait in the outbox until a <code>[publish]</code> section of the configuration file names the results database (
              <code>database_url</code>) and/or the archive (<code>archive = "s3://bucket/prefix/"</code>).
            </span>
          )}
        </div>
      )}

      {publishing && (
        <ol className="publish-progress" data-testid="publish-progress" data-lines={lines.length} aria-live="polite">
          {lines.length === 0 ? <li className="muted">Starting…</li> : lines.map((l, i) => <li key={i}>{l}</li>)}
        </ol>
      )}

      {report && !publishing && (
        <div className="summary-line wrap" data-testid="publish-summary" data-published={report.published} data-failed={report.failed} data-deferred={report.deferred}>
          <span>{drainText(report)}</span>
          {lines.length > 0 && (
            <details className="publish-log">
              <summary className="muted small">Log ({lines.length} lines)</summary>
              <ol className="publish-progress">
                {lines.map((l, i) => (
                  <li key={i}>{l}</li>
                ))}
              </ol>
            </details>
          )}
        </div>
      )}

      {status && status.items.length > 0 && (
        <div className="publish-items">
          <table className="table compact">
            <thead>
              <tr>
                <th>Status</th>
                <th className="num">Revision</th>
                <th>Content</th>
                <th>Approver</th>
                <th>Approved</th>
                <th>Database</th>
                <th>Archive</th>
                <th className="num">Attempts</th>
              </tr>
            </thead>
            {[...status.items].reverse().map((it) => (
              <Item key={it.id} item={it} />
            ))}
          </table>
        </div>
      )}
      {status && status.items.length === 0 && <div className="muted small">No approval queued yet: approving queues the reconciliation for publishing.</div>}

      {refusedItems.length > 0 &&
        (supervisor ? (
          <div className="publish-reopen" data-testid="publish-reopen-form">
            <label className="field-label" htmlFor="publish-reopen-reason">
              Reopen the published period to publish this approval as revision {Math.max(...refusedItems.map((i) => i.revision)) + 1} (a reason is required; it is audited and
              published)
            </label>
            <textarea id="publish-reopen-reason" rows={2} value={reason} onChange={(e) => setReason(e.target.value)} data-testid="publish-reopen-reason" />
            <div className="row gap">
              <button className="btn danger" disabled={!reason.trim() || reopening || !!reauth} onClick={() => void reopen()} data-testid="publish-reopen">
                {reopening ? "Reopening…" : "Reopen period"}
              </button>
            </div>
            {reauth && (
              <div className="reauth" role="alert" data-testid="publish-reopen-reauth">
                <div>
                  <span className="strong">Reopening needs a recent sign-in.</span> Sign in again in your browser; the reopening is then retried.
                </div>
                {reauth.error && (
                  <div className="bad-text small" data-testid="publish-reopen-reauth-error" data-code={reauth.error.code}>
                    {signInErrorText(reauth.error.code)}
                  </div>
                )}
                <div className="row gap">
                  <button className="btn primary" disabled={reauth.waiting} onClick={() => void signInAgainToReopen()} data-testid="publish-reopen-reauth-confirm">
                    {reauth.waiting ? "Waiting for the browser…" : "Sign in again to reopen"}
                  </button>
                  <button className="btn ghost" disabled={reauth.waiting} onClick={() => setReauth(null)} data-testid="publish-reopen-reauth-cancel">
                    Cancel
                  </button>
                </div>
              </div>
            )}
          </div>
        ) : (
          <p className="muted small publish-reopen" data-testid="publish-reopen-supervisor">
            Other content is published for this period: a supervisor must reopen the period to publish this approval as the next revision.
          </p>
        ))}
    </section>
  );
}

/** An outbox entry: its row, and under it, when it is not published, its last error. */
function Item({ item }: { item: OutboxItem }) {
  const state = outboxState(item);
  const failed = state !== "published" && item.last_error !== null;
  return (
    <tbody
      data-testid="publish-item"
      data-id={item.id}
      data-state={state}
      data-revision={item.revision}
      data-code={item.last_error_code ?? ""}
      className={`publish-item ${state === "refused" ? "issue-error" : failed ? "issue-warning" : ""}`}
    >
      <tr>
        <td>
          <Badge kind={STATE_BADGE[state]} title={item.published_at ? `published ${item.published_at}` : state === "refused" ? "waits for a supervisor to reopen the period" : "waits to be published"}>
            {state}
          </Badge>
        </td>
        <td className="num">{item.revision}</td>
        <td className="mono small" title={item.content_hash}>
          {shortHash(item.content_hash)}
        </td>
        <td className="publish-approver" title={item.approver}>
          {item.approver}
        </td>
        <td>
          <At at={item.created_at} testid="publish-approved-at" />
        </td>
        <td>
          <At at={item.database_at} testid="publish-database-at" />
        </td>
        <td>
          <At at={item.archive_at} testid="publish-archive-at" />
        </td>
        <td className="num">{item.attempts}</td>
      </tr>
      {failed && (
        <tr className="publish-failure-row">
          <td colSpan={8}>
            <span className="publish-failure" data-testid="publish-error" data-code={item.last_error_code ?? ""}>
              {item.last_error_code && <span className="error-code">{item.last_error_code}</span>} <span className="bad-text">{publishErrorText(item.last_error_code) || "Failed"}:</span>{" "}
              <span className="muted">{item.last_error}</span>
            </span>
          </td>
        </tr>
      )}
    </tbody>
  );
}
