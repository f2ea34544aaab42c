// The board's model (src/ui/board.ts, pure): totals, the reason shown, spend by role and model, how
// attempts ended, branch and commit. Built from fixtures; the browser tests show it drawn.
import { describe, expect, it } from "vitest";
import { DEFAULT_CONFIG } from "../../src/spec/config.js";
import type { HistoryEvent } from "../../src/store/types.js";
import { buildBoard, type BoardInput } from "../../src/ui/board.js";
import { NOW, mission, state, states, task } from "../reconcile/fixtures.js";

const at = new Date(NOW).toISOString();
const input = (over: Partial<BoardInput> = {}): BoardInput => ({
  mission: mission([task("T1", { checked: true }), task("T2", { deps: ["T1"] }), task("T3", { deps: ["T2"] }), task("T4"), task("T5"), task("T6", { deps: ["T5"] }), task("T7")]),
  config: { ...DEFAULT_CONFIG, models: { default: "p/cheap", byType: {}, byRole: { reviewer: "p/strict" } }, missionBudget: { tokens: 1000, usd: 1 } },
  states: states(
    state("T2", { phase: "Running", startedAt: at }),
    state("T4", { phase: "Failed", lastError: { code: "VerifyFailed", message: "npm test failed", terminal: true, at } }),
    state("T5", { phase: "AwaitingApproval", conditions: [{ type: "Ready", status: "False", reason: "AwaitingApproval", message: "bash: rm -rf", at, observedGeneration: "g-T5" }] }),
    state("T7", { phase: "WaitingForPerson" }),
  ),
  history: [],
  inbox: new Map(),
  merged: new Map(),
  workspaces: new Set(),
  live: true,
  now: NOW,
  problems: [],
  ...over,
});

describe("ui: the board", () => {
  it("totals: done, running, failed, waiting for a person (approval, WaitingForPerson), blocked, pending", () => {
    const b = buildBoard(input());
    expect(b.totals).toMatchObject({ total: 7, done: 1, running: 1, failed: 1, waiting: 2, blocked: 2, pending: 0 });
    expect(b.tasks.map((t) => [t.id, t.state])).toEqual([["T1", "done"], ["T2", "Running"], ["T3", "Blocked"], ["T4", "Failed"], ["T5", "AwaitingApproval"], ["T6", "Blocked"], ["T7", "WaitingForPerson"]]);
  });

  it("the reason: the last error of a failed task, else its newest condition", () => {
    const b = buildBoard(input());
    expect(b.tasks.find((t) => t.id === "T4")!.reason).toBe("VerifyFailed: npm test failed");
    expect(b.tasks.find((t) => t.id === "T5")!.reason).toBe("AwaitingApproval: bash: rm -rf");
  });

  it("a question in the inbox counts as waiting and rides on its task", () => {
    const b = buildBoard(input({ inbox: new Map([["T6", "# T6 waits for a person"]]) }));
    expect(b.tasks.find((t) => t.id === "T6")!.inbox).toBe("# T6 waits for a person");
    expect(b.totals).toMatchObject({ waiting: 3, blocked: 1 });
  });

  it("spend from the history's ledger, by role and by the model the config routes that role to; the budget left", () => {
    const history: HistoryEvent[] = [
      { at, task: "T2", kind: "session-end", role: "worker", tokens: 300, costUsd: 0.3 },
      { at, task: "T2", kind: "review", tokens: 100, costUsd: 0.1 },
      { at, task: "T9", kind: "session-end", role: "worker", tokens: 50, costUsd: 0.05 },
    ];
    const b = buildBoard(input({ history }));
    expect(b.byModel).toEqual([
      { role: "reviewer", model: "p/strict", tokens: 100, costUsd: 0.1 },
      { role: "worker", model: "p/cheap", tokens: 350, costUsd: 0.35 },
    ]);
    expect(b.tasks.find((t) => t.id === "T2")!.spend.roles).toEqual({ worker: { tokens: 300, costUsd: 0.3 }, reviewer: { tokens: 100, costUsd: 0.1 } });
    expect(b.totals.budgetLeft).toEqual({ tokens: 550, usd: 0.55 });
  });

  it("attempt outcomes: the phase lines that leave an attempt, counted by where they went", () => {
    const phase = (from: string, to: string): HistoryEvent => ({ at, task: "T2", kind: "phase", from, to });
    const b = buildBoard(input({ history: [phase("Pending", "Running"), phase("Running", "Verifying"), phase("Verifying", "Running"), phase("Running", "Pending"), phase("Reviewing", "Succeeded"), phase("Verifying", "Failed"), phase("AwaitingApproval", "Running")] }));
    expect(b.attemptOutcomes).toEqual({ Pending: 1, Succeeded: 1, Failed: 1 });
  });

  it("branch: orch/<id> while its workspace exists, the branch it was merged from after; the commit from the merge event", () => {
    const history: HistoryEvent[] = [{ at, task: "T1", kind: "merge", detail: { into: "main", branch: "orch/T1", base: "abc" } }];
    const b = buildBoard(input({ history, workspaces: new Set(["T2"]), merged: new Map([["T1", "f00d"]]) }));
    expect(b.tasks.slice(0, 3).map((t) => [t.branch, t.commit])).toEqual([["orch/T1", "f00d"], ["orch/T2", undefined], [undefined, undefined]]);
  });

  it("the critical path: the longest chain of unfinished work (T2 → T3)", () => {
    expect(buildBoard(input()).tasks.filter((t) => t.critical).map((t) => t.id)).toEqual(["T2", "T3"]);
  });
});
