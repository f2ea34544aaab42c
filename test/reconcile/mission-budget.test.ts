// Table tests of the mission budget (src/reconcile/mission-budget.ts) and the plan rules that enforce
// it (docs/RECONCILER.md, "Mission budget").
import { describe, expect, it } from "vitest";
import { carriedSpend, missionBudgetUsed, missionBudgetExceeded, missionMinutesLeftMs, missionSpend, type MissionBudget } from "../../src/reconcile/mission-budget.js";
import { plan } from "../../src/reconcile/plan.js";
import { NOW, ctx, mission, running, state, states, task } from "./fixtures.js";

const usage = (input: number, output = 0, reasoning = 0) => ({ input, output, reasoning, cacheRead: 0, cacheWrite: 0 });

describe("missionSpend", () => {
  it("sums tokens (input+output+reasoning, cache not counted) and cost over all records; minutes since the start", () => {
    const spend = missionSpend([state("T1", { usage: { ...usage(100, 20, 5), cacheRead: 999 }, costUsd: 0.5 }), state("T2", { usage: usage(10), costUsd: 0.25 })], NOW - 90_000, NOW);
    expect(spend).toEqual({ tokens: 135, usd: 0.75, ms: 90_000 });
  });
  it("spend carried from finalized records is added", () => {
    expect(missionSpend([state("T1", { usage: usage(10), costUsd: 0.5 })], NOW, NOW, { tokens: 200, usd: 1 })).toEqual({ tokens: 210, usd: 1.5, ms: 0 });
  });
  it("no records: nothing spent; a start in the future counts as zero time", () => {
    expect(missionSpend([], NOW + 5, NOW)).toEqual({ tokens: 0, usd: 0, ms: 0 });
  });
});

describe("carriedSpend", () => {
  it("sums the totals of the deleted lines only; a figure that is not a finite number counts nothing", () => {
    const events = [
      { kind: "session-end", detail: { spentTokens: 999 } },
      { kind: "deleted", detail: { spentTokens: 100, spentUsd: 0.5 } },
      { kind: "deleted", detail: { spentTokens: "7", spentUsd: Number.NaN } },
      { kind: "deleted" },
      { kind: "deleted", detail: { spentTokens: 20, spentUsd: 0.25 } },
    ];
    expect(carriedSpend(events)).toEqual({ tokens: 120, usd: 0.75 });
  });
  it("counts orch plan's planner sessions (the mission's plan and plan-failed lines), not a split's (its task's record has them)", () => {
    const events = [
      { task: "mission", kind: "plan", tokens: 300, costUsd: 0.1 },
      { task: "mission", kind: "plan-failed", tokens: 50, costUsd: 0.02 },
      { task: "T1", kind: "plan", tokens: 999, costUsd: 9 },
      { task: "mission", kind: "deleted", detail: { spentTokens: 10, spentUsd: 0 } },
    ];
    expect(carriedSpend(events)).toEqual({ tokens: 360, usd: expect.closeTo(0.12, 9) });
    expect(missionBudgetUsed({ tokens: 360, minutes: 1 }, [], events)).toBe("used 360 of 360 mission tokens");
    expect(missionBudgetUsed({ tokens: 361, minutes: 0 }, [], events)).toBeUndefined(); // minutes are a run's, not a plan's
  });
});

describe("missionBudgetExceeded", () => {
  const spend = { tokens: 1000, usd: 2, ms: 10 * 60_000 };
  const table: [MissionBudget, string | undefined][] = [
    [{}, undefined],
    [{ tokens: 1001 }, undefined],
    [{ tokens: 1000 }, "used 1000 of 1000 mission tokens"],
    [{ usd: 2.5 }, undefined],
    [{ usd: 2 }, "spent $2.00 of the mission's $2"],
    [{ minutes: 11 }, undefined],
    [{ minutes: 10 }, "ran 10.0 of the mission's 10 minutes"],
    [{ tokens: 5000, usd: 1, minutes: 1 }, "spent $2.00 of the mission's $1"],
  ];
  it.each(table)("%j → %s", (b, want) => expect(missionBudgetExceeded(b, spend)).toBe(want));
  it("minutes left: none without a limit, never negative", () => {
    expect(missionMinutesLeftMs({}, spend)).toBeUndefined();
    expect(missionMinutesLeftMs({ minutes: 12 }, spend)).toBe(2 * 60_000);
    expect(missionMinutesLeftMs({ minutes: 1 }, spend)).toBe(0);
  });
});

describe("plan: mission budget", () => {
  const cfg = { missionBudget: { tokens: 1000 } };
  const kinds = (p: ReturnType<typeof plan>) => p.actions.map((a) => `${a.type}:${a.id}${a.type === "abort" ? `:${a.reason}` : ""}`);
  it("within the budget: ready tasks start", () => {
    const p = plan(mission([task("T1"), task("T2")]), states(state("T1", { usage: usage(999) })), ctx({ cfg }));
    expect(kinds(p)).toEqual(["start:T1", "start:T2"]);
    expect(p.missionBudget).toBeUndefined();
  });
  it("used up (tokens summed over tasks): nothing starts, a running session is aborted with reason mission-budget", () => {
    const m = mission([task("T1"), task("T2"), task("T3")]);
    const a = states(state("T1", { phase: "Running", usage: usage(600) }), state("T2", { phase: "Failed", usage: usage(400) }));
    const p = plan(m, a, ctx({ cfg, running: new Map([["T1", running({ generation: "g-T1" })]]) }));
    expect(kinds(p)).toEqual(["abort:T1:mission-budget"]);
    expect(p.missionBudget).toBe("used 1000 of 1000 mission tokens");
  });
  it("minutes count from the run's start: a pass is due when they run out, then everything stops", () => {
    const m = mission([task("T1"), task("T2")]);
    const r = new Map([["T1", running({ generation: "g-T1" })]]);
    const a = states(state("T1", { phase: "Running" }));
    const within = plan(m, a, ctx({ cfg: { missionBudget: { minutes: 2 }, concurrency: { total: 1, perRole: {} } }, running: r, missionStartedAt: NOW - 60_000 }));
    expect(within.requeueAfterMs).toBe(60_000);
    const over = plan(m, a, ctx({ cfg: { missionBudget: { minutes: 2 } }, running: r, missionStartedAt: NOW - 120_000 }));
    expect(kinds(over)).toEqual(["abort:T1:mission-budget"]);
  });
});
