// A restart's recovery on real git: a merge cut short after its success was recorded but before its
// commit was published is made again onto today's tip; one never recorded is dropped.
import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openWorkspace, personRepo, type Workspace } from "../../src/workspace/workspaces.js";
import { integrate } from "../../src/workspace/integrate.js";
import { journalPath, writeJournal } from "../../src/workspace/merge-journal.js";
import { recoverAtStart } from "../../src/workspace/recover.js";
import { workspaceTree } from "../../src/workspace/verified-tree.js";
import { hermeticGit } from "../support/hermetic-git.js";

beforeAll(hermeticGit);

/** A repo on main, with T1's workspace holding a committed change to a.txt (fetched as orch/T1), and its journal. */
async function cutShort(): Promise<{ root: string; git: (...a: string[]) => string; work: string }> {
  const { root, git, work } = await workspaceAhead();
  const old = git("rev-parse", "HEAD~1").trim();
  await writeJournal(journalPath(root, "T1"), { task: "T1", integration: "refs/heads/main", old, work, message: "feat(T1): Change a\n\nTask-Id: T1\n", todo: "TODO.md", records: [] });
  // The box was checked in the checkout by the recorded success.
  writeFileSync(path.join(root, "TODO.md"), "- [x] T1 Change a\n");
  return { root, git, work };
}

/** A repo on main, with T1's workspace holding a committed change to a.txt (fetched as orch/T1) and another commit on main since. */
async function workspaceAhead(): Promise<{ root: string; git: (...a: string[]) => string; work: string; ws: Workspace }> {
  const root = mkdtempSync(path.join(tmpdir(), "orch-recover-"));
  const git = (...a: string[]) => execFileSync("git", a, { cwd: root, encoding: "utf8" });
  writeFileSync(path.join(root, "TODO.md"), "- [ ] T1 Change a\n");
  writeFileSync(path.join(root, "a.txt"), "a\n");
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=p@example.com", "-c", "user.name=P", "commit", "-qm", "mission");
  const repo = await personRepo(root);
  if ("why" in repo) throw new Error(repo.why);
  const ws = await openWorkspace(root, "T1", repo);
  writeFileSync(path.join(ws.dir, "a.txt"), "a changed\n");
  execFileSync("git", ["-C", ws.dir, "-c", "user.email=o@example.com", "-c", "user.name=O", "commit", "-qam", "T1 in its workspace"]);
  const work = execFileSync("git", ["-C", ws.dir, "rev-parse", "HEAD"], { encoding: "utf8" }).trim();
  git("fetch", "-q", ws.dir, "+refs/heads/orch/T1:refs/heads/orch/T1");
  ws.verified = await workspaceTree(root, ws); // as verify left it
  // Meanwhile another commit landed on main.
  writeFileSync(path.join(root, "b.txt"), "b\n");
  git("add", "b.txt");
  git("-c", "user.email=p@example.com", "-c", "user.name=P", "commit", "-qm", "other");
  return { root, git, work, ws };
}

/** Recovery as the loop runs it at start, with T1 recorded in `phase` (its box is checked by orch's own rule). */
const recover = (root: string, phase: string | undefined, said: string[]) =>
  recoverAtStart(root, (id) => (id === "T1" ? phase : undefined), (m) => void said.push(m));

describe("recoverWorkspaces", () => {
  it("a success recorded but not published: merged again onto today's tip, one commit, the checkout up to date, the workspace gone", async () => {
    const { root, git } = await cutShort();
    const said: string[] = [];
    await recover(root, "Succeeded", said);
    expect(git("log", "--format=%s").trim().split("\n")).toEqual(["feat(T1): Change a", "other", "mission"]);
    expect(git("show", "HEAD:a.txt")).toBe("a changed\n");
    expect(git("show", "HEAD:TODO.md")).toBe("- [x] T1 Change a\n");
    expect(readFileSync(path.join(root, "a.txt"), "utf8")).toBe("a changed\n");
    expect(git("status", "--porcelain")).toBe("");
    expect(existsSync(journalPath(root, "T1"))).toBe(false);
    expect(readdirSync(path.join(root, ".orchestrator", "worktrees", "slot-0"))).toEqual([]);
    expect(git("branch", "--list", "orch/*").trim()).toBe("");
    expect(said.join("\n")).toMatch(/merged T1 after a restart/);
  });

  it("a success never recorded: nothing merged, the journal dropped, the workspace kept for the adopted attempt", async () => {
    const { root, git } = await cutShort();
    await recover(root, "Reviewing", []);
    expect(git("log", "--format=%s").trim().split("\n")).toEqual(["other", "mission"]);
    expect(existsSync(journalPath(root, "T1"))).toBe(false);
    expect(existsSync(path.join(root, ".orchestrator", "worktrees", "slot-0", ".git"))).toBe(true);
  });

  it("a merge that fails after its success was recorded: the journal was there before the record, is kept, and the restart merges", async () => {
    const { root, git, ws } = await workspaceAhead();
    // main cannot move (a hook refuses it): every compare-and-swap fails, as under a person committing nonstop.
    const hook = path.join(root, ".git", "hooks", "reference-transaction");
    writeFileSync(hook, `#!/bin/sh\n[ "$1" = prepared ] || exit 0\ngrep -q ' refs/heads/main$' && exit 1\nexit 0\n`, { mode: 0o755 });
    const journal = journalPath(root, "T1");
    let journalAtRecord: boolean | undefined;
    const r = await integrate(ws, {
      record: async () => {
        // A kill -9 right after this finds the success recorded: the journal must already say what to merge.
        journalAtRecord = existsSync(journal);
        writeFileSync(path.join(root, "TODO.md"), "- [x] T1 Change a\n");
      },
      unrecord: () => Promise.reject(new Error("no round conflicts here")),
      message: () => "feat(T1): Change a\n\nTask-Id: T1\n",
      todo: { file: "TODO.md", check: (text) => text.replace("- [ ] T1", "- [x] T1") },
      records: [],
      root,
      journal,
    });
    expect(journalAtRecord).toBe(true);
    expect(r).toMatchObject({ kind: "unpublished", problem: expect.stringMatching(/could not move refs\/heads\/main/) });
    expect(existsSync(journal)).toBe(true);
    expect(git("log", "--format=%s").trim().split("\n")).toEqual(["other", "mission"]);
    rmSync(hook);
    const said: string[] = [];
    await recover(root, "Succeeded", said);
    expect(git("log", "--format=%s").trim().split("\n")).toEqual(["feat(T1): Change a", "other", "mission"]);
    expect(git("show", "HEAD:a.txt")).toBe("a changed\n");
    expect(git("show", "HEAD:TODO.md")).toBe("- [x] T1 Change a\n");
    expect(git("status", "--porcelain")).toBe("");
    expect(existsSync(journal)).toBe(false);
  });

  it("a journal whose branch is gone: said and kept, the task's branch kept, and the other journals still recovered", async () => {
    const { root, git, work } = await cutShort();
    // T2's merge was cut short too, into a branch the person has deleted since.
    git("branch", "orch/T2", work);
    const gone = journalPath(root, "T2");
    await writeJournal(gone, { task: "T2", integration: "refs/heads/gone", old: work, work, message: "feat(T2): x\n", todo: "TODO.md", records: [] });
    const said: string[] = [];
    await recoverAtStart(root, () => "Succeeded", (m) => void said.push(m));
    expect(said.join("\n")).toMatch(/T2: its branch refs\/heads\/gone no longer exists; the journal .*merge-T2\.json is kept/);
    expect(said.join("\n")).not.toMatch(/workspace recovery failed/);
    expect(existsSync(gone)).toBe(true);
    expect(git("branch", "--list", "orch/*").trim()).toBe("orch/T2");
    // T1's journal is recovered as ever.
    expect(git("log", "--format=%s").trim().split("\n")).toEqual(["feat(T1): Change a", "other", "mission"]);
    expect(existsSync(journalPath(root, "T1"))).toBe(false);
  });

  it("a checkout's update that fails after update-ref: the task is merged all the same, the problem said", async () => {
    const { root, git, ws } = await workspaceAhead();
    // The person's index is locked (their git is busy): the checkout cannot be brought along now.
    writeFileSync(path.join(root, ".git", "index.lock"), "");
    const r = await integrate(ws, {
      record: async () => void writeFileSync(path.join(root, "TODO.md"), "- [x] T1 Change a\n"),
      unrecord: () => Promise.reject(new Error("no round conflicts here")),
      message: () => "feat(T1): Change a\n\nTask-Id: T1\n",
      todo: { file: "TODO.md", check: (text) => text.replace("- [ ] T1", "- [x] T1") },
      records: [],
      root,
      journal: journalPath(root, "T1"),
    });
    expect(r).toMatchObject({ kind: "merged", problem: expect.stringMatching(/checkout was not brought up to date.*index\.lock/s) });
    expect(git("show", "HEAD:a.txt")).toBe("a changed\n");
  });
});
