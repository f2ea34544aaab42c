// What an attempt changed, from git: the diff of the mission root against the attempt's base (the
// commit checked out when it started), plus new files. The reviewer judges it; an empty one is no
// result (docs/RECONCILER.md, "The attempt"). A git failure is an error, never an empty diff.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { lstat } from "node:fs/promises";
import path from "node:path";

const run = promisify(execFile);

/** git's empty tree: the base of a repository with no commit yet. */
const EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904";

/** Paths orch writes itself: never part of an attempt's change. */
const OWN = ":(exclude).orchestrator";

/** Where an attempt's diff is taken from: a commit (or the empty tree), or no repository at all. */
export type DiffBase = { repo: true; commit: string } | { repo: false; why: string };

/** What the attempt changed: `text` is empty when it changed nothing. */
export type AttemptDiff = { known: true; text: string } | { known: false; why: string };

/** git could not tell what the attempt changed (the repository broke, git failed). */
export class DiffError extends Error {
  readonly code = "diff-failed";
}

/**
 * The base of an attempt starting now in `dir`: HEAD, the empty tree before the first commit, or
 * `repo: false` when `dir` is not in a git work tree (orch then cannot know the diff).
 */
export async function diffBase(dir: string): Promise<DiffBase> {
  try {
    const inside = await git(dir, ["rev-parse", "--is-inside-work-tree"]);
    if (inside.trim() !== "true") return { repo: false, why: `${dir} is not in a git work tree` };
  } catch (err) {
    // Not a repository, or no git at all: a known state, said in the diff (not a failure of the attempt).
    return { repo: false, why: err instanceof DiffError ? err.message : String(err) };
  }
  try {
    return { repo: true, commit: (await git(dir, ["rev-parse", "--verify", "-q", "HEAD^{commit}"])).trim() };
  } catch {
    // `rev-parse --verify -q` fails quietly exactly when there is no commit yet.
    return { repo: true, commit: EMPTY_TREE };
  }
}

/** The attempt's change against `base` (`env`: a workspace's sealed git, seal.ts); throws DiffError when git fails on a repository that had a base. */
export async function attemptDiff(dir: string, base: DiffBase, env?: NodeJS.ProcessEnv): Promise<AttemptDiff> {
  if (!base.repo) return { known: false, why: base.why };
  const diff = await git(dir, ["diff", base.commit, "--no-color", "--no-ext-diff", "--no-textconv", "--", ".", OWN], undefined, env);
  const untracked = await git(dir, ["ls-files", "--others", "--exclude-standard", "--", ".", OWN], undefined, env);
  const added = untracked.split("\n").filter(Boolean).map((f) => `new file: ${f}`).join("\n");
  return { known: true, text: [diff, added].filter(Boolean).join("\n") };
}

/**
 * Every path the attempt's checkout differs in from `base` (relative to `dir`, sorted): changed,
 * deleted and new files, `.orchestrator/` and TODO.md included (the guard judges them, attempt-guard.ts).
 * Ignored files are left out, as git leaves them out of every commit. Throws DiffError when git fails.
 * `env`: a workspace's sealed git (seal.ts), the workspace sealed just before.
 */
export async function changedPaths(dir: string, base: Extract<DiffBase, { repo: true }>, env?: NodeJS.ProcessEnv): Promise<string[]> {
  const diff = await git(dir, ["diff", "--name-only", "--relative", "-z", "--no-renames", base.commit, "--", "."], undefined, env);
  const untracked = await git(dir, ["ls-files", "-z", "--others", "--exclude-standard", "--", "."], undefined, env);
  return [...new Set([...diff.split("\0"), ...untracked.split("\0")].filter(Boolean))].sort();
}

/**
 * The content of each of `paths` (relative to `dir`) as git hashes it, or "deleted": two fingerprints
 * taken around a session tell which paths changed while it ran. `env`: a workspace's sealed git, as for changedPaths.
 */
export async function fingerprint(dir: string, paths: readonly string[], env?: NodeJS.ProcessEnv): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const present: string[] = [];
  for (const p of paths) {
    const st = await lstat(path.join(dir, p)).catch(() => undefined);
    if (!st) out.set(p, "deleted");
    else if (st.isFile()) present.push(p);
    else out.set(p, `${st.mode}:${st.size}:${st.mtimeMs}`); // a symlink or a submodule: its metadata
  }
  if (present.length) {
    const hashes = (await git(dir, ["hash-object", "--no-filters", "--stdin-paths"], present.join("\n") + "\n", env)).split("\n");
    present.forEach((p, i) => out.set(p, hashes[i] ?? ""));
  }
  return out;
}

async function git(cwd: string, args: string[], input?: string, env?: NodeJS.ProcessEnv): Promise<string> {
  if (input !== undefined) return gitWithInput(cwd, args, input, env);
  try {
    return (await run("git", args, { cwd, maxBuffer: 16 << 20, ...(env ? { env } : {}) })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message?: string };
    throw new DiffError(`git ${args[0]} failed: ${(e.stderr || e.message || String(err)).trim().split("\n")[0]}`);
  }
}

function gitWithInput(cwd: string, args: string[], input: string, env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile("git", args, { cwd, maxBuffer: 16 << 20, ...(env ? { env } : {}) }, (err, stdout, stderr) => {
      if (err) reject(new DiffError(`git ${args[0]} failed: ${(stderr || err.message).trim().split("\n")[0]}`));
      else resolve(stdout);
    });
    child.stdin?.end(input);
  });
}
