// The commands through the built CLI (dist/, built by `npm test`): `orch run` end to end on the example
// mission with the real OpenCode runtime and the demo model (--demo); suspend/resume/retry and their bad input.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const cli = path.join(process.cwd(), "dist", "bin", "orch.js");
let base: string;
let root: string;
const orch = (...args: string[]) => spawnSync(process.execPath, [cli, "--dir", root, ...args], { encoding: "utf8", timeout: 120_000 });

beforeAll(() => {
  base = mkdtempSync(path.join(tmpdir(), "orch-cli-loop-"));
  root = path.join(base, "hello");
  cpSync(path.join(process.cwd(), "examples", "hello-mission"), root, { recursive: true });
  // Only the first task: the full mission takes ~30 s, one task shows the whole pipeline.
  const todo = readFileSync(path.join(root, "TODO.md"), "utf8");
  writeFileSync(path.join(root, "TODO.md"), todo.split("\n").filter((l) => !/^- \[ \] T[2-9]/.test(l)).join("\n"));
  for (const f of readdirSync(path.join(root, "tasks"))) if (f !== "T1.md") rmSync(path.join(root, "tasks", f));
  const git = (...a: string[]) => execFileSync("git", a, { cwd: root, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=t@orch", "-c", "user.name=t", "commit", "-qm", `example ${base}`);
});
afterAll(() => rmSync(base, { recursive: true, force: true }));

describe("orch run / suspend / resume / retry (CLI)", () => {
  it("bad input: unknown task, no ids, retry before any run → exit 2, a hint, no stack trace", () => {
    for (const args of [["suspend", "T99"], ["suspend"], ["retry", "T1"]]) {
      const r = orch(...args);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(orch("suspend", "T99").stderr).toContain("no task T99 in TODO.md");
    expect(orch("retry", "T1").stderr).toContain("has not run yet");
  });

  it("a task file with errors: orch run shows them (path:line:col), holds its task, and exits 1 without running it", () => {
    const file = path.join(root, "tasks", "T1.md");
    const good = readFileSync(file, "utf8");
    writeFileSync(file, "---\nid: T1\nverify: [unclosed\n---\n");
    const r = orch("run", "--demo");
    writeFileSync(file, good);
    expect(r.status).toBe(1);
    expect(r.stdout).toMatch(/T1 held \(errors in its task file[^\n]*\n {2}tasks\/T1\.md:\d+:\d+: invalid YAML/);
    expect(r.stdout).not.toContain("session started");
  });
  it("a task file with no line in TODO.md is a warning: validate exits 0", () => {
    writeFileSync(path.join(root, "tasks", "T9.md"), "---\nid: T9\n---\n");
    const r = orch("validate");
    rmSync(path.join(root, "tasks", "T9.md"));
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("tasks/T9.md: warning: tasks/T9.md has no line in TODO.md; task T9 is cancelled");
  });

  it("suspend --all holds the mission: orch run exits 1 with nothing run; resume --all, then run does T1 and exits 0", () => {
    expect(orch("suspend", "--all").status).toBe(0);
    const held = orch("run", "--demo", "--json");
    expect(held.status).toBe(1);
    const events = held.stdout.trim().split("\n").map((l) => JSON.parse(l));
    expect(events.some((e) => e.type === "phase" && e.task === "T1" && e.to === "Suspended")).toBe(true);
    expect(events.some((e) => e.type === "session")).toBe(false);
    expect(orch("resume", "--all").status).toBe(0);
    const r = orch("run", "--demo");
    expect(r.status, r.stderr + r.stdout).toBe(0);
    expect(r.stdout).toMatch(/T1: verify passed/);
    expect(r.stdout).toMatch(/T1: review approved/);
    expect(readFileSync(path.join(root, "TODO.md"), "utf8")).toMatch(/- \[x\] T1 /);
    const hist = readFileSync(path.join(root, ".orchestrator", "history", "T1.jsonl"), "utf8");
    expect(hist).toContain('"kind":"verify"');
    expect(orch("retry", "T1").status).toBe(0);
    expect(readFileSync(path.join(root, ".orchestrator", "history", "T1.jsonl"), "utf8")).toContain('"kind":"retry-requested"');
  }, 240_000);
});
