// A merge round retried after the success was recorded (a person committed between orch's read of the
// tip and its update-ref) that now conflicts: the success is withdrawn (state, box, journal), so that the
// fixer runs as any attempt does, under the rules that stop one (real git, the loop in process).
import { execFileSync } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureLayout } from "../../src/store/layout.js";
import { journalPath } from "../../src/workspace/merge-journal.js";
import { makeRepo, startLoop, type Harness } from "../reconcile/harness.js";
import { hermeticGit } from "../support/hermetic-git.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
beforeAll(hermeticGit);

const LIB = "function f() {\n  return 1;\n}\n";

describe("a merge retried after the success was recorded", () => {
  it("conflicts: the success is withdrawn, the fixer runs unrecorded and a person's tick stops it", async () => {
    const root = makeRepo("- [ ] T1 Change f\n", { "lib.js": LIB });
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
    // At orch's first update-ref of main: main becomes the person's commit, and orch's compare-and-swap fails.
    const mark = path.join(root, ".git", "moved");
    writeFileSync(
      path.join(root, ".git", "hooks", "reference-transaction"),
      `#!/bin/sh\n[ "$1" = prepared ] || exit 0\ngrep -q ' refs/heads/main$' || exit 0\n[ -f '${mark}' ] && exit 0\ntouch '${mark}'\necho ${theirs} > '${path.join(root, ".git", "refs", "heads", "main")}'\nexit 1\n`,
      { mode: 0o755 },
    );
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: [{ write: { "lib.js": LIB.replace("return 1", "return 10") } }, "hang"] } }, true);
    await h.runtime.whenCalls(2);
    await h.waitFor((e) => e.type === "session" && e.status === "started" && e.task === "T1" && e.role === "fixer");
    expect(git("rev-parse", "main").trim()).toBe(theirs);
    // The fixer works on an attempt that is not recorded as succeeded: no box, no success, no journal.
    expect(h.todo()).toBe("- [ ] T1 Change f\n");
    const s = await h.state("T1");
    expect(s?.phase).toBe("Running");
    expect(s?.checkedByOrch).toBeUndefined();
    expect(existsSync(journalPath(root, "T1"))).toBe(false);
    const history = await h.store.journal.read("T1");
    expect(history.filter((r) => r.kind === "merge").map((r) => r.verdict)).toContain("conflict");
    // The rules that stop a running attempt hold again: a person's tick aborts the fixer.
    h.write("TODO.md", "- [x] T1 Change f\n");
    await h.waitFor((e) => e.type === "session" && e.status === "ended" && e.task === "T1" && e.role === "fixer");
    await h.waitFor((e) => e.type === "phase" && e.task === "T1" && e.to === "Succeeded");
    expect((await h.state("T1"))?.checkedByOrch).toBeUndefined();
  });
});
