// A person's first hour with the built CLI, against a real `opencode serve` and the scripted model:
// what a task cost (every role) reads the same in status, log, show and the live view; `orch show`
// has what a review needs; the log keeps each line's attempt and order; the notify hook is called.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelRequest } from "../../src/demo/scripted-model.js";
import { reply, steps } from "../support/script.js";
import { startHarness, type Harness } from "../support/opencode-harness.js";
import { hasScript, runOrch, runOrchInTerminal } from "../support/cli.js";

let h: Harness;
let base: string;
beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), "orch-first-hour-"));
  h = await startHarness(steps([]));
});
afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

/** A one-task mission (T1 writes greet.txt saying hello, verify checks it) in a git repo; `notified` gets the hook's events. */
function mission(name: string, config: object = {}, frontMatter = ""): { dir: string; notified: string } {
  const dir = path.join(base, name);
  mkdirSync(path.join(dir, "tasks"), { recursive: true });
  mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
  const notified = path.join(base, `${name}.notify.jsonl`);
  writeFileSync(path.join(dir, "TODO.md"), "# m\n\n- [ ] T1 Write greet.txt\n");
  writeFileSync(path.join(dir, "tasks", "T1.md"), `---\nfiles:\n  - greet.txt\nverify:\n  - grep -q hello greet.txt\n${frontMatter}---\nWrite greet.txt saying hello.\n`);
  const notify = { command: [process.execPath, "-e", "require('fs').appendFileSync(process.argv.at(-1), require('fs').readFileSync(0, 'utf8'))", notified] };
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify({ retry: { baseMs: 100, maxMs: 500, jitter: 0 }, notify, ...config }));
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("config", "user.email", "e2e@orch");
  git("config", "user.name", "e2e");
  git("add", ".");
  git("commit", "-qm", `mission ${name}`);
  return { dir, notified };
}

const notifications = (file: string) => (existsSync(file) ? readFileSync(file, "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : []);
const json = async (args: string[]) => {
  const r = await runOrch(args);
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
};

describe("a person's first hour", () => {
  it.skipIf(!hasScript())("status, log, show and the live view give the same spend, the reviewer's included; show has the diff, verify, verdict and sessions; done is notified", { timeout: 120_000 }, async () => {
    h.model.setScript(
      steps([
        { when: { role: "worker", turn: 0 }, reply: (r: ModelRequest) => reply.write(path.join(r.directory!, "greet.txt"), "hello\n") },
        { when: { role: "reviewer" }, reply: () => reply.text(JSON.stringify({ approved: true, summary: "says hello", findings: ["none"] })) },
        { reply: reply.text("I wrote greet.txt.") },
      ]),
    );
    const { dir, notified } = mission("agree", { git: { commit: "task" } });
    const run = await runOrchInTerminal(["run", "--dir", dir, "--server", h.runtime.server.url!], "cols 120");
    expect(run.status, run.stdout + run.stderr).toBe(0);

    const status = await json(["status", "--dir", dir, "--json"]);
    expect(status.spend.roles.worker.tokens).toBeGreaterThan(0);
    expect(status.spend.roles.reviewer.tokens).toBeGreaterThan(0);
    expect(status.spend.tokens).toBe(status.spend.roles.worker.tokens + status.spend.roles.reviewer.tokens);
    expect(status.tasks[0].spend).toEqual(status.spend);
    // The record counts every session, the reviewer's included: the same sum.
    const state = JSON.parse(readFileSync(path.join(dir, ".orchestrator", "state", "T1.json"), "utf8")).value;
    expect(state.usage.input + state.usage.output + state.usage.reasoning).toBe(status.spend.tokens);
    expect(state.costUsd).toBeCloseTo(status.spend.costUsd, 10);
    const money = (n: number) => `$${n.toFixed(4)}`;
    const tok = status.spend.tokens.toLocaleString("en-US");

    const text = await runOrch(["status", "--dir", dir]);
    expect(text.stdout).toMatch(new RegExp(`^T1 .* Succeeded .* ${tok} +\\${money(status.spend.costUsd)}$`, "m"));
    const log = await runOrch(["log", "--dir", dir]);
    expect(log.stdout.trimEnd().split("\n").at(-1)).toContain(`${tok} tokens, ${money(status.spend.costUsd)} (worker `);
    expect(log.stdout).toContain(`reviewer ${status.spend.roles.reviewer.tokens.toLocaleString("en-US")} tok`);
    // The live view's last block: the same total, and the agent's last words.
    const lines = run.stdout.trimEnd().split("\n");
    expect(lines.at(-2)).toMatch(new RegExp(`orch: 0 running, 1/1 done, ${tok} tok \\${money(status.spend.costUsd)}$`));
    expect(lines.at(-1)).toContain("✓ T1     done");
    expect(lines.at(-1)).toContain("“I wrote greet.txt.”"); // the worker's, not the reviewer's verdict

    const show = await json(["show", "T1", "--dir", dir, "--json"]);
    expect(show.spend).toEqual(status.tasks[0].spend);
    expect(show.sessions.map((s: { role: string }) => s.role)).toEqual(["worker", "reviewer"]);
    // No server.url in the config (--server is not recorded): a local OpenCode in the repository.
    for (const s of show.sessions) expect(s.open).toBe(`opencode ${dir} --session ${s.id}`);
    expect(show.sessions[0].said).toBe("I wrote greet.txt.");
    expect(show.verify.commands[0]).toMatchObject({ command: "grep -q hello greet.txt", exitCode: 0 });
    expect(show.review).toMatchObject({ approved: true, summary: "says hello", findings: ["none"] });
    expect(show.diff.commits).toHaveLength(1);
    expect(show.diff.commits[0].patch).toContain("+hello");
    expect(show.diff.commits[0].patch).not.toContain(".orchestrator");
    const showText = (await runOrch(["show", "T1", "--dir", dir])).stdout;
    for (const part of ["## Sessions", "## Verify", "$ grep -q hello greet.txt  → exit 0", "## Review", "approved: says hello", "## Diff", "+hello", `--session ${show.sessions[1].id}`]) expect(showText).toContain(part);

    expect(notifications(notified)).toEqual([expect.objectContaining({ event: "done", root: dir, message: "mission done: 1/1 tasks" })]);
  });

  it("the log keeps each session's and verify's attempt, and says verify after Verifying; a failed task is notified", { timeout: 120_000 }, async () => {
    h.model.setScript(
      steps([
        { when: { role: "worker", turn: 0 }, reply: (r: ModelRequest) => reply.write(path.join(r.directory!, "greet.txt"), "bye\n") },
        { when: { role: "fixer", turn: 0 }, reply: (r: ModelRequest) => reply.write(path.join(r.directory!, "greet.txt"), "bye again\n") },
        { reply: reply.text("done") },
      ]),
    );
    const { dir, notified } = mission("log-order", { review: { enabled: false } }, "budget:\n  attempts: 2\n");
    const r = await runOrch(["run", "--dir", dir, "--server", h.runtime.server.url!]);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    const events = await json(["log", "--dir", dir, "--json"]);
    const sessions = events.filter((e: { kind: string }) => e.kind === "session-start" || e.kind === "session-end");
    expect(sessions.map((e: { kind: string; role: string; attempt: number }) => `${e.kind} ${e.role} #${e.attempt}`)).toEqual([
      "session-start worker #1",
      "session-end worker #1",
      "session-start fixer #2",
      "session-end fixer #2",
    ]);
    expect(events.filter((e: { kind: string }) => e.kind === "verify").map((e: { attempt: number }) => e.attempt)).toEqual([1, 2]);
    // The printed lines: each verify result after its Verifying phase.
    const out = r.stdout.split("\n").map((l) => l.slice(9));
    const verifying = out.flatMap((l, i) => (l.startsWith("T1: Running → Verifying") ? [i] : []));
    const verified = out.flatMap((l, i) => (l.startsWith("T1: verify failed") ? [i] : []));
    expect(verified).toHaveLength(2);
    verified.forEach((v, i) => expect(v).toBeGreaterThan(verifying[i]!));
    expect(notifications(notified)).toEqual([expect.objectContaining({ event: "failed", task: "T1", root: dir })]);
  });
});
