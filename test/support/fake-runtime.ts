// An in-process AgentRuntime for tests and benchmarks ONLY (not a product backend; the CLI cannot reach it).
// Sessions take a configurable latency, report progress, and behave per attempt as scripted; a session
// that succeeds writes a file into the task's directory, as an agent would.
import { mkdir, writeFile, appendFile } from "node:fs/promises";
import path from "node:path";
import { clearApproval, readDecision, writeApproval } from "../../src/runtime/approvals.js";
import { ApprovalFiles } from "../../src/store/approval-files.js";
import { realClock, type Clock } from "../../src/util/clock.js";
import type { AgentRuntime, PermissionReply, SessionEvent, SessionHandle, SessionRequest, SessionResult } from "../../src/runtime/types.js";

/**
 * What one session does. "hang": no progress and never ends until aborted (stall detection).
 * "infra": the server dies mid-session; "unreachable": the session cannot start (no server).
 */
export type FakeOutcome =
  | "ok"
  | "infra"
  | "unreachable"
  | "terminal"
  | "fail"
  | "hang"
  | { permission: string; then?: "ok" | "fail" }
  | { write: Record<string, string> }
  | { verdict: string }
  /** The session fails with this (non-terminal) error, e.g. the runtime's doom-loop stop. */
  | { error: string; message?: string };


/** Script of the fake: latency, per-task outcomes by attempt (last one repeats), tokens per session. */
export interface FakeScript {
  latencyMs?: number;
  /** Per task: latency override. */
  latencyByTask?: Record<string, number>;
  outcomes?: Record<string, FakeOutcome[]>;
  tokensPerSession?: number;
  costPerSession?: number;
  /** A JSONL file that gets {at, event: start|end, task, session, pid} lines (for "never twice at once" checks). */
  logFile?: string;
  /** Files are written under <directory>/<outDir>/<task>.txt. */
  outDir?: string;
  /** false: write no files (scheduling benchmarks on a virtual clock). Default true. */
  writeFiles?: boolean;
  /** Reviewer verdicts per task, by review (last one repeats); default: approved. "unreachable": the review cannot start. */
  reviews?: Record<string, (boolean | "unreachable")[]>;
  /** Report growing usage (tokensPerSession per tick) and progress this often while a session runs. */
  usageEveryMs?: number;
  /** How often a session waiting for approval polls its approval file. */
  approvalPollMs?: number;
  /** How long a start that finds no server takes to say so (the health check's wait), per task. */
  unreachableAfterMs?: Record<string, number>;
}

/** The fake runtime. `calls` lists every request, for assertions. */
export class FakeRuntime implements AgentRuntime {
  readonly backend = "fake";
  readonly calls: SessionRequest[] = [];
  readonly live = new Map<string, { req: SessionRequest; handle: SessionHandle; listen: (f: (e: SessionEvent) => void) => void }>();
  /** Most sessions live at once so far (all roles). */
  peakLive = 0;
  private seq = 0;
  private perTask = new Map<string, number>();

  constructor(
    public script: FakeScript = {},
    private clock: Clock = realClock,
  ) {}

  private callWaiters: { n: number; resolve: () => void }[] = [];

  /** Resolves once `start` was called `n` times (a start may still be on its way). */
  whenCalls(n: number): Promise<void> {
    if (this.calls.length >= n) return Promise.resolve();
    return new Promise((resolve) => this.callWaiters.push({ n, resolve }));
  }

  async start(req: SessionRequest, onEvent: (e: SessionEvent) => void): Promise<SessionHandle> {
    this.calls.push(req);
    this.callWaiters = this.callWaiters.filter((w) => (this.calls.length >= w.n ? (w.resolve(), false) : true));
    if (req.role === "reviewer") {
      const k = `review:${req.taskId}`;
      const i = this.perTask.get(k) ?? 0;
      this.perTask.set(k, i + 1);
      const list = this.script.reviews?.[req.taskId] ?? [true];
      const approved = list[Math.min(i, list.length - 1)] ?? true;
      if (approved === "unreachable") return this.launch(`fake-${process.pid}-${++this.seq}`, req, "unreachable", onEvent);
      const verdict = JSON.stringify({ approved, summary: approved ? "looks right" : "missing tests", findings: approved ? [] : ["add a test"] });
      return this.launch(`fake-${process.pid}-${++this.seq}`, req, { verdict }, onEvent);
    }
    const n = this.perTask.get(req.taskId) ?? 0;
    this.perTask.set(req.taskId, n + 1);
    const list = this.script.outcomes?.[req.taskId] ?? ["ok"];
    const outcome = list[Math.min(n, list.length - 1)] ?? "ok";
    const wait = outcome === "unreachable" ? this.script.unreachableAfterMs?.[req.taskId] : undefined;
    if (wait) await new Promise<void>((r) => this.clock.setTimeout(() => r(), wait));
    return this.launch(`fake-${process.pid}-${++this.seq}`, req, outcome, onEvent);
  }

  async attach(sessionId: string, _req: SessionRequest, onEvent: (e: SessionEvent) => void): Promise<SessionHandle | undefined> {
    // Sessions live in this process only: after a process restart they are gone and orch must relaunch;
    // a new loop in the same process (as after a crash of orch beside a surviving server) re-attaches.
    const s = this.live.get(sessionId);
    if (!s) return undefined;
    s.listen(onEvent);
    return s.handle;
  }

  async close(): Promise<void> {}

  private launch(sessionId: string, req: SessionRequest, outcome: FakeOutcome, listener: (e: SessionEvent) => void): SessionHandle {
    let current = listener;
    const onEvent = (e: SessionEvent) => current(e);
    const c = this.clock;
    const latency = this.script.latencyByTask?.[req.taskId] ?? this.script.latencyMs ?? 20;
    let settle!: (r: SessionResult) => void;
    const done = new Promise<SessionResult>((res) => (settle = res));
    const timers: unknown[] = [];
    let finished = false;
    const usage = { input: this.script.tokensPerSession ?? 100, output: 0, reasoning: 0, cacheRead: 0, cacheWrite: 0 };
    const finish = (r: Omit<SessionResult, "sessionId" | "usage" | "costUsd">) => {
      if (finished) return;
      finished = true;
      for (const t of timers) c.clearTimeout(t);
      this.live.delete(sessionId);
      const costUsd = outcome === "unreachable" ? 0 : (this.script.costPerSession ?? 0);
      void this.log("end", req, sessionId).finally(() => settle({ sessionId, usage, costUsd, ...r }));
    };
    const succeed = async (files?: Record<string, string>, text = "done") => {
      if (finished) return;
      onEvent({ type: "usage", sessionId, usage, costUsd: this.script.costPerSession ?? 0 });
      if (req.role === "reviewer" || this.script.writeFiles === false) return finish({ ok: true, text });
      const dir = path.join(req.directory, this.script.outDir ?? "fake-agent");
      await mkdir(dir, { recursive: true });
      await writeFile(path.join(dir, `${req.taskId}.txt`), `${req.role} attempt ${req.attempt}\n${req.prompt}\n`);
      for (const [f, text] of Object.entries(files ?? {})) await writeFile(path.join(req.directory, f), text);
      finish({ ok: true, text });
    };
    const fail = (code: string, terminal: boolean, infrastructure: boolean, unreachable = false) =>
      finish({ ok: false, text: "", error: { code, message: `fake ${code}`, terminal, infrastructure, ...(unreachable ? { unreachable } : {}) } });
    let replyPermission = async (_id: string, _r: PermissionReply) => {};
    if (outcome !== "hang" && outcome !== "unreachable") timers.push(c.setTimeout(() => onEvent({ type: "progress", sessionId, at: c.now() }), Math.min(5, latency / 2)));
    if (this.script.usageEveryMs) {
      // A long session that keeps spending: running totals, as the OpenCode runtime reports them.
      const step = usage.input;
      usage.input = 0;
      const tick = () => {
        if (finished) return;
        usage.input += step; // the session's totals so far; the final result carries them too
        onEvent({ type: "progress", sessionId, at: c.now() });
        onEvent({ type: "usage", sessionId, usage: { ...usage }, costUsd: 0 });
        timers.push(c.setTimeout(tick, this.script.usageEveryMs!));
      };
      timers.push(c.setTimeout(tick, this.script.usageEveryMs));
    }
    if (outcome === "ok") timers.push(c.setTimeout(() => void succeed(), latency));
    else if (outcome === "infra") timers.push(c.setTimeout(() => fail("server-down", false, true), latency));
    else if (outcome === "unreachable") {
      usage.input = 0; // nothing ran, nothing was spent
      timers.push(c.setTimeout(() => fail("server-down", false, true, true), 0));
    }
    else if (outcome === "terminal") timers.push(c.setTimeout(() => fail("unknown-model", true, false), latency));
    else if (outcome === "fail") timers.push(c.setTimeout(() => fail("model-error", false, false), latency));
    else if (typeof outcome === "object" && "write" in outcome) timers.push(c.setTimeout(() => void succeed(outcome.write), latency));
    else if (typeof outcome === "object" && "error" in outcome)
      timers.push(c.setTimeout(() => finish({ ok: false, text: "", error: { code: outcome.error, message: outcome.message ?? `fake ${outcome.error}`, terminal: false, infrastructure: false } }), latency));
    else if (typeof outcome === "object" && "verdict" in outcome) timers.push(c.setTimeout(() => void succeed(undefined, outcome.verdict), latency));
    else if (typeof outcome === "object" && "permission" in outcome) {
      // Like the OpenCode runtime: the policy said "ask", so write the approval file, tell orch, poll the answer.
      const requestId = `perm-${sessionId}`;
      replyPermission = async (id, r) => {
        if (id !== requestId || finished) return;
        replyPermission = async () => {}; // answered: a second answer (poll and orch both) is ignored
        await clearApproval(new ApprovalFiles(missionRoot(req.directory)), req.taskId);
        onEvent({ type: "progress", sessionId, at: c.now() });
        if (r === "reject") fail("permission-rejected", false, false);
        else timers.push(c.setTimeout(() => (outcome.then === "fail" ? fail("model-error", false, false) : void succeed()), latency / 2));
      };
      timers.push(
        c.setTimeout(() => {
          void writeApproval(new ApprovalFiles(missionRoot(req.directory)), { taskId: req.taskId, requestId, sessionId, kind: outcome.permission, detail: "fake request", at: new Date(c.now()).toISOString() }).then(() =>
            onEvent({ type: "permission", request: { id: requestId, sessionId, kind: outcome.permission, detail: "fake request" } }),
          );
          const poll = () => {
            if (finished) return;
            const d = readDecision(new ApprovalFiles(missionRoot(req.directory)), req.taskId);
            if (d) void replyPermission(requestId, d === "approve" ? "once" : "reject");
            else timers.push(c.setTimeout(poll, this.script.approvalPollMs ?? 50));
          };
          poll();
        }, latency / 2),
      );
    }
    const handle: SessionHandle = {
      sessionId,
      ...(outcome === "unreachable" ? { unstarted: true } : {}),
      done,
      abort: async () => fail("aborted", false, false),
      replyPermission: (id, r) => replyPermission(id, r),
    };
    this.live.set(sessionId, { req, handle, listen: (f) => (current = f) });
    this.peakLive = Math.max(this.peakLive, this.live.size);
    void this.log("start", req, sessionId);
    return handle;
  }

  private async log(event: "start" | "end", req: SessionRequest, session: string): Promise<void> {
    if (!this.script.logFile) return;
    await appendFile(this.script.logFile, JSON.stringify({ at: Date.now(), event, task: req.taskId, role: req.role, session, pid: process.pid }) + "\n");
  }
}

/** The mission root of a request's directory: approvals live there, not in an attempt's workspace (as with the real runtime's root). */
function missionRoot(dir: string): string {
  const i = dir.lastIndexOf(`${path.sep}.orchestrator${path.sep}worktrees${path.sep}`);
  return i < 0 ? dir : dir.slice(0, i);
}
