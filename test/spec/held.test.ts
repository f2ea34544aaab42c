// What an error holds (docs/FORMAT.md §4): one task for an error in its own task file, the whole
// mission for any other, nothing for a file no task reads.
import { describe, expect, it } from "vitest";
import { buildMission } from "../../src/spec/mission.js";
import { heldBy } from "../../src/spec/held.js";
import { DEFAULT_CONFIG } from "../../src/spec/config.js";

const build = (todo: string, files: Record<string, string> = {}) =>
  buildMission("/r", "TODO.md", todo, Object.entries(files).map(([path, text]) => ({ path, text })), DEFAULT_CONFIG);
const split = (m: ReturnType<typeof build>) => {
  const h = heldBy(m);
  return { tasks: [...h.tasks], mission: h.mission.map((p) => p.code) };
};

describe("heldBy", () => {
  it("an error in a task's own file holds that task; warnings hold nothing", () => {
    expect(split(build("- [ ] T1 a\n- [ ] T2 b\n", { "tasks/T2.md": "---\npriority: high\n---\nx\n" }))).toEqual({ tasks: ["T2"], mission: [] });
    expect(split(build("- [ ] T1 a\n- [ ] b\n"))).toEqual({ tasks: [], mission: [] });
  });
  it("a task file's unknown dep holds its task; one in TODO.md, a duplicate id or a cycle hold the mission", () => {
    expect(split(build("- [ ] T1 a\n", { "tasks/T1.md": "---\ndeps: [T9]\n---\nx\n" }))).toEqual({ tasks: ["T1"], mission: [] });
    expect(split(build("- [ ] T1 a (after T9)\n"))).toEqual({ tasks: [], mission: ["unknown-dep"] });
    expect(split(build("- [ ] T1 a\n- [ ] T1 b\n"))).toEqual({ tasks: [], mission: ["duplicate-id"] });
    expect(split(build("- [ ] T1 a (after T2)\n- [ ] T2 b (after T1)\n"))).toEqual({ tasks: [], mission: ["cycle"] });
  });
  it("a task file whose line was deleted is a warning, not read: it holds nothing", () => {
    const m = build("- [ ] T1 a\n", { "tasks/T5.md": "---\nverify: [unclosed\n---\nx\n" });
    expect(m.problems.map((p) => [p.code, p.severity])).toEqual([["orphan-task-file", "warning"]]);
    expect(split(m)).toEqual({ tasks: [], mission: [] });
  });
});
