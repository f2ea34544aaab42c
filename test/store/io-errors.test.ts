// Full disk, read-only file system, permission denied: a clear error naming the file, the original
// intact, no temp file left. ENOSPC and EROFS are real (a 64 KiB tmpfs, a read-only bind mount) when
// this process may mount (root in CI); EACCES and mid-write failures are injected through WriteFs
// (tests run as root, where chmod does not stop writes).
import { execFileSync } from "node:child_process";
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import fs from "node:fs";
import path from "node:path";
import { z } from "zod";
import { afterAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import type { WriteFs } from "../../src/store/atomic.js";
import { setChecked } from "../../src/spec/todo-edit.js";
import { tempDir } from "./helpers.js";

const Rec = z.object({ s: z.string() }).strict().parse;
const mounts: string[] = [];
function mount(args: string[], dir: string): boolean {
  try {
    execFileSync("mount", [...args, dir], { stdio: "ignore" });
    mounts.push(dir);
    return true;
  } catch {
    return false;
  }
}
afterAll(() => {
  for (const m of mounts.reverse()) execFileSync("umount", [m]);
});
const canMount = (() => {
  const d = tempDir();
  if (!mount(["-t", "tmpfs", "-o", "size=16k", "tmpfs"], d)) return false;
  execFileSync("umount", [d]);
  mounts.pop();
  return true;
})();
const tmpFiles = (dir: string) => readdirSync(dir, { recursive: true }).map(String).filter((n) => n.endsWith(".tmp"));

describe.skipIf(!canMount)("real full disk and read-only mounts", () => {
  it("ENOSPC on a 64 KiB tmpfs: clear error, old record intact, no temp file", async () => {
    const root = tempDir();
    expect(mount(["-t", "tmpfs", "-o", "size=64k", "tmpfs"], root)).toBe(true);
    const s = openStore(root);
    await s.records.write("state/T1", { s: "small" }, undefined);
    const err = await s.records.update("state/T1", Rec, () => ({ s: "x".repeat(200_000) })).catch((e) => e);
    expect(err).toMatchObject({ code: "io" });
    expect(err.message).toBe(".orchestrator/state/T1.json: cannot write: ENOSPC");
    expect(err.options.hint).toMatch(/disk is full/);
    expect(await s.records.read("state/T1", Rec)).toEqual({ value: { s: "small" }, version: 1 });
    expect(tmpFiles(root)).toEqual([]);

    // TODO.md on the full disk: the person's file is untouched.
    const todo = "- [ ] T1 a\n" + "<!-- pad -->\n".repeat(2000);
    writeFileSync(path.join(root, "TODO.md"), todo);
    const e2 = await s.todo("TODO.md").edit((t) => setChecked(t, "T1", true)).catch((e) => e);
    expect(e2).toMatchObject({ code: "io" });
    expect(e2.message).toMatch(/^TODO\.md: cannot write: ENOSPC$/);
    expect(readFileSync(path.join(root, "TODO.md"), "utf8")).toBe(todo);
    expect(tmpFiles(root)).toEqual([]);
  });

  it("EROFS on a read-only bind mount: reads work, writes fail clearly, nothing changes", async () => {
    const src = tempDir();
    await openStore(src).records.write("state/T1", { s: "v1" }, undefined);
    await openStore(src).journal.append([{ at: "2026-01-01T00:00:00Z", task: "T1", kind: "created" }]);
    const ro = tempDir();
    expect(mount(["--bind", src], ro)).toBe(true);
    execFileSync("mount", ["-o", "remount,ro,bind", ro]);
    const s = openStore(ro); // must not throw on a read-only checkout
    expect((await s.records.read("state/T1", Rec))?.value.s).toBe("v1");
    expect(await s.journal.read("T1")).toHaveLength(1);
    const err = await s.records.update("state/T1", Rec, () => ({ s: "v2" })).catch((e) => e);
    expect(err).toMatchObject({ code: "io" });
    expect(err.message).toMatch(/cannot (take the lock|create the lock folder).*EROFS|EROFS/);
    expect(err.options.hint).toMatch(/read-only/);
    await expect(s.journal.append([{ at: "x", task: "T1", kind: "k" }])).rejects.toMatchObject({ code: "io" });
    expect(JSON.parse(readFileSync(path.join(src, ".orchestrator/state/T1.json"), "utf8")).value.s).toBe("v1");
  });
});

/** Real fs, except that writes of temp files fail with `code` (at open, or after writing half the data). */
function failingFs(code: string, when: "open" | "write"): WriteFs {
  const fail = () => Object.assign(new Error(`${code}: injected`), { code });
  const temps = new Set<number>();
  return {
    ...fs,
    openSync: ((p: string, flags: string, mode?: number) => {
      if (!String(p).endsWith(".tmp")) return fs.openSync(p, flags, mode);
      if (when === "open") throw fail();
      const fd = fs.openSync(p, flags, mode);
      temps.add(fd);
      return fd;
    }) as WriteFs["openSync"],
    writeSync: ((fd: number, buf: Uint8Array, off: number, len: number) => {
      if (!temps.has(fd)) return fs.writeSync(fd, buf, off, len);
      fs.writeSync(fd, buf, off, len >> 1);
      throw fail();
    }) as WriteFs["writeSync"],
    closeSync: (fd: number) => {
      temps.delete(fd);
      fs.closeSync(fd);
    },
  };
}

describe("injected failures (any user, any machine)", () => {
  for (const [code, when, hint] of [
    ["EACCES", "open", /Permission denied/],
    ["ENOSPC", "write", /disk is full/],
    ["EROFS", "open", /read-only/],
  ] as const) {
    it(`${code} at ${when}: OrchError "io" naming the file, record intact, temp removed`, async () => {
      const root = tempDir();
      await openStore(root).records.write("state/T1", { s: "old" }, undefined);
      const s = openStore(root, { fs: failingFs(code, when) });
      const err = await s.records.write("state/T1", { s: "new" }, 1).catch((e) => e);
      expect(err).toMatchObject({ code: "io", message: `.orchestrator/state/T1.json: cannot write: ${code}` });
      expect(err.options.hint).toMatch(hint);
      expect((await s.records.read("state/T1", Rec))?.value.s).toBe("old");
      expect(tmpFiles(root)).toEqual([]);
    });
  }

  it("a TODO.md write that fails half-way leaves the person's file as it was", async () => {
    const root = tempDir();
    mkdirSync(path.join(root, "docs"));
    writeFileSync(path.join(root, "docs/TODO.md"), "- [ ] T1 a\n");
    const s = openStore(root, { fs: failingFs("ENOSPC", "write") });
    await expect(s.todo("docs/TODO.md").edit((t) => setChecked(t, "T1", true))).rejects.toMatchObject({ code: "io", message: "docs/TODO.md: cannot write: ENOSPC" });
    expect(readFileSync(path.join(root, "docs/TODO.md"), "utf8")).toBe("- [ ] T1 a\n");
    expect(tmpFiles(root)).toEqual([]);
  });
});
