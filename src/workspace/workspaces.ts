// A git workspace per attempt: a shared clone (`git clone --shared`) of the person's repository in a
// slot folder, .orchestrator/worktrees/slot-<n> (slots.ts: reused from one attempt to the next, made
// afresh each time), on branch orch/<id>, made from the integration branch's tip as the attempt starts. A shared clone rather than a worktree: its .git is its own, so nothing an agent
// does in it (git commit, git gc, a rewritten hook) writes the person's .git, and confinement can
// keep the person's repository read-only; its objects are borrowed (alternates), so it costs about
// what a worktree costs (bench/workspace.ts). It is a plain git repository: it could live elsewhere.
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { readdir, rm } from "node:fs/promises";
import path from "node:path";
import { checkKey } from "../store/index.js";
import { git, gitRun } from "./git.js";
import { configCopy, configKept, keepConfig } from "./seal.js";
import { claimSlot, claims, dropStrayClaims, isSlotName, releaseSlot, slotDir, slotOf, slotFolders, worktreesDir } from "./slots.js";

/** One attempt's workspace. */
export interface Workspace {
  id: string;
  /** The clone's top folder. */
  dir: string;
  /** The mission root inside the clone (the person's mission root may be below their git top). */
  root: string;
  /** orch/<id>, in the clone (and in the person's repository while it is being merged). */
  branch: string;
  /** The integration branch's commit the workspace was made from: the reviewer's diff is against it. */
  base: string;
  /** The tree verify and review judged (verified-tree.ts), once they passed: the merge commits that tree or nothing. */
  verified?: string;
  /** The integration branch, e.g. refs/heads/main. */
  integration: string;
  /** The person's repository: its top folder and the mission root's path below it ("" at the top). */
  top: string;
  prefix: string;
}

/** Where the person's repository stands: undefined when workspaces cannot be made (and why). */
export type Repo = { top: string; prefix: string; integration: string } | { why: string };

/** The branch the checkout at `root` is on (e.g. refs/heads/main); undefined on a detached HEAD or outside git. */
export async function checkedOutBranch(root: string): Promise<string | undefined> {
  const head = await gitRun(root, ["symbolic-ref", "-q", "HEAD"]);
  return head.code === 0 ? head.stdout.trim() : undefined;
}

/**
 * The person's repository, its integration branch and the mission's place in it. The integration
 * branch is `fixed` (the run's, loop's desired state) or else the branch checked out.
 */
export async function personRepo(root: string, fixed?: string): Promise<Repo> {
  const top = await gitRun(root, ["rev-parse", "--show-toplevel"]);
  if (top.code !== 0) return { why: `${root} is not in a git repository` };
  const integration = fixed ?? (await checkedOutBranch(root));
  if (!integration) return { why: "the checkout is on a detached HEAD (no branch to merge into)" };
  if ((await gitRun(root, ["rev-parse", "--verify", "-q", `${integration}^{commit}`])).code !== 0) return { why: `${integration} has no commit yet` };
  const t = top.stdout.trim();
  return { top: t, prefix: path.relative(t, path.resolve(root)).split(path.sep).join("/"), integration };
}

/**
 * Whether attempts get workspaces: config git.workspaces, with git.commit "task" (results come back
 * as commits), and a repository that qualifies (personRepo). Otherwise they run in the person's checkout.
 */
export async function workspacesUsed(root: string, git: { workspaces: boolean; commit: string }, fixed?: string): Promise<Repo> {
  // Results come back as commits: with git.commit "off" there is no commit to bring them back in.
  if (!git.workspaces) return { why: "git.workspaces is false" };
  if (git.commit === "off") return { why: "git.commit is \"off\"" };
  return personRepo(root, fixed);
}

/** The integration branch's commit now. */
export async function integrationTip(repo: Exclude<Repo, { why: string }>): Promise<string> {
  return (await git(repo.top, ["rev-parse", "--verify", `${repo.integration}^{commit}`])).trim();
}

/** Where a workspace of task `id` lived before slots (worktrees/<id>): adopted and removed as such. */
function legacyDir(root: string, id: string): string {
  checkKey(id);
  return path.join(worktreesDir(root), id);
}

/** The branch of task `id`'s workspace. */
/** A task's workspace branch: orch/<id>. */
export const branchOf = (id: string) => `orch/${id}`;

/** Where a workspace's base is kept (a restart adopts the workspace with it): beside its saved config, out of the agents' reach. */
const baseFile = (root: string, id: string) => configCopy(root, id).replace(/\.gitconfig$/, ".base");

/**
 * The workspace of a new attempt, made fresh from `tip` (default: the integration branch's tip) in a
 * free slot (an earlier attempt's workspace is removed first); `adopt`: the existing one, when it is whole.
 */
export async function openWorkspace(root: string, id: string, repo: Exclude<Repo, { why: string }>, adopt = false, tip?: string): Promise<Workspace> {
  const ws = (dir: string, base: string): Workspace => ({ id, dir, root: path.join(dir, repo.prefix), branch: branchOf(id), base, integration: repo.integration, top: repo.top, prefix: repo.prefix });
  if (adopt) {
    const base = readBase(root, id);
    const n = slotOf(root, id);
    const dir = n !== undefined ? slotDir(root, n) : legacyDir(root, id);
    if (base && configKept(root, id) && existsSync(path.join(dir, ".git"))) return ws(dir, base);
  }
  // What an earlier attempt left (not its orch/<id> in the person's repository: a merge fetches over it).
  await dropWorkspace(root, id);
  await ignoreWorkspaces(repo);
  const base = tip ?? (await integrationTip(repo));
  const { dir } = await claimSlot(root, id);
  // Into the emptied slot folder (git clones into an empty existing one): nothing of the slot's last task is in it.
  await git(repo.top, ["clone", "--shared", "--no-checkout", "--quiet", repo.top, dir]);
  await git(dir, ["checkout", "-q", "-b", branchOf(id), base], { sealed: true });
  await keepConfig(root, id, dir);
  // Written last: a workspace without it is a half-made one (kill -9 mid-clone) and is made again.
  rememberBase(root, id, base);
  return ws(dir, base);
}

/** The repositories whose exclude file has the workspaces' line (ignoreWorkspaces). */
const ignored = new Set<string>();

/**
 * Keeps the workspaces out of the person's `git status` and `git add -A` even where the mission's
 * .orchestrator/.gitignore predates them (it is written once): a line in .git/info/exclude.
 */
async function ignoreWorkspaces(repo: Exclude<Repo, { why: string }>): Promise<void> {
  // Once per repository and process: one git process less for each attempt that opens a workspace.
  const key = `${repo.top}\0${repo.prefix}`;
  if (ignored.has(key)) return;
  const file = path.resolve(repo.top, (await git(repo.top, ["rev-parse", "--git-path", "info/exclude"])).trim());
  const line = `/${repo.prefix ? `${repo.prefix}/` : ""}.orchestrator/worktrees/`;
  const text = existsSync(file) ? readFileSync(file, "utf8") : "";
  if (!text.split("\n").includes(line)) {
    mkdirSync(path.dirname(file), { recursive: true });
    appendFileSync(file, `${text && !text.endsWith("\n") ? "\n" : ""}${line}\n`);
  }
  ignored.add(key);
}

/** Records the workspace's base (a restart reads it back; the reviewer's diff and the guard start from it). */
export function rememberBase(root: string, id: string, base: string): void {
  writeFileSync(baseFile(root, id), `${base}\n`);
}

function readBase(root: string, id: string): string | undefined {
  const f = baseFile(root, id);
  if (!existsSync(f)) return undefined;
  const base = readFileSync(f, "utf8").trim();
  return /^[0-9a-f]{40,64}$/.test(base) ? base : undefined;
}

/** Removes task `id`'s workspace (its slot emptied and freed) and its branch in the person's repository; nothing there is fine. */
export async function removeWorkspace(root: string, id: string, top: string): Promise<void> {
  await dropWorkspace(root, id);
  await gitRun(top, ["update-ref", "-d", `refs/heads/${branchOf(id)}`]);
}

/** Task `id`'s workspace emptied and its slot freed, with what orch kept of it; its branch stays. */
async function dropWorkspace(root: string, id: string): Promise<void> {
  const n = slotOf(root, id);
  if (n !== undefined) await releaseSlot(root, n);
  await rm(legacyDir(root, id), { recursive: true, force: true, maxRetries: 3 });
  await rm(configCopy(root, id), { force: true });
  await rm(baseFile(root, id), { force: true });
}

/**
 * A restart's clean-up: removes the workspaces and orch/* branches of tasks that `keep` does not
 * name (their attempts are not adopted), and empties the slots nobody holds, so the disk holds at
 * most one workspace per running attempt.
 */
export async function sweepWorkspaces(root: string, top: string, keep: (id: string) => boolean): Promise<string[]> {
  const removed: string[] = [];
  const held = claims(root);
  const dirs = (await readdir(worktreesDir(root)).catch(() => [] as string[])).filter((name) => !isSlotName(name));
  const refs = (await gitRun(top, ["for-each-ref", "--format=%(refname:strip=3)", "refs/heads/orch/"])).stdout.split("\n").filter(Boolean);
  for (const id of new Set([...held.values(), ...dirs, ...refs])) {
    if (keep(id)) continue;
    try {
      checkKey(id);
    } catch {
      continue; // not a name orch makes: not orch's to remove
    }
    await removeWorkspace(root, id, top);
    removed.push(id);
  }
  // A slot left as a kill -9 found it (claimed by nobody now, or its release cut short) is emptied.
  const still = new Set(claims(root).keys());
  for (const n of await slotFolders(root)) if (!still.has(n)) await releaseSlot(root, n);
  await dropStrayClaims(root);
  return removed;
}
