// Carries out a plan: every state change goes through the store (fenced, journaled), sessions through
// the AgentRuntime, and TODO.md checks through the store's TODO writer (re-read under its lock).
// A success's record, check, commit and merge are success.ts's.
import type { Mission, TaskSpec } from "../spec/index.js";
import { setChecked } from "../spec/index.js";
import path from "node:path";
import type { TodoWriter, ApprovalFiles, InboxFiles, TaskState } from "../store/index.js";
import type { Workspace } from "../workspace/index.js";
import { clearApproval } from "../runtime/index.js";
import type { Action } from "./actions.js";
import { runAttempt, type AttemptEnv, type RunningEntry, type Succeeded } from "./attempt.js";
import { attachSession } from "./attempt-session.js";
import { totalTokens } from "./budget.js";
import { WriteQueue, type QueuedChange } from "./write-queue.js";
import { appendHistory, SuccessRecorder } from "./success.js";
import type { TimerHandle } from "../util/index.js";

/** What the executor needs beyond an attempt's needs. */
export interface ExecutorEnv extends AttemptEnv {
  todo(file: string): TodoWriter;
  /** Approval files: a finalized task's is removed. */
  approvals: ApprovalFiles;
  /** The inbox: an answered question's file is removed, as is a finalized task's. */
  inbox: InboxFiles;
  /** The last valid desired state. */
  mission(): Mission;
  /** Attempts in this process, by task. */
  running: Map<string, RunningEntry & { done: Promise<void> }>;
  /** Called when an attempt ends, so a pass follows. */
  attemptEnded(id: string): void;
  /** False once the lease is lost or orch is stopping: start nothing new. */
  mayStart(): boolean;
  /** A finalized task's record is about to go: what it spent still counts for the mission budget. */
  removing(s: TaskState): void;
}

/** Applies a plan's actions: state writes first (awaited), then session starts (not awaited). */
export class Executor {
  private readonly success: SuccessRecorder;
  constructor(private readonly env: ExecutorEnv) {
    this.success = new SuccessRecorder(env);
  }

  async apply(actions: readonly Action[]): Promise<void> {
    const env = this.env;
    // Bounded parallel writes across tasks (a first pass over 10,000 tasks must not take minutes);
    // one task's sets stay in plan order.
    const byTask = new Map<string, Extract<Action, { type: "set" }>[]>();
    for (const a of actions) if (a.type === "set") byTask.set(a.id, [...(byTask.get(a.id) ?? []), a]);
    const groups = [...byTask.values()];
    // A task whose question file changed since the pass read it stays as it was: its other actions wait for the next pass.
    const stale = new Set<string>();
    for (let i = 0; i < groups.length; i += 32)
      await Promise.all(groups.slice(i, i + 32).map(async (g) => {
        for (const a of g) if (!(await this.set(a))) return void stale.add(a.id);
      }));
    for (const a of actions) {
      if (a.type === "set" || stale.has(a.id)) continue;
      if (a.type === "check") await this.succeed(a.id, env.mission().tasks.find((t) => t.id === a.id)?.generation ?? "");
      else if (a.type === "uncheck") await this.uncheck(a.id);
      else if (a.type === "abort") await this.abort(a.id, a.reason);
      else if (a.type === "finalize") await this.finalize(a.id);
      else if (a.type === "start" && env.mayStart()) this.launch(a.id, { generation: a.generation, attempt: a.attempt, role: a.role, ...(a.verifyOnly ? { verifyOnly: true } : {}) });
      else if (a.type === "adopt" && env.mayStart()) await this.adopt(a.id, a.sessionId);
    }
  }

  /** Records a set action; false when it left WaitingForPerson on a question file a person has changed since (nothing done). */
  private async set(a: Extract<Action, { type: "set" }>): Promise<boolean> {
    const env = this.env;
    // A task that no longer waits for a person (answered, edited, retried, checked by a person) has
    // no question: its file goes, compare-and-delete under its lock. A save since the pass read it
    // (an answer still being written, autosaved halfway) keeps the task waiting and the file: the
    // next pass reads the whole answer. The answer is in the record before the file goes.
    if (a.from === "WaitingForPerson" && a.to !== "WaitingForPerson") {
      const leave = async () => {
        await this.write(a);
        if (a.patch.answer) await appendHistory(env, [{ task: a.id, kind: "answered", detail: { answer: a.patch.answer.text, file: path.relative(env.root, env.inbox.path(a.id)) } }]);
      };
      if (a.question === undefined) {
        await leave();
        await env.inbox.remove(a.id);
      } else if (!(await env.inbox.removeIf(a.id, a.question, leave))) return false;
      return true;
    }
    await this.write(a);
    return true;
  }

  private async write(a: Extract<Action, { type: "set" }>): Promise<void> {
    const env = this.env;
    const t = env.mission().tasks.find((x) => x.id === a.id);
    const at = new Date(env.now()).toISOString();
    // A patch without a phase (an edit seen while running) must not touch what the attempt records.
    const recorded = a.from !== a.to || a.reason === "ManualRetry";
    await env.states.patch(
      a.id,
      t?.generation ?? "",
      (cur) =>
        a.patch.phase === undefined
          ? a.patch
          : { ...a.patch, conditions: [{ type: a.to, status: "True", reason: a.reason, message: a.message, at, observedGeneration: t?.generation ?? cur.observedGeneration }] },
      { fence: env.fence(), history: () => (recorded ? [{ task: a.id, kind: "phase", from: a.from, to: a.to, detail: { reason: a.reason, message: a.message, generation: t?.generation } }] : []) },
    );
    if (a.from !== a.to) env.emit({ type: "phase", task: a.id, from: a.from, to: a.to, reason: a.reason, message: a.message });
  }

  private launch(id: string, s: { generation: string; attempt: number; role: RunningEntry["role"]; verifyOnly?: boolean }): void {
    const t = this.env.mission().tasks.find((x) => x.id === id);
    if (!t || this.env.running.has(id)) return;
    // A split task's verify once more holds no session slot.
    const e = this.register(id, s, s.verifyOnly ? "none" : "claim");
    this.run(e, t);
  }

  /** Registers the attempt before the first await, so the next pass sees it running: never twice at once. */
  private register(id: string, s: { generation: string; attempt: number; role: RunningEntry["role"]; verifyOnly?: boolean }, slot: "claim" | "held" | "none"): RunningEntry & { done: Promise<void> } {
    const now = this.env.now();
    const e: RunningEntry & { done: Promise<void> } = { id, ...s, startedAt: now, lastProgressAt: now, awaitingApproval: false, stop: new AbortController(), done: Promise.resolve(), writes: new WriteQueue(this.env, id, () => e.generation, this.env.clock) };
    // Claimed before any await, so the next pass counts it. A start's claim waits: its session takes
    // the slot only if it still fits then (others may have taken slots since the plan counted them).
    // A re-attached session already runs: it holds one, even past the limit.
    if (slot !== "none") e.slot = { role: s.role, waiting: slot === "claim" };
    this.env.running.set(id, e);
    return e;
  }

  private run(e: RunningEntry & { done: Promise<void> }, t: TaskSpec, resume?: Parameters<typeof runAttempt>[3]): void {
    const env = this.env;
    e.done = runAttempt(env, e, t, resume).finally(() => {
      env.slots.release(e);
      env.running.delete(e.id);
      env.attemptEnded(e.id);
    });
  }

  private async adopt(id: string, sessionId: string | undefined): Promise<void> {
    const env = this.env;
    const t = env.mission().tasks.find((x) => x.id === id);
    if (!t || env.running.has(id)) return;
    const s = (await env.states.read(id, t.generation))?.value;
    if (!s || env.running.has(id)) return;
    const last = s.sessions[s.sessions.length - 1];
    const role = (last?.role as RunningEntry["role"] | undefined) ?? "worker";
    // Re-attaching to a running session takes its slot (even past the limit: the session exists).
    const e = this.register(id, { generation: s.generation, attempt: Math.max(1, s.attempts), role }, sessionId ? "held" : "none");
    // Events of a re-attached session go to the registered entry (progress feeds stall detection).
    const handle = sessionId ? await attachSession(env, e, t, sessionId) : undefined;
    if (!handle) env.slots.release(e);
    // A split task's verify once more has no session to resume: it runs its verify again.
    const workerDone = ((s.phase === "Verifying" || s.phase === "Reviewing") && !handle) || (!!s.split && t.children.length > 0 && !sessionId);
    if (s.split && t.children.length > 0 && !sessionId) e.verifyOnly = true;
    this.run(e, t, { ...(handle ? { handle } : {}), at: workerDone ? "verify" : "session" });
  }

  private async abort(id: string, reason: RunningEntry["aborting"]): Promise<void> {
    const e = this.env.running.get(id);
    if (!e || e.aborting) return;
    e.aborting = reason;
    e.stop.abort();
    await e.handle?.abort().catch((err: unknown) => this.env.emit({ type: "error", task: id, message: `abort failed: ${String(err)}` }));
  }

  /** Aborts every attempt and waits for them to record their end (graceful shutdown, lease loss). */
  async abortAll(reason: NonNullable<RunningEntry["aborting"]>, waitMs: number): Promise<void> {
    const list = [...this.env.running.values()];
    await Promise.all(list.map((e) => this.abort(e.id, reason)));
    let timer: TimerHandle | undefined;
    await Promise.race([Promise.all(list.map((e) => e.done)), new Promise((r) => (timer = this.env.clock.setTimeout(() => r(undefined), waitMs)))]);
    this.env.clock.clearTimeout(timer);
  }

  /** Success: recorded, the box checked, merged or committed (success.ts). */
  succeed(id: string, generation: string, pending: readonly QueuedChange[] = [], ws?: Workspace): Promise<Succeeded> {
    return this.success.succeed(id, generation, pending, ws);
  }

  /** Unchecks a task's box for `orch retry` (through the locked TODO.md writer: a person's save survives). */
  private async uncheck(id: string): Promise<void> {
    const m = this.env.mission();
    if (await this.env.todo(m.todoFile).edit((cur) => setChecked(cur, id, false), this.env.fence()))
      await appendHistory(this.env, [{ task: id, kind: "unchecked", detail: { reason: "ManualRetry", message: "orch retry: unchecked to redo it" } }]);
  }

  /**
   * Unchecks a box an attempt's own session ticked (the guard: no pass may take it as a person's),
   * through the locked TODO.md writer, so a person's other edits stay. False: it was not ticked.
   */
  async untick(id: string): Promise<boolean> {
    const m = this.env.mission();
    if (!(await this.env.todo(m.todoFile).edit((cur) => setChecked(cur, id, false), this.env.fence()))) return false;
    await appendHistory(this.env, [{ task: id, kind: "unchecked", detail: { reason: "DesiredStateChanged", message: "the task's own session ticked its box: unchecked" } }]);
    return true;
  }

  /** The finalizer of a task that left TODO.md: abort, then remove orch's own records. Merged work stays. */
  private async finalize(id: string): Promise<void> {
    const env = this.env;
    const e = env.running.get(id);
    if (e) {
      await this.abort(id, "deleted");
      await e.done;
    }
    // Read after the abort was recorded, so the spend of its last session is in it.
    const last = (await env.states.read(id))?.value;
    await env.states.remove(id, env.fence());
    if (last) env.removing(last);
    await clearApproval(env.approvals, id);
    await env.inbox.remove(id);
    // In detail, not the top-level tokens/costUsd of a session-end line: summing those must not count it twice.
    const spent = last ? { spentTokens: totalTokens(last), spentUsd: last.costUsd } : {};
    await appendHistory(this.env, [{ task: id, kind: "deleted", detail: { reason: "the task left TODO.md; its session was aborted and its state removed", ...spent } }]);
    env.emit({ type: "phase", task: id, to: "Cancelled", reason: "Deleted", message: "removed from TODO.md" });
  }
}
