// git for workspaces: one runner that says which command failed where, and orch's identity where
// the repository has none (orch commits on the person's behalf).
import { execFile } from "node:child_process";
import { OrchError } from "../util/index.js";
import { SEALED_ENV } from "./seal.js";

/** A git command's result when its exit code is part of the answer (merge-tree: 1 is "conflict"). */
export interface GitRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** stdin, environment; `magic`: pathspecs such as :(exclude) are read as such (paths are literal otherwise). */
export interface GitOptions {
  input?: string;
  env?: NodeJS.ProcessEnv;
  magic?: boolean;
  /** Run in a workspace: hooks and fsmonitor off (seal.ts). */
  sealed?: boolean;
}

/** Runs git in `cwd`; never throws for a non-zero exit (see `git` for that). */
export function gitRun(cwd: string, args: string[], opts: GitOptions = {}): Promise<GitRun> {
  return new Promise((resolve, reject) => {
    const child = execFile("git", args, { cwd, env: { ...(opts.env ?? process.env), ...(opts.sealed ? SEALED_ENV : {}), GIT_LITERAL_PATHSPECS: opts.magic ? "0" : "1" }, maxBuffer: 64 * 1024 * 1024 }, (err, stdout, stderr) => {
      const code = err && typeof (err as { code?: unknown }).code === "number" ? ((err as { code: number }).code) : err ? -1 : 0;
      if (code === -1) reject(new OrchError("git", `git ${args[0]} could not run in ${cwd}: ${err?.message}`, { hint: "Check that git is installed and runs.", cause: err }));
      else resolve({ code, stdout, stderr });
    });
    if (opts.input !== undefined) child.stdin?.end(opts.input);
  });
}

/** Runs git in `cwd` and returns its output; a non-zero exit is an OrchError naming the command. */
export async function git(cwd: string, args: string[], opts: GitOptions = {}): Promise<string> {
  const r = await gitRun(cwd, args, opts);
  if (r.code !== 0) throw new OrchError("git", `git ${args.slice(0, 2).join(" ")} failed in ${cwd}: ${r.stderr.trim() || `exit ${r.code}`}`, { hint: "Resolve the git problem (a hook, a lock, a full disk) and orch retries on the next pass." });
  return r.stdout;
}

/** Environment for commits (the store's rule: orch as author and committer where the repository names no one). */
export { identityEnv } from "../store/index.js";
