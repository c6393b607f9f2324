// Exception list logic shared by the Exceptions screen (building the query, feeding the grid
// block by block) and the fake backend (applying it). The real backend applies the same query in
// SQL.
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

/** The largest page list_exceptions gives (Manual match reads its lists in pages this size). */
export const PAGE_SIZE = 10_000;

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

/** Reads every page of a query, `pageSize` at a time, handing each page to `onPage`. Stops early
 * (returns false) when `cancelled()` turns true between pages. */
export async function loadAllPages(
  fetchPage: (q: ExceptionQuery) => Promise<ExceptionPage>,
  filters: ExceptionFilters,
  onPage: (rows: ExceptionRow[], loaded: number, total: number) => void,
  cancelled: () => boolean = () => false,
  pageSize: number = PAGE_SIZE,
): Promise<boolean> {
  let offset = 0;
  for (;;) {
    const page = await fetchPage(buildExceptionQuery(filters, offset, pageSize));
    if (cancelled()) return false;
    offset += page.rows.length;
    onPage(page.rows, offset, page.total);
    if (page.rows.length < pageSize || offset >= page.total) return true;
  }
}

// ---------------------------------------------------------------- the grid's blocks and sorts

/** Rows per block the exception grid asks for (logic/rowBlocks.ts). A block is one
 * list_exceptions call: big enough that scrolling needs few calls (each sorts the filtered list
 * on the server), small enough that the first one comes back and paints at once. */
export const BLOCK_SIZE = 500;
/** Loaded blocks the grid keeps (the least recently shown go first): 10,000 rows, so scrolling
 * back rarely asks again. A refresh asks again only for the blocks on screen. */
export const MAX_BLOCKS = 20;

/** A row of the exception queue as the grid holds it: `decided` marks a row a decision has just
 * taken out of the queue, shown until the refresh drops it. */
export type QueueRow = ExceptionRow & { decided?: boolean };

/** A column and the direction it is sorted in. */
export interface SortModelItem {
  colId: string;
  sort: "asc" | "desc";
}

/** Grid columns that sort on the server, and the server sort each direction means. Age is
 * days open, so the oldest date first is the longest open first. */
const SERVER_SORTS: Record<string, Record<SortModelItem["sort"], ExceptionSort>> = {
  days_open: { desc: "age-desc", asc: "age-asc" },
  date: { asc: "age-desc", desc: "age-asc" },
  amount_minor: { desc: "amount-desc", asc: "amount-asc" },
};

/** The direction a header's first click sorts in: what the default sort shows (oldest first,
 * largest amount first). */
const FIRST_DIRECTION: Record<string, SortModelItem["sort"]> = { days_open: "desc", date: "asc", amount_minor: "desc" };

/** Columns whose header click sorts (on the server); no other column sorts. */
export const SORTABLE_COLUMNS = Object.keys(SERVER_SORTS);

/** The server sort a sort model asks for (its first column that sorts on the server), or null
 * when it asks for none. */
export function sortFromModel(model: readonly SortModelItem[]): ExceptionSort | null {
  for (const m of model) {
    const sort = SERVER_SORTS[m.colId]?.[m.sort];
    if (sort) return sort;
  }
  return null;
}

/** The sort model that shows a server sort: age on the Days column, amount on Amount. */
export function modelForSort(sort: ExceptionSort): SortModelItem[] {
  const [by, dir] = sort.split("-") as ["age" | "amount", SortModelItem["sort"]];
  return [{ colId: by === "age" ? "days_open" : "amount_minor", sort: dir }];
}

/** What a click on a column's header sorts by: its first direction, or the other direction when
 * the column already shows the sort (`shown`). Null for a column the server does not sort by. */
export function headerSort(colId: string, shown: SortModelItem["sort"] | null): { sort: ExceptionSort; dir: SortModelItem["sort"] } | null {
  const first = FIRST_DIRECTION[colId];
  if (!first) return null;
  const dir = shown === null ? first : shown === "asc" ? "desc" : "asc";
  return { sort: SERVER_SORTS[colId]![dir], dir };
}

/** Rows a decision on suggestions changes in the queue, shown before the refresh: an accepted
 * suggestion's items leave it (marked decided, no suggestions left); a rejected one's items have
 * one suggestion fewer. `current` finds a loaded row by its key. */
export function decisionEffect(
  decided: readonly { bank: readonly string[]; ledger: readonly string[] }[],
  accepted: boolean,
  current: (key: string) => QueueRow | undefined,
): QueueRow[] {
  const counts = new Map<string, number>();
  for (const s of decided) {
    for (const k of [...s.bank.map((i) => `bank:${i}`), ...s.ledger.map((i) => `ledger:${i}`)]) counts.set(k, (counts.get(k) ?? 0) + 1);
  }
  const changed: QueueRow[] = [];
  for (const [key, n] of counts) {
    const row = current(key);
    if (!row) continue;
    changed.push(accepted ? { ...row, suggestions: 0, decided: true } : { ...row, suggestions: Math.max(0, row.suggestions - n) });
  }
  return changed;
}

/** Rows an assignment changes, shown before the refresh. */
export function assignmentEffect(rows: readonly QueueRow[], assignee: string | null): QueueRow[] {
  return rows.map((r) => ({ ...r, assignee }));
}
