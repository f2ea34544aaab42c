// Writing a checked plan: the task files first (a line without its file would start without its scope
// and verify), then the TODO.md lines, each through the store's locked writer. The ids are given out
// here, from the ids in use as the write starts (a planner session takes minutes: a split, another
// `orch plan` or the loop's id assignment may take the ids the check saw free), and checked again on
// TODO.md's newest bytes under its lock: an id taken meanwhile starts a new round on newer ids. The
// lines are placed on those bytes, so a person's save since the check is kept; if the plan no longer
// fits (the heading gone) nothing stays written.
import { readdir, readFile, mkdir } from "node:fs/promises";
import path from "node:path";
import type { LinePlacement, TaskId } from "../spec/index.js";
import { nextIds, parseTodo } from "../spec/index.js";
import { TaskStates, type Fence, type Store } from "../store/index.js";
import { OrchError } from "../util/index.js";
import type { CheckedPlan, PlannedTask } from "./check.js";
import { renderPlan } from "./render.js";

/** Where a plan goes: the mission's TODO.md and tasks folder, the placement of its lines, and the ids' prefix (config.idPrefix). */
export interface PlanTarget {
  todoFile: string;
  tasksDir: string;
  placement: LinePlacement;
  idPrefix: string;
}

/** What was written, paths relative to the root; `ids` in the plan's order; `plan` under those ids. */
export interface WrittenPlan {
  ids: TaskId[];
  todoFile: string;
  files: string[];
  plan: CheckedPlan;
}

/** Rounds of fresh ids before giving up: each needs another writer to take ids in the moment between two looks. */
const ROUNDS = 5;

/**
 * Writes the plan's task files and TODO.md lines under ids free as it writes; OrchError
 * "plan-conflict" (nothing left written) when it no longer fits. `claim(ids)` runs before the lines
 * go in (e.g. --hold suspends them) and returns what undoes it.
 */
export async function writePlan(store: Store, plan: CheckedPlan, target: PlanTarget, fence?: Fence, claim?: (ids: TaskId[]) => Promise<() => Promise<void>>): Promise<WrittenPlan> {
  await mkdir(path.join(store.root, target.tasksDir), { recursive: true });
  let why = "";
  for (let round = 0; round < ROUNDS; round++) {
    const todo = await readFile(path.join(store.root, target.todoFile), "utf8").catch(() => "");
    const taken = await idsTaken(store, target, todo);
    const tasks = renumbered(plan.tasks, nextIds(target.idPrefix, taken, plan.tasks.length));
    const ids = tasks.map((t) => t.id);
    const first = renderPlan(todo, tasks, target.placement, target.todoFile, target.tasksDir);
    if ("error" in first) throw conflict(first.error);
    const made: string[] = [];
    let release: (() => Promise<void>) | undefined;
    const undo = async () => {
      for (const f of made) await store.todo(f).remove();
      await release?.();
    };
    try {
      let clash = false;
      for (const f of first.files) {
        // Created only where no file is: a task file someone wrote since is theirs (its id is taken then).
        if (!(await store.todo(f.path).edit((cur) => (cur === "" ? f.text : undefined), fence))) {
          clash = true;
          break;
        }
        made.push(f.path);
      }
      if (!clash) {
        release = await claim?.(ids);
        let error: string | undefined;
        await store.todo(target.todoFile).edit((current) => {
          error = undefined;
          clash = parseTodo(current, target.todoFile).items.some((i) => i.id && ids.includes(i.id));
          if (clash) return undefined;
          const r = renderPlan(current, tasks, target.placement, target.todoFile, target.tasksDir);
          if ("error" in r) return void (error = r.error);
          return r.todo;
        }, fence);
        if (error) throw conflict(error);
        if (!clash) return { ids, todoFile: target.todoFile, files: first.files.map((f) => f.path), plan: { ...plan, tasks, rendered: first } };
      }
      why = `the ids ${ids.join(", ")} were taken while orch wrote the plan, ${ROUNDS} times`;
      await undo();
    } catch (err) {
      await undo();
      throw err;
    }
  }
  throw conflict(why);
}

/** Ids in use as the write starts: TODO.md's newest lines, state records, task files (an orphan file's id may be wanted back). */
async function idsTaken(store: Store, target: PlanTarget, todo: string): Promise<TaskId[]> {
  const lines = parseTodo(todo, target.todoFile).items.flatMap((i) => (i.id ? [i.id] : []));
  const files = (await readdir(path.join(store.root, target.tasksDir)).catch(() => [] as string[])).filter((f) => f.endsWith(".md")).map((f) => f.slice(0, -3));
  return [...lines, ...(await new TaskStates(store).ids()), ...files];
}

/** The plan's tasks under new ids, their deps on each other renamed with them. */
function renumbered(tasks: readonly PlannedTask[], ids: readonly TaskId[]): PlannedTask[] {
  const to = new Map(tasks.map((t, i) => [t.id, ids[i]!]));
  return tasks.map((t, i) => ({ ...t, id: ids[i]!, deps: t.deps.map((d) => to.get(d) ?? d) }));
}

function conflict(why: string): OrchError {
  return new OrchError("plan-conflict", `the plan was not written: ${why}`, { hint: "Nothing was written. Run the command again: the plan is checked against the task list as it is then." });
}
