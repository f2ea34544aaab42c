// Carries out a plan: every state change goes through the store (fenced, journaled), sessions through
// the AgentRuntime, and TODO.md checks through the store's TODO writer (re-read under its lock).
import type { Mission, TaskSpec } from "../spec/index.js";
import { setChecked, taskLines, generationOf, LIMITS, readUserFileSync } from "../spec/index.js";
import type { HistoryEvent, TodoWriter, ApprovalFiles, TaskState } from "../store/index.js";
import { commitTask, withLock, DEFAULT_LOCK_OPTIONS, StorePaths, ensureLayout, type StatePatch } from "../store/index.js";
import { integrate, type Integrated, journalPath } from "../workspace/index.js";
import type { Workspace } from "../workspace/index.js";
import { clearApproval } from "../runtime/index.js";
import { composePatches, type Action } from "./actions.js";
import { runAttempt, type AttemptEnv, type RunningEntry, type Succeeded } from "./attempt.js";
import { attachSession } from "./attempt-session.js";
import { totalTokens } from "./budget.js";
import { combine, WriteQueue, type QueuedChange } from "./write-queue.js";
import { taskCommitMessage, taskTrailers } from "./commit-message.js";
import type { TimerHandle } from "../util/index.js";

/** What the executor needs beyond an attempt's needs. */
export interface ExecutorEnv extends AttemptEnv {
  todo(file: string): TodoWriter;
  /** Approval files: a finalized task's is removed. */
  approvals: ApprovalFiles;
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
  constructor(private readonly env: ExecutorEnv) {}

  async apply(actions: readonly Action[]): Promise<void> {
    const env = this.env;
    // Bounded parallel writes across tasks (a first pass over 10,000 tasks must not take minutes);
    // one task's sets stay in plan order.
    const byTask = new Map<string, Extract<Action, { type: "set" }>[]>();
    for (const a of actions) if (a.type === "set") byTask.set(a.id, [...(byTask.get(a.id) ?? []), a]);
    const groups = [...byTask.values()];
    for (let i = 0; i < groups.length; i += 32)
      await Promise.all(groups.slice(i, i + 32).map(async (g) => {
        for (const a of g) await this.set(a);
      }));
    for (const a of actions) {
      if (a.type === "set") continue;
      if (a.type === "check") await this.succeed(a.id, env.mission().tasks.find((t) => t.id === a.id)?.generation ?? "");
      else if (a.type === "uncheck") await this.uncheck(a.id);
      else if (a.type === "abort") await this.abort(a.id, a.reason);
      else if (a.type === "finalize") await this.finalize(a.id);
      else if (a.type === "start" && env.mayStart()) this.launch(a.id, { generation: a.generation, attempt: a.attempt, role: a.role });
      else if (a.type === "adopt" && env.mayStart()) await this.adopt(a.id, a.sessionId);
    }
  }

  private async set(a: Extract<Action, { type: "set" }>): Promise<void> {
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

  private launch(id: string, s: { generation: string; attempt: number; role: RunningEntry["role"] }): void {
    const t = this.env.mission().tasks.find((x) => x.id === id);
    if (!t || this.env.running.has(id)) return;
    const e = this.register(id, s, "claim");
    this.run(e, t);
  }

  /** Registers the attempt before the first await, so the next pass sees it running: never twice at once. */
  private register(id: string, s: { generation: string; attempt: number; role: RunningEntry["role"] }, slot: "claim" | "held" | "none"): RunningEntry & { done: Promise<void> } {
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
    const workerDone = (s.phase === "Verifying" || s.phase === "Reviewing") && !handle;
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

  /**
   * Success: record it (with what the line looked like, and `pending`: the attempt's changes not yet
   * written, in the same write), then check the box; optional per-task commit.
   */
  async succeed(id: string, generation: string, pending: readonly QueuedChange[] = [], ws?: Workspace): Promise<Succeeded> {
    const env = this.env;
    if (ws) {
      const t = env.mission().tasks.find((x) => x.id === id);
      if (t && t.generation === generation) return this.merge(t, ws, pending);
    }
    await this.recordSuccess(id, generation, pending);
  }

  /**
   * Merges the workspace into the integration branch (workspace/integrate.ts) under the repository's
   * git lock; the success is recorded (state, history, the box) only once the merge is known clean,
   * and goes into the task's one commit. A conflict records nothing: the attempt sends it to a fixer.
   */
  private async merge(t: TaskSpec, ws: Workspace, pending: readonly QueuedChange[]): Promise<Succeeded> {
    const env = this.env;
    const paths = new StorePaths(env.root);
    ensureLayout(paths.dir);
    const todoFile = env.mission().todoFile;
    let prev: TaskState | undefined;
    const r: Integrated = await withLock(paths.lock("git"), DEFAULT_LOCK_OPTIONS, () =>
      integrate(ws, {
        record: async () => {
          prev = await this.recordSuccess(t.id, t.generation, pending, false);
          // Before the commit is built, so that the commit holds the history line that names it.
          await this.record([{ task: t.id, kind: "merge", detail: { into: ws.integration, branch: ws.branch, base: ws.base } }]);
        },
        message: () => taskCommitMessage(t, prev, env.config()),
        todo: { file: todoFile, check: (text) => (prev?.checkedByOrch && !taskLines(text, todoFile).get(t.id)?.checked ? (setChecked(text, t.id, true) ?? text) : text) },
        records: [`.orchestrator/state/${t.id}.json`, `.orchestrator/history/${t.id}.jsonl`],
        root: env.root,
        journal: journalPath(env.root, t.id),
      }),
    );
    if (r.kind === "conflict") return { conflict: r.paths };
    if (r.kind === "unpublished") {
      // The success stands (recorded, the box checked): its journal has the merge, the next start makes it.
      env.emit({ type: "error", task: t.id, message: `${t.id} succeeded but its merge into ${ws.integration} was not made (${r.problem}); the next start makes it from ${journalPath(env.root, t.id)}` });
      return { unpublished: true };
    }
    if (r.problem) env.emit({ type: "error", task: t.id, message: `${t.id} merged into ${ws.integration}, but ${r.problem}` });
    env.emit({ type: "merge", task: t.id, ...(r.sha ? { sha: r.sha } : {}), kept: r.kept });
  }

  /** Records success and checks the box (see succeed); `commit`: the shared tree's per-task commit follows. */
  private async recordSuccess(id: string, generation: string, pending: readonly QueuedChange[] = [], commit = true): Promise<TaskState | undefined> {
    const env = this.env;
    const m = env.mission();
    const t = m.tasks.find((x) => x.id === id);
    const at = new Date(env.now()).toISOString();
    const earlier = combine(pending);
    const written = () => {
      for (const c of pending) c.written?.();
    };
    if (!t || t.generation !== generation) {
      // The task changed while it ran (finish-then-rerun): record the result, do not check the box; plan reruns it.
      await env.states.patch(id, generation, composePatches(earlier.change, { phase: "Succeeded", finishedAt: at, checkedByOrch: undefined, generation }), {
        fence: env.fence(),
        history: () => [...earlier.events(), { task: id, kind: "phase", to: "Succeeded", detail: { reason: "SucceededStale", generation } }],
      });
      written();
      return undefined;
    }
    const read = readUserFileSync(m.root, m.todoFile, LIMITS.todoBytes);
    const text = "text" in read ? read.text : "";
    const line = taskLines(text, m.todoFile).get(id);
    const lineBefore = line?.text ?? "";
    const lineAfter = line?.checkedText ?? "";
    let prev: TaskState | undefined;
    const success: StatePatch = {
      phase: "Succeeded",
      finishedAt: at,
      nextAttemptAt: undefined,
      lastError: undefined,
      blockedBy: undefined,
      checkedByOrch: { at, generation, lineBefore, lineAfter },
      conditions: [{ type: "Succeeded", status: "True", reason: "Succeeded", message: "verified and checked by orch", at, observedGeneration: generation }],
    };
    // `prev`: the state the success applies to (after the pending changes).
    const change = composePatches(earlier.change, (s) => ((prev = s), success));
    // The transition is recorded with the state it reaches (one locked write, one append); should the
    // spec turn out edited below, a SucceededStale event follows it.
    const reached = () => (prev?.phase === "Succeeded" ? [] : [{ task: id, kind: "phase", from: prev?.phase, to: "Succeeded", attempt: prev?.attempts, detail: { reason: "Succeeded", generation } }]);
    await env.states.patch(id, generation, change, { fence: env.fence(), history: () => [...earlier.events(), ...reached()] });
    written();
    // From here on a pass may see the box checked (by this attempt): it must not take it for a person's.
    const running = env.running.get(id);
    if (running) running.succeeded = true;
    // Check the box only on the spec that was verified: the line or the task file may have been edited
    // since this mission was read (a watcher event not yet handled). Both are read under the TODO.md
    // lock, the task file as the loader reads it (BOM dropped); then the plan reruns the new spec.
    let edited = false;
    await env.todo(m.todoFile).edit((cur) => {
      const now = taskLines(cur, m.todoFile).get(id);
      // Where its task file is or would be: a held task's last valid spec may predate the file.
      const file = readUserFileSync(m.root, t.file ?? `${env.config().tasksDir.replace(/[\\/]+$/, "")}/${id}.md`, LIMITS.taskFileBytes);
      const fileText = "text" in file ? file.text : undefined;
      if (now && !("problem" in file) && generationOf(id, now.meaning, fileText) === generation) return setChecked(cur, id, true);
      edited = true;
      return undefined;
    });
    if (edited) {
      await env.states.patch(id, generation, { checkedByOrch: undefined }, { fence: env.fence(), history: () => [{ task: id, kind: "phase", to: "Succeeded", detail: { reason: "SucceededStale", generation, editedBeforeCheck: true } }] });
      return { ...(prev ?? ({} as TaskState)), checkedByOrch: undefined };
    }
    if (prev?.phase !== "Succeeded") env.emit({ type: "phase", task: id, from: prev?.phase, to: "Succeeded", reason: "Succeeded", message: "checked in TODO.md" });
    if (commit && env.config().git.commit === "task" && prev?.phase !== "Succeeded") await this.commit(t, prev);
    // What the task's commit reports: the state reached.
    return prev && { ...prev, ...success } as TaskState;
  }

  private async commit(t: TaskSpec, s: TaskState | undefined): Promise<void> {
    const env = this.env;
    const config = env.config();
    try {
      const trailers = taskTrailers(t, s, config);
      const todoFile = env.mission().todoFile;
      await commitTask({
        root: env.root,
        taskId: t.id,
        title: t.title,
        scope: t.files,
        trailers,
        ...(t.type ? { type: t.type } : {}),
        todo: { file: todoFile, check: (text) => (taskLines(text, todoFile).get(t.id)?.checked ? text : setChecked(text, t.id, true)) },
        // Recorded before the commit, so that the commit holds the history that names it.
        beforeCommit: (paths, outOfScope) => this.record([{ task: t.id, kind: "commit", detail: { paths, outOfScope } }]),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      env.emit({ type: "error", task: t.id, message: `commit failed: ${message}` });
      // The history said "commit" already: say in the record a person reads that it did not happen.
      await this.record([{ task: t.id, kind: "commit-failed", error: message }]).catch((e: unknown) => env.emit({ type: "error", task: t.id, message: `could not record the failed commit: ${String(e)}` }));
    }
  }

  /** Unchecks a task's box for `orch retry` (through the locked TODO.md writer: a person's save survives). */
  private async uncheck(id: string): Promise<void> {
    const m = this.env.mission();
    if (await this.env.todo(m.todoFile).edit((cur) => setChecked(cur, id, false), this.env.fence()))
      await this.record([{ task: id, kind: "unchecked", detail: { reason: "ManualRetry", message: "orch retry: unchecked to redo it" } }]);
  }

  /**
   * Unchecks a box an attempt's own session ticked (the guard: no pass may take it as a person's),
   * through the locked TODO.md writer, so a person's other edits stay. False: it was not ticked.
   */
  async untick(id: string): Promise<boolean> {
    const m = this.env.mission();
    if (!(await this.env.todo(m.todoFile).edit((cur) => setChecked(cur, id, false), this.env.fence()))) return false;
    await this.record([{ task: id, kind: "unchecked", detail: { reason: "DesiredStateChanged", message: "the task's own session ticked its box: unchecked" } }]);
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
    // In detail, not the top-level tokens/costUsd of a session-end line: summing those must not count it twice.
    const spent = last ? { spentTokens: totalTokens(last), spentUsd: last.costUsd } : {};
    await this.record([{ task: id, kind: "deleted", detail: { reason: "the task left TODO.md; its session was aborted and its state removed", ...spent } }]);
    env.emit({ type: "phase", task: id, to: "Cancelled", reason: "Deleted", message: "removed from TODO.md" });
  }

  /** Appends history events stamped now. */
  private async record(events: Omit<HistoryEvent, "at">[]): Promise<void> {
    const at = new Date(this.env.now()).toISOString();
    await this.env.journal.append(events.map((e) => ({ at, ...e })));
  }
}
