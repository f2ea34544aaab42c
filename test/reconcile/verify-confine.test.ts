// Verify commands execute the agent's code, so they run under the agents' confinement
// (src/runtime/confinement.ts, real bubblewrap): code under test that writes outside its workspace
// fails instead of escaping; inside the workspace it works as before.
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { randomUUID } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, onTestFinished } from "vitest";
import { runVerify } from "../../src/reconcile/verify.js";
import { available, checkoutPlan } from "../../src/runtime/confinement.js";

const bwrap = available();
let repo: string;

beforeEach(() => {
  repo = mkdtempSync(path.join(tmpdir(), "orch-verify-confine-"));
  writeFileSync(path.join(repo, "TODO.md"), "- [ ] T1 a task\n");
  mkdirSync(path.join(repo, ".orchestrator"));
});
afterEach(() => rmSync(repo, { recursive: true, force: true }));

const node = (code: string) => `node -e ${JSON.stringify(code)}`;

describe.skipIf(!bwrap.ok)(`confined verify commands${bwrap.ok ? "" : ` (skipped: ${bwrap.why})`}`, () => {
  const run = (command: string) => runVerify([command], { cwd: repo, timeoutMs: 30_000, confine: checkoutPlan(repo, { todo: "TODO.md", tasksDir: "tasks" }) });

  it("code under test that writes the checkout's TODO.md fails with EROFS; TODO.md is unchanged", async () => {
    const r = await run(node("require('fs').writeFileSync('TODO.md', '- [x] T1 a task\\n')"));
    expect(r.ok).toBe(false);
    expect(r.commands[0]!.output).toContain("EROFS");
    expect(readFileSync(path.join(repo, "TODO.md"), "utf8")).toBe("- [ ] T1 a task\n");
  });

  it("code under test that writes outside the workspace fails, and nothing escapes", async () => {
    const elsewhere = path.join(process.cwd(), `outside-${randomUUID()}`);
    onTestFinished(() => rmSync(elsewhere, { force: true })); // a write that escaped is not left behind
    const r = await run(node(`require('fs').writeFileSync(${JSON.stringify(elsewhere)}, 'x')`));
    expect(r.ok).toBe(false);
    expect(r.commands[0]!.output).toContain("EROFS");
    expect(existsSync(elsewhere)).toBe(false);
  });

  it("a write to /tmp goes to a private /tmp: the command passes, the file does not exist outside", async () => {
    const outside = path.join(tmpdir(), `outside-${randomUUID()}`);
    const r = await run(node(`require('fs').writeFileSync(${JSON.stringify(outside)}, 'x')`));
    expect(r.ok).toBe(true);
    expect(existsSync(outside)).toBe(false);
  });

  it("writes inside the workspace work, in the command's directory", async () => {
    const r = await run(`${node("require('fs').writeFileSync('built.txt', 'ok')")} && cat built.txt`);
    expect(r.ok).toBe(true);
    expect(r.commands[0]!.output).toBe("ok");
    expect(readFileSync(path.join(repo, "built.txt"), "utf8")).toBe("ok");
  });
});

describe("unconfined verify commands (sandbox: \"off\")", () => {
  it("run as before: a write outside the workspace is not stopped", async () => {
    const outside = path.join(tmpdir(), `outside-${randomUUID()}`);
    const r = await runVerify([node(`require('fs').writeFileSync(${JSON.stringify(outside)}, 'x')`)], { cwd: repo, timeoutMs: 30_000 });
    expect(r.ok).toBe(true);
    expect(existsSync(outside)).toBe(true);
    rmSync(outside);
  });
});
