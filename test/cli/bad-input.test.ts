// The bad-input catalogue of docs/FORMAT.md: one case per kind, through the built CLI.
// Each must exit 1 with `path:line:col: message` + hint, no stack trace, and change no file.
import { describe, expect, it } from "vitest";
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { CLI, runOrch, runProcess } from "../support/cli.js";

const OK_TODO = "# M\n\n- [ ] T1 One\n- [ ] T2 Two (after T1)\n";

interface Case {
  kind: string;
  files: Record<string, string | Buffer>;
  setup?: (dir: string, outside: string) => void;
  /** Expected problem line (the location prefix and message). */
  expect: RegExp;
}

const cases: Case[] = [
  { kind: "duplicate-id", files: { "TODO.md": "- [ ] T1 One\n- [ ] T1 Again\n" }, expect: /^TODO\.md:2:1: duplicate id T1 \(also on line 1\)/m },
  { kind: "unknown-dep (inline)", files: { "TODO.md": "- [ ] T1 One (after T9)\n" }, expect: /^TODO\.md:1:1: T1 depends on unknown task T9/m },
  { kind: "unknown-dep (task file)", files: { "TODO.md": OK_TODO, "tasks/T1.md": "---\ndeps: [T7]\n---\nx\n" }, expect: /^tasks\/T1\.md:2:1: T1 depends on unknown task T7/m },
  { kind: "cycle", files: { "TODO.md": "- [ ] T1 A (after T3)\n- [ ] T2 B (after T1)\n- [ ] T3 C (after T2)\n" }, expect: /^TODO\.md:1:1: dependency cycle: T1 → T3 → T2 → T1/m },
  { kind: "cycle (a subtask waits for its parent)", files: { "TODO.md": "- [ ] T1 Parent\n  - [ ] T2 Child (after T1)\n" }, expect: /^TODO\.md:1:1: dependency cycle: T1 → T2 → T1\n {2}hint: A parent waits for its subtasks, so a subtask cannot depend on its parent/m },
  { kind: "invalid YAML", files: { "TODO.md": OK_TODO, "tasks/T1.md": "---\ntype: logic\ndeps: [T2\n---\nx\n" }, expect: /^tasks\/T1\.md:\d+:\d+: invalid YAML in front matter/m },
  { kind: "wrong type", files: { "TODO.md": OK_TODO, "tasks/T1.md": "---\npriority: high\n---\nx\n" }, expect: /^tasks\/T1\.md:2:1: priority: Invalid input: expected number, received string/m },
  { kind: "unknown key (nearest suggested)", files: { "TODO.md": OK_TODO, "tasks/T1.md": "---\nverfy: [npm test]\n---\nx\n" }, expect: /^tasks\/T1\.md:2:1: unknown key "verfy"\n  hint: Did you mean "verify"\?/m },
  { kind: "id/file-name mismatch", files: { "TODO.md": OK_TODO, "tasks/T1.md": "---\nid: T2\n---\nx\n" }, expect: /^tasks\/T1\.md:2:1: id T2 does not match the file name \(T1\)/m },
  { kind: "scope leaving the repo (..)", files: { "TODO.md": OK_TODO, "tasks/T1.md": "---\nfiles: [src/**, ../other/**]\n---\nx\n" }, expect: /^tasks\/T1\.md:2:1: scope "\.\.\/other\/\*\*" leaves the repository/m },
  { kind: "scope leaving the repo (absolute)", files: { "TODO.md": OK_TODO, "tasks/T1.md": "---\nfiles: /etc/**\n---\nx\n" }, expect: /^tasks\/T1\.md:2:1: scope "\/etc\/\*\*" leaves the repository/m },
  { kind: "scope glob left open", files: { "TODO.md": OK_TODO, "tasks/T1.md": "---\nfiles: [src/**, \"src/{a,b.ts\"]\n---\nx\n" }, expect: /^tasks\/T1\.md:2:1: scope "src\/\{a,b\.ts" is not a glob orch can read: unclosed \{\n {2}hint: Write it as orch reads globs/m },
  { kind: "scope through a symlink out", files: { "TODO.md": OK_TODO, "tasks/T1.md": "---\nfiles: [vendor/**]\n---\nx\n" }, setup: (d, out) => symlinkSync(out, path.join(d, "vendor")), expect: /^tasks\/T1\.md:1:1: scope "vendor\/\*\*" leads outside the repository through a symlink/m },
  { kind: "TODO.md symlinked out", files: {}, setup: (d, out) => (writeFileSync(path.join(out, "TODO.md"), OK_TODO), symlinkSync(path.join(out, "TODO.md"), path.join(d, "TODO.md"))), expect: /^TODO\.md: TODO\.md is a symlink leading outside the repository/m },
  { kind: "task file symlinked out", files: { "TODO.md": OK_TODO }, setup: (d, out) => (writeFileSync(path.join(out, "T1.md"), "x\n"), symlinkSync(path.join(out, "T1.md"), path.join(d, "tasks", "T1.md"))), expect: /^tasks\/T1\.md: tasks\/T1\.md is a symlink leading outside the repository/m },
  { kind: "missing TODO.md", files: { "README.md": "hi\n" }, expect: /^TODO\.md: TODO\.md not found\n  hint: Run `orch init`/m },
  { kind: "empty TODO.md", files: { "TODO.md": "\n \n" }, expect: /^TODO\.md: TODO\.md is empty/m },
  { kind: "empty task file", files: { "TODO.md": OK_TODO, "tasks/T1.md": "" }, expect: /^tasks\/T1\.md: task file is empty/m },
  { kind: "binary file", files: { "TODO.md": Buffer.from([0x2d, 0x20, 0x5b, 0x20, 0x5d, 0x0a, 0x00, 0x01, 0x02]) }, expect: /^TODO\.md:2:1: TODO\.md looks binary/m },
  { kind: "non-UTF-8 file", files: { "TODO.md": OK_TODO, "tasks/T1.md": Buffer.concat([Buffer.from("line one\ncaf"), Buffer.from([0xe9]), Buffer.from("\n")]) }, expect: /^tasks\/T1\.md:2:1: tasks\/T1\.md is not valid UTF-8 \(byte 12\)/m },
  { kind: "very large file", files: { "TODO.md": OK_TODO, "tasks/T1.md": `${"x".repeat(1024 * 1024 + 1)}` }, expect: /^tasks\/T1\.md: tasks\/T1\.md is 1048577 bytes, over the 1048576-byte limit/m },
  { kind: "malformed deps clause", files: { "TODO.md": "- [ ] T1 One (after step one)\n" }, expect: /^TODO\.md:1:7: "step" in the deps clause is not a task id/m },
  { kind: "task line without a title", files: { "TODO.md": "- [ ] T1\n" }, expect: /^TODO\.md:1:7: task T1 has no title/m },
  { kind: "invalid config JSON", files: { "TODO.md": OK_TODO, ".orchestrator/config.json": '{\n  "todo": "TODO.md",\n}\n' }, expect: /^\.orchestrator\/config\.json:3:1: invalid JSON/m },
  { kind: "unknown config key", files: { "TODO.md": OK_TODO, ".orchestrator/config.json": '{\n  "concurency": { "total": 2 }\n}\n' }, expect: /^\.orchestrator\/config\.json:2:3: unknown key "concurency"\n  hint: Did you mean "concurrency"\?/m },
];

const orch = runOrch;

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = e.isSymbolicLink() ? `link:${statSync(p, { throwIfNoEntry: false })?.size}` : readFileSync(p).toString("base64");
    }
  };
  walk(dir);
  return out;
}

/** A repo with tasks T1 and T2, retrying every 20-50 ms, one at a time; the breaker opens after `failures`. */
function twoTaskRepo(failures: number): string {
  const dir = mkdtempSync(path.join(tmpdir(), "orch-bad-"));
  writeFileSync(path.join(dir, "TODO.md"), "- [ ] T1 One\n- [ ] T2 Two\n");
  mkdirSync(path.join(dir, ".orchestrator"));
  const config = { review: { enabled: false }, concurrency: { total: 1 }, retry: { baseMs: 20, maxMs: 50 }, circuitBreaker: { failures, cooldownSec: 60 } };
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify(config));
  return dir;
}

describe("orch validate on bad input", () => {
  // Concurrent: each case is one CLI process, and they are independent.
  it.concurrent.each(cases)("$kind", async ({ files, setup, expect: want }) => {
    const base = mkdtempSync(path.join(tmpdir(), "orch-bad-"));
    const dir = path.join(base, "repo");
    const outside = path.join(base, "outside");
    mkdirSync(path.join(dir, "tasks"), { recursive: true });
    mkdirSync(outside);
    for (const [rel, content] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
      writeFileSync(path.join(dir, rel), content);
    }
    setup?.(dir, outside);
    const before = snapshot(dir);
    const r = await orch(["validate"], dir);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(want);
    expect(r.stdout).toMatch(/\n {2}hint: \S/);
    expect(r.stdout).toMatch(/✗ \d+ tasks?, [1-9]\d* errors?/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(dir)).toEqual(before);
  });

  it("orch run --server with something not an http(s) URL: exit 2, says so, no stack", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "orch-bad-"));
    writeFileSync(path.join(dir, "TODO.md"), "- [ ] T1 One\n");
    const before = snapshot(dir);
    for (const url of ["127.0.0.1:4096", "ftp://127.0.0.1:4096"]) {
      const r = await orch(["run", "--dir", dir, "--server", url], tmpdir());
      expect(r.status, r.stderr).toBe(2);
      expect(r.stderr).toContain(`orch: --server "${url}" is not an http(s) URL\n  hint: Pass the URL`);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    expect(snapshot(dir)).toEqual(before);
  });

  it("orch run on a TODO.md with errors: exit 2 naming the first (file:line:col), nothing started, no file changed, no stack", async () => {
    const dir = twoTaskRepo(3);
    writeFileSync(path.join(dir, "TODO.md"), "- [ ] T1 One\n- [ ] T1 Again\n- [ ] T2 Two (after T9)\n");
    const r = await orch(["run", "--dir", dir, "--server", "http://127.0.0.1:9"], tmpdir());
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toBe(
      "orch: orch run stopped: TODO.md:2:1: duplicate id T1 (also on line 1) (and 1 more error)\n" +
        "  hint: Nothing was started or redone from files with errors. Fix them (`orch validate` lists them all, with hints), then run again.\n",
    );
    expect(r.stdout).toContain("  TODO.md:3:1: T2 depends on unknown task T9");
    expect(r.stdout).not.toContain("→ Running");
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe("- [ ] T1 One\n- [ ] T1 Again\n- [ ] T2 Two (after T9)\n");
  });

  it("orch run --server with nothing listening there: exit 4 once the breaker opens, says why and what to do, no attempt charged, no stack", async () => {
    const dir = twoTaskRepo(3);
    const r = await orch(["run", "--dir", dir, "--server", "http://127.0.0.1:9"], tmpdir());
    expect(r.status, r.stdout + r.stderr).toBe(4);
    expect(r.stdout).toContain("T1: Pending → Pending (ServerUnreachable: server-down: cannot start a session");
    expect(r.stdout).not.toContain("→ Running"); // never started
    expect(r.stdout).not.toContain("session started"); // no session was made
    expect(r.stderr).toBe(
      "orch: orch run stopped: the OpenCode server cannot be reached (cannot start a session: OpenCode server http://127.0.0.1:9 does not answer /global/health)\n" +
        "  hint: An attempt none of whose sessions could start was not charged. Start the server or fix --server (or server.url in .orchestrator/config.json); `orch doctor` checks an owned one. Then run again.\n",
    );
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe("- [ ] T1 One\n- [ ] T2 Two\n");
    for (const id of ["T1", "T2"]) {
      const state = JSON.parse(readFileSync(path.join(dir, ".orchestrator", "state", `${id}.json`), "utf8")).value;
      expect(state, id).toMatchObject({ phase: "Pending", attempts: 0, lastError: { code: "server-down" } });
    }
  });

  it("orch run --json with nothing listening there: the stream's last event says why it stopped, with the exit code", async () => {
    const dir = twoTaskRepo(3);
    const r = await orch(["run", "--json", "--dir", dir, "--server", "http://127.0.0.1:9"], tmpdir());
    expect(r.status, r.stdout + r.stderr).toBe(4);
    const events = r.stdout.trim().split("\n").map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.filter((e) => e.type === "stopped")).toHaveLength(1);
    expect(events.at(-1)).toEqual({
      at: expect.any(String),
      type: "stopped",
      code: "server-unreachable",
      message: "orch run stopped: the OpenCode server cannot be reached (cannot start a session: OpenCode server http://127.0.0.1:9 does not answer /global/health)",
      hint: expect.stringMatching(/^An attempt none of whose sessions could start was not charged\./),
      exitCode: 4,
    });
    expect(r.stderr).toMatch(/^orch: orch run stopped: the OpenCode server cannot be reached/); // stderr says it too
  });

  it("orch run whose reader goes away (| head): stops as on SIGTERM, no EPIPE stack, lease released, nothing charged", async () => {
    const dir = twoTaskRepo(1000); // retries every 20 ms that never open the breaker: it would run for minutes
    const r = await runProcess("bash", ["-c", `"${process.execPath}" "${CLI}" run --dir "${dir}" --server http://127.0.0.1:9 | head -3; echo "orch exit \${PIPESTATUS[0]}"`]);
    // First the notice that a --server's agents are not confined (docs/RUNTIME.md, Confinement), then the loop.
    expect(r.stdout.split("\n")[0]).toMatch(/ warning: .*(not confined|cannot confine)/);
    expect(r.stdout.split("\n")[1]).toMatch(/lease acquired/);
    expect(r.stdout).toMatch(/\norch exit 1\n$/); // stopped, not all done
    expect(r.stderr).toBe("");
    const lease = JSON.parse(readFileSync(path.join(dir, ".orchestrator", "runtime", "leases", "mission.json"), "utf8")).value;
    expect(lease).toMatchObject({ holder: "", expiresAt: 0 });
    // T1's record exists (its Running line was printed once written); T2 may not have started.
    expect(JSON.parse(readFileSync(path.join(dir, ".orchestrator", "state", "T1.json"), "utf8")).value).toMatchObject({ phase: "Pending", attempts: 0 });
  });

  it("--json gives the same problems as data", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "orch-bad-"));
    writeFileSync(path.join(dir, "TODO.md"), "- [ ] T1 One (after T9)\n");
    const r = await orch(["validate", "--json", "--dir", dir], tmpdir());
    expect(r.status).toBe(1);
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: false, tasks: 1, errors: 1 });
    expect(out.problems.filter((p: { severity: string }) => p.severity === "error")).toMatchObject([{ code: "unknown-dep", line: 1, col: 1 }]);
  });
});
