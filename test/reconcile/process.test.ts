// The loop as real processes: kill -9 and restart, two at once, SIGTERM. The fake runtime logs every session
// start/end with its pid, so "never twice at once" is checked on what really ran.
import { afterEach, describe, expect, it } from "vitest";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { openStore } from "../../src/store/open.js";
import { TaskStates } from "../../src/store/task-states.js";
import { gate, makeRepo } from "./harness.js";
import { startChild, type Child } from "./child.js";

const roots: string[] = [];
const children: Child[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
  for (const r of roots.splice(0)) rmSync(r, { recursive: true, force: true });
});

interface LogLine { at: number; event: "start" | "end"; task: string; session: string; pid: number }
function sessions(root: string): LogLine[] {
  return readFileSync(path.join(root, "fake.log"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
}

/** For each task: no two sessions overlap in a live process (a killed process's sessions end at its death). */
function assertNeverTwiceAtOnce(log: LogLine[], killed: Map<number, number>): void {
  const spans = new Map<string, { task: string; start: number; end: number }>();
  for (const l of log) {
    if (l.event === "start") spans.set(l.session, { task: l.task, start: l.at, end: killed.get(l.pid) ?? Infinity });
    else spans.get(l.session)!.end = l.at;
  }
  const list = [...spans.values()];
  for (const a of list) for (const b of list) if (a !== b && a.task === b.task) expect(a.end <= b.start || b.end <= a.start).toBe(true);
}

describe("loop processes", () => {
  it("kill -9 mid-session, restart: the task is relaunched once, attempts are not double-counted", async () => {
    const root = makeRepo("- [ ] T1 slow\n- [ ] T2 slow\n", {}, { lease: { ttlSec: 1 } });
    roots.push(root);
    const log = path.join(root, "fake.log");
    const a = startChild(root, "watch", { latencyMs: 60_000, logFile: log });
    children.push(a);
    await a.waitFor((e) => e.type === "session" && e.status === "started" && e.task === "T2");
    await a.waitFor((e) => e.type === "session" && e.status === "started" && e.task === "T1");
    a.proc.kill("SIGKILL");
    await a.exited;
    const killedAt = Date.now();
    const b = startChild(root, "run", { latencyMs: 50, logFile: log });
    children.push(b);
    expect(await b.exited).toBe(0);
    const store = openStore(root);
    for (const id of ["T1", "T2"]) expect((await new TaskStates(store).read(id))?.value).toMatchObject({ phase: "Succeeded", attempts: 1 });
    expect(readFileSync(path.join(root, "TODO.md"), "utf8")).toBe("- [x] T1 slow\n- [x] T2 slow\n");
    expect(b.events.some((e) => e.type === "action" && (e.action as { type: string }).type === "adopt")).toBe(true);
    const lines = sessions(root);
    expect(lines.filter((l) => l.event === "start").length).toBe(4);
    assertNeverTwiceAtOnce(lines, new Map([[a.proc.pid!, killedAt]]));
  });

  it("two orch processes at once: one holds the lease, every task runs exactly once", async () => {
    const root = makeRepo("- [ ] T1 a\n- [ ] T2 b\n- [ ] T3 c (after T1)\n", {}, { lease: { ttlSec: 2 } });
    roots.push(root);
    // T3's verify waits on a gate, so the first process holds the lease until the second says it waits.
    const g = gate(root);
    mkdirSync(path.join(root, "tasks"));
    writeFileSync(path.join(root, "tasks", "T3.md"), `---\nverify: ["${g.command}"]\n---\nc\n`);
    const log = path.join(root, "fake.log");
    const a = startChild(root, "run", { latencyMs: 400, logFile: log });
    children.push(a);
    await a.waitFor((e) => e.type === "session" && e.status === "started");
    const b = startChild(root, "run", { latencyMs: 400, logFile: log });
    children.push(b);
    await b.waitFor((e) => e.type === "lease" && e.status === "waiting");
    await g.open();
    expect([await a.exited, await b.exited]).toEqual([0, 0]);
    const starts = sessions(root).filter((l) => l.event === "start");
    expect(starts.map((l) => l.task).sort()).toEqual(["T1", "T2", "T3"]);
    assertNeverTwiceAtOnce(sessions(root), new Map());
    expect([...a.events, ...b.events].some((e) => e.type === "lease" && e.status === "waiting")).toBe(true);
  });

  it("SIGTERM: graceful stop, the running attempt is recorded Pending and not charged, the lease is released", async () => {
    const root = makeRepo("- [ ] T1 slow\n");
    roots.push(root);
    const a = startChild(root, "watch", { latencyMs: 60_000 });
    children.push(a);
    await a.waitFor((e) => e.type === "session" && e.status === "started");
    a.proc.kill("SIGTERM");
    expect(await a.exited).toBe(0);
    const store = openStore(root);
    expect((await new TaskStates(store).read("T1"))?.value).toMatchObject({ phase: "Pending", attempts: 0 });
    expect(a.events.some((e) => e.type === "lease" && e.status === "released")).toBe(true);
  });
});
