// In-memory test double of the Tauri backend. It enforces the same rules as the Rust side
// (recon-review / recon-store): maker-checker, roles, sign-off states, one confirmed group per
// item, undo of one's own last decision, a sign-off withdrawn by any change, the bank
// reconciliation statement. Used by `vite dev` in a plain browser and by the unit tests.
import type { Adjustment } from "../bindings/Adjustment";
import type { AdjustmentReason } from "../bindings/AdjustmentReason";
import type { AgingBucket } from "../bindings/AgingBucket";
import type { Attachment } from "../bindings/Attachment";
import type { About } from "../bindings/About";
import type { AuthStatus } from "../bindings/AuthStatus";
import type { AuditEntry } from "../bindings/AuditEntry";
import type { CarriedView } from "../bindings/CarriedView";
import type { CarryReport } from "../bindings/CarryReport";
import type { Comment } from "../bindings/Comment";
import type { Dashboard } from "../bindings/Dashboard";
import type { DecisionReceipt } from "../bindings/DecisionReceipt";
import type { DrainReport } from "../bindings/DrainReport";
import type { EntryOutcome } from "../bindings/EntryOutcome";
import type { ErrorCode } from "../bindings/ErrorCode";
import type { ExceptionPage } from "../bindings/ExceptionPage";
import type { ExceptionQuery } from "../bindings/ExceptionQuery";
import type { ExceptionRow } from "../bindings/ExceptionRow";
import type { ExportFormat } from "../bindings/ExportFormat";
import type { HistoryView } from "../bindings/HistoryView";
import type { ImportFileResult } from "../bindings/ImportFileResult";
import type { ImportProgress } from "../bindings/ImportProgress";
import type { ImportResult } from "../bindings/ImportResult";
import type { ImportSettings } from "../bindings/ImportSettings";
import type { InboxError } from "../bindings/InboxError";
import type { InboxFile } from "../bindings/InboxFile";
import type { InboxLocation } from "../bindings/InboxLocation";
import type { InboxProgress } from "../bindings/InboxProgress";
import type { InboxStatus } from "../bindings/InboxStatus";
import type { InboxView } from "../bindings/InboxView";
import type { IssueRow } from "../bindings/IssueRow";
import type { ItemDetail } from "../bindings/ItemDetail";
import type { MatchProgress } from "../bindings/MatchProgress";
import type { ObjectKind } from "../bindings/ObjectKind";
import type { OutboxItem } from "../bindings/OutboxItem";
import type { Profile } from "../bindings/Profile";
import type { PublishErrorCode } from "../bindings/PublishErrorCode";
import type { PublishStatus } from "../bindings/PublishStatus";
import type { PublishedPeriod } from "../bindings/PublishedPeriod";
import type { PullReport } from "../bindings/PullReport";
import type { Role } from "../bindings/Role";
import type { RuleStat } from "../bindings/RuleStat";
import type { SignOff } from "../bindings/SignOff";
import type { SignOffState } from "../bindings/SignOffState";
import type { SignOutResult } from "../bindings/SignOutResult";
import type { StatementRow } from "../bindings/StatementRow";
import type { Suggestion } from "../bindings/Suggestion";
import type { WhoAmI } from "../bindings/WhoAmI";
import type { WorkspaceSummary } from "../bindings/WorkspaceSummary";
import { filterAndSort, pageOf, queryKey } from "../logic/exceptions";
import { formatMinor } from "../money";
import type { Backend, Side, Unsubscribe } from "./Backend";
import { BackendError } from "./errors";
import { daysBetween, generate, generateStress, type Dataset, type FakeItem, type Plan } from "./fakeData";

/** A local profile with the roles its principal holds (Profile shows one role). */
export interface FakeProfile extends Profile {
  roles: Role[];
}

export interface FakeOptions {
  /** Milliseconds each call waits (0 in tests; ~60 in the browser demo to show progress). */
  latencyMs?: number;
  /** Extra profiles besides clara (clerk) and sam (supervisor), e.g. one with both roles. */
  extraProfiles?: FakeProfile[];
  /** "now" for timestamps and the age of items. Defaults to a fixed demo date. */
  now?: () => Date;
  /** Include the 100,000-item stress workspace (default true). */
  stress?: boolean;
  /** A configured identity provider ("Sign in with Okta"); none by default (demo mode only). */
  okta?: FakeOkta;
  /** The statement inbox: configured by default (a simulated S3 bucket per workspace); null
   * or `configured: false` for none. */
  inbox?: FakeInbox | null;
  /** Publishing: configured by default (a simulated results database and S3 archive, shared by
   * the workspaces like the team's); null or `configured: false` for none. */
  publish?: FakePublish | null;
}

/** The fake's publishing destinations: a results database and an archive that keep, per account
 * and period, the revisions published. An approval queues an outbox entry; publishing sends it.
 * As in the real one, different content for a published revision (a second approval of the
 * same period) is refused until a supervisor reopens the period, which makes the next revision.
 * Mutable between calls. */
export interface FakePublish {
  /** false: no `[publish]` section: no destinations, publishNow fails with config_invalid, the
   * History says there is no database. */
  configured?: boolean;
  /** false: the destinations cannot be reached: each waiting entry fails with unreachable, keeps
   * its error and waits for a retry; the History says why it is empty. */
  online?: boolean;
}

const PUBLISH_DATABASE_URL = "postgresql://clara_app@recon-db.acme.test:5432/recon";
const PUBLISH_DATABASE = "PostgreSQL clara_app@recon-db.acme.test:5432/recon";
const PUBLISH_ARCHIVE = "s3://acme-recon/published/";

/** The fake's statement inbox: an `[inbox]` section and, per workspace, a small simulated bucket
 * (three statement files and a ledger extract in the period's last month; the second statement
 * fails with checksum_mismatch on its first fetch and comes in on the next pull). Mutable
 * between calls. */
export interface FakeInbox {
  /** false: no `[inbox]` section (the view says so, a pull fails with config_invalid). */
  configured?: boolean;
  /** false: the store cannot be reached: every prefix's listing fails (unreachable). */
  online?: boolean;
  /** The next inbox_refresh or inbox_pull rejects with this code (once). */
  failWith?: ErrorCode | null;
  /** InboxView.interval_minutes (0: no automatic refresh). */
  intervalMinutes?: number;
}

const INBOX_STATEMENTS = "s3://acme-bank-statements/{account}/{yyyy}/{mm}/";
const INBOX_LEDGER = "s3://acme-ledger-extracts/{account}/{yyyy}/{mm}/";

/** An object in the simulated bucket. */
interface RemoteObject {
  kind: ObjectKind;
  bucket: string;
  key: string;
  etag: string;
  version_id: string;
  size_bytes: number;
  last_modified: string;
  /** Its bytes fail verification on the first fetch (checksum_mismatch). */
  flaky: boolean;
}

/** What the workspace remembers of an object (one per bucket and key: the latest ETag seen). */
interface SeenObject {
  kind: ObjectKind;
  bucket: string;
  key: string;
  etag: string;
  size_bytes: number;
  last_modified: string | null;
  version_id: string | null;
  status: InboxStatus;
  error: InboxError | null;
  message: string | null;
  attempts: number;
  sha256: string | null;
  last_seen_at: string;
  /** A new version of an imported statement: importing it replaces the earlier one. */
  replaces: boolean;
}

interface InboxState {
  /** The prefixes of the workspace's account and period, statements first. */
  locations: { kind: ObjectKind; uri: string }[];
  /** The bucket as it is now. */
  remote: RemoteObject[];
  /** Keyed by URI. */
  seen: Map<string, SeenObject>;
  /** When each prefix was last listed, keyed by its URI. */
  scans: Map<string, InboxLocation>;
  /** The files' lines (statement files by URI, the ledger extract). */
  data: Dataset;
  /** URIs fetched at least once (a flaky object's second fetch succeeds). */
  fetched: Set<string>;
  plansAdded: boolean;
}

/** The fake's identity provider: minimal, for the component tests. Mutable between calls. */
export interface FakeOkta {
  /** Who the next browser sign-in signs in as: clara (clerk), sam (supervisor + clerk), nora (no group). */
  nextUser?: "clara" | "sam" | "nora";
  /** The next sign_in_okta fails with this code (once). */
  failWith?: ErrorCode | null;
  /** Approval asks for a fresh sign-in (sign_in_required) until sign_in_okta(fresh=true). */
  approvalNeedsFreshSignIn?: boolean;
  /** Unix seconds the session ends at (default: an hour after "now"). */
  sessionEndsAt?: number;
  /** false: the provider is unreachable, the session runs on the offline grace. */
  online?: boolean;
  /** The configuration error shown on the sign-in screen. */
  configError?: string | null;
}

const OKTA_ISSUER = "https://acme.okta.test/oauth2/default";
const OKTA_PEOPLE: Record<string, { name: string; groups: string[]; roles: Role[] }> = {
  clara: { name: "Clara Clerk", groups: ["recon-clerks"], roles: ["clerk"] },
  sam: { name: "Sam Supervisor", groups: ["recon-supervisors", "recon-clerks"], roles: ["supervisor", "clerk"] },
  nora: { name: "Nora Nogroup", groups: [], roles: [] },
};

const PASS_ORDER = [
  "exact",
  "partial_payments",
  "batch_payments",
  "bank_charges",
  "amount_date",
  "amount_date_review",
  "fuzzy_reference",
  "subset_sum",
];

interface Group {
  id: number;
  rule: string;
  status: RuleStat["status"];
  bank: string[];
  ledger: string[];
  difference: number;
  adjustment: Adjustment | null;
}

interface Sugg {
  id: number;
  plan: Plan;
  difference: number;
  status: "open" | "accepted" | "rejected";
}

interface Decision {
  id: number;
  actor: string;
  kind: string;
  undone: boolean;
  /** Does undoing it change matches (and so withdraw a sign-off)? */
  content: boolean;
  undo: (() => void) | null;
}

interface SignOffRec {
  state: SignOffState;
  preparer: string | null;
  prepared_at: string | null;
  approver: string | null;
  approved_at: string | null;
  content_hash: string | null;
  rejection_reason: string | null;
}

/** An approval in the workspace's outbox, with its publishing state. */
interface OutboxRec {
  id: number;
  content_hash: string;
  revision: number;
  preparer: string;
  approver: string;
  approved_at: string;
  created_at: string;
  /** The revision it was staged for (0: not staged); a reopening stages it again. */
  stagedRevision: number;
  database_at: string | null;
  archive_at: string | null;
  attempts: number;
  last_error: string | null;
  last_error_code: PublishErrorCode | null;
  next_attempt_unix: number;
  /** Refused for good (other content published for the revision, or stale): waits for a
   * reopening. `published`: what is published instead. */
  refused: { published: { revision: number; content_hash: string } | null } | null;
  published_at: string | null;
  /** The reconciliation's figures as approved (what the database gets). */
  figures: Pick<PublishedPeriod, "bank_closing_minor" | "ledger_balance_minor" | "matched_items" | "open_items">;
}

interface Reopening {
  revision: number;
  supersedes_hash: string;
  reason: string;
  reopened_by: string;
  reopened_at: string;
}

/** A publishing step's failure. */
class PublishFailure {
  constructor(
    readonly code: PublishErrorCode,
    readonly message: string,
    readonly published: { revision: number; content_hash: string } | null = null,
  ) {}
}

interface Ws {
  id: string;
  name: string;
  account: string;
  currency: string;
  exponent: number;
  period_start: string;
  period_end: string;
  bankOpening: number;
  ledgerOpening: number;
  bank: Map<string, FakeItem>;
  ledger: Map<string, FakeItem>;
  plans: Plan[];
  files: Set<string>;
  groups: Map<number, Group>;
  itemGroup: Map<string, number>;
  suggestions: Sugg[];
  rejectedPairs: Set<string>;
  released: Set<string>;
  assignees: Map<string, string>;
  comments: Map<string, Comment[]>;
  attachments: Map<string, Attachment[]>;
  audit: AuditEntry[];
  decisions: Decision[];
  signOff: SignOffRec;
  runs: number;
  version: number;
  cache: { version: number; rows: ExceptionRow[] } | null;
  /** Filtered and sorted exception lists by query (paging through one query sorts once). */
  queryCache: { version: number; key: string; rows: ExceptionRow[] } | null;
  /** Built on first use (the stress workspace). */
  lazy?: () => void;
  demoSamples?: Dataset;
  /** The statement inbox, made on first use. */
  inbox?: InboxState;
  /** Approvals queued for publishing, oldest first. */
  outbox: OutboxRec[];
  /** Reopenings of the published period (revision 2 for the first). */
  reopenings: Reopening[];
  /** The previous period's open items brought in as opening items (carryForward), once. */
  carried?: CarriedView;
  /** Every import reads strictly (importSettings / setStrictImport); off by default. */
  strictImport: boolean;
}

const key = (side: string, id: string) => `${side}:${id}`;
const pairKey = (bank: string[], ledger: string[]) => `${[...bank].sort().join(",")}|${[...ledger].sort().join(",")}`;
const fail = (code: ErrorCode, message: string): never => {
  throw new BackendError(code, message);
};
const clone = <T,>(v: T): T => structuredClone(v);

function hashHex(text: string): string {
  // Not cryptographic: four FNV-1a 32-bit lanes give a stable 64-hex stand-in for SHA-256.
  let out = "";
  for (let lane = 0; lane < 8; lane++) {
    let h = (0x811c9dc5 ^ (lane * 0x9e3779b1)) >>> 0;
    for (let i = 0; i < text.length; i++) {
      h ^= text.charCodeAt(i);
      h = Math.imul(h, 0x01000193) >>> 0;
    }
    out += h.toString(16).padStart(8, "0");
  }
  return out;
}

class Emitter<T> {
  private subs = new Set<(v: T) => void>();
  on(cb: (v: T) => void): Unsubscribe {
    this.subs.add(cb);
    return () => this.subs.delete(cb);
  }
  emit(v: T) {
    for (const cb of [...this.subs]) cb(clone(v));
  }
}

export const DEMO_PROFILES: FakeProfile[] = [
  { user: "clara", display_name: "Clara (clerk)", role: "clerk", roles: ["clerk"] },
  { user: "sam", display_name: "Sam (supervisor)", role: "supervisor", roles: ["supervisor"] },
];

export class FakeBackend implements Backend {
  readonly kind = "fake" as const;
  private profiles: FakeProfile[];
  private user: FakeProfile | null = null;
  /** The verified person (signed in through the fake provider), else null. */
  private verified: WhoAmI | null = null;
  /** Calls made to sign_in_okta, with their `fresh` flag (for the tests). */
  readonly oktaSignIns: boolean[] = [];
  readonly okta: FakeOkta | null;
  private workspaces = new Map<string, Ws>();
  private current: Ws | null = null;
  private latency: number;
  private now: () => Date;
  private nextId = { group: 1, suggestion: 1, decision: 1 };
  private importEvents = new Emitter<ImportProgress>();
  private matchEvents = new Emitter<MatchProgress>();
  private inboxEvents = new Emitter<InboxProgress>();
  private publishEvents = new Emitter<string>();
  private publishStatusEvents = new Emitter<PublishStatus>();
  readonly inbox: FakeInbox | null;
  readonly publish: FakePublish | null;
  /** The results database (and archive): per account and period, the revisions published. */
  private publishedPeriods = new Map<string, PublishedPeriod[]>();
  private dropCbs = new Set<(paths: string[]) => void>();

  constructor(opts: FakeOptions = {}) {
    this.latency = opts.latencyMs ?? 0;
    this.now = opts.now ?? (() => new Date("2026-12-04T09:30:00Z"));
    this.profiles = [...DEMO_PROFILES, ...(opts.extraProfiles ?? [])];
    this.okta = opts.okta ?? null;
    this.inbox = opts.inbox === undefined ? {} : opts.inbox;
    this.publish = opts.publish === undefined ? {} : opts.publish;
    this.seedWorkspaces(opts.stress ?? true);
  }

  // ---------------------------------------------------------------- plumbing

  private async tick(ms = this.latency) {
    await new Promise((r) => setTimeout(r, ms));
  }

  private at(): string {
    return this.now().toISOString().replace(/\.\d{3}Z$/, "Z");
  }

  private today(): string {
    return this.now().toISOString().slice(0, 10);
  }

  private me(): FakeProfile {
    return this.user ?? fail("not_allowed", "nobody is signed in");
  }

  private ws(): Ws {
    const w = this.current ?? fail("not_found", "no workspace is open");
    if (w.lazy) {
      const build = w.lazy;
      w.lazy = undefined;
      build();
    }
    return w;
  }

  private has(role: Role): boolean {
    return this.me().roles.includes(role);
  }

  private audit(w: Ws, action: string, detail: string) {
    w.audit.push({ seq: w.audit.length + 1, at: this.at(), actor: this.me().user, action, detail });
  }

  /** Records a decision; a content change moves the sign-off back to in review. */
  private decide(w: Ws, kind: string, content: boolean, undo: (() => void) | null, group: number | null = null): DecisionReceipt {
    const d: Decision = { id: this.nextId.decision++, actor: this.me().user, kind, undone: false, content, undo };
    w.decisions.push(d);
    if (content) this.changed(w);
    return { decision: d.id, kind, group };
  }

  private changed(w: Ws) {
    w.version++;
    const s = w.signOff;
    if (s.state === "prepared" || s.state === "approved") {
      this.audit(w, s.state === "approved" ? "approval_withdrawn" : "preparation_withdrawn", "the workspace changed after sign-off");
    }
    w.signOff = {
      state: "in_review",
      preparer: null,
      prepared_at: null,
      approver: null,
      approved_at: null,
      content_hash: null,
      rejection_reason: s.rejection_reason,
    };
  }

  private item(w: Ws, side: string, id: string): FakeItem {
    if (side !== "bank" && side !== "ledger") fail("invalid_argument", `side must be "bank" or "ledger", not "${side}"`);
    const it = (side === "bank" ? w.bank : w.ledger).get(id);
    return it ?? fail("not_found", `${side} item ${id} not found`);
  }

  private isOpen(w: Ws, side: string, id: string) {
    return !w.itemGroup.has(key(side, id));
  }

  private suggestionIsLive(w: Ws, s: Sugg) {
    return (
      s.status === "open" &&
      s.plan.bank.every((id) => this.isOpen(w, "bank", id)) &&
      s.plan.ledger.every((id) => this.isOpen(w, "ledger", id))
    );
  }

  private confirm(w: Ws, g: Omit<Group, "id">): Group {
    for (const id of g.bank) if (!this.isOpen(w, "bank", id)) fail("conflict", `bank item ${id} is already matched`);
    for (const id of g.ledger) if (!this.isOpen(w, "ledger", id)) fail("conflict", `ledger item ${id} is already matched`);
    const group: Group = { ...g, id: this.nextId.group++ };
    w.groups.set(group.id, group);
    for (const id of g.bank) w.itemGroup.set(key("bank", id), group.id);
    for (const id of g.ledger) w.itemGroup.set(key("ledger", id), group.id);
    for (const id of g.bank) w.released.delete(key("bank", id));
    for (const id of g.ledger) w.released.delete(key("ledger", id));
    return group;
  }

  private release(w: Ws, gid: number) {
    const g = w.groups.get(gid);
    if (!g) return;
    w.groups.delete(gid);
    for (const id of g.bank) {
      w.itemGroup.delete(key("bank", id));
      w.released.add(key("bank", id));
    }
    for (const id of g.ledger) {
      w.itemGroup.delete(key("ledger", id));
      w.released.add(key("ledger", id));
    }
  }

  private sum(w: Ws, side: Side, ids: string[]) {
    return ids.reduce((s, id) => s + this.item(w, side, id).amount, 0);
  }

  // ---------------------------------------------------------------- data

  private emptyWs(p: Pick<Ws, "id" | "name" | "account" | "currency" | "exponent" | "period_start" | "period_end" | "bankOpening" | "ledgerOpening">): Ws {
    return {
      ...p,
      bank: new Map(),
      ledger: new Map(),
      plans: [],
      files: new Set(),
      groups: new Map(),
      itemGroup: new Map(),
      suggestions: [],
      rejectedPairs: new Set(),
      released: new Set(),
      assignees: new Map(),
      comments: new Map(),
      attachments: new Map(),
      audit: [],
      decisions: [],
      signOff: { state: "open", preparer: null, prepared_at: null, approver: null, approved_at: null, content_hash: null, rejection_reason: null },
      runs: 0,
      version: 0,
      cache: null,
      queryCache: null,
      outbox: [],
      reopenings: [],
      strictImport: false,
    };
  }

  private seedWorkspaces(stress: boolean) {
    const demo = this.emptyWs({
      id: "demo",
      name: "Demo — EUR operating account",
      account: "NL91ABNA0417164300",
      currency: "EUR",
      exponent: 2,
      period_start: "2026-11-01",
      period_end: "2026-11-30",
      bankOpening: 15_240_000,
      ledgerOpening: 15_240_000,
    });
    demo.demoSamples = generate({
      seed: 2611,
      start: "2026-11-01",
      days: 30,
      scale: 1,
      unit: 100,
      exponent: 2,
      statementFiles: ["demo-2026-11-a.camt053.xml", "demo-2026-11-b.sta"],
      ledgerFile: "ledger.csv",
      bankPrefix: "NL91-2611",
      ledgerStart: 1000,
    });
    this.workspaces.set(demo.id, demo);

    // A finished month: imported, matched, prepared by clara and approved by sam.
    const usd = this.emptyWs({
      id: "usd-2026-10",
      name: "USD collections",
      account: "US-021000021-4471",
      currency: "USD",
      exponent: 2,
      period_start: "2026-10-01",
      period_end: "2026-10-31",
      bankOpening: 402_113_50,
      ledgerOpening: 402_113_50,
    });
    const usdData = generate({ seed: 2610, start: "2026-10-01", days: 31, scale: 0.5, unit: 100, exponent: 2, statementFiles: ["usd-2026-10.bai"], ledgerFile: "usd-ledger.csv", bankPrefix: "US-2610", ledgerStart: 5000 });
    this.loadDataset(usd, usdData);
    this.seedRun(usd);
    usd.signOff = {
      state: "approved",
      preparer: "clara",
      prepared_at: "2026-11-03T16:02:11Z",
      approver: "sam",
      approved_at: "2026-11-04T08:45:37Z",
      content_hash: hashHex("usd-2026-10"),
      rejection_reason: null,
    };
    usd.audit.push(
      { seq: usd.audit.length + 1, at: "2026-11-03T16:02:11Z", actor: "clara", action: "prepare", detail: "prepared with unexplained difference 0.00" },
      { seq: usd.audit.length + 2, at: "2026-11-04T08:45:37Z", actor: "sam", action: "approve", detail: "approved" },
    );
    this.workspaces.set(usd.id, usd);
    this.seedPublished(usd);

    // Exponent 0 and a non-zero unexplained difference (opening balances disagree by 1,500).
    const jpy = this.emptyWs({
      id: "jpy-2026-11",
      name: "JPY treasury",
      account: "JP-0005-123-4567890",
      currency: "JPY",
      exponent: 0,
      period_start: "2026-11-01",
      period_end: "2026-11-30",
      bankOpening: 48_000_000,
      ledgerOpening: 47_998_500,
    });
    const jpyData = generate({ seed: 8011, start: "2026-11-01", days: 30, scale: 0.4, unit: 100, exponent: 0, statementFiles: ["jpy-2026-11.camt053.xml"], ledgerFile: "jpy-ledger.csv", bankPrefix: "JP-2611", ledgerStart: 9000 });
    this.loadDataset(jpy, jpyData);
    this.seedRun(jpy);
    jpy.signOff.state = "in_review";
    this.workspaces.set(jpy.id, jpy);

    if (stress) {
      const big = this.emptyWs({
        id: "stress-100k",
        name: "Stress test — 100,000 open items",
        account: "DE89370400440532013000",
        currency: "EUR",
        exponent: 2,
        period_start: "2026-06-01",
        period_end: "2026-11-30",
        bankOpening: 0,
        ledgerOpening: 0,
      });
      big.lazy = () => {
        const s = generateStress(100_000, "2026-11-30");
        for (const b of s.bank) big.bank.set(b.id, b);
        for (const l of s.ledger) big.ledger.set(l.id, l);
        big.plans = s.plans;
        big.files.add("stress.camt053.xml");
        big.files.add("stress-ledger.csv");
        this.seedRun(big);
      };
      this.workspaces.set(big.id, big);
    }
  }

  private loadDataset(w: Ws, d: Dataset) {
    for (const s of d.statements) {
      w.files.add(s.file);
      for (const l of s.lines) w.bank.set(l.id, l);
    }
    w.files.add(d.ledgerFile);
    for (const l of d.ledger) w.ledger.set(l.id, l);
    w.plans.push(...d.plans);
  }

  private seedRun(w: Ws) {
    this.match(w);
    w.runs++;
    w.version++;
    w.audit.push({ seq: w.audit.length + 1, at: "2026-11-02T07:00:00Z", actor: "clara", action: "match_run", detail: `run ${w.runs}` });
  }

  /** The fake matcher: replays the plan pass by pass over the open items. Locked groups
   * (manual, accepted) are kept, auto groups and open suggestions are replaced, rejected
   * pairs are never proposed again. Then a generic exact pass (amount + reference). */
  private match(w: Ws, onPass?: (pass: string, i: number) => void) {
    for (const g of [...w.groups.values()]) if (g.status === "auto") this.release(w, g.id);
    for (const k of [...w.released]) {
      // released by the re-run, not by an unmatch decision
      if (!w.itemGroup.has(k)) w.released.delete(k);
    }
    w.suggestions = w.suggestions.filter((s) => s.status !== "open");
    PASS_ORDER.forEach((pass, i) => {
      onPass?.(pass, i);
      for (const p of w.plans) {
        if (p.rule !== pass) continue;
        if (!p.bank.every((id) => w.bank.has(id)) || !p.ledger.every((id) => w.ledger.has(id))) continue;
        if (!p.bank.every((id) => this.isOpen(w, "bank", id)) || !p.ledger.every((id) => this.isOpen(w, "ledger", id))) continue;
        if (w.rejectedPairs.has(pairKey(p.bank, p.ledger))) continue;
        const difference = this.sum(w, "bank", p.bank) - this.sum(w, "ledger", p.ledger);
        if (p.kind === "auto") {
          this.confirm(w, { rule: p.rule, status: "auto", bank: [...p.bank], ledger: [...p.ledger], difference, adjustment: null });
        } else {
          w.suggestions.push({ id: this.nextId.suggestion++, plan: p, difference, status: "open" });
        }
      }
      if (pass === "exact") {
        // Generic exact pass for imported files that have no plan.
        const byKey = new Map<string, FakeItem[]>();
        for (const l of w.ledger.values()) {
          if (!this.isOpen(w, "ledger", l.id) || !l.reference) continue;
          const k = `${l.amount}|${l.reference.toUpperCase()}`;
          byKey.set(k, [...(byKey.get(k) ?? []), l]);
        }
        for (const b of w.bank.values()) {
          if (!this.isOpen(w, "bank", b.id) || !b.reference) continue;
          const c = byKey.get(`${b.amount}|${b.reference.toUpperCase()}`);
          if (c && c.length === 1 && this.isOpen(w, "ledger", c[0]!.id) && !w.rejectedPairs.has(pairKey([b.id], [c[0]!.id]))) {
            this.confirm(w, { rule: "exact", status: "auto", bank: [b.id], ledger: [c[0]!.id], difference: 0, adjustment: null });
          }
        }
      }
    });
  }

  private exceptions(w: Ws): ExceptionRow[] {
    if (w.cache && w.cache.version === w.version) return w.cache.rows;
    const rows: ExceptionRow[] = [];
    if (w.runs > 0) {
      const counts = new Map<string, number>();
      for (const s of w.suggestions) {
        if (!this.suggestionIsLive(w, s)) continue;
        for (const id of s.plan.bank) counts.set(key("bank", id), (counts.get(key("bank", id)) ?? 0) + 1);
        for (const id of s.plan.ledger) counts.set(key("ledger", id), (counts.get(key("ledger", id)) ?? 0) + 1);
      }
      const today = this.today();
      for (const map of [w.bank, w.ledger]) {
        for (const it of map.values()) {
          const k = key(it.side, it.id);
          if (w.itemGroup.has(k)) continue;
          const n = counts.get(k) ?? 0;
          rows.push({
            side: it.side,
            item_id: it.id,
            reason: n > 1 ? "ambiguous" : n === 1 ? "suggested" : w.released.has(k) ? "unmatched" : "no_candidate",
            amount_minor: it.amount,
            date: it.date,
            days_open: Math.max(0, daysBetween(it.date, today)),
            reference: it.reference,
            description: it.description,
            assignee: w.assignees.get(k) ?? null,
            suggestions: n,
          });
        }
      }
    }
    w.cache = { version: w.version, rows };
    return rows;
  }

  private openItems(w: Ws): FakeItem[] {
    const out: FakeItem[] = [];
    for (const map of [w.bank, w.ledger]) for (const it of map.values()) if (!w.itemGroup.has(key(it.side, it.id))) out.push(it);
    return out;
  }

  private statement(w: Ws) {
    let bankTotal = w.bankOpening;
    for (const b of w.bank.values()) bankTotal += b.amount;
    let ledgerTotal = w.ledgerOpening;
    for (const l of w.ledger.values()) ledgerTotal += l.amount;
    let receipts = 0;
    let payments = 0;
    let debits = 0;
    let credits = 0;
    for (const it of this.openItems(w)) {
      if (it.side === "ledger") {
        if (it.amount > 0) receipts += it.amount;
        else payments += it.amount;
      } else if (it.amount < 0) debits += it.amount;
      else credits += it.amount;
    }
    const rows: StatementRow[] = [
      { label: "add: deposits in transit", amount_minor: receipts },
      { label: "less: outstanding payments", amount_minor: payments },
      { label: "add back: unbooked bank charges", amount_minor: -debits },
      { label: "less: unbooked bank interest and credits", amount_minor: -credits },
    ];
    const labels: Record<AdjustmentReason, string> = {
      bank_charge: "adjustments: bank charges booked",
      fx_difference: "errors: FX differences",
      rounding: "errors: rounding",
      timing: "adjustments: timing",
      write_off: "errors: written off",
    };
    for (const reason of Object.keys(labels) as AdjustmentReason[]) {
      let total = 0;
      for (const g of w.groups.values()) if (g.adjustment?.reason === reason) total += g.difference;
      if (total !== 0) rows.push({ label: labels[reason], amount_minor: -total });
    }
    const adjusted = rows.reduce((s, r) => s + r.amount_minor, bankTotal);
    return {
      bank_closing_minor: bankTotal,
      rows,
      ledger_balance_minor: ledgerTotal,
      unexplained_difference_minor: ledgerTotal - adjusted,
    };
  }

  private summary(w: Ws): WorkspaceSummary {
    if (w.lazy) {
      const build = w.lazy;
      w.lazy = undefined;
      build();
    }
    const ex = this.exceptions(w);
    const total = w.bank.size + w.ledger.size;
    const matched = total - this.openItems(w).length;
    let oldest: number | null = null;
    for (const r of ex) if (oldest === null || r.days_open > oldest) oldest = r.days_open;
    return {
      id: w.id,
      name: w.name,
      account: w.account,
      currency: w.currency,
      exponent: w.exponent,
      period_start: w.period_start,
      period_end: w.period_end,
      state: w.signOff.state,
      bank_lines: w.bank.size,
      ledger_entries: w.ledger.size,
      match_rate_permille: total === 0 ? 0 : Math.floor((matched * 1000) / total),
      open_exceptions: ex.length,
      oldest_exception_days: oldest,
      demo: true,
    };
  }

  private buildDashboard(w: Ws): Dashboard {
    const stats = new Map<string, RuleStat>();
    let matched = 0;
    for (const g of w.groups.values()) {
      const k = `${g.rule}|${g.status}`;
      const s = stats.get(k) ?? { rule: g.rule, status: g.status, groups: 0, items: 0, amount_minor: 0 };
      const amount = g.bank.reduce((a, id) => a + Math.abs(w.bank.get(id)?.amount ?? 0), 0);
      s.groups += 1;
      s.items += g.bank.length + g.ledger.length;
      s.amount_minor += amount;
      matched += amount;
      stats.set(k, s);
    }
    const order = (r: string) => {
      const i = PASS_ORDER.indexOf(r);
      return i < 0 ? PASS_ORDER.length : i;
    };
    const rules = [...stats.values()].sort((a, b) => order(a.rule) - order(b.rule) || a.status.localeCompare(b.status));
    const buckets: AgingBucket[] = ["0-7", "8-30", "31-60", "61-90", "90+"].map((label) => ({ label, items: 0, amount_minor: 0 }));
    let open = 0;
    for (const r of this.exceptions(w)) {
      const d = r.days_open;
      const b = buckets[d <= 7 ? 0 : d <= 30 ? 1 : d <= 60 ? 2 : d <= 90 ? 3 : 4]!;
      b.items += 1;
      b.amount_minor += Math.abs(r.amount_minor);
      open += Math.abs(r.amount_minor);
    }
    return {
      workspace: this.summary(w),
      rules,
      matched_amount_minor: matched,
      open_amount_minor: open,
      aging: buckets,
      statement: this.statement(w),
      limits: [],
    };
  }

  private contentHash(w: Ws): string {
    const groups = [...w.groups.values()]
      .map((g) => `${g.rule}:${[...g.bank].sort().join(",")}|${[...g.ledger].sort().join(",")}:${g.difference}:${g.adjustment?.reason ?? ""}`)
      .sort()
      .join(";");
    return hashHex(`${w.id}|${w.bank.size}|${w.ledger.size}|${groups}`);
  }

  // ---------------------------------------------------------------- commands

  async about(): Promise<About> {
    await this.tick();
    return {
      product: "Recon Workbench",
      version: "0.0.0-fake",
      os: "browser",
      workspace_schema: 0,
      workspaces_folder: "(in memory)",
      identity: this.okta ? "fake Okta" : "none configured (demo mode only)",
      inbox: this.inbox && this.inbox.configured !== false ? "s3://acme-bank-statements/{account}/{yyyy}/{mm}/" : "not configured",
    };
  }

  async authStatus(): Promise<AuthStatus> {
    await this.tick();
    const o = this.okta;
    const nowS = Math.floor(this.now().getTime() / 1000);
    return {
      provider_configured: o !== null && !o.configError,
      provider: o && !o.configError ? `OpenID provider ${OKTA_ISSUER} (client recon-workbench)` : null,
      config_error: o?.configError ?? null,
      verified: this.verified ? { ...this.verified, online: o?.online ?? true } : null,
      demo_profile: !this.verified && this.user ? { user: this.user.user, display_name: this.user.display_name, role: this.user.role } : null,
      session_ends_at: this.verified ? (o?.sessionEndsAt ?? nowS + 3600) : null,
    };
  }

  async signInOkta(fresh: boolean): Promise<AuthStatus> {
    await this.tick(this.latency * 5);
    this.oktaSignIns.push(fresh);
    const o = this.okta;
    if (!o || o.configError) return fail("config_invalid", o?.configError ?? "no identity provider is configured");
    if (o.failWith) {
      const code = o.failWith;
      o.failWith = null;
      return fail(code, `the sign-in failed (${code})`);
    }
    const who = o.nextUser ?? "clara";
    const person = OKTA_PEOPLE[who]!;
    if (person.roles.length === 0) return fail("not_allowed", `${who} is in none of the workbench's groups: ask IT for recon-clerks or recon-supervisors`);
    const at = this.at();
    this.verified = {
      subject: `${OKTA_ISSUER}#${who}`,
      display_name: person.name,
      email: `${who}@example.test`,
      roles: [...person.roles],
      groups: [...person.groups],
      issuer: OKTA_ISSUER,
      authenticated_at: at,
      verified_at: at,
      expires_at: at,
      online: o.online ?? true,
      assurance: "verified",
    };
    if (fresh) o.approvalNeedsFreshSignIn = false;
    const role: Role = person.roles.includes("supervisor") ? "supervisor" : "clerk";
    this.user = { user: this.verified.subject, display_name: person.name, role, roles: [...person.roles] };
    return this.authStatus();
  }

  async signOut(): Promise<SignOutResult> {
    await this.tick();
    const wasVerified = this.verified !== null;
    this.verified = null;
    this.user = null;
    this.current = null;
    return { revoked: wasVerified, end_session_url: wasVerified ? `${OKTA_ISSUER}/v1/logout` : null, note: null };
  }

  async listProfiles(): Promise<Profile[]> {
    await this.tick();
    return this.profiles.map(({ user, display_name, role }) => ({ user, display_name, role }));
  }

  async signIn(user: string): Promise<Profile> {
    await this.tick();
    const p = this.profiles.find((x) => x.user === user) ?? fail("not_found", `no local profile "${user}"`);
    this.user = p;
    this.verified = null;
    return { user: p.user, display_name: p.display_name, role: p.role };
  }

  async currentProfile(): Promise<Profile | null> {
    await this.tick();
    const p = this.user;
    return p ? { user: p.user, display_name: p.display_name, role: p.role } : null;
  }

  async listWorkspaces(): Promise<WorkspaceSummary[]> {
    await this.tick();
    this.me();
    return [...this.workspaces.values()].map((w) => this.summary(w));
  }

  async openWorkspace(id: string): Promise<WorkspaceSummary> {
    await this.tick();
    this.me();
    const w = this.workspaces.get(id) ?? fail("not_found", `workspace ${id} not found`);
    this.current = w;
    return clone(this.summary(this.ws()));
  }

  /** Adds an imported file's lines to the workspace (import_files, the demo samples, the inbox). */
  private addFile(w: Ws, file: string, bank: FakeItem[], ledger: FakeItem[], plans: Plan[], records: number) {
    for (const b of bank) w.bank.set(b.id, b);
    for (const l of ledger) w.ledger.set(l.id, l);
    w.plans.push(...plans);
    w.files.add(file);
    this.audit(w, "import", `${file}: ${records} records`);
  }

  private async runImport(w: Ws, files: { file: string; build: () => { result: ImportFileResult; issues: IssueRow[]; bank: FakeItem[]; ledger: FakeItem[]; plans: Plan[] } }[]): Promise<ImportResult> {
    const result: ImportResult = { files: [], issues: [], bank_lines: 0, ledger_entries: 0 };
    let records = 0;
    const total = files.length;
    this.importEvents.emit({ file: files[0]?.file ?? "", files_done: 0, files_total: total, records: 0 });
    for (let i = 0; i < files.length; i++) {
      await this.tick(this.latency * 4);
      const f = files[i]!;
      const built = f.build();
      result.files.push(built.result);
      result.issues.push(...built.issues);
      if (built.result.status === "imported") {
        this.addFile(w, f.file, built.bank, built.ledger, built.plans, built.result.records);
        result.bank_lines += built.bank.length;
        result.ledger_entries += built.ledger.length;
        records += built.result.records;
      }
      this.importEvents.emit({ file: f.file, files_done: i + 1, files_total: total, records });
    }
    if (result.bank_lines + result.ledger_entries > 0) this.changed(w);
    return result;
  }

  async importDemoSamples(): Promise<ImportResult> {
    await this.tick();
    this.me();
    const w = this.ws();
    const d =
      w.demoSamples ??
      generate({ seed: 99, start: w.period_start, days: 28, scale: 0.3, unit: 100, exponent: w.exponent, statementFiles: ["demo-a.camt053.xml"], ledgerFile: "demo-ledger.csv", bankPrefix: `${w.id}-D`, ledgerStart: 20000 });
    const skipped = (file: string, records: number): { result: ImportFileResult; issues: IssueRow[]; bank: FakeItem[]; ledger: FakeItem[]; plans: Plan[] } => ({
      result: { file, status: "skipped", statements: file.endsWith(".csv") ? 0 : 1, records },
      issues: [{ file, line: null, severity: "warning", message: "already imported (same SHA-256); skipped", excerpt: "" }],
      bank: [],
      ledger: [],
      plans: [],
    });
    const files = [
      ...d.statements.map((s, i) => ({
        file: s.file,
        build: () => {
          if (w.files.has(s.file)) return skipped(s.file, s.lines.length);
          const issues: IssueRow[] =
            i === 1
              ? [
                  {
                    file: s.file,
                    line: 42,
                    severity: "warning" as const,
                    message: "field 86 longer than 6 x 65 characters; kept as is",
                    excerpt: ":86:/EREF/NOTPROVIDED/REMI/USTD//PAYMENT RUN PO-71234 PO-88012 PO-70551 PO-79900 PO-81001",
                  },
                ]
              : [];
          return {
            result: { file: s.file, status: "imported" as const, statements: 1, records: s.lines.length },
            issues,
            bank: s.lines,
            ledger: [],
            plans: [] as Plan[],
          };
        },
      })),
      {
        file: "demo-usd.bai",
        build: () => ({
          result: { file: "demo-usd.bai", status: "rejected" as const, statements: 0, records: 0 },
          issues: [
            {
              file: "demo-usd.bai",
              line: 9,
              severity: "error" as const,
              message: "account total 16 does not equal the sum of its detail records (balance check failed); file rejected",
              excerpt: "49,1538702,14/",
            },
            {
              file: "demo-usd.bai",
              line: null,
              severity: "warning" as const,
              message: "currency USD differs from the workspace currency EUR",
              excerpt: "03,US-021000021-4471,USD,010,1200000,,/",
            },
          ],
          bank: [],
          ledger: [],
          plans: [],
        }),
      },
      {
        file: d.ledgerFile,
        build: () => {
          if (w.files.has(d.ledgerFile)) return skipped(d.ledgerFile, d.ledger.length);
          return {
            result: { file: d.ledgerFile, status: "imported" as const, statements: 0, records: d.ledger.length },
            issues: [
              {
                file: d.ledgerFile,
                line: 57,
                severity: "warning" as const,
                message: "posting_date 2026-10-28 is before the period start 2026-11-01",
                excerpt: "GL-1056,NL91ABNA0417164300,2026-10-28,-129.90,EUR,JE-2231,Stationery carried forward",
              },
            ],
            bank: [],
            ledger: d.ledger,
            plans: [],
          };
        },
      },
    ];
    const result = await this.runImport(w, files);
    // A scanned bank advice on the first fee line, so the detail panel shows an attachment.
    const fee = [...w.bank.values()].find((b) => b.reference === "FEE");
    if (fee && !w.attachments.has(key("bank", fee.id))) {
      w.attachments.set(key("bank", fee.id), [
        { name: "bank-advice-charges.pdf", sha256: hashHex(`advice:${fee.id}`), bytes: 48_213, added_by: this.me().user, at: this.at() },
      ]);
    }
    // The plan covers items of several files: the matcher uses a plan once all its items exist.
    if (d.plans.length && !w.plans.includes(d.plans[0]!)) w.plans.push(...d.plans);
    return clone(result);
  }

  async importSettings(): Promise<ImportSettings> {
    await this.tick();
    return { strict_import: this.ws().strictImport };
  }

  async setStrictImport(strict: boolean): Promise<ImportSettings> {
    await this.tick();
    this.me();
    const w = this.ws();
    const before = w.strictImport;
    w.strictImport = strict;
    this.audit(w, "setting_changed", `workspace:strict_import ${before} -> ${strict}`);
    return { strict_import: w.strictImport };
  }

  async importFiles(paths: string[]): Promise<ImportResult> {
    await this.tick();
    this.me();
    const w = this.ws();
    if (!Array.isArray(paths) || paths.length === 0) fail("invalid_argument", "no files given");
    const seedBase = w.bank.size + w.ledger.size + 1;
    const files = paths.map((path, i) => {
      const file = path;
      return {
        file,
        build: () => {
          const name = path.split(/[\\/]/).pop() ?? path;
          const lower = name.toLowerCase();
          const absolute = path.startsWith("/") || /^[A-Za-z]:[\\/]/.test(path);
          if (!absolute || lower.includes("missing")) {
            return {
              result: { file, status: "rejected" as const, statements: 0, records: 0 },
              issues: [{ file, line: null, severity: "error" as const, message: `cannot read ${path}: No such file or directory (os error 2)`, excerpt: "" }],
              bank: [],
              ledger: [],
              plans: [],
            };
          }
          if (w.files.has(file)) {
            return {
              result: { file, status: "skipped" as const, statements: 0, records: 0 },
              issues: [{ file, line: null, severity: "warning" as const, message: "already imported (same SHA-256); skipped", excerpt: "" }],
              bank: [],
              ledger: [],
              plans: [],
            };
          }
          const isLedger = lower.endsWith(".csv") && lower.includes("ledger");
          const known = /\.(xml|sta|mt940|940|942|bai|bai2|csv|txt)$/.test(lower);
          if (!known) {
            return {
              result: { file, status: "rejected" as const, statements: 0, records: 0 },
              issues: [{ file, line: 1, severity: "error" as const, message: "unrecognized format (not camt.05x, MT940/942, BAI2 or a known CSV layout)", excerpt: "%PDF-1.7" }],
              bank: [],
              ledger: [],
              plans: [],
            };
          }
          const d = generate({
            seed: seedBase + i * 31,
            start: w.period_start,
            days: 28,
            scale: 0.15,
            unit: 100,
            exponent: w.exponent,
            statementFiles: [file],
            ledgerFile: file,
            bankPrefix: `F${seedBase + i}`,
            ledgerStart: 50000 + seedBase * 10 + i * 1000,
          });
          const bank = isLedger ? [] : d.statements[0]!.lines;
          const ledger = isLedger ? d.ledger : [];
          return {
            result: { file, status: "imported" as const, statements: isLedger ? 0 : 1, records: bank.length + ledger.length },
            issues: [] as IssueRow[],
            bank,
            ledger,
            plans: [] as Plan[],
          };
        },
      };
    });
    return clone(await this.runImport(w, files));
  }

  async runMatching(): Promise<Dashboard> {
    await this.tick();
    this.me();
    const w = this.ws();
    const total = w.bank.size + w.ledger.size;
    this.matchEvents.emit({ phase: "load", done: 0, total });
    await this.tick(this.latency * 2);
    this.matchEvents.emit({ phase: "load", done: total, total });
    const passes: string[] = [];
    this.match(w, (p) => passes.push(p));
    for (let i = 0; i < passes.length; i++) {
      await this.tick(this.latency * 2);
      this.matchEvents.emit({ phase: passes[i]!, done: i + 1, total: passes.length });
    }
    await this.tick(this.latency * 2);
    this.matchEvents.emit({ phase: "store", done: 1, total: 1 });
    w.runs++;
    this.audit(w, "match_run", `run ${w.runs}: ${w.groups.size} groups, ${w.suggestions.filter((s) => s.status === "open").length} suggestions`);
    this.changed(w);
    return clone(this.buildDashboard(w));
  }

  async dashboard(): Promise<Dashboard> {
    await this.tick();
    this.me();
    return clone(this.buildDashboard(this.ws()));
  }

  async listExceptions(query: ExceptionQuery): Promise<ExceptionPage> {
    await this.tick();
    this.me();
    const w = this.ws();
    if (query.limit < 0 || query.offset < 0) fail("invalid_argument", "offset and limit must not be negative");
    if (query.limit > 10_000) fail("invalid_argument", "limit is at most 10000");
    const k = queryKey(query);
    let qc = w.queryCache;
    if (!qc || qc.version !== w.version || qc.key !== k) {
      qc = { version: w.version, key: k, rows: filterAndSort(this.exceptions(w), query, w.exponent) };
      w.queryCache = qc;
    }
    return clone(pageOf(qc.rows, query));
  }

  private toSuggestion(s: Sugg): Suggestion {
    return {
      id: s.id,
      rule: s.plan.rule,
      score: s.plan.score,
      difference_minor: s.difference,
      explanation: s.plan.explanation,
      bank: [...s.plan.bank],
      ledger: [...s.plan.ledger],
    };
  }

  async listSuggestions(side: Side | null, itemId: string | null): Promise<Suggestion[]> {
    await this.tick();
    this.me();
    const w = this.ws();
    if ((side === null) !== (itemId === null)) fail("invalid_argument", "give both side and item id, or neither");
    const live = w.suggestions.filter((s) => this.suggestionIsLive(w, s));
    if (side === null || itemId === null) return live.map((s) => this.toSuggestion(s));
    this.item(w, side, itemId);
    return live
      .filter((s) => (side === "bank" ? s.plan.bank : s.plan.ledger).includes(itemId))
      .sort((a, b) => b.plan.score - a.plan.score || a.id - b.id)
      .map((s) => this.toSuggestion(s));
  }

  private liveSuggestions(w: Ws, ids: number[]): Sugg[] {
    if (!Array.isArray(ids) || ids.length === 0) fail("invalid_argument", "no suggestions given");
    return [...new Set(ids)].map((id) => {
      const s = w.suggestions.find((x) => x.id === id) ?? fail("not_found", `suggestion ${id} not found`);
      if (s.status !== "open") fail("conflict", `suggestion ${id} was already ${s.status}`);
      if (!this.suggestionIsLive(w, s)) fail("conflict", `suggestion ${id}: an item is already matched`);
      return s;
    });
  }

  async acceptSuggestions(ids: number[]): Promise<DecisionReceipt> {
    await this.tick();
    this.me();
    const w = this.ws();
    const list = this.liveSuggestions(w, ids);
    const seen = new Set<string>();
    for (const s of list) {
      for (const k of [...s.plan.bank.map((i) => key("bank", i)), ...s.plan.ledger.map((i) => key("ledger", i))]) {
        if (seen.has(k)) fail("conflict", `suggestions ${list.map((x) => x.id).join(", ")} share item ${k}`);
        seen.add(k);
      }
    }
    const made: { s: Sugg; g: Group }[] = [];
    for (const s of list) {
      const g = this.confirm(w, {
        rule: s.plan.rule,
        status: "suggested",
        bank: [...s.plan.bank],
        ledger: [...s.plan.ledger],
        difference: s.difference,
        adjustment: s.difference === 0 ? null : { reason: s.plan.rule === "bank_charges" ? "bank_charge" : "rounding", note: `accepted suggestion ${s.id}` },
      });
      s.status = "accepted";
      made.push({ s, g });
      this.audit(w, "accept", `suggestion ${s.id} (${s.plan.rule}): bank ${s.plan.bank.join(", ")} / ledger ${s.plan.ledger.join(", ")} -> group ${g.id}`);
    }
    return this.decide(
      w,
      "accept",
      true,
      () => {
        for (const { s, g } of made) {
          this.release(w, g.id);
          for (const id of g.bank) w.released.delete(key("bank", id));
          for (const id of g.ledger) w.released.delete(key("ledger", id));
          s.status = "open";
        }
      },
      made.length === 1 ? made[0]!.g.id : null,
    );
  }

  async rejectSuggestions(ids: number[]): Promise<DecisionReceipt> {
    await this.tick();
    this.me();
    const w = this.ws();
    const list = this.liveSuggestions(w, ids);
    const pairs: string[] = [];
    for (const s of list) {
      s.status = "rejected";
      const pk = pairKey(s.plan.bank, s.plan.ledger);
      if (!w.rejectedPairs.has(pk)) {
        w.rejectedPairs.add(pk);
        pairs.push(pk);
      }
      this.audit(w, "reject", `suggestion ${s.id} (${s.plan.rule}): bank ${s.plan.bank.join(", ")} / ledger ${s.plan.ledger.join(", ")}`);
    }
    return this.decide(w, "reject", true, () => {
      for (const s of list) s.status = "open";
      for (const pk of pairs) w.rejectedPairs.delete(pk);
    });
  }

  async manualMatch(bank: string[], ledger: string[], adjustment: Adjustment | null): Promise<DecisionReceipt> {
    await this.tick();
    this.me();
    const w = this.ws();
    if (bank.length + ledger.length === 0) fail("invalid_argument", "select at least one item");
    if (new Set(bank).size !== bank.length || new Set(ledger).size !== ledger.length) fail("invalid_argument", "an item is listed twice");
    for (const id of bank) this.item(w, "bank", id);
    for (const id of ledger) this.item(w, "ledger", id);
    const difference = this.sum(w, "bank", bank) - this.sum(w, "ledger", ledger);
    if (difference !== 0 && adjustment === null) {
      fail("invalid_argument", `the selection differs by ${formatMinor(difference, w.exponent)} ${w.currency}: book it as an adjustment with a reason`);
    }
    if (adjustment !== null) {
      if (difference === 0) fail("invalid_argument", "the selection balances: there is no difference to book");
      const reasons: AdjustmentReason[] = ["bank_charge", "fx_difference", "rounding", "timing", "write_off"];
      if (!reasons.includes(adjustment.reason)) fail("invalid_argument", `unknown adjustment reason ${String(adjustment.reason)}`);
      if (adjustment.note.trim() === "") fail("invalid_argument", "an adjustment needs a note");
    }
    const g = this.confirm(w, { rule: "manual", status: "manual", bank: [...bank], ledger: [...ledger], difference, adjustment: adjustment ? { ...adjustment } : null });
    this.audit(
      w,
      "manual_match",
      `group ${g.id}: bank ${bank.join(", ") || "-"} / ledger ${ledger.join(", ") || "-"}` +
        (adjustment ? `; difference ${formatMinor(difference, w.exponent)} booked as ${adjustment.reason}: ${adjustment.note}` : ""),
    );
    return this.decide(
      w,
      "manual_match",
      true,
      () => {
        this.release(w, g.id);
      },
      g.id,
    );
  }

  async itemDetail(side: Side, itemId: string): Promise<ItemDetail> {
    await this.tick();
    this.me();
    const w = this.ws();
    const it = this.item(w, side, itemId);
    const k = key(side, itemId);
    const gid = w.itemGroup.get(k) ?? null;
    const g = gid === null ? null : w.groups.get(gid) ?? null;
    const fields: [string, string][] = [
      ["source file", it.file],
      ["account", w.account],
      ["currency", w.currency],
      [side === "bank" ? "booking date" : "posting date", it.date],
      ["reference", it.reference],
      ["counterparty", it.counterparty],
    ];
    if (side === "bank") fields.push(["bank transaction code", it.amount < 0 ? "PMNT/ICDT/ESCT" : "PMNT/RCDT/ESCT"]);
    if (g) {
      fields.push(["match rule", g.rule]);
      if (g.adjustment) fields.push(["adjustment", `${g.adjustment.reason}: ${g.adjustment.note}`]);
    }
    const status = g ? `matched (${g.status === "auto" ? "auto" : g.status === "manual" ? "manual" : "accepted"})` : w.released.has(k) ? "open (unmatched)" : "open";
    return clone({
      side,
      item_id: it.id,
      amount_minor: it.amount,
      date: it.date,
      reference: it.reference,
      description: it.description,
      counterparty: it.counterparty,
      fields,
      status,
      group: gid,
      assignee: w.assignees.get(k) ?? null,
      comments: w.comments.get(k) ?? [],
      attachments: w.attachments.get(k) ?? [],
      history: w.audit.filter((a) => a.detail.includes(itemId)),
    });
  }

  async addComment(side: Side, itemId: string, text: string): Promise<DecisionReceipt> {
    await this.tick();
    this.me();
    const w = this.ws();
    this.item(w, side, itemId);
    if (text.trim() === "") fail("invalid_argument", "a comment needs text");
    const k = key(side, itemId);
    const c: Comment = { author: this.me().user, at: this.at(), text };
    w.comments.set(k, [...(w.comments.get(k) ?? []), c]);
    this.audit(w, "comment", `${side} ${itemId}: ${text}`);
    return this.decide(w, "comment", false, () => {
      w.comments.set(
        k,
        (w.comments.get(k) ?? []).filter((x) => x !== c),
      );
    });
  }

  async assignItems(items: [string, string][], assignee: string | null): Promise<DecisionReceipt> {
    await this.tick();
    this.me();
    const w = this.ws();
    if (!Array.isArray(items) || items.length === 0) fail("invalid_argument", "no items given");
    if (assignee !== null && assignee.trim() === "") fail("invalid_argument", "assignee must not be blank");
    for (const [side, id] of items) this.item(w, side, id);
    const previous = items.map(([side, id]) => [key(side, id), w.assignees.get(key(side, id)) ?? null] as const);
    for (const [k] of previous) {
      if (assignee === null) w.assignees.delete(k);
      else w.assignees.set(k, assignee);
    }
    w.version++;
    this.audit(w, "assign", `${items.length} item(s) -> ${assignee ?? "nobody"}: ${items.map(([s, i]) => `${s} ${i}`).join(", ")}`);
    return this.decide(w, "assign", false, () => {
      for (const [k, who] of previous) {
        if (who === null) w.assignees.delete(k);
        else w.assignees.set(k, who);
      }
      w.version++;
    });
  }

  async undoLast(): Promise<DecisionReceipt> {
    await this.tick();
    const me = this.me();
    const w = this.ws();
    const last = [...w.decisions].reverse().find((d) => d.actor === me.user && !d.undone && d.kind !== "undo");
    if (!last) return fail("not_found", `a decision by ${me.user} to undo`);
    if (!last.undo) fail("not_allowed", `decision ${last.id} of kind ${last.kind} cannot be undone`);
    last.undo!();
    last.undone = true;
    w.version++;
    this.audit(w, "undo", `decision ${last.id} (${last.kind})`);
    return this.decide(w, "undo", last.content, null);
  }

  private signOffView(w: Ws): SignOff {
    return { ...w.signOff, unexplained_difference_minor: this.statement(w).unexplained_difference_minor };
  }

  async signOffStatus(): Promise<SignOff> {
    await this.tick();
    this.me();
    return clone(this.signOffView(this.ws()));
  }

  async prepareSignOff(): Promise<SignOff> {
    await this.tick();
    const me = this.me();
    const w = this.ws();
    if (!this.has("clerk")) fail("not_allowed", `${me.user} lacks the clerk role needed to prepare`);
    if (w.signOff.state !== "open" && w.signOff.state !== "in_review") fail("not_allowed", `cannot prepare: the reconciliation is ${w.signOff.state}`);
    const unexplained = this.statement(w).unexplained_difference_minor;
    if (unexplained !== 0) fail("not_allowed", `cannot prepare with an unexplained difference of ${formatMinor(unexplained, w.exponent)} ${w.currency}`);
    w.signOff = {
      state: "prepared",
      preparer: me.user,
      prepared_at: this.at(),
      approver: null,
      approved_at: null,
      content_hash: this.contentHash(w),
      rejection_reason: null,
    };
    this.audit(w, "prepare", `prepared, content hash ${w.signOff.content_hash}`);
    return clone(this.signOffView(w));
  }

  private checkReviewer(w: Ws, action: string) {
    const me = this.me();
    if (!this.has("supervisor")) fail("not_allowed", `${me.user} lacks the supervisor role needed to ${action}`);
    if (w.signOff.state !== "prepared") fail("not_allowed", `cannot ${action}: the reconciliation is ${w.signOff.state}, not prepared`);
    if (w.signOff.preparer === me.user) fail("not_allowed", `${me.user} prepared this reconciliation and cannot also ${action} it`);
  }

  async approveSignOff(): Promise<SignOff> {
    await this.tick();
    const w = this.ws();
    this.checkReviewer(w, "approve");
    if (this.verified && this.okta?.approvalNeedsFreshSignIn) fail("sign_in_required", "approval needs a sign-in within the last 15 minutes");
    if (w.signOff.content_hash !== this.contentHash(w)) fail("conflict", "the workspace changed since it was prepared");
    w.signOff = { ...w.signOff, state: "approved", approver: this.me().user, approved_at: this.at() };
    this.audit(w, "approve", `approved, content hash ${w.signOff.content_hash}`);
    this.queueApproval(w);
    return clone(this.signOffView(w));
  }

  async rejectSignOff(reason: string): Promise<SignOff> {
    await this.tick();
    const w = this.ws();
    this.checkReviewer(w, "reject");
    if (reason.trim() === "") fail("invalid_argument", "a rejection needs a reason");
    w.signOff = { state: "in_review", preparer: null, prepared_at: null, approver: null, approved_at: null, content_hash: null, rejection_reason: reason };
    this.audit(w, "reject_sign_off", `rejected: ${reason}`);
    return clone(this.signOffView(w));
  }

  async exportSignOff(format: ExportFormat): Promise<string> {
    await this.tick(this.latency * 3);
    this.me();
    const w = this.ws();
    if (!["pdf", "xlsx", "csv"].includes(format)) fail("invalid_argument", `unknown export format ${String(format)}`);
    const path = `/home/demo/Documents/Recon/${w.id}-${w.period_end}-reconciliation.${format}`;
    this.audit(w, "export", `${format}: ${path}`);
    return path;
  }

  // ---------------------------------------------------------------- statement inbox

  private inboxConfigured(): boolean {
    return this.inbox !== null && this.inbox.configured !== false;
  }

  /** The workspace's inbox: its prefixes (one per month of the period) and its bucket. */
  private inboxOf(w: Ws): InboxState {
    if (w.inbox) return w.inbox;
    const locations: InboxState["locations"] = [];
    const months: [string, string][] = [];
    for (let m = w.period_start.slice(0, 7); m <= w.period_end.slice(0, 7); ) {
      months.push([m.slice(0, 4), m.slice(5, 7)]);
      const [y, mo] = [Number(m.slice(0, 4)), Number(m.slice(5, 7))];
      m = mo === 12 ? `${y + 1}-01` : `${y}-${String(mo + 1).padStart(2, "0")}`;
    }
    for (const [kind, template] of [
      ["statement", INBOX_STATEMENTS],
      ["ledger", INBOX_LEDGER],
    ] as const) {
      for (const [yyyy, mm] of months) {
        locations.push({ kind, uri: template.replace("{account}", w.account).replace("{yyyy}", yyyy).replace("{mm}", mm) });
      }
    }
    // The files are delivered in the period's last month.
    const [yyyy, mm] = months[months.length - 1]!;
    const bucketOf = (kind: ObjectKind) => (kind === "statement" ? "acme-bank-statements" : "acme-ledger-extracts");
    const dir = `${w.account}/${yyyy}/${mm}/`;
    const names = [`${w.account}-${yyyy}${mm}-1.camt053.xml`, `${w.account}-${yyyy}${mm}-2.camt053.xml`, `${w.account}-${yyyy}${mm}-3.sta`];
    const ledgerName = `ledger-${yyyy}-${mm}.csv`;
    const uri = (kind: ObjectKind, name: string) => `s3://${bucketOf(kind)}/${dir}${name}`;
    const data = generate({
      seed: 1700 + [...w.id].reduce((a, c) => a + c.charCodeAt(0), 0),
      start: `${yyyy}-${mm}-01`,
      days: 28,
      scale: 0.2,
      unit: 100,
      exponent: w.exponent,
      statementFiles: names.map((n) => uri("statement", n)),
      ledgerFile: uri("ledger", ledgerName),
      bankPrefix: `IN-${yyyy}${mm}`,
      ledgerStart: 900_000,
    });
    const object = (kind: ObjectKind, name: string, lines: number, day: number, flaky = false): RemoteObject => {
      const u = uri(kind, name);
      const perLine = kind === "ledger" ? 96 : name.endsWith(".sta") ? 182 : 618;
      return {
        kind,
        bucket: bucketOf(kind),
        key: dir + name,
        etag: hashHex(`etag:${u}`).slice(0, 32),
        version_id: hashHex(`version:${u}`).slice(0, 32),
        size_bytes: 1_240 + lines * perLine,
        last_modified: `${yyyy}-${mm}-${String(day).padStart(2, "0")}T06:${String(10 + day).padStart(2, "0")}:00Z`,
        flaky,
      };
    };
    const remote = [
      ...names.map((n, i) => object("statement", n, data.statements[i]!.lines.length, 10 + i * 9, i === 1)),
      object("ledger", ledgerName, data.ledger.length, 28),
    ];
    w.inbox = { locations, remote, seen: new Map(), scans: new Map(), data, fetched: new Set(), plansAdded: false };
    return w.inbox;
  }

  private inboxFile(o: SeenObject): InboxFile {
    return {
      uri: `s3://${o.bucket}/${o.key}`,
      bucket: o.bucket,
      key: o.key,
      kind: o.kind,
      status: o.status,
      size_bytes: o.size_bytes,
      etag: o.etag,
      version_id: o.version_id,
      last_modified: o.last_modified,
      error: o.error,
      message: o.message,
      attempts: o.attempts,
      sha256: o.sha256,
      last_seen_at: o.last_seen_at,
    };
  }

  private buildInboxView(w: Ws): InboxView {
    const s = this.inboxOf(w);
    const rank: Record<InboxStatus, number> = { failed: 0, new: 1, imported: 2 };
    const files = [...s.seen.values()]
      .map((o) => this.inboxFile(o))
      .sort((a, b) => rank[a.status] - rank[b.status] || a.kind.localeCompare(b.kind) || a.key.localeCompare(b.key));
    const count = (st: InboxStatus) => files.filter((f) => f.status === st).length;
    return {
      configured: this.inboxConfigured(),
      locations: [...s.scans.values()],
      files: files.slice(0, 2_000),
      new_files: count("new"),
      imported_files: count("imported"),
      failed_files: count("failed"),
      interval_minutes: this.inbox?.intervalMinutes ?? 0,
    };
  }

  /** Lists every prefix and remembers what it saw; gives the objects found and the listing errors. */
  private inboxScan(w: Ws): { found: RemoteObject[]; errors: string[] } {
    const s = this.inboxOf(w);
    const at = this.at();
    const found: RemoteObject[] = [];
    const errors: string[] = [];
    for (const loc of s.locations) {
      if (this.inbox?.online === false) {
        const error = `${loc.uri}: unreachable: dispatch failure: error trying to connect: dns error: failed to lookup address information`;
        s.scans.set(loc.uri, { uri: loc.uri, scanned_at: at, objects: 0, error });
        errors.push(error);
        continue;
      }
      const objects = s.remote.filter((o) => `s3://${o.bucket}/${o.key}`.startsWith(loc.uri));
      for (const o of objects) {
        const u = `s3://${o.bucket}/${o.key}`;
        const prev = s.seen.get(u);
        if (prev && prev.etag === o.etag) {
          prev.last_seen_at = at;
          prev.size_bytes = o.size_bytes;
        } else {
          s.seen.set(u, {
            kind: o.kind,
            bucket: o.bucket,
            key: o.key,
            etag: o.etag,
            size_bytes: o.size_bytes,
            last_modified: o.last_modified,
            version_id: null,
            status: "new",
            error: null,
            message: null,
            attempts: 0,
            sha256: null,
            last_seen_at: at,
            replaces: o.kind === "statement" && prev !== undefined && (prev.status === "imported" || prev.replaces),
          });
        }
      }
      s.scans.set(loc.uri, { uri: loc.uri, scanned_at: at, objects: objects.length, error: null });
      found.push(...objects);
    }
    return { found, errors };
  }

  private inboxFailOnce() {
    const code = this.inbox?.failWith;
    if (code) {
      this.inbox!.failWith = null;
      fail(code, code === "sign_in_required" ? "the store's credentials need a fresh sign-in" : `the inbox cannot be reached (${code})`);
    }
  }

  async inboxView(): Promise<InboxView> {
    await this.tick();
    this.me();
    return clone(this.buildInboxView(this.ws()));
  }

  async inboxRefresh(): Promise<InboxView> {
    await this.tick();
    this.me();
    const w = this.ws();
    if (!this.inboxConfigured()) return clone(this.buildInboxView(w));
    await this.tick(this.latency * 3);
    this.inboxFailOnce();
    this.inboxScan(w);
    return clone(this.buildInboxView(w));
  }

  async inboxPull(): Promise<PullReport> {
    await this.tick();
    this.me();
    const w = this.ws();
    if (!this.inboxConfigured()) {
      return fail(
        "config_invalid",
        'no inbox configured: set inbox.statements (and inbox.ledger) in the configuration file, e.g. statements = "s3://acme-bank-statements/{account}/{yyyy}/{mm}/"',
      );
    }
    this.inboxFailOnce();
    const s = this.inboxOf(w);
    this.inboxEvents.emit({ phase: "listing", file: 0, files: 0, uri: "", bytes: 0, size_bytes: 0 });
    await this.tick(this.latency * 3);
    const { found, errors } = this.inboxScan(w);
    const todo = found
      .filter((o) => s.seen.get(`s3://${o.bucket}/${o.key}`)?.status !== "imported")
      .sort((a, b) => Number(a.kind === "ledger") - Number(b.kind === "ledger") || a.key.localeCompare(b.key));
    const report: PullReport = { imported: 0, failed: 0, replaced: 0, left: 0, bytes_downloaded: 0, tried: [], listing_errors: errors, view: this.buildInboxView(w) };
    const files = todo.length;
    for (let i = 0; i < todo.length; i++) {
      const o = todo[i]!;
      const uri = `s3://${o.bucket}/${o.key}`;
      const seen = s.seen.get(uri)!;
      const progress = (phase: InboxProgress["phase"], bytes: number) => this.inboxEvents.emit({ phase, file: i + 1, files, uri, bytes, size_bytes: o.size_bytes });
      // HeadObject: the version id is known from here on.
      seen.version_id = o.version_id;
      seen.attempts += 1;
      progress("downloading", 0);
      const firstFetch = !s.fetched.has(uri);
      s.fetched.add(uri);
      const chunks = 4;
      for (let c = 1; c <= chunks; c++) {
        await this.tick(this.latency * 2);
        progress("downloading", Math.floor((o.size_bytes * c) / chunks));
      }
      if (o.flaky && firstFetch) {
        Object.assign(seen, {
          status: "failed",
          error: "checksum_mismatch",
          message: `${uri}: the SHA-256 of the bytes fetched does not match the object's checksum; nothing imported, the next pull fetches it again`,
        });
        report.failed += 1;
        report.tried.push(this.inboxFile(seen));
        continue;
      }
      progress("importing", o.size_bytes);
      await this.tick(this.latency * 2);
      const statement = s.data.statements.find((f) => f.file === uri);
      const bank = statement ? statement.lines : [];
      if (seen.replaces && bank.some((l) => w.itemGroup.has(key("bank", l.id)))) {
        Object.assign(seen, {
          status: "failed",
          error: "replacement_blocked",
          message: `${uri}: a new version of an imported statement whose lines are matched: unmatch them, then pull again`,
        });
        report.failed += 1;
        report.tried.push(this.inboxFile(seen));
        continue;
      }
      const ledger = o.kind === "ledger" ? s.data.ledger : [];
      // The data set's plan covers items of several files: the matcher uses a plan once all its items exist.
      const plans = s.plansAdded ? [] : s.data.plans;
      s.plansAdded = true;
      this.addFile(w, uri, bank, ledger, plans, bank.length + ledger.length);
      if (seen.replaces) {
        this.audit(w, "replace_statement", `${uri}: new version ${o.version_id} (ETag ${o.etag}) replaces the imported one`);
        report.replaced += 1;
      }
      Object.assign(seen, { status: "imported", error: null, message: null, sha256: hashHex(`sha256:${uri}|${o.etag}`), replaces: false });
      report.imported += 1;
      report.bytes_downloaded += o.size_bytes;
      report.tried.push(this.inboxFile(seen));
    }
    if (report.imported > 0) this.changed(w);
    report.view = this.buildInboxView(w);
    return clone(report);
  }

  /** Test hook: the bucket gets a new version of an object (a corrected statement): the next
   * listing sees it as new, the next pull replaces the imported one. */
  inboxNewVersion(key: string) {
    const s = this.inboxOf(this.ws());
    const o = s.remote.find((x) => x.key === key) ?? fail("not_found", `no object ${key} in the inbox's bucket`);
    o.etag = hashHex(`etag:${o.key}:${o.etag}`).slice(0, 32);
    o.version_id = hashHex(`version:${o.key}:${o.etag}`).slice(0, 32);
    o.flaky = false;
  }


  // ---------------------------------------------------------------- publishing

  private publishConfigured(): boolean {
    return this.publish !== null && this.publish.configured !== false;
  }

  private periodKey(account: string, start: string, end: string) {
    return `${account}|${start}|${end}`;
  }

  private nowUnix(): number {
    return Math.floor(this.now().getTime() / 1000);
  }

  /** The reconciliation's figures now (what an approval publishes). */
  private figures(w: Ws): OutboxRec["figures"] {
    let matched = 0;
    for (const g of w.groups.values()) matched += g.bank.length + g.ledger.length;
    const st = this.statement(w);
    return { bank_closing_minor: st.bank_closing_minor, ledger_balance_minor: st.ledger_balance_minor, matched_items: matched, open_items: this.openItems(w).length };
  }

  /** An approval queues an outbox entry (as of the approval; published as the current revision). */
  private queueApproval(w: Ws) {
    const s = w.signOff;
    w.outbox.push({
      id: w.outbox.length + 1,
      content_hash: s.content_hash ?? "",
      revision: 1 + w.reopenings.length,
      preparer: s.preparer ?? "",
      approver: s.approver ?? "",
      approved_at: s.approved_at ?? this.at(),
      created_at: this.at(),
      stagedRevision: 0,
      database_at: null,
      archive_at: null,
      attempts: 0,
      last_error: null,
      last_error_code: null,
      next_attempt_unix: 0,
      refused: null,
      published_at: null,
      figures: this.figures(w),
    });
  }

  /** The seeded month (USD, approved): published, with the account's September in the
   * database (republished once after a reopening). */
  private seedPublished(w: Ws) {
    const s = w.signOff;
    const at = "2026-11-04T08:46:02Z";
    const figures = this.figures(w);
    w.outbox.push({
      id: 1,
      content_hash: s.content_hash ?? "",
      revision: 1,
      preparer: s.preparer ?? "",
      approver: s.approver ?? "",
      approved_at: s.approved_at ?? at,
      created_at: s.approved_at ?? at,
      stagedRevision: 1,
      database_at: at,
      archive_at: at,
      attempts: 0,
      last_error: null,
      last_error_code: null,
      next_attempt_unix: 0,
      refused: null,
      published_at: at,
      figures,
    });
    const base = { account: w.account, currency: w.currency, exponent: w.exponent, preparer: "clara", approver: "sam", published_by: "sam" };
    const september = (revision: number, superseded: boolean, approved_at: string, published_at: string, bank: number, ledger: number): PublishedPeriod => ({
      ...base,
      period_start: "2026-09-01",
      period_end: "2026-09-30",
      revision,
      content_hash: hashHex(`usd-2026-09-r${revision}`),
      approved_at,
      published_at,
      bank_closing_minor: bank,
      ledger_balance_minor: ledger,
      matched_items: revision === 1 ? 402 : 406,
      open_items: revision === 1 ? 9 : 5,
      superseded,
    });
    this.publishedPeriods.set(this.periodKey(w.account, "2026-09-01", "2026-09-30"), [
      september(1, true, "2026-10-03T15:12:40Z", "2026-10-03T15:13:05Z", 398_771_20, 398_771_20),
      september(2, false, "2026-10-06T10:02:18Z", "2026-10-06T10:02:44Z", 398_771_20, 398_771_20),
    ]);
    this.publishedPeriods.set(this.periodKey(w.account, w.period_start, w.period_end), [
      {
        ...base,
        period_start: w.period_start,
        period_end: w.period_end,
        revision: 1,
        content_hash: s.content_hash ?? "",
        approved_at: s.approved_at ?? at,
        published_at: at,
        ...figures,
        superseded: false,
      },
    ]);
  }

  private outboxItem(e: OutboxRec): OutboxItem {
    return {
      id: e.id,
      content_hash: e.content_hash,
      revision: e.revision,
      approver: e.approver,
      created_at: e.created_at,
      staged: e.stagedRevision > 0,
      database_at: e.database_at,
      archive_at: e.archive_at,
      attempts: e.attempts,
      last_error: e.last_error,
      last_error_code: e.last_error_code,
      next_attempt_unix: e.next_attempt_unix,
      refused: e.refused !== null,
      published_at: e.published_at,
    };
  }

  private buildPublishStatus(w: Ws): PublishStatus {
    const items = w.outbox.map((e) => this.outboxItem(e));
    return {
      waiting: items.filter((i) => i.published_at === null).length,
      refused: items.filter((i) => i.published_at === null && i.refused).length,
      items,
      destinations: this.publishConfigured() ? [`results database ${PUBLISH_DATABASE_URL}`, `archive ${PUBLISH_ARCHIVE}`] : [],
    };
  }

  /** One entry through staging, the database and the archive (as recon-api's drain does). */
  private async publishEntry(w: Ws, e: OutboxRec, outcome: EntryOutcome, progress: (line: string) => void): Promise<boolean> {
    progress(`staging approval ${e.id}`);
    await this.tick(this.latency * 2);
    if (e.stagedRevision !== e.revision) {
      // Staged as of the approval: the workspace must still hold the approved content.
      if (w.signOff.state !== "approved" || w.signOff.content_hash !== e.content_hash) {
        throw new PublishFailure("stale", `the workspace changed after approval ${e.content_hash.slice(0, 12)}… before it was staged for publishing: prepare and approve it again`);
      }
      e.stagedRevision = e.revision;
    }
    if (this.publish?.online === false) {
      throw new PublishFailure("unreachable", `${PUBLISH_DATABASE}: cannot connect: Connection refused (os error 111)`);
    }
    const at = this.at();
    if (e.database_at === null) {
      progress(`approval ${e.id}: ${PUBLISH_DATABASE}`);
      await this.tick(this.latency * 3);
      const key = this.periodKey(w.account, w.period_start, w.period_end);
      const periods = this.publishedPeriods.get(key) ?? [];
      const there = periods.find((p) => p.revision === e.revision);
      if (there && there.content_hash !== e.content_hash) {
        throw new PublishFailure(
          "refused",
          `${PUBLISH_DATABASE}: revision ${there.revision} of ${w.account} ${w.period_start}..${w.period_end} is already published with other content (${there.content_hash.slice(0, 12)}…, approved by ${there.approver} at ${there.approved_at}); a supervisor reopens the period (\`recon publish reopen --reason ...\`) to publish this content as revision ${there.revision + 1}`,
          { revision: there.revision, content_hash: there.content_hash },
        );
      }
      if (there) {
        outcome.database_already = true;
      } else {
        for (const p of periods) if (p.revision < e.revision) p.superseded = true;
        periods.push({
          account: w.account,
          period_start: w.period_start,
          period_end: w.period_end,
          revision: e.revision,
          content_hash: e.content_hash,
          currency: w.currency,
          exponent: w.exponent,
          preparer: e.preparer,
          approver: e.approver,
          approved_at: e.approved_at,
          published_by: this.me().user,
          published_at: at,
          ...e.figures,
          superseded: false,
        });
        this.publishedPeriods.set(key, periods);
      }
      e.database_at = at;
      e.last_error = null;
      e.last_error_code = null;
    }
    if (e.archive_at === null) {
      progress(`approval ${e.id}: ${PUBLISH_ARCHIVE}`);
      await this.tick(this.latency * 3);
      // The revision claim, four files under the content hash, the manifest beside them.
      outcome.archive_objects_written = 6;
      e.archive_at = at;
    }
    e.published_at = at;
    return true;
  }

  /** Publishes the waiting entries (`now`: backoffs ignored, the person asked). */
  private async drain(w: Ws, now: boolean): Promise<DrainReport> {
    const report: DrainReport = { entries: [], published: 0, failed: 0, deferred: 0 };
    const progress = (line: string) => this.publishEvents.emit(line);
    if (now) for (const e of w.outbox) if (e.published_at === null) e.next_attempt_unix = 0;
    for (const e of w.outbox) {
      if (e.published_at !== null || e.refused !== null) continue;
      if (e.next_attempt_unix > this.nowUnix()) {
        report.deferred += 1;
        continue;
      }
      const outcome: EntryOutcome = { id: e.id, revision: e.revision, content_hash: e.content_hash, published: false, database_already: false, archive_objects_written: 0, error: null, error_code: null };
      try {
        outcome.published = await this.publishEntry(w, e, outcome, progress);
        report.published += 1;
        progress(`published approval ${e.id} (revision ${e.revision}, content ${e.content_hash.slice(0, 12)}…)`);
      } catch (x) {
        if (!(x instanceof PublishFailure)) throw x;
        report.failed += 1;
        progress(`approval ${e.id}: ${x.message} (${x.code})`);
        e.attempts += 1;
        e.last_error = x.message;
        e.last_error_code = x.code;
        if (x.code === "refused" || x.code === "stale") {
          e.refused = { published: x.published };
        } else {
          e.next_attempt_unix = this.nowUnix() + Math.min(15 * 2 ** Math.min(e.attempts - 1, 10), 900);
        }
        outcome.error = x.message;
        outcome.error_code = x.code;
      }
      report.entries.push(outcome);
    }
    return report;
  }

  async publishStatus(): Promise<PublishStatus> {
    await this.tick();
    this.me();
    return clone(this.buildPublishStatus(this.ws()));
  }

  async publishNow(): Promise<DrainReport> {
    await this.tick();
    this.me();
    const w = this.ws();
    if (!this.publishConfigured()) {
      return fail("config_invalid", "nothing to publish to: set publish.database_url and/or publish.archive in the configuration file; approvals wait in the outbox until then");
    }
    return clone(await this.drain(w, true));
  }

  async publishReopen(reason: string): Promise<PublishStatus> {
    await this.tick();
    const me = this.me();
    const w = this.ws();
    if (this.verified && this.okta?.approvalNeedsFreshSignIn) fail("sign_in_required", "reopening a published period needs a sign-in within the last 15 minutes");
    if (!this.has("supervisor")) fail("not_allowed", `${me.user} lacks the supervisor role needed to reopen a published period`);
    if (reason.trim() === "") fail("invalid_argument", "a reopening needs a reason (it is audited and published)");
    const refused = [...w.outbox].reverse().find((e) => e.published_at === null && e.refused?.published);
    let revision: number;
    let supersedes: string;
    if (refused?.refused?.published) {
      revision = refused.refused.published.revision + 1;
      supersedes = refused.refused.published.content_hash;
    } else {
      const last = [...w.outbox].reverse().find((e) => e.published_at !== null) ?? fail("not_allowed", "nothing to reopen: no approval of this period was published or refused");
      revision = last.revision + 1;
      supersedes = last.content_hash;
    }
    const current = 1 + w.reopenings.length;
    if (revision <= current) fail("conflict", `revision ${revision} is not after this workspace's current revision ${current}`);
    const r: Reopening = { revision, supersedes_hash: supersedes, reason: reason.trim(), reopened_by: me.user, reopened_at: this.at() };
    w.reopenings.push(r);
    for (const e of w.outbox) {
      if (e.published_at === null && e.refused !== null && e.revision < revision) {
        Object.assign(e, { revision, refused: null, next_attempt_unix: 0, database_at: null, archive_at: null });
      }
    }
    this.audit(w, "period_reopened", `publication revision ${revision} (supersedes ${supersedes.slice(0, 12)}…): ${r.reason}`);
    return clone(this.buildPublishStatus(w));
  }

  async publishHistory(): Promise<HistoryView> {
    await this.tick();
    this.me();
    const w = this.ws();
    if (!this.publishConfigured()) {
      return { account: w.account, periods: [], source: "", error: "no results database configured (publish.database_url): the history of published periods lives there", carried: w.carried ?? null };
    }
    await this.tick(this.latency * 2);
    if (this.publish?.online === false) {
      return { account: w.account, periods: [], source: PUBLISH_DATABASE, error: `${PUBLISH_DATABASE}: cannot connect: Connection refused (os error 111) (unreachable)`, carried: w.carried ?? null };
    }
    const periods = [...this.publishedPeriods.values()]
      .flat()
      .filter((p) => p.account === w.account)
      .sort((a, b) => b.period_end.localeCompare(a.period_end) || b.revision - a.revision);
    return clone({ account: w.account, periods, source: PUBLISH_DATABASE, error: null, carried: w.carried ?? null });
  }

  /** The previous period (published, ending the day before this one starts): its open items
   * become this workspace's opening items. The fake only counts them (split between the sides)
   * and remembers the carry-forward; it adds no items. */
  async carryForward(): Promise<CarryReport> {
    await this.tick();
    const me = this.me();
    const w = this.ws();
    if (w.carried) fail("conflict", `this workspace already holds the open items of ${w.carried.from_period_start}..${w.carried.from_period_end} (revision ${w.carried.from_revision})`);
    const start = new Date(`${w.period_start}T00:00:00Z`);
    const dayBefore = new Date(start.getTime() - 86_400_000).toISOString().slice(0, 10);
    const previous = this.publishConfigured() && this.publish?.online !== false
      ? [...this.publishedPeriods.values()].flat().filter((p) => p.account === w.account && p.period_end === dayBefore && !p.superseded).sort((a, b) => b.revision - a.revision)[0]
      : undefined;
    if (!previous) return fail("not_found", `no published period of ${w.account} ends before ${w.period_start}`);
    const bank_items = Math.ceil(previous.open_items / 2);
    const ledger_items = previous.open_items - bank_items;
    const report: CarryReport = {
      from_period_start: previous.period_start,
      from_period_end: previous.period_end,
      from_revision: previous.revision,
      from_content_hash: previous.content_hash,
      source: "database",
      database_note: null,
      bank_items,
      bank_minor: bank_items * 1_250_00,
      ledger_items,
      ledger_minor: -ledger_items * 830_00,
      already_present: 0,
      ledger_opening_set_minor: null,
      ledger_opening_differs_minor: null,
    };
    const { database_note: _note, ledger_opening_set_minor: _set, ledger_opening_differs_minor: _differs, ...view } = report;
    w.carried = { ...view, carried_at: this.at(), carried_by: me.user };
    this.audit(w, "carry_forward", `${bank_items} bank and ${ledger_items} ledger open items of ${previous.period_start}..${previous.period_end} (revision ${previous.revision})`);
    return clone(report);
  }

  /** Test hook: a round of the background publisher (entries whose backoff has passed), then
   * the "publish-status" event, as the app's publisher thread does. */
  async publishInBackground(): Promise<DrainReport | null> {
    const w = this.ws();
    if (!this.publishConfigured() || this.buildPublishStatus(w).waiting === 0) return null;
    const report = await this.drain(w, false);
    this.publishStatusEvents.emit(this.buildPublishStatus(w));
    return clone(report);
  }

  // ---------------------------------------------------------------- events

  onImportProgress(cb: (p: ImportProgress) => void): Unsubscribe {
    return this.importEvents.on(cb);
  }

  onMatchProgress(cb: (p: MatchProgress) => void): Unsubscribe {
    return this.matchEvents.on(cb);
  }

  onInboxProgress(cb: (p: InboxProgress) => void): Unsubscribe {
    return this.inboxEvents.on(cb);
  }

  onPublishProgress(cb: (line: string) => void): Unsubscribe {
    return this.publishEvents.on(cb);
  }

  onPublishStatus(cb: (s: PublishStatus) => void): Unsubscribe {
    return this.publishStatusEvents.on(cb);
  }

  /** In a browser, files dropped on the page carry names but no paths: the fake reports them
   * as paths under /home/demo/Downloads so the import flow can be tried out. */
  onFilesDropped(cb: (paths: string[]) => void, onHover?: (hovering: boolean) => void): Unsubscribe {
    this.dropCbs.add(cb);
    if (typeof window === "undefined") return () => this.dropCbs.delete(cb);
    let depth = 0;
    const over = (e: DragEvent) => {
      if (e.dataTransfer?.types.includes("Files")) e.preventDefault();
    };
    const enter = (e: DragEvent) => {
      if (!e.dataTransfer?.types.includes("Files")) return;
      depth++;
      onHover?.(true);
    };
    const leave = () => {
      depth = Math.max(0, depth - 1);
      if (depth === 0) onHover?.(false);
    };
    const drop = (e: DragEvent) => {
      if (!e.dataTransfer?.files.length) return;
      e.preventDefault();
      depth = 0;
      onHover?.(false);
      const paths = [...e.dataTransfer.files].map((f) => `/home/demo/Downloads/${f.name}`);
      cb(paths);
    };
    window.addEventListener("dragover", over);
    window.addEventListener("dragenter", enter);
    window.addEventListener("dragleave", leave);
    window.addEventListener("drop", drop);
    return () => {
      this.dropCbs.delete(cb);
      window.removeEventListener("dragover", over);
      window.removeEventListener("dragenter", enter);
      window.removeEventListener("dragleave", leave);
      window.removeEventListener("drop", drop);
    };
  }

  /** Test hook: simulate a drop of absolute paths (what Tauri's drag-drop delivers). */
  simulateDrop(paths: string[]) {
    for (const cb of [...this.dropCbs]) cb(paths);
  }
}
