import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { AgGridReact } from "ag-grid-react";
import type { CellKeyDownEvent, ColDef, GridApi } from "ag-grid-community";
import type { Adjustment } from "../bindings/Adjustment";
import type { ExceptionRow } from "../bindings/ExceptionRow";
import { amountCol, DEFAULT_COL } from "../components/grid";
import { MatchBar } from "../components/MatchBar";
import { useGridTheme } from "../hooks/env";
import { DEFAULT_FILTERS, loadAllPages, rowKey } from "../logic/exceptions";
import { isTyping } from "../logic/shortcuts";
import { useApp } from "../state/app";

type Side = "bank" | "ledger";

export function ManualMatch() {
  const { backend, version, workspace, run, showError, manualPreselect, setManualPreselect, openDetail } = useApp();
  const exp = workspace?.exponent ?? 2;
  const cur = workspace?.currency ?? "";
  const [data, setData] = useState<Record<Side, ExceptionRow[]>>({ bank: [], ledger: [] });
  const [loaded, setLoaded] = useState(false);
  const [sel, setSel] = useState<Record<Side, ExceptionRow[]>>({ bank: [], ledger: [] });
  const [busy, setBusy] = useState(false);
  const [barKey, setBarKey] = useState(0);
  const apis = useRef<Record<Side, GridApi<ExceptionRow> | null>>({ bank: null, ledger: null });
  const preselect = useRef(manualPreselect);

  useEffect(() => {
    let cancelled = false;
    setLoaded(false);
    const load = async (side: Side) => {
      let acc: ExceptionRow[] = [];
      await loadAllPages(
        (q) => backend.listExceptions(q),
        { ...DEFAULT_FILTERS, side, sort: "age-desc" },
        (page) => {
          acc = acc.concat(page);
        },
        () => cancelled,
      );
      return acc;
    };
    Promise.all([load("bank"), load("ledger")]).then(
      ([bank, ledger]) => {
        if (cancelled) return;
        setData({ bank, ledger });
        setLoaded(true);
      },
      (e) => {
        if (!cancelled) showError(e);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [backend, version, showError]);

  // Items handed over from the Exceptions screen are selected once the grids have them.
  useEffect(() => {
    if (!loaded || preselect.current.length === 0) return;
    const want = new Set(preselect.current.map((r) => `${r.side}:${r.itemId}`));
    preselect.current = [];
    setManualPreselect([]);
    setTimeout(() => {
      for (const side of ["bank", "ledger"] as Side[]) {
        const api = apis.current[side];
        api?.forEachNode((n) => {
          if (n.data && want.has(rowKey(n.data))) n.setSelected(true);
        });
      }
    }, 0);
  }, [loaded, setManualPreselect]);

  const submit = async (adjustment: Adjustment | null) => {
    setBusy(true);
    const r = await run((b) => b.manualMatch(sel.bank.map((x) => x.item_id), sel.ledger.map((x) => x.item_id), adjustment), {
      ok: (v) => `Matched${v.group !== null ? ` as group ${v.group}` : ""}${adjustment ? ` with a ${adjustment.reason} adjustment` : ""}`,
      change: true,
    });
    setBusy(false);
    if (r) {
      setSel({ bank: [], ledger: [] });
      setBarKey((k) => k + 1);
    }
  };

  const clear = () => {
    apis.current.bank?.deselectAll();
    apis.current.ledger?.deselectAll();
  };

  const selection = useMemo(() => ({ bank: sel.bank, ledger: sel.ledger }), [sel]);

  return (
    <section className="screen fill" data-testid="screen-manual">
      <header className="screen-head">
        <h1>Manual match</h1>
        <span className="muted">Select open items on both sides; the difference is bank − ledger.</span>
      </header>
      <MatchBar key={barKey} selection={selection} exponent={exp} currency={cur} busy={busy} onSubmit={(a) => void submit(a)} onClear={clear} />
      <div className="two-grids">
        <SideGrid
          side="bank"
          title="Open bank lines"
          rows={data.bank}
          exponent={exp}
          loaded={loaded}
          onApi={(a) => (apis.current.bank = a)}
          onSelection={(rows) => setSel((s) => ({ ...s, bank: rows }))}
          onOpen={(r) => openDetail({ side: r.side, itemId: r.item_id })}
        />
        <SideGrid
          side="ledger"
          title="Open ledger entries"
          rows={data.ledger}
          exponent={exp}
          loaded={loaded}
          onApi={(a) => (apis.current.ledger = a)}
          onSelection={(rows) => setSel((s) => ({ ...s, ledger: rows }))}
          onOpen={(r) => openDetail({ side: r.side, itemId: r.item_id })}
        />
      </div>
    </section>
  );
}

function SideGrid(props: {
  side: Side;
  title: string;
  rows: ExceptionRow[];
  exponent: number;
  loaded: boolean;
  onApi: (api: GridApi<ExceptionRow>) => void;
  onSelection: (rows: ExceptionRow[]) => void;
  onOpen: (r: ExceptionRow) => void;
}) {
  const theme = useGridTheme();
  const [quick, setQuick] = useState("");
  const searchRef = useRef<HTMLInputElement>(null);
  const cols = useMemo<ColDef<ExceptionRow>[]>(
    () => [
      { field: "item_id", headerName: "Item", width: 126, cellClass: "mono", pinned: "left" },
      { field: "date", headerName: "Date", width: 90, cellClass: "mono", sort: "asc" },
      amountCol(props.exponent, { width: 108 }),
      { field: "reference", headerName: "Reference", width: 110, cellClass: "mono" },
      { field: "description", headerName: "Description", flex: 1, minWidth: 100, tooltipField: "description" },
    ],
    [props.exponent],
  );
  const onKey = useCallback(
    (e: CellKeyDownEvent<ExceptionRow>) => {
      const ke = e.event as KeyboardEvent | null;
      if (ke?.key === "Enter" && !ke.ctrlKey && !ke.metaKey && e.data) props.onOpen(e.data);
    },
    [props],
  );
  // "/" focuses the bank side's filter.
  useEffect(() => {
    if (props.side !== "bank") return;
    const onKeyDown = (e: KeyboardEvent) => {
      if (e.key === "/" && !isTyping(e.target)) {
        e.preventDefault();
        searchRef.current?.focus();
      }
    };
    window.addEventListener("keydown", onKeyDown);
    return () => window.removeEventListener("keydown", onKeyDown);
  }, [props.side]);

  return (
    <div className="side-grid">
      <div className="side-grid-head">
        <span className="strong">{props.title}</span>
        <span className="muted small" data-testid={`manual-${props.side}-count`} data-count={props.rows.length}>
          {props.loaded ? props.rows.length.toLocaleString("en-US") : "…"}
        </span>
        <span className="spacer" />
        <input
          ref={searchRef}
          type="search"
          placeholder="Filter…"
          value={quick}
          onChange={(e) => setQuick(e.target.value)}
          data-testid={`manual-${props.side}-filter`}
          aria-label={`Filter ${props.title}`}
        />
      </div>
      <div className="grid-wrap" data-testid={`manual-${props.side}-grid`}>
        <AgGridReact<ExceptionRow>
          theme={theme}
          rowData={props.rows}
          columnDefs={cols}
          defaultColDef={DEFAULT_COL}
          getRowId={(p) => rowKey(p.data)}
          rowSelection={{ mode: "multiRow", checkboxes: true, headerCheckbox: false, enableClickSelection: true }}
          selectionColumnDef={{ pinned: "left", width: 36, minWidth: 36, maxWidth: 36, resizable: false, suppressHeaderMenuButton: true }}
          quickFilterText={quick}
          onGridReady={(e) => props.onApi(e.api)}
          onSelectionChanged={(e) => props.onSelection(e.api.getSelectedRows())}
          onCellKeyDown={onKey}
          animateRows={false}
          overlayNoRowsTemplate={props.loaded ? "No open items." : "Loading…"}
        />
      </div>
    </div>
  );
}
