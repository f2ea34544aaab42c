// How `orch watch` / `orch run` show the loop: a live compact view in a terminal, plain log lines
// otherwise, or one JSON event per line with --json.
import type { LoopEvent } from "../reconcile/events.js";
import { formatProblem } from "../util/errors.js";

/** Output mode. */
export type ViewMode = "tty" | "plain" | "json";

/** What the live view asks the loop for on each redraw. */
export interface LiveSource {
  running(): ReadonlyMap<string, { role: string; attempt: number; startedAt: number; awaitingApproval: boolean }>;
}

/**
 * How wide to draw for `out`: its columns, else 100 (a pipe or file). A terminal that reports no
 * size (0 columns: a pty nobody sized, e.g. under `script` or some CI runners) counts as 100 too.
 */
export function widthOf(out: { columns?: number } = process.stdout): number {
  return out.columns || 100;
}

/** The mode for this process: --json wins, then whether stdout is a terminal. */
export function pickMode(json: boolean, out: NodeJS.WriteStream = process.stdout): ViewMode {
  return json ? "json" : out.isTTY ? "tty" : "plain";
}

/** One log line for an event, or undefined for events only the live view or --json shows. */
export function plainLine(e: LoopEvent): string | undefined {
  switch (e.type) {
    case "lease":
      return e.status === "waiting" ? `waiting for the mission lease (held by ${e.holder ?? "another orch"})` : `lease ${e.status}${e.token !== undefined ? ` (token ${e.token})` : ""}`;
    case "phase":
      return `${e.task}: ${e.from ?? "new"} → ${e.to} (${e.reason}${e.message ? `: ${e.message}` : ""})`;
    case "session":
      return `${e.task}: ${e.role} session ${e.status} (attempt ${e.attempt}, ${e.sessionId})${e.error ? `: ${e.error}` : ""}`;
    case "verify":
      return `${e.task}: verify ${e.ok ? "passed" : `failed: ${e.command}`}${!e.ok && e.output ? `\n${indent(e.output.trim().split("\n").slice(-8).join("\n"))}` : ""}`;
    case "review":
      return `${e.task}: review ${e.approved ? "approved" : "rejected"}: ${e.summary}`;
    case "permission":
      return `${e.task}: waiting for approval of ${e.kind} (edit .orchestrator/approvals/${e.task}.md or run orch approve ${e.task})`;
    case "problems": {
      const list = e.problems.map((p) => indent(formatProblem(p))).join("\n");
      const what = e.source === "config" ? "config" : "tasks";
      if (e.held?.length) return `${e.held.join(", ")} held (errors in ${e.held.length === 1 ? "its task file" : "their task files"}: nothing new starts for ${e.held.length === 1 ? "it" : "them"}); the other tasks go on:\n${list}`;
      return e.problems.some((p) => p.severity === "error") ? `${what} not applied, the last valid version stays in force:\n${list}` : `${what}: warnings:\n${list}`;
    }
    case "ids":
      return e.assigned.map((a) => `${e.file}:${a.line}: assigned id ${a.id}`).join("\n");
    case "problems-cleared":
      return `${e.source === "config" ? "config" : "tasks"}: problems fixed`;
    case "config":
      return "config reloaded";
    case "error":
      return `error${e.task ? ` (${e.task})` : ""}: ${e.message}`;
    case "idle":
      return `idle: ${e.done}/${e.total} tasks done`;
    default:
      return undefined;
  }
}

function indent(s: string): string {
  return s.replace(/^/gm, "  ");
}

/** A view: `event` for every loop event, `close` to finish the output. */
export interface View {
  event(e: LoopEvent): void;
  close(): void;
}

/** Builds the view for a mode. */
export function createView(mode: ViewMode, source: LiveSource, out: NodeJS.WriteStream = process.stdout, now: () => number = Date.now): View {
  if (mode === "json") return { event: (e) => out.write(`${JSON.stringify({ at: new Date(now()).toISOString(), ...e })}\n`), close: () => {} };
  if (mode === "plain")
    return {
      event: (e) => {
        const line = plainLine(e);
        if (line) out.write(`${new Date(now()).toISOString().slice(11, 19)} ${line}\n`);
      },
      close: () => {},
    };
  return new LiveView(source, out, now);
}

/** The terminal view: log lines scroll above a block that is redrawn in place. */
class LiveView implements View {
  private height = 0;
  private tokens = new Map<string, number>();
  private blocked = new Map<string, string>();
  private done = 0;
  private total = 0;
  private problems = 0;
  private timer: NodeJS.Timeout;

  constructor(
    private readonly source: LiveSource,
    private readonly out: NodeJS.WriteStream,
    private readonly now: () => number,
  ) {
    this.timer = setInterval(() => this.draw([]), 500);
    this.timer.unref();
  }

  event(e: LoopEvent): void {
    if (e.type === "usage") this.tokens.set(e.task, e.usage.input + e.usage.output + e.usage.reasoning);
    if (e.type === "phase") {
      if (e.to === "Blocked") this.blocked.set(e.task, e.message.replace(/^waiting for /, ""));
      else this.blocked.delete(e.task);
    }
    if (e.type === "idle") [this.done, this.total] = [e.done, e.total];
    if (e.type === "problems") this.problems = e.problems.length;
    if (e.type === "problems-cleared") this.problems = 0;
    const line = plainLine(e);
    if (line || e.type === "pass") this.draw(line ? [line] : []);
  }

  private draw(lines: string[]): void {
    const cols = widthOf(this.out);
    const clip = (s: string) => (s.length > cols - 1 ? `${s.slice(0, cols - 2)}…` : s);
    const running = [...this.source.running()].map(([id, r]) => {
      const secs = Math.round((this.now() - r.startedAt) / 1000);
      const tok = this.tokens.get(id);
      return clip(`  ▶ ${id.padEnd(6)} ${r.role.padEnd(8)} attempt ${r.attempt}  ${fmtSecs(secs).padStart(6)}${tok ? `  ${tok} tok` : ""}${r.awaitingApproval ? "  awaiting approval" : ""}`);
    });
    const blocked = [...this.blocked].slice(0, 5).map(([id, by]) => clip(`  ⏸ ${id.padEnd(6)} blocked on ${by}`));
    const more = this.blocked.size > 5 ? [`  … ${this.blocked.size - 5} more blocked`] : [];
    const head = `orch: ${running.length} running, ${this.done}/${this.total} done${this.problems ? `, ${this.problems} problem(s) in the task files` : ""}`;
    const block = [clip(head), ...running, ...blocked, ...more];
    let s = this.height ? `\x1b[${this.height}A\x1b[J` : "";
    for (const l of lines) s += `${l}\n`;
    s += `${block.join("\n")}\n`;
    this.out.write(s);
    this.height = block.length;
  }

  close(): void {
    clearInterval(this.timer);
    this.draw([]);
  }
}

function fmtSecs(s: number): string {
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
