import { beforeEach, describe, expect, it } from "vitest";
import { BackendError } from "./errors";
import { FakeBackend, type FakeInbox, type FakePublish } from "./fake";
import type { ImportProgress } from "../bindings/ImportProgress";
import type { InboxProgress } from "../bindings/InboxProgress";
import type { MatchProgress } from "../bindings/MatchProgress";
import { buildExceptionQuery, DEFAULT_FILTERS } from "../logic/exceptions";

async function code(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(BackendError);
    return (e as BackendError).code;
  }
  throw new Error("expected the call to fail");
}

async function demo(extra = false) {
  const b = new FakeBackend({
    stress: false,
    extraProfiles: extra ? [{ user: "max", display_name: "Max (clerk + supervisor)", role: "supervisor", roles: ["clerk", "supervisor"] }] : [],
  });
  await b.signIn("clara");
  await b.openWorkspace("demo");
  await b.importDemoSamples();
  await b.runMatching();
  return b;
}

const all = (b: FakeBackend, side: "bank" | "ledger" | null = null) =>
  b.listExceptions(buildExceptionQuery({ ...DEFAULT_FILTERS, side: side ?? "" }, 0, 10_000));

describe("fake backend: profiles and workspaces", () => {
  let b: FakeBackend;
  beforeEach(() => {
    b = new FakeBackend({ stress: false });
  });
  it("lists the demo profiles and signs in", async () => {
    const ps = await b.listProfiles();
    expect(ps.map((p) => [p.user, p.role])).toEqual([
      ["clara", "clerk"],
      ["sam", "supervisor"],
    ]);
    expect(await b.currentProfile()).toBeNull();
    expect((await b.signIn("sam")).role).toBe("supervisor");
    expect((await b.currentProfile())?.user).toBe("sam");
    expect(await code(b.signIn("nobody"))).toBe("not_found");
  });
  it("refuses work before sign-in and without a workspace", async () => {
    expect(await code(b.listWorkspaces())).toBe("not_allowed");
    await b.signIn("clara");
    expect(await code(b.dashboard())).toBe("not_found");
    expect(await code(b.openWorkspace("nope"))).toBe("not_found");
  });
  it("imports the demo samples with progress, issues, then skips them the second time", async () => {
    await b.signIn("clara");
    const d0 = await b.openWorkspace("demo");
    expect(d0.bank_lines).toBe(0);
    const events: ImportProgress[] = [];
    const off = b.onImportProgress((p) => events.push(p));
    const r = await b.importDemoSamples();
    off();
    expect(r.bank_lines).toBeGreaterThan(50);
    expect(r.ledger_entries).toBeGreaterThan(50);
    expect(r.files.map((f) => f.status)).toEqual(["imported", "imported", "rejected", "imported"]);
    expect(r.issues.some((i) => i.severity === "error")).toBe(true);
    expect(events[events.length - 1]).toMatchObject({ files_done: 4, files_total: 4 });
    const again = await b.importDemoSamples();
    expect(again.bank_lines + again.ledger_entries).toBe(0);
    expect(again.files.filter((f) => f.status === "skipped")).toHaveLength(3);
  });
  it("import_files: unreadable and unknown files are rejected, others imported", async () => {
    await b.signIn("clara");
    await b.openWorkspace("demo");
    const r = await b.importFiles(["relative.sta", "/data/missing.xml", "/data/scan.pdf", "/data/nov.camt053.xml", "/data/ledger-nov.csv"]);
    expect(r.files.map((f) => f.status)).toEqual(["rejected", "rejected", "rejected", "imported", "imported"]);
    expect(r.bank_lines).toBeGreaterThan(0);
    expect(r.ledger_entries).toBeGreaterThan(0);
    expect(await code(b.importFiles([]))).toBe("invalid_argument");
  });
});

describe("fake backend: matching and decisions", () => {
  it("run_matching reports progress and makes a dashboard with a zero unexplained difference", async () => {
    const b = new FakeBackend({ stress: false });
    await b.signIn("clara");
    await b.openWorkspace("demo");
    await b.importDemoSamples();
    const phases: MatchProgress[] = [];
    b.onMatchProgress((p) => phases.push(p));
    const d = await b.runMatching();
    expect(phases.map((p) => p.phase)).toContain("exact");
    expect(phases[phases.length - 1]?.phase).toBe("store");
    expect(d.workspace.match_rate_permille).toBeGreaterThan(500);
    expect(d.rules.find((r) => r.rule === "exact")?.groups).toBeGreaterThan(10);
    expect(d.aging.map((a) => a.label)).toEqual(["0-7", "8-30", "31-60", "61-90", "90+"]);
    expect(d.statement.unexplained_difference_minor).toBe(0);
    expect(d.workspace.open_exceptions).toBe((await all(b)).total);
  });

  it("accepting a suggestion removes its items from the exceptions; undo brings them back", async () => {
    const b = await demo();
    const sugg = (await b.listSuggestions(null, null)).find((s) => s.rule === "fuzzy_reference")!;
    expect(sugg).toBeDefined();
    const before = (await all(b)).rows;
    expect(before.some((r) => r.item_id === sugg.bank[0])).toBe(true);
    const rcpt = await b.acceptSuggestions([sugg.id]);
    expect(rcpt.kind).toBe("accept");
    expect(rcpt.group).not.toBeNull();
    const after = (await all(b)).rows;
    expect(after.some((r) => r.item_id === sugg.bank[0] || r.item_id === sugg.ledger[0])).toBe(false);
    expect(after.length).toBe(before.length - 2);
    expect(await code(b.acceptSuggestions([sugg.id]))).toBe("conflict");
    await b.undoLast();
    expect((await all(b)).rows.length).toBe(before.length);
    expect((await b.listSuggestions("bank", sugg.bank[0]!)).map((s) => s.id)).toContain(sugg.id);
  });

  it("ambiguous items have two suggestions; accepting one retires the other", async () => {
    const b = await demo();
    const amb = (await b.listExceptions({ ...buildExceptionQuery(DEFAULT_FILTERS, 0, 100), reason: "ambiguous" })).rows;
    expect(amb.length).toBeGreaterThan(0);
    const row = amb[0]!;
    const ss = await b.listSuggestions(row.side, row.item_id);
    expect(ss).toHaveLength(2);
    expect(ss[0]!.score).toBeGreaterThanOrEqual(ss[1]!.score);
    expect(await code(b.acceptSuggestions([ss[0]!.id, ss[1]!.id]))).toBe("conflict");
    await b.acceptSuggestions([ss[0]!.id]);
    expect(await code(b.acceptSuggestions([ss[1]!.id]))).toBe("conflict");
    expect(await b.listSuggestions(null, null)).not.toContainEqual(expect.objectContaining({ id: ss[1]!.id }));
  });

  it("rejected suggestions are not proposed again by the next run", async () => {
    const b = await demo();
    const s = (await b.listSuggestions(null, null))[0]!;
    await b.rejectSuggestions([s.id]);
    await b.runMatching();
    const again = await b.listSuggestions(null, null);
    expect(again.some((x) => x.bank.join() === s.bank.join() && x.ledger.join() === s.ledger.join())).toBe(false);
  });

  it("manual match: zero difference confirms; a difference needs an adjustment with a note", async () => {
    const b = await demo();
    const bank = (await all(b, "bank")).rows.find((r) => r.reason === "no_candidate")!;
    const ledger = (await all(b, "ledger")).rows.find((r) => r.reason === "no_candidate")!;
    expect(bank.amount_minor).not.toBe(ledger.amount_minor);
    expect(await code(b.manualMatch([bank.item_id], [ledger.item_id], null))).toBe("invalid_argument");
    expect(await code(b.manualMatch([bank.item_id], [ledger.item_id], { reason: "bank_charge", note: "  " }))).toBe("invalid_argument");
    expect(await code(b.manualMatch([], [], null))).toBe("invalid_argument");
    expect(await code(b.manualMatch(["NOPE"], [], null))).toBe("not_found");
    const d0 = await b.dashboard();
    const r = await b.manualMatch([bank.item_id], [ledger.item_id], { reason: "bank_charge", note: "fee per bank advice" });
    expect(r.kind).toBe("manual_match");
    const d1 = await b.dashboard();
    expect(d1.statement.unexplained_difference_minor).toBe(0);
    expect(d1.statement.rows.find((x) => x.label === "adjustments: bank charges booked")?.amount_minor).toBe(-(bank.amount_minor - ledger.amount_minor));
    expect(d1.workspace.open_exceptions).toBe(d0.workspace.open_exceptions - 2);
    expect(await code(b.manualMatch([bank.item_id], [], { reason: "write_off", note: "x" }))).toBe("conflict");
    const detail = await b.itemDetail("bank", bank.item_id);
    expect(detail.group).toBe(r.group);
    expect(detail.history.some((h) => h.action === "manual_match")).toBe(true);
  });

  it("undo only undoes one's own last decision", async () => {
    const b = await demo();
    expect(await code(b.undoLast())).toBe("not_found");
    const row = (await all(b)).rows[0]!;
    await b.assignItems([[row.side, row.item_id]], "clara");
    expect((await b.itemDetail(row.side, row.item_id)).assignee).toBe("clara");
    await b.signIn("sam");
    expect(await code(b.undoLast())).toBe("not_found");
    await b.signIn("clara");
    const u = await b.undoLast();
    expect(u.kind).toBe("undo");
    expect((await b.itemDetail(row.side, row.item_id)).assignee).toBeNull();
    expect(await code(b.undoLast())).toBe("not_found");
  });

  it("comments are added and need text", async () => {
    const b = await demo();
    const row = (await all(b)).rows[0]!;
    expect(await code(b.addComment(row.side, row.item_id, " "))).toBe("invalid_argument");
    await b.addComment(row.side, row.item_id, "asked the bank for the advice");
    const d = await b.itemDetail(row.side, row.item_id);
    expect(d.comments).toEqual([expect.objectContaining({ author: "clara", text: "asked the bank for the advice" })]);
  });
});

describe("fake backend: sign-off (maker-checker)", () => {
  it("clerk prepares, cannot approve; the supervisor approves", async () => {
    const b = await demo();
    expect((await b.signOffStatus()).state).toBe("in_review");
    const p = await b.prepareSignOff();
    expect(p).toMatchObject({ state: "prepared", preparer: "clara", unexplained_difference_minor: 0 });
    expect(p.content_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(await code(b.prepareSignOff())).toBe("not_allowed");
    expect(await code(b.approveSignOff())).toBe("not_allowed");
    expect(await code(b.rejectSignOff("no"))).toBe("not_allowed");
    await b.signIn("sam");
    expect(await code(b.prepareSignOff())).toBe("not_allowed");
    const a = await b.approveSignOff();
    expect(a).toMatchObject({ state: "approved", preparer: "clara", approver: "sam" });
    expect(await code(b.approveSignOff())).toBe("not_allowed");
  });

  it("a supervisor who prepared cannot approve", async () => {
    const b = await demo(true);
    await b.signIn("max");
    await b.prepareSignOff();
    expect(await code(b.approveSignOff())).toBe("not_allowed");
    await b.signIn("sam");
    expect((await b.approveSignOff()).approver).toBe("sam");
  });

  it("rejection needs a reason and goes back to in review", async () => {
    const b = await demo();
    await b.prepareSignOff();
    await b.signIn("sam");
    expect(await code(b.rejectSignOff(" "))).toBe("invalid_argument");
    const r = await b.rejectSignOff("bank charges need receipts");
    expect(r).toMatchObject({ state: "in_review", rejection_reason: "bank charges need receipts", preparer: null });
  });

  it("any change withdraws an approval", async () => {
    const b = await demo();
    await b.prepareSignOff();
    await b.signIn("sam");
    await b.approveSignOff();
    const s = (await b.listSuggestions(null, null))[0]!;
    await b.acceptSuggestions([s.id]);
    const st = await b.signOffStatus();
    expect(st.state).toBe("in_review");
    expect(st.approver).toBeNull();
  });

  it("nothing is prepared with an unexplained difference", async () => {
    const b = new FakeBackend({ stress: false });
    await b.signIn("clara");
    await b.openWorkspace("jpy-2026-11");
    const d = await b.dashboard();
    expect(d.statement.unexplained_difference_minor).not.toBe(0);
    expect(await code(b.prepareSignOff())).toBe("not_allowed");
  });

  it("export returns an absolute path", async () => {
    const b = await demo();
    for (const f of ["pdf", "xlsx", "csv"] as const) expect(await b.exportSignOff(f)).toMatch(new RegExp(`^/.*\\.${f}$`));
  });
});

describe("fake backend: statement inbox", () => {
  async function inboxDemo(inbox?: FakeInbox | null) {
    const b = new FakeBackend({ stress: false, inbox });
    await b.signIn("clara");
    await b.openWorkspace("demo");
    return b;
  }

  it("the view is what was last seen; a refresh lists the prefixes and finds the new files", async () => {
    const b = await inboxDemo();
    const v0 = await b.inboxView();
    expect(v0).toMatchObject({ configured: true, locations: [], files: [], new_files: 0, imported_files: 0, failed_files: 0, interval_minutes: 0 });
    const v = await b.inboxRefresh();
    expect(v.locations.map((l) => [l.uri, l.objects, l.error])).toEqual([
      ["s3://acme-bank-statements/NL91ABNA0417164300/2026/11/", 3, null],
      ["s3://acme-ledger-extracts/NL91ABNA0417164300/2026/11/", 1, null],
    ]);
    expect(v.new_files).toBe(4);
    expect(v.files.map((f) => [f.kind, f.status])).toEqual([
      ["ledger", "new"],
      ["statement", "new"],
      ["statement", "new"],
      ["statement", "new"],
    ]);
    expect(v.files.every((f) => f.version_id === null && f.sha256 === null && f.size_bytes > 0)).toBe(true);
    // Read back offline, the same.
    expect(await b.inboxView()).toEqual(v);
    expect(await code(new FakeBackend({ stress: false }).inboxView())).toBe("not_allowed");
  });

  it("a pull imports the files' lines with progress; a checksum mismatch fails its file only, the next pull takes it", async () => {
    const b = await inboxDemo();
    const events: InboxProgress[] = [];
    const off = b.onInboxProgress((p) => events.push(p));
    const r = await b.inboxPull();
    expect(r).toMatchObject({ imported: 3, failed: 1, replaced: 0, left: 0, listing_errors: [] });
    expect(r.tried.map((f) => [f.kind, f.status, f.error])).toEqual([
      ["statement", "imported", null],
      ["statement", "failed", "checksum_mismatch"],
      ["statement", "imported", null],
      ["ledger", "imported", null],
    ]);
    expect(r.tried[1]!.message).toContain("nothing imported");
    expect(r.tried[0]!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(r.tried.every((f) => f.version_id !== null && f.attempts === 1)).toBe(true);
    expect(r.bytes_downloaded).toBe(r.tried.filter((f) => f.status === "imported").reduce((a, f) => a + f.size_bytes, 0));
    expect(r.view).toMatchObject({ new_files: 0, imported_files: 3, failed_files: 1 });
    expect(r.view.files[0]!.status).toBe("failed");
    expect(events[0]).toEqual({ phase: "listing", file: 0, files: 0, uri: "", bytes: 0, size_bytes: 0 });
    expect(events.some((e) => e.phase === "downloading" && e.file === 2 && e.files === 4 && e.bytes > 0 && e.bytes < e.size_bytes)).toBe(true);
    expect(events[events.length - 1]).toMatchObject({ phase: "importing", file: 4, files: 4 });
    const d = await b.dashboard();
    expect(d.workspace.bank_lines).toBeGreaterThan(0);
    expect(d.workspace.ledger_entries).toBeGreaterThan(0);

    const again = await b.inboxPull();
    off();
    expect(again).toMatchObject({ imported: 1, failed: 0 });
    expect(again.tried.map((f) => [f.status, f.attempts])).toEqual([["imported", 2]]);
    expect(again.view).toMatchObject({ new_files: 0, imported_files: 4, failed_files: 0 });
    expect((await b.dashboard()).workspace.bank_lines).toBeGreaterThan(d.workspace.bank_lines);
    const third = await b.inboxPull();
    expect(third).toMatchObject({ imported: 0, failed: 0, tried: [] });
    // The pulled lines are matched like any other.
    const m = await b.runMatching();
    expect(m.workspace.match_rate_permille).toBeGreaterThan(0);
  });

  it("offline: every listing fails, the files seen before stay, a pull tries nothing", async () => {
    const b = await inboxDemo();
    await b.inboxRefresh();
    b.inbox!.online = false;
    const v = await b.inboxRefresh();
    expect(v.locations.every((l) => l.error?.includes("unreachable"))).toBe(true);
    expect(v.new_files).toBe(4);
    const r = await b.inboxPull();
    expect(r).toMatchObject({ imported: 0, failed: 0, tried: [] });
    expect(r.listing_errors).toHaveLength(2);
    b.inbox!.failWith = "sign_in_required";
    expect(await code(b.inboxRefresh())).toBe("sign_in_required");
    expect((await b.inboxRefresh()).locations).toHaveLength(2);
  });

  it("not configured: the view says so, a refresh only reads it, a pull is config_invalid", async () => {
    for (const b of [await inboxDemo(null), await inboxDemo({ configured: false })]) {
      expect((await b.inboxView()).configured).toBe(false);
      expect(await b.inboxRefresh()).toMatchObject({ configured: false, locations: [], files: [] });
      expect(await code(b.inboxPull())).toBe("config_invalid");
    }
    expect((await (await inboxDemo({ intervalMinutes: 15 })).inboxView()).interval_minutes).toBe(15);
  });

  it("a new version of an imported statement replaces it, unless its lines are matched", async () => {
    const b = await inboxDemo();
    await b.inboxPull();
    await b.inboxPull();
    const [first, second] = (await b.inboxView()).files.filter((f) => f.kind === "statement");
    b.inboxNewVersion(first!.key);
    const v = await b.inboxRefresh();
    expect(v.new_files).toBe(1);
    const r = await b.inboxPull();
    expect(r).toMatchObject({ imported: 1, replaced: 1 });
    // Matched lines block the replacement.
    await b.runMatching();
    b.inboxNewVersion(second!.key);
    const blocked = await b.inboxPull();
    expect(blocked).toMatchObject({ imported: 0, failed: 1 });
    expect(blocked.tried[0]!.error).toBe("replacement_blocked");
  });
});

describe("fake backend: publishing", () => {
  /** The demo workspace prepared by clara and approved by sam (sam acting). */
  async function approved(publish?: FakePublish | null) {
    const b = new FakeBackend({ stress: false, publish });
    await b.signIn("clara");
    await b.openWorkspace("demo");
    await b.importDemoSamples();
    await b.runMatching();
    await b.prepareSignOff();
    await b.signIn("sam");
    await b.approveSignOff();
    return b;
  }

  /** A change withdraws the approval; clara prepares again and sam approves again. */
  async function approveAgain(b: FakeBackend) {
    await b.signIn("clara");
    const s = (await b.listSuggestions(null, null))[0]!;
    await b.acceptSuggestions([s.id]);
    await b.prepareSignOff();
    await b.signIn("sam");
    await b.approveSignOff();
  }

  it("an approval queues an outbox entry; publishing sends it to both destinations with progress", async () => {
    const b = await approved();
    const s = await b.publishStatus();
    expect(s).toMatchObject({ waiting: 1, refused: 0 });
    expect(s.destinations).toEqual(["results database postgresql://clara_app@recon-db.acme.test:5432/recon", "archive s3://acme-recon/published/"]);
    const hash = (await b.signOffStatus()).content_hash;
    expect(s.items).toEqual([
      expect.objectContaining({ id: 1, content_hash: hash, revision: 1, approver: "sam", staged: false, database_at: null, archive_at: null, attempts: 0, last_error: null, refused: false, published_at: null }),
    ]);
    const lines: string[] = [];
    const off = b.onPublishProgress((l) => lines.push(l));
    const r = await b.publishNow();
    off();
    expect(r).toMatchObject({ published: 1, failed: 0, deferred: 0 });
    expect(r.entries).toEqual([expect.objectContaining({ id: 1, revision: 1, published: true, database_already: false, archive_objects_written: 6, error: null })]);
    expect(lines[0]).toBe("staging approval 1");
    expect(lines[lines.length - 1]).toBe(`published approval 1 (revision 1, content ${hash!.slice(0, 12)}…)`);
    const after = await b.publishStatus();
    expect(after).toMatchObject({ waiting: 0, refused: 0 });
    expect(after.items[0]).toMatchObject({ staged: true, database_at: "2026-12-04T09:30:00Z", archive_at: "2026-12-04T09:30:00Z", published_at: "2026-12-04T09:30:00Z" });
    // Nothing left: publishing again does nothing.
    expect(await b.publishNow()).toEqual({ entries: [], published: 0, failed: 0, deferred: 0 });
    const h = await b.publishHistory();
    expect(h).toMatchObject({ account: "NL91ABNA0417164300", error: null });
    expect(h.periods).toEqual([
      expect.objectContaining({ period_start: "2026-11-01", period_end: "2026-11-30", revision: 1, content_hash: hash, currency: "EUR", exponent: 2, preparer: "clara", approver: "sam", published_by: "sam", superseded: false }),
    ]);
    expect(h.periods[0]!.matched_items).toBeGreaterThan(0);
  });

  it("a second approval of the period is refused until a supervisor reopens it; then it is revision 2", async () => {
    const b = await approved();
    await b.publishNow();
    await approveAgain(b);
    const r = await b.publishNow();
    expect(r).toMatchObject({ published: 0, failed: 1 });
    expect(r.entries[0]).toMatchObject({ id: 2, revision: 1, published: false, error_code: "refused" });
    expect(r.entries[0]!.error).toContain("is already published with other content");
    const s = await b.publishStatus();
    expect(s).toMatchObject({ waiting: 1, refused: 1 });
    expect(s.items[1]).toMatchObject({ refused: true, last_error_code: "refused", attempts: 1, published_at: null });
    // A refusal waits for a person: publishing again tries nothing.
    expect((await b.publishNow()).entries).toEqual([]);

    await b.signIn("clara");
    expect(await code(b.publishReopen("corrected bank charges"))).toBe("not_allowed");
    await b.signIn("sam");
    expect(await code(b.publishReopen("  "))).toBe("invalid_argument");
    const reopened = await b.publishReopen("corrected bank charges");
    expect(reopened).toMatchObject({ waiting: 1, refused: 0 });
    expect(reopened.items[1]).toMatchObject({ revision: 2, refused: false, next_attempt_unix: 0 });
    const again = await b.publishNow();
    expect(again).toMatchObject({ published: 1, failed: 0 });
    expect(again.entries[0]).toMatchObject({ id: 2, revision: 2, published: true });
    expect((await b.publishStatus()).waiting).toBe(0);
    const h = await b.publishHistory();
    expect(h.periods.map((p) => [p.revision, p.superseded])).toEqual([
      [2, false],
      [1, true],
    ]);
    // Reopening again: the next approval is published as revision 3; what is published stays.
    expect((await b.publishReopen("another correction")).items.map((i) => [i.revision, i.published_at !== null])).toEqual([
      [1, true],
      [2, true],
    ]);
  });

  it("unreachable destinations: the entry keeps its error and a backoff, the History says why it is empty; back online it publishes", async () => {
    const b = await approved({ online: false });
    const r = await b.publishNow();
    expect(r).toMatchObject({ published: 0, failed: 1 });
    expect(r.entries[0]).toMatchObject({ error_code: "unreachable" });
    const s = await b.publishStatus();
    expect(s.items[0]).toMatchObject({ attempts: 1, last_error_code: "unreachable", refused: false, published_at: null, database_at: null });
    expect(s.items[0]!.last_error).toContain("cannot connect");
    expect(s.items[0]!.next_attempt_unix).toBe(Math.floor(new Date("2026-12-04T09:30:00Z").getTime() / 1000) + 15);
    // The background publisher waits for the backoff; Publish now does not.
    expect(await b.publishInBackground()).toMatchObject({ deferred: 1, failed: 0 });
    const h = await b.publishHistory();
    expect(h.periods).toEqual([]);
    expect(h.error).toContain("unreachable");
    b.publish!.online = true;
    expect(await b.publishNow()).toMatchObject({ published: 1 });
    expect((await b.publishStatus()).items[0]).toMatchObject({ last_error: null, last_error_code: null });
  });

  it("the background publisher's round ends with a publish-status event", async () => {
    const b = await approved();
    const got: number[] = [];
    const off = b.onPublishStatus((s) => got.push(s.waiting));
    expect(await b.publishInBackground()).toMatchObject({ published: 1 });
    expect(await b.publishInBackground()).toBeNull();
    off();
    expect(got).toEqual([0]);
  });

  it("a change after approval, before publishing, makes the entry stale", async () => {
    const b = await approved();
    const s = (await b.listSuggestions(null, null))[0]!;
    await b.acceptSuggestions([s.id]);
    const r = await b.publishNow();
    expect(r.entries[0]).toMatchObject({ error_code: "stale", published: false });
    expect(await b.publishStatus()).toMatchObject({ waiting: 1, refused: 1 });
  });

  it("not configured: no destinations, Publish now is config_invalid, the History says so; the approval waits", async () => {
    for (const publish of [null, { configured: false }]) {
      const b = await approved(publish);
      expect(await b.publishStatus()).toMatchObject({ waiting: 1, destinations: [] });
      expect(await code(b.publishNow())).toBe("config_invalid");
      const h = await b.publishHistory();
      expect(h).toMatchObject({ periods: [], source: "" });
      expect(h.error).toContain("no results database configured");
    }
  });

  it("the seeded USD month is published; its account's history has September's two revisions", async () => {
    const b = new FakeBackend({ stress: false });
    await b.signIn("clara");
    await b.openWorkspace("usd-2026-10");
    const s = await b.publishStatus();
    expect(s).toMatchObject({ waiting: 0, refused: 0 });
    expect(s.items).toHaveLength(1);
    expect(s.items[0]!.published_at).not.toBeNull();
    const h = await b.publishHistory();
    expect(h.periods.map((p) => [p.period_end, p.revision, p.superseded])).toEqual([
      ["2026-10-31", 1, false],
      ["2026-09-30", 2, false],
      ["2026-09-30", 1, true],
    ]);
    expect(await code(b.publishReopen("x"))).toBe("not_allowed");
    await b.signIn("sam");
    expect((await b.publishReopen("restated")).waiting).toBe(0);
  });
});

describe("fake backend: stress workspace", () => {
  it("pages through 100,000 exceptions", async () => {
    const b = new FakeBackend();
    await b.signIn("clara");
    const d = await b.openWorkspace("stress-100k");
    expect(d.bank_lines + d.ledger_entries).toBe(100_000);
    const p = await b.listExceptions(buildExceptionQuery(DEFAULT_FILTERS, 95_000, 5000));
    expect(p.total).toBe(100_000);
    expect(p.rows).toHaveLength(5000);
  });
});
