// requestPlan and writePlan against a real `opencode serve` driven by the scripted model: a plan
// written (exact TODO.md lines and task files), a cycle sent back and corrected in the same session,
// answers that never validate (nothing written), and a planner that may only read.
import { mkdirSync, readFileSync, readdirSync, writeFileSync, existsSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reply, steps } from "../support/script.js";
import { RUNTIMES, TOOL_NAMES, startHarness, type Harness } from "../support/opencode-harness.js";
import { repoPlanContext, requestPlan, writePlan } from "../../src/plan/index.js";
import { loadMission } from "../../src/spec/load.js";
import { DEFAULT_CONFIG } from "../../src/spec/config.js";
import { openStore } from "../../src/store/open.js";
import type { LinePlacement } from "../../src/spec/todo-insert.js";

const TODO = "# Shop\n\n## Core\n\n- [x] T1 Cart model\n\n## Docs\n\n- [ ] T2 README\n";

/** A repo with a task list; the check context and store for it. */
async function repoFor(h: Harness, placement: LinePlacement = { under: "## Core" }) {
  const dir = h.repo();
  writeFileSync(path.join(dir, "TODO.md"), TODO);
  const store = openStore(dir);
  const mission = await loadMission(dir, DEFAULT_CONFIG);
  const check = await repoPlanContext(store, DEFAULT_CONFIG, mission, TODO, placement);
  return { dir, store, check };
}

const task = (id: string, deps: string[] = []) => ({ id, title: `Coupon part ${id}`, type: "logic", deps, files: [`src/${id}.js`], verify: [`node --test test/${id}.test.js`], body: `Write src/${id}.js.`, acceptance: [`${id} is exported`] });
const answer = (...tasks: unknown[]) => reply.text(`Here is the plan:\n\`\`\`json\n${JSON.stringify({ summary: "coupons in two steps", tasks })}\n\`\`\``);

describe.each(RUNTIMES)("requestPlan against a real %s server", (runtime) => {
  let h: Harness;
  beforeAll(async () => {
    h = await startHarness(steps([]), { runtime });
  });
  afterAll(async () => h?.close());
  const repo = (placement?: LinePlacement) => repoFor(h, placement);

  it("a valid plan is written: TODO.md lines under the heading and task files, byte for byte; the planner had read-only tools", { timeout: 60_000 }, async () => {
    h.model.setScript(steps([{ when: { role: "planner" }, reply: answer(task("N1"), task("N2", ["N1", "T1"])) }]));
    const { dir, store, check } = await repo();
    const out = await requestPlan(h.runtime, { goal: "Add discount coupons to the shop", directory: dir, model: h.config.models.default, check, maxRetries: 2, context: "### Files (1)\n\nREADME.md" });
    if (!out.ok) throw new Error(`${out.error.message}: ${out.errors.join("; ")}`);
    expect(out.invalid).toBe(0);
    expect(out.usage.input).toBeGreaterThan(0);
    const written = await writePlan(store, out.plan, { todoFile: "TODO.md", tasksDir: "tasks", placement: check.placement, idPrefix: "T" });
    expect(written).toMatchObject({ ids: ["T3", "T4"], todoFile: "TODO.md", files: ["tasks/T3.md", "tasks/T4.md"] });
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe("# Shop\n\n## Core\n\n- [x] T1 Cart model\n- [ ] T3 Coupon part N1\n- [ ] T4 Coupon part N2 (after T3, T1)\n\n## Docs\n\n- [ ] T2 README\n");
    expect(readFileSync(path.join(dir, "tasks", "T4.md"), "utf8")).toBe("---\ntype: logic\nfiles:\n  - src/N2.js\nverify:\n  - node --test test/N2.test.js\n---\nWrite src/N2.js.\n\n## Acceptance criteria\n\n- N2 is exported\n");
    expect(readdirSync(path.join(dir, "tasks")).sort()).toEqual(["T3.md", "T4.md"]);
    const mission = await loadMission(dir, DEFAULT_CONFIG);
    expect(mission.problems.filter((p) => p.severity === "error")).toEqual([]);
    const reqs = h.model.requests.filter((r) => r.directory === dir && r.tools.length > 0);
    expect(reqs).toHaveLength(1);
    expect(reqs[0]!.system).toContain("orch-role: planner");
    expect(reqs[0]!.lastUser).toContain("Add discount coupons to the shop");
    expect(reqs[0]!.lastUser).toContain("- [x] T1 Cart model");
    expect(reqs[0]!.lastUser).toContain("### Files (1)");
    expect(reqs[0]!.tools).toEqual(expect.arrayContaining(["read", "grep", "glob"]));
    for (const tool of ["write", "edit", TOOL_NAMES[runtime].bash, TOOL_NAMES[runtime].task]) expect(reqs[0]!.tools).not.toContain(tool);
    await store.close();
  });

  it("a plan with a cycle is sent back with the cycle named, in the same session, and the corrected plan accepted", { timeout: 60_000 }, async () => {
    h.model.setScript(
      steps([
        { when: { role: "planner", user: "Add coupons" }, reply: answer(task("N1", ["N2"]), task("N2", ["N1"])) },
        { when: { user: "was not accepted" }, reply: answer(task("N1"), task("N2", ["N1"])) },
      ]),
    );
    const { dir, check } = await repo();
    const out = await requestPlan(h.runtime, { goal: "Add coupons", directory: dir, model: h.config.models.default, check, maxRetries: 2 });
    if (!out.ok) throw new Error(`${out.error.message}: ${out.errors.join("; ")}`);
    expect(out.invalid).toBe(1);
    expect(out.plan.tasks.map((t) => [t.id, t.deps])).toEqual([["T3", []], ["T4", ["T3"]]]);
    const reqs = h.model.requests.filter((r) => r.directory === dir && r.tools.length > 0);
    expect(reqs).toHaveLength(2);
    expect(reqs[1]!.lastUser).toContain("- dependency cycle: N1 → N2 → N1; remove one of these deps");
    expect(reqs[1]!.messages.some((m) => m.role === "assistant")).toBe(true); // the same conversation
  });

  it("answers that never validate end with invalid-plan after maxRetries re-prompts; the last errors are kept", { timeout: 60_000 }, async () => {
    h.model.setScript(steps([{ when: { role: "planner" }, reply: answer({ ...task("N1"), verify: [] }) }]));
    const { dir, check } = await repo();
    const out = await requestPlan(h.runtime, { goal: "Add coupons", directory: dir, model: h.config.models.default, check, maxRetries: 2 });
    expect(out.ok).toBe(false);
    if (out.ok) return;
    expect(out.error.code).toBe("invalid-plan");
    expect(out.error.message).toBe("the planner gave no valid plan in 3 answers");
    expect(out.errors).toEqual(["tasks.0.verify: give at least one verify command"]);
    expect(out.invalid).toBe(2);
    expect(h.model.requests.filter((r) => r.directory === dir && r.tools.length > 0)).toHaveLength(3);
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe(TODO);
    expect(existsSync(path.join(dir, "tasks"))).toBe(false);
  });

  it("a split: the planner sees the task it splits, and its tasks become nested items under it", { timeout: 60_000 }, async () => {
    h.model.setScript(steps([{ when: { role: "planner" }, reply: answer(task("N1"), task("N2", ["N1"])) }]));
    const { dir, store, check } = await repo({ parentTask: "T2" });
    mkdirSync(path.join(dir, "tasks"));
    const out = await requestPlan(h.runtime, { goal: "T2 failed three times: the README needs the API section first", directory: dir, model: h.config.models.default, check, maxRetries: 0, parent: { id: "T2", title: "README", body: "Write the README." } });
    if (!out.ok) throw new Error(`${out.error.message}: ${out.errors.join("; ")}`);
    await writePlan(store, out.plan, { todoFile: "TODO.md", tasksDir: "tasks", placement: check.placement, idPrefix: "T" });
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe(`${TODO}  - [ ] T3 Coupon part N1\n  - [ ] T4 Coupon part N2 (after T3)\n`);
    const first = h.model.requests.find((r) => r.directory === dir && r.tools.length > 0)!;
    expect(first.lastUser).toContain("## The task to split\n\nT2 README\n\nWrite the README.");
    await store.close();
  });
});
