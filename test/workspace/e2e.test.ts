// Workspaces end to end: the built CLI's `orch run` against a real `opencode serve` and the scripted
// model. Two tasks edit different functions of one file at once, each in its own workspace through
// OpenCode's write tool; both land on main as one commit each, the checkout clean.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelRequest } from "../../src/demo/scripted-model.js";
import { roleOf } from "../../src/demo/script.js";
import { reply, steps } from "../support/script.js";
import { startHarness, type Harness } from "../support/opencode-harness.js";

const CLI = path.join(process.cwd(), "dist", "bin", "orch.js");
let h: Harness;
let base: string;
beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), "orch-ws-e2e-"));
  h = await startHarness(steps([]));
});
afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

const LIB = "export function f() {\n  return 1;\n}\n\nexport function g() {\n  return 2;\n}\n";

describe("workspaces with a real opencode serve", () => {
  it("two parallel tasks edit different functions of one file: both merged, one commit each, the reviewer sees its own change", { timeout: 150_000 }, async () => {
    const dir = path.join(base, "two");
    mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
    writeFileSync(path.join(dir, "TODO.md"), "# m\n\n- [ ] T1 Make f return 10\n- [ ] T2 Make g return 20\n");
    writeFileSync(path.join(dir, "lib.js"), LIB);
    writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify({ retry: { baseMs: 100, maxMs: 500, jitter: 0 } }));
    const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, encoding: "utf8" });
    git("init", "-q", "-b", "main");
    git("add", ".");
    git("-c", "user.email=e2e@orch", "-c", "user.name=e2e", "commit", "-qm", "mission");
    const reviews: { task: string; diff: string }[] = [];
    const edit = (r: ModelRequest) => (/\bT1\b/.test(r.lastUser) ? LIB.replace("return 1", "return 10") : LIB.replace("return 2", "return 20"));
    h.model.setScript(
      steps([
        { when: { role: "worker", turn: 0 }, reply: (r: ModelRequest) => reply.write(path.join(r.directory!, "lib.js"), edit(r)) },
        {
          when: { role: "reviewer" },
          reply: (r: ModelRequest) => {
            reviews.push({ task: /\bT1\b/.test(r.lastUser) ? "T1" : "T2", diff: r.lastUser });
            return reply.text(JSON.stringify({ approved: true, summary: "changes the one function", findings: [] }));
          },
        },
        { reply: reply.text("done") },
      ]),
    );
    const run = spawn(process.execPath, [CLI, "run", "--dir", dir, "--server", h.runtime.server.url!], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    run.stdout.on("data", (d: Buffer) => (out += d.toString()));
    run.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => run.on("exit", r));
    expect(code, out).toBe(0);
    const merged = LIB.replace("return 1", "return 10").replace("return 2", "return 20");
    expect(git("show", "HEAD:lib.js")).toBe(merged);
    expect(readFileSync(path.join(dir, "lib.js"), "utf8")).toBe(merged);
    expect(git("log", "--format=%s", "-3").trim().split("\n").slice(0, 2).sort()).toEqual(["feat(T1): Make f return 10", "feat(T2): Make g return 20"]);
    expect(git("status", "--porcelain")).toBe("");
    expect(git("branch", "--list", "orch/*").trim()).toBe("");
    // The sessions ran in the workspaces (one slot each, at once); each reviewer saw its own function's change only.
    const dirs = new Set(h.model.requests.filter((r) => roleOf(r) && r.directory?.startsWith(dir)).map((r) => path.relative(dir, r.directory!)));
    expect([...dirs].sort()).toEqual([".orchestrator/worktrees/slot-0", ".orchestrator/worktrees/slot-1"]);
    expect(reviews.map((r) => r.task).sort()).toEqual(["T1", "T2"]);
    for (const r of reviews) {
      const mine = r.task === "T1" ? "return 10" : "return 20";
      const other = mine === "return 10" ? "return 20" : "return 10";
      expect(r.diff).toContain(`+  ${mine};`);
      expect(r.diff).not.toContain(other);
    }
  });
});
