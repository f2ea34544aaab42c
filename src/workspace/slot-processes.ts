// Processes an attempt left behind in its slot. A session's bash tool can start a process that
// outlives the session (`setsid sh -c '…' &`); it would go on writing into the slot's next workspace,
// another task's. Before a slot is emptied for its next holder, every process whose working directory
// is inside it is killed (SIGKILL: it is untrusted and could ignore a request). Found through
// /proc/<pid>/cwd: a process that moved its working directory out of the slot and writes in by an
// absolute path is not found; the tree check at the merge (verified-tree.ts) keeps what it writes out
// of the integration branch, and a confined server's processes end with the server.
import { readdirSync, readlinkSync, realpathSync } from "node:fs";
import path from "node:path";

/** Kills the processes (not this one) whose working directory is `dir` or below it; returns their pids. */
export function stopProcessesIn(dir: string): number[] {
  const inside = new Set([path.resolve(dir)]);
  try {
    inside.add(realpathSync(dir));
  } catch {
    // not there (yet): its resolved name is enough
  }
  const under = (cwd: string) => [...inside].some((d) => cwd === d || cwd.startsWith(`${d}/`));
  const killed = new Set<number>();
  // Again while some are found: one may have forked just before it was killed (the child has its cwd).
  for (let round = 0; round < 5; round++) {
    const found = processesWhere(under);
    if (!found.length) break;
    for (const pid of found) {
      try {
        process.kill(pid, "SIGKILL");
        killed.add(pid);
      } catch {
        // gone already, or not ours to signal
      }
    }
  }
  return [...killed];
}

/** Pids of the processes whose working directory `test` accepts; none where there is no /proc. */
function processesWhere(test: (cwd: string) => boolean): number[] {
  let names: string[];
  try {
    names = readdirSync("/proc");
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const name of names) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    let cwd: string;
    try {
      // A process of another user, or one that ended meanwhile (a zombie has no cwd): not ours.
      cwd = readlinkSync(`/proc/${name}/cwd`);
    } catch {
      continue;
    }
    if (test(cwd.replace(/ \(deleted\)$/, ""))) out.push(Number(name));
  }
  return out;
}
