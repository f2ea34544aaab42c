// Writing a checked plan: the task files first (a line without its file would start without its scope
// and verify), then the TODO.md lines, each through the store's locked writer. The lines are placed
// again on TODO.md's newest bytes under its lock, so a person's save since the check is kept; if the
// plan no longer fits (an id taken meanwhile, the heading gone) nothing stays written.
import { mkdir } from "node:fs/promises";
import path from "node:path";
import type { LinePlacement, TaskId } from "../spec/index.js";
import { parseTodo } from "../spec/index.js";
import type { Fence, Store } from "../store/index.js";
import { OrchError } from "../util/index.js";
import type { CheckedPlan } from "./check.js";
import { renderPlan } from "./render.js";

/** Where a plan goes: the mission's TODO.md and tasks folder, and the placement of its lines. */
export interface PlanTarget {
  todoFile: string;
  tasksDir: string;
  placement: LinePlacement;
}

/** What was written, paths relative to the root. */
export interface WrittenPlan {
  ids: TaskId[];
  todoFile: string;
  files: string[];
}

/** Writes the plan's task files and TODO.md lines; OrchError "plan-conflict" (nothing left written) when it no longer fits. */
export async function writePlan(store: Store, plan: CheckedPlan, target: PlanTarget, fence?: Fence): Promise<WrittenPlan> {
  const ids = plan.tasks.map((t) => t.id);
  const files = plan.rendered.files;
  await mkdir(path.join(store.root, target.tasksDir), { recursive: true });
  const made: string[] = [];
  const undo = async () => {
    for (const f of made) await store.todo(f).remove();
  };
  try {
    for (const f of files) {
      // Created only where no file is: a task file someone wrote since the check is theirs.
      if (!(await store.todo(f.path).edit((cur) => (cur === "" ? f.text : undefined), fence)))
        throw conflict(`${f.path} exists already (written since the plan was checked)`);
      made.push(f.path);
    }
    let why: string | undefined;
    await store.todo(target.todoFile).edit((current) => {
      why = undefined;
      const clash = parseTodo(current, target.todoFile).items.find((i) => i.id && ids.includes(i.id));
      if (clash) return void (why = `${target.todoFile} has a task ${clash.id} now (line ${clash.line}), an id the plan was to use`);
      const r = renderPlan(current, plan.tasks, target.placement, target.todoFile, target.tasksDir);
      if ("error" in r) return void (why = r.error);
      return r.todo;
    }, fence);
    if (why) throw conflict(why);
  } catch (err) {
    await undo();
    throw err;
  }
  return { ids, todoFile: target.todoFile, files: files.map((f) => f.path) };
}

function conflict(why: string): OrchError {
  return new OrchError("plan-conflict", `the plan was not written: ${why}`, { hint: "Nothing was written. Run the command again: the plan is checked against the task list as it is then." });
}
