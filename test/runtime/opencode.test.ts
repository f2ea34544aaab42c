// OpenCodeRuntime against a real `opencode serve` of each OpenCode version and the scripted model (offline, isolated).
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reply, steps } from "../support/script.js";
import type { ModelRequest } from "../../src/demo/scripted-model.js";
import { decide } from "../../src/runtime/approvals.js";
import { ApprovalFiles } from "../../src/store/approval-files.js";
import type { SessionEvent } from "../../src/runtime/types.js";
import { RUNTIMES, startHarness, TOOL_NAMES, type Harness } from "../support/opencode-harness.js";

/** Collects events and resolves when one matches. */
function recorder() {
  const events: SessionEvent[] = [];
  const waiters: Array<{ pred: (e: SessionEvent) => boolean; resolve: (e: SessionEvent) => void }> = [];
  const onEvent = (e: SessionEvent) => {
    events.push(e);
    for (const w of [...waiters]) if (w.pred(e)) w.resolve(e);
  };
  const waitFor = (pred: (e: SessionEvent) => boolean) =>
    new Promise<SessionEvent>((resolve) => {
      const hit = events.find(pred);
      if (hit) resolve(hit);
      else waiters.push({ pred, resolve });
    });
  return { events, onEvent, waitFor };
}

describe.each(RUNTIMES)("OpenCodeRuntime on a real %s server", (runtime) => {
  let h: Harness;
  const tool = TOOL_NAMES[runtime];
  beforeAll(async () => {
    h = await startHarness(steps([]), { runtime, permissions: { edit: "allow", bash: "ask", webfetch: "deny", external_directory: "deny", doom_loop: "deny", task: "deny" } });
  });
  afterAll(async () => h?.close());

  it("a worker session writes a file with OpenCode's own write tool; tokens and cost are counted", async () => {
    h.model.setScript(steps([{ when: { role: "worker", turn: 0 }, reply: reply.write("hello.txt", "hello from the worker\n") }, { reply: reply.text("Wrote hello.txt.") }]));
    const dir = h.repo();
    const rec = recorder();
    const handle = await h.runtime.start(h.request(dir), rec.onEvent);
    const res = await handle.done;
    expect(res.error).toBeUndefined();
    expect(res.ok).toBe(true);
    expect(res.text).toBe("Wrote hello.txt.");
    expect(readFileSync(path.join(dir, "hello.txt"), "utf8")).toBe("hello from the worker\n");
    // Two model turns, each with scripted usage; the demo model costs $1/M in, $2/M out.
    expect(res.usage.input).toBeGreaterThan(0);
    expect(res.usage.output).toBeGreaterThan(0);
    expect(res.costUsd).toBeCloseTo((res.usage.input * 1 + res.usage.output * 2) / 1e6, 9);
    const usage = rec.events.filter((e) => e.type === "usage").at(-1);
    expect(usage).toMatchObject({ type: "usage", sessionId: res.sessionId, costUsd: res.costUsd });
    // The agent's words reach a person watching as it says them (the prompt's text does not).
    expect(rec.events.filter((e) => e.type === "said")).toEqual([{ type: "said", sessionId: res.sessionId, text: "Wrote hello.txt." }]);
    expect(rec.events.some((e) => e.type === "progress")).toBe(true);
    // Every model request ran in the task's directory with the worker agent's prompt.
    const reqs = h.model.requests.filter((r) => r.directory === dir);
    expect(reqs.length).toBe(2);
    expect(reqs[0]!.system).toContain("orch-role: worker");
    expect(reqs[0]!.tools).not.toContain(tool.task);
  });

  it("model garbage ends the session with a retryable model-error", async () => {
    h.model.setScript(steps([{ reply: reply.garbage() }]));
    const res = await (await h.runtime.start(h.request(h.repo()), () => {})).done;
    expect(res.ok).toBe(false);
    expect(res.error).toMatchObject({ code: "model-error", terminal: false, infrastructure: false });
  });

  it("429 is rate-limited (retryable), 500 is a provider infrastructure error", async () => {
    h.model.setScript(steps([{ reply: reply.error(429, '{"error":{"message":"Rate limit exceeded"}}') }]));
    const dir = h.repo();
    const r429 = await (await h.runtime.start(h.request(dir), () => {})).done;
    expect(r429.error).toMatchObject({ code: "rate-limited", terminal: false });
    h.model.setScript(steps([{ reply: reply.error(500, '{"error":{"message":"upstream exploded"}}') }]));
    const r500 = await (await h.runtime.start(h.request(dir), () => {})).done;
    expect(r500.error).toMatchObject({ code: "provider-error", terminal: false, infrastructure: true });
  });

  it("an unknown model is a terminal unknown-model error, not a hang", async () => {
    const res = await (await h.runtime.start(h.request(h.repo(), { model: "orch-demo/no-such-model" }), () => {})).done;
    expect(res.error).toMatchObject({ code: "unknown-model", terminal: true });
    expect(res.error!.message).not.toContain("\n");
  });

  it("abort stops a hung session: session.abort, error aborted", async () => {
    h.model.setScript(steps([{ reply: reply.hang() }]));
    const rec = recorder();
    const handle = await h.runtime.start(h.request(h.repo()), rec.onEvent);
    await rec.waitFor((e) => e.type === "progress");
    await handle.abort();
    const res = await handle.done;
    expect(res.error).toMatchObject({ code: "aborted" });
  });

  it("a model calling the same tool with the same input for ever is stopped at the 5th call (config doomLoop.repeats): error doom-loop, not the timeout", async () => {
    // Each reply is one read of README.md, whatever the tool returned: a looping cheap model.
    h.model.setScript(steps([{ reply: (r: ModelRequest) => reply.tools({ name: "read", args: { filePath: path.join(r.directory!, "README.md") } }) }]));
    const dir = h.repo();
    const res = await (await h.runtime.start(h.request(dir, { timeoutMs: 30_000 }), () => {})).done;
    expect(res.error).toMatchObject({ code: "doom-loop", terminal: false, infrastructure: false });
    expect(res.error!.message).toMatch(/^the agent repeated the same read call 5 times \(input \{"(filePath|path)":".*README\.md"\}\); the session was stopped$/);
    // Five calls, each in its own model reply (so OpenCode's own doom_loop check, three in one reply, never saw it).
    // The abort races the turns the server runs meanwhile (a few more on a loaded machine); a loop left to the
    // 30 s timeout makes well over a hundred.
    const calls = h.model.requests.filter((r) => r.directory === dir && r.tools.length > 0).length;
    expect(calls).toBeGreaterThanOrEqual(5);
    expect(calls).toBeLessThanOrEqual(20);
  });

  it("a session over its timeout is aborted with error timeout", async () => {
    h.model.setScript(steps([{ reply: reply.hang() }]));
    const res = await (await h.runtime.start(h.request(h.repo(), { timeoutMs: 1_500 }), () => {})).done;
    expect(res.error).toMatchObject({ code: "timeout" });
  });

  it("permission asks are answered by policy: bash on an approval:deny task is rejected, the session goes on", async () => {
    h.model.setScript(
      steps([{ when: { turn: 0 }, reply: reply.bash("echo hi > from-bash.txt") }, { reply: (r) => reply.text(`tool said: ${r.lastTool ?? ""}`) }]),
    );
    const dir = h.repo();
    const res = await (await h.runtime.start(h.request(dir, { approval: "deny" }), () => {})).done;
    expect(res.ok).toBe(true);
    expect(existsSync(path.join(dir, "from-bash.txt"))).toBe(false);
    // A denied tool is not even offered to the model.
    expect(res.text).toMatch(tool.unavailable);
    expect(h.model.requests.filter((r) => r.directory === dir)[0]!.tools).not.toContain(tool.bash);
  });

  it("a permission the policy routes to a person is written to the approval file; editing it answers", async () => {
    h.model.setScript(steps([{ when: { turn: 0 }, reply: reply.bash("echo approved > from-bash.txt") }, { reply: reply.text("ran it") }]));
    const dir = h.repo();
    const rec = recorder();
    const req = h.request(dir);
    const handle = await h.runtime.start(req, rec.onEvent);
    const asked = await rec.waitFor((e) => e.type === "permission");
    expect(asked).toMatchObject({ type: "permission", request: { kind: "bash", sessionId: handle.sessionId } });
    const file = new ApprovalFiles(h.root).path(req.taskId);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("decision: pending");
    expect(text).toContain("echo approved > from-bash.txt");
    // A person edits the line.
    writeFileSync(file, text.replace("decision: pending", "decision: approve"));
    const res = await handle.done;
    expect(res.ok).toBe(true);
    expect(readFileSync(path.join(dir, "from-bash.txt"), "utf8")).toBe("approved\n");
    expect(existsSync(file)).toBe(false);
  });

  it("`orch reject` semantics: decide(reject) rejects the asked permission", async () => {
    h.model.setScript(steps([{ when: { turn: 0 }, reply: reply.bash("echo nope > nope.txt") }, { reply: reply.text("never asked") }]));
    const dir = h.repo();
    const rec = recorder();
    const req = h.request(dir);
    const handle = await h.runtime.start(req, rec.onEvent);
    await rec.waitFor((e) => e.type === "permission");
    await decide(new ApprovalFiles(h.root), req.taskId, "reject");
    const res = await handle.done;
    expect(existsSync(path.join(dir, "nope.txt"))).toBe(false);
    // OpenCode ends the turn on a rejection; orch reports it instead of a silent empty success.
    expect(res.ok).toBe(false);
    expect(res.error).toMatchObject({ code: "permission-rejected", terminal: false });
    expect(h.model.requests.filter((r) => r.directory === dir)).toHaveLength(1);
  });

  it("a worker cannot write outside its working directory", async () => {
    const dir = h.repo();
    const outside = path.join(path.dirname(dir), `outside-${path.basename(dir)}.txt`);
    h.model.setScript(steps([{ when: { turn: 0 }, reply: reply.write(outside, "escaped\n") }, { reply: reply.text("tried") }]));
    const res = await (await h.runtime.start(h.request(dir), () => {})).done;
    expect(res.ok).toBe(true);
    expect(existsSync(outside)).toBe(false);
  });

  it("attach re-attaches to a finished session and reads its result", async () => {
    h.model.setScript(steps([{ reply: reply.text("all good") }]));
    const dir = h.repo();
    const req = h.request(dir);
    const first = await (await h.runtime.start(req, () => {})).done;
    const again = await h.runtime.attach(first.sessionId, req, () => {});
    expect(again).toBeDefined();
    const res = await again!.done;
    expect(res).toMatchObject({ ok: true, text: "all good", sessionId: first.sessionId });
    expect(await h.runtime.attach("ses_doesnotexist", req, () => {})).toBeUndefined();
  });
});
