// Surgical edits to TODO.md text: each changes only the bytes it must and returns the new
// text, or undefined when there is nothing to change. Pure; the store applies them under a lock.
import { OrchError } from "../util/errors.js";
import type { TaskId } from "./model.js";
import { ID_RE, idNumber } from "./ids.js";
import { parseTodo, type TodoItem } from "./todo.js";

/** Sets or clears one task's checkbox (one character). Undefined when already so, absent, or ambiguous. */
export function setChecked(text: string, taskId: TaskId, checked: boolean): string | undefined {
  const matches = parseTodo(text, "TODO.md").items.filter((i) => i.id === taskId);
  if (matches.length !== 1) return undefined; // absent, or a duplicate id: refuse to guess
  const item = matches[0]!;
  if (item.checked === checked) return undefined;
  const at = item.checkbox.offset;
  return text.slice(0, at) + (checked ? "x" : " ") + text.slice(at + 1);
}

/**
 * Writes the next free id (prefix + number above every id in the file and `existingIds`)
 * at the start of each id-less task line, in document order.
 */
export function assignIds(
  text: string,
  prefix: string,
  existingIds: Iterable<TaskId> = [],
): { text: string; assigned: { line: number; id: TaskId }[] } | undefined {
  const items = parseTodo(text, "TODO.md").items;
  const missing = items.filter((i) => !i.id);
  if (missing.length === 0) return undefined;
  let next = 0;
  for (const id of [...existingIds, ...items.flatMap((i) => (i.id ? [i.id] : []))]) next = Math.max(next, idNumber(id, prefix) ?? 0);
  const assigned = missing.map((item) => ({ item, line: item.line, id: `${prefix}${++next}` }));
  let out = text;
  for (const a of [...assigned].reverse()) out = out.slice(0, a.item.textStart) + `${a.id} ` + out.slice(a.item.textStart);
  return { text: out, assigned: assigned.map(({ line, id }) => ({ line, id })) };
}

/**
 * Appends `- [ ] <id> <title>` after the last task under the root-level heading `heading`
 * (case-insensitive), or adds the heading at the end of the file when there is none.
 */
export function appendTask(text: string, heading: string, title: string, id?: TaskId): string | undefined {
  const out = appendUnchecked(text, heading, title, id);
  // Verify by re-parsing: a file ending inside an open code fence or HTML block would swallow the line.
  const before = parseTodo(text, "TODO.md").items.length;
  const items = parseTodo(out, "TODO.md").items;
  const want = title.replace(/\s+/g, " ").trim();
  const added = items.find((i) => i.title === want && (id === undefined || i.id === id) && i.headings.at(-1)?.toLowerCase() === heading.replace(/\s+/g, " ").trim().toLowerCase());
  if (items.length !== before + 1 || !added)
    throw new OrchError("cannot-append", `cannot append "${want}" under "${heading}": the new line would not read as a task there`, {
      hint: "The file may end inside a code block or HTML comment; add the line by hand.",
    });
  return out;
}

function appendUnchecked(text: string, heading: string, title: string, id?: TaskId): string {
  const clean = title.replace(/\s+/g, " ").trim();
  if (!clean) throw new OrchError("bad-title", "a task needs a title");
  if (id !== undefined && !ID_RE.test(id)) throw new OrchError("bad-id", `"${id}" is not a task id`, { hint: "Ids look like T12." });
  const first = clean.split(" ")[0]!;
  if (id === undefined && ID_RE.test(first.replace(/:$/, "")))
    throw new OrchError("bad-title", `the title starts with "${first}", which would be read as the task's id`, { hint: "Pass an id, or reword the title." });
  const parsed = parseTodo(text, "TODO.md");
  const eol = /\r\n/.test(text) ? "\r\n" : "\n";
  const body = `[ ] ${id ? `${id} ` : ""}${clean}`;
  const want = heading.replace(/\s+/g, " ").trim().toLowerCase();
  const hi = parsed.headings.findIndex((h) => h.text.toLowerCase() === want);
  if (hi === -1) {
    const sep = text === "" || text.endsWith("\n") ? "" : eol;
    const gap = text.trim() === "" ? "" : eol;
    return `${text}${sep}${gap}## ${heading.trim()}${eol}${eol}- ${body}${eol}`;
  }
  const h = parsed.headings[hi]!;
  const sectionEnd = parsed.headings[hi + 1]?.offset ?? text.length;
  const inSection = parsed.items.filter((i) => i.lineStart >= h.end && i.lineStart < sectionEnd);
  if (inSection.length === 0) {
    // After the section's last non-blank line, behind a blank line: nothing after it can absorb the item.
    let end = sectionEnd;
    while (end > h.end && /\s/.test(text[end - 1]!)) end--;
    return `${text.slice(0, end)}${eol}${eol}- ${body}${text.slice(end)}${end === text.length ? eol : ""}`;
  }
  const shallow = inSection.reduce((a, b) => (b.col < a.col ? b : a));
  const end = Math.max(...inSection.map((i) => i.end));
  const at = lineAfter(text, end);
  const lead = at === text.length && !text.endsWith("\n") ? eol : "";
  return `${text.slice(0, at)}${lead}${markerOf(text, shallow)} ${body}${eol}${text.slice(at)}`;
}

/** Offset of the start of the line after the one containing `offset` (or the text's end). */
function lineAfter(text: string, offset: number): number {
  const nl = text.indexOf("\n", offset);
  return nl === -1 ? text.length : nl + 1;
}

// Same indentation and bullet as a sibling; ordered lists get a bullet (a new list, same level).
function markerOf(text: string, item: TodoItem): string {
  const indent = text.slice(item.lineStart, item.lineStart + item.col - 1);
  const ch = text[item.lineStart + item.col - 1]!;
  return indent + ("-*+".includes(ch) ? ch : "-");
}
