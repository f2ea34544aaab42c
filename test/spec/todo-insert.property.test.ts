// insertTaskLines over generated TODO.md documents: every byte of the document is kept, in order, around
// one inserted block; outside code fences the new lines read as the intended tasks and every other
// task reads as before.
import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { insertTaskLines, type LinePlacement } from "../../src/spec/todo-insert.js";
import { parseTodo, type TodoItem } from "../../src/spec/todo.js";

const RUNS = Number(process.env.FC_RUNS ?? 100);
const title = fc.array(fc.constantFrom("fix", "naïve", "😀", "`code`", "**bold**", "tab\there"), { minLength: 1, maxLength: 3 }).map((w) => w.join(" "));
const itemLine = fc.record({ kind: fc.constant("item" as const), indent: fc.constantFrom("", "", "  ", "\t"), marker: fc.constantFrom("-", "*", "1."), checked: fc.boolean(), title });
const textLine = fc.constantFrom("", "", "# Heading", "## Sub heading", "Some prose é", "```", "> - [ ] T98 quoted", "<!-- note -->").map((text) => ({ kind: "text" as const, text }));
const docArb = fc
  .tuple(fc.array(fc.oneof({ weight: 3, arbitrary: itemLine }, { weight: 2, arbitrary: textLine }), { minLength: 1, maxLength: 20 }), fc.constantFrom("\n", "\r\n"), fc.boolean(), fc.boolean())
  .map(([lines, eol, frontMatter, finalEol]) => {
    let n = 0;
    const body = lines.map((l) => (l.kind === "text" ? l.text : `${l.indent}${l.marker} [${l.checked ? "x" : " "}] T${++n} ${l.title}`));
    return [...(frontMatter ? ["---", "owner: me", "---"] : []), ...body].join(eol) + (finalEol ? eol : "");
  });

const model = (i: TodoItem) => ({ id: i.id, title: i.title, checked: i.checked, deps: i.deps, parent: i.parent, headings: i.headings });
const NEW = [{ text: "T500 First new" }, { text: "T501 Second new (after T500)" }];

describe("insertTaskLines (property)", () => {
  it("keeps every byte around one inserted block; outside fences the new lines are the intended tasks", () => {
    fc.assert(
      fc.property(docArb, fc.nat(), fc.constantFrom("end", "under", "parent"), (doc, pick, kind) => {
        const parse = parseTodo(doc, "TODO.md");
        let placement: LinePlacement = { end: true };
        if (kind === "under") {
          if (!parse.headings.length) return;
          const h = parse.headings[pick % parse.headings.length]!;
          placement = { under: `${"#".repeat(h.depth)} ${h.text}` };
        } else if (kind === "parent") {
          if (!parse.items.length) return;
          placement = { parentTask: parse.items[pick % parse.items.length]!.id! };
        }
        const r = insertTaskLines(doc, placement, NEW);
        if ("error" in r) {
          // Only a heading written twice (the same level and text) has no single place.
          expect(r.error).toMatch(/headings match/);
          return;
        }
        const added = r.text.length - doc.length;
        expect(r.text.slice(0, r.at)).toBe(doc.slice(0, r.at));
        expect(r.text.slice(r.at + added)).toBe(doc.slice(r.at));
        const block = r.text.slice(r.at, r.at + added);
        expect(block.split(/\r?\n/).filter((l) => l.trim() !== "").map((l) => l.trim())).toEqual(NEW.map((l) => expect.stringMatching(new RegExp(`^[-*] \\[ \\] ${l.text.replace(/[()]/g, "\\$&")}$`))));
        if (doc.includes("```")) return; // a fence left open swallows what follows: the caller's read-back refuses that
        const after = parseTodo(r.text, "TODO.md").items;
        const fresh = after.filter((i) => i.id === "T500" || i.id === "T501");
        expect(fresh.map((i) => [i.id, i.deps])).toEqual([["T500", []], ["T501", ["T500"]]]);
        if ("parentTask" in placement) expect(fresh.map((i) => i.parent)).toEqual([placement.parentTask, placement.parentTask]);
        if ("under" in placement) expect(fresh[0]!.headings.at(-1)).toBe(placement.under.replace(/^#+ /, ""));
        expect(after.filter((i) => !fresh.includes(i)).map(model)).toEqual(parse.items.map(model));
      }),
      { numRuns: RUNS },
    );
  });
});
