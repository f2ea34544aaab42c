// The live view of `orch watch` / `orch run` as a terminal shows it: every task has a row, the totals
// count while tasks run, idle is said once, and what the terminal echoes (a ^C) breaks nothing.
import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import { createView, type LiveSource } from "../../src/cli/view.js";
import type { TaskRow } from "../../src/cli/live-view.js";
import type { LoopEvent } from "../../src/reconcile/events.js";

/** A tiny terminal: applies text, \n, \r, ESC[nA (up) and ESC[J (clear to the end) to a screen of lines. */
function screen(): { write(s: string): void; lines(): string[] } {
  const lines: string[] = [""];
  let row = 0;
  let col = 0;
  return {
    write(s: string) {
      for (let i = 0; i < s.length; i++) {
        const c = s[i]!;
        const esc = /^\x1b\[(\d*)([AJ])/.exec(s.slice(i));
        if (esc) {
          if (esc[2] === "A") row = Math.max(0, row - Number(esc[1] || 1));
          else {
            lines[row] = lines[row]!.slice(0, col);
            lines.length = row + 1;
          }
          i += esc[0].length - 1;
        } else if (c === "\n") {
          row++;
          col = 0;
          if (lines.length <= row) lines.push("");
        } else if (c === "\r") col = 0;
        else {
          const l = lines[row]!.padEnd(col);
          lines[row] = l.slice(0, col) + c + l.slice(col + 1);
          col++;
        }
      }
    },
    lines: () => lines.slice(0, lines.at(-1) === "" ? -1 : undefined),
  };
}

function liveView(source: LiveSource, now = 65_000) {
  const term = screen();
  const out = new PassThrough() as unknown as NodeJS.WriteStream & PassThrough;
  Object.assign(out, { columns: 100 });
  let raw = "";
  out.on("data", (d: Buffer) => {
    raw += d.toString();
    term.write(d.toString());
  });
  const view = createView("tty", source, out, () => now);
  return { view, term, raw: () => raw };
}

const task = (id: string, more: Partial<TaskRow> = {}): TaskRow => ({ id, title: `task ${id}`, done: false, blockedBy: [], ...more });

describe("the live view", () => {
  it("counts done tasks while tasks run (not 0/0 until the first idle), and gives pending and blocked tasks rows", () => {
    const tasks = [task("T1", { phase: "Running" }), task("T2", { phase: "Blocked", blockedBy: ["T1"] }), task("T3", { phase: "Succeeded", done: true }), task("T4")];
    const { view, term } = liveView({ running: () => new Map([["T1", { role: "worker", attempt: 2, startedAt: 0, awaitingApproval: false }]]), tasks: () => tasks });
    view.event({ type: "usage", task: "T1", usage: { input: 1200, output: 300, reasoning: 0, cacheRead: 0, cacheWrite: 0 }, costUsd: 0.01 });
    view.close();
    expect(term.lines()).toEqual([
      "orch: 1 running, 1/4 done, 1,500 tok $0.0100",
      "  ▶ T1     worker   attempt 2   1m05s  1,500 tok $0.0100",
      "  ⏸ T2     blocked on T1",
      "  ✓ T3     done",
      "  · T4     pending",
    ]);
  });

  it("collapses many tasks by kind, keeping a row for each task that needs a person", () => {
    const tasks = Array.from({ length: 30 }, (_, i) => task(`T${i + 1}`, i < 20 ? { phase: "Succeeded", done: true } : i === 20 ? { phase: "Failed" } : i === 21 ? { phase: "AwaitingApproval" } : i === 22 ? { phase: "WaitingForPerson" } : {}));
    const { view, term } = liveView({ running: () => new Map(), tasks: () => tasks });
    view.close();
    expect(term.lines()).toEqual([
      "orch: 0 running, 20/30 done, 0 tok $0.0000",
      "  ✗ T21    failed",
      "  ✋ T22    waiting for your approval",
      '  ? T23    waits for your answer: .orchestrator/inbox/T23.md or orch answer T23 "…"',
      "  · 7 pending: T24 T25 T26 T27 T28 T29 T30",
      "  ✓ 20 done: T1 T2 T3 T4 T5 T6 T7 T8 …",
    ]);
  });

  it("shows the agent's last words, and adds each session's recorded spend to its task and the total", () => {
    const { view, term } = liveView({ running: () => new Map(), tasks: () => [task("T1", { phase: "Verifying" })] });
    view.event({ type: "session", task: "T1", status: "ended", role: "worker", attempt: 1, sessionId: "ses_1", ok: true, said: "Wrote greet.txt." });
    view.event({ type: "spent", task: "T1", role: "worker", attempt: 1, tokens: 1000, costUsd: 0.002 });
    view.event({ type: "spent", task: "T1", role: "reviewer", attempt: 1, tokens: 500, costUsd: 0.001 });
    view.close();
    expect(term.lines()).toContain("T1: worker session ended (attempt 1, ses_1) — “Wrote greet.txt.”");
    expect(term.lines().slice(-2)).toEqual(["orch: 0 running, 0/1 done, 1,500 tok $0.0030", "  · T1     pending  1,500 tok $0.0030  “Wrote greet.txt.”"]);
  });

  it("shows what the agent of a running session last said, on its row", () => {
    const { view, term } = liveView({ running: () => new Map([["T1", { role: "worker", attempt: 1, startedAt: 60_000, awaitingApproval: false }]]), tasks: () => [task("T1", { phase: "Running" })] });
    view.event({ type: "said", task: "T1", text: "Reading src/words.js first." });
    view.close();
    expect(term.lines().at(-1)).toBe("  ▶ T1     worker   attempt 1      5s  “Reading src/words.js first.”");
  });

  it("says idle once while the count of done tasks stays the same", () => {
    const { view, term } = liveView({ running: () => new Map() });
    const idle: LoopEvent = { type: "idle", done: 6, total: 6 };
    for (let i = 0; i < 3; i++) view.event(idle);
    view.close();
    expect(term.lines().filter((l) => l === "idle: 6/6 tasks done")).toHaveLength(1);
    const plain = new PassThrough();
    let text = "";
    plain.on("data", (d: Buffer) => (text += d.toString()));
    const p = createView("plain", { running: () => new Map() }, plain as unknown as NodeJS.WriteStream, () => 0);
    for (let i = 0; i < 3; i++) p.event(idle);
    p.event({ type: "idle", done: 5, total: 7 });
    expect(text.match(/idle: /g)).toHaveLength(2);
  });

  it("a ^C the terminal echoed under the block does not make the next draw overwrite the last log line", () => {
    const { view, term } = liveView({ running: () => new Map(), tasks: () => [task("T1")] });
    view.event({ type: "lease", status: "acquired", token: 1 });
    term.write("^C"); // the terminal echoes Ctrl-C where the cursor is: under the block
    view.event({ type: "lease", status: "released" });
    view.close();
    expect(term.lines()).toEqual(["lease acquired (token 1)", "lease released", "orch: 0 running, 0/1 done, 0 tok $0.0000", "  · T1     pending"]);
  });
});
