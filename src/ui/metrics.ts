// GET /metrics: the board and the loop's events in Prometheus' text format (version 0.0.4). Gauges
// come from the board (what the files say now); counters from the history, which only grows; the
// pass duration and session start latency from the loop's events in this process (histograms).
import type { LoopEvent } from "../reconcile/index.js";
import type { Board } from "./wire.js";

/** Seconds. */
const PASS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
const START_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Phases in which a session runs (read-only mode counts these, having no loop to ask). */
const SESSION_PHASES = new Set(["Running", "Reviewing"]);

/** A cumulative histogram. */
class Histogram {
  private readonly counts: number[];
  private sum = 0;
  private count = 0;

  constructor(private readonly buckets: number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(v: number): void {
    this.sum += v;
    this.count++;
    this.buckets.forEach((b, i) => {
      if (v <= b) this.counts[i]!++;
    });
  }

  lines(name: string): string[] {
    return [...this.buckets.map((b, i) => `${name}_bucket{le="${b}"} ${this.counts[i]}`), `${name}_bucket{le="+Inf"} ${this.count}`, `${name}_sum ${round(this.sum)}`, `${name}_count ${this.count}`];
  }
}

/** Metrics of one board server. */
export class Metrics {
  private readonly pass = new Histogram(PASS_BUCKETS);
  private readonly sessionStart = new Histogram(START_BUCKETS);
  /** Task → when its start action was decided (ms), until its session starts. */
  private readonly starting = new Map<string, number>();
  private readonly sessions = new Set<string>();
  private passes = 0;

  constructor(
    private readonly live: boolean,
    private readonly now: () => number,
  ) {}

  /** Takes in one loop event. */
  event(e: LoopEvent): void {
    if (e.type === "pass") {
      this.passes++;
      this.pass.observe(e.ms / 1000);
    } else if (e.type === "action" && e.action.type === "start") this.starting.set(e.action.id, this.now());
    else if (e.type === "session") {
      if (e.status === "ended") this.sessions.delete(e.sessionId);
      else {
        this.sessions.add(e.sessionId);
        const at = this.starting.get(e.task);
        if (at !== undefined && e.status === "started") this.sessionStart.observe((this.now() - at) / 1000);
        this.starting.delete(e.task);
      }
    }
  }

  /** The text format of every metric. */
  render(board: Board): string {
    const out: string[] = [];
    const metric = (name: string, type: string, help: string, lines: string[]) => out.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, ...lines);
    const phases = new Map<string, number>();
    for (const t of board.tasks) phases.set(t.state, (phases.get(t.state) ?? 0) + 1);
    metric("orch_tasks", "gauge", "Tasks by phase (the recorded phase, else what the files say: done, Pending, Blocked, Suspended).", [...phases].sort().map(([p, n]) => `orch_tasks{phase="${esc(p)}"} ${n}`));
    const running = this.live ? this.sessions.size : board.tasks.filter((t) => SESSION_PHASES.has(t.state)).length;
    metric("orch_sessions_running", "gauge", "Agent sessions running now.", [`orch_sessions_running ${running}`]);
    const labels = (m: { role: string; model: string }) => `{role="${esc(m.role)}",model="${esc(m.model)}"}`;
    metric("orch_tokens_total", "counter", "Tokens spent by the agents (the history's ledger), by role and model.", board.byModel.map((m) => `orch_tokens_total${labels(m)} ${m.tokens}`));
    metric("orch_cost_usd_total", "counter", "Dollars spent by the agents (the history's ledger), by role and model.", board.byModel.map((m) => `orch_cost_usd_total${labels(m)} ${round(m.costUsd)}`));
    metric("orch_attempt_outcomes_total", "counter", "Attempts ended, by the phase they ended in.", Object.entries(board.attemptOutcomes).sort().map(([o, n]) => `orch_attempt_outcomes_total{outcome="${esc(o)}"} ${n}`));
    if (this.live) {
      metric("orch_reconcile_passes_total", "counter", "Reconcile passes run by this process.", [`orch_reconcile_passes_total ${this.passes}`]);
      metric("orch_reconcile_pass_duration_seconds", "histogram", "How long one reconcile pass took.", this.pass.lines("orch_reconcile_pass_duration_seconds"));
      metric("orch_session_start_latency_seconds", "histogram", "From the decision to start a task to its session running.", this.sessionStart.lines("orch_session_start_latency_seconds"));
    }
    return `${out.join("\n")}\n`;
  }
}

/** A label value escaped as the format says: backslash, double quote, newline. */
function esc(s: string): string {
  return s.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function round(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
