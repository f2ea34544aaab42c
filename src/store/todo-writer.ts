// Surgical writes to TODO.md (a file a person edits too, without our lock). Under orch's lock:
// read the newest settled bytes, patch, write a temp file; then, with no await in between, look at
// the file once more, move it aside and link ours in. Whatever a person saved in the meantime is
// either seen by the look, or is in the moved-aside file, or made link() fail: in each case the
// patch is re-applied to their bytes. Nothing they saved is replaced unseen.
import fs from "node:fs";
import path from "node:path";
import { OrchError } from "../util/errors.js";
import type { TodoWriter } from "./types.js";
import { fsyncDir, realFs, tempName, writeDurable, type WriteFs } from "./atomic.js";
import { errno, ioError } from "./io-errors.js";
import { withLock, type LockOptions } from "./lock.js";
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
  ) {}

  async edit(patch: (current: string) => string | undefined): Promise<boolean> {
    const target = path.resolve(this.paths.root, this.file);
    const rel = this.paths.rel(target);
    const lockName = `todo/${encodeURIComponent(rel).replace(/%/g, "_")}`;
    return withLock(this.paths.lock(lockName), this.lock, async (held) => {
      const real = await fs.promises.realpath(target).catch(() => target); // write through a symlink
      // `expect`: what the file holds now as far as we know; `base`: the bytes to patch.
      if (!fs.existsSync(real)) recoverAbandoned(real);
      let expect = await readSettled(real, rel);
      let base = expect.text;
      let wrote = false;
      for (let round = 0; round < MAX_ROUNDS; round++) {
        const next = patch(base) ?? base;
        if (next === expect.text) {
          // Nothing to write. Unless what we read was a save in progress (an editor that truncates
          // then writes), in which case a second look differs: patch that instead.
          const look = await readSettled(real, rel);
          if (look.text === expect.text) return wrote;
          expect = look;
          base = look.text;
          continue;
        }
        const tmp = tempName(real);
        const prev = tempName(`${real}.prev`);
        try {
          await writeDurable(tmp, next, expect.mode, this.fs);
          // From the last look to the swap: synchronous, no await, so nothing of ours interleaves.
          const look = readNow(real, rel);
          if (look.text !== expect.text) {
            fs.rmSync(tmp, { force: true });
            expect = look;
            base = look.text;
            await new Promise((r) => setTimeout(r, Math.random() * 2 * (round + 1))); // let the save finish
            continue;
          }
          held.assertHeld();
          // Move the current file aside rather than rename over it: whatever a person saved up to
          // this instant is then in `prev`, never silently replaced. link() puts ours in place only
          // if nobody created the file meanwhile (EEXIST: a save landed in the gap; start over).
          const captured = renameAside(real, prev);
          try {
            fs.linkSync(tmp, real);
          } catch (err) {
            if (errno(err) !== "EEXIST") {
              if (captured) fs.renameSync(prev, real); // put theirs back; report the failure
              throw err;
            }
            fs.rmSync(tmp, { force: true });
            fs.rmSync(prev, { force: true }); // superseded by the save that just created the file
            expect = await readSettled(real, rel);
            base = expect.text;
            continue;
          }
          fs.rmSync(tmp, { force: true });
          wrote = true;
          if (!captured || readNow(prev, rel).text === expect.text) {
            fs.rmSync(prev, { force: true });
            await fsyncDir(path.dirname(real), this.fs);
            return true;
          }
          // A save landed between the look and the swap (or in place into the old file): it is in
          // `prev`. Let it finish, then patch its bytes and write again.
          const replaced = await readSettled(prev, rel);
          fs.rmSync(prev, { force: true });
          expect = { text: next, mode: expect.mode };
          base = replaced.text;
        } catch (err) {
          fs.rmSync(tmp, { force: true });
          fs.rmSync(prev, { force: true });
          throw ioError(err, "write", rel);
        }
      }
      throw new OrchError("busy", `${rel}: changed ${MAX_ROUNDS} times while orch was editing it`, {
        file: rel,
        hint: "Someone is saving the file continuously; orch will try again on the next pass.",
      });
    });
  }
}

/** Reads a file once it has not been modified for SETTLE_MS, so a save in progress is not taken as the file. */
async function readSettled(file: string, rel: string): Promise<{ text: string; mode: number | undefined }> {
  for (let i = 0; ; i++) {
    let age = Infinity;
    try {
      age = Date.now() - fs.statSync(file).mtimeMs;
    } catch (err) {
      if (errno(err) !== "ENOENT") throw ioError(err, "read", rel);
    }
    if (age >= SETTLE_MS || age < 0 || i >= 20) return readNow(file, rel); // age < 0: a clock skew, do not wait
    await new Promise((r) => setTimeout(r, SETTLE_MS - age + 1));
  }
}

function readNow(file: string, rel: string): { text: string; mode: number | undefined } {
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

function renameAside(file: string, to: string): boolean {
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
