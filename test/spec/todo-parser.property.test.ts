// The fast line scanner and the per-section split must agree with remark on any document.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { fastBlocks } from "../../src/spec/todo-fast.js";
import { remarkBlocks } from "../../src/spec/todo-remark.js";
import { createTodoParseCache, parseSections, type TodoParseCache } from "../../src/spec/todo-sections.js";
import type { RawBlock } from "../../src/spec/todo-blocks.js";
import { parseTodo } from "../../src/spec/todo.js";

/** FC_RUNS=20000 for a deeper search; the default keeps the suite fast. */
const RUNS = Number(process.env.FC_RUNS ?? 300);
const word = fc.constantFrom("alpha", "Beta", "é", "😀", "`x`", "*em*", "[l](u)", "<b>", "T3", "a|b", "#", "x\\", "(after T1)", "naïve");
const words = fc.array(word, { minLength: 1, maxLength: 4 }).map((w) => w.join(" "));
const trail = fc.constantFrom("", "", " ", "  ");
const heading = fc.tuple(fc.integer({ min: 1, max: 6 }), words, fc.constantFrom("", " #", " ##"), trail).map(([d, w, c, t]) => `${"#".repeat(d)} ${w}${c}${t}`);
const item = fc
  .tuple(fc.constantFrom(0, 0, 1, 2, 2, 3, 4, 4, 6, 8), fc.constantFrom("-", "*", "+"), fc.constantFrom("[ ] ", "[x] ", "[X] ", "[ ]  ", ""), fc.constantFrom("", "T12 ", "T3: "), words, fc.constantFrom("", " (after T1, T2)"), trail)
  .map(([i, m, c, id, w, d, t]) => `${" ".repeat(i)}${m} ${c}${id}${c || id ? w : `word ${w}`}${d}${t}`);
const prose = words.map((w) => `Prose ${w}`);
const weird = fc.constantFrom("```", "~~~", "> - [ ] quoted", "<!--", "-->", "1. [ ] ordered", "    code", "---", "===", "| a | b |", "- ", "\t- [ ] tab", "-  [ ] two", "  text under", "[ref]: /u", "* * *", "<div>", "<b>", "</div>", "[^1]: - [ ] foot", "  > - [ ] nested quote", "Title\n===");
const line = fc.oneof({ weight: 2, arbitrary: fc.constant("") }, { weight: 2, arbitrary: heading }, { weight: 6, arbitrary: item }, { weight: 2, arbitrary: prose }, { weight: 1, arbitrary: weird });
const doc = fc.tuple(fc.array(line, { maxLength: 30 }), fc.constantFrom("\n", "\r\n"), fc.boolean()).map(([ls, eol, end]) => ls.join(eol) + (end ? eol : ""));

/** The blocks of parseTodo's sectioned parse, stitched back with absolute offsets (what one whole-text parse gives). */
function parseBlocks(text: string, cache?: TodoParseCache): RawBlock[] {
  const out: RawBlock[] = [];
  for (const { base, parse } of parseSections(text, "TODO.md", cache)) {
    const indexBase = out.length;
    for (const b of parse.blocks) {
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
  }
  return out;
}

describe("TODO.md parsers agree with remark", () => {
  it("fastBlocks equals remark whenever it accepts a text", () => {
    let accepted = 0;
    fc.assert(
      fc.property(doc, (d) => {
        const fast = fastBlocks(d);
        if (!fast) return;
        accepted++;
        expect(fast.blocks).toEqual(remarkBlocks(d).blocks);
      }),
      { numRuns: RUNS },
    );
    if (process.env.FC_DEBUG) console.log("accepted", accepted, "of", RUNS);
    expect(accepted).toBeGreaterThan(RUNS / 10); // the property must not pass by rejecting everything
  });
  it("the sectioned, cached parse equals one remark parse of the whole text", () => {
    const cache = createTodoParseCache();
    fc.assert(
      fc.property(doc, (d) => {
        expect(parseBlocks(d, cache)).toEqual(remarkBlocks(d).blocks);
      }),
      { numRuns: Math.ceil(RUNS / 2) },
    );
  });
  it("parseTodo with a cache over a series of edits equals a fresh parse", () => {
    fc.assert(
      fc.property(fc.array(line, { maxLength: 25 }), fc.array(fc.tuple(fc.nat(), line), { minLength: 1, maxLength: 5 }), (start, edits) => {
        const cache = createTodoParseCache();
        let lines = [...start];
        parseTodo(lines.join("\n"), "TODO.md", cache);
        for (const [at, l] of edits) {
          lines = [...lines];
          if (lines.length && at % 3) lines[at % lines.length] = l;
          else lines.splice(lines.length ? at % lines.length : 0, 0, l);
          const d = lines.join("\n");
          expect(parseTodo(d, "TODO.md", cache)).toEqual(parseTodo(d, "TODO.md"));
        }
      }),
      { numRuns: Math.ceil(RUNS / 4) },
    );
  });
});
