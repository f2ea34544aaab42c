// Property tests of the decision function over random DAGs (with subtasks), states and running sets:
// no task starts before what it waits for is done; no task runs twice at once; every pass is idempotent;
// plan() and `orch status` agree on what is done and what blocks what (both follow graph/).
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { plan, type PlanContext, type RunningInfo } from "../../src/reconcile/plan.js";
import { findCycles } from "../../src/graph/dag.js";
import { isGroup, ownWorkDone, taskGraph, waitGraph } from "../../src/graph/task-graph.js";
import { statusRows } from "../../src/graph/status.js";
import { type Action } from "../../src/reconcile/actions.js";
import { applyPatch, freshState, PhaseSchema, type TaskState } from "../../src/store/task-state-schema.js";
import type { Mission, TaskSpec } from "../../src/spec/model.js";
import { NOW, ctx, mission, running, state, task } from "./fixtures.js";

const world = fc
  .integer({ min: 1, max: 12 })
  .chain((n) =>
    fc.record({
      deps: fc.array(fc.array(fc.nat(), { maxLength: 3 }), { minLength: n, maxLength: n }),
      // A parent among the earlier tasks (nat % i), or none; some parents get a task file.
      parent: fc.array(fc.option(fc.nat(), { nil: undefined, freq: 2 }), { minLength: n, maxLength: n }),
      file: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      checked: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      suspend: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      edited: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      phase: fc.array(fc.option(fc.constantFrom(...PhaseSchema.options), { nil: undefined }), { minLength: n, maxLength: n }),
      attempts: fc.array(fc.nat({ max: 4 }), { minLength: n, maxLength: n }),
      runningIdx: fc.array(fc.boolean(), { minLength: n, maxLength: n }),
      total: fc.integer({ min: 1, max: 5 }),
      workerLimit: fc.option(fc.integer({ min: 1, max: 3 }), { nil: undefined }),
      stale: fc.boolean(),
      onEdit: fc.constantFrom("finish-then-rerun" as const, "cancel-and-restart" as const),
    }),
  )
  .map((w) => {
    const n = w.deps.length;
    const tasks = w.deps.map((ds, i) =>
      task(`T${i}`, {
        deps: [...new Set(ds.filter((d) => i > 0).map((d) => `T${d % i}`))],
        checked: w.checked[i]!,
        suspend: w.suspend[i]! && i % 3 === 0,
        generation: w.edited[i]! ? `g2-T${i}` : `g-T${i}`,
        ...(w.file[i] ? { file: `tasks/T${i}.md` } : {}),
      }),
    );
    nest(tasks, w.parent);
    const actual = new Map<string, TaskState>();
    const run = new Map<string, RunningInfo>();
    for (let i = 0; i < n; i++) {
      const id = `T${i}`;
      const phase = w.phase[i];
      if (phase) actual.set(id, state(id, { phase, attempts: w.attempts[i]! }));
      if (w.runningIdx[i] && run.size < w.total) {
        run.set(id, running({ generation: `g-T${i}` }));
        actual.set(id, state(id, { phase: "Running", attempts: Math.max(1, w.attempts[i]!) }));
      }
    }
    const c = ctx({
      running: run,
      classifyUncheck: () => (w.stale ? "stale" : "redo"),
      cfg: { concurrency: { total: w.total, perRole: w.workerLimit ? { worker: w.workerLimit } : {} }, onEdit: w.onEdit },
    });
    return { m: mission(tasks), actual, c };
  });

/** Nests task i under parent[i] % i, then drops deps that close a cycle (the spec reports those, so plan never sees them). */
function nest(tasks: TaskSpec[], parent: (number | undefined)[]): void {
  tasks.forEach((t, i) => {
    const p = parent[i];
    if (i === 0 || p === undefined) return;
    t.parent = `T${p % i}`;
    tasks[p % i]!.children.push(t.id);
  });
  for (let cycle = findCycles(waitGraph(tasks))[0]; cycle; cycle = findCycles(waitGraph(tasks))[0]) {
    // Subtask edges form a forest: a cycle has at least one dep edge.
    const k = cycle.findIndex((id, j) => j + 1 < cycle.length && tasks.find((t) => t.id === id)!.deps.includes(cycle[j + 1]!));
    const t = tasks.find((x) => x.id === cycle[k])!;
    t.deps = t.deps.filter((d) => d !== cycle[k + 1]);
  }
}

/** Carries out a plan on in-memory values, as the executor would if every launched session kept running. */
function apply(m: Mission, actual: Map<string, TaskState>, c: PlanContext, actions: Action[]) {
  const next = new Map(actual);
  const run = new Map(c.running);
  const tasks = m.tasks.map((t) => ({ ...t }));
  const iso = new Date(NOW).toISOString();
  for (const a of actions) {
    const t = tasks.find((x) => x.id === a.id);
    const cur = next.get(a.id) ?? freshState(a.id, t?.generation ?? "?", iso);
    if (a.type === "set") next.set(a.id, applyPatch(cur, a.patch));
    else if (a.type === "start") {
      next.set(a.id, { ...cur, phase: "Running", attempts: a.attempt, generation: a.generation });
      run.set(a.id, running({ generation: a.generation, role: a.role, lastProgressAt: NOW }));
    } else if (a.type === "adopt") run.set(a.id, running({ generation: cur.generation, lastProgressAt: NOW }));
    else if (a.type === "abort") run.set(a.id, { ...run.get(a.id)!, aborting: a.reason });
    else if (a.type === "check") {
      next.set(a.id, { ...cur, phase: "Succeeded", generation: t!.generation, checkedByOrch: { at: iso, generation: t!.generation, lineBefore: "", lineAfter: "" } });
      t!.checked = true;
    } else if (a.type === "finalize") next.delete(a.id);
  }
  return { m: { ...m, tasks }, actual: next, c: { ...c, running: run } };
}

const key = (a: Action) => JSON.stringify(a);

describe("plan: properties", () => {
  it("never starts a task before its deps are done, nor one that runs, nor one twice; keeps limits", () => {
    fc.assert(
      fc.property(world, ({ m, actual, c }) => {
        const p = plan(m, actual, c);
        const starts = p.actions.filter((a) => a.type === "start");
        const ids = starts.map((a) => a.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(starts.length).toBeLessThanOrEqual(Math.max(0, c.config.concurrency.total - c.running.size));
        const limit = c.config.concurrency.perRole.worker;
        for (const a of starts) {
          const t = m.tasks.find((x) => x.id === a.id)!;
          expect(c.running.has(a.id)).toBe(false);
          expect(t.checked).toBe(false);
          expect(t.suspend).toBe(false);
          const g = taskGraph(m.tasks, (x) => ownWorkDone(x, actual.get(x.id)));
          expect(g.blockedBy(t), `${a.id} waits for what is not done`).toEqual([]);
        }
        if (limit !== undefined) {
          const workers = [...c.running.values()].filter((r) => r.role === "worker").length;
          expect(starts.length).toBeLessThanOrEqual(Math.max(0, limit - workers));
        }
      }),
      { numRuns: 400 },
    );
  });

  it("is deterministic, and applying a pass never makes the next pass repeat an action", () => {
    fc.assert(
      fc.property(world, (w0) => {
        expect(plan(w0.m, w0.actual, w0.c)).toEqual(plan(w0.m, w0.actual, w0.c));
        let w = w0;
        let prev = new Set<string>();
        for (let pass = 0; pass < w0.m.tasks.length + 3; pass++) {
          const p = plan(w.m, w.actual, w.c);
          for (const a of p.actions) expect(prev.has(key(a))).toBe(false);
          if (p.actions.length === 0) return;
          prev = new Set(p.actions.map(key));
          w = apply(w.m, w.actual, w.c, p.actions);
        }
        // Sessions never finish in this simulation, so a fixpoint must be reached.
        expect(plan(w.m, w.actual, w.c).actions).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });

  it("agrees with orch status: what plan starts, status shows unblocked; what plan records Blocked, status shows blocked by the same ids", () => {
    fc.assert(
      fc.property(world, ({ m, actual, c }) => {
        const rows = new Map(statusRows(m, actual).map((r) => [r.id, r]));
        for (const a of plan(m, actual, c).actions) {
          const row = rows.get(a.id)!;
          if (a.type === "start") expect(row.blockedBy, `${a.id} started`).toEqual([]);
          if (a.type === "check" && isGroup(m.tasks.find((t) => t.id === a.id)!)) expect(row.blockedBy, `${a.id} checked`).toEqual([]);
          if (a.type === "set" && a.to === "Blocked") expect(a.patch.blockedBy).toEqual(row.blockedBy);
        }
      }),
      { numRuns: 400 },
    );
  });
});
