// Which ready task goes first: explicit priority, then the longest chain of work it unblocks (critical
// path, graph/critical-path.ts), then how long it has waited (aging, so short side tasks are not
// starved by long chains). A scheduling policy; the graph walk belongs to graph/.

/** Aging: one point per this many ms of waiting; one point equals one task of critical path. */
const AGING_MS_PER_POINT = 60_000;

/** A candidate's score; higher runs first. */
export function score(priority: number, cpl: number, waitedMs: number): number {
  return priority * 1_000_000 + cpl + Math.max(0, waitedMs) / AGING_MS_PER_POINT;
}
