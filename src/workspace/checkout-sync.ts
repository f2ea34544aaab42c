// After the integration branch moved from `old` to `new`: bring the person's checkout along, path by
// path, and only where the person has not touched the path. A file (or index entry) that still holds
// `old`'s content takes `new`'s; one the person changed is kept as it is and named in the result.
// Idempotent: a restart after a kill -9 runs it again (merge-journal.ts), also after one that came
// between the index's update and the files' (an entry already at `new` is not the person's).
import { gitRun, git } from "./git.js";
import { parseLsTree } from "./integrate.js";
import { lstatSync } from "node:fs";
import { rm } from "node:fs/promises";
import path from "node:path";

const ZERO = "0".repeat(40);

/** Updates the checkout when it has `integration` checked out; returns the paths kept as the person left them. */
export async function syncCheckout(top: string, integration: string, old: string, next: string): Promise<string[]> {
  const head = await gitRun(top, ["symbolic-ref", "-q", "HEAD"]);
  if (head.code !== 0 || head.stdout.trim() !== integration) return [];
  const paths = (await git(top, ["diff-tree", "-r", "-z", "--name-only", "--no-renames", old, next])).split("\0").filter(Boolean);
  if (!paths.length) return [];
  // Whole listings filtered here, not the paths on the command line: a merge may touch thousands.
  const wanted = new Set(paths);
  const before = new Map(parseLsTree(await git(top, ["ls-tree", "-r", "-z", old])).filter((e) => wanted.has(e.path)).map((e) => [e.path, e]));
  const after = new Map(parseLsTree(await git(top, ["ls-tree", "-r", "-z", next])).filter((e) => wanted.has(e.path)).map((e) => [e.path, e]));
  const staged = new Map(
    (await git(top, ["ls-files", "-s", "-z"]))
      .split("\0")
      .filter(Boolean)
      .map((e) => [e.slice(e.indexOf("\t") + 1), e.split(" ")[1]!] as const)
      .filter(([p]) => wanted.has(p)),
  );
  // Only regular files are hashed: a folder or a link where the tree has a file is the person's (kept).
  const kinds = new Map(paths.map((p) => [p, lstatSync(path.join(top, p), { throwIfNoEntry: false })]));
  const regular = paths.filter((p) => kinds.get(p)?.isFile());
  const hashes = regular.length ? (await git(top, ["hash-object", "--stdin-paths"], { input: `${regular.join("\n")}\n` })).split("\n") : [];
  const onDisk = new Map<string, string>(regular.map((p, i) => [p, hashes[i]!]));
  for (const p of paths) if (kinds.get(p) && !onDisk.has(p)) onDisk.set(p, "not a regular file");
  const index: string[] = [];
  const write: string[] = [];
  const remove: string[] = [];
  const kept: string[] = [];
  for (const p of paths) {
    const o = before.get(p)?.sha;
    const n = after.get(p);
    const idx = staged.get(p);
    if (idx === o) index.push(n ? `${n.mode} ${n.sha}\t${p}` : `0 ${ZERO}\t${p}`);
    const disk = onDisk.get(p);
    if (disk === n?.sha) continue;
    // An index entry already at `next` is this update's own, cut short by a kill -9 between the index's
    // update and the files' (the restart runs it again): the file is brought along, not taken for the person's.
    if (disk !== o || (idx !== o && idx !== n?.sha)) kept.push(p);
    else if (n) write.push(p);
    else remove.push(p);
  }
  if (index.length) await git(top, ["update-index", "--index-info"], { input: `${index.join("\n")}\n` });
  if (write.length) await git(top, ["checkout-index", "-f", "-q", "--stdin"], { input: `${write.join("\n")}\n` });
  for (const p of remove) await rm(path.join(top, p), { force: true });
  await gitRun(top, ["update-index", "-q", "--refresh"]);
  return kept.filter((p) => !isOrchRecord(p));
}

/** TODO.md and orch's records hold the person's other edits or later records: not worth a warning. */
function isOrchRecord(p: string): boolean {
  return /(^|\/)\.orchestrator\//.test(p) || /(^|\/)TODO\.md$/.test(p);
}
