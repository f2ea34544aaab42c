// Optional per-task commits (config git.commit: "task"): only the task's own changes, never a
// person's unrelated work, with a conventional message and Task-Id / Attempt / Verified-By trailers.
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { OrchError } from "../util/errors.js";
import { scopeMatcher } from "./glob.js";
import { ensureLayout } from "./layout.js";
import { withLock, DEFAULT_LOCK_OPTIONS } from "./lock.js";
import { StorePaths, checkKey } from "./paths.js";

const run = promisify(execFile);

export interface CommitTaskInput {
  /** The mission root (the folder holding TODO.md); may be below the git top level. */
  root: string;
  taskId: string;
  title: string;
  attempt: number;
  /** The task's scope globs, relative to the mission root. */
  scope: string[];
  /** Who verified it: verify commands and/or the reviewer (one trailer each). */
  verifiedBy: string[];
  /** Conventional-commit type (default "feat"). */
  type?: string;
  /** Also commit the task's own state and history files (default true). */
  includeRecords?: boolean;
}

export interface CommitTaskResult {
  committed: boolean;
  sha?: string;
  /** Paths committed, relative to the git top level. */
  paths: string[];
  /** Changed paths left alone because they are outside the scope. */
  outOfScope: string[];
}

/** Commits the task's in-scope changes; does nothing (committed: false) when there are none. */
export async function commitTask(input: CommitTaskInput): Promise<CommitTaskResult> {
  checkKey(input.taskId);
  const root = path.resolve(input.root);
  const top = (await git(root, ["rev-parse", "--show-toplevel"])).trim();
  const prefix = path.relative(top, root).split(path.sep).join("/");
  const records = input.includeRecords === false ? [] : [`.orchestrator/state/${input.taskId}.json`, `.orchestrator/history/${input.taskId}.jsonl`];
  const paths = new StorePaths(root);
  ensureLayout(paths.dir); // so the lock folder below is git-ignored
  // One commit at a time per repository: git's own index.lock would fail a concurrent one.
  return withLock(paths.lock("git"), DEFAULT_LOCK_OPTIONS, async () => {
    const changed = parseStatus(await git(top, ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames"]));
    const mine: string[] = [];
    const outOfScope: string[] = [];
    const inScope = scopeMatcher(input.scope);
    for (const p of changed) {
      const rel = prefix ? (p.startsWith(`${prefix}/`) ? p.slice(prefix.length + 1) : undefined) : p;
      if (rel !== undefined && (inScope(rel) || records.includes(rel))) mine.push(p);
      else outOfScope.push(p);
    }
    if (mine.length === 0) return { committed: false, paths: [], outOfScope };
    const list = `${mine.join("\0")}\0`;
    const env = await gitEnv(top);
    // Stage just these paths (new and deleted files included), then commit --only them: whatever
    // else a person has staged stays staged and out of this commit.
    await git(top, ["add", "-A", "--pathspec-from-file=-", "--pathspec-file-nul"], list, env);
    const trailers = [`Task-Id: ${input.taskId}`, `Attempt: ${input.attempt}`, ...input.verifiedBy.map((v) => `Verified-By: ${oneLine(v)}`)];
    await git(
      top,
      ["commit", "--only", "--no-edit", "-m", `${input.type ?? "feat"}(${input.taskId}): ${oneLine(input.title)}`, "-m", trailers.join("\n"), "--pathspec-from-file=-", "--pathspec-file-nul"],
      list,
      env,
    );
    const sha = (await git(top, ["rev-parse", "HEAD"])).trim();
    return { committed: true, sha, paths: mine, outOfScope };
  });
}

/** Paths from `git status --porcelain=v1 -z --no-renames`. */
export function parseStatus(out: string): string[] {
  return out
    .split("\0")
    .filter((e) => e.length > 3)
    .map((e) => e.slice(3));
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

/** Environment for git: literal pathspecs, and orch as the author where no identity is configured. */
async function gitEnv(cwd: string): Promise<NodeJS.ProcessEnv> {
  const env = { ...process.env, GIT_LITERAL_PATHSPECS: "1" };
  const hasIdentity = await run("git", ["config", "user.email"], { cwd, env }).then(
    (r) => r.stdout.trim() !== "",
    () => false,
  );
  if (!hasIdentity) Object.assign(env, { GIT_AUTHOR_NAME: "orch", GIT_AUTHOR_EMAIL: "orch@localhost", GIT_COMMITTER_NAME: "orch", GIT_COMMITTER_EMAIL: "orch@localhost" });
  return env;
}

function git(cwd: string, args: string[], input?: string, env: NodeJS.ProcessEnv = process.env): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("git", args, { cwd, env, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new OrchError("git", `git ${args[0]} failed in ${cwd}: ${stderr.trim() || err.message}`, { hint: "Resolve the git problem (a hook, a lock, a conflict) and orch will commit on the next pass.", cause: err }));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}
