import { describe, expect, it } from "vitest";
import type { ExceptionRow } from "../bindings/ExceptionRow";
import { applyExceptionQuery, buildExceptionQuery, decisionEffect, DEFAULT_FILTERS, loadAllPages, matchesQuery } from "./exceptions";
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
    const sizes: number[] = [];
    expect(await loadAllPages(fetch, DEFAULT_FILTERS, (p) => sizes.push(p.length), () => false, 5, 2)).toBe(true);
    expect(sizes).toEqual([2, 5, 5]);
  });
  it("a decision removes accepted items and counts down rejected suggestions", () => {
    const rows = new Map(
      [row({ item_id: "B-1", suggestions: 2 }), row({ side: "ledger", item_id: "L-1", suggestions: 1 }), row({ item_id: "B-2", suggestions: 1 })].map((r) => [`${r.side}:${r.item_id}`, r]),
    );
    const decided = [
      { bank: ["B-1"], ledger: ["L-1"] },
      { bank: ["B-1"], ledger: ["L-9"] },
    ];
    const accepted = decisionEffect(decided.slice(0, 1), true, (k) => rows.get(k));
    expect(accepted.remove.map((r) => r.item_id)).toEqual(["B-1", "L-1"]);
    expect(accepted.update).toEqual([]);
    const rejected = decisionEffect(decided, false, (k) => rows.get(k));
    expect(rejected.remove).toEqual([]);
    expect(rejected.update.map((r) => [r.item_id, r.suggestions])).toEqual([
      ["B-1", 0],
      ["L-1", 0],
    ]);
    expect(rows.get("bank:B-1")!.suggestions).toBe(2);
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
