// Adapter from plan()'s question ("redo or stale?") to spec/uncheck.ts, with the TODO.md text and
// orch's other recorded checks as evidence.
import type { Mission, TaskSpec } from "../spec/model.js";
import { classifyUncheck } from "../spec/uncheck.js";
import type { TaskState } from "./state.js";
import { taskLine } from "./executor.js";

/** Builds the classifier plan() calls for Succeeded tasks whose box is unchecked now. */
export function classifier(mission: Mission, todoText: string, actual: ReadonlyMap<string, TaskState>): (t: TaskSpec, s: TaskState) => "redo" | "stale" {
  return (t, s) => {
    if (!s.checkedByOrch) return "redo";
    const line = taskLine(todoText, mission.todoFile, t.id);
    if (line === undefined) return "redo";
    const others = [...actual.values()].filter((x) => x.id !== t.id && x.checkedByOrch).map((x) => ({ at: x.checkedByOrch!.at, lineAfter: x.checkedByOrch!.lineAfter }));
    return classifyUncheck(s.checkedByOrch, line, todoText, others).kind === "stale-save" ? "stale" : "redo";
  };
}
