// Writes ids into task lines a person added without one: the one place orch assigns ids,
// used by every pass of the loop and by `orch validate --fix`.
import type { Mission, TaskId } from "../spec/index.js";
import { assignIds, idsInUse } from "../spec/index.js";
import type { Store, Fence } from "../store/index.js";
import { TaskStates } from "../store/index.js";

/** An id orch wrote into TODO.md, with the (1-based) line it went into. */
export interface AssignedId {
  line: number;
  id: TaskId;
}

/**
 * Writes the next free id into each id-less task line of the mission's TODO.md, through the
 * store's locked writer (so a person's save in between survives). Ids still named by a state
 * record or an orphan task file are never reused: they may carry another task's history.
 */
export async function assignMissingIds(store: Store, mission: Mission, prefix: string, fence?: Fence): Promise<AssignedId[]> {
  if (!mission.problems.some((p) => p.code === "missing-id")) return [];
  const taken = idsInUse(mission, await new TaskStates(store).ids());
  let assigned: AssignedId[] = [];
  await store.todo(mission.todoFile).edit((current) => {
    const r = assignIds(current, prefix, taken);
    assigned = r?.assigned ?? [];
    return r?.text;
  }, fence);
  return assigned;
}
