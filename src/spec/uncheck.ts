// Telling a person's deliberate uncheck from an editor that saved a stale buffer over
// orch's own check. Pure. The rule is specified in docs/FORMAT.md ("Unchecking").

/** What orch recorded when it checked a box (TaskState.checkedByOrch). */
export interface OrchCheck {
  at: string;
  generation: string;
  lineBefore: string;
  lineAfter: string;
}

/** Another write orch made to TODO.md (a check of another task, an id it assigned). */
export interface OrchWrite {
  at: string;
  /** The line as orch wrote it. */
  lineAfter: string;
}

export type UncheckVerdict =
  | { kind: "stale-save"; reason: string }
  /** orch recorded the success but its check never reached the file (it stopped in between). */
  | { kind: "never-written"; reason: string }
  | { kind: "deliberate"; reason: string };

const strip = (l: string) => l.replace(/\r$/, "");

/**
 * Classifies a task orch had checked that is now unchecked. A line as it was before the check in a
 * file not written since orch recorded the success (`todoModifiedAt`, its mtime) was never checked:
 * orch stopped between the two writes. A stale save is recognised only
 * when (1) the unchecked line is byte-identical to the line orch saw before checking it, and
 * (2) at least one other write orch made at the same time or later vanished from the file
 * too (the editor's old buffer predates them all). Anything else is a deliberate uncheck:
 * the safe side, since a redo costs compute but never loses a person's intent.
 */
export function classifyUncheck(check: OrchCheck, currentLine: string, currentText: string, otherWrites: readonly OrchWrite[], todoModifiedAt?: string): UncheckVerdict {
  if (strip(currentLine) !== strip(check.lineBefore))
    return { kind: "deliberate", reason: "the line differs from the one orch checked, so a person edited it" };
  // The success is recorded (at `check.at`) before the box is written: a file last modified before
  // then was written by nobody since, orch's check included. Equal times are not told apart (safe side).
  if (todoModifiedAt !== undefined && todoModifiedAt < check.at)
    return { kind: "never-written", reason: "TODO.md was last written before orch recorded the success: its check never reached the file" };
  const since = otherWrites.filter((w) => w.at >= check.at && strip(w.lineAfter) !== strip(check.lineAfter));
  if (since.length === 0)
    return { kind: "deliberate", reason: "no later orch write to corroborate a stale save; treating the uncheck as intended" };
  const lines = new Set(currentText.split("\n").map(strip));
  const survived = since.filter((w) => lines.has(strip(w.lineAfter)));
  if (survived.length > 0)
    return { kind: "deliberate", reason: `${survived.length} of orch's later writes are still in the file, so the file is not an old buffer` };
  return { kind: "stale-save", reason: `the line is exactly as before orch's check and all ${since.length} later orch writes vanished with it` };
}
