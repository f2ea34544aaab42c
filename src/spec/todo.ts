// TODO.md → TodoItems: a pure parse with source positions, so edits can be surgical.
import type { Problem } from "../util/errors.js";
import type { TaskId } from "./model.js";
import { ID_PATTERN, isTaskId } from "./ids.js";
import { collapse, lineStarts, maskFrontMatter, position, type RawBlock } from "./todo-blocks.js";
import { parseBlocks, type TodoParseCache } from "./todo-sections.js";

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
export interface TodoHeading {
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

const ID_AT_START = new RegExp(`^(${ID_PATTERN}):?(?=\\s|$)`);
const DEPS_AT_END = /\(\s*after\b:?\s*([^()]*)\)\s*$/i;

/** Parses TODO.md. Pure; never throws; bad lines become problems. */
export function parseTodo(text: string, file: string, cache?: TodoParseCache): TodoParse {
  const { text: masked, bodyStart } = maskFrontMatter(text);
  const blocks = parseBlocks(masked, cache);
  const starts = lineStarts(text);
  const items: TodoItem[] = [];
  const headings: TodoHeading[] = [];
  const problems: Problem[] = [];
  const stack: { depth: number; text: string }[] = [];
  const itemIndex = new Map<number, number>();
  let headingPath: string[] = [];
  blocks.forEach((b: RawBlock, bi) => {
    if (b.kind === "heading") {
      while (stack.length && stack[stack.length - 1]!.depth >= b.depth) stack.pop();
      stack.push({ depth: b.depth, text: b.text });
      headingPath = stack.map((h) => h.text);
      headings.push({ depth: b.depth, text: b.text, line: position(starts, b.offset).line, offset: b.offset, end: b.end });
      return;
    }
    const at = position(starts, b.offset);
    const lineStart = starts[at.line - 1]!;
    let lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    if (text[lineEnd - 1] === "\r") lineEnd--;
    const parsed = parseLineText(text.slice(b.textStart, b.textEnd), file, position(starts, b.textStart), problems);
    const parentIndex = b.parent >= 0 ? itemIndex.get(b.parent) : undefined;
    const parent = parentIndex === undefined ? undefined : items[parentIndex]!.id;
    itemIndex.set(bi, items.length);
    const cb = position(starts, b.checkbox);
    items.push({
      ...(parsed.id ? { id: parsed.id } : {}),
      title: parsed.title,
      checked: b.checked,
      deps: parsed.deps,
      ...(parent ? { parent } : {}),
      ...(parentIndex !== undefined ? { parentIndex } : {}),
      headings: headingPath,
      line: at.line,
      col: at.col,
      lineStart,
      lineEnd,
      checkbox: { offset: b.checkbox, line: cb.line, col: cb.col },
      textStart: b.textStart,
      end: b.end,
      meaning: `${parsed.id ?? ""}\n${parsed.title}\n${[...parsed.deps].sort().join(",")}`,
    });
  });
  return { items, problems, headings, bodyStart };
}

/** Splits a task line's text into id, title and inline deps. */
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
  const dm = DEPS_AT_END.exec(rest);
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
