import type { WorkspaceSummary } from "../bindings/WorkspaceSummary";
import { Badge, STATE_LABEL } from "../components/Feedback";
import { formatPermille } from "../money";
import { useApp, useLoad } from "../state/app";

export function Workspaces() {
  const { setWorkspace, go, run, workspace } = useApp();
  const { data, loading } = useLoad((b) => b.listWorkspaces(), []);

  const open = async (w: WorkspaceSummary) => {
    const d = await run((b) => b.openWorkspace(w.id), { ok: `Opened ${w.name}` });
    if (d) {
      setWorkspace(d);
      go(d.bank_lines + d.ledger_entries === 0 ? "import" : "match");
    }
  };

  return (
    <section className="screen" data-testid="screen-workspaces">
      <header className="screen-head">
        <h1>Workspaces</h1>
        <span className="muted">{data ? `${data.length} workspace${data.length === 1 ? "" : "s"}` : loading ? "Loading…" : ""}</span>
      </header>
      <div className="card flush">
        <table className="table hover" data-testid="workspaces-table">
          <thead>
            <tr>
              <th>Workspace</th>
              <th>Account</th>
              <th>Period</th>
              <th>State</th>
              <th className="num">Bank lines</th>
              <th className="num">Ledger entries</th>
              <th className="num">Match rate</th>
              <th className="num">Open exceptions</th>
              <th className="num">Oldest exception</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {data?.map((w) => (
              <tr
                key={w.id}
                data-testid={`workspace-row-${w.id}`}
                data-workspace-id={w.id}
                data-workspace-name={w.name}
                data-demo={w.demo ? "true" : "false"}
                className={workspace?.id === w.id ? "current" : ""}
                onDoubleClick={() => void open(w)}
              >
                <td className="nowrap">
                  <span className="strong">{w.name}</span>
                  {w.demo && (
                    <>
                      {" "}
                      <Badge kind="demo" testid={`workspace-demo-${w.id}`} title="A demo workspace: its users are self-asserted">
                        DEMO
                      </Badge>
                    </>
                  )}
                  <div className="muted small mono">{w.id}</div>
                </td>
                <td className="mono">
                  {w.account} <span className="muted">{w.currency}</span>
                </td>
                <td className="nowrap">
                  {w.period_start ?? "…"} – {w.period_end ?? "…"}
                </td>
                <td>
                  <Badge kind={`state-${w.state}`}>{STATE_LABEL[w.state] ?? w.state}</Badge>
                </td>
                <td className="num">{w.bank_lines.toLocaleString("en-US")}</td>
                <td className="num">{w.ledger_entries.toLocaleString("en-US")}</td>
                <td className="num">
                  <span className="meter" title={formatPermille(w.match_rate_permille)}>
                    <span style={{ width: `${Math.min(100, w.match_rate_permille / 10)}%` }} />
                  </span>
                  {formatPermille(w.match_rate_permille)}
                </td>
                <td className="num">{w.open_exceptions.toLocaleString("en-US")}</td>
                <td className="num">{w.oldest_exception_days === null ? <span className="muted">—</span> : `${w.oldest_exception_days} d`}</td>
                <td className="num">
                  <button className="btn small primary" onClick={() => void open(w)} data-testid={`workspace-open-${w.id}`}>
                    Open
                  </button>
                </td>
              </tr>
            ))}
            {data?.length === 0 && (
              <tr>
                <td colSpan={10} className="muted">
                  No workspaces yet.
                </td>
              </tr>
            )}
          </tbody>
        </table>
      </div>
    </section>
  );
}
