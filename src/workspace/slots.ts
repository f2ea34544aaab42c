// Workspace slots: the folders attempts' workspaces live in, .orchestrator/worktrees/slot-<n>, reused
// from one attempt to the next. OpenCode sets up each directory it serves the first time a session
// prompts there (its tools, file watcher, "location services": 1-2.5 s on this machine, about the
// model's turn on the demo) and keeps that set-up for the path while it is used; a folder per task
// paid it for every attempt, a folder per slot pays it once per slot. A slot is claimed by a file
// naming the task (.orchestrator/runtime/workspaces/slot-<n>.task, out of the agents' reach, created
// exclusively so two attempts never share one) and is emptied before each claim and after each
// release, the folder itself kept: nothing of one attempt (files, ignored files, its .git) reaches the
// next, whose clone is made afresh in it. The task's branch orch/<id> stays the unit that matters.
import { closeSync, mkdirSync, openSync, readdirSync, readFileSync, writeSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";

const SLOT = /^slot-(\d+)$/;

/** The folder under the mission root that holds the slots. */
export const worktreesDir = (root: string) => path.join(path.resolve(root), ".orchestrator", "worktrees");

/** Slot `n`'s folder. */
export const slotDir = (root: string, n: number) => path.join(worktreesDir(root), `slot-${n}`);

const claimsDir = (root: string) => path.join(path.resolve(root), ".orchestrator", "runtime", "workspaces");
const claimFile = (root: string, n: number) => path.join(claimsDir(root), `slot-${n}.task`);

/** The slots claimed now, slot number → task id. */
export function claims(root: string): Map<number, string> {
  const out = new Map<number, string>();
  let names: string[];
  try {
    names = readdirSync(claimsDir(root));
  } catch {
    return out;
  }
  for (const name of names) {
    const m = /^slot-(\d+)\.task$/.exec(name);
    if (!m) continue;
    const id = readFileSync(path.join(claimsDir(root), name), "utf8").trim();
    if (id) out.set(Number(m[1]), id);
  }
  return out;
}

/** The tasks that hold a slot now (their attempts have a workspace). */
export function workspaceHolders(root: string): Set<string> {
  return new Set(claims(root).values());
}

/** The slot task `id` holds, if any. */
export function slotOf(root: string, id: string): number | undefined {
  for (const [n, holder] of claims(root)) if (holder === id) return n;
  return undefined;
}

/**
 * Claims the lowest free slot for task `id` (free: no claim file; an exclusive create, so a slot is
 * never given twice) and empties its folder (a kill -9 may have left a release half done).
 */
export async function claimSlot(root: string, id: string): Promise<{ n: number; dir: string }> {
  mkdirSync(claimsDir(root), { recursive: true });
  for (let n = 0; ; n++) {
    let fd: number;
    try {
      fd = openSync(claimFile(root, n), "wx");
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") continue;
      throw err;
    }
    try {
      writeSync(fd, `${id}\n`);
    } finally {
      closeSync(fd);
    }
    const dir = slotDir(root, n);
    await emptyDir(dir);
    return { n, dir };
  }
}

/** Empties slot `n` (its folder stays, so OpenCode's set-up of the path stays valid), then frees it. */
export async function releaseSlot(root: string, n: number): Promise<void> {
  await emptyDir(slotDir(root, n));
  await rm(claimFile(root, n), { force: true });
}

/** Slot numbers whose folder exists, claimed or not. */
export async function slotFolders(root: string): Promise<number[]> {
  const names = await readdir(worktreesDir(root)).catch(() => [] as string[]);
  return names.flatMap((name) => {
    const m = SLOT.exec(name);
    return m ? [Number(m[1])] : [];
  });
}

/** True for a name in worktrees/ that is a slot's folder. */
export const isSlotName = (name: string) => SLOT.test(name);

/** Removes everything inside `dir` (made when missing); `dir` itself is kept. */
async function emptyDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) await rm(path.join(dir, name), { recursive: true, force: true, maxRetries: 3 });
}
