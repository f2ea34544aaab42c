// Per-task commits in the shared tree (git.workspaces: false; test/workspace/ covers workspaces) through the real loop (fake runtime, real git): on by default, one commit per
// succeeded task holding its files, its checked box and its records; `git status` clean after a
// run; a person's uncommitted edits, TODO.md's included, stay theirs and uncommitted.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureLayout } from "../../src/store/layout.js";
import { makeRepo, settle, startLoop, type Harness } from "./harness.js";
import { hermeticGit } from "../support/hermetic-git.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
beforeAll(hermeticGit);

const TODO = "# Mission\n\n- [ ] T1 Write out\n- [ ] T2 Write more (after T1)\n";
const TASKS = { "tasks/T1.md": '---\nfiles: ["out.txt"]\nverify: ["true"]\n---\n', "tasks/T2.md": '---\nfiles: ["more.txt"]\n---\n' };

/** A mission (default config) committed in a fresh repo, as after `orch init` and a first commit. */
function committedRepo(): { root: string; git: (...a: string[]) => string } {
  // The fake runtime also leaves a note of each session in fake-agent/, outside every scope.
  const root = makeRepo(TODO, { ...TASKS, ".gitignore": "fake-agent/\n" }, { git: { workspaces: false } });
  ensureLayout(path.join(root, ".orchestrator"));
  const git = (...a: string[]) => execFileSync("git", a, { cwd: root, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=p@example.com", "-c", "user.name=P", "commit", "-qm", "mission");
  return { root, git };
}
const script = { latencyMs: 5, tokensPerSession: 300, costPerSession: 0.0123, outcomes: { T1: [{ write: { "out.txt": "one\n" } }], T2: [{ write: { "more.txt": "two\n" } }] } };

describe("per-task commits (the default)", () => {
  it("one commit per succeeded task: its files, its checked box, its state and history; git status clean after", async () => {
    const { root, git } = committedRepo();
    h = await startLoop(root, script);
    await settle(h);
    expect(git("status", "--porcelain")).toBe("");
    expect(git("log", "--format=%s", "-3").trim().split("\n")).toEqual(["feat(T2): Write more", "feat(T1): Write out", "mission"]);
    expect(git("show", "--name-only", "--format=", "HEAD~1").trim().split("\n").sort()).toEqual([".orchestrator/history/T1.jsonl", ".orchestrator/state/T1.json", "TODO.md", "out.txt"]);
    expect(git("show", "HEAD~1", "--", "TODO.md")).toMatch(/^-- \[ \] T1 Write out\n\+- \[x\] T1 Write out$/m);
    const body = git("log", "-1", "--format=%B", "HEAD~1");
    expect(body).toMatch(/^Task-Id: T1$/m);
    expect(body).toMatch(/^Attempt: 1$/m);
    expect(body).toMatch(/^Verified-By: true$/m);
    expect(body).toMatch(/^Tokens: \d+$/m);
    expect(body).toMatch(/^Cost: \$\d+\.\d+$/m);
    expect(git("log", "-1", "--format=%an", "HEAD").trim()).toBe("orch");
  });

  it("a person's uncommitted edits (another file, prose in TODO.md) are not swept into orch's commits", async () => {
    const { root, git } = committedRepo();
    writeFileSync(path.join(root, "notes.md"), "mine\n");
    git("add", "notes.md");
    writeFileSync(path.join(root, "TODO.md"), `${TODO}\nA note of mine, not yet committed.\n`);
    h = await startLoop(root, script);
    await settle(h);
    expect(git("log", "--format=%s", "-3").trim().split("\n")).toHaveLength(3);
    expect(git("show", "HEAD:TODO.md")).toBe(TODO.replace("[ ] T1", "[x] T1").replace("[ ] T2", "[x] T2"));
    expect(git("status", "--porcelain").split("\n").filter(Boolean).sort()).toEqual([" M TODO.md", "A  notes.md"]);
    expect(git("diff", "TODO.md")).toMatch(/^\+A note of mine, not yet committed\.$/m);
  });

  it("a commit git refuses (a failing hook): the task stays done, the history says the commit failed and why", async () => {
    const { root, git } = committedRepo();
    const hook = path.join(root, ".git", "hooks", "pre-commit");
    writeFileSync(hook, "#!/bin/sh\necho 'no commits today' >&2\nexit 1\n", { mode: 0o755 });
    h = await startLoop(root, script);
    await settle(h);
    expect(git("log", "--format=%s").trim()).toBe("mission");
    expect((await h.state("T2"))?.phase).toBe("Succeeded");
    const failed = (await h.store.journal.read("T1")).find((e) => e.kind === "commit-failed");
    expect(failed?.error).toMatch(/no commits today/);
    expect(h.events.some((e) => e.type === "error" && e.task === "T1" && /commit failed/.test(e.message))).toBe(true);
  });

  it("git.commit off: nothing committed", async () => {
    const { root, git } = committedRepo();
    writeFileSync(path.join(root, ".orchestrator", "config.json"), JSON.stringify({ review: { enabled: false }, git: { commit: "off" } }));
    git("-c", "user.email=p@example.com", "-c", "user.name=P", "commit", "-qam", "off");
    h = await startLoop(root, script);
    await settle(h);
    expect(git("log", "--format=%s", "-1").trim()).toBe("off");
  });
});
