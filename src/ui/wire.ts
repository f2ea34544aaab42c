// What the board server sends the page: JSON over GET /api/board and /api/task/<id>, and SSE
// messages on /events. Types only, shared by the server (src/ui/) and the page (src/ui/page/).

/** Tokens and dollars. */
interface WireSpend {
  tokens: number;
  costUsd: number;
}

/** One task as the board shows it. */
export interface BoardTask {
  id: string;
  title: string;
  /** The recorded phase, else the files' view (graph/status.ts): done | Pending | Blocked | Suspended. */
  state: string;
  /** Why it is in that state: the last condition's reason and message, or the last error. */
  reason?: string;
  attempts: number;
  deps: string[];
  /** What it waits for that is not done (graph/task-graph.ts). */
  blockedBy: string[];
  parent?: string;
  /** On the critical path: the longest chain of unfinished work (graph/critical-path.ts). */
  critical: boolean;
  spend: WireSpend & { roles: Record<string, WireSpend> };
  startedAt?: string;
  finishedAt?: string;
  /** Its workspace branch while one exists (orch/<id>), from the history's merge/workspace lines. */
  branch?: string;
  /** The commit that carries its change once merged (the merge event, or the history). */
  commit?: string;
  /** A question waiting for a person (.orchestrator/inbox/<id>.md), when there is one. */
  inbox?: string;
  /** TODO.md line, for "the line to edit". */
  line: number;
  /** Which group it is drawn in when the DAG is collapsed. */
  group: string;
}

/** A node of the drawn DAG: a task, or a group of tasks when the mission is too big to draw each. */
export interface DagNode {
  id: string;
  label: string;
  x: number;
  y: number;
  width: number;
  height: number;
  /** The task ids it stands for (one for a task node). */
  tasks: string[];
  critical: boolean;
}

/** An edge of the drawn DAG: `from` must be done before `to`; `count` dependencies between groups. */
export interface DagEdge {
  from: string;
  to: string;
  /** "dep": a dependency; "sub": a parent waits for its subtask. */
  kind: "dep" | "sub";
  count: number;
  points: { x: number; y: number }[];
}

/** The laid-out DAG. */
export interface DagLayout {
  /** True when nodes are groups (a mission past the size drawn task by task). */
  collapsed: boolean;
  width: number;
  height: number;
  nodes: DagNode[];
  edges: DagEdge[];
}

/** Mission totals. */
export interface BoardTotals {
  total: number;
  done: number;
  running: number;
  failed: number;
  waiting: number;
  blocked: number;
  pending: number;
  tokens: number;
  costUsd: number;
  /** What is left of config.missionBudget, per limit set. */
  budgetLeft: { tokens?: number; usd?: number };
}

/** Tokens and cost of one role on one model. */
export interface ModelSpend extends WireSpend {
  role: string;
  model: string;
}

/** One history line, as `orch log` reads it. */
export interface TimelineEvent {
  at: string;
  task: string;
  kind: string;
  attempt?: number;
  from?: string;
  to?: string;
  role?: string;
  verdict?: string;
  error?: string;
}

/** The whole board: what GET /api/board answers and the SSE "board" message carries. */
export interface Board {
  root: string;
  /** True under `orch watch --ui` (the loop runs here); false under `orch ui` (read-only, files watched). */
  live: boolean;
  generatedAt: string;
  tasks: BoardTask[];
  dag: DagLayout;
  totals: BoardTotals;
  byModel: ModelSpend[];
  /** Attempts ended, by the phase they ended in (the history's phase lines). */
  attemptOutcomes: Record<string, number>;
  /** The newest history lines, oldest first (at most TIMELINE_MAX). */
  timeline: TimelineEvent[];
  /** Mission and config problems, as `path:line:col: message`. */
  problems: string[];
  todoFile: string;
}
