// SessionRun's "prompt accepted but never started" path. OpenCode sometimes answers
// session.promptAsync with 204 and then never runs the prompt; a real server cannot be made to
// do that on demand, so these tests drive SessionRun with a small fake of the server's calls (the
// SessionOps of protocol.ts) and push server events into its subscription by hand.
import { describe, expect, it } from "vitest";
import { FakeClock } from "../support/fake-clock.js";
import type { ServerEvent } from "../../src/runtime/events.js";
import { SessionRun, type RunContext } from "../../src/runtime/session-run.js";
import type { MessageRecord, SessionOps } from "../../src/runtime/protocol.js";
import type { SessionRequest } from "../../src/runtime/types.js";

const SID = "ses_test";
const START_MS = 50;

const completedAssistant = {
  info: { id: "msg_a", role: "assistant", cost: 0.01, tokens: { input: 10, output: 5 }, time: { created: 1, completed: 2 } },
  parts: [{ type: "text", text: "done" }],
};

/** A fake server: `status` is what session.status reports for SID, `messages` what session.messages returns. */
function fakeServer() {
  const server = { status: "idle" as "idle" | "busy", messages: [] as unknown[] };
  const calls = { prompt: 0, status: 0, messages: 0, abort: [] as string[] };
  let listener: ((e: ServerEvent) => void) | undefined;
  const ops = {
    prompt: async () => (calls.prompt++, undefined),
    busy: async () => (calls.status++, server.status !== "idle"),
    messages: async () => (calls.messages++, server.messages as MessageRecord[]),
    abort: async (sessionID: string) => void calls.abort.push(sessionID),
  } as unknown as SessionOps;
  const clock = new FakeClock();
  const ctx: RunContext = {
    clock,
    ops: async () => ops,
    subscribe: (_id, fn) => ((listener = fn), () => (listener = undefined)),
    onPermission: async () => {},
    startTimeoutMs: START_MS,
    // Backstop: a run the test fails to settle still ends (as "timeout") well before vitest's limit.
    timeoutMs: 2_000,
    providerRetries: 0,
    doomLoopRepeats: 5,
  };
  const push = (type: string, properties: Record<string, unknown>) => {
    if (!listener) throw new Error("not subscribed");
    listener({ type, sessionId: SID, properties: { sessionID: SID, ...properties } });
  };
  return { server, calls, ctx, push, clock, subscribed: () => listener !== undefined };
}

const req: SessionRequest = { taskId: "t1", attempt: 1, role: "worker", directory: "/tmp/not-started", model: "p/m", title: "t1", prompt: "do it" };

describe("SessionRun start confirmation", () => {
  it("fails as not-started (infrastructure) and aborts when an accepted prompt never starts", async () => {
    const f = fakeServer();
    const run = new SessionRun(SID, req, () => {}, f.ctx);
    await run.send();
    expect(f.calls.prompt).toBe(1);
    await f.clock.advance(START_MS); // the start check

    const res = await run.done;
    expect(res.ok).toBe(false);
    expect(res.error).toMatchObject({ code: "not-started", infrastructure: true });
    expect(f.calls.abort).toEqual([SID]);
    expect(f.subscribed()).toBe(false);
  });

  it("keeps a run the server reports busy at the check, and completes it on idle", async () => {
    const f = fakeServer();
    f.server.status = "busy"; // started on the server, but its events never reached us
    const run = new SessionRun(SID, req, () => {}, f.ctx);
    await run.send();

    await f.clock.advance(START_MS); // the start check runs (and finishes: the fake client answers at once)
    expect(f.calls.status).toBeGreaterThan(0);
    f.server.status = "idle";
    f.server.messages = [completedAssistant];
    f.push("session.status", { status: { type: "idle" } });

    const res = await run.done;
    expect(res.error).toBeUndefined();
    expect(res).toMatchObject({ ok: true, text: "done", costUsd: 0.01 });
    expect(f.calls.abort).toEqual([]);
  });

  it("treats a busy event before the timeout as started, then completes on idle", async () => {
    const f = fakeServer();
    // The server's status and messages never confirm the start: only the event does.
    const run = new SessionRun(SID, req, () => {}, f.ctx);
    await run.send();
    f.push("session.status", { status: { type: "busy" } });

    await f.clock.advance(START_MS * 3); // past the start check
    f.server.messages = [completedAssistant];
    f.push("session.status", { status: { type: "idle" } });

    const res = await run.done;
    expect(res.error).toBeUndefined();
    expect(res).toMatchObject({ ok: true, text: "done" });
    expect(f.calls.abort).toEqual([]);
    expect(f.calls.status).toBe(0); // the check saw the start and asked the server nothing
  });
});
