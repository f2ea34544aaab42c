// writePlan on a task list a person edits meanwhile: their save is kept and the lines placed on it, or,
// when the plan no longer fits, nothing stays written.
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { writePlan, type CheckedPlan } from "../../src/plan/index.js";
import { checkPlan } from "../../src/plan/check.js";
import { buildMission } from "../../src/spec/mission.js";
import { DEFAULT_CONFIG } from "../../src/spec/config.js";
import { openStore, type Store } from "../../src/store/open.js";
import type { LinePlacement } from "../../src/spec/todo-insert.js";

const TODO = "# Shop\n\n## Core\n\n- [ ] T1 Cart model\n";
let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "orch-plan-write-"));
  writeFileSync(path.join(dir, "TODO.md"), TODO);
  store = openStore(dir);
});
afterEach(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

function plan(placement: LinePlacement = { under: "Core" }): CheckedPlan {
  const mission = buildMission(dir, "TODO.md", TODO, [], DEFAULT_CONFIG);
  const tasks = ["N1", "N2"].map((id) => ({ id, title: `Part ${id}`, ...(id === "N2" ? { deps: ["N1"] } : {}), files: [`src/${id}.js`], verify: ["true"], body: "Do it.", acceptance: ["done"] }));
  const r = checkPlan({ tasks }, { mission, todoText: TODO, placement, idPrefix: "T", taken: [], maxTasks: 50, tasksDir: "tasks" });
  if (!("plan" in r)) throw new Error(r.errors.join("\n"));
  return r.plan;
}
const target = (placement: LinePlacement = { under: "Core" }) => ({ todoFile: "TODO.md", tasksDir: "tasks", placement, idPrefix: "T" });
const todo = () => readFileSync(path.join(dir, "TODO.md"), "utf8");
const taskFiles = () => readdirSync(path.join(dir, "tasks")).sort();

describe("writePlan", () => {
  it("places the lines on the newest TODO.md, keeping what a person saved since the check", async () => {
    const p = plan();
    writeFileSync(path.join(dir, "TODO.md"), `${TODO}\n## Later\n\n- [ ] Something new\n`);
    await writePlan(store, p, target());
    expect(todo()).toBe("# Shop\n\n## Core\n\n- [ ] T1 Cart model\n- [ ] T2 Part N1\n- [ ] T3 Part N2 (after T2)\n\n## Later\n\n- [ ] Something new\n");
    expect(taskFiles()).toEqual(["T2.md", "T3.md"]);
  });

  it("ids taken since the check (a person's line, another plan, a state record): the plan gets the next free ids as it is written, its deps renamed", async () => {
    const p = plan();
    const theirs = `${TODO}- [ ] T3 Added by hand\n`;
    writeFileSync(path.join(dir, "TODO.md"), theirs);
    await store.records.write("state/T4", { phase: "Pending" }, undefined);
    const w = await writePlan(store, p, target());
    expect(w.ids).toEqual(["T5", "T6"]);
    expect(w.plan.tasks.map((t) => [t.id, t.deps])).toEqual([["T5", []], ["T6", ["T5"]]]);
    expect(todo()).toBe(`${theirs}- [ ] T5 Part N1\n- [ ] T6 Part N2 (after T5)\n`);
    expect(taskFiles()).toEqual(["T5.md", "T6.md"]);
  });

  it("the heading gone since the check: nothing stays written", async () => {
    const p = plan();
    writeFileSync(path.join(dir, "TODO.md"), "# Shop\n\n- [ ] T1 Cart model\n");
    await expect(writePlan(store, p, target())).rejects.toMatchObject({ code: "plan-conflict", message: expect.stringContaining('no heading "Core" in the task list') });
    expect(taskFiles()).toEqual([]);
  });

  it("a task file someone wrote since the check is left alone; the plan takes ids past it", async () => {
    const p = plan();
    mkdirSync(path.join(dir, "tasks"));
    writeFileSync(path.join(dir, "tasks", "T3.md"), "mine\n");
    expect((await writePlan(store, p, target())).ids).toEqual(["T4", "T5"]);
    expect(taskFiles()).toEqual(["T3.md", "T4.md", "T5.md"]);
    expect(readFileSync(path.join(dir, "tasks", "T3.md"), "utf8")).toBe("mine\n");
  });
});
