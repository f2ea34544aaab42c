// Pure DAG algorithms over tasks: topological order, cycles.
import { OrchError } from "../util/errors.js";
import type { TaskId } from "../spec/model.js";

/** A graph node: an id and the ids it waits for. Edges to unknown ids are ignored. */
export interface DagNode {
  id: TaskId;
  deps: readonly TaskId[];
}

/**
 * Ids in an order where every task comes after its deps (ties keep input order).
 * Throws OrchError "cycle" naming the cycle's path when there is one.
 */
export function topoOrder(nodes: readonly DagNode[]): TaskId[] {
  const known = new Map(nodes.map((n, i) => [n.id, i]));
  const indegree = nodes.map(() => 0);
  const dependents = new Map<TaskId, number[]>();
  nodes.forEach((n, i) => {
    // A Set: a dep written twice counts once.
    for (const d of new Set(n.deps)) {
      if (!known.has(d) || d === n.id) continue;
      indegree[i]!++;
      (dependents.get(d) ?? dependents.set(d, []).get(d)!).push(i);
    }
  });
  const queue: number[] = [];
  indegree.forEach((d, i) => d === 0 && queue.push(i));
  const order: TaskId[] = [];
  for (let q = 0; q < queue.length; q++) {
    const i = queue[q]!;
    order.push(nodes[i]!.id);
    for (const j of dependents.get(nodes[i]!.id) ?? []) if (--indegree[j]! === 0) queue.push(j);
  }
  if (order.length < nodes.length || nodes.some((n) => n.deps.includes(n.id))) {
    const cycle = findCycle(nodes)!;
    throw new OrchError("cycle", `dependency cycle: ${cycle.join(" → ")}`, { hint: "Remove one of the deps in the cycle." });
  }
  return order;
}

/** One cycle as a path that returns to its start (T1 → T2 → T1), or undefined. */
export function findCycle(nodes: readonly DagNode[]): TaskId[] | undefined {
  return findCycles(nodes)[0];
}

/** Cycles found by one depth-first walk, each as a closed path (at least one per cyclic component). */
export function findCycles(nodes: readonly DagNode[]): TaskId[][] {
  // Integer indices and typed arrays: this runs on every reload of a 10,000-task mission.
  const index = new Map<TaskId, number>();
  nodes.forEach((n, i) => index.set(n.id, i));
  const deps = nodes.map((n) => n.deps.map((d) => index.get(d) ?? -1));
  const color = new Uint8Array(nodes.length); // 0 new, 1 on the current path, 2 finished
  const cycles: TaskId[][] = [];
  const path: number[] = [];
  const iters: number[] = [];
  // Iterative DFS: 10,000-task chains would overflow a recursive one.
  for (let start = 0; start < nodes.length; start++) {
    if (color[start]) continue;
    color[start] = 1;
    path.push(start);
    iters.push(0);
    while (path.length) {
      const at = path[path.length - 1]!;
      const k = iters[iters.length - 1]!;
      if (k >= deps[at]!.length) {
        color[at] = 2;
        path.pop();
        iters.pop();
        continue;
      }
      iters[iters.length - 1] = k + 1;
      const d = deps[at]![k]!;
      if (d < 0) continue;
      if (color[d] === 1) cycles.push([...path.slice(path.lastIndexOf(d)), d].map((i) => nodes[i]!.id));
      else if (color[d] === 0) {
        color[d] = 1;
        path.push(d);
        iters.push(0);
      }
    }
  }
  return cycles;
}
