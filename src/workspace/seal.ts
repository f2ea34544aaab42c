// A workspace's .git is the agent's to write (it lives in the workspace): its config could name a
// filter, an fsmonitor or hooks that git would run when orch itself runs git there, outside any
// confinement. Before orch runs git in a workspace it puts back the config git wrote at the clone
// (kept in .orchestrator/runtime/, out of the agents' reach) and turns hooks and fsmonitor off.
import { constants, copyFile, lstat, mkdir, rm } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { OrchError } from "../util/index.js";

/** Environment for every git command orch runs in a workspace: no hooks, no fsmonitor, whatever its config says. */
export const SEALED_ENV: NodeJS.ProcessEnv = {
  GIT_CONFIG_COUNT: "2",
  GIT_CONFIG_KEY_0: "core.hooksPath",
  GIT_CONFIG_VALUE_0: "/dev/null",
  GIT_CONFIG_KEY_1: "core.fsmonitor",
  GIT_CONFIG_VALUE_1: "false",
};

/** Where the workspace's own git config is kept while it lives. */
export const configCopy = (root: string, id: string) => path.join(path.resolve(root), ".orchestrator", "runtime", "workspaces", `${id}.gitconfig`);

/** Keeps the config of a workspace just made (call before any agent runs in it). */
export async function keepConfig(root: string, id: string, dir: string): Promise<void> {
  await mkdir(path.dirname(configCopy(root, id)), { recursive: true });
  await copyFile(path.join(dir, ".git", "config"), configCopy(root, id));
}

/** True when the workspace's config was kept (a restart can adopt the workspace). */
export const configKept = (root: string, id: string) => existsSync(configCopy(root, id));

/**
 * Puts the kept config back; refuses a .git that is no longer a plain folder of its own (a symlink,
 * a `gitdir:` file, a commondir), since git would then read another repository's config.
 */
export async function sealWorkspace(root: string, id: string, dir: string): Promise<void> {
  const dotGit = path.join(dir, ".git");
  const st = await lstat(dotGit).catch(() => undefined);
  if (!st?.isDirectory() || existsSync(path.join(dotGit, "commondir")))
    throw new OrchError("workspace-tampered", `the workspace's .git (${dotGit}) was replaced: orch will not run git in it`, { hint: "The attempt fails; its changes are not merged. A new attempt gets a fresh workspace." });
  // Never through what the agent left at .git/config (a symlink would have orch overwrite its target):
  // remove it, then create the file afresh (EXCL: one put back meanwhile fails the seal, not the person's file).
  const dest = path.join(dotGit, "config");
  await rm(dest, { force: true });
  await copyFile(configCopy(root, id), dest, constants.COPYFILE_EXCL);
}
