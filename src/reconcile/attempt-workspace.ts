// The attempt's side of workspaces (src/workspace/): opened as the attempt starts, moved onto the
// integration branch's new tip after a merge conflict, removed when the attempt ends.
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { AttemptEnv, RunningEntry } from "./attempt.js";
import { gitRun, identityEnv, git, integrationTip, openWorkspace, removeWorkspace, workspacesUsed, rememberBase, type Workspace } from "../workspace/index.js";
import { withLock, DEFAULT_LOCK_OPTIONS, StorePaths, ensureLayout } from "../store/index.js";

/** Where the attempt's agents and commands work: its workspace's mission root, or the mission root. */
export const workDir = (env: { root: string }, e: RunningEntry): string => e.workspace?.root ?? env.root;

/**
 * Gives the attempt its workspace (config git.workspaces, with git.commit "task") when the mission is in a git repository
 * whose checkout is on a branch with a commit; otherwise it runs in the person's checkout, as before
 * workspaces existed. `adopt`: a restart takes the attempt's workspace back as it is.
 */
export async function openFor(env: AttemptEnv, e: RunningEntry, adopt: boolean): Promise<void> {
  // The run's integration branch, whatever the checkout is on now (a switch holds new starts, desired.ts).
  const repo = await workspacesUsed(env.root, env.config().git, env.integration?.());
  if ("why" in repo) return;
  // The tip is read under the git lock: a dependency recorded Succeeded is merged before it is
  // released (executor.ts, merge), so a dependent never starts from a base without its deps.
  const paths = new StorePaths(env.root);
  ensureLayout(paths.dir);
  const tip = adopt ? undefined : await withLock(paths.lock("git"), DEFAULT_LOCK_OPTIONS, () => integrationTip(repo));
  e.workspace = await openWorkspace(env.root, e.id, repo, adopt, tip);
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
  const tip = (await git(ws.top, ["rev-parse", "--verify", `${ws.integration}^{commit}`])).trim();
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
