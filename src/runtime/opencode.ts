// AgentRuntime on OpenCode: sessions through the v2 SDK, one shared event stream, permissions
// answered by policy or through approval files, server death turned into retryable errors.
import { createOpencodeClient, type OpencodeClient } from "@opencode-ai/sdk/v2";
import { clearApproval, readDecision, writeApproval } from "./approvals.js";
import type { ApprovalFiles } from "../store/index.js";
import { sessionError } from "./errors.js";
import { EventHub, sseStream } from "./events.js";
import { decidePermission, sessionRules, type PermissionPolicy } from "./permissions.js";
import { rolePrompt, splitModel } from "./roles.js";
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

/**
 * What `session.create` gets for a request: its folder, title and the role's permission rules.
 * @internal Exported for bench/runtime.ts, which replays exactly what orch sends (knip: not a production user).
 */
export function sessionCreateBody(req: SessionRequest, policy: PermissionPolicy): { directory: string; title: string; permission: ReturnType<typeof sessionRules> } {
  return { directory: req.directory, title: req.title, permission: sessionRules(policy, req.role, req.approval) };
}

/**
 * The agent, model and system text a prompt is sent with (besides its text and folder).
 * @internal Exported for bench/runtime.ts, which replays exactly what orch sends (knip: not a production user).
 */
export function promptSettings(req: SessionRequest, ownedServer: boolean): { agent?: string; system?: string; model?: { providerID: string; modelID: string } } {
  // An owned server knows orch's agents; an external one gets the role prompt as system text.
  const agent = req.agent ?? (ownedServer ? req.role : undefined);
  return { ...(agent ? { agent } : {}), ...(req.model ? { model: splitModel(req.model) } : {}), ...(ownedServer ? {} : { system: rolePrompt(req.role) }) };
}

/** The OpenCode-backed runtime. */
export class OpenCodeRuntime implements AgentRuntime {
  private readonly hub: EventHub;
  private readonly runs = new Set<SessionRun>();
  private readonly pendingApprovals = new Map<string, NodeJS.Timeout>();
  private clientFor?: { url: string; client: OpencodeClient };
  private readonly ctx: RunContext;
  private readonly approvals: ApprovalFiles;
  private closed = false;

  /** The server this runtime talks to (owned or external). */
  readonly server: OpenCodeServer;

  constructor(private readonly opts: OpenCodeRuntimeOptions) {
    this.server = opts.server;
    this.approvals = opts.approvals;
    const headers = opts.server.headers;
    const openStream = sseStream(() => opts.server.streamBase(), headers);
    const open = async (signal: AbortSignal) => {
      const stream = await openStream(signal);
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
      client: () => this.client(),
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

  /**
   * The SDK client for a server that is up: an owned one is (re)started first; an external one's
   * health is checked every few seconds, which also bounds how long a call to a wedged server waits.
   */
  private async client(): Promise<OpencodeClient> {
    return this.clientAt(await this.opts.server.ensureUp());
  }

  private clientAt(url: string): OpencodeClient {
    if (this.clientFor?.url !== url)
      this.clientFor = { url, client: createOpencodeClient({ baseUrl: url, headers: this.opts.server.headers }) };
    return this.clientFor.client;
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
        const client = server.owned ? await this.client() : this.clientAt(server.url!);
        const created = await client.session.create(sessionCreateBody(req, this.opts.policy), { signal: giveUp.signal });
        if (!created.data) throw new Error(`session.create: ${JSON.stringify(created.error)}`);
        sessionId = created.data.id;
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
      if (!down && !(await server.healthy())) down = new Error(`OpenCode server ${server.url} does not answer /global/health`);
      return this.unstarted(req, onEvent, sessionError("server-down", `cannot start a session: ${(down ?? (err as Error)).message}`, { infrastructure: true, unreachable: down !== undefined }));
    }
    const run = this.track(new SessionRun(sessionId, req, onEvent, this.ctx));
    await run.send(promptSettings(req, this.opts.server.owned));
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
      const client = await this.client();
      const got = await client.session.get({ sessionID: sessionId, directory: req.directory });
      if (!got.data) return undefined;
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
