// orch in a real terminal: a pty from util-linux's `script`, as a person at a terminal runs it.
// (The live view's drawing in detail: test/reconcile/view.test.ts.)
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { hasScript, runOrchInTerminal } from "../support/cli.js";

const LONG_TITLE = "Split text into words and keep the punctuation where it was";
const base = mkdtempSync(path.join(tmpdir(), "orch-tty-"));
afterAll(() => rmSync(base, { recursive: true, force: true }));

/** A repo whose only task is done: `orch run` has nothing to do and ends at once. */
function doneRepo(name: string): string {
  const dir = path.join(base, name);
  mkdirSync(path.join(dir, ".orchestrator"), { recursive: true });
  writeFileSync(path.join(dir, "TODO.md"), `# m\n\n- [x] T1 ${LONG_TITLE}\n`);
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), JSON.stringify({ models: { default: "p/m" } }));
  execFileSync("git", ["init", "-q"], { cwd: dir });
  return dir;
}

async function inTerminal(args: string[], stty?: string): Promise<string> {
  const r = await runOrchInTerminal(args, stty);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout;
}

describe.skipIf(!hasScript()).concurrent("orch in a terminal (needs util-linux script)", () => {
  it("a terminal that reports no size (0 columns) is drawn 100 wide, not cut to nothing", async () => {
    const dir = doneRepo("unsized");
    const run = await inTerminal(["run", "--dir", dir]);
    expect(run).toContain("\r\x1b[2A\x1b[J"); // the live view: its block (the totals, a row per task) redrawn in place
    expect(run.trimEnd().split("\n").slice(-2)).toEqual(["\r\x1b[2A\x1b[Jorch: 0 running, 1/1 done, 0 tok $0.0000", `  ✓ T1     done`]);
    const status = await inTerminal(["status", "--dir", dir]);
    expect(status).toContain(`T1  ${LONG_TITLE}  done`);
  });
  it("a narrow terminal cuts the status table's titles to fit, with an ellipsis", async () => {
    const status = await inTerminal(["status", "--dir", doneRepo("narrow")], "cols 40");
    const row = status.split("\n").find((l) => l.startsWith("T1 "))!;
    expect(row.length).toBeLessThanOrEqual(40);
    expect(row).toMatch(/^T1 {2}Split text…\s+done/); // the title gets what the other columns leave
  });
});
