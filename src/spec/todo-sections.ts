// TODO.md is parsed per section (the text between root-level `#` headings) so that a
// one-line edit re-parses one section, and simple sections take the fast line scanner.
// A section is only cut where no open code fence or HTML block can reach across.
// Everything a section yields is relative to its start, so an unchanged section is reused
// from the cache even when the lines above it moved.
import type { Problem } from "../util/index.js";
import type { TaskId } from "./model.js";
import { lineStarts, position, type RawBlock } from "./todo-blocks.js";
import { remarkBlocks } from "./todo-remark.js";
import { fastBlocks } from "./todo-fast.js";
import { parseLineText } from "./todo-line.js";

/** A task item with offsets and lines relative to its section. */
interface SectionItem {
  kind: "item";
  id?: TaskId;
  title: string;
  deps: TaskId[];
  meaning: string;
  checked: boolean;
  line: number;
  col: number;
  lineStart: number;
  lineEnd: number;
  checkbox: { offset: number; line: number; col: number };
  textStart: number;
  end: number;
  /** Index of the parent among the section's items, or -1. */
  parent: number;
}

/** A root-level heading, relative to its section. */
interface SectionHeading {
  kind: "heading";
  depth: number;
  text: string;
  line: number;
  offset: number;
  end: number;
}

/** One section's parse, all positions relative to the section. */
export interface SectionParse {
  blocks: RawBlock[];
  entries: (SectionItem | SectionHeading)[];
  problems: Problem[];
  openAtEnd: boolean;
  /** Line breaks in the section's text. */
  lineCount: number;
}

/** Memo of section parses keyed by the section's text; holds only the last document's sections. */
export interface TodoParseCache {
  file?: string;
  sections: Map<string, SectionParse>;
  /** What parseTodo last built from each section, reused when nothing around it moved. */
  assembled: Map<SectionParse, unknown>;
}

/** A fresh, empty parse cache. */
export function createTodoParseCache(): TodoParseCache {
  return { sections: new Map(), assembled: new Map() };
}

const HEADING_LINE = /^#{1,6}(?:[ \t]|\r?$)/;

/** Offsets of the lines that start a root-level ATX heading candidate. */
function cutPoints(text: string): number[] {
  const cuts = [0];
  for (let i = text.indexOf("\n#"); i !== -1; i = text.indexOf("\n#", i + 1)) {
    const nl = text.indexOf("\n", i + 1);
    if (HEADING_LINE.test(text.slice(i + 1, nl === -1 ? text.length : Math.min(nl, i + 9)))) cuts.push(i + 1);
  }
  return cuts;
}

function parseSection(text: string, file: string): SectionParse {
  const { blocks, openAtEnd } = fastBlocks(text) ?? remarkBlocks(text);
  const starts = lineStarts(text);
  const problems: Problem[] = [];
  const entries: (SectionItem | SectionHeading)[] = [];
  const itemOf = new Map<number, number>();
  let items = 0;
  blocks.forEach((b, bi) => {
    if (b.kind === "heading") {
      entries.push({ kind: "heading", depth: b.depth, text: b.text, line: position(starts, b.offset).line, offset: b.offset, end: b.end });
      return;
    }
    const at = position(starts, b.offset);
    const lineStart = starts[at.line - 1]!;
    let lineEnd = text.indexOf("\n", lineStart);
    if (lineEnd === -1) lineEnd = text.length;
    if (text[lineEnd - 1] === "\r") lineEnd--;
    const parsed = parseLineText(text.slice(b.textStart, b.textEnd), file, position(starts, b.textStart), problems);
    const cb = position(starts, b.checkbox);
    itemOf.set(bi, items++);
    entries.push({
      kind: "item",
      ...(parsed.id ? { id: parsed.id } : {}),
      title: parsed.title,
      deps: parsed.deps,
      meaning: `${parsed.id ?? ""}\n${parsed.title}\n${[...parsed.deps].sort().join(",")}`,
      checked: b.checked,
      line: at.line,
      col: at.col,
      lineStart,
      lineEnd,
      checkbox: { offset: b.checkbox, line: cb.line, col: cb.col },
      textStart: b.textStart,
      end: b.end,
      parent: b.parent >= 0 ? itemOf.get(b.parent) ?? -1 : -1,
    });
  });
  return { blocks, entries, problems, openAtEnd, lineCount: starts.length - 1 };
}

/** The sections of the (front-matter-masked) text with their offset and first line (0-based). */
export function parseSections(text: string, file: string, cache?: TodoParseCache): { base: number; lineBase: number; parse: SectionParse }[] {
  if (cache && cache.file !== file) cache.sections = new Map();
  if (cache) cache.file = file;
  const cuts = cutPoints(text);
  cuts.push(text.length);
  const out: { base: number; lineBase: number; parse: SectionParse }[] = [];
  const used = new Map<string, SectionParse>();
  const get = (slice: string) => used.get(slice) ?? cache?.sections.get(slice) ?? parseSection(slice, file);
  let lineBase = 0;
  let s = 0;
  while (s < cuts.length - 1) {
    // Grow the section while it ends inside an open fence or HTML block.
    let e = s + 1;
    let slice = text.slice(cuts[s], cuts[e]);
    let parsed = get(slice);
    while (parsed.openAtEnd && e < cuts.length - 1) {
      e++;
      slice = text.slice(cuts[s], cuts[e]);
      parsed = get(slice);
    }
    used.set(slice, parsed);
    out.push({ base: cuts[s]!, lineBase, parse: parsed });
    lineBase += parsed.lineCount;
    s = e;
  }
  if (cache) cache.sections = used;
  return out;
}
