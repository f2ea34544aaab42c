// Workspace slots: the folders attempts' workspaces live in, .orchestrator/worktrees/slot-<n>, reused
// from one attempt to the next. OpenCode sets up each directory it serves the first time a session
// prompts there (its tools, file watcher, "location services": 1-2.5 s on this machine, about the
// model's turn on the demo) and keeps that set-up for the path while it is used; a folder per task
// paid it for every attempt, a folder per slot pays it once per slot. A slot is claimed by a file
// naming the task (.orchestrator/runtime/workspaces/slot-<n>.task, out of the agents' reach, created
// exclusively so two attempts never share one) and is emptied before each claim and after each
// release, the folder itself kept: nothing of one attempt (files, ignored files, its .git) reaches the
// next, whose clone is made afresh in it. The task's branch orch/<id> stays the unit that matters.
// Claims are read while they are released (the board, another attempt's start): a claim that goes
// between the listing and the read is simply not claimed.
import { linkSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { mkdir, readdir, rm } from "node:fs/promises";
import path from "node:path";
import { checkKey } from "../store/index.js";
import { stopProcessesIn } from "./slot-processes.js";

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
    const id = readClaim(path.join(claimsDir(root), name));
    if (id) out.set(Number(m[1]), id);
  }
  return out;
}

/**
 * The task a claim file names; undefined when it is gone (released since it was listed) or names no
 * task (empty or garbled: what a kill -9 mid-write left before claims were linked whole): not a claim.
 */
function readClaim(file: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw err;
  }
  const id = text.trim();
  try {
    return id ? checkKey(id) : undefined;
  } catch {
    return undefined;
  }
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
 * Claims the lowest free slot for task `id` and empties its folder (a kill -9 may have left a release
 * half done). The claim is written whole to a file of its own, then linked into place: link() fails
 * on an existing name, so a slot is never given twice, and a claim is never seen half written. A claim
 * file that names no task (readClaim) is free: it is removed and the slot claimed. Only the process
 * holding the mission lease claims, and it does so without yielding between the read and the link.
 */
export async function claimSlot(root: string, id: string): Promise<{ n: number; dir: string }> {
  mkdirSync(claimsDir(root), { recursive: true });
  const tmp = path.join(claimsDir(root), `.claim-${process.pid}-${id}.tmp`);
  writeFileSync(tmp, `${id}\n`);
  let n = 0;
  try {
    for (;;) {
      try {
        linkSync(tmp, claimFile(root, n));
        break;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EEXIST") throw err;
      }
      // Held: the next slot. Naming no task: free, removed, and this slot tried again.
      if (readClaim(claimFile(root, n)) !== undefined) n++;
      else rmSync(claimFile(root, n), { force: true });
    }
  } finally {
    rmSync(tmp, { force: true });
  }
  const dir = slotDir(root, n);
  await emptyDir(dir);
  return { n, dir };
}

/** Empties slot `n` (its folder stays, so OpenCode's set-up of the path stays valid), then frees it. */
export async function releaseSlot(root: string, n: number): Promise<void> {
  await emptyDir(slotDir(root, n));
  await rm(claimFile(root, n), { force: true });
}

/** Removes the claims' temporary files a kill -9 left (a restart's clean-up, before any claim). */
export async function dropStrayClaims(root: string): Promise<void> {
  const names = await readdir(claimsDir(root)).catch(() => [] as string[]);
  for (const name of names) if (/^\.claim-.*\.tmp$/.test(name)) await rm(path.join(claimsDir(root), name), { force: true });
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

/**
 * Removes everything inside `dir` (made when missing); `dir` itself is kept. The processes a holder
 * left running there are killed first (slot-processes.ts): none outlives it into the next task.
 */
async function emptyDir(dir: string): Promise<void> {
  stopProcessesIn(dir);
  await mkdir(dir, { recursive: true });
  for (const name of await readdir(dir)) await rm(path.join(dir, name), { recursive: true, force: true, maxRetries: 3 });
}
