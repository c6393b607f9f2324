// Exception list logic shared by the Exceptions screen (building the query) and the fake
// backend (applying it). The real backend applies the same query in SQL.
import type { ExceptionPage } from "../bindings/ExceptionPage";
import type { ExceptionQuery } from "../bindings/ExceptionQuery";
import type { ExceptionRow } from "../bindings/ExceptionRow";
import { formatMinor } from "../money";

export type ExceptionSort = ExceptionQuery["sort"];
export type SideFilter = "" | "bank" | "ledger";

/** Reasons the matcher and the store give exceptions (recon-match ExceptionReason, unmatch). */
export const EXCEPTION_REASONS = ["suggested", "ambiguous", "no_candidate", "unmatched"] as const;

export const SORTS: { value: ExceptionSort; label: string }[] = [
  { value: "age-desc", label: "Oldest first" },
  { value: "age-asc", label: "Newest first" },
  { value: "amount-desc", label: "Amount high to low" },
  { value: "amount-asc", label: "Amount low to high" },
];

export const PAGE_SIZE = 10_000;
/** The first page is small so the first rows show early. */
export const FIRST_PAGE_SIZE = 1_000;

export interface ExceptionFilters {
  side: SideFilter;
  reason: string;
  text: string;
  sort: ExceptionSort;
}

export const DEFAULT_FILTERS: ExceptionFilters = { side: "", reason: "", text: "", sort: "age-desc" };

/** The UI's filter state as the contract's query: empty means null, text is trimmed. */
export function buildExceptionQuery(f: ExceptionFilters, offset: number, limit: number = PAGE_SIZE): ExceptionQuery {
  const text = f.text.trim();
  return {
    side: f.side === "" ? null : f.side,
    reason: f.reason === "" ? null : f.reason,
    text: text === "" ? null : text,
    sort: f.sort,
    offset,
    limit,
  };
}

export function rowKey(r: { side: string; item_id: string }): string {
  return `${r.side}:${r.item_id}`;
}

/** Does a row pass the query's filters? Text is a case-insensitive substring of the id,
 * reference, description, assignee or the amount (as "1250.00" or "1,250.00"). */
export function matchesQuery(row: ExceptionRow, q: ExceptionQuery, exponent: number): boolean {
  if (q.side !== null && row.side !== q.side) return false;
  if (q.reason !== null && row.reason !== q.reason) return false;
  if (q.text !== null) {
    const needle = q.text.trim().toLowerCase();
    if (needle !== "") {
      const hay = [
        row.item_id,
        row.reference,
        row.description,
        row.assignee ?? "",
        formatMinor(row.amount_minor, exponent, { group: "" }),
        formatMinor(row.amount_minor, exponent),
      ];
      if (!hay.some((h) => h.toLowerCase().includes(needle))) return false;
    }
  }
  return true;
}

function tieBreak(a: ExceptionRow, b: ExceptionRow): number {
  if (a.side !== b.side) return a.side < b.side ? -1 : 1;
  return a.item_id < b.item_id ? -1 : a.item_id > b.item_id ? 1 : 0;
}

export function compareRows(sort: ExceptionSort): (a: ExceptionRow, b: ExceptionRow) => number {
  switch (sort) {
    case "age-desc":
      return (a, b) => b.days_open - a.days_open || tieBreak(a, b);
    case "age-asc":
      return (a, b) => a.days_open - b.days_open || tieBreak(a, b);
    case "amount-asc":
      return (a, b) => a.amount_minor - b.amount_minor || tieBreak(a, b);
    case "amount-desc":
      return (a, b) => b.amount_minor - a.amount_minor || tieBreak(a, b);
  }
}

/** Filters and sorts (no paging). */
export function filterAndSort(rows: readonly ExceptionRow[], q: ExceptionQuery, exponent: number): ExceptionRow[] {
  const filtered = rows.filter((r) => matchesQuery(r, q, exponent));
  filtered.sort(compareRows(q.sort));
  return filtered;
}

/** The part of a query that selects rows (everything but offset and limit). */
export function queryKey(q: ExceptionQuery): string {
  return JSON.stringify([q.side, q.reason, q.text?.trim().toLowerCase() ?? null, q.sort]);
}

/** One page of already filtered and sorted rows. */
export function pageOf(sorted: readonly ExceptionRow[], q: ExceptionQuery): ExceptionPage {
  const offset = Math.max(0, q.offset);
  const limit = Math.max(0, q.limit);
  return { rows: sorted.slice(offset, offset + limit), total: sorted.length };
}

/** Filters, sorts and pages; `total` counts every row that passes the filters. */
export function applyExceptionQuery(rows: readonly ExceptionRow[], q: ExceptionQuery, exponent: number): ExceptionPage {
  const filtered = filterAndSort(rows, q, exponent);
  const offset = Math.max(0, q.offset);
  const limit = Math.max(0, q.limit);
  return { rows: filtered.slice(offset, offset + limit), total: filtered.length };
}

/** Reads every page of a query, PAGE_SIZE at a time (the first page `firstPageSize`, so the
 * first rows show early), handing each page to `onPage`. Stops early (returns false) when
 * `cancelled()` turns true between pages. */
export async function loadAllPages(
  fetchPage: (q: ExceptionQuery) => Promise<ExceptionPage>,
  filters: ExceptionFilters,
  onPage: (rows: ExceptionRow[], loaded: number, total: number) => void,
  cancelled: () => boolean = () => false,
  pageSize: number = PAGE_SIZE,
  firstPageSize: number = pageSize,
): Promise<boolean> {
  let offset = 0;
  for (;;) {
    const limit = offset === 0 ? firstPageSize : pageSize;
    const page = await fetchPage(buildExceptionQuery(filters, offset, limit));
    if (cancelled()) return false;
    offset += page.rows.length;
    onPage(page.rows, offset, page.total);
    if (page.rows.length < limit || offset >= page.total) return true;
  }
}

/** Rows a decision on suggestions changes in the exception list, before the list is reloaded:
 * an accepted suggestion's items leave it; a rejected one's items have one suggestion fewer. */
export function decisionEffect(
  decided: readonly { bank: readonly string[]; ledger: readonly string[] }[],
  accepted: boolean,
  current: (key: string) => ExceptionRow | undefined,
): { remove: ExceptionRow[]; update: ExceptionRow[] } {
  const counts = new Map<string, number>();
  for (const s of decided) {
    for (const k of [...s.bank.map((i) => `bank:${i}`), ...s.ledger.map((i) => `ledger:${i}`)]) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const remove: ExceptionRow[] = [];
  const update: ExceptionRow[] = [];
  for (const [key, n] of counts) {
    const row = current(key);
    if (!row) continue;
    if (accepted) remove.push(row);
    else update.push({ ...row, suggestions: Math.max(0, row.suggestions - n) });
  }
  return { remove, update };
}
