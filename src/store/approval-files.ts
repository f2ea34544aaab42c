// Approval files (.orchestrator/approvals/<task>.md): a request orch writes when the policy says "ask",
// answered by a person editing its `decision:` line or by `orch approve|reject`. A person edits them
// too, so every write goes through the store's writer for such files (todo-writer.ts): under the
// file's lock, a temp file fsynced, put in place atomically, the folder fsynced, and a save the
// person made meanwhile never replaced unseen. Their text (the format) is the runtime's.
import fs from "node:fs";
import path from "node:path";
import { realFs, type WriteFs } from "./atomic.js";
import { errno, ioError } from "./io-errors.js";
import { DEFAULT_LOCK_OPTIONS, type LockOptions } from "./lock.js";
import { ORCH_DIR, StorePaths } from "./paths.js";
import { FileTodoWriter } from "./todo-writer.js";

/** Path of the approval file for a task. */
function approvalPath(root: string, taskId: string): string {
  return path.join(root, ORCH_DIR, "approvals", `${taskId}.md`);
}

/** The approval files of the repository at `root`. Constructing one writes nothing. */
export class ApprovalFiles {
  private readonly paths: StorePaths;
  constructor(
    readonly root: string,
    private readonly opts: { lock?: LockOptions; fs?: WriteFs } = {},
  ) {
    this.paths = new StorePaths(root);
  }

  /** Path of a task's approval file. */
  path(taskId: string): string {
    return approvalPath(this.paths.root, taskId);
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

  /** Writes (or replaces) a task's approval file with `text`; returns its path. */
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

  /** Changes a task's approval file: `patch` runs on its newest text, under its lock; false: nothing written. */
  edit(taskId: string, patch: (current: string) => string | undefined): Promise<boolean> {
    return this.writer(taskId).edit(patch);
  }

  /** Removes a task's approval file once its request is answered or moot. */
  remove(taskId: string): Promise<void> {
    return this.writer(taskId).remove();
  }

  private writer(taskId: string): FileTodoWriter {
    return new FileTodoWriter(this.paths, path.relative(this.paths.root, this.path(taskId)), this.opts.lock ?? DEFAULT_LOCK_OPTIONS, this.opts.fs ?? realFs);
  }
}
