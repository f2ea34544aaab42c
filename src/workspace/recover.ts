// What a restart finds of workspaces: merges a kill -9 interrupted (merge-journal.ts) are finished or
// redone, and workspaces and orch/* branches of attempts that will not be adopted are removed. After
// it, the disk holds at most one workspace per attempt that resumes.
import { ATTEMPT_PHASES } from "../graph/index.js";
import { withGitLock } from "../store/index.js";
import { setChecked } from "../spec/index.js";
import { gitRun } from "./git.js";
import { syncCheckout } from "./checkout-sync.js";
import { commitMerge } from "./integrate.js";
import { clearJournal, readJournals } from "./merge-journal.js";
import { personRepo, removeWorkspace, sweepWorkspaces } from "./workspaces.js";

/** What recovery needs to know about a task. */
interface RecoverInput {
  root: string;
  /** The task's phase in its record (undefined: none). */
  phase(id: string): string | undefined;
  /** TODO.md's text with the task's box checked (unchanged when it is not there). */
  check(id: string, text: string): string;
  /** Says what recovery did (or could not do) to the person. */
  say(message: string, task?: string): void;
}

/** Finishes interrupted merges and sweeps what no adopted attempt needs; returns the workspaces removed. */
async function recoverWorkspaces(input: RecoverInput): Promise<string[]> {
  const repo = await personRepo(input.root);
  if ("why" in repo) return [];
  // Tasks whose journal stays: their branch stays too (it holds the commit the journal names).
  const held = new Set<string>();
  for (const { file, journal: j, problem } of await readJournals(input.root)) {
    if (!j) {
      input.say(`unreadable merge journal ${file} left as it is: ${problem}`);
      continue;
    }
    const at = await gitRun(repo.top, ["rev-parse", "--verify", "-q", `${j.integration}^{commit}`]);
    if (at.code !== 0) {
      // Renamed or deleted since: the merge has nowhere to go. Said, and kept (it holds the task's commit).
      input.say(`could not finish merging ${j.task}: its branch ${j.integration} no longer exists; the journal ${file} is kept (it names the task's commit ${j.work}: merge it by hand, then delete the journal)`, j.task);
      held.add(j.task);
      continue;
    }
    const tip = at.stdout.trim();
    if (j.new && tip === j.new) {
      // Published before the kill: only the checkout's update may be missing.
      await syncCheckout(repo.top, j.integration, j.old, j.new);
      input.say(`finished merging ${j.task} (its commit was made; the checkout is now up to date)`, j.task);
    } else if (input.phase(j.task) === "Succeeded") {
      // Recorded but not published: the same merge again, onto today's tip.
      const merged = await gitRun(repo.top, ["merge-tree", "--write-tree", "-z", "--name-only", "--no-messages", tip, j.work]);
      const [tree, ...paths] = merged.stdout.split("\0");
      if (merged.code !== 0) {
        input.say(`could not finish merging ${j.task} after a restart (${merged.code === 1 ? `conflicts in ${paths.filter(Boolean).join(", ")}` : merged.stderr.trim()}); its branch ${j.work} is kept in the journal ${file}`, j.task);
        held.add(j.task);
        continue;
      }
      const sha = await commitMerge(repo, { ...j, old: tip }, tree!, (text) => input.check(j.task, text));
      if (sha && (await gitRun(repo.top, ["update-ref", "-m", `orch: merge ${j.task}`, j.integration, sha, tip])).code === 0) await syncCheckout(repo.top, j.integration, tip, sha);
      input.say(`merged ${j.task} after a restart (the merge had been cut short)`, j.task);
    }
    // Otherwise the success was never recorded: the adopted attempt merges again.
    await clearJournal(file);
    if (input.phase(j.task) === "Succeeded") await removeWorkspace(input.root, j.task, repo.top);
  }
  await gitRun(repo.top, ["worktree", "prune"]);
  return sweepWorkspaces(input.root, repo.top, (id) => held.has(id) || ATTEMPT_PHASES.has(input.phase(id) ?? ""));
}

/**
 * Recovery as a restart runs it, under the lease and before the first pass: under the git lock (the
 * merges' own), from the tasks' recorded phases; what fails is said, never thrown (the loop goes on).
 */
export async function recoverAtStart(root: string, phase: (id: string) => string | undefined, say: (message: string, task?: string) => void): Promise<void> {
  // setChecked leaves a box already checked (or a line gone or doubled) as it is.
  const check = (id: string, text: string) => setChecked(text, id, true) ?? text;
  await withGitLock(root, () => recoverWorkspaces({ root, phase, check, say })).catch((err: unknown) =>
    say(`workspace recovery failed: ${err instanceof Error ? err.message : String(err)}`),
  );
}
