// The structural skeleton of TODO.md that both parsers (remark, and the fast line scanner)
// produce: root-level headings and task-list items with source offsets. todo.ts turns it
// into TodoItems. Offsets are UTF-16 indices into the full text (what String#slice uses).

/** A root-level ATX or setext heading. */
interface RawHeading {
  kind: "heading";
  depth: number;
  /** Raw source of the heading's content, whitespace collapsed. */
  text: string;
  offset: number;
  end: number;
}

/** A GFM task-list item. */
export interface RawItem {
  kind: "item";
  checked: boolean;
  /** Offset of the list marker (`-`, `*`, `+`, `1.`). */
  offset: number;
  /** Offset of the character between the checkbox brackets. */
  checkbox: number;
  /** Start and end offsets of the first paragraph's text after the checkbox. */
  textStart: number;
  textEnd: number;
  /** End offset of the whole item, subitems included. */
  end: number;
  /** Index (in the same block list) of the nearest enclosing task item, or -1. */
  parent: number;
}

export type RawBlock = RawHeading | RawItem;

/** Collapses runs of whitespace (including line breaks) to one space and trims. */
export function collapse(s: string): string {
  return s.replace(/\s+/g, " ").trim();
}

/**
 * Blanks out a YAML front matter block at the top of TODO.md (every character but line
 * breaks becomes a space) so that offsets stay valid and its lines are not read as markdown.
 * Returns the masked text and the offset where the body starts (0 when there is none).
 */
export function maskFrontMatter(text: string): { text: string; bodyStart: number } {
  const m = /^(?:\uFEFF)?---[ \t]*\r?\n(?:([\s\S]*?)\r?\n)?(?:---|\.\.\.)[ \t]*(?:\r?\n|$)/.exec(text);
  if (!m) return { text, bodyStart: 0 };
  // Only YAML-looking blocks (key lines, indented lines, comments): a leading `---` rule around
  // task lines is markdown, not front matter.
  const lines = (m[1] ?? "").split(/\r?\n/).filter((l) => l.trim() !== "");
  if (!lines.some((l) => /^[A-Za-z0-9_"'][^:]*:(?:\s|$)/.test(l)) || !lines.every((l) => /^(?:\s|#|[A-Za-z0-9_"'][^:]*:(?:\s|$))/.test(l))) return { text, bodyStart: 0 };
  const fm = m[0];
  return { text: fm.replace(/[^\r\n]/g, " ") + text.slice(fm.length), bodyStart: fm.length };
}

/** Start offsets of every line, for offset → line/column. */
export function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf("\n"); i !== -1; i = text.indexOf("\n", i + 1)) starts.push(i + 1);
  return starts;
}

/** 1-based line and column of an offset, given lineStarts(text). */
export function position(starts: readonly number[], offset: number): { line: number; col: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, col: offset - starts[lo]! + 1 };
}
