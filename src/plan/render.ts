// What orch writes for a plan: one TODO.md line per task (`- [ ] T7 Title (after T5)`) inserted at
// the placement, and one task file each (type, files, verify in the front matter; the body and its
// acceptance criteria below). Pure. What is written is parsed back: the new lines must read as the
// planned tasks, every other task exactly as before, and each task file as its front matter says.
import path from "node:path";
import type { LinePlacement, TaskId } from "../spec/index.js";
import { insertTaskLines, parseTaskFile, parseTodo } from "../spec/index.js";
import type { PlannedTask } from "./check.js";

/** The new TODO.md text and the task files, as they would be written. */
export interface RenderedPlan {
  todo: string;
  files: { path: string; text: string }[];
  /** Offset in the old text where the lines went. */
  at: number;
}

/** The text after the checkbox: `<id> <title>` and `(after …)` when it has deps. */
function lineText(t: PlannedTask): string {
  return `${t.id} ${t.title}${t.deps.length ? ` (after ${t.deps.join(", ")})` : ""}`;
}

/** A YAML scalar: plain when it is unambiguous as a string, else double-quoted (JSON's quoting is YAML's). */
function scalar(s: string): string {
  const plain = /^[A-Za-z0-9_./][A-Za-z0-9_./ =+,@-]*$/.test(s) && !/ $/.test(s) && !/^(?:true|false|yes|no|on|off|null|~|[-+]?[0-9][0-9_.e+-]*)$/i.test(s);
  return plain ? s : JSON.stringify(s);
}

/** A task file: front matter, the worker's instructions, then the acceptance criteria (the reviewer's). */
function taskFileText(t: PlannedTask): string {
  const list = (key: string, values: readonly string[]) => [`${key}:`, ...values.map((v) => `  - ${scalar(v)}`)];
  const front = [...(t.type ? [`type: ${scalar(t.type)}`] : []), ...list("files", t.files), ...list("verify", t.verify)];
  const criteria = t.acceptance.map((a) => `- ${a}`).join("\n");
  return `---\n${front.join("\n")}\n---\n${t.body.trim()}\n\n## Acceptance criteria\n\n${criteria}\n`;
}

/** Renders the plan onto `todoText`, or says why it cannot go there. */
export function renderPlan(todoText: string, tasks: readonly PlannedTask[], placement: LinePlacement, todoFile: string, tasksDir: string): RenderedPlan | { error: string } {
  const inserted = insertTaskLines(todoText, placement, tasks.map((t) => ({ text: lineText(t) })), todoFile);
  if ("error" in inserted) return { error: `${inserted.error} (${inserted.hint})` };
  const files = tasks.map((t) => ({ path: path.posix.join(tasksDir.split(path.sep).join("/").replace(/\/+$/, ""), `${t.id}.md`), text: taskFileText(t) }));
  const wrong = readBack(todoText, inserted.text, tasks, placement, todoFile) ?? files.map((f, i) => fileReadBack(f, tasks[i]!)).find((e) => e !== undefined);
  return wrong ? { error: wrong } : { todo: inserted.text, files, at: inserted.at };
}

/** Why the new text does not read as intended (undefined: it does). */
function readBack(before: string, after: string, tasks: readonly PlannedTask[], placement: LinePlacement, todoFile: string): string | undefined {
  const key = (i: { id?: TaskId; title: string; deps: TaskId[]; checked: boolean; parent?: TaskId }) => JSON.stringify([i.id, i.title, i.deps, i.checked, i.parent]);
  const newIds = new Set(tasks.map((t) => t.id));
  const old = parseTodo(before, todoFile).items.map(key);
  const items = parseTodo(after, todoFile).items;
  const kept = items.filter((i) => !(i.id && newIds.has(i.id))).map(key);
  if (JSON.stringify(kept) !== JSON.stringify(old)) return `adding the lines would change how other lines of ${todoFile} read; add the tasks under a heading (--under) instead`;
  const parent = "parentTask" in placement ? placement.parentTask : undefined;
  for (const t of tasks) {
    const found = items.filter((i) => i.id === t.id);
    const want = key({ id: t.id, title: t.title, deps: t.deps, checked: false, ...(parent ? { parent } : {}) });
    if (found.length !== 1 || key(found[0]!) !== want)
      return found.length === 1 && found[0]!.title !== t.title
        ? `the title of ${t.name} ("${t.title}") does not read back as written in a task line (it reads "${found[0]!.title}"); write a plain one-line title`
        : `the line of ${t.name} would not read as a task where it goes in ${todoFile} (inside a code block or a quote?); add the tasks under a heading (--under) instead`;
  }
  return undefined;
}

/** Why a task file does not read back as its front matter says (undefined: it does). */
function fileReadBack(f: { path: string; text: string }, t: PlannedTask): string | undefined {
  const p = parseTaskFile(f.text, f.path);
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (p.problems.length || !p.data || !same(p.data.files, t.files) || !same(p.data.verify, t.verify) || p.data.type !== t.type)
    return `the task file of ${t.name} does not read back as written${p.problems[0] ? `: ${p.problems[0].message}` : ""}`;
  return undefined;
}
