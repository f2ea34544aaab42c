// What the agents cost, in tokens and dollars, per role, per task and for the mission. The history is
// the ledger: every session's end and every review carry their figures (a damaged state record is
// rebuilt from the same sums). `orch status`, `orch log`, `orch show` and the watch view all total
// through here, so they agree.
import type { HistoryEvent } from "./types.js";

/** Tokens (input + output + reasoning) and dollars. */
export interface Spend {
  tokens: number;
  costUsd: number;
}

/** One task's spend, in total and by role. */
export interface TaskSpend extends Spend {
  roles: Record<string, Spend>;
}

/** The mission's spend: in total, by role, and by task. */
export interface MissionSpend extends TaskSpend {
  tasks: Record<string, TaskSpend>;
}

/** What a spend line needs from a history event (or from a loop event that reports the same figures). */
export type SpendEntry = Pick<HistoryEvent, "task" | "kind" | "role" | "tokens" | "costUsd">;

/** An empty ledger. */
export function emptySpend(): MissionSpend {
  return { tokens: 0, costUsd: 0, roles: {}, tasks: {} };
}

/** The role an entry's figures belong to: its own, else the reviewer for a review, else the worker (older lines). */
function spendRole(e: SpendEntry): string {
  return e.role ?? (e.kind === "review" ? "reviewer" : "worker");
}

/** Adds one entry's figures (none: nothing changes) to the ledger, in place. */
export function addSpend(m: MissionSpend, e: SpendEntry): void {
  if (e.tokens === undefined && e.costUsd === undefined) return;
  const tokens = e.tokens ?? 0;
  const costUsd = e.costUsd ?? 0;
  const role = spendRole(e);
  const task = (m.tasks[e.task] ??= { tokens: 0, costUsd: 0, roles: {} });
  for (const s of [m, task]) {
    s.tokens += tokens;
    s.costUsd += costUsd;
    const r = (s.roles[role] ??= { tokens: 0, costUsd: 0 });
    r.tokens += tokens;
    r.costUsd += costUsd;
  }
}

/** The ledger of a list of history events. */
export function spendOf(events: Iterable<SpendEntry>): MissionSpend {
  const m = emptySpend();
  for (const e of events) addSpend(m, e);
  return m;
}

/** "1,376 tok $0.0015". */
export function formatSpend(s: Spend): string {
  return `${s.tokens.toLocaleString("en-US")} tok $${s.costUsd.toFixed(4)}`;
}

/** "worker 1,376 tok $0.0015, reviewer 402 tok $0.0004" (roles in a fixed order), or "" without any. */
export function formatRoles(s: TaskSpend): string {
  return sortedRoles(s)
    .map(([role, r]) => `${role} ${formatSpend(r)}`)
    .join(", ");
}

const ROLE_ORDER = ["planner", "searcher", "worker", "fixer", "reviewer"];

/** The roles of a spend, in the order work flows through them (unknown roles last, by name). */
function sortedRoles(s: TaskSpend): [string, Spend][] {
  const rank = (r: string) => (ROLE_ORDER.includes(r) ? ROLE_ORDER.indexOf(r) : ROLE_ORDER.length);
  return Object.entries(s.roles).sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b));
}
