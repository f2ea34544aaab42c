// The mission budget: tokens and dollars summed over every task's record (live usage included, see
// actual.ts), and minutes since this `orch run`/`orch watch` started. Reaching any limit is a hard stop:
// no new attempt starts and running ones are aborted (plan.ts). Pure; see docs/RECONCILER.md.
import type { Config } from "../spec/index.js";
import type { TaskState } from "../store/index.js";
import { totalTokens } from "./budget.js";
import { MISSION_KEY } from "../plan/index.js";

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
 * Spend the mission's history holds and no record does, summed as a process starts: what finalized
 * records had spent (each `deleted` line carries its record's totals, executor.ts), so that a restart
 * still counts what deleted tasks spent; and the planner sessions of `orch plan` (the mission's `plan`
 * and `plan-failed` lines: a split's are in its task's record already).
 */
export function carriedSpend(events: Iterable<{ task?: string; kind: string; tokens?: number; costUsd?: number; detail?: Record<string, unknown> }>): CarriedSpend {
  const out = { tokens: 0, usd: 0 };
  const add = (tokens: unknown, usd: unknown) => {
    if (typeof tokens === "number" && Number.isFinite(tokens)) out.tokens += tokens;
    if (typeof usd === "number" && Number.isFinite(usd)) out.usd += usd;
  };
  for (const e of events) {
    if (e.kind === "deleted") add(e.detail?.spentTokens, e.detail?.spentUsd);
    else if (e.task === MISSION_KEY && (e.kind === "plan" || e.kind === "plan-failed")) add(e.tokens, e.costUsd);
  }
  return out;
}

/** The mission budget's token or dollar limit a new planner session would pass (`orch plan` refuses then): the records and history as they are; undefined: within it. */
export function missionBudgetUsed(b: MissionBudget, states: Iterable<TaskState>, events: Parameters<typeof carriedSpend>[0]): string | undefined {
  const { minutes: _perRun, ...limits } = b;
  return missionBudgetExceeded(limits, missionSpend(states, 0, 0, carriedSpend(events)));
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
