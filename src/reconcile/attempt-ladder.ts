// The ladder's rungs inside an attempt (docs/RECONCILER.md, "The ladder"): after a failed check,
// attempt-policy.ts names the rung; this carries it out: a searcher session whose findings go to the
// next fixer, a split by the planner, or a question to a person in the inbox.
import path from "node:path";
import type { Role, TaskSpec } from "../spec/index.js";
import { ZERO_USAGE, type SessionEvent, type SessionResult, type Usage } from "../runtime/index.js";
import type { HistoryEvent } from "../store/index.js";
import { composePatches, usageAdded, type PatchFn } from "./actions.js";
import { effectiveLadder } from "./budget.js";
import { nextStep, splitRecord, type AttemptFacts, type CheckFailure } from "./attempt-policy.js";
import { phaseChange, recordStep, type Extra } from "./attempt-records.js";
import type { AttemptEnv, RunningEntry } from "./attempt.js";
import { workDir } from "./attempt-workspace.js";
import { splitAncestors } from "./split-ancestors.js";
import { lastFindings, lastVerifyOutput, questionOf, renderQuestion, triedLines } from "./inbox.js";
import type { QueuedChange, WriteQueue } from "./write-queue.js";

/** A failed check as the attempt's loop has it: why, the next fixer's feedback, and what to record with it. */
export interface Failure {
  why: CheckFailure;
  feedback: string;
  extra: Extra;
}

/** What the attempt's loop does next: a fixer pass (its feedback, what its Running record carries), or nothing (the attempt ended, recorded). */
export type Climbed = { kind: "fix"; feedback: string; extra: Extra } | { kind: "done" };

/** One more session of the attempt, guarded and recorded as the loop's own; undefined: the attempt ended (recorded). */
export type GuardedSession = (role: Role, feedback: string, starting: QueuedChange) => Promise<SessionResult | undefined>;

/**
 * What splits a task: a planner session whose subtasks are written nested under it (split.ts).
 * `planned` runs once their ids are given, before their lines go in: it records the split and the
 * planner's spend durably, and returns what undoes the split mark should the lines not go in.
 */
export type Splitter = (req: { task: TaskSpec; why: string; directory: string; attempt: number; onEvent: (e: SessionEvent) => void; planned: (ids: string[], spent: PlannerSpend) => Promise<() => Promise<void>> }) => Promise<SplitResult>;

/** The planner's figures and its history line (plan/record.ts). */
type PlannerSpend = { usage: Usage; costUsd: number; event?: HistoryEvent };

/** A split's outcome: the subtasks written, or why there are none; the planner's figures either way. */
type SplitResult = ({ ok: true; into: string[] } | { ok: false; error: string }) & PlannerSpend;

/** The policy's facts with the ladder: the task's rungs, whether it can still be split, and how many of its ancestors were. */
function ladderFacts(env: AttemptEnv, t: TaskSpec, base: AttemptFacts, splittable: boolean, splitAncestors: number): AttemptFacts {
  return { ...base, ladder: effectiveLadder(t, env.config()), splittable: splittable && !!env.split && t.children.length === 0, splitAncestors };
}

/**
 * Climbs after a failed check: `said` is the last session's text (its question, if it asks one),
 * `session` runs the searcher as the loop runs its sessions.
 */
export async function climb(env: AttemptEnv, q: WriteQueue, e: RunningEntry, t: TaskSpec, failure: Failure, base: AttemptFacts, said: string, session: GuardedSession): Promise<Climbed> {
  const depth = (await splitAncestors(env, t)).length;
  const decide = (splittable: boolean) => nextStep({ kind: "check", why: failure.why }, ladderFacts(env, t, base, splittable, depth), env.config(), env.now(), env.rand());
  let step = decide(true);
  if (step.kind === "split") {
    const into = await split(env, q, e, t, failure);
    if (into) {
      await recordStep(env, q, e, splitRecord(into, env.now()), failure.extra);
      return { kind: "done" };
    }
    // No subtasks came of it: the rungs go on as for a task that cannot be split.
    step = decide(false);
  }
  if (step.kind === "split") throw new Error("unreachable: a task that cannot be split was split");
  if (step.kind === "record" && step.phase === "WaitingForPerson") step = { ...step, message: `${step.message}: ${await ask(env, q, e, t, said)}` };
  if (step.kind !== "fix") {
    await recordStep(env, q, e, step, failure.extra);
    return { kind: "done" };
  }
  e.attempt = step.attempt;
  if (!step.search) return { kind: "fix", feedback: failure.feedback, extra: failure.extra };
  // The search rung: a read-only session finds what the fixers missed; its report goes to the next fixer.
  const res = await session("searcher", failure.feedback, phaseChange(env, e, "Running", "Searching", `searcher session, attempt ${e.attempt}`, composePatches(failure.extra, { attempts: e.attempt })));
  if (!res) return { kind: "done" };
  const found = res.ok ? res.text.trim() : "";
  const attempt = e.attempt;
  q.add({ history: () => [{ task: e.id, kind: "search", attempt, role: "searcher", verdict: found ? "found" : "nothing", detail: { findings: found.slice(0, 4000) } }] });
  const feedback = found ? `${failure.feedback}\n\n## What a searcher found in the repository\n\n${found}` : failure.feedback;
  return { kind: "fix", feedback, extra: {} };
}

/** The split rung: the planner writes subtasks nested under the task; their ids, or undefined when none came of it (said in the history). */
async function split(env: AttemptEnv, q: WriteQueue, e: RunningEntry, t: TaskSpec, failure: Failure): Promise<string[] | undefined> {
  const attempt = e.attempt;
  // The planner's spend and its plan line, in the record's patch and the history, once.
  const spend = (r: PlannerSpend): QueuedChange => {
    const { at: _at, ...planned } = r.event ?? { at: "" };
    const figures = { role: "planner", tokens: r.usage.input + r.usage.output + r.usage.reasoning, costUsd: r.costUsd };
    return { patch: usageAdded(r.usage, r.costUsd), history: () => (r.event ? [{ ...(planned as Omit<HistoryEvent, "at">), attempt }] : []), written: () => env.emit({ type: "spent", task: e.id, attempt, ...figures }) };
  };
  let recorded = false;
  // Flushed before the subtasks' lines go in: a kill -9 after them finds the task split (plan.ts), its planner paid for.
  const planned = async (ids: string[], r: PlannerSpend) => {
    const c = spend(r);
    q.add({ ...c, patch: composePatches(c.patch as PatchFn, { split: { into: ids, at: new Date(env.now()).toISOString() } }) });
    await q.flush();
    recorded = true;
    return async () => {
      q.add({ patch: { split: undefined } });
      await q.flush();
    };
  };
  await env.slots.acquire(e, "planner", e.stop.signal);
  let r: SplitResult;
  try {
    if (e.aborting) return undefined;
    e.lastProgressAt = env.now();
    // The planner's progress counts as the attempt's (stall detection).
    r = await env.split!({ task: t, why: failure.feedback, directory: workDir(env, e), attempt, onEvent: (ev) => ev.type === "progress" && (e.lastProgressAt = env.now()), planned });
  } catch (err) {
    r = { ok: false, error: err instanceof Error ? err.message : String(err), usage: ZERO_USAGE, costUsd: 0 };
  } finally {
    env.slots.release(e);
  }
  // The split line says what came of it; the planner's figures are on its plan line (the ledger, store/spend.ts), recorded once.
  const line = { history: () => [{ task: e.id, kind: "split", attempt, ...(r.ok ? { verdict: "split", detail: { into: r.into } } : { verdict: "failed", error: r.error }) }] };
  if (recorded) q.add(line);
  else {
    const c = spend(r);
    q.add({ ...c, history: (before) => [...c.history!(before), ...line.history()] });
  }
  if (!r.ok) env.emit({ type: "error", task: e.id, message: `the planner could not split ${e.id}: ${r.error}` });
  return r.ok && r.into.length ? r.into : undefined;
}

/** The ask rung: writes the question to the inbox and says where it is (the phase's message). */
async function ask(env: AttemptEnv, q: WriteQueue, e: RunningEntry, t: TaskSpec, said: string): Promise<string> {
  // What was tried is read from the history: the attempt's own lines first.
  await q.flush();
  const s = (await env.states.read(e.id))?.value;
  const history = await env.journal.read(e.id);
  const question = questionOf(said);
  const text = renderQuestion({ id: e.id, title: t.title, question, tried: triedLines(history, s?.budgetFrom?.at), verify: lastVerifyOutput(history), findings: lastFindings(history) });
  const file = path.relative(env.root, await env.inbox.write(e.id, text));
  const attempt = e.attempt;
  q.add({ history: () => [{ task: e.id, kind: "asked", attempt, detail: { file, question } }] });
  return `answer in ${file} or with \`orch answer ${e.id} "…"\``;
}
