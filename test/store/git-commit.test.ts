// Per-task commits in real git repositories: only the task's scope, never a person's other work.
import { execFileSync } from "node:child_process";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { commitTask } from "../../src/store/git-commit.js";
import { openStore } from "../../src/store/open.js";
import { tempDir } from "./helpers.js";
import { hermeticGit } from "../support/hermetic-git.js";

beforeAll(hermeticGit);

const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8" });
function write(root: string, rel: string, text: string) {
  mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
  writeFileSync(path.join(root, rel), text);
}
function repo(identity = true): string {
  const root = tempDir();
  git(root, "init", "-q", "-b", "main");
  if (identity) git(root, "config", "user.email", "person@example.com"), git(root, "config", "user.name", "A Person");
  for (const f of ["src/a.ts", "src/old.ts", "other.txt", "notes.md"]) write(root, f, `${f} v1\n`);
  git(root, "add", ".");
  git(root, "-c", "user.email=p@e", "-c", "user.name=P", "commit", "-q", "-m", "init");
  return root;
}

describe("commitTask", () => {
  it("commits exactly the task's changed files in scope (new, modified, deleted) and its records", async () => {
    const root = repo();
    // A person's unrelated work: staged, unstaged, untracked.
    write(root, "other.txt", "person's staged edit\n");
    git(root, "add", "other.txt");
    write(root, "notes.md", "person's unstaged edit\n");
    write(root, "scratch.txt", "untracked\n");
    // The task's work.
    write(root, "src/a.ts", "a v2\n");
    write(root, "src/new file.ts", "new\n");
    rmSync(path.join(root, "src/old.ts"));
    const store = openStore(root);
    await store.journal.append([{ at: "2026-01-01T00:00:00Z", task: "T3", kind: "transition", to: "Succeeded" }]);

    const r = await commitTask({ root, taskId: "T3", title: "Split   words\ninto parts", scope: ["src/**"], trailers: [["Attempt", "2"], ["Verified-By", "npm test"], ["Reviewed-By", "reviewer"]] });
    expect(r.committed).toBe(true);
    // orch's generated .orchestrator/.gitignore and .gitattributes, new here, go in with the first commit.
    expect(r.paths.sort()).toEqual([".orchestrator/.gitattributes", ".orchestrator/.gitignore", ".orchestrator/history/T3.jsonl", "src/a.ts", "src/new file.ts", "src/old.ts"]);
    expect(git(root, "show", "--name-status", "--format=", "HEAD").trim().split("\n").sort()).toEqual([
      "A\t.orchestrator/.gitattributes",
      "A\t.orchestrator/.gitignore",
      "A\t.orchestrator/history/T3.jsonl",
      "A\tsrc/new file.ts",
      "D\tsrc/old.ts",
      "M\tsrc/a.ts",
    ]);
    expect(git(root, "log", "-1", "--format=%B")).toBe(
      "feat(T3): Split words into parts\n\nTask-Id: T3\nAttempt: 2\nVerified-By: npm test\nReviewed-By: reviewer\n\n",
    );
    expect(git(root, "log", "-1", "--format=%(trailers:key=Task-Id,valueonly)").trim()).toBe("T3");
    expect(git(root, "log", "-1", "--format=%an").trim()).toBe("A Person");
    // The person's work is exactly as they left it.
    expect(git(root, "diff", "--cached", "--name-only").trim()).toBe("other.txt");
    expect(git(root, "diff", "--name-only").trim()).toBe("notes.md");
    expect(git(root, "status", "--porcelain").split("\n")).toContain("?? scratch.txt");
    expect(r.outOfScope.sort()).toEqual(["notes.md", "other.txt", "scratch.txt"]);
  });

  it("nothing in scope changed: no commit", async () => {
    const root = repo();
    write(root, "notes.md", "person\n");
    const head = git(root, "rev-parse", "HEAD");
    expect(await commitTask({ root, taskId: "T1", title: "t", scope: ["src/**"], trailers: [] })).toMatchObject({ committed: false, paths: [] });
    expect(git(root, "rev-parse", "HEAD")).toBe(head);
  });

  it("a mission below the git top level: scope is relative to the mission; no identity: orch signs", async () => {
    const root = repo(false);
    write(root, "mission/src/x.ts", "x\n");
    write(root, "src/x.ts", "outside the mission\n");
    const r = await commitTask({ root: path.join(root, "mission"), taskId: "T1", title: "x", scope: ["src/"], trailers: [["Verified-By", "tsc"]], type: "fix" });
    expect(r.paths).toEqual(["mission/src/x.ts", "mission/.orchestrator/.gitignore", "mission/.orchestrator/.gitattributes"]);
    expect(git(root, "log", "-1", "--format=%s|%an").trim()).toBe("fix(T1): x|orch");
    expect(git(root, "status", "--porcelain")).toContain("?? src/x.ts");
  });
});

describe("commitTask outside a git repository", () => {
  it("commits nothing and is no error", async () => {
    const root = tempDir();
    write(root, "src/a.ts", "a\n");
    expect(await commitTask({ root, taskId: "T1", title: "t", scope: ["src/**"], trailers: [] })).toEqual({ committed: false, paths: [], outOfScope: [] });
  });
});
