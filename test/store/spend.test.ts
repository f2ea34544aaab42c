// The ledger status, log, show and the live view total through: every role, per task and mission.
import { describe, expect, it } from "vitest";
import { formatRoles, spendOf } from "../../src/store/spend.js";

describe("spend", () => {
  it("sums the figures of history lines by role and task; a review line without a role is the reviewer's", () => {
    const m = spendOf([
      { task: "T1", kind: "session-end", role: "worker", tokens: 1000, costUsd: 0.01 },
      { task: "T1", kind: "review", tokens: 300, costUsd: 0.003 },
      { task: "T1", kind: "phase" },
      { task: "T2", kind: "session-end", role: "fixer", tokens: 200, costUsd: 0.002 },
    ]);
    expect(m.tokens).toBe(1500);
    expect(m.costUsd).toBeCloseTo(0.015);
    expect(m.tasks.T1).toMatchObject({ tokens: 1300, roles: { worker: { tokens: 1000, costUsd: 0.01 }, reviewer: { tokens: 300, costUsd: 0.003 } } });
    expect(m.tasks.T1!.costUsd).toBeCloseTo(0.013);
    expect(formatRoles(m)).toBe("worker 1,000 tok $0.0100, fixer 200 tok $0.0020, reviewer 300 tok $0.0030");
  });
});
