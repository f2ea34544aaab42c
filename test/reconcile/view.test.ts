// The loop's output: plain lines name what changed; --json is one parseable event per line.
import { describe, expect, it } from "vitest";
import { PassThrough } from "node:stream";
import { createView } from "../../src/cli/view.js";
import type { LoopEvent } from "../../src/reconcile/events.js";

/** The plain view's output for one event, without its time prefix; undefined when it writes nothing. */
function plainLine(e: LoopEvent): string | undefined {
  let text = "";
  const out = new PassThrough();
  out.on("data", (d) => (text += d));
  createView("plain", { running: () => new Map() }, out as unknown as NodeJS.WriteStream, () => 0).event(e);
  return text ? text.replace(/^00:00:00 /, "").replace(/\n$/, "") : undefined;
}

describe("view", () => {
  it("plain lines for transitions and problems (path:line:col), none for internal events", () => {
    expect(plainLine({ type: "phase", task: "T2", from: "Pending", to: "Blocked", reason: "DepsNotDone", message: "waiting for T1" })).toBe("T2: Pending → Blocked (DepsNotDone: waiting for T1)");
    const p = plainLine({ type: "problems", source: "mission", problems: [{ code: "x", severity: "error", file: "tasks/T2.md", line: 3, col: 7, message: "bad deps" }] });
    expect(p).toContain("tasks/T2.md:3:7: bad deps");
    expect(p).toContain("not applied: nothing starts or is redone until they are fixed");
    const held = plainLine({ type: "problems", source: "mission", held: ["T2"], problems: [{ code: "x", severity: "error", file: "tasks/T2.md", line: 3, col: 7, message: "bad deps" }] });
    expect(held).toBe("T2 held (errors in its task file: nothing new starts for it); the other tasks go on:\n  tasks/T2.md:3:7: bad deps");
    expect(plainLine({ type: "pass", pass: 1, ms: 3, actions: 0, tasks: 1 })).toBeUndefined();
  });
  it("a merge is said: its commit, the paths kept as the person left them, a conflict sent back", () => {
    expect(plainLine({ type: "merge", task: "T1", sha: "0123456789abcdef", kept: [] })).toBe("T1: merged as 0123456789");
    expect(plainLine({ type: "merge", task: "T1", sha: "0123456789abcdef", kept: ["lib.js"] })).toBe("T1: merged as 0123456789; kept your uncommitted lib.js as you left it (git diff shows it against the merge)");
    expect(plainLine({ type: "merge", task: "T2", kept: [], conflict: ["list.txt"] })).toBe("T2: merging conflicts in list.txt: back to its workspace for a fixer");
  });
  it("--json writes one JSON object per event", () => {
    const out = new PassThrough();
    let text = "";
    out.on("data", (d) => (text += d));
    const v = createView("json", { running: () => new Map() }, out as unknown as NodeJS.WriteStream, () => 0);
    v.event({ type: "idle", done: 1, total: 2 });
    v.event({ type: "verify", task: "T1", ok: false, command: "npm test", output: "boom" });
    const lines = text.trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { at: "1970-01-01T00:00:00.000Z", type: "idle", done: 1, total: 2 },
      { at: "1970-01-01T00:00:00.000Z", type: "verify", task: "T1", ok: false, command: "npm test", output: "boom" },
    ]);
  });
  it("the live view redraws a block with running tasks and what is blocked on what", () => {
    const out = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
    let text = "";
    out.on("data", (d: Buffer) => (text += d));
    const v = createView("tty", { running: () => new Map([["T1", { role: "worker", attempt: 2, startedAt: 0, awaitingApproval: false }]]) }, out, () => 65_000);
    v.event({ type: "usage", task: "T1", usage: { input: 1200, output: 300, reasoning: 0, cacheRead: 0, cacheWrite: 0 }, costUsd: 0 });
    v.event({ type: "phase", task: "T3", to: "Blocked", reason: "DepsNotDone", message: "waiting for T1, T2" });
    v.close();
    expect(text).toContain("T1     worker   attempt 2   1m05s  1,500 tok $0.0000");
    expect(text).toContain("T3     blocked on T1, T2");
    expect(text).toContain("\x1b[");
  });
});
