// One session of an attempt (worker, fixer; the reviewer's is review-step.ts): its prompt, slot,
// records (start, end, usage) and the events it reports while it runs.
import type { Config, Role, TaskSpec } from "../spec/index.js";
import type { SessionError, SessionEvent, SessionHandle, SessionRequest, SessionResult } from "../runtime/index.js";
import { ZERO_USAGE, routeModel } from "../runtime/index.js";
import { attemptPrompt } from "./prompt.js";
import { composePatches, usageAdded } from "./actions.js";
import { phaseChange } from "./attempt-records.js";
import type { AttemptEnv, RunningEntry } from "./attempt.js";
import { workDir } from "./attempt-workspace.js";
import type { QueuedChange, WriteQueue } from "./write-queue.js";

/**
 * How long a session's end and the Verifying phase wait to be written: a verify that finishes by
 * then records them with its result, in one write (a slower one shows Verifying after this).
 */
export const PROGRESS_HOLD_MS = 250;

/** After a restart: re-attaches to a recorded session, or undefined when the backend no longer has it. */
export async function attachSession(env: AttemptEnv, e: RunningEntry, t: TaskSpec, sessionId: string): Promise<SessionHandle | undefined> {
  try {
    return await env.runtime.attach(sessionId, request(env, e, t, e.role, ""), (ev) => onEvent(env, e.writes, e, ev));
  } catch (err) {
    // The caller relaunches the attempt in the same number; say why the session was not taken back.
    env.emit({ type: "error", task: e.id, message: `could not re-attach session ${sessionId}: ${err instanceof Error ? err.message : String(err)}` });
    return undefined;
  }
}

function request(env: AttemptEnv, e: RunningEntry, t: TaskSpec, role: Role, prompt: string): SessionRequest {
  return sessionRequest(env.config(), workDir(env, e), t, role, e.attempt, prompt);
}

/**
 * The session request of one attempt's session of `role`.
 * @internal Exported for bench/runtime.ts, which replays exactly what orch sends (knip: not a production user).
 */
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

/** A session result that carries only an error. */
function failure(error: SessionError): SessionResult {
  return { sessionId: "", ok: false, text: "", usage: ZERO_USAGE, costUsd: 0, error };
}

/**
 * One session of the attempt. `starting` (the Running phase change) is queued once the session
 * started, with its session-start record, or before this returns without one; not at all when
 * `opening` (the attempt's first session) found the server unreachable.
 */
export async function runSession(env: AttemptEnv, q: WriteQueue, e: RunningEntry, t: TaskSpec, role: Role, feedback: string | undefined, existing?: SessionHandle, starting?: QueuedChange, opening = false): Promise<SessionResult> {
  const begin = () => starting && q.add(starting);
  let handle = existing;
  if (!handle) {
    await env.slots.acquire(e, role, e.stop.signal);
    if (e.aborting) {
      begin();
      return failure({ code: "aborted", message: `aborted: ${e.aborting}`, terminal: false, infrastructure: false });
    }
    e.lastProgressAt = env.now();
    try {
      const { prompt, missing } = await attemptPrompt({ states: env.states, context: env.context }, t, role, feedback);
      // The session goes on without what could not be built; the task's history says what it lacks.
      if (missing.length) {
        const attempt = e.attempt;
        q.add({ history: () => missing.map((m) => ({ task: e.id, kind: "prompt-incomplete", attempt, role, error: `left out ${m}` })) });
        for (const m of missing) env.emit({ type: "error", task: e.id, message: `the ${role}'s prompt goes without ${m}` });
      }
      handle = await env.runtime.start(request(env, e, t, role, prompt), (ev) => onEvent(env, q, e, ev));
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      begin();
      env.slots.release(e);
      const error: SessionError = { code: "not-started", message, terminal: false, infrastructure: true };
      env.sessionOutcome("infrastructure", error);
      return failure(error);
    }
  }
  e.handle = handle;
  e.lastProgressAt = env.now();
  const startedAt = new Date(env.now()).toISOString();
  // An attempt whose first session found the server unreachable made nothing: it is not recorded as
  // started (the policy records the outage), so a watcher probing a long outage adds no line per probe.
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
  if (real) recordEnd(env, q, e, role, handle.sessionId, res);
  if (!e.aborting) env.sessionOutcome(res.ok ? "ok" : res.error?.infrastructure ? "infrastructure" : "other", res.error);
  return res;
}

/** Queues a session's end: its outcome, usage and history line, held a little for the next write. */
function recordEnd(env: AttemptEnv, q: WriteQueue, e: RunningEntry, role: Role, sessionId: string, res: SessionResult): void {
  const endedAt = new Date(env.now()).toISOString();
  const outcome = e.aborting ? `aborted:${e.aborting}` : res.ok ? "ok" : (res.error?.code ?? "error");
  const tokens = res.usage.input + res.usage.output + res.usage.reasoning;
  const said = lastWords(res.text);
  const live = e.live;
  // The history line is made when written, maybe after a fixer pass took the next number.
  const attempt = e.attempt;
  q.add({
    patch: composePatches((s) => ({ sessions: s.sessions.map((x) => (x.id === sessionId ? { ...x, endedAt, outcome } : x)) }), usageAdded(res.usage, res.costUsd)),
    history: () => [{ task: e.id, kind: "session-end", attempt, session: sessionId, role, tokens, costUsd: res.costUsd, ...(res.ok ? {} : { error: `${res.error?.code}: ${res.error?.message}` }), ...(said ? { detail: { said } } : {}) }],
    // Budgets see the live totals until the record has them (unless a next session's took their place).
    written: () => {
      if (e.live === live) e.live = undefined;
      env.emit({ type: "spent", task: e.id, role, attempt, tokens, costUsd: res.costUsd });
    },
  }, PROGRESS_HOLD_MS);
  env.emit({ type: "session", task: e.id, status: "ended", role, attempt, sessionId, ok: res.ok, ...(res.error ? { error: res.error.code } : {}), ...(said ? { said } : {}) });
}

/** A session's event: progress (stall detection, an answered permission), live usage, a permission to ask. */
export function onEvent(env: AttemptEnv, q: WriteQueue, e: RunningEntry, ev: SessionEvent): void {
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
  } else if (ev.type === "said") {
    const said = lastWords(ev.text);
    if (said) env.emit({ type: "said", task: e.id, text: said });
  } else if (ev.type === "permission") {
    // The runtime applied the policy; an event reaching us means a person must answer (approval file).
    e.awaitingApproval = true;
    env.emit({ type: "permission", task: e.id, kind: ev.request.kind, decision: "ask" });
    q.add(phaseChange(env, e, "AwaitingApproval", "PermissionAsked", `${ev.request.kind}: ${ev.request.detail}`));
  }
}

/** The agent's own last words: the last non-empty line of its text, cut at 300 characters. */
function lastWords(text: string): string | undefined {
  const line = text.trim().split("\n").map((l) => l.trim()).filter(Boolean).at(-1);
  return line === undefined ? undefined : line.length > 300 ? `${line.slice(0, 299)}…` : line;
}
