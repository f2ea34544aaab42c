// An attempt's phase changes as queued writes (write-queue.ts), and how a step decided by
// attempt-policy.ts is recorded (settle: decide after a setback, then record).
import { composePatches, type PatchFn } from "./actions.js";
import { type StatePatch } from "../store/index.js";
import { nextStep, type NextStep, type Setback } from "./attempt-policy.js";
import type { TaskSpec } from "../spec/index.js";
import type { AttemptEnv, RunningEntry } from "./attempt.js";
import { effectiveBudget } from "./budget.js";
import type { EventSink } from "./events.js";
import type { WriteQueue, QueuedChange } from "./write-queue.js";
import type { Phase, TaskState } from "../store/index.js";

/** Fields a phase change also sets: a patch, or one computed from the current state. */
export type Extra = StatePatch | PatchFn;

/** What a phase change needs to know of the attempt. */
export interface PhaseSource {
  now(): number;
  emit: EventSink;
}

/** The attempt whose phase changes: its task, number and generation (read when the change is made). */
export interface PhaseOwner {
  id: string;
  attempt: number;
  generation: string;
}

/** A phase change as a queued write: the record, its history event, and the UI event once written. */
export function phaseChange(env: PhaseSource, e: PhaseOwner, to: Phase, reason: string, message: string, extra: Extra = {}): QueuedChange {
  let from: Phase | undefined;
  const attempt = e.attempt;
  return {
    patch: (cur) => {
      const more = typeof extra === "function" ? extra(cur) : extra;
      const at = new Date(env.now()).toISOString();
      return { phase: to, conditions: [{ type: to, status: "True", reason, message, at, observedGeneration: cur.observedGeneration }], ...more };
    },
    history: (before) => {
      from = before?.phase;
      return [{ task: e.id, kind: "phase", attempt, from, to, detail: { reason, message, generation: e.generation } }];
    },
    written: () => env.emit({ type: "phase", task: e.id, from, to, reason, message }),
  };
}

/**
 * Records the attempt's last word, after every queued write: the phase `step` names with its patch
 * (and `extra`), or nothing when the record is to be removed.
 */
export async function recordStep(env: PhaseSource, q: WriteQueue, e: PhaseOwner, step: Exclude<NextStep, { kind: "fix" | "split" }>, extra: Extra = {}): Promise<void> {
  // Deleted: the finalizer removes the record, so a write that fails here changes nothing.
  if (step.kind === "none") return void (await q.flush().catch(() => {}));
  const refund: PatchFn = (s) => (step.refund ? { attempts: Math.max(0, s.attempts - 1) } : {});
  const change = phaseChange(env, e, step.phase, step.reason, step.message, composePatches(step.patch, refund, extra));
  if (!step.quietIfWaiting) q.add(change);
  else {
    // A task already waiting for the server gets no history line or phase event for another start
    // that found it unreachable (its state is still rewritten: error, retry time), so a long outage
    // does not grow the history.
    let again = false;
    q.add({
      patch: change.patch,
      history: (before) => ((again = waitingForServer(before)) ? [] : change.history!(before)),
      written: () => {
        if (!again) change.written?.();
      },
    });
  }
  await q.flush();
}

/** Whether a task's state says it waits for an unreachable server. */
function waitingForServer(s: TaskState | undefined): boolean {
  return s?.phase === "Pending" && s.conditions.some((c) => c.reason === "ServerUnreachable");
}

/** Records what the policy decides after `setback` (never a fixer pass: a failed check goes to runAttempt's loop). */
export async function settle(env: AttemptEnv, q: WriteQueue, e: RunningEntry, setback: Exclude<Setback, { kind: "check" }>): Promise<void> {
  const step = nextStep(setback, facts(env, e, env.task(e.id)), env.config(), env.now(), env.rand());
  if (step.kind !== "fix" && step.kind !== "split") await recordStep(env, q, e, step);
}

/** What the policy knows of the attempt: its number, whether a session ran, an outage, the attempt budget. */
export function facts(env: AttemptEnv, e: RunningEntry, t: TaskSpec | undefined) {
  return { attempt: e.attempt, ran: e.ran, outage: e.outage, limit: t ? effectiveBudget(t, env.config()).attempts : undefined };
}
