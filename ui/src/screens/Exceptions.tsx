import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { AgGridReact } from "ag-grid-react";
import type { CellFocusedEvent, CellKeyDownEvent, ColDef, GridApi, GridReadyEvent, RowDataUpdatedEvent, RowDoubleClickedEvent } from "ag-grid-community";
import type { ExceptionRow } from "../bindings/ExceptionRow";
import type { Suggestion } from "../bindings/Suggestion";
import { amountCol, DEFAULT_COL } from "../components/grid";
import { Badge } from "../components/Feedback";
import { useGridTheme } from "../hooks/env";
import { mark, markAfterPaint } from "../logic/perfMarks";
import { decisionEffect, FIRST_PAGE_SIZE, PAGE_SIZE, DEFAULT_FILTERS, EXCEPTION_REASONS, loadAllPages, rowKey, SORTS, type ExceptionFilters } from "../logic/exceptions";
import { isTyping } from "../logic/shortcuts";
import { formatMinor } from "../money";
import { useApp, useLoad, type ItemRef } from "../state/app";

export function Exceptions() {
  const app = useApp();
  const { backend, version, workspace, profile, run, bump, openDetail, showError } = app;
  const theme = useGridTheme();
  const exp = workspace?.exponent ?? 2;
  const cur = workspace?.currency ?? "";

  const [filters, setFilters] = useState<ExceptionFilters>(DEFAULT_FILTERS);
  const [textInput, setTextInput] = useState("");
  const [rows, setRows] = useState<ExceptionRow[]>([]);
  const [total, setTotal] = useState<number | null>(null);
  const [loading, setLoading] = useState(false);
  const [selected, setSelected] = useState<ExceptionRow[]>([]);
  const [focused, setFocused] = useState<ExceptionRow | null>(null);
  const apiRef = useRef<GridApi<ExceptionRow> | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);

  // Free-text search is debounced; the other filters apply at once.
  useEffect(() => {
    const t = setTimeout(() => setFilters((f) => (f.text === textInput ? f : { ...f, text: textInput })), 250);
    return () => clearTimeout(t);
  }, [textInput]);

  // Page through list_exceptions into the client-side row model: a first small page shows at
  // once, the rest arrives in 10,000-row pages and goes to the grid in one update at the end. A
  // reload with the same filters (after a decision) keeps the rows on screen until the new list
  // is complete, so the grid does not shrink to one page and jump.
  const loadedFilters = useRef<ExceptionFilters | null>(null);
  useEffect(() => {
    let cancelled = false;
    const refresh = loadedFilters.current === filters;
    setLoading(true);
    mark("exceptions-requested");
    const pages: ExceptionRow[][] = [];
    loadAllPages(
      (q) => backend.listExceptions(q),
      filters,
      (page, _loaded, t) => {
        pages.push(page);
        if (pages.length === 1 && !refresh) {
          setRows(page);
          setTotal(t);
          markAfterPaint("exceptions-first-rows");
        }
      },
      () => cancelled,
      PAGE_SIZE,
      FIRST_PAGE_SIZE,
    )
      .then((complete) => {
        if (!cancelled && complete) {
          mark("exceptions-fetched");
          const all = pages.length === 1 ? pages[0]! : pages.flat();
          loadedFilters.current = filters;
          if (refresh || pages.length > 1) setRows(all);
          setTotal(all.length);
          mark("exceptions-rows", all.length);
          markAfterPaint("exceptions-all-rows");
          setLoading(false);
        }
      })
      .catch((e) => {
        if (!cancelled) {
          setLoading(false);
          showError(e);
        }
      });
    return () => {
      cancelled = true;
    };
  }, [backend, filters, version, showError]);

  /** Shows a decision on suggestions in the grid at once (the reload that follows reconciles). */
  const showDecision = useCallback((decided: Suggestion[], accepted: boolean) => {
    const api = apiRef.current;
    if (!api || !decided.length) return;
    const { remove, update } = decisionEffect(decided, accepted, (key) => api.getRowNode(key)?.data);
    if (remove.length || update.length) api.applyTransaction({ remove, update });
    mark("decision-grid-applied");
    markAfterPaint("decision-grid-updated");
  }, []);
  /** Accepts or rejects suggestions, then shows it in the grid. */
  const decideSuggestions = useCallback(
    async (decided: Suggestion[], accept: boolean, ok: string) => {
      const ids = decided.map((s) => s.id);
      mark("decision-start");
      const receipt = await run((b) => (accept ? b.acceptSuggestions(ids) : b.rejectSuggestions(ids)), { ok });
      if (receipt) {
        mark("decision-stored");
        showDecision(decided, accept);
        // The reload (this list, the dashboard, the suggestions) starts after the grid has
        // painted the decision, so the clerk sees it first.
        requestAnimationFrame(() => setTimeout(bump, 0));
      }
      return receipt;
    },
    [run, showDecision, bump],
  );

  // After a reload keep the focused row's data current; when it left the list (accepted,
  // matched), the row that took its place gets the focus, so a/r can go on down the list.
  const firstFocus = useRef(true);
  const onRowDataUpdated = useCallback((e: RowDataUpdatedEvent<ExceptionRow>) => {
    const api = e.api;
    if (firstFocus.current && api.getDisplayedRowCount() > 0 && !document.activeElement?.closest("input,select,textarea")) {
      firstFocus.current = false;
      api.setFocusedCell(0, "item_id");
    }
    setFocused((f) => {
      if (!f) return null;
      const same = api.getRowNode(rowKey(f));
      if (same?.data) return same.data;
      const cell = api.getFocusedCell();
      const node = cell ? api.getDisplayedRowAtIndex(Math.min(cell.rowIndex, api.getDisplayedRowCount() - 1)) : null;
      return node?.data ?? null;
    });
  }, []);

  const columns = useMemo<ColDef<ExceptionRow>[]>(
    () => [
      {
        field: "side",
        headerName: "Side",
        width: 76,
        pinned: "left",
        filter: true,
        cellRenderer: (p: { value: string }) => <span className={`side side-${p.value}`}>{p.value}</span>,
      },
      { field: "item_id", headerName: "Item", width: 122, cellClass: "mono", pinned: "left" },
      { field: "date", headerName: "Date", width: 92, cellClass: "mono" },
      { field: "days_open", headerName: "Days", width: 58, type: "rightAligned", filter: "agNumberColumnFilter" },
      amountCol(exp, { width: 110 }),
      {
        field: "reason",
        headerName: "Reason",
        width: 104,
        filter: true,
        cellRenderer: (p: { value: string }) => <span className={`reason reason-${p.value}`}>{p.value}</span>,
      },
      { field: "suggestions", headerName: "Sugg.", width: 56, type: "rightAligned", headerTooltip: "Open suggestions" },
      { field: "reference", headerName: "Reference", width: 118, cellClass: "mono", filter: true },
      { field: "description", headerName: "Description", flex: 1, minWidth: 110, filter: true, tooltipField: "description" },
      { field: "assignee", headerName: "Assignee", width: 82, valueFormatter: (p) => p.value ?? "" },
    ],
    [exp],
  );

  const onGridReady = useCallback((e: GridReadyEvent<ExceptionRow>) => {
    apiRef.current = e.api;
  }, []);

  const onFocus = useCallback((e: CellFocusedEvent<ExceptionRow>) => {
    if (e.rowIndex === null || e.rowIndex === undefined || e.rowPinned) return;
    const node = e.api.getDisplayedRowAtIndex(e.rowIndex);
    if (node?.data) setFocused(node.data);
  }, []);

  const onKey = useCallback(
    (e: CellKeyDownEvent<ExceptionRow>) => {
      const ke = e.event as KeyboardEvent | null;
      if (ke?.key === "Enter" && e.data) {
        ke.preventDefault();
        openDetail({ side: e.data.side, itemId: e.data.item_id });
      }
    },
    [openDetail],
  );

  const selectedRefs = (): [string, string][] => selected.map((r) => [r.side, r.item_id]);

  const assign = (who: string | null) => {
    if (!selected.length) return;
    void run((b) => b.assignItems(selectedRefs(), who), { ok: `${selected.length} item(s) ${who ? `assigned to ${who}` : "unassigned"}`, change: true });
  };

  /** The best suggestion of each selected row, skipping ones that overlap an earlier pick. */
  const BULK_LIMIT = 500;
  const acceptBest = async () => {
    const all = selected.filter((r) => r.suggestions > 0);
    const withS = all.slice(0, BULK_LIMIT);
    if (!withS.length) return;
    if (all.length > BULK_LIMIT) app.toast(`Taking the first ${BULK_LIMIT} of ${all.length} selected items with suggestions`);
    const picks: number[] = [];
    const picked: Suggestion[] = [];
    const used = new Set<string>();
    for (const r of withS) {
      const ss = await run((b) => b.listSuggestions(r.side, r.item_id));
      if (!ss) return;
      const best = ss.find((s) => !picks.includes(s.id) && [...s.bank.map((i) => `bank:${i}`), ...s.ledger.map((i) => `ledger:${i}`)].every((k) => !used.has(k)));
      if (best) {
        picks.push(best.id);
        picked.push(best);
        for (const k of [...best.bank.map((i) => `bank:${i}`), ...best.ledger.map((i) => `ledger:${i}`)]) used.add(k);
      }
    }
    if (picks.length) await decideSuggestions(picked, true, `Accepted ${picks.length} suggestion(s)`);
  };

  const rejectAll = async () => {
    const all = selected.filter((r) => r.suggestions > 0);
    const withS = all.slice(0, BULK_LIMIT);
    if (all.length > BULK_LIMIT) app.toast(`Taking the first ${BULK_LIMIT} of ${all.length} selected items with suggestions`);
    const byId = new Map<number, Suggestion>();
    for (const r of withS) {
      const ss = await run((b) => b.listSuggestions(r.side, r.item_id));
      if (!ss) return;
      for (const s of ss) byId.set(s.id, s);
    }
    if (byId.size) await decideSuggestions([...byId.values()], false, `Rejected ${byId.size} suggestion(s)`);
  };

  const toManual = () => {
    const refs: ItemRef[] = selected.map((r) => ({ side: r.side, itemId: r.item_id }));
    app.setManualPreselect(refs);
    app.go("manual");
  };

  // Screen shortcuts: "/" search, a / r accept / reject the focused row's best suggestion,
  // Shift+M assign the selection to me.
  const suggestionsRef = useRef<Suggestion[]>([]);
  useEffect(() => {
    const onKeyDown = (e: KeyboardEvent) => {
      if (isTyping(e.target) || e.ctrlKey || e.metaKey || e.altKey) return;
      if (e.key === "/") {
        e.preventDefault();
        searchRef.current?.focus();
        searchRef.current?.select();
      } else if ((e.key === "a" || e.key === "r") && suggestionsRef.current.length) {
        const s = suggestionsRef.current[0]!;
        e.preventDefault();
        void decideSuggestions([s], e.key === "a", `Suggestion ${s.id} ${e.key === "a" ? "accepted" : "rejected"}`);
      } else if (e.key === "M" && e.shiftKey && profile) {
        e.preventDefault();
        assign(profile.user);
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  });

  const setF = (patch: Partial<ExceptionFilters>) => setFilters((f) => ({ ...f, ...patch }));

  return (
    <section className="screen fill" data-testid="screen-exceptions">
      <header className="screen-head">
        <h1>Exceptions</h1>
        <span className="muted" data-testid="exceptions-count" data-loaded={rows.length} data-total={total ?? ""} data-loading={loading ? "true" : "false"}>
          {total === null ? "Loading…" : `${rows.length.toLocaleString("en-US")} of ${total.toLocaleString("en-US")}${loading ? " (loading…)" : ""}`}
        </span>
      </header>
      <div className="toolbar">
        <input
          ref={searchRef}
          type="search"
          className="search"
          placeholder="Search id, reference, description, amount…  ( / )"
          value={textInput}
          onChange={(e) => setTextInput(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === "Enter") setF({ text: textInput });
            if (e.key === "Escape") (e.target as HTMLInputElement).blur();
          }}
          data-testid="exceptions-search"
          aria-label="Search exceptions"
        />
        <select value={filters.side} onChange={(e) => setF({ side: e.target.value as ExceptionFilters["side"] })} data-testid="exceptions-filter-side" aria-label="Side">
          <option value="">Both sides</option>
          <option value="bank">Bank</option>
          <option value="ledger">Ledger</option>
        </select>
        <select value={filters.reason} onChange={(e) => setF({ reason: e.target.value })} data-testid="exceptions-filter-reason" aria-label="Reason">
          <option value="">All reasons</option>
          {EXCEPTION_REASONS.map((r) => (
            <option key={r} value={r}>
              {r}
            </option>
          ))}
        </select>
        <select value={filters.sort} onChange={(e) => setF({ sort: e.target.value as ExceptionFilters["sort"] })} data-testid="exceptions-sort" aria-label="Sort">
          {SORTS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
        <button
          className="btn ghost"
          onClick={() => {
            setTextInput("");
            setFilters(DEFAULT_FILTERS);
          }}
          data-testid="exceptions-clear-filters"
        >
          Clear
        </button>
      </div>

      <div className={`bulkbar ${selected.length ? "active" : ""}`} data-testid="bulk-bar">
        <span className="strong" data-testid="selection-count" data-count={selected.length}>
          {selected.length.toLocaleString("en-US")} selected
        </span>
        <button className="btn small" disabled={!selected.length} onClick={() => profile && assign(profile.user)} data-testid="bulk-assign-me" title="Shift+M">
          Assign to me
        </button>
        <button className="btn small" disabled={!selected.length} onClick={() => assign(null)} data-testid="bulk-unassign">
          Unassign
        </button>
        <button className="btn small" disabled={!selected.some((r) => r.suggestions > 0)} onClick={() => void acceptBest()} data-testid="bulk-accept-best">
          Accept best suggestions
        </button>
        <button className="btn small" disabled={!selected.some((r) => r.suggestions > 0)} onClick={() => void rejectAll()} data-testid="bulk-reject-suggestions">
          Reject suggestions
        </button>
        <button className="btn small" disabled={!selected.length} onClick={toManual} data-testid="bulk-manual-match">
          Manual match…
        </button>
        <button className="btn small ghost" disabled={!selected.length} onClick={() => apiRef.current?.deselectAll()} data-testid="bulk-clear">
          Clear selection
        </button>
        <span className="spacer" />
        <span className="muted small hint">Space selects · Enter opens · a/r accept/reject</span>
      </div>

      <div className="split">
        <div className="grid-wrap" data-testid="exceptions-grid">
          <AgGridReact<ExceptionRow>
            theme={theme}
            rowData={rows}
            columnDefs={columns}
            defaultColDef={DEFAULT_COL}
            getRowId={(p) => rowKey(p.data)}
            rowSelection={{ mode: "multiRow", checkboxes: true, headerCheckbox: true, enableClickSelection: false, selectAll: "filtered" }}
            selectionColumnDef={{ pinned: "left", width: 36, minWidth: 36, maxWidth: 36, resizable: false, suppressHeaderMenuButton: true }}
            onGridReady={onGridReady}
            onSelectionChanged={(e) => setSelected(e.api.getSelectedRows())}
            onCellFocused={onFocus}
            onRowDataUpdated={onRowDataUpdated}
            onCellKeyDown={onKey}
            onRowClicked={(e) => e.data && setFocused(e.data)}
            onRowDoubleClicked={(e: RowDoubleClickedEvent<ExceptionRow>) => e.data && openDetail({ side: e.data.side, itemId: e.data.item_id })}
            rowBuffer={20}
            animateRows={false}
            suppressCellFocus={false}
            enableCellTextSelection={false}
            overlayNoRowsTemplate={loading ? "Loading…" : "No open exceptions match."}
            rowClassRules={{ focused: (p) => !!focused && p.data?.side === focused.side && p.data?.item_id === focused.item_id }}
          />
        </div>
        <SuggestionsPanel focused={focused} exponent={exp} currency={cur} onLoaded={(s) => (suggestionsRef.current = s)} decide={decideSuggestions} />
      </div>
    </section>
  );
}

function SuggestionsPanel(props: {
  focused: ExceptionRow | null;
  exponent: number;
  currency: string;
  onLoaded: (s: Suggestion[]) => void;
  decide: (decided: Suggestion[], accept: boolean, ok: string) => Promise<unknown>;
}) {
  const { openDetail } = useApp();
  const [showAll, setShowAll] = useState(false);
  const [checked, setChecked] = useState<Set<number>>(new Set());
  // Arrowing through the grid should not send a request per row passed.
  const [f, setF] = useState<ExceptionRow | null>(props.focused);
  useEffect(() => {
    const t = setTimeout(() => setF(props.focused), 120);
    return () => clearTimeout(t);
  }, [props.focused]);
  const { data, loading } = useLoad(
    (b) => (showAll ? b.listSuggestions(null, null) : f ? b.listSuggestions(f.side, f.item_id) : Promise.resolve([] as Suggestion[])),
    [showAll, f?.side, f?.item_id],
  );
  const list = data ?? [];
  useEffect(() => {
    props.onLoaded(showAll ? [] : list);
    setChecked((c) => new Set([...c].filter((id) => list.some((s) => s.id === id))));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [data, showAll]);

  const decide = (ids: number[], accept: boolean) =>
    props.decide(
      list.filter((s) => ids.includes(s.id)),
      accept,
      `${ids.length} suggestion(s) ${accept ? "accepted" : "rejected"}`,
    );

  const toggle = (id: number) =>
    setChecked((c) => {
      const n = new Set(c);
      if (n.has(id)) n.delete(id);
      else n.add(id);
      return n;
    });

  return (
    <aside className="suggestions" data-testid="suggestions-panel" data-count={list.length}>
      <div className="panel-head">
        <div className="strong">{showAll ? "All open suggestions" : f ? `Suggestions for ${f.item_id}` : "Suggestions"}</div>
        <label className="small nowrap">
          <input type="checkbox" checked={showAll} onChange={(e) => setShowAll(e.target.checked)} data-testid="suggestions-show-all" /> all
        </label>
      </div>
      {checked.size > 0 && (
        <div className="row gap pad-s">
          <span className="small">{checked.size} checked</span>
          <button className="btn small primary" onClick={() => void decide([...checked], true)} data-testid="suggestions-accept-selected">
            Accept
          </button>
          <button className="btn small danger" onClick={() => void decide([...checked], false)} data-testid="suggestions-reject-selected">
            Reject
          </button>
        </div>
      )}
      <div className="panel-body">
        {!showAll && !f && <div className="muted pad">Focus a row (click or arrow keys) to see its suggestions.</div>}
        {loading && list.length === 0 && (showAll || f) && <div className="muted pad">Loading…</div>}
        {!loading && list.length === 0 && (showAll || f) && <div className="muted pad">No open suggestions{f && !showAll ? " for this item" : ""}.</div>}
        {list.map((s, i) => (
          <div key={s.id} className={`suggestion ${i === 0 && !showAll ? "best" : ""}`} data-testid={`suggestion-${s.id}`} data-suggestion-id={s.id}>
            <div className="row gap">
              <input type="checkbox" checked={checked.has(s.id)} onChange={() => toggle(s.id)} data-testid={`suggestion-select-${s.id}`} aria-label={`Select suggestion ${s.id}`} />
              <span className="mono strong">{s.rule}</span>
              <Badge kind={s.score >= 80 ? "ok" : s.score >= 60 ? "warn" : "bad"} title="Score">
                {s.score}
              </Badge>
              <span className="spacer" />
              <span className={`num small ${s.difference_minor !== 0 ? "neg" : "muted"}`} title="Difference (bank − ledger)">
                Δ {formatMinor(s.difference_minor, props.exponent, { plus: true })} {props.currency}
              </span>
            </div>
            <div className="explanation" data-testid={`suggestion-explanation-${s.id}`}>
              {s.explanation}
            </div>
            <div className="items small">
              {s.bank.map((id) => (
                <button key={`b-${id}`} className="chip side-bank" onClick={() => openDetail({ side: "bank", itemId: id })}>
                  bank {id}
                </button>
              ))}
              {s.ledger.map((id) => (
                <button key={`l-${id}`} className="chip side-ledger" onClick={() => openDetail({ side: "ledger", itemId: id })}>
                  ledger {id}
                </button>
              ))}
            </div>
            <div className="row gap">
              <button className="btn small primary" onClick={() => void decide([s.id], true)} data-testid={`suggestion-accept-${s.id}`}>
                Accept
              </button>
              <button className="btn small" onClick={() => void decide([s.id], false)} data-testid={`suggestion-reject-${s.id}`}>
                Reject
              </button>
            </div>
          </div>
        ))}
      </div>
    </aside>
  );
}
