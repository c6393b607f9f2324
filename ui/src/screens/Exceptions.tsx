import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { AgGridReact } from "ag-grid-react";
import type {
  CellClassParams,
  CellClassRules,
  CellFocusedEvent,
  CellKeyDownEvent,
  ColDef,
  GetRowIdParams,
  GridApi,
  GridReadyEvent,
  IRowNode,
  RowClassRules,
  RowClickedEvent,
  RowDoubleClickedEvent,
  RowSelectionOptions,
  SelectionChangedEvent,
  SelectionColumnDef,
  SortChangedEvent,
  SortModelItem,
} from "ag-grid-community";
import type { Backend } from "../backend/Backend";
import type { DecisionReceipt } from "../bindings/DecisionReceipt";
import type { Suggestion } from "../bindings/Suggestion";
import { amountCol, DEFAULT_COL } from "../components/grid";
import { Badge } from "../components/Feedback";
import { useGridTheme } from "../hooks/env";
import { mark, markAfterPaint } from "../logic/perfMarks";
import {
  assignmentEffect,
  BLOCK_SIZE,
  blockQuery,
  blocksSettled,
  decisionEffect,
  DEFAULT_FILTERS,
  EXCEPTION_REASONS,
  exceptionDatasource,
  loadedSelection,
  MAX_BLOCKS,
  modelForSort,
  queryKey,
  rowKey,
  SORTABLE_COLUMNS,
  sortFromModel,
  SORTS,
  type ExceptionFilters,
  type ExceptionSort,
  type QueueRow,
} from "../logic/exceptions";
import { isTyping } from "../logic/shortcuts";
import { formatMinor } from "../money";
import { useApp, useLoad, type ItemRef } from "../state/app";

// The infinite row model has no select-all (a header checkbox would only warn), so rows are
// selected one by one, or by range with Shift.
const ROW_SELECTION: RowSelectionOptions = { mode: "multiRow", checkboxes: true, headerCheckbox: false, enableClickSelection: false };
// No pinned columns: a pinned column doubles each rendered row (a left container beside the centre
// one), which made scrolled frames slower (BENCHMARKS.md). The cost: in a narrow window, with the
// suggestions panel open, scrolling right to Description and Assignee moves Side and Item away.
const SELECTION_COLUMN: SelectionColumnDef = { width: 36, minWidth: 36, maxWidth: 36, resizable: false, suppressHeaderMenuButton: true };
// Only the columns the server sorts by are sortable (SORTABLE_COLUMNS); rows are never sorted
// in the page, nor filtered by column (the toolbar filters on the server).
const COLUMN_DEFAULTS: ColDef = { ...DEFAULT_COL, sortable: false, filter: false };
const getRowId = (p: GetRowIdParams<QueueRow>) => rowKey(p.data);

/** A column whose header click sorts on the server: both directions, never unsorted. The first
 * click gives the direction the default sort shows (oldest first, largest amount first). */
function serverSorted(colId: string, first: "asc" | "desc"): Pick<ColDef, "sortable" | "sortingOrder" | "initialSort"> {
  const initial = modelForSort(DEFAULT_FILTERS.sort)[0]!;
  return {
    sortable: SORTABLE_COLUMNS.includes(colId),
    sortingOrder: first === "asc" ? ["asc", "desc"] : ["desc", "asc"],
    initialSort: initial.colId === colId ? initial.sort : undefined,
  };
}

/** Badge-like cells as classes on the cell (`cell-badge-<field>-<value>`), not a cell renderer. */
function badgeClasses(field: "side" | "reason", values: readonly string[]): Pick<ColDef<QueueRow>, "cellClass" | "cellClassRules"> {
  const rules: CellClassRules<QueueRow> = {};
  for (const v of values) rules[`cell-badge-${field}-${v}`] = (p: CellClassParams<QueueRow>) => p.value === v;
  return { cellClass: `cell-badge-${field}`, cellClassRules: rules };
}

/** The grid's sort model, in sort order. */
function sortModelOf(api: GridApi<QueueRow>): SortModelItem[] {
  return api
    .getColumnState()
    .filter((c) => c.sort)
    .sort((a, b) => (a.sortIndex ?? 0) - (b.sortIndex ?? 0))
    .map((c) => ({ colId: c.colId, sort: c.sort! }));
}

/** The loaded rows' nodes by row id. */
function loadedNodes(api: GridApi<QueueRow>): Map<string, IRowNode<QueueRow>> {
  const nodes = new Map<string, IRowNode<QueueRow>>();
  api.forEachNode((n) => {
    if (n.id !== undefined && n.data) nodes.set(n.id, n);
  });
  return nodes;
}

/** Does every row the grid has rendered (the viewport and its buffer) have its data? */
function renderedRowsLoaded(api: GridApi<QueueRow>): boolean {
  const last = api.getLastDisplayedRowIndex();
  for (let i = Math.max(0, api.getFirstDisplayedRowIndex()); i <= last; i++) if (!api.getDisplayedRowAtIndex(i)?.data) return false;
  return true;
}

export function Exceptions() {
  const app = useApp();
  const { backend, version, workspace, profile, run, bump, openDetail, showError } = app;
  const theme = useGridTheme();
  const exp = workspace?.exponent ?? 2;
  const cur = workspace?.currency ?? "";

  const [filters, setFilters] = useState<ExceptionFilters>(DEFAULT_FILTERS);
  const [textInput, setTextInput] = useState("");
  const [total, setTotal] = useState<number | null>(null);
  const [loading, setLoading] = useState(true);
  const [selected, setSelected] = useState<QueueRow[]>([]);
  const [focused, setFocused] = useState<QueueRow | null>(null);
  const [api, setApi] = useState<GridApi<QueueRow> | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  // The filters as of the last render, for the grid's event handlers.
  const filtersRef = useRef(filters);
  useLayoutEffect(() => {
    filtersRef.current = filters;
  }, [filters]);

  // Free-text search is debounced; the other filters apply at once.
  useEffect(() => {
    const t = setTimeout(() => setFilters((f) => (f.text === textInput ? f : { ...f, text: textInput })), 250);
    return () => clearTimeout(t);
  }, [textInput]);

  // The query (less offset and limit) the grid is opening with: its first block sets the opening
  // marks. Loading lasts from opening (or a refresh) until every block the grid holds is loaded.
  const opening = useRef<{ key: string; firstRows: boolean } | null>(null);
  const refreshing = useRef(false);
  const firstFocus = useRef(true);
  const startOpening = useCallback((grid: GridApi<QueueRow>, f: ExceptionFilters) => {
    opening.current = { key: queryKey(blockQuery(f, sortModelOf(grid), 0, 0)), firstRows: false };
    mark("exceptions-requested");
    setLoading(true);
  }, []);

  // Blocks load as the grid scrolls: an unchanged selection keeps its array, so that renders nothing.
  const syncSelection = useCallback((grid: GridApi<QueueRow>) => {
    const next = loadedSelection(grid.getSelectedNodes());
    setSelected((prev) => (prev.length === next.length && prev.every((r, i) => r === next[i]) ? prev : next));
  }, []);

  // Keep the focused row's data current as blocks load; when it left the list (accepted,
  // matched), the row that took its place gets the focus, so a/r can go on down the list.
  const syncFocus = useCallback((grid: GridApi<QueueRow>) => {
    setFocused((f) => {
      const same = f ? grid.getRowNode(rowKey(f))?.data : undefined;
      if (same) return same;
      const cell = grid.getFocusedCell();
      const count = grid.getDisplayedRowCount();
      if (!cell || cell.rowPinned || count === 0) return count === 0 ? null : f;
      return grid.getDisplayedRowAtIndex(Math.min(cell.rowIndex, count - 1))?.data ?? f;
    });
  }, []);

  // Rows come from list_exceptions a block at a time (AG Grid's infinite row model): the first
  // block brings the row count, so the scrollbar spans every row at once, and the grid asks for
  // the other blocks as they scroll into view. New filters give a new datasource: the grid drops
  // its blocks and starts again from the top. The sort is the grid's sort model (see onSortChanged).
  const { side, reason, text } = filters;
  useEffect(() => {
    if (!api) return;
    const current: ExceptionFilters = { side, reason, text, sort: filtersRef.current.sort };
    const settle = () => {
      if (!blocksSettled(api.getCacheBlockState())) return;
      setLoading(false);
      if (refreshing.current) {
        refreshing.current = false;
        markAfterPaint("exceptions-refreshed");
      }
    };
    const datasource = exceptionDatasource((q) => backend.listExceptions(q), current, {
      loaded: (q, lastRow) => {
        setTotal(lastRow);
        mark("exceptions-rows", lastRow);
        const o = opening.current;
        if (o && o.key === queryKey(q)) {
          if (!o.firstRows) {
            o.firstRows = true;
            mark("exceptions-first-block");
            markAfterPaint("exceptions-first-rows");
            if (firstFocus.current && lastRow > 0 && !document.activeElement?.closest("input,select,textarea")) {
              firstFocus.current = false;
              api.setFocusedCell(0, "item_id");
            }
          }
          // Open: the grid knows all its rows, and the ones on screen have their data.
          if (renderedRowsLoaded(api)) {
            opening.current = null;
            markAfterPaint("exceptions-open");
          }
        }
        syncFocus(api);
        syncSelection(api);
        settle();
      },
      failed: (_q, e) => {
        showError(e);
        settle();
      },
    });
    startOpening(api, current);
    api.deselectAll();
    api.setGridOption("datasource", datasource);
    api.ensureIndexVisible(0, "top");
  }, [api, backend, side, reason, text, showError, startOpening, syncFocus, syncSelection]);

  // After a change (a decision here or elsewhere) the grid reloads the blocks it holds; the rows
  // on screen keep their data until the new data replaces them.
  const shownVersion = useRef(version);
  useEffect(() => {
    if (!api || shownVersion.current === version) return;
    shownVersion.current = version;
    refreshing.current = true;
    setLoading(true);
    api.refreshInfiniteCache();
  }, [api, version]);

  /** A header click (or the sort menu) changed the grid's sort: the grid reloads from the top. */
  const onSortChanged = useCallback(
    (e: SortChangedEvent<QueueRow>) => {
      const sort = sortFromModel(sortModelOf(e.api)) ?? DEFAULT_FILTERS.sort;
      setFilters((f) => (f.sort === sort ? f : { ...f, sort }));
      startOpening(e.api, { ...filtersRef.current, sort });
      e.api.ensureIndexVisible(0, "top");
    },
    [startOpening],
  );

  /** The sort menu sets the grid's sort model (onSortChanged does the rest). */
  const setSort = (sort: ExceptionSort) => {
    setFilters((f) => ({ ...f, sort }));
    if (api && sortFromModel(sortModelOf(api)) !== sort) api.applyColumnState({ state: modelForSort(sort), defaultState: { sort: null } });
  };

  /** Stores a decision, shows its effect on the loaded rows at once, then refreshes the grid from
   * the server once that has painted, so the clerk sees the decision first. `effect` gives the
   * changed rows, from the loaded rows it finds by key. */
  const decide = useCallback(
    async (call: (b: Backend) => Promise<DecisionReceipt>, ok: string, effect: (find: (key: string) => QueueRow | undefined) => QueueRow[]) => {
      mark("decision-start");
      const receipt = await run(call, { ok });
      if (!receipt) return receipt;
      mark("decision-stored");
      if (api) {
        const nodes = loadedNodes(api);
        for (const row of effect((key) => nodes.get(key)?.data)) {
          const node = nodes.get(rowKey(row));
          node?.setData(row);
          if (row.decided && node?.isSelected()) node.setSelected(false);
        }
        syncSelection(api);
        mark("decision-grid-applied");
        markAfterPaint("decision-grid-updated");
      }
      // The refresh (this grid, the dashboard, the suggestions) starts after that paint.
      requestAnimationFrame(() => setTimeout(bump, 0));
      return receipt;
    },
    [api, run, bump, syncSelection],
  );

  /** Accepts or rejects suggestions. */
  const decideSuggestions = useCallback(
    (decided: Suggestion[], accept: boolean, ok: string) => {
      const ids = decided.map((s) => s.id);
      return decide((b) => (accept ? b.acceptSuggestions(ids) : b.rejectSuggestions(ids)), ok, (find) => decisionEffect(decided, accept, find));
    },
    [decide],
  );

  const columns = useMemo<ColDef<QueueRow>[]>(
    () => [
      { field: "side", headerName: "Side", width: 76, ...badgeClasses("side", ["bank", "ledger"]) },
      { field: "item_id", headerName: "Item", width: 122, cellClass: "mono" },
      { field: "date", headerName: "Date", width: 92, cellClass: "mono", ...serverSorted("date", "asc") },
      { field: "days_open", headerName: "Days", width: 70, type: "rightAligned", ...serverSorted("days_open", "desc") },
      amountCol(exp, { width: 110, filter: false, ...serverSorted("amount_minor", "desc") }),
      { field: "reason", headerName: "Reason", width: 104, ...badgeClasses("reason", EXCEPTION_REASONS) },
      { field: "suggestions", headerName: "Sugg.", width: 56, type: "rightAligned", headerTooltip: "Open suggestions" },
      { field: "reference", headerName: "Reference", width: 118, cellClass: "mono" },
      { field: "description", headerName: "Description", flex: 1, minWidth: 110, tooltipField: "description" },
      { field: "assignee", headerName: "Assignee", width: 82, valueFormatter: (p) => p.value ?? "" },
    ],
    [exp],
  );

  // row-loading: a row whose block has not arrived (the infinite model renders it as empty
  // cells, with no class of its own); the speed benchmark counts these while scrolling.
  const rowClassRules = useMemo<RowClassRules<QueueRow>>(
    () => ({
      focused: (p) => !!focused && p.data?.side === focused.side && p.data?.item_id === focused.item_id,
      "row-decided": (p) => !!p.data?.decided,
      "row-loading": (p) => !p.data,
    }),
    [focused],
  );

  const onGridReady = useCallback((e: GridReadyEvent<QueueRow>) => setApi(e.api), []);
  const onSelectionChanged = useCallback((e: SelectionChangedEvent<QueueRow>) => syncSelection(e.api), [syncSelection]);
  const onRowClicked = useCallback((e: RowClickedEvent<QueueRow>) => e.data && setFocused(e.data), []);
  const onRowDoubleClicked = useCallback(
    (e: RowDoubleClickedEvent<QueueRow>) => e.data && openDetail({ side: e.data.side, itemId: e.data.item_id }),
    [openDetail],
  );

  // A row still loading has no data yet: its block's arrival sets it (syncFocus).
  const onFocus = useCallback((e: CellFocusedEvent<QueueRow>) => {
    if (e.rowIndex === null || e.rowIndex === undefined || e.rowPinned) return;
    setFocused(e.api.getDisplayedRowAtIndex(e.rowIndex)?.data ?? null);
  }, []);

  const onKey = useCallback(
    (e: CellKeyDownEvent<QueueRow>) => {
      const ke = e.event as KeyboardEvent | null;
      if (ke?.key === "Enter" && e.data) {
        ke.preventDefault();
        openDetail({ side: e.data.side, itemId: e.data.item_id });
      }
    },
    [openDetail],
  );

  const assign = (who: string | null) => {
    const rows = selected;
    if (!rows.length) return;
    const refs: [string, string][] = rows.map((r) => [r.side, r.item_id]);
    void decide((b) => b.assignItems(refs, who), `${rows.length} item(s) ${who ? `assigned to ${who}` : "unassigned"}`, (find) =>
      assignmentEffect(rows.map((r) => find(rowKey(r))).filter((r) => r !== undefined), who),
    );
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
        <span className="muted" data-testid="exceptions-count" data-total={total ?? ""} data-loading={loading ? "true" : "false"}>
          {total === null ? "Loading…" : `${total.toLocaleString("en-US")} open${loading ? " (loading…)" : ""}`}
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
        <select value={filters.sort} onChange={(e) => setSort(e.target.value as ExceptionSort)} data-testid="exceptions-sort" aria-label="Sort">
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
            setSort(DEFAULT_FILTERS.sort);
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
        <button className="btn small ghost" disabled={!selected.length} onClick={() => api?.deselectAll()} data-testid="bulk-clear">
          Clear selection
        </button>
        <span className="spacer" />
        <span className="muted small hint">Space selects · Enter opens · a/r accept/reject</span>
      </div>

      <div className="split">
        <div className="grid-wrap" data-testid="exceptions-grid">
          <AgGridReact<QueueRow>
            theme={theme}
            rowModelType="infinite"
            cacheBlockSize={BLOCK_SIZE}
            maxBlocksInCache={MAX_BLOCKS}
            columnDefs={columns}
            defaultColDef={COLUMN_DEFAULTS}
            getRowId={getRowId}
            rowSelection={ROW_SELECTION}
            selectionColumnDef={SELECTION_COLUMN}
            suppressMultiSort
            onGridReady={onGridReady}
            onSortChanged={onSortChanged}
            onSelectionChanged={onSelectionChanged}
            onCellFocused={onFocus}
            onCellKeyDown={onKey}
            onRowClicked={onRowClicked}
            onRowDoubleClicked={onRowDoubleClicked}
            // No rows beyond the viewport: scrolling, every row that comes into view is rendered
            // in that frame anyway, and buffered rows only add to each frame (BENCHMARKS.md).
            rowBuffer={0}
            animateRows={false}
            suppressCellFocus={false}
            enableCellTextSelection={false}
            overlayNoRowsTemplate="No open exceptions match."
            rowClassRules={rowClassRules}
          />
        </div>
        <SuggestionsPanel focused={focused} exponent={exp} currency={cur} onLoaded={(s) => (suggestionsRef.current = s)} decide={decideSuggestions} />
      </div>
    </section>
  );
}

function SuggestionsPanel(props: {
  focused: QueueRow | null;
  exponent: number;
  currency: string;
  onLoaded: (s: Suggestion[]) => void;
  decide: (decided: Suggestion[], accept: boolean, ok: string) => Promise<unknown>;
}) {
  const { openDetail } = useApp();
  const [showAll, setShowAll] = useState(false);
  const [checked, setChecked] = useState<Set<number>>(new Set());
  // Arrowing through the grid should not send a request per row passed.
  const [f, setF] = useState<QueueRow | null>(props.focused);
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
