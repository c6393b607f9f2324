import { useMemo, useState } from "react";
import type { Dashboard } from "../bindings/Dashboard";
import type { MatchProgress } from "../bindings/MatchProgress";
import { Chart } from "../components/Chart";
import { Badge, ProgressBar } from "../components/Feedback";
import { useColorScheme } from "../hooks/env";
import { formatMinor, formatPermille, sumMinor } from "../money";
import { useApp, useLoad } from "../state/app";

const STATUS_COLORS = { auto: "#2563eb", suggested: "#0d9488", manual: "#d97706" } as const;

export function Match() {
  const { backend, run, setWorkspace } = useApp();
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<MatchProgress | null>(null);
  const { data: d, loading } = useLoad((b) => b.dashboard(), []);

  const runMatching = async () => {
    if (busy) return;
    setBusy(true);
    setProgress(null);
    const off = backend.onMatchProgress(setProgress);
    const r = await run((b) => b.runMatching(), { ok: "Matching finished", change: true });
    off();
    setBusy(false);
    if (r) setWorkspace(r.workspace);
  };

  return (
    <section className="screen" data-testid="screen-match">
      <header className="screen-head">
        <h1>Match</h1>
        <span className="spacer" />
        <button className="btn primary" onClick={() => void runMatching()} disabled={busy} data-testid="match-run">
          {busy ? "Matching…" : "Run matching"}
        </button>
      </header>
      {busy && (
        <ProgressBar
          testid="match-progress"
          done={progress?.done ?? 0}
          total={progress?.total ?? 0}
          label={progress ? `${progress.phase}: ${progress.done.toLocaleString("en-US")} / ${progress.total.toLocaleString("en-US")}` : "Starting…"}
        />
      )}
      {!d && loading && <div className="muted pad">Loading dashboard…</div>}
      {d && <DashboardView d={d} />}
    </section>
  );
}

function DashboardView({ d }: { d: Dashboard }) {
  const scheme = useColorScheme();
  const w = d.workspace;
  const exp = w.exponent;
  const cur = w.currency;
  const totalItems = w.bank_lines + w.ledger_entries;
  const text = scheme === "dark" ? "#d1d5db" : "#374151";
  const grid = scheme === "dark" ? "#2d3139" : "#e5e7eb";
  const tip = useMemo(() => (scheme === "dark" ? { backgroundColor: "#1f2227", borderColor: "#3a3f48", textStyle: { color: "#e4e7eb" } } : {}), [scheme]);

  const rulesOption = useMemo(() => {
    const rules = [...new Set(d.rules.map((r) => r.rule))];
    const statuses = (["auto", "suggested", "manual"] as const).filter((s) => d.rules.some((r) => r.status === s));
    return {
      animation: false,
      textStyle: { color: text, fontFamily: "inherit" },
      grid: { left: 8, right: 16, top: 28, bottom: 4, containLabel: true },
      legend: { top: 0, right: 0, textStyle: { color: text }, itemWidth: 10, itemHeight: 10 },
      tooltip: {
        ...tip,
        trigger: "axis",
        axisPointer: { type: "shadow" },
        valueFormatter: (v: number) => `${v.toFixed(1)} % of items`,
      },
      xAxis: { type: "value", axisLabel: { color: text, formatter: "{value} %" }, splitLine: { lineStyle: { color: grid } } },
      yAxis: { type: "category", data: rules, inverse: true, axisLabel: { color: text }, axisLine: { lineStyle: { color: grid } } },
      series: statuses.map((s) => ({
        name: s === "suggested" ? "accepted" : s,
        type: "bar",
        stack: "rate",
        barMaxWidth: 18,
        itemStyle: { color: STATUS_COLORS[s] },
        // Display only: a percentage of item counts, not money.
        data: rules.map((rule) => {
          const st = d.rules.find((r) => r.rule === rule && r.status === s);
          return st && totalItems ? Math.round((st.items * 1000) / totalItems) / 10 : 0;
        }),
      })),
    };
  }, [d, text, grid, tip, totalItems]);

  const agingOption = useMemo(
    () => ({
      animation: false,
      textStyle: { color: text, fontFamily: "inherit" },
      grid: { left: 8, right: 8, top: 16, bottom: 4, containLabel: true },
      tooltip: {
        ...tip,
        trigger: "axis",
        axisPointer: { type: "shadow" },
        formatter: (ps: { dataIndex: number }[]) => {
          const b = d.aging[ps[0]?.dataIndex ?? 0];
          return b ? `${b.label} days<br/>${b.items} items<br/>${formatMinor(b.amount_minor, exp)} ${cur}` : "";
        },
      },
      xAxis: { type: "category", data: d.aging.map((a) => `${a.label} d`), axisLabel: { color: text }, axisLine: { lineStyle: { color: grid } } },
      yAxis: { type: "value", minInterval: 1, axisLabel: { color: text }, splitLine: { lineStyle: { color: grid } } },
      series: [
        {
          type: "bar",
          barMaxWidth: 36,
          data: d.aging.map((a, i) => ({ value: a.items, itemStyle: { color: ["#10b981", "#84cc16", "#f59e0b", "#f97316", "#dc2626"][i] ?? "#6b7280" } })),
          label: { show: true, position: "top", color: text },
        },
      ],
    }),
    [d, text, grid, tip, exp, cur],
  );

  const st = d.statement;
  const adjusted = sumMinor([st.bank_closing_minor, ...st.rows.map((r) => r.amount_minor)]);
  const unexplained = st.unexplained_difference_minor;

  return (
    <div className="dashboard" data-testid="dashboard">
      <div className="kpis">
        <Kpi label="Match rate" testid="kpi-match-rate" value={formatPermille(w.match_rate_permille)} sub={`${totalItems.toLocaleString("en-US")} items`} />
        <Kpi label="Matched amount" testid="kpi-matched-amount" value={formatMinor(d.matched_amount_minor, exp)} sub={cur} />
        <Kpi label="Open amount" testid="kpi-open-amount" value={formatMinor(d.open_amount_minor, exp)} sub={cur} />
        <Kpi label="Open exceptions" testid="kpi-open-exceptions" value={w.open_exceptions.toLocaleString("en-US")} sub={w.oldest_exception_days === null ? "none" : `oldest ${w.oldest_exception_days} d`} />
        <Kpi label="Bank lines" testid="kpi-bank-lines" value={w.bank_lines.toLocaleString("en-US")} />
        <Kpi label="Ledger entries" testid="kpi-ledger-entries" value={w.ledger_entries.toLocaleString("en-US")} />
      </div>

      {d.limits.length > 0 && (
        <div className="inbox-error stale" role="status" data-testid="match-limits" data-count={d.limits.length}>
          <span className="strong">The last run reached limits of its rules: what they left out was not matched or suggested</span>
          <ul className="small">
            {d.limits.map((l) => (
              <li key={l} data-testid="match-limit">
                {l}
              </li>
            ))}
          </ul>
        </div>
      )}

      <div className="dash-grid">
        <div className="card">
          <div className="card-title">Match rate per rule</div>
          {d.rules.length ? <Chart option={rulesOption} height={Math.max(140, 28 * new Set(d.rules.map((r) => r.rule)).size + 40)} testid="chart-rules" label="Match rate per rule" /> : <div className="muted pad">No matches yet: run matching.</div>}
          <table className="table compact" data-testid="rules-table">
            <thead>
              <tr>
                <th>Rule</th>
                <th>Status</th>
                <th className="num">Groups</th>
                <th className="num">Items</th>
                <th className="num">Amount ({cur})</th>
              </tr>
            </thead>
            <tbody>
              {d.rules.map((r) => (
                <tr key={`${r.rule}-${r.status}`} data-testid="rule-row">
                  <td className="mono">{r.rule}</td>
                  <td>
                    <Badge kind={r.status === "auto" ? "accent" : r.status === "manual" ? "warn" : "ok"}>{r.status}</Badge>
                  </td>
                  <td className="num">{r.groups.toLocaleString("en-US")}</td>
                  <td className="num">{r.items.toLocaleString("en-US")}</td>
                  <td className="num">{formatMinor(r.amount_minor, exp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>

        <div className="card">
          <div className="card-title">Exception aging</div>
          <Chart option={agingOption} height={180} testid="chart-aging" label="Exception aging" />
          <table className="table compact" data-testid="aging-table">
            <thead>
              <tr>
                <th>Days open</th>
                <th className="num">Items</th>
                <th className="num">Amount ({cur})</th>
              </tr>
            </thead>
            <tbody>
              {d.aging.map((a) => (
                <tr key={a.label}>
                  <td>{a.label}</td>
                  <td className="num">{a.items.toLocaleString("en-US")}</td>
                  <td className="num">{formatMinor(a.amount_minor, exp)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>

        <div className="card statement-card">
          <div className="card-title">Bank reconciliation statement</div>
          <table className="table statement" data-testid="statement-table">
            <tbody>
              <tr className="total">
                <th>Bank closing balance</th>
                <td className="num" data-testid="statement-bank-closing" data-minor={st.bank_closing_minor}>
                  {formatMinor(st.bank_closing_minor, exp)}
                </td>
              </tr>
              {st.rows.map((r) => (
                <tr key={r.label} data-testid="statement-row">
                  <td className="indent">{r.label}</td>
                  <td className={`num ${r.amount_minor < 0 ? "neg" : ""}`}>{formatMinor(r.amount_minor, exp)}</td>
                </tr>
              ))}
              <tr className="subtotal">
                <th>Adjusted bank balance</th>
                <td className="num" data-testid="statement-adjusted-bank">
                  {formatMinor(adjusted, exp)}
                </td>
              </tr>
              <tr className="total">
                <th>Ledger balance</th>
                <td className="num" data-testid="statement-ledger-balance" data-minor={st.ledger_balance_minor}>
                  {formatMinor(st.ledger_balance_minor, exp)}
                </td>
              </tr>
              <tr className={`unexplained ${unexplained !== 0 ? "bad" : "good"}`}>
                <th>Unexplained difference</th>
                <td className="num" data-testid="statement-unexplained" data-minor={unexplained}>
                  {unexplained === 0 ? "✓ " : "⚠ "}
                  {formatMinor(unexplained, exp)}
                </td>
              </tr>
            </tbody>
          </table>
          <div className="muted small">
            Amounts in {cur}. Prepare for sign-off once the unexplained difference is 0.
          </div>
        </div>
      </div>
    </div>
  );
}

function Kpi(props: { label: string; value: string; sub?: string; testid: string }) {
  return (
    <div className="kpi">
      <div className="kpi-label">{props.label}</div>
      <div className="kpi-value num" data-testid={props.testid}>
        {props.value}
      </div>
      {props.sub && <div className="kpi-sub muted small">{props.sub}</div>}
    </div>
  );
}
