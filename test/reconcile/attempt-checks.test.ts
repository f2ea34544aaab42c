// What an attempt checks besides verify and review, with real git repos, the real loop and store, and
// the fake runtime: an empty diff is no success unless the task allows it (RECONCILER.md, "The
// attempt"); a git failure reading the diff fails the attempt instead of passing an empty diff to
// the reviewer; a context pack that cannot be built is said in the task's history.
import { afterEach, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { chmodSync, writeFileSync } from "node:fs";
import path from "node:path";
import { makeRepo, settle, startLoop, type Harness } from "./harness.js";

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

/** Makes the repo a git repository with everything in its first commit. */
function commitAll(root: string): void {
  const git = (...a: string[]) => execFileSync("git", a, { cwd: root, encoding: "utf8" });
  git("init", "-q", "-b", "main");
  git("add", ".");
  git("-c", "user.email=t@orch", "-c", "user.name=t", "commit", "-qm", "init");
}

describe("attempt: an empty diff", () => {
  it("a worker that writes nothing, on a task with no verify commands, does not succeed: a fixer is told, then Failed EmptyDiff", async () => {
    const root = makeRepo("- [ ] T1 change nothing\n", { "tasks/T1.md": "---\nid: T1\nbudget:\n  attempts: 2\n---\nDo it.\n" });
    commitAll(root);
    h = await startLoop(root, { latencyMs: 5, writeFiles: false });
    await settle(h);
    const s = (await h.state("T1"))!;
    expect(s.phase).toBe("Failed");
    expect(s.conditions[0]).toMatchObject({ reason: "EmptyDiff", message: "the worker changed no file and the 2 attempts are used up" });
    expect(s.lastError).toMatchObject({ code: "EmptyDiff", terminal: true });
    expect(h.todo()).toContain("- [ ] T1");
    // The fixer was told why.
    const fixer = h.runtime.calls.find((c) => c.role === "fixer");
    expect(fixer?.prompt).toMatch(/changed no file/);
    const history = await h.store.journal.read("T1");
    expect(history.filter((e) => e.kind === "diff").map((e) => [e.attempt, e.verdict])).toEqual([[1, "empty"], [2, "empty"]]);
    expect(history.some((e) => e.kind === "verify")).toBe(false); // nothing to verify
    expect(history.filter((e) => e.kind === "session-end").map((e) => [e.attempt, e.role])).toEqual([[1, "worker"], [2, "fixer"]]);
  });

  it("a task with allowEmpty: true may succeed without a change", async () => {
    const root = makeRepo("- [ ] T1 check only\n", { "tasks/T1.md": "---\nid: T1\nallowEmpty: true\nverify: [\"true\"]\n---\nCheck it.\n" });
    commitAll(root);
    h = await startLoop(root, { latencyMs: 5, writeFiles: false });
    await settle(h);
    expect((await h.state("T1"))!.phase).toBe("Succeeded");
    expect(h.todo()).toContain("- [x] T1");
  });

  it("the diff is taken against the attempt's start, not HEAD: a change committed meanwhile is still shown to the reviewer", async () => {
    // The worker writes a file; a verify command commits it (as a person or another tool might).
    const commit = "git add -A && git -c user.email=t@orch -c user.name=t commit -qm w";
    const root = makeRepo("- [ ] T1 write and commit\n", { "tasks/T1.md": `---\nid: T1\nverify: ["${commit}"]\n---\n` }, { review: { enabled: true } });
    commitAll(root);
    h = await startLoop(root, { latencyMs: 5 });
    await settle(h);
    expect((await h.state("T1"))!.phase).toBe("Succeeded");
    expect(h.runtime.calls.find((c) => c.role === "reviewer")?.prompt).toContain("fake-agent/T1.txt");
  });

  it("outside a git repository the diff is unknown: the rule does not apply and the reviewer is told", async () => {
    const root = makeRepo("- [ ] T1 no git\n", {}, { review: { enabled: true } });
    h = await startLoop(root, { latencyMs: 5, writeFiles: false });
    await settle(h);
    expect((await h.state("T1"))!.phase).toBe("Succeeded");
    expect(h.runtime.calls.find((c) => c.role === "reviewer")?.prompt).toMatch(/no diff: .*not .*git/);
  });
});

describe("attempt: a git failure reading the diff", () => {
  it("a corrupted index after verify: the reviewer is not asked, the attempt fails with git's reason, recorded", async () => {
    const root = makeRepo("- [ ] T1 break git\n", { "tasks/T1.md": "---\nid: T1\nverify: [\"printf garbage > .git/index\"]\n---\n" }, { review: { enabled: true } });
    commitAll(root);
    h = await startLoop(root, { latencyMs: 5 });
    await settle(h);
    const s = (await h.state("T1"))!;
    expect(s.phase).toBe("Failed");
    expect(s.lastError).toMatchObject({ code: "diff-failed", terminal: true });
    expect(s.lastError!.message).toMatch(/orch could not read what the attempt changed: git (diff|add -A) failed.*index/);
    expect(h.runtime.calls.some((c) => c.role === "reviewer")).toBe(false);
    expect(h.todo()).toContain("- [ ] T1");
    const history = await h.store.journal.read("T1");
    expect(history.at(-1)).toMatchObject({ kind: "phase", to: "Failed", detail: { reason: "TerminalError" } });
  });
});

/** An orch-native that answers its ping (and glob, unless `failing` names it), then fails what `failing` names, as a corrupted index would. */
function brokenNative(root: string, failing: string[]): string {
  const bin = path.join(root, "native-broken");
  writeFileSync(
    bin,
    `#!${process.execPath}
const failing = ${JSON.stringify(failing)};
require("readline").createInterface({ input: process.stdin }).on("line", (l) => {
  const m = JSON.parse(l);
  const reply = failing.includes(m.method) ? { error: { code: -32000, message: "index corrupted" } } : { result: m.method === "glob" ? { paths: ["src/a.ts"], truncated: false } : {} };
  process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id: m.id, ...reply }) + "\\n");
});
`,
  );
  chmodSync(bin, 0o755);
  return bin;
}

/** Runs T1 (scope src/**) with context packs through `bin` as orch-native; returns its history. */
async function runWithNative(bin: (root: string) => string) {
  const root = makeRepo("- [ ] T1 use the pack\n", { "tasks/T1.md": "---\nid: T1\nfiles: [\"src/**\"]\n---\n", "src/a.ts": "export const a = 1;\n" });
  const saved = process.env.ORCH_NATIVE_BIN;
  process.env.ORCH_NATIVE_BIN = bin(root);
  try {
    h = await startLoop(root, { latencyMs: 5 }, false, true);
    await settle(h);
  } finally {
    if (saved === undefined) delete process.env.ORCH_NATIVE_BIN;
    else process.env.ORCH_NATIVE_BIN = saved;
  }
  expect((await h.state("T1"))!.phase).toBe("Succeeded"); // the attempt goes on without it
  return h.store.journal.read("T1");
}

describe("attempt: a context pack that fails", () => {
  it("is said in the task's history (orch log), and the attempt goes on without it", async () => {
    const history = await runWithNative((root) => brokenNative(root, ["glob", "outline", "references", "symbol", "grep"]));
    const note = history.find((e) => e.kind === "prompt-incomplete");
    expect(note).toMatchObject({ attempt: 1, role: "worker" });
    expect(note!.error).toMatch(/^left out the context pack: .*index corrupted/);
    expect(h!.events.some((e) => e.type === "error" && e.task === "T1" && /context pack/.test(e.message))).toBe(true);
  });

  it("a lookup that fails inside the pack (its items left out) is said too", async () => {
    const history = await runWithNative((root) => brokenNative(root, ["outline"]));
    const notes = history.filter((e) => e.kind === "prompt-incomplete").map((e) => e.error);
    expect(notes).toEqual([expect.stringMatching(/^left out part of the context pack \(outline: index corrupted\)/)]);
  });
});
