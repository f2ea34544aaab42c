// The file-system adapter proper-lockfile runs on. It keeps proper-lockfile's mkdir lock, mtime
// heartbeat and staleness, and adds two things proper-lockfile lacks:
//  1. An owner file inside the lock folder (pid, pid namespace, host, nonce), written BEFORE the
//     folder appears (mkdir temp + rename), so a lock whose holder was kill -9'd on this machine
//     is recognised at once instead of after the stale timeout.
//  2. Race-free stale removal: a stale lock is removed by unlinking ITS owner file (a name no other
//     instance can have) before rmdir, so two processes that both judged one lock stale cannot
//     delete the lock the faster one just created (proper-lockfile's plain rmdir can).
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** Who holds a lock: enough to tell, on this machine, whether the holder is still alive. */
export interface LockOwner {
  pid: number;
  host: string;
  /** The pid namespace: a pid means nothing across containers that share the folder. */
  ns: string;
  nonce: string;
  at: number;
}

const OWNER_PREFIX = "owner-";
const HOST = os.hostname();
const PID_NS = readPidNamespace();

function readPidNamespace(): string {
  try {
    return fs.readlinkSync("/proc/self/ns/pid");
  } catch {
    return "unknown";
  }
}

/** Whether `owner` is provably dead: same host and pid namespace, and no such process. */
export function ownerIsDead(owner: LockOwner): boolean {
  if (owner.host !== HOST || owner.ns !== PID_NS || owner.ns === "unknown") return false;
  return localPidIsDead(owner.pid);
}

/** Whether a pid of THIS host and pid namespace names no process. */
export function localPidIsDead(pid: number): boolean {
  if (PID_NS === "unknown" || pid === process.pid || !(pid > 0)) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "ESRCH";
  }
}

/** Reads the owner of a lock folder, or undefined when it has none (being released) or is gone. */
export function readOwner(lockDir: string): LockOwner | undefined {
  try {
    const name = fs.readdirSync(lockDir).find((n) => n.startsWith(OWNER_PREFIX));
    if (!name) return undefined;
    return JSON.parse(fs.readFileSync(path.join(lockDir, name), "utf8")) as LockOwner;
  } catch {
    return undefined;
  }
}

const ownerFile = (lockDir: string, nonce: string) => path.join(lockDir, `${OWNER_PREFIX}${nonce}.json`);

type Cb = (err?: NodeJS.ErrnoException | null, ...rest: any[]) => void;

function enoent(p: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`ENOENT: ${p}`), { code: "ENOENT" });
}

/** Per-acquisition adapter: one instance per lock attempt, since it remembers its own nonce. */
export class LockFs {
  acquired = false;
  /** Set when releasing found our owner file gone: someone judged us stale and took the lock. */
  lostOnRelease = false;
  private judged: string | undefined;

  constructor(readonly nonce: string) {}

  /** Whether the lock folder still holds our owner file (i.e. nobody stole the lock). */
  stillHeld(lockDir: string): boolean {
    return fs.existsSync(ownerFile(lockDir, this.nonce));
  }

  mkdir = (lockDir: string, cb: Cb): void => {
    const tmp = `${lockDir}.${this.nonce}.new`;
    const owner: LockOwner = { pid: process.pid, host: HOST, ns: PID_NS, nonce: this.nonce, at: Date.now() };
    const cleanup = (err: NodeJS.ErrnoException) => fs.rm(tmp, { recursive: true, force: true }, () => cb(err));
    fs.mkdir(tmp, (err) => {
      if (err) return cb(err);
      fs.writeFile(ownerFile(tmp, this.nonce), JSON.stringify(owner), (err) => {
        if (err) return cleanup(err);
        // rename onto a non-empty folder fails: this is the atomic "create if absent". An empty
        // folder is a lock whose holder died between unlinking its owner file and rmdir: free.
        fs.rename(tmp, lockDir, (err) => {
          if (!err) {
            this.acquired = true;
            return cb(null);
          }
          if (err.code === "ENOTEMPTY" || err.code === "EEXIST") {
            return cleanup(Object.assign(new Error(`EEXIST: ${lockDir}`), { code: "EEXIST" }));
          }
          cleanup(err);
        });
      });
    });
  };

  stat = (p: string, cb: Cb): void => {
    fs.stat(p, (err, st) => {
      if (err || this.acquired) return cb(err, st);
      // Asked by proper-lockfile after mkdir met EEXIST: is the holder alive?
      const owner = readOwner(p);
      this.judged = owner?.nonce;
      if (!owner || ownerIsDead(owner)) {
        // No owner (a release or crash mid-way) or a dead one: report it as stale right away.
        return cb(null, Object.assign(Object.create(Object.getPrototypeOf(st)), st, { mtime: new Date(0) }));
      }
      cb(null, st);
    });
  };

  utimes = (p: string, a: Date, m: Date, cb: Cb): void => fs.utimes(p, a, m, cb);

  rmdir = (lockDir: string, cb: Cb): void => {
    const nonce = this.acquired ? this.nonce : this.judged;
    const rmdirQuiet = () =>
      fs.rmdir(lockDir, (err) => {
        // ENOTEMPTY: a new holder already replaced the empty folder; it is theirs now.
        if (err && err.code !== "ENOENT" && err.code !== "ENOTEMPTY") return cb(err);
        cb(err && !this.acquired ? enoent(lockDir) : null);
      });
    if (nonce === undefined) return rmdirQuiet();
    fs.unlink(ownerFile(lockDir, nonce), (err) => {
      if (err?.code === "ENOENT") {
        if (this.acquired) this.lostOnRelease = true;
        return cb(this.acquired ? null : enoent(lockDir)); // someone else got there first
      }
      if (err) return cb(err);
      rmdirQuiet();
    });
  };

  /** Used by proper-lockfile's exit hook. */
  rmdirSync = (lockDir: string): void => {
    if (!this.acquired) return;
    try {
      fs.unlinkSync(ownerFile(lockDir, this.nonce));
      fs.rmdirSync(lockDir);
    } catch {
      // exiting anyway: a leftover is recovered by the next process through the owner check
    }
  };
}
