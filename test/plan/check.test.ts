// checkPlan and what it renders (docs/PLAN.md): a planner's answer checked as a person's edit is, and
// the exact TODO.md lines and task files it becomes.
import { describe, expect, it } from "vitest";
import { checkPlan, type PlanContext } from "../../src/plan/check.js";
import { planDiff } from "../../src/plan/diff.js";
import { buildMission } from "../../src/spec/mission.js";
import { DEFAULT_CONFIG } from "../../src/spec/config.js";
import { parseTaskFile } from "../../src/spec/task-file.js";
import type { LinePlacement } from "../../src/spec/todo-insert.js";

const TODO = "# Shop\n\nNotes stay as they are.\n\n## Core\n\n- [x] T1 Cart model\n- [ ] T2 Checkout (after T1)\n\n## Docs\n\n- [ ] T3 Write the README\n";
const T2_FILE = { path: "tasks/T2.md", text: "---\ndeps: [T1]\nfiles: src/checkout.ts\n---\nCheckout.\n" };

function ctx(over: Partial<PlanContext> = {}, todo = TODO): PlanContext {
  const mission = buildMission("/repo", "TODO.md", todo, [T2_FILE], DEFAULT_CONFIG);
  return { mission, todoText: todo, placement: { end: true }, idPrefix: "T", taken: ["T5"], maxTasks: 50, tasksDir: "tasks", ...over };
}

const task = (id: string, over: Record<string, unknown> = {}) => ({
  id,
  title: `Task ${id}`,
  type: "logic",
  deps: [],
  files: [`src/${id.toLowerCase()}.ts`],
  verify: [`node --test test/${id.toLowerCase()}.test.js`],
  body: `Write src/${id.toLowerCase()}.ts.`,
  acceptance: [`${id} works`],
  ...over,
});

const errorsOf = (raw: unknown, c = ctx()) => {
  const r = checkPlan(raw, c);
  return "errors" in r ? r.errors : [];
};

describe("checkPlan: a valid plan", () => {
  it("gets the next free ids (above the taken ones), deps mapped, lines and task files exactly as written", () => {
    const r = checkPlan({ summary: "Add coupons", tasks: [task("N1", { title: "Coupon model" }), task("N2", { title: "Apply coupons at `checkout`", deps: ["N1", "T2"], files: ["src/coupon.ts", "test/**/*.test.js"], verify: ["npm test -- coupon", "grep -q 'coupon' src/checkout.ts"], type: undefined })] }, ctx({ placement: { under: "## Core" } }));
    if (!("plan" in r)) throw new Error(r.errors.join("\n"));
    expect(r.plan.tasks.map((t) => [t.name, t.id, t.deps])).toEqual([["N1", "T6", []], ["N2", "T7", ["T6", "T2"]]]);
    expect(r.plan.rendered.todo).toBe(TODO.replace("- [ ] T2 Checkout (after T1)\n", "- [ ] T2 Checkout (after T1)\n- [ ] T6 Coupon model\n- [ ] T7 Apply coupons at `checkout` (after T6, T2)\n"));
    expect(r.plan.rendered.files).toEqual([
      { path: "tasks/T6.md", text: "---\ntype: logic\nfiles:\n  - src/n1.ts\nverify:\n  - node --test test/n1.test.js\n---\nWrite src/n1.ts.\n\n## Acceptance criteria\n\n- N1 works\n" },
      { path: "tasks/T7.md", text: '---\nfiles:\n  - src/coupon.ts\n  - "test/**/*.test.js"\nverify:\n  - npm test -- coupon\n  - "grep -q \'coupon\' src/checkout.ts"\n---\nWrite src/n2.ts.\n\n## Acceptance criteria\n\n- N2 works\n' },
    ]);
    for (const f of r.plan.rendered.files) expect(parseTaskFile(f.text, f.path).problems).toEqual([]);
    // The whole mission reads without errors, the new tasks where they were put.
    const after = buildMission("/repo", "TODO.md", r.plan.rendered.todo, [T2_FILE, ...r.plan.rendered.files], DEFAULT_CONFIG);
    expect(after.problems.filter((p) => p.severity === "error")).toEqual([]);
    expect(after.tasks.find((t) => t.id === "T7")).toMatchObject({ deps: ["T6", "T2"], headings: ["Shop", "Core"], verify: ["npm test -- coupon", "grep -q 'coupon' src/checkout.ts"] });
    expect(r.plan.warnings).toEqual(['T7 (N2): files: "test/**/*.test.js" is a whole folder: the task may change anything in it']);
  });

  it("the dry run's diff shows exactly the added lines and files", () => {
    const r = checkPlan({ tasks: [task("N1")] }, ctx());
    if (!("plan" in r)) throw new Error(r.errors.join("\n"));
    expect(planDiff(TODO, r.plan.rendered, "TODO.md")).toBe(
      [
        "--- a/TODO.md", "+++ b/TODO.md", "@@ -10,3 +10,4 @@", " ## Docs", " ", " - [ ] T3 Write the README", "+- [ ] T6 Task N1",
        "--- /dev/null", "+++ b/tasks/T6.md", "@@ -0,0 +1,12 @@", "+---", "+type: logic", "+files:", "+  - src/n1.ts", "+verify:", "+  - node --test test/n1.test.js", "+---", "+Write src/n1.ts.", "+", "+## Acceptance criteria", "+", "+- N1 works", "",
      ].join("\n"),
    );
  });

  it("nests a split's tasks under the parent task", () => {
    const r = checkPlan({ tasks: [task("A"), task("B", { deps: ["A"] })] }, ctx({ placement: { parentTask: "T2" } }));
    if (!("plan" in r)) throw new Error(r.errors.join("\n"));
    expect(r.plan.rendered.todo).toContain("- [ ] T2 Checkout (after T1)\n  - [ ] T6 Task A\n  - [ ] T7 Task B (after T6)\n\n## Docs");
  });
});

describe("checkPlan: what is sent back to the planner", () => {
  const cases: [string, unknown, string | RegExp, LinePlacement?][] = [
    ["not an object", [1, 2], "(root): Invalid input: expected object, received array"],
    ["no tasks", { tasks: [] }, "tasks: the plan has no tasks"],
    ["a task without verify", { tasks: [task("N1", { verify: [] })] }, "tasks.0.verify: give at least one verify command"],
    ["a task without files", { tasks: [task("N1", { files: [] })] }, "tasks.0.files: name the files the task may change"],
    ["an unknown key", { tasks: [task("N1", { priority: 3 })] }, /tasks\.0: Unrecognized key: "priority"/],
    ["a two-line title", { tasks: [task("N1", { title: "a\nb" })] }, "tasks.0.title: title must be one line"],
    ["a deps clause in the title", { tasks: [task("N1", { title: "Do it (after T1)" })] }, 'tasks.0.title: ends with "(after …)"; put dependencies in deps, not in the title'],
    ["two tasks with one name", { tasks: [task("N1"), task("N1")] }, "tasks.1.id: two tasks are named N1; give each task its own name"],
    ["a name that is an existing id", { tasks: [task("T2")] }, 'tasks.0.id: T2 is the id of an existing task ("Checkout"); name new tasks N1, N2, …'],
    ["an unknown dep", { tasks: [task("N1", { deps: ["T9"] })] }, "tasks.0.deps: N1 depends on unknown task T9 (neither a task of this plan nor an existing task)"],
    ["a dep on itself", { tasks: [task("N1", { deps: ["N1"] })] }, "tasks.0.deps: N1 depends on itself"],
    ["a path outside", { tasks: [task("N1", { files: ["../other/x.ts"] })] }, 'tasks.0.files: "../other/x.ts" leaves the repository; use paths relative to its root, without .. or a leading /'],
    ["an absolute path", { tasks: [task("N1", { files: ["/etc/passwd"] })] }, /"\/etc\/passwd" leaves the repository/],
    ["a bad glob", { tasks: [task("N1", { files: ["src/{a,b.ts"] })] }, 'tasks.0.files: "src/{a,b.ts" is not a glob orch can read: unclosed {'],
    ["a cycle in the plan", { tasks: [task("N1", { deps: ["N2"] }), task("N2", { deps: ["N1"] })] }, "dependency cycle: N1 → N2 → N1; remove one of these deps"],
    ["a subtask depending on the task it splits", { tasks: [task("N1", { deps: ["T2"] })] }, "dependency cycle: T2 → N1 → T2 (T2 waits for its subtasks, so none may depend on it); remove one of these deps", { parentTask: "T2" }],
  ];
  it.each(cases)("%s", (_name, raw, message, placement) => {
    const errors = errorsOf(raw, ctx(placement ? { placement } : {}));
    expect(errors.some((e) => (typeof message === "string" ? e === message : message.test(e))), errors.join("\n")).toBe(true);
  });

  it("500 tasks are over the cap", () => {
    const tasks = Array.from({ length: 500 }, (_, i) => task(`N${i + 1}`));
    expect(errorsOf({ tasks })).toEqual(["the plan has 500 tasks, over the limit of 50: merge tasks, or plan a first stage of at most 50 and leave the rest for a later plan"]);
    expect("plan" in checkPlan({ tasks: tasks.slice(0, 3) }, ctx({ maxTasks: 3 }))).toBe(true);
  });

  it("a scope through a symlink out of the repository, from the look-up passed in", () => {
    expect(errorsOf({ tasks: [task("N1", { files: ["vendor/lib/**"] })] }, ctx({ escapes: (g) => (g.startsWith("vendor/") ? "/elsewhere/lib" : undefined) }))).toEqual([
      'tasks.0.files: "vendor/lib/**" leads outside the repository through a symlink (/elsewhere/lib)',
    ]);
  });

  it("warns, without refusing, about wide scopes: many files, a folder", () => {
    const files = ["a.ts", "b.ts", "c.ts", "d.ts", "e.ts", "f.ts"];
    const r = checkPlan({ tasks: [task("N1", { files }), task("N2", { files: ["src"] })] }, ctx({ isFolder: (p) => p === "src" }));
    if (!("plan" in r)) throw new Error(r.errors.join("\n"));
    expect(r.plan.warnings).toEqual([
      "T6 (N1): 6 entries in files: a task should touch few files (at most 5); consider splitting it",
      'T7 (N2): files: "src" is a whole folder: the task may change anything in it',
    ]);
  });

  it("lines that would not read as tasks where they go are refused (the end of the file inside a code fence)", () => {
    const todo = "# P\n\n- [ ] T1 x\n\n```\nunclosed fence\n";
    expect(errorsOf({ tasks: [task("N1")] }, ctx({}, todo))).toEqual([expect.stringContaining("would not read as a task where it goes in TODO.md")]);
  });
});
