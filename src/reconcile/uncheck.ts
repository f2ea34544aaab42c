// Adapter from plan()'s question ("redo or stale?") to spec/uncheck.ts, with the TODO.md text and
// orch's other recorded checks as evidence.
import type { Mission, TaskSpec } from "../spec/index.js";
import { classifyUncheck, taskLines } from "../spec/index.js";
import type { TaskState } from "../store/index.js";

/**
 * Builds the classifier plan() calls for Succeeded tasks whose box is unchecked now; `todoModifiedAt`:
 * TODO.md's mtime (ISO), read after its text.
 */
export function classifier(mission: Mission, todoText: string, actual: ReadonlyMap<string, TaskState>, todoModifiedAt?: string): (t: TaskSpec, s: TaskState) => "redo" | "stale" {
  // Parsed once, on the first question: most passes never ask.
  let lines: Map<string, { text: string }> | undefined;
  let checked: { id: string; at: string; lineAfter: string }[] | undefined;
  return (t, s) => {
    if (!s.checkedByOrch) return "redo";
    lines ??= taskLines(todoText, mission.todoFile);
    const line = lines.get(t.id)?.text;
    if (line === undefined) return "redo";
    checked ??= [...actual.values()].flatMap((x) => (x.checkedByOrch ? [{ id: x.id, at: x.checkedByOrch.at, lineAfter: x.checkedByOrch.lineAfter }] : []));
    const others = checked.filter((x) => x.id !== t.id).map(({ at, lineAfter }) => ({ at, lineAfter }));
    // Both mean orch's own check is missing, not that a person unchecked the box: orch checks it again.
    return classifyUncheck(s.checkedByOrch, line, todoText, others, todoModifiedAt).kind === "deliberate" ? "redo" : "stale";
  };
}
