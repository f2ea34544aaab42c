// The goal of `orch plan`: from the command line or a file (--from), checked before anything is spent:
// one of the two, not empty, text (UTF-8, no NUL byte), at most 64 KiB.
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { isUtf8 } from "node:buffer";
import { OrchError } from "../util/index.js";

/** Largest goal orch sends to a planner. */
const MAX_GOAL_BYTES = 64 * 1024;

const usage = (message: string, hint: string) => new OrchError("bad-goal", message, { exitCode: 2, hint });

/** The goal text; OrchError "bad-goal" (exit 2) when there is none or it is not one orch can send. */
export function readGoal(goal: string | undefined, from: string | undefined): string {
  if (goal !== undefined && from !== undefined) throw usage("give the goal either as an argument or with --from, not both", 'e.g. `orch plan "Add coupons"` or `orch plan --from goal.md`.');
  if (goal === undefined && from === undefined) throw usage("no goal: say what to plan", 'e.g. `orch plan "Add discount coupons to checkout"`, or write it in a file and run `orch plan --from goal.md`.');
  const text = from !== undefined ? readGoalFile(from) : goal!;
  if (Buffer.byteLength(text) > MAX_GOAL_BYTES) throw usage(`the goal is ${Buffer.byteLength(text)} bytes, over the ${MAX_GOAL_BYTES}-byte limit`, "Say what to build in a page or two; the planner reads the repository itself.");
  if (text.trim() === "") throw usage(from !== undefined ? `${from} is empty: no goal to plan` : "the goal is empty", "Say what to build, e.g. `orch plan \"Add discount coupons to checkout\"`.");
  return text;
}

/** Reads a goal file: a regular file of UTF-8 text, at most MAX_GOAL_BYTES (only that much is read). */
function readGoalFile(file: string): string {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw usage(code === "ENOENT" ? `${file} not found` : `${file} cannot be read: ${(err as Error).message}`, "Pass --from a markdown or text file that says what to build.");
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile()) throw usage(`${file} is not a regular file`, "Pass --from a markdown or text file.");
    if (st.size > MAX_GOAL_BYTES) throw usage(`${file} is ${st.size} bytes, over the ${MAX_GOAL_BYTES}-byte limit for a goal`, "Say what to build in a page or two; the planner reads the repository itself.");
    const buf = Buffer.alloc(st.size);
    const n = st.size ? readSync(fd, buf, 0, st.size, 0) : 0;
    const bytes = buf.subarray(0, n);
    const nul = bytes.indexOf(0);
    if (nul !== -1) throw usage(`${file} looks binary (a NUL byte at offset ${nul})`, "A goal is text: pass a markdown or text file.");
    if (!isUtf8(bytes)) throw usage(`${file} is not valid UTF-8`, "Re-save the file as UTF-8.");
    return bytes.toString("utf8").replace(/^\uFEFF/, "");
  } finally {
    closeSync(fd);
  }
}
