import { useEffect, useRef, useState } from "react";
import { toBackendError, type BackendError } from "../backend/errors";
import type { CarriedView } from "../bindings/CarriedView";
import type { CarryReport } from "../bindings/CarryReport";
import { Badge } from "../components/Feedback";
import { shortTime } from "../logic/inbox";
import { shortHash } from "../logic/publish";
import { formatMinor } from "../money";
import { useApp, useLoad } from "../state/app";

/**
 * History: the open workspace's account's published periods, newest first, as the team's results
 * database holds them (`publish_history`). Read-only. A revision that a reopening replaced is
 * marked superseded. When the database cannot be read (offline, not configured), the reason is
 * shown instead. Above the table, the opening items: what this workspace carried forward from the
 * previous period, or a button to do so (`carry_forward`).
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

      {data && (
        <CarryPanel
          key={workspace?.id ?? ""}
          carried={data.carried}
          exponent={workspace?.exponent ?? periods[0]?.exponent ?? 2}
          currency={workspace?.currency ?? periods[0]?.currency ?? ""}
          onCarried={reload}
        />
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

const items = (n: number, side: string) => `${n.toLocaleString("en-US")} ${side} item${n === 1 ? "" : "s"}`;

/**
 * The opening items: the previous period's open items this workspace carried forward, or (not
 * yet) a button that brings them in (`carry_forward`) and then reloads the History. Shown even
 * when the database cannot be read: carry-forward may still read the archive.
 */
function CarryPanel(props: { carried: CarriedView | null; exponent: number; currency: string; onCarried: () => void }) {
  const { backend } = useApp();
  const { carried, exponent, currency } = props;
  const [running, setRunning] = useState(false);
  const [result, setResult] = useState<CarryReport | null>(null);
  const [error, setError] = useState<BackendError | null>(null);
  const alive = useRef(true);
  useEffect(() => {
    alive.current = true;
    return () => {
      alive.current = false;
    };
  }, []);
  const money = (minor: number) => `${formatMinor(minor, exponent)}${currency ? ` ${currency}` : ""}`;

  const carryForward = async () => {
    if (running) return;
    setRunning(true);
    setError(null);
    setResult(null);
    try {
      const r = await backend.carryForward();
      if (!alive.current) return;
      setResult(r);
      props.onCarried();
    } catch (e) {
      if (alive.current) setError(toBackendError(e));
    } finally {
      if (alive.current) setRunning(false);
    }
  };

  return (
    <section
      className="card publish"
      aria-label="Opening items"
      data-testid="history-carry"
      data-carried={carried ? "true" : "false"}
      data-bank-items={carried?.bank_items}
      data-ledger-items={carried?.ledger_items}
      data-source={carried?.source}
    >
      <div className="publish-head">
        <span className="card-title">Opening items</span>
      </div>
      {carried ? (
        <div data-testid="history-carried">
          Opening items carried forward from{" "}
          <span className="nowrap">
            {carried.from_period_start} – {carried.from_period_end}
          </span>
          , revision {carried.from_revision} ({carried.source}) by {carried.carried_by} at{" "}
          <span className="nowrap" title={carried.carried_at}>
            {shortTime(carried.carried_at)}
          </span>
          : {items(carried.bank_items, "bank")} <span className="nowrap">{money(carried.bank_minor)}</span>, {items(carried.ledger_items, "ledger")}{" "}
          <span className="nowrap">{money(carried.ledger_minor)}</span>
          {carried.already_present > 0 && <span data-testid="history-carry-already">; {carried.already_present.toLocaleString("en-US")} already here</span>}
          <span className="muted small mono" title={carried.from_content_hash}>
            {" "}
            · {shortHash(carried.from_content_hash)}
          </span>
        </div>
      ) : (
        <div className="row gap">
          <span className="muted small">Items still open when the previous period was approved become this period&apos;s opening items.</span>
          <span className="spacer" />
          <button className="btn primary" onClick={() => void carryForward()} disabled={running || result !== null} data-testid="history-carry-forward">
            {running ? "Bringing in…" : "Bring in last period's open items"}
          </button>
        </div>
      )}
      {result?.database_note && (
        <div className="muted small" data-testid="history-carry-note">
          Read from the archive: {result.database_note}
        </div>
      )}
      {result && result.ledger_opening_set_minor !== null && (
        <div className="small" data-testid="history-carry-opening-set">
          Ledger opening balance set to {money(result.ledger_opening_set_minor)} (the previous period&apos;s ledger balance)
        </div>
      )}
      {result?.ledger_opening_differs_minor && (
        <div className="inbox-error stale" role="status" data-testid="history-carry-opening-differs">
          <span className="strong">The ledger opening balance differs from the previous period&apos;s ledger balance</span>
          <span className="small">
            This workspace&apos;s ledger opening is {money(result.ledger_opening_differs_minor[0])}; the previous period ended at {money(result.ledger_opening_differs_minor[1])}: a
            roll-forward difference to explain.
          </span>
        </div>
      )}
      {error && (
        <div className="inbox-error" role="alert" data-testid="history-carry-error" data-code={error.code}>
          <span className="row gap">
            <span className="error-code">{error.code}</span>
            <span className="error-message">{error.message}</span>
          </span>
        </div>
      )}
    </section>
  );
}
