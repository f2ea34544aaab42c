// The example mission is the demo's input and the runtime's end-to-end fixture: keep it valid and passable.
import { describe, expect, it } from "vitest";
import { cpSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { loadConfig, loadMission } from "../../src/spec/load.js";
import { taskGraph } from "../../src/graph/task-graph.js";
import { PlanSchema } from "../../src/spec/plan-schema.js";

const example = fileURLToPath(new URL("../../examples/hello-mission", import.meta.url));
const solution = fileURLToPath(new URL("../../examples/solutions/hello-mission", import.meta.url));

describe("examples/hello-mission", () => {
  it("is a valid mission of 5-8 tasks with a diamond and verify commands", async () => {
    const { config, problems } = await loadConfig(example);
    expect(problems).toEqual([]);
    const m = await loadMission(example, config);
    expect(m.problems).toEqual([]);
    expect(m.tasks.length).toBeGreaterThanOrEqual(5);
    expect(m.tasks.length).toBeLessThanOrEqual(8);
    const deps = Object.fromEntries(m.tasks.map((t) => [t.id, t.deps]));
    expect(deps).toMatchObject({ T2: ["T1"], T3: ["T1"], T4: ["T2", "T3"] });
    for (const t of m.tasks) expect(t.verify.length, t.id).toBeGreaterThan(0);
    const g = taskGraph(m.tasks, (t) => t.checked);
    expect(m.tasks.filter((t) => g.blockedBy(t).length === 0).map((t) => t.id)).toEqual(["T1"]);
  });
  it("its acceptance tests fail before the work and pass with the reference solution", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "orch-example-"));
    try {
      cpSync(example, dir, { recursive: true });
      const before = spawnSync(process.execPath, ["--test"], { cwd: dir, encoding: "utf8" });
      expect(before.status).not.toBe(0);
      cpSync(solution, dir, { recursive: true });
      const after = spawnSync(process.execPath, ["--test"], { cwd: dir, encoding: "utf8" });
      expect(after.stdout).toMatch(/# fail 0/);
      expect(after.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

const ladder = fileURLToPath(new URL("../../examples/ladder-mission", import.meta.url));
const ladderSolution = fileURLToPath(new URL("../../examples/solutions/ladder-mission", import.meta.url));

describe("examples/ladder-mission (the ladder's demo)", () => {
  it("is a valid mission whose tasks climb the ladder at once (T1 splits, T2 asks), and the demo planner's split of T1 is a valid plan", async () => {
    const { config, problems } = await loadConfig(ladder);
    expect(problems).toEqual([]);
    const m = await loadMission(ladder, config);
    expect(m.problems).toEqual([]);
    expect(m.tasks.map((t) => [t.id, t.ladder])).toEqual([["T1", { split: 1 }], ["T2", { ask: 1 }]]);
    const plan = PlanSchema.safeParse(JSON.parse(readFileSync(path.join(ladderSolution, "plans", "T1.json"), "utf8")));
    expect(plan.success, JSON.stringify(plan.error?.issues)).toBe(true);
  });
  it("its acceptance tests fail before the work and pass with the subtasks' and the answered solutions", () => {
    const dir = mkdtempSync(path.join(tmpdir(), "orch-example-"));
    try {
      cpSync(ladder, dir, { recursive: true });
      expect(spawnSync(process.execPath, ["--test"], { cwd: dir, encoding: "utf8" }).status).not.toBe(0);
      cpSync(path.join(ladderSolution, "src"), path.join(dir, "src"), { recursive: true });
      cpSync(path.join(ladderSolution, "answered", "src"), path.join(dir, "src"), { recursive: true });
      const after = spawnSync(process.execPath, ["--test"], { cwd: dir, encoding: "utf8" });
      expect(after.stdout).toMatch(/# fail 0/);
      expect(after.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
