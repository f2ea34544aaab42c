// A line scanner for the plain subset of markdown that TODO.md files are mostly made of:
// blank lines, `#` headings at column 0, bullet items (`-`, `*`, `+` and one space, nested by
// indentation) with or without a checkbox, and prose paragraphs at column 0. For that subset
// its output equals remark's (pinned by a property test); on any other line it returns
// undefined and the section goes to remark. remark needs ~0.2 ms per item; this, ~1 µs.
import { collapse, type RawBlock, type RawItem } from "./todo-blocks.js";

const HEADING = /^(#{1,6})(?: +(.*?))?$/;
const ITEM = /^( *)([-*+]) (?! )(.*)$/;
const TASK = /^\[([ xX])\] +(?=\S)/;
const LETTER = /^\p{L}/u;

interface Open {
  /** Column where the item's content starts: children are indented at least this far. */
  contentCol: number;
  /** Index in `blocks` when it is a task item, else -1. */
  block: number;
  /** End offset of the last non-blank line inside the item so far. */
  end: number;
}

/** Parses a section made only of simple lines, or returns undefined (use remark). */
export function fastBlocks(text: string): { blocks: RawBlock[]; openAtEnd: false } | undefined {
  const blocks: RawBlock[] = [];
  const stack: Open[] = [];
  let prev: "blank" | "item" | "prose" | "heading" | "start" = "start";
  const close = (keepWhile: (o: Open) => boolean) => {
    while (stack.length && !keepWhile(stack[stack.length - 1]!)) {
      const o = stack.pop()!;
      if (o.block >= 0) (blocks[o.block] as RawItem).end = o.end;
      if (stack.length) stack[stack.length - 1]!.end = Math.max(stack[stack.length - 1]!.end, o.end);
    }
  };
  let pos = 0;
  while (pos <= text.length) {
    let nl = text.indexOf("\n", pos);
    if (nl === -1) nl = text.length;
    let lineEnd = nl;
    if (text.charCodeAt(lineEnd - 1) === 13) lineEnd--;
    const line = text.slice(pos, lineEnd);
    if (line.includes("\r") || line.includes("\t")) return undefined;
    const trimmedEnd = lineEnd; // remark positions include trailing spaces
    if (line.trim() === "") {
      prev = prev === "start" ? "start" : "blank";
    } else if (line.charCodeAt(0) === 35 /* # */) {
      const m = HEADING.exec(line.trimEnd());
      if (!m) return undefined;
      close(() => false);
      const content = (m[2] ?? "").replace(/(?:^| +)#+$/, "");
      blocks.push({ kind: "heading", depth: m[1]!.length, text: collapse(content), offset: pos, end: trimmedEnd });
      prev = "heading";
    } else {
      const m = ITEM.exec(line);
      if (m) {
        const indent = m[1]!.length;
        const content = m[3]!;
        close((o) => o.contentCol <= indent);
        const top = stack[stack.length - 1];
        if (indent - (top ? top.contentCol : 0) > 3) return undefined; // indented code or continuation
        const contentStart = pos + indent + 2;
        const task = TASK.exec(content);
        let block = -1;
        if (task) {
          let parent = -1;
          for (let k = stack.length - 1; k >= 0; k--) if (stack[k]!.block >= 0) { parent = stack[k]!.block; break; }
          blocks.push({
            kind: "item",
            checked: task[1] !== " ",
            offset: pos + indent,
            checkbox: contentStart + 1,
            textStart: contentStart + 4, // remark starts the paragraph one space after `]`
            textEnd: trimmedEnd,
            end: trimmedEnd,
            parent,
          });
          block = blocks.length - 1;
        } else if (!LETTER.test(content)) {
          return undefined; // could open a block inside the item (quote, fence, heading, nested list…)
        }
        stack.push({ contentCol: indent + 2, block, end: trimmedEnd });
        prev = "item";
      } else if (LETTER.test(line) && prev !== "item") {
        // Prose at column 0 after a blank line, a heading or more prose: a paragraph outside lists.
        if (prev === "blank") close(() => false);
        else if (stack.length) return undefined; // lazy continuation of an item's paragraph
        prev = "prose";
      } else {
        return undefined;
      }
    }
    pos = nl + 1;
  }
  close(() => false);
  return { blocks, openAtEnd: false };
}
