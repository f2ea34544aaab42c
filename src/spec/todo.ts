// TODO.md → TodoItems: a pure parse with source positions, so edits can be surgical.
import type { Problem } from "../util/index.js";
import type { TaskId } from "./model.js";
import { maskFrontMatter } from "./todo-blocks.js";
import { parseSections, type SectionParse, type TodoParseCache } from "./todo-sections.js";

export type { TodoParseCache } from "./todo-sections.js";
export { createTodoParseCache } from "./todo-sections.js";

/** One task-list item of TODO.md. Offsets are UTF-16 indices into the text. */
export interface TodoItem {
  id?: TaskId;
  /** The line's text without checkbox, id and deps clause, whitespace collapsed. */
  title: string;
  checked: boolean;
  /** Inline deps from a trailing `(after T3, T4)` clause, in written order. */
  deps: TaskId[];
  /** Id of the nearest enclosing task item (when it has one). */
  parent?: TaskId;
  /** Index in `items` of the nearest enclosing task item. */
  parentIndex?: number;
  /** Root-level headings above the item, outermost first. */
  headings: string[];
  /** 1-based line and column of the list marker. */
  line: number;
  col: number;
  /** The item's first line: [lineStart, lineEnd), line break excluded. */
  lineStart: number;
  lineEnd: number;
  /** The character between the brackets of `[ ]`. */
  checkbox: { offset: number; line: number; col: number };
  /** Where the line's text starts after the checkbox (where orch writes an id). */
  textStart: number;
  /** End of the whole item, subitems included. */
  end: number;
  /** Canonical text of the line's meaning (id, title, deps; not the checkbox), for generations. */
  meaning: string;
}

/** A root-level heading of TODO.md. */
interface TodoHeading {
  depth: number;
  text: string;
  line: number;
  offset: number;
  end: number;
}

export interface TodoParse {
  items: TodoItem[];
  problems: Problem[];
  headings: TodoHeading[];
  /** Offset where the markdown body starts (after a front matter block). */
  bodyStart: number;
}

/**
 * The latest parse without a cache. One success reads the same TODO.md text three times (its line,
 * the check under the lock, the edit): the second and third are answered from here.
 */
let latest: { text: string; file: string; parse: TodoParse } | undefined;

/**
 * Parses TODO.md. Pure; never throws; bad lines become problems. The result may be shared with
 * other callers (the latest is kept, and a cache's unchanged sections yield the same items): read it,
 * never change it.
 */
export function parseTodo(text: string, file: string, cache?: TodoParseCache): TodoParse {
  // With a cache the parse also primes it for the next text, so that one always runs (and is never
  // kept here: an uncached parse stays one made afresh, which tests compare the cached one with).
  if (cache) return parseText(text, file, cache);
  if (latest && latest.text === text && latest.file === file) return latest.parse;
  const parse = parseText(text, file, undefined);
  latest = { text, file, parse };
  return parse;
}

function parseText(text: string, file: string, cache: TodoParseCache | undefined): TodoParse {
  const { text: masked, bodyStart } = maskFrontMatter(text);
  const items: TodoItem[] = [];
  const headings: TodoHeading[] = [];
  const problems: Problem[] = [];
  const stack: { depth: number; text: string }[] = [];
  let headingPath: string[] = [];
  const assembled = new Map<SectionParse, Assembled>();
  for (const { base, lineBase, parse } of parseSections(masked, file, cache)) {
    const itemBase = items.length;
    const context = stack.map((h) => `${h.depth} ${h.text}`).join("\n");
    // An unchanged section at the same place under the same headings yields the same objects.
    const prev = cache?.assembled.get(parse) as Assembled | undefined;
    if (prev && prev.base === base && prev.lineBase === lineBase && prev.itemBase === itemBase && prev.context === context) {
      items.push(...prev.items);
      headings.push(...prev.headings);
      problems.push(...prev.problems);
      for (const h of prev.headings) {
        while (stack.length && stack[stack.length - 1]!.depth >= h.depth) stack.pop();
        stack.push({ depth: h.depth, text: h.text });
      }
      headingPath = prev.headingPathAfter;
      assembled.set(parse, prev);
      continue;
    }
    const firstHeading = headings.length;
    const firstProblem = problems.length;
    for (const p of parse.problems) problems.push({ ...p, line: p.line + lineBase });
    for (const e of parse.entries) {
      if (e.kind === "heading") {
        while (stack.length && stack[stack.length - 1]!.depth >= e.depth) stack.pop();
        stack.push({ depth: e.depth, text: e.text });
        headingPath = stack.map((h) => h.text);
        headings.push({ depth: e.depth, text: e.text, line: e.line + lineBase, offset: e.offset + base, end: e.end + base });
        continue;
      }
      const parentIndex = e.parent >= 0 ? itemBase + e.parent : undefined;
      const parent = parentIndex === undefined ? undefined : items[parentIndex]!.id;
      const item: TodoItem = {
        title: e.title,
        checked: e.checked,
        deps: e.deps,
        headings: headingPath,
        line: e.line + lineBase,
        col: e.col,
        lineStart: e.lineStart + base,
        lineEnd: e.lineEnd + base,
        checkbox: { offset: e.checkbox.offset + base, line: e.checkbox.line + lineBase, col: e.checkbox.col },
        textStart: e.textStart + base,
        end: e.end + base,
        meaning: e.meaning,
      };
      if (e.id) item.id = e.id;
      if (parent) item.parent = parent;
      if (parentIndex !== undefined) item.parentIndex = parentIndex;
      items.push(item);
    }
    assembled.set(parse, {
      base, lineBase, itemBase, context,
      items: items.slice(itemBase),
      headings: headings.slice(firstHeading),
      problems: problems.slice(firstProblem),
      headingPathAfter: headingPath,
    });
  }
  if (cache) cache.assembled = assembled;
  return { items, problems, headings, bodyStart };
}

/** A section's contribution to the last parse, with the context it was built in. */
interface Assembled {
  base: number;
  lineBase: number;
  itemBase: number;
  context: string;
  items: TodoItem[];
  headings: TodoHeading[];
  problems: Problem[];
  headingPathAfter: string[];
}


/** A task's line in TODO.md text: its bytes (line break excluded) and whether its box is checked. */
export interface TaskLine {
  text: string;
  checked: boolean;
  /** The same line with its box checked (equal to `text` when it already is). */
  checkedText: string;
  /** What the line means for the task's generation (id, title, deps). */
  meaning: string;
}

/** Each task's line by id, from one parse; an id on several lines maps to its first. */
export function taskLines(text: string, file: string): Map<TaskId, TaskLine> {
  const lines = new Map<TaskId, TaskLine>();
  for (const item of parseTodo(text, file).items) {
    if (!item.id || lines.has(item.id)) continue;
    const line = text.slice(item.lineStart, item.lineEnd);
    const box = item.checkbox.offset - item.lineStart;
    lines.set(item.id, { text: line, checked: item.checked, checkedText: item.checked ? line : line.slice(0, box) + "x" + line.slice(box + 1), meaning: item.meaning });
  }
  return lines;
}
