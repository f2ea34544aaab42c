// The loop in-process with real files, the real store and the fake runtime.
import { afterEach, describe, expect, it } from "vitest";
import { readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import path from "node:path";
import { gate, makeRepo, settle, startLoop, type Harness } from "./harness.js";
import { FakeClock } from "../support/fake-clock.js";
import { drive } from "../../src/reconcile/drive.js";
import type { LoopEvent } from "../../src/reconcile/events.js";
import { TaskStates } from "../../src/store/task-states.js";
import { openStore } from "../../src/store/open.js";
import { FakeRuntime } from "../support/fake-runtime.js";
import { updateControls } from "../../src/reconcile/controls.js";
import { OrchError, failureOf } from "../../src/util/errors.js";
import { finishWith } from "../../src/cli/outcome.js";

/** The error `f` throws (undefined when it returns). */
function catchOf(f: () => unknown): unknown {
  try {
    f();
  } catch (err) {
    return err;
  }
  return undefined;
}

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe("loop", () => {
  it("runs a chain in dependency order, verifies, checks the boxes, records history", async () => {
    const root = makeRepo("# Work\n\n- [ ] T1 Write a\n- [ ] T2 Write b (after T1)\n", {
      "tasks/T2.md": "---\nid: T2\nverify: [\"test -f fake-agent/T1.txt\", \"test -f fake-agent/T2.txt\"]\n---\nDo b.\n",
    });
    h = await startLoop(root, { latencyMs: 10 });
    await settle(h);
    expect(h.todo()).toContain("- [x] T1 Write a");
    expect(h.todo()).toContain("- [x] T2 Write b (after T1)");
    const s2 = (await h.state("T2"))!;
    expect(s2.phase).toBe("Succeeded");
    expect(s2.lastVerify?.ok).toBe(true);
    expect(s2.checkedByOrch?.lineAfter).toContain("[x] T2");
    expect(h.runtime.calls.map((c) => c.taskId)).toEqual(["T1", "T2"]);
    const hist = await h.store.journal.read("T2");
    expect(hist.map((e) => (e.kind === "phase" ? `${e.from ?? ""}>${e.to}` : e.kind))).toEqual([
      "Pending>Running",
      "session-start",
      "session-end",
      "Running>Verifying",
      "verify",
      "Verifying>Succeeded",
    ]);
    // Two state writes for the attempt: Running with its session start, then the result with the
    // session's end, Verifying and the verify outcome (a quick verify: they were held for it).
    expect((await h.store.records.read("state/T2", (x) => x))!.version).toBe(2);
    // ...and its history in the same append, the transition to Succeeded included.
    for (const e of hist.slice(2)) expect(e.at, e.kind).toBe(s2.updatedAt);
  });

  it("a result write that fails: the changes it carried are recorded with the failure, then the retry succeeds", async () => {
    const root = makeRepo("- [ ] T1 Flaky disk\n");
    let writes = 0;
    h = await startLoop(root, { latencyMs: 10 }, false, false, {
      beforeRename: (key) => {
        // The second write of T1's state is the result's (session end, Verifying, verify, Succeeded).
        if (key === "state/T1" && ++writes === 2) throw new OrchError("io", ".orchestrator/state/T1.json: cannot write: EIO (injected)");
      },
    });
    await settle(h);
    expect(h.todo()).toBe("- [x] T1 Flaky disk\n");
    const kinds = (await h.store.journal.read("T1")).map((e) => (e.kind === "phase" ? `${e.from ?? ""}>${e.to}` : e.kind));
    // Attempt 1's session end, Verifying and verify outcome reached the history with its failure.
    expect(kinds.slice(0, 6)).toEqual(["Pending>Running", "session-start", "session-end", "Running>Verifying", "verify", "Verifying>Pending"]);
    expect(kinds.at(-1)).toBe("Verifying>Succeeded");
    expect(h.runtime.calls).toHaveLength(2);
  });

  it("a slow verify: the session's end and Verifying are on disk while it runs, then the result", async () => {
    // The verify waits on a pipe until the test has read the record; the hold (250 ms) runs on fake time.
    const root = makeRepo("- [ ] T1 Slow check\n");
    const g = gate(root);
    writeFileSync(path.join(root, ".orchestrator", "config.json"), JSON.stringify({ review: { enabled: false }, verify: { commands: [g.command] } }));
    const clock = new FakeClock();
    h = await startLoop(root, { latencyMs: 10 }, false, false, {}, clock);
    await h.waitFor((e) => e.type === "session" && e.status === "ended");
    await clock.advance(250); // the hold of the session's end and Verifying runs out while the verify runs
    await h.waitFor((e) => e.type === "phase" && e.to === "Verifying"); // said once on disk
    const during = (await h.state("T1"))!;
    expect(during.phase).toBe("Verifying");
    expect(during.sessions[0]?.endedAt).toBeDefined();
    expect(during.lastVerify).toBeUndefined();
    await g.open();
    await settle(h);
    expect((await h.state("T1"))!.phase).toBe("Succeeded");
    expect((await h.store.records.read("state/T1", (x) => x))!.version).toBe(3);
  });

  it("an edit during verify, after the last pass read TODO.md: checked under the lock, the box stays unchecked, the new spec runs", async () => {
    // The verify command itself rewrites the line (v1 → v2), after the pass its session's end started
    // has read TODO.md (the test opens the gate after that pass); no other pass runs until the box check.
    const root = makeRepo("- [ ] T1 v1\n");
    const g = gate(root);
    const cmd = `grep -q v2 TODO.md || { ${g.command}; printf -- '- [ ] T1 v2\\n' > TODO.md; }`;
    writeFileSync(path.join(root, ".orchestrator", "config.json"), JSON.stringify({ review: { enabled: false }, verify: { commands: [cmd] } }));
    h = await startLoop(root, { latencyMs: 20 });
    await h.waitFor((e) => e.type === "session" && e.status === "ended");
    const after = h.events.length;
    await h.waitFor((e) => e.type === "pass" && h!.events.indexOf(e) >= after); // the pass the session's end started has read TODO.md
    await g.open();
    await h.waitFor((e) => e.type === "session" && e.status === "started" && h!.runtime.calls.length === 2);
    await settle(h);
    expect(h.runtime.calls[1]!.prompt).toContain("v2");
    expect(h.todo()).toBe("- [x] T1 v2\n");
    const stale = (await h.store.journal.read("T1")).filter((e) => e.kind === "phase" && (e.detail as { reason?: string }).reason === "SucceededStale");
    expect(stale.map((e) => (e.detail as { editedBeforeCheck?: boolean }).editedBeforeCheck)).toEqual([true]);
  });

  it("a task file saved with a BOM: verified once, checked once (the check reads it as the loader does)", async () => {
    const root = makeRepo("- [ ] T1 with a file\n", { "tasks/T1.md": "\uFEFF---\nid: T1\n---\nDo it.\n" });
    h = await startLoop(root, { latencyMs: 10 });
    await settle(h);
    expect(h.todo()).toBe("- [x] T1 with a file\n");
    expect(h.runtime.calls).toHaveLength(1);
  });

  it("an edit the loop has not seen yet when an attempt succeeds: the box stays unchecked, the new spec runs", async () => {
    // No watcher: the edit is on disk but not in the loop's mission when the v1 attempt finishes.
    const root = makeRepo("- [ ] T1 v1\n");
    h = await startLoop(root, { latencyMs: 300 });
    await h.waitFor((e) => e.type === "session" && e.status === "started");
    h.write("TODO.md", "- [ ] T1 v2\n");
    await h.waitFor((e) => e.type === "session" && e.status === "started" && h!.runtime.calls.length === 2);
    await settle(h);
    expect(h.runtime.calls[1]!.prompt).toContain("v2");
    expect(h.todo()).toBe("- [x] T1 v2\n");
    const reasons = (await h.store.journal.read("T1")).filter((e) => e.kind === "phase").map((e) => (e.detail as { reason?: string } | undefined)?.reason);
    // v1's result is recorded as stale (never checked on v2's line), then v2 reruns and succeeds.
    expect(reasons.indexOf("SucceededStale")).toBeGreaterThan(-1);
    expect(reasons.indexOf("SucceededStale")).toBeLessThan(reasons.lastIndexOf("Succeeded"));
  });

  it("concurrency counts sessions: the next worker runs while a task verifies; its reviewer waits for a slot; never two sessions", async () => {
    // total 1, reviews on, T1's verify waits until T2's worker started: T2's worker runs during T1's verify.
    const root = makeRepo("- [ ] T1 a\n- [ ] T2 b\n- [ ] T3 c\n");
    const g = gate(root);
    const cmd = `if mkdir first-verify 2>/dev/null; then ${g.command}; fi`; // only the first verify (T1's) waits
    writeFileSync(path.join(root, ".orchestrator", "config.json"), JSON.stringify({ concurrency: { total: 1 }, review: { enabled: true }, verify: { commands: [cmd] } }));
    h = await startLoop(root, { latencyMs: 150 });
    await h.waitFor((e) => e.type === "session" && e.task === "T2" && e.status === "started");
    await g.open();
    await settle(h);
    expect(h.todo()).toBe("- [x] T1 a\n- [x] T2 b\n- [x] T3 c\n");
    expect(h.runtime.peakLive).toBe(1);
    const roles = h.runtime.calls.map((c) => `${c.taskId}:${c.role}`);
    // T2's worker started before T1's reviewer: T1 gave its slot back while it verified.
    expect(roles.indexOf("T2:worker")).toBeLessThan(roles.indexOf("T1:reviewer"));
    expect(roles.filter((r) => r.endsWith(":reviewer"))).toHaveLength(3);
  });

  it("retries a retryable failure with backoff, then fails terminally with the reason", async () => {
    const root = makeRepo("- [ ] T1 flaky\n- [ ] T2 broken\n");
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: ["fail", "ok"], T2: ["terminal"] } });
    await settle(h);
    const s1 = (await h.state("T1"))!;
    expect(s1).toMatchObject({ phase: "Succeeded", attempts: 2 });
    const s2 = (await h.state("T2"))!;
    expect(s2).toMatchObject({ phase: "Failed", lastError: { code: "unknown-model", terminal: true } });
    expect(h.todo()).toContain("- [ ] T2 broken");
  });

  it("a failing verify runs a fixer within the attempt budget, then fails with VerifyFailed", async () => {
    const root = makeRepo("- [ ] T1 never passes\n", { "tasks/T1.md": "---\nid: T1\nverify: \"echo nope >&2; exit 3\"\nbudget: { attempts: 2 }\n---\n" });
    h = await startLoop(root, { latencyMs: 5 });
    await settle(h);
    const s = (await h.state("T1"))!;
    expect(s).toMatchObject({ phase: "Failed", attempts: 2, lastError: { code: "VerifyFailed", terminal: true } });
    expect(s.lastVerify?.commands[0]).toMatchObject({ exitCode: 3, output: expect.stringContaining("nope") });
    expect(h.runtime.calls.map((c) => c.role)).toEqual(["worker", "fixer"]);
    expect(h.runtime.calls[1]!.prompt).toContain("nope");
  });

  it("review: a rejection leads to a fixer, an approval to success", async () => {
    const root = makeRepo("- [ ] T1 reviewed\n", {}, { review: { enabled: true } });
    h = await startLoop(root, { latencyMs: 5, reviews: { T1: [false, true] } });
    await settle(h);
    expect((await h.state("T1"))!).toMatchObject({ phase: "Succeeded", attempts: 2, lastReview: { approved: true } });
    expect(h.runtime.calls.map((c) => c.role)).toEqual(["worker", "reviewer", "fixer", "reviewer"]);
  });

  it("a stalled session is aborted and retried", async () => {
    // Generous budget: on a loaded machine a slow state write can itself look like a stall.
    const root = makeRepo("- [ ] T1 hangs once\n", {}, { stallSec: 0.5, budget: { attempts: 6 } });
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: ["hang", "ok"] } });
    await settle(h);
    const hist = await h.store.journal.read("T1");
    expect(hist.some((e) => e.to === "Stalled")).toBe(true);
    expect((await h.state("T1"))!.phase).toBe("Succeeded");
  });

  it("an infrastructure failure streak opens the breaker: no more sessions until the cooldown", async () => {
    const root = makeRepo("- [ ] T1 a\n- [ ] T2 b\n- [ ] T3 c\n", {}, { circuitBreaker: { failures: 2, cooldownSec: 60 }, concurrency: { total: 1 }, budget: { attempts: 9 } });
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: ["infra"], T2: ["infra"], T3: ["infra"] } });
    await h.waitFor((e) => e.type === "session" && e.status === "ended" && h!.runtime.calls.length >= 2);
    // Every backoff (20-100 ms) has run out with the breaker open: the next pass is due at the cooldown.
    await h.waitFor((e) => e.type === "pass" && (h!.loop.lastPlan?.requeueAfterMs ?? 0) > 10_000);
    expect(h.runtime.calls.length).toBe(2);
  });

  it("a session that could not start (no server) is not charged: on a one-attempt budget the task still completes once the server answers", async () => {
    const root = makeRepo("- [ ] T1 a\n", {}, { budget: { attempts: 1 } });
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: ["unreachable", "unreachable", "ok"] } });
    await settle(h);
    expect(h.runtime.calls.length).toBe(3);
    expect((await h.state("T1"))!).toMatchObject({ phase: "Succeeded", attempts: 1 });
    const hist = await h.store.journal.read("T1");
    // The outage is said once, not once per start; attempts that never started are not recorded as started.
    const phases = hist.filter((e) => e.kind === "phase").map((e) => `${e.to} ${e.detail?.reason}`);
    expect(phases.filter((p) => p.startsWith("Pending") || p.startsWith("Running"))).toEqual(["Pending ServerUnreachable", "Running Started"]);
    expect(phases.at(-1)).toBe("Succeeded Succeeded");
    // Sessions the server never made are not recorded or shown as sessions: an outage does not grow the record.
    expect((await h.state("T1"))!.sessions.map((s) => s.outcome)).toEqual(["ok"]);
    expect(hist.filter((e) => e.kind === "session-start")).toHaveLength(1);
    expect(h.events.filter((e) => e.type === "session")).toHaveLength(2); // the real one's started and ended
    // A server dying mid-session is charged as before (the task may be what killed it).
    const root2 = makeRepo("- [ ] T1 a\n", {}, { budget: { attempts: 1 } });
    await h.close();
    h = await startLoop(root2, { latencyMs: 5, outcomes: { T1: ["infra", "ok"] } });
    await settle(h);
    expect((await h.state("T1"))!).toMatchObject({ phase: "Failed", attempts: 1 });
  });

  it("orch watch waits for an unreachable server: says so once when the breaker opens, charges nothing, runs the task when the server answers", async () => {
    const root = makeRepo("- [ ] T1 a\n", {}, { circuitBreaker: { failures: 2, cooldownSec: 0.3 }, concurrency: { total: 1 } });
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: ["unreachable", "unreachable", "unreachable", "ok"] } }, true);
    await h.waitFor((e) => e.type === "phase" && e.task === "T1" && e.to === "Succeeded");
    const notices = h.events.filter((e) => e.type === "error");
    expect(notices).toEqual([{ type: "error", message: "the OpenCode server cannot be reached (fake server-down); waiting for it, trying again every 0.3 s" }]);
    expect((await h.state("T1"))!).toMatchObject({ phase: "Succeeded", attempts: 1 });
    // Three probes, one line: a long outage does not grow the history or the output.
    expect(h.runtime.calls.length).toBe(4);
    const hist = await h.store.journal.read("T1");
    expect(hist.filter((e) => e.detail?.reason === "ServerUnreachable")).toHaveLength(1);
    expect(h.events.filter((e) => e.type === "phase" && e.reason === "ServerUnreachable")).toHaveLength(1);
  });

  it("a task whose first session is not a worker's (role: planner) waits for the server as quietly", async () => {
    const root = makeRepo("- [ ] T1 a\n", { "tasks/T1.md": "---\nid: T1\nrole: planner\n---\nPlan a.\n" }, { circuitBreaker: { failures: 2, cooldownSec: 0.2 }, concurrency: { total: 1 } });
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: ["unreachable", "unreachable", "unreachable", "ok"] } }, true);
    await h.waitFor((e) => e.type === "phase" && e.task === "T1" && e.to === "Succeeded");
    expect(h.runtime.calls.map((c) => c.role)).toEqual(["planner", "planner", "planner", "planner"]);
    const hist = await h.store.journal.read("T1");
    expect(hist.filter((e) => e.detail?.reason === "ServerUnreachable")).toHaveLength(1);
    expect(hist.filter((e) => e.kind === "phase" && e.to === "Running")).toHaveLength(1);
    expect((await h.state("T1"))!).toMatchObject({ phase: "Succeeded", attempts: 1 });
  });

  it("orch stopping while a start waits on an unreachable server gives back no attempt it never took", async () => {
    const root = makeRepo("- [ ] T1 a\n", {}, { budget: { attempts: 3 } });
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: ["fail", "unreachable"] }, unreachableAfterMs: { T1: 300 } });
    await h.runtime.whenCalls(2); // attempt 1 failed; attempt 2's start waits
    await h.loop.stop(); // shutdown: attempt 2 is aborted before its start says the server is unreachable
    expect(await h.state("T1")).toMatchObject({ phase: "Pending", attempts: 1, lastError: { code: "model-error" } });
    expect((await h.store.journal.read("T1")).at(-1)).toMatchObject({ kind: "phase", to: "Pending", detail: { reason: "Aborted" } });
  });

  it("a reviewer that cannot start after the worker ran is charged: the task fails within its budget instead of retrying for ever", async () => {
    const root = makeRepo("- [ ] T1 a\n", {}, { review: { enabled: true }, budget: { attempts: 2 } });
    h = await startLoop(root, { latencyMs: 5, reviews: { T1: ["unreachable"] } });
    await settle(h);
    expect((await h.state("T1"))!).toMatchObject({ phase: "Failed", attempts: 2 });
    expect(h.runtime.calls.map((c) => c.role)).toEqual(["worker", "reviewer", "worker", "reviewer"]);
  });

  it("orch run stops when the server cannot be reached: exit 4 (OrchError), nothing charged, tasks left Pending, TODO.md untouched", async () => {
    const todo = "- [ ] T1 a\n- [ ] T2 b\n";
    const root = makeRepo(todo, {}, { circuitBreaker: { failures: 3, cooldownSec: 60 }, concurrency: { total: 1 } });
    const runtime = new FakeRuntime({ outcomes: { T1: ["unreachable"], T2: ["unreachable"] } });
    const events: LoopEvent[] = [];
    const outcome = await drive({ root, runtime, mode: "run", emit: (e) => events.push(e), signals: false });
    try {
      expect(outcome).toEqual({ kind: "server-unreachable", what: "server", reason: "the OpenCode server cannot be reached (fake server-down)" });
      // The CLI's mapping: exit 4 with the reason.
      const err = catchOf(() => finishWith(outcome));
      expect(err).toBeInstanceOf(OrchError);
      expect(failureOf(err)).toMatchObject({ code: "server-unreachable", exitCode: 4, message: "orch run stopped: the OpenCode server cannot be reached (fake server-down)" });
      // Stopped on the breaker (3 failures), not after the cooldown or the budget.
      expect(runtime.calls.length).toBe(3);
      const store = openStore(root);
      for (const id of ["T1", "T2"]) expect((await new TaskStates(store).read(id))?.value).toMatchObject({ phase: "Pending", attempts: 0 });
      expect(readFileSync(path.join(root, "TODO.md"), "utf8")).toBe(todo);
      expect(events.some((e) => e.type === "lease" && e.status === "released")).toBe(true);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("orch retry of a task orch checked: its box is unchecked through the TODO.md writer, the task is redone and checked again", async () => {
    const root = makeRepo("# Work\n\n- [ ] T1 Write a\n");
    h = await startLoop(root, { latencyMs: 10 });
    await settle(h);
    expect(h.todo()).toContain("- [x] T1 Write a");
    await updateControls(h.store.records, (c) => ({ ...c, retry: { T1: "r1" } }));
    h.loop.enqueue();
    await h.waitFor((e) => e.type === "phase" && e.task === "T1" && e.to === "Pending");
    await settle(h);
    expect(h.todo()).toContain("- [x] T1 Write a");
    expect(h.runtime.calls.map((c) => c.taskId)).toEqual(["T1", "T1"]);
    expect(await h.state("T1")).toMatchObject({ phase: "Succeeded", attempts: 1, retryHandled: "r1" });
    const kinds = (await h.store.journal.read("T1")).map((e) => (e.kind === "phase" ? `${e.to} ${e.detail?.reason}` : e.kind));
    expect(kinds.slice(kinds.indexOf("unchecked"), kinds.indexOf("unchecked") + 3)).toEqual(["unchecked", "Pending ManualRetry", "Running Started"]);
    expect(kinds.at(-1)).toBe("Succeeded Succeeded");
  });
});

describe("loop: approvals", () => {
  it("a permission routed to a person: AwaitingApproval, no stall meanwhile, then runs on when approved", async () => {
    const { decide } = await import("../../src/runtime/approvals.js");
    const root = makeRepo("- [ ] T1 needs approval\n", {}, { stallSec: 1 });
    const clock = new FakeClock();
    h = await startLoop(root, { latencyMs: 40, outcomes: { T1: [{ permission: "bash" }] } }, false, false, {}, clock);
    await h.waitFor((e) => e.type === "phase" && e.task === "T1" && e.to === "AwaitingApproval");
    const before = h.events.length;
    await clock.advance(1500); // longer than stallSec: waiting for a person is not a stall
    await h.waitFor((e) => e.type === "pass" && h!.events.indexOf(e) >= before); // the pass at the stall deadline
    expect((await h.state("T1"))!.phase).toBe("AwaitingApproval");
    expect(h.events.some((e) => e.type === "action" && e.action.type === "abort")).toBe(false);
    await decide(h.store.approvals, "T1", "approve");
    await settle(h);
    expect((await h.state("T1"))!).toMatchObject({ phase: "Succeeded", attempts: 1 });
  });
});

describe("loop: prompts", () => {
  it("the worker prompt carries the task, its deps' review summaries and the context pack of its scope", async () => {
    const root = makeRepo("- [ ] T1 Words\n- [ ] T2 Slugify (after T1)\n", {
      "src/words.js": "export function splitWords(text) {\n  return text.split(/\\s+/);\n}\n",
      "tasks/T2.md": "---\nid: T2\nfiles: [\"src/*.js\"]\n---\nUse splitWords to build slugify.\n",
    }, { review: { enabled: true } });
    h = await startLoop(root, { latencyMs: 5 }, false, true);
    await settle(h);
    const p = h.runtime.calls.find((c) => c.taskId === "T2" && c.role === "worker")!.prompt;
    expect(p).toContain("Use splitWords to build slugify.");
    expect(p).toContain("T1: looks right");
    expect(p).toContain("src/words.js");
  });
});

describe("loop: budgets", () => {
  it("a running session that spends past the token budget is stopped: Failed, BudgetExhausted, a hard stop", async () => {
    const root = makeRepo("- [ ] T1 spender\n", { "tasks/T1.md": "---\nid: T1\nbudget: { tokens: 1000 }\n---\n" });
    h = await startLoop(root, { latencyMs: 60_000, tokensPerSession: 200, usageEveryMs: 20 });
    await settle(h);
    const s = (await h.state("T1"))!;
    expect(s).toMatchObject({ phase: "Failed", lastError: { code: "budget", terminal: true } });
    expect(s.usage.input).toBeGreaterThanOrEqual(1000);
    expect(h.events.some((e) => e.type === "action" && e.action.type === "abort" && e.action.reason === "budget")).toBe(true);
    expect(h.runtime.calls.length).toBe(1);
  });
});

describe("loop: invalid desired state", () => {
  it("orch run on a TODO.md with errors from the start: nothing starts, exit 2 naming the problem (file:line:col)", async () => {
    const todo = "- [ ] T1 a (after T9)\n- [ ] T2 b\n";
    const root = makeRepo(todo);
    const runtime = new FakeRuntime({ latencyMs: 5 });
    try {
      const outcome = await drive({ root, runtime, mode: "run", emit: () => {}, signals: false });
      expect(outcome).toEqual({ kind: "invalid", problems: ["TODO.md:1:1: T1 depends on unknown task T9"] });
      expect(failureOf(catchOf(() => finishWith(outcome)))).toMatchObject({ code: "invalid", exitCode: 2, message: "orch run stopped: TODO.md:1:1: T1 depends on unknown task T9" });
      expect(runtime.calls).toEqual([]);
      expect(readFileSync(path.join(root, "TODO.md"), "utf8")).toBe(todo);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  for (const [what, file, text] of [
    ["TODO.md", "TODO.md", "- [ ] T1 a\n- [ ] T2 b (after T1)\n- [ ] T2 again\n"],
    ["the config", ".orchestrator/config.json", '{ "concurrency": { "total": "many" } }'],
  ] as const) {
    it(`${what} made invalid mid-run: the running attempt ends and is recorded, nothing more starts (not T2 of the last valid mission), exit 2`, async () => {
      const root = makeRepo("- [ ] T1 a\n- [ ] T2 b (after T1)\n", { "tasks/T1.md": "---\nid: T1\nverify: \"cat gate > /dev/null\"\n---\n" });
      const g = gate(root);
      const runtime = new FakeRuntime({ latencyMs: 5 });
      const events: LoopEvent[] = [];
      let verifying!: () => void;
      const seen = new Promise<void>((r) => (verifying = r));
      try {
        const run = drive({ root, runtime, mode: "run", signals: false, emit: (e) => (events.push(e), e.type === "phase" && e.task === "T1" && e.to === "Verifying" && verifying()) });
        await seen;
        writeFileSync(path.join(root, file), text);
        await g.open();
        const outcome = await run;
        expect(outcome).toMatchObject({ kind: "invalid" });
        expect(runtime.calls.map((c) => c.taskId)).toEqual(["T1"]);
        expect((await new TaskStates(openStore(root)).read("T1"))!.value.phase).toBe("Succeeded");
        expect(events.some((e) => e.type === "action" && e.action.type === "start" && e.action.id === "T2")).toBe(false);
      } finally {
        rmSync(root, { recursive: true, force: true });
      }
    });
  }

  it("orch watch waits while TODO.md has errors: a retry that falls due meanwhile does not start; fixed, it goes on", async () => {
    const root = makeRepo("- [ ] T1 a\n", {}, { retry: { baseMs: 1000, maxMs: 1000, jitter: 0 } });
    const clock = new FakeClock();
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: ["fail", "ok"] } }, true, false, {}, clock);
    await h.waitFor((e) => e.type === "phase" && e.task === "T1" && e.to === "Pending" && e.reason === "RetryableError");
    h.write("TODO.md", "- [ ] T1 a\n- [ ] T2 b (after T9)\n");
    h.loop.enqueue(); // what the watcher's event does (its debounce runs on the fake clock)
    await h.waitFor((e) => e.type === "problems" && e.source === "mission");
    const before = h.events.length;
    await clock.advance(2000); // the retry falls due
    await h.waitFor((e) => e.type === "pass" && h!.events.indexOf(e) >= before);
    await settle(h);
    expect(h.runtime.calls.map((c) => c.taskId)).toEqual(["T1"]);
    h.write("TODO.md", "- [ ] T1 a\n- [ ] T2 b\n");
    h.loop.enqueue();
    await h.waitFor((e) => e.type === "phase" && e.task === "T2" && e.to === "Succeeded");
    await h.waitFor((e) => e.type === "phase" && e.task === "T1" && e.to === "Succeeded");
  });
});

describe("loop: unchecks orch made", () => {
  it("orch stopped after recording a success but before checking its box: on restart the box is checked, not redone", async () => {
    const root = makeRepo("- [ ] T1 a\n");
    const first = await startLoop(root, { latencyMs: 5 });
    await settle(first);
    await first.loop.stop();
    const s = (await first.state("T1"))!;
    expect(s.checkedByOrch).toBeDefined();
    // As if the box write never happened: the line as before, the file last written before the success.
    writeFileSync(path.join(root, "TODO.md"), "- [ ] T1 a\n");
    const before = new Date(Date.parse(s.checkedByOrch!.at) - 5_000);
    utimesSync(path.join(root, "TODO.md"), before, before);
    h = await startLoop(root, { latencyMs: 5 });
    await settle(h);
    expect(h.runtime.calls).toEqual([]);
    expect(h.todo()).toBe("- [x] T1 a\n");
    expect(await h.state("T1")).toMatchObject({ phase: "Succeeded", attempts: 1 });
  });
  it("the same line unchecked by a person after the check (the file written since): a redo", async () => {
    const root = makeRepo("- [ ] T1 a\n");
    const first = await startLoop(root, { latencyMs: 5 });
    await settle(first);
    await first.loop.stop();
    writeFileSync(path.join(root, "TODO.md"), "- [ ] T1 a\n");
    h = await startLoop(root, { latencyMs: 5 });
    await settle(h);
    expect(h.runtime.calls.map((c) => c.taskId)).toEqual(["T1"]);
  });
});

describe("loop: doom loops", () => {
  it("a worker session stopped in a doom loop goes to a fixer, told what it repeated; the error is in the history", async () => {
    const message = 'the agent repeated the same bash call 5 times (input {"command":"ls"}); the session was stopped';
    const root = makeRepo("- [ ] T1 loops once\n", {}, { budget: { attempts: 3 } });
    h = await startLoop(root, { latencyMs: 10, outcomes: { T1: [{ error: "doom-loop", message }, "ok"] } });
    await settle(h);
    expect(h.runtime.calls.map((c) => c.role)).toEqual(["worker", "fixer"]);
    expect(h.runtime.calls[1]!.prompt).toContain(message);
    expect(await h.state("T1")).toMatchObject({ phase: "Succeeded", attempts: 2 });
    const hist = await h.store.journal.read("T1");
    expect(hist.find((e) => e.kind === "session-end")).toMatchObject({ role: "worker", error: `doom-loop: ${message}` });
  });
  it("a doom loop on the last attempt fails the task with reason DoomLoop", async () => {
    const root = makeRepo("- [ ] T1 always loops\n", {}, { budget: { attempts: 1 } });
    h = await startLoop(root, { latencyMs: 10, outcomes: { T1: [{ error: "doom-loop" }] } });
    await settle(h);
    expect(await h.state("T1")).toMatchObject({ phase: "Failed", lastError: { code: "DoomLoop", terminal: true } });
  });
});

describe("loop: mission budget", () => {
  it("what a deleted task spent still counts after a restart: the task added again does not start on a used-up mission budget", async () => {
    const root = makeRepo("- [ ] T1 a\n- [ ] T2 b\n", {}, { missionBudget: { tokens: 150 } });
    const config = (tokens: number) => writeFileSync(path.join(root, ".orchestrator", "config.json"), JSON.stringify({ review: { enabled: false }, missionBudget: { tokens } }));
    const run = async (todo: string) => {
      writeFileSync(path.join(root, "TODO.md"), todo);
      const runtime = new FakeRuntime({ latencyMs: 5, tokensPerSession: 100 });
      return { outcome: await drive({ root, runtime, mode: "run", emit: () => {}, signals: false }), runtime };
    };
    try {
      // T1 spends 100 tokens; then its line goes (a process finalizes it); T2 spends 100 more in the next one.
      config(1000);
      expect((await run("- [ ] T1 a\n")).outcome).toEqual({ kind: "all-done" });
      expect((await run("- [ ] T2 b\n")).outcome).toEqual({ kind: "all-done" });
      expect((await openStore(root).journal.read("T1")).at(-1)).toMatchObject({ kind: "deleted", detail: { spentTokens: 100 } });
      // A new process: 200 spent (T2's record, T1's deleted line), the budget 200: T1 added again does not start.
      config(200);
      const again = await run("- [ ] T1 a\n- [x] T2 b\n");
      expect(again.outcome).toEqual({ kind: "mission-budget", reason: "used 200 of 200 mission tokens" });
      expect(again.runtime.calls).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("orch run stops when the mission's tokens are used up: the running session aborted (mission-budget), nothing else starts, Pending not Failed, exit 5", async () => {
    // Three tasks, one session at a time; each session spends 200 tokens per tick and never ends on its own.
    const root = makeRepo("- [ ] T1 a\n- [ ] T2 b\n- [ ] T3 c\n", {}, { missionBudget: { tokens: 1000 }, concurrency: { total: 1 }, budget: { attempts: 3 } });
    const runtime = new FakeRuntime({ latencyMs: 60_000, tokensPerSession: 200, usageEveryMs: 20 });
    const events: LoopEvent[] = [];
    try {
      const outcome = await drive({ root, runtime, mode: "run", emit: (e) => events.push(e), signals: false });
      expect(outcome).toEqual({ kind: "mission-budget", reason: expect.stringMatching(/^used \d+ of 1000 mission tokens$/) });
      expect(failureOf(catchOf(() => finishWith(outcome)))).toMatchObject({ code: "mission-budget", exitCode: 5, message: expect.stringContaining("the mission budget is used up") });
      expect(runtime.calls.map((c) => c.taskId)).toEqual(["T1"]);
      expect(events.some((e) => e.type === "action" && e.action.type === "abort" && e.action.reason === "mission-budget")).toBe(true);
      expect(events.filter((e) => e.type === "error" && e.message.startsWith("mission budget used up")).length).toBe(1);
      const t1 = (await new TaskStates(openStore(root)).read("T1"))!.value;
      expect(t1).toMatchObject({ phase: "Pending", attempts: 0, lastError: { code: "mission-budget", terminal: false } });
      expect(t1.usage.input).toBeGreaterThanOrEqual(1000);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  it("orch watch waits at the mission budget, says so once, and goes on when the config raises it", async () => {
    const root = makeRepo("- [ ] T1 a\n- [ ] T2 b\n", {}, { missionBudget: { tokens: 100 }, concurrency: { total: 1 } });
    h = await startLoop(root, { latencyMs: 5, tokensPerSession: 100 }, true);
    await h.waitFor((e) => e.type === "error" && e.message.startsWith("mission budget used up"));
    await settle(h);
    expect(h.runtime.calls.map((c) => c.taskId)).toEqual(["T1"]);
    expect(h.events.find((e) => e.type === "error" && e.message.startsWith("mission budget"))).toMatchObject({ message: expect.stringContaining("waiting for a higher missionBudget") });
    h.write(".orchestrator/config.json", JSON.stringify({ review: { enabled: false }, missionBudget: { tokens: 10_000 }, concurrency: { total: 1 } }));
    await h.waitFor((e) => e.type === "phase" && e.task === "T2" && e.to === "Succeeded");
    expect(h.events.filter((e) => e.type === "error" && e.message.startsWith("mission budget")).length).toBe(1);
  });
});

describe("loop: mission budget of deleted tasks", () => {
  it("a task deleted from TODO.md still counts: its finalized record's spend stays in the mission's total", async () => {
    const root = makeRepo("- [ ] T1 a\n", {}, { missionBudget: { tokens: 300 } });
    h = await startLoop(root, { latencyMs: 5, tokensPerSession: 200 }, true);
    await settle(h);
    expect(await h.state("T1")).toMatchObject({ phase: "Succeeded" });
    // T1's line goes (its record with it); then T2 and T3 come. 200 (T1) + 200 (T2) reach the budget before T3.
    h.write("TODO.md", "- [x] T0 placeholder\n");
    h.loop.enqueue();
    await h.waitFor((e) => e.type === "phase" && e.task === "T1" && e.to === "Cancelled");
    expect(await h.state("T1")).toBeUndefined();
    h.write("TODO.md", "- [x] T0 placeholder\n- [ ] T2 b\n- [ ] T3 c (after T2)\n");
    h.loop.enqueue();
    await h.waitFor((e) => e.type === "error" && e.message.startsWith("mission budget used up"));
    await settle(h);
    expect(h.runtime.calls.map((c) => c.taskId)).toEqual(["T1", "T2"]);
    const deleted = (await h.store.journal.read("T1")).find((e) => e.kind === "deleted");
    expect(deleted?.detail).toMatchObject({ spentTokens: 200, spentUsd: 0 });
  });
});

describe("loop: git and leases", () => {
  it("git.commit task: a succeeded task's changes are committed with its trailers", async () => {
    const { execFileSync } = await import("node:child_process");
    // The fake runtime's own note (fake-agent/) is outside the scope: ignored, as an agent's scratch would have to be.
    const root = makeRepo("- [ ] T1 write\n", { "tasks/T1.md": "---\nid: T1\nfiles: [\"out.txt\"]\n---\n", ".gitignore": "fake-agent/\n" }, { git: { commit: "task" } });
    const git = (...a: string[]) => execFileSync("git", a, { cwd: root, encoding: "utf8" });
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("-c", "user.email=t@orch", "-c", "user.name=t", "commit", "-qm", "init");
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: [{ write: { "out.txt": "hello\n" } }] } });
    await settle(h);
    const log = git("log", "-1", "--format=%B");
    expect(log).toMatch(/T1/);
    expect(git("show", "--stat", "HEAD")).toContain("out.txt");
    // Merged from its workspace (the default): the history names the merge.
    expect((await h.store.journal.read("T1")).some((e) => e.kind === "merge")).toBe(true);
  });

  it("a lost lease stops the loop at once; its writes are refused", async () => {
    const root = makeRepo("- [ ] T1 slow\n", {}, { lease: { ttlSec: 0.3 } });
    h = await startLoop(root, { latencyMs: 60_000 });
    await h.waitFor((e) => e.type === "session" && e.status === "started");
    // Another process takes the lease over (as after a long pause of this one).
    await h.store.records.update("runtime/leases/mission", (x) => x as { name: string; holder: string; token: number; expiresAt: number }, (cur) => ({ ...cur!, holder: "other", token: cur!.token + 1, expiresAt: Date.now() + 60_000 }));
    await h.waitFor((e) => e.type === "lease" && e.status === "lost");
    expect(h.loop.isStopped).toBe(true);
    expect((await h.state("T1"))!.phase).toBe("Running"); // left for the new holder to adopt
  });
});

describe("loop: stop", () => {
  it("a second stop() waits for the shutdown the first started: the attempt is recorded and the lease released when it returns", async () => {
    const root = makeRepo("- [ ] T1 slow\n");
    h = await startLoop(root, { latencyMs: 60_000 });
    await h.waitFor((e) => e.type === "session" && e.status === "started");
    const first = h.loop.stop();
    await h.loop.stop(); // e.g. drive's stop after the loop stopped itself on a lost lease
    expect(h.events.some((e) => e.type === "lease" && e.status === "released")).toBe(true);
    expect((await h.state("T1"))!.phase).toBe("Pending"); // aborted and recorded, not charged
    await first;
  });
});

describe("loop: restart beside a surviving backend", () => {
  it("a record left Running with a live session is re-attached, not relaunched, and not charged twice", async () => {
    const { FakeRuntime } = await import("../support/fake-runtime.js");
    const { openStore } = await import("../../src/store/open.js");
    const { loadConfig, loadMission } = await import("../../src/spec/load.js");
    const { Reconciler } = await import("../../src/reconcile/loop.js");
    const root = makeRepo("- [ ] T1 long\n");
    const runtime = new FakeRuntime({ latencyMs: 400 });
    const store = openStore(root);
    const m = await loadMission(root, (await loadConfig(root)).config);
    const gen = m.tasks[0]!.generation;
    // What a crashed orch leaves: a session still running in the backend, its record says Running.
    const live = await runtime.start({ taskId: "T1", attempt: 1, role: "worker", directory: root, model: "a/b", title: "T1", prompt: "p" }, () => {});
    const at = new Date().toISOString();
    await store.records.write("state/T1", { id: "T1", phase: "Running", generation: gen, observedGeneration: gen, conditions: [], attempts: 1, sessions: [{ id: live.sessionId, role: "worker", attempt: 1, startedAt: at }], createdAt: at, updatedAt: at, usage: { input: 0, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 }, costUsd: 0 }, undefined);
    const events: { type: string; status?: string }[] = [];
    const loop = new Reconciler({ root, store, runtime, watch: false, emit: (e) => events.push(e) });
    await loop.start();
    await loop.until(() => loop.settled);
    await loop.stop();
    expect(events.some((e) => e.type === "session" && e.status === "attached")).toBe(true);
    expect(runtime.calls.length).toBe(1); // only the session the test started
    const s = (await store.records.read("state/T1", (x) => x as { phase: string; attempts: number }))!.value;
    expect(s).toMatchObject({ phase: "Succeeded", attempts: 1 });
  });
});
