// What one reconcile pass decides: plain values, carried out by the executor. No I/O here.
import type { Role, TaskId } from "../spec/model.js";
import { type Phase, type TaskState } from "../store/task-state-schema.js";
import { ZERO_USAGE, type Usage } from "../runtime/types.js";

/** Why orch aborts a running session. Each reason is recorded differently by the attempt (see RECONCILER.md). */
export type AbortReason = "stall" | "edit" | "suspend" | "deleted" | "checked" | "budget" | "shutdown";

/** Fields to change on a task's state record; `undefined` removes an optional field. */
export type StatePatch = { [K in keyof TaskState]?: TaskState[K] | undefined };

/** One decision of the reconciler. */
export type Action =
  /** Launch a new attempt (the executor records Running and counts the attempt). */
  | { type: "start"; id: TaskId; generation: string; attempt: number; role: Role }
  /** The record says a session runs but this process has none: re-attach to it, or relaunch. */
  | { type: "adopt"; id: TaskId; sessionId?: string }
  | { type: "abort"; id: TaskId; reason: AbortReason; message: string }
  /** A state transition orch decides without running anything (Blocked, Suspended, redo, budget…). */
  | { type: "set"; id: TaskId; from?: Phase; to: Phase; reason: string; message: string; patch: StatePatch }
  /** Re-apply orch's check in TODO.md (a stale editor save removed it). */
  | { type: "check"; id: TaskId }
  /** The task left TODO.md: abort its session, remove what orch made for it (never merged work). */
  | { type: "finalize"; id: TaskId };

/** The result of one pass: the actions and when to look again even if no file changes. */
export interface Plan {
  actions: Action[];
  /** Time-based work (backoff, stall, cooldown, delete grace) needs a pass after this many ms. */
  requeueAfterMs?: number;
}

/** Applies a patch to a state value (pure; used by the executor and by tests that simulate passes). */
export function applyPatch(s: TaskState, patch: StatePatch): TaskState {
  const next: Record<string, unknown> = { ...s };
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined) delete next[k];
    else next[k] = v;
  }
  return next as TaskState;
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

/** A fresh record for a task orch sees for the first time. */
export function freshState(id: TaskId, generation: string, at: string): TaskState {
  return {
    id,
    phase: "Pending",
    generation,
    observedGeneration: generation,
    conditions: [],
    attempts: 0,
    sessions: [],
    createdAt: at,
    updatedAt: at,
    usage: { ...ZERO_USAGE },
    costUsd: 0,
  };
}
