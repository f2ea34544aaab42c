import { describe, expect, it } from "vitest";
import { buildMission, createSpecCache } from "../../src/spec/mission.js";
import { DEFAULT_CONFIG } from "../../src/spec/config.js";

const todo = "# M\n\n- [ ] T1 Base\n- [ ] T2 Left (after T1)\n- [ ] T3 Right (after T1)\n- [ ] T4 Join (after T2)\n  - [ ] T5 Sub\n";
const files = [{ path: "tasks/T4.md", text: "---\ndeps: [T3]\ntype: logic\nverify: node --test\nfiles: [src/**]\nbudget: { attempts: 2 }\n---\nDo it.\n" }];

describe("buildMission", () => {
  it("merges TODO lines with task files", () => {
    const m = buildMission("/r", "TODO.md", todo, files, DEFAULT_CONFIG);
    expect(m.problems).toEqual([]);
    const t4 = m.tasks.find((t) => t.id === "T4")!;
    expect(t4).toMatchObject({ deps: ["T2", "T3"], type: "logic", verify: ["node --test"], files: ["src/**"], budget: { attempts: 2 }, body: "Do it.", file: "tasks/T4.md", children: ["T5"] });
    expect(m.tasks.find((t) => t.id === "T5")!.parent).toBe("T4");
  });
  it("generation ignores the checkbox, changes with the title or the task file", () => {
    const g = (t: string, f = files) => buildMission("/r", "TODO.md", t, f, DEFAULT_CONFIG).tasks.find((x) => x.id === "T4")!.generation;
    const base = g(todo);
    expect(g(todo.replace("- [ ] T4", "- [x] T4"))).toBe(base);
    expect(g(todo.replace("Join", "Merge"))).not.toBe(base);
    expect(g(todo, [{ path: "tasks/T4.md", text: files[0]!.text + " " }])).not.toBe(base);
    expect(g("# Moved\n\n- [ ] T4 Join (after T2)\n  - [ ] T5 Sub\n- [ ] T1 Base\n- [ ] T2 Left (after T1)\n- [ ] T3 Right (after T1)\n")).toBe(base);
  });
  it("the cache gives the same mission", () => {
    const cache = createSpecCache();
    const a = buildMission("/r", "TODO.md", todo, files, DEFAULT_CONFIG, cache);
    const b = buildMission("/r", "TODO.md", todo.replace("- [ ] T1", "- [x] T1"), files, DEFAULT_CONFIG, cache);
    expect(b.tasks.map((t) => t.generation)).toEqual(a.tasks.map((t) => t.generation));
    expect(b.tasks[0]!.checked).toBe(true);
    // The patch path: only the edited task is rebuilt, the others are the same objects.
    expect(b.tasks.slice(1).every((t, i) => t === a.tasks[i + 1])).toBe(true);
    expect(b.tasks[0]).not.toBe(a.tasks[0]);
  });
  it("a cycle is an error naming its path; a subtask that waits for its parent closes one (a parent waits for its subtasks)", () => {
    const cycles = (text: string) => buildMission("/r", "TODO.md", text, [], DEFAULT_CONFIG).problems.filter((p) => p.code === "cycle").map((p) => [p.line, p.message, p.hint]);
    expect(cycles("- [ ] T1 A (after T2)\n- [ ] T2 B (after T1)\n")).toEqual([[1, "dependency cycle: T1 → T2 → T1", "Remove one of the deps in the cycle."]]);
    expect(cycles("- [ ] T1 Parent\n  - [ ] T2 Child (after T1)\n")).toEqual([[1, "dependency cycle: T1 → T2 → T1", expect.stringMatching(/^A parent waits for its subtasks, so a subtask cannot depend on its parent/)]]);
    expect(cycles("- [ ] T1 Parent\n  - [ ] T2 Child\n- [ ] T3 After (after T1)\n")).toEqual([]);
  });
});
