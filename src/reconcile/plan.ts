// The pure decision function: desired state (the mission) + actual state (records) + now → actions.
// No I/O. Every rule is in docs/RECONCILER.md; tests in test/reconcile/plan*.test.ts cite them.
import type { Config, Mission, Role, TaskId, TaskSpec } from "../spec/index.js";
import type { Phase, TaskState } from "../store/index.js";
import { type AbortReason, type Action, type Plan } from "./actions.js";
import { applyPatch, type StatePatch } from "../store/index.js";
import { budgetExceeded, effectiveBudget, totalTokens, wallMs } from "./budget.js";
import { breakerAllowance, breakerWaitMs, type BreakerState } from "./breaker.js";
import { score } from "./priority.js";
import { ATTEMPT_PHASES, criticalPathLengths, isGroup, ownWorkDone, taskGraph, type TaskGraph } from "../graph/index.js";
import type { Slot } from "./slots.js";
import { missionBudgetExceeded, missionMinutesLeftMs, missionSpend, type CarriedSpend } from "./mission-budget.js";

/** What the loop knows about an attempt running in this process. */
export interface RunningInfo {
  generation: string;
  role: Role;
  attempt: number;
  startedAt: number;
  lastProgressAt: number;
  awaitingApproval: boolean;
  /** Set once an abort was issued, so later passes do not issue it again. */
  aborting?: AbortReason;
  /** Set once the attempt's success is recorded: it only checks its box (and commits) now, so no rule applies to it. */
  succeeded?: boolean;
  /** The session slot it holds or waits for (slots.ts); none while it verifies or records. */
  slot?: Slot;
}

/** Suspensions written by `orch suspend` (task ids, or the whole mission). Front matter `suspend: true` is in the spec. */
export interface Controls {
  missionSuspended: boolean;
  suspended: ReadonlySet<TaskId>;
  /** `orch retry <id>` requests: task → request stamp; a stamp the state has not handled yet means "retry now". */
  retry: ReadonlyMap<TaskId, string>;
}

/** Everything besides desired and actual state that a decision depends on. */
export interface PlanContext {
  now: number;
  config: Config;
  running: ReadonlyMap<TaskId, RunningInfo>;
  /** The backend's breaker, already evaluated at `now` (see breakerAt). */
  breaker: BreakerState;
  controls: Controls;
  /** A Succeeded task orch checked is unchecked in TODO.md now: did a person mean redo, or did an editor save stale text? */
  classifyUncheck: (t: TaskSpec, s: TaskState) => "redo" | "stale";
  /** When each task with a record but no line in TODO.md was first seen missing. */
  missingSince: ReadonlyMap<TaskId, number>;
  /** A task must stay missing this long before its finalizer runs (guards against half-written saves). */
  deleteGraceMs: number;
  /** When this process first saw each task without a record: its waiting time for aging (score). */
  seenSince?: ReadonlyMap<TaskId, number>;
  /** When this `orch run`/`orch watch` started: the mission budget's minutes count from here (default: now). */
  missionStartedAt?: number;
  /** Spend of tasks whose records were finalized in this process: still the mission's (mission-budget.ts). */
  missionCarried?: CarriedSpend;
  /** A person's answers in the inbox (.orchestrator/inbox/<id>.md) of tasks waiting for one, by task. */
  answers?: ReadonlyMap<TaskId, string>;
  /** The question files' texts as read with those answers: a move out of WaitingForPerson holds only while its file still says this. */
  questions?: ReadonlyMap<TaskId, string>;
}

/**
 * Stall detection watches sessions: an attempt holding a session slot and not waiting for a person.
 * Waiting for a slot, running verify commands (bounded by their own timeout), recording: not stalls.
 */
function inSession(r: RunningInfo): boolean {
  return !!r.slot && !r.slot.waiting && !r.awaitingApproval;
}

/** The role a task's worker session runs as. */
function roleOf(t: TaskSpec): Role {
  return t.role ?? "worker";
}

/** One reconcile decision. Pure: same inputs, same plan. */
export function plan(desired: Mission, actual: ReadonlyMap<TaskId, TaskState>, ctx: PlanContext): Plan {
  const iso = new Date(ctx.now).toISOString();
  // Done and blocked-by as graph/ rules them, the same rules `orch status` shows (a box ticked during
  // the task's own attempt is not done yet: the attempt's guard judges it first).
  const graph = taskGraph(desired.tasks, (t) => ownWorkDone(t, actual.get(t.id)));
  const sets: Action[] = [];
  const others: Action[] = [];
  const candidates: { t: TaskSpec; s: TaskState | undefined }[] = [];
  let wake = Number.POSITIVE_INFINITY;
  const wakeAt = (ms: number) => (wake = Math.min(wake, ms));
  // The mission budget, a hard stop: no start below, and every running session is aborted.
  const spend = missionSpend(actual.values(), ctx.missionStartedAt ?? ctx.now, ctx.now, ctx.missionCarried);
  const missionOver = missionBudgetExceeded(ctx.config.missionBudget, spend);
  if (!missionOver && ctx.running.size > 0) {
    const left = missionMinutesLeftMs(ctx.config.missionBudget, spend);
    if (left !== undefined) wakeAt(ctx.now + left);
  }
  const set = (t: TaskSpec, s: TaskState | undefined, to: Phase, reason: string, message: string, patch: StatePatch = {}) => {
    // Leaving WaitingForPerson removes the question file, compare-and-delete: only while it says what was read.
    const question = s?.phase === "WaitingForPerson" && to !== "WaitingForPerson" ? ctx.questions?.get(t.id) : undefined;
    sets.push({ type: "set", id: t.id, from: s?.phase, to, reason, message, patch: { phase: to, observedGeneration: t.generation, ...patch }, ...(question !== undefined ? { question } : {}) });
  };

  // Finalizers: records whose task left TODO.md.
  for (const [id] of actual) {
    if (graph.index.has(id)) continue;
    const r = ctx.running.get(id);
    if (r?.aborting === "deleted") continue;
    const since = ctx.missingSince.get(id) ?? ctx.now;
    if (ctx.now - since < ctx.deleteGraceMs) wakeAt(since + ctx.deleteGraceMs);
    else others.push({ type: "finalize", id });
  }

  for (const t of desired.tasks) {
    let s = actual.get(t.id);
    const r = ctx.running.get(t.id);
    const suspended = t.suspend || ctx.controls.missionSuspended || ctx.controls.suspended.has(t.id);
    const budget = effectiveBudget(t, ctx.config);
    // Its task file has errors: no decision is taken from that spec (no start, redo, reset or
    // adoption) until it is valid; a session running for it meets only the rules that stop one.
    if (t.held && !r) continue;

    if (r) {
      // Rules for a session running in this process.
      // A box orch is checking for a recorded success is not a person checking it mid-run.
      if (r.aborting || r.succeeded) continue;
      const abort = (reason: AbortReason, message: string) => others.push({ type: "abort", id: t.id, reason, message });
      if (t.checked) abort("checked", "checked in TODO.md by a person");
      else if (suspended) abort("suspend", "suspended");
      else if (missionOver) abort("mission-budget", `mission budget: ${missionOver}`);
      else if (t.generation !== r.generation && ctx.config.onEdit === "cancel-and-restart") abort("edit", "task edited while running");
      else if (s && budgetExceeded(budget, s, ctx.now, false)) abort("budget", budgetExceeded(budget, s, ctx.now, false)!);
      else if (inSession(r) && ctx.now - r.lastProgressAt >= ctx.config.stallSec * 1000)
        abort("stall", `no progress for ${ctx.config.stallSec}s`);
      else {
        if (inSession(r)) wakeAt(r.lastProgressAt + ctx.config.stallSec * 1000);
        if (s && budget.minutes !== undefined) wakeAt(ctx.now + budget.minutes * 60_000 - wallMs(s, ctx.now));
        if (s && s.observedGeneration !== t.generation)
          sets.push({ type: "set", id: t.id, from: s.phase, to: s.phase, reason: "Observed", message: "edit seen; the task reruns after this attempt", patch: { observedGeneration: t.generation } });
      }
      continue;
    }

    if (s && ATTEMPT_PHASES.has(s.phase)) {
      // A split whose subtasks' lines went in before its attempt recorded its end (a kill -9): the
      // task is split (the mark is flushed before the lines), so it waits for them instead of running beside them.
      const into = s.split?.into;
      if (into && t.children.some((c) => into.includes(c)) && graph.blockedBy(t).length > 0) {
        set(t, s, "Pending", "Split", `split into ${into.join(", ")} (its attempt was interrupted): it runs its own verify once more when they are done`, { nextAttemptAt: undefined });
        continue;
      }
      // The record says a session runs, but not in this process: a restart after a crash.
      const last = s.sessions[s.sessions.length - 1];
      others.push({ type: "adopt", id: t.id, sessionId: last && !last.endedAt ? last.id : undefined });
      continue;
    }

    // A reset (retry, redo, edit) records Pending and then falls through, so the task can start in this pass.
    let wasReset = false;
    const resetTo = (reason: string, message: string, patch: StatePatch) => {
      set(t, s, "Pending", reason, message, patch);
      s = applyPatch(s!, { phase: "Pending", ...patch });
      wasReset = true;
    };
    // A person's answer is read before any reset (an edit, a retry), which carries it into the next attempts.
    const answer = s?.phase === "WaitingForPerson" ? ctx.answers?.get(t.id) : undefined;
    const answered = (): StatePatch => (answer !== undefined ? { answer: { text: answer, at: iso } } : {});
    const withAnswer = (message: string) => (answer !== undefined ? `${message}, with a person's answer` : message);
    const retry = ctx.controls.retry.get(t.id);
    const retryAsked = retry !== undefined && s !== undefined && s.retryHandled !== retry;
    if (t.checked) {
      // `orch retry` of a done task is a redo: its box is unchecked first, and the next pass resets it.
      if (retryAsked) {
        others.push({ type: "uncheck", id: t.id });
        continue;
      }
      // A box a person checked needs no record (the box is the truth); one with a record is brought in line.
      if (s && (s.phase !== "Succeeded" || s.generation !== t.generation))
        set(t, s, "Succeeded", "CheckedByPerson", "checked in TODO.md", { generation: t.generation, finishedAt: iso, checkedByOrch: undefined, blockedBy: undefined, nextAttemptAt: undefined });
      continue;
    }
    if (suspended) {
      // A task waiting for a person stays so (its question too): Suspended, it would come back
      // Pending with its attempts used up, and fail on its budget instead of waiting for the answer.
      // An answer given meanwhile is read once it is resumed.
      if (s?.phase === "WaitingForPerson") continue;
      if (s?.phase !== "Suspended") set(t, s, "Suspended", "Suspended", t.suspend ? "suspend: true in the task file" : "suspended by orch suspend", { generation: s?.generation ?? t.generation, blockedBy: undefined });
      continue;
    }
    if (retryAsked && s) resetTo("ManualRetry", withAnswer("orch retry"), { ...reset(t, s, iso), retryHandled: retry, ...answered() });
    if (s?.phase === "Succeeded") {
      if (s.checkedByOrch && s.generation === t.generation && ctx.classifyUncheck(t, s) === "stale") {
        others.push({ type: "check", id: t.id });
        continue;
      }
      resetTo("Redo", s.generation === t.generation ? "unchecked by a person: redo" : "edited after success: rerun", reset(t, s, iso));
    }
    if (s && s.generation !== t.generation) resetTo("SpecChanged", withAnswer("task edited: starts over at the new generation"), { ...reset(t, s, iso), ...answered() });
    if (s?.phase === "Failed") continue; // terminal until edited or `orch retry`
    if (s?.phase === "WaitingForPerson") {
      // The ladder's last rung: the task waits until a person answers its question (not Failed). The
      // answer goes into the next attempts' prompts, on a fresh budget.
      if (answer === undefined) continue;
      resetTo("Answered", `a person answered: ${answer.length > 200 ? `${answer.slice(0, 199)}…` : answer}`, { ...reset(t, s, iso), ...answered() });
    }
    const over = s && budgetExceeded(budget, s, ctx.now, true);
    if (over) {
      set(t, s, "Failed", "BudgetExhausted", over, { lastError: { code: "budget", message: over, terminal: true, at: iso }, nextAttemptAt: undefined });
      continue;
    }
    const waiting = graph.blockedBy(t);
    if (waiting.length > 0) {
      // Like ready ones, a blocked task without a record needs none: the files say what blocks it.
      if (s && (s.phase !== "Blocked" || !sameList(s.blockedBy, waiting)))
        set(t, s, "Blocked", "DepsNotDone", `waiting for ${waiting.join(", ")}`, { generation: t.generation, blockedBy: waiting });
      continue;
    }
    // A group with no task file is done when its subtasks are; one the ladder split still runs its verify.
    if (isGroup(t) && !s?.split) {
      others.push({ type: "check", id: t.id });
      continue;
    }
    const next = s?.nextAttemptAt ? Date.parse(s.nextAttemptAt) : undefined;
    // No record means Pending: a ready task gets one when it starts (10,000 new tasks cost no writes).
    if (!wasReset && s && s.phase !== "Pending" && s.phase !== "Stalled")
      set(t, s, "Pending", "Ready", "deps done", { generation: t.generation, blockedBy: undefined });
    if (next !== undefined && next > ctx.now) {
      wakeAt(next);
      continue;
    }
    candidates.push({ t, s });
  }

  const starts = missionOver ? [] : schedule(candidates, graph, ctx);
  // Ready work held back by an open breaker needs a pass when the probe may go.
  const cooldown = candidates.length > 0 ? breakerWaitMs(ctx.breaker, ctx.now, ctx.config.circuitBreaker) : undefined;
  if (cooldown !== undefined) wakeAt(ctx.now + cooldown);
  const requeue = wake === Number.POSITIVE_INFINITY ? undefined : Math.max(0, Math.ceil(wake - ctx.now));
  return { actions: [...sets, ...others, ...starts], ...(requeue !== undefined ? { requeueAfterMs: requeue } : {}), ...(missionOver ? { missionBudget: missionOver } : {}) };
}

/** Picks which ready tasks start now: slots in total and per role, the breaker, then score order. */
function schedule(
  candidates: { t: TaskSpec; s: TaskState | undefined }[],
  graph: TaskGraph,
  ctx: PlanContext,
): Action[] {
  if (candidates.length === 0) return [];
  // Slots are sessions, held or awaited (an attempt waiting for its reviewer's slot goes first).
  const claims = [...ctx.running.values()].flatMap((r) => (r.slot ? [r.slot.role] : []));
  let free = Math.min(ctx.config.concurrency.total - claims.length, breakerAllowance(ctx.breaker));
  if (free <= 0) return [];
  const perRole = new Map<string, number>();
  for (const role of claims) perRole.set(role, (perRole.get(role) ?? 0) + 1);
  const cpl = criticalPathLengths(graph);
  const ranked = candidates
    .map((c) => {
      const i = graph.index.get(c.t.id)!;
      return { ...c, i, score: score(c.t.priority, cpl[i]!, ctx.now - (c.s ? Date.parse(c.s.updatedAt) : (ctx.seenSince?.get(c.t.id) ?? ctx.now))) };
    })
    .sort((a, b) => b.score - a.score || a.i - b.i);
  const out: Action[] = [];
  for (const c of ranked) {
    if (free <= 0) break;
    const role = roleOf(c.t);
    const limit = ctx.config.concurrency.perRole[role];
    const used = perRole.get(role) ?? 0;
    if (limit !== undefined && used >= limit) continue;
    perRole.set(role, used + 1);
    free--;
    out.push({ type: "start", id: c.t.id, generation: c.t.generation, attempt: (c.s?.attempts ?? 0) + 1, role, ...(c.s?.split && c.t.children.length ? { verifyOnly: true as const } : {}) });
  }
  return out;
}

function reset(t: TaskSpec, s: TaskState, at: string): StatePatch {
  return {
    budgetFrom: { at, tokens: totalTokens(s), usd: s.costUsd },
    generation: t.generation,
    attempts: 0,
    lastError: undefined,
    nextAttemptAt: undefined,
    checkedByOrch: undefined,
    blockedBy: undefined,
    finishedAt: undefined,
    split: undefined,
    answer: undefined,
  };
}

function sameList(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return !!a && a.length === b.length && a.every((x, i) => x === b[i]);
}
