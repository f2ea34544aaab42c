// Budgets: attempts, wall time, tokens and cost per task. Any field the task leaves out comes from config.budget
// (and config.ladder for the ladder's rungs).
import type { Budget, Ladder, TaskSpec, Config } from "../spec/index.js";
import type { TaskState } from "../store/index.js";

/** The task's budget with config defaults filled in. */
export function effectiveBudget(t: TaskSpec, config: Config): Budget {
  return { ...config.budget, ...stripUndefined(t.budget) };
}

/** The task's ladder with config defaults filled in, key by key, as for the budget. */
export function effectiveLadder(t: Pick<TaskSpec, "ladder">, config: Pick<Config, "ladder">): Ladder {
  return { ...config.ladder, ...stripUndefined(t.ladder ?? {}) };
}

/** Wall time spent across all sessions of the task, the running one counted up to `now`. */
export function wallMs(s: TaskState, now: number): number {
  let ms = 0;
  const from = s.budgetFrom ? Date.parse(s.budgetFrom.at) : Number.NEGATIVE_INFINITY;
  for (const x of s.sessions) {
    const start = Date.parse(x.startedAt);
    if (start < from) continue;
    const end = x.endedAt ? Date.parse(x.endedAt) : now;
    if (Number.isFinite(start) && Number.isFinite(end)) ms += Math.max(0, end - start);
  }
  return ms;
}

/** Tokens (input + output + reasoning) the task has used in its current budget. */
function tokensUsed(s: TaskState): number {
  return totalTokens(s) - (s.budgetFrom?.tokens ?? 0);
}

/** Tokens used over the task's whole life. */
export function totalTokens(s: TaskState): number {
  return s.usage.input + s.usage.output + s.usage.reasoning;
}

/** Dollars spent in the current budget. */
function usdUsed(s: TaskState): number {
  return s.costUsd - (s.budgetFrom?.usd ?? 0);
}

/**
 * Why the task may not start (or continue) another attempt, or undefined when within budget.
 * `starting` counts the attempt about to start against the attempts limit.
 */
export function budgetExceeded(b: Budget, s: TaskState, now: number, starting: boolean): string | undefined {
  if (b.attempts !== undefined && starting && s.attempts >= b.attempts) return `used ${s.attempts} of ${b.attempts} attempts`;
  if (b.tokens !== undefined && tokensUsed(s) >= b.tokens) return `used ${tokensUsed(s)} of ${b.tokens} tokens`;
  if (b.usd !== undefined && usdUsed(s) >= b.usd) return `spent $${usdUsed(s).toFixed(2)} of $${b.usd}`;
  if (b.minutes !== undefined && wallMs(s, now) >= b.minutes * 60_000) return `ran ${(wallMs(s, now) / 60_000).toFixed(1)} of ${b.minutes} minutes`;
  return undefined;
}

function stripUndefined<T extends object>(b: T): T {
  return Object.fromEntries(Object.entries(b).filter(([, v]) => v !== undefined)) as T;
}
