// The lock adapter's recovery rules, step by step, with real folders (no timing involved).
import { existsSync, mkdirSync, readdirSync, readlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { LockFs, readOwner } from "../../src/store/lock-fs.js";
import { tempDir } from "./helpers.js";

const call = <T>(fn: (cb: (err?: NodeJS.ErrnoException | null, v?: T) => void) => void) =>
  new Promise<{ err?: NodeJS.ErrnoException | null; v?: T }>((r) => fn((err, v) => r({ err, v })));

/** A lock folder as a process killed on this machine leaves it (its pid no longer exists). */
function deadLock(dir: string): string {
  const lock = path.join(dir, "r.lock");
  mkdirSync(lock);
  const owner = { pid: 2 ** 22 - 3, host: os.hostname(), ns: readlinkSync("/proc/self/ns/pid"), nonce: "deadbeef", at: 0 };
  writeFileSync(path.join(lock, "owner-deadbeef.json"), JSON.stringify(owner));
  return lock;
}

describe("LockFs", () => {
  it("a dead holder's lock reads as stale at once; a live one keeps its real mtime", async () => {
    const dir = tempDir();
    const lock = deadLock(dir);
    const b = new LockFs("bbbbbbbb");
    expect((await call<{ mtime: Date }>((cb) => b.stat(lock, cb))).v!.mtime.getTime()).toBe(0);
    const live = path.join(dir, "live.lock");
    await call((cb) => new LockFs("cccccccc").mkdir(live, cb));
    expect((await call<{ mtime: Date }>((cb) => b.stat(live, cb))).v!.mtime.getTime()).toBeGreaterThan(0);
  });

  it("two contenders judge one dead lock stale: the slower cannot delete the faster one's new lock", async () => {
    const dir = tempDir();
    const lock = deadLock(dir);
    const a = new LockFs("aaaaaaaa");
    const b = new LockFs("bbbbbbbb");
    await call((cb) => a.stat(lock, cb)); // both look, both see the dead owner
    await call((cb) => b.stat(lock, cb));
    expect((await call((cb) => a.rmdir(lock, cb))).err).toBeFalsy(); // a removes it...
    expect((await call((cb) => a.mkdir(lock, cb))).err).toBeFalsy(); // ...and takes the lock
    const late = await call((cb) => b.rmdir(lock, cb)); // b, late, tries to remove "the stale lock"
    expect(late.err?.code).toBe("ENOENT"); // refused: that lock is gone
    expect(readOwner(lock)?.nonce).toBe("aaaaaaaa"); // a still holds its lock
    expect((await call((cb) => b.mkdir(lock, cb))).err?.code).toBe("EEXIST");
    expect(readdirSync(dir).sort()).toEqual(["r.lock"]); // no temp folders left
  });

  it("an empty lock folder (holder died while releasing) is free; release of a stolen lock leaves the thief's", async () => {
    const dir = tempDir();
    const lock = path.join(dir, "r.lock");
    mkdirSync(lock);
    const a = new LockFs("aaaaaaaa");
    expect((await call((cb) => a.mkdir(lock, cb))).err).toBeFalsy();
    // b judges a stale (as after a long pause) and takes over
    const b = new LockFs("bbbbbbbb");
    await call((cb) => b.stat(lock, cb));
    (b as unknown as { judged: string }).judged = "aaaaaaaa";
    expect((await call((cb) => b.rmdir(lock, cb))).err).toBeFalsy();
    expect((await call((cb) => b.mkdir(lock, cb))).err).toBeFalsy();
    expect(a.stillHeld(lock)).toBe(false);
    expect((await call((cb) => a.rmdir(lock, cb))).err).toBeFalsy(); // a's release...
    expect(a.lostOnRelease).toBe(true);
    expect(existsSync(lock) && readOwner(lock)?.nonce).toBe("bbbbbbbb"); // ...left b's lock alone
  });
});
