// The columns of an open item (list_exceptions' ExceptionRow) in a QueueGrid, for the exception
// queue and Manual match alike. Sortable where the server sorts (date and age, amount).
import type { ExceptionRow } from "../bindings/ExceptionRow";
import { SORTABLE_COLUMNS } from "../logic/exceptions";
import { formatMinor } from "../money";
import type { GridColumn } from "./QueueGrid";

export type ExceptionColumnId = "side" | "item_id" | "date" | "days_open" | "amount_minor" | "reason" | "suggestions" | "reference" | "description" | "assignee";

/** The named columns, in `ids` order; amounts with the workspace's currency exponent. */
export function exceptionColumns<T extends ExceptionRow>(exponent: number, ids: readonly ExceptionColumnId[]): GridColumn<T>[] {
  const all: Record<ExceptionColumnId, GridColumn<T>> = {
    side: { id: "side", header: "Side", width: 62, text: (r) => r.side, className: "cell-badge-side", cellClass: (r) => `cell-badge-side-${r.side}` },
    item_id: { id: "item_id", header: "Item", width: 118, text: (r) => r.item_id, className: "mono", tooltip: true },
    date: { id: "date", header: "Date", width: 86, text: (r) => r.date, className: "mono" },
    days_open: { id: "days_open", header: "Days", width: 64, align: "right", text: (r) => String(r.days_open) },
    amount_minor: { id: "amount_minor", header: "Amount", width: 108, align: "right", className: "num", text: (r) => formatMinor(r.amount_minor, exponent), cellClass: (r) => (r.amount_minor < 0 ? "neg" : "") },
    reason: { id: "reason", header: "Reason", width: 96, text: (r) => r.reason, className: "cell-badge-reason", cellClass: (r) => `cell-badge-reason-${r.reason}` },
    suggestions: { id: "suggestions", header: "Sugg.", width: 56, align: "right", text: (r) => String(r.suggestions), headerTooltip: "Open suggestions" },
    reference: { id: "reference", header: "Reference", width: 110, text: (r) => r.reference, className: "mono", tooltip: true },
    description: { id: "description", header: "Description", width: 84, grow: true, text: (r) => r.description, tooltip: true },
    assignee: { id: "assignee", header: "Assignee", width: 82, text: (r) => r.assignee ?? "" },
  };
  return ids.map((id) => ({ ...all[id], sortable: SORTABLE_COLUMNS.includes(id) }));
}
