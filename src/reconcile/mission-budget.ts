// The mission budget: tokens and dollars summed over every task's record (live usage included, see
// actual.ts), and minutes since this `orch run`/`orch watch` started. Reaching any limit is a hard stop:
// no new attempt starts and running ones are aborted (plan.ts). Pure; see docs/RECONCILER.md.
import type { Config } from "../spec/index.js";
import type { TaskState } from "../store/index.js";
import { totalTokens } from "./budget.js";

/** config.missionBudget: every limit optional. */
export type MissionBudget = Config["missionBudget"];

/** What the mission has spent so far. */
export interface MissionSpend {
  tokens: number;
  usd: number;
  /** Since this process's loop started. */
  ms: number;
}

/** Spend no record holds any more: tasks removed from TODO.md (their records finalized). */
export interface CarriedSpend {
  tokens: number;
  usd: number;
}

/**
 * What finalized records had spent, from the history: each `deleted` line carries its record's totals
 * (executor.ts). Summed as a process starts, so that a restart still counts what deleted tasks spent
 * (and a task deleted, then added again, does not start over with the mission's budget).
 */
export function deletedSpend(events: Iterable<{ kind: string; detail?: Record<string, unknown> }>): CarriedSpend {
  const out = { tokens: 0, usd: 0 };
  for (const e of events) {
    if (e.kind !== "deleted") continue;
    const { spentTokens, spentUsd } = e.detail ?? {};
    if (typeof spentTokens === "number" && Number.isFinite(spentTokens)) out.tokens += spentTokens;
    if (typeof spentUsd === "number" && Number.isFinite(spentUsd)) out.usd += spentUsd;
  }
  return out;
}

/**
 * Sums tokens and cost over all records (a task's whole life, redos included) plus `carried`; minutes
 * since `startedAt`.
 */
export function missionSpend(states: Iterable<TaskState>, startedAt: number, now: number, carried: CarriedSpend = { tokens: 0, usd: 0 }): MissionSpend {
  let tokens = carried.tokens;
  let usd = carried.usd;
  for (const s of states) {
    tokens += totalTokens(s);
    usd += s.costUsd;
  }
  return { tokens, usd, ms: Math.max(0, now - startedAt) };
}

/** The limit reached ("used 1200 of 1000 mission tokens"), or undefined while within the budget. */
export function missionBudgetExceeded(b: MissionBudget, spend: MissionSpend): string | undefined {
  if (b.tokens !== undefined && spend.tokens >= b.tokens) return `used ${spend.tokens} of ${b.tokens} mission tokens`;
  if (b.usd !== undefined && spend.usd >= b.usd) return `spent $${spend.usd.toFixed(2)} of the mission's $${b.usd}`;
  if (b.minutes !== undefined && spend.ms >= b.minutes * 60_000) return `ran ${(spend.ms / 60_000).toFixed(1)} of the mission's ${b.minutes} minutes`;
  return undefined;
}

/** Milliseconds until the minutes limit is reached (a pass is due then), or undefined without one. */
export function missionMinutesLeftMs(b: MissionBudget, spend: MissionSpend): number | undefined {
  return b.minutes === undefined ? undefined : Math.max(0, b.minutes * 60_000 - spend.ms);
}
