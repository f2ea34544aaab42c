// A task's ancestors the ladder split (their records say `split`): the subtasks a split wrote are
// held to their parent's acceptance tests too (attempt-guard-step.ts), and splits nest only so deep
// (attempt-ladder.ts, ladder.maxSplitDepth).
import type { TaskSpec } from "../spec/index.js";
import type { AttemptEnv } from "./attempt.js";

/** The task's parent, its parent, and so on, those whose records say they were split; nearest first. */
export async function splitAncestors(env: Pick<AttemptEnv, "task" | "states">, t: TaskSpec): Promise<TaskSpec[]> {
  const out: TaskSpec[] = [];
  const seen = new Set<string>();
  for (let up = t.parent ? env.task(t.parent) : undefined; up && !seen.has(up.id); up = up.parent ? env.task(up.parent) : undefined) {
    seen.add(up.id);
    if ((await env.states.read(up.id))?.value.split) out.push(up);
  }
  return out;
}
