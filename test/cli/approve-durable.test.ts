// `orch approve` through the built CLI, watched with strace: the approval file is replaced under the
// store's lock, its new bytes fsynced before they are put in place and the folder fsynced after.
// (The same steps are checked on any machine through an injected WriteFs: test/store/approval-files.test.ts.)
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, runProcess } from "../support/cli.js";

function hasStrace(): boolean {
  try {
    execFileSync("strace", ["-V"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

describe("orch approve (process)", () => {
  it.skipIf(!hasStrace())("takes the lock, fsyncs the new file, puts it in place, fsyncs the folder, releases the lock", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "orch-approve-"));
    const approvals = path.join(root, ".orchestrator", "approvals");
    mkdirSync(approvals, { recursive: true });
    writeFileSync(path.join(root, "TODO.md"), "- [ ] T4 Needs a permission\n");
    writeFileSync(path.join(approvals, "T4.md"), "# Approval needed: T4\n\ndecision: pending\n");
    const trace = path.join(root, "strace.txt");
    const calls = "fsync,fdatasync,rename,renameat,renameat2,link,linkat,rmdir,unlink,unlinkat";
    const r = await runProcess("strace", ["-f", "-qq", "-y", "-e", `trace=${calls}`, "-o", trace, process.execPath, CLI, "approve", "T4", "--dir", root]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(approvals, "T4.md"), "utf8")).toContain("decision: approve");
    const lines = readFileSync(trace, "utf8").split("\n").filter((l) => l.includes(root) && !/= -1 /.test(l));
    const at = (re: RegExp) => lines.findIndex((l) => re.test(l));
    const steps = {
      lockTaken: at(/rename(at2?)?\(.*\.new", ".*\.lock"\)/),
      newBytesSynced: at(/fsync\(\d+<.*approvals\/\.T4\.md\.\d+\.[0-9a-f]+\.tmp>\)/),
      inPlace: at(/(link|rename)(at2?)?\(.*approvals\/\.T4\.md\.\d+\.[0-9a-f]+\.tmp", ".*approvals\/T4\.md"\)/),
      folderSynced: at(/fsync\(\d+<.*\/approvals>\)/),
      lockReleased: at(/rmdir\(.*\.lock"\)/),
    };
    expect(Object.values(steps).every((i) => i >= 0), JSON.stringify({ steps, lines }, null, 1)).toBe(true);
    expect(steps.lockTaken).toBeLessThan(steps.newBytesSynced);
    expect(steps.newBytesSynced).toBeLessThan(steps.inPlace);
    expect(steps.inPlace).toBeLessThan(steps.folderSynced);
    expect(steps.folderSynced).toBeLessThan(steps.lockReleased);
  });
});
