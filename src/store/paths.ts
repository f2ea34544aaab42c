// Where things live under .orchestrator/, and the validation of record keys.
import path from "node:path";
import { OrchError } from "../util/index.js";

export const ORCH_DIR = ".orchestrator";

const SEGMENT = /^[A-Za-z0-9_][A-Za-z0-9._-]*$/;

/** Throws unless `key` is a safe relative name such as "state/T3" (no "..", no absolute path). */
export function checkKey(key: string): string {
  const segs = key.split("/");
  if (key.length === 0 || key.length > 200 || !segs.every((s) => SEGMENT.test(s) && s !== "." && s !== "..")) {
    throw new OrchError("bad-key", `invalid record key ${JSON.stringify(key)}`, {
      hint: "Use names of letters, digits, '.', '_' and '-', separated by '/', e.g. state/T3.",
    });
  }
  return key;
}

/** Resolved paths of one store. */
export class StorePaths {
  readonly dir: string;
  constructor(readonly root: string) {
    this.dir = path.join(path.resolve(root), ORCH_DIR);
  }
  /** The JSON file of a record. */
  record(key: string): string {
    return path.join(this.dir, `${checkKey(key)}.json`);
  }
  /** The lock folder guarding a record (or any other named thing). */
  lock(name: string): string {
    return path.join(this.dir, "locks", `${checkKey(name)}.lock`);
  }
  /** The history file of a task. */
  history(task: string): string {
    return path.join(this.dir, "history", `${checkKey(task)}.jsonl`);
  }
  /** Relative path for messages. */
  rel(file: string): string {
    return path.relative(path.resolve(this.root), file) || file;
  }
}
