// withLock's own work per acquisition (the locking rules themselves: lock-fs.test.ts, processes.test.ts).
import fs from "node:fs";
import path from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import { DEFAULT_LOCK_OPTIONS, withLock } from "../../src/store/lock.js";
import { tempDir } from "./helpers.js";

afterEach(() => vi.restoreAllMocks());

describe("withLock", () => {
  it("probes a folder's mtime precision (a utimes) once, not on every lock taken in it", async () => {
    const dir = path.join(tempDir(), "locks");
    fs.mkdirSync(dir);
    const utimes = vi.spyOn(fs, "utimesSync");
    for (const name of ["a.lock", "b.lock", "a.lock"]) await withLock(path.join(dir, name), DEFAULT_LOCK_OPTIONS, async () => {});
    expect(utimes).toHaveBeenCalledTimes(1);
    // Another folder may be another file system: probed on its own.
    const other = path.join(tempDir(), "locks");
    fs.mkdirSync(other);
    await withLock(path.join(other, "a.lock"), DEFAULT_LOCK_OPTIONS, async () => {});
    await withLock(path.join(other, "a.lock"), DEFAULT_LOCK_OPTIONS, async () => {});
    expect(utimes).toHaveBeenCalledTimes(2);
    expect(fs.readdirSync(dir)).toEqual([]); // every lock released
  });
});
