// The guard through the real loop and store, real git, the fake runtime (docs/RECONCILER.md, "The
// guard"): an attempt that changed desired state, its acceptance tests or files outside its scope
// fails with the reason and the paths; a box its own session ticked is never taken as a person's.
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { makeRepo, settle, startLoop, type Harness } from "./harness.js";
import { hermeticGit } from "../support/hermetic-git.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});
beforeAll(hermeticGit);

/** A repo with everything committed; the fake runtime's own notes (fake-agent/) are ignored. */
function repo(todo: string, files: Record<string, string>, config: Record<string, unknown> = {}): string {
  const root = makeRepo(todo, { ".gitignore": "fake-agent/\n", ...files }, config);
  const git = (...a: string[]) => execFileSync("git", a, { cwd: root, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=t@orch", "-c", "user.name=t", "commit", "-qm", "init");
  return root;
}

const TODO = "# M\n\n- [ ] T1 one\n- [ ] T2 two (after T1)\n";

async function guardLines(id: string) {
  return (await h!.store.journal.read(id)).filter((e) => e.kind === "guard");
}

describe("the guard: desired state", () => {
  it("a worker that only ticks its own box: Failed DesiredStateChanged, the box unchecked, never 'checked by a person'", async () => {
    const root = repo(TODO, { "tasks/T1.md": "---\nverify: [\"true\"]\n---\n" });
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: [{ write: { "TODO.md": TODO.replace("[ ] T1", "[x] T1") } }] } });
    await settle(h);
    const s = (await h.state("T1"))!;
    expect(s.phase).toBe("Failed");
    expect(s.conditions[0]).toMatchObject({ reason: "DesiredStateChanged" });
    expect(s.lastError).toMatchObject({ code: "DesiredStateChanged", terminal: true, message: expect.stringContaining("T1's box ticked in TODO.md") });
    expect(h.todo()).toBe(TODO);
    expect(h.events.some((e) => e.type === "phase" && e.reason === "CheckedByPerson")).toBe(false);
    expect((await guardLines("T1")).map((e) => [e.verdict, e.detail?.kind, e.detail?.paths])).toEqual([["fail", "desired-state", ["TODO.md"]]]);
    // No fixer: the attempt is over, and verify never ran on it.
    expect(h.runtime.calls.map((c) => c.role)).toEqual(["worker"]);
    expect((await h.store.journal.read("T1")).some((e) => e.kind === "verify")).toBe(false);
    expect((await h.state("T2"))?.phase).toBeUndefined(); // still waits for T1
  });

  it("a worker that deletes another task's line (it has a task file): Failed, and the loop ends", async () => {
    const root = repo(TODO, { "tasks/T1.md": "---\nverify: [\"true\"]\n---\n", "tasks/T2.md": "---\nverify: [\"true\"]\n---\n" });
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: [{ write: { "TODO.md": "# M\n\n- [ ] T1 one\n", "one.txt": "1\n" } }] } });
    await settle(h);
    const s = (await h.state("T1"))!;
    expect(s.phase).toBe("Failed");
    expect(s.lastError?.message).toMatch(/T2's line removed in TODO\.md/);
    expect(h.runtime.calls.filter((c) => c.taskId === "T1")).toHaveLength(1);
  });

  it("a worker that edits its own task file: Failed DesiredStateChanged, the file put back (no new generation starts it over)", async () => {
    const root = repo(TODO, { "tasks/T1.md": "---\nverify: [\"true\"]\n---\nDo one.\n" });
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: [{ write: { "tasks/T1.md": "---\nverify: [\"true\"]\nbudget: { attempts: 99 }\n---\nDo one.\n", "one.txt": "1\n" } }] } });
    await settle(h);
    const s = (await h.state("T1"))!;
    expect(s.phase).toBe("Failed");
    expect(s.lastError).toMatchObject({ code: "DesiredStateChanged", message: expect.stringContaining("tasks/T1.md") });
    expect(readFileSync(path.join(root, "tasks/T1.md"), "utf8")).toBe("---\nverify: [\"true\"]\n---\nDo one.\n");
    expect(h.runtime.calls).toHaveLength(1);
  });

  it("a worker that writes orch's config: Failed DesiredStateChanged", async () => {
    const root = repo(TODO, { "tasks/T1.md": "---\nverify: [\"true\"]\n---\n" });
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: [{ write: { ".orchestrator/config.json": "{}\n" } }] } });
    await settle(h);
    expect((await h.state("T1"))?.lastError).toMatchObject({ code: "DesiredStateChanged", message: expect.stringContaining(".orchestrator/config.json") });
  });
});

describe("the guard: acceptance tests", () => {
  const TEST = "import test from 'node:test';\nimport assert from 'node:assert';\ntest('x', () => assert.equal(1, 2));\n";
  const files = (more = "") => ({ "tasks/T1.md": `---\nfiles: ["src/**", "test/**"]\nverify: ["node --test test/x.test.mjs"]\n${more}---\n`, "test/x.test.mjs": TEST });

  it("a worker that rewrites its acceptance test so that it passes trivially: Failed AcceptanceTestChanged, verify not run", async () => {
    const root = repo("- [ ] T1 one\n", files());
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: [{ write: { "test/x.test.mjs": "// nothing to test\n", "test/helper.mjs": "export {};\n" } }] } });
    await settle(h);
    const s = (await h.state("T1"))!;
    expect(s.phase).toBe("Failed");
    expect(s.lastError).toMatchObject({ code: "AcceptanceTestChanged", message: expect.stringContaining("test/x.test.mjs") });
    expect((await h.store.journal.read("T1")).some((e) => e.kind === "verify")).toBe(false);
    expect(h.todo()).toContain("- [ ] T1");
  });

  it("editsTests: true lets a task write its tests", async () => {
    const root = repo("- [ ] T1 one\n", files("editsTests: true\n"));
    const passing = "import test from 'node:test';\ntest('x', () => {});\n";
    h = await startLoop(root, { latencyMs: 5, outcomes: { T1: [{ write: { "test/x.test.mjs": passing } }] } });
    await settle(h);
    expect((await h.state("T1"))?.phase).toBe("Succeeded");
  });
});

describe("the guard: the task's files: scope", () => {
  const files = { "tasks/T1.md": "---\nfiles: [\"out.txt\"]\nverify: [\"true\"]\n---\n" };
  const script = { latencyMs: 5, outcomes: { T1: [{ write: { "out.txt": "1\n", "elsewhere.txt": "2\n" } }] } };

  it("a change outside the scope fails the attempt by default, with the paths", async () => {
    h = await startLoop(repo("- [ ] T1 one\n", files), script);
    await settle(h);
    const s = (await h.state("T1"))!;
    expect(s.phase).toBe("Failed");
    expect(s.lastError).toMatchObject({ code: "OutOfScope", message: "the attempt changed files outside the task's files: scope (elsewhere.txt)" });
    expect((await guardLines("T1")).map((e) => [e.verdict, e.detail?.paths])).toEqual([["fail", ["elsewhere.txt"]]]);
    expect(h.todo()).toContain("- [ ] T1");
  });

  it("outOfScope: warn: the task succeeds, the history says which paths", async () => {
    h = await startLoop(repo("- [ ] T1 one\n", files, { outOfScope: "warn" }), script);
    await settle(h);
    expect((await h.state("T1"))?.phase).toBe("Succeeded");
    expect((await guardLines("T1")).map((e) => [e.verdict, e.detail?.paths])).toEqual([["warn", ["elsewhere.txt"]]]);
    expect(h.events.some((e) => e.type === "error" && /warning: .*elsewhere\.txt/.test(e.message))).toBe(true);
  });

  it("outOfScope: allow: nothing said", async () => {
    h = await startLoop(repo("- [ ] T1 one\n", files, { outOfScope: "allow" }), script);
    await settle(h);
    expect((await h.state("T1"))?.phase).toBe("Succeeded");
    expect(await guardLines("T1")).toEqual([]);
  });

  it("while a task without a scope is open (it may write anywhere in the shared checkout), the scope is not judged", async () => {
    // The shared checkout: in a workspace nothing but T1 writes T1's tree.
    const root = repo("- [ ] T1 one\n- [ ] T2 bare line\n", files, { git: { workspaces: false } });
    h = await startLoop(root, { ...script, outcomes: { ...script.outcomes, T2: [{ write: { "two.txt": "2\n" } }] } });
    await settle(h);
    expect((await h.state("T1"))?.phase).toBe("Succeeded");
    expect(await guardLines("T1")).toEqual([]);
  });

  it("a person's edit made before the attempt, and another task's files, are not the attempt's", async () => {
    const root = repo("- [ ] T1 one\n- [ ] T2 two\n", { ...files, "tasks/T2.md": "---\nfiles: [\"two.txt\"]\nverify: [\"true\"]\n---\n", "notes.md": "a\n" });
    writeFileSync(path.join(root, "notes.md"), "mine, uncommitted\n");
    h = await startLoop(root, { latencyMs: 30, outcomes: { T1: [{ write: { "out.txt": "1\n" } }], T2: [{ write: { "two.txt": "2\n" } }] } });
    await settle(h);
    expect((await h.state("T1"))?.phase).toBe("Succeeded");
    expect((await h.state("T2"))?.phase).toBe("Succeeded");
  });
});
