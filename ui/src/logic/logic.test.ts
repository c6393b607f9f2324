import { describe, expect, it } from "vitest";
import type { ExceptionRow } from "../bindings/ExceptionRow";
import {
  applyExceptionQuery,
  assignmentEffect,
  buildExceptionQuery,
  decisionEffect,
  DEFAULT_FILTERS,
  headerSort,
  loadAllPages,
  matchesQuery,
  modelForSort,
  SORTS,
  sortFromModel,
  type QueueRow,
} from "./exceptions";
import { blockResult, RowBlocks, type Page } from "./rowBlocks";
import { canBookAdjustment, canConfirm, runningDifference } from "./manualMatch";
import { isTyping, shortcutFor } from "./shortcuts";
import { signOffButtons } from "./signoff";
import { parsePaths } from "../screens/Import";

const row = (p: Partial<ExceptionRow>): ExceptionRow => ({
  side: "bank",
  item_id: "B-1",
  reason: "no_candidate",
  amount_minor: 125000,
  date: "2026-11-02",
  days_open: 3,
  reference: "INV-2026-1001",
  description: "SEPA CT NORTHWIND",
  assignee: null,
  suggestions: 0,
  ...p,
});

const rows: ExceptionRow[] = [
  row({ item_id: "B-1", amount_minor: 125000, days_open: 3 }),
  row({ item_id: "B-2", amount_minor: -4500, days_open: 40, reason: "suggested", suggestions: 1, description: "SWIFT CHARGES" }),
  row({ side: "ledger", item_id: "GL-7", amount_minor: 99999, days_open: 12, reference: "CHQ-1234", description: "Cheque to Globex", assignee: "clara" }),
  row({ side: "ledger", item_id: "GL-8", amount_minor: 125000, days_open: 40, reason: "ambiguous", suggestions: 2 }),
];

describe("exceptions query building", () => {
  it("maps empty filters to null and trims the text", () => {
    expect(buildExceptionQuery(DEFAULT_FILTERS, 0)).toEqual({ side: null, reason: null, text: null, sort: "age-desc", offset: 0, limit: 10_000 });
    expect(buildExceptionQuery({ side: "ledger", reason: "ambiguous", text: "  globex ", sort: "amount-asc" }, 5000, 100)).toEqual({
      side: "ledger",
      reason: "ambiguous",
      text: "globex",
      sort: "amount-asc",
      offset: 5000,
      limit: 100,
    });
    expect(buildExceptionQuery({ ...DEFAULT_FILTERS, text: "   " }, 0).text).toBeNull();
  });
});

describe("exceptions search and filter", () => {
  const q = (f: Partial<typeof DEFAULT_FILTERS>) => buildExceptionQuery({ ...DEFAULT_FILTERS, ...f }, 0, 100);
  it("filters by side and reason", () => {
    expect(applyExceptionQuery(rows, q({ side: "ledger" }), 2).rows.map((r) => r.item_id)).toEqual(["GL-8", "GL-7"]);
    expect(applyExceptionQuery(rows, q({ reason: "suggested" }), 2).rows.map((r) => r.item_id)).toEqual(["B-2"]);
    expect(applyExceptionQuery(rows, q({ side: "bank", reason: "ambiguous" }), 2).total).toBe(0);
  });
  it("free text: case-insensitive over id, reference, description, assignee and amount", () => {
    const ids = (text: string) => applyExceptionQuery(rows, q({ text }), 2).rows.map((r) => r.item_id).sort();
    expect(ids("globex")).toEqual(["GL-7"]);
    expect(ids("gl-8")).toEqual(["GL-8"]);
    expect(ids("chq-12")).toEqual(["GL-7"]);
    expect(ids("CLARA")).toEqual(["GL-7"]);
    expect(ids("1250.00")).toEqual(["B-1", "GL-8"]);
    expect(ids("1,250.00")).toEqual(["B-1", "GL-8"]);
    expect(ids("-45.00")).toEqual(["B-2"]);
    expect(ids("nothing like this")).toEqual([]);
    expect(matchesQuery(rows[0]!, q({ text: "" }), 2)).toBe(true);
  });
  it("sorts by age and amount with a stable tie-break, and pages", () => {
    const order = (sort: typeof DEFAULT_FILTERS.sort) => applyExceptionQuery(rows, q({ sort }), 2).rows.map((r) => r.item_id);
    expect(order("age-desc")).toEqual(["B-2", "GL-8", "GL-7", "B-1"]);
    expect(order("age-asc")).toEqual(["B-1", "GL-7", "B-2", "GL-8"]);
    expect(order("amount-asc")).toEqual(["B-2", "GL-7", "B-1", "GL-8"]);
    expect(order("amount-desc")).toEqual(["B-1", "GL-8", "GL-7", "B-2"]);
    const page = applyExceptionQuery(rows, { ...q({}), offset: 1, limit: 2 }, 2);
    expect(page).toMatchObject({ total: 4 });
    expect(page.rows.map((r) => r.item_id)).toEqual(["GL-8", "GL-7"]);
  });
  it("loadAllPages reads every chunk and stops when cancelled", async () => {
    const many = Array.from({ length: 12 }, (_, i) => row({ item_id: `B-${String(i).padStart(2, "0")}` }));
    const seen: number[] = [];
    const fetch = async (query: ReturnType<typeof q>) => applyExceptionQuery(many, query, 2);
    expect(await loadAllPages(fetch, DEFAULT_FILTERS, (p, loaded, total) => seen.push(p.length, loaded, total), () => false, 5)).toBe(true);
    expect(seen).toEqual([5, 5, 12, 5, 10, 12, 2, 12, 12]);
    let calls = 0;
    expect(await loadAllPages(fetch, DEFAULT_FILTERS, () => calls++, () => calls >= 1, 5)).toBe(false);
    expect(calls).toBe(1);
  });
});

describe("exception grid blocks (RowBlocks)", () => {
  const many = Array.from({ length: 1234 }, (_, i) =>
    row({ side: i % 3 === 0 ? "ledger" : "bank", item_id: `X-${String(i).padStart(4, "0")}`, days_open: i % 50, amount_minor: (i * 7919) % 100_000 }),
  );
  const key = (r: ExceptionRow) => `${r.side}:${r.item_id}`;
  const settle = () => new Promise((r) => setTimeout(r, 0));

  /** A server whose answers wait until released, recording every call. */
  function heldServer(list: () => readonly ExceptionRow[] = () => many) {
    const calls: { offset: number; limit: number; done: boolean; release: () => void; fail: (e: unknown) => void }[] = [];
    const fetch = (offset: number, limit: number) =>
      new Promise<Page<ExceptionRow>>((resolve, reject) => {
        const call = {
          offset,
          limit,
          done: false,
          release: () => {
            call.done = true;
            resolve(applyExceptionQuery(list(), buildExceptionQuery(DEFAULT_FILTERS, offset, limit), 2));
          },
          fail: reject,
        };
        calls.push(call);
      });
    const offsets = () => calls.map((c) => c.offset);
    /** Answers every call, including those the answers lead to. */
    const drain = async () => {
      for (let open = calls.filter((c) => !c.done); open.length; open = calls.filter((c) => !c.done)) {
        for (const c of open) c.release();
        await settle();
      }
    };
    return { calls, fetch, offsets, drain };
  }

  it("maps a sort model to the server sorts, and back", () => {
    expect(sortFromModel([])).toBeNull();
    expect(sortFromModel([{ colId: "days_open", sort: "desc" }])).toBe("age-desc");
    expect(sortFromModel([{ colId: "days_open", sort: "asc" }])).toBe("age-asc");
    // The oldest date first is the longest open first.
    expect(sortFromModel([{ colId: "date", sort: "asc" }])).toBe("age-desc");
    expect(sortFromModel([{ colId: "date", sort: "desc" }])).toBe("age-asc");
    expect(sortFromModel([{ colId: "amount_minor", sort: "asc" }])).toBe("amount-asc");
    expect(sortFromModel([{ colId: "amount_minor", sort: "desc" }])).toBe("amount-desc");
    // Columns the server does not sort by are passed over.
    expect(sortFromModel([{ colId: "description", sort: "asc" }])).toBeNull();
    expect(sortFromModel([{ colId: "reference", sort: "asc" }, { colId: "amount_minor", sort: "desc" }])).toBe("amount-desc");
    for (const { value } of SORTS) expect(sortFromModel(modelForSort(value))).toBe(value);
    expect(modelForSort("age-desc")).toEqual([{ colId: "days_open", sort: "desc" }]);
    expect(modelForSort("amount-asc")).toEqual([{ colId: "amount_minor", sort: "asc" }]);
  });

  it("a header click sorts in the column's first direction, then flips; other columns do not sort", () => {
    expect(headerSort("amount_minor", null)).toEqual({ sort: "amount-desc", dir: "desc" });
    expect(headerSort("amount_minor", "desc")).toEqual({ sort: "amount-asc", dir: "asc" });
    expect(headerSort("date", null)).toEqual({ sort: "age-desc", dir: "asc" });
    expect(headerSort("date", "asc")).toEqual({ sort: "age-asc", dir: "desc" });
    expect(headerSort("days_open", null)).toEqual({ sort: "age-desc", dir: "desc" });
    expect(headerSort("description", null)).toBeNull();
  });

  it("a block reports the total as the row count, or where the list ends when it ends early", () => {
    const page = (n: number, total: number) => ({ rows: many.slice(0, n), total });
    expect(blockResult(page(500, 1234), 0, 500)).toMatchObject({ lastRow: 1234 });
    expect(blockResult(page(234, 1234), 1000, 1500)).toMatchObject({ lastRow: 1234 });
    expect(blockResult(page(0, 0), 0, 500)).toMatchObject({ rows: [], lastRow: 0 });
    // The list shrank between calls: this block ends it.
    expect(blockResult(page(100, 1234), 1000, 1500).lastRow).toBe(1100);
    // A total smaller than what came back (a row added meanwhile) does not cut the block off.
    expect(blockResult(page(500, 400), 0, 500).lastRow).toBe(500);
    // Never more rows than the block holds.
    expect(blockResult(page(600, 1234), 0, 500).rows).toHaveLength(500);
  });

  it("loads the blocks on screen, first the one that brings the total, every row once in server order", async () => {
    const loaded: [number, number][] = [];
    const fetch = async (offset: number, limit: number) => applyExceptionQuery(many, buildExceptionQuery(DEFAULT_FILTERS, offset, limit), 2);
    const b = new RowBlocks<ExceptionRow>({ fetch, key, blockSize: 500, maxBlocks: 20, loaded: (o, t) => loaded.push([o, t]) });
    b.show(0, 1233);
    // Before the total is known, only the first block is asked for.
    expect(b.loading()).toBe(true);
    await settle();
    await settle();
    await settle();
    expect(b.total).toBe(1234);
    expect(b.loading()).toBe(false);
    const all = Array.from({ length: 1234 }, (_, i) => b.row(i)!);
    expect(all.map((r) => r.item_id)).toEqual(applyExceptionQuery(many, buildExceptionQuery(DEFAULT_FILTERS, 0, 2000), 2).rows.map((r) => r.item_id));
    expect(new Set(all.map(key)).size).toBe(1234);
    expect(loaded).toEqual([
      [0, 1234],
      [500, 1234],
      [1000, 1234],
    ]);
    expect(b.row(1234)).toBeUndefined();
    expect(b.has(0, 1233)).toBe(true);
  });

  it("asks at most two blocks at once, and skips blocks the screen left before their turn", async () => {
    const big = Array.from({ length: 20_000 }, (_, i) => row({ item_id: `Y-${String(i).padStart(5, "0")}` }));
    const server = heldServer(() => big);
    const b = new RowBlocks<ExceptionRow>({ fetch: server.fetch, key, blockSize: 500, maxBlocks: 20 });
    b.show(0, 20);
    server.calls[0]!.release();
    await settle();
    expect(b.total).toBe(20_000);
    // Then the block ahead (rows 500-999).
    expect(server.offsets()).toEqual([0, 500]);
    // Scrolling fast: each screen is one block further on.
    b.show(5000, 5020);
    b.show(5500, 5520);
    b.show(6000, 6020);
    b.show(9000, 9020);
    // One call was free: block 10 went out; 11 and 12 never do, the screen is at 18 by now.
    expect(server.offsets()).toEqual([0, 500, 5000]);
    server.calls[1]!.release();
    server.calls[2]!.release();
    await settle();
    // The screen's block, then the one ahead of it.
    expect(server.offsets()).toEqual([0, 500, 5000, 9000, 9500]);
    expect(b.loading()).toBe(true);
    server.calls[3]!.release();
    await settle();
    // The block ahead is still out, but the screen has its rows.
    expect(b.loading()).toBe(false);
    expect(b.row(9000)!.item_id).toBe("Y-09000");
    server.calls[4]!.release();
    await settle();
    expect(b.row(9999)!.item_id).toBe("Y-09999");
  });

  it("the block ahead follows the direction of travel", async () => {
    const server = heldServer();
    const b = new RowBlocks<ExceptionRow>({ fetch: server.fetch, key, blockSize: 100, maxBlocks: 20 });
    b.show(500, 520);
    await server.drain();
    // Before the total is known, only the screen's block; then the next one down.
    expect(server.offsets()).toEqual([500, 600]);
    b.show(420, 440);
    await server.drain();
    expect(server.offsets()).toEqual([500, 600, 400, 300]);
    // At the end of the list there is nothing ahead.
    b.show(1200, 1233);
    await server.drain();
    expect(server.offsets()).toEqual([500, 600, 400, 300, 1200]);
    expect(b.loading()).toBe(false);
  });

  it("keeps at most maxBlocks, dropping the least recently shown, never one on screen", async () => {
    const server = heldServer();
    const b = new RowBlocks<ExceptionRow>({ fetch: server.fetch, key, blockSize: 500, maxBlocks: 2 });
    b.show(0, 10);
    await server.drain();
    expect(b.heldBlocks()).toEqual([0, 1]);
    // Down to block 2 (nothing ahead: the list ends): block 0, used longest ago, goes.
    b.show(1100, 1110);
    await server.drain();
    expect(b.heldBlocks()).toEqual([1, 2]);
    // Back to the top: block 1 goes, block 2 (shown last) stays.
    b.show(0, 10);
    await server.drain();
    expect(b.heldBlocks()).toEqual([0, 2]);
    expect(b.row(600)).toBeUndefined();
    expect(b.row(0)).toBeDefined();
  });

  it("a refresh asks again for the blocks on screen, keeping their rows meanwhile, and drops the rest", async () => {
    let list: ExceptionRow[] = many;
    const server = heldServer(() => list);
    const b = new RowBlocks<ExceptionRow>({ fetch: server.fetch, key, blockSize: 500, maxBlocks: 20 });
    b.show(0, 10);
    await server.drain();
    b.show(600, 610);
    await server.drain();
    expect(b.heldBlocks()).toEqual([0, 1, 2]);
    const before = b.row(600)!;
    const calls = server.calls.length;
    // A decision took the first row of the list away.
    const first = applyExceptionQuery(many, buildExceptionQuery(DEFAULT_FILTERS, 0, 1), 2).rows[0]!;
    list = many.filter((r) => r !== first);
    b.refresh();
    expect(b.heldBlocks()).toEqual([1]);
    expect(b.row(600)).toBe(before);
    expect(b.loading()).toBe(true);
    // The screen's block first.
    expect(server.offsets().slice(calls)[0]).toBe(500);
    server.calls[calls]!.release();
    await settle();
    expect(b.loading()).toBe(false);
    expect(b.total).toBe(1233);
    expect(b.row(600)!.item_id).toBe(applyExceptionQuery(list, buildExceptionQuery(DEFAULT_FILTERS, 600, 1), 2).rows[0]!.item_id);
    expect(b.row(600)).not.toBe(before);
  });

  it("an answer from before a refresh never replaces a newer one", async () => {
    let list: ExceptionRow[] = many;
    const server = heldServer(() => list);
    const b = new RowBlocks<ExceptionRow>({ fetch: server.fetch, key, blockSize: 500, maxBlocks: 20 });
    b.show(0, 10);
    list = many.slice(2);
    b.refresh();
    // The first call is still out; the refresh asked again.
    expect(server.calls.map((c) => c.offset)).toEqual([0, 0]);
    server.calls[1]!.release();
    await settle();
    expect(b.total).toBe(1232);
    list = many;
    server.calls[0]!.release();
    await settle();
    expect(b.total).toBe(1232);
    expect(b.row(0)!.item_id).toBe(applyExceptionQuery(many.slice(2), buildExceptionQuery(DEFAULT_FILTERS, 0, 1), 2).rows[0]!.item_id);
  });

  it("a failed block is reported and not asked again until a refresh; a disposed one hears nothing", async () => {
    const failed: string[] = [];
    const loaded: number[] = [];
    let fail = true;
    const fetch = (offset: number, limit: number) =>
      fail ? Promise.reject(new Error("offline")) : Promise.resolve(applyExceptionQuery(many, buildExceptionQuery(DEFAULT_FILTERS, offset, limit), 2));
    const b = new RowBlocks<ExceptionRow>({ fetch, key, blockSize: 500, maxBlocks: 20, failed: (_o, e) => failed.push(String(e)), loaded: (o) => loaded.push(o) });
    b.show(0, 10);
    await settle();
    expect(failed).toEqual(["Error: offline"]);
    expect(b.loading()).toBe(false);
    b.show(0, 10);
    await settle();
    expect(failed).toHaveLength(1);
    fail = false;
    b.refresh();
    await settle();
    // The block, then the one ahead.
    expect(loaded).toEqual([0, 500]);

    const server = heldServer();
    const gone = new RowBlocks<ExceptionRow>({ fetch: server.fetch, key, blockSize: 500, maxBlocks: 20, loaded: (o) => loaded.push(o + 1) });
    gone.show(0, 10);
    gone.dispose();
    server.calls[0]!.release();
    await settle();
    expect(loaded).toEqual([0, 500]);
    expect(gone.row(0)).toBeUndefined();
  });

  it("a decision replaces loaded rows by key and finds them", async () => {
    const fetch = async (offset: number, limit: number) => applyExceptionQuery(many, buildExceptionQuery(DEFAULT_FILTERS, offset, limit), 2);
    const b = new RowBlocks<QueueRow>({ fetch, key, blockSize: 500, maxBlocks: 20 });
    b.show(0, 10);
    await settle();
    const target = b.row(3)!;
    const changed = b.replace([{ ...target, decided: true }, row({ item_id: "not-loaded" })]);
    expect(changed).toHaveLength(1);
    expect(b.row(3)!.decided).toBe(true);
    expect(b.find(key(target))).toEqual({ row: b.row(3), index: 3 });
    expect(b.find("bank:not-loaded")).toBeNull();
  });
});

describe("decisions shown in the grid before the refresh", () => {
  it("an accepted suggestion's items are marked decided; a rejected one's lose a suggestion", () => {
    const rows = new Map<string, QueueRow>(
      [row({ item_id: "B-1", suggestions: 2 }), row({ side: "ledger", item_id: "L-1", suggestions: 1 }), row({ item_id: "B-2", suggestions: 1 })].map((r) => [`${r.side}:${r.item_id}`, r]),
    );
    const decided = [
      { bank: ["B-1"], ledger: ["L-1"] },
      { bank: ["B-1"], ledger: ["L-9"] },
    ];
    const accepted = decisionEffect(decided.slice(0, 1), true, (k) => rows.get(k));
    expect(accepted.map((r) => [r.item_id, r.decided, r.suggestions])).toEqual([
      ["B-1", true, 0],
      ["L-1", true, 0],
    ]);
    // L-9 is not loaded: nothing to show for it.
    const rejected = decisionEffect(decided, false, (k) => rows.get(k));
    expect(rejected.map((r) => [r.item_id, r.decided, r.suggestions])).toEqual([
      ["B-1", undefined, 0],
      ["L-1", undefined, 0],
    ]);
    // The loaded rows themselves are not changed (the grid gets new row objects).
    expect(rows.get("bank:B-1")!.suggestions).toBe(2);
    expect(rows.get("bank:B-1")!.decided).toBeUndefined();
  });

  it("an assignment sets the assignee of the rows", () => {
    const rows = [row({ item_id: "B-1" }), row({ item_id: "B-2", assignee: "sam" })];
    expect(assignmentEffect(rows, "clara").map((r) => r.assignee)).toEqual(["clara", "clara"]);
    expect(assignmentEffect(rows, null).map((r) => r.assignee)).toEqual([null, null]);
    expect(rows[1]!.assignee).toBe("sam");
  });
});

describe("manual match arithmetic", () => {
  const p = (amount_minor: number) => ({ item_id: `X${amount_minor}`, amount_minor });
  it("difference is bank minus ledger in exact minor units", () => {
    expect(runningDifference({ bank: [p(10), p(20)], ledger: [p(30)] })).toBe(0n);
    expect(runningDifference({ bank: [p(124500)], ledger: [p(125000)] })).toBe(-500n);
    expect(runningDifference({ bank: [p(-48025)], ledger: [p(-48025)] })).toBe(0n);
    expect(runningDifference({ bank: [p(Number.MAX_SAFE_INTEGER), p(Number.MAX_SAFE_INTEGER)], ledger: [] })).toBe(18014398509481982n);
    expect(runningDifference({ bank: [], ledger: [] })).toBe(0n);
  });
  it("Confirm only at zero with something selected; adjustment needs reason and note", () => {
    expect(canConfirm({ bank: [], ledger: [] })).toBe(false);
    expect(canConfirm({ bank: [p(100)], ledger: [p(100)] })).toBe(true);
    expect(canConfirm({ bank: [p(100)], ledger: [p(99)] })).toBe(false);
    const off = { bank: [p(100)], ledger: [p(99)] };
    expect(canBookAdjustment(off, "", "note")).toBe(false);
    expect(canBookAdjustment(off, "rounding", "  ")).toBe(false);
    expect(canBookAdjustment(off, "rounding", "1 cent")).toBe(true);
    expect(canBookAdjustment({ bank: [p(100)], ledger: [p(100)] }, "rounding", "x")).toBe(false);
  });
});

describe("sign-off buttons", () => {
  it("state decides what is enabled, role what is primary", () => {
    const c = signOffButtons("in_review", "clerk", 0);
    expect([c.prepare.enabled, c.prepare.primary, c.approve.enabled, c.reject.enabled]).toEqual([true, true, false, false]);
    const s = signOffButtons("prepared", "supervisor", 0);
    expect([s.prepare.enabled, s.approve.enabled, s.approve.primary, s.reject.enabled]).toEqual([false, true, true, true]);
    const cp = signOffButtons("prepared", "clerk", 0);
    expect([cp.approve.enabled, cp.approve.primary]).toEqual([true, false]);
    const a = signOffButtons("approved", "supervisor", 0);
    expect([a.prepare.enabled, a.approve.enabled, a.reject.enabled]).toEqual([false, false, false]);
    expect(signOffButtons("open", "clerk", 150).prepare.primary).toBe(false);
  });
});

describe("shortcuts", () => {
  const k = (key: string, m: Partial<{ alt: boolean; ctrl: boolean; meta: boolean; shift: boolean; code: string }> = {}) => ({
    key,
    code: m.code,
    altKey: !!m.alt,
    ctrlKey: !!m.ctrl,
    metaKey: !!m.meta,
    shiftKey: !!m.shift,
  });
  it("maps keys to actions", () => {
    expect(shortcutFor(k("z", { ctrl: true }), false, false)).toEqual({ type: "undo" });
    expect(shortcutFor(k("z", { meta: true }), false, false)).toEqual({ type: "undo" });
    expect(shortcutFor(k("z", { ctrl: true }), true, false)).toBeNull();
    expect(shortcutFor(k("?"), false, false)).toEqual({ type: "help" });
    expect(shortcutFor(k("?"), true, false)).toBeNull();
    expect(shortcutFor(k("¡", { alt: true, code: "Digit1" }), false, false)).toEqual({ type: "go", screen: "workspaces" });
    expect(shortcutFor(k("4", { alt: true, code: "Digit4" }), false, false)).toEqual({ type: "go", screen: "exceptions" });
    expect(shortcutFor(k("g"), false, false)).toEqual({ type: "g-pending" });
    expect(shortcutFor(k("e"), false, true)).toEqual({ type: "go", screen: "exceptions" });
    expect(shortcutFor(k("s"), false, true)).toEqual({ type: "go", screen: "signoff" });
    expect(shortcutFor(k("e"), false, false)).toBeNull();
    expect(shortcutFor(k("Escape"), true, false)).toEqual({ type: "escape" });
  });
  it("knows when the user is typing", () => {
    const input = document.createElement("input");
    const box = document.createElement("input");
    box.type = "checkbox";
    expect(isTyping(input)).toBe(true);
    expect(isTyping(box)).toBe(false);
    expect(isTyping(document.createElement("textarea"))).toBe(true);
    expect(isTyping(document.createElement("div"))).toBe(false);
    expect(isTyping(null)).toBe(false);
  });
});

describe("import paths", () => {
  it("one absolute path per line, blanks and quotes dropped", () => {
    expect(parsePaths(' /a/b.xml \n\n"/c d/e.sta"\r\n')).toEqual(["/a/b.xml", "/c d/e.sta"]);
  });
});
