// Approval files go through the store (docs/STORE.md §8): each write happens under the file's lock,
// its temp file is fsynced before it is put in place, and the folder is fsynced after; so does a
// removal. Observed through an injected WriteFs that logs each durable step with what was true then.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { WriteFs } from "../../src/store/atomic.js";
import { ApprovalFiles, InboxFiles } from "../../src/store/approval-files.js";
import { decide, writeApproval } from "../../src/runtime/approvals.js";
import { openStore } from "../../src/store/open.js";
import { tempDir } from "./helpers.js";

const REQ = { taskId: "T4", requestId: "per_9", sessionId: "ses_9", kind: "bash", detail: "npm publish", at: "2026-01-01T00:00:00Z" };

/** The real file system, logging each fsync and unlink with: is a lock held, and what the approval file says. */
function recordingFs(root: string, log: string[]): WriteFs {
  const names = new Map<number, string>();
  const locked = () => {
    const dir = path.join(root, ".orchestrator", "locks", "todo");
    return fs.existsSync(dir) && fs.readdirSync(dir).some((n) => n.endsWith(".lock"));
  };
  const decision = () => {
    const file = path.join(root, ".orchestrator", "approvals", "T4.md");
    return fs.existsSync(file) ? /^decision: (\w+)$/m.exec(fs.readFileSync(file, "utf8"))?.[1] : "none";
  };
  const name = (p: string) => path.basename(p).replace(/\.\d+\.[0-9a-f]+\.tmp$/, ".<tmp>");
  const note = (what: string) => log.push(`${what} locked=${locked()} file=${decision()}`);
  return {
    ...fs,
    openSync: ((p: string, flags: string, mode?: number) => {
      const fd = fs.openSync(p, flags, mode);
      names.set(fd, name(String(p)));
      return fd;
    }) as WriteFs["openSync"],
    fsync: ((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      note(`fsync ${names.get(fd)}`);
      fs.fsync(fd, cb);
    }) as WriteFs["fsync"],
    closeSync: (fd: number) => {
      names.delete(fd);
      fs.closeSync(fd);
    },
    unlinkSync: (p: fs.PathLike) => {
      note(`unlink ${name(String(p))}`);
      fs.unlinkSync(p);
    },
  };
}

describe("approval files (through the store)", () => {
  it("write, decide, remove: under the lock, temp file fsynced before it replaces the file, folder fsynced after", async () => {
    const root = tempDir();
    const log: string[] = [];
    const files = openStore(root, { fs: recordingFs(root, log) }).approvals;
    await writeApproval(files, REQ);
    expect(log.splice(0)).toEqual(["fsync .T4.md.<tmp> locked=true file=none", "fsync approvals locked=true file=pending"]);
    await decide(files, "T4", "approve");
    expect(log.splice(0)).toEqual(["fsync .T4.md.<tmp> locked=true file=pending", "fsync approvals locked=true file=approve"]);
    await files.remove("T4");
    expect(log.splice(0)).toEqual(["unlink T4.md locked=true file=approve", "fsync approvals locked=true file=none"]);
    expect(fs.readdirSync(path.join(root, ".orchestrator", "approvals"))).toEqual([]); // no temp file left
  });

  it("a save a person made to the file is the one decide() edits (the newest text, read under the lock)", async () => {
    const root = tempDir();
    const files = new ApprovalFiles(root);
    const file = await writeApproval(files, REQ);
    fs.writeFileSync(file, fs.readFileSync(file, "utf8").replace("npm publish", "npm publish --dry-run"));
    await decide(files, "T4", "reject");
    expect(fs.readFileSync(file, "utf8")).toMatch(/npm publish --dry-run[\s\S]*decision: reject/);
    await expect(decide(new ApprovalFiles(tempDir()), "T4", "reject")).rejects.toThrow(/task T4 has no pending approval/);
  });

  it("an inbox file is removed compare-and-delete: a save since the text was read (an answer autosaved halfway) keeps it, and what follows from the removal is not done", async () => {
    const root = tempDir();
    const inbox = new InboxFiles(root);
    const file = await inbox.write("T1", "question\n<!-- mark -->\nUse Eng");
    const read = fs.readFileSync(file, "utf8");
    fs.writeFileSync(file, `${read}lish, please.\n`);
    const done: string[] = [];
    expect(await inbox.removeIf("T1", read, async () => void done.push("recorded"))).toBe(false);
    expect(done).toEqual([]);
    expect(fs.readFileSync(file, "utf8")).toBe("question\n<!-- mark -->\nUse English, please.\n");
    expect(await inbox.removeIf("T1", fs.readFileSync(file, "utf8"), async () => void done.push("recorded"))).toBe(true);
    expect(done).toEqual(["recorded"]);
    expect(fs.existsSync(file)).toBe(false);
  });
});
