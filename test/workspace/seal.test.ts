// What orch keeps of a workspace is out of the agent's reach, and putting it back never writes through
// what the agent left: real git, a real workspace (the agent's writes are done by hand here).
import { execFileSync } from "node:child_process";
import { lstatSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { openWorkspace, personRepo } from "../../src/workspace/workspaces.js";
import { sealWorkspace } from "../../src/workspace/seal.js";
import { hermeticGit } from "../support/hermetic-git.js";

beforeAll(hermeticGit);

/** A repo on main with two commits, and T1's workspace made from the second. */
async function repoWithWorkspace() {
  const root = mkdtempSync(path.join(tmpdir(), "orch-seal-"));
  const git = (...a: string[]) => execFileSync("git", a, { cwd: root, encoding: "utf8" }).trim();
  const commit = (file: string) => {
    writeFileSync(path.join(root, file), `${file}\n`);
    git("add", file);
    git("-c", "user.email=p@example.com", "-c", "user.name=P", "commit", "-qm", file);
  };
  git("init", "-q", "-b", "main");
  commit("a.txt");
  commit("b.txt");
  const repo = await personRepo(root);
  if ("why" in repo) throw new Error(repo.why);
  const ws = await openWorkspace(root, "T1", repo);
  return { root, git, repo, ws };
}

describe("a workspace's kept config and base", () => {
  it("sealing puts the config back as a file of its own: a .git/config symlinked to a person's file leaves that file as it was", async () => {
    const { root, ws } = await repoWithWorkspace();
    const victim = path.join(root, ".git", "config");
    const before = readFileSync(victim, "utf8");
    const config = path.join(ws.dir, ".git", "config");
    const kept = readFileSync(config, "utf8");
    rmSync(config);
    symlinkSync(victim, config); // what an agent in the workspace can do
    await sealWorkspace(root, "T1", ws.dir);
    expect(readFileSync(victim, "utf8")).toBe(before);
    expect(lstatSync(config).isSymbolicLink()).toBe(false);
    expect(readFileSync(config, "utf8")).toBe(kept);
  });

  it("the base a restart adopts the workspace with is orch's own: a base written into the workspace's .git is not read", async () => {
    const { root, git, repo, ws } = await repoWithWorkspace();
    const older = git("rev-parse", "HEAD~1");
    expect(ws.base).not.toBe(older);
    // An agent that wants its out-of-scope edits judged against a base that already holds them.
    writeFileSync(path.join(ws.dir, ".git", "orch-base"), `${older}\n`);
    const adopted = await openWorkspace(root, "T1", repo, true);
    expect(adopted.base).toBe(ws.base);
  });
});
