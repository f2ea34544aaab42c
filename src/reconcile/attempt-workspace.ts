// The attempt's side of workspaces (src/workspace/): opened as the attempt starts, moved onto the
// integration branch's new tip after a merge conflict, removed when the attempt ends.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { AttemptEnv, RunningEntry } from "./attempt.js";
import { gitRun, identityEnv, integrationTip, mergeReached, openWorkspace, removeWorkspace, workspacesUsed, rememberBase, type Workspace } from "../workspace/index.js";
import { ownWorkDone } from "../graph/index.js";
import { withGitLock } from "../store/index.js";

/** Where the attempt's agents and commands work: its workspace's mission root, or the mission root. */
export const workDir = (env: { root: string }, e: RunningEntry): string => e.workspace?.root ?? env.root;

/**
 * Gives the attempt its workspace (config git.workspaces, with git.commit "task") when the mission is in a git repository
 * whose checkout is on a branch with a commit; otherwise it runs in the person's checkout, as before
 * workspaces existed. `adopt`: a restart takes the attempt's workspace back as it is. Returns what the
 * new attempt waits for that is not in the base (then it has no workspace and must not start).
 */
export async function openFor(env: AttemptEnv, e: RunningEntry, adopt: boolean): Promise<string[]> {
  // The run's integration branch, whatever the checkout is on now (a switch holds new starts, desired.ts).
  const repo = await workspacesUsed(env.root, env.config().git, env.integration?.());
  if ("why" in repo) return [];
  // The tip is read under the git lock, where merges are made and a success whose merge then conflicts
  // is taken back (integrate.ts): what the plan saw done may have been withdrawn since, so the tasks
  // this one waits for are looked at again here, with the tip, before it starts from that tip.
  let missing: string[] = [];
  const tip = adopt
    ? undefined
    : await withGitLock(env.root, async () => {
        const at = await integrationTip(repo);
        missing = await notInBase(env, e.id, repo.top, at);
        return at;
      });
  if (missing.length) return missing;
  e.workspace = await openWorkspace(env.root, e.id, repo, adopt, tip);
  return [];
}

/**
 * The tasks `id` waits for (its deps, its subtasks, and theirs) whose work is not in `tip`: not done
 * by the graph's rule on their records as they are now (ownWorkDone), or done with a merge that did not
 * reach the branch (merge-journal.ts). Call under the git lock.
 */
async function notInBase(env: AttemptEnv, id: string, top: string, tip: string): Promise<string[]> {
  const t = env.task(id);
  if (!t) return [];
  const out: string[] = [];
  const seen = new Set<string>();
  const visit = async (d: string): Promise<void> => {
    const spec = env.task(d);
    if (seen.has(d) || !spec) return; // an id with no task is no edge (graph/task-graph.ts)
    seen.add(d);
    const s = (await env.states.read(d))?.value;
    if (!ownWorkDone(spec, s) || !(await mergeReached(env.root, top, d, tip))) out.push(d);
    for (const c of spec.children) await visit(c);
  };
  for (const d of [...t.deps, ...t.children]) await visit(d);
  return out;
}

/**
 * Removes the attempt's workspace as it ends, whatever the end, except a shutdown's: the restart
 * adopts the attempt in it. A failed removal is said; the next start or restart removes it.
 */
export async function closeWorkspace(env: AttemptEnv, e: RunningEntry): Promise<void> {
  const ws = e.workspace;
  if (!ws || e.aborting === "shutdown") return;
  e.workspace = undefined;
  await removeWorkspace(env.root, ws.id, ws.top).catch((err: unknown) => env.emit({ type: "error", task: e.id, message: `could not remove the workspace ${ws.dir}: ${err instanceof Error ? err.message : String(err)}` }));
}

/**
 * Merges the integration branch's tip into the workspace (its change is committed there already):
 * the conflicts stay in the workspace's files for the fixer; the reviewer's diff is then against the tip.
 */
export async function updateOntoTip(ws: Workspace): Promise<void> {
  // Sealed by the merge attempt that just committed the workspace (integrate.ts): no agent ran since.
  const tip = await integrationTip(ws);
  // The clone borrows the person's objects (alternates): the tip's commit is readable without a fetch.
  const r = await gitRun(ws.dir, ["merge", "--no-edit", "--no-ff", "-q", tip], { env: await identityEnv(ws.top), sealed: true });
  if (r.code !== 0 && r.code !== 1) throw new Error(`git merge in the workspace ${ws.dir} failed: ${r.stderr.trim()}`);
  ws.base = tip;
  ws.verified = undefined; // the merge changed it: verify and review judge it again
  rememberBase(path.join(ws.top, ws.prefix), ws.id, tip); // the person's mission root keeps it
}

/** The paths among `paths` (relative to the git top) whose workspace file still holds a conflict marker. */
export async function conflictMarkers(ws: Workspace, paths: readonly string[]): Promise<string[]> {
  const left: string[] = [];
  for (const p of paths) {
    const text = await readFile(path.join(ws.dir, p), "utf8").catch(() => "");
    if (/^(<{7}|>{7}) /m.test(text) || /^={7}$/m.test(text)) left.push(p);
  }
  return left;
}
