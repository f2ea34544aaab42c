// `orch run` confines what agents run (config `sandbox`, src/runtime/confinement.ts): the built CLI
// with its own OpenCode server and the scripted model (served as orch-demo), real bubblewrap, real git.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startScriptedModel, type ScriptedModel } from "../../src/demo/scripted-model.js";
import { reply, steps } from "../support/script.js";
import { available } from "../../src/runtime/confinement.js";
import { CLI } from "../support/cli.js";
import { RUNTIMES } from "../support/opencode-harness.js";

const bwrap = available();
let base: string;
let model: ScriptedModel;
/** What the worker's bash call said (the tool's output, as the model got it). */
let toolSaid: string | undefined;

beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), "orch-confine-run-"));
  model = await startScriptedModel(steps([]));
});
afterAll(async () => {
  // A write that escaped (the code before confinement) is not left behind.
  for (const p of outside) rmSync(p, { force: true });
  await model?.close();
  rmSync(base, { recursive: true, force: true });
});

/** A worker that runs `command` through the bash tool, then a reviewer that approves. */
function workerRuns(command: string): void {
  toolSaid = undefined;
  model.setScript(
    steps([
      { when: { role: "worker", turn: 0 }, reply: reply.bash(command) },
      { when: { role: "worker" }, reply: (r) => ((toolSaid = r.lastTool), reply.text("done")) },
      { when: { role: "reviewer" }, reply: reply.text('{"approved": true, "summary": "ok", "findings": []}') },
    ]),
  );
}

/** A one-task repo: T1 with `verify`, one attempt; orch's own server talks to the scripted model. */
function repo(name: string, verify: string, config: object = {}): string {
  const dir = path.join(base, name);
  mkdirSync(path.join(dir, "tasks"), { recursive: true });
  mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
  writeFileSync(path.join(dir, "TODO.md"), "# m\n\n- [ ] T1 Write greet.txt\n");
  mkdirSync(path.join(dir, "src"));
  writeFileSync(path.join(dir, "src", "a.ts"), "export const a = 1;\n");
  writeFileSync(path.join(dir, "tasks", "T1.md"), `---\nverify:\n  - ${JSON.stringify(verify)}\nbudget:\n  attempts: 1\n---\nWrite greet.txt.\n`);
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify({ models: { default: "orch-demo/scripted" }, retry: { baseMs: 100, maxMs: 500, jitter: 0 }, ...config }));
  writeFileSync(path.join(dir, ".orchestrator", "opencode.json"), JSON.stringify({ provider: { "orch-demo": { options: { baseURL: model.baseURL } } } }));
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=e2e@orch", "-c", "user.name=e2e", "commit", "-qm", `mission ${name}`);
  return dir;
}

function orch(args: string[]): Promise<{ code: number | null; out: string }> {
  const p = spawn(process.execPath, [CLI, ...args], { stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  p.stdout.on("data", (d: Buffer) => (out += d.toString()));
  p.stderr.on("data", (d: Buffer) => (out += d.toString()));
  return new Promise((r) => p.on("exit", (code) => r({ code, out })));
}

/** A path outside any workspace and outside /tmp (which confined processes see as a private one). */
const outside: string[] = [];
const outsidePath = () => {
  outside.push(path.join(process.cwd(), `outside-${randomUUID()}`));
  return outside.at(-1)!;
};

describe.skipIf(!bwrap.ok)(`orch run, confined${bwrap.ok ? "" : ` (skipped: ${bwrap.why})`}`, () => {
  it.each(RUNTIMES)("%s: the worker's bash writes outside the workspace and to TODO.md are denied by the OS; its work in the workspace goes on", { timeout: 120_000 }, async (runtime) => {
    const outside = outsidePath();
    const dir = repo(`auto-${runtime}`, "test -s greet.txt", { runtime });
    // The worker runs in its workspace: the person's TODO.md is outside it (a change to the workspace's
    // copy would fail the attempt, test/reconcile/attempt-guard-loop.test.ts).
    workerRuns(`echo x > ${outside}; echo '- [x] T1 Write greet.txt' > ${path.join(dir, "TODO.md")}; echo hello > greet.txt`);
    const { code, out } = await orch(["run", "--dir", dir]);
    expect(code, out).toBe(0);
    expect(out).not.toContain("not confined");
    expect(toolSaid).toMatch(/Read-only file system/);
    expect(existsSync(outside)).toBe(false);
    expect(readFileSync(path.join(dir, "greet.txt"), "utf8")).toBe("hello\n");
    // Checked by orch after verify and review, not by the worker.
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toContain("- [x] T1");
  });

  it("the worker cannot write what orch keeps in .orchestrator/runtime/ (saved workspace git configs, merge journals): only the server's own folder there is writable", { timeout: 120_000 }, async () => {
    const dir = repo("runtime", "test -s greet.txt");
    const runtime = path.join(dir, ".orchestrator", "runtime");
    // A forged git config (a filter orch's own git would run) and a forged merge journal; redirections
    // only (OpenCode's bash permission sees paths in arguments, not in redirections).
    workerRuns(`echo '[filter "x"]' >> ${runtime}/workspaces/T1.gitconfig; echo '{}' > ${runtime}/merge-T9.json; echo hello > greet.txt`);
    const { code, out } = await orch(["run", "--dir", dir]);
    expect(code, `${out}\ntool said: ${toolSaid}`).toBe(0);
    expect(toolSaid).toMatch(/Read-only file system/);
    expect(existsSync(path.join(runtime, "merge-T9.json"))).toBe(false);
    const kept = path.join(runtime, "workspaces", "T1.gitconfig");
    expect(existsSync(kept) && readFileSync(kept, "utf8").includes('[filter "x"]')).toBe(false);
  });

  it("a verify command whose code under test writes outside the workspace fails the task instead of escaping", { timeout: 120_000 }, async () => {
    const outside = outsidePath();
    const dir = repo("verify", `node -e "require('fs').writeFileSync('${outside}', 'x')"`);
    workerRuns("echo hello > greet.txt");
    const { code, out } = await orch(["run", "--dir", dir]);
    expect(code, out).not.toBe(0);
    expect(out).toContain("EROFS");
    expect(existsSync(outside)).toBe(false);
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toContain("- [ ] T1");
  });

  it("with workspaces, the worker's bash write to the person's checkout (a source file) is denied by the OS", { timeout: 120_000 }, async () => {
    const dir = repo("checkout", "test -s greet.txt");
    workerRuns(`echo x >> ${path.join(dir, "src", "a.ts")}; echo hello > greet.txt`);
    const { code, out } = await orch(["run", "--dir", dir]);
    expect(code, out).toBe(0);
    expect(toolSaid).toMatch(/Read-only file system/);
    expect(readFileSync(path.join(dir, "src", "a.ts"), "utf8")).toBe("export const a = 1;\n");
    expect(readFileSync(path.join(dir, "greet.txt"), "utf8")).toBe("hello\n");
  });

  it("a verify command writes only its own workspace: the person's checkout and the other workspaces are read-only to it", { timeout: 120_000 }, async () => {
    const dir = repo("verify-own", "true");
    const sibling = path.join(dir, ".orchestrator", "worktrees", "other.txt");
    // Written from verify, then told: the task's verify passes either way, what it could write is the test.
    const verify = `echo x >> ${path.join(dir, "src", "a.ts")}; echo x > ${sibling}; test -s greet.txt`;
    writeFileSync(path.join(dir, "tasks", "T1.md"), `---\nverify:\n  - ${JSON.stringify(verify)}\nbudget:\n  attempts: 1\n---\nWrite greet.txt.\n`);
    execFileSync("git", ["-c", "user.email=e2e@orch", "-c", "user.name=e2e", "commit", "-qam", "verify"], { cwd: dir });
    workerRuns("echo hello > greet.txt");
    const { code, out } = await orch(["run", "--dir", dir]);
    expect(code, out).toBe(0);
    expect(readFileSync(path.join(dir, "src", "a.ts"), "utf8")).toBe("export const a = 1;\n");
    expect(existsSync(sibling)).toBe(false);
  });

  it('sandbox: "required" with --server (a server orch does not own) refuses to start: exit 2, nothing changed', async () => {
    const dir = repo("required", "true", { sandbox: "required" });
    const { code, out } = await orch(["run", "--dir", dir, "--server", "http://127.0.0.1:9"]);
    expect(code, out).toBe(2);
    expect(out).toContain('sandbox is "required" but the OpenCode server at --server/server.url is not orch\'s to confine');
    expect(existsSync(path.join(dir, ".orchestrator", "state"))).toBe(false);
  });

  it("with --server, run says once at start that the server's agents are not confined (verify commands still are)", async () => {
    const dir = repo("external", "true");
    const { code, out } = await orch(["run", "--dir", dir, "--server", "http://127.0.0.1:9"]);
    expect(code, out).toBe(4); // that server does not answer
    expect(out.match(/orch cannot confine its agents; verify commands still run confined/g)).toHaveLength(1);
  });

  it("orch doctor says that agents are confined, and by what", { timeout: 60_000 }, async () => {
    const dir = repo("doctor", "true");
    const { out } = await orch(["doctor", "--dir", dir, "--json"]);
    const checks = JSON.parse(out) as Array<{ name: string; ok: boolean; detail: string }>;
    expect(checks.find((c) => c.name === "sandbox")).toMatchObject({ ok: true, detail: expect.stringContaining("bubblewrap") });
  });
});

describe('sandbox: "off"', () => {
  it("behaves as before: the worker's bash write outside the workspace is not stopped", { timeout: 120_000 }, async () => {
    const outside = outsidePath();
    const dir = repo("off", "test -s greet.txt", { sandbox: "off" });
    workerRuns(`echo x > ${outside}; echo hello > greet.txt`);
    try {
      const { code, out } = await orch(["run", "--dir", dir]);
      expect(code, out).toBe(0);
      expect(readFileSync(outside, "utf8")).toBe("x\n");
    } finally {
      rmSync(outside, { force: true });
    }
  });

  it("orch doctor reports it", async () => {
    const dir = repo("doctor-off", "true", { sandbox: "off" });
    const { out } = await orch(["doctor", "--dir", dir, "--json"]);
    expect((JSON.parse(out) as Array<{ name: string; detail: string }>).find((c) => c.name === "sandbox")?.detail).toMatch(/^off/);
  });
});
