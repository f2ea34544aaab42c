// A dependent started in the window where its dependency's success stood but its merge had not been
// made: a merge round retried after the success was recorded (a person committed between orch's read of
// the tip and its update-ref) conflicts and the success is taken back. The dependent, waiting for the
// git lock to read its base, must not start from a tip without its dependency's work: its start is
// given back (Pending, not charged, the reason said). Real git, the loop in process; the person's
// commit lands from a reference-transaction hook that waits on a FIFO the test writes once the
// dependent was started (no sleeps).
import { execFileSync } from "node:child_process";
import { closeSync, constants, openSync, writeFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureLayout } from "../../src/store/layout.js";
import { makeRepo, startLoop, type Harness } from "../reconcile/harness.js";
import { hermeticGit } from "../support/hermetic-git.js";

let h: Harness | undefined;
let fifo: string | undefined;
afterEach(async () => {
  // A hook still waiting (the test failed before it let it go) is let go, so the loop can close.
  if (fifo) {
    try {
      const fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
      writeFileSync(fd, "go\n");
      closeSync(fd);
    } catch {
      // nobody waits on it
    }
  }
  await h?.close();
  h = undefined;
  fifo = undefined;
});
beforeAll(hermeticGit);

const LIB = "function f() {\n  return 1;\n}\n";

describe("a dependency's success taken back while its dependent starts", () => {
  it("the dependent does not start from a base without it: the start is given back, not charged", { timeout: 60_000 }, async () => {
    const root = makeRepo("- [ ] T1 Change f\n- [ ] T2 Use f (after T1)\n", { "lib.js": LIB });
    ensureLayout(path.join(root, ".orchestrator"));
    const git = (...a: string[]) => execFileSync("git", a, { cwd: root, encoding: "utf8" });
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("-c", "user.email=p@example.com", "-c", "user.name=P", "commit", "-qm", "mission");
    // The person's commit that lands between orch's read of main and its update-ref, changing the same line.
    writeFileSync(path.join(root, "lib.js"), LIB.replace("return 1", "return 99"));
    git("add", "lib.js");
    const theirs = git("-c", "user.email=p@example.com", "-c", "user.name=P", "commit-tree", git("write-tree").trim(), "-p", "HEAD", "-m", "person").trim();
    git("checkout", "-q", "--", "lib.js");
    git("reset", "-q");
    // At orch's first update-ref of main (T1's success recorded by then): wait to be let go, then main
    // becomes the person's commit and orch's compare-and-swap fails; the round made again conflicts.
    fifo = path.join(root, ".git", "go");
    execFileSync("mkfifo", [fifo]);
    const mark = path.join(root, ".git", "moved");
    writeFileSync(
      path.join(root, ".git", "hooks", "reference-transaction"),
      `#!/bin/sh\n[ "$1" = prepared ] || exit 0\ngrep -q ' refs/heads/main$' || exit 0\n[ -f '${mark}' ] && exit 0\nread x < '${fifo}'\ntouch '${mark}'\necho ${theirs} > '${path.join(root, ".git", "refs", "heads", "main")}'\nexit 1\n`,
      { mode: 0o755 },
    );
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: [{ write: { "lib.js": LIB.replace("return 1", "return 10") } }, "hang"], T2: [{ write: { "b.js": "b\n" } }] } }, true);
    // The plan starts T2 on T1's recorded success; T2 then waits for the git lock T1's merge holds.
    await h.waitFor((e) => e.type === "action" && e.action.type === "start" && e.action.id === "T2", 20_000).catch((err: Error) => {
      throw new Error(`${err.message}\n${h!.events.map((e) => JSON.stringify(e)).join("\n")}`);
    });
    // Async: the open waits for the hook to read, while the loop (this process) goes on to its update-ref.
    await writeFile(fifo, "go\n");
    const seen = await h.waitFor((e) => (e.type === "session" && e.task === "T2") || (e.type === "phase" && e.task === "T2" && e.to === "Pending"));
    expect(seen).toMatchObject({ type: "phase", reason: "DependencyNotMerged", message: expect.stringContaining("T1") });
    const s = await h.state("T2");
    expect(s?.phase === "Pending" || s?.phase === "Blocked").toBe(true);
    expect(s?.attempts ?? 0).toBe(0);
    // T1's success was taken back (its fixer runs), and T2 had no session, no workspace.
    expect((await h.state("T1"))?.phase).not.toBe("Succeeded");
    expect(h.todo()).toContain("- [ ] T1 Change f");
    expect(h.runtime.calls.some((c) => c.taskId === "T2")).toBe(false);
    expect(git("branch", "--list", "orch/T2").trim()).toBe("");
  });
});
