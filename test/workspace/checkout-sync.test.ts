// Bringing the person's checkout along after the integration branch moved (real git): what the person
// made of a path (here a folder where the tree has a file) is kept, never an error.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { syncCheckout } from "../../src/workspace/checkout-sync.js";
import { hermeticGit } from "../support/hermetic-git.js";

beforeAll(hermeticGit);

describe("syncCheckout", () => {
  it("a path that is a folder on disk is kept as the person left it; the others are brought along", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "orch-sync-"));
    const git = (...a: string[]) => execFileSync("git", a, { cwd: root, encoding: "utf8" });
    const commit = (m: string) => git("-c", "user.email=p@example.com", "-c", "user.name=P", "commit", "-qam", m);
    writeFileSync(path.join(root, "x"), "1\n");
    writeFileSync(path.join(root, "y"), "1\n");
    git("init", "-q", "-b", "main");
    git("add", ".");
    commit("old");
    const old = git("rev-parse", "HEAD").trim();
    writeFileSync(path.join(root, "x"), "2\n");
    writeFileSync(path.join(root, "y"), "2\n");
    commit("new");
    const next = git("rev-parse", "HEAD").trim();
    // main moved to `next` (as update-ref does), the checkout still holds `old`; x became a folder.
    git("reset", "-q", "--hard", old);
    git("update-ref", "refs/heads/main", next);
    rmSync(path.join(root, "x"));
    mkdirSync(path.join(root, "x"));
    writeFileSync(path.join(root, "x", "inside"), "mine\n");
    expect(await syncCheckout(root, "refs/heads/main", old, next)).toEqual(["x"]);
    expect(readFileSync(path.join(root, "y"), "utf8")).toBe("2\n");
    expect(readFileSync(path.join(root, "x", "inside"), "utf8")).toBe("mine\n");
  });

  it("a kill -9 between the index's update and the files' (the restart runs it again): the files are brought along, none taken for the person's", async () => {
    const root = mkdtempSync(path.join(tmpdir(), "orch-sync-"));
    const git = (...a: string[]) => execFileSync("git", a, { cwd: root, encoding: "utf8" });
    const commit = (m: string) => git("-c", "user.email=p@example.com", "-c", "user.name=P", "commit", "-qam", m);
    writeFileSync(path.join(root, "x"), "1\n");
    writeFileSync(path.join(root, "gone"), "1\n");
    git("init", "-q", "-b", "main");
    git("add", ".");
    commit("old");
    const old = git("rev-parse", "HEAD").trim();
    writeFileSync(path.join(root, "x"), "2\n");
    git("rm", "-q", "gone");
    commit("new");
    const next = git("rev-parse", "HEAD").trim();
    // main moved, the index already holds `next` (the first run's update-index), the files still hold `old`.
    git("reset", "-q", "--hard", old);
    git("update-ref", "refs/heads/main", next);
    git("read-tree", next);
    expect(await syncCheckout(root, "refs/heads/main", old, next)).toEqual([]);
    expect(readFileSync(path.join(root, "x"), "utf8")).toBe("2\n");
    expect(existsSync(path.join(root, "gone"))).toBe(false);
    expect(git("status", "--porcelain")).toBe("");
  });
});
