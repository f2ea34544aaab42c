// What one reconcile pass decides: plain values, carried out by the executor. No I/O here.
import type { Role, TaskId } from "../spec/index.js";
import { applyPatch, type Phase, type StatePatch, type TaskState } from "../store/index.js";
import type { Usage } from "../runtime/index.js";

/** Why orch aborts a running session. Each reason is recorded differently by the attempt (see RECONCILER.md). */
export type AbortReason = "stall" | "edit" | "suspend" | "deleted" | "checked" | "budget" | "mission-budget" | "shutdown";

/** One decision of the reconciler. */
export type Action =
  /**
   * Launch a new attempt (the executor records Running and counts the attempt). `verifyOnly`: a task
   * the ladder split, its subtasks done: it runs its own verify once more, no session.
   */
  | { type: "start"; id: TaskId; generation: string; attempt: number; role: Role; verifyOnly?: true }
  /** The record says a session runs but this process has none: re-attach to it, or relaunch. */
  | { type: "adopt"; id: TaskId; sessionId?: string }
  | { type: "abort"; id: TaskId; reason: AbortReason; message: string }
  /** A state transition orch decides without running anything (Blocked, Suspended, redo, budget…). */
  | { type: "set"; id: TaskId; from?: Phase; to: Phase; reason: string; message: string; patch: StatePatch; question?: string }
  /** Re-apply orch's check in TODO.md (a stale editor save removed it). */
  | { type: "check"; id: TaskId }
  /** `orch retry` of a task whose box is checked: uncheck it, so the next pass redoes the task. */
  | { type: "uncheck"; id: TaskId }
  /** The task left TODO.md: abort its session, remove what orch made for it (never merged work). */
  | { type: "finalize"; id: TaskId };

/** The result of one pass: the actions and when to look again even if no file changes. */
export interface Plan {
  actions: Action[];
  /** Time-based work (backoff, stall, cooldown, delete grace) needs a pass after this many ms. */
  requeueAfterMs?: number;
  /** The mission budget is used up (what was reached): nothing starts, running attempts are aborted. */
  missionBudget?: string;
}

/** A patch computed from the current state. */
export type PatchFn = (cur: TaskState) => StatePatch;

/** One patch doing what `patches` do one after another, so several changes cost one write. */
export function composePatches(...patches: (StatePatch | PatchFn)[]): PatchFn {
  return (cur) => {
    let state = cur;
    const out: StatePatch = {};
    for (const p of patches) {
      const delta = typeof p === "function" ? p(state) : p;
      state = applyPatch(state, delta);
      Object.assign(out, delta);
    }
    return out;
  };
}

/** A patch adding a session's tokens and cost to the task's totals. */
export function usageAdded(u: Usage, costUsd: number): PatchFn {
  return (s) => ({
    usage: { input: s.usage.input + u.input, output: s.usage.output + u.output, reasoning: s.usage.reasoning + u.reasoning, cacheRead: s.usage.cacheRead + u.cacheRead, cacheWrite: s.usage.cacheWrite + u.cacheWrite },
    costUsd: s.costUsd + costUsd,
  });
}
