// `orch plan --dry-run`: what would be written, as a unified diff (TODO.md's change, then each new
// task file), so a person reads exactly the bytes orch would write.
import type { RenderedPlan } from "./render.js";

/** Lines of context around a change. */
const CONTEXT = 3;

/** Splits text into lines, each keeping whether it ended with a line break. */
function lines(text: string): string[] {
  return text === "" ? [] : text.split(/(?<=\n)/);
}

/** One line of a hunk: its text without the break, and the "no newline" marker when it had none. */
function show(prefix: string, line: string): string {
  return line.endsWith("\n") ? `${prefix}${line.replace(/\r?\n$/, "")}\n` : `${prefix}${line}\n\\ No newline at end of file\n`;
}

/** A unified diff of two texts that differ in one region (what an insertion makes); "" when equal. */
function unifiedDiff(before: string, after: string, oldName: string, newName: string): string {
  const a = lines(before);
  const b = lines(after);
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  if (head === a.length && head === b.length) return "";
  const from = Math.max(0, head - CONTEXT);
  const aEnd = Math.min(a.length, a.length - tail + CONTEXT);
  const bEnd = Math.min(b.length, b.length - tail + CONTEXT);
  const range = (start: number, count: number) => `${count === 0 ? start : start + 1}${count === 1 ? "" : `,${count}`}`;
  let out = `--- ${oldName}\n+++ ${newName}\n@@ -${range(from, aEnd - from)} +${range(from, bEnd - from)} @@\n`;
  for (let i = from; i < head; i++) out += show(" ", a[i]!);
  for (let i = head; i < a.length - tail; i++) out += show("-", a[i]!);
  for (let i = head; i < b.length - tail; i++) out += show("+", b[i]!);
  for (let i = a.length - tail; i < aEnd; i++) out += show(" ", a[i]!);
  return out;
}

/** The whole dry run: TODO.md's diff, then each new task file as an added file. */
export function planDiff(todoBefore: string, rendered: RenderedPlan, todoFile: string): string {
  return [unifiedDiff(todoBefore, rendered.todo, `a/${todoFile}`, `b/${todoFile}`), ...rendered.files.map((f) => unifiedDiff("", f.text, "/dev/null", `b/${f.path}`))].join("");
}
