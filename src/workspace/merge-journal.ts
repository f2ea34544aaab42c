// The journal of a merge in progress (.orchestrator/runtime/merge-<task>.json, machine-local): written
// before the success is recorded and again before update-ref, removed once the checkout is up to date.
// A restart reads what is left: a merge that moved the branch gets its checkout update, one that did
// not is redone if its success was recorded (recover.ts).
import { mkdir, readFile, readdir, rm, writeFile, rename } from "node:fs/promises";
import path from "node:path";
import { z } from "zod";
import { gitRun } from "./git.js";

/** One merge in progress. */
const MergeJournalSchema = z.object({
  task: z.string(),
  integration: z.string(),
  /** The integration branch's tip the merge is built on. */
  old: z.string(),
  /** The workspace's commit being merged. */
  work: z.string(),
  message: z.string(),
  todo: z.string(),
  records: z.array(z.string()),
  /** The merged commit, once made (update-ref may or may not have happened). */
  new: z.string().optional(),
});
export type MergeJournal = z.infer<typeof MergeJournalSchema>;

/** The journal file of task `id`'s merge under the mission root. */
export const journalPath = (root: string, id: string) => path.join(root, ".orchestrator", "runtime", `merge-${id}.json`);

/** Writes the journal atomically (a kill -9 leaves the old one or the new one). */
export async function writeJournal(file: string, j: MergeJournal): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(`${file}.tmp`, JSON.stringify(j));
  await rename(`${file}.tmp`, file);
}

export async function clearJournal(file: string): Promise<void> {
  await rm(file, { force: true });
}

/** The journals left under the mission root (a torn or foreign file is reported as such). */
export async function readJournals(root: string): Promise<{ file: string; journal?: MergeJournal; problem?: string }[]> {
  const dir = path.join(root, ".orchestrator", "runtime");
  const names = (await readdir(dir).catch(() => [] as string[])).filter((n) => /^merge-.+\.json$/.test(n));
  return Promise.all(
    names.map(async (n) => {
      const file = path.join(dir, n);
      try {
        return { file, journal: MergeJournalSchema.parse(JSON.parse(await readFile(file, "utf8"))) };
      } catch (err) {
        return { file, problem: err instanceof Error ? err.message : String(err) };
      }
    }),
  );
}

/**
 * Whether task `id`'s last merge is in commit `tip` as far as its journal tells: no journal (nothing in
 * progress), or one whose merged commit is an ancestor of `tip` (published; only the checkout's update
 * was left). A journal without that (recorded, not published: the next start merges it) says no.
 * Read under the git lock.
 */
export async function mergeReached(root: string, top: string, id: string, tip: string): Promise<boolean> {
  let text: string;
  try {
    text = await readFile(journalPath(root, id), "utf8");
  } catch {
    return true;
  }
  let j: MergeJournal;
  try {
    j = MergeJournalSchema.parse(JSON.parse(text));
  } catch {
    return false; // torn or foreign: the restart says so (recover.ts); not known to be in
  }
  if (!j.new) return false;
  return (await gitRun(top, ["merge-base", "--is-ancestor", j.new, tip])).code === 0;
}
