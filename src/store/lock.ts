// Cross-process locks: proper-lockfile (mkdir lock + mtime heartbeat + staleness) on the LockFs adapter
// (owner file, pid check, race-free stale removal), behind an in-process queue so async callers in
// one process wait on a promise instead of polling the disk.
import lockfile from "proper-lockfile";
import fs from "node:fs";
import path from "node:path";
import { uniqueToken, OrchError } from "../util/index.js";
import { errno, ioError } from "./io-errors.js";
import { LockFs, readOwner } from "./lock-fs.js";

export interface LockOptions {
  /** A lock not refreshed for this long is stale (its holder is paused or hung). Min 2000. */
  staleMs: number;
  /** Give up waiting after this long. */
  waitMs: number;
}

export const DEFAULT_LOCK_OPTIONS: LockOptions = { staleMs: 10_000, waitMs: 30_000 };

/** A held lock. `assertHeld` throws "fenced" if the lock was lost (paused past the stale time). */
export interface HeldLock {
  readonly lockDir: string;
  assertHeld(): void;
  release(): Promise<void>;
}

const queues = new Map<string, Promise<void>>();

/** Runs `fn` while holding the lock folder `lockDir` (which names the thing locked). */
export async function withLock<T>(lockDir: string, opts: LockOptions, fn: (held: HeldLock) => Promise<T>): Promise<T> {
  // In-process FIFO first: only one async caller per lock competes for the folder.
  const prev = queues.get(lockDir) ?? Promise.resolve();
  let done!: () => void;
  const mine = new Promise<void>((r) => (done = r));
  const tail = prev.then(() => mine);
  queues.set(lockDir, tail);
  await prev;
  try {
    const held = await acquire(lockDir, opts);
    try {
      return await fn(held);
    } finally {
      await held.release();
    }
  } finally {
    done();
    if (queues.get(lockDir) === tail) queues.delete(lockDir);
  }
}

/** Resolves once no lock under `prefix` is held or awaited by this process. */
export async function drain(prefix: string): Promise<void> {
  for (;;) {
    const pending = [...queues].filter(([dir]) => dir.startsWith(prefix)).map(([, tail]) => tail);
    if (pending.length === 0) return;
    await Promise.all(pending);
  }
}

function makeParent(lockDir: string): void {
  const parent = path.dirname(lockDir);
  try {
    fs.mkdirSync(parent, { recursive: true });
  } catch (err) {
    throw ioError(err, "create the lock folder", parent);
  }
}

/**
 * proper-lockfile learns a file system's mtime precision by a probe (a utimes and a stat) and caches
 * it on the `fs` object it was given, under a symbol of its own. Our adapters are one per attempt,
 * so the cache is carried over here, per lock folder (one file system), or every lock would probe.
 */
const probed = new Map<string, [symbol, unknown][]>();

function newAdapter(lockDir: string): LockFs {
  const adapter = new LockFs(uniqueToken());
  for (const [key, value] of probed.get(path.dirname(lockDir)) ?? []) Object.defineProperty(adapter, key, { value });
  return adapter;
}

function keepProbe(lockDir: string, adapter: LockFs): void {
  const dir = path.dirname(lockDir);
  if (probed.has(dir)) return;
  const found = Object.getOwnPropertySymbols(adapter).map((key): [symbol, unknown] => [key, (adapter as unknown as Record<symbol, unknown>)[key]]);
  if (found.length) probed.set(dir, found);
}

async function acquire(lockDir: string, opts: LockOptions): Promise<HeldLock> {
  const staleMs = Math.max(opts.staleMs, 2000);
  const deadline = Date.now() + opts.waitMs;
  for (let attempt = 0; ; attempt++) {
    const adapter = newAdapter(lockDir);
    let compromised: Error | undefined;
    try {
      const release = await lockfile.lock(lockDir, {
        lockfilePath: lockDir,
        realpath: false,
        stale: staleMs,
        update: Math.max(1000, Math.floor(staleMs / 5)),
        retries: 0,
        fs: adapter as any,
        onCompromised: (err) => {
          compromised = err;
        },
      });
      keepProbe(lockDir, adapter);
      return {
        lockDir,
        assertHeld() {
          if (compromised || !adapter.stillHeld(lockDir)) {
            throw new OrchError("fenced", `lost the lock ${lockDir} while writing (paused or hung past ${staleMs} ms)`, {
              hint: "Another orch process took over; this write was refused so nothing is overwritten.",
            });
          }
        },
        async release() {
          if (compromised) return;
          await release().catch((err) => {
            if (errno(err) !== "ERELEASED") throw ioError(err, "release the lock", lockDir);
          });
        },
      };
    } catch (err) {
      if (errno(err) === "ENOENT" && attempt < 3) {
        makeParent(lockDir); // first use of this folder (or someone removed locks/): make it, retry
        continue;
      }
      if (errno(err) !== "ELOCKED" && errno(err) !== "EEXIST") throw ioError(err, "take the lock", lockDir);
      if (Date.now() >= deadline) {
        const owner = readOwner(lockDir);
        throw new OrchError("locked", `timed out after ${opts.waitMs} ms waiting for the lock ${lockDir}`, {
          hint: owner
            ? `Held by pid ${owner.pid} on ${owner.host}. If that process is hung, stop it; a dead holder's lock is recovered automatically.`
            : "Another process holds it; try again.",
        });
      }
      // Jittered backoff, 1 ms growing to 25 ms, so waiters do not poll in lockstep. (Waking on an
      // inotify event for the lock folder was tried: a thundering herd, 3x slower with 4 processes.)
      const base = Math.min(25, 1.5 ** Math.min(attempt, 12));
      await new Promise((r) => setTimeout(r, base * (0.5 + Math.random())));
    }
  }
}
