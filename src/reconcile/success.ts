// A task's success, once its checks passed: recorded (with the attempt's pending changes, in one write),
// the box checked in TODO.md under its lock, then the task's commit, or, from a workspace, its merge
// into the integration branch. The executor hands it every success (executor.ts).
import { setChecked, taskLines, generationOf, LIMITS, readUserFileSync, type TaskSpec } from "../spec/index.js";
import type { HistoryEvent, TaskState } from "../store/index.js";
import { commitTask, withGitLock, type StatePatch } from "../store/index.js";
import { integrate, type Integrated, journalPath } from "../workspace/index.js";
import type { Workspace } from "../workspace/index.js";
import { composePatches } from "./actions.js";
import type { Succeeded } from "./attempt.js";
import type { ExecutorEnv } from "./executor.js";
import { combine, type QueuedChange } from "./write-queue.js";
import { taskCommitMessage, taskTrailers } from "./commit-message.js";

/** Appends history events stamped now (the executor's and a success's). */
export async function appendHistory(env: Pick<ExecutorEnv, "now" | "journal">, events: Omit<HistoryEvent, "at">[]): Promise<void> {
  const at = new Date(env.now()).toISOString();
  await env.journal.append(events.map((e) => ({ at, ...e })));
}

/** Records successes for the executor. */
export class SuccessRecorder {
  constructor(private readonly env: ExecutorEnv) {}

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
    const todoFile = env.mission().todoFile;
    let prev: TaskState | undefined;
    let before: TaskState | undefined;
    const r: Integrated = await withGitLock(env.root, () =>
      integrate(ws, {
        record: async () => {
          ({ reached: prev, before } = await this.recordSuccess(t.id, t.generation, pending, false));
          // Before the commit is built, so that the commit holds the history line that names it.
          await appendHistory(this.env, [{ task: t.id, kind: "merge", detail: { into: ws.integration, branch: ws.branch, base: ws.base } }]);
        },
        unrecord: () => this.withdraw(t.id, t.generation, before, prev),
        message: () => taskCommitMessage(t, prev, env.config()),
        todo: { file: todoFile, check: (text) => (prev?.checkedByOrch ? (setChecked(text, t.id, true) ?? text) : text) },
        records: [`.orchestrator/state/${t.id}.json`, `.orchestrator/history/${t.id}.jsonl`],
        root: env.root,
        journal: journalPath(env.root, t.id),
      }),
    );
    if (r.kind === "conflict") return { conflict: r.paths };
    if (r.kind === "changed") return { changed: r.paths };
    if (r.kind === "unpublished") {
      // The success stands (recorded, the box checked): its journal has the merge, the next start makes it.
      env.emit({ type: "error", task: t.id, message: `${t.id} succeeded but its merge into ${ws.integration} was not made (${r.problem}); the next start makes it from ${journalPath(env.root, t.id)}` });
      return { unpublished: true };
    }
    if (r.problem) env.emit({ type: "error", task: t.id, message: `${t.id} merged into ${ws.integration}, but ${r.problem}` });
    env.emit({ type: "merge", task: t.id, ...(r.sha ? { sha: r.sha } : {}), kept: r.kept });
  }

  /**
   * Takes back a success recorded for a merge that then conflicted (a round integrate.ts retried after
   * the integration branch moved): the box orch checked is unchecked, the state's success fields are
   * as `before` had them, and the attempt is no longer taken as succeeded (the plan's rules that stop
   * an attempt apply again). The attempt goes on to its fixer.
   */
  private async withdraw(id: string, generation: string, before: TaskState | undefined, reached: TaskState | undefined): Promise<void> {
    const env = this.env;
    const m = env.mission();
    const checked = reached?.checkedByOrch?.lineAfter;
    // Only the line as orch checked it: a person's edit of it since stays theirs.
    if (checked) await env.todo(m.todoFile).edit((cur) => (taskLines(cur, m.todoFile).get(id)?.text === checked ? setChecked(cur, id, false) : undefined));
    const to = before?.phase ?? "Running";
    const message = "its merge, made again after the integration branch moved, conflicts: the success is taken back";
    const back: StatePatch = { phase: to, finishedAt: before?.finishedAt, nextAttemptAt: before?.nextAttemptAt, lastError: before?.lastError, blockedBy: before?.blockedBy, checkedByOrch: before?.checkedByOrch, conditions: before?.conditions };
    await env.states.patch(id, generation, back, { fence: env.fence(), history: () => [{ task: id, kind: "phase", from: "Succeeded", to, detail: { reason: "MergeConflict", message } }] });
    const running = env.running.get(id);
    if (running) running.succeeded = false;
    env.emit({ type: "phase", task: id, from: "Succeeded", to, reason: "MergeConflict", message });
  }

  /**
   * Records success and checks the box (see succeed); `commit`: the shared tree's per-task commit
   * follows. Returns the state reached and the state the success applied to.
   */
  private async recordSuccess(id: string, generation: string, pending: readonly QueuedChange[] = [], commit = true): Promise<{ reached?: TaskState; before?: TaskState }> {
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
      return {};
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
      return { reached: { ...(prev ?? ({} as TaskState)), checkedByOrch: undefined }, before: prev };
    }
    if (prev?.phase !== "Succeeded") env.emit({ type: "phase", task: id, from: prev?.phase, to: "Succeeded", reason: "Succeeded", message: "checked in TODO.md" });
    if (commit && env.config().git.commit === "task" && prev?.phase !== "Succeeded") await this.commit(t, prev);
    // What the task's commit reports: the state reached.
    return { reached: prev && ({ ...prev, ...success } as TaskState), before: prev };
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
        beforeCommit: (paths, outOfScope) => appendHistory(this.env, [{ task: t.id, kind: "commit", detail: { paths, outOfScope } }]),
      });
    } catch (err) {
      const message = err instanceof Error ? err.message : String(err);
      env.emit({ type: "error", task: t.id, message: `commit failed: ${message}` });
      // The history said "commit" already: say in the record a person reads that it did not happen.
      await appendHistory(this.env, [{ task: t.id, kind: "commit-failed", error: message }]).catch((e: unknown) => env.emit({ type: "error", task: t.id, message: `could not record the failed commit: ${String(e)}` }));
    }
  }
}
