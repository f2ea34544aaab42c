// The notify hook: which loop events tell a person, the JSON on the command's stdin, a failing command reported once.
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { createNotifier } from "../../src/cli/notify.js";
import { ConfigSchema } from "../../src/spec/config.js";

describe("notify", () => {
  it("failed, waiting for a person (an approval, or an answer: the ladder's last rung), and the mission done once something changed", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "orch-notify-"));
    const file = path.join(dir, "got.jsonl");
    const config = ConfigSchema.parse({ notify: { command: [process.execPath, "-e", "require('fs').appendFileSync(process.argv.at(-1), require('fs').readFileSync(0, 'utf8'))", file], on: ["done", "failed", "waiting"] } });
    const n = createNotifier(config, dir, () => {}, () => 0);
    n.event({ type: "idle", done: 2, total: 2 }); // nothing ran: nothing to tell
    n.event({ type: "phase", task: "T1", from: "Verifying", to: "Failed", reason: "VerifyFailed", message: "verify failed" });
    n.event({ type: "phase", task: "T2", to: "AwaitingApproval", reason: "PermissionAsked", message: "bash: rm" });
    n.event({ type: "phase", task: "T3", from: "Verifying", to: "WaitingForPerson", reason: "AskedPerson", message: "verify failed on attempt 5" });
    n.event({ type: "idle", done: 1, total: 2 }); // not done yet
    n.event({ type: "idle", done: 2, total: 2 });
    n.event({ type: "idle", done: 2, total: 2 }); // nothing changed since
    await n.drain();
    // The commands run side by side: their lines may come in any order.
    const got = readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l)).sort((a, b) => a.event.localeCompare(b.event) || String(a.task).localeCompare(String(b.task)));
    const at = "1970-01-01T00:00:00.000Z";
    expect(got).toEqual([
      { event: "done", root: dir, at, message: "mission done: 2/2 tasks" },
      { event: "failed", root: dir, at, task: "T1", message: "T1 failed: verify failed" },
      { event: "waiting", root: dir, at, task: "T2", message: "T2 waits for your approval: bash: rm" },
      { event: "waiting", root: dir, at, task: "T3", message: 'T3 waits for your answer: .orchestrator/inbox/T3.md or orch answer T3 "…"' },
    ]);
  });

  it("runs the command without a shell, the event as JSON on stdin; says done once; reports a failing command once", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "orch-notify-"));
    const file = path.join(dir, "got.jsonl");
    const config = ConfigSchema.parse({ notify: { command: [process.execPath, "-e", "require('fs').appendFileSync(process.argv.at(-1), require('fs').readFileSync(0, 'utf8'))", file], on: ["done", "failed"] } });
    const reports: string[] = [];
    const n = createNotifier(config, dir, (m) => reports.push(m), () => 0);
    n.event({ type: "phase", task: "T1", to: "AwaitingApproval", reason: "PermissionAsked", message: "edit" }); // not in `on`
    n.event({ type: "phase", task: "T1", to: "Succeeded", reason: "Succeeded", message: "" });
    n.event({ type: "idle", done: 1, total: 1 });
    n.event({ type: "idle", done: 1, total: 1 });
    await n.drain();
    expect(readFileSync(file, "utf8").trim().split("\n").map((l) => JSON.parse(l))).toEqual([{ event: "done", root: dir, at: "1970-01-01T00:00:00.000Z", message: "mission done: 1/1 tasks" }]);
    expect(reports).toEqual([]);

    const bad = createNotifier(ConfigSchema.parse({ notify: { command: [path.join(dir, "no-such-notifier")] } }), dir, (m) => reports.push(m));
    const failing = createNotifier(ConfigSchema.parse({ notify: { command: [process.execPath, "-e", "console.error('webhook down'); process.exit(3)"] } }), dir, (m) => reports.push(m));
    for (const x of [bad, failing]) {
      for (const task of ["T1", "T2"]) x.event({ type: "phase", task, to: "Failed", reason: "TerminalError", message: "x" });
      await x.drain();
    }
    expect(reports).toHaveLength(2);
    expect(reports[0]).toMatch(/^notify: `.*no-such-notifier` could not start: .*ENOENT/);
    expect(reports[1]).toMatch(/^notify: `.*` exited 3: webhook down \(further failures are not reported\)$/);
  });
});
