// Leftovers of writers killed mid-write: temp files (".<name>.<pid>.<rand>.tmp") and half-made lock
// folders ("<lock>.<pid>.<nonce>.new"). Only a dead local process's leftovers go; records never do.
import fs from "node:fs/promises";
import path from "node:path";
import { errno, ioError } from "./io-errors.js";
import { localPidIsDead } from "./lock-fs.js";
import { restoreAside } from "./todo-writer.js";

const TEMP = /^\..+\.(\d+)\.[0-9a-f]{8,}\.tmp$/;
/** A lock folder being made: "<lock>.<pid>.<nonce>.new". */
const HALF_LOCK = /\.lock\.(\d+)\.[0-9a-f]+\.new$/;
/** Not orch's records: runtime/server/home is the owned OpenCode server's HOME (its data, caches, logs). */
const SKIP = new Set(["home"]);

/** Removes dead writers' leftovers under `dir`, recursively; returns how many. */
export async function sweepLeftovers(dir: string, recursive = true): Promise<number> {
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch (err) {
    if (errno(err) === "ENOENT") return 0;
    throw ioError(err, "list", dir);
  }
  let removed = 0;
  for (const e of entries) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      const half = HALF_LOCK.exec(e.name);
      if (half) {
        if (localPidIsDead(Number(half[1]))) {
          await fs.rm(p, { recursive: true, force: true });
          removed++;
        }
      } else if (recursive && !SKIP.has(e.name) && !e.name.endsWith(".lock")) removed += await sweepLeftovers(p);
      continue;
    }
    const m = TEMP.exec(e.name);
    if (m && localPidIsDead(Number(m[1]))) {
      // A moved-aside TODO.md whose writer died before linking the new one in goes back in place.
      if (!restoreAside(dir, e.name)) await fs.rm(p, { force: true });
      removed++;
    }
  }
  return removed;
}
