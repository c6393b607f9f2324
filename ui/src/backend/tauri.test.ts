import { beforeEach, describe, expect, it, vi } from "vitest";

const calls: { cmd: string; args: unknown }[] = [];
let reply: (cmd: string) => Promise<unknown> = async () => null;
const listeners = new Map<string, (e: { payload: unknown }) => void>();
const unlistened: string[] = [];

vi.mock("@tauri-apps/api/core", () => ({
  invoke: (cmd: string, args?: unknown) => {
    calls.push({ cmd, args });
    return reply(cmd);
  },
}));
vi.mock("@tauri-apps/api/event", () => ({
  listen: async (name: string, cb: (e: { payload: unknown }) => void) => {
    listeners.set(name, cb);
    return () => unlistened.push(name);
  },
}));
vi.mock("@tauri-apps/api/webview", () => ({
  getCurrentWebview: () => ({
    onDragDropEvent: async (cb: (e: { payload: unknown }) => void) => {
      listeners.set("drag-drop", cb);
      return () => unlistened.push("drag-drop");
    },
  }),
}));

import { BackendError } from "./errors";
import { TauriBackend } from "./tauri";

describe("TauriBackend", () => {
  beforeEach(() => {
    calls.length = 0;
    unlistened.length = 0;
    listeners.clear();
    reply = async () => null;
  });

  it("invokes every contract command with the contract's argument names", async () => {
    const b = new TauriBackend();
    const q = { side: null, reason: null, text: "x", sort: "age-desc" as const, offset: 0, limit: 5000 };
    await b.authStatus();
    await b.signInOkta(true);
    await b.signOut();
    await b.listProfiles();
    await b.signIn("clara");
    await b.currentProfile();
    await b.listWorkspaces();
    await b.openWorkspace("demo");
    await b.importDemoSamples();
    await b.importFiles(["/a.xml"]);
    await b.importSettings();
    await b.setStrictImport(true);
    await b.inboxView();
    await b.inboxRefresh();
    await b.inboxPull();
    await b.runMatching();
    await b.dashboard();
    await b.listExceptions(q);
    await b.listSuggestions("bank", "B-1");
    await b.listSuggestions(null, null);
    await b.acceptSuggestions([1, 2]);
    await b.rejectSuggestions([3]);
    await b.manualMatch(["B-1"], ["L-1"], { reason: "bank_charge", note: "fee" });
    await b.itemDetail("ledger", "L-1");
    await b.addComment("bank", "B-1", "hi");
    await b.assignItems([["bank", "B-1"]], null);
    await b.undoLast();
    await b.signOffStatus();
    await b.prepareSignOff();
    await b.approveSignOff();
    await b.rejectSignOff("why");
    await b.exportSignOff("xlsx");
    await b.publishStatus();
    await b.publishNow();
    await b.publishReopen("corrected fees");
    await b.publishHistory();
    await b.carryForward();
    expect(calls).toEqual([
      { cmd: "auth_status", args: undefined },
      { cmd: "sign_in_okta", args: { fresh: true } },
      { cmd: "sign_out", args: undefined },
      { cmd: "list_profiles", args: undefined },
      { cmd: "sign_in", args: { user: "clara" } },
      { cmd: "current_profile", args: undefined },
      { cmd: "list_workspaces", args: undefined },
      { cmd: "open_workspace", args: { id: "demo" } },
      { cmd: "import_demo_samples", args: undefined },
      { cmd: "import_files", args: { paths: ["/a.xml"] } },
      { cmd: "import_settings", args: undefined },
      { cmd: "set_strict_import", args: { strict: true } },
      { cmd: "inbox_view", args: undefined },
      { cmd: "inbox_refresh", args: undefined },
      { cmd: "inbox_pull", args: undefined },
      { cmd: "run_matching", args: undefined },
      { cmd: "dashboard", args: undefined },
      { cmd: "list_exceptions", args: { query: q } },
      { cmd: "list_suggestions", args: { side: "bank", itemId: "B-1" } },
      { cmd: "list_suggestions", args: { side: null, itemId: null } },
      { cmd: "accept_suggestions", args: { ids: [1, 2] } },
      { cmd: "reject_suggestions", args: { ids: [3] } },
      { cmd: "manual_match", args: { bank: ["B-1"], ledger: ["L-1"], adjustment: { reason: "bank_charge", note: "fee" } } },
      { cmd: "item_detail", args: { side: "ledger", itemId: "L-1" } },
      { cmd: "add_comment", args: { side: "bank", itemId: "B-1", text: "hi" } },
      { cmd: "assign_items", args: { items: [["bank", "B-1"]], assignee: null } },
      { cmd: "undo_last", args: undefined },
      { cmd: "sign_off_status", args: undefined },
      { cmd: "prepare_sign_off", args: undefined },
      { cmd: "approve_sign_off", args: undefined },
      { cmd: "reject_sign_off", args: { reason: "why" } },
      { cmd: "export_sign_off", args: { format: "xlsx" } },
      { cmd: "publish_status", args: undefined },
      { cmd: "publish_now", args: undefined },
      { cmd: "publish_reopen", args: { reason: "corrected fees" } },
      { cmd: "publish_history", args: undefined },
      { cmd: "carry_forward", args: undefined },
    ]);
  });

  it("keeps the sign-in error codes (never internal)", async () => {
    const b = new TauriBackend();
    for (const code of ["sign_in_required", "sign_in_failed", "provider_unreachable", "config_invalid"]) {
      reply = async () => {
        throw { code, message: "m" };
      };
      const e = await b.signInOkta(false).catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BackendError);
      expect((e as BackendError).code).toBe(code);
    }
  });

  it("inbox: a refused pull keeps its code; a per-file failure is data, not a rejection", async () => {
    const b = new TauriBackend();
    for (const code of ["config_invalid", "sign_in_required"]) {
      reply = async () => {
        throw { code, message: "m" };
      };
      const e = await b.inboxPull().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BackendError);
      expect((e as BackendError).code).toBe(code);
    }
    const view = { configured: true, locations: [], files: [], new_files: 0, imported_files: 0, failed_files: 1, interval_minutes: 0 };
    const report = { imported: 0, failed: 1, replaced: 0, left: 0, bytes_downloaded: 0, tried: [], listing_errors: [], view };
    reply = async (cmd) => (cmd === "inbox_pull" ? report : view);
    expect(await b.inboxPull()).toEqual(report);
    expect(await b.inboxRefresh()).toEqual(view);
  });

  it("publishing: a refused call keeps its code (publish_failed too); an entry's failure is data", async () => {
    const b = new TauriBackend();
    for (const code of ["config_invalid", "publish_failed", "sign_in_required", "not_allowed"]) {
      reply = async () => {
        throw { code, message: "m" };
      };
      const e = await b.publishNow().catch((x: unknown) => x);
      expect(e).toBeInstanceOf(BackendError);
      expect((e as BackendError).code).toBe(code);
    }
    const report = {
      entries: [{ id: 2, revision: 1, content_hash: "ab", published: false, database_already: false, archive_objects_written: 0, error: "already published", error_code: "refused" }],
      published: 0,
      failed: 1,
      deferred: 0,
    };
    const history = { account: "NL91", periods: [], source: "", error: "no results database configured" };
    reply = async (cmd) => (cmd === "publish_now" ? report : history);
    expect(await b.publishNow()).toEqual(report);
    expect(await b.publishHistory()).toEqual(history);
  });

  it("wraps a rejected IpcError into a BackendError with its code", async () => {
    const b = new TauriBackend();
    reply = async () => {
      throw { code: "not_allowed", message: "clara prepared this reconciliation" };
    };
    const e = await b.approveSignOff().catch((x: unknown) => x);
    expect(e).toBeInstanceOf(BackendError);
    expect((e as BackendError).code).toBe("not_allowed");
    expect((e as BackendError).message).toBe("clara prepared this reconciliation");

    reply = async () => {
      throw JSON.stringify({ code: "conflict", message: "already matched" });
    };
    expect(((await b.acceptSuggestions([1]).catch((x: unknown) => x)) as BackendError).code).toBe("conflict");

    reply = async () => {
      throw "command foo not found";
    };
    const i = (await b.dashboard().catch((x: unknown) => x)) as BackendError;
    expect(i.code).toBe("internal");
    expect(i.message).toBe("command foo not found");

    reply = async () => {
      throw { code: "made_up", message: "x" };
    };
    expect(((await b.dashboard().catch((x: unknown) => x)) as BackendError).code).toBe("internal");
  });

  it("subscribes to the progress events and drops, and unsubscribes", async () => {
    const b = new TauriBackend();
    const got: unknown[] = [];
    const off = b.onImportProgress((p) => got.push(p));
    const offM = b.onMatchProgress((p) => got.push(p));
    const offI = b.onInboxProgress((p) => got.push(p));
    const offP = b.onPublishProgress((line) => got.push(line));
    const offS = b.onPublishStatus((st) => got.push(st));
    const hover: boolean[] = [];
    const offD = b.onFilesDropped((paths) => got.push(paths), (h) => hover.push(h));
    await Promise.resolve();
    await Promise.resolve();
    listeners.get("import-progress")!({ payload: { file: "a", files_done: 1, files_total: 2, records: 3 } });
    listeners.get("match-progress")!({ payload: { phase: "exact", done: 1, total: 8 } });
    const inbox = { phase: "downloading", file: 2, files: 4, uri: "s3://b/k.xml", bytes: 512, size_bytes: 2048 };
    listeners.get("inbox-progress")!({ payload: inbox });
    listeners.get("publish-progress")!({ payload: "staging approval 1" });
    const status = { waiting: 0, refused: 0, items: [], destinations: ["archive s3://acme-recon/published/"] };
    listeners.get("publish-status")!({ payload: status });
    listeners.get("drag-drop")!({ payload: { type: "enter", paths: ["/x"], position: { x: 0, y: 0 } } });
    listeners.get("drag-drop")!({ payload: { type: "drop", paths: ["/x.xml", "/y.csv"], position: { x: 0, y: 0 } } });
    expect(got).toEqual([{ file: "a", files_done: 1, files_total: 2, records: 3 }, { phase: "exact", done: 1, total: 8 }, inbox, "staging approval 1", status, ["/x.xml", "/y.csv"]]);
    expect(hover).toEqual([true, false]);
    off();
    offM();
    offI();
    offP();
    offS();
    offD();
    expect(unlistened.sort()).toEqual(["drag-drop", "import-progress", "inbox-progress", "match-progress", "publish-progress", "publish-status"]);
  });
});
