import { useState } from "react";
import type { ItemDetail } from "../bindings/ItemDetail";
import { formatMinor } from "../money";
import { useApp, useLoad } from "../state/app";
import { Badge } from "./Feedback";

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${Math.round(n / 1024)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** Right-hand drawer: every field of one item, assignee, comments, attachments, history. */
export function ItemDetailPanel() {
  const { detail, openDetail } = useApp();
  if (!detail) return null;
  return <DetailBody key={`${detail.side}:${detail.itemId}`} side={detail.side} itemId={detail.itemId} onClose={() => openDetail(null)} />;
}

function DetailBody(props: { side: "bank" | "ledger"; itemId: string; onClose: () => void }) {
  const { run, profile, workspace } = useApp();
  const { data, loading } = useLoad((b) => b.itemDetail(props.side, props.itemId), [props.side, props.itemId]);
  const [comment, setComment] = useState("");
  const exp = workspace?.exponent ?? 2;
  const cur = workspace?.currency ?? "";

  const addComment = async () => {
    const text = comment.trim();
    if (!text) return;
    const r = await run((b) => b.addComment(props.side, props.itemId, text), { ok: "Comment added", change: true });
    if (r) setComment("");
  };
  const assign = (who: string | null) =>
    run((b) => b.assignItems([[props.side, props.itemId]], who), { ok: who ? `Assigned to ${who}` : "Unassigned", change: true });

  const d: ItemDetail | undefined = data;
  return (
    <aside className="drawer" data-testid="detail-panel" aria-label={`${props.side} item ${props.itemId}`} data-side={props.side} data-item-id={props.itemId}>
      <div className="drawer-head">
        <div>
          <div className="muted small">{props.side === "bank" ? "Bank line" : "Ledger entry"}</div>
          <h2 data-testid="detail-item-id">{props.itemId}</h2>
        </div>
        <button className="btn ghost small" onClick={props.onClose} data-testid="detail-close" title="Close (Esc)">
          ✕
        </button>
      </div>
      {loading && !d && <div className="muted pad">Loading…</div>}
      {d && (
        <div className="drawer-body">
          <div className="detail-amount">
            <span className={`num big ${d.amount_minor < 0 ? "neg" : ""}`} data-testid="detail-amount">
              {formatMinor(d.amount_minor, exp)} <span className="muted">{cur}</span>
            </span>
            <Badge kind={d.status.startsWith("matched") ? "ok" : "warn"} testid="detail-status">
              {d.status}
            </Badge>
            {d.group !== null && <span className="muted small" data-testid="detail-group">group {d.group}</span>}
          </div>
          <dl className="kv">
            <dt>Date</dt>
            <dd>{d.date}</dd>
            <dt>Reference</dt>
            <dd className="mono">{d.reference}</dd>
            <dt>Description</dt>
            <dd>{d.description}</dd>
            <dt>Counterparty</dt>
            <dd>{d.counterparty}</dd>
          </dl>

          <h3>Assignee</h3>
          <div className="row gap">
            <span data-testid="detail-assignee">{d.assignee ?? <span className="muted">nobody</span>}</span>
            <span className="spacer" />
            <button className="btn small" data-testid="detail-assign-me" disabled={d.assignee === profile?.user} onClick={() => profile && assign(profile.user)}>
              Assign to me
            </button>
            <button className="btn small" data-testid="detail-unassign" disabled={d.assignee === null} onClick={() => assign(null)}>
              Unassign
            </button>
          </div>

          <h3>Fields</h3>
          <table className="table compact" data-testid="detail-fields">
            <tbody>
              {d.fields.map(([k, v], i) => (
                <tr key={`${k}-${i}`}>
                  <th>{k}</th>
                  <td className="mono">{v}</td>
                </tr>
              ))}
            </tbody>
          </table>

          <h3>Comments ({d.comments.length})</h3>
          <ul className="comments" data-testid="detail-comments">
            {d.comments.map((c, i) => (
              <li key={i} data-testid="detail-comment">
                <div className="muted small">
                  {c.author} · {c.at}
                </div>
                <div>{c.text}</div>
              </li>
            ))}
            {d.comments.length === 0 && <li className="muted">No comments yet.</li>}
          </ul>
          <div className="comment-form">
            <textarea
              rows={2}
              placeholder="Add a comment (Ctrl+Enter to post)"
              value={comment}
              onChange={(e) => setComment(e.target.value)}
              onKeyDown={(e) => {
                if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) {
                  e.preventDefault();
                  void addComment();
                }
              }}
              data-testid="detail-comment-input"
              aria-label="New comment"
            />
            <button className="btn small" onClick={addComment} disabled={!comment.trim()} data-testid="detail-comment-add">
              Add comment
            </button>
          </div>

          <h3>Attachments ({d.attachments.length})</h3>
          <table className="table compact" data-testid="detail-attachments">
            <tbody>
              {d.attachments.map((a) => (
                <tr key={a.sha256}>
                  <td>{a.name}</td>
                  <td className="num">{bytes(a.bytes)}</td>
                  <td className="muted small">
                    {a.added_by} · {a.at}
                  </td>
                  <td className="mono small" title={a.sha256}>
                    {a.sha256.slice(0, 12)}…
                  </td>
                </tr>
              ))}
              {d.attachments.length === 0 && (
                <tr>
                  <td className="muted">No attachments.</td>
                </tr>
              )}
            </tbody>
          </table>

          <h3>History</h3>
          <ol className="history" data-testid="detail-history">
            {d.history.map((h) => (
              <li key={h.seq} data-testid="detail-history-entry">
                <div className="row gap small">
                  <span className="muted num">#{h.seq}</span>
                  <Badge kind="neutral">{h.action}</Badge>
                  <span className="strong">{h.actor}</span>
                  <span className="spacer" />
                  <span className="muted">{h.at}</span>
                </div>
                <div className="small">{h.detail}</div>
              </li>
            ))}
            {d.history.length === 0 && <li className="muted">No recorded history for this item.</li>}
          </ol>
        </div>
      )}
    </aside>
  );
}
