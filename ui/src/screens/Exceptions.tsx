import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { Backend } from "../backend/Backend";
import type { DecisionReceipt } from "../bindings/DecisionReceipt";
import type { Suggestion } from "../bindings/Suggestion";
import { Badge } from "../components/Feedback";
import { exceptionColumns } from "../components/exceptionColumns";
import { QueueGrid, type GridSort } from "../components/QueueGrid";
import { mark, markAfterPaint } from "../logic/perfMarks";
import {
  assignmentEffect,
  decisionEffect,
  DEFAULT_FILTERS,
  EXCEPTION_REASONS,
  headerSort,
  modelForSort,
  rowKey,
  SORTS,
  type ExceptionFilters,
  type ExceptionSort,
  type QueueRow,
} from "../logic/exceptions";
import type { RowBlocks } from "../logic/rowBlocks";
import { useQueueRows } from "../hooks/useQueueRows";
import { isTyping } from "../logic/shortcuts";
import { formatMinor } from "../money";
import { useApp, useLoad } from "../state/app";

/** The column that shows a server sort, and its direction. */
function gridSortOf(sort: ExceptionSort): GridSort {
  const m = modelForSort(sort)[0]!;
  return { colId: m.colId, dir: m.sort };
}

export function Exceptions() {
  const app = useApp();
  const { workspace, profile, run, bump, openDetail } = app;
  const exp = workspace?.exponent ?? 2;
  const cur = workspace?.currency ?? "";

  const [filters, setFilters] = useState<ExceptionFilters>(DEFAULT_FILTERS);
  // The column whose header shows the sort (Date and Days both show the age sort).
  const [gridSort, setGridSort] = useState<GridSort>(() => gridSortOf(DEFAULT_FILTERS.sort));
  const [textInput, setTextInput] = useState("");
  const [focusedIndex, setFocusedIndex] = useState<number | null>(null);
  const [focused, setFocused] = useState<QueueRow | null>(null);
  const focusedRef = useRef<{ index: number | null; row: QueueRow | null }>({ index: null, row: null });
  useLayoutEffect(() => {
    focusedRef.current = { index: focusedIndex, row: focused };
  }, [focusedIndex, focused]);
  const searchRef = useRef<HTMLInputElement>(null);

  // Free-text search is debounced; the other filters apply at once.
  useEffect(() => {
    const t = setTimeout(() => setFilters((f) => (f.text === textInput ? f : { ...f, text: textInput })), 250);
    return () => clearTimeout(t);
  }, [textInput]);

  /** After rows arrived: the focused row and the selected rows take their latest data. When the
   * focused row left the list (accepted, matched), the row that took its place gets the focus, so
   * a/r can go on down the list. */
  const syncRows = (b: RowBlocks<QueueRow>) => {
    if (selection.current.size > 0) {
      for (const row of b.loadedRows()) {
        const key = rowKey(row);
        if (selection.current.has(key)) selection.current.set(key, row);
      }
      syncSelection();
    }
    const { index, row } = focusedRef.current;
    if (index === null) return;
    const count = b.total ?? 0;
    // Mostly the focused row is still where it was; else it is looked for among the loaded rows.
    const there = b.row(index);
    const same = !row ? null : there && rowKey(there) === rowKey(row) ? { row: there, index } : b.find(rowKey(row));
    if (same) {
      if (same.index !== index) setFocusedIndex(same.index);
      if (same.row !== row) setFocused(same.row);
      return;
    }
    if (count === 0) {
      setFocusedIndex(null);
      setFocused(null);
      return;
    }
    const at = Math.min(index, count - 1);
    const next = b.row(at);
    if (next) {
      if (at !== index) setFocusedIndex(at);
      setFocused(next);
    }
  };

  // Rows come from list_exceptions a block at a time (useQueueRows): the first block brings the
  // row count, so the scrollbar spans every row at once, and the other blocks load as they scroll
  // into view. New filters or a new sort start again from the top, with nothing selected.
  // The opening marks: requested, first block, first rows painted, open (every row known, the
  // ones on screen painted); refreshed after a change.
  const opening = useRef<{ firstRows: boolean } | null>(null);
  const firstFocus = useRef(true);
  const { blocks, grid, total, loading, selected, selection, visible, syncSelection, toggleRow, clearSelection, onRange, rowAt, isSelected } = useQueueRows<QueueRow>({
    filters,
    onQuery: () => {
      opening.current = { firstRows: false };
      mark("exceptions-requested");
    },
    onLoaded: (b, count) => {
      mark("exceptions-rows", count);
      const o = opening.current;
      if (o) {
        if (!o.firstRows) {
          o.firstRows = true;
          mark("exceptions-first-block");
          markAfterPaint("exceptions-first-rows");
          if (firstFocus.current && count > 0 && !document.activeElement?.closest("input,select,textarea")) {
            firstFocus.current = false;
            setFocusedIndex(0);
            setFocused(b.row(0) ?? null);
          }
        }
        const [first, last] = visible.current;
        if (count === 0 || b.has(first, Math.min(last, count - 1))) {
          opening.current = null;
          markAfterPaint("exceptions-open");
        }
      }
      syncRows(b);
    },
    onSettled: (refreshed) => {
      if (refreshed) markAfterPaint("exceptions-refreshed");
    },
  });

  const setSort = (sort: ExceptionSort, shown: GridSort = gridSortOf(sort)) => {
    setGridSort(shown);
    setFilters((f) => (f.sort === sort ? f : { ...f, sort }));
  };

  /** A header click sorts on the server (only the columns it sorts by are clickable). */
  const onHeaderClick = (colId: string) => {
    const next = headerSort(colId, gridSort.colId === colId ? gridSort.dir : null);
    if (next) setSort(next.sort, { colId, dir: next.dir });
  };

  const focusRow = useCallback((i: number) => {
    setFocusedIndex(i);
    setFocused(blocks.current?.row(i) ?? null);
  }, []);

  const openRow = useCallback(
    (i: number) => {
      const r = blocks.current?.row(i);
      if (r) openDetail({ side: r.side, itemId: r.item_id });
    },
    [openDetail],
  );


  /** Stores a decision, shows its effect on the loaded rows at once, then refreshes the grid from
   * the server once that has painted, so the clerk sees the decision first. `effect` gives the
   * changed rows, from the loaded rows it finds by key. */
  const decide = useCallback(
    async (call: (b: Backend) => Promise<DecisionReceipt>, ok: string, effect: (find: (key: string) => QueueRow | undefined) => QueueRow[]) => {
      mark("decision-start");
      const receipt = await run(call, { ok });
      if (!receipt) return receipt;
      mark("decision-stored");
      const b = blocks.current;
      if (b) {
        for (const row of b.replace(effect((key) => b.find(key)?.row ?? selection.current.get(key)))) {
          const key = rowKey(row);
          if (row.decided) selection.current.delete(key);
          else if (selection.current.has(key)) selection.current.set(key, row);
          if (focusedRef.current.row && rowKey(focusedRef.current.row) === key) setFocused(row);
        }
        syncSelection(); // repaints the grid too
        mark("decision-grid-applied");
        markAfterPaint("decision-grid-updated");
      }
      // The refresh (this grid, the dashboard, the suggestions) starts after that paint.
      requestAnimationFrame(() => setTimeout(bump, 0));
      return receipt;
    },
    [run, bump, syncSelection],
  );

  /** Accepts or rejects suggestions. */
  const decideSuggestions = useCallback(
    (decided: Suggestion[], accept: boolean, ok: string) => {
      const ids = decided.map((s) => s.id);
      return decide((b) => (accept ? b.acceptSuggestions(ids) : b.rejectSuggestions(ids)), ok, (find) => decisionEffect(decided, accept, find));
    },
    [decide],
  );

  const columns = useMemo(
    () => exceptionColumns<QueueRow>(exp, ["side", "item_id", "date", "days_open", "amount_minor", "reason", "suggestions", "reference", "description", "assignee"]),
    [exp],
  );
  const rowClass = useCallback((r: QueueRow) => (r.decided ? "row-decided" : ""), []);

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
    app.setManualPreselect(selected.map(({ decided: _, ...row }) => row));
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
        <button className="btn small ghost" disabled={!selected.length} onClick={clearSelection} data-testid="bulk-clear">
          Clear selection
        </button>
        <span className="spacer" />
        <span className="muted small hint">Space selects · Enter opens · a/r accept/reject</span>
      </div>

      <div className="split">
        <div className="grid-wrap" data-testid="exceptions-grid">
          <QueueGrid<QueueRow>
            ref={grid}
            columns={columns}
            // Before the first block: one row, shown loading.
            rowCount={total ?? 1}
            row={rowAt}
            rowKey={rowKey}
            rowClass={rowClass}
            isSelected={isSelected}
            focusedIndex={focusedIndex}
            sort={gridSort}
            onRange={onRange}
            onHeaderClick={onHeaderClick}
            onFocusRow={focusRow}
            onToggleRow={toggleRow}
            onOpenRow={openRow}
            empty="No open exceptions match."
            label="Exceptions"
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
  const { openDetail, version } = useApp();
  const [showAll, setShowAll] = useState(false);
  const [checked, setChecked] = useState<Set<number>>(new Set());
  // Arrowing through the grid should not send a request per row passed.
  const [f, setF] = useState<QueueRow | null>(props.focused);
  useEffect(() => {
    const t = setTimeout(() => setF(props.focused), 120);
    return () => clearTimeout(t);
  }, [props.focused]);
  const focusedKey = showAll ? "all" : props.focused ? rowKey(props.focused) : "";
  const { data, loading } = useLoad(
    async (b) => ({
      key: showAll ? "all" : f ? rowKey(f) : "",
      version,
      list: showAll ? await b.listSuggestions(null, null) : f ? await b.listSuggestions(f.side, f.item_id) : [],
    }),
    [showAll, f?.side, f?.item_id],
  );
  // Only a list read for the focused row, since the last change, is shown and acted on: right after
  // the focus moves or a decision, the previous list would offer suggestions no longer meant.
  const current = data !== undefined && data.key === focusedKey && data.version === version;
  const list = useMemo(() => (current ? data.list : []), [current, data]);
  useEffect(() => {
    props.onLoaded(showAll ? [] : list);
    setChecked((c) => new Set([...c].filter((id) => list.some((s) => s.id === id))));
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [list, showAll]);

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
        <div className="strong">{showAll ? "All open suggestions" : props.focused ? `Suggestions for ${props.focused.item_id}` : "Suggestions"}</div>
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
        {!showAll && !props.focused && <div className="muted pad">Focus a row (click or arrow keys) to see its suggestions.</div>}
        {(loading || !current) && list.length === 0 && (showAll || props.focused) && <div className="muted pad">Loading…</div>}
        {!loading && current && list.length === 0 && (showAll || props.focused) && <div className="muted pad">No open suggestions{props.focused && !showAll ? " for this item" : ""}.</div>}
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
