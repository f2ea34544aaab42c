import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, renameSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { loadConfig, loadMission } from "../../src/spec/load.js";
import { createSpecCache } from "../../src/spec/mission.js";
import { DEFAULT_CONFIG } from "../../src/spec/config.js";

function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(tmpdir(), "orch-load-"));
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

describe("loadConfig", () => {
  it("a missing file means the defaults", async () => {
    expect(await loadConfig(repo({}))).toEqual({ config: DEFAULT_CONFIG, problems: [] });
  });
  it("fills defaults around what is set", async () => {
    const { config, problems } = await loadConfig(repo({ ".orchestrator/config.json": '{ "tasksDir": "work", "concurrency": { "total": 2 } }' }));
    expect(problems).toEqual([]);
    expect(config).toMatchObject({ tasksDir: "work", concurrency: { total: 2, perRole: {} }, todo: "TODO.md" });
  });
  it("wrong types become problems at the key's line, with defaults returned", async () => {
    const { config, problems } = await loadConfig(repo({ ".orchestrator/config.json": '{\n  "stallSec": "soon"\n}\n' }));
    expect(config).toBe(DEFAULT_CONFIG);
    expect(problems).toMatchObject([{ code: "invalid-field", line: 2, col: 3 }]);
  });
});

describe("loadMission", () => {
  it("a TODO.md absent for a moment (orch's own move-aside-then-link swap) is read, not reported missing", async () => {
    const dir = repo({ "TODO.md": "- [ ] T1 One\n" });
    renameSync(path.join(dir, "TODO.md"), path.join(dir, "TODO.md.aside"));
    // Ordering, not a wait: loadMission's first read fails within this call (no await before it), and a
    // 2 ms timer set first fires before the 5 ms one of its retry, so the file is back for the retry.
    setTimeout(() => renameSync(path.join(dir, "TODO.md.aside"), path.join(dir, "TODO.md")), 2);
    const m = await loadMission(dir, DEFAULT_CONFIG);
    expect(m.problems).toEqual([]);
    expect(m.tasks.map((t) => t.id)).toEqual(["T1"]);
  });
  it("a TODO.md that stays absent is a missing-todo problem", async () => {
    const m = await loadMission(repo({}), DEFAULT_CONFIG);
    expect(m.problems).toMatchObject([{ code: "missing-todo" }]);
  });
  it("honours config.todo and config.tasksDir", async () => {
    const dir = repo({ "PLAN.md": "- [ ] T1 One\n", "work/T1.md": "---\ntype: docs\n---\nBody\n" });
    const m = await loadMission(dir, { ...DEFAULT_CONFIG, todo: "PLAN.md", tasksDir: "work" });
    expect(m.problems).toEqual([]);
    expect(m.tasks[0]).toMatchObject({ id: "T1", type: "docs", file: "work/T1.md", body: "Body" });
  });
  it("an incremental reload with `changed` equals a full reload", async () => {
    const dir = repo({ "TODO.md": "- [ ] T1 One\n- [ ] T2 Two (after T1)\n", "tasks/T1.md": "One.\n", "tasks/T2.md": "Two.\n" });
    const cache = createSpecCache();
    await loadMission(dir, DEFAULT_CONFIG, { cache });
    const steps: [string, string | null][] = [
      ["TODO.md", "- [x] T1 One\n- [ ] T2 Two (after T1)\n- [ ] T3 Three\n"],
      ["tasks/T3.md", "---\ndeps: [T2]\n---\nThree.\n"],
      ["tasks/T1.md", null],
      ["tasks/T2.md", "---\nverfy: x\n---\n"],
      ["TODO.md", "- [x] T1 One renamed\n- [ ] T2 Two (after T1)\n- [ ] T3 Three\n"],
    ];
    for (const [rel, text] of steps) {
      if (text === null) rmSync(path.join(dir, rel));
      else writeFileSync(path.join(dir, rel), text);
      const inc = await loadMission(dir, DEFAULT_CONFIG, { cache, changed: [rel.startsWith("tasks/T2") ? path.join(dir, rel) : rel] });
      expect(inc).toEqual(await loadMission(dir, DEFAULT_CONFIG));
    }
  });
});
