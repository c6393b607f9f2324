import { AllCommunityModule, ModuleRegistry, type ColDef, type ValueFormatterParams } from "ag-grid-community";
import type { ExceptionRow } from "../bindings/ExceptionRow";
import { formatMinor } from "../money";

// AllCommunityModule includes InfiniteRowModelModule, which the exception grid uses.
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
