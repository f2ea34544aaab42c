// An attempt's checks of its result, after each session: what changed (diff.ts; a git failure ends the
// attempt, it is not an empty diff), verify (orch runs the commands), then the reviewer's verdict.
import type { TaskSpec } from "../spec/index.js";
import type { SessionError } from "../runtime/index.js";
import { workspacePlan } from "../runtime/index.js";
import { SEALED_ENV, sealWorkspace, workspaceTree } from "../workspace/index.js";
import { OrchError } from "../util/index.js";
import { composePatches, usageAdded } from "./actions.js";
import type { AttemptEnv, RunningEntry } from "./attempt.js";
import type { CheckFailure } from "./attempt-policy.js";
import { phaseChange, settle, type Extra } from "./attempt-records.js";
import { onEvent, PROGRESS_HOLD_MS } from "./attempt-session.js";
import { workDir } from "./attempt-workspace.js";
import { attemptDiff, DiffError, type AttemptDiff, type DiffBase } from "./diff.js";
import { reviewAttempt } from "./review-step.js";
import { runVerify } from "./verify.js";
import type { WriteQueue } from "./write-queue.js";

/** A doom loop as a failed check: the fixer's feedback says what was repeated (the session-end history line has it too). */
export function doomLoopCheck(err: SessionError): Checked {
  return { kind: "failed", why: "DoomLoop", extra: {}, feedback: `Your last session was stopped: ${err.message}. Repeating it gives the same result: read what that call returned and take a different step.` };
}

/** How the attempt's result fared: passed, a check failed (with the fixer's feedback), or the attempt already ended. */
export type Checked = { kind: "passed" } | { kind: "failed"; why: CheckFailure; feedback: string; extra: Extra } | { kind: "done" };

/** The attempt's result through its checks: a change to show (diff.ts), verify, then the reviewer. */
export async function checkResult(env: AttemptEnv, q: WriteQueue, e: RunningEntry, t: TaskSpec, base: DiffBase): Promise<Checked> {
  // History is made when written, maybe after a fixer pass took the next number: fixed now.
  const attempt = e.attempt;
  const diff = await diffOrFail(env, q, e, base);
  if (!diff) return { kind: "done" };
  // A split task's verify once more: its subtasks made (and merged) the change, each reviewed.
  if (diff.known && !diff.text && !t.allowEmpty && !e.verifyOnly) {
    const message = "the worker changed no file (git shows no change against the attempt's start)";
    q.add({ history: () => [{ task: e.id, kind: "diff", attempt, verdict: "empty", error: message }] });
    return { kind: "failed", why: "EmptyDiff", extra: {}, feedback: `The previous session changed no file in the repository: ${message}. Make the change the task asks for.` };
  }
  q.add(phaseChange(env, e, "Verifying", "WorkerDone", "running verify commands"), PROGRESS_HOLD_MS);
  const commands = t.verify.length ? t.verify : env.config().verify.commands;
  // An attempt aborted while it waited for a verify place does not run its commands.
  const v = await env.verifies.run(async () => (e.aborting ? undefined : runVerify(commands, { cwd: workDir(env, e), timeoutMs: env.config().verify.timeoutSec * 1000, signal: e.stop.signal, now: env.now, ...(env.confine ? { confine: e.workspace ? workspacePlan(e.workspace.dir) : env.confine } : {}) })));
  if (e.aborting || !v) return ended(settle(env, q, e, { kind: "abort", reason: e.aborting ?? "shutdown" }));
  const bad = v.commands.find((c) => c.exitCode !== 0 || c.timedOut);
  // lastVerify rides on the next state write (a phase change always follows).
  const verified = { lastVerify: v };
  // With no review, this history rides on the result's write (takePending). Its UI event follows the
  // Verifying phase's, which is written first (a quick verify's result was printed before it).
  q.add({ written: () => env.emit({ type: "verify", task: e.id, ok: v.ok, command: bad?.command, output: bad?.output.slice(-400) }), history: () => [{ task: e.id, kind: "verify", attempt, verdict: v.ok ? "pass" : "fail", ...(bad ? { error: `${bad.command}: ${bad.timedOut ? "timed out" : `exit ${bad.exitCode}`}` } : {}), detail: { commands: v.commands.map((c) => ({ command: c.command, exitCode: c.exitCode, timedOut: c.timedOut, durationMs: c.durationMs, output: c.output.slice(-1000) })) } }] });
  if (!v.ok) return { kind: "failed", why: "VerifyFailed", extra: verified, feedback: `Verify failed: \`${bad?.command}\` ${bad?.timedOut ? "timed out" : `exited ${bad?.exitCode}`}. Output (tail):\n${bad?.output.slice(-2000)}` };
  if (!env.config().review.enabled || e.verifyOnly) {
    q.add({ patch: verified });
    return (await keepVerified(env, q, e)) ? { kind: "passed" } : { kind: "done" };
  }
  q.add(phaseChange(env, e, "Reviewing", "VerifyPassed", "reviewer judges the diff", verified));
  // The reviewer sees the change as verify left it: the tree the merge must commit, taken with its diff.
  if (!(await keepVerified(env, q, e))) return { kind: "done" };
  const reviewed = await diffOrFail(env, q, e, base);
  return reviewed ? review(env, q, e, t, reviewed) : { kind: "done" };
}

/** The reviewer's verdict on `diff`. */
async function review(env: AttemptEnv, q: WriteQueue, e: RunningEntry, t: TaskSpec, diff: AttemptDiff): Promise<Checked> {
  const attempt = e.attempt;
  await env.slots.acquire(e, "reviewer", e.stop.signal);
  if (e.aborting) return ended(settle(env, q, e, { kind: "abort", reason: e.aborting }));
  e.lastProgressAt = env.now();
  // The reviewer's words are its verdict, shown as the review's line: not the task's last words.
  const r = await reviewAttempt(env.runtime, env.config(), t, workDir(env, e), e.attempt, diff, (ev) => ev.type === "said" || onEvent(env, q, e, ev)).finally(() => env.slots.release(e));
  if (e.aborting) return ended(settle(env, q, e, { kind: "abort", reason: e.aborting }));
  // The reviewer's figures go into the history, as a session's do: every total is summed from it (store/spend.ts).
  const spent = { task: e.id, role: "reviewer", attempt, tokens: r.usage.input + r.usage.output + r.usage.reasoning, costUsd: r.costUsd };
  if (!r.ok) {
    q.add({
      patch: usageAdded(r.usage, r.costUsd),
      history: () => [{ task: e.id, kind: "review", attempt, ...(r.sessionId ? { session: r.sessionId } : {}), role: "reviewer", tokens: spent.tokens, costUsd: r.costUsd, error: `${r.error.code}: ${r.error.message}` }],
      written: () => env.emit({ type: "spent", ...spent }),
    });
    env.sessionOutcome(r.error.infrastructure ? "infrastructure" : "other", r.error);
    return ended(settle(env, q, e, { kind: "error", error: r.error }));
  }
  const at = new Date(env.now()).toISOString();
  q.add({
    patch: composePatches(usageAdded(r.usage, r.costUsd), { lastReview: { approved: r.verdict.approved, summary: r.verdict.summary, findings: r.verdict.findings, at } }),
    history: () => [{ task: e.id, kind: "review", attempt, session: r.sessionId, role: "reviewer", tokens: spent.tokens, costUsd: r.costUsd, verdict: r.verdict.approved ? "approved" : "rejected", detail: { summary: r.verdict.summary, findings: r.verdict.findings } }],
    written: () => env.emit({ type: "spent", ...spent }),
  });
  env.emit({ type: "review", task: e.id, approved: r.verdict.approved, summary: r.verdict.summary });
  if (r.verdict.approved) return { kind: "passed" };
  return { kind: "failed", why: "ReviewRejected", extra: {}, feedback: `The reviewer rejected the change: ${r.verdict.summary}\n${r.verdict.findings.map((f) => `- ${f}`).join("\n")}` };
}

/**
 * A workspace's tree as verify left it (verified-tree.ts): the merge commits that tree or nothing, so
 * that a process the agent left running cannot slip an unverified change in. False: git failed (recorded).
 */
async function keepVerified(env: AttemptEnv, q: WriteQueue, e: RunningEntry): Promise<boolean> {
  const ws = e.workspace;
  if (!ws) return true;
  try {
    ws.verified = await workspaceTree(env.root, ws);
    return true;
  } catch (err) {
    // As for its diff (diffOrFail): a broken repository ends the attempt, the reviewer is not asked.
    const code = err instanceof OrchError && err.code === "workspace-tampered" ? err.code : "diff-failed";
    const error: SessionError = { code, message: `orch could not read what the attempt changed: ${err instanceof Error ? err.message : String(err)}`, terminal: true, infrastructure: false };
    await settle(env, q, e, { kind: "error", error });
    return false;
  }
}

/**
 * What the attempt changed, or undefined once a git failure was recorded: a broken repository is
 * not an empty diff (which would fail the attempt for nothing) nor one the reviewer could approve.
 */
async function diffOrFail(env: AttemptEnv, q: WriteQueue, e: RunningEntry, base: DiffBase): Promise<AttemptDiff | undefined> {
  try {
    // A workspace's .git is the agent's to write: its config is put back before orch runs git there.
    if (e.workspace) await sealWorkspace(env.root, e.id, e.workspace.dir);
    return await attemptDiff(workDir(env, e), base, e.workspace ? { ...process.env, ...SEALED_ENV } : undefined);
  } catch (err) {
    const tampered = err instanceof OrchError && err.code === "workspace-tampered";
    if (!(err instanceof DiffError) && !tampered) throw err;
    const error: SessionError = { code: (err as DiffError | OrchError).code, message: `orch could not read what the attempt changed: ${(err as Error).message}`, terminal: true, infrastructure: false };
    await settle(env, q, e, { kind: "error", error });
    return undefined;
  }
}

async function ended(recorded: Promise<void>): Promise<Checked> {
  await recorded;
  return { kind: "done" };
}
