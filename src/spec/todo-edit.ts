// Surgical edits to TODO.md text: each changes only the bytes it must and returns the new
// text, or undefined when there is nothing to change. Pure; the store applies them under a lock.
import type { TaskId } from "./model.js";
import { nextIds } from "./ids.js";
import { parseTodo } from "./todo.js";

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
  const ids = nextIds(prefix, [...existingIds, ...items.flatMap((i) => (i.id ? [i.id] : []))], missing.length);
  const assigned = missing.map((item, k) => ({ item, line: item.line, id: ids[k]! }));
  let out = text;
  for (const a of [...assigned].reverse()) out = out.slice(0, a.item.textStart) + `${a.id} ` + out.slice(a.item.textStart);
  return { text: out, assigned: assigned.map(({ line, id }) => ({ line, id })) };
}
