// The demo model (src/demo/demo-script.ts) fails what it has no script for, and its reviewer reads the
// diff: issue 18 item 1, where the demo reviewer approved tasks that had written nothing.
import { execFileSync, spawn } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { demoScript } from "../../src/demo/demo-script.js";
import type { ModelRequest } from "../../src/demo/scripted-model.js";
import { renderPrompt } from "../../src/runtime/roles.js";
import { CLI } from "../support/cli.js";

const base = mkdtempSync(path.join(tmpdir(), "orch-demo-model-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A request as OpenCode sends it for an orch role's first turn. */
function request(role: string, prompt: string): ModelRequest {
  return { model: "scripted", system: `orch-role: ${role}\nWorking directory: ${base}`, lastUser: prompt, directory: base, turn: 0, tools: ["write", "bash"], messages: [{ role: "user", content: prompt }] } as ModelRequest;
}

const reviewPrompt = (diff: string) => renderPrompt("reviewer", { id: "T7", title: "Write notes", body: "Write notes.md.", criteria: "- notes.md exists", diff });

describe("the demo reviewer reads the diff", () => {
  /** The verdict the demo reviewer answers with (its reply is the verdict's JSON). */
  const verdict = async (diff: string) => {
    const reply = await demoScript([])(request("reviewer", reviewPrompt(diff)));
    return reply.kind === "text" ? JSON.parse(reply.text) : reply;
  };
  it.each([[""], ["(empty diff)"]])("rejects an empty diff (%j)", async (diff) => {
    expect(await verdict(diff)).toMatchObject({ approved: false, findings: ["The task changed no file."] });
  });
  it("approves a diff, naming what it changes", async () => {
    const diff = "diff --git a/notes.md b/notes.md\nnew file mode 100644\n--- /dev/null\n+++ b/notes.md\n@@ -0,0 +1 @@\n+hi";
    expect(await verdict(diff)).toMatchObject({ approved: true, summary: expect.stringContaining("notes.md") });
    expect(await verdict("new file: src/a.js")).toMatchObject({ approved: true, summary: "Demo review of T7: the diff changes src/a.js." });
  });
});

describe("the demo worker", () => {
  it("writes nothing for a task it has no solution for, and says it cannot do it", async () => {
    const prompt = "# Task T7: Write notes\n\n## Scope\n\n- notes.md\n";
    const reply = await demoScript([path.join(base, "no-solutions")])(request("worker", prompt));
    expect(reply).toEqual({ kind: "text", text: expect.stringContaining("I cannot do T7: there is no scripted solution for notes.md") });
  });
});

describe("orch run --demo on a task the demo has no script for", () => {
  it("fails the task: nothing written, TODO.md left unchecked, exit 1", { timeout: 120_000 }, async () => {
    const dir = path.join(base, "repo");
    mkdirSync(path.join(dir, "tasks"), { recursive: true });
    mkdirSync(path.join(dir, ".orchestrator"));
    // No verify commands: only the reviewer stands between an empty attempt and a checked box.
    writeFileSync(path.join(dir, "TODO.md"), "# m\n\n- [ ] T1 Write notes.md\n");
    writeFileSync(path.join(dir, "tasks", "T1.md"), "---\nfiles:\n  - notes.md\n---\nWrite notes.md with the meeting notes.\n");
    writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify({ budget: { attempts: 1 }, retry: { baseMs: 50, maxMs: 100, jitter: 0 } }));
    execFileSync("git", ["init", "-q", "-b", "main"], { cwd: dir });
    execFileSync("git", ["add", "."], { cwd: dir });
    execFileSync("git", ["-c", "user.email=t@orch", "-c", "user.name=t", "commit", "-qm", `demo ${dir}`], { cwd: dir });
    const p = spawn(process.execPath, [CLI, "run", "--demo", "--dir", dir], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    p.stdout.on("data", (d: Buffer) => (out += d.toString()));
    p.stderr.on("data", (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((r) => p.on("exit", r));
    expect(code, out).toBe(1);
    expect(existsSync(path.join(dir, "notes.md"))).toBe(false);
    expect(readFileSync(path.join(dir, "TODO.md"), "utf8")).toContain("- [ ] T1");
    const state = JSON.parse(readFileSync(path.join(dir, ".orchestrator", "state", "T1.json"), "utf8")).value;
    expect(state.phase).toBe("Failed");
  });
});
