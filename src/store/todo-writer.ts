// Surgical writes to TODO.md (a file a person edits too, without our lock). Under orch's lock:
// read the newest settled bytes, patch, write a temp file; then, with no await in between, look at
// the file once more, move it aside and link ours in. A save made in the meantime is either seen
// by the look, or made link() fail, or is found in the moved-aside file and put back: each time
// orch starts over on the person's bytes. Nothing they saved is replaced unseen (docs/STORE.md §8).
import fs from "node:fs";
import path from "node:path";
import { OrchError } from "../util/index.js";
import type { Fence, TodoWriter } from "./types.js";
import { fsyncDir, realFs, tempName, writeDurable, type WriteFs } from "./atomic.js";
import { errno, ioError } from "./io-errors.js";
import { withLock, type HeldLock, type LockOptions } from "./lock.js";
import type { StorePaths } from "./paths.js";

const MAX_ROUNDS = 50;
/** A file modified more recently than this may be a save in progress (truncated, half-written). */
const SETTLE_MS = 25;

export class FileTodoWriter implements TodoWriter {
  constructor(
    private readonly paths: StorePaths,
    private readonly file: string,
    private readonly lock: LockOptions,
    private readonly fs: WriteFs = realFs,
    private readonly checkFence?: (fence: Fence) => Promise<void>,
  ) {}

  /** The file, its name for messages, and the lock guarding it. */
  private where(): { target: string; rel: string; lockDir: string } {
    const target = path.resolve(this.paths.root, this.file);
    const rel = this.paths.rel(target);
    // A lock name may not start with "." (e.g. .orchestrator/approvals/T1.md): encoded like the rest.
    return { target, rel, lockDir: this.paths.lock(`todo/${encodeURIComponent(rel).replace(/^\./, "%2E").replace(/%/g, "_")}`) };
  }

  /** Removes the file under its lock (a file orch made and no longer needs); the removal is fsynced. */
  async remove(): Promise<void> {
    const { target, rel, lockDir } = this.where();
    await withLock(lockDir, this.lock, async (held) => {
      held.assertHeld();
      try {
        this.fs.unlinkSync(target);
      } catch (err) {
        if (errno(err) === "ENOENT") return;
        throw ioError(err, "remove", rel);
      }
      await fsyncDir(path.dirname(target), this.fs);
    });
  }

  /**
   * Compare-and-delete under the file's lock: when the file still says `expected`, runs `first` (what
   * the removal follows from) and removes it; false, with nothing run or removed, when it says more
   * (a person saved since `expected` was read: the next read takes their new text).
   */
  async removeIf(expected: string, first: () => Promise<void>): Promise<boolean> {
    const { target, rel, lockDir } = this.where();
    return withLock(lockDir, this.lock, async (held) => {
      const same = async () => (await readSettled(target, rel).catch(() => undefined))?.text === expected;
      if (!(await same())) return false;
      await first();
      held.assertHeld();
      // A save between the two looks is kept: the decision stands, the file stays for the next read.
      if (!(await same())) return true;
      try {
        this.fs.unlinkSync(target);
      } catch (err) {
        if (errno(err) !== "ENOENT") throw ioError(err, "remove", rel);
      }
      await fsyncDir(path.dirname(target), this.fs);
      return true;
    });
  }

  async edit(patch: (current: string) => string | undefined, fence?: Fence): Promise<boolean> {
    const { target, rel, lockDir } = this.where();
    return withLock(lockDir, this.lock, async (held) => {
      const real = await fs.promises.realpath(target).catch(() => target); // write through a symlink
      if (!fs.existsSync(real)) recoverAbandoned(real);
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const cur = await readSettled(real, rel);
        const next = patch(cur.text);
        if (next === undefined || next === cur.text) {
          // Nothing to write, unless what we read was a save in progress: a second look differs.
          if ((await readSettled(real, rel)).text === cur.text) return false;
          continue;
        }
        if (fence) await this.checkFence?.(fence); // a process that lost its lease flips no box
        if ((await this.swapIn(real, rel, cur, next, held)) === "done") return true;
        await new Promise((r) => setTimeout(r, Math.random() * 2 * (round + 1))); // let their save finish
      }
      throw new OrchError("busy", `${rel}: changed ${MAX_ROUNDS} times while orch was editing it`, {
        file: rel,
        hint: "Someone is saving the file continuously; orch will try again on the next pass.",
      });
    });
  }

  /**
   * Puts `next` in place of `cur`, unless someone saved since `cur` was read: then their save is
   * left (or put back) in place and the caller retries on it.
   */
  private async swapIn(real: string, rel: string, cur: Snapshot, next: string, held: HeldLock): Promise<"done" | "retry"> {
    const tmp = tempName(real);
    const prev = tempName(`${real}.prev`);
    try {
      await writeDurable(tmp, next, cur.mode, this.fs);
      const mine = identity(fs.statSync(tmp));
      // From the last look to the swap: synchronous, no await, so nothing of ours interleaves.
      if (readNow(real, rel).text !== cur.text) return "retry";
      held.assertHeld();
      // Move the current file aside rather than rename over it: whatever a person saved up to this
      // instant is then in `prev`, never silently replaced. link() puts ours in place only if
      // nobody created the file meanwhile.
      const captured = moveAside(real, prev);
      let linked: boolean;
      try {
        linked = linkIfAbsent(tmp, real);
      } catch (err) {
        if (captured) fs.renameSync(prev, real); // theirs back where it was; then report
        throw err;
      }
      if (!linked) {
        fs.rmSync(prev, { force: true }); // a save created the file in the gap: it is the newest
        return "retry";
      }
      if (!captured || readNow(prev, rel).text === cur.text) {
        fs.rmSync(prev, { force: true });
        await fsyncDir(path.dirname(real), this.fs);
        ours.set(real, mine); // the file at `real` is our temp file's inode, linked in
        return "done";
      }
      // A save hit the old file between the look and the move (in place, maybe still writing
      // through an open descriptor): put that file back where the person's editor expects it.
      putBack(real, prev, next, rel);
      return "retry";
    } catch (err) {
      throw ioError(err, "write", rel);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  }
}

interface Snapshot {
  text: string;
  mode: number | undefined;
}

/** Puts the person's file `theirs` back at `real` in place of ours (unless a newer save is there). */
function putBack(real: string, theirs: string, ours: string, rel: string): void {
  for (let i = 0; i < 3; i++) {
    const back = tempName(`${real}.back`);
    const gotOurs = moveAside(real, back);
    if (!linkIfAbsent(theirs, real)) {
      // A save created the file meanwhile: newest wins; ours goes, theirs (older) is superseded.
      fs.rmSync(theirs, { force: true });
      fs.rmSync(back, { force: true });
      return;
    }
    fs.rmSync(theirs, { force: true });
    if (!gotOurs || readNow(back, rel).text === ours) {
      fs.rmSync(back, { force: true });
      return;
    }
    theirs = back; // what we moved aside was a newer save, not ours: put that back instead
    ours = readNow(real, rel).text;
  }
  throw new OrchError("busy", `${rel}: saved repeatedly while orch was restoring it; a copy is kept beside it`, {
    file: rel,
    hint: `Compare ${rel} with the .back file beside it, keep what you want, and delete the copy.`,
  });
}

/** What this process last put in place, by path: a file still exactly that is no save in progress. */
const ours = new Map<string, string>();
/** Not ctime: linking and unlinking our temp name change it, not the content. */
const identity = (st: fs.Stats) => `${st.ino}:${st.size}:${st.mtimeMs}`;

/**
 * Reads a file once it has not been modified for SETTLE_MS, so a save in progress is not taken as
 * the file; a file still as this process wrote it is read at once (orch checks boxes in bursts).
 */
async function readSettled(file: string, rel: string): Promise<Snapshot> {
  for (let i = 0; ; i++) {
    let age = Infinity;
    try {
      const st = fs.statSync(file);
      age = ours.get(file) === identity(st) ? Infinity : Date.now() - st.mtimeMs;
    } catch (err) {
      if (errno(err) !== "ENOENT") throw ioError(err, "read", rel);
    }
    if (age >= SETTLE_MS || age < 0 || i >= 20) return readNow(file, rel); // age < 0: a clock skew, do not wait
    await new Promise((r) => setTimeout(r, SETTLE_MS - age + 1));
  }
}

function readNow(file: string, rel: string): Snapshot {
  try {
    const text = fs.readFileSync(file, "utf8");
    return { text, mode: fs.statSync(file).mode & 0o7777 };
  } catch (err) {
    if (errno(err) === "ENOENT") return { text: "", mode: undefined };
    throw ioError(err, "read", rel);
  }
}

/** Under the lock, a moved-aside copy of a missing file can only be a crashed writer's: restore it. */
function recoverAbandoned(real: string): void {
  const dir = path.dirname(real);
  const stem = `.${path.basename(real)}.prev.`;
  for (const n of fs.readdirSync(dir)) if (n.startsWith(stem) && restoreAside(dir, n)) return;
}

/** link() as an atomic "create if absent"; on a file system without hard links, a plain rename. */
function linkIfAbsent(from: string, to: string): boolean {
  try {
    fs.linkSync(from, to);
    return true;
  } catch (err) {
    if (errno(err) === "EEXIST") return false;
    if (!["EPERM", "ENOTSUP", "EOPNOTSUPP", "EXDEV"].includes(errno(err) ?? "")) throw err;
    fs.renameSync(from, to);
    return true;
  }
}

function moveAside(file: string, to: string): boolean {
  try {
    fs.renameSync(file, to);
    return true;
  } catch (err) {
    if (errno(err) === "ENOENT") return false; // no file yet: nothing of anyone's to keep
    throw err;
  }
}

/**
 * After a crash between moving TODO.md aside and linking the new one in, the file is missing and
 * its last bytes sit in `.<name>.prev.<pid>.<rand>.tmp`: put them back. Returns whether it did.
 */
export function restoreAside(dir: string, name: string): boolean {
  const m = /^\.(.+)\.prev\.\d+\.[0-9a-f]{8}\.tmp$/.exec(name);
  if (!m) return false;
  const real = path.join(dir, m[1]!);
  try {
    fs.linkSync(path.join(dir, name), real); // only if still missing
  } catch (err) {
    if (errno(err) === "EEXIST") return false;
    throw err;
  }
  fs.rmSync(path.join(dir, name), { force: true });
  return true;
}
