// Problems are per task where they can be (docs/RECONCILER.md "One pass", docs/FORMAT.md §4):
// deleting a line cancels its task even when it has a task file, and one invalid task file holds
// only its own task. Real loop, real store, fake runtime; passes are asked for with enqueue().
import { afterEach, describe, expect, it } from "vitest";
import { makeRepo, settle, startLoop, type Harness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const phase = (task: string, to: string) => (e: { type: string; task?: string; to?: string }) => e.type === "phase" && e.task === task && e.to === to;
const BROKEN = "---\nverify: [unclosed\n---\nbody\n";

describe("per-task problems", () => {
  it("deleting a line whose task has a task file cancels the task: its session is aborted, its record finalized", async () => {
    const root = makeRepo("- [ ] T1 keep\n- [ ] T2 drop\n", { "tasks/T2.md": "---\npriority: 1\n---\nDo it.\n" });
    h = await startLoop(root, { latencyMs: 5, latencyByTask: { T2: 60_000 } });
    await h.waitFor((e) => e.type === "session" && e.task === "T2" && e.status === "started");
    h.write("TODO.md", "- [ ] T1 keep\n");
    h.loop.enqueue();
    await h.waitFor((e) => e.type === "phase" && e.task === "T2" && e.reason === "Deleted", 5000);
    expect(await h.state("T2")).toBeUndefined();
    const p = h.events.findLast((e) => e.type === "problems");
    expect(p?.type === "problems" && p.problems.map((x) => [x.code, x.severity])).toEqual([["orphan-task-file", "warning"]]);
  });

  it("one invalid task file holds only its task: an uncheck and a new line elsewhere are acted on; a new task whose task file is invalid starts only once it is fixed", async () => {
    const root = makeRepo("- [ ] T1 a\n- [ ] T2 b\n", { "tasks/T2.md": "---\npriority: 1\n---\nDo b.\n" });
    h = await startLoop(root, { latencyMs: 5 });
    await h.waitFor(phase("T1", "Succeeded"));
    await h.waitFor(phase("T2", "Succeeded"));
    await settle(h);
    expect(h.todo()).toBe("- [x] T1 a\n- [x] T2 b\n");
    h.write("tasks/T2.md", BROKEN);
    h.write("tasks/T4.md", BROKEN);
    // Uncheck T1, add T3 and T4 (T4's first task file is invalid too).
    h.write("TODO.md", "- [ ] T1 a\n- [x] T2 b\n- [ ] T3 c\n- [ ] T4 d\n");
    h.loop.enqueue();
    await h.waitFor((e) => e.type === "phase" && e.task === "T1" && e.reason === "Redo", 5000);
    await h.waitFor(phase("T3", "Succeeded"), 5000);
    await settle(h);
    const p = h.events.findLast((e) => e.type === "problems");
    expect(p?.type === "problems" && p.held).toEqual(["T2", "T4"]);
    expect(h.todo()).toBe("- [x] T1 a\n- [x] T2 b\n- [x] T3 c\n- [ ] T4 d\n");
    expect(h.runtime.calls.filter((c) => c.taskId === "T2")).toHaveLength(1);
    expect(h.runtime.calls.filter((c) => c.taskId === "T4")).toHaveLength(0);
    // Fixed: T4 runs.
    h.write("tasks/T2.md", "---\npriority: 1\n---\nDo b.\n");
    h.write("tasks/T4.md", "Do d.\n");
    h.loop.enqueue();
    await h.waitFor((e) => e.type === "problems-cleared", 5000);
    await h.waitFor(phase("T4", "Succeeded"), 5000);
    await settle(h);
    expect(h.todo()).toBe("- [x] T1 a\n- [x] T2 b\n- [x] T3 c\n- [x] T4 d\n");
    expect(h.runtime.calls.filter((c) => c.taskId === "T4")).toHaveLength(1);
  });
});
