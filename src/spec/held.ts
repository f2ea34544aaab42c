// Which errors hold what: an error in one task's own task file holds that task only; any other
// error (in TODO.md, the tasks folder, a cycle) leaves the whole mission unreadable. Pure.
import path from "node:path";
import type { Problem } from "../util/index.js";
import type { Mission, TaskId } from "./model.js";

/** A mission's errors, split by what they hold. */
export interface HeldBy {
  /** Tasks whose own task file has errors. */
  tasks: Set<TaskId>;
  /** Errors that hold the whole mission. */
  mission: Problem[];
}

/**
 * Splits the mission's errors. A task file is `<tasksDir>/<id>.md` of a task in the mission; an
 * error in a file named after no task (an orphan) holds nothing: no task reads that file.
 */
export function heldBy(mission: Mission): HeldBy {
  const ids = new Set(mission.tasks.map((t) => t.id));
  const out: HeldBy = { tasks: new Set(), mission: [] };
  for (const p of mission.problems) {
    if (p.severity !== "error") continue;
    const id = p.file === mission.todoFile || !/\.md$/i.test(p.file) ? undefined : path.posix.basename(p.file).replace(/\.md$/i, "");
    if (id === undefined) out.mission.push(p);
    else if (ids.has(id)) out.tasks.add(id);
  }
  return out;
}
