// orch in a real terminal: a pty from util-linux's `script`, as a person at a terminal runs it.
// (The live view's drawing in detail: test/reconcile/view.test.ts.)
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CLI, runProcess } from "../support/cli.js";

const LONG_TITLE = "Split text into words and keep the punctuation where it was";

/** A repo whose only task is done: `orch run` has nothing to do and ends at once. */
function doneRepo(): string {
  const dir = mkdtempSync(path.join(tmpdir(), "orch-tty-"));
  writeFileSync(path.join(dir, "TODO.md"), `# m\n\n- [x] T1 ${LONG_TITLE}\n`);
  mkdirSync(path.join(dir, ".orchestrator"));
  writeFileSync(path.join(dir, ".orchestrator", "config.json"), "{}\n");
  execFileSync("git", ["init", "-q"], { cwd: dir });
  return dir;
}

const quote = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

/** Runs `orch <args>` on a pty (`stty` settings first, e.g. "cols 40"); its output as the terminal got it. */
async function inTerminal(args: string[], stty?: string): Promise<string> {
  const cmd = [process.execPath, CLI, ...args].map(quote).join(" ");
  const r = await runProcess("script", ["-qec", `${stty ? `stty ${stty}; ` : ""}${cmd}`, "/dev/null"]);
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.replace(/\r\n/g, "\n");
}

describe.concurrent("orch in a terminal", () => {
  it("a terminal that reports no size (0 columns) is drawn 100 wide, not cut to nothing", async () => {
    const dir = doneRepo();
    const run = await inTerminal(["run", "--dir", dir]);
    expect(run).toContain("\x1b[1A\x1b[J"); // the live view: its block redrawn in place
    expect(run.trimEnd().split("\n").at(-1)).toBe("\x1b[1A\x1b[Jorch: 0 running, 1/1 done");
    const status = await inTerminal(["status", "--dir", dir]);
    expect(status).toContain(`T1  ${LONG_TITLE}  done`);
  });
  it("a narrow terminal cuts the status table's titles to fit, with an ellipsis", async () => {
    const status = await inTerminal(["status", "--dir", doneRepo()], "cols 40");
    const row = status.split("\n").find((l) => l.startsWith("T1 "))!;
    expect(row.length).toBeLessThanOrEqual(40);
    expect(row).toMatch(/^T1 {2}Split text…\s+done/); // the title gets what the other columns leave
  });
});
