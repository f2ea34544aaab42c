// TODO.md is parsed per section (the text between root-level `#` headings) so that a
// one-line edit re-parses one section, and simple sections take the fast line scanner.
// A section is only cut where no open code fence or HTML block can reach across.
import type { RawBlock } from "./todo-blocks.js";
import { remarkBlocks } from "./todo-remark.js";
import { fastBlocks } from "./todo-fast.js";

interface SectionParse {
  blocks: RawBlock[];
  openAtEnd: boolean;
}

/** Memo of section parses keyed by the section's text; holds only the last document's sections. */
export interface TodoParseCache {
  sections: Map<string, SectionParse>;
}

/** A fresh, empty parse cache. */
export function createTodoParseCache(): TodoParseCache {
  return { sections: new Map() };
}

const HEADING_LINE = /^#{1,6}(?:[ \t]|\r?$)/;

/** Offsets of the lines that start a root-level ATX heading candidate. */
function cutPoints(text: string): number[] {
  const cuts = [0];
  let i = 0;
  while (i < text.length) {
    if (text.charCodeAt(i) === 35 /* # */ && i > 0) {
      const nl = text.indexOf("\n", i);
      if (HEADING_LINE.test(text.slice(i, nl === -1 ? text.length : Math.min(nl, i + 8)))) cuts.push(i);
    }
    const nl = text.indexOf("\n", i);
    if (nl === -1) break;
    i = nl + 1;
  }
  return cuts;
}

function parseSection(text: string): SectionParse {
  return fastBlocks(text) ?? remarkBlocks(text);
}

/** All RawBlocks of the (front-matter-masked) text, in document order. */
export function parseBlocks(text: string, cache?: TodoParseCache): RawBlock[] {
  const cuts = cutPoints(text);
  cuts.push(text.length);
  const out: RawBlock[] = [];
  const used = new Map<string, SectionParse>();
  let s = 0;
  while (s < cuts.length - 1) {
    // Grow the section while it ends inside an open fence or HTML block.
    let e = s + 1;
    let slice = text.slice(cuts[s], cuts[e]);
    let parsed = cache?.sections.get(slice) ?? parseSection(slice);
    while (parsed.openAtEnd && e < cuts.length - 1) {
      e++;
      slice = text.slice(cuts[s], cuts[e]);
      parsed = cache?.sections.get(slice) ?? parseSection(slice);
    }
    used.set(slice, parsed);
    const base = cuts[s]!;
    const indexBase = out.length;
    for (const b of parsed.blocks) {
      if (b.kind === "heading") out.push({ ...b, offset: b.offset + base, end: b.end + base });
      else
        out.push({
          ...b,
          offset: b.offset + base,
          checkbox: b.checkbox + base,
          textStart: b.textStart + base,
          textEnd: b.textEnd + base,
          end: b.end + base,
          parent: b.parent < 0 ? -1 : b.parent + indexBase,
        });
    }
    s = e;
  }
  if (cache) cache.sections = used;
  return out;
}
