// A planner's answer checked as a person's edit is checked: the schema, then ids, deps, cycles with the
// existing graph, scopes inside the repository, the task-count cap, and a trial write into TODO.md's
// current text. checkPlan is pure but for the two look-ups passed in (a symlinked scope, a folder),
// which repoPlanContext takes from the repository with the ids already in use. Errors are
// written for the planner (in its own task names), since they are what it is re-prompted with.
import { realpathSync, statSync } from "node:fs";
import path from "node:path";
import type { Config, LinePlacement, Mission, PlanTask, TaskId, TaskSpec } from "../spec/index.js";
import { PlanSchema, idsInUse, leavesRepo, nextIds, symlinkEscape } from "../spec/index.js";
import { TaskStates, type Store } from "../store/index.js";
import { findCycles, waitGraph } from "../graph/index.js";
import { globProblem } from "../util/index.js";
import { issueLines } from "../runtime/index.js";
import { renderPlan, type RenderedPlan } from "./render.js";

/** What a plan is checked against. */
export interface PlanContext {
  /** The mission as it is now (its tasks' ids, deps and nesting). */
  mission: Mission;
  /** TODO.md's current text: the plan is tried on it. */
  todoText: string;
  placement: LinePlacement;
  /** config.idPrefix: the new tasks' ids are the next free ones of this kind. */
  idPrefix: string;
  /** Ids a new task may not take (spec idsInUse: the mission's, state records', orphan files'). */
  taken: readonly TaskId[];
  /** config.plan.maxTasks. */
  maxTasks: number;
  /** config.tasksDir. */
  tasksDir: string;
  /** Where a scope leads when its fixed prefix is a symlink out of the repository (spec symlinkEscape). */
  escapes?: (glob: string) => string | undefined;
  /** Whether a scope entry names an existing folder (a wide scope). */
  isFolder?: (path: string) => boolean;
}

/** A task of a checked plan: its final id and what its line and task file say. */
export interface PlannedTask {
  id: TaskId;
  /** The planner's name for it (N1). */
  name: string;
  title: string;
  type?: string;
  deps: TaskId[];
  files: string[];
  verify: string[];
  body: string;
  acceptance: string[];
}

/** A plan that passed every check, with what orch would write for it. */
export interface CheckedPlan {
  summary?: string;
  tasks: PlannedTask[];
  /** Wide scopes and the like: said, not refused. */
  warnings: string[];
  /** The trial write on the text the plan was checked against. */
  rendered: RenderedPlan;
}

/** Above this many files a task's scope is wide: a micro-task touches few files. */
const WIDE_SCOPE_FILES = 5;

/** Checks a planner's answer (parsed JSON); the plan, or every error found, for the re-prompt. */
export function checkPlan(raw: unknown, ctx: PlanContext): { plan: CheckedPlan } | { errors: string[] } {
  const parsed = PlanSchema.safeParse(raw);
  if (!parsed.success) return { errors: issueLines(parsed.error) };
  const tasks = parsed.data.tasks;
  if (tasks.length > ctx.maxTasks)
    return { errors: [`the plan has ${tasks.length} tasks, over the limit of ${ctx.maxTasks}: merge tasks, or plan a first stage of at most ${ctx.maxTasks} and leave the rest for a later plan`] };
  const errors: string[] = [];
  const existing = new Map(ctx.mission.tasks.map((t) => [t.id, t]));
  const ids = nextIds(ctx.idPrefix, [...ctx.taken, ...existing.keys()], tasks.length);
  const idOf = new Map<string, TaskId>();
  tasks.forEach((t, i) => {
    if (idOf.has(t.id)) errors.push(`tasks.${i}.id: two tasks are named ${t.id}; give each task its own name`);
    else if (existing.has(t.id)) errors.push(`tasks.${i}.id: ${t.id} is the id of an existing task ("${existing.get(t.id)!.title}"); name new tasks N1, N2, …`);
    else idOf.set(t.id, ids[i]!);
  });
  const planned = tasks.map((t, i) => toPlanned(t, ids[i]!, i, idOf, existing, ctx, errors));
  const parent = "parentTask" in ctx.placement ? ctx.placement.parentTask : undefined;
  if (parent !== undefined && !existing.has(parent)) errors.push(`the task to split, ${parent}, is not in the task list`);
  if (errors.length) return { errors };
  errors.push(...cycles(planned, ctx.mission.tasks, parent, nameOf(planned)));
  if (errors.length) return { errors };
  const rendered = renderPlan(ctx.todoText, planned, ctx.placement, ctx.mission.todoFile, ctx.tasksDir);
  if ("error" in rendered) return { errors: [rendered.error] };
  return { plan: { ...(parsed.data.summary ? { summary: parsed.data.summary } : {}), tasks: planned, warnings: planned.flatMap((t) => scopeWarnings(t, ctx)), rendered } };
}

/** One task with its final id and deps; its errors go to `errors`. */
function toPlanned(t: PlanTask, id: TaskId, i: number, idOf: Map<string, TaskId>, existing: Map<TaskId, TaskSpec>, ctx: PlanContext, errors: string[]): PlannedTask {
  const deps: TaskId[] = [];
  for (const d of t.deps) {
    const target = idOf.get(d) ?? (existing.has(d) ? d : undefined);
    if (d === t.id) errors.push(`tasks.${i}.deps: ${t.id} depends on itself`);
    else if (target === undefined) errors.push(`tasks.${i}.deps: ${t.id} depends on unknown task ${d} (neither a task of this plan nor an existing task)`);
    else if (!deps.includes(target)) deps.push(target);
  }
  if (/\(\s*after\b[^()]*\)\s*$/i.test(t.title)) errors.push(`tasks.${i}.title: ends with "(after …)"; put dependencies in deps, not in the title`);
  for (const f of t.files) {
    const why = globProblem(f);
    const leaves = leavesRepo(f);
    const escape = leaves ? undefined : ctx.escapes?.(f);
    if (leaves) errors.push(`tasks.${i}.files: "${f}" leaves the repository; use paths relative to its root, without .. or a leading /`);
    else if (escape) errors.push(`tasks.${i}.files: "${f}" leads outside the repository through a symlink (${escape})`);
    else if (why) errors.push(`tasks.${i}.files: "${f}" is not a glob orch can read: ${why}`);
  }
  return { id, name: t.id, title: t.title.replace(/\s+/g, " "), ...(t.type ? { type: t.type } : {}), deps, files: t.files, verify: t.verify, body: t.body, acceptance: t.acceptance };
}

/** Maps final ids of new tasks back to the planner's names, for messages it reads. */
function nameOf(planned: readonly PlannedTask[]): (id: TaskId) => string {
  const names = new Map(planned.map((t) => [t.id, t.name]));
  return (id) => names.get(id) ?? id;
}

/** Cycles through the new tasks, in the graph of the existing ones (a split's parent waits for its new subtasks). */
function cycles(planned: readonly PlannedTask[], tasks: readonly TaskSpec[], parent: TaskId | undefined, name: (id: TaskId) => string): string[] {
  const added = planned.map((t) => ({ id: t.id, deps: t.deps, children: [] as TaskId[] }) as unknown as TaskSpec);
  const all = tasks.map((t) => (t.id === parent ? { ...t, children: [...t.children, ...planned.map((p) => p.id)] } : t)).concat(added);
  const newIds = new Set(planned.map((t) => t.id));
  return findCycles(waitGraph(all))
    .filter((c) => c.some((id) => newIds.has(id)))
    .map((c) => `dependency cycle: ${c.map(name).join(" → ")}${parent !== undefined && c.includes(parent) ? ` (${parent} waits for its subtasks, so none may depend on it)` : ""}; remove one of these deps`);
}

/** Why a task's scope is wide (many files, a whole folder), for a warning. */
function scopeWarnings(t: PlannedTask, ctx: PlanContext): string[] {
  const out: string[] = [];
  const who = `${t.id} (${t.name})`;
  if (t.files.length > WIDE_SCOPE_FILES) out.push(`${who}: ${t.files.length} entries in files: a task should touch few files (at most ${WIDE_SCOPE_FILES}); consider splitting it`);
  const wide = t.files.filter((f) => /\*\*|(^|\/)\*$/.test(f) || ctx.isFolder?.(f.replace(/\/+$/, "")));
  if (wide.length) out.push(`${who}: files: ${wide.map((f) => `"${f}"`).join(", ")} ${wide.length === 1 ? "is a whole folder" : "are whole folders"}: the task may change anything in ${wide.length === 1 ? "it" : "them"}`);
  return out;
}

/** The checks' inputs for a repository: ids in use from its state records, symlinks and folders from its file system. */
export async function repoPlanContext(store: Store, config: Config, mission: Mission, todoText: string, placement: LinePlacement): Promise<PlanContext> {
  const rootReal = realpathSync.native(store.root);
  return {
    mission,
    todoText,
    placement,
    idPrefix: config.idPrefix,
    taken: idsInUse(mission, await new TaskStates(store).ids()),
    maxTasks: config.plan.maxTasks,
    tasksDir: config.tasksDir,
    escapes: (glob) => symlinkEscape(rootReal, glob),
    isFolder: (p) => statSync(path.join(rootReal, p), { throwIfNoEntry: false })?.isDirectory() ?? false,
  };
}
