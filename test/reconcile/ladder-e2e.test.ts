// The self-healing ladder end to end (docs/RECONCILER.md, "The ladder"): the built CLI against a real
// `opencode serve` and the scripted model. A searcher's findings reach the next fixer's prompt; a task
// that keeps failing asks a person (WaitingForPerson, a question in the inbox), and the answer, given
// by editing the file under `orch watch` or with `orch answer`, reaches the next attempt's prompt.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, watch, writeFileSync, type FSWatcher } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelRequest } from "../../src/demo/scripted-model.js";
import { roleOf } from "../../src/demo/script.js";
import { reply, steps } from "../support/script.js";
import { startHarness, type Harness } from "../support/opencode-harness.js";
import { runOrch } from "../support/cli.js";

let h: Harness;
let base: string;
beforeAll(async () => {
  base = mkdtempSync(path.join(tmpdir(), "orch-ladder-"));
  h = await startHarness(steps([]));
}, 60_000);
afterAll(async () => {
  await h?.close();
  rmSync(base, { recursive: true, force: true });
});

/** A one-task mission in a git repo: T1 must write greet.txt saying hello. */
function mission(name: string, config: object): string {
  const dir = path.join(base, name);
  mkdirSync(path.join(dir, "tasks"), { recursive: true });
  mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
  writeFileSync(path.join(dir, "TODO.md"), "# m\n\n- [ ] T1 Write greet.txt\n");
  writeFileSync(path.join(dir, "tasks", "T1.md"), "---\nfiles:\n  - greet.txt\nverify:\n  - grep -q hello greet.txt\n---\nWrite greet.txt with a greeting.\n");
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify({ retry: { baseMs: 100, maxMs: 500, jitter: 0 }, review: { enabled: false }, ...config }));
  const git = (...a: string[]) => execFileSync("git", a, { cwd: dir, stdio: "ignore" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=e2e@orch", "-c", "user.name=e2e", "commit", "-qm", `mission ${name}`);
  return dir;
}

const run = (dir: string) => runOrch(["run", "--dir", dir, "--server", h.runtime.server.url!]);
const state = (dir: string) => JSON.parse(readFileSync(path.join(dir, ".orchestrator", "state", "T1.json"), "utf8")).value;
const inbox = (dir: string) => path.join(dir, ".orchestrator", "inbox", "T1.md");
/** The task prompt of a request (its first user message). */
const promptOf = (r: ModelRequest) => {
  const c = r.messages.find((m) => m.role === "user")?.content;
  return typeof c === "string" ? c : JSON.stringify(c);
};
/** The prompts the scripted model got from sessions of `role` in `dir`, first turns only. */
const prompts = (dir: string, role: string) => h.model.requests.filter((r) => roleOf(r) === role && r.turn === 0 && r.directory?.includes(path.basename(dir)) !== false && r.tools.length > 0).map(promptOf);
const history = (dir: string) => readFileSync(path.join(dir, ".orchestrator", "history", "T1.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));

/** Writes greet.txt with `text` in the session's directory. */
const write = (text: string) => (r: ModelRequest) => reply.write(path.join(r.directory!, "greet.txt"), text);

/** Resolves once `cond()` holds, re-checked on each change in the folder `dir` (fs.watch events, no polling). */
async function whenIn(dir: string, cond: () => boolean, what: string, ms = 60_000): Promise<void> {
  mkdirSync(dir, { recursive: true });
  let watcher: FSWatcher | undefined;
  let timer: NodeJS.Timeout | undefined;
  try {
    await new Promise<void>((resolve, reject) => {
      watcher = watch(dir, () => cond() && resolve());
      timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}`)), ms);
      if (cond()) resolve();
    });
  } finally {
    watcher?.close();
    clearTimeout(timer);
  }
}

/** A script whose worker and fixers write the wrong greeting and ask; once told the answer in their prompt, they write hello. */
function askingScript(answer: string) {
  return steps([
    { when: (r) => (roleOf(r) === "worker" || roleOf(r) === "fixer") && r.turn === 0 && promptOf(r).includes(answer), reply: write("hello\n") },
    { when: (r) => (roleOf(r) === "worker" || roleOf(r) === "fixer") && r.turn === 0, reply: write("bonjour\n") },
    { when: { role: "worker" }, reply: reply.text("Wrote a greeting.\nQuestion: which language should the greeting be in?") },
    { when: { role: "fixer" }, reply: reply.text("Tried again.\nQuestion: which language should the greeting be in?") },
  ]);
}

describe("the ladder, end to end", () => {
  it("the search rung: a searcher session runs after the failure it names, and its findings reach the next fixer's prompt", { timeout: 120_000 }, async () => {
    const dir = mission("search", { budget: { attempts: 3 }, ladder: { search: 1, split: 0, ask: 0 } });
    h.model.setScript(
      steps([
        { when: (r) => roleOf(r) === "worker" && r.turn === 0, reply: write("hi\n") },
        { when: (r) => roleOf(r) === "searcher" && r.turn === 0, reply: reply.text("greet.txt:1: FOUND-BY-SEARCHER the tests grep for the word hello") },
        { when: (r) => roleOf(r) === "fixer" && r.turn === 0 && promptOf(r).includes("FOUND-BY-SEARCHER"), reply: write("hello\n") },
        { when: (r) => roleOf(r) === "fixer" && r.turn === 0, reply: write("still wrong\n") },
      ]),
    );
    const before = h.model.requests.length;
    const r = await run(dir);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(state(dir)).toMatchObject({ phase: "Succeeded", attempts: 2 });
    const mine = h.model.requests.slice(before).filter((x) => x.tools.length > 0 && x.turn === 0);
    expect(mine.map(roleOf)).toEqual(["worker", "searcher", "fixer"]);
    // The searcher was told why the attempt failed, with read-only tools; the fixer got its report.
    expect(promptOf(mine[1]!)).toContain("Verify failed: `grep -q hello greet.txt` exited 1");
    expect(mine[1]!.tools).not.toContain("write");
    expect(promptOf(mine[2]!)).toContain("## What a searcher found in the repository\n\ngreet.txt:1: FOUND-BY-SEARCHER");
    const kinds = history(dir).map((e) => `${e.kind}${e.role ? `:${e.role}` : ""}`);
    expect(kinds.filter((k) => k.startsWith("session-end") || k.startsWith("search"))).toEqual(["session-end:worker", "session-end:searcher", "search:searcher", "session-end:fixer"]);
    // orch log tells the story in order: worker, verify failed, searcher, fixer, Succeeded.
    const log = (await runOrch(["log", "T1", "--dir", dir])).stdout;
    const order = ["worker", "verdict: fail", "Verifying → Running (Searching)", "searcher", "  search  searcher  verdict: found", "Running → Running (Fixing)", "fixer", "Verifying → Succeeded"].map((w) => log.indexOf(w));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!)), log).toBe(true);
  });

  it("the ask rung: WaitingForPerson (not Failed) with a question file; an answer written in it under `orch watch` reaches the next prompt, on a fresh budget", { timeout: 120_000 }, async () => {
    const dir = mission("ask-file", { budget: { attempts: 2 }, ladder: { search: 0, split: 0, ask: 2 } });
    h.model.setScript(askingScript("Use English"));
    const watcher = spawn(process.execPath, [path.join(process.cwd(), "dist", "bin", "orch.js"), "watch", "--dir", dir, "--server", h.runtime.server.url!], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    watcher.stdout.on("data", (d: Buffer) => (out += d.toString()));
    watcher.stderr.on("data", (d: Buffer) => (out += d.toString()));
    try {
      await whenIn(path.dirname(inbox(dir)), () => existsSync(inbox(dir)), "the question file");
      await whenIn(path.join(dir, ".orchestrator", "state"), () => state(dir).phase === "WaitingForPerson", "WaitingForPerson");
      expect(state(dir)).toMatchObject({ phase: "WaitingForPerson", attempts: 2, lastError: { code: "VerifyFailed", terminal: false } });
      const question = readFileSync(inbox(dir), "utf8");
      expect(question).toContain("# T1 waits for a person: Write greet.txt");
      expect(question).toContain("## The agent's question\n\nwhich language should the greeting be in?");
      expect(question).toMatch(/## What was tried\n\n- attempt 1, worker: "Question: which language/);
      expect(question).toContain("attempt 2, verify failed: grep -q hello greet.txt: exit 1");
      expect(question).toContain("## The last verify output\n\n```text\n$ grep -q hello greet.txt   (exit 1)");
      expect(question.trimEnd().split("\n").at(-1)).toMatch(/^<!-- orch: write your answer below this line/);
      expect((await runOrch(["status", "--dir", dir])).stdout).toContain('T1 waits for a person: read .orchestrator/inbox/T1.md and answer under its last line, or run `orch answer T1 "…"`');
      // A person answers by writing under the marked line; the watcher sees the file change.
      writeFileSync(inbox(dir), `${question}Use English, please.\n`);
      await whenIn(path.join(dir, ".orchestrator", "state"), () => state(dir).phase === "Succeeded", "Succeeded", 60_000);
    } finally {
      watcher.kill("SIGTERM");
      await new Promise((r) => watcher.on("exit", r));
    }
    expect(state(dir)).toMatchObject({ phase: "Succeeded", attempts: 1, answer: { text: "Use English, please." } });
    const last = prompts(dir, "worker").at(-1)!;
    expect(last).toContain("## A person's answer\n\nYou asked for help on this task, and a person answered:\n\nUse English, please.");
    expect(existsSync(inbox(dir))).toBe(false);
    const kinds = history(dir).map((e) => e.kind);
    expect(kinds.indexOf("asked")).toBeLessThan(kinds.indexOf("answered"));
    expect(history(dir).find((e) => e.kind === "answered")).toMatchObject({ detail: { answer: "Use English, please.", file: ".orchestrator/inbox/T1.md" } });
    expect(out).toContain("T1: Verifying → WaitingForPerson (AskedPerson: verify failed on attempt 2: waiting for a person's answer: answer in .orchestrator/inbox/T1.md or with `orch answer T1 \"…\"`)");
  });

  it("`orch answer`: answers a waiting task (its next attempt gets the answer); bad input is exit 2 with nothing written", { timeout: 120_000 }, async () => {
    const dir = mission("ask-cli", { budget: { attempts: 1 }, ladder: { search: 0, split: 0, ask: 1 } });
    h.model.setScript(askingScript("greet in English"));
    // Not run yet, unknown task, empty answer: exit 2, a hint, no stack trace, no file.
    for (const [args, says] of [
      [["T1", "x"], "T1 is not waiting for a person (it has not run yet)"],
      [["T9", "x"], "no task T9 in TODO.md"],
      [["T1", "  "], "the answer is empty"],
    ] as const) {
      const r = await runOrch(["answer", ...args, "--dir", dir]);
      expect(r.status, args.join(" ")).toBe(2);
      expect(r.stderr).toContain(says);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    }
    const first = await run(dir);
    expect(first.status, first.stdout + first.stderr).toBe(1); // not all done: T1 waits for a person
    expect(state(dir).phase).toBe("WaitingForPerson");
    // A person left the file malformed (the marked line deleted): orch says so and T1 keeps waiting.
    const question = readFileSync(inbox(dir), "utf8");
    writeFileSync(inbox(dir), question.replace(/<!-- orch: write your answer[^\n]*\n/, "") + "greet in English\n");
    const malformed = await run(dir);
    expect(malformed.status).toBe(1);
    expect(malformed.stdout + malformed.stderr).toContain(".orchestrator/inbox/T1.md:1:1: the line orch reads the answer under is missing");
    expect(state(dir).phase).toBe("WaitingForPerson");
    // `orch answer` puts the line back with the answer under it, keeping what the person wrote above.
    const a = await runOrch(["answer", "T1", "greet in English", "--dir", dir]);
    expect(a.status, a.stderr).toBe(0);
    expect(a.stdout).toContain("T1: answered (.orchestrator/inbox/T1.md)");
    expect(readFileSync(inbox(dir), "utf8")).toMatch(/greet in English\n\n<!-- orch: write your answer below this line[^\n]*\n\ngreet in English\n$/);
    const second = await run(dir);
    expect(second.status, second.stdout + second.stderr).toBe(0);
    expect(state(dir)).toMatchObject({ phase: "Succeeded", answer: { text: "greet in English" } });
    expect(prompts(dir, "worker").at(-1)).toContain("a person answered:\n\ngreet in English");
    // A task that no longer waits: exit 2, the file left alone (there is none now).
    const late = await runOrch(["answer", "T1", "again", "--dir", dir]);
    expect(late.status).toBe(2);
    expect(late.stderr).toContain("T1 is not waiting for a person (it is Succeeded)");
    expect(existsSync(inbox(dir))).toBe(false);
  });
});

describe("an answer given with an edit", () => {
  it("a person answers in the question file and edits the task file before the next orch run: the answer is in the record, the history and the next prompt; the file goes", { timeout: 120_000 }, async () => {
    const dir = mission("ask-edit", { budget: { attempts: 1 }, ladder: { search: 0, split: 0, ask: 1 } });
    h.model.setScript(askingScript("Answer: English"));
    expect((await run(dir)).status).toBe(1);
    expect(state(dir).phase).toBe("WaitingForPerson");
    writeFileSync(inbox(dir), `${readFileSync(inbox(dir), "utf8")}Answer: English.\n`);
    const spec = path.join(dir, "tasks", "T1.md");
    writeFileSync(spec, readFileSync(spec, "utf8").replace("Write greet.txt with a greeting.", "Write greet.txt with a short greeting."));
    const again = await run(dir);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(state(dir)).toMatchObject({ phase: "Succeeded", answer: { text: "Answer: English." } });
    expect(prompts(dir, "worker").at(-1)).toContain("a person answered:\n\nAnswer: English.");
    expect(history(dir).find((e) => e.kind === "answered")).toMatchObject({ detail: { answer: "Answer: English." } });
    expect(existsSync(inbox(dir))).toBe(false);
  });
});

describe("a question that is moot", () => {
  it("`orch retry` of a task waiting for a person starts it over without an answer, and its question file goes", { timeout: 120_000 }, async () => {
    const dir = mission("ask-retry", { budget: { attempts: 1 }, ladder: { search: 0, split: 0, ask: 1 } });
    let workers = 0;
    h.model.setScript(
      steps([
        { when: (r) => roleOf(r) === "worker" && r.turn === 0, reply: (r) => write(++workers === 1 ? "bonjour\n" : "hello\n")(r) },
        { when: { role: "worker" }, reply: reply.text("Wrote a greeting.\nQuestion: which language?") },
      ]),
    );
    expect((await run(dir)).status).toBe(1);
    expect(existsSync(inbox(dir))).toBe(true);
    expect((await runOrch(["retry", "T1", "--dir", dir])).status).toBe(0);
    const again = await run(dir);
    expect(again.status, again.stdout + again.stderr).toBe(0);
    expect(state(dir)).toMatchObject({ phase: "Succeeded" });
    expect(state(dir)).not.toHaveProperty("answer");
    expect(existsSync(inbox(dir))).toBe(false);
  });
});

describe("the split rung, end to end", () => {
  /** T1 is too much for one session: its worker writes nothing; its verify needs both halves. */
  function splitMission(name: string, config: object): string {
    const dir = mission(name, config);
    writeFileSync(path.join(dir, "tasks", "T1.md"), "---\nfiles:\n  - a.txt\n  - b.txt\nverify:\n  - grep -q A a.txt && grep -q B b.txt\n---\nWrite a.txt and b.txt.\n");
    execFileSync("git", ["-c", "user.email=e2e@orch", "-c", "user.name=e2e", "commit", "-qam", "T1 needs two files"], { cwd: dir });
    return dir;
  }
  const plan = JSON.stringify({
    summary: "one file each",
    tasks: [
      { id: "N1", title: "Write a.txt", deps: [], files: ["a.txt"], verify: ["grep -q A a.txt"], body: "Write A into a.txt.", acceptance: ["a.txt says A"] },
      { id: "N2", title: "Write b.txt", deps: [], files: ["b.txt"], verify: ["grep -q B b.txt"], body: "Write B into b.txt.", acceptance: ["b.txt says B"] },
    ],
  });
  const halves = (planner: (r: ModelRequest) => ReturnType<typeof reply.text>) =>
    steps([
      { when: (r) => roleOf(r) === "planner" && r.turn === 0, reply: planner },
      { when: (r) => roleOf(r) === "worker" && r.turn === 0 && promptOf(r).includes("Write A into a.txt"), reply: (r) => reply.write(path.join(r.directory!, "a.txt"), "A\n") },
      { when: (r) => roleOf(r) === "worker" && r.turn === 0 && promptOf(r).includes("Write B into b.txt"), reply: (r) => reply.write(path.join(r.directory!, "b.txt"), "B\n") },
      { when: { role: "worker" }, reply: reply.text("This is too much for one session; I wrote nothing.") },
      { when: { role: "fixer" }, reply: reply.text("Still too much; nothing written.\nQuestion: may I split it?") },
    ]);

  it("the planner splits a failing task into subtasks nested under it (with task files); they succeed, then the task runs its own verify once more and succeeds", { timeout: 180_000 }, async () => {
    const dir = splitMission("split", { budget: { attempts: 3 }, ladder: { search: 0, split: 1, ask: 0 } });
    h.model.setScript(halves(() => reply.text(plan)));
    const before = h.model.requests.length;
    const r = await run(dir);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    // The subtasks are nested under T1, checked, with their task files; T1 is done after them.
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe("# m\n\n- [x] T1 Write greet.txt\n  - [x] T2 Write a.txt\n  - [x] T3 Write b.txt\n");
    expect(readFileSync(path.join(dir, "tasks", "T2.md"), "utf8")).toContain("verify:\n  - grep -q A a.txt");
    expect(state(dir)).toMatchObject({ phase: "Succeeded", attempts: 2, split: { into: ["T2", "T3"] } });
    // The planner was asked to split T1; T1's second attempt ran no session (only its verify).
    const mine = h.model.requests.slice(before).filter((x) => x.tools.length > 0 && x.turn === 0);
    const planner = mine.find((x) => roleOf(x) === "planner")!;
    expect(promptOf(planner)).toContain("## The task to split\n\nT1 Write greet.txt");
    expect(mine.filter((x) => promptOf(x).includes("Write a.txt and b.txt") && roleOf(x) !== "planner").map(roleOf)).toEqual(["worker"]);
    const t1 = history(dir).map((e) => `${e.kind}${e.to ? `:${e.to}` : ""}${e.detail?.reason ? `(${e.detail.reason})` : ""}`);
    expect(t1.filter((k) => /^(plan|split|verify|phase:(Pending|Running|Succeeded))/.test(k))).toEqual(["phase:Running(Started)", "plan", "split", "phase:Pending(Split)", "phase:Pending(Ready)", "phase:Running(SubtasksDone)", "verify", "phase:Succeeded(Succeeded)"]);
    const log = (await runOrch(["log", "T1", "--dir", dir])).stdout;
    expect(log).toMatch(/#1 {2}split {2}verdict: split {2}into T2, T3/);
    expect(log).toMatch(/planner \d[\d,]* tok/);
  });

  it("a subtask a split wrote is not split again (ladder.maxSplitDepth, default 1): it goes on to ask a person", { timeout: 120_000 }, async () => {
    const dir = splitMission("split-depth", { budget: { attempts: 3 }, ladder: { search: 0, split: 1, ask: 2 } });
    const before = h.model.requests.length;
    h.model.setScript(
      steps([
        { when: (r) => roleOf(r) === "planner" && r.turn === 0, reply: () => reply.text(plan) },
        { when: { role: "worker" }, reply: reply.text("Too much for one session; I wrote nothing.\nQuestion: what should I write?") },
        { when: { role: "fixer" }, reply: reply.text("Still nothing.\nQuestion: what should I write?") },
      ]),
    );
    const r = await run(dir);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    const planners = h.model.requests.slice(before).filter((x) => roleOf(x) === "planner" && x.turn === 0 && x.tools.length > 0);
    expect(planners.map((x) => promptOf(x).match(/## The task to split\n\n(T\d)/)?.[1])).toEqual(["T1"]);
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe("# m\n\n- [ ] T1 Write greet.txt\n  - [ ] T2 Write a.txt\n  - [ ] T3 Write b.txt\n");
    const sub = JSON.parse(readFileSync(path.join(dir, ".orchestrator", "state", "T2.json"), "utf8")).value;
    expect(sub).toMatchObject({ phase: "WaitingForPerson", attempts: 2 });
    expect(sub).not.toHaveProperty("split");
  });

  it("a subtask may not rewrite its split parent's acceptance tests (the guard holds it to them): AcceptanceTestChanged, and the parent is not done", { timeout: 120_000 }, async () => {
    const dir = mission("split-tests", { budget: { attempts: 3 }, ladder: { search: 0, split: 1, ask: 0 } });
    mkdirSync(path.join(dir, "test"));
    writeFileSync(path.join(dir, "test", "check.sh"), "grep -q hello greet.txt\n");
    writeFileSync(path.join(dir, "tasks", "T1.md"), "---\nfiles:\n  - greet.txt\n  - test/check.sh\nverify:\n  - sh test/check.sh\n---\nWrite greet.txt.\n");
    execFileSync("git", ["add", "."], { cwd: dir });
    execFileSync("git", ["-c", "user.email=e2e@orch", "-c", "user.name=e2e", "commit", "-qm", "T1 has a test"], { cwd: dir });
    const one = JSON.stringify({ summary: "one", tasks: [{ id: "N1", title: "Make the check pass", deps: [], files: ["greet.txt", "test/check.sh"], verify: ["true"], body: "Make test/check.sh pass.", acceptance: ["it passes"] }] });
    h.model.setScript(
      steps([
        { when: (r) => roleOf(r) === "planner" && r.turn === 0, reply: () => reply.text(one) },
        // The subtask's worker "passes" by rewriting the parent's test.
        { when: (r) => roleOf(r) === "worker" && r.turn === 0 && promptOf(r).includes("Make test/check.sh pass"), reply: (r) => reply.write(path.join(r.directory!, "test", "check.sh"), "exit 0\n") },
        { when: { role: "worker" }, reply: reply.text("I wrote nothing.") },
        { when: { role: "fixer" }, reply: reply.text("Nothing.") },
      ]),
    );
    const r = await run(dir);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    const sub = JSON.parse(readFileSync(path.join(dir, ".orchestrator", "state", "T2.json"), "utf8")).value;
    expect(sub).toMatchObject({ phase: "Failed", lastError: { code: "AcceptanceTestChanged" } });
    expect(state(dir).phase).not.toBe("Succeeded");
    expect(readFileSync(path.join(dir, "test", "check.sh"), "utf8")).toBe("grep -q hello greet.txt\n");
  });

  it("a planner that never answers a valid plan leaves the task unsplit (nothing written): the ladder goes on to the next rung", { timeout: 120_000 }, async () => {
    const dir = splitMission("split-invalid", { budget: { attempts: 3 }, ladder: { search: 0, split: 1, ask: 2 }, plan: { maxRetries: 0 } });
    const todo = readFileSync(path.join(dir, "TODO.md"), "utf8");
    h.model.setScript(halves(() => reply.text("I would split it in two.")));
    const r = await run(dir);
    expect(r.status, r.stdout + r.stderr).toBe(1);
    expect(r.stdout + r.stderr).toContain("the planner could not split T1: invalid-plan");
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toBe(todo);
    expect(existsSync(path.join(dir, "tasks", "T2.md"))).toBe(false);
    // Unsplit, a fixer had attempt 2; its failure reached the ask rung.
    expect(state(dir)).toMatchObject({ phase: "WaitingForPerson", attempts: 2 });
    expect(state(dir)).not.toHaveProperty("split");
    expect(history(dir).map((e) => e.kind)).toEqual(expect.arrayContaining(["plan-failed", "split", "asked"]));
    expect(history(dir).find((e) => e.kind === "split")).toMatchObject({ verdict: "failed" });
  });
});
