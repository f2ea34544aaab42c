// Pure parts of the runtime: permission decisions, error mapping, routing, templates, verdicts, approval files.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigSchema } from "../../src/spec/config.js";
import { decidePermission, sessionRules } from "../../src/runtime/permissions.js";
import { mapOpencodeError, providerError } from "../../src/runtime/errors.js";
import { acceptanceCriteria, renderPrompt, routeModel, splitModel, workerInput } from "../../src/runtime/roles.js";
import { decide, readDecision, writeApproval } from "../../src/runtime/approvals.js";
import { ApprovalFiles } from "../../src/store/approval-files.js";
import type { TaskSpec } from "../../src/spec/model.js";
import { demoScript } from "../../src/demo/demo-script.js";
import { startScriptedModel, type ModelRequest } from "../../src/demo/scripted-model.js";
import { EventHub, sseStream, type ServerEvent } from "../../src/runtime/events.js";
import { OpenCodeServer } from "../../src/runtime/server.js";
import { OpenCodeRuntime } from "../../src/runtime/opencode.js";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { FakeClock } from "../support/fake-clock.js";

const policy = { edit: "allow", bash: "ask", webfetch: "deny" } as const;

describe("decidePermission", () => {
  it.each([
    ["edit", undefined, "worker", "allow"],
    ["bash", undefined, "worker", "ask"],
    ["webfetch", undefined, "worker", "deny"],
    ["read", undefined, "worker", "allow"], // read-only kinds default to allow
    ["mystery", undefined, "worker", "deny"], // unknown kinds default to deny
    ["task", undefined, "worker", "deny"], // no sub-agents for workers
    ["task", undefined, "reviewer", "deny"],
    ["external_directory", undefined, "worker", "deny"], // edits stay in the working directory
    ["edit", undefined, "reviewer", "deny"], // the reviewer does not change what it judges
    ["edit", undefined, "planner", "deny"], // the planner only reads; orch writes the tasks it answers
    ["webfetch", undefined, "planner", "deny"],
    ["grep", undefined, "planner", "allow"],
    ["edit", "ask", "worker", "ask"], // approval: ask routes mutations to a person
    ["read", "ask", "worker", "allow"],
    ["bash", "deny", "worker", "deny"], // approval: deny never waits for a person
    ["edit", "deny", "worker", "allow"],
  ] as const)("%s (approval %s, %s) → %s", (kind, approval, role, want) => {
    expect(decidePermission(policy, kind, approval, role)).toBe(want);
  });

  it("session rules cover every known kind, so nothing falls back to OpenCode's own asks", () => {
    const rules = sessionRules(policy, "worker");
    expect(rules.find((r) => r.permission === "external_directory")?.action).toBe("deny");
    expect(rules.find((r) => r.permission === "doom_loop")?.action).toBe("deny");
    expect(rules.every((r) => r.pattern === "*")).toBe(true);
  });
});

describe("error mapping", () => {
  it.each([
    [{ name: "APIError", data: { message: "slow down", statusCode: 429, isRetryable: true } }, "rate-limited", false, false],
    [{ name: "APIError", data: { message: "boom", statusCode: 503, isRetryable: true } }, "provider-error", false, true],
    [{ name: "APIError", data: { message: "bad key", statusCode: 401, isRetryable: false } }, "auth", true, false],
    [{ name: "ProviderAuthError", data: { message: "no key" } }, "auth", true, false],
    [{ name: "UnknownError", data: { message: "JSON parsing failed" } }, "model-error", false, false],
    [{ name: "MessageAbortedError", data: { message: "aborted" } }, "aborted", false, false],
    [{ name: "ContextOverflowError", data: { message: "too long" } }, "context-overflow", true, false],
    [undefined, "model-error", false, false],
    [{ name: "UnknownError", data: { message: "ProviderModelNotFoundError: Model not found: x/y.\n    at getModel" } }, "unknown-model", true, false],
  ])("%j → %s", (err, code, terminal, infrastructure) => {
    expect(mapOpencodeError(err)).toMatchObject({ code, terminal, infrastructure });
  });
  it("keeps only the first line of a message (no stack traces in task state)", () => {
    expect(mapOpencodeError({ name: "UnknownError", data: { message: "boom\n    at x (y.js:1:2)" } }).message).toBe("boom");
  });
  it("classifies retry messages without a status", () => {
    expect(providerError(undefined, "Rate limit exceeded").code).toBe("rate-limited");
    expect(providerError(undefined, "upstream exploded")).toMatchObject({ code: "provider-error", infrastructure: true });
  });
});

describe("model routing", () => {
  const config = ConfigSchema.parse({ models: { default: "p/default", byType: { docs: "p/docs" }, byRole: { searcher: "p/cheap", planner: "p/cheap" } } });
  it.each([
    [{}, "worker", "p/default"],
    [{ type: "docs" }, "worker", "p/docs"],
    [{ type: "docs", model: "p/task" }, "worker", "p/task"], // per-task override wins for work roles
    [{ type: "docs", model: "p/task" }, "fixer", "p/task"],
    [{ model: "p/task" }, "searcher", "p/cheap"], // cheap default for search
    [{}, "planner", "p/cheap"],
    [{ type: "docs" }, "reviewer", "p/docs"],
  ] as const)("%j as %s → %s", (task, role, want) => {
    expect(routeModel(config, task, role)).toBe(want);
  });
  it("splits provider/model, keeping slashes in the model id", () => {
    expect(splitModel("openrouter/anthropic/claude")).toEqual({ providerID: "openrouter", modelID: "anthropic/claude" });
    expect(() => splitModel("nomodel")).toThrow(/provider\/model/);
  });
});

describe("prompts", () => {
  it("a worker prompt carries body, criteria, dependency summaries, scope and context", () => {
    const task = { id: "T3", title: "Greet", body: "Write greet.\n\n## Acceptance criteria\n- greet() says hi\n\n## Notes\nnone", deps: ["T1"], files: ["src/greet.ts"] } as unknown as TaskSpec;
    const text = renderPrompt("worker", workerInput(task, { T1: "added src/index.ts" }, "src/index.ts: export main()"));
    expect(text).toContain("# Task T3: Greet");
    expect(text).toContain("## Acceptance criteria\n\n- greet() says hi");
    expect(text).toContain("- T1: added src/index.ts");
    expect(text).toContain("- src/greet.ts");
    expect(text).toContain("src/index.ts: export main()");
    expect(acceptanceCriteria(task.body)).toBe("- greet() says hi");
    expect(renderPrompt("worker", workerInput({ ...task, deps: [], files: [] }, {}))).not.toContain("## Scope");
  });
});

describe("approval files", () => {
  it("are written pending, answered by editing or by decide(), and read back", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "orch-appr-"));
    const files = new ApprovalFiles(root);
    try {
      await writeApproval(files, { taskId: "T2", requestId: "per_1", sessionId: "ses_1", kind: "bash", detail: "rm -rf build", at: "2026-01-01T00:00:00Z" });
      expect(readDecision(files, "T2")).toBeUndefined();
      await decide(files, "T2", "approve");
      expect(readDecision(files, "T2")).toBe("approve");
      expect(readFileSync(files.path("T2"), "utf8")).toContain("rm -rf build");
      // A person's edit of the decision line: any case, and an answer orch does not know is no answer.
      await files.edit("T2", (t) => t.replace(/^decision:.*$/m, "decision: Reject"));
      expect(readDecision(files, "T2")).toBe("reject");
      await files.edit("T2", (t) => t.replace(/^decision:.*$/m, "decision: maybe"));
      expect(readDecision(files, "T2")).toBeUndefined();
      await expect(decide(files, "T9", "reject")).rejects.toThrow(/no pending approval/);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("stream events", () => {
  it("stopping the hub releases a start still waiting for its first connection (it held the process 10 s)", async () => {
    const hub = new EventHub(() => new Promise(() => {})); // a connection that never opens
    const started = hub.start(10_000);
    hub.stop();
    await started; // released by stop(), or the test times out (the start alone would wait 10 s)
  });

  it("stopping the hub ends its wait before a reconnect (the timer held the process after a refused connection)", async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    let refused!: () => void;
    const failedOnce = new Promise<void>((r) => (refused = r));
    const hub = new EventHub(async () => (refused(), Promise.reject(new Error("ECONNREFUSED"))), { reconnectDelayMs: 60_000 });
    void hub.start(10);
    await failedOnce;
    await new Promise((r) => setImmediate(r)); // the loop is now waiting to reconnect
    expect(timers()).toBeGreaterThan(before);
    hub.stop();
    await new Promise((r) => setImmediate(r));
    expect(timers()).toBe(before);
  });

  it("a stopped hub stays stopped: a late start() opens nothing", async () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === "Timeout").length;
    const before = timers();
    let opened = 0;
    const hub = new EventHub(async () => (opened++, Promise.reject(new Error("refused"))), { reconnectDelayMs: 10 });
    hub.stop();
    await hub.start(50);
    await new Promise((r) => setImmediate(r));
    expect(opened).toBe(0);
    expect(timers()).toBe(before); // and nothing is scheduled to open one later
  });

  it("hands each session its events, wherever the event names it; anything that is not an event is dropped", async () => {
    const bad = [null, 1, "x", {}, { payload: null }, { payload: { type: 3, properties: { sessionID: "ses_1" } } }, { payload: { type: "t", properties: [] } }, { payload: { type: "t", properties: null } }, { payload: { type: "t", properties: "p" } }];
    const raw = [
      ...bad,
      { directory: "/r", payload: { type: "session.idle", properties: { sessionID: "ses_1" } } },
      { payload: { type: "message.updated", properties: { info: { sessionID: "ses_2" } } } },
      { payload: { type: "message.part.updated", properties: { part: { sessionID: "ses_3" } } } },
      { payload: { type: "session.status", properties: { sessionID: "ses_end" } } },
    ];
    const logged: string[] = [];
    const hub = new EventHub(async () => (async function* () { yield* raw; await new Promise(() => {}); })(), { log: (l) => logged.push(l) });
    const got: ServerEvent[] = [];
    for (const s of ["ses_1", "ses_2", "ses_3"]) hub.subscribe(s, (e) => got.push(e));
    const ended = new Promise<void>((r) => hub.subscribe("ses_end", () => r()));
    await hub.start(1_000);
    await ended;
    hub.stop();
    expect(got).toEqual([
      { type: "session.idle", sessionId: "ses_1", properties: { sessionID: "ses_1" } },
      { type: "message.updated", sessionId: "ses_2", properties: { info: { sessionID: "ses_2" } } },
      { type: "message.part.updated", sessionId: "ses_3", properties: { part: { sessionID: "ses_3" } } },
    ]);
    expect(logged).toEqual([]); // nothing malformed broke the stream
  });

  it("passes ignored events on by type without parsing them, and parses every other one", async () => {
    // Laid out as opencode serve writes them: directory and project first, then the payload.
    const sent = [
      { directory: "/r", project: "p1", payload: { type: "sync", syncEvent: { type: "session.updated.1", data: { sessionID: "ses_1" } } } },
      { directory: "/r", project: "p1", payload: { type: "session.idle", properties: { sessionID: "ses_1" } } },
      { payload: { type: "server.heartbeat", properties: {} } },
      { project: "p1", directory: '/a "quoted" dir', payload: { type: "sync", syncEvent: {} } }, // not the usual layout: parsed
      { directory: "/r", payload: { properties: { sessionID: "ses_2" }, type: "session.idle" } },
    ];
    const server = http.createServer((_req, res) => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      // One block split over two lines of data (between two keys), as SSE allows; the rest one per block.
      const idle = JSON.stringify(sent[1]);
      const cut = idle.indexOf(',"project"') + 1;
      res.end(`data: ${JSON.stringify(sent[0])}\n\n` + `data: ${idle.slice(0, cut)}\ndata: ${idle.slice(cut)}\n\n` + sent.slice(2).map((e) => `data: ${JSON.stringify(e)}\n\n`).join(""));
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    try {
      const open = sseStream(async () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`, {});
      const got: unknown[] = [];
      for await (const e of await open(new AbortController().signal)) got.push(e);
      expect(got).toEqual([{ payload: { type: "sync" } }, sent[1], { payload: { type: "server.heartbeat" } }, sent[3], sent[4]]);
    } finally {
      server.close();
    }
  });
});

describe("external server health", () => {
  it("a request that got through (the event stream opened) settles a health check still in flight", async () => {
    // A server whose /global/health never answers: only answered() can settle ensureUp() early.
    let arrived!: () => void;
    const checking = new Promise<void>((r) => (arrived = r));
    const hung = http.createServer(() => arrived());
    await new Promise<void>((r) => hung.listen(0, "127.0.0.1", r));
    try {
      const server = new OpenCodeServer({ url: `http://127.0.0.1:${(hung.address() as AddressInfo).port}`, stateDir: tmpdir() });
      expect(server.headers).toEqual({ "accept-encoding": "identity" });
      const up = server.ensureUp();
      void checking.then(() => server.answered()); // once the check's request is in flight
      // Without answered(), the check times out after 2 s and ensureUp() rejects (server-unreachable).
      await expect(up).resolves.toBe(server.url);
      await expect(server.ensureUp()).resolves.toBe(server.url); // fresh: no new check
    } finally {
      hung.closeAllConnections();
      hung.close();
    }
  });

  it("asks a remote server for compressed responses, a loopback one for none", () => {
    expect(new OpenCodeServer({ url: "http://10.0.0.7:4096", stateDir: tmpdir(), password: "p" }).headers).toEqual({ Authorization: `Basic ${Buffer.from("opencode:p").toString("base64")}` });
    expect(new OpenCodeServer({ url: "http://localhost:4096", stateDir: tmpdir() }).headers).toEqual({ "accept-encoding": "identity" });
  });
});

describe("runtime lifecycle without a server", () => {
  const request = (root: string) => ({ taskId: "T1", attempt: 1, role: "worker" as const, directory: root, model: "orch-demo/scripted", title: "T1", prompt: "p" });
  const streamLogs = (logs: string[]) => logs.filter((l) => l.includes("event stream"));

  it("an owned server that cannot start fails the session, and its event stream is not opened (it would respawn the server four times a second)", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "orch-rt-"));
    const logs: string[] = [];
    const clock = new FakeClock();
    const server = new OpenCodeServer({ stateDir: path.join(root, "state"), bin: path.join(root, "no-such-opencode") });
    const rt = new OpenCodeRuntime({ server, policy: {}, root, approvals: new ApprovalFiles(root), log: (l) => logs.push(l), clock });
    try {
      const res = await (await rt.start(request(root), () => {})).done;
      expect(res.error).toMatchObject({ code: "server-down", infrastructure: true, unreachable: true });
      // The stream's reconnects run on the runtime's clock: a minute of them, each failure logged, had it opened.
      await clock.advance(60_000);
      expect(streamLogs(logs)).toEqual([]);
    } finally {
      await rt.close();
      rmSync(root, { recursive: true, force: true });
    }
  });

  /** A stand-in for an external OpenCode server answering with `handle`: a runtime on it, for `fn`. */
  async function withStandIn(handle: http.RequestListener, fn: (rt: OpenCodeRuntime, server: OpenCodeServer, url: string, root: string) => Promise<void>): Promise<void> {
    const root = mkdtempSync(path.join(tmpdir(), "orch-rt-"));
    const standIn = http.createServer(handle);
    await new Promise<void>((r) => standIn.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(standIn.address() as AddressInfo).port}`;
    const server = new OpenCodeServer({ url, stateDir: root });
    const rt = new OpenCodeRuntime({ server, policy: {}, root, approvals: new ApprovalFiles(root) });
    try {
      await fn(rt, server, url, root);
    } finally {
      await rt.close();
      standIn.closeAllConnections();
      standIn.close();
      rmSync(root, { recursive: true, force: true });
    }
  }
  const healthy = (res: http.ServerResponse) => void res.writeHead(200, { "content-type": "application/json" }).end('{"healthy":true}');
  const stream = (res: http.ServerResponse) => void res.writeHead(200, { "content-type": "text/event-stream" }).write(": open\n\n");

  it("a server that answers but refuses the create is no outage: server-down, not `unreachable` (the attempt is charged)", async () => {
    await withStandIn(
      (req, res) => {
        if (req.url?.startsWith("/global/health")) return healthy(res);
        if (req.url?.startsWith("/global/event")) return stream(res);
        res.writeHead(500, { "content-type": "application/json" }).end('{"name":"UnknownError","data":{"message":"refused"}}');
      },
      async (rt, _server, _url, root) => {
        const res = await (await rt.start(request(root), () => {})).done;
        expect(res.error).toMatchObject({ code: "server-down", infrastructure: true });
        expect(res.error?.unreachable).toBeFalsy();
        expect(res.error?.message).toContain("refused");
      },
    );
  });

  it("a server that dies within the health check's 5 s cache: the failed create asks again, and the error is `unreachable` (not charged)", async () => {
    let dead = false;
    await withStandIn(
      (req, res) => {
        if (req.url?.startsWith("/global/health")) return dead ? void res.writeHead(503).end() : healthy(res);
        if (req.url?.startsWith("/global/event")) return stream(res);
        dead = true; // the create: the server goes away mid-request
        req.socket.destroy();
      },
      async (rt, server, url, root) => {
        await server.ensureUp(); // a passed check, cached: the start does not check again
        const res = await (await rt.start(request(root), () => {})).done;
        expect(res.error).toMatchObject({ code: "server-down", infrastructure: true, unreachable: true, message: `cannot start a session: OpenCode server ${url} does not answer /global/health` });
      },
    );
  });

  it("a closed runtime starts nothing: the session is aborted and no event stream comes back", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "orch-rt-"));
    const logs: string[] = [];
    const clock = new FakeClock();
    const rt = new OpenCodeRuntime({ server: new OpenCodeServer({ url: "http://127.0.0.1:9", stateDir: root }), policy: {}, root, approvals: new ApprovalFiles(root), log: (l) => logs.push(l), clock });
    await rt.close();
    try {
      const res = await (await rt.start(request(root), () => {})).done;
      expect(res.error).toMatchObject({ code: "aborted", message: "orch is shutting down" });
      // A minute of the stream's reconnects (on the runtime's clock), each failure logged, had it opened.
      await clock.advance(60_000);
      expect(streamLogs(logs)).toEqual([]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe("demo script", () => {
  const task = { id: "T1", title: "Split words", body: "Create src/words.js.", deps: [], files: ["src/words.js"] } as unknown as TaskSpec;
  const prompt = renderPrompt("worker", workerInput(task, {}));
  const req = (system: string, messages: Array<{ role: string; content: string }>): ModelRequest => ({
    model: "scripted",
    system,
    lastUser: messages.at(-1)?.content ?? "",
    lastTool: undefined,
    directory: "/tmp/x",
    turn: 0,
    tools: ["write"],
    messages,
  });

  it("the scripted model keeps an idle connection open past Node's 5 s keep-alive timeout (OpenCode reuses it)", async () => {
    const model = await startScriptedModel(async () => ({ kind: "text", text: "ok" }));
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const ask = () =>
      new Promise<{ status?: number; reused: boolean; keepAlive?: string | string[] }>((resolve, reject) => {
        const req = http.request(`${model.baseURL}/chat/completions`, { method: "POST", agent, headers: { "content-type": "application/json" } }, (res) => {
          res.resume();
          res.on("end", () => resolve({ status: res.statusCode, reused: req.reusedSocket, keepAlive: res.headers["keep-alive"] }));
        });
        req.on("error", reject);
        req.end(JSON.stringify({ model: "scripted", messages: [{ role: "user", content: "hi" }] }));
      });
    try {
      // A Node server closes an idle connection after its keepAliveTimeout and says so in each response
      // ("Keep-Alive: timeout=5" by default): no such header, no idle timeout to wait out.
      expect(await ask()).toEqual({ status: 200, reused: false, keepAlive: undefined });
      expect(await ask()).toEqual({ status: 200, reused: true, keepAlive: undefined }); // the same socket, kept open
    } finally {
      agent.destroy();
      await model.close();
    }
  });

  it("a worker writes the scope from the solutions with the write tool; a reviewer approves a diff in JSON", async () => {
    const script = demoScript();
    const w = await script(req("orch-role: worker", [{ role: "user", content: prompt }]));
    expect(w).toMatchObject({ kind: "tools", calls: [{ name: "write", args: { filePath: "/tmp/x/src/words.js" } }] });
    const diff = "diff --git a/src/words.js b/src/words.js\n+export const words = () => [];";
    const r = await script(req("orch-role: reviewer", [{ role: "user", content: renderPrompt("reviewer", { id: "T1", title: "x", body: "b", criteria: "c", diff }) }]));
    expect(r.kind === "text" && JSON.parse(r.text)).toMatchObject({ approved: true, summary: expect.stringContaining("T1") });
    const none = await script(req("orch-role: worker", [{ role: "user", content: renderPrompt("worker", workerInput({ ...task, files: ["src/unknown.js"] }, {})) }]));
    expect(none).toMatchObject({ kind: "text", text: expect.stringContaining("I cannot do T1: there is no scripted solution for src/unknown.js") });
  });
});
