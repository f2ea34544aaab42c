// One task line's text → id, title and inline deps. Pure.
import type { Problem } from "../util/index.js";
import type { TaskId } from "./model.js";
import { ID_PATTERN, isTaskId } from "./ids.js";
import { collapse } from "./todo-blocks.js";

const ID_AT_START = new RegExp(`^(${ID_PATTERN}):?(?=\\s|$)`);
const DEPS_AT_END = /\(\s*after\b:?\s*([^()]*)\)\s*$/i;

/** Splits a task line's text into id, title and inline deps; bad parts become problems. */
export function parseLineText(
  raw: string,
  file: string,
  at: { line: number; col: number },
  problems: Problem[],
): { id?: TaskId; title: string; deps: TaskId[] } {
  let rest = collapse(raw);
  let id: TaskId | undefined;
  const idm = ID_AT_START.exec(rest);
  if (idm) {
    id = idm[1]!;
    rest = rest.slice(idm[0].length).trim();
  }
  const deps: TaskId[] = [];
  const dm = rest.includes("(") ? DEPS_AT_END.exec(rest) : null;
  if (dm) {
    rest = rest.slice(0, dm.index).trim();
    for (const d of dm[1]!.split(/[\s,]+/).filter(Boolean)) {
      if (isTaskId(d)) {
        if (!deps.includes(d)) deps.push(d);
      } else {
        problems.push({
          code: "bad-dep",
          severity: "error",
          file,
          line: at.line,
          col: at.col,
          message: `"${d}" in the deps clause is not a task id`,
          hint: "Write deps as ids, e.g. (after T3, T4).",
        });
      }
    }
  }
  if (!rest) {
    problems.push({
      code: "empty-title",
      severity: "error",
      file,
      line: at.line,
      col: at.col,
      message: id ? `task ${id} has no title` : "task line has no title",
      hint: "Write what the task is about after the checkbox and id.",
    });
  }
  return { ...(id ? { id } : {}), title: rest, deps };
}
