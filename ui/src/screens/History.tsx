import { Badge } from "../components/Feedback";
import { shortTime } from "../logic/inbox";
import { shortHash } from "../logic/publish";
import { formatMinor } from "../money";
import { useApp, useLoad } from "../state/app";

/**
 * History: the open workspace's account's published periods, newest first, as the team's results
 * database holds them (`publish_history`). Read-only. A revision that a reopening replaced is
 * marked superseded. When the database cannot be read (offline, not configured), the reason is
 * shown instead.
 */
export function History() {
  const { workspace } = useApp();
  const { data, loading, reload } = useLoad((b) => b.publishHistory(), [workspace?.id]);
  const periods = data?.periods ?? [];

  return (
    <section className="screen" data-testid="screen-history">
      <header className="screen-head">
        <h1>History</h1>
        <span className="muted">
          Published periods of <span className="mono">{data?.account ?? workspace?.account ?? "…"}</span>
          {data?.source ? <span data-testid="history-source"> · {data.source}</span> : null}
        </span>
        <span className="spacer" />
        {loading && <span className="muted small">Loading…</span>}
        <button className="btn" onClick={reload} disabled={loading} data-testid="history-refresh" title="Read the published periods again">
          Refresh
        </button>
      </header>

      {data?.error && (
        <div className="inbox-error stale" role="status" data-testid="history-error">
          <span className="strong">The published periods cannot be read now</span>
          <span className="small muted">{data.error}</span>
        </div>
      )}

      {data && !data.error && (
        <div className="card flush">
          <table className="table history-table" data-testid="history-table" data-rows={periods.length}>
            <thead>
              <tr>
                <th>Period</th>
                <th className="num">Revision</th>
                <th>Approver</th>
                <th>Approved at</th>
                <th>Published</th>
                <th className="num">Matched</th>
                <th className="num">Open</th>
                <th className="num">Bank closing</th>
                <th className="num">Ledger balance</th>
                <th>Content</th>
              </tr>
            </thead>
            <tbody>
              {periods.map((p) => (
                <tr
                  key={`${p.period_start}-${p.period_end}-${p.revision}`}
                  data-testid="history-row"
                  data-period-start={p.period_start}
                  data-period-end={p.period_end}
                  data-revision={p.revision}
                  data-superseded={p.superseded ? "true" : "false"}
                  className={p.superseded ? "superseded" : undefined}
                >
                  <td className="nowrap">
                    {p.period_start} – {p.period_end}
                  </td>
                  <td className="num nowrap">
                    {p.superseded && (
                      <Badge kind="neutral" testid="history-superseded" title="A later revision replaced it (the period was reopened)">
                        superseded
                      </Badge>
                    )}{" "}
                    {p.revision}
                  </td>
                  <td className="history-person" title={p.approver}>
                    {p.approver}
                  </td>
                  <td className="nowrap" title={p.approved_at}>
                    {shortTime(p.approved_at)}
                  </td>
                  <td title={`${p.published_at} by ${p.published_by}`}>
                    <span className="nowrap">{shortTime(p.published_at)}</span> <span className="muted history-person">by {p.published_by}</span>
                  </td>
                  <td className="num">{p.matched_items.toLocaleString("en-US")}</td>
                  <td className="num">{p.open_items.toLocaleString("en-US")}</td>
                  <td className="num nowrap" data-testid="history-bank-closing" data-minor={p.bank_closing_minor}>
                    {formatMinor(p.bank_closing_minor, p.exponent)} <span className="muted">{p.currency}</span>
                  </td>
                  <td className="num nowrap" data-testid="history-ledger-balance" data-minor={p.ledger_balance_minor}>
                    {formatMinor(p.ledger_balance_minor, p.exponent)} <span className="muted">{p.currency}</span>
                  </td>
                  <td className="mono small" title={p.content_hash}>
                    {shortHash(p.content_hash)}
                  </td>
                </tr>
              ))}
              {periods.length === 0 && (
                <tr>
                  <td colSpan={10} className="muted">
                    Nothing is published for this account yet: approved reconciliations appear here once published.
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
