// Task id syntax, shared by the TODO parser, the task-file schema and the editor, and which ids are free.
import path from "node:path";
import type { Mission, TaskId } from "./model.js";

/** A task id: capital letters/digits ending in digits, e.g. T12, API3. */
export const ID_PATTERN = "[A-Z][A-Z0-9]*[0-9]";
/** Anchored id test. */
const ID_RE = new RegExp(`^${ID_PATTERN}$`);

/** True when `s` is a well-formed task id. */
export function isTaskId(s: string): boolean {
  return ID_RE.test(s);
}

/** The numeric suffix of an id with the given prefix (T12 → 12), or undefined. */
export function idNumber(id: string, prefix: string): number | undefined {
  if (!id.startsWith(prefix)) return undefined;
  const rest = id.slice(prefix.length);
  return /^[0-9]+$/.test(rest) ? Number(rest) : undefined;
}

/**
 * The next `count` free ids with `prefix`: numbered above every id of that kind in `taken` (never
 * filling gaps: an id once used may still name another task's history).
 */
export function nextIds(prefix: string, taken: Iterable<string>, count: number): string[] {
  let next = 0;
  for (const id of taken) next = Math.max(next, idNumber(id, prefix) ?? 0);
  return Array.from({ length: count }, () => `${prefix}${++next}`);
}

/**
 * Ids a new task may not take: the mission's, those of state records (`recorded`), and those of
 * orphan task files (a deleted line's file may be wanted back). One rule for every writer of ids.
 */
export function idsInUse(mission: Mission, recorded: Iterable<TaskId>): TaskId[] {
  const taken = mission.tasks.map((t) => t.id);
  taken.push(...recorded);
  for (const p of mission.problems) if (p.code === "orphan-task-file") taken.push(path.posix.basename(p.file, ".md"));
  return taken;
}

/** Levenshtein distance, for "did you mean" hints. */
function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j]!;
      prev[j] = Math.min(prev[j]! + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length]!;
}

/** The candidate nearest to `word`, when it is close enough to be a plausible typo. */
export function nearest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const d = editDistance(word.toLowerCase(), c.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = c;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 2)) ? best : undefined;
}
