// One prompt in one OpenCode session, watched to its end: started-confirmation, progress,
// usage, provider retries, permission asks, timeouts, abort, and the final result.
import { z } from "zod";
import { ZERO_USAGE, type Usage } from "./types.js";
import { realClock, type Clock, type TimerHandle } from "../util/index.js";
import type { ServerEvent } from "./events.js";
import type { SessionOps } from "./protocol.js";
import { mapOpencodeError, providerError, sessionError } from "./errors.js";
import { DoomLoopCounter, doomLoopText, toolCallOf } from "./doom-loop.js";
import type { PermissionReply, PermissionRequest, SessionError, SessionEvent, SessionRequest, SessionResult } from "./types.js";

/** What a run needs from the runtime around it. */
export interface RunContext {
  /** The calls of the server's OpenCode version, on a server that is up. */
  ops: () => Promise<SessionOps>;
  subscribe(sessionId: string, fn: (e: ServerEvent) => void): () => void;
  /** Decides an asked permission: a reply now, or undefined when a person must answer. */
  onPermission(req: SessionRequest, p: PermissionRequest, run: SessionRun): Promise<void>;
  startTimeoutMs: number;
  timeoutMs: number;
  /** OpenCode's own provider retries tolerated before orch aborts and reports the error. */
  providerRetries: number;
  /** The same tool call this many times in the session aborts it with error `doom-loop`. */
  doomLoopRepeats: number;
  log?: (line: string) => void;
  /** Times the start check and the session timeout; default: the real clock. */
  clock?: Clock;
}

const TokensSchema = z.object({
  input: z.number().default(0),
  output: z.number().default(0),
  reasoning: z.number().default(0),
  cache: z.object({ read: z.number().default(0), write: z.number().default(0) }).prefault({}),
});
const AssistantSchema = z
  .object({ id: z.string(), role: z.literal("assistant"), cost: z.number().default(0), tokens: TokensSchema.prefault({}), error: z.unknown().optional(), time: z.object({ completed: z.number().optional() }).loose() })
  .loose();
const MessageSchema = z.object({ info: z.object({ id: z.string(), role: z.string() }).loose(), parts: z.array(z.object({ type: z.string() }).loose()) }).loose();

/** Sums assistant messages' tokens and cost. */
function totals(msgs: Array<z.infer<typeof AssistantSchema>>): { usage: Usage; costUsd: number } {
  const usage: Usage = { ...ZERO_USAGE };
  let costUsd = 0;
  for (const m of msgs) {
    usage.input += m.tokens.input;
    usage.output += m.tokens.output;
    usage.reasoning += m.tokens.reasoning;
    usage.cacheRead += m.tokens.cache.read;
    usage.cacheWrite += m.tokens.cache.write;
    costUsd += m.cost;
  }
  return { usage, costUsd };
}

/** A prompt being watched. Created by the runtime; `done` settles exactly once. */
export class SessionRun {
  readonly done: Promise<SessionResult>;
  private settle!: (r: SessionResult) => void;
  private finished = false;
  private started = false;
  private retries = 0;
  private lastProgress = 0;
  private eventError?: SessionError;
  /** Set when orch or a person rejected an asked permission: OpenCode then ends the turn. */
  private rejected?: SessionError;
  private stopReason?: SessionError;
  private finalizing?: Promise<void>;
  private readonly assistants = new Map<string, z.infer<typeof AssistantSchema>>();
  private readonly known = new Set<string>();
  private readonly timers: TimerHandle[] = [];
  private unsubscribe?: () => void;
  private doomLoop?: DoomLoopCounter;
  private get clock(): Clock {
    return this.ctx.clock ?? realClock;
  }

  constructor(
    readonly sessionId: string,
    readonly req: SessionRequest,
    private readonly onEvent: (e: SessionEvent) => void,
    private readonly ctx: RunContext,
  ) {
    this.done = new Promise((r) => (this.settle = r));
  }

  /** Watches a session that is already running (re-attach after an orch restart). */
  async watch(): Promise<void> {
    this.started = true;
    this.unsubscribe = this.ctx.subscribe(this.sessionId, (e) => this.onServerEvent(e));
    this.arm();
    await this.resync();
  }

  /** Sends the prompt and starts watching; never throws (failures settle `done`). */
  async send(): Promise<void> {
    this.unsubscribe = this.ctx.subscribe(this.sessionId, (e) => this.onServerEvent(e));
    try {
      const ops = await this.ctx.ops();
      if (this.req.sessionId) {
        // Continuing a session: messages already there are not part of this prompt's result.
        for (const m of (await ops.messages(this.sessionId, this.req.directory)) ?? []) this.known.add(m.info.id);
      }
      const refused = await ops.prompt(this.sessionId, this.req);
      if (refused) return this.finish(refused);
    } catch (err) {
      return this.finish(sessionError("server-down", `cannot reach OpenCode: ${String(err)}`, { infrastructure: true }));
    }
    this.arm();
    // A 204 whose prompt never starts is a known upstream failure: confirm it started.
    this.timers.push(this.clock.setTimeout(() => void this.checkStarted(), this.ctx.startTimeoutMs));
  }

  private arm(): void {
    const ms = this.req.timeoutMs ?? this.ctx.timeoutMs;
    this.timers.push(this.clock.setTimeout(() => void this.stop(sessionError("timeout", `no result within ${ms} ms`)), ms));
  }

  private async checkStarted(): Promise<void> {
    if (this.started || this.finished) return;
    if (await this.busyOnServer()) {
      this.started = true;
      return;
    }
    if (this.assistants.size > 0 || (await this.resync())) return;
    await this.stop(sessionError("not-started", `prompt accepted but not started within ${this.ctx.startTimeoutMs} ms`, { infrastructure: true }));
  }

  private async busyOnServer(): Promise<boolean> {
    try {
      return await (await this.ctx.ops()).busy(this.sessionId, this.req.directory);
    } catch {
      // Not known busy: the caller then reads the messages, and a session that never started is failed.
      return false;
    }
  }

  /** Re-reads the session after missed events (reconnect, re-attach). True if it finished. */
  async resync(): Promise<boolean> {
    if (this.finished) return true;
    if (await this.busyOnServer()) return false;
    const msgs = await this.messages();
    const last = msgs?.at(-1);
    if (last && last.info.role === "assistant" && (last.info as { time?: { completed?: number } }).time?.completed) {
      await this.finalize();
      return true;
    }
    return false;
  }

  private progress(): void {
    const now = this.clock.now();
    if (now - this.lastProgress < 1_000) return;
    this.lastProgress = now;
    this.onEvent({ type: "progress", sessionId: this.sessionId, at: now });
  }

  private onServerEvent(e: ServerEvent): void {
    if (this.finished) return;
    this.progress();
    const p = e.properties;
    switch (e.type) {
      case "session.status": {
        const st = p.status as { type?: string; message?: string; status?: number } | undefined;
        if (st?.type === "busy") this.started = true;
        else if (st?.type === "retry") {
          this.started = true;
          if (++this.retries > this.ctx.providerRetries) void this.stop(providerError(st.status, st.message ?? "provider retry"));
        } else if (st?.type === "idle" && this.started) void this.finalize();
        break;
      }
      case "session.idle":
        if (this.started) void this.finalize();
        break;
      case "session.error":
        if (p.error) this.eventError = mapOpencodeError(p.error);
        break;
      case "message.updated": {
        const m = AssistantSchema.safeParse(p.info);
        if (!m.success || this.known.has(m.data.id)) break;
        this.started = true;
        this.assistants.set(m.data.id, m.data);
        const t = totals([...this.assistants.values()]);
        this.onEvent({ type: "usage", sessionId: this.sessionId, ...t });
        break;
      }
      case "message.part.updated": {
        const call = toolCallOf(p.part);
        if (call) {
          const loop = (this.doomLoop ??= new DoomLoopCounter(this.ctx.doomLoopRepeats)).see(call);
          // Not terminal: the attempt fails like a model error; the fixer is told what it repeated.
          if (loop) void this.stop(sessionError("doom-loop", doomLoopText(loop)));
          break;
        }
        // A finished text part of one of this session's assistant messages (not the prompt's, not one OpenCode made up).
        const part = p.part as { type?: unknown; text?: unknown; messageID?: unknown; synthetic?: unknown; time?: { end?: unknown } } | undefined;
        if (part?.type !== "text" || part.synthetic || typeof part.text !== "string" || !part.text.trim() || part.time?.end === undefined) break;
        if (typeof part.messageID === "string" && this.assistants.has(part.messageID)) this.onEvent({ type: "said", sessionId: this.sessionId, text: part.text });
        break;
      }
      case "permission.asked": {
        const detail = [...((p.patterns as string[] | undefined) ?? []), JSON.stringify(p.metadata ?? {})].join("\n");
        const perm: PermissionRequest = { id: String(p.id), sessionId: this.sessionId, kind: String(p.permission), detail };
        void this.ctx.onPermission(this.req, perm, this).catch((err: unknown) => this.ctx.log?.(`permission handling failed: ${String(err)}`));
        break;
      }
    }
  }

  /** Answers a permission request of this session. */
  async reply(requestId: string, reply: PermissionReply): Promise<void> {
    const ops = await this.ctx.ops();
    if (reply === "reject") this.rejected ??= sessionError("permission-rejected", `permission request ${requestId} was rejected; the agent stopped`);
    await ops.reply(this.sessionId, requestId, reply, this.req.directory);
  }

  private async messages(): Promise<Array<z.infer<typeof MessageSchema>> | undefined> {
    try {
      const parsed = z.array(MessageSchema).safeParse(await (await this.ctx.ops()).messages(this.sessionId, this.req.directory));
      return parsed.success ? parsed.data.filter((m) => !this.known.has(m.info.id)) : undefined;
    } catch {
      // Unread: not known finished; the event stream, the next resync or stall detection decides.
      return undefined;
    }
  }

  /** Reads the result once: "session.status idle" and "session.idle" both arrive for one end. */
  private finalize(): Promise<void> {
    return (this.finalizing ??= this.readResult());
  }

  private async readResult(): Promise<void> {
    if (this.finished) return;
    const msgs = await this.messages();
    if (this.finished) return;
    const assistants = (msgs ?? []).map((m) => AssistantSchema.safeParse(m.info)).flatMap((r) => (r.success ? [r.data] : []));
    const merged = assistants.length ? assistants : [...this.assistants.values()];
    const last = msgs?.filter((m) => m.info.role === "assistant").at(-1);
    const text = (last?.parts ?? [])
      .filter((pt) => pt.type === "text" && !(pt as { synthetic?: boolean }).synthetic)
      .map((pt) => String((pt as { text?: unknown }).text ?? ""))
      .join("");
    const lastErr = merged.at(-1)?.error;
    let fromServer = lastErr ? mapOpencodeError(lastErr) : this.eventError;
    // OpenCode 2 ends a turn whose permission was rejected as "aborted": the rejection is what happened.
    if (this.rejected && (!fromServer || fromServer.code === "aborted")) fromServer = this.rejected;
    const error = this.stopReason ?? fromServer;
    this.complete({ ok: !error, text, ...totals(merged), ...(error ? { error } : {}) });
  }

  /** Aborts the session on the server and settles with `reason`. */
  async stop(reason: SessionError): Promise<void> {
    if (this.finished || this.stopReason) return;
    this.stopReason = reason;
    try {
      await (await this.ctx.ops()).abort(this.sessionId, this.req.directory);
    } catch (err) {
      this.ctx.log?.(`abort ${this.sessionId} failed: ${String(err)}`);
    }
    await this.finalize();
  }

  /** Settles with an infrastructure failure without talking to the server (it is gone). */
  fail(reason: SessionError): void {
    this.complete({ ok: false, text: "", ...totals([...this.assistants.values()]), error: reason });
  }

  private finish(error: SessionError): void {
    this.complete({ ok: false, text: "", usage: { ...ZERO_USAGE }, costUsd: 0, error });
  }

  private complete(r: Omit<SessionResult, "sessionId">): void {
    if (this.finished) return;
    this.finished = true;
    for (const t of this.timers) this.clock.clearTimeout(t);
    this.unsubscribe?.();
    this.settle({ sessionId: this.sessionId, ...r });
  }

  /** Passes an event to the session's listener while the session runs. */
  emit(e: SessionEvent): void {
    if (!this.finished) this.onEvent(e);
  }
}
