// kill -9 in the middle of a merge (after the integration branch moved, before the checkout caught
// up), then a restart: the merge is finished, not half-done nor made twice (real processes, real git).
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync, rmSync, watch, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureLayout } from "../../src/store/layout.js";
import { makeRepo } from "../reconcile/harness.js";
import { startChild, type Child } from "../reconcile/child.js";
import { hermeticGit } from "../support/hermetic-git.js";

const children: Child[] = [];
const pids: number[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
  for (const p of pids.splice(0)) {
    try {
      process.kill(p, "SIGKILL");
    } catch {
      // gone already
    }
  }
});
beforeAll(hermeticGit);

const LIB = "function f() {\n  return 1;\n}\n";

/** Resolves once `file` exists (a watch on its folder, not a poll). */
function whenExists(file: string): Promise<void> {
  return new Promise((resolve) => {
    const w = watch(path.dirname(file), () => {
      if (existsSync(file)) (w.close(), resolve());
    });
    if (existsSync(file)) (w.close(), resolve());
  });
}

describe("kill -9 during a merge", () => {
  it("after update-ref, before the checkout's update: the restart finishes it, one commit, git status clean", async () => {
    const root = makeRepo("- [ ] T1 Change f\n", { ".gitignore": "fake-agent/\nfake.log\n", "lib.js": LIB }, { lease: { ttlSec: 1 } });
    ensureLayout(path.join(root, ".orchestrator"));
    const git = (...a: string[]) => execFileSync("git", a, { cwd: root, encoding: "utf8" });
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("-c", "user.email=p@example.com", "-c", "user.name=P", "commit", "-qm", "mission");
    // git runs this hook once main has moved: it holds the merge there (the checkout not yet updated).
    const mark = path.join(root, ".git", "held");
    const hook = path.join(root, ".git", "hooks", "reference-transaction");
    writeFileSync(hook, `#!/bin/sh\n[ "$1" = committed ] || exit 0\ngrep -q ' refs/heads/main$' || exit 0\necho "$$ $PPID" > '${mark}.tmp'\nmv '${mark}.tmp' '${mark}'\nexec sleep 600\n`, { mode: 0o755 });
    const a = startChild(root, "run", { latencyMs: 5, outcomes: { T1: [{ write: { "lib.js": LIB.replace("return 1", "return 10") } }] } });
    children.push(a);
    await whenExists(mark);
    const [hookPid, gitPid] = readFileSync(mark, "utf8").trim().split(" ").map(Number);
    a.proc.kill("SIGKILL");
    await a.exited;
    for (const p of [gitPid!, hookPid!]) pids.push(p);
    for (const p of [gitPid!, hookPid!]) process.kill(p, "SIGKILL");
    rmSync(hook);
    // The branch moved, the checkout did not: what a person would see if orch stopped here.
    expect(git("show", "HEAD:lib.js")).toContain("return 10");
    expect(readFileSync(path.join(root, "lib.js"), "utf8")).toBe(LIB);
    const b = startChild(root, "run", { latencyMs: 5 });
    children.push(b);
    expect(await b.exited).toBe(0);
    expect(readFileSync(path.join(root, "lib.js"), "utf8")).toBe(LIB.replace("return 1", "return 10"));
    expect(git("log", "--format=%s").trim().split("\n")).toEqual(["feat(T1): Change f", "mission"]);
    expect(git("status", "--porcelain")).toBe("");
    expect(git("branch", "--list", "orch/*").trim()).toBe("");
    // Its slot's folder stays for the next attempt, emptied.
    for (const slot of readdirSync(path.join(root, ".orchestrator", "worktrees"))) expect(readdirSync(path.join(root, ".orchestrator", "worktrees", slot))).toEqual([]);
    expect(readdirSync(path.join(root, ".orchestrator", "runtime")).filter((n) => n.startsWith("merge-"))).toEqual([]);
  });
});
