// One attempt of a task: worker session → verify (orch runs the commands) → review → on failure a fixer
// session and verify+review again, while the attempt budget lasts → Succeeded. Every step is recorded.
import type { Config } from "../spec/config.js";
import type { Role, TaskSpec } from "../spec/model.js";
import type { AgentRuntime, SessionError, SessionEvent, SessionHandle, SessionRequest, SessionResult } from "../runtime/types.js";
import { routeModel } from "../runtime/roles.js";
import { attemptPrompt } from "./prompt.js";
import { composePatches, usageAdded, type AbortReason, type PatchFn, type StatePatch } from "./actions.js";
import { backoffMs } from "./backoff.js";
import { effectiveBudget } from "./budget.js";
import type { EventSink } from "./events.js";
import type { RunningInfo } from "./plan.js";
import type { StateWriter } from "./write-queue.js";
import { reviewAttempt } from "./review-step.js";
import { type Phase, type TaskState } from "../store/task-state-schema.js";
import { ZERO_USAGE, type Usage } from "../runtime/types.js";
import { WriteQueue, type QueuedChange } from "./write-queue.js";
import type { SessionSlots } from "./slots.js";
import type { Semaphore } from "../util/semaphore.js";
import { runVerify } from "./verify.js";

/** What an attempt needs from the loop. */
export interface AttemptEnv extends StateWriter {
  root: string;
  runtime: AgentRuntime;
  config(): Config;
  /** The task as in the last valid desired state. */
  task(id: string): TaskSpec | undefined;
  emit: EventSink;
  rand(): number;
  /** Feeds the backend's circuit breaker; `error` tells a session that could not start (server unreachable). */
  sessionOutcome(outcome: "ok" | "infrastructure" | "other", error?: SessionError): void;
  /** A session reported usage: budgets may need a look. */
  usageChanged?(id: string): void;
  /** Records success (with `pending`, the attempt's changes not yet written, in the same write) and checks the box. */
  succeed(id: string, generation: string, pending?: QueuedChange[]): Promise<void>;
  /** The task's context pack for the prompt (loop-owned code tools); undefined: none. */
  context?: (t: TaskSpec) => Promise<string | undefined>;
  /** The lease holder, recorded as the owner of the attempt. */
  owner(): { holder: string; token: number } | undefined;
  /** Session slots (config.concurrency): held while a session runs. */
  slots: Pick<SessionSlots, "acquire" | "release">;
  /** Bounds verify runs at once (config.concurrency.verify). */
  verifies: Semaphore;
}

/** An attempt running in this process. */
export interface RunningEntry extends RunningInfo {
  id: string;
  handle?: SessionHandle;
  stop: AbortController;
  /** The attempt's record writes, in order (write-queue.ts). */
  writes: WriteQueue;
  /** Running totals of the current session, not yet in the record (budgets see them live). */
  live?: { sessionId: string; usage: Usage; costUsd: number };
  /** The attempt number in which a session last ran: a later failure to start in it is charged. */
  ran?: number;
  /** The attempt's first session found the server unreachable: the attempt is not recorded as started. */
  outage?: boolean;
}

/**
 * How long a session's end and the Verifying phase wait to be written: a verify that finishes by
 * then records them with its result, in one write (a slower one shows Verifying after this).
 */
const PROGRESS_HOLD_MS = 250;

/** Where an adopted attempt resumes: a live session, or the verify stage (its worker had finished). */
export type Resume = { handle?: SessionHandle; at: "session" | "verify" };


/** Runs the attempt to its end; never throws (failures are recorded as the task's state). */
export async function runAttempt(env: AttemptEnv, e: RunningEntry, t0: TaskSpec, resume?: Resume): Promise<void> {
  // Progress records (Running, session start/end, Verifying, verify results) are written behind the
  // attempt's back, in order; it waits for them only where a decision needs them (write-queue.ts).
  const q = e.writes;
  const later = (to: Phase, reason: string, message: string, extra: Extra = {}) => q.add(phaseChange(env, e, to, reason, message, extra));
  try {
    // The Running record of a new session is written with its session-start record (one write).
    let starting: QueuedChange | undefined;
    // The attempt's first session (a new attempt's, not an adopted one's).
    let opening = !resume;
    if (!resume) {
      const iso = new Date(env.now()).toISOString();
      starting = phaseChange(env, e, "Running", "Started", `attempt ${e.attempt}`, (s) => ({
        attempts: e.attempt,
        generation: e.generation,
        startedAt: s.startedAt ?? iso,
        nextAttemptAt: undefined,
        blockedBy: undefined,
        owner: env.owner(),
      }));
    } else {
      later(resume.at === "verify" ? "Verifying" : "Running", "Adopted", "resumed after a restart", { owner: env.owner() });
      if (resume.handle || resume.at === "verify") e.ran = e.attempt; // its session ran (or runs) under the process before
    }
    let role: Role = e.role;
    let feedback: string | undefined;
    let skipSession = resume?.at === "verify";
    let handle = resume?.handle;
    for (;;) {
      const t = env.task(t0.id) ?? t0;
      if (!skipSession) {
        const res = await session(env, q, e, t, role, feedback, handle, starting, opening);
        handle = undefined;
        starting = undefined;
        opening = false;
        if (e.aborting) return await aborted(env, q, e, e.aborting);
        if (!res.ok) return await failed(env, q, e, res);
      }
      skipSession = false;
      q.add(phaseChange(env, e, "Verifying", "WorkerDone", "running verify commands"), PROGRESS_HOLD_MS);
      const commands = t.verify.length ? t.verify : env.config().verify.commands;
      // An attempt aborted while it waited for a verify place does not run its commands.
      const v = await env.verifies.run(async () => (e.aborting ? undefined : runVerify(commands, { cwd: env.root, timeoutMs: env.config().verify.timeoutSec * 1000, signal: e.stop.signal, now: env.now })));
      if (e.aborting || !v) return await aborted(env, q, e, e.aborting ?? "shutdown");
      const bad = v.commands.find((c) => c.exitCode !== 0 || c.timedOut);
      env.emit({ type: "verify", task: e.id, ok: v.ok, command: bad?.command, output: bad?.output.slice(-400) });
      // lastVerify rides on the next state write (a phase change always follows).
      const verified = { lastVerify: v };
      // With no review, this history rides on the result's write (takePending).
      q.add({ history: () => [{ task: e.id, kind: "verify", attempt: e.attempt, verdict: v.ok ? "pass" : "fail", ...(bad ? { error: `${bad.command}: ${bad.timedOut ? "timed out" : `exit ${bad.exitCode}`}` } : {}), detail: { commands: v.commands.map((c) => ({ command: c.command, exitCode: c.exitCode, timedOut: c.timedOut, durationMs: c.durationMs, output: c.output.slice(-1000) })) } }] });
      if (v.ok && env.config().review.enabled) {
        later("Reviewing", "VerifyPassed", "reviewer judges the diff", verified);
        await env.slots.acquire(e, "reviewer", e.stop.signal);
        if (e.aborting) return await aborted(env, q, e, e.aborting);
        e.lastProgressAt = env.now();
        const r = await reviewAttempt(env.runtime, env.config(), t, env.root, e.attempt, (ev) => onEvent(env, q, e, ev)).finally(() => env.slots.release(e));
        if (e.aborting) return await aborted(env, q, e, e.aborting);
        if (!r.ok) {
          q.add({ patch: usageAdded(r.usage, r.costUsd) });
          env.sessionOutcome(r.error.infrastructure ? "infrastructure" : "other", r.error);
          return await failed(env, q, e, { sessionId: r.sessionId, ok: false, text: "", usage: ZERO_USAGE, costUsd: 0, error: r.error });
        }
        const at = new Date(env.now()).toISOString();
        const reviewed = composePatches(usageAdded(r.usage, r.costUsd), { lastReview: { approved: r.verdict.approved, summary: r.verdict.summary, findings: r.verdict.findings, at } });
        q.add({
          patch: reviewed,
          history: () => [{ task: e.id, kind: "review", attempt: e.attempt, session: r.sessionId, verdict: r.verdict.approved ? "approved" : "rejected", detail: { summary: r.verdict.summary, findings: r.verdict.findings } }],
        });
        env.emit({ type: "review", task: e.id, approved: r.verdict.approved, summary: r.verdict.summary });
        if (r.verdict.approved) return await succeedWith(env, q, e);
        feedback = `The reviewer rejected the change: ${r.verdict.summary}\n${r.verdict.findings.map((f) => `- ${f}`).join("\n")}`;
      } else if (v.ok) {
        q.add({ patch: verified });
        return await succeedWith(env, q, e);
      } else feedback = `Verify failed: \`${bad?.command}\` ${bad?.timedOut ? "timed out" : `exited ${bad?.exitCode}`}. Output (tail):\n${bad?.output.slice(-2000)}`;
      // A fixer pass is one more attempt: only within the budget.
      const limit = effectiveBudget(t, env.config()).attempts;
      if (limit !== undefined && e.attempt >= limit) {
        const why = v.ok ? "ReviewRejected" : "VerifyFailed";
        const message = `${v.ok ? "review rejected" : "verify failed"} and the ${limit} attempts are used up`;
        return await phase(env, q, e, "Failed", why, message, { ...(v.ok ? {} : verified), lastError: { code: why, message, terminal: true, at: new Date(env.now()).toISOString() } });
      }
      e.attempt++;
      e.role = role = "fixer";
      starting = phaseChange(env, e, "Running", "Fixing", `fixer pass, attempt ${e.attempt}`, { ...(v.ok ? {} : verified), attempts: e.attempt });
    }
  } catch (err) {
    // A failed write (e.g. "fenced": the lease is gone) or a bug: never crash the loop, say what happened.
    const message = err instanceof Error ? err.message : String(err);
    env.emit({ type: "error", task: e.id, message });
    if (!(err instanceof Error && "code" in err && (err as { code: string }).code === "fenced")) {
      // A fresh queue: the attempt's own queue stops at its first failed write. Changes it still
      // holds (not written, not failed) go first, in order.
      const fresh = new WriteQueue(env, e.id, () => e.generation);
      for (const c of await q.takePending().catch(() => [])) fresh.add(c);
      await failed(env, fresh, e, { sessionId: "", ok: false, text: "", usage: ZERO_USAGE, costUsd: 0, error: { code: "internal", message, terminal: false, infrastructure: false } }).catch(() => {});
    }
  }
}

/**
 * Records the result with the attempt's changes not yet written, in one write. Should that write
 * fail, the changes go back to the queue, so that the failure recorded next still carries them.
 */
async function succeedWith(env: AttemptEnv, q: WriteQueue, e: RunningEntry): Promise<void> {
  const pending = await q.takePending();
  let committed = pending.length === 0;
  const tracked = pending.map((c) => ({ ...c, written: () => ((committed = true), c.written?.()) }));
  try {
    await env.succeed(e.id, e.generation, tracked);
  } catch (err) {
    if (!committed) q.restore(pending);
    throw err;
  }
}

/** After a restart: re-attaches to a recorded session, or undefined when the backend no longer has it. */
export async function attachSession(env: AttemptEnv, e: RunningEntry, t: TaskSpec, sessionId: string): Promise<SessionHandle | undefined> {
  try {
    return await env.runtime.attach(sessionId, request(env, e, t, e.role, ""), (ev) => onEvent(env, e.writes, e, ev));
  } catch {
    return undefined;
  }
}

function request(env: AttemptEnv, e: RunningEntry, t: TaskSpec, role: Role, prompt: string): SessionRequest {
  return sessionRequest(env.config(), env.root, t, role, e.attempt, prompt);
}

/** The session request of one attempt's session of `role` (also what the runtime bench replays). */
export function sessionRequest(config: Config, root: string, t: TaskSpec, role: Role, attempt: number, prompt: string): SessionRequest {
  return {
    taskId: t.id,
    attempt,
    role,
    directory: root,
    model: routeModel(config, t, role),
    ...(t.agent ? { agent: t.agent } : {}),
    title: `${t.id} ${t.title} (${role}, attempt ${attempt})`,
    prompt,
    ...(t.approval ? { approval: t.approval } : {}),
  };
}

/**
 * One session of the attempt. `starting` (the Running phase change) is queued once the session
 * started, with its session-start record, or before this returns without one; not at all when
 * `opening` (the attempt's first session) found the server unreachable.
 */
async function session(env: AttemptEnv, q: WriteQueue, e: RunningEntry, t: TaskSpec, role: Role, feedback: string | undefined, existing?: SessionHandle, starting?: QueuedChange, opening = false): Promise<SessionResult> {
  const begin = () => starting && q.add(starting);
  let handle = existing;
  if (!handle) {
    await env.slots.acquire(e, role, e.stop.signal);
    if (e.aborting) {
      begin();
      return { sessionId: "", ok: false, text: "", usage: ZERO_USAGE, costUsd: 0, error: { code: "aborted", message: `aborted: ${e.aborting}`, terminal: false, infrastructure: false } };
    }
    e.lastProgressAt = env.now();
    try {
      const req = request(env, e, t, role, await attemptPrompt({ states: env.states, context: env.context }, t, role, feedback));
      handle = await env.runtime.start(req, (ev) => onEvent(env, q, e, ev));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      begin();
      env.slots.release(e);
      const error: SessionError = { code: "not-started", message, terminal: false, infrastructure: true };
      env.sessionOutcome("infrastructure", error);
      return { sessionId: "", ok: false, text: "", usage: ZERO_USAGE, costUsd: 0, error };
    }
  }
  e.handle = handle;
  e.lastProgressAt = env.now();
  const startedAt = new Date(env.now()).toISOString();
  // An attempt whose first session found the server unreachable made nothing: it is not recorded as
  // started (failed() records the outage), so a watcher probing a long outage adds no line per probe.
  if (handle.unstarted && opening && (await handle.done).error?.unreachable) e.outage = true;
  else begin();
  // A session the server never made is neither recorded nor shown as one: the attempt's failure
  // says what happened, and an outage that lasts (watch retries it) does not grow the record.
  const real = !handle.unstarted;
  if (!existing && real)
    q.add({
      patch: (s) => ({ sessions: [...s.sessions, { id: handle.sessionId, role, attempt: e.attempt, startedAt }] }),
      history: () => [{ task: e.id, kind: "session-start", attempt: e.attempt, session: handle.sessionId, role }],
    });
  // An orch fenced out by now (its lease taken over) must not leave the session running.
  await q.flush().catch(async (err: unknown) => {
    await handle.abort();
    throw err;
  });
  if (e.aborting) await handle.abort();
  if (real) env.emit({ type: "session", task: e.id, status: existing ? "attached" : "started", role, attempt: e.attempt, sessionId: handle.sessionId });
  const res = await handle.done;
  if (real) e.ran = e.attempt;
  e.handle = undefined;
  env.slots.release(e);
  const endedAt = new Date(env.now()).toISOString();
  const outcome = e.aborting ? `aborted:${e.aborting}` : res.ok ? "ok" : (res.error?.code ?? "error");
  const tokens = res.usage.input + res.usage.output + res.usage.reasoning;
  const live = e.live;
  if (real) {
    q.add({
      patch: composePatches((s) => ({ sessions: s.sessions.map((x) => (x.id === handle.sessionId ? { ...x, endedAt, outcome } : x)) }), usageAdded(res.usage, res.costUsd)),
      history: () => [{ task: e.id, kind: "session-end", attempt: e.attempt, session: handle.sessionId, role, tokens, costUsd: res.costUsd, ...(res.ok ? {} : { error: `${res.error?.code}: ${res.error?.message}` }) }],
      // Budgets see the live totals until the record has them (unless a next session's took their place).
      written: () => {
        if (e.live === live) e.live = undefined;
      },
    }, PROGRESS_HOLD_MS);
    env.emit({ type: "session", task: e.id, status: "ended", role, attempt: e.attempt, sessionId: handle.sessionId, ok: res.ok, ...(res.error ? { error: res.error.code } : {}) });
  }
  if (!e.aborting) env.sessionOutcome(res.ok ? "ok" : res.error?.infrastructure ? "infrastructure" : "other", res.error);
  return res;
}

function onEvent(env: AttemptEnv, q: WriteQueue, e: RunningEntry, ev: SessionEvent): void {
  if (ev.type === "progress") {
    e.lastProgressAt = env.now();
    if (e.awaitingApproval) {
      e.awaitingApproval = false;
      q.add(phaseChange(env, e, "Running", "Approved", "the permission was answered"));
    }
  } else if (ev.type === "usage") {
    e.live = { sessionId: ev.sessionId, usage: ev.usage, costUsd: ev.costUsd };
    env.emit({ type: "usage", task: e.id, usage: ev.usage, costUsd: ev.costUsd });
    env.usageChanged?.(e.id);
  }
  else if (ev.type === "permission") {
    // The runtime applied the policy; an event reaching us means a person must answer (approval file).
    e.awaitingApproval = true;
    env.emit({ type: "permission", task: e.id, kind: ev.request.kind, decision: "ask" });
    q.add(phaseChange(env, e, "AwaitingApproval", "PermissionAsked", `${ev.request.kind}: ${ev.request.detail}`));
  }
}

type Extra = StatePatch | PatchFn;

/** A phase change as a queued write: the record, its history event, and the UI event once written. */
function phaseChange(env: AttemptEnv, e: RunningEntry, to: Phase, reason: string, message: string, extra: Extra = {}): QueuedChange {
  let from: Phase | undefined;
  const attempt = e.attempt;
  return {
    patch: (cur) => {
      const more = typeof extra === "function" ? extra(cur) : extra;
      const at = new Date(env.now()).toISOString();
      return { phase: to, conditions: [{ type: to, status: "True", reason, message, at, observedGeneration: cur.observedGeneration }], ...more };
    },
    history: (before) => {
      from = before?.phase;
      return [{ task: e.id, kind: "phase", attempt, from, to, detail: { reason, message, generation: e.generation } }];
    },
    written: () => env.emit({ type: "phase", task: e.id, from, to, reason, message }),
  };
}

/** A phase change written now, after every queued write: the attempt's last word. */
async function phase(env: AttemptEnv, q: WriteQueue, e: RunningEntry, to: Phase, reason: string, message: string, extra: Extra = {}): Promise<void> {
  q.add(phaseChange(env, e, to, reason, message, extra));
  await q.flush();
}

/**
 * A failed session (or review): terminal → Failed; otherwise Pending with a backoff (plan() enforces
 * the budget). An attempt none of whose sessions ran, the server being unreachable, is not charged;
 * once one ran (e.g. the worker, before a reviewer that could not start), the attempt counts, so a
 * task that brings the server down at its end cannot retry for ever.
 */
async function failed(env: AttemptEnv, q: WriteQueue, e: RunningEntry, res: SessionResult): Promise<void> {
  const err = res.error ?? { code: "model-error", message: "the session failed", terminal: false, infrastructure: false };
  const at = new Date(env.now()).toISOString();
  const lastError = { code: err.code, message: err.message, terminal: err.terminal, at };
  if (err.terminal) return void (await phase(env, q, e, "Failed", "TerminalError", `${err.code}: ${err.message}`, { lastError, nextAttemptAt: undefined }));
  const next = new Date(env.now() + backoffMs(e.attempt, env.config().retry, env.rand())).toISOString();
  if (err.unreachable && e.ran !== e.attempt) {
    // An outage is not the task's failure: the circuit breaker, not the budget, limits these retries.
    if (e.outage) return void (await outage(env, q, e, `${err.code}: ${err.message}; not charged; retry at ${next}`, { lastError, nextAttemptAt: next }));
    return void (await phase(env, q, e, "Pending", "ServerUnreachable", `${err.code}: ${err.message}; not charged; retry at ${next}`, (s) => ({ lastError, nextAttemptAt: next, attempts: Math.max(0, s.attempts - 1) })));
  }
  await phase(env, q, e, "Pending", "RetryableError", `${err.code}: ${err.message}; retry at ${next}`, { lastError, nextAttemptAt: next });
}

/**
 * Records an attempt that never started, the server being unreachable: Pending with a backoff, the
 * attempt count unchanged. A task already waiting for the server gets no history line or phase event
 * for it (the state is still rewritten: its error and retry time), so a long outage does not grow
 * the history.
 */
async function outage(env: AttemptEnv, q: WriteQueue, e: RunningEntry, message: string, extra: StatePatch): Promise<void> {
  const change = phaseChange(env, e, "Pending", "ServerUnreachable", message, extra);
  let again = false;
  q.add({
    patch: change.patch,
    history: (before) => ((again = waitingForServer(before)) ? [] : change.history!(before)),
    written: () => {
      if (!again) change.written?.();
    },
  });
  await q.flush();
}

/** Whether a task's state says it waits for an unreachable server. */
function waitingForServer(s: TaskState | undefined): boolean {
  return s?.phase === "Pending" && s.conditions.some((c) => c.reason === "ServerUnreachable");
}

/** Records the end of an attempt orch aborted; each reason leaves a different state (RECONCILER.md, "Aborts"). */
async function aborted(env: AttemptEnv, q: WriteQueue, e: RunningEntry, reason: AbortReason): Promise<void> {
  const at = new Date(env.now()).toISOString();
  if (reason === "deleted") return await q.flush().catch(() => {}); // the finalizer removes the record
  if (reason === "stall") {
    const next = new Date(env.now() + backoffMs(e.attempt, env.config().retry, env.rand())).toISOString();
    return void (await phase(env, q, e, "Stalled", "NoProgress", `no progress for ${env.config().stallSec}s; retry at ${next}`, { lastError: { code: "stall", message: "no progress", terminal: false, at }, nextAttemptAt: next }));
  }
  if (reason === "budget") return void (await phase(env, q, e, "Failed", "BudgetExhausted", "budget used up while running", { lastError: { code: "budget", message: "budget used up while running", terminal: true, at } }));
  // edit, suspend, checked, shutdown: the attempt does not count (one never recorded as started was
  // not counted); the next pass decides what follows.
  await phase(env, q, e, "Pending", "Aborted", `aborted: ${reason}`, (s) => ({ attempts: e.outage ? s.attempts : Math.max(0, s.attempts - 1) }));
}
