// Which ready task goes first: explicit priority, then the longest chain of work it unblocks (critical
// path), then how long it has waited (aging, so short side tasks are not starved by long chains).
import type { TaskSpec, TaskId } from "../spec/model.js";

/** Aging: one point per this many ms of waiting; one point equals one task of critical path. */
export const AGING_MS_PER_POINT = 60_000;

/**
 * Length (in tasks) of the longest chain of unfinished work starting at each task, the task included.
 * Finished tasks weigh 0. Tasks caught in a cycle (reported elsewhere as a problem) get 0.
 */
export function criticalPathLengths(tasks: readonly TaskSpec[], done: (id: TaskId) => boolean): Map<TaskId, number> {
  const dependents = new Map<TaskId, TaskId[]>();
  const indegree = new Map<TaskId, number>();
  const ids = new Set(tasks.map((t) => t.id));
  for (const t of tasks) indegree.set(t.id, 0);
  for (const t of tasks) {
    for (const d of t.deps) {
      if (!ids.has(d)) continue;
      const list = dependents.get(d) ?? [];
      list.push(t.id);
      dependents.set(d, list);
      // Reverse edges: process sinks first, so count outgoing (dependent) edges.
    }
  }
  for (const t of tasks) indegree.set(t.id, (dependents.get(t.id) ?? []).length);
  const byId = new Map(tasks.map((t) => [t.id, t]));
  const cpl = new Map<TaskId, number>();
  const queue: TaskId[] = tasks.filter((t) => indegree.get(t.id) === 0).map((t) => t.id);
  for (let i = 0; i < queue.length; i++) {
    const id = queue[i]!;
    const t = byId.get(id)!;
    let best = 0;
    for (const dep of dependents.get(id) ?? []) best = Math.max(best, cpl.get(dep) ?? 0);
    cpl.set(id, best + (done(id) ? 0 : 1));
    for (const d of t.deps) {
      if (!ids.has(d)) continue;
      const left = indegree.get(d)! - 1;
      indegree.set(d, left);
      if (left === 0) queue.push(d);
    }
  }
  for (const t of tasks) if (!cpl.has(t.id)) cpl.set(t.id, 0);
  return cpl;
}

/** A candidate's score; higher runs first. */
export function score(priority: number, cpl: number, waitedMs: number): number {
  return priority * 1_000_000 + cpl + Math.max(0, waitedMs) / AGING_MS_PER_POINT;
}
