// A process an agent leaves running (a background job started through the bash tool) against the
// merge and the slots: what it writes after verify and review passed is never merged (the attempt
// fails, ChangedAfterVerify, the paths named), and it does not outlive its task into the next holder
// of its slot. The built CLI's `orch run`, a real `opencode serve`, the scripted model; the background
// job waits on a FIFO the test writes, so it writes exactly when the test says (no sleeps).
import { execFileSync, spawn } from "node:child_process";
import { constants, existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelRequest } from "../../src/demo/scripted-model.js";
import { reply, steps } from "../support/script.js";
import { startHarness, type Harness } from "../support/opencode-harness.js";

const CLI = path.join(process.cwd(), "dist", "bin", "orch.js");
let h: Harness;
let base: string;
beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), "orch-bg-"));
  h = await startHarness(steps([]));
});
afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

function mission(name: string, todo: string): { dir: string; git: (...a: string[]) => string } {
  const dir = path.join(base, name);
  mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
  writeFileSync(path.join(dir, "TODO.md"), todo);
  writeFileSync(path.join(dir, "lib.js"), "x\n");
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify({ retry: { baseMs: 100, maxMs: 500, jitter: 0 } }));
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=e2e@orch", "-c", "user.name=e2e", "commit", "-qm", "mission");
  return { dir, git };
}

async function run(dir: string): Promise<{ code: number | null; out: string }> {
  const p = spawn(process.execPath, [CLI, "run", "--dir", dir, "--server", h.runtime.server.url!], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  p.stdout.on("data", (d: Buffer) => (out += d.toString()));
  p.stderr.on("data", (d: Buffer) => (out += d.toString()));
  const code = await new Promise<number | null>((r) => p.on("exit", r));
  return { code, out };
}

/** A bash call that starts `script` in a new session, detached from the tool's output, and returns at once. */
const background = (script: string) => reply.bash(`setsid sh -c '${script}' > /dev/null 2>&1 < /dev/null &`);

/** Whether `pid` runs (a zombie has ended). */
function alive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

describe("a background process an agent leaves running", () => {
  it("writes after verify and review passed: nothing is merged, the task fails ChangedAfterVerify naming the path", { timeout: 150_000 }, async () => {
    const { dir, git } = mission("changed", "- [ ] T1 Change lib\n");
    const go = path.join(base, "changed-go");
    const done = path.join(base, "changed-done");
    execFileSync("mkfifo", [go, done]);
    h.model.setScript(
      steps([
        // The worker makes its change and leaves a job that writes once told to, then says so.
        { when: { role: "worker", turn: 0 }, reply: background(`read x < ${go}; echo unverified > late.js; echo written > ${done}`) },
        { when: { role: "worker", turn: 1 }, reply: (r: ModelRequest) => reply.write(path.join(r.directory!, "lib.js"), "y\n") },
        {
          when: { role: "reviewer" },
          // Verify passed and the reviewer has its diff: now the job writes, before the verdict.
          reply: async () => {
            await writeFile(go, "go\n");
            await readFile(done, "utf8");
            return reply.text(JSON.stringify({ approved: true, summary: "changes lib", findings: [] }));
          },
        },
        { reply: reply.text("done") },
      ]),
    );
    const { code, out } = await run(dir);
    expect(code, out).not.toBe(0);
    expect(git("log", "--format=%s").trim()).toBe("mission");
    expect(git("ls-tree", "--name-only", "main").split("\n")).not.toContain("late.js");
    expect(existsSync(path.join(dir, "late.js"))).toBe(false);
    const state = JSON.parse(readFileSync(path.join(dir, ".orchestrator", "state", "T1.json"), "utf8")).value;
    expect(state.phase).toBe("Failed");
    expect(state.conditions.at(-1).reason).toBe("ChangedAfterVerify");
    expect(state.lastError.message).toContain("late.js");
    expect(state.lastError.message).not.toContain("lib.js");
  });

  it("does not outlive its task: it is killed before its slot is given to the next task", { timeout: 150_000 }, async () => {
    const { dir, git } = mission("slot", "- [ ] T1 Change lib\n- [ ] T2 Change lib again (after T1)\n");
    const pidFile = path.join(base, "slot-pid");
    const go = path.join(base, "slot-go");
    execFileSync("mkfifo", [go]);
    // T1's prompt, not T2's (which names T1, its dep).
    const T1_ONLY = /^(?![\s\S]*Change lib again)[\s\S]*\bT1\b/;
    let leftAtT2: boolean | undefined;
    let t2dir: string | undefined;
    h.model.setScript(
      steps([
        // T1 leaves a job waiting to write into whatever its folder holds later.
        {
          // T2 first: its prompt names T1 (its dep).
          when: { role: "worker", turn: 0, user: "Change lib again" },
          reply: (r: ModelRequest) => {
            t2dir = r.directory;
            leftAtT2 = alive(Number(readFileSync(pidFile, "utf8")));
            // Were it still there, it would write into T2's workspace now (no reader: ENXIO, nothing to tell).
            try {
              const fd = openSync(go, constants.O_WRONLY | constants.O_NONBLOCK);
              writeFileSync(fd, "go\n");
              closeSync(fd);
            } catch {
              // nobody waits on it
            }
            return reply.write(path.join(r.directory!, "lib.js"), "z\n");
          },
        },
        { when: { role: "worker", turn: 0, user: T1_ONLY }, reply: background(`echo $$ > ${pidFile}; read x < ${go}; echo stale > stale.js`) },
        { when: { role: "worker", turn: 1, user: T1_ONLY }, reply: (r: ModelRequest) => reply.write(path.join(r.directory!, "lib.js"), "y\n") },
        { when: { role: "reviewer" }, reply: reply.text(JSON.stringify({ approved: true, summary: "changes lib", findings: [] })) },
        { reply: reply.text("done") },
      ]),
    );
    const { code, out } = await run(dir);
    expect(code, out).toBe(0);
    // T2 ran in T1's slot, and T1's job was gone by then.
    expect(path.relative(dir, t2dir!)).toBe(path.join(".orchestrator", "worktrees", "slot-0"));
    expect(leftAtT2).toBe(false);
    expect(git("ls-tree", "--name-only", "main").split("\n")).not.toContain("stale.js");
    expect(git("show", "main:lib.js")).toBe("z\n");
  });
});
