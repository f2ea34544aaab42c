// Workspace slots (src/workspace/slots.ts): one folder per concurrency slot, reused from one attempt to
// the next so that OpenCode's set-up of the path is paid once. A reused slot carries nothing of the task
// before it; a kill -9 mid-attempt leaves the attempt's slot to the restart (real processes, real git).
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureLayout } from "../../src/store/layout.js";
import { recoverAtStart } from "../../src/workspace/recover.js";
import { makeRepo } from "../reconcile/harness.js";
import { startChild, type Child } from "../reconcile/child.js";
import { hermeticGit } from "../support/hermetic-git.js";

const children: Child[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.proc.exitCode === null) c.proc.kill("SIGKILL");
});
beforeAll(hermeticGit);

function mission(todo: string): { root: string; git: (...a: string[]) => string } {
  const root = makeRepo(todo, { ".gitignore": "fake-agent/\nfake.log\n*.tmp\n", "lib.js": "x\n" }, { lease: { ttlSec: 1 } });
  ensureLayout(path.join(root, ".orchestrator"));
  const git = (...a: string[]) => execFileSync("git", a, { cwd: root, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=p@example.com", "-c", "user.name=P", "commit", "-qm", "mission");
  return { root, git };
}

const started = (task: string) => (e: Record<string, any>) => e.type === "session" && e.status === "started" && e.task === task;

describe("workspace slots", () => {
  it("kill -9 mid-attempt: the restart adopts the attempt in its slot; the next task gets that slot with nothing of it left", { timeout: 60_000 }, async () => {
    const { root, git } = mission("- [ ] T1 Write a\n- [ ] T2 Write b (after T1)\n");
    const a = startChild(root, "run", { latencyMs: 60_000 });
    children.push(a);
    await a.waitFor(started("T1"));
    const slot = path.join(root, ".orchestrator", "worktrees", "slot-0");
    // What T1's agent leaves in its workspace: a file of its work, an ignored file, its own git config, a hook, a branch.
    writeFileSync(path.join(slot, "early.txt"), "written before the kill\n");
    writeFileSync(path.join(slot, "cache.tmp"), "T1's\n");
    execFileSync("git", ["-C", slot, "config", "user.name", "T1's agent"]);
    mkdirSync(path.join(slot, ".git", "hooks"), { recursive: true });
    writeFileSync(path.join(slot, ".git", "hooks", "post-checkout"), "#!/bin/sh\ntouch hooked\n", { mode: 0o755 });
    execFileSync("git", ["-C", slot, "branch", "t1-extra"]);
    a.proc.kill("SIGKILL");
    await a.exited;

    const b = startChild(root, "run", { latencyMs: 5, latencyByTask: { T2: 60_000 }, outcomes: { T1: [{ write: { "a.txt": "a\n" } }] } });
    children.push(b);
    await b.waitFor(started("T2"), 30_000);
    // T1 resumed in its slot: what its agent wrote before the kill is merged with the rest of its work.
    expect(git("log", "--format=%s", "-1")).toMatch(/^feat\(T1\)/);
    expect(git("show", "--name-only", "--format=", "HEAD").split("\n")).toEqual(expect.arrayContaining(["early.txt", "a.txt"]));
    // T2 runs in the same slot, cloned afresh at the tip: nothing of T1's workspace is there.
    expect(readFileSync(path.join(root, ".orchestrator", "runtime", "workspaces", "slot-0.task"), "utf8").trim()).toBe("T2");
    expect(readdirSync(slot).sort()).toEqual([".git", ".gitignore", ".orchestrator", "TODO.md", "a.txt", "early.txt", "lib.js"]);
    expect(existsSync(path.join(slot, "cache.tmp"))).toBe(false);
    expect(existsSync(path.join(slot, ".git", "hooks", "post-checkout"))).toBe(false);
    expect(readFileSync(path.join(slot, ".git", "config"), "utf8")).not.toContain("T1's agent");
    // The branches of a fresh clone only (its own branch, and the one it was cloned from).
    expect(execFileSync("git", ["-C", slot, "branch", "--format=%(refname:short)"], { encoding: "utf8" }).trim().split("\n")).toEqual(["main", "orch/T2"]);
    expect(execFileSync("git", ["-C", slot, "rev-parse", "HEAD"], { encoding: "utf8" })).toBe(git("rev-parse", "main"));
  });

  it("a restart empties and frees a slot whose task it does not resume", async () => {
    const { root, git } = mission("- [ ] T1 Write a\n");
    const slot = path.join(root, ".orchestrator", "worktrees", "slot-0");
    execFileSync("git", ["clone", "-q", "--shared", root, slot]);
    writeFileSync(path.join(slot, "cache.tmp"), "left\n");
    const claims = path.join(root, ".orchestrator", "runtime", "workspaces");
    mkdirSync(claims, { recursive: true });
    writeFileSync(path.join(claims, "slot-0.task"), "T1\n");
    git("branch", "orch/T1");
    const said: string[] = [];
    await recoverAtStart(root, () => "Pending", (m) => void said.push(m));
    expect(said).toEqual([]);
    expect(readdirSync(slot)).toEqual([]);
    expect(existsSync(path.join(claims, "slot-0.task"))).toBe(false);
    expect(git("branch", "--list", "orch/*").trim()).toBe("");
  });
});
