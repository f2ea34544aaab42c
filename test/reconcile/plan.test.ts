// Table tests of the decision function; each case names the rule of docs/RECONCILER.md it pins.
import { describe, expect, it } from "vitest";
import { plan } from "../../src/reconcile/plan.js";
import type { Action } from "../../src/reconcile/actions.js";
import { DEFAULT_CONFIG } from "../../src/spec/config.js";
import type { TaskSpec } from "../../src/spec/model.js";
import type { TaskState } from "../../src/store/task-state-schema.js";
import { NOW, ctx, mission, running, state, states, task } from "./fixtures.js";

const kinds = (actions: Action[]) => actions.map((a) => `${a.type}:${a.id}${a.type === "set" ? `:${a.to}` : a.type === "abort" ? `:${a.reason}` : ""}`);

describe("plan: runnable rule", () => {
  it("a new task with no deps is started; no record means Pending, so none is written first", () => {
    const p = plan(mission([task("T1")]), new Map(), ctx());
    expect(kinds(p.actions)).toEqual(["start:T1"]);
    expect(p.actions[0]).toMatchObject({ attempt: 1, role: "worker", generation: "g-T1" });
  });
  it("ready tasks beyond the free slots get no record either; a Blocked one whose deps are done is recorded Pending", () => {
    const m = mission([task("T1", { checked: true }), task("T2"), task("T3", { deps: ["T1"] }), task("T4")]);
    const p = plan(m, states(state("T1", { phase: "Succeeded" }), state("T3", { phase: "Blocked", blockedBy: ["T1"] })), ctx({ cfg: { concurrency: { total: 1, perRole: {} } } }));
    expect(kinds(p.actions)).toEqual(["set:T3:Pending", "start:T3"]); // T3 waited longest; T2 and T4 stay record-less
  });
  it("a task whose dep is not done is Blocked by that dep, once", () => {
    const m = mission([task("T1"), task("T2", { deps: ["T1"] })]);
    // Without a record, nothing is written: the files say what blocks T2 (orch status derives it).
    expect(kinds(plan(m, new Map(), ctx()).actions)).toEqual(["start:T1"]);
    const p = plan(m, states(state("T1"), state("T2")), ctx());
    expect(kinds(p.actions)).toEqual(["set:T2:Blocked", "start:T1"]);
    expect(p.actions[0]).toMatchObject({ patch: { blockedBy: ["T1"] } });
    const again = plan(m, states(state("T1"), state("T2", { phase: "Blocked", blockedBy: ["T1"] })), ctx());
    expect(kinds(again.actions)).toEqual(["start:T1"]);
  });
  it("a dep checked in TODO.md counts as done", () => {
    const m = mission([task("T1", { checked: true }), task("T2", { deps: ["T1"] })]);
    expect(kinds(plan(m, states(state("T1", { phase: "Succeeded" })), ctx()).actions)).toEqual(["start:T2"]);
  });
  it("a dep Succeeded at an older generation does not count", () => {
    const m = mission([task("T1"), task("T2", { deps: ["T1"] })]);
    const a = states(state("T1", { phase: "Succeeded", generation: "old", checkedByOrch: undefined }), state("T2"));
    expect(kinds(plan(m, a, ctx()).actions)).toContain("set:T2:Blocked");
  });
  it("a retry waits for nextAttemptAt and asks for a pass then", () => {
    const m = mission([task("T1")]);
    const p = plan(m, states(state("T1", { attempts: 1, nextAttemptAt: new Date(NOW + 5000).toISOString() })), ctx());
    expect(p.actions).toEqual([]);
    expect(p.requeueAfterMs).toBe(5000);
    expect(kinds(plan(m, states(state("T1", { attempts: 1, nextAttemptAt: new Date(NOW - 1).toISOString() })), ctx()).actions)).toEqual(["start:T1"]);
  });
  it("a group item without a task file is checked when its children are done", () => {
    const m = mission([task("G", { children: ["A"] }), task("A", { parent: "G", checked: true })]);
    expect(kinds(plan(m, states(state("A", { phase: "Succeeded" })), ctx()).actions)).toEqual(["check:G"]);
    const m2 = mission([task("G", { children: ["A"] }), task("A", { parent: "G" })]);
    expect(kinds(plan(m2, new Map(), ctx()).actions)).toEqual(["start:A"]);
    expect(kinds(plan(m2, states(state("G")), ctx()).actions)).toEqual(["set:G:Blocked", "start:A"]);
  });
});

describe("plan: done and blocked-by follow graph/ (a parent is done only when its subtasks are; orch status shows the same)", () => {
  // T1 has a task file and an open subtask T2; T3 waits for T1. Rows: the rule, the tasks, records, actions.
  const parent = (over: Partial<TaskSpec> = {}) => task("T1", { file: "tasks/T1.md", children: ["T2"], ...over });
  const sub = (over: Partial<TaskSpec> = {}) => task("T2", { parent: "T1", ...over });
  const orchChecked = { phase: "Succeeded" as const, checkedByOrch: { at: new Date(NOW).toISOString(), generation: "g-T2", lineBefore: "", lineAfter: "" } };
  const rows: { rule: string; tasks: TaskSpec[]; records?: TaskState[]; slots?: number; stale?: boolean; expected: string[] }[] = [
    {
      rule: "a checked parent with an open subtask is not done: its dependent waits, the subtask runs",
      tasks: [parent({ checked: true }), sub(), task("T3", { deps: ["T1"] })],
      expected: ["start:T2"],
    },
    {
      rule: "…and a dependent with a record is recorded Blocked by the parent",
      tasks: [parent({ checked: true }), sub(), task("T3", { deps: ["T1"] })],
      records: [state("T1", { phase: "Succeeded" }), state("T3")],
      expected: ["set:T3:Blocked", "start:T2"],
    },
    {
      rule: "a checked parent whose subtasks are checked is done",
      tasks: [parent({ checked: true }), sub({ checked: true }), task("T3", { deps: ["T1"] })],
      expected: ["start:T3"],
    },
    {
      rule: "a subtask Succeeded at its generation, its box not yet checked by orch, is done, so its parent is",
      tasks: [parent({ checked: true }), sub(), task("T3", { deps: ["T1"] })],
      records: [state("T2", orchChecked)],
      stale: true,
      expected: ["check:T2", "start:T3"],
    },
    {
      rule: "a subtask Succeeded at an older generation is not done",
      tasks: [parent({ checked: true }), sub(), task("T3", { deps: ["T1"] })],
      records: [state("T2", { ...orchChecked, generation: "old" })],
      expected: ["set:T2:Pending", "start:T2"],
    },
    {
      rule: "an open parent with a task file waits for its subtasks: its own work comes after its parts",
      tasks: [parent(), sub(), task("T3", { deps: ["T1"] })],
      expected: ["start:T2"],
    },
    {
      rule: "…and runs once they are done",
      tasks: [parent(), sub({ checked: true }), task("T3", { deps: ["T1"] })],
      expected: ["start:T1"],
    },
    {
      rule: "done is recursive: a grandparent waits for a grandchild",
      tasks: [task("G", { children: ["T1"] }), parent({ checked: true, parent: "G" }), sub(), task("T3", { deps: ["G"] })],
      records: [state("T3")],
      expected: ["set:T3:Blocked", "start:T2"],
    },
    {
      rule: "the critical path runs through subtasks: the subtask that unblocks a parent and its dependent goes first",
      tasks: [task("A"), parent(), sub(), task("T3", { deps: ["T1"] })],
      slots: 1,
      expected: ["start:T2"],
    },
  ];
  it.each(rows)("$rule", ({ tasks, records = [], slots, stale, expected }) => {
    const c = ctx({ ...(slots ? { cfg: { concurrency: { total: slots, perRole: {} } } } : {}), ...(stale ? { classifyUncheck: () => "stale" as const } : {}) });
    const p = plan(mission(tasks), states(...records), c);
    expect(kinds(p.actions)).toEqual(expected);
    for (const a of p.actions) if (a.type === "set" && a.to === "Blocked") expect(a.patch.blockedBy).toEqual([tasks.find((t) => t.id === a.id)!.deps[0]]);
  });
});

describe("plan: scheduler", () => {
  it("respects the total limit and prefers priority, then the longer critical path", () => {
    const m = mission([task("A"), task("B"), task("C", { deps: ["B"] }), task("D", { priority: 5 })]);
    const p = plan(m, states(state("A"), state("B"), state("C"), state("D")), ctx({ cfg: { concurrency: { total: 2, perRole: {} } } }));
    expect(p.actions.filter((a) => a.type === "start").map((a) => a.id)).toEqual(["D", "B"]);
  });
  it("respects per-role limits and counts running sessions", () => {
    const m = mission([task("A", { role: "searcher" }), task("B", { role: "searcher" }), task("C")]);
    const c = ctx({ cfg: { concurrency: { total: 3, perRole: { searcher: 1 } } } });
    expect(plan(m, states(state("A"), state("B"), state("C")), c).actions.filter((a) => a.type === "start").map((a) => a.id)).toEqual(["A", "C"]);
    const busy = ctx({ cfg: { concurrency: { total: 3, perRole: { searcher: 1 } } }, running: new Map([["X", running({ role: "searcher" })]]) });
    expect(plan(m, states(state("A"), state("B"), state("C")), busy).actions.filter((a) => a.type === "start").map((a) => a.id)).toEqual(["C"]);
  });
  it("slots are sessions: an attempt verifying (no slot) leaves its slot free; one waiting for a reviewer slot keeps it", () => {
    const m = mission([task("A"), task("B"), task("C")]);
    const a = states(state("A"), state("B"), state("C"));
    const cfg = { concurrency: { total: 2, perRole: {} } };
    const verifying = new Map([["X", running({ slot: undefined })], ["Y", running()]]);
    expect(plan(m, a, ctx({ cfg, running: verifying })).actions.filter((x) => x.type === "start")).toHaveLength(1);
    const waiting = new Map([["X", running({ slot: { role: "reviewer", waiting: true } })], ["Y", running()]]);
    expect(plan(m, a, ctx({ cfg, running: waiting })).actions.filter((x) => x.type === "start")).toHaveLength(0);
  });
  it("per-role limits count sessions by their role: reviewer sessions of running attempts count against { reviewer: 1 }", () => {
    const m = mission([task("A", { role: "reviewer" }), task("B")]);
    const busy = new Map([["X", running({ role: "worker", slot: { role: "reviewer", waiting: false } })]]);
    const p = plan(m, states(state("A"), state("B")), ctx({ cfg: { concurrency: { total: 4, perRole: { reviewer: 1 } } }, running: busy }));
    expect(p.actions.filter((x) => x.type === "start").map((x) => x.id)).toEqual(["B"]);
  });
  it("stall detection watches sessions only: an attempt verifying or recording (no slot) is never stalled", () => {
    const m = mission([task("T1")]);
    const r = new Map([["T1", running({ generation: "g-T1", lastProgressAt: NOW - 3_600_000, slot: undefined })]]);
    expect(plan(m, states(state("T1", { phase: "Verifying" })), ctx({ running: r })).actions).toEqual([]);
    const inSession = new Map([["T1", running({ generation: "g-T1", lastProgressAt: NOW - 3_600_000 })]]);
    expect(kinds(plan(m, states(state("T1", { phase: "Running" })), ctx({ running: inSession })).actions)).toEqual(["abort:T1:stall"]);
  });
  it("ready tasks without a record age from when they were first seen", () => {
    const m = mission([task("B"), task("A")]);
    const cfg = { concurrency: { total: 1, perRole: {} } };
    expect(plan(m, new Map(), ctx({ cfg })).actions.map((a) => a.id)).toEqual(["B"]); // document order breaks the tie
    const seenSince = new Map([["A", NOW - 3_600_000], ["B", NOW]]);
    expect(plan(m, new Map(), ctx({ cfg, seenSince })).actions.map((a) => a.id)).toEqual(["A"]);
  });
  it("an attempt waiting for a slot is not stalled, however long it waits", () => {
    const m = mission([task("T1")]);
    const r = new Map([["T1", running({ generation: "g-T1", lastProgressAt: NOW - 3_600_000, slot: { role: "reviewer", waiting: true } })]]);
    expect(plan(m, states(state("T1", { phase: "Reviewing" })), ctx({ running: r })).actions).toEqual([]);
  });
  it("an open breaker starts nothing; half-open lets one probe through", () => {
    const m = mission([task("A"), task("B")]);
    const a = states(state("A"), state("B"));
    const open = plan(m, a, ctx({ breaker: { status: "open", failures: 5, openedAt: NOW - 10_000, probing: false } }));
    expect(open.actions).toEqual([]);
    expect(open.requeueAfterMs).toBe(DEFAULT_CONFIG.circuitBreaker.cooldownSec * 1000 - 10_000);
    expect(plan(m, a, ctx({ breaker: { status: "half-open", failures: 5, openedAt: NOW, probing: false } })).actions.filter((x) => x.type === "start")).toHaveLength(1);
    expect(plan(m, a, ctx({ breaker: { status: "half-open", failures: 5, openedAt: NOW, probing: true } })).actions).toEqual([]);
  });
  it("aging lets a long-waiting short task pass a slightly longer chain", () => {
    const m = mission([task("A"), task("B"), task("C", { deps: ["B"] })]);
    const old = new Date(NOW - 10 * 60_000).toISOString();
    const p = plan(m, states(state("A", { updatedAt: old }), state("B"), state("C")), ctx({ cfg: { concurrency: { total: 1, perRole: {} } } }));
    expect(p.actions.filter((a) => a.type === "start").map((a) => a.id)).toEqual(["A"]);
  });
});

describe("plan: running sessions", () => {
  const m = mission([task("T1")]);
  const s = states(state("T1", { phase: "Running", attempts: 1, generation: "g-T1" }));
  const r = (over = {}) => new Map([["T1", running({ generation: "g-T1", ...over })]]);
  it("a healthy running session needs nothing but a pass at its stall deadline", () => {
    const p = plan(m, s, ctx({ running: r() }));
    expect(p.actions).toEqual([]);
    expect(p.requeueAfterMs).toBe(DEFAULT_CONFIG.stallSec * 1000 - 1000);
  });
  it("no progress for stallSec aborts as a stall, but not while awaiting approval", () => {
    const stale = { lastProgressAt: NOW - DEFAULT_CONFIG.stallSec * 1000 };
    expect(kinds(plan(m, s, ctx({ running: r(stale) })).actions)).toEqual(["abort:T1:stall"]);
    expect(plan(m, s, ctx({ running: r({ ...stale, awaitingApproval: true }) })).actions).toEqual([]);
  });
  it("an abort already issued is not issued again", () => {
    expect(plan(m, s, ctx({ running: r({ aborting: "stall", lastProgressAt: 0 }) })).actions).toEqual([]);
  });
  it("an edit while running: finish-then-rerun only records the observed generation; cancel-and-restart aborts", () => {
    const edited = mission([task("T1", { generation: "g2" })]);
    expect(kinds(plan(edited, s, ctx({ running: r() })).actions)).toEqual(["set:T1:Running"]);
    expect(kinds(plan(edited, s, ctx({ running: r(), cfg: { onEdit: "cancel-and-restart" } })).actions)).toEqual(["abort:T1:edit"]);
  });
  it("suspending or checking a running task aborts it", () => {
    expect(kinds(plan(mission([task("T1", { suspend: true })]), s, ctx({ running: r() })).actions)).toEqual(["abort:T1:suspend"]);
    expect(kinds(plan(mission([task("T1", { checked: true })]), s, ctx({ running: r() })).actions)).toEqual(["abort:T1:checked"]);
  });
  it("a box checked while orch records the attempt's success is orch's own check, not a person's: no abort", () => {
    expect(plan(mission([task("T1", { checked: true })]), s, ctx({ running: r({ succeeded: true }) })).actions).toEqual([]);
  });
  it("a running task over its token budget is aborted", () => {
    const over = states(state("T1", { phase: "Running", usage: { input: 900, output: 200, reasoning: 0, cacheRead: 0, cacheWrite: 0 } }));
    expect(kinds(plan(mission([task("T1", { budget: { tokens: 1000 } })]), over, ctx({ running: r() })).actions)).toEqual(["abort:T1:budget"]);
  });
  it("a record in an active phase with no session in this process is adopted (restart)", () => {
    const rec = states(state("T1", { phase: "Verifying", sessions: [{ id: "s1", role: "worker", attempt: 1, startedAt: new Date(NOW).toISOString() }] }));
    expect(plan(m, rec, ctx()).actions).toEqual([{ type: "adopt", id: "T1", sessionId: "s1" }]);
  });
});

describe("plan: checkbox, edits, suspend, budget, delete", () => {
  it("a box checked by a person makes the task Succeeded", () => {
    expect(plan(mission([task("T1", { checked: true })]), new Map(), ctx()).actions).toEqual([]);
    expect(kinds(plan(mission([task("T1", { checked: true })]), states(state("T1", { phase: "Failed" })), ctx()).actions)).toEqual(["set:T1:Succeeded"]);
    expect(plan(mission([task("T1", { checked: true })]), states(state("T1", { phase: "Succeeded" })), ctx()).actions).toEqual([]);
  });
  it("a Succeeded task unchecked: stale editor save re-checks, a person's uncheck redoes", () => {
    const s = states(state("T1", { phase: "Succeeded", attempts: 2, checkedByOrch: { at: "x", generation: "g-T1", lineBefore: "- [ ] T1", lineAfter: "- [x] T1" } }));
    expect(kinds(plan(mission([task("T1")]), s, ctx({ classifyUncheck: () => "stale" })).actions)).toEqual(["check:T1"]);
    const redo = plan(mission([task("T1")]), s, ctx({ classifyUncheck: () => "redo" }));
    expect(kinds(redo.actions)).toEqual(["set:T1:Pending", "start:T1"]);
    expect(redo.actions[0]).toMatchObject({ reason: "Redo", patch: { attempts: 0, checkedByOrch: undefined } });
  });
  it("an uncheck seen while the task's own attempt runs (its success recorded, the box not yet checked) is no redo", () => {
    const s = states(state("T1", { phase: "Succeeded", attempts: 1, checkedByOrch: { at: "x", generation: "g-T1", lineBefore: "- [ ] T1", lineAfter: "- [x] T1" } }));
    const p = plan(mission([task("T1")]), s, ctx({ classifyUncheck: () => "redo", running: new Map([["T1", running({ generation: "g-T1" })]]) }));
    expect(p.actions).toEqual([]);
  });
  it("a task held (its files have errors) is neither redone nor re-checked nor started", () => {
    const s = states(state("T1", { phase: "Succeeded", checkedByOrch: { at: "x", generation: "g-T1", lineBefore: "- [ ] T1", lineAfter: "- [x] T1" } }));
    expect(plan(mission([task("T1", { held: true }), task("T2", { held: true })]), s, ctx({ classifyUncheck: () => "redo" })).actions).toEqual([]);
  });
  it("an edited task starts over at the new generation, even when Failed", () => {
    const s = states(state("T1", { phase: "Failed", attempts: 3, lastError: { code: "x", message: "m", terminal: true, at: "x" } }));
    expect(plan(mission([task("T1")]), s, ctx()).actions).toEqual([]);
    const p = plan(mission([task("T1", { generation: "g2" })]), s, ctx());
    expect(p.actions[0]).toMatchObject({ type: "set", to: "Pending", reason: "SpecChanged", patch: { generation: "g2", attempts: 0, lastError: undefined } });
    expect(p.actions[1]).toMatchObject({ type: "start", attempt: 1, generation: "g2" });
  });
  it("suspension from front matter, orch suspend and the mission", () => {
    expect(kinds(plan(mission([task("T1", { suspend: true })]), new Map(), ctx()).actions)).toEqual(["set:T1:Suspended"]);
    expect(kinds(plan(mission([task("T1")]), new Map(), ctx({ controls: { missionSuspended: false, suspended: new Set(["T1"]), retry: new Map() } })).actions)).toEqual(["set:T1:Suspended"]);
    expect(kinds(plan(mission([task("T1")]), new Map(), ctx({ controls: { missionSuspended: true, suspended: new Set(), retry: new Map() } })).actions)).toEqual(["set:T1:Suspended"]);
    expect(kinds(plan(mission([task("T1")]), states(state("T1", { phase: "Suspended" })), ctx()).actions)).toEqual(["set:T1:Pending", "start:T1"]);
  });
  it("orch retry resets a Failed task once per request", () => {
    const failed = state("T1", { phase: "Failed", attempts: 3, lastError: { code: "x", message: "m", terminal: true, at: "x" } });
    const c = ctx({ controls: { missionSuspended: false, suspended: new Set(), retry: new Map([["T1", "r1"]]) } });
    const p = plan(mission([task("T1")]), states(failed), c);
    expect(p.actions[0]).toMatchObject({ type: "set", to: "Pending", reason: "ManualRetry", patch: { attempts: 0, retryHandled: "r1", lastError: undefined } });
    expect(plan(mission([task("T1")]), states({ ...failed, retryHandled: "r1" }), c).actions).toEqual([]);
  });
  it("orch retry of a done task redoes it: a checked box is unchecked first, then the next pass resets and starts it", () => {
    const c = ctx({ controls: { missionSuspended: false, suspended: new Set(), retry: new Map([["T1", "r1"]]) } });
    const at = { at: "x", generation: "g-T1", lineBefore: "- [ ] T1 a", lineAfter: "- [x] T1 a" };
    const done = state("T1", { phase: "Succeeded", attempts: 1, checkedByOrch: at });
    // Each row: the box, the record, what the pass decides.
    const rows: [string, boolean, typeof done, string[]][] = [
      ["orch checked it", true, done, ["uncheck:T1"]],
      ["a person checked it", true, { ...done, checkedByOrch: undefined }, ["uncheck:T1"]],
      ["unchecked (the uncheck done)", false, done, ["set:T1:Pending", "start:T1"]],
      ["request already handled, box checked", true, { ...done, retryHandled: "r1" }, []],
      ["Succeeded without its box (a stale success)", false, { ...done, checkedByOrch: undefined }, ["set:T1:Pending", "start:T1"]],
    ];
    for (const [what, checked, s, want] of rows) expect(kinds(plan(mission([task("T1", { checked })]), states(s), c).actions), what).toEqual(want);
    const reset = plan(mission([task("T1")]), states(done), c).actions[0];
    expect(reset).toMatchObject({ reason: "ManualRetry", patch: { attempts: 0, retryHandled: "r1", checkedByOrch: undefined } });
    // No request: a checked box stays as it is.
    expect(plan(mission([task("T1", { checked: true })]), states(done), ctx()).actions).toEqual([]);
  });
  it("attempts used up: Failed with a clear reason, a hard stop", () => {
    const p = plan(mission([task("T1", { budget: { attempts: 2 } })]), states(state("T1", { attempts: 2 })), ctx());
    expect(p.actions).toEqual([expect.objectContaining({ to: "Failed", reason: "BudgetExhausted", message: "used 2 of 2 attempts" })]);
  });
  it("a held task (its task file has errors) is not started, redone, reset or finalized; a session running for it still stalls", () => {
    const held = { held: true as const };
    expect(plan(mission([task("T1", held)]), new Map(), ctx()).actions).toEqual([]);
    const done = states(state("T1", { phase: "Succeeded", checkedByOrch: { at: "x", generation: "g-T1", lineBefore: "- [ ] T1", lineAfter: "- [x] T1" } }));
    expect(plan(mission([task("T1", held)]), done, ctx({ classifyUncheck: () => "redo" })).actions).toEqual([]);
    expect(plan(mission([task("T1", { ...held, generation: "g2" })]), states(state("T1", { phase: "Failed" })), ctx()).actions).toEqual([]);
    const r = new Map([["T1", running({ generation: "g-T1", lastProgressAt: NOW - 10 * 60_000 })]]);
    expect(kinds(plan(mission([task("T1", held)]), states(state("T1", { phase: "Running" })), ctx({ running: r })).actions)).toEqual(["abort:T1:stall"]);
    // Its dependents see it as done when its box is checked or its last valid spec succeeded.
    expect(kinds(plan(mission([task("T1", held), task("T2", { deps: ["T1"] })]), done, ctx()).actions)).toEqual(["start:T2"]);
  });
  it("a deleted task is finalized only after the grace period", () => {
    const a = states(state("GONE"));
    const first = plan(mission([]), a, ctx({ missingSince: new Map([["GONE", NOW]]) }));
    expect(first.actions).toEqual([]);
    expect(first.requeueAfterMs).toBe(1000);
    expect(plan(mission([]), a, ctx({ missingSince: new Map([["GONE", NOW - 1000]]) })).actions).toEqual([{ type: "finalize", id: "GONE" }]);
  });
});

describe("plan: the ladder (docs/RECONCILER.md, \"The ladder\")", () => {
  const asked = (over: Partial<TaskState> = {}) => state("T1", { phase: "WaitingForPerson", attempts: 5, lastError: { code: "VerifyFailed", message: "m", terminal: false, at: "x" }, ...over });
  it("a task waiting for a person is neither started nor Failed while its question is unanswered", () => {
    const p = plan(mission([task("T1"), task("T2", { deps: ["T1"] })]), states(asked()), ctx());
    expect(kinds(p.actions)).toEqual([]); // T2 stays blocked by T1 (no record: the files say so)
  });
  it("an answer resets it to Pending (Answered: the answer kept for the prompt, a fresh budget) and starts it in the same pass", () => {
    const p = plan(mission([task("T1")]), states(asked({ split: { into: ["T2"], at: "x" } })), ctx({ answers: new Map([["T1", "use the metric system"]]) }));
    expect(kinds(p.actions)).toEqual(["set:T1:Pending", "start:T1"]);
    expect(p.actions[0]).toMatchObject({ reason: "Answered", message: "a person answered: use the metric system", patch: { attempts: 0, answer: { text: "use the metric system", at: new Date(NOW).toISOString() }, split: undefined, lastError: undefined } });
    expect(p.actions[1]).toMatchObject({ attempt: 1 });
    expect(p.actions[1]).not.toHaveProperty("verifyOnly");
  });
  it("suspending a task that waits for a person leaves it waiting (Suspended, it would come back with its attempts used); its answer is read once resumed", () => {
    const answers = new Map([["T1", "yes"]]);
    const held = plan(mission([task("T1")]), states(asked()), ctx({ answers, controls: { missionSuspended: true, suspended: new Set(), retry: new Map() } }));
    expect(kinds(held.actions)).toEqual([]);
    expect(kinds(plan(mission([task("T1")]), states(asked()), ctx({ answers })).actions)).toEqual(["set:T1:Pending", "start:T1"]);
  });
  it("an answer is read before an edit's reset and carried into it; each move out of WaitingForPerson carries the question file's text read", () => {
    const question = "# T1 waits\n<!-- orch: mark -->\nuse the metric system\n";
    const edited = plan(mission([task("T1", { generation: "g2" })]), states(asked()), ctx({ answers: new Map([["T1", "use the metric system"]]), questions: new Map([["T1", question]]) }));
    expect(kinds(edited.actions)).toEqual(["set:T1:Pending", "start:T1"]);
    expect(edited.actions[0]).toMatchObject({ reason: "SpecChanged", message: "task edited: starts over at the new generation, with a person's answer", question, patch: { generation: "g2", attempts: 0, answer: { text: "use the metric system" } } });
    const retried = plan(mission([task("T1")]), states(asked()), ctx({ answers: new Map([["T1", "yes"]]), questions: new Map([["T1", question]]), controls: { missionSuspended: false, suspended: new Set(), retry: new Map([["T1", "r1"]]) } }));
    expect(retried.actions[0]).toMatchObject({ reason: "ManualRetry", question, patch: { answer: { text: "yes" } } });
    const unanswered = plan(mission([task("T1", { generation: "g2" })]), states(asked()), ctx({ questions: new Map([["T1", question]]) }));
    expect(unanswered.actions[0]).toMatchObject({ reason: "SpecChanged", question, patch: { answer: undefined } });
  });
  it("an answer for a task that is not waiting changes nothing", () => {
    const p = plan(mission([task("T1")]), states(state("T1", { phase: "Failed", attempts: 3 })), ctx({ answers: new Map([["T1", "x"]]) }));
    expect(kinds(p.actions)).toEqual([]);
  });
  it("a task Running with a split mark and its subtasks' lines in TODO.md (a kill -9 mid-split) is split: Pending (Split), not adopted beside them; once they are done it is adopted as its verify once more", () => {
    const split = { into: ["T2"], at: "x" };
    const tasks = (done: boolean) => mission([task("T1", { children: ["T2"], file: "tasks/T1.md" }), task("T2", { parent: "T1", checked: done })]);
    const interrupted = plan(tasks(false), states(state("T1", { phase: "Running", attempts: 4, split })), ctx());
    expect(kinds(interrupted.actions)).toEqual(["set:T1:Pending", "start:T2"]);
    expect(interrupted.actions[0]).toMatchObject({ reason: "Split" });
    expect(kinds(plan(tasks(true), states(state("T1", { phase: "Running", attempts: 5, split })), ctx()).actions)).toEqual(["adopt:T1"]);
  });
  it("a split task waits for its subtasks, then runs its own verify once more (verifyOnly, the next attempt)", () => {
    const split = { into: ["T2", "T3"], at: "x" };
    const tasks = (done: boolean) => mission([task("T1", { children: ["T2", "T3"], file: "tasks/T1.md" }), task("T2", { parent: "T1", checked: done }), task("T3", { parent: "T1", checked: done })]);
    const waiting = plan(tasks(false), states(state("T1", { phase: "Pending", attempts: 4, split })), ctx());
    expect(kinds(waiting.actions)).toEqual(["set:T1:Blocked", "start:T2", "start:T3"]);
    const ready = plan(tasks(true), states(state("T1", { phase: "Blocked", attempts: 4, split, blockedBy: ["T2", "T3"] })), ctx());
    expect(kinds(ready.actions)).toEqual(["set:T1:Pending", "start:T1"]);
    expect(ready.actions[1]).toMatchObject({ attempt: 5, verifyOnly: true });
  });
  it("a split task without a task file is not checked as a group: it runs its verify too", () => {
    const m = mission([task("T1", { children: ["T2"] }), task("T2", { parent: "T1", checked: true })]);
    expect(kinds(plan(m, states(state("T1", { attempts: 4, split: { into: ["T2"], at: "x" } })), ctx()).actions)).toEqual(["start:T1"]);
    expect(kinds(plan(m, new Map(), ctx()).actions)).toEqual(["check:T1"]);
  });
});
