// Surgical writes to TODO.md (or any file a person also edits): lock, re-read the newest bytes,
// patch, and just before the rename check the file did not change under us; if it did, re-apply
// the patch to the newer bytes. A person's save in between is never overwritten.
import fs from "node:fs/promises";
import path from "node:path";
import { OrchError } from "../util/errors.js";
import type { TodoWriter } from "./types.js";
import { atomicWrite, realFs, type WriteFs } from "./atomic.js";
import { errno, ioError } from "./io-errors.js";
import { withLock, type LockOptions } from "./lock.js";
import type { StorePaths } from "./paths.js";

const MAX_REAPPLY = 20;

class Changed extends Error {}

export class FileTodoWriter implements TodoWriter {
  constructor(
    private readonly paths: StorePaths,
    private readonly file: string,
    private readonly lock: LockOptions,
    private readonly fs: WriteFs = realFs,
  ) {}

  async edit(patch: (current: string) => string | undefined): Promise<boolean> {
    const target = path.resolve(this.paths.root, this.file);
    const rel = this.paths.rel(target);
    const lockName = `todo/${encodeURIComponent(rel).replace(/%/g, "_")}`;
    return withLock(this.paths.lock(lockName), this.lock, async (held) => {
      const real = await fs.realpath(target).catch(() => target); // write through a symlink, not over it
      for (let i = 0; i < MAX_REAPPLY; i++) {
        const before = await this.snapshot(real, rel);
        const next = patch(before.text);
        if (next === undefined || next === before.text) return false;
        try {
          await atomicWrite(real, next, {
            fs: this.fs,
            mode: before.mode,
            beforeRename: async () => {
              held.assertHeld();
              // An editor may have saved (in place, or by its own rename) since we read.
              const now = await this.snapshot(real, rel);
              if (now.text !== before.text) throw new Changed();
            },
          });
          return true;
        } catch (err) {
          if (!(err instanceof Changed) && !((err as OrchError).options?.cause instanceof Changed)) throw err;
        }
      }
      throw new OrchError("busy", `${rel}: changed ${MAX_REAPPLY} times while orch was editing it`, {
        file: rel,
        hint: "Someone is saving the file continuously; orch will try again on the next pass.",
      });
    });
  }

  private async snapshot(file: string, rel: string): Promise<{ text: string; mode: number | undefined }> {
    try {
      const [text, st] = await Promise.all([this.fs.readFile(file, "utf8"), this.fs.stat(file)]);
      return { text, mode: st.mode & 0o7777 };
    } catch (err) {
      if (errno(err) === "ENOENT") return { text: "", mode: undefined };
      throw ioError(err, "read", rel);
    }
  }
}
