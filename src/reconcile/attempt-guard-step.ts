// The guard's step in an attempt (docs/RECONCILER.md, "The guard"): its watch opened as the attempt
// starts, each session judged as it ends; a violation or a git failure ends the attempt through
// `fail` (attempt.ts records what the policy decides).
import type { TaskSpec } from "../spec/index.js";
import type { SessionError } from "../runtime/index.js";
import type { AttemptEnv, RunningEntry } from "./attempt.js";
import { guardWords, type Setback } from "./attempt-policy.js";
import { AttemptWatch } from "./attempt-watch.js";
import { workDir } from "./attempt-workspace.js";
import { splitAncestors } from "./split-ancestors.js";
import { DiffError, type DiffBase } from "./diff.js";
import { SEALED_ENV, sealWorkspace } from "../workspace/index.js";
import { OrchError } from "../util/index.js";
import type { WriteQueue } from "./write-queue.js";

/** The setbacks the guard ends an attempt with. */
export type GuardSetback = Extract<Setback, { kind: "guard" | "error" }>;
/** Records the attempt's end after a setback. */
type Fail = (s: GuardSetback) => Promise<void>;

/** Opens the attempt's watch (its acceptance tests fixed now), or null once a git failure ended the attempt. */
export async function openWatch(env: AttemptEnv, e: RunningEntry, t: TaskSpec, base: Extract<DiffBase, { repo: true }>, fail: Fail): Promise<AttemptWatch | null> {
  const config = env.config();
  const ws = e.workspace;
  // A subtask a split wrote is held to its split ancestors' acceptance tests too: it may not rewrite
  // the tests its parent's verify once more is judged by.
  const own = t.verify.length ? t.verify : config.verify.commands;
  const inherited = (await splitAncestors(env, t)).flatMap((a) => a.verify);
  let watch: AttemptWatch | undefined;
  const ok = await guarded(async () => {
    watch = await AttemptWatch.start({
      // In its workspace the attempt is alone: every change there is the agent's.
      root: workDir(env, e),
      base,
      layout: { todoFile: config.todo, tasksDir: config.tasksDir },
      commands: [...own, ...inherited],
      shared: !e.workspace,
      otherScopes: () => env.otherScopes?.(t.id) ?? [],
      // A workspace's .git is the agent's (and verify's) to write: sealed before every git call there.
      ...(ws ? { sealed: async () => (await sealWorkspace(env.root, ws.id, ws.dir), { ...process.env, ...SEALED_ENV }) } : {}),
    });
  }, fail);
  return ok && watch ? watch : null;
}

/**
 * Judges what the session changed. A violation fails the attempt (a box the session ticked is
 * unchecked first, so that no pass takes it as a person's); a warning is said. False: the attempt is over.
 */
export async function judgeSession(env: AttemptEnv, q: WriteQueue, e: RunningEntry, t: TaskSpec, watch: AttemptWatch, fail: Fail, judge = () => watch.after(t, env.config().outOfScope)): Promise<boolean> {
  let j: Awaited<ReturnType<AttemptWatch["after"]>> | undefined;
  if (!(await guarded(async () => void (j = await judge()), fail))) return false;
  const attempt = e.attempt;
  for (const w of j!.warnings) {
    const message = guardWords(w);
    env.emit({ type: "error", task: e.id, message: `warning: ${message}` });
    q.add({ history: () => [{ task: e.id, kind: "guard", attempt, verdict: "warn", error: message, detail: { kind: w.kind, paths: w.paths } }] });
  }
  const violations = j!.violations;
  if (!violations.length) return true;
  // What can be put back without touching a person's work is: the box, the task's own file.
  if (violations.some((v) => v.details?.includes(`${t.id}'s box ticked`))) await env.untick?.(t.id);
  if (violations.some((v) => v.kind === "desired-state") && (await watch.restoreTaskFile()))
    q.add({ history: () => [{ task: e.id, kind: "restored", attempt, detail: { paths: [t.file ?? `${env.config().tasksDir}/${t.id}.md`], reason: "DesiredStateChanged" } }] });
  q.add({ history: () => violations.map((v) => ({ task: e.id, kind: "guard", attempt, verdict: "fail", error: guardWords(v), detail: { kind: v.kind, paths: v.paths, ...(v.details ? { details: v.details } : {}) } })) });
  await fail({ kind: "guard", violations });
  return false;
}

/**
 * Judges a workspace's whole change against its base as the attempt passed its checks, before it is
 * merged (AttemptWatch.whole): what verify's code changed is judged too. False: the attempt is over.
 */
export async function judgeWhole(env: AttemptEnv, q: WriteQueue, e: RunningEntry, t: TaskSpec, watch: AttemptWatch, fail: Fail): Promise<boolean> {
  const ws = e.workspace;
  if (!ws) return true;
  return judgeSession(env, q, e, t, watch, fail, () => watch.whole(t, env.config().outOfScope, { repo: true, commit: ws.base }));
}

/** Runs a git step of the guard; a git failure fails the attempt (as for its diff). False: it did. */
export async function guarded(step: () => Promise<void>, fail: Fail): Promise<boolean> {
  try {
    await step();
    return true;
  } catch (err) {
    // A workspace whose .git was replaced (seal.ts) cannot be read either.
    const tampered = err instanceof OrchError && err.code === "workspace-tampered";
    if (!(err instanceof DiffError) && !tampered) throw err;
    const error: SessionError = { code: (err as DiffError | OrchError).code, message: `orch could not read what the attempt changed: ${(err as Error).message}`, terminal: true, infrastructure: false };
    await fail({ kind: "error", error });
    return false;
  }
}
