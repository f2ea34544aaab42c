// Pure graph algorithms over indices: cycles and the one topological walk. Integer indices and typed
// arrays because they run on every reload and every reconcile pass of a 10,000-task mission.
import type { TaskId } from "../spec/index.js";

/** A graph by index: node i is named ids[i] and waits for the nodes next[i] (indices into ids). */
export interface IndexGraph {
  ids: readonly TaskId[];
  next: readonly (readonly number[])[];
}

/**
 * Indices in an order where each node comes after every node it waits for (ties keep index order).
 * Nodes on a cycle, or waiting on one, are left out: cycles are reported by findCycles.
 */
export function waitOrder(g: IndexGraph): Int32Array {
  const n = g.ids.length;
  // Who waits for each node (reverse edges), packed: waiters of j are at[start[j] .. start[j+1]).
  const pending = new Int32Array(n);
  const start = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) {
    pending[i] = g.next[i]!.length;
    for (const j of g.next[i]!) start[j + 1]!++;
  }
  for (let j = 0; j < n; j++) start[j + 1]! += start[j]!;
  const fill = start.slice(0, n);
  const at = new Int32Array(start[n]!);
  for (let i = 0; i < n; i++) for (const j of g.next[i]!) at[fill[j]!++] = i;
  const order = new Int32Array(n);
  let len = 0;
  for (let i = 0; i < n; i++) if (pending[i] === 0) order[len++] = i;
  for (let q = 0; q < len; q++) {
    const j = order[q]!;
    for (let k = start[j]!; k < start[j + 1]!; k++) if (--pending[at[k]!]! === 0) order[len++] = at[k]!;
  }
  return order.subarray(0, len);
}

/** Cycles found by one depth-first walk, each as a closed path (T1 → T2 → T1), at least one per cyclic component. */
export function findCycles(g: IndexGraph): TaskId[][] {
  const n = g.ids.length;
  const color = new Uint8Array(n); // 0 new, 1 on the current path, 2 finished
  const cycles: TaskId[][] = [];
  const path: number[] = [];
  const iters: number[] = [];
  // Iterative DFS: 10,000-task chains would overflow a recursive one.
  for (let first = 0; first < n; first++) {
    if (color[first]) continue;
    color[first] = 1;
    path.push(first);
    iters.push(0);
    while (path.length) {
      const at = path[path.length - 1]!;
      const k = iters[iters.length - 1]!;
      const next = g.next[at]!;
      if (k >= next.length) {
        color[at] = 2;
        path.pop();
        iters.pop();
        continue;
      }
      iters[iters.length - 1] = k + 1;
      const d = next[k]!;
      if (color[d] === 1) cycles.push([...path.slice(path.lastIndexOf(d)), d].map((i) => g.ids[i]!));
      else if (color[d] === 0) {
        color[d] = 1;
        path.push(d);
        iters.push(0);
      }
    }
  }
  return cycles;
}
