// The one interface the screens talk to. One method per command of the IPC contract
// (notes/ipc-contract.md), plus event subscriptions. Two implementations: tauri.ts (the real
// app) and fake.ts (in-memory test double, used by `vite dev` in a browser and by the tests).
import type { About } from "../bindings/About";
import type { Adjustment } from "../bindings/Adjustment";
import type { AuthStatus } from "../bindings/AuthStatus";
import type { CarryReport } from "../bindings/CarryReport";
import type { Dashboard } from "../bindings/Dashboard";
import type { DecisionReceipt } from "../bindings/DecisionReceipt";
import type { ExceptionPage } from "../bindings/ExceptionPage";
import type { ExceptionQuery } from "../bindings/ExceptionQuery";
import type { ExceptionRow } from "../bindings/ExceptionRow";
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

export type Side = ExceptionRow["side"];
export type Unsubscribe = () => void;

export interface Backend {
  /** "tauri" in the desktop app, "fake" in a plain browser and in tests. */
  readonly kind: "tauri" | "fake";

  /** The About box: version, OS, workspace schema, where workspaces live, provider, inbox. */
  about(): Promise<About>;
  /** Who is signed in and how; resumes a verified sign-in from the keyring's refresh token. */
  authStatus(): Promise<AuthStatus>;
  /** Sign in with the identity provider (Okta) in the system browser; resolves when the browser
   * round trip is done. `fresh`: a new authentication at the provider (approval needs one). */
  signInOkta(fresh: boolean): Promise<AuthStatus>;
  /** Signs out (verified: revokes the refresh token) and closes the workspace. */
  signOut(): Promise<SignOutResult>;

  /** Demo mode: the picked, self-asserted profiles (demo workspaces only). */
  listProfiles(): Promise<Profile[]>;
  signIn(user: string): Promise<Profile>;
  currentProfile(): Promise<Profile | null>;

  listWorkspaces(): Promise<WorkspaceSummary[]>;
  /** Opens a workspace: its summary at once; the dashboard's figures come from `dashboard()`. */
  openWorkspace(id: string): Promise<WorkspaceSummary>;

  importDemoSamples(): Promise<ImportResult>;
  importFiles(paths: string[]): Promise<ImportResult>;
  /** The open workspace's import settings. */
  importSettings(): Promise<ImportSettings>;
  /** Sets strict reading for every import into the open workspace (audited); the new settings. */
  setStrictImport(strict: boolean): Promise<ImportSettings>;

  /** The statement inbox of the open workspace as last seen (read from the workspace; no
   * network, works offline). */
  inboxView(): Promise<InboxView>;
  /** Lists the configured S3 prefixes (new-file detection), then the view; a prefix that could
   * not be listed has its `error`. Not configured: just the view. */
  inboxRefresh(): Promise<InboxView>;
  /** Fetches, verifies and imports every new or failed file; emits "inbox-progress". A file's
   * failure is in the report (`tried[]`, status "failed"), not thrown. */
  inboxPull(): Promise<PullReport>;

  runMatching(): Promise<Dashboard>;
  dashboard(): Promise<Dashboard>;

  listExceptions(query: ExceptionQuery): Promise<ExceptionPage>;
  listSuggestions(side: Side | null, itemId: string | null): Promise<Suggestion[]>;
  acceptSuggestions(ids: number[]): Promise<DecisionReceipt>;
  rejectSuggestions(ids: number[]): Promise<DecisionReceipt>;
  manualMatch(bank: string[], ledger: string[], adjustment: Adjustment | null): Promise<DecisionReceipt>;

  itemDetail(side: Side, itemId: string): Promise<ItemDetail>;
  addComment(side: Side, itemId: string, text: string): Promise<DecisionReceipt>;
  /** items are [side, item_id] pairs; assignee null unassigns. */
  assignItems(items: [string, string][], assignee: string | null): Promise<DecisionReceipt>;
  undoLast(): Promise<DecisionReceipt>;

  signOffStatus(): Promise<SignOff>;
  prepareSignOff(): Promise<SignOff>;
  approveSignOff(): Promise<SignOff>;
  rejectSignOff(reason: string): Promise<SignOff>;
  /** Absolute path of the written file. */
  exportSignOff(format: ExportFormat): Promise<string>;

  /** The open workspace's outbox: each approval waiting to be published (or published), its
   * per-destination acknowledgements and last error, and the configured destinations (empty:
   * none). No network; works offline. */
  publishStatus(): Promise<PublishStatus>;
  /** Publishes every waiting approval now (backoffs ignored); emits "publish-progress". An
   * entry's failure is in the report (and its status), not thrown; nothing configured rejects
   * with config_invalid. */
  publishNow(): Promise<DrainReport>;
  /** A supervisor reopens the published period (audited, needs a reason): a refused approval is
   * published as the next revision. Then the status. */
  publishReopen(reason: string): Promise<PublishStatus>;
  /** The account's published periods from the results database; `error` says why they cannot
   * be read now (offline, not configured) instead of rejecting. */
  publishHistory(): Promise<HistoryView>;
  /** Brings the open items of the previous period (published, ending the day before this
   * workspace's period starts; from the results database, else the archive) in as this period's
   * opening items, once per workspace. The History view then shows them (`carried`). */
  carryForward(): Promise<CarryReport>;

  /** "import-progress" events. */
  onImportProgress(cb: (p: ImportProgress) => void): Unsubscribe;
  /** "match-progress" events. */
  onMatchProgress(cb: (p: MatchProgress) => void): Unsubscribe;
  /** "inbox-progress" events (during inboxPull). */
  onInboxProgress(cb: (p: InboxProgress) => void): Unsubscribe;
  /** "publish-progress" events: one line of text each (during publishNow). */
  onPublishProgress(cb: (line: string) => void): Unsubscribe;
  /** "publish-status" events: the outbox after each round of the background publisher. */
  onPublishStatus(cb: (s: PublishStatus) => void): Unsubscribe;
  /**
   * Files dropped on the window (absolute paths). `onHover` tells when a drag enters/leaves.
   * Tauri's webview swallows HTML5 drops, so this is the only way the UI learns about them.
   */
  onFilesDropped(cb: (paths: string[]) => void, onHover?: (hovering: boolean) => void): Unsubscribe;
}
