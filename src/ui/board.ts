// The board of a mission: every task with its state, spend and links, the mission's totals and the
// newest history lines, built from what the files say. Pure: read.ts gathers the inputs.
import type { Config, Mission } from "../spec/index.js";
import type { HistoryEvent, TaskSpend, TaskState } from "../store/index.js";
import type { Role } from "../spec/index.js";
import { routeModel } from "../runtime/index.js";
import { spendOf } from "../store/index.js";
import { criticalPath, ownWorkDone, statusRows, taskGraph } from "../graph/index.js";
import type { Board, BoardTask, BoardTotals, ModelSpend, TimelineEvent } from "./wire.js";
import { branchOf } from "../workspace/index.js";
import { layoutDag } from "./layout.js";

/** The history lines the page's timeline gets (the newest). */
const TIMELINE_MAX = 300;

/** Phases of a task inside an attempt. */
const ACTIVE = new Set(["Running", "Verifying", "Reviewing"]);
/** Phases inside an attempt, a person's approval included. */
const IN_ATTEMPT = new Set([...ACTIVE, "AwaitingApproval"]);
/** Phases that wait for a person (ladder17's inbox adds its own: any phase named Waiting* counts). */
const WAITING = new Set(["AwaitingApproval"]);

/** Everything the board is built from. */
export interface BoardInput {
  mission: Mission;
  config: Config;
  states: ReadonlyMap<string, TaskState>;
  /** The whole history, oldest first. */
  history: readonly HistoryEvent[];
  /** Task id → its question waiting for a person. */
  inbox: ReadonlyMap<string, string>;
  /** Task id → the commit of its merge, as the loop reported it in this process. */
  merged: ReadonlyMap<string, string>;
  /** Tasks whose workspace exists now. */
  workspaces: ReadonlySet<string>;
  live: boolean;
  now: number;
  problems: string[];
}

/** Builds the board. */
export function buildBoard(input: BoardInput): Board {
  const { mission, states, history } = input;
  const rows = statusRows(mission, states);
  const g = taskGraph(mission.tasks, (t) => ownWorkDone(t, states.get(t.id)));
  const critical = new Set(criticalPath(g).map((i) => g.ids[i]));
  const spend = spendOf(history);
  const mergedFrom = mergeBranches(history);
  const tasks: BoardTask[] = rows.map((r, i) => {
    const t = mission.tasks[i]!;
    const s = states.get(t.id);
    const sp = spend.tasks[t.id];
    const commit = input.merged.get(t.id);
    const branch = input.workspaces.has(t.id) ? branchOf(t.id) : mergedFrom.get(t.id);
    const inbox = input.inbox.get(t.id);
    const reason = s && reasonOf(s);
    return {
      id: t.id,
      title: t.title,
      state: r.state,
      ...(reason ? { reason } : {}),
      attempts: s?.attempts ?? 0,
      deps: t.deps,
      blockedBy: r.blockedBy,
      ...(t.parent ? { parent: t.parent } : {}),
      critical: critical.has(t.id),
      spend: sp ? { tokens: sp.tokens, costUsd: sp.costUsd, roles: sp.roles } : { tokens: 0, costUsd: 0, roles: {} },
      ...(s?.startedAt ? { startedAt: s.startedAt } : {}),
      ...(s?.finishedAt ? { finishedAt: s.finishedAt } : {}),
      ...(branch ? { branch } : {}),
      ...(commit ? { commit } : {}),
      ...(inbox !== undefined ? { inbox } : {}),
      line: t.line,
      group: t.headings[t.headings.length - 1] ?? "",
    };
  });
  return {
    root: mission.root,
    todoFile: mission.todoFile,
    live: input.live,
    generatedAt: new Date(input.now).toISOString(),
    tasks,
    dag: layoutDag(tasks),
    totals: totalsOf(tasks, g.done, input.config, spend),
    byModel: spendByModel(input, spend.tasks),
    attemptOutcomes: attemptOutcomes(history),
    timeline: history.slice(-TIMELINE_MAX).map(timelineEvent),
    problems: input.problems,
  };
}

/** Tokens and cost per role and model: each task's ledger by role, the model as the config routes that role for that task. */
function spendByModel(input: BoardInput, tasks: Record<string, TaskSpend>): ModelSpend[] {
  const byId = new Map(input.mission.tasks.map((t) => [t.id, t]));
  const out = new Map<string, ModelSpend>();
  for (const [id, s] of Object.entries(tasks))
    for (const [role, r] of Object.entries(s.roles)) {
      const model = routeModel(input.config, byId.get(id), role as Role) ?? "default";
      const key = `${role}\u0001${model}`;
      const m = out.get(key) ?? { role, model, tokens: 0, costUsd: 0 };
      m.tokens += r.tokens;
      m.costUsd += r.costUsd;
      out.set(key, m);
    }
  return [...out.values()].sort((a, b) => a.role.localeCompare(b.role) || a.model.localeCompare(b.model));
}

/** How attempts ended, counted from the history's phase lines that leave an attempt's phases (to Succeeded, Failed, Pending for a retry, …). */
function attemptOutcomes(history: readonly HistoryEvent[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const e of history)
    if (e.kind === "phase" && e.from && e.to && IN_ATTEMPT.has(e.from) && !IN_ATTEMPT.has(e.to)) out[e.to] = (out[e.to] ?? 0) + 1;
  return out;
}

/** Why a task is where it is: its last error when it failed, else its newest condition. */
function reasonOf(s: TaskState): string | undefined {
  if (s.phase === "Failed" && s.lastError) return `${s.lastError.code}: ${s.lastError.message}`;
  let last: TaskState["conditions"][number] | undefined;
  for (const c of s.conditions) if (!last || c.at >= last.at) last = c;
  return last ? `${last.reason}${last.message ? `: ${last.message}` : ""}` : undefined;
}

/** The branch each task was last merged from (the history's merge lines). */
function mergeBranches(history: readonly HistoryEvent[]): Map<string, string> {
  const out = new Map<string, string>();
  for (const e of history) if (e.kind === "merge" && typeof e.detail?.branch === "string") out.set(e.task, e.detail.branch);
  return out;
}

function totalsOf(tasks: BoardTask[], done: (id: string) => boolean, config: Config, spend: { tokens: number; costUsd: number }): BoardTotals {
  const t: BoardTotals = { total: tasks.length, done: 0, running: 0, failed: 0, waiting: 0, blocked: 0, pending: 0, tokens: spend.tokens, costUsd: spend.costUsd, budgetLeft: {} };
  for (const task of tasks) {
    if (done(task.id)) t.done++;
    else if (ACTIVE.has(task.state)) t.running++;
    else if (task.state === "Failed") t.failed++;
    else if (isWaiting(task)) t.waiting++;
    else if (task.state === "Blocked") t.blocked++;
    else t.pending++;
  }
  const b = config.missionBudget;
  if (b.tokens !== undefined) t.budgetLeft.tokens = Math.max(0, b.tokens - spend.tokens);
  if (b.usd !== undefined) t.budgetLeft.usd = Math.max(0, b.usd - spend.costUsd);
  return t;
}

/** A task waiting for a person: an approval, or a question in its inbox. */
function isWaiting(t: BoardTask): boolean {
  return WAITING.has(t.state) || t.state.startsWith("Waiting") || t.inbox !== undefined;
}

function timelineEvent(e: HistoryEvent): TimelineEvent {
  const out: TimelineEvent = { at: e.at, task: e.task, kind: e.kind };
  if (e.attempt !== undefined) out.attempt = e.attempt;
  if (e.from !== undefined) out.from = e.from;
  if (e.to !== undefined) out.to = e.to;
  if (e.role !== undefined) out.role = e.role;
  if (e.verdict !== undefined) out.verdict = e.verdict;
  if (e.error !== undefined) out.error = e.error;
  return out;
}
