// Workspaces through the real loop (fake runtime, real git): each attempt works in its own clone on
// orch/<id>, the reviewer sees only its task's change, a success lands as one commit on the checked-out
// branch with its box and records, a conflict goes to a fixer, and the person's edits stay theirs.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { ensureLayout } from "../../src/store/layout.js";
import { makeRepo, settle, startLoop, type Harness } from "../reconcile/harness.js";
import type { FakeScript } from "../support/fake-runtime.js";
import { hermeticGit } from "../support/hermetic-git.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
beforeAll(hermeticGit);

const LIB = "function f() {\n  return 1;\n}\n\nfunction g() {\n  return 2;\n}\n";

/** A mission committed in a fresh repo on branch main. */
function repo(todo: string, files: Record<string, string>, config: Record<string, unknown> = {}): { root: string; git: (...a: string[]) => string } {
  const root = makeRepo(todo, { ".gitignore": "fake-agent/\n", ...files }, config);
  ensureLayout(path.join(root, ".orchestrator"));
  const git = (...a: string[]) => execFileSync("git", a, { cwd: root, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=p@example.com", "-c", "user.name=P", "commit", "-qm", "mission");
  return { root, git };
}

const TWO = "# Mission\n\n- [ ] T1 Change f\n- [ ] T2 Change g\n";

/** What is left of workspaces: files in the worktrees folder (a slot's folder stays, emptied) and orch/* branches. */
function leftovers(root: string, git: (...a: string[]) => string) {
  const dir = path.join(root, ".orchestrator", "worktrees");
  return { worktrees: existsSync(dir) ? execFileSync("find", [".", "-mindepth", "2"], { cwd: dir, encoding: "utf8" }).trim() : "", branches: git("branch", "--list", "orch/*").trim() };
}

/** The folder of the slot task `id` holds now. */
function slotOf(root: string, id: string): string | undefined {
  const claims = path.join(root, ".orchestrator", "runtime", "workspaces");
  const name = readdirSync(claims).find((n) => n.endsWith(".task") && readFileSync(path.join(claims, n), "utf8").trim() === id);
  return name && path.join(root, ".orchestrator", "worktrees", name.replace(/\.task$/, ""));
}

describe("a workspace per attempt", () => {
  it("two parallel tasks editing different functions of one file: both merged, one commit each, git status clean", async () => {
    const { root, git } = repo(TWO, { "lib.js": LIB });
    const script: FakeScript = {
      latencyByTask: { T1: 60, T2: 5 },
      outcomes: { T1: [{ write: { "lib.js": LIB.replace("return 1", "return 10") } }], T2: [{ write: { "lib.js": LIB.replace("return 2", "return 20") } }] },
    };
    h = await startLoop(root, script);
    await settle(h);
        expect((await h.state("T1"))?.phase).toBe("Succeeded");
    expect((await h.state("T2"))?.phase).toBe("Succeeded");
    // Both sessions ran in their own clone (a slot each, as they ran at once), never in the person's checkout.
    for (const c of h.runtime.calls) expect(path.relative(root, c.directory)).toMatch(/^\.orchestrator\/worktrees\/slot-\d+$/);
    const dirOf = (id: string) => new Set(h!.runtime.calls.filter((c) => c.taskId === id).map((c) => c.directory));
    expect(dirOf("T1").size).toBe(1);
    expect(dirOf("T2")).not.toEqual(dirOf("T1"));
        const merged = LIB.replace("return 1", "return 10").replace("return 2", "return 20");
    expect(git("show", "HEAD:lib.js")).toBe(merged);
    expect(readFileSync(path.join(root, "lib.js"), "utf8")).toBe(merged);
    const subjects = git("log", "--format=%s", "-3").trim().split("\n");
    expect(subjects.slice(0, 2).sort()).toEqual(["feat(T1): Change f", "feat(T2): Change g"]);
    expect(subjects[2]).toBe("mission");
    const last = subjects[0]!.slice(5, 7);
    expect(git("show", "--name-only", "--format=", "HEAD").trim().split("\n").sort()).toEqual([`.orchestrator/history/${last}.jsonl`, `.orchestrator/state/${last}.json`, "TODO.md", "lib.js"]);
    expect(git("show", "HEAD:TODO.md")).toBe(TWO.replace(/\[ \]/g, "[x]"));
    const body = git("log", "-1", "--format=%B", "HEAD");
    expect(body).toMatch(new RegExp(`^Task-Id: ${last}$`, "m"));
    expect(body).toMatch(/^Attempt: 1$/m);
    expect(body).toMatch(/^Tokens: \d+$/m);
    expect(git("status", "--porcelain")).toBe("");
    expect(leftovers(root, git)).toEqual({ worktrees: "", branches: "" });
  });

  it("the reviewer sees only its task's change while another task runs and merges", async () => {
    const { root, git } = repo(TWO, {}, { review: { enabled: true } });
    const script: FakeScript = { latencyByTask: { T1: 600, T2: 5 }, outcomes: { T1: [{ write: { "a.txt": "a\n" } }], T2: [{ write: { "b.txt": "b\n" } }] } };
    h = await startLoop(root, script);
    await settle(h);
    const review = h.runtime.calls.find((c) => c.role === "reviewer" && c.taskId === "T1");
    expect(review?.prompt).toMatch(/a\.txt/);
    expect(review?.prompt).not.toMatch(/b\.txt/);
    // T2 merged while T1 worked: T1's commit comes after it.
    expect(git("log", "--format=%s", "-2").trim().split("\n")).toEqual(["feat(T1): Change f", "feat(T2): Change g"]);
    expect(git("log", "-1", "--format=%B").trim()).toMatch(/^feat\(T1\): Change f\n\nlooks right\n\nTask-Id: T1$/m);
    expect(git("status", "--porcelain")).toBe("");
  });

  it("two tasks appending at the same spot: the one that merges second conflicts, its fixer resolves it, no line lost", async () => {
    const { root, git } = repo(TWO, { "list.txt": "a\n" });
    const both = { write: { "list.txt": "a\nb\nc\n" } };
    const script: FakeScript = { latencyByTask: { T1: 80, T2: 5 }, outcomes: { T1: [{ write: { "list.txt": "a\nb\n" } }, both], T2: [{ write: { "list.txt": "a\nc\n" } }, both] } };
    h = await startLoop(root, script);
    await settle(h);
    expect((await h.state("T1"))?.phase).toBe("Succeeded");
    expect((await h.state("T2"))?.phase).toBe("Succeeded");
    // Whichever merged second (T1 unless its clone was slow) went to a fixer, told which paths conflict.
    const fixers = h.runtime.calls.filter((c) => c.role === "fixer");
    expect(fixers).toHaveLength(1);
    const second = fixers[0]!.taskId;
    expect(fixers[0]!.prompt).toMatch(/conflicts in: list\.txt/);
    expect(git("show", "HEAD:list.txt")).toBe("a\nb\nc\n");
    expect(readFileSync(path.join(root, "list.txt"), "utf8")).toBe("a\nb\nc\n");
    const conflict = (await h.store.journal.read(second)).find((e) => e.kind === "merge" && e.verdict === "conflict");
    expect(conflict?.detail).toMatchObject({ paths: ["list.txt"] });
    expect(git("log", "-1", "--format=%B")).toMatch(new RegExp(`^Task-Id: ${second}\nAttempt: 2$`, "m"));
    expect(git("status", "--porcelain")).toBe("");
    expect(leftovers(root, git)).toEqual({ worktrees: "", branches: "" });
  });

  it("a conflict that repeats fails the task with the conflicting paths; the checkout never sees a marker", async () => {
    const { root, git } = repo(TWO, { "list.txt": "a\n" });
    // The fixers leave the markers in: the second merge of the task is refused, never committed.
    const script: FakeScript = { latencyByTask: { T1: 80, T2: 5 }, outcomes: { T1: [{ write: { "list.txt": "a\nb\n" } }, "ok"], T2: [{ write: { "list.txt": "a\nc\n" } }, "ok"] } };
    h = await startLoop(root, script);
    await settle(h);
    const states = [await h.state("T1"), await h.state("T2")];
    const won = states.find((s) => s?.phase === "Succeeded");
    const lost = states.find((s) => s?.phase !== "Succeeded");
    expect(won && lost).toBeTruthy();
    expect(lost?.phase).toBe("Failed");
    expect(lost?.lastError?.message).toMatch(/conflict markers remain in list\.txt/);
    const kept = won?.id === "T1" ? "a\nb\n" : "a\nc\n";
    expect(readFileSync(path.join(root, "list.txt"), "utf8")).toBe(kept);
    expect(git("show", "HEAD:list.txt")).toBe(kept);
    expect(git("log", "--format=%s").trim().split("\n")).toHaveLength(2);
    expect(leftovers(root, git)).toEqual({ worktrees: "", branches: "" });
  });

  it("a person's uncommitted edits stay theirs: an unrelated file, and a file the task changed too", async () => {
    const { root, git } = repo(TWO, { "lib.js": LIB, "notes.md": "old\n" });
    writeFileSync(path.join(root, "notes.md"), "mine\n");
    writeFileSync(path.join(root, "scratch.txt"), "untracked\n");
    const script: FakeScript = { outcomes: { T1: [{ write: { "lib.js": LIB.replace("return 1", "return 10") } }], T2: [{ write: { "other.txt": "x\n" } }] } };
    h = await startLoop(root, script);
    // The person edits lib.js while T1 works: the merge must not overwrite it.
    writeFileSync(path.join(root, "lib.js"), `${LIB}// person\n`);
    await settle(h);
    expect(git("show", "HEAD:lib.js")).toBe(LIB.replace("return 1", "return 10"));
    expect(readFileSync(path.join(root, "lib.js"), "utf8")).toBe(`${LIB}// person\n`);
    expect(readFileSync(path.join(root, "notes.md"), "utf8")).toBe("mine\n");
    expect(readFileSync(path.join(root, "other.txt"), "utf8")).toBe("x\n");
    expect(git("status", "--porcelain").split("\n").filter(Boolean).sort()).toEqual([" M lib.js", " M notes.md", "?? scratch.txt"]);
    const kept = h.events.find((e) => e.type === "merge" && e.task === "T1");
    expect(kept).toMatchObject({ kept: ["lib.js"] });
  });

  it("code run by verify that writes an fsmonitor into the workspace's .git/config: orch's git there never runs it", async () => {
    const marker = path.join(makeRepo(""), "fsmonitor-ran");
    // The first verify plants the fsmonitor and fails, so that a fixer pass follows (its guard runs git in the workspace).
    const verify = `if [ -f .git/planted ]; then true; else touch .git/planted; git config core.fsmonitor 'touch ${marker}'; exit 1; fi`;
    const { root } = repo("# Mission\n\n- [ ] T1 Change f\n", { "lib.js": LIB, "tasks/T1.md": `---\nverify: [${JSON.stringify(verify)}]\n---\n` });
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: [{ write: { "lib.js": LIB.replace("return 1", "return 10") } }, { write: { "lib.js": LIB.replace("return 1", "return 11") } }] } });
    await settle(h);
    expect(h.runtime.calls.some((c) => c.role === "fixer")).toBe(true);
    expect((await h.state("T1"))?.phase).toBe("Succeeded");
    expect(existsSync(marker)).toBe(false);
  });

  it("a task file written by verify's code in the workspace fails the attempt before the merge: nothing of it lands", async () => {
    const { root, git } = repo("# Mission\n\n- [ ] T1 Change f\n", { "lib.js": LIB, "tasks/T1.md": `---\nverify: ["echo '# T9' > tasks/T9.md"]\n---\n` });
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: [{ write: { "lib.js": LIB.replace("return 1", "return 10") } }] } });
    await settle(h);
    expect((await h.state("T1"))?.phase).toBe("Failed");
    expect((await h.store.journal.read("T1")).find((r) => r.kind === "guard")).toMatchObject({ verdict: "fail", detail: { kind: "desired-state", paths: ["tasks/T9.md"] } });
    expect(existsSync(path.join(root, "tasks", "T9.md"))).toBe(false);
    expect(git("log", "--format=%s").trim().split("\n")).toEqual(["mission"]);
  });

  it("deleting a running task's line removes its workspace and branch", async () => {
    const { root, git } = repo(TWO, {});
    h = await startLoop(root, { latencyMs: 60_000 }, true);
    await h.waitFor((e) => e.type === "session" && e.status === "started" && e.task === "T1");
    const slot = slotOf(root, "T1")!;
    expect(existsSync(path.join(slot, ".git"))).toBe(true);
    // Out of the person's `git status` and `git add -A`, whatever their .orchestrator/.gitignore says.
    expect(git("status", "--porcelain", "--ignored=no", "--", ".orchestrator/worktrees")).toBe("");
    h.write("TODO.md", "# Mission\n\n- [ ] T2 Change g\n");
    await h.waitFor((e) => e.type === "phase" && e.task === "T1" && e.to === "Cancelled");
    expect(slotOf(root, "T1")).toBeUndefined();
    expect(readdirSync(slot)).toEqual([]);
    expect(git("branch", "--list", "orch/T1").trim()).toBe("");
  });

  it("the person switches branch mid-run: nothing new starts, said clearly; the running task merges into the run's branch; switching back goes on", async () => {
    const { decide } = await import("../../src/runtime/approvals.js");
    const { root, git } = repo("# Mission\n\n- [ ] T1 Write one\n- [ ] T2 Write two (after T1)\n", {});
    h = await startLoop(root, { latencyMs: 5, outDir: "out", outcomes: { T1: [{ permission: "bash" }] } }, true);
    await h.waitFor((e) => e.type === "phase" && e.task === "T1" && e.to === "AwaitingApproval");
    git("switch", "-q", "-c", "feature");
    await decide(h.store.approvals, "T1", "approve");
    const said = await h.waitFor((e) => e.type === "problems" && e.source === "checkout");
    expect(said).toMatchObject({ problems: [{ code: "branch-switched", severity: "error" }] });
    expect(JSON.stringify(said)).toMatch(/on feature, not on main.*git switch main/);
    await h.waitFor((e) => e.type === "merge" && e.task === "T1");
    // T1 was merged into main, the run's branch, not into the branch checked out now; T2 did not start.
    expect(git("log", "--format=%s", "main").trim().split("\n")).toEqual(["feat(T1): Write one", "mission"]);
    expect(git("log", "--format=%s", "feature").trim().split("\n")).toEqual(["mission"]);
    expect(h.events.some((e) => e.type === "session" && e.task === "T2")).toBe(false);
    // Back on main (forced: orch's records of T1 on disk are the ones main's commit holds): the problem clears and T2 runs on a base with T1 in it.
    git("switch", "-q", "-f", "main");
    h.write("TODO.md", h.todo());
    await h.waitFor((e) => e.type === "problems-cleared" && e.source === "checkout");
    await h.waitFor((e) => e.type === "merge" && e.task === "T2");
    expect(git("log", "--format=%s", "main").trim().split("\n")).toEqual(["feat(T2): Write two", "feat(T1): Write one", "mission"]);
  });

  it("a restart removes workspaces and orch/* branches no attempt resumes in", async () => {
    const { root, git } = repo("# Mission\n\n- [x] T1 Done already\n", {});
    const stale = path.join(root, ".orchestrator", "worktrees", "T7");
    execFileSync("git", ["clone", "-q", "--shared", root, stale]);
    git("branch", "orch/T8");
    h = await startLoop(root, {});
    await settle(h);
    expect(existsSync(stale)).toBe(false);
    expect(git("branch", "--list", "orch/*").trim()).toBe("");
    expect(git("status", "--porcelain")).toBe("");
  });
});

describe("orch's own git in a workspace", () => {
  it("a filter an agent writes into its workspace's .git/config is not run when orch commits the workspace", async () => {
    const { root, git } = repo("# Mission\n\n- [ ] T1 Write a\n", {});
    const mark = path.join(root, "..", `pwned-${path.basename(root)}`);
    const script: FakeScript = {
      outcomes: { T1: [{ write: { "a.txt": "a\n", ".gitattributes": "*.txt filter=evil\n", ".git/config": `[core]\n\trepositoryformatversion = 0\n[filter "evil"]\n\tclean = touch ${mark}; cat\n` } }] },
    };
    h = await startLoop(root, script);
    await settle(h);
    expect(existsSync(mark)).toBe(false);
    expect((await h.state("T1"))?.phase).toBe("Succeeded");
    expect(git("show", "HEAD:a.txt")).toBe("a\n");
  });
});
