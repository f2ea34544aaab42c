// The task-graph rules (docs/FORMAT.md §1.1, docs/RECONCILER.md "States and transitions"), one table each.
import { describe, expect, it } from "vitest";
import { isGroup, ownWorkDone, taskGraph } from "../../src/graph/task-graph.js";
import { criticalPath, criticalPathLengths } from "../../src/graph/critical-path.js";
import type { TaskSpec } from "../../src/spec/model.js";
import { task } from "../reconcile/fixtures.js";

/** P (task file) has subtasks A and B; B has subtask C; D waits for P; E is alone. */
const tree = (over: Record<string, Partial<TaskSpec>> = {}): TaskSpec[] =>
  [
    task("P", { file: "tasks/P.md", children: ["A", "B"] }),
    task("A", { parent: "P" }),
    task("B", { parent: "P", children: ["C"] }),
    task("C", { parent: "B" }),
    task("D", { deps: ["P"] }),
    task("E"),
  ].map((t) => ({ ...t, ...over[t.id] }));
const checked = (...ids: string[]) => Object.fromEntries(ids.map((id) => [id, { checked: true }]));
const byBox = (t: TaskSpec) => t.checked;

describe("graph: done (a parent is done only when its subtasks are)", () => {
  const rows: { rule: string; tasks: TaskSpec[]; done: string[] }[] = [
    { rule: "nothing checked, nothing done", tasks: tree(), done: [] },
    { rule: "a checked parent with open subtasks is not done", tasks: tree(checked("P", "D", "E")), done: ["D", "E"] },
    { rule: "subtasks are done recursively: C open keeps B and P open", tasks: tree(checked("P", "A", "B")), done: ["A"] },
    { rule: "all checked, all done", tasks: tree(checked("P", "A", "B", "C")), done: ["P", "A", "B", "C"] },
    { rule: "checked subtasks do not make an unchecked parent done", tasks: tree(checked("A", "B", "C")), done: ["A", "B", "C"] },
  ];
  it.each(rows)("$rule", ({ tasks, done }) => {
    const g = taskGraph(tasks, byBox);
    expect(tasks.filter((t) => g.done(t.id)).map((t) => t.id)).toEqual(done);
    expect(tasks.filter((_, i) => g.doneAt(i)).map((t) => t.id)).toEqual(done);
  });
  it("a box checked while the task's record says an attempt runs is not done yet (its session may have ticked it: the guard judges it first)", () => {
    const t = { ...task("T1"), checked: true };
    expect(["Running", "Verifying", "Reviewing", "AwaitingApproval", "Pending", "Failed"].map((phase) => ownWorkDone(t, { phase, generation: "g-T1" }))).toEqual([false, false, false, false, true, true]);
  });
  it("an unknown id is not done", () => expect(taskGraph(tree(), byBox).done("Z9")).toBe(false));
  it("own work: a checked box, or a record Succeeded at the task's current generation", () => {
    const t = task("T1");
    expect([
      ownWorkDone(t, undefined),
      ownWorkDone({ ...t, checked: true }, undefined),
      ownWorkDone(t, { phase: "Succeeded", generation: "g-T1" }),
      ownWorkDone(t, { phase: "Succeeded", generation: "old" }),
      ownWorkDone(t, { phase: "Verifying", generation: "g-T1" }),
    ]).toEqual([false, true, true, false, false]);
  });
});

describe("graph: what a task waits for and what blocks it", () => {
  it("waits for its deps, then its subtasks (once each)", () => {
    const t1 = task("T1", { deps: ["T2", "T3"], children: ["T3", "T4"] });
    expect(taskGraph([t1], byBox).blockedBy(t1)).toEqual(["T2", "T3", "T4"]);
  });
  const rows: { rule: string; tasks: TaskSpec[]; blocked: Record<string, string[]> }[] = [
    { rule: "open subtasks block their parent; an open parent blocks its dependent", tasks: tree(), blocked: { P: ["A", "B"], B: ["C"], D: ["P"] } },
    { rule: "a checked parent is still blocked by its open subtasks, and so is its dependent", tasks: tree(checked("P")), blocked: { P: ["A", "B"], B: ["C"], D: ["P"] } },
    { rule: "subtasks done: the parent's own work is ready; its dependent waits for it", tasks: tree(checked("A", "B", "C")), blocked: { D: ["P"] } },
    { rule: "an unknown dep blocks (a spec error; nothing runs on it)", tasks: [task("T1", { deps: ["Z9"] })], blocked: { T1: ["Z9"] } },
  ];
  it.each(rows)("$rule", ({ tasks, blocked }) => {
    const g = taskGraph(tasks, byBox);
    expect(Object.fromEntries(tasks.map((t) => [t.id, g.blockedBy(t)]).filter(([, b]) => b!.length))).toEqual(blocked);
  });
  it("a group is a parent without a task file", () => {
    expect([isGroup(task("G", { children: ["A"] })), isGroup(task("P", { children: ["A"], file: "tasks/P.md" })), isGroup(task("A"))]).toEqual([true, false, false]);
  });
});

describe("graph: critical path (the longest chain of unfinished work waiting on a task, itself included)", () => {
  const rows: { rule: string; tasks: TaskSpec[]; cpl: Record<string, number> }[] = [
    { rule: "through parents: C unblocks B, P, then D", tasks: tree(), cpl: { P: 2, A: 3, B: 3, C: 4, D: 1, E: 1 } },
    { rule: "done tasks weigh 0 but pass the chain on", tasks: tree(checked("C")), cpl: { P: 2, A: 3, B: 3, C: 3, D: 1, E: 1 } },
    {
      rule: "tasks on a cycle, or waiting on one, get 0",
      tasks: [task("X", { deps: ["Y"] }), task("Y", { deps: ["X"] }), task("Z", { deps: ["X"] }), task("W"), task("V", { deps: ["W"] })],
      cpl: { X: 0, Y: 0, Z: 0, W: 2, V: 1 },
    },
  ];
  it.each(rows)("$rule", ({ tasks, cpl }) => {
    const lengths = criticalPathLengths(taskGraph(tasks, byBox));
    expect(Object.fromEntries(tasks.map((t, i) => [t.id, lengths[i]]))).toEqual(cpl);
  });
  it("a 10,000-long chain: the head carries the whole chain", () => {
    const chain = Array.from({ length: 10_000 }, (_, i) => task(`T${i}`, { deps: i ? [`T${i - 1}`] : [] }));
    expect(criticalPathLengths(taskGraph(chain, byBox))[0]).toBe(10_000);
  });
});

describe("graph: the critical path (the chain of unfinished work the board marks)", () => {
  /** The example mission's shape: T1 → T2, T3 → T4 → T5, T6. */
  const hello = (...done: string[]) =>
    [task("T1"), task("T2", { deps: ["T1"] }), task("T3", { deps: ["T1"] }), task("T4", { deps: ["T2", "T3"] }), task("T5", { deps: ["T4"] }), task("T6", { deps: ["T4"] })].map((t) => ({ ...t, checked: done.includes(t.id) }));
  const rows: { rule: string; tasks: TaskSpec[]; path: string[] }[] = [
    { rule: "from the first task to the end, first in document order on a tie", tasks: hello(), path: ["T1", "T2", "T4", "T5"] },
    { rule: "done tasks leave it: it starts at the first unfinished one", tasks: hello("T1", "T2"), path: ["T3", "T4", "T5"] },
    { rule: "a parent waits for its subtasks: the chain runs through them", tasks: tree(), path: ["C", "B", "P", "D"] },
    { rule: "nothing left: no path", tasks: hello("T1", "T2", "T3", "T4", "T5", "T6"), path: [] },
  ];
  it.each(rows)("$rule", ({ tasks, path }) => {
    const g = taskGraph(tasks, byBox);
    expect(criticalPath(g).map((i) => g.ids[i])).toEqual(path);
  });
});
