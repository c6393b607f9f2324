import type { AgingBucket } from "./AgingBucket";
import type { ReconciliationStatement } from "./ReconciliationStatement";
import type { RuleStat } from "./RuleStat";
import type { WorkspaceSummary } from "./WorkspaceSummary";

export type Dashboard = { workspace: WorkspaceSummary, rules: Array<RuleStat>, matched_amount_minor: number, open_amount_minor: number, aging: Array<AgingBucket>, statement: ReconciliationStatement, };
