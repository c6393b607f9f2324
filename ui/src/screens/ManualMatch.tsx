import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import type { Adjustment } from "../bindings/Adjustment";
import type { ExceptionRow } from "../bindings/ExceptionRow";
import { MatchBar } from "../components/MatchBar";
import { exceptionColumns } from "../components/exceptionColumns";
import { QueueGrid, type GridSort } from "../components/QueueGrid";
import { useQueueRows } from "../hooks/useQueueRows";
import { DEFAULT_FILTERS, headerSort, loadAllPages, rowKey, sortFromModel, type ExceptionFilters } from "../logic/exceptions";
import { markAfterPaint } from "../logic/perfMarks";
import { isTyping } from "../logic/shortcuts";
import { useApp } from "../state/app";

type Side = "bank" | "ledger";

/** Ctrl+A selects every item the side's filter matches, up to this many (each is read first). */
export const SELECT_ALL_LIMIT = 1_000;

export function ManualMatch() {
  const { workspace, run, manualPreselect, setManualPreselect, openDetail } = useApp();
  const exp = workspace?.exponent ?? 2;
  const cur = workspace?.currency ?? "";
  const [sel, setSel] = useState<Record<Side, ExceptionRow[]>>({ bank: [], ledger: [] });
  const [busy, setBusy] = useState(false);
  const [barKey, setBarKey] = useState(0);
  // Bumped to empty both sides' selections (Clear, or a match made).
  const [clearToken, setClearToken] = useState(0);
  // Items handed over from the Exceptions screen start selected.
  const [preselect] = useState(manualPreselect);
  useEffect(() => {
    if (manualPreselect.length) setManualPreselect([]);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const submit = async (adjustment: Adjustment | null) => {
    setBusy(true);
    const r = await run((b) => b.manualMatch(sel.bank.map((x) => x.item_id), sel.ledger.map((x) => x.item_id), adjustment), {
      ok: (v) => `Matched${v.group !== null ? ` as group ${v.group}` : ""}${adjustment ? ` with a ${adjustment.reason} adjustment` : ""}`,
      change: true,
    });
    setBusy(false);
    if (r) {
      setClearToken((t) => t + 1);
      setBarKey((k) => k + 1);
    }
  };

  const selection = useMemo(() => ({ bank: sel.bank, ledger: sel.ledger }), [sel]);
  const onBank = useCallback((rows: ExceptionRow[]) => setSel((s) => ({ ...s, bank: rows })), []);
  const onLedger = useCallback((rows: ExceptionRow[]) => setSel((s) => ({ ...s, ledger: rows })), []);
  const onOpen = useCallback((r: ExceptionRow) => openDetail({ side: r.side, itemId: r.item_id }), [openDetail]);
  // The speed benchmark's "manual-open": both sides' first rows painted.
  const sidesShown = useRef(new Set<Side>());
  const onFirstRows = useCallback((side: Side) => {
    sidesShown.current.add(side);
    if (sidesShown.current.size === 2) markAfterPaint("manual-open");
  }, []);

  return (
    <section className="screen fill" data-testid="screen-manual">
      <header className="screen-head">
        <h1>Manual match</h1>
        <span className="muted">Select open items on both sides; the difference is bank − ledger.</span>
      </header>
      <MatchBar key={barKey} selection={selection} exponent={exp} currency={cur} busy={busy} onSubmit={(a) => void submit(a)} onClear={() => setClearToken((t) => t + 1)} />
      <div className="two-grids">
        <SideGrid side="bank" title="Open bank lines" exponent={exp} clearToken={clearToken} preselect={preselect} onSelection={onBank} onOpen={onOpen} onFirstRows={onFirstRows} />
        <SideGrid side="ledger" title="Open ledger entries" exponent={exp} clearToken={clearToken} preselect={preselect} onSelection={onLedger} onOpen={onOpen} onFirstRows={onFirstRows} />
      </div>
    </section>
  );
}

/** One side's open items: the exception queue's grid and block loading, filtered and sorted on
 * the server. A click selects; the selection is kept by key across filters and scrolling. */
function SideGrid(props: {
  side: Side;
  title: string;
  exponent: number;
  clearToken: number;
  preselect: readonly ExceptionRow[];
  onSelection: (rows: ExceptionRow[]) => void;
  onOpen: (r: ExceptionRow) => void;
  /** This side's first rows arrived (once). */
  onFirstRows?: (side: Side) => void;
}) {
  const { toast, run } = useApp();
  const { side, onSelection, onOpen } = props;
  const [quick, setQuick] = useState("");
  const [text, setText] = useState("");
  // Oldest date first, as the queue.
  const [gridSort, setGridSort] = useState<GridSort>({ colId: "date", dir: "asc" });
  const [focusedIndex, setFocusedIndex] = useState<number | null>(null);
  const searchRef = useRef<HTMLInputElement>(null);
  const firstRows = useRef(false);

  const filters: ExceptionFilters = useMemo(
    () => ({ ...DEFAULT_FILTERS, side, text, sort: sortFromModel([{ colId: gridSort.colId, sort: gridSort.dir }]) ?? DEFAULT_FILTERS.sort }),
    [side, text, gridSort],
  );
  // The selection survives filters: find a bank line, select it, filter for the next one.
  const { blocks, grid, total, selected, selection, syncSelection, toggleRow, clearSelection, onRange, rowAt, isSelected } = useQueueRows<ExceptionRow>({
    filters,
    keepSelection: true,
    onLoaded: () => {
      if (!firstRows.current) {
        firstRows.current = true;
        props.onFirstRows?.(side);
      }
    },
  });
  useEffect(() => onSelection(selected), [selected, onSelection]);

  // The preselected items of this side, once.
  const preselected = useRef(false);
  useEffect(() => {
    if (preselected.current) return;
    preselected.current = true;
    for (const r of props.preselect) if (r.side === side) selection.current.set(rowKey(r), r);
    if (selection.current.size) syncSelection();
  }, [props.preselect, side, selection, syncSelection]);

  const cleared = useRef(props.clearToken);
  useEffect(() => {
    if (cleared.current === props.clearToken) return;
    cleared.current = props.clearToken;
    clearSelection();
  }, [props.clearToken, clearSelection]);

  // Filter text is debounced.
  useEffect(() => {
    const t = setTimeout(() => setText(quick), 250);
    return () => clearTimeout(t);
  }, [quick]);

  /** Every item the filter matches, when there are few enough to read. */
  const selectAll = useCallback(async () => {
    const count = blocks.current?.total ?? 0;
    if (count > SELECT_ALL_LIMIT) {
      toast(`Select all takes at most ${SELECT_ALL_LIMIT.toLocaleString("en-US")} items; ${count.toLocaleString("en-US")} match. Narrow the filter.`);
      return;
    }
    const rows: ExceptionRow[] = [];
    const done = await run((b) => loadAllPages((q) => b.listExceptions(q), filters, (page) => rows.push(...page)));
    if (!done) return;
    for (const r of rows) selection.current.set(rowKey(r), r);
    syncSelection();
  }, [blocks, filters, selection, syncSelection, run, toast]);

  const onHeaderClick = (colId: string) => {
    const next = headerSort(colId, gridSort.colId === colId ? gridSort.dir : null);
    if (next) setGridSort({ colId, dir: next.dir });
  };

  // "/" focuses the bank side's filter.
  useEffect(() => {
    if (side !== "bank") return;
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key === "/" && !isTyping(e.target)) {
        e.preventDefault();
        searchRef.current?.focus();
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [side]);

  const exp = props.exponent;
  const columns = useMemo(() => exceptionColumns<ExceptionRow>(exp, ["item_id", "date", "amount_minor", "reference", "description"]), [exp]);
  const openRow = useCallback(
    (i: number) => {
      const r = blocks.current?.row(i);
      if (r) onOpen(r);
    },
    [blocks, onOpen],
  );

  return (
    <div className="side-grid">
      <div className="side-grid-head">
        <span className="strong">{props.title}</span>
        <span className="muted small" data-testid={`manual-${side}-count`} data-count={total ?? 0}>
          {total === null ? "…" : total.toLocaleString("en-US")}
        </span>
        <span className="spacer" />
        <input
          ref={searchRef}
          type="search"
          placeholder="Filter id, reference, description, amount…"
          value={quick}
          onChange={(e) => setQuick(e.target.value)}
          data-testid={`manual-${side}-filter`}
          aria-label={`Filter ${props.title}`}
        />
      </div>
      <div className="grid-wrap" data-testid={`manual-${side}-grid`}>
        <QueueGrid<ExceptionRow>
          ref={grid}
          columns={columns}
          rowCount={total ?? 1}
          row={rowAt}
          rowKey={rowKey}
          isSelected={isSelected}
          focusedIndex={focusedIndex}
          sort={gridSort}
          onRange={onRange}
          onHeaderClick={onHeaderClick}
          onFocusRow={setFocusedIndex}
          onToggleRow={toggleRow}
          onOpenRow={openRow}
          onSelectAll={() => void selectAll()}
          clickSelects
          empty="No open items."
          label={props.title}
        />
      </div>
    </div>
  );
}
