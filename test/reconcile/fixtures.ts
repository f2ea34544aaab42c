// Builders for plan tests: tasks, states and a context with sensible defaults.
import { DEFAULT_CONFIG, type Config } from "../../src/spec/config.js";
import type { Mission, TaskSpec } from "../../src/spec/model.js";
import type { TaskState } from "../../src/store/task-state-schema.js";
import { freshState } from "../../src/store/task-state-schema.js";
import { CLOSED } from "../../src/reconcile/breaker.js";
import type { PlanContext, RunningInfo } from "../../src/reconcile/plan.js";

export const NOW = Date.parse("2026-11-21T12:00:00.000Z");

export function task(id: string, over: Partial<TaskSpec> = {}): TaskSpec {
  return { id, title: `task ${id}`, checked: false, deps: [], children: [], headings: [], priority: 0, files: [], verify: [], budget: {}, suspend: false, body: "", line: 1, col: 1, generation: `g-${id}`, ...over };
}

export function mission(tasks: TaskSpec[]): Mission {
  return { root: "/repo", todoFile: "TODO.md", tasks, problems: [] };
}

export function state(id: string, over: Partial<TaskState> = {}): TaskState {
  return { ...freshState(id, `g-${id}`, new Date(NOW - 1000).toISOString()), ...over };
}

/** An attempt in its session (holding a session slot for its role) unless `over` says otherwise. */
export function running(over: Partial<RunningInfo> = {}): RunningInfo {
  const role = over.role ?? "worker";
  return { generation: "g-x", role, attempt: 1, startedAt: NOW - 1000, lastProgressAt: NOW - 1000, awaitingApproval: false, slot: { role, waiting: false }, ...over };
}

export function ctx(over: Partial<PlanContext> & { cfg?: Partial<Config> } = {}): PlanContext {
  const { cfg, ...rest } = over;
  return {
    now: NOW,
    config: { ...DEFAULT_CONFIG, ...cfg },
    running: new Map(),
    breaker: CLOSED,
    controls: { missionSuspended: false, suspended: new Set(), retry: new Map() },
    classifyUncheck: () => "redo",
    missingSince: new Map(),
    deleteGraceMs: 1000,
    ...rest,
  };
}

export function states(...list: TaskState[]): Map<string, TaskState> {
  return new Map(list.map((s) => [s.id, s]));
}
