// Rebuilding a 10,000-task mission after a one-line edit costs tens of milliseconds; most
// edits (a checkbox, a title, a heading) change no id, dep, nesting or line number, so the
// last mission can be patched instead: only the changed tasks are rebuilt, and validation
// results that depend only on ids, deps and positions are kept. Equality with a full build
// is pinned by a property test (test/spec/mission-patch.property.test.ts).
import type { Problem } from "../util/index.js";
import type { Mission, TaskId, TaskSpec } from "./model.js";
import type { TodoItem, TodoParse } from "./todo.js";
import type { SpecCache, TaskFileText } from "./mission.js";
import { generationOf, sortProblems } from "./mission.js";

/** What a full build leaves in the cache. */
export interface LastBuild {
  root: string;
  todoFile: string;
  taskFiles: readonly TaskFileText[];
  items: TodoItem[];
  /** For each item, the index of its task, or -1 (no id, or a duplicate line). */
  taskOfItem: Int32Array;
  tasks: TaskSpec[];
  problems: Problem[];
}

// Problems that come from TODO.md lines' text or checkboxes, recomputed on every patch.
const LINE_CODES = new Set(["bad-dep", "empty-title", "parent-before-subtasks"]);

const same = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** The patched mission, or undefined when the edit needs a full build. */
export function patchMission(last: LastBuild, root: string, todoFile: string, todo: TodoParse, taskFiles: readonly TaskFileText[], cache: SpecCache): Mission | undefined {
  if (last.root !== root || last.todoFile !== todoFile || last.taskFiles.length !== taskFiles.length) return undefined;
  for (let i = 0; i < taskFiles.length; i++) if (last.taskFiles[i] !== taskFiles[i]) return undefined;
  const before = last.items;
  const after = todo.items;
  if (before.length !== after.length) return undefined;
  const tasks = last.tasks.slice();
  for (let i = 0; i < after.length; i++) {
    const x = before[i]!;
    const y = after[i]!;
    if (x === y) continue; // reused from an unchanged section
    if (x.id !== y.id || x.parentIndex !== y.parentIndex || x.line !== y.line || x.col !== y.col || !same(x.deps, y.deps)) return undefined;
    if (x.meaning === y.meaning && x.checked === y.checked && x.title === y.title && same(x.headings, y.headings)) continue;
    // An id-less line's warning quotes its title; an empty title falls back to the file's.
    if (!y.id || !y.title) return undefined;
    const ti = last.taskOfItem[i]!;
    if (ti < 0) continue; // a duplicate line: the task is the first line's
    const gen = cache.generations.get(y.id);
    if (!gen) return undefined;
    tasks[ti] = { ...tasks[ti]!, title: y.title, checked: y.checked, headings: y.headings, generation: generationOf(y.id, y.meaning, gen.fileText, cache) };
  }
  const problems = last.problems.filter((p) => !(p.file === todoFile && LINE_CODES.has(p.code)));
  problems.push(...todo.problems, ...parentWarnings(tasks, todoFile));
  sortProblems(problems);
  Object.assign(last, { items: after, tasks, problems: [...problems] });
  return { root, todoFile, tasks: [...tasks], problems };
}

/** A checked parent with an unchecked subtask is suspicious: the parent is done only with them. */
export function parentWarnings(tasks: readonly TaskSpec[], todoFile: string): Problem[] {
  const out: Problem[] = [];
  let byId: Map<TaskId, TaskSpec> | undefined; // built only when a checked parent exists
  for (const t of tasks) {
    if (!t.checked || t.children.length === 0) continue;
    byId ??= new Map(tasks.map((x) => [x.id, x]));
    if (t.children.some((c) => !byId!.get(c)?.checked))
      out.push({ code: "parent-before-subtasks", severity: "warning", file: todoFile, line: t.line, col: t.col, message: `${t.id} is checked but some of its subtasks are not`, hint: "A parent is done only when its subtasks are; uncheck it or finish them." });
  }
  return out;
}
