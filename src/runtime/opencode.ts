// AgentRuntime on OpenCode (1 or 2: protocol.ts): one shared event stream, permissions answered
// by policy or through approval files, server death turned into retryable errors.
import { clearApproval, readDecision, writeApproval } from "./approvals.js";
import type { ApprovalFiles } from "../store/index.js";
import { sessionError } from "./errors.js";
import { EventHub, sseStream } from "./events.js";
import { decidePermission, type PermissionPolicy } from "./permissions.js";
import type { Protocol, RuntimeVersion, SessionOps } from "./protocol.js";
import { opencode1 } from "./protocol-v1.js";
import { opencode2 } from "./protocol-v2.js";
import type { OpenCodeServer } from "./server.js";
import { SessionRun, type RunContext } from "./session-run.js";
import type { Clock } from "../util/index.js";
import type { AgentRuntime, PermissionReply, PermissionRequest, SessionError, SessionEvent, SessionHandle, SessionRequest } from "./types.js";

export interface OpenCodeRuntimeOptions {
  server: OpenCodeServer;
  /** config.permissions. */
  policy: PermissionPolicy;
  /** Repo root. */
  root: string;
  /** Where permission requests a person must answer are written (.orchestrator/approvals/; passed in by the CLI). */
  approvals: ApprovalFiles;
  /** A prompt not started by then is reported as "not-started". */
  startTimeoutMs?: number;
  /** Default session timeout. */
  timeoutMs?: number;
  /** OpenCode's own provider retries tolerated before orch gives up (orch retries with its own backoff). */
  providerRetries?: number;
  /** config.doomLoop.repeats: the same tool call this many times in a session aborts it (default 5). */
  doomLoopRepeats?: number;
  approvalPollMs?: number;
  heartbeatTimeoutMs?: number;
  /** Times the event stream (reconnects, watchdog) and sessions (start check, timeout); default: the real clock. */
  clock?: Clock;
  log?: (line: string) => void;
  /** Runs after the server stops (e.g. closes an in-process demo model). */
  cleanup?: () => Promise<void>;
}

const PROTOCOLS: Record<RuntimeVersion, Protocol> = { opencode1, opencode2 };

/** The OpenCode-backed runtime. */
export class OpenCodeRuntime implements AgentRuntime {
  private readonly hub: EventHub;
  private readonly runs = new Set<SessionRun>();
  private readonly pendingApprovals = new Map<string, NodeJS.Timeout>();
  private opsFor?: { key: string; ops: SessionOps };
  private readonly ctx: RunContext;
  private readonly approvals: ApprovalFiles;
  private closed = false;

  /** The server this runtime talks to (owned or external). */
  readonly server: OpenCodeServer;

  constructor(private readonly opts: OpenCodeRuntimeOptions) {
    this.server = opts.server;
    this.approvals = opts.approvals;
    // The protocol and the headers are read at each connection: an external server's version is
    // known once it answered, an owned OpenCode 2's password once it started.
    const open = async (signal: AbortSignal) => {
      const protocol = await this.protocol();
      const stream = await sseStream(() => opts.server.streamBase(), opts.server.headers, protocol)(signal);
      opts.server.answered();
      return stream;
    };
    this.hub = new EventHub(open, { heartbeatTimeoutMs: opts.heartbeatTimeoutMs, log: opts.log, clock: opts.clock });
    this.hub.onReconnect(() => {
      for (const run of this.runs) void run.resync();
    });
    opts.server.onDown(() => {
      // Sessions die with the server; the reconciler retries them on the restarted one.
      for (const run of this.runs) run.fail(sessionError("server-down", "the OpenCode server exited during the session", { infrastructure: true }));
      this.hub.reconnect();
    });
    this.ctx = {
      ops: () => this.ops(),
      subscribe: (id, fn) => this.hub.subscribe(id, fn),
      onPermission: (req, p, run) => this.onPermission(req, p, run),
      startTimeoutMs: opts.startTimeoutMs ?? 30_000,
      timeoutMs: opts.timeoutMs ?? 30 * 60_000,
      providerRetries: opts.providerRetries ?? 0,
      doomLoopRepeats: opts.doomLoopRepeats ?? 5,
      log: opts.log,
      clock: opts.clock,
    };
  }

  get backend(): string {
    return `opencode@${this.opts.server.url ?? "(starting)"}`;
  }

  /** The protocol of the server's OpenCode version (protocol.ts). */
  private async protocol(): Promise<Protocol> {
    return PROTOCOLS[await this.opts.server.version()];
  }

  /**
   * The calls for a server that is up: an owned one is (re)started first; an external one's
   * health is checked every few seconds, which also bounds how long a call to a wedged server waits.
   */
  private async ops(): Promise<SessionOps> {
    return this.opsAt(await this.opts.server.ensureUp());
  }

  private async opsAt(url: string): Promise<SessionOps> {
    const protocol = await this.protocol();
    const server = this.opts.server;
    // A restarted OpenCode 2 has a new password: the key changes with it.
    const key = `${protocol.version} ${url} ${server.password ?? ""}`;
    if (this.opsFor?.key !== key) this.opsFor = { key, ops: protocol.ops({ baseUrl: url, headers: server.headers, owned: server.owned, policy: this.opts.policy }) };
    return this.opsFor.ops;
  }

  /**
   * Opens the event stream of an external server ahead of the first session, while orch reads its
   * files; the stream's connection doubles as the health check. Failures are left for the first
   * session to report. An owned server is started by the first session only: a run with nothing to
   * do must not start one.
   */
  warm(): void {
    if (this.opts.server.owned || this.closed) return;
    void this.hub.start();
  }

  /** Starts one prompt (in a new session unless req.sessionId continues one). Backend failures settle `done`. */
  async start(req: SessionRequest, onEvent: (e: SessionEvent) => void): Promise<SessionHandle> {
    let sessionId = req.sessionId;
    if (this.closed) return this.unstarted(req, onEvent, sessionError("aborted", "orch is shutting down", { infrastructure: false }));
    // The event stream must be open before the prompt (whose events it carries), not before the
    // session is created; on an external server the create need not wait for the health check
    // either (the stream's connection answers it): they go out together. An owned server is
    // started first, and only a started one gets a stream.
    const server = this.opts.server;
    const up = server.ensureUp();
    // A server that does not start fails through `up` (awaited or aborting the create below), once.
    const streaming = server.owned ? up.then(() => this.hub.start(), () => {}) : this.hub.start();
    // A failed health check ends the wait for a create (a wedged server would hold it for minutes).
    const giveUp = new AbortController();
    up.catch(() => giveUp.abort());
    try {
      if (!sessionId) {
        const ops = server.owned ? await this.ops() : await this.opsAt(server.url!);
        sessionId = await ops.create(req, giveUp.signal);
        server.answered(); // it answered: no need to wait for the health check
      } else await up;
      await streaming;
    } catch (err) {
      // A server that does not answer: say so as the health check does, not as a failed fetch. Only
      // then is the error `unreachable` (not charged): a server that answers and refuses the create
      // is not an outage. A health check passed a few seconds ago (ensureUp's cache) is asked again.
      let down = await up.then(
        () => undefined,
        (reason: unknown) => reason as Error,
      );
      if (!down && !(await server.healthy())) down = new Error(server.unhealthyReason);
      return this.unstarted(req, onEvent, sessionError("server-down", `cannot start a session: ${(down ?? (err as Error)).message}`, { infrastructure: true, unreachable: down !== undefined }));
    }
    const run = this.track(new SessionRun(sessionId, req, onEvent, this.ctx));
    await run.send();
    return this.handle(run);
  }

  /** A session that never started: its handle is already done, with `error`. */
  private unstarted(req: SessionRequest, onEvent: (e: SessionEvent) => void, error: SessionError): SessionHandle {
    const run = new SessionRun(`unstarted-${req.taskId}-${req.attempt}-${req.role}`, req, onEvent, this.ctx);
    run.fail(error);
    return { ...this.handle(run), unstarted: true };
  }

  /** Re-attaches to a session after an orch restart; undefined when the server no longer has it. */
  async attach(sessionId: string, req: SessionRequest, onEvent: (e: SessionEvent) => void): Promise<SessionHandle | undefined> {
    try {
      await this.opts.server.ensureUp();
      await this.hub.start();
      if (!(await (await this.ops()).exists(sessionId, req.directory))) return undefined;
    } catch {
      // The session cannot be taken back (server gone or restarted): the caller relaunches the attempt.
      return undefined;
    }
    const run = this.track(new SessionRun(sessionId, req, onEvent, this.ctx));
    await run.watch();
    return this.handle(run);
  }

  private track(run: SessionRun): SessionRun {
    this.runs.add(run);
    void run.done.finally(() => {
      this.runs.delete(run);
      for (const [key, timer] of this.pendingApprovals)
        if (key.startsWith(`${run.sessionId}:`)) {
          clearInterval(timer);
          this.pendingApprovals.delete(key);
          void this.clearApproval(run.req.taskId);
        }
    });
    return run;
  }

  private handle(run: SessionRun): SessionHandle {
    return {
      sessionId: run.sessionId,
      done: run.done,
      abort: () => run.stop(sessionError("aborted", "aborted by orch")),
      replyPermission: (requestId, reply) => this.answer(run, requestId, reply),
    };
  }

  private async answer(run: SessionRun, requestId: string, reply: PermissionReply): Promise<void> {
    const key = `${run.sessionId}:${requestId}`;
    const timer = this.pendingApprovals.get(key);
    if (timer) {
      clearInterval(timer);
      this.pendingApprovals.delete(key);
      await this.clearApproval(run.req.taskId);
    }
    await run.reply(requestId, reply);
  }

  /** Removes a task's approval file; a failure is logged (the request is answered either way). */
  private async clearApproval(taskId: string): Promise<void> {
    await clearApproval(this.approvals, taskId).catch((err: unknown) => this.opts.log?.(`could not remove the approval file of ${taskId}: ${err instanceof Error ? err.message : String(err)}`));
  }

  /** Policy first; "ask" writes the approval file, tells the reconciler, and waits for the file's answer. */
  private async onPermission(req: SessionRequest, p: PermissionRequest, run: SessionRun): Promise<void> {
    const action = decidePermission(this.opts.policy, p.kind, req.approval, req.role);
    if (action !== "ask") return run.reply(p.id, action === "allow" ? "once" : "reject");
    await writeApproval(this.approvals, { taskId: req.taskId, requestId: p.id, sessionId: p.sessionId, kind: p.kind, detail: p.detail, at: new Date().toISOString() });
    const key = `${run.sessionId}:${p.id}`;
    const timer = setInterval(() => {
      const decision = readDecision(this.approvals, req.taskId);
      if (decision) void this.answer(run, p.id, decision === "approve" ? "once" : "reject");
    }, this.opts.approvalPollMs ?? 500);
    this.pendingApprovals.set(key, timer);
    run.emit({ type: "permission", request: p });
  }

  /** Aborts running sessions, stops the stream, and stops an owned server. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([...this.runs].map((r) => r.stop(sessionError("aborted", "orch is shutting down"))));
    for (const t of this.pendingApprovals.values()) clearInterval(t);
    this.hub.stop();
    await this.opts.server.stop();
    await this.opts.cleanup?.();
  }
}
