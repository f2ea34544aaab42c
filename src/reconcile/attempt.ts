// One attempt of a task: worker session → verify (orch runs the commands) → review → on failure a fixer
// session and verify+review again, while the attempt budget lasts → Succeeded. Every step is recorded.
// The checks after a session are attempt-checks.ts's; what a setback leads to, attempt-policy.ts's; the
// ladder's rungs after a failed check (a searcher, a split, a person), attempt-ladder.ts's.
import type { Config, Role, TaskSpec } from "../spec/index.js";
import type { AgentRuntime, SessionError, SessionHandle, SessionResult, Usage, ConfinePlan } from "../runtime/index.js";
import { composePatches } from "./actions.js";
import type { EventSink } from "./events.js";
import type { RunningInfo } from "./plan.js";
import type { StateWriter } from "./write-queue.js";
import { WriteQueue, type QueuedChange } from "./write-queue.js";
import type { SessionSlots } from "./slots.js";
import type { Semaphore, Clock } from "../util/index.js";
import type { PromptSources } from "./prompt.js";
import { facts, phaseChange, recordStep, settle } from "./attempt-records.js";
import { runSession } from "./attempt-session.js";
import { checkResult, doomLoopCheck, type Checked } from "./attempt-checks.js";
import { diffBase, type DiffBase } from "./diff.js";
import { guarded, judgeSession, judgeWhole, openWatch, type GuardSetback } from "./attempt-guard-step.js";
import type { Workspace } from "../workspace/index.js";
import { closeWorkspace, conflictMarkers, openFor, updateOntoTip } from "./attempt-workspace.js";
import { climb, type Splitter } from "./attempt-ladder.js";
import type { Violation } from "./attempt-guard.js";
import { guardWords } from "./attempt-policy.js";
import type { InboxFiles } from "../store/index.js";

/** What an attempt needs from the loop. */
export interface AttemptEnv extends StateWriter {
  root: string;
  runtime: AgentRuntime;
  config(): Config;
  /** The task as in the last valid desired state. */
  task(id: string): TaskSpec | undefined;
  /** The run's integration branch, fixed as it started (desired.ts); undefined: the branch checked out. */
  integration?(): string | undefined;
  emit: EventSink;
  rand(): number;
  /** Feeds the backend's circuit breaker; `error` tells a session that could not start (server unreachable). */
  sessionOutcome(outcome: "ok" | "infrastructure" | "other", error?: SessionError): void;
  /** A session reported usage: budgets may need a look. */
  usageChanged?(id: string): void;
  /** Records success (with `pending`, the attempt's changes not yet written, in the same write) and checks the box. */
  succeed(id: string, generation: string, pending?: QueuedChange[], workspace?: Workspace): Promise<Succeeded>;
  /** The task's context pack for the prompt (loop-owned code tools); undefined: none. */
  context?: PromptSources["context"];
  /** The lease holder, recorded as the owner of the attempt. */
  owner(): { holder: string; token: number } | undefined;
  /** Session slots (config.concurrency): held while a session runs. */
  slots: Pick<SessionSlots, "acquire" | "release">;
  /** Bounds verify runs at once (config.concurrency.verify). */
  verifies: Semaphore;
  /** Times the write holds (and the shutdown's wait). */
  clock: Clock;
  /** What verify commands may write (the agents' confinement); absent: they run unconfined. */
  confine?: ConfinePlan;
  /** The `files:` scopes of the mission's other open (unchecked) tasks: in the shared checkout, changes there are theirs. */
  otherScopes?(id: string): string[][];
  /** Unchecks a box the task's own session ticked (the locked TODO.md writer); false: it was not ticked. */
  untick?(id: string): Promise<boolean>;
  /** The inbox: the ladder's last rung writes a task's question there. */
  inbox: Pick<InboxFiles, "write">;
  /** The ladder's split rung (the planner); absent: tasks are not split. */
  split?: Splitter;
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
  /** The attempt's git workspace (undefined: it runs in the person's checkout, see attempt-workspace.ts). */
  workspace?: Workspace;
  /** Paths of the attempt's last merge conflict: a second conflict fails it. */
  conflicted?: string[];
  /** A task the ladder split, its subtasks done: the attempt runs its own verify once more, with no session and no reviewer. */
  verifyOnly?: boolean;
}


/** Where an adopted attempt resumes: a live session, or the verify stage (its worker had finished). */
export type Resume = { handle?: SessionHandle; at: "session" | "verify" };

/** Runs the attempt to its end; never throws (failures are recorded as the task's state). */
export async function runAttempt(env: AttemptEnv, e: RunningEntry, t0: TaskSpec, resume?: Resume): Promise<void> {
  // Progress records (Running, session start/end, Verifying, verify results) are written behind the
  // attempt's back, in order; it waits for them only where a decision needs them (write-queue.ts).
  const q = e.writes;
  try {
    // A workspace of its own when it can have one; what it changed is taken against the workspace's
    // base, or (in the person's checkout) the commit checked out as it starts (adopted: now).
    const missing = await openFor(env, e, !!resume);
    // What it waits for was taken back since the plan started it (a merge retried after its success
    // was recorded conflicted): the start is given back, not charged; the next pass decides again.
    if (missing.length) return await giveBack(env, q, e, missing);
    const base: DiffBase = e.workspace ? { repo: true, commit: e.workspace.base } : await diffBase(env.root);
    // What the attempt may not change is judged after each session (attempt-guard.ts); outside git
    // orch cannot see what changed. In the person's checkout (no workspace) the tree is shared.
    const fail = (s: GuardSetback) => settle(env, q, e, s);
    const watch = base.repo ? await openWatch(env, e, t0, base, fail) : undefined;
    if (watch === null) return;
    // The Running record of a new session is written with its session-start record (one write).
    let starting: QueuedChange | undefined;
    // The attempt's first session (a new attempt's, not an adopted one's).
    let opening = !resume;
    if (!resume) {
      const iso = new Date(env.now()).toISOString();
      // A task the ladder split, its subtasks done: its own verify once more, no session (no worker to start).
      starting = phaseChange(env, e, "Running", e.verifyOnly ? "SubtasksDone" : "Started", e.verifyOnly ? `attempt ${e.attempt}: its subtasks are done; its own verify once more` : `attempt ${e.attempt}`, (s) => ({
        attempts: e.attempt,
        generation: e.generation,
        startedAt: s.startedAt ?? iso,
        nextAttemptAt: undefined,
        blockedBy: undefined,
        owner: env.owner(),
      }));
    } else {
      q.add(phaseChange(env, e, resume.at === "verify" ? "Verifying" : "Running", "Adopted", "resumed after a restart", { owner: env.owner() }));
      if (resume.handle || resume.at === "verify") e.ran = e.attempt; // its session ran (or runs) under the process before
    }
    let role: Role = e.role;
    let feedback: string | undefined;
    let skipSession = resume?.at === "verify" || !!e.verifyOnly;
    if (e.verifyOnly && starting) q.add(starting);
    let handle = resume?.handle;
    /** One session, guarded; undefined: the attempt ended (recorded). A doom loop is the caller's to judge. */
    const guardedSession = async (t: TaskSpec, r: Role, fb: string | undefined, start: QueuedChange | undefined, first: boolean): Promise<SessionResult | undefined> => {
      if (watch && !(await guarded(() => watch.before(t), fail))) return undefined;
      const res = await runSession(env, q, e, t, r, fb, handle, start, first);
      handle = undefined;
      // Before an abort is taken at its word: a box the session ticked aborts it as "checked".
      if (watch && e.aborting !== "deleted" && !(await judgeSession(env, q, e, t, watch, fail))) return undefined;
      if (e.aborting) return void (await settle(env, q, e, { kind: "abort", reason: e.aborting }));
      if (!res.ok && res.error?.code !== "doom-loop") return void (await settle(env, q, e, { kind: "error", error: res.error ?? { code: "model-error", message: "the session failed", terminal: false, infrastructure: false } }));
      return res;
    };
    // The last session's text: the question the agent asks when the ladder reaches a person.
    let said = "";
    for (;;) {
      let loopError: SessionError | undefined;
      const t = env.task(t0.id) ?? t0;
      if (!skipSession) {
        const res = await guardedSession(t, role, feedback, starting, opening);
        if (!res) return;
        loopError = !res.ok && res.error?.code === "doom-loop" ? res.error : undefined;
        said = res.text;
        starting = undefined;
        opening = false;
      }
      // A session stopped in a doom loop goes to a fixer like a failed check, told what it repeated.
      const checked: Checked = loopError ? doomLoopCheck(loopError) : await checkResult(env, q, e, t, e.workspace ? { repo: true, commit: e.workspace.base } : base);
      skipSession = false;
      // Before a workspace is merged, its whole change is judged: verify's writes were not a session's.
      if (checked.kind === "passed" && watch && !(await judgeWhole(env, q, e, t, watch, fail))) return;
      const r = checked.kind === "passed" ? await succeedWith(env, q, e) : checked;
      if (r.kind === "done") return;
      // The ladder: a fixer, a searcher first, a split, or a person (attempt-policy.ts decides, attempt-ladder.ts acts).
      e.verifyOnly = false;
      const next = await climb(env, q, e, t, r, facts(env, e, t), said, (role, fb, start) => guardedSession(env.task(t0.id) ?? t0, role, fb, start, false));
      if (next.kind === "done") return;
      feedback = next.feedback;
      e.role = role = "fixer";
      starting = phaseChange(env, e, "Running", "Fixing", `fixer pass, attempt ${e.attempt}`, composePatches(next.extra, { attempts: e.attempt }));
    }
  } catch (err) {
    // A failed write (e.g. "fenced": the lease is gone) or a bug: never crash the loop, say what happened.
    const message = err instanceof Error ? err.message : String(err);
    env.emit({ type: "error", task: e.id, message });
    if (!(err instanceof Error && "code" in err && (err as { code: string }).code === "fenced")) {
      // A fresh queue: the attempt's own queue stops at its first failed write. Changes it still
      // holds (not written, not failed) go first, in order.
      const fresh = new WriteQueue(env, e.id, () => e.generation, env.clock);
      // takePending waits for the write in flight; its failure was the one just reported.
      for (const c of await q.takePending().catch(() => [])) fresh.add(c);
      const error = { code: "internal", message, terminal: false, infrastructure: false };
      await settle(env, fresh, e, { kind: "error", error }).catch((again: unknown) => env.emit({ type: "error", task: e.id, message: `could not record the failure: ${again instanceof Error ? again.message : String(again)}` }));
    }
  } finally {
    await closeWorkspace(env, e);
  }
}

/**
 * How a success went: recorded (void), a merge conflict (nothing recorded), recorded with its merge
 * left to the journal, or refused: the workspace changed after its checks passed (nothing recorded).
 */
export type Succeeded = { conflict: string[] } | { unpublished: true } | { changed: string[] } | void;

/**
 * Records the result with the attempt's changes not yet written, in one write (with a workspace: once
 * its merge is known clean). Should that write fail, the changes go back to the queue, so that the
 * failure recorded next still carries them. A merge conflict sends the attempt to a fixer once.
 */
async function succeedWith(env: AttemptEnv, q: WriteQueue, e: RunningEntry): Promise<Exclude<Checked, { kind: "passed" }>> {
  if (e.workspace && e.conflicted) {
    const left = await conflictMarkers(e.workspace, e.conflicted);
    if (left.length) {
      await settle(env, q, e, { kind: "error", error: { code: "merge-conflict", message: `conflict markers remain in ${left.join(", ")} after the fixer's pass`, terminal: true, infrastructure: false } });
      return { kind: "done" };
    }
  }
  const pending = await q.takePending();
  let committed = pending.length === 0;
  const tracked = pending.map((c) => ({ ...c, written: () => ((committed = true), c.written?.()) }));
  let r: Succeeded;
  try {
    r = await env.succeed(e.id, e.generation, tracked, e.workspace);
  } catch (err) {
    if (!committed) q.restore(pending);
    throw err;
  }
  if (!r || !e.workspace) return { kind: "done" };
  if ("unpublished" in r) {
    // Kept for the next start's recovery (its journal names the workspace's commit), not removed now.
    e.workspace = undefined;
    return { kind: "done" };
  }
  // Nothing was written: the changes wait for the attempt's next record.
  if (!committed) q.restore(pending);
  if ("changed" in r) {
    await refuseChanged(env, q, e, r.changed);
    return { kind: "done" };
  }
  const attempt = e.attempt;
  const paths = r.conflict;
  q.add({ history: () => [{ task: e.id, kind: "merge", attempt, verdict: "conflict", detail: { into: e.workspace?.integration, paths } }] });
  env.emit({ type: "merge", task: e.id, kept: [], conflict: paths });
  if (e.conflicted) {
    await settle(env, q, e, { kind: "error", error: { code: "merge-conflict", message: `merging into ${e.workspace.integration} conflicts again in ${paths.join(", ")}`, terminal: true, infrastructure: false } });
    return { kind: "done" };
  }
  e.conflicted = paths;
  await updateOntoTip(e.workspace);
  return {
    kind: "failed",
    why: "MergeConflict",
    extra: {},
    feedback: `Your change passed its checks, but ${e.workspace.integration.replace(/^refs\/heads\//, "")} moved on while you worked and merging into it conflicts in: ${paths.join(", ")}. The workspace now holds that merge, with git's conflict markers (<<<<<<<, =======, >>>>>>>) in those files. Resolve each conflict keeping the intent of both sides (usually both changes), remove every marker, and make sure the task still works.`,
  };
}

/** A workspace that changed after verify and review passed is not merged: the attempt fails, the paths named (a guard violation). */
async function refuseChanged(env: AttemptEnv, q: WriteQueue, e: RunningEntry, paths: string[]): Promise<void> {
  const prefix = e.workspace?.prefix ? `${e.workspace.prefix}/` : "";
  const v: Violation = { kind: "changed-after-verify", paths: paths.map((p) => (prefix && p.startsWith(prefix) ? p.slice(prefix.length) : p)) };
  const attempt = e.attempt;
  q.add({ history: () => [{ task: e.id, kind: "guard", attempt, verdict: "fail", error: guardWords(v), detail: { kind: v.kind, paths: v.paths } }] });
  await settle(env, q, e, { kind: "guard", violations: [v] });
}

/** A start given back before anything of it was recorded: Pending, no attempt charged, the reason said; retried after the backoff's first step. */
async function giveBack(env: AttemptEnv, q: WriteQueue, e: RunningEntry, missing: string[]): Promise<void> {
  const at = env.now();
  const message = `not started: ${missing.join(", ")} ${missing.length === 1 ? "is" : "are"} not in the integration branch (a success taken back after its merge conflicted, or a merge not made yet); the next pass decides again`;
  await recordStep(env, q, e, { kind: "record", phase: "Pending", reason: "DependencyNotMerged", message, patch: { nextAttemptAt: new Date(at + env.config().retry.baseMs).toISOString() }, refund: false, quietIfWaiting: false });
}
