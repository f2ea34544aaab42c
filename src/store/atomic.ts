// Temp file + fsync + atomic rename (+ fsync of the folder): a reader sees the old bytes or the new, never a mix.
// The calls are synchronous except the fsyncs: each is one short syscall on a small file, while the
// async API's thread-pool round trip waits for the event loop (a dozen per write added up to tens
// of ms when the loop was busy). An fsync can take long, so it alone goes to the thread pool.
import fs from "node:fs";
import path from "node:path";
import { promisify } from "node:util";
import { uniqueToken } from "../util/index.js";
import { errno, ioError } from "./io-errors.js";

/** The file-system calls of the write path; tests pass a wrapper to inject ENOSPC/EROFS. */
export type WriteFs = Pick<typeof fs, "openSync" | "writeSync" | "closeSync" | "renameSync" | "unlinkSync" | "chmodSync" | "fsync">;

/** The real file system. */
export const realFs: WriteFs = fs;

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
  const wfs = opts.fs ?? realFs;
  const tmp = tempName(file);
  let created = false;
  try {
    created = true;
    await writeDurable(tmp, data, opts.mode, wfs);
    await opts.beforeRename?.();
    wfs.renameSync(tmp, file);
    created = false;
  } catch (err) {
    if (created) removeQuietly(tmp, wfs); // best effort: the primary error is what matters
    throw ioError(err, "write", opts.label ?? file);
  }
  await fsyncDir(path.dirname(file), wfs);
}

function removeQuietly(file: string, wfs: WriteFs): void {
  try {
    wfs.unlinkSync(file);
  } catch {
    // already gone, or the disk refuses: the sweep takes it later
  }
}

/** fsync on the thread pool. */
export function fsyncFd(fd: number, wfs: WriteFs = realFs): Promise<void> {
  return promisify(wfs.fsync)(fd);
}

/** Writes all of `data` at the file's position (writeSync may write less than asked). */
export function writeAll(fd: number, data: string | Uint8Array, wfs: WriteFs = realFs): void {
  const buf = typeof data === "string" ? Buffer.from(data) : data;
  for (let off = 0; off < buf.length; ) off += wfs.writeSync(fd, buf, off, buf.length - off);
}

/**
 * Creates `tmp` (which must not exist) with `data`, fsynced, with exactly `mode`. On failure the
 * caller removes `tmp`.
 */
export async function writeDurable(tmp: string, data: string | Uint8Array, mode: number | undefined, wfs: WriteFs = realFs): Promise<void> {
  const fd = wfs.openSync(tmp, "wx", mode ?? 0o644);
  try {
    writeAll(fd, data, wfs);
    await fsyncFd(fd, wfs);
  } finally {
    wfs.closeSync(fd);
  }
  // open() applies the umask; restore the exact mode of the file being replaced.
  if (mode !== undefined) wfs.chmodSync(tmp, mode);
}

/** Makes a rename durable. File systems that cannot fsync a folder (EINVAL) are tolerated. */
export async function fsyncDir(dir: string, wfs: WriteFs = realFs): Promise<void> {
  let fd: number | undefined;
  try {
    fd = wfs.openSync(dir, "r");
    await fsyncFd(fd, wfs);
  } catch (err) {
    const code = errno(err);
    if (code !== "EINVAL" && code !== "ENOTSUP" && code !== "EISDIR") throw ioError(err, "sync the folder", dir);
  } finally {
    if (fd !== undefined) wfs.closeSync(fd);
  }
}
