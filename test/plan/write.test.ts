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
  const tasks = ["N1", "N2"].map((id) => ({ id, title: `Part ${id}`, files: [`src/${id}.js`], verify: ["true"], body: "Do it.", acceptance: ["done"] }));
  const r = checkPlan({ tasks }, { mission, todoText: TODO, placement, idPrefix: "T", taken: [], maxTasks: 50, tasksDir: "tasks" });
  if (!("plan" in r)) throw new Error(r.errors.join("\n"));
  return r.plan;
}
const target = (placement: LinePlacement = { under: "Core" }) => ({ todoFile: "TODO.md", tasksDir: "tasks", placement });
const todo = () => readFileSync(path.join(dir, "TODO.md"), "utf8");
const taskFiles = () => readdirSync(path.join(dir, "tasks")).sort();

describe("writePlan", () => {
  it("places the lines on the newest TODO.md, keeping what a person saved since the check", async () => {
    const p = plan();
    writeFileSync(path.join(dir, "TODO.md"), `${TODO}\n## Later\n\n- [ ] Something new\n`);
    await writePlan(store, p, target());
    expect(todo()).toBe("# Shop\n\n## Core\n\n- [ ] T1 Cart model\n- [ ] T2 Part N1\n- [ ] T3 Part N2\n\n## Later\n\n- [ ] Something new\n");
    expect(taskFiles()).toEqual(["T2.md", "T3.md"]);
  });

  it("an id taken since the check: nothing stays written", async () => {
    const p = plan();
    const theirs = `${TODO}- [ ] T3 Added by hand\n`;
    writeFileSync(path.join(dir, "TODO.md"), theirs);
    await expect(writePlan(store, p, target())).rejects.toMatchObject({ code: "plan-conflict", message: "the plan was not written: TODO.md has a task T3 now (line 6), an id the plan was to use" });
    expect(todo()).toBe(theirs);
    expect(taskFiles()).toEqual([]);
  });

  it("the heading gone since the check: nothing stays written", async () => {
    const p = plan();
    writeFileSync(path.join(dir, "TODO.md"), "# Shop\n\n- [ ] T1 Cart model\n");
    await expect(writePlan(store, p, target())).rejects.toMatchObject({ code: "plan-conflict", message: expect.stringContaining('no heading "Core" in the task list') });
    expect(taskFiles()).toEqual([]);
  });

  it("a task file someone wrote since the check is left alone, and nothing of the plan stays", async () => {
    const p = plan();
    mkdirSync(path.join(dir, "tasks"));
    writeFileSync(path.join(dir, "tasks", "T3.md"), "mine\n");
    await expect(writePlan(store, p, target())).rejects.toMatchObject({ code: "plan-conflict", message: "the plan was not written: tasks/T3.md exists already (written since the plan was checked)" });
    expect(taskFiles()).toEqual(["T3.md"]);
    expect(readFileSync(path.join(dir, "tasks", "T3.md"), "utf8")).toBe("mine\n");
    expect(todo()).toBe(TODO);
  });
});
