// The generated files that tell git what in .orchestrator/ is history and what is machine-local.
import fs from "node:fs";
import path from "node:path";
import { errno } from "./io-errors.js";

/** .orchestrator/.gitignore: locks, runtime state, open approval requests and questions are per machine and churn. */
const GITIGNORE = `# Written by orch (see .orchestrator/README.md). Committed: config.json, state/, history/.
# Ignored: short-lived, per-machine files that would only churn or conflict in git, and the
# attempts' workspaces (git clones of their own).
locks/
runtime/
approvals/
inbox/
worktrees/
*.tmp
`;

/** .orchestrator/.gitattributes: history files only ever grow, so a union merge keeps both sides' lines. */
const GITATTRIBUTES = `# Written by orch: history lines from both sides of a merge are all kept.
history/*.jsonl merge=union
`;

/** Writes the generated files if absent. A read-only checkout is fine for reading: skip quietly there. */
export function ensureLayout(dir: string): void {
  try {
    fs.mkdirSync(dir, { recursive: true });
    for (const [name, text] of [[".gitignore", GITIGNORE], [".gitattributes", GITATTRIBUTES]] as const) {
      try {
        fs.writeFileSync(path.join(dir, name), text, { flag: "wx" });
      } catch (err) {
        if (errno(err) !== "EEXIST") throw err;
      }
    }
  } catch (err) {
    // Reading a read-only or foreign checkout must still work (orch log); a write reports the error.
    if (!["EROFS", "EACCES", "EPERM", "ENOSPC"].includes(errno(err) ?? "")) throw err;
  }
}
