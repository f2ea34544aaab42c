// Adding task lines to TODO.md text: at the end, at the end of a heading's own lines, or as nested
// items under a task. Pure, like the other surgical edits: every byte around the insertion is kept
// (line endings, indentation, front matter), and the caller checks what the new text parses to.
import type { TaskId } from "./model.js";
import { nearest } from "./ids.js";
import { parseTodo, type TodoItem, type TodoParse } from "./todo.js";

/** Where new task lines go: the end of the file, the end of a heading's own lines, or under a task (as its subtasks). */
export type LinePlacement = { end: true } | { under: string } | { parentTask: TaskId };

/** Why lines cannot go where they were asked to; `line` is TODO.md's (0: the file as a whole). */
export interface InsertError {
  error: string;
  hint: string;
  line: number;
}

/** A root-level heading of the parse, as `--under` names it ("## Core" or "Core"). */
export function findHeading(parse: TodoParse, wanted: string): { index: number } | InsertError {
  const m = /^(#{1,6})\s+(.*)$/.exec(wanted.trim());
  const depth = m ? m[1]!.length : undefined;
  const text = (m ? m[2]! : wanted).replace(/\s+#+\s*$/, "").replace(/\s+/g, " ").trim();
  const fits = (exact: boolean) =>
    parse.headings.flatMap((h, index) => ((depth === undefined || h.depth === depth) && (exact ? h.text === text : h.text.toLowerCase() === text.toLowerCase()) ? [index] : []));
  const found = fits(true).length ? fits(true) : fits(false);
  const show = (i: number) => `"${"#".repeat(parse.headings[i]!.depth)} ${parse.headings[i]!.text}" (line ${parse.headings[i]!.line})`;
  if (found.length === 1) return { index: found[0]! };
  if (found.length > 1)
    return { error: `${found.length} headings match "${wanted}": ${found.map(show).join(", ")}`, hint: "Name the heading with its level (e.g. \"## Core\") or rename one of them.", line: parse.headings[found[0]!]!.line };
  const all = parse.headings.map((h, i) => show(i));
  const near = nearest(text, parse.headings.map((h) => h.text));
  return {
    error: `no heading "${wanted}" in the task list`,
    hint: `${near ? `Did you mean "${near}"? ` : all.length ? `Its headings: ${all.slice(0, 8).join(", ")}${all.length > 8 ? ", …" : ""}. ` : "It has no headings. "}Leave out --under to add the tasks at the end.`,
    line: 0,
  };
}

/** One line to insert: the text after the checkbox (`<id> <title> (after …)`). */
export interface NewLine {
  text: string;
}

/**
 * Inserts unchecked task lines (`- [ ] <text>`) at `placement`. Returns the new text, or why not:
 * a heading that is not there, a parent task that is absent or on two lines.
 */
export function insertTaskLines(text: string, placement: LinePlacement, lines: readonly NewLine[], file = "TODO.md"): { text: string; at: number } | InsertError {
  const parse = parseTodo(text, file);
  const nl = text.indexOf("\n");
  const eol = nl > 0 && text[nl - 1] === "\r" ? "\r\n" : "\n"; // as the file's first line ends
  let spot: { at: number; indent: string; bullet: string; blank: boolean };
  if ("parentTask" in placement) {
    const matches = parse.items.filter((i) => i.id === placement.parentTask);
    if (matches.length !== 1)
      return { error: matches.length ? `task ${placement.parentTask} is on ${matches.length} lines` : `no task ${placement.parentTask} in the task list`, hint: "Subtasks go under one task line; fix the task list first.", line: matches[0]?.line ?? 0 };
    spot = underTask(text, parse, matches[0]!);
  } else {
    let from = parse.bodyStart;
    let to = text.length;
    if ("under" in placement) {
      const h = findHeading(parse, placement.under);
      if ("error" in h) return h;
      from = parse.headings[h.index]!.end;
      to = parse.headings[h.index + 1]?.offset ?? text.length;
    }
    spot = atSectionEnd(text, parse, from, to);
  }
  const lead = spot.at === text.length && text.length > 0 && !text.endsWith("\n") ? eol : "";
  const block = (spot.blank ? eol : "") + lines.map((l) => `${spot.indent}${spot.bullet} [ ] ${l.text}${eol}`).join("");
  return { text: text.slice(0, spot.at) + lead + block + text.slice(spot.at), at: spot.at };
}

/** After the last line of the item (its subitems included), indented as its last subitem is (or at its text's column). */
function underTask(text: string, parse: TodoParse, parent: TodoItem) {
  const index = parse.items.indexOf(parent);
  // The last one: the lines follow it, so they continue its list (tabs and spaces mixed among the
  // subitems may put an earlier one's indentation deeper than the last one's content).
  const child = parse.items.findLast((i) => i.parentIndex === index);
  const marker = child ? markerOf(text, child) : { indent: columnOf(text.slice(parent.lineStart, parent.checkbox.offset - 1)), bullet: "-" };
  return { at: afterLine(text, parent.end), ...marker, blank: false };
}

/**
 * After the last non-blank line between `from` and `to`. Right below a task item the lines continue
 * its list (same indentation and bullet); after anything else (prose, a heading, a code block) a
 * blank line comes first, so that nothing above can swallow them.
 */
function atSectionEnd(text: string, parse: TodoParse, from: number, to: number) {
  let last = to;
  while (last > from && /\s/.test(text[last - 1]!)) last--;
  if (last <= from) return { at: afterLine(text, from), indent: "", bullet: "-", blank: /\S/.test(text.slice(0, from)) };
  const item = parse.items.find((i) => i.lineStart < last && i.end >= last && i.parentIndex === undefined);
  return item ? { at: afterLine(text, last), ...markerOf(text, item), blank: false } : { at: afterLine(text, last), indent: "", bullet: "-", blank: true };
}

/** The indentation and bullet of an item's line (an ordered item's new siblings get "-"). */
function markerOf(text: string, item: TodoItem): { indent: string; bullet: string } {
  const line = text.slice(item.lineStart, item.lineEnd);
  const m = /^([ \t]*)([-*+]|\d{1,9}[.)])/.exec(line);
  return { indent: m?.[1] ?? "", bullet: m && /^[-*+]$/.test(m[2]!) ? m[2]! : "-" };
}

/** A prefix's width as indentation: tabs kept, every other character a space. */
function columnOf(prefix: string): string {
  return prefix.replace(/[^\t]/g, " ");
}

/** The start of the line after the one holding offset `at - 1` (the end of the text when it has none). */
function afterLine(text: string, at: number): number {
  const nl = text.indexOf("\n", Math.max(0, at - 1));
  return nl === -1 ? text.length : nl + 1;
}
