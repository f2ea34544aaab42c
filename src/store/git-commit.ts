// Per-task commits (config git.commit: "task", the default): one commit per succeeded task with the
// task's own changes (its scope), its checked box in TODO.md and its state and history, and never a
// person's unrelated work: the commit is built in an index of its own, from HEAD plus those paths.
import { execFile } from "node:child_process";
import { rmSync } from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { OrchError } from "../util/index.js";
import { scopeMatcher } from "./glob.js";
import { ensureLayout } from "./layout.js";
import { withLock, DEFAULT_LOCK_OPTIONS } from "./lock.js";
import { StorePaths, checkKey } from "./paths.js";

const run = promisify(execFile);


/**
 * Runs `fn` holding the repository's git lock (.orchestrator/locks/git): commits, merges, a workspace's
 * start from the tip and the recovery at start each change git state one at a time, across processes.
 */
export async function withGitLock<T>(root: string, fn: () => Promise<T>): Promise<T> {
  const paths = new StorePaths(root);
  ensureLayout(paths.dir); // so the lock folder is git-ignored
  return withLock(paths.lock("git"), DEFAULT_LOCK_OPTIONS, fn);
}
export interface CommitTaskInput {
  /** The mission root (the folder holding TODO.md); may be below the git top level. */
  root: string;
  taskId: string;
  title: string;
  /** The task's scope globs, relative to the mission root. */
  scope: string[];
  /** Trailers after Task-Id, in order (Attempt, Verified-By, Reviewed-By, Tokens, Cost...). */
  trailers: [key: string, value: string][];
  /** Conventional-commit type (default "feat"). */
  type?: string;
  /** Also commit the task's own state and history files (default true). */
  includeRecords?: boolean;
  /**
   * TODO.md (relative to the mission root) and how to check this task's box in a text of it:
   * the text with the box checked (unchanged if it was), or undefined when the task's line is not
   * in it. The committed TODO.md gets only that change, so a person's other edits stay theirs; when
   * the line itself is not committed yet, TODO.md goes in as it is.
   */
  todo?: { file: string; check(text: string): string | undefined };
  /** Called with the paths about to be committed, before the commit (to record it in the history). */
  beforeCommit?(paths: string[], outOfScope: string[]): Promise<void>;
}

export interface CommitTaskResult {
  committed: boolean;
  sha?: string;
  /** Paths committed, relative to the git top level. */
  paths: string[];
  /** Changed paths left alone because they are outside the scope. */
  outOfScope: string[];
}

/**
 * Commits the task's in-scope changes; does nothing (committed: false) when there are none, or when
 * the mission is not in a git repository (there is nothing to commit to: not an error).
 */
export async function commitTask(input: CommitTaskInput): Promise<CommitTaskResult> {
  checkKey(input.taskId);
  const root = path.resolve(input.root);
  const top = await gitTopLevel(root);
  if (top === undefined) return { committed: false, paths: [], outOfScope: [] };
  const prefix = path.relative(top, root).split(path.sep).join("/");
  const inRepo = (rel: string) => (prefix ? `${prefix}/${rel}` : rel);
  const records = input.includeRecords === false ? [] : [`.orchestrator/state/${input.taskId}.json`, `.orchestrator/history/${input.taskId}.jsonl`];
  // One commit at a time per repository: git's own index.lock would fail a concurrent one.
  return withGitLock(root, async () => {
    const changed = await changedPaths(top);
    // orch's generated layout files go in with the first commit that finds them new.
    const layout = [".orchestrator/.gitignore", ".orchestrator/.gitattributes"].map(inRepo).filter((p) => changed.get(p) === "??");
    const todoPath = input.todo ? inRepo(input.todo.file) : undefined;
    const mine: string[] = [];
    const outOfScope: string[] = [];
    const inScope = scopeMatcher(input.scope);
    for (const p of changed.keys()) {
      const rel = prefix ? (p.startsWith(`${prefix}/`) ? p.slice(prefix.length + 1) : undefined) : p;
      if (rel !== undefined && (inScope(rel) || records.includes(rel))) mine.push(p);
      else if (p !== todoPath && !layout.includes(p)) outOfScope.push(p);
    }
    const env = await gitEnv(top);
    const head = await git(top, ["rev-parse", "--verify", "-q", "HEAD"]).then((s) => s.trim(), () => undefined);
    // TODO.md as committed, with this task's box checked; "whole": its line is not committed yet.
    let todo: { text: string; mode: string } | "whole" | undefined;
    if (input.todo && todoPath) {
      const committed = head ? await git(top, ["ls-tree", "-z", head, "--", todoPath]) : "";
      const mode = committed.split(" ")[0] || "100644";
      const text = committed ? await git(top, ["cat-file", "blob", `${head}:${todoPath}`]) : undefined;
      const next = text === undefined ? undefined : input.todo.check(text);
      if (next === undefined) todo = changed.has(todoPath) ? "whole" : undefined;
      else if (next !== text) todo = { text: next, mode };
    }
    if (mine.length === 0 && todo === undefined) return { committed: false, paths: [], outOfScope };
    mine.push(...layout);
    if (todo === "whole") mine.push(todoPath!);
    await input.beforeCommit?.(mine.concat(todo && todo !== "whole" ? [todoPath!] : []), outOfScope);
    // The history file may be new now (beforeCommit recorded in it).
    for (const r of records.map(inRepo)) if (!mine.includes(r) && (await changedPaths(top, r)).size) mine.push(r);
    // The commit's index: HEAD, plus exactly these paths (new and deleted files included), plus the
    // checked box. The person's index and working tree are not touched until the commit is made.
    const index = (await git(top, ["rev-parse", "--path-format=absolute", "--git-path", `orch-commit-${process.pid}.index`])).trim();
    const own = { ...env, GIT_INDEX_FILE: index };
    try {
      if (head) await git(top, ["read-tree", head], undefined, own);
      if (mine.length) await git(top, ["add", "-A", "--pathspec-from-file=-", "--pathspec-file-nul"], `${mine.join("\0")}\0`, own);
      if (todo && todo !== "whole") {
        const blob = (await git(top, ["hash-object", "-w", "--stdin"], todo.text, env)).trim();
        await git(top, ["update-index", "--add", "--cacheinfo", `${todo.mode},${blob},${todoPath}`], undefined, own);
        mine.push(todoPath!);
      }
      await git(top, ["commit", "--no-edit", "-m", `${input.type ?? "feat"}(${input.taskId}): ${oneLine(input.title)}`, "-m", ([["Task-Id", input.taskId], ...input.trailers] as [string, string][]).map(([k, v]) => `${k}: ${oneLine(v)}`).join("\n")], undefined, own);
    } finally {
      rmSync(index, { force: true });
    }
    // The person's index now agrees with the new HEAD on these paths, and only on these.
    await git(top, ["reset", "-q", "HEAD", "--pathspec-from-file=-", "--pathspec-file-nul"], `${mine.join("\0")}\0`, env);
    const sha = (await git(top, ["rev-parse", "HEAD"])).trim();
    return { committed: true, sha, paths: mine, outOfScope };
  });
}

/** The work tree's top folder; undefined when `dir` is in none (git's "not a git repository"). */
async function gitTopLevel(dir: string): Promise<string | undefined> {
  try {
    return (await run("git", ["rev-parse", "--show-toplevel"], { cwd: dir })).stdout.trim();
  } catch (err) {
    if (/not a git repository/i.test(String((err as { stderr?: unknown }).stderr))) return undefined;
    throw new OrchError("git", `git rev-parse failed in ${dir}: ${err instanceof Error ? err.message : String(err)}`, { hint: "Check that git is installed and runs.", cause: err });
  }
}

/** Changed paths (relative to the git top level) with their two-letter status, optionally under one pathspec. */
async function changedPaths(top: string, only?: string): Promise<Map<string, string>> {
  const out = await git(top, ["status", "--porcelain=v1", "-z", "--untracked-files=all", "--no-renames", ...(only ? ["--", only] : [])], undefined, { ...process.env, GIT_LITERAL_PATHSPECS: "1" });
  return parseStatus(out);
}

/** Paths from `git status --porcelain=v1 -z --no-renames`, each with its two-letter status. */
function parseStatus(out: string): Map<string, string> {
  return new Map(
    out
      .split("\0")
      .filter((e) => e.length > 3)
      .map((e) => [e.slice(3), e.slice(0, 2)]),
  );
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim();

/** Environment for commits: orch as author and committer where the repository names no one. */
export async function identityEnv(cwd: string): Promise<NodeJS.ProcessEnv> {
  const env = { ...process.env };
  const hasIdentity = await run("git", ["config", "user.email"], { cwd, env }).then(
    (r) => r.stdout.trim() !== "",
    () => false,
  );
  if (!hasIdentity) Object.assign(env, { GIT_AUTHOR_NAME: "orch", GIT_AUTHOR_EMAIL: "orch@localhost", GIT_COMMITTER_NAME: "orch", GIT_COMMITTER_EMAIL: "orch@localhost" });
  return env;
}

/** Environment for git: literal pathspecs, and orch as the author where no identity is configured. */
async function gitEnv(cwd: string): Promise<NodeJS.ProcessEnv> {
  return { ...(await identityEnv(cwd)), GIT_LITERAL_PATHSPECS: "1" };
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
