// The status of each task as the files alone say it (checkbox + deps), optionally overlaid
// with the phase recorded by the reconciler. Pure.
import type { Mission, TaskId, TaskSpec } from "../spec/model.js";

/** A row of `orch status`. */
export interface StatusRow {
  id: TaskId;
  title: string;
  /** done | ready | blocked | suspended, or the recorded phase when there is one. */
  state: string;
  deps: TaskId[];
  blockedBy: TaskId[];
  /** The phase from .orchestrator/state/<id>.json, when recorded. */
  phase?: string;
}

/**
 * Done means checked, and for a parent, every subtask done too. Blocked-by lists the deps
 * (and, for a parent, the subtasks) that are not done.
 */
export function statusRows(mission: Mission, phases: ReadonlyMap<TaskId, string> = new Map()): StatusRow[] {
  const byId = new Map(mission.tasks.map((t) => [t.id, t]));
  const doneMemo = new Map<TaskId, boolean>();
  const isDone = (t: TaskSpec): boolean => {
    let d = doneMemo.get(t.id);
    if (d === undefined) {
      doneMemo.set(t.id, false); // guards a malformed parent loop
      d = t.checked && t.children.every((c) => { const ct = byId.get(c); return !ct || isDone(ct); });
      doneMemo.set(t.id, d);
    }
    return d;
  };
  return mission.tasks.map((t) => {
    const blockedBy = [...t.deps, ...t.children].filter((d) => { const dt = byId.get(d); return !dt || !isDone(dt); });
    const derived = isDone(t) ? "done" : t.suspend ? "suspended" : blockedBy.length ? "blocked" : "ready";
    const phase = phases.get(t.id);
    return { id: t.id, title: t.title, state: phase ?? derived, deps: t.deps, blockedBy, ...(phase ? { phase } : {}) };
  });
}

/** Renders rows as an aligned text table. */
export function formatStatusTable(rows: readonly StatusRow[], width = 100): string {
  const head = ["ID", "TITLE", "STATE", "DEPS", "BLOCKED BY"];
  const cells = rows.map((r) => [r.id, r.title, r.state, r.deps.join(",") || "-", r.blockedBy.join(",") || "-"]);
  const w = head.map((h, i) => Math.max(h.length, ...cells.map((c) => c[i]!.length)));
  const fixed = w.reduce((a, b, i) => (i === 1 ? a : a + b + 2), 0);
  w[1] = Math.max(10, Math.min(w[1]!, width - fixed));
  const fit = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s.padEnd(n));
  return [head, ...cells].map((c) => c.map((s, i) => fit(s, w[i]!)).join("  ").trimEnd()).join("\n") + "\n";
}
