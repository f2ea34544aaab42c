// TODO.md items + task files → Mission: merge, validate, compute generations. Pure.
import * as crypto from "node:crypto";
import path from "node:path";
import type { Problem } from "../util/index.js";
import type { Config } from "./config.js";
import type { Mission, TaskId, TaskSpec } from "./model.js";
import { isTaskId } from "./ids.js";
import { globProblem } from "../util/index.js";
import { parseTodo, createTodoParseCache, type TodoItem, type TodoParseCache } from "./todo.js";
import { parseTaskFile, asList, type TaskFileParse } from "./task-file.js";
import { findCycles, waitGraph } from "../graph/index.js";
import { patchMission, parentWarnings, type LastBuild } from "./mission-patch.js";

/** A task file's path (relative to the root, `/`-separated) and its text. */
export interface TaskFileText {
  path: string;
  text: string;
}

/** Memo across builds: section parses of TODO.md, task-file parses and generations by content. */
export interface SpecCache {
  todo: TodoParseCache;
  taskFiles: Map<string, { text: string; parse: TaskFileParse }>;
  generations: Map<string, { meaning: string; fileText: string | undefined; generation: string }>;
  /** The last full build, for patching after edits that change no id, dep, nesting or line. */
  lastBuild?: LastBuild;
  /** Symlink-scope problems of the last load (they depend only on task files and the tree). */
  lastScope?: Problem[];
  /** The last texts loadMission read (TODO.md and task files), for incremental reloads. */
  last?: { todo: string; files: Map<string, TaskFileText>; readProblems: Map<string, Problem> };
}

/** A fresh cache for repeated buildMission/loadMission calls. */
export function createSpecCache(): SpecCache {
  return { todo: createTodoParseCache(), taskFiles: new Map(), generations: new Map() };
}

/** Builds the mission from already-read texts. Never throws; bad input becomes problems. */
export function buildMission(
  root: string,
  todoFile: string,
  todoText: string,
  taskFiles: readonly TaskFileText[],
  config: Config,
  cache?: SpecCache,
): Mission {
  void config; // defaults (verify commands, budget) are applied where tasks run, not baked in here
  const problems: Problem[] = [];
  const err = (code: string, file: string, line: number, col: number, message: string, hint: string) =>
    problems.push({ code, severity: "error", file, line, col, message, hint });
  const warn = (code: string, file: string, line: number, col: number, message: string, hint: string) =>
    problems.push({ code, severity: "warning", file, line, col, message, hint });

  if (todoText.trim() === "") {
    err("empty-file", todoFile, 0, 0, `${todoFile} is empty`, "Add task lines such as `- [ ] T1 Write the parser`, or run `orch init`.");
    return { root, todoFile, tasks: [], problems };
  }
  const todo = parseTodo(todoText, todoFile, cache?.todo);
  const patched = cache?.lastBuild && patchMission(cache.lastBuild, root, todoFile, todo, taskFiles, cache);
  if (patched) return patched;
  problems.push(...todo.problems);

  // Ids: the first line with an id owns it.
  const firstById = new Map<TaskId, TodoItem>();
  for (const item of todo.items) {
    if (!item.id) {
      warn("missing-id", todoFile, item.line, item.col, `task "${item.title}" has no id yet`, "`orch watch` and `orch run` write the next free id into the line (so does `orch validate --fix`); or write one yourself, e.g. T12.");
      continue;
    }
    const first = firstById.get(item.id);
    if (first) err("duplicate-id", todoFile, item.line, item.col, `duplicate id ${item.id} (also on line ${first.line})`, "Give one of the lines a new id, or delete its id and orch assigns a free one.");
    else firstById.set(item.id, item);
  }
  if (todo.items.length === 0) warn("no-tasks", todoFile, 0, 0, `${todoFile} has no task lines`, "Add lines such as `- [ ] T1 Write the parser`.");

  // Task files: one per id, named <id>.md.
  const fileById = new Map<TaskId, { path: string; parse: TaskFileParse; text: string }>();
  for (const tf of taskFiles) {
    const id = path.posix.basename(tf.path).replace(/\.md$/i, "");
    if (!isTaskId(id)) {
      warn("not-a-task-file", tf.path, 0, 0, `${tf.path} is not named after a task id; ignored`, "Name task files <id>.md, e.g. tasks/T3.md.");
      continue;
    }
    // Deleting a line cancels its task, whatever its file says: the file is left for the person to
    // delete (orch never deletes what a person wrote) and not read further, since no task uses it.
    if (!firstById.has(id)) {
      warn("orphan-task-file", tf.path, 0, 0, `${tf.path} has no line in ${todoFile}; task ${id} is cancelled`, `Delete the file, or add \`- [ ] ${id} <title>\` to ${todoFile} to want the task again.`);
      continue;
    }
    const parse = cachedTaskFile(tf, cache);
    problems.push(...parse.problems);
    if (parse.data?.id !== undefined && parse.data.id !== id)
      err("id-mismatch", tf.path, parse.keyLines.id ?? 1, 1, `id ${parse.data.id} does not match the file name (${id})`, `Rename the file to ${parse.data.id}.md or set id: ${id}.`);
    fileById.set(id, { path: tf.path, parse, text: tf.text });
  }

  const childrenOf = new Map<TodoItem, TaskId[]>();
  for (const c of todo.items) {
    const parent = c.parentIndex === undefined ? undefined : todo.items[c.parentIndex]!;
    if (parent && c.id) (childrenOf.get(parent) ?? childrenOf.set(parent, []).get(parent)!).push(c.id);
  }
  const tasks: TaskSpec[] = [];
  for (const [id, item] of firstById) {
    const tf = fileById.get(id);
    const fm = tf?.parse.data;
    const deps = [...item.deps];
    for (const d of asList(fm?.deps)) if (!deps.includes(d)) deps.push(d);
    for (const d of item.deps) if (!firstById.has(d)) err("unknown-dep", todoFile, item.line, item.col, `${id} depends on unknown task ${d}`, `Add a line for ${d}, or remove it from the (after …) clause.`);
    for (const d of asList(fm?.deps)) if (!firstById.has(d)) err("unknown-dep", tf!.path, tf!.parse.keyLines.deps ?? 1, 1, `${id} depends on unknown task ${d}`, `Add a line for ${d} to ${todoFile}, or remove it from deps.`);
    const files = asList(fm?.files);
    for (const g of files) {
      const why = globProblem(g);
      if (leavesRepo(g)) err("scope-outside", tf!.path, tf!.parse.keyLines.files ?? 1, 1, `scope "${g}" leaves the repository`, "Use globs relative to the repo root, without `..` or a leading `/`.");
      else if (why) err("bad-glob", tf!.path, tf!.parse.keyLines.files ?? 1, 1, `scope "${g}" is not a glob orch can read: ${why}`, "Write it as orch reads globs, e.g. src/{a,b}.ts or src/[ab].ts (see docs/FORMAT.md).");
    }
    // A fixed shape, optional keys assigned after: conditional spreads cost ~10x more at 10,000 tasks.
    const t: TaskSpec = {
      id,
      title: item.title || fm?.title || "",
      checked: item.checked,
      deps,
      children: childrenOf.get(item) ?? [],
      headings: item.headings,
      priority: fm?.priority ?? 0,
      files,
      verify: asList(fm?.verify),
      budget: fm?.budget ?? {},
      suspend: fm?.suspend ?? false,
      body: tf?.parse.body ?? "",
      line: item.line,
      col: item.col,
      generation: generationOf(id, item.meaning, tf?.text, cache),
    };
    if (item.parent) t.parent = item.parent;
    if (fm?.type) t.type = fm.type;
    if (fm?.role) t.role = fm.role as TaskSpec["role"];
    if (fm?.agent) t.agent = fm.agent;
    if (fm?.model) t.model = fm.model;
    if (fm?.approval) t.approval = fm.approval;
    if (fm?.allowEmpty) t.allowEmpty = true;
    if (fm?.editsTests) t.editsTests = true;
    if (fm?.ladder) t.ladder = fm.ladder;
    if (tf) t.file = tf.path;
    tasks.push(t);
  }

  const byId = new Map(tasks.map((t) => [t.id, t]));
  problems.push(...parentWarnings(tasks, todoFile));
  for (const cycle of findCycles(waitGraph(tasks))) {
    const head = byId.get(cycle[0]!)!;
    // A parent waits for its subtasks (graph/task-graph.ts): a subtask that waits for its parent closes a cycle.
    const viaParent = cycle.some((id, k) => byId.get(id)!.children.includes(cycle[k + 1]!));
    err("cycle", todoFile, head.line, head.col, `dependency cycle: ${cycle.join(" → ")}`, viaParent ? "A parent waits for its subtasks, so a subtask cannot depend on its parent (or a task that waits for it). Remove that dep." : "Remove one of the deps in the cycle.");
  }
  sortProblems(problems);
  if (cache) {
    const taskIndex = new Map(tasks.map((t, i) => [t.id, i]));
    const taskOfItem = Int32Array.from(todo.items, (item) => (item.id && firstById.get(item.id) === item ? taskIndex.get(item.id)! : -1));
    cache.lastBuild = { root, todoFile, taskFiles, items: todo.items, taskOfItem, tasks, problems: [...problems] };
  }
  return { root, todoFile, tasks: [...tasks], problems };
}

/** Orders problems by file, position, code and message, so every build path gives one order. */
export function sortProblems(problems: Problem[]): void {
  const cmp = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
  problems.sort((a, b) => cmp(a.file, b.file) || a.line - b.line || a.col - b.col || cmp(a.code, b.code) || cmp(a.message, b.message));
}

function cachedTaskFile(tf: TaskFileText, cache?: SpecCache): TaskFileParse {
  const hit = cache?.taskFiles.get(tf.path);
  if (hit && hit.text === tf.text) return hit.parse;
  const parse = parseTaskFile(tf.text, tf.path);
  cache?.taskFiles.set(tf.path, { text: tf.text, parse });
  return parse;
}

/** Hash of the TODO line's meaning (checkbox excluded) plus the task file's exact bytes. */
export function generationOf(id: TaskId, meaning: string, fileText: string | undefined, cache?: SpecCache): string {
  const hit = cache?.generations.get(id);
  // Compared field by field: building one key string per task would cost more than the hash saves.
  if (hit && hit.meaning === meaning && hit.fileText === fileText) return hit.generation;
  const generation = sha256(`${meaning}\u0000${fileText ?? "\u0001none"}`).slice(0, 16);
  cache?.generations.set(id, { meaning, fileText, generation });
  return generation;
}

// crypto.hash (one-shot, Node ≥ 20.12) is several times cheaper than createHash for short inputs.
const oneShot = (crypto as { hash?: (alg: string, data: string, enc: "hex") => string }).hash;
const sha256 = (s: string): string => (oneShot ? oneShot("sha256", s, "hex") : crypto.createHash("sha256").update(s).digest("hex"));

/** True when a scope glob or path could reach outside the repository root. */
export function leavesRepo(glob: string): boolean {
  return /^[\\/~]|^[A-Za-z]:|(?:^|[\\/])\.\.(?:[\\/]|$)/.test(glob);
}
