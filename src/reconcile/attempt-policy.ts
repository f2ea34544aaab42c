// What follows an attempt's setback, decided from plain values (docs/RECONCILER.md, "Error classes",
// "Aborts", "The ladder" and the fixer rows of the transition table). Pure: attempt.ts records what
// this returns.
import type { Config, Ladder } from "../spec/index.js";
import type { Phase, StatePatch } from "../store/index.js";
import type { SessionError } from "../runtime/index.js";
import type { AbortReason } from "./actions.js";
import { backoffMs } from "./backoff.js";
import type { Violation, ViolationKind } from "./attempt-guard.js";

/** A check the attempt's result did not pass: each sends it to a fixer while attempts last. */
export type CheckFailure = "VerifyFailed" | "ReviewRejected" | "EmptyDiff" | "DoomLoop" | "MergeConflict";

/** What went wrong in the attempt. */
export type Setback =
  /** Verify failed, the reviewer rejected the change, the worker changed nothing (not allowed), or its session looped (doom-loop). */
  | { kind: "check"; why: CheckFailure }
  /** A session (worker, fixer or reviewer) failed, or orch could not carry the attempt on. */
  | { kind: "error"; error: SessionError }
  /** orch aborted the attempt. */
  | { kind: "abort"; reason: AbortReason }
  /** The attempt changed what it may not (attempt-guard.ts): desired state, its acceptance tests, files outside its scope. */
  | { kind: "guard"; violations: Violation[] };

/** What the attempt knows about itself. */
export interface AttemptFacts {
  /** The attempt number (1-based). */
  attempt: number;
  /** The attempt in which a session last ran, if any. */
  ran?: number;
  /** The attempt's first session found the server unreachable: it is not recorded as started. */
  outage?: boolean;
  /** The attempt budget (effectiveBudget(...).attempts); undefined: no limit. */
  limit?: number;
  /** The task's ladder (effectiveLadder); absent: only fixers. */
  ladder?: Ladder;
  /** The planner may split the task: it has no subtasks yet (a task split once is not split again). */
  splittable?: boolean;
  /** How many of the task's ancestors were split (its subtasks written by the planner): at ladder.maxSplitDepth it is not split. */
  splitAncestors?: number;
}

/** How deep splits nest when the ladder does not say (a subtask a split wrote is not split again). */
const MAX_SPLIT_DEPTH = 1;

/** The settings the policy reads. */
export type PolicyConfig = Pick<Config, "retry" | "stallSec">;

/**
 * The next step: a fixer pass (after a searcher's when `search`), a split by the planner, a phase to
 * record (WaitingForPerson: the attempt writes the question first), or nothing (the finalizer removes
 * the record).
 */
export type NextStep =
  | { kind: "fix"; attempt: number; search?: true }
  | { kind: "split" }
  | {
      kind: "record";
      phase: Phase;
      reason: string;
      message: string;
      patch: StatePatch;
      /** Give the attempt back: the recorded count drops by one (never below 0). */
      refund: boolean;
      /** An outage start: a task already waiting for the server gets no new history line for it. */
      quietIfWaiting: boolean;
    }
  | { kind: "none" };

const CHECK_WORDS: Record<CheckFailure, string> = { VerifyFailed: "verify failed", ReviewRejected: "review rejected", EmptyDiff: "the worker changed no file", DoomLoop: "the agent repeated the same tool call", MergeConflict: "merging it conflicted" };

/** The reason (and error code) a violation of each kind is recorded with. */
const GUARD_REASONS: Record<ViolationKind, string> = { "desired-state": "DesiredStateChanged", "acceptance-test": "AcceptanceTestChanged", "out-of-scope": "OutOfScope", "changed-after-verify": "ChangedAfterVerify" };

/** One violation in words, its paths named. */
export function guardWords(v: Violation): string {
  const paths = v.paths.join(", ");
  if (v.kind === "desired-state") return `the attempt changed desired state, which only a person may change (${v.details?.length ? `${v.details.join(", ")} in ` : ""}${paths})`;
  if (v.kind === "acceptance-test") return `the attempt changed the acceptance tests its verify commands run (${paths}); a task whose job is to write them says editsTests: true`;
  if (v.kind === "changed-after-verify") return `files changed in the workspace after verify and review passed (${paths}): what would be merged is not what was judged, so nothing is merged (a process the agent left running, e.g. a background job, may still be writing)`;
  return `the attempt changed files outside the task's files: scope (${paths})`;
}

/** What a split task records while its subtasks run: Pending, its attempts kept (its verify once more is the next). */
export function splitRecord(into: readonly string[], now: number): Extract<NextStep, { kind: "record" }> {
  const at = new Date(now).toISOString();
  return { kind: "record", phase: "Pending", reason: "Split", message: `split into ${into.join(", ")}: it runs its own verify once more when they are done`, patch: { split: { into: [...into], at }, nextAttemptAt: undefined }, refund: false, quietIfWaiting: false };
}

/** Decides what follows `setback`. `rand` in [0,1) spreads the backoff (passed in to stay pure). */
export function nextStep(setback: Setback, facts: AttemptFacts, config: PolicyConfig, now: number, rand: number): NextStep {
  const at = new Date(now).toISOString();
  const retryAt = () => new Date(now + backoffMs(facts.attempt, config.retry, rand)).toISOString();
  const record = (phase: Phase, reason: string, message: string, patch: StatePatch, more: { refund?: boolean; quietIfWaiting?: boolean } = {}): NextStep => ({
    kind: "record",
    phase,
    reason,
    message,
    patch,
    refund: more.refund ?? false,
    quietIfWaiting: more.quietIfWaiting ?? false,
  });

  if (setback.kind === "check") {
    const n = facts.attempt;
    const ladder = setback.why === "MergeConflict" ? {} : (facts.ladder ?? {});
    const reached = (rung: number | undefined) => !!rung && n >= rung;
    // The last rung first: a person is asked, with no attempt of the budget needed (not Failed).
    if (reached(ladder.ask)) {
      const message = `${CHECK_WORDS[setback.why]} on attempt ${n}: waiting for a person's answer`;
      return record("WaitingForPerson", "AskedPerson", message, { lastError: { code: setback.why, message, terminal: false, at }, nextAttemptAt: undefined });
    }
    // Every other rung needs one more attempt (a fixer, or the split task's verify once more).
    if (facts.limit !== undefined && n >= facts.limit) {
      const message = `${CHECK_WORDS[setback.why]} and the ${facts.limit} attempts are used up`;
      return record("Failed", setback.why, message, { lastError: { code: setback.why, message, terminal: true, at } });
    }
    // Splits nest only so deep: each level may add plan.maxTasks tasks, and no person would ever be asked.
    const deepEnough = (facts.splitAncestors ?? 0) >= (ladder.maxSplitDepth ?? MAX_SPLIT_DEPTH);
    if (reached(ladder.split) && facts.splittable && !deepEnough) return { kind: "split" };
    if (ladder.search === n) return { kind: "fix", attempt: n + 1, search: true };
    return { kind: "fix", attempt: n + 1 };
  }

  if (setback.kind === "guard") {
    // Never a fixer: the change is not the agent's to make, and in a shared checkout the paths may
    // hold a person's edits that a fixer must not undo. Not retried on this budget either.
    const first = setback.violations[0]!;
    const message = setback.violations.map(guardWords).join("; ");
    return record("Failed", GUARD_REASONS[first.kind], message, { lastError: { code: GUARD_REASONS[first.kind], message, terminal: true, at }, nextAttemptAt: undefined });
  }

  if (setback.kind === "error") {
    const err = setback.error;
    const lastError = { code: err.code, message: err.message, terminal: err.terminal, at };
    if (err.terminal) return record("Failed", "TerminalError", `${err.code}: ${err.message}`, { lastError, nextAttemptAt: undefined });
    const next = retryAt();
    // An outage is not the task's failure: the circuit breaker, not the budget, limits these retries.
    // Once a session of the attempt ran, the attempt counts (a task that brings the server down at its
    // end must not retry for ever); a provider that cannot be reached answered no turn, whichever
    // session it was.
    if (err.unreachable && (facts.ran !== facts.attempt || err.code === "provider-unreachable")) {
      const message = `${err.code}: ${err.message}; not charged; retry at ${next}`;
      const patch = { lastError, nextAttemptAt: next };
      // An attempt never recorded as started has nothing to refund.
      return facts.outage ? record("Pending", "ServerUnreachable", message, patch, { quietIfWaiting: true }) : record("Pending", "ServerUnreachable", message, patch, { refund: true });
    }
    return record("Pending", "RetryableError", `${err.code}: ${err.message}; retry at ${next}`, { lastError, nextAttemptAt: next });
  }

  const reason = setback.reason;
  if (reason === "deleted") return { kind: "none" };
  if (reason === "stall") {
    const next = retryAt();
    return record("Stalled", "NoProgress", `no progress for ${config.stallSec}s; retry at ${next}`, { lastError: { code: "stall", message: "no progress", terminal: false, at }, nextAttemptAt: next });
  }
  if (reason === "budget") return record("Failed", "BudgetExhausted", "budget used up while running", { lastError: { code: "budget", message: "budget used up while running", terminal: true, at } });
  // The mission's budget, not the task's: Pending, so a higher budget resumes it (not charged).
  if (reason === "mission-budget")
    return record("Pending", "MissionBudget", "aborted: the mission budget is used up", { lastError: { code: "mission-budget", message: "the mission budget is used up", terminal: false, at } }, { refund: !facts.outage });
  // edit, suspend, checked, shutdown: the attempt does not count (one never recorded as started was
  // not counted); the next pass decides what follows.
  return record("Pending", "Aborted", `aborted: ${reason}`, {}, { refund: !facts.outage });
}
