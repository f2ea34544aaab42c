// orch watch semantics with real chokidar watchers on real files: edits, invalid edits, config reload,
// suspend/resume, delete (finalizer), uncheck (redo), retry.
import { afterEach, describe, expect, it } from "vitest";
import { existsSync, writeFileSync, readFileSync } from "node:fs";
import path from "node:path";
import { makeRepo, settle, startLoop, type Harness } from "./harness.js";
import { updateControls } from "../../src/reconcile/controls.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

const phase = (task: string, to: string) => (e: { type: string; task?: string; to?: string }) => e.type === "phase" && e.task === task && e.to === to;

describe("watch", () => {
  it("a new line in TODO.md runs; an invalid task file is reported with path:line:col and does not cancel running work; the fix clears it", async () => {
    const root = makeRepo("- [ ] T1 first\n");
    h = await startLoop(root, { latencyMs: 5, latencyByTask: { T2: 1500 } }, true);
    await h.waitFor(phase("T1", "Succeeded"));
    h.write("TODO.md", h.todo() + "- [ ] T2 second\n");
    await h.waitFor((e) => e.type === "session" && e.task === "T2" && e.status === "started");
    h.write("tasks/T2.md", "---\nid: T2\nverify: [unclosed\n---\nbody\n");
    const p = await h.waitFor((e) => e.type === "problems");
    expect(p.type === "problems" && p.problems[0]!.file).toBe("tasks/T2.md");
    expect(p.type === "problems" && p.problems[0]!.line).toBeGreaterThan(0);
    h.write("tasks/T2.md", "---\nid: T2\n---\nbody\n");
    await h.waitFor((e) => e.type === "problems-cleared");
    await h.waitFor(phase("T2", "Succeeded"));
    expect(h.events.filter((e) => e.type === "action" && e.action.type === "abort")).toEqual([]);
    expect(h.todo()).toBe("- [x] T1 first\n- [x] T2 second\n");
  });

  it("a line added without an id gets the next free id written into it (no other byte changes), then runs", async () => {
    const root = makeRepo("# Work\r\n\r\n- [ ] T1 first\r\n");
    h = await startLoop(root, { latencyMs: 5 }, true);
    await h.waitFor(phase("T1", "Succeeded"));
    const before = h.todo();
    h.write("TODO.md", before + "- [ ] tidy the café menu (after T1)\r\n\t- [ ] nested ünïcode step\r\n");
    const ids = await h.waitFor((e) => e.type === "ids");
    expect(ids.type === "ids" && ids.assigned).toEqual([
      { line: 4, id: "T2" },
      { line: 5, id: "T3" },
    ]);
    await h.waitFor(phase("T2", "Succeeded"));
    expect(h.todo()).toBe(before + "- [x] T2 tidy the café menu (after T1)\r\n\t- [x] T3 nested ünïcode step\r\n");
  });

  it("an edit while running: finish-then-rerun by default; cancel-and-restart after a config reload", async () => {
    const root = makeRepo("- [ ] T1 v1\n");
    h = await startLoop(root, { latencyMs: 400 }, true);
    await h.waitFor((e) => e.type === "session" && e.status === "started");
    h.write("TODO.md", "- [ ] T1 v2\n");
    await h.waitFor((e) => e.type === "action" && e.action.type === "set" && e.action.reason === "Observed");
    await h.waitFor((e) => e.type === "phase" && e.reason === "Redo" || (e.type === "phase" && e.reason === "SpecChanged"));
    await h.waitFor(phase("T1", "Succeeded"));
    expect(h.runtime.calls.length).toBe(2); // the v1 run finished, then v2 ran
    const cfg = path.join(root, ".orchestrator", "config.json");
    writeFileSync(cfg, "{ not json");
    await h.waitFor((e) => e.type === "problems" && e.source === "config");
    writeFileSync(cfg, JSON.stringify({ review: { enabled: false }, onEdit: "cancel-and-restart" }));
    await h.waitFor((e) => e.type === "config");
    h.write("TODO.md", "- [ ] T1 v3\n");
    await h.waitFor((e) => e.type === "session" && e.status === "started" && h!.runtime.calls.length === 3);
    h.write("TODO.md", "- [ ] T1 v4\n");
    await h.waitFor((e) => e.type === "action" && e.action.type === "abort" && e.action.reason === "edit");
    await h.waitFor((e) => e.type === "phase" && e.to === "Succeeded" && h!.runtime.calls.length === 4);
    expect(h.runtime.calls[3]!.prompt).toContain("v4");
  });

  it("suspend/resume through the control record; a deleted task's finalizer aborts and removes its state", async () => {
    const root = makeRepo("- [ ] T1 keep\n- [ ] T2 drop\n");
    h = await startLoop(root, { latencyMs: 60_000 }, true);
    await h.waitFor((e) => e.type === "session" && e.task === "T1" && e.status === "started");
    await updateControls(h.store.records, (c) => ({ ...c, suspended: ["T1"] }));
    await h.waitFor(phase("T1", "Suspended"));
    expect((await h.state("T1"))!.attempts).toBe(0);
    h.runtime.script.latencyMs = 10;
    await updateControls(h.store.records, (c) => ({ ...c, suspended: [] }));
    await h.waitFor(phase("T1", "Succeeded"));
    h.write("TODO.md", "- [x] T1 keep\n");
    await h.waitFor((e) => e.type === "phase" && e.task === "T2" && e.reason === "Deleted");
    expect(await h.state("T2")).toBeUndefined();
    expect(existsSync(path.join(root, ".orchestrator", "state", "T2.json"))).toBe(false);
  });

  it("a person unchecking a Succeeded task means redo; orch retry reruns a Failed task", async () => {
    const root = makeRepo("- [ ] T1 a\n- [ ] T2 b\n");
    h = await startLoop(root, { latencyMs: 5, outcomes: { T2: ["terminal", "ok"] } }, true);
    await h.waitFor(phase("T1", "Succeeded"));
    await h.waitFor(phase("T2", "Failed"));
    await settle(h);
    h.write("TODO.md", h.todo().replace("- [x] T1 a", "- [ ] T1 a"));
    await h.waitFor((e) => e.type === "phase" && e.task === "T1" && e.reason === "Redo");
    await updateControls(h.store.records, (c) => ({ ...c, retry: { T2: "r1" } }));
    await h.waitFor((e) => e.type === "phase" && e.task === "T2" && e.reason === "ManualRetry");
    await h.waitFor((e) => e.type === "phase" && e.to === "Succeeded" && e.task === "T2");
    await settle(h);
    expect(h.todo()).toBe("- [x] T1 a\n- [x] T2 b\n");
    expect(h.runtime.calls.filter((c) => c.taskId === "T1").length).toBe(2);
  });
});

describe("watch: damaged records", () => {
  it("a corrupt state record is moved aside, rebuilt from history and reported; the task does not rerun", async () => {
    const root = makeRepo("- [ ] T1 a\n");
    h = await startLoop(root, { latencyMs: 5 }, true);
    await h.waitFor(phase("T1", "Succeeded"));
    await settle(h);
    writeFileSync(path.join(root, ".orchestrator", "state", "T1.json"), "{ torn");
    h.write("TODO.md", "- [x] T1 a\n\n");
    const err = await h.waitFor((e) => e.type === "error" && e.task === "T1");
    expect(err.type === "error" && err.message).toContain("moved aside");
    await settle(h);
    expect((await h.state("T1"))!.phase).toBe("Succeeded");
    expect(h.runtime.calls.length).toBe(1);
    expect(readFileSync(path.join(root, "TODO.md"), "utf8")).toContain("[x] T1");
  });
});

describe("watch: stale editor saves", () => {
  it("an editor saving an old buffer over orch's checks: the earlier check is re-applied (spec/uncheck.ts), not redone", async () => {
    const original = "- [ ] T1 a\n- [ ] T2 b (after T1)\n";
    const root = makeRepo(original);
    h = await startLoop(root, { latencyMs: 5 }, true);
    await h.waitFor(phase("T2", "Succeeded"));
    await settle(h);
    h.write("TODO.md", original); // the buffer an editor opened before orch checked both boxes
    await h.waitFor((e) => e.type === "action" && e.action.type === "check" && e.action.id === "T1");
    await settle(h);
    expect(h.todo()).toContain("- [x] T1 a");
    expect(h.runtime.calls.filter((c) => c.taskId === "T1").length).toBe(1);
  });
});
