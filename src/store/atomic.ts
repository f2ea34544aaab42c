// Temp file + fsync + atomic rename (+ fsync of the folder): a reader sees the old bytes or the new, never a mix.
import fsp from "node:fs/promises";
import path from "node:path";
import { uniqueToken } from "../util/unique.js";
import { errno, ioError } from "./io-errors.js";

/** The few file-system calls the write path makes; tests pass a wrapper to inject ENOSPC/EROFS. */
export type WriteFs = Pick<typeof fsp, "open" | "rename" | "unlink" | "mkdir" | "readFile" | "stat" | "chmod" | "readdir">;

/** The real file system. */
export const realFs: WriteFs = fsp;

/** Name of a temp file beside `file`; the pid lets a later sweep tell a dead writer's leftovers. */
export function tempName(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${uniqueToken()}.tmp`);
}

export interface AtomicWriteOptions {
  fs?: WriteFs;
  /** File mode to give the new file (e.g. the mode of the file it replaces). */
  mode?: number;
  /** How to name the file in errors (e.g. relative to the repo root); default: its path. */
  label?: string;
  /** Runs after the data is durable and just before the rename; throwing aborts the write. */
  beforeRename?: () => Promise<void> | void;
}

/**
 * Replaces `file` with `data` atomically. On any failure the temp file is removed, the original is
 * left intact, and an OrchError "io" names the file (OrchErrors from `beforeRename` pass through).
 */
export async function atomicWrite(file: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const fs = opts.fs ?? realFs;
  const tmp = tempName(file);
  let created = false;
  try {
    created = true;
    await writeDurable(tmp, data, opts.mode, fs);
    await opts.beforeRename?.();
    await fs.rename(tmp, file);
    created = false;
  } catch (err) {
    if (created) await fs.unlink(tmp).catch(() => undefined); // best effort: the primary error is what matters
    throw ioError(err, "write", opts.label ?? file);
  }
  await fsyncDir(path.dirname(file), fs);
}

/**
 * Creates `tmp` (which must not exist) with `data`, fsynced, with exactly `mode`. On failure the
 * caller removes `tmp`.
 */
export async function writeDurable(tmp: string, data: string | Uint8Array, mode: number | undefined, fs: WriteFs = realFs): Promise<void> {
  const fh = await fs.open(tmp, "wx", mode ?? 0o644);
  try {
    await fh.writeFile(data);
    await fh.sync();
  } finally {
    await fh.close();
  }
  // open() applies the umask; restore the exact mode of the file being replaced.
  if (mode !== undefined) await fs.chmod(tmp, mode);
}

/** Makes a rename durable. File systems that cannot fsync a folder (EINVAL) are tolerated. */
export async function fsyncDir(dir: string, fs: WriteFs = realFs): Promise<void> {
  let fh;
  try {
    fh = await fs.open(dir, "r");
    await fh.sync();
  } catch (err) {
    const code = errno(err);
    if (code !== "EINVAL" && code !== "ENOTSUP" && code !== "EISDIR") throw ioError(err, "sync the folder", dir);
  } finally {
    await fh?.close();
  }
}
