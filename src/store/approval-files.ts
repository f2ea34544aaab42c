// Files orch writes for a person to answer, one per task in a folder under .orchestrator/: approval
// files (approvals/<task>.md: a request orch writes when the policy says "ask", answered by a person
// editing its `decision:` line or by `orch approve|reject`; their format is the runtime's) and the
// inbox (inbox/<task>.md: a task's question once the ladder's last rung is reached, answered below
// its marked line or by `orch answer`; the format is reconcile/inbox.ts's). A person edits them too,
// so every write goes through the store's writer for such files (todo-writer.ts): under the file's
// lock, a temp file fsynced, put in place atomically, the folder fsynced, and a save the person
// made meanwhile never replaced unseen.
import fs from "node:fs";
import path from "node:path";
import { realFs, type WriteFs } from "./atomic.js";
import { errno, ioError } from "./io-errors.js";
import { DEFAULT_LOCK_OPTIONS, type LockOptions } from "./lock.js";
import { ORCH_DIR, StorePaths, checkKey } from "./paths.js";
import { FileTodoWriter } from "./todo-writer.js";
import { LIMITS, readUserFileSync } from "../spec/index.js";
import type { Problem } from "../util/index.js";

/** One folder of person-answered files under .orchestrator/. Constructing one writes nothing. */
class PersonFiles {
  private readonly paths: StorePaths;
  constructor(
    readonly root: string,
    private readonly folder: string,
    private readonly opts: { lock?: LockOptions; fs?: WriteFs } = {},
  ) {
    this.paths = new StorePaths(root);
  }

  /** Path of a task's file. */
  path(taskId: string): string {
    return path.join(this.paths.root, ORCH_DIR, this.folder, `${checkKey(taskId)}.md`);
  }

  /** The file's text; undefined when there is none. Writes are atomic, so a read sees a whole file. */
  read(taskId: string): string | undefined {
    try {
      return fs.readFileSync(this.path(taskId), "utf8");
    } catch (err) {
      if (errno(err) === "ENOENT") return undefined;
      throw ioError(err, "read", this.paths.rel(this.path(taskId)));
    }
  }

  /** Writes (or replaces) a task's file with `text`; returns its path. */
  async write(taskId: string, text: string): Promise<string> {
    const file = this.path(taskId);
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
    } catch (err) {
      throw ioError(err, "create the folder", this.paths.rel(path.dirname(file)));
    }
    await this.writer(taskId).edit(() => text);
    return file;
  }

  /** Changes a task's file: `patch` runs on its newest text, under its lock; false: nothing written. */
  edit(taskId: string, patch: (current: string) => string | undefined): Promise<boolean> {
    return this.writer(taskId).edit(patch);
  }

  /** Removes a task's file once its request is answered or moot. */
  remove(taskId: string): Promise<void> {
    return this.writer(taskId).remove();
  }

  /** Runs `first` and removes the task's file, only while its text is still `expected` (false: it changed; nothing done). */
  removeIf(taskId: string, expected: string, first: () => Promise<void>): Promise<boolean> {
    return this.writer(taskId).removeIf(expected, first);
  }

  private writer(taskId: string): FileTodoWriter {
    return new FileTodoWriter(this.paths, path.relative(this.paths.root, this.path(taskId)), this.opts.lock ?? DEFAULT_LOCK_OPTIONS, this.opts.fs ?? realFs);
  }
}

/** The approval files of the repository at `root` (.orchestrator/approvals/<task>.md). */
export class ApprovalFiles extends PersonFiles {
  constructor(root: string, opts: { lock?: LockOptions; fs?: WriteFs } = {}) {
    super(root, "approvals", opts);
  }
}

/** The inbox of the repository at `root` (.orchestrator/inbox/<task>.md): questions for a person. */
export class InboxFiles extends PersonFiles {
  constructor(root: string, opts: { lock?: LockOptions; fs?: WriteFs } = {}) {
    super(root, "inbox", opts);
  }

  /** The question file's text as a person left it: refused when binary, not UTF-8 or huge (a problem), or missing. */
  readChecked(taskId: string): { text: string } | { problem: Problem } | { missing: true } {
    return readUserFileSync(this.root, path.relative(this.root, this.path(taskId)), LIMITS.taskFileBytes);
  }
}
