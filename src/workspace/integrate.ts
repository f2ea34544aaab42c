// Merging a workspace back: the task branch goes into the integration branch as ONE commit (the
// task's change, its checked box in TODO.md, its state and history), built with plumbing
// (merge-tree, commit-tree, update-ref) so that the person's index and files are never used to
// build it. update-ref is the one step that publishes it: a kill -9 before it leaves the branch as
// it was, after it a journal (merge-journal.ts) lets the restart finish the checkout's update. The
// journal is written before the success is recorded: a restart that finds the task Succeeded and its
// commit unpublished makes the merge again.
import { existsSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";
import { git, gitRun, identityEnv } from "./git.js";
import { syncCheckout } from "./checkout-sync.js";
import { clearJournal, writeJournal, type MergeJournal } from "./merge-journal.js";
import { integrationTip, removeWorkspace, type Workspace } from "./workspaces.js";
import { sealWorkspace } from "./seal.js";
import { committedPaths, treeChanges } from "./verified-tree.js";

/** What the merge needs besides the workspace. */
export interface IntegrateInput {
  /** Writes the task's success (state, history, TODO.md's box) in the person's checkout; called once, only when the merge is clean. */
  record(): Promise<void>;
  /** Takes back what `record` wrote: a round retried after it (the tip moved) conflicts. */
  unrecord(): Promise<void>;
  /** The commit message, built after `record` (it names the usage the record holds). */
  message(): string;
  /** TODO.md (relative to the mission root) and how to check the task's box in a text of it (unchanged: leave it). */
  todo: { file: string; check(text: string): string };
  /** The task's record files, relative to the mission root (taken from the person's checkout). */
  records: string[];
  /** The mission root (where the workspace's kept config is, seal.ts). */
  root: string;
  /** The journal file of this merge (under .orchestrator/runtime/, machine-local). */
  journal: string;
}

/**
 * How the merge went: merged (the commit, undefined when it changed nothing; `problem`: the checkout's
 * update failed), conflicting paths, recorded but not published (the journal is kept: the next start
 * merges it, recover.ts), or refused: the workspace changed after verify and review passed (the paths,
 * relative to the repository's top; nothing recorded, nothing merged).
 */
export type Integrated = { kind: "merged"; sha?: string; kept: string[]; problem?: string } | { kind: "conflict"; paths: string[] } | { kind: "unpublished"; problem: string } | { kind: "changed"; paths: string[] };

/** Commits what the workspace holds on its branch (orch's records and TODO.md are not the agent's to commit). */
async function commitWorkspace(ws: Workspace, root: string): Promise<string> {
  await sealWorkspace(root, ws.id, ws.dir);
  await git(ws.dir, ["add", "-A", "--", ...committedPaths(ws)], { magic: true, sealed: true });
  const env = await identityEnv(ws.dir);
  // --no-verify: the agent could have written a hook; a pending merge (after a conflict) is completed.
  await git(ws.dir, ["commit", "-q", "--no-verify", "--allow-empty", "-m", `orch: ${ws.id} in its workspace`], { env, sealed: true });
  return (await git(ws.dir, ["rev-parse", "HEAD"], { sealed: true })).trim();
}

/**
 * Merges the workspace's branch into the integration branch as one commit on top of its tip. Call
 * under the repository's git lock. A conflict changes nothing (not even the records: a retried round
 * that conflicts takes back those it wrote); nor does a workspace whose tree is not the one verify
 * and review judged (`ws.verified`): what changed since was neither verified nor reviewed.
 */
export async function integrate(ws: Workspace, input: IntegrateInput): Promise<Integrated> {
  if (!ws.verified) throw new Error(`${ws.id}'s workspace has no verified tree: orch does not merge what it did not verify`);
  const work = await commitWorkspace(ws, input.root);
  const tree = (await git(ws.dir, ["rev-parse", `${work}^{tree}`], { sealed: true })).trim();
  if (tree !== ws.verified) return { kind: "changed", paths: await treeChanges(ws, ws.verified, tree) };
  await git(ws.top, ["fetch", "-q", "--no-tags", ws.dir, `+refs/heads/${ws.branch}:refs/heads/${ws.branch}`]);
  let recorded = false;
  // The person may commit between our read of the tip and update-ref: then the merge is made again.
  for (let round = 0; ; round++) {
    const head = await integrationTip(ws);
    const merged = await gitRun(ws.top, ["merge-tree", "--write-tree", "-z", "--name-only", "--no-messages", head, work]);
    const [tree, ...rest] = merged.stdout.split("\0");
    if (merged.code === 1) {
      // A round retried after the success was recorded: it is taken back, so that the attempt goes
      // back to its workspace as after any conflict (a fixer, the rules that stop an attempt).
      if (recorded) {
        await input.unrecord();
        await clearJournal(input.journal);
      }
      return { kind: "conflict", paths: [...new Set(rest.filter(Boolean))] };
    }
    if (merged.code !== 0) throw new Error(`git merge-tree failed in ${ws.top}: ${merged.stderr.trim()}`);
    let journal: MergeJournal = { task: ws.id, integration: ws.integration, old: head, work, message: input.message(), todo: input.todo.file, records: input.records };
    if (!recorded) {
      // The journal comes first: a kill -9 after the record finds it, and the restart merges (recover.ts).
      await writeJournal(input.journal, journal);
      await input.record();
      recorded = true;
      journal = { ...journal, message: input.message() };
    }
    // From here the success is recorded: what fails leaves the merge to the journal, never undone.
    let sha: string | undefined;
    try {
      await writeJournal(input.journal, journal);
      sha = await commitMerge(ws, journal, tree!, input.todo.check);
      if (!sha) {
        await clearJournal(input.journal);
        await removeWorkspace(input.root, ws.id, ws.top).catch(() => undefined);
        return { kind: "merged", kept: [] };
      }
      await writeJournal(input.journal, { ...journal, new: sha });
      const moved = await gitRun(ws.top, ["update-ref", "-m", `orch: merge ${ws.id}`, ws.integration, sha, head]);
      if (moved.code !== 0) {
        if (round < 3) continue;
        throw new Error(`could not move ${ws.integration}: ${moved.stderr.trim()}`);
      }
    } catch (err) {
      return { kind: "unpublished", problem: err instanceof Error ? err.message : String(err) };
    }
    // Published: the task is merged whatever becomes of the checkout's update (the person's files).
    // Its workspace is done: removed under the git lock, so that the dependents waiting for that lock
    // find its slot free (one OpenCode has served already, slots.ts).
    await removeWorkspace(input.root, ws.id, ws.top).catch(() => undefined); // the attempt's end tries again
    try {
      const kept = await syncCheckout(ws.top, ws.integration, head, sha);
      await clearJournal(input.journal);
      return { kind: "merged", sha, kept };
    } catch (err) {
      return { kind: "merged", sha, kept: [], problem: `the checkout was not brought up to date (the next start does it): ${err instanceof Error ? err.message : String(err)}` };
    }
  }
}

/**
 * The task's commit on `journal.old`: the merged tree, .orchestrator/ as on the tip except this
 * task's records (from the person's checkout), TODO.md as on the tip with the task's box checked.
 * Undefined when that tree is the tip's (the merge was made before a restart).
 */
export async function commitMerge(ws: Pick<Workspace, "top" | "prefix">, j: MergeJournal, tree: string, check: (text: string) => string): Promise<string | undefined> {
  const inRepo = (rel: string) => (ws.prefix ? `${ws.prefix}/${rel}` : rel);
  const env = await identityEnv(ws.top);
  const index = (await git(ws.top, ["rev-parse", "--path-format=absolute", "--git-path", `orch-merge-${process.pid}.index`])).trim();
  const own = { ...env, GIT_INDEX_FILE: index };
  try {
    await git(ws.top, ["read-tree", tree], { env: own });
    // What the agent's branch did to orch's folder and TODO.md is dropped: those are orch's to write.
    const guarded = [inRepo(".orchestrator"), inRepo(j.todo)];
    const touched = (await git(ws.top, ["diff-tree", "-r", "-z", "--name-only", "--no-renames", j.old, tree, "--", ...guarded])).split("\0").filter(Boolean);
    const lines: string[] = [];
    const atTip = new Map(parseLsTree(await git(ws.top, ["ls-tree", "-r", "-z", j.old, "--", ...touched.concat(guarded.slice(1))])).map((e) => [e.path, e]));
    for (const p of touched) {
      const e = atTip.get(p);
      lines.push(e ? `${e.mode} ${e.sha}\t${p}` : `0 ${"0".repeat(40)}\t${p}`);
    }
    const todo = atTip.get(inRepo(j.todo));
    if (todo) {
      const text = await git(ws.top, ["cat-file", "blob", todo.sha]);
      const next = check(text);
      if (next !== text) lines.push(`${todo.mode} ${(await git(ws.top, ["hash-object", "-w", "--stdin"], { input: next })).trim()}\t${todo.path}`);
    }
    const root = path.join(ws.top, ws.prefix);
    for (const rel of [...j.records, ".orchestrator/.gitignore", ".orchestrator/.gitattributes"]) {
      if (!existsSync(path.join(root, rel))) continue;
      const blob = (await git(ws.top, ["hash-object", "-w", "--", path.join(root, rel)])).trim();
      lines.push(`100644 ${blob}\t${inRepo(rel)}`);
    }
    if (lines.length) await git(ws.top, ["update-index", "--index-info"], { input: `${lines.join("\n")}\n`, env: own });
    const next = (await git(ws.top, ["write-tree"], { env: own })).trim();
    if (next === (await git(ws.top, ["rev-parse", `${j.old}^{tree}`])).trim()) return undefined;
    return (await git(ws.top, ["commit-tree", next, "-p", j.old], { input: j.message, env })).trim();
  } finally {
    await rm(index, { force: true });
  }
}

/** Entries of `git ls-tree -r -z`. */
export function parseLsTree(out: string): { mode: string; sha: string; path: string }[] {
  return out
    .split("\0")
    .filter(Boolean)
    .map((e) => {
      const [meta, p] = [e.slice(0, e.indexOf("\t")), e.slice(e.indexOf("\t") + 1)];
      const [mode, , sha] = meta.split(" ");
      return { mode: mode!, sha: sha!, path: p };
    });
}
