// The terminal view of `orch watch` / `orch run`: log lines scroll above a block redrawn in place,
// one compact row per task (groups collapse when there are many), the mission's totals on top.
import type { LoopEvent } from "../reconcile/index.js";
import { addSpend, emptySpend, formatSpend, type MissionSpend, type Spend } from "../store/index.js";

/** A task as the last pass saw it. */
export interface TaskRow {
  id: string;
  title: string;
  /** The recorded phase; undefined: never run. */
  phase?: string;
  done: boolean;
  /** Deps not done, when the task waits for them. */
  blockedBy: readonly string[];
}

/** What the live view asks the loop for on each redraw. */
export interface LiveSource {
  running(): ReadonlyMap<string, { role: string; attempt: number; startedAt: number; awaitingApproval: boolean }>;
  /** Every task, as the last pass saw it (undefined or empty before the first pass). */
  tasks?(): readonly TaskRow[] | undefined;
}

/** Past this many task rows, done, pending and blocked tasks are counted on one line each. */
const MAX_TASK_ROWS = 12;

/** The terminal view. `spend`: what the history had recorded when the view started. */
export class LiveView {
  private height = 0;
  /** Recorded figures (the same ledger status and log sum), plus running sessions' live totals. */
  private readonly spend: MissionSpend;
  private readonly live = new Map<string, Spend>();
  private readonly said = new Map<string, string>();
  private blocked = new Map<string, string>();
  private idle?: { done: number; total: number };
  private problems = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly source: LiveSource,
    private readonly out: NodeJS.WriteStream,
    private readonly now: () => number,
    private readonly width: () => number,
    spend: MissionSpend = emptySpend(),
  ) {
    this.spend = spend;
    this.timer = setInterval(() => this.draw([]), 500);
    this.timer.unref();
  }

  /** Takes an event; `line` is its log line (already filtered), if any. */
  event(e: LoopEvent, line: string | undefined): void {
    if (e.type === "usage") this.live.set(e.task, { tokens: e.usage.input + e.usage.output + e.usage.reasoning, costUsd: e.costUsd });
    if (e.type === "spent") {
      addSpend(this.spend, { task: e.task, kind: "session-end", role: e.role, tokens: e.tokens, costUsd: e.costUsd });
      this.live.delete(e.task);
    }
    if (e.type === "session" && e.status === "ended" && e.said) this.said.set(e.task, e.said);
    if (e.type === "said") this.said.set(e.task, e.text);
    if (e.type === "phase") {
      if (e.to === "Blocked") this.blocked.set(e.task, e.message.replace(/^waiting for /, ""));
      else this.blocked.delete(e.task);
    }
    if (e.type === "idle") this.idle = { done: e.done, total: e.total };
    if (e.type === "problems") this.problems = e.problems.length;
    if (e.type === "problems-cleared") this.problems = 0;
    if (line || e.type === "pass") this.draw(line ? [line] : []);
  }

  private draw(lines: string[]): void {
    const cols = this.width();
    const clip = (s: string) => (s.length > cols - 1 ? `${s.slice(0, cols - 2)}…` : s);
    const block = this.block().map(clip);
    // \r first: whatever the terminal put on the cursor's line (a ^C echoed) must not shift the block.
    let s = this.height ? `\r\x1b[${this.height}A\x1b[J` : "";
    for (const l of lines) s += `${l}\n`;
    s += `${block.join("\n")}\n`;
    this.out.write(s);
    this.height = block.length;
  }

  private spendOf(id: string): Spend {
    const rec = this.spend.tasks[id];
    const live = this.live.get(id);
    return { tokens: (rec?.tokens ?? 0) + (live?.tokens ?? 0), costUsd: (rec?.costUsd ?? 0) + (live?.costUsd ?? 0) };
  }

  /** The block: a head line with the totals, then the tasks. */
  block(): string[] {
    const running = this.source.running();
    const tasks = this.source.tasks?.() ?? [];
    const done = tasks.length ? tasks.filter((t) => t.done).length : (this.idle?.done ?? 0);
    const total = tasks.length || (this.idle?.total ?? 0);
    let live: Spend = { tokens: this.spend.tokens, costUsd: this.spend.costUsd };
    for (const s of this.live.values()) live = { tokens: live.tokens + s.tokens, costUsd: live.costUsd + s.costUsd };
    const head = `orch: ${running.size} running, ${done}/${total} done, ${formatSpend(live)}${this.problems ? `, ${this.problems} problem(s) in the task files` : ""}`;
    return [head, ...this.taskRows(tasks, running)];
  }

  private taskRows(tasks: readonly TaskRow[], running: ReturnType<LiveSource["running"]>): string[] {
    const rows: string[] = [];
    const fig = (id: string) => {
      const s = this.spendOf(id);
      return s.tokens || s.costUsd ? `  ${formatSpend(s)}` : "";
    };
    const said = (id: string) => (this.said.has(id) ? `  “${this.said.get(id)}”` : "");
    for (const [id, r] of running) {
      const secs = Math.round((this.now() - r.startedAt) / 1000);
      rows.push(`  ▶ ${id.padEnd(6)} ${r.role.padEnd(8)} attempt ${r.attempt}  ${fmtSecs(secs).padStart(6)}${fig(id)}${r.awaitingApproval ? "  waiting for your approval" : said(id)}`);
    }
    const rest = tasks.filter((t) => !running.has(t.id));
    if (tasks.length === 0) {
      // No pass yet: what the events said is blocked.
      rows.push(...[...this.blocked].slice(0, 5).map(([id, by]) => `  ⏸ ${id.padEnd(6)} blocked on ${by}`));
      if (this.blocked.size > 5) rows.push(`  … ${this.blocked.size - 5} more blocked`);
      return rows;
    }
    const kind = (t: TaskRow) => (t.done ? "done" : t.phase === "Failed" ? "failed" : t.phase === "AwaitingApproval" ? "waiting" : t.phase === "WaitingForPerson" ? "asking" : t.phase === "Suspended" ? "suspended" : t.blockedBy.length || t.phase === "Blocked" ? "blocked" : "pending");
    const collapse = running.size + rest.length > MAX_TASK_ROWS;
    const groups = new Map<string, TaskRow[]>();
    for (const t of rest) {
      const k = kind(t);
      // What needs a person (failed, waiting) always gets its own row.
      if (collapse && k !== "failed" && k !== "waiting" && k !== "asking") groups.set(k, [...(groups.get(k) ?? []), t]);
      else rows.push(this.row(t, k, fig(t.id), said(t.id)));
    }
    for (const k of ["blocked", "pending", "suspended", "done"]) {
      const list = groups.get(k);
      if (!list) continue;
      const ids = list.map((t) => t.id);
      rows.push(`  ${ICON[k]} ${list.length} ${k}: ${ids.slice(0, 8).join(" ")}${ids.length > 8 ? " …" : ""}`);
    }
    return rows;
  }

  private row(t: TaskRow, k: string, fig: string, said: string): string {
    const what = k === "blocked" ? `blocked on ${(t.blockedBy.length ? t.blockedBy : [this.blocked.get(t.id) ?? "?"]).join(", ")}` : k === "waiting" ? "waiting for your approval" : k === "asking" ? `waits for your answer: .orchestrator/inbox/${t.id}.md or orch answer ${t.id} "…"` : k;
    return `  ${ICON[k]} ${t.id.padEnd(6)} ${what}${fig}${said}`;
  }

  /** Stops redrawing; the block stays as last drawn. */
  close(): void {
    clearInterval(this.timer);
    this.draw([]);
  }
}

const ICON: Record<string, string> = { done: "✓", failed: "✗", waiting: "✋", asking: "?", suspended: "‖", blocked: "⏸", pending: "·" };

function fmtSecs(s: number): string {
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}
