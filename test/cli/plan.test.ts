// `orch plan` through the built CLI (dist/bin/orch.js) against a real `opencode serve` and the scripted
// model (docs/PLAN.md): a plan written, --dry-run, --hold, --json, a plan that never validates, and bad
// input that is refused before anything is spent or written.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { reply, steps } from "../support/script.js";
import { startHarness, type Harness } from "../support/opencode-harness.js";
import { runOrch } from "../support/cli.js";

let h: Harness;
let base: string;
let url: string;
beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), "orch-plan-cli-"));
  h = await startHarness(steps([]));
  url = h.runtime.server.url!;
});
afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

const TODO = "# Shop\n\nSome notes.\n\n## Core\n\n- [x] T1 Cart model\n\n## Docs\n\n- [ ] T2 README\n";
let n = 0;

/** A mission in a git repo; `config` goes to .orchestrator/config.json. */
function mission(config: object = {}): string {
  const dir = path.join(base, `m${++n}`);
  mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
  writeFileSync(path.join(dir, "TODO.md"), TODO);
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify(config));
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("-c", "user.email=t@orch", "-c", "user.name=t", "commit", "-q", "--allow-empty", "-m", `mission ${n} ${base}`);
  return dir;
}

/** Every file under `dir` but .git, with its content. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.name === ".git") continue;
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

const task = (id: string, deps: string[] = [], over: object = {}) => ({ id, title: `Coupons step ${id}`, type: "logic", deps, files: [`src/${id}.js`], verify: [`node --test test/${id}.test.js`], body: `Write src/${id}.js.`, acceptance: [`${id} is exported`], ...over });
const answer = (...tasks: unknown[]) => reply.text(JSON.stringify({ summary: "two steps", tasks }));

describe("orch plan", () => {
  it("writes the tasks at the end of TODO.md, prints what it added, and records the planner's spend in the history", { timeout: 60_000 }, async () => {
    h.model.setScript(steps([{ when: { role: "planner" }, reply: answer(task("N1"), task("N2", ["N1", "T1"])) }]));
    const dir = mission();
    const r = await runOrch(["plan", "Add discount coupons", "--dir", dir, "--server", url]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe(`${TODO}- [ ] T3 Coupons step N1\n- [ ] T4 Coupons step N2 (after T3, T1)\n`);
    expect(readFileSync(path.join(dir, "tasks", "T3.md"), "utf8")).toBe("---\ntype: logic\nfiles:\n  - src/N1.js\nverify:\n  - node --test test/N1.test.js\n---\nWrite src/N1.js.\n\n## Acceptance criteria\n\n- N1 is exported\n");
    expect(r.stdout).toMatch(/^Added 2 tasks to TODO\.md:\n {2}T3 {2}Coupons step N1 {2}→ tasks\/T3\.md\n {2}T4 {2}Coupons step N2 \(after T3, T1\) {2}→ tasks\/T4\.md\nplanner: [\d,]+ tok \$\d\.\d{4}\n`orch watch` \(or `orch run`\) starts them\.\n$/);
    // The planner was shown the repository's files and the existing tasks.
    const planner = h.model.requests.find((q) => q.directory === dir && q.tools.length > 0)!;
    expect(planner.lastUser).toMatch(/### Files \(\d+\)\n\n(.*\n)*TODO\.md\n/);
    expect(planner.lastUser).toContain("- [x] T1 Cart model");
    expect(planner.lastUser).not.toContain("# Context for");
    const valid = await runOrch(["validate", "--dir", dir]);
    expect(valid.status, valid.stdout + valid.stderr).toBe(0);
    // The spend: a `plan` event of the mission, counted by log and status under the planner role.
    const log = JSON.parse((await runOrch(["log", "mission", "--json", "--dir", dir])).stdout);
    expect(log).toEqual([expect.objectContaining({ task: "mission", kind: "plan", role: "planner", tokens: expect.any(Number), detail: expect.objectContaining({ goal: "Add discount coupons", written: ["T3", "T4"], tasks: ["T3", "T4"], invalidAnswers: 0 }) })]);
    expect(log[0].tokens).toBeGreaterThan(0);
    const status = JSON.parse((await runOrch(["status", "--json", "--dir", dir])).stdout);
    expect(status.spend.roles.planner.tokens).toBe(log[0].tokens);
  });

  it("--under puts the lines under that heading; --json says what was added", { timeout: 60_000 }, async () => {
    h.model.setScript(steps([{ when: { role: "planner" }, reply: answer(task("N1"), task("N2", ["N1"], { files: ["src/a.js", "src/b.js", "src/c.js", "src/d.js", "src/e.js", "src/f.js"] })) }]));
    const dir = mission();
    const r = await runOrch(["plan", "Add coupons", "--under", "## Core", "--json", "--dir", dir, "--server", url]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe(TODO.replace("- [x] T1 Cart model\n", "- [x] T1 Cart model\n- [ ] T3 Coupons step N1\n- [ ] T4 Coupons step N2 (after T3)\n"));
    const out = JSON.parse(r.stdout);
    expect(out).toMatchObject({ ok: true, dryRun: false, held: false, todoFile: "TODO.md", placement: { under: "## Core" }, summary: "two steps", invalidAnswers: 0 });
    expect(out.tasks.map((t: { id: string; name: string; deps: string[]; file: string }) => [t.id, t.name, t.deps, t.file])).toEqual([["T3", "N1", [], "tasks/T3.md"], ["T4", "N2", ["T3"], "tasks/T4.md"]]);
    expect(out.warnings).toEqual(["T4 (N2): 6 entries in files: a task should touch few files (at most 5); consider splitting it"]);
    expect(r.stderr).toContain("orch: warning: T4 (N2): 6 entries in files");
    expect(out.spend.tokens).toBeGreaterThan(0);
  });

  it("--dry-run prints the diff of TODO.md and the new task files and writes none of them", { timeout: 60_000 }, async () => {
    h.model.setScript(steps([{ when: { role: "planner" }, reply: answer(task("N1")) }]));
    const dir = mission();
    const r = await runOrch(["plan", "Add coupons", "--dry-run", "--dir", dir, "--server", url]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe(
      [
        "--- a/TODO.md", "+++ b/TODO.md", "@@ -9,3 +9,4 @@", " ## Docs", " ", " - [ ] T2 README", "+- [ ] T3 Coupons step N1",
        "--- /dev/null", "+++ b/tasks/T3.md", "@@ -0,0 +1,12 @@", "+---", "+type: logic", "+files:", "+  - src/N1.js", "+verify:", "+  - node --test test/N1.test.js", "+---", "+Write src/N1.js.", "+", "+## Acceptance criteria", "+", "+- N1 is exported", "",
      ].join("\n"),
    );
    expect(r.stderr).toContain("Would add 1 task to TODO.md:");
    expect(r.stderr).toContain("Nothing was written (--dry-run).");
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe(TODO);
    expect(existsSync(path.join(dir, "tasks"))).toBe(false);
    // What it cost is still in the history (the tokens were spent).
    const log = JSON.parse((await runOrch(["log", "mission", "--json", "--dir", dir])).stdout);
    expect(log).toEqual([expect.objectContaining({ kind: "plan", detail: expect.objectContaining({ dryRun: true, written: [] }) })]);
  });

  it("--hold writes the tasks suspended; `orch resume` releases them", { timeout: 60_000 }, async () => {
    h.model.setScript(steps([{ when: { role: "planner" }, reply: answer(task("N1"), task("N2")) }]));
    const dir = mission();
    const r = await runOrch(["plan", "Add coupons", "--hold", "--dir", dir, "--server", url]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("Added 2 tasks to TODO.md, held:");
    expect(r.stdout).toContain("They wait until `orch resume T3 T4`.");
    const controls = () => JSON.parse(readFileSync(path.join(dir, ".orchestrator", "control", "requests.json"), "utf8")).value;
    expect(controls().suspended).toEqual(["T3", "T4"]);
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toContain("- [ ] T4 Coupons step N2\n");
    expect((await runOrch(["resume", "T3", "T4", "--dir", dir])).status).toBe(0);
    expect(controls().suspended).toEqual([]);
  });

  it("ids taken while the planner works (a person's lines): the plan gets the next free ids as it is written; --hold suspends those", { timeout: 60_000 }, async () => {
    const dir = mission();
    // The person adds T3 and T4 during the planner's session: the ids the check saw free.
    const meanwhile = () => (writeFileSync(path.join(dir, "TODO.md"), `${TODO}- [ ] T3 By hand\n- [ ] T4 By hand too\n`), answer(task("N1"), task("N2", ["N1"])));
    h.model.setScript(steps([{ when: { role: "planner" }, reply: () => meanwhile() }]));
    const r = await runOrch(["plan", "Add discount coupons", "--hold", "--dir", dir, "--server", url]);
    expect(r.status, r.stderr).toBe(0);
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe(`${TODO}- [ ] T3 By hand\n- [ ] T4 By hand too\n- [ ] T5 Coupons step N1\n- [ ] T6 Coupons step N2 (after T5)\n`);
    expect(r.stdout).toContain("`orch resume T5 T6`");
    expect(JSON.parse(readFileSync(path.join(dir, ".orchestrator", "control", "requests.json"), "utf8")).value.suspended).toEqual(["T5", "T6"]);
    const log = JSON.parse((await runOrch(["log", "mission", "--json", "--dir", dir])).stdout);
    expect(log).toEqual([expect.objectContaining({ kind: "plan", detail: expect.objectContaining({ written: ["T5", "T6"] }) })]);
  });

  it("a write that fails (the heading gone while the planner worked) still records the planner's spend", { timeout: 60_000 }, async () => {
    const dir = mission();
    const meanwhile = () => (writeFileSync(path.join(dir, "TODO.md"), "# Shop\n\n- [x] T1 Cart model\n"), answer(task("N1")));
    h.model.setScript(steps([{ when: { role: "planner" }, reply: () => meanwhile() }]));
    const r = await runOrch(["plan", "Add discount coupons", "--under", "## Docs", "--dir", dir, "--server", url]);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain("the plan was not written");
    const log = JSON.parse((await runOrch(["log", "mission", "--json", "--dir", dir])).stdout);
    expect(log).toEqual([expect.objectContaining({ kind: "plan", role: "planner", detail: expect.objectContaining({ written: [] }) })]);
    expect(log[0].tokens).toBeGreaterThan(0);
  });

  it("the planner's spend counts toward the mission budget: once it is used up, orch plan refuses (exit 5), no planner session, nothing written", { timeout: 60_000 }, async () => {
    h.model.setScript(steps([{ when: { role: "planner" }, reply: answer(task("N1")) }]));
    const dir = mission();
    expect((await runOrch(["plan", "Add coupons", "--dir", dir, "--server", url])).status).toBe(0);
    const spent = JSON.parse((await runOrch(["log", "mission", "--json", "--dir", dir])).stdout)[0].tokens as number;
    writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify({ missionBudget: { tokens: spent } }));
    const before = snapshot(dir);
    const asked = h.model.requests.length;
    const r = await runOrch(["plan", "Add more", "--dir", dir, "--server", url]);
    expect(r.status).toBe(5);
    expect(r.stderr).toContain(`orch plan: the mission budget is used up (used ${spent} of ${spent} mission tokens)`);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(h.model.requests.length).toBe(asked);
    expect(snapshot(dir)).toEqual(before);
    // orch run counts it too: nothing starts, exit 5.
    expect((await runOrch(["run", "--dir", dir, "--server", url])).status).toBe(5);
  });

  it("a cycle is sent back to the planner and the corrected plan written", { timeout: 60_000 }, async () => {
    h.model.setScript(
      steps([
        { when: { role: "planner", user: "Plan:" }, reply: answer(task("N1", ["N2"]), task("N2", ["N1"])) },
        { when: { user: "was not accepted" }, reply: answer(task("N1"), task("N2", ["N1"])) },
      ]),
    );
    const dir = mission();
    const r = await runOrch(["plan", "Add coupons", "--dir", dir, "--server", url]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain("(1 answer sent back)");
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe(`${TODO}- [ ] T3 Coupons step N1\n- [ ] T4 Coupons step N2 (after T3)\n`);
  });

  const never: [string, unknown[], string][] = [
    ["500 tasks", Array.from({ length: 500 }, (_, i) => task(`N${i + 1}`)), "the plan has 500 tasks, over the limit of 50"],
    ["a path outside the repository", [task("N1", [], { files: ["../../etc/passwd"] })], 'tasks.0.files: "../../etc/passwd" leaves the repository'],
  ];
  it.each(never)("a planner that never answers a valid plan (%s): exit 1, the last problems named, nothing written but the spend", { timeout: 60_000 }, async (_name, tasks, problem) => {
    h.model.setScript(steps([{ when: { role: "planner" }, reply: answer(...tasks) }]));
    const dir = mission({ plan: { maxRetries: 1 } });
    const before = snapshot(dir);
    const r = await runOrch(["plan", "Add coupons", "--json", "--dir", dir, "--server", url]);
    expect(r.status, r.stderr).toBe(1);
    expect(r.stderr).toContain(`orch: the planner gave no valid plan in 2 answers; nothing was written. The last answer's problems:\n    ${problem}`);
    expect(r.stderr).toContain("hint: Make the goal smaller");
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(JSON.parse(r.stdout)).toMatchObject({ ok: false, error: { code: "invalid-plan", exitCode: 1 }, errors: [expect.stringContaining(problem)] });
    const after = snapshot(dir);
    const history = after[".orchestrator/history/mission.jsonl"]!;
    expect(JSON.parse(history)).toMatchObject({ kind: "plan-failed", role: "planner", error: "the planner gave no valid plan in 2 answers" });
    for (const f of Object.keys(after)) if (!f.startsWith(".orchestrator/")) expect(after[f]).toBe(before[f]);
    expect(Object.keys(after).filter((f) => !f.startsWith(".orchestrator/"))).toEqual(Object.keys(before).filter((f) => !f.startsWith(".orchestrator/")));
  });
});

describe("orch plan: bad input, refused before anything is spent or written", () => {
  const big = path.join(tmpdir(), `orch-goal-big-${process.pid}.md`);
  const bin = path.join(tmpdir(), `orch-goal-bin-${process.pid}.md`);
  const empty = path.join(tmpdir(), `orch-goal-empty-${process.pid}.md`);
  beforeAll(() => {
    writeFileSync(big, "x".repeat(64 * 1024 + 1));
    writeFileSync(bin, Buffer.from([0x47, 0x6f, 0x00, 0x61, 0x6c]));
    writeFileSync(empty, "  \n\n");
  });
  afterAll(() => [big, bin, empty].forEach((f) => rmSync(f, { force: true })));

  const cases: [string, (dir: string) => string[], number, string][] = [
    ["an empty goal", () => ["plan", "   "], 2, "orch: the goal is empty"],
    ["no goal at all", () => ["plan"], 2, "orch: no goal: say what to plan"],
    ["a goal and --from", () => ["plan", "x", "--from", empty], 2, "orch: give the goal either as an argument or with --from, not both"],
    ["a goal file that is empty", () => ["plan", "--from", empty], 2, `orch: ${empty} is empty: no goal to plan`],
    ["a goal file that is binary", () => ["plan", "--from", bin], 2, `orch: ${bin} looks binary (a NUL byte at offset 2)`],
    ["a goal file that is huge", () => ["plan", "--from", big], 2, `orch: ${big} is 65537 bytes, over the 65536-byte limit for a goal`],
    ["a goal file that is not there", (dir) => ["plan", "--from", path.join(dir, "nope.md")], 2, "nope.md not found"],
    ["a goal file that is a folder", (dir) => ["plan", "--from", dir], 2, "is not a regular file"],
    ["--under a heading that does not exist", () => ["plan", "x", "--under", "## Cor"], 2, 'orch: --under: no heading "## Cor" in the task list\n  hint: Did you mean "Core"? Leave out --under to add the tasks at the end.'],
  ];
  it.each(cases)("%s", async (_name, argv, code, message) => {
    const dir = mission();
    const before = snapshot(dir);
    const calls = h.model.requests.length;
    const r = await runOrch([...argv(dir), "--dir", dir, "--server", url]);
    expect(r.status, r.stderr).toBe(code);
    expect(r.stderr).toContain(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(snapshot(dir)).toEqual(before);
    expect(h.model.requests.length).toBe(calls);
  });

  it("no model configured: the existing error (exit 2), nothing written", async () => {
    const dir = path.join(base, "nomodel");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "TODO.md"), TODO);
    const r = await runOrch(["plan", "Add coupons", "--dir", dir]);
    expect(r.status, r.stderr).toBe(2);
    expect(r.stderr).toContain("orch: no model is configured");
    expect(readdirSync(dir)).toEqual(["TODO.md"]);
  });

  it("no TODO.md: says to run orch init (exit 2)", async () => {
    const dir = mkdtempSync(path.join(base, "empty-"));
    const r = await runOrch(["plan", "Add coupons", "--dir", dir, "--server", url]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("orch: no TODO.md in");
    expect(readdirSync(dir)).toEqual([]);
  });
});
