import { AllCommunityModule, ModuleRegistry, type ColDef, type ValueFormatterParams } from "ag-grid-community";
import type { ExceptionRow } from "../bindings/ExceptionRow";
import { formatMinor } from "../money";

// AG Grid serves the manual-match grids (client-side row model); the exception queue has its own
// grid (QueueGrid.tsx).
ModuleRegistry.registerModules([AllCommunityModule]);

export function amountCol(exponent: number, extra: Partial<ColDef<ExceptionRow>> = {}): ColDef<ExceptionRow> {
  return {
    field: "amount_minor",
    headerName: "Amount",
    type: "rightAligned",
    width: 130,
    filter: "agNumberColumnFilter",
    valueFormatter: (p: ValueFormatterParams<ExceptionRow, number>) => (p.value === null || p.value === undefined ? "" : formatMinor(p.value, exponent)),
    cellClassRules: { neg: (p) => (p.value ?? 0) < 0 },
    cellClass: "num",
    ...extra,
  };
}

export const DEFAULT_COL: ColDef = {
  sortable: true,
  resizable: true,
  suppressHeaderMenuButton: false,
};
