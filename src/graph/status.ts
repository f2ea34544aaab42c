// The status of each task as the files and the records say it: the task-graph rules (task-graph.ts,
// the ones plan() follows) with the recorded phase shown over them. Pure.
import type { Mission, TaskId } from "../spec/index.js";
import { ownWorkDone, taskGraph, type Outcome } from "./task-graph.js";

/** A row of `orch status`. */
export interface StatusRow {
  id: TaskId;
  title: string;
  /** The recorded phase when there is one, else from the files: done | Pending | Blocked | Suspended. */
  state: string;
  deps: TaskId[];
  blockedBy: TaskId[];
  /** The phase from .orchestrator/state/<id>.json, when recorded. */
  phase?: string;
}

/**
 * One row per task. Done and blocked-by as the reconciler decides them (a parent is done only when its
 * subtasks are; a record Succeeded at the task's generation counts as done, as a checked box does).
 */
export function statusRows(mission: Mission, records: ReadonlyMap<TaskId, Outcome> = new Map()): StatusRow[] {
  const g = taskGraph(mission.tasks, (t) => ownWorkDone(t, records.get(t.id)));
  return mission.tasks.map((t) => {
    const blockedBy = g.blockedBy(t);
    // Spelled as the phases the records and the log use (a task not yet run is Pending, as its first
    // log line will say); "done" is a box checked without orch having run the task.
    const derived = g.done(t.id) ? "done" : t.suspend ? "Suspended" : blockedBy.length ? "Blocked" : "Pending";
    const phase = records.get(t.id)?.phase;
    return { id: t.id, title: t.title, state: phase ?? derived, deps: t.deps, blockedBy, ...(phase ? { phase } : {}) };
  });
}

/** More columns after the standard ones (e.g. what each task cost): their heads and each row's cells. */
export interface ExtraColumns {
  head: string[];
  cells(row: StatusRow): string[];
}

/** Renders rows as an aligned text table. */
export function formatStatusTable(rows: readonly StatusRow[], width = 100, extra?: ExtraColumns): string {
  const head = ["ID", "TITLE", "STATE", "DEPS", "BLOCKED BY", ...(extra?.head ?? [])];
  const cells = rows.map((r) => [r.id, r.title, r.state, r.deps.join(",") || "-", r.blockedBy.join(",") || "-", ...(extra?.cells(r) ?? [])]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const fixed = w.reduce((a, b, i) => (i === 1 ? a : a + b + 2), 0);
  w[1] = Math.max(10, Math.min(w[1]!, width - fixed));
  const fit = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));
  return [head, ...cells].map((c) => c.map((s, i) => fit(s, w[i]!)).join("  ").trimEnd()).join("\n") + "\n";
}
