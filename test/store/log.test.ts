// `orch log`: the mission history, readable and as JSON, from the built CLI.
import { spawnSync } from "node:child_process";
import { appendFileSync, existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { openStore } from "../../src/store/open.js";
import type { HistoryEvent } from "../../src/store/types.js";
import { tempDir } from "./helpers.js";

const CLI = path.resolve("dist/bin/orch.js");
const events: HistoryEvent[] = [
  { at: "2026-01-01T10:00:00.000Z", task: "T1", kind: "transition", attempt: 1, from: "Pending", to: "Running", session: "ses_1", role: "worker" },
  { at: "2026-01-01T10:05:00.000Z", task: "T1", kind: "reviewed", attempt: 1, tokens: 12345, costUsd: 0.0421, verdict: "approved" },
  { at: "2026-01-01T10:02:00.000Z", task: "T2", kind: "transition", from: "Running", to: "Failed", error: "verify: npm test exited 1" },
];

describe("orch log", () => {
  it.skipIf(!existsSync(CLI))("formats one line per event, oldest first, with a total", async () => {
    const root = tempDir();
    writeFileSync(path.join(root, "TODO.md"), "- [ ] T1 a\n- [ ] T9 b\n");
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, "log", "--dir", root, ...args], { encoding: "utf8" });
    expect(run().stdout).toBe("No history yet.\n");
    await openStore(root).journal.append(events.slice(0, 2));
    expect(run().stdout).toBe(
      "2026-01-01 10:00:00  T1      #1  transition  Pending → Running  worker ses_1\n" +
        "2026-01-01 10:05:00  T1      #1  reviewed  12,345 tok  $0.0421  verdict: approved\n" +
        "— 2 events, 1 task, 12,345 tokens, $0.0421 (worker 12,345 tok $0.0421)\n",
    );
    expect(run("T9").stdout).toBe("No history for T9 yet.\n");
  });

  it.skipIf(!existsSync(CLI))("prints the mission, one task, or JSON; warns about a bad line; rejects a bad id", async () => {
    const root = tempDir();
    await openStore(root).journal.append(events);
    const run = (...args: string[]) => spawnSync(process.execPath, [CLI, "log", "--dir", root, ...args], { encoding: "utf8" });
    appendFileSync(path.join(root, ".orchestrator/history/T1.jsonl"), "oops\n");
    const all = run();
    expect(all.status).toBe(0);
    expect(all.stderr).toContain(".orchestrator/history/T1.jsonl:3:1: warning: not valid JSON; line skipped");
    expect(all.stdout.split("\n").slice(0, 3).map((l) => l.slice(20, 26).trim())).toEqual(["T1", "T2", "T1"]);
    expect(all.stdout).toContain("Running → Failed  error: verify: npm test exited 1");
    const one = run("T2", "--json");
    expect(JSON.parse(one.stdout)).toEqual([events[2]]);
    const bad = run("../etc");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toBe('orch: invalid task id "../etc"\n  hint: Task ids look like T3.\n');
  });
});
