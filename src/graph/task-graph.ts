// The task-graph rules, owned here for both `plan()` and `orch status` (docs/FORMAT.md §1.1,
// docs/RECONCILER.md): what a task waits for, when it is done, and what blocks it. Pure.
import type { TaskId, TaskSpec } from "../spec/index.js";
import type { IndexGraph } from "./dag.js";

/**
 * What a task waits for: its deps, then its subtasks. A parent is done only when its subtasks are,
 * so its own work (a task file) runs after them, and a subtask cannot wait for its parent (a cycle).
 */
function waitsFor(t: TaskSpec): readonly TaskId[] {
  if (t.children.length === 0) return t.deps;
  return [...t.deps, ...t.children.filter((c) => !t.deps.includes(c))];
}

/** A parent without a task file: no work of its own, so orch checks it once its subtasks are done. */
export function isGroup(t: TaskSpec): boolean {
  return t.children.length > 0 && !t.file;
}

/** The part of a task-state record that says whether the task's own work is done. */
export interface Outcome {
  phase: string;
  generation: string;
}

/**
 * Phases of a task in an attempt: a box checked meanwhile may be its own session's (the guard judges
 * it), a restart adopts its workspace, stall detection watches it. One list for all three.
 */
export const ATTEMPT_PHASES: ReadonlySet<string> = new Set(["Running", "Verifying", "Reviewing", "AwaitingApproval"]);

/**
 * A task's own work is done: its box is checked (not while its record says an attempt runs: its
 * session may have ticked it, and the attempt's guard judges that first), or its record says
 * Succeeded at the task's current generation.
 */
export function ownWorkDone(t: TaskSpec, s: Outcome | undefined): boolean {
  return (t.checked && !(s && ATTEMPT_PHASES.has(s.phase))) || (s?.phase === "Succeeded" && s.generation === t.generation);
}

/** One mission's tasks as a graph, with whether each is done worked out once. */
export interface TaskGraph extends IndexGraph {
  tasks: readonly TaskSpec[];
  /** Task id → its index in tasks (and ids, next). */
  index: ReadonlyMap<TaskId, number>;
  /** Done: the task's own work is done and every subtask is done. An unknown id is not done. */
  done(id: TaskId): boolean;
  /** done() by index, for walks over the whole graph. */
  doneAt(i: number): boolean;
  /** The ids t waits for (waitsFor) that are not done, in that order: what `orch status` lists and plan records. */
  blockedBy(t: TaskSpec): TaskId[];
}

/** The wait-for edges of `tasks` by index (waitsFor); edges to ids with no task are dropped. */
export function waitGraph(tasks: readonly TaskSpec[]): IndexGraph & { index: Map<TaskId, number> } {
  const n = tasks.length;
  const index = new Map<TaskId, number>();
  const ids: TaskId[] = new Array(n);
  for (let i = 0; i < n; i++) index.set((ids[i] = tasks[i]!.id), i);
  const next: (readonly number[])[] = new Array(n);
  for (let i = 0; i < n; i++) {
    const t = tasks[i]!;
    // Tasks that wait for nothing share one empty list: no allocation for them on each pass.
    if (t.deps.length === 0 && t.children.length === 0) {
      next[i] = NONE;
      continue;
    }
    const out: number[] = [];
    for (const d of waitsFor(t)) {
      const j = index.get(d);
      if (j !== undefined) out.push(j);
    }
    next[i] = out;
  }
  return { ids, next, index };
}

const NONE: readonly number[] = Object.freeze([]);

/**
 * Builds the graph of `tasks`. `ownDone` says whether a task's own work is done: ownWorkDone over the
 * records for the reconciler and `orch status`, the checkbox alone where there are no records.
 */
export function taskGraph(tasks: readonly TaskSpec[], ownDone: (t: TaskSpec) => boolean): TaskGraph {
  const { ids, next, index } = waitGraph(tasks);
  const isDone = doneFlags(tasks, index, ownDone);
  const done = (id: TaskId) => {
    const i = index.get(id);
    return i !== undefined && isDone[i] === 1;
  };
  return {
    tasks,
    ids,
    next,
    index,
    done,
    doneAt: (i) => isDone[i] === 1,
    // An unknown dep (a spec error) is listed: nothing that waits for it counts as ready.
    blockedBy: (t) => waitsFor(t).filter((d) => !done(d)),
  };
}

/** 1 where a task is done (own work and all subtasks, recursively), else 0. */
function doneFlags(tasks: readonly TaskSpec[], index: ReadonlyMap<TaskId, number>, ownDone: (t: TaskSpec) => boolean): Uint8Array {
  const n = tasks.length;
  const flag = new Uint8Array(n); // 0 not done, 1 done
  const seen = new Uint8Array(n); // 0 new, 1 waiting for its subtasks, 2 decided
  const stack: number[] = [];
  // Subtasks come after their parent in TODO.md, so walking backwards decides them first and the
  // stack stays one deep; it only grows for malformed input (a duplicate id placed earlier).
  for (let root = n - 1; root >= 0; root--) {
    if (seen[root]) continue;
    stack.push(root);
    while (stack.length) {
      const i = stack[stack.length - 1]!;
      const t = tasks[i]!;
      if (seen[i] === 0) {
        seen[i] = 1;
        for (const c of t.children) {
          const j = index.get(c);
          if (j !== undefined && seen[j] === 0) stack.push(j);
        }
        continue;
      }
      stack.pop();
      if (seen[i] === 2) continue;
      seen[i] = 2;
      let d = ownDone(t);
      // A subtask still undecided here sits on a parent loop (malformed input): not done.
      for (const c of t.children) {
        if (!d) break;
        const j = index.get(c);
        if (j !== undefined) d = seen[j] === 2 && flag[j] === 1;
      }
      flag[i] = d ? 1 : 0;
    }
  }
  return flag;
}
