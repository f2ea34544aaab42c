// The guard end to end (docs/RECONCILER.md, "The guard"): the built CLI's `orch run` against a real
// `opencode serve` and the scripted model, whose worker tampers through OpenCode's own bash tool.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reply, steps } from "../support/script.js";
import { startHarness, type Harness } from "../support/opencode-harness.js";

const CLI = path.join(process.cwd(), "dist", "bin", "orch.js");
let h: Harness;
let base: string;
beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), "orch-guard-"));
  h = await startHarness(steps([]));
});
afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

/** A committed two-task mission; T1 has a task file with a verify command. */
function mission(name: string): string {
  const dir = path.join(base, name);
  mkdirSync(path.join(dir, "tasks"), { recursive: true });
  mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
  writeFileSync(path.join(dir, "TODO.md"), "# m\n\n- [ ] T1 Write greet.txt\n- [ ] T2 Write bye.txt\n");
  writeFileSync(path.join(dir, "tasks", "T1.md"), "---\nfiles:\n  - greet.txt\nverify:\n  - test -s greet.txt\n---\nWrite greet.txt saying hello.\n");
  writeFileSync(path.join(dir, "tasks", "T2.md"), "---\nfiles:\n  - bye.txt\nverify:\n  - test -s bye.txt\n---\nWrite bye.txt.\n");
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify({ retry: { baseMs: 100, maxMs: 500, jitter: 0 }, review: { enabled: false }, concurrency: { total: 1 } }));
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=e2e@orch", "-c", "user.name=e2e", "commit", "-qm", `mission ${dir}`);
  return dir;
}

function orchRun(dir: string): Promise<{ code: number | null; out: string }> {
  const p = spawn(process.execPath, [CLI, "run", "--dir", dir, "--server", h.runtime.server.url!], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  p.stdout.on("data", (d: Buffer) => (out += d.toString()));
  p.stderr.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((r) => p.on("exit", (code) => r({ code, out })));
}

const state = (dir: string, id: string) => JSON.parse(readFileSync(path.join(dir, ".orchestrator", "state", `${id}.json`), "utf8")).value;

describe("the guard, against a real opencode serve", () => {
  it("a worker that only ticks its own box (bash sed) and writes nothing: T1 Failed, its box unchecked, `orch run` exits non-zero", { timeout: 120_000 }, async () => {
    const dir = mission("tick");
    h.model.setScript(
      steps([
        { when: { directory: dir, user: "T1", turn: 0 }, reply: reply.bash("sed -i 's/- \\[ \\] T1/- [x] T1/' TODO.md") },
        { when: { directory: dir, user: "T2", turn: 0 }, reply: reply.bash("echo bye > bye.txt") },
        { reply: reply.text("done") },
      ]),
    );
    const { code, out } = await orchRun(dir);
    expect(code, out).not.toBe(0);
    const t1 = state(dir, "T1");
    expect(t1.phase).toBe("Failed");
    expect(t1.lastError).toMatchObject({ code: "DesiredStateChanged", message: expect.stringContaining("T1's box ticked") });
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toContain("- [ ] T1 Write greet.txt");
    expect(state(dir, "T2").phase, JSON.stringify(state(dir, "T2").lastError) + out).toBe("Succeeded");
  });

  it("a worker that deletes another task's line: it fails, the loop ends, `orch run` exits non-zero", { timeout: 120_000 }, async () => {
    const dir = mission("delete");
    h.model.setScript(
      steps([
        { when: { directory: dir, user: "T1", turn: 0 }, reply: reply.bash("sed -i '/T2 Write bye/d' TODO.md && echo hello > greet.txt") },
        { reply: reply.text("done") },
      ]),
    );
    const { code, out } = await orchRun(dir);
    expect(code, out).not.toBe(0);
    expect(state(dir, "T1").lastError).toMatchObject({ code: "DesiredStateChanged", message: expect.stringContaining("T2's line removed") });
  });
});
