// The real backend: Tauri 2 commands and events of src-tauri.
import { invoke } from "@tauri-apps/api/core";
import { listen, type UnlistenFn } from "@tauri-apps/api/event";
import { getCurrentWebview } from "@tauri-apps/api/webview";
import type { Adjustment } from "../bindings/Adjustment";
import type { About } from "../bindings/About";
import type { AuthStatus } from "../bindings/AuthStatus";
import type { CarryReport } from "../bindings/CarryReport";
import type { Dashboard } from "../bindings/Dashboard";
import type { DecisionReceipt } from "../bindings/DecisionReceipt";
import type { ExceptionPage } from "../bindings/ExceptionPage";
import type { ExceptionQuery } from "../bindings/ExceptionQuery";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { HistoryView } from "../bindings/HistoryView";
import type { ImportProgress } from "../bindings/ImportProgress";
import type { ImportResult } from "../bindings/ImportResult";
import type { ImportSettings } from "../bindings/ImportSettings";
import type { InboxProgress } from "../bindings/InboxProgress";
import type { InboxView } from "../bindings/InboxView";
import type { ItemDetail } from "../bindings/ItemDetail";
import type { MatchProgress } from "../bindings/MatchProgress";
import type { DrainReport } from "../bindings/DrainReport";
import type { Profile } from "../bindings/Profile";
import type { PublishStatus } from "../bindings/PublishStatus";
import type { PullReport } from "../bindings/PullReport";
import type { SignOff } from "../bindings/SignOff";
import type { SignOutResult } from "../bindings/SignOutResult";
import type { Suggestion } from "../bindings/Suggestion";
import type { WorkspaceSummary } from "../bindings/WorkspaceSummary";
import type { Backend, Side, Unsubscribe } from "./Backend";
import { toBackendError } from "./errors";
import { recordCall } from "../logic/perfMarks";

async function call<T>(cmd: string, args?: Record<string, unknown>): Promise<T> {
  const start = performance.timeOrigin + performance.now();
  try {
    return await invoke<T>(cmd, args);
  } catch (e) {
    throw toBackendError(e);
  } finally {
    recordCall(cmd, start, performance.timeOrigin + performance.now());
  }
}

/** listen() is async; hand back a synchronous unsubscribe that works whenever it is called. */
function subscribe(promise: Promise<UnlistenFn>): Unsubscribe {
  let done = false;
  let unlisten: UnlistenFn | null = null;
  promise.then(
    (fn) => {
      if (done) fn();
      else unlisten = fn;
    },
    () => {
      /* listening failed: nothing to undo */
    },
  );
  return () => {
    done = true;
    if (unlisten) {
      unlisten();
      unlisten = null;
    }
  };
}

export function isTauri(): boolean {
  return typeof window !== "undefined" && "__TAURI_INTERNALS__" in window;
}

export class TauriBackend implements Backend {
  readonly kind = "tauri" as const;

  about() {
    return call<About>("about");
  }
  authStatus() {
    return call<AuthStatus>("auth_status");
  }
  signInOkta(fresh: boolean) {
    return call<AuthStatus>("sign_in_okta", { fresh });
  }
  signOut() {
    return call<SignOutResult>("sign_out");
  }
  listProfiles() {
    return call<Profile[]>("list_profiles");
  }
  signIn(user: string) {
    return call<Profile>("sign_in", { user });
  }
  currentProfile() {
    return call<Profile | null>("current_profile");
  }
  listWorkspaces() {
    return call<WorkspaceSummary[]>("list_workspaces");
  }
  openWorkspace(id: string) {
    return call<WorkspaceSummary>("open_workspace", { id });
  }
  importDemoSamples() {
    return call<ImportResult>("import_demo_samples");
  }
  importFiles(paths: string[]) {
    return call<ImportResult>("import_files", { paths });
  }
  importSettings() {
    return call<ImportSettings>("import_settings");
  }
  setStrictImport(strict: boolean) {
    return call<ImportSettings>("set_strict_import", { strict });
  }
  inboxView() {
    return call<InboxView>("inbox_view");
  }
  inboxRefresh() {
    return call<InboxView>("inbox_refresh");
  }
  inboxPull() {
    return call<PullReport>("inbox_pull");
  }
  runMatching() {
    return call<Dashboard>("run_matching");
  }
  dashboard() {
    return call<Dashboard>("dashboard");
  }
  listExceptions(query: ExceptionQuery) {
    return call<ExceptionPage>("list_exceptions", { query });
  }
  listSuggestions(side: Side | null, itemId: string | null) {
    return call<Suggestion[]>("list_suggestions", { side, itemId });
  }
  acceptSuggestions(ids: number[]) {
    return call<DecisionReceipt>("accept_suggestions", { ids });
  }
  rejectSuggestions(ids: number[]) {
    return call<DecisionReceipt>("reject_suggestions", { ids });
  }
  manualMatch(bank: string[], ledger: string[], adjustment: Adjustment | null) {
    return call<DecisionReceipt>("manual_match", { bank, ledger, adjustment });
  }
  itemDetail(side: Side, itemId: string) {
    return call<ItemDetail>("item_detail", { side, itemId });
  }
  addComment(side: Side, itemId: string, text: string) {
    return call<DecisionReceipt>("add_comment", { side, itemId, text });
  }
  assignItems(items: [string, string][], assignee: string | null) {
    return call<DecisionReceipt>("assign_items", { items, assignee });
  }
  undoLast() {
    return call<DecisionReceipt>("undo_last");
  }
  signOffStatus() {
    return call<SignOff>("sign_off_status");
  }
  prepareSignOff() {
    return call<SignOff>("prepare_sign_off");
  }
  approveSignOff() {
    return call<SignOff>("approve_sign_off");
  }
  rejectSignOff(reason: string) {
    return call<SignOff>("reject_sign_off", { reason });
  }
  exportSignOff(format: ExportFormat) {
    return call<string>("export_sign_off", { format });
  }
  publishStatus() {
    return call<PublishStatus>("publish_status");
  }
  publishNow() {
    return call<DrainReport>("publish_now");
  }
  publishReopen(reason: string) {
    return call<PublishStatus>("publish_reopen", { reason });
  }
  publishHistory() {
    return call<HistoryView>("publish_history");
  }
  carryForward() {
    return call<CarryReport>("carry_forward");
  }

  onImportProgress(cb: (p: ImportProgress) => void): Unsubscribe {
    return subscribe(listen<ImportProgress>("import-progress", (e) => cb(e.payload)));
  }
  onMatchProgress(cb: (p: MatchProgress) => void): Unsubscribe {
    return subscribe(listen<MatchProgress>("match-progress", (e) => cb(e.payload)));
  }
  onInboxProgress(cb: (p: InboxProgress) => void): Unsubscribe {
    return subscribe(listen<InboxProgress>("inbox-progress", (e) => cb(e.payload)));
  }
  onPublishProgress(cb: (line: string) => void): Unsubscribe {
    return subscribe(listen<string>("publish-progress", (e) => cb(e.payload)));
  }
  onPublishStatus(cb: (s: PublishStatus) => void): Unsubscribe {
    return subscribe(listen<PublishStatus>("publish-status", (e) => cb(e.payload)));
  }
  onFilesDropped(cb: (paths: string[]) => void, onHover?: (hovering: boolean) => void): Unsubscribe {
    return subscribe(
      getCurrentWebview().onDragDropEvent((event) => {
        const p = event.payload;
        if (p.type === "enter" || p.type === "over") onHover?.(true);
        else if (p.type === "leave") onHover?.(false);
        else if (p.type === "drop") {
          onHover?.(false);
          if (p.paths.length) cb(p.paths);
        }
      }),
    );
  }
}
