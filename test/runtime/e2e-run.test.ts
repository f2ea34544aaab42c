// End to end: the built CLI's `orch run` on real repos, against a real `opencode serve` and the
// scripted model. Files are written by OpenCode's own tools; orch runs verify, the reviewer, checks boxes.
import { execFileSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScriptedModel, type ModelRequest } from "../../src/demo/scripted-model.js";
import { roleOf } from "../../src/demo/script.js";
import { reply, steps } from "../support/script.js";
import { RUNTIMES, startHarness, type Harness } from "../support/opencode-harness.js";
import { hasScript, runOrchInTerminal } from "../support/cli.js";
import { createOpencodeClient } from "@opencode-ai/sdk/v2";

const CLI = path.join(process.cwd(), "dist", "bin", "orch.js");
let h: Harness;
let base: string;
beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), "orch-e2e-"));
  h = await startHarness(steps([]));
});
afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

function gitRepo(dir: string): string {
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=e2e@orch", "-c", "user.name=e2e", "commit", "-qm", `mission ${dir}`);
  return dir;
}

/** A one-task mission: T1 writes greet.txt; verify checks it exists. */
function oneTask(name: string, frontMatter = "", config: object = {}): string {
  const dir = path.join(base, name);
  mkdirSync(path.join(dir, "tasks"), { recursive: true });
  mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
  writeFileSync(path.join(dir, "TODO.md"), "# m\n\n- [ ] T1 Write greet.txt\n");
  writeFileSync(path.join(dir, "tasks", "T1.md"), `---\nfiles:\n  - greet.txt\nverify:\n  - test -s greet.txt\n${frontMatter}---\nWrite greet.txt saying hello.\n\n## Acceptance criteria\n\n- greet.txt says hello\n`);
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify({ retry: { baseMs: 100, maxMs: 500, jitter: 0 }, ...config }));
  return gitRepo(dir);
}

/** Runs `orch run`; resolves with exit code and output. */
function orchRun(dir: string, args: string[] = ["--server", h.runtime.server.url!]): { pid: number; done: Promise<{ code: number | null; out: string }> } {
  const p = spawn(process.execPath, [CLI, "run", "--dir", dir, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  p.stdout.on("data", (d: Buffer) => (out += d.toString()));
  p.stderr.on("data", (d: Buffer) => (out += d.toString()));
  return { pid: p.pid!, done: new Promise((r) => p.on("exit", (code) => r({ code, out }))) };
}

/** Resolves once `cond()` holds, re-checked on each change in the folder `dir` (fs.watch events, no polling). */
async function whenIn(dir: string, cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  mkdirSync(dir, { recursive: true });
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      watcher = watch(dir, () => cond() && resolve());
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      if (cond()) resolve(); // already so (checked after the watch started: no change is missed)
    });
  } finally {
    watcher?.close();
    clearTimeout(timer);
  }
}

/** A promise and the callback that resolves it (a model request arriving, seen from the script). */
function signal(): { done: () => void; seen: Promise<void> } {
  let done!: () => void;
  const seen = new Promise<void>((r) => (done = r));
  return { done, seen };
}

/** Pids of processes whose working directory is under `dir` (an owned server runs in its state dir). */
function processesIn(dir: string): number[] {
  return readdirSync("/proc")
    .filter((p) => /^\d+$/.test(p))
    .filter((p) => {
      try {
        return readlinkSync(`/proc/${p}/cwd`).startsWith(dir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

/** Where task `id`'s attempts run (docs/RECONCILER.md, "Workspaces"). */
/** Where the task of a one-task mission works: the first workspace slot (workspace/slots.ts). */
const workspaceOf = (dir: string) => path.join(dir, ".orchestrator", "worktrees", "slot-0");

const state = (dir: string, id: string) => JSON.parse(readFileSync(path.join(dir, ".orchestrator", "state", `${id}.json`), "utf8")).value;

describe.each(RUNTIMES)("orch run end to end on %s", (runtime) => {
  // OpenCode 1's is the file's server; OpenCode 2 gets its own.
  let hv: Harness;
  beforeAll(async () => {
    hv = runtime === "opencode1" ? h : await startHarness(steps([]), { runtime });
  });
  afterAll(async () => {
    if (hv !== h) await hv?.close();
  });

  it("the main job: `orch run` with its own server and the built-in demo model completes the example mission", { timeout: 180_000 }, async () => {
    const dir = path.join(base, `hello-${runtime}`);
    cpSync(path.join(process.cwd(), "examples", "hello-mission"), dir, { recursive: true });
    gitRepo(dir);
    // No --server: orch starts a hermetic opencode serve and the demo model itself, as `npm run demo` does.
    const { code, out } = await orchRun(dir, ["--demo", "--runtime", runtime]).done;
    expect(code, out).toBe(0);
    const todo = readFileSync(path.join(dir, "TODO.md"), "utf8");
    expect(todo.match(/- \[x\] T\d/g)).toHaveLength(6);
    // The acceptance tests pass on what the agents wrote with OpenCode's write tool.
    execFileSync(process.execPath, ["--test", "test/"], { cwd: dir, stdio: "ignore" });
    for (const id of ["T1", "T2", "T3", "T4", "T5", "T6"]) {
      const t = state(dir, id);
      expect(t.phase).toBe("Succeeded");
      expect(t.usage.input + t.usage.output).toBeGreaterThan(0);
      expect(t.costUsd).toBeGreaterThan(0);
      expect(t.lastVerify.ok).toBe(true);
      expect(t.lastReview.approved).toBe(true);
    }
    expect(readdirSync(path.join(dir, ".orchestrator", "history")).length).toBeGreaterThanOrEqual(6);
    // orch stopped the server it started.
    expect(processesIn(path.join(dir, ".orchestrator", "runtime"))).toEqual([]);
  });

  it("a reviewer rejection goes to a fixer, then verify and review pass", { timeout: 120_000 }, async () => {
    let reviews = 0;
    hv.model.setScript(
      steps([
        { when: { role: "worker", turn: 0 }, reply: (r: ModelRequest) => reply.write(path.join(r.directory!, "greet.txt"), "bye\n") },
        { when: { role: "fixer", turn: 0 }, reply: (r: ModelRequest) => reply.write(path.join(r.directory!, "greet.txt"), "hello\n") },
        {
          when: { role: "reviewer" },
          reply: () =>
            ++reviews === 1
              ? reply.text(JSON.stringify({ approved: false, summary: "says bye", findings: ["greet.txt: says bye, not hello"] }))
              : reply.text(JSON.stringify({ approved: true, summary: "says hello", findings: [] })),
        },
        { reply: reply.text("done") },
      ]),
    );
    // Runtime auto: orch asks the server which OpenCode it is; OpenCode 2's password comes from the config.
    const dir = oneTask(`fix-${runtime}`, "", { server: { password: hv.runtime.server.password } });
    const { code, out } = await orchRun(dir, ["--server", hv.runtime.server.url!]).done;
    expect(code, out).toBe(0);
    expect(readFileSync(path.join(dir, "greet.txt"), "utf8")).toBe("hello\n");
    const t1 = state(dir, "T1");
    expect(t1.sessions.map((s: { role: string }) => s.role)).toEqual(["worker", "fixer"]);
    expect(reviews).toBe(2);
    expect(t1.lastReview).toMatchObject({ approved: true });
    // The fixer worked in T1's workspace, like the worker.
    const fixerPrompt = hv.model.requests.find((r) => r.directory === workspaceOf(dir) && roleOf(r) === "fixer")!.lastUser;
    expect(fixerPrompt).toContain("greet.txt: says bye, not hello");
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toContain("- [x] T1");
  });

});

describe("orch run end to end", () => {
  it("`orch run --server` with nothing left to do: exits 0 at once, leaving no connection open, and starts no session", { timeout: 60_000 }, async () => {
    const dir = oneTask("nothing-to-do");
    writeFileSync(path.join(dir, "TODO.md"), "# m\n\n- [x] T1 Write greet.txt\n");
    const before = h.model.requests.length;
    const t0 = Date.now();
    const { code, out } = await orchRun(dir).done;
    expect(code, out).toBe(0);
    // The early connection to the server (its event stream) must not keep orch alive.
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect(h.model.requests.length).toBe(before);
  });

  it.skipIf(!hasScript())("in a terminal (a real pty, util-linux script): the live view shows the running session in place, then the mission done", { timeout: 120_000 }, async () => {
    h.model.setScript(
      steps([
        { when: { role: "worker", turn: 0 }, reply: (r: ModelRequest) => reply.write(path.join(r.directory!, "greet.txt"), "hello\n") },
        { when: { role: "reviewer" }, reply: () => reply.text(JSON.stringify({ approved: true, summary: "says hello", findings: [] })) },
        { reply: reply.text("done") },
      ]),
    );
    const dir = oneTask("tty");
    // Asynchronously: the scripted model answers from this process.
    const r = await runOrchInTerminal(["run", "--dir", dir, "--server", h.runtime.server.url!], "cols 80");
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^ {2}▶ T1 {5}worker {3}attempt 1 /m); // the block's line for the running session
    expect(r.stdout).toContain("\r\x1b[2A\x1b[J"); // redrawn in place (the totals and the task row), not appended
    expect(r.stdout).toMatch(/T1: verify passed\n/);
    // The last block: the mission's totals, then the task's row.
    expect(r.stdout.trimEnd().split("\n").slice(-2)).toEqual([expect.stringMatching(/orch: 0 running, 1\/1 done, [\d,]+ tok \$\d+\.\d{4}$/), expect.stringMatching(/^ {2}✓ T1 {5}done {2}[\d,]+ tok/)]);
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toContain("- [x] T1");
  });

  it("a permission ask waits in the approval file; approving it there lets the task finish", { timeout: 120_000 }, async () => {
    h.model.setScript(
      steps([
        { when: { role: "worker", turn: 0 }, reply: (r: ModelRequest) => reply.write(path.join(r.directory!, "greet.txt"), "hello\n") },
        { when: { role: "reviewer" }, reply: reply.text('{"approved": true, "summary": "ok", "findings": []}') },
        { reply: reply.text("done") },
      ]),
    );
    const dir = oneTask("approve", "approval: ask\n");
    const run = orchRun(dir);
    const file = path.join(dir, ".orchestrator", "approvals", "T1.md");
    await whenIn(path.dirname(file), () => existsSync(file), "the approval file");
    expect(existsSync(path.join(dir, "greet.txt"))).toBe(false);
    const text = readFileSync(file, "utf8");
    expect(text).toContain("permission `edit`");
    writeFileSync(file, text.replace("decision: pending", "decision: approve"));
    const { code, out } = await run.done;
    expect(code, out).toBe(0);
    expect(readFileSync(path.join(dir, "greet.txt"), "utf8")).toBe("hello\n");
    expect(existsSync(file)).toBe(false);
  });

  it("a token budget exceeded mid-session: the running session is aborted and the task fails with the budget reason", { timeout: 120_000 }, async () => {
    h.model.setScript(
      steps([
        { when: { role: "worker", turn: 0 }, reply: (r: ModelRequest) => reply.write(path.join(r.directory!, "greet.txt"), "hello\n") },
        { when: { role: "worker" }, reply: reply.hang() },
      ]),
    );
    const dir = oneTask("budget", "budget:\n  tokens: 50\n");
    const { code, out } = await orchRun(dir).done;
    expect(code, out).toBe(1);
    const t1 = state(dir, "T1");
    expect(t1.phase).toBe("Failed");
    expect(t1.lastError).toMatchObject({ code: "budget", terminal: true });
    expect(t1.usage.input).toBeGreaterThan(50);
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toContain("- [ ] T1");
  });

  it("a mission budget of 50 tokens: `orch run` aborts the running session, starts nothing more and exits 5 naming the budget", { timeout: 120_000 }, async () => {
    h.model.setScript(
      steps([
        { when: { role: "worker", turn: 0 }, reply: (r: ModelRequest) => reply.write(path.join(r.directory!, "greet.txt"), "hello\n") },
        { when: { role: "worker" }, reply: reply.hang() },
      ]),
    );
    // The task's own budget is far away: only the mission's stops it.
    const dir = oneTask("mission-budget", "budget:\n  tokens: 1000000\n", { missionBudget: { tokens: 50 } });
    const { code, out } = await orchRun(dir).done;
    expect(code, out).toBe(5);
    expect(out).toContain("orch run stopped: the mission budget is used up (used ");
    expect(out).toMatch(/of 50 mission tokens\)/);
    expect(out).toContain("missionBudget");
    expect(out).not.toMatch(/\n\s+at /);
    const t1 = state(dir, "T1");
    expect(t1).toMatchObject({ phase: "Pending", lastError: { code: "mission-budget", terminal: false } });
    expect(t1.usage.input).toBeGreaterThan(50);
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toContain("- [ ] T1");
  });

  it("a task deleted from TODO.md while its session runs: `orch watch` aborts the session and cleans up", { timeout: 120_000 }, async () => {
    const dir = oneTask("deleted");
    const asked = signal();
    h.model.setScript(steps([{ when: { role: "worker" }, reply: (r: ModelRequest) => (r.directory === workspaceOf(dir) && asked.done(), reply.hang()) }]));
    writeFileSync(path.join(dir, "TODO.md"), "# m\n\n- [ ] T1 Write greet.txt\n- [x] T2 Already done\n");
    const p = spawn(process.execPath, [CLI, "watch", "--dir", dir, "--server", h.runtime.server.url!], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((r) => p.on("exit", (c) => r(c)));
    // The session's id, once orch printed it (registered after the listeners above: `out` has the chunk).
    const printed = new Promise<string>((resolve) => {
      for (const s of [p.stdout, p.stderr]) s.on("data", () => (/ses_\w+/.exec(out) ? resolve(/ses_\w+/.exec(out)![0]) : undefined));
    });
    try {
      await asked.seen; // the worker's model request
      const sessionId = await printed;
      expect(sessionId, out).toBeDefined();
      // Deleting a task = its TODO line and its task file.
      rmSync(path.join(dir, "tasks", "T1.md"));
      writeFileSync(path.join(dir, "TODO.md"), "# m\n\n- [x] T2 Already done\n");
      await whenIn(path.join(dir, ".orchestrator", "state"), () => !existsSync(path.join(dir, ".orchestrator", "state", "T1.json")), "T1's state to be removed", 20_000).catch((e: Error) => {
        throw new Error(`${e.message}\n${out}`);
      });
      // The session really was aborted on the OpenCode server.
      const client = createOpencodeClient({ baseUrl: h.runtime.server.url! });
      const msgs = (await client.session.messages({ sessionID: sessionId!, directory: workspaceOf(dir) })).data ?? [];
      const last = msgs.filter((m) => m.info.role === "assistant").at(-1)?.info as { error?: { name: string } } | undefined;
      expect(last?.error?.name).toBe("MessageAbortedError");
      expect(out).toContain("Cancelled");
      // Its workspace went with it (the slot's folder stays, emptied, for the next attempt).
      expect(readdirSync(workspaceOf(dir))).toEqual([]);
      expect(existsSync(path.join(dir, ".orchestrator", "runtime", "workspaces", "slot-0.task"))).toBe(false);
    } finally {
      p.kill("SIGTERM");
      await exited;
    }
  });

  it("orch's own server killed mid-session: orch restarts it and the task completes (one run)", { timeout: 150_000 }, async () => {
    // A model only this test talks to, reached through the orch-demo provider of orch's own server.
    let workerCalls = 0;
    const firstWorker = signal();
    const model = await startScriptedModel(
      steps([
        { when: { role: "worker", turn: 0 }, reply: (r: ModelRequest) => (++workerCalls === 1 ? (firstWorker.done(), reply.hang()) : reply.write(path.join(r.directory!, "greet.txt"), "hello\n")) },
        { when: { role: "reviewer" }, reply: reply.text('{"approved": true, "summary": "ok", "findings": []}') },
        { reply: reply.text("done") },
      ]),
    );
    try {
      const dir = oneTask("restart", "", { models: { default: "orch-demo/scripted" } });
      writeFileSync(path.join(dir, ".orchestrator", "opencode.json"), JSON.stringify({ provider: { "orch-demo": { options: { baseURL: model.baseURL } } } }));
      const run = orchRun(dir, []);
      await firstWorker.seen; // the first worker request
      const serverPid = Number(execFileSync("pgrep", ["-P", String(run.pid), "-f", "opencode"], { encoding: "utf8" }).trim().split("\n")[0]);
      expect(serverPid).toBeGreaterThan(0);
      process.kill(serverPid, "SIGKILL");
      const { code, out } = await run.done;
      expect(code, out).toBe(0);
      expect(workerCalls).toBe(2);
      expect(readFileSync(path.join(dir, "greet.txt"), "utf8")).toBe("hello\n");
      const t1 = state(dir, "T1");
      expect(t1.sessions.filter((s: { role: string }) => s.role === "worker")).toHaveLength(2);
      expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toContain("- [x] T1");
    } finally {
      await model.close();
    }
  });
});
