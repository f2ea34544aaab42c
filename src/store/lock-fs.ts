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
    return "unknown"; // no /proc (not Linux): owners then compare by host and pid only
  }
}

/** Whether `owner` is provably dead: same host and pid namespace, and no such process. */
function ownerIsDead(owner: LockOwner): boolean {
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
    return undefined; // gone or half-written: read as "no owner", as the TSDoc says
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

  // The calls below are synchronous on purpose: each is one small metadata syscall, and skipping
  // the thread-pool round trips of the async API halves the lock's cost on a loaded machine.

  mkdir = (lockDir: string, cb: Cb): void => {
    // The pid in the name lets a sweep tell a killed process's half-made folder (owner file unwritten).
    const tmp = `${lockDir}.${process.pid}.${this.nonce}.new`;
    const owner: LockOwner = { pid: process.pid, host: HOST, ns: PID_NS, nonce: this.nonce, at: Date.now() };
    try {
      fs.mkdirSync(tmp);
    } catch (err) {
      return cb(err as NodeJS.ErrnoException);
    }
    try {
      fs.writeFileSync(ownerFile(tmp, this.nonce), JSON.stringify(owner));
      // rename onto a non-empty folder fails: this is the atomic "create if absent". An empty
      // folder is a lock whose holder died between unlinking its owner file and rmdir: free.
      fs.renameSync(tmp, lockDir);
    } catch (err) {
      fs.rmSync(tmp, { recursive: true, force: true });
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "ENOTEMPTY" || code === "EEXIST") return cb(Object.assign(new Error(`EEXIST: ${lockDir}`), { code: "EEXIST" }));
      return cb(err as NodeJS.ErrnoException);
    }
    this.acquired = true;
    cb(null);
  };

  stat = (p: string, cb: Cb): void => {
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch (err) {
      return cb(err as NodeJS.ErrnoException);
    }
    if (this.acquired) return cb(null, st);
    // Asked by proper-lockfile after mkdir met EEXIST: is the holder alive?
    const owner = readOwner(p);
    this.judged = owner?.nonce;
    if (!owner || ownerIsDead(owner)) {
      // No owner (a release or crash mid-way) or a dead one: report it as stale right away.
      return cb(null, Object.assign(Object.create(Object.getPrototypeOf(st)), st, { mtime: new Date(0) }));
    }
    cb(null, st);
  };

  utimes = (p: string, a: Date, m: Date, cb: Cb): void => {
    try {
      fs.utimesSync(p, a, m);
    } catch (err) {
      return cb(err as NodeJS.ErrnoException);
    }
    cb(null);
  };

  rmdir = (lockDir: string, cb: Cb): void => {
    const nonce = this.acquired ? this.nonce : this.judged;
    try {
      if (nonce !== undefined) fs.unlinkSync(ownerFile(lockDir, nonce));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT") return cb(err as NodeJS.ErrnoException);
      // Our owner file is gone: someone judged us stale and took over (release), or another
      // contender removed this stale lock first (takeover). Either way the folder is not ours.
      if (this.acquired) this.lostOnRelease = true;
      return cb(this.acquired ? null : enoent(lockDir));
    }
    try {
      fs.rmdirSync(lockDir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      // ENOTEMPTY: a new holder already replaced the empty folder; it is theirs now.
      if (code !== "ENOENT" && code !== "ENOTEMPTY") return cb(err as NodeJS.ErrnoException);
      return cb(this.acquired ? null : enoent(lockDir));
    }
    cb(null);
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
