// The tree a workspace holds, as orch would commit it, taken without touching the workspace's own
// index (a temporary one, GIT_INDEX_FILE). Taken when verify and review pass and compared with the
// tree committed at the merge: a process an agent left running (a background job started through the
// bash tool) may write after verify, and what it wrote must never be merged unverified.
import { copyFile, rm, stat, utimes } from "node:fs/promises";
import path from "node:path";
import { git } from "./git.js";
import { sealWorkspace } from "./seal.js";
import type { Workspace } from "./workspaces.js";

/** The pathspec of what orch commits from a workspace: everything but orch's own folder (integrate.ts). */
export const committedPaths = (ws: Pick<Workspace, "prefix">): string[] => [".", `:(exclude)${ws.prefix ? `${ws.prefix}/.orchestrator` : ".orchestrator"}`];

/** The tree `git add -A` would commit in the workspace now; its own index is left as it is. */
export async function workspaceTree(root: string, ws: Workspace): Promise<string> {
  await sealWorkspace(root, ws.id, ws.dir);
  const own = path.join(root, ".orchestrator", "runtime", "workspaces", `${ws.id}.index`);
  // Starts from the workspace's index, as the commit does (what is staged under .orchestrator/ stays as staged).
  const real = path.resolve(ws.dir, (await git(ws.dir, ["rev-parse", "--git-path", "index"], { sealed: true })).trim());
  // No index (an agent removed it): an empty one, as the commit's `git add -A` would start from.
  await copyFile(real, own).catch(() => rm(own, { force: true }));
  // The copy keeps the index's time (to the second below): git takes an entry changed in the same
  // second as its index for "racily clean" and hashes it again; a copy made later would trust its stat.
  const at = await stat(real).catch(() => undefined);
  if (at) await utimes(own, Math.floor(at.mtimeMs / 1000), Math.floor(at.mtimeMs / 1000)).catch(() => undefined);
  const env = { ...process.env, GIT_INDEX_FILE: own };
  try {
    await git(ws.dir, ["add", "-A", "--", ...committedPaths(ws)], { env, magic: true, sealed: true });
    return (await git(ws.dir, ["write-tree"], { env, sealed: true })).trim();
  } finally {
    await rm(own, { force: true });
  }
}

/** The paths (relative to the workspace's top) in which trees `a` and `b` differ. */
export async function treeChanges(ws: Pick<Workspace, "dir">, a: string, b: string): Promise<string[]> {
  return (await git(ws.dir, ["diff-tree", "-r", "-z", "--name-only", "--no-renames", a, b], { sealed: true })).split("\0").filter(Boolean);
}
