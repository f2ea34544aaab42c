// The critical path: how much unfinished work waits, directly or not, on each task. Pure.
import { waitOrder } from "./dag.js";
import type { TaskGraph } from "./task-graph.js";

/**
 * For each task (by index in g.tasks), the length in tasks of the longest chain of unfinished work
 * that waits on it (deps and parents, see waitsFor), the task included. Done tasks weigh 0. Tasks on
 * a cycle or waiting on one (reported elsewhere as a spec problem) get 0.
 */
export function criticalPathLengths(g: TaskGraph): Int32Array {
  const order = waitOrder(g);
  const longest = new Int32Array(g.tasks.length);
  const below = new Int32Array(g.tasks.length); // the longest chain among the tasks waiting on each one
  // Waiters come after what they wait for in `order`: walked backwards, each is final before it is used.
  for (let k = order.length - 1; k >= 0; k--) {
    const i = order[k]!;
    const len = below[i]! + (g.doneAt(i) ? 0 : 1);
    longest[i] = len;
    for (const j of g.next[i]!) if (below[j]! < len) below[j] = len;
  }
  return longest;
}

/**
 * The critical path itself: task indexes from the unfinished task with the longest chain
 * (criticalPathLengths) through the waiters that carry that chain on, first in document order on a tie.
 * Empty when nothing is left to do.
 */
export function criticalPath(g: TaskGraph, lengths: Int32Array = criticalPathLengths(g)): number[] {
  const n = g.tasks.length;
  const waiters: number[][] = Array.from({ length: n }, () => []);
  for (let j = 0; j < n; j++) for (const i of g.next[j]!) waiters[i]!.push(j);
  let cur = -1;
  for (let i = 0; i < n; i++) if (!g.doneAt(i) && (cur < 0 || lengths[i]! > lengths[cur]!)) cur = i;
  const path: number[] = [];
  while (cur >= 0 && lengths[cur]! > 0) {
    path.push(cur);
    const want = lengths[cur]! - 1;
    cur = want > 0 ? (waiters[cur]!.find((j) => !g.doneAt(j) && lengths[j] === want) ?? -1) : -1;
  }
  return path;
}
